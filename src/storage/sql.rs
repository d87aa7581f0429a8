//! Plain SQL written once for both backends: `$n` placeholders, turned into
//! SQLite's `?n` where needed.

use sea_orm::{ConnectionTrait, DbBackend, Statement, Value};

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_follow_the_backend() {
        let sql = "SELECT 1 WHERE a = $1 AND b = $2";
        assert_eq!(text(DbBackend::Postgres, sql), sql);
        assert_eq!(
            text(DbBackend::Sqlite, sql),
            "SELECT 1 WHERE a = ?1 AND b = ?2"
        );
    }
}
