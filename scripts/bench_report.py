#!/usr/bin/env python3
"""Turns the results of scripts/bench.sh into the measured part of
docs/benchmarks.md: the machine, the versions, the command, every figure and
the ratios to the floors, checked against the targets. Only the text between
the `bench:begin` and `bench:end` markers is replaced; the rest of the file
(the analysis) is kept."""

import argparse
import datetime
import json
import pathlib
import platform
import re
import subprocess

BEGIN = "<!-- bench:begin (written by scripts/bench.sh; do not edit by hand) -->"
END = "<!-- bench:end -->"


def sh(*cmd):
    try:
        return subprocess.run(cmd, capture_output=True, text=True, check=False).stdout.strip()
    except OSError:
        return "unknown"


def machine():
    cpu = "unknown"
    for line in pathlib.Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    mem_kb = 0
    for line in pathlib.Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal"):
            mem_kb = int(line.split()[1])
    return {
        "cpu": cpu,
        "cores": sh("nproc"),
        "memory": f"{mem_kb / 1024 / 1024:.0f} GiB",
        "kernel": platform.release(),
        "rustc": sh("rustc", "--version"),
        "postgres": sh("psql", "-h", "127.0.0.1", "-U", "postgres", "-Atc", "SHOW server_version"),
        "commit": sh("git", "rev-parse", "--short", "HEAD"),
    }


