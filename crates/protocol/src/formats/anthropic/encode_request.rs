//! IR request → Anthropic Messages request body (for Anthropic upstreams
//! reached from another client format).

use super::TOOL_ID_PREFIX;
use super::encode_response::with_prefix;
use super::wire::{
    BlockOut, MessageOut, MetadataOut, OutputConfigOut, RequestOut, SchemaFormatOut, SourceOut,
    ThinkingOut, ToolChoiceOut, ToolOut,
};
use crate::formats::EncodeOptions;
use crate::ir::{
    ImageSource, Message, Part, ReasoningEffort, Request, ResponseFormat, Role, Tool, ToolChoice,
    ToolResultPart,
};
use crate::sse::write_json;

/// Anthropic requires `max_tokens`; clients of other formats may omit it.
const DEFAULT_MAX_TOKENS: u32 = 8192;
/// Anthropic's smallest thinking budget.
const MIN_THINKING_BUDGET: u32 = 1024;

/// Encodes a request for an Anthropic upstream.
pub fn encode_request(request: &Request, options: &EncodeOptions) -> Vec<u8> {
    let max_tokens = options
        .cap_max_tokens(request.max_tokens)
        .unwrap_or(DEFAULT_MAX_TOKENS);
    let thinking = thinking_for(request, max_tokens);
    // Anthropic rejects sampling parameters next to extended thinking.
    let sampling = thinking.is_none();
    let (system, messages) = encode_messages(request);
    let wire = RequestOut {
        model: &request.model,
        max_tokens,
        system,
        messages,
        stop_sequences: &request.stop_sequences,
        temperature: request.temperature.filter(|_| sampling),
        top_p: request.top_p.filter(|_| sampling),
        top_k: request.top_k.filter(|_| sampling),
        stream: request.stream,
        tools: request.tools.iter().map(encode_tool).collect(),
        tool_choice: encode_tool_choice(request),
        metadata: request
            .user
            .as_deref()
            .map(|user_id| MetadataOut { user_id }),
        thinking,
        output_config: match &request.response_format {
            Some(ResponseFormat::JsonSchema { schema, .. }) => Some(OutputConfigOut {
                format: SchemaFormatOut {
                    kind: "json_schema",
                    schema,
                },
            }),
            _ => None,
        },
    };
    let mut out = Vec::with_capacity(request.wire_size_hint());
    write_json(&mut out, &wire);
    out
}

fn thinking_for(request: &Request, max_tokens: u32) -> Option<ThinkingOut> {
    let reasoning = request.reasoning?;
    // Anthropic refuses thinking when the tool choice forces a call; the
    // client's explicit choice wins.
    let forced = matches!(
        request.tool_choice,
        Some(ToolChoice::Required | ToolChoice::Tool(_))
    );
    if forced && !request.tools.is_empty() {
        return None;
    }
    let budget = reasoning.budget_tokens.unwrap_or(match reasoning.effort {
        Some(ReasoningEffort::Minimal | ReasoningEffort::Low) => 2048,
        Some(ReasoningEffort::High) => 24_576,
        Some(ReasoningEffort::Medium) | None => 8192,
    });
    let budget = budget.max(MIN_THINKING_BUDGET);
    // max_tokens covers thinking and answer: keep at least half for the answer.
    let budget = budget.min(max_tokens / 2);
    (budget >= MIN_THINKING_BUDGET).then_some(ThinkingOut {
        kind: "enabled",
        budget_tokens: budget,
    })
}

/// System messages before the first turn join `system`; later ones stay in place.
fn encode_messages(request: &Request) -> (Vec<BlockOut<'_>>, Vec<MessageOut<'_>>) {
    let mut system: Vec<BlockOut<'_>> = request
        .system
        .iter()
        .map(|text| BlockOut::Text { text })
        .collect();
    let mut messages = Vec::with_capacity(request.messages.len());
    for message in &request.messages {
        let role = match message.role {
            Role::System if messages.is_empty() => {
                system.extend(text_blocks(message));
                continue;
            }
            Role::System => "system",
            Role::User => "user",
            Role::Assistant => "assistant",
        };
        let content: Vec<BlockOut<'_>> = message.content.iter().filter_map(encode_part).collect();
        if !content.is_empty() {
            messages.push(MessageOut { role, content });
        }
    }
    (system, messages)
}

fn text_blocks(message: &Message) -> impl Iterator<Item = BlockOut<'_>> {
    message.content.iter().filter_map(|part| match part {
        Part::Text(text) => Some(BlockOut::Text { text }),
        _ => None,
    })
}

fn encode_part(part: &Part) -> Option<BlockOut<'_>> {
    Some(match part {
        Part::Text(text) if text.is_empty() => return None,
        Part::Text(text) => BlockOut::Text { text },
        Part::Image(image) => BlockOut::Image {
            source: encode_source(image),
        },
        Part::ToolCall {
            id,
            name,
            arguments,
        } => BlockOut::ToolUse {
            id: with_prefix(TOOL_ID_PREFIX, id),
            name,
            input: arguments,
        },
        Part::ToolResult {
            call_id,
            content,
            is_error,
        } => BlockOut::ToolResult {
            tool_use_id: with_prefix(TOOL_ID_PREFIX, call_id),
            content: content.iter().map(encode_result_part).collect(),
            is_error: *is_error,
        },
        // Only Anthropic-signed reasoning can go back to Anthropic.
        Part::Reasoning {
            text,
            signature: Some(signature),
        } => BlockOut::Thinking {
            thinking: text,
            signature,
        },
        Part::Reasoning {
            signature: None, ..
        } => return None,
        Part::RedactedReasoning(data) => BlockOut::RedactedThinking { data },
    })
}

fn encode_result_part(part: &ToolResultPart) -> BlockOut<'_> {
    match part {
        ToolResultPart::Text(text) => BlockOut::Text { text },
        ToolResultPart::Image(image) => BlockOut::Image {
            source: encode_source(image),
        },
    }
}

fn encode_source(image: &ImageSource) -> SourceOut<'_> {
    match image {
        ImageSource::Base64 { media_type, data } => SourceOut::Base64 { media_type, data },
        ImageSource::Url(url) => SourceOut::Url { url },
    }
}

fn encode_tool(tool: &Tool) -> ToolOut<'_> {
    ToolOut {
        name: &tool.name,
        description: tool.description.as_ref(),
        input_schema: &tool.parameters,
    }
}

fn encode_tool_choice(request: &Request) -> Option<ToolChoiceOut<'_>> {
    if request.tools.is_empty() {
        return None;
    }
    let disable_parallel_tool_use = request.parallel_tool_calls == Some(false);
    let (kind, name) = match &request.tool_choice {
        None if !disable_parallel_tool_use => return None,
        None | Some(ToolChoice::Auto) => ("auto", None),
        Some(ToolChoice::Required) => ("any", None),
        Some(ToolChoice::None) => ("none", None),
        Some(ToolChoice::Tool(name)) => ("tool", Some(name.as_str())),
    };
    Some(ToolChoiceOut {
        kind,
        name,
        disable_parallel_tool_use: disable_parallel_tool_use && kind != "none",
    })
}
