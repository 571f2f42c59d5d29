//! The engine at fixed instants. The bank's zone is Asia/Shanghai (UTC+8): 09:00
//! there is 01:00Z. 2026-11-29 is a Sunday; 2026-11-30 a Monday.
use super::*;

const ZONE: chrono_tz::Tz = chrono_tz::Asia::Shanghai;

fn day(text: &str) -> Day {
    Day::parse(text).expect("a date")
}

/// `YYYY-MM-DD HH:MM` in the bank's zone.
fn at(text: &str) -> Timestamp {
    let (d, hm) = text.split_once(' ').expect("date and time");
    let (h, m) = hm.split_once(':').expect("hh:mm");
    let minute = h.parse::<i64>().expect("hour") * 60 + m.parse::<i64>().expect("minute");
    local_instant(day(d), minute, ZONE).expect("a local time")
}

fn hm(h: u16, m: u16) -> u16 {
    h * 60 + m
}

/// Mon–Fri 09:00–12:00 and 13:30–17:00, 45-minute slots with 15 minutes' buffer.
fn weekdays() -> Schedule {
    let mut hours = Vec::new();
    for weekday in 1..=5 {
        hours.push(WeeklyHours { weekday, start_minute: hm(9, 0), end_minute: hm(12, 0) });
        hours.push(WeeklyHours { weekday, start_minute: hm(13, 30), end_minute: hm(17, 0) });
    }
    Schedule { hours, exceptions: Vec::new(), holidays: Vec::new(), slot_minutes: 45, buffer_minutes: 15 }
}

/// Local "HH:MM" of the slots on `date`.
fn times_on(slots: &[Slot], date: &str) -> Vec<String> {
    slots
        .iter()
        .filter(|s| Day::at(ZONE, s.starts_at) == day(date))
        .map(|s| crate::backend::local_time(ZONE, s.starts_at)[11..].to_owned())
        .collect()
}

const SUNDAY_MORNING: &str = "2026-11-29 08:00";

#[test]
fn a_working_day_is_cut_into_slots_with_buffers_and_the_meeting_ends_inside_the_window() {
    let slots = free_slots(&weekdays(), &[], at(SUNDAY_MORNING), ZONE);
    // 09:00, 10:00, 11:00 (ends 11:45); 13:30, 14:30, 15:30 (16:30 would end at 17:15).
    assert_eq!(times_on(&slots, "2026-11-30"), ["09:00", "10:00", "11:00", "13:30", "14:30", "15:30"]);
    let first = slots[0];
    assert_eq!(first.starts_at, at("2026-11-30 09:00"));
    assert_eq!(first.starts_at.micros(), 1_796_000_400_000_000, "09:00 in Beijing is 01:00Z on 2026-11-30");
    assert_eq!(first.ends_at, at("2026-11-30 09:45"));
    assert_eq!(first.busy_until, at("2026-11-30 10:00"));
    assert!(slots.windows(2).all(|w| w[0].starts_at < w[1].starts_at), "in time order");
}

#[test]
fn weekends_and_bank_holidays_have_no_slots_but_extra_time_does() {
    let mut schedule = weekdays();
    schedule.holidays.push(day("2026-12-01"));
    schedule.exceptions.push(DayException {
        day: day("2026-12-05"),
        kind: ExceptionKind::Extra,
        minutes: Some((hm(9, 0), hm(10, 0))),
    });
    let slots = free_slots(&schedule, &[], at(SUNDAY_MORNING), ZONE);
    assert!(times_on(&slots, "2026-11-29").is_empty(), "Sunday");
    assert!(times_on(&slots, "2026-12-01").is_empty(), "a bank holiday");
    assert_eq!(times_on(&slots, "2026-12-02").len(), 6, "the day after the holiday is normal");
    assert_eq!(times_on(&slots, "2026-12-05"), ["09:00"], "Saturday with one hour of extra time");
    assert!(times_on(&slots, "2026-12-06").is_empty(), "the next Sunday");
}

#[test]
fn leave_removes_a_whole_day_or_part_of_one() {
    let mut schedule = weekdays();
    schedule.exceptions.push(DayException { day: day("2026-11-30"), kind: ExceptionKind::Leave, minutes: None });
    schedule.exceptions.push(DayException {
        day: day("2026-12-02"),
        kind: ExceptionKind::Leave,
        minutes: Some((hm(10, 0), hm(11, 0))),
    });
    schedule.exceptions.push(DayException {
        day: day("2026-12-03"),
        kind: ExceptionKind::Leave,
        minutes: Some((hm(11, 30), hm(14, 0))),
    });
    let slots = free_slots(&schedule, &[], at(SUNDAY_MORNING), ZONE);
    assert!(times_on(&slots, "2026-11-30").is_empty(), "a day of leave");
    // The morning splits into 09:00–10:00 and 11:00–12:00.
    assert_eq!(times_on(&slots, "2026-12-02"), ["09:00", "11:00", "13:30", "14:30", "15:30"]);
    // 11:00 would end at 11:45, inside the leave; the afternoon starts at 14:00.
    assert_eq!(times_on(&slots, "2026-12-03"), ["09:00", "10:00", "14:00", "15:00", "16:00"]);
}

