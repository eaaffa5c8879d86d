//! Choices made at runtime (the tray, `switchyard profile use`) that hold
//! over the file's until it says the same: used when the file could not be
//! written, so a switch still takes effect.

use std::collections::BTreeMap;

use toml::Spanned;

use super::raw::RawConfig;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Overrides {
    /// The active profile.
    pub profile: Option<String>,
    /// Provider id → enabled.
    pub enabled: BTreeMap<String, bool>,
}

impl Overrides {
    pub fn is_empty(&self) -> bool {
        self.profile.is_none() && self.enabled.is_empty()
    }

    pub(super) fn apply(&self, raw: &mut RawConfig) {
        if let Some(profile) = &self.profile {
            // No span: the name was checked against the profiles before it got here.
            raw.profile = Some(Spanned::new(0..0, profile.clone()));
        }
        for provider in &mut raw.providers {
            if let Some(enabled) = self.enabled.get(provider.id.get_ref()) {
                provider.enabled = Some(*enabled);
            }
        }
    }
}
