//! `[intent]`: a small model classifies the latest user turn into one of
//! the user's scenes, each routed to its own target. Off unless configured.

use std::num::NonZeroU64;
use std::sync::Arc;
use std::time::Duration;

use serde::Deserialize;
use toml::Spanned;

use super::error::{ConfigError, Source};
use super::raw::{RawRoute, RawTarget};
use super::{ModelGlob, Provider, Route, Target};

const DEFAULT_TIMEOUT_MS: u64 = 1_500;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawIntent {
    /// A glob on the client's model (default: any).
    #[serde(default)]
    pub model: Option<Spanned<String>>,
    pub classifier: RawClassifier,
    /// Past this, the request takes the default route (default 1500).
    #[serde(default)]
    pub timeout_ms: Option<NonZeroU64>,
    pub scenes: Vec<RawScene>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawClassifier {
    pub provider: Spanned<String>,
    pub upstream_model: Spanned<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawScene {
    pub name: Spanned<String>,
    /// What the classifier reads to recognise it.
    pub description: String,
    pub provider: Spanned<String>,
    #[serde(default)]
    pub upstream_model: Option<Spanned<String>>,
    #[serde(default)]
    pub fallback: Vec<RawTarget>,
}

#[derive(Debug)]
pub struct Intent {
    pub pattern: ModelGlob,
    pub classifier: Target,
    pub timeout: Duration,
    pub scenes: Vec<Scene>,
    /// The classifier's system prompt, written once.
    pub prompt: String,
}

#[derive(Debug)]
pub struct Scene {
    pub name: String,
    /// `intent:NAME`: the route as the log and the usage record show it.
    pub label: String,
    pub route: Route,
}

pub(super) fn compile(
    raw: RawIntent,
    providers: &[Arc<Provider>],
    src: &Source<'_>,
    route: impl Fn(&str, RawRoute) -> Result<Route, ConfigError>,
) -> Result<Intent, ConfigError> {
    if raw.scenes.is_empty() {
        let hint = "add [[intent.scenes]] tables with name, description and provider";
        return Err(src.error(
            None,
            "intent.scenes",
            "intent routing needs at least one scene",
            hint,
        ));
    }
    let classifier = super::validate::target(
        RawTarget {
            provider: raw.classifier.provider,
            upstream_model: Some(raw.classifier.upstream_model),
        },
        "intent.classifier",
        providers,
        src,
    )?;
    let mut prompt = String::from(
        "Classify the user's message into exactly one scene. Answer with the scene's name only.\nScenes:\n",
    );
    let mut scenes = Vec::with_capacity(raw.scenes.len());
    for (index, scene) in raw.scenes.into_iter().enumerate() {
        prompt.push_str(&format!(
            "- {}: {}\n",
            scene.name.get_ref(),
            scene.description.trim()
        ));
        let span = scene.name.span();
        let raw_route = RawRoute {
            model: Spanned::new(span, "*".to_owned()),
            provider: scene.provider,
            upstream_model: scene.upstream_model,
            max_tokens: None,
            fallback: scene.fallback,
            defaults: None,
            overrides: None,
            extra_body: None,
            headers: Default::default(),
        };
        let route = route(&format!("intent.scenes[{index}]"), raw_route)?;
        let name = scene.name.into_inner().to_lowercase();
        scenes.push(Scene {
            label: format!("intent:{name}"),
            name,
            route,
        });
    }
    Ok(Intent {
        pattern: ModelGlob::new(
            raw.model
                .map_or_else(|| "*".to_owned(), Spanned::into_inner),
        ),
        classifier,
        timeout: Duration::from_millis(raw.timeout_ms.map_or(DEFAULT_TIMEOUT_MS, NonZeroU64::get)),
        scenes,
        prompt,
    })
}

impl Intent {
    /// The scene the classifier's answer names (its first word that is one).
    pub fn scene_named(&self, answer: &str) -> Option<usize> {
        let answer = answer.to_lowercase();
        let words = answer.split(|c: char| !(c.is_alphanumeric() || c == '-' || c == '_'));
        words
            .filter(|word| !word.is_empty())
            .find_map(|word| self.scenes.iter().position(|scene| scene.name == word))
    }
}
