//! Files on service requests, as plain HTTP so they work without the WASM:
//!
//! - `POST /requests/{reference}/files` and `POST /staff/requests/{reference}/files`:
//!   a `multipart/form-data` form with one `file` field. A browser's form post is
//!   answered with a redirect back to the request's page (`?file=ok` or
//!   `?file_error=<code>`, so the page can say what happened in the reader's
//!   language); a caller that asks for JSON gets the status and the error as JSON.
//! - `GET /requests/{reference}/files/{id}` and `GET /staff/requests/{reference}/files/{id}`:
//!   the file, always as a download (never rendered inline in our origin).
//!
//! The checks (size, type by content, owner) are the backend's
//! (`app::backend::requests::files`); this layer only reads the form, stopping as
//! soon as the file is larger than allowed.
use super::plain::{locale_of, refuse};
use app::backend::auth::RequestContext;
use app::backend::requests::files::{self, FileUser, Uploader, MAX_FILE_BYTES};
use app::backend::AppState;
use app::error::{AppError, ErrorCode};
use app::types::{RequestRef, StaffRole};
use axum::extract::{Multipart, Path, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Extension, Json};

/// The largest upload body read at all: the 5 MB file plus the form around it, and
/// some room so a slightly-too-large file still gets the friendly "too large"
/// answer on the page instead of a bare 413.
pub const MAX_UPLOAD_BODY: usize = MAX_FILE_BYTES + 3 * 1024 * 1024;

/// Staff roles that work service requests.
const STAFF: &[StaffRole] = &[StaffRole::Agent, StaffRole::Advisor, StaffRole::Supervisor, StaffRole::Admin];

pub async fn customer_upload(
    State(state): State<AppState>,
    Extension(ctx): Extension<RequestContext>,
    Path(reference): Path<String>,
    headers: HeaderMap,
    multipart: Multipart,
) -> Response {
    let page = format!("/requests/{}", page_segment(&reference));
    let result = async {
        let who = ctx.customer_for_change()?;
        let reference = parse_reference(&reference)?;
        let (name, content) = read_file(multipart).await?;
        files::attach(&state, Uploader::Customer(who), &reference, &name, &content).await
    }
    .await;
    answer(result, &page, &headers)
}

pub async fn staff_upload(
    State(state): State<AppState>,
    Extension(ctx): Extension<RequestContext>,
    Path(reference): Path<String>,
    headers: HeaderMap,
    multipart: Multipart,
) -> Response {
    let page = format!("/staff/requests/{}", page_segment(&reference));
    let result = async {
        let staff = ctx.staff_with_role(STAFF)?;
        let reference = parse_reference(&reference)?;
        let (name, content) = read_file(multipart).await?;
        files::attach(&state, Uploader::Staff(staff), &reference, &name, &content).await
    }
    .await;
    answer(result, &page, &headers)
}

