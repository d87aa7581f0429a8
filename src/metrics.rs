//! The service's metrics, one registry per running service (no global
//! state: two services in one process, as in the tests, count apart),
//! exposed in the Prometheus text format on the admin port (`/metrics`).
//! Names follow the OpenTelemetry semantic conventions for RPC where one
//! exists (`rpc.server.duration` is `rpc_server_duration_seconds` here);
//! every metric is described in docs/operations.md.

use std::sync::Arc;

use prometheus::{
    Encoder, Histogram, HistogramOpts, HistogramVec, IntCounter, IntCounterVec, IntGauge,
    IntGaugeVec, Opts, Registry, TextEncoder,
};

/// Latency buckets in seconds: 0.5 ms to 10 s.
const SECONDS: [f64; 14] = [
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

/// The labels of an RPC, as the semantic conventions name them.
const RPC: [&str; 2] = ["rpc_service", "rpc_method"];

/// Every metric, shared by the parts that record them.
pub struct Metrics {
    registry: Registry,
    /// Calls by RPC and gRPC status code, with their duration.
    rpc_duration: HistogramVec,
    /// Calls being served now, by RPC.
    rpc_active: IntGaugeVec,
    /// Cart calls refused at once for overload (OVERLOADED).
    pub rpc_shed: IntCounter,
    /// Shopper writes refused for their session's rate (RATE_LIMITED).
    pub rpc_rate_limited: IntCounter,
    /// Catalog calls by outcome, with their duration.
    catalog_duration: HistogramVec,
    /// Catalog calls retried after UNAVAILABLE.
    pub catalog_retries: IntCounter,
    /// Catalog lookups answered from the cache (`hit`) or not (`miss`).
    catalog_cache: IntCounterVec,
    /// 1 while the catalog's circuit breaker is open.
    pub catalog_breaker_open: IntGauge,
    /// Database pool connections, `in_use` and `idle`.
    db_connections: IntGaugeVec,
    /// Time to begin a transaction, getting a pooled connection included.
    pub db_acquire: Histogram,
    /// Writes attempted again after a conflict.
    pub write_retries: IntCounter,
    /// Maintenance runs by outcome (`ran`, `skipped_not_leader`, `failed`).
    job_runs: IntCounterVec,
    /// Rows the maintenance job changed, by kind.
    job_rows: IntCounterVec,
    recovery_emails: IntCounterVec,
    /// Duration of a maintenance run that ran.
    pub job_duration: Histogram,
    /// Unix time of the last maintenance run that ran.
    pub job_last_run: IntGauge,
    /// Cart events recorded, by kind: `created` (carts created),
    /// `item_added` (lines added), `merged` (one on each cart of a merge:
    /// count merges with `merges`), `completed`, `abandoned`, …
    cart_events: IntCounterVec,
    /// Merges of a guest cart into a customer's, by strategy.
    merges: IntCounterVec,
    /// GetCart reads by what the cart cache did: `hit`, `miss` (read the
    /// database and filled), `behind` (cached older than `min_version`),
    /// `bypassed` (cache not usable now).
    cart_cache_reads: IntCounterVec,
    /// Calls to the cart cache that failed, by operation.
    cart_cache_failures: IntCounterVec,
    /// 1 while the cart cache is trusted and used.
    pub cart_cache_usable: IntGauge,
    /// Session writes charged to the replica's own budget because the
    /// shared one (Redis) failed.
    pub rate_limit_fallbacks: IntCounter,
    /// 1 while session budgets are shared through Redis.
    pub rate_limit_shared: IntGauge,
}

impl std::fmt::Debug for Metrics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Metrics")
    }
}

/// Registers `metric` in `registry` and returns it.
fn registered<M>(registry: &Registry, metric: Result<M, prometheus::Error>) -> M
where
    M: prometheus::core::Collector + Clone + 'static,
{
    // Names, labels and buckets are constants of this file: an error is a
    // mistake here, caught by this module's test.
    let metric = metric.expect("a valid metric definition");
    registry
        .register(Box::new(metric.clone()))
        .expect("a metric name registered once");
    metric
}

fn histogram(name: &str, help: &str) -> HistogramOpts {
    HistogramOpts::new(name, help).buckets(SECONDS.to_vec())
}

