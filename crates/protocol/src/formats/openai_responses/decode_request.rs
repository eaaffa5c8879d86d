//! OpenAI Responses request → IR (Codex CLI and the OpenAI SDKs' `responses.create`).

use super::names;
use super::wire_client::{
    ImageUrlIn, ItemIn, Lenient, PartIn, ReasoningIn, ResponsesRequestIn, ToolChoiceIn,
    ToolChoiceObjectIn, ToolIn,
};
use crate::error::{DecodeError, Feature};
use crate::formats::{LenientText, TextOr};
use crate::ir::{
    ImageSource, Message, Part, Reasoning, ReasoningEffort, Request, Role, Text, Tool, ToolChoice,
    ToolResultPart,
};

/// Decodes a Responses request body.
pub fn decode_request(body: &[u8]) -> Result<Request, DecodeError> {
    let wire: ResponsesRequestIn = DecodeError::parse(body)?;
    if wire.previous_response_id.is_some_and(|id| !id.is_empty()) {
        return Err(DecodeError::unsupported(
            "previous_response_id",
            Feature::PreviousResponseId,
        ));
    }
    if wire.conversation.is_some() {
        return Err(DecodeError::unsupported(
            "conversation",
            Feature::Conversation,
        ));
    }
    let mut system: Vec<Text> = wire
        .instructions
        .into_iter()
        .filter(|text| !text.is_empty())
        .collect();
    let messages = decode_input(wire.input, &mut system)?;
    Ok(Request {
        model: wire.model,
        system,
        messages,
        tools: decode_tools(wire.tools.unwrap_or_default())?,
        tool_choice: wire.tool_choice.map(decode_tool_choice).transpose()?,
        parallel_tool_calls: wire.parallel_tool_calls,
        max_tokens: wire.max_output_tokens,
        temperature: wire.temperature,
        top_p: wire.top_p,
        top_k: None,
        stop_sequences: Vec::new(),
        stream: wire.stream.unwrap_or(false),
        stream_usage: true,
        user: wire.user.or(wire.safety_identifier),
        reasoning: wire.reasoning.and_then(decode_reasoning),
        response_format: wire
            .text
            .and_then(|text| text.format)
            .and_then(|format| format.into_ir()),
    })
}

fn decode_reasoning(reasoning: ReasoningIn) -> Option<Reasoning> {
    // Without an effort the client asks for the model's default: no change.
    let effort = reasoning.effort.filter(|effort| effort != "none")?;
    Some(Reasoning {
        effort: ReasoningEffort::parse(&effort),
        budget_tokens: None,
    })
}

/// Input items → messages. Leading system/developer messages become the
/// system prompt; consecutive assistant-side items (messages, reasoning,
/// function calls) form one assistant turn, consecutive call outputs one
/// user turn. Item types we cannot carry are skipped (LOSSY.md).
fn decode_input(
    input: Option<TextOr<ItemIn>>,
    system: &mut Vec<Text>,
) -> Result<Vec<Message>, DecodeError> {
    let items = match input {
        None => return Ok(Vec::new()),
        Some(TextOr::Text(text)) => {
            return Ok(vec![Message {
                role: Role::User,
                content: vec![Part::Text(text)],
            }]);
        }
        Some(TextOr::Blocks(items)) => items,
    };
    let mut messages: Vec<Message> = Vec::with_capacity(items.len());
    for (index, item) in items.into_iter().enumerate() {
        let at = Path(index);
        match item.kind.as_deref() {
            None | Some("message") => decode_message(item, at, system, &mut messages)?,
            Some("function_call") => {
                let call = decode_function_call(item, at)?;
                push_assistant(&mut messages, vec![call]);
            }
            Some("function_call_output") => {
                push_tool_result(&mut messages, decode_call_output(item, at)?);
            }
            Some("reasoning") => push_assistant(&mut messages, decode_reasoning_item(item)),
            Some(_) => {}
        }
    }
    Ok(messages)
}

/// Names fields of `input[index]` in errors.
#[derive(Clone, Copy)]
struct Path(usize);

impl Path {
    fn field(self, name: &str) -> String {
        format!("input[{}].{name}", self.0)
    }

    fn missing(self, name: &str) -> DecodeError {
        DecodeError::missing(self.field(name))
    }
}

