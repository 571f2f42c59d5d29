//! `GET /staff/insight/export.csv?table=now&branch=B001&from=2026-05&to=2026-10`:
//! one table of the management dashboard, exactly as the page shows it (both come
//! from `app::pages::insight::tables::table`), or with `table=customers&metric=…`
//! the whole list of customers behind a count. Supervisors and admins only (the
//! page's rule); the same file format as the other exports (`audit_export.rs`):
//! UTF-8 with a byte-order mark, CRLF, RFC 4180 quoting, formula-looking cells
//! defused. Every export is audited first (`insight_exported`: the table or
//! metric, the filter, the row count).
use super::plain::{locale_of, refuse};
use app::api::insight::{DrillRow, INSIGHT_ROLES};
use app::backend::auth::RequestContext;
use app::backend::insight::dash_filter::{self, Scope};
use app::backend::insight::drill::{self, Metric, EXPORTED};
use app::backend::insight::indicators::{self, read_tx};
use app::backend::ledger::accounts::{csv_line, csv_quote, csv_text};
use app::backend::{AppState, Db};
use app::error::{AppError, ErrorCode};
use app::i18n::{Key, Locale};
use app::pages::insight::tables::{table, TABLES};
use axum::body::{Body, Bytes};
use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Extension;
use serde::Deserialize;

/// Customers read per query of a list export.
pub const EXPORT_PAGE: i64 = 1_000;

/// The query, as the page's links send it (an empty field counts as absent).
#[derive(Debug, Default, Deserialize)]
pub struct InsightQuery {
    #[serde(default)]
    table: String,
    #[serde(default)]
    metric: String,
    #[serde(default)]
    branch: String,
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
}

pub async fn csv(
    State(state): State<AppState>,
    Extension(ctx): Extension<RequestContext>,
    Query(query): Query<InsightQuery>,
    headers: HeaderMap,
) -> Response {
    let locale = locale_of(&headers);
    match start(&state, &ctx, &query, locale).await {
        Ok(response) => response,
        Err(err) if err.code == ErrorCode::BadRequest => {
            let mut response = (StatusCode::BAD_REQUEST, locale.text(Key::DashBadFilter)).into_response();
            response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            response
        }
        Err(err) => refuse(&err, locale),
    }
}

async fn start(
    state: &AppState,
    ctx: &RequestContext,
    query: &InsightQuery,
    locale: Locale,
) -> Result<Response, AppError> {
    // Who asks comes first: the anonymous and other roles learn nothing of the input.
    let actor = ctx.staff_with_role(&INSIGHT_ROLES)?;
    let given = |v: &str| Some(v.to_owned());
    let scope = dash_filter::parse(state, &given(&query.branch), &given(&query.from), &given(&query.to)).await?;
    let name = query.table.trim();
    let filename = format!("insight_{name}_{}_{}.csv", scope.filter.from, scope.filter.to);
    let body = if name == "customers" {
        let metric = drill::metric(&scope, &query.metric)?;
        let mut tx = read_tx(&state.db).await?;
        let total = drill::count(&mut tx, &metric).await?;
        tx.commit().await?;
        let what = format!("customers:{}", metric.name);
        drill::audit_view(state, &actor, EXPORTED, &what, &scope, total, &ctx.origin).await?;
        Body::from_stream(list_rows(state.db.clone(), metric, total, locale))
    } else {
        let name = TABLES.iter().find(|t| **t == name).ok_or_else(|| AppError::invalid("table"))?;
        let text = table_csv(state, scope.clone(), name, locale).await?;
        drill::audit_view(state, &actor, EXPORTED, name, &scope, text.1, &ctx.origin).await?;
        Body::from(text.0)
    };
    let mut response = Response::new(body);
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/csv; charset=utf-8"));
    // Customer figures are private: no cache may keep a copy.
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    if let Ok(value) = HeaderValue::from_str(&format!("attachment; filename=\"{filename}\"")) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    Ok(response)
}

