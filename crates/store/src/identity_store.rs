//! Accounts, one-time codes, sessions, sign-in attempts and locks in the database.

use domain::identity::{
    CodeDigest, CodePurpose, Lock, LockReason, SessionRecord, SignInAttempt, SignInOutcome,
    StoredCode, UnixSeconds, UserRecord, UserStatus,
};
use domain::{IdentityStore, StoreError};
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::database::Store;
use crate::error::store_error;

/// The most attempts read back for one account: far more than any lockout rule looks at.
const ATTEMPTS_READ_MAX: i64 = 200;

const USER_COLUMNS: &str =
    "id, email, phone, password_hash, status, locale, created_at, verified_at";
pub(crate) const SESSION_COLUMNS: &str =
    "id, token_hash, user_id, created_at, last_seen_at, revoked_at, ip, user_agent";
// The same reads as sqlx's, spelled out whole for rusqlite's statement cache.
const USER_BY_ID: &str = "SELECT id, email, phone, password_hash, status, locale, created_at, verified_at \
     FROM users WHERE id = $1";
const SESSION_BY_TOKEN_HASH: &str = "SELECT id, token_hash, user_id, created_at, last_seen_at, revoked_at, ip, user_agent \
     FROM sessions WHERE token_hash = $1";

impl IdentityStore for Store {
    async fn insert_user(&self, user: &UserRecord) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO users (id, email, phone, password_hash, status, locale, created_at, verified_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(user.id.clone())
        .bind(user.email.clone())
        .bind(user.phone.clone())
        .bind(user.password_hash.clone())
        .bind(user.status.name())
        .bind(user.locale.clone())
        .bind(user.created_at)
        .bind(user.verified_at)
        .execute(&self.pool)
        .await
        .map_err(store_error)?;
        Ok(())
    }

    async fn user_by_login(&self, login: &str) -> Result<Option<UserRecord>, StoreError> {
        let sql = format!("SELECT {USER_COLUMNS} FROM users WHERE email = $1 OR phone = $1");
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(login.to_owned())
            .fetch_optional(&self.pool)
            .await
            .map_err(store_error)?;
        row.as_ref().map(user_from).transpose()
    }

    async fn user_by_id(&self, user_id: &str) -> Result<Option<UserRecord>, StoreError> {
        if let Some(reads) = &self.sqlite_reads {
            // Asked before every movement out (the freeze check): the hot path.
            return reads
                .row(USER_BY_ID, [user_id], user_from_sqlite)?
                .transpose();
        }
        let sql = format!("SELECT {USER_COLUMNS} FROM users WHERE id = $1");
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(user_id.to_owned())
            .fetch_optional(&self.pool)
            .await
            .map_err(store_error)?;
        row.as_ref().map(user_from).transpose()
    }

