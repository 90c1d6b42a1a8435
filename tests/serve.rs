//! The real `pad serve` on a free loopback port: its answers for 100 clients equal `pad
//! predict` and `pad explain` on the same files, the token guards it, bad settings stop it
//! with a message, and SIGTERM stops it cleanly.

mod common;

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

/// A running `pad serve` and what it has logged so far.
struct Server {
    child: Child,
    url: String,
    log: Arc<Mutex<Vec<String>>>,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Starts `pad serve` on port 0 and waits for the address it listens on.
fn start(token: Option<&str>) -> Server {
    start_with(token, &[])
}

/// [`start`] with more arguments.
fn start_with(token: Option<&str>, args: &[&str]) -> Server {
    let mut command = Command::new(env!("CARGO_BIN_EXE_pad"));
    command
        .args(["serve", "--addr", "127.0.0.1:0"])
        .args(args)
        .current_dir(root())
        .env("RUST_LOG", "info")
        .env_remove("PAD_API_TOKEN")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    if let Some(token) = token {
        command.env("PAD_API_TOKEN", token);
    }
    let mut child = command.spawn().unwrap();
    let stderr = child.stderr.take().unwrap();
    let log = Arc::new(Mutex::new(Vec::new()));
    let (sender, receiver) = std::sync::mpsc::channel();
    let lines = Arc::clone(&log);
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if let Some(at) = line.find("listening on http://") {
                let url: String = line[at + "listening on ".len()..].split_whitespace().next().unwrap().to_string();
                let _ = sender.send(url);
            }
            lines.lock().unwrap().push(line);
        }
    });
    let url = receiver.recv_timeout(Duration::from_secs(120)).unwrap_or_else(|_| {
        panic!("pad serve did not start:\n{}", log.lock().unwrap().join("\n"));
    });
    Server { child, url, log }
}

/// Runs `pad ARGS` and parses its JSON output.
fn pad_json(args: &[&str]) -> Vec<Value> {
    let output = Command::new(env!("CARGO_BIN_EXE_pad")).args(args).current_dir(root()).output().unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    serde_json::from_slice::<Vec<Value>>(&output.stdout).unwrap()
}

