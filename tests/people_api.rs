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
use std::collections::HashMap;

use pad::journal::{Channel, ContestDraft, Journal, JournalError, JournalUrl, Outcome, ReviewDraft, Role};
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
    let (status, decided) =
        send(&state, "POST", "/decisions", Some("shared-secret"), Some(json!({"client_id": client}))).await;
    assert_eq!(status, StatusCode::CREATED);
    // Its id comes after the four users' additions, events of the same chain.
    let id = decided["id"].as_i64().unwrap();
    assert_eq!(id, 5);
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
        ("GET", format!("/decisions/{id}"), None, [true, true, true, true]),
        ("POST", format!("/decisions/{id}/contest"), Some(contest), [true, true, false, true]),
        ("POST", format!("/decisions/{id}/review"), Some(review), [false, true, false, true]),
        ("GET", format!("/decisions/{id}/case"), None, [true, true, true, true]),
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
    assert_eq!(me, json!({"name": "service", "role": "admin"}), "PAD_API_TOKEN is the service account");
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

both!(
    the_service_account_and_users_record_under_their_own_names_only,
    idempotency_keys_are_each_callers_own,
    text_fields_refuse_nul_and_control_characters_before_the_database,
    scores_log_their_client_and_logged_queries_keep_no_token,
    user_names_are_normalised_and_look_alikes_refused,
);

/// The events the probe's users are: their additions, each an event of the chain.
const PROBE_USERS: u64 = 5;

/// The users of the probe: two RMs, an auditor, a reviewer and an admin, with their tokens.
async fn probe_users(journal: &Journal) -> HashMap<&'static str, String> {
    let mut tokens = HashMap::new();
    for (name, role) in
        [("rm1", Role::Rm), ("rm2", Role::Rm), ("aud1", Role::Auditor), ("rev1", Role::Reviewer), ("adm1", Role::Admin)]
    {
        tokens.insert(name, journal.add_user(name, role, 30).await.unwrap().1);
    }
    tokens
}

/// Asserts a refusal: its status, its code and field, and that its message holds `words`.
fn refused(answer: (StatusCode, Value), status: StatusCode, code: &str, field: Option<&str>, words: &[&str]) {
    let (got, body) = answer;
    assert_eq!(got, status, "{body}");
    assert_eq!(body["error"]["code"], code, "{body}");
    assert_eq!(body["error"]["field"].as_str(), field, "{body}");
    let message = body["error"]["message"].as_str().unwrap();
    for word in words {
        assert!(message.contains(word), "{word:?} not in {message:?}");
    }
}

