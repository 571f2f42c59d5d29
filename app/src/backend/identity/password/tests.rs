//! Unit tests of the parent module.
use std::time::{Duration, Instant};

use tokio::task::JoinSet;

use super::*;

const PREFIX: &str = "$argon2id$v=19$m=19456,t=2,p=1$";

/// Argon2 computations a hasher has run so far.
fn runs(hasher: &PasswordHasher) -> usize {
    hasher.inner.probe.runs.load(Ordering::SeqCst)
}

fn weak_hash(password: &str, algorithm: Algorithm, m_cost: u32, t_cost: u32) -> String {
    let params = Params::new(m_cost, t_cost, 1, None).unwrap();
    let salt = SaltString::generate(&mut OsRng);
    Argon2::new(algorithm, Version::V0x13, params).hash_password(password.as_bytes(), &salt).unwrap().to_string()
}

#[test]
fn params_are_owasp_minimum() {
    assert_eq!((PARAMS.m_cost(), PARAMS.t_cost(), PARAMS.p_cost()), (19456, 2, 1));
    assert_eq!(PARAMS.output_len(), Some(32));
}

#[tokio::test]
async fn hash_is_a_phc_string_with_current_params() {
    let hasher = PasswordHasher::new(2, 4);
    let phc = hasher.hash("correct horse battery staple").await.unwrap();
    assert!(phc.starts_with(PREFIX), "{phc}");
    assert!(parse_is_current(&phc));
    // A fresh salt each time.
    let again = hasher.hash("correct horse battery staple").await.unwrap();
    assert_ne!(phc, again);
}

#[tokio::test]
async fn verifies_right_and_wrong_passwords() {
    let hasher = PasswordHasher::new(2, 4);
    let phc = hasher.hash("邮政储蓄 my long passphrase").await.unwrap();
    let right = hasher.verify("邮政储蓄 my long passphrase", Some(&phc)).await.unwrap();
    assert_eq!(right, Verification { matches: true, needs_rehash: false });
    let wrong = hasher.verify("邮政储蓄 my long passphrasE", Some(&phc)).await.unwrap();
    assert_eq!(wrong, Verification { matches: false, needs_rehash: false });
}

#[tokio::test]
async fn unknown_user_costs_a_real_verification() {
    let hasher = PasswordHasher::new(1, 8);
    hasher.warm_up().await.unwrap();
    let stored = hasher.hash("the real password of somebody").await.unwrap();
    let before = runs(&hasher);
    let mut unknown = Duration::MAX;
    let mut wrong = Duration::MAX;
    for _ in 0..3 {
        let started = Instant::now();
        let verdict = hasher.verify("a guess of the attacker", None).await.unwrap();
        unknown = unknown.min(started.elapsed());
        assert_eq!(verdict, Verification { matches: false, needs_rehash: false });

        let started = Instant::now();
        let verdict = hasher.verify("a guess of the attacker", Some(&stored)).await.unwrap();
        wrong = wrong.min(started.elapsed());
        assert!(!verdict.matches);
    }
    // Exactly one Argon2 computation per verification, on either path.
    assert_eq!(runs(&hasher) - before, 6);
    // And they cost about the same (minimums, to shrug off a loaded machine).
    let ratio = unknown.as_secs_f64() / wrong.as_secs_f64();
    assert!((0.5..2.0).contains(&ratio), "unknown {unknown:?} vs wrong {wrong:?}");
    assert!(unknown >= Duration::from_millis(2), "{unknown:?}");
}

