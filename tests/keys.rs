//! The keys are the user's: a keys file changes what a key does and what the hints and the
//! help say, and a bad one stops the dashboard before it starts, naming the file, the line and
//! the key.

mod common;

use std::path::Path;
use std::process::Command;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use pad::scoring::Scorer;
use pad::tui::app::{App, Mode, Prediction};
use pad::tui::keymap::Keymap;
use pad::tui::keymap::actions::key_action;
use pad::tui::keymap::binds::Bind;
use pad::tui::tasks::settle;
use pad::tui::theme::Theme;
use pad::tui::views;
use ratatui::Terminal;
use ratatui::backend::TestBackend;

/// A dashboard over the bundled data with these keys, its startup work done.
fn dashboard(keymap: Keymap) -> App {
    let scorer = common::bundled_scorer();
    let (app, commands) = App::new(scorer.info().clone(), scorer.clients().unwrap(), Theme::MONOCHROME, (80, 24));
    let mut app = app.with_keymap(keymap);
    settle(&mut app, scorer.as_ref(), commands);
    app
}

/// Presses a key as the terminal would send it: through the keymap, then the update.
fn press(app: &mut App, code: KeyCode) {
    let scorer = common::bundled_scorer();
    if let Some(action) = key_action(&app.keymap, app.scope(), KeyEvent::new(code, KeyModifiers::NONE)) {
        let commands = app.update(action);
        settle(app, scorer.as_ref(), commands);
    }
}

fn screen(app: &App) -> String {
    let mut terminal = Terminal::new(TestBackend::new(app.size.0, app.size.1)).unwrap();
    terminal.draw(|frame| views::render(app, frame)).unwrap();
    terminal.backend().to_string()
}

/// The last line of the screen: the status bar.
fn status_bar(app: &App) -> String {
    screen(app).lines().nth(23).unwrap_or_default().to_string()
}

#[test]
fn a_key_changed_in_the_keys_file_changes_the_binding_the_hints_and_the_help() {
    let folder = tempfile::tempdir().unwrap();
    let file = folder.path().join("keys.toml");
    std::fs::write(&file, "# mine\npredict = \"P\"\nhelp = [\"F1\"]\n").unwrap();
    let mut app = dashboard(Keymap::load(Some(&file)).unwrap());
    let default = dashboard(Keymap::default());
    assert!(status_bar(&default).contains("p predict") && status_bar(&default).contains("? help"));
    let hints = status_bar(&app);
    assert!(hints.contains("P predict") && hints.contains("F1 help"), "{hints}");
    assert!(!hints.contains("p predict") && !hints.contains("? help"), "{hints}");
    // The Decision tab's line beside [Predict] names the key too.
    assert!(screen(&app).contains("press P, or click"), "{}", screen(&app));
    // The old keys do nothing, the new ones what the old ones did.
    press(&mut app, KeyCode::Char('p'));
    assert_eq!(app.prediction, Prediction::Hidden);
    press(&mut app, KeyCode::Char('P'));
    assert!(matches!(app.prediction, Prediction::Shown(_)));
    press(&mut app, KeyCode::Char('?'));
    assert_eq!(app.mode(), Mode::Normal);
    press(&mut app, KeyCode::F(1));
    assert_eq!(app.mode(), Mode::Help);
    // The help lists the keys in force: every line of it, scrolled through.
    let mut help = String::new();
    for _ in 0..=pad::tui::overlays::help::max_scroll(&app.context()) {
        help.push_str(&screen(&app));
        press(&mut app, KeyCode::Down);
    }
    let line = |text: &str| help.lines().find(|line| line.contains(text)).unwrap_or_default().to_string();
    assert!(line("this help").contains(" F1 "), "{help}");
    assert!(line("predict the selected client").contains(" P "), "{help}");
    assert!(!help.contains("p  Enter"), "{help}");
}

#[test]
fn every_binding_is_in_the_readme() {
    let readme = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    for bind in Bind::ALL {
        assert!(readme.contains(&format!("| `{}` |", bind.name())), "the README's keys table lacks `{}`", bind.name());
    }
}

#[test]
fn a_bad_keys_file_stops_the_dashboard_before_it_starts_and_says_where() {
    let folder = tempfile::tempdir().unwrap();
    let file = folder.path().join("keys.toml");
    std::fs::write(&file, "quit = \"q\"\n# next\ndown = [\"Down\", \"Ctrl-\"]\n").unwrap();
    // A journal of its own: the user's may belong to another pad.
    let journal = format!("sqlite://{}", folder.path().join("journal.sqlite").display());
    let output = Command::new(env!("CARGO_BIN_EXE_pad"))
        .args(["dashboard", "--journal", &journal, "--keys"])
        .arg(&file)
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    let expected = format!("{}, line 3: `Ctrl-` (for down) is not a key: write a character", file.display());
    assert!(stderr.contains(&expected), "{stderr}");
    // Named through PAD_KEYS, a file that is not there.
    let absent = folder.path().join("absent.toml");
    let output = Command::new(env!("CARGO_BIN_EXE_pad"))
        .args(["--journal", &journal])
        .env("PAD_KEYS", &absent)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains(&format!("cannot read the keys file {}", absent.display())), "{stderr}");
}
