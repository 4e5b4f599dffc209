//! `d365-sandbox [--port P]`: serves the sandbox tenant on 127.0.0.1 and
//! prints one JSON line with its URLs.

use d365_sandbox::Sandbox;

#[tokio::main]
async fn main() {
    let port = match parse_port(std::env::args().skip(1)) {
        Ok(port) => port,
        Err(msg) => {
            eprintln!("{msg}\nusage: d365-sandbox [--port P]");
            std::process::exit(2);
        }
    };
    let sandbox = match Sandbox::start(port).await {
        Ok(s) => s,
        Err(e) => {
            eprintln!("The sandbox could not listen on 127.0.0.1:{port}: {e}. Pick another --port or leave it out.");
            std::process::exit(1);
        }
    };
    println!(
        "{}",
        serde_json::json!({ "base": sandbox.base(), "authority": sandbox.authority() })
    );
    let _ = tokio::signal::ctrl_c().await;
}

fn parse_port(mut args: impl Iterator<Item = String>) -> Result<u16, String> {
    let mut port = 0;
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--port" => {
                let value = args.next().ok_or("--port needs a number")?;
                port = value
                    .parse()
                    .map_err(|_| format!("--port {value} is not a port number"))?;
            }
            other => return Err(format!("unknown argument {other}")),
        }
    }
    Ok(port)
}
