#!/usr/bin/env bash
# WatchCart at scale, on PostgreSQL: commit-to-watcher latency with 1,000
# watchers, and what the notifications cost the writes (AddItem with the
# notify triggers on, then off, in the same run). Writes the figures to
# docs/benchmarks.md between the watch markers.
#
#   scripts/watch-bench.sh                  # 15 s per measurement
#   DURATION=5 scripts/watch-bench.sh       # quicker, noisier
#
# Needs PostgreSQL on 127.0.0.1:5432 (trust auth, user postgres).
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d)
source scripts/bench-lib.sh
trap cleanup EXIT
OUT=${OUT:-docs/benchmarks.md}
WATCHERS=${WATCHERS:-1000}

build_release
start_catalog demo/catalog.json
fresh_db cart_watch
# Writes to the same carts again and again: no per-session write budget.
start_cart "$(pg_url cart_watch)" watch CART__LIMITS__SESSION_WRITES_PER_MINUTE=0 \
  CART__TRANSPORT__MAX_CONCURRENT_STREAMS=1000

say "commit-to-watcher latency: $WATCHERS watchers, 8 writers"
"$BIN/loadgen" watch --target "$CART_URL" --watchers "$WATCHERS" --in-flight 8 \
  --duration "$DURATION" --wait-ready 60 >"$work/watch.json"
cat "$work/watch.json" >&2
rss_watching=$(rss_kib)

say "AddItem with notifications (triggers on)"
loadgen add-item-notify add-item
psql_q -d cart_watch -c "ALTER TABLE carts DISABLE TRIGGER carts_notify_insert" \
  -c "ALTER TABLE carts DISABLE TRIGGER carts_notify_update"
say "AddItem without notifications (triggers off)"
loadgen add-item-silent add-item
stop_cart watch

python3 - "$work" "$OUT" "$rss_watching" "$WATCHERS" <<'PY'
import json, pathlib, sys
work, out, rss, watchers = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
w = json.loads((work / "watch.json").read_text())
on = json.loads((work / "add-item-notify.json").read_text())
off = json.loads((work / "add-item-silent.json").read_text())
ratio = on["rps"] / off["rps"] if off["rps"] else 0
block = f"""<!-- watch:begin (written by scripts/watch-bench.sh; do not edit by hand) -->
| measure | value |
|---|---:|
| watchers | {watchers} |
| writes during the run (8 writers) | {w['writes']} ({w['writes_per_sec']:.0f}/s) |
| views delivered / coalesced into a later one / carts whose last version never arrived | {w['delivered']} / {w['coalesced']} / {w['lost']} |
| commit → watcher p50 / p99 / max | {w['p50_ms']:.2f} / {w['p99_ms']:.2f} / {w['max_ms']:.2f} ms |
| service RSS with {watchers} watchers | {rss / 1024:.1f} MiB |
| AddItem with notifications / without | {on['rps']:.0f} / {off['rps']:.0f} rps ({ratio:.2f}×) |
<!-- watch:end -->"""
text = out.read_text()
begin, end = "<!-- watch:begin", "<!-- watch:end -->"
if begin in text:
    head, rest = text.split(begin, 1)
    text = head + block + rest.split(end, 1)[1]
else:
    text = text.rstrip("\n") + "\n\n## Live carts (WatchCart)\n\n" + block + "\n"
out.write_text(text)
print(block)
PY
