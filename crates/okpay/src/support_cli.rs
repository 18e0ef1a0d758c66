//! `okpay support …`: publish and end announcements and review scam reports from the command
//! line, through the same use cases the staff console uses.

use std::sync::Arc;

use anyhow::{Context, bail};
use domain::support::{Announcement, AnnouncementDraft, EditError, ReportStatus, Support};
use store::Store;

use crate::cli::SupportCommand;

fn unix_now() -> i64 {
    jiff::Timestamp::now().as_second()
}

fn parse_time(text: &str) -> anyhow::Result<i64> {
    let timestamp: jiff::Timestamp = text.parse().with_context(|| {
        format!("{text:?} is not an RFC 3339 time such as 2026-11-24T01:00:00Z")
    })?;
    Ok(timestamp.as_second())
}

fn rfc3339(seconds: i64) -> String {
    jiff::Timestamp::from_second(seconds).map_or_else(|_| seconds.to_string(), |t| t.to_string())
}

fn edit_failed(error: EditError) -> anyhow::Error {
    anyhow::anyhow!("{error}")
}

fn draft_of(notice: &Announcement) -> AnnouncementDraft {
    AnnouncementDraft {
        kind: notice.kind.name().to_owned(),
        severity: notice.severity.name().to_owned(),
        title_zh_cn: notice.title_zh_cn.clone(),
        title_en: notice.title_en.clone(),
        body_zh_cn: notice.body_zh_cn.clone(),
        body_en: notice.body_en.clone(),
        starts_at: notice.starts_at,
        ends_at: notice.ends_at,
        services: notice
            .services
            .iter()
            .map(|s| s.name().to_owned())
            .collect(),
        withdrawn: notice.withdrawn,
    }
}

/// Runs one `okpay support` command and prints what it did.
pub async fn run(store: &Store, command: SupportCommand) -> anyhow::Result<()> {
    let support = Support::new(Arc::new(store.clone()));
    let now = unix_now();
    match command {
        SupportCommand::Announce {
            kind,
            severity,
            services,
            from,
            until,
            title_zh,
            title_en,
            body_zh,
            body_en,
            by,
        } => {
            let draft = AnnouncementDraft {
                kind,
                severity,
                title_zh_cn: title_zh,
                title_en,
                body_zh_cn: body_zh,
                body_en,
                starts_at: from.as_deref().map_or(Ok(now), parse_time)?,
                ends_at: until.as_deref().map(parse_time).transpose()?,
                services,
                withdrawn: false,
            };
            let notice = support
                .create_announcement(draft, &by, now)
                .await
                .map_err(edit_failed)?;
            println!("{}", notice.id);
        }
        SupportCommand::End { id, withdraw, by } => {
            let notice = support
                .announcement(&id)
                .await
                .context("reading the notice")?
                .with_context(|| format!("no notice {id}"))?;
            let mut draft = draft_of(&notice);
            if withdraw {
                draft.withdrawn = true;
            } else if notice.starts_at > now {
                bail!("{id} has not started yet; use --withdraw to cancel it");
            } else {
                // A notice must end after it starts, even one ended the second it began.
                draft.ends_at = Some(now.max(notice.starts_at + 1));
            }
            let saved = support
                .update_announcement(&id, notice.version, draft, &by, now)
                .await
                .map_err(edit_failed)?;
            println!("{} version {}", saved.id, saved.version);
        }
        SupportCommand::Notices { limit } => {
            let notices = support
                .recent_announcements(limit)
                .await
                .context("reading notices")?;
            if notices.is_empty() {
                println!("no notices");
            }
            for notice in notices {
                let state = if notice.withdrawn {
                    "withdrawn"
                } else {
                    notice.phase(now).name()
                };
                let services: Vec<&str> = notice.services.iter().map(|s| s.name()).collect();
                println!(
                    "{} v{} {state} {} {} {} → {} [{}] {}",
                    notice.id,
                    notice.version,
                    notice.kind.name(),
                    notice.severity.name(),
                    rfc3339(notice.starts_at),
                    notice.ends_at.map_or_else(|| "…".to_owned(), rfc3339),
                    services.join(","),
                    notice.title_en
                );
            }
        }
        SupportCommand::Reports { status, limit } => {
            let status = match status.as_deref() {
                None => None,
                Some(name) => Some(
                    ReportStatus::parse(name)
                        .with_context(|| format!("{name:?}: use pending, confirmed or rejected"))?,
                ),
            };
            let reports = support
                .scam_reports(status, limit)
                .await
                .context("reading reports")?;
            if reports.is_empty() {
                println!("no reports");
            }
            for report in reports {
                println!(
                    "{} {} {} {} {:?} {}",
                    report.id,
                    report.status.name(),
                    report.kind.name(),
                    report.key,
                    report.note,
                    rfc3339(report.created_at)
                );
            }
        }
        SupportCommand::Review {
            id,
            confirm,
            reject: _,
            note,
            by,
        } => {
            let report = support
                .review_report(&id, confirm, &by, &note, now)
                .await
                .map_err(edit_failed)?;
            println!("{} {}", report.id, report.status.name());
        }
    }
    Ok(())
}
