//! CPU time of the service under load, of PostgreSQL and of Redis (the
//! read cache, when one runs), read from `/proc`
//! at the start and the end of the measured window (`--cpu-of PID`), so the
//! report can say what one call cost each of them. Linux only; elsewhere the
//! figures are absent.

use std::time::Instant;

/// CPU seconds used so far by the process `pid`, by every process named
/// `postgres` (the database's backends and its helpers) and by every
/// `redis-server`.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Snapshot {
    pub(crate) service_s: f64,
    pub(crate) postgres_s: f64,
    pub(crate) redis_s: f64,
}

/// User plus system time of one process, in clock ticks.
fn ticks(pid: &str) -> Option<u64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name may hold spaces: fields count from after its ")".
    let rest = &stat[stat.rfind(')')? + 2..];
    let mut fields = rest.split_whitespace().skip(11);
    let user: u64 = fields.next()?.parse().ok()?;
    let system: u64 = fields.next()?.parse().ok()?;
    Some(user + system)
}

/// Clock ticks per second: 100 on every Linux this runs on (`getconf
/// CLK_TCK`), read here without libc.
const TICKS_PER_SECOND: f64 = 100.0;

pub(crate) fn snapshot(service_pid: u32) -> Option<Snapshot> {
    let service = ticks(&service_pid.to_string())?;
    let (mut postgres, mut redis) = (0, 0);
    for entry in std::fs::read_dir("/proc").ok()?.flatten() {
        let name = entry.file_name();
        let Some(pid) = name
            .to_str()
            .filter(|n| n.bytes().all(|b| b.is_ascii_digit()))
        else {
            continue;
        };
        let comm = std::fs::read_to_string(format!("/proc/{pid}/comm")).unwrap_or_default();
        match comm.trim_end() {
            "postgres" => postgres += ticks(pid).unwrap_or(0),
            "redis-server" => redis += ticks(pid).unwrap_or(0),
            _ => {}
        }
    }
    Some(Snapshot {
        service_s: service as f64 / TICKS_PER_SECOND,
        postgres_s: postgres as f64 / TICKS_PER_SECOND,
        redis_s: redis as f64 / TICKS_PER_SECOND,
    })
}

/// Takes a snapshot at `from` and at `to`; returns what was spent between.
pub(crate) async fn spent(service_pid: u32, from: Instant, to: Instant) -> Option<Snapshot> {
    tokio::time::sleep_until(from.into()).await;
    let start = snapshot(service_pid)?;
    tokio::time::sleep_until(to.into()).await;
    let end = snapshot(service_pid)?;
    Some(Snapshot {
        service_s: end.service_s - start.service_s,
        postgres_s: end.postgres_s - start.postgres_s,
        redis_s: end.redis_s - start.redis_s,
    })
}
