//! A small in-process cache for answers that may be a few seconds old
//! (search results, catalogue counts): many visitors asking the same thing
//! cost one query per entry and period, and those who ask while it is
//! being loaded wait for that one load instead of each running their own.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::models::catalogue::ListingCard;
use crate::models::engagements::Review;
use crate::models::listings::{Card, Listing, Rating};
use crate::models::partners::Partner;
use crate::web::paging::Page;

/// What the public pages show every visitor alike (the home page's
/// listings, catalogue pages, a listing with a page of its reviews, a
/// partner's page), kept for `AGORA_PUBLIC_CACHE_SECONDS`.
///
/// Every change made through this process (any POST) starts a new
/// generation, and keys carry the generation they were read in: after a
/// change, nothing read before it is served again. A change made through
/// another process sharing the database shows within the cache's age.
pub struct PublicCache {
    generation: AtomicU64,
    pub home: TtlCache<Vec<ListingCard>>,
    pub cards: TtlCache<Page<Card>>,
    pub listings: TtlCache<PublicListing>,
    pub partners: TtlCache<PublicPartner>,
}

/// A public listing with its partner, category name and a page of reviews.
pub struct PublicListing {
    pub listing: Listing,
    pub partner: Partner,
    pub category: Option<String>,
    pub reviews: Page<(Review, String)>,
}

/// A public partner with its rating and a page of its listings.
pub struct PublicPartner {
    pub partner: Partner,
    pub rating: Rating,
    pub cards: Page<Card>,
}

impl PublicCache {
    pub fn new(ttl: Duration) -> PublicCache {
        PublicCache {
            generation: AtomicU64::new(0),
            home: TtlCache::new(ttl, 4),
            cards: TtlCache::new(ttl, 2048),
            listings: TtlCache::new(ttl, 4096),
            partners: TtlCache::new(ttl, 1024),
        }
    }

    /// The cache key for `what`, in the current generation.
    pub fn key(&self, what: std::fmt::Arguments) -> String {
        format!("{}|{what}", self.generation.load(Ordering::Acquire))
    }

    /// Something may have changed: what was read before is not served.
    pub fn changed(&self) {
        self.generation.fetch_add(1, Ordering::AcqRel);
    }
}

pub struct TtlCache<V> {
    entries: Mutex<HashMap<String, (Instant, Arc<V>)>>,
    /// One gate per key being loaded now.
    loading: Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>,
    ttl: Duration,
    max: usize,
}

/// Takes a key's gate out of the loading map when its load ends.
struct Leave<'a> {
    loading: &'a Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>,
    key: String,
    gate: Arc<tokio::sync::Mutex<()>>,
    armed: bool,
}

impl Drop for Leave<'_> {
    fn drop(&mut self) {
        if !self.armed {
            return;
        }
        if let Ok(mut loading) = self.loading.lock()
            && loading
                .get(&self.key)
                .is_some_and(|current| Arc::ptr_eq(current, &self.gate))
        {
            loading.remove(&self.key);
        }
    }
}

impl<V> TtlCache<V> {
    pub fn new(ttl: Duration, max: usize) -> TtlCache<V> {
        TtlCache {
            entries: Mutex::new(HashMap::new()),
            loading: Mutex::new(HashMap::new()),
            ttl,
            max,
        }
    }

    /// The value kept for `key`, when it is younger than the cache's age.
    pub fn get(&self, key: &str) -> Option<Arc<V>> {
        let entries = self.entries.lock().ok()?;
        entries
            .get(key)
            .filter(|(at, _)| at.elapsed() < self.ttl)
            .map(|(_, v)| v.clone())
    }

    /// Keeps `value` for `key`. When full, old entries go first; if none
    /// is old, everything goes (the cache stays bounded either way).
    pub fn put(&self, key: String, value: Arc<V>) {
        let Ok(mut entries) = self.entries.lock() else {
            return;
        };
        if entries.len() >= self.max {
            let ttl = self.ttl;
            entries.retain(|_, (at, _)| at.elapsed() < ttl);
            if entries.len() >= self.max {
                entries.clear();
            }
        }
        entries.insert(key, (Instant::now(), value));
    }

    /// The value kept for `key`, or the one `load` makes (then kept). While
    /// one request loads a key, others asking for it wait and take its
    /// answer: a cold search asked by thirty visitors at once runs once.
    pub async fn get_or_load<E, F, Fut>(&self, key: String, load: F) -> Result<Arc<V>, E>
    where
        F: FnOnce() -> Fut,
        Fut: std::future::Future<Output = Result<V, E>>,
    {
        if let Some(v) = self.get(&key) {
            return Ok(v);
        }
        let (gate, mut leave) = self.gate(&key);
        let held = match &gate {
            Some(g) => Some(g.lock().await),
            None => None,
        };
        if let Some(v) = self.through_gate(&key, &mut leave) {
            return Ok(v);
        }
        let loaded = self.keep(key, load().await);
        drop(held);
        loaded
    }

    /// `get_or_load` for work already on the blocking pool (inside
    /// `db::run`): those waiting block their thread, so never on the HTTP
    /// worker.
    pub fn get_or_load_blocking<E>(
        &self,
        key: &str,
        load: impl FnOnce() -> Result<V, E>,
    ) -> Result<Arc<V>, E> {
        if let Some(v) = self.get(key) {
            return Ok(v);
        }
        let (gate, mut leave) = self.gate(key);
        let held = gate.as_ref().map(|g| g.blocking_lock());
        if let Some(v) = self.through_gate(key, &mut leave) {
            return Ok(v);
        }
        let loaded = self.keep(key.to_string(), load());
        drop(held);
        loaded
    }

