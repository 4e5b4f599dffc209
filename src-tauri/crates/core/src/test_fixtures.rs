//! Real captured responses, kept in tests/fixtures (PROVENANCE.md there
//! says where each came from).

pub fn read(relative: &str) -> String {
    let path = format!(
        "{}/../../../tests/fixtures/{relative}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}
