//! Signed checkpoints: the C2SP `tlog-checkpoint` text of a tree (origin, size, root hash)
//! in a C2SP `signed-note`, signed with Ed25519 by the journal and countersigned by
//! witnesses.
//!
//! The key formats are those of Go's `golang.org/x/mod/sumdb/note`, so standard tools read
//! them: a verifier key is `name+<key id, 8 hex digits>+<base64(0x01 ‖ public key)>`, a
//! signing key `PRIVATE+KEY+name+<key id>+<base64(0x01 ‖ 32-byte seed)>`; the key id is the
//! first 4 bytes of SHA-256(name ‖ 0x0A ‖ 0x01 ‖ public key). A signature line is `— name
//! base64(key id ‖ signature)`, over the note's text (its lines, each ending in a newline).
//!
//! Uses: std, sha2, ed25519-dalek, base64.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use ed25519_dalek::{Signer, SigningKey, Verifier, VerifyingKey};
use sha2::{Digest, Sha256};

use super::merkle::Hash;

/// The algorithm byte of Ed25519 in signed-note keys.
const ED25519: u8 = 0x01;
/// What starts a signing key's text.
const PRIVATE_PREFIX: &str = "PRIVATE+KEY+";
/// What starts a signature line: an em dash and a space.
const SIGNATURE_PREFIX: &str = "\u{2014} ";

/// Errors of keys, notes and checkpoints, each saying what is wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NoteError {
    /// A key's text cannot be read.
    #[error("{0}")]
    Key(String),
    /// A note's or checkpoint's text cannot be read.
    #[error("{0}")]
    Format(String),
    /// No signature of the expected key, or one that does not hold.
    #[error("{0}")]
    Signature(String),
}

/// The key id of a signer: the first 4 bytes of SHA-256(name ‖ 0x0A ‖ 0x01 ‖ public key).
pub fn key_id(name: &str, public: &[u8; 32]) -> [u8; 4] {
    let mut hasher = Sha256::new();
    hasher.update(name.as_bytes());
    hasher.update([0x0A, ED25519]);
    hasher.update(public);
    let digest = hasher.finalize();
    [digest[0], digest[1], digest[2], digest[3]]
}

/// Checks a signer's name as signed notes allow it: not empty, no space, no `+`.
pub fn check_signer_name(name: &str) -> Result<(), NoteError> {
    if name.is_empty() || name.chars().any(|c| c.is_whitespace() || c.is_control() || c == '+') {
        return Err(NoteError::Key(format!(
            "the signer's name {name:?} must be non-empty, without spaces, control characters or '+' (for \
             example example.bank/pad-journal)"
        )));
    }
    Ok(())
}

/// Reads the `+`-separated key text `name+hex id+base64` (after any prefix).
fn key_parts(text: &str, what: &str) -> Result<(String, [u8; 4], [u8; 32]), NoteError> {
    let bad = |why: &str| NoteError::Key(format!("the {what} cannot be read: {why}"));
    // The name and the id hold no '+'; the base64 key may.
    let mut parts = text.trim().splitn(3, '+');
    let (Some(name), Some(id), Some(key)) = (parts.next(), parts.next(), parts.next()) else {
        return Err(bad("expected NAME+KEYID+KEY"));
    };
    check_signer_name(name)?;
    let id = u32::from_str_radix(id, 16)
        .ok()
        .filter(|_| id.len() == 8)
        .ok_or_else(|| bad("its key id is not 8 hex digits"))?
        .to_be_bytes();
    let key = STANDARD.decode(key).map_err(|_| bad("its key is not base64"))?;
    let Some((&ED25519, key)) = key.split_first() else {
        return Err(bad("it is not an Ed25519 key (algorithm byte 0x01)"));
    };
    let key: [u8; 32] = key.try_into().map_err(|_| bad("an Ed25519 key has 32 bytes"))?;
    Ok((name.to_string(), id, key))
}

/// A key that signs checkpoints (the journal's, or a witness's).
pub struct NoteSigner {
    name: String,
    key: SigningKey,
}

impl std::fmt::Debug for NoteSigner {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never the seed.
        formatter.debug_struct("NoteSigner").field("name", &self.name).finish_non_exhaustive()
    }
}

