-- Embedded queue with SQS semantics. One row per message; a message's state
-- (visible, delayed, in flight) is derived from visible_at_ms and receipt, so
-- every state change is a single-row UPDATE.

CREATE TABLE queues (
    id                    INTEGER PRIMARY KEY,
    name                  TEXT    NOT NULL UNIQUE,
    visibility_timeout_ms INTEGER NOT NULL,
    max_receive_count     INTEGER NOT NULL,
    dlq                   TEXT,
    delay_ms              INTEGER NOT NULL,
    retention_ms          INTEGER NOT NULL,
    created_at_ms         INTEGER NOT NULL
);

CREATE TABLE messages (
    -- rowid: the receipt handle carries it, so delete is a primary-key lookup.
    seq                  INTEGER PRIMARY KEY,
    queue_id             INTEGER NOT NULL,
    message_id           TEXT    NOT NULL,
    body                 TEXT    NOT NULL,
    sent_at_ms           INTEGER NOT NULL,
    -- Delayed, in flight or visible: the message is deliverable once this
    -- is in the past.
    visible_at_ms        INTEGER NOT NULL,
    receive_count        INTEGER NOT NULL DEFAULT 0,
    first_received_at_ms INTEGER,
    -- Token of the latest receive; NULL while never received since it was
    -- sent or moved, which tells "delayed" from "in flight".
    receipt              INTEGER
);

-- The only index: receive takes the head of (queue_id, visible_at_ms), and
-- the rowid it carries gives a stable order among equal times.
CREATE INDEX messages_ready ON messages (queue_id, visible_at_ms);
