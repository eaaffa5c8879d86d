#!/usr/bin/env python3
"""Assertions for one Gemini CLI e2e scenario (stdlib only).

Reads the mock upstream's JSON-lines log (from a given line on, so several
scenarios can share one mock) and the output of ``gemini -p ... -o
stream-json``, and checks that the shell-tool loop went through the expected
upstream wire format:

* ``openai``    - the gateway translated the Gemini API to ``/v1/chat/completions``
* ``anthropic`` - the gateway translated the Gemini API to ``/v1/messages``
* ``gemini``    - ``--direct`` self-check, Gemini CLI talked to the mock's own
                  ``/v1beta/models/{model}:streamGenerateContent``

Prints one line per problem and exits 1 if there is any; prints a short summary
either way. ``--summary-only`` describes a log, ``--summarize-gemini FILE`` a
``gemini -o stream-json`` output.
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

ROUTES = {"openai": "/v1/chat/completions", "anthropic": "/v1/messages"}
GEMINI_ROUTE = re.compile(r"^/(v1beta|v1|v1alpha)/models/([^/:]+):(generateContent|streamGenerateContent|countTokens)$")

# Top-level request fields a real upstream accepts. Anything else (a Gemini
# field such as contents, generationConfig, topK, thinkingConfig, or a
# misspelling) gets a 400 from the real API, although the mock takes it.
OPENAI_FIELDS = {
    "model", "messages", "stream", "stream_options", "temperature", "top_p", "n", "stop", "max_tokens",
    "max_completion_tokens", "presence_penalty", "frequency_penalty", "logit_bias", "logprobs", "top_logprobs",
    "user", "tools", "tool_choice", "parallel_tool_calls", "response_format", "seed", "reasoning_effort",
    "service_tier", "store", "metadata", "modalities", "audio", "prediction", "web_search_options", "verbosity",
    "prompt_cache_key", "prompt_cache_retention", "safety_identifier", "functions", "function_call",
}
ANTHROPIC_FIELDS = {
    "model", "messages", "system", "max_tokens", "stream", "temperature", "top_p", "top_k", "stop_sequences",
    "tools", "tool_choice", "metadata", "thinking", "service_tier", "container", "mcp_servers",
    "context_management", "output_config", "output_format",
}
# Gemini's OpenAPI-subset type names; JSON Schema (what OpenAI and Anthropic take) is lower case.
UPPER_TYPES = {"OBJECT", "STRING", "INTEGER", "NUMBER", "BOOLEAN", "ARRAY", "NULL", "TYPE_UNSPECIFIED"}


def gemini_route(e: dict):
    """(model, method) of a Gemini API request in the log, else None."""
    m = GEMINI_ROUTE.match(str(e.get("route") or ""))
    return (m.group(2), m.group(3)) if m else None


def upstream_model(e: dict, kind: str):
    if kind == "gemini":
        g = gemini_route(e)
        return g[0] if g else None
    return (e.get("body") or {}).get("model")


def is_stream(e: dict, kind: str) -> bool:
    if kind == "gemini":
        g = gemini_route(e)
        return bool(g and g[1] == "streamGenerateContent")
    return bool((e.get("body") or {}).get("stream"))


# --------------------------------------------------------------------------
# summaries
# --------------------------------------------------------------------------


def summarize(entries: list[dict]) -> list[str]:
    lines = []
    for e in entries:
        b = e.get("body") if isinstance(e.get("body"), dict) else {}
        if "contents" in b:
            items, what = b.get("contents"), "contents"
            ntools = sum(len(t.get("functionDeclarations") or []) for t in b.get("tools") or [] if isinstance(t, dict))
        else:
            items, what = b.get("messages"), "messages"
            ntools = len(b.get("tools") or [])
        lines.append(
            "  {} {} -> {} {} | model={} stream={} {}={} tools={}".format(
                e.get("method"),
                e.get("path"),
                e.get("status"),
                e.get("reply"),
                b.get("model") or (gemini_route(e) or ("-",))[0],
                b.get("stream", "-"),
                what,
                len(items) if isinstance(items, list) else type(items).__name__,
                ntools,
            )
        )
    return lines


def summarize_gemini(path: str) -> list[str]:
    """One short line per ``gemini -o stream-json`` event."""
    lines = []
    for e in load_jsonl(path):
        if "_unparsable" in e:
            lines.append("  (non-JSON) " + e["_unparsable"].rstrip())
            continue
        t = e.get("type")
        if t == "init":
            lines.append(f"  init model={e.get('model')} session={e.get('session_id')}")
        elif t == "message":
            lines.append(f"  message {e.get('role')}{' (delta)' if e.get('delta') else ''}: {json.dumps(e.get('content'))[:300]}")
        elif t == "tool_use":
            lines.append(f"  tool_use {e.get('tool_name')} id={e.get('tool_id')} {json.dumps(e.get('parameters'))[:300]}")
        elif t == "tool_result":
            lines.append(
                f"  tool_result id={e.get('tool_id')} status={e.get('status')} output={json.dumps(e.get('output'))[:200]}"
                + (f" error={json.dumps(e.get('error'))[:300]}" if e.get("error") else "")
            )
        elif t == "result":
            lines.append(f"  result status={e.get('status')} {json.dumps(e.get('error') or e.get('stats'))[:400]}")
        else:
            lines.append(f"  {t} {json.dumps(e)[:300]}")
    return lines


# --------------------------------------------------------------------------
# upstream (mock log)
# --------------------------------------------------------------------------


def calls_and_results(body: dict, kind: str) -> tuple[list[tuple[str, str, object]], list[tuple[str, str]]]:
    """(tool calls [(id, name, args)], tool results [(id, text)]) of a request body."""
    if kind != "gemini":
        return common.calls_and_results(body, kind)
    calls, results = [], []
    for c in body.get("contents") or []:
        if not isinstance(c, dict):
            continue
        for p in c.get("parts") or []:
            if not isinstance(p, dict):
                continue
            if c.get("role") == "model" and isinstance(p.get("functionCall"), dict):
                fc = p["functionCall"]
                calls.append((fc.get("id"), fc.get("name"), fc.get("args")))
            elif isinstance(p.get("functionResponse"), dict):
                fr = p["functionResponse"]
                resp = fr.get("response")
                text = resp.get("output") if isinstance(resp, dict) and isinstance(resp.get("output"), str) else json.dumps(resp)
                results.append((fr.get("id"), text))
    return calls, results


def gemini_decls(body: dict) -> list[tuple[str | None, object, dict]]:
    out = []
    for t in body.get("tools") or []:
        for fd in (t.get("functionDeclarations") or []) if isinstance(t, dict) else []:
            if isinstance(fd, dict):
                out.append((fd.get("name"), fd.get("parametersJsonSchema") or fd.get("parameters"), fd))
    return out


def _upper_types(schema, path="") -> list[str]:
    """Places where a schema uses Gemini's upper-case type names."""
    found = []
    if isinstance(schema, dict):
        t = schema.get("type")
        for x in t if isinstance(t, list) else [t]:
            if isinstance(x, str) and x in UPPER_TYPES:
                found.append(f"{path or '/'} type={x}")
        for k, v in schema.items():
            if k != "type":
                found += _upper_types(v, f"{path}/{k}")
    elif isinstance(schema, list):
        for i, v in enumerate(schema):
            found += _upper_types(v, f"{path}/{i}")
    return found


