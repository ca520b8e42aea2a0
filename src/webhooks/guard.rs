//! Which addresses a webhook may be posted to. An endpoint must be an
//! `https` URL whose host resolves only to public addresses: never
//! loopback, private, shared (CGNAT), link-local (cloud metadata lives
//! there), multicast, documentation or reserved ones, in IPv4 or IPv6
//! (IPv4 inside IPv6 included). The check runs when an endpoint is saved
//! and again at each delivery, on the addresses the connection is made to
//! (`GuardedResolver`), so a name that later resolves elsewhere is refused
//! then. With `AGORA_WEBHOOK_ALLOW_LOOPBACK_HTTP=1` (tests and local
//! development), loopback addresses are allowed and plain `http` to
//! `localhost`, `127.0.0.1` or `[::1]`.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::time::Duration;

use reqwest::Url;

/// Why a URL may not receive webhooks; each has a catalogue key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    NotUrl,
    NotHttps,
    Credentials,
    Forbidden,
    Unresolved,
}

impl Refusal {
    pub fn message_key(self) -> &'static str {
        match self {
            Refusal::NotUrl => "webhooks-error-url",
            Refusal::NotHttps => "webhooks-error-https",
            Refusal::Credentials => "webhooks-error-credentials",
            Refusal::Forbidden => "webhooks-error-forbidden",
            Refusal::Unresolved => "webhooks-error-unresolved",
        }
    }
}

/// The longest endpoint URL accepted.
pub const MAX_URL: usize = 2000;

fn v4_forbidden(a: Ipv4Addr) -> bool {
    let o = a.octets();
    a.is_private()
        || a.is_loopback()
        || a.is_link_local()
        || a.is_unspecified()
        || a.is_broadcast()
        || a.is_multicast()
        || a.is_documentation()
        || o[0] == 0
        // Shared address space (RFC 6598), where some clouds keep metadata.
        || (o[0] == 100 && (o[1] & 0xc0) == 64)
        // IETF protocol assignments and benchmarking.
        || (o[0] == 192 && o[1] == 0 && o[2] == 0)
        || (o[0] == 198 && (o[1] & 0xfe) == 18)
        // Reserved for future use.
        || o[0] >= 240
}

fn v6_forbidden(a: Ipv6Addr) -> bool {
    if let Some(v4) = a.to_ipv4_mapped() {
        return v4_forbidden(v4);
    }
    let s = a.segments();
    let embedded = |hi: u16, lo: u16| Ipv4Addr::from(((hi as u32) << 16) | lo as u32);
    // NAT64 (64:ff9b::/96) and 6to4 (2002::/16) carry an IPv4 address.
    if s[0] == 0x64 && s[1] == 0xff9b && s[2..6] == [0, 0, 0, 0] {
        return v4_forbidden(embedded(s[6], s[7]));
    }
    if s[0] == 0x2002 {
        return v4_forbidden(embedded(s[1], s[2]));
    }
    // IPv4-translated (::ffff:0:a.b.c.d).
    if s[0..4] == [0, 0, 0, 0] && s[4] == 0xffff && s[5] == 0 {
        return v4_forbidden(embedded(s[6], s[7]));
    }
    // Local-use NAT64 (64:ff9b:1::/48) reaches whatever the network maps.
    if s[0] == 0x64 && s[1] == 0xff9b && s[2] == 1 {
        return true;
    }
    a.is_loopback()
        || a.is_unspecified()
        || a.is_multicast()
        // IPv4-compatible (deprecated) addresses.
        || s[0..6] == [0, 0, 0, 0, 0, 0]
        // Unique local (fc00::/7), link-local (fe80::/10), site-local (fec0::/10).
        || (s[0] & 0xfe00) == 0xfc00
        || (s[0] & 0xffc0) == 0xfe80
        || (s[0] & 0xffc0) == 0xfec0
        // IETF protocol assignments, Teredo included (2001::/23), and
        // documentation (2001:db8::/32).
        || (s[0] == 0x2001 && s[1] < 0x200)
        || (s[0] == 0x2001 && s[1] == 0xdb8)
        // Discard-only (100::/64).
        || (s[0] == 0x100 && s[1..4] == [0, 0, 0])
}

/// Whether a webhook may be posted to this address.
pub fn allowed(ip: IpAddr, allow_loopback: bool) -> bool {
    if allow_loopback && ip.is_loopback() {
        return true;
    }
    match ip {
        IpAddr::V4(a) => !v4_forbidden(a),
        IpAddr::V6(a) => !v6_forbidden(a),
    }
}

fn loopback_host(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(a)) => a.is_loopback(),
        Some(url::Host::Ipv6(a)) => a.is_loopback(),
        None => false,
    }
}

/// Checks the URL as written (scheme, credentials, an address given as
/// such); the name, if any, is checked when it is resolved.
pub fn check_url(raw: &str, allow_loopback: bool) -> Result<Url, Refusal> {
    let raw = raw.trim();
    if raw.is_empty() || raw.len() > MAX_URL {
        return Err(Refusal::NotUrl);
    }
    let url = Url::parse(raw).map_err(|_| Refusal::NotUrl)?;
    match url.scheme() {
        "https" => {}
        "http" if allow_loopback && loopback_host(&url) => {}
        "http" => return Err(Refusal::NotHttps),
        _ => return Err(Refusal::NotUrl),
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(Refusal::Credentials);
    }
    let ip = match url.host() {
        None => return Err(Refusal::NotUrl),
        Some(url::Host::Ipv4(a)) => Some(IpAddr::V4(a)),
        Some(url::Host::Ipv6(a)) => Some(IpAddr::V6(a)),
        Some(url::Host::Domain(_)) => None,
    };
    if let Some(ip) = ip
        && !allowed(ip, allow_loopback)
    {
        return Err(Refusal::Forbidden);
    }
    Ok(url)
}

