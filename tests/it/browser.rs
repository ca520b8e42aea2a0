//! Journeys in headless Chromium, driven over WebDriver.

use std::net::TcpListener;
use std::process::{Child, Command};
use std::sync::OnceLock;
use std::time::Duration;

use thirtyfour::prelude::*;
use tokio::sync::Semaphore;

use crate::both;
use crate::helpers::{Backend, TestApp, spawn_app};

/// At most three browsers at once on two cores.
fn browsers() -> &'static Semaphore {
    static S: OnceLock<Semaphore> = OnceLock::new();
    S.get_or_init(|| Semaphore::new(3))
}

/// A chromedriver in its own process group, killed with its browser on drop.
pub struct Driver {
    child: Child,
    pub port: u16,
    _profile: tempfile::TempDir,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let pid = self.child.id() as i32;
        // `--` so the negative group id is never read as a signal: a bare
        // `kill -9 -N` can end up signalling every process on the machine.
        let _ = Command::new("/usr/bin/kill")
            .args(["-s", "KILL", "--", &format!("-{pid}")])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .status();
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Driver {
    pub async fn start() -> Driver {
        use std::os::unix::process::CommandExt;
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let child = Command::new("/usr/bin/chromedriver")
            .arg(format!("--port={port}"))
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .process_group(0)
            .spawn()
            .expect("chromedriver is installed (scripts/test.sh installs it)");
        let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
        while tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .is_err()
        {
            assert!(
                tokio::time::Instant::now() < deadline,
                "chromedriver did not start"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        Driver {
            child,
            port,
            _profile: tempfile::tempdir().unwrap(),
        }
    }

    pub async fn session(&self) -> WebDriver {
        let mut caps = DesiredCapabilities::chrome();
        caps.set_binary("/usr/lib/chromium/chromium").unwrap();
        for arg in [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-dev-shm-usage",
            "--window-size=1280,800",
            "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE localhost , EXCLUDE 127.0.0.1",
        ] {
            caps.add_arg(arg).unwrap();
        }
        caps.add_arg(&format!(
            "--user-data-dir={}",
            self._profile.path().display()
        ))
        .unwrap();
        WebDriver::new(format!("http://127.0.0.1:{}", self.port), caps)
            .await
            .expect("a browser session")
    }
}

/// Runs `journey` in a fresh browser; saves a screenshot under `target/`
/// when it fails, and always quits the browser.
pub async fn with_browser<F, Fut>(app: &TestApp, name: &str, journey: F)
where
    F: FnOnce(WebDriver, String) -> Fut,
    Fut: std::future::Future<Output = Result<WebDriver, (WebDriver, String)>>,
{
    let _permit = browsers().acquire().await.unwrap();
    let driver = Driver::start().await;
    let browser = driver.session().await;
    // The base URL (the address, unless a test reaches the portal by name).
    match journey(browser, app.settings.base_url.clone()).await {
        Ok(browser) => {
            browser.quit().await.unwrap();
        }
        Err((browser, message)) => {
            let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/screenshots");
            let _ = std::fs::create_dir_all(&dir);
            let shot = dir.join(format!("{name}.png"));
            let _ = browser.screenshot(&shot).await;
            let source = browser.source().await.unwrap_or_default();
            let _ = browser.quit().await;
            panic!("{message}\nscreenshot: {}\npage:\n{source}", shot.display());
        }
    }
}

/// Turns a step's error into the journey's failure, keeping the browser.
macro_rules! step {
    ($b:expr, $e:expr) => {
        match $e {
            Ok(v) => v,
            Err(err) => return Err(($b, format!("{} failed: {err:?}", stringify!($e)))),
        }
    };
}

macro_rules! check {
    ($b:expr, $cond:expr, $($msg:tt)+) => {
        if !$cond {
            return Err(($b, format!($($msg)+)));
        }
    };
}

/// Waits until the page's source contains `needle` (after a click the
/// next page may still be loading).
async fn wait_for_text(b: &WebDriver, needle: &str) -> WebDriverResult<bool> {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    loop {
        if b.source().await?.contains(needle) {
            return Ok(true);
        }
        if tokio::time::Instant::now() > deadline {
            return Ok(false);
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Finds an element, waiting up to 10 s for the page to show it.
async fn el(b: &WebDriver, by: By) -> WebDriverResult<WebElement> {
    b.query(by)
        .wait(Duration::from_secs(10), Duration::from_millis(50))
        .first()
        .await
}

async fn fill(b: &WebDriver, name: &str, value: &str) -> WebDriverResult<()> {
    let el = el(b, By::Name(name)).await?;
    el.clear().await?;
    el.send_keys(value).await
}

async fn signup_journey(backend: Backend) {
    let app = spawn_app(backend).await;
    let mail = app.mail.clone();
    with_browser(&app, &format!("signup_{backend:?}"), |b, base| async move {
        step!(b, b.goto(format!("{base}/")).await);
        step!(
            b,
            step!(b, el(&b, By::LinkText("Sign up")).await)
                .click()
                .await
        );
        step!(b, fill(&b, "email", "lin@example.com").await);
        step!(b, fill(&b, "display_name", "Lin Browser").await);
        step!(b, fill(&b, "password", "short").await);
        step!(
            b,
            step!(b, el(&b, By::Css("form[action='/signup'] button")).await)
                .click()
                .await
        );
        let shown = step!(b, wait_for_text(&b, "at least 12 characters").await);
        check!(b, shown, "no password message");
        // The email was kept, the password not.
        let kept = step!(b, step!(b, el(&b, By::Name("email")).await).value().await);
        check!(
            b,
            kept.as_deref() == Some("lin@example.com"),
            "email not kept: {kept:?}"
        );
        step!(b, fill(&b, "password", "paper kite harbour").await);
        step!(
            b,
            step!(b, el(&b, By::Css("form[action='/signup'] button")).await)
                .click()
                .await
        );
        let shown = step!(b, wait_for_text(&b, "<h1>Check your email</h1>").await);
        check!(b, shown, "no confirmation page after sign-up");

        let message = mail.wait_for("lin@example.com", 1).await;
        let link = message.link(&format!("{base}/verify/"));
        step!(b, b.goto(&link).await);
        let shown = step!(
            b,
            wait_for_text(&b, "<h1>Email address confirmed</h1>").await
        );
        check!(b, shown, "the link did not confirm the address");
        step!(
            b,
            step!(b, el(&b, By::Css("main a[href='/login']")).await)
                .click()
                .await
        );
        step!(b, fill(&b, "email", "lin@example.com").await);
        step!(b, fill(&b, "password", "paper kite harbour").await);
        step!(
            b,
            step!(b, el(&b, By::Css("form[action='/login'] button")).await)
                .click()
                .await
        );
        let shown = step!(b, wait_for_text(&b, "Signed in as Lin Browser.").await);
        check!(b, shown, "name not shown after sign-in");

        // The footer switch works without JavaScript.
        step!(
            b,
            step!(b, el(&b, By::Css("button[value='zh-CN']")).await)
                .click()
                .await
        );
        let shown = step!(b, wait_for_text(&b, "当前登录：Lin Browser。").await);
        check!(b, shown, "language did not switch");
        step!(
            b,
            step!(b, el(&b, By::Css("form[action='/logout'] button")).await)
                .click()
                .await
        );
        // Only a signed-out page offers to sign in.
        let shown = step!(b, wait_for_text(&b, "<a href=\"/login\">").await);
        check!(b, shown, "no sign-in link after signing out");
        let source = step!(b, b.source().await);
        check!(b, !source.contains("Lin Browser"), "still signed in");
        Ok(b)
    })
    .await;
}
both!(signup_journey);

async fn click(b: &WebDriver, css: &str) -> WebDriverResult<()> {
    el(b, By::Css(css)).await?.click().await
}

async fn sign_in(b: &WebDriver, base: &str, email: &str) -> WebDriverResult<bool> {
    b.goto(format!("{base}/login")).await?;
    fill(b, "email", email).await?;
    fill(b, "password", crate::helpers::PASSWORD).await?;
    click(b, "form[action='/login'] button").await?;
    wait_for_text(b, "action=\"/logout\"").await
}

async fn sign_out(b: &WebDriver) -> WebDriverResult<bool> {
    click(b, "form[action='/logout'] button").await?;
    wait_for_text(b, "<a href=\"/login\">").await
}

/// The whole partner story, clicked through as each person would.
async fn partner_journey(backend: Backend) {
    let app = spawn_app(backend).await;
    app.create_user(
        "owner@journey.example",
        "Jo Owner",
        crate::helpers::PASSWORD,
        true,
    )
    .await;
    app.create_user(
        "colleague@journey.example",
        "Cy Colleague",
        crate::helpers::PASSWORD,
        true,
    )
    .await;
    app.create_user(
        "consumer@journey.example",
        "Kim Consumer",
        crate::helpers::PASSWORD,
        true,
    )
    .await;
    let admin_id = app
        .create_user(
            "admin@journey.example",
            "Ada Admin",
            crate::helpers::PASSWORD,
            true,
        )
        .await;
    app.db(move |c| agora::models::users::set_admin(c, admin_id).unwrap())
        .await;
    let mail = app.mail.clone();
    with_browser(
        &app,
        &format!("partner_{backend:?}"),
        |b, base| async move {
            // Someone applies as a partner.
            check!(
                b,
                step!(b, sign_in(&b, &base, "owner@journey.example").await),
                "owner sign-in"
            );
            step!(b, b.goto(format!("{base}/partners/apply")).await);
            step!(b, fill(&b, "name", "Journey Gardens").await);
            step!(b, fill(&b, "website", "https://gardens.example").await);
            step!(b, fill(&b, "description", "Garden design and care.").await);
            step!(b, click(&b, "form[action='/partners/apply'] button").await);
            check!(
                b,
                step!(b, wait_for_text(&b, "Application received").await),
                "no confirmation"
            );
            check!(b, step!(b, sign_out(&b).await), "owner sign-out");

            // An admin approves it.
            check!(
                b,
                step!(b, sign_in(&b, &base, "admin@journey.example").await),
                "admin sign-in"
            );
            step!(b, b.goto(format!("{base}/admin/partners")).await);
            step!(
                b,
                step!(b, el(&b, By::LinkText("Journey Gardens")).await)
                    .click()
                    .await
            );
            check!(
                b,
                step!(b, wait_for_text(&b, "Waiting for review").await),
                "no application page"
            );
            step!(b, click(&b, "button[value='approve']").await);
            check!(
                b,
                step!(b, wait_for_text(&b, "The partner was updated.").await),
                "not approved"
            );
            check!(b, step!(b, sign_out(&b).await), "admin sign-out");

            // The owner invites a colleague, then creates and publishes a listing.
            check!(
                b,
                step!(b, sign_in(&b, &base, "owner@journey.example").await),
                "owner sign-in 2"
            );
            step!(
                b,
                step!(b, el(&b, By::LinkText("My partners")).await)
                    .click()
                    .await
            );
            check!(
                b,
                step!(b, wait_for_text(&b, "<h1>Journey Gardens</h1>").await),
                "no partner area"
            );
            step!(
                b,
                step!(b, el(&b, By::LinkText("Team")).await).click().await
            );
            step!(b, fill(&b, "email", "colleague@journey.example").await);
            step!(b, click(&b, "form[action$='/team/invite'] button").await);
            check!(
                b,
                step!(
                    b,
                    wait_for_text(&b, "An invitation was sent to colleague@journey.example.").await
                ),
                "no invitation"
            );
            step!(
                b,
                step!(b, el(&b, By::LinkText("Listings")).await)
                    .click()
                    .await
            );
            step!(
                b,
                step!(b, el(&b, By::LinkText("New listing")).await)
                    .click()
                    .await
            );
            step!(b, fill(&b, "title", "Hedge trimming").await);
            step!(b, fill(&b, "summary", "Neat hedges in a morning.").await);
            step!(b, fill(&b, "body", "We bring **all tools**.").await);
            step!(b, fill(&b, "price_text", "From €60").await);
            step!(b, click(&b, "button[value='preview']").await);
            check!(
                b,
                step!(b, wait_for_text(&b, "<strong>all tools</strong>").await),
                "no preview"
            );
            step!(b, click(&b, "button[value='save']").await);
            check!(
                b,
                step!(b, wait_for_text(&b, "The listing was saved.").await),
                "not saved"
            );
            step!(b, click(&b, "button[value='published']").await);
            check!(
                b,
                step!(b, wait_for_text(&b, "The listing is published.").await),
                "not published"
            );
            check!(b, step!(b, sign_out(&b).await), "owner sign-out 2");

            // The colleague accepts the invitation from the email.
            let invite = mail.wait_for("colleague@journey.example", 1).await;
            let link = invite.link(&format!("{base}/invitations/"));
            check!(
                b,
                step!(b, sign_in(&b, &base, "colleague@journey.example").await),
                "colleague sign-in"
            );
            step!(b, b.goto(&link).await);
            step!(b, click(&b, "main form button").await);
            check!(
                b,
                step!(b, wait_for_text(&b, "Welcome to the team.").await),
                "invitation not accepted"
            );
            check!(b, step!(b, sign_out(&b).await), "colleague sign-out");

            // A consumer finds it by searching, requests it with consent, reviews it.
            check!(
                b,
                step!(b, sign_in(&b, &base, "consumer@journey.example").await),
                "consumer sign-in"
            );
            step!(
                b,
                step!(b, el(&b, By::LinkText("Services")).await)
                    .click()
                    .await
            );
            step!(b, fill(&b, "q", "hedge").await);
            step!(b, click(&b, "form.search button").await);
            check!(
                b,
                step!(b, wait_for_text(&b, "value=\"hedge\"").await)
                    && step!(b, wait_for_text(&b, "One service found.").await),
                "search found nothing"
            );
            step!(
                b,
                step!(b, el(&b, By::LinkText("Hedge trimming")).await)
                    .click()
                    .await
            );
            step!(b, fill(&b, "message", "Next Saturday?").await);
            step!(b, click(&b, "#consent").await);
            step!(b, click(&b, "form[action$='/engage'] button").await);
            check!(
                b,
                step!(b, wait_for_text(&b, "Your request was sent.").await),
                "request not sent"
            );
            step!(b, click(&b, "input[name='rating'][value='5']").await);
            step!(b, fill(&b, "body", "Tidy work, friendly team.").await);
            step!(b, click(&b, "form[action$='/review'] button").await);
            check!(
                b,
                step!(
                    b,
                    wait_for_text(&b, "Thank you, your review was saved.").await
                ),
                "review not saved"
            );
            check!(
                b,
                step!(b, wait_for_text(&b, "★ 5.0").await),
                "rating not shown"
            );
            check!(b, step!(b, sign_out(&b).await), "consumer sign-out");

            // The partner sees the request with contact details.
            check!(
                b,
                step!(b, sign_in(&b, &base, "owner@journey.example").await),
                "owner sign-in 3"
            );
            step!(
                b,
                b.goto(format!("{base}/partner/journey-gardens/engagements"))
                    .await
            );
            check!(
                b,
                step!(b, wait_for_text(&b, "consumer@journey.example").await),
                "no contact details"
            );
            check!(b, step!(b, sign_out(&b).await), "owner sign-out 3");

            // The consumer withdraws consent...
            check!(
                b,
                step!(b, sign_in(&b, &base, "consumer@journey.example").await),
                "consumer sign-in 2"
            );
            step!(b, b.goto(format!("{base}/listings/hedge-trimming")).await);
            step!(b, click(&b, "button[name='give'][value='0']").await);
            check!(
                b,
                step!(
                    b,
                    wait_for_text(&b, "You no longer share your details").await
                ),
                "not withdrawn"
            );
            check!(b, step!(b, sign_out(&b).await), "consumer sign-out 2");

            // ...and the partner no longer sees them.
            check!(
                b,
                step!(b, sign_in(&b, &base, "owner@journey.example").await),
                "owner sign-in 4"
            );
            step!(
                b,
                b.goto(format!("{base}/partner/journey-gardens/engagements"))
                    .await
            );
            check!(
                b,
                step!(b, wait_for_text(&b, "Did not share contact details").await),
                "still shown"
            );
            let source = step!(b, b.source().await);
            check!(
                b,
                !source.contains("consumer@journey.example") && !source.contains("Kim Consumer"),
                "contact details still visible"
            );
            Ok(b)
        },
    )
    .await;
}
both!(partner_journey);

/// A ticket from a listing page to a rating from the email link.
async fn support_journey(backend: Backend) {
    let app = spawn_app(backend).await;
    let owner_id = app
        .create_user(
            "owner@help.example",
            "Hana Host",
            crate::helpers::PASSWORD,
            true,
        )
        .await;
    app.create_user(
        "kim@help.example",
        "Kim Customer",
        crate::helpers::PASSWORD,
        true,
    )
    .await;
    let agent_id = app
        .create_user(
            "agent@help.example",
            "Ari Agent",
            crate::helpers::PASSWORD,
            true,
        )
        .await;
    app.db(move |c| {
        use agora::schema::users::dsl::*;
        use diesel::prelude::*;
        diesel::update(users.find(agent_id))
            .set(is_staff.eq(true))
            .execute(c)
            .unwrap();
        agora::models::tickets::save_canned(
            c,
            None,
            "Apology",
            "Dear {{name}}, we are on {{ticket}}.",
        )
        .unwrap();
    })
    .await;
    let owner = crate::helpers::Person {
        id: owner_id,
        email: "owner@help.example".into(),
        client: crate::helpers::new_client().0,
    };
    let (pid, _) = app.partner("Help Homes", &owner).await;
    app.listing(pid, "Boiler service", "Yearly check.", true)
        .await;
    let mail = app.mail.clone();
    with_browser(
        &app,
        &format!("support_{backend:?}"),
        |b, base| async move {
            // The consumer opens a ticket from the listing page.
            check!(
                b,
                step!(b, sign_in(&b, &base, "kim@help.example").await),
                "consumer sign-in"
            );
            step!(b, b.goto(format!("{base}/listings/boiler-service")).await);
            step!(
                b,
                step!(b, el(&b, By::LinkText("Get help with this listing")).await)
                    .click()
                    .await
            );
            check!(
                b,
                step!(
                    b,
                    wait_for_text(&b, "About “Boiler service” by Help Homes").await
                ),
                "not about the listing"
            );
            step!(b, fill(&b, "subject", "No hot water").await);
            step!(
                b,
                fill(
                    &b,
                    "message",
                    "The engineer left and now there is no hot water."
                )
                .await
            );
            step!(b, click(&b, "form[action='/me/tickets/new'] button").await);
            check!(
                b,
                step!(b, wait_for_text(&b, "Ticket #1001 was opened.").await),
                "ticket not opened"
            );
            check!(b, step!(b, sign_out(&b).await), "consumer sign-out");

            // The agent picks it from the unassigned queue, notes, and replies
            // with a canned reply.
            check!(
                b,
                step!(b, sign_in(&b, &base, "agent@help.example").await),
                "agent sign-in"
            );
            step!(
                b,
                step!(b, el(&b, By::LinkText("Desk")).await).click().await
            );
            step!(
                b,
                step!(b, el(&b, By::PartialLinkText("Unassigned")).await)
                    .click()
                    .await
            );
            // The queue page before had the same ticket: wait for the new one.
            check!(
                b,
                step!(
                    b,
                    wait_for_text(&b, "aria-current=\"page\" class=\"current\">Unassigned").await
                ),
                "unassigned queue not shown"
            );
            step!(
                b,
                step!(b, el(&b, By::LinkText("No hot water")).await)
                    .click()
                    .await
            );
            step!(b, click(&b, "form[action$='/assign'] button.link").await);
            check!(
                b,
                step!(b, wait_for_text(&b, "The ticket was assigned.").await),
                "not assigned"
            );
            step!(
                b,
                fill(&b, "body", "Check the engineer's visit report first.").await
            );
            step!(b, click(&b, "button[value='note']").await);
            check!(
                b,
                step!(b, wait_for_text(&b, "The internal note was added.").await),
                "note not added"
            );
            step!(b, click(&b, "form.inline-form button").await);
            check!(
                b,
                step!(
                    b,
                    wait_for_text(&b, "Dear Kim Customer, we are on #1001.").await
                ),
                "canned reply not inserted"
            );
            step!(b, click(&b, "button[value='reply']").await);
            check!(
                b,
                step!(b, wait_for_text(&b, "Your reply was sent.").await),
                "reply not sent"
            );
            check!(b, step!(b, sign_out(&b).await), "agent sign-out");

            // The partner replies.
            check!(
                b,
                step!(b, sign_in(&b, &base, "owner@help.example").await),
                "partner sign-in"
            );
            step!(
                b,
                b.goto(format!("{base}/partner/help-homes/tickets")).await
            );
            step!(
                b,
                step!(b, el(&b, By::LinkText("No hot water")).await)
                    .click()
                    .await
            );
            let source = step!(b, b.source().await);
            check!(
                b,
                !source.contains("visit report"),
                "partner sees the internal note"
            );
            step!(
                b,
                fill(&b, "body", "Our engineer comes back at 9 tomorrow.").await
            );
            step!(b, click(&b, "form[action*='/reply?'] button").await);
            check!(
                b,
                step!(b, wait_for_text(&b, "Your reply was sent.").await),
                "partner reply not sent"
            );
            check!(b, step!(b, sign_out(&b).await), "partner sign-out");

            // The consumer replies.
            check!(
                b,
                step!(b, sign_in(&b, &base, "kim@help.example").await),
                "consumer sign-in 2"
            );
            step!(b, b.goto(format!("{base}/me/tickets/1001")).await);
            check!(
                b,
                step!(
                    b,
                    wait_for_text(&b, "Our engineer comes back at 9 tomorrow.").await
                ),
                "partner reply missing"
            );
            let source = step!(b, b.source().await);
            check!(
                b,
                !source.contains("visit report"),
                "consumer sees the internal note"
            );
            step!(b, fill(&b, "body", "Thank you, 9 is fine.").await);
            step!(b, click(&b, "form[action*='/reply?'] button").await);
            check!(
                b,
                step!(b, wait_for_text(&b, "Your reply was sent.").await),
                "consumer reply not sent"
            );
            check!(b, step!(b, sign_out(&b).await), "consumer sign-out 2");

            // The agent resolves it.
            check!(
                b,
                step!(b, sign_in(&b, &base, "agent@help.example").await),
                "agent sign-in 2"
            );
            step!(b, b.goto(format!("{base}/desk/tickets/1001")).await);
            check!(
                b,
                step!(b, wait_for_text(&b, "Thank you, 9 is fine.").await),
                "consumer reply missing"
            );
            let select = step!(b, el(&b, By::Css("select#status")).await);
            step!(
                b,
                step!(
                    b,
                    select
                        .query(By::Css("option[value='resolved']"))
                        .first()
                        .await
                )
                .click()
                .await
            );
            step!(b, click(&b, "form[action$='/status'] button").await);
            check!(
                b,
                step!(b, wait_for_text(&b, "The status was changed.").await),
                "not resolved"
            );
            check!(b, step!(b, sign_out(&b).await), "agent sign-out 2");

            // The consumer rates it from the email, without signing in.
            let survey = mail.wait_for("kim@help.example", 4).await;
            let link = survey
                .link(&format!("{base}/satisfaction/1001/"))
                .replace("rating=1", "rating=5");
            // The link opens the survey with 5 chosen; its one button
            // records it.
            step!(b, b.goto(&link).await);
            check!(
                b,
                step!(b, wait_for_text(&b, "Rate the help you received").await),
                "survey not shown"
            );
            step!(b, fill(&b, "comment", "Fixed fast.").await);
            step!(b, click(&b, "main form button").await);
            check!(
                b,
                step!(b, wait_for_text(&b, "Thank you for your feedback.").await),
                "comment not saved"
            );
            check!(
                b,
                step!(b, wait_for_text(&b, "Your rating: 5 stars.").await),
                "rating not recorded"
            );
            Ok(b)
        },
    )
    .await;
}
both!(support_journey);

/// The consumer answers the ticket's confirmation from their mail client;
/// the agent finds the reply on the ticket page, says how it was matched,
/// and opens the email as it came.
async fn email_reply_journey(backend: Backend) {
    let app = spawn_app(backend).await;
    let consumer = app.person("mailer@help.example", "Mia Mailer").await;
    let agent_id = app
        .create_user(
            "desk@help.example",
            "Dan Desk",
            crate::helpers::PASSWORD,
            true,
        )
        .await;
    app.db(move |c| agora::models::users::set_staff(c, agent_id, true).unwrap())
        .await;
    let opened = app
        .post_with(
            &consumer.client,
            "/me/tickets/new",
            &[
                ("subject", "Heating off"),
                ("message", "The heating is off again."),
                ("priority", "normal"),
            ],
        )
        .await;
    assert_eq!(opened.status, reqwest::StatusCode::SEE_OTHER);
    // The confirmation, as the consumer's mail client has it; the reply
    // it writes quotes it and points at it.
    let confirmation = app.mail.wait_for("mailer@help.example", 1).await;
    let reply = format!(
        "From: Mia Mailer <mailer@help.example>\r\nTo: {}\r\nSubject: Re: {}\r\nMessage-ID: <reply-1@client.example>\r\nIn-Reply-To: {id}\r\nReferences: {id}\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nIt came back on by itself this morning.\r\n\r\nOn Tue, 1 Dec 2026, Agora wrote:\r\n> We received your request.\r\n",
        confirmation
            .raw
            .lines()
            .find_map(|l| l.strip_prefix("Reply-To: "))
            .unwrap_or("support@agora.test")
            .trim(),
        confirmation.subject,
        id = confirmation.message_id,
    );
    let received = app.receive_mail(&reply).await;
    assert!(
        matches!(received, agora::mail::inbound::Received::Added { .. }),
        "{received:?}"
    );
    with_browser(
        &app,
        &format!("email_reply_{backend:?}"),
        |b, base| async move {
            check!(
                b,
                step!(b, sign_in(&b, &base, "desk@help.example").await),
                "agent sign-in"
            );
            step!(b, b.goto(format!("{base}/desk/tickets/1001")).await);
            check!(
                b,
                step!(
                    b,
                    wait_for_text(&b, "It came back on by itself this morning.").await
                ),
                "the emailed reply is not on the ticket"
            );
            check!(
                b,
                step!(
                    b,
                    wait_for_text(&b, "matched by the email it answers").await
                ),
                "how it was matched is not said"
            );
            let source = step!(b, b.source().await);
            check!(
                b,
                !source.contains("We received your request."),
                "the quoted history is shown"
            );
            step!(
                b,
                step!(b, el(&b, By::LinkText("the email as received")).await)
                    .click()
                    .await
            );
            check!(
                b,
                step!(b, wait_for_text(&b, "&gt; We received your request.").await),
                "the original is not shown"
            );
            Ok(b)
        },
    )
    .await;
}
both!(email_reply_journey);

/// WebDriver's virtual authenticator (WebAuthn Level 2 §11): a device
/// with a screen lock that keeps passkeys and always says yes.
#[derive(Debug)]
struct AddVirtualAuthenticator;

impl thirtyfour::common::command::ExtensionCommand for AddVirtualAuthenticator {
    fn parameters_json(&self) -> Option<serde_json::Value> {
        Some(serde_json::json!({
            "protocol": "ctap2",
            "transport": "internal",
            "hasResidentKey": true,
            "hasUserVerification": true,
            "isUserConsenting": true,
            "isUserVerified": true,
        }))
    }

    fn method(&self) -> reqwest::Method {
        reqwest::Method::POST
    }

    fn endpoint(&self) -> std::sync::Arc<str> {
        "/webauthn/authenticator".into()
    }
}

/// A person adds a passkey at /me/security and, signed out, signs in with
/// it alone; the portal is reached by name (`localhost`), as passkeys ask.
async fn passkey_journey(backend: Backend) {
    let app = crate::helpers::spawn_app_with(backend, |s| {
        s.base_url = s.base_url.replace("127.0.0.1", "localhost");
    })
    .await;
    let id = app
        .create_user(
            "keys@example.com",
            "Kim Keys",
            crate::helpers::PASSWORD,
            true,
        )
        .await;
    let db = &app;
    with_browser(
        &app,
        &format!("passkey_{backend:?}"),
        |b, base| async move {
            check!(
                b,
                base.starts_with("http://localhost:"),
                "not by name: {base}"
            );
            step!(
                b,
                b.handle()
                    .cmd(thirtyfour::common::command::Command::ExtensionCommand(
                        Box::new(AddVirtualAuthenticator)
                    ))
                    .await
            );
            check!(
                b,
                step!(b, sign_in(&b, &base, "keys@example.com").await),
                "password sign-in"
            );
            step!(b, b.goto(format!("{base}/me/security")).await);
            // The form shows only where the browser has WebAuthn.
            step!(
                b,
                step!(b, el(&b, By::Css("[data-passkey-register]")).await)
                    .wait_until()
                    .displayed()
                    .await
            );
            step!(b, fill(&b, "name", "Test laptop").await);
            step!(b, click(&b, "[data-passkey-register] button").await);
            check!(
                b,
                step!(b, wait_for_text(&b, "The passkey is added.").await),
                "the passkey was not added"
            );
            check!(
                b,
                step!(b, wait_for_text(&b, "Test laptop").await),
                "the passkey is not listed"
            );
            check!(b, step!(b, sign_out(&b).await), "sign-out");
            step!(b, b.goto(format!("{base}/login")).await);
            step!(
                b,
                step!(b, el(&b, By::Css("[data-passkey-sign-in] button")).await)
                    .wait_until()
                    .displayed()
                    .await
            );
            step!(b, click(&b, "[data-passkey-sign-in] button").await);
            check!(
                b,
                step!(b, wait_for_text(&b, "action=\"/logout\"").await),
                "no sign-in with the passkey"
            );
            check!(
                b,
                step!(b, wait_for_text(&b, "Welcome back, Kim Keys").await),
                "no welcome"
            );
            // With a code app too, the passkey stands in for the code.
            db.db(move |c| {
                let p = agora::models::two_step::start(c, id, "keys@example.com")
                    .unwrap()
                    .unwrap();
                let code = totp_rs::Builder::new()
                    .with_secret(totp_rs::Secret::try_from_base32(&p.secret).unwrap())
                    .with_account_name("test")
                    .build()
                    .unwrap()
                    .generate(time::OffsetDateTime::now_utc().unix_timestamp() as u64)
                    .to_string();
                assert!(agora::models::two_step::confirm(c, id, &code).unwrap());
            })
            .await;
            check!(b, step!(b, sign_out(&b).await), "second sign-out");
            check!(
                b,
                !step!(b, sign_in(&b, &base, "keys@example.com").await),
                "signed in without a second step"
            );
            check!(
                b,
                step!(b, wait_for_text(&b, "Use a passkey instead").await),
                "no passkey on the code page"
            );
            step!(
                b,
                step!(b, el(&b, By::Css("[data-passkey-sign-in] button")).await)
                    .wait_until()
                    .displayed()
                    .await
            );
            step!(b, click(&b, "[data-passkey-sign-in] button").await);
            check!(
                b,
                step!(b, wait_for_text(&b, "action=\"/logout\"").await),
                "no sign-in with the passkey as second step"
            );
            Ok(b)
        },
    )
    .await;
    let (used, audited) = app
        .db(move |c| {
            use diesel::prelude::*;
            let used = agora::models::passkeys::of_user(c, id).unwrap()[0]
                .last_used_at
                .is_some();
            let audited: i64 = agora::schema::audit_events::table
                .filter(agora::schema::audit_events::action.eq("passkey_sign_in"))
                .count()
                .get_result(c)
                .unwrap();
            (used, audited)
        })
        .await;
    assert!(used);
    assert_eq!(audited, 1);
    let second: i64 = app
        .db(|c| {
            use diesel::prelude::*;
            agora::schema::audit_events::table
                .filter(agora::schema::audit_events::action.eq("passkey_second_step"))
                .count()
                .get_result(c)
                .unwrap()
        })
        .await;
    assert_eq!(second, 1);
    app.mail
        .wait_about("keys@example.com", "A passkey was added to your account", 1)
        .await;
}
both!(passkey_journey);
