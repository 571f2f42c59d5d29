//! A demo question thread: demo1 asked about large-denomination certificates of
//! deposit two days ago and their relationship manager (S00003) answered. It is
//! read and closed, so it shows a conversation without filling the staff inbox or
//! the unread counts the tests and demos start from. Added once.
use sqlx::{Any, Transaction};

const CUSTOMER_NO: &str = "C00000001";
const STAFF_NO: &str = "S00003";
const DAY: i64 = 86_400_000_000;
const HOUR: i64 = 3_600_000_000;

pub(super) async fn seed_inquiries(tx: &mut Transaction<'static, Any>, now: i64) -> Result<(), sqlx::Error> {
    let ids: Option<(i64, i64)> = sqlx::query_as(
        "SELECT c.id, s.id FROM customers c, staff s WHERE c.customer_no = $1 AND s.staff_no = $2 \
         AND NOT EXISTS (SELECT 1 FROM inquiry_threads t WHERE t.customer_id = c.id)",
    )
    .bind(CUSTOMER_NO)
    .bind(STAFF_NO)
    .fetch_optional(&mut **tx)
    .await?;
    let Some((customer_id, staff_id)) = ids else {
        return Ok(());
    };
    let asked = now - 2 * DAY;
    let answered = asked + 2 * HOUR;
    let thread: i64 = sqlx::query_scalar(
        "INSERT INTO inquiry_threads (customer_id, topic, subject, status, assigned_staff_id, waiting_since, \
         last_message_at, created_at) VALUES ($1, 'deposits', $2, 'closed', $3, NULL, $4, $5) RETURNING id",
    )
    .bind(customer_id)
    .bind("大额存单怎么购买？")
    .bind(staff_id)
    .bind(answered)
    .bind(asked)
    .fetch_one(&mut **tx)
    .await?;
    let question: i64 = sqlx::query_scalar(
        "INSERT INTO inquiry_messages (thread_id, author_kind, author_id, body, created_at) \
         VALUES ($1, 'customer', $2, $3, $4) RETURNING id",
    )
    .bind(thread)
    .bind(customer_id)
    .bind("您好，我想买大额存单，起存金额是多少？可以在网上银行买吗？")
    .bind(asked)
    .fetch_one(&mut **tx)
    .await?;
    let reply: i64 = sqlx::query_scalar(
        "INSERT INTO inquiry_messages (thread_id, author_kind, author_id, body, created_at) \
         VALUES ($1, 'staff', $2, $3, $4) RETURNING id",
    )
    .bind(thread)
    .bind(staff_id)
    .bind(
        "您好！个人大额存单起存金额为 20 万元，目前需要到网点办理。您可以在“预约咨询”里约我的时间，我帮您准备好材料。",
    )
    .bind(answered)
    .fetch_one(&mut **tx)
    .await?;
    sqlx::query("UPDATE inquiry_threads SET customer_read_upto = $2, staff_read_upto = $3 WHERE id = $1")
        .bind(thread)
        .bind(reply)
        .bind(question)
        .execute(&mut **tx)
        .await?;
    Ok(())
}
