//! Anthropic request → IR.

use super::TOOL_ID_PREFIX;
use super::wire::{Block, BlockType, ImageSourceWire};
use super::wire_client::{InRole, InTool, MessagesRequest};
use crate::error::DecodeError;
use crate::formats::TextOr;
use crate::ir::{
    ImageSource, Message, Part, Reasoning, ReasoningEffort, Request, Role, Text, Tool, ToolChoice,
    ToolResultPart,
};

/// Decodes an Anthropic Messages request body.
pub fn decode_request(body: &[u8]) -> Result<Request, DecodeError> {
    let mut wire: MessagesRequest = DecodeError::parse(body)?;
    let reasoning = decode_reasoning(&wire);
    let response_format = wire
        .output_config
        .as_mut()
        .and_then(|config| config.format.take())
        .and_then(|format| format.into_ir());
    let messages = wire
        .messages
        .into_iter()
        .enumerate()
        .map(|(index, message)| decode_message(index, message.role, message.content))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Request {
        model: wire.model,
        system: decode_system(wire.system)?,
        messages,
        tools: wire.tools.into_iter().filter_map(decode_tool).collect(),
        tool_choice: wire
            .tool_choice
            .as_ref()
            .map(decode_tool_choice)
            .transpose()?,
        parallel_tool_calls: wire
            .tool_choice
            .as_ref()
            .filter(|choice| choice.disable_parallel_tool_use)
            .map(|_| false),
        max_tokens: wire.max_tokens,
        temperature: wire.temperature,
        top_p: wire.top_p,
        top_k: wire.top_k,
        stop_sequences: wire.stop_sequences,
        stream: wire.stream,
        stream_usage: true,
        user: wire.metadata.and_then(|metadata| metadata.user_id),
        reasoning,
        response_format,
    })
}

fn decode_system(system: TextOr<Block>) -> Result<Vec<Text>, DecodeError> {
    match system {
        TextOr::Text(text) => Ok(vec![text]),
        TextOr::Blocks(blocks) => blocks
            .into_iter()
            .enumerate()
            .filter(|(_, block)| block.kind == BlockType::Text)
            .map(|(index, block)| required(block.text, || format!("system[{index}].text")))
            .collect(),
    }
}

fn decode_message(
    index: usize,
    role: InRole,
    content: TextOr<Block>,
) -> Result<Message, DecodeError> {
    let role = match role {
        InRole::User => Role::User,
        InRole::Assistant => Role::Assistant,
        InRole::System => Role::System,
    };
    let content = match content {
        TextOr::Text(text) => vec![Part::Text(text)],
        TextOr::Blocks(blocks) => {
            let mut parts = Vec::with_capacity(blocks.len());
            for (block_index, block) in blocks.into_iter().enumerate() {
                let at = || format!("messages[{index}].content[{block_index}]");
                parts.extend(decode_block(block, &at)?);
            }
            parts
        }
    };
    Ok(Message { role, content })
}

/// One block → at most one part; unknown block types are dropped (LOSSY.md).
fn decode_block(block: Block, at: &dyn Fn() -> String) -> Result<Option<Part>, DecodeError> {
    let field = |name: &str| format!("{}.{name}", at());
    let part = match block.kind {
        BlockType::Text => Part::Text(required(block.text, || field("text"))?),
        BlockType::Image => Part::Image(decode_image(block.source, &|| field("source"))?),
        BlockType::ToolUse => Part::ToolCall {
            id: strip_tool_prefix(required(block.id, || field("id"))?),
            name: required(block.name, || field("name"))?,
            arguments: block.input.unwrap_or_else(crate::json::empty_object),
        },
        BlockType::ToolResult => Part::ToolResult {
            call_id: strip_tool_prefix(required(block.tool_use_id, || field("tool_use_id"))?),
            content: decode_tool_result(block.content, &|| field("content"))?,
            is_error: block.is_error.unwrap_or(false),
        },
        BlockType::Thinking => Part::Reasoning {
            text: required(block.thinking, || field("thinking"))?,
            signature: block.signature.filter(|signature| !signature.is_empty()),
        },
        BlockType::RedactedThinking => {
            Part::RedactedReasoning(required(block.data, || field("data"))?)
        }
        BlockType::Unknown => return Ok(None),
    };
    Ok(Some(part))
}

