//! Maps sqlx's errors to the port's `StoreError`, keeping database details out of use cases.

use domain::StoreError;

pub(crate) fn store_error(error: sqlx::Error) -> StoreError {
    match &error {
        sqlx::Error::RowNotFound => StoreError::NotFound,
        sqlx::Error::Database(database_error) if database_error.is_unique_violation() => {
            StoreError::Conflict {
                constraint: database_error.constraint().unwrap_or("unique").to_owned(),
            }
        }
        _ => StoreError::Unavailable(error.to_string()),
    }
}
