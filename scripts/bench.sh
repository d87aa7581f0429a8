#!/usr/bin/env bash
# Measures the cart service beside the floors it cannot beat, in one run, and
# writes the figures and ratios to docs/benchmarks.md.
#
#   scripts/bench.sh            # 15 s per scenario after 3 s warm-up, 64 in flight, 4 connections
#   DURATION=5 WARMUP=1 scripts/bench.sh   # a quicker, noisier run
#
# Needs PostgreSQL on 127.0.0.1:5432 (trust auth, user postgres) and pgbench.
# Release builds go to $CARGO_TARGET_DIR (default ./target).
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION=${DURATION:-15}
WARMUP=${WARMUP:-3}
IN_FLIGHT=${IN_FLIGHT:-64}
CONNECTIONS=${CONNECTIONS:-4}
CARTS=${CARTS:-1000}
PGBENCH_CLIENTS=${PGBENCH_CLIENTS:-16}
PGBENCH_SCALE=${PGBENCH_SCALE:-10}
PG_HOST=${PG_HOST:-127.0.0.1}
PG_USER=${PG_USER:-postgres}
OUT=${OUT:-docs/benchmarks.md}
TARGET_DIR=${CARGO_TARGET_DIR:-target}
BIN="$TARGET_DIR/release"
CART_PORT=50251
CATALOG_PORT=50261
BARE_PORT=50271

work=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  psql -h "$PG_HOST" -U "$PG_USER" -d postgres -qc "DROP DATABASE IF EXISTS cart_bench" >/dev/null 2>&1 || true
  psql -h "$PG_HOST" -U "$PG_USER" -d postgres -qc "DROP DATABASE IF EXISTS pgbench_floor" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

say() { printf '\n== %s\n' "$*" >&2; }

say "building release binaries"
cargo build --release --bins --quiet

loadgen() { # name target scenario
  local name=$1 target=$2 scenario=$3
  say "$name: loadgen $scenario against $target"
  "$BIN/loadgen" --target "$target" --scenario "$scenario" \
    --connections "$CONNECTIONS" --in-flight "$IN_FLIGHT" \
    --duration "$DURATION" --warmup "$WARMUP" --carts "$CARTS" \
    --wait-ready 30 --output json | tee "$work/$name.json" >&2
}

pgbench_floor() { # name mode-flag
  local name=$1 flag=$2
  say "$name: pgbench $flag -c $PGBENCH_CLIENTS -T $DURATION"
  PGSSLMODE=disable pgbench -h "$PG_HOST" -U "$PG_USER" "$flag" -M prepared -c "$PGBENCH_CLIENTS" -j 2 \
    -T "$DURATION" pgbench_floor 2>/dev/null | tee "$work/$name.txt" >&2
}

# Starts the cart service against $1 (database URL), records its pid.
start_cart() {
  env CART__SERVER__HOST=127.0.0.1 CART__SERVER__PORT=$CART_PORT \
    CART__DATABASE__URL="$1" \
    CART__CATALOG__URL="http://127.0.0.1:$CATALOG_PORT" \
    "$BIN/cart-service" >"$work/cart-$2.log" 2>&1 &
  cart_pid=$!
  pids+=("$cart_pid")
}

stop_cart() { # name
  # Peak resident set of the whole run (VmHWM), read before stopping.
  awk '/VmHWM/ {print $2}' "/proc/$cart_pid/status" >"$work/rss-$1.txt"
  kill "$cart_pid"
  wait "$cart_pid" 2>/dev/null || true
}

say "floors: a bare tonic health server, pgbench -N and -S"
"$BIN/loadgen" serve-health --addr "127.0.0.1:$BARE_PORT" >/dev/null &
pids+=("$!")
loadgen bare-health "http://127.0.0.1:$BARE_PORT" health
psql -h "$PG_HOST" -U "$PG_USER" -d postgres -qc "DROP DATABASE IF EXISTS pgbench_floor" >/dev/null
psql -h "$PG_HOST" -U "$PG_USER" -d postgres -qc "CREATE DATABASE pgbench_floor" >/dev/null
pgbench -h "$PG_HOST" -U "$PG_USER" -i -q -s "$PGBENCH_SCALE" pgbench_floor >/dev/null 2>&1
pgbench_floor pgbench-N -N
pgbench_floor pgbench-S -S

say "catalog fixture server"
"$BIN/catalog-server" --addr "127.0.0.1:$CATALOG_PORT" --fixture demo/catalog.json >"$work/catalog.log" 2>&1 &
pids+=("$!")

say "cart service on SQLite"
start_cart "sqlite://$work/cart.db?mode=rwc" sqlite
loadgen sqlite-health "http://127.0.0.1:$CART_PORT" health
for scenario in get-cart add-item mixed; do
  loadgen "sqlite-$scenario" "http://127.0.0.1:$CART_PORT" "$scenario"
done
stop_cart sqlite

say "cart service on PostgreSQL"
psql -h "$PG_HOST" -U "$PG_USER" -d postgres -qc "DROP DATABASE IF EXISTS cart_bench" >/dev/null
psql -h "$PG_HOST" -U "$PG_USER" -d postgres -qc "CREATE DATABASE cart_bench" >/dev/null
# Loopback: no TLS to the database, as for pgbench above (both pay it
# otherwise; measured about 30% of the service's AddItem throughput here).
start_cart "postgres://$PG_USER@$PG_HOST:5432/cart_bench?sslmode=disable" postgres
for scenario in get-cart add-item mixed; do
  loadgen "postgres-$scenario" "http://127.0.0.1:$CART_PORT" "$scenario"
done
# Latency when not saturated: the same reads and writes at 8 in flight.
for scenario in get-cart add-item; do
  IN_FLIGHT=8 loadgen "postgres-$scenario-8-in-flight" "http://127.0.0.1:$CART_PORT" "$scenario"
done
stop_cart postgres

say "writing $OUT"
python3 scripts/bench_report.py "$work" "$OUT" \
  --command "scripts/bench.sh (DURATION=$DURATION WARMUP=$WARMUP IN_FLIGHT=$IN_FLIGHT CONNECTIONS=$CONNECTIONS CARTS=$CARTS PGBENCH_CLIENTS=$PGBENCH_CLIENTS PGBENCH_SCALE=$PGBENCH_SCALE)"
cat "$OUT" >&2
