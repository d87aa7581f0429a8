#!/usr/bin/env bash
# The storefront in a real browser (examples/storefront/browser_test.py):
# a fresh cart service (SQLite, demo catalog) and the storefront BFF on free
# ports, then headless Chromium in two tabs. The screenshot goes to
# ${ARTIFACTS:-artifacts}/storefront.png.
#
# Needs the debug build of cart-service (`cargo test --workspace` makes it),
# Debian's chromium and chromium-driver, and a Python with selenium
# ($PYTHON, default python3).
set -euo pipefail
cd "$(dirname "$0")/.."
target="${CARGO_TARGET_DIR:-target}"
python="${PYTHON:-python3}"
artifacts="${ARTIFACTS:-artifacts}"
mkdir -p "$artifacts"
# `cargo test` builds no executable of a package without integration tests:
# the storefront is built here, so what runs is never a stale binary.
cargo build --quiet -p storefront
work=$(mktemp -d)
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
cart_port=$(free_port)
shop_port=$(free_port)
CART__SERVER__HOST=127.0.0.1 CART__SERVER__PORT="$cart_port" CART__SERVER__DRAIN_DELAY_MS=0 \
    CART__DATABASE__URL="sqlite://$work/cart.db?mode=rwc" \
    CART__TELEMETRY__LOG_FILTER=warn CART__TELEMETRY__METRICS_PORT=0 \
    "$target/debug/cart-service" >"$work/cart.log" 2>&1 &
cart_pid=$!
STOREFRONT_ADDR="127.0.0.1:$shop_port" CART_URL="http://127.0.0.1:$cart_port" \
    "$target/debug/storefront" >"$work/storefront.log" 2>&1 &
shop_pid=$!
trap 'kill "$cart_pid" "$shop_pid" 2>/dev/null || true; rm -rf "$work"' EXIT
for _ in $(seq 1 120); do
    CART__SERVER__PORT="$cart_port" "$target/debug/cart-service" healthcheck 2>/dev/null \
        && curl -fsS "http://127.0.0.1:$shop_port/api/products" >/dev/null 2>&1 && break
    sleep 0.5
done
"$python" examples/storefront/browser_test.py "http://127.0.0.1:$shop_port" "$artifacts/storefront.png" \
    || { cat "$work/cart.log" "$work/storefront.log"; exit 1; }
