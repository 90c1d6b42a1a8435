-- Version 2 changed how PostgreSQL appends (journal_append_batch); SQLite's schema is unchanged
-- (its appends are batched by pad in one BEGIN IMMEDIATE transaction).
SELECT 1;
