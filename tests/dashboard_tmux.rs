//! The real `pad` dashboard in a real terminal: the binary runs in a detached tmux session at
//! 140×40, keys go in with `tmux send-keys`, and the screen comes back with `tmux capture-pane`.
//! Skipped (with the reason printed) when `tmux` is not installed.
//!
//! The session lives on a private tmux server (its socket in a temporary folder, no user
//! configuration), so it neither sees nor disturbs a developer's own sessions; the guard kills
//! the server even when the test fails, and the folder goes with it. To watch a run, put a sleep
//! before the guard's drop and `tmux -S SOCKET attach` (the socket's path is printed).

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::thread::sleep;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// How long the first frame may take: the debug build loads the data and model first.
const STARTUP: Duration = Duration::from_secs(20);
/// How long a key press may take to show on screen.
const REACTION: Duration = Duration::from_secs(10);
const POLL: Duration = Duration::from_millis(50);

/// The text that tells the decision line apart from the rest of the screen.
const DECISION_MARK: &str = ": probability of default ";
const HIDDEN: &str = "The decision is hidden";

/// One tmux session on its own server; killed on drop, whatever happened before.
struct Session {
    socket: PathBuf,
    name: String,
    /// Where the shell writes the program's exit status when it ends.
    status: PathBuf,
    /// Holds the socket, the configuration and the status; deleted after the server is killed.
    _dir: tempfile::TempDir,
}

impl Session {
    /// Starts `command` (a shell command) in `dir`, in a detached `width`×`height` session.
    fn start(command: &str, dir: &Path, width: u16, height: u16) -> Session {
        let unique = format!(
            "pad-test-{}-{}",
            std::process::id(),
            SystemTime::now().duration_since(UNIX_EPOCH).unwrap().subsec_nanos()
        );
        // No status line (the pane gets all the rows) and a dead pane stays on screen, so a
        // crash's message can be read before the session is killed.
        let dir_guard = tempfile::tempdir().unwrap();
        let config = dir_guard.path().join("tmux.conf");
        std::fs::write(&config, "set -g status off\nset -g remain-on-exit on\n").unwrap();
        let session = Session {
            socket: dir_guard.path().join("tmux.sock"),
            name: unique,
            status: dir_guard.path().join("status"),
            _dir: dir_guard,
        };
        // The exit status goes to a file: tmux's own `#{pane_dead_status}` can stay empty for
        // good when the child's SIGCHLD is lost (tmux/tmux#311, libutempter's handler).
        let command = format!("{command}; echo $? >{}", quoted(&session.status.to_string_lossy()));
        let (width, height) = (width.to_string(), height.to_string());
        let output = Command::new("tmux")
            .arg("-S")
            .arg(&session.socket)
            .arg("-f")
            .arg(&config)
            .args(["new-session", "-d", "-s", &session.name, "-x", &width, "-y", &height, "-c"])
            .arg(dir)
            .arg(&command)
            .output()
            .unwrap();
        assert!(output.status.success(), "tmux new-session: {}", String::from_utf8_lossy(&output.stderr));
        eprintln!("tmux session {} on socket {}", session.name, session.socket.display());
        session
    }

    fn tmux(&self, args: &[&str]) -> Output {
        Command::new("tmux").arg("-S").arg(&self.socket).args(args).output().unwrap()
    }

    fn send_keys(&self, keys: &[&str]) {
        let mut args = vec!["send-keys", "-t", &self.name];
        args.extend(keys);
        let output = self.tmux(&args);
        assert!(output.status.success(), "tmux send-keys: {}", String::from_utf8_lossy(&output.stderr));
    }

    /// The visible screen, one line per row.
    fn screen(&self) -> String {
        let output = self.tmux(&["capture-pane", "-p", "-t", &self.name]);
        assert!(output.status.success(), "tmux capture-pane: {}", String::from_utf8_lossy(&output.stderr));
        String::from_utf8_lossy(&output.stdout).into_owned()
    }

    /// The exit status of the program in the pane, once it has ended.
    fn exit_status(&self) -> Option<String> {
        let text = std::fs::read_to_string(&self.status).ok()?;
        text.ends_with('\n').then(|| text.trim().to_string())
    }

    /// Polls the screen until `done` holds; fails with the last screen after `timeout`, or at
    /// once if the program has ended.
    fn wait_for(&self, what: &str, timeout: Duration, done: impl Fn(&str) -> bool) -> String {
        let start = Instant::now();
        loop {
            let screen = self.screen();
            if done(&screen) {
                return screen;
            }
            if let Some(status) = self.exit_status() {
                panic!("waiting for {what}: pad exited (status {status}); last screen:\n{screen}");
            }
            if start.elapsed() > timeout {
                panic!("waiting for {what}: nothing after {timeout:?}; last screen:\n{screen}");
            }
            sleep(POLL);
        }
    }
}

