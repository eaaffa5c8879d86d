//! Writes OpenAI's o200k_base vocabulary in the compact form `src/tokens`
//! reads: every token's bytes in rank order (`o200k.tokens`) and where each
//! one starts (`o200k.offsets`, n + 1 little-endian u32). Taken from
//! tiktoken-rs at build time, so the binary carries ~2 MiB of data instead
//! of tiktoken-rs's hash maps (~46 MiB resident once loaded).

use std::error::Error;
use std::path::PathBuf;

/// o200k_base's ordinary tokens are ranks 0..199_998; the next rank is unused.
const ORDINARY_TOKENS: u32 = 199_998;

fn main() -> Result<(), Box<dyn Error>> {
    println!("cargo::rerun-if-changed=build.rs");
    let bpe = tiktoken_rs::o200k_base()?;
    let mut tokens = Vec::with_capacity(1 << 21);
    let mut offsets = Vec::with_capacity(4 * (ORDINARY_TOKENS as usize + 1));
    offsets.extend_from_slice(&0u32.to_le_bytes());
    for rank in 0..ORDINARY_TOKENS {
        tokens.extend_from_slice(&bpe.decode_bytes(&[rank])?);
        offsets.extend_from_slice(&u32::try_from(tokens.len())?.to_le_bytes());
    }
    if bpe.decode_bytes(&[ORDINARY_TOKENS]).is_ok() {
        return Err("o200k_base has more ordinary tokens than expected".into());
    }
    let out = PathBuf::from(std::env::var("OUT_DIR")?);
    std::fs::write(out.join("o200k.tokens"), tokens)?;
    std::fs::write(out.join("o200k.offsets"), offsets)?;
    Ok(())
}
