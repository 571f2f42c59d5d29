//! What the customer's booking pages read: their bookings, one booking (found
//! through its owner), and the booking wizard's step.
use super::schedule::{self, Advisor};
use super::slots::{self, Slot, CUT_OFF_SECONDS};
use crate::api::booking::{
    AdvisorOption, BookingList, BookingPage, BookingView, BranchOption, ChosenSlot, SlotDay, SlotOption, Wizard,
};
use crate::backend::auth::CustomerRead;
use crate::backend::AppState;
use crate::error::{AppError, ErrorCode};
use crate::types::{BookingStatus, Channel, Day, IdempotencyKey, Localized, Purpose, Timestamp};
use chrono::Datelike;
use sqlx::{AnyConnection, Row};

/// "09:00": the time of day of `at` in the bank's zone.
pub fn local_clock(zone: chrono_tz::Tz, at: Timestamp) -> String {
    chrono::DateTime::from_timestamp_micros(at.micros())
        .map(|utc| utc.with_timezone(&zone).format("%H:%M").to_string())
        .unwrap_or_default()
}

/// 1 = Monday … 7 = Sunday.
pub fn weekday(day: Day) -> u8 {
    day.to_naive().weekday().number_from_monday() as u8
}

/// Free slots grouped by local day, in order.
pub fn slot_days(slots: &[Slot], zone: chrono_tz::Tz) -> Vec<SlotDay> {
    let mut days: Vec<SlotDay> = Vec::new();
    for slot in slots {
        let day = Day::at(zone, slot.starts_at);
        let option = SlotOption { starts_at: slot.starts_at.micros(), time: local_clock(zone, slot.starts_at) };
        match days.last_mut() {
            Some(last) if last.day == day => last.slots.push(option),
            _ => days.push(SlotDay { day, weekday: weekday(day), slots: vec![option] }),
        }
    }
    days
}

/// A booking as found through its owner, with what changing it needs.
pub struct Found {
    pub id: i64,
    pub advisor_id: i64,
    pub view: BookingView,
}

const BOOKING_SELECT: &str = "SELECT k.id, k.advisor_id, k.reference, k.purpose, k.channel, k.status, k.starts_at, \
     k.ends_at, k.topic_note, k.cancel_reason, k.summary, k.sequence, k.updated_at, s.full_name, s.staff_no, \
     b.name_zh, b.name_en, b.address_zh, b.address_en, b.phone AS branch_phone, p.phone AS advisor_phone, \
     p.video_room FROM bookings k JOIN staff s ON s.id = k.advisor_id JOIN branches b ON b.id = k.branch_id \
     LEFT JOIN advisor_profiles p ON p.staff_id = k.advisor_id";

fn found_from_row(row: &sqlx::any::AnyRow, zone: chrono_tz::Tz, now: Timestamp) -> Result<Found, sqlx::Error> {
    let bad = |what: &str| sqlx::Error::Decode(format!("bookings.{what} holds an unknown value").into());
    let purpose = Purpose::parse(&row.try_get::<String, _>("purpose")?).ok_or_else(|| bad("purpose"))?;
    let channel = Channel::parse(&row.try_get::<String, _>("channel")?).ok_or_else(|| bad("channel"))?;
    let status = BookingStatus::parse(&row.try_get::<String, _>("status")?).ok_or_else(|| bad("status"))?;
    let starts_at = Timestamp::from_micros(row.try_get("starts_at")?);
    let ends_at = Timestamp::from_micros(row.try_get("ends_at")?);
    let day = Day::at(zone, starts_at);
    let dial_in = match channel {
        Channel::Branch => String::new(),
        Channel::Phone => row.try_get::<Option<String>, _>("advisor_phone")?.unwrap_or_default(),
        Channel::Video => row.try_get::<Option<String>, _>("video_room")?.unwrap_or_default(),
    };
    let view = BookingView {
        reference: row.try_get("reference")?,
        purpose,
        channel,
        status,
        advisor_name: row.try_get("full_name")?,
        advisor_staff_no: row.try_get("staff_no")?,
        branch_name: Localized { zh: row.try_get("name_zh")?, en: row.try_get("name_en")? },
        branch_address: Localized { zh: row.try_get("address_zh")?, en: row.try_get("address_en")? },
        branch_phone: row.try_get("branch_phone")?,
        dial_in,
        starts_at,
        ends_at,
        day,
        weekday: weekday(day),
        start_time: local_clock(zone, starts_at),
        end_time: local_clock(zone, ends_at),
        topic_note: row.try_get("topic_note")?,
        cancel_reason: row.try_get("cancel_reason")?,
        summary: row.try_get("summary")?,
        sequence: row.try_get("sequence")?,
        updated_at: Timestamp::from_micros(row.try_get("updated_at")?),
        upcoming: status == BookingStatus::Booked && ends_at > now,
        can_change: status == BookingStatus::Booked && now.plus_seconds(CUT_OFF_SECONDS) <= starts_at,
    };
    Ok(Found { id: row.try_get("id")?, advisor_id: row.try_get("advisor_id")?, view })
}

