//! The journal's storage of what follows decisions (contests, reviews, purges), of its users
//! and of the access log.
//!
//! A contest or a review is appended in a transaction of its own that holds the chain's head
//! (SQLite: `BEGIN IMMEDIATE`; PostgreSQL: the head row `FOR UPDATE`) while it reads the
//! decision's case and checks the state machine, so that two reviewers on two servers cannot
//! both answer one contest; its author, when a user of the journal, must hold a role that may
//! record it (an auditor contests nothing, an RM reviews nothing), whoever asks. Users are
//! stored under normalised names, and a name that reads like another is refused
//! ([`Journal::add_user`]). A purge removes the oldest events, a prefix of the chain, and
//! appends an event naming the last one removed and its hash, from which `verify` goes on.
//!
//! Uses: domain, and the records of this module.

use std::collections::BTreeMap;

use super::case::{
    Case, CaseContent, CaseEvent, ContestDraft, Purge, ReviewDraft, UserChange, UserChangeKind, UserRow, check_contest,
    check_review,
};
use super::people::{
    Capability, DEFAULT_SERVICE_NAME, Role, SignedIn, TokenRefused, User, check_name, check_token_form,
    confusable_with, new_token, normalise_name,
};
use super::record::{chain_hash, sha256_hex};
use super::store::{Bind, CASE_COLUMNS, CaseRow, EVENT_COLUMNS, Pool, StoredRow, stamp};
use super::text::{TextKind, check_chars};
use super::{Journal, JournalError};

/// The shortest retention allowed, in days: the six months the EU AI Act (art. 19 and
/// 26(6)) asks logs of a high-risk system to be kept, at least.
pub const MIN_RETENTION_DAYS: u32 = 183;
/// The retention by default, in days: six months and a margin.
pub const DEFAULT_RETENTION_DAYS: u32 = 190;

/// What a purge did.
#[derive(Debug, Clone, PartialEq)]
pub struct Purged {
    /// The purge event appended, when anything was removed.
    pub event: Option<CaseEvent>,
    /// Events removed.
    pub removed_events: u64,
    /// Decisions among them.
    pub removed_decisions: u64,
    /// Access-log entries removed.
    pub removed_accesses: u64,
}

/// One read of a client's data or decisions through the API.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Access {
    /// The entry's number.
    pub id: i64,
    /// When (UTC).
    pub at: String,
    /// Who.
    pub user: String,
    /// With which role.
    pub role: String,
    /// What: the method and path read.
    pub action: String,
    /// The client read, when one was.
    pub client_id: Option<i64>,
    /// The decision read, when one was.
    pub decision_id: Option<i64>,
}

/// A follow-up to append in a transaction that holds the head.
enum FollowUp<'a> {
    Contest(&'a ContestDraft),
    Review(&'a ReviewDraft),
}

impl FollowUp<'_> {
    /// Who records it.
    fn author(&self) -> &str {
        match self {
            FollowUp::Contest(draft) => &draft.by,
            FollowUp::Review(draft) => &draft.by,
        }
    }

    /// What its author must be allowed to do.
    fn capability(&self) -> Capability {
        match self {
            FollowUp::Contest(_) => Capability::Record,
            FollowUp::Review(_) => Capability::Review,
        }
    }
}

/// Why the author of `step`, a user of the journal with `role` (revoked at `revoked_at`, if
/// so), may not record it; none when they may. An author who is no user (the service account,
/// a name given on the command line of a journal without users) is not checked here.
fn author_refused(step: &FollowUp<'_>, name: &str, role: &str, revoked_at: Option<&str>) -> Option<JournalError> {
    let what = match step {
        FollowUp::Contest(_) => "record a contest",
        FollowUp::Review(_) => "review a contested decision",
    };
    if let Some(at) = revoked_at {
        return Some(JournalError::NotAllowed(format!("by: {name} was revoked on {at} and can no longer {what}")));
    }
    let capability = step.capability();
    match Role::parse(role) {
        Ok(role) if role.can(capability) => None,
        Ok(role) => Some(JournalError::NotAllowed(format!(
            "by: {name} is {} {role}, who cannot {what}: that needs the role {}",
            if role == Role::Reviewer { "a" } else { "an" },
            Role::needed_for(capability)
        ))),
        Err(error) => Some(error),
    }
}

/// The SQL to read the head in a transaction that holds it.
fn head_sql(pool: &Pool) -> &'static str {
    match pool {
        Pool::Sqlite(_) => "SELECT last_id, last_hash FROM journal_head WHERE id = 1",
        Pool::Postgres(_) => "SELECT last_id, last_hash FROM journal_head WHERE id = 1 FOR UPDATE",
    }
}

fn begin_sql(pool: &Pool) -> &'static str {
    match pool {
        Pool::Sqlite(_) => "BEGIN IMMEDIATE",
        Pool::Postgres(_) => "BEGIN",
    }
}

