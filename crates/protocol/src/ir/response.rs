use super::Part;

/// A complete (non-streamed) answer.
#[derive(Debug, Clone, PartialEq)]
pub struct Response {
    pub id: String,
    pub model: String,
    /// Unix seconds; 0 when the upstream did not say.
    pub created: u64,
    /// Text, reasoning and tool calls, in order.
    pub content: Vec<Part>,
    pub stop_reason: Option<StopReason>,
    pub usage: Usage,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StopReason {
    EndTurn,
    MaxTokens,
    /// A stop sequence matched; the sequence when the upstream says which.
    StopSequence(Option<String>),
    ToolUse,
    /// The upstream withheld content (safety or recitation filter).
    ContentFilter,
    /// The upstream stopped for a reason with no equivalent here.
    Other(String),
}

/// Token counts. `input_tokens` excludes cache reads and writes, as in Anthropic's usage.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Usage {
    pub input_tokens: u64,
    pub output_tokens: u64,
    pub cache_read_tokens: u64,
    pub cache_write_tokens: u64,
    pub reasoning_tokens: u64,
}

impl Usage {
    /// Every prompt token, cached or not (OpenAI's `prompt_tokens`).
    pub fn total_input(&self) -> u64 {
        self.input_tokens + self.cache_read_tokens + self.cache_write_tokens
    }

    /// Overwrites each count the newer report carries (non-zero).
    pub fn merge(&mut self, newer: &Usage) {
        let pairs = [
            (&mut self.input_tokens, newer.input_tokens),
            (&mut self.output_tokens, newer.output_tokens),
            (&mut self.cache_read_tokens, newer.cache_read_tokens),
            (&mut self.cache_write_tokens, newer.cache_write_tokens),
            (&mut self.reasoning_tokens, newer.reasoning_tokens),
        ];
        for (slot, value) in pairs {
            if value != 0 {
                *slot = value;
            }
        }
    }
}
