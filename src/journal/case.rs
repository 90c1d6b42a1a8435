//! What follows a decision in the chain: the customer's contest, the second review that
//! answers it, and the purges of old history; and the state of a decision they make
//! (decided → contested → reviewed, upheld or overturned).
//!
//! Uses: domain, and the records of this module.

use super::JournalError;
use super::record::{DecisionEvent, MAX_TEXT_CHARS, MIN_JUSTIFICATION_CHARS, ShownReason};
use super::text::{TextKind, check_chars};
use crate::domain::{ClientId, Decision};

/// How long the bank has to answer a contest: one month (GDPR art. 12(3)).
pub const ANSWER_MONTHS: u32 = 1;

/// How a contest reached the bank.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Channel {
    /// In person, at the branch.
    Branch,
    /// By telephone.
    Phone,
    /// By e-mail.
    Email,
    /// By post.
    Letter,
    /// Through the bank's website or app.
    Online,
}

impl Channel {
    /// Every channel.
    pub const ALL: [Channel; 5] = [Channel::Branch, Channel::Phone, Channel::Email, Channel::Letter, Channel::Online];

    /// The channel's name as written.
    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Branch => "branch",
            Channel::Phone => "phone",
            Channel::Email => "email",
            Channel::Letter => "letter",
            Channel::Online => "online",
        }
    }
}

/// What a review concludes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    /// The decision stands.
    Upheld,
    /// The decision is reversed (an acceptance becomes a refusal, a refusal an acceptance).
    Overturned,
}

impl Outcome {
    /// The outcome's name as written.
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Upheld => "upheld",
            Outcome::Overturned => "overturned",
        }
    }

    /// The final decision after a review of a decision that was `decided`.
    pub fn final_decision(self, decided: Decision) -> Decision {
        match (self, decided) {
            (Outcome::Upheld, decision) => decision,
            (Outcome::Overturned, Decision::Accepted) => Decision::Refused,
            (Outcome::Overturned, _) => Decision::Accepted,
        }
    }
}

/// A customer's contest, as a front end gives it.
#[derive(Debug, Clone, PartialEq)]
pub struct ContestDraft {
    /// The decision contested.
    pub decision_id: i64,
    /// The customer's statement, in their words.
    pub statement: String,
    /// How it came.
    pub channel: Channel,
    /// Who records it.
    pub by: String,
}

/// A field the reviewer corrected: the recorded value beside the new one, and where the new
/// one comes from.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Correction {
    /// The input's name (a raw application field).
    pub field: String,
    /// The value recorded with the decision.
    pub recorded: serde_json::Value,
    /// The corrected value.
    pub corrected: serde_json::Value,
    /// Where the corrected value comes from (a payslip, a tax notice…).
    pub source: String,
}

/// What the model says of the inputs as the reviewer saw them (with the corrections).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Rescore {
    /// The model that scored them.
    pub model_version: String,
    /// Its threshold.
    pub threshold: f64,
    /// The probability of default.
    pub probability: f64,
    /// The model's decision.
    pub decision: Decision,
    /// The principal reasons, in the decision's language.
    pub reasons: Vec<ShownReason>,
}

/// A second review, as a front end gives it.
#[derive(Debug, Clone, PartialEq)]
pub struct ReviewDraft {
    /// The decision reviewed (its open contest is the one answered).
    pub decision_id: i64,
    /// The reviewer.
    pub by: String,
    /// Upheld or overturned.
    pub outcome: Outcome,
    /// Why (at least [`MIN_JUSTIFICATION_CHARS`] characters).
    pub justification: String,
    /// The inputs corrected, if any.
    pub corrections: Vec<Correction>,
    /// The score of the inputs as reviewed, when they were scored again.
    pub rescored: Option<Rescore>,
}

/// A contest, as recorded.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Contest {
    /// UTC time the journal recorded it.
    pub recorded_at: String,
    /// The decision contested.
    pub decision_id: i64,
    /// Its client.
    pub client_id: ClientId,
    /// Who recorded it.
    pub by: String,
    /// How it came.
    pub channel: Channel,
    /// The customer's statement.
    pub statement: String,
}

