//! The journal's proofs over HTTP: inclusion and consistency proofs (RFC 9162), hashes in
//! standard base64.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::journal::evidence::{ConsistencyProof, InclusionProof};

/// `GET /decisions/{id}/proof`: the tree size to prove the event in.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ProofQuery {
    /// The size of the tree (a checkpoint's); default the latest checkpoint's, else the
    /// journal's events now.
    #[param(minimum = 1)]
    pub tree_size: Option<u64>,
}

/// `GET /checkpoint/consistency`: the two tree sizes.
#[derive(Debug, Clone, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ConsistencyQuery {
    /// The older tree's size.
    pub from: u64,
    /// The newer tree's size.
    pub to: u64,
}

/// An event's inclusion proof in the tree of the first `tree_size` events.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct InclusionProofDto {
    /// The event's id.
    pub id: i64,
    /// Its leaf's index (the id less one).
    pub index: u64,
    /// The tree's size.
    pub tree_size: u64,
    /// SHA-256(0x00 ‖ the event's chain hash), base64.
    pub leaf_hash: String,
    /// The hashes from the leaf up to the root, base64.
    pub inclusion: Vec<String>,
}

impl From<InclusionProof> for InclusionProofDto {
    fn from(proof: InclusionProof) -> InclusionProofDto {
        let InclusionProof { id, index, tree_size, leaf_hash, inclusion } = proof;
        InclusionProofDto { id, index, tree_size, leaf_hash, inclusion }
    }
}

/// The consistency proof between two sizes of the tree.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ConsistencyProofDto {
    /// The older size.
    pub from_size: u64,
    /// The newer size.
    pub to_size: u64,
    /// The proof's hashes, base64.
    pub consistency: Vec<String>,
}

impl From<ConsistencyProof> for ConsistencyProofDto {
    fn from(proof: ConsistencyProof) -> ConsistencyProofDto {
        let ConsistencyProof { from_size, to_size, consistency } = proof;
        ConsistencyProofDto { from_size, to_size, consistency }
    }
}