def upper_case_types(name, schema) -> list[str]:
    upper = _upper_types(schema)
    return [f"tool {name!r} keeps Gemini's upper-case schema types (not JSON Schema): {upper[:3]}"] if upper else []


def check_tools(body: dict, kind: str, tool: str) -> tuple[list[str], list[str]]:
    """The upstream request declares the shell tool with its ``command``
    parameter, and every tool is something a real upstream accepts."""
    problems, info = [], []
    decls = gemini_decls(body) if kind == "gemini" else tool_decls(body, kind)
    names = [n for n, _, _ in decls]
    info.append(f"upstream tools ({len(decls)}): {', '.join(str(n) for n in names)}")
    shell = [d for d in decls if d[0] == tool]
    if not shell:
        problems.append(f"the upstream request does not declare Gemini CLI's shell tool {tool!r} (tools: {names})")
    else:
        schema = shell[0][1] if isinstance(shell[0][1], dict) else {}
        props = schema.get("properties") or {}
        if "command" not in props:
            problems.append(f"{tool} lost its 'command' parameter on the way upstream: {json.dumps(schema)[:300]}")
        elif "command" not in (schema.get("required") or []):
            problems.append(f"{tool}'s 'command' is no longer required upstream: {json.dumps(schema)[:300]}")
    if kind == "gemini":
        return problems, info
    p, i = check_decls_accepted(decls, kind, upper_case_types)
    return problems + p, info + i


