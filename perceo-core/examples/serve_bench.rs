//! In-process baseline for `bench/serve.sh`: the analysis `POST /observer/analyze` runs
//! (`Perceo::analyze_change_set`: impact analysis over the checkout, stored in the graph,
//! published on the bus), called directly on one shared facade, without HTTP.
//!
//! ```text
//! cargo run --release -p perceo-core --example serve_bench -- PROJECT_DIR BASE HEAD [CALLS] [THREADS]
//! ```
//!
//! Prints one JSON line: calls, threads, seconds, calls per second, mean / p50 / p99 ms.

use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Instant;

use perceo_core::api::observer::AnalyzeRequest;
use perceo_core::{Env, OpenOptions, Perceo};

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

fn run(args: &[String]) -> Result<String, String> {
    let [dir, base, head, rest @ ..] = args else {
        return Err("usage: serve_bench PROJECT_DIR BASE HEAD [CALLS] [THREADS]".into());
    };
    let calls: usize = rest
        .first()
        .map_or(Ok(200), |s| s.parse())
        .map_err(|e| format!("CALLS: {e}"))?;
    let threads: usize = rest
        .get(1)
        .map_or(Ok(1), |s| s.parse())
        .map_err(|e| format!("THREADS: {e}"))?;
    let dir = Path::new(dir);
    let perceo = Perceo::open(
        dir,
        OpenOptions {
            env: Env::from_process(),
            local: true,
            ..Default::default()
        },
    )
    .map_err(|e| e.to_string())?;
    let changes = perceo_core::git::changes_between(dir, base, head).map_err(|e| e.to_string())?;
    let request = Arc::new(AnalyzeRequest {
        base_sha: changes.base_sha,
        head_sha: changes.head_sha,
        files: changes.changes,
        merge_base: Some(changes.merge_base),
        on_empty: None,
    });
    let perceo = Arc::new(perceo);
    for _ in 0..5 {
        perceo.analyze_change_set(&request).map_err(|e| e.to_string())?;
    }
    let started = Instant::now();
    let per_thread = calls.div_ceil(threads.max(1));
    let workers: Vec<_> = (0..threads.max(1))
        .map(|_| {
            let (perceo, request) = (perceo.clone(), request.clone());
            std::thread::spawn(move || -> Result<Vec<f64>, String> {
                let mut times = Vec::with_capacity(per_thread);
                for _ in 0..per_thread {
                    let t = Instant::now();
                    perceo.analyze_change_set(&request).map_err(|e| e.to_string())?;
                    times.push(t.elapsed().as_secs_f64() * 1000.0);
                }
                Ok(times)
            })
        })
        .collect();
    let mut times = Vec::new();
    for w in workers {
        times.extend(w.join().map_err(|_| "a worker panicked".to_string())??);
    }
    let seconds = started.elapsed().as_secs_f64();
    times.sort_by(f64::total_cmp);
    let mean = times.iter().sum::<f64>() / times.len() as f64;
    Ok(serde_json::json!({
        "calls": times.len(),
        "threads": threads,
        "seconds": (seconds * 1000.0).round() / 1000.0,
        "perSecond": (times.len() as f64 / seconds * 10.0).round() / 10.0,
        "meanMs": (mean * 100.0).round() / 100.0,
        "p50Ms": (percentile(&times, 0.5) * 100.0).round() / 100.0,
        "p99Ms": (percentile(&times, 0.99) * 100.0).round() / 100.0,
    })
    .to_string())
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match run(&args) {
        Ok(line) => {
            println!("{line}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("serve_bench: {e}");
            ExitCode::from(2)
        }
    }
}
