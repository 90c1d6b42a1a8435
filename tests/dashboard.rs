//! The dashboard without a terminal: `App` driven by actions, background work run in line,
//! and whole screens drawn on a `TestBackend` for snapshots at 80×24 and 140×40.

mod common;

use std::path::Path;
use std::sync::OnceLock;

use pad::domain::{ClientRecord, ClientSummary, Decision, Distribution, Explanation, Portfolio, Score};
use pad::scoring::{LocalScorer, LocalSources, Scorer, ScorerInfo, ScoringError};
use pad::tui::action::{Action, Command};
use pad::tui::app::{App, Focus, Loadable, Mode, Prediction, StatusKind, Tab};
use pad::tui::keymap::binds::Bind;
use pad::tui::overlay::Input;
use pad::tui::overlays::Kind;
use pad::tui::tasks::settle;
use pad::tui::theme::Theme;
use pad::tui::views;
use ratatui::Terminal;
use ratatui::backend::TestBackend;

/// The bundled data and model, loaded once for all tests.
fn bundled() -> &'static LocalScorer {
    static SCORER: OnceLock<LocalScorer> = OnceLock::new();
    SCORER.get_or_init(|| {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let sources = LocalSources {
            model: root.join("assets/model.txt"),
            applicants: root.join("data/applicants.csv"),
            history: root.join("data/history.parquet"),
            threshold: None,
            applicant_tables: pad::config::bundled_tables(pad::config::BUNDLED_APPLICANT_TABLES),
            history_tables: pad::config::bundled_tables(pad::config::BUNDLED_HISTORY_TABLES),
        };
        LocalScorer::load(&sources).unwrap_or_else(|error| panic!("{error}"))
    })
}

/// Applies actions one by one, running their work in line.
fn press(app: &mut App, scorer: &dyn Scorer, actions: impl IntoIterator<Item = Action>) {
    for action in actions {
        let commands = app.update(action);
        settle(app, scorer, commands);
    }
}

/// A dashboard over the bundled data with all startup work done.
fn dashboard(width: u16, height: u16) -> App {
    let scorer = bundled();
    let clients = scorer.clients().unwrap();
    let (mut app, commands) = App::new(scorer.info().clone(), clients, Theme::MONOCHROME, (width, height));
    settle(&mut app, scorer, commands);
    app
}

fn selected_id(app: &App) -> i64 {
    app.selected_client().map(|client| client.id).unwrap()
}

fn screen(app: &App) -> String {
    let mut terminal = Terminal::new(TestBackend::new(app.size.0, app.size.1)).unwrap();
    terminal.draw(|frame| views::render(app, frame)).unwrap();
    terminal.backend().to_string()
}

#[test]
fn down_twice_and_predict_shows_the_third_clients_decision() {
    let scorer = bundled();
    let mut app = dashboard(140, 40);
    assert_eq!(selected_id(&app), 400001);
    assert!(app.selected_record().is_some(), "the first client's fields load at start");
    press(&mut app, scorer, [Action::MoveClient(1), Action::MoveClient(1), Action::Predict]);
    assert_eq!(selected_id(&app), 400003);
    let explanation = app.shown_explanation().expect("a decision after Predict");
    // The same probability as scoring without TreeSHAP (the `pad predict` path).
    let score = scorer.predict(400003).unwrap();
    assert_eq!(explanation.score.client_id, 400003);
    assert!((explanation.score.probability - score.probability).abs() < 1e-12);
    assert_eq!(explanation.score.decision, score.decision);
    // The contributions in points add up to the move from the average client.
    let total: f64 = explanation.points.iter().sum();
    assert!((total - (explanation.score.probability - explanation.base_probability)).abs() < 1e-12);
}

#[test]
fn moving_to_another_client_hides_the_decision_and_ignores_late_results() {
    let scorer = bundled();
    let mut app = dashboard(140, 40);
    press(&mut app, scorer, [Action::Predict]);
    assert!(matches!(app.prediction, Prediction::Shown(_)));
    // Predict again for the same client: nothing to do.
    assert!(app.update(Action::Predict).is_empty());
    // Ask for client 2, but move on before the answer arrives.
    press(&mut app, scorer, [Action::MoveClient(1)]);
    assert_eq!(app.prediction, Prediction::Hidden);
    let commands = app.update(Action::Predict);
    assert_eq!(commands, vec![Command::Explain(400002)]);
    press(&mut app, scorer, [Action::MoveClient(1)]);
    let late = scorer.explain(400002).unwrap();
    app.update(Action::Explained(400002, Ok(late)));
    assert_eq!(app.prediction, Prediction::Hidden, "an answer for a client no longer selected is dropped");
    // A late field load for another client is dropped too.
    let record = scorer.client(400002).unwrap();
    app.update(Action::ClientLoaded(400002, Ok(record)));
    assert_eq!(app.selected_record().map(|record| record.id), Some(400003));
}

