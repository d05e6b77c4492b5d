-- 0001_carts_and_orders.sql — carts (with the version a checkout is checked against), their
-- lines, the recorded result of every cart write under its idempotency key, and orders.
-- Migrations run inside a transaction each: no BEGIN/COMMIT and no CREATE INDEX CONCURRENTLY here.

CREATE TABLE carts (
  tenant   text   NOT NULL,
  user_id  text   NOT NULL,
  -- Grows with every applied write and every order; a checkout snapshot names the version it froze.
  version  bigint NOT NULL DEFAULT 0,
  PRIMARY KEY (tenant, user_id)
);

CREATE TABLE cart_lines (
  tenant      text    NOT NULL,
  user_id     text    NOT NULL,
  product_id  text    NOT NULL,
  -- Lines are shown in the order they were first added; changing a quantity keeps the place.
  line_seq    bigint  GENERATED ALWAYS AS IDENTITY,
  title       text    NOT NULL DEFAULT '',
  unit_minor  bigint  NOT NULL,
  currency    text    NOT NULL,
  quantity    integer NOT NULL CHECK (quantity > 0),
  PRIMARY KEY (tenant, user_id, product_id),
  FOREIGN KEY (tenant, user_id) REFERENCES carts (tenant, user_id) ON DELETE CASCADE
);

CREATE INDEX cart_lines_in_order ON cart_lines (tenant, user_id, line_seq);

-- One row per applied cart write. The unique key is what makes a retried write (same key after a
-- timeout) return the first result instead of adding twice.
CREATE TABLE cart_writes (
  tenant           text        NOT NULL,
  user_id          text        NOT NULL,
  idempotency_key  text        NOT NULL,
  op_kind          smallint    NOT NULL,   -- 0 add, 1 set_quantity, 2 remove (cart_op_kind)
  product_id       text        NOT NULL,
  quantity         integer     NOT NULL,
  result_version   bigint      NOT NULL,
  result_lines     jsonb       NOT NULL,   -- the cart's lines right after this write
  created_at       timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT cart_writes_once UNIQUE (tenant, user_id, idempotency_key)
);

CREATE SEQUENCE order_numbers;

CREATE TABLE orders (
  order_no         bigint      PRIMARY KEY,
  order_id         text        NOT NULL UNIQUE,
  tenant           text        NOT NULL,
  user_id          text        NOT NULL,
  idempotency_key  text        NOT NULL,   -- the checkout id
  total_minor      bigint      NOT NULL,
  currency         text        NOT NULL,
  cart_version     bigint      NOT NULL,   -- the cart version the shopper confirmed
  created_ms       bigint      NOT NULL,
  status           text        NOT NULL,
  placed_at        timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT orders_once UNIQUE (tenant, user_id, idempotency_key)
);

CREATE INDEX orders_newest_first ON orders (tenant, user_id, order_no DESC);

CREATE TABLE order_lines (
  order_no          bigint  NOT NULL REFERENCES orders (order_no) ON DELETE CASCADE,
  line_no           integer NOT NULL,
  product_id        text    NOT NULL,
  title             text    NOT NULL,
  unit_minor        bigint  NOT NULL,
  unit_currency     text    NOT NULL,
  quantity          integer NOT NULL,
  line_total_minor  bigint  NOT NULL,
  line_currency     text    NOT NULL,
  PRIMARY KEY (order_no, line_no)
);
