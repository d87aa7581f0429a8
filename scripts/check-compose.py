#!/usr/bin/env python3
"""Checks what the schema validators cannot see in docker-compose.yml, the
Dockerfile and the Kubernetes base (deploy/k8s/base) and overlays: that the
services are wired by the environment variables the service reads, ports and
dependencies line up, start-up waits for health and for the migration, the
probes use the gRPC health names the server registers, and the shutdown drain
fits in the time the orchestrator gives it. No Docker engine or cluster is
needed: the files are only parsed."""

import re
import sys
from pathlib import Path

import yaml

CART_HEALTH = "shop.cart.v1.CartService"
PORT = 50051
CATALOG_PORT = 50061
# The service's defaults (src/config/mod.rs): drain delay, then shutdown grace.
DEFAULT_DRAIN_MS = 5000
DEFAULT_GRACE_SECS = 10
BASE = Path("deploy/k8s/base")
OVERLAYS = Path("deploy/k8s/overlays")


def fail(message: str) -> None:
    print(f"check-compose: {message}", file=sys.stderr)
    sys.exit(1)


def check(condition: object, message: str) -> None:
    if not condition:
        fail(message)


def seconds(duration: object) -> float:
    """A compose duration ("20s", "1m30s", "500ms") in seconds."""
    text = str(duration)
    parts = re.findall(r"(\d+(?:\.\d+)?)(ms|us|h|m|s)", text)
    check(parts and "".join(n + u for n, u in parts) == text, f"bad duration {text!r}")
    scale = {"h": 3600, "m": 60, "s": 1, "ms": 0.001, "us": 0.000001}
    return sum(float(n) * scale[u] for n, u in parts)


def drain_budget(env: dict) -> float:
    """Drain delay plus shutdown grace, in seconds, from CART__ settings."""
    drain_ms = int(env.get("CART__SERVER__DRAIN_DELAY_MS", DEFAULT_DRAIN_MS))
    grace = int(env.get("CART__SERVER__SHUTDOWN_GRACE_SECS", DEFAULT_GRACE_SECS))
    return drain_ms / 1000 + grace


# --- docker-compose.yml ---------------------------------------------------

with open("docker-compose.yml") as f:
    compose = yaml.safe_load(f)
services = compose.get("services") or fail("no services")
for name in ("cart", "migrate", "postgres", "catalog", "jaeger", "redis"):
    check(name in services, f"service {name!r} missing")

cart = services["cart"]
check(cart.get("build") == ".", "cart must be built from the Dockerfile")
env = cart.get("environment") or {}
expected = {
    "CART__DATABASE__URL": "@postgres:5432/",
    "CART__CATALOG__URL": f"http://catalog:{CATALOG_PORT}",
    "CART__TELEMETRY__OTLP_ENDPOINT": "http://jaeger:4317",
    "CART__CACHE__REDIS_URL": "redis://redis:6379",
    "CART__LIMITS__REDIS_URL": "redis://redis:6379",
}
for var, part in expected.items():
    check(part in str(env.get(var, "")), f"cart {var} should contain {part!r}, is {env.get(var)!r}")
check(
    str(env.get("CART__DATABASE__RUN_MIGRATIONS")).lower() == "false",
    "cart must leave migrations to the migrate service (CART__DATABASE__RUN_MIGRATIONS: \"false\")",
)
check(f"{PORT}:{PORT}" in cart.get("ports", []), f"cart must publish {PORT}")
check(
    (cart.get("healthcheck") or {}).get("test") == ["CMD", "cart-service", "healthcheck"],
    "cart healthcheck must be [CMD, cart-service, healthcheck]",
)
deps = cart.get("depends_on") or {}
wanted = {
    "postgres": "service_healthy",
    "migrate": "service_completed_successfully",
    "catalog": "service_healthy",
    "redis": "service_healthy",
}
for dep, condition in wanted.items():
    got = (deps.get(dep) or {}).get("condition")
    check(got == condition, f"cart must wait for {dep} with {condition}, has {got!r}")
check("jaeger" in deps, "cart must depend on jaeger")
check(
    seconds(cart.get("stop_grace_period", "10s")) > drain_budget(env),
    "cart stop_grace_period must exceed drain delay + shutdown grace",
)

migrate = services["migrate"]
check(migrate.get("build") == ".", "migrate must run the image built from the Dockerfile")
check(migrate.get("command") == ["migrate"], "migrate must run `cart-service migrate`")
check(
    (migrate.get("environment") or {}).get("CART__DATABASE__URL") == env["CART__DATABASE__URL"],
    "migrate and cart must use the same database",
)
check(
    ((migrate.get("depends_on") or {}).get("postgres") or {}).get("condition") == "service_healthy",
    "migrate must wait for a healthy postgres",
)