/// Runs `$body` in a transaction `$tx` of either backend; the body evaluates to
/// `Result<Result<T, JournalError>, sqlx::Error>` and commits only on `Ok(Ok(_))`.
macro_rules! in_transaction {
    ($journal:expr, $tx:ident => $body:expr) => {{
        let begin = begin_sql(&$journal.pool);
        let outcome = on_pool!(&$journal.pool, pool => async {
            let mut $tx = pool.begin_with(begin).await?;
            let result = $body;
            match result {
                Ok(Ok(value)) => {
                    $tx.commit().await?;
                    Ok(Ok(value))
                }
                other => other,
            }
        }.await);
        outcome.map_err(|error: sqlx::Error| $journal.failed(error))?
    }};
}

/// Reads a decision and its follow-ups in a transaction (`None` when no such decision).
macro_rules! read_case {
    ($tx:ident, $id:expr) => {{
        let sql = format!("SELECT {EVENT_COLUMNS} FROM decisions WHERE id = $1");
        let rows = sqlx::query(&sql).bind($id).fetch_all(&mut *$tx).await?;
        match rows.first() {
            None => None,
            Some(row) => {
                let decision = StoredRow::read(row)?;
                let sql = format!("SELECT {CASE_COLUMNS} FROM case_events WHERE decision_id = $1 ORDER BY id");
                let rows = sqlx::query(&sql).bind($id).fetch_all(&mut *$tx).await?;
                let events = rows.iter().map(CaseRow::read).collect::<Result<Vec<_>, _>>()?;
                Some((decision, events))
            }
        }
    }};
}

/// Appends `$content` (a [`CaseContent`]) after the head (`$last_id`, `$last_hash`) in the
/// transaction `$tx` and moves the head; evaluates to `Result<CaseEvent, JournalError>`, and
/// returns a database error from the enclosing block.
macro_rules! append_case {
    ($tx:ident, $content:expr, $last_id:expr, $last_hash:expr) => {{
        let content: CaseContent = $content;
        match content.canonical() {
            Err(error) => Err(error),
            Ok(text) => {
                let content_hash = sha256_hex(text.as_bytes());
                let (id, prev_hash) = ($last_id + 1, $last_hash);
                let hash = chain_hash(&prev_hash, &content_hash);
                bind_all!(sqlx::query(INSERT_CASE), &case_binds(id, &content, &text, &content_hash, &prev_hash, &hash))
                    .execute(&mut *$tx)
                    .await?;
                sqlx::query(MOVE_HEAD).bind(id).bind(&hash).execute(&mut *$tx).await?;
                Ok(CaseEvent { id, content, content_hash, prev_hash, hash })
            }
        }
    }};
}

/// A case from its rows.
fn case_of((decision, events): (StoredRow, Vec<CaseRow>)) -> Result<Case, JournalError> {
    Ok(Case {
        decision: decision.event()?,
        events: events.into_iter().map(CaseRow::event).collect::<Result<Vec<_>, _>>()?,
    })
}

/// The content of a follow-up, checked against the case's state.
fn follow_up_content(step: &FollowUp<'_>, case: &Case, recorded_at: String) -> Result<CaseContent, JournalError> {
    let id = case.decision.id;
    match step {
        FollowUp::Contest(draft) => {
            if let Some((event, contest)) = case.open_contest() {
                return Err(JournalError::Conflict(format!(
                    "decision {id} already has an open contest (event {}, recorded {} by {}): review it first",
                    event.id, contest.recorded_at, contest.by
                )));
            }
            Ok(CaseContent::Contest(check_contest(draft, &case.decision, recorded_at)?))
        }
        FollowUp::Review(draft) => {
            let Some((event, _)) = case.open_contest() else {
                let message = match case.events.iter().rev().find_map(|event| match &event.content {
                    CaseContent::Review(review) => Some((event.id, review)),
                    _ => None,
                }) {
                    Some((review_id, review)) => format!(
                        "the contest of decision {id} was already reviewed (event {review_id}, {} by {} on {}); a \
                         new review needs a new contest",
                        review.outcome.as_str(),
                        review.by,
                        review.recorded_at
                    ),
                    None => format!("decision {id} is not contested: record the customer's contest first"),
                };
                return Err(JournalError::Conflict(message));
            };
            // The same person in another case or Unicode form is the same person.
            if normalise_name(&draft.by) == normalise_name(&case.decision.content.rm) {
                return Err(JournalError::Conflict(format!(
                    "{} decided decision {id}: a contested decision is reviewed by someone else",
                    case.decision.content.rm
                )));
            }
            Ok(CaseContent::Review(check_review(draft, case, event.id, recorded_at)?))
        }
    }
}

/// Binds a follow-up row's values, in the order of [`CASE_COLUMNS`].
fn case_binds(id: i64, content: &CaseContent, text: &str, content_hash: &str, prev: &str, hash: &str) -> Vec<Bind> {
    let columns = content.columns();
    vec![
        Bind::Int(id),
        Bind::Text(columns.recorded_at),
        Bind::Text(columns.kind.to_string()),
        Bind::MaybeInt(columns.decision_id),
        Bind::MaybeInt(columns.contest_id),
        Bind::MaybeText(columns.outcome.map(str::to_string)),
        Bind::Text(columns.actor),
        Bind::Text(text.to_string()),
        Bind::Text(content_hash.to_string()),
        Bind::Text(prev.to_string()),
        Bind::Text(hash.to_string()),
    ]
}