async fn the_service_account_and_users_record_under_their_own_names_only(url: &str) {
    let journal = journal(url).await;
    let tokens = probe_users(&journal).await;
    let shared = Some("shared-secret");
    let state = AppState::new(common::bundled_scorer(), Some(Token::new("shared-secret")), Limits::default())
        .with_journal(journal.clone());
    let client = decided_client();
    // The shared token is the service account: never rm1, whatever the body says.
    let answer = send(&state, "POST", "/decisions", shared, Some(json!({"client_id": client, "rm": "rm1"}))).await;
    refused(
        answer,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_author",
        Some("rm"),
        &["rm: `rm1` is not you", "PAD_API_TOKEN, the service account service", "send rm1's own token"],
    );
    assert_eq!(journal.verify().await.unwrap().events, PROBE_USERS, "nothing recorded but the users");
    let (_, me) = send(&state, "GET", "/me", shared, None).await;
    assert_eq!(me, json!({"name": "service", "role": "admin"}));
    let (status, by_service) = send(&state, "POST", "/decisions", shared, Some(json!({"client_id": client}))).await;
    assert_eq!((status, by_service["rm"].as_str()), (StatusCode::CREATED, Some("service")), "{by_service}");
    // rm1 with their own token records as rm1 (named in any case), never as rm2.
    let rm1 = Some(tokens["rm1"].as_str());
    let (status, decided) =
        send(&state, "POST", "/decisions", rm1, Some(json!({"client_id": client, "rm": "RM1"}))).await;
    assert_eq!((status, decided["rm"].as_str()), (StatusCode::CREATED, Some("rm1")), "{decided}");
    let answer = send(&state, "POST", "/decisions", rm1, Some(json!({"client_id": client, "rm": "rm2"}))).await;
    refused(
        answer,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_author",
        Some("rm"),
        &["`rm2` is not you", "signed in as rm1", "send rm2's own token"],
    );
    let id = decided["id"].as_i64().unwrap();
    let contest_path = format!("/decisions/{id}/contest");
    let review_path = format!("/decisions/{id}/review");
    // A contest "by" the auditor through the shared token, then with the auditor's own token.
    let statement = json!({"statement": "My income doubled.", "channel": "phone", "by": "aud1"});
    let answer = send(&state, "POST", &contest_path, shared, Some(statement.clone())).await;
    refused(answer, StatusCode::UNPROCESSABLE_ENTITY, "invalid_author", Some("by"), &["`aud1` is not you"]);
    let without_by = json!({"statement": "My income doubled.", "channel": "phone"});
    let answer = send(&state, "POST", &contest_path, Some(&tokens["aud1"]), Some(without_by.clone())).await;
    refused(answer, StatusCode::FORBIDDEN, "forbidden", None, &["needs the role", "aud1 is auditor"]);
    let (status, contest) = send(&state, "POST", &contest_path, shared, Some(without_by)).await;
    assert_eq!((status, contest["by"].as_str()), (StatusCode::CREATED, Some("service")), "{contest}");
    // A review "by" rm2 through the shared token, then with rm2's own token: the case stays
    // contested; the reviewer's own review answers it.
    let review = json!({"outcome": "overturned", "justification": "The payslips show a higher income.", "by": "rm2"});
    let answer = send(&state, "POST", &review_path, shared, Some(review.clone())).await;
    refused(answer, StatusCode::UNPROCESSABLE_ENTITY, "invalid_author", Some("by"), &["`rm2` is not you"]);
    let answer = send(&state, "POST", &review_path, Some(&tokens["rm2"]), Some(review.clone())).await;
    refused(answer, StatusCode::FORBIDDEN, "forbidden", None, &["needs the role reviewer or admin", "rm2 is rm"]);
    let (_, case) = send(&state, "GET", &format!("/decisions/{id}/case"), shared, None).await;
    assert_eq!(case["state"], "contested", "{case}");
    let mut own = review.clone();
    own["by"] = json!("rev1");
    let (status, reviewed) = send(&state, "POST", &review_path, Some(&tokens["rev1"]), Some(own)).await;
    assert_eq!((status, reviewed["by"].as_str()), (StatusCode::CREATED, Some("rev1")), "{reviewed}");
    // The journal itself refuses an author whose role may not, whoever records (the command
    // line, a dashboard on the journal).
    let again =
        ContestDraft { decision_id: id, statement: "Again.".into(), channel: Channel::Email, by: "aud1".into() };
    match journal.contest(&again).await {
        Err(JournalError::NotAllowed(message)) => {
            assert!(message.contains("aud1 is an auditor, who cannot record a contest"), "{message}")
        }
        other => panic!("an auditor's contest: {other:?}"),
    }
    journal.contest(&ContestDraft { by: "rm1".into(), ..again }).await.unwrap();
    let by_rm2 = ReviewDraft {
        decision_id: id,
        by: "RM2".into(),
        outcome: Outcome::Upheld,
        justification: "The first decision read the application right.".into(),
        corrections: Vec::new(),
        rescored: None,
    };
    match journal.review(&by_rm2).await {
        Err(JournalError::NotAllowed(message)) => {
            assert!(message.contains("rm2 is an rm, who cannot review a contested decision"), "{message}")
        }
        other => panic!("an RM's review: {other:?}"),
    }
    journal.review(&ReviewDraft { by: "adm1".into(), ..by_rm2 }).await.unwrap();
    assert_eq!(journal.verify().await.unwrap().broken, None);
}