fn decode_tool_result(
    content: Option<TextOr<Block>>,
    at: &dyn Fn() -> String,
) -> Result<Vec<ToolResultPart>, DecodeError> {
    let blocks = match content {
        None => return Ok(Vec::new()),
        Some(TextOr::Text(text)) => return Ok(vec![ToolResultPart::Text(text)]),
        Some(TextOr::Blocks(blocks)) => blocks,
    };
    let mut parts = Vec::with_capacity(blocks.len());
    for (index, block) in blocks.into_iter().enumerate() {
        let field = |name: &str| format!("{}[{index}].{name}", at());
        match block.kind {
            BlockType::Text => {
                parts.push(ToolResultPart::Text(required(block.text, || {
                    field("text")
                })?));
            }
            BlockType::Image => {
                let image = decode_image(block.source, &|| field("source"))?;
                parts.push(ToolResultPart::Image(image));
            }
            _ => {}
        }
    }
    Ok(parts)
}

fn decode_image(
    source: Option<ImageSourceWire>,
    at: &dyn Fn() -> String,
) -> Result<ImageSource, DecodeError> {
    let source = required(source, at)?;
    match source.kind.as_str() {
        "base64" => Ok(ImageSource::Base64 {
            media_type: required(source.media_type, || format!("{}.media_type", at()))?,
            data: required(source.data, || format!("{}.data", at()))?,
        }),
        "url" => Ok(ImageSource::Url(required(source.url, || {
            format!("{}.url", at())
        })?)),
        other => Err(DecodeError::invalid(
            format!("{}.type", at()),
            format!("unsupported image source `{other}` (expected `base64` or `url`)"),
        )),
    }
}

/// Client tools keep their schema; Anthropic-hosted tools (no schema) cannot
/// run elsewhere and are dropped (LOSSY.md).
fn decode_tool(tool: InTool) -> Option<Tool> {
    let is_client_tool = tool.kind.as_deref().is_none_or(|kind| kind == "custom");
    let parameters = tool.input_schema.filter(|_| is_client_tool)?;
    Some(Tool {
        name: tool.name,
        description: tool.description,
        parameters,
    })
}

fn decode_tool_choice(
    choice: &super::wire_client::InToolChoice,
) -> Result<ToolChoice, DecodeError> {
    match choice.kind.as_str() {
        "auto" => Ok(ToolChoice::Auto),
        "any" => Ok(ToolChoice::Required),
        "none" => Ok(ToolChoice::None),
        "tool" => match &choice.name {
            Some(name) => Ok(ToolChoice::Tool(name.clone())),
            None => Err(DecodeError::invalid(
                "tool_choice.name",
                "required when tool_choice.type is `tool`",
            )),
        },
        other => Err(DecodeError::invalid(
            "tool_choice.type",
            format!("unknown value `{other}` (expected auto, any, tool or none)"),
        )),
    }
}

/// `thinking` (enabled with a budget, or adaptive) plus `output_config.effort`.
fn decode_reasoning(wire: &MessagesRequest) -> Option<Reasoning> {
    let effort = wire
        .output_config
        .as_ref()
        .and_then(|config| config.effort.as_deref())
        .and_then(ReasoningEffort::parse);
    match wire
        .thinking
        .as_ref()
        .map(|thinking| thinking.kind.as_str())
    {
        Some("disabled") => None,
        Some("enabled") => Some(Reasoning {
            effort,
            budget_tokens: wire.thinking.as_ref().and_then(|t| t.budget_tokens),
        }),
        Some(_) => Some(Reasoning {
            effort,
            budget_tokens: None,
        }),
        None => effort.map(|effort| Reasoning {
            effort: Some(effort),
            budget_tokens: None,
        }),
    }
}

fn required<T>(value: Option<T>, field: impl FnOnce() -> String) -> Result<T, DecodeError> {
    value.ok_or_else(|| DecodeError::missing(field()))
}

pub(super) fn strip_tool_prefix(id: String) -> String {
    match id.strip_prefix(TOOL_ID_PREFIX) {
        Some(rest) if !rest.is_empty() => rest.to_owned(),
        _ => id,
    }
}
