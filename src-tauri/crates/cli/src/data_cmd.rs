//! Commands that talk to Microsoft: `token`, `environments`, `companies`,
//! `query` and `export`. Each opens the saved connection through the core
//! and prints what it gets.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use clap::{Args, ValueEnum};
use d365_core::connection::Connection;
use d365_core::dynamics::odata::{Query, RowCount};
use d365_core::dynamics::retry::Wait;
use d365_core::export::{export, ExportFormat, ExportProgress, ExportRequest};
use d365_core::profiles::ProfileStore;
use d365_core::secrets::{SecretStore, KEYCHAIN_SERVICE};
use d365_core::{Url, UserError};
use serde_json::{Map, Value};
use tokio_util::sync::CancellationToken;

use crate::outcome::{fail, print_json};
use crate::secret_input;

#[derive(Debug, Args)]
pub struct QueryArgs {
    profile: String,
    /// Entity set, e.g. customers (BC), CustomersV3 (F&O), accounts (Dataverse);
    /// a BC web service as ODataV4/<service>, e.g. ODataV4/Customers.
    entity: String,
    /// Columns, comma-separated.
    #[arg(long, value_delimiter = ',')]
    select: Vec<String>,
    /// OData filter, e.g. "city eq 'Atlanta'".
    #[arg(long)]
    filter: Option<String>,
    /// Sort, e.g. "displayName desc".
    #[arg(long, value_delimiter = ',')]
    orderby: Vec<String>,
    #[arg(long)]
    top: Option<u64>,
    /// Ask the service how many rows match.
    #[arg(long)]
    count: bool,
    /// Follow every page (otherwise only the first).
    #[arg(long)]
    all: bool,
    /// With --all: stop after this many pages.
    #[arg(long)]
    max_pages: Option<u32>,
    /// Rows per page (the service's maximum when left out).
    #[arg(long)]
    page_size: Option<u32>,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum FormatArg {
    Csv,
    Jsonl,
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    profile: String,
    /// Entity set, named as for `query`.
    entity: String,
    #[arg(long, value_enum)]
    format: FormatArg,
    #[arg(long)]
    out: PathBuf,
    #[arg(long, value_delimiter = ',')]
    select: Vec<String>,
    #[arg(long)]
    filter: Option<String>,
    #[arg(long)]
    page_size: Option<u32>,
}

impl QueryArgs {
    pub fn profile(&self) -> &str {
        &self.profile
    }
}

impl ExportArgs {
    pub fn profile(&self) -> &str {
        &self.profile
    }
}

/// Cancelled by Ctrl+C: every wait and request stops, and what finished is
/// still reported.
pub fn cancel_on_ctrl_c() -> CancellationToken {
    let cancel = CancellationToken::new();
    let on_ctrl_c = cancel.clone();
    tokio::spawn(async move {
        if tokio::signal::ctrl_c().await.is_ok() {
            on_ctrl_c.cancel();
        }
    });
    cancel
}

/// Everything a command needs to reach the service.
pub struct Session {
    pub connection: Connection,
    pub cancel: CancellationToken,
    pub json: bool,
}

impl Session {
    pub fn open(name: &str, secret_stdin: bool, json: bool) -> Result<Session, UserError> {
        let profile = ProfileStore::open_default().and_then(|store| store.load(name))?;
        let store = Arc::new(SecretStore::open(KEYCHAIN_SERVICE));
        let secret = secret_input::given(secret_stdin)?;
        if secret.is_none() {
            crate::profile_cmd::warn_if_memory_only(&store);
        }
        let connection = Connection::open(profile, store, secret)?;
        Ok(Session {
            connection,
            cancel: cancel_on_ctrl_c(),
            json,
        })
    }