/// A review, as recorded.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Review {
    /// UTC time the journal recorded it.
    pub recorded_at: String,
    /// The decision reviewed.
    pub decision_id: i64,
    /// The contest it answers.
    pub contest_id: i64,
    /// The decision's client.
    pub client_id: ClientId,
    /// The reviewer.
    pub by: String,
    /// Upheld or overturned.
    pub outcome: Outcome,
    /// The decision that now holds.
    pub final_decision: Decision,
    /// Why.
    pub justification: String,
    /// The inputs corrected.
    pub corrections: Vec<Correction>,
    /// The score of the inputs as reviewed.
    pub rescored: Option<Rescore>,
}

/// A purge of old history, as recorded: what was cut, so that the chain left can be checked
/// from where it starts.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Purge {
    /// UTC time the journal recorded it.
    pub recorded_at: String,
    /// Who purged.
    pub by: String,
    /// Events recorded before this UTC date were eligible.
    pub before: String,
    /// The retention in force, in days.
    pub retention_days: u32,
    /// Events removed (decisions and their follow-ups).
    pub removed_events: u64,
    /// Decisions among them.
    pub removed_decisions: u64,
    /// The last event removed: the chain left goes on from it.
    pub last_removed_id: i64,
    /// Its hash: the previous hash of the first event left.
    pub last_removed_hash: String,
    /// The users as the events removed had left them (their user changes are removed with
    /// them): what the user changes kept go on from. Empty in purges recorded before user
    /// changes joined the chain.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub users: Vec<UserRow>,
    /// The access-log entries removed: those before this place in the access log's tree
    /// (0: none, or a purge recorded before the access log had a tree).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub access_cut: u64,
}

fn is_zero(value: &u64) -> bool {
    *value == 0
}

/// A user as the journal keeps them: their row of the users table.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct UserRow {
    /// The name they sign in and record under.
    pub name: String,
    /// `rm`, `reviewer`, `auditor` or `admin`.
    pub role: String,
    /// SHA-256 of their token (never the token).
    pub token_hash: String,
    /// When they were added (UTC).
    pub created_at: String,
    /// When their token stops working (UTC).
    pub expires_at: String,
    /// When they were revoked, if they were.
    pub revoked_at: Option<String>,
}

/// What changed about a user.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum UserChangeKind {
    /// Added, with a first token.
    Added,
    /// Revoked.
    Revoked,
    /// Given a new token.
    Token,
    /// Taken into the chain as they were when the journal began recording user changes.
    Adopted,
}

impl UserChangeKind {
    /// Its name, as stored in the `outcome` column.
    pub fn as_str(self) -> &'static str {
        match self {
            UserChangeKind::Added => "added",
            UserChangeKind::Revoked => "revoked",
            UserChangeKind::Token => "token",
            UserChangeKind::Adopted => "adopted",
        }
    }
}

/// A change of the people who sign in, as recorded in the chain: the user's whole row after
/// it, so that `verify` can rebuild the users table from the chain and compare.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct UserChange {
    /// UTC time the journal recorded it.
    pub recorded_at: String,
    /// What changed.
    pub change: UserChangeKind,
    /// The user's row after the change.
    pub user: UserRow,
}

/// The canonical content of a follow-up event: the JSON whose SHA-256 is its content hash.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum CaseContent {
    /// A customer's contest.
    Contest(Contest),
    /// A second review.
    Review(Review),
    /// A purge of old history.
    Purge(Purge),
    /// A change of the users who sign in.
    User(UserChange),
}

/// The columns a follow-up event repeats from its content.
#[derive(Debug, Clone, PartialEq)]
pub struct CaseColumns {
    /// `recorded_at`.
    pub recorded_at: String,
    /// `contest`, `review`, `purge` or `user`.
    pub kind: &'static str,
    /// The decision it concerns (not for a purge).
    pub decision_id: Option<i64>,
    /// The contest a review answers.
    pub contest_id: Option<i64>,
    /// A review's outcome, or what changed about a user.
    pub outcome: Option<&'static str>,
    /// Who recorded it.
    pub actor: String,
}

