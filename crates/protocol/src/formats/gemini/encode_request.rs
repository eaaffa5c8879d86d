//! IR request → Gemini `GenerateContentRequest` body (Gemini upstreams
//! reached from another client format). The model goes in the URL.

use std::borrow::Cow;
use std::collections::HashMap;

use serde_json::value::RawValue;

use super::ids::{SKIP_SIGNATURE, split_call_id};
use super::wire::{
    BlobOut, ContentOut, FileDataOut, FunctionCallOut, FunctionCallingConfigOut,
    FunctionDeclarationOut, FunctionResponseOut, GenerationConfigOut, PartOut, RequestOut,
    ThinkingConfigOut, ToolConfigOut, ToolOut,
};
use crate::formats::EncodeOptions;
use crate::ir::{
    ImageSource, Message, Part, Reasoning, ReasoningEffort, Request, ResponseFormat, Role, Text,
    ToolChoice, ToolResultPart,
};
use crate::json::RawJson;
use crate::sse::write_json;

/// Encodes a request for a Gemini upstream.
pub fn encode_request(request: &Request, options: &EncodeOptions) -> Vec<u8> {
    let names = call_names(&request.messages);
    let has_tools = !request.tools.is_empty();
    let wire = RequestOut {
        contents: request
            .messages
            .iter()
            .filter_map(|message| encode_message(message, &names))
            .collect(),
        system_instruction: (!request.system.is_empty()).then(|| ContentOut {
            role: None,
            parts: request.system.iter().map(|text| text_part(text)).collect(),
        }),
        tools: if has_tools {
            vec![ToolOut {
                function_declarations: request
                    .tools
                    .iter()
                    .map(|tool| FunctionDeclarationOut {
                        name: &tool.name,
                        description: tool.description.as_ref(),
                        parameters_json_schema: crate::json::without_schema_keyword(
                            &tool.parameters,
                        ),
                    })
                    .collect(),
            }]
        } else {
            Vec::new()
        },
        tool_config: request
            .tool_choice
            .as_ref()
            .filter(|_| has_tools)
            .map(encode_tool_choice),
        generation_config: GenerationConfigOut {
            max_output_tokens: options.cap_max_tokens(request.max_tokens),
            temperature: request.temperature,
            top_p: request.top_p,
            top_k: request.top_k,
            stop_sequences: &request.stop_sequences,
            thinking_config: request
                .reasoning
                .map(|reasoning| thinking(reasoning, options.cap_max_tokens(request.max_tokens))),
            response_mime_type: request.response_format.as_ref().map(|_| "application/json"),
            response_json_schema: match &request.response_format {
                Some(ResponseFormat::JsonSchema { schema, .. }) => Some(schema),
                _ => None,
            },
        },
    };
    let mut out = Vec::with_capacity(request.wire_size_hint());
    write_json(&mut out, &wire);
    out
}

/// Every tool call's name by id: a `functionResponse` must name its function.
fn call_names(messages: &[Message]) -> HashMap<&str, &str> {
    messages
        .iter()
        .flat_map(|message| &message.content)
        .filter_map(|part| match part {
            Part::ToolCall { id, name, .. } => Some((id.as_str(), name.as_str())),
            _ => None,
        })
        .collect()
}

fn text_part(text: &Text) -> PartOut<'_> {
    PartOut {
        text: Some(text.into()),
        ..PartOut::default()
    }
}

fn encode_message<'a>(
    message: &'a Message,
    names: &HashMap<&str, &'a str>,
) -> Option<ContentOut<'a>> {
    let (role, parts) = match message.role {
        Role::Assistant => ("model", model_parts(message)),
        Role::User | Role::System => ("user", user_parts(message, names)),
    };
    (!parts.is_empty()).then_some(ContentOut {
        role: Some(role),
        parts,
    })
}

/// Reasoning text is not sent back: Gemini ignores thought parts in history
/// and only asks for the signatures, which ride on the function calls.
/// The first call of each turn must carry one; a call that never had one
/// (another model's) gets Gemini's documented placeholder.
fn model_parts(message: &Message) -> Vec<PartOut<'_>> {
    let mut parts = Vec::with_capacity(message.content.len());
    let mut first_call = true;
    for part in &message.content {
        match part {
            Part::Text(text) if !text.is_empty() => parts.push(text_part(text)),
            Part::ToolCall {
                id,
                name,
                arguments,
            } => {
                let (_, signature) = split_call_id(id);
                let signature = match signature {
                    Some(signature) => Some(Cow::Owned(signature)),
                    None if first_call => Some(Cow::Borrowed(SKIP_SIGNATURE)),
                    None => None,
                };
                first_call = false;
                parts.push(PartOut {
                    thought_signature: signature,
                    function_call: Some(FunctionCallOut {
                        name,
                        args: arguments,
                        id: None,
                    }),
                    ..PartOut::default()
                });
            }
            _ => {}
        }
    }
    parts
}

