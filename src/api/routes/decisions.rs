//! `POST /decisions`, `GET /decisions` and `GET /decisions/{id}`: the decision journal over
//! HTTP. The server scores the client itself, stamps the time and computes the hashes; a
//! decision is answered only once committed. An `Idempotency-Key` is the caller's own: the
//! journal keeps it with the name of the user (or service account) who sent it
//! ([`scoped_key`]), so another caller's same key is another request.

use std::sync::Arc;

use axum::Router;
use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{Extension, Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use crate::api::dto::{DecisionRequest, DecisionsPage, DecisionsQuery, Lang, RecordedDecision};
use crate::api::error::{ApiError, ApiJson};
use crate::api::state::{AppState, DecisionFacts};
use crate::domain::format::Language;
use crate::journal::{DecisionDraft, Filter, Journal, Origin, Page, RmDecision, ScoredFacts};

/// Decisions in a page when the query does not say.
const DEFAULT_LIMIT: usize = 100;
/// Most decisions in a page.
const MAX_LIMIT: usize = 1000;
/// The longest idempotency key taken.
const MAX_KEY_CHARS: usize = 200;
/// The header naming a retry-safe request.
const IDEMPOTENCY_KEY: &str = "idempotency-key";
/// Between the caller's name and their key in a stored idempotency key: the ASCII unit
/// separator, which neither a name nor a header value can hold.
const KEY_SCOPE_SEPARATOR: char = '\u{1f}';

/// The idempotency key as the journal stores it: `key` scoped to the caller who sent it (a
/// user's or the service account's name, then [`KEY_SCOPE_SEPARATOR`]); an open server's
/// keys, sent by nobody in particular, as sent.
pub fn scoped_key(caller: &crate::api::auth::Caller, key: &str) -> String {
    match (&caller.name, caller.identity) {
        (Some(name), crate::api::auth::Identity::User | crate::api::auth::Identity::Service) => {
            format!("{name}{KEY_SCOPE_SEPARATOR}{key}")
        }
        _ => key.to_string(),
    }
}

/// Refuses a query filter holding a NUL or control character: 422 naming it.
pub fn check_filter(field: &str, value: Option<&str>) -> Result<(), ApiError> {
    match value {
        Some(value) => crate::journal::check_chars(field, value, crate::journal::TextKind::Line)
            .map_err(|error| ApiError::invalid("invalid_request", field, error.to_string())),
        None => Ok(()),
    }
}

/// The journal routes.
pub fn router() -> Router<AppState> {
    Router::new().route("/decisions", get(list).post(record)).route("/decisions/{id}", get(one))
}

fn journal(state: &AppState) -> Result<&Journal, ApiError> {
    state.journal.as_ref().ok_or_else(|| {
        ApiError::JournalUnavailable("this server records no decisions: start pad serve with --journal URL".into())
    })
}

fn body(event: crate::journal::DecisionEvent) -> Result<RecordedDecision, ApiError> {
    let id = event.id;
    RecordedDecision::from_event(event).map_err(|error| ApiError::Internal(format!("decision {id}: {error}")))
}

/// Records the RM's decision on a served client.
#[utoipa::path(
    post, path = "/decisions", tag = "decisions", request_body = DecisionRequest,
    params(("Idempotency-Key" = Option<String>, Header, description = "A key of at most 200 characters, the caller's own (another user's same key is another request): a retried request with the same key and body records once and gets the same answer; the same key with another body is 409")),
    responses(
        (status = 201, description = "Recorded (committed)", body = RecordedDecision),
        (status = 200, description = "Already recorded under this caller's Idempotency-Key", body = RecordedDecision),
        (status = 404, body = crate::api::dto::ErrorBody),
        (status = 409, description = "The Idempotency-Key was used for another body", body = crate::api::dto::ErrorBody),
        (status = 422, description = "A field cannot be recorded, naming it: `rm` naming someone other than the caller (`invalid_author`: acting for a user needs their token), a NUL or control character in a text, an override without its reason", body = crate::api::dto::ErrorBody),
        (status = 503, description = "The journal cannot be reached; nothing was recorded", body = crate::api::dto::ErrorBody)
    ),
    security(("bearer" = []))
)]
pub async fn record(
    State(state): State<AppState>,
    Extension(caller): Extension<crate::api::auth::Caller>,
    headers: HeaderMap,
    ApiJson(request): ApiJson<DecisionRequest>,
) -> Result<Response, ApiError> {
    let journal = journal(&state)?.clone();
    let key = match headers.get(IDEMPOTENCY_KEY) {
        None => None,
        Some(value) => {
            let key = value.to_str().map(str::trim).unwrap_or_default();
            if key.is_empty() || key.chars().count() > MAX_KEY_CHARS {
                return Err(ApiError::Malformed(format!(
                    "the Idempotency-Key header must be printable text of 1 to {MAX_KEY_CHARS} characters"
                )));
            }
            Some(key.to_string())
        }
    };
    let key = key.map(|key| scoped_key(&caller, &key));
    // Who decides, and what they typed, is checked before the client is scored.
    let author = caller.author(request.rm.as_deref(), "rm")?;
    let request_hash = serde_json::to_string(&request)
        .map(|text| crate::journal::sha256_hex(text.as_bytes()))
        .map_err(|error| ApiError::Internal(error.to_string()))?;
    let facts = facts_of(&state, request.client_id).await?;
    let rm = RmDecision {
        client_id: request.client_id,
        decision: request.decision.map(Into::into),
        reason_code: request.reason_code.clone(),
        justification: request.justification.clone(),
        language: match request.lang.unwrap_or_default() {
            Lang::En => Language::En,
            Lang::Fr => Language::Fr,
        },
        rm: author,
        export_file: request.export_file.clone(),
    };
    let mut draft = DecisionDraft::of_explanation(
        ScoredFacts {
            model_version: state.model_version(),
            record: &facts.record,
            features: &state.scorer.info().features,
            explanation: &facts.explanation,
            counterfactual: facts.counterfactual.as_ref(),
        },
        rm,
        Origin::Remote,
    );
    if let Some(shadow) = &state.shadow {
        shadow.count(&state.metrics, "/decisions", facts.challenger.as_ref(), facts.explanation.score.decision);
        draft.challenger = facts.challenger.clone();
    }
    let key = key.as_deref().map(|key| (key, request_hash.as_str()));
    let recorded = journal.record(&draft, key).await.map_err(ApiError::from_journal)?;
    let status = if recorded.replayed { StatusCode::OK } else { StatusCode::CREATED };
    Ok((status, ApiJson(body(recorded.event)?)).into_response())
}