impl NoteSigner {
    /// The signer of this name with the key of this 32-byte seed.
    pub fn from_seed(name: &str, seed: [u8; 32]) -> Result<NoteSigner, NoteError> {
        check_signer_name(name)?;
        Ok(NoteSigner { name: name.to_string(), key: SigningKey::from_bytes(&seed) })
    }

    /// A new signer of this name, its key from the system's random source.
    pub fn generate(name: &str) -> Result<NoteSigner, NoteError> {
        use rand::RngExt;
        let seed: [u8; 32] = rand::rng().random();
        NoteSigner::from_seed(name, seed)
    }

    /// Reads a signing key's text (`PRIVATE+KEY+name+id+key`), checking its key id.
    pub fn parse(text: &str) -> Result<NoteSigner, NoteError> {
        let rest = text.trim().strip_prefix(PRIVATE_PREFIX).ok_or_else(|| {
            NoteError::Key("the signing key cannot be read: it does not start with PRIVATE+KEY+".into())
        })?;
        let (name, id, seed) = key_parts(rest, "signing key")?;
        let signer = NoteSigner::from_seed(&name, seed)?;
        if signer.key_id() != id {
            return Err(NoteError::Key(format!(
                "the signing key of {name} cannot be read: its key id does not match its key"
            )));
        }
        Ok(signer)
    }

    /// The signing key's text, to keep in a file only its owner reads.
    pub fn to_text(&self) -> String {
        let mut key = vec![ED25519];
        key.extend_from_slice(self.key.as_bytes());
        format!("{PRIVATE_PREFIX}{}+{}+{}", self.name, hex_id(self.key_id()), STANDARD.encode(key))
    }

    /// The signer's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The key id.
    pub fn key_id(&self) -> [u8; 4] {
        key_id(&self.name, self.key.verifying_key().as_bytes())
    }

    /// The verifier key of this signer.
    pub fn verifier(&self) -> NoteVerifier {
        NoteVerifier { name: self.name.clone(), id: self.key_id(), key: self.key.verifying_key() }
    }

    /// The signature line of `text`: `— name base64(key id ‖ signature)`.
    pub fn sign(&self, text: &str) -> NoteSignature {
        let signature = self.key.sign(text.as_bytes()).to_bytes();
        NoteSignature { name: self.name.clone(), key_id: self.key_id(), signature: signature.to_vec() }
    }
}

/// The 8 hex digits of a key id.
fn hex_id(id: [u8; 4]) -> String {
    format!("{:08x}", u32::from_be_bytes(id))
}

/// A key that checks signatures: `name+id+key`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoteVerifier {
    name: String,
    id: [u8; 4],
    key: VerifyingKey,
}

impl NoteVerifier {
    /// Reads a verifier key's text, checking its key id.
    pub fn parse(text: &str) -> Result<NoteVerifier, NoteError> {
        let (name, id, key) = key_parts(text, "verifier key")?;
        let key = VerifyingKey::from_bytes(&key)
            .map_err(|_| NoteError::Key(format!("the verifier key of {name} is not a valid Ed25519 key")))?;
        if key_id(&name, key.as_bytes()) != id {
            return Err(NoteError::Key(format!("the verifier key of {name}: its key id does not match its key")));
        }
        Ok(NoteVerifier { name, id, key })
    }

    /// The verifier key's text.
    pub fn to_text(&self) -> String {
        let mut key = vec![ED25519];
        key.extend_from_slice(self.key.as_bytes());
        format!("{}+{}+{}", self.name, hex_id(self.id), STANDARD.encode(key))
    }

    /// The signer's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Whether `signature` is this key's and holds over `text`.
    fn holds(&self, text: &str, signature: &NoteSignature) -> bool {
        let Ok(bytes) = <[u8; 64]>::try_from(signature.signature.as_slice()) else {
            return false;
        };
        signature.name == self.name
            && signature.key_id == self.id
            && self.key.verify(text.as_bytes(), &ed25519_dalek::Signature::from_bytes(&bytes)).is_ok()
    }
}

/// One signature line of a note.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoteSignature {
    /// The signer's name.
    pub name: String,
    /// The signer's key id.
    pub key_id: [u8; 4],
    /// The signature's bytes (64 for Ed25519).
    pub signature: Vec<u8>,
}

