//! PostgreSQL's notifications of committed cart changes (migration
//! `m20261122_000005_cart_notify`), received on one connection of their own,
//! outside the pool.

use sea_orm::sqlx::postgres::PgListener;

use super::StorageError;
use crate::domain::ids::CartId;

/// The channel the trigger notifies on.
pub const CHANNEL: &str = "cart_changes";

/// A committed change of a cart: who owned it before and after, as
/// `(session, customer)` pairs (a customer only for a customer's cart).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CartChange {
    /// The cart.
    pub cart_id: CartId,
    /// Its version after the change.
    pub version: i64,
    /// Its owner after the change, and before when that differs.
    pub owners: Vec<(String, Option<String>)>,
}

impl CartChange {
    /// Reads a notification's payload: `id version session customer
    /// old_session old_customer`, empty fields for nulls.
    pub fn parse(payload: &str) -> Option<Self> {
        let fields: Vec<&str> = payload.split(' ').collect();
        let [id, version, session, customer, old_session, old_customer] = fields.as_slice() else {
            return None;
        };
        let owner = |session: &str, customer: &str| {
            (!session.is_empty()).then(|| {
                (
                    session.to_owned(),
                    (!customer.is_empty()).then(|| customer.to_owned()),
                )
            })
        };
        let mut owners: Vec<_> = owner(session, customer).into_iter().collect();
        if let Some(old) = owner(old_session, old_customer)
            && !owners.contains(&old)
        {
            owners.push(old);
        }
        Some(Self {
            cart_id: CartId::from_uuid(uuid::Uuid::parse_str(id).ok()?),
            version: version.parse().ok()?,
            owners,
        })
    }
}

/// What the listener received next.
#[derive(Debug)]
pub enum Heard {
    /// A change.
    Change(CartChange),
    /// The connection was lost: changes from now until a new listener
    /// listens are not heard.
    Reconnected,
}

/// The listening connection.
pub struct ChangeListener(PgListener);

impl std::fmt::Debug for ChangeListener {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ChangeListener")
    }
}

impl ChangeListener {
    /// Connects to `url` and listens on [`CHANNEL`].
    ///
    /// # Errors
    /// [`StorageError::Unavailable`] when PostgreSQL cannot be reached.
    pub async fn connect(url: &str) -> Result<Self, StorageError> {
        let mut listener = PgListener::connect(url).await.map_err(unavailable)?;
        listener.listen(CHANNEL).await.map_err(unavailable)?;
        Ok(Self(listener))
    }

    /// The next change, or word that the connection was lost (sqlx would
    /// connect again on the next call, at a moment no one could see: the
    /// caller connects a new listener instead).
    ///
    /// # Errors
    /// [`StorageError::Unavailable`] when the connection failed otherwise
    /// (e.g. terminated by the server): drop this listener and connect a new
    /// one.
    pub async fn next(&mut self) -> Result<Heard, StorageError> {
        loop {
            match self.0.try_recv().await.map_err(unavailable)? {
                Some(notification) => match CartChange::parse(notification.payload()) {
                    Some(change) => return Ok(Heard::Change(change)),
                    None => tracing::warn!(
                        payload = notification.payload(),
                        "unreadable cart notification"
                    ),
                },
                None => return Ok(Heard::Reconnected),
            }
        }
    }
}

fn unavailable(error: sea_orm::sqlx::Error) -> StorageError {
    StorageError::Unavailable(sea_orm::DbErr::Conn(sea_orm::RuntimeErr::SqlxError(
        error.into(),
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn payloads_name_the_owners_before_and_after() {
        let id = uuid::Uuid::now_v7();
        let linked = CartChange::parse(&format!("{id} 4 s1 c1 s1 ")).expect("parses");
        assert_eq!(linked.version, 4);
        assert_eq!(
            linked.owners,
            [
                ("s1".to_owned(), Some("c1".to_owned())),
                ("s1".to_owned(), None)
            ]
        );
        let plain = CartChange::parse(&format!("{id} 1 s1   ")).expect("parses");
        assert_eq!(plain.owners, [("s1".to_owned(), None)]);
        assert!(CartChange::parse("garbage").is_none());
        assert!(CartChange::parse(&format!("{id} x s1   ")).is_none());
    }
}
