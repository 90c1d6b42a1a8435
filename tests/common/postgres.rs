//! A real PostgreSQL 15 server for the journal tests, started once per test binary from the
//! PostgreSQL binaries (`/usr/lib/postgresql/15/bin`, or `PAD_PG_BIN`): `initdb` in a
//! temporary folder (as the `postgres` user when the tests run as root, since initdb refuses
//! root), on a free loopback port, with password authentication over TCP.
//!
//! A watchdog process stops the server and removes its folder as soon as the test process is
//! gone, whether the tests passed, failed or panicked. A missing PostgreSQL fails the tests
//! (CI installs it: `.ci/run`), it never skips them.
#![allow(dead_code)]

use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU32, Ordering};

/// The password of the `postgres` user of the test server.
pub const PASSWORD: &str = "pad-test-secret";

/// The running test server.
pub struct PgServer {
    /// Its port on 127.0.0.1.
    pub port: u16,
    /// Its folder (data, socket, log).
    pub folder: PathBuf,
}

static SERVER: OnceLock<PgServer> = OnceLock::new();
static DATABASES: AtomicU32 = AtomicU32::new(0);

fn bin_folder() -> PathBuf {
    std::env::var_os("PAD_PG_BIN").map_or_else(|| PathBuf::from("/usr/lib/postgresql/15/bin"), PathBuf::from)
}

fn is_root() -> bool {
    Command::new("id").arg("-u").output().is_ok_and(|output| String::from_utf8_lossy(&output.stdout).trim() == "0")
}

/// Runs a PostgreSQL program, as `postgres` when we are root.
fn pg_command(program: &str) -> Command {
    let path = bin_folder().join(program);
    if is_root() {
        let mut command = Command::new("runuser");
        command.args(["-u", "postgres", "--"]).arg(path);
        command
    } else {
        Command::new(path)
    }
}

fn run(mut command: Command, what: &str) {
    let output = command.output().unwrap_or_else(|error| panic!("cannot run {what}: {error}"));
    assert!(
        output.status.success(),
        "{what} failed: {}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .map(|addr| addr.port())
        .unwrap()
}

/// The test server, started at the first call (without fsync: tests need no durability).
pub fn server() -> &'static PgServer {
    SERVER.get_or_init(|| start(false))
}

/// Starts a server; `durable`: with PostgreSQL's default fsync, for benchmarks.
pub fn start(durable: bool) -> PgServer {
    let initdb = bin_folder().join("initdb");
    assert!(
        initdb.exists(),
        "PostgreSQL 15 is needed by the journal tests and {} is missing: install it (Debian: apt-get install \
         postgresql-15; .ci/run does) or set PAD_PG_BIN to its bin folder",
        initdb.display()
    );
    let folder = std::env::temp_dir().join(format!("pad-pg-{}-{}", std::process::id(), free_port()));
    std::fs::create_dir_all(&folder).unwrap();
    let data = folder.join("data");
    let password_file = folder.join("password");
    std::fs::write(&password_file, PASSWORD).unwrap();
    if is_root() {
        run(
            {
                let mut chown = Command::new("chown");
                chown.args(["-R", "postgres:postgres"]).arg(&folder);
                chown
            },
            "chown",
        );
    }
    let mut init = pg_command("initdb");
    init.arg("-D")
        .arg(&data)
        .args(["-U", "postgres", "-E", "UTF8", "--no-sync", "--auth-local=trust", "--auth-host=scram-sha-256"])
        .arg(format!("--pwfile={}", password_file.display()));
    run(init, "initdb");
    let port = free_port();
    // The watchdog: once this test process is gone, stop the server and remove its folder.
    let pg_ctl = bin_folder().join("pg_ctl");
    let stop = if is_root() {
        format!("runuser -u postgres -- {} -D {} stop -m immediate", pg_ctl.display(), data.display())
    } else {
        format!("{} -D {} stop -m immediate", pg_ctl.display(), data.display())
    };
    let script = format!(
        "while kill -0 {pid} 2>/dev/null; do sleep 0.3; done; {stop} >/dev/null 2>&1; rm -rf {folder}",
        pid = std::process::id(),
        folder = folder.display()
    );
    // Never waited for on purpose: it outlives this process to stop the server after it.
    #[allow(clippy::zombie_processes)]
    let _watchdog = Command::new("sh")
        .args(["-c", &script])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut start = pg_command("pg_ctl");
    start
        .arg("-D")
        .arg(&data)
        .arg("-l")
        .arg(folder.join("log"))
        .arg("-o")
        .arg(format!(
            "-p {port} -k {} -c listen_addresses=127.0.0.1 -c fsync={} -c max_connections=200",
            folder.display(),
            if durable { "on" } else { "off" }
        ))
        .args(["-w", "-t", "60", "start"]);
    run(start, "pg_ctl start");
    PgServer { port, folder }
}

impl PgServer {
    /// The URL of a database on the server.
    pub fn url(&self, database: &str) -> String {
        format!("postgres://postgres:{PASSWORD}@127.0.0.1:{}/{database}", self.port)
    }

    /// A new empty database, for one test; its URL.
    pub async fn fresh_database(&self) -> String {
        use sqlx::Connection;
        let name = format!("journal_{}", DATABASES.fetch_add(1, Ordering::Relaxed));
        let mut connection = sqlx::PgConnection::connect(&self.url("postgres")).await.unwrap();
        sqlx::query(&format!("CREATE DATABASE {name}")).execute(&mut connection).await.unwrap();
        let _ = connection.close().await;
        self.url(&name)
    }
}

/// Runs each named async test body (taking a journal URL) on SQLite (a fresh file in a
/// temporary folder) and on PostgreSQL (a fresh database of the test server).
#[macro_export]
macro_rules! both {
    ($($name:ident),+ $(,)?) => {
        $(
            mod $name {
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn sqlite() {
                    let folder = tempfile::tempdir().unwrap();
                    let url = format!("sqlite://{}", folder.path().join("journal.sqlite").display());
                    super::$name(&url).await;
                }

                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn postgres() {
                    let url = super::postgres::server().fresh_database().await;
                    super::$name(&url).await;
                }
            }
        )+
    };
}

/// Runs `statement` on the journal at `url` (SQLite or PostgreSQL) behind pad's back.
#[allow(dead_code)]
pub async fn sql(url: &str, statement: &str) {
    use sqlx::Connection;
    if url.starts_with("sqlite://") {
        let mut connection = sqlx::SqliteConnection::connect(url).await.unwrap();
        sqlx::raw_sql(statement).execute(&mut connection).await.unwrap();
    } else {
        let mut connection = sqlx::PgConnection::connect(url).await.unwrap();
        sqlx::raw_sql(statement).execute(&mut connection).await.unwrap();
    }
}
