//! The supervisors' service-level report: per kind and per team (the branch of the
//! staff member holding the request), how many requests were resolved in a period
//! and how many of those in time, what is open now and how much of it is breached,
//! and the customers' ratings.
//!
//! "In time" means resolved with no more business minutes used than the target and
//! never marked breached; a complaint must also have been decided (resolved) before
//! its decision deadline. "Breached" for an open request means past its due time
//! while the clock runs, past a complaint's decision deadline, or already escalated
//! for either (it stays breached when it is paused afterwards).
use crate::api::requests_sla::{
    Compliance, KindLine, RatingComment, Ratings, SlaReport, TeamLine, DEFAULT_DAYS, LATEST_COMMENTS, MAX_DAYS,
    UNASSIGNED_TEAM,
};
use crate::backend::{local_time, AppState};
use crate::error::AppError;
use crate::types::{Day, RequestKind, Timestamp};
use sqlx::any::AnyRow;
use sqlx::Row;
use std::collections::BTreeMap;

/// The report over `from`..=`to` (days in the bank's zone; empty means the last 30
/// days up to today).
pub async fn report(state: &AppState, from: &str, to: &str) -> Result<SlaReport, AppError> {
    let now = state.clock.now();
    let (first, last) = period(Day::at(state.zone, now), from, to)?;
    let start = first.start_in(state.zone);
    let end = last.plus_days(1).start_in(state.zone);
    let mut kinds: BTreeMap<&'static str, Compliance> = BTreeMap::new();
    let mut teams: BTreeMap<String, (String, String, Compliance)> = BTreeMap::new();
    let mut total = Compliance::default();
    let team_columns = "COALESCE(b.code, '') AS team, COALESCE(b.name_zh, '') AS team_zh, \
                        COALESCE(b.name_en, '') AS team_en";
    let joins = "FROM service_requests r LEFT JOIN staff s ON s.id = r.assigned_staff_id \
                 LEFT JOIN branches b ON b.id = s.branch_id";
    let resolved = sqlx::query(&format!(
        "SELECT r.kind, {team_columns}, \
           CAST(CASE WHEN r.used_minutes <= r.target_minutes AND r.breached_at IS NULL \
                 AND (r.kind <> 'complaint' OR r.decision_due_at IS NULL OR r.resolved_at < r.decision_due_at) \
                THEN 1 ELSE 0 END AS BIGINT) AS in_time \
         {joins} WHERE r.status IN ('resolved', 'closed') AND r.resolved_at >= $1 AND r.resolved_at < $2"
    ))
    .bind(start.micros())
    .bind(end.micros())
    .fetch_all(state.db.pool())
    .await?;
    for row in &resolved {
        let in_time = row.try_get::<i64, _>("in_time")?;
        for figures in groups(row, &mut kinds, &mut teams, &mut total)? {
            figures.resolved += 1;
            figures.in_time += in_time;
        }
    }
    let open = sqlx::query(&format!(
        "SELECT r.kind, {team_columns}, \
           CAST(CASE WHEN r.breached_at IS NOT NULL OR (r.running_since IS NOT NULL AND r.due_at <= $1) \
                 OR (r.kind = 'complaint' AND r.decision_due_at <= $1) THEN 1 ELSE 0 END AS BIGINT) AS breached \
         {joins} WHERE r.status IN ('submitted', 'in_progress', 'waiting_customer')"
    ))
    .bind(now.micros())
    .fetch_all(state.db.pool())
    .await?;
    for row in &open {
        let breached = row.try_get::<i64, _>("breached")?;
        for figures in groups(row, &mut kinds, &mut teams, &mut total)? {
            figures.open += 1;
            figures.breached += breached;
        }
    }
    let by_kind = RequestKind::ALL
        .iter()
        .filter_map(|kind| {
            kinds.remove(kind.as_str()).map(|figures| KindLine { kind: *kind, figures: shared(figures) })
        })
        .collect();
    // Branches by code, the unassigned last.
    let unassigned = teams.remove("");
    let by_team = teams
        .into_iter()
        .map(|(team, (name_zh, name_en, figures))| TeamLine { team, name_zh, name_en, figures: shared(figures) })
        .chain(unassigned.map(|(_, _, figures)| TeamLine {
            team: UNASSIGNED_TEAM.to_owned(),
            name_zh: String::new(),
            name_en: String::new(),
            figures: shared(figures),
        }))
        .collect();
    Ok(SlaReport {
        from: first.to_string(),
        to: last.to_string(),
        total: shared(total),
        by_kind,
        by_team,
        ratings: ratings(state, start, end).await?,
    })
}

