#!/usr/bin/env python3
"""The official SDKs against a running Switchyard gateway (run by tests/e2e/sdk.sh).

Runs inside the SDK venv that sdk.sh creates (pinned ``openai``, ``anthropic``
and ``google-genai``). Every check uses an SDK as an
application would, pointed at the gateway with the gateway's client key, and
asserts that the SDK parses the answer without an exception and that the
parsed/accumulated objects carry the scripted answer of tests/e2e/mock_upstream.py:

* no tools                              -> the text ``OK``
* tools + ``RUN_CMD=[[CMD]]`` user text -> a call to the ``Bash`` tool with
                                           ``{"command": CMD, "description": "run it"}``
* the same plus the tool's result       -> the text ``Done.``

Prints ``PASS name`` / ``FAIL name: why`` / ``SKIP name: why`` per check (on
stderr, for a failure: the traceback and the raw bytes of its HTTP exchanges)
and ``RESULT passed=N failed=N skipped=N`` at the end; exits 1 when a check
failed. A SKIP is a check that fails because of a loss the gateway documents
in crates/protocol/LOSSY.md: its line quotes the row (see ``run``).
"""

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


# --------------------------------------------------------------------------
# OpenAI
# --------------------------------------------------------------------------


def openai_checks(base: str, key: str, model: str, unrouted: str, listed: str, upstream: str):
    import openai

    client = openai.OpenAI(base_url=f"{base}/v1", api_key=key, max_retries=0, http_client=http_client())
    bad = openai.OpenAI(base_url=f"{base}/v1", api_key="sk-wrong-key-000000000000", max_retries=0, http_client=http_client())
    P = "openai"
    user_tool = {"role": "user", "content": PROMPT_TOOL}
    state: dict = {}

    def chat_usage(u, what):
        expect(u is not None, f"{what}: no usage")
        expect(u.prompt_tokens > 0 and u.completion_tokens > 0, f"{what}: usage {u}")
        expect(u.total_tokens == u.prompt_tokens + u.completion_tokens, f"{what}: total_tokens {u}")

    def tool_call_ok(name, arguments, what):
        expect(name == TOOL_NAME, f"{what}: tool name {name!r}")
        args = json.loads(arguments) if isinstance(arguments, str) else arguments
        expect(args == TOOL_ARGS, f"{what}: tool arguments {args!r}, want {TOOL_ARGS!r}")

    # ---- Chat Completions -------------------------------------------------
    def chat_text():
        r = client.chat.completions.create(model=model, messages=[{"role": "user", "content": PROMPT_TEXT}])
        expect(r.object == "chat.completion", f"object {r.object!r}")
        expect(r.choices and r.choices[0].message.content == SIDE_TEXT, f"content {r.choices!r}")
        expect(r.choices[0].finish_reason == "stop", f"finish_reason {r.choices[0].finish_reason!r}")
        chat_usage(r.usage, "chat")

    def chat_tool():
        r = client.chat.completions.create(model=model, messages=[user_tool], tools=[CHAT_TOOL])
        m = r.choices[0].message
        expect(m.tool_calls and len(m.tool_calls) == 1, f"tool_calls {m.tool_calls!r}")
        tc = m.tool_calls[0]
        expect(tc.type == "function" and tc.id, f"tool call {tc!r}")
        tool_call_ok(tc.function.name, tc.function.arguments, "chat")
        expect(r.choices[0].finish_reason == "tool_calls", f"finish_reason {r.choices[0].finish_reason!r}")
        chat_usage(r.usage, "chat tool")
        state["chat_call"] = tc

    def chat_followup_msgs():
        tc = state.get("chat_call")
        expect(tc is not None, "no tool call from chat/tool-call")
        return [
            user_tool,
            {"role": "assistant", "content": None, "tool_calls": [tc.model_dump(exclude_none=True)]},
            {"role": "tool", "tool_call_id": tc.id, "content": TOOL_RESULT},
        ]

    def chat_followup():
        r = client.chat.completions.create(model=model, messages=chat_followup_msgs(), tools=[CHAT_TOOL])
        expect(r.choices[0].message.content == DONE_TEXT, f"content {r.choices[0].message.content!r}")
        chat_usage(r.usage, "chat follow-up")

    def chat_stream_accumulate(**kw):
        chunks = list(client.chat.completions.create(model=model, stream=True, stream_options={"include_usage": True}, **kw))
        expect(chunks, "no chunks")
        text, calls, finish, usage_chunks = "", {}, None, []
        for i, c in enumerate(chunks):
            expect(c.object == "chat.completion.chunk", f"chunk {i} object {c.object!r}")
            if c.usage is not None:
                usage_chunks.append((i, c))
            for ch in c.choices:
                d = ch.delta
                text += d.content or ""
                for tc in d.tool_calls or []:
                    slot = calls.setdefault(tc.index, {"id": None, "name": "", "arguments": ""})
                    if tc.id:
                        slot["id"] = tc.id
                    if tc.function and tc.function.name:
                        slot["name"] += tc.function.name
                    if tc.function and tc.function.arguments:
                        slot["arguments"] += tc.function.arguments
                if ch.finish_reason:
                    expect(finish is None, f"two finish_reasons ({finish!r}, {ch.finish_reason!r})")
                    finish = ch.finish_reason
        expect(len(usage_chunks) == 1, f"{len(usage_chunks)} chunks with usage, want exactly 1 (include_usage)")
        i, uc = usage_chunks[0]
        expect(i == len(chunks) - 1 and uc.choices == [], "the usage chunk must be the last one, with choices: []")
        chat_usage(uc.usage, "chat stream")
        return text, calls, finish

    def chat_stream_text():
        text, calls, finish = chat_stream_accumulate(messages=[{"role": "user", "content": PROMPT_TEXT}])
        expect(text == SIDE_TEXT and not calls and finish == "stop", f"text {text!r} calls {calls} finish {finish!r}")

    def chat_stream_tool():
        text, calls, finish = chat_stream_accumulate(messages=[user_tool], tools=[CHAT_TOOL])
        expect(list(calls) == [0], f"tool call indexes {list(calls)}")
        expect(calls[0]["id"], "tool call without id")
        tool_call_ok(calls[0]["name"], calls[0]["arguments"], "chat stream")
        expect(finish == "tool_calls", f"finish {finish!r}")
        expect(not text, f"unexpected text {text!r}")

    def chat_stream_followup():
        text, calls, finish = chat_stream_accumulate(messages=chat_followup_msgs(), tools=[CHAT_TOOL])
        expect(text == DONE_TEXT and not calls and finish == "stop", f"text {text!r} calls {calls} finish {finish!r}")

    def chat_stream_no_usage():
        chunks = list(client.chat.completions.create(model=model, stream=True, messages=[{"role": "user", "content": PROMPT_TEXT}]))
        text = "".join(ch.delta.content or "" for c in chunks for ch in c.choices)
        expect(text == SIDE_TEXT, f"text {text!r}")

    def chat_helper_text():
        with client.chat.completions.stream(
            model=model, messages=[{"role": "user", "content": PROMPT_TEXT}], stream_options={"include_usage": True}
        ) as s:
            deltas = "".join(ev.delta for ev in s if ev.type == "content.delta")
            final = s.get_final_completion()
        expect(deltas == SIDE_TEXT, f"content.delta events {deltas!r}")
        expect(final.choices[0].message.content == SIDE_TEXT, f"final content {final.choices[0].message.content!r}")
        chat_usage(final.usage, "chat helper")

    def chat_helper_tool():
        with client.chat.completions.stream(model=model, messages=[user_tool], tools=[CHAT_TOOL_STRICT]) as s:
            done = [ev for ev in s if ev.type == "tool_calls.function.arguments.done"]
            final = s.get_final_completion()
        expect(len(done) == 1 and done[0].name == TOOL_NAME, f"arguments.done events {done!r}")
        expect(done[0].parsed_arguments == TOOL_ARGS, f"parsed_arguments {done[0].parsed_arguments!r}")
        tcs = final.choices[0].message.tool_calls
        expect(tcs and tcs[0].function.parsed_arguments == TOOL_ARGS, f"final tool_calls {tcs!r}")
        expect(final.choices[0].finish_reason == "tool_calls", f"finish {final.choices[0].finish_reason!r}")

    def chat_parse_tool():
        r = client.chat.completions.parse(model=model, messages=[user_tool], tools=[CHAT_TOOL_STRICT])
        tcs = r.choices[0].message.tool_calls
        expect(tcs and tcs[0].function.name == TOOL_NAME, f"tool_calls {tcs!r}")
        expect(tcs[0].function.parsed_arguments == TOOL_ARGS, f"parsed_arguments {tcs[0].function.parsed_arguments!r}")

    def chat_parse_structured():
        r = client.chat.completions.parse(
            model=model, messages=[{"role": "user", "content": "Weather in Paris as JSON."}], response_format=Weather
        )
        parsed = r.choices[0].message.parsed
        expect(isinstance(parsed, Weather), f"parsed {parsed!r} (content {r.choices[0].message.content!r})")

    # ---- Responses ----------------------------------------------------------
    def resp_usage(u, what):
        expect(u is not None, f"{what}: no usage")
        expect(u.input_tokens > 0 and u.output_tokens > 0, f"{what}: usage {u}")
        expect(u.total_tokens == u.input_tokens + u.output_tokens, f"{what}: total_tokens {u}")

    def resp_calls(r):
        return [it for it in r.output if it.type == "function_call"]

    def responses_text():
        r = client.responses.create(model=model, input=PROMPT_TEXT)
        expect(r.object == "response" and r.status == "completed", f"object {r.object!r} status {r.status!r}")
        expect(r.output_text == SIDE_TEXT, f"output_text {r.output_text!r}")
        resp_usage(r.usage, "responses")

    def responses_tool():
        r = client.responses.create(model=model, input=PROMPT_TOOL, tools=[RESP_TOOL])
        calls = resp_calls(r)
        expect(len(calls) == 1, f"function_call items {r.output!r}")
        expect(calls[0].call_id, "function_call without call_id")
        tool_call_ok(calls[0].name, calls[0].arguments, "responses")
        resp_usage(r.usage, "responses tool")
        state["resp_call"] = calls[0]

    def resp_followup_input():
        c = state.get("resp_call")
        expect(c is not None, "no function_call from responses/tool-call")
        return [
            {"role": "user", "content": PROMPT_TOOL},
            {"type": "function_call", "call_id": c.call_id, "name": c.name, "arguments": c.arguments},
            {"type": "function_call_output", "call_id": c.call_id, "output": TOOL_RESULT},
        ]

    def responses_followup():
        r = client.responses.create(model=model, input=resp_followup_input(), tools=[RESP_TOOL])
        expect(r.output_text == DONE_TEXT, f"output_text {r.output_text!r}")
        resp_usage(r.usage, "responses follow-up")

    def responses_stream_events(**kw):
        events = list(client.responses.create(model=model, stream=True, **kw))
        types = [e.type for e in events]
        expect(types and types[0] == "response.created", f"first event {types[:1]}")
        expect(types[-1] == "response.completed", f"last event {types[-1:]}")
        seq = [e.sequence_number for e in events]
        expect(seq == sorted(seq) and len(set(seq)) == len(seq), f"sequence_number not increasing: {seq}")
        final = events[-1].response
        expect(final.status == "completed", f"final status {final.status!r}")
        resp_usage(final.usage, "responses stream")
        return events, types, final

    def responses_stream_text():
        events, types, final = responses_stream_events(input=PROMPT_TEXT)
        text = "".join(e.delta for e in events if e.type == "response.output_text.delta")
        expect(text == SIDE_TEXT, f"output_text deltas {text!r}")
        for t in ("response.output_item.added", "response.content_part.added", "response.output_text.done", "response.output_item.done"):
            expect(t in types, f"missing {t} in {types}")
        expect(final.output_text == SIDE_TEXT, f"final output_text {final.output_text!r}")

    def responses_stream_tool():
        events, types, final = responses_stream_events(input=PROMPT_TOOL, tools=[RESP_TOOL])
        args = "".join(e.delta for e in events if e.type == "response.function_call_arguments.delta")
        done = [e for e in events if e.type == "response.function_call_arguments.done"]
        expect(len(done) == 1 and done[0].arguments == args, f"arguments.done {done!r} vs deltas {args!r}")
        tool_call_ok(TOOL_NAME, args, "responses stream deltas")
        calls = resp_calls(final)
        expect(len(calls) == 1, f"final output {final.output!r}")
        tool_call_ok(calls[0].name, calls[0].arguments, "responses stream final")

    def responses_stream_followup():
        events, types, final = responses_stream_events(input=resp_followup_input(), tools=[RESP_TOOL])
        expect(final.output_text == DONE_TEXT, f"final output_text {final.output_text!r}")

    def responses_helper_text():
        with client.responses.stream(model=model, input=PROMPT_TEXT) as s:
            text = "".join(e.delta for e in s if e.type == "response.output_text.delta")
            final = s.get_final_response()
        expect(text == SIDE_TEXT and final.output_text == SIDE_TEXT, f"text {text!r} final {final.output_text!r}")
        resp_usage(final.usage, "responses helper")

    def responses_helper_tool():
        with client.responses.stream(model=model, input=PROMPT_TOOL, tools=[RESP_TOOL]) as s:
            for _ in s:
                pass
            final = s.get_final_response()
        calls = resp_calls(final)
        expect(len(calls) == 1, f"final output {final.output!r}")
        tool_call_ok(calls[0].name, calls[0].arguments, "responses helper")
        parsed = getattr(calls[0], "parsed_arguments", None)
        expect(parsed in (None, TOOL_ARGS), f"parsed_arguments {parsed!r}")

    def responses_helper_followup():
        with client.responses.stream(model=model, input=resp_followup_input(), tools=[RESP_TOOL]) as s:
            for _ in s:
                pass
            final = s.get_final_response()
        expect(final.output_text == DONE_TEXT, f"final output_text {final.output_text!r}")

    def responses_parse_structured():
        r = client.responses.parse(model=model, input="Weather in Paris as JSON.", text_format=Weather)
        expect(isinstance(r.output_parsed, Weather), f"output_parsed {r.output_parsed!r} (text {r.output_text!r})")

    def async_stream_helpers():
        async def go():
            ac = openai.AsyncOpenAI(base_url=f"{base}/v1", api_key=key, max_retries=0)
            try:
                async with ac.responses.stream(model=model, input=PROMPT_TOOL, tools=[RESP_TOOL]) as s:
                    async for _ in s:
                        pass
                    final = await s.get_final_response()
                async with ac.chat.completions.stream(model=model, messages=[user_tool], tools=[CHAT_TOOL_STRICT]) as s2:
                    async for _ in s2:
                        pass
                    completion = await s2.get_final_completion()
            finally:
                await ac.close()
            return final, completion

        final, completion = asyncio.run(go())
        calls = resp_calls(final)
        expect(len(calls) == 1, f"responses final output {final.output!r}")
        tool_call_ok(calls[0].name, calls[0].arguments, "async responses helper")
        tcs = completion.choices[0].message.tool_calls
        expect(tcs and tcs[0].function.parsed_arguments == TOOL_ARGS, f"async chat helper tool_calls {tcs!r}")

    # ---- models, errors -----------------------------------------------------
    def models_list():
        ids = [m.id for m in client.models.list()]
        expect(listed in ids, f"{listed!r} not in {ids}")

    def err_unrouted_chat():
        e = raises(lambda: client.chat.completions.create(model=unrouted, messages=[{"role": "user", "content": "hi"}]))
        check_error(e, openai.NotFoundError, 404, "chat")
        expect(unrouted in str(e), f"message does not name the model: {e}")

    def err_unrouted_chat_stream():
        e = raises(lambda: list(client.chat.completions.create(model=unrouted, stream=True, messages=[{"role": "user", "content": "hi"}])))
        check_error(e, openai.NotFoundError, 404, "chat stream")

    def err_unrouted_responses():
        e = raises(lambda: client.responses.create(model=unrouted, input="hi"))
        check_error(e, openai.NotFoundError, 404, "responses")
        expect(unrouted in str(e), f"message does not name the model: {e}")

    def err_unrouted_responses_stream():
        def go():
            with client.responses.stream(model=unrouted, input="hi") as s:
                for _ in s:
                    pass
        check_error(raises(go), openai.NotFoundError, 404, "responses stream")

    def err_badkey_chat():
        e = raises(lambda: bad.chat.completions.create(model=model, messages=[{"role": "user", "content": "hi"}]))
        check_error(e, openai.AuthenticationError, 401, "chat")

    def err_badkey_responses():
        e = raises(lambda: bad.responses.create(model=model, input="hi"))
        check_error(e, openai.AuthenticationError, 401, "responses")

    def err_badkey_models():
        e = raises(lambda: list(bad.models.list()))
        check_error(e, openai.AuthenticationError, 401, "models")

    for check in [
        ("chat/text", chat_text),
        ("chat/tool-call", chat_tool),
        ("chat/tool-result", chat_followup),
        ("chat/stream-text", chat_stream_text),
        ("chat/stream-tool-call", chat_stream_tool),
        ("chat/stream-tool-result", chat_stream_followup),
        ("chat/stream-without-usage", chat_stream_no_usage),
        ("chat/stream-helper-text", chat_helper_text),
        ("chat/stream-helper-tool-call", chat_helper_tool),
        ("chat/parse-tool-call", chat_parse_tool),
        ("chat/parse-structured-output", chat_parse_structured),
        ("responses/text", responses_text),
        ("responses/tool-call", responses_tool),
        ("responses/tool-result", responses_followup),
        ("responses/stream-text", responses_stream_text),
        ("responses/stream-tool-call", responses_stream_tool),
        ("responses/stream-tool-result", responses_stream_followup),
        ("responses/stream-helper-text", responses_helper_text),
        ("responses/stream-helper-tool-call", responses_helper_tool),
        ("responses/stream-helper-tool-result", responses_helper_followup),
        ("responses/parse-structured-output", responses_parse_structured),
        ("async/stream-helpers-tool-call", async_stream_helpers),
        ("models/list", models_list),
        ("error/unrouted-model-chat-404", err_unrouted_chat),
        ("error/unrouted-model-chat-stream-404", err_unrouted_chat_stream),
        ("error/unrouted-model-responses-404", err_unrouted_responses),
        ("error/unrouted-model-responses-stream-404", err_unrouted_responses_stream),
        ("error/bad-key-chat-401", err_badkey_chat),
        ("error/bad-key-responses-401", err_badkey_responses),
        ("error/bad-key-models-401", err_badkey_models),
    ]:
        run(P, *check)


