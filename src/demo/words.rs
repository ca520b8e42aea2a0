//! Phrase banks for generated demo text, in English and Chinese: names,
//! partner names, listing titles and Markdown bodies, reviews, requests and
//! support conversations. Random but believable, never lorem ipsum.

use rand::Rng;
use rand::rngs::StdRng;

pub fn pick<T: Copy>(rng: &mut StdRng, items: &[T]) -> T {
    items[rng.random_range(0..items.len())]
}

/// An index drawn by weight.
pub fn pick_weighted(rng: &mut StdRng, weights: &[f64]) -> usize {
    let total: f64 = weights.iter().sum();
    let mut x = rng.random::<f64>() * total;
    for (i, w) in weights.iter().enumerate() {
        if x < *w {
            return i;
        }
        x -= w;
    }
    weights.len() - 1
}

/// First letter in upper case.
pub fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
        None => String::new(),
    }
}

// ---------------------------------------------------------------- people

pub const FIRST_NAMES: &[&str] = &[
    "Ann",
    "Bo",
    "Carlos",
    "Maya",
    "Tom",
    "Sara",
    "Oliver",
    "Priya",
    "Amelia",
    "Noah",
    "Olivia",
    "Liam",
    "Isla",
    "Leo",
    "Freya",
    "Arthur",
    "Grace",
    "Oscar",
    "Ava",
    "Jack",
    "Mia",
    "Harry",
    "Sofia",
    "George",
    "Emily",
    "Theo",
    "Lily",
    "Finn",
    "Chloe",
    "Ravi",
    "Aisha",
    "Omar",
    "Fatima",
    "Yusuf",
    "Zara",
    "Mateo",
    "Lucia",
    "Diego",
    "Elena",
    "Pablo",
    "Ines",
    "Kofi",
    "Amara",
    "Tariq",
    "Hana",
    "Kenji",
    "Yuki",
    "Anders",
    "Ingrid",
    "Lars",
    "Sven",
    "Nora",
    "Jonas",
    "Clara",
    "Felix",
    "Marta",
    "Piotr",
    "Agnieszka",
    "Ciaran",
    "Niamh",
    "Rhys",
    "Seren",
    "Dmitri",
    "Anya",
    "Samuel",
    "Ruth",
    "Daniel",
    "Esther",
    "Victor",
    "Chidi",
];

pub const LAST_NAMES: &[&str] = &[
    "Meyer",
    "Chen",
    "Ruiz",
    "Lindqvist",
    "Okafor",
    "Haddad",
    "Grant",
    "Nair",
    "Smith",
    "Jones",
    "Taylor",
    "Brown",
    "Williams",
    "Wilson",
    "Evans",
    "Thomas",
    "Roberts",
    "Walker",
    "Wright",
    "Hughes",
    "Green",
    "Hall",
    "Clarke",
    "Patel",
    "Khan",
    "Ahmed",
    "Singh",
    "Garcia",
    "Lopez",
    "Martinez",
    "Rossi",
    "Bianchi",
    "Muller",
    "Schmidt",
    "Novak",
    "Kowalski",
    "Nowak",
    "Larsen",
    "Hansen",
    "Berg",
    "Dubois",
    "Moreau",
    "Silva",
    "Santos",
    "Costa",
    "Murphy",
    "Kelly",
    "O'Brien",
    "Byrne",
    "Mensah",
    "Adeyemi",
    "Tanaka",
    "Sato",
    "Kim",
    "Park",
    "Nguyen",
    "Tran",
    "Ivanova",
    "Petrov",
    "Cohen",
    "Levi",
    "Fischer",
    "Weber",
    "Andersson",
    "Johansson",
];

/// Chinese family names with their pinyin.
pub const ZH_FAMILY: &[(&str, &str)] = &[
    ("王", "wang"),
    ("李", "li"),
    ("张", "zhang"),
    ("刘", "liu"),
    ("陈", "chen"),
    ("杨", "yang"),
    ("黄", "huang"),
    ("赵", "zhao"),
    ("吴", "wu"),
    ("周", "zhou"),
    ("徐", "xu"),
    ("孙", "sun"),
    ("马", "ma"),
    ("朱", "zhu"),
    ("胡", "hu"),
    ("郭", "guo"),
    ("何", "he"),
    ("高", "gao"),
    ("林", "lin"),
    ("罗", "luo"),
    ("郑", "zheng"),
    ("梁", "liang"),
];

