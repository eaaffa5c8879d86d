//! The canonical intermediate representation every wire format decodes into
//! and encodes out of. Kept separate from wire types so a format's quirks
//! never leak into another's.

mod replay;
mod request;
mod response;
mod stream;
mod text;

pub use replay::response_events;
pub use request::{
    ImageSource, Message, Part, Reasoning, ReasoningEffort, Request, ResponseFormat, Role, Tool,
    ToolChoice, ToolResultPart,
};
pub use response::{Response, StopReason, Usage};
pub use stream::{BlockKind, Delta, StreamEvent};
pub use text::{Text, TextBuilder, TextRef};
