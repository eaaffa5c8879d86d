use super::*;

fn of(format: Format, body: &str) -> Traits {
    scan(format, body.as_bytes()).unwrap_or_default()
}

const NONE: Traits = Traits {
    images: false,
    tools: false,
    web_search: false,
    thinking: false,
};

#[test]
fn issue_10_anthropic_traits_come_from_typed_blocks_only() {
    let plain = r#"{"model":"m","messages":[{"role":"user","content":"an \"image\" and \"type\": \"image\" said in text"}]}"#;
    assert_eq!(of(Format::Anthropic, plain), NONE);
    let full = r#"{"model":"m","thinking":{"type":"enabled","budget_tokens":1024},
        "tools":[{"name":"f","input_schema":{}},{"type":"web_search_20250305","name":"web_search"}],
        "messages":[{"role":"user","content":[{"type" : "image","source":{"type":"base64","media_type":"image/png","data":"AA"}}]}]}"#;
    let all = Traits {
        images: true,
        tools: true,
        web_search: true,
        thinking: true,
    };
    assert_eq!(of(Format::Anthropic, full), all);
    let disabled = r#"{"model":"m","thinking":{"type":"disabled"},"tools":[],"messages":[]}"#;
    assert_eq!(of(Format::Anthropic, disabled), NONE);
}

#[test]
fn issue_10_openai_chat_and_responses_traits() {
    let chat = r#"{"model":"m","reasoning_effort":"high","web_search_options":{},
        "tools":[{"type":"function","function":{"name":"f"}}],
        "messages":[{"role":"user","content":[{"type":"image_url","image_url":{"url":"data:,"}}]}]}"#;
    let all = Traits {
        images: true,
        tools: true,
        web_search: true,
        thinking: true,
    };
    assert_eq!(of(Format::OpenaiChat, chat), all);
    let none = r#"{"model":"m","reasoning_effort":"none","messages":[{"role":"user","content":"image_url"}]}"#;
    assert_eq!(of(Format::OpenaiChat, none), NONE);

    let responses = r#"{"model":"m","reasoning":{"effort":"medium"},"tools":[{"type":"web_search_preview"}],
        "input":[{"role":"user","content":[{"type":"input_image","image_url":"data:,"}]}]}"#;
    assert_eq!(of(Format::OpenaiResponses, responses), all);
    let off = r#"{"model":"m","reasoning":{"effort":"none"},"input":"input_image"}"#;
    assert_eq!(of(Format::OpenaiResponses, off), NONE);
}

#[test]
fn issue_10_gemini_traits() {
    let body = r#"{"contents":[{"role":"user","parts":[{"inlineData":{"mimeType":"image/png","data":"AA"}}]}],
        "tools":[{"googleSearch":{}},{"functionDeclarations":[{"name":"f"}]}],
        "generationConfig":{"thinkingConfig":{"thinkingBudget":512}}}"#;
    let all = Traits {
        images: true,
        tools: true,
        web_search: true,
        thinking: true,
    };
    assert_eq!(of(Format::Gemini, body), all);
    let off = r#"{"contents":[{"parts":[{"text":"inlineData"}]}],"generationConfig":{"thinkingConfig":{"thinkingBudget":0}}}"#;
    assert_eq!(of(Format::Gemini, off), NONE);
}

#[test]
fn issue_10_a_body_that_is_not_json_is_a_decode_error() {
    assert!(scan(Format::Anthropic, b"{").is_err());
}
