//! One request as staff see it: its head (as in the queue), the customer, what it
//! is about in readable lines (the card and account masked, a disputed posting's
//! amount, date and counterparty, the typed form's fields), the whole timeline with
//! internal notes, the next states staff may choose and whom it may be assigned to.
//! Viewing it is audited (customer data is read).
use super::calendar::WorkingCalendar;
use super::queue::{active_staff, head_of, QUEUE_COLUMNS, QUEUE_FROM};
use super::staff::{events, record};
use super::{lock_request, timeline, RequestRow};
use crate::api::requests_staff::{DetailFact, FactLabel, FactValue, StaffRequestView};
use crate::backend::auth::StaffActor;
use crate::backend::outbox::mask_phone;
use crate::backend::{local_time, AppState};
use crate::error::{AppError, ErrorCode};
use crate::types::{mask_number, IdempotencyKey, Money, Party, RequestRef, StaffRole, Timestamp};
use serde_json::json;
use sqlx::Row;

/// The request `reference` for `actor`; records that they viewed it.
pub async fn detail(
    state: &AppState,
    actor: &StaffActor,
    reference: &RequestRef,
    origin: &str,
) -> Result<StaffRequestView, AppError> {
    let now = state.clock.now();
    let calendar = WorkingCalendar::load(&state.db, state.zone).await?;
    let sql = format!(
        "SELECT {QUEUE_COLUMNS}, r.body, c.phone AS customer_phone, \
           (SELECT f.reference FROM service_requests f WHERE f.id = r.follow_up_of) AS follow_up_ref \
         {QUEUE_FROM} WHERE r.reference = $1"
    );
    let found = sqlx::query(&sql)
        .bind(reference.as_str())
        .fetch_optional(state.db.pool())
        .await?
        .ok_or(AppError::new(ErrorCode::NotFound))?;
    let head = head_of(state, &calendar, &found, now)?;

    // The audit row is written with the request locked, like every staff action.
    let mut tx = state.db.begin_write().await?;
    let row = lock_request(&mut tx, state.db.backend(), reference, None).await?;
    record(&mut tx, state, actor, &row, events::VIEWED, json!({ "reference": row.reference }), origin).await?;
    tx.commit().await?;

    Ok(StaffRequestView {
        assigned_to_me: row.assigned_staff_id == Some(actor.staff_id),
        body: found.try_get("body")?,
        customer_phone_masked: mask_phone(&found.try_get::<String, _>("customer_phone")?),
        facts: facts(state, &row).await?,
        timeline: timeline::for_staff(state, row.id).await?,
        next: row.status.next_for(Party::Staff),
        can_assign: matches!(actor.role, StaffRole::Supervisor | StaffRole::Admin),
        staff: active_staff(state).await?,
        decision_due_local: row.decision_due_at.map(|at| local_time(state.zone, at)),
        extension_level: row.extension_level,
        follow_up_of: found.try_get("follow_up_ref")?,
        reply_key: IdempotencyKey::generate().as_str().to_owned(),
        head,
    })
}

/// What the request is about, line by line.
async fn facts(state: &AppState, row: &RequestRow) -> Result<Vec<DetailFact>, AppError> {
    let fact = |label: FactLabel, text: String| DetailFact { label, value: FactValue::Text(text) };
    let mut out = Vec::new();
    if let Some(card) = row.card_id {
        let (card_no, status): (String, String) =
            sqlx::query_as("SELECT card_no, status FROM cards WHERE id = $1 AND customer_id = $2")
                .bind(card)
                .bind(row.customer_id)
                .fetch_one(state.db.pool())
                .await?;
        out.push(fact(FactLabel::Card, format!("{} · {status}", mask_number(&card_no))));
    }
    if let Some(account) = row.account_id {
        let (account_no, status): (String, String) =
            sqlx::query_as("SELECT account_no, status FROM accounts WHERE id = $1 AND customer_id = $2")
                .bind(account)
                .bind(row.customer_id)
                .fetch_one(state.db.pool())
                .await?;
        out.push(fact(FactLabel::Account, format!("{} · {status}", mask_number(&account_no))));
    }
    if let Some(posting) = row.posting_id {
        let (amount, value_date, counterparty): (i64, String, String) = sqlx::query_as(
            "SELECT p.amount, p.value_date, p.counterparty FROM postings p JOIN accounts a ON a.id = p.account_id \
             WHERE p.id = $1 AND a.customer_id = $2",
        )
        .bind(posting)
        .bind(row.customer_id)
        .fetch_one(state.db.pool())
        .await?;
        out.push(fact(FactLabel::PostingAmount, Money::yuan_fen(amount).display()));
        out.push(fact(FactLabel::PostingDate, value_date));
        out.push(fact(FactLabel::PostingCounterparty, counterparty));
    }
    out.extend(form_fields(state.zone, row));
    Ok(out)
}

