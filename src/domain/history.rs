//! A client's credit history as screens show it: bureau credits with their monthly
//! statuses, and the card's monthly balance and limit.

/// One credit reported by the credit bureau.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct BureauCredit {
    /// The bureau's id of the credit (`SK_ID_BUREAU`).
    pub id: i64,
    /// Its type (`CREDIT_TYPE`: "Consumer credit", "Credit card"…).
    pub kind: String,
    /// Its status (`CREDIT_ACTIVE`: "Active", "Closed", "Sold", "Bad debt").
    pub status: String,
    /// Amount of the credit (`AMT_CREDIT_SUM`); NaN when unknown.
    pub amount: f64,
    /// Debt still owed (`AMT_CREDIT_SUM_DEBT`); NaN when unknown.
    pub debt: f64,
    /// Amount overdue now (`AMT_CREDIT_SUM_OVERDUE`); NaN when unknown.
    pub overdue: f64,
    /// Days before the application the credit was opened (`DAYS_CREDIT`, negative).
    pub opened_days: f64,
    /// Days from the application to its planned end (`DAYS_CREDIT_ENDDATE`); NaN when unknown.
    pub ends_days: f64,
    /// Its monthly statuses, oldest first: (`MONTHS_BALANCE`, status code `C X 0`…`5`).
    pub months: Vec<(i32, String)>,
}

/// One month of the client's card with us.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct CardMonth {
    /// Month relative to the application (`MONTHS_BALANCE`, -1 the month before).
    pub month: i32,
    /// Balance that month; NaN when unknown.
    pub balance: f64,
    /// Credit limit that month; NaN when unknown.
    pub limit: f64,
}

/// A client's history records, and which tables were given at all.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ClientHistory {
    /// Whether the bureau table was given (else nothing is known of other lenders).
    pub bureau_given: bool,
    /// Whether the bureau-balance table was given.
    pub balance_given: bool,
    /// Whether the card-balance table was given.
    pub card_given: bool,
    /// The bureau credits, most recent first.
    pub credits: Vec<BureauCredit>,
    /// The card months, oldest first.
    pub card: Vec<CardMonth>,
}

/// The names of the credit-history features (per-client aggregates of the history tables,
/// defined in `data::history::aggregates`), in model order.
pub const HISTORY_FEATURE_NAMES: [&str; 20] = [
    "BUREAU_CREDITS",
    "BUREAU_ACTIVE",
    "BUREAU_CLOSED",
    "BUREAU_CREDIT_SUM",
    "BUREAU_DEBT_SUM",
    "BUREAU_OVERDUE_SUM",
    "BUREAU_LIMIT_SUM",
    "BUREAU_ACTIVE_DEBT_RATIO",
    "BUREAU_DAYS_LATEST",
    "BUREAU_DAYS_EARLIEST",
    "BUREAU_DAYS_OVERDUE_MAX",
    "BUREAU_LATE_SHARE_12M",
    "BUREAU_LATE_SHARE_24M",
    "BUREAU_WORST_STATUS",
    "CARD_MONTHS",
    "CARD_UTILISATION_12M",
    "CARD_UTILISATION_MAX",
    "CARD_DRAWINGS_MEAN",
    "CARD_PAYMENT_MIN_RATIO",
    "CARD_DPD_MAX",
];

/// Whether a feature is one of the credit history's aggregates.
pub fn is_history_feature(name: &str) -> bool {
    HISTORY_FEATURE_NAMES.contains(&name)
}

/// The bureau-balance status codes in Kaggle's order, with their meaning for people.
pub const STATUS_LEGEND: [(&str, &str); 8] = [
    ("C", "closed"),
    ("X", "unknown"),
    ("0", "on time"),
    ("1", "1-30 days late"),
    ("2", "31-60"),
    ("3", "61-90"),
    ("4", "91-120"),
    ("5", "over 120 or written off"),
];
