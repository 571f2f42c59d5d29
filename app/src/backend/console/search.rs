//! Customer search: one box, read as whatever the query can be.
//!
//! - `C` and digits: a customer number (case-insensitive, exact);
//! - 16 to 19 digits: a card number (exact);
//! - 11 digits: a phone number (exact);
//! - 4 digits: the end of a phone number or of a card number;
//! - 6 characters, digits with a final `X` allowed: the ID number's tail (and, when
//!   all digits, the end of a phone number);
//! - 5 to 10 digits otherwise: the end of a phone number;
//! - anything else of two characters or more: part of the name.
//!
//! At most [`MAX_RESULTS`] customers, by customer number; a card number is never
//! answered (the hit says "card tail"), nor is the query echoed back. Every search is audited with the kinds it
//! was read as and the number of customers found, never the query itself (a phone
//! number or an ID tail is personal data).
use super::{audit_staff, events};
use crate::api::console::{CustomerStatus, SearchHit, SearchKind, SearchResult, MAX_RESULTS, MIN_QUERY};
use crate::backend::auth::StaffActor;
use crate::backend::outbox::mask_phone;
use crate::backend::AppState;
use crate::error::AppError;
use crate::types::Localized;
use serde_json::json;
use std::collections::BTreeMap;

/// How a query is read: the kinds to try, each with the value to compare.
pub fn classify(query: &str) -> Vec<(SearchKind, String)> {
    let q = query.trim();
    let compact: String = q.chars().filter(|c| !c.is_whitespace() && *c != '-').collect();
    let digits = !compact.is_empty() && compact.chars().all(|c| c.is_ascii_digit());
    let upper = compact.to_ascii_uppercase();
    if upper.len() >= 2 && upper.starts_with('C') && upper.chars().skip(1).all(|c| c.is_ascii_digit()) {
        return vec![(SearchKind::CustomerNo, upper)];
    }
    let id_tail_like = upper.is_ascii()
        && upper.len() == 6
        && upper[..5].chars().all(|c| c.is_ascii_digit())
        && upper.ends_with(|c: char| c.is_ascii_digit() || c == 'X');
    if digits {
        return match compact.len() {
            16..=19 => vec![(SearchKind::CardNo, compact)],
            11 => vec![(SearchKind::Phone, compact)],
            4 => vec![(SearchKind::PhoneTail, compact.clone()), (SearchKind::CardTail, compact)],
            6 => vec![(SearchKind::IdTail, upper), (SearchKind::PhoneTail, compact)],
            5..=10 => vec![(SearchKind::PhoneTail, compact)],
            _ => Vec::new(),
        };
    }
    if id_tail_like {
        return vec![(SearchKind::IdTail, upper)];
    }
    if q.chars().count() >= MIN_QUERY {
        return vec![(SearchKind::Name, q.to_owned())];
    }
    Vec::new()
}

/// `%`, `_` and `\` taken literally in a LIKE pattern (with `ESCAPE '\'`).
fn like_literal(text: &str) -> String {
    text.chars().flat_map(|c| if matches!(c, '%' | '_' | '\\') { vec!['\\', c] } else { vec![c] }).collect()
}

/// The WHERE condition and bound value of one kind.
fn condition(kind: SearchKind, value: &str) -> (&'static str, String) {
    match kind {
        SearchKind::Name => {
            ("LOWER(c.full_name) LIKE $1 ESCAPE '\\'", format!("%{}%", like_literal(&value.to_lowercase())))
        }
        SearchKind::Phone => ("c.phone = $1", value.to_owned()),
        SearchKind::PhoneTail => ("c.phone LIKE $1 ESCAPE '\\'", format!("%{}", like_literal(value))),
        SearchKind::CustomerNo => ("UPPER(c.customer_no) = $1", value.to_owned()),
        SearchKind::IdTail => ("UPPER(c.id_number_tail) = $1", value.to_owned()),
        SearchKind::CardTail => (
            "c.id IN (SELECT k.customer_id FROM cards k WHERE k.card_no LIKE $1 ESCAPE '\\')",
            format!("%{}", like_literal(value)),
        ),
        SearchKind::CardNo => ("c.id IN (SELECT k.customer_id FROM cards k WHERE k.card_no = $1)", value.to_owned()),
    }
}

