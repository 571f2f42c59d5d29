//! Passwords for customer and staff log-in: the policy a new password must meet, and
//! hashing and verification with Argon2id, bounded and kept off the async runtime.
//!
//! Policy follows NIST SP 800-63B rather than composition rules: a length of 12 to 128
//! characters, no "one digit, one symbol" demands (they push people to `Password1!`),
//! but a refusal of passwords that attackers try first (a bundled list of the 10,000
//! most common ones) and of passwords built from the user's own username, customer
//! number or phone.
//!
//! Hashing uses OWASP's minimum Argon2id configuration (m = 19 MiB, t = 2, p = 1). One
//! hash costs 19 MiB of memory and tens of milliseconds of a core, so a burst of log-ins
//! could exhaust memory or starve the async workers: [`PasswordHasher`] runs each hash on
//! the blocking pool, lets at most `max_concurrent` run at once, and refuses at once
//! ([`HashError::Busy`]) when too many are already queued, so the caller can answer
//! "busy, try again" instead of letting requests pile up.
//!
//! Nothing here logs or returns a password or a stored hash, not even in an error.
use std::collections::HashSet;
use std::num::NonZeroUsize;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, LazyLock};

use argon2::password_hash::{PasswordHash, PasswordHasher as _, PasswordVerifier as _, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use rand::rngs::OsRng;
use rand::RngCore as _;
use serde::{Deserialize, Serialize};
use tokio::sync::{OwnedSemaphorePermit, Semaphore, TryAcquireError};

/// Fewest characters (Unicode scalar values, not bytes) a new password may have.
pub const MIN_PASSWORD_CHARS: usize = 12;

/// Most characters a new password may have: long enough for any passphrase, short
/// enough that nobody uses the hasher to chew on megabytes.
pub const MAX_PASSWORD_CHARS: usize = 128;

/// A personal string (username, customer number, phone) shorter than this is not
/// looked for in the password: "li" or "王" would refuse far too much.
pub const MIN_PERSONAL_CHARS: usize = 4;

/// Argon2id parameters for every new hash: m = 19456 KiB (19 MiB), t = 2, p = 1, a
/// 32-byte output. This is OWASP's Password Storage Cheat Sheet minimum for Argon2id
/// (and the `argon2` crate's default), chosen so that one log-in costs tens of
/// milliseconds on a server core while an attacker's GPU gets few guesses per second.
/// A stored hash made with less memory or fewer passes is re-hashed at the next
/// successful log-in (see [`Verification::needs_rehash`]).
pub const PARAMS: Params = match Params::new(19 * 1024, 2, 1, Some(Params::DEFAULT_OUTPUT_LEN)) {
    Ok(params) => params,
    Err(_) => panic!("the Argon2 parameters are out of range"),
};

/// A stored hash asking for more than this many KiB (8 × [`PARAMS`]) is treated as
/// unusable rather than computed: the semaphore bounds memory on the assumption that
/// one hash costs about [`PARAMS`]' 19 MiB, and a corrupted or planted row must not
/// make one log-in allocate gigabytes.
const MAX_STORED_M_COST: u32 = 8 * PARAMS.m_cost();

/// Likewise for passes: a corrupted `t` must not pin a core for minutes.
const MAX_STORED_T_COST: u32 = 8 * PARAMS.t_cost();

/// How many requests may wait for a hashing slot, by default. Beyond this a request is
/// refused at once: 64 queued hashes already mean a second or more of waiting on a
/// small server, and a client would rather hear "busy" than time out.
pub const DEFAULT_MAX_WAITING: usize = 64;

/// Why a new password is refused. Serialized as snake_case (`too_short`…) so the UI
/// can turn it into a translated message.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PasswordProblem {
    /// Fewer than [`MIN_PASSWORD_CHARS`] characters.
    TooShort,
    /// More than [`MAX_PASSWORD_CHARS`] characters.
    TooLong,
    /// In the list of the most common passwords (compared case-insensitively).
    TooCommon,
    /// Equal to, or containing, the username, customer number or phone.
    Personal,
}

