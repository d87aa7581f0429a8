# syntax=docker/dockerfile:1
# Multi-stage build of the cart service and the fixture catalog server.
#
# Base images are pinned by exact tag and digest. To move to newer ones, read
# the new tag's digest (`docker buildx imagetools inspect debian:12.13-slim`)
# and change the tag and the digest together.
FROM rust:1.95.0-bookworm@sha256:6258907abe69656e41cd992e0b705cdcfabcbbe3db374f92ed2d47121282d4a1 AS build
WORKDIR /src

# Dependencies first, in a layer of their own that is rebuilt only when the
# manifests, the lock file, build.rs or the protos change: the crates' own
# sources are empty stand-ins here.
COPY Cargo.toml Cargo.lock build.rs ./
COPY migration/Cargo.toml migration/
COPY proto proto
RUN mkdir -p src/bin migration/src \
    && echo 'fn main() {}' > src/main.rs \
    && echo 'fn main() {}' > src/bin/catalog-server.rs \
    && touch src/lib.rs migration/src/lib.rs \
    && cargo build --release --locked --bin cart-service --bin catalog-server \
    && rm -rf src migration/src

# The real sources. COPY keeps their modification times, which may be older
# than the stand-ins' build: touch them so cargo rebuilds both crates.
COPY . .
RUN touch src/main.rs src/lib.rs src/bin/catalog-server.rs migration/src/lib.rs \
    && cargo build --release --locked --bin cart-service --bin catalog-server

FROM debian:12.13-slim@sha256:2749ca60ffb3c42de053229d7967d292d7dad1067936b38995da0bbfb96c4c23
# A numeric user that owns nothing but the data directory, where the SQLite
# default lives. With PostgreSQL the container writes nothing and runs on a
# read-only root filesystem.
RUN groupadd --system --gid 10001 cart \
    && useradd --system --uid 10001 --gid 10001 --home-dir /app --no-create-home \
        --shell /usr/sbin/nologin cart \
    && mkdir -p /app/data \
    && chown 10001:10001 /app/data \
    && chmod 0750 /app/data
# The system roots, which an https:// catalog is checked against, taken from
# the build stage instead of installing a package here.
COPY --from=build /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/ca-certificates.crt
COPY --from=build /src/target/release/cart-service /usr/local/bin/cart-service
COPY --from=build /src/target/release/catalog-server /usr/local/bin/catalog-server
COPY demo /app/demo
WORKDIR /app
ENV CART__DATABASE__URL="sqlite:///app/data/cart.db?mode=rwc"
USER 10001:10001
EXPOSE 50051
# Ready = the service answers grpc.health.v1 Check SERVING for
# shop.cart.v1.CartService (database reachable, schema current). It reads the
# same CART__SERVER__PORT / CART__SERVER__HEALTH_PORT as the service. The
# catalog-server, run from this image too, needs its own check.
HEALTHCHECK --interval=10s --timeout=5s --start-period=30s --retries=3 \
    CMD ["cart-service", "healthcheck"]
# After SIGTERM the service drains for up to drain delay + grace (15 s by
# default): give `docker stop` a longer timeout than that (`-t 20`).
STOPSIGNAL SIGTERM
ENTRYPOINT ["cart-service"]
