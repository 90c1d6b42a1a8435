//! The journal as evidence over HTTP, on SQLite and on a real PostgreSQL 15: `GET
//! /checkpoint`, `GET /decisions/{id}/proof` and `GET /checkpoint/consistency` for any
//! signed-in role, their errors, and `pad serve --checkpoint-key` signing checkpoints by
//! itself.

mod common;
#[macro_use]
#[path = "common/postgres.rs"]
mod postgres;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use pad::api::{AppState, Limits, router};
use pad::journal::evidence::merkle::{check_consistency, check_inclusion};
use pad::journal::evidence::note::{NoteSigner, SignedCheckpoint};
use pad::journal::{Journal, JournalUrl, Role};
use serde_json::Value;
use tower::ServiceExt;

both!(checkpoints_and_proofs_are_served_to_every_role);

async fn journal(url: &str) -> Journal {
    Journal::open(&JournalUrl::parse(url).unwrap()).await.unwrap_or_else(|error| panic!("{url}: {error}"))
}

/// The status, content type and body of a GET.
async fn get(state: &AppState, path: &str, token: &str) -> (StatusCode, String, String) {
    let request = Request::builder()
        .uri(path)
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .body(Body::empty())
        .unwrap();
    let response = router(state.clone()).oneshot(request).await.unwrap();
    let status = response.status();
    let kind = response.headers().get(header::CONTENT_TYPE).map(|value| value.to_str().unwrap().to_string());
    let bytes = axum::body::to_bytes(response.into_body(), usize::MAX).await.unwrap();
    (status, kind.unwrap_or_default(), String::from_utf8(bytes.to_vec()).unwrap())
}

fn json(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|error| panic!("{error}: {text}"))
}

fn hash(text: &Value) -> [u8; 32] {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.decode(text.as_str().unwrap()).unwrap().try_into().unwrap()
}

async fn checkpoints_and_proofs_are_served_to_every_role(url: &str) {
    let journal = journal(url).await;
    let mut tokens = Vec::new();
    for (name, role) in [("ana", Role::Rm), ("audrey", Role::Auditor), ("rita", Role::Reviewer)] {
        tokens.push(journal.add_user(name, role, 30).await.unwrap().1);
    }
    for client in [400_002, 400_005, 400_006] {
        journal.record(&common::proposed_draft(client, "ana"), None).await.unwrap();
    }
    let state = AppState::new(common::bundled_scorer(), None, Limits::default()).with_journal(journal.clone());
    // No checkpoint yet: 404 saying how to sign one.
    let (status, _, body) = get(&state, "/checkpoint", &tokens[1]).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    assert_eq!(json(&body)["error"]["code"], "no_checkpoint");
    assert!(json(&body)["error"]["message"].as_str().unwrap().contains("--checkpoint-key"), "{body}");
    // Six events: three users added, three decisions.
    let signer = NoteSigner::from_seed("example.bank/pad-journal", [3; 32]).unwrap();
    let signed = journal.checkpoint(&signer, "example.bank/pad-journal").await.unwrap();
    assert_eq!(signed.checkpoint.size, 6);
    for token in &tokens {
        let (status, kind, body) = get(&state, "/checkpoint", token).await;
        assert_eq!((status, kind.as_str()), (StatusCode::OK, "text/plain; charset=utf-8"));
        assert_eq!(body, signed.to_text());
        SignedCheckpoint::parse(&body).unwrap().check(&signer.verifier()).unwrap();
    }
    // The proof of decision 5 in the checkpoint's tree (by default, and by size).
    for path in ["/decisions/5/proof", "/decisions/5/proof?tree_size=6"] {
        let (status, _, body) = get(&state, path, &tokens[1]).await;
        assert_eq!(status, StatusCode::OK, "{path}: {body}");
        let proof = json(&body);
        assert_eq!((proof["index"].as_u64(), proof["tree_size"].as_u64()), (Some(4), Some(6)));
        let path: Vec<[u8; 32]> = proof["inclusion"].as_array().unwrap().iter().map(hash).collect();
        check_inclusion(&hash(&proof["leaf_hash"]), 4, 6, &path, &signed.checkpoint.root).unwrap();
    }
    // A user change is an event too, with its proof.
    let (status, _, body) = get(&state, "/decisions/2/proof?tree_size=6", &tokens[0]).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    // Errors name what is wrong.
    let cases = [
        ("/decisions/5/proof?tree_size=0", StatusCode::UNPROCESSABLE_ENTITY, "tree_size"),
        ("/decisions/5/proof?tree_size=40", StatusCode::UNPROCESSABLE_ENTITY, "the journal holds 6 events"),
        ("/decisions/5/proof?tree_size=3", StatusCode::UNPROCESSABLE_ENTITY, "not in the tree of the first 3 events"),
        ("/decisions/99/proof", StatusCode::NOT_FOUND, "no decision 99"),
        ("/decisions/5/proof?tree_size=many", StatusCode::BAD_REQUEST, "tree_size"),
        ("/checkpoint/consistency?from=7&to=6", StatusCode::UNPROCESSABLE_ENTITY, "cannot grow"),
        ("/checkpoint/consistency?from=2", StatusCode::BAD_REQUEST, "to"),
    ];
    for (path, expected, words) in cases {
        let (status, _, body) = get(&state, path, &tokens[1]).await;
        assert_eq!(status, expected, "{path}: {body}");
        assert!(json(&body)["error"]["message"].as_str().unwrap().contains(words), "{path}: {body}");
    }
    // One more decision, a second checkpoint: the consistency proof joins the two roots.
    journal.record(&common::proposed_draft(400_007, "ana"), None).await.unwrap();
    let later = journal.checkpoint(&signer, "example.bank/pad-journal").await.unwrap();
    let (status, _, body) = get(&state, "/checkpoint/consistency?from=6&to=7", &tokens[2]).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let proof = json(&body);
    let path: Vec<[u8; 32]> = proof["consistency"].as_array().unwrap().iter().map(hash).collect();
    check_consistency(6, &signed.checkpoint.root, 7, &later.checkpoint.root, &path).unwrap();
}

