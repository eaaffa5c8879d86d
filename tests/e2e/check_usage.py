#!/usr/bin/env python3
"""Checks what a stopped gateway recorded against what the mock answered.

Every generation request in the mock's log (those whose entry carries the
``usage`` it reported) must be one row of ``switchyard usage export --format
json`` from the expected client, and the totals of ``switchyard usage --json``
must be the sums of the mock's token counts. Count-tokens requests are rows
with no tokens. Prints ``problem: ...`` lines and exits 1 on a mismatch.
"""

import argparse
import json
import sys


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--log", required=True, help="the mock upstream's JSON-lines log")
    parser.add_argument("--usage", required=True, help="output of `switchyard usage --json`")
    parser.add_argument("--export", required=True, help="output of `switchyard usage export --format json`")
    parser.add_argument("--client", required=True, help="the client kind every row must name")
    args = parser.parse_args()

    with open(args.log, encoding="utf-8") as f:
        answered = [e["usage"] for e in map(json.loads, f) if e.get("usage")]
    with open(args.usage, encoding="utf-8") as f:
        totals = json.load(f)
    with open(args.export, encoding="utf-8") as f:
        rows = json.load(f)

    problems = []
    generated = [r for r in rows if not r["endpoint"].endswith("count_tokens")]
    if not answered:
        problems.append("the mock answered no generation request")
    if len(generated) != len(answered):
        problems.append(f"{len(generated)} generation rows stored, the mock answered {len(answered)}")
    want_in = sum(u["input"] for u in answered)
    want_out = sum(u["output"] for u in answered)
    if (totals.get("input_tokens"), totals.get("output_tokens")) != (want_in, want_out):
        problems.append(
            f"usage --json: input_tokens={totals.get('input_tokens')} output_tokens="
            f"{totals.get('output_tokens')}, the mock reported {want_in} and {want_out}"
        )
    if totals.get("requests") != len(rows):
        problems.append(f"usage --json: requests={totals.get('requests')}, export has {len(rows)} rows")
    for row in rows:
        if row["client"] != args.client or row["outcome"] != "ok" or row["status"] != 200:
            problems.append(
                f"row {row['id']}: client {row['client']} outcome {row['outcome']} status {row['status']}"
            )
    counted = [(r["input_tokens"], r["output_tokens"]) for r in generated]
    if sorted(counted) != sorted((u["input"], u["output"]) for u in answered):
        problems.append(f"per-request tokens {counted} differ from the mock's {answered}")
    for problem in problems:
        print(f"problem: {problem}")
    if not problems:
        print(f"usage: {len(rows)} rows, input {want_in}, output {want_out} tokens, as the mock answered")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
