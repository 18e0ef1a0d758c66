//! The user community in the database: questions, answers, votes with their scores, badges and
//! reports.

use domain::StoreError;
use domain::community::{
    Answer, Badge, BadgeGrant, CommunityReport, CommunityStore, Question, ReportResolution,
    VoteTarget,
};
use domain::identity::UnixSeconds;
use sqlx::any::AnyRow;
use sqlx::{AssertSqlSafe, Row};

use crate::database::Store;
use crate::error::store_error;

const QUESTION_COLUMNS: &str =
    "id, author, title, body, created_at, score, answer_count, accepted_answer_id, hidden, locked";
const ANSWER_COLUMNS: &str = "id, question_id, author, body, created_at, score, hidden";

fn question_from(row: &AnyRow) -> Result<Question, StoreError> {
    let hidden: i64 = row.try_get(8).map_err(store_error)?;
    let locked: i64 = row.try_get(9).map_err(store_error)?;
    Ok(Question {
        id: row.try_get(0).map_err(store_error)?,
        author: row.try_get(1).map_err(store_error)?,
        title: row.try_get(2).map_err(store_error)?,
        body: row.try_get(3).map_err(store_error)?,
        created_at: row.try_get(4).map_err(store_error)?,
        score: row.try_get(5).map_err(store_error)?,
        answer_count: row.try_get(6).map_err(store_error)?,
        accepted_answer_id: row.try_get(7).map_err(store_error)?,
        hidden: hidden != 0,
        locked: locked != 0,
    })
}

fn answer_from(row: &AnyRow) -> Result<Answer, StoreError> {
    let hidden: i64 = row.try_get(6).map_err(store_error)?;
    Ok(Answer {
        id: row.try_get(0).map_err(store_error)?,
        question_id: row.try_get(1).map_err(store_error)?,
        author: row.try_get(2).map_err(store_error)?,
        body: row.try_get(3).map_err(store_error)?,
        created_at: row.try_get(4).map_err(store_error)?,
        score: row.try_get(5).map_err(store_error)?,
        hidden: hidden != 0,
    })
}

fn table_of(target: VoteTarget) -> &'static str {
    match target {
        VoteTarget::Question => "community_questions",
        VoteTarget::Answer => "community_answers",
    }
}

/// Moves the search revision inside the caller's transaction, so a process that reads the
/// revision and then the posts never labels older posts with a newer revision.
const BUMP_SEARCH_REVISION: &str =
    "UPDATE community_search_revision SET revision = revision + 1 WHERE id = 1";

fn not_found_unless_changed(rows: u64) -> Result<(), StoreError> {
    if rows == 0 {
        Err(StoreError::NotFound)
    } else {
        Ok(())
    }
}

impl CommunityStore for Store {
    async fn insert_question(&self, question: &Question) -> Result<(), StoreError> {
        let mut transaction = self
            .pool
            .begin_with(self.dialect.begin_write())
            .await
            .map_err(store_error)?;
        let sql = format!(
            "INSERT INTO community_questions ({QUESTION_COLUMNS}) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"
        );
        sqlx::query(AssertSqlSafe(sql))
            .bind(question.id.clone())
            .bind(question.author.clone())
            .bind(question.title.clone())
            .bind(question.body.clone())
            .bind(question.created_at)
            .bind(question.score)
            .bind(question.answer_count)
            .bind(question.accepted_answer_id.clone())
            .bind(i64::from(question.hidden))
            .bind(i64::from(question.locked))
            .execute(&mut *transaction)
            .await
            .map_err(store_error)?;
        sqlx::query(BUMP_SEARCH_REVISION)
            .execute(&mut *transaction)
            .await
            .map_err(store_error)?;
        transaction.commit().await.map_err(store_error)
    }

    async fn question(&self, id: &str) -> Result<Option<Question>, StoreError> {
        let sql = format!("SELECT {QUESTION_COLUMNS} FROM community_questions WHERE id = $1");
        let row = sqlx::query(AssertSqlSafe(sql))
            .bind(id.to_owned())
            .fetch_optional(&self.pool)
            .await
            .map_err(store_error)?;
        row.as_ref().map(question_from).transpose()
    }

