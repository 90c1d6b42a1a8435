//! The journal's Merkle tree as RFC 9162 §2.1 defines it (Certificate Transparency v2): leaf
//! and node hashes, the tree hash of any size, inclusion and consistency proofs, and their
//! checks.
//!
//! A tree of `n` leaves is described by its complete subtrees: the node at `(level, index)`
//! covers the leaves `index·2^level .. (index+1)·2^level`. Every hash of a tree of any size is
//! a fold of such nodes, so a proof needs only complete nodes, wherever they are kept
//! ([`NodeSource`]): the journal's stored nodes, or a tree held in memory ([`Tree`]).
//!
//! The proofs are built by the RFC's recursions (`PATH` and `SUBPROOF`) and checked by its
//! iterative algorithms (§2.1.3.2, §2.1.4.2), two different procedures, so that one checks the
//! other in the tests, besides the test vectors of `specs/transparency-log.md`.
//!
//! Uses: std and sha2 only.

use std::collections::HashMap;

use sha2::{Digest, Sha256};

/// A SHA-256 hash.
pub type Hash = [u8; 32];

/// The position of a complete subtree: its level (0 for a leaf) and its index at that level.
pub type NodeId = (u32, u64);

/// The hash of a leaf: SHA-256(0x00 ‖ leaf input).
pub fn leaf_hash(input: &[u8]) -> Hash {
    let mut hasher = Sha256::new();
    hasher.update([0x00]);
    hasher.update(input);
    hasher.finalize().into()
}

/// The hash of an inner node: SHA-256(0x01 ‖ left ‖ right).
pub fn node_hash(left: &Hash, right: &Hash) -> Hash {
    let mut hasher = Sha256::new();
    hasher.update([0x01]);
    hasher.update(left);
    hasher.update(right);
    hasher.finalize().into()
}

/// The tree hash of no leaf: SHA-256 of nothing.
pub fn empty_root() -> Hash {
    Sha256::digest([]).into()
}

/// The largest power of two smaller than `n` (`n` ≥ 2).
fn split(n: u64) -> u64 {
    debug_assert!(n >= 2);
    1 << (63 - (n - 1).leading_zeros())
}

/// Where complete subtrees' hashes come from. A source that lacks a node says so; the
/// proof being built then fails with that node's position.
pub trait NodeSource {
    /// The hash of the complete subtree at `(level, index)`.
    fn node(&mut self, level: u32, index: u64) -> Result<Hash, MissingNode>;
}

/// A complete subtree a [`NodeSource`] does not hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the tree's node at level {level}, index {index} is missing")]
pub struct MissingNode {
    /// Its level.
    pub level: u32,
    /// Its index at that level.
    pub index: u64,
}

/// Records the nodes asked for and answers zeros: run a proof through it to learn which
/// nodes to read, then again through a [`NodeMap`] of them. The recursions ask for the same
/// nodes whatever their hashes.
#[derive(Debug, Default)]
pub struct NodeRecorder {
    /// The nodes asked for, in order, without repeats.
    pub asked: Vec<NodeId>,
}

impl NodeSource for NodeRecorder {
    fn node(&mut self, level: u32, index: u64) -> Result<Hash, MissingNode> {
        if !self.asked.contains(&(level, index)) {
            self.asked.push((level, index));
        }
        Ok([0; 32])
    }
}

/// Nodes read from somewhere, by position.
#[derive(Debug, Default, Clone)]
pub struct NodeMap(pub HashMap<NodeId, Hash>);

impl NodeSource for NodeMap {
    fn node(&mut self, level: u32, index: u64) -> Result<Hash, MissingNode> {
        self.0.get(&(level, index)).copied().ok_or(MissingNode { level, index })
    }
}

/// MTH(D[start .. start + size]) where the range starts on a boundary of its largest
/// complete subtree, as every range of the RFC's recursions does.
pub fn range_hash(source: &mut dyn NodeSource, start: u64, size: u64) -> Result<Hash, MissingNode> {
    if size == 0 {
        return Ok(empty_root());
    }
    if size.is_power_of_two() && start.is_multiple_of(size) {
        let level = size.trailing_zeros();
        return source.node(level, start >> level);
    }
    let k = split(size);
    let left = range_hash(source, start, k)?;
    let right = range_hash(source, start + k, size - k)?;
    Ok(node_hash(&left, &right))
}

