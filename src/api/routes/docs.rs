//! `GET /openapi.json`: the API's description, generated from the handlers and the DTOs.

use std::sync::OnceLock;

use axum::Router;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use crate::api::dto;
use crate::api::error::ApiError;
use crate::api::state::AppState;

/// The OpenAPI document.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "Prêt à dépenser scoring API",
        description = "Probability of default, decision and exact TreeSHAP explanations of loan applicants, \
                       from the model and data `pad serve` was started with. With PAD_API_TOKEN set, every route \
                       but /health needs `Authorization: Bearer <token>`. Errors are `{\"error\": {\"code\", \"message\"}}`."
    ),
    paths(
        super::health::health,
        super::model::model,
        super::clients::list,
        super::clients::record,
        super::scoring::predict,
        super::scoring::predict_batch,
        super::scoring::explain,
        super::scoring::what_if,
        super::scoring::counterfactual,
        super::features::distribution,
        super::portfolio::portfolio,
        super::portfolio::drift,
        openapi,
        crate::api::metrics_route,
    ),
    components(schemas(dto::ErrorBody, dto::ErrorDetail)),
    modifiers(&BearerToken),
    tags(
        (name = "scoring", description = "Scores, explanations, what-if and counterfactuals"),
        (name = "clients", description = "The served portfolio's clients"),
        (name = "model", description = "The model and its features"),
        (name = "portfolio", description = "The applicants as a whole"),
        (name = "service", description = "Health, metrics and this document"),
    )
)]
pub struct ApiDoc;

/// Declares the bearer token scheme the routes refer to.
struct BearerToken;

impl Modify for BearerToken {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

/// The document route.
pub fn router() -> Router<AppState> {
    Router::new().route("/openapi.json", get(openapi))
}

/// This document.
#[utoipa::path(get, path = "/openapi.json", tag = "service", responses((status = 200, description = "OpenAPI 3.1", body = Object)), security(("bearer" = [])))]
pub async fn openapi() -> Response {
    // The document never changes while the server runs: written once.
    static DOCUMENT: OnceLock<Result<String, String>> = OnceLock::new();
    let document = DOCUMENT.get_or_init(|| ApiDoc::openapi().to_json().map_err(|error| error.to_string()));
    match document {
        Ok(json) => ([(header::CONTENT_TYPE, "application/json")], json.clone()).into_response(),
        Err(error) => ApiError::Internal(format!("OpenAPI document: {error}")).into_response(),
    }
}
