//! Which program sent a request, from its `User-Agent`.

/// The kinds of client usage is broken down by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Client {
    ClaudeCode,
    Codex,
    GeminiCli,
    /// An official OpenAI, Anthropic or Google SDK used by some other program.
    Sdk,
    Other,
}

impl Client {
    /// What the store and the reports call it.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::ClaudeCode => "claude_code",
            Self::Codex => "codex",
            Self::GeminiCli => "gemini_cli",
            Self::Sdk => "sdk",
            Self::Other => "other",
        }
    }

    /// `claude-cli/2.1.330 (external, cli)`, `codex_exec/0.169.0 (…)`,
    /// `GeminiCLI-tui/0.61.0/…`, `OpenAI/Python 1.x`, `Anthropic/JS 0.x`,
    /// `google-genai-sdk/1.x gl-node/…`.
    pub fn from_user_agent(user_agent: Option<&str>) -> Self {
        let Some(agent) = user_agent else {
            return Self::Other;
        };
        let lower = agent.to_ascii_lowercase();
        if lower.starts_with("claude-cli/") || lower.starts_with("claude-code/") {
            Self::ClaudeCode
        } else if lower.starts_with("codex") {
            Self::Codex
        } else if lower.starts_with("geminicli") {
            Self::GeminiCli
        } else if ["openai/", "anthropic/", "google-genai-sdk/", "google-api-"]
            .iter()
            .any(|prefix| lower.starts_with(prefix))
        {
            Self::Sdk
        } else {
            Self::Other
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Client;

    #[test]
    fn issue_12_recorded_user_agents_are_recognised() {
        let cases = [
            ("claude-cli/2.1.330 (external, cli)", Client::ClaudeCode),
            (
                "codex_exec/0.169.0 (Debian 12.0.0; x86_64) xterm (codex_exec; 0.169.0)",
                Client::Codex,
            ),
            (
                "GeminiCLI-tui/0.61.0/gemini-3.1-pro-preview (linux; x64; terminal)",
                Client::GeminiCli,
            ),
            ("OpenAI/Python 1.109.1", Client::Sdk),
            ("Anthropic/JS 0.71.0", Client::Sdk),
            ("google-genai-sdk/1.30.0 gl-node/v20.19.2", Client::Sdk),
            ("curl/8.5.0", Client::Other),
        ];
        for (agent, want) in cases {
            assert_eq!(Client::from_user_agent(Some(agent)), want, "{agent}");
        }
        assert_eq!(Client::from_user_agent(None), Client::Other);
    }
}
