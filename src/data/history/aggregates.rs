//! Per-client aggregates of the credit history: the model's history features, computed with
//! polars' lazy group-by, one definition for training, scoring and the dashboard.
//!
//! From `bureau` (credits with other lenders, as the credit bureau reports them):
//!
//! | feature | definition |
//! |---|---|
//! | `BUREAU_CREDITS` | number of credits reported (0 for a client without any) |
//! | `BUREAU_ACTIVE` | number of them with `CREDIT_ACTIVE` "Active" |
//! | `BUREAU_CLOSED` | number of them with `CREDIT_ACTIVE` "Closed" |
//! | `BUREAU_CREDIT_SUM` | sum of `AMT_CREDIT_SUM` (amounts borrowed) over all credits |
//! | `BUREAU_DEBT_SUM` | sum of `AMT_CREDIT_SUM_DEBT` (debt still owed) over active credits |
//! | `BUREAU_OVERDUE_SUM` | sum of `AMT_CREDIT_SUM_OVERDUE` (amounts overdue now) |
//! | `BUREAU_LIMIT_SUM` | sum of `AMT_CREDIT_SUM_LIMIT` (credit-card limits) |
//! | `BUREAU_ACTIVE_DEBT_RATIO` | debt over amount borrowed, both summed over active credits; missing without an active credit |
//! | `BUREAU_DAYS_LATEST` | days since the latest credit was opened (`-max DAYS_CREDIT`); missing without a credit |
//! | `BUREAU_DAYS_EARLIEST` | days since the earliest credit was opened (`-min DAYS_CREDIT`); missing without a credit |
//! | `BUREAU_DAYS_OVERDUE_MAX` | longest overdue now, in days (`max CREDIT_DAY_OVERDUE`); missing without a credit |
//!
//! From `bureau_balance` (each bureau credit's monthly status; `MONTHS_BALANCE` 0 is the month
//! of the application, -1 the one before; statuses `0` to `5` say how late, `C` closed and
//! `X` unknown are left out):
//!
//! | feature | definition |
//! |---|---|
//! | `BUREAU_LATE_SHARE_12M` | share of reported months 1 day or more past due (status `1`–`5`), months -11 to 0; missing without a reported month |
//! | `BUREAU_LATE_SHARE_24M` | the same over months -23 to 0 |
//! | `BUREAU_WORST_STATUS` | worst status ever reported, 0 (on time) to 5 (over 120 days late or written off) |
//!
//! From `credit_card_balance` (the client's cards with us, month by month; a month with a
//! zero or unknown limit has no utilisation):
//!
//! | feature | definition |
//! |---|---|
//! | `CARD_MONTHS` | number of card months recorded (0 for a client without a card) |
//! | `CARD_UTILISATION_12M` | mean of balance over limit, months -12 to -1 |
//! | `CARD_UTILISATION_MAX` | highest balance over limit, any month |
//! | `CARD_DRAWINGS_MEAN` | mean amount drawn a month (`AMT_DRAWINGS_CURRENT`) |
//! | `CARD_PAYMENT_MIN_RATIO` | payments over minimum instalments, summed over the months with a minimum |
//! | `CARD_DPD_MAX` | most days past due on a card (`max SK_DPD`) |
//!
//! A table that is absent is absent: its features are not computed at all (missing values,
//! said once by the scorer), never zeros. With the table given, a client without records
//! gets 0 for the counts and sums (nothing borrowed is a true zero) and missing values for
//! the rest.

use polars::prelude::*;

use super::{CreditHistory, HistoryKind, status_level};
use crate::data::DataError;
use crate::data::schema::ID_COLUMN;

/// One history feature: its name, its table, and whether a client without records gets 0.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HistoryFeature {
    /// The feature's name (a column of the scored table, a model feature).
    pub name: &'static str,
    /// The table it is computed from.
    pub table: HistoryKind,
    /// Whether a client without records in a given table gets 0 (counts, sums).
    pub zero_without_records: bool,
}

const fn feature(name: &'static str, table: HistoryKind, zero_without_records: bool) -> HistoryFeature {
    HistoryFeature { name, table, zero_without_records }
}

