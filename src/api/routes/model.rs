//! `GET /model`: the model served, its threshold, its features and its card.

use axum::Router;
use axum::extract::State;
use axum::routing::get;

use crate::api::dto::ModelResponse;
use crate::api::error::ApiJson;
use crate::api::state::AppState;

/// The model route.
pub fn router() -> Router<AppState> {
    Router::new().route("/model", get(model))
}

/// The model version, threshold, features (labels, units, categories) and card.
#[utoipa::path(
    get, path = "/model", tag = "model",
    responses((status = 200, body = ModelResponse), (status = 401, body = crate::api::dto::ErrorBody)),
    security(("bearer" = []))
)]
pub async fn model(State(state): State<AppState>) -> ApiJson<ModelResponse> {
    ApiJson(state.model.as_ref().clone())
}
