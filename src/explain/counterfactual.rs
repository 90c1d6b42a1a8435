//! What would change a refusal: the smallest change to the inputs a client can act on that
//! brings the probability of default under the threshold, found by search over the real model.
//!
//! The levers are the loan's terms and any other feature the card marks actionable:
//!
//! - **The loan** moves as a whole, so that it stays coherent: the amount borrowed is scaled
//!   by a factor `s ≤ 1`, the goods financed either by the same factor (cheaper goods) or not
//!   at all (the same goods with a larger down payment, within the goods-to-credit ratios of
//!   past loans), and the annual repayment follows the amount at the same repayment rate,
//!   times a rate factor `r` (a longer or shorter repayment period):
//!   `annuity' = credit · s · rate · r`. The derived
//!   ratios (credit/income, annuity/income, term, goods/credit) are recomputed by the
//!   caller's pipeline, never guessed.
//! - **Any other actionable number** moves alone, between its bounds.
//!
//! Bounds come from the reference population (the caller's [`SearchSpace`]): the amount
//! borrowed no lower than what 1 % of past clients borrowed, the repayment rate between the
//! 1st and 99th percentiles of past loans, and the repayment no heavier relative to income
//! than for 99 % of past clients.
//!
//! The size of a change is `(1 − s) + |1 − r|` for the loan and the relative change for a
//! single feature. Candidates on a fixed grid are scored in increasing size, the first that
//! is accepted is refined by bisection towards the client's own values, and its amounts are
//! rounded to whole euros in the client's favour when that keeps it accepted. The search is
//! deterministic, and bounded: at most a few thousand model evaluations.
//!
//! Uses: model, domain.

use crate::domain::format::{Language, format_number, format_percent, format_value};
use crate::domain::{Bilingual, Decision, FeatureDescription, FieldValue, Threshold};
use crate::model::{Model, ModelError};

/// The loan's terms as levers, with their bounds.
#[derive(Debug, Clone, PartialEq)]
pub struct LoanLevers {
    /// The amount borrowed (`AMT_CREDIT`).
    pub credit: usize,
    /// The annual repayment (`AMT_ANNUITY`).
    pub annuity: usize,
    /// The price of the goods financed (`AMT_GOODS_PRICE`), scaled with the amount.
    pub goods: Option<usize>,
    /// The income (`AMT_INCOME_TOTAL`), for the repayment-to-income bound.
    pub income: Option<usize>,
    /// The smallest amount borrowed allowed.
    pub credit_low: f64,
    /// The smallest repayment rate (annuity / credit) allowed.
    pub rate_low: f64,
    /// The largest repayment rate allowed.
    pub rate_high: f64,
    /// The largest repayment relative to income allowed.
    pub annuity_income_high: Option<f64>,
    /// The largest goods price relative to the amount borrowed allowed (a down payment).
    pub goods_credit_high: Option<f64>,
}

/// A feature moved alone, between bounds.
#[derive(Debug, Clone, PartialEq)]
pub struct SingleLever {
    /// The feature.
    pub feature: usize,
    /// The smallest value allowed.
    pub low: f64,
    /// The largest value allowed.
    pub high: f64,
}

/// What may change, and how far.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SearchSpace {
    /// The loan's terms, when the client's amount and repayment are known.
    pub loan: Option<LoanLevers>,
    /// Other actionable numbers.
    pub others: Vec<SingleLever>,
}

/// A change found: the inputs to change and the probability it gives.
#[derive(Debug, Clone, PartialEq)]
pub struct Proposal {
    /// `(feature, from, to)` for each input changed, in model order.
    pub changes: Vec<(usize, f64, f64)>,
    /// The probability of default with the change.
    pub probability: f64,
    /// Whether the amount borrowed is lowered for the same goods (the client brings the
    /// difference), rather than for cheaper goods.
    pub same_goods: bool,
}

/// The result of a search.
#[derive(Debug, Clone, PartialEq)]
pub enum SearchOutcome {
    /// Already accepted, with this probability.
    NotNeeded(f64),
    /// The smallest change found.
    Found(Proposal),
    /// Nothing within the bounds is enough; the lowest probability reached.
    NoneWithinBounds(f64),
}

/// Recomputes the derived features of a row after the inputs at the given indices changed.
pub type Rederive<'a> = dyn Fn(&mut [f64], &[usize]) + 'a;

