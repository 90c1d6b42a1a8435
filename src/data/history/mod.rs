//! The client's credit history: Kaggle's tables beside the application table, read and checked.
//!
//! A client table may be a folder in Kaggle's layout (`application_train` or
//! `application_test`, as CSV or Parquet, plus any of `bureau`, `bureau_balance`,
//! `credit_card_balance`, `previous_application`, `POS_CASH_balance`,
//! `installments_payments`), and a table may be given by its own flag (`--bureau FILE`…).
//!
//! Each table is read with Kaggle's column types and the same bad-input rules as the
//! application table (file, line and column named), plus:
//!
//! - a required column missing, or a key (`SK_ID_CURR`, `SK_ID_BUREAU`, `SK_ID_PREV`) empty,
//!   is an error naming the file (and the line);
//! - a bureau credit's `SK_ID_BUREAU` given twice is an error naming both lines;
//! - a bureau-balance `STATUS` outside Kaggle's codes (`C`, `X`, `0`…`5`) is an error naming
//!   the line;
//! - rows of clients that are not in the application table, and bureau-balance rows of
//!   credits that are not in the bureau table, are counted and ignored, with a warning;
//! - a table given twice (in the folder and by a flag) is an error naming both files;
//! - a table that is absent is absent: its features are missing values, never zeros
//!   ([`aggregates`]).
//!
//! Uses: domain (the history records a screen shows).

pub mod aggregates;

use std::path::{Path, PathBuf};

use polars::prelude::*;

use super::DataError;
use super::csv_source::CsvText;
use super::frame::{KindOf, csv_location, read_csv_frame, read_parquet_frame};
use super::schema::{ColumnKind, ID_COLUMN};
use crate::domain::history::{BureauCredit, CardMonth, ClientHistory};

/// One of Kaggle's tables beside the application table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HistoryKind {
    /// `bureau`: every credit the client has or had with other lenders.
    Bureau,
    /// `bureau_balance`: the monthly status of each bureau credit.
    BureauBalance,
    /// `credit_card_balance`: the client's monthly card balances with us.
    CreditCardBalance,
    /// `previous_application`: earlier applications with us (checked, not aggregated).
    PreviousApplication,
    /// `POS_CASH_balance`: monthly balances of point-of-sale and cash loans (checked).
    PosCashBalance,
    /// `installments_payments`: repayments of earlier credits (checked).
    InstallmentsPayments,
}

impl HistoryKind {
    /// Every table, in the order they are read.
    pub const ALL: [HistoryKind; 6] = [
        HistoryKind::Bureau,
        HistoryKind::BureauBalance,
        HistoryKind::CreditCardBalance,
        HistoryKind::PreviousApplication,
        HistoryKind::PosCashBalance,
        HistoryKind::InstallmentsPayments,
    ];

