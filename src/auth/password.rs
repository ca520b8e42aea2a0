//! argon2id hashing with OWASP's parameters, run off the event loop and
//! bounded in how many run at once.

use std::sync::{Arc, Mutex, OnceLock};

use argon2::password_hash::{Output, ParamsString, PasswordHash, SaltString};
use argon2::{Algorithm, Argon2, Block, Params, Version};
use tokio::sync::Semaphore;

use crate::error::AppError;

fn params() -> Params {
    // OWASP: argon2id, m = 19 MiB, t = 2, p = 1.
    Params::new(19456, 2, 1, None).expect("valid argon2 parameters")
}

/// Working memory for argon2, kept between hashes: at most one block set
/// per hash running at once (the `Hasher`'s permits), so sign-ins do not
/// leave freed 19 MiB allocations behind in the allocator.
static MEMORY: Mutex<Vec<Vec<Block>>> = Mutex::new(Vec::new());

fn with_memory<T>(blocks: usize, f: impl FnOnce(&mut [Block]) -> T) -> T {
    let taken = MEMORY.lock().ok().and_then(|mut m| {
        let i = m.iter().position(|b| b.len() == blocks)?;
        Some(m.swap_remove(i))
    });
    let mut memory = taken.unwrap_or_else(|| vec![Block::default(); blocks]);
    let out = f(&mut memory);
    if let Ok(mut m) = MEMORY.lock()
        && m.len() < 8
    {
        m.push(memory);
    }
    out
}

/// The raw argon2 output of `password` under `salt` and `params`.
fn raw_hash(
    algorithm: Algorithm,
    version: Version,
    params: Params,
    password: &[u8],
    salt: &[u8],
    out_len: usize,
) -> Result<Vec<u8>, argon2::Error> {
    let blocks = params.block_count();
    let argon = Argon2::new(algorithm, version, params);
    let mut out = vec![0u8; out_len];
    with_memory(blocks, |memory| {
        argon.hash_password_into_with_memory(password, salt, &mut out, memory)
    })?;
    Ok(out)
}

pub fn hash_blocking(password: &str) -> Result<String, AppError> {
    let fail = |e: String| AppError::Internal(format!("hash: {e}"));
    let mut salt_bytes = [0u8; 16];
    rand::fill(&mut salt_bytes);
    let salt = SaltString::encode_b64(&salt_bytes).map_err(|e| fail(e.to_string()))?;
    let params = params();
    let out = raw_hash(
        Algorithm::Argon2id,
        Version::V0x13,
        params.clone(),
        password.as_bytes(),
        &salt_bytes,
        Params::DEFAULT_OUTPUT_LEN,
    )
    .map_err(|e| fail(e.to_string()))?;
    let phc = PasswordHash {
        algorithm: Algorithm::Argon2id.ident(),
        version: Some(Version::V0x13.into()),
        params: ParamsString::try_from(&params).map_err(|e| fail(e.to_string()))?,
        salt: Some(salt.as_salt()),
        hash: Some(Output::new(&out).map_err(|e| fail(e.to_string()))?),
    };
    Ok(phc.to_string())
}

pub fn verify_blocking(password: &str, hash: &str) -> bool {
    let Ok(parsed) = PasswordHash::new(hash) else {
        return false;
    };
    let (Ok(algorithm), Some(salt), Some(expected)) = (
        Algorithm::try_from(parsed.algorithm),
        parsed.salt,
        parsed.hash,
    ) else {
        return false;
    };
    let version = parsed
        .version
        .and_then(|v| Version::try_from(v).ok())
        .unwrap_or_default();
    let Ok(params) = Params::try_from(&parsed) else {
        return false;
    };
    let mut salt_buf = [0u8; 64];
    let Ok(salt) = salt.decode_b64(&mut salt_buf) else {
        return false;
    };
    match raw_hash(
        algorithm,
        version,
        params,
        password.as_bytes(),
        salt,
        expected.len(),
    ) {
        // `Output`'s equality is constant-time.
        Ok(out) => Output::new(&out).is_ok_and(|o| o == expected),
        Err(_) => false,
    }
}

/// A hash of a random password, verified against when the account does
/// not exist so both answers take the same time.
fn dummy_hash() -> &'static str {
    static HASH: OnceLock<String> = OnceLock::new();
    HASH.get_or_init(|| {
        hash_blocking(&crate::auth::random_id(24))
            .unwrap_or_else(|_| "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaA".into())
    })
}

/// Runs hashing on the blocking pool, at most `permits` at once.
#[derive(Clone)]
pub struct Hasher {
    permits: Arc<Semaphore>,
}

impl Hasher {
    pub fn new(permits: usize) -> Hasher {
        // Make the dummy hash now, not during the first sign-in.
        let _ = dummy_hash();
        Hasher {
            permits: Arc::new(Semaphore::new(permits.max(1))),
        }
    }

    pub async fn hash(&self, password: String) -> Result<String, AppError> {
        let _permit = self
            .permits
            .acquire()
            .await
            .map_err(|_| AppError::Unavailable)?;
        actix_web::web::block(move || hash_blocking(&password))
            .await
            .map_err(|e| AppError::Internal(e.to_string()))?
    }

    /// Verifies against `hash`, or against the dummy hash when `None`
    /// (and then always fails).
    pub async fn verify(&self, password: String, hash: Option<String>) -> Result<bool, AppError> {
        let _permit = self
            .permits
            .acquire()
            .await
            .map_err(|_| AppError::Unavailable)?;
        actix_web::web::block(move || match hash {
            Some(h) => verify_blocking(&password, &h),
            None => {
                let _ = verify_blocking(&password, dummy_hash());
                false
            }
        })
        .await
        .map_err(|e| AppError::Internal(e.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_hashes_made_the_standard_way() {
        use argon2::password_hash::PasswordHasher;
        let salt = SaltString::encode_b64(b"sixteen byte slt").unwrap();
        let standard = Argon2::new(Algorithm::Argon2id, Version::V0x13, params())
            .hash_password(b"correct horse battery", &salt)
            .unwrap()
            .to_string();
        assert!(verify_blocking("correct horse battery", &standard));
        assert!(!verify_blocking("correct horse batterx", &standard));
        // And ours is the standard PHC string for the same inputs.
        let ours = hash_blocking("correct horse battery").unwrap();
        let parsed = PasswordHash::new(&ours).unwrap();
        assert_eq!(parsed.algorithm.as_str(), "argon2id");
        assert_eq!(parsed.hash.unwrap().len(), Params::DEFAULT_OUTPUT_LEN);
    }

    #[test]
    fn hashes_and_verifies() {
        let h = hash_blocking("correct horse battery").unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert!(h.contains("m=19456,t=2,p=1"));
        assert!(verify_blocking("correct horse battery", &h));
        assert!(!verify_blocking("wrong horse battery", &h));
        assert!(!verify_blocking("x", "not a hash"));
    }
}
