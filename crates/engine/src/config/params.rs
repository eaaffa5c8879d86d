//! Per-route payload settings: `defaults` (when the client sent none),
//! `overrides` (always), `extra_body` (top-level fields merged into the
//! upstream body) and `headers`. A route with any of them goes through the
//! IR even when client and upstream speak the same format, so every
//! setting lands in the right field of the upstream's API.

use std::collections::BTreeMap;

use serde::Deserialize;
use switchyard_protocol::ir::{Reasoning, ReasoningEffort, Request};
use toml::Spanned;

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawParams {
    #[serde(default)]
    pub temperature: Option<f64>,
    #[serde(default)]
    pub top_p: Option<f64>,
    /// `minimal`, `low`, `medium` or `high`.
    #[serde(default)]
    pub reasoning_effort: Option<Spanned<String>>,
}

/// Checked `[routes.defaults]` / `[routes.overrides]`.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Params {
    pub temperature: Option<f64>,
    pub top_p: Option<f64>,
    pub reasoning_effort: Option<ReasoningEffort>,
}

#[derive(Debug, Default)]
pub struct RouteParams {
    pub defaults: Params,
    pub overrides: Params,
    pub extra_body: serde_json::Map<String, serde_json::Value>,
    pub headers: Vec<(String, String)>,
}

impl RouteParams {
    /// The client's request with the route's settings applied.
    pub fn apply(&self, request: &mut Request) {
        let defaults = &self.defaults;
        if request.temperature.is_none() {
            request.temperature = defaults.temperature;
        }
        if request.top_p.is_none() {
            request.top_p = defaults.top_p;
        }
        if request
            .reasoning
            .as_ref()
            .is_none_or(|r| r.effort.is_none())
        {
            set_effort(request, defaults.reasoning_effort);
        }
        let overrides = &self.overrides;
        request.temperature = overrides.temperature.or(request.temperature);
        request.top_p = overrides.top_p.or(request.top_p);
        set_effort(request, overrides.reasoning_effort);
    }

    /// The encoded upstream body with `extra_body` merged in (its fields win).
    pub fn merge_body(&self, body: Vec<u8>) -> Vec<u8> {
        if self.extra_body.is_empty() {
            return body;
        }
        let Ok(mut object) =
            serde_json::from_slice::<serde_json::Map<String, serde_json::Value>>(&body)
        else {
            return body;
        };
        for (key, value) in &self.extra_body {
            object.insert(key.clone(), value.clone());
        }
        serde_json::to_vec(&object).unwrap_or(body)
    }
}

/// The effort replaces any budget the client gave: it is what the route wants.
fn set_effort(request: &mut Request, effort: Option<ReasoningEffort>) {
    if let Some(effort) = effort {
        request.reasoning = Some(Reasoning {
            effort: Some(effort),
            budget_tokens: None,
        });
    }
}

/// The raw tables of one route, to check into [`RouteParams`].
#[derive(Debug, Default)]
pub struct RawRouteParams {
    pub defaults: Option<RawParams>,
    pub overrides: Option<RawParams>,
    pub extra_body: Option<serde_json::Map<String, serde_json::Value>>,
    pub headers: BTreeMap<Spanned<String>, String>,
}

impl RawRouteParams {
    pub fn is_empty(&self) -> bool {
        self.defaults.is_none()
            && self.overrides.is_none()
            && self
                .extra_body
                .as_ref()
                .is_none_or(serde_json::Map::is_empty)
            && self.headers.is_empty()
    }
}

/// An effort name, or why it is not one.
pub(super) fn effort(raw: &Spanned<String>) -> Result<ReasoningEffort, String> {
    ReasoningEffort::parse(raw.get_ref())
        .ok_or_else(|| format!("`{}` is not a reasoning effort", raw.get_ref()))
}
