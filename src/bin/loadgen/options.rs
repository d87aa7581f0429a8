//! Command-line options: scenarios, sizes, target.

use std::time::Duration;

pub(crate) const USAGE: &str =
    "usage: loadgen [--target URL] [--scenario health|get-cart|add-item|update-item|validate|mixed] \
[--connections N] [--in-flight N] [--duration SECS] [--warmup SECS] [--carts N] \
[--lines N] [--fixture PATH] [--token TOKEN] [--wait-ready SECS] [--output text|json] [--cpu-of PID] [--keyed] [--fail-on-error] \
[--calls N [--warmup-calls N] [--on-measure-start CMD] [--on-measure-end CMD]]
       loadgen serve-health [--addr HOST:PORT]
       loadgen watch [--watchers N] [--in-flight N] [--duration SECS] [--target URL] ...";

/// Lines per cart unless `--lines` says otherwise: what a pre-filled cart
/// holds (get-cart, mixed) and how many adds a session takes (add-item).
pub(crate) const LINES_PER_CART: usize = 5;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Scenario {
    Health,
    GetCart,
    AddItem,
    UpdateItem,
    Validate,
    Mixed,
}

impl Scenario {
    pub(crate) fn parse(raw: &str) -> Option<Self> {
        Some(match raw {
            "health" => Self::Health,
            "get-cart" => Self::GetCart,
            "add-item" => Self::AddItem,
            "update-item" => Self::UpdateItem,
            "validate" => Self::Validate,
            "mixed" => Self::Mixed,
            _ => return None,
        })
    }

    pub(crate) fn name(self) -> &'static str {
        match self {
            Self::Health => "health",
            Self::GetCart => "get-cart",
            Self::AddItem => "add-item",
            Self::UpdateItem => "update-item",
            Self::Validate => "validate",
            Self::Mixed => "mixed",
        }
    }
}

#[derive(Debug, Clone)]
pub(crate) struct Options {
    pub(crate) target: String,
    pub(crate) scenario: Scenario,
    pub(crate) connections: usize,
    pub(crate) in_flight: usize,
    pub(crate) duration: Duration,
    pub(crate) warmup: Duration,
    pub(crate) carts: usize,
    pub(crate) lines: usize,
    pub(crate) fixture: String,
    pub(crate) token: Option<String>,
    pub(crate) wait_ready: Duration,
    pub(crate) json: bool,
    pub(crate) fail_on_error: bool,
    pub(crate) cpu_of: Option<u32>,
    /// Every write carries a `request_id` of its own, one per logical write,
    /// as `cart-client`'s default policy sends them (the production path).
    pub(crate) keyed: bool,
    /// A counted run of this many calls instead of a timed one
    /// (`counted.rs`).
    pub(crate) calls: Option<u64>,
    pub(crate) warmup_calls: u64,
    pub(crate) on_measure_start: Option<String>,
    pub(crate) on_measure_end: Option<String>,
}

pub(crate) fn parse_args(args: &[String]) -> Result<Options, String> {
    let mut o = Options {
        target: "http://127.0.0.1:50051".into(),
        scenario: Scenario::Health,
        connections: 4,
        in_flight: 64,
        duration: Duration::from_secs(15),
        warmup: Duration::from_secs(3),
        carts: 1000,
        lines: LINES_PER_CART,
        fixture: "demo/catalog.json".into(),
        token: None,
        wait_ready: Duration::ZERO,
        json: false,
        fail_on_error: false,
        cpu_of: None,
        keyed: false,
        calls: None,
        warmup_calls: 200,
        on_measure_start: None,
        on_measure_end: None,
    };
    let mut args = args.iter();
    while let Some(flag) = args.next() {
        match flag.as_str() {
            "--fail-on-error" => {
                o.fail_on_error = true;
                continue;
            }
            "--keyed" => {
                o.keyed = true;
                continue;
            }
            _ => {}
        }
        let value = args
            .next()
            .ok_or_else(|| format!("{flag} needs a value"))?
            .as_str();
        let number = |what: &str| {
            value
                .parse::<u64>()
                .map_err(|_| format!("{what} must be a whole number, got {value:?}"))
        };
        match flag.as_str() {
            "--target" => o.target = value.to_owned(),
            "--scenario" => {
                o.scenario =
                    Scenario::parse(value).ok_or_else(|| format!("unknown scenario {value:?}"))?;
            }
            "--connections" => {
                o.connections = usize::try_from(number("--connections")?.max(1)).unwrap_or(1)
            }
            "--in-flight" => {
                o.in_flight = usize::try_from(number("--in-flight")?.max(1)).unwrap_or(1)
            }
            "--duration" => o.duration = Duration::from_secs(number("--duration")?.max(1)),
            "--warmup" => o.warmup = Duration::from_secs(number("--warmup")?),
            "--carts" => o.carts = usize::try_from(number("--carts")?.max(1)).unwrap_or(1),
            "--lines" => o.lines = usize::try_from(number("--lines")?.max(1)).unwrap_or(1),
            "--fixture" => o.fixture = value.to_owned(),
            "--token" => o.token = Some(value.to_owned()),
            "--cpu-of" => {
                o.cpu_of = Some(u32::try_from(number("--cpu-of")?).map_err(|e| e.to_string())?)
            }
            "--wait-ready" => o.wait_ready = Duration::from_secs(number("--wait-ready")?),
            "--calls" => o.calls = Some(number("--calls")?.max(1)),
            "--warmup-calls" => o.warmup_calls = number("--warmup-calls")?,
            "--on-measure-start" => o.on_measure_start = Some(value.to_owned()),
            "--on-measure-end" => o.on_measure_end = Some(value.to_owned()),
            "--output" => {
                o.json = match value {
                    "json" => true,
                    "text" => false,
                    other => return Err(format!("--output is text or json, got {other:?}")),
                }
            }
            other => return Err(format!("unknown argument {other:?}")),
        }
    }
    Ok(o)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arguments_are_parsed_and_bad_ones_named() {
        let args: Vec<String> = [
            "--scenario",
            "mixed",
            "--in-flight",
            "8",
            "--keyed",
            "--fail-on-error",
        ]
        .iter()
        .map(|s| (*s).to_owned())
        .collect();
        let options = parse_args(&args).expect("valid");
        assert_eq!(options.scenario, Scenario::Mixed);
        assert_eq!(options.in_flight, 8);
        assert!(options.fail_on_error);
        assert!(options.keyed);
        assert!(!parse_args(&[]).expect("defaults").keyed);
        let bad = parse_args(&["--scenario".to_owned(), "nope".to_owned()]);
        assert!(bad.expect_err("unknown").contains("nope"));
        let missing = parse_args(&["--duration".to_owned()]);
        assert!(missing.expect_err("no value").contains("--duration"));
    }
}
