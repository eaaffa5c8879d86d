//! Errors shared by every format: a decode failure of our own, and an API
//! error on its way to the client in the client's format.

use serde::Deserialize;

/// The client sent something we cannot read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    #[error("request body is not valid JSON: {0}")]
    Json(String),
    #[error("{0}")]
    Invalid(String),
    /// A valid request this gateway cannot carry (yet).
    #[error("{0}")]
    Unsupported(String),
}

impl DecodeError {
    pub fn from_json(err: &serde_json::Error) -> Self {
        match err.classify() {
            serde_json::error::Category::Data => Self::Invalid(err.to_string()),
            _ => Self::Json(err.to_string()),
        }
    }

    /// Parses `body` as `T`; on failure, parses again tracking the path so
    /// the error names the field (`messages[0].content`). The fast path pays
    /// nothing for this. UTF-8 is checked once for the whole body: parsing
    /// from `&str` spares serde_json a separate check of every string.
    pub fn parse<'de, T: serde::Deserialize<'de>>(body: &'de [u8]) -> Result<T, Self> {
        let text = simdutf8::basic::from_utf8(body).map_err(|_| {
            let valid_up_to =
                std::str::from_utf8(body).map_or_else(|err| err.valid_up_to(), str::len);
            Self::Json(format!(
                "invalid UTF-8 at byte {valid_up_to} (send UTF-8 JSON)"
            ))
        })?;
        match serde_json::from_str(text) {
            Ok(value) => Ok(value),
            Err(err) if err.classify() != serde_json::error::Category::Data => {
                Err(Self::Json(err.to_string()))
            }
            Err(err) => {
                let mut deserializer = serde_json::Deserializer::from_str(text);
                match serde_path_to_error::deserialize::<_, T>(&mut deserializer) {
                    Err(tracked) => Err(Self::Invalid(format!(
                        "{}: {}",
                        tracked.path(),
                        tracked.inner()
                    ))),
                    Ok(_) => Err(Self::Invalid(err.to_string())),
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
            DecodeError::Unsupported(_) => 501,
            DecodeError::Json(_) | DecodeError::Invalid(_) => 400,
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
    fn invalid_utf8_is_refused_with_its_position() {
        let err = DecodeError::parse::<serde::de::IgnoredAny>(b"{\"model\":\"caf\xc3\"}")
            .err()
            .unwrap();
        assert!(
            matches!(&err, DecodeError::Json(message) if message.contains("invalid UTF-8 at byte 13")),
            "{err:?}"
        );
        assert!(
            DecodeError::parse::<serde::de::IgnoredAny>("{\"model\":\"café\"}".as_bytes()).is_ok()
        );
    }
}
