//! The command line: `serve` (default), `migrate`, `check`, `backup`,
//! `restore`, `demo`, `admin create`.

use std::io::{BufRead, IsTerminal};

use clap::{Parser, Subcommand};

use crate::config::Settings;
use crate::db;
use crate::domain::{DisplayName, Email, NewPassword};
use crate::models::{now, users};
use crate::startup::{Application, ServeOptions, open_database};

#[derive(Parser)]
#[command(name = "agora", version, about = "Agora: consumer relationship portal")]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Subcommand)]
pub enum Command {
    /// Serve the portal (the default).
    Serve {
        /// Fill an empty database with demo data first.
        #[arg(long)]
        demo: bool,
    },
    /// Apply pending migrations and exit.
    Migrate,
    /// Check the configuration, the database, pending migrations and the
    /// SMTP server, changing nothing; one line per check. Exit code 0 when
    /// all pass, 1 when one fails, 2 when the configuration is invalid.
    Check,
    /// Copy the live SQLite database into a new folder PATH while the
    /// portal keeps serving, with the secret key file and the attachments
    /// folder when there are, and a manifest. (On PostgreSQL: use pg_dump.)
    Backup {
        /// A folder that does not exist yet, or an empty one.
        path: std::path::PathBuf,
    },
    /// Put a backup made by `agora backup` in place of the configured
    /// SQLite database; refused while the portal has it open. The database
    /// that was there is kept beside it.
    Restore {
        /// The backup's folder.
        path: std::path::PathBuf,
    },
    /// Fill an empty database with demo data and exit.
    Demo {
        /// `small`: a first look (three partners, 120 days of history);
        /// `large`: a platform at scale (1,000 partners, 100,000 listings,
        /// 200,000 consumers, 18 months of history), into an empty database.
        #[arg(long, value_enum, default_value_t = DemoSize::Small)]
        size: DemoSize,
        /// The same seed makes the same data.
        #[arg(long, default_value_t = 1)]
        seed: u64,
    },
    /// Manage platform admins.
    Admin {
        #[command(subcommand)]
        command: AdminCommand,
    },
    /// Email that arrives.
    Mail {
        #[command(subcommand)]
        command: MailCommand,
    },
}

