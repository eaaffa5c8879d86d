//! OpenAI Chat Completions request → IR (OpenAI clients and SDKs).

use super::wire_client::{
    ChatMessageIn, ChatRequestIn, ChatRole, ContentPartIn, ImageUrlIn, ToolChoiceIn,
};
use crate::error::DecodeError;
use crate::formats::TextOr;
use crate::ir::{
    ImageSource, Message, Part, Reasoning, ReasoningEffort, Request, Role, Text, Tool, ToolChoice,
    ToolResultPart,
};

/// Decodes a Chat Completions request body.
pub fn decode_request(body: &[u8]) -> Result<Request, DecodeError> {
    let wire: ChatRequestIn = DecodeError::parse(body)?;
    if wire.n.is_some_and(|n| n > 1) {
        return Err(DecodeError::invalid(
            "n",
            "only n = 1 is supported through this gateway",
        ));
    }
    let (system, messages) = decode_messages(wire.messages)?;
    let tools = wire
        .tools
        .into_iter()
        .filter(|tool| tool.kind.as_deref().is_none_or(|kind| kind == "function"))
        .filter_map(|tool| tool.function)
        .map(|function| Tool {
            name: function.name,
            description: function.description,
            parameters: function
                .parameters
                .unwrap_or_else(crate::json::empty_object),
        })
        .collect();
    Ok(Request {
        model: wire.model,
        system,
        messages,
        tools,
        tool_choice: wire.tool_choice.map(decode_tool_choice).transpose()?,
        parallel_tool_calls: wire.parallel_tool_calls,
        max_tokens: wire.max_completion_tokens.or(wire.max_tokens),
        temperature: wire.temperature,
        top_p: wire.top_p,
        top_k: None,
        stop_sequences: match wire.stop {
            None => Vec::new(),
            Some(TextOr::Text(stop)) => vec![stop.into_plain()],
            Some(TextOr::Blocks(stops)) => stops,
        },
        stream: wire.stream,
        stream_usage: wire
            .stream_options
            .is_some_and(|options| options.include_usage),
        user: wire.user,
        response_format: wire.response_format.and_then(|format| format.into_ir()),
        reasoning: wire
            .reasoning_effort
            .as_deref()
            .filter(|effort| *effort != "none")
            .map(|effort| Reasoning {
                effort: ReasoningEffort::parse(effort),
                budget_tokens: None,
            }),
    })
}

/// Leading system/developer messages become the system prompt; `tool`
/// messages become tool results in a user turn, consecutive ones together.
fn decode_messages(wire: Vec<ChatMessageIn>) -> Result<(Vec<Text>, Vec<Message>), DecodeError> {
    let mut system = Vec::new();
    let mut messages: Vec<Message> = Vec::with_capacity(wire.len());
    for (index, message) in wire.into_iter().enumerate() {
        let at = |field: &str| format!("messages[{index}].{field}");
        match message.role {
            ChatRole::System | ChatRole::Developer if messages.is_empty() => {
                system.push(plain_text(message.content));
            }
            ChatRole::System | ChatRole::Developer => messages.push(Message {
                role: Role::System,
                content: vec![Part::Text(plain_text(message.content))],
            }),
            ChatRole::User => messages.push(Message {
                role: Role::User,
                content: user_parts(message.content, &at)?,
            }),
            ChatRole::Assistant => messages.push(assistant_message(message)),
            ChatRole::Tool | ChatRole::Function => {
                let call_id = message.tool_call_id.ok_or_else(|| {
                    DecodeError::invalid(at("tool_call_id"), "required for tool messages")
                })?;
                let result = Part::ToolResult {
                    call_id,
                    content: vec![ToolResultPart::Text(plain_text(message.content))],
                    is_error: false,
                };
                match messages.last_mut() {
                    Some(last)
                        if last.role == Role::User && last.content.iter().all(is_tool_result) =>
                    {
                        last.content.push(result);
                    }
                    _ => messages.push(Message {
                        role: Role::User,
                        content: vec![result],
                    }),
                }
            }
        }
    }
    Ok((system, messages))
}

fn is_tool_result(part: &Part) -> bool {
    matches!(part, Part::ToolResult { .. })
}

fn plain_text(content: Option<TextOr<ContentPartIn>>) -> Text {
    match content {
        None => Text::default(),
        Some(TextOr::Text(text)) => text,
        Some(TextOr::Blocks(parts)) => {
            let texts: Vec<Text> = parts.into_iter().filter_map(|part| part.text).collect();
            Text::join(&texts, "\n")
        }
    }
}

fn user_parts(
    content: Option<TextOr<ContentPartIn>>,
    at: &dyn Fn(&str) -> String,
) -> Result<Vec<Part>, DecodeError> {
    let parts = match content {
        None => return Ok(Vec::new()),
        Some(TextOr::Text(text)) => return Ok(vec![Part::Text(text)]),
        Some(TextOr::Blocks(parts)) => parts,
    };
    let mut out = Vec::with_capacity(parts.len());
    for (index, part) in parts.into_iter().enumerate() {
        match part.kind.as_str() {
            "text" | "input_text" => out.push(Part::Text(part.text.unwrap_or_default())),
            "image_url" => {
                let url = match part.image_url {
                    Some(ImageUrlIn::Object { url } | ImageUrlIn::Text(url)) => url,
                    None => {
                        return Err(DecodeError::invalid(
                            at(&format!("content[{index}]")),
                            "image_url part without a url",
                        ));
                    }
                };
                out.push(Part::Image(ImageSource::from_url(&url)));
            }
            other => {
                return Err(DecodeError::invalid(
                    at(&format!("content[{index}].type")),
                    format!(
                        "content part type `{other}` is not supported (text and image_url are)"
                    ),
                ));
            }
        }
    }
    Ok(out)
}

fn assistant_message(message: ChatMessageIn) -> Message {
    let mut content = Vec::new();
    let reasoning = message.reasoning_content.into_non_empty();
    if let Some(text) = reasoning.or_else(|| message.reasoning.into_non_empty()) {
        content.push(Part::Reasoning {
            text: text.into(),
            signature: None,
        });
    }
    let text = plain_text(message.content);
    if !text.is_empty() {
        content.push(Part::Text(text));
    }
    for call in message.tool_calls {
        content.push(Part::ToolCall {
            id: call.id,
            name: call.function.name,
            arguments: crate::json::arguments_json(call.function.arguments),
        });
    }
    Message {
        role: Role::Assistant,
        content,
    }
}

fn decode_tool_choice(choice: ToolChoiceIn) -> Result<ToolChoice, DecodeError> {
    match choice {
        ToolChoiceIn::Named { function } => Ok(ToolChoice::Tool(function.name)),
        ToolChoiceIn::Mode(mode) => match mode.as_str() {
            "auto" => Ok(ToolChoice::Auto),
            "required" => Ok(ToolChoice::Required),
            "none" => Ok(ToolChoice::None),
            other => Err(DecodeError::invalid(
                "tool_choice",
                format!("unknown value `{other}` (expected auto, required, none or a function)"),
            )),
        },
    }
}