impl Session {
    /// Presses `q` and checks that the program ends with status 0.
    fn quit_cleanly(&self) {
        self.send_keys(&["q"]);
        let start = Instant::now();
        let status = loop {
            if let Some(status) = self.exit_status() {
                break status;
            }
            assert!(start.elapsed() < REACTION, "pad still running after q:\n{}", self.screen());
            sleep(POLL);
        };
        assert_eq!(status, "0", "after q:\n{}", self.screen());
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        // The server is ours alone: killing it ends the session and the program in it.
        let _ = self.tmux(&["kill-server"]);
    }
}

fn tmux_installed() -> bool {
    Command::new("tmux").arg("-V").output().is_ok_and(|output| output.status.success())
}

/// Quotes a word for `sh`.
fn quoted(word: &str) -> String {
    format!("'{}'", word.replace('\'', r"'\''"))
}

/// The decision line on a screen, without the panel's borders.
fn decision_line(screen: &str) -> Option<&str> {
    screen.lines().find(|line| line.contains(DECISION_MARK)).map(|line| line.trim_matches(['│', ' ']))
}

/// (decision, probability as shown) from a line like
/// `ACCEPTED: probability of default 3.5 %, below the threshold 8.4 %`.
fn parse_decision(line: &str) -> (&str, &str) {
    let (decision, rest) = line.split_once(DECISION_MARK).unwrap();
    let decision = decision.rsplit(['│', ' ']).next().unwrap();
    let (probability, _) = rest.split_once(',').unwrap();
    (decision, probability)
}