pub const ZH_GIVEN: &[(&str, &str)] = &[
    ("芳", "fang"),
    ("伟", "wei"),
    ("娜", "na"),
    ("敏", "min"),
    ("静", "jing"),
    ("丽", "li"),
    ("强", "qiang"),
    ("磊", "lei"),
    ("洋", "yang"),
    ("艳", "yan"),
    ("杰", "jie"),
    ("涛", "tao"),
    ("明", "ming"),
    ("超", "chao"),
    ("霞", "xia"),
    ("婷", "ting"),
    ("欣怡", "xinyi"),
    ("子轩", "zixuan"),
    ("浩然", "haoran"),
    ("梓涵", "zihan"),
    ("一诺", "yinuo"),
    ("宇轩", "yuxuan"),
    ("雨桐", "yutong"),
    ("思远", "siyuan"),
    ("嘉怡", "jiayi"),
    ("俊杰", "junjie"),
];

/// A person: display name and an email local part (`first.last`).
pub fn person(rng: &mut StdRng, zh: bool) -> (String, String) {
    if zh {
        let (f, fp) = pick(rng, ZH_FAMILY);
        let (g, gp) = pick(rng, ZH_GIVEN);
        if rng.random_bool(0.7) {
            (format!("{f}{g}"), format!("{gp}.{fp}"))
        } else {
            // Written the Western way, as many sign up.
            (
                format!("{} {}", capitalise(gp), capitalise(fp)),
                format!("{gp}.{fp}"),
            )
        }
    } else {
        let f = pick(rng, FIRST_NAMES);
        let l = pick(rng, LAST_NAMES);
        let local = format!("{f}.{l}").to_lowercase().replace('\'', "");
        (format!("{f} {l}"), local)
    }
}

pub const EMAIL_DOMAINS: &[&str] = &["example.com", "example.net", "example.org"];

// ---------------------------------------------------------------- catalogue

/// A category with the services offered in it: (English, Chinese, weight).
pub struct CategoryWords {
    pub name: &'static str,
    pub slug: &'static str,
    pub services: &'static [(&'static str, &'static str, f64)],
    /// Last word of partner names: (English, Chinese).
    pub partner_words: &'static [(&'static str, &'static str)],
}

