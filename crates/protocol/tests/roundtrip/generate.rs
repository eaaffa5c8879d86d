//! IR values as the client decoders produce them: text parts, ids and
//! signatures are never empty, every tool result answers an earlier call
//! that is still open, call ids are unique, system messages hold only text,
//! user turns text, images and results, assistant turns text, reasoning and
//! calls; answers count reasoning as part of the output and carry Unix times
//! that fit in 32 bits. Within that, anything goes: escapes, control
//! characters and non-ASCII in text, ids with Anthropic's prefix or a Gemini
//! signature, `$schema` anywhere in a schema, pretty-printed arguments, JSON
//! tool results, every option and stop reason.

use proptest::prelude::*;
use serde_json::value::RawValue;
use switchyard_protocol::formats::{EncodeOptions, openai_chat::MaxTokensField};
use switchyard_protocol::ir::{
    ImageSource, Message, Part, Reasoning, ReasoningEffort, Request, Response, ResponseFormat,
    Role, StopReason, Text, Tool, ToolChoice, ToolResultPart, Usage,
};
use switchyard_protocol::json::RawJson;

pub fn raw(text: &str) -> RawJson {
    RawJson(RawValue::from_string(text.to_owned()).unwrap())
}

/// Characters text is made of: letters, JSON punctuation and escapes,
/// control characters, non-ASCII.
const CHARS: &[char] = &[
    'a', 'b', 'z', 'Q', '0', '9', ' ', ' ', '{', '}', ':', ',', '"', '\\', '/', '\n', '\t', '\r',
    '\u{0}', '\u{1f}', '\u{7f}', 'é', '€', '\u{2028}', '😀',
];

/// Plain text with JSON escapes, control characters and non-ASCII.
fn plain() -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(CHARS), 1..16).prop_map(String::from_iter)
}

fn text() -> impl Strategy<Value = Text> {
    plain().prop_map(Text::from)
}

fn word() -> impl Strategy<Value = String> {
    "[a-z0-9]{1,8}"
}

fn image() -> impl Strategy<Value = ImageSource> {
    prop_oneof![
        ("image/(png|jpeg|webp)", "[A-Za-z0-9+/]{4,12}={0,2}")
            .prop_map(|(media_type, data)| ImageSource::Base64 { media_type, data }),
        "https://img\\.example/[a-z]{1,6}(\\.png|\\.gif|\\.jpg|\\?s=1)?".prop_map(ImageSource::Url),
    ]
}

/// A JSON object text, compact or pretty, with strings that need escapes.
fn json_object() -> impl Strategy<Value = String> {
    let value = prop_oneof![
        plain().prop_map(serde_json::Value::from),
        any::<i32>().prop_map(serde_json::Value::from),
        any::<bool>().prop_map(serde_json::Value::from),
        prop::collection::vec(word(), 0..3).prop_map(serde_json::Value::from),
    ];
    (
        prop::collection::btree_map(word(), value, 0..4),
        any::<bool>(),
    )
        .prop_map(|(members, pretty)| {
            let object = serde_json::Value::Object(members.into_iter().collect());
            if pretty {
                serde_json::to_string_pretty(&object).unwrap()
            } else {
                object.to_string()
            }
        })
}

/// The one `$schema` member a generated schema may have (see `lossy::without_schema`).
pub const SCHEMA_MEMBER: &str = r#""$schema":"https://json-schema.org/draft/2020-12/schema""#;