/// The root hash of the first `size` leaves.
pub fn root(source: &mut dyn NodeSource, size: u64) -> Result<Hash, MissingNode> {
    range_hash(source, 0, size)
}

/// The inclusion proof of leaf `index` in the tree of `size` leaves (RFC 9162 PATH), from the
/// leaf up. `index < size`.
pub fn inclusion_proof(source: &mut dyn NodeSource, index: u64, size: u64) -> Result<Vec<Hash>, MissingNode> {
    let mut proof = Vec::new();
    path(source, index, 0, size, &mut proof)?;
    Ok(proof)
}

/// PATH(m, D[start .. start + size]), appended to `proof` from the leaf up.
fn path(source: &mut dyn NodeSource, m: u64, start: u64, size: u64, proof: &mut Vec<Hash>) -> Result<(), MissingNode> {
    if size <= 1 {
        return Ok(());
    }
    let k = split(size);
    if m < k {
        path(source, m, start, k, proof)?;
        proof.push(range_hash(source, start + k, size - k)?);
    } else {
        path(source, m - k, start + k, size - k, proof)?;
        proof.push(range_hash(source, start, k)?);
    }
    Ok(())
}

/// The consistency proof from the tree of `old_size` leaves to the tree of `new_size`
/// (RFC 9162 SUBPROOF(m, D[0:n], true)). Empty when `old_size` is 0 or equals `new_size`.
pub fn consistency_proof(source: &mut dyn NodeSource, old_size: u64, new_size: u64) -> Result<Vec<Hash>, MissingNode> {
    let mut proof = Vec::new();
    if old_size == 0 || old_size >= new_size {
        return Ok(proof);
    }
    subproof(source, old_size, 0, new_size, true, &mut proof)?;
    Ok(proof)
}

/// SUBPROOF(m, D[start .. start + size], whole), appended to `proof`.
fn subproof(
    source: &mut dyn NodeSource,
    m: u64,
    start: u64,
    size: u64,
    whole: bool,
    proof: &mut Vec<Hash>,
) -> Result<(), MissingNode> {
    if m == size {
        if !whole {
            proof.push(range_hash(source, start, size)?);
        }
        return Ok(());
    }
    let k = split(size);
    if m <= k {
        subproof(source, m, start, k, whole, proof)?;
        proof.push(range_hash(source, start + k, size - k)?);
    } else {
        subproof(source, m - k, start + k, size - k, false, proof)?;
        proof.push(range_hash(source, start, k)?);
    }
    Ok(())
}

/// Why a proof does not hold.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProofError {
    /// The positions cannot be in such a tree (an index past the end, a tree that shrank).
    #[error("{0}")]
    Positions(String),
    /// The proof has more or fewer hashes than the positions need.
    #[error("the proof has the wrong number of hashes")]
    Length,
    /// The hashes do not lead to the root.
    #[error("the proof does not lead to the root hash")]
    Root,
}

/// Checks an inclusion proof (RFC 9162 §2.1.3.2): the leaf of hash `leaf` is at `index` in
/// the tree of `size` leaves whose root is `root`.
pub fn check_inclusion(leaf: &Hash, index: u64, size: u64, proof: &[Hash], root: &Hash) -> Result<(), ProofError> {
    if index >= size {
        return Err(ProofError::Positions(format!("leaf {index} cannot be in a tree of {size} leaves")));
    }
    let (mut fn_, mut sn) = (index, size - 1);
    let mut r = *leaf;
    for p in proof {
        if sn == 0 {
            return Err(ProofError::Length);
        }
        if fn_ & 1 == 1 || fn_ == sn {
            r = node_hash(p, &r);
            if fn_ & 1 == 0 {
                while fn_ & 1 == 0 && fn_ != 0 {
                    fn_ >>= 1;
                    sn >>= 1;
                }
            }
        } else {
            r = node_hash(&r, p);
        }
        fn_ >>= 1;
        sn >>= 1;
    }
    if sn != 0 {
        return Err(ProofError::Length);
    }
    if &r != root {
        return Err(ProofError::Root);
    }
    Ok(())
}

