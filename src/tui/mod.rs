//! The terminal dashboard: ratatui and crossterm on tokio, in The Elm Architecture.
//!
//! Input arrives from [`event`] as key presses, clicks and resizes; [`keymap`] (the user's
//! `keys.toml` over the defaults) turns them into [`action::Action`]s for what is on screen;
//! [`app::App::update`] is the only place state changes, routing input to the overlay on top
//! ([`overlays`], behind [`overlay::Layer`]) or the tab shown ([`tabs`], behind
//! [`panel::Panel`]), and returns [`action::Command`]s; [`tasks`] runs those off the UI task
//! and sends their results back as actions; after each batch, [`views::render`] draws the
//! state without changing it.
//!
//! Uses: scoring, domain, journal, config. Only this module imports ratatui and crossterm.

pub mod action;
pub mod app;
pub mod command;
pub mod event;
pub mod graphics;
pub mod keymap;
pub mod layout;
pub mod overlay;
pub mod overlays;
pub mod panel;
pub mod state;
pub mod strings;
pub mod tabs;
pub mod tasks;
pub mod terminal;
pub mod theme;
pub mod views;
pub mod widgets;

use std::io::IsTerminal;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use tokio::sync::mpsc;

use self::action::Action;
use self::app::App;
use self::command::Command;
use self::event::Event;
use self::tasks::Tasks;
use self::theme::Theme;
use crate::config::DashboardConfig;
use crate::scoring::Scorer;

/// Runs the dashboard over `scorer` until the user quits, on `runtime` (a multi-threaded
/// one: a remote scorer's requests run there).
///
/// The caller loads the scorer first, so that a bad file or an unreachable server fails
/// before the terminal is taken over and the message prints plainly; `started` is when that
/// began, for `--timing`.
pub fn run(
    config: &DashboardConfig,
    scorer: Arc<dyn Scorer>,
    recorder: Option<Arc<dyn crate::journal::Recorder>>,
    runtime: &tokio::runtime::Runtime,
    started: Instant,
) -> Result<()> {
    // A bad keys file stops here, before the terminal is taken over, and says where.
    let keymap = keymap::Keymap::load(config.keys.as_deref())?;
    for warning in &scorer.info().warnings {
        tracing::warn!("{warning}");
    }
    let timings = runtime.block_on(main_loop(scorer, recorder, config, keymap, started))?;
    if let Some(timings) = timings {
        eprint!("{}", timings.report());
    }
    Ok(())
}

async fn main_loop(
    scorer: Arc<dyn Scorer>,
    recorder: Option<Arc<dyn crate::journal::Recorder>>,
    config: &DashboardConfig,
    keymap: keymap::Keymap,
    started: Instant,
) -> Result<Option<Timings>> {
    // A remote scorer blocks on the network: off the async workers.
    let listing = Arc::clone(&scorer);
    let clients = tokio::task::spawn_blocking(move || listing.clients())
        .await
        .context("cannot list the clients")?
        .context("cannot list the clients")?;
    if !std::io::stdout().is_terminal() || !std::io::stdin().is_terminal() {
        anyhow::bail!(
            "the dashboard needs an interactive terminal (standard input and output are not one); \
             for batch work use `pad predict` or `pad explain`"
        );
    }
    // From here every way out, an error (`?`) or a panic, gives the terminal back first.
    let mut session = terminal::Session::start().context("cannot take over the terminal")?;
    // Asked in the session's raw mode before the input task reads the keyboard, which would
    // swallow the answer.
    let (graphics, early_keys) = graphics::Graphics::detect(config.graphics, &session);
    session.capture_mouse().context("cannot take over the terminal")?;
    let mut terminal = session.terminal().context("cannot take over the terminal")?;
    match config.fail_at_start {
        Some(crate::config::StartFailure::Error) => anyhow::bail!("the start failed on request (--fail-at-start)"),
        Some(crate::config::StartFailure::Panic) => {
            #[allow(clippy::panic)]
            {
                panic!("the start failed on request (--fail-at-start)")
            }
        }
        None => {}
    }
    let session_parts = Session { scorer, recorder, clients, keymap, graphics, early_keys, started };
    let timings = drive(&mut terminal, session_parts, config).await?;
    drop(session);
    Ok(config.timing.then_some(timings))
}

