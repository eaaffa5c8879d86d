//! Errors shared by every format: a decode failure of our own, and an API
//! error on its way to the client in the client's format.

use serde::Deserialize;

/// A body we cannot read: a client's request, or an upstream's answer.
/// Each variant says where it went wrong; `Display` is the message the
/// client sees.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    /// The body is not UTF-8; its first `valid_up_to` bytes are.
    #[error(
        "request body is not valid JSON: invalid UTF-8 at byte {valid_up_to} (send UTF-8 JSON)"
    )]
    InvalidUtf8 { valid_up_to: usize },
    /// The body is not JSON: a syntax error, or it ends too soon. `line`
    /// and `column` count from 1, as serde_json's do (0: no position).
    #[error("request body is not valid JSON: {message}{}", At(*.line, *.column))]
    Json {
        line: usize,
        column: usize,
        message: String,
    },
    /// JSON that breaks the format's rules. `path` names the field
    /// (`messages[0].content`); it is empty when the whole body is wrong.
    #[error("{}{message}", FieldPrefix(.path))]
    Invalid { path: String, message: String },
    /// A valid request this gateway cannot carry (yet), at `path`.
    #[error("{path}: {feature}")]
    Unsupported { path: String, feature: Feature },
}

/// What a client asked for that the gateway cannot carry, so that a caller
/// can tell the cases apart; `Display` says what to send instead.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Feature {
    /// Responses' `previous_response_id`: the gateway keeps no state.
    PreviousResponseId,
    /// Responses' `conversation`: the same.
    Conversation,
    /// Responses' `input_file` content parts.
    InputFile,
    /// Responses' images given by `file_id` (OpenAI's file store).
    ImageFileId,
}

impl std::fmt::Display for Feature {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::PreviousResponseId => {
                "this gateway keeps no conversation state; send the full input (Codex does with store=false)"
            }
            Self::Conversation => {
                "this gateway keeps no conversation state; send the full input"
            }
            Self::InputFile => {
                "input_file is not supported through this gateway (send the text, or images as input_image)"
            }
            Self::ImageFileId => {
                "images by file id need OpenAI's file store; send image_url (a URL or a data: URL) instead"
            }
        })
    }
}

/// serde_json's ` at line L column C`, or nothing without a position.
struct At(usize, usize);

impl std::fmt::Display for At {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self(0, _) => Ok(()),
            Self(line, column) => write!(f, " at line {line} column {column}"),
        }
    }
}

/// `path: `, or nothing for the whole body.
struct FieldPrefix<'a>(&'a str);

impl std::fmt::Display for FieldPrefix<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.0.is_empty() {
            Ok(())
        } else {
            write!(f, "{}: ", self.0)
        }
    }
}

impl DecodeError {
    pub fn invalid(path: impl Into<String>, message: impl Into<String>) -> Self {
        Self::Invalid {
            path: path.into(),
            message: message.into(),
        }
    }

    /// A required field that is absent.
    pub fn missing(path: impl Into<String>) -> Self {
        Self::invalid(path, "required field is missing")
    }

    pub fn unsupported(path: impl Into<String>, feature: Feature) -> Self {
        Self::Unsupported {
            path: path.into(),
            feature,
        }
    }

    /// A serde_json failure: wrong data is `Invalid` (serde_json knows no
    /// path), anything else is `Json`.
    pub fn from_json(err: &serde_json::Error) -> Self {
        match err.classify() {
            serde_json::error::Category::Data => Self::invalid("", err.to_string()),
            _ => Self::syntax(err),
        }
    }

    /// serde_json's message without the position it appends, which the
    /// variant keeps in its own fields.
    fn syntax(err: &serde_json::Error) -> Self {
        let text = err.to_string();
        let position = At(err.line(), err.column()).to_string();
        let message = match text.strip_suffix(&position) {
            Some(message) => message.to_owned(),
            None => text,
        };
        Self::Json {
            line: err.line(),
            column: err.column(),
            message,
        }
    }

    /// Parses `body` as `T`; on failure, parses again tracking the path so
    /// the error names the field (`messages[0].content`). The fast path pays
    /// nothing for this. UTF-8 is checked once for the whole body: parsing
    /// from `&str` spares serde_json a separate check of every string.
    pub fn parse<'de, T: serde::Deserialize<'de>>(body: &'de [u8]) -> Result<T, Self> {
        let text = simdutf8::basic::from_utf8(body).map_err(|_| Self::InvalidUtf8 {
            valid_up_to: std::str::from_utf8(body).map_or_else(|err| err.valid_up_to(), str::len),
        })?;
        match serde_json::from_str(text) {
            Ok(value) => Ok(value),
            Err(err) if err.classify() != serde_json::error::Category::Data => {
                Err(Self::syntax(&err))
            }
            Err(err) => {
                let mut deserializer = serde_json::Deserializer::from_str(text);
                match serde_path_to_error::deserialize::<_, T>(&mut deserializer) {
                    Err(tracked) => {
                        // The root's path prints as `.`; the whole body has none.
                        let path = tracked.path();
                        let path = match path.iter().next() {
                            Some(_) => path.to_string(),
                            None => String::new(),
                        };
                        Err(Self::invalid(path, tracked.inner().to_string()))
                    }
                    Ok(_) => Err(Self::from_json(&err)),
                }
            }
        }
    }
}

