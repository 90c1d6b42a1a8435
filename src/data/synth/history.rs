//! The synthetic credit history: `bureau`, `bureau_balance` and `credit_card_balance` for
//! synthetic clients, drawn from the real sample C's figures ([`super::history_calibration`])
//! apart for clients who repaid and who defaulted, so that the history tells of default as
//! the real one does (more active credits, more late months, fuller cards among defaulters).
//!
//! Each client's outcome drives its draws: `TARGET` for a history; for applicants without
//! it, an outcome drawn from the client's default probability (never written). Its own random
//! stream leaves the application table as it was.

use polars::prelude::*;
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::history_calibration as figures;
use crate::data::DataError;

/// The three tables drawn.
#[derive(Debug, Clone)]
pub struct HistoryTables {
    /// `bureau`: one row per credit with another lender.
    pub bureau: DataFrame,
    /// `bureau_balance`: one row per month of a bureau credit.
    pub bureau_balance: DataFrame,
    /// `credit_card_balance`: one row per month of a card with us.
    pub credit_card_balance: DataFrame,
}

/// The value at `u` (0 to 1) of a distribution given by its deciles, linearly between them.
fn decile(table: &[f64; 11], u: f64) -> f64 {
    let position = u.clamp(0.0, 1.0) * 10.0;
    let low = (position.floor() as usize).min(9);
    let fraction = position - low as f64;
    table[low] + (table[low + 1] - table[low]) * fraction
}

fn failed(error: PolarsError) -> DataError {
    DataError::Unreadable { path: "synthetic history".into(), message: error.to_string() }
}

#[derive(Default)]
struct Bureau {
    client: Vec<i64>,
    id: Vec<i64>,
    active: Vec<&'static str>,
    currency: Vec<&'static str>,
    days_credit: Vec<i64>,
    day_overdue: Vec<i64>,
    end_date: Vec<Option<f64>>,
    end_fact: Vec<Option<f64>>,
    max_overdue: Vec<Option<f64>>,
    prolong: Vec<i64>,
    amount: Vec<f64>,
    debt: Vec<Option<f64>>,
    limit: Vec<Option<f64>>,
    overdue: Vec<f64>,
    kind: Vec<&'static str>,
    update: Vec<i64>,
}

#[derive(Default)]
struct Balance {
    credit: Vec<i64>,
    month: Vec<i64>,
    status: Vec<&'static str>,
}

#[derive(Default)]
struct Card {
    previous: Vec<i64>,
    client: Vec<i64>,
    month: Vec<i64>,
    balance: Vec<f64>,
    limit: Vec<i64>,
    drawings: Vec<f64>,
    minimum: Vec<f64>,
    payment: Vec<f64>,
    dpd: Vec<i64>,
    status: Vec<&'static str>,
}

const LEVEL_CODES: [&str; 5] = ["1", "2", "3", "4", "5"];

