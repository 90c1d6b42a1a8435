//! The journal as evidence: every event a leaf of an RFC 9162 Merkle tree, signed checkpoints
//! of that tree (C2SP tlog-checkpoint), inclusion and consistency proofs, and the check that
//! the journal still holds the tree a checkpoint committed to.
//!
//! The leaf input of an event is the 32 bytes of its chain hash (`pad journal show` prints it
//! in hex), so the tree commits to the chain, and the chain to every event. The tree's complete
//! nodes are stored (`journal_tree`: level, index, hash) up to a size (`journal_tree_size`);
//! [`Journal::extend_tree`] hashes the events appended since, in order, and stores the nodes
//! they complete. It runs before a checkpoint is signed, a proof is answered or history is
//! purged, not in the appends themselves, which stay as fast as they were. A proof reads only
//! the O(log n) nodes it needs.
//!
//! A purge removes events, never nodes: the nodes hold hashes only, and those of the purged
//! range are what a proof of consistency across the purge, and a recomputation of the tree,
//! need.
//!
//! [`Journal::check_checkpoint`] recomputes the tree from scratch, from the events' chain
//! hashes (and, for history purged, from the stored subtrees that stand for it), and compares
//! the root at the checkpoint's size: a rewritten, swapped, cut or truncated journal fails,
//! naming the first event that no longer matches the stored tree.
//!
//! Uses: the journal's storage, sha2, ed25519-dalek (in `note`).

pub mod merkle;
pub mod note;

use std::collections::HashMap;

use self::merkle::{Frontier, Hash, MissingNode, NodeId, NodeMap, NodeRecorder, NodeSource, frontier_of, leaf_hash};
use self::note::{Checkpoint, NoteSigner, SignedCheckpoint};
use super::store::Pool;
use super::{Journal, JournalError};

/// Events read per batch while hashing them into the tree.
const TREE_BATCH: i64 = 20_000;
/// Nodes written per statement (three values each, well under SQLite's limit of bound values).
const NODE_INSERT_BATCH: usize = 5_000;

/// Reads the stored nodes of `$tree` at the positions `$wanted` (`&[NodeId]`) through `$executor`;
/// evaluates to the `HashMap` of those found (`?` on database errors).
macro_rules! read_nodes {
    ($executor:expr, $tree:expr, $wanted:expr) => {{
        let wanted: &[NodeId] = $wanted;
        let mut found = HashMap::new();
        // A proof needs at most a few hundred nodes: a statement of two values each.
        for chunk in wanted.chunks(NODE_INSERT_BATCH) {
            let sql = nodes_sql($tree, chunk.len());
            let mut query = sqlx::query_as::<_, (i64, i64, Vec<u8>)>(&sql);
            for (level, index) in chunk {
                query = query.bind(i64::from(*level)).bind(to_i64(*index));
            }
            found.extend(found_nodes(query.fetch_all($executor).await?));
        }
        found
    }};
}

/// The journal's two trees: its events', and its access log's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tree {
    Events,
    Access,
}

impl Tree {
    /// The table of its nodes.
    fn nodes(self) -> &'static str {
        match self {
            Tree::Events => "journal_tree",
            Tree::Access => "access_tree",
        }
    }
}

/// The name of the checkpoint's extension line that commits to the access log's tree:
/// `access-log SIZE ROOT`.
pub const ACCESS_LOG_EXTENSION: &str = "access-log";

/// Writes the nodes `$formed` (`&[(NodeId, Hash)]`) of `$tree` through `$executor`, a
/// statement per [`NODE_INSERT_BATCH`] (`?` on database errors).
macro_rules! write_nodes {
    ($executor:expr, $tree:expr, $formed:expr) => {{
        let formed: &[(NodeId, Hash)] = $formed;
        for chunk in formed.chunks(NODE_INSERT_BATCH) {
            let sql = insert_sql($tree, chunk.len());
            let mut query = sqlx::query(&sql);
            for ((level, index), hash) in chunk {
                query = query.bind(i64::from(*level)).bind(to_i64(*index)).bind(hash.to_vec());
            }
            query.execute($executor).await?;
        }
    }};
}