pub async fn search(state: &AppState, actor: &StaffActor, query: &str, origin: &str) -> Result<SearchResult, AppError> {
    let shown: String = query.trim().chars().take(100).collect();
    let kinds = classify(&shown);
    if kinds.is_empty() {
        return Ok(SearchResult { too_short: !shown.is_empty(), kinds: Vec::new(), hits: Vec::new(), more: false });
    }
    // Customer number → (hit); the first kind that finds a customer names the match.
    let mut found: BTreeMap<String, SearchHit> = BTreeMap::new();
    for (kind, value) in &kinds {
        let (cond, bound) = condition(*kind, value);
        let rows: Vec<(String, String, String, String, String, String)> = sqlx::query_as(&format!(
            "SELECT c.customer_no, c.full_name, c.phone, b.name_zh, b.name_en, c.status \
             FROM customers c JOIN branches b ON b.id = c.branch_id WHERE {cond} \
             ORDER BY c.customer_no LIMIT {}",
            MAX_RESULTS + 1
        ))
        .bind(bound)
        .fetch_all(state.db.pool())
        .await?;
        for (customer_no, name, phone, zh, en, status) in rows {
            found.entry(customer_no.clone()).or_insert(SearchHit {
                customer_no,
                name,
                phone_masked: mask_phone(&phone),
                branch: Localized { zh, en },
                status: CustomerStatus::parse(&status).unwrap_or(CustomerStatus::Active),
                matched: *kind,
            });
        }
    }
    let more = found.len() > MAX_RESULTS;
    let hits: Vec<SearchHit> = found.into_values().take(MAX_RESULTS).collect();
    let kind_names: Vec<&str> = kinds.iter().map(|(k, _)| k.as_str()).collect();

    let mut tx = state.db.begin_write().await?;
    let detail = json!({ "kinds": kind_names, "results": hits.len(), "more": more });
    audit_staff(&mut tx, state, actor, None, events::CUSTOMER_SEARCH, detail, origin).await?;
    tx.commit().await?;

    Ok(SearchResult { kinds: kinds.into_iter().map(|(k, _)| k).collect(), too_short: false, hits, more })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(q: &str) -> Vec<SearchKind> {
        classify(q).into_iter().map(|(k, _)| k).collect()
    }

    #[test]
    fn queries_are_read_as_what_they_can_be() {
        assert_eq!(classify("c00000001"), vec![(SearchKind::CustomerNo, "C00000001".to_owned())]);
        assert_eq!(kinds("6217 9900 0000 0018"), vec![SearchKind::CardNo]);
        assert_eq!(kinds("13112345678"), vec![SearchKind::Phone]);
        assert_eq!(kinds("5678"), vec![SearchKind::PhoneTail, SearchKind::CardTail]);
        assert_eq!(kinds("12345x"), vec![SearchKind::IdTail]);
        assert_eq!(kinds("123456"), vec![SearchKind::IdTail, SearchKind::PhoneTail]);
        assert_eq!(kinds("1234567"), vec![SearchKind::PhoneTail]);
        assert_eq!(kinds("王磊"), vec![SearchKind::Name]);
        assert_eq!(kinds("李静a"), vec![SearchKind::Name], "six bytes, not an ID tail");
        assert!(kinds("王").is_empty() && kinds("12").is_empty() && kinds("   ").is_empty());
    }

    #[test]
    fn like_patterns_are_literal() {
        assert_eq!(like_literal("50%_a\\"), "50\\%\\_a\\\\");
    }
}
