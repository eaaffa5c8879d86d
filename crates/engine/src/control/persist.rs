//! A switch made at runtime, written into the config file as the smallest
//! edit (`toml_edit`: comments, order and layout kept), so it survives a
//! restart and the file stays the one place the setup is described.

use toml_edit::{DocumentMut, Item, Value};

/// What the tray, the CLI or the HTTP control API asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    Provider { id: String, enabled: bool },
    Profile(String),
}

/// `text` with `change` made, or why it cannot be.
pub fn edit(text: &str, change: &Change) -> Result<String, String> {
    let mut doc: DocumentMut = text
        .parse()
        .map_err(|err| format!("not valid TOML: {err}"))?;
    match change {
        Change::Provider { id, enabled } => set_enabled(&mut doc, id, *enabled)?,
        Change::Profile(name) => set_value(doc.as_table_mut(), "profile", name.as_str().into()),
    }
    Ok(doc.to_string())
}

/// Switching on removes the key (on is the default); off writes `enabled = false`.
fn set_enabled(doc: &mut DocumentMut, id: &str, enabled: bool) -> Result<(), String> {
    let Some(providers) = doc
        .get_mut("providers")
        .and_then(Item::as_array_of_tables_mut)
    else {
        return Err("the providers are not written as [[providers]] tables".to_owned());
    };
    let table = (providers.iter_mut())
        .find(|table| table.get("id").and_then(Item::as_str) == Some(id))
        .ok_or_else(|| format!("no [[providers]] table has id = \"{id}\""))?;
    if enabled {
        table.remove("enabled");
    } else {
        set_value(table, "enabled", false.into());
    }
    Ok(())
}

/// Replaces a value in place, keeping the comments around it.
fn set_value(table: &mut toml_edit::Table, key: &str, mut value: Value) {
    match table.get_mut(key).and_then(Item::as_value_mut) {
        Some(old) => {
            *value.decor_mut() = old.decor().clone();
            *old = value;
        }
        None => {
            table.insert(key, Item::Value(value));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FILE: &str = r#"# my gateway
listen = "127.0.0.1:4315" # the port

[[providers]]
id = "deepseek"   # cheap
preset = "deepseek"

[[providers]]
id = "kimi"
preset = "moonshot"
enabled = true

[[profiles]]
name = "a"
"#;

    fn edited(change: Change) -> String {
        edit(FILE, &change).unwrap_or_else(|err| err)
    }

    #[test]
    fn issue_10_disabling_adds_one_line_and_enabling_removes_it() {
        let off = Change::Provider {
            id: "deepseek".into(),
            enabled: false,
        };
        let text = edited(off);
        assert_eq!(
            text,
            FILE.replace(
                "preset = \"deepseek\"\n",
                "preset = \"deepseek\"\nenabled = false\n"
            )
        );
        let on = Change::Provider {
            id: "deepseek".into(),
            enabled: true,
        };
        assert_eq!(edit(&text, &on).as_deref(), Ok(FILE));
    }

    #[test]
    fn issue_10_profile_goes_at_the_top_and_replaces_in_place() {
        let text = edited(Change::Profile("a".into()));
        assert!(
            text.starts_with(
                "# my gateway\nlisten = \"127.0.0.1:4315\" # the port\nprofile = \"a\"\n"
            ),
            "{text}"
        );
        let again = edit(&text, &Change::Profile("b".into())).unwrap_or_default();
        assert_eq!(again, text.replace("profile = \"a\"", "profile = \"b\""));
    }

    #[test]
    fn issue_10_unknown_provider_and_broken_files_are_reported() {
        let missing = Change::Provider {
            id: "nope".into(),
            enabled: false,
        };
        assert!(edited(missing).contains("no [[providers]] table has id = \"nope\""));
        let broken = edit("listen = ", &Change::Profile("a".into()));
        assert!(broken.is_err_and(|err| err.starts_with("not valid TOML")));
    }
}
