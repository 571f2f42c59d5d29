//! Consultation bookings on SQLite and PostgreSQL: many customers racing for one
//! slot get exactly one booking and "slot taken" for every other; the same
//! idempotency key twice books once with the same answer; the database itself
//! refuses an overlapping booking; reschedule and cancel stop at the 2-hour
//! cut-off; a cancelled or moved-away slot is offered again; reminders are
//! written, moved, cancelled and sent once; the calendar file is its owner's only;
//! and another customer's reference is `not_found` everywhere.
//!
//! The clock stands at 2026-11-29T00:00Z (Sunday 08:00 in Beijing). The demo
//! advisor S00003 (County Town Office, demo1's relationship manager) works
//! Mon–Fri 09:00–12:00 and 13:30–17:00 with 45-minute slots and 15 minutes of
//! buffer, so Monday 2026-11-30 offers 09:00, 10:00, 11:00, 13:30, 14:30, 15:30.
mod support;

use app::api::booking::BookingView;
use app::backend::auth::CustomerChange;
use app::backend::booking::book::{book, BookRequest};
use app::backend::booking::{change, reminders, views};
use app::backend::seed::demo_customer;
use app::backend::Clock as _;
use app::error::ErrorCode;
use app::types::{Channel, IdempotencyKey, PlainText, Purpose, Timestamp};
use chrono::TimeZone;
use support::browser::*;
use support::{Backend, TestServer};

on_both_backends!(
    racing_customers_get_one_booking_and_slot_taken,
    the_same_key_twice_at_once_books_once_with_the_same_answer,
    the_database_refuses_an_overlapping_booking,
    reschedule_and_cancel_stop_at_the_cut_off,
    a_cancelled_or_moved_away_slot_is_offered_again,
    reminders_follow_the_booking_and_are_sent_once,
    the_calendar_file_is_for_its_owner_only,
    another_customers_booking_is_not_found,
    booking_works_as_plain_html_forms,
    leave_and_a_booking_at_the_same_moment_never_both_land,
);

const ZONE: chrono_tz::Tz = chrono_tz::Asia::Shanghai;

/// `hh:mm` in Beijing on 2026-11-(30 + `day`) (day 0 is Monday).
fn monday(day: u32, hour: u32, minute: u32) -> Timestamp {
    let local = ZONE.with_ymd_and_hms(2026, 11, 30, hour, minute, 0).single().expect("a local time");
    Timestamp::from_micros(local.timestamp_micros()).plus_seconds(i64::from(day) * 86_400)
}

async fn customer_id(srv: &TestServer, n: u32) -> i64 {
    sqlx::query_scalar("SELECT id FROM customers WHERE customer_no = $1")
        .bind(demo_customer(n).customer_no)
        .fetch_one(srv.state.db.pool())
        .await
        .expect("demo customer")
}

/// Proof for demo customer `n`, as the server function would make it.
async fn who(srv: &TestServer, n: u32) -> CustomerChange {
    CustomerChange { customer_id: customer_id(srv, n).await, credential_id: 0, on_behalf_of: None }
}

fn key(text: &str) -> IdempotencyKey {
    IdempotencyKey::parse(&format!("{text:0>16}")).expect("a key")
}

fn request(at: Timestamp, key_text: &str) -> BookRequest {
    BookRequest {
        purpose: Purpose::WealthPlanning,
        channel: Channel::Branch,
        advisor: "S00003".into(),
        starts_at: at,
        note: String::new(),
        key: key(key_text),
    }
}

async fn book_at(srv: &TestServer, n: u32, at: Timestamp, key_text: &str) -> BookingView {
    book(&srv.state, &who(srv, n).await, &request(at, key_text)).await.expect("booked")
}

async fn advisor_id(srv: &TestServer, staff_no: &str) -> i64 {
    sqlx::query_scalar("SELECT id FROM staff WHERE staff_no = $1")
        .bind(staff_no)
        .fetch_one(srv.state.db.pool())
        .await
        .expect("staff")
}

/// S00003's free slot starts now.
async fn free_starts(srv: &TestServer) -> Vec<Timestamp> {
    let staff = advisor_id(srv, "S00003").await;
    let mut conn = srv.state.db.pool().acquire().await.expect("connection");
    let slots = views::free_slots(&mut conn, staff, ZONE, srv.clock.now(), None).await.expect("slots");
    slots.into_iter().map(|s| s.starts_at).collect()
}