/// Step of the grid of amount factors.
const CREDIT_STEP: f64 = 0.025;
/// Step of the grid of repayment-rate factors.
const RATE_STEP: f64 = 0.05;
/// Largest number of amounts on the grid.
const MAX_AXIS: usize = 40;
/// Largest number of rates on each side of the client's own: at most 40 amounts × 41 rates,
/// twice (cheaper goods or a down payment), so at most 3,280 candidates.
const MAX_RATE_AXIS: usize = 20;
/// Extra euros tried, in the client's favour, when rounding to whole euros refuses the change.
const ROUNDING_MARGINS: [f64; 4] = [0.0, 1.0, 10.0, 100.0];
/// Bisection steps refining the first accepted candidate.
const BISECTION_STEPS: usize = 14;

#[derive(Debug, Clone, Copy, PartialEq)]
enum Move {
    /// Amount factor `s`, rate factor `r`; the goods price scaled with the amount, or kept.
    Loan { s: f64, r: f64, keep_goods: bool },
    /// One feature to this value.
    Single { lever: usize, value: f64 },
}

struct Evaluator<'a> {
    model: &'a Model,
    row: &'a [f64],
    space: &'a SearchSpace,
    rederive: &'a Rederive<'a>,
    buffer: Vec<f64>,
}

impl Evaluator<'_> {
    /// The changed inputs of a move, `(feature, to)`.
    fn changes(&self, step: Move) -> Vec<(usize, f64)> {
        match (step, &self.space.loan) {
            (Move::Loan { s, r, keep_goods }, Some(loan)) => {
                let credit = self.row[loan.credit];
                let annuity = self.row[loan.annuity];
                let mut changes = vec![(loan.credit, credit * s)];
                if annuity.is_finite() {
                    changes.push((loan.annuity, annuity * s * r));
                }
                if let Some(goods) = loan.goods
                    && self.row[goods].is_finite()
                    && !keep_goods
                {
                    changes.push((goods, self.row[goods] * s));
                }
                changes.sort_by_key(|&(feature, _)| feature);
                changes
            }
            (Move::Single { lever, value }, _) => {
                self.space.others.get(lever).map(|lever| vec![(lever.feature, value)]).unwrap_or_default()
            }
            (Move::Loan { .. }, None) => Vec::new(),
        }
    }

    fn probability_of(&mut self, changes: &[(usize, f64)]) -> Result<f64, ModelError> {
        self.buffer.clear();
        self.buffer.extend_from_slice(self.row);
        let mut changed = Vec::with_capacity(changes.len());
        for &(feature, value) in changes {
            if let Some(slot) = self.buffer.get_mut(feature) {
                *slot = value;
                changed.push(feature);
            }
        }
        (self.rederive)(&mut self.buffer, &changed);
        self.model.predict_probability(&self.buffer)
    }

    fn probability(&mut self, step: Move) -> Result<f64, ModelError> {
        let changes = self.changes(step);
        self.probability_of(&changes)
    }

    /// Whether a move keeps within the bounds that are not on the grid's axes.
    fn allowed(&self, step: Move) -> bool {
        let (Move::Loan { s, r, keep_goods }, Some(loan)) = (step, &self.space.loan) else { return true };
        let affordable = match (loan.income, loan.annuity_income_high) {
            (Some(income), Some(high)) => {
                let income = self.row[income];
                let annuity = self.row[loan.annuity] * s * r;
                !(income > 0.0 && annuity.is_finite()) || annuity / income <= high
            }
            _ => true,
        };
        // Keeping the goods is a down payment: only as large as past loans had.
        let deposit_allowed = !keep_goods
            || match (loan.goods, loan.goods_credit_high) {
                (Some(goods), Some(high)) => {
                    let (goods, credit) = (self.row[goods], self.row[loan.credit] * s);
                    goods.is_finite() && credit > 0.0 && goods / credit <= high
                }
                _ => false,
            };
        affordable && deposit_allowed
    }
}

/// Grid points from 1 towards `end` (exclusive of 1, inclusive of `end`) in steps of `step`,
/// at most `max_points` of them (the last one always `end`).
fn axis(end: f64, step: f64, max_points: usize) -> Vec<f64> {
    if !end.is_finite() || (end - 1.0).abs() < 1e-12 {
        return Vec::new();
    }
    let direction = if end < 1.0 { -1.0 } else { 1.0 };
    let mut points: Vec<f64> = (1..max_points.max(1))
        .map(|k| 1.0 + direction * step * k as f64)
        .take_while(|&point| if direction < 0.0 { point > end } else { point < end })
        .collect();
    points.push(end);
    points
}