async fn idempotency_keys_are_each_callers_own(url: &str) {
    let journal = journal(url).await;
    let tokens = probe_users(&journal).await;
    let state = AppState::new(common::bundled_scorer(), Some(Token::new("shared-secret")), Limits::default())
        .with_journal(journal.clone());
    let client = decided_client();
    let post = |token: String| {
        let state = state.clone();
        async move {
            let request = Request::post("/decisions")
                .header(header::AUTHORIZATION, format!("Bearer {token}"))
                .header(header::CONTENT_TYPE, "application/json")
                .header("Idempotency-Key", "decision-400031")
                .body(Body::from(json!({"client_id": client}).to_string()))
                .unwrap();
            let response = router(state).oneshot(request).await.unwrap();
            let status = response.status();
            let bytes = axum::body::to_bytes(response.into_body(), usize::MAX).await.unwrap();
            (status, serde_json::from_slice::<Value>(&bytes).unwrap())
        }
    };
    let (status, first) = post(tokens["rm1"].clone()).await;
    assert_eq!((status, first["rm"].as_str()), (StatusCode::CREATED, Some("rm1")), "{first}");
    // rm2's same key is rm2's own request: recorded for rm2, never answered with rm1's record.
    let (status, second) = post(tokens["rm2"].clone()).await;
    assert_eq!((status, second["rm"].as_str()), (StatusCode::CREATED, Some("rm2")), "{second}");
    assert_ne!(second["id"], first["id"]);
    let (status, service) = post("shared-secret".into()).await;
    assert_eq!((status, service["rm"].as_str()), (StatusCode::CREATED, Some("service")), "{service}");
    // Each one's retry is answered with their own record.
    for (token, recorded) in
        [(&tokens["rm1"], &first), (&tokens["rm2"], &second), (&"shared-secret".to_string(), &service)]
    {
        let (status, again) = post(token.clone()).await;
        assert_eq!((status, &again), (StatusCode::OK, recorded));
    }
    assert_eq!(journal.verify().await.unwrap().events, PROBE_USERS + 3);
}