#[test]
fn search_filters_by_id_and_summary_and_keeps_the_selection() {
    let scorer = bundled();
    let mut app = dashboard(80, 24);
    press(&mut app, scorer, [Action::StartSearch]);
    assert_eq!(app.mode(), Mode::Search);
    press(&mut app, scorer, "400012".chars().map(Action::SearchInput));
    assert_eq!(app.visible.len(), 1);
    assert_eq!(selected_id(&app), 400012);
    assert!(app.selected_record().is_some_and(|record| record.id == 400012));
    press(&mut app, scorer, [Action::SearchConfirm]);
    assert_eq!(app.mode(), Mode::Normal);
    // Clearing keeps the client selected, now within the whole list.
    press(&mut app, scorer, [Action::SearchCancel]);
    assert_eq!(app.visible.len(), 1000);
    assert_eq!(selected_id(&app), 400012);
    // Words match summary fields, all of them.
    press(&mut app, scorer, [Action::StartSearch]);
    press(&mut app, scorer, "revolving".chars().map(Action::SearchInput));
    let revolving =
        scorer.clients().unwrap().iter().filter(|c| c.contract_type.as_deref() == Some("Revolving loans")).count();
    assert!(revolving > 0);
    assert_eq!(app.visible.len(), revolving);
    assert!(app.visible.iter().all(|&i| app.clients[i].contract_type.as_deref() == Some("Revolving loans")));
    // Nothing matches: no client is selected and Predict says why.
    press(&mut app, scorer, "zzz".chars().map(Action::SearchInput));
    assert!(app.visible.is_empty());
    assert!(app.selected_client().is_none());
    assert!(app.update(Action::Predict).is_empty());
    assert_eq!(app.status.as_ref().map(|status| status.kind), Some(StatusKind::Error));
    assert!(screen(&app).contains("No client matches the search."));
}

#[test]
fn tabs_cycle_and_compare_loads_its_distribution() {
    let scorer = bundled();
    let mut app = dashboard(140, 40);
    assert_eq!(app.tab, Tab::Decision);
    // Round the end: the last tab (Journal), then Fairness and Credit history before it.
    app.update(Action::PreviousTab);
    assert_eq!(app.tab, Tab::Journal);
    assert_eq!(app.update(Action::PreviousTab), vec![Command::LoadFairness]);
    assert_eq!(app.tab, Tab::Fairness);
    // Credit history asks for the selected client's records.
    let id = app.selected_client().map(|client| client.id).unwrap();
    assert_eq!(app.update(Action::PreviousTab), vec![Command::LoadHistory(id)]);
    assert_eq!(app.tab, Tab::CreditHistory);
    assert_eq!(app.update(Action::PreviousTab), vec![Command::LoadDrift]);
    assert_eq!(app.tab, Tab::Drift);
    for _ in 0..4 {
        app.update(Action::NextTab);
    }
    assert_eq!(app.tab, Tab::Decision);
    let commands = app.update(Action::ShowTab(Tab::Compare));
    let feature = app.compared_feature().map(|idx| app.info.features[idx].name.clone()).unwrap();
    assert_eq!(commands, vec![Command::LoadDistribution(feature.clone())]);
    // The portfolio arrived at start, so Compare opens on the most important feature.
    let portfolio = app.portfolio.ready().unwrap();
    let most = (0..portfolio.mean_abs_points.len())
        .max_by(|&a, &b| portfolio.mean_abs_points[a].total_cmp(&portfolio.mean_abs_points[b]))
        .unwrap();
    assert_eq!(app.compared_feature(), Some(most));
    settle(&mut app, scorer, commands);
    let Some(Loadable::Ready(distribution)) = app.tabs.compare.distributions.get(&feature) else {
        panic!("no distribution")
    };
    // Every reference client is counted once: in a bin or as missing.
    let counted: u64 = distribution.repaid.iter().chain(&distribution.defaulted).sum::<u64>()
        + distribution.missing.0
        + distribution.missing.1;
    assert_eq!(counted as usize, app.info.reference_clients);
    // Enter on a waterfall row opens that feature in Compare.
    press(
        &mut app,
        scorer,
        [Action::ShowTab(Tab::Decision), Action::Predict, Action::FocusPanel, Action::MoveCursor(1)],
    );
    let explanation = app.shown_explanation().unwrap().clone();
    let second = pad::tui::tabs::decision::waterfall(&explanation, 10).top[1];
    press(&mut app, scorer, [Action::CompareCursor]);
    assert_eq!(app.tab, Tab::Compare);
    assert_eq!(app.compared_feature(), Some(second));
}

#[test]
fn clicks_select_clients_switch_tabs_and_press_predict() {
    let scorer = bundled();
    let mut app = dashboard(80, 24);
    let screen_parts = app.screen().unwrap();
    // The third row of the list.
    press(&mut app, scorer, [Action::Click(screen_parts.list_rows.x + 2, screen_parts.list_rows.y + 2)]);
    assert_eq!(selected_id(&app), 400003);
    // At 80 columns the tab bar shows number keys: the second tab's title is "2".
    let (tab, x, width) = pad::tui::tabs::tab_positions(screen_parts.tabs, app.tab)[1];
    press(&mut app, scorer, [Action::Click(x + width - 1, screen_parts.tabs.y)]);
    assert_eq!(app.tab, tab);
    press(&mut app, scorer, [Action::ShowTab(Tab::Decision)]);
    let button = pad::tui::tabs::decision::layout(screen_parts.content).button;
    press(&mut app, scorer, [Action::Click(button.x + 1, button.y)]);
    assert!(app.shown_explanation().is_some_and(|explanation| explanation.score.client_id == 400003));
    // The wheel over the list moves the selection, which hides the decision.
    press(&mut app, scorer, [Action::Wheel(screen_parts.list.x + 1, screen_parts.list.y + 3, 1)]);
    assert_eq!(selected_id(&app), 400004);
    assert_eq!(app.prediction, Prediction::Hidden);
    // A click beyond the last client does nothing.
    press(&mut app, scorer, [Action::StartSearch]);
    press(&mut app, scorer, "400004".chars().map(Action::SearchInput));
    press(
        &mut app,
        scorer,
        [Action::SearchConfirm, Action::Click(screen_parts.list_rows.x, screen_parts.list_rows.y + 5)],
    );
    assert_eq!(selected_id(&app), 400004);
}

