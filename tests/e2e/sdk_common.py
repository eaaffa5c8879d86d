"""Shared by the SDK checks (sdk_check.py): the fixed prompts and tools, the
recording HTTP client, and the check runner with its results."""
from __future__ import annotations

import argparse
import asyncio
import json
import sys
from pathlib import Path
import time
import traceback

try:  # the SDKs ship their HTTP client as httpx2 (older releases: httpx)
    import httpx2 as httpx
except ImportError:  # pragma: no cover
    import httpx  # type: ignore[no-redef]

import pydantic

# --------------------------------------------------------------------------
# scripted conversation (see mock_upstream.py)
# --------------------------------------------------------------------------

# A command with quotes and a backslash escape, so the streamed tool-call
# arguments are cut inside JSON escape sequences by the mock.
CMD = 'printf \'%s\\n\' "sdk-ok"'
PROMPT_TOOL = f"Run this. RUN_CMD=[[{CMD}]]"
PROMPT_TEXT = "Say something short."
TOOL_NAME = "Bash"
TOOL_ARGS = {"command": CMD, "description": "run it"}
TOOL_RESULT = "sdk-ok"
SIDE_TEXT = "OK"
DONE_TEXT = "Done."

TOOL_SCHEMA = {
    "type": "object",
    "properties": {
        "command": {"type": "string", "description": "the shell command"},
        "description": {"type": "string", "description": "what it does"},
    },
    "required": ["command", "description"],
    "additionalProperties": False,
}
TOOL_DESC = "Run a shell command."

CHAT_TOOL = {"type": "function", "function": {"name": TOOL_NAME, "description": TOOL_DESC, "parameters": TOOL_SCHEMA}}
CHAT_TOOL_STRICT = {"type": "function", "function": dict(CHAT_TOOL["function"], strict=True)}
RESP_TOOL = {"type": "function", "name": TOOL_NAME, "description": TOOL_DESC, "parameters": TOOL_SCHEMA, "strict": True}
ANTH_TOOL = {"name": TOOL_NAME, "description": TOOL_DESC, "input_schema": TOOL_SCHEMA}


class Weather(pydantic.BaseModel):
    city: str
    degrees: int


# A check may be marked with a row of crates/protocol/LOSSY.md (a quote of the
# row's text) when that documented loss makes it fail: its failure is then a
# SKIP naming the row. The quote must be found in LOSSY.md, and a marked check
# that passes is a failure (a stale marker would hide the next regression).
# No check is marked today.
LOSSY_MD = Path(__file__).resolve().parents[2] / "crates" / "protocol" / "LOSSY.md"


def lossy_rows() -> list[str]:
    return [line for line in LOSSY_MD.read_text(encoding="utf-8").splitlines() if line.startswith("| ")]


# --------------------------------------------------------------------------
# recording transport: the raw bytes of every exchange, for failure reports
# --------------------------------------------------------------------------

EXCHANGES: list[dict] = []


class _RecordingStream(httpx.SyncByteStream):
    def __init__(self, inner, rec):
        self._inner = inner
        self._rec = rec

    def __iter__(self):
        for chunk in self._inner:
            self._rec["body"] += chunk
            yield chunk

    def close(self):
        close = getattr(self._inner, "close", None)
        if close:
            close()


class RecordingTransport(httpx.BaseTransport):
    def __init__(self):
        self._inner = httpx.HTTPTransport()

    def handle_request(self, request):
        body = request.read() if hasattr(request, "read") else b""
        resp = self._inner.handle_request(request)
        rec = {
            "request": f"{request.method} {request.url}",
            "request_body": body[:1500],
            "status": resp.status_code,
            "content_type": resp.headers.get("content-type", ""),
            "body": bytearray(),
        }
        EXCHANGES.append(rec)
        return httpx.Response(
            resp.status_code,
            headers=resp.headers,
            stream=_RecordingStream(resp.stream, rec),
            extensions=resp.extensions,
            request=request,
        )

    def close(self):
        self._inner.close()


def http_client():
    return httpx.Client(transport=RecordingTransport(), timeout=30)


