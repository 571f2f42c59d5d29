//! "View as customer" (issue #7), on SQLite and PostgreSQL: while agent S00005
//! views the portal as demo1, every registered server function is classified here
//! (a new one fails `every_registered_function_is_classified` until it is), and
//! the walk calls each customer function: every state-changing one answers 403
//! `impersonation_read_only`, changes nothing and leaves an audit row naming the
//! staff member, the customer, the route and "refused"; every read answers 200
//! with exactly what demo1 gets for the same request; reads leave no trace (an
//! inquiry's bank replies stay unread, notifications unread); in assist mode
//! (granted by a supervisor) a general request is stored as made by the staff
//! member for demo1, while transfers and card-loss requests are still refused.
mod support;

use app::backend::seed::DEMO_PASSWORD;
use serde_json::Value;
use std::collections::BTreeMap;
use support::browser::*;
use support::staff::staff_browser;
use support::{Backend, TestServer};

on_both_backends!(
    every_write_is_refused_and_every_read_shows_the_customer,
    reads_while_viewing_leave_no_trace,
    assist_mode_opens_only_requests_and_bookings_as_the_staff_member,
);

// ---------------------------------------------------------------------------------
// Every registered server function, classified.
// ---------------------------------------------------------------------------------

/// The customer's state-changing functions: refused while viewing (read only).
const CUSTOMER_WRITES: &[&str] = &[
    "transfer_preview", // reserves nothing, but is the first step of sending money
    "transfer_make",
    "payee_delete",
    "payee_rename",
    "deposit_open",
    "deposit_at_maturity",
    "deposit_withdraw_early",
    "deposit_notice",
    "deposit_notice_cancel",
    "deposit_installment",
    "inquiry_open",
    "inquiry_reply",
    "inquiry_close",
    "booking_book",
    "booking_reschedule",
    "booking_cancel",
    "request_submit",
    "request_reply",
    "request_withdraw",
    "request_reopen",
    "request_confirm",
    "request_rate",
    "notifications_read",
    "step_up",
    "change_password",
    "end_session",
    "end_other_sessions",
    "totp_begin",
    "totp_confirm",
    "recovery_codes_saved",
    "staff_view_setting", // the customer's "allow staff to view my account"
    "recommendation_dismiss",
    "marketing_setting",
];

/// The customer's reads: 200 while viewing, with the customer's data.
const CUSTOMER_READS: &[&str] = &[
    "overview",
    "account",
    "transactions",
    "balance_chart",
    "statement",
    "transfer_form",
    "transfer_receipt",
    "payees",
    "deposits",
    "deposit_open_form",
    "deposit_quote",
    "deposit_opened",
    "inquiries",
    "inquiry_form",
    "inquiry",
    "bookings",
    "booking_wizard",
    "booking_detail",
    "requests",
    "request_form",
    "request",
    "notifications",
    "security_events",
    "sessions",
    "authenticator_panel",
    "totp_pending",
    "recovery_codes",
    "staff_access",
    "recommendations",
    "marketing_status",
];

/// The viewer's own display preference (a cookie on the viewing device): allowed.
const VIEWER_OWN: &[&str] = &["hide_amounts"];

/// Signing in and out, public forms, the session's own answers, public data.
const PUBLIC_AND_SESSION: &[&str] = &[
    "me",
    "keep_alive",
    "login",
    "staff_login",
    "verify",
    "logout",
    "enroll_start",
    "enroll_status",
    "enroll_finish",
    "reset_start",
    "reset_status",
    "reset_finish",
    "dev_outbox",
    "branches",
];

/// Staff functions (the console, the advisor's side, the queues, viewing itself):
/// authorized by staff role, never as the customer.
const STAFF: &[&str] = &[
    "advisor_calendar",
    "advisor_booking",
    "advisor_add_note",
    "advisor_share_summary",
    "advisor_mark",
    "advisor_schedule",
    "advisor_add_hours",
    "advisor_remove_hours",
    "advisor_save_profile",
    "advisor_leave_conflicts",
    "advisor_add_exception",
    "advisor_remove_exception",
    "staff_customer_summary",
    "manager_customer",
    "assign_manager",
    "staff_inquiries",
    "staff_inquiry_counts",
    "staff_inquiry",
    "staff_inquiry_reply",
    "staff_inquiry_claim",
    "staff_inquiry_handover",
    "staff_inquiry_close",
    "requests_sla_report",
    "requests_extend_complaint",
    "staff_requests",
    "staff_request",
    "staff_request_claim",
    "staff_request_assign",
    "staff_request_bulk_assign",
    "staff_request_reply",
    "staff_request_note",
    "staff_request_start",
    "staff_request_resolve",
    "staff_console_home",
    "staff_customer_search",
    "staff_customer_360",
    "staff_unlock_credential",
    "staff_resend_enrollment",
    "staff_reset_second_factor",
    "staff_note_call",
    "insight_dashboard",
    "insight_customers",
    "impersonation_review_list",
    "impersonation_review_detail",
    "impersonation_grant_assist",
    "impersonation_revoke_assist",
    "impersonation_form",
    "impersonation_start",
    "impersonation_stop",
    "rm_workspace",
];

/// In assist mode these (and only these) customer writes are made, for the customer,
/// as the staff member: the request and booking forms.
const ASSIST_ALLOWED: &[&str] =
    &["request_submit", "request_reply", "booking_book", "booking_reschedule", "booking_cancel"];

fn registered() -> Vec<String> {
    let mut names: Vec<String> = leptos::server_fn::axum::server_fn_paths()
        .filter_map(|(path, _)| path.strip_prefix("/api/").map(str::to_owned))
        .collect();
    names.sort_unstable();
    names.dedup();
    names
}

