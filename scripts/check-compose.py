#!/usr/bin/env python3
"""Checks the shape of docker-compose.yml and the Kubernetes manifests, since no
Docker engine or cluster runs where the tests do: they parse, the services are
wired by the environment variables the service reads, ports and dependencies
line up, and the probes use the gRPC health names the server registers."""

import sys

import yaml


def fail(message: str) -> None:
    print(f"check-compose: {message}", file=sys.stderr)
    sys.exit(1)


with open("docker-compose.yml") as f:
    compose = yaml.safe_load(f)
services = compose.get("services") or fail("no services")
for name in ("cart", "postgres", "catalog", "jaeger"):
    if name not in services:
        fail(f"service {name!r} missing")

cart = services["cart"]
if cart.get("build") != ".":
    fail("cart must be built from the Dockerfile")
env = cart.get("environment") or {}
expected = {
    "CART__DATABASE__URL": "@postgres:5432/",
    "CART__CATALOG__URL": "http://catalog:50061",
    "CART__TELEMETRY__OTLP_ENDPOINT": "http://jaeger:4317",
}
for var, part in expected.items():
    if part not in str(env.get(var, "")):
        fail(f"cart {var} should contain {part!r}, is {env.get(var)!r}")
if "50051:50051" not in cart.get("ports", []):
    fail("cart must publish 50051")
deps = cart.get("depends_on") or {}
if deps.get("postgres", {}).get("condition") != "service_healthy":
    fail("cart must wait for a healthy postgres")
for dep in ("catalog", "jaeger"):
    if dep not in deps:
        fail(f"cart must depend on {dep}")

pg = services["postgres"]
pg_env = pg.get("environment") or {}
url = env["CART__DATABASE__URL"]
creds = f"{pg_env.get('POSTGRES_USER')}:{pg_env.get('POSTGRES_PASSWORD')}@"
if creds not in url or not url.endswith("/" + str(pg_env.get("POSTGRES_DB"))):
    fail("cart database URL does not match postgres credentials")
if "healthcheck" not in pg:
    fail("postgres needs a healthcheck")

catalog = services["catalog"]
entry = catalog.get("entrypoint") or []
if entry[:1] != ["catalog-server"] or "0.0.0.0:50061" not in entry:
    fail("catalog must run catalog-server on 0.0.0.0:50061")
if "--fixture" not in entry:
    fail("catalog must name its fixture")

with open("Dockerfile") as f:
    dockerfile = f.read()
if dockerfile.count("FROM ") < 2:
    fail("Dockerfile must be multi-stage")
for binary in ("cart-service", "catalog-server"):
    if f"/usr/local/bin/{binary}" not in dockerfile:
        fail(f"Dockerfile must install {binary}")

with open("deploy/k8s/cart-service.yaml") as f:
    docs = [d for d in yaml.safe_load_all(f) if d]
deployment = next((d for d in docs if d.get("kind") == "Deployment"), None) or fail("no Deployment")
container = deployment["spec"]["template"]["spec"]["containers"][0]
live = container["livenessProbe"]["grpc"]
ready = container["readinessProbe"]["grpc"]
if live.get("service") != "" or ready.get("service") != "shop.cart.v1.CartService":
    fail("probes must use '' (liveness) and shop.cart.v1.CartService (readiness)")
if live.get("port") != 50051 or ready.get("port") != 50051:
    fail("probes must target port 50051")
if not any(d.get("kind") == "Service" for d in docs):
    fail("no Service")

print("check-compose: docker-compose.yml, Dockerfile and deploy/k8s look right")
