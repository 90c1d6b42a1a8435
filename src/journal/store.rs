//! The journal's storage through sqlx: opening (and migrating) an SQLite or PostgreSQL
//! database, appending an event in one transaction, reading events back, and verifying the
//! chain.
//!
//! Both backends share the SQL (SQLite reads `$1` parameters as PostgreSQL does). Appends go
//! through one writer per open journal, which writes the appends waiting in one transaction
//! (group commit); the transaction holds the chain's head: SQLite begins it with `BEGIN
//! IMMEDIATE`, which takes the database's write lock; PostgreSQL's `journal_append_batch`
//! locks the head row with `SELECT … FOR UPDATE`, so writers of several processes take their
//! turns. A group the database refuses is written again one append at a time, so that one
//! append it cannot take fails alone ([`Journal::record`]).
//!
//! Uses: domain, and the records of this module.

use std::collections::HashMap;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use futures_util::StreamExt;
use rayon::prelude::*;
use sqlx::Row;
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous};

use super::case::{CaseContent, CaseEvent};
use super::record::{Content, DecisionColumns, DecisionDraft, DecisionEvent, chain_hash, decision_hash, sha256_hex};
use super::text::{TextKind, check_chars};
use super::{Filter, JournalError, JournalUrl, OverrideReasons, Page, StateFilter};
use crate::domain::Decision;

/// The schema version this binary writes: the number of its migrations.
pub const SCHEMA_VERSION: i64 = 5;

/// The migrations of each backend, in order: `(version, SQL)`.
const SQLITE_MIGRATIONS: &[(i64, &str)] = &[
    (1, include_str!("../../migrations/sqlite/0001_decisions.sql")),
    (2, include_str!("../../migrations/sqlite/0002_append_batch.sql")),
    (3, include_str!("../../migrations/sqlite/0003_people.sql")),
    (4, include_str!("../../migrations/sqlite/0004_columns_in_chain.sql")),
    (5, include_str!("../../migrations/sqlite/0005_merkle_tree.sql")),
];
const POSTGRES_MIGRATIONS: &[(i64, &str)] = &[
    (1, include_str!("../../migrations/postgres/0001_decisions.sql")),
    (2, include_str!("../../migrations/postgres/0002_append_batch.sql")),
    (3, include_str!("../../migrations/postgres/0003_people.sql")),
    (4, include_str!("../../migrations/postgres/0004_columns_in_chain.sql")),
    (5, include_str!("../../migrations/postgres/0005_merkle_tree.sql")),
];

/// The schema that added users, and the one from which their changes are events of the chain.
const USERS_SCHEMA: i64 = 3;
const USER_CHANGES_SCHEMA: i64 = 5;

/// The advisory lock key taken while migrating a PostgreSQL journal ("pad" in ASCII), so
/// that servers starting together migrate one after the other.
const MIGRATION_LOCK: i64 = 0x706164;

/// The most appends written in one transaction (17 values each: well under either backend's
/// limit of bound values per statement).
const MAX_APPEND_BATCH: usize = 256;

/// Events read per batch while verifying.
const VERIFY_BATCH: i64 = 10_000;
/// Batches read at once while verifying (each on its own connection).
const VERIFY_AHEAD: usize = 4;

/// The columns an event is read from.
pub(super) const EVENT_COLUMNS: &str = "id, recorded_at, client_id, rm, final_decision, model_decision, overridden, reason_code, \
                             probability, model_version, content, content_hash, prev_hash, hash, columns_hash";

/// A decision journal, open. Cheap to clone (the connections are shared).
#[derive(Clone)]
pub struct Journal {
    pub(super) pool: Pool,
    url: JournalUrl,
    reasons: Arc<OverrideReasons>,
    /// The appends waiting for the writer (see [`Journal::record`]).
    appends: Arc<std::sync::Mutex<AppendQueue>>,
    /// The time the journal stamps: the system's, unless set ([`Journal::set_clock`]).
    clock: Arc<std::sync::Mutex<Option<time::OffsetDateTime>>>,
}

