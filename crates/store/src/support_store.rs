//! Contact channels, scam reports and announcements (with their version history) in the database.

use domain::StoreError;
use domain::identity::UnixSeconds;
use domain::support::{
    Announcement, ChannelKind, ContactChannel, NoticeKind, ReportStatus, ReportTally, ScamReport,
    Service, ServiceHours, Severity, SupportStore, ValueKind,
};
use sqlx::any::AnyRow;
use sqlx::{AssertSqlSafe, Row};

use crate::database::Store;
use crate::error::store_error;

const CHANNEL_COLUMNS: &str = "id, kind, value, display, platform, name_zh_cn, name_en, \
     note_zh_cn, note_en, hours, position, enabled, updated_at";
const REPORT_COLUMNS: &str = "id, kind, value_key, value, note, reporter, status, created_at, \
     reviewed_by, reviewed_at, review_note";
/// The columns a notice and each of its versions share, in the order `bind_notice` binds them.
const NOTICE_FIELDS: &str = "kind, severity, title_zh_cn, title_en, body_zh_cn, body_en, \
     starts_at, ends_at, services, withdrawn, edited_by, edited_at, created_at";
const NOTICE_COLUMNS: &str = "id, version, kind, severity, title_zh_cn, title_en, body_zh_cn, \
     body_en, starts_at, ends_at, services, withdrawn, edited_by, edited_at, created_at";

/// The seed name of the default contact channels.
const CHANNELS_SEED: &str = "contact_channels";

type AnyQuery<'q> = sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments>;

fn unreadable(what: &str, value: &str) -> StoreError {
    StoreError::Unavailable(format!("unreadable {what} {value:?} in the database"))
}

fn bind_channel<'q>(query: AnyQuery<'q>, channel: &ContactChannel) -> AnyQuery<'q> {
    query
        .bind(channel.id.clone())
        .bind(channel.kind.name())
        .bind(channel.value.clone())
        .bind(channel.display.clone())
        .bind(channel.platform.clone())
        .bind(channel.name_zh_cn.clone())
        .bind(channel.name_en.clone())
        .bind(channel.note_zh_cn.clone())
        .bind(channel.note_en.clone())
        .bind(channel.hours.to_string())
        .bind(channel.position)
        .bind(i64::from(channel.enabled))
        .bind(channel.updated_at)
}

fn channel_from(row: &AnyRow) -> Result<ContactChannel, StoreError> {
    let kind: String = row.try_get(1).map_err(store_error)?;
    let hours: String = row.try_get(9).map_err(store_error)?;
    let enabled: i64 = row.try_get(11).map_err(store_error)?;
    Ok(ContactChannel {
        id: row.try_get(0).map_err(store_error)?,
        kind: ChannelKind::parse(&kind).ok_or_else(|| unreadable("channel kind", &kind))?,
        value: row.try_get(2).map_err(store_error)?,
        display: row.try_get(3).map_err(store_error)?,
        platform: row.try_get(4).map_err(store_error)?,
        name_zh_cn: row.try_get(5).map_err(store_error)?,
        name_en: row.try_get(6).map_err(store_error)?,
        note_zh_cn: row.try_get(7).map_err(store_error)?,
        note_en: row.try_get(8).map_err(store_error)?,
        hours: ServiceHours::parse(&hours).map_err(|_| unreadable("service hours", &hours))?,
        position: row.try_get(10).map_err(store_error)?,
        enabled: enabled != 0,
        updated_at: row.try_get(12).map_err(store_error)?,
    })
}

fn report_from(row: &AnyRow) -> Result<ScamReport, StoreError> {
    let kind: String = row.try_get(1).map_err(store_error)?;
    let status: String = row.try_get(6).map_err(store_error)?;
    Ok(ScamReport {
        id: row.try_get(0).map_err(store_error)?,
        kind: ValueKind::parse(&kind).ok_or_else(|| unreadable("report kind", &kind))?,
        key: row.try_get(2).map_err(store_error)?,
        value: row.try_get(3).map_err(store_error)?,
        note: row.try_get(4).map_err(store_error)?,
        reporter: row.try_get(5).map_err(store_error)?,
        status: ReportStatus::parse(&status).ok_or_else(|| unreadable("report status", &status))?,
        created_at: row.try_get(7).map_err(store_error)?,
        reviewed_by: row.try_get(8).map_err(store_error)?,
        reviewed_at: row.try_get(9).map_err(store_error)?,
        review_note: row.try_get(10).map_err(store_error)?,
    })
}

