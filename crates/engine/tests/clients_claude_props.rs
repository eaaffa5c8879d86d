//! Issue 11 §4: 1,000 generated `~/.claude/settings.json` files (nested
//! values, unicode and escapes, odd layouts and number formats, env keys of
//! ours and others, no env at all) through `configure claude-code` and undo.
#![allow(
    clippy::allow_attributes,
    clippy::unwrap_used,
    clippy::panic,
    reason = "tests"
)]

mod clients_support;

use std::ops::Range;

use clients_support::{GATEWAY, Home, TOKEN, is_subsequence};
use proptest::prelude::*;
use serde_json::{Map, Value, json};
use switchyard_engine::clients::ClientKind;

const SETTINGS: &str = ".claude/settings.json";

/// Every key `configure claude-code` owns (with a context window known).
const OURS: [&str; 14] = [
    "ANTHROPIC_BASE_URL",
    "ANTHROPIC_AUTH_TOKEN",
    "ANTHROPIC_MODEL",
    "ANTHROPIC_DEFAULT_OPUS_MODEL",
    "ANTHROPIC_DEFAULT_SONNET_MODEL",
    "ANTHROPIC_DEFAULT_HAIKU_MODEL",
    "ANTHROPIC_DEFAULT_FABLE_MODEL",
    "ANTHROPIC_SMALL_FAST_MODEL",
    "CLAUDE_CODE_SUBAGENT_MODEL",
    "API_TIMEOUT_MS",
    "CLAUDE_CODE_MAX_CONTEXT_TOKENS",
    "CLAUDE_CODE_AUTO_COMPACT_WINDOW",
    "CLAUDE_CODE_ATTRIBUTION_HEADER",
    "CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC",
];

/// A piece of a JSON string: a character (escaped if it must be) or an escape.
#[derive(Debug, Clone)]
enum Piece {
    Char(char),
    Escape(&'static str, &'static str),
}

#[derive(Debug, Clone)]
struct JsonString(Vec<Piece>);

impl JsonString {
    fn plain(text: &str) -> Self {
        Self(text.chars().map(Piece::Char).collect())
    }

    fn value(&self) -> String {
        self.0
            .iter()
            .map(|piece| match piece {
                Piece::Char(c) => c.to_string(),
                Piece::Escape(_, decoded) => (*decoded).to_owned(),
            })
            .collect()
    }

    fn render(&self) -> String {
        let mut out = String::from("\"");
        for piece in &self.0 {
            match piece {
                Piece::Char('"') => out.push_str("\\\""),
                Piece::Char('\\') => out.push_str("\\\\"),
                Piece::Char(c) if c.is_control() && u32::from(*c) < 0x20 => {
                    out.push_str(&format!("\\u{:04x}", u32::from(*c)));
                }
                Piece::Char(c) => out.push(*c),
                Piece::Escape(escape, _) => out.push_str(escape),
            }
        }
        out.push('"');
        out
    }
}

#[derive(Debug, Clone)]
enum Json {
    Null,
    Bool(bool),
    Number(&'static str),
    String(JsonString),
    /// Items, and whether they are laid out one per line.
    Array(Vec<Json>, bool),
    Object(Vec<(JsonString, Json)>, bool),
}

#[derive(Debug, Clone)]
enum EnvKey {
    Ours(&'static str),
    Other(JsonString),
}

#[derive(Debug, Clone)]
struct Env {
    members: Vec<(EnvKey, Json)>,
    multiline: bool,
    /// Between the braces when it has no members.
    empty: &'static str,
    /// Spelled `"\u0065nv"`: the same key to any JSON reader.
    escaped_key: bool,
}

#[derive(Debug, Clone)]
struct Layout {
    unit: &'static str,
    colon: &'static str,
    newline: &'static str,
    leading: &'static str,
    trailing: &'static str,
}

#[derive(Debug, Clone)]
struct Settings {
    before: Vec<(JsonString, Json)>,
    env: Option<Env>,
    after: Vec<(JsonString, Json)>,
    multiline: bool,
    layout: Layout,
}

fn piece() -> impl Strategy<Value = Piece> {
    prop_oneof![
        4 => prop::char::range('a', 'z').prop_map(Piece::Char),
        2 => any::<char>().prop_map(Piece::Char),
        1 => prop::sample::select(vec!['é', '中', '😀', ' ', '"', '\\', '/', '\u{2028}', '\n', '\u{7f}']).prop_map(Piece::Char),
        1 => prop::sample::select(vec![
            ("\\u00e9", "é"),
            ("\\n", "\n"),
            ("\\\"", "\""),
            ("\\\\", "\\"),
            ("\\/", "/"),
            ("\\t", "\t"),
            ("\\ud83d\\ude00", "😀"),
            ("\\u0000", "\u{0}"),
            ("\\uFFFF", "\u{ffff}"),
        ])
        .prop_map(|(escape, decoded)| Piece::Escape(escape, decoded)),
    ]
}

fn string() -> impl Strategy<Value = JsonString> {
    prop::collection::vec(piece(), 0..8).prop_map(JsonString)
}

fn key() -> impl Strategy<Value = JsonString> {
    prop_oneof![
        prop::sample::select(vec![
            "model",
            "permissions",
            "hooks",
            "apiKeyHelper",
            "statusLine",
            "ENV",
            "env "
        ])
        .prop_map(JsonString::plain),
        string(),
    ]
}

fn number() -> impl Strategy<Value = &'static str> {
    prop::sample::select(vec![
        "0",
        "-0",
        "1e3",
        "1E+3",
        "1.50",
        "-12.5e-3",
        "123456789012345678901234567890",
        "0.000",
        "2e-308",
        "-1",
    ])
}

fn json() -> impl Strategy<Value = Json> {
    let leaf = prop_oneof![
        Just(Json::Null),
        any::<bool>().prop_map(Json::Bool),
        number().prop_map(Json::Number),
        string().prop_map(Json::String),
    ];
    leaf.prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            (prop::collection::vec(inner.clone(), 0..4), any::<bool>())
                .prop_map(|(items, lines)| Json::Array(items, lines)),
            (members(inner), any::<bool>())
                .prop_map(|(members, lines)| Json::Object(members, lines)),
        ]
    })
}

