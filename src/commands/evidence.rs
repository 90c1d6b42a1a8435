//! `pad journal keygen | checkpoint | verify --checkpoint | prove | cosign`: the journal's
//! signed checkpoints and proofs (see `journal::evidence`).

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};

use crate::journal::Journal;
use crate::journal::evidence::merkle::{self, Hash};
use crate::journal::evidence::note::{NoteSigner, NoteVerifier, SignedCheckpoint};
use crate::journal::evidence::{CheckpointCheck, b64};

/// The signing key's file name in `keygen --out DIR`.
pub const KEY_FILE: &str = "journal.key";
/// The verifier key's file name in `keygen --out DIR`.
pub const VKEY_FILE: &str = "journal.vkey";

/// Writes a new signing key (mode 0600) and its verifier key into `out`; never overwrites.
pub fn keygen(name: &str, out: &Path) -> Result<()> {
    let signer = NoteSigner::generate(name)?;
    std::fs::create_dir_all(out).with_context(|| format!("cannot create the folder {}", out.display()))?;
    let key_path = out.join(KEY_FILE);
    let vkey_path = out.join(VKEY_FILE);
    for path in [&key_path, &vkey_path] {
        if path.exists() {
            bail!("{} already exists: keys are never overwritten; choose another --out folder", path.display());
        }
    }
    write_new(&key_path, &format!("{}\n", signer.to_text()), 0o600)?;
    write_new(&vkey_path, &format!("{}\n", signer.verifier().to_text()), 0o644)?;
    println!("signing key:  {} (mode 0600: keep it secret, off the journal's database)", key_path.display());
    println!("verifier key: {} (hand it to auditors)", vkey_path.display());
    println!("{}", signer.verifier().to_text());
    Ok(())
}

/// Creates `path` with `mode`, refusing one that exists.
fn write_new(path: &Path, text: &str, mode: u32) -> Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(mode)
        .open(path)
        .with_context(|| format!("cannot create {}", path.display()))?;
    file.write_all(text.as_bytes())
        .and_then(|()| file.sync_all())
        .with_context(|| format!("cannot write {}", path.display()))
}

/// Reads a signing key file.
pub fn read_signer(path: &Path) -> Result<NoteSigner> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read the signing key {}", path.display()))?;
    NoteSigner::parse(&text).with_context(|| format!("in {}", path.display()))
}

/// Reads a verifier key file.
fn read_verifier(path: &Path) -> Result<NoteVerifier> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read the verifier key {}", path.display()))?;
    NoteVerifier::parse(&text).with_context(|| format!("in {}", path.display()))
}

/// Reads a checkpoint file (signatures not checked).
fn read_checkpoint(path: &Path) -> Result<SignedCheckpoint> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read the checkpoint {}", path.display()))?;
    SignedCheckpoint::parse(&text).with_context(|| format!("in {}", path.display()))
}

/// Signs, keeps and prints a checkpoint of the journal.
pub async fn checkpoint(journal: &Journal, key: &Path, origin: Option<&str>) -> Result<()> {
    let signer = read_signer(key)?;
    let origin = origin.unwrap_or(signer.name()).to_string();
    let signed = journal.checkpoint(&signer, &origin).await?;
    print!("{}", signed.to_text());
    Ok(())
}

/// Checks the checkpoint's signatures and that the journal extends it; prints what it found.
/// `Ok(true)` when the journal extends it.
pub async fn verify_checkpoint(journal: &Journal, checkpoint: &Path, vkeys: &[PathBuf]) -> Result<bool> {
    let signed = read_checkpoint(checkpoint)?;
    for vkey in vkeys {
        let verifier = read_verifier(vkey)?;
        if let Err(error) = signed.check(&verifier) {
            println!("{}: the checkpoint {} is refused: {error}", journal.url(), checkpoint.display());
            return Ok(false);
        }
    }
    let started = std::time::Instant::now();
    let CheckpointCheck { checkpoint_size, journal_size, broken } =
        journal.check_checkpoint(&signed.checkpoint).await?;
    let seconds = started.elapsed().as_secs_f64();
    match broken {
        None => {
            println!(
                "{}: the journal extends the checkpoint {} ({} \u{2192} {} events, tree recomputed from scratch in \
                 {seconds:.2} s)",
                journal.url(),
                checkpoint.display(),
                checkpoint_size,
                journal_size
            );
            Ok(true)
        }
        Some(broken) => {
            let at = broken.id.map(|id| format!(" at event {id}")).unwrap_or_default();
            println!(
                "{}: the journal no longer holds the checkpoint {} (size {checkpoint_size}, root {}){at}: {}",
                journal.url(),
                checkpoint.display(),
                b64(&signed.checkpoint.root),
                broken.problem
            );
            Ok(false)
        }
    }
}

