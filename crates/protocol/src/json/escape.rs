//! JSON string escaping, byte for byte what serde_json writes, checked 16
//! bytes at a time where serde_json looks every byte up in a table.

/// Appends `text` as a JSON string literal (quotes included).
pub(crate) fn write_str(out: &mut Vec<u8>, text: &str) {
    escape_to(out, text);
}

/// Appends `text` as a JSON string literal (quotes included).
pub fn escape_into(out: &mut String, text: &str) {
    escape_to(out, text);
}

/// Where escaped text goes: both sinks take only whole `str` pieces.
trait Sink {
    fn reserve_more(&mut self, additional: usize);
    fn push_piece(&mut self, piece: &str);
}

impl Sink for Vec<u8> {
    fn reserve_more(&mut self, additional: usize) {
        self.reserve(additional);
    }

    fn push_piece(&mut self, piece: &str) {
        self.extend_from_slice(piece.as_bytes());
    }
}

impl Sink for String {
    fn reserve_more(&mut self, additional: usize) {
        self.reserve(additional);
    }

    fn push_piece(&mut self, piece: &str) {
        self.push_str(piece);
    }
}

fn escape_to(out: &mut impl Sink, text: &str) {
    let bytes = text.as_bytes();
    out.reserve_more(bytes.len() + 2);
    out.push_piece("\"");
    // Text before `copied` is in `out`. Every index here is at an ASCII
    // byte, so slicing `text` there always falls on a char boundary.
    let mut copied = 0;
    let chunks = bytes.chunks_exact(CHUNK);
    let tail = chunks.remainder();
    for (index, chunk) in chunks.enumerate() {
        // Folded without short-circuit: the compiler checks the chunk with
        // vector compares, and most chunks need nothing.
        if !chunk
            .iter()
            .fold(false, |any, &byte| any | needs_escape(byte))
        {
            continue;
        }
        for (half, word) in chunk.chunks_exact(8).enumerate() {
            copied = write_escapes_in(out, text, copied, index * CHUNK + half * 8, word);
        }
    }
    // The tail (all of most keys and short values) a word at a time.
    let tail_start = bytes.len() - tail.len();
    for (index, word) in tail.chunks(8).enumerate() {
        copied = write_escapes_in(out, text, copied, tail_start + index * 8, word);
    }
    out.push_piece(&text[copied..]);
    out.push_piece("\"");
}

const CHUNK: usize = 16;

#[inline]
fn needs_escape(byte: u8) -> bool {
    byte < 0x20 || byte == b'"' || byte == b'\\'
}

const LOW_BITS: u64 = 0x0101_0101_0101_0101;
const HIGH_BITS: u64 = 0x8080_8080_8080_8080;

/// The high bit of each byte of `word` that must be escaped, and no other:
/// the sums below never carry from one byte into the next.
#[inline]
fn escape_bits(word: u64) -> u64 {
    let control = !((word & !HIGH_BITS).wrapping_add(LOW_BITS * 0x60) | word) & HIGH_BITS;
    let quote = zero_bytes(word ^ (LOW_BITS * u64::from(b'"')));
    let backslash = zero_bytes(word ^ (LOW_BITS * u64::from(b'\\')));
    control | quote | backslash
}

/// The high bit of each zero byte of `word`.
#[inline]
fn zero_bytes(word: u64) -> u64 {
    !((word & !HIGH_BITS).wrapping_add(!HIGH_BITS) | word) & HIGH_BITS
}

/// Escapes what must be in `word` (up to 8 bytes of `text` from
/// `offset`); returns the new `copied`.
#[inline]
fn write_escapes_in(
    out: &mut impl Sink,
    text: &str,
    mut copied: usize,
    offset: usize,
    word: &[u8],
) -> usize {
    // Padded with spaces, which need no escape.
    let mut padded = [b' '; 8];
    padded[..word.len()].copy_from_slice(word);
    let mut bits = escape_bits(u64::from_le_bytes(padded));
    while bits != 0 {
        let at = offset + (bits.trailing_zeros() / 8) as usize;
        copied = write_escaped(out, text, copied, at);
        bits &= bits - 1;
    }
    copied
}

/// Copies the plain text `copied..at`, then the escape of the byte at `at`;
/// returns the new `copied`.
#[inline]
fn write_escaped(out: &mut impl Sink, text: &str, copied: usize, at: usize) -> usize {
    out.push_piece(&text[copied..at]);
    write_escape(out, text.as_bytes()[at]);
    at + 1
}

fn write_escape(out: &mut impl Sink, byte: u8) {
    const HEX: &str = "0123456789abcdef";
    let short = match byte {
        b'"' => "\\\"",
        b'\\' => "\\\\",
        0x08 => "\\b",
        0x0c => "\\f",
        b'\n' => "\\n",
        b'\r' => "\\r",
        b'\t' => "\\t",
        _ => {
            let (high, low) = (usize::from(byte >> 4), usize::from(byte & 0x0f));
            out.push_piece("\\u00");
            out.push_piece(&HEX[high..=high]);
            out.push_piece(&HEX[low..=low]);
            return;
        }
    };
    out.push_piece(short);
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn escaped(text: &str) -> String {
        let mut out = Vec::new();
        write_str(&mut out, text);
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn every_ascii_byte_is_escaped_as_serde_json_does() {
        for byte in 0u8..=0x7f {
            let text = format!("ab{}cdefghijklmnopqrstuvwxyz{}", byte as char, byte as char);
            assert_eq!(
                escaped(&text),
                serde_json::to_string(&text).unwrap(),
                "{byte:#x}"
            );
        }
    }

    proptest! {
        #[test]
        fn matches_serde_json_on_any_text(text in any::<String>()) {
            prop_assert_eq!(escaped(&text), serde_json::to_string(&text).unwrap());
        }

        #[test]
        fn matches_serde_json_on_text_dense_in_escapes(
            text in proptest::string::string_regex("[a-z\"\\\\\n\t\u{0}-\u{1f}é😀]{0,80}").unwrap()
        ) {
            prop_assert_eq!(escaped(&text), serde_json::to_string(&text).unwrap());
        }
    }
}