/// An error to show the client: an HTTP status and a human message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    pub status: u16,
    pub message: String,
}

impl ApiError {
    pub fn new(status: u16, message: impl Into<String>) -> Self {
        Self {
            status,
            message: message.into(),
        }
    }
}

impl From<DecodeError> for ApiError {
    fn from(err: DecodeError) -> Self {
        let status = match err {
            DecodeError::Unsupported { .. } => 501,
            DecodeError::InvalidUtf8 { .. }
            | DecodeError::Json { .. }
            | DecodeError::Invalid { .. } => 400,
        };
        Self::new(status, err.to_string())
    }
}

const MAX_MESSAGE_CHARS: usize = 2000;

/// Extracts the human message from an upstream error body of any known shape
/// (`{"error":{"message"}}`, `{"error":"…"}`, `{"message"}`, `{"detail"}`,
/// Gemini's list form), falling back to the body text.
pub fn upstream_message(body: &[u8]) -> String {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum ErrorField {
        Object { message: String },
        Text(String),
    }
    #[derive(Deserialize)]
    struct Shape {
        error: Option<ErrorField>,
        message: Option<String>,
        detail: Option<String>,
    }
    let parsed = serde_json::from_slice::<Shape>(body).ok().or_else(|| {
        serde_json::from_slice::<Vec<Shape>>(body)
            .ok()
            .and_then(|list| list.into_iter().next())
    });
    let message = parsed.and_then(|shape| match shape.error {
        Some(ErrorField::Object { message } | ErrorField::Text(message)) => Some(message),
        None => shape.message.or(shape.detail),
    });
    let text = match message {
        Some(message) => message,
        None => String::from_utf8_lossy(body).trim().to_owned(),
    };
    truncate_chars(text, MAX_MESSAGE_CHARS)
}

fn truncate_chars(mut text: String, max: usize) -> String {
    if let Some((cut, _)) = text.char_indices().nth(max) {
        text.truncate(cut);
        text.push('…');
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn upstream_message_reads_every_known_shape() {
        let cases: [(&[u8], &str); 6] = [
            (br#"{"error":{"message":"bad key","type":"x"}}"#, "bad key"),
            (br#"{"error":"plain"}"#, "plain"),
            (br#"{"message":"top"}"#, "top"),
            (br#"{"detail":"fastapi"}"#, "fastapi"),
            (br#"[{"error":{"code":400,"message":"gemini"}}]"#, "gemini"),
            (b"  <html>oops</html> ", "<html>oops</html>"),
        ];
        for (body, want) in cases {
            assert_eq!(upstream_message(body), want);
        }
    }

    #[test]
    fn upstream_message_is_bounded() {
        let long = "é".repeat(5000);
        let got = upstream_message(long.as_bytes());
        assert_eq!(got.chars().count(), MAX_MESSAGE_CHARS + 1);
    }

    #[test]
    fn syntax_errors_keep_serde_json_text_and_give_the_position() {
        let serde = serde_json::from_str::<serde::de::IgnoredAny>("{\"a\": tru}")
            .err()
            .unwrap();
        let err = DecodeError::parse::<serde::de::IgnoredAny>(b"{\"a\": tru}")
            .err()
            .unwrap();
        assert!(
            matches!(
                err,
                DecodeError::Json {
                    line: 1,
                    column: 10,
                    ..
                }
            ),
            "{err:?}"
        );
        assert_eq!(
            err.to_string(),
            format!("request body is not valid JSON: {serde}")
        );
    }

    #[test]
    fn wrong_data_names_its_field_and_the_whole_body_has_no_path() {
        #[derive(serde::Deserialize)]
        struct Body {
            #[expect(dead_code, reason = "only its type is checked")]
            model: String,
        }
        let err = DecodeError::parse::<Body>(br#"{"model":5}"#).err().unwrap();
        assert!(
            matches!(&err, DecodeError::Invalid { path, .. } if path == "model"),
            "{err:?}"
        );
        assert!(
            err.to_string()
                .starts_with("model: invalid type: integer `5`"),
            "{err}"
        );
        let err = DecodeError::parse::<Body>(b"{}").err().unwrap();
        assert!(
            matches!(&err, DecodeError::Invalid { path, .. } if path.is_empty()),
            "{err:?}"
        );
        assert!(
            err.to_string().starts_with("missing field `model`"),
            "{err}"
        );
    }

    #[test]
    fn unsupported_features_say_what_to_send_instead() {
        let err = DecodeError::unsupported("conversation", Feature::Conversation);
        assert_eq!(
            err.to_string(),
            "conversation: this gateway keeps no conversation state; send the full input"
        );
        assert_eq!(ApiError::from(err).status, 501);
        assert_eq!(ApiError::from(DecodeError::missing("model")).status, 400);
    }

    #[test]
    fn invalid_utf8_is_refused_with_its_position() {
        let err = DecodeError::parse::<serde::de::IgnoredAny>(b"{\"model\":\"caf\xc3\"}")
            .err()
            .unwrap();
        assert_eq!(err, DecodeError::InvalidUtf8 { valid_up_to: 13 });
        assert!(
            err.to_string().contains("invalid UTF-8 at byte 13"),
            "{err}"
        );
        assert!(
            DecodeError::parse::<serde::de::IgnoredAny>("{\"model\":\"café\"}".as_bytes()).is_ok()
        );
    }
}
