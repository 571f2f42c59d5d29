//! Demo advisors and the bank's public holidays: S00003 (County Town Office) and
//! S00004 (Qingshi Town Branch) take bookings. No bookings are seeded, so every
//! test starts with empty calendars. Idempotent: what exists is left alone.
use sqlx::{Any, Transaction};

struct DemoAdvisor {
    staff_no: &'static str,
    phone: &'static str,
    video_room: &'static str,
    purposes: &'static [&'static str],
    channels: &'static [&'static str],
    /// (weekday 1 = Monday, start minute, end minute)
    hours: &'static [(i64, i64, i64)],
}

const fn weekdays(start: i64, end: i64) -> [(i64, i64, i64); 5] {
    [(1, start, end), (2, start, end), (3, start, end), (4, start, end), (5, start, end)]
}

const S3_MORNINGS: [(i64, i64, i64); 5] = weekdays(9 * 60, 12 * 60);
const S3_AFTERNOONS: [(i64, i64, i64); 5] = weekdays(13 * 60 + 30, 17 * 60);
const S3_HOURS: [(i64, i64, i64); 11] = [
    S3_MORNINGS[0],
    S3_MORNINGS[1],
    S3_MORNINGS[2],
    S3_MORNINGS[3],
    S3_MORNINGS[4],
    S3_AFTERNOONS[0],
    S3_AFTERNOONS[1],
    S3_AFTERNOONS[2],
    S3_AFTERNOONS[3],
    S3_AFTERNOONS[4],
    (6, 9 * 60, 12 * 60),
];
const S4_HOURS: [(i64, i64, i64); 5] = weekdays(9 * 60, 16 * 60);

const ADVISORS: &[DemoAdvisor] = &[
    DemoAdvisor {
        staff_no: "S00003",
        phone: "0571-8800-1013",
        video_room: "https://meet.village-post.example/room/s00003",
        purposes: &["wealth_planning", "loan", "pension", "insurance", "complaint_follow_up"],
        channels: &["branch", "phone", "video"],
        hours: &S3_HOURS,
    },
    DemoAdvisor {
        staff_no: "S00004",
        phone: "0571-8800-1024",
        video_room: "https://meet.village-post.example/room/s00004",
        purposes: &["loan", "pension", "insurance"],
        channels: &["branch", "phone"],
        hours: &S4_HOURS,
    },
];

/// Days the bank is closed: the official 2026 schedule, and the best-known dates
/// for 2027 (to be replaced when the State Council publishes it).
const HOLIDAYS: &[(&str, &str, &str, u32)] = &[
    ("2026-01-01", "元旦", "New Year's Day", 3),
    ("2026-02-15", "春节", "Spring Festival", 9),
    ("2026-04-04", "清明节", "Qingming Festival", 3),
    ("2026-05-01", "劳动节", "Labour Day", 5),
    ("2026-06-19", "端午节", "Dragon Boat Festival", 3),
    ("2026-09-25", "中秋节", "Mid-Autumn Festival", 3),
    ("2026-10-01", "国庆节", "National Day", 7),
    ("2027-01-01", "元旦", "New Year's Day", 3),
    ("2027-02-06", "春节", "Spring Festival", 7),
    ("2027-04-03", "清明节", "Qingming Festival", 3),
    ("2027-05-01", "劳动节", "Labour Day", 5),
    ("2027-06-09", "端午节", "Dragon Boat Festival", 1),
    ("2027-09-15", "中秋节", "Mid-Autumn Festival", 1),
    ("2027-10-01", "国庆节", "National Day", 7),
];

/// Weekend days the bank works (调休), from the State Council's 2026 holiday
/// arrangement: each makes up for a bridge day of the holiday next to it.
const WORKDAYS: &[(&str, &str, &str)] = &[
    ("2026-01-04", "元旦调休", "New Year make-up working day"),
    ("2026-02-14", "春节调休", "Spring Festival make-up working day"),
    ("2026-02-28", "春节调休", "Spring Festival make-up working day"),
    ("2026-05-09", "劳动节调休", "Labour Day make-up working day"),
    ("2026-09-20", "国庆节调休", "National Day make-up working day"),
    ("2026-10-10", "国庆节调休", "National Day make-up working day"),
];