/// The typed form's fields (`details`): texts as they are, yes/no as a flag, the
/// card-freeze time in the bank's zone. What the lines above already show from
/// the linked card, account or posting (and the follow-up link) is left out.
fn form_fields(zone: chrono_tz::Tz, row: &RequestRow) -> Vec<DetailFact> {
    let Some(fields) = row.details.as_object() else {
        return Vec::new();
    };
    let shown_above = |name: &str| match name {
        "card" => row.card_id.is_some(),
        "account" => row.account_id.is_some(),
        "amount" | "counterparty" | "day" => row.posting_id.is_some(),
        "follow_up_of" => true,
        _ => false,
    };
    fields
        .iter()
        .filter(|(name, _)| !shown_above(name))
        .filter_map(|(name, value)| {
            let value = match value {
                serde_json::Value::Number(n) if name == "frozen_at" => {
                    FactValue::Text(local_time(zone, Timestamp::from_micros(n.as_i64()?)))
                }
                serde_json::Value::Number(n) if name == "amount" => {
                    FactValue::Text(Money::yuan_fen(n.as_i64()?).display())
                }
                serde_json::Value::String(text) if !text.is_empty() => FactValue::Text(text.clone()),
                serde_json::Value::Number(n) => FactValue::Text(n.to_string()),
                serde_json::Value::Bool(b) => FactValue::Flag(*b),
                _ => return None,
            };
            Some(DetailFact { label: FactLabel::Field(name.clone()), value })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn form_fields_keep_texts_numbers_and_flags_and_drop_the_rest() {
        let details = json!({ "phone": "13900001111", "replacement": true, "level": 2, "empty": "", "nested": {},
            "card": "6217 **** **** 0001", "frozen_at": 1_795_910_400_000_000_i64 });
        let row = RequestRow {
            id: 1,
            reference: RequestRef::new(2026, 1),
            customer_id: 1,
            kind: crate::types::RequestKind::CardLost,
            priority: crate::types::Priority::Urgent,
            status: crate::types::RequestStatus::Submitted,
            subject: "x".into(),
            details,
            card_id: Some(7),
            account_id: None,
            posting_id: None,
            follow_up_of: None,
            assigned_staff_id: None,
            target_minutes: 240,
            used_minutes: 0,
            running_since: None,
            due_at: None,
            decision_due_at: None,
            extension_level: 0,
            created_at: Timestamp::from_micros(0),
            resolved_at: None,
        };
        let facts = form_fields(chrono_tz::Asia::Shanghai, &row);
        let value =
            |name: &str| facts.iter().find(|f| f.label == FactLabel::Field(name.into())).map(|f| f.value.clone());
        let mut names: Vec<String> = facts
            .iter()
            .filter_map(|f| match &f.label {
                FactLabel::Field(name) => Some(name.clone()),
                _ => None,
            })
            .collect();
        names.sort();
        assert_eq!(names, ["frozen_at", "level", "phone", "replacement"], "no empty, nested or card-column values");
        assert_eq!(value("replacement"), Some(FactValue::Flag(true)));
        assert_eq!(value("frozen_at"), Some(FactValue::Text("2026-11-29 08:00".into())), "local time");
    }
}
