//! The integration suite: one binary; most tests run against SQLite and
//! PostgreSQL.

mod accounts;
mod admin;
mod api;
mod attachments;
mod backup;
mod browser;
mod check;
mod consent;
mod crm;
mod demo;
mod helpers;
mod html;
mod imap;
mod inbound;
mod insight;
mod lists;
mod metrics;
mod notifications;
mod partners;
mod passkeys;
mod plans;
mod platform;
mod scale;
mod schema;
mod secrets;
mod smtp;
mod support;
mod throttle;
mod trust;
mod two_step;
mod webhooks;
mod zones;

#[test]
fn migrations_agree_between_backends() {
    let names = |dir: &str| {
        let mut v: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    };
    let sqlite = names("migrations/sqlite");
    assert!(!sqlite.is_empty());
    assert_eq!(sqlite, names("migrations/postgres"));
    for n in &sqlite {
        for backend in ["sqlite", "postgres"] {
            for f in ["up.sql", "down.sql"] {
                let p = format!("migrations/{backend}/{n}/{f}");
                let text = std::fs::read_to_string(&p).unwrap();
                assert!(!text.trim().is_empty(), "{p} is empty");
            }
        }
    }
}
