//! Plain SQL written once for both backends: `$n` placeholders, turned into
//! SQLite's `?n` where needed, and statements built with their bind values
//! ([`Sql`]).

use sea_orm::{ConnectionTrait, DbBackend, DbErr, Statement, Value};

/// `sql` with `$n` placeholders written for `backend` (`?n` on SQLite).
pub(super) fn text(backend: DbBackend, sql: &str) -> String {
    match backend {
        DbBackend::Postgres => sql.to_owned(),
        _ => sql.replace('$', "?"),
    }
}

pub(super) fn statement(conn: &impl ConnectionTrait, sql: &str, values: Vec<Value>) -> Statement {
    let backend = conn.get_database_backend();
    Statement::from_sql_and_values(backend, text(backend, sql), values)
}

/// One purge batch: deletes up to `limit` rows of `table` that match
/// `filter` (a condition over `$1`, `$2`… bound to `values`), chosen by
/// `key` (a column, or a comma-separated list of columns). Batches stay
/// short so that no lock is held for long. Returns how many went. The text
/// is fixed by the caller (`&'static str`); as everywhere in [`text`], a `$`
/// is a placeholder, never part of a literal.
///
/// # Errors
/// [`DbErr`] on database failure.
pub(super) async fn delete_batch(
    conn: &impl ConnectionTrait,
    table: &'static str,
    key: &'static str,
    (filter, mut values): (&'static str, Vec<Value>),
    limit: u64,
) -> Result<u64, DbErr> {
    values.push(i64::try_from(limit).unwrap_or(i64::MAX).into());
    let sql = delete_batch_text(table, key, filter, values.len());
    let done = conn.execute_raw(statement(conn, &sql, values)).await?;
    Ok(done.rows_affected())
}

/// [`delete_batch`]'s text, the limit in placeholder `$limit`.
fn delete_batch_text(table: &str, key: &str, filter: &str, limit: usize) -> String {
    format!(
        "DELETE FROM {table} WHERE ({key}) IN \
         (SELECT {key} FROM {table} WHERE {filter} LIMIT ${limit})"
    )
}

/// A statement being built for one backend: its text and bind values.
pub(super) struct Sql {
    backend: DbBackend,
    /// The text.
    pub text: String,
    values: Vec<Value>,
}

impl Sql {
    pub(super) fn new(backend: DbBackend) -> Self {
        Self {
            backend,
            text: String::new(),
            values: Vec::new(),
        }
    }

    /// A placeholder bound to `value` (`$n`; SQLite's `?n`).
    pub(super) fn bind(&mut self, value: impl Into<Value>) -> String {
        self.values.push(value.into());
        match self.backend {
            DbBackend::Postgres => format!("${}", self.values.len()),
            _ => format!("?{}", self.values.len()),
        }
    }

    pub(super) fn statement(self) -> Statement {
        Statement::from_sql_and_values(self.backend, self.text, self.values)
    }
}

/// What guards a sub-statement.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Guard {
    /// Nothing: it runs after its header was written.
    None,
    /// The `header` row of the same statement: nothing without it.
    Header,
}

impl Guard {
    /// The condition to append to a `WHERE`.
    pub(super) fn and(self) -> &'static str {
        match self {
            Self::None => "",
            Self::Header => " AND EXISTS (SELECT 1 FROM header)",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_purge_batch_deletes_by_key_what_its_subquery_picks() {
        let sql = delete_batch_text("t", "a, b", "at < $1", 2);
        assert_eq!(
            sql,
            "DELETE FROM t WHERE (a, b) IN (SELECT a, b FROM t WHERE at < $1 LIMIT $2)"
        );
        assert_eq!(
            text(DbBackend::Sqlite, &sql),
            "DELETE FROM t WHERE (a, b) IN (SELECT a, b FROM t WHERE at < ?1 LIMIT ?2)"
        );
    }

    #[test]
    fn placeholders_follow_the_backend() {
        let sql = "SELECT 1 WHERE a = $1 AND b = $2";
        assert_eq!(text(DbBackend::Postgres, sql), sql);
        assert_eq!(
            text(DbBackend::Sqlite, sql),
            "SELECT 1 WHERE a = ?1 AND b = ?2"
        );
    }

    #[test]
    fn bound_placeholders_follow_the_backend() {
        let mut pg = Sql::new(DbBackend::Postgres);
        assert_eq!((pg.bind(1), pg.bind(2)), ("$1".into(), "$2".into()));
        let mut lite = Sql::new(DbBackend::Sqlite);
        assert_eq!((lite.bind(1), lite.bind(2)), ("?1".into(), "?2".into()));
    }
}