/// Checks a consistency proof (RFC 9162 §2.1.4.2): the tree of `old_size` leaves and root
/// `old_root` is a prefix of the tree of `new_size` leaves and root `new_root`.
pub fn check_consistency(
    old_size: u64,
    old_root: &Hash,
    new_size: u64,
    new_root: &Hash,
    proof: &[Hash],
) -> Result<(), ProofError> {
    if old_size > new_size {
        return Err(ProofError::Positions(format!(
            "a tree of {new_size} leaves cannot extend one of {old_size}: the log shrank"
        )));
    }
    if old_size == new_size {
        if !proof.is_empty() {
            return Err(ProofError::Length);
        }
        return if old_root == new_root { Ok(()) } else { Err(ProofError::Root) };
    }
    if old_size == 0 {
        // Every tree extends the empty one.
        return if proof.is_empty() { Ok(()) } else { Err(ProofError::Length) };
    }
    if proof.is_empty() {
        return Err(ProofError::Length);
    }
    let mut path: Vec<Hash> = Vec::with_capacity(proof.len() + 1);
    if old_size.is_power_of_two() {
        path.push(*old_root);
    }
    path.extend_from_slice(proof);
    let Some((first, rest)) = path.split_first() else {
        return Err(ProofError::Length);
    };
    let (mut fn_, mut sn) = (old_size - 1, new_size - 1);
    while fn_ & 1 == 1 {
        fn_ >>= 1;
        sn >>= 1;
    }
    let (mut fr, mut sr) = (*first, *first);
    for c in rest {
        if sn == 0 {
            return Err(ProofError::Length);
        }
        if fn_ & 1 == 1 || fn_ == sn {
            fr = node_hash(c, &fr);
            sr = node_hash(c, &sr);
            if fn_ & 1 == 0 {
                while fn_ & 1 == 0 && fn_ != 0 {
                    fn_ >>= 1;
                    sn >>= 1;
                }
            }
        } else {
            sr = node_hash(&sr, c);
        }
        fn_ >>= 1;
        sn >>= 1;
    }
    if sn != 0 {
        return Err(ProofError::Length);
    }
    if &fr != old_root || &sr != new_root {
        return Err(ProofError::Root);
    }
    Ok(())
}

/// The complete subtrees that make up the first `size` leaves, left to right: one per set bit
/// of `size`, largest first. These are what a tree must keep of leaves it no longer has.
pub fn frontier_of(size: u64) -> Vec<NodeId> {
    let mut nodes = Vec::new();
    let mut start = 0_u64;
    for level in (0..64_u32).rev() {
        let width = 1_u64 << level;
        if size & width != 0 {
            nodes.push((level, start >> level));
            start += width;
        }
    }
    nodes
}

/// A tree grown leaf by leaf that keeps only its right edge (the complete subtrees of
/// [`frontier_of`]) and reports every complete node as it forms: appending `n` leaves costs
/// `n` leaf hashes and fewer than `n` node hashes, in constant memory.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Frontier {
    size: u64,
    /// `(level, hash)` of the complete subtrees, left to right (levels decreasing).
    edge: Vec<(u32, Hash)>,
}

impl Frontier {
    /// A tree of `size` leaves known by its complete subtrees (`hashes` in the order of
    /// [`frontier_of`]`(size)`).
    pub fn resume(size: u64, hashes: &[Hash]) -> Option<Frontier> {
        let nodes = frontier_of(size);
        (nodes.len() == hashes.len()).then(|| Frontier {
            size,
            edge: nodes.iter().zip(hashes).map(|((level, _), hash)| (*level, *hash)).collect(),
        })
    }

    /// The number of leaves.
    pub fn size(&self) -> u64 {
        self.size
    }

    /// Appends a leaf (its leaf hash); `formed` receives every complete node that forms,
    /// the leaf first.
    pub fn push(&mut self, leaf: Hash, formed: &mut impl FnMut(NodeId, &Hash)) {
        let index = self.size;
        formed((0, index), &leaf);
        self.edge.push((0, leaf));
        let mut level = 0_u32;
        while self.edge.len() >= 2 && self.edge[self.edge.len() - 2].0 == level {
            let (_, right) = self.edge.pop().unwrap_or((0, [0; 32]));
            let (_, left) = self.edge.pop().unwrap_or((0, [0; 32]));
            let parent = node_hash(&left, &right);
            level += 1;
            formed((level, index >> level), &parent);
            self.edge.push((level, parent));
        }
        self.size += 1;
    }

