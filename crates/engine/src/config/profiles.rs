//! Which routes are live: the active profile's routes, then the top-level
//! ones (every profile shares those). A provider switched off
//! (`enabled = false`) leaves every route it is in; its fallbacks move up,
//! and a route left with no target gives way to the next matching one.
//! All of this is settled here, once per config, so the request path only
//! walks the list it always walked.

use std::sync::Arc;

use toml::Spanned;

use super::error::{ConfigError, Source};
use super::raw::{RawProfile, RawRoute};
use super::scenario::{RawScenario, RawTiers, Scenario};
use super::validate::{edit_distance, route};
use super::{ModelGlob, Provider, ProviderId, Route, Target};

/// The routes a config serves with, and what profiles it offers.
pub(super) struct Routing {
    pub needs_traits: bool,
    pub routes: Vec<Route>,
    pub scenarios: Vec<Scenario>,
    pub disabled: Vec<DisabledRoute>,
    pub profiles: Vec<String>,
    pub active: Option<String>,
}

/// A route whose every target is switched off: a model it matches (and no
/// later route does) is refused naming them, rather than "no route".
#[derive(Debug)]
pub struct DisabledRoute {
    pub pattern: ModelGlob,
    pub providers: Vec<ProviderId>,
}

/// What a profile (or the top level, shared by all) routes with, as written.
pub(super) struct RawRouteSet {
    pub routes: Vec<RawRoute>,
    pub scenarios: Vec<RawScenario>,
    pub claude_code: Option<RawTiers>,
}

/// Compiled, in the order they are tried.
#[derive(Default)]
struct RouteSet {
    routes: Vec<Route>,
    scenarios: Vec<Scenario>,
}

pub(super) fn compile(
    shared: RawRouteSet,
    active: Option<Spanned<String>>,
    profiles: Vec<RawProfile>,
    providers: &[Arc<Provider>],
    src: &Source<'_>,
) -> Result<Routing, ConfigError> {
    check_names(&profiles, src)?;
    let active_at = active_index(active.as_ref(), &profiles, src)?;
    let names: Vec<String> = profiles.iter().map(|p| p.name.get_ref().clone()).collect();
    let mut active_set = RouteSet::default();
    for (index, profile) in profiles.into_iter().enumerate() {
        let set = RawRouteSet {
            routes: profile.routes,
            scenarios: profile.scenarios,
            claude_code: profile.claude_code,
        };
        // Every profile is checked, so a switch to one cannot fail later.
        let set = compile_set(&format!("profiles[{index}]."), set, providers, src)?;
        if Some(index) == active_at {
            active_set = set;
        }
    }
    let shared = compile_set("", shared, providers, src)?;
    if active_set.routes.is_empty() && shared.routes.is_empty() {
        return Err(no_routes(active_at, src));
    }
    let (routes, disabled) = drop_disabled(active_set.routes.into_iter().chain(shared.routes));
    let scenarios: Vec<Scenario> = (active_set.scenarios.into_iter().chain(shared.scenarios))
        .filter_map(|scenario| {
            let route = without_disabled(scenario.route).ok()?;
            Some(Scenario { route, ..scenario })
        })
        .collect();
    let limited = |route: &Route| {
        route.caps.limits_input() || route.fallback.iter().any(|t| t.caps.limits_input())
    };
    let needs_traits = !scenarios.is_empty() || routes.iter().any(limited);
    Ok(Routing {
        needs_traits,
        routes,
        scenarios,
        disabled,
        active: active_at.map(|at| names_at(&names, at)),
        profiles: names,
    })
}

fn names_at(names: &[String], at: usize) -> String {
    names.get(at).cloned().unwrap_or_default()
}

/// `prefix` is `""` or `profiles[N].`, for field paths in errors.
fn compile_set(
    prefix: &str,
    raw: RawRouteSet,
    providers: &[Arc<Provider>],
    src: &Source<'_>,
) -> Result<RouteSet, ConfigError> {
    let tiers = raw
        .claude_code
        .map(RawTiers::into_routes)
        .unwrap_or_default();
    let mut routes = compile_routes(&format!("{prefix}claude_code"), tiers, providers, src)?;
    routes.extend(compile_routes(
        &format!("{prefix}routes"),
        raw.routes,
        providers,
        src,
    )?);
    let scenarios = (raw.scenarios.into_iter().enumerate())
        .map(|(index, scenario)| {
            let (kind, above_tokens, raw) = scenario.into_parts();
            let at = format!("{prefix}scenarios[{index}]");
            let route = route(&at, raw, providers, src)?;
            Ok(Scenario {
                kind,
                above_tokens,
                route,
            })
        })
        .collect::<Result<_, ConfigError>>()?;
    Ok(RouteSet { routes, scenarios })
}