#[test]
fn paging_and_the_list_scrolls_with_the_selection() {
    let scorer = bundled();
    let mut app = dashboard(80, 24);
    let rows = app.screen().unwrap().list_rows.height as usize;
    press(&mut app, scorer, [Action::PageClient(1)]);
    assert_eq!(app.selected, rows);
    assert!(app.list_offset <= app.selected && app.selected < app.list_offset + rows);
    press(&mut app, scorer, [Action::LastClient]);
    assert_eq!(app.selected, 999);
    assert_eq!(app.list_offset, 1000 - rows);
    press(&mut app, scorer, [Action::FirstClient]);
    assert_eq!((app.selected, app.list_offset), (0, 0));
    press(&mut app, scorer, [Action::MoveClient(-1)]);
    assert_eq!(app.selected, 0, "moving above the first client stays there");
}

/// A scorer whose every call fails, as a lost server would.
struct Failing(ScorerInfo);

impl Scorer for Failing {
    fn info(&self) -> &ScorerInfo {
        &self.0
    }
    fn clients(&self) -> Result<Vec<ClientSummary>, ScoringError> {
        Err(ScoringError::Remote("the server does not answer".into()))
    }
    fn client(&self, _: i64) -> Result<ClientRecord, ScoringError> {
        Err(ScoringError::Remote("the server does not answer".into()))
    }
    fn predict(&self, _: i64) -> Result<Score, ScoringError> {
        Err(ScoringError::Remote("the server does not answer".into()))
    }
    fn explain(&self, id: i64) -> Result<Explanation, ScoringError> {
        Err(ScoringError::UnknownClient(id))
    }
    fn distribution(&self, feature: &str) -> Result<Distribution, ScoringError> {
        Err(ScoringError::UnknownFeature(feature.into()))
    }
    fn portfolio(&self, _: &(dyn Fn(usize, usize) + Sync)) -> Result<Portfolio, ScoringError> {
        Err(ScoringError::Remote("the server does not answer".into()))
    }
    fn drift(&self) -> Result<pad::drift::DriftReport, ScoringError> {
        Err(ScoringError::Remote("the server does not answer".into()))
    }
    fn fairness(&self) -> Result<pad::fairness::FairnessReport, ScoringError> {
        Err(ScoringError::Remote("the server does not answer".into()))
    }
    fn counterfactual(&self, _: i64) -> Result<pad::domain::Counterfactual, ScoringError> {
        Err(ScoringError::Remote("the server does not answer".into()))
    }
    fn what_if(&self, _: i64, _: &[(String, f64)]) -> Result<Explanation, ScoringError> {
        Err(ScoringError::Remote("the server does not answer".into()))
    }
    fn predict_inputs(&self, _: &pad::domain::FeatureInputs) -> Result<Score, ScoringError> {
        Err(ScoringError::Remote("the server does not answer".into()))
    }
    fn explain_inputs(&self, _: &pad::domain::FeatureInputs) -> Result<Explanation, ScoringError> {
        Err(ScoringError::Remote("the server does not answer".into()))
    }
}

#[test]
fn errors_from_background_work_reach_the_status_bar_and_the_app_keeps_going() {
    let failing = Failing(bundled().info().clone());
    let clients = bundled().clients().unwrap();
    let (mut app, commands) = App::new(failing.info().clone(), clients, Theme::MONOCHROME, (80, 24));
    settle(&mut app, &failing, commands);
    assert!(matches!(app.portfolio, Loadable::Failed(_)));
    assert!(matches!(app.record, Some((400001, Loadable::Failed(_)))));
    press(&mut app, &failing, [Action::Predict]);
    assert!(
        matches!(&app.prediction, Prediction::Failed(400001, message) if message.contains("no client with id 400001"))
    );
    let status = app.status.clone().unwrap();
    assert_eq!(status.kind, StatusKind::Error);
    assert!(status.text.contains("client 400001"), "{}", status.text);
    let drawn = screen(&app);
    assert!(drawn.contains("error: client 400001: no client with id 400001"), "{drawn}");
    // Still usable: moving on works, and a successful load replaces the failure.
    press(&mut app, &failing, [Action::MoveClient(1)]);
    assert_eq!(selected_id(&app), 400002);
    let record = bundled().client(400002).unwrap();
    app.update(Action::ClientLoaded(400002, Ok(record)));
    assert!(app.selected_record().is_some());
    press(&mut app, &failing, [Action::ShowTab(Tab::Compare)]);
    let feature = app.compared_feature().map(|idx| app.info.features[idx].name.clone()).unwrap();
    assert!(matches!(app.tabs.compare.distributions.get(&feature), Some(Loadable::Failed(_))));
    assert!(!app.should_quit);
}

