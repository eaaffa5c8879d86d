//! Local input-token counts with OpenAI's o200k_base BPE (GPT-4o, GPT-4.1,
//! GPT-5, o-series), for upstreams that cannot count.
//!
//! Here rather than in the protocol crate: 2 MiB of vocabulary and a regex
//! engine do not belong in the pure translation crate, which only says what
//! text a request holds (`switchyard_protocol::estimate`). Here rather than
//! through tiktoken-rs at run time: its maps take ~46 MiB once loaded, three
//! times the gateway's whole budget; this takes ~4 MiB, gives the same counts
//! (checked against tiktoken-rs in tests), and is built on the first local
//! count only, so a gateway that never counts locally never pays for it.

mod split;
mod vocab;

use std::sync::{Arc, LazyLock};

use switchyard_protocol::estimate;
use switchyard_protocol::ir::Request;

use split::Splitter;
use vocab::Vocab;

#[cfg(test)]
mod tests;

struct Tokenizer {
    splitter: Splitter,
    vocab: Vocab,
}

/// The one tokenizer, immutable once built: a process-wide cache rather than
/// injected state, since it depends on nothing and nothing configures it.
/// `None` only if the fixed pattern failed to compile; counts then fall back
/// to the length estimate rather than fail the request.
static TOKENIZER: LazyLock<Option<Tokenizer>> = LazyLock::new(|| {
    let splitter = Splitter::new()?;
    Some(Tokenizer {
        splitter,
        vocab: Vocab::new(),
    })
});

/// o200k_base tokens in `text`, special-token strings counted as plain text.
pub fn count(text: &str) -> u64 {
    match TOKENIZER.as_ref() {
        Some(tokenizer) => tokenizer.count(text),
        None => estimate::length_estimate(text),
    }
}

impl Tokenizer {
    fn count(&self, text: &str) -> u64 {
        let tokens: usize = self
            .splitter
            .pieces(text)
            .map(|piece| self.vocab.count(piece.as_bytes()))
            .sum();
        tokens as u64
    }
}

/// The request's input tokens: everything the upstream would read, each
/// text through o200k_base, plus images and OpenAI's chat framing.
pub fn input_tokens(request: &Request) -> u64 {
    estimate::countable(request).tokens(count)
}

/// `input_tokens` on tokio's blocking pool: a long conversation takes
/// milliseconds to count and the first count builds the tokenizer, neither
/// of which should hold an async worker. The length estimate stands in if
/// the count itself failed.
pub async fn input_tokens_blocking(request: Request) -> u64 {
    let request = Arc::new(request);
    let shared = Arc::clone(&request);
    tokio::task::spawn_blocking(move || input_tokens(&shared))
        .await
        .unwrap_or_else(|_| estimate::input_tokens(&request))
}
