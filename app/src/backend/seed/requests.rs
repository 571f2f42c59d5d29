//! Demo service requests, made with the requests core (`insert_request`,
//! `transition`, `insert_message`) so their timelines and service-level clocks are
//! what the portal itself would have written:
//!
//! - demo1: a complaint about waiting at the counter, in progress with S00005;
//! - demo1: a statement request, resolved two days ago (waiting to be confirmed or rated);
//! - demo2: a general request, waiting for the customer's answer to S00005's question;
//! - demo2: a dispute of their latest debit, submitted and nobody's yet.
//!
//! No card is touched (demo1's cards stay active). Added once: nothing is done when
//! either customer already has a request.
use crate::backend::audit::Actor;
use crate::backend::requests::calendar::WorkingCalendar;
use crate::backend::requests::{
    append_event, insert_message, insert_request, lock_request, transition, EventKind, NewRequest, MAX_BODY,
    MAX_SUBJECT,
};
use crate::backend::Db;
use crate::error::AppError;
use crate::types::{mask_number, Money, Party, PlainText, RequestKind, RequestRef, RequestStatus, Timestamp};
use serde_json::json;
use sqlx::{Any, Transaction};

const DEMO1: &str = "C00000001";
const DEMO2: &str = "C00000002";
const AGENT: &str = "S00005";
const HOUR: i64 = 3_600_000_000;
const DAY: i64 = 24 * HOUR;

fn seed_error(err: AppError) -> sqlx::Error {
    sqlx::Error::Protocol(format!("seeding service requests: {:?}", err.code))
}

fn text(value: &str) -> Result<PlainText, sqlx::Error> {
    PlainText::new(value, MAX_BODY, "body").map_err(seed_error)
}

fn subject(value: &str) -> Result<PlainText, sqlx::Error> {
    PlainText::new(value, MAX_SUBJECT, "subject").map_err(seed_error)
}

pub(super) async fn seed_requests(db: &Db, zone: chrono_tz::Tz, now: Timestamp) -> Result<(), sqlx::Error> {
    let ids: Option<(i64, i64, i64)> = sqlx::query_as(
        "SELECT c1.id, c2.id, s.id FROM customers c1, customers c2, staff s \
         WHERE c1.customer_no = $1 AND c2.customer_no = $2 AND s.staff_no = $3 \
         AND NOT EXISTS (SELECT 1 FROM service_requests r WHERE r.customer_id IN (c1.id, c2.id))",
    )
    .bind(DEMO1)
    .bind(DEMO2)
    .bind(AGENT)
    .fetch_optional(db.pool())
    .await?;
    let Some((demo1, demo2, agent)) = ids else {
        return Ok(());
    };
    let calendar = WorkingCalendar::load(db, zone).await?;
    let mut tx = db.begin_write().await?;
    let demo = Demo { tx: &mut tx, db, zone, calendar: &calendar, agent: Actor::Staff(agent) };
    demo.seed(demo1, demo2, now).await?;
    tx.commit().await
}

struct Demo<'a> {
    tx: &'a mut Transaction<'static, Any>,
    db: &'a Db,
    zone: chrono_tz::Tz,
    calendar: &'a WorkingCalendar,
    agent: Actor,
}

