#!/usr/bin/env bash
# Cost as the work grows, measured in one run and written to the "Cost as the
# work grows" block of docs/benchmarks.md:
# - data size: GetCart and AddItem on an empty database and on one seeded
#   with 1,000,000 carts, 5,000,000 lines and 20,000,000 events
#   (scripts/at-size-seed.sql), each against the pgbench floors of this run;
# - the plans of every hot statement at that size (auto_explain: EXPLAIN
#   ANALYZE, BUFFERS of the statements as the service sends them);
# - cart size: GetCart and AddItem with carts of 1, 10 and 50 lines;
# - jobs at size: expiring 100,000 carts and purging 100,000, with GetCart's
#   p99 during the job against without it.
#
#   scripts/at-size.sh                     # about 15 minutes, 4 GB of disk
#   DURATION=5 WARMUP=1 scripts/at-size.sh
#
# Needs what scripts/bench.sh needs, and a superuser (auto_explain, and the
# seed loads with foreign-key triggers off).
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d)
source scripts/bench-lib.sh
trap cleanup EXIT
OUT=${OUT:-docs/benchmarks.md}
PG_LOG=${PG_LOG:-$(ls /var/log/postgresql/postgresql-*-main.log 2>/dev/null | head -n1)}
# Shopper limits off: a 50-line cart is 50 quick writes of one session.
# Logs as JSON lines at info: the job's "maintenance run" line gives its
# duration.
NO_LIMITS=(CART__LIMITS__SESSION_WRITES_PER_MINUTE=0 CART__TELEMETRY__LOG_FILTER=info
  CART__TELEMETRY__LOG_FORMAT=json)

build_release
pgbench_floors

# The demo catalog and one product of 60 variants, for carts of 50 lines.
FIXTURE="$work/catalog.json"
python3 - "$FIXTURE" <<'EOF'
import copy, json, sys
catalog = json.load(open("demo/catalog.json"))
wide = copy.deepcopy(catalog["products"][0])
wide.update(id="prod-bench-wide", name="Bench Wide", slug="bench-wide")
template = wide["variants"][0]
wide["variants"] = []
for n in range(60):
    v = copy.deepcopy(template)
    v.update(id=f"var-bench-wide-{n}", sku=f"WIDE-{n}", name=f"Option {n}")
    v["inventory"] = {"tracked": True, "available": 1000000, "backorder_allowed": False}
    wide["variants"].append(v)
catalog["products"].append(wide)
json.dump(catalog, open(sys.argv[1], "w"))
EOF
start_catalog "$FIXTURE"

say "empty database: carts of 1, 5, 10 and 50 lines"
fresh_db cart_small
start_cart "$(pg_url cart_small)" small "${NO_LIMITS[@]}"
for lines in 5 1 10 50; do
  loadgen "small-get-cart-$lines" get-cart --lines "$lines"
  loadgen "small-add-item-$lines" add-item --lines "$lines"
done
stop_cart small
drop_db cart_small

say "seeded database: 1,000,000 carts, 5,000,000 lines, 20,000,000 events"
fresh_db cart_large
start_cart "$(pg_url cart_large)" migrate
"$BIN/loadgen" --target "$CART_URL" --scenario health --duration 1 --warmup 0 --wait-ready 60 >/dev/null
stop_cart migrate
started=$(date +%s)
psql_q -d cart_large -v carts="${SEED_CARTS:-1000000}" -f scripts/at-size-seed.sql >/dev/null
echo $(($(date +%s) - started)) >"$work/seed-seconds.txt"
# Write the seed's dirty pages out now, not during the measured runs.
psql_q -d cart_large -c "CHECKPOINT" >/dev/null
psql_q -d cart_large -c "SELECT pg_size_pretty(pg_database_size('cart_large'))" >"$work/seed-size.txt"

start_cart "$(pg_url cart_large)" large "${NO_LIMITS[@]}"
loadgen large-get-cart-5 get-cart
loadgen large-add-item-5 add-item
stop_cart large

say "jobs at size: expiring 100,000 carts and purging 100,000 under GetCart load"
# The job's first run starts one interval (JOB_DELAY seconds) after
# start-up, inside the load's measured window; the load runs on for as long
# as the job may take. Later runs find nothing left to do.
JOB_DELAY=${JOB_DELAY:-20}
start_cart "$(pg_url cart_large)" jobs "${NO_LIMITS[@]}" CART__JOBS__INTERVAL_SECS="$JOB_DELAY"
DURATION=${JOB_LOAD_SECONDS:-90} WARMUP=0 loadgen large-get-cart-during-jobs get-cart
stop_cart jobs
grep -m1 'maintenance run' "$work/cart-jobs.log" >"$work/job-run.txt" || echo "no run" >"$work/job-run.txt"

say "plans of the hot statements at size (auto_explain)"
# Some work for the jobs again, at the same size: 1,000 carts to expire and
# 1,000 to purge.
psql_q -d cart_large <<'EOF' >/dev/null
UPDATE carts SET expires_at = now() - interval '1 day',
       expires_day = floor(extract(epoch FROM now() - interval '1 day') / 86400)::bigint
 WHERE id IN (SELECT id FROM carts WHERE status = 'active' LIMIT 1000);
UPDATE carts SET status = 'abandoned', updated_at = now() - interval '60 days'
 WHERE id IN (SELECT id FROM carts WHERE status = 'active' AND expires_at > now() LIMIT 1000);
ALTER DATABASE cart_large SET session_preload_libraries = 'auto_explain';
ALTER DATABASE cart_large SET auto_explain.log_min_duration = 0;
ALTER DATABASE cart_large SET auto_explain.log_analyze = on;
ALTER DATABASE cart_large SET auto_explain.log_buffers = on;
ALTER DATABASE cart_large SET auto_explain.log_timing = off;
EOF
log_from=$(stat -c %s "$PG_LOG")
start_cart "$(pg_url cart_large)" explain "${NO_LIMITS[@]}" CART__JOBS__INTERVAL_SECS=5
for scenario in mixed add-item; do
  DURATION=3 WARMUP=0 IN_FLIGHT=4 CARTS=50 loadgen "explain-$scenario" "$scenario"
done
for _ in $(seq 1 120); do grep -q 'maintenance run' "$work/cart-explain.log" && break; sleep 1; done
stop_cart explain
tail -c +"$((log_from + 1))" "$PG_LOG" >"$work/plans.log"
psql_q -d cart_large -c "ALTER DATABASE cart_large RESET ALL" >/dev/null

say "writing $OUT"
python3 scripts/at_size_report.py "$work" "$OUT" \
  --command "scripts/at-size.sh (DURATION=$DURATION WARMUP=$WARMUP IN_FLIGHT=$IN_FLIGHT CONNECTIONS=$CONNECTIONS CARTS=$CARTS JOB_DELAY=$JOB_DELAY)"
