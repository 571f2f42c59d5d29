//! `server`: runs the portal and its maintenance commands.
use app::backend::{audit, seed, staff, Clock, SystemClock};
use clap::Parser;
use server::cli::{Cli, Command};
use server::config::{Config, Mode};
use server::StartError;
use std::process::ExitCode;
use std::sync::Arc;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(runtime) => runtime,
        Err(err) => {
            eprintln!("error: cannot start the async runtime: {err}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {}", err.one_line());
            ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> Result<(), StartError> {
    let config = Config::load(cli.config.as_deref())?;
    server::logging::init(config.mode);
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => serve(&config, clock).await,
        Command::Migrate => {
            server::open_database(&config).await?;
            println!("migrations applied");
            Ok(())
        }
        Command::SeedDemo { customers, busy_postings } => {
            let db = server::open_database(&config).await?;
            let options = seed::SeedOptions { customers, busy_postings };
            let report = seed::seed_demo_with(&db, clock.as_ref(), config.zone, options).await?;
            let hasher = app::backend::identity::password::PasswordHasher::from_available_parallelism();
            seed::seed_demo_logins(&db, clock.as_ref(), &hasher).await?;
            println!("demo data: {} customers added, {} in all", report.customers_added, report.customers_total);
            println!(
                "ledger: {} postings added ({} customers given products and history), {} in all",
                report.postings_added, report.histories_added, report.postings_total
            );
            if seed::bench_customer_present(&db).await? {
                let c = seed::demo_customer(seed::BENCH_CUSTOMER);
                println!("benchmark log-in: {} ({} {})", seed::BENCH_LOGIN, c.customer_no, c.full_name);
            }
            Ok(())
        }
        Command::CreateStaff { name, role, branch } => {
            let db = server::open_database(&config).await?;
            let new = staff::NewStaff { full_name: name, role, branch_code: branch };
            let hasher = app::backend::identity::password::PasswordHasher::from_available_parallelism();
            match staff::create(&db, clock.as_ref(), &hasher, &new).await {
                Ok(created) => {
                    println!("created staff {} ({})", created.staff_no, role.as_str());
                    println!(
                        "log in at /staff as {} with the initial password {} (shown once); \
                         the authenticator is set up at the first log-in",
                        created.staff_no.to_ascii_lowercase(),
                        created.initial_password
                    );
                    Ok(())
                }
                Err(staff::CreateStaffError::Database(err)) => Err(err.into()),
                Err(err) => Err(config::ConfigError::new("create-staff", err.to_string()).into()),
            }
        }
        Command::VerifyAudit => {
            let db = server::open_database(&config).await?;
            let rows = audit::verify_chain(&db).await.map_err(|err| match err {
                audit::VerifyError::Broken(chain_break) => StartError::AuditBroken(chain_break),
                audit::VerifyError::Database(err) => StartError::Query(err),
            })?;
            println!("audit log intact: {rows} rows");
            Ok(())
        }
        Command::VerifyLedger => {
            let db = server::open_database(&config).await?;
            let report = app::backend::ledger::verify::verify(&db).await?;
            if !report.is_sound() {
                return Err(StartError::LedgerUnsound(format!(
                    "unbalanced entries {:?}, drifted accounts {:?}, overdrawn accounts {:?}, total {}",
                    report.unbalanced_entries, report.drifted_accounts, report.overdrawn_accounts, report.total
                )));
            }
            println!(
                "ledger sound: {} accounts, {} journal entries, {} postings",
                report.accounts, report.journal_entries, report.postings
            );
            Ok(())
        }
        Command::RunDaily { date } => {
            let db = server::open_database(&config).await?;
            let now = clock.now();
            let date = date.unwrap_or_else(|| app::types::Day::at(config.zone, now));
            let report = app::backend::ledger::daily::run_daily(&db, date, now).await?;
            println!("{}", report.summary());
            Ok(())
        }
    }
}

async fn serve(config: &Config, clock: Arc<dyn Clock>) -> Result<(), StartError> {
    // Bind first: a taken port should fail fast, before migrations and seeding.
    let listener = server::bind(config.bind).await?;
    let state = server::prepare(config, clock).await?;
    let addr = listener.local_addr().map_err(StartError::Serve)?;
    let shutdown = server::shutdown_signal();
    print_welcome(config, addr, &state).await;
    server::serve(listener, config, state, shutdown).await
}

/// Prints where the portal is and how to get in. Write errors are ignored: a closed
/// stdout (a supervisor that stopped reading) must not take the server down.
async fn print_welcome(config: &Config, addr: std::net::SocketAddr, state: &app::backend::AppState) {
    use std::io::Write;
    let host = if addr.ip().is_unspecified() { "localhost".to_owned() } else { addr.ip().to_string() };
    let mut text = format!("\n  Postal savings portal is running at http://{host}:{}/\n", addr.port());
    text += &format!(
        "  database: {} ({})\n",
        state.db.backend().name(),
        server::config::redact_url_password(&config.database_url)
    );
    if config.mode == Mode::Development {
        text += &format!("  demo log-ins (password for all: {}):\n", seed::DEMO_PASSWORD);
        for (n, username) in seed::DEMO_CUSTOMER_LOGINS {
            let c = seed::demo_customer(*n);
            text += &format!("    customer  {username:<8} {} {}\n", c.customer_no, c.full_name);
        }
        if seed::bench_customer_present(&state.db).await.unwrap_or(false) {
            let c = seed::demo_customer(seed::BENCH_CUSTOMER);
            text += &format!("    customer  {:<8} {} {} (benchmark)\n", seed::BENCH_LOGIN, c.customer_no, c.full_name);
        }
        text += "    staff at /staff (staff number; authenticator set up at first log-in):\n";
        for (staff_no, name, role, _) in seed::STAFF {
            text += &format!("      {staff_no}  {role:<10} {name}\n");
        }
        let c = seed::demo_customer(3);
        text += &format!(
            "  try enrollment at /enroll with customer {} and ID tail {}; codes appear at /dev/outbox\n",
            c.customer_no, c.id_number_tail
        );
    }
    text += "  stop with Ctrl-C\n\n";
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(text.as_bytes()).and_then(|()| out.flush());
}

use server::config;