# --------------------------------------------------------------------------
# Anthropic
# --------------------------------------------------------------------------


def anthropic_checks(base: str, key: str, model: str, unrouted: str, listed: str, upstream: str):
    import anthropic

    client = anthropic.Anthropic(base_url=base, api_key=key, max_retries=0, http_client=http_client())
    bad = anthropic.Anthropic(base_url=base, api_key="sk-wrong-key-000000000000", max_retries=0, http_client=http_client())
    P = "anthropic"
    user_text = {"role": "user", "content": PROMPT_TEXT}
    user_tool = {"role": "user", "content": PROMPT_TOOL}
    state: dict = {}

    def usage_ok(u, what):
        expect(u is not None, f"{what}: no usage")
        expect(u.input_tokens > 0 and u.output_tokens > 0, f"{what}: usage {u}")

    def text_of(m):
        return "".join(b.text for b in m.content if b.type == "text")

    def tool_use_ok(m, what):
        uses = [b for b in m.content if b.type == "tool_use"]
        expect(len(uses) == 1, f"{what}: tool_use blocks {m.content!r}")
        u = uses[0]
        expect(u.id and u.name == TOOL_NAME, f"{what}: tool_use {u!r}")
        expect(u.input == TOOL_ARGS, f"{what}: input {u.input!r}, want {TOOL_ARGS!r}")
        expect(m.stop_reason == "tool_use", f"{what}: stop_reason {m.stop_reason!r}")
        return u

    def followup_msgs():
        m = state.get("msg")
        expect(m is not None, "no tool_use from messages/tool-call")
        u = [b for b in m.content if b.type == "tool_use"][0]
        return [
            user_tool,
            {"role": "assistant", "content": [b.model_dump(exclude_none=True) for b in m.content]},
            {"role": "user", "content": [{"type": "tool_result", "tool_use_id": u.id, "content": TOOL_RESULT}]},
        ]

    def msg_text():
        m = client.messages.create(model=model, max_tokens=256, messages=[user_text])
        expect(m.type == "message" and m.role == "assistant", f"type {m.type!r} role {m.role!r}")
        expect(text_of(m) == SIDE_TEXT, f"text {text_of(m)!r}")
        expect(m.stop_reason == "end_turn", f"stop_reason {m.stop_reason!r}")
        usage_ok(m.usage, "messages")

    def msg_tool():
        m = client.messages.create(model=model, max_tokens=256, messages=[user_tool], tools=[ANTH_TOOL])
        tool_use_ok(m, "messages")
        usage_ok(m.usage, "messages tool")
        state["msg"] = m

    def msg_followup():
        m = client.messages.create(model=model, max_tokens=256, messages=followup_msgs(), tools=[ANTH_TOOL])
        expect(text_of(m) == DONE_TEXT, f"text {text_of(m)!r}")
        usage_ok(m.usage, "messages follow-up")

    def raw_stream(**kw):
        events = list(client.messages.create(model=model, max_tokens=256, stream=True, **kw))
        types = [e.type for e in events]
        expect(types and types[0] == "message_start" and types[-1] == "message_stop", f"event types {types}")
        expect("message_delta" in types, f"no message_delta in {types}")
        md = [e for e in events if e.type == "message_delta"][-1]
        expect(md.usage is not None and md.usage.output_tokens > 0, f"message_delta usage {md.usage!r}")
        start = events[0].message
        expect(start.usage is not None, "message_start without usage")
        # The real API counts input tokens in message_start; translated from an
        # OpenAI stream they are known only at the end and come in message_delta
        # (LOSSY.md: "stream message_start usage: zero"), which the SDK merges.
        inp = max(start.usage.input_tokens or 0, getattr(md.usage, "input_tokens", None) or 0)
        expect(inp > 0, f"input_tokens neither in message_start ({start.usage!r}) nor in message_delta ({md.usage!r})")
        if upstream == "anthropic":
            expect(start.usage.input_tokens > 0, f"message_start usage {start.usage!r} (Anthropic upstream: passed through)")
        return events, types

    def msg_stream_text():
        events, types = raw_stream(messages=[user_text])
        text = "".join(e.delta.text for e in events if e.type == "content_block_delta" and e.delta.type == "text_delta")
        expect(text == SIDE_TEXT, f"text deltas {text!r}")

    def msg_stream_tool():
        events, types = raw_stream(messages=[user_tool], tools=[ANTH_TOOL])
        starts = [e for e in events if e.type == "content_block_start" and e.content_block.type == "tool_use"]
        expect(len(starts) == 1 and starts[0].content_block.name == TOOL_NAME, f"tool_use starts {starts!r}")
        pj = "".join(e.delta.partial_json for e in events if e.type == "content_block_delta" and e.delta.type == "input_json_delta")
        expect(json.loads(pj) == TOOL_ARGS, f"input_json_delta {pj!r}")

    def helper(**kw):
        with client.messages.stream(model=model, max_tokens=256, **kw) as s:
            text = "".join(s.text_stream)
            final = s.get_final_message()
        usage_ok(final.usage, "messages.stream final")
        return text, final

    def helper_text():
        text, final = helper(messages=[user_text])
        expect(text == SIDE_TEXT and text_of(final) == SIDE_TEXT, f"text_stream {text!r} final {text_of(final)!r}")
        expect(final.stop_reason == "end_turn", f"stop_reason {final.stop_reason!r}")

    def helper_tool():
        text, final = helper(messages=[user_tool], tools=[ANTH_TOOL])
        tool_use_ok(final, "messages.stream")

    def helper_followup():
        text, final = helper(messages=followup_msgs(), tools=[ANTH_TOOL])
        expect(text_of(final) == DONE_TEXT, f"final text {text_of(final)!r}")

    def parse_structured():
        m = client.messages.parse(
            model=model, max_tokens=256, messages=[{"role": "user", "content": "Weather in Paris as JSON."}], output_format=Weather
        )
        expect(isinstance(m.parsed_output, Weather), f"parsed_output {m.parsed_output!r} (text {text_of(m)!r})")

    def async_helper():
        async def go():
            ac = anthropic.AsyncAnthropic(base_url=base, api_key=key, max_retries=0)
            try:
                async with ac.messages.stream(model=model, max_tokens=256, messages=[user_tool], tools=[ANTH_TOOL]) as s:
                    async for _ in s:
                        pass
                    return await s.get_final_message()
            finally:
                await ac.close()

        final = asyncio.run(go())
        tool_use_ok(final, "async messages.stream")
        usage_ok(final.usage, "async messages.stream")

    def count_tokens():
        r = client.messages.count_tokens(model=model, messages=[user_tool], tools=[ANTH_TOOL])
        expect(isinstance(r.input_tokens, int) and r.input_tokens > 0, f"input_tokens {r.input_tokens!r}")

    def models_list():
        page = client.models.list()
        ids = [m.id for m in page]
        expect(listed in ids, f"{listed!r} not in {ids}")

    def err_unrouted():
        e = raises(lambda: client.messages.create(model=unrouted, max_tokens=16, messages=[user_text]))
        check_error(e, anthropic.NotFoundError, 404, "messages", "not_found_error")
        expect(unrouted in str(e), f"message does not name the model: {e}")

    def err_unrouted_stream():
        def go():
            with client.messages.stream(model=unrouted, max_tokens=16, messages=[user_text]) as s:
                s.get_final_message()
        check_error(raises(go), anthropic.NotFoundError, 404, "messages.stream", "not_found_error")

    def err_unrouted_count():
        e = raises(lambda: client.messages.count_tokens(model=unrouted, messages=[user_text]))
        check_error(e, anthropic.NotFoundError, 404, "count_tokens", "not_found_error")

    def err_badkey():
        e = raises(lambda: bad.messages.create(model=model, max_tokens=16, messages=[user_text]))
        check_error(e, anthropic.AuthenticationError, 401, "messages", "authentication_error")

    def err_badkey_models():
        e = raises(lambda: list(bad.models.list()))
        check_error(e, anthropic.AuthenticationError, 401, "models", "authentication_error")

    for check in [
        ("messages/text", msg_text),
        ("messages/tool-call", msg_tool),
        ("messages/tool-result", msg_followup),
        ("messages/stream-text", msg_stream_text),
        ("messages/stream-tool-call", msg_stream_tool),
        ("messages/stream-helper-text", helper_text),
        ("messages/stream-helper-tool-call", helper_tool),
        ("messages/stream-helper-tool-result", helper_followup),
        ("messages/async-stream-helper-tool-call", async_helper),
        ("messages/parse-structured-output", parse_structured),
        ("messages/count-tokens", count_tokens),
        ("models/list", models_list),
        ("error/unrouted-model-404", err_unrouted),
        ("error/unrouted-model-stream-404", err_unrouted_stream),
        ("error/unrouted-model-count-tokens-404", err_unrouted_count),
        ("error/bad-key-401", err_badkey),
        ("error/bad-key-models-401", err_badkey_models),
    ]:
        run(P, *check)