    /// The file name without extension in Kaggle's layout.
    pub fn stem(self) -> &'static str {
        match self {
            HistoryKind::Bureau => "bureau",
            HistoryKind::BureauBalance => "bureau_balance",
            HistoryKind::CreditCardBalance => "credit_card_balance",
            HistoryKind::PreviousApplication => "previous_application",
            HistoryKind::PosCashBalance => "POS_CASH_balance",
            HistoryKind::InstallmentsPayments => "installments_payments",
        }
    }

    /// The command-line flag that gives the table's file.
    pub fn flag(self) -> &'static str {
        match self {
            HistoryKind::Bureau => "--bureau",
            HistoryKind::BureauBalance => "--bureau-balance",
            HistoryKind::CreditCardBalance => "--credit-card-balance",
            HistoryKind::PreviousApplication => "--previous-application",
            HistoryKind::PosCashBalance => "--pos-cash-balance",
            HistoryKind::InstallmentsPayments => "--installments-payments",
        }
    }

    /// The table's stem as written in a card (`bureau`…), or the table it names.
    pub fn from_stem(stem: &str) -> Option<HistoryKind> {
        HistoryKind::ALL.into_iter().find(|kind| kind.stem().eq_ignore_ascii_case(stem))
    }

    /// The key of the table's own rows, when it has one that must be unique.
    fn unique_key(self) -> Option<&'static str> {
        match self {
            HistoryKind::Bureau => Some("SK_ID_BUREAU"),
            HistoryKind::PreviousApplication => Some("SK_ID_PREV"),
            _ => None,
        }
    }

    /// The columns the checks and the features need.
    fn required(self) -> &'static [&'static str] {
        match self {
            HistoryKind::Bureau => &[
                ID_COLUMN,
                "SK_ID_BUREAU",
                "CREDIT_ACTIVE",
                "DAYS_CREDIT",
                "CREDIT_DAY_OVERDUE",
                "AMT_CREDIT_SUM",
                "AMT_CREDIT_SUM_DEBT",
                "AMT_CREDIT_SUM_OVERDUE",
            ],
            HistoryKind::BureauBalance => &["SK_ID_BUREAU", "MONTHS_BALANCE", "STATUS"],
            HistoryKind::CreditCardBalance => &[
                "SK_ID_PREV",
                ID_COLUMN,
                "MONTHS_BALANCE",
                "AMT_BALANCE",
                "AMT_CREDIT_LIMIT_ACTUAL",
                "AMT_DRAWINGS_CURRENT",
                "AMT_INST_MIN_REGULARITY",
                "AMT_PAYMENT_TOTAL_CURRENT",
                "SK_DPD",
            ],
            HistoryKind::PreviousApplication | HistoryKind::PosCashBalance | HistoryKind::InstallmentsPayments => {
                &["SK_ID_PREV", ID_COLUMN]
            }
        }
    }

    /// Kaggle's column types of the table (keys and counts whole numbers, amounts and days
    /// numbers, categories text); `None` for a column outside the table's layout.
    fn kind_of(self) -> KindOf {
        match self {
            HistoryKind::Bureau => bureau_kind,
            HistoryKind::BureauBalance => bureau_balance_kind,
            HistoryKind::CreditCardBalance => card_kind,
            HistoryKind::PreviousApplication => previous_kind,
            HistoryKind::PosCashBalance => pos_cash_kind,
            HistoryKind::InstallmentsPayments => installments_kind,
        }
    }
}

impl std::fmt::Display for HistoryKind {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.write_str(self.stem())
    }
}

fn bureau_kind(name: &str) -> Option<ColumnKind> {
    Some(match name {
        "SK_ID_CURR" | "SK_ID_BUREAU" | "DAYS_CREDIT" | "CREDIT_DAY_OVERDUE" | "CNT_CREDIT_PROLONG"
        | "DAYS_CREDIT_UPDATE" => ColumnKind::Integer,
        "CREDIT_ACTIVE" | "CREDIT_CURRENCY" | "CREDIT_TYPE" => ColumnKind::Text,
        "DAYS_CREDIT_ENDDATE"
        | "DAYS_ENDDATE_FACT"
        | "AMT_CREDIT_MAX_OVERDUE"
        | "AMT_CREDIT_SUM"
        | "AMT_CREDIT_SUM_DEBT"
        | "AMT_CREDIT_SUM_LIMIT"
        | "AMT_CREDIT_SUM_OVERDUE"
        | "AMT_ANNUITY" => ColumnKind::Float,
        _ => return None,
    })
}

fn bureau_balance_kind(name: &str) -> Option<ColumnKind> {
    Some(match name {
        "SK_ID_BUREAU" | "MONTHS_BALANCE" => ColumnKind::Integer,
        "STATUS" => ColumnKind::Text,
        _ => return None,
    })
}

fn card_kind(name: &str) -> Option<ColumnKind> {
    Some(match name {
        "SK_ID_PREV" | "SK_ID_CURR" | "MONTHS_BALANCE" | "SK_DPD" | "SK_DPD_DEF" => ColumnKind::Integer,
        "NAME_CONTRACT_STATUS" => ColumnKind::Text,
        name if name.starts_with("AMT_") || name.starts_with("CNT_") => ColumnKind::Float,
        _ => return None,
    })
}