/// An inclusion proof of one event, as `pad journal prove` prints it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct InclusionProof {
    /// The event's id.
    pub id: i64,
    /// Its leaf's index in the tree (the id less one).
    pub index: u64,
    /// The size of the tree it is proven in.
    pub tree_size: u64,
    /// The leaf hash, base64.
    pub leaf_hash: String,
    /// The hashes from the leaf up to the root, base64.
    pub inclusion: Vec<String>,
}

/// A consistency proof between two sizes of the tree.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ConsistencyProof {
    /// The older size.
    pub from_size: u64,
    /// The newer size.
    pub to_size: u64,
    /// The hashes of the proof (RFC 9162 §2.1.4), base64.
    pub consistency: Vec<String>,
}

/// What [`Journal::check_checkpoint`] found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckpointCheck {
    /// The checkpoint's tree size.
    pub checkpoint_size: u64,
    /// The events the journal holds now (its tree's size, purged history counted).
    pub journal_size: u64,
    /// The first problem, when the journal does not extend the checkpoint.
    pub broken: Option<TreeBroken>,
}

/// How the journal departs from a checkpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TreeBroken {
    /// The first event that no longer matches, when one can be named.
    pub id: Option<i64>,
    /// What is wrong, in words.
    pub problem: String,
}

/// The base64 text of a hash.
pub fn b64(hash: &Hash) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(hash)
}

/// The 32 bytes of a chain hash's hex text.
pub fn decode_hex_hash(text: &str) -> Option<Hash> {
    let bytes = text.as_bytes();
    if bytes.len() != 64 {
        return None;
    }
    let digit = |byte: u8| (byte as char).to_digit(16);
    let mut hash = [0_u8; 32];
    for (i, pair) in bytes.chunks_exact(2).enumerate() {
        let value = digit(pair[0])? * 16 + digit(pair[1])?;
        hash[i] = u8::try_from(value).ok()?;
    }
    Some(hash)
}

/// The 32 bytes of a base64 hash.
fn decode_b64_hash(text: &str) -> Option<Hash> {
    use base64::Engine;
    let bytes = base64::engine::general_purpose::STANDARD.decode(text).ok()?;
    Hash::try_from(bytes.as_slice()).ok()
}

/// The leaf hash of an event, from its chain hash.
fn event_leaf(id: i64, hash: &str) -> Result<Hash, JournalError> {
    decode_hex_hash(hash).map(|bytes| leaf_hash(&bytes)).ok_or_else(|| JournalError::Corrupt {
        id,
        message: "its hash is not 64 hex digits (pad journal verify names what else is wrong)".into(),
    })
}

fn missing(error: MissingNode) -> JournalError {
    JournalError::Database(format!(
        "{error}: the journal's stored tree is incomplete (was it changed behind pad's back? pad journal verify \
         --checkpoint tells)"
    ))
}

fn to_u64(value: i64) -> u64 {
    u64::try_from(value).unwrap_or_default()
}

fn to_i64(value: u64) -> i64 {
    i64::try_from(value).unwrap_or(i64::MAX)
}

impl Journal {
    /// The size the stored tree covers.
    pub async fn tree_size(&self) -> Result<u64, JournalError> {
        let sql = "SELECT size FROM journal_tree_size WHERE id = 1";
        let size: Option<i64> = on_pool!(&self.pool, pool => sqlx::query_scalar(sql).fetch_optional(pool).await)
            .map_err(|error| self.failed(error))?;
        size.map(to_u64).ok_or_else(|| size_missing(Tree::Events))
    }