const INSERT_CASE: &str = "INSERT INTO case_events (id, recorded_at, kind, decision_id, contest_id, outcome, actor, \
                           content, content_hash, prev_hash, hash) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)";
const MOVE_HEAD: &str = "UPDATE journal_head SET last_id = $1, last_hash = $2 WHERE id = 1";
/// A user's row, as a user change records it (`$1` the name).
const USER_ROW: &str = "SELECT name, role, token_hash, created_at, expires_at, revoked_at FROM users WHERE name = $1";
/// Every user's row (conditions and order to add).
const USER_ROWS: &str = "SELECT name, role, token_hash, created_at, expires_at, revoked_at FROM users";

/// The checked date before which a purge removes history: a `YYYY-MM-DD` date, not in the
/// future, at least `retention_days` before `today`.
pub fn check_purge_date(before: &str, retention_days: u32, today: time::Date) -> Result<time::Date, JournalError> {
    let invalid = |field: &str, message: String| JournalError::Invalid { field: field.into(), message };
    if retention_days < MIN_RETENTION_DAYS {
        return Err(invalid(
            "retention_days",
            format!(
                "the journal keeps decisions at least {MIN_RETENTION_DAYS} days (six months, EU AI Act art. 19 and \
                 26(6)); {retention_days} is too short"
            ),
        ));
    }
    let date = super::case::date_of(before.trim()).filter(|_| before.trim().len() == 10).ok_or_else(|| {
        invalid(
            "before",
            format!("`{}` is not a date: write 2026-06-01", crate::domain::format::quote_external(before, 40)),
        )
    })?;
    if date > today {
        return Err(invalid("before", format!("{date} is in the future (today is {today})")));
    }
    let latest = today - time::Duration::days(i64::from(retention_days));
    if date > latest {
        return Err(invalid(
            "before",
            format!(
                "the retention keeps {retention_days} days: history can be purged before {latest} at the latest, \
                 not before {date}"
            ),
        ));
    }
    Ok(date)
}

impl Journal {
    /// Records a customer's contest of a decision; refused (conflict) while another contest of
    /// it waits for its review.
    pub async fn contest(&self, draft: &ContestDraft) -> Result<CaseEvent, JournalError> {
        draft.check_texts()?;
        self.follow_up(FollowUp::Contest(draft), draft.decision_id).await
    }

    /// Records the review of a decision's open contest; refused (conflict) when the decision is
    /// not contested, its contest was reviewed, or the reviewer decided it.
    pub async fn review(&self, draft: &ReviewDraft) -> Result<CaseEvent, JournalError> {
        draft.check_texts()?;
        self.follow_up(FollowUp::Review(draft), draft.decision_id).await
    }

    /// Appends a contest or a review. Its author, when a user of the journal, must hold a role
    /// that may record it and not be revoked ([`JournalError::NotAllowed`]), whoever asks.
    async fn follow_up(&self, step: FollowUp<'_>, decision_id: i64) -> Result<CaseEvent, JournalError> {
        let head = head_sql(&self.pool);
        let author = normalise_name(step.author());
        // A user added before names were normalised is found under their name as stored.
        let as_given = step.author().trim().to_string();
        in_transaction!(self, transaction => async {
            let (last_id, last_hash): (i64, String) = sqlx::query_as(head).fetch_one(&mut *transaction).await?;
            let user: Option<(String, Option<String>)> =
                sqlx::query_as("SELECT role, revoked_at FROM users WHERE name = $1 OR name = $2 ORDER BY name LIMIT 1")
                    .bind(&author)
                    .bind(&as_given)
                    .fetch_optional(&mut *transaction)
                    .await?;
            if let Some((role, revoked_at)) = user
                && let Some(refused) = author_refused(&step, &author, &role, revoked_at.as_deref())
            {
                return Ok(Err(refused));
            }
            let Some(rows) = read_case!(transaction, decision_id) else {
                return Ok(Err(JournalError::NotFound(decision_id)));
            };
            let case = match case_of(rows) {
                Ok(case) => case,
                Err(error) => return Ok(Err(error)),
            };
            let content = match follow_up_content(&step, &case, self.now()) {
                Ok(content) => content,
                Err(error) => return Ok(Err(error)),
            };
            Ok(append_case!(transaction, content, last_id, last_hash))
        }
        .await)
    }

    /// A decision with its contests and reviews.
    pub async fn case(&self, decision_id: i64) -> Result<Case, JournalError> {
        let rows = in_transaction!(self, transaction => async {
            Ok::<_, sqlx::Error>(Ok::<_, JournalError>(read_case!(transaction, decision_id)))
        }
        .await);
        case_of(rows?.ok_or(JournalError::NotFound(decision_id))?)
    }

    /// The contests waiting for a review, oldest first: each decision's case.
    pub async fn open_contests(&self, limit: usize) -> Result<Vec<Case>, JournalError> {
        let sql = "SELECT c.decision_id FROM case_events c WHERE c.kind = 'contest' AND NOT EXISTS \
                   (SELECT 1 FROM case_events r WHERE r.kind = 'review' AND r.contest_id = c.id) ORDER BY c.id LIMIT $1";
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let ids: Vec<i64> = on_pool!(&self.pool, pool => sqlx::query_scalar(sql).bind(limit).fetch_all(pool).await)
            .map_err(|error| self.failed(error))?;
        let mut cases = Vec::with_capacity(ids.len());
        for id in ids {
            cases.push(self.case(id).await?);
        }
        Ok(cases)
    }

