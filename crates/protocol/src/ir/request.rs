use super::Text;
use crate::json::RawJson;

/// A chat request, independent of any wire format.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Request {
    pub model: String,
    /// System prompt parts, in order. Formats with a single system string join them.
    pub system: Vec<Text>,
    pub messages: Vec<Message>,
    pub tools: Vec<Tool>,
    pub tool_choice: Option<ToolChoice>,
    /// `Some(false)` when the client forbids parallel tool calls.
    pub parallel_tool_calls: Option<bool>,
    pub max_tokens: Option<u32>,
    pub temperature: Option<f64>,
    pub top_p: Option<f64>,
    pub top_k: Option<u32>,
    pub stop_sequences: Vec<String>,
    pub stream: bool,
    /// The client wants usage reported in the stream (OpenAI's
    /// `stream_options.include_usage`; always true for other formats).
    pub stream_usage: bool,
    /// End-user identifier for upstream abuse tracking.
    pub user: Option<String>,
    pub reasoning: Option<Reasoning>,
    /// Structured output the client asked for.
    pub response_format: Option<ResponseFormat>,
}

impl Request {
    /// About the bytes this request takes on the wire, to size a body once.
    pub fn wire_size_hint(&self) -> usize {
        let system: usize = self.system.iter().map(Text::wire_len).sum();
        let tools: usize = self
            .tools
            .iter()
            .map(|tool| {
                tool.name.len()
                    + tool.description.as_ref().map_or(0, Text::wire_len)
                    + tool.parameters.get().len()
                    + 64
            })
            .sum();
        let messages: usize = self
            .messages
            .iter()
            .flat_map(|message| &message.content)
            .map(Part::wire_size_hint)
            .sum();
        1024 + system + tools + messages
    }
}

impl Part {
    fn wire_size_hint(&self) -> usize {
        let size = match self {
            Self::Text(text) | Self::Reasoning { text, .. } => text.wire_len(),
            Self::Image(ImageSource::Base64 { data, .. }) => data.len(),
            Self::Image(ImageSource::Url(url)) => url.len(),
            Self::ToolCall { arguments, .. } => arguments.get().len(),
            Self::ToolResult { content, .. } => content
                .iter()
                .map(|part| match part {
                    ToolResultPart::Text(text) => text.wire_len(),
                    ToolResultPart::Image(_) => 256,
                })
                .sum(),
            Self::RedactedReasoning(data) => data.len(),
        };
        size + 64
    }
}

/// The shape the answer's text must have.
#[derive(Debug, Clone, PartialEq)]
pub enum ResponseFormat {
    /// Any JSON object.
    JsonObject,
    /// JSON matching `schema` (a JSON Schema).
    JsonSchema {
        name: String,
        schema: RawJson,
        strict: bool,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// A system message in the middle of the conversation.
    System,
    User,
    Assistant,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Message {
    pub role: Role,
    pub content: Vec<Part>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Part {
    Text(Text),
    Image(ImageSource),
    ToolCall {
        id: String,
        name: String,
        /// The arguments as a JSON text (an object).
        arguments: RawJson,
    },
    ToolResult {
        call_id: String,
        content: Vec<ToolResultPart>,
        is_error: bool,
    },
    Reasoning {
        text: Text,
        /// Provider-issued proof of the reasoning (Anthropic `signature`).
        signature: Option<String>,
    },
    /// Reasoning the provider returned encrypted; only its issuer can read it.
    RedactedReasoning(String),
}

#[derive(Debug, Clone, PartialEq)]
pub enum ToolResultPart {
    Text(Text),
    Image(ImageSource),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ImageSource {
    Base64 { media_type: String, data: String },
    Url(String),
}

impl ImageSource {
    /// The image as a URL: `data:` for inline images.
    pub fn to_url(&self) -> String {
        match self {
            Self::Url(url) => url.clone(),
            Self::Base64 { media_type, data } => format!("data:{media_type};base64,{data}"),
        }
    }

    /// Parses a URL, turning `data:<type>;base64,<data>` back into inline data.
    pub fn from_url(url: &str) -> Self {
        let inline = url.strip_prefix("data:").and_then(|rest| {
            let (media_type, data) = rest.split_once(";base64,")?;
            Some(Self::Base64 {
                media_type: media_type.to_owned(),
                data: data.to_owned(),
            })
        });
        inline.unwrap_or_else(|| Self::Url(url.to_owned()))
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Tool {
    pub name: String,
    pub description: Option<Text>,
    /// JSON Schema of the arguments, as sent by the client.
    pub parameters: RawJson,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ToolChoice {
    Auto,
    /// The model must call some tool.
    Required,
    None,
    /// The model must call this tool.
    Tool(String),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Reasoning {
    pub effort: Option<ReasoningEffort>,
    pub budget_tokens: Option<u32>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReasoningEffort {
    Minimal,
    Low,
    Medium,
    High,
}

impl ReasoningEffort {
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "minimal" => Some(Self::Minimal),
            "low" => Some(Self::Low),
            "medium" => Some(Self::Medium),
            // Anthropic's "max" and OpenAI's "xhigh" both mean the top level here.
            "high" | "max" | "xhigh" => Some(Self::High),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Minimal => "minimal",
            Self::Low => "low",
            Self::Medium => "medium",
            Self::High => "high",
        }
    }
}
