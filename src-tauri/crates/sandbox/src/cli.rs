//! Serving the sandbox from a command line: `d365-sandbox` and
//! `d365c sandbox` share these arguments and this behaviour — one JSON line
//! with the URLs and demo credentials, then serve until Ctrl+C.

use std::path::PathBuf;
use std::process::ExitCode;

use crate::data::Scale;
use crate::world::World;
use crate::{Options, Sandbox};

#[derive(Debug, clap::Args)]
pub struct ServeArgs {
    /// Port on 127.0.0.1; 0 picks a free one.
    #[arg(long, default_value_t = 0)]
    pub port: u16,
    /// World file (JSON) declaring tenants, apps and users; the built-in
    /// CRONUS demo world when left out.
    #[arg(long)]
    pub world: Option<PathBuf>,
    /// How much generated data: `large` has 100,000 Business Central
    /// customers and a ~30 MB F&O `$metadata`, for performance work.
    #[arg(long, value_enum, default_value_t = Scale::Small)]
    pub scale: Scale,
}

pub async fn serve(args: ServeArgs) -> ExitCode {
    let world = match &args.world {
        Some(path) => match World::load(path) {
            Ok(world) => world,
            Err(e) => {
                eprintln!("Error: {e}.");
                eprintln!("What to do: Check the path, and the file against the world format in the sandbox's README.");
                return ExitCode::from(2);
            }
        },
        None => World::demo(),
    };
    let options = Options {
        port: args.port,
        scale: args.scale,
    };
    let sandbox = match Sandbox::start_with(world, options).await {
        Ok(s) => s,
        Err(e) => {
            eprintln!("Error: {e}.");
            eprintln!("What to do: Pick another --port, or leave it out to get a free one.");
            return ExitCode::from(2);
        }
    };
    match serde_json::to_string(&sandbox.endpoints()) {
        Ok(line) => println!("{line}"),
        Err(e) => {
            eprintln!("Error: cannot print the endpoints: {e}.");
            return ExitCode::FAILURE;
        }
    }
    let _ = tokio::signal::ctrl_c().await;
    ExitCode::SUCCESS
}