fn size(step: Move, evaluator: &Evaluator<'_>) -> f64 {
    match step {
        Move::Loan { s, r, .. } => (1.0 - s) + (1.0 - r).abs(),
        Move::Single { lever, value } => {
            let Some(lever) = evaluator.space.others.get(lever) else { return f64::INFINITY };
            let from = evaluator.row[lever.feature];
            if from != 0.0 { ((value - from) / from).abs() } else { value.abs() }
        }
    }
}

/// Candidate moves, smallest first.
fn candidates(evaluator: &Evaluator<'_>) -> Vec<(f64, Move)> {
    let mut moves = Vec::new();
    if let Some(loan) = &evaluator.space.loan {
        let credit = evaluator.row[loan.credit];
        let annuity = evaluator.row[loan.annuity];
        if credit.is_finite() && credit > 0.0 {
            let mut amounts = vec![1.0];
            if loan.credit_low < credit {
                amounts.extend(axis((loan.credit_low / credit).max(0.0), CREDIT_STEP, MAX_AXIS));
            }
            let mut rates = vec![1.0];
            if annuity.is_finite() && annuity > 0.0 {
                let rate = annuity / credit;
                if loan.rate_low < rate {
                    rates.extend(axis(loan.rate_low / rate, RATE_STEP, MAX_RATE_AXIS));
                }
                if loan.rate_high > rate {
                    rates.extend(axis(loan.rate_high / rate, RATE_STEP, MAX_RATE_AXIS));
                }
            }
            for &s in &amounts {
                for &r in &rates {
                    if s != 1.0 || r != 1.0 {
                        moves.push(Move::Loan { s, r, keep_goods: false });
                        if s < 1.0 && loan.goods.is_some() {
                            moves.push(Move::Loan { s, r, keep_goods: true });
                        }
                    }
                }
            }
        }
    }
    for (index, lever) in evaluator.space.others.iter().enumerate() {
        let from = evaluator.row[lever.feature];
        if !from.is_finite() {
            continue;
        }
        let span = |end: f64| {
            let steps = 20;
            (1..=steps).map(move |k| from + (end - from) * k as f64 / steps as f64)
        };
        if lever.low < from {
            moves.extend(span(lever.low).map(|value| Move::Single { lever: index, value }));
        }
        if lever.high > from {
            moves.extend(span(lever.high).map(|value| Move::Single { lever: index, value }));
        }
    }
    let mut sized: Vec<(f64, Move)> =
        moves.into_iter().filter(|&step| evaluator.allowed(step)).map(|step| (size(step, evaluator), step)).collect();
    // Smallest first; among equal sizes, a smaller change of the amount, then a lower rate.
    sized.sort_by(|(a, first), (b, second)| {
        a.total_cmp(b).then_with(|| match (first, second) {
            (Move::Loan { s: s1, r: r1, keep_goods: k1 }, Move::Loan { s: s2, r: r2, keep_goods: k2 }) => {
                s2.total_cmp(s1).then(r1.total_cmp(r2)).then(k1.cmp(k2))
            }
            (Move::Loan { .. }, Move::Single { .. }) => std::cmp::Ordering::Less,
            (Move::Single { .. }, Move::Loan { .. }) => std::cmp::Ordering::Greater,
            (Move::Single { lever: l1, value: v1 }, Move::Single { lever: l2, value: v2 }) => {
                l1.cmp(l2).then(v1.total_cmp(v2))
            }
        })
    });
    sized
}

/// The point a fraction `lambda` of the way from the client's own values to `step`.
fn part_way(step: Move, lambda: f64, evaluator: &Evaluator<'_>) -> Move {
    match step {
        Move::Loan { s, r, keep_goods } => {
            Move::Loan { s: 1.0 - lambda * (1.0 - s), r: 1.0 + lambda * (r - 1.0), keep_goods }
        }
        Move::Single { lever, value } => {
            let from = evaluator.space.others.get(lever).map_or(value, |lever| evaluator.row[lever.feature]);
            Move::Single { lever, value: from + lambda * (value - from) }
        }
    }
}

