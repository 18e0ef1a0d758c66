//! The audit log: append-only, each row carrying the hash of the one before, so that changing,
//! removing or reordering any row breaks the chain at a row `okpay verify` can name.

use sha2::{Digest, Sha256};

/// The `prev_hash` of the first row.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// Who did something.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Actor {
    User(String),
    Staff(String),
    /// OKPay itself or an operator at the command line.
    System,
}

impl Actor {
    /// `usr_…`, `stf_…` or `system`, as stored.
    pub fn as_text(&self) -> &str {
        match self {
            Actor::User(id) | Actor::Staff(id) => id,
            Actor::System => "system",
        }
    }
}

/// Something worth keeping a tamper-evident record of: a security event or a staff action.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuditEvent {
    pub actor: Actor,
    /// A stable dotted code, e.g. `sign_in.failed`, `account.unfrozen`.
    pub action: &'static str,
    /// What the action was done to (a user id, a ticket id), or empty.
    pub subject: String,
    /// Free text: the reason a staff member gave, the IP address of a sign-in.
    pub detail: String,
}

/// A row as stored: the event, where it sits in the chain, and its hashes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuditRecord {
    pub seq: i64,
    pub at_ms: i64,
    pub actor: String,
    pub action: String,
    pub subject: String,
    pub detail: String,
    pub prev_hash: String,
    pub hash: String,
}

impl AuditRecord {
    /// The row that follows `previous` (or starts the chain) for `event` at `at_ms`.
    pub fn next(previous: Option<(i64, &str)>, event: &AuditEvent, at_ms: i64) -> AuditRecord {
        let (seq, prev_hash) = match previous {
            Some((seq, hash)) => (seq + 1, hash.to_owned()),
            None => (1, GENESIS_HASH.to_owned()),
        };
        let mut record = AuditRecord {
            seq,
            at_ms,
            actor: event.actor.as_text().to_owned(),
            action: event.action.to_owned(),
            subject: event.subject.clone(),
            detail: event.detail.clone(),
            prev_hash,
            hash: String::new(),
        };
        record.hash = record.computed_hash();
        record
    }

    /// SHA-256 over the previous hash and every field, each length-prefixed so that moving text
    /// from one field to the next changes the hash.
    pub fn computed_hash(&self) -> String {
        let mut hasher = Sha256::new();
        for field in [
            self.prev_hash.as_bytes(),
            &self.seq.to_be_bytes(),
            &self.at_ms.to_be_bytes(),
            self.actor.as_bytes(),
            self.action.as_bytes(),
            self.subject.as_bytes(),
            self.detail.as_bytes(),
        ] {
            hasher.update((field.len() as u64).to_be_bytes());
            hasher.update(field);
        }
        hasher
            .finalize()
            .iter()
            .map(|byte| format!("{byte:02x}"))
            .collect()
    }
}

/// What checking the whole audit log found.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AuditReport {
    pub rows_checked: u64,
    /// The first row at which the chain breaks, if it does.
    pub broken: Option<BrokenLink>,
}

impl AuditReport {
    pub fn is_intact(&self) -> bool {
        self.broken.is_none()
    }
}

impl std::fmt::Display for AuditReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.broken {
            None => write!(f, "audit log: {} rows, chain intact", self.rows_checked),
            Some(broken) => write!(
                f,
                "AUDIT LOG BROKEN at row {}: {}",
                broken.seq, broken.reason
            ),
        }
    }
}

/// Where and why the chain breaks.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("the audit chain breaks at row {seq}: {reason}")]
pub struct BrokenLink {
    pub seq: i64,
    pub reason: &'static str,
}

/// Checks rows in `seq` order, continuing from the row before them (`None` at the start).
/// Returns the last row's (seq, hash) to continue from, or the first broken link.
pub fn check_chain<'a>(
    previous: Option<(i64, String)>,
    records: impl IntoIterator<Item = &'a AuditRecord>,
) -> Result<Option<(i64, String)>, BrokenLink> {
    let mut previous = previous;
    for record in records {
        let (expected_seq, expected_prev) = match &previous {
            Some((seq, hash)) => (seq + 1, hash.as_str()),
            None => (1, GENESIS_HASH),
        };
        if record.seq != expected_seq {
            return Err(BrokenLink {
                seq: expected_seq,
                reason: "a row is missing or out of order",
            });
        }
        if record.prev_hash != expected_prev {
            return Err(BrokenLink {
                seq: record.seq,
                reason: "it does not follow the row before it",
            });
        }
        if record.hash != record.computed_hash() {
            return Err(BrokenLink {
                seq: record.seq,
                reason: "its contents were changed",
            });
        }
        previous = Some((record.seq, record.hash.clone()));
    }
    Ok(previous)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chain(length: usize) -> Vec<AuditRecord> {
        let mut records: Vec<AuditRecord> = Vec::new();
        for index in 0..length {
            let event = AuditEvent {
                actor: Actor::Staff("stf_1".into()),
                action: "account.unlocked",
                subject: format!("usr_{index}"),
                detail: "identity checked by video call".into(),
            };
            let previous = records.last().map(|last| (last.seq, last.hash.as_str()));
            let record = AuditRecord::next(previous, &event, 1_700_000_000_000 + index as i64);
            records.push(record);
        }
        records
    }

    #[test]
    fn an_untouched_chain_checks_out_and_can_be_checked_in_pages() {
        let records = chain(5);
        let head = check_chain(None, &records[..2]).expect("intact");
        assert_eq!(
            check_chain(head, &records[2..]),
            Ok(Some((5, records[4].hash.clone())))
        );
        assert_eq!(check_chain(None, &[]), Ok(None));
    }

    #[test]
    fn a_changed_removed_or_reordered_row_is_named() {
        let mut changed = chain(4);
        changed[2].detail = "no check".into();
        assert_eq!(
            check_chain(None, &changed),
            Err(BrokenLink {
                seq: 3,
                reason: "its contents were changed"
            })
        );

        let mut removed = chain(4);
        removed.remove(1);
        assert_eq!(
            check_chain(None, &removed).map_err(|broken| broken.seq),
            Err(2)
        );

        let mut rehashed = chain(4);
        rehashed[1].detail = "rewritten".into();
        rehashed[1].hash = rehashed[1].computed_hash();
        assert_eq!(
            check_chain(None, &rehashed),
            Err(BrokenLink {
                seq: 3,
                reason: "it does not follow the row before it"
            })
        );
    }

    #[test]
    fn moving_text_between_fields_changes_the_hash() {
        let mut record = chain(1).remove(0);
        let original = record.computed_hash();
        record.subject = format!("{}x", record.subject);
        record.detail = record.detail[1..].to_owned();
        assert_ne!(record.computed_hash(), original);
    }
}
