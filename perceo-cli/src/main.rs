//! The `perceo` binary.

/// mimalloc: the analysis allocates and frees many small values on two or more threads at
/// once, where the system allocator's arena locks cost more than the work.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    perceo_cli::run(std::env::args_os())
}
