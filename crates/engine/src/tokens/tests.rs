use super::*;

/// o200k_base counts from tiktoken-rs 0.12.1 (`encode_ordinary`), the same
/// from GitHub's bpe-openai 0.3.2: two implementations agreeing.
const KNOWN: [(&str, u64); 8] = [
    ("Hello, world!", 4),
    ("The quick brown fox jumps over the lazy dog.", 10),
    ("    indented\n\n\tcode();   ", 7),
    ("こんにちは世界", 2),
    ("I'm sure they'll've done it, DON'T", 8),
    (
        r#"{"type":"object","properties":{"path":{"type":"string"}},"required":["path"]}"#,
        19,
    ),
    ("naïve café — 😀 emoji", 7),
    ("<|endoftext|>", 7),
];

#[test]
fn issue4_known_strings_have_their_o200k_counts() {
    for (text, tokens) in KNOWN {
        assert_eq!(count(text), tokens, "{text:?}");
    }
    // Long pieces take the heap merge.
    assert_eq!(count(&format!("{}x", " ".repeat(300))), 4);
    assert_eq!(count(&"a".repeat(1000)), 125);
    assert_eq!(count(""), 0);
}

fn reference(text: &str) -> u64 {
    tiktoken_rs::o200k_base_singleton()
        .encode_ordinary(text)
        .len() as u64
}

/// Every text of every request fixture, tokenized by us and by tiktoken-rs.
#[test]
fn issue4_counts_equal_tiktoken_rs_on_every_fixture() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../protocol/tests/fixtures");
    let mut texts = 0;
    for entry in walk(std::path::Path::new(dir)) {
        let Ok(json) = std::fs::read_to_string(&entry) else {
            continue;
        };
        for text in strings_in(&json) {
            assert_eq!(count(&text), reference(&text), "{entry:?}: {text:?}");
            texts += 1;
        }
    }
    assert!(texts > 500, "{texts}");
}

/// Generated text mixing the cases the pretokenizer splits on: case,
/// contractions, digits, punctuation, whitespace runs, CJK, marks, emoji.
#[test]
fn issue4_counts_equal_tiktoken_rs_on_mixed_text() {
    const ATOMS: [&str; 40] = [
        "a",
        "Z",
        "ab",
        "CamelCase",
        "'s",
        "'LL",
        "1",
        "2024",
        " ",
        "  ",
        "\t",
        "\n",
        "\r\n",
        " \n ",
        "/",
        "//",
        "{\"k\":",
        "é",
        "\u{301}",
        "日本語",
        "😀",
        "ß",
        "-",
        "…",
        // Title case, modifier letter, marks (Mc, Me), numbers (No, Nl,
        // Nd), non-ASCII spaces, long s and Kelvin (case folding), a
        // zero-width space (not whitespace), a control.
        "ǅ",
        "ʰ",
        "\u{903}",
        "\u{20dd}",
        "²",
        "Ⅻ",
        "٣",
        "\u{a0}",
        "\u{3000}",
        "\u{2028}",
        "\u{85}",
        "ſ",
        "'ſ",
        "\u{212a}",
        "\u{200b}",
        "\u{1c}",
    ];
    let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
    for round in 0..400 {
        let mut text = String::new();
        for _ in 0..(round % 60 + 1) {
            // xorshift: a fixed sequence, so a failure reproduces.
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            text.push_str(ATOMS[(seed % ATOMS.len() as u64) as usize]);
        }
        assert_eq!(count(&text), reference(&text), "{text:?}");
    }
    for long in [
        " ".repeat(150),
        "\n".repeat(120),
        "xyz".repeat(80),
        "日".repeat(90),
    ] {
        let text = format!("{long}end {long}");
        assert_eq!(count(&text), reference(&text), "{text:?}");
    }
}

