"""The google-genai SDK's checks (generateContent, streams, countTokens, errors)."""
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


from sdk_common import *  # noqa: F401,F403  (the prompts, tools and runner)
from sdk_common import RESULTS, run, expect, raises, check_error  # noqa: F401


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

