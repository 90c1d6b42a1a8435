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
                       from the model and data `pad serve` was started with. Every route but /health needs \
                       `Authorization: Bearer <token>`: a user's token (`pad users add`; roles rm, reviewer, \
                       auditor, admin) or PAD_API_TOKEN (an admin); a server with neither users nor PAD_API_TOKEN \
                       is open. Errors are `{\"error\": {\"code\", \"message\"}}`."
    ),
    paths(
        super::health::health,
        super::model::model,
        super::clients::list,
        super::clients::record,
        super::clients::history,
        super::scoring::predict,
        super::scoring::predict_batch,
        super::scoring::explain,
        super::scoring::what_if,
        super::scoring::counterfactual,
        super::features::distribution,
        super::portfolio::portfolio,
        super::portfolio::drift,
        super::portfolio::fairness,
        super::decisions::record,
        super::decisions::list,
        super::decisions::one,
        super::cases::contest,
        super::cases::review,
        super::cases::case,
        super::cases::contests,
        super::cases::access_log,
        super::cases::me,
        super::evidence::checkpoint,
        super::evidence::proof,
        super::evidence::consistency,
        openapi,
        crate::api::metrics_route,
    ),
    components(schemas(dto::ErrorBody, dto::ErrorDetail)),
    modifiers(&BearerToken, &CommonErrors),
    tags(
        (name = "scoring", description = "Scores, explanations, what-if and counterfactuals"),
        (name = "clients", description = "The served portfolio's clients"),
        (name = "model", description = "The model and its features"),
        (name = "portfolio", description = "The applicants as a whole"),
        (name = "decisions", description = "The decision journal: recorded decisions, append-only and hash-chained"),
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

/// Documents on every operation the errors any request of its kind can get, where the
/// operation does not describe them itself: 401 when it needs the token; 400, 413, 415 and
/// 422 when it takes a JSON body; 400 when it takes parameters; 503 past `--timeout`.
struct CommonErrors;

impl Modify for CommonErrors {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::{ContentBuilder, Ref, RefOr, ResponseBuilder};
        let error = |description: &str| -> RefOr<utoipa::openapi::Response> {
            let content = ContentBuilder::new().schema(Some(Ref::from_schema_name("ErrorBody"))).build();
            RefOr::T(ResponseBuilder::new().description(description).content("application/json", content).build())
        };
        for item in openapi.paths.paths.values_mut() {
            let operations = [&mut item.get, &mut item.post, &mut item.put, &mut item.delete, &mut item.patch];
            for operation in operations.into_iter().flatten() {
                let mut common = Vec::new();
                if operation.security.as_ref().is_some_and(|security| !security.is_empty()) {
                    common.push(("401", "Missing, unknown, revoked or expired bearer token"));
                    common.push(("403", "The caller's role may not do this: the message names the role needed"));
                }
                if operation.request_body.is_some() {
                    common.push(("400", "The body is not JSON, or a parameter is malformed"));
                    common.push(("413", "The body is larger than --max-body"));
                    common.push(("415", "The body is not declared as JSON (`Content-Type: application/json`)"));
                    common.push(("422", "The JSON cannot be used: the message names the field"));
                } else if operation.parameters.as_ref().is_some_and(|parameters| !parameters.is_empty()) {
                    common.push(("400", "A parameter is malformed"));
                }
                common.push(("503", "The request took longer than --timeout"));
                for (status, description) in common {
                    operation.responses.responses.entry(status.to_string()).or_insert_with(|| error(description));
                }
            }
        }
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