/// The period asked for, checked: real dates, in order, at most a year long.
fn period(today: Day, from: &str, to: &str) -> Result<(Day, Day), AppError> {
    let last =
        if to.trim().is_empty() { today } else { Day::parse(to.trim()).ok_or_else(|| AppError::invalid("to"))? };
    let first = if from.trim().is_empty() {
        last.plus_days(1 - DEFAULT_DAYS)
    } else {
        Day::parse(from.trim()).ok_or_else(|| AppError::invalid("from"))?
    };
    if first > last || first.days_until(last) >= MAX_DAYS {
        return Err(AppError::invalid("from"));
    }
    Ok((first, last))
}

/// The three groups a row counts in: its kind, its team and the total.
fn groups<'a>(
    row: &AnyRow,
    kinds: &'a mut BTreeMap<&'static str, Compliance>,
    teams: &'a mut BTreeMap<String, (String, String, Compliance)>,
    total: &'a mut Compliance,
) -> Result<[&'a mut Compliance; 3], AppError> {
    let kind_text: String = row.try_get("kind")?;
    let kind = RequestKind::parse(&kind_text).map(RequestKind::as_str).unwrap_or("general");
    let team: String = row.try_get("team")?;
    let (name_zh, name_en): (String, String) = (row.try_get("team_zh")?, row.try_get("team_en")?);
    let by_kind = kinds.entry(kind).or_default();
    let (_, _, by_team) = teams.entry(team).or_insert_with(|| (name_zh, name_en, Compliance::default()));
    Ok([by_kind, by_team, total])
}

/// The group with its in-time share filled in.
fn shared(mut figures: Compliance) -> Compliance {
    figures.share_tenths = (figures.resolved > 0).then(|| rounded_tenths(figures.in_time * 1000, figures.resolved));
    figures
}

/// `numerator / denominator` rounded half up (both non-negative, denominator > 0).
fn rounded_tenths(numerator: i64, denominator: i64) -> i64 {
    (2 * numerator + denominator) / (2 * denominator)
}

async fn ratings(state: &AppState, start: Timestamp, end: Timestamp) -> Result<Ratings, AppError> {
    let scores: Vec<i64> =
        sqlx::query_scalar("SELECT score FROM service_request_ratings WHERE created_at >= $1 AND created_at < $2")
            .bind(start.micros())
            .bind(end.micros())
            .fetch_all(state.db.pool())
            .await?;
    let mut distribution = [0_i64; 5];
    for score in &scores {
        if let Some(slot) = usize::try_from(score - 1).ok().and_then(|i| distribution.get_mut(i)) {
            *slot += 1;
        }
    }
    let count = i64::try_from(scores.len()).unwrap_or(i64::MAX);
    let sum: i64 = scores.iter().sum();
    let rows = sqlx::query(
        "SELECT r.reference, g.score, g.comment, g.created_at FROM service_request_ratings g \
         JOIN service_requests r ON r.id = g.request_id \
         WHERE g.created_at >= $1 AND g.created_at < $2 AND g.comment <> '' \
         ORDER BY g.created_at DESC, g.request_id DESC LIMIT $3",
    )
    .bind(start.micros())
    .bind(end.micros())
    .bind(i64::try_from(LATEST_COMMENTS).unwrap_or(10))
    .fetch_all(state.db.pool())
    .await?;
    let latest = rows
        .iter()
        .map(|row| {
            Ok(RatingComment {
                reference: row.try_get("reference")?,
                score: row.try_get("score")?,
                comment: row.try_get("comment")?,
                created_local: local_time(state.zone, Timestamp::from_micros(row.try_get("created_at")?)),
            })
        })
        .collect::<Result<Vec<_>, sqlx::Error>>()?;
    Ok(Ratings { count, average_tenths: (count > 0).then(|| rounded_tenths(sum * 10, count)), distribution, latest })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_period_defaults_to_the_last_30_days_and_is_checked() {
        let today = Day::parse("2026-11-29").expect("a day");
        let (from, to) = period(today, "", "").expect("default");
        assert_eq!((from.to_string(), to.to_string()), ("2026-10-31".into(), "2026-11-29".into()));
        let (from, to) = period(today, "2026-11-01", "2026-11-15").expect("given");
        assert_eq!((from.to_string(), to.to_string()), ("2026-11-01".into(), "2026-11-15".into()));
        assert_eq!(period(today, "2026-11-16", "2026-11-15").map_err(|e| e.field), Err(Some("from".into())));
        assert_eq!(period(today, "2026-13-01", "").map_err(|e| e.field), Err(Some("from".into())));
        assert_eq!(period(today, "", "tomorrow").map_err(|e| e.field), Err(Some("to".into())));
        assert!(period(today, "2025-01-01", "2026-11-29").is_err());
    }

    #[test]
    fn shares_and_averages_round_half_up() {
        assert_eq!(rounded_tenths(2 * 1000, 3), 667);
        assert_eq!(rounded_tenths(1000, 8), 125);
        assert_eq!(rounded_tenths(43 * 10, 10), 43);
        assert_eq!(rounded_tenths(9 * 10, 2), 45);
        assert_eq!(rounded_tenths(13 * 10, 3), 43);
    }
}
