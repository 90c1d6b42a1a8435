-- The columns a decision is listed and filtered by join the chain (PostgreSQL).
--
-- `columns_hash` is the SHA-256 of the event's columns recorded_at, client_id, rm,
-- final_decision, model_decision, overridden, reason_code, probability and model_version, as
-- one JSON array in that order (computed by pad); the event's hash is then the SHA-256 of the
-- previous hash, the content hash and the columns hash (hex texts, one after the other). A
-- column changed behind pad's back breaks the chain as a changed content does. Events recorded
-- before keep no columns hash (NULL), and their hash as it was: `pad journal verify` checks
-- their columns against their contents, as before.
ALTER TABLE decisions ADD COLUMN columns_hash TEXT;

-- What `pad journal verify` reads of every decision in order, in an index of its own: the
-- chain's columns and hashes without the contents, a tenth of the table's size, read without
-- visiting the table (an index-only scan). The contents' hashes are recomputed by the server,
-- where the contents are, in one parallel scan of the table.
CREATE INDEX decisions_chain ON decisions (id)
    INCLUDE (recorded_at, client_id, rm, final_decision, model_decision, overridden, reason_code, probability,
             model_version, content_hash, columns_hash, prev_hash, hash);

DROP FUNCTION journal_append_batch(TEXT[], BIGINT[], TEXT[], TEXT[], TEXT[], BIGINT[], TEXT[], DOUBLE PRECISION[],
                                   TEXT[], TEXT[], TEXT[], TEXT[], TEXT[]);

-- As in version 2, with each decision's columns hash (p_columns_hash) stored and chained.
CREATE FUNCTION journal_append_batch(
    p_recorded_at TEXT[], p_client_id BIGINT[], p_rm TEXT[], p_final TEXT[], p_model TEXT[],
    p_overridden BIGINT[], p_reason TEXT[], p_probability DOUBLE PRECISION[], p_model_version TEXT[],
    p_content TEXT[], p_content_hash TEXT[], p_columns_hash TEXT[], p_key TEXT[], p_request_hash TEXT[])
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
        v_hash := encode(sha256(convert_to(v_last_hash || p_content_hash[i] || p_columns_hash[i], 'UTF8')), 'hex');
        INSERT INTO decisions (id, recorded_at, client_id, rm, final_decision, model_decision, overridden,
                               reason_code, probability, model_version, content, content_hash, columns_hash,
                               prev_hash, hash, idempotency_key, request_hash)
        VALUES (v_id, p_recorded_at[i], p_client_id[i], p_rm[i], p_final[i], p_model[i], p_overridden[i],
                p_reason[i], p_probability[i], p_model_version[i], p_content[i], p_content_hash[i],
                p_columns_hash[i], v_last_hash, v_hash, p_key[i], p_request_hash[i]);
        o_id := v_id; o_prev_hash := v_last_hash; o_hash := v_hash; o_replayed := 0; o_request_hash := p_request_hash[i];
        RETURN NEXT;
        v_last_id := v_id;
        v_last_hash := v_hash;
    END LOOP;
    UPDATE journal_head SET last_id = v_last_id, last_hash = v_last_hash WHERE id = 1;
END
$$;
