-- 0006_catalog_vector_source.sql — what made the stored catalog vectors ("hashing" or
-- "openai:<model>") and their dimension, so discovery refuses a catalog embedded by another
-- model instead of ranking by meaningless cosines. One row at most; absent for catalogs
-- ingested before this migration (taken as hashing).
-- Migrations run inside a transaction each: no BEGIN/COMMIT here.

CREATE TABLE catalog_vector_source (
  only_row    boolean     PRIMARY KEY DEFAULT true CHECK (only_row),
  source      text        NOT NULL CHECK (source <> ''),
  dimensions  integer     NOT NULL CHECK (dimensions > 0),
  updated_at  timestamptz NOT NULL DEFAULT now()
);