#[test]
fn every_registered_function_is_classified() {
    let tables: [(&str, &[&str]); 5] = [
        ("CUSTOMER_WRITES", CUSTOMER_WRITES),
        ("CUSTOMER_READS", CUSTOMER_READS),
        ("VIEWER_OWN", VIEWER_OWN),
        ("PUBLIC_AND_SESSION", PUBLIC_AND_SESSION),
        ("STAFF", STAFF),
    ];
    let registered = registered();
    let mut seen: BTreeMap<&str, &str> = BTreeMap::new();
    for (table, names) in tables {
        for name in names {
            if let Some(other) = seen.insert(name, table) {
                panic!("{name} is in both {other} and {table}");
            }
        }
    }
    let unclassified: Vec<&String> = registered.iter().filter(|n| !seen.contains_key(n.as_str())).collect();
    assert!(
        unclassified.is_empty(),
        "server functions in no table of impersonation_walk.rs (classify each: is it a customer write, a read…?): {unclassified:?}"
    );
    let stale: Vec<&&str> = seen.keys().filter(|n| !registered.iter().any(|r| r == *n)).collect();
    assert!(stale.is_empty(), "classified but not registered (renamed or removed?): {stale:?}");
    for name in ASSIST_ALLOWED {
        assert!(CUSTOMER_WRITES.contains(name), "{name} is a customer write");
    }
}

// ---------------------------------------------------------------------------------
// Helpers.
// ---------------------------------------------------------------------------------

async fn customer(srv: &TestServer, username: &str) -> Browser {
    let b = Browser::new(srv);
    ok(login(&b, username, DEMO_PASSWORD).await).await;
    assert!(b.signed_in().await, "{username} is signed in");
    b
}

async fn id_of(srv: &TestServer, sql: &str, text: &str) -> i64 {
    sqlx::query_scalar::<_, i64>(sql)
        .bind(text)
        .fetch_one(srv.state.db.pool())
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
}

async fn text_of(srv: &TestServer, sql: &str, id: i64) -> String {
    sqlx::query_scalar::<_, String>(sql)
        .bind(id)
        .fetch_one(srv.state.db.pool())
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
}

async fn count(srv: &TestServer, sql: &str, id: i64) -> i64 {
    sqlx::query_scalar::<_, i64>(sql)
        .bind(id)
        .fetch_one(srv.state.db.pool())
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
}

async fn staff_id(srv: &TestServer, staff_no: &str) -> i64 {
    id_of(srv, "SELECT id FROM staff WHERE staff_no = $1", staff_no).await
}

async fn customer_id(srv: &TestServer, customer_no: &str) -> i64 {
    id_of(srv, "SELECT id FROM customers WHERE customer_no = $1", customer_no).await
}

/// Starts viewing as `customer_no` from the staff member's browser (the form's
/// token, a reason, a reference and a fresh code); the viewing's id.
async fn start_viewing(srv: &TestServer, staff: &Browser, staff_username: &str, customer_no: &str) -> i64 {
    let form = staff.json("impersonation_form", &[("customer_no", customer_no)]).await;
    assert_eq!(form["refusal"], Value::Null, "viewing {customer_no} is possible: {form}");
    let to = success_to(support::viewing::start(srv, staff, staff_username, customer_no).await).await;
    assert_eq!(to, "/accounts", "viewing starts on the customer's overview");
    let me = staff.me().await;
    assert_eq!(me["impersonating"]["customer_no"], customer_no, "me shows the banner: {me}");
    let staff_no = staff_username.to_ascii_uppercase();
    let viewer = staff_id(srv, &staff_no).await;
    count(srv, "SELECT id FROM impersonations WHERE staff_id = $1 AND ended_at IS NULL", viewer).await
}

/// Everything a write could touch, as text: row counts of the tables the customer's
/// functions write, and the customer's (and the viewer's) own rows.
async fn snapshot(srv: &TestServer, customer: i64, viewer: i64) -> Vec<String> {
    const COUNTED: &[&str] = &[
        "postings",
        "journal_entries",
        "transfers",
        "payees",
        "accounts",
        "deposit_notices",
        "idempotency_keys",
        "inquiry_threads",
        "inquiry_messages",
        "bookings",
        "booking_reminders",
        "service_requests",
        "service_request_events",
        "service_request_messages",
        "service_request_files",
        "service_request_ratings",
        "notifications",
        "outbox",
        "recovery_codes",
        "known_devices",
        "cards",
        "customer_call_notes",
        "recommendation_dismissals",
    ];
    const CUSTOMER_ROWS: &[&str] = &[
        "SELECT password_hash || '|' || COALESCE(totp_secret, '') || '|' || COALESCE(CAST(totp_last_step AS TEXT), '') \
         || '|' || CAST(failed_attempts AS TEXT) || '|' || CAST(updated_at AS TEXT) FROM credentials \
         WHERE principal_kind = 'customer' AND principal_id = $1",
        "SELECT phone || '|' || status || '|' || CAST(allow_staff_view AS TEXT) FROM customers WHERE id = $1",
        "SELECT CAST(id AS TEXT) || '|' || status || '|' || CAST(balance AS TEXT) || '|' || COALESCE(at_maturity, '') \
         FROM accounts WHERE customer_id = $1 ORDER BY id",
        "SELECT CAST(id AS TEXT) || '|' || nickname || '|' || holder_name FROM payees WHERE customer_id = $1 ORDER BY id",
        "SELECT CAST(n.id AS TEXT) || '|' || n.status FROM deposit_notices n JOIN accounts a ON a.id = n.account_id \
         WHERE a.customer_id = $1 ORDER BY n.id",
        "SELECT CAST(id AS TEXT) || '|' || status || '|' || CAST(customer_read_upto AS TEXT) || '|' \
         || CAST(last_message_at AS TEXT) FROM inquiry_threads WHERE customer_id = $1 ORDER BY id",
        "SELECT reference || '|' || status || '|' || CAST(starts_at AS TEXT) || '|' || CAST(updated_at AS TEXT) \
         FROM bookings WHERE customer_id = $1 ORDER BY id",
        "SELECT reference || '|' || status || '|' || CAST(updated_at AS TEXT) FROM service_requests \
         WHERE customer_id = $1 ORDER BY id",
        "SELECT CAST(id AS TEXT) || '|' || COALESCE(CAST(read_at AS TEXT), '-') FROM notifications \
         WHERE customer_id = $1 ORDER BY id",
        "SELECT CAST(id AS TEXT) || '|' || status FROM cards WHERE customer_id = $1 ORDER BY id",
        "SELECT s.session_id || '|' || COALESCE(CAST(s.ended_at AS TEXT), '-') FROM session_index s \
         JOIN credentials c ON c.id = s.credential_id WHERE c.principal_kind = 'customer' AND c.principal_id = $1 \
         ORDER BY s.session_id",
    ];
    const VIEWER_ROWS: &[&str] = &[
        "SELECT password_hash || '|' || COALESCE(totp_secret, '') FROM credentials \
         WHERE principal_kind = 'staff' AND principal_id = $1",
        "SELECT s.session_id || '|' || COALESCE(CAST(s.ended_at AS TEXT), '-') FROM session_index s \
         JOIN credentials c ON c.id = s.credential_id WHERE c.principal_kind = 'staff' AND c.principal_id = $1 \
         ORDER BY s.session_id",
    ];
    let pool = srv.state.db.pool();
    let mut out = Vec::new();
    for table in COUNTED {
        let sql = format!("SELECT COUNT(*) FROM {table}");
        let n: i64 = sqlx::query_scalar(&sql).fetch_one(pool).await.unwrap_or_else(|e| panic!("{sql}: {e}"));
        out.push(format!("{table}: {n}"));
    }
    for (sql, id) in CUSTOMER_ROWS.iter().map(|s| (s, customer)).chain(VIEWER_ROWS.iter().map(|s| (s, viewer))) {
        let rows: Vec<String> =
            sqlx::query_scalar(sql).bind(id).fetch_all(pool).await.unwrap_or_else(|e| panic!("{sql}: {e}"));
        out.push(format!("{sql} => {rows:?}"));
    }
    out
}

