//! The messages Agora sends, each from catalogue keys.

use crate::i18n::Lang;
use crate::models::outbox::NewEmail;

use super::MailBody;
use super::notify::Optional;
use crate::domain::zone::Zone;
use crate::models::users::User;

fn greeting(lang: Lang, name: &str) -> String {
    lang.t_args("mail-greeting", &[("name", name.into())])
}

pub fn verify_email(
    lang: Lang,
    to: &str,
    name: &str,
    link: &str,
) -> Result<NewEmail, askama::Error> {
    let mut m = MailBody::new(lang, lang.t("mail-verify-subject"));
    m.greeting = greeting(lang, name);
    m.paragraphs.push(lang.t("mail-verify-intro"));
    m.action = Some((lang.t("mail-verify-action"), link.to_string()));
    m.after.push(lang.t("mail-verify-expiry"));
    m.after.push(lang.t("mail-not-you"));
    m.into_email(to).map(NewEmail::sensitive)
}

pub fn signup_existing(
    lang: Lang,
    to: &str,
    name: &str,
    login: &str,
    reset: &str,
) -> Result<NewEmail, askama::Error> {
    let mut m = MailBody::new(lang, lang.t("mail-existing-subject"));
    m.greeting = greeting(lang, name);
    m.paragraphs.push(lang.t("mail-existing-intro"));
    m.action = Some((lang.t("mail-existing-action"), login.to_string()));
    m.after
        .push(lang.t_args("mail-existing-reset", &[("link", reset.into())]));
    m.after.push(lang.t("mail-not-you"));
    m.into_email(to)
}

pub fn password_reset(
    lang: Lang,
    to: &str,
    name: &str,
    link: &str,
) -> Result<NewEmail, askama::Error> {
    let mut m = MailBody::new(lang, lang.t("mail-reset-subject"));
    m.greeting = greeting(lang, name);
    m.paragraphs.push(lang.t("mail-reset-intro"));
    m.action = Some((lang.t("mail-reset-action"), link.to_string()));
    m.after.push(lang.t("mail-reset-expiry"));
    m.after.push(lang.t("mail-not-you"));
    m.into_email(to).map(NewEmail::sensitive)
}

pub fn password_changed(
    lang: Lang,
    to: &str,
    name: &str,
    reset: &str,
) -> Result<NewEmail, askama::Error> {
    let mut m = MailBody::new(lang, lang.t("mail-changed-subject"));
    m.greeting = greeting(lang, name);
    m.paragraphs.push(lang.t("mail-changed-intro"));
    m.after
        .push(lang.t_args("mail-changed-not-you", &[("link", reset.into())]));
    m.into_email(to)
}

pub fn invitation(
    lang: Lang,
    to: &str,
    inviter: &str,
    partner: &str,
    role: &str,
    link: &str,
) -> Result<NewEmail, askama::Error> {
    let mut m = MailBody::new(
        lang,
        lang.t_args("mail-invitation-subject", &[("partner", partner.into())]),
    );
    m.greeting = lang.t("mail-greeting-plain");
    m.paragraphs.push(lang.t_args(
        "mail-invitation-intro",
        &[
            ("inviter", inviter.into()),
            ("partner", partner.into()),
            ("role", role.into()),
        ],
    ));
    m.action = Some((lang.t("mail-invitation-action"), link.to_string()));
    m.after.push(lang.t("mail-invitation-expiry"));
    m.into_email(to).map(NewEmail::sensitive)
}

pub fn partner_decision(
    lang: Lang,
    to: &str,
    name: &str,
    partner: &str,
    approved: bool,
    reason: &str,
    link: &str,
) -> Result<NewEmail, askama::Error> {
    let (subject, intro) = if approved {
        ("mail-approved-subject", "mail-approved-intro")
    } else {
        ("mail-rejected-subject", "mail-rejected-intro")
    };
    let mut m = MailBody::new(lang, lang.t_args(subject, &[("partner", partner.into())]));
    m.greeting = greeting(lang, name);
    m.paragraphs
        .push(lang.t_args(intro, &[("partner", partner.into())]));
    if !reason.is_empty() {
        m.paragraphs
            .push(lang.t_args("mail-decision-reason", &[("reason", reason.into())]));
    }
    if approved {
        m.action = Some((lang.t("mail-approved-action"), link.to_string()));
    }
    m.into_email(to)
}

