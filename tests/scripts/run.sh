#!/usr/bin/env bash
# Sets up whatever is missing, builds the UI and the app, and opens it.
set -euo pipefail
cd "$(dirname "$0")/../.."
tests/scripts/setup.sh
(cd ui && npm run --silent build)
exec cargo run -p d365-connect "$@"