#[test]
fn third_client_shows_pad_predicts_decision_and_moving_on_hides_it() {
    if !tmux_installed() {
        eprintln!("skipped: tmux is not on PATH (install it to run the dashboard end to end)");
        return;
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let pad = env!("CARGO_BIN_EXE_pad");

    // The batch scorer's answer, computed while the dashboard starts.
    let predict = Command::new(pad)
        .current_dir(root)
        .args(["predict", "--model", "assets/model.txt", "--data", "data/applicants.csv"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();

    let session = Session::start(&quoted(pad), root, 140, 40);
    session.wait_for("the first frame", STARTUP, |screen| screen.contains("Clients 1000") && screen.contains(HIDDEN));

    let predicted = predict.wait_with_output().unwrap();
    assert!(predicted.status.success(), "pad predict: {}", String::from_utf8_lossy(&predicted.stderr));
    let predicted = String::from_utf8(predicted.stdout).unwrap();
    let row = predicted.lines().find(|line| line.starts_with("400003,")).expect("client 400003 in pad predict");
    let fields: Vec<&str> = row.split(',').collect();
    let probability: f64 = fields[1].parse().unwrap();
    let expected = (fields[2], format!("{:.1} %", probability * 100.0));

    session.send_keys(&["Down", "Down", "p"]);
    let screen = session.wait_for("the decision on client 400003", REACTION, |screen| {
        screen.contains("client 400003") && decision_line(screen).is_some()
    });
    let line = decision_line(&screen).unwrap();
    let (decision, shown) = parse_decision(line);
    assert_eq!((decision, shown), (expected.0, expected.1.as_str()), "decision line: {line}\n{screen}");
    assert!(!screen.contains(HIDDEN), "{screen}");

    // Moving to another client hides the decision until the next Predict.
    session.send_keys(&["Down"]);
    session.wait_for("the decision to be hidden on client 400004", REACTION, |screen| {
        screen.contains("client 400004") && decision_line(screen).is_none() && screen.contains(HIDDEN)
    });

    // `q` quits cleanly: the program ends with status 0.
    session.quit_cleanly();
}

#[test]
fn decision_lines_parse() {
    let screen = "│[ Predict ] client 400003        │\n\
                  │ACCEPTED: probability of default 3.5 %, below the threshold 8.4 %   │\n";
    let line = decision_line(screen).unwrap();
    assert_eq!(parse_decision(line), ("ACCEPTED", "3.5 %"));
    let line = "REFUSED: probability of default 12.3 %, at or above the threshold 8.4 %";
    assert_eq!(parse_decision(line), ("REFUSED", "12.3 %"));
    assert_eq!(decision_line("The decision is hidden until you press Predict."), None);
}

#[test]
fn a_refused_customer_sees_why_in_french_and_takes_a_copy_home() {
    if !tmux_installed() {
        eprintln!("skipped: tmux is not on PATH (install it to run the dashboard end to end)");
        return;
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let exports = tempfile::tempdir().unwrap();
    let command = format!(
        "{} --export-dir {} --graphics auto",
        quoted(env!("CARGO_BIN_EXE_pad")),
        quoted(&exports.path().to_string_lossy())
    );
    let session = Session::start(&command, root, 140, 40);
    session.wait_for("the first frame", STARTUP, |screen| screen.contains("Clients 1000") && screen.contains(HIDDEN));
    // Client 400007 is refused and could be accepted with a smaller loan (the golden grid of
    // tests/fixtures/counterfactual_grid.csv finds one).
    session.send_keys(&["Down", "Down", "Down", "Down", "Down", "Down", "p"]);
    session.wait_for("the decision on client 400007", REACTION, |screen| {
        screen.contains("client 400007") && decision_line(screen).is_some() && screen.contains("What would change it")
    });
    session.send_keys(&["c"]);
    // All three parts are waited for: a capture can catch a frame half drawn.
    let screen = session.wait_for("the customer view", REACTION, |screen| {
        screen.contains("Your loan application (client 400007)")
            && screen.contains("If you borrowed")
            && screen.contains("The main reasons")
    });
    assert!(!screen.contains("400006") && !screen.contains("400008"), "another client on screen:\n{screen}");
    session.send_keys(&["l"]);
    session.wait_for("the French customer view", REACTION, |screen| {
        screen.contains("Votre demande de prêt (client 400007)") && screen.contains("Si vous empruntiez")
    });
    session.send_keys(&["x"]);
    let screen = session.wait_for("the export", REACTION, |screen| screen.contains("copie enregistrée : "));
    let written: Vec<PathBuf> = std::fs::read_dir(exports.path()).unwrap().map(|entry| entry.unwrap().path()).collect();
    assert_eq!(written.len(), 2, "{written:?}\n{screen}");
    assert!(written.iter().all(|path| path.to_string_lossy().contains("client-400007-fr-")), "{written:?}");
    // Esc returns to the dashboard, the decision still shown.
    session.send_keys(&["Escape"]);
    session.wait_for("the dashboard again", REACTION, |screen| {
        screen.contains("Clients 1000") && decision_line(screen).is_some()
    });
    session.quit_cleanly();
}

/// A `pad serve` on `port`, killed on drop.
struct Server(std::process::Child);

impl Server {
    fn start(pad: &str, root: &Path, port: u16) -> Server {
        let child = Command::new(pad)
            .current_dir(root)
            .args(["serve", "--addr", &format!("127.0.0.1:{port}")])
            .env("PAD_API_TOKEN", "tmux-t0ken")
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        let start = Instant::now();
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(start.elapsed() < STARTUP, "pad serve did not listen on port {port}");
            sleep(POLL);
        }
        Server(child)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn the_dashboard_over_a_server_that_goes_away_and_comes_back() {
    if !tmux_installed() {
        eprintln!("skipped: tmux is not on PATH (install it to run the dashboard end to end)");
        return;
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let pad = env!("CARGO_BIN_EXE_pad");
    // A free port, kept for the server's restart on the same address.
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let server = Server::start(pad, root, port);
    let address = format!("127.0.0.1:{port}");
    let command = format!("env PAD_API_TOKEN=tmux-t0ken {} --remote http://{address} --graphics off", quoted(pad));
    let session = Session::start(&command, root, 140, 40);
    session.wait_for("the first frame over the server", STARTUP, |screen| {
        screen.contains("Clients 1000") && screen.contains(&format!("{address} ")) && screen.contains(" ms")
    });
    session.send_keys(&["Down", "Down", "p"]);
    session.wait_for("the decision on client 400003", REACTION, |screen| {
        screen.contains("client 400003") && decision_line(screen).is_some()
    });

    // The server is killed: the next request fails, the status bar says so, retries start.
    drop(server);
    session.send_keys(&["Down"]);
    let screen = session.wait_for("the lost server", REACTION, |screen| screen.contains("unreachable, retry"));
    assert!(screen.contains("Clients 1000"), "the list stays:\n{screen}");

    // Back on the same address: a retry finds it and the client that failed loads.
    let _server = Server::start(pad, root, port);
    let screen = session
        .wait_for("the server answering again", Duration::from_secs(40), |screen| screen.contains("answers again"));
    assert!(screen.contains("client 400004"), "{screen}");
    session.send_keys(&["p"]);
    session.wait_for("the decision on client 400004", REACTION, |screen| {
        screen.contains("client 400004") && decision_line(screen).is_some()
    });
    session.quit_cleanly();
}

#[test]
fn a_reviewer_overturns_a_contested_decision_with_a_corrected_income_and_exports_the_sheet() {
    use pad::journal::{CaseContent, CaseState, Channel, ContestDraft, Journal, JournalUrl};

    if !tmux_installed() {
        eprintln!("skipped: tmux is not on PATH (install it to run the dashboard end to end)");
        return;
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let folder = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", folder.path().join("journal.sqlite").display());
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let journal = runtime.block_on(Journal::open(&JournalUrl::parse(&url).unwrap())).unwrap();
    // Ana decides on client 400007 as the model proposes; the customer contests at the branch.
    let decided = runtime.block_on(journal.record(&common::proposed_draft(400007, "ana"), None)).unwrap();
    let contest = ContestDraft {
        decision_id: decided.event.id,
        statement: "My salary went up in November".into(),
        channel: Channel::Branch,
        by: "ana".into(),
    };
    runtime.block_on(journal.contest(&contest)).unwrap();
    let income = decided.event.content.inputs.keys().position(|name| name == "AMT_INCOME_TOTAL").unwrap();

    let exports = tempfile::tempdir().unwrap();
    let command = format!(
        "{} --journal {} --user rita --export-dir {}",
        quoted(env!("CARGO_BIN_EXE_pad")),
        quoted(&url),
        quoted(&exports.path().to_string_lossy())
    );
    let session = Session::start(&command, root, 140, 40);
    session.wait_for("the first frame", STARTUP, |screen| screen.contains("Clients 1000"));
    session.send_keys(&["R"]);
    session.wait_for("the queue", REACTION, |screen| {
        screen.contains("Contests waiting for a review") && screen.contains("My salary went up in November")
    });
    session.send_keys(&["Enter"]);
    session.wait_for("the replay", REACTION, |screen| screen.contains("bit for bit"));
    for _ in 0..income {
        session.send_keys(&["Down"]);
    }
    session.send_keys(&["e"]);
    for _ in 0..12 {
        session.send_keys(&["BSpace"]);
    }
    session.send_keys(&["-l", "450000"]);
    session.send_keys(&["Enter"]);
    session.send_keys(&["-l", "payslips Oct-Nov 2026"]);
    session.send_keys(&["Enter"]);
    session.wait_for("the corrected score", REACTION, |screen| {
        screen.contains("With the corrections") && screen.contains("→ 450000")
    });
    session.send_keys(&["o", "t"]);
    session.send_keys(&["-l", "The payslips show the income is now 450,000."]);
    session.send_keys(&["Enter", "r"]);
    session.wait_for("the review recorded", REACTION, |screen| screen.contains("review recorded as event #3"));
    session.send_keys(&["x"]);
    session.wait_for("the sheet", REACTION, |_| std::fs::read_dir(exports.path()).map_or(0, Iterator::count) == 2);
    session.send_keys(&["Escape"]);
    session.wait_for("the empty queue", REACTION, |screen| screen.contains("no contest waits for a review"));
    session.send_keys(&["Escape"]);
    session.wait_for("the dashboard", REACTION, |screen| !screen.contains("Contests waiting"));
    session.quit_cleanly();
    // The journal holds the decision, the contest and the review, in this order.
    let case = runtime.block_on(journal.case(decided.event.id)).unwrap();
    assert_eq!(case.state(), CaseState::Overturned);
    let kinds: Vec<(i64, &str)> = case.events.iter().map(|event| (event.id, event.content.columns().kind)).collect();
    assert_eq!(kinds, vec![(2, "contest"), (3, "review")]);
    let CaseContent::Review(review) = &case.events[1].content else { panic!("{case:?}") };
    assert_eq!((review.by.as_str(), review.corrections[0].field.as_str()), ("rita", "AMT_INCOME_TOTAL"));
    assert_eq!(review.corrections[0].corrected, serde_json::json!(450000.0));
    assert_eq!(runtime.block_on(journal.verify()).unwrap().broken, None);
    let sheet = std::fs::read_dir(exports.path())
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .find(|path| path.extension().is_some_and(|extension| extension == "md"))
        .unwrap();
    assert!(sheet.to_string_lossy().contains("client-400007-en-"), "{}", sheet.display());
    let text = std::fs::read_to_string(&sheet).unwrap();
    assert!(text.contains("follows the review of your contest") && text.contains("(client 400007)"), "{text}");
}