def check_fields(e: dict, kind: str) -> list[str]:
    """Top-level fields a real OpenAI/Anthropic upstream would reject."""
    b = e.get("body") if isinstance(e.get("body"), dict) else {}
    if kind == "gemini":
        return []
    allowed = OPENAI_FIELDS if kind == "openai" else ANTHROPIC_FIELDS
    problems = []
    extra = sorted(k for k in b if k not in allowed)
    if extra:
        problems.append(f"{e.get('path')}: fields a real {kind} upstream rejects (400): {extra}")
    if kind == "anthropic" and not isinstance(b.get("max_tokens"), int):
        problems.append(f"{e.get('path')}: no integer max_tokens (required by the Messages API)")
    rf = b.get("response_format")
    if kind == "openai" and isinstance(rf, dict) and rf.get("type") == "json_schema":
        js = rf.get("json_schema") or {}
        if not isinstance(js, dict) or not js.get("name") or not isinstance(js.get("schema"), dict):
            problems.append(f"{e.get('path')}: response_format.json_schema needs a name and a schema: {json.dumps(rf)[:200]}")
        elif _upper_types(js.get("schema")):
            problems.append(f"{e.get('path')}: response_format schema keeps Gemini's upper-case types: {_upper_types(js.get('schema'))[:3]}")
    oc = (b.get("output_config") or {}).get("format") if isinstance(b.get("output_config"), dict) else None
    if kind == "anthropic" and isinstance(oc, dict) and _upper_types(oc.get("schema")):
        problems.append(f"{e.get('path')}: output_config.format schema keeps Gemini's upper-case types: {_upper_types(oc.get('schema'))[:3]}")
    return problems


def is_main(e: dict, kind: str) -> bool:
    if kind == "gemini":
        g = gemini_route(e)
        return bool(g and g[1] != "countTokens")
    return e.get("route") == ROUTES[kind]


