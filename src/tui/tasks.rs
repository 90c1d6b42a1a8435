//! Slow work off the UI task: each [`Command`] runs on tokio's blocking pool against the
//! scorer, and its result comes back as an [`Action`].
//!
//! Only the newest request of each kind is worth doing: when the RM holds the down arrow,
//! the fields of the clients scrolled past are never computed. A request that is no longer
//! the newest when its turn comes answers [`Action::Superseded`] without doing the work.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use tokio::sync::mpsc::UnboundedSender;

use super::action::{Action, RecordFailure};
use super::app::App;
use super::app::HISTORY_LIMIT;
use super::command::Command;
use super::state::reconnect_delay;
use crate::journal::Recorder;
use crate::scoring::Scorer;

/// Runs commands in the background and reports their results.
#[derive(Clone)]
pub struct Tasks {
    scorer: Arc<dyn Scorer>,
    recorder: Option<Arc<dyn Recorder>>,
    sender: UnboundedSender<Action>,
    newest_client: Arc<AtomicU64>,
    newest_explain: Arc<AtomicU64>,
    newest_what_if: Arc<AtomicU64>,
}

impl Tasks {
    /// Tasks over a scorer, answering on `sender`.
    pub fn new(scorer: Arc<dyn Scorer>, sender: UnboundedSender<Action>) -> Tasks {
        Tasks {
            scorer,
            recorder: None,
            sender,
            newest_client: Arc::default(),
            newest_explain: Arc::default(),
            newest_what_if: Arc::default(),
        }
    }

    /// The same tasks, recording decisions through `recorder`.
    pub fn with_recorder(mut self, recorder: Arc<dyn Recorder>) -> Tasks {
        self.recorder = Some(recorder);
        self
    }

    /// Starts a command on the blocking pool.
    pub fn spawn(&self, command: Command) {
        if is_journal_work(&command) {
            let recorder = self.recorder.clone();
            let sender = self.sender.clone();
            tokio::spawn(async move {
                if let Command::Record(_, attempt @ 1..) = &command {
                    tokio::time::sleep(reconnect_delay(*attempt)).await;
                }
                let _ = tokio::task::spawn_blocking(move || {
                    journal_work(&command, recorder.as_deref(), &|action| {
                        let _ = sender.send(action);
                    });
                })
                .await;
            });
            return;
        }
        let generation = match &command {
            Command::LoadClient(_) => Some((Arc::clone(&self.newest_client), bump(&self.newest_client))),
            Command::Explain(_) => Some((Arc::clone(&self.newest_explain), bump(&self.newest_explain))),
            Command::WhatIf(..) => Some((Arc::clone(&self.newest_what_if), bump(&self.newest_what_if))),
            _ => None,
        };
        let scorer = Arc::clone(&self.scorer);
        let sender = self.sender.clone();
        if let Command::Reconnect(attempt) = command {
            // The wait is a timer, not a thread.
            tokio::spawn(async move {
                tokio::time::sleep(reconnect_delay(attempt)).await;
                let _ = tokio::task::spawn_blocking(move || {
                    execute(&command, scorer.as_ref(), &|action| {
                        let _ = sender.send(action);
                    });
                })
                .await;
            });
            return;
        }
        tokio::task::spawn_blocking(move || {
            if let Some((newest, mine)) = generation
                && newest.load(Ordering::Acquire) != mine
            {
                let _ = sender.send(Action::Superseded);
                return;
            }
            // A send fails only when the dashboard has quit; the result is then not needed.
            execute(&command, scorer.as_ref(), &|action| {
                let _ = sender.send(action);
            });
        });
    }
}

fn bump(counter: &AtomicU64) -> u64 {
    counter.fetch_add(1, Ordering::AcqRel) + 1
}

/// Runs one command to the end, reporting progress and the result through `report`, then,
/// for a remote scorer, how its requests went.
pub fn execute(command: &Command, scorer: &dyn Scorer, report: &(dyn Fn(Action) + Sync)) {
    run(command, scorer, report);
    // A reconnection reports its own answer.
    if let Some(link) = scorer.link()
        && !matches!(command, Command::Export(_) | Command::RenderChart(..) | Command::Reconnect(_))
    {
        report(Action::Linked(link));
    }
}