async fn count(srv: &TestServer, sql: &str, reference: &str) -> i64 {
    sqlx::query_scalar(sql).bind(reference).fetch_one(srv.state.db.pool()).await.expect("count")
}

async fn chain_intact(srv: &TestServer) {
    app::backend::audit::verify_chain(&srv.state.db).await.expect("the audit chain verifies");
}

async fn signed_in(srv: &TestServer, username: &str) -> Browser {
    let b = Browser::new(srv);
    assert_eq!(success_to(login(&b, username, app::backend::seed::DEMO_PASSWORD).await).await, "/accounts");
    b
}

// ---------------------------------------------------------------------------------

async fn racing_customers_get_one_booking_and_slot_taken(backend: Backend) {
    let srv = TestServer::start(backend).await;
    const RACERS: u32 = 16;
    let mut proofs = Vec::new();
    for n in 1..=RACERS {
        proofs.push(who(&srv, n).await);
    }
    for (round, at) in [monday(0, 9, 0), monday(0, 10, 0), monday(1, 13, 30), monday(2, 15, 30)].into_iter().enumerate()
    {
        let mut tasks = Vec::new();
        for (i, proof) in proofs.iter().enumerate() {
            let state = srv.state.clone();
            let proof = *proof;
            let req = request(at, &format!("race{round}x{i}"));
            tasks.push(tokio::spawn(async move { book(&state, &proof, &req).await }));
        }
        let mut won = Vec::new();
        for task in tasks {
            match task.await.expect("task") {
                Ok(view) => won.push(view),
                Err(e) => assert_eq!(e.code, ErrorCode::SlotTaken, "round {round}: every loser is told 'just taken'"),
            }
        }
        assert_eq!(won.len(), 1, "round {round}: exactly one booking");
        let booked: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM bookings WHERE starts_at = $1 AND status = 'booked'")
                .bind(at.micros())
                .fetch_one(srv.state.db.pool())
                .await
                .unwrap();
        assert_eq!(booked, 1, "round {round}: one row in the database");
        assert!(!free_starts(&srv).await.contains(&at), "round {round}: the slot is no longer offered");
    }
    chain_intact(&srv).await;
}

/// An advisor adds a day's leave while a customer books that day: one of the two
/// wins and the other is refused, never both (on PostgreSQL both take the
/// advisor's row lock before reading the calendar).
async fn leave_and_a_booking_at_the_same_moment_never_both_land(backend: Backend) {
    use app::backend::advisor::leave::{add_exception, ExceptionForm};
    use app::backend::auth::StaffActor;
    use app::types::StaffRole;
    let srv = TestServer::start(backend).await;
    let advisor = StaffActor { staff_id: advisor_id(&srv, "S00003").await, role: StaffRole::Advisor };
    let customer = who(&srv, 1).await;
    for round in 1..=4 {
        let at = monday(round, 9, 0);
        let day = app::types::Day::at(ZONE, at).to_string();
        let form = ExceptionForm::parse("leave", &day, "", "", "").expect("a leave form");
        let booking = tokio::spawn({
            let (state, req) = (srv.state.clone(), request(at, &format!("leave-race{round}")));
            async move { book(&state, &customer, &req).await }
        });
        let leave = tokio::spawn({
            let state = srv.state.clone();
            async move { add_exception(&state, &advisor, "S00003", &form, None, "").await }
        });
        let (booking, leave) = (booking.await.expect("task"), leave.await.expect("task"));
        let booked = booking.is_ok();
        let on_leave = leave.is_ok();
        assert!(booked != on_leave, "round {round}: exactly one lands (booked {booked}, leave {on_leave})");
        if let Err(e) = booking {
            assert!(matches!(e.code, ErrorCode::SlotUnavailable | ErrorCode::SlotTaken), "round {round}: {e:?}");
        }
        if let Err(e) = leave {
            assert_eq!(e.code, ErrorCode::WrongState, "round {round}: the leave is told about the booking");
        }
    }
}

