-- Live chat: a conversation between a user and an agent, its messages numbered 1, 2, 3… per
-- conversation (`last_seq` hands out the next number under the row's lock), each side's read
-- mark, and which agents take chats now.
CREATE TABLE chat_conversations (
    id TEXT NOT NULL PRIMARY KEY,
    user_id TEXT NOT NULL,
    agent_id TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('active', 'closed')),
    last_seq BIGINT NOT NULL,
    user_read_seq BIGINT NOT NULL,
    agent_read_seq BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    closed_at BIGINT
);
CREATE INDEX chat_conversations_by_user ON chat_conversations (user_id, status);
CREATE INDEX chat_conversations_by_agent ON chat_conversations (agent_id, status);

CREATE TABLE chat_messages (
    conversation_id TEXT NOT NULL REFERENCES chat_conversations (id),
    seq BIGINT NOT NULL,
    sender TEXT NOT NULL CHECK (sender IN ('user', 'agent')),
    sender_id TEXT NOT NULL,
    client_id TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at_ms BIGINT NOT NULL,
    PRIMARY KEY (conversation_id, seq)
);
-- A client that resends a message after a dropped connection gets the stored one back.
CREATE UNIQUE INDEX chat_messages_client_id ON chat_messages (conversation_id, sender, client_id);

CREATE TABLE chat_agents (
    staff_id TEXT NOT NULL PRIMARY KEY,
    available BIGINT NOT NULL CHECK (available IN (0, 1)),
    updated_at BIGINT NOT NULL
);