impl CaseContent {
    /// The columns stored beside the content.
    pub fn columns(&self) -> CaseColumns {
        match self {
            CaseContent::Contest(contest) => CaseColumns {
                recorded_at: contest.recorded_at.clone(),
                kind: "contest",
                decision_id: Some(contest.decision_id),
                contest_id: None,
                outcome: None,
                actor: contest.by.clone(),
            },
            CaseContent::Review(review) => CaseColumns {
                recorded_at: review.recorded_at.clone(),
                kind: "review",
                decision_id: Some(review.decision_id),
                contest_id: Some(review.contest_id),
                outcome: Some(review.outcome.as_str()),
                actor: review.by.clone(),
            },
            CaseContent::Purge(purge) => CaseColumns {
                recorded_at: purge.recorded_at.clone(),
                kind: "purge",
                decision_id: None,
                contest_id: None,
                outcome: None,
                actor: purge.by.clone(),
            },
            CaseContent::User(change) => CaseColumns {
                recorded_at: change.recorded_at.clone(),
                kind: "user",
                decision_id: None,
                contest_id: None,
                outcome: Some(change.change.as_str()),
                actor: change.user.name.clone(),
            },
        }
    }

    /// The canonical JSON text.
    pub fn canonical(&self) -> Result<String, JournalError> {
        serde_json::to_string(self).map_err(|error| JournalError::Corrupt { id: 0, message: error.to_string() })
    }

    /// When it was recorded.
    pub fn recorded_at(&self) -> &str {
        match self {
            CaseContent::Contest(contest) => &contest.recorded_at,
            CaseContent::Review(review) => &review.recorded_at,
            CaseContent::Purge(purge) => &purge.recorded_at,
            CaseContent::User(change) => &change.recorded_at,
        }
    }
}

/// A follow-up event as stored: its place in the chain, its content and its hashes.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct CaseEvent {
    /// The event's number in the chain (shared with decisions).
    pub id: i64,
    /// What was recorded.
    #[serde(flatten)]
    pub content: CaseContent,
    /// SHA-256 of the canonical content.
    pub content_hash: String,
    /// The previous event's hash.
    pub prev_hash: String,
    /// SHA-256 of `prev_hash` and `content_hash`.
    pub hash: String,
}

/// Where a decision stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CaseState {
    /// Recorded, never contested.
    Decided,
    /// A contest waits for its review.
    Contested,
    /// Reviewed; the decision stands.
    Upheld,
    /// Reviewed; the decision was reversed.
    Overturned,
}

impl CaseState {
    /// The state's name as written.
    pub fn as_str(self) -> &'static str {
        match self {
            CaseState::Decided => "decided",
            CaseState::Contested => "contested",
            CaseState::Upheld => "upheld",
            CaseState::Overturned => "overturned",
        }
    }
}

/// A decision with its follow-ups, in order.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Case {
    /// The decision.
    pub decision: DecisionEvent,
    /// Its contests and reviews, oldest first.
    pub events: Vec<CaseEvent>,
}

impl Case {
    /// The contest waiting for a review, if any.
    pub fn open_contest(&self) -> Option<(&CaseEvent, &Contest)> {
        let (event, contest) = self.events.iter().rev().find_map(|event| match &event.content {
            CaseContent::Contest(contest) => Some((event, contest)),
            _ => None,
        })?;
        let answered = self.review_of(event.id).is_some();
        (!answered).then_some((event, contest))
    }

    /// The review answering contest `contest_id`, if any.
    pub fn review_of(&self, contest_id: i64) -> Option<(&CaseEvent, &Review)> {
        self.events.iter().find_map(|event| match &event.content {
            CaseContent::Review(review) if review.contest_id == contest_id => Some((event, review)),
            _ => None,
        })
    }

