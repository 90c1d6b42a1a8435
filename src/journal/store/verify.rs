//! Verifying: following the whole chain in order, batches read ahead on several connections
//! and each event checked alone, with the content hashes computed by PostgreSQL itself there.
//!
//! Uses: the journal's records and errors, and the store's rows, pool and handle.

use std::collections::HashMap;

use futures_util::StreamExt;
use rayon::prelude::*;
use sqlx::postgres::PgPool;

use super::super::JournalError;
use super::super::record::{chain_hash, decision_hash};
use super::rows::{CASE_COLUMNS, CONTENT_CHANGED, CaseRow, EVENT_COLUMNS, StoredRow};
use super::{Bind, Broken, Cut, Journal, Pool, Verification};

/// Events read per batch while verifying.
const VERIFY_BATCH: i64 = 10_000;
/// Batches read at once while verifying (each on its own connection).
const VERIFY_AHEAD: usize = 4;

impl Journal {
    /// Recomputes the whole chain in order: every content hash, every columns hash (or, for
    /// the events without one, every column against the content), every link, no event
    /// missing, and the head at the last event. Reports the first broken event. Events
    /// appended while it runs are left for the next verify.
    ///
    /// On PostgreSQL the server hashes the decisions' contents where they are stored
    /// ([`first_changed_content`]) while pad follows the chain from the other columns; on
    /// SQLite pad reads and hashes the contents itself.
    pub async fn verify(&self) -> Result<Verification, JournalError> {
        // The last event, the first and the head, in one statement (one snapshot).
        let end_sql = "SELECT (SELECT COALESCE(MAX(id), 0) FROM (SELECT MAX(id) AS id FROM decisions UNION ALL \
                       SELECT MAX(id) AS id FROM case_events) AS l), \
                       (SELECT COALESCE(MIN(id), 0) FROM (SELECT MIN(id) AS id FROM decisions UNION ALL \
                       SELECT MIN(id) AS id FROM case_events) AS f), \
                       (SELECT last_id FROM journal_head WHERE id = 1), (SELECT last_hash FROM journal_head WHERE id = 1)";
        let (last, first, head_id, head_hash): (i64, i64, Option<i64>, Option<String>) =
            on_pool!(&self.pool, pool => sqlx::query_as(end_sql).fetch_one(pool).await)
                .map_err(|error| self.failed(error))?;
        let mut previous_id = 0_i64;
        let mut previous_hash = super::super::GENESIS_HASH.to_string();
        let mut cut = None;
        if first > 1 {
            // History before `first` was purged: a purge event must say so, with the hash the
            // chain goes on from.
            let purge = self.purges().await?.into_iter().rev().find(|(_, purge)| purge.last_removed_id == first - 1);
            let Some((purge_id, purge)) = purge else {
                let missing =
                    if first == 2 { "event 1 is".to_string() } else { format!("events 1 to {} are", first - 1) };
                return Ok(Verification {
                    events: 0,
                    cut: None,
                    users: None,
                    broken: Some(Broken {
                        id: 1,
                        problem: format!("{missing} missing and no purge event says they were purged (deleted?)"),
                    }),
                });
            };
            previous_id = purge.last_removed_id;
            previous_hash = purge.last_removed_hash.clone();
            cut = Some(Cut { after: purge.last_removed_id, purge_event: purge_id, before: purge.before });
        }
        let start = previous_id;
        // PostgreSQL hashes the decisions' contents where they are stored while the chain is
        // followed here; SQLite's are hashed here, as read.
        let changed_content = async {
            match &self.pool {
                Pool::Postgres(pool) => {
                    first_changed_content(pool, start, last).await.map_err(|error| self.failed(error))
                }
                Pool::Sqlite(_) => Ok(None),
            }
        };
        let (chain, changed_content) =
            tokio::join!(self.follow_chain(start, last, previous_hash, cut.is_some()), changed_content);
        let chain = chain?;
        let broken = |id: i64, problem: String| Some(Broken { id, problem });
        let broken = match (changed_content?, chain.broken) {
            // The first problem in the chain's order; a content changed comes first in its event.
            (Some(id), chain_broken) if chain_broken.as_ref().is_none_or(|broken| id <= broken.id) => {
                // Every event before it was checked and held.
                let events = u64::try_from(id - start - 1).unwrap_or_default();
                return Ok(Verification { events, cut, broken: broken(id, CONTENT_CHANGED.into()), users: None });
            }
            (_, Some(chain_broken)) => Some(chain_broken),
            (_, None) => match (head_id, head_hash) {
                (Some(head_id), Some(head_hash)) if head_id == chain.last_id && head_hash == chain.last_hash => None,
                (Some(head_id), _) if head_id > chain.last_id => broken(
                    chain.last_id + 1,
                    format!(
                        "the chain stops at event {} but {head_id} were recorded (events removed from the end?)",
                        chain.last_id
                    ),
                ),
                _ => broken(chain.last_id, "the journal's head does not match its last event".into()),
            },
        };
        let users = if broken.is_none() { self.users_problem().await? } else { None };
        Ok(Verification { events: chain.events, cut, broken, users })
    }