fn run(command: &Command, scorer: &dyn Scorer, report: &(dyn Fn(Action) + Sync)) {
    match command {
        Command::LoadClient(id) => {
            report(Action::ClientLoaded(*id, scorer.client(*id).map_err(|error| error.to_string())));
        }
        Command::Explain(id) => {
            report(Action::Explained(*id, scorer.explain(*id).map_err(|error| error.to_string())));
        }
        Command::LoadHistory(id) => {
            report(Action::HistoryLoaded(*id, scorer.history(*id).map_err(|error| error.to_string())));
        }
        Command::LoadDistribution(feature) => {
            let result = scorer.distribution(feature).map_err(|error| error.to_string());
            report(Action::DistributionLoaded(feature.clone(), result));
        }
        Command::LoadDrift => {
            report(Action::DriftLoaded(scorer.drift().map_err(|error| error.to_string())));
        }
        Command::LoadFairness => {
            report(Action::FairnessLoaded(scorer.fairness().map_err(|error| error.to_string())));
        }
        Command::LoadCounterfactual(id) => {
            let result = scorer.counterfactual(*id).map_err(|error| error.to_string());
            report(Action::CounterfactualLoaded(*id, result));
        }
        Command::WhatIf(id, edit, changes) => {
            let result = scorer.what_if(*id, changes).map_err(|error| error.to_string());
            report(Action::WhatIfScored(*id, *edit, result));
        }
        Command::Export(job) => {
            let written = crate::export::write(&job.sheet(), &job.folder);
            report(Action::Exported(written.map_err(|error| error.to_string())));
        }
        Command::RenderChart(job, key, (width, height)) => {
            // As many contributions as the image has legible rows for, less the two levels and
            // the line for everything else.
            let rows = crate::charts::waterfall_rows_that_fit(*width, *height);
            let lines = rows.saturating_sub(3).clamp(1, crate::export::CHART_ROWS);
            let chart = crate::charts::Chart::Waterfall(crate::export::chart_with_lines(&job.sheet(), lines));
            let result = crate::charts::render_rgb(&chart, *width, *height)
                .map(std::sync::Arc::new)
                .map_err(|error| error.to_string());
            report(Action::ChartRendered(key.clone(), result));
        }
        Command::LoadPortfolio => {
            let progress = |done, total| report(Action::PortfolioProgress(done, total));
            report(Action::PortfolioLoaded(scorer.portfolio(&progress).map_err(|error| error.to_string())));
        }
        Command::Reconnect(attempt) => {
            report(Action::Reconnected(*attempt, scorer.reconnect().map_err(|error| error.to_string())));
        }
        Command::ScoreInputs(id, edit, inputs) => {
            let result = scorer.explain_inputs(inputs).map_err(|error| error.to_string());
            report(Action::ReviewScored(*id, *edit, result));
        }
        Command::Record(..)
        | Command::LoadDecisions(_)
        | Command::LoadContests
        | Command::RecordReview(_)
        | Command::RecordContest(_) => journal_work(command, None, report),
    }
}

/// Most contests loaded in the reviewer's desk.
const CONTESTS_LIMIT: usize = 200;

/// Whether a command is the journal's work (through the recorder, not the scorer).
fn is_journal_work(command: &Command) -> bool {
    matches!(
        command,
        Command::Record(..)
            | Command::LoadDecisions(_)
            | Command::LoadContests
            | Command::RecordReview(_)
            | Command::RecordContest(_)
    )
}

/// Runs a journal command through `recorder` (none: the session has no journal).
pub fn journal_work(command: &Command, recorder: Option<&dyn Recorder>, report: &(dyn Fn(Action) + Sync)) {
    match command {
        Command::Record(draft, _) => {
            let client_id = draft.rm.client_id;
            let result = match recorder {
                Some(recorder) => recorder
                    .record(draft)
                    .map(Box::new)
                    .map_err(|error| RecordFailure { transient: error.is_transient(), message: error.to_string() }),
                None => Err(RecordFailure { message: "no journal in this session".into(), transient: false }),
            };
            report(Action::Recorded(client_id, result));
        }
        Command::LoadDecisions(client_id) => {
            let result = match recorder {
                Some(recorder) => recorder
                    .history(*client_id, HISTORY_LIMIT)
                    .and_then(|events| Ok((events, recorder.states(*client_id, HISTORY_LIMIT)?)))
                    .map_err(|error| error.to_string()),
                None => Err("no journal in this session".into()),
            };
            report(Action::DecisionsLoaded(*client_id, result));
        }
        Command::LoadContests => {
            let result = match recorder {
                Some(recorder) => recorder.open_contests(CONTESTS_LIMIT).map_err(|error| error.to_string()),
                None => Err("no journal in this session".into()),
            };
            report(Action::ContestsLoaded(result));
        }
        Command::RecordReview(draft) => {
            let result = match recorder {
                Some(recorder) => recorder.review(draft).map(Box::new).map_err(|error| error.to_string()),
                None => Err("no journal in this session".into()),
            };
            report(Action::ReviewRecorded(result));
        }
        Command::RecordContest(draft) => {
            let result = match recorder {
                Some(recorder) => recorder.contest(draft).map(Box::new).map_err(|error| error.to_string()),
                None => Err("no journal in this session".into()),
            };
            report(Action::ContestRecorded(result));
        }
        _ => {}
    }
}

/// Runs commands in line, feeding every result back into `app`, until no work is left: the
/// dashboard without a terminal or threads, for tests and benchmarks. Reconnections and
/// retried recordings, which wait and may go on forever, are not run: they are returned, for
/// the test to run them.
pub fn settle(app: &mut App, scorer: &dyn Scorer, commands: Vec<Command>) -> Vec<Command> {
    settle_recorded(app, scorer, None, commands)
}

/// [`settle`] with a journal: record and history commands go through `recorder`.
pub fn settle_recorded(
    app: &mut App,
    scorer: &dyn Scorer,
    recorder: Option<&dyn Recorder>,
    mut commands: Vec<Command>,
) -> Vec<Command> {
    let mut waiting = Vec::new();
    while let Some(command) = commands.pop() {
        if matches!(command, Command::Reconnect(_) | Command::Record(_, 1..)) {
            waiting.push(command);
            continue;
        }
        let results = std::sync::Mutex::new(Vec::new());
        let report = |action| results.lock().unwrap_or_else(|e| e.into_inner()).push(action);
        if is_journal_work(&command) {
            journal_work(&command, recorder, &report);
        } else {
            execute(&command, scorer, &report);
        }
        for action in results.into_inner().unwrap_or_else(|e| e.into_inner()) {
            commands.extend(app.update(action));
        }
    }
    waiting
}
