# Shared by scripts/bench.sh, scripts/at-size.sh and scripts/soak.sh
# (sourced, not run): settings, the load generator, the PostgreSQL floors,
# starting and stopping the cart service, and CPU time per call.
#
# The sourcing script sets `work` (a scratch directory) and runs from the
# repository's root.

DURATION=${DURATION:-15}
WARMUP=${WARMUP:-3}
IN_FLIGHT=${IN_FLIGHT:-64}
CONNECTIONS=${CONNECTIONS:-4}
CARTS=${CARTS:-1000}
PGBENCH_CLIENTS=${PGBENCH_CLIENTS:-16}
PGBENCH_SCALE=${PGBENCH_SCALE:-10}
PG_HOST=${PG_HOST:-127.0.0.1}
PG_USER=${PG_USER:-postgres}
TARGET_DIR=${CARGO_TARGET_DIR:-target}
BIN="$TARGET_DIR/release"
CART_PORT=${CART_PORT:-50251}
CATALOG_PORT=${CATALOG_PORT:-50261}
BARE_PORT=${BARE_PORT:-50271}
CART_URL="http://127.0.0.1:$CART_PORT"

pids=()
dbs=(pgbench_floor)
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  for db in "${dbs[@]}"; do drop_db "$db"; done
  rm -rf "$work"
}

say() { printf '\n== %s\n' "$*" >&2; }

psql_q() { psql -h "$PG_HOST" -U "$PG_USER" -v ON_ERROR_STOP=1 -qAt "$@"; }
drop_db() { psql_q -d postgres -c "DROP DATABASE IF EXISTS $1 WITH (FORCE)" >/dev/null 2>&1 || true; }
fresh_db() { # name
  drop_db "$1"
  psql_q -d postgres -c "CREATE DATABASE $1" >/dev/null
  dbs+=("$1")
}
pg_url() { echo "postgres://$PG_USER@$PG_HOST:5432/$1?sslmode=disable"; }

build_release() {
  say "building release binaries"
  cargo build --release --bins --quiet
}

# loadgen NAME SCENARIO [extra loadgen flags...]: runs against the cart
# service (or $TARGET when set), writes $work/NAME.json. Against the cart
# service it also reports the CPU the service and PostgreSQL spent per call
# in the measured window (--cpu-of).
loadgen() {
  local name=$1 scenario=$2 cpu=()
  shift 2
  [[ -z ${TARGET:-} && -n ${cart_pid:-} ]] && cpu=(--cpu-of "$cart_pid")
  say "$name: loadgen $scenario $*"
  "$BIN/loadgen" --target "${TARGET:-$CART_URL}" --scenario "$scenario" \
    --connections "$CONNECTIONS" --in-flight "$IN_FLIGHT" \
    --duration "$DURATION" --warmup "$WARMUP" --carts "$CARTS" \
    --fixture "${FIXTURE:-demo/catalog.json}" --wait-ready 60 --output json \
    "${cpu[@]}" "$@" \
    | tee "$work/$name.json" >&2
}

pgbench_floors() { # the database floors: pgbench -N and -S, written as $work/pgbench-{N,S}.txt
  say "floors: pgbench -N and -S"
  fresh_db pgbench_floor
  pgbench -h "$PG_HOST" -U "$PG_USER" -i -q -s "$PGBENCH_SCALE" pgbench_floor >/dev/null 2>&1
  for flag in -N -S; do
    say "pgbench$flag -c $PGBENCH_CLIENTS -T $DURATION"
    PGSSLMODE=disable pgbench -h "$PG_HOST" -U "$PG_USER" "$flag" -M prepared \
      -c "$PGBENCH_CLIENTS" -j 2 -T "$DURATION" pgbench_floor 2>/dev/null \
      | tee "$work/pgbench$flag.txt" >&2
  done
}

start_catalog() { # fixture
  "$BIN/catalog-server" --addr "127.0.0.1:$CATALOG_PORT" --fixture "$1" >"$work/catalog.log" 2>&1 &
  pids+=("$!")
}

# start_cart DATABASE_URL NAME [VAR=value...]: starts the cart service on
# the catalog server above (CATALOG=inprocess: on the same fixture, read in
# the service's own process, no catalog hop), under $WRAP when set (a
# command line, e.g. valgrind's), its log in $work/cart-NAME.log; sets
# cart_pid.
start_cart() {
  local url=$1 name=$2 catalog=()
  shift 2
  [[ ${CATALOG:-server} == server ]] && catalog=(CART__CATALOG__URL="http://127.0.0.1:$CATALOG_PORT")
  env CART__SERVER__HOST=127.0.0.1 CART__SERVER__PORT="$CART_PORT" \
    CART__DATABASE__URL="$url" CART__CATALOG__FIXTURE_PATH="${FIXTURE:-demo/catalog.json}" \
    "${catalog[@]}" "$@" \
    ${WRAP:-} "$BIN/cart-service" >"$work/cart-$name.log" 2>&1 &
  cart_pid=$!
  pids+=("$cart_pid")
}

stop_cart() { # name: records the run's peak RSS (VmHWM) in $work/rss-NAME.txt
  awk '/VmHWM/ {print $2}' "/proc/$cart_pid/status" >"$work/rss-$1.txt"
  kill "$cart_pid"
  wait "$cart_pid" 2>/dev/null || true
}

rss_kib() { awk '/VmRSS/ {print $2}' "/proc/$cart_pid/status"; }
