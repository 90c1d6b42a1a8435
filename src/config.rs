//! Checked settings for the scoring commands, built once from the raw CLI arguments.
//!
//! Uses: cli (raw arguments), domain (threshold, card summary), error.

use std::path::{Path, PathBuf};

use crate::cli::{DashboardArgs, Format, ScoringArgs, ServeArgs, SourceArgs};
use crate::domain::{ModelCard, Threshold};
use crate::error::ConfigError;

/// Checked settings shared by `predict` and `explain`.
#[derive(Debug, Clone)]
pub struct ScoringConfig {
    /// The LightGBM text model.
    pub model: PathBuf,
    /// The client table.
    pub data: PathBuf,
    /// Output format.
    pub format: Format,
    /// Output file; standard output when `None`.
    pub out: Option<PathBuf>,
    /// Whether to print throughput to standard error.
    pub timing: bool,
    /// Worker threads; `None` for one per core.
    pub threads: Option<usize>,
    /// Credit-history tables given apart from the client table.
    pub tables: crate::data::history::HistoryFiles,
}

impl ScoringConfig {
    /// Checks the raw arguments.
    pub fn from_args(args: &ScoringArgs) -> Result<ScoringConfig, ConfigError> {
        if args.threads == Some(0) {
            return Err(ConfigError::Threads);
        }
        Ok(ScoringConfig {
            model: or_bundled(&args.model, DEFAULT_MODEL),
            data: or_bundled(&args.data, DEFAULT_DATA),
            format: args.format,
            out: args.out.clone(),
            timing: args.timing,
            threads: args.threads,
            tables: tables_for(&args.data, BUNDLED_APPLICANT_TABLES, &args.tables)?,
        })
    }
}

/// Checked settings of the dashboard.
#[derive(Debug, Clone)]
pub struct DashboardConfig {
    /// The model and data files.
    pub sources: LocalSources,
    /// Where logs go; nowhere when `None`.
    pub log: Option<PathBuf>,
    /// Whether to print startup and key latencies on exit.
    pub timing: bool,
    /// Where exports are written.
    pub export_dir: PathBuf,
    /// The customer's language when the customer view opens.
    pub language: crate::domain::format::Language,
    /// Whether to try terminal images for charts.
    pub graphics: GraphicsMode,
    /// A `pad serve` to score through instead of `sources`.
    pub remote: Option<RemoteConfig>,
    /// Fail right after taking over the terminal (for the terminal tests).
    pub fail_at_start: Option<StartFailure>,
    /// The decision journal (local mode; in remote mode the server's records).
    pub journal: crate::journal::JournalUrl,
    /// The relationship manager recording decisions.
    pub rm: String,
    /// The keys file given with `--keys` or `PAD_KEYS`; `None`: `keys.toml` in the user's
    /// configuration folder when there is one, else the default keys.
    pub keys: Option<PathBuf>,
}

/// How the dashboard fails on purpose after taking over the terminal.
pub use crate::cli::StartFailure;

/// A `pad serve` the dashboard scores through.
#[derive(Clone, PartialEq, Eq)]
pub struct RemoteConfig {
    /// Its base URL.
    pub url: String,
    /// Its bearer token.
    pub token: Option<String>,
}

impl std::fmt::Debug for RemoteConfig {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let token = self.token.as_ref().map(|_| "…");
        formatter.debug_struct("RemoteConfig").field("url", &self.url).field("token", &token).finish()
    }
}

/// Checked settings of `pad serve`.
#[derive(Clone)]
pub struct ServeConfig {
    /// Where to listen.
    pub addr: std::net::SocketAddr,
    /// The model and data files.
    pub sources: LocalSources,
    /// The bearer token to require (`PAD_API_TOKEN`).
    pub token: Option<String>,
    /// The name of the service account `PAD_API_TOKEN` signs in as (`--service-name`,
    /// normalised as a user name): what it records is recorded under this name.
    pub service_name: String,
    /// Whether the address is reachable from other machines with no PAD_API_TOKEN and no
    /// `--no-token`: refused unless the journal has users (who need their tokens).
    pub exposed_without_token: bool,
    /// Bounds on requests.
    pub limits: Limits,
    /// Log lines as JSON.
    pub json_logs: bool,
    /// The decision journal.
    pub journal: crate::journal::JournalUrl,
    /// Signing checkpoints of the journal periodically, when asked.
    pub checkpoints: Option<Checkpointing>,
}

