//! The bodies of the contest and review routes, the case of a decision, the reviewers' queue,
//! the access log and `GET /me`.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{FinalDecision, RecordedDecision};

/// How a contest reached the bank.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum ChannelDto {
    /// In person.
    Branch,
    /// By telephone.
    Phone,
    /// By e-mail.
    Email,
    /// By post.
    Letter,
    /// Through the website or app.
    Online,
}

impl From<ChannelDto> for crate::journal::Channel {
    fn from(channel: ChannelDto) -> crate::journal::Channel {
        use crate::journal::Channel;
        match channel {
            ChannelDto::Branch => Channel::Branch,
            ChannelDto::Phone => Channel::Phone,
            ChannelDto::Email => Channel::Email,
            ChannelDto::Letter => Channel::Letter,
            ChannelDto::Online => Channel::Online,
        }
    }
}

/// `POST /decisions/{id}/contest`: the customer contests the decision.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ContestRequest {
    /// The customer's statement, in their words.
    pub statement: String,
    /// How it came.
    pub channel: ChannelDto,
    /// Who records it: the caller's own name, or left out (a user or the service account
    /// records under its own name only; another name is 422). On an open server, any name
    /// (default `api`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub by: Option<String>,
}

/// What a review concludes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum OutcomeDto {
    /// The decision stands.
    Upheld,
    /// The decision is reversed.
    Overturned,
}

/// A corrected input.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CorrectionRequest {
    /// The input's name, among the decision's recorded inputs.
    pub field: String,
    /// The corrected value: a number, a text, or null.
    #[schema(value_type = Object, nullable)]
    pub value: serde_json::Value,
    /// Where it comes from (a payslip, a tax notice…).
    pub source: String,
}

/// `POST /decisions/{id}/review`: a reviewer (not the decider) answers the open contest. The
/// server scores the recorded inputs, with the corrections, on the current model and records
/// that score with the outcome.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReviewRequest {
    /// Upheld or overturned.
    pub outcome: OutcomeDto,
    /// Why, at least 20 characters.
    pub justification: String,
    /// Corrected inputs.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub corrections: Vec<CorrectionRequest>,
    /// Who reviews: the caller's own name, or left out (another name is 422); on an open
    /// server, any name of a reviewer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub by: Option<String>,
}

/// A contest, a review or a purge, as recorded: the event's fields for its kind, and its
/// hashes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct CaseEventDto {
    /// The event's number in the chain.
    pub id: i64,
    /// `contest`, `review` or `purge`.
    pub kind: String,
    /// UTC time recorded.
    pub recorded_at: String,
    /// Who recorded it.
    pub by: String,
    /// The decision concerned (contest, review).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decision_id: Option<i64>,
    /// The decision's client (contest, review).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_id: Option<i64>,
    /// How the contest came.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub channel: Option<ChannelDto>,
    /// The customer's statement.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub statement: Option<String>,
    /// The contest a review answers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contest_id: Option<i64>,
    /// A review's outcome.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outcome: Option<OutcomeDto>,
    /// The decision that holds after a review.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub final_decision: Option<FinalDecision>,
    /// Why the review concluded so.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub justification: Option<String>,
    /// The inputs a review corrected: field, recorded, corrected, source.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Vec<Object>>)]
    pub corrections: Option<Vec<serde_json::Value>>,
    /// The score of the inputs as reviewed: model_version, threshold, probability, decision,
    /// reasons.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>, nullable)]
    pub rescored: Option<serde_json::Value>,
    /// A purge: events recorded before this date were eligible.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub before: Option<String>,
    /// A purge: the retention in force, in days.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retention_days: Option<u32>,
    /// A purge: events removed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub removed_events: Option<u64>,
    /// A purge: decisions removed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub removed_decisions: Option<u64>,
    /// A purge: the last event removed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_removed_id: Option<i64>,
    /// A purge: its hash, the previous hash of the first event left.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_removed_hash: Option<String>,
    /// SHA-256 of the canonical content.
    pub content_hash: String,
    /// The previous event's hash.
    pub prev_hash: String,
    /// SHA-256 of `prev_hash` and `content_hash`.
    pub hash: String,
}

impl CaseEventDto {
    /// The event's body: its JSON, field for field.
    pub fn from_event(event: &crate::journal::CaseEvent) -> Result<CaseEventDto, serde_json::Error> {
        serde_json::from_value(serde_json::to_value(event)?)
    }
}

/// `GET /decisions/{id}/case`: a decision, where it stands, and its contests and reviews.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct CaseDto {
    /// The decision as recorded.
    pub decision: RecordedDecision,
    /// `decided`, `contested`, `upheld` or `overturned`.
    pub state: String,
    /// The decision that holds now.
    pub final_decision: FinalDecision,
    /// When an open contest must be answered by (one month, GDPR art. 12(3)).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub answer_by: Option<String>,
    /// Contests and reviews, oldest first.
    pub events: Vec<CaseEventDto>,
}

/// A contest waiting for its review.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct OpenContestDto {
    /// The decision contested.
    pub decision_id: i64,
    /// Its client.
    pub client_id: i64,
    /// Who decided (who cannot review it).
    pub decided_by: String,
    /// The decision contested.
    pub final_decision: FinalDecision,
    /// The contest event.
    pub contest_id: i64,
    /// When it was contested (UTC).
    pub contested_at: String,
    /// Days since.
    pub age_days: i64,
    /// The date it must be answered by.
    pub answer_by: String,
    /// How it came.
    pub channel: ChannelDto,
    /// The customer's statement.
    pub statement: String,
}

/// `GET /contests`: the reviewers' queue, oldest first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ContestsPage {
    /// The open contests.
    pub contests: Vec<OpenContestDto>,
}

/// One read of a client's data or decisions.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct AccessDto {
    /// The entry's number.
    pub id: i64,
    /// When (UTC).
    pub at: String,
    /// Who.
    pub user: String,
    /// With which role.
    pub role: String,
    /// The method and path read.
    pub action: String,
    /// The client read.
    #[schema(nullable)]
    pub client_id: Option<i64>,
    /// The decision read.
    #[schema(nullable)]
    pub decision_id: Option<i64>,
}

/// `GET /access-log`: the newest reads first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct AccessLogPage {
    /// The entries.
    pub entries: Vec<AccessDto>,
}

/// `GET /access-log` filters.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AccessLogQuery {
    /// Only this user's reads.
    pub user: Option<String>,
    /// At most this many (1 to 1000, default 100).
    pub limit: Option<usize>,
}

/// `GET /contests` paging.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ContestsQuery {
    /// At most this many (1 to 1000, default 100).
    pub limit: Option<usize>,
}

/// `GET /me`: who the server takes the caller for.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct MeDto {
    /// The user's name, or the service account's for the shared token (PAD_API_TOKEN:
    /// `service` unless `pad serve --service-name` says otherwise); null on an open server.
    #[schema(nullable)]
    pub name: Option<String>,
    /// `rm`, `reviewer`, `auditor` or `admin`.
    pub role: String,
}