    async fn questions(
        &self,
        starting_after: Option<&str>,
        limit: i64,
    ) -> Result<Vec<Question>, StoreError> {
        // Ids are UUID v7, so they sort by creation time: the cursor is the last id seen.
        let sql = format!(
            "SELECT {QUESTION_COLUMNS} FROM community_questions \
             WHERE hidden = 0 AND ($1 = '' OR id < $1) ORDER BY id DESC LIMIT $2"
        );
        let rows = sqlx::query(AssertSqlSafe(sql))
            .bind(starting_after.unwrap_or("").to_owned())
            .bind(limit)
            .fetch_all(&self.pool)
            .await
            .map_err(store_error)?;
        rows.iter().map(question_from).collect()
    }

    async fn insert_answer(&self, answer: &Answer) -> Result<(), StoreError> {
        let mut transaction = self
            .pool
            .begin_with(self.dialect.begin_write())
            .await
            .map_err(store_error)?;
        let sql = format!(
            "INSERT INTO community_answers ({ANSWER_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7)"
        );
        sqlx::query(AssertSqlSafe(sql))
            .bind(answer.id.clone())
            .bind(answer.question_id.clone())
            .bind(answer.author.clone())
            .bind(answer.body.clone())
            .bind(answer.created_at)
            .bind(answer.score)
            .bind(i64::from(answer.hidden))
            .execute(&mut *transaction)
            .await
            .map_err(store_error)?;
        sqlx::query("UPDATE community_questions SET answer_count = answer_count + 1 WHERE id = $1")
            .bind(answer.question_id.clone())
            .execute(&mut *transaction)
            .await
            .map_err(store_error)?;
        sqlx::query(BUMP_SEARCH_REVISION)
            .execute(&mut *transaction)
            .await
            .map_err(store_error)?;
        transaction.commit().await.map_err(store_error)
    }

    async fn answer(&self, id: &str) -> Result<Option<Answer>, StoreError> {
        let sql = format!("SELECT {ANSWER_COLUMNS} FROM community_answers WHERE id = $1");
        let row = sqlx::query(AssertSqlSafe(sql))
            .bind(id.to_owned())
            .fetch_optional(&self.pool)
            .await
            .map_err(store_error)?;
        row.as_ref().map(answer_from).transpose()
    }

    async fn answers(&self, question_id: &str) -> Result<Vec<Answer>, StoreError> {
        let sql = format!(
            "SELECT {ANSWER_COLUMNS} FROM community_answers WHERE question_id = $1 \
             ORDER BY created_at, id LIMIT 500"
        );
        let rows = sqlx::query(AssertSqlSafe(sql))
            .bind(question_id.to_owned())
            .fetch_all(&self.pool)
            .await
            .map_err(store_error)?;
        rows.iter().map(answer_from).collect()
    }

    async fn vote(
        &self,
        target: VoteTarget,
        target_id: &str,
        voter: &str,
        value: i64,
        at: UnixSeconds,
    ) -> Result<i64, StoreError> {
        let mut transaction = self
            .pool
            .begin_with(self.dialect.begin_write())
            .await
            .map_err(store_error)?;
        sqlx::query(
            "INSERT INTO community_votes (target_id, voter, value, voted_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (target_id, voter) DO UPDATE SET value = excluded.value, \
             voted_at = excluded.voted_at",
        )
        .bind(target_id.to_owned())
        .bind(voter.to_owned())
        .bind(value)
        .bind(at)
        .execute(&mut *transaction)
        .await
        .map_err(store_error)?;
        // Recounted from the votes, not incremented, so the score can never drift from them.
        let table = table_of(target);
        let updated = sqlx::query(AssertSqlSafe(format!(
            "UPDATE {table} SET score = (SELECT COALESCE(SUM(value), 0) FROM community_votes \
             WHERE target_id = $1) WHERE id = $1"
        )))
        .bind(target_id.to_owned())
        .execute(&mut *transaction)
        .await
        .map_err(store_error)?
        .rows_affected();
        not_found_unless_changed(updated)?;
        let score: i64 = sqlx::query(AssertSqlSafe(format!(
            "SELECT score FROM {table} WHERE id = $1"
        )))
        .bind(target_id.to_owned())
        .fetch_one(&mut *transaction)
        .await
        .map_err(store_error)?
        .try_get(0)
        .map_err(store_error)?;
        transaction.commit().await.map_err(store_error)?;
        Ok(score)
    }

