use std::process::Command;

#[test]
fn secret_store_json_names_the_active_backend() {
    let out = Command::new(env!("CARGO_BIN_EXE_d365c"))
        .args(["secret-store", "--json"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let status: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let backend = status["backend"].as_str().unwrap();
    if let Ok(expected) = std::env::var("D365_EXPECT_SECRET_STORE") {
        assert_eq!(backend, expected);
    }
    assert_eq!(status["persistent"], backend != "MemoryOnly");
    assert!(status["label"].as_str().is_some_and(|l| !l.is_empty()));
}

#[test]
fn usage_errors_exit_with_code_2() {
    let out = Command::new(env!("CARGO_BIN_EXE_d365c"))
        .arg("frobnicate")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}
