//! Money: an exact decimal amount in one currency. Never floating point.

use std::fmt;

use rust_decimal::Decimal;

use super::ParseError;

/// An ISO 4217 currency code: three upper-case ASCII letters.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Currency(String);

impl Currency {
    /// Accepts three upper-case ASCII letters.
    ///
    /// # Errors
    /// A [`ParseError`] for anything else.
    pub fn parse(raw: &str) -> Result<Self, ParseError> {
        if raw.len() == 3 && raw.bytes().all(|b| b.is_ascii_uppercase()) {
            Ok(Self(raw.to_owned()))
        } else {
            Err(ParseError::new(format!(
                "currency code must be three upper-case letters, got {raw:?}"
            )))
        }
    }

    /// The code.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

const NANOS_PER_UNIT: i64 = 1_000_000_000;

/// An amount of money.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Money {
    /// The exact amount.
    pub amount: Decimal,
    /// Its currency.
    pub currency: Currency,
}

impl Money {
    /// Zero in `currency`.
    pub fn zero(currency: Currency) -> Self {
        Self {
            amount: Decimal::ZERO,
            currency,
        }
    }

    /// Builds an amount from the `google.type.Money` representation.
    ///
    /// # Errors
    /// A [`ParseError`] when `nanos` is out of range or of the other sign than
    /// `units`, or the currency code is malformed.
    pub fn from_units_nanos(currency: &str, units: i64, nanos: i32) -> Result<Self, ParseError> {
        let currency = Currency::parse(currency)?;
        if i64::from(nanos).abs() >= NANOS_PER_UNIT {
            return Err(ParseError::new("nanos must be within ±999,999,999"));
        }
        if (units > 0 && nanos < 0) || (units < 0 && nanos > 0) {
            return Err(ParseError::new("units and nanos must have the same sign"));
        }
        let amount = Decimal::from(units) + Decimal::new(i64::from(nanos), 9);
        Ok(Self {
            amount: amount.normalize(),
            currency,
        })
    }

    /// The `google.type.Money` representation: whole units and nanos, with
    /// digits past the ninth decimal truncated (prices never have them).
    pub fn to_units_nanos(&self) -> (i64, i32) {
        let units = self.amount.trunc();
        let nanos = ((self.amount - units) * Decimal::from(NANOS_PER_UNIT)).trunc();
        (
            i64::try_from(units).unwrap_or(if units.is_sign_negative() {
                i64::MIN
            } else {
                i64::MAX
            }),
            i32::try_from(nanos).unwrap_or(0),
        )
    }

    /// This amount times `quantity`, in the same currency.
    pub fn times(&self, quantity: u32) -> Money {
        Money {
            amount: self.amount * Decimal::from(quantity),
            currency: self.currency.clone(),
        }
    }
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.amount, self.currency)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn units_and_nanos_make_an_exact_decimal() {
        let m = Money::from_units_nanos("USD", 19, 990_000_000).expect("valid");
        assert_eq!(m.amount, Decimal::new(1999, 2));
        assert_eq!(m.to_units_nanos(), (19, 990_000_000));
    }

    #[test]
    fn mixed_signs_and_out_of_range_nanos_are_refused() {
        assert!(Money::from_units_nanos("USD", 1, -1).is_err());
        assert!(Money::from_units_nanos("USD", 0, 1_000_000_000).is_err());
        assert!(Money::from_units_nanos("usd", 1, 0).is_err());
    }

    #[test]
    fn a_tenth_times_three_is_exactly_three_tenths() {
        let m = Money::from_units_nanos("EUR", 0, 100_000_000).expect("valid");
        assert_eq!(m.times(3).amount, Decimal::new(3, 1));
    }

    proptest! {
        #[test]
        fn units_and_nanos_round_trip(units in -1_000_000_000_000i64..1_000_000_000_000, nanos in 0i32..1_000_000_000) {
            let nanos = if units < 0 { -nanos } else { nanos };
            let m = Money::from_units_nanos("USD", units, nanos).expect("valid");
            prop_assert_eq!(m.to_units_nanos(), (units, nanos));
        }
    }
}
