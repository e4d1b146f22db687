-- Customer history (history mode, SCD Type 2): one row per (tenant, id, revision).
-- valid_from is the version's occurred_at; valid_to is the next version's valid_from (null while
-- current); exactly one row per entity is current. A tombstone is a version too (deleted = true,
-- data columns null), so the entity's history shows when it was deleted.
-- Map an entity type to it with `table: customer_history, mode: history` in tables.yaml.
CREATE TABLE customer_history (
  tenant      text        NOT NULL,
  id          text        NOT NULL,
  revision    bigint      NOT NULL,
  occurred_at timestamptz NOT NULL,
  deleted     boolean     NOT NULL DEFAULT false,
  valid_from  timestamptz NOT NULL,
  valid_to    timestamptz,
  is_current  boolean     NOT NULL DEFAULT false,
  updated_at  timestamptz NOT NULL DEFAULT now(),
  name        text,
  email       text,
  tier        text,
  country     text,
  created_at  timestamptz,
  source      text,
  CONSTRAINT customer_history_pkey PRIMARY KEY (tenant, id, revision),
  CONSTRAINT customer_history_required CHECK (deleted OR (name IS NOT NULL AND email IS NOT NULL))
);

-- At most one current version per entity.
CREATE UNIQUE INDEX customer_history_current_key ON customer_history (tenant, id) WHERE is_current;

CREATE VIEW customer_history_current AS
  SELECT tenant, id, revision, occurred_at, valid_from, name, email, tier, country, created_at, source
  FROM customer_history
  WHERE is_current AND NOT deleted;
