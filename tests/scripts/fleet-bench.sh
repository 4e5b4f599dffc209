#!/usr/bin/env bash
# `d365c check --all` against the time the same checks take one by one:
# FLEET_N connections (50 by default) of the sandbox tenant, every request
# delayed 200 ms (a fault rule), checked one after another and then with
# --jobs 8. Prints the ideal (the singles' sum / 8), the fleet's time, their
# ratio (goal <= 1.3), and peak memory of checking all vs one (goal <= 1.5x).
# Run by bench.sh after its release build; alone: tests/scripts/fleet-bench.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
n="${FLEET_N:-50}"
jobs=8
rounds="${FLEET_ROUNDS:-3}"
d365c="$PWD/target/release/d365c"
cargo build --release --locked -p d365-cli --bin d365c

work="$(mktemp -d)"
sandbox_pid=""
cleanup() {
  if [ -n "$sandbox_pid" ]; then kill "$sandbox_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

# A consultant's machine of its own, without a keychain: the demo secret
# is given for the run, so every connection uses it.
export HOME="$work" XDG_CONFIG_HOME="$work/config"
unset DBUS_SESSION_BUS_ADDRESS

"$d365c" sandbox --port 0 >"$work/sandbox.json" 2>/dev/null &
sandbox_pid=$!
for _ in $(seq 100); do [ -s "$work/sandbox.json" ] && break; sleep 0.1; done
# A field of the sandbox's start line, by its keys.
field() { python3 -c 'import json, sys
d = json.load(open(sys.argv[1]))
for key in sys.argv[2:]: d = d[key]
print(d)' "$work/sandbox.json" "$@"; }
base="$(field base)"
export D365C_CLIENT_SECRET
D365C_CLIENT_SECRET="$(field demo client_secret)"
tenant="$(field demo tenant_id)" client_id="$(field demo client_id)"
authority="$(field authority)" bc_api="$(field bc_api)"
curl -sf -o /dev/null -d '{"route": "/**", "fault": {"kind": "latency", "millis": 200}, "when": {"fraction": 1.0}}' "$base/sandbox/faults"

for i in $(seq -w "$n"); do
  "$d365c" profile add "fleet-$i" --product bc --tenant "$tenant" --client-id "$client_id" \
    --grant client-credentials --environment Production \
    --cloud custom --authority "$authority" --bc-api "$bc_api" >/dev/null 2>&1
done

now_ms() { date +%s%3N; }
# Wall milliseconds and peak RSS (KiB) of one d365c run. Every check
# should pass; a run that did not is noted, as its time means little.
measure() {
  local start end
  start=$(now_ms)
  if ! /usr/bin/time -f "%M" -o "$work/rss" "$d365c" "$@" >/dev/null 2>&1; then
    echo "d365c $*" >>"$work/failed"
  fi
  end=$(now_ms)
  # GNU time puts "Command exited with non-zero status N" first then.
  echo "$((end - start)) $(tail -n 1 "$work/rss")"
}
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR + 1) / 2)]}'; }

sum=0
for i in $(seq -w "$n"); do
  read -r ms _ < <(measure check "fleet-$i")
  sum=$((sum + ms))
done
first="fleet-$(seq -w "$n" | head -n 1)"
one_rss=$(for _ in $(seq "$rounds"); do measure check "$first" | cut -d' ' -f2; done | median)
: >"$work/fleet"
for _ in $(seq "$rounds"); do measure check --all --jobs "$jobs" >>"$work/fleet"; done
fleet_ms=$(cut -d' ' -f1 "$work/fleet" | median)
fleet_rss=$(cut -d' ' -f2 "$work/fleet" | median)

# With fewer connections than jobs, only that many can be in flight.
in_flight=$((10#$n < jobs ? 10#$n : jobs))
awk -v n="$n" -v jobs="$in_flight" -v sum="$sum" -v fleet="$fleet_ms" -v one="$one_rss" -v all="$fleet_rss" -v rounds="$rounds" 'BEGIN {
  ideal = sum / jobs
  printf "%d connections, 200 ms per request, --jobs 8 (fleet: median of %d)\n", n, rounds
  printf "  single checks one by one: %.1f s in all; / %d = ideal %.1f s\n", sum / 1000, jobs, ideal / 1000
  printf "  check --all:              %.1f s   ratio to ideal %.2f (goal <= 1.3)\n", fleet / 1000, fleet / ideal
  printf "  peak memory (RSS):        one %.1f MiB, all %d %.1f MiB   ratio %.2f (goal <= 1.5)\n", one / 1024, n, all / 1024, all / one
}'
if [ -s "$work/failed" ]; then
  echo "  warning: these runs did not pass, so their times are not comparable:"
  sort -u "$work/failed" | sed 's/^/    /'
fi