    /// Removes the history recorded before the date `before` (`YYYY-MM-DD`, see
    /// [`check_purge_date`]): the oldest events, a prefix of the chain, as far as they are
    /// whole decisions (a decision whose follow-ups are recorded after the date stays, with
    /// everything after it); and the access log of the same period. Refused, nothing removed,
    /// when a decision to remove has an open contest. Appends a purge event naming the last
    /// event removed and its hash, from which `verify` goes on.
    pub async fn purge(&self, before: &str, retention_days: u32, by: &str) -> Result<Purged, JournalError> {
        let before = check_purge_date(before, retention_days, self.now_time().date())?;
        let by = check_name(by).map_err(|error| match error {
            JournalError::Invalid { message, .. } => JournalError::Invalid { field: "by".into(), message },
            other => other,
        })?;
        let bound = before.to_string();
        // The tree keeps, as nodes, what the purged events were (hashes only): extended first.
        self.extend_tree().await?;
        self.extend_access_tree().await?;
        let head = head_sql(&self.pool);
        in_transaction!(self, transaction => async {
            let (last_id, last_hash): (i64, String) = sqlx::query_as(head).fetch_one(&mut *transaction).await?;
            let first: Option<i64> = sqlx::query_scalar(
                "SELECT MIN(id) FROM (SELECT MIN(id) AS id FROM decisions UNION ALL SELECT MIN(id) AS id FROM case_events) AS f",
            )
            .fetch_one(&mut *transaction)
            .await?;
            let newer: Option<i64> = sqlx::query_scalar(
                "SELECT MIN(id) FROM (SELECT MIN(id) AS id FROM decisions WHERE recorded_at >= $1 \
                 UNION ALL SELECT MIN(id) AS id FROM case_events WHERE recorded_at >= $2) AS n",
            )
            .bind(&bound)
            .bind(&bound)
            .fetch_one(&mut *transaction)
            .await?;
            let mut cut = newer.map_or(last_id, |id| id - 1);
            // Whole decisions only: a decision followed up after the cut stays, and the cut
            // moves before it.
            loop {
                let split: Option<i64> = sqlx::query_scalar(
                    "SELECT MIN(decision_id) FROM case_events WHERE id > $1 AND decision_id <= $2",
                )
                .bind(cut)
                .bind(cut)
                .fetch_one(&mut *transaction)
                .await?;
                match split {
                    Some(decision) => cut = decision - 1,
                    None => break,
                }
            }
            // The access log's oldest entries, a prefix of its tree (those not yet in it stay):
            // up to the first place recorded since the date.
            let access_cut: i64 = sqlx::query_scalar(
                "SELECT COALESCE((SELECT MIN(leaf) FROM access_log WHERE at >= $1), \
                 (SELECT size FROM access_tree_size WHERE id = 1))",
            )
            .bind(&bound)
            .fetch_one(&mut *transaction)
            .await?;
            let Some(first) = first else {
                // No event at all: nothing a purge event could follow.
                return Ok(Ok(Purged { event: None, removed_events: 0, removed_decisions: 0, removed_accesses: 0 }));
            };
            let old_accesses: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM access_log WHERE leaf < $1")
                .bind(access_cut)
                .fetch_one(&mut *transaction)
                .await?;
            if first > cut {
                if old_accesses == 0 {
                    return Ok(Ok(Purged { event: None, removed_events: 0, removed_decisions: 0, removed_accesses: 0 }));
                }
                // Only access-log entries to remove: the purge event records where the log
                // was cut, after the events purged before (if any).
                cut = first - 1;
            }
            sqlx::query("INSERT INTO journal_purge_permit (id) VALUES (1)").execute(&mut *transaction).await?;
            let accesses =
                sqlx::query("DELETE FROM access_log WHERE leaf < $1").bind(access_cut).execute(&mut *transaction).await?;
            sqlx::query("DELETE FROM journal_purge_permit").execute(&mut *transaction).await?;
            let removed_accesses = accesses.rows_affected();
            let open: Option<(i64, i64, String)> = sqlx::query_as(
                "SELECT c.decision_id, c.id, c.recorded_at FROM case_events c WHERE c.kind = 'contest' AND c.id <= $1 \
                 AND NOT EXISTS (SELECT 1 FROM case_events r WHERE r.kind = 'review' AND r.contest_id = c.id) \
                 ORDER BY c.id LIMIT 1",
            )
            .bind(cut)
            .fetch_optional(&mut *transaction)
            .await?;
            if let Some((decision, contest, at)) = open {
                return Ok(Err(JournalError::Conflict(format!(
                    "decision {} has an open contest (event {contest}, recorded {at}): it cannot be purged before \
                     its review; nothing was removed",
                    decision
                ))));
            }
            let covered: i64 = sqlx::query_scalar("SELECT size FROM journal_tree_size WHERE id = 1")
                .fetch_optional(&mut *transaction)
                .await?
                .unwrap_or_default();
            if covered < cut {
                return Ok(Err(JournalError::Conflict(format!(
                    "the journal's tree covers events 1 to {covered} only, and the purge would remove up to event                      {cut}: try again (nothing was removed)"
                ))));
            }
            // The hash of the last event removed: its own, or (when it was purged before) the
            // previous hash of the first event left.
            let last_removed_hash: String = sqlx::query_scalar(
                "SELECT hash FROM (SELECT 1 AS k, hash FROM decisions WHERE id = $1 UNION ALL \
                 SELECT 1 AS k, hash FROM case_events WHERE id = $2 UNION ALL \
                 SELECT 2 AS k, prev_hash AS hash FROM decisions WHERE id = $3 UNION ALL \
                 SELECT 2 AS k, prev_hash AS hash FROM case_events WHERE id = $4) AS h ORDER BY k LIMIT 1",
            )
            .bind(cut)
            .bind(cut)
            .bind(cut + 1)
            .bind(cut + 1)
            .fetch_one(&mut *transaction)
            .await?;
            // The users as the events removed leave them: the last purge's record, then the
            // user changes since, up to the cut.
            let kept: Vec<(i64, String)> = sqlx::query_as(
                "SELECT id, content FROM case_events WHERE kind IN ('purge', 'user') AND id <= $1 ORDER BY id",
            )
            .bind(cut)
            .fetch_all(&mut *transaction)
            .await?;
            let contents: Vec<Option<CaseContent>> =
                kept.iter().map(|(_, content)| serde_json::from_str(content).ok()).collect();
            let mut users: BTreeMap<String, UserRow> = BTreeMap::new();
            let mut since = 0;
            if let Some(purge) = contents.iter().rev().find_map(|content| match content {
                Some(CaseContent::Purge(purge)) => Some(purge),
                _ => None,
            }) {
                users.extend(purge.users.iter().map(|user| (user.name.clone(), user.clone())));
                since = purge.last_removed_id;
            }
            for ((id, _), content) in kept.iter().zip(&contents) {
                if let (true, Some(CaseContent::User(change))) = (*id > since, content) {
                    users.insert(change.user.name.clone(), change.user.clone());
                }
            }
            sqlx::query("INSERT INTO journal_purge_permit (id) VALUES (1)").execute(&mut *transaction).await?;
            let decisions = sqlx::query("DELETE FROM decisions WHERE id <= $1").bind(cut).execute(&mut *transaction).await?;
            let follow_ups = sqlx::query("DELETE FROM case_events WHERE id <= $1").bind(cut).execute(&mut *transaction).await?;
            sqlx::query("DELETE FROM journal_purge_permit").execute(&mut *transaction).await?;
            let removed_decisions = decisions.rows_affected();
            let removed_events = removed_decisions + follow_ups.rows_affected();
            let content = CaseContent::Purge(Purge {
                recorded_at: self.now(),
                by: by.clone(),
                before: bound.clone(),
                retention_days,
                removed_events,
                removed_decisions,
                last_removed_id: cut,
                last_removed_hash,
                users: users.into_values().collect(),
                access_cut: u64::try_from(access_cut).unwrap_or_default(),
            });
            let appended = append_case!(transaction, content, last_id, last_hash);
            Ok(appended.map(|event| Purged { event: Some(event), removed_events, removed_decisions, removed_accesses }))
        }
        .await)
    }

