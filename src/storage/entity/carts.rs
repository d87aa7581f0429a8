//! The `carts` table.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "carts")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub session_id: String,
    pub customer_id: Option<String>,
    pub email: Option<String>,
    pub currency: String,
    pub status: String,
    pub version: i64,
    pub metadata: Option<Json>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub expires_at: DateTimeUtc,
    /// Days since the Unix epoch of `expires_at`: what expiry is indexed by
    /// (see migration `m20261121_000003_hot_cart_headers`).
    pub expires_day: Option<i64>,
    pub completed_order_id: Option<String>,
    pub merged_into_cart_id: Option<Uuid>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(has_many = "super::cart_items::Entity")]
    CartItems,
}

impl Related<super::cart_items::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::CartItems.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
