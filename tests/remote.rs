//! The dashboard in remote mode: a `RemoteScorer` over a real server on a loopback port gives
//! the same answers as the in-process scorer, and the dashboard keeps working when the server
//! goes away, retries, and picks up again when it is back.

mod common;

use std::sync::{Arc, Mutex};

use pad::api::{AppState, Limits, Token, router};
use pad::remote::RemoteScorer;
use pad::scoring::{LocalScorer, Scorer};
use pad::tui::action::{Action, Command};
use pad::tui::app::{App, Loadable, Prediction, StatusKind};
use pad::tui::tasks::{execute, settle};
use pad::tui::theme::Theme;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use tokio::net::TcpListener;
use tokio::runtime::Runtime;

fn bundled() -> Arc<LocalScorer> {
    common::bundled_scorer()
}

/// A server on the runtime until `stop` is sent.
struct Running {
    stop: tokio::sync::oneshot::Sender<()>,
    done: tokio::task::JoinHandle<std::io::Result<()>>,
}

fn serve(runtime: &Runtime, listener: TcpListener) -> Running {
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let state = AppState::new(bundled(), Some(Token::new("t0ken")), Limits::default());
    let done = runtime.spawn(async move {
        axum::serve(listener, router(state))
            .with_graceful_shutdown(async {
                let _ = stopped.await;
            })
            .await
    });
    Running { stop, done }
}

fn screen(app: &App) -> String {
    let mut terminal = Terminal::new(TestBackend::new(app.size.0, app.size.1)).unwrap();
    terminal.draw(|frame| pad::tui::views::render(app, frame)).unwrap();
    terminal.backend().to_string()
}

/// The actions one command reports.
fn run(command: &Command, scorer: &dyn Scorer) -> Vec<Action> {
    let collected = Mutex::new(Vec::new());
    execute(command, scorer, &|action| collected.lock().unwrap().push(action));
    collected.into_inner().unwrap()
}

fn press(app: &mut App, scorer: &dyn Scorer, action: Action) -> Vec<Command> {
    let commands = app.update(action);
    settle(app, scorer, commands)
}

#[test]
fn the_dashboard_notices_that_the_server_swapped_its_model() {
    // A second model: tree 0's leaf values doubled, its card labelled with that text's version.
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(root.join("assets/model.txt")).unwrap();
    let (second, card) = common::doubled_first_tree(&text);
    let label = common::version_label;
    let folder = tempfile::tempdir().unwrap();
    std::fs::write(folder.path().join("model.txt"), &second).unwrap();
    std::fs::write(folder.path().join("model.json"), card).unwrap();
    let mut sources = common::bundled_sources();
    sources.model = folder.path().join("model.txt");
    let swapped: Arc<dyn Scorer> = Arc::new(LocalScorer::load(&sources).unwrap());
    assert_eq!(swapped.info().model_version, label(&second));

    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let listener = runtime.block_on(TcpListener::bind("127.0.0.1:0")).unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let state = AppState::new(bundled(), None, Limits::default());
    let live = pad::api::LiveRouter::new(router(state.clone()));
    runtime.spawn(pad::api::serve_connections(
        listener,
        live.clone(),
        std::time::Duration::from_secs(10),
        std::future::pending(),
    ));
    let remote = runtime.block_on(RemoteScorer::connect(&url, None)).unwrap();
    let (mut app, commands) = App::new(remote.info().clone(), remote.clients().unwrap(), Theme::MONOCHROME, (100, 30));
    settle(&mut app, &remote, commands);
    press(&mut app, &remote, Action::Predict);
    assert!(matches!(app.prediction, Prediction::Shown(_)));

    // The server swaps its model (as `pad serve --poll` does when the alias moves).
    live.replace(router(state.successor(swapped)));
    assert!(matches!(&remote.predict(400001), Err(pad::scoring::ScoringError::Rejected(message))
        if message.contains(&format!("now serves model {}", label(&second))) && message.contains(&label(&text))));
    press(&mut app, &remote, Action::MoveClient(1));
    press(&mut app, &remote, Action::Predict);
    assert!(
        matches!(&app.prediction, Prediction::Failed(_, message) if message.contains("restart the dashboard")),
        "{:?}",
        app.prediction
    );
    let status = app.status.as_ref().unwrap();
    assert_eq!(status.kind, StatusKind::Error);
    assert!(status.text.contains(&label(&second)), "{}", status.text);
}

