//! The real Redis of this machine (`TEST_REDIS_URL`, by default
//! `redis://127.0.0.1:6379`), for the read cache's tests: each test keys
//! its entries under a prefix of its own, so tests share one server.

use cart_service::config::{Secret, Settings};

use super::proxy::DbProxy;

const DEFAULT_REDIS: &str = "127.0.0.1:6379";

/// The address of the real Redis.
pub fn redis_address() -> String {
    std::env::var("TEST_REDIS_URL")
        .ok()
        .and_then(|url| {
            url.strip_prefix("redis://")
                .map(|a| a.trim_end_matches('/').to_owned())
        })
        .unwrap_or_else(|| DEFAULT_REDIS.to_owned())
}

/// Redis is required in CI (`CI` set) and wherever `TEST_REQUIRE_REDIS` is
/// set; elsewhere a missing server skips the test, loudly.
fn redis_required() -> bool {
    std::env::var_os("CI").is_some() || std::env::var_os("TEST_REQUIRE_REDIS").is_some()
}

/// A connection to the real Redis; `None` when it is unreachable and not
/// required.
pub async fn real_redis() -> Option<redis::aio::MultiplexedConnection> {
    let url = format!("redis://{}", redis_address());
    let connected = async {
        redis::Client::open(url.as_str())?
            .get_multiplexed_async_connection()
            .await
    }
    .await;
    match connected {
        Ok(conn) => Some(conn),
        Err(error) if !redis_required() => {
            eprintln!(
                "SKIPPED: Redis at {url} is unreachable ({error}); set TEST_REQUIRE_REDIS to fail instead"
            );
            None
        }
        Err(error) => panic!("Redis at {url} is required and unreachable: {error}"),
    }
}

/// A proxy to the real Redis that can be cut and restored.
pub async fn redis_proxy() -> DbProxy {
    DbProxy::start(&redis_address()).await
}

/// Turns the read cache on in `settings`, through `addr` (the real Redis, or
/// a proxy to it), under a key prefix no other test uses; returns the prefix.
pub fn with_cache(settings: &mut Settings, addr: &str) -> String {
    let prefix = format!("cart:test:{}", uuid::Uuid::now_v7().simple());
    settings.cache.redis_url = Some(Secret::new(format!("redis://{addr}")));
    settings.cache.key_prefix.clone_from(&prefix);
    settings.telemetry.metrics_port = Some(0);
    prefix
}