    /// The root hash of the leaves so far.
    pub fn root(&self) -> Hash {
        let mut edge = self.edge.iter().rev();
        let Some((_, last)) = edge.next() else {
            return empty_root();
        };
        edge.fold(*last, |right, (_, left)| node_hash(left, &right))
    }
}

/// A whole tree in memory, every complete node kept (for tests and small logs).
#[derive(Debug, Clone, Default)]
pub struct Tree {
    nodes: HashMap<NodeId, Hash>,
    frontier: Frontier,
}

impl Tree {
    /// The tree of these leaf inputs.
    pub fn of_inputs<'a>(inputs: impl IntoIterator<Item = &'a [u8]>) -> Tree {
        let mut tree = Tree::default();
        for input in inputs {
            tree.push(leaf_hash(input));
        }
        tree
    }

    /// Appends a leaf by its leaf hash.
    pub fn push(&mut self, leaf: Hash) {
        let nodes = &mut self.nodes;
        self.frontier.push(leaf, &mut |id, hash| {
            nodes.insert(id, *hash);
        });
    }

    /// The number of leaves.
    pub fn size(&self) -> u64 {
        self.frontier.size()
    }

    /// The root hash.
    pub fn root(&self) -> Hash {
        self.frontier.root()
    }

    /// The nodes, as a source for proofs.
    pub fn source(&self) -> NodeMap {
        NodeMap(self.nodes.clone())
    }
}

#[cfg(test)]
mod tests {
    use base64::Engine;
    use base64::engine::general_purpose::STANDARD;

    use super::*;

    /// The leaf inputs of the spec's test vectors: SHA-256 of `event-0` … `event-6`.
    fn vector_inputs() -> Vec<Hash> {
        (0..7).map(|i| Sha256::digest(format!("event-{i}").as_bytes()).into()).collect()
    }

    fn b64(hash: &Hash) -> String {
        STANDARD.encode(hash)
    }

    fn tree_of(n: usize) -> Tree {
        let inputs = vector_inputs();
        Tree::of_inputs(inputs[..n].iter().map(|input| input.as_slice()))
    }

    #[test]
    fn the_spec_vectors_leaf_inputs_are_what_it_lists() {
        let first = vector_inputs()[0];
        let hex: String = first.iter().map(|byte| format!("{byte:02x}")).collect();
        assert_eq!(hex, "23352a67ac7ffc4b5d98023dc1a54ee507d4bf95dc1c4154045c5e2bbde73317");
    }

    #[test]
    fn roots_match_the_spec_vectors() {
        // specs/transparency-log.md, "Roots (base64) of the first 1, 2, 3, 4 and 7 entries".
        let expected = [
            (1, "6SNIqVx16UPwZYjo9ObHPRf75WWVx1Fpqvu4CGrXWt8="),
            (2, "bePFmj4ymph3DowDjA3cdm7BBD2fabUzMKbiDadv6TQ="),
            (3, "iJx7C2AbQKEX/YVr4aIqBFtuUhuPHgjI572PBkb77XI="),
            (4, "i4l77Bffxvn00VY9EtoP6yytVIILERRqOp3KtYTeb6A="),
            (7, "0BQ3rVKxjmWEzgPy0p11l/jTGAPyFg+zHGcKZK8yVBc="),
        ];
        for (n, root_b64) in expected {
            let tree = tree_of(n);
            assert_eq!(b64(&tree.root()), root_b64, "root of {n}");
            // The same root from the stored nodes, by the recursion.
            assert_eq!(b64(&root(&mut tree.source(), n as u64).unwrap()), root_b64, "recursive root of {n}");
        }
        assert_eq!(b64(&Tree::default().root()), "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=");
    }

    #[test]
    fn inclusion_proof_matches_the_spec_vector() {
        let tree = tree_of(7);
        let proof = inclusion_proof(&mut tree.source(), 5, 7).unwrap();
        let proof: Vec<String> = proof.iter().map(b64).collect();
        assert_eq!(
            proof,
            [
                "ISocHR15EQxItcT5WpuvhhJmb6gNAj2yO25fNQR90gs=",
                "27ty6fO41bnxZ0KUihyHdKk+LwyWtxGKDr83n5vcHCA=",
                "i4l77Bffxvn00VY9EtoP6yytVIILERRqOp3KtYTeb6A=",
            ]
        );
    }