async fn the_same_key_twice_at_once_books_once_with_the_same_answer(backend: Backend) {
    let srv = TestServer::start(backend).await;
    let proof = who(&srv, 1).await;
    let at = monday(0, 11, 0);
    let tasks: Vec<_> = (0..4)
        .map(|_| {
            let state = srv.state.clone();
            let req = request(at, "doubleclick");
            tokio::spawn(async move { book(&state, &proof, &req).await })
        })
        .collect();
    let mut answers = Vec::new();
    for task in tasks {
        answers.push(task.await.expect("task").expect("every click gets the booking"));
    }
    assert!(answers.windows(2).all(|w| w[0] == w[1]), "identical answers: {answers:?}");
    let rows: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM bookings").fetch_one(srv.state.db.pool()).await.unwrap();
    assert_eq!(rows, 1);

    // Over HTTP too: the same form sent twice gives the same booking.
    let b = signed_in(&srv, "demo1").await;
    let at = monday(0, 13, 30).micros().to_string();
    let form = [
        ("purpose", "loan"),
        ("channel", "phone"),
        ("advisor", "S00003"),
        ("starts_at", at.as_str()),
        ("note", "想了解房贷"),
        ("key", "http-key-0000000001"),
    ];
    let first = b.json("booking_book", &form).await;
    let second = b.json("booking_book", &form).await;
    assert_eq!(first, second);
    assert_eq!(first["channel"], "phone");
    assert_eq!(first["dial_in"], "0571-8800-1013", "phone bookings carry the number to call");
    // The same key with other content is refused.
    let mut other = form;
    other[3].1 = "1";
    expect_error(b.call("booking_book", &other).await, "idempotency_conflict").await;
    chain_intact(&srv).await;
}

async fn the_database_refuses_an_overlapping_booking(backend: Backend) {
    let srv = TestServer::start(backend).await;
    let first = book_at(&srv, 1, monday(0, 9, 0), "overlap1").await;
    let (customer, staff) = (customer_id(&srv, 2).await, advisor_id(&srv, "S00003").await);
    let insert = |reference: &'static str, start: Timestamp, status: &'static str| {
        let db = srv.state.db.clone();
        async move {
            sqlx::query(
                "INSERT INTO bookings (reference, customer_id, advisor_id, branch_id, purpose, channel, starts_at, \
                 ends_at, busy_until, status, created_at, updated_at) \
                 VALUES ($1, $2, $3, (SELECT branch_id FROM staff WHERE id = $3), 'loan', 'branch', $4, $5, $6, $7, 0, 0)",
            )
            .bind(reference)
            .bind(customer)
            .bind(staff)
            .bind(start.micros())
            .bind(start.plus_seconds(45 * 60).micros())
            .bind(start.plus_seconds(60 * 60).micros())
            .bind(status)
            .execute(db.pool())
            .await
        }
    };
    // 09:30 overlaps 09:00–10:00 (meeting plus buffer).
    let err = insert("BK90000001", monday(0, 9, 30), "booked").await.expect_err("an overlap is refused");
    assert!(app::backend::booking::book::is_overlap(&err), "the overlap rule refused it: {err}");
    // Inside the buffer too (09:50).
    assert!(insert("BK90000002", monday(0, 9, 50), "booked").await.is_err());
    // Right after the buffer is fine, and a cancelled row never blocks.
    insert("BK90000003", monday(0, 10, 0), "booked").await.expect("adjacent booking");
    insert("BK90000004", monday(0, 9, 0), "cancelled").await.expect("a cancelled row overlaps freely");
    // Moving a row onto another is refused as well.
    let err =
        sqlx::query("UPDATE bookings SET starts_at = $1, ends_at = $2, busy_until = $3 WHERE reference = 'BK90000003'")
            .bind(monday(0, 9, 15).micros())
            .bind(monday(0, 10, 0).micros())
            .bind(monday(0, 10, 15).micros())
            .execute(srv.state.db.pool())
            .await
            .expect_err("an overlapping move is refused");
    assert!(app::backend::booking::book::is_overlap(&err), "{err}");
    assert_eq!(count(&srv, "SELECT COUNT(*) FROM bookings WHERE reference = $1", &first.reference).await, 1);
}