    /// The purge events, oldest first: `(event id, content)`.
    pub(super) async fn purges(&self) -> Result<Vec<(i64, Purge)>, JournalError> {
        let sql = "SELECT id, content FROM case_events WHERE kind = 'purge' ORDER BY id";
        let rows: Vec<(i64, String)> = on_pool!(&self.pool, pool => sqlx::query_as(sql).fetch_all(pool).await)
            .map_err(|error| self.failed(error))?;
        Ok(rows
            .into_iter()
            .filter_map(|(id, content)| match serde_json::from_str(&content) {
                Ok(CaseContent::Purge(purge)) => Some((id, purge)),
                _ => None,
            })
            .collect())
    }

    /// Adds a user with a fresh token, valid `valid_days` days; returns the user and the
    /// token, which is not kept (only its hash is). The change is an event of the chain,
    /// appended in the same transaction.
    ///
    /// The name is normalised ([`check_name`]: `RM1` is `rm1`); a name that exists already, or
    /// that can be mistaken for an existing one ([`confusable_with`]: `аdm1` with a Cyrillic
    /// `а` beside `adm1`), or for the service account's default name, is refused
    /// ([`JournalError::Conflict`], naming it).
    pub async fn add_user(&self, name: &str, role: Role, valid_days: u32) -> Result<(User, String), JournalError> {
        let name = check_name(name)?;
        if valid_days == 0 {
            return Err(JournalError::Invalid { field: "valid_days".into(), message: "at least 1 day".into() });
        }
        if name == DEFAULT_SERVICE_NAME || confusable_with(&name, [DEFAULT_SERVICE_NAME]).is_some() {
            return Err(JournalError::Conflict(format!(
                "{name} is the name of the service account (PAD_API_TOKEN, pad serve --service-name): give the \
                 person another name"
            )));
        }
        let users = self.users().await?;
        if let Some(existing) = confusable_with(&name, users.iter().map(|user| user.name.as_str())) {
            return Err(JournalError::Conflict(format!(
                "{name} can be mistaken for the user {existing} (their letters look alike: Unicode TR39 \
                 confusables); give the person a name that reads differently"
            )));
        }
        let token = new_token();
        let user = User {
            name: name.clone(),
            role,
            created_at: self.now(),
            expires_at: stamp(self.now_time() + time::Duration::days(i64::from(valid_days))),
            revoked_at: None,
        };
        let row = UserRow {
            name: user.name.clone(),
            role: role.as_str().to_string(),
            token_hash: sha256_hex(token.as_bytes()),
            created_at: user.created_at.clone(),
            expires_at: user.expires_at.clone(),
            revoked_at: None,
        };
        let sql = "INSERT INTO users (name, role, token_hash, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)";
        let head = head_sql(&self.pool);
        in_transaction!(self, transaction => async {
            let (last_id, last_hash): (i64, String) = sqlx::query_as(head).fetch_one(&mut *transaction).await?;
            let inserted = sqlx::query(sql)
                .bind(&row.name)
                .bind(&row.role)
                .bind(&row.token_hash)
                .bind(&row.created_at)
                .bind(&row.expires_at)
                .execute(&mut *transaction)
                .await;
            match inserted {
                Err(sqlx::Error::Database(error)) if error.is_unique_violation() => {
                    return Ok(Err(JournalError::Conflict(format!(
                        "a user named {name} exists already (pad users list); a revoked user keeps their name in the \
                         journal"
                    ))));
                }
                other => other?,
            };
            let change = UserChange { recorded_at: user.created_at.clone(), change: UserChangeKind::Added, user: row };
            let appended = append_case!(transaction, CaseContent::User(change), last_id, last_hash);
            Ok(appended.map(|_| (user, token)))
        }
        .await)
    }

