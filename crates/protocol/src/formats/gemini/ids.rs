//! Tool-call ids for a format that usually has none, and the thought
//! signature Gemini attaches to function calls.
//!
//! Gemini 3 refuses a conversation whose function calls lack the signature it
//! issued with them. Clients of other formats cannot carry a signature, but
//! every one of them echoes tool-call ids verbatim, so the signature rides in
//! the id (as LiteLLM does): `<base>__thought__<signature, base64url>`. The
//! id alphabet stays `[A-Za-z0-9_-]`, which Anthropic's id pattern requires.

const SIGNATURE_MARK: &str = "__thought__";

/// Gemini's documented placeholder for calls it did not issue (another
/// model's, or ones whose signature was lost): it skips validation.
pub(super) const SKIP_SIGNATURE: &str = "skip_thought_signature_validator";

/// A stable id for the `position`-th function call (counted over the whole
/// conversation, or the whole answer), carrying `signature` when given.
pub(super) fn call_id(
    given: Option<&str>,
    name: &str,
    position: usize,
    signature: Option<&str>,
) -> String {
    let mut id = match given.filter(|id| !id.is_empty()) {
        Some(id) => id.to_owned(),
        None => {
            let name: String = name
                .chars()
                .map(|c| {
                    if c.is_ascii_alphanumeric() || c == '-' {
                        c
                    } else {
                        '_'
                    }
                })
                .collect();
            format!("call_{name}_{position}")
        }
    };
    if let Some(signature) = signature.filter(|signature| !signature.is_empty()) {
        id.push_str(SIGNATURE_MARK);
        id.extend(signature.chars().filter_map(|c| match c {
            '+' => Some('-'),
            '/' => Some('_'),
            '=' => None,
            c => Some(c),
        }));
    }
    id
}

/// The id without its signature, and the signature (standard base64 again).
pub(super) fn split_call_id(id: &str) -> (&str, Option<String>) {
    let Some((base, encoded)) = id.split_once(SIGNATURE_MARK) else {
        return (id, None);
    };
    let mut signature: String = encoded
        .chars()
        .map(|c| match c {
            '-' => '+',
            '_' => '/',
            c => c,
        })
        .collect();
    while signature.len() % 4 != 0 {
        signature.push('=');
    }
    (base, Some(signature))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signature_round_trips_through_the_id() {
        let signature = "Co0B+/x9aQ==";
        let id = call_id(None, "read.file", 3, Some(signature));
        assert!(
            id.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-'),
            "{id}"
        );
        assert_eq!(
            split_call_id(&id),
            ("call_read_file_3", Some(signature.to_owned()))
        );
        assert_eq!(split_call_id("call_x_0"), ("call_x_0", None));
        assert_eq!(call_id(Some("abc"), "f", 0, None), "abc");
    }
}
