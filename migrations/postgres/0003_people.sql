-- People, contests, reviews, retention and the audit of access (PostgreSQL).

-- The follow-ups of decisions, in the same chain as the decisions (their ids come from the
-- same head): a customer's contest, a reviewer's review, a purge of old history. `content`
-- is the event's canonical JSON; the other columns repeat some of it for queries and are
-- checked against it by `pad journal verify`.
CREATE TABLE case_events (
    id           BIGINT PRIMARY KEY,
    recorded_at  TEXT   NOT NULL,
    kind         TEXT   NOT NULL CHECK (kind IN ('contest', 'review', 'purge')),
    decision_id  BIGINT,
    contest_id   BIGINT,
    outcome      TEXT,
    actor        TEXT   NOT NULL,
    content      TEXT   NOT NULL,
    content_hash TEXT   NOT NULL,
    prev_hash    TEXT   NOT NULL,
    hash         TEXT   NOT NULL
);
CREATE INDEX case_events_decision ON case_events (decision_id, id);
CREATE INDEX case_events_contest ON case_events (contest_id);
CREATE INDEX case_events_kind ON case_events (kind, id);

-- A purge deletes the oldest events: it holds this permit (one row, inserted and deleted in
-- its own transaction, so never seen by another) while it does; any other deletion is refused.
CREATE TABLE journal_purge_permit (id BIGINT PRIMARY KEY CHECK (id = 1));

CREATE OR REPLACE FUNCTION decisions_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' AND EXISTS (SELECT 1 FROM journal_purge_permit) THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'the decision journal is append-only (pad journal purge removes old history)';
END
$$;
CREATE TRIGGER case_events_no_update BEFORE UPDATE OR DELETE ON case_events
    FOR EACH ROW EXECUTE FUNCTION decisions_append_only();

-- The people who sign in to `pad serve`: a name, a role, and the SHA-256 of their token
-- (never the token).
CREATE TABLE users (
    name       TEXT PRIMARY KEY,
    role       TEXT NOT NULL CHECK (role IN ('rm', 'reviewer', 'auditor', 'admin')),
    token_hash TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    revoked_at TEXT
);

-- Who read what, when: every read of a client's data or decisions through the API.
CREATE TABLE access_log (
    id          BIGSERIAL PRIMARY KEY,
    at          TEXT   NOT NULL,
    user_name   TEXT   NOT NULL,
    role        TEXT   NOT NULL,
    action      TEXT   NOT NULL,
    client_id   BIGINT,
    decision_id BIGINT
);
CREATE INDEX access_log_at ON access_log (at);
CREATE INDEX access_log_user ON access_log (user_name, id);
