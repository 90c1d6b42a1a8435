//! The journal's storage through sqlx: opening (and migrating) an SQLite or PostgreSQL
//! database, appending an event in one transaction, reading events back, and verifying the
//! chain.
//!
//! Both backends share the SQL where they can (SQLite reads `$1` parameters as PostgreSQL
//! does). They differ in how an append holds the chain: SQLite begins each append with
//! `BEGIN IMMEDIATE`, which takes the database's write lock for the transaction; PostgreSQL calls
//! `journal_append` (see `migrations/postgres`), which locks the head row with
//! `SELECT … FOR UPDATE` and does the whole append in one round trip.
//!
//! Uses: domain, and the records of this module.

use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use rayon::prelude::*;
use sqlx::Row;
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous};

use super::record::{Content, DecisionDraft, DecisionEvent, chain_hash, sha256_hex};
use super::{Filter, JournalError, JournalUrl, OverrideReasons, Page};
use crate::domain::Decision;

/// The schema version this binary writes: the number of its migrations.
pub const SCHEMA_VERSION: i64 = 1;

/// The migrations of each backend, in order: `(version, SQL)`.
const SQLITE_MIGRATIONS: &[(i64, &str)] = &[(1, include_str!("../../migrations/sqlite/0001_decisions.sql"))];
const POSTGRES_MIGRATIONS: &[(i64, &str)] = &[(1, include_str!("../../migrations/postgres/0001_decisions.sql"))];

/// The advisory lock key taken while migrating a PostgreSQL journal ("pad" in ASCII), so
/// that servers starting together migrate one after the other.
const MIGRATION_LOCK: i64 = 0x706164;

/// Events read per batch while verifying.
const VERIFY_BATCH: i64 = 20_000;

/// The columns an event is read from.
const EVENT_COLUMNS: &str = "id, recorded_at, client_id, rm, final_decision, model_decision, overridden, reason_code, \
                             probability, model_version, content, content_hash, prev_hash, hash";

/// A decision journal, open. Cheap to clone (the connections are shared).
#[derive(Clone)]
pub struct Journal {
    pool: Pool,
    url: JournalUrl,
    reasons: Arc<OverrideReasons>,
}

