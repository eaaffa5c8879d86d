//! Issue 11, section 4: 1,000 generated Codex `config.toml` files (comments,
//! odd spacing, every value kind, tables and arrays of tables, our keys set
//! by someone else or absent, no file at all) through `configure codex` and
//! its undo.
#![allow(
    clippy::allow_attributes,
    clippy::unwrap_used,
    clippy::panic,
    reason = "tests"
)]

mod clients_support;

use std::ops::Range;

use clients_support::{GATEWAY, Home, is_subsequence};
use proptest::prelude::*;
use switchyard_engine::clients::ClientKind;

const CONFIG: &str = ".codex/config.toml";
const TABLE_KEYS: [&str; 4] = ["name", "base_url", "wire_api", "env_key"];

#[derive(Debug, Clone)]
enum Line {
    Blank,
    Comment(String),
    /// key, spacing around `=`, value, trailing comment.
    Pair(String, &'static str, String, Option<String>),
    /// One of our keys, with someone else's value.
    Ours(&'static str, &'static str, String),
}

#[derive(Debug, Clone)]
struct Section {
    /// `[features]`, `[[mcp]]`, `[model_providers.switchyard]`…
    header: String,
    lines: Vec<Line>,
}

#[derive(Debug, Clone)]
struct Config {
    root: Vec<Line>,
    sections: Vec<Section>,
    trailing_newline: bool,
    absent: bool,
}

fn value() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(vec![
            "\"never\"",
            "'literal \\ string'",
            "\"esc\\t\\u00e9\\\"\"",
            "\"ünï 中 😀\"",
            "1_000",
            "0x1F",
            "+5",
            "-0",
            "1.5e3",
            "inf",
            "nan",
            "true",
            "false",
            "1979-05-27T07:32:00Z",
            "[1, 2, 3]",
            "[\n  \"a\",\n  \"b\",\n]",
            "{ a = 1, b = \"x\" }",
            "\"\"\"\nmulti\nline\"\"\"",
            "[]",
            "{}",
        ])
        .prop_map(str::to_owned),
        "[a-z0-9 ]{0,12}".prop_map(|text| format!("\"{text}\"")),
    ]
}

fn comment() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("# a comment".to_owned()),
        Just("#".to_owned()),
        "[a-zé中 ]{0,16}".prop_map(|text| format!("# {text}")),
        Just("#   model = \"commented out\"".to_owned()),
    ]
}

fn key() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(vec![
            "approval_policy",
            "sandbox_mode",
            "notify",
            "\"quoted.key\"",
            "'lit'",
            "x-y_z"
        ])
        .prop_map(str::to_owned),
        "[a-z]{1,8}_k",
    ]
}

fn spacing() -> impl Strategy<Value = &'static str> {
    prop::sample::select(vec![" = ", "=", "   =\t", " =  "])
}

fn line(ours: &'static [&'static str]) -> impl Strategy<Value = Line> {
    prop_oneof![
        1 => Just(Line::Blank),
        1 => comment().prop_map(Line::Comment),
        4 => (key(), spacing(), value(), prop::option::weighted(0.3, comment()))
            .prop_map(|(key, eq, value, comment)| Line::Pair(key, eq, value, comment)),
        1 => (prop::sample::select(ours), spacing(), value()).prop_map(|(key, eq, value)| Line::Ours(key, eq, value)),
    ]
}

/// Keys of one table, each once.
fn lines(ours: &'static [&'static str]) -> impl Strategy<Value = Vec<Line>> {
    prop::collection::vec(line(ours), 0..6).prop_map(|lines| {
        let mut seen: Vec<String> = Vec::new();
        lines
            .into_iter()
            .filter(|line| {
                let key = match line {
                    Line::Pair(key, ..) => key.trim_matches(['"', '\'']).to_owned(),
                    Line::Ours(key, ..) => (*key).to_owned(),
                    Line::Blank | Line::Comment(_) => return true,
                };
                let fresh = !seen.contains(&key);
                seen.push(key);
                fresh
            })
            .collect()
    })
}

fn section() -> impl Strategy<Value = Section> {
    let header = prop::sample::select(vec![
        "[features]",
        "[analytics]",
        "[profiles.fast]",
        "[model_providers.other]",
        "[model_providers.switchyard]",
        "[[mcp]]",
        "[ \"quoted table\" ]",
    ]);
    header.prop_flat_map(|header| {
        let ours: &'static [&'static str] = if header == "[model_providers.switchyard]" {
            &TABLE_KEYS
        } else {
            &[]
        };
        let body = if ours.is_empty() {
            lines(&["name"]).boxed()
        } else {
            lines(ours).boxed()
        };
        body.prop_map(move |lines| {
            let lines = if ours.is_empty() {
                lines
                    .into_iter()
                    .filter(|line| !matches!(line, Line::Ours(..)))
                    .collect()
            } else {
                lines
            };
            Section {
                header: header.to_owned(),
                lines,
            }
        })
    })
}