    async fn set_user_status(
        &self,
        user_id: &str,
        status: UserStatus,
        verified_at: Option<UnixSeconds>,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE users SET status = $1, verified_at = COALESCE($2, verified_at) WHERE id = $3",
        )
        .bind(status.name())
        .bind(verified_at)
        .bind(user_id.to_owned())
        .execute(&self.pool)
        .await
        .map_err(store_error)?;
        Ok(())
    }

    async fn put_code(&self, code: &StoredCode) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO one_time_codes (purpose, subject, digest, issued_at, attempts) VALUES ($1, $2, $3, $4, $5) \
             ON CONFLICT (purpose, subject) DO UPDATE SET digest = excluded.digest, \
             issued_at = excluded.issued_at, attempts = excluded.attempts",
        )
        .bind(code.purpose.code())
        .bind(code.subject.clone())
        .bind(code.digest.to_hex())
        .bind(code.issued_at)
        .bind(i64::from(code.attempts))
        .execute(&self.pool)
        .await
        .map_err(store_error)?;
        Ok(())
    }

    async fn code(
        &self,
        purpose: CodePurpose,
        subject: &str,
    ) -> Result<Option<StoredCode>, StoreError> {
        let row = sqlx::query("SELECT digest, issued_at, attempts FROM one_time_codes WHERE purpose = $1 AND subject = $2")
            .bind(purpose.code())
            .bind(subject.to_owned())
            .fetch_optional(&self.pool)
            .await
            .map_err(store_error)?;
        let Some(row) = row else { return Ok(None) };
        let digest: String = row.try_get(0).map_err(store_error)?;
        let attempts: i64 = row.try_get(2).map_err(store_error)?;
        Ok(Some(StoredCode {
            digest: CodeDigest::from_hex(&digest)
                .map_err(|_| unreadable("one-time code digest"))?,
            purpose,
            subject: subject.to_owned(),
            issued_at: row.try_get(1).map_err(store_error)?,
            attempts: u32::try_from(attempts).unwrap_or(u32::MAX),
        }))
    }

    async fn set_code_attempts(
        &self,
        purpose: CodePurpose,
        subject: &str,
        attempts: u32,
    ) -> Result<(), StoreError> {
        sqlx::query("UPDATE one_time_codes SET attempts = $1 WHERE purpose = $2 AND subject = $3")
            .bind(i64::from(attempts))
            .bind(purpose.code())
            .bind(subject.to_owned())
            .execute(&self.pool)
            .await
            .map_err(store_error)?;
        Ok(())
    }

    async fn delete_code(&self, purpose: CodePurpose, subject: &str) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM one_time_codes WHERE purpose = $1 AND subject = $2")
            .bind(purpose.code())
            .bind(subject.to_owned())
            .execute(&self.pool)
            .await
            .map_err(store_error)?;
        Ok(())
    }

    async fn insert_session(&self, session: &SessionRecord) -> Result<(), StoreError> {
        let sql = format!(
            "INSERT INTO sessions ({SESSION_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"
        );
        sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(session.id.clone())
            .bind(session.token_hash.clone())
            .bind(session.user_id.clone())
            .bind(session.created_at)
            .bind(session.last_seen_at)
            .bind(session.revoked_at)
            .bind(session.ip.clone())
            .bind(session.user_agent.clone())
            .execute(&self.pool)
            .await
            .map_err(store_error)?;
        Ok(())
    }

    async fn session_by_token_hash(
        &self,
        token_hash: &str,
    ) -> Result<Option<SessionRecord>, StoreError> {
        if let Some(reads) = &self.sqlite_reads {
            // Every signed-in request reads its session: the hot path.
            return reads.row(SESSION_BY_TOKEN_HASH, [token_hash], |row| {
                Ok(SessionRecord {
                    id: row.get(0)?,
                    token_hash: row.get(1)?,
                    user_id: row.get(2)?,
                    created_at: row.get(3)?,
                    last_seen_at: row.get(4)?,
                    revoked_at: row.get(5)?,
                    ip: row.get(6)?,
                    user_agent: row.get(7)?,
                })
            });
        }
        let sql = format!("SELECT {SESSION_COLUMNS} FROM sessions WHERE token_hash = $1");
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(token_hash.to_owned())
            .fetch_optional(&self.pool)
            .await
            .map_err(store_error)?;
        row.as_ref().map(session_from).transpose()
    }

    async fn touch_session(&self, session_id: &str, at: UnixSeconds) -> Result<(), StoreError> {
        sqlx::query("UPDATE sessions SET last_seen_at = $1 WHERE id = $2")
            .bind(at)
            .bind(session_id.to_owned())
            .execute(&self.pool)
            .await
            .map_err(store_error)?;
        Ok(())
    }

    async fn revoke_sessions(
        &self,
        user_id: &str,
        keep: Option<&str>,
        at: UnixSeconds,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE sessions SET revoked_at = $1 WHERE user_id = $2 AND revoked_at IS NULL AND id <> $3",
        )
        .bind(at)
        .bind(user_id.to_owned())
        .bind(keep.unwrap_or("").to_owned())
        .execute(&self.pool)
        .await
        .map_err(store_error)?;
        Ok(())
    }

    async fn revoke_session(&self, session_id: &str, at: UnixSeconds) -> Result<(), StoreError> {
        sqlx::query("UPDATE sessions SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL")
            .bind(at)
            .bind(session_id.to_owned())
            .execute(&self.pool)
            .await
            .map_err(store_error)?;
        Ok(())
    }

    async fn record_attempt(&self, attempt: &SignInAttempt) -> Result<(), StoreError> {
        sqlx::query("INSERT INTO sign_in_attempts (user_id, at, succeeded, ip, user_agent, outcome, id) VALUES ($1, $2, $3, $4, $5, $6, $7)")
            .bind(attempt.user_id.clone())
            .bind(attempt.at)
            .bind(i64::from(attempt.succeeded))
            .bind(attempt.ip.clone())
            .bind(attempt.user_agent.clone())
            .bind(attempt.outcome.name())
            .bind(domain::ids::new_id("att"))
            .execute(&self.pool)
            .await
            .map_err(store_error)?;
        Ok(())
    }

    async fn attempts_since(
        &self,
        user_id: &str,
        since: UnixSeconds,
    ) -> Result<Vec<SignInAttempt>, StoreError> {
        let rows = sqlx::query(
            "SELECT at, succeeded, ip, user_agent, outcome FROM sign_in_attempts WHERE user_id = $1 AND at >= $2 \
             ORDER BY at DESC, id DESC LIMIT $3",
        )
        .bind(user_id.to_owned())
        .bind(since)
        .bind(ATTEMPTS_READ_MAX)
        .fetch_all(&self.pool)
        .await
        .map_err(store_error)?;
        rows.iter()
            .rev()
            .map(|row| attempt_from(user_id, row))
            .collect()
    }

    async fn insert_lock(&self, user_id: &str, lock: &Lock) -> Result<(), StoreError> {
        let LockReason::TooManyFailures { failures, window_s } = lock.reason;
        sqlx::query("INSERT INTO account_locks (user_id, locked_at, until, failures, window_s) VALUES ($1, $2, $3, $4, $5)")
            .bind(user_id.to_owned())
            .bind(lock.locked_at)
            .bind(lock.until)
            .bind(i64::from(failures))
            .bind(window_s)
            .execute(&self.pool)
            .await
            .map_err(store_error)?;
        Ok(())
    }

    async fn locks_since(
        &self,
        user_id: &str,
        since: UnixSeconds,
    ) -> Result<Vec<Lock>, StoreError> {
        let rows = sqlx::query(
            "SELECT locked_at, until, failures, window_s FROM account_locks WHERE user_id = $1 AND locked_at >= $2 \
             ORDER BY locked_at",
        )
        .bind(user_id.to_owned())
        .bind(since)
        .fetch_all(&self.pool)
        .await
        .map_err(store_error)?;
        rows.iter()
            .map(|row| {
                let failures: i64 = row.try_get(2).map_err(store_error)?;
                Ok(Lock {
                    locked_at: row.try_get(0).map_err(store_error)?,
                    until: row.try_get(1).map_err(store_error)?,
                    reason: LockReason::TooManyFailures {
                        failures: u32::try_from(failures).unwrap_or(u32::MAX),
                        window_s: row.try_get(3).map_err(store_error)?,
                    },
                })
            })
            .collect()
    }
}

