#!/usr/bin/env python3
"""Assertions for one Codex CLI e2e scenario (stdlib only).

Reads the mock upstream's JSON-lines log (from a given line on, so several
scenarios can share one mock) and the output of ``codex exec --json``, and
checks that the shell-tool loop went through the expected upstream wire
format:

* ``openai``    - the gateway translated Responses to ``/v1/chat/completions``
* ``anthropic`` - the gateway translated Responses to ``/v1/messages``
* ``responses`` - ``--direct`` self-check, Codex talked to ``/v1/responses``

Prints one line per problem and exits 1 if there is any; prints a short summary
either way. ``--summary-only`` describes a log, ``--summarize-codex FILE`` a
``codex exec --json`` output.
"""

from __future__ import annotations

import json
import os
import re
import sys
from collections import Counter

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import e2e_common as common  # noqa: E402
from e2e_common import (  # noqa: E402
    arg_parser,
    check_auth,
    check_decls_accepted,
    check_statuses,
    first_tool_call,
    follow_up,
    load_jsonl,
    log_entries,
    replayed_result,
    report,
    route_counts,
    strings,
    summarize_file,
    tool_decls,
)

ROUTES = {"openai": "/v1/chat/completions", "anthropic": "/v1/messages", "responses": "/v1/responses"}
MODEL_METADATA_WARNING = "Model metadata for"


# --------------------------------------------------------------------------
# summaries
# --------------------------------------------------------------------------


def summarize(entries: list[dict]) -> list[str]:
    lines = []
    for e in entries:
        b = e.get("body") if isinstance(e.get("body"), dict) else {}
        items = b.get("messages") if "messages" in b else b.get("input")
        lines.append(
            "  {} {} -> {} {} | model={} stream={} {}={} tools={}".format(
                e.get("method"),
                e.get("path"),
                e.get("status"),
                e.get("reply"),
                b.get("model"),
                b.get("stream"),
                "messages" if "messages" in b else "input",
                len(items) if isinstance(items, list) else type(items).__name__,
                len(b.get("tools") or []),
            )
        )
    return lines


def summarize_codex(path: str) -> list[str]:
    """One short line per ``codex exec --json`` event."""
    lines = []
    for e in load_jsonl(path):
        if "_unparsable" in e:
            lines.append("  (non-JSON) " + e["_unparsable"].rstrip())
            continue
        t = e.get("type")
        item = e.get("item") if isinstance(e.get("item"), dict) else None
        if item is not None:
            it = item.get("type")
            if it == "command_execution":
                detail = "{} exit_code={} status={} output={}".format(
                    json.dumps(item.get("command"))[:300],
                    item.get("exit_code"),
                    item.get("status"),
                    json.dumps(item.get("aggregated_output"))[:200],
                )
            elif it in ("agent_message", "reasoning"):
                detail = json.dumps(item.get("text"))[:300]
            elif it == "error":
                detail = json.dumps(item.get("message"))[:300]
            else:
                detail = json.dumps(item)[:300]
            lines.append(f"  {t} {it}: {detail}")
        elif t in ("error",):
            lines.append(f"  error: {json.dumps(e.get('message'))[:400]}")
        elif t == "turn.failed":
            lines.append(f"  turn.failed: {json.dumps(e.get('error'))[:400]}")
        elif t == "turn.completed":
            lines.append(f"  turn.completed usage={json.dumps(e.get('usage'))}")
        else:
            lines.append(f"  {t}")
    return lines


# --------------------------------------------------------------------------
# upstream (mock log)
# --------------------------------------------------------------------------


def calls_and_results(body: dict, kind: str) -> tuple[list[tuple[str, str, object]], list[tuple[str, str]]]:
    """(tool calls [(id, name, raw args)], tool results [(id, text)]) of a request body."""
    if kind != "responses":
        return common.calls_and_results(body, kind)
    calls, results = [], []
    inp = body.get("input")
    for it in inp if isinstance(inp, list) else []:
        if not isinstance(it, dict):
            continue
        if it.get("type") == "function_call":
            calls.append((it.get("call_id"), it.get("name"), it.get("arguments")))
        elif it.get("type") == "function_call_output":
            out = it.get("output")
            results.append((it.get("call_id"), out if isinstance(out, str) else json.dumps(out)))
    return calls, results