    /// Finds the ID of a BC company the profile names (`--company NAME`,
    /// `--service-url …/Company('…')`) and saves it, so the name is looked
    /// up once.
    pub async fn settle_company(&mut self) -> Result<(), UserError> {
        let on_wait = self.on_wait();
        let Some(company) = self
            .connection
            .settle_company(&self.cancel, &on_wait)
            .await?
        else {
            return Ok(());
        };
        ProfileStore::open_default()?.save(self.connection.profile())?;
        eprintln!(
            "Found the company “{}”: its ID {} is saved with the connection.",
            company.name, company.id
        );
        Ok(())
    }

    /// Throttling and retries are worth a line on a terminal.
    pub fn on_wait(&self) -> impl Fn(Wait) + Send + Sync {
        let quiet = self.json || !std::io::stderr().is_terminal();
        move |wait: Wait| {
            if !quiet {
                eprintln!(
                    "Waiting {:.1} s before trying again (attempt {} failed: {:?}).",
                    wait.delay.as_secs_f64(),
                    wait.attempt,
                    wait.failure
                );
            }
        }
    }
}

pub fn finish(result: Result<(), UserError>, profile: &str, json: bool) -> ExitCode {
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => fail(e, Some(profile), json),
    }
}

pub async fn token(session: &Session, raw: bool) -> Result<(), UserError> {
    let connection = &session.connection;
    if raw {
        let tokens = connection.data_tokens()?;
        let access = tokens.access_token().await?;
        println!("{}", access.expose());
        return Ok(());
    }
    let info = connection.token_info().await?;
    let (claims, judged) = (&info.claims, &info.verdict);
    if session.json {
        print_json(&info);
    } else {
        println!("Audience:  {}", claims.aud);
        println!("Tenant:    {}", claims.tid.as_deref().unwrap_or("-"));
        println!("App:       {}", claims.appid.as_deref().unwrap_or("-"));
        println!(
            "User:      {}",
            claims.upn.as_deref().unwrap_or("(app only)")
        );
        println!("Scopes:    {}", claims.scp.as_deref().unwrap_or("-"));
        println!(
            "Roles:     {}",
            if claims.roles.is_empty() {
                "-".into()
            } else {
                claims.roles.join(" ")
            }
        );
        println!("Expires:   {} (Unix time)", claims.exp);
        println!("{}", judged.summary);
        for problem in &judged.problems {
            println!("  - {problem}");
        }
        for note in &judged.notes {
            println!("  Note: {note}");
        }
    }
    Ok(())
}

pub async fn environments(session: &Session) -> Result<(), UserError> {
    let on_wait = session.on_wait();
    let list = session
        .connection
        .environments(&session.cancel, &on_wait)
        .await?;
    if session.json {
        print_json(&list);
    } else {
        for e in &list {
            println!("{}\t{}\t{}", e.id, e.name, e.kind.as_deref().unwrap_or(""));
        }
    }
    Ok(())
}

pub async fn companies(session: &Session) -> Result<(), UserError> {
    let on_wait = session.on_wait();
    let list = session
        .connection
        .companies(&session.cancel, &on_wait)
        .await?;
    if session.json {
        print_json(&list);
    } else {
        for c in &list {
            println!("{}\t{}", c.id, c.name);
        }
    }
    Ok(())
}

pub async fn entities(session: &Session, search: &str, refresh: bool) -> Result<(), UserError> {
    let on_wait = session.on_wait();
    let catalog = session
        .connection
        .catalog(refresh, &session.cancel, &on_wait)
        .await?;
    let found = catalog.search(search);
    if session.json {
        // Names, labels and keys: all columns of F&O would be tens of MB.
        let list: Vec<Value> = found
            .iter()
            .map(|e| {
                serde_json::json!({
                    "name": e.name,
                    "label": e.label,
                    "keys": e.keys,
                    "source": e.source,
                })
            })
            .collect();
        print_json(&list);
    } else {
        for e in &found {
            println!("{}\t{}\t{}", e.name, e.label, e.keys.join(","));
        }
        eprintln!(
            "{} of {} entity sets.",
            found.len(),
            catalog.entity_sets.len()
        );
    }
    Ok(())
}

