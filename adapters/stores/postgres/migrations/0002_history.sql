-- 0002_history.sql — conversation history: one row per finished turn, per tenant and session,
-- so a conversation can be listed and printed as a replay script later.
-- Migrations run inside a transaction each: no BEGIN/COMMIT and no CREATE INDEX CONCURRENTLY here.

CREATE TABLE conversation_turns (
  tenant              text     NOT NULL CHECK (tenant <> ''),
  session_id          text     NOT NULL CHECK (session_id <> ''),
  -- The turn's number in its session. The primary key is what makes a retried append store the
  -- turn once.
  seq                 bigint   NOT NULL CHECK (seq >= 0),
  user_id             text     NOT NULL CHECK (user_id <> ''),
  at_ms               bigint   NOT NULL,   -- turn start, Unix milliseconds
  input               smallint NOT NULL,   -- protocol::turn_input: 0 message, 1 confirm, 2 cancel,
                                           -- 3 like, 4 dislike, 5 image
  user_text           text     NOT NULL,
  product_ref         text     NOT NULL,
  intents             text[]   NOT NULL,
  agents              text[]   NOT NULL,
  reply               text     NOT NULL,
  latency_us          bigint   NOT NULL,
  degraded            boolean  NOT NULL,
  degraded_reasons    text[]   NOT NULL,
  confirmation_asked  boolean  NOT NULL,
  order_id            text     NOT NULL,   -- '' when the turn placed no order
  product_ids         text[]   NOT NULL,   -- products shown, in order
  cart_items          integer,             -- NULL when the cart after the turn was not known
  recorded_at         timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant, session_id, seq)
);

-- Listing a user's sessions, most recent first.
CREATE INDEX conversation_turns_by_user ON conversation_turns (tenant, user_id, at_ms DESC);