async fn post(client: &reqwest::Client, url: &str, body: &Value) -> Value {
    let response = client.post(url).json(body).send().await.unwrap();
    assert!(response.status().is_success(), "{url}: {}", response.status());
    response.json().await.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_server_answers_like_pad_predict_and_pad_explain_for_100_clients() {
    let server = start(None);
    let data = ["--model", "assets/model.txt", "--data", "data/applicants.csv", "--format", "json"];
    let predicted = pad_json(&[&["predict"], &data[..]].concat());
    let explained = pad_json(&[&["explain"], &data[..]].concat());
    let client = reqwest::Client::new();
    let model: Value = client.get(format!("{}/model", server.url)).send().await.unwrap().json().await.unwrap();
    let features: Vec<String> =
        model["features"].as_array().unwrap().iter().map(|f| f["name"].as_str().unwrap().to_string()).collect();
    let mut refused = 0;
    // Every tenth of the 1000 applicants.
    for (expected, contributions) in predicted.iter().zip(&explained).step_by(10) {
        let id = expected["SK_ID_CURR"].as_i64().unwrap();
        assert_eq!(contributions["SK_ID_CURR"].as_i64().unwrap(), id);
        // Incomplete applications too: pad predict's INCOMPLETE is the server's.
        let body = json!({"client_id": id, "allow_incomplete": true});
        let answer = post(&client, &format!("{}/predict", server.url), &body).await;
        let probability = expected["probability"].as_f64().unwrap();
        assert!((answer["probability"].as_f64().unwrap() - probability).abs() <= 1e-12, "client {id}");
        assert_eq!(answer["decision"], expected["decision"], "client {id}");
        refused += usize::from(answer["decision"] == "REFUSED");

        let answer = post(&client, &format!("{}/explain", server.url), &body).await;
        assert!((answer["probability"].as_f64().unwrap() - probability).abs() <= 1e-12, "client {id}");
        let expected_value = contributions["expected_value"].as_f64().unwrap();
        assert!((answer["expected_value"].as_f64().unwrap() - expected_value).abs() <= 1e-12, "client {id}");
        let served = answer["contributions"].as_array().unwrap();
        assert_eq!(served.len(), features.len());
        for (contribution, name) in served.iter().zip(&features) {
            assert_eq!(contribution["feature"], name.as_str());
            let batch = contributions[name.as_str()].as_f64().unwrap();
            let log_odds = contribution["log_odds"].as_f64().unwrap();
            assert!((log_odds - batch).abs() <= 1e-12, "client {id}, {name}: {log_odds} vs {batch}");
        }
    }
    assert!(refused > 0 && refused < 100, "both decisions are checked ({refused} refused)");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_token_guards_every_route_but_health() {
    let server = start(Some("s3cret"));
    let client = reqwest::Client::new();
    let health = client.get(format!("{}/health", server.url)).send().await.unwrap();
    assert_eq!(health.status(), 200);
    let refused = client.get(format!("{}/model", server.url)).send().await.unwrap();
    assert_eq!(refused.status(), 401);
    let body: Value = refused.json().await.unwrap();
    assert_eq!(body["error"]["code"], "unauthorized");
    let wrong = client.get(format!("{}/model", server.url)).bearer_auth("s3cre").send().await.unwrap();
    assert_eq!(wrong.status(), 401);
    let allowed = client.get(format!("{}/model", server.url)).bearer_auth("s3cret").send().await.unwrap();
    assert_eq!(allowed.status(), 200);
    let log = server.log.lock().unwrap().join("\n");
    assert!(!log.contains("s3cret"), "the token never reaches the log:\n{log}");
}

#[test]
fn sigterm_stops_the_server_cleanly() {
    let mut server = start(None);
    let pid = server.child.id().to_string();
    let killed = Command::new("kill").args(["-TERM", &pid]).status().unwrap();
    assert!(killed.success());
    let deadline = Instant::now() + Duration::from_secs(20);
    let status = loop {
        if let Some(status) = server.child.try_wait().unwrap() {
            break status;
        }
        assert!(Instant::now() < deadline, "still running 20 s after SIGTERM");
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(status.success(), "{status}");
    // The reader thread may still be draining the last lines.
    std::thread::sleep(Duration::from_millis(200));
    let log = server.log.lock().unwrap().join("\n");
    assert!(log.contains("SIGTERM") && log.contains("stopped"), "{log}");
}

#[test]
fn bad_settings_stop_before_listening_with_a_message() {
    let run = |args: &[&str], token: Option<&str>| {
        let mut command = Command::new(env!("CARGO_BIN_EXE_pad"));
        command.args(args).current_dir(root()).env_remove("PAD_API_TOKEN").stdin(Stdio::null());
        if let Some(token) = token {
            command.env("PAD_API_TOKEN", token);
        }
        let output = command.output().unwrap();
        assert!(!output.status.success(), "{args:?} should fail");
        String::from_utf8_lossy(&output.stderr).to_string()
    };
    let exposed = run(&["serve", "--addr", "0.0.0.0:0"], None);
    assert!(exposed.contains("PAD_API_TOKEN") && exposed.contains("--no-token"), "{exposed}");
    let address = run(&["serve", "--addr", "port eight thousand"], None);
    assert!(address.contains("--addr port eight thousand"), "{address}");
    let empty = run(&["serve"], Some(""));
    assert!(empty.contains("PAD_API_TOKEN is set but empty"), "{empty}");
    let zero = run(&["serve", "--max-batch", "0"], None);
    assert!(zero.contains("--max-batch must be at least 1"), "{zero}");
    let model = run(&["serve", "--model", "no/such/model.txt"], None);
    assert!(model.contains("no/such/model.txt"), "{model}");
    let remote = run(&["--remote", "127.0.0.1:8000"], None);
    assert!(remote.contains("http://127.0.0.1:8000"), "{remote}");
}

#[test]
fn connections_that_send_no_request_in_time_are_closed() {
    use std::io::{Read, Write};
    let server = start_with(None, &["--header-timeout", "1"]);
    let address = server.url.trim_start_matches("http://").to_string();
    let closed_within = |stream: &mut std::net::TcpStream| {
        let start = Instant::now();
        stream.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
        let mut buffer = [0; 4096];
        loop {
            match stream.read(&mut buffer) {
                Ok(0) => return start.elapsed(),
                Ok(_) => continue,
                // A reset is a close too.
                Err(error) if error.kind() == std::io::ErrorKind::ConnectionReset => return start.elapsed(),
                Err(error) => panic!("still open after {:?}: {error}", start.elapsed()),
            }
        }
    };
    // Half-open: connects, sends nothing.
    let mut silent = std::net::TcpStream::connect(&address).unwrap();
    // Half a header, then nothing (a slow client).
    let mut slow = std::net::TcpStream::connect(&address).unwrap();
    slow.write_all(b"GET /health HTTP/1.1\r\nHost: x\r\n").unwrap();
    // One answer, then kept open idle.
    let mut idle = std::net::TcpStream::connect(&address).unwrap();
    idle.write_all(b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n").unwrap();
    let mut answer = [0; 15];
    idle.read_exact(&mut answer).unwrap();
    assert_eq!(&answer, b"HTTP/1.1 200 OK");
    for (what, stream) in [("silent", &mut silent), ("slow", &mut slow), ("idle", &mut idle)] {
        let elapsed = closed_within(stream);
        // --header-timeout 1: closed after about a second (the three waited together).
        assert!(elapsed < Duration::from_secs(5), "{what}: closed after {elapsed:?}");
    }
    // The server still answers.
    let mut fresh = std::net::TcpStream::connect(&address).unwrap();
    fresh.write_all(b"GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").unwrap();
    let mut text = String::new();
    fresh.read_to_string(&mut text).unwrap();
    assert!(text.starts_with("HTTP/1.1 200 OK"), "{text}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn what_a_caller_sends_cannot_forge_log_lines() {
    let server = start(None);
    let client = reqwest::Client::new();
    // A feature name with a newline, a forged log line, an escape and a NUL.
    let name = "x\n2026-01-01T00:00:00Z  INFO forged line\u{1b}[2J\u{0}";
    let answer =
        client.post(format!("{}/predict", server.url)).json(&json!({"features": {name: 1.0}})).send().await.unwrap();
    assert_eq!(answer.status(), 422);
    // The refusal is logged as the request ends; wait for its line.
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let log = server.log.lock().unwrap().clone();
        if let Some(line) = log.iter().find(|line| line.contains("request refused")) {
            assert!(line.contains("x\\n2026-01-01T00:00:00Z  INFO forged line\\x1b[2J\\x00"), "{line}");
            assert!(!log.iter().any(|line| line.starts_with("2026-01-01T00:00:00Z")), "{log:?}");
            assert!(!log.iter().any(|line| line.contains('\u{1b}') || line.contains('\u{0}')), "{log:?}");
            break;
        }
        assert!(Instant::now() < deadline, "no refusal logged: {log:?}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn a_model_with_a_tree_100000_deep_is_refused_at_load_with_its_line() {
    let model = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(model.path(), common::chain_model(99_999, 1)).unwrap();
    let started = Instant::now();
    let output = Command::new(env!("CARGO_BIN_EXE_pad"))
        .args(["serve", "--addr", "127.0.0.1:0", "--model"])
        .arg(model.path())
        .current_dir(root())
        .env_remove("PAD_API_TOKEN")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    // Refused before listening: an error exit (not a crash) naming the tree, its line and the limit.
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("line 11: tree 0: a leaf lies more than 1000 splits below the root"), "{stderr}");
    assert!(started.elapsed() < Duration::from_secs(30), "{:?}", started.elapsed());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_service_account_records_under_the_name_given_at_start_and_never_a_users() {
    let folder = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", folder.path().join("journal.sqlite").display());
    let journal = pad::journal::Journal::open(&pad::journal::JournalUrl::parse(&url).unwrap()).await.unwrap();
    journal.add_user("robot", pad::journal::Role::Rm, 30).await.unwrap();
    journal.close().await;
    // A service account named as a user (in another case), or as a look-alike, does not start;
    // nor one whose name is no login.
    let output = Command::new(env!("CARGO_BIN_EXE_pad"))
        .args(["serve", "--addr", "127.0.0.1:0", "--journal", &url, "--service-name", "desk bot"])
        .current_dir(root())
        .env("PAD_API_TOKEN", "t0ken")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success() && stderr.contains("--service-name: name: `desk bot` holds ' '"), "{stderr}");
    for name in ["ROBOT", "r\u{43e}bot"] {
        let output = Command::new(env!("CARGO_BIN_EXE_pad"))
            .args(["serve", "--addr", "127.0.0.1:0", "--journal", &url, "--service-name", name])
            .current_dir(root())
            .env("PAD_API_TOKEN", "t0ken")
            .stdin(Stdio::null())
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(!output.status.success(), "{name}: {stderr}");
        assert!(stderr.contains("reads as the user robot") && stderr.contains("--service-name"), "{stderr}");
    }
    let server = start_with(Some("t0ken"), &["--journal", &url, "--service-name", "Desk-Bot"]);
    let client = reqwest::Client::new();
    let post = |body: Value| client.post(format!("{}/decisions", server.url)).bearer_auth("t0ken").json(&body).send();
    let served =
        pad_json(&["predict", "--model", "assets/model.txt", "--data", "data/applicants.csv", "--format", "json"]);
    let decided = served.iter().find(|row| row["decision"] != "INCOMPLETE").unwrap()["SK_ID_CURR"].as_i64().unwrap();
    let recorded = post(json!({"client_id": decided})).await.unwrap();
    assert_eq!(recorded.status().as_u16(), 201);
    assert_eq!(recorded.json::<Value>().await.unwrap()["rm"], "desk-bot");
    let refused = post(json!({"client_id": decided, "rm": "robot"})).await.unwrap();
    assert_eq!(refused.status().as_u16(), 422);
    let body: Value = refused.json().await.unwrap();
    assert_eq!(body["error"]["field"], "rm", "{body}");
    assert!(body["error"]["message"].as_str().unwrap().contains("the service account desk-bot"), "{body}");
}