/// Searches the smallest change within `space` that brings `row` under `threshold`.
pub fn search(
    model: &Model,
    row: &[f64],
    threshold: Threshold,
    space: &SearchSpace,
    rederive: &Rederive<'_>,
) -> Result<SearchOutcome, ModelError> {
    let own = model.predict_probability(row)?;
    if Decision::from_probability(own, threshold) == Decision::Accepted {
        return Ok(SearchOutcome::NotNeeded(own));
    }
    // Levers that point outside the row are left out rather than indexed.
    let fits = |feature: usize| feature < row.len();
    let space = &SearchSpace {
        loan: space.loan.clone().filter(|loan| {
            fits(loan.credit) && fits(loan.annuity) && loan.goods.is_none_or(fits) && loan.income.is_none_or(fits)
        }),
        others: space.others.iter().filter(|lever| fits(lever.feature)).cloned().collect(),
    };
    let mut evaluator = Evaluator { model, row, space, rederive, buffer: Vec::with_capacity(row.len()) };
    let accepted = |probability: f64| Decision::from_probability(probability, threshold) == Decision::Accepted;
    let mut best = own;
    let mut found = None;
    for (_, step) in candidates(&evaluator) {
        let probability = evaluator.probability(step)?;
        best = best.min(probability);
        if accepted(probability) {
            found = Some((step, probability));
            break;
        }
    }
    let Some((step, probability)) = found else { return Ok(SearchOutcome::NoneWithinBounds(best)) };

    // Bisection towards the client's own values: `high` is accepted, `low` is not.
    let (mut low, mut high, mut high_probability) = (0.0_f64, 1.0_f64, probability);
    for _ in 0..BISECTION_STEPS {
        let middle = 0.5 * (low + high);
        let point = part_way(step, middle, &evaluator);
        // A point outside the bounds (the repayment's share of income) counts as refused.
        let probability = if evaluator.allowed(point) { evaluator.probability(point)? } else { f64::INFINITY };
        if accepted(probability) {
            (high, high_probability) = (middle, probability);
        } else {
            low = middle;
        }
    }
    let refined = evaluator.changes(part_way(step, high, &evaluator));

    // Amounts in whole euros, rounded in the client's favour (less borrowed, a lighter
    // repayment), a few euros further if need be, so that the figures quoted are the ones
    // scored; other levers keep their value.
    let amounts: Vec<usize> =
        space.loan.iter().flat_map(|loan| [Some(loan.credit), Some(loan.annuity), loan.goods]).flatten().collect();
    let mut chosen = None;
    for margin in ROUNDING_MARGINS {
        let rounded: Vec<(usize, f64)> = refined
            .iter()
            .map(|&(feature, to)| {
                let from = row[feature];
                let to = match (amounts.contains(&feature), to < from) {
                    (false, _) => to,
                    (true, true) => (to.floor() - margin).max(0.0),
                    (true, false) => to.ceil() + margin,
                };
                (feature, to)
            })
            .collect();
        let probability = evaluator.probability_of(&rounded)?;
        if accepted(probability) {
            chosen = Some((rounded, probability));
            break;
        }
    }
    let (changes, probability) = chosen.unwrap_or((refined, high_probability));
    let changes = changes
        .into_iter()
        .filter(|&(feature, to)| row[feature] != to)
        .map(|(feature, to)| (feature, row[feature], to));
    let same_goods = matches!(step, Move::Loan { keep_goods: true, .. });
    Ok(SearchOutcome::Found(Proposal { changes: changes.collect(), probability, same_goods }))
}

/// The proposal or the statement for the customer, in both languages.
pub fn describe(outcome: &SearchOutcome, features: &[FeatureDescription], threshold: Threshold) -> Option<Bilingual> {
    let limit = |language| format_percent(threshold.value(), language);
    match outcome {
        SearchOutcome::NotNeeded(_) => None,
        SearchOutcome::Found(proposal) => Some(Bilingual {
            en: proposal_sentence(proposal, features, &limit(Language::En), Language::En),
            fr: proposal_sentence(proposal, features, &limit(Language::Fr), Language::Fr),
        }),
        SearchOutcome::NoneWithinBounds(best) => Some(Bilingual {
            en: format!(
                "No change to the amount borrowed or the repayments within the usual ranges would bring the \
                 estimated risk under the bank's limit of {}; the lowest it could reach is {}.",
                limit(Language::En),
                format_percent(*best, Language::En)
            ),
            fr: format!(
                "Aucune modification du montant emprunté ou des remboursements dans les limites habituelles ne \
                 ramènerait le risque estimé sous le seuil de la banque de {}\u{a0}; le risque le plus bas atteignable serait de {}.",
                limit(Language::Fr),
                format_percent(*best, Language::Fr)
            ),
        }),
    }
}

