//! Two-step sign-in: a code app's secret per account (RFC 6238, SHA-1, six
//! digits, 30-second steps, one step of drift either way), confirmed by a
//! first code before it counts, and ten single-use recovery codes kept as
//! digests. A code is taken once: the step it belongs to is recorded, and
//! a code of that step or an earlier one is refused.

use diesel::prelude::*;
use sha2::{Digest, Sha256};
use totp_rs::{Builder, Secret, Totp};

use crate::db::AnyConnection;
use crate::schema::{recovery_codes, totp_credentials};

/// How many recovery codes a set holds.
pub const RECOVERY_CODES: usize = 10;

fn totp(secret_base32: &str, account: &str) -> Option<Totp> {
    let secret = Secret::try_from_base32(secret_base32).ok()?;
    Builder::new()
        .with_secret(secret)
        .with_issuer(Some("Agora"))
        .with_account_name(account.replace(':', " "))
        .build()
        .ok()
}

fn unix_now() -> u64 {
    time::OffsetDateTime::now_utc().unix_timestamp().max(0) as u64
}

/// Whether the account signs in with a second step.
pub fn enabled(conn: &mut AnyConnection, user_id: i64) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        totp_credentials::table
            .filter(totp_credentials::user_id.eq(user_id))
            .filter(totp_credentials::confirmed_at.is_not_null()),
    ))
    .get_result(conn)
}

/// A set-up under way: the secret in base32 and the `otpauth://` address
/// a code app reads from the QR code.
pub struct Pending {
    pub secret: String,
    pub url: String,
}

/// Starts (or starts again) setting up a code app for an account that has
/// none confirmed.
pub fn start(
    conn: &mut AnyConnection,
    user_id: i64,
    account: &str,
) -> QueryResult<Option<Pending>> {
    if enabled(conn, user_id)? {
        return Ok(None);
    }
    let mut bytes = [0u8; 20];
    rand::fill(&mut bytes);
    let secret = Secret::from(bytes).to_base32();
    diesel::delete(totp_credentials::table.find(user_id)).execute(conn)?;
    diesel::insert_into(totp_credentials::table)
        .values((
            totp_credentials::user_id.eq(user_id),
            totp_credentials::secret.eq(&secret),
            totp_credentials::last_step.eq(0i64),
            totp_credentials::created_at.eq(super::now()),
        ))
        .execute(conn)?;
    pending(conn, user_id, account)
}

/// The set-up under way, if any.
pub fn pending(
    conn: &mut AnyConnection,
    user_id: i64,
    account: &str,
) -> QueryResult<Option<Pending>> {
    let secret: Option<String> = totp_credentials::table
        .find(user_id)
        .filter(totp_credentials::confirmed_at.is_null())
        .select(totp_credentials::secret)
        .first(conn)
        .optional()?;
    Ok(secret.and_then(|s| {
        let url = totp(&s, account)?.to_url().ok()?;
        Some(Pending { secret: s, url })
    }))
}

/// Takes a code of the account's app (`confirmed`: the one in use; or the
/// set-up under way), once: `true` when it is right and its step was not
/// taken before.
fn take_code(
    conn: &mut AnyConnection,
    user_id: i64,
    code: &str,
    confirmed: bool,
) -> QueryResult<bool> {
    let code: String = code.chars().filter(|c| !c.is_whitespace()).collect();
    if code.len() != 6 || !code.chars().all(|c| c.is_ascii_digit()) {
        return Ok(false);
    }
    let mut q = totp_credentials::table.find(user_id).into_boxed();
    q = if confirmed {
        q.filter(totp_credentials::confirmed_at.is_not_null())
    } else {
        q.filter(totp_credentials::confirmed_at.is_null())
    };
    let Some((secret, last)): Option<(String, i64)> = q
        .select((totp_credentials::secret, totp_credentials::last_step))
        .first(conn)
        .optional()?
    else {
        return Ok(false);
    };
    let Some(step) = totp(&secret, "-").and_then(|t| t.check(&code, unix_now())) else {
        return Ok(false);
    };
    let step = step as i64;
    if step <= last {
        return Ok(false);
    }
    // The row's own update decides, so the same code sent twice at once
    // is taken once.
    let taken = diesel::update(
        totp_credentials::table
            .find(user_id)
            .filter(totp_credentials::last_step.lt(step)),
    )
    .set(totp_credentials::last_step.eq(step))
    .execute(conn)?;
    Ok(taken == 1)
}

