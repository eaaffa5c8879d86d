//! Session affinity: the requests of one conversation stay on one key, so
//! the upstream's prompt cache keeps hitting. A direct-mapped table of
//! atomics: bounded (16 384 entries, 128 KiB), lock-free; a newer
//! conversation that lands in a slot replaces the older one.

use std::hash::{DefaultHasher, Hasher};
use std::sync::atomic::{AtomicU64, Ordering};

use http::HeaderMap;
use serde::Deserialize;
use serde_json::value::RawValue;

const SLOTS: usize = 16_384;
/// The low bits of an entry hold the key's index + 1 (0: empty slot).
const KEY_BITS: u32 = 8;

pub struct Affinity {
    slots: Box<[AtomicU64]>,
}

impl Default for Affinity {
    fn default() -> Self {
        Self {
            slots: (0..SLOTS).map(|_| AtomicU64::new(0)).collect(),
        }
    }
}

impl Affinity {
    /// The key this conversation last used at `provider`, if remembered.
    pub fn recall(&self, session: u64, provider: usize) -> Option<usize> {
        let (slot, tag) = place(session, provider);
        let entry = self.slots[slot].load(Ordering::Relaxed);
        let key = usize::try_from(entry & ((1 << KEY_BITS) - 1)).ok()?;
        (entry >> KEY_BITS == tag && key > 0).then(|| key - 1)
    }

    /// Stores only on a change: a conversation that stays put costs a load.
    pub fn remember(&self, session: u64, provider: usize, key: usize) {
        let (slot, tag) = place(session, provider);
        let Ok(key) = u64::try_from(key + 1) else {
            return;
        };
        let entry = (tag << KEY_BITS) | (key & ((1 << KEY_BITS) - 1));
        if self.slots[slot].load(Ordering::Relaxed) != entry {
            self.slots[slot].store(entry, Ordering::Relaxed);
        }
    }
}

fn place(session: u64, provider: usize) -> (usize, u64) {
    let mut hasher = DefaultHasher::new();
    hasher.write_u64(session);
    hasher.write_usize(provider);
    let hash = hasher.finish();
    let slot = usize::try_from(hash % SLOTS as u64).unwrap_or(0);
    (slot, hash >> KEY_BITS)
}

/// Which conversation a request belongs to: Claude Code's
/// `x-claude-code-session-id`, Codex's `prompt_cache_key`, else the system
/// prompt and the first turn (the same for every request of a conversation).
pub fn session_of(headers: &HeaderMap, body: &[u8]) -> Option<u64> {
    let mut hasher = DefaultHasher::new();
    if let Some(id) = headers.get("x-claude-code-session-id") {
        hasher.write(id.as_bytes());
        return Some(hasher.finish());
    }
    #[derive(Deserialize)]
    struct Wire<'a> {
        #[serde(borrow)]
        prompt_cache_key: Option<&'a RawValue>,
        #[serde(borrow)]
        system: Option<&'a RawValue>,
        #[serde(borrow)]
        instructions: Option<&'a RawValue>,
        #[serde(borrow, alias = "input", alias = "contents")]
        messages: Option<&'a RawValue>,
    }
    let wire: Wire<'_> = serde_json::from_slice(body).ok()?;
    if let Some(key) = wire.prompt_cache_key {
        hasher.write(key.get().as_bytes());
        return Some(hasher.finish());
    }
    let first = wire.messages.and_then(|raw| first_of(raw.get()));
    if wire.system.is_none() && wire.instructions.is_none() && first.is_none() {
        return None;
    }
    for part in [wire.system, wire.instructions].into_iter().flatten() {
        hasher.write(part.get().as_bytes());
    }
    hasher.write(first.unwrap_or_default().as_bytes());
    Some(hasher.finish())
}

/// The first element of a JSON array (or the value itself if not an array).
fn first_of(raw: &str) -> Option<&str> {
    struct First<'a>(Option<&'a RawValue>);
    impl<'de> Deserialize<'de> for First<'de> {
        fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
            struct Visitor;
            impl<'de> serde::de::Visitor<'de> for Visitor {
                type Value = First<'de>;
                fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                    f.write_str("an array")
                }
                fn visit_seq<A: serde::de::SeqAccess<'de>>(
                    self,
                    mut seq: A,
                ) -> Result<First<'de>, A::Error> {
                    let first = seq.next_element::<&'de RawValue>()?;
                    while seq.next_element::<serde::de::IgnoredAny>()?.is_some() {}
                    Ok(First(first))
                }
            }
            deserializer.deserialize_seq(Visitor)
        }
    }
    match serde_json::from_str::<First<'_>>(raw) {
        Ok(First(first)) => first.map(RawValue::get),
        Err(_) => Some(raw),
    }
}
