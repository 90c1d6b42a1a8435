//! The customer's right to contest and the second review over HTTP: `POST
//! /decisions/{id}/contest`, `POST /decisions/{id}/review`, `GET /decisions/{id}/case`, the
//! reviewers' queue `GET /contests`; and who reads what: `GET /access-log`, `GET /me`.

use axum::Router;
use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{Extension, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};

use crate::api::auth::Caller;
use crate::api::dto::{
    AccessDto, AccessLogPage, AccessLogQuery, CaseDto, CaseEventDto, ChannelDto, ContestRequest, ContestsPage,
    ContestsQuery, FinalDecision, MeDto, OpenContestDto, OutcomeDto, RecordedDecision, ReviewRequest,
};
use crate::api::error::{ApiError, ApiJson};
use crate::api::state::AppState;
use crate::domain::{Decision, InputValue};
#[cfg(test)]
use crate::journal::CaseContent;
use crate::journal::{
    Case, ContestDraft, Correction, Journal, Outcome, Rescore, ReviewDraft, answer_deadline, days_between,
    shown_reasons,
};

/// Entries in a page when the query does not say.
const DEFAULT_LIMIT: usize = 100;
/// Most entries in a page.
const MAX_LIMIT: usize = 1000;

/// The routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/decisions/{id}/contest", post(contest))
        .route("/decisions/{id}/review", post(review))
        .route("/decisions/{id}/case", get(case))
        .route("/contests", get(contests))
        .route("/access-log", get(access_log))
        .route("/me", get(me))
}

fn journal(state: &AppState) -> Result<&Journal, ApiError> {
    state.journal.as_ref().ok_or_else(|| {
        ApiError::JournalUnavailable("this server keeps no journal: start pad serve with --journal URL".into())
    })
}

fn decision_id(id: Result<Path<i64>, PathRejection>) -> Result<i64, ApiError> {
    id.map(|Path(id)| id).map_err(|rejection| ApiError::Malformed(rejection.body_text()))
}

fn limit_of(limit: Option<usize>) -> Result<usize, ApiError> {
    let limit = limit.unwrap_or(DEFAULT_LIMIT);
    if limit == 0 || limit > MAX_LIMIT {
        return Err(ApiError::Malformed(format!("limit must be from 1 to {MAX_LIMIT}")));
    }
    Ok(limit)
}

fn event_body(event: &crate::journal::CaseEvent) -> Result<CaseEventDto, ApiError> {
    CaseEventDto::from_event(event).map_err(|error| ApiError::Internal(format!("event {}: {error}", event.id)))
}

fn final_of(decision: Decision) -> FinalDecision {
    match decision {
        Decision::Accepted => FinalDecision::Accepted,
        _ => FinalDecision::Refused,
    }
}

/// Records the customer's contest of a decision.
#[utoipa::path(
    post, path = "/decisions/{id}/contest", tag = "decisions", request_body = ContestRequest,
    params(("id" = i64, Path, description = "The decision contested")),
    responses(
        (status = 201, description = "Recorded (committed)", body = CaseEventDto),
        (status = 403, description = "The caller's role records nothing, or the author's role may not contest", body = crate::api::dto::ErrorBody),
        (status = 404, body = crate::api::dto::ErrorBody),
        (status = 409, description = "The decision already has an open contest", body = crate::api::dto::ErrorBody),
        (status = 422, description = "A field cannot be recorded, naming it: `by` naming someone other than the caller (`invalid_author`: acting for a user needs their token), an empty statement, a NUL or control character", body = crate::api::dto::ErrorBody),
        (status = 503, description = "The journal cannot be reached; nothing was recorded", body = crate::api::dto::ErrorBody)
    ),
    security(("bearer" = []))
)]
pub async fn contest(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    id: Result<Path<i64>, PathRejection>,
    ApiJson(request): ApiJson<ContestRequest>,
) -> Result<Response, ApiError> {
    let id = decision_id(id)?;
    let journal = journal(&state)?;
    let draft = ContestDraft {
        decision_id: id,
        statement: request.statement,
        channel: request.channel.into(),
        by: caller.author(request.by.as_deref(), "by")?,
    };
    draft.check_texts().map_err(ApiError::from_journal)?;
    let event = journal.contest(&draft).await.map_err(ApiError::from_journal)?;
    Ok((StatusCode::CREATED, ApiJson(event_body(&event)?)).into_response())
}

