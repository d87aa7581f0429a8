//! SeaORM entities. They never leave `storage/`: repositories translate them to
//! and from domain types.

pub mod cart_events;
pub mod cart_items;
pub mod cart_shares;
pub mod carts;
pub mod list_items;
pub mod shopping_lists;