fn previous_kind(name: &str) -> Option<ColumnKind> {
    Some(match name {
        "SK_ID_PREV" | "SK_ID_CURR" => ColumnKind::Integer,
        name if name.starts_with("AMT_") || name.starts_with("DAYS_") || name.starts_with("CNT_") => ColumnKind::Float,
        _ => return None,
    })
}

fn pos_cash_kind(name: &str) -> Option<ColumnKind> {
    Some(match name {
        "SK_ID_PREV" | "SK_ID_CURR" | "MONTHS_BALANCE" | "SK_DPD" | "SK_DPD_DEF" => ColumnKind::Integer,
        "NAME_CONTRACT_STATUS" => ColumnKind::Text,
        "CNT_INSTALMENT" | "CNT_INSTALMENT_FUTURE" => ColumnKind::Float,
        _ => return None,
    })
}

fn installments_kind(name: &str) -> Option<ColumnKind> {
    Some(match name {
        "SK_ID_PREV" | "SK_ID_CURR" | "NUM_INSTALMENT_NUMBER" => ColumnKind::Integer,
        "NUM_INSTALMENT_VERSION" | "DAYS_INSTALMENT" | "DAYS_ENTRY_PAYMENT" | "AMT_INSTALMENT" | "AMT_PAYMENT" => {
            ColumnKind::Float
        }
        _ => return None,
    })
}

/// The files of the history tables, found in a folder or given by flags.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HistoryFiles {
    files: Vec<(HistoryKind, PathBuf)>,
}

impl HistoryFiles {
    /// Adds a table's file; a table given twice is an error naming both files.
    pub fn add(&mut self, kind: HistoryKind, path: PathBuf) -> Result<(), DataError> {
        if let Some(first) = self.get(kind) {
            return Err(DataError::TableTwice { table: kind.stem(), first: first.to_path_buf(), second: path });
        }
        self.files.push((kind, path));
        self.files.sort();
        Ok(())
    }

    /// The file of a table, when given.
    pub fn get(&self, kind: HistoryKind) -> Option<&Path> {
        self.files.iter().find(|(given, _)| *given == kind).map(|(_, path)| path.as_path())
    }

    /// Whether no table is given.
    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }

    /// The tables found in a folder in Kaggle's layout (`bureau.csv` or `bureau.parquet`…,
    /// names compared without regard to case); both forms of one table is an error.
    pub fn in_folder(folder: &Path) -> Result<HistoryFiles, DataError> {
        let mut files = HistoryFiles::default();
        for kind in HistoryKind::ALL {
            if let Some(path) = find_table(folder, kind.stem())? {
                files.add(kind, path)?;
            }
        }
        Ok(files)
    }

    /// These files and `more`; a table in both is an error naming both files.
    pub fn merged(&self, more: &HistoryFiles) -> Result<HistoryFiles, DataError> {
        let mut merged = self.clone();
        for (kind, path) in &more.files {
            merged.add(*kind, path.clone())?;
        }
        Ok(merged)
    }
}

/// Which application table of a Kaggle folder is wanted when it holds both.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// Past clients with outcomes: `application_train`.
    History,
    /// Current applicants: `application_test`.
    Applicants,
}

/// The file `STEM.csv` or `STEM.parquet` in a folder (case-insensitive); both is an error.
fn find_table(folder: &Path, stem: &str) -> Result<Option<PathBuf>, DataError> {
    let entries = std::fs::read_dir(folder).map_err(|cause| DataError::Read { path: folder.to_path_buf(), cause })?;
    let mut found: Vec<PathBuf> = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|cause| DataError::Read { path: folder.to_path_buf(), cause })?;
        let path = entry.path();
        let (Some(file_stem), Some(extension)) = (path.file_stem(), path.extension()) else { continue };
        let extension = extension.to_string_lossy().to_ascii_lowercase();
        if file_stem.to_string_lossy().eq_ignore_ascii_case(stem) && (extension == "csv" || extension == "parquet") {
            found.push(path);
        }
    }
    found.sort();
    match found.as_slice() {
        [] => Ok(None),
        [one] => Ok(Some(one.clone())),
        [first, second, ..] => Err(DataError::TableTwice {
            table: HistoryKind::from_stem(stem).map_or("application", HistoryKind::stem),
            first: first.clone(),
            second: second.clone(),
        }),
    }
}