/// The partner's notice of a new request. `shared` is the consumer's name,
/// email address and message, only when their consent to the partner
/// stands; otherwise the notice says only that a request arrived.
pub fn new_engagement(
    lang: Lang,
    to: &str,
    listing: &str,
    shared: Option<SharedRequest<'_>>,
    link: &str,
    unsubscribe: &str,
) -> Result<NewEmail, askama::Error> {
    let mut m = MailBody::new(
        lang,
        lang.t_args("mail-engagement-subject", &[("listing", listing.into())]),
    );
    m.greeting = lang.t("mail-greeting-plain");
    request_paragraphs(&mut m, listing, shared);
    m.action = Some((lang.t("mail-engagement-action"), link.to_string()));
    m.after.push(lang.t("mail-engagement-settings"));
    m.after
        .push(lang.t_args("mail-unsubscribe", &[("link", unsubscribe.into())]));
    let mut email = m.into_email(to)?;
    email.unsubscribe = Some(unsubscribe.to_string());
    Ok(email)
}

/// What a new request's notice says: who asked and what, while the
/// consumer's consent stands; only that a request arrived otherwise.
pub fn request_paragraphs(m: &mut MailBody, listing: &str, shared: Option<SharedRequest<'_>>) {
    let lang = m.lang;
    match shared {
        Some(r) => {
            m.paragraphs.push(lang.t_args(
                "mail-engagement-intro-contact",
                &[
                    ("listing", listing.into()),
                    ("name", r.name.into()),
                    ("email", r.email.into()),
                ],
            ));
            if !r.message.is_empty() {
                m.paragraphs
                    .push(lang.t_args("mail-engagement-message", &[("message", r.message.into())]));
            }
        }
        None => {
            m.paragraphs.push(lang.t_args(
                "mail-engagement-intro-anonymous",
                &[("listing", listing.into())],
            ));
            m.paragraphs.push(lang.t("mail-engagement-details-hidden"));
        }
    }
}

/// What a consenting consumer's request tells the partner.
#[derive(Debug, Clone, Copy)]
pub struct SharedRequest<'a> {
    pub name: &'a str,
    pub email: &'a str,
    pub message: &'a str,
}

pub fn ticket_opened(
    lang: Lang,
    to: &str,
    name: &str,
    subject_line: &str,
    number: i64,
    link: &str,
) -> Result<NewEmail, askama::Error> {
    let mut m = MailBody::new(lang, subject_line.to_string());
    m.greeting = greeting(lang, name);
    m.paragraphs
        .push(lang.t_args("mail-ticket-opened-intro", &[("number", number.into())]));
    m.action = Some((lang.t("mail-ticket-view"), link.to_string()));
    m.after.push(lang.t("mail-ticket-reply-hint"));
    m.into_email(to)
}

pub fn ticket_reply(
    lang: Lang,
    to: &str,
    subject_line: &str,
    number: i64,
    author: &str,
    body: &str,
    link: &str,
) -> Result<NewEmail, askama::Error> {
    let mut m = MailBody::new(lang, subject_line.to_string());
    m.greeting = lang.t("mail-greeting-plain");
    m.paragraphs.push(lang.t_args(
        "mail-ticket-reply-intro",
        &[("number", number.into()), ("author", author.into())],
    ));
    m.quote = Some(body.to_string());
    m.action = Some((lang.t("mail-ticket-view"), link.to_string()));
    m.into_email(to)
}

pub fn ticket_assigned(
    lang: Lang,
    to: &str,
    subject_line: &str,
    number: i64,
    link: &str,
    optional: &Optional,
) -> Result<NewEmail, askama::Error> {
    let mut m = MailBody::new(lang, subject_line.to_string());
    m.greeting = lang.t("mail-greeting-plain");
    m.paragraphs
        .push(lang.t_args("mail-ticket-assigned-intro", &[("number", number.into())]));
    m.action = Some((lang.t("mail-ticket-view"), link.to_string()));
    m.optional(optional);
    m.into_email(to)
}

