//! Integration tests through the real gRPC surface, each run on SQLite and on
//! PostgreSQL (`TEST_DATABASE_URL`, default
//! `postgres://postgres@127.0.0.1:5432/postgres`; a fresh database per test).

mod support;

mod add_item;
mod auth;
mod back_in_stock;
mod bulk;
mod cache;
mod client_crate;
mod concurrency;
mod database_faults;
mod demand;
mod faults;
mod get_cart;
mod hostile;
mod jobs;
mod lifecycle;
mod limits;
mod lines;
mod lists;
mod merge;
mod observability;
mod operations;
mod recovery;
mod recovery_device;
mod recovery_links;
mod reorder;
mod retries;
mod rollout;
mod shared_limits;
mod shares;
mod stop;
mod tls;
mod traces;
mod transport;
mod validate;
mod watch;
