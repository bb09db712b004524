-- Duplicate contacts are scored pairs now (a match weight and the evidence per field), no
-- longer one row per shared key. Links are recomputed whole with each report, so the old
-- rows are dropped rather than converted.
DROP TABLE contact_links;

CREATE TABLE contact_links (
    tenant TEXT NOT NULL,
    job TEXT NOT NULL,
    contact_a TEXT NOT NULL,
    contact_b TEXT NOT NULL,
    score DOUBLE PRECISION NOT NULL,
    -- JSON array of {field, outcome, weight}.
    evidence TEXT NOT NULL,
    PRIMARY KEY (tenant, job, contact_a, contact_b)
);