#[test]
fn remote_answers_equal_local_ones() {
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let listener = runtime.block_on(TcpListener::bind("127.0.0.1:0")).unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let _server = serve(&runtime, listener);
    let remote = runtime.block_on(RemoteScorer::connect(&url, Some("t0ken".into()))).unwrap();
    let local = bundled();
    assert_eq!(remote.info().features, local.info().features);
    assert_eq!(remote.info().model_version, local.info().model_version);
    assert_eq!(remote.info().threshold, local.info().threshold);
    assert_eq!(remote.info().card, local.info().card);
    assert_eq!(remote.clients().unwrap(), local.clients().unwrap());
    for id in [400001, 400003, 400005, 400999] {
        assert_eq!(remote.predict(id).unwrap(), local.predict(id).unwrap());
        assert_eq!(remote.explain(id).unwrap(), local.explain(id).unwrap());
        assert_eq!(remote.client(id).unwrap(), local.client(id).unwrap());
        assert_eq!(remote.counterfactual(id).unwrap(), local.counterfactual(id).unwrap());
        // The bundled applicants come with their credit-history tables.
        let history = local.history(id).unwrap();
        assert!(history.as_ref().is_some_and(|history| history.bureau_given && history.card_given));
        assert_eq!(remote.history(id).unwrap(), history);
    }
    assert!(remote.history(12).unwrap_err().to_string().contains("12"));
    let changes = [("AMT_CREDIT".to_string(), 123_456.5)];
    assert_eq!(remote.what_if(400005, &changes).unwrap(), local.what_if(400005, &changes).unwrap());
    use pad::domain::InputValue;
    for inputs in [
        vec![("AMT_CREDIT".to_string(), InputValue::Number(250_000.0))],
        vec![("SK_ID_CURR".to_string(), InputValue::Number(400_005.0)), ("EXT_SOURCE_3".into(), InputValue::Missing)],
        vec![("SK_ID_CURR".to_string(), InputValue::Number(1e19))],
    ] {
        assert_eq!(remote.predict_inputs(&inputs).unwrap(), local.predict_inputs(&inputs).unwrap(), "{inputs:?}");
        assert_eq!(remote.explain_inputs(&inputs).unwrap(), local.explain_inputs(&inputs).unwrap(), "{inputs:?}");
    }
    let infinite = [("AMT_CREDIT".to_string(), InputValue::Number(f64::INFINITY))];
    assert!(remote.predict_inputs(&infinite).unwrap_err().to_string().contains("JSON cannot carry"));
    for feature in ["EXT_SOURCE_3", "NAME_CONTRACT_TYPE"] {
        assert_eq!(remote.distribution(feature).unwrap(), local.distribution(feature).unwrap());
    }
    let progress = Mutex::new(Vec::new());
    let portfolio = remote.portfolio(&|done, total| progress.lock().unwrap().push((done, total))).unwrap();
    assert_eq!(portfolio, local.portfolio(&|_, _| ()).unwrap());
    assert_eq!(progress.into_inner().unwrap().last(), Some(&(1, 1)));

    // Refusals from the server keep their meaning and do not mark the link as lost.
    let unknown = remote.explain(12).unwrap_err().to_string();
    assert!(unknown.contains("no client with id 12"), "{unknown}");
    let refused = remote.what_if(400005, &[("EXT_SOURCE_3".into(), 0.9)]).unwrap_err();
    assert!(
        matches!(&refused, pad::scoring::ScoringError::InvalidChange { feature, .. } if feature == "EXT_SOURCE_3"),
        "{refused}"
    );
    assert_eq!(remote.link().unwrap().failure, None);
    assert!(remote.link().unwrap().last_latency.is_some());

    let wrong_token = runtime.block_on(RemoteScorer::connect(&url, Some("nope".into()))).unwrap_err().to_string();
    assert!(wrong_token.contains("refused the token"), "{wrong_token}");
}

