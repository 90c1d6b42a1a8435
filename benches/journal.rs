//! The decision journal's figures (BENCHMARKS.md): `POST /decisions` per second at 16
//! connections on PostgreSQL (without and with checkpoints signed meanwhile), `GET
//! /decisions?client_id=N` latency, `pad journal verify` time, and the journal as evidence
//! (checkpoint, inclusion and consistency proofs, the tree recomputed) with a million events, on a PostgreSQL 15 server started here with its default
//! durability (fsync on), in a temporary folder, stopped when the benchmark ends.
//!
//!   cargo bench --bench journal                   # all, with 1,000,000 events
//!   EVENTS=100000 cargo bench --bench journal     # fewer events
//!   SIGNED_IN=1 cargo bench --bench journal       # as a signed-in user: its token checked on
//!                                                 # every request, its reads access-logged
//!
//! The API runs in this process (the same router and connection loop as `pad serve`), the load
//! generator too: 16 tasks, each sending its next request when the previous one is answered,
//! every request with its own Idempotency-Key, for 10 s.

#[path = "../tests/common/mod.rs"]
mod common;
#[path = "../tests/common/postgres.rs"]
mod postgres;

use std::sync::Arc;
use std::time::{Duration, Instant};

use pad::api::{AppState, Limits, router, serve_connections};
use pad::journal::{DecisionColumns, Filter, Journal, JournalUrl, Page, decision_hash, sha256_hex};
use pad::scoring::Scorer;

fn percentile(sorted: &[Duration], share: f64) -> f64 {
    sorted[((sorted.len() - 1) as f64 * share).round() as usize].as_secs_f64() * 1e3
}

