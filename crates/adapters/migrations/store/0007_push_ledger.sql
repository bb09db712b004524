-- The push ledger: a finished job's push into its target (Filevine) through the queues.
-- One row per job for the push as a whole (its phase moves by compare-and-set, as a job's
-- does), and one per page of a kind's loaded records, each pushed by one queue message;
-- a page's counts and refusals are written once, with its done mark.
CREATE TABLE pushes (
    tenant TEXT NOT NULL,
    job TEXT NOT NULL,
    -- 'pushing', 'reading', 'done' or 'failed' (PushStatus).
    status TEXT NOT NULL,
    phase BIGINT NOT NULL,
    fanout BIGINT NOT NULL,
    options TEXT NOT NULL,
    error TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (tenant, job)
);

CREATE TABLE push_pages (
    tenant TEXT NOT NULL,
    job TEXT NOT NULL,
    kind TEXT NOT NULL,
    page_no BIGINT NOT NULL,
    after_id TEXT,
    last_id TEXT NOT NULL,
    records BIGINT NOT NULL,
    done BIGINT NOT NULL,
    created BIGINT NOT NULL,
    adopted BIGINT NOT NULL,
    updated BIGINT NOT NULL,
    unchanged BIGINT NOT NULL,
    refused BIGINT NOT NULL,
    -- JSON array of the records the target refused, with its reason.
    refusals TEXT NOT NULL,
    PRIMARY KEY (tenant, job, kind, page_no)
);
