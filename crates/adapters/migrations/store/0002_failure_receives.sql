-- How many times the message had been received when it last failed: a message moved to its
-- DLQ starts there with no receives, so this is what tells an operator it failed 3 times.
ALTER TABLE message_failures ADD COLUMN receive_count BIGINT NOT NULL DEFAULT 0;
