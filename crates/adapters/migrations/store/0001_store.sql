-- The canonical store. Portable SQL: it runs unchanged on SQLite and PostgreSQL
-- (TEXT, BIGINT, JSON kept as TEXT, no auto-increment, flags as 0/1 BIGINT).
-- Every table that holds tenant data leads its key with the tenant.

CREATE TABLE tenants (
    id TEXT NOT NULL PRIMARY KEY,
    name TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

CREATE TABLE jobs (
    tenant TEXT NOT NULL,
    id TEXT NOT NULL,
    name TEXT NOT NULL,
    status TEXT NOT NULL,
    phase BIGINT NOT NULL,
    fanout BIGINT NOT NULL,
    settings TEXT NOT NULL,
    mapping TEXT NOT NULL,
    report TEXT,
    error TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (tenant, id),
    UNIQUE (tenant, name)
);

CREATE TABLE job_batches (
    tenant TEXT NOT NULL,
    job TEXT NOT NULL,
    kind TEXT NOT NULL,
    batch_no BIGINT NOT NULL,
    file TEXT NOT NULL,
    blob_key TEXT NOT NULL,
    source_rows BIGINT NOT NULL,
    done BIGINT NOT NULL,
    loaded BIGINT NOT NULL,
    rejected BIGINT NOT NULL,
    PRIMARY KEY (tenant, job, kind, batch_no)
);

CREATE TABLE records (
    tenant TEXT NOT NULL,
    job TEXT NOT NULL,
    kind TEXT NOT NULL,
    source_id TEXT NOT NULL,
    canonical_id TEXT NOT NULL,
    file TEXT NOT NULL,
    row_no BIGINT NOT NULL,
    data TEXT NOT NULL,
    PRIMARY KEY (tenant, job, kind, source_id)
);

CREATE INDEX records_by_canonical_id ON records (tenant, canonical_id);

CREATE TABLE rejects (
    tenant TEXT NOT NULL,
    job TEXT NOT NULL,
    kind TEXT NOT NULL,
    file TEXT NOT NULL,
    row_no BIGINT NOT NULL,
    source_id TEXT,
    field TEXT NOT NULL,
    code TEXT NOT NULL,
    reason TEXT NOT NULL,
    raw TEXT NOT NULL,
    PRIMARY KEY (tenant, job, file, row_no)
);

CREATE TABLE contact_links (
    tenant TEXT NOT NULL,
    job TEXT NOT NULL,
    contact_a TEXT NOT NULL,
    contact_b TEXT NOT NULL,
    reason TEXT NOT NULL,
    match_key TEXT NOT NULL,
    PRIMARY KEY (tenant, job, contact_a, contact_b, reason)
);

CREATE TABLE message_failures (
    message_id TEXT NOT NULL PRIMARY KEY,
    queue TEXT NOT NULL,
    error TEXT NOT NULL,
    failed_at BIGINT NOT NULL
);

CREATE INDEX message_failures_by_queue ON message_failures (queue);
