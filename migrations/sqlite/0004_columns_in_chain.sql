-- The columns a decision is listed and filtered by join the chain (SQLite).
--
-- `columns_hash` is the SHA-256 of the event's columns recorded_at, client_id, rm,
-- final_decision, model_decision, overridden, reason_code, probability and model_version, as
-- one JSON array in that order; the event's hash is then the SHA-256 of the previous hash, the
-- content hash and the columns hash (hex texts, one after the other). A column changed behind
-- pad's back breaks the chain as a changed content does, and `pad journal verify` checks the
-- columns without parsing the contents. Events recorded before keep no columns hash (NULL), and
-- their hash as it was: verify checks their columns against their contents, as before.
ALTER TABLE decisions ADD COLUMN columns_hash TEXT;
