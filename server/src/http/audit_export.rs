//! `GET /staff/audit.csv?customer=C00001&from=YYYY-MM-DD&to=YYYY-MM-DD` (or
//! `?staff=S00005&…`): the audit trail of one customer, or of one staff member's
//! actions, over at most 366 days, for supervisors and administrators. A plain GET
//! (the form on `/staff/impersonations` builds it), so it works without the WASM.
//!
//! Like the account export (`export.rs`): streamed in keyset pages, UTF-8 with a
//! byte-order mark, CRLF line ends, RFC 4180 quoting, text cells a spreadsheet
//! would run as a formula defused with a leading apostrophe, the header row in the
//! reader's language. The export itself is an audit row (`audit_exported`, with the
//! filter and the row count), written before the first byte.
use super::plain::{locale_of, refuse};
use app::api::impersonation_review::REVIEW_ROLES;
use app::backend::audit_export::{begin, parse_request, AuditExport, ExportRow};
use app::backend::auth::RequestContext;
use app::backend::ledger::accounts::{csv_line, csv_quote, csv_text};
use app::backend::{AppState, Db};
use app::error::{AppError, ErrorCode};
use app::i18n::{Key, Locale};
use axum::body::{Body, Bytes};
use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Extension;
use serde::Deserialize;

/// Rows read per query.
pub const EXPORT_PAGE: u32 = 1_000;

/// The query, as the form sends it (an empty field counts as absent).
#[derive(Debug, Default, Deserialize)]
pub struct AuditQuery {
    #[serde(default)]
    customer: String,
    #[serde(default)]
    staff: String,
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
}

pub async fn csv(
    State(state): State<AppState>,
    Extension(ctx): Extension<RequestContext>,
    Query(query): Query<AuditQuery>,
    headers: HeaderMap,
) -> Response {
    let locale = locale_of(&headers);
    match start(&state, &ctx, &query, locale).await {
        Ok(response) => response,
        Err(err) => refusal(&err, locale),
    }
}

