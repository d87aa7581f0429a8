//! Quantities of a line: 1 to 100 units.

use super::ParseError;

/// Most units one line may hold (and one AddItem may add).
pub const MAX_LINE_QUANTITY: u32 = 100;

/// Units of a variant in a line or a request: always 1 to [`MAX_LINE_QUANTITY`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Quantity(u32);

impl Quantity {
    /// Accepts 1 to 100.
    ///
    /// # Errors
    /// A [`ParseError`] for zero, negative or larger values.
    pub fn parse(raw: i64) -> Result<Self, ParseError> {
        if (1..=i64::from(MAX_LINE_QUANTITY)).contains(&raw) {
            Ok(Self(raw as u32))
        } else {
            Err(ParseError::new(format!(
                "quantity must be between 1 and {MAX_LINE_QUANTITY}, got {raw}"
            )))
        }
    }

    /// Accepts 0 to 100, where 0 means "remove the line" (`None`).
    ///
    /// # Errors
    /// A [`ParseError`] for negative or larger values.
    pub fn parse_or_zero(raw: i64) -> Result<Option<Self>, ParseError> {
        match raw {
            0 => Ok(None),
            1.. => Self::parse(raw).map(Some),
            _ => Err(ParseError::new(format!(
                "quantity must be between 0 and {MAX_LINE_QUANTITY}, got {raw}"
            ))),
        }
    }

    /// The number of units.
    pub fn get(self) -> u32 {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn zero_and_101_are_refused_when_adding() {
        assert!(Quantity::parse(0).is_err());
        assert!(Quantity::parse(101).is_err());
        assert!(Quantity::parse(-1).is_err());
        assert_eq!(Quantity::parse(100).map(Quantity::get), Ok(100));
    }

    #[test]
    fn zero_means_remove_when_updating() {
        assert_eq!(Quantity::parse_or_zero(0), Ok(None));
        assert!(Quantity::parse_or_zero(-5).is_err());
    }

    proptest! {
        #[test]
        fn parse_accepts_exactly_one_to_one_hundred(raw in any::<i64>()) {
            prop_assert_eq!(Quantity::parse(raw).is_ok(), (1..=100).contains(&raw));
        }
    }
}