#[test]
fn the_dashboard_survives_losing_the_server_and_picks_up_when_it_is_back() {
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let listener = runtime.block_on(TcpListener::bind("127.0.0.1:0")).unwrap();
    let address = listener.local_addr().unwrap();
    let server = serve(&runtime, listener);
    let remote = runtime.block_on(RemoteScorer::connect(&format!("http://{address}"), Some("t0ken".into()))).unwrap();

    let (mut app, commands) = App::new(remote.info().clone(), remote.clients().unwrap(), Theme::MONOCHROME, (100, 30));
    let waiting = settle(&mut app, &remote, commands);
    assert!(waiting.is_empty());
    assert!(matches!(app.record, Some((400001, Loadable::Ready(_)))));
    assert!(matches!(app.portfolio, Loadable::Ready(_)));
    press(&mut app, &remote, Action::Predict);
    match &app.prediction {
        Prediction::Shown(explanation) => assert_eq!(**explanation, bundled().explain(400001).unwrap()),
        other => panic!("{other:?}"),
    }
    let drawn = screen(&app);
    assert!(drawn.contains(&address.to_string()), "the title names the server:\n{drawn}");
    let status_line = drawn.lines().nth(29).unwrap();
    assert!(status_line.contains(&format!("{address} ")) && status_line.contains(" ms"), "{status_line}");

    // The server stops mid-session.
    server.stop.send(()).unwrap();
    runtime.block_on(server.done).unwrap().unwrap();
    let waiting = press(&mut app, &remote, Action::MoveClient(1));
    assert_eq!(waiting, vec![Command::Reconnect(0)], "a lost server starts the reconnection");
    assert!(matches!(&app.record, Some((400002, Loadable::Failed(message))) if message.contains(&address.to_string())));
    assert_eq!(app.status.as_ref().unwrap().kind, StatusKind::Error);
    let link = app.link.clone().unwrap();
    assert!(link.failure.is_some() && link.attempt == Some(0));
    let drawn = screen(&app);
    assert!(drawn.lines().nth(29).unwrap().contains("unreachable, retry 1"), "{drawn}");

    // The dashboard keeps working on what it has: the list, the portfolio, moving around.
    press(&mut app, &remote, Action::MoveClient(-1));
    assert_eq!(app.selected_client().unwrap().id, 400001);
    press(&mut app, &remote, Action::ShowTab(pad::tui::app::Tab::Portfolio));
    assert!(matches!(app.portfolio, Loadable::Ready(_)));
    press(&mut app, &remote, Action::Predict);
    assert!(matches!(&app.prediction, Prediction::Failed(400001, _)));
    assert!(!screen(&app).is_empty());

    // An attempt while the server is still away schedules the next, later one.
    let next: Vec<Command> =
        run(&Command::Reconnect(0), &remote).into_iter().flat_map(|action| app.update(action)).collect();
    assert_eq!(next, vec![Command::Reconnect(1)]);
    assert!(app.link.as_ref().unwrap().failure.is_some());
    assert!(pad::tui::app::reconnect_delay(1) > pad::tui::app::reconnect_delay(0));
    assert_eq!(pad::tui::app::reconnect_delay(20), std::time::Duration::from_secs(30));

    // The server is back on the same address: the next attempt reloads what failed.
    let listener = runtime.block_on(TcpListener::bind(address)).unwrap();
    let _server = serve(&runtime, listener);
    let commands: Vec<Command> =
        run(&Command::Reconnect(1), &remote).into_iter().flat_map(|action| app.update(action)).collect();
    assert_eq!(commands, vec![Command::LoadClient(400001)], "the client that failed is loaded again");
    assert!(app.status.as_ref().unwrap().text.contains("answers again"));
    assert!(settle(&mut app, &remote, commands).is_empty());
    assert!(matches!(app.record, Some((400001, Loadable::Ready(_)))));
    assert_eq!(app.link.as_ref().unwrap().failure, None);
    press(&mut app, &remote, Action::Predict);
    assert!(matches!(app.prediction, Prediction::Shown(_)));
}

#[test]
fn an_older_link_report_does_not_undo_a_newer_one() {
    let local = bundled();
    let (mut app, _) = App::new(local.info().clone(), local.clients().unwrap(), Theme::MONOCHROME, (100, 30));
    let link = |finished, failure: Option<&str>| pad::scoring::Link {
        server: "http://127.0.0.1:8000".into(),
        last_latency: Some(std::time::Duration::from_millis(2)),
        failure: failure.map(Into::into),
        finished,
    };
    assert!(app.update(Action::Linked(link(5, None))).is_empty());
    // A report taken before the newest answer arrives late: it changes nothing.
    assert!(app.update(Action::Linked(link(4, Some("cannot be reached")))).is_empty());
    assert_eq!(app.link.as_ref().unwrap().failure, None);
    assert_eq!(app.update(Action::Linked(link(6, Some("cannot be reached")))), vec![Command::Reconnect(0)]);
    // Further failures while the reconnection is under way start no other one.
    assert!(app.update(Action::Linked(link(7, Some("cannot be reached")))).is_empty());
}