def dump_exchanges(since: int):
    for rec in EXCHANGES[since:][-3:]:
        print(f"    >>> {rec['request']}", file=sys.stderr)
        print(f"        request body: {bytes(rec['request_body'])!r}", file=sys.stderr)
        print(f"    <<< {rec['status']} {rec['content_type']}", file=sys.stderr)
        body = bytes(rec["body"])
        shown = body if len(body) <= 6000 else body[:6000] + b"...[truncated]"
        print("        " + shown.decode("utf-8", "replace").replace("\n", "\n        "), file=sys.stderr)


# --------------------------------------------------------------------------
# check runner
# --------------------------------------------------------------------------


class CheckFailed(Exception):
    pass


def expect(cond, msg):
    if not cond:
        raise CheckFailed(msg)


RESULTS = {"passed": 0, "failed": 0, "skipped": 0}
LABEL = ""  # "<upstream kind>/", set by main()


def run(prefix: str, name: str, fn, lossy: str | None = None):
    """Run one check. ``lossy``: a quote of the LOSSY.md row whose documented
    loss makes this check fail; its failure is then a SKIP naming the row."""
    full = f"{LABEL}{prefix}/{name}"
    since = len(EXCHANGES)
    t0 = time.monotonic()
    tb = []
    row = None if lossy is None else next((r for r in lossy_rows() if lossy in r), None)
    skip = row is not None  # a failure of a check marked with a real row
    try:
        if lossy is not None and row is None:
            raise CheckFailed(f"its SKIP marker {lossy!r} quotes no row of {LOSSY_MD}")
        fn()
    except CheckFailed as e:
        why = str(e)
    except Exception as e:  # an SDK exception is a failure too
        why = f"{type(e).__module__}.{type(e).__name__}: {e}".splitlines()[0]
        tb = traceback.format_exc().rstrip().splitlines()[-14:]
    else:
        if row is None:
            RESULTS["passed"] += 1
            print(f"PASS {full} ({time.monotonic() - t0:.2f}s)", flush=True)
            return
        skip = False
        why = f"passes although marked with LOSSY.md row {row!r}: drop the stale marker"
    if skip:
        RESULTS["skipped"] += 1
        print(f"SKIP {full}: LOSSY.md row {row!r} (got: {why})", flush=True)
        return
    RESULTS["failed"] += 1
    print(f"FAIL {full}: {why}", flush=True)
    print(f"===== FAIL {full}: {why}", file=sys.stderr)
    if tb:
        print("    " + "\n    ".join(tb), file=sys.stderr)
    dump_exchanges(since)
    sys.stderr.flush()


def check_error(exc: Exception, cls, status: int, what: str, anthropic_type: str | None = None):
    """A typed SDK error with the status, a readable message and a parsed body.

    openai: ``body`` is the ``error`` object (``{"message", "type", ...}``);
    anthropic: ``body`` is ``{"type": "error", "error": {"type": anthropic_type, "message"}}``.
    """
    expect(isinstance(exc, cls), f"{what}: raised {type(exc).__module__}.{type(exc).__name__}, want {cls.__module__}.{cls.__name__}: {exc}")
    got = getattr(exc, "status_code", None)
    expect(got == status, f"{what}: status_code {got}, want {status}")
    msg = getattr(exc, "message", None) or str(exc)
    expect(isinstance(msg, str) and len(msg) > 10, f"{what}: no readable message: {msg!r}")
    body = getattr(exc, "body", None)
    expect(isinstance(body, dict), f"{what}: error body not parsed as JSON: {body!r}")
    if anthropic_type is None:
        expect(isinstance(body.get("message"), str) and body["message"], f"{what}: error body without message: {body!r}")
        expect(body["message"] in msg, f"{what}: SDK message {msg!r} does not carry the body's message")
    else:
        err = body.get("error") or {}
        expect(body.get("type") == "error" and err.get("type") == anthropic_type, f"{what}: error body {body!r}, want error.type {anthropic_type!r}")
        expect(isinstance(err.get("message"), str) and err["message"] in msg, f"{what}: error body without message: {body!r}")


def raises(fn):
    try:
        fn()
    except Exception as e:  # noqa: BLE001
        return e
    raise CheckFailed("no exception raised")


