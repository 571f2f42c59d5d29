//! Reading an advisor's availability from the tables into the pure engine's
//! [`Schedule`], and finding the advisors who offer a consultation.
use super::slots::{Busy, DayException, ExceptionKind, Schedule, WeeklyHours, HORIZON_DAYS};
use crate::types::{Channel, Day, Localized, Purpose, Timestamp};
use sqlx::{AnyConnection, Row};

/// An advisor who takes bookings, with what a booking with them needs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Advisor {
    pub staff_id: i64,
    pub staff_no: String,
    pub name: String,
    pub branch_id: i64,
    pub branch_code: String,
    pub branch_name: Localized,
    pub accepting: bool,
}

const ADVISOR_COLUMNS: &str = "s.id, s.staff_no, s.full_name, b.id AS branch_id, b.code, b.name_zh, b.name_en, \
     CAST(p.accepting AS BIGINT) AS accepting FROM staff s JOIN advisor_profiles p ON p.staff_id = s.id JOIN branches b ON b.id = s.branch_id";

fn advisor_from_row(row: &sqlx::any::AnyRow) -> Result<Advisor, sqlx::Error> {
    Ok(Advisor {
        staff_id: row.try_get("id")?,
        staff_no: row.try_get("staff_no")?,
        name: row.try_get("full_name")?,
        branch_id: row.try_get("branch_id")?,
        branch_code: row.try_get("code")?,
        branch_name: Localized { zh: row.try_get("name_zh")?, en: row.try_get("name_en")? },
        accepting: row.try_get::<i64, _>("accepting")? == 1,
    })
}

/// The active advisor with this staff number, if they take bookings at all.
pub async fn advisor_by_staff_no(conn: &mut AnyConnection, staff_no: &str) -> Result<Option<Advisor>, sqlx::Error> {
    let row = sqlx::query(&format!("SELECT {ADVISOR_COLUMNS} WHERE s.staff_no = $1 AND s.status = 'active'"))
        .bind(staff_no.trim().to_ascii_uppercase())
        .fetch_optional(&mut *conn)
        .await?;
    row.as_ref().map(advisor_from_row).transpose()
}

/// Serialises, on PostgreSQL, everything that changes an advisor's bookable time
/// (booking, moving a booking, adding leave): each takes this row lock before it
/// reads the calendar, so leave cannot be committed around a booking made at the
/// same moment. SQLite's single writer already serialises them.
pub async fn lock_advisor(
    conn: &mut AnyConnection,
    backend: crate::backend::Backend,
    staff_id: i64,
) -> Result<(), sqlx::Error> {
    if backend == crate::backend::Backend::Postgres {
        sqlx::query("SELECT id FROM staff WHERE id = $1 FOR UPDATE").bind(staff_id).fetch_optional(&mut *conn).await?;
    }
    Ok(())
}

/// Whether `advisor` offers `purpose` over `channel` and accepts bookings now.
pub async fn offers(
    conn: &mut AnyConnection,
    advisor: &Advisor,
    purpose: Purpose,
    channel: Channel,
) -> Result<bool, sqlx::Error> {
    if !advisor.accepting {
        return Ok(false);
    }
    let n: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM advisor_purposes ap JOIN advisor_channels ac ON ac.staff_id = ap.staff_id \
         WHERE ap.staff_id = $1 AND ap.purpose = $2 AND ac.channel = $3",
    )
    .bind(advisor.staff_id)
    .bind(purpose.as_str())
    .bind(channel.as_str())
    .fetch_one(&mut *conn)
    .await?;
    Ok(n > 0)
}