    /// Hashes the events appended since the stored tree's size into it, in id order, and
    /// stores the nodes they complete; returns the tree's new size (the journal's events,
    /// purged ones counted). One extension at a time (the tree's size row is locked).
    pub async fn extend_tree(&self) -> Result<u64, JournalError> {
        let outcome: Result<Result<u64, JournalError>, sqlx::Error> = on_pool!(&self.pool, pool => async {
            let (begin, lock) = size_lock(&self.pool, Tree::Events);
            let mut transaction = pool.begin_with(begin).await?;
            let Some(size): Option<i64> = sqlx::query_scalar(&lock).fetch_optional(&mut *transaction).await? else {
                return Ok(Err(size_missing(Tree::Events)));
            };
            let head: i64 = sqlx::query_scalar("SELECT last_id FROM journal_head WHERE id = 1")
                .fetch_one(&mut *transaction)
                .await?;
            if head < size {
                return Ok(Err(JournalError::Conflict(format!(
                    "the journal's head is at event {head} but its tree holds {size} events: events {} to {size} \
                     were cut (pad journal verify --checkpoint tells since when)",
                    head + 1
                ))));
            }
            if head == size {
                return Ok(Ok(to_u64(size)));
            }
            let edge = frontier_of(to_u64(size));
            let nodes = NodeMap(read_nodes!(&mut *transaction, Tree::Events, &edge));
            let mut frontier = match resume(to_u64(size), nodes) {
                Ok(frontier) => frontier,
                Err(error) => return Ok(Err(missing(error))),
            };
            let mut after = size;
            while after < head {
                let until = (after + TREE_BATCH).min(head);
                let rows: Vec<(i64, String)> = sqlx::query_as(
                    EVENT_HASHES,
                )
                .bind(after)
                .bind(until)
                .bind(after)
                .bind(until)
                .fetch_all(&mut *transaction)
                .await?;
                let mut formed: Vec<(NodeId, Hash)> = Vec::with_capacity(rows.len() * 2);
                let mut expected = after + 1;
                for (id, hash) in &rows {
                    if *id != expected {
                        let problem = if expected == 1 && size == 0 {
                            format!(
                                "events 1 to {} were purged before the journal kept a Merkle tree: the tree cannot \
                                 start without them",
                                id - 1
                            )
                        } else {
                            format!("event {expected} is missing (deleted?): pad journal verify names what is wrong")
                        };
                        return Ok(Err(JournalError::Conflict(problem)));
                    }
                    let leaf = match event_leaf(*id, hash) {
                        Ok(leaf) => leaf,
                        Err(error) => return Ok(Err(error)),
                    };
                    frontier.push(leaf, &mut |node, hash| formed.push((node, *hash)));
                    expected += 1;
                }
                if expected != until + 1 {
                    return Ok(Err(JournalError::Conflict(format!(
                        "event {expected} is missing (deleted?): pad journal verify names what is wrong"
                    ))));
                }
                write_nodes!(&mut *transaction, Tree::Events, &formed);
                after = until;
            }
            sqlx::query("UPDATE journal_tree_size SET size = $1 WHERE id = 1")
                .bind(head)
                .execute(&mut *transaction)
                .await?;
            transaction.commit().await?;
            Ok(Ok(to_u64(head)))
        }.await);
        outcome.map_err(|error| self.failed(error))?
    }

    /// Gives the access-log entries appended since the last extension their places in the
    /// access log's tree (in id order), hashes them into it and stores the nodes they
    /// complete; returns the tree's new size.
    pub async fn extend_access_tree(&self) -> Result<u64, JournalError> {
        let outcome: Result<Result<u64, JournalError>, sqlx::Error> = on_pool!(&self.pool, pool => async {
            let (begin, lock) = size_lock(&self.pool, Tree::Access);
            let mut transaction = pool.begin_with(begin).await?;
            let Some(size): Option<i64> = sqlx::query_scalar(&lock).fetch_optional(&mut *transaction).await? else {
                return Ok(Err(size_missing(Tree::Access)));
            };
            sqlx::query(
                "UPDATE access_log SET leaf = n.leaf FROM (SELECT id, $1 + ROW_NUMBER() OVER (ORDER BY id) - 1 AS leaf \
                 FROM access_log WHERE leaf IS NULL) AS n WHERE access_log.id = n.id",
            )
            .bind(size)
            .execute(&mut *transaction)
            .await?;
            let edge = frontier_of(to_u64(size));
            let nodes = NodeMap(read_nodes!(&mut *transaction, Tree::Access, &edge));
            let Ok(mut frontier) = resume(to_u64(size), nodes) else {
                return Ok(Err(JournalError::Database(
                    "the access log's stored tree is incomplete (changed behind pad's back?)".into(),
                )));
            };
            let mut after = size;
            loop {
                let rows: Vec<AccessRow> = sqlx::query_as(ACCESS_ROWS)
                .bind(after)
                .bind(after + TREE_BATCH)
                .fetch_all(&mut *transaction)
                .await?;
                if rows.is_empty() {
                    break;
                }
                let mut formed: Vec<(NodeId, Hash)> = Vec::with_capacity(rows.len() * 2);
                for row in &rows {
                    if row.0 != to_i64(frontier.size()) {
                        return Ok(Err(JournalError::Conflict(format!(
                            "access-log entry {} is missing from its place (deleted?)",
                            frontier.size()
                        ))));
                    }
                    frontier.push(access_leaf(row), &mut |node, hash| formed.push((node, *hash)));
                }
                write_nodes!(&mut *transaction, Tree::Access, &formed);
                after += TREE_BATCH;
            }
            let new_size = to_i64(frontier.size());
            sqlx::query("UPDATE access_tree_size SET size = $1 WHERE id = 1").bind(new_size).execute(&mut *transaction).await?;
            transaction.commit().await?;
            Ok(Ok(frontier.size()))
        }.await);
        outcome.map_err(|error| self.failed(error))?
    }

