//! [`ModelGlob`]: `*` and `?` patterns on model names.

use std::fmt;

/// A case-sensitive, whole-string pattern: `*` matches any run of characters
/// (including none), `?` exactly one; everything else matches itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModelGlob(String);

impl ModelGlob {
    pub fn new(pattern: impl Into<String>) -> Self {
        Self(pattern.into())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Greedy match with one backtrack point (the last `*`): O(len²) at worst, no allocation.
    pub fn matches(&self, model: &str) -> bool {
        let (mut pattern, mut text) = (self.0.as_str(), model);
        // After the last `*`: the rest of the pattern, and where the star's run ends.
        let mut resume: Option<(&str, &str)> = None;
        loop {
            let (mut pattern_chars, mut text_chars) = (pattern.chars(), text.chars());
            match (pattern_chars.next(), text_chars.next()) {
                (None, None) => return true,
                (Some('*'), _) => {
                    pattern = pattern_chars.as_str();
                    resume = Some((pattern, text));
                }
                (Some(want), Some(got)) if want == '?' || want == got => {
                    pattern = pattern_chars.as_str();
                    text = text_chars.as_str();
                }
                _ => {
                    // Let the last `*` swallow one more character and retry.
                    let Some((after_star, star_end)) = resume else {
                        return false;
                    };
                    let mut swallowed = star_end.chars();
                    if swallowed.next().is_none() {
                        return false;
                    }
                    (pattern, text) = (after_star, swallowed.as_str());
                    resume = Some((pattern, text));
                }
            }
        }
    }
}

impl fmt::Display for ModelGlob {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}