    /// Every user, by name.
    pub async fn users(&self) -> Result<Vec<User>, JournalError> {
        let sql = "SELECT name, role, created_at, expires_at, revoked_at FROM users ORDER BY name";
        let rows: Vec<(String, String, String, String, Option<String>)> =
            on_pool!(&self.pool, pool => sqlx::query_as(sql).fetch_all(pool).await)
                .map_err(|error| self.failed(error))?;
        rows.into_iter()
            .map(|(name, role, created_at, expires_at, revoked_at)| {
                Ok(User { name, role: Role::parse(&role)?, created_at, expires_at, revoked_at })
            })
            .collect()
    }

    /// Revokes a user's token: refused from the next request of every server. The change is
    /// an event of the chain.
    pub async fn revoke_user(&self, name: &str) -> Result<User, JournalError> {
        let name = check_name(name)?;
        let sql = "UPDATE users SET revoked_at = $1 WHERE name = $2 AND revoked_at IS NULL";
        self.change_user(&name, UserChangeKind::Revoked, sql, vec![Bind::Text(self.now()), Bind::Text(name.clone())])
            .await
            .map(|(user, _)| user)
    }

    /// Gives a user a fresh token valid `valid_days` days (the old one stops working); refused
    /// for a revoked user. The change is an event of the chain.
    pub async fn renew_token(&self, name: &str, valid_days: u32) -> Result<(User, String), JournalError> {
        let name = check_name(name)?;
        let token = new_token();
        let sql = "UPDATE users SET token_hash = $1, expires_at = $2 WHERE name = $3 AND revoked_at IS NULL";
        let binds = vec![
            Bind::Text(sha256_hex(token.as_bytes())),
            Bind::Text(stamp(self.now_time() + time::Duration::days(i64::from(valid_days.max(1))))),
            Bind::Text(name.clone()),
        ];
        self.change_user(&name, UserChangeKind::Token, sql, binds).await.map(|(user, _)| (user, token))
    }

    /// Runs `sql` (an update of user `name` that touches no row when it may not be done) and
    /// appends the user's row after it as a `change` event, in one transaction holding the
    /// head.
    async fn change_user(
        &self,
        name: &str,
        change: UserChangeKind,
        sql: &str,
        binds: Vec<Bind>,
    ) -> Result<(User, UserRow), JournalError> {
        let head = head_sql(&self.pool);
        let recorded_at = self.now();
        in_transaction!(self, transaction => async {
            let (last_id, last_hash): (i64, String) = sqlx::query_as(head).fetch_one(&mut *transaction).await?;
            let done = bind_all!(sqlx::query(sql), &binds).execute(&mut *transaction).await?.rows_affected();
            let row: Option<(String, String, String, String, String, Option<String>)> = sqlx::query_as(USER_ROW)
                .bind(name)
                .fetch_optional(&mut *transaction)
                .await?;
            let Some((name, role, token_hash, created_at, expires_at, revoked_at)) = row else {
                return Ok(Err(JournalError::UnknownUser(name.to_string())));
            };
            if done == 0 {
                let message = match change {
                    UserChangeKind::Revoked => format!("{name} was already revoked on {}", revoked_at.unwrap_or_default()),
                    _ => format!("{name} was revoked: add the person under a new name"),
                };
                return Ok(Err(JournalError::Conflict(message)));
            }
            let user = match Role::parse(&role) {
                Ok(parsed) => User {
                    name: name.clone(),
                    role: parsed,
                    created_at: created_at.clone(),
                    expires_at: expires_at.clone(),
                    revoked_at: revoked_at.clone(),
                },
                Err(error) => return Ok(Err(error)),
            };
            let row = UserRow { name, role, token_hash, created_at, expires_at, revoked_at };
            let content = CaseContent::User(UserChange { recorded_at: recorded_at.clone(), change, user: row.clone() });
            let appended = append_case!(transaction, content, last_id, last_hash);
            Ok(appended.map(|_| (user, row)))
        }
        .await)
    }

