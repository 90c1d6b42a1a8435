//! The dashboard's work per key press, in process, on the bundled data and model: moving to
//! the next client and pressing Predict (the client's fields with their percentiles, the score
//! and its TreeSHAP explanation, then a full 140×40 frame), and drawing each tab.
//!
//!     cargo bench --bench dashboard
//!
//! The real binary's figures (terminal included) come from `pad --timing`, driven by
//! `bench/dashboard_timing.sh`.

use std::hint::black_box;
use std::path::Path;

use criterion::Criterion;
use pad::scoring::{LocalScorer, LocalSources, Scorer};
use pad::tui::action::Action;
use pad::tui::app::{App, Tab};
use pad::tui::tasks::settle;
use pad::tui::theme::Theme;
use pad::tui::views;
use ratatui::Terminal;
use ratatui::backend::TestBackend;

fn scorer() -> LocalScorer {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let sources = LocalSources {
        model: root.join("assets/model.txt"),
        applicants: root.join("data/applicants.csv"),
        history: std::env::var_os("PAD_BENCH_HISTORY").map_or_else(|| root.join("data/history.parquet"), Into::into),
        threshold: None,
        applicant_tables: pad::config::bundled_tables(pad::config::BUNDLED_APPLICANT_TABLES),
        history_tables: pad::config::bundled_tables(pad::config::BUNDLED_HISTORY_TABLES),
    };
    LocalScorer::load(&sources).unwrap_or_else(|error| panic!("{error}"))
}

fn main() {
    let scorer = scorer();
    let clients = scorer.clients().unwrap_or_default();
    let n_clients = clients.len();
    let (mut app, commands) = App::new(scorer.info().clone(), clients, Theme::COLOR, (140, 40));
    settle(&mut app, &scorer, commands);
    let mut terminal = Terminal::new(TestBackend::new(140, 40)).unwrap_or_else(|error| panic!("{error}"));
    let mut criterion = Criterion::default().configure_from_args();

    criterion.bench_function("next client + predict + frame (140x40)", |bench| {
        bench.iter(|| {
            let step = if app.selected + 1 >= n_clients { Action::FirstClient } else { Action::MoveClient(1) };
            let commands = app.update(step);
            settle(&mut app, &scorer, commands);
            let commands = app.update(Action::Predict);
            settle(&mut app, &scorer, commands);
            terminal.draw(|frame| views::render(&app, frame)).unwrap_or_else(|error| panic!("{error}"));
            black_box(app.shown_explanation().map(|explanation| explanation.score.probability))
        })
    });
    for tab in Tab::ALL {
        let commands = app.update(Action::ShowTab(tab));
        settle(&mut app, &scorer, commands);
        criterion.bench_function(&format!("draw {tab:?} tab (140x40)"), |bench| {
            bench.iter(|| terminal.draw(|frame| views::render(&app, frame)).map(|_| ()))
        });
    }
    criterion.bench_function("portfolio: explain every applicant", |bench| {
        bench.iter(|| black_box(scorer.portfolio(&|_, _| {}).map(|portfolio| portfolio.probabilities.len())))
    });
    criterion.final_summary();
}