/// The `impersonation_request` rows of viewing `viewing` for `route` with `result`
/// and `status`, by `viewer` on `customer`.
async fn audited_requests(
    srv: &TestServer,
    viewing: i64,
    viewer: i64,
    customer: i64,
    route: &str,
    result: &str,
    status: impl Into<Option<u16>>,
) -> usize {
    let status = status.into();
    let rows: Vec<(String, Option<i64>, Option<i64>)> = sqlx::query_as(
        "SELECT detail, actor_id, customer_id FROM audit_log WHERE event = 'impersonation_request' \
         AND actor_kind = 'staff' AND actor_id = $1",
    )
    .bind(viewer)
    .fetch_all(srv.state.db.pool())
    .await
    .expect("audit rows");
    rows.into_iter()
        .filter(|(detail, actor, cid)| {
            let d: Value = serde_json::from_str(detail).unwrap_or(Value::Null);
            *actor == Some(viewer)
                && *cid == Some(customer)
                && d["impersonation_id"] == viewing
                && d["route"] == route
                && d["result"] == result
                && status.is_none_or(|s| d["status"] == s)
                && d["reason"].as_str().is_some_and(|r| !r.is_empty())
                && d["reference"] == "CALL-1001"
        })
        .count()
}

/// An answer without its one-time form keys (fresh on every call) and the
/// "this is your device" mark (the viewer's device is not the customer's).
fn comparable(mut value: Value) -> Value {
    fn strip(v: &mut Value) {
        match v {
            Value::Object(map) => {
                map.retain(|k, _| k != "key" && !k.ends_with("_key") && k != "current");
                map.values_mut().for_each(strip);
            }
            Value::Array(items) => items.iter_mut().for_each(strip),
            _ => {}
        }
    }
    strip(&mut value);
    value
}

fn key(n: u32) -> String {
    format!("impersonation-walk-{n:04}")
}

/// Monday 2026-11-30 at `hour`:00 in Beijing (the test clock stands at Sunday
/// 08:00 there): S00003's bookable hours.
fn monday_at(hour: i64) -> i64 {
    support::TEST_NOW.plus_seconds((24 + hour - 8) * 3600).micros()
}

/// demo1's objects the walk's requests point at (all demo1's own).
struct Objects {
    demand: i64,
    time_deposit: i64,
    notice_deposit: i64,
    installment: i64,
    payee: i64,
    notice: i64,
    thread: i64,
    booking: String,
    complaint: String,
    statement_request: String,
    receipt: String,
    card: i64,
    product: String,
    session_handle: String,
    demo2_account: String,
    demo2_name: String,
}

async fn first_account(srv: &TestServer, customer: i64, kind: &str) -> i64 {
    let sql = format!(
        "SELECT id FROM accounts WHERE customer_id = $1 AND kind = '{kind}' AND status = 'active' ORDER BY id LIMIT 1"
    );
    count(srv, &sql, customer).await
}