/// Every history feature, in the order models trained here list them.
pub const HISTORY_FEATURES: [HistoryFeature; 20] = [
    feature("BUREAU_CREDITS", HistoryKind::Bureau, true),
    feature("BUREAU_ACTIVE", HistoryKind::Bureau, true),
    feature("BUREAU_CLOSED", HistoryKind::Bureau, true),
    feature("BUREAU_CREDIT_SUM", HistoryKind::Bureau, true),
    feature("BUREAU_DEBT_SUM", HistoryKind::Bureau, true),
    feature("BUREAU_OVERDUE_SUM", HistoryKind::Bureau, true),
    feature("BUREAU_LIMIT_SUM", HistoryKind::Bureau, true),
    feature("BUREAU_ACTIVE_DEBT_RATIO", HistoryKind::Bureau, false),
    feature("BUREAU_DAYS_LATEST", HistoryKind::Bureau, false),
    feature("BUREAU_DAYS_EARLIEST", HistoryKind::Bureau, false),
    feature("BUREAU_DAYS_OVERDUE_MAX", HistoryKind::Bureau, false),
    feature("BUREAU_LATE_SHARE_12M", HistoryKind::BureauBalance, false),
    feature("BUREAU_LATE_SHARE_24M", HistoryKind::BureauBalance, false),
    feature("BUREAU_WORST_STATUS", HistoryKind::BureauBalance, false),
    feature("CARD_MONTHS", HistoryKind::CreditCardBalance, true),
    feature("CARD_UTILISATION_12M", HistoryKind::CreditCardBalance, false),
    feature("CARD_UTILISATION_MAX", HistoryKind::CreditCardBalance, false),
    feature("CARD_DRAWINGS_MEAN", HistoryKind::CreditCardBalance, false),
    feature("CARD_PAYMENT_MIN_RATIO", HistoryKind::CreditCardBalance, false),
    feature("CARD_DPD_MAX", HistoryKind::CreditCardBalance, false),
];

/// The history feature of that name; `None` for another name.
pub fn history_feature(name: &str) -> Option<HistoryFeature> {
    HISTORY_FEATURES.iter().copied().find(|feature| feature.name == name)
}

/// The history features of the tables given, one column per feature in the order of `ids`.
///
/// The query runs on a thread of its own: polars' executor blocks in place, which a
/// single-threaded tokio runtime (a server's or a test's) does not allow on its own thread.
pub fn per_client(
    history: &CreditHistory,
    ids: &[i64],
    path: &std::path::Path,
) -> Result<Vec<(&'static str, Vec<f64>)>, DataError> {
    std::thread::scope(|scope| scope.spawn(|| compute(history, ids, path)).join()).unwrap_or_else(|_| {
        Err(DataError::ReaderFailed { path: path.to_path_buf(), message: "the history aggregates failed".into() })
    })
}

