//! The demand count this replica's views use: replaced whole by the demand
//! job after each count, read (never waited on for long) by every view.

use std::sync::{Arc, RwLock};

use crate::domain::demand::Demand;

/// The latest demand count, shared by the service and the demand job.
#[derive(Debug, Clone, Default)]
pub struct DemandBoard(Arc<RwLock<Arc<Demand>>>);

impl DemandBoard {
    /// The count views use now.
    pub fn current(&self) -> Arc<Demand> {
        let guard = self.0.read().unwrap_or_else(|e| e.into_inner());
        Arc::clone(&guard)
    }

    /// Puts a new count in place.
    pub fn replace(&self, demand: Demand) {
        *self.0.write().unwrap_or_else(|e| e.into_inner()) = Arc::new(demand);
    }
}