pub async fn customer_download(
    State(state): State<AppState>,
    Extension(ctx): Extension<RequestContext>,
    Path((reference, id)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    let result = async {
        let who = ctx.customer_for_read()?;
        files::fetch(&state, FileUser::Customer(who), &parse_reference(&reference)?, parse_id(&id)?).await
    }
    .await;
    download(result, &headers)
}

pub async fn staff_download(
    State(state): State<AppState>,
    Extension(ctx): Extension<RequestContext>,
    Path((reference, id)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    let result = async {
        let staff = ctx.staff_with_role(STAFF)?;
        files::fetch(&state, FileUser::Staff(staff), &parse_reference(&reference)?, parse_id(&id)?).await
    }
    .await;
    download(result, &headers)
}

fn parse_reference(text: &str) -> Result<RequestRef, AppError> {
    RequestRef::parse(text).ok_or(AppError::new(ErrorCode::NotFound))
}

fn parse_id(text: &str) -> Result<i64, AppError> {
    text.parse().map_err(|_| AppError::new(ErrorCode::NotFound))
}

/// The reference as it may appear in a redirect: only what a reference holds, so a
/// crafted path cannot steer the redirect elsewhere.
fn page_segment(reference: &str) -> String {
    reference.chars().filter(|c| c.is_ascii_alphanumeric() || *c == '-').take(24).collect()
}

/// The `file` field's name and content, refusing as soon as it grows past the
/// limit (the rest of the body is not read).
async fn read_file(mut multipart: Multipart) -> Result<(String, Vec<u8>), AppError> {
    while let Some(mut field) = multipart.next_field().await.map_err(multipart_error)? {
        if field.name() != Some("file") {
            continue;
        }
        let name = field.file_name().unwrap_or_default().to_owned();
        let mut content = Vec::new();
        while let Some(chunk) = field.chunk().await.map_err(multipart_error)? {
            if content.len() + chunk.len() > MAX_FILE_BYTES {
                return Err(AppError { code: ErrorCode::FileTooLarge, field: Some("file".into()) });
            }
            content.extend_from_slice(&chunk);
        }
        return Ok((name, content));
    }
    Err(AppError::invalid("file"))
}

fn multipart_error(err: axum::extract::multipart::MultipartError) -> AppError {
    if err.status() == StatusCode::PAYLOAD_TOO_LARGE {
        AppError { code: ErrorCode::FileTooLarge, field: Some("file".into()) }
    } else {
        AppError::invalid("file")
    }
}

fn wants_json(headers: &HeaderMap) -> bool {
    headers.get(header::ACCEPT).and_then(|v| v.to_str().ok()).is_some_and(|accept| accept.contains("application/json"))
}

/// A browser's form post goes back to the page with the outcome in the query; a
/// JSON caller gets the status and the id or the error.
fn answer(result: Result<i64, AppError>, page: &str, headers: &HeaderMap) -> Response {
    if wants_json(headers) {
        return match result {
            Ok(id) => (StatusCode::CREATED, Json(serde_json::json!({ "id": id }))).into_response(),
            Err(err) => {
                let status = StatusCode::from_u16(err.code.http_status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
                (status, Json(err)).into_response()
            }
        };
    }
    let outcome = match result {
        Ok(_) => "file=ok".to_owned(),
        Err(err) => {
            let code = serde_json::to_value(err.code).ok().and_then(|v| v.as_str().map(str::to_owned));
            format!("file_error={}", code.unwrap_or_else(|| "internal".into()))
        }
    };
    Redirect::to(&format!("{page}?{outcome}#sr-files")).into_response()
}

fn download(result: Result<files::StoredFile, AppError>, headers: &HeaderMap) -> Response {
    let file = match result {
        Ok(file) => file,
        Err(err) => return refuse(&err, locale_of(headers)),
    };
    let mut response = file.content.into_response();
    let out = response.headers_mut();
    out.insert(header::CONTENT_TYPE, HeaderValue::from_static(file.content_type));
    out.insert(header::CACHE_CONTROL, HeaderValue::from_static("private, no-store"));
    out.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    // Even if a browser showed it, the file could run nothing in our origin.
    out.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static("sandbox"));
    if let Ok(value) = HeaderValue::from_str(&content_disposition(&file.name)) {
        out.insert(header::CONTENT_DISPOSITION, value);
    }
    response
}

/// `attachment` with an ASCII fallback name and the real (UTF-8, RFC 5987) one.
fn content_disposition(name: &str) -> String {
    let ascii: String =
        name.chars().map(|c| if c.is_ascii_graphic() && c != '"' && c != '\\' { c } else { '_' }).collect();
    let encoded: String = name
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'.' | b'-' | b'_' => char::from(b).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect();
    format!("attachment; filename=\"{ascii}\"; filename*=UTF-8''{encoded}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn disposition_keeps_the_name_safe_and_readable() {
        assert_eq!(
            content_disposition("收据 1.pdf"),
            "attachment; filename=\"___1.pdf\"; filename*=UTF-8''%E6%94%B6%E6%8D%AE%201.pdf"
        );
        assert_eq!(content_disposition("a\"b.png"), "attachment; filename=\"a_b.png\"; filename*=UTF-8''a%22b.png");
    }

    #[test]
    fn redirects_stay_on_our_pages() {
        assert_eq!(page_segment("SR-2026-000001"), "SR-2026-000001");
        assert_eq!(page_segment("..%2F//evil.example"), "2Fevilexample");
    }
}