#[test]
fn help_overlay_focus_and_quit() {
    let scorer = bundled();
    let mut app = dashboard(80, 24);
    press(&mut app, scorer, [Action::Open(Kind::Help)]);
    assert_eq!(app.mode(), Mode::Help);
    assert!(screen(&app).contains("previous / next client"));
    // The explanation of the numbers is further down: scrolling reaches it before the end.
    let max = pad::tui::overlays::help::max_scroll(&app.context());
    let reached = (0..max).any(|_| {
        press(&mut app, scorer, [Action::Overlay(Input::Scroll(1))]);
        screen(&app).contains("percentage points")
    });
    assert!(reached, "{}", screen(&app));
    // Scrolling stops at the last line, and comes back to the top.
    press(&mut app, scorer, [Action::Overlay(Input::Scroll(1000))]);
    assert_eq!(app.overlays.help().unwrap().scroll, pad::tui::overlays::help::max_scroll(&app.context()));
    assert!(screen(&app).contains("longer)."), "{}", screen(&app));
    press(&mut app, scorer, [Action::Overlay(Input::Scroll(-1))]);
    assert!(screen(&app).contains("longer)."), "one line up still shows the end: {}", screen(&app));
    press(&mut app, scorer, [Action::Overlay(Input::Scroll(-1000))]);
    assert_eq!(app.overlays.help().unwrap().scroll, 0);
    press(&mut app, scorer, [Action::Back]);
    assert_eq!(app.mode(), Mode::Normal);
    press(&mut app, scorer, [Action::FocusPanel]);
    assert_eq!(app.focus, Focus::Panel);
    press(&mut app, scorer, [Action::Back]);
    assert_eq!(app.focus, Focus::Clients);
    press(&mut app, scorer, [Action::Resize(60, 20)]);
    assert!(screen(&app).contains("Terminal too small"));
    press(&mut app, scorer, [Action::Resize(80, 24), Action::Quit]);
    assert!(app.should_quit);
}

/// The decision for a client, drawn.
fn predicted(width: u16, height: u16, id: i64) -> App {
    let scorer = bundled();
    let mut app = dashboard(width, height);
    let position = app.clients.iter().position(|client| client.id == id).unwrap();
    press(&mut app, scorer, [Action::MoveClient(position as isize), Action::Predict]);
    app
}

#[test]
fn the_accepted_and_refused_clients_are_what_the_snapshots_say() {
    // The snapshots below show 400003 accepted and 400005 refused; check it independently.
    let scorer = bundled();
    assert_eq!(scorer.predict(400003).unwrap().decision, Decision::Accepted);
    assert_eq!(scorer.predict(400005).unwrap().decision, Decision::Refused);
}

#[test]
fn snapshots() {
    let scorer = bundled();
    for (width, height) in [(80, 24), (140, 40)] {
        let name = |what: &str| format!("{what}_{width}x{height}");
        let app = dashboard(width, height);
        insta::assert_snapshot!(name("decision_hidden"), screen(&app));
        insta::assert_snapshot!(name("decision_accepted"), screen(&predicted(width, height, 400003)));
        let mut app = predicted(width, height, 400005);
        insta::assert_snapshot!(name("decision_refused"), screen(&app));
        for tab in [Tab::ClientData, Tab::Compare, Tab::Portfolio, Tab::Model, Tab::Drift] {
            press(&mut app, scorer, [Action::ShowTab(tab)]);
            insta::assert_snapshot!(name(&format!("{tab:?}").to_lowercase()), screen(&app));
        }
        press(&mut app, scorer, [Action::Open(Kind::Help)]);
        insta::assert_snapshot!(name("help"), screen(&app));
    }
    let mut app = dashboard(80, 24);
    app.update(Action::Resize(70, 20));
    insta::assert_snapshot!("too_small_70x20", screen(&app));
}

#[test]
fn customer_view_snapshots_in_both_languages() {
    let scorer = bundled();
    for (width, height) in [(80, 24), (140, 40)] {
        for id in [400003, 400005] {
            let mut app = predicted(width, height, id);
            press(&mut app, scorer, [Action::Open(Kind::Customer)]);
            assert_eq!(app.mode(), Mode::Customer);
            insta::assert_snapshot!(format!("customer_{id}_en_{width}x{height}"), screen(&app));
            press(&mut app, scorer, [Action::Overlay(Input::Key(Bind::CustomerLanguage))]);
            insta::assert_snapshot!(format!("customer_{id}_fr_{width}x{height}"), screen(&app));
            press(&mut app, scorer, [Action::Back]);
            assert_eq!(app.mode(), Mode::Normal);
        }
    }
}

#[test]
fn the_customer_view_shows_no_other_client_and_no_feature_code() {
    let scorer = bundled();
    for id in [400003, 400005] {
        let mut app = predicted(140, 40, id);
        press(&mut app, scorer, [Action::Open(Kind::Customer)]);
        for _ in 0..2 {
            let text = screen(&app);
            assert!(text.contains(&id.to_string()), "{text}");
            for client in &app.clients {
                if client.id != id {
                    assert!(!text.contains(&client.id.to_string()), "client {} on {id}'s screen:\n{text}", client.id);
                }
            }
            for feature in &app.info.features {
                assert!(!text.contains(&feature.name), "the code {} on the customer's screen:\n{text}", feature.name);
            }
            // The reasons given are the explanation's own.
            let explanation = app.shown_explanation().unwrap();
            let first = explanation.reasons.first().map(|reason| reason.text.get(app.language).to_string());
            let words: Vec<&str> = first.as_deref().unwrap_or("").split_whitespace().take(4).collect();
            assert!(text.contains(&words.join(" ")), "{words:?} not in\n{text}");
            press(&mut app, scorer, [Action::Overlay(Input::Key(Bind::CustomerLanguage))]);
        }
    }
}

