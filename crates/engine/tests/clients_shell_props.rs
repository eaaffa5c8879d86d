//! Issue 11, section 4: 1,000 generated `~/.bashrc` files (any lines, with
//! or without a last newline, CRLF, an earlier switchyard block) through
//! `configure shell` and its undo: only the block changes.
#![allow(
    clippy::allow_attributes,
    clippy::unwrap_used,
    clippy::panic,
    reason = "tests"
)]

mod clients_support;

use clients_support::{GATEWAY, Home, TOKEN};
use proptest::prelude::*;
use switchyard_engine::clients::ClientKind;

const BASHRC: &str = ".bashrc";
const BEGIN: &str = "# >>> switchyard >>>";
const END: &str = "# <<< switchyard <<<";

#[derive(Debug, Clone)]
struct Rc {
    before: Vec<String>,
    /// A block an earlier install left (not in the journal).
    old_block: Option<Vec<String>>,
    after: Vec<String>,
    newline: &'static str,
    last_newline: bool,
    absent: bool,
}

fn line() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(vec![
            "",
            "# ~/.bashrc",
            "export PATH=\"$HOME/bin:$PATH\"",
            "alias ll='ls -la'",
            "[ -f ~/.fzf.bash ] && source ~/.fzf.bash",
            "  if true; then echo ünï 中 😀; fi",
            "# >>> conda initialize >>>",
            "export ANTHROPIC_MODEL=opus",
            "\t",
        ])
        .prop_map(str::to_owned),
        "[^\r\n]{0,30}".prop_filter("not our markers", |line| {
            let bare = line.trim_end();
            bare != BEGIN && bare != END
        }),
    ]
}

fn rc() -> impl Strategy<Value = Rc> {
    (
        prop::collection::vec(line(), 0..8),
        prop::option::weighted(0.15, prop::collection::vec(line(), 0..3)),
        prop::collection::vec(line(), 0..4),
        prop::sample::select(vec!["\n", "\r\n"]),
        any::<bool>(),
        prop::bool::weighted(0.1),
    )
        .prop_map(
            |(before, old_block, after, newline, last_newline, absent)| Rc {
                before,
                old_block,
                after,
                newline,
                last_newline,
                absent,
            },
        )
}

/// The file's text, and where an old block sits in it.
fn render(rc: &Rc) -> (String, Option<std::ops::Range<usize>>) {
    let mut out = String::new();
    for line in &rc.before {
        out.push_str(line);
        out.push_str(rc.newline);
    }
    let mut block = None;
    if let Some(lines) = &rc.old_block {
        let start = out.len();
        out.push_str(BEGIN);
        out.push_str(rc.newline);
        for line in lines {
            out.push_str(line);
            out.push_str(rc.newline);
        }
        out.push_str(END);
        out.push_str(rc.newline);
        block = Some(start..out.len());
    }
    for line in &rc.after {
        out.push_str(line);
        out.push_str(rc.newline);
    }
    if !rc.last_newline
        && block.as_ref().is_none_or(|block| block.end < out.len())
        && out.ends_with(rc.newline)
    {
        out.truncate(out.len() - rc.newline.len());
    }
    (out, block)
}

fn our_block() -> String {
    let v1 = format!("{GATEWAY}/v1");
    let lines = [
        format!("export ANTHROPIC_BASE_URL='{GATEWAY}'"),
        format!("export ANTHROPIC_AUTH_TOKEN='{TOKEN}'"),
        format!("export OPENAI_BASE_URL='{v1}'"),
        format!("export OPENAI_API_KEY='{TOKEN}'"),
        format!("export GOOGLE_GEMINI_BASE_URL='{GATEWAY}'"),
        format!("export GEMINI_API_KEY='{TOKEN}'"),
        format!("export SWITCHYARD_KEY='{TOKEN}'"),
    ];
    format!(
        "{BEGIN}\n# Written by `switchyard configure shell`; `switchyard configure shell --undo` removes it.\n{}\n{END}\n",
        lines.join("\n")
    )
}

fn check(rc: &Rc) -> Result<(), TestCaseError> {
    let (old, old_block) = render(rc);
    let home = Home::new();
    let old = (!rc.absent).then_some(old);
    if let Some(old) = &old {
        home.write(BASHRC, old);
    }
    home.configure(ClientKind::Shell);
    let new = home.read(BASHRC).unwrap();
    let old_text = old.clone().unwrap_or_default();
    // Only the block is new: in place of an earlier one, else at the end
    // after a blank line (and the newline a last line lacked).
    let expected = match (&old_block, old.is_some()) {
        (Some(block), true) => format!(
            "{}{}{}",
            &old_text[..block.start],
            our_block(),
            &old_text[block.end..]
        ),
        _ if old_text.is_empty() => our_block(),
        _ if old_text.ends_with('\n') => format!("{old_text}\n{}", our_block()),
        _ => format!("{old_text}\n\n{}", our_block()),
    };
    prop_assert_eq!(&new, &expected);

    home.undo(ClientKind::Shell);
    prop_assert_eq!(home.read(BASHRC), old.clone(), "undo is not byte-identical");

    // The user adds lines before and after ours: undo keeps them.
    home.configure(ClientKind::Shell);
    let configured = home.read(BASHRC).unwrap();
    home.write(
        BASHRC,
        &format!("# mine\n{configured}alias gs='git status'\n"),
    );
    home.undo(ClientKind::Shell);
    let tail_joined = !old_text.is_empty() && !old_text.ends_with('\n') && old_block.is_none();
    let glue = if tail_joined { "\n" } else { "" };
    let want = format!("# mine\n{old_text}{glue}alias gs='git status'\n");
    prop_assert_eq!(
        home.read(BASHRC).unwrap(),
        want,
        "the user's edits did not survive undo"
    );
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1000))]

    #[test]
    fn issue_11_shell_block_is_the_only_change_and_undoes_exactly(rc in rc()) {
        check(&rc)?;
    }
}