fn main() {
    let events: usize = std::env::var("EVENTS").ok().and_then(|text| text.parse().ok()).unwrap_or(1_000_000);
    let server = postgres::start(true);
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    runtime.block_on(async {
        let url = server.fresh_database().await;
        let journal = Journal::open(&JournalUrl::parse(&url).unwrap()).await.unwrap();
        let scorer = common::bundled_scorer();
        let clients: Vec<i64> = scorer
            .clients()
            .unwrap()
            .iter()
            .filter(|client| scorer.predict(client.id).unwrap().decision.is_decided())
            .map(|client| client.id)
            .collect();
        let state = AppState::new(scorer.clone(), None, Limits::default()).with_journal(journal.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let app = pad::api::LiveRouter::new(router(state));
        tokio::spawn(serve_connections(listener, app, Duration::from_secs(10), std::future::pending()));
        // SIGNED_IN=1: every request carries a user's token (checked against the journal's users
        // on every request; the reads are written to the access log).
        let mut headers = reqwest::header::HeaderMap::new();
        if std::env::var("SIGNED_IN").is_ok_and(|value| value == "1") {
            let token = journal.add_user("bench", pad::journal::Role::Rm, 30).await.unwrap().1;
            headers.insert(reqwest::header::AUTHORIZATION, format!("Bearer {token}").parse().unwrap());
            println!("signed in: every request carries the token of user bench (role rm)");
        }
        let http = reqwest::Client::builder().pool_max_idle_per_host(64).default_headers(headers).build().unwrap();
        // Warm up: every client's facts computed once (TreeSHAP, counterfactual), as a running
        // server has them.
        for (index, client) in clients.iter().enumerate() {
            let body = serde_json::json!({"client_id": client});
            let response = http
                .post(format!("{base}/decisions"))
                .header("Idempotency-Key", format!("warm-{index}"))
                .json(&body)
                .send()
                .await
                .unwrap();
            assert!(response.status().is_success());
        }
        // The last run at 16 connections signs a checkpoint every second meanwhile (the tree
        // extended by the appends since), as `pad serve --checkpoint-every 1` would: the
        // appends' throughput without and with the tree, in one run.
        let signer = pad::journal::evidence::note::NoteSigner::from_seed("bench.example/pad-journal", [1; 32]).unwrap();
        for (connections, checkpointing) in [(1usize, false), (16, false), (16, true)] {
            let signing = checkpointing.then(|| {
                let (journal, signer) = (journal.clone(), pad::journal::evidence::note::NoteSigner::from_seed(
                    "bench.example/pad-journal",
                    [1; 32],
                ).unwrap());
                tokio::spawn(async move {
                    let mut signed = 0_usize;
                    let stop = Instant::now() + Duration::from_secs(10);
                    while Instant::now() < stop {
                        journal.checkpoint(&signer, "bench.example/pad-journal").await.unwrap();
                        signed += 1;
                        tokio::time::sleep(Duration::from_secs(1)).await;
                    }
                    signed
                })
            });
            let stop = Instant::now() + Duration::from_secs(10);
            let mut tasks = Vec::new();
            for task in 0..connections {
                let (http, base, clients) = (http.clone(), base.clone(), clients.clone());
                tasks.push(tokio::spawn(async move {
                    let mut latencies = Vec::new();
                    let mut index = 0usize;
                    while Instant::now() < stop {
                        let body = serde_json::json!({"client_id": clients[(task * 7919 + index) % clients.len()]});
                        let started = Instant::now();
                        let response = http
                            .post(format!("{base}/decisions"))
                            .header("Idempotency-Key", format!("c{connections}-t{task}-{index}"))
                            .json(&body)
                            .send()
                            .await
                            .unwrap();
                        assert!(response.status().is_success(), "{}", response.status());
                        let _ = response.bytes().await.unwrap();
                        latencies.push(started.elapsed());
                        index += 1;
                    }
                    latencies
                }));
            }
            let mut latencies = Vec::new();
            for task in tasks {
                latencies.extend(task.await.unwrap());
            }
            latencies.sort();
            let signed = match signing {
                Some(task) => format!(", {} checkpoints signed meanwhile", task.await.unwrap()),
                None => String::new(),
            };
            println!(
                "POST /decisions, PostgreSQL, {connections} connections{signed}: {} in 10 s = {:.0}/s, p50 {:.2} ms, p95 {:.2} ms, p99 {:.2} ms",
                latencies.len(),
                latencies.len() as f64 / 10.0,
                percentile(&latencies, 0.5),
                percentile(&latencies, 0.95),
                percentile(&latencies, 0.99)
            );
        }
        let verification = journal.verify().await.unwrap();
        assert_eq!(verification.broken, None);
        // Fill up to `events` with copies of a real event's content (other client ids and times),
        // chained as the journal chains them, in batches of one transaction each.
        // (The first decision: with SIGNED_IN, event 1 is the user's addition.)
        let template = journal
            .list(&Filter::default(), Page { after: None, limit: 1, newest_first: false })
            .await
            .unwrap()
            .remove(0);
        let mut previous_id = verification.events as i64;
        let mut previous_hash = journal
            .list(&Filter::default(), Page { after: Some(previous_id + 1), limit: 1, newest_first: true })
            .await
            .unwrap()[0]
            .hash
            .clone();
        let filling = Instant::now();
        {
            use sqlx::Connection;
            let mut connection = sqlx::PgConnection::connect(&url).await.unwrap();
            sqlx::query("ALTER TABLE decisions DISABLE TRIGGER decisions_no_update").execute(&mut connection).await.unwrap();
            while (previous_id as usize) < events {
                let batch = 1000.min(events - previous_id as usize);
                let mut rows = Vec::with_capacity(batch);
                for _ in 0..batch {
                    let id = previous_id + 1;
                    let mut content = template.content.clone();
                    content.client_id = 100_000 + id % 50_000;
                    content.recorded_at = format!("2026-11-{:02}T{:02}:{:02}:{:02}.000000Z", 1 + id % 28, id % 24, id % 60, id % 60);
                    let text = content.canonical().unwrap();
                    let content_hash = sha256_hex(text.as_bytes());
                    let columns_hash = DecisionColumns::of(&content).hash();
                    let hash = decision_hash(&previous_hash, &content_hash, Some(&columns_hash));
                    rows.push((id, content, text, content_hash, columns_hash, previous_hash.clone(), hash.clone()));
                    previous_id = id;
                    previous_hash = hash;
                }
                let mut builder = sqlx::QueryBuilder::<sqlx::Postgres>::new(
                    "INSERT INTO decisions (id, recorded_at, client_id, rm, final_decision, model_decision, overridden, \
                     reason_code, probability, model_version, content, content_hash, columns_hash, prev_hash, hash) ",
                );
                builder.push_values(rows, |mut row, (id, content, text, content_hash, columns_hash, prev_hash, hash)| {
                    row.push_bind(id)
                        .push_bind(content.recorded_at)
                        .push_bind(content.client_id)
                        .push_bind(content.rm)
                        .push_bind(content.final_decision.as_str())
                        .push_bind(content.model_decision.as_str())
                        .push_bind(i64::from(content.overridden))
                        .push_bind(content.reason_code)
                        .push_bind(content.probability)
                        .push_bind(content.model_version)
                        .push_bind(text)
                        .push_bind(content_hash)
                        .push_bind(columns_hash)
                        .push_bind(prev_hash)
                        .push_bind(hash);
                });
                builder.build().execute(&mut connection).await.unwrap();
            }
            sqlx::query("UPDATE journal_head SET last_id = $1, last_hash = $2 WHERE id = 1")
                .bind(previous_id)
                .bind(&previous_hash)
                .execute(&mut connection)
                .await
                .unwrap();
            sqlx::query("ALTER TABLE decisions ENABLE TRIGGER decisions_no_update").execute(&mut connection).await.unwrap();
            // What autovacuum does after a load of inserts (PostgreSQL 13 and later vacuum
            // tables on inserts too): the statistics, and the pages marked all-visible, so that
            // verify reads the chain's index without visiting the table.
            sqlx::query("VACUUM ANALYZE decisions").execute(&mut connection).await.unwrap();
        }
        println!("filled to {previous_id} events in {:.0} s", filling.elapsed().as_secs_f64());
        // GET /decisions?client_id=N, one connection, clients spread over the journal.
        let mut latencies = Vec::new();
        for index in 0..2000_i64 {
            let client = 100_000 + (index * 7919) % 50_000;
            let started = Instant::now();
            let response = http.get(format!("{base}/decisions?client_id={client}")).send().await.unwrap();
            assert!(response.status().is_success());
            let _ = response.bytes().await.unwrap();
            latencies.push(started.elapsed());
        }
        latencies.sort();
        println!(
            "GET /decisions?client_id=N with {previous_id} events: p50 {:.2} ms, p95 {:.2} ms, p99 {:.2} ms ({} requests)",
            percentile(&latencies, 0.5),
            percentile(&latencies, 0.95),
            percentile(&latencies, 0.99),
            latencies.len()
        );
        let started = Instant::now();
        let verification = journal.verify().await.unwrap();
        assert_eq!(verification.broken, None);
        println!(
            "verify: {} events in {:.2} s (content of {} bytes each)",
            verification.events,
            started.elapsed().as_secs_f64(),
            template.content.canonical().unwrap().len()
        );
        // The journal as evidence at this size: the first checkpoint hashes every event into
        // the stored tree; the next one only what was appended since.
        let started = Instant::now();
        let first = journal.checkpoint(&signer, "bench.example/pad-journal").await.unwrap();
        println!(
            "checkpoint of {} events (the tree extended from the last checkpoint of the load): {:.2} s",
            first.checkpoint.size,
            started.elapsed().as_secs_f64()
        );
        for (index, client) in clients.iter().take(100).enumerate() {
            let body = serde_json::json!({"client_id": client});
            let response =
                http.post(format!("{base}/decisions")).header("Idempotency-Key", format!("late-{index}")).json(&body).send().await.unwrap();
            assert!(response.status().is_success());
        }
        let started = Instant::now();
        let second = journal.checkpoint(&signer, "bench.example/pad-journal").await.unwrap();
        println!(
            "checkpoint after {} more events: {:.3} s",
            second.checkpoint.size - first.checkpoint.size,
            started.elapsed().as_secs_f64()
        );
        let size = second.checkpoint.size;
        let mut times = Vec::new();
        let mut hashes = 0;
        for index in 0..200_u64 {
            let id = 1 + (index * 7919 * 127) % size;
            let started = Instant::now();
            let proof = journal.prove_inclusion(id as i64, size).await.unwrap();
            times.push(started.elapsed());
            hashes = proof.inclusion.len();
        }
        times.sort();
        println!(
            "inclusion proof in the tree of {size}: {hashes} hashes ({} bytes), p50 {:.2} ms, p95 {:.2} ms (200 proofs)",
            hashes * 32,
            percentile(&times, 0.5),
            percentile(&times, 0.95)
        );
        let started = Instant::now();
        let consistency = journal.prove_consistency(first.checkpoint.size, size).await.unwrap();
        println!(
            "consistency proof {} -> {size}: {} hashes, {:.2} ms",
            first.checkpoint.size,
            consistency.consistency.len(),
            started.elapsed().as_secs_f64() * 1e3
        );
        let started = Instant::now();
        let check = journal.check_checkpoint(&first.checkpoint).await.unwrap();
        assert_eq!(check.broken, None);
        println!(
            "verify --checkpoint's tree recomputed from scratch over {} events: {:.2} s",
            check.journal_size,
            started.elapsed().as_secs_f64()
        );
        let _ = Arc::clone(&scorer);
    });
}
