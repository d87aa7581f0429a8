#!/usr/bin/env python3
"""Turns the results of scripts/at-size.sh into the "at-size" block of
docs/benchmarks.md (data size, cart size, jobs at size) and into
docs/plans-at-size.md (the plan of every statement the service sent to the
seeded database, from auto_explain). Only the text between the `at-size:begin`
and `at-size:end` markers is replaced."""

import argparse
import datetime
import json
import pathlib
import re

from bench_report import machine, tps

BEGIN = "<!-- at-size:begin (written by scripts/at-size.sh; do not edit by hand) -->"
END = "<!-- at-size:end -->"
BIG_TABLES = ("carts", "cart_items", "cart_events", "idempotency_keys")


def plans(log_text):
    """{query text: (duration ms, plan text)} from auto_explain's log lines,
    the last plan of each distinct statement (by then the cached plan)."""
    found = {}
    entry = None

    def keep(entry):
        if entry and entry["lines"]:
            text = entry["lines"][0].removeprefix("Query Text: ")
            found[text] = (entry["ms"], "\n".join(entry["lines"][1:]))

    for line in log_text.splitlines():
        m = re.search(r"LOG:  duration: ([0-9.]+) ms  plan:$", line)
        if m:
            keep(entry)
            entry = {"ms": float(m.group(1)), "lines": []}
        elif entry is not None and line.startswith(("\t", " ")):
            entry["lines"].append(line.strip("\t").rstrip())
        else:
            keep(entry)
            entry = None
    keep(entry)
    return found


def seq_scans(plan):
    return [t for t in BIG_TABLES if re.search(rf"Seq Scan on {t}\b", plan)]


