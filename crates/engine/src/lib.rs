//! The Switchyard gateway engine: config, routing, upstream providers and the
//! HTTP server. No desktop dependency: the Tauri shell and the headless
//! `switchyard` binary both embed it.

pub mod catalog;
pub mod clients;
pub mod config;
pub mod control;
pub mod error;
pub mod logging;
pub mod providers;
pub mod routing;
pub mod secrets;
pub mod server;
pub mod tokens;
pub mod upstream;
pub mod usage;

pub use server::{Gateway, StartError};