    /// Recomputes the access log's tree from its entries (the purged ones standing as the
    /// stored subtrees that cover them) and compares its root at `size` with `root`: the
    /// problem, in words, when they differ.
    async fn access_problem(&self, size: u64, root: &Hash) -> Result<Option<String>, JournalError> {
        // The entries a purge removed, as its event records; the others must all be there.
        let purged = self.purges().await?.iter().map(|(_, purge)| purge.access_cut).max().unwrap_or(0);
        if size < purged {
            let kept = self.over_tree(Tree::Access, |source| merkle::root(source, size)).await?;
            return Ok((&kept != root).then(|| {
                format!("the access log's purged entries no longer hash to the checkpoint's root (size {size})")
            }));
        }
        let nodes = self.nodes(Tree::Access, &frontier_of(purged)).await?;
        let Ok(mut frontier) = resume(purged, nodes) else {
            return Ok(Some("the access log's stored tree lacks the nodes of its purged entries".into()));
        };
        let mut leaves: Vec<Hash> = Vec::new();
        let mut after = to_i64(purged);
        while frontier.size() < size {
            let rows: Vec<AccessRow> = on_pool!(&self.pool, pool => sqlx::query_as(ACCESS_ROWS)
            .bind(after)
            .bind(after + TREE_BATCH)
            .fetch_all(pool)
            .await)
            .map_err(|error| self.failed(error))?;
            if rows.is_empty() {
                break;
            }
            for row in &rows {
                if frontier.size() >= size {
                    break;
                }
                if row.0 != to_i64(frontier.size()) {
                    return Ok(Some(format!(
                        "access-log entry {} (its place in the log's tree) was deleted",
                        frontier.size() + 1
                    )));
                }
                let leaf = access_leaf(row);
                leaves.push(leaf);
                frontier.push(leaf, &mut |_, _| {});
            }
            after += TREE_BATCH;
        }
        if frontier.size() < size {
            return Ok(Some(format!(
                "the access log holds {} entries, fewer than the {size} the checkpoint committed to: entries were \
                 deleted",
                frontier.size()
            )));
        }
        if &frontier.root() == root {
            return Ok(None);
        }
        // Name the first entry unlike the stored tree's leaf.
        let sql = "SELECT idx, hash FROM access_tree WHERE level = 0 AND idx >= $1 AND idx < $2 ORDER BY idx";
        let stored_leaves: Vec<(i64, Vec<u8>)> = on_pool!(&self.pool, pool => sqlx::query_as(sql)
            .bind(to_i64(purged))
            .bind(to_i64(size))
            .fetch_all(pool)
            .await)
        .map_err(|error| self.failed(error))?;
        let changed = leaves
            .iter()
            .zip(&stored_leaves)
            .position(|(leaf, (_, stored))| leaf.as_slice() != stored.as_slice())
            .map(|offset| purged + offset as u64 + 1);
        Ok(Some(match changed {
            Some(place) => format!("access-log entry {place} (its place in the log's tree) was changed"),
            None => "the access log no longer hashes to the checkpoint's root".into(),
        }))
    }