async fn reschedule_and_cancel_stop_at_the_cut_off(backend: Backend) {
    let srv = TestServer::start(backend).await;
    let proof = who(&srv, 1).await;
    let reason = PlainText::new("有事", 200, "reason").unwrap();
    let first = book_at(&srv, 1, monday(0, 9, 0), "cutoff1").await;
    let second = book_at(&srv, 1, monday(0, 10, 0), "cutoff2").await;
    assert!(first.can_change);
    // 2 hours and 1 minute before 09:00 Monday: still allowed to move it (to Tuesday).
    srv.clock.advance_seconds(first.starts_at.micros() / 1_000_000 - srv.clock.now().micros() / 1_000_000 - 7260);
    let moved = change::reschedule(&srv.state, &proof, &first.reference, monday(1, 9, 0)).await.expect("moved");
    assert_eq!(moved.starts_at, monday(1, 9, 0));
    assert_eq!(moved.sequence, 1);
    // 1 hour 59 minutes before the second one (10:00): refused, both ways.
    srv.clock.advance_seconds(3600 + 120);
    let late = change::reschedule(&srv.state, &proof, &second.reference, monday(1, 10, 0)).await.unwrap_err();
    assert_eq!(late.code, ErrorCode::PastCutOff);
    let late = change::cancel(&srv.state, &proof, &second.reference, &reason).await.unwrap_err();
    assert_eq!(late.code, ErrorCode::PastCutOff);
    let view = views::booking(&srv.state, &app::backend::auth::CustomerRead::own(proof.customer_id), &second.reference)
        .await
        .unwrap();
    assert!(!view.can_change && view.upcoming, "the page offers the branch's phone instead");
    // The moved one is a day away: cancelling it is fine, and a second cancel is the wrong state.
    let cancelled = change::cancel(&srv.state, &proof, &first.reference, &reason).await.expect("cancelled");
    assert_eq!(cancelled.status, app::types::BookingStatus::Cancelled);
    assert_eq!(cancelled.sequence, 2);
    assert_eq!(cancelled.cancel_reason.as_deref(), Some("有事"));
    let again = change::cancel(&srv.state, &proof, &first.reference, &reason).await.unwrap_err();
    assert_eq!(again.code, ErrorCode::WrongState);
    chain_intact(&srv).await;
}

async fn a_cancelled_or_moved_away_slot_is_offered_again(backend: Backend) {
    let srv = TestServer::start(backend).await;
    let proof = who(&srv, 1).await;
    let (nine, ten, eleven) = (monday(0, 9, 0), monday(0, 10, 0), monday(0, 11, 0));
    let a = book_at(&srv, 1, nine, "again1").await;
    let b = book_at(&srv, 2, ten, "again2").await;
    let free = free_starts(&srv).await;
    assert!(!free.contains(&nine) && !free.contains(&ten) && free.contains(&eleven));
    // Someone else's slot cannot be taken by a move.
    let taken = change::reschedule(&srv.state, &proof, &a.reference, ten).await.unwrap_err();
    assert_eq!(taken.code, ErrorCode::SlotTaken);
    // A time the advisor never offers (10 past) is unavailable.
    let odd = change::reschedule(&srv.state, &proof, &a.reference, monday(0, 9, 10)).await.unwrap_err();
    assert_eq!(odd.code, ErrorCode::SlotUnavailable);
    // Moving frees the old slot and takes the new one, in one step.
    change::reschedule(&srv.state, &proof, &a.reference, eleven).await.expect("moved");
    let free = free_starts(&srv).await;
    assert!(free.contains(&nine) && !free.contains(&eleven));
    // Cancelling frees the slot: another customer books it.
    let reason = PlainText::new("改天再来", 200, "reason").unwrap();
    change::cancel(&srv.state, &who(&srv, 2).await, &b.reference, &reason).await.expect("cancelled");
    assert!(free_starts(&srv).await.contains(&ten));
    book_at(&srv, 3, ten, "again3").await;
    chain_intact(&srv).await;
}