    async fn set_accepted_answer(
        &self,
        question_id: &str,
        answer_id: Option<&str>,
    ) -> Result<(), StoreError> {
        let rows =
            sqlx::query("UPDATE community_questions SET accepted_answer_id = $1 WHERE id = $2")
                .bind(answer_id.map(str::to_owned))
                .bind(question_id.to_owned())
                .execute(&self.pool)
                .await
                .map_err(store_error)?
                .rows_affected();
        not_found_unless_changed(rows)
    }

    async fn set_hidden(
        &self,
        target: VoteTarget,
        id: &str,
        hidden: bool,
    ) -> Result<(), StoreError> {
        let mut transaction = self
            .pool
            .begin_with(self.dialect.begin_write())
            .await
            .map_err(store_error)?;
        let rows = set_hidden_in(&mut transaction, target, id, hidden).await?;
        not_found_unless_changed(rows)?;
        transaction.commit().await.map_err(store_error)
    }

    async fn set_locked(&self, question_id: &str, locked: bool) -> Result<(), StoreError> {
        let rows = sqlx::query("UPDATE community_questions SET locked = $1 WHERE id = $2")
            .bind(i64::from(locked))
            .bind(question_id.to_owned())
            .execute(&self.pool)
            .await
            .map_err(store_error)?
            .rows_affected();
        not_found_unless_changed(rows)
    }

    async fn insert_report(
        &self,
        id: &str,
        target: VoteTarget,
        target_id: &str,
        reporter: &str,
        reason: &str,
        at: UnixSeconds,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO community_reports (id, target_kind, target_id, reporter, reason, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(id.to_owned())
        .bind(target.name())
        .bind(target_id.to_owned())
        .bind(reporter.to_owned())
        .bind(reason.to_owned())
        .bind(at)
        .execute(&self.pool)
        .await
        .map_err(store_error)?;
        Ok(())
    }

    async fn report_count(&self, target_id: &str) -> Result<i64, StoreError> {
        // Distinct reporters: one person reporting five times does not hide a post. Open
        // reports only: after staff dismissed them, it takes new reports to hide it again.
        sqlx::query(
            "SELECT COUNT(DISTINCT reporter) FROM community_reports \
             WHERE target_id = $1 AND resolution IS NULL",
        )
        .bind(target_id.to_owned())
        .fetch_one(&self.pool)
        .await
        .map_err(store_error)?
        .try_get(0)
        .map_err(store_error)
    }

    async fn grant_badge(
        &self,
        user_id: &str,
        badge: Badge,
        granted_by: &str,
        at: UnixSeconds,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO community_badges (user_id, badge, granted_by, granted_at) \
             VALUES ($1, $2, $3, $4) ON CONFLICT (user_id, badge) DO NOTHING",
        )
        .bind(user_id.to_owned())
        .bind(badge.name())
        .bind(granted_by.to_owned())
        .bind(at)
        .execute(&self.pool)
        .await
        .map_err(store_error)?;
        Ok(())
    }

