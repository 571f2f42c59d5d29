//! `GET /accounts/{id}/export.csv`: an account's history as CSV, narrowed by the
//! same filter fields as the account page (`from`, `to`, `direction`, `min`, `max`,
//! `q`). A plain link, so it works without the WASM.
//!
//! Streamed: the rows are read in keyset pages of [`EXPORT_PAGE`] and written out
//! page by page, so a long history never sits in memory whole. Made for Excel: UTF-8
//! with a byte-order mark (or Chinese shows as mojibake), CRLF line ends, RFC 4180
//! quoting, cells that a spreadsheet would run as a formula defused with a leading
//! apostrophe, amounts as plain decimals, the header row in the customer's language.
use super::plain::{locale_of, refuse};
use app::api::accounts::{journal_kind_key, plain_decimal, TxFilter, TxRow};
use app::backend::auth::RequestContext;
use app::backend::ledger::accounts::{begin_export, csv_line, csv_quote, csv_text, Export};
use app::backend::{AppState, Db};
use app::error::{AppError, ErrorCode};
use app::i18n::{Key, Locale};
use app::types::Day;
use axum::body::{Body, Bytes};
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, HeaderValue};
use axum::response::Response;
use axum::Extension;
use serde::Deserialize;

/// Rows read per query.
pub const EXPORT_PAGE: u32 = 1_000;

/// The filter fields, as the account page's form sends them.
#[derive(Debug, Default, Deserialize)]
pub struct ExportQuery {
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
    #[serde(default)]
    direction: String,
    #[serde(default)]
    min: String,
    #[serde(default)]
    max: String,
    #[serde(default)]
    q: String,
}

pub async fn csv(
    State(state): State<AppState>,
    Extension(ctx): Extension<RequestContext>,
    Path(id): Path<String>,
    Query(query): Query<ExportQuery>,
    headers: HeaderMap,
) -> Response {
    let locale = locale_of(&headers);
    match start(&state, &ctx, &id, &query, locale).await {
        Ok(response) => response,
        Err(err) => refuse(&err, locale),
    }
}

async fn start(
    state: &AppState,
    ctx: &RequestContext,
    id: &str,
    query: &ExportQuery,
    locale: Locale,
) -> Result<Response, AppError> {
    let who = ctx.customer_for_read()?;
    let id: i64 = id.parse().map_err(|_| AppError::new(ErrorCode::NotFound))?;
    let filter = TxFilter::parse(&query.from, &query.to, &query.direction, &query.min, &query.max, &query.q)?;
    let export = begin_export(&state.db, &who, id).await?;
    let today = Day::at(state.zone, state.clock.now());
    let filename = filename(&export, &filter, today);

    let mut response = Response::new(Body::from_stream(rows(state.db.clone(), export, filter, locale)));
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/csv; charset=utf-8"));
    // Bank statements are private: no cache may keep a copy.
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    if let Ok(value) = HeaderValue::from_str(&format!("attachment; filename=\"{filename}\"")) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    Ok(response)
}

/// "account-1234_2026-09-01_2026-11-29.csv": the account's last four digits and the
/// range covered (from opening, to today, where the filter leaves them open).
fn filename(export: &Export, filter: &TxFilter, today: Day) -> String {
    let digits: String = export.account.number_masked.chars().filter(char::is_ascii_digit).collect();
    let tail = &digits[digits.len().saturating_sub(4)..];
    let from = filter.from.unwrap_or(export.account.opened_on);
    let to = filter.to.unwrap_or(today);
    format!("account-{tail}_{from}_{to}.csv")
}

/// The header row, in the customer's language, after the byte-order mark.
fn header_row(locale: Locale) -> String {
    let cells: Vec<String> = [
        Key::AcctColDate,
        Key::AcctColType,
        Key::AcctColCounterparty,
        Key::AcctColMemo,
        Key::AcctColAmount,
        Key::AcctColBalance,
    ]
    .into_iter()
    .map(|k| csv_quote(locale.text(k)))
    .collect();
    format!("\u{feff}{}", csv_line(&cells))
}

fn row_line(row: &TxRow, locale: Locale) -> String {
    csv_line(&[
        row.date.to_string(),
        csv_text(locale.text(journal_kind_key(&row.kind))),
        csv_text(&row.counterparty),
        csv_text(&row.memo),
        plain_decimal(row.amount),
        plain_decimal(row.balance_after),
    ])
}

/// Where the stream has got to.
struct Progress {
    db: Db,
    export: Export,
    filter: TxFilter,
    locale: Locale,
    after: Option<i64>,
    header_sent: bool,
}

/// The CSV as a stream of chunks: the header, then one chunk per page of rows.
fn rows(
    db: Db,
    export: Export,
    filter: TxFilter,
    locale: Locale,
) -> impl futures_util::Stream<Item = Result<Bytes, std::io::Error>> + Send + 'static {
    use futures_util::StreamExt;
    let start = Progress { db, export, filter, locale, after: None, header_sent: false };
    // Fused: hyper may poll the body once more after its end, which `unfold` forbids.
    futures_util::stream::unfold(Some(start), |progress| async move {
        let mut p = progress?;
        if !p.header_sent {
            p.header_sent = true;
            return Some((Ok(Bytes::from(header_row(p.locale))), Some(p)));
        }
        match p.export.page(&p.db, &p.filter, p.after, EXPORT_PAGE).await {
            Ok(page) => {
                let mut chunk = String::with_capacity(page.rows.len() * 96);
                for row in &page.rows {
                    chunk.push_str(&row_line(row, p.locale));
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
                tracing::error!(code = ?err.code, "CSV export stopped");
                Some((Err(std::io::Error::other("export failed")), None))
            }
        }
    })
    .fuse()
}

#[cfg(test)]
mod tests {
    use super::*;
    use app::types::Money;

    #[test]
    fn rows_are_plain_decimals_with_guarded_text() {
        let row = TxRow {
            id: 1,
            date: Day::parse("2026-11-02").unwrap_or_else(|| unreachable!()),
            kind: "transfer".into(),
            counterparty: "=HYPERLINK(\"x\")".into(),
            memo: "rent, November".into(),
            amount: Money::yuan_fen(-123_456),
            balance_after: Money::yuan_fen(5),
        };
        assert_eq!(
            row_line(&row, Locale::En),
            "2026-11-02,Transfer,\"'=HYPERLINK(\"\"x\"\")\",\"rent, November\",-1234.56,0.05\r\n"
        );
        assert!(header_row(Locale::ZhCn).starts_with("\u{feff}日期,"));
        assert!(header_row(Locale::En).ends_with("Balance\r\n"));
    }
}