async fn reminders_follow_the_booking_and_are_sent_once(backend: Backend) {
    let srv = TestServer::start(backend).await;
    let proof = who(&srv, 1).await;
    let db = &srv.state.db;
    let rows = |reference: String| async move {
        let rows: Vec<(String, i64, Option<i64>, Option<i64>)> = sqlx::query_as(
            "SELECT r.kind, r.due_at, r.sent_at, r.cancelled_at FROM booking_reminders r \
             JOIN bookings b ON b.id = r.booking_id WHERE b.reference = $1 ORDER BY r.id",
        )
        .bind(reference)
        .fetch_all(db.pool())
        .await
        .unwrap();
        rows
    };
    // Monday 09:00 is 25 hours ahead: both reminders.
    let nine = monday(0, 9, 0);
    let a = book_at(&srv, 1, nine, "remind1").await;
    let written = rows(a.reference.clone()).await;
    assert_eq!(written.len(), 2);
    assert_eq!((written[0].0.as_str(), written[0].1), ("day_before", nine.plus_seconds(-86_400).micros()));
    assert_eq!((written[1].0.as_str(), written[1].1), ("hour_before", nine.plus_seconds(-3600).micros()));
    // Moved to Tuesday: the old ones are cancelled, new ones written.
    let tuesday = monday(1, 9, 0);
    change::reschedule(&srv.state, &proof, &a.reference, tuesday).await.expect("moved");
    let moved = rows(a.reference.clone()).await;
    assert_eq!(moved.len(), 4);
    assert!(moved[..2].iter().all(|r| r.3.is_some()), "old reminders cancelled: {moved:?}");
    assert!(moved[2..].iter().all(|r| r.3.is_none() && r.2.is_none()));
    assert_eq!(moved[2].1, tuesday.plus_seconds(-86_400).micros());
    // A second booking, cancelled: its reminders are cancelled and never sent.
    let b = book_at(&srv, 2, monday(1, 10, 0), "remind2").await;
    let reason = PlainText::new("不需要了", 200, "reason").unwrap();
    change::cancel(&srv.state, &who(&srv, 2).await, &b.reference, &reason).await.expect("cancelled");
    assert!(rows(b.reference.clone()).await.iter().all(|r| r.3.is_some()));

    // Monday 09:05 Beijing: the day-before reminder of the Tuesday booking is due.
    srv.clock.advance_seconds((tuesday.micros() - srv.clock.now().micros()) / 1_000_000 - 86_400 + 300);
    let now = srv.clock.now();
    let (one, two) =
        tokio::join!(reminders::send_due_reminders(db, ZONE, now), reminders::send_due_reminders(db, ZONE, now));
    let third = reminders::send_due_reminders(db, ZONE, now).await.unwrap();
    // The server's own job may have sent it first; nobody sends it twice.
    assert!(one.unwrap() + two.unwrap() + third <= 1);
    let notices: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM notifications WHERE customer_id = $1 AND kind = 'booking_reminder_day'",
    )
    .bind(proof.customer_id)
    .fetch_one(db.pool())
    .await
    .unwrap();
    assert_eq!(notices, 1, "one notification");
    let sms: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM outbox WHERE body LIKE $1")
        .bind(format!("%{}%", a.reference))
        .fetch_one(db.pool())
        .await
        .unwrap();
    assert_eq!(sms, 1, "one SMS");
    let other: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM notifications WHERE kind LIKE 'booking_reminder%'")
        .fetch_one(db.pool())
        .await
        .unwrap();
    assert_eq!(other, 1, "the cancelled booking and the moved-away times sent nothing");
    let sent = rows(a.reference.clone()).await;
    assert!(sent[2].2.is_some() && sent[3].2.is_none(), "day-before sent, hour-before waits: {sent:?}");
}

/// The calendar file of `reference` as `b` gets it: status and body.
async fn calendar(b: &Browser, reference: &str) -> (u16, String, String) {
    let response = b
        .http
        .get(format!("{}/consultations/{reference}/calendar.ics", b.base))
        .send()
        .await
        .expect("GET calendar.ics");
    let status = response.status().as_u16();
    let kind = response.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
    (status, kind, response.text().await.unwrap_or_default())
}

