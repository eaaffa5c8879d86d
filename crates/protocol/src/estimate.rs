//! What a model reads of a request, for counting input tokens locally when the
//! upstream cannot count.
//!
//! The text is what an upstream receives: the system prompt, every message's
//! text and reasoning, tool calls (name and JSON arguments), tool results, each
//! tool's name, description and JSON schema, and a structured-output schema.
//! Ids, signatures and encrypted reasoning are not read by the model as text.
//! JSON (schemas, arguments) counts without its insignificant whitespace:
//! providers parse it and render it into the prompt themselves, so how the
//! client indented it never reaches the model.
//! The tokenizer is the caller's (see `Countable::tokens`): this crate stays
//! free of vocabularies; `length_estimate` is a tokenizer-free fallback.

use std::borrow::Cow;

use crate::ir::{Message, Part, Request, ResponseFormat, Text, ToolResultPart};

/// Tokens an image costs, roughly, on most vision models (a ~1 MP image:
/// Anthropic's width × height / 750, OpenAI's high-detail tiles).
pub const IMAGE_TOKENS: u64 = 1_600;
/// Framing per message in OpenAI's chat format: `<|start|>`, the role and
/// `<|message|>` … `<|end|>` cost 3 tokens around the content. The system
/// prompt counts as one message.
pub const MESSAGE_OVERHEAD: u64 = 3;
/// Every reply is primed with `<|start|>assistant<|message|>`: 3 tokens.
pub const REPLY_PRIMING: u64 = 3;

/// The parts of a request a model reads, borrowed from it.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Countable<'a> {
    /// Each text in request order; tokenized one by one.
    pub texts: Vec<Cow<'a, str>>,
    pub images: u64,
    /// Messages, counting a non-empty system prompt as one.
    pub messages: u64,
}

impl Countable<'_> {
    /// Input tokens with `count` as the tokenizer, framing included.
    pub fn tokens(&self, count: impl Fn(&str) -> u64) -> u64 {
        let text: u64 = self.texts.iter().map(|text| count(text)).sum();
        text + self.images * IMAGE_TOKENS + self.framing()
    }

    /// The chat-format tokens around the content (zero for an empty request).
    pub fn framing(&self) -> u64 {
        if self.messages == 0 {
            return 0;
        }
        self.messages * MESSAGE_OVERHEAD + REPLY_PRIMING
    }
}

/// Collects what the model reads of `request`.
pub fn countable(request: &Request) -> Countable<'_> {
    let mut out = Countable::default();
    if !request.system.is_empty() {
        out.messages += 1;
        out.texts.extend(request.system.iter().map(Text::plain));
    }
    for tool in &request.tools {
        out.texts.push(Cow::from(tool.name.as_str()));
        out.texts.extend(tool.description.as_ref().map(Text::plain));
        out.texts.push(compact_json(tool.parameters.get()));
    }
    if let Some(ResponseFormat::JsonSchema { name, schema, .. }) = &request.response_format {
        out.texts.push(Cow::from(name.as_str()));
        out.texts.push(compact_json(schema.get()));
    }
    for message in &request.messages {
        out.messages += 1;
        message_parts(message, &mut out);
    }
    out
}

fn message_parts<'a>(message: &'a Message, out: &mut Countable<'a>) {
    for part in &message.content {
        match part {
            Part::Text(text) | Part::Reasoning { text, .. } => out.texts.push(text.plain()),
            Part::Image(_) => out.images += 1,
            Part::ToolCall {
                name, arguments, ..
            } => {
                out.texts.push(Cow::from(name.as_str()));
                out.texts.push(compact_json(arguments.get()));
            }
            Part::ToolResult { content, .. } => {
                for part in content {
                    match part {
                        ToolResultPart::Text(text) => out.texts.push(text.plain()),
                        ToolResultPart::Image(_) => out.images += 1,
                    }
                }
            }
            Part::RedactedReasoning(_) => {}
        }
    }
}

/// `json` without whitespace outside its strings; borrowed when it has none.
pub fn compact_json(json: &str) -> Cow<'_, str> {
    let mut in_string = false;
    let mut escaped = false;
    let mut out: Option<String> = None;
    for (at, c) in json.char_indices() {
        let keep = if in_string {
            (in_string, escaped) = (escaped || c != '"', !escaped && c == '\\');
            true
        } else {
            in_string = c == '"';
            !c.is_ascii_whitespace()
        };
        match (&mut out, keep) {
            (Some(out), true) => out.push(c),
            (None, false) => out = Some(json[..at].to_owned()),
            _ => {}
        }
    }
    out.map_or(Cow::Borrowed(json), Cow::Owned)
}

/// Input tokens estimated from text length alone, for when no tokenizer is
/// at hand.
pub fn input_tokens(request: &Request) -> u64 {
    countable(request).tokens(length_estimate)
}

/// About four bytes of English or code per token; CJK text runs closer to
/// one character per token, so non-ASCII characters count one each.
pub fn length_estimate(text: &str) -> u64 {
    let ascii = text.bytes().filter(u8::is_ascii).count() as u64;
    let other = text.chars().filter(|c| !c.is_ascii()).count() as u64;
    ascii.div_ceil(4) + other
}
