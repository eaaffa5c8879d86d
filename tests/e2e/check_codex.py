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

import argparse
import json
import os
import re
import sys
from collections import Counter

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from check_scenario import _args_equal, _calls_and_results, load_jsonl  # noqa: E402

ROUTES = {"openai": "/v1/chat/completions", "anthropic": "/v1/messages", "responses": "/v1/responses"}
# What a real upstream accepts as a function name (OpenAI: 64 chars, Anthropic: 128).
NAME_RE = {"openai": re.compile(r"^[A-Za-z0-9_-]{1,64}$"), "anthropic": re.compile(r"^[A-Za-z0-9_-]{1,128}$")}
# Versioned Anthropic server tools such as web_search_20250305 are valid as they are.
ANTHROPIC_SERVER_TOOL = re.compile(r"^[a-z_]+_\d{8}$")
MODEL_METADATA_WARNING = "Model metadata for"


def _strings(obj) -> list[str]:
    """Every string inside a JSON value."""
    if isinstance(obj, str):
        return [obj]
    if isinstance(obj, dict):
        return [s for v in obj.values() for s in _strings(v)]
    if isinstance(obj, list):
        return [s for v in obj for s in _strings(v)]
    return []


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
        return _calls_and_results(body, kind)
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


def tool_decls(body: dict, kind: str) -> list[tuple[str | None, object, dict]]:
    """[(name, schema, raw tool)] of a request's tools, as the upstream sees them."""
    out = []
    for t in body.get("tools") or []:
        if not isinstance(t, dict):
            out.append((None, None, {"_raw": t}))
        elif kind == "openai":
            fn = t.get("function") if isinstance(t.get("function"), dict) else {}
            out.append((fn.get("name"), fn.get("parameters"), t))
        elif kind == "anthropic":
            out.append((t.get("name"), t.get("input_schema"), t))
        else:
            out.append((t.get("name") or t.get("type"), t.get("parameters"), t))
    return out


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
    for name, schema, raw in decls:
        if kind == "openai" and (raw.get("type") != "function" or not isinstance(raw.get("function"), dict)):
            problems.append(f"tool is not a Chat Completions function (a real upstream answers 400): {json.dumps(raw)[:200]}")
            continue
        if kind == "anthropic" and ANTHROPIC_SERVER_TOOL.match(str(raw.get("type"))):
            info.append(f"Anthropic server tool passed upstream: {json.dumps(raw)[:200]}")
            continue
        if kind == "anthropic" and raw.get("type") not in (None, "custom"):
            problems.append(f"tool is not an Anthropic custom tool (a real upstream answers 400): {json.dumps(raw)[:200]}")
            continue
        if not isinstance(name, str) or not NAME_RE[kind].match(name):
            problems.append(f"tool name {name!r} is not accepted by a real {kind} upstream (want {NAME_RE[kind].pattern})")
        if not isinstance(schema, dict) or schema.get("type") != "object":
            problems.append(f"tool {name!r} has no object JSON schema: {json.dumps(schema)[:200]}")
    dupes = [n for n, c in Counter(names).items() if c > 1 and n is not None]
    if dupes:
        problems.append(f"duplicate tool names upstream: {dupes}")
    return problems, info


def check_auth(entries: list[dict], kind: str, key: str, client_key: str | None) -> list[str]:
    problems = []
    for e in entries:
        h = e.get("headers") or {}
        if kind == "anthropic":
            if h.get("x-api-key") != key:
                problems.append(f"{e.get('path')}: x-api-key is {h.get('x-api-key')!r}, want the upstream key")
        elif h.get("authorization") != f"Bearer {key}":
            problems.append(f"{e.get('path')}: Authorization is {h.get('authorization')!r}, want 'Bearer <upstream key>'")
        if client_key and any(client_key in str(v) for v in h.values()):
            problems.append(f"{e.get('path')}: the gateway forwarded the client key upstream")
    return problems