    /// The stored nodes of `tree` at these positions (those stored; a missing one is left
    /// out).
    async fn nodes(&self, tree: Tree, wanted: &[NodeId]) -> Result<NodeMap, JournalError> {
        let nodes = on_pool!(&self.pool, pool => async {
            Ok::<_, sqlx::Error>(read_nodes!(pool, tree, wanted))
        }.await)
        .map_err(|error| self.failed(error))?;
        Ok(NodeMap(nodes))
    }

    /// Runs a proof's recursion over the stored tree: once to learn the nodes it needs, then
    /// over those nodes, read in one query.
    async fn over_stored<T>(
        &self,
        build: impl Fn(&mut dyn NodeSource) -> Result<T, MissingNode>,
    ) -> Result<T, JournalError> {
        self.over_tree(Tree::Events, build).await
    }

    /// [`Journal::over_stored`] on either tree.
    async fn over_tree<T>(
        &self,
        tree: Tree,
        build: impl Fn(&mut dyn NodeSource) -> Result<T, MissingNode>,
    ) -> Result<T, JournalError> {
        let mut recorder = NodeRecorder::default();
        build(&mut recorder).map_err(missing)?;
        let mut nodes = self.nodes(tree, &recorder.asked).await?;
        build(&mut nodes).map_err(missing)
    }

    /// Extends the tree to cover `size` events when it does not yet; refuses a size the
    /// journal has not reached.
    async fn tree_covering(&self, size: u64) -> Result<u64, JournalError> {
        let mut stored = self.tree_size().await?;
        if stored < size {
            stored = self.extend_tree().await?;
        }
        if stored < size {
            return Err(JournalError::Invalid {
                field: "tree_size".into(),
                message: format!("the journal holds {stored} events, fewer than the {size} asked for"),
            });
        }
        Ok(stored)
    }

    /// The root hash of the tree of the first `size` events.
    pub async fn tree_root(&self, size: u64) -> Result<Hash, JournalError> {
        self.tree_covering(size).await?;
        self.over_stored(|source| merkle::root(source, size)).await
    }

    /// Extends the tree to every event, signs a checkpoint of it with `signer` under
    /// `origin`, and stores it; returns it.
    pub async fn checkpoint(&self, signer: &NoteSigner, origin: &str) -> Result<SignedCheckpoint, JournalError> {
        note::check_signer_name(origin)
            .map_err(|error| JournalError::Invalid { field: "origin".into(), message: error.to_string() })?;
        let size = self.extend_tree().await?;
        let root = self.over_stored(|source| merkle::root(source, size)).await?;
        let access_size = self.extend_access_tree().await?;
        let access_root = self.over_tree(Tree::Access, |source| merkle::root(source, access_size)).await?;
        let extensions = vec![format!("{ACCESS_LOG_EXTENSION} {access_size} {}", b64(&access_root))];
        let signed = Checkpoint { origin: origin.to_string(), size, root, extensions }.sign(signer);
        self.store_checkpoint(&signed).await?;
        Ok(signed)
    }

    /// Keeps a checkpoint in the journal (the latest is what `GET /checkpoint` serves).
    pub async fn store_checkpoint(&self, signed: &SignedCheckpoint) -> Result<(), JournalError> {
        let sql = "INSERT INTO journal_checkpoints (tree_size, root_hash, note, signed_at) VALUES ($1, $2, $3, $4)";
        let size = to_i64(signed.checkpoint.size);
        let root = b64(&signed.checkpoint.root);
        let text = signed.to_text();
        let at = self.now();
        on_pool!(&self.pool, pool => sqlx::query(sql).bind(size).bind(&root).bind(&text).bind(&at).execute(pool).await.map(|_| ()))
            .map_err(|error| self.failed(error))?;
        Ok(())
    }

    /// The latest checkpoint kept in the journal, as its text.
    pub async fn latest_checkpoint(&self) -> Result<Option<String>, JournalError> {
        let sql = "SELECT note FROM journal_checkpoints ORDER BY id DESC LIMIT 1";
        on_pool!(&self.pool, pool => sqlx::query_scalar(sql).fetch_optional(pool).await)
            .map_err(|error| self.failed(error))
    }

