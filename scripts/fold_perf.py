#!/usr/bin/env python3
"""Folds `perf script` output (stdin) into flamegraph stacks, one line per
distinct stack, root first: `frame;frame;frame count` (the format
flamegraph.pl and inferno read). With --top N, prints instead the N frames
with the most self time, as a Markdown table."""

import collections
import re
import sys


def samples(lines):
    stack = []
    for line in lines:
        line = line.rstrip("\n")
        if not line.strip():
            if stack:
                yield stack
            stack = []
            continue
        if line[0] not in " \t":
            continue  # the sample's header line: command, pid, time, event
        parts = line.strip().split(None, 1)
        if len(parts) < 2:
            continue
        frame = re.sub(r"\+0x[0-9a-f]+$", "", parts[1].split(" (")[0])
        frame = re.sub(r"::h[0-9a-f]{16}$", "", frame)
        stack.append(frame or "[unknown]")
    if stack:
        yield stack


def main():
    top = None
    if len(sys.argv) == 3 and sys.argv[1] == "--top":
        top = int(sys.argv[2])
    folded = collections.Counter()
    selfs = collections.Counter()
    total = 0
    for stack in samples(sys.stdin):
        total += 1
        selfs[stack[0]] += 1
        folded[";".join(reversed(stack)).replace(" ", "_")] += 1
    if top is None:
        for stack, count in sorted(folded.items()):
            print(f"{stack} {count}")
        return
    print("| frame | self time |")
    print("|---|---:|")
    for frame, count in selfs.most_common(top):
        name = frame if len(frame) <= 90 else frame[:87] + "..."
        print(f"| `{name}` | {100 * count / max(total, 1):.1f}% |")


if __name__ == "__main__":
    main()