def plans_page(found, commit):
    out = [
        "# Plans of the hot statements at production size",
        "",
        "Written by `scripts/at-size.sh` (do not edit by hand): every distinct",
        "statement the cart service sent to a database of 1,000,000 carts,",
        "5,000,000 lines and 20,000,000 events during a mixed load, an AddItem",
        f"load and one run of the maintenance job, at commit `{commit}`, as",
        "`auto_explain` logged it (`EXPLAIN (ANALYZE, BUFFERS)` of the statement",
        "as sent, timing off). The last plan of each statement is shown: the",
        "cached plan it settled on.",
        "",
    ]
    for n, (text, (ms, plan)) in enumerate(sorted(found.items()), 1):
        scans = seq_scans(plan)
        verdict = f"**sequential scan of {', '.join(scans)}**" if scans else "index access only"
        out += [f"## {n}. {verdict}, {ms:.3f} ms", "", "```sql", text, "```", "", "```", plan, "```", ""]
    return "\n".join(out)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("work")
    parser.add_argument("out")
    parser.add_argument("--command", required=True)
    args = parser.parse_args()
    work = pathlib.Path(args.work)
    runs = {p.stem: json.loads(p.read_text()) for p in sorted(work.glob("*.json"))}
    floors = {name: tps(work / f"{name}.txt") for name in ("pgbench-N", "pgbench-S")}
    m = machine()

    def run(name):
        return runs.get(name, {"rps": 0.0, "latency_ms": {"p99": 0.0}, "errors": 0,
                               "cpu_us_per_call": None})

    def cpu(r, side):
        c = r.get("cpu_us_per_call") or {}
        return f"{c.get(side, 0):.0f}"

    lines = [
        BEGIN, "",
        f"Measured {datetime.date.today().isoformat()} at commit `{m['commit']}` with:", "",
        f"    {args.command}", "",
        f"- Machine: {m['cpu']}, {m['cores']} cores, {m['memory']}; PostgreSQL {m['postgres']}; "
        "everything on this one machine.",
        f"- Floors in the same run: `pgbench -N` {floors['pgbench-N']:.0f} tps, "
        f"`pgbench -S` {floors['pgbench-S']:.0f} tps.",
        f"- Seeding took {(work / 'seed-seconds.txt').read_text().strip()} s; "
        f"the seeded database is {(work / 'seed-size.txt').read_text().strip()}.",
        "",
        "**Data size** (carts of 5 lines):", "",
        "| call | database | requests/s | ratio to its floor | p99 ms | service µs/call | PostgreSQL µs/call | errors |",
        "|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    ratios = {}
    for call, floor in (("get-cart", "pgbench-S"), ("add-item", "pgbench-N")):
        for db, label in (("small", "empty"), ("large", "1,000,000 carts")):
            r = run(f"{db}-{call}-5")
            ratio = r["rps"] / floors[floor] if floors[floor] else 0.0
            ratios[(call, db)] = ratio
            lines.append(
                f"| {call} | {label} | {r['rps']:.0f} | {ratio:.3f}× | {r['latency_ms']['p99']:.1f} "
                f"| {cpu(r, 'service')} | {cpu(r, 'postgres')} | {r['errors']} |"
            )
    lines += ["", "| call | at size against empty | within 20% |", "|---|---:|---|"]
    for call in ("get-cart", "add-item"):
        small, large = ratios[(call, "small")], ratios[(call, "large")]
        change = large / small if small else 0.0
        lines.append(f"| {call} | {change:.2f} | {'yes' if change >= 0.8 else '**no**'} |")

    lines += [
        "", "**Cart size** (empty database):", "",
        "| call | lines | requests/s | p99 ms | service µs/call | PostgreSQL µs/call | errors |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for call in ("get-cart", "add-item"):
        for n in (1, 5, 10, 50):
            r = run(f"small-{call}-{n}")
            lines.append(
                f"| {call} | {n} | {r['rps']:.0f} | {r['latency_ms']['p99']:.1f} "
                f"| {cpu(r, 'service')} | {cpu(r, 'postgres')} | {r['errors']} |"
            )

    job_line = (work / "job-run.txt").read_text().strip()
    try:
        parsed = json.loads(job_line)
        job = parsed.get("fields", parsed)
    except json.JSONDecodeError:
        job = {}
    quiet, busy = run("large-get-cart-5"), run("large-get-cart-during-jobs")
    lines += [
        "", "**Jobs at size** (seeded database, GetCart load at the same time):", "",
        "| job | rows | duration s |", "|---|---:|---:|",
        f"| expiry | {job.get('expired', 0)} carts | {int(job.get('expire_ms', 0)) / 1000:.1f} |",
        f"| purge (abandoned past retention, with lines and events) | {job.get('purged_abandoned', 0)} carts "
        f"| {(int(job.get('elapsed_ms', 0)) - int(job.get('expire_ms', 0))) / 1000:.1f} |",
        "",
        "| GetCart | requests/s | p99 ms | errors |", "|---|---:|---:|---:|",
        f"| without the job | {quiet['rps']:.0f} | {quiet['latency_ms']['p99']:.1f} | {quiet['errors']} |",
        f"| during the job (window includes it) | {busy['rps']:.0f} | {busy['latency_ms']['p99']:.1f} "
        f"| {busy['errors']} |",
    ]

    found = plans((work / "plans.log").read_text(errors="replace"))
    scanning = [t for t, (_, p) in found.items() if seq_scans(p)]
    lines += [
        "",
        f"**Plans**: {len(found)} distinct statements at size in [plans-at-size.md](plans-at-size.md); "
        + (f"**{len(scanning)} read a big table sequentially**." if scanning
           else "every one reaches the big tables through an index."),
        "", END,
    ]
    block = "\n".join(lines)
    out = pathlib.Path(args.out)
    text = out.read_text()
    if BEGIN in text and END in text:
        head, rest = text.split(BEGIN, 1)
        _, tail = rest.split(END, 1)
        text = head + block + tail
    else:
        text = text.rstrip() + "\n\n## Cost as the work grows\n\n" + block + "\n"
    out.write_text(text)
    (out.parent / "plans-at-size.md").write_text(plans_page(found, m["commit"]))


if __name__ == "__main__":
    main()
