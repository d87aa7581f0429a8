//! Drives a run: workers issuing the scenario's calls, counted by outcome, and the
//! report.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::AtomicU64;
use std::time::Instant;

use crate::calls::one_call;
use crate::client::*;
use crate::options::*;
use tonic::transport::Channel;
use tonic_health::pb::health_client::HealthClient;

/// What one worker measured after the warm-up.
#[derive(Default)]
pub(crate) struct Tally {
    pub(crate) latencies_us: Vec<u32>,
    pub(crate) errors: BTreeMap<Failure, u64>,
}

pub(crate) async fn worker(
    shared: Arc<Shared>,
    worker: usize,
    channel: Channel,
    measure_from: Instant,
    stop_at: Instant,
) -> Result<Tally, String> {
    let cart = connect_cart(channel.clone(), &shared.options)?;
    let mut health = HealthClient::new(channel);
    let mut tally = Tally::default();
    for seq in 0.. {
        let started = Instant::now();
        if started >= stop_at {
            break;
        }
        let outcome = one_call(&shared, worker, seq, &cart, &mut health).await;
        if started < measure_from {
            continue;
        }
        match outcome {
            Ok(()) => {
                let us = started.elapsed().as_micros();
                tally
                    .latencies_us
                    .push(u32::try_from(us).unwrap_or(u32::MAX));
            }
            Err(failure) => *tally.errors.entry(failure).or_default() += 1,
        }
    }
    Ok(tally)
}

/// The nearest-rank percentile `permille`/1000 of `sorted` microseconds, in
/// milliseconds.
pub(crate) fn percentile(sorted: &[u32], permille: usize) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let rank = (permille * sorted.len()).div_ceil(1000);
    f64::from(sorted[rank.clamp(1, sorted.len()) - 1]) / 1000.0
}

pub(crate) async fn run(options: Options) -> Result<serde_json::Value, String> {
    let channels = connect(&options)?;
    // The bare health server of `serve-health` knows only "".
    let ready = match options.scenario {
        Scenario::Health => "",
        _ => "shop.cart.v1.CartService",
    };
    wait_ready(channels[0].clone(), ready, options.wait_ready).await?;
    let products = load_products(&options.fixture, options.lines)?;
    let run = format!("{:x}", fastrand::u64(..));
    let carts = match options.scenario {
        Scenario::GetCart | Scenario::Mixed | Scenario::UpdateItem | Scenario::Validate => {
            let client = connect_cart(channels[0].clone(), &options)?;
            fill_carts(&client, &run, &products, options.carts, options.lines).await?
        }
        Scenario::Health | Scenario::AddItem => Vec::new(),
    };
    let shared = Arc::new(Shared {
        options: options.clone(),
        run,
        products,
        carts,
        next: AtomicU64::new(0),
    });
    if let Some(calls) = options.calls {
        return crate::counted::counted(shared, channels, calls).await;
    }
    let start = Instant::now();
    let measure_from = start + options.warmup;
    let stop_at = measure_from + options.duration;
    let cpu = options
        .cpu_of
        .map(|pid| tokio::spawn(crate::cpu::spent(pid, measure_from, stop_at)));
    let tasks: Vec<_> = (0..options.in_flight)
        .map(|n| {
            tokio::spawn(worker(
                shared.clone(),
                n,
                channels[n % channels.len()].clone(),
                measure_from,
                stop_at,
            ))
        })
        .collect();
    let mut latencies = Vec::new();
    let mut errors: BTreeMap<String, u64> = BTreeMap::new();
    for task in tasks {
        let tally = task.await.map_err(|e| format!("worker failed: {e}"))??;
        latencies.extend(tally.latencies_us);
        for (failure, count) in tally.errors {
            let name = match failure {
                Failure::Status(code) => code,
                Failure::WrongAnswer => "WRONG_ANSWER".into(),
            };
            *errors.entry(name).or_default() += count;
        }
    }
    latencies.sort_unstable();
    let seconds = options.duration.as_secs_f64();
    let ok = latencies.len() as u64;
    let error_count: u64 = errors.values().sum();
    let spent = match cpu {
        Some(task) => task.await.map_err(|e| format!("cpu reader failed: {e}"))?,
        None => None,
    };
    // Every call in the window, failed ones included, cost CPU.
    let calls = (ok + error_count).max(1) as f64;
    let cpu_us = spent.map(|s| {
        serde_json::json!({
            "service": (s.service_s * 1e6 / calls).round(),
            "postgres": (s.postgres_s * 1e6 / calls).round(),
            "redis": (s.redis_s * 1e6 / calls).round(),
        })
    });
    Ok(serde_json::json!({
        "scenario": options.scenario.name(),
        "keyed": options.keyed,
        "target": options.target,
        "connections": options.connections,
        "in_flight": options.in_flight,
        "duration_s": seconds,
        "warmup_s": options.warmup.as_secs_f64(),
        "ok": ok,
        "errors": error_count,
        "errors_by_code": errors,
        "rps": ok as f64 / seconds,
        "cpu_us_per_call": cpu_us,
        "latency_ms": {
            "p50": percentile(&latencies, 500),
            "p90": percentile(&latencies, 900),
            "p99": percentile(&latencies, 990),
            "p99_9": percentile(&latencies, 999),
            "max": percentile(&latencies, 1000),
        },
    }))
}

pub(crate) fn print_text(report: &serde_json::Value) {
    let get = |path: &[&str]| path.iter().fold(report, |v, k| &v[*k]).to_string();
    println!(
        "scenario {}  target {}  connections {}  in-flight {}  duration {} s (after {} s warm-up)",
        report["scenario"].as_str().unwrap_or_default(),
        report["target"].as_str().unwrap_or_default(),
        get(&["connections"]),
        get(&["in_flight"]),
        get(&["duration_s"]),
        get(&["warmup_s"]),
    );
    println!(
        "requests/s {:.0}  ok {}  errors {}",
        report["rps"].as_f64().unwrap_or_default(),
        get(&["ok"]),
        get(&["errors"]),
    );
    println!(
        "latency ms  p50 {}  p90 {}  p99 {}  p99.9 {}  max {}",
        get(&["latency_ms", "p50"]),
        get(&["latency_ms", "p90"]),
        get(&["latency_ms", "p99"]),
        get(&["latency_ms", "p99_9"]),
        get(&["latency_ms", "max"]),
    );
    if report["cpu_us_per_call"].is_object() {
        println!(
            "CPU µs per call  service {}  postgres {}  redis {}",
            get(&["cpu_us_per_call", "service"]),
            get(&["cpu_us_per_call", "postgres"]),
            get(&["cpu_us_per_call", "redis"]),
        );
    }
    if let Some(errors) = report["errors_by_code"].as_object() {
        for (code, count) in errors {
            println!("errors {code}: {count}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_are_nearest_rank_in_milliseconds() {
        let sorted: Vec<u32> = (1..=1000).map(|n| n * 1000).collect();
        assert_eq!(percentile(&sorted, 500), 500.0);
        assert_eq!(percentile(&sorted, 990), 990.0);
        assert_eq!(percentile(&sorted, 999), 999.0);
        assert_eq!(percentile(&sorted, 1000), 1000.0);
        assert_eq!(percentile(&[], 500), 0.0);
    }
}
