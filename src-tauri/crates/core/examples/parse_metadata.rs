//! Reads a saved `$metadata` and then every entity set's columns, timing
//! both, for profiling (e.g. under callgrind):
//! `cargo run --release -p d365-core --example parse_metadata -- FILE`.

use std::error::Error;
use std::time::Instant;

use d365_core::dynamics::metadata;

fn main() -> Result<(), Box<dyn Error>> {
    let path = std::env::args()
        .nth(1)
        .ok_or("usage: parse_metadata <$metadata file>")?;
    let document = std::fs::read(&path)?;
    let started = Instant::now();
    let catalog = metadata::parse(document)?;
    let parsed = started.elapsed();
    let mut columns = 0;
    for set in &catalog.entity_sets {
        columns += catalog.columns(set)?.len();
    }
    println!(
        "{} entity sets read in {parsed:.2?}; their {columns} columns in {:.2?} more",
        catalog.entity_sets.len(),
        started.elapsed() - parsed
    );
    Ok(())
}