#[tokio::test]
async fn unusable_stored_hash_fails_after_the_same_work() {
    let hasher = PasswordHasher::new(1, 8);
    hasher.warm_up().await.unwrap();
    let bcrypt = "$2b$12$R9h/cIPz0gi.URNNX3kh2OPST9/PgBkqquzi.Ss7KIUgO2t0jWMUW";
    let huge = "$argon2id$v=19$m=4194304,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$\
                ZGVhZGJlZWZkZWFkYmVlZmRlYWRiZWVmZGVhZGJlZWY";
    let pbkdf2 = "$pbkdf2-sha256$i=1000$c29tZXNhbHQ$ZGVhZGJlZWZkZWFkYmVlZmRlYWRiZWVmZGVhZGJlZWY";
    let no_hash = "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA";
    for stored in ["", "garbage", bcrypt, huge, pbkdf2, no_hash] {
        let before = runs(&hasher);
        let verdict = hasher.verify("whatever the user typed", Some(stored)).await.unwrap();
        assert_eq!(verdict, Verification { matches: false, needs_rehash: false }, "{stored}");
        assert_eq!(runs(&hasher) - before, 1, "{stored}");
        assert!(!parse_is_current(stored), "{stored}");
    }
}

#[tokio::test]
async fn weaker_hashes_need_rehash() {
    let hasher = PasswordHasher::new(2, 4);
    let password = "an old but still valid password";
    for weak in [
        weak_hash(password, Algorithm::Argon2id, 8192, 1),
        weak_hash(password, Algorithm::Argon2id, 8192, 2),
        weak_hash(password, Algorithm::Argon2id, 19456, 1),
        weak_hash(password, Algorithm::Argon2i, 19456, 2),
    ] {
        assert!(!parse_is_current(&weak), "{weak}");
        let verdict = hasher.verify(password, Some(&weak)).await.unwrap();
        assert_eq!(verdict, Verification { matches: true, needs_rehash: true }, "{weak}");
        let verdict = hasher.verify("not the password at all", Some(&weak)).await.unwrap();
        assert_eq!(verdict, Verification { matches: false, needs_rehash: true }, "{weak}");
    }
    // Stronger than the minimum is current.
    let stronger = weak_hash(password, Algorithm::Argon2id, 32768, 3);
    assert!(parse_is_current(&stronger));
    let verdict = hasher.verify(password, Some(&stronger)).await.unwrap();
    assert_eq!(verdict, Verification { matches: true, needs_rehash: false });
}

#[tokio::test]
async fn busy_beyond_the_waiting_limit_and_never_more_than_max_concurrent() {
    let hasher = PasswordHasher::new(1, 2);
    let mut tasks = JoinSet::new();
    for i in 0..10 {
        let hasher = hasher.clone();
        tasks.spawn(async move { hasher.hash(&format!("concurrent password number {i}")).await });
    }
    let (mut done, mut busy) = (0, 0);
    while let Some(result) = tasks.join_next().await {
        match result.unwrap() {
            Ok(phc) => {
                assert!(phc.starts_with(PREFIX));
                done += 1;
            }
            Err(HashError::Busy) => busy += 1,
            Err(HashError::Internal) => panic!("internal error"),
        }
    }
    assert!(done >= 3, "{done} done, {busy} busy");
    assert!(busy >= 1, "{done} done, {busy} busy");
    assert_eq!(done + busy, 10);
    assert_eq!(hasher.inner.probe.peak.load(Ordering::SeqCst), 1);
    assert_eq!(hasher.inner.waiting.load(Ordering::SeqCst), 0);
}

#[tokio::test]
async fn a_cancelled_waiter_gives_its_place_back() {
    let hasher = PasswordHasher::new(1, 1);
    // Take the only permit, as a long hash would.
    let held = Arc::clone(&hasher.inner.permits).try_acquire_owned().unwrap();
    let waiter = {
        let hasher = hasher.clone();
        tokio::spawn(async move { hasher.hash("waiting patiently for my turn").await })
    };
    for _ in 0..100 {
        if hasher.inner.waiting.load(Ordering::SeqCst) == 1 {
            break;
        }
        tokio::task::yield_now().await;
    }
    assert_eq!(hasher.inner.waiting.load(Ordering::SeqCst), 1);
    // The queue is full: refused at once.
    assert_eq!(hasher.hash("one request too many").await, Err(HashError::Busy));
    assert_eq!(hasher.verify("one request too many", None).await, Err(HashError::Busy));
    // The waiting client goes away: its place is free again.
    waiter.abort();
    assert!(waiter.await.unwrap_err().is_cancelled());
    assert_eq!(hasher.inner.waiting.load(Ordering::SeqCst), 0);
    drop(held);
    assert!(hasher.hash("now there is room again").await.is_ok());
}