pg = services["postgres"]
pg_env = pg.get("environment") or {}
url = env["CART__DATABASE__URL"]
creds = f"{pg_env.get('POSTGRES_USER')}:{pg_env.get('POSTGRES_PASSWORD')}@"
check(
    creds in url and url.endswith("/" + str(pg_env.get("POSTGRES_DB"))),
    "cart database URL does not match postgres credentials",
)
check("healthcheck" in pg, "postgres needs a healthcheck")

redis = services["redis"]
check("healthcheck" in redis, "redis needs a healthcheck")
# The cache's generation key has no TTL; evicting it flushes the cache
# (docs/caching.md): volatile-* policies leave it alone.
redis_cmd = redis.get("command") or []
check(
    "--maxmemory-policy" in redis_cmd
    and str(redis_cmd[redis_cmd.index("--maxmemory-policy") + 1]).startswith("volatile-"),
    "redis must evict only keys with a TTL (--maxmemory-policy volatile-*): evicting the generation key flushes the cache",
)

catalog = services["catalog"]
entry = catalog.get("entrypoint") or []
check(
    entry[:1] == ["catalog-server"] and f"0.0.0.0:{CATALOG_PORT}" in entry,
    f"catalog must run catalog-server on 0.0.0.0:{CATALOG_PORT}",
)
check("--fixture" in entry, "catalog must name its fixture")
# The image's HEALTHCHECK asks for the cart's health, which catalog-server
# does not serve: the catalog needs its own.
catalog_test = (catalog.get("healthcheck") or {}).get("test") or []
check(
    catalog_test and "cart-service" not in catalog_test and str(CATALOG_PORT) in " ".join(catalog_test),
    "catalog needs its own healthcheck on its port",
)

# --- Dockerfile -----------------------------------------------------------

with open("Dockerfile") as f:
    dockerfile = f.read()
froms = re.findall(r"^FROM\s+(\S+)", dockerfile, re.MULTILINE)
check(len(froms) >= 2, "Dockerfile must be multi-stage")
for image in froms:
    check("@sha256:" in image and ":latest" not in image, f"base image {image} must be pinned (tag@digest)")
for binary in ("cart-service", "catalog-server"):
    check(f"/usr/local/bin/{binary}" in dockerfile, f"Dockerfile must install {binary}")
check(re.search(r"^USER\s+10001:10001\s*$", dockerfile, re.MULTILINE), "Dockerfile must run as USER 10001:10001")
check(
    re.search(r'^\s*CMD \["cart-service", "healthcheck"\]', dockerfile, re.MULTILINE)
    and "HEALTHCHECK" in dockerfile,
    "Dockerfile needs HEALTHCHECK CMD [\"cart-service\", \"healthcheck\"]",
)
check("sqlite:///app/data/" in dockerfile, "the SQLite default must live in the writable /app/data")

# --- deploy/k8s/base ------------------------------------------------------


def load_kustomization(directory: Path) -> dict:
    path = directory / "kustomization.yaml"
    check(path.exists(), f"{path} missing")
    with open(path) as f:
        return yaml.safe_load(f) or {}


kustomization = load_kustomization(BASE)
namespace = kustomization.get("namespace")
check(namespace and namespace != "default", "the base must set a namespace other than default")
docs = []
for resource in kustomization.get("resources") or []:
    path = BASE / resource
    check(path.is_file(), f"{path} (listed in the base) missing")
    with open(path) as f:
        for doc in yaml.safe_load_all(f):
            if doc:
                check(
                    "namespace" not in doc.get("metadata", {}),
                    f"{path}: leave the namespace to kustomize",
                )
                docs.append(doc)
check(not Path("deploy/k8s/cart-service.yaml").exists(), "deploy/k8s/cart-service.yaml is replaced by the base")


def find(kind: str, name: str) -> dict:
    found = [d for d in docs if d.get("kind") == kind and d["metadata"].get("name") == name]
    check(len(found) == 1, f"the base needs one {kind} {name!r}")
    return found[0]


def selects(selector: dict, labels: dict) -> bool:
    return bool(selector) and all(labels.get(k) == v for k, v in selector.items())


def env_of(container: dict) -> dict:
    return {e["name"]: e for e in container.get("env") or []}


