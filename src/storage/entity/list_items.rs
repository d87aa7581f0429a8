//! The `list_items` table.

use sea_orm::entity::prelude::*;

use crate::storage::decimal::DbDecimal;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "list_items")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub list_id: Uuid,
    pub product_id: String,
    pub variant_id: String,
    pub quantity: i32,
    pub price_at_time: DbDecimal,
    pub currency: String,
    pub product_name: String,
    pub variant_name: String,
    pub sku: String,
    pub metadata: Option<Json>,
    pub note: Option<String>,
    pub added_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
