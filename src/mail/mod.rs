//! Email: messages composed from templates in the recipient's language,
//! queued in the outbox, delivered by the worker.

pub mod imap;
pub mod inbound;
pub mod messages;
pub mod notify;
pub mod worker;

use askama::Template;

use crate::i18n::Lang;
use crate::models::outbox::NewEmail;

/// Queues one email to each owner and admin of the partner, each in their
/// own language. Call inside the change's transaction.
pub fn to_managers(
    conn: &mut crate::db::AnyConnection,
    domain: &str,
    partner_id: i64,
    write: impl Fn(Lang, &str) -> Result<NewEmail, askama::Error>,
) -> Result<(), crate::error::AppError> {
    for (email, locale) in crate::models::partners::manager_emails(conn, partner_id)? {
        let mail = write(Lang::of_locale(locale.as_deref()), &email)?;
        crate::models::outbox::enqueue(conn, domain, &mail)?;
    }
    Ok(())
}

/// The body of an email: a greeting, paragraphs, an optional button, and a
/// closing line. Drawn by `templates/mail/layout.{txt,html}`.
pub struct MailBody {
    pub lang: Lang,
    pub subject: String,
    pub greeting: String,
    pub paragraphs: Vec<String>,
    pub action: Option<(String, String)>,
    /// Further links, one per line (e.g. the rating links of a survey).
    pub links: Vec<(String, String)>,
    /// A quoted message (a reply in a ticket).
    pub quote: Option<String>,
    pub after: Vec<String>,
    /// For an optional email: its one-click unsubscribe address.
    pub unsubscribe: Option<String>,
}

#[derive(Template)]
#[template(path = "mail/layout.txt")]
struct TextPart<'a> {
    m: &'a MailBody,
    signature: String,
}

#[derive(Template)]
#[template(path = "mail/layout.html")]
struct HtmlPart<'a> {
    m: &'a MailBody,
    signature: String,
}

impl MailBody {
    pub fn new(lang: Lang, subject: String) -> MailBody {
        MailBody {
            lang,
            subject,
            greeting: String::new(),
            paragraphs: Vec::new(),
            action: None,
            links: Vec::new(),
            quote: None,
            after: Vec::new(),
            unsubscribe: None,
        }
    }

    /// Makes this an optional email of a kind: a line says why it came,
    /// with a link that turns off exactly this kind and one to every
    /// preference; mail clients get the link as one-click unsubscribe
    /// (RFC 8058).
    pub fn optional(&mut self, o: &notify::Optional) {
        let lang = self.lang;
        self.after.push(lang.t_args(
            "mail-optional-why",
            &[("kind", lang.t(&o.kind.label_key()).into())],
        ));
        self.after.push(lang.t_args(
            "mail-optional-links",
            &[
                ("link", o.unsubscribe.clone().into()),
                ("preferences", o.preferences.clone().into()),
            ],
        ));
        self.unsubscribe = Some(o.unsubscribe.clone());
    }

    pub fn into_email(self, to: &str) -> Result<NewEmail, askama::Error> {
        let signature = self.lang.t("mail-signature");
        let text = TextPart {
            m: &self,
            signature: signature.clone(),
        }
        .render()?;
        let html = HtmlPart {
            m: &self,
            signature,
        }
        .render()?;
        Ok(NewEmail {
            to: to.to_string(),
            subject: self.subject,
            text,
            html,
            in_reply_to: None,
            references: None,
            unsubscribe: self.unsubscribe,
            reply_to: None,
            sensitive: false,
        })
    }
}