/// Members with distinct keys, none of them `env` (unless `allow_env`).
fn unique<T>(members: Vec<(JsonString, T)>, forbidden: &[&str]) -> Vec<(JsonString, T)> {
    let mut seen: Vec<String> = forbidden.iter().map(|key| (*key).to_owned()).collect();
    let mut kept = Vec::new();
    for (key, value) in members {
        if !seen.contains(&key.value()) {
            seen.push(key.value());
            kept.push((key, value));
        }
    }
    kept
}

fn members(inner: impl Strategy<Value = Json>) -> impl Strategy<Value = Vec<(JsonString, Json)>> {
    prop::collection::vec((key(), inner), 0..4).prop_map(|members| unique(members, &[]))
}

fn env() -> impl Strategy<Value = Env> {
    let our_value = prop_oneof![
        3 => string().prop_map(Json::String),
        1 => json(),
    ];
    let member = prop_oneof![
        (prop::sample::select(OURS.to_vec()), our_value)
            .prop_map(|(name, value)| (EnvKey::Ours(name), value)),
        (key(), json()).prop_map(|(key, value)| (EnvKey::Other(key), value)),
    ];
    (
        prop::collection::vec(member, 0..6),
        any::<bool>(),
        prop::sample::select(vec!["", " ", "\n  "]),
        prop::bool::weighted(0.1),
    )
        .prop_map(|(members, multiline, empty, escaped_key)| {
            let mut seen: Vec<String> = Vec::new();
            let members = members
                .into_iter()
                .filter(|(key, _)| {
                    let name = match key {
                        EnvKey::Ours(name) => (*name).to_owned(),
                        EnvKey::Other(key) if OURS.contains(&key.value().as_str()) => return false,
                        EnvKey::Other(key) => key.value(),
                    };
                    let fresh = !seen.contains(&name);
                    seen.push(name);
                    fresh
                })
                .collect();
            Env {
                members,
                multiline,
                empty,
                escaped_key,
            }
        })
}

fn settings() -> impl Strategy<Value = Settings> {
    let layout = (
        prop::sample::select(vec!["  ", "    ", "\t", " ", "   "]),
        prop::sample::select(vec![": ", ":", " : ", ":\t"]),
        prop::sample::select(vec!["\n", "\r\n"]),
        prop::sample::select(vec!["", "\n", " \n"]),
        prop::sample::select(vec!["", "\n", "\n\n", "  \n"]),
    )
        .prop_map(|(unit, colon, newline, leading, trailing)| Layout {
            unit,
            colon,
            newline,
            leading,
            trailing,
        });
    (
        members(json()),
        prop::option::weighted(0.7, env()),
        members(json()),
        prop::bool::weighted(0.85),
        layout,
    )
        .prop_map(|(before, env, after, multiline, layout)| {
            let before = unique(before, &["env"]);
            let taken: Vec<String> = before
                .iter()
                .map(|(key, _)| key.value())
                .chain(["env".to_owned()])
                .collect();
            let taken: Vec<&str> = taken.iter().map(String::as_str).collect();
            Settings {
                after: unique(after, &taken),
                before,
                env,
                multiline,
                layout,
            }
        })
}