fn compile_routes(
    at: &str,
    raw: Vec<RawRoute>,
    providers: &[Arc<Provider>],
    src: &Source<'_>,
) -> Result<Vec<Route>, ConfigError> {
    (raw.into_iter().enumerate())
        .map(|(index, raw)| route(&format!("{at}[{index}]"), raw, providers, src))
        .collect()
}

fn no_routes(active_at: Option<usize>, src: &Source<'_>) -> ConfigError {
    let (field, message) = match active_at {
        Some(at) => (
            format!("profiles[{at}].routes"),
            "the active profile has no routes, and there are no top-level [[routes]]",
        ),
        None => (
            "routes".to_owned(),
            "no routes: no model can reach a provider",
        ),
    };
    let hint = "add a [[routes]] table with model = \"*\" and provider = \"<a provider id>\"";
    src.error(None, field, message, hint)
}

/// Profile names go in control URLs and menus: non-empty, unique, id characters.
fn check_names(profiles: &[RawProfile], src: &Source<'_>) -> Result<(), ConfigError> {
    for (index, profile) in profiles.iter().enumerate() {
        let name = profile.name.get_ref();
        let field = format!("profiles[{index}].name");
        let allowed = |ch: char| ch.is_ascii_alphanumeric() || "-_.".contains(ch);
        if name.is_empty() || !name.chars().all(allowed) {
            let message = format!("profile name `{name}` must be letters, digits, `-`, `_` or `.`");
            let hint =
                "e.g. name = \"deepseek\" or \"kimi-k2\"; `switchyard profile use NAME` selects it";
            return Err(src.at(&profile.name, field, message, hint));
        }
        if profiles[..index].iter().any(|p| p.name.get_ref() == name) {
            let message = format!("a second profile is named `{name}`");
            return Err(src.at(
                &profile.name,
                field,
                message,
                "give each profile its own name",
            ));
        }
    }
    Ok(())
}

fn active_index(
    active: Option<&Spanned<String>>,
    profiles: &[RawProfile],
    src: &Source<'_>,
) -> Result<Option<usize>, ConfigError> {
    let Some(wanted) = active else {
        return Ok((!profiles.is_empty()).then_some(0));
    };
    if let Some(at) = profiles
        .iter()
        .position(|p| p.name.get_ref() == wanted.get_ref())
    {
        return Ok(Some(at));
    }
    let names: Vec<&str> = profiles.iter().map(|p| p.name.get_ref().as_str()).collect();
    let closest = (names.iter())
        .map(|name| (edit_distance(name, wanted.get_ref()), name))
        .min()
        .filter(|(distance, _)| *distance <= 3);
    let hint = match closest {
        _ if names.is_empty() => {
            "define it in a [[profiles]] table, or remove `profile`".to_owned()
        }
        Some((_, name)) => format!("did you mean `{name}`? profiles: {}", names.join(", ")),
        None => format!("profiles: {}", names.join(", ")),
    };
    let message = format!("unknown profile `{}`", wanted.get_ref());
    Err(src.at(wanted, "profile", message, hint))
}

/// Intent routing with switched-off scenes left out; none when its
/// classifier's provider is off.
pub(super) fn live_intent(intent: super::intent::Intent) -> Option<super::intent::Intent> {
    if !intent.classifier.provider.enabled {
        return None;
    }
    let scenes = (intent.scenes.into_iter())
        .filter_map(|scene| {
            let route = without_disabled(scene.route).ok()?;
            Some(super::intent::Scene { route, ..scene })
        })
        .collect();
    Some(super::intent::Intent { scenes, ..intent })
}

/// Routes with their switched-off targets removed, and the routes left with none.
fn drop_disabled(routes: impl Iterator<Item = Route>) -> (Vec<Route>, Vec<DisabledRoute>) {
    let mut live = Vec::new();
    let mut disabled = Vec::new();
    for route in routes {
        match without_disabled(route) {
            Ok(route) => live.push(route),
            Err(route) => disabled.push(route),
        }
    }
    (live, disabled)
}

fn without_disabled(route: Route) -> Result<Route, DisabledRoute> {
    if route.provider.enabled && route.fallback.iter().all(|t| t.provider.enabled) {
        return Ok(route);
    }
    let first = Target {
        provider: route.provider,
        upstream_model: route.upstream_model,
        caps: route.caps,
    };
    let (enabled, off): (Vec<Target>, Vec<Target>) = std::iter::once(first)
        .chain(route.fallback)
        .partition(|target| target.provider.enabled);
    let mut enabled = enabled.into_iter();
    let Some(primary) = enabled.next() else {
        let mut providers: Vec<ProviderId> = off.iter().map(|t| t.provider.id.clone()).collect();
        providers.dedup();
        return Err(DisabledRoute {
            pattern: route.pattern,
            providers,
        });
    };
    Ok(Route {
        pattern: route.pattern,
        provider: primary.provider,
        upstream_model: primary.upstream_model,
        max_tokens: route.max_tokens,
        fallback: enabled.collect(),
        caps: primary.caps,
        params: route.params,
    })
}