/// What the scorer says of a client, computed once per client.
async fn facts_of(state: &AppState, client_id: i64) -> Result<Arc<DecisionFacts>, ApiError> {
    let cached = state.decision_facts.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).get(&client_id).cloned();
    if let Some(facts) = cached {
        return Ok(facts);
    }
    let facts = state
        .blocking(move |state| {
            let scorer = &state.scorer;
            let record = scorer.client(client_id).map_err(ApiError::from_scoring)?;
            let explanation = scorer.explain(client_id).map_err(ApiError::from_scoring)?;
            if !explanation.score.decision.is_decided() {
                return Err(ApiError::from_scoring(crate::scoring::ScoringError::Incomplete {
                    missing: explanation.score.missing.clone(),
                }));
            }
            let counterfactual = match explanation.score.decision {
                crate::domain::Decision::Refused => {
                    Some(scorer.counterfactual(client_id).map_err(ApiError::from_scoring)?)
                }
                _ => None,
            };
            let challenger = state.shadow.as_ref().and_then(|shadow| shadow.score(&super::Target::Client(client_id)));
            Ok(Arc::new(DecisionFacts { record, explanation, counterfactual, challenger }))
        })
        .await?;
    state.decision_facts.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).insert(client_id, Arc::clone(&facts));
    Ok(facts)
}

/// Recorded decisions, filtered, a page at a time (oldest first unless `newest_first`; `next` is the cursor).
#[utoipa::path(
    get, path = "/decisions", tag = "decisions", params(DecisionsQuery),
    responses(
        (status = 200, body = DecisionsPage),
        (status = 400, body = crate::api::dto::ErrorBody),
        (status = 422, description = "A filter holds a NUL or control character, naming it", body = crate::api::dto::ErrorBody),
        (status = 503, description = "The journal cannot be reached", body = crate::api::dto::ErrorBody)
    ),
    security(("bearer" = []))
)]
pub async fn list(
    State(state): State<AppState>,
    query: Result<Query<DecisionsQuery>, QueryRejection>,
) -> Result<ApiJson<DecisionsPage>, ApiError> {
    let Query(query) = query?;
    for (field, value) in [("rm", &query.rm), ("from", &query.from), ("to", &query.to)] {
        check_filter(field, value.as_deref())?;
    }
    let journal = journal(&state)?;
    let limit = query.limit.unwrap_or(DEFAULT_LIMIT);
    if limit == 0 || limit > MAX_LIMIT {
        return Err(ApiError::Malformed(format!("limit must be from 1 to {MAX_LIMIT}; page with after")));
    }
    let filter = Filter {
        client_id: query.client_id,
        rm: query.rm.filter(|rm| !rm.is_empty()),
        from: query.from.filter(|from| !from.is_empty()),
        to: query.to.filter(|to| !to.is_empty()),
        decision: query.decision.map(Into::into),
        overridden: query.overridden,
        state: query.state.map(Into::into),
    };
    let events = journal
        .list(&filter, Page { after: query.after, limit, newest_first: query.newest_first.unwrap_or(false) })
        .await
        .map_err(|error| match error {
            crate::journal::JournalError::Invalid { message, .. } => ApiError::Malformed(message),
            other => ApiError::from_journal(other),
        })?;
    let next = (events.len() == limit).then(|| events.last().map(|event| event.id)).flatten();
    let decisions = events.into_iter().map(body).collect::<Result<Vec<_>, _>>()?;
    Ok(ApiJson(DecisionsPage { decisions, next }))
}

/// One recorded decision with its hashes.
#[utoipa::path(
    get, path = "/decisions/{id}", tag = "decisions",
    params(("id" = i64, Path, description = "The decision's id")),
    responses(
        (status = 200, body = RecordedDecision),
        (status = 400, body = crate::api::dto::ErrorBody),
        (status = 404, body = crate::api::dto::ErrorBody),
        (status = 503, description = "The journal cannot be reached", body = crate::api::dto::ErrorBody)
    ),
    security(("bearer" = []))
)]
pub async fn one(
    State(state): State<AppState>,
    id: Result<Path<i64>, PathRejection>,
) -> Result<ApiJson<RecordedDecision>, ApiError> {
    let Path(id) = id.map_err(|rejection| ApiError::Malformed(rejection.body_text()))?;
    let journal = journal(&state)?;
    let event = journal.get(id).await.map_err(ApiError::from_journal)?.ok_or(ApiError::UnknownDecision(id))?;
    Ok(ApiJson(body(event)?))
}
