//! `loadgen watch`: commit-to-watcher latency. Opens `--watchers` WatchCart
//! streams (one cart each, spread over 16 connections), then `--in-flight`
//! writers add to random watched carts for `--duration` seconds. Latency is
//! from the AddItem response (the commit) to the watcher receiving the view
//! at that version; a view that arrives before the response counts as 0.
//! Writes whose version no watcher received (coalesced into a later one) are
//! counted as coalesced, not as latencies; a cart whose last version never
//! arrived counts as lost.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use cart_client::proto::{self as pb, watch_cart_response::Update};
use futures::stream::{self, StreamExt, TryStreamExt};

use crate::client::*;
use crate::drive::percentile;
use crate::options::Options;

/// When each (session, version) was committed and when it was seen.
type Times = Arc<Mutex<HashMap<(usize, i64), Instant>>>;

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// Runs the measurement; the report as JSON.
pub(crate) async fn run_watch(
    options: Options,
    watchers: usize,
) -> Result<serde_json::Value, String> {
    let mut options = options;
    options.connections = options.connections.max(16);
    let channels = connect(&options)?;
    wait_ready(
        channels[0].clone(),
        "shop.cart.v1.CartService",
        options.wait_ready,
    )
    .await?;
    let clients: Vec<Cart> = channels
        .iter()
        .map(|c| connect_cart(c.clone(), &options))
        .collect::<Result<_, _>>()?;
    let products = load_products(&options.fixture, 1)?;
    let run = format!("{:x}", fastrand::u64(..));
    let session = |n: usize| format!("wb-{run}-{n}");
    // One cart per watcher.
    stream::iter(0..watchers)
        .map(|n| {
            let client = clients[n % clients.len()].clone();
            let request = add_request(&session(n), &products[n % products.len()], false);
            async move { client.add_item(request).await.map_err(|e| e.to_string()) }
        })
        .buffer_unordered(32)
        .try_collect::<Vec<_>>()
        .await?;
    let seen: Times = Arc::default();
    let mut readers = Vec::with_capacity(watchers);
    for n in 0..watchers {
        let mut stream = clients[n % clients.len()]
            .watch_cart(pb::WatchCartRequest {
                shopper: shopper(&session(n)),
                after_version: 0,
                ..Default::default()
            })
            .await
            .map_err(|e| format!("watch {n}: {e}"))?;
        // The first view, before any write is timed.
        stream.message().await.map_err(|e| e.to_string())?;
        let seen = seen.clone();
        readers.push(tokio::spawn(async move {
            while let Ok(Some(message)) = stream.message().await {
                if let Some(Update::Cart(cart)) = message.update {
                    lock(&seen).insert((n, cart.version), Instant::now());
                }
            }
        }));
    }
    let committed: Times = Arc::default();
    let stop_at = Instant::now() + options.duration;
    let writers: Vec<_> = (0..options.in_flight)
        .map(|w| {
            let client = clients[w % clients.len()].clone();
            let (committed, products) = (committed.clone(), products.clone());
            let sessions: Vec<String> = (0..watchers).map(session).collect();
            tokio::spawn(async move {
                while Instant::now() < stop_at {
                    let n = fastrand::usize(0..sessions.len());
                    let request = add_request(&sessions[n], &products[n % products.len()], false);
                    if let Ok(response) = client.add_item(request).await
                        && let Some(cart) = response.cart
                    {
                        lock(&committed).insert((n, cart.version), Instant::now());
                    }
                }
            })
        })
        .collect();
    for writer in writers {
        writer.await.map_err(|e| e.to_string())?;
    }
    // Deliveries still in flight.
    tokio::time::sleep(Duration::from_secs(2)).await;
    for reader in &readers {
        reader.abort();
    }
    report(&committed, &seen, watchers, options.duration)
}

fn report(
    committed: &Times,
    seen: &Times,
    watchers: usize,
    duration: Duration,
) -> Result<serde_json::Value, String> {
    let committed = lock(committed);
    let seen = lock(seen);
    let mut latencies: Vec<u32> = Vec::new();
    let mut coalesced = 0u64;
    for (key, at) in committed.iter() {
        match seen.get(key) {
            Some(received) => latencies.push(
                u32::try_from(received.saturating_duration_since(*at).as_micros())
                    .unwrap_or(u32::MAX),
            ),
            None => coalesced += 1,
        }
    }
    latencies.sort_unstable();
    // A change may be coalesced into a later one, never lost: every cart's
    // last committed version must have reached its watcher.
    let mut last_committed: HashMap<usize, i64> = HashMap::new();
    for (n, version) in committed.keys() {
        let last = last_committed.entry(*n).or_default();
        *last = (*last).max(*version);
    }
    let lost = last_committed
        .iter()
        .filter(|(n, version)| !seen.contains_key(&(**n, **version)))
        .count();
    Ok(serde_json::json!({
        "lost": lost,
        "watchers": watchers,
        "writes": committed.len(),
        "writes_per_sec": committed.len() as f64 / duration.as_secs_f64(),
        "delivered": latencies.len(),
        "coalesced": coalesced,
        "p50_ms": percentile(&latencies, 500),
        "p99_ms": percentile(&latencies, 990),
        "max_ms": percentile(&latencies, 1000),
    }))
}