pub const CATEGORIES: &[CategoryWords] = &[
    CategoryWords {
        name: "Health & wellness",
        slug: "health-wellness",
        services: &[
            ("yoga", "瑜伽", 6.0),
            ("physiotherapy", "理疗", 2.0),
            ("massage", "按摩", 2.0),
            ("nutrition coaching", "营养指导", 1.5),
            ("meditation", "冥想", 1.5),
            ("pilates", "普拉提", 1.5),
            ("acupuncture", "针灸", 1.0),
            ("counselling", "心理咨询", 1.0),
        ],
        partner_words: &[
            ("Wellness", "健康中心"),
            ("Yoga Studio", "瑜伽馆"),
            ("Physio", "理疗中心"),
            ("Health Collective", "健康工作室"),
            ("Therapy Rooms", "康复中心"),
        ],
    },
    CategoryWords {
        name: "Learning",
        slug: "learning",
        services: &[
            ("maths tutoring", "数学辅导", 3.0),
            ("English lessons", "英语课", 2.0),
            ("Mandarin lessons", "普通话课", 2.0),
            ("piano lessons", "钢琴课", 1.5),
            ("coding classes", "编程课", 1.5),
            ("exam preparation", "考试辅导", 1.5),
            ("art classes", "美术课", 1.0),
            ("guitar lessons", "吉他课", 1.0),
            ("yoga teacher training", "瑜伽教练培训", 0.5),
        ],
        partner_words: &[
            ("Tutoring", "教育"),
            ("Academy", "学院"),
            ("Learning Centre", "学习中心"),
            ("Music School", "音乐学校"),
            ("Language School", "语言学校"),
        ],
    },
    CategoryWords {
        name: "Home services",
        slug: "home-services",
        services: &[
            ("deep cleaning", "深度保洁", 3.0),
            ("gardening", "园艺", 2.0),
            ("plumbing", "水管维修", 1.5),
            ("electrical repairs", "电路维修", 1.0),
            ("painting and decorating", "粉刷装修", 1.0),
            ("window cleaning", "擦窗", 1.0),
            ("removals", "搬家", 1.0),
            ("handyman jobs", "家居维修", 1.5),
        ],
        partner_words: &[
            ("Home Services", "家政"),
            ("Cleaning Co.", "保洁"),
            ("Gardens", "园艺"),
            ("Repairs", "维修"),
        ],
    },
    CategoryWords {
        name: "Money & insurance",
        slug: "money-insurance",
        services: &[
            ("tax returns", "报税", 2.0),
            ("financial planning", "理财规划", 2.0),
            ("home insurance", "家庭保险", 1.5),
            ("mortgage advice", "房贷咨询", 1.5),
            ("bookkeeping", "记账", 1.5),
            ("pension advice", "养老金咨询", 1.0),
        ],
        partner_words: &[
            ("Finance", "财务"),
            ("Advisers", "咨询"),
            ("Insurance", "保险"),
            ("Accounts", "会计"),
        ],
    },
    CategoryWords {
        name: "Travel",
        slug: "travel",
        services: &[
            ("city tours", "城市导览", 2.0),
            ("walking holidays", "徒步旅行", 2.0),
            ("yoga retreats", "瑜伽静修", 2.0),
            ("airport transfers", "机场接送", 1.5),
            ("food tours", "美食之旅", 1.5),
            ("sailing trips", "帆船出游", 1.0),
            ("ski lessons", "滑雪课", 1.0),
        ],
        partner_words: &[
            ("Journeys", "旅行社"),
            ("Tours", "旅游"),
            ("Adventures", "探险"),
            ("Retreats", "度假"),
        ],
    },
    CategoryWords {
        name: "Sports & fitness",
        slug: "sports-fitness",
        services: &[
            ("yoga", "瑜伽", 4.0),
            ("personal training", "私人教练", 3.0),
            ("running club", "跑步俱乐部", 1.5),
            ("swimming lessons", "游泳课", 1.5),
            ("boxing", "拳击", 1.0),
            ("cycling", "骑行", 1.0),
            ("climbing", "攀岩", 1.0),
            ("tennis lessons", "网球课", 1.0),
        ],
        partner_words: &[
            ("Fitness", "健身"),
            ("Yoga & Fitness", "瑜伽健身"),
            ("Training Club", "训练营"),
            ("Movement", "运动馆"),
        ],
    },
    CategoryWords {
        name: "Beauty & care",
        slug: "beauty-care",
        services: &[
            ("haircuts", "理发", 2.0),
            ("manicures", "美甲", 1.5),
            ("skincare", "护肤", 1.5),
            ("massage", "按摩", 1.5),
            ("make-up", "化妆", 1.0),
            ("barbering", "男士理发", 1.0),
        ],
        partner_words: &[
            ("Beauty", "美容"),
            ("Salon", "沙龙"),
            ("Barbers", "理发店"),
            ("Spa", "水疗"),
        ],
    },
    CategoryWords {
        name: "Pets",
        slug: "pets",
        services: &[
            ("dog walking", "遛狗", 3.0),
            ("pet sitting", "宠物寄养", 2.0),
            ("dog training", "训犬", 2.0),
            ("grooming", "宠物美容", 1.5),
            ("vet visits at home", "上门兽医", 1.0),
        ],
        partner_words: &[
            ("Pet Care", "宠物"),
            ("Dog Walkers", "遛狗服务"),
            ("Paws", "宠物之家"),
        ],
    },
    CategoryWords {
        name: "Events & parties",
        slug: "events-parties",
        services: &[
            ("wedding photography", "婚礼摄影", 2.0),
            ("catering", "餐饮服务", 2.0),
            ("party planning", "派对策划", 1.5),
            ("birthday parties for kids", "儿童生日派对", 1.5),
            ("live music", "现场音乐", 1.0),
            ("event venues", "活动场地", 1.0),
        ],
        partner_words: &[
            ("Events", "活动策划"),
            ("Catering", "餐饮"),
            ("Photography", "摄影"),
        ],
    },
    CategoryWords {
        name: "Family & childcare",
        slug: "family-childcare",
        services: &[
            ("babysitting", "临时保姆", 2.0),
            ("after-school clubs", "课后托管", 2.0),
            ("prenatal yoga", "孕期瑜伽", 2.0),
            ("swimming for toddlers", "幼儿游泳", 1.5),
            ("music for babies", "婴幼儿音乐", 1.0),
            ("homework help", "作业辅导", 1.5),
        ],
        partner_words: &[
            ("Childcare", "托育"),
            ("Kids Club", "儿童俱乐部"),
            ("Family Services", "亲子中心"),
        ],
    },
];