#[derive(Subcommand)]
pub enum MailCommand {
    /// Take one raw RFC 5322 message from standard input (for an MTA's
    /// pipe): a reply is added to its ticket, a new message opens one.
    /// Exit codes follow sysexits: 0 taken (also when ignored as noise),
    /// 65 unreadable or too large (the MTA bounces it), 74 input could not
    /// be read, 75 the database or configuration is not available now (the
    /// MTA tries again later).
    Receive,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum DemoSize {
    Small,
    Large,
}

#[derive(Subcommand)]
pub enum AdminCommand {
    /// Create a platform admin (or make an existing account one). The
    /// password is read from a prompt, or from the first line of stdin.
    Create {
        #[arg(long)]
        email: String,
        #[arg(long, default_value = "Administrator")]
        name: String,
    },
}

/// `agora mail receive`: one message from standard input; returns the
/// exit code.
pub fn mail_receive(settings: Result<Settings, crate::config::ConfigError>) -> i32 {
    use std::io::Read;
    const EX_IOERR: i32 = 74;
    const EX_TEMPFAIL: i32 = 75;
    let settings = match settings {
        Ok(s) => s,
        Err(e) => {
            // Mended configuration lets the MTA's next try through.
            eprintln!("agora: {e}");
            return EX_TEMPFAIL;
        }
    };
    let max = settings.mail_max_bytes;
    let mut raw = Vec::new();
    if let Err(e) = std::io::stdin().take(max as u64 + 1).read_to_end(&mut raw) {
        eprintln!("agora: cannot read the message: {e}");
        return EX_IOERR;
    }
    // One connection, no pool: nothing else runs when the process exits.
    let work = (|| {
        let unavailable = crate::mail::inbound::ReceiveError::Unavailable;
        let mut conn = db::connect_one(&settings.database_url).map_err(unavailable)?;
        db::run_migrations(&mut conn).map_err(unavailable)?;
        let intake = crate::mail::inbound::Intake::of(&settings);
        crate::mail::inbound::receive(&mut conn, &intake, &raw)
    })();
    match work {
        Ok(received) => {
            println!("{received:?}");
            0
        }
        Err(e) => {
            eprintln!("agora: {e}");
            e.exit_code()
        }
    }
}

pub async fn run(cli: Cli, settings: Settings) -> Result<(), String> {
    match cli.command.unwrap_or(Command::Serve { demo: false }) {
        Command::Serve { demo } => serve(settings, demo).await,
        Command::Migrate => {
            blocking(move || open_database(&settings).map(|_| ())).await?;
            println!("migrations applied");
            Ok(())
        }
        Command::Check => match crate::check::run(Ok(settings)).await {
            crate::check::EXIT_OK => Ok(()),
            _ => Err("a check failed".to_string()),
        },
        Command::Backup { path } => {
            let (m, path) =
                blocking(move || crate::backup::backup(&settings, &path).map(|m| (m, path)))
                    .await?;
            println!(
                "backup of {} written to {} ({} bytes, SHA-256 {})",
                m.source,
                path.display(),
                m.database_bytes,
                m.database_sha256
            );
            let key = crate::config::secret_key_file();
            match &m.secret_key {
                Some(_) => println!("secret key: {} copied", key.display()),
                None if crate::config::secret_from_env() => println!(
                    "secret key: not copied, it comes from AGORA_SECRET_KEY: keep it with the backup"
                ),
                None => println!(
                    "secret key: not copied, there is no {} here (run the backup in the portal's working directory)",
                    key.display()
                ),
            }
            if m.attachments.is_some() {
                println!(
                    "attachments: {} copied",
                    crate::config::attachments_dir().display()
                );
            }
            Ok(())
        }
        Command::Restore { path } => {
            let r = blocking(move || crate::backup::restore(&settings, &path)).await?;
            println!(
                "restored the backup of {} (made at {}) into {}",
                r.manifest.source,
                r.manifest.created_at,
                r.target.display()
            );
            if let Some(previous) = &r.previous {
                println!("the database that was there is now {}", previous.display());
            }
            for note in &r.notes {
                println!("{note}");
            }
            Ok(())
        }
        Command::Demo {
            size: DemoSize::Small,
            seed,
        } => fill_demo(settings, seed).await,
        Command::Demo {
            size: DemoSize::Large,
            seed,
        } => fill_large_demo(settings, seed).await,
        Command::Mail {
            command: MailCommand::Receive,
        } => {
            let code = tokio::task::spawn_blocking(move || mail_receive(Ok(settings)))
                .await
                .unwrap_or(75);
            if code == 0 {
                Ok(())
            } else {
                std::process::exit(code)
            }
        }
        Command::Admin {
            command: AdminCommand::Create { email, name },
        } => create_admin(settings, &email, &name).await,
    }
}

/// `agora check`, with its exit code: it reads the settings itself, so an
/// invalid configuration is one of its lines, and a missing secret key
/// file is not made.
pub async fn check() -> i32 {
    crate::check::run(Settings::from_env_unchanged()).await
}

async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, String> + Send + 'static,
) -> Result<T, String> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| e.to_string())?
}

async fn fill_demo(settings: Settings, seed: u64) -> Result<(), String> {
    let logins = blocking(move || {
        let pool = open_database(&settings)?;
        let mut conn = pool.get().map_err(|e| e.to_string())?;
        crate::demo::fill(&mut conn, seed)
    })
    .await?;
    match logins {
        None => println!("the database already has data; demo data not added"),
        Some(logins) => print_logins(&logins),
    }
    Ok(())
}

fn print_logins(logins: &[(String, String)]) {
    println!(
        "demo data added; sign in with any of these (password: {}):",
        crate::demo::PASSWORD
    );
    for (email, role) in logins {
        println!("  {email:<32} {role}");
    }
}