def check_upstream(
    entries: list[dict],
    kind: str,
    tool: str,
    models: list[str],
    key: str,
    client_key: str | None,
    cmd: str | None,
    picker: bool,
) -> tuple[list[str], list[str]]:
    problems: list[str] = []
    info: list[str] = []
    want = ROUTES.get(kind, "/v1beta/models/{model}:streamGenerateContent")

    if not entries:
        return [f"the mock upstream received no request at all (expected {want})"], info

    problems += check_statuses(entries)
    for e in entries:
        if not is_main(e, kind) and (e.get("route") in ROUTES.values() or gemini_route(e)):
            problems.append(f"request sent in the wrong upstream format: {e.get('path')} (want {want})")

    info.append(route_counts(entries))
    main = [e for e in entries if is_main(e, kind) and e.get("status") == 200]
    if not main:
        problems.append(f"no request reached {want} successfully")
        return problems, info
    seen_models = Counter(upstream_model(e, kind) for e in main)
    info.append("upstream models: " + ", ".join(f"{m} x{n}" for m, n in seen_models.items()))
    if models:
        for m in seen_models:
            if m not in models:
                problems.append(f"upstream saw model {m!r}; want {' or '.join(repr(x) for x in models)}")
    info.append("upstream stream: " + ", ".join(f"{s} x{n}" for s, n in Counter(is_stream(e, kind) for e in main).items()))
    problems += check_auth(main, kind, key, client_key, key_in_path=True)
    for e in main:
        problems += check_fields(e, kind)

    # Side requests: with -m Gemini CLI sends none; without it, first a
    # non-streaming generateContent (the model picker, structured output).
    side = [e for e in main if "tool_call" not in str(e.get("reply")) and "tool_use" not in str(e.get("reply"))
            and "'Done.'" not in str(e.get("reply"))]
    for e in side:
        info.append(f"side request: {e.get('path')} stream={is_stream(e, kind)} -> {e.get('reply')}")
    if picker:
        picks = [e for e in main if not is_stream(e, kind)]
        if not picks:
            problems.append("the model picker's non-streaming generateContent never reached the upstream")
        elif not any("structured output" in str(e.get("reply")) for e in picks):
            problems.append(
                f"the picker request reached the upstream without a JSON schema (generationConfig."
                f"responseJsonSchema not translated to response_format / output_config.format), so it got "
                f"plain text back; Gemini CLI retried it with backoff ({len(picks)} upstream requests)"
            )
        if len(picks) > 1:
            info.append(f"the picker request was sent {len(picks)} times (Gemini CLI retries a reply it cannot parse)")

    turns = [e for e in main if e not in side]
    if turns:
        p, i = check_tools(turns[0].get("body") or {}, kind, tool)
        problems += p
        info += i

    i_call, call = first_tool_call(main)
    if call is None:
        problems.append("the mock never answered with a tool call (no request reached it with the RUN_CMD marker and tools)")
        return problems, info
    called = str(call.get("reply", "")).split(" ")[1]
    if called != tool:
        problems.append(f"the mock called tool {called!r}, want Gemini CLI's shell tool {tool!r} (was it renamed or dropped upstream?)")
    if cmd is not None and not any(cmd == x for x in strings(call.get("tool_input"))):
        problems.append(f"the tool call does not carry the command: {json.dumps(call.get('tool_input'))[:200]}")
    done = follow_up(main, i_call)
    if done is None:
        problems.append(f"no follow-up request carried the {called} tool result back to the upstream")
        return problems, info
    tool_id = call["tool_id"]
    problem, call_id, text = replayed_result(
        *calls_and_results(done.get("body") or {}, kind), called, tool_id, call.get("tool_input"))
    if call_id is not None and call_id != tool_id:
        problems.append(f"tool call id rewritten on the way back: the mock issued {tool_id}, the follow-up replays {call_id}")
    if problem:
        problems.append(problem)
        return problems, info
    if text in ('""', "[]", "null", "{}", ""):
        problems.append(f"tool result for {call_id} is empty")
    m = re.search(r"Exit Code: (-?\d+)", text)
    if (m and m.group(1) != "0") or re.search(r"^Error: ", text, re.M):
        problems.append(f"the tool result reports a failed command: {text[:300]!r}")
    info.append(
        f"tool round trip: {called} id {tool_id} -> result {json.dumps(text[:120])} "
        f"(requests: {len(main)}, follow-up stream={is_stream(done, kind)})"
    )
    return problems, info


# --------------------------------------------------------------------------
# Gemini CLI output (-o stream-json)
# --------------------------------------------------------------------------