    /// The inclusion proof of event `id` in the tree of `size` events.
    pub async fn prove_inclusion(&self, id: i64, size: u64) -> Result<InclusionProof, JournalError> {
        let index = u64::try_from(id - 1).map_err(|_| JournalError::NotFound(id))?;
        if index >= size {
            return Err(JournalError::Invalid {
                field: "tree_size".into(),
                message: format!("event {id} is not in the tree of the first {size} events"),
            });
        }
        self.tree_covering(size).await?;
        let (leaf, path) = self
            .over_stored(|source| Ok((source.node(0, index)?, merkle::inclusion_proof(source, index, size)?)))
            .await?;
        Ok(InclusionProof {
            id,
            index,
            tree_size: size,
            leaf_hash: b64(&leaf),
            inclusion: path.iter().map(b64).collect(),
        })
    }

    /// The consistency proof from the tree of `from` events to that of `to`.
    pub async fn prove_consistency(&self, from: u64, to: u64) -> Result<ConsistencyProof, JournalError> {
        if from > to {
            return Err(JournalError::Invalid {
                field: "from".into(),
                message: format!("a tree of {from} events cannot grow into one of {to}"),
            });
        }
        self.tree_covering(to).await?;
        let proof = self.over_stored(|source| merkle::consistency_proof(source, from, to)).await?;
        Ok(ConsistencyProof { from_size: from, to_size: to, consistency: proof.iter().map(b64).collect() })
    }

    /// Recomputes the tree from the events' chain hashes, from scratch (the history purged
    /// stands as the stored subtrees that cover it), and checks that its first
    /// `checkpoint.size` events hash to the checkpoint's root: the journal then holds exactly
    /// what the checkpoint committed to, extended only by appends. The stored tree is checked
    /// too (proofs are answered from it). The signature is the caller's to check first.
    pub async fn check_checkpoint(&self, checkpoint: &Checkpoint) -> Result<CheckpointCheck, JournalError> {
        let (first, last): (i64, i64) = on_pool!(&self.pool, pool => sqlx::query_as(
            "SELECT COALESCE(MIN(id), 0), COALESCE(MAX(id), 0) FROM (SELECT id FROM decisions UNION ALL \
             SELECT id FROM case_events) AS e",
        )
        .fetch_one(pool)
        .await)
        .map_err(|error| self.failed(error))?;
        let stored_size = self.tree_size().await?;
        let wanted = checkpoint.size;
        // The history purged before the first event left: its complete subtrees.
        let purged = if first > 1 { to_u64(first - 1) } else { 0 };
        let nodes = self.nodes(Tree::Events, &frontier_of(purged)).await?;
        let broken = |id: Option<i64>, problem: String| Some(TreeBroken { id, problem });
        let mut frontier = match resume(purged, nodes) {
            Ok(frontier) => frontier,
            Err(_) => {
                return Ok(CheckpointCheck {
                    checkpoint_size: wanted,
                    journal_size: purged,
                    broken: broken(
                        Some(first),
                        format!(
                            "events 1 to {} were purged and the stored tree lacks the nodes that stand for them",
                            first - 1
                        ),
                    ),
                });
            }
        };
        let mut root_at_checkpoint = (wanted == purged).then(|| frontier.root());
        let mut root_at_stored = (stored_size == purged).then(|| frontier.root());
        if wanted < purged {
            // The checkpoint's tree lies inside the purged history: its root comes from the
            // stored subtrees alone.
            root_at_checkpoint = Some(self.over_stored(|source| merkle::root(source, wanted)).await?);
        }
        let mut leaves: Vec<Hash> = Vec::new();
        let mut after = first.max(1) - 1;
        let mut first_gap = None;
        while after < last && first_gap.is_none() {
            let until = (after + TREE_BATCH).min(last);
            let rows: Vec<(i64, String)> = on_pool!(&self.pool, pool => sqlx::query_as(
                EVENT_HASHES,
            )
            .bind(after)
            .bind(until)
            .bind(after)
            .bind(until)
            .fetch_all(pool)
            .await)
            .map_err(|error| self.failed(error))?;
            let mut expected = after + 1;
            for (id, hash) in &rows {
                if *id != expected {
                    first_gap = Some(expected);
                    break;
                }
                let leaf = match decode_hex_hash(hash) {
                    Some(bytes) => leaf_hash(&bytes),
                    // An unreadable hash cannot match: its leaf is all zeros.
                    None => [0; 32],
                };
                if to_u64(*id) <= wanted.max(stored_size) {
                    leaves.push(leaf);
                }
                frontier.push(leaf, &mut |_, _| {});
                if frontier.size() == wanted {
                    root_at_checkpoint = Some(frontier.root());
                }
                if frontier.size() == stored_size {
                    root_at_stored = Some(frontier.root());
                }
                expected += 1;
            }
            if first_gap.is_none() && expected != until + 1 {
                first_gap = Some(expected);
            }
            after = until;
        }
        let journal_size = frontier.size();
        let check = |broken: Option<TreeBroken>| CheckpointCheck { checkpoint_size: wanted, journal_size, broken };
        let Some(root) = root_at_checkpoint else {
            let id = to_i64(journal_size + 1);
            let problem = match first_gap {
                Some(gap) => format!("event {gap} is missing (deleted?), and the checkpoint holds {wanted} events"),
                None => format!(
                    "the journal holds {journal_size} events, fewer than the {wanted} the checkpoint committed to: \
                     events {id} to {wanted} were cut"
                ),
            };
            return Ok(check(broken(Some(id), problem)));
        };
        if root != checkpoint.root {
            let (id, how) = self.first_leaf_unlike_stored(&leaves, purged, wanted).await?;
            let problem = match (id, how) {
                (Some(id), how) => format!("event {id} no longer matches the checkpoint's tree ({how})"),
                (None, _) => format!(
                    "the first {wanted} events no longer hash to the checkpoint's root, and the stored tree was \
                     rewritten with them: the event changed cannot be named from this checkpoint alone"
                ),
            };
            return Ok(check(broken(id, problem)));
        }
        if let Some(gap) = first_gap {
            return Ok(check(broken(Some(gap), format!("event {gap} is missing (deleted?)"))));
        }
        // The stored tree, from which proofs are answered, must be the events' tree.
        if let Some(recomputed) = root_at_stored {
            let stored = self.over_stored(|source| merkle::root(source, stored_size)).await?;
            if stored != recomputed {
                let (id, _) = self.first_leaf_unlike_stored(&leaves, purged, stored_size).await?;
                return Ok(check(broken(
                    id,
                    format!(
                        "the stored tree (size {stored_size}) is not the tree of the events: it was changed behind \
                         pad's back"
                    ),
                )));
            }
        }
        if let Some(words) = checkpoint.extension(ACCESS_LOG_EXTENSION) {
            let parsed = match words.as_slice() {
                [size, root] => size.parse::<u64>().ok().zip(decode_b64_hash(root)),
                _ => None,
            };
            let Some((size, root)) = parsed else {
                return Ok(check(broken(None, "the checkpoint's access-log line cannot be read".into())));
            };
            if let Some(problem) = self.access_problem(size, &root).await? {
                return Ok(check(broken(None, problem)));
            }
        }
        Ok(check(None))
    }

