-- Group commit: a server writes the decisions that arrived together in one call, one
-- transaction, one lock of the head and one commit (journal_append did one decision a call).
DROP FUNCTION journal_append(TEXT, BIGINT, TEXT, TEXT, TEXT, BIGINT, TEXT, DOUBLE PRECISION, TEXT, TEXT, TEXT, TEXT, TEXT);

-- Appends the decisions given as parallel arrays (one element per decision), in order, in one
-- statement: locks the head, then for each decision answers an idempotency key already used
-- (before or earlier in the same call) with the event it recorded (o_replayed = 1), else links
-- it to the previous event (hash = SHA-256 of the previous hash and the content hash, as hex
-- text) and inserts it; moves the head once at the end. One row out per decision, o_index
-- its place (1-based) in the arrays.
CREATE FUNCTION journal_append_batch(
    p_recorded_at TEXT[], p_client_id BIGINT[], p_rm TEXT[], p_final TEXT[], p_model TEXT[],
    p_overridden BIGINT[], p_reason TEXT[], p_probability DOUBLE PRECISION[], p_model_version TEXT[],
    p_content TEXT[], p_content_hash TEXT[], p_key TEXT[], p_request_hash TEXT[])
RETURNS TABLE (o_index INT, o_id BIGINT, o_prev_hash TEXT, o_hash TEXT, o_replayed BIGINT, o_request_hash TEXT)
LANGUAGE plpgsql AS $$
DECLARE
    v_last_id   BIGINT;
    v_last_hash TEXT;
    v_id        BIGINT;
    v_hash      TEXT;
    v_request   TEXT;
BEGIN
    SELECT h.last_id, h.last_hash INTO v_last_id, v_last_hash FROM journal_head h WHERE h.id = 1 FOR UPDATE;
    FOR i IN 1 .. COALESCE(array_length(p_content, 1), 0) LOOP
        o_index := i;
        IF p_key[i] IS NOT NULL THEN
            SELECT d.id, d.request_hash INTO v_id, v_request FROM decisions d WHERE d.idempotency_key = p_key[i];
            IF FOUND THEN
                o_id := v_id; o_prev_hash := ''; o_hash := ''; o_replayed := 1; o_request_hash := v_request;
                RETURN NEXT;
                CONTINUE;
            END IF;
        END IF;
        v_id := v_last_id + 1;
        v_hash := encode(sha256(convert_to(v_last_hash || p_content_hash[i], 'UTF8')), 'hex');
        INSERT INTO decisions (id, recorded_at, client_id, rm, final_decision, model_decision, overridden,
                               reason_code, probability, model_version, content, content_hash, prev_hash, hash,
                               idempotency_key, request_hash)
        VALUES (v_id, p_recorded_at[i], p_client_id[i], p_rm[i], p_final[i], p_model[i], p_overridden[i],
                p_reason[i], p_probability[i], p_model_version[i], p_content[i], p_content_hash[i], v_last_hash,
                v_hash, p_key[i], p_request_hash[i]);
        o_id := v_id; o_prev_hash := v_last_hash; o_hash := v_hash; o_replayed := 0; o_request_hash := p_request_hash[i];
        RETURN NEXT;
        v_last_id := v_id;
        v_last_hash := v_hash;
    END LOOP;
    UPDATE journal_head SET last_id = v_last_id, last_hash = v_last_hash WHERE id = 1;
END
$$;

-- The content (about 5 kB of JSON a decision) is compressed with LZ4 where the server has it:
-- several times faster than PostgreSQL's own compression to write and to read back, which
-- appends and `pad journal verify` do for every event. (Contents written before keep theirs;
-- PostgreSQL reads both.)
DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_settings WHERE name = 'default_toast_compression' AND 'lz4' = ANY (enumvals)) THEN
        ALTER TABLE decisions ALTER COLUMN content SET COMPRESSION lz4;
    END IF;
END
$$;

-- And kept in the row (compressed) rather than in the TOAST table, so that reading a decision
-- back (listings, verify) does not look each content up in another table. A row stays under a
-- page: the content of a decision is a few kilobytes once compressed.
ALTER TABLE decisions ALTER COLUMN content SET STORAGE MAIN;
