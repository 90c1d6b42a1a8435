//! The journal as evidence, on both backends: signed checkpoints of its Merkle tree catch what
//! the hash chain alone cannot, a database administrator who rewrites events and recomputes
//! every hash with the README's formula (a rewrite, a swap, a deletion with the ids renumbered,
//! a cut end, a truncation); honest appends, contests and purges after a checkpoint still
//! extend it; and pad's checkpoints and proofs hold by an independent verifier written in
//! Python from RFC 9162 and the C2SP specifications (`tests/evidence/verify.py`).

#[macro_use]
#[path = "common/postgres.rs"]
mod postgres;

use std::path::{Path, PathBuf};
use std::process::Command;

use pad::domain::Decision;
use pad::domain::InputValue;
use pad::domain::format::Language;
use pad::journal::evidence::note::{NoteSigner, SignedCheckpoint};
use pad::journal::{
    Channel, Content, ContestDraft, DecisionColumns, DecisionDraft, GENESIS_HASH, Journal, JournalUrl, Origin, Page,
    RmDecision, ShownReason, decision_hash, sha256_hex,
};
use sha2::Digest;

both!(
    honest_appends_extend_a_checkpoint,
    a_rewrite_with_every_hash_recomputed_is_caught,
    a_swap_is_caught,
    a_deletion_with_the_ids_renumbered_is_caught,
    a_cut_end_is_caught,
    a_truncation_is_caught,
    a_purge_keeps_what_proofs_across_it_need,
    the_command_line_and_an_independent_verifier_agree,
    user_changes_are_events_and_verify_rebuilds_the_users_from_them,
    users_of_an_older_journal_are_adopted_into_the_chain,
    the_access_log_is_under_the_same_checkpoints,
);

async fn open(url: &str) -> Journal {
    Journal::open(&JournalUrl::parse(url).unwrap()).await.unwrap_or_else(|error| panic!("{url}: {error}"))
}

fn signer() -> NoteSigner {
    NoteSigner::from_seed("example.bank/pad-journal", [42; 32]).unwrap()
}

fn draft(client_id: i64) -> DecisionDraft {
    DecisionDraft {
        rm: RmDecision {
            client_id,
            decision: None,
            reason_code: None,
            justification: None,
            language: Language::En,
            rm: "ana".into(),
            export_file: None,
        },
        inputs: vec![("AMT_CREDIT".into(), InputValue::Number(450_000.0))],
        model_version: "sha256-a44122dc59e9".into(),
        threshold: 0.0844318326223164,
        probability: 0.05 + client_id as f64 % 7.0 / 100.0,
        model_decision: Decision::Accepted,
        reasons: vec![ShownReason { code: "EXT_SOURCE_2".into(), text: "Your external score 2 is high.".into() }],
        counterfactual: None,
        origin: Origin::Local,
        challenger: None,
    }
}

/// A journal of `n` decisions (ids 1 to n).
async fn journal_of(url: &str, n: i64) -> Journal {
    let journal = open(url).await;
    for client in 0..n {
        journal.record(&draft(400_000 + client), None).await.unwrap();
    }
    journal
}

/// Every decision's content, in id order.
async fn contents(journal: &Journal) -> Vec<Content> {
    let page = Page { after: None, limit: 10_000, newest_first: false };
    journal.list(&pad::journal::Filter::default(), page).await.unwrap().into_iter().map(|event| event.content).collect()
}

