//! Source discovery, import extraction, module resolution and the dependency graph.

pub mod cache;
pub mod config_file;
pub mod deps;
pub mod discover;
pub mod framework_aliases;
pub mod graph;
pub mod imports;
pub mod resolve;

pub use graph::{BuildStats, DependencyGraph, Edge, GraphOptions};
