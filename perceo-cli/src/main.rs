//! The `perceo` binary.

fn main() -> std::process::ExitCode {
    perceo_cli::run(std::env::args_os())
}