def check_hardened(kind: str, name: str, pod: dict) -> None:
    what = f"{kind} {name}"
    check(pod.get("automountServiceAccountToken") is False, f"{what}: automountServiceAccountToken must be false")
    check(pod.get("serviceAccountName") not in (None, "default"), f"{what}: needs its own ServiceAccount")
    psc = pod.get("securityContext") or {}
    check(psc.get("runAsNonRoot") is True, f"{what}: runAsNonRoot")
    check(psc.get("runAsUser") == 10001 and psc.get("runAsGroup") == 10001, f"{what}: run as 10001:10001")
    check((psc.get("seccompProfile") or {}).get("type") == "RuntimeDefault", f"{what}: seccomp RuntimeDefault")
    for c in pod["containers"]:
        sc = c.get("securityContext") or {}
        check(sc.get("readOnlyRootFilesystem") is True, f"{what}/{c['name']}: read-only root filesystem")
        check(sc.get("allowPrivilegeEscalation") is False, f"{what}/{c['name']}: allowPrivilegeEscalation false")
        check((sc.get("capabilities") or {}).get("drop") == ["ALL"], f"{what}/{c['name']}: drop ALL capabilities")
        res = c.get("resources") or {}
        for part in ("requests", "limits"):
            for key in ("cpu", "memory"):
                check(key in (res.get(part) or {}), f"{what}/{c['name']}: {part}.{key} missing")
        image = c.get("image", "")
        check(":" in image and not image.endswith(":latest"), f"{what}/{c['name']}: pin the image tag")
        check(c.get("imagePullPolicy"), f"{what}/{c['name']}: set imagePullPolicy")


deployment = find("Deployment", "cart-service")
spec = deployment["spec"]
pod = spec["template"]["spec"]
pod_labels = spec["template"]["metadata"]["labels"]
check(selects(spec["selector"]["matchLabels"], pod_labels), "Deployment selector must match its pods")
check_hardened("Deployment", "cart-service", pod)
check(spec["strategy"]["rollingUpdate"].get("maxUnavailable") == 0, "rollouts must keep every replica (maxUnavailable 0)")
container = pod["containers"][0]
cart_env = env_of(container)
check(
    "secretKeyRef" in (cart_env.get("CART__DATABASE__URL", {}).get("valueFrom") or {}),
    "CART__DATABASE__URL must come from a Secret",
)
check(
    cart_env.get("CART__DATABASE__RUN_MIGRATIONS", {}).get("value") == "false",
    "replicas must leave migrations to the Job (CART__DATABASE__RUN_MIGRATIONS=false)",
)
check(
    cart_env.get("CART__CATALOG__URL", {}).get("value") == f"http://catalog:{CATALOG_PORT}",
    "CART__CATALOG__URL must name the catalog Service",
)
probes = {kind: (container.get(f"{kind}Probe") or {}).get("grpc") for kind in ("startup", "liveness", "readiness")}
for kind, probe in probes.items():
    check(probe, f"{kind} probe must be a gRPC probe")
    check(probe.get("port") == PORT, f"{kind} probe must target port {PORT}")
check(
    probes["liveness"].get("service") == "" and probes["readiness"].get("service") == CART_HEALTH,
    f"probes must use '' (liveness) and {CART_HEALTH} (readiness)",
)
plain_env = {k: v.get("value") for k, v in cart_env.items() if "value" in v}
grace_period = pod.get("terminationGracePeriodSeconds", 30)
check(
    grace_period > drain_budget(plain_env),
    f"terminationGracePeriodSeconds ({grace_period}) must exceed drain delay + shutdown grace "
    f"({drain_budget(plain_env):g} s)",
)
liveness = container["livenessProbe"]
check(
    liveness.get("periodSeconds", 10) * liveness.get("failureThreshold", 3) > drain_budget(plain_env),
    "the liveness probe must not fail a pod within one drain",
)

services_k8s = [d for d in docs if d.get("kind") == "Service"]
cart_services = [s for s in services_k8s if selects(s["spec"].get("selector"), pod_labels)]
check(
    any(s["spec"].get("clusterIP") != "None" for s in cart_services),
    "the cart pods need a ClusterIP Service",
)
headless = find("Service", "cart-headless")
check(headless["spec"].get("clusterIP") == "None", "cart-headless must be headless (clusterIP: None)")
for svc in cart_services:
    check(
        any(p.get("port") == PORT for p in svc["spec"]["ports"]),
        f"Service {svc['metadata']['name']} must expose {PORT}",
    )
check(headless in cart_services, "cart-headless must select the cart pods")

