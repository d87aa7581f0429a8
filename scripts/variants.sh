#!/usr/bin/env bash
# Measures candidate changes of the service's environment against each
# other in one run: each variant serves health, GetCart and keyed AddItem
# on PostgreSQL (the catalog fixture server beside it), ROUNDS times in
# turn, so drift on this shared machine falls on every variant alike.
# Prints requests/s and service CPU µs per call (loadgen --cpu-of), the
# median of the rounds. SCENARIOS picks the scenarios (default "health
# get-cart add-item-keyed"; a "-keyed" suffix sends request ids).
#
#   scripts/variants.sh base "" no-access-log "CART__TELEMETRY__ACCESS_LOG=false"
#   ROUNDS=3 DURATION=8 scripts/variants.sh base "" one-worker "TOKIO_WORKER_THREADS=1"
#
# Arguments come in pairs: a name, then space-separated VAR=value
# assignments ("" for none). Needs what scripts/bench.sh needs.
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d)
DURATION=${DURATION:-8}
WARMUP=${WARMUP:-2}
source scripts/bench-lib.sh
trap cleanup EXIT
ROUNDS=${ROUNDS:-3}
read -r -a scenarios <<<"${SCENARIOS:-health get-cart add-item-keyed}"
(($# >= 2 && $# % 2 == 0)) || { echo "usage: $0 NAME 'VAR=value ...' [NAME 'VAR=value ...']..." >&2; exit 2; }

build_release
start_catalog demo/catalog.json
names=()
while (($#)); do
  names+=("$1")
  printf '%s\n' "$2" >"$work/env-$1"
  shift 2
done

for round in $(seq 1 "$ROUNDS"); do
  for name in "${names[@]}"; do
    fresh_db cart_variant
    read -r -a assignments <"$work/env-$name"
    start_cart "$(pg_url cart_variant)" "$name" "${assignments[@]}"
    for scenario in "${scenarios[@]}"; do
      if [[ $scenario == *-keyed ]]; then
        loadgen "$name-$scenario-$round" "${scenario%-keyed}" --keyed
      else
        loadgen "$name-$scenario-$round" "$scenario"
      fi
    done
    stop_cart "$name"
  done
done

python3 - "$work" "$ROUNDS" "${scenarios[*]}" "${names[@]}" <<'PY'
import json, statistics, sys
work, rounds, scenarios, names = sys.argv[1], int(sys.argv[2]), sys.argv[3].split(), sys.argv[4:]
print(f"{'variant':<18}{'scenario':<16}{'requests/s':>12}{'service µs/call':>17}{'PostgreSQL µs/call':>20}{'Redis µs/call':>15}")
for scenario in scenarios:
    for name in names:
        runs = [json.load(open(f"{work}/{name}-{scenario}-{r}.json")) for r in range(1, rounds + 1)]
        rps = statistics.median(r["rps"] for r in runs)
        cpu = {k: statistics.median(r["cpu_us_per_call"][k] for r in runs) for k in ("service", "postgres", "redis")}
        print(f"{name:<18}{scenario:<16}{rps:>12.0f}{cpu['service']:>17.0f}{cpu['postgres']:>20.0f}{cpu['redis']:>15.0f}")
PY