impl NoteSignature {
    /// The line, without its newline.
    pub fn line(&self) -> String {
        let mut bytes = self.key_id.to_vec();
        bytes.extend_from_slice(&self.signature);
        format!("{SIGNATURE_PREFIX}{} {}", self.name, STANDARD.encode(bytes))
    }
}

/// A signed note: a text (lines ending in newlines) and its signatures.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedNote {
    /// The signed text, final newline included.
    pub text: String,
    /// The signature lines, in order.
    pub signatures: Vec<NoteSignature>,
}

impl SignedNote {
    /// Reads a note: its text, an empty line, then one or more signature lines.
    pub fn parse(note: &str) -> Result<SignedNote, NoteError> {
        let bad = |why: String| NoteError::Format(format!("the signed note cannot be read: {why}"));
        let Some(split) = note.rfind("\n\n") else {
            return Err(bad("no empty line between its text and its signatures".into()));
        };
        let text = &note[..=split];
        let mut signatures = Vec::new();
        for (number, line) in note[split + 2..].split_terminator('\n').enumerate() {
            let line = line.strip_suffix('\r').unwrap_or(line);
            let Some(rest) = line.strip_prefix(SIGNATURE_PREFIX) else {
                return Err(bad(format!("signature line {} does not start with '\u{2014} '", number + 1)));
            };
            let Some((name, encoded)) = rest.split_once(' ') else {
                return Err(bad(format!("signature line {} has no signature after the name", number + 1)));
            };
            let bytes = STANDARD
                .decode(encoded)
                .map_err(|_| bad(format!("signature line {} ({name}) is not base64", number + 1)))?;
            if bytes.len() < 5 {
                return Err(bad(format!("signature line {} ({name}) is too short", number + 1)));
            }
            signatures.push(NoteSignature {
                name: name.to_string(),
                key_id: [bytes[0], bytes[1], bytes[2], bytes[3]],
                signature: bytes[4..].to_vec(),
            });
        }
        if signatures.is_empty() {
            return Err(bad("it has no signature line".into()));
        }
        Ok(SignedNote { text: text.to_string(), signatures })
    }

    /// The note's text with its signatures.
    pub fn to_text(&self) -> String {
        let mut note = format!("{}\n", self.text);
        for signature in &self.signatures {
            note.push_str(&signature.line());
            note.push('\n');
        }
        note
    }

    /// Checks that `verifier` signed the text; other signers' lines are left alone (a
    /// witness's, unknown here).
    pub fn check(&self, verifier: &NoteVerifier) -> Result<(), NoteError> {
        let theirs: Vec<&NoteSignature> = self
            .signatures
            .iter()
            .filter(|signature| signature.name == verifier.name && signature.key_id == verifier.id)
            .collect();
        if theirs.is_empty() {
            return Err(NoteError::Signature(format!(
                "the note carries no signature of {} (key id {})",
                verifier.name,
                hex_id(verifier.id)
            )));
        }
        if theirs.iter().any(|signature| verifier.holds(&self.text, signature)) {
            Ok(())
        } else {
            Err(NoteError::Signature(format!(
                "the signature of {} does not hold: the note was changed after it was signed, or signed by \
                 another key",
                verifier.name
            )))
        }
    }

    /// Adds `signer`'s signature line (once: a signer that already signed is not repeated).
    pub fn cosign(&mut self, signer: &NoteSigner) {
        let signature = signer.sign(&self.text);
        if !self.signatures.iter().any(|line| line.name == signature.name && line.key_id == signature.key_id) {
            self.signatures.push(signature);
        }
    }
}

/// A C2SP checkpoint: the log's origin, its size and root hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checkpoint {
    /// The log's name (the origin line).
    pub origin: String,
    /// The number of leaves.
    pub size: u64,
    /// The root hash.
    pub root: Hash,
    /// Extension lines after the root (C2SP allows them; tools that do not know them leave
    /// them alone): pad's commits to the access log's tree.
    pub extensions: Vec<String>,
}

impl Checkpoint {
    /// The note's text: origin, size and base64 root, each on its line, then the extension
    /// lines.
    pub fn body(&self) -> String {
        let mut body = format!("{}\n{}\n{}\n", self.origin, self.size, STANDARD.encode(self.root));
        for line in &self.extensions {
            body.push_str(line);
            body.push('\n');
        }
        body
    }