pub async fn seed_advisors(tx: &mut Transaction<'static, Any>) -> Result<(), sqlx::Error> {
    for a in ADVISORS {
        let Some(staff_id): Option<i64> = sqlx::query_scalar("SELECT id FROM staff WHERE staff_no = $1")
            .bind(a.staff_no)
            .fetch_optional(&mut **tx)
            .await?
        else {
            continue;
        };
        // The hours go in only with a new profile: an advisor's own changes stay.
        let fresh: Option<i64> = sqlx::query_scalar(
            "INSERT INTO advisor_profiles (staff_id, slot_minutes, buffer_minutes, phone, video_room) \
             VALUES ($1, 45, 15, $2, $3) ON CONFLICT (staff_id) DO NOTHING RETURNING staff_id",
        )
        .bind(staff_id)
        .bind(a.phone)
        .bind(a.video_room)
        .fetch_optional(&mut **tx)
        .await?;
        if fresh.is_none() {
            continue;
        }
        for purpose in a.purposes {
            sqlx::query("INSERT INTO advisor_purposes (staff_id, purpose) VALUES ($1, $2) ON CONFLICT DO NOTHING")
                .bind(staff_id)
                .bind(*purpose)
                .execute(&mut **tx)
                .await?;
        }
        for channel in a.channels {
            sqlx::query("INSERT INTO advisor_channels (staff_id, channel) VALUES ($1, $2) ON CONFLICT DO NOTHING")
                .bind(staff_id)
                .bind(*channel)
                .execute(&mut **tx)
                .await?;
        }
        for (weekday, start, end) in a.hours {
            sqlx::query(
                "INSERT INTO advisor_hours (staff_id, weekday, start_minute, end_minute) VALUES ($1, $2, $3, $4)",
            )
            .bind(staff_id)
            .bind(*weekday)
            .bind(*start)
            .bind(*end)
            .execute(&mut **tx)
            .await?;
        }
    }
    for (first, zh, en, days) in HOLIDAYS {
        let Some(first) = crate::types::Day::parse(first) else { continue };
        for offset in 0..*days {
            sqlx::query(
                "INSERT INTO bank_holidays (day, name_zh, name_en) VALUES ($1, $2, $3) ON CONFLICT (day) DO NOTHING",
            )
            .bind(first.plus_days(i64::from(offset)).to_string())
            .bind(*zh)
            .bind(*en)
            .execute(&mut **tx)
            .await?;
        }
    }
    for (day, zh, en) in WORKDAYS {
        sqlx::query(
            "INSERT INTO bank_workdays (day, name_zh, name_en) VALUES ($1, $2, $3) ON CONFLICT (day) DO NOTHING",
        )
        .bind(*day)
        .bind(*zh)
        .bind(*en)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn holidays_are_real_dates_in_order() {
        let mut last = String::new();
        for (first, _, _, days) in super::HOLIDAYS {
            assert!(crate::types::Day::parse(first).is_some(), "{first}");
            assert!(*first > last.as_str() && (1..=9).contains(days), "{first}");
            last = (*first).to_owned();
        }
    }

    #[test]
    fn make_up_days_are_weekends_outside_the_holidays() {
        use chrono::Datelike;
        let holidays: Vec<String> = super::HOLIDAYS
            .iter()
            .filter_map(|(first, _, _, days)| Some((crate::types::Day::parse(first)?, *days)))
            .flat_map(|(first, days)| (0..days).map(move |i| first.plus_days(i64::from(i)).to_string()))
            .collect();
        for (day, _, _) in super::WORKDAYS {
            let date = chrono::NaiveDate::parse_from_str(day, "%Y-%m-%d").expect("a date");
            assert!(matches!(date.weekday(), chrono::Weekday::Sat | chrono::Weekday::Sun), "{day}");
            assert!(!holidays.iter().any(|h| h == day), "{day}");
        }
    }
}
