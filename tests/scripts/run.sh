#!/usr/bin/env bash
# Sets up whatever is missing, builds the UI and the app, and opens it.
set -euo pipefail
cd "$(dirname "$0")/../.."
# cargo install puts tauri-driver here; not every shell has it on PATH.
export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"
tests/scripts/setup.sh
(cd ui && npm run --silent build)
exec cargo run -p d365-connect "$@"
