//! Source discovery, import extraction, module resolution and the dependency graph.

mod auto_facts;
pub mod cache;
pub mod config_file;
pub mod deps;
pub mod discover;
pub mod endpoints;
pub mod events;
pub mod framework_aliases;
pub mod graph;
pub mod imports;
pub mod messages;
pub mod nuxt;
pub mod resolve;
pub mod sfc;
pub mod symbols;
pub mod workspaces;

pub use graph::{BuildStats, DependencyGraph, Edge, GraphOptions};