impl Metrics {
    /// A registry with every metric at zero.
    pub fn new() -> Arc<Self> {
        let r = Registry::new();
        let counter = |name: &str, help: &str| registered(&r, IntCounter::new(name, help));
        let counters = |name: &str, help: &str| {
            registered(&r, IntCounterVec::new(Opts::new(name, help), &["kind"]))
        };
        let m = Self {
            rpc_duration: registered(
                &r,
                HistogramVec::new(
                    histogram(
                        "rpc_server_duration_seconds",
                        "Duration of gRPC calls served, by RPC and status code",
                    ),
                    &["rpc_service", "rpc_method", "rpc_grpc_status_code"],
                ),
            ),
            rpc_active: registered(
                &r,
                IntGaugeVec::new(
                    Opts::new("rpc_server_active_requests", "gRPC calls being served now"),
                    &RPC,
                ),
            ),
            rpc_shed: counter(
                "cart_calls_shed_total",
                "Cart calls refused at once because the replica was at its in-flight cap",
            ),
            rpc_rate_limited: counter(
                "cart_calls_rate_limited_total",
                "Shopper writes refused for their session's write rate",
            ),
            catalog_duration: registered(
                &r,
                HistogramVec::new(
                    histogram(
                        "cart_catalog_call_duration_seconds",
                        "Duration of catalog calls, by outcome",
                    ),
                    &["kind"],
                ),
            ),
            catalog_retries: counter(
                "cart_catalog_retries_total",
                "Catalog calls retried after UNAVAILABLE",
            ),
            catalog_cache: counters(
                "cart_catalog_cache_lookups_total",
                "Catalog lookups answered from the cache (hit) or not (miss)",
            ),
            catalog_breaker_open: registered(
                &r,
                IntGauge::new(
                    "cart_catalog_breaker_open",
                    "1 while the catalog circuit breaker is open",
                ),
            ),
            db_connections: registered(
                &r,
                IntGaugeVec::new(
                    Opts::new(
                        "cart_db_connections",
                        "Database pool connections, in use and idle",
                    ),
                    &["kind"],
                ),
            ),
            db_acquire: registered(
                &r,
                Histogram::with_opts(histogram(
                    "cart_db_acquire_seconds",
                    "Time to begin a transaction, getting a pooled connection included",
                )),
            ),
            write_retries: counter(
                "cart_write_retries_total",
                "Writes attempted again after a conflict",
            ),
            job_runs: counters("cart_job_runs_total", "Maintenance runs, by outcome"),
            job_rows: counters(
                "cart_job_rows_total",
                "Rows changed by the maintenance job, by kind",
            ),
            job_duration: registered(
                &r,
                Histogram::with_opts(histogram(
                    "cart_job_duration_seconds",
                    "Duration of maintenance runs",
                )),
            ),
            job_last_run: registered(
                &r,
                IntGauge::new(
                    "cart_job_last_run_timestamp_seconds",
                    "Unix time of the last maintenance run",
                ),
            ),
            recovery_emails: counters(
                "cart_recovery_emails_total",
                "Recovery e-mail by outcome: queued, suppressed (unsubscribed), sent, retried, failed, released (given back unsent at a stop)",
            ),
            cart_events: counters("cart_events_total", "Cart events recorded, by kind"),
            merges: counters(
                "cart_merges_total",
                "Guest carts merged into a customer's, by strategy",
            ),
            cart_cache_reads: counters(
                "cart_cache_reads_total",
                "GetCart reads by cache outcome: hit, miss, behind (older than min_version), bypassed",
            ),
            cart_cache_failures: counters(
                "cart_cache_failures_total",
                "Calls to the cart cache (Redis) that failed, by operation",
            ),
            cart_cache_usable: registered(
                &r,
                IntGauge::new(
                    "cart_cache_usable",
                    "1 while the cart cache is trusted and used by GetCart",
                ),
            ),
            rate_limit_fallbacks: counter(
                "cart_rate_limit_fallbacks_total",
                "Session writes charged to this replica's own budget because the shared one (Redis) failed",
            ),
            rate_limit_shared: registered(
                &r,
                IntGauge::new(
                    "cart_rate_limit_shared",
                    "1 while session write budgets are shared by every replica through Redis",
                ),
            ),
            registry: r.clone(),
        };
        // Series a dashboard rates over exist from the start, at zero, so
        // the first change after a restart shows.
        for outcome in ["ran", "skipped_not_leader", "failed"] {
            m.job_runs.with_label_values(&[outcome]);
        }
        for rows in [
            "expired",
            "purged_abandoned",
            "purged_merged",
            "purged_empty_guest",
            "purged_idempotency_keys",
            "purged_recovery_outbox",
            "purged_device_signals",
            "purged_guest_lists",
        ] {
            m.job_rows.with_label_values(&[rows]);
        }
        for outcome in [
            "queued",
            "back_in_stock_queued",
            "suppressed",
            "sent",
            "retried",
            "failed",
        ] {
            m.recovery_emails.with_label_values(&[outcome]);
        }
        for lookup in ["hit", "miss"] {
            m.catalog_cache.with_label_values(&[lookup]);
        }
        for outcome in ["hit", "miss", "behind", "bypassed"] {
            m.cart_cache_reads.with_label_values(&[outcome]);
        }
        for op in ["read", "fill", "invalidate", "flush"] {
            m.cart_cache_failures.with_label_values(&[op]);
        }
        Arc::new(m)
    }

