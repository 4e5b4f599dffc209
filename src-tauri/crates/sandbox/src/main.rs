//! `d365-sandbox [--port P] [--world FILE] [--scale small|large]`: serves the sandbox tenant on
//! 127.0.0.1 and prints one JSON line with its URLs and demo credentials.

use std::process::ExitCode;

use clap::Parser;
use d365_sandbox::cli::{serve, ServeArgs};

/// The sandbox tenant: Microsoft Entra v2.0 and Dynamics 365 on loopback.
#[derive(Parser)]
#[command(version)]
struct Args {
    #[command(flatten)]
    serve: ServeArgs,
}

#[tokio::main]
async fn main() -> ExitCode {
    serve(Args::parse().serve).await
}