job = find("Job", "cart-migrate")
job_pod = job["spec"]["template"]["spec"]
check_hardened("Job", "cart-migrate", job_pod)
migrate_container = job_pod["containers"][0]
check(
    (migrate_container.get("args") or migrate_container.get("command")) == ["migrate"],
    "the Job must run `cart-service migrate`",
)
check(job_pod.get("restartPolicy") in ("Never", "OnFailure"), "the Job's pods must not restart forever")
check("backoffLimit" in job["spec"] and "ttlSecondsAfterFinished" in job["spec"], "the Job needs backoffLimit and ttlSecondsAfterFinished")
check(
    "secretKeyRef" in (env_of(migrate_container).get("CART__DATABASE__URL", {}).get("valueFrom") or {}),
    "the Job must read CART__DATABASE__URL from the same Secret",
)

pdb = find("PodDisruptionBudget", "cart-service")
check(selects(pdb["spec"]["selector"]["matchLabels"], pod_labels), "the PodDisruptionBudget must select the cart pods")
hpa = find("HorizontalPodAutoscaler", "cart-service")
check(hpa["apiVersion"] == "autoscaling/v2", "the HorizontalPodAutoscaler must be autoscaling/v2")
check(hpa["spec"]["scaleTargetRef"]["name"] == "cart-service", "the HPA must scale the cart Deployment")
check(hpa["spec"]["minReplicas"] == spec.get("replicas"), "the Deployment's replicas must equal the HPA's minReplicas")

for sa in ("cart-service", "catalog"):
    check(find("ServiceAccount", sa).get("automountServiceAccountToken") is False, f"ServiceAccount {sa}: no token")

policies = [d for d in docs if d.get("kind") == "NetworkPolicy" and selects(d["spec"]["podSelector"].get("matchLabels"), pod_labels)]
check(policies, "a NetworkPolicy must select the cart pods")
ingress_ports = {p.get("port") for pol in policies for rule in pol["spec"].get("ingress") or [] for p in rule.get("ports") or []}
egress_ports = {p.get("port") for pol in policies for rule in pol["spec"].get("egress") or [] for p in rule.get("ports") or []}
check(PORT in ingress_ports, f"the cart NetworkPolicy must let gRPC in on {PORT}")
for port in (53, 5432, CATALOG_PORT, 4317):
    check(port in egress_ports, f"the cart NetworkPolicy must let traffic out to port {port}")

catalog_deployment = find("Deployment", "catalog")
catalog_pod = catalog_deployment["spec"]["template"]["spec"]
check_hardened("Deployment", "catalog", catalog_pod)
catalog_container = catalog_pod["containers"][0]
catalog_argv = (catalog_container.get("command") or []) + (catalog_container.get("args") or [])
check(
    catalog_argv[:1] == ["catalog-server"] and f"0.0.0.0:{CATALOG_PORT}" in catalog_argv,
    f"the catalog Deployment must run catalog-server on 0.0.0.0:{CATALOG_PORT}",
)
for kind in ("startup", "liveness", "readiness"):
    probe = catalog_container.get(f"{kind}Probe") or {}
    # catalog-server serves no grpc.health.v1: a gRPC probe would never pass.
    check("tcpSocket" in probe, f"the catalog's {kind} probe must be a TCP probe")
catalog_service = find("Service", "catalog")
check(
    any(p.get("port") == CATALOG_PORT for p in catalog_service["spec"]["ports"]),
    f"Service catalog must expose {CATALOG_PORT}",
)

# --- deploy/k8s/overlays --------------------------------------------------

overlays = sorted(p for p in OVERLAYS.iterdir() if p.is_dir()) if OVERLAYS.is_dir() else []
check(overlays, "at least one overlay (deploy/k8s/overlays/NAME) expected")
for overlay in overlays:
    kz = load_kustomization(overlay)
    check(kz.get("namespace") not in (None, "default"), f"{overlay}: set a namespace other than default")
    check("../../base" in (kz.get("resources") or []), f"{overlay}: must build on ../../base")
    tags = [i for i in kz.get("images") or [] if i.get("name") == "cart-service"]
    check(
        tags and all(i.get("newTag") not in (None, "latest") or i.get("digest") for i in tags),
        f"{overlay}: pin the cart-service image (images[].newTag or digest)",
    )
    for patch in kz.get("patches") or []:
        if "path" in patch:
            check((overlay / patch["path"]).is_file(), f"{overlay}: patch {patch['path']} missing")

print("check-compose: docker-compose.yml, Dockerfile and deploy/k8s look right")
