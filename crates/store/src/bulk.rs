//! A batch's rows travel as one JSON array parameter that the database unpacks itself.
//!
//! Binding thousands of parameters costs more than writing the rows: every value is copied
//! through sqlx's `Any` layer, and SQLite looks numbered parameters up by name in O(n). One text
//! parameter per statement, unpacked by `json_each` (SQLite) or `jsonb_array_elements`
//! (PostgreSQL), leaves only the database's own work.

use crate::database::Dialect;

/// How a column is read out of a JSON row.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Column {
    Text(&'static str),
    BigInt(&'static str),
}

impl Dialect {
    /// `SELECT … AS name, … FROM <the rows in $1>`: a row source for INSERT … SELECT or UPDATE … FROM.
    pub(crate) fn json_rows(self, columns: &[Column]) -> String {
        let mut select = String::from("SELECT ");
        for (index, column) in columns.iter().enumerate() {
            if index > 0 {
                select.push_str(", ");
            }
            match column {
                Column::Text(name) => select.push_str(&format!("j.value ->> {index} AS {name}")),
                Column::BigInt(name) => {
                    select.push_str(&format!("CAST(j.value ->> {index} AS BIGINT) AS {name}"))
                }
            }
        }
        select.push_str(match self {
            Dialect::Sqlite => " FROM json_each($1) AS j",
            Dialect::Postgres => " FROM jsonb_array_elements(CAST($1 AS jsonb)) AS j(value)",
        });
        select
    }

    /// `SELECT value FROM <the strings in $1>`: a list for `IN (…)`.
    pub(crate) fn json_texts(self) -> &'static str {
        match self {
            Dialect::Sqlite => "SELECT j.value FROM json_each($1) AS j",
            Dialect::Postgres => {
                "SELECT j.value FROM jsonb_array_elements_text(CAST($1 AS jsonb)) AS j(value)"
            }
        }
    }
}

/// Builds the JSON array of rows, each row an array of values in column order.
#[derive(Clone, Debug)]
pub(crate) struct JsonRows {
    text: String,
    rows: usize,
    in_row: bool,
    values_in_row: usize,
}

impl JsonRows {
    pub(crate) fn with_capacity(rows: usize) -> JsonRows {
        let mut text = String::with_capacity(rows * 64 + 2);
        text.push('[');
        JsonRows {
            text,
            rows: 0,
            in_row: false,
            values_in_row: 0,
        }
    }

    pub(crate) fn row(&mut self) -> &mut JsonRows {
        self.close_row();
        if self.rows > 0 {
            self.text.push(',');
        }
        self.text.push('[');
        self.rows += 1;
        self.in_row = true;
        self.values_in_row = 0;
        self
    }

    pub(crate) fn text(&mut self, value: &str) -> &mut JsonRows {
        self.separate();
        // Ids and account keys, most of what a batch carries, need no escaping: copy them as
        // they are. Anything else goes through serde_json's escaping (which cannot fail here).
        let plain = value
            .bytes()
            .all(|byte| byte >= 0x20 && byte != b'"' && byte != b'\\');
        if plain {
            self.text.push('"');
            self.text.push_str(value);
            self.text.push('"');
        } else {
            let escaped = serde_json::to_string(value).unwrap_or_else(|_| "null".into());
            self.text.push_str(&escaped);
        }
        self
    }

    pub(crate) fn int(&mut self, value: i64) -> &mut JsonRows {
        self.separate();
        self.text.push_str(&value.to_string());
        self
    }

    pub(crate) fn opt_text(&mut self, value: Option<&str>) -> &mut JsonRows {
        match value {
            Some(value) => self.text(value),
            None => self.null(),
        }
    }

    pub(crate) fn opt_int(&mut self, value: Option<i64>) -> &mut JsonRows {
        match value {
            Some(value) => self.int(value),
            None => self.null(),
        }
    }

    fn null(&mut self) -> &mut JsonRows {
        self.separate();
        self.text.push_str("null");
        self
    }

    fn separate(&mut self) {
        assert!(self.in_row, "values go inside a row");
        if self.values_in_row > 0 {
            self.text.push(',');
        }
        self.values_in_row += 1;
    }

    fn close_row(&mut self) {
        if self.in_row {
            self.text.push(']');
            self.in_row = false;
        }
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.rows == 0
    }

