//! `GET /features/{name}/distribution`.

use axum::Router;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::routing::get;

use crate::api::dto::DistributionResponse;
use crate::api::error::{ApiError, ApiJson};
use crate::api::state::AppState;

/// The feature routes.
pub fn router() -> Router<AppState> {
    Router::new().route("/features/{name}/distribution", get(distribution))
}

/// How a feature is spread in the reference population, repaid and defaulted apart.
#[utoipa::path(
    get, path = "/features/{name}/distribution", tag = "model",
    params(("name" = String, Path, description = "A model feature, e.g. EXT_SOURCE_3", example = "EXT_SOURCE_3")),
    responses((status = 200, body = DistributionResponse), (status = 404, body = crate::api::dto::ErrorBody)),
    security(("bearer" = []))
)]
pub async fn distribution(
    State(state): State<AppState>,
    name: Result<Path<String>, PathRejection>,
) -> Result<ApiJson<DistributionResponse>, ApiError> {
    let Path(name) = name.map_err(|rejection| ApiError::Malformed(rejection.body_text()))?;
    state
        .blocking(move |state| {
            let distribution = state.scorer.distribution(&name).map_err(ApiError::from_scoring)?;
            Ok(DistributionResponse::from(&distribution))
        })
        .await
        .map(ApiJson)
}