def tps(path):
    match = re.search(r"tps = ([0-9.]+) \(without initial connection time\)", path.read_text())
    return float(match.group(1)) if match else 0.0


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("work")
    parser.add_argument("out")
    parser.add_argument("--command", required=True)
    args = parser.parse_args()
    work = pathlib.Path(args.work)

    runs = {p.stem: json.loads(p.read_text()) for p in sorted(work.glob("*.json"))}
    floors = {name: tps(work / f"{name}.txt") for name in ("pgbench-N", "pgbench-S")}
    rss = {
        p.stem.removeprefix("rss-"): int(p.read_text().strip() or 0) / 1024
        for p in work.glob("rss-*.txt")
    }
    m = machine()

    def run(name):
        return runs.get(name, {"rps": 0.0, "latency_ms": {}, "errors": 0, "errors_by_code": {}})

    any_run = next(iter(runs.values()), {})
    lines = [
        BEGIN,
        "",
        f"Measured {datetime.date.today().isoformat()} at commit `{m['commit']}` with:",
        "",
        f"    {args.command}",
        "",
        f"- Machine: {m['cpu']}, {m['cores']} cores, {m['memory']}, Linux {m['kernel']}; "
        "load generator, service, catalog and PostgreSQL all on this one machine.",
        f"- Versions: {m['rustc']}; PostgreSQL {m['postgres']}; release build.",
        f"- Load: {any_run.get('in_flight', '?')} requests in flight over "
        f"{any_run.get('connections', '?')} connections, {any_run.get('duration_s', '?')} s "
        f"after {any_run.get('warmup_s', '?')} s warm-up; every response checked.",
        "",
        "| run | requests/s | p50 ms | p90 ms | p99 ms | p99.9 ms | service µs/call | PostgreSQL µs/call | Redis µs/call | errors |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for name, r in runs.items():
        lat = r["latency_ms"]
        errors = ", ".join(f"{k} {v}" for k, v in r["errors_by_code"].items()) or "0"
        cpu = r.get("cpu_us_per_call") or {}
        service, pg, redis = cpu.get("service"), cpu.get("postgres"), cpu.get("redis")
        on_pg, cached = name.startswith("postgres"), "-cached-" in name
        lines.append(
            f"| {name} | {r['rps']:.0f} | {lat['p50']:.2f} | {lat['p90']:.2f} | "
            f"{lat['p99']:.2f} | {lat['p99_9']:.2f} | {'' if service is None else f'{service:.0f}'} | "
            f"{f'{pg:.0f}' if pg is not None and on_pg else ''} | "
            f"{f'{redis:.0f}' if redis is not None and cached else ''} | {errors} |"
        )
    lines += [
        "",
        "| floor | transactions/s |",
        "|---|---:|",
        f"| `pgbench -N` (simple update, prepared) | {floors['pgbench-N']:.0f} |",
        f"| `pgbench -S` (select only, prepared) | {floors['pgbench-S']:.0f} |",
        "",
        "| service peak RSS (VmHWM) | MiB |",
        "|---|---:|",
    ]
    for backend, mib in sorted(rss.items()):
        lines.append(f"| {backend} | {mib:.1f} |")

    def ratio(a, b):
        return a / b if b else 0.0

    def service_us(r):
        return (r.get("cpu_us_per_call") or {}).get("service") or 0.0

    def postgres_us(r):
        return (r.get("cpu_us_per_call") or {}).get("postgres") or 0.0

    keyed, unkeyed = run("postgres-add-item-keyed"), run("postgres-add-item-unkeyed")
    get_pg, health = run("postgres-get-cart"), run("sqlite-health")
    get_cached = run("postgres-cached-get-cart")
    health_us = service_us(health)

    def per_health(r):
        return ratio(service_us(r), health_us)

    def against(r, floor, at_least):
        value = ratio(r["rps"], floors[floor])
        return f"{value:.2f}×", value >= at_least

    checks = [
        ("keyed AddItem on PostgreSQL ≥ 0.6× `pgbench -N` (aim 0.8×)",
         *against(keyed, "pgbench-N", 0.6)),
        ("unkeyed AddItem on PostgreSQL ≥ 0.6× `pgbench -N` (aim 0.8×)",
         *against(unkeyed, "pgbench-N", 0.6)),
        ("GetCart on PostgreSQL ≥ 0.3× `pgbench -S` (aim 0.5×)",
         *against(get_pg, "pgbench-S", 0.3)),
        (
            "health on the cart service ≥ 0.9× a bare tonic health server",
            f"{ratio(health['rps'], run('bare-health')['rps']):.2f}×",
            ratio(health["rps"], run("bare-health")["rps"]) >= 0.9,
        ),
        (
            f"service CPU per GetCart ≤ 2.5× one health check's ({health_us:.0f} µs; aim 1.5×)",
            f"{per_health(get_pg):.1f}×",
            0 < per_health(get_pg) <= 2.5,
        ),
        (
            "service CPU per keyed AddItem ≤ 4× one health check's (aim 3×)",
            f"{per_health(keyed):.1f}×",
            0 < per_health(keyed) <= 4,
        ),
        (
            "PostgreSQL CPU per keyed AddItem ≤ the unkeyed one's",
            f"{postgres_us(keyed):.0f} µs against {postgres_us(unkeyed):.0f} µs",
            0 < postgres_us(keyed) <= postgres_us(unkeyed),
        ),
        (
            "keyed AddItem p99 ≤ 15 ms (PostgreSQL)",
            f"{keyed['latency_ms'].get('p99', 0):.1f} ms",
            0 < keyed["latency_ms"].get("p99", 0) <= 15,
        ),
        (
            "GetCart p99 ≤ 10 ms (PostgreSQL)",
            f"{get_pg['latency_ms'].get('p99', 0):.1f} ms",
            0 < get_pg["latency_ms"].get("p99", 0) <= 10,
        ),
        (
            "the Redis cache moves GetCart by ≥ 20% (requests/s; the cache is kept, and recommended, only then)",
            f"{ratio(get_cached['rps'], get_pg['rps']):.2f}× the uncached rate",
            ratio(get_cached["rps"], get_pg["rps"]) >= 1.2,
        ),
        (
            "service RSS ≤ 64 MiB under load",
            ", ".join(f"{b} {v:.1f} MiB" for b, v in sorted(rss.items())),
            bool(rss) and max(rss.values()) <= 64,
        ),
        (
            "SQLite AddItem: no SQLITE_BUSY reaching a client",
            f"{run('sqlite-add-item-keyed')['errors'] + run('sqlite-add-item-unkeyed')['errors']} errors",
            run("sqlite-add-item-keyed")["errors"] == 0
            and run("sqlite-add-item-unkeyed")["errors"] == 0
            and run("sqlite-add-item-keyed")["rps"] > 0,
        ),
    ]
    lines += ["", "| target | reached | |", "|---|---|---|"]
    for target, reached, ok in checks:
        lines.append(f"| {target} | {reached} | {'met' if ok else '**missed**'} |")
    lines += ["", END]
    block = "\n".join(lines)

    out = pathlib.Path(args.out)
    text = out.read_text() if out.exists() else "# Benchmarks\n\n" + BEGIN + "\n" + END + "\n"
    if BEGIN in text and END in text:
        head, rest = text.split(BEGIN, 1)
        _, tail = rest.split(END, 1)
        text = head + block + tail
    else:
        text = text.rstrip() + "\n\n" + block + "\n"
    out.write_text(text)


if __name__ == "__main__":
    main()
