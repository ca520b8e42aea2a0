pub mod data;
pub mod login;
pub mod me;
pub mod notifications;
pub mod passkeys;
pub mod password;
pub mod privacy;
pub mod signup;
pub mod tickets;
pub mod two_step;
pub mod verify;

use actix_web::web;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/signup", web::get().to(signup::form))
        .route("/signup", web::post().to(signup::submit))
        .route("/login", web::get().to(login::form))
        .route("/login", web::post().to(login::submit))
        .route("/logout", web::post().to(login::logout))
        .route("/login/code", web::get().to(two_step::code_form))
        .route("/login/code", web::post().to(two_step::code_submit))
        .route("/me/security", web::get().to(two_step::security))
        .route(
            "/me/security/two-step/start",
            web::post().to(two_step::start),
        )
        .route(
            "/me/security/two-step/confirm",
            web::post().to(two_step::confirm),
        )
        .route(
            "/me/security/two-step/disable",
            web::post().to(two_step::disable),
        )
        .route("/me/security/recovery", web::post().to(two_step::renew))
        .route("/verify/resend", web::get().to(verify::resend_form))
        .route("/verify/resend", web::post().to(verify::resend_submit))
        .route("/verify/{token}", web::get().to(verify::confirm))
        .route("/password/forgot", web::get().to(password::forgot_form))
        .route("/password/forgot", web::post().to(password::forgot_submit))
        .route(
            "/password/reset/{token}",
            web::get().to(password::reset_form),
        )
        .route(
            "/password/reset/{token}",
            web::post().to(password::reset_submit),
        )
        .route("/me", web::get().to(me::overview))
        .route("/me/history.csv", web::get().to(me::history_csv))
        .route(
            "/me/security/passkeys/start",
            web::post().to(passkeys::register_start),
        )
        .route(
            "/me/security/passkeys/finish",
            web::post().to(passkeys::register_finish),
        )
        .route(
            "/me/security/passkeys/{id}/remove",
            web::post().to(passkeys::remove),
        )
        .route(
            "/login/passkey/start",
            web::post().to(passkeys::sign_in_start),
        )
        .route(
            "/login/code/passkey/start",
            web::post().to(passkeys::second_step_start),
        )
        .route(
            "/login/code/passkey/finish",
            web::post().to(passkeys::second_step_finish),
        )
        .route(
            "/login/passkey/finish",
            web::post().to(passkeys::sign_in_finish),
        )
        .route("/me/notifications", web::get().to(notifications::show))
        .route("/me/notifications", web::post().to(notifications::save))
        .route(
            "/unsubscribe/email/{user}/{kind}/{sig}",
            web::get().to(notifications::confirm),
        )
        .route(
            "/unsubscribe/email/{user}/{kind}/{sig}",
            web::post().to(notifications::unsubscribe),
        )
        .route("/me/profile", web::get().to(me::profile_form))
        .route("/me/profile", web::post().to(me::profile_submit))
        .route("/me/password", web::get().to(me::password_form))
        .route("/me/password", web::post().to(me::password_submit))
        .route("/me/sessions", web::get().to(me::sessions))
        .route(
            "/me/sessions/end-others",
            web::post().to(me::end_other_sessions),
        )
        .route("/me/sessions/{id}/end", web::post().to(me::end_session))
        .route("/me/tickets", web::get().to(tickets::list))
        .route("/me/tickets/new", web::get().to(tickets::new_form))
        .route("/me/tickets/new", web::post().to(tickets::create))
        .route("/me/tickets/{number}", web::get().to(tickets::show))
        .route("/me/tickets/{number}/reply", web::post().to(tickets::reply))
        .route("/me/tickets/{number}/rate", web::post().to(tickets::rate))
        .route("/me/privacy", web::get().to(privacy::show))
        .route("/me/privacy/export", web::get().to(data::export))
        .route("/me/delete", web::get().to(data::delete_form))
        .route("/me/delete", web::post().to(data::delete_submit))
        .route(
            "/me/privacy/{partner_id}/withdraw",
            web::post().to(privacy::withdraw),
        )
        .route(
            "/me/privacy/{partner_id}/give",
            web::post().to(privacy::give),
        );
}

/// A page that only says something and offers a way on.
#[derive(askama::Template)]
#[template(path = "account/notice.html")]
pub struct Notice<'a> {
    pub ctx: &'a crate::web::Ctx,
    pub title: String,
    pub text: String,
    pub link: Option<(String, String)>,
}

/// Verification links last 48 hours, reset links one.
pub const VERIFY_TTL: time::Duration = time::Duration::hours(48);
pub const RESET_TTL: time::Duration = time::Duration::hours(1);
