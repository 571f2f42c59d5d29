//! An advisor's schedule: weekly working windows, consultation length and buffer,
//! the purposes and channels offered, and the view of it all with the upcoming
//! date exceptions (added and removed in `leave.rs`).
use super::{advisor_choices, advisor_for, audit_staff, events, hm, parse_hm, Advisor};
use crate::api::advisor::{ExceptionView, HoursWindow, ScheduleView};
use crate::backend::auth::StaffActor;
use crate::backend::AppState;
use crate::error::{AppError, ErrorCode};
use crate::types::{Channel, Day, Purpose};
use serde_json::json;
use sqlx::{Any, Transaction};

/// id, day, kind, start and end minute, note.
type ExceptionRow = (i64, String, String, Option<i64>, Option<i64>, String);

pub async fn view(state: &AppState, actor: &StaffActor, advisor: &str) -> Result<ScheduleView, AppError> {
    let who = advisor_for(&state.db, actor, Some(advisor)).await?;
    let pool = state.db.pool();
    let profile: Option<(i64, i64)> =
        sqlx::query_as("SELECT slot_minutes, buffer_minutes FROM advisor_profiles WHERE staff_id = $1")
            .bind(who.id)
            .fetch_optional(pool)
            .await?;
    let (slot_minutes, buffer_minutes) = profile.unwrap_or((45, 15));
    let offered: Vec<String> = sqlx::query_scalar("SELECT purpose FROM advisor_purposes WHERE staff_id = $1")
        .bind(who.id)
        .fetch_all(pool)
        .await?;
    let channels: Vec<String> = sqlx::query_scalar("SELECT channel FROM advisor_channels WHERE staff_id = $1")
        .bind(who.id)
        .fetch_all(pool)
        .await?;
    let hours: Vec<(i64, i64, i64, i64)> = sqlx::query_as(
        "SELECT id, weekday, start_minute, end_minute FROM advisor_hours WHERE staff_id = $1 \
         ORDER BY weekday, start_minute",
    )
    .bind(who.id)
    .fetch_all(pool)
    .await?;
    let today = Day::at(state.zone, state.clock.now());
    let exceptions: Vec<ExceptionRow> = sqlx::query_as(
        "SELECT id, day, kind, start_minute, end_minute, note FROM advisor_exceptions \
         WHERE staff_id = $1 AND day >= $2 ORDER BY day, start_minute, id",
    )
    .bind(who.id)
    .bind(today.to_string())
    .fetch_all(pool)
    .await?;
    Ok(ScheduleView {
        choices: advisor_choices(&state.db, actor).await?,
        slot_minutes,
        buffer_minutes,
        purposes: Purpose::ALL.iter().map(|p| (*p, offered.iter().any(|o| o == p.as_str()))).collect(),
        channels: Channel::ALL.iter().map(|c| (*c, channels.iter().any(|o| o == c.as_str()))).collect(),
        hours: hours
            .into_iter()
            .map(|(id, weekday, start, end)| HoursWindow {
                id,
                weekday: u8::try_from(weekday).unwrap_or(1),
                start: hm(start),
                end: hm(end),
            })
            .collect(),
        exceptions: exceptions
            .into_iter()
            .filter_map(|(id, day, kind, start, end, note)| {
                Some(ExceptionView {
                    id,
                    day: Day::parse(&day)?,
                    leave: kind == "leave",
                    start: start.map(hm),
                    end: end.map(hm),
                    note,
                })
            })
            .collect(),
        today,
        advisor_staff_no: who.staff_no,
        advisor_name: who.name,
    })
}

/// A weekly window as typed: weekday 1..=7, "HH:MM" to "HH:MM" within the day.
pub fn parse_window(weekday: &str, start: &str, end: &str) -> Result<(i64, i64, i64), AppError> {
    let weekday: i64 =
        weekday.trim().parse().ok().filter(|d| (1..=7).contains(d)).ok_or_else(|| AppError::invalid("weekday"))?;
    let start = parse_hm(start).filter(|m| *m < 1440).ok_or_else(|| AppError::invalid("start"))?;
    let end = parse_hm(end).ok_or_else(|| AppError::invalid("end"))?;
    if end <= start {
        return Err(AppError::invalid("end"));
    }
    Ok((weekday, i64::from(start), i64::from(end)))
}