/// The bundled list of the 10,000 most common passwords, lowercase, one per line;
/// lines starting with `#` are comments (source and licence).
static COMMON_PASSWORDS: LazyLock<HashSet<&'static str>> = LazyLock::new(|| {
    include_str!("../../../data/common-passwords.txt")
        .lines()
        .map(|line| line.trim_end_matches('\r'))
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
        .collect()
});

/// Checks a new password (at sign-up, reset or change) against the policy.
///
/// `personal` holds what an attacker targeting this user knows or guesses first: the
/// username, customer number, phone. Those of at least [`MIN_PERSONAL_CHARS`]
/// characters must not appear in the password, in any letter case. The password
/// itself is never altered (no trimming): what the user typed is what is hashed.
pub fn check_new_password(password: &str, personal: &[&str]) -> Result<(), PasswordProblem> {
    let chars = password.chars().count();
    if chars < MIN_PASSWORD_CHARS {
        return Err(PasswordProblem::TooShort);
    }
    if chars > MAX_PASSWORD_CHARS {
        return Err(PasswordProblem::TooLong);
    }
    let lowered = password.to_lowercase();
    if COMMON_PASSWORDS.contains(lowered.as_str()) {
        return Err(PasswordProblem::TooCommon);
    }
    let is_personal = personal
        .iter()
        .map(|item| item.trim())
        .filter(|item| item.chars().count() >= MIN_PERSONAL_CHARS)
        .any(|item| lowered.contains(&item.to_lowercase()));
    if is_personal {
        return Err(PasswordProblem::Personal);
    }
    Ok(())
}

/// Why hashing or verifying could not be done. Deliberately carries no detail: the
/// detail is logged (without the password), the caller only needs to know what to say.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum HashError {
    /// Too many requests are already waiting for a hashing slot: answer "busy, try
    /// again" (HTTP 503) rather than queue without bound.
    #[error("password hashing is busy")]
    Busy,
    /// Hashing failed (it should not): an internal error.
    #[error("password hashing failed")]
    Internal,
}

/// The outcome of checking a password against a stored hash.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Verification {
    /// The password is the right one.
    pub matches: bool,
    /// The stored hash was made with weaker settings than [`PARAMS`] (or another
    /// algorithm). When `matches` is also true, the caller should hash the password
    /// again with [`PasswordHasher::hash`] and store the new hash: this is the only
    /// moment the plain password is at hand to upgrade it.
    pub needs_rehash: bool,
}

impl Verification {
    const FAILED: Verification = Verification { matches: false, needs_rehash: false };
}

/// Hashes and verifies passwords on the blocking pool, at most `max_concurrent` at a
/// time, refusing work when `max_waiting` requests already wait.
///
/// Why bounded: each Argon2 computation holds 19 MiB and a core for tens of
/// milliseconds. Unbounded, a log-in burst (or an attacker's password spraying) would
/// grow memory without limit and crowd out every other request; bounded, memory stays
/// under `max_concurrent` × 19 MiB and an overload shows up as fast "busy" answers.
///
/// Cheap to clone (an `Arc` inside); all clones share the same limits.
#[derive(Clone)]
pub struct PasswordHasher {
    inner: Arc<Inner>,
}

struct Inner {
    /// One permit per hash allowed to run at once.
    permits: Arc<Semaphore>,
    /// Requests currently waiting for a permit.
    waiting: AtomicUsize,
    max_waiting: usize,
    /// Test-only instrumentation: how many hashes run now, the most ever at once, and
    /// how many Argon2 computations were run in total.
    #[cfg(test)]
    probe: probe::Probe,
}

impl std::fmt::Debug for PasswordHasher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PasswordHasher")
            .field("available_permits", &self.inner.permits.available_permits())
            .field("waiting", &self.inner.waiting.load(Ordering::Relaxed))
            .field("max_waiting", &self.inner.max_waiting)
            .finish()
    }
}

