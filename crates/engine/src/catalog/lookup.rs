//! Finds a model by the name a client or config uses, which is often not the
//! upstream's exact id: a `vendor/` prefix, another case, a dated snapshot,
//! or dots for dashes (`claude-sonnet-4.5` on OpenRouter).

use super::types::ModelInfo;

type Rule = for<'m> fn(&'m [ModelInfo], &str) -> Option<&'m ModelInfo>;

/// Strictest first; the loose rules need a single match.
const RULES: [Rule; 4] = [exact, ignoring_case, by_last_segment, normalized];

/// The first rule that matches any variant of the query wins.
pub(super) fn find<'a>(models: &'a [ModelInfo], query: &str) -> Option<&'a ModelInfo> {
    let variants = variants(query);
    RULES
        .iter()
        .find_map(|rule| variants.iter().find_map(|variant| rule(models, variant)))
}

/// The query, then without each leading `segment/`, each also without a date
/// suffix: `openrouter/deepseek/deepseek-chat` → `deepseek/deepseek-chat` →
/// `deepseek-chat`.
fn variants(query: &str) -> Vec<&str> {
    let mut variants = Vec::new();
    let mut rest = query;
    loop {
        variants.push(rest);
        if let Some(undated) = strip_date(rest) {
            variants.push(undated);
        }
        match rest.split_once('/') {
            Some((_, tail)) if !tail.is_empty() => rest = tail,
            _ => return variants,
        }
    }
}

/// `claude-sonnet-4-5-20250929` → `claude-sonnet-4-5`; `gpt-4o-2024-08-06` → `gpt-4o`.
fn strip_date(id: &str) -> Option<&str> {
    [8, 10].into_iter().find_map(|len| {
        let split = id.len().checked_sub(len + 1)?;
        let (head, tail) = id.split_at_checked(split)?;
        let date = tail.strip_prefix('-')?;
        let digits = date.bytes().filter(u8::is_ascii_digit).count();
        let dashes_ok = len == 8 || (date.as_bytes()[4] == b'-' && date.as_bytes()[7] == b'-');
        (digits == 8 && dashes_ok && !head.is_empty()).then_some(head)
    })
}

fn exact<'a>(models: &'a [ModelInfo], query: &str) -> Option<&'a ModelInfo> {
    models.iter().find(|model| model.id == query)
}

fn ignoring_case<'a>(models: &'a [ModelInfo], query: &str) -> Option<&'a ModelInfo> {
    models
        .iter()
        .find(|model| model.id.eq_ignore_ascii_case(query))
}

/// `kimi-k3` → `accounts/fireworks/models/kimi-k3`.
fn by_last_segment<'a>(models: &'a [ModelInfo], query: &str) -> Option<&'a ModelInfo> {
    single(models.iter().filter(|model| {
        let last = model.id.rsplit('/').next().unwrap_or(&model.id);
        last.eq_ignore_ascii_case(query)
    }))
}

/// Case, and `.` against `-`, ignored: `claude-sonnet-4.5` → `claude-sonnet-4-5`.
fn normalized<'a>(models: &'a [ModelInfo], query: &str) -> Option<&'a ModelInfo> {
    let key = normalize(query);
    single(models.iter().filter(|model| normalize(&model.id) == key))
}

fn normalize(id: &str) -> String {
    id.chars()
        .map(|c| {
            if c == '.' {
                '-'
            } else {
                c.to_ascii_lowercase()
            }
        })
        .collect()
}

fn single<'a>(mut matches: impl Iterator<Item = &'a ModelInfo>) -> Option<&'a ModelInfo> {
    let first = matches.next()?;
    matches.next().is_none().then_some(first)
}
