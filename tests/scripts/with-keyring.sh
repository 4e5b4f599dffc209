#!/usr/bin/env bash
# Runs a command inside a private D-Bus session with a fresh, unlocked
# gnome-keyring, so keychain tests use the real Secret Service without
# touching the user's own keyring. Everything started here ends with it.
set -euo pipefail
if [ -z "${D365_IN_KEYRING_SESSION:-}" ]; then
  export D365_IN_KEYRING_SESSION=1
  exec dbus-run-session -- "$0" "$@"
fi

# A fresh data dir: an existing login keyring with another password would
# stay locked.
keyring_home=$(mktemp -d)
export XDG_DATA_HOME="$keyring_home"
printf 'd365-test' | gnome-keyring-daemon --foreground --unlock --components=secrets >/dev/null &
keyring_pid=$!
trap 'kill "$keyring_pid" 2>/dev/null; wait "$keyring_pid" 2>/dev/null; rm -rf "$keyring_home"' EXIT

owned() {
  dbus-send --session --print-reply --dest=org.freedesktop.DBus / \
    org.freedesktop.DBus.NameHasOwner string:org.freedesktop.secrets 2>/dev/null | grep -q true
}
for _ in $(seq 100); do owned && break; sleep 0.1; done
owned || { echo "error: gnome-keyring did not start its Secret Service" >&2; exit 1; }

export D365_EXPECT_SECRET_STORE=SecretService
"$@"