/// What the dashboard runs with, once the terminal is taken over.
struct Session {
    scorer: Arc<dyn Scorer>,
    recorder: Option<Arc<dyn crate::journal::Recorder>>,
    clients: Vec<crate::domain::ClientSummary>,
    keymap: keymap::Keymap,
    graphics: Option<graphics::Graphics>,
    early_keys: Vec<crossterm::event::KeyEvent>,
    started: Instant,
}

async fn drive(terminal: &mut terminal::Tui, session: Session, config: &DashboardConfig) -> Result<Timings> {
    let Session { scorer, recorder, clients, keymap, mut graphics, early_keys, started } = session;
    let size = terminal.size().context("cannot read the terminal size")?;
    let (action_sender, mut actions) = mpsc::unbounded_channel::<Action>();
    let (event_sender, mut events) = mpsc::unbounded_channel::<Event>();
    let mut tasks = Tasks::new(Arc::clone(&scorer), action_sender);
    let (app, mut commands) = App::new(scorer.info().clone(), clients, Theme::from_env(), (size.width, size.height));
    let mut app = app.with_keymap(keymap);
    if let Some(recorder) = recorder {
        // Remote: the server records the signed-in user; locally, --user or the system's user.
        let signed_in = recorder.signed_in();
        let rm = signed_in.as_ref().and_then(|(name, _)| name.clone()).unwrap_or_else(|| config.rm.clone());
        let (journaled, history) = app.with_journal(recorder.location(), rm);
        app = journaled;
        app.signed_in = signed_in.map(|(name, role)| format!("{} ({role})", name.as_deref().unwrap_or("shared token")));
        commands.extend(history);
        tasks = tasks.with_recorder(recorder);
    }
    app.link = scorer.link().map(|link| state::LinkStatus::new(link, None));
    app.export_dir = config.export_dir.clone();
    app.language = config.language;
    app.chart_pixels = graphics.as_ref().map(graphics::Graphics::cell_pixels);
    let mut in_flight = 0usize;
    for command in commands {
        in_flight += usize::from(is_quick(&command));
        tasks.spawn(command);
    }
    // Keys pressed while the terminal was asked about graphics come first.
    for key in early_keys {
        let _ = event_sender.send(Event::Key(key, Instant::now()));
    }
    let input = event::spawn(event_sender);
    let mut timings = Timings::default();
    let mut pending_keys: Vec<Instant> = Vec::new();
    // The press of Enter in the record form, until the frame that says "recorded".
    let mut record_pressed: Option<Instant> = None;
    let mut recorded_now = false;
    loop {
        terminal
            .draw(|frame| {
                views::render(&app, frame);
                if let Some(graphics) = graphics.as_mut() {
                    graphics.render(&app, frame);
                }
            })
            .context("cannot draw")?;
        let drawn = Instant::now();
        if timings.first_frame.is_none() {
            timings.first_frame = Some(drawn - started);
            // What the scorer left to read is read now, while the person looks at the screen.
            scorer.warm_up();
        }
        if in_flight == 0 {
            timings.keys.extend(pending_keys.drain(..).map(|pressed| drawn - pressed));
        }
        if recorded_now {
            recorded_now = false;
            if let Some(pressed) = record_pressed.take() {
                timings.recorded.push(drawn - pressed);
            }
        }
        if app.should_quit {
            break;
        }
        let mut batch = Vec::new();
        tokio::select! {
            Some(event) = events.recv() => batch.push(Incoming::Event(event)),
            Some(action) = actions.recv() => batch.push(Incoming::Action(action)),
            else => break,
        }
        // Whatever else has arrived is handled before the next frame.
        while let Ok(event) = events.try_recv() {
            batch.push(Incoming::Event(event));
        }
        while let Ok(action) = actions.try_recv() {
            batch.push(Incoming::Action(action));
        }
        for incoming in batch {
            let action = match incoming {
                Incoming::Event(Event::Failed(message)) => anyhow::bail!("terminal input failed: {message}"),
                Incoming::Event(Event::Key(key, pressed)) => {
                    let action = keymap::actions::key_action(&app.keymap, app.scope(), key);
                    if action.is_some() {
                        pending_keys.push(pressed);
                    }
                    let submit = Action::Overlay(overlay::Input::Key(keymap::binds::Bind::Submit));
                    if app.mode() == state::Mode::Record && action.as_ref() == Some(&submit) {
                        record_pressed = Some(pressed);
                    }
                    action
                }
                Incoming::Event(Event::Mouse(mouse)) => keymap::actions::mouse_action(mouse),
                Incoming::Event(Event::Resize(columns, rows)) => Some(Action::Resize(columns, rows)),
                Incoming::Action(action) => {
                    if is_final_answer(&action) {
                        in_flight = in_flight.saturating_sub(1);
                    }
                    if matches!(action, Action::Recorded(_, Ok(_))) {
                        recorded_now = true;
                    }
                    Some(action)
                }
            };
            let Some(action) = action else { continue };
            if let Action::DistributionLoaded(_, Err(message))
            | Action::PortfolioLoaded(Err(message))
            | Action::DriftLoaded(Err(message))
            | Action::FairnessLoaded(Err(message)) = &action
            {
                tracing::error!("{message}");
            }
            for command in app.update(action) {
                in_flight += usize::from(is_quick(&command));
                tasks.spawn(command);
            }
        }
    }
    input.abort();
    Ok(timings)
}

