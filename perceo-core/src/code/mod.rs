//! Source discovery, import extraction, module resolution and the dependency graph.

pub mod discover;
pub mod graph;
pub mod imports;
pub mod resolve;

pub use graph::{DependencyGraph, Edge, GraphOptions};
