//! A counted run (`--calls N`): the carts filled as for a timed run, then
//! `--warmup-calls` calls, then `--on-measure-start` (a shell command), then
//! exactly N calls, then `--on-measure-end`. For counting what a call costs
//! in instructions (`scripts/callgrind.sh` zeroes and dumps the service's
//! counters from the hooks), where time means nothing.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use tokio::sync::Barrier;
use tonic::transport::Channel;
use tonic_health::pb::health_client::HealthClient;

use crate::calls::one_call;
use crate::client::*;

/// Runs `calls` measured calls over `channels`; the report.
pub(crate) async fn counted(
    shared: Arc<Shared>,
    channels: Vec<Channel>,
    calls: u64,
) -> Result<serde_json::Value, String> {
    let options = &shared.options;
    let warm = options.warmup_calls;
    let tickets = Arc::new(AtomicU64::new(0));
    let barrier = Arc::new(Barrier::new(options.in_flight));
    let started = Arc::new(Barrier::new(options.in_flight));
    let tasks: Vec<_> = (0..options.in_flight)
        .map(|n| {
            let (shared, tickets) = (shared.clone(), tickets.clone());
            let (barrier, started) = (barrier.clone(), started.clone());
            let channel = channels[n % channels.len()].clone();
            tokio::spawn(async move {
                let cart = connect_cart(channel.clone(), &shared.options)?;
                let mut health = HealthClient::new(channel);
                let mut seq = 0;
                let mut errors = 0u64;
                for until in [warm, warm + calls] {
                    while take(&tickets, until) {
                        if one_call(&shared, n, seq, &cart, &mut health).await.is_err() {
                            errors += 1;
                        }
                        seq += 1;
                    }
                    if until == warm {
                        // One worker runs the hook while the others wait.
                        if barrier.wait().await.is_leader() {
                            hook(shared.options.on_measure_start.as_deref())?;
                        }
                        started.wait().await;
                        errors = 0;
                    }
                }
                Ok::<u64, String>(errors)
            })
        })
        .collect();
    let mut errors = 0;
    for task in tasks {
        errors += task.await.map_err(|e| format!("worker failed: {e}"))??;
    }
    hook(options.on_measure_end.as_deref())?;
    Ok(serde_json::json!({
        "scenario": options.scenario.name(),
        "keyed": options.keyed,
        "calls": calls,
        "warmup_calls": warm,
        "in_flight": options.in_flight,
        "errors": errors,
    }))
}

/// Takes one ticket below `until`, if any is left.
fn take(tickets: &AtomicU64, until: u64) -> bool {
    tickets
        .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |t| {
            (t < until).then_some(t + 1)
        })
        .is_ok()
}

/// Runs `command` with `sh -c`, when given; its failure ends the run.
fn hook(command: Option<&str>) -> Result<(), String> {
    let Some(command) = command else {
        return Ok(());
    };
    let status = std::process::Command::new("sh")
        .args(["-c", command])
        .status()
        .map_err(|e| format!("{command:?}: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("{command:?} failed: {status}"))
    }
}