    /// Appends an `adopted` user change for every user the chain has no change of (users
    /// added before user changes joined the chain): run once, when the journal is migrated to
    /// the schema that records them.
    pub(super) async fn adopt_users(&self) -> Result<u64, JournalError> {
        let head = head_sql(&self.pool);
        let recorded_at = self.now();
        in_transaction!(self, transaction => async {
            let (mut last_id, mut last_hash): (i64, String) = sqlx::query_as(head).fetch_one(&mut *transaction).await?;
            let sql = format!("{USER_ROWS} WHERE name NOT IN (SELECT actor FROM case_events WHERE kind = 'user') ORDER BY name");
            let rows: Vec<(String, String, String, String, String, Option<String>)> =
                sqlx::query_as(&sql).fetch_all(&mut *transaction).await?;
            let mut adopted = 0;
            for (name, role, token_hash, created_at, expires_at, revoked_at) in rows {
                let user = UserRow { name, role, token_hash, created_at, expires_at, revoked_at };
                let change = UserChange { recorded_at: recorded_at.clone(), change: UserChangeKind::Adopted, user };
                match append_case!(transaction, CaseContent::User(change), last_id, last_hash) {
                    Ok(event) => {
                        last_id = event.id;
                        last_hash = event.hash;
                        adopted += 1;
                    }
                    Err(error) => return Ok(Err(error)),
                }
            }
            Ok(Ok(adopted))
        }
        .await)
    }

    /// Compares the users table with the users the chain's user changes (and the purges'
    /// record of the users whose changes they removed) leave: the first user that differs,
    /// in words; none when they agree.
    pub(super) async fn users_problem(&self) -> Result<Option<String>, JournalError> {
        let purges = self.purges().await?;
        let mut expected: BTreeMap<String, UserRow> = BTreeMap::new();
        let mut after = 0;
        if let Some((_, purge)) = purges.last() {
            expected.extend(purge.users.iter().map(|user| (user.name.clone(), user.clone())));
            after = purge.last_removed_id;
        }
        let sql = "SELECT id, content FROM case_events WHERE kind = 'user' AND id > $1 ORDER BY id";
        let changes: Vec<(i64, String)> =
            on_pool!(&self.pool, pool => sqlx::query_as(sql).bind(after).fetch_all(pool).await)
                .map_err(|error| self.failed(error))?;
        for (id, content) in changes {
            match serde_json::from_str(&content) {
                Ok(CaseContent::User(change)) => {
                    expected.insert(change.user.name.clone(), change.user);
                }
                _ => return Ok(Some(format!("event {id} is not a user change"))),
            }
        }
        let sql = format!("{USER_ROWS} ORDER BY name");
        let rows: Vec<(String, String, String, String, String, Option<String>)> =
            on_pool!(&self.pool, pool => sqlx::query_as(&sql).fetch_all(pool).await)
                .map_err(|error| self.failed(error))?;
        let mut actual: BTreeMap<String, UserRow> = rows
            .into_iter()
            .map(|(name, role, token_hash, created_at, expires_at, revoked_at)| {
                (name.clone(), UserRow { name, role, token_hash, created_at, expires_at, revoked_at })
            })
            .collect();
        for (name, user) in &expected {
            let Some(row) = actual.remove(name) else {
                return Ok(Some(format!("user {name} was deleted from the users table")));
            };
            let differs = [
                ("role", row.role != user.role),
                ("token", row.token_hash != user.token_hash),
                ("creation date", row.created_at != user.created_at),
                ("expiry date", row.expires_at != user.expires_at),
                ("revocation", row.revoked_at != user.revoked_at),
            ];
            if let Some((what, _)) = differs.iter().find(|(_, differs)| *differs) {
                return Ok(Some(format!(
                    "user {name}'s {what} in the users table is not what the journal's user changes recorded (changed \
                     behind pad's back?)"
                )));
            }
        }
        if let Some(name) = actual.keys().next() {
            return Ok(Some(format!(
                "user {name} is in the users table but no event of the journal added them (added behind pad's back?)"
            )));
        }
        Ok(None)
    }

    /// Whether any user was ever added (a server without users and without `PAD_API_TOKEN`
    /// is open, as before users existed).
    pub async fn has_users(&self) -> Result<bool, JournalError> {
        let count: i64 =
            on_pool!(&self.pool, pool => sqlx::query_scalar("SELECT COUNT(*) FROM users").fetch_one(pool).await)
                .map_err(|error| self.failed(error))?;
        Ok(count > 0)
    }