/// The advisors who offer `purpose` over `channel` (at the branch `branch_code`
/// when given), the customer's own relationship manager first, then by branch.
pub async fn advisors_offering(
    conn: &mut AnyConnection,
    customer_id: i64,
    purpose: Purpose,
    channel: Channel,
    branch_code: Option<&str>,
) -> Result<Vec<(Advisor, bool)>, sqlx::Error> {
    let manager: Option<i64> = sqlx::query_scalar("SELECT relationship_manager_id FROM customers WHERE id = $1")
        .bind(customer_id)
        .fetch_optional(&mut *conn)
        .await?
        .flatten();
    let rows = sqlx::query(&format!(
        "SELECT {ADVISOR_COLUMNS} \
         JOIN advisor_purposes ap ON ap.staff_id = s.id AND ap.purpose = $1 \
         JOIN advisor_channels ac ON ac.staff_id = s.id AND ac.channel = $2 \
         WHERE s.status = 'active' AND p.accepting = 1 AND ($3 = '' OR b.code = $3) \
         ORDER BY b.code, s.staff_no"
    ))
    .bind(purpose.as_str())
    .bind(channel.as_str())
    .bind(branch_code.unwrap_or(""))
    .fetch_all(&mut *conn)
    .await?;
    let mut advisors: Vec<(Advisor, bool)> = rows
        .iter()
        .map(|row| advisor_from_row(row).map(|a| (a.clone(), Some(a.staff_id) == manager)))
        .collect::<Result<_, _>>()?;
    // Stable: the manager moves to the front, the others keep their order.
    advisors.sort_by_key(|(_, is_manager)| !is_manager);
    Ok(advisors)
}

/// The advisor's schedule for the days slots can be offered from `now`.
pub async fn load_schedule(
    conn: &mut AnyConnection,
    staff_id: i64,
    zone: chrono_tz::Tz,
    now: Timestamp,
) -> Result<Option<Schedule>, sqlx::Error> {
    let profile: Option<(i64, i64)> =
        sqlx::query_as("SELECT slot_minutes, buffer_minutes FROM advisor_profiles WHERE staff_id = $1")
            .bind(staff_id)
            .fetch_optional(&mut *conn)
            .await?;
    let Some((slot_minutes, buffer_minutes)) = profile else {
        return Ok(None);
    };
    let today = Day::at(zone, now);
    let last = today.plus_days(HORIZON_DAYS + 1);
    let hours: Vec<(i64, i64, i64)> = sqlx::query_as(
        "SELECT weekday, start_minute, end_minute FROM advisor_hours WHERE staff_id = $1 ORDER BY weekday, start_minute",
    )
    .bind(staff_id)
    .fetch_all(&mut *conn)
    .await?;
    let exceptions: Vec<(String, String, Option<i64>, Option<i64>)> = sqlx::query_as(
        "SELECT day, kind, start_minute, end_minute FROM advisor_exceptions \
         WHERE staff_id = $1 AND day >= $2 AND day <= $3 ORDER BY day, id",
    )
    .bind(staff_id)
    .bind(today.to_string())
    .bind(last.to_string())
    .fetch_all(&mut *conn)
    .await?;
    let holidays: Vec<String> = sqlx::query_scalar("SELECT day FROM bank_holidays WHERE day >= $1 AND day <= $2")
        .bind(today.to_string())
        .bind(last.to_string())
        .fetch_all(&mut *conn)
        .await?;
    let minute = |m: i64| u16::try_from(m.clamp(0, 1440)).unwrap_or(0);
    Ok(Some(Schedule {
        hours: hours
            .into_iter()
            .map(|(weekday, start, end)| WeeklyHours {
                weekday: u8::try_from(weekday).unwrap_or(0),
                start_minute: minute(start),
                end_minute: minute(end),
            })
            .collect(),
        exceptions: exceptions
            .into_iter()
            .filter_map(|(day, kind, start, end)| {
                Some(DayException {
                    day: Day::parse(&day)?,
                    kind: if kind == "extra" { ExceptionKind::Extra } else { ExceptionKind::Leave },
                    minutes: start.zip(end).map(|(s, e)| (minute(s), minute(e))),
                })
            })
            .collect(),
        holidays: holidays.iter().filter_map(|d| Day::parse(d)).collect(),
        slot_minutes,
        buffer_minutes,
    }))
}

/// The advisor's taken times from `now` on: every booking that is not cancelled
/// (the same rule as the database's overlap check), except `except` (a booking
/// being moved does not stand in its own way).
pub async fn load_busy(
    conn: &mut AnyConnection,
    staff_id: i64,
    now: Timestamp,
    except: Option<i64>,
) -> Result<Vec<Busy>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT starts_at, busy_until FROM bookings WHERE advisor_id = $1 AND status <> 'cancelled' \
         AND busy_until > $2 AND id <> $3 ORDER BY starts_at",
    )
    .bind(staff_id)
    .bind(now.micros())
    .bind(except.unwrap_or(0))
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|row| {
            Ok(Busy {
                starts_at: Timestamp::from_micros(row.try_get("starts_at")?),
                busy_until: Timestamp::from_micros(row.try_get("busy_until")?),
            })
        })
        .collect()
}