/// The rating question of a resolution notice: its links, and what makes
/// it an optional part.
pub struct Survey {
    pub rating_links: Vec<(String, String)>,
    pub optional: Optional,
}

pub fn ticket_resolved(
    lang: Lang,
    to: &str,
    name: &str,
    subject_line: &str,
    number: i64,
    survey: Option<Survey>,
    link: &str,
) -> Result<NewEmail, askama::Error> {
    let mut m = MailBody::new(lang, subject_line.to_string());
    m.greeting = greeting(lang, name);
    m.paragraphs
        .push(lang.t_args("mail-ticket-resolved-intro", &[("number", number.into())]));
    m.action = Some((lang.t("mail-ticket-view"), link.to_string()));
    m.after.push(lang.t("mail-ticket-reopen-hint"));
    if let Some(s) = survey {
        m.paragraphs.push(lang.t("mail-ticket-survey"));
        m.links = s.rating_links;
        m.optional(&s.optional);
    }
    m.into_email(to)
}

pub fn account_deleted(lang: Lang, to: &str, name: &str) -> Result<NewEmail, askama::Error> {
    let mut m = MailBody::new(lang, lang.t("mail-deleted-subject"));
    m.greeting = greeting(lang, name);
    m.paragraphs.push(lang.t("mail-deleted-intro"));
    m.after.push(lang.t("mail-deleted-not-you"));
    m.into_email(to)
}

/// A partner's API token was made or revoked (`subject_key` says which).
pub fn api_token_changed(
    lang: Lang,
    to: &str,
    subject_key: &str,
    partner: &str,
    token: &str,
    by: &str,
    link: &str,
) -> Result<NewEmail, askama::Error> {
    let args = [
        ("partner", partner.into()),
        ("token", token.into()),
        ("name", by.into()),
    ];
    let mut m = MailBody::new(lang, lang.t_args(subject_key, &args));
    m.greeting = lang.t("mail-greeting-plain");
    let intro = if subject_key == "mail-token-created-subject" {
        "mail-token-created-intro"
    } else {
        "mail-token-revoked-intro"
    };
    m.paragraphs.push(lang.t_args(intro, &args));
    m.after.push(lang.t("mail-token-not-you"));
    m.action = Some((lang.t("mail-token-action"), link.to_string()));
    m.into_email(to)
}

/// The answer to an email from someone who may not write on the ticket it
/// was sent to: nothing was added, and where to ask instead.
pub fn inbound_not_added(
    lang: Lang,
    to: &str,
    subject: &str,
    base: &str,
) -> Result<NewEmail, askama::Error> {
    let args = [("subject", subject.into())];
    let mut m = MailBody::new(lang, lang.t_args("mail-inbound-not-added-subject", &args));
    m.greeting = lang.t("mail-greeting-plain");
    m.paragraphs
        .push(lang.t_args("mail-inbound-not-added-intro", &args));
    m.action = Some((
        lang.t("mail-inbound-help-action"),
        format!("{base}/me/tickets/new"),
    ));
    m.after.push(lang.t("mail-inbound-automatic"));
    m.into_email(to)
}

/// A security notice: two-step sign-in turned on or off, a recovery code
/// used, a sign-in from a browser not seen before (`subject_key` says
/// which, its `-intro` key what happened). Says when, on the reader's
/// clock; `details` follow the intro.
pub fn security_notice(
    user: &User,
    zone: &Zone,
    subject_key: &str,
    details: Vec<String>,
) -> Result<NewEmail, askama::Error> {
    let lang = user.lang();
    let mut m = MailBody::new(lang, lang.t(subject_key));
    m.greeting = greeting(lang, &user.display_name);
    m.paragraphs
        .push(lang.t(&subject_key.replace("-subject", "-intro")));
    m.paragraphs.extend(details);
    m.paragraphs.push(lang.t_args(
        "mail-when",
        &[("time", lang.datetime(&crate::models::now(), zone).into())],
    ));
    m.after.push(lang.t("mail-two-step-not-you"));
    m.into_email(&user.email)
}