/// First words of partner names: (English, Chinese place, its pinyin).
pub const PARTNER_FIRST: &[&str] = &[
    "Harbour",
    "Maple",
    "Riverside",
    "Summit",
    "Bluebell",
    "Northfield",
    "Lantern",
    "Meadow",
    "Cedar",
    "Willow",
    "Granite",
    "Silver Birch",
    "Kingfisher",
    "Copper Kettle",
    "Orchard",
    "Lighthouse",
    "Thistle",
    "Juniper",
    "Foxglove",
    "Redwood",
    "Stonebridge",
    "Westgate",
    "Skylark",
    "Heron",
    "Sunrise",
    "Evergreen",
    "Amber",
    "Ivy",
    "Hillside",
    "Baywater",
    "Clover",
    "Aspen",
    "Marigold",
    "Tidewater",
    "Beacon",
    "Rowan",
    "Oak & Ash",
    "Brightwater",
    "Fernhill",
    "Highgate",
    "Lakeside",
    "Moorland",
    "Peachtree",
    "Quayside",
    "Saltmarsh",
    "Windmill",
    "Yew Tree",
    "Bramble",
    "Cobblestone",
    "Driftwood",
];

pub const PARTNER_LAST: &[&str] = &[
    "",
    "",
    "",
    "",
    " & Co.",
    " Collective",
    " Studio",
    " Group",
    " Partners",
    " Bristol",
    " Leeds",
    " Manchester",
    " Edinburgh",
    " London",
    " Cardiff",
    " Glasgow",
];

pub const ZH_PLACES: &[(&str, &str)] = &[
    ("静安", "jingan"),
    ("海淀", "haidian"),
    ("福田", "futian"),
    ("西湖", "xihu"),
    ("锦江", "jinjiang"),
    ("鼓楼", "gulou"),
    ("天河", "tianhe"),
    ("江北", "jiangbei"),
    ("浦东", "pudong"),
    ("朝阳", "chaoyang"),
    ("南山", "nanshan"),
    ("武侯", "wuhou"),
    ("东湖", "donghu"),
    ("滨江", "binjiang"),
    ("青羊", "qingyang"),
    ("思明", "siming"),
];

pub const PLACES: &[&str] = &[
    "Camden",
    "Leith",
    "Clifton",
    "Didsbury",
    "Headingley",
    "Jesmond",
    "Southsea",
    "Hackney",
    "Brixton",
    "Roath",
    "Stockbridge",
    "Kelvinside",
    "Moseley",
    "Totterdown",
    "the city centre",
    "your neighbourhood",
];

pub const LEVELS: &[&str] = &[
    "beginner",
    "intermediate",
    "advanced",
    "gentle",
    "intensive",
    "weekend",
    "evening",
    "morning",
    "private",
    "small-group",
    "online",
    "family",
    "lunchtime",
    "relaxed",
];

pub const DURATIONS: &[&str] = &[
    "eight weeks",
    "four sessions",
    "one day",
    "a weekend",
    "monthly",
    "six weeks",
    "ten lessons",
    "one hour",
];

pub const AUDIENCES: &[&str] = &[
    "beginners",
    "seniors",
    "busy parents",
    "students",
    "small businesses",
    "families",
    "teams",
    "newcomers",
    "people with back pain",
    "complete beginners",
    "expats",
];

/// Chinese words of titles with the English a slug is made from.
pub const ZH_LEVELS: &[(&str, &str)] = &[
    ("初级", "beginner"),
    ("中级", "intermediate"),
    ("高级", "advanced"),
    ("周末", "weekend"),
    ("晚间", "evening"),
    ("一对一", "private"),
    ("小班", "small-group"),
    ("线上", "online"),
    ("亲子", "family"),
    ("午间", "lunchtime"),
];

pub const ZH_FORMATS: &[(&str, &str)] = &[
    ("八周课程", "eight-week course"),
    ("体验课", "taster session"),
    ("月卡", "monthly pass"),
    ("上门服务", "at home"),
    ("套餐", "package"),
    ("私教课", "private lessons"),
    ("入门班", "starter class"),
    ("进阶班", "next-level class"),
];

