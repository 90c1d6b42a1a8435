//! [`ApiError`]: every way a request can fail, each with one status code and a stable JSON
//! body `{"error": {"code", "message"}}`; and [`ApiJson`], the JSON extractor whose
//! rejections are API errors too.
//!
//! Client errors say what to fix. A server error tells the client only that it happened and
//! the request id to quote; its cause goes to the log, inside the request's span.

use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{FromRequest, Request};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use super::dto::{ErrorBody, ErrorDetail};
use crate::domain::format::quote_external;
use crate::scoring::ScoringError;

/// How many characters of a request-provided text a log line quotes.
const LOGGED_MAX_CHARS: usize = 500;

/// A failed request.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ApiError {
    /// 400: the body is not JSON, or a query or path parameter is malformed.
    #[error("{0}")]
    Malformed(String),
    /// 401: no bearer token, or not one the server takes; the message says why.
    #[error("{0}")]
    Unauthorized(String),
    /// 403: the caller's role (or the role of the author a record names) may not do this; the
    /// message names the role needed.
    #[error("{0}")]
    Forbidden(String),
    /// 409: the journal's state forbids it (a review of an uncontested decision, by its
    /// decider, a second review of one contest, a second open contest).
    #[error("{0}")]
    StateConflict(String),
    /// 404: no client with this id.
    #[error("no client with id {0}")]
    UnknownClient(i64),
    /// 404: the model has no feature of this name.
    #[error(
        "the model has no feature `{}`; GET /model lists them",
        crate::domain::format::quote_external(.0, crate::domain::format::QUOTE_MAX_CHARS)
    )]
    UnknownFeature(String),
    /// 404: no such route.
    #[error("no route {0}; GET /openapi.json lists them")]
    UnknownRoute(String),
    /// 405: the route exists with another method.
    #[error("{0} is not allowed here; GET /openapi.json lists the methods")]
    MethodNotAllowed(String),
    /// 413: the body or the batch is larger than the server takes.
    #[error("{0}")]
    TooLarge(String),
    /// 415: the body is not declared as JSON.
    #[error("send the body as JSON with `Content-Type: application/json`")]
    NotJson,
    /// 422: the JSON is well-formed but its content cannot be used.
    #[error("{message}")]
    Invalid {
        /// `invalid_request` (the shape) or `invalid_features` (an input's name or value).
        code: &'static str,
        /// What is wrong and what to send instead.
        message: String,
        /// The request field at fault.
        field: Option<String>,
    },
    /// 404: no recorded decision with this id.
    #[error("no decision {0} in the journal")]
    UnknownDecision(i64),
    /// 404: the journal has no signed checkpoint yet.
    #[error("{0}")]
    NoCheckpoint(String),
    /// 409: the idempotency key was used for another request.
    #[error("{0}")]
    Conflict(String),
    /// 503: the decision journal cannot be reached; nothing was recorded.
    #[error("{0}")]
    JournalUnavailable(String),
    /// 503: the request took longer than the server allows.
    #[error("the request took longer than {0} s; try again")]
    Timeout(u64),
    /// 500: a failure of the server itself; the cause is logged, not sent.
    #[error("internal error")]
    Internal(String),
}

impl ApiError {
    /// The 401 of a request without a token the server takes.
    pub fn unauthorized() -> ApiError {
        ApiError::Unauthorized("missing or wrong bearer token: send `Authorization: Bearer <token>`".into())
    }

