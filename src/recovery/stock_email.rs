//! The back-in-stock e-mail: subject, text and HTML from the built-in
//! templates (`templates/back_in_stock/`), each replaceable by a file of the
//! same name in `recovery.templates_dir/back_in_stock/`.

use std::path::Path;

use serde::Serialize;

use super::email::{Rendered, TemplateError, Templates, money_text};
use crate::domain::catalog::CatalogVariant;

/// The templates, by name, with their built-in text.
const BUILT_IN: [(&str, &str); 3] = [
    (
        "subject.txt",
        include_str!("../../templates/back_in_stock/subject.txt"),
    ),
    (
        "body.txt",
        include_str!("../../templates/back_in_stock/body.txt"),
    ),
    (
        "body.html",
        include_str!("../../templates/back_in_stock/body.html"),
    ),
];

/// Everything the templates are rendered with.
#[derive(Debug, Clone, Serialize)]
pub struct StockContext {
    /// Product name.
    pub name: String,
    /// Variant name.
    pub variant: String,
    /// First product image, if any.
    pub image_url: Option<String>,
    /// Its alternative text.
    pub image_alt: String,
    /// Today's price of one unit, e.g. "54.00 USD".
    pub price: String,
    /// The storefront's page of the shopper's lists.
    pub lists_url: String,
    /// The unsubscribe link.
    pub unsubscribe_url: String,
    /// The subject (for the HTML title); empty while the subject renders.
    pub subject: String,
}

impl StockContext {
    /// The context of `variant`, back in stock, with the links.
    pub fn of(variant: &CatalogVariant, lists_url: String, unsubscribe_url: String) -> Self {
        let image = variant.images.first();
        Self {
            name: variant.product_name.clone(),
            variant: variant.name.clone(),
            image_url: image.map(|i| i.url.clone()),
            image_alt: image.map(|i| i.alt_text.clone()).unwrap_or_default(),
            price: money_text(&variant.price),
            lists_url,
            unsubscribe_url,
            subject: String::new(),
        }
    }
}

/// The loaded back-in-stock templates.
#[derive(Debug)]
pub struct StockTemplates(Templates);

impl StockTemplates {
    /// The built-in templates, each replaced by
    /// `dir/back_in_stock/<name>` when that file exists; all compiled now.
    ///
    /// # Errors
    /// [`TemplateError`] naming the file that does not read or compile.
    pub fn load(dir: Option<&str>) -> Result<Self, TemplateError> {
        let dir = dir.map(|d| Path::new(d).join("back_in_stock"));
        Templates::load_set(dir.as_deref(), &BUILT_IN).map(Self)
    }

    /// The e-mail for `context`.
    ///
    /// # Errors
    /// [`TemplateError`] when a template fails to render.
    pub fn render(&self, mut context: StockContext) -> Result<Rendered, TemplateError> {
        self.0
            .render_with(&mut context, |c, subject| c.subject = subject)
    }
}
