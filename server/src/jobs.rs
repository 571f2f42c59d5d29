//! Background work of a running server: delivering the outbox and clearing away
//! session records nobody can use any more. Stopped with the server.
use app::backend::outbox::{self, LogSender, MessageSender};
use app::backend::session_store::DbSessionStore;
use app::backend::AppState;
use std::sync::Arc;
use std::time::Duration;
use tokio::task::JoinHandle;

/// How often waiting messages are sent: a customer waiting for a code should not wait long.
const OUTBOX_EVERY: Duration = Duration::from_secs(1);
/// How often expired session records are deleted.
const SESSION_SWEEP_EVERY: Duration = Duration::from_secs(600);

/// Starts the jobs; abort the handle to stop them.
pub fn spawn(state: AppState) -> JoinHandle<()> {
    // The development sender; a production SMS gateway implements `MessageSender` too.
    let sender: Arc<dyn MessageSender> = Arc::new(LogSender);
    let sessions = DbSessionStore::new(state.db.clone());
    tokio::spawn(async move {
        let mut outbox_tick = tokio::time::interval(OUTBOX_EVERY);
        let mut sweep_tick = tokio::time::interval(SESSION_SWEEP_EVERY);
        loop {
            tokio::select! {
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
                }
            }
        }
    })
}
