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

