#!/usr/bin/env bash
# Soak: the mixed load on PostgreSQL for MINUTES minutes (10) against one
# cart service, one loadgen run per minute, each on fresh carts. After every
# minute it records the service's RSS; it writes each minute's throughput,
# p99 and errors, and the RSS, to the "soak" block of docs/benchmarks.md.
#
#   scripts/soak.sh              # 10 minutes
#   MINUTES=2 scripts/soak.sh
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d)
source scripts/bench-lib.sh
trap cleanup EXIT
OUT=${OUT:-docs/benchmarks.md}
MINUTES=${MINUTES:-10}

build_release
start_catalog demo/catalog.json
fresh_db cart_soak
start_cart "$(pg_url cart_soak)" soak
for minute in $(seq 1 "$MINUTES"); do
  DURATION=60 WARMUP=0 loadgen "minute-$(printf %02d "$minute")" mixed
  rss_kib >"$work/rss-after-$(printf %02d "$minute").txt"
done
stop_cart soak

python3 - "$work" "$OUT" "$MINUTES" <<'EOF'
import datetime, json, pathlib, subprocess, sys
work, out, minutes = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2]), sys.argv[3]
begin = "<!-- soak:begin (written by scripts/soak.sh; do not edit by hand) -->"
end = "<!-- soak:end -->"
commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
rows = [
    begin, "",
    f"Measured {datetime.date.today().isoformat()} at commit `{commit}`: `scripts/soak.sh` "
    f"(MINUTES={minutes}), the mixed load at 64 in flight on PostgreSQL, one service "
    "for the whole soak, one loadgen run per minute on 1,000 fresh carts.", "",
    "| minute | requests/s | p50 ms | p99 ms | errors | service RSS after, MiB |",
    "|---:|---:|---:|---:|---:|---:|",
]
runs = sorted(work.glob("minute-*.json"))
for run in runs:
    r = json.loads(run.read_text())
    n = run.stem.removeprefix("minute-")
    rss = int((work / f"rss-after-{n}.txt").read_text().strip() or 0) / 1024
    rows.append(f"| {int(n)} | {r['rps']:.0f} | {r['latency_ms']['p50']:.1f} | "
                f"{r['latency_ms']['p99']:.1f} | {r['errors']} | {rss:.1f} |")
peak = int((work / "rss-soak.txt").read_text().strip() or 0) / 1024
rows += ["", f"Peak RSS over the soak (VmHWM): {peak:.1f} MiB.", "", end]
block = "\n".join(rows)
text = out.read_text()
if begin in text and end in text:
    head, rest = text.split(begin, 1)
    text = head + block + rest.split(end, 1)[1]
else:
    text = text.rstrip() + "\n\n### Soak\n\n" + block + "\n"
out.write_text(text)
EOF
