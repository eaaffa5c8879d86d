//! `switchyard presets` run as the real binary.

use std::process::{Command, Stdio};

fn presets(args: &[&str]) -> std::io::Result<std::process::Output> {
    Command::new(env!("CARGO_BIN_EXE_switchyard"))
        .arg("presets")
        .args(args)
        .output()
}

#[test]
fn presets_json_lists_the_required_presets_with_their_formats() {
    let output = presets(&["--json"]).unwrap();
    assert!(output.status.success(), "{output:?}");
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let list = json.as_array().unwrap();
    let formats_of = |id: &str| -> Vec<String> {
        let preset = list.iter().find(|p| p["id"] == id);
        let preset = preset.unwrap_or_else(|| panic!("no preset {id}"));
        assert!(preset["name"].as_str().is_some_and(|name| !name.is_empty()));
        let formats = preset["formats"].as_array().unwrap();
        formats
            .iter()
            .map(|f| f["format"].as_str().unwrap().to_owned())
            .collect()
    };
    let required: [(&str, &[&str]); 27] = [
        ("openai", &["openai_chat", "openai_responses"]),
        ("anthropic", &["anthropic"]),
        ("gemini", &["gemini", "openai_chat"]),
        ("deepseek", &["openai_chat", "anthropic"]),
        ("moonshot", &["openai_chat", "anthropic"]),
        ("moonshot-cn", &["openai_chat", "anthropic"]),
        ("zai", &["openai_chat", "anthropic"]),
        ("bigmodel", &["openai_chat", "anthropic"]),
        ("dashscope", &["openai_chat", "anthropic"]),
        ("dashscope-cn", &["openai_chat", "anthropic"]),
        ("minimax", &["openai_chat", "anthropic"]),
        ("minimax-cn", &["openai_chat", "anthropic"]),
        ("openrouter", &["openai_chat", "anthropic"]),
        ("siliconflow", &["openai_chat"]),
        ("siliconflow-cn", &["openai_chat"]),
        ("groq", &["openai_chat"]),
        ("together", &["openai_chat"]),
        ("fireworks", &["openai_chat"]),
        ("mistral", &["openai_chat"]),
        ("xai", &["openai_chat", "openai_responses"]),
        ("cerebras", &["openai_chat"]),
        ("ollama", &["openai_chat", "anthropic"]),
        ("lmstudio", &["openai_chat", "anthropic"]),
        ("vllm", &["openai_chat"]),
        ("llamacpp", &["openai_chat"]),
        ("openai-compatible", &["openai_chat"]),
        ("anthropic-compatible", &["anthropic"]),
    ];
    for (id, expected) in required {
        let formats = formats_of(id);
        for format in expected {
            assert!(formats.iter().any(|f| f == format), "{id}: {formats:?}");
        }
    }
}

#[test]
fn presets_json_carries_openai_quirk_and_priced_models() {
    let output = presets(&["--json"]).unwrap();
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let openai = json
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["id"] == "openai")
        .unwrap();
    let chat = &openai["formats"][0];
    assert_eq!(chat["base_url"], "https://api.openai.com/v1");
    assert_eq!(chat["max_tokens_field"], "max_completion_tokens");
    let priced = openai["models"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["prices"]["input"].is_f64());
    for model in priced {
        assert!(
            model["source"].as_str().unwrap().starts_with("LiteLLM "),
            "{model}"
        );
        assert!(model["date"].is_string(), "{model}");
    }
}

#[test]
fn presets_table_has_a_header_and_a_row_per_preset() {
    let output = presets(&[]).unwrap();
    assert!(output.status.success(), "{output:?}");
    let text = String::from_utf8(output.stdout).unwrap();
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split_whitespace().collect();
    assert_eq!(header, ["ID", "NAME", "FORMATS", "KEY"]);
    let deepseek = lines.find(|line| line.starts_with("deepseek ")).unwrap();
    assert!(deepseek.contains("openai_chat, anthropic"), "{deepseek}");
    assert!(deepseek.ends_with("DEEPSEEK_API_KEY"), "{deepseek}");
}

#[test]
fn presets_into_a_closed_pipe_exits_quietly() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_switchyard"))
        .args(["presets", "--json"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let output = child.wait_with_output().unwrap();
    assert!(output.status.success(), "{output:?}");
    assert!(
        output.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}
