//! Delivery over SMTP with lettre: a multipart text + HTML message with the
//! outbox row's Message-ID (a repeat after a crash carries the same one, so
//! receiving systems drop the duplicate) and RFC 8058 one-click unsubscribe
//! headers.

use std::time::Duration;

use lettre::message::header::{Header, HeaderName, HeaderValue};
use lettre::message::{Mailbox, MultiPart};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use crate::config::RecoverySettings;
use crate::storage::recovery::OutboxMessage;

/// `List-Unsubscribe: <https://…>`.
#[derive(Debug, Clone)]
struct ListUnsubscribe(String);

impl Header for ListUnsubscribe {
    fn name() -> HeaderName {
        HeaderName::new_from_ascii_str("List-Unsubscribe")
    }

    fn parse(s: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        Ok(Self(s.to_owned()))
    }

    fn display(&self) -> HeaderValue {
        HeaderValue::new(Self::name(), format!("<{}>", self.0))
    }
}

/// `List-Unsubscribe-Post: List-Unsubscribe=One-Click` (RFC 8058).
#[derive(Debug, Clone)]
struct ListUnsubscribePost;

impl Header for ListUnsubscribePost {
    fn name() -> HeaderName {
        HeaderName::new_from_ascii_str("List-Unsubscribe-Post")
    }

    fn parse(_: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        Ok(Self)
    }

    fn display(&self) -> HeaderValue {
        HeaderValue::new(Self::name(), "List-Unsubscribe=One-Click".to_owned())
    }
}

/// Settings that do not make a mailer.
#[derive(Debug, thiserror::Error)]
pub enum MailerError {
    /// `recovery.from` is not an address.
    #[error("recovery.from is not an e-mail address: {0}")]
    From(String),
    /// `recovery.smtp.url` does not parse (the URL itself is not shown).
    #[error("recovery.smtp.url is not a usable SMTP URL: {0}")]
    Url(String),
}

/// A delivery that did not happen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SendError {
    /// The relay refused for good (5xx) or the message cannot be built: a
    /// retry cannot help.
    pub permanent: bool,
    /// What happened, for the outbox row and the log (never credentials).
    pub message: String,
}

/// Sends recovery e-mail.
#[derive(Clone)]
pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
    domain: String,
}

impl std::fmt::Debug for Mailer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Mailer").field("from", &self.from).finish()
    }
}

impl Mailer {
    /// A mailer for `settings` (connects on the first send).
    ///
    /// # Errors
    /// [`MailerError`] for an unusable `from` or SMTP URL.
    pub fn new(settings: &RecoverySettings) -> Result<Self, MailerError> {
        let from: Mailbox = settings
            .from
            .parse()
            .map_err(|e: lettre::address::AddressError| MailerError::From(e.to_string()))?;
        let domain = from.email.domain().to_owned();
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(settings.smtp.url.expose())
            .map_err(|e| MailerError::Url(e.to_string()))?
            .timeout(Some(Duration::from_secs(settings.smtp.timeout_secs)))
            .build();
        Ok(Self {
            transport,
            from,
            domain,
        })
    }

    /// The Message-ID of outbox message `id`.
    pub fn message_id(&self, id: uuid::Uuid) -> String {
        format!("<{id}@{}>", self.domain)
    }

    /// Delivers `message` to the relay.
    ///
    /// # Errors
    /// [`SendError`], permanent or not.
    pub async fn send(&self, message: &OutboxMessage) -> Result<(), SendError> {
        let permanent = |message: String| SendError {
            permanent: true,
            message,
        };
        let to: Mailbox = message
            .email
            .parse()
            .map_err(|e: lettre::address::AddressError| permanent(format!("recipient: {e}")))?;
        let email = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(message.subject.clone())
            .message_id(Some(self.message_id(message.id)))
            .header(ListUnsubscribe(message.list_unsubscribe.clone()))
            .header(ListUnsubscribePost)
            .multipart(MultiPart::alternative_plain_html(
                message.body_text.clone(),
                message.body_html.clone(),
            ))
            .map_err(|e| permanent(format!("message: {e}")))?;
        self.transport
            .send(email)
            .await
            .map(|_| ())
            .map_err(|e| SendError {
                permanent: e.is_permanent(),
                message: e.to_string(),
            })
    }
}