    /// The words of the extension line starting with `name`, after it.
    pub fn extension(&self, name: &str) -> Option<Vec<&str>> {
        self.extensions.iter().find_map(|line| {
            let mut words = line.split(' ');
            (words.next() == Some(name)).then(|| words.collect())
        })
    }

    /// Reads a checkpoint's text (extension lines after the root are kept).
    pub fn parse_body(text: &str) -> Result<Checkpoint, NoteError> {
        let bad = |why: &str| NoteError::Format(format!("the checkpoint cannot be read: {why}"));
        let mut lines = text.split_terminator('\n');
        let origin = lines.next().filter(|line| !line.is_empty()).ok_or_else(|| bad("its origin line is empty"))?;
        let size = lines
            .next()
            .and_then(|line| line.parse::<u64>().ok().filter(|_| !line.starts_with('+')))
            .ok_or_else(|| bad("its second line is not a tree size in decimal"))?;
        let root = lines
            .next()
            .and_then(|line| STANDARD.decode(line).ok())
            .and_then(|bytes| Hash::try_from(bytes.as_slice()).ok())
            .ok_or_else(|| bad("its third line is not a base64 SHA-256 root hash"))?;
        let extensions = lines.map(str::to_string).collect();
        Ok(Checkpoint { origin: origin.to_string(), size, root, extensions })
    }

    /// The checkpoint signed by `signer`.
    pub fn sign(&self, signer: &NoteSigner) -> SignedCheckpoint {
        let text = self.body();
        let signature = signer.sign(&text);
        SignedCheckpoint { checkpoint: self.clone(), note: SignedNote { text, signatures: vec![signature] } }
    }
}

/// A checkpoint with its signatures.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedCheckpoint {
    /// What it says.
    pub checkpoint: Checkpoint,
    /// The note it came in.
    pub note: SignedNote,
}

impl SignedCheckpoint {
    /// Reads a signed checkpoint (signatures not checked yet: see [`SignedCheckpoint::check`]).
    pub fn parse(text: &str) -> Result<SignedCheckpoint, NoteError> {
        let note = SignedNote::parse(text)?;
        let checkpoint = Checkpoint::parse_body(&note.text)?;
        Ok(SignedCheckpoint { checkpoint, note })
    }

    /// Checks the signature of `verifier`, and that the checkpoint names the verifier's log.
    pub fn check(&self, verifier: &NoteVerifier) -> Result<(), NoteError> {
        self.note.check(verifier)
    }