async fn text_fields_refuse_nul_and_control_characters_before_the_database(url: &str) {
    let journal = journal(url).await;
    let tokens = probe_users(&journal).await;
    let state = AppState::new(common::bundled_scorer(), None, Limits::default()).with_journal(journal.clone());
    let client = decided_client();
    let (rm1, rev1, adm1) =
        (Some(tokens["rm1"].as_str()), Some(tokens["rev1"].as_str()), Some(tokens["adm1"].as_str()));
    let nul = ["holds U+0000 (NUL) at character"];
    let answer = send(&state, "POST", "/decisions", rm1, Some(json!({"client_id": client, "rm": "rm1\u{0}"}))).await;
    refused(
        answer,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_decision",
        Some("rm"),
        &["rm: holds U+0000 (NUL) at character 4"],
    );
    let (status, proposed) = send(&state, "POST", "/decisions", rm1, Some(json!({"client_id": client}))).await;
    assert_eq!(status, StatusCode::CREATED, "{proposed}");
    let other = if proposed["final_decision"] == "ACCEPTED" { "REFUSED" } else { "ACCEPTED" };
    let reason = pad::journal::OverrideReasons::shipped()
        .unwrap()
        .codes_for(if other == "ACCEPTED" { pad::domain::Decision::Accepted } else { pad::domain::Decision::Refused })
        .first()
        .map(ToString::to_string)
        .unwrap();
    let override_with = |justification: &str| json!({"client_id": client, "decision": other, "reason_code": reason, "justification": justification});
    let answer =
        send(&state, "POST", "/decisions", rm1, Some(override_with("documents checked\0 at the branch"))).await;
    refused(answer, StatusCode::UNPROCESSABLE_ENTITY, "invalid_decision", Some("justification"), &nul);
    // Line breaks are text in a justification; an escape sequence is not.
    let answer =
        send(&state, "POST", "/decisions", rm1, Some(override_with("documents checked\n\u{1b}[2J at the branch")))
            .await;
    refused(answer, StatusCode::UNPROCESSABLE_ENTITY, "invalid_decision", Some("justification"), &["U+001B"]);
    let (status, _) =
        send(&state, "POST", "/decisions", rm1, Some(override_with("documents checked\nat the branch"))).await;
    assert_eq!(status, StatusCode::CREATED);
    let id = proposed["id"].as_i64().unwrap();
    let answer = send(
        &state,
        "POST",
        &format!("/decisions/{id}/contest"),
        rm1,
        Some(json!({"statement": "I was employed \u{202E}then", "channel": "phone"})),
    )
    .await;
    refused(answer, StatusCode::UNPROCESSABLE_ENTITY, "invalid_decision", Some("statement"), &["U+202E"]);
    let contest = json!({"statement": "I was employed then.", "channel": "phone"});
    assert_eq!(
        send(&state, "POST", &format!("/decisions/{id}/contest"), rm1, Some(contest)).await.0,
        StatusCode::CREATED
    );
    let review = json!({"outcome": "upheld", "justification": "The recorded inputs are right\0."});
    let answer = send(&state, "POST", &format!("/decisions/{id}/review"), rev1, Some(review)).await;
    refused(answer, StatusCode::UNPROCESSABLE_ENTITY, "invalid_decision", Some("justification"), &nul);
    let review = json!({"outcome": "upheld", "justification": "The recorded inputs are right.",
                        "corrections": [{"field": "AMT_INCOME_TOTAL", "value": 1, "source": "pay\u{7}slip"}]});
    let answer = send(&state, "POST", &format!("/decisions/{id}/review"), rev1, Some(review)).await;
    refused(answer, StatusCode::UNPROCESSABLE_ENTITY, "invalid_decision", Some("corrections[0].source"), &["U+0007"]);
    // Filters: 422 naming the parameter, where they were 500.
    for (path, field) in [
        ("/decisions?rm=%00", "rm"),
        ("/decisions?rm=ana%1B", "rm"),
        ("/decisions?from=2026%00", "from"),
        ("/access-log?user=%00", "user"),
    ] {
        let answer = send(&state, "GET", path, adm1, None).await;
        refused(
            answer,
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_request",
            Some(field),
            &[&format!("{field}: holds U+00")],
        );
    }
    // The users, two decisions and a contest: nothing refused was written.
    assert_eq!(journal.verify().await.unwrap().events, PROBE_USERS + 3);
}