fn config() -> impl Strategy<Value = Config> {
    (
        lines(&["model", "model_provider"]),
        prop::collection::vec(section(), 0..5),
        any::<bool>(),
        prop::bool::weighted(0.05),
    )
        .prop_map(|(root, sections, trailing_newline, absent)| {
            // A table header appears once (arrays of tables may repeat).
            let mut seen: Vec<String> = Vec::new();
            let sections = sections
                .into_iter()
                .filter(|section| {
                    let fresh = section.header.starts_with("[[") || !seen.contains(&section.header);
                    seen.push(section.header.clone());
                    fresh
                })
                .collect();
            Config {
                root,
                sections,
                trailing_newline,
                absent,
            }
        })
}

/// The text, and the spans of our keys' values in it.
fn render(config: &Config) -> (String, Vec<Range<usize>>) {
    let mut out = String::new();
    let mut ours = Vec::new();
    let mut write_lines = |out: &mut String, lines: &[Line]| {
        for line in lines {
            match line {
                Line::Blank => {}
                Line::Comment(text) => out.push_str(text),
                Line::Pair(key, eq, value, comment) => {
                    out.push_str(&format!("{key}{eq}{value}"));
                    if let Some(comment) = comment {
                        out.push_str(&format!("  {comment}"));
                    }
                }
                Line::Ours(key, eq, value) => {
                    out.push_str(&format!("{key}{eq}"));
                    ours.push(out.len()..out.len() + value.len());
                    out.push_str(value);
                    out.push_str(" # theirs");
                }
            }
            out.push('\n');
        }
    };
    write_lines(&mut out, &config.root);
    for section in &config.sections {
        out.push_str(&section.header);
        out.push('\n');
        write_lines(&mut out, &section.lines);
    }
    if !config.trailing_newline && out.ends_with('\n') {
        out.pop();
    }
    (out, ours)
}

fn without_ours(mut table: toml::Table, drop_created: (bool, bool)) -> toml::Table {
    table.remove("model");
    table.remove("model_provider");
    let (drop_switchyard, drop_providers) = drop_created;
    if let Some(toml::Value::Table(providers)) = table.get_mut("model_providers") {
        if let Some(toml::Value::Table(ours)) = providers.get_mut("switchyard") {
            for key in TABLE_KEYS {
                ours.remove(key);
            }
            if drop_switchyard && ours.is_empty() {
                providers.remove("switchyard");
            }
        }
        if drop_providers && providers.is_empty() {
            table.remove("model_providers");
        }
    }
    table
}

fn check(config: &Config) -> Result<(), TestCaseError> {
    let (old, ours) = render(config);
    let home = Home::new();
    let old = (!config.absent).then_some(old);
    if let Some(old) = &old {
        home.write(CONFIG, old);
    }
    home.configure(ClientKind::Codex);
    let new = home.read(CONFIG).unwrap();
    let old_text = old.clone().unwrap_or_default();

    let mut outside = old_text.clone();
    for range in ours.iter().rev().filter(|_| old.is_some()) {
        outside.replace_range(range.clone(), "");
    }
    prop_assert!(
        is_subsequence(&outside, &new),
        "bytes lost:\n{old_text}\n---\n{new}"
    );
    let old_table: toml::Table = old_text.parse().unwrap();
    let new_table: toml::Table = new.parse().unwrap();
    let had = |key: &str| {
        old_table
            .get("model_providers")
            .and_then(|providers| providers.get(key))
            .is_some()
    };
    let created = (
        !had("switchyard"),
        old_table.get("model_providers").is_none(),
    );
    // As text: NaN is not equal to itself.
    let (got, want) = (
        without_ours(new_table.clone(), created),
        without_ours(old_table, (false, false)),
    );
    prop_assert_eq!(got.to_string(), want.to_string());
    prop_assert_eq!(new_table["model_provider"].as_str(), Some("switchyard"));
    let provider = &new_table["model_providers"]["switchyard"];
    prop_assert_eq!(
        provider["base_url"].as_str().unwrap(),
        format!("{GATEWAY}/v1")
    );
    prop_assert_eq!(provider["wire_api"].as_str(), Some("responses"));
    prop_assert_eq!(provider["env_key"].as_str(), Some("SWITCHYARD_KEY"));

    home.undo(ClientKind::Codex);
    prop_assert_eq!(home.read(CONFIG), old.clone(), "undo is not byte-identical");

    check_user_edit(&home, &old_text)
}

/// The user adds a key of their own while we are configured: undo keeps it.
fn check_user_edit(home: &Home, old_text: &str) -> Result<(), TestCaseError> {
    home.configure(ClientKind::Codex);
    let edit = "# user note\nuser_key = 1\n";
    home.write(CONFIG, &format!("{edit}{}", home.read(CONFIG).unwrap()));
    home.undo(ClientKind::Codex);
    prop_assert_eq!(
        home.read(CONFIG).unwrap(),
        format!("{edit}{old_text}"),
        "the user's edit did not survive undo"
    );
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1000))]

    #[test]
    fn issue_11_codex_config_keeps_comments_and_order_and_undoes_exactly(config in config()) {
        check(&config)?;
    }
}