/// `pad serve --checkpoint-key` signs a checkpoint at start and serves it; a bad key stops
/// the server before it listens, naming the file.
#[test]
fn the_server_signs_checkpoints_by_itself() {
    let folder = tempfile::tempdir().unwrap();
    let signer = NoteSigner::from_seed("example.bank/pad-journal", [5; 32]).unwrap();
    let key = folder.path().join("journal.key");
    std::fs::write(&key, signer.to_text()).unwrap();
    let url = format!("sqlite://{}", folder.path().join("journal.sqlite").display());
    let (mut child, base) = common::serve_process(&[
        "--journal",
        &url,
        "--checkpoint-key",
        key.to_str().unwrap(),
        "--checkpoint-every",
        "1",
    ]);
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let text = runtime.block_on(async {
        let http = reqwest::Client::new();
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
        loop {
            let response = http.get(format!("{base}/checkpoint")).send().await.unwrap();
            if response.status() == StatusCode::OK {
                break response.text().await.unwrap();
            }
            assert!(std::time::Instant::now() < deadline, "no checkpoint served: {}", response.status());
            tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        }
    });
    child.kill().unwrap();
    let _ = child.wait();
    let served = SignedCheckpoint::parse(&text).unwrap();
    served.check(&signer.verifier()).unwrap();
    assert_eq!((served.checkpoint.origin.as_str(), served.checkpoint.size), ("example.bank/pad-journal", 0));
    // A key file that is no key: the server does not start, and says which file and why.
    let bad = folder.path().join("bad.key");
    std::fs::write(&bad, "not a key\n").unwrap();
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_pad"))
        .args(["serve", "--addr", "127.0.0.1:0", "--journal", &url, "--checkpoint-key", bad.to_str().unwrap()])
        .env_remove("PAD_API_TOKEN")
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("--checkpoint-key") && stderr.contains("bad.key") && stderr.contains("PRIVATE+KEY+"),
        "{stderr}"
    );
}
