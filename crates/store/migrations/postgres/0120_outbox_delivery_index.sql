-- The admins' outbox page shows each message with its delivery job: find a job by its kind and
-- payload (the message id) without scanning the queue.
CREATE INDEX jobs_kind_payload ON jobs (kind, payload);
