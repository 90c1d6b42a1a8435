//! `GET /portfolio`, `GET /drift` and `GET /fairness`: the served applicants and the reference
//! population as a whole, each computed once.

use std::sync::Arc;

use axum::Router;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use tokio::sync::OnceCell;

use crate::api::dto::PortfolioResponse;
use crate::api::error::{ApiError, ApiJson};
use crate::api::state::AppState;

/// The portfolio routes.
pub fn router() -> Router<AppState> {
    Router::new().route("/portfolio", get(portfolio)).route("/drift", get(drift)).route("/fairness", get(fairness))
}

/// Every applicant's probability and the model's global importance (mean |SHAP|).
#[utoipa::path(
    get, path = "/portfolio", tag = "portfolio",
    responses((status = 200, body = PortfolioResponse)),
    security(("bearer" = []))
)]
pub async fn portfolio(State(state): State<AppState>) -> Result<ApiJson<PortfolioResponse>, ApiError> {
    let computed = once(Arc::clone(&state.portfolio), state, |state| {
        let portfolio = state.scorer.portfolio(&|_, _| ()).map_err(ApiError::from_scoring)?;
        Ok(PortfolioResponse::from(&portfolio))
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
    let computed =
        once(Arc::clone(&state.drift), state, |state| state.scorer.drift().map_err(ApiError::from_scoring)).await?;
    Ok(axum::Json(computed.as_ref()).into_response())
}

/// Fairness of the decisions on the reference population by sex, age band, family status and
/// children, with the proxies of those attributes (the JSON of `pad fairness --format json`).
#[utoipa::path(
    get, path = "/fairness", tag = "portfolio",
    responses((status = 200, description = "The fairness report", body = Object)),
    security(("bearer" = []))
)]
pub async fn fairness(State(state): State<AppState>) -> Result<Response, ApiError> {
    let computed =
        once(Arc::clone(&state.fairness), state, |state| state.scorer.fairness().map_err(ApiError::from_scoring))
            .await?;
    Ok(axum::Json(computed.as_ref()).into_response())
}

/// The value in `cell`, computed by `work` the first time. The computation runs in its own
/// task: a request given up meanwhile (a timeout, a client gone) does not throw it away, and
/// the next request gets it.
async fn once<T: Send + Sync + 'static>(
    cell: Arc<OnceCell<Arc<T>>>,
    state: AppState,
    work: impl FnOnce(&AppState) -> Result<T, ApiError> + Send + 'static,
) -> Result<Arc<T>, ApiError> {
    let task = tokio::spawn(async move {
        cell.get_or_try_init(|| async move { state.blocking(work).await.map(Arc::new) }).await.cloned()
    });
    task.await.map_err(|error| ApiError::Internal(format!("portfolio task: {error}")))?
}