fn user_parts<'a>(message: &'a Message, names: &HashMap<&str, &'a str>) -> Vec<PartOut<'a>> {
    let mut parts = Vec::with_capacity(message.content.len());
    let mut result_images = Vec::new();
    for part in &message.content {
        match part {
            Part::Text(text) => parts.push(text_part(text)),
            Part::Image(image) => parts.push(image_part(image)),
            Part::ToolResult {
                call_id,
                content,
                is_error,
            } => {
                let name = names.get(call_id.as_str()).copied().unwrap_or("tool");
                parts.push(PartOut {
                    function_response: Some(FunctionResponseOut {
                        name,
                        response: result_object(content, *is_error),
                    }),
                    ..PartOut::default()
                });
                result_images.extend(content.iter().filter_map(|part| match part {
                    ToolResultPart::Image(image) => Some(image_part(image)),
                    ToolResultPart::Text(_) => None,
                }));
            }
            Part::ToolCall { .. } | Part::Reasoning { .. } | Part::RedactedReasoning(_) => {}
        }
    }
    // Function responses must lead the turn that answers the calls.
    parts.sort_by_key(|part| part.function_response.is_none());
    parts.append(&mut result_images);
    parts
}

fn image_part(image: &ImageSource) -> PartOut<'_> {
    match image {
        ImageSource::Base64 { media_type, data } => PartOut {
            inline_data: Some(BlobOut {
                mime_type: media_type,
                data,
            }),
            ..PartOut::default()
        },
        ImageSource::Url(url) => PartOut {
            file_data: Some(FileDataOut {
                mime_type: guess_image_type(url),
                file_uri: url,
            }),
            ..PartOut::default()
        },
    }
}

fn guess_image_type(url: &str) -> &'static str {
    let path = url
        .split(['?', '#'])
        .next()
        .unwrap_or(url)
        .to_ascii_lowercase();
    if path.ends_with(".png") {
        "image/png"
    } else if path.ends_with(".gif") {
        "image/gif"
    } else if path.ends_with(".webp") {
        "image/webp"
    } else {
        "image/jpeg"
    }
}

/// `response` must be an object: a result that is one is sent as it is;
/// other text goes in `{"result"}` (or `{"error"}` for failures).
fn result_object(content: &[ToolResultPart], is_error: bool) -> RawJson {
    let texts = content.iter().filter_map(|part| match part {
        ToolResultPart::Text(text) => Some(text),
        ToolResultPart::Image(_) => None,
    });
    let text = Text::join(texts, "\n").into_plain();
    let trimmed = text.trim_start();
    if !is_error && trimmed.starts_with('{') {
        if let Ok(raw) = RawValue::from_string(text.clone()) {
            return RawJson(raw);
        }
    }
    let key = if is_error { "error" } else { "result" };
    let wrapped = serde_json::json!({ key: text });
    serde_json::value::to_raw_value(&wrapped).map_or_else(|_| crate::json::empty_object(), RawJson)
}

fn encode_tool_choice(choice: &ToolChoice) -> ToolConfigOut<'_> {
    let (mode, name) = match choice {
        ToolChoice::Auto => ("AUTO", None),
        ToolChoice::Required => ("ANY", None),
        ToolChoice::None => ("NONE", None),
        ToolChoice::Tool(name) => ("ANY", Some([name.as_str()])),
    };
    ToolConfigOut {
        function_calling_config: FunctionCallingConfigOut {
            mode,
            allowed_function_names: name,
        },
    }
}

/// Gemini's smallest budget for its Pro models (Flash accepts any).
const MIN_THINKING_BUDGET: u32 = 128;

/// Thinking as a token budget, which Gemini 2.5 and 3 both accept
/// (`thinkingLevel` exists only on 3 and 2.5 refuses it). Thoughts are
/// asked for so the client sees the reasoning it requested. They count
/// against `maxOutputTokens`, so the budget keeps at least half of it for
/// the answer, as the Anthropic encoder does.
fn thinking(reasoning: Reasoning, max_output_tokens: Option<u32>) -> ThinkingConfigOut {
    let budget = reasoning.budget_tokens.or_else(|| {
        reasoning.effort.map(|effort| match effort {
            ReasoningEffort::Minimal => 512,
            ReasoningEffort::Low => 2048,
            ReasoningEffort::Medium => 8192,
            ReasoningEffort::High => 24576,
        })
    });
    let cap = max_output_tokens.map(|max| (max / 2).max(MIN_THINKING_BUDGET));
    let budget = match (budget, cap) {
        (Some(budget), Some(cap)) => Some(budget.min(cap)),
        (budget, _) => budget,
    };
    ThinkingConfigOut {
        include_thoughts: true,
        thinking_budget: budget,
    }
}
