//! The command line: `serve` (the default), `migrate`, `seed-demo`, `create-staff`,
//! `verify-audit`, `verify-ledger`, `run-daily`.
use clap::{Parser, Subcommand};
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(name = "server", about = "Postal savings online banking portal", version)]
pub struct Cli {
    /// A TOML configuration file (the environment overrides it). Also PORTAL_CONFIG.
    #[arg(long, global = true)]
    pub config: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the portal (migrates, and seeds demo data into an empty database).
    Serve,
    /// Apply database migrations and exit.
    Migrate,
    /// Add demo outlets, staff, products and customers (idempotent).
    SeedDemo {
        /// How many customers the database should hold afterwards.
        #[arg(long, default_value_t = app::backend::seed::DEFAULT_CUSTOMERS)]
        customers: u32,
        /// Also add the benchmark's busy customer (log-in bench1) whose Type I
        /// account holds this many postings (0: none).
        #[arg(long, default_value_t = 0)]
        busy_postings: u32,
    },
    /// Create a staff account.
    CreateStaff {
        /// Full name, as customers will see it.
        #[arg(long)]
        name: String,
        /// agent, advisor, supervisor or admin.
        #[arg(long, value_parser = parse_role)]
        role: app::types::StaffRole,
        /// The code of the staff member's branch (e.g. B001).
        #[arg(long)]
        branch: String,
    },
    /// Check the security audit trail's hash chain; exits non-zero naming the first
    /// altered, removed or missing row.
    VerifyAudit,
    /// Check the ledger: every journal entry sums to zero, every balance equals the
    /// sum of its postings, no deposit is below zero; exits non-zero otherwise.
    VerifyLedger,
    /// Run the daily job (maturities, notices due, demand interest accrual and the
    /// quarterly payment) for one business day; by default the bank's today. Safe
    /// to repeat: a day already done changes nothing. Past days run in order.
    RunDaily {
        /// The business day, YYYY-MM-DD.
        #[arg(long, value_parser = parse_day)]
        date: Option<app::types::Day>,
    },
}

fn parse_day(s: &str) -> Result<app::types::Day, String> {
    app::types::Day::parse(s.trim()).ok_or_else(|| "expected a date as YYYY-MM-DD".to_owned())
}

fn parse_role(s: &str) -> Result<app::types::StaffRole, String> {
    app::types::StaffRole::parse(s).ok_or_else(|| "expected agent, advisor, supervisor or admin".to_owned())
}