    #[test]
    fn consistency_proof_matches_the_spec_vector() {
        let tree = tree_of(7);
        let proof = consistency_proof(&mut tree.source(), 3, 7).unwrap();
        let proof: Vec<String> = proof.iter().map(b64).collect();
        assert_eq!(
            proof,
            [
                "0cAt0J4a/+Pe2NjlnpFfvxnHysAVaqVq593WRohBRLU=",
                "yPF/wpQ/YMceMBod5w0DApyNyDh7POCRiYVGubxJMeI=",
                "bePFmj4ymph3DowDjA3cdm7BBD2fabUzMKbiDadv6TQ=",
                "3PPJ/ivZI4ivYRvsLnFDMIpvQoN8w83/e3TWNMsLmqM=",
            ]
        );
    }

    /// Every proof of every position of trees up to 40 leaves holds by the RFC's checks, and
    /// a proof with any hash changed, or for another position, does not.
    #[test]
    fn proofs_built_by_the_recursions_hold_by_the_iterative_checks() {
        let inputs: Vec<[u8; 8]> = (0..40_u64).map(u64::to_be_bytes).collect();
        let tree = Tree::of_inputs(inputs.iter().map(|input| input.as_slice()));
        let mut source = tree.source();
        let mut roots = vec![empty_root()];
        let mut growing = Tree::default();
        for input in &inputs {
            growing.push(leaf_hash(input));
            roots.push(growing.root());
        }
        for n in 1..=40_u64 {
            assert_eq!(root(&mut source, n).unwrap(), roots[n as usize]);
            for m in 0..n {
                let leaf = leaf_hash(&inputs[m as usize]);
                let proof = inclusion_proof(&mut source, m, n).unwrap();
                check_inclusion(&leaf, m, n, &proof, &roots[n as usize]).unwrap();
                assert!(check_inclusion(&leaf, (m + 1) % n, n, &proof, &roots[n as usize]).is_err() || n == 1);
                for bad in 0..proof.len() {
                    let mut bent = proof.clone();
                    bent[bad][0] ^= 1;
                    assert_eq!(check_inclusion(&leaf, m, n, &bent, &roots[n as usize]), Err(ProofError::Root));
                }
            }
            for m in 1..=n {
                let proof = consistency_proof(&mut source, m, n).unwrap();
                check_consistency(m, &roots[m as usize], n, &roots[n as usize], &proof).unwrap();
                if m < n {
                    // Another old root, or a hash changed, fails.
                    assert!(check_consistency(m, &roots[m as usize - 1], n, &roots[n as usize], &proof).is_err());
                    for bad in 0..proof.len() {
                        let mut bent = proof.clone();
                        bent[bad][31] ^= 0x80;
                        assert!(check_consistency(m, &roots[m as usize], n, &roots[n as usize], &bent).is_err());
                    }
                }
            }
        }
    }

    #[test]
    fn a_tree_that_shrank_is_no_extension() {
        let tree = tree_of(7);
        let err = check_consistency(7, &tree.root(), 3, &tree_of(3).root(), &[]).unwrap_err();
        assert!(err.to_string().contains("shrank"), "{err}");
    }

    #[test]
    fn a_frontier_resumes_from_its_complete_subtrees() {
        let full = tree_of(7);
        let mut source = tree_of(5).source();
        let hashes: Vec<Hash> =
            frontier_of(5).iter().map(|(level, index)| source.node(*level, *index).unwrap()).collect();
        assert_eq!(frontier_of(5), vec![(2, 0), (0, 4)]);
        let mut frontier = Frontier::resume(5, &hashes).unwrap();
        let inputs = vector_inputs();
        let mut formed = Vec::new();
        for input in &inputs[5..7] {
            frontier.push(leaf_hash(input), &mut |id, _| formed.push(id));
        }
        assert_eq!(frontier.root(), full.root());
        // Leaf 5 closes the pair (4, 5); leaf 6 forms only itself.
        assert_eq!(formed, vec![(0, 5), (1, 2), (0, 6)]);
        assert!(Frontier::resume(5, &hashes[..1]).is_none());
    }

    #[test]
    fn a_missing_node_is_named() {
        let mut source = NodeMap::default();
        assert_eq!(root(&mut source, 3), Err(MissingNode { level: 1, index: 0 }));
        let mut recorder = NodeRecorder::default();
        inclusion_proof(&mut recorder, 5, 7).unwrap();
        assert_eq!(recorder.asked, vec![(0, 4), (0, 6), (2, 0)]);
    }
}