pub const ZH_AUDIENCES: &[(&str, &str)] = &[
    ("初学者", "beginners"),
    ("长者", "seniors"),
    ("上班族", "commuters"),
    ("学生", "students"),
    ("小企业", "small businesses"),
    ("家庭", "families"),
    ("新手", "newcomers"),
];

/// A listing title and the English words its slug is made from.
pub fn listing_title(rng: &mut StdRng, service: (&str, &str), zh: bool) -> (String, String) {
    let (en, cn) = service;
    let english = match rng.random_range(0..9) {
        0 | 1 => format!("{} {en}", capitalise(pick(rng, LEVELS))),
        2 => format!(
            "{} {en}, {}",
            capitalise(pick(rng, LEVELS)),
            pick(rng, DURATIONS)
        ),
        3 => format!("{} in {}", capitalise(en), pick(rng, PLACES)),
        4 => format!("{} for {}", capitalise(en), pick(rng, AUDIENCES)),
        5 => format!("{} at home", capitalise(en)),
        6 => format!("{} taster session", capitalise(en)),
        7 => format!(
            "{} {en} in {}",
            capitalise(pick(rng, LEVELS)),
            pick(rng, PLACES)
        ),
        _ => format!("{} subscription", capitalise(en)),
    };
    if !zh {
        return (english.clone(), english);
    }
    match rng.random_range(0..5) {
        0 | 1 => {
            let (level, level_en) = pick(rng, ZH_LEVELS);
            (format!("{level}{cn}"), format!("{level_en} {en}"))
        }
        2 => {
            let (format, format_en) = pick(rng, ZH_FORMATS);
            (format!("{cn}{format}"), format!("{en} {format_en}"))
        }
        3 => {
            let (place, pinyin) = pick(rng, ZH_PLACES);
            let (format, format_en) = pick(rng, ZH_FORMATS);
            (
                format!("{place}{cn}{format}"),
                format!("{en} {format_en} {pinyin}"),
            )
        }
        _ => {
            let (audience, audience_en) = pick(rng, ZH_AUDIENCES);
            (
                format!("适合{audience}的{cn}"),
                format!("{en} for {audience_en}"),
            )
        }
    }
}

const SUMMARY_OPENERS: &[&str] = &[
    "A friendly",
    "A relaxed",
    "A structured",
    "A practical",
    "A patient",
    "An affordable",
    "A flexible",
    "A thorough",
];
const SUMMARY_NOUNS: &[&str] = &[
    "introduction to {s}",
    "course in {s}",
    "{s} service",
    "way to get started with {s}",
    "programme of {s}",
];
const SUMMARY_CLAUSES: &[&str] = &[
    "for people who have never tried it",
    "with a qualified professional",
    "at a time that suits you",
    "in our studio or online",
    "with clear prices and no surprises",
    "in small groups",
    "that fits around work and family",
];

const ZH_SUMMARY_OPENERS: &[&str] = &["专业老师带领的", "轻松愉快的", "系统全面的", "实惠灵活的"];
const ZH_SUMMARY_CLAUSES: &[&str] = &[
    "时间灵活，线上线下均可。",
    "小班教学，照顾每一位学员。",
    "价格透明，没有隐藏费用。",
    "适合零基础，循序渐进。",
    "周末和晚上也可以预约。",
];

pub fn summary(rng: &mut StdRng, service: (&str, &str), zh: bool) -> String {
    if zh {
        return format!(
            "{}{}，{}",
            pick(rng, ZH_SUMMARY_OPENERS),
            service.1,
            pick(rng, ZH_SUMMARY_CLAUSES)
        );
    }
    let noun = pick(rng, SUMMARY_NOUNS).replace("{s}", service.0);
    format!(
        "{} {noun} {}.",
        pick(rng, SUMMARY_OPENERS),
        pick(rng, SUMMARY_CLAUSES)
    )
}

const BULLETS: &[&str] = &[
    "A first conversation to understand your goals",
    "A written plan after every session",
    "Flexible times, evenings and weekends included",
    "All equipment provided",
    "A qualified, insured professional",
    "Progress notes you can keep",
    "A free follow-up message within a week",
    "Sessions in English or Mandarin",
    "No long contract: cancel at any time",
    "A quiet, accessible space near public transport",
    "Discounts for students and seniors",
    "Gift vouchers available",
];

