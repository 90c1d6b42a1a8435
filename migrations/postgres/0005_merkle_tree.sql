-- The journal as a Merkle tree (RFC 9162) and its signed checkpoints (PostgreSQL).
--
-- Every event of the chain is a leaf, in id order (leaf index = id - 1); its leaf input is the
-- 32 bytes of its chain hash. `journal_tree` keeps every complete node: the node at (level,
-- idx) covers the leaves idx * 2^level to (idx + 1) * 2^level - 1, and `hash` is its 32-byte
-- hash (a leaf: SHA-256(0x00 || chain hash); an inner node: SHA-256(0x01 || left || right)).
-- `journal_tree_size` says how many events the stored nodes cover; pad extends it (holding
-- that row) before it signs a checkpoint, answers a proof or purges. A purge keeps the nodes
-- (hashes only).
CREATE TABLE journal_tree (
    level BIGINT NOT NULL,
    idx   BIGINT NOT NULL,
    hash  BYTEA  NOT NULL,
    PRIMARY KEY (level, idx)
);

CREATE TABLE journal_tree_size (
    id   BIGINT PRIMARY KEY CHECK (id = 1),
    size BIGINT NOT NULL
);
INSERT INTO journal_tree_size (id, size) VALUES (1, 0);

CREATE FUNCTION journal_tree_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the journal''s tree is append-only';
END
$$;
CREATE TRIGGER journal_tree_no_change BEFORE UPDATE OR DELETE ON journal_tree
    FOR EACH ROW EXECUTE FUNCTION journal_tree_append_only();

-- The checkpoints pad signed (C2SP signed notes), newest last; `GET /checkpoint` serves the
-- latest. An auditor keeps copies outside the bank's database: these are for serving only.
CREATE TABLE journal_checkpoints (
    id        BIGSERIAL PRIMARY KEY,
    tree_size BIGINT NOT NULL,
    root_hash TEXT   NOT NULL,
    note      TEXT   NOT NULL,
    signed_at TEXT   NOT NULL
);

-- User changes (added, revoked, new token) join the chain as events of kind 'user', carrying
-- the user's row after the change; `pad journal verify` rebuilds the users table from them.
ALTER TABLE case_events DROP CONSTRAINT case_events_kind_check;
ALTER TABLE case_events ADD CONSTRAINT case_events_kind_check CHECK (kind IN ('contest', 'review', 'purge', 'user'));

-- The access log has a Merkle tree of its own, under the same checkpoints (their extension
-- line `access-log SIZE ROOT`). An entry's leaf input is the SHA-256 of its columns as one
-- JSON array [id, at, user_name, role, action, client_id, decision_id]; `leaf` is its place in
-- the tree, given in id order when the tree is extended (NULL until then: an entry whose id
-- was taken before another's but committed after it gets a later place). Entries are never
-- changed, but for that one assignment, and deleted only by a purge (holding its permit).
ALTER TABLE access_log ADD COLUMN leaf BIGINT;
CREATE UNIQUE INDEX access_log_leaf ON access_log (leaf);
CREATE TABLE access_tree (
    level BIGINT NOT NULL,
    idx   BIGINT NOT NULL,
    hash  BYTEA  NOT NULL,
    PRIMARY KEY (level, idx)
);
CREATE TABLE access_tree_size (
    id   BIGINT PRIMARY KEY CHECK (id = 1),
    size BIGINT NOT NULL
);
INSERT INTO access_tree_size (id, size) VALUES (1, 0);
CREATE TRIGGER access_tree_no_change BEFORE UPDATE OR DELETE ON access_tree
    FOR EACH ROW EXECUTE FUNCTION journal_tree_append_only();
CREATE FUNCTION access_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        IF EXISTS (SELECT 1 FROM journal_purge_permit) THEN
            RETURN OLD;
        END IF;
    ELSIF OLD.leaf IS NULL AND NEW.leaf IS NOT NULL AND NEW.id = OLD.id AND NEW.at = OLD.at
          AND NEW.user_name = OLD.user_name AND NEW.role = OLD.role AND NEW.action = OLD.action
          AND NEW.client_id IS NOT DISTINCT FROM OLD.client_id
          AND NEW.decision_id IS NOT DISTINCT FROM OLD.decision_id THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'the access log is append-only (pad journal purge removes old history)';
END
$$;
CREATE TRIGGER access_log_append_only BEFORE UPDATE OR DELETE ON access_log
    FOR EACH ROW EXECUTE FUNCTION access_log_append_only();
