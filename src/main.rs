use clap::Parser;

use agora::cli::{self, Cli, Command};
use agora::config::Settings;

/// Logs go to standard output: coloured only on a terminal (a log file or
/// a journal gets plain text), or one JSON object per line with
/// `AGORA_LOG_FORMAT=json`, each carrying its request's span (and so its
/// request id).
fn init_logs() {
    use std::io::IsTerminal;
    let filter = tracing_subscriber::EnvFilter::try_from_env("AGORA_LOG")
        .unwrap_or_else(|_| "info,actix_server=warn".into());
    let json = std::env::var("AGORA_LOG_FORMAT").is_ok_and(|v| v.trim() == "json");
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_target(false);
    if json {
        builder
            .json()
            .with_current_span(true)
            .with_span_list(false)
            .init();
    } else {
        builder.with_ansi(std::io::stdout().is_terminal()).init();
    }
}

fn main() {
    let _ = dotenvy::dotenv();
    init_logs();
    let cli = Cli::parse();
    // An MTA's pipe: one message, no runtime, an exit code it understands.
    if matches!(cli.command, Some(Command::Mail { .. })) {
        std::process::exit(cli::mail_receive(Settings::from_env()));
    }
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("agora: cannot start: {e}");
            std::process::exit(1);
        }
    };
    runtime.block_on(serve_or_run(cli));
}

async fn serve_or_run(cli: Cli) {
    if matches!(cli.command, Some(Command::Check)) {
        std::process::exit(cli::check().await);
    }
    // Backups copy the secret key file and restores put one in place: they
    // must not make a new one first.
    let read = match cli.command {
        Some(Command::Backup { .. } | Command::Restore { .. }) => Settings::from_env_unchanged(),
        _ => Settings::from_env(),
    };
    let settings = match read {
        Ok(s) => s,
        Err(e) => {
            eprintln!("agora: {e}");
            std::process::exit(2);
        }
    };
    if let Err(e) = cli::run(cli, settings).await {
        eprintln!("agora: {e}");
        std::process::exit(1);
    }
}
