//! A temporary HOME and data dir for the client-configuration tests, and
//! the gateway target they configure.

#![allow(
    dead_code,
    clippy::allow_attributes,
    clippy::unwrap_used,
    clippy::panic,
    reason = "tests"
)]

use std::path::{Path, PathBuf};

use switchyard_engine::clients::{self, ClientKind, Models, Paths, Scope, Target};
use switchyard_engine::config::Secret;

pub const TOKEN: &str = "sk-switchyard-test-token-0123456789abcdef";
pub const GATEWAY: &str = "http://127.0.0.1:4315";

/// A home, a data dir and a project folder under one temp dir, removed on drop.
pub struct Home {
    _dir: tempfile::TempDir,
    pub paths: Paths,
}

impl Home {
    pub fn new() -> Self {
        // Each apply fsyncs a few files: on tmpfs that costs nothing, which
        // keeps the 1,000-case property tests fast. The files are just as real.
        let shm = Path::new("/dev/shm");
        let dir = match shm.is_dir() {
            true => tempfile::tempdir_in(shm).or_else(|_| tempfile::tempdir()),
            false => tempfile::tempdir(),
        }
        .unwrap();
        let home = dir.path().join("home");
        std::fs::create_dir_all(&home).unwrap();
        let mut paths = Paths::for_home(&home, &dir.path().join("data"));
        paths.cwd = dir.path().join("project");
        std::fs::create_dir_all(&paths.cwd).unwrap();
        Self { _dir: dir, paths }
    }

    pub fn file(&self, relative: &str) -> PathBuf {
        self.paths.home.join(relative)
    }

    /// Writes `text` at `relative` under home, creating folders.
    pub fn write(&self, relative: &str, text: &str) -> PathBuf {
        let path = self.file(relative);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, text).unwrap();
        path
    }

    pub fn read(&self, relative: &str) -> Option<String> {
        read(&self.file(relative))
    }

    pub fn configure(&self, kind: ClientKind) -> clients::Applied {
        let plan = clients::plan(kind, &target(), &Scope::User, &self.paths).unwrap();
        clients::apply(&plan).unwrap()
    }

    pub fn undo(&self, kind: ClientKind) -> clients::Applied {
        clients::undo(kind, &Scope::User, &self.paths).unwrap()
    }

    pub fn journal(&self) -> String {
        std::fs::read_to_string(self.paths.data_dir.join("clients-journal.json")).unwrap()
    }
}

pub fn read(path: &Path) -> Option<String> {
    match std::fs::read_to_string(path) {
        Ok(text) => Some(text),
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => None,
        Err(err) => panic!("{}: {err}", path.display()),
    }
}

pub fn target() -> Target {
    Target {
        gateway_url: GATEWAY.to_owned(),
        token: Secret::new(TOKEN),
        models: Models::default(),
        context_window: Some(200_000),
    }
}

/// Whether `small`'s characters appear in `large` in the same order.
pub fn is_subsequence(small: &str, large: &str) -> bool {
    let mut large = large.chars();
    small.chars().all(|wanted| large.any(|got| got == wanted))
}
