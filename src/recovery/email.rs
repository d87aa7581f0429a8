//! The recovery e-mail: subject, text and HTML rendered by minijinja from the
//! built-in templates (`templates/recovery/`), each replaceable by a file of
//! the same name in `recovery.templates_dir`. HTML is auto-escaped; the
//! subject is one line.

use std::path::Path;

use minijinja::Environment;
use serde::Serialize;

use crate::domain::money::Money;
use crate::domain::view::CartView;

/// The templates, by name, with their built-in text.
const BUILT_IN: [(&str, &str); 3] = [
    (
        "subject.txt",
        include_str!("../../templates/recovery/subject.txt"),
    ),
    (
        "body.txt",
        include_str!("../../templates/recovery/body.txt"),
    ),
    (
        "body.html",
        include_str!("../../templates/recovery/body.html"),
    ),
];

/// A template that does not load or render.
#[derive(Debug, thiserror::Error)]
#[error("recovery e-mail template: {0}")]
pub struct TemplateError(String);

/// The loaded templates.
#[derive(Debug)]
pub struct Templates {
    env: Environment<'static>,
}

/// A rendered e-mail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    /// One line.
    pub subject: String,
    /// The text/plain part.
    pub text: String,
    /// The text/html part.
    pub html: String,
}

/// One line of the cart as the templates see it.
#[derive(Debug, Clone, Serialize)]
pub struct LineContext {
    /// Product name.
    pub name: String,
    /// Variant name.
    pub variant: String,
    /// First product image, if any.
    pub image_url: Option<String>,
    /// Its alternative text.
    pub image_alt: String,
    /// Units.
    pub quantity: u32,
    /// Price of one unit, e.g. "19.99 USD".
    pub unit_price: String,
    /// Quantity times unit price.
    pub line_total: String,
}

/// Everything the templates are rendered with.
#[derive(Debug, Clone, Serialize)]
pub struct Context {
    /// The cart's lines.
    pub lines: Vec<LineContext>,
    /// Units in all.
    pub item_count: u32,
    /// The cart's total, e.g. "39.98 USD".
    pub total: String,
    /// The recovery link.
    pub recover_url: String,
    /// The unsubscribe link.
    pub unsubscribe_url: String,
    /// The day the recovery link expires, `YYYY-MM-DD` (UTC).
    pub expires_on: String,
    /// The subject (for the HTML title); empty while the subject renders.
    pub subject: String,
}

/// An amount with at least two decimals and its currency: "20.00 USD".
pub fn money_text(money: &Money) -> String {
    let mut amount = money.amount.normalize();
    if amount.scale() < 2 {
        amount.rescale(2);
    }
    format!("{amount} {}", money.currency)
}

impl Context {
    /// The context of `view` with its links.
    pub fn of(
        view: &CartView,
        recover_url: String,
        unsubscribe_url: String,
        expires_on: String,
    ) -> Self {
        let lines = view
            .items
            .iter()
            .map(|item| {
                let image = item.catalog.as_ref().and_then(|c| c.images.first());
                LineContext {
                    name: item.line.product_name.clone(),
                    variant: item.line.variant_name.clone(),
                    image_url: image.map(|i| i.url.clone()),
                    image_alt: image.map(|i| i.alt_text.clone()).unwrap_or_default(),
                    quantity: item.line.quantity.get(),
                    unit_price: money_text(
                        item.current_price.as_ref().unwrap_or(&item.line.unit_price),
                    ),
                    line_total: money_text(&item.subtotal),
                }
            })
            .collect();
        Self {
            lines,
            item_count: view.summary.item_count,
            total: money_text(&view.summary.total),
            recover_url,
            unsubscribe_url,
            expires_on,
            subject: String::new(),
        }
    }
}

impl Templates {
    /// The built-in templates, each replaced by `dir/<name>` when that file
    /// exists; every one is compiled now, so a broken override stops
    /// start-up instead of the first e-mail.
    ///
    /// # Errors
    /// [`TemplateError`] naming the file that does not read or compile.
    pub fn load(dir: Option<&str>) -> Result<Self, TemplateError> {
        Self::load_set(dir.map(Path::new), &BUILT_IN)
    }