/// The collection URL of an entity set in the profile's company.
fn collection(session: &Session, entity: &str, query: &Query) -> Result<Url, UserError> {
    Ok(session.connection.entity_set_url(entity, query, None)?)
}

pub async fn query(session: &Session, args: QueryArgs) -> Result<(), UserError> {
    let query = Query {
        select: args.select,
        filter: args.filter,
        orderby: args.orderby,
        top: args.top,
        count: args.count,
        extra: vec![],
    };
    let url = collection(session, &args.entity, &query)?;
    let client = session.connection.data()?;
    let on_wait = session.on_wait();
    let mut page = client
        .first_page(
            &url,
            &Query::default(),
            args.page_size,
            &session.cancel,
            &on_wait,
        )
        .await?;
    let count = page.count;
    let mut rows = std::mem::take(&mut page.rows);
    let mut pages = 1u32;
    while let Some(next) = page.next.take().filter(|_| args.all) {
        if args.max_pages.is_some_and(|max| pages >= max) {
            break;
        }
        page = client
            .next_page(&next, args.page_size, &session.cancel, &on_wait)
            .await?;
        rows.append(&mut page.rows);
        pages += 1;
    }
    let exact = count.and_then(RowCount::exact);
    let at_least = count.and_then(RowCount::at_least);
    if session.json {
        print_json(&serde_json::json!({
            "count": exact,
            "count_at_least": at_least,
            "pages": pages,
            "rows": rows,
        }));
    } else {
        print_table(&rows);
        match (exact, at_least) {
            (Some(n), _) => eprintln!("{n} rows match."),
            (_, Some(n)) => {
                eprintln!("More than {n} rows match (the service stops counting there).")
            }
            _ => {}
        }
    }
    Ok(())
}

/// Tab-separated, header first: readable and easy to paste into a sheet.
fn print_table(rows: &[Map<String, Value>]) {
    let Some(first) = rows.first() else {
        eprintln!("No rows.");
        return;
    };
    let columns: Vec<&String> = first.keys().filter(|k| !k.contains('@')).collect();
    println!(
        "{}",
        columns
            .iter()
            .map(|c| c.as_str())
            .collect::<Vec<_>>()
            .join("\t")
    );
    for row in rows {
        let cells: Vec<String> = columns
            .iter()
            .map(|c| match row.get(*c) {
                None | Some(Value::Null) => String::new(),
                Some(Value::String(s)) => s.replace(['\t', '\n'], " "),
                Some(other) => other.to_string(),
            })
            .collect();
        println!("{}", cells.join("\t"));
    }
}

pub async fn export_cmd(session: &Session, args: ExportArgs) -> Result<(), UserError> {
    let query = Query {
        select: args.select.clone(),
        filter: args.filter,
        ..Query::default()
    };
    let url = collection(session, &args.entity, &query)?;
    let client = session.connection.data()?;
    let show = !session.json && std::io::stderr().is_terminal();
    let progress = move |p: ExportProgress| {
        if show {
            match p {
                ExportProgress::Page { rows, pages } => eprint!("\r{rows} rows, {pages} pages…   "),
                ExportProgress::Waiting { millis, throttled } => eprint!(
                    "\r{} — waiting {:.1} s…   ",
                    if throttled {
                        "The service asked us to slow down"
                    } else {
                        "Retrying"
                    },
                    millis as f64 / 1000.0
                ),
            }
        }
    };
    let summary = export(
        &client,
        ExportRequest {
            collection: &url,
            columns: &args.select,
            format: match args.format {
                FormatArg::Csv => ExportFormat::Csv,
                FormatArg::Jsonl => ExportFormat::JsonLines,
            },
            destination: &args.out,
            page_size: args.page_size,
        },
        &session.cancel,
        &progress,
    )
    .await?;
    if show {
        eprintln!();
    }
    if session.json {
        print_json(&summary);
    } else {
        println!(
            "Exported {} rows to {}.",
            summary.rows,
            summary.path.display()
        );
    }
    Ok(())
}
