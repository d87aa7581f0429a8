//! What the catalog says about a variant, as the cart needs it.

use std::collections::BTreeMap;

use super::ids::{ProductId, VariantId};
use super::money::{Currency, Money};

/// A product image.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Image {
    /// Absolute URL.
    pub url: String,
    /// Alternative text.
    pub alt_text: String,
}

/// Stock of a variant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Inventory {
    /// False when stock is not counted: any quantity can be bought.
    pub tracked: bool,
    /// Units available now, when tracked.
    pub available: i64,
    /// True when the variant may be ordered beyond its stock.
    pub backorder_allowed: bool,
}

impl Inventory {
    /// Whether `quantity` units can be sold now.
    pub fn can_supply(&self, quantity: u32) -> bool {
        !self.tracked || self.backorder_allowed || self.available >= i64::from(quantity)
    }

    /// The most units that can be sold now, or `None` when unbounded.
    pub fn limit(&self) -> Option<i64> {
        (self.tracked && !self.backorder_allowed).then_some(self.available.max(0))
    }
}

/// A variant as the catalog describes it now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CatalogVariant {
    /// Variant id.
    pub id: VariantId,
    /// Its product.
    pub product_id: ProductId,
    /// Product display name.
    pub product_name: String,
    /// Product URL slug.
    pub product_slug: String,
    /// Product images.
    pub images: Vec<Image>,
    /// Stock keeping unit.
    pub sku: String,
    /// Variant display name.
    pub name: String,
    /// Variant attributes.
    pub attributes: BTreeMap<String, String>,
    /// Current unit price.
    pub price: Money,
    /// False when it can no longer be bought.
    pub active: bool,
    /// Stock.
    pub inventory: Inventory,
}

/// What the catalog said about the variants of one request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CatalogSnapshot {
    /// The catalog answered: for each variant asked for, its data, or `None`
    /// when the catalog does not know it.
    Answered(std::collections::HashMap<VariantId, Option<CatalogVariant>>),
    /// The catalog could not be asked or did not answer.
    Unavailable,
}

/// What a snapshot knows about one variant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Known<'a> {
    /// The catalog describes it.
    Found(&'a CatalogVariant),
    /// The catalog answered and does not know it.
    Missing,
    /// Nothing is known: the catalog was unavailable or not asked about it.
    Unknown,
}

impl CatalogSnapshot {
    /// What is known about `id`.
    pub fn get(&self, id: &VariantId) -> Known<'_> {
        match self {
            Self::Answered(map) => match map.get(id) {
                Some(Some(variant)) => Known::Found(variant),
                Some(None) => Known::Missing,
                None => Known::Unknown,
            },
            Self::Unavailable => Known::Unknown,
        }
    }

    /// The ids among `ids` the catalog answered nothing about while available.
    pub fn not_asked<'a>(&self, ids: impl IntoIterator<Item = &'a VariantId>) -> Vec<VariantId> {
        match self {
            Self::Answered(map) => ids
                .into_iter()
                .filter(|id| !map.contains_key(*id))
                .cloned()
                .collect(),
            Self::Unavailable => Vec::new(),
        }
    }

    /// Adds what a second lookup learnt; a failed second lookup leaves what
    /// is known as it was (the ids it was about stay unknown).
    pub fn extend(&mut self, other: CatalogSnapshot) {
        if let (Self::Answered(map), Self::Answered(more)) = (self, other) {
            map.extend(more);
        }
    }
}

/// Whether a variant may go into, or stay in, a cart in a given currency.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sellable<'a> {
    /// Yes: known, active and priced in the cart's currency.
    Yes(&'a CatalogVariant),
    /// No: unknown to the catalog, inactive, or priced in another currency.
    No,
    /// Nothing is known: the catalog did not answer or was not asked.
    Unknown,
}

impl<'a> Known<'a> {
    /// The one "still sellable" check of lines already in a cart (merges and
    /// refreshes).
    pub fn sellable_in(self, currency: &Currency) -> Sellable<'a> {
        match self {
            Self::Found(v) if v.active && v.price.currency == *currency => Sellable::Yes(v),
            Self::Found(_) | Self::Missing => Sellable::No,
            Self::Unknown => Sellable::Unknown,
        }
    }
}

/// Whether `known` can be bought now, one unit at least (a variant gone
/// from the catalog cannot): `None` when the catalog did not say.
pub fn in_stock(known: Known<'_>) -> Option<bool> {
    match known {
        Known::Found(v) => Some(v.active && v.inventory.can_supply(1)),
        Known::Missing => Some(false),
        Known::Unknown => None,
    }
}

/// What a shopper is told about a product that can no longer be bought.
pub fn no_longer_available(product_name: &str) -> String {
    format!("{product_name} is no longer available")
}