/// The files of an emailed reply that were over the limits: the reply was
/// added without them.
pub fn inbound_files_refused(
    lang: Lang,
    to: &str,
    subject: &str,
    refused: &[(String, &'static str)],
) -> Result<NewEmail, askama::Error> {
    let args = [("subject", subject.into())];
    let mut m = MailBody::new(lang, lang.t_args("mail-inbound-files-subject", &args));
    m.greeting = lang.t("mail-greeting-plain");
    m.paragraphs
        .push(lang.t_args("mail-inbound-files-intro", &args));
    for (name, why) in refused {
        let key = if *why == "too-large" {
            "mail-inbound-file-too-large"
        } else {
            "mail-inbound-file-too-many"
        };
        m.paragraphs
            .push(lang.t_args(key, &[("name", name.as_str().into())]));
    }
    m.after.push(lang.t("mail-inbound-automatic"));
    m.into_email(to)
}

/// The answer to an email from an address without a verified account:
/// how to sign up and ask through the help form.
pub fn inbound_unknown(
    lang: Lang,
    to: &str,
    subject: &str,
    base: &str,
) -> Result<NewEmail, askama::Error> {
    let args = [("subject", subject.into())];
    let mut m = MailBody::new(lang, lang.t_args("mail-inbound-unknown-subject", &args));
    m.greeting = lang.t("mail-greeting-plain");
    m.paragraphs
        .push(lang.t_args("mail-inbound-unknown-intro", &args));
    m.action = Some((
        lang.t("mail-inbound-signup-action"),
        format!("{base}/signup"),
    ));
    m.links.push((
        lang.t("mail-inbound-help-action"),
        format!("{base}/me/tickets/new"),
    ));
    m.after.push(lang.t("mail-inbound-automatic"));
    m.into_email(to)
}

/// A webhook endpoint was added or deleted (`subject_key` says which).
pub fn webhook_changed(
    lang: Lang,
    to: &str,
    subject_key: &str,
    partner: &str,
    url: &str,
    by: &str,
    link: &str,
) -> Result<NewEmail, askama::Error> {
    let args = [
        ("partner", partner.into()),
        ("url", url.into()),
        ("name", by.into()),
    ];
    let mut m = MailBody::new(lang, lang.t_args(subject_key, &args));
    m.greeting = lang.t("mail-greeting-plain");
    let intro = if subject_key == "mail-webhook-created-subject" {
        "mail-webhook-created-intro"
    } else {
        "mail-webhook-deleted-intro"
    };
    m.paragraphs.push(lang.t_args(intro, &args));
    m.after.push(lang.t("mail-token-not-you"));
    m.action = Some((lang.t("mail-webhook-action"), link.to_string()));
    m.into_email(to)
}

/// A webhook endpoint was turned off after failing for a day.
pub fn webhook_disabled(
    lang: Lang,
    to: &str,
    partner: &str,
    url: &str,
    link: &str,
) -> Result<NewEmail, askama::Error> {
    let args = [("partner", partner.into()), ("url", url.into())];
    let mut m = MailBody::new(lang, lang.t_args("mail-webhook-disabled-subject", &args));
    m.greeting = lang.t("mail-greeting-plain");
    m.paragraphs
        .push(lang.t_args("mail-webhook-disabled-intro", &args));
    m.after.push(lang.t("mail-webhook-disabled-after"));
    m.action = Some((lang.t("mail-webhook-disabled-action"), link.to_string()));
    m.into_email(to)
}

pub fn listing_taken_down(
    lang: Lang,
    to: &str,
    listing: &str,
    reason: &str,
    link: &str,
) -> Result<NewEmail, askama::Error> {
    let mut m = MailBody::new(
        lang,
        lang.t_args("mail-takedown-subject", &[("listing", listing.into())]),
    );
    m.greeting = lang.t("mail-greeting-plain");
    m.paragraphs
        .push(lang.t_args("mail-takedown-intro", &[("listing", listing.into())]));
    m.paragraphs
        .push(lang.t_args("mail-decision-reason", &[("reason", reason.into())]));
    m.action = Some((lang.t("mail-takedown-action"), link.to_string()));
    m.into_email(to)
}
