//! The partner area, `/partner/{slug}/...`: every handler loads the partner
//! through `access`, which answers 404 to anyone outside it.

pub mod apply;
pub mod crm;
pub mod customers;
pub mod developers;
pub mod home;
pub mod listings;
pub mod settings;
pub mod team;
pub mod tickets;
pub mod webhooks;

use actix_web::web;

use crate::db;
use crate::error::AppError;
use crate::models::partners::{self, Partner, Role};
use crate::web::Ctx;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/partners/apply", web::get().to(apply::form))
        .route("/partners/apply", web::post().to(apply::submit))
        .route("/partner", web::get().to(home::index))
        .route("/partner/{slug}", web::get().to(home::dashboard))
        .route("/partner/{slug}/listings", web::get().to(listings::index))
        .route(
            "/partner/{slug}/listings/new",
            web::get().to(listings::new_form),
        )
        .route(
            "/partner/{slug}/listings/new",
            web::post().to(listings::create),
        )
        .route(
            "/partner/{slug}/listings/{id}",
            web::get().to(listings::edit_form),
        )
        .route(
            "/partner/{slug}/listings/{id}",
            web::post().to(listings::edit_submit),
        )
        .route(
            "/partner/{slug}/listings/{id}/status",
            web::post().to(listings::change_status),
        )
        .route("/partner/{slug}/webhooks", web::get().to(webhooks::index))
        .route("/partner/{slug}/webhooks", web::post().to(webhooks::create))
        .route(
            "/partner/{slug}/webhooks/{id}",
            web::get().to(webhooks::show),
        )
        .route(
            "/partner/{slug}/webhooks/{id}",
            web::post().to(webhooks::update),
        )
        .route(
            "/partner/{slug}/webhooks/{id}/rotate",
            web::post().to(webhooks::rotate),
        )
        .route(
            "/partner/{slug}/webhooks/{id}/enable",
            web::post().to(webhooks::enable),
        )
        .route(
            "/partner/{slug}/webhooks/{id}/disable",
            web::post().to(webhooks::disable),
        )
        .route(
            "/partner/{slug}/webhooks/{id}/delete",
            web::post().to(webhooks::delete),
        )
        .route(
            "/partner/{slug}/webhooks/{id}/deliveries/{delivery}",
            web::get().to(webhooks::delivery),
        )
        .route(
            "/partner/{slug}/webhooks/{id}/deliveries/{delivery}/resend",
            web::post().to(webhooks::resend),
        )
        .route("/partner/{slug}/team", web::get().to(team::show))
        .route("/partner/{slug}/team/invite", web::post().to(team::invite))
        .route(
            "/partner/{slug}/team/{user_id}/role",
            web::post().to(team::change_role),
        )
        .route(
            "/partner/{slug}/team/{user_id}/remove",
            web::post().to(team::remove),
        )
        .route(
            "/partner/{slug}/team/invitations/{id}/revoke",
            web::post().to(team::revoke_invitation),
        )
        .route("/partner/{slug}/settings", web::get().to(settings::form))
        .route("/partner/{slug}/settings", web::post().to(settings::submit))
        .route(
            "/partner/{slug}/settings/two-step",
            web::post().to(settings::two_step),
        )
        .route(
            "/partner/{slug}/engagements",
            web::get().to(crm::engagements),
        )
        .route(
            "/partner/{slug}/engagements/{id}/reply",
            web::post().to(crm::reply_request),
        )
        .route("/partner/{slug}/reviews", web::get().to(crm::reviews))
        .route(
            "/partner/{slug}/reviews/{id}/reply",
            web::post().to(crm::reply),
        )
        .route("/partner/{slug}/customers", web::get().to(customers::list))
        .route(
            "/partner/{slug}/customers.csv",
            web::get().to(customers::export),
        )
        .route(
            "/partner/{slug}/customers/{id}",
            web::get().to(customers::show),
        )
        .route(
            "/partner/{slug}/customers/{id}/notes",
            web::post().to(customers::add_note),
        )
        .route(
            "/partner/{slug}/customers/{id}/tags",
            web::post().to(customers::add_tag),
        )
        .route(
            "/partner/{slug}/customers/{id}/tags/remove",
            web::post().to(customers::remove_tag),
        )
        .route("/partner/{slug}/tickets", web::get().to(tickets::list))
        .route(
            "/partner/{slug}/tickets/{number}",
            web::get().to(tickets::show),
        )
        .route(
            "/partner/{slug}/tickets/{number}/reply",
            web::post().to(tickets::reply),
        )
        .route(
            "/partner/{slug}/developers",
            web::get().to(developers::show),
        )
        .route(
            "/partner/{slug}/developers",
            web::post().to(developers::create),
        )
        .route(
            "/partner/{slug}/developers/{id}/revoke",
            web::post().to(developers::revoke),
        )
        .route("/invitations/{token}", web::get().to(team::invitation))
        .route("/invitations/{token}", web::post().to(team::accept));
}