    /// The status code of this error.
    pub fn status(&self) -> StatusCode {
        match self {
            ApiError::Malformed(_) => StatusCode::BAD_REQUEST,
            ApiError::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            ApiError::Forbidden(_) => StatusCode::FORBIDDEN,
            ApiError::StateConflict(_) => StatusCode::CONFLICT,
            ApiError::UnknownClient(_)
            | ApiError::UnknownFeature(_)
            | ApiError::UnknownRoute(_)
            | ApiError::UnknownDecision(_)
            | ApiError::NoCheckpoint(_) => StatusCode::NOT_FOUND,
            ApiError::Conflict(_) => StatusCode::CONFLICT,
            ApiError::JournalUnavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::MethodNotAllowed(_) => StatusCode::METHOD_NOT_ALLOWED,
            ApiError::TooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::NotJson => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ApiError::Invalid { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::Timeout(_) => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The stable code of this error.
    pub fn code(&self) -> &'static str {
        match self {
            ApiError::Malformed(_) => "malformed_request",
            ApiError::Unauthorized(_) => "unauthorized",
            ApiError::Forbidden(_) => "forbidden",
            ApiError::StateConflict(_) => "conflict",
            ApiError::UnknownClient(_) => "unknown_client",
            ApiError::UnknownFeature(_) => "unknown_feature",
            ApiError::UnknownRoute(_) => "not_found",
            ApiError::MethodNotAllowed(_) => "method_not_allowed",
            ApiError::TooLarge(_) => "payload_too_large",
            ApiError::NotJson => "unsupported_media_type",
            ApiError::Invalid { code, .. } => code,
            ApiError::Timeout(_) => "timeout",
            ApiError::UnknownDecision(_) => "unknown_decision",
            ApiError::NoCheckpoint(_) => "no_checkpoint",
            ApiError::Conflict(_) => "idempotency_conflict",
            ApiError::JournalUnavailable(_) => "journal_unavailable",
            ApiError::Internal(_) => "internal",
        }
    }

    /// A 422 about one field of the request.
    pub fn invalid(code: &'static str, field: impl Into<String>, message: impl Into<String>) -> ApiError {
        ApiError::Invalid { code, message: message.into(), field: Some(field.into()) }
    }

    /// The same error about an item of a batch: `items[3].features.AMT_CREDIT`.
    pub fn in_item(self, index: usize) -> ApiError {
        match self {
            ApiError::Invalid { code, message, field } => ApiError::Invalid {
                code,
                message: format!("items[{index}]: {message}"),
                field: Some(match field {
                    Some(field) => format!("items[{index}].{field}"),
                    None => format!("items[{index}]"),
                }),
            },
            ApiError::UnknownClient(id) => ApiError::Invalid {
                code: "unknown_client",
                message: format!("items[{index}]: no client with id {id}"),
                field: Some(format!("items[{index}].client_id")),
            },
            other => other,
        }
    }

    /// A scorer's error as the client of a by-id or by-features request should hear it.
    pub fn from_scoring(error: ScoringError) -> ApiError {
        match error {
            ScoringError::UnknownClient(id) => ApiError::UnknownClient(id),
            ScoringError::UnknownFeature(name) => ApiError::UnknownFeature(name),
            ScoringError::Input(input) => {
                let field = format!("features.{}", input.field());
                ApiError::invalid("invalid_features", field, input.to_string())
            }
            ScoringError::InvalidChange { feature, message } => {
                ApiError::invalid("invalid_features", format!("changes.{feature}"), format!("{feature}: {message}"))
            }
            error @ ScoringError::Incomplete { .. } => ApiError::Invalid {
                code: "incomplete_application",
                message: format!(
                    "{error}; send them, or set \"allow_incomplete\": true for an exploratory score that is not a decision"
                ),
                field: None,
            },
            other => ApiError::Internal(other.to_string()),
        }
    }
}

impl ApiError {
    /// A journal's error as the client should hear it.
    pub fn from_journal(error: crate::journal::JournalError) -> ApiError {
        use crate::journal::JournalError;
        match error {
            JournalError::Invalid { field, message } => ApiError::Invalid {
                code: "invalid_decision",
                message: format!("{field}: {message}"),
                field: Some(field),
            },
            JournalError::IdempotencyConflict => ApiError::Conflict(error.to_string()),
            JournalError::NotFound(id) => ApiError::UnknownDecision(id),
            JournalError::Conflict(message) => ApiError::StateConflict(message),
            JournalError::NotAllowed(message) => ApiError::Forbidden(message),
            JournalError::Unreachable { .. } | JournalError::Credentials { .. } => {
                tracing::error!(cause = %error, "the journal cannot be reached");
                ApiError::JournalUnavailable(
                    "the decision journal cannot be reached; nothing was recorded, try again".into(),
                )
            }
            other => ApiError::Internal(other.to_string()),
        }
    }
}

impl From<JsonRejection> for ApiError {
    fn from(rejection: JsonRejection) -> ApiError {
        match rejection {
            JsonRejection::JsonDataError(error) => {
                let (message, field) = data_error(&error.body_text());
                ApiError::Invalid { code: "invalid_request", message, field }
            }
            JsonRejection::MissingJsonContentType(_) => ApiError::NotJson,
            JsonRejection::BytesRejection(error) if error.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                ApiError::TooLarge("the request body is larger than the server takes (--max-body)".into())
            }
            other => ApiError::Malformed(other.body_text()),
        }
    }
}

/// The message of a body that is JSON but not of the expected shape, without axum's preamble,
/// and the field it names: serde reports `client_id: invalid type: …` or `items[1].client_id:
/// …`, and a message about the body as a whole (`missing field …`) has no field.
fn data_error(text: &str) -> (String, Option<String>) {
    let message = text
        .strip_prefix("Failed to deserialize the JSON body into the target type: ")
        .or_else(|| text.strip_prefix("Failed to parse the request body as JSON: "))
        .unwrap_or(text);
    let field = message
        .split_once(": ")
        .map(|(path, _)| path)
        .filter(|path| !path.is_empty() && path != &"." && !path.contains(char::is_whitespace))
        .map(str::to_string);
    (message.to_string(), field)
}

impl From<QueryRejection> for ApiError {
    fn from(rejection: QueryRejection) -> ApiError {
        ApiError::Malformed(rejection.body_text())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.status();
        if let ApiError::Internal(cause) = &self {
            // Logged inside the request's span, which carries the request id.
            tracing::error!(cause = %quote_external(cause, LOGGED_MAX_CHARS), "request failed");
        } else {
            // Inside the request's span: the line carries the route and the request id.
            // The reason may quote what the caller sent: escaped, so that it cannot forge log lines.
            let reason = quote_external(&self.to_string(), LOGGED_MAX_CHARS);
            tracing::info!(status = status.as_u16(), code = self.code(), %reason, "request refused");
        }
        let field = match &self {
            ApiError::Invalid { field, .. } => field.clone(),
            _ => None,
        };
        let body = ErrorBody { error: ErrorDetail { code: self.code().to_string(), message: self.to_string(), field } };
        (status, axum::Json(body)).into_response()
    }
}

/// `axum::Json` whose rejection is an [`ApiError`], so malformed bodies get the same JSON
/// errors as everything else.
#[derive(Debug, Clone, Copy, Default)]
pub struct ApiJson<T>(pub T);

impl<S, T> FromRequest<S> for ApiJson<T>
where
    T: serde::de::DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        if !declares_json(request.headers()) {
            return Err(ApiError::NotJson);
        }
        let bytes = axum::body::Bytes::from_request(request, state).await.map_err(|rejection| {
            if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
                ApiError::TooLarge("the request body is larger than the server takes (--max-body)".into())
            } else {
                ApiError::Malformed(rejection.body_text())
            }
        })?;
        match axum::Json::<T>::from_bytes(&bytes) {
            Ok(axum::Json(value)) => Ok(ApiJson(value)),
            // serde_json calls some wrong values syntax errors (a number beyond f64's range such
            // as `1e400`, a number where a text was expected): when the body is well-formed
            // JSON, they are about a field's value, so a 422 naming the field.
            Err(JsonRejection::JsonSyntaxError(error))
                if serde_json::from_slice::<serde::de::IgnoredAny>(&bytes).is_ok() =>
            {
                let (message, field) = data_error(&error.body_text());
                Err(ApiError::Invalid { code: "invalid_request", message, field })
            }
            Err(rejection) => Err(rejection.into()),
        }
    }
}

/// Whether the request says its body is JSON (`application/json` or `application/…+json`),
/// as axum's `Json` requires.
fn declares_json(headers: &axum::http::HeaderMap) -> bool {
    let Some(value) = headers.get(axum::http::header::CONTENT_TYPE).and_then(|value| value.to_str().ok()) else {
        return false;
    };
    let essence = value.split(';').next().unwrap_or_default().trim().to_ascii_lowercase();
    match essence.split_once('/') {
        Some((kind, subtype)) => kind == "application" && (subtype == "json" || subtype.ends_with("+json")),
        None => false,
    }
}

impl<T: serde::Serialize> IntoResponse for ApiJson<T> {
    fn into_response(self) -> Response {
        axum::Json(self.0).into_response()
    }
}
