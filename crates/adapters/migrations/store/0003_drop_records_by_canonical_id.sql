-- No query reads records by canonical id (lookups go by source id, pages by the primary key),
-- yet every record insert paid for this index: a third B-tree of long TEXT keys, about 7% of
-- the store's size.
DROP INDEX IF EXISTS records_by_canonical_id;