/// The application table of a Kaggle folder: `application_train` for a history,
/// `application_test` for applicants, whichever is there when only one is.
pub fn application_in(folder: &Path, role: Role) -> Result<PathBuf, DataError> {
    let train = find_table(folder, "application_train")?;
    let test = find_table(folder, "application_test")?;
    match (train, test, role) {
        (Some(train), Some(_), Role::History) | (Some(train), None, _) => Ok(train),
        (_, Some(test), _) => Ok(test),
        (None, None, _) => Err(DataError::NoApplication { folder: folder.to_path_buf() }),
    }
}

/// Where a table's rows are, for messages.
enum Locator {
    Csv(CsvText),
    Parquet,
}

impl Locator {
    fn at(&self, row: usize) -> String {
        match self {
            Locator::Csv(csv) => csv_location(csv, row),
            Locator::Parquet => format!("row {}", row + 1),
        }
    }
}

/// Reads one table with its Kaggle types and checks its required columns and keys.
fn read_table(kind: HistoryKind, path: &Path) -> Result<(DataFrame, Locator), DataError> {
    let is_parquet = path.extension().is_some_and(|extension| extension.eq_ignore_ascii_case("parquet"));
    let (frame, locator) = if is_parquet {
        (read_parquet_frame(path, kind.kind_of())?, Locator::Parquet)
    } else {
        let csv = CsvText::from_path(path)?;
        (read_csv_frame(&csv, kind.kind_of())?, Locator::Csv(csv))
    };
    let missing: Vec<String> =
        kind.required().iter().filter(|name| frame.column(name).is_err()).map(|name| name.to_string()).collect();
    if !missing.is_empty() {
        return Err(DataError::TableColumns { path: path.to_path_buf(), table: kind.stem(), columns: missing });
    }
    Ok((frame, locator))
}

/// A key column's values; an empty key is an error naming its line.
fn keys(frame: &DataFrame, column: &str, path: &Path, locator: &Locator) -> Result<Vec<i64>, DataError> {
    let values = frame
        .column(column)
        .and_then(|column| column.i64().cloned())
        .map_err(|error| DataError::Unreadable { path: path.to_path_buf(), message: error.to_string() })?;
    let mut keys = Vec::with_capacity(values.len());
    for (row, value) in values.iter().enumerate() {
        match value {
            Some(value) => keys.push(value),
            None => {
                return Err(DataError::EmptyKey {
                    path: path.to_path_buf(),
                    location: locator.at(row),
                    column: column.into(),
                });
            }
        }
    }
    Ok(keys)
}

/// The first key given twice, as an error naming both lines.
fn check_unique(keys: &[i64], column: &str, path: &Path, locator: &Locator) -> Result<(), DataError> {
    let mut order: Vec<u32> = (0..keys.len() as u32).collect();
    order.sort_unstable_by_key(|&row| (keys[row as usize], row));
    for pair in order.windows(2) {
        let (first, second) = (pair[0] as usize, pair[1] as usize);
        if keys[first] == keys[second] {
            return Err(DataError::DuplicateKey {
                path: path.to_path_buf(),
                column: column.into(),
                id: keys[first],
                first: locator.at(first),
                second: locator.at(second),
            });
        }
    }
    Ok(())
}