/// Every character of the Basic Multilingual Plane and the emoji and CJK
/// extension blocks, in contexts that tell the pattern's classes apart
/// (inside a word, after a contraction's quote, after a space, as a prefix,
/// among digits and spaces): the same pieces as tiktoken's Unicode pattern,
/// and the same counts as tiktoken-rs.
#[test]
fn issue4_pieces_equal_the_unicode_pattern_across_unicode() {
    let splitter = super::split::Splitter::new().unwrap();
    let unicode = UnicodeSplitter::new();
    let chars: Vec<char> = (0x80..0x1_0000)
        .chain(0x1_f300..0x1_f700)
        .chain(0x2_0000..0x2_0400)
        .filter_map(char::from_u32)
        .collect();
    for block in chars.chunks(64) {
        let mut text = String::new();
        for &c in block {
            text.extend(['a', c, 'b', '\'', c, ' ', c, 'X', c, c, ' ', ' ', c, '1', c]);
            text.extend([
                'A', c, '\'', 's', c, c, 'x', ' ', '?', c, '\n', ' ', c, '\n',
            ]);
        }
        let ours: Vec<&str> = splitter.pieces(&text).collect();
        assert_eq!(ours, unicode.pieces(&text), "U+{:04X}..", block[0] as u32);
        assert_eq!(
            count(&text),
            reference(&text),
            "U+{:04X}..",
            block[0] as u32
        );
    }
}

/// tiktoken's o200k_base pattern over Unicode text, as bpe-openai runs it
/// with regex-automata (its look-ahead as a pattern of its own).
struct UnicodeSplitter(regex_automata::meta::Regex);

impl UnicodeSplitter {
    fn new() -> Self {
        let first = [
            r"[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?",
            r"[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?",
            r"\p{N}{1,3}",
            r" ?[^\s\p{L}\p{N}]+[\r\n/]*",
            r"\s*[\r\n]+",
            r"\s+$",
        ]
        .join("|");
        let regex = regex_automata::meta::Regex::new_many(&[first.as_str(), r"\s+\s", r"\s+"]);
        Self(regex.unwrap())
    }

    fn pieces<'a>(&self, text: &'a str) -> Vec<&'a str> {
        let mut pieces = Vec::new();
        let mut at = 0;
        while at < text.len() {
            let input =
                regex_automata::Input::new(&text[at..]).anchored(regex_automata::Anchored::Yes);
            let found = self.0.find(input).unwrap();
            let mut end = at + found.end();
            if found.pattern().as_usize() == 1 {
                end -= text[at..end].chars().next_back().unwrap().len_utf8();
            }
            pieces.push(&text[at..end]);
            at = end;
        }
        pieces
    }
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            files.extend(walk(&path));
        } else {
            files.push(path);
        }
    }
    files
}

/// Each string value in a JSON file, or each SSE `data:` line's strings.
fn strings_in(text: &str) -> Vec<String> {
    let values: Vec<serde_json::Value> = match serde_json::from_str(text) {
        Ok(value) => vec![value],
        Err(_) => text
            .lines()
            .filter_map(|line| line.strip_prefix("data: "))
            .filter_map(|data| serde_json::from_str(data).ok())
            .collect(),
    };
    let mut out = Vec::new();
    for value in &values {
        collect_strings(value, &mut out);
    }
    out
}

fn collect_strings(value: &serde_json::Value, out: &mut Vec<String>) {
    match value {
        serde_json::Value::String(text) => out.push(text.clone()),
        serde_json::Value::Array(items) => items.iter().for_each(|v| collect_strings(v, out)),
        serde_json::Value::Object(map) => map.values().for_each(|v| collect_strings(v, out)),
        _ => {}
    }
}

/// Claude Code's first turn (system prompt, 20-odd tools with schemas, one
/// message), counted as the gateway counts it, against the same texts
/// through other tokenizers (`scripts/measure-token-counts`): o200k_base as
/// Hugging Face `tokenizers` runs it (a third implementation), and the
/// models Claude Code is most often routed to.
#[test]
fn issue4_claude_code_count_lands_in_the_measured_band() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../protocol/tests/fixtures/anthropic/claude_code_first_turn.req.json"
    );
    let body = std::fs::read(path).unwrap();
    let request = switchyard_protocol::formats::anthropic::decode_request(&body).unwrap();
    let parts = estimate::countable(&request);
    let text = input_tokens(&request) - parts.framing();
    assert_eq!(text, 10_638, "o200k_base in Hugging Face tokenizers");
    // Text tokens of the same texts per tokenizer, and how far ours may
    // stray: a little wider than the spread measured over every recording.
    let measured = [
        ("Anthropic's published Claude tokenizer", 11_157),
        ("DeepSeek V3/V4", 11_003),
        ("Qwen3", 10_807),
        ("Qwen3.6", 10_943),
        ("Gemma 3", 11_272),
    ];
    for (tokenizer, theirs) in measured {
        let ratio = text as f64 / theirs as f64;
        assert!((0.92..=1.02).contains(&ratio), "{tokenizer}: {ratio}");
    }
}