#[test]
fn customer_view_needs_a_decision_and_closes_on_a_new_client() {
    let scorer = bundled();
    let mut app = dashboard(80, 24);
    press(&mut app, scorer, [Action::Open(Kind::Customer)]);
    assert_eq!(app.mode(), Mode::Normal);
    assert!(app.status.as_ref().is_some_and(|status| status.text.contains("predict first")));
    press(&mut app, scorer, [Action::Predict, Action::Open(Kind::Customer)]);
    assert_eq!(app.mode(), Mode::Customer);
    // q in the customer view goes back instead of quitting.
    let q = crossterm::event::KeyEvent::new(crossterm::event::KeyCode::Char('q'), crossterm::event::KeyModifiers::NONE);
    let action = pad::tui::keymap::actions::key_action(&app.keymap, app.scope(), q).unwrap();
    press(&mut app, scorer, [action]);
    assert!(!app.should_quit);
    assert_eq!(app.mode(), Mode::Normal);
}

#[test]
fn what_if_form_validates_scores_at_once_and_resets() {
    let scorer = bundled();
    let mut app = predicted(140, 40, 400005);
    press(&mut app, scorer, [Action::Open(Kind::WhatIf)]);
    assert_eq!(app.mode(), Mode::WhatIf);
    let form = app.overlays.what_if().cloned().unwrap();
    let labels: Vec<&str> =
        form.fields.iter().map(|field| app.info.features[field.feature_idx].name.as_str()).collect();
    assert_eq!(labels, ["AMT_CREDIT", "AMT_ANNUITY", "AMT_GOODS_PRICE"]);
    // Opening scores the client's own values: the same probability as Predict.
    let own = app.shown_explanation().unwrap().score.probability;
    let baseline = form.baseline.as_ref().map(|baseline| baseline.score.probability);
    assert_eq!(baseline, Some(own));
    insta::assert_snapshot!("what_if_opened_140x40", screen(&app));
    // Clear the amount and type a tenth of it.
    let credit = form.fields[0].original;
    let typed = format!("{:.0}", credit / 10.0);
    press(
        &mut app,
        scorer,
        std::iter::repeat_n(Action::Overlay(Input::Key(Bind::DeleteChar)), form.fields[0].text.len()),
    );
    let message = app.overlays.what_if().and_then(|form| form.message.clone()).unwrap();
    assert!(message.contains("type an amount"), "{message}");
    press(&mut app, scorer, typed.chars().map(|character| Action::Overlay(Input::Text(character))));
    let form = app.overlays.what_if().cloned().unwrap();
    assert_eq!(form.message, None);
    let result = form.result.as_ref().and_then(|result| result.ready()).unwrap();
    let direct = scorer.what_if(
        400005,
        &[
            ("AMT_CREDIT".into(), typed.parse().unwrap()),
            ("AMT_ANNUITY".into(), form.fields[1].original),
            ("AMT_GOODS_PRICE".into(), form.fields[2].original),
        ],
    );
    assert_eq!(result.score.probability, direct.unwrap().score.probability);
    assert_ne!(result.score.probability, own);
    insta::assert_snapshot!("what_if_edited_140x40", screen(&app));
    // A letter is refused with a message naming the field, and nothing is scored.
    press(&mut app, scorer, [Action::Overlay(Input::Text('x'))]);
    let message = app.overlays.what_if().and_then(|form| form.message.clone()).unwrap();
    assert!(message.starts_with("Amount borrowed") && message.contains("not an amount"), "{message}");
    // r puts the client's own values back; the loaded data never changed.
    press(&mut app, scorer, [Action::Overlay(Input::Key(Bind::WhatIfReset))]);
    let form = app.overlays.what_if().cloned().unwrap();
    assert_eq!(form.result.as_ref().and_then(|result| result.ready()).map(|e| e.score.probability), Some(own));
    assert_eq!(scorer.predict(400005).unwrap().probability, own);
    press(&mut app, scorer, [Action::Back]);
    assert_eq!((app.mode(), app.overlays.what_if().is_none()), (Mode::Normal, true));
}

#[test]
fn what_if_keeps_amounts_with_cents_exact() {
    // Client 400002's annual repayment has cents: opening the form and changing nothing must
    // score the client's own data, not rounded amounts.
    let scorer = bundled();
    let mut app = dashboard(140, 40);
    press(&mut app, scorer, [Action::MoveClient(1), Action::Open(Kind::WhatIf)]);
    assert_eq!(app.selected_client().map(|client| client.id), Some(400002));
    let form = app.overlays.what_if().cloned().unwrap();
    let annuity = form.fields.iter().find(|field| app.info.features[field.feature_idx].name == "AMT_ANNUITY").unwrap();
    assert_ne!(annuity.original.fract(), 0.0, "the test needs an amount with cents");
    assert_eq!(annuity.text.parse::<f64>().unwrap(), annuity.original);
    let own = scorer.explain(400002).unwrap();
    let result = form.result.as_ref().and_then(|result| result.ready()).unwrap();
    assert_eq!(result.score.probability, own.score.probability);
    assert_eq!(form.baseline.as_ref().map(|baseline| baseline.score.probability), Some(own.score.probability));
    // Reset after an edit comes back to the exact amounts too.
    press(&mut app, scorer, [Action::Overlay(Input::Text('9')), Action::Overlay(Input::Key(Bind::WhatIfReset))]);
    let form = app.overlays.what_if().cloned().unwrap();
    let result = form.result.as_ref().and_then(|result| result.ready()).unwrap();
    assert_eq!(result.score.probability, own.score.probability);
}