    /// The checkpoint's text with its signatures.
    pub fn to_text(&self) -> String {
        self.note.to_text()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The spec's key: its seed is SHA-256 of the ASCII text `pad test vector key`.
    fn vector_signer() -> NoteSigner {
        let seed: [u8; 32] = Sha256::digest(b"pad test vector key").into();
        NoteSigner::from_seed("example.bank/pad-journal", seed).unwrap()
    }

    /// specs/transparency-log.md, "Checkpoint of the tree of 7".
    const VECTOR_NOTE: &str = "example.bank/pad-journal\n7\n0BQ3rVKxjmWEzgPy0p11l/jTGAPyFg+zHGcKZK8yVBc=\n\n\u{2014} \
                               example.bank/pad-journal \
                               A4dN9Eji4fajA/B/Osd0LafydVHvb3nWe7S0HAiLgo/AnfFA6of+ci9SvO18FHoaSWB5TVJSDU3jWj4f4MIJ+\
                               F1S1AY=\n";

    #[test]
    fn the_spec_key_has_the_spec_verifier_key() {
        assert_eq!(
            vector_signer().verifier().to_text(),
            "example.bank/pad-journal+03874df4+Ae6srTz1DqxpICOImVVzKz3fI75ndu7RWBPh2VBYQDgG"
        );
    }

    #[test]
    fn the_spec_checkpoint_is_signed_byte_for_byte_and_checks() {
        let signed = SignedCheckpoint::parse(VECTOR_NOTE).unwrap();
        assert_eq!(signed.checkpoint.size, 7);
        let signer = vector_signer();
        assert_eq!(signed.checkpoint.sign(&signer).to_text(), VECTOR_NOTE);
        let verifier =
            NoteVerifier::parse("example.bank/pad-journal+03874df4+Ae6srTz1DqxpICOImVVzKz3fI75ndu7RWBPh2VBYQDgG")
                .unwrap();
        signed.check(&verifier).unwrap();
    }

    #[test]
    fn a_changed_byte_or_another_key_is_refused() {
        let verifier = vector_signer().verifier();
        let changed = VECTOR_NOTE.replacen("\n7\n", "\n8\n", 1);
        let error = SignedCheckpoint::parse(&changed).unwrap().check(&verifier).unwrap_err();
        assert!(error.to_string().contains("does not hold"), "{error}");
        let other = NoteSigner::from_seed("example.bank/pad-journal", [7; 32]).unwrap();
        let error = SignedCheckpoint::parse(VECTOR_NOTE).unwrap().check(&other.verifier()).unwrap_err();
        assert!(error.to_string().contains("no signature of example.bank/pad-journal"), "{error}");
    }

    #[test]
    fn signing_keys_round_trip_and_their_id_is_checked() {
        let signer = vector_signer();
        let text = signer.to_text();
        assert!(text.starts_with("PRIVATE+KEY+example.bank/pad-journal+03874df4+"), "{text}");
        assert_eq!(NoteSigner::parse(&text).unwrap().verifier(), signer.verifier());
        let bent = text.replace("+03874df4+", "+03874df5+");
        assert!(NoteSigner::parse(&bent).unwrap_err().to_string().contains("key id does not match"));
        assert!(NoteVerifier::parse("nobody").is_err());
        assert!(NoteSigner::from_seed("two words", [0; 32]).is_err());
    }

    #[test]
    fn keys_whose_base64_holds_a_plus_are_read() {
        // Seeds until both the signing and the verifier key's base64 hold a '+'.
        let signer = (0..=255_u8)
            .map(|byte| NoteSigner::from_seed("example.bank/pad-journal", [byte; 32]).unwrap())
            .find(|signer| {
                let private = signer.to_text();
                let key = private.strip_prefix(PRIVATE_PREFIX).unwrap().splitn(3, '+').nth(2).unwrap().to_string();
                let public = signer.verifier().to_text().splitn(3, '+').nth(2).unwrap().to_string();
                key.contains('+') && public.contains('+')
            })
            .unwrap();
        assert_eq!(NoteSigner::parse(&signer.to_text()).unwrap().verifier(), signer.verifier());
        assert_eq!(NoteVerifier::parse(&signer.verifier().to_text()).unwrap(), signer.verifier());
    }

    #[test]
    fn a_witness_cosigns_and_both_signatures_check() {
        let mut signed = SignedCheckpoint::parse(VECTOR_NOTE).unwrap();
        let witness = NoteSigner::from_seed("auditor.example/witness", [9; 32]).unwrap();
        signed.note.cosign(&witness);
        signed.note.cosign(&witness);
        assert_eq!(signed.note.signatures.len(), 2);
        let again = SignedCheckpoint::parse(&signed.to_text()).unwrap();
        again.check(&vector_signer().verifier()).unwrap();
        again.check(&witness.verifier()).unwrap();
    }

    #[test]
    fn malformed_notes_say_what_is_wrong() {
        let cases = [
            ("example\n7\nroot\n", "no empty line"),
            ("example\n7\n0BQ3rVKxjmWEzgPy0p11l/jTGAPyFg+zHGcKZK8yVBc=\n\n", "no signature line"),
            ("example\nseven\n0BQ3rVKxjmWEzgPy0p11l/jTGAPyFg+zHGcKZK8yVBc=\n\n\u{2014} a AAAAAAA=\n", "tree size"),
            ("example\n7\nnot base64\n\n\u{2014} a AAAAAAA=\n", "root hash"),
            ("example\n7\n0BQ3rVKxjmWEzgPy0p11l/jTGAPyFg+zHGcKZK8yVBc=\n\n- a AAAAAAA=\n", "does not start"),
        ];
        for (note, expected) in cases {
            let error = SignedCheckpoint::parse(note).unwrap_err();
            assert!(error.to_string().contains(expected), "{note:?}: {error}");
        }
    }
}