    pub(crate) fn finish(mut self) -> String {
        self.close_row();
        self.text.push(']');
        self.text
    }
}

/// A batch's rows as values to bind, one statement execution per row: what the SQLite ledger's
/// committing connection (rusqlite, prepared statements, no `Any` layer) writes fastest, where
/// unpacking a JSON parameter cost more than the inserts themselves.
#[derive(Clone, Debug, Default)]
pub(crate) struct BoundRows {
    rows: Vec<Vec<rusqlite::types::Value>>,
}

impl BoundRows {
    pub(crate) fn with_capacity(rows: usize) -> BoundRows {
        BoundRows {
            rows: Vec::with_capacity(rows),
        }
    }

    pub(crate) fn row(&mut self) -> &mut BoundRows {
        self.rows.push(Vec::new());
        self
    }

    fn push(&mut self, value: rusqlite::types::Value) -> &mut BoundRows {
        self.rows
            .last_mut()
            .expect("values go inside a row")
            .push(value);
        self
    }

    pub(crate) fn text(&mut self, value: &str) -> &mut BoundRows {
        self.push(rusqlite::types::Value::Text(value.to_owned()))
    }

    pub(crate) fn int(&mut self, value: i64) -> &mut BoundRows {
        self.push(rusqlite::types::Value::Integer(value))
    }

    pub(crate) fn opt_text(&mut self, value: Option<&str>) -> &mut BoundRows {
        match value {
            Some(value) => self.text(value),
            None => self.push(rusqlite::types::Value::Null),
        }
    }

    pub(crate) fn opt_int(&mut self, value: Option<i64>) -> &mut BoundRows {
        match value {
            Some(value) => self.int(value),
            None => self.push(rusqlite::types::Value::Null),
        }
    }

    /// Each row's values, in column order.
    pub(crate) fn rows(&self) -> impl Iterator<Item = &[rusqlite::types::Value]> {
        self.rows.iter().map(Vec::as_slice)
    }
}

/// `?1, ?2, …, ?n`: the placeholders of one row of `columns` values.
pub(crate) fn placeholders(columns: usize) -> String {
    (1..=columns)
        .map(|index| format!("?{index}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// A JSON array of strings, for `IN (…)` lists.
pub(crate) fn json_strings<'a>(values: impl IntoIterator<Item = &'a str>) -> String {
    let values: Vec<&str> = values.into_iter().collect();
    serde_json::to_string(&values).unwrap_or_else(|_| "[]".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_are_written_as_arrays_in_column_order_with_text_escaped() {
        let mut rows = JsonRows::with_capacity(2);
        rows.row().text("txn_1").int(-5).opt_int(None);
        rows.row().text("say \"hi\"\n").int(7).opt_text(Some("x"));
        assert_eq!(
            rows.finish(),
            r#"[["txn_1",-5,null],["say \"hi\"\n",7,"x"]]"#
        );
        assert_eq!(JsonRows::with_capacity(0).finish(), "[]");
    }

    #[test]
    fn row_sources_read_columns_by_position_in_each_dialect() {
        let columns = [Column::Text("id"), Column::BigInt("posted")];
        assert_eq!(
            Dialect::Sqlite.json_rows(&columns),
            "SELECT j.value ->> 0 AS id, CAST(j.value ->> 1 AS BIGINT) AS posted FROM json_each($1) AS j"
        );
        assert!(
            Dialect::Postgres
                .json_rows(&columns)
                .ends_with("FROM jsonb_array_elements(CAST($1 AS jsonb)) AS j(value)")
        );
        assert_eq!(json_strings(["a", "b\""]), r#"["a","b\""]"#);
    }

    #[test]
    fn bound_rows_keep_each_value_in_column_order() {
        use rusqlite::types::Value;
        let mut rows = BoundRows::with_capacity(2);
        rows.row().text("txn_1").int(-5).opt_int(None);
        rows.row()
            .opt_text(Some("say \"hi\""))
            .opt_text(None)
            .int(7);
        let rows: Vec<&[Value]> = rows.rows().collect();
        assert_eq!(
            rows,
            [
                &[Value::Text("txn_1".into()), Value::Integer(-5), Value::Null][..],
                &[
                    Value::Text("say \"hi\"".into()),
                    Value::Null,
                    Value::Integer(7)
                ][..],
            ]
        );
        assert_eq!(placeholders(3), "?1, ?2, ?3");
    }
}
