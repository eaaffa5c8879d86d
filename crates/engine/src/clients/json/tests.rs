#![allow(
    clippy::allow_attributes,
    clippy::unwrap_used,
    clippy::panic,
    reason = "tests"
)]

use super::JsonTree;
use crate::clients::error::line_column;
use crate::clients::tree::{Container, Tree};

fn path(keys: &[&str]) -> Vec<String> {
    keys.iter().map(|key| (*key).to_owned()).collect()
}

fn set(text: &str, keys: &[&str], raw: &str) -> String {
    let mut tree = JsonTree::parse(text, false).unwrap();
    tree.set(&path(keys), raw).unwrap();
    tree.text().to_owned()
}

fn error_at(text: &str, comments: bool) -> (usize, usize, String) {
    let err = JsonTree::parse(text, comments).unwrap_err();
    let (line, column) = line_column(text, err.offset);
    (line, column, err.message)
}

#[test]
fn issue_11_invalid_json_is_refused_with_line_and_column() {
    let (line, column, message) = error_at("{\n  \"a\": 1,\n  \"b\": tru\n}", false);
    assert_eq!((line, column), (3, 8), "{message}");
    let (line, column, message) = error_at("{\n  \"a\": 1,\n}\n", false);
    assert_eq!((line, column), (3, 1));
    assert!(message.contains("trailing comma"), "{message}");
    let (_, _, message) = error_at("[1, 2]", false);
    assert!(message.contains("not an object"), "{message}");
    let (line, column, _) = error_at("{\"é\": \"\u{1}\"}", false);
    assert_eq!((line, column), (1, 8), "columns count characters");
}

#[test]
fn issue_11_comments_are_refused_in_strict_json_and_allowed_in_jsonc() {
    let text = "{\n  // mine\n  \"a\": 1 /* x */\n}";
    let (line, column, message) = error_at(text, false);
    assert_eq!((line, column), (2, 3));
    assert!(message.contains("comments are not allowed"), "{message}");
    assert!(JsonTree::parse(text, true).is_ok());
}

#[test]
fn issue_11_duplicate_keys_on_our_path_are_refused() {
    let text = "{\n  \"env\": {},\n  \"env\": {\"A\": \"1\"}\n}";
    let mut tree = JsonTree::parse(text, false).unwrap();
    let err = tree.set(&path(&["env", "X"]), "\"1\"").unwrap_err();
    assert!(
        err.message
            .contains("duplicate key `env` (first at line 2, column 3)"),
        "{}",
        err.message
    );
    assert_eq!(line_column(text, err.offset), (3, 3));
    // Duplicates elsewhere are none of our business.
    let other = "{\"a\": 1, \"a\": 2, \"env\": {}}";
    assert_eq!(
        set(other, &["env", "X"], "1"),
        "{\"a\": 1, \"a\": 2, \"env\": {\"X\": 1}}"
    );
}

#[test]
fn issue_11_env_that_is_not_an_object_is_refused() {
    let tree = JsonTree::parse("{\"env\": \"x\"}", false).unwrap();
    let err = tree.container(&path(&["env"])).unwrap_err();
    assert_eq!(err.message, "`env` is a string, not an object");
    assert_eq!(err.offset, 8);
}

#[test]
fn issue_11_members_follow_the_neighbours_layout() {
    assert_eq!(
        set("{\n\t\"a\":1\n}\n", &["b"], "2"),
        "{\n\t\"a\":1,\n\t\"b\":2\n}\n",
        "tabs and a tight colon"
    );
    assert_eq!(set("{\"a\": 1}", &["b"], "2"), "{\"a\": 1, \"b\": 2}");
    assert_eq!(
        set("{\"a\":1,\"b\":2}", &["c"], "3"),
        "{\"a\":1,\"b\":2,\"c\":3}"
    );
    assert_eq!(
        set("{\r\n    \"a\" : 1\r\n}", &["b"], "2"),
        "{\r\n    \"a\" : 1,\r\n    \"b\" : 2\r\n}",
        "CRLF and spaced colon"
    );
    assert_eq!(set("{}", &["a"], "1"), "{\n  \"a\": 1\n}");
    assert_eq!(
        set("{\n  \"env\": {}\n}", &["env", "A"], "\"1\""),
        "{\n  \"env\": {\n    \"A\": \"1\"\n  }\n}"
    );
    assert_eq!(
        set("{\"x\": {\"a\": 1.50e3}}", &["x", "a"], "\"v\""),
        "{\"x\": {\"a\": \"v\"}}"
    );
}

#[test]
fn issue_11_removing_what_was_inserted_restores_the_text() {
    for text in [
        "{}",
        "{ }",
        "{\n  \"a\": [1, 2],\n  \"b\": {\"c\": null}\n}\n",
        "{\"a\":1}",
        "\u{feff}{\"a\": \"\\u00e9\\ud83d\\ude00\"}  \n",
    ] {
        let mut tree = JsonTree::parse(text, false).unwrap();
        let was = tree.container(&[]).unwrap();
        tree.set(&path(&["z"]), "\"1\"").unwrap();
        tree.set(&path(&["y"]), "{}").unwrap();
        tree.set(&path(&["y", "k"]), "2").unwrap();
        tree.remove(&path(&["y", "k"])).unwrap();
        tree.remove(&path(&["y"])).unwrap();
        tree.remove(&path(&["z"])).unwrap();
        if let Container::Empty(interior) = was {
            tree.restore_empty(&[], &interior).unwrap();
        }
        assert_eq!(tree.text(), text);
    }
}

#[test]
fn issue_11_jsonc_members_go_after_a_trailing_comment_and_come_out_cleanly() {
    let text = "{\n  \"a\": 1 // one\n}\n";
    let mut tree = JsonTree::parse(text, true).unwrap();
    tree.set(&path(&["b"]), "2").unwrap();
    assert_eq!(tree.text(), "{\n  \"a\": 1, // one\n  \"b\": 2\n}\n");
    tree.remove(&path(&["b"])).unwrap();
    assert_eq!(tree.text(), text);
}

#[test]
fn issue_11_a_first_member_is_removed_with_its_comma() {
    let mut tree = JsonTree::parse("{\n    \"ours\": 1,\n    \"theirs\": 2\n}", false).unwrap();
    tree.remove(&path(&["ours"])).unwrap();
    assert_eq!(tree.text(), "{\n    \"theirs\": 2\n}");
}

#[test]
fn issue_11_escaped_keys_are_matched_by_their_value() {
    let text = "{\"\\u0065nv\": {\"A\": 1}}";
    let tree = JsonTree::parse(text, false).unwrap();
    assert_eq!(
        tree.get(&path(&["env", "A"])).unwrap().as_deref(),
        Some("1")
    );
}

#[test]
fn issue_11_deep_nesting_is_refused_not_a_stack_overflow() {
    let text = format!("{{\"a\": {}{}}}", "[".repeat(100_000), "]".repeat(100_000));
    let (_, _, message) = error_at(&text, false);
    assert_eq!(message, "nested too deeply");
}
