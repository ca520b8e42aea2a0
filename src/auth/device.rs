//! The device cookie: a browser that signed in to an account keeps a
//! signed note of it, so failed sign-ins from elsewhere do not slow it
//! down (OWASP's "device cookie" against account lock-out). Each entry
//! names the account and a random id of this browser, signed with the
//! app's secret key; a browser keeps the few accounts it signed in to last.

/// The cookie's name.
pub const COOKIE: &str = "agora_device";
/// How long a browser stays known without signing in again.
pub const MAX_AGE_DAYS: i64 = 180;
/// Accounts one browser is remembered for.
const MAX_ENTRIES: usize = 5;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Device {
    pub user_id: i64,
    /// A random id of this browser for this account.
    pub id: String,
}

fn message(user_id: i64, id: &str) -> String {
    format!("device:{user_id}:{id}")
}

/// The valid entries of a cookie value; forged or damaged ones are left out.
pub fn parse(secret: &[u8], raw: &str) -> Vec<Device> {
    raw.split('~')
        .filter_map(|entry| {
            let mut parts = entry.splitn(3, '.');
            let user_id: i64 = parts.next()?.parse().ok()?;
            let id = parts.next()?;
            let sig = parts.next()?;
            if id.is_empty() || !super::signature_valid(secret, &message(user_id, id), sig) {
                return None;
            }
            Some(Device {
                user_id,
                id: id.to_string(),
            })
        })
        .take(MAX_ENTRIES)
        .collect()
}

/// This browser's id for `user_id`, when the cookie names that account.
pub fn known(secret: &[u8], raw: Option<&str>, user_id: i64) -> Option<String> {
    parse(secret, raw?)
        .into_iter()
        .find(|d| d.user_id == user_id)
        .map(|d| d.id)
}

/// The cookie value after a sign-in to `user_id`: that account first (with
/// its id kept, or a new one), then the others, at most a few.
pub fn remember(secret: &[u8], raw: Option<&str>, user_id: i64) -> String {
    let mut list = raw.map(|r| parse(secret, r)).unwrap_or_default();
    let id = match list.iter().position(|d| d.user_id == user_id) {
        Some(i) => list.remove(i).id,
        None => super::random_id(12),
    };
    list.insert(0, Device { user_id, id });
    list.truncate(MAX_ENTRIES);
    list.iter()
        .map(|d| {
            format!(
                "{}.{}.{}",
                d.user_id,
                d.id,
                super::sign(secret, &message(d.user_id, &d.id))
            )
        })
        .collect::<Vec<_>>()
        .join("~")
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &[u8] = b"a secret key of at least thirty-two bytes";

    #[test]
    fn remembers_accounts_and_rejects_forgeries() {
        let one = remember(KEY, None, 7);
        let id7 = known(KEY, Some(&one), 7).expect("known");
        assert_eq!(known(KEY, Some(&one), 8), None);
        let two = remember(KEY, Some(&one), 8);
        assert_eq!(known(KEY, Some(&two), 7).as_deref(), Some(id7.as_str()));
        assert!(known(KEY, Some(&two), 8).is_some());
        // Signing in again keeps the browser's id.
        let again = remember(KEY, Some(&two), 7);
        assert_eq!(known(KEY, Some(&again), 7), Some(id7.clone()));
        // Another key, or another account in the entry, is not trusted.
        assert_eq!(
            known(b"another key entirely, thirty-two bytes", Some(&one), 7),
            None
        );
        let forged = one.replacen("7.", "8.", 1);
        assert_eq!(known(KEY, Some(&forged), 8), None);
        assert!(parse(KEY, "garbage~1.2~x.y.z").is_empty());
        // A few accounts at most.
        let mut v = String::new();
        for uid in 1..=9 {
            v = remember(KEY, Some(&v), uid);
        }
        assert_eq!(parse(KEY, &v).len(), 5);
        assert!(known(KEY, Some(&v), 9).is_some());
        assert_eq!(known(KEY, Some(&v), 1), None);
    }
}
