//! A block of lines between our begin and end comments in a shell rc file:
//! put at the end, replaced in place, taken out again with exactly what
//! came with it. The rest of the file is never touched.

use std::ops::Range;

use super::error::TextError;
use super::journal::{BlockRecord, Ours};

pub(crate) const BEGIN: &str = "# >>> switchyard >>>";
pub(crate) const END: &str = "# <<< switchyard <<<";

/// Where our block is: from its begin line to past its end line's newline.
pub(crate) fn find(text: &str) -> Result<Option<Range<usize>>, TextError> {
    let mut begin = None;
    let mut found = None;
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let bare = line.trim_end_matches(['\n', '\r']).trim_end();
        match (bare, begin) {
            (BEGIN, None) if found.is_some() => {
                return Err(TextError::new(
                    offset,
                    "a second switchyard block: remove one",
                ));
            }
            (BEGIN, None) => begin = Some(offset),
            (BEGIN, Some(_)) => {
                return Err(TextError::new(
                    offset,
                    "a switchyard block begins inside another",
                ));
            }
            (END, Some(start)) => {
                found = Some(start..offset + line.len());
                begin = None;
            }
            (END, None) => {
                return Err(TextError::new(
                    offset,
                    "a switchyard end line without its begin line",
                ));
            }
            _ => {}
        }
        offset += line.len();
    }
    match begin {
        Some(start) => Err(TextError::new(
            start,
            "the switchyard block has no end line",
        )),
        None => Ok(found),
    }
}

/// `text` with `block` in it, and the record to undo that.
pub(crate) fn configure(
    text: &str,
    block: &str,
    prior: Option<&BlockRecord>,
) -> Result<(String, BlockRecord), TextError> {
    let ours = Ours::of(block, true);
    if let Some(range) = find(text)? {
        let record = BlockRecord {
            lead: prior.map(|prior| prior.lead.clone()).unwrap_or_default(),
            before: match prior {
                Some(prior) => prior.before.clone(),
                None => Some(text[range.clone()].to_owned()),
            },
            ours,
        };
        let mut new = text.to_owned();
        new.replace_range(range, block);
        return Ok((new, record));
    }
    // A blank line in front, after ending an unterminated last line.
    let lead = match text {
        "" => "",
        _ if text.ends_with('\n') => "\n",
        _ => "\n\n",
    };
    let record = BlockRecord {
        lead: lead.to_owned(),
        before: None,
        ours,
    };
    Ok((format!("{text}{lead}{block}"), record))
}

/// `text` without our block (or with the block that was there before it);
/// a block changed by hand is left, with a note.
pub(crate) fn undo(
    text: &str,
    record: &BlockRecord,
    notes: &mut Vec<String>,
) -> Result<String, TextError> {
    let Some(range) = find(text)? else {
        notes.push("the switchyard block had already been removed".to_owned());
        return Ok(text.to_owned());
    };
    if !record.ours.matches(&text[range.clone()]) {
        notes.push(
            "left the switchyard block as it is: it was changed by hand after Switchyard wrote it"
                .to_owned(),
        );
        return Ok(text.to_owned());
    }
    let mut new = text.to_owned();
    match &record.before {
        Some(before) => new.replace_range(range, before),
        None => {
            let mut lead = record.lead.as_str();
            // Lines added after the block keep the newline that ended the
            // file's last line, or they would join it.
            if lead == "\n\n" && range.end < text.len() {
                lead = "\n";
            }
            let start = match text[..range.start].ends_with(lead) {
                true => range.start - lead.len(),
                false => range.start,
            };
            new.replace_range(start..range.end, "");
        }
    }
    Ok(new)
}

/// Whether our block is no longer what we wrote (`None`: no block).
pub(crate) fn drifted(text: &str, record: &BlockRecord) -> Option<bool> {
    let range = find(text).ok()??;
    Some(!record.ours.matches(&text[range]))
}
