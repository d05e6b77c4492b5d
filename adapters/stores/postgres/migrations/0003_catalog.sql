-- 0003_catalog.sql — the product catalog with each product's embedding vector, so discovery on
-- any node builds the same indexes from one place.
-- Migrations run inside a transaction each: no BEGIN/COMMIT and no CREATE INDEX CONCURRENTLY here.

CREATE TABLE catalog_products (
  id            text     PRIMARY KEY CHECK (id <> ''),
  -- Products load in the order they were first stored (index ties break by position); an
  -- update keeps the place.
  position      bigint   GENERATED ALWAYS AS IDENTITY UNIQUE,
  title         text     NOT NULL CHECK (title <> ''),
  brand         text     NOT NULL,
  product_type  text     NOT NULL,
  gender        text     NOT NULL,
  colour        text     NOT NULL,
  description   text     NOT NULL,
  sizes         text[]   NOT NULL,
  price_minor   bigint   NOT NULL CHECK (price_minor >= 0),
  currency      text     NOT NULL CHECK (currency <> ''),
  stock         integer  NOT NULL CHECK (stock >= 0),
  -- One dimension for every row; the store checks it (the first row stored fixes it).
  embedding     real[]   NOT NULL CHECK (cardinality(embedding) > 0 AND array_ndims(embedding) = 1
                                         AND array_position(embedding, NULL) IS NULL),
  updated_at    timestamptz NOT NULL DEFAULT now()
);