fn services_text(services: &[Service]) -> String {
    services
        .iter()
        .map(|service| service.name())
        .collect::<Vec<_>>()
        .join(",")
}

/// Binds the fields of [`NOTICE_FIELDS`] in order.
fn bind_notice<'q>(query: AnyQuery<'q>, notice: &Announcement) -> AnyQuery<'q> {
    query
        .bind(notice.kind.name())
        .bind(notice.severity.name())
        .bind(notice.title_zh_cn.clone())
        .bind(notice.title_en.clone())
        .bind(notice.body_zh_cn.clone())
        .bind(notice.body_en.clone())
        .bind(notice.starts_at)
        .bind(notice.ends_at)
        .bind(services_text(&notice.services))
        .bind(i64::from(notice.withdrawn))
        .bind(notice.edited_by.clone())
        .bind(notice.edited_at)
        .bind(notice.created_at)
}

fn notice_from(row: &AnyRow) -> Result<Announcement, StoreError> {
    let kind: String = row.try_get(2).map_err(store_error)?;
    let severity: String = row.try_get(3).map_err(store_error)?;
    let services: String = row.try_get(10).map_err(store_error)?;
    let withdrawn: i64 = row.try_get(11).map_err(store_error)?;
    Ok(Announcement {
        id: row.try_get(0).map_err(store_error)?,
        version: row.try_get(1).map_err(store_error)?,
        kind: NoticeKind::parse(&kind).ok_or_else(|| unreadable("notice kind", &kind))?,
        severity: Severity::parse(&severity).ok_or_else(|| unreadable("severity", &severity))?,
        title_zh_cn: row.try_get(4).map_err(store_error)?,
        title_en: row.try_get(5).map_err(store_error)?,
        body_zh_cn: row.try_get(6).map_err(store_error)?,
        body_en: row.try_get(7).map_err(store_error)?,
        starts_at: row.try_get(8).map_err(store_error)?,
        ends_at: row.try_get(9).map_err(store_error)?,
        services: services
            .split(',')
            .filter(|name| !name.is_empty())
            .map(|name| Service::parse(name).ok_or_else(|| unreadable("service", name)))
            .collect::<Result<_, _>>()?,
        withdrawn: withdrawn != 0,
        edited_by: row.try_get(12).map_err(store_error)?,
        edited_at: row.try_get(13).map_err(store_error)?,
        created_at: row.try_get(14).map_err(store_error)?,
    })
}

fn insert_version_sql() -> String {
    format!(
        "INSERT INTO support_announcement_versions (announcement_id, version, {NOTICE_FIELDS}) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)"
    )
}

impl SupportStore for Store {
    async fn seed_contact_channels(&self, channels: &[ContactChannel]) -> Result<bool, StoreError> {
        let mut transaction = self
            .pool
            .begin_with(self.dialect.begin_write())
            .await
            .map_err(store_error)?;
        let now = channels.first().map_or(0, |channel| channel.updated_at);
        // The seed mark and the channels commit together; a process that loses the race to
        // insert the mark inserts nothing.
        let marked = sqlx::query(
            "INSERT INTO support_seeds (name, seeded_at) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING",
        )
        .bind(CHANNELS_SEED)
        .bind(now)
        .execute(&mut *transaction)
        .await
        .map_err(store_error)?
        .rows_affected();
        if marked == 0 {
            return Ok(false);
        }
        let sql = format!(
            "INSERT INTO support_contact_channels ({CHANNEL_COLUMNS}) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) \
             ON CONFLICT (id) DO NOTHING"
        );
        for channel in channels {
            bind_channel(sqlx::query(AssertSqlSafe(sql.clone())), channel)
                .execute(&mut *transaction)
                .await
                .map_err(store_error)?;
        }
        transaction.commit().await.map_err(store_error)?;
        Ok(true)
    }

    async fn contact_channels(&self) -> Result<Vec<ContactChannel>, StoreError> {
        let sql = format!(
            "SELECT {CHANNEL_COLUMNS} FROM support_contact_channels ORDER BY position, id LIMIT 500"
        );
        let rows = sqlx::query(AssertSqlSafe(sql))
            .fetch_all(&self.pool)
            .await
            .map_err(store_error)?;
        rows.iter().map(channel_from).collect()
    }