/// `pad serve --checkpoint-key FILE --checkpoint-every SECONDS`.
#[derive(Debug, Clone)]
pub struct Checkpointing {
    /// The journal's signing key.
    pub signer: std::sync::Arc<crate::journal::evidence::note::NoteSigner>,
    /// The checkpoints' origin line (the key's name).
    pub origin: String,
    /// Time between two checkpoints (one is signed at start).
    pub every: std::time::Duration,
}

impl std::fmt::Debug for ServeConfig {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("ServeConfig")
            .field("addr", &self.addr)
            .field("sources", &self.sources)
            .field("token", &self.token.as_ref().map(|_| "…"))
            .field("limits", &self.limits)
            .finish()
    }
}

/// The files a [`crate::scoring::LocalScorer`] reads.
#[derive(Debug, Clone)]
pub struct LocalSources {
    /// The LightGBM text model; its card `model.json` beside it is read if present.
    pub model: PathBuf,
    /// Current applicants (CSV or Parquet with `SK_ID_CURR`).
    pub applicants: PathBuf,
    /// The reference population: a history with `TARGET`.
    pub history: PathBuf,
    /// A threshold overriding the card's.
    pub threshold: Option<f64>,
    /// Credit-history tables of the applicants given apart (flags, or the bundled ones).
    pub applicant_tables: crate::data::history::HistoryFiles,
    /// Credit-history tables of the reference population given apart.
    pub history_tables: crate::data::history::HistoryFiles,
}

/// The files to score with: those given, else the bundled ones; the threshold checked.
pub fn local_sources(args: &SourceArgs) -> Result<LocalSources, ConfigError> {
    if let Some(value) = args.threshold
        && Threshold::new(value).is_none()
    {
        return Err(ConfigError::Threshold { value, origin: "--threshold".into() });
    }
    Ok(LocalSources {
        model: or_bundled(&args.model, DEFAULT_MODEL),
        applicants: or_bundled(&args.data, DEFAULT_DATA),
        history: or_bundled(&args.history, DEFAULT_HISTORY),
        threshold: args.threshold,
        applicant_tables: tables_for(&args.data, BUNDLED_APPLICANT_TABLES, &args.tables)?,
        history_tables: tables_for(&args.history, BUNDLED_HISTORY_TABLES, &args.tables)?,
    })
}

/// The folder of the bundled applicants' credit-history tables.
pub const BUNDLED_APPLICANT_TABLES: &str = "data/applicants";
/// The folder of the bundled history's credit-history tables.
pub const BUNDLED_HISTORY_TABLES: &str = "data/history";

/// The bundled credit-history tables in `folder` (relative to the bundled files), when there.
pub fn bundled_tables(folder: &str) -> crate::data::history::HistoryFiles {
    let path = bundled(folder);
    if path.is_dir() {
        crate::data::history::HistoryFiles::in_folder(&path).unwrap_or_default()
    } else {
        Default::default()
    }
}

/// The tables of a client table: those given by flags, else the bundled ones when the client
/// table is a bundled one (`default_folder`'s when not given; given by its path,
/// `data/applicants.csv` goes with `data/applicants/` and `data/history.parquet` with
/// `data/history/`, whichever flag names it).
pub fn tables_for(
    given: &Option<PathBuf>,
    default_folder: &str,
    flags: &crate::cli::HistoryArgs,
) -> Result<crate::data::history::HistoryFiles, ConfigError> {
    let files = history_files(flags)?;
    if !files.is_empty() {
        return Ok(files);
    }
    let Some(path) = given else {
        return Ok(bundled_tables(default_folder));
    };
    let stem = path.is_file().then(|| path.with_extension("").canonicalize().ok()).flatten();
    let folder = [BUNDLED_APPLICANT_TABLES, BUNDLED_HISTORY_TABLES]
        .into_iter()
        .find(|folder| stem.is_some() && bundled(folder).canonicalize().ok() == stem);
    Ok(folder.map(bundled_tables).unwrap_or(files))
}