/// The customer's booking with this reference; `None` for another's or a missing one.
pub async fn find(
    conn: &mut AnyConnection,
    customer_id: i64,
    reference: &str,
    zone: chrono_tz::Tz,
    now: Timestamp,
) -> Result<Option<Found>, sqlx::Error> {
    let row = sqlx::query(&format!("{BOOKING_SELECT} WHERE k.reference = $1 AND k.customer_id = $2"))
        .bind(reference)
        .bind(customer_id)
        .fetch_optional(&mut *conn)
        .await?;
    row.as_ref().map(|row| found_from_row(row, zone, now)).transpose()
}

/// The customer's booking, or `not_found`.
pub async fn booking(state: &AppState, who: &CustomerRead, reference: &str) -> Result<BookingView, AppError> {
    let mut conn = state.db.pool().acquire().await?;
    let found = find(&mut conn, who.customer_id, reference, state.zone, state.clock.now()).await?;
    found.map(|f| f.view).ok_or_else(|| AppError::new(ErrorCode::NotFound))
}

pub async fn my_bookings(state: &AppState, who: &CustomerRead) -> Result<BookingList, AppError> {
    let now = state.clock.now();
    let rows = sqlx::query(&format!("{BOOKING_SELECT} WHERE k.customer_id = $1 ORDER BY k.starts_at, k.id"))
        .bind(who.customer_id)
        .fetch_all(state.db.pool())
        .await?;
    let mut upcoming = Vec::new();
    let mut past = Vec::new();
    for row in &rows {
        let found = found_from_row(row, state.zone, now)?;
        if found.view.upcoming {
            upcoming.push(found.view);
        } else {
            past.push(found.view);
        }
    }
    past.reverse();
    Ok(BookingList { upcoming, past })
}

/// The booking and, while it may still be moved, its advisor's free times.
pub async fn detail(state: &AppState, who: &CustomerRead, reference: &str) -> Result<BookingPage, AppError> {
    let now = state.clock.now();
    let mut conn = state.db.pool().acquire().await?;
    let found = find(&mut conn, who.customer_id, reference, state.zone, now)
        .await?
        .ok_or_else(|| AppError::new(ErrorCode::NotFound))?;
    let slots = if found.view.can_change {
        let mut slots = free_slots(&mut conn, found.advisor_id, state.zone, now, Some(found.id)).await?;
        // Its own time is no move at all.
        slots.retain(|s| s.starts_at != found.view.starts_at);
        slots
    } else {
        Vec::new()
    };
    Ok(BookingPage { booking: found.view, slots: slot_days(&slots, state.zone) })
}

/// The advisor's free slots now; `except` leaves a booking being moved out of the busy times.
pub async fn free_slots(
    conn: &mut AnyConnection,
    staff_id: i64,
    zone: chrono_tz::Tz,
    now: Timestamp,
    except: Option<i64>,
) -> Result<Vec<Slot>, sqlx::Error> {
    let Some(schedule) = schedule::load_schedule(conn, staff_id, zone, now).await? else {
        return Ok(Vec::new());
    };
    let busy = schedule::load_busy(conn, staff_id, now, except).await?;
    Ok(slots::free_slots(&schedule, &busy, now, zone))
}

/// What the wizard's URL holds.
#[derive(Clone, Debug, Default)]
pub struct WizardChoice {
    pub purpose: Option<Purpose>,
    pub channel: Option<Channel>,
    pub branch: String,
    pub advisor: String,
    pub slot: Option<Timestamp>,
}

