//! Where a case cannot be said in a format, the behaviour `LOSSY.md`
//! documents (dropped, moved, flagged in text) is asserted here, row by row,
//! on top of the snapshots.

use serde_json::{Value, json};
use switchyard_protocol::Format::{self, Anthropic, Gemini, OpenaiChat, OpenaiResponses};
use switchyard_protocol::ir::Request;

use crate::pipeline::Pair;

const PNG: &str = "iVBORw0KGgo=";
const CAT_URL: &str = "https://example.com/cat.jpg";

/// The request the upstream got, for the cases some format cannot carry.
pub fn check_request(pair: Pair, case: &str, decoded: &Request, upstream: &Value) {
    match case {
        "stop_sequences" => stop_sequences(pair, decoded, upstream),
        "parallel_tools" => parallel_tool_calls(pair, upstream),
        "tool_results" => tool_results(pair, upstream),
        "images" => images(pair, upstream),
        "reasoning" => reasoning(pair, upstream),
        _ => {}
    }
}

/// The JSON answer the client got.
pub fn check_answer(pair: Pair, case: &str, answer: &Value) {
    match case {
        "stop_sequences" => assert_eq!(stop_of(pair.client, answer), stop_sequence_stop(pair)),
        "length" => assert_eq!(stop_of(pair.client, answer), length_stop(pair.client)),
        "reasoning" => reasoning_signature(pair, answer),
        _ => {}
    }
}

fn occurrences(haystack: &Value, needle: &str) -> usize {
    haystack.to_string().matches(needle).count()
}

/// "IR → OpenAI Responses (request)": stop sequences, dropped (Responses has
/// none), so a Responses client cannot send them either.
fn stop_sequences(pair: Pair, decoded: &Request, upstream: &Value) {
    let carried = pair.client != OpenaiResponses;
    let want: &[&str] = if carried { &["END", "STOP"] } else { &[] };
    assert_eq!(decoded.stop_sequences, want, "{pair:?}");
    let field = match pair.upstream {
        Anthropic => "/stop_sequences",
        OpenaiChat => "/stop",
        Gemini => "/generationConfig/stopSequences",
        OpenaiResponses => {
            assert_eq!(occurrences(upstream, "\"STOP\""), 0, "{pair:?}: {upstream}");
            return;
        }
    };
    let sent = upstream.pointer(field).cloned().unwrap_or(Value::Null);
    let want = if carried { json!(want) } else { Value::Null };
    assert_eq!(sent, want, "{pair:?}");
}

/// Anthropic can only forbid parallel calls and Gemini cannot say it
/// ("IR → Gemini (request)": `parallel_tool_calls` dropped).
fn parallel_tool_calls(pair: Pair, upstream: &Value) {
    let said = matches!(pair.client, OpenaiChat | OpenaiResponses);
    let sent = match pair.upstream {
        OpenaiChat | OpenaiResponses => upstream["parallel_tool_calls"] == true,
        Anthropic | Gemini => occurrences(upstream, "parallel") > 0,
    };
    let carried = said && matches!(pair.upstream, OpenaiChat | OpenaiResponses);
    assert_eq!(sent, carried, "{pair:?}: {upstream}");
}

/// The image of the third result arrives exactly once; the error result is
/// flagged where the format has a flag, else its text starts `Error: `
/// (rows `tool_result.is_error`, "outputs carry no error flag", Gemini's
/// `{error}` response).
fn tool_results(pair: Pair, upstream: &Value) {
    assert_eq!(occurrences(upstream, PNG), 1, "{pair:?}: {upstream}");
    let flagged = matches!(pair.client, Anthropic | Gemini);
    let text = if flagged {
        "no such file"
    } else {
        "Error: no such file"
    };
    let (prefixed, error) = match pair.upstream {
        Anthropic => (json!(text), json!(flagged)),
        Gemini if flagged => (json!(null), json!({"error": "no such file"})),
        Gemini => (json!(null), json!({"result": text})),
        OpenaiChat | OpenaiResponses => (json!("Error: no such file"), json!(null)),
    };
    let (got_text, got_error) = error_result(pair.upstream, upstream);
    assert_eq!((got_text, got_error), (prefixed, error), "{pair:?}");
    if pair.upstream == OpenaiChat {
        images_after_tool_messages(pair, upstream);
    }
}

/// The second result (the error) as (its text, its flag or Gemini response).
fn error_result(upstream_format: Format, upstream: &Value) -> (Value, Value) {
    match upstream_format {
        Anthropic => {
            let result = &upstream["messages"][2]["content"][1];
            let is_error = result.get("is_error").cloned().unwrap_or(json!(false));
            (result["content"][0]["text"].clone(), is_error)
        }
        OpenaiChat => (upstream["messages"][4]["content"].clone(), Value::Null),
        OpenaiResponses => (upstream["input"][6]["output"].clone(), Value::Null),
        Gemini => {
            let response = &upstream["contents"][2]["parts"][1]["functionResponse"]["response"];
            (Value::Null, response.clone())
        }
    }
}

