//! The journal as evidence over HTTP: `GET /checkpoint` (the latest signed checkpoint, as
//! its C2SP text), `GET /decisions/{id}/proof?tree_size=N` (an event's inclusion proof) and
//! `GET /checkpoint/consistency?from=M&to=N` (a consistency proof). Any signed-in role reads
//! them: an auditor saves checkpoints outside the bank's database and checks proofs later.

use axum::Router;
use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use crate::api::dto::{ConsistencyProofDto, ConsistencyQuery, InclusionProofDto, ProofQuery};
use crate::api::error::{ApiError, ApiJson};
use crate::api::state::AppState;
use crate::journal::evidence::note::SignedCheckpoint;
use crate::journal::{Journal, JournalError};

/// The routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/checkpoint", get(checkpoint))
        .route("/checkpoint/consistency", get(consistency))
        .route("/decisions/{id}/proof", get(proof))
}

fn journal(state: &AppState) -> Result<&Journal, ApiError> {
    state.journal.as_ref().ok_or_else(|| {
        ApiError::JournalUnavailable("this server keeps no journal: start pad serve with --journal URL".into())
    })
}

/// A journal error about a query parameter: a 422 naming it.
fn about(error: JournalError) -> ApiError {
    match error {
        JournalError::Invalid { field, message } => {
            ApiError::invalid("invalid_request", field.clone(), format!("{field}: {message}"))
        }
        other => ApiError::from_journal(other),
    }
}

/// The latest checkpoint's tree size, else the tree's size now.
async fn default_size(journal: &Journal) -> Result<u64, ApiError> {
    match journal.latest_checkpoint().await.map_err(ApiError::from_journal)? {
        Some(text) => SignedCheckpoint::parse(&text)
            .map(|signed| signed.checkpoint.size)
            .map_err(|error| ApiError::Internal(format!("the latest checkpoint cannot be read: {error}"))),
        None => journal.extend_tree().await.map_err(ApiError::from_journal),
    }
}

/// The latest checkpoint of the journal's Merkle tree, as signed (a C2SP signed note).
#[utoipa::path(
    get, path = "/checkpoint", tag = "decisions",
    responses(
        (status = 200, description = "The C2SP checkpoint text: origin, tree size, base64 root hash, an empty line and the signature lines", content_type = "text/plain", body = String),
        (status = 404, description = "No checkpoint was signed yet", body = crate::api::dto::ErrorBody),
        (status = 503, description = "The journal cannot be reached", body = crate::api::dto::ErrorBody)
    ),
    security(("bearer" = []))
)]
pub async fn checkpoint(State(state): State<AppState>) -> Result<Response, ApiError> {
    let journal = journal(&state)?;
    let text = journal.latest_checkpoint().await.map_err(ApiError::from_journal)?.ok_or_else(|| {
        ApiError::NoCheckpoint(
            "no checkpoint was signed yet: start pad serve with --checkpoint-key FILE, or run pad journal checkpoint"
                .into(),
        )
    })?;
    Ok(([(header::CONTENT_TYPE, "text/plain; charset=utf-8")], text).into_response())
}

/// The inclusion proof of an event (a decision, contest, review or purge) in the tree of the
/// first `tree_size` events: RFC 9162 §2.1.3, hashes from the leaf up, base64.
#[utoipa::path(
    get, path = "/decisions/{id}/proof", tag = "decisions",
    params(("id" = i64, Path, description = "The event's id"), ProofQuery),
    responses(
        (status = 200, description = "The proof", body = InclusionProofDto),
        (status = 404, body = crate::api::dto::ErrorBody),
        (status = 422, description = "The tree of that size does not hold the event, or the journal has not reached that size", body = crate::api::dto::ErrorBody),
        (status = 503, description = "The journal cannot be reached", body = crate::api::dto::ErrorBody)
    ),
    security(("bearer" = []))
)]
pub async fn proof(
    State(state): State<AppState>,
    id: Result<Path<i64>, PathRejection>,
    query: Result<Query<ProofQuery>, QueryRejection>,
) -> Result<ApiJson<InclusionProofDto>, ApiError> {
    let Path(id) = id.map_err(|rejection| ApiError::Malformed(rejection.body_text()))?;
    let Query(query) = query.map_err(|rejection| ApiError::Malformed(rejection.body_text()))?;
    if id < 1 {
        return Err(ApiError::UnknownDecision(id));
    }
    let journal = journal(&state)?;
    let size = match query.tree_size {
        Some(0) => {
            return Err(ApiError::invalid(
                "invalid_request",
                "tree_size",
                "tree_size must be at least 1 (a tree holds at least 1 event)",
            ));
        }
        Some(size) => size,
        None => default_size(journal).await?,
    };
    if u64::try_from(id).unwrap_or(u64::MAX) > size {
        // An event beyond the tree: unknown when the journal has no such event yet.
        let last = journal.extend_tree().await.map_err(ApiError::from_journal)?;
        if u64::try_from(id).unwrap_or(u64::MAX) > last {
            return Err(ApiError::UnknownDecision(id));
        }
        return Err(ApiError::invalid(
            "invalid_request",
            "tree_size",
            format!("tree_size: event {id} is not in the tree of the first {size} events"),
        ));
    }
    let proof = journal.prove_inclusion(id, size).await.map_err(about)?;
    Ok(ApiJson(InclusionProofDto::from(proof)))
}

/// The consistency proof from the tree of the first `from` events to that of the first `to`
/// (RFC 9162 §2.1.4), base64.
#[utoipa::path(
    get, path = "/checkpoint/consistency", tag = "decisions",
    params(ConsistencyQuery),
    responses(
        (status = 200, description = "The proof", body = ConsistencyProofDto),
        (status = 422, description = "from is larger than to, or the journal has not reached that size", body = crate::api::dto::ErrorBody),
        (status = 503, description = "The journal cannot be reached", body = crate::api::dto::ErrorBody)
    ),
    security(("bearer" = []))
)]
pub async fn consistency(
    State(state): State<AppState>,
    query: Result<Query<ConsistencyQuery>, QueryRejection>,
) -> Result<ApiJson<ConsistencyProofDto>, ApiError> {
    let Query(query) = query.map_err(|rejection| ApiError::Malformed(rejection.body_text()))?;
    let journal = journal(&state)?;
    let proof = journal.prove_consistency(query.from, query.to).await.map_err(about)?;
    Ok(ApiJson(ConsistencyProofDto::from(proof)))
}
