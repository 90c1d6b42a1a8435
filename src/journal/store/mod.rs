//! The journal's storage through sqlx: opening (and migrating) an SQLite or PostgreSQL
//! database, appending an event in one transaction, reading events back, and verifying the
//! chain. One file per job: [`open`] opens and migrates, [`rows`] decodes the stored rows,
//! [`append`] runs the group-commit writer, [`verify`] follows the chain, [`query`] builds the
//! listings' SQL; this file holds the handle, the backends' pool and the values bound to
//! queries, shared by all of them.
//!
//! Both backends share the SQL (SQLite reads `$1` parameters as PostgreSQL does). Appends go
//! through one writer per open journal, which writes the appends waiting in one transaction
//! (group commit); the transaction holds the chain's head: SQLite begins it with `BEGIN
//! IMMEDIATE`, which takes the database's write lock; PostgreSQL's `journal_append_batch`
//! locks the head row with `SELECT … FOR UPDATE`, so writers of several processes take their
//! turns. A group the database refuses is written again one append at a time, so that one
//! append it cannot take fails alone ([`Journal::record`]).
//!
//! The macros come first: the files below and the rest of the journal use them.
//!
//! Uses: domain, and the records of this module.

use std::sync::Arc;

use sqlx::postgres::PgPool;
use sqlx::sqlite::SqlitePool;

use super::record::DecisionEvent;
use super::{JournalError, JournalUrl, OverrideReasons};

/// An open connection pool of either backend.
#[derive(Clone)]
pub(super) enum Pool {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// Runs `$body` with the value a [`Bind`] holds bound to `$value` (its own type in each arm):
/// the one place a `Bind` is taken apart, for a query's `bind` and a query builder's
/// `push_bind` alike.
macro_rules! with_bind {
    ($bind:expr, $value:ident => $body:expr) => {
        match $bind {
            Bind::Int($value) => $body,
            Bind::Float($value) => $body,
            Bind::Text($value) => $body,
            Bind::MaybeText($value) => $body,
            Bind::MaybeInt($value) => $body,
        }
    };
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
            query = with_bind!(bind.clone(), value => query.bind(value));
        }
        query
    }};
}

mod append;
mod open;
mod query;
mod rows;
mod verify;

pub use open::SCHEMA_VERSION;
pub(super) use rows::{CASE_COLUMNS, CaseRow, EVENT_COLUMNS, StoredRow};

use append::AppendQueue;

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

/// A value bound to a query.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Bind {
    Int(i64),
    Float(f64),
    Text(String),
    MaybeText(Option<String>),
    MaybeInt(Option<i64>),
}

impl Journal {
    /// Closes the connections.
    pub async fn close(&self) {
        on_pool!(&self.pool, pool => pool.close().await);
    }

    pub(super) fn failed(&self, error: sqlx::Error) -> JournalError {
        classify(&self.url.to_string(), error)
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
