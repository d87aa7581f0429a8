//! A catalog held in memory, loaded from a JSON fixture (`demo/catalog.json`).
//!
//! The demo runs on it in-process; `catalog-server` serves it over gRPC for
//! docker-compose and the tests. Its data can be changed at run time
//! ([`FixtureCatalog::update`], [`FixtureCatalog::insert`],
//! [`FixtureCatalog::remove`]), which is how tests move prices and stock.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;
use std::sync::RwLock;

use rust_decimal::Decimal;
use serde::Deserialize;

use super::{Catalog, CatalogError};
use crate::domain::catalog::{CatalogVariant, Image, Inventory};
use crate::domain::ids::{ProductId, VariantId};
use crate::domain::money::{Currency, Money};

/// Why a fixture could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum FixtureError {
    /// The file could not be read.
    #[error("cannot read catalog fixture {path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// The cause.
        source: std::io::Error,
    },
    /// The file is not a valid fixture.
    #[error("invalid catalog fixture: {0}")]
    Invalid(String),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FixtureFile {
    products: Vec<FixtureProduct>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FixtureProduct {
    id: String,
    name: String,
    slug: String,
    #[serde(default)]
    images: Vec<FixtureImage>,
    variants: Vec<FixtureVariant>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FixtureImage {
    url: String,
    #[serde(default)]
    alt_text: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FixtureVariant {
    id: String,
    sku: String,
    name: String,
    #[serde(default)]
    attributes: BTreeMap<String, String>,
    /// A decimal string, so no float ever holds a price.
    price: Decimal,
    currency: String,
    #[serde(default = "yes")]
    active: bool,
    inventory: FixtureInventory,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FixtureInventory {
    tracked: bool,
    #[serde(default)]
    available: i64,
    #[serde(default)]
    backorder_allowed: bool,
}

fn yes() -> bool {
    true
}

/// An in-memory catalog.
#[derive(Debug, Default)]
pub struct FixtureCatalog {
    variants: RwLock<HashMap<VariantId, CatalogVariant>>,
}

impl FixtureCatalog {
    /// Loads a fixture file.
    ///
    /// # Errors
    /// [`FixtureError`] when the file cannot be read or is malformed.
    pub fn from_file(path: &Path) -> Result<Self, FixtureError> {
        let text = std::fs::read_to_string(path).map_err(|source| FixtureError::Io {
            path: path.display().to_string(),
            source,
        })?;
        Self::from_json(&text)
    }

    /// Loads a fixture from JSON text.
    ///
    /// # Errors
    /// [`FixtureError::Invalid`] naming the first problem.
    pub fn from_json(text: &str) -> Result<Self, FixtureError> {
        let file: FixtureFile =
            serde_json::from_str(text).map_err(|e| FixtureError::Invalid(e.to_string()))?;
        let invalid = |what: String| FixtureError::Invalid(what);
        let mut variants = HashMap::new();
        for p in file.products {
            let product_id =
                ProductId::parse(&p.id).map_err(|e| invalid(format!("product {:?}: {e}", p.id)))?;
            for v in p.variants {
                let id = VariantId::parse(&v.id)
                    .map_err(|e| invalid(format!("variant {:?}: {e}", v.id)))?;
                let currency = Currency::parse(&v.currency)
                    .map_err(|e| invalid(format!("variant {:?}: {e}", v.id)))?;
                if v.price.is_sign_negative() {
                    return Err(invalid(format!("variant {:?}: negative price", v.id)));
                }
                let variant = CatalogVariant {
                    id: id.clone(),
                    product_id: product_id.clone(),
                    product_name: p.name.clone(),
                    product_slug: p.slug.clone(),
                    images: p
                        .images
                        .iter()
                        .map(|i| Image {
                            url: i.url.clone(),
                            alt_text: i.alt_text.clone(),
                        })
                        .collect(),
                    sku: v.sku,
                    name: v.name,
                    attributes: v.attributes,
                    price: Money {
                        amount: v.price,
                        currency,
                    },
                    active: v.active,
                    inventory: Inventory {
                        tracked: v.inventory.tracked,
                        available: v.inventory.available.max(0),
                        backorder_allowed: v.inventory.backorder_allowed,
                    },
                };
                if variants.insert(id, variant).is_some() {
                    return Err(invalid(format!("variant {:?} appears twice", v.id)));
                }
            }
        }
        Ok(Self {
            variants: RwLock::new(variants),
        })
    }

    /// The variants among `ids` this catalog knows.
    pub fn lookup(&self, ids: &[VariantId]) -> HashMap<VariantId, CatalogVariant> {
        let variants = self.variants.read().unwrap_or_else(|e| e.into_inner());
        ids.iter()
            .filter_map(|id| variants.get(id).map(|v| (id.clone(), v.clone())))
            .collect()
    }

    /// Every variant, sorted by id.
    pub fn all(&self) -> Vec<CatalogVariant> {
        let variants = self.variants.read().unwrap_or_else(|e| e.into_inner());
        let mut all: Vec<_> = variants.values().cloned().collect();
        all.sort_by(|a, b| a.id.cmp(&b.id));
        all
    }

    /// Changes a variant in place; returns false when it is unknown.
    pub fn update(&self, id: &VariantId, change: impl FnOnce(&mut CatalogVariant)) -> bool {
        let mut variants = self.variants.write().unwrap_or_else(|e| e.into_inner());
        match variants.get_mut(id) {
            Some(v) => {
                change(v);
                true
            }
            None => false,
        }
    }

    /// Adds or replaces a variant.
    pub fn insert(&self, variant: CatalogVariant) {
        let mut variants = self.variants.write().unwrap_or_else(|e| e.into_inner());
        variants.insert(variant.id.clone(), variant);
    }

    /// Removes a variant; returns false when it was unknown.
    pub fn remove(&self, id: &VariantId) -> bool {
        let mut variants = self.variants.write().unwrap_or_else(|e| e.into_inner());
        variants.remove(id).is_some()
    }
}

#[async_trait::async_trait]
impl Catalog for FixtureCatalog {
    async fn variants(
        &self,
        ids: &[VariantId],
    ) -> Result<HashMap<VariantId, CatalogVariant>, CatalogError> {
        Ok(self.lookup(ids))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_demo_fixture_loads() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("demo/catalog.json");
        let catalog = FixtureCatalog::from_file(&path).expect("demo fixture loads");
        assert!(catalog.all().len() >= 20);
    }

    #[test]
    fn unknown_fields_in_a_fixture_are_refused() {
        let err = FixtureCatalog::from_json(r#"{"products": [], "extra": 1}"#);
        assert!(err.is_err());
    }
}
