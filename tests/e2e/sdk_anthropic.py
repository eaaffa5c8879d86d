"""The Anthropic SDK's checks (Messages, streams, tools, count_tokens, errors)."""
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