/// Keeps the rows whose key is known; the others are counted in a warning naming the first.
fn keep_known(
    frame: DataFrame,
    keys: &[i64],
    known: impl Fn(&i64) -> bool,
    what: &str,
    path: &Path,
    locator: &Locator,
    warnings: &mut Vec<String>,
) -> Result<DataFrame, DataError> {
    let mask: BooleanChunked = keys.iter().map(known).collect();
    let ignored = mask.len() - mask.sum().unwrap_or(0) as usize;
    if ignored == 0 {
        return Ok(frame);
    }
    let first = mask.iter().position(|keep| keep != Some(true)).unwrap_or(0);
    warnings.push(format!(
        "{}: {ignored} row(s) of {what} are ignored (the first at {})",
        path.display(),
        locator.at(first)
    ));
    frame.filter(&mask).map_err(|error| DataError::Unreadable { path: path.to_path_buf(), message: error.to_string() })
}

/// The loaded, checked history tables of the clients of one application table.
#[derive(Debug, Clone, Default)]
pub struct CreditHistory {
    tables: Vec<(HistoryKind, PathBuf)>,
    bureau: Option<DataFrame>,
    bureau_balance: Option<DataFrame>,
    card: Option<DataFrame>,
    warnings: Vec<String>,
}

/// The months-past-due level of a status code: 0 to 5 for `0`…`5`, `None` for `C` and `X`.
pub fn status_level(code: &str) -> Option<f64> {
    match code {
        "0" | "1" | "2" | "3" | "4" | "5" => code.parse().ok(),
        _ => None,
    }
}

impl CreditHistory {
    /// Reads and checks the given tables for the clients `ids` of `application`.
    pub fn load(files: &HistoryFiles, ids: &[i64], application: &Path) -> Result<CreditHistory, DataError> {
        let clients: PlHashSet<i64> = ids.iter().copied().collect();
        let app_name =
            application.file_name().map_or_else(|| application.display().to_string(), |n| n.to_string_lossy().into());
        let not_clients = format!("clients that are not in {app_name}");
        let mut history = CreditHistory::default();
        let mut bureau_ids: Option<PlHashMap<i64, i64>> = None;
        for kind in HistoryKind::ALL {
            let Some(path) = files.get(kind) else { continue };
            history.tables.push((kind, path.to_path_buf()));
            let (frame, locator) = read_table(kind, path)?;
            match kind {
                HistoryKind::BureauBalance => {
                    let credits = keys(&frame, "SK_ID_BUREAU", path, &locator)?;
                    check_statuses(&frame, path, &locator)?;
                    let Some(owners) = &bureau_ids else {
                        history.warnings.push(format!(
                            "{}: ignored: the monthly statuses need the bureau table (its credits' clients), which is \
                             not given (--bureau)",
                            path.display()
                        ));
                        continue;
                    };
                    let frame = keep_known(
                        frame,
                        &credits,
                        |credit| owners.contains_key(credit),
                        "credits not in the bureau table",
                        path,
                        &locator,
                        &mut history.warnings,
                    )?;
                    // The client of each month, for the per-client aggregates.
                    let credits = frame.column("SK_ID_BUREAU").and_then(|c| c.i64().cloned()).map_err(|error| {
                        DataError::Unreadable { path: path.to_path_buf(), message: error.to_string() }
                    })?;
                    let owner: Int64Chunked =
                        credits.iter().map(|credit| credit.and_then(|credit| owners.get(&credit).copied())).collect();
                    let mut frame = frame;
                    frame.with_column(owner.with_name(ID_COLUMN.into()).into_column()).map_err(|error| {
                        DataError::Unreadable { path: path.to_path_buf(), message: error.to_string() }
                    })?;
                    history.bureau_balance = Some(frame);
                }
                _ => {
                    let owners = keys(&frame, ID_COLUMN, path, &locator)?;
                    let own = match kind.unique_key() {
                        Some(column) => {
                            let own = keys(&frame, column, path, &locator)?;
                            check_unique(&own, column, path, &locator)?;
                            own
                        }
                        None => {
                            keys(&frame, "SK_ID_PREV", path, &locator)?;
                            Vec::new()
                        }
                    };
                    let frame = keep_known(
                        frame,
                        &owners,
                        |owner| clients.contains(owner),
                        &not_clients,
                        path,
                        &locator,
                        &mut history.warnings,
                    )?;
                    match kind {
                        HistoryKind::Bureau => {
                            bureau_ids = Some(
                                own.iter()
                                    .zip(&owners)
                                    .filter(|(_, owner)| clients.contains(*owner))
                                    .map(|(credit, owner)| (*credit, *owner))
                                    .collect(),
                            );
                            history.bureau = Some(frame);
                        }
                        HistoryKind::CreditCardBalance => history.card = Some(frame),
                        _ => {}
                    }
                }
            }
        }
        Ok(history)
    }

