#!/usr/bin/env bash
# Benchmarks, each against a baseline run side by side on this machine:
# medians and ratios, not pass/fail (these machines are noisy). Not part of
# the normal test run. Usage: tests/scripts/bench.sh [ROUNDS]
set -euo pipefail
cd "$(dirname "$0")/../.."
rounds="${1:-7}"

tests/scripts/setup.sh
(cd ui && npm run --silent build)
# The app and the bare window are built with the same profile: release,
# what users run (a debug build spends most of its start in unoptimised
# dependencies, which says little about either).
cargo build --release --locked -p d365-connect -p d365-bare-window -p d365-e2e --bin d365-connect --bin d365-bare-window --bin startup-bench

echo "== start to the first wizard frame, and memory there, vs a bare Tauri window"
target/release/startup-bench "$rounds"
echo ""
echo "== memory 10 s after loading 100,000 rows by scrolling, vs 1,000 rows scrolled as far"
tests/scripts/with-keyring.sh cargo test --release --locked -p d365-e2e --test gui_scroll -- --nocapture 2>/dev/null | grep -E "memory|median|ratio|took"

echo ""
echo "== the core against the sandbox at its large scale: \$metadata parse, export vs curl, sign-in"
cargo bench --locked -p d365-core --bench core_bench 2>/dev/null

echo ""
echo "== d365c check --all against the same checks one by one (FLEET_N connections, 50 by default)"
tests/scripts/fleet-bench.sh