/// Gives demo1 (through their own browser, or the services) one of everything the
/// walk needs: a saved payee and a receipt (a transfer to demo2), a deposit notice,
/// a booking; reads the rest from the database.
async fn prepare_objects(srv: &TestServer, c: &Browser, demo1: i64) -> Objects {
    let demo2 = customer_id(srv, "C00000002").await;
    let demand = first_account(srv, demo1, "demand_deposit").await;
    let demo2_account = text_of(
        srv,
        "SELECT account_no FROM accounts WHERE customer_id = $1 AND kind = 'demand_deposit' ORDER BY id LIMIT 1",
        demo2,
    )
    .await;
    let demo2_name = text_of(srv, "SELECT full_name FROM customers WHERE id = $1", demo2).await;
    // A saved payee (demo2), and a payment to it (under the step-up threshold): a
    // payee and a receipt of demo1's.
    sqlx::query(
        "INSERT INTO payees (customer_id, account_no, holder_name, nickname, created_at) VALUES ($1, $2, $3, '', $4)",
    )
    .bind(demo1)
    .bind(&demo2_account)
    .bind(&demo2_name)
    .bind(support::TEST_NOW.micros())
    .execute(srv.state.db.pool())
    .await
    .expect("a payee");
    let payee = count(srv, "SELECT id FROM payees WHERE customer_id = $1 ORDER BY id LIMIT 1", demo1).await;
    let form = c.json("transfer_form", &[]).await;
    let tkey = form["idempotency_key"].as_str().expect("a key").to_owned();
    let (demand_text, to) = (demand.to_string(), format!("payee:{payee}"));
    let pairs = [
        ("from", demand_text.as_str()),
        ("to", to.as_str()),
        ("amount", "12.34"),
        ("memo", "walk"),
        ("idempotency_key", tkey.as_str()),
    ];
    let to = success_to(c.call("transfer_make", &pairs).await).await;
    let receipt = to.trim_start_matches("/transfer/receipt/").to_owned();
    // A pending notice on the notice deposit.
    let notice_deposit = first_account(srv, demo1, "notice_deposit").await;
    let given = c
        .json("deposit_notice", &[("account_id", &notice_deposit.to_string()), ("amount", "100"), ("key", &key(900))])
        .await;
    let notice = given["id"].as_i64().expect("a notice id");
    // A booking with S00003 on Monday at 09:00.
    let slots = c
        .json(
            "booking_book",
            &[
                ("purpose", "wealth_planning"),
                ("channel", "branch"),
                ("advisor", "S00003"),
                ("starts_at", &monday_at(9).to_string()),
                ("note", ""),
                ("key", &key(901)),
            ],
        )
        .await;
    let booking = slots["reference"].as_str().unwrap_or_else(|| panic!("a booking reference: {slots}")).to_owned();
    let open = c.json("deposit_open_form", &[]).await;
    let product = open["products"][0]["code"].as_str().unwrap_or_else(|| panic!("a product: {open}")).to_owned();
    let sessions = c.json("sessions", &[]).await;
    let session_handle = sessions[0]["handle"].as_str().unwrap_or_else(|| panic!("a session: {sessions}")).to_owned();
    Objects {
        demand,
        time_deposit: first_account(srv, demo1, "time_deposit").await,
        notice_deposit,
        installment: first_account(srv, demo1, "installment_savings").await,
        payee,
        notice,
        thread: count(srv, "SELECT id FROM inquiry_threads WHERE customer_id = $1 ORDER BY id LIMIT 1", demo1).await,
        booking,
        complaint: text_of(
            srv,
            "SELECT reference FROM service_requests WHERE customer_id = $1 AND kind = 'complaint' ORDER BY id LIMIT 1",
            demo1,
        )
        .await,
        statement_request: text_of(
            srv,
            "SELECT reference FROM service_requests WHERE customer_id = $1 AND kind = 'statement' ORDER BY id LIMIT 1",
            demo1,
        )
        .await,
        receipt,
        card: count(srv, "SELECT id FROM cards WHERE customer_id = $1 ORDER BY id LIMIT 1", demo1).await,
        product,
        session_handle,
        demo2_account,
        demo2_name,
    }
}

