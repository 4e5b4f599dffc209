//! Fuzz targets for the parsers that read what services, browsers and
//! people send. Stable Rust has no cargo-fuzz, so these are proptest
//! properties: each sets a quick case count for ordinary test runs, and
//! `PROPTEST_CASES` overrides it for a long run (tests/scripts/fuzz.sh).
//! Every input that once failed is kept as a plain `#[test]` next to the
//! property that found it, and proptest's seed for it in
//! tests/proptest-regressions/ (see `config!`).
//!
//! The properties of private functions are unit tests beside them in src/
//! (`dynamics::odata::fuzz`, `identity::authorize_probe::fuzz`,
//! `identity::loopback::redirect::fuzz`).

/// A property's configuration: `cases` for an ordinary test run, and its
/// failures kept in `tests/proptest-regressions/<file>.txt`, one file per
/// target, whose seeds are run again before any new case.
macro_rules! config {
    ($cases:expr, $file:literal) => {
        proptest::test_runner::Config {
            cases: $cases,
            failure_persistence: Some(Box::new(
                proptest::test_runner::FileFailurePersistence::Direct(concat!(
                    env!("CARGO_MANIFEST_DIR"),
                    "/tests/proptest-regressions/",
                    $file,
                    ".txt"
                )),
            )),
            ..proptest::test_runner::Config::default()
        }
    };
}

mod bc_url;
mod csdl;
mod entra;
mod error_body;
mod jwt;
mod loopback;
mod mutate;
mod parsers_never_panic;
