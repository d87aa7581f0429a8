#!/usr/bin/env bash
# Measures the cart service beside the floors it cannot beat, in one run, and
# writes the figures and ratios to docs/benchmarks.md.
#
#   scripts/bench.sh            # 15 s per scenario after 3 s warm-up, 64 in flight, 4 connections
#   DURATION=5 WARMUP=1 scripts/bench.sh   # a quicker, noisier run
#
# Needs PostgreSQL on 127.0.0.1:5432 (trust auth, user postgres), pgbench and
# Redis on 127.0.0.1:6379 (REDIS_URL) for the cached GetCart rows.
# Release builds go to $CARGO_TARGET_DIR (default ./target).
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d)
source scripts/bench-lib.sh
trap cleanup EXIT
OUT=${OUT:-docs/benchmarks.md}

build_release

say "floors: a bare tonic health server, pgbench -N and -S"
"$BIN/loadgen" serve-health --addr "127.0.0.1:$BARE_PORT" >/dev/null &
pids+=("$!")
TARGET="http://127.0.0.1:$BARE_PORT" loadgen bare-health health
pgbench_floors

say "catalog fixture server"
start_catalog demo/catalog.json

# Writes run twice: "keyed", each logical write with a request_id of its
# own, as cart-client sends them by default (the production path, and the
# headline rows), and "unkeyed", without one. Mixed is keyed.
say "cart service on SQLite"
start_cart "sqlite://$work/cart.db?mode=rwc" sqlite
loadgen sqlite-health health
loadgen sqlite-get-cart get-cart
loadgen sqlite-add-item-keyed add-item --keyed
loadgen sqlite-add-item-unkeyed add-item
loadgen sqlite-mixed mixed --keyed
stop_cart sqlite

say "cart service on PostgreSQL"
fresh_db cart_bench
# Loopback: no TLS to the database, as for pgbench above (both pay it
# otherwise; measured about 30% of the service's AddItem throughput here).
start_cart "$(pg_url cart_bench)" postgres
loadgen postgres-get-cart get-cart
for scenario in add-item update-item; do
  loadgen "postgres-$scenario-keyed" "$scenario" --keyed
  loadgen "postgres-$scenario-unkeyed" "$scenario"
done
loadgen postgres-mixed mixed --keyed
# Latency when not saturated: the same reads and writes at 8 in flight.
IN_FLIGHT=8 loadgen postgres-get-cart-8-in-flight get-cart
for scenario in add-item update-item; do
  IN_FLIGHT=8 loadgen "postgres-$scenario-keyed-8-in-flight" "$scenario" --keyed
  IN_FLIGHT=8 loadgen "postgres-$scenario-unkeyed-8-in-flight" "$scenario"
done
stop_cart postgres

# The same reads through the optional Redis cache (cache.redis_url), beside
# the rows above: kept on only if it moves GetCart by 20% or more.
say "cart service on PostgreSQL, GetCart through the Redis cache"
fresh_db cart_bench_cached
start_cart "$(pg_url cart_bench_cached)" postgres-cached \
  CART__CACHE__REDIS_URL="${REDIS_URL:-redis://127.0.0.1:6379}" CART__CACHE__KEY_PREFIX="cart:bench:$$"
loadgen postgres-cached-get-cart get-cart
IN_FLIGHT=8 loadgen postgres-cached-get-cart-8-in-flight get-cart
stop_cart postgres-cached

say "cart service on PostgreSQL, the catalog read in-process (no catalog hop)"
fresh_db cart_bench_inprocess
CATALOG=inprocess start_cart "$(pg_url cart_bench_inprocess)" postgres-inprocess
loadgen postgres-inprocess-get-cart get-cart
loadgen postgres-inprocess-add-item-keyed add-item --keyed
stop_cart postgres-inprocess

say "writing $OUT"
python3 scripts/bench_report.py "$work" "$OUT" \
  --command "scripts/bench.sh (DURATION=$DURATION WARMUP=$WARMUP IN_FLIGHT=$IN_FLIGHT CONNECTIONS=$CONNECTIONS CARTS=$CARTS PGBENCH_CLIENTS=$PGBENCH_CLIENTS PGBENCH_SCALE=$PGBENCH_SCALE)"
cat "$OUT" >&2
