//! The decision journal through its front ends: the `/decisions` routes (on SQLite and on a
//! real PostgreSQL 15), the dashboard's record form and history, replaying recorded inputs,
//! and a team of two `pad serve` on one PostgreSQL under load with one server killed.

mod common;
#[macro_use]
#[path = "common/postgres.rs"]
mod postgres;

use std::collections::HashMap;
use std::sync::Arc;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use pad::api::{AppState, Limits, router};
use pad::domain::Decision;
use pad::journal::{Journal, JournalUrl, Recorder};
use pad::scoring::Scorer;
use serde_json::{Value, json};
use tower::ServiceExt;

async fn journal(url: &str) -> Journal {
    Journal::open(&JournalUrl::parse(url).unwrap()).await.unwrap_or_else(|error| panic!("{url}: {error}"))
}

async fn send(state: AppState, request: Request<Body>) -> (StatusCode, Value) {
    let response = router(state).oneshot(request).await.unwrap();
    let status = response.status();
    let bytes = axum::body::to_bytes(response.into_body(), usize::MAX).await.unwrap();
    (status, serde_json::from_slice(&bytes).unwrap_or(Value::Null))
}

fn post(body: &Value, key: Option<&str>) -> Request<Body> {
    let mut request = Request::post("/decisions").header(header::CONTENT_TYPE, "application/json");
    if let Some(key) = key {
        request = request.header("Idempotency-Key", key);
    }
    request.body(Body::from(body.to_string())).unwrap()
}

fn get(path: &str) -> Request<Body> {
    Request::get(path).body(Body::empty()).unwrap()
}

/// The first served clients whose application is complete (they have a decision).
fn decided_clients(count: usize) -> Vec<i64> {
    let scorer = common::bundled_scorer();
    scorer
        .clients()
        .unwrap()
        .iter()
        .filter(|client| scorer.predict(client.id).unwrap().decision.is_decided())
        .take(count)
        .map(|client| client.id)
        .collect()
}

both!(the_decisions_routes_record_list_and_refuse);