type Fields = Vec<(&'static str, String)>;

/// A request body for each customer write that deserializes and would change
/// demo1's data if it were let through.
fn write_fields(name: &str, o: &Objects) -> Fields {
    let s = |v: &str| v.to_owned();
    let transfer = || -> Fields {
        vec![
            ("from", o.demand.to_string()),
            ("to", s("new")),
            ("payee_account_no", o.demo2_account.clone()),
            ("payee_name", o.demo2_name.clone()),
            ("amount", s("10.00")),
            ("memo", s("walk")),
            ("idempotency_key", key(1)),
        ]
    };
    match name {
        "transfer_preview" => transfer(),
        "transfer_make" => transfer(),
        "payee_delete" => vec![("id", o.payee.to_string())],
        "payee_rename" => vec![("id", o.payee.to_string()), ("nickname", s("改了名字"))],
        "deposit_open" => vec![
            ("product", o.product.clone()),
            ("from", o.demand.to_string()),
            ("amount", s("1000")),
            ("at_maturity", s("renew")),
            ("key", key(2)),
        ],
        "deposit_at_maturity" => vec![("account_id", o.time_deposit.to_string()), ("at_maturity", s("pay_out"))],
        "deposit_withdraw_early" => vec![("account_id", o.time_deposit.to_string()), ("key", key(3))],
        "deposit_notice" => {
            vec![("account_id", o.notice_deposit.to_string()), ("amount", s("100")), ("key", key(4))]
        }
        "deposit_notice_cancel" => vec![("notice_id", o.notice.to_string())],
        "deposit_installment" => {
            vec![("account_id", o.installment.to_string()), ("from", o.demand.to_string()), ("key", key(5))]
        }
        "inquiry_open" => {
            vec![("topic", s("deposits")), ("subject", s("大额存单")), ("body", s("请问利率？")), ("key", key(6))]
        }
        "inquiry_reply" => vec![("id", o.thread.to_string()), ("body", s("还有一个问题"))],
        "inquiry_close" => vec![("id", o.thread.to_string())],
        "booking_book" => vec![
            ("purpose", s("wealth_planning")),
            ("channel", s("branch")),
            ("advisor", s("S00003")),
            ("starts_at", monday_at(10).to_string()),
            ("note", s("")),
            ("key", key(7)),
        ],
        "booking_reschedule" => vec![("reference", o.booking.clone()), ("starts_at", monday_at(11).to_string())],
        "booking_cancel" => vec![("reference", o.booking.clone()), ("reason", s("时间不合适"))],
        "request_submit" => {
            vec![("kind", s("general")), ("key", key(8)), ("subject", s("代客提交")), ("body", s("请帮忙处理。"))]
        }
        "request_reply" => vec![("reference", o.complaint.clone()), ("body", s("补充说明")), ("key", key(9))],
        "request_withdraw" => vec![("reference", o.complaint.clone()), ("reason", s("不用了"))],
        "request_reopen" => vec![("reference", o.statement_request.clone())],
        "request_confirm" => vec![("reference", o.statement_request.clone())],
        "request_rate" => vec![("reference", o.statement_request.clone()), ("score", s("1")), ("comment", s("差"))],
        "notifications_read" => vec![],
        "step_up" => vec![("step_up_code", s("123456"))],
        "change_password" => vec![("current_password", s(DEMO_PASSWORD)), ("new_password", s("Another-Pass-2026!"))],
        "end_session" => vec![("handle", o.session_handle.clone())],
        "end_other_sessions" => vec![],
        "totp_begin" => vec![],
        "totp_confirm" => vec![("code", s("123456"))],
        "recovery_codes_saved" => vec![],
        "staff_view_setting" => vec![("allow", s("0"))],
        "recommendation_dismiss" => vec![("rule", s("maturing_deposit")), ("product", s("TD-3M"))],
        "marketing_setting" => vec![("on", s("0"))],
        other => panic!("no request body for customer write {other}: add one to write_fields"),
    }
}

/// The calls of each customer read (some more than once: every request kind).
fn read_calls(name: &str, o: &Objects) -> Vec<Fields> {
    let s = |v: &str| v.to_owned();
    match name {
        "account" | "balance_chart" => vec![vec![("id", o.demand.to_string())]],
        "transactions" => vec![vec![("id", o.demand.to_string())], vec![("id", o.time_deposit.to_string())]],
        "statement" => vec![vec![("id", o.demand.to_string())]],
        "transfer_receipt" => vec![vec![("receipt_no", o.receipt.clone())]],
        "deposit_quote" => vec![vec![
            ("product", o.product.clone()),
            ("from", o.demand.to_string()),
            ("amount", s("1000")),
            ("at_maturity", s("renew")),
            ("key", key(10)),
        ]],
        "deposit_opened" => vec![vec![("account_id", o.time_deposit.to_string())]],
        "inquiry" => vec![vec![("id", o.thread.to_string())]],
        "booking_wizard" => vec![vec![
            ("purpose", s("wealth_planning")),
            ("channel", s("branch")),
            ("branch", s("")),
            ("advisor", s("S00003")),
            ("slot", s("")),
        ]],
        "booking_detail" => vec![vec![("reference", o.booking.clone())]],
        "request_form" => app::types::RequestKind::ALL.iter().map(|k| vec![("kind", k.as_str().to_owned())]).collect(),
        "request" => {
            vec![vec![("reference", o.complaint.clone())], vec![("reference", o.statement_request.clone())]]
        }
        "overview"
        | "transfer_form"
        | "payees"
        | "deposits"
        | "deposit_open_form"
        | "inquiries"
        | "inquiry_form"
        | "bookings"
        | "requests"
        | "notifications"
        | "security_events"
        | "sessions"
        | "authenticator_panel"
        | "totp_pending"
        | "recovery_codes"
        | "staff_access"
        | "recommendations"
        | "marketing_status" => vec![vec![]],
        other => panic!("no calls for customer read {other}: add them to read_calls"),
    }
}

fn borrowed(fields: &Fields) -> Vec<(&str, &str)> {
    fields.iter().map(|(k, v)| (*k, v.as_str())).collect()
}

/// A JSON answer that must be a success; its status and body.
async fn answer(b: &Browser, endpoint: &str, fields: &Fields) -> (u16, String) {
    let response = b.call_with(endpoint, &borrowed(fields), &[("accept", "application/json")]).await;
    let status = response.status().as_u16();
    (status, response.text().await.unwrap_or_default())
}

// ---------------------------------------------------------------------------------
// The walk.
// ---------------------------------------------------------------------------------

async fn every_write_is_refused_and_every_read_shows_the_customer(backend: Backend) {
    let srv = TestServer::start(backend).await;
    let demo1 = customer_id(&srv, "C00000001").await;
    let agent_id = staff_id(&srv, "S00005").await;
    let c = customer(&srv, "demo1").await;
    let objects = prepare_objects(&srv, &c, demo1).await;
    let agent = staff_browser(&srv, "s00005").await;

    // Not viewing yet: a staff member reads no customer data.
    expect_error(agent.call("overview", &[]).await, "forbidden").await;

    let viewing = start_viewing(&srv, &agent, "s00005", "C00000001").await;
    let customer_name = text_of(&srv, "SELECT full_name FROM customers WHERE id = $1", demo1).await;

    // Every read: 200, exactly demo1's own answer (keys and "this device" aside),
    // and an audit row "ok" for it.
    let mut problems: Vec<String> = Vec::new();
    for name in CUSTOMER_READS {
        for fields in read_calls(name, &objects) {
            let (own_status, own) = answer(&c, name, &fields).await;
            assert_eq!(own_status, 200, "demo1's own {name} {fields:?}: {own}");
            let before = audited_requests(&srv, viewing, agent_id, demo1, &format!("/api/{name}"), "ok", 200).await;
            let (status, viewed) = answer(&agent, name, &fields).await;
            if status != 200 {
                problems.push(format!("read {name} {fields:?}: {status} {viewed}"));
                continue;
            }
            let own: Value = serde_json::from_str(&own).expect("JSON");
            let viewed: Value = serde_json::from_str(&viewed).expect("JSON");
            if comparable(own.clone()) != comparable(viewed.clone()) {
                problems.push(format!(
                    "read {name} {fields:?} differs from demo1's own:\n  own:    {own}\n  viewed: {viewed}"
                ));
            }
            let after = audited_requests(&srv, viewing, agent_id, demo1, &format!("/api/{name}"), "ok", 200).await;
            if after != before + 1 {
                problems.push(format!("read {name}: {} audit rows \"ok\" (expected one)", after - before));
            }
        }
    }
    // The answers really are demo1's (not empty lists equal by accident).
    let overview = agent.json("overview", &[]).await;
    let ids: Vec<i64> =
        overview["products"].as_array().expect("products").iter().filter_map(|p| p["id"].as_i64()).collect();
    assert!(ids.contains(&objects.demand) && ids.contains(&objects.time_deposit), "demo1's accounts: {overview}");
    let payees = agent.json("payees", &[]).await;
    assert!(payees.to_string().contains(&objects.demo2_name), "demo1's saved payee: {payees}");
    let events = agent.json("security_events", &[]).await;
    assert!(events.to_string().contains("impersonation_started"), "demo1's history shows the viewing: {events}");
    let notifications = agent.json("notifications", &[]).await;
    let demo1_notifications = count(&srv, "SELECT COUNT(*) FROM notifications WHERE customer_id = $1", demo1).await;
    assert_eq!(
        notifications.as_array().map(Vec::len),
        Some(usize::try_from(demo1_notifications.min(50)).expect("count")),
        "demo1's notifications"
    );
    // The pages: demo1's, with the banner naming them.
    for page in [
        "/accounts",
        "/transfer",
        "/payees",
        "/deposits",
        "/inquiries",
        "/requests",
        "/consultations",
        "/notifications",
        "/security",
    ] {
        let response = agent.http.get(format!("{}{page}", agent.base)).send().await.expect("GET");
        let status = response.status();
        let html = response.text().await.unwrap_or_default();
        let banner = html.contains("impersonation-banner");
        if status != 200 || !html.contains(&customer_name) || !banner {
            let named = html.contains(&customer_name);
            problems.push(format!("page {page}: {status}, names demo1: {named}, banner: {banner}"));
        }
    }

    // Every write: 403 impersonation_read_only, nothing changed, one audit row "refused".
    let mut refused = 0;
    for name in CUSTOMER_WRITES {
        let fields = write_fields(name, &objects);
        let before = snapshot(&srv, demo1, agent_id).await;
        let rows_before =
            audited_requests(&srv, viewing, agent_id, demo1, &format!("/api/{name}"), "refused", 403).await;
        let (status, body) = answer(&agent, name, &fields).await;
        let code = serde_json::from_str::<Value>(&body).ok().and_then(|v| v["code"].as_str().map(str::to_owned));
        if status != 403 || code.as_deref() != Some("impersonation_read_only") {
            problems.push(format!("write {name} was NOT refused: {status} {body}"));
        } else {
            refused += 1;
        }
        let after = snapshot(&srv, demo1, agent_id).await;
        for (b, a) in before.iter().zip(&after) {
            if b != a {
                problems.push(format!("write {name} changed data:\n  before: {b}\n  after:  {a}"));
            }
        }
        let rows_after =
            audited_requests(&srv, viewing, agent_id, demo1, &format!("/api/{name}"), "refused", 403).await;
        if rows_after != rows_before + 1 {
            problems.push(format!("write {name}: {} audit rows \"refused\" (expected one)", rows_after - rows_before));
        }
    }
    // A file for a request (an upload route, not a server function): refused too.
    {
        let before = snapshot(&srv, demo1, agent_id).await;
        let boundary = "----walk-boundary-1234";
        let body = format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.png\"\r\nContent-Type: image/png\r\n\r\n\u{89}PNG\r\n\u{1a}\n\r\n--{boundary}--\r\n"
        );
        let route = format!("/requests/{}/files", objects.complaint);
        let response = agent
            .http
            .post(format!("{}{route}", agent.base))
            .header("content-type", format!("multipart/form-data; boundary={boundary}"))
            .header("accept", "application/json")
            .body(body)
            .send()
            .await
            .expect("upload");
        let (status, code) = error_of(response).await;
        if status != 403 || code != "impersonation_read_only" {
            problems.push(format!("upload {route} was NOT refused: {status} {code}"));
        } else {
            refused += 1;
        }
        if snapshot(&srv, demo1, agent_id).await != before {
            problems.push(format!("upload {route} changed data"));
        }
        if audited_requests(&srv, viewing, agent_id, demo1, &route, "refused", 403).await != 1 {
            problems.push(format!("upload {route}: no audit row \"refused\""));
        }
    }

    // The same refusal for a plain HTML form (no WASM): back to the page with the
    // error, nothing changed, and audited as refused.
    {
        let before = snapshot(&srv, demo1, agent_id).await;
        let rows_before = audited_requests(&srv, viewing, agent_id, demo1, "/api/payee_delete", "refused", None).await;
        let response = agent.form("payee_delete", &borrowed(&write_fields("payee_delete", &objects)), "/payees").await;
        let back = location(&response).unwrap_or_default();
        // `__err` is the error as base64 JSON: this is `{"code":"impersonation_read_only"`.
        const REFUSED: &str = "__err=eyJjb2RlIjoiaW1wZXJzb25hdGlvbl9yZWFkX29ubHki";
        if !response.status().is_redirection() || !back.contains(REFUSED) {
            problems.push(format!("plain form payee_delete: {} to {back}", response.status()));
        } else {
            refused += 1;
        }
        if snapshot(&srv, demo1, agent_id).await != before {
            problems.push("plain form payee_delete changed data".into());
        }
        let rows_after = audited_requests(&srv, viewing, agent_id, demo1, "/api/payee_delete", "refused", None).await;
        if rows_after != rows_before + 1 {
            problems.push(format!(
                "plain form payee_delete (refused, answered {}): not audited as \"refused\"",
                response.status()
            ));
        }
    }

    // The viewer's own display preference: allowed, a cookie, no change to demo1.
    let before = snapshot(&srv, demo1, agent_id).await;
    let rows_before = audited_requests(&srv, viewing, agent_id, demo1, "/api/hide_amounts", "ok", 200).await;
    let response = agent.call_with("hide_amounts", &[("hide", "1")], &[("accept", "application/json")]).await;
    let cookie = response.headers().get("set-cookie").and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
    ok(response).await;
    assert!(cookie.starts_with("hide_amounts=1"), "hide_amounts sets the viewer's cookie: {cookie}");
    assert_eq!(snapshot(&srv, demo1, agent_id).await, before, "hide_amounts changes nothing of demo1's");
    let rows_after = audited_requests(&srv, viewing, agent_id, demo1, "/api/hide_amounts", "ok", 200).await;
    assert_eq!(rows_after, rows_before + 1, "hide_amounts is audited");

    assert!(problems.is_empty(), "{} problem(s) while viewing as demo1:\n{}", problems.len(), problems.join("\n"));

    // The viewing counted its refusals; demo1 and the agent are both still signed in
    // (neither "end session" nor "end other sessions" went through).
    let counted = count(&srv, "SELECT refused FROM impersonations WHERE id = $1", viewing).await;
    assert_eq!(counted, refused, "refused requests counted on the viewing");
    assert!(c.signed_in().await, "demo1's own session still runs");
    assert_eq!(agent.me().await["impersonating"]["customer_no"], "C00000001", "still viewing");

    // Stop: the agent is back to themselves and reads no customer data again.
    ok(agent.call("impersonation_stop", &[]).await).await;
    assert_eq!(agent.me().await["impersonating"], Value::Null, "stopped");
    expect_error(agent.call("overview", &[]).await, "forbidden").await;
    let end = text_of(&srv, "SELECT COALESCE(end_reason, '') FROM impersonations WHERE id = $1", viewing).await;
    assert_eq!(end, "stopped");
}