async fn the_calendar_file_is_for_its_owner_only(backend: Backend) {
    let srv = TestServer::start(backend).await;
    let booked = book_at(&srv, 1, monday(0, 9, 0), "calendar1").await;
    let owner = signed_in(&srv, "demo1").await;
    let (status, kind, body) = calendar(&owner, &booked.reference).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(kind, "text/calendar; charset=utf-8");
    assert!(body.starts_with("BEGIN:VCALENDAR\r\n") && body.ends_with("END:VCALENDAR\r\n"), "{body}");
    let unfolded = body.replace("\r\n ", "");
    for line in [
        "VERSION:2.0",
        "BEGIN:VEVENT",
        &format!("UID:{}@portal", booked.reference),
        "DTSTART:20261130T010000Z",
        "DTEND:20261130T014500Z",
        "SEQUENCE:0",
        "STATUS:CONFIRMED",
    ] {
        assert!(unfolded.split("\r\n").any(|l| l == line), "{line} in {body}");
    }
    assert!(unfolded.contains("LOCATION:县城营业部 幸福路 18 号"), "the branch's address: {body}");
    assert!(!body.replace("\r\n", "").contains('\n'), "CRLF line ends only");
    assert!(body.split("\r\n").all(|l| l.len() <= 75), "folded at 75 octets: {body}");

    // Another customer: not found; nobody signed in: unauthenticated.
    let other = signed_in(&srv, "demo2").await;
    assert_eq!(calendar(&other, &booked.reference).await.0, 404);
    assert_eq!(calendar(&other, "BK00000000").await.0, 404);
    assert_eq!(calendar(&Browser::new(&srv), &booked.reference).await.0, 401);

    // Cancelled: the same event, cancelled, with a higher sequence.
    let reason = [("reference", booked.reference.as_str()), ("reason", "时间冲突")];
    ok(owner.call("booking_cancel", &reason).await).await;
    let (_, _, body) = calendar(&owner, &booked.reference).await;
    assert!(body.contains("STATUS:CANCELLED\r\n") && body.contains("SEQUENCE:1\r\n"), "{body}");
}

async fn another_customers_booking_is_not_found(backend: Backend) {
    let srv = TestServer::start(backend).await;
    let booked = book_at(&srv, 1, monday(0, 9, 0), "owner1").await;
    let other = signed_in(&srv, "demo2").await;
    let r = booked.reference.as_str();
    let at = monday(0, 10, 0).micros().to_string();
    expect_error(other.call("booking_detail", &[("reference", r)]).await, "not_found").await;
    expect_error(other.call("booking_reschedule", &[("reference", r), ("starts_at", &at)]).await, "not_found").await;
    expect_error(other.call("booking_cancel", &[("reference", r), ("reason", "x")]).await, "not_found").await;
    let list = other.json("bookings", &[]).await;
    assert_eq!(list["upcoming"].as_array().map(Vec::len), Some(0));
    // Nothing changed, and the owner sees it.
    let owner = signed_in(&srv, "demo1").await;
    let detail = owner.json("booking_detail", &[("reference", r)]).await;
    assert_eq!(detail["booking"]["status"], "booked");
    assert_eq!(detail["booking"]["sequence"], 0);
    assert!(detail["slots"].as_array().is_some_and(|d| !d.is_empty()), "free times to move to");
    // Signed out: nothing.
    expect_error(Browser::new(&srv).call("bookings", &[]).await, "unauthenticated").await;
}

async fn get_html(b: &Browser, path: &str) -> String {
    let response = b.http.get(format!("{}{path}", b.base)).send().await.unwrap_or_else(|e| panic!("GET {path}: {e}"));
    assert_eq!(response.status(), 200, "GET {path}");
    response.text().await.expect("body")
}

