"""The OpenAI SDK's checks (Chat Completions, Responses, models, errors)."""
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