/// The rendered file and what in it we may change: our old values and the
/// inside of an empty env or root object.
struct Rendered {
    text: String,
    ours: Vec<Range<usize>>,
    env_open: Option<usize>,
}

struct Writer<'l> {
    layout: &'l Layout,
    out: String,
    ours: Vec<Range<usize>>,
    env_open: Option<usize>,
}

enum Member<'a> {
    Plain(&'a JsonString, &'a Json),
    Ours(&'static str, &'a Json),
    Env(&'a Env),
}

impl Writer<'_> {
    fn indent(&mut self, depth: usize) {
        self.out.push_str(self.layout.newline);
        self.out.push_str(&self.layout.unit.repeat(depth));
    }

    fn value(&mut self, value: &Json, depth: usize) {
        match value {
            Json::Null => self.out.push_str("null"),
            Json::Bool(value) => self.out.push_str(if *value { "true" } else { "false" }),
            Json::Number(text) => self.out.push_str(text),
            Json::String(text) => self.out.push_str(&text.render()),
            Json::Array(items, lines) => {
                self.out.push('[');
                for (index, item) in items.iter().enumerate() {
                    if index > 0 {
                        self.out.push(',');
                        if !lines {
                            self.out.push(' ');
                        }
                    }
                    if *lines {
                        self.indent(depth + 1);
                    }
                    self.value(item, depth + 1);
                }
                if *lines && !items.is_empty() {
                    self.indent(depth);
                }
                self.out.push(']');
            }
            Json::Object(members, lines) => {
                let members: Vec<Member<'_>> = members
                    .iter()
                    .map(|(key, value)| Member::Plain(key, value))
                    .collect();
                self.object(&members, *lines, depth, "");
            }
        }
    }

    fn object(&mut self, members: &[Member<'_>], lines: bool, depth: usize, empty: &str) {
        self.out.push('{');
        if members.is_empty() {
            self.out.push_str(empty);
        }
        for (index, member) in members.iter().enumerate() {
            if index > 0 {
                self.out.push(',');
                if !lines {
                    self.out.push(' ');
                }
            }
            if lines {
                self.indent(depth + 1);
            }
            self.member(member, depth + 1);
        }
        if lines && !members.is_empty() {
            self.indent(depth);
        }
        self.out.push('}');
    }

    fn member(&mut self, member: &Member<'_>, depth: usize) {
        let key = match member {
            Member::Plain(key, _) => key.render(),
            Member::Ours(name, _) => format!("\"{name}\""),
            Member::Env(env) if env.escaped_key => "\"\\u0065nv\"".to_owned(),
            Member::Env(_) => "\"env\"".to_owned(),
        };
        self.out.push_str(&key);
        self.out.push_str(self.layout.colon);
        match member {
            Member::Plain(_, value) => self.value(value, depth),
            Member::Ours(_, value) => {
                let start = self.out.len();
                self.value(value, depth);
                self.ours.push(start..self.out.len());
            }
            Member::Env(env) => {
                let members: Vec<Member<'_>> = env
                    .members
                    .iter()
                    .map(|(key, value)| match key {
                        EnvKey::Ours(name) => Member::Ours(name, value),
                        EnvKey::Other(key) => Member::Plain(key, value),
                    })
                    .collect();
                self.env_open = Some(self.out.len());
                self.object(&members, env.multiline, depth, env.empty);
            }
        }
    }
}

fn render(settings: &Settings) -> Rendered {
    let mut writer = Writer {
        layout: &settings.layout,
        out: settings.layout.leading.to_owned(),
        ours: Vec::new(),
        env_open: None,
    };
    let mut members: Vec<Member<'_>> = settings
        .before
        .iter()
        .map(|(key, value)| Member::Plain(key, value))
        .collect();
    members.extend(settings.env.iter().map(Member::Env));
    members.extend(
        settings
            .after
            .iter()
            .map(|(key, value)| Member::Plain(key, value)),
    );
    writer.object(&members, settings.multiline, 0, "");
    writer.out.push_str(settings.layout.trailing);
    Rendered {
        text: writer.out,
        ours: writer.ours,
        env_open: writer.env_open,
    }
}

/// `value` without our env keys, and without `env` where it was absent before.
fn without_ours(mut value: Value, drop_env: bool) -> Value {
    let root = value.as_object_mut().unwrap();
    if let Some(Value::Object(env)) = root.get_mut("env") {
        for name in OURS {
            env.remove(name);
        }
    }
    if drop_env {
        root.remove("env");
    }
    value
}

