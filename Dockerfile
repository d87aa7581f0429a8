# Multi-stage build of the cart service and the fixture catalog server.
FROM rust:1.95-bookworm AS build
WORKDIR /src
COPY . .
RUN cargo build --release --locked --bin cart-service --bin catalog-server

FROM debian:bookworm-slim
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --home /app cart
WORKDIR /app
COPY --from=build /src/target/release/cart-service /usr/local/bin/cart-service
COPY --from=build /src/target/release/catalog-server /usr/local/bin/catalog-server
COPY demo /app/demo
USER cart
EXPOSE 50051
ENTRYPOINT ["cart-service"]