fn option_of(advisor: &Advisor, is_manager: bool) -> AdvisorOption {
    AdvisorOption {
        staff_no: advisor.staff_no.clone(),
        name: advisor.name.clone(),
        branch_code: advisor.branch_code.clone(),
        branch_name: advisor.branch_name.clone(),
        is_manager,
    }
}

/// The wizard as far as the choice goes: advisors once purpose and channel are
/// chosen, free times once the advisor is, the chosen time on the confirm step.
pub async fn wizard(state: &AppState, who: &CustomerRead, choice: &WizardChoice) -> Result<Wizard, AppError> {
    let now = state.clock.now();
    let zone = state.zone;
    let mut conn = state.db.pool().acquire().await?;
    let manager: Option<String> = sqlx::query_scalar(
        "SELECT s.staff_no FROM customers c JOIN staff s ON s.id = c.relationship_manager_id WHERE c.id = $1",
    )
    .bind(who.customer_id)
    .fetch_optional(&mut *conn)
    .await?;
    let mut wizard = Wizard {
        purpose: choice.purpose,
        channel: choice.channel,
        manager,
        advisors: Vec::new(),
        branches: Vec::new(),
        advisor: None,
        advisor_unavailable: false,
        days: Vec::new(),
        slot: None,
        slot_gone: false,
        key: IdempotencyKey::generate().as_str().to_owned(),
    };
    let (Some(purpose), Some(channel)) = (choice.purpose, choice.channel) else {
        return Ok(wizard);
    };
    let all = schedule::advisors_offering(&mut conn, who.customer_id, purpose, channel, None).await?;
    for (advisor, _) in &all {
        if !wizard.branches.iter().any(|b| b.code == advisor.branch_code) {
            wizard.branches.push(BranchOption { code: advisor.branch_code.clone(), name: advisor.branch_name.clone() });
        }
    }
    wizard.branches.sort_by(|a, b| a.code.cmp(&b.code));
    wizard.advisors = all
        .iter()
        .filter(|(a, _)| choice.branch.is_empty() || a.branch_code == choice.branch)
        .map(|(a, m)| option_of(a, *m))
        .collect();
    if choice.advisor.is_empty() {
        return Ok(wizard);
    }
    let Some((chosen, is_manager)) = all.iter().find(|(a, _)| a.staff_no.eq_ignore_ascii_case(&choice.advisor)) else {
        wizard.advisor_unavailable = true;
        return Ok(wizard);
    };
    wizard.advisor = Some(option_of(chosen, *is_manager));
    let slots = free_slots(&mut conn, chosen.staff_id, zone, now, None).await?;
    if let Some(at) = choice.slot {
        match slots.iter().find(|s| s.starts_at == at) {
            Some(slot) => {
                let day = Day::at(zone, slot.starts_at);
                wizard.slot = Some(ChosenSlot {
                    starts_at: slot.starts_at.micros(),
                    day,
                    weekday: weekday(day),
                    start_time: local_clock(zone, slot.starts_at),
                    end_time: local_clock(zone, slot.ends_at),
                });
            }
            None => wizard.slot_gone = true,
        }
    }
    wizard.days = slot_days(&slots, zone);
    Ok(wizard)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> Timestamp {
        let t = chrono::DateTime::parse_from_rfc3339(text).unwrap();
        Timestamp::from_micros(t.timestamp_micros())
    }

    fn slot(start: &str) -> Slot {
        let starts_at = at(start);
        Slot { starts_at, ends_at: starts_at.plus_seconds(2700), busy_until: starts_at.plus_seconds(3600) }
    }

    #[test]
    fn slots_are_grouped_by_the_bank_s_day() {
        let zone = chrono_tz::Asia::Shanghai;
        // 23:30Z on the 30th is already 07:30 on 1 December in Beijing.
        let days = slot_days(
            &[slot("2026-11-30T01:00:00Z"), slot("2026-11-30T02:00:00Z"), slot("2026-11-30T23:30:00Z")],
            zone,
        );
        assert_eq!(days.len(), 2);
        assert_eq!((days[0].day.to_string(), days[0].weekday), ("2026-11-30".to_owned(), 1));
        let times: Vec<&str> = days[0].slots.iter().map(|s| s.time.as_str()).collect();
        assert_eq!(times, ["09:00", "10:00"]);
        assert_eq!((days[1].day.to_string(), days[1].weekday), ("2026-12-01".to_owned(), 2));
        assert_eq!(days[1].slots[0].time, "07:30");
    }
}