    /// Follows the chain from the event after `start` (whose hash is `previous_hash`;
    /// `after_cut` when a purge removed the events up to it) to `last`: no event missing,
    /// each checked alone, each linked to the one before. Stops at the first broken event.
    ///
    /// Batches of events are read [`VERIFY_AHEAD`] at a time on as many connections, each
    /// checked on its own as soon as read; only the links from one event to the next are
    /// followed in order.
    async fn follow_chain(
        &self,
        start: i64,
        last: i64,
        mut previous_hash: String,
        after_cut: bool,
    ) -> Result<Followed, JournalError> {
        let mut previous_id = start;
        let ranges =
            (start..last).step_by(VERIFY_BATCH as usize).map(|after| (after, (after + VERIFY_BATCH).min(last)));
        let mut batches = futures_util::stream::iter(ranges)
            .map(|(after, until)| self.checked_batch(after, until))
            .buffered(VERIFY_AHEAD);
        let mut events = 0_u64;
        while let Some(batch) = batches.next().await {
            for row in batch? {
                let problem = if row.id != previous_id + 1 {
                    let missing = previous_id + 1;
                    Some((missing, format!("event {missing} is missing (the next one is {}; deleted?)", row.id)))
                } else if let Some(problem) = row.problem {
                    Some((row.id, problem))
                } else if row.prev_hash != previous_hash {
                    let previous = if after_cut && previous_id == start {
                        format!("the hash of event {previous_id} kept by the purge")
                    } else {
                        format!("event {previous_id}'s hash")
                    };
                    Some((row.id, format!("its previous hash does not match {previous}")))
                } else if !row.linked {
                    Some((
                        row.id,
                        "its hash is not the hash of its previous hash, content hash and columns hash".into(),
                    ))
                } else {
                    None
                };
                if let Some((id, problem)) = problem {
                    let broken = Some(Broken { id, problem });
                    return Ok(Followed { events, last_id: previous_id, last_hash: previous_hash, broken });
                }
                previous_id = row.id;
                previous_hash = row.hash;
                events += 1;
            }
        }
        Ok(Followed { events, last_id: previous_id, last_hash: previous_hash, broken: None })
    }

    /// The events with ids in `after + 1 ..= until`, decisions and follow-ups, in order, each
    /// checked alone.
    async fn checked_batch(&self, after: i64, until: i64) -> Result<Vec<CheckedRow>, JournalError> {
        let mut checked = match &self.pool {
            Pool::Sqlite(_) => {
                // Contents read and hashed here (on the blocking threads, in parallel).
                let sql = format!("SELECT {EVENT_COLUMNS} FROM decisions WHERE id > $1 AND id <= $2 ORDER BY id");
                let rows = self.rows(&sql, &[Bind::Int(after), Bind::Int(until)]).await?;
                tokio::task::spawn_blocking(move || {
                    rows.into_par_iter()
                        .map(|row| {
                            let problem = row.problem();
                            CheckedRow::of(row, problem)
                        })
                        .collect::<Vec<_>>()
                })
                .await
                .map_err(|error| JournalError::Database(format!("checking events {after}–{until} failed: {error}")))?
            }
            Pool::Postgres(pool) => self.chain_batch_postgres(pool, after, until).await?,
        };
        let sql = format!("SELECT {CASE_COLUMNS} FROM case_events WHERE id > $1 AND id <= $2 ORDER BY id");
        let follow_ups = on_pool!(&self.pool, pool => {
            match sqlx::query(&sql).bind(after).bind(until).fetch_all(pool).await {
                Ok(rows) => rows.iter().map(CaseRow::read).collect::<Result<Vec<_>, _>>(),
                Err(error) => Err(error),
            }
        })
        .map_err(|error| self.failed(error))?;
        checked.extend(follow_ups.into_iter().map(CheckedRow::of_follow_up));
        checked.sort_by_key(|row| row.id);
        Ok(checked)
    }