fn decode_message(
    item: ItemIn,
    at: Path,
    system: &mut Vec<Text>,
    messages: &mut Vec<Message>,
) -> Result<(), DecodeError> {
    let role = item.role.ok_or_else(|| at.missing("role"))?;
    let parts = content_parts(item.content, at)?;
    match role.as_str() {
        "system" | "developer" => {
            let texts = texts(&parts);
            if messages.is_empty() {
                system.extend(texts.into_iter().cloned());
            } else {
                messages.push(Message {
                    role: Role::System,
                    content: vec![Part::Text(Text::join(texts, "\n\n"))],
                });
            }
        }
        "user" => {
            let mut content = Vec::with_capacity(parts.len());
            for (index, part) in parts.into_iter().enumerate() {
                content.push(user_part(part, &|| at.field(&format!("content[{index}]")))?);
            }
            messages.push(Message {
                role: Role::User,
                content,
            });
        }
        "assistant" => {
            let content = texts(&parts)
                .into_iter()
                .map(|text| Part::Text(text.clone()))
                .collect();
            push_assistant(messages, content);
        }
        other => {
            return Err(DecodeError::invalid(
                at.field("role"),
                format!("unknown role `{other}` (expected user, assistant, system or developer)"),
            ));
        }
    }
    Ok(())
}

/// A message's content as parts; a plain string is one text part.
fn content_parts(content: Option<Lenient<PartIn>>, at: Path) -> Result<Vec<PartIn>, DecodeError> {
    match content {
        None => Ok(Vec::new()),
        Some(Lenient::Text(text)) => Ok(vec![PartIn {
            kind: Some("input_text".into()),
            text: Some(text),
            refusal: None,
            image_url: None,
            file_id: None,
        }]),
        Some(Lenient::List(parts)) => Ok(parts),
        Some(Lenient::Other) => Err(DecodeError::invalid(
            at.field("content"),
            "expected a string or a list of content parts",
        )),
    }
}

/// The text of text-like parts (`input_text`, `output_text`, `refusal`…).
pub(super) fn texts(parts: &[PartIn]) -> Vec<&Text> {
    parts
        .iter()
        .filter_map(|part| part.text.as_ref().or(part.refusal.as_ref()))
        .collect()
}

fn user_part(part: PartIn, at: &dyn Fn() -> String) -> Result<Part, DecodeError> {
    match part.kind.as_deref() {
        Some("input_text" | "output_text" | "text") => {
            Ok(Part::Text(part.text.unwrap_or_default()))
        }
        Some("input_image") => Ok(Part::Image(image(part, at)?)),
        Some("input_file") => Err(DecodeError::unsupported(
            format!("{}.type", at()),
            Feature::InputFile,
        )),
        Some(other) => Err(DecodeError::invalid(
            format!("{}.type", at()),
            format!(
                "content part type `{other}` is not supported (input_text and input_image are)"
            ),
        )),
        None => Err(DecodeError::missing(format!("{}.type", at()))),
    }
}

fn image(part: PartIn, at: &dyn Fn() -> String) -> Result<ImageSource, DecodeError> {
    match (part.image_url, part.file_id) {
        (Some(ImageUrlIn::Text(url) | ImageUrlIn::Object { url }), _) => {
            Ok(ImageSource::from_url(&url))
        }
        (None, Some(_)) => Err(DecodeError::unsupported(
            format!("{}.file_id", at()),
            Feature::ImageFileId,
        )),
        (None, None) => Err(DecodeError::invalid(
            format!("{}.image_url", at()),
            "required for input_image",
        )),
    }
}

fn decode_function_call(item: ItemIn, at: Path) -> Result<Part, DecodeError> {
    let id = item.call_id.ok_or_else(|| at.missing("call_id"))?;
    let name = item.name.ok_or_else(|| at.missing("name"))?;
    Ok(Part::ToolCall {
        id,
        name: names::flatten(item.namespace.as_deref(), &name),
        arguments: crate::json::arguments_json(item.arguments.0.unwrap_or_default()),
    })
}

fn decode_call_output(item: ItemIn, at: Path) -> Result<Part, DecodeError> {
    let call_id = item.call_id.ok_or_else(|| at.missing("call_id"))?;
    let content = match item.output {
        None => Vec::new(),
        Some(Lenient::Text(text)) => vec![ToolResultPart::Text(text)],
        Some(Lenient::List(parts)) => {
            let mut content = Vec::with_capacity(parts.len());
            for (index, part) in parts.into_iter().enumerate() {
                let field = || at.field(&format!("output[{index}]"));
                content.push(match user_part(part, &field)? {
                    Part::Image(image) => ToolResultPart::Image(image),
                    Part::Text(text) => ToolResultPart::Text(text),
                    _ => continue,
                });
            }
            content
        }
        Some(Lenient::Other) => {
            return Err(DecodeError::invalid(
                at.field("output"),
                "expected a string or a list of content parts",
            ));
        }
    };
    Ok(Part::ToolResult {
        call_id,
        content,
        is_error: false,
    })
}

fn decode_reasoning_item(item: ItemIn) -> Vec<Part> {
    reasoning_part(item.summary, item.content, item.encrypted_content)
        .into_iter()
        .collect()
}

