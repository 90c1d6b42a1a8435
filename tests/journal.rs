//! The decision journal, the same suite on both backends: SQLite in a temporary folder and a
//! real PostgreSQL 15 server started by the tests (`tests/common/postgres.rs`).
//!
//! Every test body takes a journal URL; `both!` runs it once per backend.

#[macro_use]
#[path = "common/postgres.rs"]
mod postgres;

use pad::domain::Decision;
use pad::domain::InputValue;
use pad::domain::format::Language;
use pad::journal::{
    DecisionDraft, Filter, GENESIS_HASH, Journal, JournalError, JournalUrl, Origin, Page, RmDecision, ShownReason,
    decision_hash, sha256_hex,
};

both!(
    decisions_are_recorded_and_read_back,
    the_chain_links_every_event_to_the_previous_one,
    an_edit_behind_pads_back_is_caught,
    a_deleted_event_is_caught,
    rows_cannot_be_updated_or_deleted_through_sql,
    overrides_need_a_known_reason_and_a_justification,
    an_idempotency_key_records_once,
    listings_filter_and_page,
    a_newer_schema_is_refused_naming_both_versions,
    concurrent_appends_from_two_pools_form_one_chain,
    appends_written_together_keep_their_keys_and_the_chain,
    a_journal_of_schema_1_is_migrated_and_its_chain_goes_on,
    the_command_line_verifies_and_exports_as_other_tools_expect,
);

async fn open(url: &str) -> Journal {
    Journal::open(&JournalUrl::parse(url).unwrap()).await.unwrap_or_else(|error| panic!("{url}: {error}"))
}

/// A decision as the dashboard would draft it, for client `client_id`.
fn draft(client_id: i64, rm: &str, decision: Option<Decision>) -> DecisionDraft {
    DecisionDraft {
        rm: RmDecision {
            client_id,
            decision,
            reason_code: None,
            justification: None,
            language: Language::Fr,
            rm: rm.into(),
            export_file: None,
        },
        inputs: vec![
            ("AMT_CREDIT".into(), InputValue::Number(450_000.0)),
            ("NAME_CONTRACT_TYPE".into(), InputValue::Text("Cash loans".into())),
            ("EXT_SOURCE_1".into(), InputValue::Missing),
        ],
        model_version: "sha256-a44122dc59e9".into(),
        threshold: 0.0844318326223164,
        probability: 0.13365943436093647,
        model_decision: Decision::Refused,
        reasons: vec![ShownReason { code: "EXT_SOURCE_2".into(), text: "Votre score externe 2 est faible.".into() }],
        counterfactual: Some("Empruntez moins.".into()),
        origin: Origin::Local,
        challenger: None,
    }
}

fn overridden(client_id: i64, code: &str, justification: &str) -> DecisionDraft {
    let mut draft = draft(client_id, "ana", Some(Decision::Accepted));
    draft.rm.reason_code = Some(code.into());
    draft.rm.justification = Some(justification.into());
    draft
}