/// Confirms the set-up with its first code; `true` when it now counts.
pub fn confirm(conn: &mut AnyConnection, user_id: i64, code: &str) -> QueryResult<bool> {
    if !take_code(conn, user_id, code, false)? {
        return Ok(false);
    }
    diesel::update(totp_credentials::table.find(user_id))
        .set(totp_credentials::confirmed_at.eq(Some(super::now())))
        .execute(conn)?;
    Ok(true)
}

/// How a second step was passed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Passed {
    Code,
    RecoveryCode,
}

/// Checks a second step: a code of the app, or an unused recovery code.
pub fn verify(
    conn: &mut AnyConnection,
    user_id: i64,
    entered: &str,
) -> QueryResult<Option<Passed>> {
    if take_code(conn, user_id, entered, true)? {
        return Ok(Some(Passed::Code));
    }
    let normal = normalise_recovery(entered);
    if normal.len() != 10 {
        return Ok(None);
    }
    let used = diesel::update(
        recovery_codes::table
            .filter(recovery_codes::user_id.eq(user_id))
            .filter(recovery_codes::code_hash.eq(digest(&normal)))
            .filter(recovery_codes::used_at.is_null()),
    )
    .set(recovery_codes::used_at.eq(Some(super::now())))
    .execute(conn)?;
    Ok((used == 1).then_some(Passed::RecoveryCode))
}

fn normalise_recovery(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

fn digest(code: &str) -> String {
    hex::encode(Sha256::digest(code.as_bytes()))
}

/// A new set of recovery codes in place of any before (shown once, as
/// `abcde-fghij`).
pub fn new_recovery_codes(conn: &mut AnyConnection, user_id: i64) -> QueryResult<Vec<String>> {
    diesel::delete(recovery_codes::table.filter(recovery_codes::user_id.eq(user_id)))
        .execute(conn)?;
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";
    let now = super::now();
    let mut out = Vec::with_capacity(RECOVERY_CODES);
    for _ in 0..RECOVERY_CODES {
        let mut raw = [0u8; 10];
        rand::fill(&mut raw);
        let code: String = raw
            .iter()
            .map(|b| ALPHABET[*b as usize % ALPHABET.len()] as char)
            .collect();
        diesel::insert_into(recovery_codes::table)
            .values((
                recovery_codes::user_id.eq(user_id),
                recovery_codes::code_hash.eq(digest(&code)),
                recovery_codes::created_at.eq(now),
            ))
            .execute(conn)?;
        out.push(format!("{}-{}", &code[..5], &code[5..]));
    }
    Ok(out)
}

/// How many of the recovery codes are still unused.
pub fn recovery_left(conn: &mut AnyConnection, user_id: i64) -> QueryResult<i64> {
    recovery_codes::table
        .filter(recovery_codes::user_id.eq(user_id))
        .filter(recovery_codes::used_at.is_null())
        .count()
        .get_result(conn)
}

/// Turns the second step off: the app's secret and the recovery codes go.
pub fn disable(conn: &mut AnyConnection, user_id: i64) -> QueryResult<()> {
    diesel::delete(totp_credentials::table.find(user_id)).execute(conn)?;
    diesel::delete(recovery_codes::table.filter(recovery_codes::user_id.eq(user_id)))
        .execute(conn)?;
    Ok(())
}

/// The QR code of an `otpauth://` address, as SVG to put in a page (no
/// XML declaration).
pub fn qr_svg(url: &str) -> String {
    let Ok(code) = qrcode::QrCode::new(url.as_bytes()) else {
        return String::new();
    };
    let svg = code
        .render::<qrcode::render::svg::Color<'_>>()
        .min_dimensions(200, 200)
        .quiet_zone(true)
        .build();
    match svg.find("<svg") {
        Some(i) => svg[i..].to_string(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_follow_rfc_6238() {
        // RFC 6238's SHA-1 key, "12345678901234567890", at 59 s: 94287082
        // (eight digits); six digits are its last six.
        let secret = Secret::from(b"12345678901234567890".to_vec()).to_base32();
        let t = totp(&secret, "a@example.com").unwrap();
        assert_eq!(t.generate(59).to_string(), "287082");
        assert_eq!(t.check("287082", 59), Some(1));
        assert_eq!(t.check("287083", 59), None);
        assert!(t.to_url().unwrap().starts_with("otpauth://totp/"));
    }

    #[test]
    fn recovery_codes_read_loosely() {
        assert_eq!(normalise_recovery(" ABCDE-fghij "), "abcdefghij");
        assert!(qr_svg("otpauth://totp/Agora:a?secret=ABC").starts_with("<svg"));
    }
}