#[allow(clippy::too_many_arguments)]
pub async fn add_hours(
    state: &AppState,
    actor: &StaffActor,
    advisor: &str,
    weekday: &str,
    start: &str,
    end: &str,
    origin: &str,
) -> Result<String, AppError> {
    let (weekday, start, end) = parse_window(weekday, start, end)?;
    let who = advisor_for(&state.db, actor, Some(advisor)).await?;
    let mut tx = state.db.begin_write().await?;
    let existing: Vec<(i64, i64)> =
        sqlx::query_as("SELECT start_minute, end_minute FROM advisor_hours WHERE staff_id = $1 AND weekday = $2")
            .bind(who.id)
            .bind(weekday)
            .fetch_all(&mut *tx)
            .await?;
    if existing.iter().any(|(s, e)| *s < end && start < *e) {
        return Err(AppError::invalid("overlap"));
    }
    ensure_profile(&mut tx, &who).await?;
    sqlx::query("INSERT INTO advisor_hours (staff_id, weekday, start_minute, end_minute) VALUES ($1, $2, $3, $4)")
        .bind(who.id)
        .bind(weekday)
        .bind(start)
        .bind(end)
        .execute(&mut *tx)
        .await?;
    let detail = json!({ "advisor": who.staff_no, "hours_added": { "weekday": weekday, "start": start, "end": end } });
    audit_staff(&mut tx, state, actor, None, events::ADVISOR_SCHEDULE_CHANGED, detail, origin).await?;
    tx.commit().await?;
    Ok(who.staff_no)
}

pub async fn remove_hours(
    state: &AppState,
    actor: &StaffActor,
    advisor: &str,
    id: i64,
    origin: &str,
) -> Result<String, AppError> {
    remove_row(state, actor, advisor, ScheduleRow::Hours, id, origin).await
}

/// A row of an advisor's schedule that is removed by its id.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ScheduleRow {
    Hours,
    Exception,
}

impl ScheduleRow {
    const fn table(self) -> &'static str {
        match self {
            ScheduleRow::Hours => "advisor_hours",
            ScheduleRow::Exception => "advisor_exceptions",
        }
    }

    const fn audit_key(self) -> &'static str {
        match self {
            ScheduleRow::Hours => "hours_removed",
            ScheduleRow::Exception => "exception_removed",
        }
    }
}

