//! `shop.common.v1.Money` ⇄ `rust_decimal::Decimal`, exactly: units and
//! nanos (billionths) carry the amount, never a float.

use rust_decimal::Decimal;

use crate::proto::common::Money;

/// An amount that does not fit Money: more than 9 decimal places, or past
/// the range of `units`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotMoney(pub Decimal);

impl std::fmt::Display for NotMoney {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} is not a Money amount (at most 9 decimal places)",
            self.0
        )
    }
}

impl std::error::Error for NotMoney {}

/// The amount of `money` as a decimal (its currency is `currency_code`),
/// without trailing zeros: 19.99, not 19.990000000.
pub fn to_decimal(money: &Money) -> Decimal {
    (Decimal::from(money.units) + Decimal::new(i64::from(money.nanos), 9)).normalize()
}

/// `amount` in `currency` as Money: units and nanos of the same sign.
///
/// # Errors
/// [`NotMoney`] when `amount` has more than 9 decimal places or does not fit.
pub fn from_decimal(amount: Decimal, currency: &str) -> Result<Money, NotMoney> {
    if amount.scale() > 9 {
        return Err(NotMoney(amount));
    }
    let units = amount.trunc();
    let nanos = (amount - units) * Decimal::from(1_000_000_000);
    let units = i64::try_from(units).map_err(|_| NotMoney(amount))?;
    let nanos = i32::try_from(nanos.trunc()).map_err(|_| NotMoney(amount))?;
    Ok(Money {
        currency_code: currency.to_owned(),
        units,
        nanos,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    #[test]
    fn amounts_go_and_come_back_exactly() {
        for text in ["19.99", "-0.5", "0", "123456789.000000001", "-7.25"] {
            let amount = Decimal::from_str(text).expect("decimal");
            let money = from_decimal(amount, "USD").expect("fits");
            assert_eq!(to_decimal(&money), amount, "{text}");
            assert!(money.units == 0 || money.nanos == 0 || (money.units < 0) == (money.nanos < 0));
        }
        let too_precise = Decimal::from_str("0.0000000001").expect("decimal");
        assert!(from_decimal(too_precise, "USD").is_err());
    }
}
