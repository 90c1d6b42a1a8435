//! What a counterfactual may change for an applicant (the loan's amount, repayment and goods
//! price, or a credit line's limit and minimum payment) and within which ranges: those of past
//! loans in the applicants' table.
//!
//! Uses: data, domain, explain.

use super::reference::ReferenceIndex;
use crate::data::ClientTable;
use crate::domain::FeatureDescription;
use crate::explain::counterfactual::{self, SearchSpace};

/// The contract type of a revolving credit line in the Home Credit files.
pub(super) const REVOLVING_CATEGORY: &str = "Revolving loans";

/// Share of the reference population left out at each end of a counterfactual's ranges.
pub(super) const COUNTERFACTUAL_TAIL: f64 = 0.01;

/// The loans of the reference population, read from its raw columns (so that the ranges do
/// not depend on which ratios the model happens to use).
#[derive(Debug, Clone, Copy)]
pub(super) struct LoanRanges {
    /// The amount borrowed by the 1 % who borrowed least.
    credit_low: f64,
    /// The 1st and 99th percentiles of the repayment rate (annuity / credit).
    rate: (f64, f64),
    /// The same for revolving credit lines only (their minimum payment against the limit);
    /// the rate of every loan when the history has no revolving line.
    revolving_rate: (f64, f64),
    /// The 99th percentile of the repayment relative to income.
    annuity_income_high: f64,
    /// The 99th percentile of the goods price relative to the amount borrowed.
    goods_credit_high: f64,
}

impl LoanRanges {
    pub(super) fn of(table: &ClientTable) -> LoanRanges {
        let column = |name: &str| table.numeric(name).unwrap_or_default();
        let (credit, annuity, income) = (column("AMT_CREDIT"), column("AMT_ANNUITY"), column("AMT_INCOME_TOTAL"));
        let goods = column("AMT_GOODS_PRICE");
        let ratio = |top: &[f64], bottom: &[f64]| -> Vec<f64> {
            top.iter().zip(bottom).filter(|&(_, &b)| b > 0.0).map(|(&a, &b)| a / b).collect()
        };
        let rates = ratio(&annuity, &credit);
        let contracts = table.text("NAME_CONTRACT_TYPE").unwrap_or_default();
        let revolving =
            |index: usize| contracts.get(index).is_some_and(|kind| kind.as_deref() == Some(REVOLVING_CATEGORY));
        let keep = |values: &[f64]| -> Vec<f64> {
            values.iter().enumerate().filter(|&(index, _)| revolving(index)).map(|(_, &value)| value).collect()
        };
        let revolving_rates = ratio(&keep(&annuity), &keep(&credit));
        let range = |rates: Vec<f64>| {
            (quantile_of(rates.clone(), COUNTERFACTUAL_TAIL), quantile_of(rates, 1.0 - COUNTERFACTUAL_TAIL))
        };
        let rate = range(rates);
        let revolving_rate = range(revolving_rates);
        let revolving_rate =
            if revolving_rate.0.is_finite() && revolving_rate.1.is_finite() { revolving_rate } else { rate };
        LoanRanges {
            credit_low: quantile_of(credit.clone(), COUNTERFACTUAL_TAIL),
            rate,
            revolving_rate,
            annuity_income_high: quantile_of(ratio(&annuity, &income), 1.0 - COUNTERFACTUAL_TAIL),
            goods_credit_high: quantile_of(ratio(&goods, &credit), 1.0 - COUNTERFACTUAL_TAIL),
        }
    }
}

/// The value at quantile `q` of the finite values (nearest rank below); NaN when there is none.
pub(super) fn quantile_of(mut values: Vec<f64>, q: f64) -> f64 {
    values.retain(|value| value.is_finite());
    if values.is_empty() {
        return f64::NAN;
    }
    values.sort_by(f64::total_cmp);
    let rank = (q.clamp(0.0, 1.0) * (values.len() - 1) as f64).floor() as usize;
    values[rank.min(values.len() - 1)]
}

/// The counterfactual's levers and their ranges in the reference population.
pub(super) fn search_space(
    features: &[FeatureDescription],
    reference: &ReferenceIndex,
    loans: &LoanRanges,
) -> SearchSpace {
    let position = |name: &str| features.iter().position(|feature| feature.name == name);
    let actionable = |name: &str| position(name).filter(|&idx| features[idx].actionable);
    let quantile = |name: &str, q: f64| {
        position(name).and_then(|idx| reference.column(idx)).map_or(f64::NAN, |column| column.quantile(q))
    };
    let loan = match (actionable("AMT_CREDIT"), actionable("AMT_ANNUITY")) {
        (Some(credit), Some(annuity)) => Some(counterfactual::LoanLevers {
            credit,
            annuity,
            goods: actionable("AMT_GOODS_PRICE"),
            income: position("AMT_INCOME_TOTAL"),
            revolving: position("NAME_CONTRACT_TYPE").and_then(|idx| {
                let categories = features[idx].categories.as_ref()?;
                let code = categories.iter().position(|category| category == REVOLVING_CATEGORY)?;
                Some((idx, code as f64))
            }),
            credit_low: loans.credit_low,
            rate_low: loans.rate.0,
            rate_high: loans.rate.1,
            revolving_rate: loans.revolving_rate,
            annuity_income_high: Some(loans.annuity_income_high).filter(|high| high.is_finite()),
            goods_credit_high: Some(loans.goods_credit_high).filter(|high| high.is_finite()),
        }),
        _ => None,
    };
    let in_loan = ["AMT_CREDIT", "AMT_ANNUITY", "AMT_GOODS_PRICE"];
    let others = features
        .iter()
        .enumerate()
        .filter(|(_, feature)| {
            feature.actionable
                && feature.categories.is_none()
                && !(loan.is_some() && in_loan.contains(&feature.name.as_str()))
        })
        .filter_map(|(feature, description)| {
            let low = quantile(&description.name, COUNTERFACTUAL_TAIL);
            let high = quantile(&description.name, 1.0 - COUNTERFACTUAL_TAIL);
            (low.is_finite() && high.is_finite()).then_some(counterfactual::SingleLever { feature, low, high })
        })
        .collect();
    SearchSpace { loan, others }
}