const PARAGRAPHS: &[&str] = &[
    "We have offered {s} for years and know that everyone starts somewhere. Tell us what you want to achieve and we will suggest the right format.",
    "Our team keeps groups small, so there is time for questions. Prices include everything you need on the day.",
    "Most people book a first session to see whether {s} is for them. Many stay for months; some come once a year. Both are fine.",
    "We work around your calendar. If you need to move a session, tell us a day before and we will find another time.",
    "Everything is explained in plain words. You get a short summary by email afterwards, so nothing is forgotten.",
    "Bring comfortable clothes and a bottle of water. If anything is unclear before you start, write to us through Agora.",
];

const STEPS: &[&str] = &[
    "Send a request with the days that suit you",
    "We confirm a time within one working day",
    "Meet your professional and agree on a plan",
    "Follow your progress and book more when you like",
    "Pay after the first session, never in advance",
];

const QUOTES: &[&str] = &[
    "Exactly what was promised. Clear prices and no surprises.",
    "Friendly, on time and very professional.",
    "I wish I had started years ago.",
];

const ZH_BULLETS: &[&str] = &[
    "首次沟通，了解您的需求",
    "每次课后提供书面建议",
    "时间灵活，晚上和周末均可",
    "提供全部器材",
    "持证专业人员，已投保",
    "一周内免费回访一次",
    "可用中文或英文交流",
    "无长期合同，随时可取消",
    "交通便利，环境安静",
];

const ZH_PARAGRAPHS: &[&str] = &[
    "我们提供{s}服务多年，了解每个人都有不同的起点。告诉我们您的目标，我们会推荐合适的方式。",
    "我们坚持小班，保证每个人都有提问的时间。价格包含当天所需的一切。",
    "大多数人先预约一次体验，看看{s}是否适合自己。很多人一坚持就是几个月。",
    "如需改期，请提前一天告诉我们，我们会另外安排时间。",
];

const ZH_STEPS: &[&str] = &[
    "发送预约请求，写明方便的时间",
    "我们会在一个工作日内确认",
    "与老师见面，制定计划",
    "随时查看进度，按需续订",
];

/// A Markdown description, a few hundred characters long.
pub fn body(rng: &mut StdRng, service: (&str, &str), zh: bool) -> String {
    let mut out = String::with_capacity(900);
    let (bullets, paragraphs, steps, s) = if zh {
        (ZH_BULLETS, ZH_PARAGRAPHS, ZH_STEPS, service.1)
    } else {
        (BULLETS, PARAGRAPHS, STEPS, service.0)
    };
    out.push_str(if zh {
        "## 服务内容\n\n"
    } else {
        "## What you get\n\n"
    });
    let n = rng.random_range(3..=5);
    let start = rng.random_range(0..bullets.len());
    for i in 0..n {
        out.push_str("- ");
        out.push_str(bullets[(start + i * 3) % bullets.len()]);
        out.push('\n');
    }
    out.push('\n');
    for _ in 0..rng.random_range(1..=2) {
        out.push_str(&pick(rng, paragraphs).replace("{s}", s));
        out.push_str("\n\n");
    }
    if rng.random_bool(0.6) {
        out.push_str(if zh {
            "### 流程\n\n"
        } else {
            "### How it works\n\n"
        });
        let k = rng.random_range(3..=steps.len().min(4));
        for (i, step) in steps.iter().take(k).enumerate() {
            out.push_str(&format!("{}. {step}\n", i + 1));
        }
        out.push('\n');
    }
    if !zh && rng.random_bool(0.3) {
        out.push_str("> ");
        out.push_str(pick(rng, QUOTES));
        out.push_str("\n\n");
    }
    out.push_str(if zh {
        "**提示：** 首次预约前可以免费咨询。"
    } else {
        "**Good to know:** the first question is always free."
    });
    out
}

pub fn price(rng: &mut StdRng, zh: bool) -> String {
    if zh {
        format!("¥{} 起", rng.random_range(6..60) * 10)
    } else {
        match rng.random_range(0..3) {
            0 => format!("From €{}", rng.random_range(2..20) * 5),
            1 => format!("€{} per hour", rng.random_range(4..16) * 5),
            _ => format!("€{} per session", rng.random_range(3..24) * 5),
        }
    }
}

pub const PARTNER_DESCRIPTIONS: &[&str] = &[
    "A small, independent team offering {s} and more, in person and online.",
    "Friendly professionals for {s}, with clear prices and flexible times.",
    "{S} and related services since 2012, recommended by our neighbours.",
    "We make {s} simple: book online, meet a vetted professional, pay afterwards.",
];