#[test]
fn export_writes_the_sheet_where_the_status_bar_says() {
    let scorer = bundled();
    let folder = tempfile::tempdir().unwrap();
    let mut app = predicted(80, 24, 400005);
    app.export_dir = folder.path().join("sheets");
    press(
        &mut app,
        scorer,
        [
            Action::Open(Kind::Customer),
            Action::Overlay(Input::Key(Bind::CustomerLanguage)),
            Action::Back,
            Action::Export,
        ],
    );
    let status = app.status.clone().unwrap();
    assert!(status.text.starts_with("exported "), "{status:?}");
    let written: Vec<_> = std::fs::read_dir(folder.path().join("sheets")).unwrap().map(|e| e.unwrap().path()).collect();
    assert_eq!(written.len(), 2, "{written:?}");
    for path in &written {
        assert!(status.text.contains(&path.display().to_string()), "{status:?} does not name {}", path.display());
        assert!(path.file_name().unwrap().to_string_lossy().starts_with("client-400005-fr-"));
    }
    let markdown = written.iter().find(|path| path.extension().is_some_and(|e| e == "md")).unwrap();
    assert!(std::fs::read_to_string(markdown).unwrap().contains("Votre demande est refusée."));
    // Into a folder that cannot be made: an error in the status bar, and the app goes on.
    let blocker = folder.path().join("file");
    std::fs::write(&blocker, "x").unwrap();
    app.export_dir = blocker.join("below");
    press(&mut app, scorer, [Action::Export]);
    let status = app.status.clone().unwrap();
    assert_eq!(status.kind, StatusKind::Error);
    assert!(status.text.contains("cannot write") && status.text.contains("below"), "{status:?}");
}

#[test]
fn with_terminal_images_the_customer_chart_is_drawn_off_the_ui_task_once() {
    let scorer = bundled();
    let mut app = predicted(140, 40, 400005);
    // A terminal with images and 10 × 20-pixel cells.
    app.chart_pixels = Some((10, 20));
    let commands = app.update(Action::Open(Kind::Customer));
    let requested: Vec<_> = commands
        .iter()
        .filter_map(|command| match command {
            Command::RenderChart(_, key, pixels) => Some((key.clone(), *pixels)),
            _ => None,
        })
        .collect();
    assert_eq!(requested.len(), 1, "{commands:?}");
    let (key, (width, height)) = requested[0].clone();
    assert_eq!((key.client_id, key.language), (400005, pad::domain::format::Language::En));
    assert_eq!((width, height), (u32::from(key.columns) * 10, u32::from(key.rows) * 20));
    settle(&mut app, scorer, commands);
    let (shown, image) = app.chart_image.clone().unwrap();
    assert_eq!(shown, key);
    assert_eq!(image.dimensions(), (width, height));
    let drawn = image.pixels().filter(|pixel| pixel.0 != [255, 255, 255]).count();
    assert!(drawn as f64 > 0.03 * f64::from(width * height), "a blank chart");
    // Nothing more is asked while the image is current; a new language asks for a new one.
    assert!(app.update(Action::Overlay(Input::Scroll(0))).is_empty());
    let commands = app.update(Action::Overlay(Input::Key(Bind::CustomerLanguage)));
    assert!(
        commands.iter().any(|command| matches!(command, Command::RenderChart(_, key, _) if key.language == pad::domain::format::Language::Fr)),
        "{commands:?}"
    );
    settle(&mut app, scorer, commands);
    // Drawn through ratatui-image (half blocks draw into any buffer): the image replaces the
    // text chart, whose lines are gone.
    let mut graphics = pad::tui::graphics::Graphics::with_picker(ratatui_image::picker::Picker::halfblocks());
    let mut terminal = Terminal::new(TestBackend::new(140, 40)).unwrap();
    terminal
        .draw(|frame| {
            views::render(&app, frame);
            graphics.render(&app, frame);
        })
        .unwrap();
    let text = terminal.backend().to_string();
    assert!(!text.contains("Demandeur moyen"), "the text chart is still drawn:\n{text}");
    assert!(text.contains("Les principales raisons"), "{text}");
    let (_, area) = views::customer_chart(&app).unwrap();
    let buffer = terminal.backend().buffer();
    let blocks = (area.top()..area.bottom())
        .flat_map(|y| (area.left()..area.right()).map(move |x| (x, y)))
        .filter(|&(x, y)| buffer[(x, y)].symbol() != " ")
        .count();
    assert!(blocks > usize::from(area.width), "the image area is nearly empty: {blocks} cells");
    // Back on the dashboard, the image has no place on screen and is not drawn.
    press(&mut app, scorer, [Action::Back]);
    assert!(views::customer_chart(&app).is_none());
    terminal
        .draw(|frame| {
            views::render(&app, frame);
            graphics.render(&app, frame);
        })
        .unwrap();
    assert!(terminal.backend().to_string().contains("Clients 1000"));
}

