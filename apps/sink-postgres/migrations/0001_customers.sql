-- Customers (entity type customer, upsert mode): one row per (tenant, id) at its highest revision.
--
-- Mesh columns (filled by the sink): tenant, id, revision, occurred_at, deleted, updated_at.
-- A tombstone is a soft delete: the row stays with deleted = true, the tombstone's revision and
-- its data columns cleared, so the revision guard keeps refusing a late older upsert that would
-- otherwise resurrect the entity. Read customers_live for what exists now.
--
-- Data columns are nullable in the table because tombstones clear them; "required" is written
-- as CHECK (deleted OR col IS NOT NULL).
CREATE TABLE customers (
  tenant      text        NOT NULL,
  id          text        NOT NULL,
  revision    bigint      NOT NULL,
  occurred_at timestamptz NOT NULL,
  deleted     boolean     NOT NULL DEFAULT false,
  updated_at  timestamptz NOT NULL DEFAULT now(),
  name        text,
  email       text,
  tier        text,
  country     text,
  created_at  timestamptz,
  source      text,
  CONSTRAINT customers_pkey PRIMARY KEY (tenant, id),
  CONSTRAINT customers_required CHECK (deleted OR (name IS NOT NULL AND email IS NOT NULL))
);

CREATE VIEW customers_live AS
  SELECT tenant, id, revision, occurred_at, updated_at, name, email, tier, country, created_at, source
  FROM customers
  WHERE NOT deleted;
