-- The decision journal (SQLite): one row per recorded decision, append-only, hash-chained.
-- `content` is the canonical JSON of the decision; the other columns repeat some of its fields
-- for filters and are checked against it by `pad journal verify`.
CREATE TABLE decisions (
    id              INTEGER PRIMARY KEY,
    recorded_at     TEXT    NOT NULL,
    client_id       INTEGER NOT NULL,
    rm              TEXT    NOT NULL,
    final_decision  TEXT    NOT NULL,
    model_decision  TEXT    NOT NULL,
    overridden      INTEGER NOT NULL,
    reason_code     TEXT,
    probability     REAL    NOT NULL,
    model_version   TEXT    NOT NULL,
    content         TEXT    NOT NULL,
    content_hash    TEXT    NOT NULL,
    prev_hash       TEXT    NOT NULL,
    hash            TEXT    NOT NULL,
    idempotency_key TEXT UNIQUE,
    request_hash    TEXT
);
CREATE INDEX decisions_client ON decisions (client_id, id);
CREATE INDEX decisions_rm ON decisions (rm, id);
CREATE INDEX decisions_recorded_at ON decisions (recorded_at);

-- The end of the chain: the last event's id and hash. Appending updates it first, which takes
-- SQLite's write lock before anything is read.
CREATE TABLE journal_head (
    id        INTEGER PRIMARY KEY CHECK (id = 1),
    last_id   INTEGER NOT NULL,
    last_hash TEXT    NOT NULL
);
INSERT INTO journal_head (id, last_id, last_hash)
VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');

CREATE TRIGGER decisions_no_update BEFORE UPDATE ON decisions
BEGIN
    SELECT RAISE(ABORT, 'the decision journal is append-only');
END;
CREATE TRIGGER decisions_no_delete BEFORE DELETE ON decisions
BEGIN
    SELECT RAISE(ABORT, 'the decision journal is append-only');
END;
