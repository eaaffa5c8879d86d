#!/usr/bin/env python3
"""Assertions for one Claude Code e2e scenario (stdlib only).

Reads the mock upstream's JSON-lines log (from a given line on, so several
scenarios can share one mock) and Claude Code's ``--output-format stream-json``
output, and checks that the tool loop went through the expected upstream wire
format. Prints one line per problem and exits 1 if there is any; prints a short
summary either way. Also usable as ``--summary-only`` to describe a log.
"""

from __future__ import annotations

import json
import os
import sys
from collections import Counter

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from e2e_common import (  # noqa: E402
    arg_parser,
    args_equal,
    calls_and_results,
    check_statuses,
    load_jsonl,
    log_entries,
    report,
    summarize_file,
)

ROUTES = {"openai": "/v1/chat/completions", "anthropic": "/v1/messages"}


def summarize(entries: list[dict]) -> list[str]:
    lines = []
    for e in entries:
        b = e.get("body") if isinstance(e.get("body"), dict) else {}
        lines.append(
            "  {} {} -> {} {} | model={} stream={} max_tokens={} messages={} tools={}".format(
                e.get("method"),
                e.get("path"),
                e.get("status"),
                e.get("reply"),
                b.get("model"),
                b.get("stream"),
                b.get("max_tokens", b.get("max_completion_tokens")),
                len(b.get("messages") or []),
                len(b.get("tools") or []),
            )
        )
    return lines


def summarize_claude(path: str) -> list[str]:
    """One short line per stream-json event of a Claude Code run."""
    lines = []
    for e in load_jsonl(path):
        t = e.get("type")
        if t == "system":
            lines.append(f"  system/{e.get('subtype')} model={e.get('model')} tools={len(e.get('tools') or [])}")
        elif t in ("assistant", "user"):
            msg = e.get("message") or {}
            parts = []
            content = msg.get("content")
            if isinstance(content, str):
                content = [{"type": "text", "text": content}]
            for blk in content or []:
                if not isinstance(blk, dict):
                    continue
                bt = blk.get("type")
                if bt == "text":
                    parts.append("text " + json.dumps(blk.get("text"))[:300])
                elif bt == "tool_use":
                    parts.append(f"tool_use {blk.get('name')} {json.dumps(blk.get('input'))[:300]}")
                elif bt == "tool_result":
                    parts.append(
                        f"tool_result{' ERROR' if blk.get('is_error') else ''} {json.dumps(blk.get('content'))[:300]}"
                    )
                else:
                    parts.append(str(bt))
            err = f" error={e.get('error')}/{e.get('api_error_status')}" if e.get("error") else ""
            lines.append(f"  {t}{err}: " + " | ".join(parts))
        elif t == "result":
            lines.append(
                "  result: is_error={} terminal_reason={} api_error_status={} result={}".format(
                    e.get("is_error"), e.get("terminal_reason"), e.get("api_error_status"), json.dumps(e.get("result"))[:400]
                )
            )
        elif "_unparsable" in e:
            lines.append("  (non-JSON) " + e["_unparsable"])
        else:
            lines.append(f"  {t}")
    return lines


def check_round_trip(body: dict, kind: str, tool: str, tool_id: str, tool_input) -> tuple[list[str], list[str]]:
    """The follow-up request must replay the tool call and carry its result, ids matching.

    The id must pair the call with its result inside the request (what real
    upstreams validate); keeping the upstream's original id is only reported.
    """
    calls, results = calls_and_results(body, kind)
    what = "tool_calls entry" if kind == "openai" else "tool_use block"
    matching = [c for c in calls if c[1] == tool and args_equal(c[2], tool_input)]
    if not matching:
        seen = "; ".join(f"{n} {json.dumps(i)[:200]}" for _, n, i in calls) or "none"
        return [f"follow-up request has no assistant {what} {tool} with the original input (saw: {seen})"], []
    ids = [c[0] for c in matching]
    call_id = tool_id if tool_id in ids else ids[-1]
    info = []
    if call_id != tool_id:
        info.append(f"tool call id rewritten by the gateway: {tool_id} -> {call_id}")
    res = [r for r in results if r[0] == call_id]
    if not res:
        return [f"follow-up request has no tool result for id {call_id} (results for: {[r[0] for r in results]})"], info
    if not res[-1][1] or res[-1][1] in ('""', "[]", "null"):
        return [f"tool result for {call_id} is empty"], info
    return [], info


