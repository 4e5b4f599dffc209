//! Times the CSDL parser on a saved `$metadata`, read as a stream like a
//! response body:
//! `cargo run --release -p d365-core --example parse_metadata -- FILE`.

use std::error::Error;
use std::fs::File;
use std::io::BufReader;
use std::time::Instant;

use d365_core::dynamics::metadata;

fn main() -> Result<(), Box<dyn Error>> {
    let path = std::env::args()
        .nth(1)
        .ok_or("usage: parse_metadata <$metadata file>")?;
    let started = Instant::now();
    let catalog = metadata::parse(BufReader::new(File::open(&path)?))?;
    let elapsed = started.elapsed();
    let columns: usize = catalog.entity_sets.iter().map(|s| s.columns.len()).sum();
    println!(
        "{} entity sets, {columns} columns, parsed in {elapsed:.2?}",
        catalog.entity_sets.len()
    );
    Ok(())
}