/// An `IP:PORT` or `HOST:PORT` (e.g. `localhost:8000`), resolved to its first address.
fn socket_address(text: &str) -> Result<std::net::SocketAddr, ConfigError> {
    use std::net::ToSocketAddrs;
    let text = text.trim();
    if let Ok(addr) = text.parse() {
        return Ok(addr);
    }
    text.to_socket_addrs().ok().and_then(|mut addrs| addrs.next()).ok_or_else(|| ConfigError::Address(text.to_string()))
}

/// Bounds on what one request may ask.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Largest request body, in bytes.
    pub max_body_bytes: usize,
    /// Most items in one `POST /predict/batch`.
    pub max_batch: usize,
    /// Longest time a request may take.
    pub timeout: std::time::Duration,
    /// Most pieces of scorer work (TreeSHAP, searches, portfolios) running at once; more wait
    /// their turn, within the timeout.
    pub concurrency: usize,
    /// Longest wait for a request's header on a connection, new or kept alive between
    /// requests; then the connection is closed.
    pub header_timeout: std::time::Duration,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_body_bytes: 1 << 20,
            max_batch: 1000,
            timeout: std::time::Duration::from_secs(30),
            concurrency: 64,
            header_timeout: std::time::Duration::from_secs(10),
        }
    }
}

/// The environment variable holding the API's bearer token.
pub const TOKEN_VARIABLE: &str = "PAD_API_TOKEN";

impl ServeConfig {
    /// Checks the raw arguments and the token (`token`, read from [`TOKEN_VARIABLE`]).
    pub fn from_args(args: &ServeArgs, token: Option<String>) -> Result<ServeConfig, ConfigError> {
        let addr = socket_address(&args.addr)?;
        if token.as_deref().is_some_and(|token| token.trim().is_empty()) {
            return Err(ConfigError::EmptyToken);
        }
        let positive =
            |value: usize, flag: &'static str| if value == 0 { Err(ConfigError::Zero(flag)) } else { Ok(value) };
        Ok(ServeConfig {
            addr,
            exposed_without_token: token.is_none() && !addr.ip().is_loopback() && !args.no_token,
            sources: local_sources(&args.sources)?,
            token,
            service_name: crate::journal::check_name(&args.service_name)
                .map_err(|error| ConfigError::ServiceName(error.to_string()))?,
            limits: Limits {
                max_body_bytes: positive(args.max_body, "--max-body")?,
                max_batch: positive(args.max_batch, "--max-batch")?,
                timeout: std::time::Duration::from_secs(positive(args.timeout as usize, "--timeout")? as u64),
                concurrency: positive(args.concurrency, "--concurrency")?,
                header_timeout: std::time::Duration::from_secs(positive(
                    args.header_timeout as usize,
                    "--header-timeout",
                )? as u64),
            },
            json_logs: args.log_format == crate::cli::LogFormat::Json,
            journal: journal_url(&args.journal)?,
            checkpoints: checkpointing(args.checkpoint_key.as_deref(), args.checkpoint_every)?,
        })
    }
}

/// Reads `--checkpoint-key` (and checks `--checkpoint-every`).
fn checkpointing(key: Option<&std::path::Path>, every: u64) -> Result<Option<Checkpointing>, ConfigError> {
    let Some(path) = key else {
        return Ok(None);
    };
    let failed = |message: String| ConfigError::CheckpointKey { path: path.display().to_string(), message };
    if every == 0 {
        return Err(ConfigError::Zero("--checkpoint-every"));
    }
    let text = std::fs::read_to_string(path).map_err(|error| failed(format!("cannot read it: {error}")))?;
    let signer = crate::journal::evidence::note::NoteSigner::parse(&text).map_err(|error| failed(error.to_string()))?;
    Ok(Some(Checkpointing {
        origin: signer.name().to_string(),
        signer: std::sync::Arc::new(signer),
        every: std::time::Duration::from_secs(every),
    }))
}

/// Whether the dashboard tries terminal images for charts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum GraphicsMode {
    /// Ask terminals that announce graphics support; use images when they have it.
    #[default]
    Auto,
    /// Ask the terminal whatever it announces.
    On,
    /// Text widgets only.
    Off,
}