#[derive(Clone)]
pub(super) enum Pool {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// Runs the same code on either backend's pool (the body is compiled once per backend).
macro_rules! on_pool {
    ($pool:expr, $name:ident => $body:expr) => {
        match $pool {
            Pool::Sqlite($name) => $body,
            Pool::Postgres($name) => $body,
        }
    };
}

/// Binds every value of a `&[Bind]` to a query, in order (either backend).
macro_rules! bind_all {
    ($query:expr, $binds:expr) => {{
        let mut query = $query;
        for bind in $binds {
            query = match bind {
                Bind::Int(value) => query.bind(*value),
                Bind::Float(value) => query.bind(*value),
                Bind::Text(value) => query.bind(value.clone()),
                Bind::MaybeText(value) => query.bind(value.clone()),
                Bind::MaybeInt(value) => query.bind(*value),
            };
        }
        query
    }};
}

/// The outcome of [`Journal::record`].
#[derive(Debug, Clone, PartialEq)]
pub struct Recorded {
    /// The event, committed.
    pub event: DecisionEvent,
    /// Whether the idempotency key had already recorded it (nothing new was written).
    pub replayed: bool,
}

/// The outcome of [`Journal::verify`].
#[derive(Debug, Clone, PartialEq)]
pub struct Verification {
    /// Events checked.
    pub events: u64,
    /// Where purged history was cut, when it was: the chain is checked from there.
    pub cut: Option<Cut>,
    /// The first broken event, if any.
    pub broken: Option<Broken>,
    /// How the users table departs from the users the chain's user changes leave, if it
    /// does (checked when the chain holds).
    pub users: Option<String>,
}

/// Where a purge cut the history.
#[derive(Debug, Clone, PartialEq)]
pub struct Cut {
    /// The last event removed.
    pub after: i64,
    /// The purge event that says so.
    pub purge_event: i64,
    /// The date before which history was purged.
    pub before: String,
}

/// Where and how the chain breaks.
#[derive(Debug, Clone, PartialEq)]
pub struct Broken {
    /// The first event that does not hold.
    pub id: i64,
    /// What is wrong with it.
    pub problem: String,
}

/// One stored row, as read.
pub(super) struct StoredRow {
    id: i64,
    recorded_at: String,
    client_id: i64,
    rm: String,
    final_decision: String,
    model_decision: String,
    overridden: i64,
    reason_code: Option<String>,
    probability: f64,
    model_version: String,
    content: String,
    content_hash: String,
    prev_hash: String,
    hash: String,
    columns_hash: Option<String>,
}

impl StoredRow {
    pub(super) fn read<R: Row>(row: &R) -> Result<StoredRow, sqlx::Error>
    where
        usize: sqlx::ColumnIndex<R>,
        for<'r> i64: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
        for<'r> f64: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
        for<'r> String: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    {
        Ok(StoredRow {
            id: row.try_get(0)?,
            recorded_at: row.try_get(1)?,
            client_id: row.try_get(2)?,
            rm: row.try_get(3)?,
            final_decision: row.try_get(4)?,
            model_decision: row.try_get(5)?,
            overridden: row.try_get(6)?,
            reason_code: row.try_get(7)?,
            probability: row.try_get(8)?,
            model_version: row.try_get(9)?,
            content: row.try_get(10)?,
            content_hash: row.try_get(11)?,
            prev_hash: row.try_get(12)?,
            hash: row.try_get(13)?,
            columns_hash: row.try_get(14)?,
        })
    }

    pub(super) fn event(self) -> Result<DecisionEvent, JournalError> {
        let content: Content = serde_json::from_str(&self.content)
            .map_err(|error| JournalError::Corrupt { id: self.id, message: format!("content: {error}") })?;
        Ok(DecisionEvent {
            id: self.id,
            content,
            content_hash: self.content_hash,
            columns_hash: self.columns_hash,
            prev_hash: self.prev_hash,
            hash: self.hash,
        })
    }

    /// The columns as stored.
    fn columns(&self) -> DecisionColumns<'_> {
        DecisionColumns {
            recorded_at: &self.recorded_at,
            client_id: self.client_id,
            rm: &self.rm,
            final_decision: &self.final_decision,
            model_decision: &self.model_decision,
            overridden: self.overridden,
            reason_code: self.reason_code.as_deref(),
            probability: self.probability,
            model_version: &self.model_version,
        }
    }

    /// What is wrong with this row taken alone, its content read here (SQLite; on PostgreSQL
    /// the server compares contents and content hashes, [`first_changed_content`]): its content
    /// against its content hash, then its columns ([`StoredRow::columns_problem`]).
    fn problem(&self) -> Option<String> {
        if sha256_hex(self.content.as_bytes()) != self.content_hash {
            return Some(CONTENT_CHANGED.into());
        }
        if self.columns_need_content() { self.columns_problem() } else { None }
    }

    /// Whether the columns must be read against the content: the event has no columns hash
    /// (recorded before schema 4), or its columns no longer have it.
    fn columns_need_content(&self) -> bool {
        self.columns_hash.as_ref().is_none_or(|hash| *hash != self.columns().hash())
    }

    /// What is wrong with the columns of a row whose columns need its content: the column
    /// that says otherwise than the content, or the columns hash that was changed.
    fn columns_problem(&self) -> Option<String> {
        let content: Checked = match serde_json::from_str(&self.content) {
            Ok(content) => content,
            Err(error) => return Some(format!("its content is not a decision: {error}")),
        };
        let mismatches = [
            ("recorded_at", content.recorded_at == self.recorded_at),
            ("client_id", content.client_id == self.client_id),
            ("rm", content.rm == self.rm),
            ("final_decision", content.final_decision.as_str() == self.final_decision),
            ("model_decision", content.model_decision.as_str() == self.model_decision),
            ("overridden", i64::from(content.overridden) == self.overridden),
            ("reason_code", content.reason_code == self.reason_code),
            ("probability", content.probability.to_bits() == self.probability.to_bits()),
            ("model_version", content.model_version == self.model_version),
        ];
        let named = mismatches
            .iter()
            .find(|(_, same)| !same)
            .map(|(column, _)| format!("its column {column} says otherwise than its content (the row was changed)"));
        match (named, &self.columns_hash) {
            (Some(named), _) => Some(named),
            (None, Some(_)) => Some("its columns hash is not the hash of its columns (the row was changed)".into()),
            (None, None) => None,
        }
    }
}

/// The problem of an event whose content no longer has its content hash.
const CONTENT_CHANGED: &str = "its content does not match its content hash (the content was changed)";

