//! The `cart_items` table.

use sea_orm::entity::prelude::*;

use crate::storage::decimal::DbDecimal;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "cart_items")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub cart_id: Uuid,
    pub product_id: String,
    pub variant_id: String,
    pub quantity: i32,
    pub price_at_time: DbDecimal,
    pub product_name: String,
    pub variant_name: String,
    pub sku: String,
    pub metadata: Option<Json>,
    pub added_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::carts::Entity",
        from = "Column::CartId",
        to = "super::carts::Column::Id",
        on_delete = "Cascade"
    )]
    Cart,
}

impl Related<super::carts::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Cart.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