async fn booking_works_as_plain_html_forms(backend: Backend) {
    let srv = TestServer::start(backend).await;
    let b = signed_in(&srv, "demo1").await;
    // The wizard: demo1's own relationship manager (S00003, 李静) is offered first.
    let html = get_html(&b, "/consultations/book?purpose=loan&channel=branch").await;
    let (rm, other) = (html.find("李静").expect("S00003 listed"), html.find("王磊").expect("S00004 listed"));
    assert!(rm < other, "the relationship manager comes first");
    // Step 3 without a day: only the days that have free times, as links.
    let html = get_html(&b, "/consultations/book?purpose=loan&channel=branch&advisor=S00003").await;
    let nine = monday(0, 9, 0).micros().to_string();
    let tuesday_nine = monday(1, 9, 0).micros().to_string();
    assert!(html.contains("bk-day-link") && html.contains("day=2026-11-30"), "Monday is offered as a day");
    assert!(html.contains("day=2026-12-01"), "and Tuesday");
    assert!(!html.contains("day=2026-12-06"), "a Sunday without hours is left out");
    assert!(!html.contains("slot="), "no times before a day is chosen");
    // With a day: that day's times only, and the way back to the days.
    let html = get_html(&b, "/consultations/book?purpose=loan&channel=branch&advisor=S00003&day=2026-11-30").await;
    assert!(html.contains(&format!("day=2026-11-30&amp;slot={nine}")), "Monday 09:00 is offered");
    assert!(!html.contains(&format!("slot={tuesday_nine}")), "Tuesday's times are not on Monday's page");
    assert!(!html.contains("bk-day-link"), "the list of days is folded away");
    assert!(html.contains("bk-change-day"), "a link to choose another day");
    // A day without free times (a stale link): told so, and the days again.
    let html = get_html(&b, "/consultations/book?purpose=loan&channel=branch&advisor=S00003&day=2026-12-06").await;
    assert!(html.contains("这一天已经没有空闲时间了") && html.contains("day=2026-11-30"), "the days again");
    let confirm = format!(
        "/consultations/book?purpose=loan&channel=branch&advisor=S00003&day=2026-11-30&slot={nine}&key=form-key-00000001"
    );
    let html = get_html(&b, &confirm).await;
    assert!(html.contains("form-key-00000001"), "the confirm form carries the key");
    let fields = [
        ("purpose", "loan"),
        ("channel", "branch"),
        ("advisor", "S00003"),
        ("starts_at", nine.as_str()),
        ("note", "<script>alert(1)</script>"),
        ("key", "form-key-00000001"),
    ];
    let response = b.form("booking_book", &fields, &confirm).await;
    assert_eq!(response.status(), 302);
    let to = location(&response).expect("a Location");
    assert!(to.starts_with("/consultations/BK") && to.ends_with("?booked=1"), "{to}");
    let page = get_html(&b, &to).await;
    let reference = &to["/consultations/".len()..to.len() - "?booked=1".len()];
    assert!(page.contains(reference) && page.contains("calendar.ics"), "the confirmation page");
    assert!(page.contains("&lt;script&gt;") && !page.contains("<script>alert"), "the note shows as text");
    let list = get_html(&b, "/consultations").await;
    assert!(list.contains(reference));
    // The reschedule form is day first too: days as links, then one day's radios.
    let detail = format!("/consultations/{reference}");
    let page = get_html(&b, &detail).await;
    assert!(page.contains(&format!("{detail}?day=2026-12-01#bk-reschedule-title")), "Tuesday as a day link");
    assert!(!page.contains("name=\"starts_at\""), "no times before a day is chosen");
    let page = get_html(&b, &format!("{detail}?day=2026-12-01")).await;
    assert!(page.contains(&format!("value=\"{tuesday_nine}\"")), "Tuesday 09:00 to move to");
    assert!(!page.contains(&format!("value=\"{}\"", monday(0, 11, 0).micros())), "no Monday time on Tuesday");

    // Someone else takes 10:00 while demo1 confirms it: back to the page with "slot taken".
    let ten = monday(0, 10, 0);
    book_at(&srv, 2, ten, "formrace1").await;
    let ten = ten.micros().to_string();
    let confirm = format!(
        "/consultations/book?purpose=loan&channel=branch&advisor=S00003&day=2026-11-30&slot={ten}&key=form-key-00000002"
    );
    let mut taken = fields;
    taken[3].1 = ten.as_str();
    taken[5].1 = "form-key-00000002";
    let response = b.form("booking_book", &taken, &confirm).await;
    let back = location(&response).expect("a Location");
    // The referer comes back whole: keep its path and query.
    let back = back.strip_prefix(&b.base).unwrap_or(&back).to_owned();
    assert!(back.starts_with(&confirm) && back.contains("__err"), "{back}");
    let html = get_html(&b, &back).await;
    assert!(!has_slot_link(&html, &ten, "form-key-00000002"), "the refreshed list leaves 10:00 out");
    assert!(has_slot_link(&html, &monday(0, 11, 0).micros().to_string(), "form-key-00000002"), "and offers 11:00");
    assert!(!html.contains(&format!("slot={tuesday_nine}")), "still on Monday, the day in the URL");
}

/// Whether the page links the free time `at` (a slot link ends with its key; the
/// page's own URL, which may appear in a form, goes on with `__path`).
fn has_slot_link(html: &str, at: &str, key: &str) -> bool {
    html.contains(&format!("slot={at}&amp;key={key}\"")) || html.contains(&format!("slot={at}&key={key}\""))
}
