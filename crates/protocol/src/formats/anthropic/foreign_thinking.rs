//! Thinking blocks another provider produced reach Anthropic when a user
//! switches a conversation's route. Anthropic verifies every thinking
//! block's signature and refuses the whole request over one it did not sign,
//! so unsigned blocks (the ones this gateway synthesizes) are removed.

use serde_json::Value;

/// The body without unsigned `thinking` blocks in assistant turns, or `None`
/// when there are none (the common case costs one substring search).
pub fn strip_unsigned_thinking(body: &[u8]) -> Option<Vec<u8>> {
    let compact = memchr::memmem::find(body, br#""signature":"""#).is_some();
    let spaced = memchr::memmem::find(body, br#""signature": """#).is_some();
    if !compact && !spaced {
        return None;
    }
    let mut request: Value = serde_json::from_slice(body).ok()?;
    let messages = request.get_mut("messages")?.as_array_mut()?;
    let mut removed = false;
    for message in messages.iter_mut() {
        let Some(blocks) = message.get_mut("content").and_then(Value::as_array_mut) else {
            continue;
        };
        let before = blocks.len();
        blocks.retain(|block| !is_unsigned_thinking(block));
        removed |= blocks.len() != before;
    }
    if !removed {
        return None;
    }
    serde_json::to_vec(&request).ok()
}

fn is_unsigned_thinking(block: &Value) -> bool {
    block.get("type").and_then(Value::as_str) == Some("thinking")
        && block
            .get("signature")
            .and_then(Value::as_str)
            .is_none_or(str::is_empty)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unsigned_thinking_is_removed_and_signed_kept() {
        let body = br#"{"model":"m","future":1,"messages":[{"role":"assistant","content":[
            {"type":"thinking","thinking":"from deepseek","signature":""},
            {"type":"thinking","thinking":"from anthropic","signature":"EqQB"},
            {"type":"text","text":"hi"}]}]}"#;
        let out: Value = serde_json::from_slice(&strip_unsigned_thinking(body).unwrap()).unwrap();
        let blocks = out["messages"][0]["content"].as_array().unwrap();
        assert_eq!(blocks.len(), 2);
        assert_eq!(blocks[0]["signature"], "EqQB");
        assert_eq!(out["future"], 1);
    }

    #[test]
    fn bodies_without_unsigned_thinking_are_left_alone() {
        assert!(strip_unsigned_thinking(br#"{"messages":[]}"#).is_none());
        let text_only = br#"{"messages":[{"role":"user","content":[{"type":"text","text":"\"signature\":\"\""}]}]}"#;
        assert!(strip_unsigned_thinking(text_only).is_none());
    }
}