    /// The last review, if any.
    pub fn last_review(&self) -> Option<&Review> {
        self.events.iter().rev().find_map(|event| match &event.content {
            CaseContent::Review(review) => Some(review),
            _ => None,
        })
    }

    /// Where the decision stands.
    pub fn state(&self) -> CaseState {
        if self.open_contest().is_some() {
            return CaseState::Contested;
        }
        match self.last_review().map(|review| review.outcome) {
            None => CaseState::Decided,
            Some(Outcome::Upheld) => CaseState::Upheld,
            Some(Outcome::Overturned) => CaseState::Overturned,
        }
    }

    /// The decision that holds now: the last review's, else the RM's.
    pub fn final_decision(&self) -> Decision {
        self.last_review().map_or(self.decision.content.final_decision, |review| review.final_decision)
    }
}

impl ContestDraft {
    /// Refuses a NUL or control character in what a person typed ([`check_chars`]), before
    /// any database is asked.
    pub fn check_texts(&self) -> Result<(), JournalError> {
        check_chars("by", &self.by, TextKind::Line)?;
        check_chars("statement", &self.statement, TextKind::Paragraphs)
    }
}

impl ReviewDraft {
    /// Refuses a NUL or control character in what a person typed ([`check_chars`]), before
    /// any database is asked.
    pub fn check_texts(&self) -> Result<(), JournalError> {
        check_chars("by", &self.by, TextKind::Line)?;
        check_chars("justification", &self.justification, TextKind::Paragraphs)?;
        for (index, correction) in self.corrections.iter().enumerate() {
            check_chars(&format!("corrections[{index}].field"), &correction.field, TextKind::Line)?;
            if let serde_json::Value::String(value) = &correction.corrected {
                check_chars(&format!("corrections[{index}].value"), value, TextKind::Line)?;
            }
            check_chars(&format!("corrections[{index}].source"), &correction.source, TextKind::Paragraphs)?;
        }
        Ok(())
    }
}

/// Checks a contest and stamps it, for the decision `decision` (whose state allows it).
pub fn check_contest(
    draft: &ContestDraft,
    decision: &DecisionEvent,
    recorded_at: String,
) -> Result<Contest, JournalError> {
    draft.check_texts()?;
    let statement = text(&draft.statement, "statement", 1, "the customer's statement, in their words")?;
    let by = text(&draft.by, "by", 1, "who records the contest")?;
    Ok(Contest {
        recorded_at,
        decision_id: decision.id,
        client_id: decision.content.client_id,
        by,
        channel: draft.channel,
        statement,
    })
}

/// Checks a review and stamps it, answering contest `contest_id` of the case's decision.
pub fn check_review(
    draft: &ReviewDraft,
    case: &Case,
    contest_id: i64,
    recorded_at: String,
) -> Result<Review, JournalError> {
    draft.check_texts()?;
    let justification = text(
        &draft.justification,
        "justification",
        MIN_JUSTIFICATION_CHARS,
        "why the decision is upheld or overturned, for the customer and the auditors",
    )?;
    let by = text(&draft.by, "by", 1, "who reviews")?;
    for (index, correction) in draft.corrections.iter().enumerate() {
        let field = format!("corrections[{index}]");
        if !case.decision.content.inputs.contains_key(&correction.field) {
            return Err(JournalError::Invalid {
                field: format!("{field}.field"),
                message: format!(
                    "`{}` is not among the decision's recorded inputs",
                    crate::domain::format::quote_external(&correction.field, 60)
                ),
            });
        }
        text(&correction.source, &format!("{field}.source"), 1, "where the corrected value comes from")?;
    }
    if let Some(rescored) = &draft.rescored
        && !(rescored.probability.is_finite() && (0.0..=1.0).contains(&rescored.probability))
    {
        return Err(JournalError::Invalid {
            field: "rescored.probability".into(),
            message: "the probability must be a number from 0 to 1".into(),
        });
    }
    Ok(Review {
        recorded_at,
        decision_id: case.decision.id,
        contest_id,
        client_id: case.decision.content.client_id,
        by,
        outcome: draft.outcome,
        final_decision: draft.outcome.final_decision(case.final_decision()),
        justification,
        corrections: draft.corrections.clone(),
        rescored: draft.rescored.clone(),
    })
}