/// The columns a follow-up event is read from.
pub(super) const CASE_COLUMNS: &str =
    "id, recorded_at, kind, decision_id, contest_id, outcome, actor, content, content_hash, prev_hash, hash";

/// One stored follow-up row, as read.
pub(super) struct CaseRow {
    pub(super) id: i64,
    recorded_at: String,
    kind: String,
    decision_id: Option<i64>,
    contest_id: Option<i64>,
    outcome: Option<String>,
    actor: String,
    pub(super) content: String,
    pub(super) content_hash: String,
    pub(super) prev_hash: String,
    pub(super) hash: String,
}

impl CaseRow {
    pub(super) fn read<R: Row>(row: &R) -> Result<CaseRow, sqlx::Error>
    where
        usize: sqlx::ColumnIndex<R>,
        for<'r> i64: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
        for<'r> String: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    {
        Ok(CaseRow {
            id: row.try_get(0)?,
            recorded_at: row.try_get(1)?,
            kind: row.try_get(2)?,
            decision_id: row.try_get(3)?,
            contest_id: row.try_get(4)?,
            outcome: row.try_get(5)?,
            actor: row.try_get(6)?,
            content: row.try_get(7)?,
            content_hash: row.try_get(8)?,
            prev_hash: row.try_get(9)?,
            hash: row.try_get(10)?,
        })
    }

    pub(super) fn event(self) -> Result<CaseEvent, JournalError> {
        let content: CaseContent = serde_json::from_str(&self.content)
            .map_err(|error| JournalError::Corrupt { id: self.id, message: format!("content: {error}") })?;
        Ok(CaseEvent {
            id: self.id,
            content,
            content_hash: self.content_hash,
            prev_hash: self.prev_hash,
            hash: self.hash,
        })
    }

    /// What is wrong with this row taken alone (see the decisions' own check).
    pub(super) fn problem(&self) -> Option<String> {
        if sha256_hex(self.content.as_bytes()) != self.content_hash {
            return Some(CONTENT_CHANGED.into());
        }
        let content: CaseContent = match serde_json::from_str(&self.content) {
            Ok(content) => content,
            Err(error) => return Some(format!("its content is not a contest, review, purge or user change: {error}")),
        };
        let columns = content.columns();
        let mismatches = [
            ("recorded_at", columns.recorded_at == self.recorded_at),
            ("kind", columns.kind == self.kind),
            ("decision_id", columns.decision_id == self.decision_id),
            ("contest_id", columns.contest_id == self.contest_id),
            ("outcome", columns.outcome == self.outcome.as_deref()),
            ("actor", columns.actor == self.actor),
        ];
        mismatches
            .iter()
            .find(|(_, same)| !same)
            .map(|(column, _)| format!("its column {column} says otherwise than its content (the row was changed)"))
    }
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

/// The fields of a content that have columns of their own.
#[derive(serde::Deserialize)]
struct Checked {
    recorded_at: String,
    client_id: i64,
    model_version: String,
    probability: f64,
    model_decision: Decision,
    final_decision: Decision,
    overridden: bool,
    reason_code: Option<String>,
    rm: String,
}

impl Journal {
    /// Opens the journal at `url`, creating an SQLite file and its folder when missing, and
    /// applies the migrations it lacks. A database with a newer schema is refused.
    pub async fn open(url: &JournalUrl) -> Result<Journal, JournalError> {
        let reasons = Arc::new(OverrideReasons::shipped()?);
        let shown = url.to_string();
        let pool = match url {
            JournalUrl::Sqlite(path) => {
                if let Some(folder) = path.parent().filter(|folder| !folder.as_os_str().is_empty()) {
                    std::fs::create_dir_all(folder).map_err(|error| JournalError::Unreachable {
                        url: shown.clone(),
                        message: format!("cannot create the folder {}: {error}", folder.display()),
                    })?;
                }
                let options = SqliteConnectOptions::new()
                    .filename(path)
                    .create_if_missing(true)
                    .journal_mode(SqliteJournalMode::Wal)
                    .synchronous(SqliteSynchronous::Full)
                    .busy_timeout(Duration::from_secs(10));
                let pool = SqlitePoolOptions::new()
                    .max_connections(4)
                    .acquire_timeout(Duration::from_secs(10))
                    .connect_with(options)
                    .await
                    .map_err(|error| classify(&shown, error))?;
                Pool::Sqlite(pool)
            }
            JournalUrl::Postgres(text) => {
                let options = PgConnectOptions::from_str(text).map_err(|error| {
                    JournalError::Url(format!("cannot read the journal URL {shown}: {}", root_cause(&error)))
                })?;
                // One connection first: its failure says why (refused, unknown host, wrong
                // password), where the pool would only say that it timed out.
                let probe = sqlx::ConnectOptions::connect(&options).await.map_err(|error| classify(&shown, error))?;
                let _ = sqlx::Connection::close(probe).await;
                let pool = PgPoolOptions::new()
                    .max_connections(32)
                    .acquire_timeout(Duration::from_secs(5))
                    .connect_with(options)
                    .await
                    .map_err(|error| classify(&shown, error))?;
                Pool::Postgres(pool)
            }
        };
        let journal = Journal { pool, url: url.clone(), reasons, appends: Arc::default(), clock: Arc::default() };
        let found = journal.migrate().await?;
        if (USERS_SCHEMA..USER_CHANGES_SCHEMA).contains(&found) {
            // Users added before their changes joined the chain join it as they are.
            journal.adopt_users().await?;
        }
        Ok(journal)
    }