    /// The first event in `purged + 1 ..= size` whose recomputed leaf differs from the
    /// stored one, and how.
    async fn first_leaf_unlike_stored(
        &self,
        leaves: &[Hash],
        purged: u64,
        size: u64,
    ) -> Result<(Option<i64>, &'static str), JournalError> {
        let sql = "SELECT idx, hash FROM journal_tree WHERE level = 0 AND idx >= $1 AND idx < $2 ORDER BY idx";
        let rows: Vec<(i64, Vec<u8>)> = on_pool!(&self.pool, pool => sqlx::query_as(sql)
            .bind(to_i64(purged))
            .bind(to_i64(size))
            .fetch_all(pool)
            .await)
        .map_err(|error| self.failed(error))?;
        let stored: HashMap<u64, Vec<u8>> = rows.into_iter().map(|(index, hash)| (to_u64(index), hash)).collect();
        for (offset, leaf) in leaves.iter().enumerate().take(to_usize(size.saturating_sub(purged))) {
            let index = purged + offset as u64;
            match stored.get(&index) {
                Some(hash) if hash.as_slice() == leaf.as_slice() => {}
                Some(_) => return Ok((Some(to_i64(index + 1)), "its chain hash changed: rewritten, or swapped")),
                None => return Ok((Some(to_i64(index + 1)), "the stored tree lacks its leaf")),
            }
        }
        Ok((None, ""))
    }
}