    async fn revoke_badge(&self, user_id: &str, badge: Badge) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM community_badges WHERE user_id = $1 AND badge = $2")
            .bind(user_id.to_owned())
            .bind(badge.name())
            .execute(&self.pool)
            .await
            .map_err(store_error)?;
        Ok(())
    }

    async fn badges(&self, user_ids: &[String]) -> Result<Vec<(String, Badge)>, StoreError> {
        let user_ids = &user_ids[..user_ids.len().min(500)];
        if user_ids.is_empty() {
            return Ok(Vec::new());
        }
        let placeholders: Vec<String> = (1..=user_ids.len()).map(|n| format!("${n}")).collect();
        let sql = format!(
            "SELECT user_id, badge FROM community_badges WHERE user_id IN ({}) LIMIT 1000",
            placeholders.join(", ")
        );
        let mut query = sqlx::query(AssertSqlSafe(sql));
        for user_id in user_ids {
            query = query.bind(user_id.clone());
        }
        let rows = query.fetch_all(&self.pool).await.map_err(store_error)?;
        rows.iter()
            .map(|row| {
                let user: String = row.try_get(0).map_err(store_error)?;
                let badge: String = row.try_get(1).map_err(store_error)?;
                let badge = Badge::parse(&badge).ok_or_else(|| {
                    StoreError::Unavailable(format!("unreadable badge {badge:?}"))
                })?;
                Ok((user, badge))
            })
            .collect()
    }

    async fn open_reports(&self, limit: i64) -> Result<Vec<CommunityReport>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, target_kind, target_id, reporter, reason, created_at \
             FROM community_reports WHERE resolution IS NULL ORDER BY created_at, id LIMIT $1",
        )
        .bind(limit)
        .fetch_all(&self.pool)
        .await
        .map_err(store_error)?;
        rows.iter()
            .map(|row| {
                let kind: String = row.try_get(1).map_err(store_error)?;
                let target = match kind.as_str() {
                    "question" => VoteTarget::Question,
                    "answer" => VoteTarget::Answer,
                    _ => {
                        return Err(StoreError::Unavailable(format!(
                            "unreadable report target {kind:?}"
                        )));
                    }
                };
                Ok(CommunityReport {
                    id: row.try_get(0).map_err(store_error)?,
                    target,
                    target_id: row.try_get(2).map_err(store_error)?,
                    reporter: row.try_get(3).map_err(store_error)?,
                    reason: row.try_get(4).map_err(store_error)?,
                    created_at: row.try_get(5).map_err(store_error)?,
                })
            })
            .collect()
    }

    async fn resolve_reports(
        &self,
        target: VoteTarget,
        target_id: &str,
        resolution: ReportResolution,
        staff: &str,
        reason: &str,
        at: UnixSeconds,
    ) -> Result<u64, StoreError> {
        let mut transaction = self
            .pool
            .begin_with(self.dialect.begin_write())
            .await
            .map_err(store_error)?;
        // Only open reports: of two moderators deciding at once, the second closes none and
        // is told so, and the post follows the first one's decision.
        let closed = sqlx::query(
            "UPDATE community_reports SET resolution = $1, resolved_by = $2, resolved_at = $3, \
             resolution_reason = $4 WHERE target_id = $5 AND resolution IS NULL",
        )
        .bind(resolution.name())
        .bind(staff.to_owned())
        .bind(at)
        .bind(reason.to_owned())
        .bind(target_id.to_owned())
        .execute(&mut *transaction)
        .await
        .map_err(store_error)?
        .rows_affected();
        if closed == 0 {
            return Ok(0);
        }
        let hidden = resolution == ReportResolution::Hidden;
        let rows = set_hidden_in(&mut transaction, target, target_id, hidden).await?;
        not_found_unless_changed(rows)?;
        transaction.commit().await.map_err(store_error)?;
        Ok(closed)
    }

    async fn badge_grants(&self, limit: i64) -> Result<Vec<BadgeGrant>, StoreError> {
        let rows = sqlx::query(
            "SELECT user_id, badge, granted_by, granted_at FROM community_badges \
             ORDER BY granted_at DESC, user_id LIMIT $1",
        )
        .bind(limit)
        .fetch_all(&self.pool)
        .await
        .map_err(store_error)?;
        rows.iter()
            .map(|row| {
                let badge: String = row.try_get(1).map_err(store_error)?;
                Ok(BadgeGrant {
                    user_id: row.try_get(0).map_err(store_error)?,
                    badge: Badge::parse(&badge).ok_or_else(|| {
                        StoreError::Unavailable(format!("unreadable badge {badge:?}"))
                    })?,
                    granted_by: row.try_get(2).map_err(store_error)?,
                    granted_at: row.try_get(3).map_err(store_error)?,
                })
            })
            .collect()
    }

    async fn search_revision(&self) -> Result<i64, StoreError> {
        sqlx::query("SELECT revision FROM community_search_revision WHERE id = 1")
            .fetch_one(&self.pool)
            .await
            .map_err(store_error)?
            .try_get(0)
            .map_err(store_error)
    }
}

/// Hides or shows a post and moves the search revision, in the caller's transaction; answers
/// the rows changed (0: no such post).
async fn set_hidden_in(
    transaction: &mut sqlx::Transaction<'static, sqlx::Any>,
    target: VoteTarget,
    id: &str,
    hidden: bool,
) -> Result<u64, StoreError> {
    let table = table_of(target);
    let rows = sqlx::query(AssertSqlSafe(format!(
        "UPDATE {table} SET hidden = $1 WHERE id = $2"
    )))
    .bind(i64::from(hidden))
    .bind(id.to_owned())
    .execute(&mut **transaction)
    .await
    .map_err(store_error)?
    .rows_affected();
    if rows > 0 {
        sqlx::query(BUMP_SEARCH_REVISION)
            .execute(&mut **transaction)
            .await
            .map_err(store_error)?;
    }
    Ok(rows)
}