/// Whether a command answers a key press (and counts in its latency); the portfolio and the
/// drift report are long background jobs with their own progress display.
fn is_quick(command: &Command) -> bool {
    !matches!(
        command,
        Command::LoadPortfolio
            | Command::LoadDrift
            | Command::LoadFairness
            | Command::Reconnect(_)
            | Command::Record(..)
            | Command::LoadDecisions(_)
    )
}

enum Incoming {
    Event(Event),
    Action(Action),
}

/// Whether an action is the one answer of a client, explanation or distribution request.
fn is_final_answer(action: &Action) -> bool {
    matches!(
        action,
        Action::ClientLoaded(..)
            | Action::ChartRendered(..)
            | Action::Explained(..)
            | Action::DistributionLoaded(..)
            | Action::CounterfactualLoaded(..)
            | Action::WhatIfScored(..)
            | Action::Exported(..)
            | Action::Superseded
    )
}

/// What `--timing` reports when the dashboard closes.
#[derive(Debug, Default)]
struct Timings {
    first_frame: Option<Duration>,
    keys: Vec<Duration>,
    /// From Enter in the record form to the frame saying "recorded".
    recorded: Vec<Duration>,
}

impl Timings {
    fn report(&self) -> String {
        let mut report = String::new();
        if let Some(first) = self.first_frame {
            report.push_str(&format!("first frame: {:.1} ms after launch\n", first.as_secs_f64() * 1e3));
        }
        for (what, durations) in [("key to frame", &self.keys), ("key to recorded", &self.recorded)] {
            let mut keys = durations.clone();
            keys.sort();
            if keys.is_empty() {
                continue;
            }
            let at = |share: f64| keys[((keys.len() - 1) as f64 * share).round() as usize].as_secs_f64() * 1e3;
            report.push_str(&format!(
                "{what}: {} presses, p50 {:.2} ms, p95 {:.2} ms, max {:.2} ms\n",
                keys.len(),
                at(0.5),
                at(0.95),
                at(1.0)
            ));
        }
        report
    }
}
