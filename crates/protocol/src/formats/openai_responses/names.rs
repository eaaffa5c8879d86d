//! Namespaced tools (`{"type":"namespace","name":"multi_agent_v1","tools":[…]}`)
//! flattened into plain function names and split back.
//!
//! Codex routes a call by the pair (namespace, name): a `function_call` for a
//! namespaced tool must carry both, or Codex answers "unsupported call". The
//! encoders know nothing of the request, so the flat name itself must say
//! where the namespace ends. `--` does: it is legal in every vendor's tool
//! names (`[A-Za-z0-9_-]`), and unlike `__` (Codex's own flat form, which
//! trims underscores and so cannot be split back) it appears in no Codex
//! tool or namespace name.

const SEPARATOR: &str = "--";

/// The name the upstream model sees for `name` in `namespace`.
pub(super) fn flatten(namespace: Option<&str>, name: &str) -> String {
    match namespace.filter(|namespace| !namespace.is_empty()) {
        Some(namespace) => {
            let mut flat = String::with_capacity(namespace.len() + SEPARATOR.len() + name.len());
            flat.push_str(namespace);
            flat.push_str(SEPARATOR);
            flat.push_str(name);
            flat
        }
        None => name.to_owned(),
    }
}

/// `(namespace, name)` of a name the upstream model called.
pub(super) fn split(flat: &str) -> (Option<&str>, &str) {
    match flat.split_once(SEPARATOR) {
        Some((namespace, name)) if !namespace.is_empty() && !name.is_empty() => {
            (Some(namespace), name)
        }
        _ => (None, flat),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flat_names_split_back_exactly() {
        let cases = [
            (Some("multi_agent_v1"), "spawn_agent"),
            (Some("mcp__codex_apps__codex_native2_"), "codex_exec"),
            (Some("mcp__calendar__"), "__create_event"),
            (None, "exec_command"),
            (None, "mcp__server__tool"),
        ];
        for (namespace, name) in cases {
            let flat = flatten(namespace, name);
            assert_eq!(split(&flat), (namespace, name), "{flat}");
        }
        assert_eq!(flatten(Some(""), "x"), "x");
        assert_eq!(split("--x"), (None, "--x"));
        assert_eq!(split("x--"), (None, "x--"));
    }
}
