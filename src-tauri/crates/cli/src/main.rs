//! `d365c`: thin command-line adapters over d365-core.

mod secret_store;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Connect to Microsoft Dynamics 365 and check that it works.
#[derive(Debug, Parser)]
#[command(name = "d365c", version, about)]
struct Cli {
    /// Print machine-readable JSON instead of text.
    #[arg(long, global = true)]
    json: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Tell which secret store keeps client secrets on this machine.
    SecretStore,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::SecretStore => secret_store::run(cli.json),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn the_command_line_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn json_is_accepted_after_the_subcommand() {
        let cli = Cli::try_parse_from(["d365c", "secret-store", "--json"]).unwrap();
        assert!(cli.json);
        assert!(Cli::try_parse_from(["d365c", "no-such-command"]).is_err());
    }
}
