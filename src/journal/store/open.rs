//! Opening a journal: connecting to SQLite or PostgreSQL, applying the migrations the
//! database lacks (refusing a newer schema), and the handle's settings (clock, URL, reasons).
//!
//! Uses: the journal's records and errors, and the store's pool and handle.

use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};

use super::super::{JournalError, JournalUrl, OverrideReasons};
use super::{Journal, Pool, classify, now_utc, root_cause, stamp};

/// The schema version this binary writes: the number of its migrations.
pub const SCHEMA_VERSION: i64 = 5;

/// The migrations of each backend, in order: `(version, SQL)`.
const SQLITE_MIGRATIONS: &[(i64, &str)] = &[
    (1, include_str!("../../../migrations/sqlite/0001_decisions.sql")),
    (2, include_str!("../../../migrations/sqlite/0002_append_batch.sql")),
    (3, include_str!("../../../migrations/sqlite/0003_people.sql")),
    (4, include_str!("../../../migrations/sqlite/0004_columns_in_chain.sql")),
    (5, include_str!("../../../migrations/sqlite/0005_merkle_tree.sql")),
];
const POSTGRES_MIGRATIONS: &[(i64, &str)] = &[
    (1, include_str!("../../../migrations/postgres/0001_decisions.sql")),
    (2, include_str!("../../../migrations/postgres/0002_append_batch.sql")),
    (3, include_str!("../../../migrations/postgres/0003_people.sql")),
    (4, include_str!("../../../migrations/postgres/0004_columns_in_chain.sql")),
    (5, include_str!("../../../migrations/postgres/0005_merkle_tree.sql")),
];

/// The schema that added users, and the one from which their changes are events of the chain.
const USERS_SCHEMA: i64 = 3;
const USER_CHANGES_SCHEMA: i64 = 5;

/// The advisory lock key taken while migrating a PostgreSQL journal ("pad" in ASCII), so
/// that servers starting together migrate one after the other.
const MIGRATION_LOCK: i64 = 0x706164;

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
}