pub const ZH_PARTNER_DESCRIPTIONS: &[&str] = &[
    "专注{s}的本地团队，线上线下均可预约。",
    "价格透明、时间灵活的{s}服务，深受街坊好评。",
];

// ---------------------------------------------------------------- engagement

pub const REQUEST_MESSAGES: &[&str] = &[
    "Could we start next week? Evenings suit me best.",
    "",
    "Is there a discount for a longer booking?",
    "Do you have anything on Saturday mornings?",
    "",
    "I am a complete beginner — is that all right?",
    "Can you come to our flat? We live near the station.",
    "Please call me after 6 pm.",
    "",
    "Is the price per person or per group?",
    "We are two people; can we book together?",
];

pub const ZH_REQUEST_MESSAGES: &[&str] = &[
    "下周可以开始吗？我晚上比较方便。",
    "",
    "长期预约有优惠吗？",
    "周末上午有时间吗？",
    "我是零基础，可以参加吗？",
    "",
    "请下午六点以后给我打电话。",
];

pub const REVIEWS_GOOD: &[&str] = &[
    "Friendly, on time and very professional. Would book again.",
    "Exactly what was promised. Clear prices and no surprises.",
    "Really enjoyed it and learnt a lot in a short time.",
    "Great communication from the first message to the last.",
    "Patient and kind, and the results speak for themselves.",
    "Booked for my mother and she loved it.",
    "Excellent value. We have already booked the next one.",
];

pub const REVIEWS_MIXED: &[&str] = &[
    "Good service overall; the first appointment took a while to arrange.",
    "Fine, but communication could be quicker.",
    "Decent, though a little more expensive than I expected.",
    "The session itself was good; finding the place was not.",
];

pub const REVIEWS_BAD: &[&str] = &[
    "They cancelled twice at short notice.",
    "Not what the description said. Disappointed.",
    "Nobody answered my messages for a week.",
    "Too expensive for what you get.",
];

pub const ZH_REVIEWS_GOOD: &[&str] = &[
    "服务很周到，推荐！",
    "老师非常耐心，效果很好。",
    "准时、专业，下次还会再约。",
    "性价比很高，全家都很满意。",
];

pub const ZH_REVIEWS_MIXED: &[&str] = &[
    "总体不错，就是预约花了些时间。",
    "还可以，沟通可以再快一点。",
];

pub const ZH_REVIEWS_BAD: &[&str] = &["临时取消了两次，很失望。", "和描述的不一样。"];

pub const REVIEW_REPLIES: &[&str] = &[
    "Thank you for the kind words — see you next time!",
    "Thanks for your feedback. We are sorry about the delay and have changed how we schedule first appointments.",
    "We are sorry this did not meet your expectations. Please write to us so we can make it right.",
    "Thank you! We have passed your message on to the team.",
];

pub const ZH_REVIEW_REPLIES: &[&str] = &[
    "谢谢您的评价，期待再次见面！",
    "抱歉给您带来不便，我们会改进。",
];

pub const HIDDEN_REASONS: &[&str] = &[
    "Personal details of a third person",
    "Advertising for another business",
    "Offensive language",
    "Not about this service",
];

pub fn review_text(rng: &mut StdRng, rating: i32, zh: bool) -> String {
    let bank = match (rating, zh) {
        (4..=5, false) => REVIEWS_GOOD,
        (3, false) => REVIEWS_MIXED,
        (_, false) => REVIEWS_BAD,
        (4..=5, true) => ZH_REVIEWS_GOOD,
        (3, true) => ZH_REVIEWS_MIXED,
        (_, true) => ZH_REVIEWS_BAD,
    };
    let first = pick(rng, bank);
    if rng.random_bool(0.35) {
        let second = pick(rng, bank);
        if second != first {
            let sep = if zh { "" } else { " " };
            return format!("{first}{sep}{second}");
        }
    }
    first.to_string()
}

pub const CRM_NOTES: &[&str] = &[
    "Prefers evening appointments.",
    "Asked about a gift voucher for a friend.",
    "Called back; will book again in spring.",
    "Regular customer — offer the loyalty discount.",
    "Mentioned a knee injury; keep the first sessions gentle.",
    "Wants invoices addressed to their company.",
    "Met at the open day.",
];