impl Demo<'_> {
    async fn seed(mut self, demo1: i64, demo2: i64, now: Timestamp) -> Result<(), sqlx::Error> {
        let at = |micros: i64| Timestamp::from_micros(now.micros() + micros);

        let title = subject("网点排队时间太长")?;
        let details = json!({ "category": "service", "wanted": "希望增加窗口或者提供预约取号。" });
        let body = "上周五上午在县城营业部办理存款，排队等了一个半小时，只开了一个窗口。";
        let new = request(demo1, RequestKind::Complaint, &title, body, details);
        let complaint = self.insert(&new, at(-DAY)).await?;
        self.assign(&complaint, at(-DAY + HOUR)).await?;
        self.status(&complaint, RequestStatus::InProgress, at(-DAY + HOUR)).await?;
        self.reply(
            &complaint,
            "您好，已收到您的投诉，我们正在核实当天的窗口安排，会尽快给您答复。",
            at(-DAY + 2 * HOUR),
        )
        .await?;

        let account: Option<i64> = sqlx::query_scalar(
            "SELECT id FROM accounts WHERE customer_id = $1 AND kind = 'demand_deposit' ORDER BY id LIMIT 1",
        )
        .bind(demo1)
        .fetch_optional(&mut **self.tx)
        .await?;
        if let Some(account) = account {
            let title = subject("申请 2026-08 至 2026-10 的对账单")?;
            let details = json!({ "from": "2026-08", "to": "2026-10" });
            let new =
                NewRequest { account_id: Some(account), ..request(demo1, RequestKind::Statement, &title, "", details) };
            let statement = self.insert(&new, at(-4 * DAY)).await?;
            self.assign(&statement, at(-4 * DAY + HOUR)).await?;
            self.status(&statement, RequestStatus::InProgress, at(-4 * DAY + HOUR)).await?;
            self.status(&statement, RequestStatus::Resolved, at(-2 * DAY)).await?;
            self.reply(&statement, "对账单已寄到您预留的地址，也可以在“账户明细”里下载。", at(-2 * DAY)).await?;
        }

        let title = subject("想给父亲办理上门服务")?;
        let body = "我父亲腿脚不便，想问能不能上门办理养老金账户的业务。";
        let general =
            self.insert(&request(demo2, RequestKind::General, &title, body, json!({})), at(-6 * HOUR)).await?;
        self.assign(&general, at(-5 * HOUR)).await?;
        self.reply(&general, "可以的。请告诉我们您父亲的住址和方便的时间，我们安排客户经理上门。", at(-5 * HOUR))
            .await?;
        self.status(&general, RequestStatus::WaitingCustomer, at(-5 * HOUR)).await?;

        let posting: Option<(i64, i64, i64, String, String, String)> = sqlx::query_as(
            "SELECT p.id, a.id, p.amount, p.counterparty, p.value_date, a.account_no FROM postings p \
             JOIN accounts a ON a.id = p.account_id \
             WHERE a.customer_id = $1 AND a.kind <> 'internal' AND p.amount < 0 ORDER BY p.id DESC LIMIT 1",
        )
        .bind(demo2)
        .fetch_optional(&mut **self.tx)
        .await?;
        if let Some((posting, account, amount, counterparty, day, account_no)) = posting {
            let title = subject(&format!("{day} {counterparty} {}", Money::yuan_fen(-amount).display()))
                .or_else(|_| subject("交易争议"))?;
            let details = json!({ "amount": -amount, "counterparty": counterparty, "day": day,
                "account": mask_number(&account_no) });
            let body = "这笔扣款不是我本人操作的，请帮忙核查。";
            let new = NewRequest {
                posting_id: Some(posting),
                account_id: Some(account),
                ..request(demo2, RequestKind::Dispute, &title, body, details)
            };
            self.insert(&new, at(-2 * HOUR)).await?;
        }
        Ok(())
    }

    async fn insert(&mut self, new: &NewRequest<'_>, at: Timestamp) -> Result<RequestRef, sqlx::Error> {
        let (_, reference) = insert_request(self.tx, self.zone, self.calendar, new, at).await.map_err(seed_error)?;
        Ok(reference)
    }

    async fn assign(&mut self, reference: &RequestRef, at: Timestamp) -> Result<(), sqlx::Error> {
        let row = lock_request(self.tx, self.db.backend(), reference, None).await.map_err(seed_error)?;
        let staff_id = self.agent.id().unwrap_or_default();
        let label: String = sqlx::query_scalar("SELECT full_name || ' (' || staff_no || ')' FROM staff WHERE id = $1")
            .bind(staff_id)
            .fetch_one(&mut **self.tx)
            .await?;
        sqlx::query("UPDATE service_requests SET assigned_staff_id = $1 WHERE id = $2")
            .bind(staff_id)
            .bind(row.id)
            .execute(&mut **self.tx)
            .await?;
        append_event(self.tx, row.id, EventKind::Assigned, None, None, self.agent, &label, at).await
    }

    async fn status(&mut self, reference: &RequestRef, to: RequestStatus, at: Timestamp) -> Result<(), sqlx::Error> {
        let row = lock_request(self.tx, self.db.backend(), reference, None).await.map_err(seed_error)?;
        transition(self.tx, self.calendar, &row, to, Party::Staff, self.agent, "", at).await.map_err(seed_error)
    }

    async fn reply(&mut self, reference: &RequestRef, body: &str, at: Timestamp) -> Result<(), sqlx::Error> {
        let row = lock_request(self.tx, self.db.backend(), reference, None).await.map_err(seed_error)?;
        insert_message(self.tx, row.id, self.agent, &text(body)?, at).await.map_err(seed_error)?;
        Ok(())
    }
}

fn request<'a>(
    customer_id: i64,
    kind: RequestKind,
    subject: &'a PlainText,
    body: &'a str,
    details: serde_json::Value,
) -> NewRequest<'a> {
    NewRequest {
        customer_id,
        kind,
        subject,
        body,
        details,
        card_id: None,
        account_id: None,
        posting_id: None,
        follow_up_of: None,
        created_by_staff_id: None,
    }
}