#[test]
fn a_chart_too_small_to_read_as_an_image_stays_text() {
    // 100 × 30 with 7 × 15-pixel cells (xterm's default font): the chart gets 7 rows below the
    // text, about 105 pixels, too few for the image's title, legend and bars. Client 400007
    // is refused and offered a smaller loan, whose sentence takes its rows above the chart.
    let mut app = predicted(100, 30, 400007);
    app.chart_pixels = Some((7, 15));
    let commands = app.update(Action::Open(Kind::Customer));
    let (_, area) = views::customer_chart(&app).unwrap();
    assert!(area.height < 10, "{area:?}");
    assert!(!commands.iter().any(|command| matches!(command, Command::RenderChart(..))), "{commands:?}");
    settle(&mut app, bundled(), commands);
    assert!(app.chart_image.is_none());
    assert!(screen(&app).contains("Average applicant"), "{}", screen(&app));
    // At 140 × 40 the chart beside the text is tall enough: the image is asked for.
    let mut app = predicted(140, 40, 400005);
    app.chart_pixels = Some((7, 15));
    let commands = app.update(Action::Open(Kind::Customer));
    assert!(commands.iter().any(|command| matches!(command, Command::RenderChart(..))), "{commands:?}");
}

#[test]
fn a_chart_that_cannot_be_drawn_falls_back_to_text() {
    let scorer = bundled();
    let mut app = predicted(140, 40, 400005);
    // Cells so large that the image passes the chart code's 8000-pixel limit, which it refuses.
    app.chart_pixels = Some((200, 400));
    let commands = app.update(Action::Open(Kind::Customer));
    settle(&mut app, scorer, commands);
    assert_eq!(app.chart_pixels, None);
    assert!(app.status.as_ref().is_some_and(|status| status.kind == StatusKind::Error));
    assert!(screen(&app).contains("Average applicant"), "{}", screen(&app));
}

/// Mid-rank percentile by direct count: smaller values, plus half the equal ones, over the
/// values present.
fn direct_percentile(column: &[f64], value: f64) -> f64 {
    let present: Vec<f64> = column.iter().copied().filter(|v| !v.is_nan()).collect();
    let below = present.iter().filter(|&&v| v < value).count() as f64;
    let equal = present.iter().filter(|&&v| v == value).count() as f64;
    100.0 * (below + 0.5 * equal) / present.len() as f64
}

#[test]
fn client_fields_stand_where_a_direct_count_of_the_history_puts_them() {
    let scorer = bundled();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let history = pad::data::ClientTable::load(&root.join("data/history.parquet")).unwrap();
    let applicants = pad::data::ClientTable::load(&root.join("data/applicants.csv")).unwrap();
    let row = applicants.ids().unwrap().iter().position(|&id| id == 400005).unwrap();
    let record = scorer.client(400005).unwrap();
    let index = |name: &str| scorer.info().features.iter().position(|f| f.name == name).unwrap();

    let credit = applicants.numeric("AMT_CREDIT").unwrap()[row];
    let field = &record.fields[index("AMT_CREDIT")];
    assert_eq!(field.value, pad::domain::FieldValue::Number(credit));
    let expected = direct_percentile(&history.numeric("AMT_CREDIT").unwrap(), credit);
    assert!((field.percentile.unwrap() - expected).abs() < 1e-9);

    // Age in days is negative: the percentile is over ages, so 100 minus the raw one.
    let days = applicants.numeric("DAYS_BIRTH").unwrap()[row];
    let expected = 100.0 - direct_percentile(&history.numeric("DAYS_BIRTH").unwrap(), days);
    assert!((record.fields[index("DAYS_BIRTH")].percentile.unwrap() - expected).abs() < 1e-9);

    // A category: the share of past clients with the same one.
    let education = applicants.text("NAME_EDUCATION_TYPE").unwrap()[row].clone().unwrap();
    let past = history.text("NAME_EDUCATION_TYPE").unwrap();
    let same = past.iter().filter(|value| value.as_deref() == Some(education.as_str())).count();
    let field = &record.fields[index("NAME_EDUCATION_TYPE")];
    assert_eq!(field.value, pad::domain::FieldValue::Category(education));
    assert!((field.share.unwrap() - 100.0 * same as f64 / past.len() as f64).abs() < 1e-9);

    // The distribution of that category, repaid and defaulted apart, by direct count.
    let targets = history.numeric("TARGET").unwrap();
    let distribution = scorer.distribution("NAME_EDUCATION_TYPE").unwrap();
    let pad::domain::Bins::Categorical { categories } = &distribution.bins else { panic!("not categorical") };
    for (bin, category) in categories.iter().enumerate() {
        let count = |outcome: f64| {
            past.iter().zip(&targets).filter(|(v, t)| v.as_deref() == Some(category.as_str()) && **t == outcome).count()
                as u64
        };
        assert_eq!((distribution.repaid[bin], distribution.defaulted[bin]), (count(0.0), count(1.0)), "{category}");
    }
}

#[test]
fn a_model_without_a_card_says_so() {
    // A model trained by Python LightGBM (pandas categoricals, no model.json beside it).
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let sources = LocalSources {
        model: root.join("tests/fixtures/lgbm/hc_cat400.model.txt"),
        applicants: root.join("data/applicants.csv"),
        history: root.join("data/history.parquet"),
        threshold: None,
        applicant_tables: pad::config::bundled_tables(pad::config::BUNDLED_APPLICANT_TABLES),
        history_tables: pad::config::bundled_tables(pad::config::BUNDLED_HISTORY_TABLES),
    };
    assert!(!sources.model.with_file_name("model.json").exists());
    let scorer = LocalScorer::load(&sources).unwrap();
    assert!(scorer.info().card.is_none());
    assert_eq!(scorer.info().threshold, 0.5);
    let clients = scorer.clients().unwrap();
    let (mut app, commands) = App::new(scorer.info().clone(), clients, Theme::MONOCHROME, (100, 30));
    settle(&mut app, &scorer, commands);
    press(&mut app, &scorer, [Action::ShowTab(Tab::Model)]);
    let drawn = screen(&app);
    assert!(drawn.contains("no model card"), "{drawn}");
    assert!(drawn.contains("No model card (model.json) was found"), "{drawn}");
    assert!(drawn.contains("threshold 50.0 % (default 0.5, no model card)"), "{drawn}");
    // Scoring still works, with the model's own category lists.
    press(&mut app, &scorer, [Action::Predict]);
    assert!(app.shown_explanation().is_some());
}

