//! The main job on fixture repositories: change sets, the dependency graph, routes and the
//! affected flows with their reasons. Each test builds a real git repository. One test binary.

mod support;

mod pipeline;
mod reasons;
