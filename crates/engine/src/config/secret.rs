//! [`Secret`]: a key that never prints itself.

use std::fmt;

/// An API or client key. `Debug` and `Display` print `Secret(***)`; the
/// text is wiped from memory when the value is dropped.
#[derive(Clone)]
pub struct Secret(String);

impl Drop for Secret {
    fn drop(&mut self) {
        zeroize::Zeroize::zeroize(&mut self.0);
    }
}

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The key itself, for the one place that must send it.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// The first characters of its prefix and the last four, enough to tell
    /// keys apart: `sk-switchyard-…9f3a`. Short keys show only the tail.
    pub fn masked(&self) -> String {
        let chars: Vec<char> = self.0.chars().collect();
        let tail: String = chars[chars.len().saturating_sub(4)..].iter().collect();
        let head: String = match self.0.rfind('-') {
            Some(dash) if chars.len() >= 24 && dash < 16 => self.0[..=dash].to_owned(),
            _ => String::new(),
        };
        format!("{head}…{tail}")
    }

    /// Compares every byte, without exiting early on the first difference.
    pub fn matches(&self, candidate: &str) -> bool {
        let (secret, candidate) = (self.0.as_bytes(), candidate.as_bytes());
        let mut difference = secret.len() ^ candidate.len();
        let padded = candidate.iter().chain(std::iter::repeat(&0));
        for (a, b) in secret.iter().zip(padded) {
            difference |= usize::from(a ^ b);
        }
        std::hint::black_box(difference) == 0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}
