//! [`KeychainStore`]: the OS keychain through the `keyring` crate: macOS
//! Keychain, Windows Credential Manager, the Linux Secret Service, and the
//! Linux kernel keyring where no Secret Service runs (headless servers).

use keyring::{Entry, Error as KeyringError};

use super::{Backend, SecretError, SecretStore, UNAVAILABLE_HINT};
use crate::config::Secret;

/// An account no one writes: reading it tells whether the store answers.
const PROBE_ACCOUNT: &str = "switchyard:probe";

pub struct KeychainStore {
    service: String,
    backend: Backend,
}

impl KeychainStore {
    /// Finds a working keychain for `service` (normally [`super::SERVICE`];
    /// tests use their own so they never touch the user's entries).
    pub fn open(service: &str) -> Result<Self, SecretError> {
        let mut last_error = None;
        for backend in candidate_backends() {
            let store = Self {
                service: service.to_owned(),
                backend,
            };
            match store
                .entry(PROBE_ACCOUNT)
                .and_then(|entry| read(&entry, PROBE_ACCOUNT))
            {
                Ok(_) => return Ok(store),
                Err(err) => last_error = Some(err),
            }
        }
        let detail = match last_error {
            Some(SecretError::Unavailable { detail, .. }) => detail,
            Some(other) => other.to_string(),
            None => "this platform has no supported keychain".to_owned(),
        };
        Err(SecretError::Unavailable {
            detail,
            hint: UNAVAILABLE_HINT,
        })
    }

    fn entry(&self, account: &str) -> Result<Entry, SecretError> {
        let credential = credential(self.backend, &self.service, account)
            .map_err(|err| classify(err, account))?;
        Ok(Entry::new_with_credential(credential))
    }
}

impl SecretStore for KeychainStore {
    fn get(&self, account: &str) -> Result<Option<Secret>, SecretError> {
        read(&self.entry(account)?, account)
    }

    fn set(&self, account: &str, secret: &Secret) -> Result<(), SecretError> {
        let entry = self.entry(account)?;
        entry
            .set_password(secret.expose())
            .map_err(|err| classify(err, account))
    }

    fn delete(&self, account: &str) -> Result<bool, SecretError> {
        match self.entry(account)?.delete_credential() {
            Ok(()) => Ok(true),
            Err(KeyringError::NoEntry) => Ok(false),
            Err(err) => Err(classify(err, account)),
        }
    }

    fn backend(&self) -> Backend {
        self.backend
    }
}

fn read(entry: &Entry, account: &str) -> Result<Option<Secret>, SecretError> {
    match entry.get_password() {
        Ok(password) => Ok(Some(Secret::new(password))),
        Err(KeyringError::NoEntry) => Ok(None),
        Err(err) => Err(classify(err, account)),
    }
}

/// Storage that cannot be reached is `Unavailable` (the caller explains how
/// to start one); anything else names the account. Errors never hold secrets.
fn classify(err: KeyringError, account: &str) -> SecretError {
    match err {
        KeyringError::NoStorageAccess(cause) => SecretError::Unavailable {
            detail: cause.to_string(),
            hint: UNAVAILABLE_HINT,
        },
        KeyringError::BadEncoding(_) => SecretError::BadEncoding {
            account: account.to_owned(),
        },
        other => SecretError::Platform {
            account: account.to_owned(),
            detail: other.to_string(),
        },
    }
}

#[cfg(target_os = "linux")]
fn candidate_backends() -> Vec<Backend> {
    vec![Backend::SecretService, Backend::KernelKeyutils]
}

#[cfg(target_os = "macos")]
fn candidate_backends() -> Vec<Backend> {
    vec![Backend::MacosKeychain]
}

#[cfg(windows)]
fn candidate_backends() -> Vec<Backend> {
    vec![Backend::WindowsCredentialManager]
}

#[cfg(not(any(target_os = "linux", target_os = "macos", windows)))]
fn candidate_backends() -> Vec<Backend> {
    Vec::new()
}

type Credential = Box<keyring::credential::Credential>;

fn credential(backend: Backend, service: &str, account: &str) -> keyring::Result<Credential> {
    match backend {
        #[cfg(target_os = "linux")]
        Backend::SecretService => Ok(Box::new(
            keyring::secret_service::SsCredential::new_with_target(None, service, account)?,
        )),
        #[cfg(target_os = "linux")]
        Backend::KernelKeyutils => Ok(Box::new(
            keyring::keyutils::KeyutilsCredential::new_with_target(None, service, account)?,
        )),
        #[cfg(target_os = "macos")]
        Backend::MacosKeychain => Ok(Box::new(keyring::macos::MacCredential::new_with_target(
            None, service, account,
        )?)),
        #[cfg(windows)]
        Backend::WindowsCredentialManager => Ok(Box::new(
            keyring::windows::WinCredential::new_with_target(None, service, account)?,
        )),
        _ => Err(KeyringError::NoStorageAccess(
            format!("{backend} is not available on this platform").into(),
        )),
    }
}
