//! `d365-sandbox [--port P] [--world FILE] [--scale small|large]`: serves the sandbox tenant on
//! 127.0.0.1 and prints one JSON line with its URLs and demo credentials.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;
use d365_sandbox::data::Scale;
use d365_sandbox::world::World;
use d365_sandbox::{Options, Sandbox};

/// The sandbox tenant: Microsoft Entra v2.0 and Dynamics 365 on loopback.
#[derive(Parser)]
#[command(version)]
struct Args {
    /// Port on 127.0.0.1; 0 picks a free one.
    #[arg(long, default_value_t = 0)]
    port: u16,
    /// World file (JSON) declaring tenants, apps and users; the built-in
    /// CRONUS demo world when left out.
    #[arg(long)]
    world: Option<PathBuf>,
    /// How much generated data: `large` has 100,000 Business Central
    /// customers and a ~30 MB F&O `$metadata`, for performance work.
    #[arg(long, value_enum, default_value_t = Scale::Small)]
    scale: Scale,
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = Args::parse();
    let world = match &args.world {
        Some(path) => match World::load(path) {
            Ok(world) => world,
            Err(e) => {
                eprintln!("{e}");
                return ExitCode::from(2);
            }
        },
        None => World::demo(),
    };
    let sandbox = match Sandbox::start_with(
        world,
        Options {
            port: args.port,
            scale: args.scale,
        },
    )
    .await
    {
        Ok(s) => s,
        Err(e) => {
            eprintln!("{e}. Pick another --port or leave it out.");
            return ExitCode::FAILURE;
        }
    };
    match serde_json::to_string(&sandbox.endpoints()) {
        Ok(line) => println!("{line}"),
        Err(e) => {
            eprintln!("cannot print the endpoints: {e}");
            return ExitCode::FAILURE;
        }
    }
    let _ = tokio::signal::ctrl_c().await;
    ExitCode::SUCCESS
}