    /// Stamps `at` on what this handle records from now on, instead of the system's time (a
    /// simulation or a test of retention); `None` goes back to the system's time.
    pub fn set_clock(&self, at: Option<time::OffsetDateTime>) {
        *self.clock.lock().unwrap_or_else(std::sync::PoisonError::into_inner) = at;
    }

    /// The time to stamp now, as stored.
    pub fn now(&self) -> String {
        stamp(self.now_time())
    }

    /// The time to stamp now.
    pub fn now_time(&self) -> time::OffsetDateTime {
        self.clock
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .unwrap_or_else(time::OffsetDateTime::now_utc)
    }

    /// The journal's address (password hidden when shown).
    pub fn url(&self) -> &JournalUrl {
        &self.url
    }

    /// The override reasons decisions are checked against.
    pub fn reasons(&self) -> &OverrideReasons {
        &self.reasons
    }

    /// The schema version of the database.
    pub async fn schema_version(&self) -> Result<i64, JournalError> {
        let sql = "SELECT COALESCE(MAX(version), 0) FROM journal_schema";
        on_pool!(&self.pool, pool => sqlx::query_scalar::<_, i64>(sql).fetch_one(pool).await)
            .map_err(|error| self.failed(error))
    }

    /// Applies the migrations the database lacks; returns the version it had.
    async fn migrate(&self) -> Result<i64, JournalError> {
        let create = "CREATE TABLE IF NOT EXISTS journal_schema (version BIGINT NOT NULL, applied_at TEXT NOT NULL)";
        let found_sql = "SELECT COALESCE(MAX(version), 0) FROM journal_schema";
        let insert = "INSERT INTO journal_schema (version, applied_at) VALUES ($1, $2)";
        let url = self.url.to_string();
        let outcome: Result<Result<i64, JournalError>, sqlx::Error> = on_pool!(&self.pool, pool => async {
            // SQLite: take the write lock at once, so that opening processes wait their turn.
            let begin = if matches!(self.pool, Pool::Sqlite(_)) { "BEGIN IMMEDIATE" } else { "BEGIN" };
            let mut transaction = pool.begin_with(begin).await?;
            if matches!(self.pool, Pool::Postgres(_)) {
                sqlx::query("SELECT pg_advisory_xact_lock($1)").bind(MIGRATION_LOCK).execute(&mut *transaction).await?;
            }
            sqlx::query(create).execute(&mut *transaction).await?;
            let found: i64 = sqlx::query_scalar(found_sql).fetch_one(&mut *transaction).await?;
            if found > SCHEMA_VERSION {
                return Ok(Err(JournalError::NewerSchema { url: url.clone(), found, supported: SCHEMA_VERSION }));
            }
            let migrations = if matches!(self.pool, Pool::Postgres(_)) { POSTGRES_MIGRATIONS } else { SQLITE_MIGRATIONS };
            for (version, sql) in migrations.iter().filter(|(version, _)| *version > found) {
                sqlx::raw_sql(sql).execute(&mut *transaction).await?;
                sqlx::query(insert).bind(*version).bind(now_utc()).execute(&mut *transaction).await?;
            }
            transaction.commit().await?;
            Ok(Ok(found))
        }.await);
        outcome.map_err(|error| self.failed(error))?
    }

    /// Checks `draft`, stamps the time, and appends it as the next event; returns once
    /// committed. With an idempotency key (`key`, `request_hash` the SHA-256 of the request), a
    /// key already used for the same request returns that event without writing, and for
    /// another request is [`JournalError::IdempotencyConflict`].
    ///
    /// Appends made while another is being written wait for it and are then written together,
    /// in one transaction (group commit): one lock of the chain's head and one commit for all
    /// of them, each answered once that commit is done. When the database refuses such a
    /// transaction (nothing of it was recorded), its appends are written again one by one, each
    /// in a transaction of its own: one append the database cannot take (a NUL in a text, which
    /// PostgreSQL refuses) fails alone, and the others are recorded and answered as usual. When
    /// the database cannot be reached, or its answer is lost, every append of the transaction
    /// fails (a commit whose outcome is unknown is never written twice).
    pub async fn record(&self, draft: &DecisionDraft, key: Option<(&str, &str)>) -> Result<Recorded, JournalError> {
        let content = Content::check(draft, self.now(), &self.reasons)?;
        let text = content.canonical()?;
        let content_hash = sha256_hex(text.as_bytes());
        let columns_hash = DecisionColumns::of(&content).hash();
        let (reply, answer) = tokio::sync::oneshot::channel();
        let pending = PendingAppend {
            content,
            text,
            content_hash,
            columns_hash,
            key: key.map(|(key, request)| (key.to_string(), request.to_string())),
            reply,
        };
        let start_writer = {
            let mut queue = self.appends.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            queue.pending.push(pending);
            !std::mem::replace(&mut queue.writing, true)
        };
        if start_writer {
            // The writer runs as its own task, so that a caller that goes away (a client that
            // hangs up) cannot cut a transaction that other appends wait on.
            tokio::spawn(self.clone().write_appends());
        }
        let (appended, content) = answer.await.map_err(|_| writer_stopped())??;
        match appended {
            Appended::Replayed { id, request_hash } => {
                if request_hash.as_deref() != key.map(|(_, request)| request) {
                    return Err(JournalError::IdempotencyConflict);
                }
                let event = self.get(id).await?.ok_or(JournalError::NotFound(id))?;
                Ok(Recorded { event, replayed: true })
            }
            Appended::New { id, content_hash, columns_hash, prev_hash, hash } => Ok(Recorded {
                event: DecisionEvent { id, content, content_hash, columns_hash: Some(columns_hash), prev_hash, hash },
                replayed: false,
            }),
        }
    }

