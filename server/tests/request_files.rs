//! Files on service requests, on SQLite and PostgreSQL, through the real routes: a
//! customer attaches a PDF to their request (a plain form post, answered with a
//! redirect back to the page) and downloads exactly those bytes as an attachment;
//! the same file sent twice is stored once; a file that lies about its type or is
//! over 5 MB is refused and nothing is stored; another customer, and nobody signed
//! in, can neither attach nor download; staff attach and download, audited; a
//! closed request takes no more files.
mod support;

use app::backend::requests::calendar::WorkingCalendar;
use app::backend::requests::{self, NewRequest};
use app::backend::seed::DEMO_PASSWORD;
use app::types::{Party, PlainText, RequestKind, RequestRef, RequestStatus};
use reqwest::Response;
use support::browser::*;
use support::staff::staff_browser;
use support::{Backend, TestServer};

on_both_backends!(
    a_customer_attaches_and_downloads_their_file,
    files_that_lie_about_their_type_or_are_too_large_are_refused_and_nothing_is_stored,
    other_customers_and_strangers_reach_no_file,
    staff_attach_and_download_and_both_are_audited,
    final_requests_take_no_more_files,
);

const PDF: &[u8] = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n";
const PNG: &[u8] = &[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13, b'I', b'H', b'D', b'R'];

// ---------------------------------------------------------------------------------
// Helpers.
// ---------------------------------------------------------------------------------

async fn customer(srv: &TestServer, username: &str) -> Browser {
    let b = Browser::new(srv);
    ok(login(&b, username, DEMO_PASSWORD).await).await;
    b
}

async fn customer_id(srv: &TestServer, username: &str) -> i64 {
    sqlx::query_scalar("SELECT principal_id FROM credentials WHERE username = $1")
        .bind(username)
        .fetch_one(srv.state.db.pool())
        .await
        .expect("customer id")
}

/// A general request of `username`'s, made through the core as the forms do.
async fn request_of(srv: &TestServer, username: &str) -> RequestRef {
    let customer_id = customer_id(srv, username).await;
    let calendar = WorkingCalendar::load(&srv.state.db, srv.state.zone).await.expect("calendar");
    let subject = PlainText::new("Question about my passbook", 80, "subject").expect("subject");
    let new = NewRequest {
        customer_id,
        kind: RequestKind::General,
        subject: &subject,
        body: "Please see the attached letter.",
        details: serde_json::json!({}),
        card_id: None,
        account_id: None,
        posting_id: None,
        follow_up_of: None,
        created_by_staff_id: None,
    };
    let mut tx = srv.state.db.begin_write().await.expect("tx");
    let (_, reference) =
        requests::insert_request(&mut tx, srv.state.zone, &calendar, &new, srv.clock_now()).await.expect("insert");
    tx.commit().await.expect("commit");
    reference
}

trait Now {
    fn clock_now(&self) -> app::types::Timestamp;
}

impl Now for TestServer {
    fn clock_now(&self) -> app::types::Timestamp {
        use app::backend::Clock as _;
        self.clock.now()
    }
}

