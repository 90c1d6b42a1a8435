-- The journal as a Merkle tree (RFC 9162) and its signed checkpoints (SQLite).
--
-- Every event of the chain is a leaf, in id order (leaf index = id - 1); its leaf input is the
-- 32 bytes of its chain hash. `journal_tree` keeps every complete node: the node at (level,
-- idx) covers the leaves idx * 2^level to (idx + 1) * 2^level - 1, and `hash` is its 32-byte
-- hash (a leaf: SHA-256(0x00 || chain hash); an inner node: SHA-256(0x01 || left || right)).
-- `journal_tree_size` says how many events the stored nodes cover; pad extends it before it
-- signs a checkpoint, answers a proof or purges. A purge keeps the nodes (hashes only).
CREATE TABLE journal_tree (
    level INTEGER NOT NULL,
    idx   INTEGER NOT NULL,
    hash  BLOB    NOT NULL,
    PRIMARY KEY (level, idx)
) WITHOUT ROWID;

CREATE TABLE journal_tree_size (
    id   INTEGER PRIMARY KEY CHECK (id = 1),
    size INTEGER NOT NULL
);
INSERT INTO journal_tree_size (id, size) VALUES (1, 0);

CREATE TRIGGER journal_tree_no_update BEFORE UPDATE ON journal_tree
BEGIN
    SELECT RAISE(ABORT, 'the journal''s tree is append-only');
END;
CREATE TRIGGER journal_tree_no_delete BEFORE DELETE ON journal_tree
BEGIN
    SELECT RAISE(ABORT, 'the journal''s tree is append-only');
END;

-- The checkpoints pad signed (C2SP signed notes), newest last; `GET /checkpoint` serves the
-- latest. An auditor keeps copies outside the bank's database: these are for serving only.
CREATE TABLE journal_checkpoints (
    id        INTEGER PRIMARY KEY,
    tree_size INTEGER NOT NULL,
    root_hash TEXT    NOT NULL,
    note      TEXT    NOT NULL,
    signed_at TEXT    NOT NULL
);

-- User changes (added, revoked, new token) join the chain as events of kind 'user', carrying
-- the user's row after the change; `pad journal verify` rebuilds the users table from them.
-- SQLite cannot change a CHECK constraint: the table is rebuilt (its triggers with it).
CREATE TABLE case_events_v5 (
    id           INTEGER PRIMARY KEY,
    recorded_at  TEXT    NOT NULL,
    kind         TEXT    NOT NULL CHECK (kind IN ('contest', 'review', 'purge', 'user')),
    decision_id  INTEGER,
    contest_id   INTEGER,
    outcome      TEXT,
    actor        TEXT    NOT NULL,
    content      TEXT    NOT NULL,
    content_hash TEXT    NOT NULL,
    prev_hash    TEXT    NOT NULL,
    hash         TEXT    NOT NULL
);
INSERT INTO case_events_v5 (id, recorded_at, kind, decision_id, contest_id, outcome, actor, content, content_hash,
                            prev_hash, hash)
SELECT id, recorded_at, kind, decision_id, contest_id, outcome, actor, content, content_hash, prev_hash, hash
FROM case_events;
DROP TABLE case_events;
ALTER TABLE case_events_v5 RENAME TO case_events;
CREATE INDEX case_events_decision ON case_events (decision_id, id);
CREATE INDEX case_events_contest ON case_events (contest_id);
CREATE INDEX case_events_kind ON case_events (kind, id);
CREATE TRIGGER case_events_no_update BEFORE UPDATE ON case_events
BEGIN
    SELECT RAISE(ABORT, 'the decision journal is append-only');
END;
CREATE TRIGGER case_events_no_delete BEFORE DELETE ON case_events
WHEN NOT EXISTS (SELECT 1 FROM journal_purge_permit)
BEGIN
    SELECT RAISE(ABORT, 'the decision journal is append-only (pad journal purge removes old history)');
END;

-- The access log has a Merkle tree of its own, under the same checkpoints (their extension
-- line `access-log SIZE ROOT`). An entry's leaf input is the SHA-256 of its columns as one
-- JSON array [id, at, user_name, role, action, client_id, decision_id]; `leaf` is its place in
-- the tree, given in id order when the tree is extended (NULL until then). Entries are never
-- changed, but for that one assignment, and deleted only by a purge (holding its permit).
ALTER TABLE access_log ADD COLUMN leaf INTEGER;
CREATE UNIQUE INDEX access_log_leaf ON access_log (leaf);
CREATE TABLE access_tree (
    level INTEGER NOT NULL,
    idx   INTEGER NOT NULL,
    hash  BLOB    NOT NULL,
    PRIMARY KEY (level, idx)
) WITHOUT ROWID;
CREATE TABLE access_tree_size (
    id   INTEGER PRIMARY KEY CHECK (id = 1),
    size INTEGER NOT NULL
);
INSERT INTO access_tree_size (id, size) VALUES (1, 0);
CREATE TRIGGER access_tree_no_update BEFORE UPDATE ON access_tree
BEGIN
    SELECT RAISE(ABORT, 'the access log''s tree is append-only');
END;
CREATE TRIGGER access_tree_no_delete BEFORE DELETE ON access_tree
BEGIN
    SELECT RAISE(ABORT, 'the access log''s tree is append-only');
END;
CREATE TRIGGER access_log_no_update BEFORE UPDATE ON access_log
WHEN OLD.leaf IS NOT NULL OR NEW.leaf IS NULL OR NEW.id IS NOT OLD.id OR NEW.at IS NOT OLD.at
    OR NEW.user_name IS NOT OLD.user_name OR NEW.role IS NOT OLD.role OR NEW.action IS NOT OLD.action
    OR NEW.client_id IS NOT OLD.client_id OR NEW.decision_id IS NOT OLD.decision_id
BEGIN
    SELECT RAISE(ABORT, 'the access log is append-only');
END;
CREATE TRIGGER access_log_no_delete BEFORE DELETE ON access_log
WHEN NOT EXISTS (SELECT 1 FROM journal_purge_permit)
BEGIN
    SELECT RAISE(ABORT, 'the access log is append-only (pad journal purge removes old history)');
END;
