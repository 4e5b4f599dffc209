#!/usr/bin/env bash
# A long, bounded fuzz run of the parsers (cargo-fuzz needs nightly, so the
# targets are proptest properties): PROPTEST_CASES overrides each target's
# quick case count. FUZZ_CASES=50000 tests/scripts/fuzz.sh for a shorter run.
# Prints each target's wall time. Failures shrink to a minimal input; keep it
# as a plain #[test] beside the property that found it.
set -euo pipefail
cd "$(dirname "$0")/../.."
cases=${FUZZ_CASES:-200000}

# Build once, so the timings below are the runs alone.
cargo test --release -p d365-core --no-run --quiet

run() {
    local name=$1 n=$2
    shift 2
    local start=$SECONDS
    PROPTEST_CASES=$n cargo test --release --quiet -p d365-core "$@" >/dev/null
    printf '%-28s %8d cases  %5ds\n' "$name" "$n" "$((SECONDS - start))"
}

run "CSDL \$metadata" "$cases" --test fuzz -- csdl::
run "OData page bodies" "$cases" --lib -- dynamics::odata::fuzz::
run "OData error bodies" "$cases" --test fuzz -- error_body::
run "Entra errors" "$cases" --test fuzz -- entra::
run "Entra error page" "$cases" --lib -- identity::authorize_probe::fuzz::
run "BC service URL" "$cases" --test fuzz -- bc_url::
run "JWT claims" "$cases" --test fuzz -- jwt::
run "pasted input" "$cases" --test fuzz -- parsers_never_panic::
run "loopback request judging" "$cases" --lib -- identity::loopback::redirect::fuzz::
# Each case binds a real listener (~10 ms): a hundredth of the cases.
run "loopback over TCP" "$((cases / 100))" --test fuzz -- loopback::