    /// Writes the appends waiting, a batch per transaction, until none is left.
    async fn write_appends(self) {
        let mut writing = Writing { appends: &self.appends, done: false };
        loop {
            let batch: Vec<PendingAppend> = {
                let mut queue = self.appends.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
                if queue.pending.is_empty() {
                    queue.writing = false;
                    writing.done = true;
                    return;
                }
                let taken = queue.pending.len().min(MAX_APPEND_BATCH);
                queue.pending.drain(..taken).collect()
            };
            let outcome = append_batch(&self.pool, &batch).await;
            match outcome {
                Ok(appended) => {
                    for (pending, appended) in batch.into_iter().zip(appended) {
                        let _ = pending.reply.send(Ok((appended, pending.content)));
                    }
                }
                Err(error) if batch.len() > 1 && refused_by_database(&error) => {
                    tracing::warn!(
                        appends = batch.len(),
                        cause = %root_cause(&error),
                        "the database refused a group commit; writing its appends one by one"
                    );
                    for pending in batch {
                        let alone = append_batch(&self.pool, std::slice::from_ref(&pending)).await;
                        let answer = match alone {
                            Ok(mut appended) => match appended.pop() {
                                Some(appended) => Ok((appended, pending.content)),
                                None => Err(writer_stopped()),
                            },
                            Err(error) => Err(self.failed(error)),
                        };
                        let _ = pending.reply.send(answer);
                    }
                }
                Err(error) => {
                    let error = self.failed(error);
                    for pending in batch {
                        let _ = pending.reply.send(Err(error.clone()));
                    }
                }
            }
        }
    }

    /// The rows a query with these values returns.
    async fn rows(&self, sql: &str, binds: &[Bind]) -> Result<Vec<StoredRow>, JournalError> {
        on_pool!(&self.pool, pool => {
            match bind_all!(sqlx::query(sql), binds).fetch_all(pool).await {
                Ok(rows) => rows.iter().map(StoredRow::read).collect::<Result<Vec<_>, _>>(),
                Err(error) => Err(error),
            }
        })
        .map_err(|error| self.failed(error))
    }

    /// The event with this id.
    pub async fn get(&self, id: i64) -> Result<Option<DecisionEvent>, JournalError> {
        let sql = format!("SELECT {EVENT_COLUMNS} FROM decisions WHERE id = $1");
        let rows = self.rows(&sql, &[Bind::Int(id)]).await?;
        rows.into_iter().next().map(StoredRow::event).transpose()
    }

    /// The events that pass `filter`, a page at a time.
    pub async fn list(&self, filter: &Filter, page: Page) -> Result<Vec<DecisionEvent>, JournalError> {
        let (sql, binds) = listing_sql(filter, page)?;
        self.rows(&sql, &binds).await?.into_iter().map(StoredRow::event).collect()
    }

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
        let mut previous_hash = super::GENESIS_HASH.to_string();
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

    /// Closes the connections.
    pub async fn close(&self) {
        on_pool!(&self.pool, pool => pool.close().await);
    }

    pub(super) fn failed(&self, error: sqlx::Error) -> JournalError {
        classify(&self.url.to_string(), error)
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

/// A value bound to a query.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Bind {
    Int(i64),
    Float(f64),
    Text(String),
    MaybeText(Option<String>),
    MaybeInt(Option<i64>),
}

/// The values of an event both backends store, in their column order: `recorded_at` to
/// `content_hash`.
fn content_binds(content: &Content, text: &str, content_hash: &str) -> [Bind; 11] {
    [
        Bind::Text(content.recorded_at.clone()),
        Bind::Int(content.client_id),
        Bind::Text(content.rm.clone()),
        Bind::Text(content.final_decision.as_str().to_string()),
        Bind::Text(content.model_decision.as_str().to_string()),
        Bind::Int(i64::from(content.overridden)),
        Bind::MaybeText(content.reason_code.clone()),
        Bind::Float(content.probability),
        Bind::Text(content.model_version.clone()),
        Bind::Text(text.to_string()),
        Bind::Text(content_hash.to_string()),
    ]
}

/// An append waiting for the journal's writer.
struct PendingAppend {
    content: Content,
    text: String,
    content_hash: String,
    /// [`DecisionColumns::hash`] of the content's columns.
    columns_hash: String,
    /// The idempotency key and the request's hash.
    key: Option<(String, String)>,
    reply: tokio::sync::oneshot::Sender<Result<(Appended, Content), JournalError>>,
}

/// The appends waiting, and whether a writer is writing them.
#[derive(Default)]
struct AppendQueue {
    pending: Vec<PendingAppend>,
    writing: bool,
}

/// What became of one append.
#[derive(Debug)]
enum Appended {
    /// Recorded as a new event.
    New { id: i64, content_hash: String, columns_hash: String, prev_hash: String, hash: String },
    /// Its idempotency key had recorded event `id`, for the request of this hash.
    Replayed { id: i64, request_hash: Option<String> },
}

/// Held by the writer while it writes: a writer that ends otherwise than by emptying the
/// queue (its task dropped with the runtime, or a panic) fails the appends still waiting and
/// lets the next append start a writer, rather than leaving them waiting for ever.
struct Writing<'a> {
    appends: &'a std::sync::Mutex<AppendQueue>,
    done: bool,
}

