//! The command line: `serve` (the default), `migrate`, `seed-demo`, `create-staff`,
//! `verify-audit`.
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
}

fn parse_role(s: &str) -> Result<app::types::StaffRole, String> {
    app::types::StaffRole::parse(s).ok_or_else(|| "expected agent, advisor, supervisor or admin".to_owned())
}