    /// The gate of `key` (shared by everyone loading it now), and what
    /// takes it out of the loading map however the load ends, a dropped
    /// request included.
    fn gate(&self, key: &str) -> (Option<Arc<tokio::sync::Mutex<()>>>, Option<Leave<'_>>) {
        let gate = match self.loading.lock() {
            Ok(mut loading) => Some(loading.entry(key.to_string()).or_default().clone()),
            Err(_) => None,
        };
        let leave = gate.clone().map(|gate| Leave {
            loading: &self.loading,
            key: key.to_string(),
            gate,
            armed: false,
        });
        (gate, leave)
    }

    /// Through the gate: the value whoever held it before loaded, if any.
    fn through_gate(&self, key: &str, leave: &mut Option<Leave<'_>>) -> Option<Arc<V>> {
        // Only a request that got through the gate takes it away: one that
        // gave up waiting leaves it to the one loading.
        if let Some(l) = leave.as_mut() {
            l.armed = true;
        }
        self.get(key)
    }

    fn keep<E>(&self, key: String, loaded: Result<V, E>) -> Result<Arc<V>, E> {
        let loaded = loaded.map(Arc::new);
        if let Ok(v) = &loaded {
            self.put(key, v.clone());
        }
        loaded
    }

    /// Drops every entry whose key starts with `prefix`: what a change
    /// makes wrong is not kept until it ages out.
    pub fn forget_prefix(&self, prefix: &str) {
        if let Ok(mut entries) = self.entries.lock() {
            entries.retain(|k, _| !k.starts_with(prefix));
        }
    }

    /// Drops the entry for exactly `key`.
    pub fn forget(&self, key: &str) {
        if let Ok(mut entries) = self.entries.lock() {
            entries.remove(key);
        }
    }

    pub fn clear(&self) {
        if let Ok(mut entries) = self.entries.lock() {
            entries.clear();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_age_out_and_the_cache_stays_bounded() {
        let c = TtlCache::new(Duration::from_millis(30), 2);
        c.put("a".into(), Arc::new(1));
        assert_eq!(c.get("a").as_deref(), Some(&1));
        c.put("b".into(), Arc::new(2));
        c.put("c".into(), Arc::new(3));
        assert!(c.entries.lock().unwrap().len() <= 2);
        std::thread::sleep(Duration::from_millis(40));
        assert_eq!(c.get("c"), None);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn callers_asking_during_a_load_share_it() {
        let c = Arc::new(TtlCache::new(Duration::from_secs(60), 8));
        let loads = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let mut tasks = Vec::new();
        for _ in 0..16 {
            let (c, loads) = (c.clone(), loads.clone());
            tasks.push(tokio::spawn(async move {
                c.get_or_load("q".into(), || async {
                    loads.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                    tokio::time::sleep(Duration::from_millis(30)).await;
                    Ok::<_, ()>(7)
                })
                .await
            }));
        }
        for t in tasks {
            assert_eq!(*t.await.unwrap().unwrap(), 7);
        }
        assert_eq!(loads.load(std::sync::atomic::Ordering::SeqCst), 1);
        assert!(c.loading.lock().unwrap().is_empty());
        // A failed load is not kept: the next caller loads again.
        let failed = c
            .get_or_load("e".into(), || async { Err::<i32, _>("down") })
            .await;
        assert_eq!(failed, Err("down"));
        let again = c
            .get_or_load("e".into(), || async { Ok::<_, &str>(1) })
            .await;
        assert_eq!(again.as_deref(), Ok(&1));
    }

    #[test]
    fn threads_asking_during_a_blocking_load_share_it() {
        let c = Arc::new(TtlCache::new(Duration::from_secs(60), 8));
        let loads = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let threads: Vec<_> = (0..8)
            .map(|_| {
                let (c, loads) = (c.clone(), loads.clone());
                std::thread::spawn(move || {
                    c.get_or_load_blocking("q", || {
                        loads.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                        std::thread::sleep(Duration::from_millis(30));
                        Ok::<_, ()>(7)
                    })
                })
            })
            .collect();
        for t in threads {
            assert_eq!(*t.join().unwrap().unwrap(), 7);
        }
        assert_eq!(loads.load(std::sync::atomic::Ordering::SeqCst), 1);
        assert!(c.loading.lock().unwrap().is_empty());
        // A failed load is not kept, and leaves no gate behind.
        assert_eq!(
            c.get_or_load_blocking("e", || Err::<i32, _>("down")),
            Err("down")
        );
        assert!(c.loading.lock().unwrap().is_empty());
        assert_eq!(
            c.get_or_load_blocking("e", || Ok::<_, &str>(1)).as_deref(),
            Ok(&1)
        );
    }

    #[test]
    fn a_change_starts_a_new_generation_of_keys() {
        let p = PublicCache::new(Duration::from_secs(60));
        let before = p.key(format_args!("home"));
        assert_eq!(p.key(format_args!("home")), before);
        p.changed();
        assert_ne!(p.key(format_args!("home")), before);
    }

    #[test]
    fn forgetting_a_prefix_keeps_the_rest() {
        let c = TtlCache::new(Duration::from_secs(60), 8);
        c.put("crm:1:a".into(), Arc::new(1));
        c.put("crm:1:b".into(), Arc::new(2));
        c.put("crm:12:a".into(), Arc::new(3));
        c.forget_prefix("crm:1:");
        assert_eq!(c.get("crm:1:a"), None);
        assert_eq!(c.get("crm:1:b"), None);
        assert_eq!(c.get("crm:12:a").as_deref(), Some(&3));
    }
}
