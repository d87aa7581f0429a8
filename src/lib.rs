//! The cart service: a gRPC shopping-cart service over SeaORM, pricing lines
//! from a separate catalog service.
//!
//! Layers, arrows pointing down only: [`grpc`] (transport) → [`service`] (use
//! cases) → [`storage`] and [`catalog`] → [`domain`] (pure rules).
//! [`startup`] wires them together; [`config`] is the only reader of the
//! environment.

pub mod admin;
pub mod cache;
pub mod catalog;
pub mod catalog_server;
pub mod clock;
pub mod config;
pub mod domain;
pub mod grpc;
pub mod healthcheck;
pub mod jobs;
pub mod live;
pub mod metrics;
pub mod net;
pub mod proto;
pub mod recovery;
pub mod service;
pub mod shutdown;
pub mod startup;
pub mod storage;
pub mod telemetry;
pub mod tls;