/// Draws the history of the clients `ids`, whose outcomes are `defaulted` (1 for a default).
/// Bureau credits are numbered from `first_credit`, cards from `first_card`.
pub fn generate(
    ids: &[i64],
    defaulted: &[bool],
    seed: u64,
    first_credit: i64,
    first_card: i64,
) -> Result<HistoryTables, DataError> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0x6869_7374_6f72_7921);
    let mut bureau = Bureau::default();
    let mut balance = Balance::default();
    let mut card = Card::default();
    let mut next_credit = first_credit;
    let mut next_card = first_card;
    for (&client, &default) in ids.iter().zip(defaulted) {
        let t = usize::from(default);
        // A client who pays late tends to do so on every credit: a per-client propensity
        // (mean 1) multiplies the late-month rate.
        let propensity = -(1.0 - rng.random::<f64>()).ln();
        let u: f64 = rng.random();
        let credits = figures::CREDITS_CDF[t].iter().position(|&p| u <= p).unwrap_or(30);
        for _ in 0..credits {
            let id = next_credit;
            next_credit += 1;
            let s: f64 = rng.random();
            let shares = figures::STATUS_SHARES[t];
            let status = if s < shares[0] {
                "Active"
            } else if s < shares[0] + shares[1] {
                "Closed"
            } else {
                "Sold"
            };
            let k: f64 = rng.random();
            let mut cumulative = 0.0;
            let kind = figures::TYPES
                .iter()
                .find(|(_, share)| {
                    cumulative += share;
                    k < cumulative
                })
                .map_or("Consumer credit", |(name, _)| *name);
            let opened = decile(&figures::DAYS_CREDIT, rng.random()).round().min(-1.0);
            let amount = (decile(&figures::LN_AMOUNT, rng.random()).exp() / 4.5).round() * 4.5;
            let duration = decile(&figures::DURATION, rng.random()).round().max(1.0);
            let planned_end = opened + duration;
            let (debt, end_fact) = match status {
                "Active" => ((amount * decile(&figures::DEBT_FRACTION[t], rng.random()) * 100.0).round() / 100.0, None),
                _ => (0.0, Some((opened + rng.random::<f64>() * (-opened).min(duration)).round().min(-1.0))),
            };
            let late_now =
                status == "Active" && rng.random::<f64>() < figures::OVERDUE[t] / figures::STATUS_SHARES[t][0];
            let days_overdue = if late_now { rng.random_range(1..=90) } else { 0 };
            let overdue = if late_now { (debt * rng.random::<f64>() * 0.2 * 100.0).round() / 100.0 } else { 0.0 };
            bureau.client.push(client);
            bureau.id.push(id);
            bureau.active.push(status);
            bureau.currency.push("currency 1");
            bureau.days_credit.push(opened as i64);
            bureau.day_overdue.push(days_overdue);
            bureau.end_date.push(Some(planned_end));
            bureau.end_fact.push(end_fact);
            bureau.max_overdue.push(if late_now { Some(overdue) } else { None });
            bureau.prolong.push(0);
            bureau.amount.push(amount);
            bureau.debt.push(Some(debt));
            bureau.limit.push(if kind == "Credit card" { Some(0.0) } else { None });
            bureau.overdue.push(overdue);
            bureau.kind.push(kind);
            bureau.update.push((opened * rng.random::<f64>()).round() as i64);
            if rng.random::<f64>() < figures::WITH_MONTHS {
                let first = ((opened / 30.4).floor() as i64).max(-96);
                let closed_from = end_fact.map_or(1, |day: f64| (day / 30.4).ceil() as i64);
                for month in first..=0 {
                    let code = if month >= closed_from {
                        "C"
                    } else if rng.random::<f64>() < figures::UNKNOWN_MONTHS {
                        "X"
                    } else if rng.random::<f64>() < (figures::LATE_MONTHS[t] * propensity).min(0.9) {
                        let l: f64 = rng.random();
                        let mut cumulative = 0.0;
                        let levels = figures::LATE_LEVELS[t];
                        let index = levels
                            .iter()
                            .position(|share| {
                                cumulative += share;
                                l < cumulative
                            })
                            .unwrap_or(0);
                        LEVEL_CODES[index]
                    } else {
                        "0"
                    };
                    balance.credit.push(id);
                    balance.month.push(month);
                    balance.status.push(code);
                }
            }
        }
        if rng.random::<f64>() < figures::WITH_CARD[t] {
            let previous = next_card;
            next_card += 1;
            let months = decile(&figures::CARD_MONTHS, rng.random()).round().max(1.0) as i64;
            let limit = ((decile(&figures::CARD_LIMIT, rng.random()) / 22_500.0).round() * 22_500.0) as i64;
            let usage = decile(&figures::UTILISATION[t], rng.random());
            for month in -months..0 {
                let utilisation = (usage * (0.8 + 0.4 * rng.random::<f64>())).max(0.0);
                let balance_now = ((limit as f64) * utilisation * 100.0).round() / 100.0;
                let drawings = if balance_now > 0.0 && rng.random::<f64>() < figures::DRAWING_MONTHS {
                    (balance_now * 0.3 * rng.random::<f64>()).round()
                } else {
                    0.0
                };
                let minimum = (balance_now * 0.05 * 100.0).round() / 100.0;
                let payment = (minimum * decile(&figures::PAYMENT_RATIO[t], rng.random()) * 100.0).round() / 100.0;
                let late = rng.random::<f64>() < (figures::DPD_MONTHS[t] * propensity).min(0.9);
                card.previous.push(previous);
                card.client.push(client);
                card.month.push(month);
                card.balance.push(balance_now);
                card.limit.push(limit);
                card.drawings.push(drawings);
                card.minimum.push(minimum);
                card.payment.push(payment);
                card.dpd.push(if late { rng.random_range(1..=30) } else { 0 });
                card.status.push("Active");
            }
        }
    }
    let bureau = DataFrame::new(
        bureau.client.len(),
        vec![
            Column::new("SK_ID_CURR".into(), bureau.client),
            Column::new("SK_ID_BUREAU".into(), bureau.id),
            Column::new("CREDIT_ACTIVE".into(), bureau.active),
            Column::new("CREDIT_CURRENCY".into(), bureau.currency),
            Column::new("DAYS_CREDIT".into(), bureau.days_credit),
            Column::new("CREDIT_DAY_OVERDUE".into(), bureau.day_overdue),
            Column::new("DAYS_CREDIT_ENDDATE".into(), bureau.end_date),
            Column::new("DAYS_ENDDATE_FACT".into(), bureau.end_fact),
            Column::new("AMT_CREDIT_MAX_OVERDUE".into(), bureau.max_overdue),
            Column::new("CNT_CREDIT_PROLONG".into(), bureau.prolong),
            Column::new("AMT_CREDIT_SUM".into(), bureau.amount),
            Column::new("AMT_CREDIT_SUM_DEBT".into(), bureau.debt),
            Column::new("AMT_CREDIT_SUM_LIMIT".into(), bureau.limit),
            Column::new("AMT_CREDIT_SUM_OVERDUE".into(), bureau.overdue),
            Column::new("CREDIT_TYPE".into(), bureau.kind),
            Column::new("DAYS_CREDIT_UPDATE".into(), bureau.update),
        ],
    )
    .map_err(failed)?;
    let bureau_balance = DataFrame::new(
        balance.credit.len(),
        vec![
            Column::new("SK_ID_BUREAU".into(), balance.credit),
            Column::new("MONTHS_BALANCE".into(), balance.month),
            Column::new("STATUS".into(), balance.status),
        ],
    )
    .map_err(failed)?;
    let credit_card_balance = DataFrame::new(
        card.client.len(),
        vec![
            Column::new("SK_ID_PREV".into(), card.previous),
            Column::new("SK_ID_CURR".into(), card.client),
            Column::new("MONTHS_BALANCE".into(), card.month),
            Column::new("AMT_BALANCE".into(), card.balance),
            Column::new("AMT_CREDIT_LIMIT_ACTUAL".into(), card.limit),
            Column::new("AMT_DRAWINGS_CURRENT".into(), card.drawings),
            Column::new("AMT_INST_MIN_REGULARITY".into(), card.minimum),
            Column::new("AMT_PAYMENT_TOTAL_CURRENT".into(), card.payment),
            Column::new("SK_DPD".into(), card.dpd),
            Column::new("NAME_CONTRACT_STATUS".into(), card.status),
        ],
    )
    .map_err(failed)?;
    Ok(HistoryTables { bureau, bureau_balance, credit_card_balance })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deciles_interpolate() {
        let table = [0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0];
        assert_eq!(decile(&table, 0.0), 0.0);
        assert_eq!(decile(&table, 1.0), 10.0);
        assert!((decile(&table, 0.55) - 5.5).abs() < 1e-12);
    }

    #[test]
    fn the_same_seed_draws_the_same_history() {
        let ids = [1, 2, 3, 4];
        let outcomes = [false, true, false, false];
        let a = generate(&ids, &outcomes, 7, 10, 20).unwrap();
        let b = generate(&ids, &outcomes, 7, 10, 20).unwrap();
        assert!(a.bureau.equals_missing(&b.bureau) && a.bureau_balance.equals_missing(&b.bureau_balance));
    }
}