    /// The templates `built_in` (subject.txt, body.txt, body.html), each
    /// replaced by `dir/<name>` when that file exists.
    ///
    /// # Errors
    /// [`TemplateError`] naming the file that does not read or compile.
    pub fn load_set(
        dir: Option<&Path>,
        built_in: &[(&'static str, &'static str); 3],
    ) -> Result<Self, TemplateError> {
        let mut env = Environment::new();
        for (name, built_in) in built_in {
            let source = match dir.map(|d| d.join(name)) {
                Some(path) if path.exists() => std::fs::read_to_string(&path)
                    .map_err(|e| TemplateError(format!("{}: {e}", path.display())))?,
                _ => (*built_in).to_owned(),
            };
            env.add_template_owned(*name, source)
                .map_err(|e| TemplateError(format!("{name}: {e}")))?;
        }
        Ok(Self { env })
    }

    /// The e-mail for `context`.
    ///
    /// # Errors
    /// [`TemplateError`] when a template fails to render.
    pub fn render(&self, mut context: Context) -> Result<Rendered, TemplateError> {
        self.render_with(&mut context, |c, subject| c.subject = subject)
    }

    /// The e-mail for `context`: the subject first (one line), then both
    /// bodies with the subject put into the context by `titled`.
    ///
    /// # Errors
    /// [`TemplateError`] when a template fails to render.
    pub fn render_with<C: Serialize>(
        &self,
        context: &mut C,
        titled: impl FnOnce(&mut C, String),
    ) -> Result<Rendered, TemplateError> {
        let render = |name: &str, context: &C| {
            self.env
                .get_template(name)
                .and_then(|t| t.render(context))
                .map_err(|e| TemplateError(format!("{name}: {e}")))
        };
        let subject = render("subject.txt", context)?
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        titled(context, subject.clone());
        Ok(Rendered {
            text: render("body.txt", context)?,
            html: render("body.html", context)?,
            subject,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn context(name: &str) -> Context {
        Context {
            lines: vec![LineContext {
                name: name.into(),
                variant: "Medium".into(),
                image_url: Some("https://images.example.com/tee.jpg".into()),
                image_alt: "Tee".into(),
                quantity: 2,
                unit_price: "19.99 USD".into(),
                line_total: "39.98 USD".into(),
            }],
            item_count: 2,
            total: "39.98 USD".into(),
            recover_url: "https://shop.example.com/cart/recover?token=t".into(),
            unsubscribe_url: "https://shop.example.com/email/unsubscribe?token=u".into(),
            expires_on: "2026-01-08".into(),
            subject: String::new(),
        }
    }

    #[test]
    fn built_in_templates_render_both_parts_and_escape_html() {
        let templates = Templates::load(None).expect("built-in templates compile");
        let mail = templates.render(context("Tee <b>&</b>")).expect("renders");
        assert_eq!(mail.subject, "You left 2 items in your cart");
        assert!(
            mail.text
                .contains("2 x Tee <b>&</b> (Medium), 19.99 USD each: 39.98 USD")
        );
        assert!(mail.text.contains("Total: 39.98 USD"));
        // Escaped, `/` included (`&#x2f;`, read as `/` by browsers).
        assert!(mail.html.contains("Tee &lt;b&gt;&amp;&lt;&#x2f;b&gt;"));
        let html = mail.html.replace("&#x2f;", "/");
        assert!(html.contains(r#"href="https://shop.example.com/cart/recover?token=t""#));
    }

    #[test]
    fn a_directory_overrides_some_templates() {
        let dir = tempfile::tempdir().expect("dir");
        std::fs::write(
            dir.path().join("subject.txt"),
            "Still want {{ lines[0].name }}?\n",
        )
        .expect("write");
        let templates = Templates::load(dir.path().to_str()).expect("loads");
        let mail = templates.render(context("Tee")).expect("renders");
        assert_eq!(mail.subject, "Still want Tee?");
        assert!(mail.text.contains("Total: 39.98 USD"), "built-in body kept");
        std::fs::write(dir.path().join("body.txt"), "{% for %}").expect("write");
        let error = Templates::load(dir.path().to_str()).expect_err("broken template refused");
        assert!(error.to_string().contains("body.txt"));
    }
}
