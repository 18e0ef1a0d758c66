//! Second factors, single-use tokens, sessions and sign-in history as their owner sees them, the
//! message center and staff accounts in the database.

use domain::StoreError;
use domain::identity::{
    ActionToken, Notice, SessionRecord, SignInAttempt, TokenPurpose, TotpRecord, UnixSeconds,
};
use domain::staff::{StaffRecord, StaffRole, StaffStatus};
use domain::store_port::SecurityStore;
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::database::Store;
use crate::error::store_error;
use crate::identity_store::{SESSION_COLUMNS, attempt_from, session_from, unreadable};

const NOTICE_COLUMNS: &str =
    "id, user_id, kind, title_zh, body_zh, title_en, body_en, created_at, read_at";
const STAFF_COLUMNS: &str = "id, email, role, password_hash, status, locale, created_at, name";
const STAFF_SESSION_COLUMNS: &str =
    "id, token_hash, staff_id, created_at, last_seen_at, revoked_at, ip, user_agent";

impl SecurityStore for Store {
    async fn set_password_hash(
        &self,
        user_id: &str,
        password_hash: &str,
    ) -> Result<(), StoreError> {
        sqlx::query("UPDATE users SET password_hash = $1 WHERE id = $2")
            .bind(password_hash.to_owned())
            .bind(user_id.to_owned())
            .execute(&self.pool)
            .await
            .map_err(store_error)?;
        Ok(())
    }

    async fn set_user_address(
        &self,
        user_id: &str,
        email: Option<&str>,
        phone: Option<&str>,
    ) -> Result<(), StoreError> {
        sqlx::query("UPDATE users SET email = $1, phone = $2 WHERE id = $3")
            .bind(email.map(str::to_owned))
            .bind(phone.map(str::to_owned))
            .bind(user_id.to_owned())
            .execute(&self.pool)
            .await
            .map_err(store_error)?;
        Ok(())
    }

