#!/usr/bin/env bash
# A rolling restart while abandoned-cart e-mail goes out, as an operator
# sees it: a real, slow SMTP relay (aiosmtpd, 0.4 s a message), 30 carts
# queued, SIGTERM to the replica about a second into delivery, then a new
# replica. Checks that every message the relay accepted is recorded sent,
# that nothing stays leased, that the new replica sends the rest within its
# first runs, and that no address gets two messages.
#
#   scripts/rolling-restart.sh                # PostgreSQL (127.0.0.1:5432)
#   DB=sqlite scripts/rolling-restart.sh
#
# Needs grpcurl, python3 with aiosmtpd, psql (for PostgreSQL) and the
# binaries ($BIN, default target/debug: `cargo build` first).
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${BIN:-target/debug}
DB=${DB:-postgres}
MESSAGES=${MESSAGES:-30}
work=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  [[ $DB == postgres ]] && psql -h 127.0.0.1 -U postgres -qc "DROP DATABASE IF EXISTS cart_rolling WITH (FORCE)" >/dev/null 2>&1
  rm -rf "$work"
}
trap cleanup EXIT
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
say() { printf '== %s\n' "$*"; }

if [[ $DB == postgres ]]; then
  psql -h 127.0.0.1 -U postgres -qc "DROP DATABASE IF EXISTS cart_rolling WITH (FORCE)" >/dev/null
  psql -h 127.0.0.1 -U postgres -qc "CREATE DATABASE cart_rolling" >/dev/null
  url="postgres://postgres@127.0.0.1:5432/cart_rolling"
  query() { psql -h 127.0.0.1 -U postgres -d cart_rolling -qAtc "$1"; }
else
  url="sqlite://$work/cart.db?mode=rwc"
  query() { python3 -c 'import sqlite3, sys; print(sqlite3.connect(sys.argv[1]).execute(sys.argv[2]).fetchone()[0])' "$work/cart.db" "$1"; }
fi

smtp_port=$(free_port)
python3 - "$smtp_port" "$work/accepted.txt" <<'PY' &
import asyncio, sys
from aiosmtpd.controller import Controller
port, log = int(sys.argv[1]), sys.argv[2]
class Slow:
    async def handle_DATA(self, server, session, envelope):
        await asyncio.sleep(0.4)
        with open(log, "a") as f:
            f.write(" ".join(envelope.rcpt_tos) + "\n")
        return "250 OK"
controller = Controller(Slow(), hostname="127.0.0.1", port=port)
controller.start()
asyncio.get_event_loop().run_forever()
PY
pids+=("$!")
touch "$work/accepted.txt"
accepted() { wc -l <"$work/accepted.txt"; }
accepted_at_least() { (($(accepted) >= $1)); }

replica() { # name [recovery on]: starts a replica, sets $replica_pid and $replica_port
  replica_port=$(free_port)
  CART__RECOVERY__ENABLED=${2:-true} CART__SERVER__HOST=127.0.0.1 CART__SERVER__PORT="$replica_port" \
    CART__SERVER__DRAIN_DELAY_MS=500 CART__SERVER__SHUTDOWN_GRACE_SECS=5 \
    CART__TELEMETRY__METRICS_PORT=0 CART__DATABASE__URL="$url" \
    CART__LIMITS__SESSION_WRITES_PER_MINUTE=0 \
    CART__RECOVERY__IDLE_HOURS=0 CART__RECOVERY__INTERVAL_SECS=1 \
    CART__RECOVERY__SMTP__URL="smtp://127.0.0.1:$smtp_port" CART__RECOVERY__SMTP__TIMEOUT_SECS=3 \
    CART__RECOVERY__SIGNING_KEYS="k1:a signing secret of thirty-two characters" \
    CART__RECOVERY__HASH_KEY="a hash key of thirty-two characters or more" \
    "$BIN/cart-service" >"$work/$1.log" 2>&1 &
  replica_pid=$!
  pids+=("$replica_pid")
  for _ in $(seq 1 300); do
    grpcurl -plaintext "127.0.0.1:$replica_port" grpc.health.v1.Health/Check >/dev/null 2>&1 && return
    sleep 0.1
  done
  echo "replica $1 did not come up"; cat "$work/$1.log"; exit 1
}

wait_until() { # seconds, description, command...
  local until=$((SECONDS + $1)) what=$2
  shift 2
  until "$@"; do
    ((SECONDS < until)) || { echo "not within the bound: $what"; return 1; }
    sleep 0.05
  done
}

diagnose() {
  echo "FAILED: $1"
  query "SELECT status || ' ' || attempts || ' ' || count(*) FROM recovery_outbox GROUP BY status, attempts" || true
  for log in "$work"/*.log; do echo "--- $log"; tail -20 "$log"; done
  exit 1
}

say "$MESSAGES abandoned carts with an address, on $DB (a replica without recovery)"
replica seed false
seed_pid=$replica_pid
for n in $(seq 1 "$MESSAGES"); do
  grpcurl -plaintext -d "{\"shopper\":{\"session_id\":\"rr-$n\"},\"product_id\":\"prod-classic-tee\",\"variant_id\":\"var-classic-tee-m\",\"quantity\":1}" \
    "127.0.0.1:$replica_port" shop.cart.v1.CartService/AddItem >/dev/null
  grpcurl -plaintext -d "{\"shopper\":{\"session_id\":\"rr-$n\"},\"email\":\"shopper$n@example.com\"}" \
    "127.0.0.1:$replica_port" shop.cart.v1.CartService/SetEmail >/dev/null
done
kill -TERM "$seed_pid"
wait "$seed_pid" || true

say "replica A delivers; SIGTERM to it once the relay has accepted 2"
replica a
a_pid=$replica_pid
wait_until 60 "delivery under way" accepted_at_least 2 || diagnose "A never delivered"
started=$SECONDS
kill -TERM "$a_pid"
wait "$a_pid" && a_status=0 || a_status=$?
took=$((SECONDS - started))
sent=$(query "SELECT count(*) FROM recovery_outbox WHERE status = 'sent'")
leased=$(query "SELECT count(*) FROM recovery_outbox WHERE status = 'pending' AND attempts > 0")
at_stop=$(accepted)
echo "A exited $a_status after ${took}s; relay accepted $at_stop, recorded sent $sent, still leased $leased"
[[ $a_status == 0 && $sent == "$at_stop" && $leased == 0 ]] || diagnose "A's stop"

say "replica B sends the rest"
started=$SECONDS
replica b
wait_until 60 "every message accepted" accepted_at_least "$MESSAGES" || diagnose "B"
echo "B: the remaining $((MESSAGES - at_stop)) accepted within $((SECONDS - started))s of its start"
total=$(accepted)
distinct=$(sort -u "$work/accepted.txt" | wc -l)
echo "relay: $total messages, $distinct addresses"
[[ $total == "$MESSAGES" && $distinct == "$MESSAGES" ]] || diagnose "a duplicate or a loss"
echo "OK"