fn proposal_sentence(proposal: &Proposal, features: &[FeatureDescription], limit: &str, language: Language) -> String {
    let name = |feature: usize| features.get(feature).map_or("", |feature| feature.name.as_str());
    let amount = |value: f64| format_number(value, "currency", language);
    let find = |wanted: &str| proposal.changes.iter().find(|&&(feature, _, _)| name(feature) == wanted);
    let mut clauses = Vec::new();
    if let Some(&(_, from, to)) = find("AMT_CREDIT")
        && proposal.same_goods
    {
        let brought = amount(from - to);
        clauses.push(match language {
            Language::En => {
                format!(
                    "borrowed {} instead of {} for the same goods (paying {brought} more yourself)",
                    amount(to),
                    amount(from)
                )
            }
            Language::Fr => format!(
                "empruntiez {} au lieu de {} pour le même bien (en apportant {brought} vous-même)",
                amount(to),
                amount(from)
            ),
        });
    } else if let Some(&(_, from, to)) = find("AMT_CREDIT") {
        let goods = find("AMT_GOODS_PRICE").map(|&(_, _, goods)| amount(goods));
        clauses.push(match (language, goods) {
            (Language::En, None) => format!("borrowed {} instead of {}", amount(to), amount(from)),
            (Language::En, Some(goods)) => {
                format!("borrowed {} instead of {} (for goods costing {goods})", amount(to), amount(from))
            }
            (Language::Fr, None) => format!("empruntiez {} au lieu de {}", amount(to), amount(from)),
            (Language::Fr, Some(goods)) => {
                format!("empruntiez {} au lieu de {} (pour un bien de {goods})", amount(to), amount(from))
            }
        });
    } else if let Some(&(_, from, to)) = find("AMT_GOODS_PRICE") {
        clauses.push(match language {
            Language::En => format!("financed goods costing {} instead of {}", amount(to), amount(from)),
            Language::Fr => format!("financiez un bien de {} au lieu de {}", amount(to), amount(from)),
        });
    }
    if let Some(&(_, from, to)) = find("AMT_ANNUITY") {
        // Compared with the amount borrowed: a lighter repayment per euro is a longer period.
        let credit = find("AMT_CREDIT").map(|&(_, from, to)| (from, to));
        let rate_change = credit.map_or(to / from, |(credit_from, credit_to)| (to / credit_to) / (from / credit_from));
        let period = if rate_change < 0.999 {
            match language {
                Language::En => " (a longer repayment period)",
                Language::Fr => " (sur une durée plus longue)",
            }
        } else if rate_change > 1.001 {
            match language {
                Language::En => " (a shorter repayment period)",
                Language::Fr => " (sur une durée plus courte)",
            }
        } else {
            ""
        };
        clauses.push(match language {
            Language::En => format!("repaid {} a year instead of {}{period}", amount(to), amount(from)),
            Language::Fr => format!("remboursiez {} par an au lieu de {}{period}", amount(to), amount(from)),
        });
    }
    for &(feature, from, to) in &proposal.changes {
        if matches!(name(feature), "AMT_CREDIT" | "AMT_GOODS_PRICE" | "AMT_ANNUITY") {
            continue;
        }
        let Some(description) = features.get(feature) else { continue };
        let shown = |value: f64| format_value(&FieldValue::Number(value), &description.unit, language);
        clauses.push(match language {
            Language::En => format!("changed “{}” to {} instead of {}", description.label_en, shown(to), shown(from)),
            Language::Fr => format!("passiez « {} » à {} au lieu de {}", description.label_fr, shown(to), shown(from)),
        });
    }
    let joined = match clauses.as_slice() {
        [] => match language {
            Language::En => "changed the loan as the bank proposes".to_string(),
            Language::Fr => "modifiiez le prêt comme la banque le propose".to_string(),
        },
        [only] => only.clone(),
        [init @ .., last] => {
            let and = match language {
                Language::En => " and ",
                Language::Fr => " et ",
            };
            format!("{}{and}{last}", init.join(", "))
        }
    };
    let probability = format_percent(proposal.probability, language);
    // Just under the limit, both may round to the same figure: say "just under" instead.
    let risk = match (language, probability == limit) {
        (Language::En, false) => {
            format!("the estimated risk would be {probability}, under the bank's limit of {limit}")
        }
        (Language::En, true) => format!("the estimated risk would be just under the bank's limit of {limit}"),
        (Language::Fr, false) => {
            format!("le risque estimé serait de {probability}, sous le seuil de la banque de {limit}")
        }
        (Language::Fr, true) => format!("le risque estimé passerait juste sous le seuil de la banque de {limit}"),
    };
    match language {
        Language::En => format!("If you {joined}, {risk}, and the application could then be accepted."),
        Language::Fr => format!("Si vous {joined}, {risk}, et la demande pourrait alors être acceptée."),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A model over (credit, annuity, income, term = annuity / credit) whose one tree refuses
    /// (leaf 0.0, probability 0.5) when credit > 200,000 and accepts (leaf −3.0, probability
    /// 1 / (1 + e³) = 0.0474) otherwise.
    fn credit_model() -> Model {
        let text = "tree\nversion=v4\nnum_class=1\nnum_tree_per_iteration=1\nlabel_index=0\nmax_feature_idx=3\n\
objective=binary sigmoid:1\nfeature_names=AMT_CREDIT AMT_ANNUITY AMT_INCOME_TOTAL CREDIT_TERM\n\
feature_infos=[0:1000000] [0:100000] [0:1000000] [0:1]\ntree_sizes=1\n\n\
Tree=0\nnum_leaves=2\nnum_cat=0\nsplit_feature=0\nsplit_gain=1\nthreshold=200000\ndecision_type=2\n\
left_child=-1\nright_child=-2\nleaf_value=-3 0\nleaf_weight=1 1\nleaf_count=50 50\ninternal_value=0\n\
internal_weight=2\ninternal_count=100\nis_linear=0\nshrinkage=1\n\n\nend of trees\n\nfeature_importances:\n\
AMT_CREDIT=1\n\nparameters:\n[objective: binary]\nend of parameters\n\npandas_categorical:null\n";
        Model::parse(text).unwrap()
    }

    fn term(row: &mut [f64], changed: &[usize]) {
        if changed.contains(&0) || changed.contains(&1) {
            row[3] = row[1] / row[0];
        }
    }

    fn loan(credit_low: f64) -> SearchSpace {
        SearchSpace {
            loan: Some(LoanLevers {
                credit: 0,
                annuity: 1,
                goods: None,
                income: Some(2),
                credit_low,
                rate_low: 0.03,
                rate_high: 0.12,
                annuity_income_high: Some(0.5),
                goods_credit_high: None,
            }),
            others: Vec::new(),
        }
    }

    #[test]
    fn a_refused_client_is_told_the_smallest_amount_that_is_accepted() {
        let model = credit_model();
        let threshold = Threshold::new(0.3).unwrap();
        // 250,000 borrowed: refused (probability 0.5). Only the amount matters to this model, so
        // the smallest change keeps the rate and borrows 200,000 (the split is `<=`).
        let row = [250_000.0, 15_000.0, 100_000.0, 0.06];
        let outcome = search(&model, &row, threshold, &loan(50_000.0), &term).unwrap();
        let SearchOutcome::Found(proposal) = outcome else { panic!("{outcome:?}") };
        assert_eq!(proposal.changes.len(), 2, "{proposal:?}");
        let (credit, annuity) = (proposal.changes[0], proposal.changes[1]);
        assert_eq!(credit.0, 0);
        // Within a few euros of the split: the bisection's resolution is 50,000 / 2^14 ≈ 3 euros.
        assert!(credit.2 <= 200_000.0 && credit.2 > 199_990.0, "{credit:?}");
        assert_eq!(credit.2.fract(), 0.0, "whole euros");
        // The annuity follows at the same rate (6 % a year), up to rounding to whole euros.
        assert!((annuity.2 - credit.2 * 0.06).abs() <= 1.0, "{annuity:?}");
        assert!((proposal.probability - 1.0 / (1.0 + 3f64.exp())).abs() < 1e-12);
        // Applied and rescored, the change is accepted.
        let mut changed = row;
        changed[0] = credit.2;
        changed[1] = annuity.2;
        term(&mut changed, &[0, 1]);
        assert!(model.predict_probability(&changed).unwrap() < threshold.value());
        let features: Vec<FeatureDescription> = ["AMT_CREDIT", "AMT_ANNUITY", "AMT_INCOME_TOTAL", "CREDIT_TERM"]
            .iter()
            .map(|name| FeatureDescription {
                name: name.to_string(),
                label_en: name.to_string(),
                label_fr: name.to_string(),
                unit: "currency".into(),
                categories: None,
                actionable: true,
                protected: false,
                derived: false,
                used: true,
                required: false,
            })
            .collect();
        let (credit_to, annuity_to) = (credit.2, annuity.2);
        let text = describe(&SearchOutcome::Found(proposal), &features, threshold).unwrap();
        // 250,000 → about 200,000 at the same 6 % rate: about 12,000 a year instead of 15,000.
        let expected = format!(
            "If you borrowed €{} instead of €250,000 and repaid €{} a year instead of €15,000, the estimated \
             risk would be 4.7 %, under the bank's limit of 30.0 %, and the application could then be accepted.",
            group(credit_to),
            group(annuity_to)
        );
        assert_eq!(text.en, expected);
        assert!(text.fr.starts_with("Si vous empruntiez "), "{}", text.fr);
        // No clause to say (no known feature changed): still a sentence, not "If you , …".
        let bare = Proposal { changes: vec![(9, 1.0, 2.0)], probability: 0.1, same_goods: false };
        let text = describe(&SearchOutcome::Found(bare), &features, threshold).unwrap();
        assert!(!text.en.contains("If you ,"), "{}", text.en);
    }

    #[test]
    fn an_accepted_client_needs_nothing_and_an_unreachable_one_is_told_so() {
        let model = credit_model();
        let threshold = Threshold::new(0.3).unwrap();
        let accepted = [150_000.0, 9_000.0, 100_000.0, 0.06];
        assert!(matches!(
            search(&model, &accepted, threshold, &loan(50_000.0), &term),
            Ok(SearchOutcome::NotNeeded(_))
        ));
        // Nobody may borrow less than 210,000: nothing within the bounds is accepted.
        let refused = [250_000.0, 15_000.0, 100_000.0, 0.06];
        let outcome = search(&model, &refused, threshold, &loan(210_000.0), &term).unwrap();
        assert_eq!(outcome, SearchOutcome::NoneWithinBounds(0.5));
        let text = describe(&outcome, &[], threshold).unwrap();
        assert!(text.en.contains("No change") && text.en.contains("30.0 %"), "{}", text.en);
        assert!(text.fr.contains("Aucune modification"), "{}", text.fr);
        // Without levers there is nothing to try.
        let none = search(&model, &refused, threshold, &SearchSpace::default(), &term).unwrap();
        assert_eq!(none, SearchOutcome::NoneWithinBounds(0.5));
    }

    /// `199,997` → `199,997` with an English thousands comma.
    fn group(value: f64) -> String {
        crate::domain::format::format_number(value, "currency", Language::En).trim_start_matches('€').to_string()
    }

    #[test]
    fn grid_axes_stop_at_their_bounds() {
        let down = axis(0.9, 0.025, MAX_AXIS);
        assert_eq!(down.len(), 4);
        assert!((down[0] - 0.975).abs() < 1e-12 && (down[3] - 0.9).abs() < 1e-12);
        let up = axis(1.06, 0.025, MAX_AXIS);
        assert_eq!(up.len(), 3);
        assert!(axis(1.0, 0.025, MAX_AXIS).is_empty());
        assert!(axis(f64::NAN, 0.025, MAX_AXIS).is_empty());
        // From 1 up to 4 in steps of 0.05 would be 60 points: the cap keeps 20, the last at 4.
        let capped = axis(4.0, 0.05, MAX_RATE_AXIS);
        assert_eq!(capped.len(), MAX_RATE_AXIS);
        assert_eq!(capped[MAX_RATE_AXIS - 1], 4.0, "the bound itself is the last point");
    }

    #[test]
    fn levers_outside_the_row_are_left_out_not_indexed() {
        let model = credit_model();
        let threshold = Threshold::new(0.3).unwrap();
        let row = [250_000.0, 15_000.0, 100_000.0, 0.06];
        let mut space = loan(50_000.0);
        if let Some(loan) = space.loan.as_mut() {
            loan.credit = 17;
        }
        space.others.push(SingleLever { feature: 99, low: 0.0, high: 1.0 });
        assert_eq!(search(&model, &row, threshold, &space, &term).unwrap(), SearchOutcome::NoneWithinBounds(0.5));
    }
}