fn to_usize(value: u64) -> usize {
    usize::try_from(value).unwrap_or(usize::MAX)
}

/// The error of a tree whose size row is gone.
fn size_missing(tree: Tree) -> JournalError {
    JournalError::Database(format!(
        "the row of {}_size is missing (deleted behind pad's back?): pad journal verify --checkpoint tells what \
         else changed",
        tree.nodes()
    ))
}

/// How to begin a transaction that extends `tree`, and the statement that reads its size
/// holding it (SQLite: the write lock taken at the start; PostgreSQL: the size's row).
fn size_lock(pool: &Pool, tree: Tree) -> (&'static str, String) {
    match pool {
        Pool::Sqlite(_) => ("BEGIN IMMEDIATE", format!("SELECT size FROM {}_size WHERE id = 1", tree.nodes())),
        Pool::Postgres(_) => ("BEGIN", format!("SELECT size FROM {}_size WHERE id = 1 FOR UPDATE", tree.nodes())),
    }
}

/// The tree of `size` leaves, resumed from its complete subtrees among `nodes`.
fn resume(size: u64, mut nodes: NodeMap) -> Result<Frontier, MissingNode> {
    let hashes = frontier_of(size)
        .iter()
        .map(|(level, index)| nodes.node(*level, *index))
        .collect::<Result<Vec<Hash>, MissingNode>>()?;
    Frontier::resume(size, &hashes).ok_or(MissingNode { level: 0, index: size })
}

/// The SQL that reads the nodes of `tree` at `count` positions: `(level, idx)` bound in pairs.
fn nodes_sql(tree: Tree, count: usize) -> String {
    let conditions: Vec<String> =
        (0..count).map(|i| format!("(level = ${} AND idx = ${})", 2 * i + 1, 2 * i + 2)).collect();
    format!("SELECT level, idx, hash FROM {} WHERE {}", tree.nodes(), conditions.join(" OR "))
}

/// The SQL that writes `count` nodes of `tree`: `(level, idx, hash)` bound in threes.
fn insert_sql(tree: Tree, count: usize) -> String {
    let values: Vec<String> = (0..count).map(|i| format!("(${}, ${}, ${})", 3 * i + 1, 3 * i + 2, 3 * i + 3)).collect();
    format!("INSERT INTO {} (level, idx, hash) VALUES {}", tree.nodes(), values.join(", "))
}

/// Keeps the rows `(level, idx, hash)` read by [`nodes_sql`] that are well formed.
fn found_nodes(rows: Vec<(i64, i64, Vec<u8>)>) -> HashMap<NodeId, Hash> {
    rows.into_iter()
        .filter_map(|(level, index, hash)| {
            Some(((u32::try_from(level).ok()?, to_u64(index)), Hash::try_from(hash.as_slice()).ok()?))
        })
        .collect()
}

/// The access-log entries at places `$1 ..< $2` of the log's tree, in order.
const ACCESS_ROWS: &str = "SELECT leaf, id, at, user_name, role, action, client_id, decision_id FROM access_log \
                           WHERE leaf >= $1 AND leaf < $2 ORDER BY leaf";

/// The ids and chain hashes of the events with ids in `$1 + 1 ..= $2` (bound again as `$3`,
/// `$4`), decisions and follow-ups, in id order.
const EVENT_HASHES: &str = "SELECT id, hash FROM decisions WHERE id > $1 AND id <= $2 \
                            UNION ALL SELECT id, hash FROM case_events WHERE id > $3 AND id <= $4 ORDER BY 1";

/// An access-log entry as read by [`ACCESS_ROWS`].
type AccessRow = (i64, i64, String, String, String, String, Option<i64>, Option<i64>);

/// The leaf hash of an access-log entry: its leaf input is the SHA-256 of its columns as one
/// JSON array `[id, at, user_name, role, action, client_id, decision_id]`.
fn access_leaf(row: &AccessRow) -> Hash {
    use sha2::Digest;
    let (_, id, at, user, role, action, client_id, decision_id) = row;
    let text = serde_json::json!([id, at, user, role, action, client_id, decision_id]).to_string();
    leaf_hash(&sha2::Sha256::digest(text.as_bytes()))
}