/// The language a command-line choice names.
pub fn language(lang: crate::cli::Lang) -> crate::domain::format::Language {
    match lang {
        crate::cli::Lang::En => crate::domain::format::Language::En,
        crate::cli::Lang::Fr => crate::domain::format::Language::Fr,
    }
}

/// The bundled applicants.
pub const DEFAULT_DATA: &str = "data/applicants.csv";
/// The bundled history.
pub const DEFAULT_HISTORY: &str = "data/history.parquet";
/// The shipped model.
pub const DEFAULT_MODEL: &str = "assets/model.txt";

impl DashboardConfig {
    /// Checks the raw arguments; missing paths become the bundled files.
    pub fn from_args(args: &DashboardArgs) -> Result<DashboardConfig, ConfigError> {
        Ok(DashboardConfig {
            sources: local_sources(&args.sources)?,
            log: args.log.clone(),
            timing: args.timing,
            export_dir: if args.export_dir.as_os_str().is_empty() {
                PathBuf::from(".")
            } else {
                args.export_dir.clone()
            },
            language: language(args.lang),
            graphics: match args.graphics {
                crate::cli::Graphics::Auto => GraphicsMode::Auto,
                crate::cli::Graphics::On => GraphicsMode::On,
                crate::cli::Graphics::Off => GraphicsMode::Off,
            },
            fail_at_start: args.fail_at_start,
            keys: args.keys.clone().filter(|path| !path.as_os_str().is_empty()),
            journal: journal_url(&args.journal)?,
            rm: args
                .rm
                .clone()
                .or_else(os_user)
                .map(|name| name.trim().to_string())
                .filter(|name| !name.is_empty())
                .unwrap_or_else(|| "rm".to_string()),
            remote: match &args.remote {
                Some(url) => {
                    let url = url.trim().to_string();
                    if !(url.starts_with("http://") || url.starts_with("https://")) {
                        return Err(ConfigError::RemoteUrl(url));
                    }
                    let token = args.token.clone().filter(|token| !token.trim().is_empty());
                    Some(RemoteConfig { url, token })
                }
                None => None,
            },
        })
    }
}

/// The path given, else the bundled file `default` (see [`bundled`]).
pub fn or_bundled(path: &Option<PathBuf>, default: &str) -> PathBuf {
    path.clone().unwrap_or_else(|| bundled(default))
}

/// A bundled file: in the current folder if it is there, else beside the package's sources
/// (so `cargo run` works from any folder of the checkout).
pub fn bundled(relative: &str) -> PathBuf {
    let here = PathBuf::from(relative);
    if here.exists() {
        return here;
    }
    let packaged = Path::new(env!("CARGO_MANIFEST_DIR")).join(relative);
    if packaged.exists() { packaged } else { here }
}

/// Where the decision threshold came from.
#[derive(Debug, Clone, PartialEq)]
pub enum ThresholdSource {
    /// Given on the command line.
    Argument,
    /// Read from the model card at this path.
    Card(PathBuf),
    /// Neither: LightGBM's usual 0.5.
    Default,
    /// The card at this path was read but gives no threshold (`null` or absent): 0.5.
    CardWithoutThreshold(PathBuf),
}

impl ThresholdSource {
    /// Says where the threshold came from, in a few words.
    pub fn describe(&self) -> String {
        match self {
            ThresholdSource::Argument => "--threshold".into(),
            ThresholdSource::Card(_) => "model card".into(),
            ThresholdSource::Default => "default 0.5, no model card".into(),
            ThresholdSource::CardWithoutThreshold(_) => "default 0.5, the model card has no threshold".into(),
        }
    }

    /// A note for the user when the default threshold is used, saying why.
    pub fn default_note(&self, model: &Path) -> Option<String> {
        match self {
            ThresholdSource::Default => Some(format!(
                "note: no model card (model.json) beside {}: deciding at the default threshold 0.5",
                model.display()
            )),
            ThresholdSource::CardWithoutThreshold(card) => Some(format!(
                "note: the model card {} has no `threshold` (null or absent): deciding at the default threshold 0.5",
                card.display()
            )),
            ThresholdSource::Argument | ThresholdSource::Card(_) => None,
        }
    }
}