/// Resolves the host and checks every address it has: one forbidden
/// address refuses the name (a name that resolves both ways could be made
/// to pick the inner one).
pub async fn resolve_checked(
    host: &str,
    port: u16,
    allow_loopback: bool,
) -> Result<Vec<SocketAddr>, Refusal> {
    let host = host.trim_start_matches('[').trim_end_matches(']');
    let found = tokio::time::timeout(
        Duration::from_secs(5),
        tokio::net::lookup_host((host, port)),
    )
    .await
    .map_err(|_| Refusal::Unresolved)?
    .map_err(|_| Refusal::Unresolved)?;
    let addrs: Vec<SocketAddr> = found.collect();
    if addrs.is_empty() {
        return Err(Refusal::Unresolved);
    }
    if addrs.iter().any(|a| !allowed(a.ip(), allow_loopback)) {
        return Err(Refusal::Forbidden);
    }
    Ok(addrs)
}

/// The whole check of an endpoint URL as it is saved.
pub async fn check(raw: &str, allow_loopback: bool) -> Result<Url, Refusal> {
    let url = check_url(raw, allow_loopback)?;
    let host = url.host_str().ok_or(Refusal::NotUrl)?.to_string();
    let port = url.port_or_known_default().unwrap_or(443);
    resolve_checked(&host, port, allow_loopback).await?;
    Ok(url)
}

/// The delivery client's resolver: connections go only to addresses that
/// passed the check, resolved at the moment of connecting.
#[derive(Debug, Clone, Copy)]
pub struct GuardedResolver {
    pub allow_loopback: bool,
}

#[derive(Debug, thiserror::Error)]
#[error("the address of this host may not receive webhooks")]
struct RefusedAddress;

impl reqwest::dns::Resolve for GuardedResolver {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let allow = self.allow_loopback;
        let host = name.as_str().to_string();
        Box::pin(async move {
            match resolve_checked(&host, 0, allow).await {
                Ok(addrs) => Ok(Box::new(addrs.into_iter()) as reqwest::dns::Addrs),
                Err(_) => Err(Box::new(RefusedAddress) as Box<dyn std::error::Error + Send + Sync>),
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn inner_addresses_are_refused() {
        for a in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "100.100.100.200",
            "0.0.0.0",
            "255.255.255.255",
            "224.0.0.1",
            "192.0.2.1",
            "198.18.0.1",
            "240.0.0.1",
            "::1",
            "::",
            "fd00:ec2::254",
            "fe80::1",
            "::ffff:10.0.0.1",
            "::ffff:127.0.0.1",
            "64:ff9b::a00:1",
            "2002:a00:1::",
            "2001:db8::1",
            "2001::1",
            "ff02::1",
            "::ffff:0:10.0.0.1",
            "64:ff9b:1::a00:1",
        ] {
            assert!(!allowed(ip(a), false), "{a} was allowed");
        }
    }

    #[test]
    fn public_addresses_are_allowed() {
        for a in [
            "93.184.216.34",
            "1.1.1.1",
            "2606:4700::1111",
            "::ffff:8.8.8.8",
            "64:ff9b::808:808",
        ] {
            assert!(allowed(ip(a), false), "{a} was refused");
        }
    }

    #[test]
    fn loopback_only_with_the_setting() {
        assert!(allowed(ip("127.0.0.1"), true));
        assert!(allowed(ip("::1"), true));
        assert!(!allowed(ip("10.0.0.1"), true));
        assert_eq!(
            check_url("http://127.0.0.1:9/hook", true).map(|_| ()),
            Ok(())
        );
        assert_eq!(check_url("http://localhost/hook", true).map(|_| ()), Ok(()));
        assert_eq!(
            check_url("http://127.0.0.1/hook", false).err(),
            Some(Refusal::NotHttps)
        );
        assert_eq!(
            check_url("https://127.0.0.1/hook", false).err(),
            Some(Refusal::Forbidden)
        );
        assert_eq!(
            check_url("http://example.com/hook", true).err(),
            Some(Refusal::NotHttps)
        );
    }

    #[test]
    fn urls_are_read_strictly() {
        assert_eq!(
            check_url("https://hooks.example.com/in", false).map(|u| u.to_string()),
            Ok("https://hooks.example.com/in".to_string())
        );
        assert_eq!(
            check_url("ftp://example.com/", false).err(),
            Some(Refusal::NotUrl)
        );
        assert_eq!(
            check_url("example.com/hook", false).err(),
            Some(Refusal::NotUrl)
        );
        assert_eq!(
            check_url("https://user:pw@example.com/", false).err(),
            Some(Refusal::Credentials)
        );
        assert_eq!(
            check_url("https://[::ffff:192.168.0.1]/", false).err(),
            Some(Refusal::Forbidden)
        );
        assert_eq!(
            check_url("https://0x7f000001/", false).err(),
            Some(Refusal::Forbidden)
        );
        assert_eq!(check_url("", false).err(), Some(Refusal::NotUrl));
    }
}
