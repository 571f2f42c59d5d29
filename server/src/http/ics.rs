//! `GET /consultations/{reference}/calendar.ics`: a booking as an iCalendar file
//! (RFC 5545) to add to a phone's or computer's calendar. A plain link, so it works
//! without the WASM. Only the booking's customer gets it: the booking is found
//! through its owner, and anyone else's reference answers 404 like a missing one.
//!
//! The event's UID is the booking reference, and SEQUENCE rises at every move or
//! cancellation, so importing the file again updates the event instead of adding
//! a second one; a cancelled booking comes as STATUS:CANCELLED.
use super::plain::{locale_of, refuse};
use app::api::booking::BookingView;
use app::backend::auth::RequestContext;
use app::backend::AppState;
use app::error::AppError;
use app::i18n::{Key, Locale};
use app::types::{BookingStatus, Channel, Timestamp};
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::Extension;

pub async fn calendar(
    State(state): State<AppState>,
    Extension(ctx): Extension<RequestContext>,
    Path(reference): Path<String>,
    headers: HeaderMap,
) -> Response {
    let locale = locale_of(&headers);
    match event(&state, &ctx, &reference).await {
        Ok(booking) => {
            let body = calendar_text(&booking, state.clock.now(), locale);
            let mut response = body.into_response();
            let headers = response.headers_mut();
            headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/calendar; charset=utf-8"));
            headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            // The reference is "BK" and digits: safe in a header as it is.
            if let Ok(value) = HeaderValue::from_str(&format!("attachment; filename=\"{}.ics\"", booking.reference)) {
                headers.insert(header::CONTENT_DISPOSITION, value);
            }
            response
        }
        Err(err) => refuse(&err, locale),
    }
}

async fn event(state: &AppState, ctx: &RequestContext, reference: &str) -> Result<BookingView, AppError> {
    let who = ctx.customer_for_read()?;
    app::backend::booking::views::booking(state, &who, reference.trim()).await
}

/// "20261201T010000Z"
fn utc_stamp(at: Timestamp) -> String {
    chrono::DateTime::from_timestamp_micros(at.micros())
        .map(|t| t.format("%Y%m%dT%H%M%SZ").to_string())
        .unwrap_or_default()
}

/// A TEXT value escaped (RFC 5545 3.3.11): backslash, semicolon, comma, newline.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            c => out.push(c),
        }
    }
    out
}

/// One content line, folded so no line is longer than 75 octets (RFC 5545 3.1):
/// continuation lines begin with a space; a UTF-8 character is never split.
fn fold(line: &str) -> String {
    let mut out = String::with_capacity(line.len() + line.len() / 70 * 3 + 2);
    let mut width = 0;
    for c in line.chars() {
        let len = c.len_utf8();
        if width + len > 75 {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(c);
        width += len;
    }
    out.push_str("\r\n");
    out
}

/// The whole calendar file.
pub fn calendar_text(b: &BookingView, now: Timestamp, locale: Locale) -> String {
    let purpose = locale.text(b.purpose.label());
    let channel = locale.text(b.channel.label());
    let branch = format!("{} {}", b.branch_name.get(locale), b.branch_address.get(locale));
    let location = match b.channel {
        Channel::Branch => branch.clone(),
        Channel::Phone => locale.text(Key::BkIcsPhone).replace("{n}", &b.dial_in),
        Channel::Video => b.dial_in.clone(),
    };
    let mut description =
        vec![locale.text(Key::BkIcsReference).replace("{n}", &b.reference), format!("{channel} · {}", b.advisor_name)];
    if b.channel != Channel::Branch {
        description.push(location.clone());
    }
    if !b.topic_note.is_empty() {
        description.push(b.topic_note.clone());
    }
    description.push(locale.text(Key::BkIcsChange).replace("{n}", &b.branch_phone));
    let status = if b.status == BookingStatus::Cancelled { "CANCELLED" } else { "CONFIRMED" };
    let lines = [
        "BEGIN:VCALENDAR".to_owned(),
        "VERSION:2.0".to_owned(),
        "PRODID:-//Village Post Savings Bank//Online Banking//EN".to_owned(),
        "CALSCALE:GREGORIAN".to_owned(),
        "METHOD:PUBLISH".to_owned(),
        "BEGIN:VEVENT".to_owned(),
        format!("UID:{}@portal", b.reference),
        format!("DTSTAMP:{}", utc_stamp(now)),
        format!("LAST-MODIFIED:{}", utc_stamp(b.updated_at)),
        format!("DTSTART:{}", utc_stamp(b.starts_at)),
        format!("DTEND:{}", utc_stamp(b.ends_at)),
        format!("SEQUENCE:{}", b.sequence),
        format!("STATUS:{status}"),
        format!("SUMMARY:{}", escape(&locale.text(Key::BkIcsSummary).replace("{n}", purpose))),
        format!("LOCATION:{}", escape(&location)),
        format!("DESCRIPTION:{}", escape(&description.join("\n"))),
        "END:VEVENT".to_owned(),
        "END:VCALENDAR".to_owned(),
    ];
    lines.iter().map(|line| fold(line)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_escaped() {
        assert_eq!(escape("a,b;c\\d\ne"), "a\\,b\\;c\\\\d\\ne");
    }

    #[test]
    fn long_lines_fold_at_75_octets_without_splitting_characters() {
        let line = format!("DESCRIPTION:{}", "理财规划咨询".repeat(10));
        let folded = fold(&line);
        assert!(folded.ends_with("\r\n"));
        for part in folded.trim_end_matches("\r\n").split("\r\n") {
            assert!(part.len() <= 75, "{} octets: {part}", part.len());
        }
        let unfolded: String = folded.trim_end_matches("\r\n").replace("\r\n ", "");
        assert_eq!(unfolded, line);
        assert_eq!(fold("SHORT"), "SHORT\r\n");
    }

    #[test]
    fn stamps_are_utc() {
        assert_eq!(utc_stamp(Timestamp::from_micros(1_795_910_400_000_000)), "20261129T000000Z");
    }
}