/// Records the review of a decision's open contest, by a reviewer who did not decide it. The
/// recorded inputs, with the corrections, are scored on the current model, and that score is
/// recorded with the outcome.
#[utoipa::path(
    post, path = "/decisions/{id}/review", tag = "decisions", request_body = ReviewRequest,
    params(("id" = i64, Path, description = "The decision reviewed")),
    responses(
        (status = 201, description = "Recorded (committed)", body = CaseEventDto),
        (status = 403, description = "Only a reviewer or an admin reviews", body = crate::api::dto::ErrorBody),
        (status = 404, body = crate::api::dto::ErrorBody),
        (status = 409, description = "Not contested, already reviewed, or the reviewer decided it", body = crate::api::dto::ErrorBody),
        (status = 422, description = "A field cannot be recorded, naming it: `by` naming someone other than the caller (`invalid_author`: acting for a user needs their token), a short justification, a correction of no recorded input, a NUL or control character", body = crate::api::dto::ErrorBody),
        (status = 503, description = "The journal cannot be reached; nothing was recorded", body = crate::api::dto::ErrorBody)
    ),
    security(("bearer" = []))
)]
pub async fn review(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    id: Result<Path<i64>, PathRejection>,
    ApiJson(request): ApiJson<ReviewRequest>,
) -> Result<Response, ApiError> {
    let id = decision_id(id)?;
    let journal = journal(&state)?.clone();
    let by = caller.author(request.by.as_deref(), "by")?;
    // What the reviewer typed is checked before the journal is asked.
    let typed = ReviewDraft {
        decision_id: id,
        by: by.clone(),
        outcome: Outcome::Upheld,
        justification: request.justification.clone(),
        corrections: request
            .corrections
            .iter()
            .map(|correction| Correction {
                field: correction.field.clone(),
                recorded: serde_json::Value::Null,
                corrected: correction.value.clone(),
                source: correction.source.clone(),
            })
            .collect(),
        rescored: None,
    };
    typed.check_texts().map_err(ApiError::from_journal)?;
    let case = journal.case(id).await.map_err(ApiError::from_journal)?;
    let content = &case.decision.content;
    let mut inputs = content.input_values();
    let mut corrections = Vec::with_capacity(request.corrections.len());
    for (index, correction) in request.corrections.iter().enumerate() {
        let field = format!("corrections[{index}]");
        let value = match &correction.value {
            serde_json::Value::Null => InputValue::Missing,
            serde_json::Value::String(text) => InputValue::Text(text.clone()),
            serde_json::Value::Number(number) => match number.as_f64() {
                Some(number) => InputValue::Number(number),
                None => return Err(ApiError::invalid("invalid_request", format!("{field}.value"), "not a number")),
            },
            _ => {
                return Err(ApiError::invalid(
                    "invalid_request",
                    format!("{field}.value"),
                    format!("{field}.value: a number, a text or null"),
                ));
            }
        };
        let Some(slot) = inputs.iter_mut().find(|(name, _)| *name == correction.field) else {
            return Err(ApiError::invalid(
                "invalid_request",
                format!("{field}.field"),
                format!(
                    "{field}.field: `{}` is not among the decision's recorded inputs",
                    crate::domain::format::quote_external(&correction.field, 60)
                ),
            ));
        };
        slot.1 = value;
        corrections.push(Correction {
            field: correction.field.clone(),
            recorded: content.inputs.get(&correction.field).cloned().unwrap_or(serde_json::Value::Null),
            corrected: correction.value.clone(),
            source: correction.source.clone(),
        });
    }
    // Scored only when the review can be recorded (the journal checks again as it records).
    let rescored = match case.open_contest() {
        None => None,
        Some(_) => {
            let language = content.language;
            Some(
                state
                    .blocking(move |state| {
                        let explanation = state.scorer.explain_inputs(&inputs).map_err(ApiError::from_scoring)?;
                        Ok(Rescore {
                            model_version: state.model_version().to_string(),
                            threshold: explanation.score.threshold,
                            probability: explanation.score.probability,
                            decision: explanation.score.decision,
                            reasons: shown_reasons(&explanation.reasons, language),
                        })
                    })
                    .await?,
            )
        }
    };
    let draft = ReviewDraft {
        decision_id: id,
        by,
        outcome: match request.outcome {
            OutcomeDto::Upheld => Outcome::Upheld,
            OutcomeDto::Overturned => Outcome::Overturned,
        },
        justification: request.justification,
        corrections,
        rescored,
    };
    let event = journal.review(&draft).await.map_err(ApiError::from_journal)?;
    Ok((StatusCode::CREATED, ApiJson(event_body(&event)?)).into_response())
}

/// A decision with where it stands and its contests and reviews.
#[utoipa::path(
    get, path = "/decisions/{id}/case", tag = "decisions",
    params(("id" = i64, Path, description = "The decision")),
    responses(
        (status = 200, body = CaseDto),
        (status = 404, body = crate::api::dto::ErrorBody),
        (status = 503, description = "The journal cannot be reached", body = crate::api::dto::ErrorBody)
    ),
    security(("bearer" = []))
)]
pub async fn case(
    State(state): State<AppState>,
    id: Result<Path<i64>, PathRejection>,
) -> Result<ApiJson<CaseDto>, ApiError> {
    let id = decision_id(id)?;
    let case = journal(&state)?.case(id).await.map_err(ApiError::from_journal)?;
    Ok(ApiJson(case_body(case)?))
}