/// Summary text with `encrypted_content` is reasoning with its proof (how
/// our encoder carries an Anthropic signature); `encrypted_content` alone
/// is reasoning only its issuer can read.
pub(super) fn reasoning_part(
    summary: Option<Lenient<PartIn>>,
    content: Option<Lenient<PartIn>>,
    encrypted: LenientText,
) -> Option<Part> {
    let mut text = joined_text(summary);
    if text.is_empty() {
        // Open-weight models send their raw reasoning as `content`.
        text = joined_text(content);
    }
    match (text.is_empty(), encrypted.into_non_empty()) {
        (false, signature) => Some(Part::Reasoning { text, signature }),
        (true, Some(data)) => Some(Part::RedactedReasoning(data)),
        (true, None) => None,
    }
}

pub(super) fn joined_text(parts: Option<Lenient<PartIn>>) -> Text {
    match parts {
        Some(Lenient::List(parts)) => Text::join(texts(&parts), "\n\n"),
        Some(Lenient::Text(text)) => text,
        Some(Lenient::Other) | None => Text::default(),
    }
}

fn push_assistant(messages: &mut Vec<Message>, parts: Vec<Part>) {
    if parts.is_empty() {
        return;
    }
    match messages.last_mut() {
        Some(last) if last.role == Role::Assistant => last.content.extend(parts),
        _ => messages.push(Message {
            role: Role::Assistant,
            content: parts,
        }),
    }
}

fn push_tool_result(messages: &mut Vec<Message>, result: Part) {
    match messages.last_mut() {
        Some(last)
            if last.role == Role::User
                && last
                    .content
                    .iter()
                    .all(|part| matches!(part, Part::ToolResult { .. })) =>
        {
            last.content.push(result);
        }
        _ => messages.push(Message {
            role: Role::User,
            content: vec![result],
        }),
    }
}

/// Functions are kept; a namespace's functions are flattened into it; tools
/// only OpenAI can run (`web_search`, `file_search`, …) are dropped.
fn decode_tools(tools: Vec<ToolIn>) -> Result<Vec<Tool>, DecodeError> {
    let mut out = Vec::with_capacity(tools.len());
    for (index, tool) in tools.into_iter().enumerate() {
        let at = format!("tools[{index}]");
        match tool.kind.as_deref() {
            Some("function") => out.push(function(None, tool, &at)?),
            Some("namespace") => {
                let namespace = tool
                    .name
                    .ok_or_else(|| DecodeError::missing(format!("{at}.name")))?;
                for (child_index, child) in tool.tools.into_iter().flatten().enumerate() {
                    if child.kind.as_deref().is_none_or(|kind| kind == "function") {
                        let at = format!("{at}.tools[{child_index}]");
                        out.push(function(Some(&namespace), child, &at)?);
                    }
                }
            }
            _ => {}
        }
    }
    Ok(out)
}

fn function(namespace: Option<&str>, tool: ToolIn, at: &str) -> Result<Tool, DecodeError> {
    let name = tool
        .name
        .ok_or_else(|| DecodeError::missing(format!("{at}.name")))?;
    Ok(Tool {
        name: names::flatten(namespace, &name),
        description: tool.description,
        parameters: tool.parameters.unwrap_or_else(crate::json::empty_object),
    })
}

fn decode_tool_choice(choice: ToolChoiceIn) -> Result<ToolChoice, DecodeError> {
    match choice {
        ToolChoiceIn::Mode(mode) => tool_choice_mode(&mode, "tool_choice"),
        ToolChoiceIn::Object(object) => tool_choice_object(object),
    }
}

fn tool_choice_mode(mode: &str, at: &str) -> Result<ToolChoice, DecodeError> {
    match mode {
        "auto" => Ok(ToolChoice::Auto),
        "required" => Ok(ToolChoice::Required),
        "none" => Ok(ToolChoice::None),
        other => Err(DecodeError::invalid(
            at,
            format!("unknown value `{other}` (expected auto, required, none or a function)"),
        )),
    }
}

fn tool_choice_object(choice: ToolChoiceObjectIn) -> Result<ToolChoice, DecodeError> {
    match choice.kind.as_str() {
        "function" => {
            let name = choice.name.ok_or_else(|| {
                DecodeError::invalid("tool_choice.name", "required for type function")
            })?;
            Ok(ToolChoice::Tool(names::flatten(
                choice.namespace.as_deref(),
                &name,
            )))
        }
        // The list of allowed tools is dropped; its mode is kept.
        "allowed_tools" => {
            tool_choice_mode(choice.mode.as_deref().unwrap_or("auto"), "tool_choice.mode")
        }
        // A tool only OpenAI runs was dropped: let the model choose.
        _ => Ok(ToolChoice::Auto),
    }
}
