-- The agent console reads the audit log by subject: an account's freezes and locks for the
-- customer panel, a ticket's status changes for its response-time clock. Without this index each
-- read scans the whole log.
CREATE INDEX audit_log_by_subject ON audit_log (subject, seq);
