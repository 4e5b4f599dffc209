use std::process::ExitCode;

use d365_core::secrets::{SecretStore, KEYCHAIN_SERVICE};

pub fn run(json: bool) -> ExitCode {
    let status = SecretStore::open(KEYCHAIN_SERVICE).status();
    if json {
        match serde_json::to_string(&status) {
            Ok(line) => println!("{line}"),
            Err(e) => {
                eprintln!("Could not format the status as JSON: {e}");
                return ExitCode::FAILURE;
            }
        }
    } else {
        println!("Secret store: {}", status.label);
        if let Some(advice) = &status.advice {
            println!("{advice}");
        }
    }
    ExitCode::SUCCESS
}
