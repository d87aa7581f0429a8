//! The cart service: a gRPC shopping-cart service over SeaORM, pricing lines
//! from a separate catalog service.
//!
//! Layers, arrows pointing down only: [`grpc`] (transport) → [`service`] (use
//! cases) → [`storage`] and [`catalog`] → [`domain`] (pure rules).

pub mod domain;
pub mod storage;