/// A text field trimmed, between `min` and [`MAX_TEXT_CHARS`] characters.
fn text(value: &str, field: &str, min: usize, what: &str) -> Result<String, JournalError> {
    let trimmed = value.trim();
    let length = trimmed.chars().count();
    let invalid = |message: String| JournalError::Invalid { field: field.to_string(), message };
    if length < min {
        return Err(invalid(if min <= 1 {
            format!("say {what}")
        } else {
            format!("at least {min} characters: {what} ({length} given)")
        }));
    }
    if length > MAX_TEXT_CHARS {
        return Err(invalid(format!("at most {MAX_TEXT_CHARS} characters ({length} given)")));
    }
    Ok(trimmed.to_string())
}

/// The date a contest recorded at `recorded_at` (`2026-12-01T…`) must be answered by: the
/// same day of the next month, or that month's last day when it is shorter (31 January →
/// 28 or 29 February).
pub fn answer_deadline(recorded_at: &str) -> Option<String> {
    let date = parse_date(recorded_at)?;
    let (mut year, mut month) = (date.0, date.1 + ANSWER_MONTHS);
    while month > 12 {
        month -= 12;
        year += 1;
    }
    let day = date.2.min(days_in_month(year, month));
    Some(format!("{year:04}-{month:02}-{day:02}"))
}

/// Whole days from the date of `recorded_at` to the date of `now` (both `YYYY-MM-DD…`).
pub fn days_between(recorded_at: &str, now: &str) -> Option<i64> {
    Some(i64::from(date_of(now)?.to_julian_day()) - i64::from(date_of(recorded_at)?.to_julian_day()))
}

/// The date a `YYYY-MM-DD…` text starts with.
pub(super) fn date_of(text: &str) -> Option<time::Date> {
    let (year, month, day) = parse_date(text)?;
    let month = time::Month::try_from(u8::try_from(month).ok()?).ok()?;
    time::Date::from_calendar_date(year, month, u8::try_from(day).ok()?).ok()
}

fn parse_date(text: &str) -> Option<(i32, u32, u32)> {
    let date = text.get(..10)?;
    let mut parts = date.split('-');
    let year = parts.next()?.parse().ok()?;
    let month = parts.next()?.parse().ok()?;
    let day = parts.next()?.parse().ok()?;
    ((1..=12).contains(&month) && (1..=31).contains(&day)).then_some((year, month, day))
}

fn days_in_month(year: i32, month: u32) -> u32 {
    match month {
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_contest_is_answered_within_a_calendar_month() {
        assert_eq!(answer_deadline("2026-12-02T10:00:00.000000Z").as_deref(), Some("2027-01-02"));
        // 31 January: February is shorter (2028 is a leap year, 2027 is not).
        assert_eq!(answer_deadline("2027-01-31T10:00:00Z").as_deref(), Some("2027-02-28"));
        assert_eq!(answer_deadline("2028-01-31T10:00:00Z").as_deref(), Some("2028-02-29"));
        assert_eq!(answer_deadline("later"), None);
        // 2026-11-25 to 2026-12-02: 5 days of November after the 25th, and 2 of December.
        assert_eq!(days_between("2026-11-25T23:59:59Z", "2026-12-02T00:00:01Z"), Some(7));
    }

    #[test]
    fn overturning_reverses_the_decision_and_upholding_keeps_it() {
        assert_eq!(Outcome::Overturned.final_decision(Decision::Refused), Decision::Accepted);
        assert_eq!(Outcome::Overturned.final_decision(Decision::Accepted), Decision::Refused);
        assert_eq!(Outcome::Upheld.final_decision(Decision::Refused), Decision::Refused);
    }
}
