//! One module per wire format, each with the same entry points.

pub mod anthropic;
mod lenient;
pub mod openai_chat;
mod text_or;

pub(crate) use lenient::LenientText;
pub(crate) use text_or::TextOr;
