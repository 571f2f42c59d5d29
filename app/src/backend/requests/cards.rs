//! The customer's cards as requests touch them: found through their owner, their
//! status changed with the time of the change, a replacement issued.
//!
//! A card's status is read and changed inside the caller's write transaction (row
//! locked on PostgreSQL, `BEGIN IMMEDIATE` on SQLite), so a loss report and a card
//! payment arriving together are ordered: the payment sees the card lost or pays
//! before the report, never both.
use crate::backend::Backend;
use crate::error::{AppError, ErrorCode};
use crate::types::card::with_luhn_check_digit;
use crate::types::{mask_number, Timestamp};
use sqlx::{Any, Row, Transaction};

/// A card row as requests need it.
#[derive(Clone, Debug)]
pub struct CardRow {
    pub id: i64,
    pub customer_id: i64,
    pub card_no: String,
    /// "debit" or "credit".
    pub kind: String,
    /// "active", "frozen", "lost" or "closed".
    pub status: String,
    /// The account the card pays from (debit: the demand account; credit: the card account).
    pub account_id: Option<i64>,
}

impl CardRow {
    pub fn masked(&self) -> String {
        mask_number(&self.card_no)
    }
}

const CARD_COLUMNS: &str = "id, customer_id, card_no, kind, status, account_id";

fn card_of(row: &sqlx::any::AnyRow) -> Result<CardRow, sqlx::Error> {
    Ok(CardRow {
        id: row.try_get("id")?,
        customer_id: row.try_get("customer_id")?,
        card_no: row.try_get("card_no")?,
        kind: row.try_get("kind")?,
        status: row.try_get("status")?,
        account_id: row.try_get("account_id")?,
    })
}

fn lock_clause(backend: Backend) -> &'static str {
    if backend == Backend::Postgres {
        " FOR UPDATE"
    } else {
        ""
    }
}

/// Loads and locks one of `customer_id`'s cards; another customer's card answers
/// `not_found` like a missing one.
pub async fn lock_owned_card(
    tx: &mut Transaction<'static, Any>,
    backend: Backend,
    customer_id: i64,
    card_id: i64,
) -> Result<CardRow, AppError> {
    let sql = format!("SELECT {CARD_COLUMNS} FROM cards WHERE id = $1 AND customer_id = $2{}", lock_clause(backend));
    let row = sqlx::query(&sql)
        .bind(card_id)
        .bind(customer_id)
        .fetch_optional(&mut **tx)
        .await?
        .ok_or(AppError::new(ErrorCode::NotFound))?;
    Ok(card_of(&row)?)
}

/// Loads and locks a card by its number (card-network payments).
pub async fn lock_card_by_number(
    tx: &mut Transaction<'static, Any>,
    backend: Backend,
    card_no: &str,
) -> Result<Option<CardRow>, sqlx::Error> {
    let sql = format!("SELECT {CARD_COLUMNS} FROM cards WHERE card_no = $1{}", lock_clause(backend));
    let row = sqlx::query(&sql).bind(card_no).fetch_optional(&mut **tx).await?;
    row.as_ref().map(card_of).transpose()
}

/// Sets the card's status from `from` (one of them) to `to`, stamping the time; a
/// card in any other state is refused with `wrong_state` and left as it is.
pub async fn change_status(
    tx: &mut Transaction<'static, Any>,
    card: &CardRow,
    from: &[&str],
    to: &str,
    now: Timestamp,
) -> Result<(), AppError> {
    if !from.contains(&card.status.as_str()) {
        return Err(AppError::new(ErrorCode::WrongState));
    }
    let changed = sqlx::query("UPDATE cards SET status = $1, status_changed_at = $2 WHERE id = $3 AND status = $4")
        .bind(to)
        .bind(now.micros())
        .bind(card.id)
        .bind(&card.status)
        .execute(&mut **tx)
        .await?
        .rows_affected();
    if changed == 1 {
        Ok(())
    } else {
        Err(AppError::new(ErrorCode::WrongState))
    }
}

/// Issues a replacement for a lost card: a new card of the same kind on the same
/// account, with a new Luhn-valid number. Returns the new card's masked number.
pub async fn issue_replacement(
    tx: &mut Transaction<'static, Any>,
    backend: Backend,
    lost_card_id: i64,
    now: Timestamp,
) -> Result<String, AppError> {
    let sql = format!("SELECT {CARD_COLUMNS} FROM cards WHERE id = $1{}", lock_clause(backend));
    let row = sqlx::query(&sql).bind(lost_card_id).fetch_one(&mut **tx).await?;
    let lost = card_of(&row)?;
    let number = replacement_number(&lost.kind, lost.id);
    sqlx::query(
        "INSERT INTO cards (customer_id, card_no, kind, status, account_id, created_at, status_changed_at) \
         VALUES ($1, $2, $3, 'active', $4, $5, $5)",
    )
    .bind(lost.customer_id)
    .bind(&number)
    .bind(&lost.kind)
    .bind(lost.account_id)
    .bind(now.micros())
    .execute(&mut **tx)
    .await?;
    Ok(mask_number(&number))
}

/// A replacement's number: the card family's replacement prefix (one below the
/// seed's 621799 / 625899, so it never meets an original number), the lost card's
/// id (unique) and a Luhn check digit.
pub fn replacement_number(kind: &str, lost_card_id: i64) -> String {
    let prefix = if kind == "credit" { "625898" } else { "621798" };
    with_luhn_check_digit(&format!("{prefix}{:09}", lost_card_id.rem_euclid(1_000_000_000)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::card::luhn_valid;

    #[test]
    fn replacement_numbers_are_luhn_valid_and_distinct() {
        let digits = |s: &str| s.chars().filter_map(|c| c.to_digit(10)).collect::<Vec<u32>>();
        let a = replacement_number("debit", 1);
        let b = replacement_number("debit", 2);
        let c = replacement_number("credit", 1);
        for n in [&a, &b, &c] {
            assert_eq!(n.len(), 16, "{n}");
            assert!(luhn_valid(&digits(n)), "{n}");
        }
        assert!(a != b && a != c);
        assert!(a.starts_with("621798") && c.starts_with("625898"));
    }
}