/// Makes glibc serve allocations of 1 MiB and more with mmap, so that each 19 MiB
/// Argon2 buffer goes back to the OS when freed. By default glibc raises its mmap
/// threshold after the first such free and then keeps the buffers in the per-thread
/// arenas of the blocking pool: a log-in storm measured +350 MiB resident with the
/// semaphore letting only two hashes run. With this setting the same storm adds
/// about 40 MiB, i.e. the bound the semaphore promises.
fn return_big_buffers_to_the_os() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        static ONCE: std::sync::Once = std::sync::Once::new();
        ONCE.call_once(|| {
            // SAFETY: mallopt only changes allocator tuning; it is thread-safe in glibc
            // and takes plain integers. A zero return (refused) leaves the default.
            let applied = unsafe { libc::mallopt(libc::M_MMAP_THRESHOLD, 1 << 20) };
            if applied == 0 {
                tracing::warn!("could not set the mmap threshold; password hashing may hold more memory");
            }
        });
    }
}

impl PasswordHasher {
    /// A hasher running at most `max_concurrent` hashes at once (at least 1) with at
    /// most `max_waiting` requests queued behind them.
    pub fn new(max_concurrent: usize, max_waiting: usize) -> Self {
        return_big_buffers_to_the_os();
        let permits = max_concurrent.clamp(1, Semaphore::MAX_PERMITS);
        PasswordHasher {
            inner: Arc::new(Inner {
                permits: Arc::new(Semaphore::new(permits)),
                waiting: AtomicUsize::new(0),
                max_waiting,
                #[cfg(test)]
                probe: probe::Probe::default(),
            }),
        }
    }

    /// One concurrent hash per core (Argon2 with p = 1 uses one core, so more would
    /// only queue inside the OS while holding memory), and [`DEFAULT_MAX_WAITING`].
    pub fn from_available_parallelism() -> Self {
        let cores = std::thread::available_parallelism().map(NonZeroUsize::get).unwrap_or(1);
        Self::new(cores, DEFAULT_MAX_WAITING)
    }

    /// Hashes a password with Argon2id and [`PARAMS`] under a fresh random salt, giving
    /// a PHC string (`$argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>`) to store.
    pub async fn hash(&self, password: &str) -> Result<String, HashError> {
        let password = password.to_owned();
        self.run(move || hash_blocking(password.as_bytes())).await?
    }

    /// Checks `password` against a stored PHC hash.
    ///
    /// `stored` is `None` when no account has the name given: the password is then
    /// checked against a fixed dummy hash made with the same [`PARAMS`], and the answer
    /// is `matches: false`. Why: a log-in for an unknown name must cost the same time
    /// as one with a wrong password, or response times would tell an attacker which
    /// usernames exist. An unusable stored hash (malformed, not Argon2, absurd costs)
    /// also gives `matches: false`, after the same dummy work, with a warning logged.
    pub async fn verify(&self, password: &str, stored: Option<&str>) -> Result<Verification, HashError> {
        let password = password.to_owned();
        let stored = stored.map(str::to_owned);
        self.run(move || verify_blocking(password.as_bytes(), stored.as_deref())).await
    }

    /// Makes the dummy hash now (one hash's worth of work, on the blocking pool), so
    /// that the first log-in for an unknown name is not slower than later ones. Optional:
    /// call it once at start-up.
    pub async fn warm_up(&self) -> Result<(), HashError> {
        self.run(|| {
            LazyLock::force(&DUMMY_HASH);
        })
        .await
    }

    /// Runs `job` on the blocking pool while holding a permit.
    async fn run<T, F>(&self, job: F) -> Result<T, HashError>
    where
        T: Send + 'static,
        F: FnOnce() -> T + Send + 'static,
    {
        let permit = self.acquire().await?;
        #[cfg(test)]
        let inner = Arc::clone(&self.inner);
        let task = tokio::task::spawn_blocking(move || {
            // The permit moves into the blocking task: if the caller gives up (its
            // future is dropped), the hash still runs to the end and the permit is
            // only released then, so the bound holds for work actually in progress.
            let _permit = permit;
            #[cfg(test)]
            let _running = inner.probe.enter();
            job()
        });
        task.await.map_err(|err| {
            // The panic payload is not logged: it is not ours to vouch for.
            tracing::error!(panicked = err.is_panic(), "password hashing task failed");
            HashError::Internal
        })
    }

