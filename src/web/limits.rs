//! The rate limits of actions that send email or make work for others,
//! as handlers use them: count a use per account and per client address,
//! and say in the reader's language how long to wait when a limit is
//! reached. The counting itself is `models::throttle`.

use crate::config::RulePair;
use crate::db;
use crate::error::AppError;
use crate::i18n::{FluentArg, Lang};
use crate::models::throttle::{self, Key};
use crate::web::Ctx;

/// The limited actions; the limits are `Settings::limits`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Tickets,
    Replies,
    Requests,
    Invitations,
    Resets,
    Resends,
    Applications,
    Signups,
}

impl Action {
    fn name(self) -> &'static str {
        match self {
            Action::Tickets => "ticket",
            Action::Replies => "reply",
            Action::Requests => "request",
            Action::Invitations => "invitation",
            Action::Resets => "password_reset",
            Action::Resends => "verify_resend",
            Action::Applications => "partner_application",
            Action::Signups => "signup",
        }
    }

    fn rules(self, limits: &crate::config::Limits) -> RulePair {
        match self {
            Action::Tickets => limits.tickets,
            Action::Replies => limits.replies,
            Action::Requests => limits.requests,
            Action::Invitations => limits.invitations,
            Action::Resets => limits.resets,
            Action::Resends => limits.resends,
            Action::Applications => limits.applications,
            Action::Signups => limits.signups,
        }
    }
}

/// Who acts: a signed-in account, or the email address an anonymous
/// request would mail.
pub enum Actor<'a> {
    Account(i64),
    Email(&'a str),
}

/// Counts one use of `action` by `actor` and by the client's address.
/// `Some(message)` when a limit is reached: nothing was counted then, and
/// the handler shows the message with the form as it was sent (429).
pub async fn check(
    ctx: &Ctx,
    action: Action,
    actor: Actor<'_>,
) -> Result<Option<String>, AppError> {
    let rules = action.rules(&ctx.state.settings.limits);
    let subject = match actor {
        Actor::Account(id) => throttle::account_subject(id),
        Actor::Email(e) => throttle::email_subject(e),
    };
    let keys = vec![
        Key {
            action: action.name(),
            subject,
            rule: rules.account,
        },
        Key {
            action: action.name(),
            subject: throttle::address_subject(&ctx.ip),
            rule: rules.address,
        },
    ];
    let wait = db::run(ctx.pool(), move |conn| Ok(throttle::take(conn, &keys)?)).await?;
    Ok(wait.map(|w| ctx.t1("rate-limited", "wait", wait_text(ctx.lang, w))))
}

/// "45 seconds", "3 minutes", "2 hours": a wait, rounded up, in words.
pub fn wait_text(lang: Lang, wait: time::Duration) -> String {
    let secs = ((wait.whole_milliseconds() + 999) / 1000).max(1) as i64;
    let (key, n) = if secs < 120 {
        ("wait-seconds", secs)
    } else if secs < 120 * 60 {
        ("wait-minutes", (secs + 59) / 60)
    } else {
        ("wait-hours", (secs + 3599) / 3600)
    };
    lang.t_args(key, &[("n", FluentArg::Num(n))])
}