    /// The tables given (present), with their files.
    pub fn tables(&self) -> impl Iterator<Item = (HistoryKind, &Path)> {
        self.tables.iter().map(|(kind, path)| (*kind, path.as_path()))
    }

    /// Whether a table was given.
    pub fn has(&self, kind: HistoryKind) -> bool {
        self.tables.iter().any(|(given, _)| *given == kind)
    }

    /// Warnings of the load (orphan rows counted and ignored).
    pub fn warnings(&self) -> &[String] {
        &self.warnings
    }

    /// The bureau credits (rows of known clients), when the table was given.
    pub fn bureau(&self) -> Option<&DataFrame> {
        self.bureau.as_ref()
    }

    /// The bureau balance with each month's `SK_ID_CURR`, when bureau and it were given.
    pub fn bureau_balance(&self) -> Option<&DataFrame> {
        self.bureau_balance.as_ref()
    }

    /// The card balances (rows of known clients), when the table was given.
    pub fn card(&self) -> Option<&DataFrame> {
        self.card.as_ref()
    }

    /// Each client's records, for screens: built once, looked up by id.
    pub fn index(&self) -> HistoryIndex {
        let mut index = HistoryIndex {
            bureau_given: self.bureau.is_some(),
            balance_given: self.bureau_balance.is_some(),
            card_given: self.card.is_some(),
            ..HistoryIndex::default()
        };
        if let Some(bureau) = &self.bureau {
            let mut months: PlHashMap<i64, Vec<(i32, String)>> = PlHashMap::default();
            if let Some(balance) = &self.bureau_balance {
                let credit = int_column(balance, "SK_ID_BUREAU");
                let month = int_column(balance, "MONTHS_BALANCE");
                let status = text_column(balance, "STATUS");
                for row in 0..balance.height() {
                    if let (Some(credit), Some(month), Some(status)) = (credit[row], month[row], status[row].clone()) {
                        months.entry(credit).or_default().push((month as i32, status));
                    }
                }
            }
            let owner = int_column(bureau, ID_COLUMN);
            let credit = int_column(bureau, "SK_ID_BUREAU");
            let kind = text_column(bureau, "CREDIT_TYPE");
            let status = text_column(bureau, "CREDIT_ACTIVE");
            let amount = float_column(bureau, "AMT_CREDIT_SUM");
            let debt = float_column(bureau, "AMT_CREDIT_SUM_DEBT");
            let overdue = float_column(bureau, "AMT_CREDIT_SUM_OVERDUE");
            let opened = float_column(bureau, "DAYS_CREDIT");
            let ends = float_column(bureau, "DAYS_CREDIT_ENDDATE");
            for row in 0..bureau.height() {
                let (Some(owner), Some(id)) = (owner[row], credit[row]) else { continue };
                let mut statuses = months.remove(&id).unwrap_or_default();
                statuses.sort_by_key(|(month, _)| *month);
                index.bureau.entry(owner).or_default().push(BureauCredit {
                    id,
                    kind: kind[row].clone().unwrap_or_default(),
                    status: status[row].clone().unwrap_or_default(),
                    amount: amount[row],
                    debt: debt[row],
                    overdue: overdue[row],
                    opened_days: opened[row],
                    ends_days: ends[row],
                    months: statuses,
                });
            }
            for credits in index.bureau.values_mut() {
                credits.sort_by(|a, b| b.opened_days.total_cmp(&a.opened_days));
            }
        }
        if let Some(card) = &self.card {
            let owner = int_column(card, ID_COLUMN);
            let month = int_column(card, "MONTHS_BALANCE");
            let balance = float_column(card, "AMT_BALANCE");
            let limit = float_column(card, "AMT_CREDIT_LIMIT_ACTUAL");
            for row in 0..card.height() {
                let (Some(owner), Some(month)) = (owner[row], month[row]) else { continue };
                index.card.entry(owner).or_default().push(CardMonth {
                    month: month as i32,
                    balance: balance[row],
                    limit: limit[row],
                });
            }
            for months in index.card.values_mut() {
                months.sort_by_key(|month| month.month);
            }
        }
        index
    }
}

