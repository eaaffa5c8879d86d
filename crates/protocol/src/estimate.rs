//! A local estimate of input tokens, for upstreams that cannot count.
//!
//! About four bytes of English or code per token; CJK text runs closer to one
//! character per token, so non-ASCII characters count one each.

use crate::ir::{Message, Part, Request, ToolResultPart};

/// Tokens an image costs, roughly, on most vision models.
const IMAGE_TOKENS: u64 = 1_600;
/// Per-message framing (role markers).
const MESSAGE_OVERHEAD: u64 = 4;

pub fn input_tokens(request: &Request) -> u64 {
    let mut total = 0;
    for text in &request.system {
        total += text_tokens(text);
    }
    for tool in &request.tools {
        total += text_tokens(&tool.name)
            + tool.description.as_deref().map_or(0, text_tokens)
            + text_tokens(tool.parameters.get());
    }
    for message in &request.messages {
        total += MESSAGE_OVERHEAD + message_tokens(message);
    }
    total
}

fn message_tokens(message: &Message) -> u64 {
    message
        .content
        .iter()
        .map(|part| match part {
            Part::Text(text) | Part::Reasoning { text, .. } => text_tokens(text),
            Part::Image(_) => IMAGE_TOKENS,
            Part::ToolCall {
                name, arguments, ..
            } => text_tokens(name) + text_tokens(arguments.get()),
            Part::ToolResult { content, .. } => content
                .iter()
                .map(|part| match part {
                    ToolResultPart::Text(text) => text_tokens(text),
                    ToolResultPart::Image(_) => IMAGE_TOKENS,
                })
                .sum(),
            Part::RedactedReasoning(_) => 0,
        })
        .sum()
}

fn text_tokens(text: &str) -> u64 {
    let ascii = text.bytes().filter(u8::is_ascii).count() as u64;
    let other = text.chars().filter(|c| !c.is_ascii()).count() as u64;
    ascii.div_ceil(4) + other
}
