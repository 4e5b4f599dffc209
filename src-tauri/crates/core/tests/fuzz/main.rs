//! Fuzz targets for the parsers that read what services, browsers and
//! people send. Stable Rust has no cargo-fuzz, so these are proptest
//! properties: each sets a quick case count for ordinary test runs, and
//! `PROPTEST_CASES` overrides it for a long run (tests/scripts/fuzz.sh).
//! Every input that once failed is kept as a plain `#[test]` next to the
//! property that found it.

mod bc_url;
mod csdl;
mod entra;
mod error_body;
mod jwt;
mod loopback;
mod mutate;

/// A captured answer from tests/fixtures (PROVENANCE.md says where each
/// came from).
pub fn fixture(relative: &str) -> Vec<u8> {
    let path = format!(
        "{}/../../../tests/fixtures/{relative}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}