def check_gemini(path: str, tool: str, cmd: str | None) -> tuple[list[str], list[str]]:
    problems: list[str] = []
    info: list[str] = []
    events = load_jsonl(path)
    if not events:
        return ["gemini -o stream-json printed nothing"], info
    for e in events:
        if "_unparsable" in e:
            problems.append(f"non-JSON line in Gemini CLI's output: {e['_unparsable'].rstrip()[:200]!r}")
        elif e.get("type") == "error":
            problems.append(f"Gemini CLI reported an error: {json.dumps(e)[:300]}")
    results = [e for e in events if e.get("type") == "result"]
    if not results:
        problems.append("Gemini CLI output has no result event")
    else:
        r = results[-1]
        if r.get("status") != "success":
            problems.append(f"Gemini CLI result is {r.get('status')!r}: {json.dumps(r.get('error'))[:300]}")
        stats = r.get("stats") or {}
        info.append(
            "gemini stats: total_tokens={} input={} output={} tool_calls={} duration_ms={} models={}".format(
                stats.get("total_tokens"), stats.get("input_tokens"), stats.get("output_tokens"),
                stats.get("tool_calls"), stats.get("duration_ms"), list((stats.get("models") or {}).keys()),
            )
        )

    uses = [e for e in events if e.get("type") == "tool_use"]
    if not uses:
        problems.append("Gemini CLI never called a tool (no tool_use event)")
        return problems, info
    shell = [u for u in uses if u.get("tool_name") == tool]
    if not shell:
        problems.append(f"Gemini CLI called {[u.get('tool_name') for u in uses]}, not {tool}")
        return problems, info
    u = shell[0]
    if cmd is not None and (u.get("parameters") or {}).get("command") != cmd:
        problems.append(f"Gemini CLI ran {json.dumps(u.get('parameters'))[:300]}, not the requested command")
    res = [e for e in events if e.get("type") == "tool_result" and e.get("tool_id") == u.get("tool_id")]
    if not res:
        problems.append(f"no tool_result for {u.get('tool_id')}")
    elif res[-1].get("status") != "success":
        problems.append(f"the command failed inside Gemini CLI: {json.dumps(res[-1])[:400]}")
    info.append(f"gemini ran: {json.dumps((u.get('parameters') or {}).get('command'))} -> {res[-1].get('status') if res else None}")

    # The assistant text after the tool result (streamed as deltas).
    last_res = max((i for i, e in enumerate(events) if e.get("type") == "tool_result"), default=-1)
    text = "".join(
        str(e.get("content") or "") for e in events[last_res + 1 :] if e.get("type") == "message" and e.get("role") == "assistant"
    )
    if text.strip() != "Done.":
        problems.append(f"final assistant text {text[:200]!r}, want 'Done.'")
    return problems, info


def main(argv=None) -> int:
    ap = arg_parser(__doc__)
    ap.add_argument("--kind", choices=["openai", "anthropic", "gemini"], help="upstream wire format the mock must have seen")
    ap.add_argument("--tool", default="run_shell_command", help="Gemini CLI's shell tool name")
    ap.add_argument("--cmd", help="the shell command Gemini CLI must have run")
    ap.add_argument("--expect-model", default="", help="model id(s) the upstream must see, comma separated (empty: any)")
    ap.add_argument("--picker", action="store_true", help="the run used Gemini CLI's model picker (no -m)")
    ap.add_argument("--gemini-out", help="output of gemini -o stream-json")
    ap.add_argument("--summarize-gemini", metavar="FILE", help="only print one line per event of FILE")
    a = ap.parse_args(argv)

    if a.summarize_gemini:
        return summarize_file(summarize_gemini(a.summarize_gemini))
    entries = log_entries(ap, a, summarize)
    if entries is None:
        return 0
    if not (a.kind and a.gemini_out):
        ap.error("--kind and --gemini-out are required unless --summary-only")

    models = [m for m in a.expect_model.split(",") if m]
    return report(
        check_upstream(entries, a.kind, a.tool, models, a.key, a.client_key, a.cmd, a.picker),
        check_gemini(a.gemini_out, a.tool, a.cmd),
    )


if __name__ == "__main__":
    sys.exit(main())
