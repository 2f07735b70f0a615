//! One analysis of a project through the Rust API, timed: open once, then `N` analyses.
//!
//! ```text
//! cargo run --release -p perceo-core --example analyze_bench -- PROJECT_DIR BASE HEAD [N]
//! ```

use std::time::Instant;

use perceo_core::impact::OnEmpty;
use perceo_core::{AnalyzeOptions, ChangeSource, Env, OpenOptions, Perceo};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (dir, base, head) = (&args[0], &args[1], &args[2]);
    let n: usize = args.get(3).map_or(20, |s| s.parse().expect("N"));
    let perceo = Perceo::open(
        dir.as_ref(),
        OpenOptions {
            env: Env::from_process(),
            ..Default::default()
        },
    )
    .expect("open");
    let options = AnalyzeOptions {
        source: ChangeSource::Refs {
            base: base.clone(),
            head: head.clone(),
        },
        on_empty: OnEmpty::All,
    };
    let first = Instant::now();
    perceo.analyze(&options).expect("analyze");
    let first = first.elapsed();
    let started = Instant::now();
    for _ in 0..n {
        perceo.analyze(&options).expect("analyze");
    }
    let mean = started.elapsed().as_secs_f64() * 1000.0 / n as f64;
    println!(
        "rust: first call {:.2} ms, then mean {mean:.2} ms over {n} calls",
        first.as_secs_f64() * 1000.0
    );
}
