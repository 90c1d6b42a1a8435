//! Users and roles through the API, on SQLite and on a real PostgreSQL 15: each role against
//! each route, the contest and review routes, the access log, and a revocation seen by a
//! second server sharing the database without a restart.

mod common;
#[macro_use]
#[path = "common/postgres.rs"]
mod postgres;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use pad::api::{AppState, Limits, Token, router};
use pad::journal::{Journal, JournalUrl, Role};
use pad::scoring::Scorer;
use serde_json::{Value, json};
use tower::ServiceExt;

both!(each_role_is_allowed_or_refused_on_each_route, a_contest_is_reviewed_by_someone_else_with_corrected_inputs);

async fn journal(url: &str) -> Journal {
    Journal::open(&JournalUrl::parse(url).unwrap()).await.unwrap_or_else(|error| panic!("{url}: {error}"))
}

async fn send(
    state: &AppState,
    method: &str,
    path: &str,
    token: Option<&str>,
    body: Option<Value>,
) -> (StatusCode, Value) {
    let mut request = Request::builder().method(method).uri(path);
    if let Some(token) = token {
        request = request.header(header::AUTHORIZATION, format!("Bearer {token}"));
    }
    let request = match body {
        Some(body) => request.header(header::CONTENT_TYPE, "application/json").body(Body::from(body.to_string())),
        None => request.body(Body::empty()),
    }
    .unwrap();
    let response = router(state.clone()).oneshot(request).await.unwrap();
    let status = response.status();
    let bytes = axum::body::to_bytes(response.into_body(), usize::MAX).await.unwrap();
    (status, serde_json::from_slice(&bytes).unwrap_or(Value::Null))
}

/// A journal in a new SQLite file (the folder goes when dropped).
fn sqlite_journal(runtime: &tokio::runtime::Runtime) -> (tempfile::TempDir, Journal) {
    let folder = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", folder.path().join("journal.sqlite").display());
    let opened = runtime.block_on(journal(&url));
    (folder, opened)
}

/// The first served client whose application is complete.
fn decided_client() -> i64 {
    let scorer = common::bundled_scorer();
    scorer.clients().unwrap().iter().find(|client| scorer.predict(client.id).unwrap().decision.is_decided()).unwrap().id
}

