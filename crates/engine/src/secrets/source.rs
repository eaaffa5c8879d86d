//! [`Keychain`]: how config loading reaches the keychain: opened on first
//! use only, so a config with env keys and `client_keys` never touches it.

use std::sync::OnceLock;

use super::{KeychainStore, SecretError, SecretStore};

pub struct Keychain<'a> {
    kind: Kind<'a>,
    opened: OnceLock<Result<Box<dyn SecretStore>, SecretError>>,
}

enum Kind<'a> {
    /// The OS keychain under this service name.
    Os(String),
    /// A given store (tests, or an already open keychain).
    Given(&'a dyn SecretStore),
    /// Not consulted: keychain keys are reported missing.
    Off,
}

impl<'a> Keychain<'a> {
    pub fn os(service: impl Into<String>) -> Self {
        Self::new(Kind::Os(service.into()))
    }

    pub fn given(store: &'a dyn SecretStore) -> Self {
        Self::new(Kind::Given(store))
    }

    pub fn off() -> Self {
        Self::new(Kind::Off)
    }

    fn new(kind: Kind<'a>) -> Self {
        Self {
            kind,
            opened: OnceLock::new(),
        }
    }

    /// The store, opening it the first time.
    pub fn store(&self) -> Result<&dyn SecretStore, SecretError> {
        if let Kind::Given(store) = self.kind {
            return Ok(store);
        }
        let opened = self.opened.get_or_init(|| match &self.kind {
            Kind::Os(service) => {
                KeychainStore::open(service).map(|store| Box::new(store) as Box<dyn SecretStore>)
            }
            Kind::Given(_) | Kind::Off => Err(SecretError::Unavailable {
                detail: "the keychain was not consulted".to_owned(),
                hint: "load the config through `config::load`, which opens it",
            }),
        });
        match opened {
            Ok(store) => Ok(store.as_ref()),
            Err(err) => Err(err.clone()),
        }
    }
}
