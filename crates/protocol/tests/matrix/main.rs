//! The golden matrix: every client format × every upstream format × every
//! shared case, through the crate's public API exactly as the gateway runs
//! it, each output snapshotted (`snapshots/matrix__<client>_to_<upstream>__<case>.snap`).
//!
//! Cases are written once in the IR (`cases.rs`): each client format's
//! request and each upstream format's answer are generated from them by the
//! crate's own encoders (shown in `matrix__client_<format>__requests` and
//! `matrix__upstream_<format>__answers`). Where an encoder drops something a
//! real client of its format could send (reasoning items in Responses and
//! Gemini history), that client's request lacks it here; real Codex and
//! Gemini CLI requests are covered by `tests/responses.rs` and
//! `tests/gemini.rs`. When client and upstream speak the same format the
//! gateway passes bytes through untouched; the diagonal here still goes
//! through the IR, which is what it documents, and
//! `issue4_passthrough_cut_stream_is_not_complete` covers the passthrough.
#![allow(
    clippy::allow_attributes,
    clippy::unwrap_used,
    clippy::panic,
    reason = "test helpers outside #[test] fns"
)]

mod cases;
mod checks;
mod lossy;
mod pipeline;
mod render;
mod run;

use serde_json::{Map, Value, json};
use switchyard_protocol::Format;

use cases::{ALL, Modes};
use pipeline::{Pair, client_request, upstream_json, upstream_sse};
use render::{events_of, json_of};

/// `matrix__<name>.snap`.
fn snapshot(name: &str, value: &Value) {
    insta::assert_json_snapshot!(name, value);
}

fn pair_snapshot(pair: &str, case: &str, value: &Value) {
    snapshot(&format!("{pair}__{case}"), value);
}

/// One module per client → upstream pair, one test per case.
macro_rules! matrix {
    ($($pair:ident: $client:ident => $upstream:ident,)*) => {$(
        mod $pair {
            use super::*;

            const PAIR: Pair = Pair {
                client: Format::$client,
                upstream: Format::$upstream,
            };

            fn case(case: &cases::Case) {
                pair_snapshot(stringify!($pair), case.name, &run::run_case(PAIR, case));
            }

            #[test]
            fn text() {
                case(&cases::TEXT);
            }

            #[test]
            fn stream_text() {
                case(&cases::STREAM_TEXT);
            }

            #[test]
            fn tools() {
                case(&cases::TOOLS);
            }

            #[test]
            fn parallel_tools() {
                case(&cases::PARALLEL_TOOLS);
            }

            #[test]
            fn tool_results() {
                case(&cases::TOOL_RESULTS);
            }

            #[test]
            fn images() {
                case(&cases::IMAGES);
            }

            #[test]
            fn reasoning() {
                case(&cases::REASONING);
            }

            #[test]
            fn stop_sequences() {
                case(&cases::STOP_SEQUENCES);
            }

            #[test]
            fn length() {
                case(&cases::LENGTH);
            }

            #[test]
            fn errors() {
                pair_snapshot(stringify!($pair), "errors", &run::run_errors(PAIR));
            }

            #[test]
            fn mid_stream_error() {
                let value = run::run_mid_stream_error(PAIR);
                pair_snapshot(stringify!($pair), "mid_stream_error", &value);
            }

            #[test]
            fn mid_stream_disconnect() {
                let value = run::run_mid_stream_disconnect(PAIR);
                pair_snapshot(stringify!($pair), "mid_stream_disconnect", &value);
            }
        }
    )*};
}

matrix! {
    anthropic_to_anthropic: Anthropic => Anthropic,
    anthropic_to_openai_chat: Anthropic => OpenaiChat,
    anthropic_to_openai_responses: Anthropic => OpenaiResponses,
    anthropic_to_gemini: Anthropic => Gemini,
    openai_chat_to_anthropic: OpenaiChat => Anthropic,
    openai_chat_to_openai_chat: OpenaiChat => OpenaiChat,
    openai_chat_to_openai_responses: OpenaiChat => OpenaiResponses,
    openai_chat_to_gemini: OpenaiChat => Gemini,
    openai_responses_to_anthropic: OpenaiResponses => Anthropic,
    openai_responses_to_openai_chat: OpenaiResponses => OpenaiChat,
    openai_responses_to_openai_responses: OpenaiResponses => OpenaiResponses,
    openai_responses_to_gemini: OpenaiResponses => Gemini,
    gemini_to_anthropic: Gemini => Anthropic,
    gemini_to_openai_chat: Gemini => OpenaiChat,
    gemini_to_openai_responses: Gemini => OpenaiResponses,
    gemini_to_gemini: Gemini => Gemini,
}

const FORMATS: [Format; 4] = [
    Format::Anthropic,
    Format::OpenaiChat,
    Format::OpenaiResponses,
    Format::Gemini,
];

/// A passthrough stream cut halfway is never taken for a whole answer.
#[test]
fn issue4_passthrough_cut_stream_is_not_complete() {
    for format in FORMATS {
        run::run_passthrough_cut(format);
    }
}

/// The inputs: each case's request as each client format sends it.
#[test]
fn client_requests() {
    for format in FORMATS {
        let requests: Map<String, Value> = ALL
            .iter()
            .map(|case| {
                let body = client_request(format, &(case.request)());
                (case.name.to_owned(), json_of(&body))
            })
            .collect();
        snapshot(
            &format!("client_{format}__requests"),
            &Value::Object(requests),
        );
    }
}

/// The inputs: each case's answer as each upstream format sends it.
#[test]
fn upstream_answers() {
    for format in FORMATS {
        let answers: Map<String, Value> = ALL
            .iter()
            .map(|case| {
                let answer = (case.answer)();
                let mut value = json!({});
                if case.modes != Modes::Sse {
                    value["json"] = json_of(&upstream_json(format, &answer));
                }
                if case.modes != Modes::Json {
                    value["sse"] = events_of(&upstream_sse(format, &answer));
                }
                (case.name.to_owned(), value)
            })
            .collect();
        snapshot(
            &format!("upstream_{format}__answers"),
            &Value::Object(answers),
        );
    }
}
