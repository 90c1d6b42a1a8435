//! `GET /clients`, `GET /clients/{id}` and `GET /clients/{id}/history`.

use axum::Router;
use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::routing::get;

use crate::api::dto::{ClientRecordDto, ClientSummaryDto, ClientsPage, ClientsQuery};
use crate::api::error::{ApiError, ApiJson};
use crate::api::state::AppState;

/// Clients in a page when the query does not say.
const DEFAULT_LIMIT: usize = 100;
/// Most clients in a page.
const MAX_LIMIT: usize = 1000;

/// The client routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/clients", get(list))
        .route("/clients/{id}", get(record))
        .route("/clients/{id}/history", get(history))
}

/// A page of the served clients (id, age, amount, loan type; no protected attribute).
#[utoipa::path(
    get, path = "/clients", tag = "clients", params(ClientsQuery),
    responses((status = 200, body = ClientsPage), (status = 400, body = crate::api::dto::ErrorBody)),
    security(("bearer" = []))
)]
pub async fn list(
    State(state): State<AppState>,
    query: Result<Query<ClientsQuery>, QueryRejection>,
) -> Result<ApiJson<ClientsPage>, ApiError> {
    let Query(query) = query?;
    let limit = query.limit.unwrap_or(DEFAULT_LIMIT);
    if limit > MAX_LIMIT {
        return Err(ApiError::Malformed(format!("limit {limit} is more than {MAX_LIMIT}; page with offset")));
    }
    let offset = query.offset.unwrap_or(0);
    let terms: Vec<String> = query.search.as_deref().unwrap_or("").split_whitespace().map(str::to_lowercase).collect();
    state
        .blocking(move |state| {
            let clients = state.scorer.clients().map_err(crate::api::error::ApiError::from_scoring)?;
            let matching: Vec<_> = clients
                .iter()
                .filter(|client| {
                    let line = client.search_text();
                    terms.iter().all(|term| line.contains(term))
                })
                .collect();
            Ok(ClientsPage {
                total: matching.len(),
                offset,
                clients: matching
                    .iter()
                    .skip(offset)
                    .take(limit)
                    .map(|client| ClientSummaryDto::from(*client))
                    .collect(),
            })
        })
        .await
        .map(ApiJson)
}

/// One client's model inputs, each with where the client stands in the reference population.
#[utoipa::path(
    get, path = "/clients/{id}", tag = "clients",
    params(("id" = i64, Path, description = "SK_ID_CURR", example = 400005)),
    responses(
        (status = 200, body = ClientRecordDto),
        (status = 400, description = "The id is not a whole number", body = crate::api::dto::ErrorBody),
        (status = 404, body = crate::api::dto::ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn record(
    State(state): State<AppState>,
    id: Result<Path<i64>, PathRejection>,
) -> Result<ApiJson<ClientRecordDto>, ApiError> {
    let Path(id) = id.map_err(|_| ApiError::Malformed("the client id must be a whole number (SK_ID_CURR)".into()))?;
    state
        .blocking(move |state| {
            let record = state.scorer.client(id).map_err(ApiError::from_scoring)?;
            Ok(ClientRecordDto::new(&record, &state.scorer.info().features))
        })
        .await
        .map(ApiJson)
}

/// One client's credit history: the credits with other lenders (most recent first) with
/// their monthly statuses, and the months of a card with us (oldest first). Which tables the
/// server was given is said in `bureau_given`, `balance_given` and `card_given`: all false
/// when it has none, and then the lists are empty.
#[utoipa::path(
    get, path = "/clients/{id}/history", tag = "clients",
    params(("id" = i64, Path, description = "SK_ID_CURR", example = 400005)),
    responses(
        (status = 200, description = "The client's credit-history records", body = Object),
        (status = 400, description = "The id is not a whole number", body = crate::api::dto::ErrorBody),
        (status = 404, body = crate::api::dto::ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn history(
    State(state): State<AppState>,
    id: Result<Path<i64>, PathRejection>,
) -> Result<ApiJson<crate::domain::history::ClientHistory>, ApiError> {
    let Path(id) = id.map_err(|_| ApiError::Malformed("the client id must be a whole number (SK_ID_CURR)".into()))?;
    state
        .blocking(move |state| {
            let history = state.scorer.history(id).map_err(ApiError::from_scoring)?;
            Ok(history.unwrap_or_default())
        })
        .await
        .map(ApiJson)
}
