//! Unit tests of the parent module.
use super::*;
use serde_json::json;

fn content<'a>(detail: &'a str, origin: &'a str) -> Content<'a> {
    Content {
        at: 1_795_910_400_000_000,
        actor_kind: "customer",
        actor_id: Some(7),
        customer_id: Some(7),
        event: "login_succeeded",
        detail,
        origin,
    }
}

#[test]
fn hash_is_hex_sha256_and_depends_on_every_field() {
    let base = chain_hash(GENESIS_HASH, &content("{}", "203.0.113.0/24"));
    assert_eq!(base.len(), 64);
    assert!(base.chars().all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase()));
    assert_eq!(base, chain_hash(GENESIS_HASH, &content("{}", "203.0.113.0/24")), "deterministic");
    let variants = [
        chain_hash(&"1".repeat(64), &content("{}", "203.0.113.0/24")),
        chain_hash(GENESIS_HASH, &Content { at: 1, ..content("{}", "203.0.113.0/24") }),
        chain_hash(GENESIS_HASH, &Content { actor_kind: "staff", ..content("{}", "203.0.113.0/24") }),
        chain_hash(GENESIS_HASH, &Content { actor_id: None, ..content("{}", "203.0.113.0/24") }),
        chain_hash(GENESIS_HASH, &Content { customer_id: Some(8), ..content("{}", "203.0.113.0/24") }),
        chain_hash(GENESIS_HASH, &Content { event: "logged_out", ..content("{}", "203.0.113.0/24") }),
        chain_hash(GENESIS_HASH, &content("{\"a\":1}", "203.0.113.0/24")),
        chain_hash(GENESIS_HASH, &content("{}", "198.51.100.0/24")),
    ];
    for (i, variant) in variants.iter().enumerate() {
        assert_ne!(&base, variant, "field {i} is hashed");
    }
}

#[test]
fn encoding_is_unambiguous() {
    // Moving characters between adjacent text columns must change the hash.
    let a = chain_hash(GENESIS_HASH, &content("ab", "c"));
    let b = chain_hash(GENESIS_HASH, &content("a", "bc"));
    assert_ne!(a, b);
    // NULL is not 0.
    let null = chain_hash(GENESIS_HASH, &Content { actor_id: None, ..content("", "") });
    let zero = chain_hash(GENESIS_HASH, &Content { actor_id: Some(0), ..content("", "") });
    assert_ne!(null, zero);
}

#[test]
fn secret_keys_are_found_wherever_they_are() {
    let detail = json!({
        "password": "hunter2",
        "newPassword": "x",
        "recovery_codes": ["a", "b"],
        "nested": { "session_token": "t", "otp": 123456, "fine": 1 },
        "list": [{ "totp_secret": "JBSWY3DP" }],
        "card_number": "6222 **** **** 1234",
        "cvv": "123",
    });
    let mut found = secret_findings(&detail);
    found.sort();
    assert_eq!(
        found,
        [
            "$.card_number",
            "$.cvv",
            "$.list[0].totp_secret",
            "$.nested.otp",
            "$.nested.session_token",
            "$.newPassword",
            "$.password",
            "$.recovery_codes",
        ]
    );
    let mut paths = Vec::new();
    let scrubbed = scrub(&detail, "$", &mut paths);
    assert_eq!(scrubbed["password"], REDACTED);
    assert_eq!(scrubbed["nested"]["fine"], 1);
    assert!(!scrubbed.to_string().contains("hunter2"));
}

#[test]
fn keys_about_secrets_and_public_codes_pass() {
    let detail = json!({
        "credential_id": 3,
        "password_changed_at": 1,
        "recovery_codes_remaining": 7,
        "totp_enabled": true,
        "branch_code": "B001",
        "error_code": "locked",
        "failed_attempts": 5,
        "method": "recovery_code",
        "card": "6222 **** **** 1234",
        "process": "x",
        "status_code": 200,
    });
    assert_eq!(secret_findings(&detail), Vec::<String>::new());
    assert!(secret_findings(&Value::Null).is_empty());
}

#[test]
fn full_card_numbers_are_found_in_values() {
    // 4111 1111 1111 1111 is the classic Luhn-valid test number.
    assert_eq!(secret_findings(&json!({ "note": "4111 1111 1111 1111" })), ["$.note"]);
    assert_eq!(secret_findings(&json!(["4111-1111-1111-1111"])), ["$[0]"]);
    assert!(secret_findings(&json!({ "note": "4111 1111 1111 1112" })).is_empty(), "fails Luhn");
    assert!(secret_findings(&json!({ "phone": "13800000000" })).is_empty(), "too short");
    assert!(secret_findings(&json!({ "at": 1_795_910_400_000_000_i64 })).is_empty(), "numbers are not cards");
}

#[test]
fn event_names_and_origins() {
    assert!(is_event_name(events::LOGIN_SUCCEEDED));
    assert!(is_event_name("recovery_code_used"));
    assert!(!is_event_name("Login"));
    assert!(!is_event_name(""));
    assert!(!is_event_name("_x"));
    assert!(!is_event_name("login failed"));
    assert_eq!(clean_origin("203.0.113.0/24\r\nInjected: yes"), "203.0.113.0/24Injected: yes");
    assert_eq!(clean_origin(&"x".repeat(500)).len(), MAX_ORIGIN_CHARS);
}

#[test]
fn actors_and_kinds() {
    assert_eq!(Actor::Staff(4).kind().as_str(), "staff");
    assert_eq!(Actor::Customer(9).id(), Some(9));
    assert_eq!(Actor::System.id(), None);
    for kind in [ActorKind::Customer, ActorKind::Staff, ActorKind::System, ActorKind::Anonymous] {
        assert_eq!(ActorKind::parse(kind.as_str()), Some(kind));
    }
    assert_eq!(ActorKind::parse("root"), None);
}