async fn each_role_is_allowed_or_refused_on_each_route(url: &str) {
    let journal = journal(url).await;
    let mut tokens = Vec::new();
    for (name, role) in [("ana", Role::Rm), ("rita", Role::Reviewer), ("audrey", Role::Auditor), ("adam", Role::Admin)]
    {
        tokens.push(journal.add_user(name, role, 30).await.unwrap().1);
    }
    let state = AppState::new(common::bundled_scorer(), Some(Token::new("shared-secret")), Limits::default())
        .with_journal(journal.clone());
    let client = decided_client();
    // A decision by someone else, contested, so that every role's review can get past the roles.
    let (status, _) =
        send(&state, "POST", "/decisions", Some("shared-secret"), Some(json!({"client_id": client, "rm": "zoe"})))
            .await;
    assert_eq!(status, StatusCode::CREATED);
    let contest = json!({"statement": "I have a new job", "channel": "branch"});
    let review = json!({"outcome": "upheld", "justification": "The recorded inputs are the customer's own."});
    let by_id = json!({"client_id": client});
    // Columns: rm, reviewer, auditor, admin.
    let table: Vec<(&str, String, Option<Value>, [bool; 4])> = vec![
        ("GET", "/model".into(), None, [true, true, true, true]),
        ("GET", "/clients?limit=2".into(), None, [true, true, true, true]),
        ("GET", format!("/clients/{client}"), None, [true, true, true, true]),
        ("GET", format!("/clients/{client}/history"), None, [true, true, true, true]),
        ("POST", "/predict".into(), Some(by_id.clone()), [true, true, false, true]),
        ("POST", "/explain".into(), Some(by_id.clone()), [true, true, false, true]),
        ("POST", "/counterfactual".into(), Some(by_id.clone()), [true, true, false, true]),
        ("POST", "/decisions".into(), Some(by_id.clone()), [true, true, false, true]),
        ("GET", format!("/decisions?client_id={client}"), None, [true, true, true, true]),
        ("GET", "/decisions/1".into(), None, [true, true, true, true]),
        ("POST", "/decisions/1/contest".into(), Some(contest), [true, true, false, true]),
        ("POST", "/decisions/1/review".into(), Some(review), [false, true, false, true]),
        ("GET", "/decisions/1/case".into(), None, [true, true, true, true]),
        ("GET", "/contests".into(), None, [true, true, true, true]),
        ("GET", "/access-log".into(), None, [false, false, true, true]),
        ("GET", "/me".into(), None, [true, true, true, true]),
        ("GET", "/metrics".into(), None, [true, true, true, true]),
    ];
    for (method, path, body, allowed) in &table {
        for ((token, role), allowed) in tokens.iter().zip(["rm", "reviewer", "auditor", "admin"]).zip(allowed) {
            let (status, answer) = send(&state, method, path, Some(token), body.clone()).await;
            if *allowed {
                assert!(
                    status.is_success() || status == StatusCode::CONFLICT,
                    "{role} {method} {path}: {status} {answer}"
                );
            } else {
                assert_eq!(status, StatusCode::FORBIDDEN, "{role} {method} {path}: {answer}");
                let message = answer["error"]["message"].as_str().unwrap();
                assert!(message.contains("needs the role") && message.contains(role), "{message}");
            }
        }
    }
    // Who is who.
    let (_, me) = send(&state, "GET", "/me", Some(&tokens[2]), None).await;
    assert_eq!(me, json!({"name": "audrey", "role": "auditor"}));
    let (_, me) = send(&state, "GET", "/me", Some("shared-secret"), None).await;
    assert_eq!(me, json!({"name": null, "role": "admin"}));
    // A signed-in RM records under their own name, never another's.
    let (status, recorded) = send(&state, "POST", "/decisions", Some(&tokens[0]), Some(by_id.clone())).await;
    assert_eq!((status, recorded["rm"].as_str()), (StatusCode::CREATED, Some("ana")));
    let (status, answer) =
        send(&state, "POST", "/decisions", Some(&tokens[0]), Some(json!({"client_id": client, "rm": "zoe"}))).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{answer}");
    // No token, a malformed one, an unknown one: 401 saying why; /health needs none.
    assert_eq!(send(&state, "GET", "/model", None, None).await.0, StatusCode::UNAUTHORIZED);
    let (status, answer) = send(&state, "GET", "/model", Some(&"0".repeat(64)), None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(answer["error"]["message"].as_str().unwrap().contains("no user has this token"), "{answer}");
    assert_eq!(send(&state, "GET", "/health", None, None).await.0, StatusCode::OK);
    // The auditor's read of the client is in the access log, with the client's id; the model's
    // description is not a client's data.
    let (_, log) = send(&state, "GET", "/access-log?user=audrey&limit=1000", Some(&tokens[3]), None).await;
    let entries = log["entries"].as_array().unwrap();
    assert!(
        entries.iter().any(|entry| entry["action"] == format!("GET /clients/{client}") && entry["client_id"] == client),
        "{log}"
    );
    assert!(entries.iter().all(|entry| entry["action"] != "GET /model"), "{log}");
    assert!(entries.iter().all(|entry| entry["user"] == "audrey"));
    let verification = journal.verify().await.unwrap();
    assert_eq!(verification.broken, None);
}

async fn a_contest_is_reviewed_by_someone_else_with_corrected_inputs(url: &str) {
    let journal = journal(url).await;
    let ana = journal.add_user("ana", Role::Rm, 30).await.unwrap().1;
    let rita = journal.add_user("rita", Role::Reviewer, 30).await.unwrap().1;
    let state = AppState::new(common::bundled_scorer(), None, Limits::default()).with_journal(journal.clone());
    let client = decided_client();
    let (status, decided) = send(&state, "POST", "/decisions", Some(&ana), Some(json!({"client_id": client}))).await;
    assert_eq!(status, StatusCode::CREATED, "{decided}");
    let id = decided["id"].as_i64().unwrap();
    let review = |outcome: &str| {
        json!({"outcome": outcome, "justification": "New payslips show a higher income.",
               "corrections": [{"field": "AMT_INCOME_TOTAL", "value": 1_000_000, "source": "payslips, Nov 2026"}]})
    };
    let (status, answer) =
        send(&state, "POST", &format!("/decisions/{id}/review"), Some(&rita), Some(review("overturned"))).await;
    assert_eq!(status, StatusCode::CONFLICT, "no review without a contest: {answer}");
    let (status, answer) =
        send(&state, "POST", "/decisions/999/contest", Some(&ana), Some(json!({"statement": "x", "channel": "email"})))
            .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{answer}");
    let (status, contest) = send(
        &state,
        "POST",
        &format!("/decisions/{id}/contest"),
        Some(&ana),
        Some(json!({"statement": "My salary went up in November.", "channel": "email"})),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{contest}");
    let ids = |page: &Value| -> Vec<i64> {
        page["decisions"].as_array().unwrap().iter().map(|decision| decision["id"].as_i64().unwrap()).collect()
    };
    let (_, contested) = send(&state, "GET", "/decisions?state=contested", Some(&rita), None).await;
    assert_eq!(ids(&contested), vec![id]);
    let (_, queue) = send(&state, "GET", "/contests", Some(&rita), None).await;
    assert_eq!(queue["contests"][0]["decision_id"], id);
    assert_eq!(queue["contests"][0]["decided_by"], "ana");
    assert_eq!(queue["contests"][0]["age_days"], 0);
    // Admin ana? No: ana is an RM; even an admin who decided could not review (409).
    let (status, reviewed) =
        send(&state, "POST", &format!("/decisions/{id}/review"), Some(&rita), Some(review("overturned"))).await;
    assert_eq!(status, StatusCode::CREATED, "{reviewed}");
    assert_eq!(reviewed["corrections"][0]["recorded"], decided["inputs"]["AMT_INCOME_TOTAL"]);
    // The recorded inputs with the corrected income, scored by the scorer itself.
    let mut inputs: Vec<(String, pad::domain::InputValue)> = Vec::new();
    for (name, value) in decided["inputs"].as_object().unwrap() {
        let value = match (name.as_str(), value) {
            ("AMT_INCOME_TOTAL", _) => pad::domain::InputValue::Number(1_000_000.0),
            (_, Value::Number(number)) => pad::domain::InputValue::Number(number.as_f64().unwrap()),
            (_, Value::String(text)) => pad::domain::InputValue::Text(text.clone()),
            _ => pad::domain::InputValue::Missing,
        };
        inputs.push((name.clone(), value));
    }
    let expected = common::bundled_scorer().predict_inputs(&inputs).unwrap();
    assert_eq!(reviewed["rescored"]["probability"].as_f64().unwrap().to_bits(), expected.probability.to_bits());
    let (_, contested) = send(&state, "GET", "/decisions?state=contested", Some(&rita), None).await;
    assert!(ids(&contested).is_empty());
    let (_, overturned) = send(&state, "GET", "/decisions?state=overturned", Some(&rita), None).await;
    assert_eq!(ids(&overturned), vec![id]);
    let (status, _) = send(&state, "GET", "/decisions?state=lost", Some(&rita), None).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (_, case) = send(&state, "GET", &format!("/decisions/{id}/case"), Some(&ana), None).await;
    assert_eq!(case["state"], "overturned");
    assert_ne!(case["final_decision"], decided["final_decision"]);
    assert_eq!(case["events"].as_array().unwrap().len(), 2);
    let (status, _) =
        send(&state, "POST", &format!("/decisions/{id}/review"), Some(&rita), Some(review("upheld"))).await;
    assert_eq!(status, StatusCode::CONFLICT, "no second review of one contest");
}

#[test]
fn a_revoked_token_is_refused_by_a_second_server_without_a_restart() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let url = runtime.block_on(postgres::server().fresh_database());
    let (token, admin) = runtime.block_on(async {
        let journal = journal(&url).await;
        let token = journal.add_user("ana", Role::Rm, 30).await.unwrap().1;
        (token, journal)
    });
    let (mut first, first_url) = common::serve_process(&["--journal", &url]);
    let (mut second, second_url) = common::serve_process(&["--journal", &url]);
    let http = reqwest::Client::new();
    let status = |base: &str| {
        let request = http.get(format!("{base}/me")).bearer_auth(&token).send();
        runtime.block_on(async { request.await.unwrap().status().as_u16() })
    };
    assert_eq!((status(&first_url), status(&second_url)), (200, 200));
    runtime.block_on(admin.revoke_user("ana")).unwrap();
    assert_eq!((status(&first_url), status(&second_url)), (401, 401));
    let _ = first.kill();
    let _ = second.kill();
    let _ = first.wait();
    let _ = second.wait();
}

#[test]
fn a_reviewer_opens_the_queue_corrects_an_income_and_overturns_the_decision_in_the_dashboard() {
    use crossterm::event::{KeyCode, KeyEvent};
    use pad::journal::{CaseContent, CaseState, Channel, ContestDraft, LocalRecorder, Recorder};
    use pad::tui::action::Action;
    use pad::tui::app::{App, Mode};
    use pad::tui::tasks::settle_recorded;
    use pad::tui::theme::Theme;

    let runtime = tokio::runtime::Runtime::new().unwrap();
    let (_folder, opened) = sqlite_journal(&runtime);
    let scorer = common::bundled_scorer();
    let client = decided_client();
    // Ana's decision, as proposed, from the scorer's own explanation; then the customer's contest.
    let decided = runtime.block_on(opened.record(&common::proposed_draft(client, "ana"), None)).unwrap().event;
    let statement = "My salary went up in November.".to_string();
    let contest = ContestDraft { decision_id: decided.id, statement, channel: Channel::Branch, by: "ana".into() };
    runtime.block_on(opened.contest(&contest)).unwrap();

    let recorder = LocalRecorder::new(opened.clone(), runtime.handle().clone());
    let (app, commands) = App::new(scorer.info().clone(), scorer.clients().unwrap(), Theme::MONOCHROME, (140, 40));
    let (mut app, more) = app.with_journal(recorder.location(), "rita".into());
    let mut first = commands;
    first.extend(more);
    settle_recorded(&mut app, scorer.as_ref(), Some(&recorder), first);
    let press = |app: &mut App, action: Action| {
        let commands = app.update(action);
        assert!(settle_recorded(app, scorer.as_ref(), Some(&recorder), commands).is_empty());
    };
    // Keys go through the keymap, as the terminal's would.
    let press_key = |app: &mut App, code: KeyCode| {
        if let Some(action) = pad::tui::keymap::actions::key_action(&app.keymap, app.scope(), KeyEvent::from(code)) {
            press(app, action);
        }
    };
    press(&mut app, Action::Open(pad::tui::overlays::Kind::Review));
    assert_eq!(app.mode(), Mode::Review);
    let queue = app.overlays.review().unwrap().queue.ready().unwrap().clone();
    assert_eq!(queue.iter().map(|case| case.decision.id).collect::<Vec<_>>(), vec![decided.id]);
    press_key(&mut app, KeyCode::Enter);
    let open = app.overlays.review().unwrap().open.as_ref().unwrap();
    // The recorded inputs replayed on the same model: the recorded probability, bit for bit.
    let replayed = open.replay.ready().unwrap().score.probability;
    assert_eq!(replayed.to_bits(), decided.content.probability.to_bits());
    let income = open.fields.iter().position(|field| field.name == "AMT_INCOME_TOTAL").unwrap();
    for _ in 0..income {
        press_key(&mut app, KeyCode::Down);
    }
    press_key(&mut app, KeyCode::Char('e'));
    for _ in 0..30 {
        press_key(&mut app, KeyCode::Backspace);
    }
    for character in "1000000".chars().chain(['\n']).chain("payslips of November 2026".chars()).chain(['\n']) {
        press_key(&mut app, if character == '\n' { KeyCode::Enter } else { KeyCode::Char(character) });
    }
    // The corrected inputs, scored by the scorer itself.
    let mut inputs = decided.content.input_values();
    inputs[income].1 = pad::domain::InputValue::Number(1_000_000.0);
    let expected = scorer.predict_inputs(&inputs).unwrap();
    let open = app.overlays.review().unwrap().open.as_ref().unwrap();
    let (_, rescored) = open.rescored.as_ref().unwrap();
    assert_eq!(rescored.ready().unwrap().score.probability.to_bits(), expected.probability.to_bits());
    // Recording needs an outcome and a justification first.
    press_key(&mut app, KeyCode::Char('r'));
    assert!(
        app.overlays
            .review()
            .unwrap()
            .open
            .as_ref()
            .unwrap()
            .message
            .as_ref()
            .is_some_and(|(text, error)| *error && text.contains("outcome"))
    );
    press_key(&mut app, KeyCode::Char('o'));
    press_key(&mut app, KeyCode::Char('t'));
    for character in "The payslips show twice the recorded income.".chars() {
        press_key(&mut app, KeyCode::Char(character));
    }
    press_key(&mut app, KeyCode::Enter);
    press_key(&mut app, KeyCode::Char('r'));
    let case = runtime.block_on(opened.case(decided.id)).unwrap();
    assert_eq!(case.state(), CaseState::Overturned);
    let CaseContent::Review(review) = &case.events[1].content else { panic!("{case:?}") };
    assert_eq!(review.by, "rita");
    assert_eq!(review.corrections[0].recorded, decided.content.inputs["AMT_INCOME_TOTAL"]);
    assert_eq!(review.corrections[0].corrected, json!(1_000_000.0));
    assert_eq!(review.corrections[0].source, "payslips of November 2026");
    assert_eq!(review.rescored.as_ref().unwrap().probability.to_bits(), expected.probability.to_bits());
    // The customer sheet of the outcome: the review's decision, saying that it follows a review.
    let exports = tempfile::tempdir().unwrap();
    app.export_dir = exports.path().to_path_buf();
    press_key(&mut app, KeyCode::Char('x'));
    let mut written: Vec<std::path::PathBuf> =
        std::fs::read_dir(exports.path()).unwrap().map(|entry| entry.unwrap().path()).collect();
    written.sort();
    assert_eq!(written.len(), 2, "{written:?}");
    assert!(
        written
            .iter()
            .all(|path| path.to_string_lossy().ends_with("-review.md")
                || path.to_string_lossy().ends_with("-review.png"))
    );
    let sheet = std::fs::read_to_string(&written[0]).unwrap();
    let reviewed_on = &review.recorded_at[..10];
    // Overturned: the opposite of the first decision.
    let expected_word =
        if decided.content.final_decision == pad::domain::Decision::Accepted { "REFUSED" } else { "ACCEPTED" };
    assert!(sheet.contains(&format!("**{expected_word}**")), "{sheet}");
    assert!(
        sheet.contains(&format!(
            "follows the review of your contest, on {reviewed_on}: the first decision was reversed"
        )),
        "{sheet}"
    );
    // The queue is empty again; Esc twice closes the desk.
    assert!(app.overlays.review().unwrap().queue.ready().unwrap().is_empty());
    press_key(&mut app, KeyCode::Esc);
    press_key(&mut app, KeyCode::Esc);
    assert_eq!(app.mode(), Mode::Normal);
    assert_eq!(runtime.block_on(opened.verify()).unwrap().broken, None);
}

#[test]
fn the_customer_contests_the_selected_clients_decision_from_the_dashboard() {
    use pad::journal::{CaseContent, CaseState, Channel, LocalRecorder, Recorder};
    use pad::tui::action::Action;
    use pad::tui::app::{App, Mode};
    use pad::tui::tasks::settle_recorded;
    use pad::tui::theme::Theme;

    let runtime = tokio::runtime::Runtime::new().unwrap();
    let (_folder, opened) = sqlite_journal(&runtime);
    let scorer = common::bundled_scorer();
    let (app, commands) = App::new(scorer.info().clone(), scorer.clients().unwrap(), Theme::MONOCHROME, (140, 40));
    let client = app.selected_client().unwrap().id;
    // A decision on the selected client, recorded before the dashboard opens.
    let decided = runtime.block_on(opened.record(&common::proposed_draft(client, "ana"), None)).unwrap().event;
    let recorder = LocalRecorder::new(opened.clone(), runtime.handle().clone());
    let (mut app, more) = app.with_journal(recorder.location(), "ana".into());
    let mut first = commands;
    first.extend(more);
    settle_recorded(&mut app, scorer.as_ref(), Some(&recorder), first);
    let press = |app: &mut App, action: Action| {
        let commands = app.update(action);
        assert!(settle_recorded(app, scorer.as_ref(), Some(&recorder), commands).is_empty());
    };
    press(&mut app, Action::Open(pad::tui::overlays::Kind::Contest));
    assert_eq!(app.mode(), Mode::Contest);
    press(&mut app, Action::Overlay(pad::tui::overlay::Input::Key(pad::tui::keymap::binds::Bind::Submit)));
    assert!(app.overlays.contest().unwrap().message.is_some(), "a statement is needed");
    for character in "I was employed then".chars() {
        press(&mut app, Action::Overlay(pad::tui::overlay::Input::Text(character)));
    }
    press(&mut app, Action::Overlay(pad::tui::overlay::Input::Key(pad::tui::keymap::binds::Bind::ContestChannelNext)));
    press(&mut app, Action::Overlay(pad::tui::overlay::Input::Key(pad::tui::keymap::binds::Bind::Submit)));
    assert_eq!(app.mode(), Mode::Normal);
    let case = runtime.block_on(opened.case(decided.id)).unwrap();
    assert_eq!(case.state(), CaseState::Contested);
    let CaseContent::Contest(contest) = &case.events[0].content else { panic!("{case:?}") };
    assert_eq!(
        (contest.statement.as_str(), contest.channel, contest.by.as_str()),
        ("I was employed then", Channel::Phone, "ana")
    );
    assert!(app.status.as_ref().unwrap().text.contains("to be answered by"), "{:?}", app.status);
    // The Journal tab says where the decision stands now.
    assert_eq!(app.case_states.get(&decided.id), Some(&CaseState::Contested));
    press(&mut app, Action::ShowTab(pad::tui::tabs::Tab::Journal));
    let mut terminal = ratatui::Terminal::new(ratatui::backend::TestBackend::new(140, 40)).unwrap();
    terminal.draw(|frame| pad::tui::views::render(&app, frame)).unwrap();
    let screen = terminal.backend().to_string();
    assert!(screen.contains(" now ") && screen.contains(" contested "), "{screen}");
    assert!(screen.contains("contested by the customer, waiting for a second review"), "{screen}");
    // A second contest while the first is open is refused, and said so.
    press(&mut app, Action::Open(pad::tui::overlays::Kind::Contest));
    for character in "again".chars() {
        press(&mut app, Action::Overlay(pad::tui::overlay::Input::Text(character)));
    }
    press(&mut app, Action::Overlay(pad::tui::overlay::Input::Key(pad::tui::keymap::binds::Bind::Submit)));
    assert!(app.status.as_ref().unwrap().text.contains("already has an open contest"), "{:?}", app.status);
}
