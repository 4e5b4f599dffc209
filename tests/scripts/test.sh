#!/usr/bin/env bash
# Sets up whatever is missing and runs every test: formatting, lints, the UI's
# unit tests, the bindings drift check, the Rust tests and the real-window
# end-to-end tests (Xvfb + tauri-driver + WebKitWebDriver) against the real
# Secret Service. CI runs exactly this script.
set -euo pipefail
cd "$(dirname "$0")/../.."
# cargo install puts tauri-driver here; not every shell has it on PATH.
export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"
started=$SECONDS
step() { printf '\n\033[1m== %s\033[0m (%ds)\n' "$*" "$((SECONDS - started))"; }

step "setup"
tests/scripts/setup.sh

step "formatting"
cargo fmt --all --check

step "UI: type check, lint, unit tests, build"
(cd ui && npm run --silent typecheck && npm run --silent lint && npm test --silent && npm run --silent build)

step "fetch every platform's crates (the licence list reads them offline)"
cargo fetch --locked

step "clippy (warnings are errors)"
cargo clippy --workspace --all-targets --locked -- -D warnings

step "build the app for the end-to-end tests"
cargo build --workspace --all-targets --locked

step "tests (inside a private D-Bus session with an unlocked gnome-keyring)"
tests/scripts/with-keyring.sh cargo test --workspace --locked --no-fail-fast

step "bindings drift (ts-rs output must match ui/src/bindings)"
if [ -n "$(git status --porcelain -- ui/src/bindings)" ]; then
  git status --porcelain -- ui/src/bindings
  git --no-pager diff -- ui/src/bindings
  echo "error: regenerating the IPC bindings changed ui/src/bindings: run cargo test and commit the result." >&2
  exit 1
fi

step "all tests passed"
echo "screenshots: target/e2e-screenshots/"
