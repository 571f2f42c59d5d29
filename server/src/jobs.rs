//! Background work of a running server: delivering the outbox, clearing away
//! session records nobody can use any more, and the daily interest and maturity
//! job shortly after each local midnight. Stopped with the server.
use app::backend::booking::reminders;
use app::backend::ledger::daily::{self, DailyReport};
use app::backend::outbox::{self, LogSender, MessageSender};
use app::backend::requests::sla;
use app::backend::session_store::DbSessionStore;
use app::backend::AppState;
use app::types::Day;
use std::sync::Arc;
use std::time::Duration;
use tokio::task::JoinHandle;

/// How often waiting messages are sent: a customer waiting for a code should not wait long.
const OUTBOX_EVERY: Duration = Duration::from_secs(1);
/// How often expired session records are deleted.
const SESSION_SWEEP_EVERY: Duration = Duration::from_secs(600);
/// How often the daily job looks whether a day has ended (by the injected clock):
/// it runs within a minute after local midnight.
const DAILY_CHECK_EVERY: Duration = Duration::from_secs(60);
/// How often due booking reminders (24 h and 1 h before) are sent.
const REMINDERS_EVERY: Duration = Duration::from_secs(60);
/// How often service requests past their deadline are escalated, and requests
/// resolved more than 7 days ago are closed.
const SERVICE_LEVELS_EVERY: Duration = Duration::from_secs(60);

/// Starts the jobs; abort the handle to stop them.
pub fn spawn(state: AppState) -> JoinHandle<()> {
    // The development sender; a production SMS gateway implements `MessageSender` too.
    let sender: Arc<dyn MessageSender> = Arc::new(LogSender);
    let sessions = DbSessionStore::new(state.db.clone());
    // The day before the server started: with no run recorded yet, the first run is
    // for the first day that ends while serving (a fresh database has no history to
    // catch up); with runs recorded, start-up catches up the missed days.
    let baseline = Day::at(state.zone, state.clock.now()).plus_days(-1);
    tokio::spawn(async move {
        let mut outbox_tick = tokio::time::interval(OUTBOX_EVERY);
        let mut sweep_tick = tokio::time::interval(SESSION_SWEEP_EVERY);
        let mut daily_tick = tokio::time::interval(DAILY_CHECK_EVERY);
        daily_tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let mut reminder_tick = tokio::time::interval(REMINDERS_EVERY);
        reminder_tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let mut service_level_tick = tokio::time::interval(SERVICE_LEVELS_EVERY);
        service_level_tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                _ = daily_tick.tick() => {
                    if let Err(err) = run_daily_due(&state, baseline).await {
                        tracing::warn!(error = %err, "daily job failed; will retry");
                    }
                }
                _ = reminder_tick.tick() => {
                    match reminders::send_due_reminders(&state.db, state.zone, state.clock.now()).await {
                        Ok(0) => {}
                        Ok(n) => tracing::info!(sent = n, "booking reminders sent"),
                        Err(err) => tracing::warn!(error = %err, "booking reminders failed; will retry"),
                    }
                }
                _ = service_level_tick.tick() => run_service_levels(&state).await,
                _ = outbox_tick.tick() => {
                    if let Err(err) = outbox::deliver_pending(&state.db, sender.as_ref(), state.clock.now()).await {
                        tracing::warn!(error = %err, "outbox delivery failed; will retry");
                    }
                }
                _ = sweep_tick.tick() => {
                    match sessions.delete_expired().await {
                        Ok(0) => {}
                        Ok(n) => tracing::info!(deleted = n, "expired session records removed"),
                        Err(err) => tracing::warn!(error = %err, "session sweep failed; will retry"),
                    }
                    let now = state.clock.now();
                    if let Err(err) = app::backend::impersonation::settle_open(&state.db, None, now, "").await {
                        tracing::warn!(error = %err, "closing viewings of ended sessions failed; will retry");
                    }
                }
            }
        }
    })
}

/// Escalates service requests past their deadline and closes those resolved more
/// than 7 days ago; a failure is logged and retried on the next tick.
async fn run_service_levels(state: &AppState) {
    match sla::escalate_breached(state).await {
        Ok(0) => {}
        Ok(n) => tracing::info!(escalated = n, "service requests escalated"),
        Err(err) => tracing::warn!(error = ?err, "service request escalation failed; will retry"),
    }
    match sla::close_stale_resolved(state).await {
        Ok(0) => {}
        Ok(n) => tracing::info!(closed = n, "resolved service requests closed"),
        Err(err) => tracing::warn!(error = ?err, "closing resolved service requests failed; will retry"),
    }
}

/// Runs the daily job for every day that has ended (by the injected clock) since the
/// last recorded run, or since `baseline` when there is none, in order and at most
/// [`daily::MAX_CATCH_UP_DAYS`] of them. Does nothing when the days are done.
pub async fn run_daily_due(state: &AppState, baseline: Day) -> Result<Vec<DailyReport>, sqlx::Error> {
    let now = state.clock.now();
    let today = Day::at(state.zone, now);
    daily::catch_up(&state.db, today, baseline, now).await
}