/// A compact object schema with `$schema` at any position, or none.
fn schema() -> impl Strategy<Value = RawJson> {
    (
        prop::collection::vec(word(), 0..3),
        prop::option::of(0..4usize),
    )
        .prop_map(|(properties, at)| {
            let props: Vec<String> = properties
                .iter()
                .map(|name| format!(r#""{name}":{{"type":"string"}}"#))
                .collect();
            let mut members = vec![
                r#""type":"object""#.to_owned(),
                format!(r#""properties":{{{}}}"#, props.join(",")),
            ];
            if let Some(at) = at {
                members.insert(at.min(members.len()), SCHEMA_MEMBER.to_owned());
            }
            raw(&format!("{{{}}}", members.join(",")))
        })
}

fn tool_name() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("Bash".to_owned()),
        Just("read".to_owned()),
        Just("mcp--run".to_owned()),
        "[A-Za-z][A-Za-z0-9_.]{0,6}(--[a-z]{1,3})?",
    ]
}

fn tool() -> impl Strategy<Value = Tool> {
    (tool_name(), prop::option::of(text()), schema()).prop_map(|(name, description, parameters)| {
        Tool {
            name,
            description,
            parameters,
        }
    })
}

/// How a call id looks: sometimes Anthropic-prefixed, sometimes carrying a
/// Gemini thought signature; `assign` makes it unique with a counter.
fn call_id_style() -> impl Strategy<Value = (String, Option<String>)> {
    (
        "(toolu_|call_|fc_)?[A-Za-z0-9]{0,4}",
        prop::option::of("[A-Za-z0-9_-]{4,10}"),
    )
}

fn call_id(style: &(String, Option<String>), n: usize) -> String {
    match style {
        (base, Some(signature)) => format!("{base}{n}__thought__{signature}"),
        (base, None) => format!("{base}{n}"),
    }
}

fn call_id_styles() -> impl Strategy<Value = Vec<(String, Option<String>)>> {
    prop::collection::vec(call_id_style(), 1..4)
}

/// A part before calls get ids and results get their call.
#[derive(Debug, Clone)]
enum Draft {
    Ready(Part),
    Call {
        name: String,
        arguments: String,
    },
    Result {
        pick: usize,
        content: Vec<ToolResultPart>,
        is_error: bool,
    },
}

fn result_content() -> impl Strategy<Value = Vec<ToolResultPart>> {
    let part = prop_oneof![
        3 => text().prop_map(ToolResultPart::Text),
        1 => json_object().prop_map(|json| ToolResultPart::Text(Text::from(json))),
        1 => image().prop_map(ToolResultPart::Image),
    ];
    prop::collection::vec(part, 0..3)
}

fn signature() -> impl Strategy<Value = Option<String>> {
    prop::option::of("[A-Za-z0-9+/]{4,16}={0,2}")
}

fn draft(role: Role) -> BoxedStrategy<Draft> {
    let plain_text = text().prop_map(|text| Draft::Ready(Part::Text(text)));
    match role {
        Role::System => plain_text.boxed(),
        Role::User => prop_oneof![
            3 => plain_text,
            1 => image().prop_map(|image| Draft::Ready(Part::Image(image))),
            3 => (any::<usize>(), result_content(), any::<bool>())
                .prop_map(|(pick, content, is_error)| Draft::Result { pick, content, is_error }),
        ]
        .boxed(),
        Role::Assistant => prop_oneof![
            3 => plain_text,
            2 => (text(), signature())
                .prop_map(|(text, signature)| Draft::Ready(Part::Reasoning { text, signature })),
            1 => "[A-Za-z0-9+/]{4,16}".prop_map(|data| Draft::Ready(Part::RedactedReasoning(data))),
            3 => (tool_name(), json_object())
                .prop_map(|(name, arguments)| Draft::Call { name, arguments }),
        ]
        .boxed(),
    }
}

fn draft_message() -> impl Strategy<Value = (Role, Vec<Draft>)> {
    let message =
        |role| prop::collection::vec(draft(role), 1..5).prop_map(move |parts| (role, parts));
    prop_oneof![
        1 => message(Role::System),
        3 => message(Role::User),
        3 => message(Role::Assistant),
    ]
}

/// Gives calls their ids and results an open call; a result with no open
/// call left is dropped, and so is a message left empty.
fn conversation() -> impl Strategy<Value = Vec<Message>> {
    (
        prop::collection::vec(draft_message(), 0..9),
        call_id_styles(),
    )
        .prop_map(|(drafts, styles)| assign(drafts, &styles))
}

fn assign(drafts: Vec<(Role, Vec<Draft>)>, styles: &[(String, Option<String>)]) -> Vec<Message> {
    let mut calls = 0;
    let mut open: Vec<String> = Vec::new();
    let mut messages = Vec::new();
    for (role, drafts) in drafts {
        let mut content = Vec::new();
        for draft in drafts {
            match draft {
                Draft::Ready(part) => content.push(part),
                Draft::Call { name, arguments } => {
                    let id = call_id(&styles[calls % styles.len()], calls);
                    calls += 1;
                    open.push(id.clone());
                    let arguments = raw(&arguments);
                    content.push(Part::ToolCall {
                        id,
                        name,
                        arguments,
                    });
                }
                Draft::Result { .. } if open.is_empty() => {}
                Draft::Result {
                    pick,
                    content: result,
                    is_error,
                } => {
                    let call_id = open.remove(pick % open.len());
                    content.push(Part::ToolResult {
                        call_id,
                        content: result,
                        is_error,
                    });
                }
            }
        }
        if !content.is_empty() {
            messages.push(Message { role, content });
        }
    }
    messages
}

fn reasoning() -> impl Strategy<Value = Option<Reasoning>> {
    let effort = prop_oneof![
        Just(ReasoningEffort::Minimal),
        Just(ReasoningEffort::Low),
        Just(ReasoningEffort::Medium),
        Just(ReasoningEffort::High),
    ];
    prop::option::of(
        (prop::option::of(effort), prop::option::of(1..65_536u32)).prop_map(
            |(effort, budget_tokens)| Reasoning {
                effort,
                budget_tokens,
            },
        ),
    )
}

fn response_format() -> impl Strategy<Value = Option<ResponseFormat>> {
    prop::option::of(prop_oneof![
        Just(ResponseFormat::JsonObject),
        ("[a-z_]{1,10}", schema(), any::<bool>()).prop_map(|(name, schema, strict)| {
            ResponseFormat::JsonSchema {
                name,
                schema,
                strict,
            }
        }),
    ])
}

fn tool_choice() -> impl Strategy<Value = Option<ToolChoice>> {
    prop::option::of(prop_oneof![
        Just(ToolChoice::Auto),
        Just(ToolChoice::Required),
        Just(ToolChoice::None),
        tool_name().prop_map(ToolChoice::Tool),
    ])
}

pub fn request() -> impl Strategy<Value = Request> {
    let body = (
        "[a-z0-9.-]{1,10}",
        prop::collection::vec(text(), 0..3),
        conversation(),
        prop::collection::vec(tool(), 0..3),
        tool_choice(),
        prop::option::of(any::<bool>()),
    );
    let settings = (
        prop::option::of(1..200_000u32),
        prop::option::of(0.0..=2.0f64),
        prop::option::of(0.0..=1.0f64),
        prop::option::of(1..500u32),
        prop::collection::vec("[a-zA-Z#\\n]{1,6}", 0..3),
        (any::<bool>(), any::<bool>()),
        prop::option::of("[a-z0-9-]{1,12}"),
        reasoning(),
        response_format(),
    );
    (body, settings).prop_map(|(body, settings)| {
        let (model, system, messages, tools, tool_choice, parallel_tool_calls) = body;
        let (
            max_tokens,
            temperature,
            top_p,
            top_k,
            stop_sequences,
            streams,
            user,
            reasoning,
            response_format,
        ) = settings;
        Request {
            model,
            system,
            messages,
            tools,
            tool_choice,
            parallel_tool_calls,
            max_tokens,
            temperature,
            top_p,
            top_k,
            stop_sequences,
            stream: streams.0,
            stream_usage: streams.1,
            user,
            reasoning,
            response_format,
        }
    })
}

pub fn options() -> impl Strategy<Value = EncodeOptions> {
    let field = prop_oneof![
        Just(MaxTokensField::MaxTokens),
        Just(MaxTokensField::MaxCompletionTokens),
    ];
    (field, prop::option::of(1..100_000u32), any::<bool>()).prop_map(
        |(max_tokens_field, max_tokens_cap, reasoning_effort)| EncodeOptions {
            max_tokens_field,
            max_tokens_cap,
            reasoning_effort,
        },
    )
}

fn stop_reason() -> impl Strategy<Value = Option<StopReason>> {
    prop::option::of(prop_oneof![
        Just(StopReason::EndTurn),
        Just(StopReason::MaxTokens),
        prop::option::of("[A-Z#]{1,4}").prop_map(StopReason::StopSequence),
        Just(StopReason::ToolUse),
        Just(StopReason::ContentFilter),
        "[a-z_]{1,10}".prop_map(StopReason::Other),
    ])
}

/// Counts as upstreams report them: reasoning is part of the output.
fn usage() -> impl Strategy<Value = Usage> {
    let count = 0..1_000_000u64;
    (count.clone(), count.clone(), count.clone(), count)
        .prop_flat_map(|counts| (Just(counts), 0..=counts.1))
        .prop_map(|((input, output, read, write), reasoning)| Usage {
            input_tokens: input,
            output_tokens: output,
            cache_read_tokens: read,
            cache_write_tokens: write,
            reasoning_tokens: reasoning,
        })
}

pub fn response() -> impl Strategy<Value = Response> {
    let content = (
        prop::collection::vec(draft(Role::Assistant), 0..5),
        call_id_styles(),
    );
    (
        "(msg_|resp_|chatcmpl-)?[A-Za-z0-9]{1,8}",
        word(),
        0..=u64::from(u32::MAX),
        content,
        stop_reason(),
        usage(),
    )
        .prop_map(
            |(id, model, created, (drafts, styles), stop_reason, usage)| {
                let content = assign(vec![(Role::Assistant, drafts)], &styles)
                    .pop()
                    .map_or_else(Vec::new, |message| message.content);
                Response {
                    id,
                    model,
                    created,
                    content,
                    stop_reason,
                    usage,
                }
            },
        )
}