/// Largest model card read, in bytes (a card written by `pad train` is a few kilobytes).
pub const MAX_CARD_BYTES: u64 = 16 << 20;

/// The path of the model card beside a model file (`model.json` in the same folder).
pub fn card_path(model: &Path) -> PathBuf {
    model.with_file_name("model.json")
}

/// Reads the model card summary beside `model`, if there is one.
pub fn read_card(model: &Path) -> Result<Option<ModelCard>, ConfigError> {
    use std::io::Read;
    let path = card_path(model);
    let file = match std::fs::File::open(&path) {
        Ok(file) => file,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(cause) => return Err(ConfigError::CardRead { path, cause }),
    };
    let mut text = String::new();
    if let Err(cause) = file.take(MAX_CARD_BYTES + 1).read_to_string(&mut text) {
        return Err(ConfigError::CardRead { path, cause });
    }
    if text.len() as u64 > MAX_CARD_BYTES {
        return Err(ConfigError::CardTooLarge { path, limit_mib: MAX_CARD_BYTES >> 20 });
    }
    parse_card(&text).map(Some).map_err(|cause| match cause {
        CardProblem::NotObject(found) => ConfigError::CardNotObject { path, found },
        CardProblem::Json(cause) => ConfigError::CardJson { path, cause },
    })
}

