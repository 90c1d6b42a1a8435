//! `GET /portfolio` and `GET /drift`: the served applicants as a whole, each computed once.

use std::sync::Arc;

use axum::Router;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use super::blocking;
use crate::api::dto::PortfolioResponse;
use crate::api::error::{ApiError, ApiJson};
use crate::api::state::AppState;

/// The portfolio routes.
pub fn router() -> Router<AppState> {
    Router::new().route("/portfolio", get(portfolio)).route("/drift", get(drift))
}

/// Every applicant's probability and the model's global importance (mean |SHAP|).
#[utoipa::path(
    get, path = "/portfolio", tag = "portfolio",
    responses((status = 200, body = PortfolioResponse)),
    security(("bearer" = []))
)]
pub async fn portfolio(State(state): State<AppState>) -> Result<ApiJson<PortfolioResponse>, ApiError> {
    let cell = Arc::clone(&state.portfolio);
    let computed = cell
        .get_or_try_init(|| async {
            blocking(move || {
                let portfolio = state.scorer.portfolio(&|_, _| ()).map_err(ApiError::from_scoring)?;
                Ok(Arc::new(PortfolioResponse::from(&portfolio)))
            })
            .await
        })
        .await?;
    Ok(ApiJson(computed.as_ref().clone()))
}

/// Drift of the applicants against the reference population, feature by feature (the JSON
/// of `pad drift --format json`).
#[utoipa::path(
    get, path = "/drift", tag = "portfolio",
    responses((status = 200, description = "The drift report", body = Object)),
    security(("bearer" = []))
)]
pub async fn drift(State(state): State<AppState>) -> Result<Response, ApiError> {
    let cell = Arc::clone(&state.drift);
    let computed = cell
        .get_or_try_init(|| async {
            blocking(move || Ok(Arc::new(state.scorer.drift().map_err(ApiError::from_scoring)?))).await
        })
        .await?;
    Ok(axum::Json(computed.as_ref()).into_response())
}
