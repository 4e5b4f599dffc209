//! The secret store against the real OS store of this machine.
//!
//! The README's test command runs this inside `dbus-run-session` with an
//! unlocked gnome-keyring and sets `D365_EXPECT_SECRET_STORE=SecretService`:
//! there the Secret Service must be found and must round-trip. Anywhere else
//! it checks that whichever store opened keeps, returns and forgets secrets.

use d365_core::secrets::{Secret, SecretBackend, SecretKey, SecretKind, SecretStore};

#[test]
fn the_store_this_machine_offers_round_trips_a_secret() {
    let store = SecretStore::open("com.d365connect.test");
    let status = store.status();
    if let Ok(expected) = std::env::var("D365_EXPECT_SECRET_STORE") {
        assert_eq!(
            format!("{:?}", status.backend),
            expected,
            "status: {status:?}"
        );
    }
    assert_eq!(
        status.persistent,
        status.backend != SecretBackend::MemoryOnly
    );

    let key = SecretKey::new(
        format!("keychain-test-{}", std::process::id()),
        SecretKind::RefreshToken,
    );
    let value = "0.AXoA-refresh~token.with/odd+chars=";
    store.set(&key, &Secret::new(value)).unwrap();
    // A second handle sees what the first saved only if the store is real.
    let reopened = SecretStore::open("com.d365connect.test");
    if status.persistent {
        assert_eq!(reopened.get(&key).unwrap().expose(), value);
    }
    assert_eq!(store.get(&key).unwrap().expose(), value);
    store.delete(&key).unwrap();
    assert!(store.get(&key).is_err());
    assert!(reopened.get(&key).is_err());
}