/// Each client's history records, by client id.
#[derive(Debug, Clone, Default)]
pub struct HistoryIndex {
    bureau_given: bool,
    balance_given: bool,
    card_given: bool,
    bureau: PlHashMap<i64, Vec<BureauCredit>>,
    card: PlHashMap<i64, Vec<CardMonth>>,
}

impl HistoryIndex {
    /// The records of one client (empty lists when the tables hold none).
    pub fn client(&self, id: i64) -> ClientHistory {
        ClientHistory {
            bureau_given: self.bureau_given,
            balance_given: self.balance_given,
            card_given: self.card_given,
            credits: self.bureau.get(&id).cloned().unwrap_or_default(),
            card: self.card.get(&id).cloned().unwrap_or_default(),
        }
    }
}

fn int_column(frame: &DataFrame, name: &str) -> Vec<Option<i64>> {
    frame
        .column(name)
        .ok()
        .and_then(|column| column.cast(&DataType::Int64).ok())
        .and_then(|column| column.i64().ok().map(|values| values.iter().collect()))
        .unwrap_or_else(|| vec![None; frame.height()])
}

fn float_column(frame: &DataFrame, name: &str) -> Vec<f64> {
    frame
        .column(name)
        .ok()
        .and_then(|column| column.cast(&DataType::Float64).ok())
        .and_then(|column| column.f64().ok().map(|values| values.iter().map(|v| v.unwrap_or(f64::NAN)).collect()))
        .unwrap_or_else(|| vec![f64::NAN; frame.height()])
}

fn text_column(frame: &DataFrame, name: &str) -> Vec<Option<String>> {
    frame
        .column(name)
        .ok()
        .and_then(|column| column.str().ok().map(|values| values.iter().map(|v| v.map(str::to_string)).collect()))
        .unwrap_or_else(|| vec![None; frame.height()])
}

/// Every bureau-balance status must be one of Kaggle's codes.
fn check_statuses(frame: &DataFrame, path: &Path, locator: &Locator) -> Result<(), DataError> {
    let Ok(values) = frame.column("STATUS").and_then(|column| column.str().cloned()) else {
        return Ok(());
    };
    for (row, value) in values.iter().enumerate() {
        let valid = value.is_some_and(|value| matches!(value.as_bytes(), [b'C' | b'X' | b'0'..=b'5']));
        if !valid {
            return Err(DataError::BadCode {
                path: path.to_path_buf(),
                location: locator.at(row),
                column: "STATUS".into(),
                value: value.unwrap_or("").to_string(),
                expected: "one of C, X, 0, 1, 2, 3, 4, 5",
            });
        }
    }
    Ok(())
}

/// The warning, said once per file, for history tables a model reads but a client table
/// came without: their features are missing values for every client.
pub fn missing_tables_warning(file: &str, tables: &[HistoryKind]) -> String {
    let names: Vec<&str> = tables.iter().map(|kind| kind.stem()).collect();
    let flags: Vec<&str> = tables.iter().map(|kind| kind.flag()).collect();
    format!(
        "{file}: the credit history is missing ({}): the model reads it, so its features are missing values \
         for every client; give the tables in a Kaggle folder or with {}",
        names.join(", "),
        flags.join(", ")
    )
}