/// SQL text of a string.
fn quoted(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

/// Rewrites the decisions table behind pad's back as an administrator with the README's formula
/// would: the guards dropped, every row replaced by `contents` (ids 1, 2, ... in order), every
/// content hash, columns hash and chain hash recomputed, the head moved to the new end. The
/// stored Merkle tree is left alone (the administrator may not know of it; the test that
/// rewrites it too is below).
async fn rewrite(url: &str, contents: &[Content]) {
    let guards = if url.starts_with("sqlite://") {
        "DROP TRIGGER decisions_no_update; DROP TRIGGER decisions_no_delete;"
    } else {
        "ALTER TABLE decisions DISABLE TRIGGER USER;"
    };
    let mut sql = format!("{guards} DELETE FROM decisions;");
    let mut prev = GENESIS_HASH.to_string();
    for (i, content) in contents.iter().enumerate() {
        let text = content.canonical().unwrap();
        let content_hash = sha256_hex(text.as_bytes());
        let columns_hash = DecisionColumns::of(content).hash();
        let hash = decision_hash(&prev, &content_hash, Some(&columns_hash));
        sql.push_str(&format!(
            "INSERT INTO decisions (id, recorded_at, client_id, rm, final_decision, model_decision, overridden, \
             reason_code, probability, model_version, content, content_hash, prev_hash, hash, columns_hash) VALUES \
             ({}, {}, {}, {}, {}, {}, {}, {}, {:?}, {}, {}, {}, {}, {}, {});",
            i + 1,
            quoted(&content.recorded_at),
            content.client_id,
            quoted(&content.rm),
            quoted(content.final_decision.as_str()),
            quoted(content.model_decision.as_str()),
            i64::from(content.overridden),
            content.reason_code.as_deref().map_or("NULL".to_string(), quoted),
            content.probability,
            quoted(&content.model_version),
            quoted(&text),
            quoted(&content_hash),
            quoted(&prev),
            quoted(&hash),
            quoted(&columns_hash),
        ));
        prev = hash;
    }
    sql.push_str(&format!(
        "UPDATE journal_head SET last_id = {}, last_hash = {} WHERE id = 1;",
        contents.len(),
        quoted(&prev)
    ));
    postgres::sql(url, &sql).await;
}

/// Records 12 decisions, signs a checkpoint, records 3 more: the checkpoint then covers 12 of
/// 15 events.
async fn checkpointed(url: &str) -> (Journal, SignedCheckpoint) {
    let journal = journal_of(url, 12).await;
    let checkpoint = journal.checkpoint(&signer(), "example.bank/pad-journal").await.unwrap();
    assert_eq!(checkpoint.checkpoint.size, 12);
    for client in 12..15 {
        journal.record(&draft(400_000 + client), None).await.unwrap();
    }
    (journal, checkpoint)
}

/// After a forgery: the chain alone holds (the probe), the checkpoint does not, naming `id`
/// and saying `words`.
async fn caught(url: &str, checkpoint: &SignedCheckpoint, id: i64, words: &str) {
    let journal = open(url).await;
    let verification = journal.verify().await.unwrap();
    assert_eq!(verification.broken, None, "the forgery fools the chain alone (else this test proves nothing)");
    let check = journal.check_checkpoint(&checkpoint.checkpoint).await.unwrap();
    let broken = check.broken.unwrap_or_else(|| panic!("{url}: the forgery was not caught"));
    assert_eq!(broken.id, Some(id), "{}", broken.problem);
    assert!(broken.problem.contains(words), "{}", broken.problem);
}

async fn honest_appends_extend_a_checkpoint(url: &str) {
    let (journal, checkpoint) = checkpointed(url).await;
    journal
        .contest(&ContestDraft {
            decision_id: 3,
            statement: "My income is higher now".into(),
            channel: Channel::Branch,
            by: "ana".into(),
        })
        .await
        .unwrap();
    let check = journal.check_checkpoint(&checkpoint.checkpoint).await.unwrap();
    assert_eq!(check.broken, None);
    assert_eq!((check.checkpoint_size, check.journal_size), (12, 16));
    // A second checkpoint extends the first: the consistency proof holds by RFC 9162's check.
    let later = journal.checkpoint(&signer(), "example.bank/pad-journal").await.unwrap();
    assert_eq!(later.checkpoint.size, 16);
    let proof = journal.prove_consistency(12, 16).await.unwrap();
    let hashes: Vec<[u8; 32]> = proof.consistency.iter().map(|hash| decode(hash)).collect();
    pad::journal::evidence::merkle::check_consistency(
        12,
        &checkpoint.checkpoint.root,
        16,
        &later.checkpoint.root,
        &hashes,
    )
    .unwrap();
    // Every event's inclusion proof leads to the later root, from SHA-256(0x00 ‖ its chain
    // hash) computed here.
    for id in 1..=16_i64 {
        let proof = journal.prove_inclusion(id, 16).await.unwrap();
        let chain_hash = event_hash(&journal, id).await;
        let mut hasher = sha2::Sha256::new();
        hasher.update([0_u8]);
        hasher.update(pad::journal::evidence::decode_hex_hash(&chain_hash).unwrap());
        let leaf: [u8; 32] = hasher.finalize().into();
        assert_eq!(decode(&proof.leaf_hash), leaf, "event {id}");
        let path: Vec<[u8; 32]> = proof.inclusion.iter().map(|hash| decode(hash)).collect();
        pad::journal::evidence::merkle::check_inclusion(&leaf, proof.index, 16, &path, &later.checkpoint.root)
            .unwrap_or_else(|error| panic!("event {id}: {error}"));
    }
    // The latest checkpoint is what the server serves.
    assert_eq!(journal.latest_checkpoint().await.unwrap(), Some(later.to_text()));
    // A size the journal has not reached is refused, naming the field.
    let error = journal.prove_inclusion(3, 40).await.unwrap_err();
    assert!(error.to_string().contains("tree_size: the journal holds 16 events"), "{error}");
}

/// A decision's or a follow-up's chain hash, as `pad journal show` prints it.
async fn event_hash(journal: &Journal, id: i64) -> String {
    match journal.get(id).await.unwrap() {
        Some(event) => event.hash,
        None => journal.case(3).await.unwrap().events.into_iter().find(|event| event.id == id).unwrap().hash,
    }
}

fn decode(text: &str) -> [u8; 32] {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.decode(text).unwrap().try_into().unwrap()
}

async fn a_rewrite_with_every_hash_recomputed_is_caught(url: &str) {
    let (journal, checkpoint) = checkpointed(url).await;
    let mut contents = contents(&journal).await;
    journal.close().await;
    // Event 7 said ACCEPTED at 0.05: now REFUSED at 0.93.
    contents[6].final_decision = Decision::Refused;
    contents[6].probability = 0.93;
    rewrite(url, &contents).await;
    caught(url, &checkpoint, 7, "no longer matches the checkpoint's tree").await;
}

async fn a_swap_is_caught(url: &str) {
    let (journal, checkpoint) = checkpointed(url).await;
    let mut contents = contents(&journal).await;
    journal.close().await;
    contents.swap(4, 5);
    rewrite(url, &contents).await;
    caught(url, &checkpoint, 5, "rewritten, or swapped").await;
}

async fn a_deletion_with_the_ids_renumbered_is_caught(url: &str) {
    let (journal, checkpoint) = checkpointed(url).await;
    let mut contents = contents(&journal).await;
    journal.close().await;
    contents.remove(8);
    rewrite(url, &contents).await;
    caught(url, &checkpoint, 9, "no longer matches").await;
}

async fn a_cut_end_is_caught(url: &str) {
    let (journal, checkpoint) = checkpointed(url).await;
    let mut contents = contents(&journal).await;
    journal.close().await;
    // The last 5 decisions deleted, the head moved back: 10 events, the checkpoint had 12.
    contents.truncate(10);
    rewrite(url, &contents).await;
    caught(url, &checkpoint, 11, "events 11 to 12 were cut").await;
}

async fn a_truncation_is_caught(url: &str) {
    let (journal, checkpoint) = checkpointed(url).await;
    journal.close().await;
    if url.starts_with("sqlite://") {
        rewrite(url, &[]).await;
    } else {
        // As the probe did it: TRUNCATE fires no row trigger.
        let reset = format!(
            "TRUNCATE decisions, case_events; UPDATE journal_head SET last_id = 0, last_hash = '{GENESIS_HASH}';"
        );
        postgres::sql(url, &reset).await;
    }
    let journal = open(url).await;
    assert_eq!(journal.verify().await.unwrap().events, 0);
    caught(url, &checkpoint, 1, "the journal holds 0 events, fewer than the 12").await;
}

async fn a_purge_keeps_what_proofs_across_it_need(url: &str) {
    let journal = open(url).await;
    let old = time::macros::datetime!(2025-01-10 09:00 UTC);
    journal.set_clock(Some(old));
    for client in 0..6 {
        journal.record(&draft(400_100 + client), None).await.unwrap();
    }
    journal.set_clock(Some(time::macros::datetime!(2026-11-20 09:00 UTC)));
    for client in 6..11 {
        journal.record(&draft(400_100 + client), None).await.unwrap();
    }
    let before = journal.checkpoint(&signer(), "example.bank/pad-journal").await.unwrap();
    let purged = journal.purge("2025-06-01", 183, "ana").await.unwrap();
    assert_eq!(purged.removed_events, 6);
    let after = journal.checkpoint(&signer(), "example.bank/pad-journal").await.unwrap();
    assert_eq!((before.checkpoint.size, after.checkpoint.size), (11, 12));
    // The chain and both checkpoints hold over what remains; the tree is recomputed from the
    // stored subtrees of the purged history and the events left.
    assert_eq!(journal.verify().await.unwrap().broken, None);
    for checkpoint in [&before, &after] {
        let check = journal.check_checkpoint(&checkpoint.checkpoint).await.unwrap();
        assert_eq!(check.broken, None, "size {}", checkpoint.checkpoint.size);
    }
    let proof = journal.prove_consistency(11, 12).await.unwrap();
    let hashes: Vec<[u8; 32]> = proof.consistency.iter().map(|hash| decode(hash)).collect();
    pad::journal::evidence::merkle::check_consistency(11, &before.checkpoint.root, 12, &after.checkpoint.root, &hashes)
        .unwrap();
    // An event left is still proven in the tree; a purged one is no more in the journal.
    let proof = journal.prove_inclusion(8, 12).await.unwrap();
    assert_eq!(proof.index, 7);
    assert!(journal.get(3).await.unwrap().is_none());
}

/// The binary, as other tools use it (the contract in the README), with the Python verifier.
async fn the_command_line_and_an_independent_verifier_agree(url: &str) {
    let journal = journal_of(url, 9).await;
    journal.close().await;
    let folder = tempfile::tempdir().unwrap();
    let keys = folder.path().join("keys");
    let run = |args: &[&str]| -> (i32, String, String) {
        let output = Command::new(env!("CARGO_BIN_EXE_pad")).args(args).args(["--journal", url]).output().unwrap();
        let text = |bytes: &[u8]| String::from_utf8_lossy(bytes).into_owned();
        (output.status.code().unwrap_or(-1), text(&output.stdout), text(&output.stderr))
    };
    let keys_text = keys.to_str().unwrap();
    let (code, _, stderr) = run(&["journal", "keygen", "--name", "example.bank/pad-journal", "--out", keys_text]);
    assert_eq!(code, 0, "{stderr}");
    let key = keys.join("journal.key");
    let vkey = keys.join("journal.vkey");
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(std::fs::metadata(&key).unwrap().permissions().mode() & 0o777, 0o600);
    // keygen never overwrites.
    let (code, _, stderr) = run(&["journal", "keygen", "--name", "example.bank/pad-journal", "--out", keys_text]);
    assert_ne!(code, 0);
    assert!(stderr.contains("already exists"), "{stderr}");

    let checkpoint = |file: &Path| {
        let (code, stdout, stderr) = run(&["journal", "checkpoint", "--key", key.to_str().unwrap()]);
        assert_eq!(code, 0, "{stderr}");
        std::fs::write(file, &stdout).unwrap();
    };
    let first = folder.path().join("cp-9.txt");
    checkpoint(&first);
    let first_text = std::fs::read_to_string(&first).unwrap();
    assert!(first_text.starts_with("example.bank/pad-journal\n9\n"), "{first_text}");
    python(&["checkpoint", &path(&vkey), &path(&first)]);

    // Two more decisions, a second checkpoint; pad's proofs check in Python.
    let journal = open(url).await;
    for client in 9..11 {
        journal.record(&draft(400_000 + client), None).await.unwrap();
    }
    let chain_hash = journal.get(4).await.unwrap().unwrap().hash;
    journal.close().await;
    let second = folder.path().join("cp-11.txt");
    checkpoint(&second);
    let (code, proof, stderr) = run(&["journal", "prove", "4", "--checkpoint", &path(&second)]);
    assert_eq!(code, 0, "{stderr}");
    let parsed: serde_json::Value = serde_json::from_str(&proof).unwrap();
    assert_eq!((parsed["index"].as_u64(), parsed["tree_size"].as_u64()), (Some(3), Some(11)));
    let proof_file = folder.path().join("inclusion.json");
    std::fs::write(&proof_file, &proof).unwrap();
    python(&["inclusion", &path(&vkey), &path(&second), &path(&proof_file), &chain_hash]);
    let (code, consistency, stderr) = run(&["journal", "prove", "--from", &path(&first), "--to", &path(&second)]);
    assert_eq!(code, 0, "{stderr}");
    let consistency_file = folder.path().join("consistency.json");
    std::fs::write(&consistency_file, &consistency).unwrap();
    python(&["consistency", &path(&vkey), &path(&first), &path(&second), &path(&consistency_file)]);

    // verify --checkpoint: 0 while the journal extends it.
    let (code, stdout, stderr) = run(&["journal", "verify", "--checkpoint", &path(&first), "--vkey", &path(&vkey)]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(stdout.contains("the journal extends the checkpoint"), "{stdout}");
    assert!(stdout.contains("the chain holds: 11 events"), "{stdout}");
    // A checkpoint with a changed byte, or a key that did not sign it, is refused (exit 1).
    let bent = folder.path().join("bent.txt");
    std::fs::write(&bent, first_text.replacen("\n9\n", "\n8\n", 1)).unwrap();
    let (code, stdout, _) = run(&["journal", "verify", "--checkpoint", &path(&bent), "--vkey", &path(&vkey)]);
    assert_eq!(code, 1, "{stdout}");
    assert!(stdout.contains("is refused") && stdout.contains("does not hold"), "{stdout}");
    let other = folder.path().join("other");
    let (code, _, stderr) = run(&["journal", "keygen", "--name", "example.bank/pad-journal", "--out", &path(&other)]);
    assert_eq!(code, 0, "{stderr}");
    let (code, stdout, _) =
        run(&["journal", "verify", "--checkpoint", &path(&first), "--vkey", &path(&other.join("journal.vkey"))]);
    assert_eq!(code, 1, "{stdout}");
    assert!(stdout.contains("no signature of example.bank/pad-journal"), "{stdout}");
    // The Python verifier refuses the changed checkpoint too.
    let output = python_output(&["checkpoint", &path(&vkey), &path(&bent)]);
    assert!(!output.status.success(), "the independent verifier took a changed checkpoint");

    // A witness cosigns the first, then the second (which extends it); its signature checks.
    let witness = folder.path().join("witness");
    let (code, _, stderr) = run(&["journal", "keygen", "--name", "auditor.example/witness", "--out", &path(&witness)]);
    assert_eq!(code, 0, "{stderr}");
    let cosign = |file: &Path| {
        run(&[
            "journal",
            "cosign",
            "--checkpoint",
            &path(file),
            "--vkey",
            &path(&vkey),
            "--key",
            &path(&witness.join("journal.key")),
        ])
    };
    let (code, _, stderr) = cosign(&first);
    assert_eq!(code, 0, "{stderr}");
    let (code, cosigned, stderr) = cosign(&second);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(cosigned.lines().filter(|line| line.starts_with('\u{2014}')).count(), 2, "{cosigned}");
    let cosigned_file = folder.path().join("cosigned.txt");
    std::fs::write(&cosigned_file, &cosigned).unwrap();
    python(&["checkpoint", &path(&witness.join("journal.vkey")), &path(&cosigned_file)]);
    python(&["checkpoint", &path(&vkey), &path(&cosigned_file)]);
    let (code, stdout, stderr) = run(&[
        "journal",
        "verify",
        "--checkpoint",
        &path(&cosigned_file),
        "--vkey",
        &path(&vkey),
        "--vkey",
        &path(&witness.join("journal.vkey")),
    ]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    // The witness refuses to go back to the older checkpoint.
    let (code, stdout, _) = cosign(&first);
    assert_eq!(code, 1, "{stdout}");
    assert!(stdout.contains("does not extend the last one this witness signed"), "{stdout}");

    // A rewrite behind pad's back: verify --checkpoint fails (exit 1), naming the checkpoint
    // and the event.
    let journal = open(url).await;
    let mut contents = contents(&journal).await;
    journal.close().await;
    contents[1].final_decision = Decision::Refused;
    rewrite(url, &contents).await;
    let (code, stdout, _) = run(&["journal", "verify", "--checkpoint", &path(&first), "--vkey", &path(&vkey)]);
    assert_eq!(code, 1, "{stdout}");
    assert!(stdout.contains("no longer holds the checkpoint") && stdout.contains("cp-9.txt"), "{stdout}");
    assert!(stdout.contains("at event 2"), "{stdout}");
}

fn path(path: &Path) -> String {
    path.to_str().unwrap().to_string()
}

/// The Python interpreter with `cryptography` (PAD_EVIDENCE_PYTHON, else python3).
fn python_binary() -> PathBuf {
    std::env::var_os("PAD_EVIDENCE_PYTHON").map_or_else(|| PathBuf::from("python3"), PathBuf::from)
}

fn python_output(args: &[&str]) -> std::process::Output {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/evidence/verify.py");
    Command::new(python_binary()).arg(script).args(args).output().unwrap_or_else(|error| {
        panic!(
            "cannot run {} (python3 with the cryptography package; .ci/run installs it): {error}",
            python_binary().display()
        )
    })
}

fn python(args: &[&str]) {
    let output = python_output(args);
    assert!(
        output.status.success(),
        "the independent verifier refused {args:?}: {}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

async fn user_changes_are_events_and_verify_rebuilds_the_users_from_them(url: &str) {
    use pad::journal::Role;
    let journal = open(url).await;
    journal.add_user("ana", Role::Rm, 30).await.unwrap();
    journal.add_user("rita", Role::Reviewer, 30).await.unwrap();
    journal.record(&draft(400_001), None).await.unwrap();
    journal.revoke_user("rita").await.unwrap();
    journal.renew_token("ana", 60).await.unwrap();
    // Five events: four user changes and a decision, one chain, one tree.
    let verification = journal.verify().await.unwrap();
    assert_eq!((verification.events, verification.broken, verification.users), (5, None, None));
    let checkpoint = journal.checkpoint(&signer(), "example.bank/pad-journal").await.unwrap();
    assert_eq!(checkpoint.checkpoint.size, 5);
    let proof = journal.prove_inclusion(4, 5).await.unwrap();
    assert_eq!(proof.index, 3);
    journal.close().await;
    // The users table changed behind pad's back, three ways: each is named.
    let (guard_off, guard_on) =
        if url.starts_with("sqlite://") { ("", "") } else { ("ALTER TABLE users DISABLE TRIGGER USER;", "") };
    let cases = [
        ("UPDATE users SET role = 'admin' WHERE name = 'ana';", "user ana's role in the users table"),
        (
            "INSERT INTO users (name, role, token_hash, created_at, expires_at) VALUES ('mallory', 'admin', \
             'aa', '2026-01-01T00:00:00.000000Z', '2030-01-01T00:00:00.000000Z');",
            "user mallory is in the users table but no event of the journal added them",
        ),
        ("UPDATE users SET revoked_at = NULL WHERE name = 'rita';", "user rita's revocation"),
        ("DELETE FROM users WHERE name = 'rita';", "user rita was deleted"),
    ];
    for (change, words) in cases {
        let backup = "CREATE TABLE users_backup AS SELECT * FROM users;";
        let restore = "DELETE FROM users; INSERT INTO users SELECT * FROM users_backup; DROP TABLE users_backup;";
        postgres::sql(url, &format!("{guard_off}{backup}{change}{guard_on}")).await;
        let journal = open(url).await;
        let verification = journal.verify().await.unwrap();
        assert_eq!(verification.broken, None);
        let problem = verification.users.unwrap_or_else(|| panic!("{change} was not caught"));
        assert!(problem.contains(words), "{change}: {problem}");
        journal.close().await;
        postgres::sql(url, restore).await;
    }
    let journal = open(url).await;
    assert_eq!(journal.verify().await.unwrap().users, None);
    // A purge removes the user changes with the events before the cut; the users they left
    // are kept in the purge event, and verify still rebuilds the table.
    journal.set_clock(Some(time::macros::datetime!(2027-12-01 09:00 UTC)));
    journal.record(&draft(400_002), None).await.unwrap();
    let cut_before = pad::journal::stamp(journal.now_time() - time::Duration::days(200));
    let date = &cut_before[..10];
    // Everything so far was stamped today (the real clock), long before the cut.
    let purged = journal.purge(date, 183, "ana").await.unwrap();
    assert_eq!(purged.removed_events, 5);
    let verification = journal.verify().await.unwrap();
    assert_eq!((verification.broken, verification.users), (None, None));
    assert_eq!(journal.check_checkpoint(&checkpoint.checkpoint).await.unwrap().broken, None);
}

/// A journal of schema 4 with a user, as an older pad left it: opening it with this pad
/// adopts the user into the chain, once.
async fn users_of_an_older_journal_are_adopted_into_the_chain(url: &str) {
    let backend = if url.starts_with("sqlite://") { "sqlite" } else { "postgres" };
    let folder = Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations").join(backend);
    let mut names: Vec<PathBuf> = std::fs::read_dir(&folder).unwrap().map(|entry| entry.unwrap().path()).collect();
    names.sort();
    let mut sql = "CREATE TABLE journal_schema (version BIGINT NOT NULL, applied_at TEXT NOT NULL);".to_string();
    if backend == "sqlite" {
        // The file must exist for a raw connection.
        std::fs::File::create(url.trim_start_matches("sqlite://")).unwrap();
    }
    for (version, path) in names.iter().take(4).enumerate() {
        sql.push_str(&std::fs::read_to_string(path).unwrap());
        sql.push_str(&format!("\n;INSERT INTO journal_schema VALUES ({}, '2026-11-01T00:00:00Z');", version + 1));
    }
    sql.push_str(
        "INSERT INTO users (name, role, token_hash, created_at, expires_at) VALUES ('ana', 'rm', \
         'bb', '2026-11-01T00:00:00.000000Z', '2027-11-01T00:00:00.000000Z');",
    );
    postgres::sql(url, &sql).await;
    let journal = open(url).await;
    let verification = journal.verify().await.unwrap();
    assert_eq!((verification.events, verification.broken, verification.users), (1, None, None));
    journal.close().await;
    // Opened again: nothing adopted twice.
    let journal = open(url).await;
    assert_eq!(journal.verify().await.unwrap().events, 1);
    assert_eq!(journal.checkpoint(&signer(), "example.bank/pad-journal").await.unwrap().checkpoint.size, 1);
}

/// Reads of the access log, its own tree, committed to by the checkpoint's `access-log` line:
/// an entry deleted or changed behind pad's back fails the checkpoint; a purge does not.
async fn the_access_log_is_under_the_same_checkpoints(url: &str) {
    use pad::journal::{Role, SignedIn};
    let journal = open(url).await;
    let auditor = SignedIn { name: "audrey".into(), role: Role::Auditor };
    journal.set_clock(Some(time::macros::datetime!(2026-01-05 09:00 UTC)));
    for client in 0..4 {
        journal.log_access(&auditor, "GET /clients/{id}", Some(400_000 + client), None).await.unwrap();
    }
    journal.record(&draft(400_001), None).await.unwrap();
    journal.set_clock(Some(time::macros::datetime!(2026-11-20 09:00 UTC)));
    for client in 4..7 {
        journal.log_access(&auditor, "GET /decisions/{id}", Some(400_000 + client), Some(1)).await.unwrap();
    }
    journal.record(&draft(400_002), None).await.unwrap();
    let checkpoint = journal.checkpoint(&signer(), "example.bank/pad-journal").await.unwrap();
    let line = checkpoint.checkpoint.extension("access-log").unwrap();
    assert_eq!(line[0], "7", "{:?}", checkpoint.checkpoint.extensions);
    // The root is that of the entries' leaf inputs, SHA-256 of [id, at, user, role, action,
    // client_id, decision_id] as JSON, hashed here into a tree of our own.
    let accesses = {
        let mut accesses = journal.accesses(None, 100).await.unwrap();
        accesses.reverse();
        accesses
    };
    let inputs: Vec<[u8; 32]> = accesses
        .iter()
        .map(|entry| {
            let text = serde_json::json!([
                entry.id,
                entry.at,
                entry.user,
                entry.role,
                entry.action,
                entry.client_id,
                entry.decision_id
            ])
            .to_string();
            sha2::Sha256::digest(text.as_bytes()).into()
        })
        .collect();
    let tree = pad::journal::evidence::merkle::Tree::of_inputs(inputs.iter().map(|input| input.as_slice()));
    assert_eq!(line[1], pad::journal::evidence::b64(&tree.root()));
    assert_eq!(journal.check_checkpoint(&checkpoint.checkpoint).await.unwrap().broken, None);
    // A purge of what was read before May removes the first four reads; the checkpoint holds.
    let purged = journal.purge("2026-05-01", 183, "ana").await.unwrap();
    assert_eq!((purged.removed_events, purged.removed_accesses), (1, 4));
    assert_eq!(journal.check_checkpoint(&checkpoint.checkpoint).await.unwrap().broken, None);
    let later = journal.checkpoint(&signer(), "example.bank/pad-journal").await.unwrap();
    assert_eq!(journal.check_checkpoint(&later.checkpoint).await.unwrap().broken, None);
    journal.close().await;
    // An auditor's read deleted, or changed, behind pad's back: the checkpoint says so.
    let guards = if url.starts_with("sqlite://") {
        "DROP TRIGGER access_log_no_update; DROP TRIGGER access_log_no_delete;"
    } else {
        "ALTER TABLE access_log DISABLE TRIGGER USER;"
    };
    postgres::sql(url, &format!("{guards} CREATE TABLE access_backup AS SELECT * FROM access_log;")).await;
    let cases = [
        ("DELETE FROM access_log WHERE leaf = 5;", "access-log entry 6 (its place in the log's tree) was deleted"),
        (
            "UPDATE access_log SET action = 'GET /model' WHERE leaf = 5;",
            "access-log entry 6 (its place in the log's tree) was changed",
        ),
    ];
    for (change, words) in cases {
        postgres::sql(url, change).await;
        let journal = open(url).await;
        let broken = journal.check_checkpoint(&later.checkpoint).await.unwrap().broken.expect(change);
        assert!(broken.problem.contains(words), "{change}: {}", broken.problem);
        journal.close().await;
        postgres::sql(url, "DELETE FROM access_log; INSERT INTO access_log SELECT * FROM access_backup;").await;
    }
    let journal = open(url).await;
    assert_eq!(journal.check_checkpoint(&later.checkpoint).await.unwrap().broken, None);
}
