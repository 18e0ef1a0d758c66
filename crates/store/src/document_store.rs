//! Uploaded documents (bytes kept in the database): one set of reads and writes for the three tables that hold them, each named by a [`DocumentTable`].

use domain::StoreError;
use domain::documents::{DocumentInfo, StoredDocument};
use sqlx::any::AnyRow;
use sqlx::{AnyPool, AssertSqlSafe, Row};

use crate::error::store_error;

/// A table of uploaded documents: `id, <owner>, [message_id,] file_name, content_type,
/// size_bytes, created_at, data`.
pub(crate) struct DocumentTable {
    name: &'static str,
    /// The column naming what a document belongs to.
    owner_column: &'static str,
    /// Whether documents here may come with a message (a ticket's reply).
    has_message: bool,
}

pub(crate) static TICKET_ATTACHMENTS: DocumentTable = DocumentTable {
    name: "ticket_attachments",
    owner_column: "ticket_id",
    has_message: true,
};

pub(crate) static KYC_DOCUMENTS: DocumentTable = DocumentTable {
    name: "kyc_documents",
    owner_column: "request_id",
    has_message: false,
};

pub(crate) static APPEAL_DOCUMENTS: DocumentTable = DocumentTable {
    name: "appeal_documents",
    owner_column: "appeal_id",
    has_message: false,
};

impl DocumentTable {
    /// Every column but `data`, in the order [`DocumentTable::info_from`] reads them.
    fn columns(&self) -> String {
        let message = if self.has_message { "message_id, " } else { "" };
        format!(
            "id, {}, {message}file_name, content_type, size_bytes, created_at",
            self.owner_column
        )
    }

    fn column_count(&self) -> usize {
        if self.has_message { 7 } else { 6 }
    }

    fn info_from(&self, row: &AnyRow) -> Result<DocumentInfo, StoreError> {
        let (message_id, rest) = if self.has_message {
            (row.try_get(2).map_err(store_error)?, 3)
        } else {
            (None, 2)
        };
        Ok(DocumentInfo {
            id: row.try_get(0).map_err(store_error)?,
            owner_id: row.try_get(1).map_err(store_error)?,
            message_id,
            file_name: row.try_get(rest).map_err(store_error)?,
            content_type: row.try_get(rest + 1).map_err(store_error)?,
            size_bytes: row.try_get(rest + 2).map_err(store_error)?,
            created_at: row.try_get(rest + 3).map_err(store_error)?,
        })
    }

    /// Writes one document and its bytes, on the pool or inside a caller's transaction.
    pub(crate) async fn insert<'e, E>(
        &self,
        executor: E,
        info: &DocumentInfo,
        bytes: &[u8],
    ) -> Result<(), StoreError>
    where
        E: sqlx::Executor<'e, Database = sqlx::Any>,
    {
        let placeholders: Vec<String> = (1..=self.column_count() + 1)
            .map(|n| format!("${n}"))
            .collect();
        let sql = format!(
            "INSERT INTO {} ({}, data) VALUES ({})",
            self.name,
            self.columns(),
            placeholders.join(", ")
        );
        let mut query = sqlx::query(AssertSqlSafe(sql))
            .bind(info.id.clone())
            .bind(info.owner_id.clone());
        if self.has_message {
            query = query.bind(info.message_id.clone());
        }
        query
            .bind(info.file_name.clone())
            .bind(info.content_type.clone())
            .bind(info.size_bytes)
            .bind(info.created_at)
            .bind(bytes.to_vec())
            .execute(executor)
            .await
            .map_err(store_error)?;
        Ok(())
    }

    /// What belongs to `owner_id`, oldest first, without the bytes.
    pub(crate) async fn list(
        &self,
        pool: &AnyPool,
        owner_id: &str,
    ) -> Result<Vec<DocumentInfo>, StoreError> {
        let sql = format!(
            "SELECT {} FROM {} WHERE {} = $1 ORDER BY created_at, id",
            self.columns(),
            self.name,
            self.owner_column
        );
        let rows = sqlx::query(AssertSqlSafe(sql))
            .bind(owner_id.to_owned())
            .fetch_all(pool)
            .await
            .map_err(store_error)?;
        rows.iter().map(|row| self.info_from(row)).collect()
    }

    /// One document with its bytes.
    pub(crate) async fn with_bytes(
        &self,
        pool: &AnyPool,
        id: &str,
    ) -> Result<Option<StoredDocument>, StoreError> {
        let sql = format!(
            "SELECT {}, data FROM {} WHERE id = $1",
            self.columns(),
            self.name
        );
        let row = sqlx::query(AssertSqlSafe(sql))
            .bind(id.to_owned())
            .fetch_optional(pool)
            .await
            .map_err(store_error)?;
        match row {
            None => Ok(None),
            Some(row) => {
                let bytes: Vec<u8> = row.try_get(self.column_count()).map_err(store_error)?;
                Ok(Some((self.info_from(&row)?, bytes)))
            }
        }
    }
}
