//! `POST /predict`, `POST /predict/batch`, `POST /explain`, `POST /what-if` and
//! `POST /counterfactual`.

use axum::Router;
use axum::extract::{Query, State, rejection::QueryRejection};
use axum::routing::post;
use serde::Deserialize;

use super::Target;
use crate::api::dto::{
    BatchRequest, BatchResponse, ClientRequest, CounterfactualResponse, ExplainResponse, Lang, PredictResponse,
    ScoreRequest, Subject, WhatIfRequest,
};
use crate::api::error::{ApiError, ApiJson};
use crate::api::state::AppState;
use crate::domain::Score;
use crate::scoring::ScoringError;

/// The scoring routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/predict", post(predict))
        .route("/predict/batch", post(predict_batch))
        .route("/explain", post(explain))
        .route("/what-if", post(what_if))
        .route("/counterfactual", post(counterfactual))
}

/// `?lang=fr`.
#[derive(Debug, Clone, Copy, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct LangQuery {
    /// Language of the customer sentences, when the body does not say (default `en`; empty
    /// is the default).
    #[serde(default, deserialize_with = "lang_or_absent")]
    pub lang: Option<Lang>,
}

/// `?lang=` given empty is absent, as a form sends it.
fn lang_or_absent<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<Option<Lang>, D::Error> {
    use serde::de::IntoDeserializer;
    let text: Option<String> = Deserialize::deserialize(deserializer)?;
    match text.as_deref().map(str::trim) {
        None | Some("") => Ok(None),
        Some(text) => Lang::deserialize(IntoDeserializer::<D::Error>::into_deserializer(text)).map(Some),
    }
}

fn language(body: Option<Lang>, query: Result<Query<LangQuery>, QueryRejection>) -> Result<Lang, ApiError> {
    let Query(query) = query?;
    Ok(body.or(query.lang).unwrap_or_default())
}

/// The served model's score of `target`, compared (under `route`) with the shadow
/// challenger's when there is one.
fn score(state: &AppState, route: &str, target: &Target, allow_incomplete: bool) -> Result<PredictResponse, ApiError> {
    let scorer = state.scorer.as_ref();
    let score = match target {
        Target::Client(id) => scorer.predict(*id),
        Target::Inputs(inputs) => scorer.predict_inputs(inputs),
    }
    .map_err(ApiError::from_scoring)?;
    decided_or_allowed(&score, allow_incomplete)?;
    if let Some(shadow) = &state.shadow {
        shadow.compare(&state.metrics, route, target, &score);
    }
    let mut response = PredictResponse::new(&score, target.subject(score.client_id), state.model_version());
    response.warnings = target.warnings(&scorer.info().features);
    Ok(response)
}

/// An incomplete application is a 422 naming every missing field, unless the request asked
/// for an exploratory score.
fn decided_or_allowed(score: &Score, allow_incomplete: bool) -> Result<(), ApiError> {
    if score.decision.is_decided() || allow_incomplete {
        return Ok(());
    }
    Err(ApiError::from_scoring(ScoringError::Incomplete { missing: score.missing.clone() }))
}