impl Drop for Writing<'_> {
    fn drop(&mut self) {
        if self.done {
            return;
        }
        let mut queue = self.appends.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        queue.writing = false;
        for pending in queue.pending.drain(..) {
            let _ = pending.reply.send(Err(writer_stopped()));
        }
    }
}

fn writer_stopped() -> JournalError {
    JournalError::Database("the journal's writer stopped before recording the decision; nothing was recorded".into())
}

/// Appends `batch` on either backend; one answer per append, in order.
async fn append_batch(pool: &Pool, batch: &[PendingAppend]) -> Result<Vec<Appended>, sqlx::Error> {
    match pool {
        Pool::Sqlite(pool) => append_batch_sqlite(pool, batch).await,
        Pool::Postgres(pool) => append_batch_postgres(pool, batch).await,
    }
}

/// SQLite: one transaction that takes the database's write lock at its start (`BEGIN
/// IMMEDIATE`, waiting for another writer up to the busy timeout): reads the head, looks up the
/// batch's idempotency keys, inserts the new events chained one after the other, moves the head
/// and commits. A key used twice in the batch records once.
async fn append_batch_sqlite(pool: &SqlitePool, batch: &[PendingAppend]) -> Result<Vec<Appended>, sqlx::Error> {
    let mut transaction = pool.begin_with("BEGIN IMMEDIATE").await?;
    let (mut last_id, mut last_hash): (i64, String) =
        sqlx::query_as("SELECT last_id, last_hash FROM journal_head WHERE id = 1").fetch_one(&mut *transaction).await?;
    let mut used: HashMap<String, (i64, Option<String>)> = HashMap::new();
    let keys: Vec<&str> =
        batch.iter().filter_map(|pending| pending.key.as_ref().map(|(key, _)| key.as_str())).collect();
    if !keys.is_empty() {
        let mut lookup = sqlx::QueryBuilder::<sqlx::Sqlite>::new(
            "SELECT idempotency_key, id, request_hash FROM decisions WHERE idempotency_key IN (",
        );
        let mut separated = lookup.separated(", ");
        for key in keys {
            separated.push_bind(key);
        }
        lookup.push(")");
        let rows: Vec<(String, i64, Option<String>)> = lookup.build_query_as().fetch_all(&mut *transaction).await?;
        used.extend(rows.into_iter().map(|(key, id, request)| (key, (id, request))));
    }
    let mut appended = Vec::with_capacity(batch.len());
    let mut rows = Vec::new();
    for pending in batch {
        if let Some((key, request)) = &pending.key {
            if let Some((id, request_hash)) = used.get(key) {
                appended.push(Appended::Replayed { id: *id, request_hash: request_hash.clone() });
                continue;
            }
            used.insert(key.clone(), (last_id + 1, Some(request.clone())));
        }
        let hash = decision_hash(&last_hash, &pending.content_hash, Some(&pending.columns_hash));
        last_id += 1;
        rows.push((last_id, pending, last_hash.clone(), hash.clone()));
        appended.push(Appended::New {
            id: last_id,
            content_hash: pending.content_hash.clone(),
            columns_hash: pending.columns_hash.clone(),
            prev_hash: std::mem::replace(&mut last_hash, hash.clone()),
            hash,
        });
    }
    if !rows.is_empty() {
        let mut insert = sqlx::QueryBuilder::<sqlx::Sqlite>::new(
            "INSERT INTO decisions (id, recorded_at, client_id, rm, final_decision, model_decision, overridden, \
             reason_code, probability, model_version, content, content_hash, prev_hash, hash, idempotency_key, \
             request_hash, columns_hash) ",
        );
        insert.push_values(rows, |mut row, (id, pending, prev_hash, hash)| {
            row.push_bind(id);
            for bind in content_binds(&pending.content, &pending.text, &pending.content_hash) {
                match bind {
                    Bind::Int(value) => row.push_bind(value),
                    Bind::Float(value) => row.push_bind(value),
                    Bind::Text(value) => row.push_bind(value),
                    Bind::MaybeText(value) => row.push_bind(value),
                    Bind::MaybeInt(value) => row.push_bind(value),
                };
            }
            row.push_bind(prev_hash)
                .push_bind(hash)
                .push_bind(pending.key.as_ref().map(|(key, _)| key.as_str()))
                .push_bind(pending.key.as_ref().map(|(_, request)| request.as_str()))
                .push_bind(pending.columns_hash.as_str());
        });
        insert.build().execute(&mut *transaction).await?;
        sqlx::query("UPDATE journal_head SET last_id = $1, last_hash = $2 WHERE id = 1")
            .bind(last_id)
            .bind(last_hash)
            .execute(&mut *transaction)
            .await?;
    }
    transaction.commit().await?;
    Ok(appended)
}