# --------------------------------------------------------------------------
# Gemini (google-genai)
# --------------------------------------------------------------------------


def gemini_checks(base: str, key: str, model: str, unrouted: str, listed: str, upstream: str):
    from google import genai
    from google.genai import errors, types

    def mk(k):
        return genai.Client(
            api_key=k,
            http_options=types.HttpOptions(base_url=base, api_version="v1beta", httpx_client=http_client(), timeout=30_000),
        )

    client, bad = mk(key), mk("wrong-key-000000000000")
    P = "gemini"
    decl = types.FunctionDeclaration(name=TOOL_NAME, description=TOOL_DESC, parameters_json_schema=TOOL_SCHEMA)
    cfg_tools = types.GenerateContentConfig(
        tools=[types.Tool(function_declarations=[decl])],
        automatic_function_calling=types.AutomaticFunctionCallingConfig(disable=True),
    )
    user_tool = types.Content(role="user", parts=[types.Part(text=PROMPT_TOOL)])
    state: dict = {}

    def usage_ok(r, what):
        u = r.usage_metadata
        expect(u is not None and (u.prompt_token_count or 0) > 0 and (u.candidates_token_count or 0) > 0, f"{what}: usage_metadata {u!r}")

    def call_ok(r, what):
        calls = r.function_calls or []
        expect(len(calls) == 1, f"{what}: function_calls {calls!r}")
        expect(calls[0].name == TOOL_NAME and calls[0].args == TOOL_ARGS, f"{what}: call {calls[0]!r}")
        return calls[0]

    def followup_contents():
        r = state.get("resp")
        expect(r is not None, "no function call from generate/tool-call")
        fc = r.function_calls[0]
        return [
            user_tool,
            r.candidates[0].content,
            types.Content(
                role="user",
                parts=[types.Part(function_response=types.FunctionResponse(id=fc.id, name=fc.name, response={"output": TOOL_RESULT}))],
            ),
        ]

    def gen_text():
        r = client.models.generate_content(model=model, contents=PROMPT_TEXT)
        expect(r.text == SIDE_TEXT, f"text {r.text!r}")
        expect(r.candidates[0].finish_reason == types.FinishReason.STOP, f"finish_reason {r.candidates[0].finish_reason!r}")
        usage_ok(r, "generate")

    def gen_tool():
        r = client.models.generate_content(model=model, contents=[user_tool], config=cfg_tools)
        call_ok(r, "generate")
        usage_ok(r, "generate tool")
        state["resp"] = r

    def gen_followup():
        r = client.models.generate_content(model=model, contents=followup_contents(), config=cfg_tools)
        expect(r.text == DONE_TEXT, f"text {r.text!r}")

    def stream_text():
        chunks = list(client.models.generate_content_stream(model=model, contents=PROMPT_TEXT))
        text = "".join(c.text or "" for c in chunks)
        expect(text == SIDE_TEXT, f"text {text!r}")
        usage_ok(chunks[-1], "stream last chunk")

    def stream_tool():
        chunks = list(client.models.generate_content_stream(model=model, contents=[user_tool], config=cfg_tools))
        calls = [fc for c in chunks for fc in (c.function_calls or [])]
        expect(len(calls) == 1 and calls[0].name == TOOL_NAME and calls[0].args == TOOL_ARGS, f"function calls {calls!r}")
        usage_ok(chunks[-1], "stream last chunk")

    def stream_followup():
        chunks = list(client.models.generate_content_stream(model=model, contents=followup_contents(), config=cfg_tools))
        text = "".join(c.text or "" for c in chunks)
        expect(text == DONE_TEXT, f"text {text!r}")

    def gen_structured():
        cfg = types.GenerateContentConfig(response_mime_type="application/json", response_schema=Weather)
        r = client.models.generate_content(model=model, contents="Weather in Paris as JSON.", config=cfg)
        expect(isinstance(r.parsed, Weather), f"parsed {r.parsed!r} (text {r.text!r})")

    def count():
        r = client.models.count_tokens(model=model, contents=PROMPT_TEXT)
        expect(isinstance(r.total_tokens, int) and r.total_tokens > 0, f"total_tokens {r.total_tokens!r}")

    def models_list():
        names = [m.name for m in client.models.list()]
        expect(f"models/{listed}" in names or listed in names, f"{listed!r} not in {names}")

    def err_unrouted():
        e = raises(lambda: client.models.generate_content(model=unrouted, contents="hi"))
        gemini_error(e, 404, "NOT_FOUND", "generate")
        expect(unrouted in str(e), f"message does not name the model: {e}")

    def gemini_error(e, code, status, what):
        expect(isinstance(e, errors.ClientError), f"{what}: raised {type(e).__module__}.{type(e).__name__}: {e}")
        expect(e.code == code and e.status == status, f"{what}: code {e.code} status {e.status!r}, want {code} {status!r}: {e}")
        expect(isinstance(e.message, str) and len(e.message) > 10, f"{what}: no readable message: {e.message!r}")

    def err_unrouted_stream():
        e = raises(lambda: list(client.models.generate_content_stream(model=unrouted, contents="hi")))
        gemini_error(e, 404, "NOT_FOUND", "stream")

    def err_badkey():
        e = raises(lambda: bad.models.generate_content(model=model, contents="hi"))
        gemini_error(e, 401, "UNAUTHENTICATED", "generate")

    for check in [
        ("generate/text", gen_text),
        ("generate/tool-call", gen_tool),
        ("generate/tool-result", gen_followup),
        ("generate/stream-text", stream_text),
        ("generate/stream-tool-call", stream_tool),
        ("generate/stream-tool-result", stream_followup),
        ("generate/structured-output", gen_structured),
        ("count-tokens", count),
        ("models/list", models_list),
        ("error/unrouted-model-404", err_unrouted),
        ("error/unrouted-model-stream-404", err_unrouted_stream),
        ("error/bad-key-401", err_badkey),
    ]:
        run(P, *check)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--base", required=True, help="gateway root URL, e.g. http://127.0.0.1:PORT")
    ap.add_argument("--key", required=True, help="the gateway's client key")
    ap.add_argument("--upstream", required=True, choices=["openai", "anthropic"], help="the gateway provider's format (openai = openai_chat); also the check-name prefix")
    ap.add_argument("--sdk", action="append", choices=["openai", "anthropic", "gemini"], help="repeatable; default: all three")
    ap.add_argument("--unrouted-model", default="nope-sdk-e2e")
    ap.add_argument("--listed-model", default="sdk-model", help="a literal route name GET /v1/models must list")
    args = ap.parse_args(argv)
    sdks = args.sdk or ["openai", "anthropic", "gemini"]
    global LABEL
    LABEL = {"openai": "openai_chat", "anthropic": "anthropic"}[args.upstream] + "/"
    common = dict(base=args.base, key=args.key, unrouted=args.unrouted_model, listed=args.listed_model, upstream=args.upstream)
    if "openai" in sdks:
        openai_checks(model="gpt-sdk-e2e", **common)
    if "anthropic" in sdks:
        anthropic_checks(model="claude-sdk-e2e", **common)
    if "gemini" in sdks:
        gemini_checks(model="gemini-sdk-e2e", **common)
    print(f"RESULT passed={RESULTS['passed']} failed={RESULTS['failed']} skipped={RESULTS['skipped']}", flush=True)
    return 1 if RESULTS["failed"] else 0


if __name__ == "__main__":
    sys.exit(main())