/// The number of migrations kept in the repository for the URL's backend: the schema version
/// a journal is migrated to.
fn migrations(url: &str) -> i64 {
    let backend = if url.starts_with("sqlite://") { "sqlite" } else { "postgres" };
    let folder = format!("{}/migrations/{backend}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_dir(folder)
        .unwrap()
        .filter(|entry| entry.as_ref().unwrap().path().extension().is_some_and(|e| e == "sql"))
        .count() as i64
}

/// Drops the append-only triggers, as someone editing the database behind pad's back would.
async fn drop_guards(url: &str) {
    if url.starts_with("sqlite://") {
        postgres::sql(url, "DROP TRIGGER decisions_no_update; DROP TRIGGER decisions_no_delete;").await;
    } else {
        postgres::sql(url, "DROP TRIGGER decisions_no_update ON decisions;").await;
    }
}

async fn decisions_are_recorded_and_read_back(url: &str) {
    let journal = open(url).await;
    let recorded = journal.record(&draft(400005, "ana", None), None).await.unwrap();
    assert!(!recorded.replayed);
    let event = recorded.event;
    assert_eq!(event.id, 1);
    assert_eq!(event.prev_hash, GENESIS_HASH);
    let content = &event.content;
    assert_eq!(content.final_decision, Decision::Refused, "the model's decision when the RM gives none");
    assert!(!content.overridden);
    assert_eq!(content.language, Language::Fr);
    // The time is the journal's: UTC, to the microsecond.
    assert_eq!(content.recorded_at.len(), "2026-12-01T10:00:00.000000Z".len());
    assert!(content.recorded_at.ends_with('Z'));
    // The inputs' hash is the SHA-256 of their JSON text, in model order, missing as null.
    let inputs = r#"{"AMT_CREDIT":450000.0,"NAME_CONTRACT_TYPE":"Cash loans","EXT_SOURCE_1":null}"#;
    assert_eq!(content.inputs_sha256, sha256_hex(inputs.as_bytes()));
    // The content hash is the SHA-256 of the canonical JSON; the columns hash that of the
    // columns as one JSON array (written out here by hand); the hash chains both to genesis,
    // hex texts one after the other.
    assert_eq!(event.content_hash, sha256_hex(content.canonical().unwrap().as_bytes()));
    let columns = format!(
        r#"["{}",400005,"ana","REFUSED","REFUSED",0,null,0.13365943436093647,"{}"]"#,
        content.recorded_at, content.model_version
    );
    let columns_hash = sha256_hex(columns.as_bytes());
    assert_eq!(event.columns_hash.as_deref(), Some(columns_hash.as_str()));
    assert_eq!(event.hash, sha256_hex(format!("{GENESIS_HASH}{}{columns_hash}", event.content_hash).as_bytes()));
    let read = journal.get(1).await.unwrap().unwrap();
    assert_eq!(read, event);
    assert_eq!(read.content.probability.to_bits(), 0.13365943436093647_f64.to_bits());
    assert_eq!(journal.get(2).await.unwrap(), None);
    // Reopening applies nothing twice and keeps the events.
    journal.close().await;
    let again = open(url).await;
    assert_eq!(again.schema_version().await.unwrap(), pad::journal::SCHEMA_VERSION);
    assert_eq!(again.get(1).await.unwrap().unwrap(), event);
}

async fn the_chain_links_every_event_to_the_previous_one(url: &str) {
    let journal = open(url).await;
    let mut previous = GENESIS_HASH.to_string();
    for client in 0..12 {
        let event = journal.record(&draft(400000 + client, "ana", None), None).await.unwrap().event;
        assert_eq!(event.id, client + 1);
        assert_eq!(event.prev_hash, previous);
        assert!(event.columns_hash.is_some());
        assert_eq!(event.hash, decision_hash(&previous, &event.content_hash, event.columns_hash.as_deref()));
        previous = event.hash;
    }
    let verification = journal.verify().await.unwrap();
    assert_eq!(verification.events, 12);
    assert_eq!(verification.broken, None);
}

async fn an_edit_behind_pads_back_is_caught(url: &str) {
    let journal = open(url).await;
    for client in 0..5 {
        journal.record(&draft(400000 + client, "ana", None), None).await.unwrap();
    }
    drop_guards(url).await;
    // A column changed alone: it no longer says what the content says.
    postgres::sql(url, "UPDATE decisions SET final_decision = 'ACCEPTED' WHERE id = 3").await;
    let broken = journal.verify().await.unwrap().broken.unwrap();
    assert_eq!(broken.id, 3);
    assert!(broken.problem.contains("final_decision"), "{}", broken.problem);
    postgres::sql(url, "UPDATE decisions SET final_decision = 'REFUSED' WHERE id = 3").await;
    assert_eq!(journal.verify().await.unwrap().broken, None);
    // The columns hash changed alone: the columns still say what the content says.
    let columns_hash = journal.get(4).await.unwrap().unwrap().columns_hash.unwrap();
    postgres::sql(url, "UPDATE decisions SET columns_hash = content_hash WHERE id = 4").await;
    let broken = journal.verify().await.unwrap().broken.unwrap();
    assert_eq!(broken.id, 4);
    assert!(broken.problem.contains("columns hash is not the hash of its columns"), "{}", broken.problem);
    // Removed: the event's hash covered it.
    postgres::sql(url, "UPDATE decisions SET columns_hash = NULL WHERE id = 4").await;
    let broken = journal.verify().await.unwrap().broken.unwrap();
    assert_eq!(broken.id, 4);
    assert!(broken.problem.contains("its hash is not the hash of"), "{}", broken.problem);
    postgres::sql(url, &format!("UPDATE decisions SET columns_hash = '{columns_hash}' WHERE id = 4")).await;
    assert_eq!(journal.verify().await.unwrap().broken, None);
    // The content changed where no column repeats it (on PostgreSQL, found by the server's
    // hashing of the contents alone): the four events before it hold.
    postgres::sql(
        url,
        "UPDATE decisions SET content = replace(content, '\"language\":\"fr\"', '\"language\":\"en\"') WHERE id = 5",
    )
    .await;
    let verification = journal.verify().await.unwrap();
    let broken = verification.broken.unwrap();
    assert_eq!((broken.id, verification.events), (5, 4));
    assert!(broken.problem.contains("content hash"), "{}", broken.problem);
    // The content changed: its hash no longer matches.
    postgres::sql(
        url,
        "UPDATE decisions SET content = replace(content, '\"rm\":\"ana\"', '\"rm\":\"bob\"'), rm = 'bob' WHERE id = 2",
    )
    .await;
    let broken = journal.verify().await.unwrap().broken.unwrap();
    assert_eq!(broken.id, 2);
    assert!(broken.problem.contains("content hash"), "{}", broken.problem);
}

async fn a_deleted_event_is_caught(url: &str) {
    let journal = open(url).await;
    for client in 0..4 {
        journal.record(&draft(400000 + client, "ana", None), None).await.unwrap();
    }
    drop_guards(url).await;
    postgres::sql(url, "DELETE FROM decisions WHERE id = 4").await;
    let broken = journal.verify().await.unwrap().broken.unwrap();
    assert_eq!(broken.id, 4, "the last event removed: the head still counts it");
    postgres::sql(url, "DELETE FROM decisions WHERE id = 2").await;
    let broken = journal.verify().await.unwrap().broken.unwrap();
    assert_eq!(broken.id, 2);
    assert!(broken.problem.contains("missing"), "{}", broken.problem);
}

async fn rows_cannot_be_updated_or_deleted_through_sql(url: &str) {
    use sqlx::Connection;
    let journal = open(url).await;
    journal.record(&draft(400001, "ana", None), None).await.unwrap();
    for statement in ["UPDATE decisions SET rm = 'bob'", "DELETE FROM decisions"] {
        let error = if url.starts_with("sqlite://") {
            let mut connection = sqlx::SqliteConnection::connect(url).await.unwrap();
            sqlx::query(statement).execute(&mut connection).await.unwrap_err()
        } else {
            let mut connection = sqlx::PgConnection::connect(url).await.unwrap();
            sqlx::query(statement).execute(&mut connection).await.unwrap_err()
        };
        assert!(error.to_string().contains("append-only"), "{statement}: {error}");
    }
    assert_eq!(journal.verify().await.unwrap().broken, None);
}

async fn overrides_need_a_known_reason_and_a_justification(url: &str) {
    let journal = open(url).await;
    let field_of = |error: JournalError| match error {
        JournalError::Invalid { field, message } => (field, message),
        other => panic!("{other}"),
    };
    let mut no_reason = draft(400001, "ana", Some(Decision::Accepted));
    no_reason.rm.justification = Some("payslips of a second job, checked".into());
    let (field, message) = field_of(journal.record(&no_reason, None).await.unwrap_err());
    assert_eq!(field, "reason_code");
    assert!(message.contains("ADDITIONAL_INCOME"), "the codes that can support it are named: {message}");
    let (field, _) = field_of(
        journal.record(&overridden(400001, "NO_SUCH_CODE", "a long enough justification"), None).await.unwrap_err(),
    );
    assert_eq!(field, "reason_code");
    // A reason that supports refusals cannot support an acceptance.
    let (field, _) = field_of(
        journal.record(&overridden(400001, "FRAUD_SUSPICION", "a long enough justification"), None).await.unwrap_err(),
    );
    assert_eq!(field, "reason_code");
    // "second job's income": 6 + 1 + 5 + 1 + 6 = 19 characters once trimmed, one short.
    let (field, message) = field_of(
        journal.record(&overridden(400001, "ADDITIONAL_INCOME", "  second job's income  "), None).await.unwrap_err(),
    );
    assert_eq!(field, "justification");
    assert!(message.contains("(19 given)"), "{message}");
    let mut reason_without_override = draft(400001, "ana", None);
    reason_without_override.rm.reason_code = Some("ADDITIONAL_INCOME".into());
    assert_eq!(field_of(journal.record(&reason_without_override, None).await.unwrap_err()).0, "reason_code");
    // A name, not a text: at most 200 characters (it is listed, filtered and indexed by).
    let long_name = draft(400001, &"é".repeat(201), None);
    let (field, message) = field_of(journal.record(&long_name, None).await.unwrap_err());
    assert_eq!((field.as_str(), message.as_str()), ("rm", "at most 200 characters"));
    // Nothing was written by any of them.
    assert_eq!(journal.verify().await.unwrap().events, 0);
    let event =
        journal.record(&overridden(400001, "ADDITIONAL_INCOME", "  second job's income!  "), None).await.unwrap().event;
    assert!(event.content.overridden);
    assert_eq!(event.content.final_decision, Decision::Accepted);
    assert_eq!(event.content.model_decision, Decision::Refused);
    assert_eq!(event.content.justification.as_deref(), Some("second job's income!"));
}

async fn an_idempotency_key_records_once(url: &str) {
    let journal = open(url).await;
    let first = journal.record(&draft(400001, "ana", None), Some(("key-1", "request-a"))).await.unwrap();
    assert!(!first.replayed);
    let again = journal.record(&draft(400001, "ana", None), Some(("key-1", "request-a"))).await.unwrap();
    assert!(again.replayed);
    assert_eq!(again.event, first.event, "the same event, not a new one");
    let conflict = journal.record(&draft(400002, "ana", None), Some(("key-1", "request-b"))).await.unwrap_err();
    assert_eq!(conflict, JournalError::IdempotencyConflict);
    let other = journal.record(&draft(400001, "ana", None), Some(("key-2", "request-a"))).await.unwrap();
    assert_eq!(other.event.id, 2);
    let verification = journal.verify().await.unwrap();
    assert_eq!((verification.events, verification.broken), (2, None));
}

async fn listings_filter_and_page(url: &str) {
    let journal = open(url).await;
    for index in 0..10 {
        let rm = if index % 2 == 0 { "ana" } else { "bob" };
        let draft = if index == 7 {
            overridden(400000 + index % 3, "GUARANTEE", "a guarantee from a parent, signed")
        } else {
            draft(400000 + index % 3, rm, None)
        };
        journal.record(&draft, None).await.unwrap();
    }
    let page = |after, limit| Page { after, limit, newest_first: false };
    let ids = |events: Vec<pad::journal::DecisionEvent>| events.iter().map(|event| event.id).collect::<Vec<_>>();
    let client = Filter { client_id: Some(400001), ..Filter::default() };
    // Clients 400000 + index % 3: index 1, 4, 7 are client 400001.
    assert_eq!(ids(journal.list(&client, page(None, 100)).await.unwrap()), vec![2, 5, 8]);
    let newest = journal.list(&client, Page { after: None, limit: 2, newest_first: true }).await.unwrap();
    assert_eq!(ids(newest), vec![8, 5]);
    let rm = Filter { rm: Some("bob".into()), ..Filter::default() };
    assert_eq!(ids(journal.list(&rm, page(None, 100)).await.unwrap()), vec![2, 4, 6, 10]);
    let overrides = Filter { overridden: Some(true), ..Filter::default() };
    assert_eq!(ids(journal.list(&overrides, page(None, 100)).await.unwrap()), vec![8]);
    let accepted = Filter { decision: Some(Decision::Accepted), ..Filter::default() };
    assert_eq!(ids(journal.list(&accepted, page(None, 100)).await.unwrap()), vec![8]);
    // Pages through everything with the cursor.
    let first = journal.list(&Filter::default(), page(None, 4)).await.unwrap();
    assert_eq!(ids(first), vec![1, 2, 3, 4]);
    assert_eq!(ids(journal.list(&Filter::default(), page(Some(4), 4)).await.unwrap()), vec![5, 6, 7, 8]);
    assert_eq!(ids(journal.list(&Filter::default(), page(Some(8), 4)).await.unwrap()), vec![9, 10]);
    // Dates: everything is recorded today (UTC); nothing before 2000 or after 2999.
    let today = journal.get(1).await.unwrap().unwrap().content.recorded_at[..10].to_string();
    let day = Filter { from: Some(today.clone()), to: Some(today), ..Filter::default() };
    assert_eq!(journal.list(&day, page(None, 100)).await.unwrap().len(), 10);
    let old = Filter { to: Some("2000-01-01".into()), ..Filter::default() };
    assert!(journal.list(&old, page(None, 100)).await.unwrap().is_empty());
    let future = Filter { from: Some("2999-01-01T00:00:00Z".into()), ..Filter::default() };
    assert!(journal.list(&future, page(None, 100)).await.unwrap().is_empty());
    let bad = Filter { from: Some("yesterday".into()), ..Filter::default() };
    assert!(
        matches!(journal.list(&bad, page(None, 1)).await, Err(JournalError::Invalid { field, .. }) if field == "from")
    );
}

async fn a_newer_schema_is_refused_naming_both_versions(url: &str) {
    let journal = open(url).await;
    journal.close().await;
    postgres::sql(url, "INSERT INTO journal_schema (version, applied_at) VALUES (99, '2030-01-01T00:00:00Z')").await;
    let error = Journal::open(&JournalUrl::parse(url).unwrap()).await.err().unwrap();
    let supported = migrations(url);
    assert!(matches!(error, JournalError::NewerSchema { found: 99, supported: s, .. } if s == supported), "{error}");
    let message = error.to_string();
    assert!(message.contains("schema version 99") && message.contains(&format!("this pad's {supported}")), "{message}");
    assert!(!message.contains(postgres::PASSWORD), "{message}");
}

async fn concurrent_appends_from_two_pools_form_one_chain(url: &str) {
    // Two journals on one database, as two servers: 8 tasks of 25 decisions each.
    let journals = [open(url).await, open(url).await];
    let mut tasks = Vec::new();
    for task in 0..8_i64 {
        let journal = journals[task as usize % 2].clone();
        tasks.push(tokio::spawn(async move {
            let mut ids = Vec::new();
            for index in 0..25 {
                let key = format!("{task}-{index}");
                let event = journal.record(&draft(task * 1000 + index, "ana", None), Some((&key, "r"))).await.unwrap();
                ids.push(event.event.id);
            }
            ids
        }));
    }
    let mut ids = Vec::new();
    for task in tasks {
        ids.extend(task.await.unwrap());
    }
    ids.sort_unstable();
    assert_eq!(ids, (1..=200).collect::<Vec<_>>(), "every decision once, no gap");
    let verification = journals[0].verify().await.unwrap();
    assert_eq!((verification.events, verification.broken), (200, None));
}

async fn appends_written_together_keep_their_keys_and_the_chain(url: &str) {
    // 60 appends sent at once to one journal are written by its writer a batch per transaction
    // (group commit). 20 of them share one idempotency key, half for request "a", half for
    // request "b": exactly one of them records, the others with its request get that event
    // back and the others a conflict, however the batches fall.
    let journal = open(url).await;
    let mut tasks = Vec::new();
    for index in 0..60_i64 {
        let journal = journal.clone();
        tasks.push(tokio::spawn(async move {
            let (key, request) = if index < 20 {
                ("shared".to_string(), if index % 2 == 0 { "a" } else { "b" })
            } else {
                (format!("own-{index}"), "a")
            };
            (index, request, journal.record(&draft(400000 + index, "ana", None), Some((&key, request))).await)
        }));
    }
    let mut outcomes = Vec::new();
    for task in tasks {
        outcomes.push(task.await.unwrap());
    }
    let shared: Vec<_> = outcomes.iter().filter(|(index, _, _)| *index < 20).collect();
    let winners: Vec<_> =
        shared.iter().filter(|(_, _, outcome)| matches!(outcome, Ok(recorded) if !recorded.replayed)).collect();
    assert_eq!(winners.len(), 1, "one append of the shared key records");
    let (winner_index, winner_request, winner) = winners[0];
    let winner = winner.as_ref().unwrap();
    assert_eq!(winner.event.content.client_id, 400000 + winner_index);
    for (_, request, outcome) in &shared {
        match outcome {
            Ok(recorded) => {
                assert_eq!(request, winner_request);
                assert_eq!(recorded.event, winner.event);
            }
            Err(error) => {
                assert_ne!(request, winner_request);
                assert_eq!(*error, JournalError::IdempotencyConflict);
            }
        }
    }
    let mut ids: Vec<i64> = outcomes
        .iter()
        .filter(|(index, _, _)| *index >= 20)
        .map(|(index, _, outcome)| {
            let event = &outcome.as_ref().unwrap().event;
            assert_eq!(event.content.client_id, 400000 + index, "each caller gets its own event back");
            event.id
        })
        .chain([winner.event.id])
        .collect();
    ids.sort_unstable();
    assert_eq!(ids, (1..=41).collect::<Vec<_>>(), "41 events, no gap");
    for id in ids {
        let stored = journal.get(id).await.unwrap().unwrap();
        assert_eq!(stored.hash, decision_hash(&stored.prev_hash, &stored.content_hash, stored.columns_hash.as_deref()));
    }
    let verification = journal.verify().await.unwrap();
    assert_eq!((verification.events, verification.broken), (41, None));
}

async fn a_journal_of_schema_1_is_migrated_and_its_chain_goes_on(url: &str) {
    // A journal as the first schema left it: its migration alone, and one event in it (made by
    // a journal elsewhere, copied in by plain SQL).
    let backend = if url.starts_with("sqlite://") { "sqlite" } else { "postgres" };
    let schema =
        std::fs::read_to_string(format!("{}/migrations/{backend}/0001_decisions.sql", env!("CARGO_MANIFEST_DIR")))
            .unwrap();
    let create = if backend == "sqlite" { format!("{url}?mode=rwc") } else { url.to_string() };
    postgres::sql(
        &create,
        &format!(
            "{schema}\nCREATE TABLE journal_schema (version BIGINT NOT NULL, applied_at TEXT NOT NULL);\n\
             INSERT INTO journal_schema (version, applied_at) VALUES (1, '2026-12-01T00:00:00Z');"
        ),
    )
    .await;
    let elsewhere = tempfile::tempdir().unwrap();
    let other = open(&format!("sqlite://{}", elsewhere.path().join("other.sqlite").display())).await;
    let first = other.record(&draft(400001, "ana", None), None).await.unwrap().event;
    let text = first.content.canonical().unwrap();
    let content = &first.content;
    // Schema 1 chained the content hash alone: SHA-256 of the previous hash and the content hash.
    let first_hash = sha256_hex(format!("{GENESIS_HASH}{}", first.content_hash).as_bytes());
    postgres::sql(
        url,
        &format!(
            "INSERT INTO decisions (id, recorded_at, client_id, rm, final_decision, model_decision, overridden, \
             reason_code, probability, model_version, content, content_hash, prev_hash, hash) VALUES \
             (1, '{}', {}, '{}', '{}', '{}', 0, NULL, {:?}, '{}', '{}', '{}', '{}', '{}'); \
             UPDATE journal_head SET last_id = 1, last_hash = '{}' WHERE id = 1;",
            content.recorded_at,
            content.client_id,
            content.rm,
            content.final_decision.as_str(),
            content.model_decision.as_str(),
            content.probability,
            content.model_version,
            text.replace('\'', "''"),
            first.content_hash,
            first.prev_hash,
            first_hash,
            first_hash
        ),
    )
    .await;
    let journal = open(url).await;
    assert_eq!(journal.schema_version().await.unwrap(), migrations(url));
    let second = journal.record(&draft(400002, "bob", None), Some(("after-migration", "r"))).await.unwrap().event;
    assert_eq!((second.id, second.prev_hash.as_str()), (2, first_hash.as_str()));
    assert!(second.columns_hash.is_some(), "recorded after the migration: its columns are chained");
    let verification = journal.verify().await.unwrap();
    assert_eq!((verification.events, verification.broken), (2, None));
    // The event of schema 1 has no columns hash: its columns are checked against its content.
    assert_eq!(journal.get(1).await.unwrap().unwrap().columns_hash, None);
    drop_guards(url).await;
    postgres::sql(url, "UPDATE decisions SET rm = 'eve' WHERE id = 1").await;
    let broken = journal.verify().await.unwrap().broken.unwrap();
    assert_eq!(broken.id, 1);
    assert!(broken.problem.contains("its column rm says otherwise than its content"), "{}", broken.problem);
}

async fn the_command_line_verifies_and_exports_as_other_tools_expect(url: &str) {
    let journal = open(url).await;
    for client in [400001, 400002, 400003] {
        journal.record(&draft(client, "ana", None), None).await.unwrap();
    }
    let pad = |args: &[&str]| {
        let output = std::process::Command::new(env!("CARGO_BIN_EXE_pad"))
            .args(["journal", "--journal", url])
            .args(args)
            .output()
            .unwrap();
        (output.status.code(), String::from_utf8(output.stdout).unwrap(), String::from_utf8(output.stderr).unwrap())
    };
    let (code, out, err) = pad(&["verify"]);
    assert_eq!(code, Some(0), "{out}{err}");
    assert!(out.contains("the chain holds: 3 events verified"), "{out}");
    // `export --format json`: one JSON array of the decisions, each with its client id and the
    // hashes an outside tool recomputes the chain from.
    let (code, out, err) = pad(&["export", "--format", "json"]);
    assert_eq!(code, Some(0), "{err}");
    let exported: Vec<serde_json::Value> = serde_json::from_str(&out).unwrap();
    let clients: Vec<i64> = exported.iter().map(|event| event["client_id"].as_i64().unwrap()).collect();
    assert_eq!(clients, [400001, 400002, 400003]);
    let mut previous = GENESIS_HASH.to_string();
    for event in &exported {
        let text = |field: &str| event[field].as_str().unwrap().to_string();
        let hash = sha256_hex(format!("{previous}{}{}", text("content_hash"), text("columns_hash")).as_bytes());
        assert_eq!(text("hash"), hash);
        previous = hash;
    }
    drop_guards(url).await;
    postgres::sql(url, "UPDATE decisions SET client_id = 400009 WHERE id = 2").await;
    let (code, out, _) = pad(&["verify"]);
    assert_eq!(code, Some(1), "{out}");
    assert!(
        out.contains("the chain is broken at event 2: its column client_id says otherwise than its content")
            && out.contains("(1 event verified before it)"),
        "{out}"
    );
}

#[tokio::test]
async fn bad_journal_urls_and_unreachable_databases_say_what_is_wrong() {
    let error = JournalUrl::parse("mysql://root:secret@db/pad").unwrap_err().to_string();
    assert!(error.contains("unsupported journal URL") && !error.contains("secret"), "{error}");
    let error = JournalUrl::parse("sqlite://").unwrap_err().to_string();
    assert!(error.contains("names no file"), "{error}");
    // A port nobody listens on.
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let url = JournalUrl::parse(&format!("postgres://pad:secret@127.0.0.1:{port}/pad")).unwrap();
    let error = Journal::open(&url).await.err().unwrap();
    assert!(matches!(error, JournalError::Unreachable { .. }), "{error}");
    assert!(error.is_transient());
    let message = error.to_string();
    assert!(message.contains("cannot reach the journal") && !message.contains("secret"), "{message}");
}

#[tokio::test]
async fn wrong_postgres_credentials_are_named() {
    let server = postgres::server();
    let url = format!("postgres://postgres:wrong-password@127.0.0.1:{}/postgres", server.port);
    let error = Journal::open(&JournalUrl::parse(&url).unwrap()).await.err().unwrap();
    assert!(matches!(error, JournalError::Credentials { .. }), "{error}");
    assert!(error.to_string().contains("refused the credentials"), "{error}");
    assert!(!error.to_string().contains("wrong-password"), "{error}");
}