/// Why a card's text is not a card.
#[derive(Debug)]
pub enum CardProblem {
    /// The JSON value is not an object: what it is instead.
    NotObject(&'static str),
    /// The JSON is malformed or a field has the wrong type.
    Json(serde_json::Error),
}

/// Parses the text of a model card, which must be a JSON object (serde would read `[]` as a
/// card with no fields).
pub fn parse_card(text: &str) -> Result<ModelCard, CardProblem> {
    let found = match text.trim_start().chars().next() {
        Some('{') | None => None,
        Some('[') => Some("an array"),
        Some('"') => Some("a string"),
        Some('n') => Some("null"),
        Some('t' | 'f') => Some("a boolean"),
        Some('-' | '0'..='9') => Some("a number"),
        Some(_) => None,
    };
    match found {
        // Text that is not JSON at all gets the parser's own message, with its position.
        Some(found) if serde_json::from_str::<serde::de::IgnoredAny>(text).is_ok() => {
            Err(CardProblem::NotObject(found))
        }
        _ => serde_json::from_str(text).map_err(CardProblem::Json),
    }
}

/// The threshold to decide with: the argument, else the card's (read from beside `model`),
/// else 0.5; each checked.
pub fn resolve_threshold(
    argument: Option<f64>,
    card: Option<&ModelCard>,
    model: &Path,
) -> Result<(Threshold, ThresholdSource), ConfigError> {
    if let Some(value) = argument {
        let threshold = Threshold::new(value).ok_or(ConfigError::Threshold { value, origin: "--threshold".into() })?;
        return Ok((threshold, ThresholdSource::Argument));
    }
    match card.and_then(|card| card.threshold) {
        Some(value) => {
            let path = card_path(model);
            let threshold = Threshold::new(value)
                .ok_or_else(|| ConfigError::Threshold { value, origin: path.display().to_string() })?;
            Ok((threshold, ThresholdSource::Card(path)))
        }
        None if card.is_some() => Ok((Threshold::DEFAULT, ThresholdSource::CardWithoutThreshold(card_path(model)))),
        None => Ok((Threshold::DEFAULT, ThresholdSource::Default)),
    }
}

/// The history tables given by flags, each at most once.
pub fn history_files(args: &crate::cli::HistoryArgs) -> Result<crate::data::history::HistoryFiles, ConfigError> {
    use crate::data::history::HistoryKind;
    let mut files = crate::data::history::HistoryFiles::default();
    let given = [
        (HistoryKind::Bureau, &args.bureau),
        (HistoryKind::BureauBalance, &args.bureau_balance),
        (HistoryKind::CreditCardBalance, &args.credit_card_balance),
        (HistoryKind::PreviousApplication, &args.previous_application),
        (HistoryKind::PosCashBalance, &args.pos_cash_balance),
        (HistoryKind::InstallmentsPayments, &args.installments_payments),
    ];
    for (kind, path) in given {
        if let Some(path) = path {
            files.add(kind, path.clone()).map_err(|error| ConfigError::History(Box::new(error)))?;
        }
    }
    Ok(files)
}

/// The operating-system user: `USER` (Unix) or `USERNAME` (Windows).
pub fn os_user() -> Option<String> {
    ["USER", "USERNAME", "LOGNAME"]
        .iter()
        .find_map(|variable| std::env::var(variable).ok().filter(|name| !name.trim().is_empty()))
}

/// A `--journal` address; empty means the default file.
pub fn journal_url(text: &str) -> Result<crate::journal::JournalUrl, ConfigError> {
    if text.trim().is_empty() {
        return Ok(crate::journal::JournalUrl::default_sqlite());
    }
    crate::journal::JournalUrl::parse(text).map_err(|error| ConfigError::Journal(error.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn threshold_rules() {
        let dir = tempfile::tempdir();
        assert!(dir.is_ok());
        let Ok(dir) = dir else { return };
        let model = dir.path().join("model.txt");
        // No card: 0.5.
        let resolve = |argument| resolve_threshold(argument, read_card(&model)?.as_ref(), &model);
        let resolved = resolve(None);
        assert!(matches!(resolved, Ok((t, ThresholdSource::Default)) if t.value() == 0.5));
        // The argument is checked.
        let error = resolve(Some(1.2)).err().map(|e| e.to_string());
        assert_eq!(error.as_deref(), Some("the threshold 1.2 (--threshold) is not a probability between 0 and 1"));
        // A card's threshold is used when no argument is given.
        assert!(std::fs::write(dir.path().join("model.json"), r#"{"threshold": 0.31, "other": [1]}"#).is_ok());
        let resolved = resolve(None);
        assert!(matches!(resolved, Ok((t, ThresholdSource::Card(_))) if t.value() == 0.31));
        let resolved = resolve(Some(0.2));
        assert!(matches!(resolved, Ok((t, ThresholdSource::Argument)) if t.value() == 0.2));
        // A broken card is named.
        assert!(std::fs::write(dir.path().join("model.json"), "{\"threshold\": ").is_ok());
        let error = resolve(None).err().map(|e| e.to_string()).unwrap_or_default();
        assert!(error.contains("model.json is not a valid model card"), "{error}");
    }

    #[test]
    fn a_card_without_a_threshold_is_named_as_read() {
        let Ok(dir) = tempfile::tempdir() else { return };
        let model = dir.path().join("model.txt");
        for card in [r#"{"threshold": null}"#, r#"{"model_version": "v1"}"#] {
            assert!(std::fs::write(dir.path().join("model.json"), card).is_ok());
            let resolved = read_card(&model).and_then(|card| resolve_threshold(None, card.as_ref(), &model));
            let Ok((threshold, source)) = resolved else { panic!("{resolved:?}") };
            assert_eq!(threshold.value(), 0.5);
            let note = source.default_note(&model).unwrap_or_default();
            assert!(note.starts_with("note: the model card "), "{note}");
            assert!(
                note.ends_with("model.json has no `threshold` (null or absent): deciding at the default threshold 0.5")
            );
        }
    }

    #[test]
    fn a_card_that_is_not_an_object_is_refused() {
        let Ok(dir) = tempfile::tempdir() else { return };
        let model = dir.path().join("model.txt");
        for (card, found) in [("[]", "an array"), (" \n\"v1\"", "a string"), ("null", "null"), ("0.3", "a number")] {
            assert!(std::fs::write(dir.path().join("model.json"), card).is_ok());
            let error = read_card(&model).err().map(|e| e.to_string()).unwrap_or_default();
            assert!(
                error.ends_with(&format!("model.json is not a model card: it holds {found}, not a JSON object")),
                "{error}"
            );
        }
        // Broken JSON keeps the parser's position.
        assert!(std::fs::write(dir.path().join("model.json"), "[1,").is_ok());
        let error = read_card(&model).err().map(|e| e.to_string()).unwrap_or_default();
        assert!(error.contains("is not a valid model card: EOF while parsing a value at line 1 column 3"), "{error}");
    }
}
