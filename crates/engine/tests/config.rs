//! `config::load` against real files.

use std::path::PathBuf;

use switchyard_engine::config::{self, ConfigError};

/// A file under the system temp dir, removed on drop.
struct TempFile(PathBuf);

impl TempFile {
    fn new(name: &str, text: &str) -> std::io::Result<Self> {
        let path = std::env::temp_dir().join(format!("switchyard-{}-{name}", std::process::id()));
        std::fs::write(&path, text)?;
        Ok(Self(path))
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

#[test]
fn loads_a_keyless_config_from_disk() -> Result<(), Box<dyn std::error::Error>> {
    let text = "client_keys = [\"sk-local-0123456789abcdef\"]\n\
                [[providers]]\nid = \"ollama\"\nformat = \"openai_chat\"\nbase_url = \"http://localhost:11434/v1\"\n\
                [[routes]]\nmodel = \"*\"\nprovider = \"ollama\"\nupstream_model = \"qwen3-coder\"\n";
    let file = TempFile::new("keyless.toml", text)?;
    let config = config::load(&file.0)?;
    assert_eq!(config.listen.to_string(), "127.0.0.1:4315");
    let route = config.resolve("claude-sonnet-4-5").ok_or("no route")?;
    assert_eq!(
        (route.provider.id.as_str(), route.upstream_model),
        ("ollama", "qwen3-coder")
    );
    Ok(())
}

#[test]
fn load_errors_name_the_file() -> Result<(), Box<dyn std::error::Error>> {
    let missing = std::env::temp_dir().join("switchyard-does-not-exist.toml");
    let err = config::load(&missing)
        .err()
        .ok_or("loaded a missing file")?;
    assert!(matches!(err, ConfigError::Read { .. }));
    let message = err.to_string();
    assert!(
        message.contains("switchyard-does-not-exist.toml"),
        "{message}"
    );
    assert!(
        message.contains("hint: write an example with `switchyard init --config"),
        "{message}"
    );

    let file = TempFile::new(
        "typo.toml",
        "listen = \"127.0.0.1:4315\"\nclient_key = []\n",
    )?;
    let message = config::load(&file.0)
        .err()
        .ok_or("loaded a bad file")?
        .to_string();
    for part in [
        "typo.toml",
        "line 2",
        "client_key",
        "unknown field `client_key`",
        "hint:",
    ] {
        assert!(message.contains(part), "{message:?} lacks {part:?}");
    }
    Ok(())
}
