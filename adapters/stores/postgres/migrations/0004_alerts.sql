-- 0004_alerts.sql — price and stock alerts per tenant and user, and the notification outbox that
-- a fired alert writes to in the same transaction (at-least-once delivery to sessions).
-- Migrations run inside a transaction each: no BEGIN/COMMIT and no CREATE INDEX CONCURRENTLY here.

CREATE SEQUENCE alert_numbers;

CREATE TABLE alerts (
  alert_no               bigint   PRIMARY KEY,           -- creation order; the id is alr-<no>
  alert_id               text     NOT NULL UNIQUE,
  tenant                 text     NOT NULL,
  user_id                text     NOT NULL CHECK (user_id <> ''),
  idempotency_key        text     NOT NULL CHECK (idempotency_key <> ''),
  product_id             text     NOT NULL CHECK (product_id <> ''),
  product_title          text     NOT NULL,
  condition              smallint NOT NULL,   -- 0 price_below, 1 drop_percent, 2 back_in_stock
  threshold              bigint   NOT NULL,   -- minor units (price_below) or percent (drop_percent)
  reference_price_minor  bigint   NOT NULL,   -- the price when the alert was set
  created_ms             bigint   NOT NULL,
  active                 boolean  NOT NULL DEFAULT true,   -- false once fired or deleted
  fired_ms               bigint,
  deleted                boolean  NOT NULL DEFAULT false,
  -- A retried create (same key after a timeout) finds the alert made first.
  CONSTRAINT alerts_once UNIQUE (tenant, user_id, idempotency_key)
);

CREATE INDEX alerts_by_user ON alerts (tenant, user_id, alert_no);
-- Price events look up the active alerts on one product.
CREATE INDEX alerts_watching ON alerts (product_id, alert_no) WHERE active;

-- The primary key is the notification's id (alert id + event key): a repeated trigger cannot
-- add a second row.
CREATE TABLE notification_outbox (
  tenant           text        NOT NULL,
  notification_id  text        NOT NULL CHECK (notification_id <> ''),
  seq              bigint      GENERATED ALWAYS AS IDENTITY,
  user_id          text        NOT NULL,
  alert_id         text        NOT NULL,
  product_id       text        NOT NULL,
  text             text        NOT NULL,
  created_ms       bigint      NOT NULL,
  delivered_at     timestamptz,               -- NULL until the session acknowledged it
  PRIMARY KEY (tenant, notification_id)
);

CREATE INDEX notification_outbox_pending ON notification_outbox (tenant, user_id, seq)
  WHERE delivered_at IS NULL;
