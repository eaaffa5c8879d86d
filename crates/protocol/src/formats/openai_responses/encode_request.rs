//! IR request → OpenAI Responses request body (for upstreams that speak only
//! Responses, or serve some models only there).

use super::wire::{
    CallOutputOut, ContentOut, InputOut, ReasoningOut, RequestOut, ToolChoiceOut, ToolOut,
};
use crate::formats::EncodeOptions;
use std::borrow::Cow;

use crate::ir::{
    Message, Part, Reasoning, ReasoningEffort, Request, Role, Text, TextBuilder, Tool, ToolChoice,
    ToolResultPart,
};
use crate::sse::write_json;

/// Encodes a request for a Responses upstream: stateless (`store: false`),
/// the whole conversation as input items.
pub fn encode_request(request: &Request, options: &EncodeOptions) -> Vec<u8> {
    let has_tools = !request.tools.is_empty();
    let wire = RequestOut {
        model: &request.model,
        instructions: (!request.system.is_empty()).then(|| Text::join(&request.system, "\n\n")),
        input: encode_input(&request.messages),
        tools: request.tools.iter().map(encode_tool).collect(),
        tool_choice: request
            .tool_choice
            .as_ref()
            .filter(|_| has_tools)
            .map(encode_tool_choice),
        parallel_tool_calls: request.parallel_tool_calls.filter(|_| has_tools),
        max_output_tokens: options.cap_max_tokens(request.max_tokens),
        temperature: request.temperature,
        top_p: request.top_p,
        reasoning: request
            .reasoning
            .filter(|_| options.reasoning_effort)
            .map(|reasoning| ReasoningOut {
                effort: effort_for(reasoning),
            }),
        user: request.user.as_deref(),
        stream: request.stream,
        store: false,
        text: request
            .response_format
            .as_ref()
            .map(|format| super::wire::TextOut {
                format: crate::formats::structured::responses_format_out(format),
            }),
    };
    let mut out = Vec::with_capacity(request.wire_size_hint());
    write_json(&mut out, &wire);
    out
}

fn effort_for(reasoning: Reasoning) -> &'static str {
    let effort = reasoning.effort.unwrap_or(match reasoning.budget_tokens {
        Some(budget) if budget < 4096 => ReasoningEffort::Low,
        Some(budget) if budget >= 16384 => ReasoningEffort::High,
        _ => ReasoningEffort::Medium,
    });
    effort.as_str()
}

fn encode_input(messages: &[Message]) -> Vec<InputOut<'_>> {
    let mut out = Vec::with_capacity(messages.len() * 2);
    for message in messages {
        match message.role {
            Role::System => out.push(InputOut::Message {
                role: "developer",
                content: text_parts(message, |text| ContentOut::InputText {
                    text: Cow::Borrowed(text),
                }),
            }),
            Role::User => encode_user(message, &mut out),
            Role::Assistant => encode_assistant(message, &mut out),
        }
    }
    out
}

fn text_parts<'a>(
    message: &'a Message,
    wrap: impl Fn(&'a Text) -> ContentOut<'a>,
) -> Vec<ContentOut<'a>> {
    message
        .content
        .iter()
        .filter_map(|part| match part {
            Part::Text(text) => Some(wrap(text)),
            _ => None,
        })
        .collect()
}

/// Tool results become `function_call_output` items, which follow the calls;
/// the rest of the user turn comes after them.
fn encode_user<'a>(message: &'a Message, out: &mut Vec<InputOut<'a>>) {
    let mut content = Vec::new();
    for part in &message.content {
        match part {
            Part::Text(text) => content.push(ContentOut::InputText {
                text: Cow::Borrowed(text),
            }),
            Part::Image(image) => content.push(ContentOut::InputImage {
                image_url: image.to_url(),
            }),
            Part::ToolResult {
                call_id,
                content: result,
                is_error,
            } => out.push(InputOut::FunctionCallOutput {
                call_id,
                output: call_output(result, *is_error),
            }),
            Part::ToolCall { .. } | Part::Reasoning { .. } | Part::RedactedReasoning(_) => {}
        }
    }
    if !content.is_empty() {
        out.push(InputOut::Message {
            role: "user",
            content,
        });
    }
}

/// A string when the result is text only, otherwise a list of parts.
fn call_output(result: &[ToolResultPart], is_error: bool) -> CallOutputOut<'_> {
    let prefix = if is_error { "Error: " } else { "" };
    if result
        .iter()
        .all(|part| matches!(part, ToolResultPart::Text(_)))
    {
        let texts = result.iter().filter_map(|part| match part {
            ToolResultPart::Text(text) => Some(text),
            ToolResultPart::Image(_) => None,
        });
        let mut output = TextBuilder::new();
        output.push_plain(prefix);
        output.push(&Text::join(texts, "\n"));
        return CallOutputOut::Text(output.build());
    }
    let mut parts = Vec::with_capacity(result.len() + 1);
    if is_error {
        parts.push(ContentOut::InputText {
            text: Cow::Owned(Text::new("Error:")),
        });
    }
    parts.extend(result.iter().map(|part| match part {
        ToolResultPart::Text(text) => ContentOut::InputText {
            text: Cow::Borrowed(text),
        },
        ToolResultPart::Image(image) => ContentOut::InputImage {
            image_url: image.to_url(),
        },
    }));
    CallOutputOut::Parts(parts)
}

/// Text as an assistant message, calls as `function_call` items. Reasoning
/// is dropped: OpenAI accepts only its own reasoning items, by id (LOSSY.md).
fn encode_assistant<'a>(message: &'a Message, out: &mut Vec<InputOut<'a>>) {
    let content = text_parts(message, |text| ContentOut::OutputText { text });
    if !content.is_empty() {
        out.push(InputOut::Message {
            role: "assistant",
            content,
        });
    }
    for part in &message.content {
        if let Part::ToolCall {
            id,
            name,
            arguments,
        } = part
        {
            out.push(InputOut::FunctionCall {
                call_id: id,
                name,
                arguments: arguments.get(),
            });
        }
    }
}

fn encode_tool(tool: &Tool) -> ToolOut<'_> {
    ToolOut {
        kind: "function",
        name: &tool.name,
        description: tool.description.as_ref(),
        parameters: crate::json::without_schema_keyword(&tool.parameters),
        strict: false,
    }
}

fn encode_tool_choice(choice: &ToolChoice) -> ToolChoiceOut<'_> {
    match choice {
        ToolChoice::Auto => ToolChoiceOut::Mode("auto"),
        ToolChoice::Required => ToolChoiceOut::Mode("required"),
        ToolChoice::None => ToolChoiceOut::Mode("none"),
        ToolChoice::Tool(name) => ToolChoiceOut::Function {
            kind: "function",
            name,
        },
    }
}