/// "images inside `tool_result`": OpenAI `tool` messages carry only text,
/// the image follows in a user message.
fn images_after_tool_messages(pair: Pair, upstream: &Value) {
    let messages = upstream["messages"].as_array().unwrap();
    for message in messages.iter().filter(|message| message["role"] == "tool") {
        assert!(message["content"].is_string(), "{pair:?}: {message}");
    }
    let last = messages.last().unwrap();
    assert_eq!(last["role"], "user", "{pair:?}");
    assert_eq!(occurrences(last, PNG), 1, "{pair:?}: {last}");
}

/// Base64 and URL images reach every upstream, once each; Gemini gets the
/// URL as `fileData` with a guessed mime type ("image URLs").
fn images(pair: Pair, upstream: &Value) {
    assert_eq!(occurrences(upstream, PNG), 1, "{pair:?}: {upstream}");
    assert_eq!(occurrences(upstream, CAT_URL), 1, "{pair:?}: {upstream}");
    if pair.upstream == Gemini {
        let file = &upstream["contents"][0]["parts"][2]["fileData"];
        assert_eq!(file["mimeType"], "image/jpeg", "{pair:?}");
    }
}

/// Reasoning in the history: Responses and Gemini upstreams drop it
/// ("reasoning, redacted reasoning", "reasoning text in history"); Anthropic
/// takes only thinking it signed ("assistant `reasoning_content` in
/// history"); Chat gets it as `reasoning_content`. The thinking budget
/// leaves half of the output limit for the answer.
fn reasoning(pair: Pair, upstream: &Value) {
    let history = match pair.upstream {
        Anthropic => occurrences(upstream, "\"type\":\"thinking\""),
        OpenaiChat => occurrences(upstream, "reasoning_content"),
        OpenaiResponses => occurrences(upstream, "\"type\":\"reasoning\""),
        Gemini => occurrences(upstream, "\"thought\":true"),
    };
    let kept = match pair.upstream {
        Anthropic => pair.client == Anthropic,
        OpenaiChat => matches!(pair.client, Anthropic | OpenaiChat),
        OpenaiResponses | Gemini => false,
    };
    assert_eq!(history, usize::from(kept), "{pair:?}: {upstream}");
    let (budget, max) = match pair.upstream {
        Anthropic => (
            &upstream["thinking"]["budget_tokens"],
            &upstream["max_tokens"],
        ),
        Gemini => {
            let config = &upstream["generationConfig"];
            (
                &config["thinkingConfig"]["thinkingBudget"],
                &config["maxOutputTokens"],
            )
        }
        OpenaiChat | OpenaiResponses => return,
    };
    let (budget, max) = (budget.as_u64().unwrap(), max.as_u64().unwrap());
    assert!(budget * 2 <= max, "{pair:?}: budget {budget} of {max}");
}

/// The client's finish marker: stop reason, finish reason or status.
fn stop_of(client: Format, answer: &Value) -> Value {
    match client {
        Anthropic => json!([answer["stop_reason"], answer["stop_sequence"]]),
        OpenaiChat => answer["choices"][0]["finish_reason"].clone(),
        OpenaiResponses => json!([answer["status"], answer["incomplete_details"]]),
        Gemini => answer["candidates"][0]["finishReason"].clone(),
    }
}

/// Only Anthropic upstreams say which sequence matched ("`finish_reason:
/// stop`": `end_turn` otherwise); Responses has no stop reason ("other stop
/// reasons are `completed`"); Gemini says `STOP`.
fn stop_sequence_stop(pair: Pair) -> Value {
    match pair.client {
        Anthropic if pair.upstream == Anthropic => json!(["stop_sequence", "END"]),
        Anthropic => json!(["end_turn", null]),
        OpenaiChat => json!("stop"),
        OpenaiResponses => json!(["completed", null]),
        Gemini => json!("STOP"),
    }
}

/// "stop reason `max_tokens`": Responses says `incomplete`.
fn length_stop(client: Format) -> Value {
    match client {
        Anthropic => json!(["max_tokens", null]),
        OpenaiChat => json!("length"),
        OpenaiResponses => json!(["incomplete", {"reason": "max_output_tokens"}]),
        Gemini => json!("MAX_TOKENS"),
    }
}

/// The thinking signature survives only between formats that carry one
/// (Anthropic `signature`, Responses `encrypted_content`); Chat and Gemini
/// clients never see it ("`thinking`: signature dropped", "reasoning
/// signatures … dropped"); Anthropic clients of other upstreams get an
/// empty one.
fn reasoning_signature(pair: Pair, answer: &Value) {
    let signed = matches!(pair.upstream, Anthropic | OpenaiResponses);
    let shown = occurrences(answer, "sig-new");
    let carries = matches!(pair.client, Anthropic | OpenaiResponses);
    assert_eq!(shown, usize::from(signed && carries), "{pair:?}: {answer}");
    if pair.client == Anthropic && !signed {
        assert_eq!(answer["content"][0]["signature"], "", "{pair:?}");
    }
}