#[derive(Clone)]
enum Pool {
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
    /// The first broken event, if any.
    pub broken: Option<Broken>,
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
struct StoredRow {
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
}

impl StoredRow {
    fn read<R: Row>(row: &R) -> Result<StoredRow, sqlx::Error>
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
        })
    }

    fn event(self) -> Result<DecisionEvent, JournalError> {
        let content: Content = serde_json::from_str(&self.content)
            .map_err(|error| JournalError::Corrupt { id: self.id, message: format!("content: {error}") })?;
        Ok(DecisionEvent {
            id: self.id,
            content,
            content_hash: self.content_hash,
            prev_hash: self.prev_hash,
            hash: self.hash,
        })
    }

    /// What is wrong with this row taken alone: its content hash, its content, or a column
    /// that says otherwise than the content.
    fn problem(&self) -> Option<String> {
        if sha256_hex(self.content.as_bytes()) != self.content_hash {
            return Some("its content does not match its content hash (the content was changed)".into());
        }
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
        mismatches
            .iter()
            .find(|(_, same)| !same)
            .map(|(column, _)| format!("its column {column} says otherwise than its content (the row was changed)"))
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
        let journal = Journal { pool, url: url.clone(), reasons };
        journal.migrate().await?;
        Ok(journal)
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

    async fn migrate(&self) -> Result<(), JournalError> {
        let create = "CREATE TABLE IF NOT EXISTS journal_schema (version BIGINT NOT NULL, applied_at TEXT NOT NULL)";
        let found_sql = "SELECT COALESCE(MAX(version), 0) FROM journal_schema";
        let insert = "INSERT INTO journal_schema (version, applied_at) VALUES ($1, $2)";
        let url = self.url.to_string();
        let outcome: Result<Result<(), JournalError>, sqlx::Error> = on_pool!(&self.pool, pool => async {
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
            Ok(Ok(()))
        }.await);
        outcome.map_err(|error| self.failed(error))?
    }

    /// Checks `draft`, stamps the time, and appends it as the next event, in one transaction;
    /// returns once committed. With an idempotency key (`key`, `request_hash` the SHA-256 of the
    /// request), a key already used for the same request returns that event without writing,
    /// and for another request is [`JournalError::IdempotencyConflict`].
    pub async fn record(&self, draft: &DecisionDraft, key: Option<(&str, &str)>) -> Result<Recorded, JournalError> {
        let content = Content::check(draft, now_utc(), &self.reasons)?;
        let text = content.canonical()?;
        let content_hash = sha256_hex(text.as_bytes());
        let (id, prev_hash, hash, replayed) = match &self.pool {
            Pool::Sqlite(pool) => self.append_sqlite(pool, &content, &text, &content_hash, key).await?,
            Pool::Postgres(pool) => self.append_postgres(pool, &content, &text, &content_hash, key).await?,
        };
        if let Some(stored_request) = replayed {
            if stored_request.as_deref() != key.map(|(_, request)| request) {
                return Err(JournalError::IdempotencyConflict);
            }
            let event = self.get(id).await?.ok_or(JournalError::NotFound(id))?;
            return Ok(Recorded { event, replayed: true });
        }
        Ok(Recorded { event: DecisionEvent { id, content, content_hash, prev_hash, hash }, replayed: false })
    }

    /// SQLite: the transaction takes the write lock at its start (`BEGIN IMMEDIATE`, waiting
    /// for another writer up to the busy timeout); the head row is moved, then the key is looked
    /// up, the event inserted and the head given its hash. Returns the id, the previous hash,
    /// the hash, and for a key already used, `Some(its request hash)`.
    async fn append_sqlite(
        &self,
        pool: &SqlitePool,
        content: &Content,
        text: &str,
        content_hash: &str,
        key: Option<(&str, &str)>,
    ) -> Result<(i64, String, String, Option<Option<String>>), JournalError> {
        let outcome: Result<_, sqlx::Error> = async {
            let mut transaction = pool.begin_with("BEGIN IMMEDIATE").await?;
            let (id, prev_hash): (i64, String) = sqlx::query_as(
                "UPDATE journal_head SET last_id = last_id + 1 WHERE id = 1 RETURNING last_id, last_hash",
            )
            .fetch_one(&mut *transaction)
            .await?;
            if let Some((key, _)) = key {
                let used: Option<(i64, Option<String>)> =
                    sqlx::query_as("SELECT id, request_hash FROM decisions WHERE idempotency_key = $1")
                        .bind(key)
                        .fetch_optional(&mut *transaction)
                        .await?;
                if let Some((used_id, request)) = used {
                    transaction.rollback().await?;
                    return Ok((used_id, String::new(), String::new(), Some(request)));
                }
            }
            let hash = chain_hash(&prev_hash, content_hash);
            let insert = sqlx::query(
                "INSERT INTO decisions (id, recorded_at, client_id, rm, final_decision, model_decision, overridden, \
                 reason_code, probability, model_version, content, content_hash, prev_hash, hash, idempotency_key, \
                 request_hash) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)",
            )
            .bind(id);
            bind_all!(insert, &content_binds(content, text, content_hash))
                .bind(&prev_hash)
                .bind(&hash)
                .bind(key.map(|(key, _)| key))
                .bind(key.map(|(_, request)| request))
                .execute(&mut *transaction)
                .await?;
            sqlx::query("UPDATE journal_head SET last_hash = $1 WHERE id = 1")
                .bind(&hash)
                .execute(&mut *transaction)
                .await?;
            transaction.commit().await?;
            Ok((id, prev_hash, hash, None))
        }
        .await;
        outcome.map_err(|error| self.failed(error))
    }

    /// PostgreSQL: one call of `journal_append`, its own transaction.
    async fn append_postgres(
        &self,
        pool: &PgPool,
        content: &Content,
        text: &str,
        content_hash: &str,
        key: Option<(&str, &str)>,
    ) -> Result<(i64, String, String, Option<Option<String>>), JournalError> {
        let call = sqlx::query_as(
            "SELECT o_id, o_prev_hash, o_hash, o_replayed, o_request_hash \
             FROM journal_append($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
        );
        let row: (i64, String, String, i64, Option<String>) =
            bind_all!(call, &content_binds(content, text, content_hash))
                .bind(key.map(|(key, _)| key))
                .bind(key.map(|(_, request)| request))
                .fetch_one(pool)
                .await
                .map_err(|error| self.failed(error))?;
        let (id, prev_hash, hash, replayed, request) = row;
        Ok((id, prev_hash, hash, (replayed != 0).then_some(request)))
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

    /// Recomputes the whole chain in order: every content hash, every link, every column
    /// against its content, no event missing, and the head at the last event. Stops at the
    /// first broken event.
    pub async fn verify(&self) -> Result<Verification, JournalError> {
        let sql = format!("SELECT {EVENT_COLUMNS} FROM decisions WHERE id > $1 ORDER BY id LIMIT $2");
        let mut previous_id = 0_i64;
        let mut previous_hash = super::GENESIS_HASH.to_string();
        let mut events = 0_u64;
        loop {
            let rows = self.rows(&sql, &[Bind::Int(previous_id), Bind::Int(VERIFY_BATCH)]).await?;
            if rows.is_empty() {
                break;
            }
            let problems: Vec<Option<String>> = rows.par_iter().map(StoredRow::problem).collect();
            for (row, problem) in rows.iter().zip(problems) {
                let broken =
                    |problem: String| Ok(Verification { events, broken: Some(Broken { id: row.id, problem }) });
                if row.id != previous_id + 1 {
                    let missing = previous_id + 1;
                    return Ok(Verification {
                        events,
                        broken: Some(Broken {
                            id: missing,
                            problem: format!("event {missing} is missing (the next one is {}; deleted?)", row.id),
                        }),
                    });
                }
                if let Some(problem) = problem {
                    return broken(problem);
                }
                if row.prev_hash != previous_hash {
                    return broken(format!("its previous hash does not match event {previous_id}'s hash"));
                }
                if chain_hash(&row.prev_hash, &row.content_hash) != row.hash {
                    return broken("its hash is not the hash of its previous hash and content hash".into());
                }
                previous_id = row.id;
                previous_hash.clone_from(&row.hash);
                events += 1;
            }
        }
        let head_sql = "SELECT last_id, last_hash FROM journal_head WHERE id = 1";
        let head: Option<(i64, String)> =
            on_pool!(&self.pool, pool => sqlx::query_as(head_sql).fetch_optional(pool).await)
                .map_err(|error| self.failed(error))?;
        match head {
            Some((last_id, last_hash)) if last_id == previous_id && last_hash == previous_hash => {
                Ok(Verification { events, broken: None })
            }
            Some((last_id, _)) if last_id > previous_id => Ok(Verification {
                events,
                broken: Some(Broken {
                    id: previous_id + 1,
                    problem: format!(
                        "the chain stops at event {previous_id} but {last_id} were recorded (events removed from the end?)"
                    ),
                }),
            }),
            _ => Ok(Verification {
                events,
                broken: Some(Broken {
                    id: previous_id,
                    problem: "the journal's head does not match its last event".into(),
                }),
            }),
        }
    }

    /// Closes the connections.
    pub async fn close(&self) {
        on_pool!(&self.pool, pool => pool.close().await);
    }

    fn failed(&self, error: sqlx::Error) -> JournalError {
        classify(&self.url.to_string(), error)
    }
}

/// A value bound to a query.
#[derive(Debug, Clone, PartialEq)]
enum Bind {
    Int(i64),
    Float(f64),
    Text(String),
    MaybeText(Option<String>),
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
    let format =
        time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:6]Z");
    time::OffsetDateTime::now_utc().format(&format).unwrap_or_default()
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