    /// A permit at once if one is free; otherwise a place in the queue if fewer than
    /// `max_waiting` requests hold one; otherwise [`HashError::Busy`].
    async fn acquire(&self) -> Result<OwnedSemaphorePermit, HashError> {
        match Arc::clone(&self.inner.permits).try_acquire_owned() {
            Ok(permit) => return Ok(permit),
            Err(TryAcquireError::Closed) => return Err(HashError::Internal),
            Err(TryAcquireError::NoPermits) => {}
        }
        let max_waiting = self.inner.max_waiting;
        let reserved = self
            .inner
            .waiting
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |waiting| (waiting < max_waiting).then_some(waiting + 1))
            .is_ok();
        if !reserved {
            // Debug, not warn: under a flood this line would come once per refused
            // request; the caller reports the refusal (`Busy`) as it sees fit.
            tracing::debug!(max_waiting, "password hashing is saturated; refusing the request");
            return Err(HashError::Busy);
        }
        // Frees the place in the queue however the wait ends: a permit, or the caller
        // dropping this future (client gone, timeout).
        let _place = WaitingPlace(&self.inner.waiting);
        Arc::clone(&self.inner.permits).acquire_owned().await.map_err(|_| HashError::Internal)
    }
}

/// A reserved place in the waiting count, given back on drop.
struct WaitingPlace<'a>(&'a AtomicUsize);

impl Drop for WaitingPlace<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::AcqRel);
    }
}

/// Whether a stored PHC string is a usable Argon2 hash at least as strong as
/// [`PARAMS`]: Argon2id, version 0x13, no less memory, no fewer passes, a full-length
/// output. `false` for anything unparsable.
pub fn parse_is_current(stored: &str) -> bool {
    PasswordHash::new(stored)
        .ok()
        .and_then(|hash| usable(&hash).ok())
        .is_some_and(|(algorithm, version, params)| is_current(algorithm, version, &params))
}

fn is_current(algorithm: Algorithm, version: Version, params: &Params) -> bool {
    algorithm == Algorithm::Argon2id
        && version == Version::V0x13
        && params.m_cost() >= PARAMS.m_cost()
        && params.t_cost() >= PARAMS.t_cost()
        && params.output_len().unwrap_or(Params::DEFAULT_OUTPUT_LEN) >= Params::DEFAULT_OUTPUT_LEN
}

/// The Argon2 variant, version and parameters of a parsed hash, if we can and may
/// compute it; otherwise a reason fit for a log line (never the hash itself).
fn usable(hash: &PasswordHash<'_>) -> Result<(Algorithm, Version, Params), &'static str> {
    let algorithm = Algorithm::try_from(hash.algorithm).map_err(|_| "not an Argon2 hash")?;
    let version = match hash.version {
        None => Version::default(),
        Some(version) => Version::try_from(version).map_err(|_| "unknown Argon2 version")?,
    };
    let params = Params::try_from(hash).map_err(|_| "invalid Argon2 parameters")?;
    if hash.salt.is_none() || hash.hash.is_none() {
        return Err("salt or hash missing");
    }
    if params.m_cost() > MAX_STORED_M_COST || params.t_cost() > MAX_STORED_T_COST {
        return Err("Argon2 costs beyond the allowed maximum");
    }
    Ok((algorithm, version, params))
}

/// The Argon2id instance for new hashes.
fn argon2() -> Argon2<'static> {
    Argon2::new(Algorithm::Argon2id, Version::V0x13, PARAMS)
}

