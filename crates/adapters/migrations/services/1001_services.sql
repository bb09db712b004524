-- The services' own tables (accounts, tokens, drafts and their files, plan requests, the
-- audit log, data checks, sign-in lockouts, throughput). On AWS they share the store's
-- PostgreSQL database and its `_sqlx_migrations` table, so their versions start at 1001,
-- apart from the store's (0001...).
--
-- `IF NOT EXISTS`: before migrations, these tables were made by CREATE statements run at
-- every start; a database made that way keeps its tables and data, and this migration is
-- then recorded as applied. The definitions are exactly those statements.

CREATE TABLE IF NOT EXISTS svc_tenants (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

CREATE TABLE IF NOT EXISTS svc_users (
    id TEXT PRIMARY KEY,
    tenant TEXT NOT NULL,
    email TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    role TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

CREATE TABLE IF NOT EXISTS svc_tokens (
    hash TEXT PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    tenant TEXT NOT NULL,
    user_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    csrf TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    revoked_at BIGINT
);

CREATE TABLE IF NOT EXISTS svc_jobs (
    tenant TEXT NOT NULL,
    id TEXT NOT NULL,
    name TEXT NOT NULL,
    status TEXT NOT NULL,
    mapping TEXT,
    proposal TEXT,
    export_path TEXT,
    error TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (tenant, id)
);

CREATE TABLE IF NOT EXISTS svc_files (
    tenant TEXT NOT NULL,
    job TEXT NOT NULL,
    name TEXT NOT NULL,
    size BIGINT NOT NULL,
    sha256 TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (tenant, job, name)
);

CREATE TABLE IF NOT EXISTS svc_plan_requests (
    tenant TEXT NOT NULL,
    id TEXT NOT NULL,
    requested_at BIGINT NOT NULL,
    claimed_until BIGINT NOT NULL,
    PRIMARY KEY (tenant, id)
);

CREATE TABLE IF NOT EXISTS svc_audit (
    id TEXT PRIMARY KEY,
    at BIGINT NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    target TEXT NOT NULL,
    detail TEXT NOT NULL
);

CREATE TABLE IF NOT EXISTS svc_checks (
    tenant TEXT NOT NULL,
    id TEXT NOT NULL,
    wanted TEXT NOT NULL,
    status TEXT NOT NULL,
    result_for TEXT,
    result TEXT,
    error TEXT,
    claimed_until BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (tenant, id)
);

CREATE TABLE IF NOT EXISTS svc_analysis_attempts (
    tenant TEXT NOT NULL,
    id TEXT NOT NULL,
    attempts BIGINT NOT NULL,
    PRIMARY KEY (tenant, id)
);

CREATE TABLE IF NOT EXISTS svc_lockouts (
    email TEXT PRIMARY KEY,
    locked_until BIGINT NOT NULL,
    failures BIGINT NOT NULL,
    address TEXT NOT NULL,
    at BIGINT NOT NULL
);

CREATE TABLE IF NOT EXISTS svc_throughput (
    at BIGINT NOT NULL,
    kind TEXT NOT NULL,
    batches BIGINT NOT NULL,
    rows_done BIGINT NOT NULL,
    PRIMARY KEY (at, kind)
);
