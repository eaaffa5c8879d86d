#!/usr/bin/env python3
"""Scripted mock LLM upstream for the Switchyard end-to-end tests (stdlib only).

Speaks two wire formats on one port (more with ``--serve-responses`` and
``--serve-gemini``):

* ``POST /v1/chat/completions`` - OpenAI Chat Completions (stream and non-stream)
* ``POST /v1/messages``         - Anthropic Messages (stream and non-stream)
* ``POST /v1/messages/count_tokens`` -> ``{"input_tokens": 42}``
* ``POST /v1/responses``        - OpenAI Responses (stream and non-stream), only
                                  with ``--serve-responses``: the harness
                                  self-check that points Codex straight at the
                                  mock. Without the flag it is a 404, so a
                                  gateway cannot pass a Responses request
                                  through by mistake.
* ``POST /v1beta/models/{model}:generateContent``,
  ``:streamGenerateContent?alt=sse`` and ``:countTokens`` - Gemini API, only
                                  with ``--serve-gemini`` (the harness
                                  self-check that points Gemini CLI straight at
                                  the mock; a 404 otherwise, for the same
                                  reason). The key is ``x-goog-api-key`` (or
                                  ``?key=``).
* ``GET  /v1/models``            - a harmless model list (Claude Code may ask)
* anything else                  - 404 JSON

The "model" is a script driven by markers in the user's prompt:

* ``WRITE_PATH=/abs/file``           -> a ``Write`` tool call creating that file
                                        with ``hello from switchyard\\n``
* ``RUN_CMD=[[some shell command]]`` -> a call to the client's shell tool,
  picked from the request's tools (``SHELL_TOOLS``): Claude Code's ``Bash``
  ``{"command", "description"}``; Codex's ``exec_command`` ``{"cmd"}``
  (0.169), or ``shell`` / ``shell_command`` / ``local_shell`` with
  ``command`` as an argv (``["bash", "-lc", cmd]``) or a string, as their
  schema says; Gemini CLI's ``run_shell_command`` ``{"command", ...}`` (its
  declaration comes as ``functionDeclarations`` with ``parametersJsonSchema``
  or ``parameters`` when talking Gemini, or translated by the gateway).
  Without a known shell tool it falls back to ``Bash``.

Once a tool result follows the user message that carried the marker, the
answer is the text ``Done.``. Requests without tools (title generation, quota
probes, ...) or without a marker get a short plain-text answer (or a JSON object
matching the schema when structured output is requested), so side requests
never derail the loop.

Authentication: OpenAI routes require ``Authorization: Bearer KEY``, Anthropic
routes require ``x-api-key: KEY`` (KEY from ``--key``, default
``sk-upstream-test``; ``--allow-bearer`` also accepts a bearer token there);
anything else gets a 401.

Every request is appended to ``--log`` as one JSON line
``{"path", "route", "method", "headers", "body", "status", "reply", "tool_id",
"tool_input"}`` (the last two are set when the reply was a tool call).
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import re
import sys
import threading
import time
import uuid
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

WRITE_CONTENT = "hello from switchyard\n"
WRITE_RE = re.compile(r"WRITE_PATH=(/[^\s\"'`<>]+)")
CMD_RE = re.compile(r"RUN_CMD=\[\[(.+?)\]\]", re.S)
# Gemini API: /v1beta/models/{model}:{method}
GEMINI_RE = re.compile(r"^/(v1beta|v1|v1alpha)/models/([^/:]+):(generateContent|streamGenerateContent|countTokens)$")
DONE_TEXT = "Done."
SIDE_TEXT = "OK"

LOG_LOCK = threading.Lock()


# --------------------------------------------------------------------------
# Conversation analysis (format independent)
# --------------------------------------------------------------------------


def _texts(content) -> list[str]:
    """Plain text parts of a message content (string or list of parts)."""
    if isinstance(content, str):
        return [content]
    out = []
    if isinstance(content, list):
        for part in content:
            if isinstance(part, dict) and part.get("type") in ("text", "input_text"):
                t = part.get("text")
                if isinstance(t, str):
                    out.append(t)
            elif isinstance(part, str):
                out.append(part)
    return out


def normalize_openai(body: dict) -> list[dict]:
    msgs = []
    for m in body.get("messages") or []:
        if not isinstance(m, dict):
            continue
        role = m.get("role")
        msgs.append(
            {
                "role": role,
                "text": "\n".join(_texts(m.get("content"))) if role == "user" else "",
                "tool_result": role in ("tool", "function"),
            }
        )
    return msgs


def normalize_anthropic(body: dict) -> list[dict]:
    msgs = []
    for m in body.get("messages") or []:
        if not isinstance(m, dict):
            continue
        role = m.get("role")
        content = m.get("content")
        has_result = isinstance(content, list) and any(
            isinstance(b, dict) and b.get("type") == "tool_result" for b in content
        )
        msgs.append(
            {
                "role": role,
                "text": "\n".join(_texts(content)) if role == "user" else "",
                "tool_result": has_result,
            }
        )
    return msgs


def normalize_responses(body: dict) -> list[dict]:
    """OpenAI Responses ``input`` (a string or a list of items) as messages."""
    inp = body.get("input")
    if isinstance(inp, str):
        return [{"role": "user", "text": inp, "tool_result": False}]
    msgs = []
    for it in inp or []:
        if not isinstance(it, dict):
            continue
        t = it.get("type") or ("message" if "role" in it else None)
        if t == "message":
            role = it.get("role")
            msgs.append(
                {
                    "role": role,
                    "text": "\n".join(_texts(it.get("content"))) if role == "user" else "",
                    "tool_result": False,
                }
            )
        elif isinstance(t, str) and t.endswith("_output"):
            # function_call_output, custom_tool_call_output, local_shell_call_output, ...
            msgs.append({"role": "tool", "text": "", "tool_result": True})
        else:
            # function_call, reasoning, ... (the assistant side)
            msgs.append({"role": "assistant", "text": "", "tool_result": False})
    return msgs


def normalize_gemini(body: dict) -> list[dict]:
    """Gemini ``contents`` as messages; a ``functionResponse`` part is a tool result."""
    msgs = []
    for c in body.get("contents") or []:
        if not isinstance(c, dict):
            continue
        role = c.get("role") or "user"
        parts = [p for p in c.get("parts") or [] if isinstance(p, dict)]
        msgs.append(
            {
                "role": "assistant" if role == "model" else role,
                "text": "\n".join(p["text"] for p in parts if isinstance(p.get("text"), str) and not p.get("thought"))
                if role == "user"
                else "",
                "tool_result": any("functionResponse" in p for p in parts),
            }
        )
    return msgs


def tool_specs(body: dict) -> dict:
    """{tool name: JSON schema of its arguments} for the tools of a request.

    Understands OpenAI Chat (``{"type": "function", "function": {...}}``),
    Anthropic (``{"name", "input_schema"}``), OpenAI Responses
    (``{"type": "function", "name", "parameters"}``, ``namespace`` groups),
    Gemini (``{"functionDeclarations": [{"name", "parametersJsonSchema" or
    "parameters"}]}``) and hosted tools (``{"type": "local_shell"}``: keyed
    by their type).
    """
    out: dict = {}

    def walk(tools):
        for t in tools or []:
            if not isinstance(t, dict):
                continue
            if isinstance(t.get("function"), dict):
                fn = t["function"]
                if fn.get("name"):
                    out.setdefault(fn["name"], fn.get("parameters") or {})
            elif t.get("type") == "namespace":
                walk(t.get("tools"))
            elif isinstance(t.get("functionDeclarations"), list):
                for fd in t["functionDeclarations"]:
                    if isinstance(fd, dict) and fd.get("name"):
                        out.setdefault(fd["name"], fd.get("parametersJsonSchema") or fd.get("parameters") or {})
            elif t.get("name"):
                out.setdefault(t["name"], t.get("input_schema") or t.get("parameters") or {})
            elif t.get("type"):
                out.setdefault(t["type"], {})
    walk(body.get("tools") or body.get("functions"))
    return out


# Shell tools, in order of preference: Claude Code's Bash, then Codex's
# (0.169 declares exec_command {cmd}; older builds shell {command: [argv]},
# shell_command {command: "..."} or the hosted local_shell), then Gemini CLI's
# run_shell_command {command: "...", description?, dir_path?, is_background?}.
SHELL_TOOLS = ("Bash", "exec_command", "shell_command", "shell", "local_shell", "container.exec", "run_shell_command")


def shell_call(tools: dict, cmd: str) -> tuple[str, dict]:
    """(tool name, arguments) that make the client run ``cmd`` with its shell tool."""
    name = next((n for n in SHELL_TOOLS if n in tools), "Bash")
    if name == "Bash":
        return name, {"command": cmd, "description": "run it"}
    schema = tools.get(name) or {}
    props = schema.get("properties") or {}
    if name == "local_shell":
        return name, {"command": ["bash", "-lc", cmd]}
    if "cmd" in props or name == "exec_command":
        return name, {"cmd": cmd}
    if name == "run_shell_command":
        args = {"command": cmd}
        if "description" in props:
            args["description"] = "run it"
        return name, args
    ctype = (props.get("command") or {}).get("type")
    if ctype == "array" or (ctype is None and name in ("shell", "container.exec")):
        return name, {"command": ["bash", "-lc", cmd]}
    return name, {"command": cmd}


def decide(msgs: list[dict], has_tools: bool, tools: dict | None = None) -> dict:
    """Return the scripted action for a conversation.

    {"kind": "tool", "name": ..., "input": {...}} or {"kind": "text", "text": ...}
    ``tools`` (from ``tool_specs``) picks the client's shell tool for RUN_CMD;
    without it the shell tool is Claude Code's ``Bash``.
    """
    if not has_tools:
        return {"kind": "text", "text": SIDE_TEXT, "why": "side request (no tools)"}
    marker_idx = None
    action = None
    for i in range(len(msgs) - 1, -1, -1):
        m = msgs[i]
        if m["role"] != "user" or not m["text"]:
            continue
        w = WRITE_RE.search(m["text"])
        c = CMD_RE.search(m["text"])
        if w:
            marker_idx = i
            action = {
                "kind": "tool",
                "name": "Write",
                "input": {"file_path": w.group(1), "content": WRITE_CONTENT},
            }
            break
        if c:
            marker_idx = i
            name, args = shell_call(tools or {}, c.group(1).strip())
            action = {"kind": "tool", "name": name, "input": args}
            break
    if action is None:
        return {"kind": "text", "text": SIDE_TEXT, "why": "no marker in user text"}
    if any(m["tool_result"] for m in msgs[marker_idx + 1 :]):
        return {"kind": "text", "text": DONE_TEXT, "why": "tool result received"}
    return action


def schema_example(schema) -> object:
    """A minimal value that satisfies a (simple) JSON schema."""
    if not isinstance(schema, dict):
        return "Switchyard e2e"
    t = schema.get("type")
    if isinstance(t, list):
        t = next((x for x in t if str(x).lower() != "null"), "string")
    if isinstance(t, str):
        t = t.lower()  # Gemini's OpenAPI subset spells types OBJECT, STRING, ...
    if "enum" in schema and schema["enum"]:
        return schema["enum"][0]
    if t == "object" or "properties" in schema:
        props = schema.get("properties") or {}
        req = schema.get("required") or list(props)
        return {k: schema_example(props.get(k)) for k in req}
    if t == "array":
        return []
    if t in ("integer", "number"):
        return 0
    if t == "boolean":
        return False
    return "Switchyard e2e"


def structured_text(schema) -> str:
    return json.dumps(schema_example(schema))


def split_fragments(s: str) -> list[str]:
    """Split a JSON string into fragments at odd offsets.

    One cut always lands inside the first escape sequence (between the
    backslash and the escaped character) when there is one.
    """
    cuts = set()
    pos = 0
    steps = [1, 4, 7, 2, 11, 5, 13, 3]
    k = 0
    while True:
        pos += steps[k % len(steps)]
        k += 1
        if pos >= len(s):
            break
        cuts.add(pos)
    esc = s.find("\\")
    if 0 <= esc < len(s) - 1:
        cuts.add(esc + 1)
    bounds = [0] + sorted(cuts) + [len(s)]
    return [s[a:b] for a, b in zip(bounds, bounds[1:]) if b > a]


def estimate_tokens(raw: bytes) -> int:
    return max(1, len(raw) // 4)


# --------------------------------------------------------------------------
# HTTP handling
# --------------------------------------------------------------------------


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "SwitchyardMockUpstream/1.0"

    # set by main()
    log_path: str | None = None
    api_key: str = "sk-upstream-test"
    allow_bearer: bool = False
    serve_responses: bool = False
    serve_gemini: bool = False
    chunk_delay: float = 0.01

    def log_message(self, fmt, *args):  # quiet stderr
        if os.environ.get("MOCK_UPSTREAM_VERBOSE"):
            sys.stderr.write("mock: " + (fmt % args) + "\n")

    # ---- request plumbing -------------------------------------------------

    def _read_body(self) -> bytes:
        te = (self.headers.get("Transfer-Encoding") or "").lower()
        if "chunked" in te:
            data = b""
            while True:
                line = self.rfile.readline()
                if not line:
                    break
                size = int(line.split(b";", 1)[0].strip() or b"0", 16)
                if size == 0:
                    # trailers until blank line
                    while True:
                        t = self.rfile.readline()
                        if not t or t in (b"\r\n", b"\n"):
                            break
                    break
                data += self.rfile.read(size)
                self.rfile.readline()  # CRLF after chunk
        else:
            n = int(self.headers.get("Content-Length") or 0)
            data = self.rfile.read(n) if n > 0 else b""
        enc = (self.headers.get("Content-Encoding") or "").lower()
        if enc == "gzip":
            data = gzip.decompress(data)
        elif enc == "deflate":
            data = zlib.decompress(data)
        return data

    def _log(self, body, status: int, reply: str, tool_id: str | None = None, tool_input=None,
             usage=None):
        if not self.log_path:
            return
        rec = {
            "ts": time.time(),
            "method": self.command,
            "path": self.path,
            "route": urlsplit(self.path).path,
            "headers": {k.lower(): v for k, v in self.headers.items()},
            "body": body,
            "status": status,
            "reply": reply,
            "tool_id": tool_id,
            "tool_input": tool_input,
            # the tokens the answer reports: {"input": uncached prompt, "output": completion}
            "usage": usage,
        }
        line = json.dumps(rec, ensure_ascii=False)
        with LOG_LOCK:
            with open(self.log_path, "a", encoding="utf-8") as f:
                f.write(line + "\n")

    def _send_json(self, status: int, obj, extra_headers=None):
        data = json.dumps(obj).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for k, v in (extra_headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)
        self.wfile.flush()

    def _start_sse(self):
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream; charset=utf-8")
        self.send_header("Cache-Control", "no-cache")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()

    def _chunk(self, text: str):
        data = text.encode()
        self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
        self.wfile.flush()
        if self.chunk_delay:
            time.sleep(self.chunk_delay)

    def _end_chunks(self):
        self.wfile.write(b"0\r\n\r\n")
        self.wfile.flush()

    # ---- verbs ------------------------------------------------------------

    def do_GET(self):
        route = urlsplit(self.path).path
        if route in ("/v1/models", "/models"):
            now = int(time.time())
            models = [
                {
                    "type": "model",
                    "object": "model",
                    "id": "claude-mock-upstream",
                    "display_name": "Mock upstream",
                    "created_at": "2025-01-01T00:00:00Z",
                    "created": now,
                    "owned_by": "switchyard-e2e",
                }
            ]
            obj = {
                "object": "list",
                "data": models,
                "has_more": False,
                "first_id": models[0]["id"],
                "last_id": models[0]["id"],
            }
            self._log(None, 200, "models")
            self._send_json(200, obj)
            return
        self._not_found(None)

    def do_HEAD(self):
        self._log(None, 200, "head")
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def do_POST(self):
        route = urlsplit(self.path).path
        raw = self._read_body()
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            body = {"_unparsable": raw.decode("utf-8", "replace")[:2000]}
            self._log(body, 400, "bad json")
            self._send_json(400, {"error": {"message": "invalid JSON body", "type": "invalid_request_error"}})
            return

        if route in ("/v1/chat/completions", "/chat/completions"):
            if self.headers.get("Authorization") != f"Bearer {self.api_key}":
                self._unauthorized(body, openai=True)
                return
            self._openai(body or {}, raw)
        elif route == "/v1/messages/count_tokens":
            if not self._anthropic_authorized():
                self._unauthorized(body, openai=False)
                return
            self._log(body, 200, "count_tokens")
            self._send_json(200, {"input_tokens": 42})
        elif route == "/v1/messages":
            if not self._anthropic_authorized():
                self._unauthorized(body, openai=False)
                return
            self._anthropic(body or {}, raw)
        elif route in ("/v1/responses", "/responses") and self.serve_responses:
            if self.headers.get("Authorization") != f"Bearer {self.api_key}":
                self._unauthorized(body, openai=True)
                return
            self._responses(body or {}, raw)
        elif GEMINI_RE.match(route) and self.serve_gemini:
            if not self._gemini_authorized():
                self._log(body, 401, "unauthorized")
                self._send_json(
                    401,
                    {"error": {"code": 401, "message": "API key not valid. Please pass a valid API key.", "status": "UNAUTHENTICATED"}},
                )
                return
            m = GEMINI_RE.match(route)
            self._gemini(m.group(2), m.group(3), body or {}, raw)
        else:
            self._not_found(body)

    def _gemini_authorized(self) -> bool:
        if self.headers.get("x-goog-api-key") == self.api_key:
            return True
        return parse_qs(urlsplit(self.path).query).get("key") == [self.api_key]

    def _anthropic_authorized(self) -> bool:
        if self.headers.get("x-api-key") == self.api_key:
            return True
        return self.allow_bearer and self.headers.get("Authorization") == f"Bearer {self.api_key}"

    def _not_found(self, body):
        if self.command != "POST":
            n = int(self.headers.get("Content-Length") or 0)
            if n:
                self.rfile.read(n)
        self._log(body, 404, "not found")
        self._send_json(404, {"error": {"type": "not_found_error", "message": f"no route for {self.command} {self.path}"}})

    def _unauthorized(self, body, openai: bool):
        self._log(body, 401, "unauthorized")
        if openai:
            err = {"error": {"message": "Incorrect API key provided", "type": "invalid_request_error", "code": "invalid_api_key"}}
        else:
            err = {"type": "error", "error": {"type": "authentication_error", "message": "invalid x-api-key"}}
        self._send_json(401, err)

    # ---- OpenAI Chat Completions -----------------------------------------

    def _openai(self, body: dict, raw: bytes):
        tools = body.get("tools") or body.get("functions") or []
        action = decide(normalize_openai(body), bool(tools), tool_specs(body))
        rf = body.get("response_format") or {}
        if action["kind"] == "text" and isinstance(rf, dict) and rf.get("type") in ("json_schema", "json_object"):
            schema = (rf.get("json_schema") or {}).get("schema") if rf.get("type") == "json_schema" else {}
            action = {"kind": "text", "text": structured_text(schema), "why": "structured output"}
        model = body.get("model") or "unknown"
        cid = "chatcmpl-" + uuid.uuid4().hex[:24]
        created = int(time.time())
        p_tok = estimate_tokens(raw)
        call_id = None
        if action["kind"] == "tool":
            call_id = "call_" + uuid.uuid4().hex[:20]
            args = json.dumps(action["input"])
            c_tok = 20 + len(args) // 4
            reply = f"tool_call {action['name']}"
        else:
            c_tok = 2
            reply = f"text {action['text']!r} ({action.get('why')})"
        usage = {"prompt_tokens": p_tok, "completion_tokens": c_tok, "total_tokens": p_tok + c_tok}
        stream = bool(body.get("stream"))
        self._log(body, 200, reply + (" [stream]" if stream else ""), call_id, action.get("input"),
                  {"input": p_tok, "output": c_tok})

        if not stream:
            if action["kind"] == "tool":
                message = {
                    "role": "assistant",
                    "content": None,
                    "tool_calls": [
                        {
                            "id": call_id,
                            "type": "function",
                            "function": {"name": action["name"], "arguments": args},
                        }
                    ],
                }
                finish = "tool_calls"
            else:
                message = {"role": "assistant", "content": action["text"]}
                finish = "stop"
            self._send_json(
                200,
                {
                    "id": cid,
                    "object": "chat.completion",
                    "created": created,
                    "model": model,
                    "choices": [{"index": 0, "message": message, "logprobs": None, "finish_reason": finish}],
                    "usage": usage,
                    "system_fingerprint": "fp_mock",
                },
            )
            return

        include_usage = bool((body.get("stream_options") or {}).get("include_usage"))

        def chunk(delta, finish=None, choices=True, with_usage=None):
            obj = {"id": cid, "object": "chat.completion.chunk", "created": created, "model": model}
            obj["choices"] = [{"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}] if choices else []
            if include_usage:
                obj["usage"] = with_usage
            return "data: " + json.dumps(obj) + "\n\n"

        self._start_sse()
        if action["kind"] == "tool":
            self._chunk(chunk({"role": "assistant", "content": None}))
            self._chunk(
                chunk(
                    {
                        "tool_calls": [
                            {"index": 0, "id": call_id, "type": "function", "function": {"name": action["name"], "arguments": ""}}
                        ]
                    }
                )
            )
            for frag in split_fragments(args):
                self._chunk(chunk({"tool_calls": [{"index": 0, "function": {"arguments": frag}}]}))
            self._chunk(chunk({}, finish="tool_calls"))
        else:
            self._chunk(chunk({"role": "assistant", "content": ""}))
            text = action["text"]
            for frag in [text[: len(text) // 2], text[len(text) // 2 :]]:
                if frag:
                    self._chunk(chunk({"content": frag}))
            self._chunk(chunk({}, finish="stop"))
        if include_usage:
            self._chunk(chunk(None, choices=False, with_usage=usage))
        self._chunk("data: [DONE]\n\n")
        self._end_chunks()

    # ---- Anthropic Messages ----------------------------------------------

    def _anthropic(self, body: dict, raw: bytes):
        tools = body.get("tools") or []
        action = decide(normalize_anthropic(body), bool(tools), tool_specs(body))
        fmt = (body.get("output_config") or {}).get("format") or {}
        if action["kind"] == "text" and isinstance(fmt, dict) and fmt.get("type") == "json_schema":
            action = {"kind": "text", "text": structured_text(fmt.get("schema")), "why": "structured output"}
        model = body.get("model") or "unknown"
        mid = "msg_" + uuid.uuid4().hex[:24]
        in_tok = estimate_tokens(raw)
        tool_id = None
        if action["kind"] == "tool":
            tool_id = "toolu_" + uuid.uuid4().hex[:24]
            args = json.dumps(action["input"])
            out_tok = 20 + len(args) // 4
            stop = "tool_use"
            content = [{"type": "tool_use", "id": tool_id, "name": action["name"], "input": action["input"]}]
            reply = f"tool_use {action['name']}"
        else:
            out_tok = 2
            stop = "end_turn"
            content = [{"type": "text", "text": action["text"]}]
            reply = f"text {action['text']!r} ({action.get('why')})"
        stream = bool(body.get("stream"))
        self._log(body, 200, reply + (" [stream]" if stream else ""), tool_id, action.get("input"),
                  {"input": in_tok, "output": out_tok})

        usage_full = {
            "input_tokens": in_tok,
            "cache_creation_input_tokens": 0,
            "cache_read_input_tokens": 0,
            "output_tokens": out_tok,
        }
        if not stream:
            self._send_json(
                200,
                {
                    "id": mid,
                    "type": "message",
                    "role": "assistant",
                    "model": model,
                    "content": content,
                    "stop_reason": stop,
                    "stop_sequence": None,
                    "usage": usage_full,
                },
            )
            return

        def ev(name, data):
            return f"event: {name}\ndata: {json.dumps(data)}\n\n"

        self._start_sse()
        self._chunk(
            ev(
                "message_start",
                {
                    "type": "message_start",
                    "message": {
                        "id": mid,
                        "type": "message",
                        "role": "assistant",
                        "model": model,
                        "content": [],
                        "stop_reason": None,
                        "stop_sequence": None,
                        "usage": dict(usage_full, output_tokens=1),
                    },
                },
            )
        )
        self._chunk(ev("ping", {"type": "ping"}))
        if action["kind"] == "tool":
            self._chunk(
                ev(
                    "content_block_start",
                    {
                        "type": "content_block_start",
                        "index": 0,
                        "content_block": {"type": "tool_use", "id": tool_id, "name": action["name"], "input": {}},
                    },
                )
            )
            for frag in [""] + split_fragments(args):
                self._chunk(
                    ev(
                        "content_block_delta",
                        {"type": "content_block_delta", "index": 0, "delta": {"type": "input_json_delta", "partial_json": frag}},
                    )
                )
        else:
            self._chunk(
                ev(
                    "content_block_start",
                    {"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}},
                )
            )
            text = action["text"]
            for frag in [text[: len(text) // 2], text[len(text) // 2 :]]:
                if frag:
                    self._chunk(
                        ev(
                            "content_block_delta",
                            {"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": frag}},
                        )
                    )
        self._chunk(ev("content_block_stop", {"type": "content_block_stop", "index": 0}))
        self._chunk(
            ev(
                "message_delta",
                {
                    "type": "message_delta",
                    "delta": {"stop_reason": stop, "stop_sequence": None},
                    "usage": {"output_tokens": out_tok},
                },
            )
        )
        self._chunk(ev("message_stop", {"type": "message_stop"}))
        self._end_chunks()


    # ---- OpenAI Responses (harness self-check only: --serve-responses) ----

    def _responses(self, body: dict, raw: bytes):
        tools = tool_specs(body)
        action = decide(normalize_responses(body), bool(tools), tools)
        fmt = (body.get("text") or {}).get("format") or {}
        if action["kind"] == "text" and isinstance(fmt, dict) and fmt.get("type") == "json_schema":
            action = {"kind": "text", "text": structured_text(fmt.get("schema")), "why": "structured output"}
        model = body.get("model") or "unknown"
        rid = "resp_" + uuid.uuid4().hex[:24]
        created = int(time.time())
        in_tok = estimate_tokens(raw)
        call_id = None
        if action["kind"] == "tool":
            call_id = "call_" + uuid.uuid4().hex[:20]
            args = json.dumps(action["input"])
            out_tok = 20 + len(args) // 4
            item = {
                "type": "function_call",
                "id": "fc_" + uuid.uuid4().hex[:24],
                "call_id": call_id,
                "name": action["name"],
                "arguments": args,
                "status": "completed",
            }
            reply = f"tool_call {action['name']}"
        else:
            out_tok = 2
            item = {
                "type": "message",
                "id": "msg_" + uuid.uuid4().hex[:24],
                "status": "completed",
                "role": "assistant",
                "content": [{"type": "output_text", "text": action["text"], "annotations": []}],
            }
            reply = f"text {action['text']!r} ({action.get('why')})"
        usage = {
            "input_tokens": in_tok,
            "input_tokens_details": {"cached_tokens": 0},
            "output_tokens": out_tok,
            "output_tokens_details": {"reasoning_tokens": 0},
            "total_tokens": in_tok + out_tok,
        }
        stream = bool(body.get("stream"))
        self._log(body, 200, reply + (" [stream]" if stream else ""), call_id, action.get("input"),
                  {"input": in_tok, "output": out_tok})

        def response(status, output, with_usage):
            return {
                "id": rid,
                "object": "response",
                "created_at": created,
                "status": status,
                "error": None,
                "incomplete_details": None,
                "model": model,
                "output": output,
                "parallel_tool_calls": bool(body.get("parallel_tool_calls", True)),
                "tool_choice": body.get("tool_choice", "auto"),
                "tools": [],
                "store": bool(body.get("store", False)),
                "usage": usage if with_usage else None,
            }

        if not stream:
            self._send_json(200, response("completed", [item], True))
            return

        seq = [0]

        def ev(name, data):
            data = dict({"type": name, "sequence_number": seq[0]}, **data)
            seq[0] += 1
            return f"event: {name}\ndata: {json.dumps(data)}\n\n"

        self._start_sse()
        self._chunk(ev("response.created", {"response": response("in_progress", [], False)}))
        self._chunk(ev("response.in_progress", {"response": response("in_progress", [], False)}))
        if item["type"] == "function_call":
            self._chunk(
                ev("response.output_item.added", {"output_index": 0, "item": dict(item, arguments="", status="in_progress")})
            )
            for frag in split_fragments(args):
                self._chunk(
                    ev("response.function_call_arguments.delta", {"item_id": item["id"], "output_index": 0, "delta": frag})
                )
            self._chunk(
                ev("response.function_call_arguments.done", {"item_id": item["id"], "output_index": 0, "arguments": args})
            )
        else:
            text = action["text"]
            ids = {"item_id": item["id"], "output_index": 0, "content_index": 0}
            self._chunk(
                ev("response.output_item.added", {"output_index": 0, "item": dict(item, content=[], status="in_progress")})
            )
            self._chunk(ev("response.content_part.added", dict(ids, part={"type": "output_text", "text": "", "annotations": []})))
            for frag in [text[: len(text) // 2], text[len(text) // 2 :]]:
                if frag:
                    self._chunk(ev("response.output_text.delta", dict(ids, delta=frag)))
            self._chunk(ev("response.output_text.done", dict(ids, text=text)))
            self._chunk(ev("response.content_part.done", dict(ids, part=item["content"][0])))
        self._chunk(ev("response.output_item.done", {"output_index": 0, "item": item}))
        self._chunk(ev("response.completed", {"response": response("completed", [item], True)}))
        self._end_chunks()


    # ---- Gemini API (harness self-check only: --serve-gemini) --------------

    def _gemini(self, model: str, method: str, body: dict, raw: bytes):
        if method == "countTokens":
            self._log(body, 200, "countTokens")
            self._send_json(200, {"totalTokens": 42})
            return
        tools = tool_specs(body)
        action = decide(normalize_gemini(body), bool(tools), tools)
        gc = body.get("generationConfig") or {}
        if action["kind"] == "text" and (
            gc.get("responseMimeType") == "application/json" or "responseJsonSchema" in gc or "responseSchema" in gc
        ):
            schema = gc.get("responseJsonSchema") or gc.get("responseSchema") or {}
            action = {"kind": "text", "text": structured_text(schema), "why": "structured output"}
        in_tok = estimate_tokens(raw)
        call_id = None
        if action["kind"] == "tool":
            call_id = "call_" + uuid.uuid4().hex[:20]
            out_tok = 20 + len(json.dumps(action["input"])) // 4
            parts = [{"functionCall": {"id": call_id, "name": action["name"], "args": action["input"]}}]
            reply = f"tool_call {action['name']}"
        else:
            out_tok = 2
            parts = [{"text": action["text"]}]
            reply = f"text {action['text']!r} ({action.get('why')})"
        stream = method == "streamGenerateContent"
        self._log(body, 200, reply + (" [stream]" if stream else ""), call_id, action.get("input"),
                  {"input": in_tok, "output": out_tok})
        usage = {"promptTokenCount": in_tok, "candidatesTokenCount": out_tok, "totalTokenCount": in_tok + out_tok}
        rid = uuid.uuid4().hex[:22]

        def resp(parts, finish=None, with_usage=False):
            cand = {"content": {"role": "model", "parts": parts}, "index": 0}
            if finish:
                cand["finishReason"] = finish
            obj = {"candidates": [cand], "modelVersion": model, "responseId": rid}
            if with_usage:
                obj["usageMetadata"] = usage
            return obj

        if not stream:
            self._send_json(200, resp(parts, "STOP", True))
            return
        # Like the real API: ``data: {json}\r\n\r\n`` per chunk, a functionCall
        # part arrives whole, text arrives in pieces, and the last chunk carries
        # finishReason and usageMetadata.
        self._start_sse()
        if action["kind"] == "tool":
            self._chunk("data: " + json.dumps(resp(parts, "STOP", True)) + "\r\n\r\n")
        else:
            text = action["text"]
            frags = [f for f in (text[: len(text) // 2], text[len(text) // 2 :]) if f]
            for i, frag in enumerate(frags):
                last = i == len(frags) - 1
                self._chunk("data: " + json.dumps(resp([{"text": frag}], "STOP" if last else None, last)) + "\r\n\r\n")
        self._end_chunks()


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=0, help="0 = pick a free port")
    ap.add_argument("--port-file", help="write the chosen port here (atomically)")
    ap.add_argument("--log", help="append one JSON line per request here")
    ap.add_argument("--key", default=os.environ.get("MOCK_UPSTREAM_EXPECT_KEY", "sk-upstream-test"), help="expected upstream API key")
    ap.add_argument(
        "--allow-bearer",
        action="store_true",
        help="also accept 'Authorization: Bearer KEY' on Anthropic routes (for pointing Claude Code straight at the mock)",
    )
    ap.add_argument(
        "--serve-responses",
        action="store_true",
        help="also serve POST /v1/responses (OpenAI Responses; for pointing Codex straight at the mock)",
    )
    ap.add_argument(
        "--serve-gemini",
        action="store_true",
        help="also serve POST /v1beta/models/{m}:generateContent|streamGenerateContent|countTokens (Gemini API; for pointing Gemini CLI straight at the mock)",
    )
    ap.add_argument("--chunk-delay", type=float, default=0.01, help="seconds between SSE chunks")
    args = ap.parse_args(argv)

    Handler.log_path = args.log
    Handler.api_key = args.key
    Handler.chunk_delay = args.chunk_delay
    Handler.allow_bearer = args.allow_bearer
    Handler.serve_responses = args.serve_responses
    Handler.serve_gemini = args.serve_gemini
    if args.log:
        open(args.log, "a").close()

    ThreadingHTTPServer.daemon_threads = True
    srv = ThreadingHTTPServer((args.host, args.port), Handler)
    port = srv.server_address[1]
    if args.port_file:
        tmp = args.port_file + ".tmp"
        with open(tmp, "w") as f:
            f.write(f"{port}\n")
        os.replace(tmp, args.port_file)
    sys.stderr.write(f"mock upstream listening on http://{args.host}:{port}\n")
    sys.stderr.flush()
    try:
        srv.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        pass
    finally:
        srv.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