pub const ZH_CRM_NOTES: &[&str] = &[
    "偏好晚上的时间。",
    "询问了礼品卡。",
    "老客户，可以给会员折扣。",
];

pub const CRM_TAGS: &[&str] = &[
    "vip",
    "follow-up",
    "newsletter",
    "corporate",
    "returning",
    "price-sensitive",
];

// ---------------------------------------------------------------- support

pub const SUBJECTS_PARTNER: &[&str] = &[
    "Can I change my appointment?",
    "The provider did not show up",
    "Refund for a cancelled session",
    "Question about the price",
    "Video call link does not work",
    "I need an invoice",
    "Where is the meeting point?",
    "Can I bring a friend?",
    "Booked the wrong date",
];

pub const SUBJECTS_GENERAL: &[&str] = &[
    "How do I delete my account?",
    "I did not receive the confirmation email",
    "How do I change my email address?",
    "Cannot sign in",
    "The site shows the wrong language",
    "How do I withdraw my consent?",
    "Someone else used my email address",
];

pub const ZH_SUBJECTS_PARTNER: &[&str] = &[
    "可以改约时间吗？",
    "老师没有来",
    "取消课程后如何退款？",
    "视频链接打不开",
    "需要开发票",
];

pub const ZH_SUBJECTS_GENERAL: &[&str] = &[
    "如何注销账户？",
    "没有收到确认邮件",
    "无法登录",
    "如何撤回授权？",
];

pub const OPENERS: &[&str] = &[
    "Hello, I booked last week and have not heard back since. Could you help?",
    "Hi, the confirmation I received has the wrong time on it.",
    "Good morning. I tried twice and it still does not work. My appointment is tomorrow at 10.",
    "Hello, I would like to move my Thursday session to Friday afternoon.",
    "Hi there, could you tell me what happens if I have to cancel?",
    "I no longer need the service. What do I have to do?",
];

pub const ZH_OPENERS: &[&str] = &[
    "您好，我上周预约了，但一直没有收到回复。",
    "你好，确认邮件上的时间不对。",
    "试了两次还是不行，我的预约是明天上午十点。",
];

pub const STAFF_REPLIES: &[&str] = &[
    "Hello {name}, thank you for writing. I am looking into it and will come back to you today.",
    "Hello {name}, I asked the provider; they will confirm a new time by tomorrow.",
    "Hello {name}, could you tell us the date of the appointment and the address? Then we can help.",
    "Hello {name}, this is fixed now. Please try again and tell us if anything is still wrong.",
    "Hello {name}, you can do it from My account, Privacy. Tell us if you need help.",
    "Hello {name}, the refund is on its way and should arrive within five working days.",
];

pub const ZH_STAFF_REPLIES: &[&str] = &[
    "{name}您好，感谢来信，我们正在处理，今天内回复您。",
    "{name}您好，已联系服务方，明天前确认新的时间。",
    "{name}您好，请告诉我们预约的日期和地址，方便我们处理。",
    "{name}您好，问题已解决，请再试一次。",
];

pub const PARTNER_REPLIES: &[&str] = &[
    "Hello {name}, sorry for the trouble — we have moved your booking and sent a new confirmation.",
    "Hello {name}, thanks for letting us know. Our coordinator will call you this afternoon.",
    "Hello {name}, the invoice is attached to your booking now.",
];

pub const REQUESTER_REPLIES: &[&str] = &[
    "Thanks, that helps.",
    "I tried again and it still does not work.",
    "The appointment was on the 14th, at the address in my profile.",
    "Great, thank you for the quick answer!",
    "Any news? I have not heard anything yet.",
    "Friday afternoon would be perfect.",
];

pub const ZH_REQUESTER_REPLIES: &[&str] =
    &["好的，谢谢。", "还是不行。", "有进展吗？", "太好了，谢谢！"];

pub const INTERNAL_NOTES: &[&str] = &[
    "Checked the booking log; the partner confirmed the slot.",
    "Asked the partner to call back.",
    "Possible duplicate of an earlier ticket.",
    "Refund approved by finance.",
    "Customer was charged twice; see payment reference.",
];

pub const SATISFACTION_COMMENTS: &[&str] = &[
    "Quick answer, thanks.",
    "Solved, but it took a while.",
    "Very helpful and kind.",
    "The problem came back the next day.",
];

pub fn greeting_name(display_name: &str) -> &str {
    display_name.split(' ').next().unwrap_or(display_name)
}