/// PostgreSQL: one call of `journal_append_batch` (see `migrations/postgres`), a statement and
/// so a transaction of its own, with the batch as parallel arrays: one round trip, one commit.
async fn append_batch_postgres(pool: &PgPool, batch: &[PendingAppend]) -> Result<Vec<Appended>, sqlx::Error> {
    let column = |field: fn(&PendingAppend) -> String| batch.iter().map(field).collect::<Vec<String>>();
    let rows: Vec<(i32, i64, String, String, i64, Option<String>)> = sqlx::query_as(
        "SELECT o_index, o_id, o_prev_hash, o_hash, o_replayed, o_request_hash \
         FROM journal_append_batch($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) ORDER BY o_index",
    )
    .bind(column(|pending| pending.content.recorded_at.clone()))
    .bind(batch.iter().map(|pending| pending.content.client_id).collect::<Vec<i64>>())
    .bind(column(|pending| pending.content.rm.clone()))
    .bind(column(|pending| pending.content.final_decision.as_str().to_string()))
    .bind(column(|pending| pending.content.model_decision.as_str().to_string()))
    .bind(batch.iter().map(|pending| i64::from(pending.content.overridden)).collect::<Vec<i64>>())
    .bind(batch.iter().map(|pending| pending.content.reason_code.clone()).collect::<Vec<Option<String>>>())
    .bind(batch.iter().map(|pending| pending.content.probability).collect::<Vec<f64>>())
    .bind(column(|pending| pending.content.model_version.clone()))
    .bind(column(|pending| pending.text.clone()))
    .bind(column(|pending| pending.content_hash.clone()))
    .bind(column(|pending| pending.columns_hash.clone()))
    .bind(batch.iter().map(|pending| pending.key.as_ref().map(|(key, _)| key.clone())).collect::<Vec<Option<String>>>())
    .bind(
        batch
            .iter()
            .map(|pending| pending.key.as_ref().map(|(_, request)| request.clone()))
            .collect::<Vec<Option<String>>>(),
    )
    .fetch_all(pool)
    .await?;
    if rows.len() != batch.len() {
        return Err(sqlx::Error::Protocol(format!(
            "journal_append_batch answered {} rows for {} decisions",
            rows.len(),
            batch.len()
        )));
    }
    Ok(rows
        .into_iter()
        .zip(batch)
        .map(|((_, id, prev_hash, hash, replayed, request_hash), pending)| {
            if replayed != 0 {
                Appended::Replayed { id, request_hash }
            } else {
                Appended::New {
                    id,
                    content_hash: pending.content_hash.clone(),
                    columns_hash: pending.columns_hash.clone(),
                    prev_hash,
                    hash,
                }
            }
        })
        .collect())
}

/// The SQL of a listing and its values, `$1`, `$2`... in order.
fn listing_sql(filter: &Filter, page: Page) -> Result<(String, Vec<Bind>), JournalError> {
    let mut conditions: Vec<String> = Vec::new();
    let mut binds = Vec::new();
    let mut condition = |column: &str, operator: &str, bind: Bind| {
        binds.push(bind);
        conditions.push(format!("{column} {operator} ${}", binds.len()));
    };
    if let Some(client_id) = filter.client_id {
        condition("client_id", "=", Bind::Int(client_id));
    }
    if let Some(rm) = &filter.rm {
        check_chars("rm", rm, TextKind::Line)?;
        condition("rm", "=", Bind::Text(rm.clone()));
    }
    if let Some(from) = &filter.from {
        condition("recorded_at", ">=", Bind::Text(time_bound(from, "from")?));
    }
    if let Some(to) = &filter.to {
        let bound = time_bound(to, "to")?;
        // A date alone runs to the end of that day: "2026-12-01T9" sorts after every time of it.
        let bound = if bound.len() == 10 { format!("{bound}T9") } else { bound };
        condition("recorded_at", "<", Bind::Text(bound));
    }
    if let Some(decision) = filter.decision {
        condition("final_decision", "=", Bind::Text(decision.as_str().to_string()));
    }
    if let Some(overridden) = filter.overridden {
        condition("overridden", "=", Bind::Int(i64::from(overridden)));
    }
    if let Some(after) = page.after {
        condition("id", if page.newest_first { "<" } else { ">" }, Bind::Int(after));
    }
    if let Some(state) = filter.state {
        conditions.push(state_condition(state));
    }
    let limit = i64::try_from(page.limit).unwrap_or(i64::MAX);
    binds.push(Bind::Int(limit));
    let mut sql = format!("SELECT {EVENT_COLUMNS} FROM decisions");
    if !conditions.is_empty() {
        sql.push_str(" WHERE ");
        sql.push_str(&conditions.join(" AND "));
    }
    let order = if page.newest_first { "DESC" } else { "ASC" };
    sql.push_str(&format!(" ORDER BY id {order} LIMIT ${}", binds.len()));
    Ok((sql, binds))
}

