//! `GET /health`: open to all, for load balancers.

use axum::Router;
use axum::extract::State;
use axum::routing::get;

use crate::api::dto::Health;
use crate::api::error::ApiJson;
use crate::api::state::AppState;

/// The health route.
pub fn router() -> Router<AppState> {
    Router::new().route("/health", get(health))
}

/// The server is up and serves this model version. Needs no token.
#[utoipa::path(get, path = "/health", tag = "service", responses((status = 200, body = Health)))]
pub async fn health(State(state): State<AppState>) -> ApiJson<Health> {
    ApiJson(Health { status: "ok".into(), model_version: state.model_version().to_string() })
}
