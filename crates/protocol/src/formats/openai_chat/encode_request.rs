//! IR request → OpenAI Chat Completions request body.

use super::wire::{
    ChatRequestOut, ContentOut, FunctionCallOut, FunctionOut, ImageUrlOut, MessageOut,
    NamedFunction, PartOut, StreamOptions, ToolCallOut, ToolChoiceOut, ToolOut,
};
use crate::formats::EncodeOptions;
use std::borrow::Cow;

use crate::ir::{
    Message, Part, Reasoning, ReasoningEffort, Request, Role, Text, TextBuilder, Tool, ToolChoice,
    ToolResultPart,
};
use crate::sse::write_json;

/// Which field carries the output limit: OpenAI's reasoning models accept only
/// `max_completion_tokens`; many other vendors know only `max_tokens`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum MaxTokensField {
    #[default]
    MaxTokens,
    MaxCompletionTokens,
}

/// Encodes a request for an OpenAI-compatible upstream.
pub fn encode_request(request: &Request, options: &EncodeOptions) -> Vec<u8> {
    let max_tokens = options.cap_max_tokens(request.max_tokens);
    let (max_tokens, max_completion_tokens) = match options.max_tokens_field {
        MaxTokensField::MaxTokens => (max_tokens, None),
        MaxTokensField::MaxCompletionTokens => (None, max_tokens),
    };
    let has_tools = !request.tools.is_empty();
    let wire = ChatRequestOut {
        model: &request.model,
        messages: encode_messages(request),
        max_tokens,
        max_completion_tokens,
        temperature: request.temperature,
        top_p: request.top_p,
        stop: &request.stop_sequences,
        stream: request.stream,
        // Always asked for: usage is how the gateway counts tokens.
        stream_options: request.stream.then_some(StreamOptions {
            include_usage: true,
        }),
        tools: request.tools.iter().map(encode_tool).collect(),
        tool_choice: request
            .tool_choice
            .as_ref()
            .filter(|_| has_tools)
            .map(encode_tool_choice),
        parallel_tool_calls: request.parallel_tool_calls.filter(|_| has_tools),
        user: request.user.as_deref(),
        reasoning_effort: request
            .reasoning
            .filter(|_| options.reasoning_effort)
            .map(effort_for),
        response_format: request
            .response_format
            .as_ref()
            .map(crate::formats::structured::chat_format_out),
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

fn encode_messages(request: &Request) -> Vec<MessageOut<'_>> {
    let mut out = Vec::with_capacity(request.messages.len() + 1);
    if !request.system.is_empty() {
        out.push(text_message(
            "system",
            Text::join_borrowed(&request.system, "\n\n"),
        ));
    }
    for message in &request.messages {
        match message.role {
            Role::System => out.push(text_message("system", joined_text(message))),
            Role::User => encode_user(message, &mut out),
            Role::Assistant => out.push(encode_assistant(message)),
        }
    }
    out
}

fn text_message<'a>(role: &'static str, text: Cow<'a, Text>) -> MessageOut<'a> {
    MessageOut {
        role,
        content: ContentOut::Text(text),
        tool_calls: Vec::new(),
        tool_call_id: None,
        reasoning_content: None,
    }
}

fn joined_text(message: &Message) -> Cow<'_, Text> {
    let texts = message.content.iter().filter_map(|part| match part {
        Part::Text(text) => Some(text),
        _ => None,
    });
    Text::join_borrowed(texts, "\n\n")
}

