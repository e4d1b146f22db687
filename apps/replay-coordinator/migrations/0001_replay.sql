-- Replay plans: one row per plan, its per-partition window and checkpoints, the tenants under
-- legal hold, and a ledger of the replay control commands (every coordinator instance receives
-- every command; the first to insert its id acts on it, and replayctl reads the outcome here).
CREATE TABLE plans (
  id                uuid        PRIMARY KEY,
  tenant            text        NOT NULL,
  sources           text[]      NOT NULL,
  -- NULL = each record goes back to the topic it was read from.
  target            text,
  window_from       timestamptz NOT NULL,
  window_to         timestamptz NOT NULL,
  -- Records per second republished; 0 = unthrottled.
  throttle          integer     NOT NULL CHECK (throttle >= 0),
  -- Records in the window across all tenants (an upper bound for this tenant's share).
  estimate          bigint      NOT NULL,
  approval          text        NOT NULL CHECK (approval IN ('auto', 'required', 'approved')),
  approved_by       text,
  approved_at       timestamptz,
  rfa               text,
  status            text        NOT NULL DEFAULT 'planned'
                    CHECK (status IN ('planned', 'running', 'paused', 'blocked', 'completed', 'cancelled', 'failed')),
  message           text,
  created_by        text        NOT NULL,
  created_at        timestamptz NOT NULL DEFAULT now(),
  updated_at        timestamptz NOT NULL DEFAULT now(),
  -- The run's claim: the instance executing it and until when its lease holds.
  owner             text,
  lease_until       timestamptz,
  claims            integer     NOT NULL DEFAULT 0,
  failures          integer     NOT NULL DEFAULT 0,
  -- When this claim started and the counters then (for the rate of the current run).
  claimed_at        timestamptz,
  claim_base_read   bigint      NOT NULL DEFAULT 0,
  claim_base_produced bigint    NOT NULL DEFAULT 0,
  started_at        timestamptz,
  finished_at       timestamptz,
  -- Totals over the partitions (kept in the checkpoint transaction).
  read              bigint      NOT NULL DEFAULT 0,
  produced          bigint      NOT NULL DEFAULT 0
);

CREATE INDEX plans_runnable ON plans (created_at) WHERE status = 'running';
CREATE INDEX plans_tenant ON plans (tenant, created_at DESC);

CREATE TABLE plan_partitions (
  plan_id      uuid    NOT NULL REFERENCES plans (id) ON DELETE CASCADE,
  topic        text    NOT NULL,
  partition    integer NOT NULL,
  start_offset bigint  NOT NULL,
  -- Exclusive: the first offset after the window (frozen at plan time).
  end_offset   bigint  NOT NULL,
  -- The checkpoint: every offset below it has been read and, if the tenant's, produced.
  next_offset  bigint  NOT NULL,
  read         bigint  NOT NULL DEFAULT 0,
  produced     bigint  NOT NULL DEFAULT 0,
  updated_at   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (plan_id, topic, partition)
);

CREATE TABLE holds (
  tenant     text        PRIMARY KEY,
  reason     text        NOT NULL,
  created_by text        NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE commands (
  command_id uuid        PRIMARY KEY,
  type       text        NOT NULL,
  plan_id    uuid,
  tenant     text,
  issued_by  text        NOT NULL,
  issued_at  timestamptz NOT NULL,
  instance   text        NOT NULL,
  -- applied, or refused with a refusal code (held, needs-approval, unknown-plan, bad-state, bad-args).
  outcome    text        NOT NULL,
  refusal    text,
  message    text,
  applied_at timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX commands_plan ON commands (plan_id, applied_at);