async fn the_decisions_routes_record_list_and_refuse(url: &str) {
    let state = AppState::new(common::bundled_scorer(), None, Limits::default()).with_journal(journal(url).await);
    let client = decided_clients(1)[0];
    let expected = common::bundled_scorer().explain(client).unwrap();
    // The body `{"client_id": N}` alone records the model's decision as proposed.
    let (status, first) = send(state.clone(), post(&json!({"client_id": client}), Some("key-1"))).await;
    assert_eq!(status, StatusCode::CREATED, "{first}");
    assert_eq!(first["id"], 1);
    assert_eq!(first["client_id"], client);
    assert_eq!(first["final_decision"], expected.score.decision.as_str());
    assert_eq!(first["model_decision"], expected.score.decision.as_str());
    assert_eq!(first["overridden"], false);
    assert_eq!(first["origin"], "remote");
    assert_eq!(first["rm"], "api");
    assert_eq!(first["probability"].as_f64().unwrap().to_bits(), expected.score.probability.to_bits());
    assert_eq!(first["model_version"], state.model_version());
    assert_eq!(first["reasons"].as_array().unwrap().len(), expected.reasons.len());
    assert_eq!(first["hash"].as_str().unwrap().len(), 64);
    // A retry with the same key and body: the same decision, not a second one.
    let (status, again) = send(state.clone(), post(&json!({"client_id": client}), Some("key-1"))).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(again, first);
    // The same key with another body: 409.
    let (status, conflict) = send(state.clone(), post(&json!({"client_id": client, "rm": "bob"}), Some("key-1"))).await;
    assert_eq!(status, StatusCode::CONFLICT, "{conflict}");
    assert_eq!(conflict["error"]["code"], "idempotency_conflict");
    // An override without a justification: 422 naming the field; nothing written.
    let other = match expected.score.decision {
        Decision::Accepted => ("REFUSED", "UNDECLARED_DEBT"),
        _ => ("ACCEPTED", "GUARANTEE"),
    };
    let body = json!({"client_id": client, "decision": other.0, "reason_code": other.1, "justification": "short"});
    let (status, invalid) = send(state.clone(), post(&body, None)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{invalid}");
    assert_eq!(invalid["error"]["field"], "justification");
    let body = json!({"client_id": client, "decision": other.0, "reason_code": "NOPE", "justification": "a long enough justification"});
    let (status, invalid) = send(state.clone(), post(&body, None)).await;
    assert_eq!((status, &invalid["error"]["field"]), (StatusCode::UNPROCESSABLE_ENTITY, &json!("reason_code")));
    let body = json!({"client_id": client, "decision": other.0, "reason_code": other.1,
                      "justification": "documents checked at the branch", "lang": "fr", "rm": "ana"});
    let (status, second) = send(state.clone(), post(&body, None)).await;
    assert_eq!(status, StatusCode::CREATED, "{second}");
    assert_eq!((&second["id"], &second["overridden"], &second["language"]), (&json!(2), &json!(true), &json!("fr")));
    assert_eq!(second["prev_hash"], first["hash"]);
    // Unknown client 404, unknown field 422, unknown decision 404.
    let (status, _) = send(state.clone(), post(&json!({"client_id": 1}), None)).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = send(state.clone(), post(&json!({"client_id": client, "colour": "red"}), None)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let (status, missing) = send(state.clone(), get("/decisions/99")).await;
    assert_eq!((status, &missing["error"]["code"]), (StatusCode::NOT_FOUND, &json!("unknown_decision")));
    let (status, one) = send(state.clone(), get("/decisions/1")).await;
    assert_eq!((status, &one), (StatusCode::OK, &first));
    // Listing with filters and the cursor.
    let (status, page) = send(state.clone(), get(&format!("/decisions?client_id={client}&limit=1"))).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert_eq!((page["decisions"][0]["id"].clone(), page["next"].clone()), (json!(1), json!(1)));
    let (_, page) = send(state.clone(), get(&format!("/decisions?client_id={client}&limit=1&after=1"))).await;
    assert_eq!(page["decisions"][0]["id"], 2);
    let (_, page) = send(state.clone(), get("/decisions?overridden=true&rm=ana")).await;
    assert_eq!((page["decisions"].as_array().unwrap().len(), &page["next"]), (1, &Value::Null));
    let (_, page) = send(state.clone(), get(&format!("/decisions?client_id={client}&newest_first=true"))).await;
    assert_eq!(page["decisions"][0]["id"], 2);
    let (status, _) = send(state.clone(), get("/decisions?from=yesterday")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(state.journal.as_ref().unwrap().verify().await.unwrap().broken, None);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_shadow_challenger_is_counted_per_route_and_recorded_beside_the_served_model() {
    // The challenger: the shipped model with half its threshold, so that it refuses every
    // applicant the served model refuses and also those with a probability from half the
    // threshold up to it. Expected outcomes follow from the served probabilities by that rule.
    let served = common::bundled_scorer();
    let threshold = served.info().threshold;
    let mut sources = common::bundled_sources();
    sources.threshold = Some(threshold / 2.0);
    let challenger = Arc::new(pad::scoring::LocalScorer::load(&sources).unwrap());
    let folder = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", folder.path().join("journal.sqlite").display());
    let state = AppState::new(served.clone(), None, Limits::default())
        .with_journal(journal(&url).await)
        .with_shadow(pad::api::shadow::Shadow::new(challenger));
    let clients = decided_clients(60);
    let disagrees = |client: i64| {
        let probability = served.predict(client).unwrap().probability;
        (threshold / 2.0..threshold).contains(&probability)
    };
    let expected_disagree = clients.iter().filter(|client| disagrees(**client)).count();
    assert!(expected_disagree > 0 && expected_disagree < clients.len(), "both outcomes among the clients");
    for client in &clients {
        let request = Request::post("/predict")
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(json!({"client_id": client}).to_string()))
            .unwrap();
        let (status, body) = send(state.clone(), request).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        // The answer is the served model's.
        assert_eq!(body["decision"], served.predict(*client).unwrap().decision.as_str());
    }
    let recorded = [
        *clients.iter().find(|client| !disagrees(**client)).unwrap(),
        *clients.iter().find(|client| disagrees(**client)).unwrap(),
    ];
    for client in recorded {
        let (status, event) = send(state.clone(), post(&json!({"client_id": client}), None)).await;
        assert_eq!(status, StatusCode::CREATED, "{event}");
        let score = served.predict(client).unwrap();
        assert_eq!(event["probability"].as_f64().unwrap().to_bits(), score.probability.to_bits());
        // The same model: the same probability bit for bit; the decision by the lower threshold.
        let challenger = &event["challenger"];
        assert_eq!(challenger["probability"].as_f64().unwrap().to_bits(), score.probability.to_bits(), "{event}");
        let refused = score.probability >= threshold / 2.0;
        assert_eq!(challenger["decision"], if refused { "REFUSED" } else { "ACCEPTED" });
        let (status, again) = send(state.clone(), get(&format!("/decisions/{}", event["id"]))).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(again["challenger"], *challenger);
        // The API's body is the event's own JSON, field for field.
        let stored = journal(&url).await.get(event["id"].as_i64().unwrap()).await.unwrap().unwrap();
        assert_eq!(again, serde_json::to_value(&stored).unwrap());
    }
    let (status, verification) = (StatusCode::OK, journal(&url).await.verify().await.unwrap());
    assert_eq!((status, verification.broken), (StatusCode::OK, None));
    let response = router(state.clone()).oneshot(get("/metrics")).await.unwrap();
    let text =
        String::from_utf8(axum::body::to_bytes(response.into_body(), usize::MAX).await.unwrap().to_vec()).unwrap();
    let count = |route: &str, outcome: &str| -> u64 {
        text.lines()
            .filter(|line| line.starts_with("pad_http_shadow_decisions_total{"))
            .filter(|line| {
                line.contains(&format!("route=\"{route}\"")) && line.contains(&format!("outcome=\"{outcome}\""))
            })
            .map(|line| line.rsplit(' ').next().unwrap().parse::<u64>().unwrap())
            .sum()
    };
    assert_eq!(count("/predict", "disagree") as usize, expected_disagree, "{text}");
    assert_eq!(count("/predict", "agree") as usize, clients.len() - expected_disagree, "{text}");
    assert_eq!((count("/decisions", "agree"), count("/decisions", "disagree")), (1, 1), "{text}");
    assert_eq!(count("/predict", "failed") + count("/decisions", "failed"), 0);
}

#[tokio::test]
async fn without_a_journal_the_routes_say_so_and_the_document_lists_them() {
    let state = AppState::new(common::bundled_scorer(), None, Limits::default());
    let (status, body) = send(state.clone(), post(&json!({"client_id": 400005}), None)).await;
    assert_eq!((status, &body["error"]["code"]), (StatusCode::SERVICE_UNAVAILABLE, &json!("journal_unavailable")));
    let (_, document) = send(state, get("/openapi.json")).await;
    for path in ["/decisions", "/decisions/{id}"] {
        assert!(document["paths"][path].is_object(), "{path} is documented");
    }
    assert!(document["paths"]["/decisions"]["post"]["responses"]["409"].is_object());
}

#[test]
fn recorded_inputs_score_again_to_the_same_bits_for_every_bundled_client() {
    let scorer = common::bundled_scorer();
    let features = &scorer.info().features;
    for client in scorer.clients().unwrap() {
        let record = scorer.client(client.id).unwrap();
        let inputs = pad::journal::inputs_of_record(&record, features);
        let again = scorer.predict_inputs(&inputs).unwrap();
        let score = scorer.predict(client.id).unwrap();
        assert_eq!(again.probability.to_bits(), score.probability.to_bits(), "client {}", client.id);
        assert_eq!(again.decision, score.decision, "client {}", client.id);
    }
}

/// A recorder whose database is away for the first `failures` calls.
struct Flaky {
    inner: pad::journal::LocalRecorder,
    failures: std::sync::atomic::AtomicU32,
}

impl pad::journal::Recorder for Flaky {
    fn record(
        &self,
        draft: &pad::journal::DecisionDraft,
    ) -> Result<pad::journal::DecisionEvent, pad::journal::JournalError> {
        if self.failures.load(std::sync::atomic::Ordering::SeqCst) > 0 {
            self.failures.fetch_sub(1, std::sync::atomic::Ordering::SeqCst);
            return Err(pad::journal::JournalError::Unreachable {
                url: "test".into(),
                message: "connection refused".into(),
            });
        }
        self.inner.record(draft)
    }

    fn history(
        &self,
        client_id: i64,
        limit: usize,
    ) -> Result<Vec<pad::journal::DecisionEvent>, pad::journal::JournalError> {
        self.inner.history(client_id, limit)
    }

    fn decisions_in_state(
        &self,
        client_id: i64,
        state: pad::journal::CaseState,
        limit: usize,
    ) -> Result<Vec<i64>, pad::journal::JournalError> {
        self.inner.decisions_in_state(client_id, state, limit)
    }

    fn location(&self) -> String {
        self.inner.location()
    }

    fn contest(
        &self,
        draft: &pad::journal::ContestDraft,
    ) -> Result<pad::journal::CaseEvent, pad::journal::JournalError> {
        self.inner.contest(draft)
    }

    fn open_contests(&self, limit: usize) -> Result<Vec<pad::journal::Case>, pad::journal::JournalError> {
        self.inner.open_contests(limit)
    }

    fn review(&self, draft: &pad::journal::ReviewDraft) -> Result<pad::journal::CaseEvent, pad::journal::JournalError> {
        self.inner.review(draft)
    }
}

#[test]
fn the_dashboard_records_an_override_and_shows_it_and_keeps_a_decision_the_database_did_not_take() {
    use pad::tui::action::Action;
    use pad::tui::app::{App, Mode, Tab};
    use pad::tui::keymap::binds::Bind;
    use pad::tui::overlay::Input;
    use pad::tui::overlays::Kind;
    use pad::tui::tasks::settle_recorded;
    use pad::tui::theme::Theme;

    let runtime = tokio::runtime::Runtime::new().unwrap();
    let folder = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", folder.path().join("journal.sqlite").display());
    let opened = runtime.block_on(journal(&url));
    let recorder = Flaky {
        inner: pad::journal::LocalRecorder::new(opened.clone(), runtime.handle().clone()),
        failures: std::sync::atomic::AtomicU32::new(0),
    };
    let scorer = common::bundled_scorer();
    let (app, commands) = App::new(scorer.info().clone(), scorer.clients().unwrap(), Theme::MONOCHROME, (120, 40));
    let (mut app, more) = app.with_journal(recorder.location(), "ana".into());
    let mut app_commands = commands;
    app_commands.extend(more);
    settle_recorded(&mut app, scorer.as_ref(), Some(&recorder), app_commands);
    let press = |app: &mut App, actions: Vec<Action>| {
        for action in actions {
            let commands = app.update(action);
            let waiting = settle_recorded(app, scorer.as_ref(), Some(&recorder), commands);
            assert!(waiting.is_empty() || app.pending.is_some());
        }
    };
    let client = app.selected_client().unwrap().id;
    assert_eq!(
        app.history.as_ref().and_then(|(id, loaded)| loaded.ready().map(|events| (*id, events.len()))),
        Some((client, 0))
    );
    // Recording needs a prediction first.
    press(&mut app, vec![Action::Open(Kind::Record)]);
    assert_eq!(app.mode(), Mode::Normal);
    press(&mut app, vec![Action::Predict, Action::Open(Kind::Record), Action::Overlay(Input::Key(Bind::RecordToggle))]);
    assert_eq!(app.mode(), Mode::Record);
    let proposed = app.shown_explanation().unwrap().score.decision;
    // Too short a justification keeps the form open, saying why.
    let mut typing: Vec<Action> =
        "too short".chars().map(|character| Action::Overlay(Input::Text(character))).collect();
    typing.push(Action::Overlay(Input::Key(Bind::Submit)));
    press(&mut app, typing);
    assert_eq!(app.mode(), Mode::Record);
    assert!(app.overlays.record().unwrap().message.as_ref().unwrap().contains("at least 20"));
    let mut typing: Vec<Action> =
        " — documents checked at the branch".chars().map(|character| Action::Overlay(Input::Text(character))).collect();
    typing.push(Action::Overlay(Input::Key(Bind::RecordReasonDown)));
    typing.push(Action::Overlay(Input::Key(Bind::Submit)));
    press(&mut app, typing);
    assert_eq!(app.mode(), Mode::Normal);
    assert!(app.pending.is_none());
    let status = app.status.as_ref().unwrap().text.clone();
    assert!(status.starts_with("recorded: decision #1"), "{status}");
    let history = app.history.as_ref().unwrap().1.ready().unwrap().clone();
    assert_eq!(history.len(), 1);
    let content = &history[0].content;
    assert!(content.overridden);
    assert_ne!(content.final_decision, proposed);
    assert_eq!(content.rm, "ana");
    assert_eq!(content.origin, pad::journal::Origin::Local);
    assert_eq!(content.client_id, client);
    // The second reason of the list for that final decision (↓ once).
    let reasons = pad::journal::OverrideReasons::shipped().unwrap();
    assert_eq!(content.reason_code.as_deref(), Some(reasons.codes_for(content.final_decision)[1]));
    assert!(content.justification.as_deref().unwrap().starts_with("too short — documents"));
    let stored = runtime.block_on(opened.get(1)).unwrap().unwrap();
    assert_eq!(&stored, &history[0]);
    // The Journal tab and the Decision tab show it.
    press(&mut app, vec![Action::ShowTab(Tab::Journal)]);
    let screen = render(&app);
    assert!(screen.contains(content.final_decision.as_str()) && screen.contains("ana"), "{screen}");
    press(&mut app, vec![Action::ShowTab(Tab::Decision)]);
    assert!(render(&app).contains(&format!("last decided {} by ana on", content.final_decision)));
    // The database away: the decision stays pending, is retried, and quitting asks first.
    recorder.failures.store(1, std::sync::atomic::Ordering::SeqCst);
    let commands = app.update(Action::Open(Kind::Record));
    settle_recorded(&mut app, scorer.as_ref(), Some(&recorder), commands);
    let commands = app.update(Action::Overlay(Input::Key(Bind::Submit)));
    let retry = settle_recorded(&mut app, scorer.as_ref(), Some(&recorder), commands);
    assert!(app.pending.is_some(), "kept on screen");
    assert!(app.status.as_ref().unwrap().text.contains("NOT recorded yet"));
    assert!(render(&app).contains("NOT recorded"));
    app.update(Action::Quit);
    assert_eq!(app.mode(), Mode::ConfirmQuit);
    assert!(!app.should_quit);
    app.update(Action::Back);
    assert!(!app.should_quit);
    // The retry (after a wait) goes through: recorded, nothing pending, quitting no longer asks.
    assert!(matches!(retry.as_slice(), [pad::tui::command::Command::Record(_, 1)]), "{retry:?}");
    let answers = std::sync::Mutex::new(Vec::new());
    pad::tui::tasks::journal_work(&retry[0], Some(&recorder), &|action| answers.lock().unwrap().push(action));
    for action in answers.into_inner().unwrap() {
        app.update(action);
    }
    assert!(app.pending.is_none());
    assert!(app.status.as_ref().unwrap().text.starts_with("recorded: decision #2"));
    app.update(Action::Quit);
    assert!(app.should_quit);
    assert_eq!(runtime.block_on(opened.verify()).unwrap().events, 2);
}

fn render(app: &pad::tui::app::App) -> String {
    let mut terminal = ratatui::Terminal::new(ratatui::backend::TestBackend::new(120, 40)).unwrap();
    terminal.draw(|frame| pad::tui::views::render(app, frame)).unwrap();
    let buffer = terminal.backend().buffer().clone();
    let mut text = String::new();
    for y in 0..buffer.area.height {
        for x in 0..buffer.area.width {
            text.push_str(buffer[(x, y)].symbol());
        }
        text.push('\n');
    }
    text
}

/// `pad serve` on a free port with `args`; its URL.
#[test]
fn two_servers_on_one_postgresql_record_every_decision_once_even_when_one_is_killed() {
    const CLIENTS: usize = 20;
    const DECISIONS: usize = 200;
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let url = runtime.block_on(postgres::server().fresh_database());
    let (mut first, first_url) = common::serve_process(&["--journal", &url]);
    let (mut second, second_url) = common::serve_process(&["--journal", &url]);
    let served = decided_clients(40);
    let acknowledged = Arc::new(std::sync::Mutex::new(HashMap::<String, i64>::new()));
    let sent = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let http = reqwest::Client::builder().timeout(std::time::Duration::from_secs(30)).build().unwrap();
    runtime.block_on(async {
        let mut tasks = Vec::new();
        for worker in 0..CLIENTS {
            let (http, acknowledged, sent, served) =
                (http.clone(), Arc::clone(&acknowledged), Arc::clone(&sent), served.clone());
            let servers = [first_url.clone(), second_url.clone()];
            tasks.push(tokio::spawn(async move {
                for index in 0..DECISIONS {
                    let key = format!("worker-{worker}-decision-{index}");
                    let body =
                        json!({"client_id": served[(worker + index) % served.len()], "rm": format!("rm-{worker}")});
                    // Spread over both servers; after a failure, the same request (same key)
                    // goes to the other one.
                    let mut target = (worker + index) % 2;
                    let mut attempts = 0;
                    loop {
                        attempts += 1;
                        assert!(attempts < 50, "{key} never recorded");
                        let answer = http
                            .post(format!("{}/decisions", servers[target]))
                            .header("Idempotency-Key", &key)
                            .json(&body)
                            .send()
                            .await;
                        match answer {
                            Ok(response) if response.status().is_success() => {
                                let event: Value = response.json().await.unwrap();
                                acknowledged.lock().unwrap().insert(key.clone(), event["id"].as_i64().unwrap());
                                sent.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                                break;
                            }
                            Ok(response) if response.status().is_client_error() => {
                                panic!("{key}: {}", response.text().await.unwrap_or_default())
                            }
                            _ => {
                                target = 1 - target;
                                tokio::time::sleep(std::time::Duration::from_millis(20)).await;
                            }
                        }
                    }
                }
            }));
        }
        // Kill the first server in the middle of the load.
        while sent.load(std::sync::atomic::Ordering::SeqCst) < CLIENTS * DECISIONS / 3 {
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        }
        first.kill().unwrap();
        for task in tasks {
            task.await.unwrap();
        }
    });
    let _ = first.wait();
    let _ = second.kill();
    let _ = second.wait();
    let acknowledged = acknowledged.lock().unwrap().clone();
    assert_eq!(acknowledged.len(), CLIENTS * DECISIONS);
    runtime.block_on(async {
        use sqlx::Connection;
        let mut connection = sqlx::PgConnection::connect(&url).await.unwrap();
        let rows: Vec<(i64, String)> =
            sqlx::query_as("SELECT id, idempotency_key FROM decisions").fetch_all(&mut connection).await.unwrap();
        assert_eq!(rows.len(), CLIENTS * DECISIONS, "every decision exactly once");
        let stored: HashMap<String, i64> = rows.into_iter().map(|(id, key)| (key, id)).collect();
        assert_eq!(stored, acknowledged, "every acknowledged decision is there, under the id it was acknowledged with");
        let verification = journal(&url).await.verify().await.unwrap();
        assert_eq!((verification.events, verification.broken), ((CLIENTS * DECISIONS) as u64, None));
    });
}