def check_tools(body: dict, kind: str, tool: str) -> tuple[list[str], list[str]]:
    """The first upstream request declares the shell tool, and every tool is well formed.

    A real Chat Completions or Messages upstream rejects (400) a request with a
    hosted tool (``web_search``), a ``namespace`` group, or a function whose name
    has characters outside [A-Za-z0-9_-]; the mock does not, so check here.
    """
    problems, info = [], []
    decls = tool_decls(body, kind)
    names = [n for n, _, _ in decls]
    info.append(f"upstream tools ({len(decls)}): {', '.join(str(n) for n in names)}")
    shell = [d for d in decls if d[0] == tool]
    if not shell:
        problems.append(f"the upstream request does not declare Codex's shell tool {tool!r} (tools: {names})")
    else:
        schema = shell[0][1] if isinstance(shell[0][1], dict) else {}
        props = schema.get("properties") or {}
        if tool == "exec_command" and "cmd" not in props:
            problems.append(f"{tool} lost its 'cmd' parameter on the way upstream: {json.dumps(schema)[:300]}")
    if kind == "responses":
        return problems, info
    p, i = check_decls_accepted(decls, kind)
    return problems + p, info + i


def check_upstream(
    entries: list[dict], kind: str, tool: str, model: str, key: str, client_key: str | None, cmd: str | None
) -> tuple[list[str], list[str]]:
    problems: list[str] = []
    info: list[str] = []
    route = ROUTES[kind]
    other = {r for k, r in ROUTES.items() if k != kind}

    if not entries:
        return [f"the mock upstream received no request at all (expected {route})"], info

    problems += check_statuses(entries)
    for e in entries:
        if e.get("route") in other:
            problems.append(f"request sent in the wrong upstream format: {e.get('path')} (want {route})")

    main = [e for e in entries if e.get("route") == route and e.get("status") == 200]
    info.append(route_counts(entries))
    if not main:
        problems.append(f"no request reached {route} successfully")
        return problems, info
    models = Counter((e.get("body") or {}).get("model") for e in main)
    info.append("upstream models: " + ", ".join(f"{m} x{n}" for m, n in models.items()))
    for m in models:
        if m != model:
            problems.append(f"upstream saw model {m!r}; want {model!r}")
    streams = Counter(bool((e.get("body") or {}).get("stream")) for e in main)
    info.append("upstream stream: " + ", ".join(f"{s} x{n}" for s, n in streams.items()))
    problems += check_auth(main, kind, key, client_key)

    p, i = check_tools(main[0].get("body") or {}, kind, tool)
    problems += p
    info += i

    i_call, call = first_tool_call(main)
    if call is None:
        problems.append("the mock never answered with a tool call (no request reached it with the RUN_CMD marker and tools)")
        return problems, info
    called = str(call.get("reply", "")).split(" ")[1]
    if called != tool:
        problems.append(f"the mock called tool {called!r}, want Codex's shell tool {tool!r} (was it renamed or dropped upstream?)")
    if cmd is not None and not any(cmd in x for x in strings(call.get("tool_input"))):
        problems.append(f"the tool call does not carry the command: {json.dumps(call.get('tool_input'))[:200]}")
    done = follow_up(main, i_call)
    if done is None:
        problems.append(f"no follow-up request carried the {called} tool result back to the upstream")
        return problems, info
    body = done.get("body") or {}
    tool_id = call["tool_id"]
    problem, call_id, text = replayed_result(*calls_and_results(body, kind), called, tool_id, call.get("tool_input"))
    if call_id is not None and call_id != tool_id:
        info.append(f"tool call id rewritten on the way back: {tool_id} -> {call_id}")
    if problem:
        problems.append(problem)
        return problems, info
    if text in ('""', "[]", "null", ""):
        problems.append(f"tool result for {call_id} is empty")
    m = re.search(r"exited with code (-?\d+)", text)
    if m and m.group(1) != "0":
        problems.append(f"the tool result reports a failed command: {text[:300]!r}")
    info.append(
        f"tool round trip: {called} id {tool_id} -> result {json.dumps(text[:120])} "
        f"(requests: {len(main)}, follow-up stream={body.get('stream')})"
    )
    return problems, info