/// A refusal: bad input says which part was wrong, in the reader's language.
fn refusal(err: &AppError, locale: Locale) -> Response {
    let key = match (err.code, err.field.as_deref()) {
        (ErrorCode::BadRequest, Some("subject")) => Key::ReviewExportBadSubject,
        (ErrorCode::BadRequest, _) => Key::ReviewExportBadRange,
        _ => return refuse(err, locale),
    };
    let mut response = (StatusCode::BAD_REQUEST, locale.text(key)).into_response();
    response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

async fn start(
    state: &AppState,
    ctx: &RequestContext,
    query: &AuditQuery,
    locale: Locale,
) -> Result<Response, AppError> {
    // Who asks comes first: the anonymous and other roles learn nothing of the input.
    let actor = ctx.staff_with_role(&REVIEW_ROLES)?;
    let request = parse_request(&query.customer, &query.staff, &query.from, &query.to)?;
    let export = begin(state, &actor, request, &ctx.origin).await?;
    let filename = filename(&export);

    let mut response = Response::new(Body::from_stream(rows(state.db.clone(), export, locale, state.zone)));
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/csv; charset=utf-8"));
    // The audit trail is private: no cache may keep a copy.
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    if let Ok(value) = HeaderValue::from_str(&format!("attachment; filename=\"{filename}\"")) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    Ok(response)
}

/// "audit_C00001_2026-11-01_2026-11-29.csv" (numbers are letters and digits only).
fn filename(export: &AuditExport) -> String {
    format!("audit_{}_{}_{}.csv", export.subject.no(), export.request.first, export.request.last)
}

/// The header row, in the reader's language, after the byte-order mark.
fn header_row(locale: Locale) -> String {
    let cells: Vec<String> = [
        Key::ReviewCsvId,
        Key::ReviewCsvTimeUtc,
        Key::ReviewCsvTimeLocal,
        Key::ReviewCsvActorKind,
        Key::ReviewCsvActor,
        Key::ReviewCsvCustomer,
        Key::ReviewCsvEvent,
        Key::ReviewCsvOrigin,
        Key::ReviewCsvDetail,
    ]
    .into_iter()
    .map(|k| csv_quote(locale.text(k)))
    .collect();
    format!("\u{feff}{}", csv_line(&cells))
}

fn row_line(row: &ExportRow, zone: chrono_tz::Tz) -> String {
    let at = chrono::DateTime::from_timestamp_micros(row.at.micros()).unwrap_or_default();
    csv_line(&[
        row.id.to_string(),
        at.to_rfc3339_opts(chrono::SecondsFormat::Micros, true),
        at.with_timezone(&zone).format("%Y-%m-%d %H:%M:%S").to_string(),
        csv_text(&row.actor_kind),
        csv_text(&row.actor),
        csv_text(&row.customer_no),
        csv_text(&row.event),
        csv_text(&row.origin),
        csv_text(&row.detail),
    ])
}

/// Where the stream has got to.
struct Progress {
    db: Db,
    export: AuditExport,
    locale: Locale,
    zone: chrono_tz::Tz,
    after: Option<i64>,
    header_sent: bool,
}

/// The CSV as a stream of chunks: the header, then one chunk per page of rows.
fn rows(
    db: Db,
    export: AuditExport,
    locale: Locale,
    zone: chrono_tz::Tz,
) -> impl futures_util::Stream<Item = Result<Bytes, std::io::Error>> + Send + 'static {
    use futures_util::StreamExt;
    let start = Progress { db, export, locale, zone, after: None, header_sent: false };
    // Fused: hyper may poll the body once more after its end, which `unfold` forbids.
    futures_util::stream::unfold(Some(start), |progress| async move {
        let mut p = progress?;
        if !p.header_sent {
            p.header_sent = true;
            return Some((Ok(Bytes::from(header_row(p.locale))), Some(p)));
        }
        match p.export.page(&p.db, p.after, EXPORT_PAGE).await {
            Ok(page) => {
                let mut chunk = String::with_capacity(page.rows.len() * 160);
                for row in &page.rows {
                    chunk.push_str(&row_line(row, p.zone));
                }
                let next = match page.next_cursor {
                    Some(cursor) => {
                        p.after = Some(cursor);
                        Some(p)
                    }
                    None => None,
                };
                Some((Ok(Bytes::from(chunk)), next))
            }
            Err(err) => {
                // The status line is long gone: end the body early, so the download
                // fails visibly instead of looking complete.
                tracing::error!(code = ?err.code, "audit CSV export stopped");
                Some((Err(std::io::Error::other("export failed")), None))
            }
        }
    })
    .fuse()
}

#[cfg(test)]
mod tests {
    use super::*;
    use app::types::Timestamp;

    #[test]
    fn rows_quote_json_and_defuse_formulas() {
        let row = ExportRow {
            id: 7,
            at: Timestamp::from_micros(1_795_910_400_000_000),
            actor_kind: "staff".into(),
            actor: "S00002".into(),
            customer_no: "C00001".into(),
            event: "audit_exported".into(),
            origin: "=HYPERLINK(\"x\")".into(),
            detail: "{\"note\":\"a \\\"b\\\"\"}".into(),
        };
        assert_eq!(
            row_line(&row, chrono_tz::Asia::Shanghai),
            "7,2026-11-29T00:00:00.000000Z,2026-11-29 08:00:00,staff,S00002,C00001,audit_exported,\
             \"'=HYPERLINK(\"\"x\"\")\",\"{\"\"note\"\":\"\"a \\\"\"b\\\"\"\"\"}\"\r\n"
        );
        assert!(header_row(Locale::En).starts_with("\u{feff}Id,Time (UTC),"));
        assert!(header_row(Locale::ZhCn).ends_with("详情（JSON）\r\n"));
    }
}
