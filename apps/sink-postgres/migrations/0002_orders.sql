-- Orders (entity type order, upsert mode). Same mesh columns and tombstone rules as customers
-- (see 0001_customers.sql); items is the Avro array of OrderItem records as jsonb.
CREATE TABLE orders (
  tenant       text        NOT NULL,
  id           text        NOT NULL,
  revision     bigint      NOT NULL,
  occurred_at  timestamptz NOT NULL,
  deleted      boolean     NOT NULL DEFAULT false,
  updated_at   timestamptz NOT NULL DEFAULT now(),
  customer_id  text,
  status       text,
  amount_cents bigint,
  currency     text,
  items        jsonb,
  source       text,
  CONSTRAINT orders_pkey PRIMARY KEY (tenant, id),
  CONSTRAINT orders_required CHECK (deleted OR (customer_id IS NOT NULL AND status IS NOT NULL AND amount_cents IS NOT NULL)),
  CONSTRAINT orders_amount_cents_nonnegative CHECK (amount_cents >= 0)
);

CREATE INDEX orders_customer ON orders (tenant, customer_id);

CREATE VIEW orders_live AS
  SELECT tenant, id, revision, occurred_at, updated_at, customer_id, status, amount_cents, currency, items, source
  FROM orders
  WHERE NOT deleted;
