use clap::Parser;

use agora::cli::{self, Cli};
use agora::config::Settings;

#[tokio::main]
async fn main() {
    let _ = dotenvy::dotenv();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("AGORA_LOG")
                .unwrap_or_else(|_| "info,actix_server=warn".into()),
        )
        .with_target(false)
        .init();
    let cli = Cli::parse();
    let settings = match Settings::from_env() {
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