async fn scores_log_their_client_and_logged_queries_keep_no_token(url: &str) {
    let journal = journal(url).await;
    let tokens = probe_users(&journal).await;
    let state = AppState::new(common::bundled_scorer(), Some(Token::new("shared-secret")), Limits::default())
        .with_journal(journal.clone());
    let scorer = common::bundled_scorer();
    let clients: Vec<i64> = scorer.clients().unwrap().iter().take(3).map(|client| client.id).collect();
    let rm1 = Some(tokens["rm1"].as_str());
    assert_eq!(send(&state, "POST", "/predict", rm1, Some(json!({"client_id": clients[0]}))).await.0, StatusCode::OK);
    let applicant = json!({"features": {"SK_ID_CURR": 999_001, "AMT_CREDIT": 250_000.0}, "allow_incomplete": true});
    let (status, explained) = send(&state, "POST", "/explain", rm1, Some(applicant)).await;
    assert_eq!(status, StatusCode::OK, "{explained}");
    let nameless = json!({"features": {"AMT_CREDIT": 250_000.0}, "allow_incomplete": true});
    assert_eq!(send(&state, "POST", "/predict", rm1, Some(nameless)).await.0, StatusCode::OK);
    let batch = json!({"items": [{"client_id": clients[1]}, {"client_id": clients[2]}]});
    assert_eq!(send(&state, "POST", "/predict/batch", rm1, Some(batch)).await.0, StatusCode::OK);
    let (status, _) =
        send(&state, "POST", "/predict", Some("shared-secret"), Some(json!({"client_id": clients[2]}))).await;
    assert_eq!(status, StatusCode::OK);
    let query = format!("/decisions?client_id={}&token=s3cret-in-query&access_token=another&api-key=k3y", clients[0]);
    assert_eq!(send(&state, "GET", &query, rm1, None).await.0, StatusCode::OK);
    let (_, log) = send(&state, "GET", "/access-log?limit=1000", Some(&tokens["aud1"]), None).await;
    let entries: Vec<(String, String, Option<i64>)> = log["entries"]
        .as_array()
        .unwrap()
        .iter()
        .rev()
        .map(|entry| {
            (
                entry["user"].as_str().unwrap().to_string(),
                entry["action"].as_str().unwrap().to_string(),
                entry["client_id"].as_i64(),
            )
        })
        .collect();
    let expected: Vec<(String, String, Option<i64>)> = vec![
        ("rm1".into(), "POST /predict".into(), Some(clients[0])),
        ("rm1".into(), "POST /explain".into(), Some(999_001)),
        ("rm1".into(), "POST /predict".into(), None),
        ("rm1".into(), "POST /predict/batch".into(), Some(clients[1])),
        ("rm1".into(), "POST /predict/batch".into(), Some(clients[2])),
        ("service".into(), "POST /predict".into(), Some(clients[2])),
        ("rm1".into(), format!("GET /decisions?client_id={}", clients[0]), Some(clients[0])),
    ];
    assert_eq!(entries, expected, "{log}");
    assert!(!log.to_string().contains("s3cret") && !log.to_string().contains("k3y"), "{log}");
}

async fn user_names_are_normalised_and_look_alikes_refused(url: &str) {
    let journal = journal(url).await;
    for name in ["rm1", "adm1", "ana"] {
        journal.add_user(name, Role::Rm, 30).await.unwrap();
    }
    let refusal = |error: JournalError| match error {
        JournalError::Conflict(message) => message,
        other => panic!("expected a conflict, got {other:?}"),
    };
    // Upper case and full-width letters are the same names; a Cyrillic а makes a look-alike.
    let message = refusal(journal.add_user("RM1", Role::Rm, 30).await.unwrap_err());
    assert!(message.contains("a user named rm1 exists already"), "{message}");
    let message = refusal(journal.add_user("\u{ff41}\u{ff4e}\u{ff41}", Role::Rm, 30).await.unwrap_err());
    assert!(message.contains("a user named ana exists already"), "{message}");
    let message = refusal(journal.add_user("\u{430}dm1", Role::Admin, 30).await.unwrap_err());
    assert!(message.contains("\u{430}dm1 can be mistaken for the user adm1"), "{message}");
    let message = refusal(journal.add_user("rml", Role::Rm, 30).await.unwrap_err());
    assert!(message.contains("the user rm1"), "{message}");
    let message = refusal(journal.add_user("SERVICE", Role::Admin, 30).await.unwrap_err());
    assert!(message.contains("service account"), "{message}");
    let names: Vec<String> = journal.users().await.unwrap().into_iter().map(|user| user.name).collect();
    assert_eq!(names, ["adm1", "ana", "rm1"]);
    // Another name is taken, stored normalised; lookups by name normalise too.
    let (added, _) = journal.add_user("Zoé.Martin", Role::Rm, 30).await.unwrap();
    assert_eq!(added.name, "zoé.martin");
    assert_eq!(journal.revoke_user("ＡＮＡ").await.unwrap().name, "ana");
    let (renewed, token) = journal.renew_token("ZOÉ.MARTIN", 30).await.unwrap();
    assert_eq!(renewed.name, "zoé.martin");
    let signed_in = journal.authenticate(&token).await.unwrap().unwrap();
    assert_eq!(signed_in.name, "zoé.martin");
    // The access log's filter takes the name in any form.
    journal.log_access(&signed_in, "GET /clients/1", Some(1), None).await.unwrap();
    assert_eq!(journal.accesses(Some("Zoé.MARTIN"), 10).await.unwrap().len(), 1);
}