    /// Everything, in the Prometheus text format.
    pub fn render(&self) -> String {
        let mut out = Vec::new();
        if let Err(error) = TextEncoder::new().encode(&self.registry.gather(), &mut out) {
            tracing::warn!(%error, "metrics could not be encoded");
        }
        String::from_utf8(out).unwrap_or_default()
    }

    /// The gauge of calls of `service`/`method` being served.
    pub fn rpc_active(&self, service: &str, method: &str) -> IntGauge {
        self.rpc_active.with_label_values(&[service, method])
    }

    /// Records a call of `service`/`method` that ended with `code` after
    /// `seconds`.
    pub fn rpc_done(&self, service: &str, method: &str, code: i32, seconds: f64) {
        self.rpc_duration
            .with_label_values(&[service, method, &code.to_string()])
            .observe(seconds);
    }

    /// Counts one cart event of `kind`.
    pub fn event(&self, kind: &str) {
        self.cart_events.with_label_values(&[kind]).inc();
    }

    /// Counts a merge by `strategy`.
    pub fn merge(&self, strategy: &str) {
        self.merges.with_label_values(&[strategy]).inc();
    }

    /// Counts a maintenance run that ended `outcome`.
    pub fn job_run(&self, outcome: &str) {
        self.job_runs.with_label_values(&[outcome]).inc();
    }

    /// Adds `rows` changed by the job, of `kind`.
    pub fn job_rows(&self, kind: &str, rows: u64) {
        self.job_rows.with_label_values(&[kind]).inc_by(rows);
    }

    /// Counts `n` recovery e-mails that came to `outcome`.
    pub fn recovery_email(&self, outcome: &str, n: u64) {
        self.recovery_emails.with_label_values(&[outcome]).inc_by(n);
    }

    /// Records a catalog call that ended `outcome` after `seconds`.
    pub fn catalog_call(&self, outcome: &str, seconds: f64) {
        self.catalog_duration
            .with_label_values(&[outcome])
            .observe(seconds);
    }

    /// Counts a catalog cache lookup.
    pub fn catalog_cache(&self, hit: bool) {
        let kind = if hit { "hit" } else { "miss" };
        self.catalog_cache.with_label_values(&[kind]).inc();
    }

    /// Counts a GetCart read by its cache `outcome`.
    pub fn cart_cache_read(&self, outcome: &str) {
        self.cart_cache_reads.with_label_values(&[outcome]).inc();
    }

    /// Counts a failed call to the cart cache.
    pub fn cart_cache_failure(&self, op: &str) {
        self.cart_cache_failures.with_label_values(&[op]).inc();
    }

    /// Sets the pool's connection counts.
    pub fn db_pool(&self, in_use: u32, idle: u32) {
        self.db_connections
            .with_label_values(&["in_use"])
            .set(i64::from(in_use));
        self.db_connections
            .with_label_values(&["idle"])
            .set(i64::from(idle));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_metric_is_defined_once_and_renders() {
        let metrics = Metrics::new();
        metrics.rpc_done("shop.cart.v1.CartService", "GetCart", 0, 0.002);
        let text = metrics.render();
        assert!(text.contains("# TYPE rpc_server_duration_seconds histogram"));
        assert!(text.contains("cart_job_runs_total{kind=\"ran\"} 0"));
    }
}