/// Reading as the customer marks nothing read: an inquiry's bank reply stays
/// unread, notifications stay unread (and demo1 reading it themselves does mark
/// it, so the check is not empty).
async fn reads_while_viewing_leave_no_trace(backend: Backend) {
    let srv = TestServer::start(backend).await;
    let demo1 = customer_id(&srv, "C00000001").await;
    let c = customer(&srv, "demo1").await;
    let thread = count(&srv, "SELECT id FROM inquiry_threads WHERE customer_id = $1 ORDER BY id LIMIT 1", demo1).await;
    // The bank's answer is unread by demo1.
    sqlx::query("UPDATE inquiry_threads SET customer_read_upto = 0 WHERE id = $1")
        .bind(thread)
        .execute(srv.state.db.pool())
        .await
        .expect("unread");
    const READ_UPTO: &str = "SELECT customer_read_upto FROM inquiry_threads WHERE id = $1";
    const UNREAD: &str = "SELECT COUNT(*) FROM notifications WHERE customer_id = $1 AND read_at IS NULL";
    let own_list = c.json("inquiries", &[]).await;

    let agent = staff_browser(&srv, "s00005").await;
    start_viewing(&srv, &agent, "s00005", "C00000001").await;
    // Starting told demo1: at least that notification is unread.
    let unread_before = count(&srv, UNREAD, demo1).await;
    assert!(unread_before > 0, "demo1 has unread notifications (the viewing's notice)");
    let thread_text = thread.to_string();
    let viewed = agent.json("inquiry", &[("id", &thread_text)]).await;
    assert!(viewed["messages"].as_array().is_some_and(|m| m.iter().any(|m| m["from_bank"] == true)), "{viewed}");
    for page in [format!("/inquiries/{thread}"), "/inquiries".into(), "/notifications".into(), "/accounts".into()] {
        let response = agent.http.get(format!("{}{page}", agent.base)).send().await.expect("GET");
        assert_eq!(response.status(), 200, "GET {page} while viewing");
    }
    agent.json("notifications", &[]).await;
    assert_eq!(count(&srv, READ_UPTO, thread).await, 0, "viewing the thread marks nothing read");
    assert_eq!(count(&srv, UNREAD, demo1).await, unread_before, "viewing notifications marks nothing read");
    assert_eq!(c.json("inquiries", &[]).await, own_list, "demo1's unread counts are as before");

    // demo1 reading it does mark it read: the check above would have seen it.
    c.json("inquiry", &[("id", &thread_text)]).await;
    assert!(count(&srv, READ_UPTO, thread).await > 0, "demo1's own read marks the reply read");
}

