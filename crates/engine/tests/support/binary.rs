//! The real `switchyard` binary, started on a config written to a temporary
//! directory, with its stderr (the log) kept in a file.

use std::net::{SocketAddr, TcpListener};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use super::CLIENT_KEY;

/// Proxy variables are cleared unless a test sets them.
const PROXY_VARIABLES: [&str; 8] = [
    "HTTP_PROXY",
    "http_proxy",
    "HTTPS_PROXY",
    "https_proxy",
    "ALL_PROXY",
    "all_proxy",
    "NO_PROXY",
    "no_proxy",
];

/// Keys a developer may have exported; the example config names the first.
const KEY_VARIABLES: [&str; 4] = [
    "DEEPSEEK_API_KEY",
    "ANTHROPIC_API_KEY",
    "OPENAI_API_KEY",
    "GEMINI_API_KEY",
];

pub struct Served {
    child: Child,
    pub addr: SocketAddr,
    dir: PathBuf,
}

impl Served {
    /// `POST /v1/messages` with the client key, as Claude Code sends it.
    pub async fn post_messages(&self, body: &serde_json::Value) -> reqwest::Response {
        reqwest::Client::new()
            .post(format!("http://{}/v1/messages", self.addr))
            .header("x-api-key", CLIENT_KEY)
            .header("anthropic-version", "2023-06-01")
            .json(body)
            .send()
            .await
            .unwrap()
    }

    /// Everything the binary has logged so far.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.join("stderr.log")).unwrap_or_default()
    }

    /// The directory holding the config, the log and `data/` (the default
    /// `SWITCHYARD_DATA_DIR`).
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Sends SIGTERM, as a service manager would, and waits for the exit.
    pub fn terminate(&mut self) -> std::process::ExitStatus {
        let pid = self.child.id().to_string();
        let sent = Command::new("kill").args(["-TERM", &pid]).status().unwrap();
        assert!(sent.success());
        let started = Instant::now();
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status;
            }
            assert!(
                started.elapsed() < Duration::from_secs(10),
                "no exit after SIGTERM: {}",
                self.log()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A fresh temporary directory for one test's files.
pub fn temp_dir(label: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("switchyard-{label}-{}", free_port()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Starts `switchyard serve` with `[[providers]]`/`[[routes]]` from
/// `providers_and_routes` and `env`, and waits until it accepts connections.
pub async fn serve_binary(providers_and_routes: &str, env: &[(&str, String)]) -> Served {
    let dir = temp_dir("bin");
    let addr: SocketAddr = format!("127.0.0.1:{}", free_port()).parse().unwrap();
    let config = dir.join("config.toml");
    std::fs::write(
        &config,
        format!("listen = \"{addr}\"\nclient_keys = [\"{CLIENT_KEY}\"]\n{providers_and_routes}"),
    )
    .unwrap();
    serve_config(dir, &config, addr, env).await
}

/// `switchyard` with `args`, proxy and key variables cleared and `env` set.
pub fn command(args: &[&str], env: &[(&str, String)]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_switchyard"));
    command.args(args);
    for name in PROXY_VARIABLES.into_iter().chain(KEY_VARIABLES) {
        command.env_remove(name);
    }
    for (name, value) in env {
        command.env(name, value);
    }
    command
}

/// Starts `switchyard serve --config CONFIG --listen ADDR`, logging into
/// `dir` (removed when the result drops), and waits until it accepts connections.
pub async fn serve_config(
    dir: PathBuf,
    config: &Path,
    addr: SocketAddr,
    env: &[(&str, String)],
) -> Served {
    let stderr = std::fs::File::create(dir.join("stderr.log")).unwrap();
    let config = config.to_str().unwrap();
    let listen = addr.to_string();
    let mut command = command(&["serve", "--config", config, "--listen", &listen], env);
    // The usage store goes into the test's directory unless the test says.
    if !env.iter().any(|(name, _)| *name == "SWITCHYARD_DATA_DIR") {
        command.env("SWITCHYARD_DATA_DIR", dir.join("data"));
    }
    let child = command
        .stdout(Stdio::null())
        .stderr(stderr)
        .spawn()
        .unwrap();
    let served = Served { child, addr, dir };
    let started = Instant::now();
    while tokio::net::TcpStream::connect(addr).await.is_err() {
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "gateway did not start: {}",
            served.log()
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    served
}