#[test]
fn overlapping_windows_make_one_grid() {
    let mut schedule = weekdays();
    // Extra time that overlaps and extends the morning: one grid 09:00–13:00.
    schedule.exceptions.push(DayException {
        day: day("2026-11-30"),
        kind: ExceptionKind::Extra,
        minutes: Some((hm(11, 0), hm(13, 0))),
    });
    let slots = free_slots(&schedule, &[], at(SUNDAY_MORNING), ZONE);
    assert_eq!(times_on(&slots, "2026-11-30"), ["09:00", "10:00", "11:00", "12:00", "13:30", "14:30", "15:30"]);
}

#[test]
fn no_slot_is_offered_less_than_two_hours_ahead() {
    let schedule = weekdays();
    // Monday 08:00: 09:00 is one hour ahead, 10:00 exactly two.
    let slots = free_slots(&schedule, &[], at("2026-11-30 08:00"), ZONE);
    assert_eq!(times_on(&slots, "2026-11-30")[0], "10:00");
    let slots = free_slots(&schedule, &[], at("2026-11-30 08:01"), ZONE);
    assert_eq!(times_on(&slots, "2026-11-30")[0], "11:00", "10:00 is now a minute short of two hours");
    assert!(offered_slot(&schedule, &[], at("2026-11-30 08:01"), ZONE, at("2026-11-30 10:00")).is_none());
}

#[test]
fn existing_bookings_and_their_buffers_take_slots_away() {
    let schedule = weekdays();
    let busy = [
        // A booking on the grid, with its buffer.
        Busy { starts_at: at("2026-11-30 10:00"), busy_until: at("2026-11-30 11:00") },
        // An off-grid booking (made when slots were longer) overlapping two slots.
        Busy { starts_at: at("2026-11-30 14:00"), busy_until: at("2026-11-30 15:00") },
    ];
    let slots = free_slots(&schedule, &busy, at(SUNDAY_MORNING), ZONE);
    assert_eq!(times_on(&slots, "2026-11-30"), ["09:00", "11:00", "15:30"]);
    assert!(offered_slot(&schedule, &busy, at(SUNDAY_MORNING), ZONE, at("2026-11-30 10:00")).is_none());
    // Touching is not overlapping: a slot whose buffer ends as a booking starts is fine.
    let touching = [Busy { starts_at: at("2026-11-30 10:00"), busy_until: at("2026-11-30 10:30") }];
    let slots = free_slots(&schedule, &touching, at(SUNDAY_MORNING), ZONE);
    assert_eq!(times_on(&slots, "2026-11-30")[..2], ["09:00".to_owned(), "11:00".to_owned()]);
}

#[test]
fn slots_run_thirty_days_ahead_across_the_month_end() {
    let schedule = weekdays();
    let now = at(SUNDAY_MORNING);
    let slots = free_slots(&schedule, &[], now, ZONE);
    // November has one working day left (Mon 30th); December 1st is a Tuesday.
    assert_eq!(times_on(&slots, "2026-12-01").len(), 6);
    assert_eq!(slots.iter().filter(|s| Day::at(ZONE, s.starts_at).month() == 11).count(), 6);
    let last = slots.last().expect("slots");
    assert!(last.starts_at < now.plus_seconds(HORIZON_DAYS * 86_400));
    // 30 days after Sunday 08:00 is Tuesday 2026-12-29 08:00: nothing that day yet,
    // Monday the 28th is the last full day.
    assert_eq!(Day::at(ZONE, last.starts_at), day("2026-12-28"));
    // 21 working days from Nov 30 to Dec 28 inclusive, six slots each.
    assert_eq!(slots.len(), 21 * 6);
    // From Monday 2026-12-28 08:00 the horizon reaches into January 2027.
    let later = free_slots(&schedule, &[], at("2026-12-28 08:00"), ZONE);
    assert_eq!(later.first().map(|s| s.starts_at), Some(at("2026-12-28 10:00")));
    assert!(later.iter().any(|s| Day::at(ZONE, s.starts_at) == day("2027-01-04")));
}

#[test]
fn offered_slot_finds_only_grid_times_that_are_free() {
    let schedule = weekdays();
    let now = at(SUNDAY_MORNING);
    let slot = offered_slot(&schedule, &[], now, ZONE, at("2026-12-01 13:30")).expect("offered");
    assert_eq!(slot.ends_at, at("2026-12-01 14:15"));
    assert!(offered_slot(&schedule, &[], now, ZONE, at("2026-12-01 13:45")).is_none(), "off the grid");
    assert!(offered_slot(&schedule, &[], now, ZONE, at("2026-12-01 18:00")).is_none(), "after hours");
    assert!(offered_slot(&schedule, &[], now, ZONE, at("2027-01-05 09:00")).is_none(), "beyond 30 days");
}

#[test]
fn a_nonsensical_schedule_offers_nothing() {
    let mut schedule = weekdays();
    schedule.slot_minutes = 0;
    assert!(free_slots(&schedule, &[], at(SUNDAY_MORNING), ZONE).is_empty());
}