    async fn put_contact_channel(&self, channel: &ContactChannel) -> Result<(), StoreError> {
        let sql = format!(
            "INSERT INTO support_contact_channels ({CHANNEL_COLUMNS}) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) \
             ON CONFLICT (id) DO UPDATE SET kind = excluded.kind, value = excluded.value, \
             display = excluded.display, platform = excluded.platform, \
             name_zh_cn = excluded.name_zh_cn, name_en = excluded.name_en, \
             note_zh_cn = excluded.note_zh_cn, note_en = excluded.note_en, \
             hours = excluded.hours, position = excluded.position, enabled = excluded.enabled, \
             updated_at = excluded.updated_at"
        );
        bind_channel(sqlx::query(AssertSqlSafe(sql)), channel)
            .execute(&self.pool)
            .await
            .map_err(store_error)?;
        Ok(())
    }

    async fn delete_contact_channel(&self, id: &str) -> Result<(), StoreError> {
        let deleted = sqlx::query("DELETE FROM support_contact_channels WHERE id = $1")
            .bind(id.to_owned())
            .execute(&self.pool)
            .await
            .map_err(store_error)?
            .rows_affected();
        if deleted == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    async fn insert_scam_report(&self, report: &ScamReport) -> Result<(), StoreError> {
        let sql = format!(
            "INSERT INTO support_scam_reports ({REPORT_COLUMNS}) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)"
        );
        sqlx::query(AssertSqlSafe(sql))
            .bind(report.id.clone())
            .bind(report.kind.name())
            .bind(report.key.clone())
            .bind(report.value.clone())
            .bind(report.note.clone())
            .bind(report.reporter.clone())
            .bind(report.status.name())
            .bind(report.created_at)
            .bind(report.reviewed_by.clone())
            .bind(report.reviewed_at)
            .bind(report.review_note.clone())
            .execute(&self.pool)
            .await
            .map_err(store_error)?;
        Ok(())
    }

    async fn scam_report_tally(
        &self,
        kind: ValueKind,
        key: &str,
    ) -> Result<ReportTally, StoreError> {
        let rows = sqlx::query(
            "SELECT status, COUNT(*) FROM support_scam_reports \
             WHERE kind = $1 AND value_key = $2 AND status <> 'rejected' GROUP BY status",
        )
        .bind(kind.name())
        .bind(key.to_owned())
        .fetch_all(&self.pool)
        .await
        .map_err(store_error)?;
        let mut tally = ReportTally::default();
        for row in rows {
            let status: String = row.try_get(0).map_err(store_error)?;
            let count: i64 = row.try_get(1).map_err(store_error)?;
            let count = u32::try_from(count).unwrap_or(u32::MAX);
            match ReportStatus::parse(&status) {
                Some(ReportStatus::Pending) => tally.pending = count,
                Some(ReportStatus::Confirmed) => tally.confirmed = count,
                _ => {}
            }
        }
        Ok(tally)
    }

    async fn scam_reports(
        &self,
        status: Option<ReportStatus>,
        limit: i64,
    ) -> Result<Vec<ScamReport>, StoreError> {
        let sql = format!(
            "SELECT {REPORT_COLUMNS} FROM support_scam_reports \
             WHERE ($1 = '' OR status = $1) ORDER BY created_at DESC, id DESC LIMIT $2"
        );
        let rows = sqlx::query(AssertSqlSafe(sql))
            .bind(status.map_or("", ReportStatus::name))
            .bind(limit)
            .fetch_all(&self.pool)
            .await
            .map_err(store_error)?;
        rows.iter().map(report_from).collect()
    }

    async fn scam_report(&self, id: &str) -> Result<Option<ScamReport>, StoreError> {
        let sql = format!("SELECT {REPORT_COLUMNS} FROM support_scam_reports WHERE id = $1");
        let row = sqlx::query(AssertSqlSafe(sql))
            .bind(id.to_owned())
            .fetch_optional(&self.pool)
            .await
            .map_err(store_error)?;
        row.as_ref().map(report_from).transpose()
    }

    async fn review_scam_report(
        &self,
        id: &str,
        status: ReportStatus,
        reviewer: &str,
        note: &str,
        at: UnixSeconds,
    ) -> Result<(), StoreError> {
        let updated = sqlx::query(
            "UPDATE support_scam_reports SET status = $1, reviewed_by = $2, reviewed_at = $3, \
             review_note = $4 WHERE id = $5",
        )
        .bind(status.name())
        .bind(reviewer.to_owned())
        .bind(at)
        .bind(note.to_owned())
        .bind(id.to_owned())
        .execute(&self.pool)
        .await
        .map_err(store_error)?
        .rows_affected();
        if updated == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    async fn insert_announcement(&self, notice: &Announcement) -> Result<(), StoreError> {
        let mut transaction = self
            .pool
            .begin_with(self.dialect.begin_write())
            .await
            .map_err(store_error)?;
        let sql = format!(
            "INSERT INTO support_announcements (id, version, {NOTICE_FIELDS}) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)"
        );
        let query = sqlx::query(AssertSqlSafe(sql))
            .bind(notice.id.clone())
            .bind(notice.version);
        bind_notice(query, notice)
            .execute(&mut *transaction)
            .await
            .map_err(store_error)?;
        let query = sqlx::query(AssertSqlSafe(insert_version_sql()))
            .bind(notice.id.clone())
            .bind(notice.version);
        bind_notice(query, notice)
            .execute(&mut *transaction)
            .await
            .map_err(store_error)?;
        transaction.commit().await.map_err(store_error)
    }

    async fn update_announcement(&self, notice: &Announcement) -> Result<(), StoreError> {
        let mut transaction = self
            .pool
            .begin_with(self.dialect.begin_write())
            .await
            .map_err(store_error)?;
        // The version check and the write are one statement, so two editors saving at once
        // cannot both win.
        let sql = "UPDATE support_announcements SET kind = $3, severity = $4, title_zh_cn = $5, \
             title_en = $6, body_zh_cn = $7, body_en = $8, starts_at = $9, ends_at = $10, \
             services = $11, withdrawn = $12, edited_by = $13, edited_at = $14, \
             created_at = $15, version = $2 WHERE id = $1 AND version = $2 - 1";
        let query = sqlx::query(sql)
            .bind(notice.id.clone())
            .bind(notice.version);
        let updated = bind_notice(query, notice)
            .execute(&mut *transaction)
            .await
            .map_err(store_error)?
            .rows_affected();
        if updated == 0 {
            let exists = sqlx::query("SELECT 1 FROM support_announcements WHERE id = $1")
                .bind(notice.id.clone())
                .fetch_optional(&mut *transaction)
                .await
                .map_err(store_error)?
                .is_some();
            return Err(if exists {
                StoreError::Conflict {
                    constraint: "support_announcements.version".to_owned(),
                }
            } else {
                StoreError::NotFound
            });
        }
        let query = sqlx::query(AssertSqlSafe(insert_version_sql()))
            .bind(notice.id.clone())
            .bind(notice.version);
        bind_notice(query, notice)
            .execute(&mut *transaction)
            .await
            .map_err(store_error)?;
        transaction.commit().await.map_err(store_error)
    }

    async fn announcement(&self, id: &str) -> Result<Option<Announcement>, StoreError> {
        let sql = format!("SELECT {NOTICE_COLUMNS} FROM support_announcements WHERE id = $1");
        let row = sqlx::query(AssertSqlSafe(sql))
            .bind(id.to_owned())
            .fetch_optional(&self.pool)
            .await
            .map_err(store_error)?;
        row.as_ref().map(notice_from).transpose()
    }

    async fn announcements_between(
        &self,
        from: UnixSeconds,
        to: UnixSeconds,
        limit: i64,
    ) -> Result<Vec<Announcement>, StoreError> {
        let sql = format!(
            "SELECT {NOTICE_COLUMNS} FROM support_announcements \
             WHERE starts_at < $2 AND (ends_at IS NULL OR ends_at > $1) \
             ORDER BY starts_at, id LIMIT $3"
        );
        let rows = sqlx::query(AssertSqlSafe(sql))
            .bind(from)
            .bind(to)
            .bind(limit)
            .fetch_all(&self.pool)
            .await
            .map_err(store_error)?;
        rows.iter().map(notice_from).collect()
    }

    async fn recent_announcements(&self, limit: i64) -> Result<Vec<Announcement>, StoreError> {
        let sql = format!(
            "SELECT {NOTICE_COLUMNS} FROM support_announcements \
             ORDER BY created_at DESC, id DESC LIMIT $1"
        );
        let rows = sqlx::query(AssertSqlSafe(sql))
            .bind(limit)
            .fetch_all(&self.pool)
            .await
            .map_err(store_error)?;
        rows.iter().map(notice_from).collect()
    }

    async fn announcement_history(&self, id: &str) -> Result<Vec<Announcement>, StoreError> {
        let sql = format!(
            "SELECT announcement_id, version, {NOTICE_FIELDS} FROM support_announcement_versions \
             WHERE announcement_id = $1 ORDER BY version LIMIT 1000"
        );
        let rows = sqlx::query(AssertSqlSafe(sql))
            .bind(id.to_owned())
            .fetch_all(&self.pool)
            .await
            .map_err(store_error)?;
        rows.iter().map(notice_from).collect()
    }
}