def check_upstream(entries: list[dict], kind: str, tool: str, model: str) -> tuple[list[str], list[str]]:
    problems: list[str] = []
    info: list[str] = []
    route = ROUTES[kind]
    other = {r for k, r in ROUTES.items() if k != kind}

    if not entries:
        return [f"the mock upstream received no request at all (expected {route})"], info

    problems += check_statuses(entries, "gateway called an unknown upstream path")
    for e in entries:
        if e.get("route") in other:
            problems.append(f"request sent in the wrong upstream format: {e.get('path')} (want {route})")

    main = [e for e in entries if e.get("route") == route and e.get("status") == 200]
    info.append("upstream routes: " + ", ".join(f"{r} x{n}" for r, n in Counter(e.get("route") for e in entries).items()))
    models = Counter((e.get("body") or {}).get("model") for e in main)
    info.append("upstream models: " + ", ".join(f"{m} x{n}" for m, n in models.items()))
    for m in models:
        if m != model:
            problems.append(f"upstream saw model {m!r}; want {model!r} (route's upstream_model)")

    calls = [
        (i, e)
        for i, e in enumerate(main)
        if e.get("tool_id") and str(e.get("reply", "")).split(" ")[:2] in (["tool_call", tool], ["tool_use", tool])
    ]
    if not calls:
        problems.append(f"the mock never answered with a {tool} tool call (no request reached it with the prompt marker and tools)")
        return problems, info
    i_call, call = calls[0]
    done = [e for e in main[i_call + 1 :] if "'Done.'" in str(e.get("reply", ""))]
    if not done:
        problems.append(f"no follow-up request carried the {tool} tool result back to the upstream")
        return problems, info
    follow = done[0]
    body = follow.get("body") or {}
    p, i = check_round_trip(body, kind, tool, call["tool_id"], call.get("tool_input"))
    problems += p
    info += i
    info.append(
        f"tool round trip: {tool} id {call['tool_id']} "
        f"(first request stream={ (call.get('body') or {}).get('stream') }, follow-up stream={body.get('stream')})"
    )
    return problems, info


def check_claude(path: str, tool: str) -> tuple[list[str], list[str]]:
    problems: list[str] = []
    info: list[str] = []
    events = load_jsonl(path)
    if not events:
        return ["Claude Code printed no stream-json output"], info
    results = [e for e in events if e.get("type") == "result"]
    if not results:
        problems.append("Claude Code output has no final 'result' event")
    else:
        r = results[-1]
        if r.get("is_error"):
            problems.append(f"Claude Code reported an error: {r.get('api_error') or ''} {str(r.get('result'))[:300]!r}")
        elif "Done." not in str(r.get("result")):
            problems.append(f"final answer {str(r.get('result'))[:200]!r} does not contain 'Done.'")
        if r.get("permission_denials"):
            problems.append(f"Claude Code denied tool use: {json.dumps(r.get('permission_denials'))[:300]}")
        info.append(f"claude: num_turns={r.get('num_turns')} duration_ms={r.get('duration_ms')} terminal_reason={r.get('terminal_reason')}")

    use_ids = set()
    for e in events:
        if e.get("type") != "assistant":
            continue
        for blk in (e.get("message") or {}).get("content") or []:
            if isinstance(blk, dict) and blk.get("type") == "tool_use" and blk.get("name") == tool:
                use_ids.add(blk.get("id"))
    if not use_ids:
        problems.append(f"Claude Code never received a {tool} tool call")
        return problems, info
    seen_result = False
    for e in events:
        if e.get("type") != "user":
            continue
        for blk in (e.get("message") or {}).get("content") or []:
            if isinstance(blk, dict) and blk.get("type") == "tool_result" and blk.get("tool_use_id") in use_ids:
                seen_result = True
                if blk.get("is_error"):
                    problems.append(f"{tool} tool failed inside Claude Code: {json.dumps(blk.get('content'))[:300]}")
    if not seen_result:
        problems.append(f"Claude Code never ran the {tool} tool (no tool_result)")
    return problems, info


def main(argv=None) -> int:
    ap = arg_parser(__doc__, upstream_keys=False)
    ap.add_argument("--kind", choices=sorted(ROUTES), help="upstream wire format")
    ap.add_argument("--tool", choices=["Write", "Bash"])
    ap.add_argument("--expect-model", help="model id the upstream must see")
    ap.add_argument("--claude-out", help="Claude Code stream-json output")
    ap.add_argument("--summarize-claude", metavar="FILE", help="only print one line per stream-json event of FILE")
    a = ap.parse_args(argv)

    if a.summarize_claude:
        return summarize_file(summarize_claude(a.summarize_claude))
    entries = log_entries(ap, a, summarize)
    if entries is None:
        return 0
    if not (a.kind and a.tool and a.expect_model and a.claude_out):
        ap.error("--kind, --tool, --expect-model and --claude-out are required unless --summary-only")

    return report(
        check_upstream(entries, a.kind, a.tool, a.expect_model),
        check_claude(a.claude_out, a.tool),
    )


if __name__ == "__main__":
    sys.exit(main())