async fn fill_large_demo(settings: Settings, seed: u64) -> Result<(), String> {
    let started = std::time::Instant::now();
    let summary = blocking(move || {
        let pool = open_database(&settings)?;
        let mut conn = pool.get().map_err(|e| e.to_string())?;
        crate::demo::large::fill(
            &mut conn,
            &crate::demo::large::LargeSpec::full(),
            seed,
            now(),
            &crate::demo::Progress::stderr(),
        )
        .map_err(|e| format!("{e:#}"))
    })
    .await?;
    println!(
        "large demo data added in {:.0} s:",
        started.elapsed().as_secs_f64()
    );
    for (table, rows) in &summary.counts {
        println!("  {table:<16} {rows:>10}");
    }
    print_logins(&summary.logins);
    Ok(())
}

async fn serve(settings: Settings, demo: bool) -> Result<(), String> {
    if demo {
        fill_demo(settings.clone(), 1).await?;
    }
    let base = settings.base_url.clone();
    let db = match &settings.database_url {
        db::DbUrl::Sqlite(p) => format!("SQLite at {p}"),
        db::DbUrl::Postgres(_) => "PostgreSQL".to_string(),
    };
    // Listen for signals before anything is served, so none is missed.
    let stop = stop_signal()?;
    let workers = settings.workers;
    let app = Application::build(
        settings,
        ServeOptions {
            handle_signals: false,
            workers,
            ..ServeOptions::default()
        },
    )
    .await?;
    let handle = app.handle();
    tokio::spawn(async move {
        stop.await;
        tracing::info!("stopping: finishing requests in flight");
        handle.stop(true).await;
    });
    println!("Agora is serving on {base} ({db})");
    println!("outgoing email: {}", app.mail_description);
    app.run_until_stopped().await.map_err(|e| e.to_string())
}

/// A future that resolves on Ctrl-C or SIGTERM; the handlers are in place
/// when this returns.
fn stop_signal() -> Result<impl std::future::Future<Output = ()>, String> {
    #[cfg(unix)]
    let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        .map_err(|e| format!("cannot listen for SIGTERM: {e}"))?;
    let interrupt = tokio::signal::ctrl_c();
    Ok(async move {
        #[cfg(unix)]
        tokio::select! {
            _ = interrupt => {}
            _ = term.recv() => {}
        }
        #[cfg(not(unix))]
        let _ = interrupt.await;
    })
}

fn read_password() -> Result<String, String> {
    if std::io::stdin().is_terminal() {
        let first = rpassword::prompt_password("Password: ").map_err(|e| e.to_string())?;
        let again = rpassword::prompt_password("Repeat password: ").map_err(|e| e.to_string())?;
        if first != again {
            return Err("the passwords differ".into());
        }
        Ok(first)
    } else {
        let mut line = String::new();
        std::io::stdin()
            .lock()
            .read_line(&mut line)
            .map_err(|e| e.to_string())?;
        Ok(line.trim_end_matches(['\r', '\n']).to_string())
    }
}

async fn create_admin(settings: Settings, email: &str, name: &str) -> Result<(), String> {
    let email = Email::parse(email).map_err(|k| crate::i18n::Lang::En.t(k))?;
    let name = DisplayName::parse(name).map_err(|k| crate::i18n::Lang::En.t(k))?;
    let password = read_password()?;
    let password = NewPassword::parse(&password).map_err(|k| crate::i18n::Lang::En.t(k))?;
    let hash = blocking(move || {
        crate::auth::password::hash_blocking(password.as_str()).map_err(|e| e.to_string())
    })
    .await?;
    let created = blocking(move || {
        let pool = open_database(&settings)?;
        let mut conn = pool.get().map_err(|e| e.to_string())?;
        let conn = &mut **conn;
        db::write_tx(conn, |conn| {
            if let Some(existing) = users::by_email(conn, email.as_str())? {
                users::set_admin(conn, existing.id)?;
                users::set_password(conn, existing.id, &hash)?;
                return Ok(false);
            }
            let t = now();
            users::insert(
                conn,
                &users::NewUser {
                    email: email.as_str(),
                    display_name: name.as_str(),
                    password_hash: &hash,
                    locale: None,
                    email_verified_at: Some(t),
                    is_staff: true,
                    is_admin: true,
                    created_at: t,
                    updated_at: t,
                },
            )?;
            Ok(true)
        })
        .map_err(|e: diesel::result::Error| e.to_string())
    })
    .await?;
    if created {
        println!("admin account created");
    } else {
        println!("existing account is now an admin (password updated)");
    }
    Ok(())
}
