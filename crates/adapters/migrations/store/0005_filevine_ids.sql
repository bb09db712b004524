-- The id map of deliveries into Filevine: which Filevine record each loaded record became.
-- A push writes 'pending' before it sends a create and 'delivered' (with Filevine's id and
-- the digest of the payload it wrote) after, so a rerun knows what may already be there.
CREATE TABLE filevine_ids (
    tenant TEXT NOT NULL,
    job TEXT NOT NULL,
    kind TEXT NOT NULL,
    source_id TEXT NOT NULL,
    -- 'pending' or 'delivered'.
    state TEXT NOT NULL,
    fv_id TEXT,
    digest TEXT,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (tenant, job, kind, source_id)
);

-- Which source row already owns a Filevine record (records Filevine gives no partner id
-- are found by content among those no other row owns).
CREATE INDEX filevine_ids_owner ON filevine_ids (tenant, job, kind, fv_id);
