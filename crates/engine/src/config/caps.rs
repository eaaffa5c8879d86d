//! What a route's model can take, from the catalog (when its provider has a
//! preset and the route names the model): looked up once per config, so a
//! request never sends images to a model without vision or tools to one
//! without tool use, and never asks for more output than the model gives.

use switchyard_protocol::traits::Traits;

use super::Provider;

/// `None`: the catalog does not say (then nothing is assumed).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Caps {
    pub vision: Option<bool>,
    pub tools: Option<bool>,
    pub max_output: Option<u32>,
}

impl Caps {
    pub(super) fn of(provider: &Provider, upstream_model: Option<&str>) -> Self {
        let (Some(preset), Some(model)) = (&provider.preset, upstream_model) else {
            return Self::default();
        };
        let Some(info) = crate::catalog::model(preset, model) else {
            return Self::default();
        };
        Self {
            vision: info.capabilities.vision,
            tools: info.capabilities.tools,
            max_output: info.max_output.and_then(|max| u32::try_from(max).ok()),
        }
    }

    /// What the request holds that the model cannot take.
    pub fn missing(&self, traits: &Traits) -> Option<&'static str> {
        if traits.images && self.vision == Some(false) {
            return Some("it has no vision, and the request holds images");
        }
        if traits.tools && self.tools == Some(false) {
            return Some("it has no tool use, and the request offers tools");
        }
        None
    }

    /// Some request could be refused: traits are worth reading.
    pub fn limits_input(&self) -> bool {
        self.vision == Some(false) || self.tools == Some(false)
    }

    /// The route's own cap, tightened to the model's maximum output.
    pub fn cap(&self, route_cap: Option<u32>) -> Option<u32> {
        match (route_cap, self.max_output) {
            (Some(route), Some(model)) => Some(route.min(model)),
            (route, model) => route.or(model),
        }
    }
}