def check_upstream(
    entries: list[dict], kind: str, tool: str, model: str, key: str, client_key: str | None, cmd: str | None
) -> tuple[list[str], list[str]]:
    problems: list[str] = []
    info: list[str] = []
    route = ROUTES[kind]
    other = {r for k, r in ROUTES.items() if k != kind}

    if not entries:
        return [f"the mock upstream received no request at all (expected {route})"], info

    for e in entries:
        st = e.get("status")
        if st == 401:
            problems.append(f"upstream rejected the credentials on {e.get('path')} (401): upstream key not forwarded correctly")
        elif st == 400:
            problems.append(f"upstream could not parse the body of {e.get('path')} (400)")
        elif st == 404:
            problems.append(f"the upstream got a request on an unknown path: {e.get('method')} {e.get('path')}")
        if e.get("route") in other:
            problems.append(f"request sent in the wrong upstream format: {e.get('path')} (want {route})")

    main = [e for e in entries if e.get("route") == route and e.get("status") == 200]
    info.append("upstream routes: " + ", ".join(f"{e} x{n}" for e, n in Counter(
        f"{x.get('method')} {x.get('route')} {x.get('status')}" for x in entries).items()))
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

    calls = [
        (i, e)
        for i, e in enumerate(main)
        if e.get("tool_id") and str(e.get("reply", "")).split(" ")[:1] in (["tool_call"], ["tool_use"])
    ]
    if not calls:
        problems.append("the mock never answered with a tool call (no request reached it with the RUN_CMD marker and tools)")
        return problems, info
    i_call, call = calls[0]
    called = str(call.get("reply", "")).split(" ")[1]
    if called != tool:
        problems.append(f"the mock called tool {called!r}, want Codex's shell tool {tool!r} (was it renamed or dropped upstream?)")
    if cmd is not None and not any(cmd in x for x in _strings(call.get("tool_input"))):
        problems.append(f"the tool call does not carry the command: {json.dumps(call.get('tool_input'))[:200]}")
    done = [e for e in main[i_call + 1 :] if "'Done.'" in str(e.get("reply", ""))]
    if not done:
        problems.append(f"no follow-up request carried the {called} tool result back to the upstream")
        return problems, info
    body = done[0].get("body") or {}
    tool_id, tool_input = call["tool_id"], call.get("tool_input")
    cs, results = calls_and_results(body, kind)
    matching = [c for c in cs if c[1] == called and _args_equal(c[2], tool_input)]
    if not matching:
        seen = "; ".join(f"{n} {json.dumps(a)[:200]}" for _, n, a in cs) or "none"
        problems.append(f"follow-up request does not replay the {called} call with its original arguments (saw: {seen})")
        return problems, info
    ids = [c[0] for c in matching]
    call_id = tool_id if tool_id in ids else ids[-1]
    if call_id != tool_id:
        info.append(f"tool call id rewritten on the way back: {tool_id} -> {call_id}")
    res = [r for r in results if r[0] == call_id]
    if not res:
        problems.append(f"follow-up request has no tool result for id {call_id} (results for: {[r[0] for r in results]})")
        return problems, info
    text = res[-1][1] or ""
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
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--log", help="mock upstream JSON-lines log")
    ap.add_argument("--from-line", type=int, default=0, help="first log line (0-based) belonging to this scenario")
    ap.add_argument("--kind", choices=sorted(ROUTES), help="upstream wire format the mock must have seen")
    ap.add_argument("--tool", default="exec_command", help="Codex's shell tool name (default exec_command)")
    ap.add_argument("--cmd", help="the shell command Codex must have run")
    ap.add_argument("--expect-model", help="model id the upstream must see")
    ap.add_argument("--key", default="sk-upstream-test", help="upstream key the mock must have received")
    ap.add_argument("--client-key", help="the client's gateway key, which must never reach the upstream")
    ap.add_argument("--codex-out", help="output of codex exec --json")
    ap.add_argument("--last-message", help="file written by codex exec -o")
    ap.add_argument("--summary-only", action="store_true", help="only print one line per logged request")
    ap.add_argument("--summarize-codex", metavar="FILE", help="only print one line per event of FILE")
    a = ap.parse_args(argv)

    if a.summarize_codex:
        print("\n".join(summarize_codex(a.summarize_codex)) or "  (no output)")
        return 0
    if not a.log:
        ap.error("--log is required")
    entries = load_jsonl(a.log, a.from_line)
    if a.summary_only:
        print("\n".join(summarize(entries)) or "  (no requests)")
        return 0
    if not (a.kind and a.expect_model and a.codex_out):
        ap.error("--kind, --expect-model and --codex-out are required unless --summary-only")

    problems, info = check_upstream(entries, a.kind, a.tool, a.expect_model, a.key, a.client_key, a.cmd)
    p2, i2 = check_codex(a.codex_out, a.cmd, a.last_message)
    problems += p2
    info += i2
    for line in info:
        print("  " + line)
    for p in problems:
        print("  problem: " + p)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
