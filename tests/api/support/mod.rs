//! What the tests share, one concern per module: the harness that starts a
//! cart service on a fresh database and runs a test on both databases
//! ([`harness`]), those databases and what is stored in them ([`database`]),
//! a database proxy that can be cut ([`proxy`]), the real Redis and a
//! proxy to it ([`redis`]), what `/metrics` says ([`metrics`]), the binaries run as processes
//! ([`process`]), a real SMTP server ([`smtp`]), the catalog server and the
//! faults it can show ([`catalog`]), one request builder and one call helper
//! per RPC ([`client`]), the carts several test files start from
//! ([`carts`]), and what tests assert with ([`assertions`]).
//!
//! Test files take all of it with `use crate::support::*;`.

mod assertions;
mod carts;
mod catalog;
mod client;
mod database;
mod harness;
mod metrics;
mod process;
mod proxy;
mod redis;
mod smtp;

pub use assertions::*;
pub use catalog::*;
pub use client::*;
pub use database::FreshDatabase;
pub use harness::*;
pub use metrics::*;
pub use process::*;
pub use redis::*;
pub use smtp::*;