fn compute(
    history: &CreditHistory,
    ids: &[i64],
    path: &std::path::Path,
) -> Result<Vec<(&'static str, Vec<f64>)>, DataError> {
    let failed = |error: PolarsError| DataError::Unreadable { path: path.to_path_buf(), message: error.to_string() };
    let mut columns = Vec::new();
    if let Some(bureau) = history.bureau() {
        let active = col("CREDIT_ACTIVE").eq(lit("Active"));
        let frame = bureau
            .clone()
            .lazy()
            .group_by([col(ID_COLUMN)])
            .agg([
                len().cast(DataType::Float64).alias("BUREAU_CREDITS"),
                active.clone().cast(DataType::Float64).sum().alias("BUREAU_ACTIVE"),
                col("CREDIT_ACTIVE").eq(lit("Closed")).cast(DataType::Float64).sum().alias("BUREAU_CLOSED"),
                col("AMT_CREDIT_SUM").sum().alias("BUREAU_CREDIT_SUM"),
                col("AMT_CREDIT_SUM_DEBT").filter(active.clone()).sum().alias("BUREAU_DEBT_SUM"),
                col("AMT_CREDIT_SUM_OVERDUE").sum().alias("BUREAU_OVERDUE_SUM"),
                optional_sum(bureau, "AMT_CREDIT_SUM_LIMIT").alias("BUREAU_LIMIT_SUM"),
                (col("AMT_CREDIT_SUM_DEBT").filter(active.clone()).sum() / col("AMT_CREDIT_SUM").filter(active).sum())
                    .alias("BUREAU_ACTIVE_DEBT_RATIO"),
                (lit(0.0) - col("DAYS_CREDIT").cast(DataType::Float64).max()).alias("BUREAU_DAYS_LATEST"),
                (lit(0.0) - col("DAYS_CREDIT").cast(DataType::Float64).min()).alias("BUREAU_DAYS_EARLIEST"),
                col("CREDIT_DAY_OVERDUE").cast(DataType::Float64).max().alias("BUREAU_DAYS_OVERDUE_MAX"),
            ])
            .collect()
            .map_err(failed)?;
        columns.extend(spread(&frame, HistoryKind::Bureau, ids).map_err(failed)?);
    }
    if let Some(balance) = history.bureau_balance() {
        let levels: Float64Chunked = balance
            .column("STATUS")
            .and_then(|column| column.str().cloned())
            .map_err(failed)?
            .iter()
            .map(|status| status.and_then(status_level))
            .collect();
        let mut balance = balance.select([ID_COLUMN, "MONTHS_BALANCE"]).map_err(failed)?;
        balance.with_column(levels.with_name("LEVEL".into()).into_column()).map_err(failed)?;
        let reported = col("LEVEL").is_not_null();
        let late = col("LEVEL").gt(lit(0.0)).cast(DataType::Float64);
        let within = |months: i64| col("MONTHS_BALANCE").gt_eq(lit(-(months - 1)));
        let frame = balance
            .lazy()
            .group_by([col(ID_COLUMN)])
            .agg([
                late.clone().filter(reported.clone().and(within(12))).mean().alias("BUREAU_LATE_SHARE_12M"),
                late.filter(reported.and(within(24))).mean().alias("BUREAU_LATE_SHARE_24M"),
                col("LEVEL").max().alias("BUREAU_WORST_STATUS"),
            ])
            .collect()
            .map_err(failed)?;
        columns.extend(spread(&frame, HistoryKind::BureauBalance, ids).map_err(failed)?);
    }
    if let Some(card) = history.card() {
        let limit = col("AMT_CREDIT_LIMIT_ACTUAL").cast(DataType::Float64);
        let has_limit = limit.clone().gt(lit(0.0));
        let utilisation = col("AMT_BALANCE") / limit;
        let has_minimum = col("AMT_INST_MIN_REGULARITY").gt(lit(0.0));
        let frame = card
            .clone()
            .lazy()
            .group_by([col(ID_COLUMN)])
            .agg([
                len().cast(DataType::Float64).alias("CARD_MONTHS"),
                utilisation
                    .clone()
                    .filter(
                        has_limit
                            .clone()
                            .and(col("MONTHS_BALANCE").gt_eq(lit(-12)))
                            .and(col("MONTHS_BALANCE").lt(lit(0))),
                    )
                    .mean()
                    .alias("CARD_UTILISATION_12M"),
                utilisation.filter(has_limit).max().alias("CARD_UTILISATION_MAX"),
                col("AMT_DRAWINGS_CURRENT").mean().alias("CARD_DRAWINGS_MEAN"),
                (col("AMT_PAYMENT_TOTAL_CURRENT").filter(has_minimum.clone()).sum()
                    / col("AMT_INST_MIN_REGULARITY").filter(has_minimum).sum())
                .alias("CARD_PAYMENT_MIN_RATIO"),
                col("SK_DPD").cast(DataType::Float64).max().alias("CARD_DPD_MAX"),
            ])
            .collect()
            .map_err(failed)?;
        columns.extend(spread(&frame, HistoryKind::CreditCardBalance, ids).map_err(failed)?);
    }
    Ok(columns)
}

/// The sum of a column the table may lack (a missing column sums to missing values).
fn optional_sum(frame: &DataFrame, name: &str) -> Expr {
    if frame.column(name).is_ok() { col(name).cast(DataType::Float64).sum() } else { lit(f64::NAN) }
}

/// The aggregated rows spread over the clients `ids`, in their order: a client without
/// records gets 0 for a count or sum, a missing value otherwise; a ratio that is not finite
/// (a zero denominator) is missing.
fn spread(frame: &DataFrame, table: HistoryKind, ids: &[i64]) -> PolarsResult<Vec<(&'static str, Vec<f64>)>> {
    let keys = frame.column(ID_COLUMN)?.cast(&DataType::Int64)?;
    let row_of: PlHashMap<i64, usize> =
        keys.i64()?.iter().enumerate().filter_map(|(row, key)| key.map(|key| (key, row))).collect();
    let mut columns = Vec::new();
    for feature in HISTORY_FEATURES.iter().filter(|feature| feature.table == table) {
        let values = frame.column(feature.name)?.cast(&DataType::Float64)?;
        let values = values.f64()?;
        let without = if feature.zero_without_records { 0.0 } else { f64::NAN };
        let column = ids
            .iter()
            .map(|id| match row_of.get(id) {
                Some(&row) => values.get(row).filter(|value| value.is_finite()).unwrap_or(f64::NAN),
                None => without,
            })
            .collect();
        columns.push((feature.name, column));
    }
    Ok(columns)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_domain_lists_the_same_features() {
        let names: Vec<&str> = HISTORY_FEATURES.iter().map(|feature| feature.name).collect();
        assert_eq!(names, crate::domain::history::HISTORY_FEATURE_NAMES);
    }
}
