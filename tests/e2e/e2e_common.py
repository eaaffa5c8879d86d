"""Helpers shared by the e2e check scripts (check_scenario.py, check_codex.py,
check_gemini.py); stdlib only.

They read the mock upstream's JSON-lines log and a client's JSON-lines output,
take apart the tool calls and results of an OpenAI Chat or Anthropic Messages
request body, check tool declarations and credentials as a real upstream would,
and hold the command line every check script shares.
"""

from __future__ import annotations

import argparse
import json
import re
from collections import Counter

# What a real upstream accepts as a function name (OpenAI: 64 chars, Anthropic: 128).
NAME_RE = {"openai": re.compile(r"^[A-Za-z0-9_-]{1,64}$"), "anthropic": re.compile(r"^[A-Za-z0-9_-]{1,128}$")}
# Versioned Anthropic server tools such as web_search_20250305 are valid as they are.
ANTHROPIC_SERVER_TOOL = re.compile(r"^[a-z_]+_\d{8}$")


# --------------------------------------------------------------------------
# JSON lines
# --------------------------------------------------------------------------


def load_jsonl(path: str, start: int = 0) -> list[dict]:
    """The JSON objects of a file from line ``start`` (0-based) on; a line that
    is not JSON becomes ``{"_unparsable": <first 200 chars>}``; no file, no lines."""
    out = []
    try:
        with open(path, encoding="utf-8") as f:
            for i, line in enumerate(f):
                if i < start or not line.strip():
                    continue
                try:
                    out.append(json.loads(line))
                except ValueError:
                    out.append({"_unparsable": line[:200]})
    except FileNotFoundError:
        pass
    return out


def strings(obj) -> list[str]:
    """Every string inside a JSON value."""
    if isinstance(obj, str):
        return [obj]
    if isinstance(obj, dict):
        return [s for v in obj.values() for s in strings(v)]
    if isinstance(obj, list):
        return [s for v in obj for s in strings(v)]
    return []


# --------------------------------------------------------------------------
# request bodies (OpenAI Chat / Anthropic Messages)
# --------------------------------------------------------------------------


def args_equal(raw, expected) -> bool:
    """A tool call's arguments (a JSON string or a value) equal ``expected``."""
    if isinstance(raw, str):
        try:
            raw = json.loads(raw)
        except ValueError:
            return False
    return raw == expected


def calls_and_results(body: dict, kind: str) -> tuple[list[tuple[str, str, object]], list[tuple[str, str]]]:
    """(tool calls [(id, name, raw input)], tool results [(id, text)]) of a
    Chat (``kind == "openai"``) or Messages request body."""
    calls, results = [], []
    for m in body.get("messages") or []:
        if not isinstance(m, dict):
            continue
        role, content = m.get("role"), m.get("content")
        if kind == "openai":
            if role == "assistant":
                for tc in m.get("tool_calls") or []:
                    fn = tc.get("function") or {}
                    calls.append((tc.get("id"), fn.get("name"), fn.get("arguments")))
            if role == "tool":
                text = content if isinstance(content, str) else json.dumps(content)
                results.append((m.get("tool_call_id"), text))
        elif isinstance(content, list):
            for blk in content:
                if not isinstance(blk, dict):
                    continue
                if role == "assistant" and blk.get("type") == "tool_use":
                    calls.append((blk.get("id"), blk.get("name"), blk.get("input")))
                if role == "user" and blk.get("type") == "tool_result":
                    c = blk.get("content")
                    results.append((blk.get("tool_use_id"), c if isinstance(c, str) else json.dumps(c)))
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


# --------------------------------------------------------------------------
# upstream checks
# --------------------------------------------------------------------------


def check_decls_accepted(decls: list, kind: str, schema_problems=None) -> tuple[list[str], list[str]]:
    """Every declared tool is one a real ``kind`` (openai|anthropic) upstream
    accepts: a function/custom tool (or a versioned Anthropic server tool) with a
    valid name and an object JSON schema, and no duplicate names.
    ``schema_problems(name, schema)``, if given, lists further faults of a tool's schema."""
    problems, info = [], []
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
        if schema_problems is not None:
            problems += schema_problems(name, schema)
    dupes = [n for n, c in Counter(n for n, _, _ in decls).items() if c > 1 and n is not None]
    if dupes:
        problems.append(f"duplicate tool names upstream: {dupes}")
    return problems, info


def check_statuses(entries: list[dict], unknown_path: str = "the upstream got a request on an unknown path") -> list[str]:
    """No logged request got a 401, 400 or 404 from the mock."""
    problems = []
    for e in entries:
        st = e.get("status")
        if st == 401:
            problems.append(f"upstream rejected the credentials on {e.get('path')} (401): upstream key not forwarded correctly")
        elif st == 400:
            problems.append(f"upstream could not parse the body of {e.get('path')} (400)")
        elif st == 404:
            problems.append(f"{unknown_path}: {e.get('method')} {e.get('path')}")
    return problems


