//! A decimal column read without floating point on every backend.
//!
//! SeaORM decodes `Decimal` from SQLite through `f64`, which would round prices.
//! Prices are stored as TEXT on SQLite (see the migration) and NUMERIC on
//! PostgreSQL; this type reads either exactly. Writes go through the ordinary
//! `Decimal` value, which SQLite receives as text.

use std::str::FromStr;

use rust_decimal::Decimal;
use sea_orm::sea_query::{ArrayType, ColumnType, Value, ValueType, ValueTypeErr};
use sea_orm::{ColIdx, QueryResult, TryGetError, TryGetable};

/// An exact decimal column.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DbDecimal(pub Decimal);

impl From<DbDecimal> for Value {
    fn from(value: DbDecimal) -> Self {
        value.0.into()
    }
}

impl ValueType for DbDecimal {
    fn try_from(v: Value) -> Result<Self, ValueTypeErr> {
        <Decimal as ValueType>::try_from(v).map(Self)
    }

    fn type_name() -> String {
        "DbDecimal".to_owned()
    }

    fn array_type() -> ArrayType {
        <Decimal as ValueType>::array_type()
    }

    fn column_type() -> ColumnType {
        ColumnType::Decimal(None)
    }
}

impl TryGetable for DbDecimal {
    fn try_get_by<I: ColIdx>(res: &QueryResult, index: I) -> Result<Self, TryGetError> {
        // SQLite hands back the stored text; PostgreSQL refuses to decode
        // NUMERIC as text and is read as a decimal instead.
        match String::try_get_by(res, index) {
            Ok(text) => Decimal::from_str(&text).map(Self).map_err(|e| {
                TryGetError::DbErr(sea_orm::DbErr::Type(format!(
                    "stored decimal {text:?} is malformed: {e}"
                )))
            }),
            Err(TryGetError::Null(col)) => Err(TryGetError::Null(col)),
            Err(_) => Decimal::try_get_by(res, index).map(Self),
        }
    }
}
