-- Records are most of the store, and each row carried long words its neighbours repeat: the
-- 36-character job id and the kind word (twice: in the table and in its primary key's
-- B-tree), the source file's name, and a 36-character canonical id. Now the job and the file
-- are numbers given once per tenant in `names`, the kind is a fixed code
-- (adapters/src/sql/kind_codes.rs; never renumber), and the canonical id is NULL when it is
-- the one derived from the row's key (domain::ids::canonical_id).
CREATE TABLE names (
    tenant TEXT NOT NULL,
    name TEXT NOT NULL,
    number BIGINT NOT NULL,
    PRIMARY KEY (tenant, name),
    UNIQUE (tenant, number)
);

INSERT INTO names (tenant, name, number)
SELECT tenant, name, ROW_NUMBER() OVER (PARTITION BY tenant ORDER BY name)
FROM (SELECT tenant, job AS name FROM records UNION SELECT tenant, file AS name FROM records) AS used;

CREATE TABLE records_compact (
    tenant TEXT NOT NULL,
    job_no BIGINT NOT NULL,
    kind BIGINT NOT NULL,
    source_id TEXT NOT NULL,
    canonical_id TEXT,
    file_no BIGINT NOT NULL,
    row_no BIGINT NOT NULL,
    data TEXT NOT NULL,
    PRIMARY KEY (tenant, job_no, kind, source_id)
);

-- A kind word no code stands for (a damaged row) keeps the row as code -1, which reading
-- reports as an error naming it, rather than failing every later start on this migration.
INSERT INTO records_compact (tenant, job_no, kind, source_id, canonical_id, file_no, row_no, data)
SELECT r.tenant, j.number,
    CASE r.kind
        WHEN 'contacts' THEN 1
        WHEN 'projects' THEN 2
        WHEN 'sections' THEN 3
        WHEN 'notes' THEN 4
        WHEN 'calendar' THEN 5
        WHEN 'tasks' THEN 6
        WHEN 'billing-items' THEN 7
        WHEN 'project-funds' THEN 8
        WHEN 'billing-invoice' THEN 9
        WHEN 'payment' THEN 10
        WHEN 'project-email' THEN 11
        WHEN 'document' THEN 12
        ELSE -1
    END,
    r.source_id, r.canonical_id, f.number, r.row_no, r.data
FROM records r
JOIN names j ON j.tenant = r.tenant AND j.name = r.job
JOIN names f ON f.tenant = r.tenant AND f.name = r.file;

DROP TABLE records;

ALTER TABLE records_compact RENAME TO records;
