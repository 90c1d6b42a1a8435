//! The stored rows as read: a decision's row and a follow-up's, their decoding into events,
//! and what is wrong with a row taken alone (its content against its hashes and columns).
//!
//! Uses: domain, and the journal's records.

use sqlx::Row;

use super::super::JournalError;
use super::super::case::{CaseContent, CaseEvent};
use super::super::record::{Content, DecisionColumns, DecisionEvent, sha256_hex};
use crate::domain::Decision;

/// The columns an event is read from.
pub(in crate::journal) const EVENT_COLUMNS: &str = "id, recorded_at, client_id, rm, final_decision, model_decision, overridden, reason_code, \
                             probability, model_version, content, content_hash, prev_hash, hash, columns_hash";

/// One stored row, as read.
pub(in crate::journal) struct StoredRow {
    pub(super) id: i64,
    pub(super) recorded_at: String,
    pub(super) client_id: i64,
    pub(super) rm: String,
    pub(super) final_decision: String,
    pub(super) model_decision: String,
    pub(super) overridden: i64,
    pub(super) reason_code: Option<String>,
    pub(super) probability: f64,
    pub(super) model_version: String,
    pub(super) content: String,
    pub(super) content_hash: String,
    pub(super) prev_hash: String,
    pub(super) hash: String,
    pub(super) columns_hash: Option<String>,
}

impl StoredRow {
    pub(in crate::journal) fn read<R: Row>(row: &R) -> Result<StoredRow, sqlx::Error>
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

    pub(in crate::journal) fn event(self) -> Result<DecisionEvent, JournalError> {
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
    pub(super) fn columns(&self) -> DecisionColumns<'_> {
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
    /// the server compares contents and content hashes, `verify::first_changed_content`): its content
    /// against its content hash, then its columns ([`StoredRow::columns_problem`]).
    pub(super) fn problem(&self) -> Option<String> {
        if sha256_hex(self.content.as_bytes()) != self.content_hash {
            return Some(CONTENT_CHANGED.into());
        }
        if self.columns_need_content() { self.columns_problem() } else { None }
    }

    /// Whether the columns must be read against the content: the event has no columns hash
    /// (recorded before schema 4), or its columns no longer have it.
    pub(super) fn columns_need_content(&self) -> bool {
        self.columns_hash.as_ref().is_none_or(|hash| *hash != self.columns().hash())
    }

    /// What is wrong with the columns of a row whose columns need its content: the column
    /// that says otherwise than the content, or the columns hash that was changed.
    pub(super) fn columns_problem(&self) -> Option<String> {
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
pub(super) const CONTENT_CHANGED: &str = "its content does not match its content hash (the content was changed)";

/// The columns a follow-up event is read from.
pub(in crate::journal) const CASE_COLUMNS: &str =
    "id, recorded_at, kind, decision_id, contest_id, outcome, actor, content, content_hash, prev_hash, hash";

/// One stored follow-up row, as read.
pub(in crate::journal) struct CaseRow {
    pub(in crate::journal) id: i64,
    pub(super) recorded_at: String,
    pub(super) kind: String,
    pub(super) decision_id: Option<i64>,
    pub(super) contest_id: Option<i64>,
    pub(super) outcome: Option<String>,
    pub(super) actor: String,
    pub(in crate::journal) content: String,
    pub(in crate::journal) content_hash: String,
    pub(in crate::journal) prev_hash: String,
    pub(in crate::journal) hash: String,
}

impl CaseRow {
    pub(in crate::journal) fn read<R: Row>(row: &R) -> Result<CaseRow, sqlx::Error>
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

    pub(in crate::journal) fn event(self) -> Result<CaseEvent, JournalError> {
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
    pub(in crate::journal) fn problem(&self) -> Option<String> {
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