/// The probability of default and the decision of one applicant.
#[utoipa::path(
    post, path = "/predict", tag = "scoring",
    request_body = ScoreRequest,
    responses(
        (status = 200, description = "The score", body = PredictResponse),
        (status = 400, description = "Not JSON", body = crate::api::dto::ErrorBody),
        (status = 401, description = "Missing or wrong token", body = crate::api::dto::ErrorBody),
        (status = 404, description = "No client with this id", body = crate::api::dto::ErrorBody),
        (status = 413, description = "Body too large", body = crate::api::dto::ErrorBody),
        (status = 422, description = "Invalid request or features, naming the field; or an incomplete application (`incomplete_application`, naming every missing required field)", body = crate::api::dto::ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn predict(
    State(state): State<AppState>,
    ApiJson(request): ApiJson<ScoreRequest>,
) -> Result<ApiJson<PredictResponse>, ApiError> {
    let target = Target::of(&request)?;
    let allow = request.allow_incomplete;
    state.blocking(move |state| score(state, "/predict", &target, allow)).await.map(ApiJson)
}

/// Scores of several applicants, in order; one bad item fails the batch, naming it. Each
/// client is asked for once: a `client_id` repeated in the batch is refused.
#[utoipa::path(
    post, path = "/predict/batch", tag = "scoring",
    request_body = BatchRequest,
    responses(
        (status = 200, description = "One score per item", body = BatchResponse),
        (status = 413, description = "More items than --max-batch", body = crate::api::dto::ErrorBody),
        (status = 422, description = "An item is invalid, names an unknown client, asks for a client an earlier item asked for, or is an incomplete application (`items[i]…`)", body = crate::api::dto::ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn predict_batch(
    State(state): State<AppState>,
    ApiJson(request): ApiJson<BatchRequest>,
) -> Result<ApiJson<BatchResponse>, ApiError> {
    if request.items.len() > state.limits.max_batch {
        return Err(ApiError::TooLarge(format!(
            "{} items in the batch; the server takes at most {} (--max-batch)",
            request.items.len(),
            state.limits.max_batch
        )));
    }
    let targets = request
        .items
        .iter()
        .enumerate()
        .map(|(index, item)| {
            Target::of(item).map(|target| (target, item.allow_incomplete)).map_err(|error| error.in_item(index))
        })
        .collect::<Result<Vec<_>, _>>()?;
    refuse_repeated_clients(targets.iter().map(|(target, _)| target))?;
    state
        .blocking(move |state| {
            let results = targets
                .iter()
                .enumerate()
                .map(|(index, (target, allow))| {
                    score(state, "/predict/batch", target, *allow).map_err(|error| error.in_item(index))
                })
                .collect::<Result<Vec<_>, _>>()?;
            Ok(BatchResponse { results })
        })
        .await
        .map(ApiJson)
}

/// A client asked twice in one batch is refused, naming both items: one answer per client.
fn refuse_repeated_clients<'a>(targets: impl Iterator<Item = &'a Target>) -> Result<(), ApiError> {
    let mut seen = std::collections::HashMap::new();
    for (index, target) in targets.enumerate() {
        if let Target::Client(id) = target
            && let Some(first) = seen.insert(*id, index)
        {
            return Err(ApiError::invalid(
                "invalid_request",
                format!("items[{index}].client_id"),
                format!("items[{index}]: client {id} is already items[{first}]; ask for each client once in a batch"),
            ));
        }
    }
    Ok(())
}

/// The score with every feature's TreeSHAP contribution and the principal reasons.
#[utoipa::path(
    post, path = "/explain", tag = "scoring",
    request_body = ScoreRequest, params(LangQuery),
    responses(
        (status = 200, description = "The explanation", body = ExplainResponse),
        (status = 404, description = "No client with this id", body = crate::api::dto::ErrorBody),
        (status = 422, description = "Invalid request or features, naming the field; or an incomplete application (`incomplete_application`, naming every missing required field)", body = crate::api::dto::ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn explain(
    State(state): State<AppState>,
    query: Result<Query<LangQuery>, QueryRejection>,
    ApiJson(request): ApiJson<ScoreRequest>,
) -> Result<ApiJson<ExplainResponse>, ApiError> {
    let lang = language(request.lang, query)?;
    let target = Target::of(&request)?;
    let allow = request.allow_incomplete;
    state
        .blocking(move |state| {
            let explanation = match &target {
                Target::Client(id) => state.scorer.explain(*id),
                Target::Inputs(inputs) => state.scorer.explain_inputs(inputs),
            }
            .map_err(ApiError::from_scoring)?;
            decided_or_allowed(&explanation.score, allow)?;
            if let Some(shadow) = &state.shadow {
                shadow.compare(&state.metrics, "/explain", &target, &explanation.score);
            }
            let features = &state.scorer.info().features;
            let subject = target.subject(explanation.score.client_id);
            let mut response = ExplainResponse::new(&explanation, subject, features, state.model_version(), lang);
            response.warnings = target.warnings(features);
            Ok(response)
        })
        .await
        .map(ApiJson)
}

/// A client's explanation with some actionable inputs set to other values; the client's
/// data is not changed.
#[utoipa::path(
    post, path = "/what-if", tag = "scoring",
    request_body = WhatIfRequest, params(LangQuery),
    responses(
        (status = 200, description = "The explanation with the changes", body = ExplainResponse),
        (status = 404, description = "No client with this id", body = crate::api::dto::ErrorBody),
        (status = 422, description = "A change cannot be applied (`changes.NAME`), or the client's application is incomplete (`incomplete_application`)", body = crate::api::dto::ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn what_if(
    State(state): State<AppState>,
    query: Result<Query<LangQuery>, QueryRejection>,
    ApiJson(request): ApiJson<WhatIfRequest>,
) -> Result<ApiJson<ExplainResponse>, ApiError> {
    let lang = language(request.lang, query)?;
    let mut changes = Vec::with_capacity(request.changes.len());
    for (name, value) in &request.changes {
        let Some(number) = value.as_f64() else {
            return Err(ApiError::invalid(
                "invalid_features",
                format!("changes.{name}"),
                format!("`{name}` must be a number, not {value}"),
            ));
        };
        changes.push((name.clone(), number));
    }
    let id = request.client_id;
    let allow = request.allow_incomplete;
    state
        .blocking(move |state| {
            let explanation = state.scorer.what_if(id, &changes).map_err(|error| match error {
                crate::scoring::ScoringError::UnknownFeature(name) => ApiError::invalid(
                    "invalid_features",
                    format!("changes.{name}"),
                    format!("`{name}` is not a feature of the model"),
                ),
                other => ApiError::from_scoring(other),
            })?;
            decided_or_allowed(&explanation.score, allow)?;
            let features = &state.scorer.info().features;
            Ok(ExplainResponse::new(&explanation, Subject::client(id), features, state.model_version(), lang))
        })
        .await
        .map(ApiJson)
}

/// What would change a refused applicant's decision: the smallest change of the loan found
/// within the reference population's ranges. The applicant is a served client (`client_id`)
/// or given by `features`, read and checked as in `/predict`.
#[utoipa::path(
    post, path = "/counterfactual", tag = "scoring",
    request_body = ClientRequest, params(LangQuery),
    responses(
        (status = 200, description = "The proposal, or why there is none", body = CounterfactualResponse),
        (status = 404, description = "No client with this id", body = crate::api::dto::ErrorBody),
        (status = 422, description = "Invalid request or features, naming the field; or an incomplete application (`incomplete_application`, naming every missing required field): there is no decision to change", body = crate::api::dto::ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn counterfactual(
    State(state): State<AppState>,
    query: Result<Query<LangQuery>, QueryRejection>,
    ApiJson(request): ApiJson<ClientRequest>,
) -> Result<ApiJson<CounterfactualResponse>, ApiError> {
    let lang = language(request.lang, query)?;
    let target = Target::of(&request.to_score_request())?;
    state
        .blocking(move |state| {
            let found = match &target {
                Target::Client(id) => state.scorer.counterfactual(*id),
                Target::Inputs(inputs) => state.scorer.counterfactual_inputs(inputs),
            }
            .map_err(|error| match error {
                // Not the other routes' advice: there is no exploratory search.
                error @ ScoringError::Incomplete { .. } => ApiError::Invalid {
                    code: "incomplete_application",
                    message: format!("{error}; send them: there is no decision to change without them"),
                    field: None,
                },
                other => ApiError::from_scoring(other),
            })?;
            let scored = match &target {
                Target::Client(id) => *id,
                Target::Inputs(inputs) => crate::scoring::id_of_inputs(inputs),
            };
            Ok(CounterfactualResponse::new(target.subject(scored), &found, state.model_version(), lang))
        })
        .await
        .map(ApiJson)
}