/// Prints event `id`'s inclusion proof in the checkpoint's tree, after checking it against the
/// checkpoint's root. `Ok(false)` when it does not hold.
pub async fn prove_inclusion(journal: &Journal, id: i64, checkpoint: &Path) -> Result<bool> {
    let signed = read_checkpoint(checkpoint)?;
    let proof = journal.prove_inclusion(id, signed.checkpoint.size).await?;
    let leaf = decode(&proof.leaf_hash)?;
    let path = proof.inclusion.iter().map(|hash| decode(hash)).collect::<Result<Vec<_>>>()?;
    let holds = merkle::check_inclusion(&leaf, proof.index, proof.tree_size, &path, &signed.checkpoint.root);
    println!("{}", serde_json::to_string_pretty(&proof)?);
    if let Err(error) = holds {
        eprintln!(
            "event {id}'s proof does not lead to the root of the checkpoint {} ({error}): the journal no longer holds \
             that tree (pad journal verify --checkpoint)",
            checkpoint.display()
        );
        return Ok(false);
    }
    Ok(true)
}

/// Prints the consistency proof between two checkpoints, after checking it.
pub async fn prove_consistency(journal: &Journal, from: &Path, to: &Path) -> Result<bool> {
    let (old, new) = (read_checkpoint(from)?, read_checkpoint(to)?);
    if old.checkpoint.origin != new.checkpoint.origin {
        bail!(
            "the checkpoints are of two logs ({} and {}): a consistency proof joins two checkpoints of one",
            old.checkpoint.origin,
            new.checkpoint.origin
        );
    }
    let proof = journal.prove_consistency(old.checkpoint.size, new.checkpoint.size).await?;
    let path = proof.consistency.iter().map(|hash| decode(hash)).collect::<Result<Vec<_>>>()?;
    let holds = merkle::check_consistency(
        old.checkpoint.size,
        &old.checkpoint.root,
        new.checkpoint.size,
        &new.checkpoint.root,
        &path,
    );
    println!("{}", serde_json::to_string_pretty(&proof)?);
    if let Err(error) = holds {
        eprintln!(
            "the checkpoint {} does not extend {} ({error}): one of them is not this journal's tree",
            to.display(),
            from.display()
        );
        return Ok(false);
    }
    Ok(true)
}

/// What a witness is asked to cosign.
pub struct Cosign<'a> {
    /// The checkpoint file.
    pub checkpoint: &'a Path,
    /// The journal's verifier key.
    pub vkey: &'a Path,
    /// The witness's signing key.
    pub key: &'a Path,
    /// The witness's memory of the last checkpoint it signed.
    pub state: Option<&'a Path>,
    /// Where to write the cosigned checkpoint, besides standard output.
    pub out: Option<&'a Path>,
}

/// Countersigns a checkpoint that extends the last one the witness signed.
pub async fn cosign(journal: &Journal, asked: &Cosign<'_>) -> Result<bool> {
    let mut signed = read_checkpoint(asked.checkpoint)?;
    let journal_key = read_verifier(asked.vkey)?;
    signed.check(&journal_key).with_context(|| format!("the checkpoint {}", asked.checkpoint.display()))?;
    let witness = read_signer(asked.key)?;
    let state = asked.state.map_or_else(
        || {
            let mut path = asked.key.as_os_str().to_owned();
            path.push(".last");
            PathBuf::from(path)
        },
        Path::to_path_buf,
    );
    if state.exists() {
        let last = read_checkpoint(&state)?;
        let (old, new) = (&last.checkpoint, &signed.checkpoint);
        if old.origin != new.origin {
            bail!(
                "this witness last signed a checkpoint of {} ({}), not of {}: use another --state for another log",
                old.origin,
                state.display(),
                new.origin
            );
        }
        let proof = journal.prove_consistency(old.size.min(new.size), new.size).await;
        let holds = match proof {
            Ok(proof) => {
                let path = proof.consistency.iter().map(|hash| decode(hash)).collect::<Result<Vec<Hash>>>()?;
                merkle::check_consistency(old.size, &old.root, new.size, &new.root, &path).map_err(|e| e.to_string())
            }
            Err(error) => Err(error.to_string()),
        };
        if let Err(error) = holds {
            println!(
                "refused: the checkpoint {} (size {}) does not extend the last one this witness signed (size {}, {}): \
                 {error}",
                asked.checkpoint.display(),
                new.size,
                old.size,
                state.display()
            );
            return Ok(false);
        }
    } else {
        eprintln!(
            "this witness has signed no checkpoint of {} before ({} is absent): the checkpoint is taken as the first",
            signed.checkpoint.origin,
            state.display()
        );
    }
    signed.note.cosign(&witness);
    let text = signed.to_text();
    crate::files::write_atomically(&state, text.as_bytes())?;
    if let Some(out) = asked.out {
        crate::files::write_atomically(out, text.as_bytes())?;
    }
    print!("{text}");
    Ok(true)
}

/// The 32 bytes of a base64 hash.
fn decode(text: &str) -> Result<Hash> {
    use base64::Engine;
    let bytes = base64::engine::general_purpose::STANDARD.decode(text).context("a proof hash is not base64")?;
    Hash::try_from(bytes.as_slice()).ok().context("a proof hash is not 32 bytes")
}