def check_auth(entries: list[dict], kind: str, key: str, client_key: str | None, key_in_path: bool = False) -> list[str]:
    """Each request carries the upstream key the way ``kind`` wants it
    (anthropic: x-api-key; gemini: x-goog-api-key; else Authorization: Bearer),
    and never the client's gateway key (in a header, or with ``key_in_path``
    also in the path)."""
    problems = []
    for e in entries:
        h = e.get("headers") or {}
        if kind == "anthropic":
            if h.get("x-api-key") != key:
                problems.append(f"{e.get('path')}: x-api-key is {h.get('x-api-key')!r}, want the upstream key")
        elif kind == "gemini":
            if h.get("x-goog-api-key") != key:
                problems.append(f"{e.get('path')}: x-goog-api-key is {h.get('x-goog-api-key')!r}, want the upstream key")
        elif h.get("authorization") != f"Bearer {key}":
            problems.append(f"{e.get('path')}: Authorization is {h.get('authorization')!r}, want 'Bearer <upstream key>'")
        leaked = any(client_key in str(v) for v in h.values()) if client_key else False
        if client_key and key_in_path and client_key in str(e.get("path")):
            leaked = True
        if leaked:
            problems.append(f"{e.get('path')}: the gateway forwarded the client key upstream")
    return problems


def route_counts(entries: list[dict]) -> str:
    """``upstream routes: METHOD ROUTE STATUS xN, ...``"""
    return "upstream routes: " + ", ".join(f"{r} x{n}" for r, n in Counter(
        f"{x.get('method')} {x.get('route')} {x.get('status')}" for x in entries).items())


def first_tool_call(main: list[dict]):
    """(index, entry) of the first request the mock answered with a tool call, else (None, None)."""
    for i, e in enumerate(main):
        if e.get("tool_id") and str(e.get("reply", "")).split(" ")[:1] in (["tool_call"], ["tool_use"]):
            return i, e
    return None, None


def follow_up(main: list[dict], i_call: int):
    """The first request after ``i_call`` that the mock answered with 'Done.', else None."""
    done = [e for e in main[i_call + 1 :] if "'Done.'" in str(e.get("reply", ""))]
    return done[0] if done else None


def replayed_result(cs: list, results: list, called: str, tool_id: str, tool_input):
    """Find, in a follow-up's (calls, results), the replayed ``called`` call
    with its original input and the result paired with it.
    Returns (problem or None, call id, result text or None)."""
    matching = [c for c in cs if c[1] == called and args_equal(c[2], tool_input)]
    if not matching:
        seen = "; ".join(f"{n} {json.dumps(a)[:200]}" for _, n, a in cs) or "none"
        return f"follow-up request does not replay the {called} call with its original arguments (saw: {seen})", None, None
    ids = [c[0] for c in matching]
    call_id = tool_id if tool_id in ids else ids[-1]
    res = [r for r in results if r[0] == call_id]
    if not res:
        return f"follow-up request has no tool result for id {call_id} (results for: {[r[0] for r in results]})", call_id, None
    return None, call_id, res[-1][1] or ""


# --------------------------------------------------------------------------
# command line
# --------------------------------------------------------------------------


def arg_parser(doc: str, upstream_keys: bool = True) -> argparse.ArgumentParser:
    """The options every check script takes: --log, --from-line, --summary-only
    (and --key, --client-key unless ``upstream_keys`` is false)."""
    ap = argparse.ArgumentParser(description=doc, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--log", help="mock upstream JSON-lines log")
    ap.add_argument("--from-line", type=int, default=0, help="first log line (0-based) belonging to this scenario")
    ap.add_argument("--summary-only", action="store_true", help="only print one line per logged request")
    if upstream_keys:
        ap.add_argument("--key", default="sk-upstream-test", help="upstream key the mock must have received")
        ap.add_argument("--client-key", help="the client's gateway key, which must never reach the upstream")
    return ap


def summarize_file(lines: list[str]) -> int:
    """Print a client-output summary."""
    print("\n".join(lines) or "  (no output)")
    return 0


def log_entries(ap: argparse.ArgumentParser, a, summarize):
    """The scenario's log entries; with --summary-only print them with
    ``summarize`` and return None."""
    if not a.log:
        ap.error("--log is required")
    entries = load_jsonl(a.log, a.from_line)
    if a.summary_only:
        print("\n".join(summarize(entries)) or "  (no requests)")
        return None
    return entries


def report(*checks: tuple[list[str], list[str]]) -> int:
    """Print the info lines, then the problems, of (problems, info) pairs; 1 if any problem."""
    problems = [p for ps, _ in checks for p in ps]
    for line in (i for _, info in checks for i in info):
        print("  " + line)
    for p in problems:
        print("  problem: " + p)
    return 1 if problems else 0
