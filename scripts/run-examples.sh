#!/usr/bin/env bash
# Runs the client examples (clients/<lang>/example…) against a real service:
# a fresh cart-service on SQLite with the in-process demo catalog and its
# default limits, on a free port. Each example adds, reads, signs in (merge),
# decodes OUT_OF_STOCK and retries RATE_LIMITED after its RetryInfo delay, and
# exits non-zero when the service answers otherwise; so does this script.
#
#   scripts/run-examples.sh [rust] [python] [ts] [go]   # default: all four
#
# Needs the debug build (`cargo test --workspace` or `cargo build --workspace
# --examples`), a Python with clients/python/requirements.txt ($PYTHON,
# default python3), clients/ts's node_modules (`npm ci`), and for Go the
# Debian packages golang-go, golang-google-grpc-dev,
# golang-google-genproto-dev and golang-github-golang-protobuf-1-5-dev (built
# in GOPATH mode: nothing is downloaded).
set -euo pipefail
cd "$(dirname "$0")/.."
target="${CARGO_TARGET_DIR:-target}"
python="${PYTHON:-python3}"
languages=("$@")
[ ${#languages[@]} -gt 0 ] || languages=(rust python ts go)

work=$(mktemp -d)
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
CART__SERVER__HOST=127.0.0.1 CART__SERVER__PORT="$port" CART__SERVER__DRAIN_DELAY_MS=0 \
    CART__DATABASE__URL="sqlite://$work/cart.db?mode=rwc" \
    CART__TELEMETRY__LOG_FILTER=warn CART__TELEMETRY__METRICS_PORT=0 \
    "$target/debug/cart-service" >"$work/cart.log" 2>&1 &
cart_pid=$!
trap 'kill "$cart_pid" 2>/dev/null || true; rm -rf "$work"' EXIT
# Ready when `cart-service healthcheck` (Health/Check on this port) says so.
for _ in $(seq 1 120); do
    CART__SERVER__PORT="$port" "$target/debug/cart-service" healthcheck 2>/dev/null && break
    kill -0 "$cart_pid" 2>/dev/null || { cat "$work/cart.log"; exit 1; }
    sleep 0.5
done
CART__SERVER__PORT="$port" "$target/debug/cart-service" healthcheck

for language in "${languages[@]}"; do
    printf '\n--- clients/%s example ---\n' "$language"
    case "$language" in
        rust) "$target/debug/examples/bff" "http://127.0.0.1:$port" ;;
        python) "$python" clients/python/example.py "127.0.0.1:$port" ;;
        ts) (cd clients/ts && npm run --silent example -- "http://127.0.0.1:$port") ;;
        go)
            # GOPATH mode over Debian's Go packages: the module path is
            # linked into a GOPATH of its own.
            gopath="$work/gopath"
            mkdir -p "$gopath/src/github.com/example/cart-service/clients"
            ln -s "$PWD/clients/go" "$gopath/src/github.com/example/cart-service/clients/go"
            (cd "$gopath/src/github.com/example/cart-service/clients/go" \
                && GO111MODULE=off GOPATH="$gopath:/usr/share/gocode" GOCACHE="$work/gocache" \
                    go vet ./example ./gen/... \
                && GO111MODULE=off GOPATH="$gopath:/usr/share/gocode" GOCACHE="$work/gocache" \
                    go build -o "$work/go-example" ./example)
            "$work/go-example" "127.0.0.1:$port"
            ;;
        *) echo "unknown example: $language (rust, python, ts, go)"; exit 2 ;;
    esac
done
kill "$cart_pid"
wait "$cart_pid" || { echo "cart-service did not stop cleanly"; cat "$work/cart.log"; exit 1; }
