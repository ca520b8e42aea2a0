//! The messages Agora sends, each from catalogue keys.

use crate::i18n::Lang;
use crate::models::outbox::NewEmail;

use super::MailBody;

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
    m.into_email(to)
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
    m.into_email(to)
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