fn case_body(case: Case) -> Result<CaseDto, ApiError> {
    let state = case.state().as_str().to_string();
    let final_decision = final_of(case.final_decision());
    let answer_by = case.open_contest().and_then(|(_, contest)| answer_deadline(&contest.recorded_at));
    let events = case.events.iter().map(event_body).collect::<Result<Vec<_>, _>>()?;
    let id = case.decision.id;
    let decision = RecordedDecision::from_event(case.decision)
        .map_err(|error| ApiError::Internal(format!("decision {id}: {error}")))?;
    Ok(CaseDto { decision, state, final_decision, answer_by, events })
}

/// The contests waiting for a review, oldest first, with the date each must be answered by.
#[utoipa::path(
    get, path = "/contests", tag = "decisions", params(ContestsQuery),
    responses(
        (status = 200, body = ContestsPage),
        (status = 503, description = "The journal cannot be reached", body = crate::api::dto::ErrorBody)
    ),
    security(("bearer" = []))
)]
pub async fn contests(
    State(state): State<AppState>,
    query: Result<Query<ContestsQuery>, QueryRejection>,
) -> Result<ApiJson<ContestsPage>, ApiError> {
    let Query(query) = query?;
    let journal = journal(&state)?;
    let cases = journal.open_contests(limit_of(query.limit)?).await.map_err(ApiError::from_journal)?;
    let now = journal.now();
    let contests = cases
        .iter()
        .filter_map(|case| {
            let (event, contest) = case.open_contest()?;
            Some(OpenContestDto {
                decision_id: case.decision.id,
                client_id: case.decision.content.client_id,
                decided_by: case.decision.content.rm.clone(),
                final_decision: final_of(case.final_decision()),
                contest_id: event.id,
                contested_at: contest.recorded_at.clone(),
                age_days: days_between(&contest.recorded_at, &now).unwrap_or_default(),
                answer_by: answer_deadline(&contest.recorded_at).unwrap_or_default(),
                channel: channel_dto(contest.channel),
                statement: contest.statement.clone(),
            })
        })
        .collect();
    Ok(ApiJson(ContestsPage { contests }))
}

fn channel_dto(channel: crate::journal::Channel) -> ChannelDto {
    use crate::journal::Channel;
    match channel {
        Channel::Branch => ChannelDto::Branch,
        Channel::Phone => ChannelDto::Phone,
        Channel::Email => ChannelDto::Email,
        Channel::Letter => ChannelDto::Letter,
        Channel::Online => ChannelDto::Online,
    }
}

/// Who read which client's data or decisions, newest first (auditors and admins); `user` is
/// a name as `pad users add` takes it (any case).
#[utoipa::path(
    get, path = "/access-log", tag = "decisions", params(AccessLogQuery),
    responses(
        (status = 200, body = AccessLogPage),
        (status = 400, body = crate::api::dto::ErrorBody),
        (status = 403, description = "Only an auditor or an admin reads the access log", body = crate::api::dto::ErrorBody),
        (status = 422, description = "`user` holds a NUL or control character", body = crate::api::dto::ErrorBody),
        (status = 503, description = "The journal cannot be reached", body = crate::api::dto::ErrorBody)
    ),
    security(("bearer" = []))
)]
pub async fn access_log(
    State(state): State<AppState>,
    query: Result<Query<AccessLogQuery>, QueryRejection>,
) -> Result<ApiJson<AccessLogPage>, ApiError> {
    let Query(query) = query?;
    super::decisions::check_filter("user", query.user.as_deref())?;
    let journal = journal(&state)?;
    let user = query.user.as_deref().filter(|user| !user.is_empty());
    let entries = journal.accesses(user, limit_of(query.limit)?).await.map_err(ApiError::from_journal)?;
    Ok(ApiJson(AccessLogPage {
        entries: entries
            .into_iter()
            .map(|access| AccessDto {
                id: access.id,
                at: access.at,
                user: access.user,
                role: access.role,
                action: access.action,
                client_id: access.client_id,
                decision_id: access.decision_id,
            })
            .collect(),
    }))
}

/// Who the server takes the caller for.
#[utoipa::path(
    get, path = "/me", tag = "service",
    responses((status = 200, body = MeDto)),
    security(("bearer" = []))
)]
pub async fn me(Extension(caller): Extension<Caller>) -> ApiJson<MeDto> {
    ApiJson(MeDto { name: caller.name, role: caller.role.as_str().to_string() })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_contest_body_is_its_event_field_for_field() {
        let event = crate::journal::CaseEvent {
            id: 7,
            content: CaseContent::Contest(crate::journal::Contest {
                recorded_at: "2026-12-02T10:00:00.000000Z".into(),
                decision_id: 3,
                client_id: 400001,
                by: "ana".into(),
                channel: crate::journal::Channel::Phone,
                statement: "I was employed then.".into(),
            }),
            content_hash: "c".into(),
            prev_hash: "p".into(),
            hash: "h".into(),
        };
        let body = event_body(&event).unwrap();
        assert_eq!(body.kind, "contest");
        assert_eq!(serde_json::to_value(&body).unwrap(), serde_json::to_value(&event).unwrap());
    }
}
