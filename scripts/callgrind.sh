#!/usr/bin/env bash
# Instructions per call, counted by valgrind's callgrind on the cart
# service's process over a fixed number of calls: a figure that does not
# move with what else the machine is doing (times here drift by 2x).
# PostgreSQL and the catalog server (another process) are not counted.
#
#   scripts/callgrind.sh                 # 2000 calls per RPC after 200 warm-up calls
#   CALLS=500 scripts/callgrind.sh       # quicker
#
# Needs valgrind (Debian's package), PostgreSQL on 127.0.0.1:5432 and the
# release binaries (built here). Prints one line per RPC and writes
# $OUT (default docs/profiles/instructions.txt).
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d)
source scripts/bench-lib.sh
trap cleanup EXIT
CALLS=${CALLS:-2000}
OUT=${OUT:-docs/profiles/instructions.txt}
command -v callgrind_control >/dev/null || { echo "callgrind.sh: needs valgrind" >&2; exit 1; }

build_release
start_catalog demo/catalog.json
fresh_db cart_callgrind
# As it runs by default (the access log on, written to its log file).
WRAP="valgrind --tool=callgrind --callgrind-out-file=$work/callgrind.out.%p" \
  start_cart "$(pg_url cart_callgrind)" callgrind

# count NAME SCENARIO [loadgen flags]: zeroes the counters after the
# warm-up, makes $CALLS calls, dumps, and prints instructions per call.
count() {
  local name=$1 scenario=$2 before
  shift 2
  before=$(ls "$work" | grep -c '^callgrind.out' || true)
  say "$name: $CALLS calls of $scenario $*"
  "$BIN/loadgen" --target "$CART_URL" --scenario "$scenario" --connections 1 \
    --in-flight 4 --carts 50 --calls "$CALLS" --warmup-calls 200 --wait-ready 180 \
    --on-measure-start "callgrind_control -z $cart_pid >/dev/null" \
    --on-measure-end "callgrind_control -d $cart_pid >/dev/null" \
    --output json "$@" >"$work/$name.json"
  local dump
  dump=$(ls -t "$work"/callgrind.out.* | head -1)
  python3 - "$dump" "$CALLS" "$name" "$work/$name.json" <<'PY'
import json, re, sys
dump, calls, name, report = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
total = 0
for line in open(dump, errors="replace"):
    m = re.match(r"(?:summary|totals):\s+(\d+)", line)
    if m:
        total = int(m.group(1))
errors = json.load(open(report))["errors"]
print(f"{name}\t{total / calls:,.0f} instructions/call\t({total:,} over {calls} calls, {errors} errors)")
PY
}

{
  echo "# instructions per call in the cart service's process (callgrind), $(git rev-parse --short HEAD), $CALLS calls each"
  count health health
  count get-cart get-cart
  count add-item-keyed add-item --keyed
  count add-item-unkeyed add-item
  count update-item-keyed update-item --keyed
} | tee "$work/instructions.txt"
mkdir -p "$(dirname "$OUT")"
cp "$work/instructions.txt" "$OUT"