#[test]
fn drift_tab_computes_once_in_the_background_and_sorts() {
    let scorer = bundled();
    let mut app = dashboard(140, 40);
    assert!(app.tabs.drift.report.is_none(), "nothing computed before the tab is opened");
    let commands = app.update(Action::ShowTab(Tab::Drift));
    assert_eq!(commands, vec![Command::LoadDrift]);
    assert!(screen(&app).contains("Comparing the applicants"));
    settle(&mut app, scorer, commands);
    let Some(Loadable::Ready(report)) = app.tabs.drift.report.clone() else { panic!("no drift report") };
    assert_eq!((report.reference_rows, report.current_rows), (30_000, 1_000));
    assert_eq!(app.tabs.drift.order(), (0..report.features.len()).collect::<Vec<_>>());
    // Opening the tab again computes nothing.
    assert!(app.update(Action::ShowTab(Tab::Drift)).is_empty());
    press(&mut app, scorer, [Action::CycleSort]);
    let psi: Vec<f64> = app.tabs.drift.order().iter().map(|&i| report.features[i].psi).collect();
    assert!(psi.windows(2).all(|pair| pair[0] >= pair[1]));
    assert!(screen(&app).contains("sorted by PSI (s to change)"));
    press(&mut app, scorer, [Action::CycleSort]);
    let names: Vec<&str> = app.tabs.drift.order().iter().map(|&i| report.features[i].feature.as_str()).collect();
    assert!(names.windows(2).all(|pair| pair[0] <= pair[1]));
    // The cursor picks the feature whose histograms are drawn.
    press(&mut app, scorer, [Action::FocusPanel, Action::MoveCursor(2)]);
    let third = &report.features[app.tabs.drift.order()[2]];
    assert!(screen(&app).contains(&third.label), "{}", third.label);
}

#[test]
fn fairness_tab_computes_once_in_the_background_and_scrolls() {
    let scorer = bundled();
    let mut app = dashboard(140, 40);
    assert!(app.tabs.fairness.report.is_none(), "nothing computed before the tab is opened");
    let commands = app.update(Action::ShowTab(Tab::Fairness));
    assert_eq!(commands, vec![Command::LoadFairness]);
    assert!(screen(&app).contains("Assessing the decisions"));
    settle(&mut app, scorer, commands);
    let Some(Loadable::Ready(report)) = app.tabs.fairness.report.clone() else { panic!("no fairness report") };
    assert_eq!(report.rows, 30_000);
    let shown = screen(&app);
    for words in ["sex (CODE_GENDER", "age band (DAYS_BIRTH", "65 and over", "most favoured: M", "Strong proxies"] {
        assert!(shown.contains(words), "{words} not in:\n{shown}");
    }
    // Opening the tab again computes nothing; the cursor scrolls.
    assert!(app.update(Action::ShowTab(Tab::Fairness)).is_empty());
    press(&mut app, scorer, [Action::FocusPanel, Action::MoveCursor(3)]);
    assert_eq!(app.tabs.fairness.offset, 3);
    assert!(!screen(&app).contains("past clients · policy"));
}

/// The first bundled applicant whose file leaves empty a field the card requires, with that
/// field (read from the CSV and the card, not from the scorer).
fn incomplete_applicant() -> (i64, String) {
    common::first_incomplete_applicant(&common::card_required_read(&bundled().info().features))
}

#[test]
fn an_incomplete_application_shows_what_is_missing_instead_of_a_decision() {
    let scorer = bundled();
    let (id, field) = incomplete_applicant();
    let mut app = predicted(80, 24, id);
    let explanation = app.shown_explanation().expect("a result after Predict");
    assert_eq!(explanation.score.decision, Decision::Incomplete);
    assert!(explanation.score.missing.contains(&field), "{:?}", explanation.score.missing);
    let text = screen(&app);
    assert!(text.contains("INCOMPLETE") && text.contains("not a decision"), "{text}");
    assert!(!text.contains("ACCEPTED") && !text.contains("REFUSED"), "{text}");
    assert!(text.contains(&field), "{text}");
    insta::assert_snapshot!("decision_incomplete_80x24", text);
    // No customer sheet of a decision that was not made.
    let folder = tempfile::tempdir().unwrap();
    app.export_dir = folder.path().to_path_buf();
    press(&mut app, scorer, [Action::Export]);
    let status = app.status.clone().unwrap();
    assert_eq!(status.kind, StatusKind::Error);
    assert!(status.text.contains("incomplete") && status.text.contains(&field), "{status:?}");
    assert_eq!(std::fs::read_dir(folder.path()).unwrap().count(), 0);
    // The Client data tab marks the field as missing and required.
    press(&mut app, scorer, [Action::ShowTab(Tab::ClientData)]);
    let record = app.selected_record().unwrap();
    assert!(record.missing.contains(&field));
}
