-- The DLQ store: one row per dead letter, the mesh headers as columns, the original bytes kept
-- for redrive. Idempotent on the letter's own coordinates (a redelivered DLQ record) and on its
-- origin coordinates + redrive attempt (the DLQ is at-least-once: a crash between the DLQ
-- produce and the origin commit writes a second letter for the same failure).
CREATE TABLE dead_letters (
  id               bigserial PRIMARY KEY,
  dlq_topic        text        NOT NULL,
  dlq_partition    integer     NOT NULL,
  dlq_offset       bigint      NOT NULL,
  origin_topic     text,
  origin_partition integer,
  origin_offset    bigint,
  app              text        NOT NULL,
  reason           text        NOT NULL,
  retryable        boolean     NOT NULL,
  attempts         integer     NOT NULL DEFAULT 0,
  -- How many redrives of this origin record came before this letter (x-mesh-redrive-attempt).
  redrive_attempt  integer     NOT NULL DEFAULT 0,
  -- The x-mesh-redrive-id this letter came back with, and the row it came back from.
  redrive_id       text,
  previous_id      bigint REFERENCES dead_letters (id) ON DELETE SET NULL,
  first_failure_at timestamptz,
  last_failure_at  timestamptz NOT NULL,
  error            text,
  tenant           text,
  dedupe_key       text,
  record_key       bytea,
  payload          bytea,
  -- Every header of the letter, name -> base64 values (republished on redrive).
  headers          jsonb,
  status           text        NOT NULL DEFAULT 'new'
                   CHECK (status IN ('new', 'redriving', 'redriven', 'quarantined', 'archived', 'purged')),
  status_note      text,
  next_redrive_at  timestamptz,
  -- The redrive id this row was (or is being) sent out with, which job sent it, and when.
  sent_redrive_id  text,
  -- Produces to the origin topic that failed (topic deleted, record too large…); at
  -- DLQ_MAX_SEND_FAILURES the letter is quarantined instead of being tried forever.
  send_failures    integer     NOT NULL DEFAULT 0,
  job_id           uuid,
  claimed_at       timestamptz,
  redriven_at      timestamptz,
  stored_at        timestamptz NOT NULL DEFAULT now(),
  updated_at       timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT dead_letters_dlq_coordinates UNIQUE (dlq_topic, dlq_partition, dlq_offset),
  CONSTRAINT dead_letters_origin_attempt UNIQUE (origin_topic, origin_partition, origin_offset, redrive_attempt)
);

CREATE INDEX dead_letters_due ON dead_letters (next_redrive_at) WHERE status = 'new' AND next_redrive_at IS NOT NULL;
CREATE INDEX dead_letters_status_tenant ON dead_letters (status, tenant, reason);
CREATE INDEX dead_letters_stored_at ON dead_letters (stored_at);
CREATE INDEX dead_letters_sent_redrive_id ON dead_letters (sent_redrive_id) WHERE sent_redrive_id IS NOT NULL;
CREATE INDEX dead_letters_redriving ON dead_letters (claimed_at) WHERE status = 'redriving';

-- One row per dlq control command: the first instance to insert it owns the work; progress and
-- results are read by dlqtriage --wait.
CREATE TABLE jobs (
  command_id    uuid PRIMARY KEY,
  type          text        NOT NULL,
  issued_by     text        NOT NULL,
  issued_at     timestamptz NOT NULL,
  target_app    text,
  target_tenant text,
  target_reason text,
  args          jsonb       NOT NULL DEFAULT '{}'::jsonb,
  dry_run       boolean     NOT NULL DEFAULT false,
  status        text        NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'running', 'done', 'failed')),
  matched       integer     NOT NULL DEFAULT 0,
  succeeded     integer     NOT NULL DEFAULT 0,
  failed        integer     NOT NULL DEFAULT 0,
  message       text,
  claimed_by    text,
  heartbeat_at  timestamptz,
  created_at    timestamptz NOT NULL DEFAULT now(),
  started_at    timestamptz,
  finished_at   timestamptz
);

CREATE INDEX jobs_open ON jobs (created_at) WHERE status IN ('queued', 'running');
