#!/usr/bin/env bash
# Where the service's CPU goes, per RPC: `perf record` (DWARF call graphs) on
# the release service under one scenario at a time, on PostgreSQL with the
# catalog server, folded into flamegraph stacks in docs/profiles/<rpc>.folded
# (render with flamegraph.pl or inferno-flamegraph) and the top ten frames
# by self time in docs/profiles/<rpc>.top.md.
#
#   scripts/profile.sh                # 8 s per RPC, 64 in flight
#   SECONDS_PER_RPC=4 scripts/profile.sh
#
# Needs perf (Debian's linux-perf) allowed to record this user's processes
# (kernel.perf_event_paranoid ≤ 2), PostgreSQL on 127.0.0.1:5432.
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d)
source scripts/bench-lib.sh
trap cleanup EXIT
SECONDS_PER_RPC=${SECONDS_PER_RPC:-8}
OUTDIR=${OUTDIR:-docs/profiles}
command -v perf >/dev/null || { echo "profile.sh: needs perf (linux-perf)" >&2; exit 1; }

build_release
start_catalog demo/catalog.json
fresh_db cart_profile
start_cart "$(pg_url cart_profile)" profile
mkdir -p "$OUTDIR"

# profile NAME SCENARIO [loadgen flags]
profile() {
  local name=$1 scenario=$2
  shift 2
  say "$name: perf record while loadgen runs $scenario $*"
  DURATION=$((SECONDS_PER_RPC + 4)) WARMUP=2 loadgen "$name" "$scenario" "$@" &
  local load=$!
  sleep 3 # the load's fill and warm-up; the recording is what is measured
  perf record -q -F 499 --call-graph dwarf,16384 -p "$cart_pid" -o "$work/$name.data" \
    -- sleep "$SECONDS_PER_RPC" 2>/dev/null
  wait "$load"
  perf script -i "$work/$name.data" 2>/dev/null >"$work/$name.txt"
  python3 scripts/fold_perf.py <"$work/$name.txt" >"$OUTDIR/$name.folded"
  python3 scripts/fold_perf.py --top 10 <"$work/$name.txt" >"$OUTDIR/$name.top.md"
  cat "$OUTDIR/$name.top.md" >&2
}

profile health health
profile get-cart get-cart
profile add-item-keyed add-item --keyed