fn user_from(row: &AnyRow) -> Result<UserRecord, StoreError> {
    let status: String = row.try_get(4).map_err(store_error)?;
    Ok(UserRecord {
        id: row.try_get(0).map_err(store_error)?,
        email: row.try_get(1).map_err(store_error)?,
        phone: row.try_get(2).map_err(store_error)?,
        password_hash: row.try_get(3).map_err(store_error)?,
        status: UserStatus::parse(&status).ok_or_else(|| unreadable("user status"))?,
        locale: row.try_get(5).map_err(store_error)?,
        created_at: row.try_get(6).map_err(store_error)?,
        verified_at: row.try_get(7).map_err(store_error)?,
    })
}

/// [`user_from`] for a rusqlite row; an unreadable status is the outer error's business.
fn user_from_sqlite(row: &rusqlite::Row<'_>) -> rusqlite::Result<Result<UserRecord, StoreError>> {
    let status: String = row.get(4)?;
    let Some(status) = UserStatus::parse(&status) else {
        return Ok(Err(unreadable("user status")));
    };
    Ok(Ok(UserRecord {
        id: row.get(0)?,
        email: row.get(1)?,
        phone: row.get(2)?,
        password_hash: row.get(3)?,
        status,
        locale: row.get(5)?,
        created_at: row.get(6)?,
        verified_at: row.get(7)?,
    }))
}

/// A row of `at, succeeded, ip, user_agent, outcome`.
pub(crate) fn attempt_from(user_id: &str, row: &AnyRow) -> Result<SignInAttempt, StoreError> {
    let succeeded: i64 = row.try_get(1).map_err(store_error)?;
    let outcome: String = row.try_get(4).map_err(store_error)?;
    Ok(SignInAttempt {
        user_id: user_id.to_owned(),
        at: row.try_get(0).map_err(store_error)?,
        succeeded: succeeded != 0,
        outcome: SignInOutcome::parse(&outcome, succeeded != 0),
        ip: row.try_get(2).map_err(store_error)?,
        user_agent: row.try_get(3).map_err(store_error)?,
    })
}

pub(crate) fn session_from(row: &AnyRow) -> Result<SessionRecord, StoreError> {
    Ok(SessionRecord {
        id: row.try_get(0).map_err(store_error)?,
        token_hash: row.try_get(1).map_err(store_error)?,
        user_id: row.try_get(2).map_err(store_error)?,
        created_at: row.try_get(3).map_err(store_error)?,
        last_seen_at: row.try_get(4).map_err(store_error)?,
        revoked_at: row.try_get(5).map_err(store_error)?,
        ip: row.try_get(6).map_err(store_error)?,
        user_agent: row.try_get(7).map_err(store_error)?,
    })
}

pub(crate) fn unreadable(what: &str) -> StoreError {
    StoreError::Unavailable(format!("unreadable {what}"))
}
