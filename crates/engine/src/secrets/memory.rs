//! [`MemoryStore`]: a [`SecretStore`] in a map, for tests.

use std::collections::HashMap;
use std::sync::Mutex;

use super::{Backend, SecretError, SecretStore};
use crate::config::Secret;

#[derive(Default)]
pub struct MemoryStore {
    entries: Mutex<HashMap<String, Secret>>,
}

impl MemoryStore {
    pub fn new() -> Self {
        Self::default()
    }

    fn entries(&self) -> std::sync::MutexGuard<'_, HashMap<String, Secret>> {
        // A panic elsewhere cannot leave a map half-written: keep using it.
        self.entries
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

impl SecretStore for MemoryStore {
    fn get(&self, account: &str) -> Result<Option<Secret>, SecretError> {
        Ok(self.entries().get(account).cloned())
    }

    fn set(&self, account: &str, secret: &Secret) -> Result<(), SecretError> {
        self.entries().insert(account.to_owned(), secret.clone());
        Ok(())
    }

    fn delete(&self, account: &str) -> Result<bool, SecretError> {
        Ok(self.entries().remove(account).is_some())
    }

    fn backend(&self) -> Backend {
        Backend::Memory
    }
}