/// A dashboard table as CSV text, and its number of rows.
async fn table_csv(state: &AppState, scope: Scope, name: &str, locale: Locale) -> Result<(String, i64), AppError> {
    let dashboard = indicators::dashboard(state, scope).await?;
    let t = table(&dashboard, name, locale).ok_or_else(|| AppError::invalid("table"))?;
    let heads: Vec<String> = t.headings.iter().map(|k| csv_quote(locale.text(*k))).collect();
    let mut out = format!("\u{feff}{}", csv_line(&heads));
    for row in &t.rows {
        let cells: Vec<String> = row.iter().map(|c| csv_text(&c.text)).collect();
        out.push_str(&csv_line(&cells));
    }
    Ok((out, i64::try_from(t.rows.len()).unwrap_or(i64::MAX)))
}

fn list_header(locale: Locale) -> String {
    let cells: Vec<String> =
        [Key::DashColCustomerNo, Key::DashColName, Key::DashColPhone, Key::DashColBranch, Key::DashColItem]
            .into_iter()
            .map(|k| csv_quote(locale.text(k)))
            .collect();
    format!("\u{feff}{}", csv_line(&cells))
}

fn list_line(row: &DrillRow, locale: Locale) -> String {
    csv_line(&[
        csv_text(&row.customer_no),
        csv_text(&row.name),
        csv_text(&row.phone_masked),
        csv_text(row.branch.get(locale)),
        csv_text(&row.item),
    ])
}

/// The list as a stream: the header, then a chunk per page, never past the rows
/// counted for the audit.
fn list_rows(
    db: Db,
    metric: Metric,
    total: i64,
    locale: Locale,
) -> impl futures_util::Stream<Item = Result<Bytes, std::io::Error>> + Send + 'static {
    use futures_util::StreamExt;
    // (offset, None) before the header is sent.
    futures_util::stream::unfold(Some((db, metric, None::<i64>)), move |progress| async move {
        let (db, metric, offset) = progress?;
        let Some(offset) = offset else {
            return Some((Ok(Bytes::from(list_header(locale))), Some((db, metric, Some(0)))));
        };
        if offset >= total {
            return None;
        }
        let limit = EXPORT_PAGE.min(total - offset);
        let page = async {
            let mut tx = read_tx(&db).await?;
            let rows = drill::rows(&mut tx, &metric, offset, limit).await?;
            tx.commit().await?;
            Ok::<_, AppError>(rows)
        };
        match page.await {
            Ok(rows) if !rows.is_empty() => {
                let chunk: String = rows.iter().map(|r| list_line(r, locale)).collect();
                let next = offset + limit;
                Some((Ok(Bytes::from(chunk)), Some((db, metric, Some(next)))))
            }
            Ok(_) => None,
            Err(err) => {
                // The status line is long gone: end the body early, so the download
                // fails visibly instead of looking complete.
                tracing::error!(code = ?err.code, "insight CSV export stopped");
                Some((Err(std::io::Error::other("export failed")), None))
            }
        }
    })
    .fuse()
}

#[cfg(test)]
mod tests {
    use super::*;
    use app::types::Localized;

    #[test]
    fn list_lines_quote_and_defuse() {
        let row = DrillRow {
            customer_no: "C00000001".into(),
            name: "=HYPERLINK(\"x\")".into(),
            phone_masked: "138****5678".into(),
            branch: Localized { zh: "县城营业部".into(), en: "County Town Office, B001".into() },
            item: "6010 **** **** 0001".into(),
            amount: 0,
        };
        assert_eq!(
            list_line(&row, Locale::En),
            "C00000001,\"'=HYPERLINK(\"\"x\"\")\",138****5678,\"County Town Office, B001\",6010 **** **** 0001\r\n"
        );
        assert!(list_header(Locale::En).starts_with("\u{feff}Customer number,Name,"));
    }
}