/// Tool results become `tool` messages, which must directly follow the
/// assistant's calls; the rest of the user turn comes after them. Images in
/// tool results ride in that user turn, since `tool` messages carry only text.
fn encode_user<'a>(message: &'a Message, out: &mut Vec<MessageOut<'a>>) {
    let mut parts: Vec<PartOut<'a>> = Vec::new();
    let mut result_images: Vec<PartOut<'a>> = Vec::new();
    let mut has_image = false;
    for part in &message.content {
        match part {
            Part::Text(text) => parts.push(PartOut::Text {
                text: Cow::Borrowed(text),
            }),
            Part::Image(image) => {
                has_image = true;
                parts.push(image_part(image.to_url()));
            }
            Part::ToolResult {
                call_id,
                content,
                is_error,
            } => out.push(tool_message(
                call_id,
                content,
                *is_error,
                &mut result_images,
            )),
            Part::ToolCall { .. } | Part::Reasoning { .. } | Part::RedactedReasoning(_) => {}
        }
    }
    if !result_images.is_empty() {
        has_image = true;
        parts.push(PartOut::Text {
            text: Cow::Owned(Text::new("(images returned by the tool call above)")),
        });
        parts.append(&mut result_images);
    }
    if parts.is_empty() {
        return;
    }
    let content = if has_image {
        ContentOut::Parts(parts)
    } else {
        ContentOut::Text(join_text_parts(&parts))
    };
    out.push(MessageOut {
        role: "user",
        content,
        tool_calls: Vec::new(),
        tool_call_id: None,
        reasoning_content: None,
    });
}

fn join_text_parts<'a>(parts: &[PartOut<'a>]) -> Cow<'a, Text> {
    let texts = parts.iter().filter_map(|part| match part {
        PartOut::Text { text } => Some(text),
        PartOut::ImageUrl { .. } => None,
    });
    let mut peek = texts.clone();
    match (peek.next(), peek.next()) {
        (Some(only), None) => only.clone(),
        _ => Cow::Owned(Text::join(texts.map(|text| &**text), "\n\n")),
    }
}

fn image_part(url: String) -> PartOut<'static> {
    PartOut::ImageUrl {
        image_url: ImageUrlOut { url },
    }
}

fn tool_message<'a>(
    call_id: &'a str,
    content: &'a [ToolResultPart],
    is_error: bool,
    images: &mut Vec<PartOut<'a>>,
) -> MessageOut<'a> {
    for part in content {
        if let ToolResultPart::Image(image) = part {
            images.push(image_part(image.to_url()));
        }
    }
    let texts = content.iter().filter_map(|part| match part {
        ToolResultPart::Text(text) => Some(text),
        ToolResultPart::Image(_) => None,
    });
    let text = if is_error {
        let mut text = TextBuilder::new();
        text.push_plain("Error: ");
        text.push(&Text::join(texts, "\n"));
        Cow::Owned(text.build())
    } else {
        Text::join_borrowed(texts, "\n")
    };
    MessageOut {
        role: "tool",
        content: ContentOut::Text(text),
        tool_calls: Vec::new(),
        tool_call_id: Some(call_id),
        reasoning_content: None,
    }
}

fn encode_assistant(message: &Message) -> MessageOut<'_> {
    let mut text = TextBuilder::new();
    let mut reasoning = TextBuilder::new();
    let mut tool_calls = Vec::new();
    for part in &message.content {
        match part {
            Part::Text(piece) => text.push_separated("\n\n", piece),
            Part::Reasoning { text: piece, .. } => reasoning.push_separated("\n\n", piece),
            Part::ToolCall {
                id,
                name,
                arguments,
            } => tool_calls.push(ToolCallOut {
                id,
                kind: "function",
                function: FunctionCallOut {
                    name,
                    arguments: arguments.get(),
                },
            }),
            _ => {}
        }
    }
    let content = if text.is_empty() && !tool_calls.is_empty() {
        ContentOut::Null
    } else {
        ContentOut::Text(Cow::Owned(text.build()))
    };
    MessageOut {
        role: "assistant",
        content,
        tool_calls,
        tool_call_id: None,
        reasoning_content: (!reasoning.is_empty()).then(|| reasoning.build()),
    }
}

fn encode_tool(tool: &Tool) -> ToolOut<'_> {
    ToolOut {
        kind: "function",
        function: FunctionOut {
            name: &tool.name,
            description: tool.description.as_ref(),
            parameters: crate::json::without_schema_keyword(&tool.parameters),
        },
    }
}

fn encode_tool_choice(choice: &ToolChoice) -> ToolChoiceOut<'_> {
    match choice {
        ToolChoice::Auto => ToolChoiceOut::Mode("auto"),
        ToolChoice::Required => ToolChoiceOut::Mode("required"),
        ToolChoice::None => ToolChoiceOut::Mode("none"),
        ToolChoice::Tool(name) => ToolChoiceOut::Function {
            kind: "function",
            function: NamedFunction { name },
        },
    }
}
