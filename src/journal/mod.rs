//! The decision journal: every decision a relationship manager records, append-only and
//! tamper-evident, on SQLite (one file, the default) or PostgreSQL (a team).
//!
//! A front end builds a [`DecisionDraft`] (the model's inputs, score, reasons and the RM's
//! decision) and hands it to [`Journal::record`]; the journal checks it ([`Content::check`]),
//! stamps the UTC time, and appends it in one transaction as the next event of a single hash
//! chain: each event carries the SHA-256 of its canonical content (a decision also that of the
//! columns it is listed by, [`DecisionColumns::hash`]) and the SHA-256 of the previous event's
//! hash followed by those ([`decision_hash`]). Rows are never updated or deleted
//! (triggers refuse it); [`Journal::verify`] recomputes the chain and names the first broken
//! event. Appends are serialised by the chain's head row, locked in each append's transaction,
//! so any number of `pad serve` processes can share one PostgreSQL database.
//!
//! What a person types (names, justifications, statements, filters) holds no NUL or control
//! character ([`check_chars`]), checked before any database is asked; user names are
//! normalised and a look-alike of another is refused ([`normalise_name`], [`skeleton`]).
//!
//! Queries are checked at run time (sqlx without its macros); the migrations live in
//! `migrations/` and are applied when a journal is opened; a database whose schema is newer
//! than this binary is refused.
//!
//! Uses: domain only (front ends call this module, never the reverse).

mod case;
mod people;
mod reasons;
mod record;
#[macro_use]
mod store;
pub mod evidence;
mod follow;
mod text;
mod url;

pub use case::{
    ANSWER_MONTHS, Case, CaseContent, CaseEvent, CaseState, Channel, Contest, ContestDraft, Correction, Outcome, Purge,
    Rescore, Review, ReviewDraft, UserChange, UserChangeKind, UserRow, answer_deadline, days_between,
};
pub use follow::{Access, DEFAULT_RETENTION_DAYS, MIN_RETENTION_DAYS, Purged, check_purge_date};
pub use people::{
    Capability, DEFAULT_SERVICE_NAME, DEFAULT_VALID_DAYS, Role, SignedIn, TOKEN_CHARS, TokenRefused, User, check_name,
    confusable_with, normalise_name, skeleton,
};
pub use reasons::{OverrideReason, OverrideReasons, Supports};
pub use record::{
    ChallengerScore, Content, DecisionColumns, DecisionDraft, DecisionEvent, GENESIS_HASH, MAX_NAME_CHARS,
    MAX_TEXT_CHARS, MIN_JUSTIFICATION_CHARS, Origin, RmDecision, ScoredFacts, ShownReason, chain_hash, decision_hash,
    inputs_of_record, sha256_hex, shown_reasons,
};
pub use store::{Broken, Cut, Journal, Recorded, SCHEMA_VERSION, Verification, now_utc, stamp};
pub use text::{TextKind, check_chars};
pub use url::{JournalUrl, default_sqlite_path};

use std::collections::HashMap;

use crate::domain::{ClientId, Decision};

/// Where recorded decisions contested since stand, by event id (a decision not in it was never
/// contested).
pub type CaseStates = HashMap<i64, CaseState>;

/// Errors of the journal, each saying what failed and what to do.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum JournalError {
    /// The URL is neither `sqlite://…` nor `postgres://…`.
    #[error("{0}")]
    Url(String),
    /// The database cannot be reached or opened.
    #[error("cannot reach the journal {url}: {message}")]
    Unreachable {
        /// The journal (password hidden).
        url: String,
        /// What went wrong.
        message: String,
    },
    /// The database refused the user name or password.
    #[error("the journal {url} refused the credentials: {message}")]
    Credentials {
        /// The journal (password hidden).
        url: String,
        /// The server's words.
        message: String,
    },
    /// The database was migrated by a newer `pad`.
    #[error(
        "the journal {url} has schema version {found}, newer than this pad's {supported}: use a pad that knows \
         version {found}"
    )]
    NewerSchema {
        /// The journal (password hidden).
        url: String,
        /// The database's schema version.
        found: i64,
        /// The newest version this binary knows.
        supported: i64,
    },
    /// A decision cannot be recorded as given.
    #[error("{field}: {message}")]
    Invalid {
        /// The field at fault.
        field: String,
        /// What is wrong and what to give instead.
        message: String,
    },
    /// An idempotency key already recorded another request.
    #[error("the idempotency key was already used for another request; use a new key for a new decision")]
    IdempotencyConflict,
    /// No event has this id.
    #[error("no decision {0} in the journal")]
    NotFound(i64),
    /// What was asked contradicts the journal's state (a review of an uncontested decision, by
    /// its decider, a second review of one contest, a duplicate user, a purge of an open
    /// contest).
    #[error("{0}")]
    Conflict(String),
    /// The author of a contest or a review is a user whose role may not do it (an auditor's
    /// contest, an RM's review), or a revoked user.
    #[error("{0}")]
    NotAllowed(String),
    /// No user has this name.
    #[error("no user named {0} (pad users list)")]
    UnknownUser(String),
    /// A stored event cannot be read back.
    #[error("event {id} cannot be read: {message}")]
    Corrupt {
        /// The event.
        id: i64,
        /// What is wrong with it.
        message: String,
    },
    /// The override reasons cannot be used.
    #[error("{0}")]
    Reasons(String),
    /// The database failed while working.
    #[error("the journal database failed: {0}")]
    Database(String),
    /// A journal reached through a `pad serve` failed.
    #[error("{0}")]
    Remote(String),
}

