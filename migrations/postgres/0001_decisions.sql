-- The decision journal (PostgreSQL): one row per recorded decision, append-only, hash-chained.
-- `content` is the canonical JSON of the decision; the other columns repeat some of its fields
-- for filters and are checked against it by `pad journal verify`.
CREATE TABLE decisions (
    id              BIGINT PRIMARY KEY,
    recorded_at     TEXT             NOT NULL,
    client_id       BIGINT           NOT NULL,
    rm              TEXT             NOT NULL,
    final_decision  TEXT             NOT NULL,
    model_decision  TEXT             NOT NULL,
    overridden      BIGINT           NOT NULL,
    reason_code     TEXT,
    probability     DOUBLE PRECISION NOT NULL,
    model_version   TEXT             NOT NULL,
    content         TEXT             NOT NULL,
    content_hash    TEXT             NOT NULL,
    prev_hash       TEXT             NOT NULL,
    hash            TEXT             NOT NULL,
    idempotency_key TEXT UNIQUE,
    request_hash    TEXT
);
CREATE INDEX decisions_client ON decisions (client_id, id);
CREATE INDEX decisions_rm ON decisions (rm, id);
CREATE INDEX decisions_recorded_at ON decisions (recorded_at);

-- The end of the chain. Every append locks this row (SELECT ... FOR UPDATE), so appends from
-- any number of servers are serialised, each in its own transaction.
CREATE TABLE journal_head (
    id        BIGINT PRIMARY KEY CHECK (id = 1),
    last_id   BIGINT NOT NULL,
    last_hash TEXT   NOT NULL
);
INSERT INTO journal_head (id, last_id, last_hash)
VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');

CREATE FUNCTION decisions_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the decision journal is append-only';
END
$$;
CREATE TRIGGER decisions_no_update BEFORE UPDATE OR DELETE ON decisions
    FOR EACH ROW EXECUTE FUNCTION decisions_append_only();

-- Appends one event in one round trip: locks the head, answers an idempotency key already
-- used with the event it recorded (o_replayed = 1), else links the event to the previous one
-- (hash = SHA-256 of the previous hash and the content hash, as hex text) and moves the head.
CREATE FUNCTION journal_append(
    p_recorded_at TEXT, p_client_id BIGINT, p_rm TEXT, p_final TEXT, p_model TEXT,
    p_overridden BIGINT, p_reason TEXT, p_probability DOUBLE PRECISION, p_model_version TEXT,
    p_content TEXT, p_content_hash TEXT, p_key TEXT, p_request_hash TEXT)
RETURNS TABLE (o_id BIGINT, o_prev_hash TEXT, o_hash TEXT, o_replayed BIGINT, o_request_hash TEXT)
LANGUAGE plpgsql AS $$
DECLARE
    v_last_id   BIGINT;
    v_last_hash TEXT;
    v_id        BIGINT;
    v_hash      TEXT;
    v_request   TEXT;
BEGIN
    SELECT h.last_id, h.last_hash INTO v_last_id, v_last_hash FROM journal_head h WHERE h.id = 1 FOR UPDATE;
    IF p_key IS NOT NULL THEN
        SELECT d.id, d.request_hash INTO v_id, v_request FROM decisions d WHERE d.idempotency_key = p_key;
        IF FOUND THEN
            RETURN QUERY SELECT v_id, ''::TEXT, ''::TEXT, 1::BIGINT, v_request;
            RETURN;
        END IF;
    END IF;
    v_id := v_last_id + 1;
    v_hash := encode(sha256(convert_to(v_last_hash || p_content_hash, 'UTF8')), 'hex');
    INSERT INTO decisions (id, recorded_at, client_id, rm, final_decision, model_decision, overridden,
                           reason_code, probability, model_version, content, content_hash, prev_hash, hash,
                           idempotency_key, request_hash)
    VALUES (v_id, p_recorded_at, p_client_id, p_rm, p_final, p_model, p_overridden, p_reason, p_probability,
            p_model_version, p_content, p_content_hash, v_last_hash, v_hash, p_key, p_request_hash);
    UPDATE journal_head SET last_id = v_id, last_hash = v_hash WHERE id = 1;
    RETURN QUERY SELECT v_id, v_last_hash, v_hash, 0::BIGINT, p_request_hash;
END
$$;