/// The SQL condition on `decisions` of a state (no value bound).
fn state_condition(state: StateFilter) -> String {
    let open = "EXISTS (SELECT 1 FROM case_events c WHERE c.decision_id = decisions.id AND c.kind = 'contest' \
                AND NOT EXISTS (SELECT 1 FROM case_events r WHERE r.kind = 'review' AND r.contest_id = c.id))";
    let last_review = "(SELECT r.outcome FROM case_events r WHERE r.decision_id = decisions.id AND r.kind = 'review' \
                       ORDER BY r.id DESC LIMIT 1)";
    match state {
        StateFilter::Decided => "NOT EXISTS (SELECT 1 FROM case_events c WHERE c.decision_id = decisions.id)".into(),
        StateFilter::Contested => open.into(),
        StateFilter::Reviewed => format!("NOT {open} AND {last_review} IS NOT NULL"),
        StateFilter::Upheld => format!("NOT {open} AND {last_review} = 'upheld'"),
        StateFilter::Overturned => format!("NOT {open} AND {last_review} = 'overturned'"),
    }
}

/// A date (`2026-12-01`) or UTC time (`2026-12-01T10:00`, `…:00`, `…:00.5`, with or without
/// `Z`) as a prefix comparable with the stored times.
fn time_bound(text: &str, field: &str) -> Result<String, JournalError> {
    let trimmed = text.trim().trim_end_matches('Z');
    let pattern = "dddd-dd-ddTdd:dd:dd";
    let fits = trimmed.len() >= 10
        && trimmed.chars().zip(pattern.chars()).all(|(character, expected)| match expected {
            'd' => character.is_ascii_digit(),
            other => character == other,
        })
        && (trimmed.len() == 10 || trimmed.len() >= 16)
        && trimmed.chars().skip(pattern.len()).all(|character| character.is_ascii_digit() || character == '.');
    if fits {
        Ok(trimmed.to_string())
    } else {
        Err(JournalError::Invalid {
            field: field.to_string(),
            message: format!(
                "`{}` is not a UTC date or time: write 2026-12-01 or 2026-12-01T10:00:00Z",
                crate::domain::format::quote_external(text, 60)
            ),
        })
    }
}

/// The current UTC time as stored: `2026-12-01T10:00:00.123456Z`.
pub fn now_utc() -> String {
    stamp(time::OffsetDateTime::now_utc())
}

/// A UTC time as stored: `2026-12-01T10:00:00.123456Z`.
pub fn stamp(at: time::OffsetDateTime) -> String {
    let format =
        time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:6]Z");
    at.to_offset(time::UtcOffset::UTC).format(&format).unwrap_or_default()
}

/// Whether the database answered `error` itself, refusing the statement (so its transaction
/// recorded nothing), rather than being unreachable or losing its answer (the outcome then
/// unknown).
fn refused_by_database(error: &sqlx::Error) -> bool {
    matches!(error, sqlx::Error::Database(_))
}

/// A journal error for a database failure: unreachable, wrong credentials, or another.
fn classify(url: &str, error: sqlx::Error) -> JournalError {
    let message = root_cause(&error);
    match &error {
        sqlx::Error::Database(database) => match database.code().as_deref() {
            Some("28P01" | "28000") => JournalError::Credentials { url: url.to_string(), message },
            Some("3D000") => JournalError::Unreachable {
                url: url.to_string(),
                message: format!("{message} (create it, or name another database in the URL)"),
            },
            _ => JournalError::Database(message),
        },
        sqlx::Error::Io(_) | sqlx::Error::Tls(_) | sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed => {
            JournalError::Unreachable { url: url.to_string(), message }
        }
        _ => JournalError::Database(message),
    }
}

/// The innermost cause of an error, as text.
fn root_cause(error: &(dyn std::error::Error + 'static)) -> String {
    let mut cause = error;
    while let Some(source) = cause.source() {
        cause = source;
    }
    let text = cause.to_string();
    if text == error.to_string() { text } else { format!("{error}: {text}") }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn listings_bind_every_condition_in_order() {
        let filter = Filter {
            client_id: Some(7),
            rm: Some("ana".into()),
            to: Some("2026-12-01".into()),
            overridden: Some(true),
            ..Filter::default()
        };
        let (sql, binds) = listing_sql(&filter, Page { after: Some(40), limit: 10, newest_first: true }).unwrap();
        assert!(sql.ends_with(
            "WHERE client_id = $1 AND rm = $2 AND recorded_at < $3 AND overridden = $4 AND id < $5 ORDER BY id DESC LIMIT $6"
        ));
        assert_eq!(binds[2], Bind::Text("2026-12-01T9".into()));
        assert_eq!(binds[5], Bind::Int(10));
    }

    #[test]
    fn time_bounds_take_dates_and_times_only() {
        assert_eq!(time_bound("2026-12-01", "from").unwrap(), "2026-12-01");
        assert_eq!(time_bound("2026-12-01T10:00:00Z", "from").unwrap(), "2026-12-01T10:00:00");
        assert!(time_bound("yesterday", "from").is_err());
        assert!(time_bound("2026-12-01T1", "from").is_err());
        assert!(time_bound("2026-12-01'; DROP TABLE decisions", "from").is_err());
        // Stored times sort between the bounds of their day.
        let stored = "2026-12-01T23:59:59.999999Z";
        assert!(("2026-12-01".."2026-12-01T9").contains(&stored));
    }
}