/// Removes one of the advisor's own schedule rows (looked up through the advisor:
/// another advisor's id is `not_found`), audited.
pub async fn remove_row(
    state: &AppState,
    actor: &StaffActor,
    advisor: &str,
    row: ScheduleRow,
    id: i64,
    origin: &str,
) -> Result<String, AppError> {
    let who = advisor_for(&state.db, actor, Some(advisor)).await?;
    let mut tx = state.db.begin_write().await?;
    let removed = sqlx::query(&format!("DELETE FROM {} WHERE id = $1 AND staff_id = $2", row.table()))
        .bind(id)
        .bind(who.id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
    if removed != 1 {
        return Err(AppError::new(ErrorCode::NotFound));
    }
    let detail = json!({ "advisor": who.staff_no, row.audit_key(): id });
    audit_staff(&mut tx, state, actor, None, events::ADVISOR_SCHEDULE_CHANGED, detail, origin).await?;
    tx.commit().await?;
    Ok(who.staff_no)
}

/// An advisor takes bookings only with a profile; the first schedule change makes
/// one, with the branch's phone as the number phone consultations are held on.
async fn ensure_profile(tx: &mut Transaction<'static, Any>, who: &Advisor) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO advisor_profiles (staff_id, phone, video_room) \
         SELECT $1, b.phone, '' FROM branches b WHERE b.id = $2 ON CONFLICT (staff_id) DO NOTHING",
    )
    .bind(who.id)
    .bind(who.branch_id)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Consultation length and buffer, and what is offered, as the form sends them.
#[derive(Clone, Debug)]
pub struct ProfileForm {
    pub slot_minutes: String,
    pub buffer_minutes: String,
    pub purposes: Vec<Purpose>,
    pub channels: Vec<Channel>,
}

pub async fn save_profile(
    state: &AppState,
    actor: &StaffActor,
    advisor: &str,
    form: &ProfileForm,
    origin: &str,
) -> Result<String, AppError> {
    let slot: i64 = form
        .slot_minutes
        .trim()
        .parse()
        .ok()
        .filter(|m| (15..=240).contains(m))
        .ok_or_else(|| AppError::invalid("slot_minutes"))?;
    let buffer: i64 = form
        .buffer_minutes
        .trim()
        .parse()
        .ok()
        .filter(|m| (0..=120).contains(m))
        .ok_or_else(|| AppError::invalid("buffer_minutes"))?;
    if form.purposes.is_empty() {
        return Err(AppError::invalid("purposes"));
    }
    if form.channels.is_empty() {
        return Err(AppError::invalid("channels"));
    }
    let who = advisor_for(&state.db, actor, Some(advisor)).await?;
    let mut tx = state.db.begin_write().await?;
    ensure_profile(&mut tx, &who).await?;
    sqlx::query("UPDATE advisor_profiles SET slot_minutes = $1, buffer_minutes = $2 WHERE staff_id = $3")
        .bind(slot)
        .bind(buffer)
        .bind(who.id)
        .execute(&mut *tx)
        .await?;
    sqlx::query("DELETE FROM advisor_purposes WHERE staff_id = $1").bind(who.id).execute(&mut *tx).await?;
    for p in &form.purposes {
        sqlx::query("INSERT INTO advisor_purposes (staff_id, purpose) VALUES ($1, $2)")
            .bind(who.id)
            .bind(p.as_str())
            .execute(&mut *tx)
            .await?;
    }
    sqlx::query("DELETE FROM advisor_channels WHERE staff_id = $1").bind(who.id).execute(&mut *tx).await?;
    for c in &form.channels {
        sqlx::query("INSERT INTO advisor_channels (staff_id, channel) VALUES ($1, $2)")
            .bind(who.id)
            .bind(c.as_str())
            .execute(&mut *tx)
            .await?;
    }
    let detail = json!({
        "advisor": who.staff_no,
        "slot_minutes": slot,
        "buffer_minutes": buffer,
        "purposes": form.purposes.iter().map(|p| p.as_str()).collect::<Vec<_>>(),
        "channels": form.channels.iter().map(|c| c.as_str()).collect::<Vec<_>>(),
    });
    audit_staff(&mut tx, state, actor, None, events::ADVISOR_SCHEDULE_CHANGED, detail, origin).await?;
    tx.commit().await?;
    Ok(who.staff_no)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_are_validated() {
        assert_eq!(parse_window("1", "09:00", "12:00").unwrap(), (1, 540, 720));
        assert_eq!(parse_window("7", "00:00", "24:00").unwrap(), (7, 0, 1440));
        assert_eq!(parse_window("0", "09:00", "12:00").unwrap_err(), AppError::invalid("weekday"));
        assert_eq!(parse_window("8", "09:00", "12:00").unwrap_err(), AppError::invalid("weekday"));
        assert_eq!(parse_window("1", "12:00", "09:00").unwrap_err(), AppError::invalid("end"));
        assert_eq!(parse_window("1", "09:00", "09:00").unwrap_err(), AppError::invalid("end"));
        assert_eq!(parse_window("1", "24:00", "24:00").unwrap_err(), AppError::invalid("start"));
        assert_eq!(parse_window("1", "09:00", "25:00").unwrap_err(), AppError::invalid("end"));
    }
}