    /// PostgreSQL: the decisions of a batch without their contents (their hashes are checked
    /// by [`first_changed_content`]), read from the index that holds the chain's columns; the
    /// contents of those whose columns need them (recorded before schema 4, or changed) are
    /// then read by id.
    async fn chain_batch_postgres(
        &self,
        pool: &PgPool,
        after: i64,
        until: i64,
    ) -> Result<Vec<CheckedRow>, JournalError> {
        let sql = "SELECT id, recorded_at, client_id, rm, final_decision, model_decision, overridden, reason_code, \
                   probability, model_version, '' AS content, content_hash, prev_hash, hash, columns_hash \
                   FROM decisions WHERE id > $1 AND id <= $2 ORDER BY id";
        let mut rows = self.rows(sql, &[Bind::Int(after), Bind::Int(until)]).await?;
        let need: Vec<bool> = rows.iter().map(StoredRow::columns_need_content).collect();
        let ids: Vec<i64> = rows.iter().zip(&need).filter(|(_, need)| **need).map(|(row, _)| row.id).collect();
        if !ids.is_empty() {
            let contents: HashMap<i64, String> = sqlx::query_as("SELECT id, content FROM decisions WHERE id = ANY($1)")
                .bind(&ids)
                .fetch_all(pool)
                .await
                .map_err(|error| self.failed(error))?
                .into_iter()
                .collect();
            for row in &mut rows {
                if let Some(content) = contents.get(&row.id) {
                    row.content.clone_from(content);
                }
            }
        }
        Ok(rows
            .into_iter()
            .zip(need)
            .map(|(row, need)| {
                let problem = if need { row.columns_problem() } else { None };
                CheckedRow::of(row, problem)
            })
            .collect())
    }
}

/// Where [`Journal::follow_chain`] got to.
struct Followed {
    /// Events checked and holding.
    events: u64,
    /// The last of them (the start when none), and its hash.
    last_id: i64,
    last_hash: String,
    /// The first broken event, if any.
    broken: Option<Broken>,
}

/// PostgreSQL: the first decision with an id in `after + 1 ..= until` whose content no longer
/// has its content hash. The server hashes the contents where they are stored, in one scan of
/// the table shared among its parallel workers, so that the contents (most of the journal's
/// bytes) do not travel; only the first id found does.
async fn first_changed_content(pool: &PgPool, after: i64, until: i64) -> Result<Option<i64>, sqlx::Error> {
    let mut transaction = pool.begin().await?;
    // Every content is read: a scan of the table, not a walk along an index (which the
    // planner would take for MIN(id), one row at a time); and without compiling the query
    // (JIT), which costs more than it saves when the time goes to hashing.
    for setting in ["enable_indexscan", "enable_bitmapscan", "jit"] {
        sqlx::query(&format!("SET LOCAL {setting} = off")).execute(&mut *transaction).await?;
    }
    let first: Option<i64> = sqlx::query_scalar(
        "SELECT MIN(id) FROM decisions WHERE id > $1 AND id <= $2 AND \
         pg_catalog.encode(pg_catalog.sha256(pg_catalog.convert_to(content, 'UTF8')), 'hex') <> content_hash",
    )
    .bind(after)
    .bind(until)
    .fetch_one(&mut *transaction)
    .await?;
    transaction.rollback().await?;
    Ok(first)
}

/// What [`Journal::verify`] keeps of an event once checked alone.
struct CheckedRow {
    id: i64,
    prev_hash: String,
    hash: String,
    /// What is wrong with the event taken alone ([`StoredRow::problem`]).
    problem: Option<String>,
    /// Whether its hash is that of its previous hash, content hash and columns hash.
    linked: bool,
}

impl CheckedRow {
    /// A decision, `problem` the one found in it alone.
    fn of(row: StoredRow, problem: Option<String>) -> CheckedRow {
        let linked = decision_hash(&row.prev_hash, &row.content_hash, row.columns_hash.as_deref()) == row.hash;
        CheckedRow { linked, problem, id: row.id, prev_hash: row.prev_hash, hash: row.hash }
    }

    fn of_follow_up(row: CaseRow) -> CheckedRow {
        let problem = row.problem();
        let linked = chain_hash(&row.prev_hash, &row.content_hash) == row.hash;
        CheckedRow { linked, problem, id: row.id, prev_hash: row.prev_hash, hash: row.hash }
    }
}