/// A `multipart/form-data` body with one `file` field, as a browser's form sends it.
fn multipart(name: &str, declared_type: &str, content: &[u8]) -> (String, Vec<u8>) {
    let boundary = "----portal-test-boundary-7MA4YWxkTrZu0gW";
    let mut body = Vec::new();
    body.extend_from_slice(format!("--{boundary}\r\n").as_bytes());
    body.extend_from_slice(
        format!("Content-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\nContent-Type: {declared_type}\r\n\r\n")
            .as_bytes(),
    );
    body.extend_from_slice(content);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

/// Posts a file the way the page's form does (`json`: as a script asking for JSON).
async fn upload(b: &Browser, path: &str, name: &str, declared: &str, content: &[u8], json: bool) -> Response {
    try_upload(b, path, name, declared, content, json).await.unwrap_or_else(|e| panic!("POST {path}: {e}"))
}

async fn try_upload(
    b: &Browser,
    path: &str,
    name: &str,
    declared: &str,
    content: &[u8],
    json: bool,
) -> reqwest::Result<Response> {
    let (content_type, body) = multipart(name, declared, content);
    let accept = if json { "application/json" } else { "text/html,application/xhtml+xml" };
    b.http
        .post(format!("{}{path}", b.base))
        .header("content-type", content_type)
        .header("accept", accept)
        .body(body)
        .send()
        .await
}

async fn stored_files(srv: &TestServer, reference: &RequestRef) -> i64 {
    sqlx::query_scalar(
        "SELECT COUNT(*) FROM service_request_files f JOIN service_requests r ON r.id = f.request_id \
         WHERE r.reference = $1",
    )
    .bind(reference.as_str())
    .fetch_one(srv.state.db.pool())
    .await
    .expect("count files")
}

async fn file_id(srv: &TestServer, reference: &RequestRef) -> i64 {
    sqlx::query_scalar(
        "SELECT MAX(f.id) FROM service_request_files f JOIN service_requests r ON r.id = f.request_id \
         WHERE r.reference = $1",
    )
    .bind(reference.as_str())
    .fetch_one(srv.state.db.pool())
    .await
    .expect("file id")
}

async fn get(b: &Browser, path: &str) -> Response {
    b.http.get(format!("{}{path}", b.base)).send().await.unwrap_or_else(|e| panic!("GET {path}: {e}"))
}

// ---------------------------------------------------------------------------------
// Tests.
// ---------------------------------------------------------------------------------

async fn a_customer_attaches_and_downloads_their_file(backend: Backend) {
    let srv = TestServer::start(backend).await;
    let reference = request_of(&srv, "demo1").await;
    let b = customer(&srv, "demo1").await;
    let path = format!("/requests/{reference}/files");

    let answer = upload(&b, &path, "收据 1.pdf", "application/pdf", PDF, false).await;
    assert_eq!(answer.status(), 303, "a form post goes back to the page");
    assert_eq!(location(&answer).as_deref(), Some(format!("/requests/{reference}?file=ok#sr-files").as_str()));
    assert_eq!(stored_files(&srv, &reference).await, 1);

    // The same file again (a resent form) is not stored twice.
    let again = upload(&b, &path, "收据 1.pdf", "application/pdf", PDF, true).await;
    assert_eq!(again.status(), 201);
    assert_eq!(stored_files(&srv, &reference).await, 1);

    let id = file_id(&srv, &reference).await;
    let (hash, size): (String, i64) =
        sqlx::query_as("SELECT sha256, size_bytes FROM service_request_files WHERE id = $1")
            .bind(id)
            .fetch_one(srv.state.db.pool())
            .await
            .expect("stored file");
    // sha256sum of PDF's bytes.
    assert_eq!(hash, "2424e4b37c25d8dac4c66fd4ecd780c717b828582c3f9a9fc718672d2d5e31f1", "the content hash is stored");
    assert_eq!(size, PDF.len() as i64);

    let download = get(&b, &format!("/requests/{reference}/files/{id}")).await;
    assert_eq!(download.status(), 200);
    let headers = download.headers().clone();
    assert_eq!(headers["content-type"], "application/pdf");
    assert_eq!(headers["x-content-type-options"], "nosniff");
    let disposition = headers["content-disposition"].to_str().expect("ascii");
    assert!(disposition.starts_with("attachment;"), "{disposition}");
    assert!(disposition.contains("filename*=UTF-8''%E6%94%B6%E6%8D%AE%201.pdf"), "{disposition}");
    assert_eq!(download.bytes().await.expect("body").as_ref(), PDF, "the same bytes come back");

    // The file is on the customer's timeline.
    let row = requests::find_request(&srv.state, &reference, None).await.expect("request");
    let timeline = requests::timeline::for_customer(&srv.state, row.id).await.expect("timeline");
    assert!(
        timeline
            .iter()
            .any(|e| matches!(&e.item, app::api::requests::TimelineItem::File { name, .. } if name == "收据 1.pdf")),
        "{timeline:?}"
    );
}

async fn files_that_lie_about_their_type_or_are_too_large_are_refused_and_nothing_is_stored(backend: Backend) {
    let srv = TestServer::start(backend).await;
    let reference = request_of(&srv, "demo1").await;
    let b = customer(&srv, "demo1").await;
    let path = format!("/requests/{reference}/files");

    // A web page named like a PDF, and declared as one.
    let html = b"<html><script>alert(1)</script></html>";
    let answer = upload(&b, &path, "statement.pdf", "application/pdf", html, false).await;
    assert_eq!(answer.status(), 303);
    assert_eq!(
        location(&answer).as_deref(),
        Some(format!("/requests/{reference}?file_error=file_type_not_allowed#sr-files").as_str())
    );
    // A PNG named and declared as a PDF: real content, but a lie about it.
    expect_error(upload(&b, &path, "scan.pdf", "application/pdf", PNG, true).await, "file_type_not_allowed").await;
    // A program.
    expect_error(
        upload(&b, &path, "setup.exe", "application/octet-stream", b"MZ\x90\0", true).await,
        "file_type_not_allowed",
    )
    .await;

    // One byte over 5 MB: refused while reading, with the friendly answer.
    let mut big = b"%PDF-1.4\n".to_vec();
    big.resize(5 * 1024 * 1024 + 1, b' ');
    let (status, code) = error_of(upload(&b, &path, "big.pdf", "application/pdf", &big, true).await).await;
    assert_eq!((status.as_u16(), code.as_str()), (413, "file_too_large"));
    let answer = upload(&b, &path, "big.pdf", "application/pdf", &big, false).await;
    assert_eq!(
        location(&answer).as_deref(),
        Some(format!("/requests/{reference}?file_error=file_too_large#sr-files").as_str())
    );
    // Far over: the body limit stops it before the handler.
    let mut huge = b"%PDF-1.4\n".to_vec();
    huge.resize(9 * 1024 * 1024, b' ');
    // The server answers 413 from the declared length, and may hang up before the
    // client has finished sending; either way nothing gets in.
    if let Ok(answer) = try_upload(&b, &path, "huge.pdf", "application/pdf", &huge, true).await {
        assert_eq!(answer.status(), 413);
    }

    assert_eq!(stored_files(&srv, &reference).await, 0, "nothing was stored");

    // Exactly 5 MB is fine.
    big.truncate(5 * 1024 * 1024);
    assert_eq!(upload(&b, &path, "big.pdf", "application/pdf", &big, true).await.status(), 201);
    assert_eq!(stored_files(&srv, &reference).await, 1);
}

async fn other_customers_and_strangers_reach_no_file(backend: Backend) {
    let srv = TestServer::start(backend).await;
    let reference = request_of(&srv, "demo1").await;
    let owner = customer(&srv, "demo1").await;
    let path = format!("/requests/{reference}/files");
    assert_eq!(upload(&owner, &path, "a.png", "image/png", PNG, true).await.status(), 201);
    let id = file_id(&srv, &reference).await;

    let other = customer(&srv, "demo2").await;
    expect_error(upload(&other, &path, "b.png", "image/png", PNG, true).await, "not_found").await;
    assert_eq!(get(&other, &format!("/requests/{reference}/files/{id}")).await.status(), 404);
    // A file id of another request, under the other customer's own reference.
    let theirs = request_of(&srv, "demo2").await;
    assert_eq!(get(&other, &format!("/requests/{theirs}/files/{id}")).await.status(), 404);

    let stranger = Browser::new(&srv);
    expect_error(upload(&stranger, &path, "c.png", "image/png", PNG, true).await, "unauthenticated").await;
    assert_eq!(get(&stranger, &format!("/requests/{reference}/files/{id}")).await.status(), 401);
    // Customers do not use the staff routes.
    assert_eq!(get(&owner, &format!("/staff/requests/{reference}/files/{id}")).await.status(), 403);

    assert_eq!(stored_files(&srv, &reference).await, 1, "only the owner's file");
}

async fn staff_attach_and_download_and_both_are_audited(backend: Backend) {
    let srv = TestServer::start(backend).await;
    let reference = request_of(&srv, "demo1").await;
    let agent = staff_browser(&srv, "s00005").await;
    let answer =
        upload(&agent, &format!("/staff/requests/{reference}/files"), "证明.pdf", "application/pdf", PDF, false).await;
    assert_eq!(location(&answer).as_deref(), Some(format!("/staff/requests/{reference}?file=ok#sr-files").as_str()));
    let id = file_id(&srv, &reference).await;
    let download = get(&agent, &format!("/staff/requests/{reference}/files/{id}")).await;
    assert_eq!(download.status(), 200);
    assert_eq!(download.bytes().await.expect("body").as_ref(), PDF);

    let events: Vec<String> = sqlx::query_scalar(
        "SELECT event FROM audit_log WHERE actor_kind = 'staff' AND event LIKE 'service_request_file_%' ORDER BY id",
    )
    .fetch_all(srv.state.db.pool())
    .await
    .expect("audit");
    assert_eq!(events, ["service_request_file_attached", "service_request_file_downloaded"]);

    // The customer gets the bank's file too.
    let b = customer(&srv, "demo1").await;
    let mine = get(&b, &format!("/requests/{reference}/files/{id}")).await;
    assert_eq!(mine.status(), 200);
}

async fn final_requests_take_no_more_files(backend: Backend) {
    let srv = TestServer::start(backend).await;
    let reference = request_of(&srv, "demo1").await;
    let calendar = WorkingCalendar::load(&srv.state.db, srv.state.zone).await.expect("calendar");
    let mut tx = srv.state.db.begin_write().await.expect("tx");
    let row = requests::lock_request(&mut tx, srv.state.db.backend(), &reference, None).await.expect("row");
    let who = app::backend::audit::Actor::Customer(row.customer_id);
    requests::transition(&mut tx, &calendar, &row, RequestStatus::Withdrawn, Party::Customer, who, "", srv.clock_now())
        .await
        .expect("withdraw");
    tx.commit().await.expect("commit");

    let b = customer(&srv, "demo1").await;
    let path = format!("/requests/{reference}/files");
    expect_error(upload(&b, &path, "late.pdf", "application/pdf", PDF, true).await, "wrong_state").await;
    assert_eq!(stored_files(&srv, &reference).await, 0);
}