fn hash_blocking(password: &[u8]) -> Result<String, HashError> {
    #[cfg(test)]
    probe::count_run();
    let salt = SaltString::generate(&mut OsRng);
    argon2().hash_password(password, &salt).map(|hash| hash.to_string()).map_err(|err| {
        tracing::error!(error = %err, "argon2 hashing failed");
        HashError::Internal
    })
}

/// A hash of a random, never-kept password, made once with [`PARAMS`]: what
/// [`PasswordHasher::verify`] checks against when there is no real hash, so that the
/// failure costs what a real check costs. `None` only if hashing failed at the first
/// use; the dummy path then hashes the password afresh, which costs the same.
static DUMMY_HASH: LazyLock<Option<String>> = LazyLock::new(|| {
    let mut secret = [0u8; 32];
    OsRng.fill_bytes(&mut secret);
    hash_blocking(&secret).ok()
});

/// Spends one Argon2 computation with [`PARAMS`] on `password`, discarding the result.
fn dummy_work(password: &[u8]) {
    let dummy = DUMMY_HASH.as_deref().and_then(|dummy| PasswordHash::new(dummy).ok());
    match dummy {
        Some(dummy) => {
            #[cfg(test)]
            probe::count_run();
            let _ = argon2().verify_password(password, &dummy);
        }
        None => {
            let _ = hash_blocking(password);
        }
    }
}

fn verify_blocking(password: &[u8], stored: Option<&str>) -> Verification {
    let Some(stored) = stored else {
        dummy_work(password);
        return Verification::FAILED;
    };
    let checked = PasswordHash::new(stored)
        .map_err(|_| "not a PHC string")
        .and_then(|hash| usable(&hash).map(|(algorithm, version, params)| (hash, algorithm, version, params)));
    let (hash, algorithm, version, params) = match checked {
        Ok(checked) => checked,
        Err(reason) => {
            tracing::warn!(reason, "stored password hash is unusable; the log-in fails");
            dummy_work(password);
            return Verification::FAILED;
        }
    };
    let needs_rehash = !is_current(algorithm, version, &params);
    #[cfg(test)]
    probe::count_run();
    // `verify_password` takes algorithm, version and parameters from the stored hash
    // and compares the outputs in constant time.
    match Argon2::new(algorithm, version, params).verify_password(password, &hash) {
        Ok(()) => Verification { matches: true, needs_rehash },
        Err(argon2::password_hash::Error::Password) => Verification { matches: false, needs_rehash },
        Err(err) => {
            tracing::warn!(error = %err, "stored password hash could not be verified; the log-in fails");
            Verification::FAILED
        }
    }
}

/// Test-only instrumentation of the hasher.
#[cfg(test)]
mod probe {
    use std::sync::atomic::{AtomicUsize, Ordering};

    pub(super) fn count_run() {
        RUNS_HERE.with(|runs| runs.set(runs.get() + 1));
    }

    thread_local! {
        /// Argon2 computations run on this blocking thread by the current job: reset
        /// when a job starts, added to its hasher's `Probe::runs` when it ends.
        pub(super) static RUNS_HERE: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
    }

    #[derive(Default)]
    pub(super) struct Probe {
        pub(super) running: AtomicUsize,
        pub(super) peak: AtomicUsize,
        pub(super) runs: AtomicUsize,
    }

    impl Probe {
        pub(super) fn enter(&self) -> Running<'_> {
            let now = self.running.fetch_add(1, Ordering::SeqCst) + 1;
            self.peak.fetch_max(now, Ordering::SeqCst);
            RUNS_HERE.with(|runs| runs.set(0));
            Running(self)
        }
    }

    pub(super) struct Running<'a>(&'a Probe);

    impl Drop for Running<'_> {
        fn drop(&mut self) {
            let runs = RUNS_HERE.with(|runs| runs.replace(0));
            self.0.runs.fetch_add(runs, Ordering::SeqCst);
            self.0.running.fetch_sub(1, Ordering::SeqCst);
        }
    }
}

#[cfg(test)]
mod tests;