/// Assist mode (granted by a supervisor) opens the request and booking forms: what
/// is made there is recorded as the staff member's, for demo1, never as demo1's.
/// Everything else stays refused, card-loss and contact-change requests included.
async fn assist_mode_opens_only_requests_and_bookings_as_the_staff_member(backend: Backend) {
    let srv = TestServer::start(backend).await;
    let demo1 = customer_id(&srv, "C00000001").await;
    let agent_id = staff_id(&srv, "S00005").await;
    let c = customer(&srv, "demo1").await;
    let objects = prepare_objects(&srv, &c, demo1).await;
    // demo1 confirms their resolved statement request: closed, a reply to it starts
    // a follow-up request.
    ok(c.call("request_confirm", &[("reference", objects.statement_request.as_str())]).await).await;
    let agent = staff_browser(&srv, "s00005").await;
    let viewing = start_viewing(&srv, &agent, "s00005", "C00000001").await;

    // Read only until granted.
    let form = agent.json("request_form", &[("kind", "general")]).await;
    let rkey = form["key"].as_str().expect("a key").to_owned();
    let general =
        [("kind", "general"), ("key", rkey.as_str()), ("subject", "代客咨询"), ("body", "客户电话中请求协助。")];
    expect_error(agent.call("request_submit", &general).await, "impersonation_read_only").await;

    // A supervisor grants assist mode.
    if registered().iter().any(|n| n == "impersonation_grant_assist") {
        let supervisor = staff_browser(&srv, "s00002").await;
        ok(supervisor.call("impersonation_grant_assist", &[("id", &viewing.to_string())]).await).await;
        let granted_by = count(&srv, "SELECT assist_granted_by FROM impersonations WHERE id = $1", viewing).await;
        assert_eq!(granted_by, staff_id(&srv, "S00002").await, "granted by the supervisor");
    } else {
        sqlx::query("UPDATE impersonations SET mode = 'assist' WHERE id = $1")
            .bind(viewing)
            .execute(srv.state.db.pool())
            .await
            .expect("assist");
    }
    assert_eq!(agent.me().await["impersonating"]["mode"], "assist");
    let customer_rows_before =
        count(&srv, "SELECT COUNT(*) FROM audit_log WHERE actor_kind = 'customer' AND actor_id = $1", demo1).await;
    const CUSTOMER_STEPS: &str = "SELECT COUNT(*) FROM service_request_events e JOIN service_requests r \
         ON r.id = e.request_id WHERE r.customer_id = $1 AND e.actor_kind = 'customer'";
    const CUSTOMER_MESSAGES: &str = "SELECT COUNT(*) FROM service_request_messages m JOIN service_requests r \
         ON r.id = m.request_id WHERE r.customer_id = $1 AND m.author_kind = 'customer'";
    let customer_steps_before = count(&srv, CUSTOMER_STEPS, demo1).await;
    let customer_messages_before = count(&srv, CUSTOMER_MESSAGES, demo1).await;

    // A general request: stored for demo1, made by S00005.
    let to = success_to(agent.call("request_submit", &general).await).await;
    let reference = to.trim_start_matches("/requests/").to_owned();
    let (owner, made_by): (i64, Option<i64>) =
        sqlx::query_as("SELECT customer_id, created_by_staff_id FROM service_requests WHERE reference = $1")
            .bind(&reference)
            .fetch_one(srv.state.db.pool())
            .await
            .expect("the request");
    assert_eq!((owner, made_by), (demo1, Some(agent_id)), "demo1's request, made by S00005");
    let timeline: Vec<(String, String, Option<i64>)> = sqlx::query_as(
        "SELECT e.kind, e.actor_kind, e.actor_id FROM service_request_events e \
         JOIN service_requests r ON r.id = e.request_id WHERE r.reference = $1 ORDER BY e.id",
    )
    .bind(&reference)
    .fetch_all(srv.state.db.pool())
    .await
    .expect("timeline");
    assert!(!timeline.is_empty(), "a timeline");
    assert!(timeline.iter().all(|(_, kind, _)| kind != "customer"), "never demo1's own action: {timeline:?}");
    assert!(
        timeline.iter().any(|(kind, actor, id)| kind == "submitted" && actor == "staff" && *id == Some(agent_id)),
        "submitted by S00005: {timeline:?}"
    );
    let submitted: Vec<(String, Option<i64>)> = sqlx::query_as(
        "SELECT actor_kind, actor_id FROM audit_log WHERE event = 'service_request_submitted' AND detail LIKE $1",
    )
    .bind(format!("%{reference}%"))
    .fetch_all(srv.state.db.pool())
    .await
    .expect("audit");
    assert_eq!(submitted, vec![("staff".to_owned(), Some(agent_id))], "audited as S00005's");
    assert_eq!(
        audited_requests(&srv, viewing, agent_id, demo1, "/api/request_submit", "ok", 200).await,
        1,
        "the viewing's audit row for the submission"
    );

    // A booking for demo1, booked by S00005.
    let booked = agent
        .json(
            "booking_book",
            &[
                ("purpose", "loan"),
                ("channel", "phone"),
                ("advisor", "S00003"),
                ("starts_at", &monday_at(10).to_string()),
                ("note", ""),
                ("key", &key(950)),
            ],
        )
        .await;
    let booking = booked["reference"].as_str().unwrap_or_else(|| panic!("a booking: {booked}")).to_owned();
    let (owner, by): (i64, Option<i64>) =
        sqlx::query_as("SELECT customer_id, booked_by_staff_id FROM bookings WHERE reference = $1")
            .bind(&booking)
            .fetch_one(srv.state.db.pool())
            .await
            .expect("the booking");
    assert_eq!((owner, by), (demo1, Some(agent_id)), "demo1's booking, booked by S00005");

    // A reply on the new request: a message from S00005.
    let form = agent.json("request", &[("reference", reference.as_str())]).await;
    let reply_key = form["reply_key"].as_str().unwrap_or_else(|| panic!("a reply key: {form}")).to_owned();
    let reply = [("reference", reference.as_str()), ("body", "已代客户补充材料说明。"), ("key", reply_key.as_str())];
    success_to(agent.call("request_reply", &reply).await).await;
    let authors: Vec<(String, i64)> = sqlx::query_as(
        "SELECT m.author_kind, m.author_id FROM service_request_messages m \
         JOIN service_requests r ON r.id = m.request_id WHERE r.reference = $1 ORDER BY m.id",
    )
    .bind(&reference)
    .fetch_all(srv.state.db.pool())
    .await
    .expect("messages");
    assert!(authors.contains(&("staff".to_owned(), agent_id)), "the reply is S00005's: {authors:?}");

    // Nothing was recorded as demo1's own doing: no audit row, no timeline step, no
    // message as the customer.
    assert_eq!(count(&srv, CUSTOMER_STEPS, demo1).await, customer_steps_before, "no timeline step as demo1");
    assert_eq!(count(&srv, CUSTOMER_MESSAGES, demo1).await, customer_messages_before, "no message as demo1");
    let customer_rows_after =
        count(&srv, "SELECT COUNT(*) FROM audit_log WHERE actor_kind = 'customer' AND actor_id = $1", demo1).await;
    assert_eq!(customer_rows_after, customer_rows_before, "no audit row as demo1 while assisting");

    // Still refused: money, payees, inquiries, card loss, contact changes.
    let before = snapshot(&srv, demo1, agent_id).await;
    for name in ["transfer_make", "payee_delete", "inquiry_open", "deposit_open", "notifications_read"] {
        let (status, body) = answer(&agent, name, &write_fields(name, &objects)).await;
        assert!(status == 403 && body.contains("impersonation_read_only"), "{name} in assist mode: {status} {body}");
    }
    for (kind, extra) in [
        (
            "card_lost",
            vec![("card_id", objects.card.to_string()), ("stolen", "no".to_owned()), ("replacement", "yes".to_owned())],
        ),
        ("card_freeze", vec![("card_id", objects.card.to_string())]),
        ("contact_change", vec![("phone", "13900001111".to_owned()), ("code", "123456".to_owned())]),
    ] {
        let form = agent.json("request_form", &[("kind", kind)]).await;
        let mut fields: Fields =
            vec![("kind", kind.to_owned()), ("key", form["key"].as_str().expect("key").to_owned())];
        fields.extend(extra);
        let (status, body) = answer(&agent, "request_submit", &fields).await;
        assert!(status == 403 && body.contains("impersonation_read_only"), "{kind} in assist mode: {status} {body}");
    }
    assert_eq!(snapshot(&srv, demo1, agent_id).await, before, "the refused requests changed nothing");
    let card = text_of(&srv, "SELECT status FROM cards WHERE id = $1", objects.card).await;
    assert_eq!(card, "active", "demo1's card is untouched");

    // A reply on the closed statement request starts a follow-up request: made by
    // S00005 too, never by demo1.
    let form = agent.json("request", &[("reference", objects.statement_request.as_str())]).await;
    let reply_key = form["reply_key"].as_str().unwrap_or_else(|| panic!("a reply key: {form}")).to_owned();
    let reply = [
        ("reference", objects.statement_request.as_str()),
        ("body", "客户还需要上个月的对账单。"),
        ("key", reply_key.as_str()),
    ];
    let landed = success_to(agent.call("request_reply", &reply).await).await;
    let follow_up = landed.trim_start_matches("/requests/").to_owned();
    assert_ne!(follow_up, objects.statement_request, "a new request follows up the closed one");
    let made_by: Option<i64> =
        sqlx::query_scalar("SELECT created_by_staff_id FROM service_requests WHERE reference = $1")
            .bind(&follow_up)
            .fetch_one(srv.state.db.pool())
            .await
            .expect("the follow-up");
    assert_eq!(made_by, Some(agent_id), "the follow-up is made by S00005");

    assert_eq!(count(&srv, CUSTOMER_STEPS, demo1).await, customer_steps_before, "no timeline step as demo1");
    assert_eq!(count(&srv, CUSTOMER_MESSAGES, demo1).await, customer_messages_before, "no message as demo1");
    let customer_rows_end =
        count(&srv, "SELECT COUNT(*) FROM audit_log WHERE actor_kind = 'customer' AND actor_id = $1", demo1).await;
    assert_eq!(customer_rows_end, customer_rows_before, "no audit row as demo1 while assisting");
}