    async fn end_locks(&self, user_id: &str, now: UnixSeconds) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await.map_err(store_error)?;
        sqlx::query("UPDATE account_locks SET until = $1 WHERE user_id = $2 AND until > $1")
            .bind(now)
            .bind(user_id.to_owned())
            .execute(&mut *tx)
            .await
            .map_err(store_error)?;
        // Earlier failures no longer count towards the next lock; `outcome` keeps the history.
        sqlx::query("UPDATE sign_in_attempts SET succeeded = 1 WHERE user_id = $1 AND succeeded = 0 AND at <= $2")
            .bind(user_id.to_owned())
            .bind(now)
            .execute(&mut *tx)
            .await
            .map_err(store_error)?;
        tx.commit().await.map_err(store_error)
    }

    async fn live_sessions(
        &self,
        user_id: &str,
        limit: i64,
    ) -> Result<Vec<SessionRecord>, StoreError> {
        let sql = format!(
            "SELECT {SESSION_COLUMNS} FROM sessions WHERE user_id = $1 AND revoked_at IS NULL \
             ORDER BY last_seen_at DESC, id LIMIT $2"
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(user_id.to_owned())
            .bind(limit)
            .fetch_all(&self.pool)
            .await
            .map_err(store_error)?;
        rows.iter().map(session_from).collect()
    }

    async fn revoke_own_session(
        &self,
        user_id: &str,
        session_id: &str,
        at: UnixSeconds,
    ) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "UPDATE sessions SET revoked_at = $1 WHERE id = $2 AND user_id = $3 AND revoked_at IS NULL",
        )
        .bind(at)
        .bind(session_id.to_owned())
        .bind(user_id.to_owned())
        .execute(&self.pool)
        .await
        .map_err(store_error)?;
        Ok(done.rows_affected() == 1)
    }

    async fn sign_in_history(
        &self,
        user_id: &str,
        limit: i64,
    ) -> Result<Vec<SignInAttempt>, StoreError> {
        let rows = sqlx::query(
            "SELECT at, succeeded, ip, user_agent, outcome FROM sign_in_attempts WHERE user_id = $1 \
             ORDER BY at DESC, id DESC LIMIT $2",
        )
        .bind(user_id.to_owned())
        .bind(limit)
        .fetch_all(&self.pool)
        .await
        .map_err(store_error)?;
        rows.iter().map(|row| attempt_from(user_id, row)).collect()
    }

    async fn totp(&self, owner: &str) -> Result<Option<TotpRecord>, StoreError> {
        let row = sqlx::query(
            "SELECT secret_sealed, created_at, enabled_at, last_step FROM totp_secrets WHERE owner = $1",
        )
        .bind(owner.to_owned())
        .fetch_optional(&self.pool)
        .await
        .map_err(store_error)?;
        let Some(row) = row else { return Ok(None) };
        Ok(Some(TotpRecord {
            owner: owner.to_owned(),
            secret_sealed: row.try_get(0).map_err(store_error)?,
            created_at: row.try_get(1).map_err(store_error)?,
            enabled_at: row.try_get(2).map_err(store_error)?,
            last_step: row.try_get(3).map_err(store_error)?,
        }))
    }

    async fn put_pending_totp(&self, record: &TotpRecord) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "INSERT INTO totp_secrets (owner, secret_sealed, created_at, enabled_at, last_step) \
             VALUES ($1, $2, $3, NULL, NULL) \
             ON CONFLICT (owner) DO UPDATE SET secret_sealed = excluded.secret_sealed, \
             created_at = excluded.created_at, last_step = NULL \
             WHERE totp_secrets.enabled_at IS NULL",
        )
        .bind(record.owner.clone())
        .bind(record.secret_sealed.clone())
        .bind(record.created_at)
        .execute(&self.pool)
        .await
        .map_err(store_error)?;
        Ok(done.rows_affected() == 1)
    }

    async fn enable_totp(
        &self,
        owner: &str,
        step: i64,
        at: UnixSeconds,
    ) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "UPDATE totp_secrets SET enabled_at = $1, last_step = $2 WHERE owner = $3 AND enabled_at IS NULL",
        )
        .bind(at)
        .bind(step)
        .bind(owner.to_owned())
        .execute(&self.pool)
        .await
        .map_err(store_error)?;
        Ok(done.rows_affected() == 1)
    }

    async fn accept_totp_step(&self, owner: &str, step: i64) -> Result<bool, StoreError> {
        // The check and the set are one statement: the database serialises concurrent updates of
        // the row, and every caller after the first finds `last_step` already at `step`.
        let done = sqlx::query(
            "UPDATE totp_secrets SET last_step = $1 WHERE owner = $2 AND enabled_at IS NOT NULL \
             AND (last_step IS NULL OR last_step < $1)",
        )
        .bind(step)
        .bind(owner.to_owned())
        .execute(&self.pool)
        .await
        .map_err(store_error)?;
        Ok(done.rows_affected() == 1)
    }

    async fn delete_totp(&self, owner: &str) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await.map_err(store_error)?;
        for sql in [
            "DELETE FROM totp_secrets WHERE owner = $1",
            "DELETE FROM recovery_codes WHERE owner = $1",
        ] {
            sqlx::query(sql)
                .bind(owner.to_owned())
                .execute(&mut *tx)
                .await
                .map_err(store_error)?;
        }
        tx.commit().await.map_err(store_error)
    }

    async fn replace_recovery_codes(
        &self,
        owner: &str,
        digests: &[String],
        at: UnixSeconds,
    ) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await.map_err(store_error)?;
        sqlx::query("DELETE FROM recovery_codes WHERE owner = $1")
            .bind(owner.to_owned())
            .execute(&mut *tx)
            .await
            .map_err(store_error)?;
        for digest in digests {
            sqlx::query("INSERT INTO recovery_codes (owner, digest, created_at, used_at) VALUES ($1, $2, $3, NULL)")
                .bind(owner.to_owned())
                .bind(digest.clone())
                .bind(at)
                .execute(&mut *tx)
                .await
                .map_err(store_error)?;
        }
        tx.commit().await.map_err(store_error)
    }

    async fn use_recovery_code(
        &self,
        owner: &str,
        digest: &str,
        at: UnixSeconds,
    ) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "UPDATE recovery_codes SET used_at = $1 WHERE owner = $2 AND digest = $3 AND used_at IS NULL",
        )
        .bind(at)
        .bind(owner.to_owned())
        .bind(digest.to_owned())
        .execute(&self.pool)
        .await
        .map_err(store_error)?;
        Ok(done.rows_affected() == 1)
    }

    async fn unused_recovery_codes(&self, owner: &str) -> Result<i64, StoreError> {
        sqlx::query_scalar(
            "SELECT COUNT(*) FROM recovery_codes WHERE owner = $1 AND used_at IS NULL",
        )
        .bind(owner.to_owned())
        .fetch_one(&self.pool)
        .await
        .map_err(store_error)
    }

    async fn insert_token(&self, token: &ActionToken) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO action_tokens (digest, purpose, owner, action, detail, created_at, expires_at, used_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, NULL)",
        )
        .bind(token.digest.clone())
        .bind(token.purpose.name())
        .bind(token.owner.clone())
        .bind(token.action.clone())
        .bind(token.detail.clone())
        .bind(token.created_at)
        .bind(token.expires_at)
        .execute(&self.pool)
        .await
        .map_err(store_error)?;
        Ok(())
    }

    async fn token(
        &self,
        digest: &str,
        purpose: TokenPurpose,
    ) -> Result<Option<ActionToken>, StoreError> {
        let row = sqlx::query(
            "SELECT owner, action, detail, created_at, expires_at, used_at FROM action_tokens \
             WHERE digest = $1 AND purpose = $2",
        )
        .bind(digest.to_owned())
        .bind(purpose.name())
        .fetch_optional(&self.pool)
        .await
        .map_err(store_error)?;
        let Some(row) = row else { return Ok(None) };
        Ok(Some(ActionToken {
            digest: digest.to_owned(),
            purpose,
            owner: row.try_get(0).map_err(store_error)?,
            action: row.try_get(1).map_err(store_error)?,
            detail: row.try_get(2).map_err(store_error)?,
            created_at: row.try_get(3).map_err(store_error)?,
            expires_at: row.try_get(4).map_err(store_error)?,
            used_at: row.try_get(5).map_err(store_error)?,
        }))
    }

    async fn use_token(
        &self,
        digest: &str,
        purpose: TokenPurpose,
        at: UnixSeconds,
    ) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "UPDATE action_tokens SET used_at = $1 WHERE digest = $2 AND purpose = $3 \
             AND used_at IS NULL AND expires_at > $1",
        )
        .bind(at)
        .bind(digest.to_owned())
        .bind(purpose.name())
        .execute(&self.pool)
        .await
        .map_err(store_error)?;
        Ok(done.rows_affected() == 1)
    }

    async fn insert_notice(&self, notice: &Notice) -> Result<(), StoreError> {
        let sql = format!(
            "INSERT INTO notices ({NOTICE_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"
        );
        sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(notice.id.clone())
            .bind(notice.user_id.clone())
            .bind(notice.kind.clone())
            .bind(notice.title_zh.clone())
            .bind(notice.body_zh.clone())
            .bind(notice.title_en.clone())
            .bind(notice.body_en.clone())
            .bind(notice.created_at)
            .bind(notice.read_at)
            .execute(&self.pool)
            .await
            .map_err(store_error)?;
        Ok(())
    }

    async fn notices(
        &self,
        user_id: &str,
        limit: i64,
        starting_after: Option<&str>,
    ) -> Result<Vec<Notice>, StoreError> {
        // Ids are UUID v7, so their order is their creation order.
        let sql = format!(
            "SELECT {NOTICE_COLUMNS} FROM notices WHERE user_id = $1 AND ($2 = '' OR id < $2) \
             ORDER BY id DESC LIMIT $3"
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(user_id.to_owned())
            .bind(starting_after.unwrap_or("").to_owned())
            .bind(limit)
            .fetch_all(&self.pool)
            .await
            .map_err(store_error)?;
        rows.iter().map(notice_from).collect()
    }

    async fn unread_notices(&self, user_id: &str) -> Result<i64, StoreError> {
        sqlx::query_scalar("SELECT COUNT(*) FROM notices WHERE user_id = $1 AND read_at IS NULL")
            .bind(user_id.to_owned())
            .fetch_one(&self.pool)
            .await
            .map_err(store_error)
    }

    async fn mark_notices_read(
        &self,
        user_id: &str,
        notice_id: Option<&str>,
        at: UnixSeconds,
    ) -> Result<u64, StoreError> {
        let done = sqlx::query(
            "UPDATE notices SET read_at = $1 WHERE user_id = $2 AND read_at IS NULL AND ($3 = '' OR id = $3)",
        )
        .bind(at)
        .bind(user_id.to_owned())
        .bind(notice_id.unwrap_or("").to_owned())
        .execute(&self.pool)
        .await
        .map_err(store_error)?;
        Ok(done.rows_affected())
    }

    async fn insert_staff(&self, staff: &StaffRecord) -> Result<(), StoreError> {
        let sql = format!(
            "INSERT INTO staff_users ({STAFF_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"
        );
        sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(staff.id.clone())
            .bind(staff.email.clone())
            .bind(staff.role.name())
            .bind(staff.password_hash.clone())
            .bind(staff.status.name())
            .bind(staff.locale.clone())
            .bind(staff.created_at)
            .bind(staff.name.clone())
            .execute(&self.pool)
            .await
            .map_err(store_error)?;
        Ok(())
    }

    async fn staff_by_id(&self, staff_id: &str) -> Result<Option<StaffRecord>, StoreError> {
        let sql = format!("SELECT {STAFF_COLUMNS} FROM staff_users WHERE id = $1");
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(staff_id.to_owned())
            .fetch_optional(&self.pool)
            .await
            .map_err(store_error)?;
        row.as_ref().map(staff_from).transpose()
    }

    async fn staff_by_email(&self, email: &str) -> Result<Option<StaffRecord>, StoreError> {
        let sql = format!("SELECT {STAFF_COLUMNS} FROM staff_users WHERE email = $1");
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(email.to_owned())
            .fetch_optional(&self.pool)
            .await
            .map_err(store_error)?;
        row.as_ref().map(staff_from).transpose()
    }

    async fn staff_members(&self, limit: i64) -> Result<Vec<StaffRecord>, StoreError> {
        let sql = format!("SELECT {STAFF_COLUMNS} FROM staff_users ORDER BY email LIMIT $1");
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(limit)
            .fetch_all(&self.pool)
            .await
            .map_err(store_error)?;
        rows.iter().map(staff_from).collect()
    }

    async fn set_staff_name(&self, staff_id: &str, name: Option<&str>) -> Result<bool, StoreError> {
        let done = sqlx::query("UPDATE staff_users SET name = $1 WHERE id = $2")
            .bind(name.map(str::to_owned))
            .bind(staff_id.to_owned())
            .execute(&self.pool)
            .await
            .map_err(store_error)?;
        Ok(done.rows_affected() == 1)
    }

    async fn activate_staff(&self, staff_id: &str, password_hash: &str) -> Result<(), StoreError> {
        sqlx::query("UPDATE staff_users SET password_hash = $1, status = 'active' WHERE id = $2")
            .bind(password_hash.to_owned())
            .bind(staff_id.to_owned())
            .execute(&self.pool)
            .await
            .map_err(store_error)?;
        Ok(())
    }

    async fn insert_staff_session(&self, session: &SessionRecord) -> Result<(), StoreError> {
        let sql = format!(
            "INSERT INTO staff_sessions ({STAFF_SESSION_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"
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

    async fn staff_session_by_token_hash(
        &self,
        token_hash: &str,
    ) -> Result<Option<SessionRecord>, StoreError> {
        let sql =
            format!("SELECT {STAFF_SESSION_COLUMNS} FROM staff_sessions WHERE token_hash = $1");
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(token_hash.to_owned())
            .fetch_optional(&self.pool)
            .await
            .map_err(store_error)?;
        row.as_ref().map(session_from).transpose()
    }

    async fn touch_staff_session(
        &self,
        session_id: &str,
        at: UnixSeconds,
    ) -> Result<(), StoreError> {
        sqlx::query("UPDATE staff_sessions SET last_seen_at = $1 WHERE id = $2")
            .bind(at)
            .bind(session_id.to_owned())
            .execute(&self.pool)
            .await
            .map_err(store_error)?;
        Ok(())
    }

    async fn revoke_staff_session(
        &self,
        session_id: &str,
        at: UnixSeconds,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE staff_sessions SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL",
        )
        .bind(at)
        .bind(session_id.to_owned())
        .execute(&self.pool)
        .await
        .map_err(store_error)?;
        Ok(())
    }
}

fn notice_from(row: &AnyRow) -> Result<Notice, StoreError> {
    Ok(Notice {
        id: row.try_get(0).map_err(store_error)?,
        user_id: row.try_get(1).map_err(store_error)?,
        kind: row.try_get(2).map_err(store_error)?,
        title_zh: row.try_get(3).map_err(store_error)?,
        body_zh: row.try_get(4).map_err(store_error)?,
        title_en: row.try_get(5).map_err(store_error)?,
        body_en: row.try_get(6).map_err(store_error)?,
        created_at: row.try_get(7).map_err(store_error)?,
        read_at: row.try_get(8).map_err(store_error)?,
    })
}

fn staff_from(row: &AnyRow) -> Result<StaffRecord, StoreError> {
    let role: String = row.try_get(2).map_err(store_error)?;
    let status: String = row.try_get(4).map_err(store_error)?;
    Ok(StaffRecord {
        id: row.try_get(0).map_err(store_error)?,
        email: row.try_get(1).map_err(store_error)?,
        role: StaffRole::parse(&role).ok_or_else(|| unreadable("staff role"))?,
        password_hash: row.try_get(3).map_err(store_error)?,
        status: StaffStatus::parse(&status).ok_or_else(|| unreadable("staff status"))?,
        locale: row.try_get(5).map_err(store_error)?,
        created_at: row.try_get(6).map_err(store_error)?,
        name: row.try_get(7).map_err(store_error)?,
    })
}
