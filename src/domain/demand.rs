//! Demand: how many units of each variant active carts hold, as last
//! counted (by the demand job, never per read). A line whose variant other
//! carts hold as many units of as the catalog has left gets a HIGH_DEMAND
//! warning: the shopper learns that others may buy it first.

use std::collections::HashMap;

use super::ids::VariantId;

/// Units held in active carts, per variant, as of one count.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Demand(HashMap<VariantId, i64>);

impl Demand {
    /// A count.
    pub fn new(units: HashMap<VariantId, i64>) -> Self {
        Self(units)
    }

    /// Units of `variant` held by carts other than one holding `own` of
    /// them (as of the count: a cart changed since may be off by its
    /// change).
    pub fn held_by_others(&self, variant: &VariantId, own: u32) -> i64 {
        let total = self.0.get(variant).copied().unwrap_or(0);
        (total - i64::from(own)).max(0)
    }

    /// How many variants the count covers.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether no cart held anything.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shoppers_own_units_are_not_demand_by_others() {
        let v = VariantId::parse("v").unwrap();
        let demand = Demand::new(HashMap::from([(v.clone(), 5)]));
        assert_eq!(demand.held_by_others(&v, 2), 3);
        // Counted before the shopper added more: never negative.
        assert_eq!(demand.held_by_others(&v, 9), 0);
        assert_eq!(demand.held_by_others(&VariantId::parse("w").unwrap(), 1), 0);
    }
}
