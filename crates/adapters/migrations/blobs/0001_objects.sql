-- Embedded blob store in SQLite. An object's bytes are chunk rows under a version; the
-- object row points its key at the version that is current, so replacing an object is one
-- transaction that repoints the key and drops the old chunks.

-- Versions being written: a put's for the length of its transaction, a multipart upload's
-- until it completes or aborts. AUTOINCREMENT so a version number is never reused, and an
-- object's version doubles as its ETag.
CREATE TABLE uploads (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    key        TEXT    NOT NULL,
    started_ms INTEGER NOT NULL
);

CREATE TABLE objects (
    key         TEXT    PRIMARY KEY,
    version     INTEGER NOT NULL,
    size        INTEGER NOT NULL,
    modified_ms INTEGER NOT NULL
);

-- A multipart upload's parts may arrive in any order, so a chunk is placed by its part and
-- its place within the part; reads go in (part, seq) order.
CREATE TABLE chunks (
    version INTEGER NOT NULL,
    part    INTEGER NOT NULL,
    seq     INTEGER NOT NULL,
    bytes   BLOB    NOT NULL,
    PRIMARY KEY (version, part, seq)
);