/// A partner's public details, checked: what the application form and
/// the settings form have in common.
pub struct Profile {
    pub name: String,
    pub website: String,
    pub contact: crate::domain::Email,
    pub description: String,
}

impl Profile {
    pub fn parse(
        lang: crate::i18n::Lang,
        e: &mut crate::web::FormErrors,
        name: &str,
        website: &str,
        contact: &str,
        description: &str,
    ) -> Option<Profile> {
        use crate::domain::{Email, parse_website, required_text};
        let name = e.check(
            lang,
            "name",
            required_text(name, 100, "error-required", "error-too-long"),
        );
        let website = e.check(lang, "website", parse_website(website));
        let contact = e.check(lang, "contact_email", Email::parse(contact));
        let description = e.check(
            lang,
            "description",
            required_text(description, 2000, "error-required", "error-too-long"),
        );
        Some(Profile {
            name: name?,
            website: website?,
            contact: contact?,
            description: description?,
        })
    }
}

/// The partner named in the path and the signed-in person's role in it.
#[derive(Clone)]
pub struct Access {
    pub partner: Partner,
    pub role: Role,
}

impl Access {
    pub fn can_manage(&self) -> bool {
        self.role.can_manage()
    }

    /// Team and settings: owners and admins only.
    pub fn require_manager(&self) -> Result<(), AppError> {
        if self.can_manage() {
            Ok(())
        } else {
            Err(AppError::Forbidden)
        }
    }

    pub fn base(&self) -> String {
        format!("/partner/{}", self.partner.slug)
    }
}

/// Loads the partner for a member; anyone else (and partners still pending
/// or rejected) gets a 404.
pub async fn access(ctx: &Ctx, slug: &str) -> Result<Access, AppError> {
    let user_id = ctx.require_user()?.id;
    let slug = slug.to_string();
    db::read(ctx.pool(), move |conn| access_in(conn, &slug, user_id)).await
}

/// `access`, and then `read` for the page on the same connection, with the
/// statements of both planned as `plans` asks. `read` must be bounded by a
/// page: it runs on the HTTP worker when a connection is idle (`db::read`).
pub async fn access_and<T, F>(
    ctx: &Ctx,
    slug: &str,
    plans: db::Plans,
    read: F,
) -> Result<(Access, T), AppError>
where
    F: FnOnce(&mut db::AnyConnection, &Access) -> Result<T, AppError> + Send + 'static,
    T: Send + 'static,
{
    access_then(ctx, slug, plans, true, read).await
}

/// `access_and` for a read that may take long (a scoring run, a count that
/// grows with the data): on the blocking pool.
pub async fn access_and_run<T, F>(
    ctx: &Ctx,
    slug: &str,
    plans: db::Plans,
    read: F,
) -> Result<(Access, T), AppError>
where
    F: FnOnce(&mut db::AnyConnection, &Access) -> Result<T, AppError> + Send + 'static,
    T: Send + 'static,
{
    access_then(ctx, slug, plans, false, read).await
}

async fn access_then<T, F>(
    ctx: &Ctx,
    slug: &str,
    plans: db::Plans,
    short: bool,
    read: F,
) -> Result<(Access, T), AppError>
where
    F: FnOnce(&mut db::AnyConnection, &Access) -> Result<T, AppError> + Send + 'static,
    T: Send + 'static,
{
    let user_id = ctx.require_user()?.id;
    let slug = slug.to_string();
    let work = move |conn: &mut db::AnyConnection| {
        let a = access_in(conn, &slug, user_id)?;
        let value = read(conn, &a)?;
        Ok((a, value))
    };
    db::read_planned_if(ctx.pool(), plans, short, work).await
}

fn access_in(conn: &mut db::AnyConnection, slug: &str, user_id: i64) -> Result<Access, AppError> {
    let (partner, role) =
        partners::by_slug_with_role(conn, slug, user_id)?.ok_or(AppError::NotFound)?;
    if !matches!(
        partner.status.as_str(),
        partners::APPROVED | partners::SUSPENDED
    ) {
        return Err(AppError::NotFound);
    }
    let role = role.ok_or(AppError::NotFound)?;
    // The owners asked the team for two-step sign-in.
    if partner.require_two_step && !crate::models::two_step::enabled(conn, user_id)? {
        return Err(AppError::TwoStepRequired);
    }
    Ok(Access { partner, role })
}
