-- The user community: questions, answers, one vote per person per post (its score kept on the
-- post), badges, and users' reports. Booleans are BIGINT 0/1 for both databases.
CREATE TABLE community_questions (
    id TEXT NOT NULL PRIMARY KEY,
    author TEXT NOT NULL,
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    score BIGINT NOT NULL,
    answer_count BIGINT NOT NULL,
    accepted_answer_id TEXT,
    hidden BIGINT NOT NULL CHECK (hidden IN (0, 1)),
    locked BIGINT NOT NULL CHECK (locked IN (0, 1))
);
CREATE INDEX community_questions_newest ON community_questions (hidden, created_at, id);

CREATE TABLE community_answers (
    id TEXT NOT NULL PRIMARY KEY,
    question_id TEXT NOT NULL REFERENCES community_questions (id),
    author TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    score BIGINT NOT NULL,
    hidden BIGINT NOT NULL CHECK (hidden IN (0, 1))
);
CREATE INDEX community_answers_by_question ON community_answers (question_id, created_at);

CREATE TABLE community_votes (
    target_id TEXT NOT NULL,
    voter TEXT NOT NULL,
    value BIGINT NOT NULL CHECK (value IN (-1, 0, 1)),
    voted_at BIGINT NOT NULL,
    PRIMARY KEY (target_id, voter)
);

CREATE TABLE community_badges (
    user_id TEXT NOT NULL,
    badge TEXT NOT NULL CHECK (badge IN ('staff', 'expert')),
    granted_by TEXT NOT NULL,
    granted_at BIGINT NOT NULL,
    PRIMARY KEY (user_id, badge)
);

CREATE TABLE community_reports (
    id TEXT NOT NULL PRIMARY KEY,
    target_kind TEXT NOT NULL CHECK (target_kind IN ('question', 'answer')),
    target_id TEXT NOT NULL,
    reporter TEXT NOT NULL,
    reason TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX community_reports_by_target ON community_reports (target_id);
