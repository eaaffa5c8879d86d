//! One module per wire format, each with the same entry points.

pub mod anthropic;
pub mod openai_chat;
mod lenient;
mod text_or;

pub(crate) use lenient::LenientText;
pub(crate) use text_or::TextOr;
