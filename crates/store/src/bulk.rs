//! Multi-row statements: a batch's rows are written with a few large statements, not one per row.

use sqlx::any::AnyArguments;
use sqlx::query::Query;
use sqlx::{Any, AnyConnection, AssertSqlSafe};

use crate::database::Dialect;
use crate::error::store_error;
use domain::StoreError;

/// Row counts multi-row statements are built for. A batch is cut greedily into these sizes, so
/// only a handful of distinct statements exist and each stays in the prepared-statement cache;
/// 256 rows of up to 5 columns stay far below SQLite's and PostgreSQL's parameter limits.
const CHUNK_SIZES: [usize; 5] = [256, 64, 16, 4, 1];

/// Cuts `rows` into chunks whose lengths are all in [`CHUNK_SIZES`].
pub(crate) fn chunks<T>(mut rows: &[T]) -> impl Iterator<Item = &[T]> {
    std::iter::from_fn(move || {
        let size = CHUNK_SIZES.into_iter().find(|size| *size <= rows.len())?;
        let (chunk, rest) = rows.split_at(size);
        rows = rest;
        Some(chunk)
    })
}

/// `($1, $2), ($3, $4)` for `rows` rows of `columns` columns (`(?, ?), (?, ?)` on SQLite, where
/// numbered parameters are named ones, and binding N named parameters costs O(N²) in SQLite's
/// parameter-name lookup: a third of a batch's time at 256 rows).
pub(crate) fn values_placeholders(dialect: Dialect, rows: usize, columns: usize) -> String {
    let mut text = String::with_capacity(rows * columns * 6);
    for row in 0..rows {
        if row > 0 {
            text.push_str(", ");
        }
        text.push('(');
        for column in 0..columns {
            if column > 0 {
                text.push_str(", ");
            }
            push_placeholder(&mut text, dialect, row * columns + column + 1);
        }
        text.push(')');
    }
    text
}

/// `$1, $2, $3` (or `?, ?, ?` on SQLite) for an `IN (…)` list.
pub(crate) fn list_placeholders(dialect: Dialect, count: usize) -> String {
    let mut text = String::with_capacity(count * 5);
    for index in 1..=count {
        if index > 1 {
            text.push_str(", ");
        }
        push_placeholder(&mut text, dialect, index);
    }
    text
}

fn push_placeholder(text: &mut String, dialect: Dialect, index: usize) {
    match dialect {
        Dialect::Sqlite => text.push('?'),
        Dialect::Postgres => {
            text.push('$');
            text.push_str(&index.to_string());
        }
    }
}

pub(crate) type AnyQuery<'q> = Query<'q, Any, AnyArguments>;

/// Runs `build(sql_prefix + placeholders + sql_suffix)` for every chunk of rows, binding each row
/// with `bind`, and returns the total number of rows the statements affected.
pub(crate) async fn execute_chunked<T>(
    connection: &mut AnyConnection,
    dialect: Dialect,
    rows: &[T],
    columns: usize,
    sql: impl Fn(&str) -> String,
    bind: impl for<'q> Fn(AnyQuery<'q>, &'q T) -> AnyQuery<'q>,
) -> Result<u64, StoreError> {
    let mut affected = 0;
    for chunk in chunks(rows) {
        let text = sql(&values_placeholders(dialect, chunk.len(), columns));
        let mut query = sqlx::query(AssertSqlSafe(text));
        for row in chunk {
            query = bind(query, row);
        }
        affected += query
            .execute(&mut *connection)
            .await
            .map_err(store_error)?
            .rows_affected();
    }
    Ok(affected)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunks_use_only_the_cached_sizes_and_cover_every_row() {
        let rows: Vec<usize> = (0..1_000).collect();
        let sizes: Vec<usize> = chunks(&rows).map(<[usize]>::len).collect();
        assert_eq!(sizes.iter().sum::<usize>(), 1_000);
        assert!(sizes.iter().all(|size| CHUNK_SIZES.contains(size)));
        assert_eq!(sizes, vec![256, 256, 256, 64, 64, 64, 16, 16, 4, 4]);
        assert_eq!(chunks::<u8>(&[]).count(), 0);
    }

    #[test]
    fn placeholders_number_every_parameter_once() {
        assert_eq!(
            values_placeholders(Dialect::Postgres, 2, 2),
            "($1, $2), ($3, $4)"
        );
        assert_eq!(values_placeholders(Dialect::Sqlite, 2, 2), "(?, ?), (?, ?)");
        assert_eq!(list_placeholders(Dialect::Postgres, 3), "$1, $2, $3");
    }
}