    /// Who holds `token`, read from the database on every call (a revocation holds on the next
    /// request of every server).
    pub async fn authenticate(&self, token: &str) -> Result<Result<SignedIn, TokenRefused>, JournalError> {
        if let Err(refused) = check_token_form(token) {
            return Ok(Err(refused));
        }
        let sql = "SELECT name, role, expires_at, revoked_at FROM users WHERE token_hash = $1";
        let row: Option<(String, String, String, Option<String>)> = on_pool!(&self.pool, pool => sqlx::query_as(sql)
            .bind(sha256_hex(token.to_ascii_lowercase().as_bytes()))
            .fetch_optional(pool)
            .await)
        .map_err(|error| self.failed(error))?;
        let Some((name, role, expires_at, revoked_at)) = row else {
            return Ok(Err(TokenRefused::Unknown));
        };
        if let Some(at) = revoked_at {
            return Ok(Err(TokenRefused::Revoked { name, at }));
        }
        if expires_at <= self.now() {
            return Ok(Err(TokenRefused::Expired { name, at: expires_at }));
        }
        Ok(Ok(SignedIn { name, role: Role::parse(&role)? }))
    }

    /// Logs a read by `user`; returns once written.
    pub async fn log_access(
        &self,
        user: &SignedIn,
        action: &str,
        client_id: Option<i64>,
        decision_id: Option<i64>,
    ) -> Result<(), JournalError> {
        self.log_accesses(user, action, &[(client_id, decision_id)]).await
    }

    /// Logs one read by `user` of several clients or decisions (`(client_id, decision_id)`
    /// each: a batch of scores), one entry each, in one statement; returns once written.
    pub async fn log_accesses(
        &self,
        user: &SignedIn,
        action: &str,
        reads: &[(Option<i64>, Option<i64>)],
    ) -> Result<(), JournalError> {
        if reads.is_empty() {
            return Ok(());
        }
        let at = self.now();
        let mut sql =
            String::from("INSERT INTO access_log (at, user_name, role, action, client_id, decision_id) VALUES ");
        let mut binds = Vec::with_capacity(reads.len() * 6);
        for (index, (client_id, decision_id)) in reads.iter().enumerate() {
            let first = index * 6;
            if index > 0 {
                sql.push_str(", ");
            }
            let places: Vec<String> = (first + 1..=first + 6).map(|place| format!("${place}")).collect();
            sql.push_str(&format!("({})", places.join(", ")));
            binds.extend([
                Bind::Text(at.clone()),
                Bind::Text(user.name.clone()),
                Bind::Text(user.role.as_str().to_string()),
                Bind::Text(action.to_string()),
                Bind::MaybeInt(*client_id),
                Bind::MaybeInt(*decision_id),
            ]);
        }
        on_pool!(&self.pool, pool => bind_all!(sqlx::query(&sql), &binds).execute(pool).await.map(|_| ()))
            .map_err(|error| self.failed(error))
    }

    /// The access log, newest first: only `user`'s when given (a name normalised as stored,
    /// refused when it holds a control character), at most `limit` entries.
    pub async fn accesses(&self, user: Option<&str>, limit: usize) -> Result<Vec<Access>, JournalError> {
        if let Some(user) = user {
            check_chars("user", user, TextKind::Line)?;
        }
        let normalised = user.map(normalise_name);
        let user = normalised.as_deref();
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let columns = "id, at, user_name, role, action, client_id, decision_id";
        type AccessRow = (i64, String, String, String, String, Option<i64>, Option<i64>);
        let rows: Vec<AccessRow> = match user {
            Some(user) => {
                let sql = format!("SELECT {columns} FROM access_log WHERE user_name = $1 ORDER BY id DESC LIMIT $2");
                on_pool!(&self.pool, pool => sqlx::query_as(&sql).bind(user).bind(limit).fetch_all(pool).await)
            }
            None => {
                let sql = format!("SELECT {columns} FROM access_log ORDER BY id DESC LIMIT $1");
                on_pool!(&self.pool, pool => sqlx::query_as(&sql).bind(limit).fetch_all(pool).await)
            }
        }
        .map_err(|error| self.failed(error))?;
        Ok(rows
            .into_iter()
            .map(|(id, at, user, role, action, client_id, decision_id)| Access {
                id,
                at,
                user,
                role,
                action,
                client_id,
                decision_id,
            })
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn purges_keep_the_retention_and_take_no_future_date() {
        let today = time::macros::date!(2026 - 12 - 02);
        // 190 days before 2026-12-02: 2026-05-26 (2 days of December, 30 of November, 31 of
        // October, 30 of September, 31 of August, 31 of July, 30 of June, 5 of May = 190).
        assert_eq!(check_purge_date("2026-05-26", 190, today).unwrap(), time::macros::date!(2026 - 05 - 26));
        let too_recent = check_purge_date("2026-05-27", 190, today).unwrap_err().to_string();
        assert!(too_recent.contains("2026-05-26"), "{too_recent}");
        assert!(check_purge_date("2026-12-03", 190, today).unwrap_err().to_string().contains("future"));
        assert!(check_purge_date("last spring", 190, today).is_err());
        assert!(check_purge_date("2026-01-01", 30, today).unwrap_err().to_string().contains("183"));
    }
}