#[test]
fn zero_concurrency_still_allows_one() {
    let hasher = PasswordHasher::new(0, 0);
    assert_eq!(hasher.inner.permits.available_permits(), 1);
    let hasher = PasswordHasher::from_available_parallelism();
    assert!(hasher.inner.permits.available_permits() >= 1);
    assert_eq!(hasher.inner.max_waiting, DEFAULT_MAX_WAITING);
}

#[test]
fn length_counts_characters_not_bytes() {
    // 水 is three bytes in UTF-8 but one character.
    assert_eq!(check_new_password(&"水".repeat(11), &[]), Err(PasswordProblem::TooShort));
    assert_eq!(check_new_password(&"水".repeat(12), &[]), Ok(()));
    assert_eq!(check_new_password(&"水".repeat(128), &[]), Ok(()));
    assert_eq!(check_new_password(&"水".repeat(129), &[]), Err(PasswordProblem::TooLong));
    assert_eq!(check_new_password("k7#vQ-mZ2pX", &[]), Err(PasswordProblem::TooShort));
    assert_eq!(check_new_password("k7#vQ-mZ2pXw", &[]), Ok(()));
    assert_eq!(check_new_password(&"ab3".repeat(43)[..128], &[]), Ok(()));
    assert_eq!(check_new_password(&"ab3".repeat(43), &[]), Err(PasswordProblem::TooLong));
    assert_eq!(check_new_password("", &[]), Err(PasswordProblem::TooShort));
}

#[test]
fn common_passwords_are_refused_in_any_case() {
    for common in ["password1234", "qwertyuiop123", "1qaz2wsx3edc", "qwerty123456", "PassWord1234", "QWERTYUIOP123"] {
        assert_eq!(check_new_password(common, &[]), Err(PasswordProblem::TooCommon), "{common}");
    }
    assert_eq!(check_new_password("correct horse battery staple", &[]), Ok(()));
    assert_eq!(check_new_password("我家门前有两棵树 tall-pines-1987", &[]), Ok(()));
}

#[test]
fn personal_strings_are_refused() {
    let personal = ["ZhangWei88", "6217000012345678", "13800138000", "abc"];
    assert_eq!(check_new_password("zhangwei88", &personal), Err(PasswordProblem::TooShort));
    assert_eq!(check_new_password("ZHANGWEI88ZHANGWEI88", &personal), Err(PasswordProblem::Personal));
    assert_eq!(check_new_password("my-zhangwei88-secret", &personal), Err(PasswordProblem::Personal));
    assert_eq!(check_new_password("6217000012345678", &personal), Err(PasswordProblem::Personal));
    assert_eq!(check_new_password("call me on 13800138000!", &personal), Err(PasswordProblem::Personal));
    // Shorter than four characters: not looked for.
    assert_eq!(check_new_password("abc-river-stone-lantern", &personal), Ok(()));
    // Blank entries are ignored too.
    assert_eq!(check_new_password("abc-river-stone-lantern", &["", "   "]), Ok(()));
}

#[test]
fn bundled_list_is_clean() {
    let list = &*COMMON_PASSWORDS;
    assert_eq!(list.len(), 10_000);
    for entry in list {
        assert_eq!(*entry, entry.to_lowercase(), "{entry}");
        assert_eq!(*entry, entry.trim(), "{entry}");
    }
    for long in ["password1234", "qwertyuiop123", "1qaz2wsx3edc", "qwerty123456", "123456789abc"] {
        assert!(list.contains(long), "{long}");
    }
}

#[test]
fn problems_serialize_as_snake_case() {
    let json = serde_json::to_string(&[PasswordProblem::TooShort, PasswordProblem::TooCommon]).unwrap();
    assert_eq!(json, r#"["too_short","too_common"]"#);
    let back: PasswordProblem = serde_json::from_str(r#""personal""#).unwrap();
    assert_eq!(back, PasswordProblem::Personal);
}