#[test]
fn one_poisoned_request_never_fails_the_honest_ones_on_postgresql() {
    const HONEST: usize = 40;
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(4).enable_all().build().unwrap();
    runtime.block_on(async {
        let url = postgres::server().fresh_database().await;
        let journal = journal(&url).await;
        // Through the API (an open server takes the names given): the NUL is refused before the
        // database, and every honest decision is recorded.
        let state = AppState::new(common::bundled_scorer(), None, Limits::default()).with_journal(journal.clone());
        let client = decided_client();
        let mut tasks = Vec::new();
        for index in 0..=HONEST {
            let rm = if index == HONEST / 2 { "rm\u{0}poison".to_string() } else { format!("rm{index}") };
            let state = state.clone();
            tasks.push(tokio::spawn(async move {
                send(&state, "POST", "/decisions", None, Some(json!({"client_id": client, "rm": rm}))).await
            }));
        }
        for (index, task) in tasks.into_iter().enumerate() {
            let (status, answer) = task.await.unwrap();
            if index == HONEST / 2 {
                assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{answer}");
                assert_eq!(answer["error"]["field"], "rm", "{answer}");
            } else {
                assert_eq!((status, answer["rm"].as_str()), (StatusCode::CREATED, Some(format!("rm{index}").as_str())));
            }
        }
        assert_eq!(journal.verify().await.unwrap().events, HONEST as u64);
        // A NUL the checks cannot see (in the served model's version, as the scorer gives it)
        // reaches PostgreSQL, which refuses the group commit it is in: the others of that
        // commit are written again one by one and recorded; only the poisoned one fails.
        for round in 0..3 {
            let mut tasks = Vec::new();
            for index in 0..=HONEST {
                let journal = journal.clone();
                let mut draft = common::proposed_draft(client, &format!("rm{index}"));
                if index == HONEST / 2 {
                    draft.model_version.push('\0');
                }
                tasks.push(tokio::spawn(async move { journal.record(&draft, None).await }));
            }
            for (index, task) in tasks.into_iter().enumerate() {
                let outcome = task.await.unwrap();
                if index == HONEST / 2 {
                    assert!(matches!(outcome, Err(JournalError::Database(_))), "round {round}: {outcome:?}");
                } else {
                    assert_eq!(outcome.unwrap().event.content.rm, format!("rm{index}"), "round {round}");
                }
            }
        }
        let verification = journal.verify().await.unwrap();
        assert_eq!((verification.events, verification.broken), (4 * HONEST as u64, None));
    });
}

#[test]
fn pad_users_add_keeps_names_normalised_and_refuses_look_alikes_naming_them() {
    let folder = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", folder.path().join("journal.sqlite").display());
    let users = |args: &[&str]| {
        let output = std::process::Command::new(env!("CARGO_BIN_EXE_pad"))
            .arg("users")
            .args(args)
            .args(["--journal", &url])
            .output()
            .unwrap();
        (
            output.status.success(),
            String::from_utf8_lossy(&output.stdout).to_string() + &String::from_utf8_lossy(&output.stderr),
        )
    };
    for name in ["rm1", "Adm1", "ana"] {
        let (added, output) = users(&["add", name, "--role", "rm"]);
        assert!(added, "{output}");
    }
    // "Adm1" was kept as adm1.
    let (_, listed) = users(&["list"]);
    assert!(listed.contains("adm1") && !listed.contains("Adm1"), "{listed}");
    for (name, names) in [
        ("RM1", "rm1 exists already"),
        ("\u{430}dm1", "the user adm1"),
        ("\u{ff41}\u{ff4e}\u{ff41}", "ana exists already"),
    ] {
        let (added, output) = users(&["add", name, "--role", "rm"]);
        assert!(!added, "{name} added: {output}");
        assert!(output.contains(names), "{name}: {output}");
    }
}