fn expected_env() -> Map<String, Value> {
    let values = [
        GATEWAY,
        TOKEN,
        "claude-sonnet-4-5",
        "claude-opus-4-1",
        "claude-sonnet-4-5",
        "claude-haiku-4-5",
        "claude-opus-4-1",
        "claude-haiku-4-5",
        "claude-sonnet-4-5",
        "600000",
        "200000",
        "200000",
        "0",
        "1",
    ];
    OURS.iter()
        .zip(values)
        .map(|(name, value)| ((*name).to_owned(), json!(value)))
        .collect()
}

/// Where the old text may have changed: our values, and the inside of an empty env or root.
fn outside_ours(rendered: &Rendered, settings: &Settings) -> String {
    let mut keep = rendered.text.clone();
    let mut ranges = rendered.ours.clone();
    let empty_env = settings
        .env
        .as_ref()
        .is_some_and(|env| env.members.is_empty());
    if let (true, Some(open)) = (empty_env, rendered.env_open) {
        ranges.push(open + 1..rendered.text[open..].find('}').unwrap() + open);
    }
    ranges.sort_by_key(|range| std::cmp::Reverse(range.start));
    for range in ranges {
        keep.replace_range(range, "");
    }
    keep
}

/// Configure: bytes outside ours kept, meaning kept, ours set; undo: byte-identical.
fn check_configure_and_undo(
    settings: &Settings,
    rendered: &Rendered,
    home: &Home,
) -> Result<(), TestCaseError> {
    let old = &rendered.text;
    home.write(SETTINGS, old);
    home.configure(ClientKind::ClaudeCode);
    let new = home.read(SETTINGS).unwrap();

    // Every byte outside the keys we own is still there, in order...
    prop_assert!(
        is_subsequence(&outside_ours(rendered, settings), &new),
        "bytes lost:\n{old}\n---\n{new}"
    );
    // ...and means what it meant; ours hold the target.
    let old_value: Value = serde_json::from_str(old).unwrap();
    let new_value: Value = serde_json::from_str(&new).unwrap();
    let mut stripped = without_ours(new_value.clone(), false);
    if settings.env.is_none() {
        prop_assert_eq!(&stripped["env"], &json!({}), "env holds more than ours");
        stripped = without_ours(stripped, true);
    }
    prop_assert_eq!(stripped, without_ours(old_value, false));
    let env = new_value["env"].as_object().unwrap();
    for (name, value) in expected_env() {
        prop_assert_eq!(&env[&name], &value);
    }

    home.undo(ClientKind::ClaudeCode);
    let undone = home.read(SETTINGS);
    prop_assert_eq!(
        undone.as_deref(),
        Some(old.as_str()),
        "undo is not byte-identical"
    );
    Ok(())
}

/// The user adds a key (at the top, or in env) while we are configured:
/// undo keeps it, byte for byte where the object was not empty before.
fn check_user_edit(
    settings: &Settings,
    rendered: &Rendered,
    home: &Home,
    in_env: bool,
) -> Result<(), TestCaseError> {
    let old = &rendered.text;
    home.configure(ClientKind::ClaudeCode);
    let configured = home.read(SETTINGS).unwrap();
    let env_open = rendered.env_open.filter(|_| in_env);
    let (at, insert, key, value) = match env_open {
        Some(open) => (open + 1, "\"USER_VAR\": \"u\",", "USER_VAR", json!("u")),
        None => (
            configured.find('{').unwrap() + 1,
            "\"userEdit\": 42,",
            "userEdit",
            json!(42),
        ),
    };
    let mut edited = configured;
    edited.insert_str(at, insert);
    home.write(SETTINGS, &edited);
    home.undo(ClientKind::ClaudeCode);
    let after = home.read(SETTINGS).unwrap();
    let was_empty = match (env_open, &settings.env) {
        (Some(_), Some(env)) => env.members.is_empty(),
        _ => settings.before.is_empty() && settings.env.is_none() && settings.after.is_empty(),
    };
    if was_empty {
        let mut expected: Value = serde_json::from_str(old).unwrap();
        let object = match env_open {
            Some(_) => &mut expected["env"],
            None => &mut expected,
        };
        object
            .as_object_mut()
            .unwrap()
            .insert(key.to_owned(), value);
        prop_assert_eq!(serde_json::from_str::<Value>(&after).unwrap(), expected);
    } else {
        let mut expected = old.clone();
        expected.insert_str(at, insert);
        prop_assert_eq!(
            after,
            expected,
            "the user's edit did not survive undo as written"
        );
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1000))]

    #[test]
    fn issue_11_claude_settings_keep_every_other_byte_and_undo_exactly(settings in settings(), in_env in any::<bool>()) {
        let rendered = render(&settings);
        let home = Home::new();
        check_configure_and_undo(&settings, &rendered, &home)?;
        check_user_edit(&settings, &rendered, &home, in_env)?;
    }
}