# --------------------------------------------------------------------------
# Codex output
# --------------------------------------------------------------------------


def check_codex(path: str, cmd: str | None, last_message: str | None) -> tuple[list[str], list[str]]:
    problems: list[str] = []
    info: list[str] = []
    events = load_jsonl(path)
    if not events:
        return ["codex exec --json printed nothing"], info
    types = [e.get("type") for e in events]
    for e in events:
        if e.get("type") == "error":
            problems.append(f"Codex reported a stream error: {str(e.get('message'))[:300]!r}")
        elif e.get("type") == "turn.failed":
            problems.append(f"Codex turn failed: {json.dumps(e.get('error'))[:300]}")
        item = e.get("item") if isinstance(e.get("item"), dict) else {}
        if e.get("type") == "item.completed" and item.get("type") == "error":
            msg = str(item.get("message"))
            if msg.startswith(MODEL_METADATA_WARNING):
                info.append("expected warning: model metadata not found (the client model id is not an OpenAI model)")
            else:
                problems.append(f"Codex reported an error item: {msg[:300]!r}")
    if "turn.completed" not in types:
        problems.append("Codex output has no turn.completed event")
    else:
        usage = [e for e in events if e.get("type") == "turn.completed"][-1].get("usage")
        info.append(f"codex usage: {json.dumps(usage)}")

    execs = [
        e["item"]
        for e in events
        if e.get("type") == "item.completed" and isinstance(e.get("item"), dict) and e["item"].get("type") == "command_execution"
    ]
    if not execs:
        problems.append("Codex never ran a command (no completed command_execution item)")
    else:
        ok = [x for x in execs if x.get("exit_code") == 0 and x.get("status") == "completed"]
        if not ok:
            x = execs[-1]
            problems.append(
                f"the command failed inside Codex: exit_code={x.get('exit_code')} status={x.get('status')} "
                f"output={json.dumps(x.get('aggregated_output'))[:300]}"
            )
        if cmd is not None and not any(cmd in str(x.get("command")) for x in execs):
            problems.append(f"Codex ran {[x.get('command') for x in execs]}, not the requested command")
        info.append(f"codex ran: {execs[0].get('command')} (exit_code={execs[0].get('exit_code')})")

    msgs = [
        e["item"].get("text")
        for e in events
        if e.get("type") == "item.completed" and isinstance(e.get("item"), dict) and e["item"].get("type") == "agent_message"
    ]
    if not msgs:
        problems.append("Codex printed no agent_message")
    elif "Done." not in str(msgs[-1]):
        problems.append(f"final agent message {str(msgs[-1])[:200]!r} does not contain 'Done.'")
    if last_message is not None:
        try:
            with open(last_message, encoding="utf-8") as f:
                last = f.read()
        except FileNotFoundError:
            last = None
        if last is None:
            problems.append(f"codex exec -o did not write {last_message}")
        elif last.strip() != "Done.":
            problems.append(f"codex exec -o wrote {last[:200]!r}, want 'Done.'")
    return problems, info


def main(argv=None) -> int:
    ap = arg_parser(__doc__)
    ap.add_argument("--kind", choices=sorted(ROUTES), help="upstream wire format the mock must have seen")
    ap.add_argument("--tool", default="exec_command", help="Codex's shell tool name (default exec_command)")
    ap.add_argument("--cmd", help="the shell command Codex must have run")
    ap.add_argument("--expect-model", help="model id the upstream must see")
    ap.add_argument("--codex-out", help="output of codex exec --json")
    ap.add_argument("--last-message", help="file written by codex exec -o")
    ap.add_argument("--summarize-codex", metavar="FILE", help="only print one line per event of FILE")
    a = ap.parse_args(argv)

    if a.summarize_codex:
        return summarize_file(summarize_codex(a.summarize_codex))
    entries = log_entries(ap, a, summarize)
    if entries is None:
        return 0
    if not (a.kind and a.expect_model and a.codex_out):
        ap.error("--kind, --expect-model and --codex-out are required unless --summary-only")

    return report(
        check_upstream(entries, a.kind, a.tool, a.expect_model, a.key, a.client_key, a.cmd),
        check_codex(a.codex_out, a.cmd, a.last_message),
    )


if __name__ == "__main__":
    sys.exit(main())
