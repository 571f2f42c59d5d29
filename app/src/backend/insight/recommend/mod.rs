//! Explained recommendations: the rules (`rules`, pure) over facts loaded for one
//! customer or a relationship manager's book (`facts`, set-based); the customer's
//! "Not interested" and their marketing switch.
pub mod facts;
pub mod rules;

use crate::api::recommend::{Recommendation, RecommendationsView, RuleId};
use crate::backend::audit::{self, AuditEvent};
use crate::backend::auth::CustomerChange;
use crate::backend::insight::settings;
use crate::backend::{AppState, Db};
use crate::error::{AppError, ErrorCode};
use crate::types::Day;
use facts::Scope;

/// Audit event names of this module: stable, never renamed.
pub mod events {
    pub const MARKETING_SETTING_CHANGED: &str = "marketing_setting_changed";
    pub const RECOMMENDATION_DISMISSED: &str = "recommendation_dismissed";
}

/// What the customer sees now: nothing when marketing is off.
pub async fn for_customer(state: &AppState, customer_id: i64) -> Result<RecommendationsView, AppError> {
    let today = Day::at(state.zone, state.clock.now());
    let s = settings::load(&state.db).await?;
    let catalogue = facts::catalogue(&state.db).await?;
    let all = facts::load(&state.db, Scope::Customer(customer_id), &s, today).await?;
    let f = all.get(&customer_id).ok_or_else(|| AppError::new(ErrorCode::NotFound))?;
    Ok(RecommendationsView { marketing_ok: f.marketing_ok, items: rules::recommend(f, &s, today, &catalogue) })
}

/// Leads of a relationship manager (staff id `manager`): each of their customers
/// with what the rules suggest, marketing-off customers left out, suitability
/// applied, dismissed suggestions gone (the customer said no).
pub async fn leads_of(state: &AppState, manager: i64, today: Day) -> Result<Vec<(i64, Recommendation)>, AppError> {
    let s = settings::load(&state.db).await?;
    let catalogue = facts::catalogue(&state.db).await?;
    let all = facts::load(&state.db, Scope::Manager(manager), &s, today).await?;
    Ok(all
        .values()
        .flat_map(|f| rules::recommend(f, &s, today, &catalogue).into_iter().map(move |r| (f.customer_id, r)))
        .collect())
}

/// Stores "Not interested" once: a second post finds the row and changes nothing.
pub async fn dismiss(
    state: &AppState,
    who: &CustomerChange,
    rule: RuleId,
    product: &str,
    origin: &str,
) -> Result<(), AppError> {
    let product = product.trim();
    let known: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM products WHERE code = $1")
        .bind(product)
        .fetch_one(state.db.pool())
        .await?;
    if known == 0 {
        return Err(AppError::invalid("product"));
    }
    let mut tx = state.db.begin_write().await?;
    let inserted = sqlx::query(
        "INSERT INTO recommendation_dismissals (customer_id, rule, product_code, dismissed_at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (customer_id, rule, product_code) DO NOTHING",
    )
    .bind(who.customer_id)
    .bind(rule.as_str())
    .bind(product)
    .bind(state.clock.now().micros())
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if inserted > 0 {
        let event = AuditEvent {
            actor: who.actor(),
            customer_id: Some(who.customer_id),
            event: events::RECOMMENDATION_DISMISSED,
            detail: serde_json::json!({ "rule": rule.as_str(), "product": product }),
            origin,
        };
        audit::record(&mut tx, state.db.backend(), state.clock.now(), &event).await?;
    }
    tx.commit().await?;
    Ok(())
}

pub async fn marketing_ok(db: &Db, customer_id: i64) -> Result<bool, AppError> {
    let on: i64 = sqlx::query_scalar("SELECT CAST(marketing_ok AS BIGINT) FROM customers WHERE id = $1")
        .bind(customer_id)
        .fetch_one(db.pool())
        .await?;
    Ok(on == 1)
}

/// Turns marketing on or off, stamped and audited (also when unchanged: the
/// customer confirmed their choice).
pub async fn set_marketing(state: &AppState, who: &CustomerChange, on: bool, origin: &str) -> Result<(), AppError> {
    let now = state.clock.now();
    let mut tx = state.db.begin_write().await?;
    sqlx::query("UPDATE customers SET marketing_ok = $1, marketing_changed_at = $2 WHERE id = $3")
        .bind(i64::from(on))
        .bind(now.micros())
        .bind(who.customer_id)
        .execute(&mut *tx)
        .await?;
    let event = AuditEvent {
        actor: who.actor(),
        customer_id: Some(who.customer_id),
        event: events::MARKETING_SETTING_CHANGED,
        detail: serde_json::json!({ "marketing_ok": on }),
        origin,
    };
    audit::record(&mut tx, state.db.backend(), now, &event).await?;
    tx.commit().await?;
    Ok(())
}
