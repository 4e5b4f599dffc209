//! Where a client secret comes from on the command line: the keychain, or
//! once per run from stdin or `D365C_CLIENT_SECRET` (headless servers have
//! no keychain). Never from an argument, which `ps` would show.

use std::io::Read;

use d365_core::identity::input;
use d365_core::secrets::Secret;
use d365_core::UserError;

use crate::outcome::usage;

pub const ENV_VAR: &str = "D365C_CLIENT_SECRET";

/// The secret given for this run, if any: stdin when `from_stdin`, else the
/// environment variable. Checked like the GUI checks a pasted secret.
pub fn given(from_stdin: bool) -> Result<Option<Secret>, UserError> {
    let raw = if from_stdin {
        let mut text = String::new();
        std::io::stdin().read_to_string(&mut text).map_err(|e| {
            usage(
                format!("The secret could not be read from standard input: {e}."),
                "Pipe the secret's Value in, e.g. `pass show d365 | d365c … --secret-stdin`.",
            )
        })?;
        text
    } else {
        match std::env::var(ENV_VAR) {
            // Set but empty is how scripts unset it.
            Ok(value) if !value.trim().is_empty() => value,
            _ => return Ok(None),
        }
    };
    let checked = input::client_secret(&raw)?;
    for notice in &checked.notices {
        eprintln!("Note: {notice}");
    }
    Ok(Some(checked.value))
}
