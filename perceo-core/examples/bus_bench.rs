//! Event-bus benchmark against a real Redis: events per second published and delivered
//! (one at a time, and in batches), and events lost on replay after a subscriber restart.
//!
//! ```text
//! cargo run --release -p perceo-core --example bus_bench -- redis://perceo:PW@127.0.0.1:16379
//! ```

use std::time::Instant;

use perceo_core::bus::redis::RedisBus;
use perceo_core::bus::{Delivery, Event, EventBus, EventFilter, EventMetadata, EventType, Since};

fn events(n: usize) -> Vec<Event> {
    (0..n)
        .map(|i| {
            Event::new(
                EventType::CoordinatorTestFailed,
                "bench",
                serde_json::json!({"flowId": format!("flow-{i}"), "message": "expected cart badge to show 1"}),
                EventMetadata {
                    user_id: None,
                    project_id: Some("bench".into()),
                    environment: Some("ci".into()),
                },
            )
        })
        .collect()
}

async fn run(url: &str, label: &str, n: usize, batch: usize) {
    let channel = format!("perceo-bench:{}", uuid::Uuid::now_v7());
    let bus = RedisBus::connect(url, Some(&channel), 1_000_000)
        .await
        .expect("connect");
    let mut sub = bus.subscribe(EventFilter::default(), None).await.expect("subscribe");
    let all = events(n);
    let started = Instant::now();
    let receiver = tokio::spawn(async move {
        let mut got = 0;
        while got < n {
            match sub.next().await {
                Some(Ok(Delivery::Event(_))) => got += 1,
                other => panic!("unexpected {other:?}"),
            }
        }
        started.elapsed()
    });
    for chunk in all.chunks(batch) {
        bus.publish_many(chunk).await.expect("publish");
    }
    let published = started.elapsed();
    let delivered = receiver.await.unwrap();
    println!(
        "| {label} | {n} | {:.0} | {:.0} |",
        n as f64 / published.as_secs_f64(),
        n as f64 / delivered.as_secs_f64()
    );

    // A subscriber that went away: everything after the last event it saw comes back on replay.
    let half = all[n / 2].id.clone();
    let replayed = bus
        .replay(Since::Id(half), &EventFilter::default(), usize::MAX)
        .await
        .expect("replay");
    let expected = n - n / 2 - 1;
    println!(
        "|   replay after a restart at event {} | {} of {expected} (lost {}) | | |",
        n / 2,
        replayed.len(),
        expected - replayed.len().min(expected)
    );
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let url = std::env::args().nth(1).expect("usage: bus_bench REDIS_URL");
    println!("| mode | events | published /s | delivered /s |");
    println!("|---|---:|---:|---:|");
    run(&url, "one event per call", 20_000, 1).await;
    run(&url, "batches of 100", 100_000, 100).await;
    run(&url, "batches of 1000", 100_000, 1000).await;
}