impl JournalError {
    /// Whether trying again later may succeed (the database or server was unreachable).
    pub fn is_transient(&self) -> bool {
        matches!(self, JournalError::Unreachable { .. } | JournalError::Database(_) | JournalError::Remote(_))
    }
}

/// Which events to list: every given condition must hold.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Filter {
    /// Only this client.
    pub client_id: Option<ClientId>,
    /// Only this RM.
    pub rm: Option<String>,
    /// Recorded at or after this UTC date or time (`2026-12-01`, `2026-12-01T10:00:00Z`).
    pub from: Option<String>,
    /// Recorded before this UTC date or time (a date alone means up to the end of that day).
    pub to: Option<String>,
    /// Only this final decision.
    pub decision: Option<Decision>,
    /// Only overrides (true) or only decisions as proposed (false).
    pub overridden: Option<bool>,
    /// Only decisions that stand so.
    pub state: Option<StateFilter>,
}

/// Where the decisions listed stand.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StateFilter {
    /// Never contested.
    Decided,
    /// A contest waits for its review.
    Contested,
    /// Reviewed (upheld or overturned), no contest open.
    Reviewed,
    /// Reviewed, the decision stands.
    Upheld,
    /// Reviewed, the decision was reversed.
    Overturned,
}

/// A page of a listing: events after `after` (by id, in the listing's order), at most `limit`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Page {
    /// The cursor: the last id of the previous page.
    pub after: Option<i64>,
    /// The most events returned.
    pub limit: usize,
    /// Newest first (ids decreasing) instead of oldest first.
    pub newest_first: bool,
}

/// Where a front end records decisions and reads a client's past ones: a journal in this
/// process, or one behind a `pad serve`. Blocking: call it off any UI task.
pub trait Recorder: Send + Sync {
    /// Records the decision; returns the event once committed.
    fn record(&self, draft: &DecisionDraft) -> Result<DecisionEvent, JournalError>;

    /// The client's decisions, newest first, at most `limit`.
    fn history(&self, client_id: ClientId, limit: usize) -> Result<Vec<DecisionEvent>, JournalError>;

    /// The ids of the client's decisions that stand in `state` now, newest first, at most
    /// `limit`.
    fn decisions_in_state(&self, client_id: ClientId, state: CaseState, limit: usize)
    -> Result<Vec<i64>, JournalError>;

    /// Where the client's latest `limit` decisions stand, for those contested, upheld or
    /// overturned since (a decision not in the map was never contested).
    fn states(&self, client_id: ClientId, limit: usize) -> Result<CaseStates, JournalError> {
        let mut states = HashMap::new();
        for state in [CaseState::Contested, CaseState::Upheld, CaseState::Overturned] {
            states.extend(self.decisions_in_state(client_id, state, limit)?.into_iter().map(|id| (id, state)));
        }
        Ok(states)
    }

    /// Where the journal is, for the status bar (a password is never shown).
    fn location(&self) -> String;

    /// Records a customer's contest of a decision.
    fn contest(&self, draft: &ContestDraft) -> Result<CaseEvent, JournalError>;

    /// The contests waiting for a review, oldest first, each decision with its follow-ups.
    fn open_contests(&self, limit: usize) -> Result<Vec<Case>, JournalError>;

    /// Records the review of a contested decision.
    fn review(&self, draft: &ReviewDraft) -> Result<CaseEvent, JournalError>;

    /// Who a server signed this front end in as (their name, none for a shared token, and
    /// their role); none for a journal in this process.
    fn signed_in(&self) -> Option<(Option<String>, String)> {
        None
    }
}

/// A [`Journal`] used from blocking code, on the runtime it was opened on.
pub struct LocalRecorder {
    journal: Journal,
    runtime: tokio::runtime::Handle,
}

impl LocalRecorder {
    /// The journal, driven on `runtime` (call the recorder off that runtime's async tasks).
    pub fn new(journal: Journal, runtime: tokio::runtime::Handle) -> LocalRecorder {
        LocalRecorder { journal, runtime }
    }
}

impl Recorder for LocalRecorder {
    fn record(&self, draft: &DecisionDraft) -> Result<DecisionEvent, JournalError> {
        self.runtime.block_on(self.journal.record(draft, None)).map(|recorded| recorded.event)
    }

    fn history(&self, client_id: ClientId, limit: usize) -> Result<Vec<DecisionEvent>, JournalError> {
        let filter = Filter { client_id: Some(client_id), ..Filter::default() };
        self.runtime.block_on(self.journal.list(&filter, Page { after: None, limit, newest_first: true }))
    }

    fn decisions_in_state(
        &self,
        client_id: ClientId,
        state: CaseState,
        limit: usize,
    ) -> Result<Vec<i64>, JournalError> {
        let state = match state {
            CaseState::Decided => StateFilter::Decided,
            CaseState::Contested => StateFilter::Contested,
            CaseState::Upheld => StateFilter::Upheld,
            CaseState::Overturned => StateFilter::Overturned,
        };
        let filter = Filter { client_id: Some(client_id), state: Some(state), ..Filter::default() };
        let page = Page { after: None, limit, newest_first: true };
        Ok(self.runtime.block_on(self.journal.list(&filter, page))?.into_iter().map(|event| event.id).collect())
    }

    fn location(&self) -> String {
        self.journal.url().to_string()
    }

    fn open_contests(&self, limit: usize) -> Result<Vec<Case>, JournalError> {
        self.runtime.block_on(self.journal.open_contests(limit))
    }

    fn contest(&self, draft: &ContestDraft) -> Result<CaseEvent, JournalError> {
        self.runtime.block_on(self.journal.contest(draft))
    }

    fn review(&self, draft: &ReviewDraft) -> Result<CaseEvent, JournalError> {
        self.runtime.block_on(self.journal.review(draft))
    }
}
