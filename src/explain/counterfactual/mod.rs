//! What would change a refusal: the smallest change to the inputs a client can act on that
//! brings the probability of default under the threshold, found by search over the real model.
//!
//! The levers are the loan's terms and any other feature the card marks actionable:
//!
//! - **A loan repaid in instalments** (a cash loan) moves as a whole, so that it stays
//!   coherent: the amount borrowed is scaled by a factor `s ≤ 1`, the goods financed either by
//!   the same factor (cheaper goods) or not at all (the same goods with a larger down payment,
//!   within the goods-to-credit ratios of past loans), and the annual repayment follows the
//!   amount at the same repayment rate, times a rate factor `r` (a longer or shorter
//!   repayment period): `annuity' = credit · s · rate · r`.
//! - **A revolving credit line** has no term and buys no particular goods: its credit limit
//!   is lowered by a factor `s ≤ 1` and the required minimum payment follows the limit at the
//!   line's own rate times a factor `r` (a larger or smaller share of the limit each year,
//!   within the rates of past revolving lines); a goods price, when the file gives one,
//!   follows the limit, and there is no down payment.
//! - **Any other actionable number** moves alone, between its bounds.
//!
//! The derived ratios (credit/income, annuity/income, term, goods/credit) are recomputed by
//! the caller's pipeline, never guessed. Bounds come from the reference population (the
//! caller's [`SearchSpace`]): the amount borrowed no lower than what 1 % of past clients
//! borrowed, the repayment rate between the 1st and 99th percentiles of past loans, and the
//! repayment no heavier relative to income than for 99 % of past clients.
//!
//! **The size of a change** is `(1 − s) + |1 − r|` for the loan and the relative change for a
//! single feature.
//!
//! **The search is exact for the loan.** A tree model is constant between its split
//! thresholds, and every feature the loan moves is a power product of the two factors,
//! `value = base · s^α · r^β` with α, β ∈ {−1, 0, 1} (the amount and its ratio to income go
//! as `s`, the term as `r`, the repayment and its ratio to income as `s·r`, the
//! goods-to-credit ratio with a down payment as `1/s`). In logarithms (`x = ln s`,
//! `y = ln r`) each split threshold of such a feature is a straight line, so the lines cut
//! the plane into cells on each of which the probability is constant. The size is monotone
//! or concave along every such line (once `r = 1` is a line too) and has no minimum inside a
//! cell, so its smallest value over a cell is at one of the cell's corners. The search lists
//! every crossing of two lines within the bounds (the bounds themselves, `r = 1` and the
//! unchanged yearly repayment `s·r = 1` are lines as well), scores a point just inside every
//! cell around each crossing, smallest size first, and stops once the smallest accepted
//! change is known. The change found is therefore the smallest within the bounds, to
//! [`SIZE_TOLERANCE`] (points just inside the cells, then amounts in whole euros, rounded in
//! the client's favour when that keeps the change accepted); and when nothing is accepted
//! every cell has been scored, so the lowest probability quoted is the lowest the levers
//! can reach.
//!
//! **A lighter yearly repayment is preferred**: among accepted changes at most
//! [`SIMILAR_SIZE`] larger than the smallest, the smallest that does not raise the yearly
//! repayment is proposed; the wording says so plainly when the change asks more per year.
//!
//! Other actionable numbers, and loans whose derived features do not move as such products
//! or whose model has more than [`MAX_LINES`] split lines in the bounds, are searched on a
//! grid instead: every candidate accepted within [`SIMILAR_SIZE`] of the first is refined
//! by bisection towards the client's own values, and the smallest refined one kept.
//!
//! Uses: model, domain.

mod exact;
mod wording;

use self::exact::exact_candidates;
use crate::domain::{Decision, LoanKind, Threshold};
use crate::model::{Model, ModelError};

pub use wording::describe;

/// The loan's terms as levers, with their bounds.
#[derive(Debug, Clone, PartialEq)]
pub struct LoanLevers {
    /// The amount borrowed (`AMT_CREDIT`; the credit limit of a revolving line).
    pub credit: usize,
    /// The annual repayment (`AMT_ANNUITY`; the required minimum payment of a revolving line).
    pub annuity: usize,
    /// The price of the goods financed (`AMT_GOODS_PRICE`), scaled with the amount.
    pub goods: Option<usize>,
    /// The income (`AMT_INCOME_TOTAL`), for the repayment-to-income bound.
    pub income: Option<usize>,
    /// The contract type (`NAME_CONTRACT_TYPE`) and the value that marks a revolving credit
    /// line, when the model reads it.
    pub revolving: Option<(usize, f64)>,
    /// The smallest amount borrowed allowed.
    pub credit_low: f64,
    /// The smallest repayment rate (annuity / credit) allowed.
    pub rate_low: f64,
    /// The largest repayment rate allowed.
    pub rate_high: f64,
    /// The smallest and largest minimum-payment rate (payment / limit) allowed for a revolving
    /// credit line.
    pub revolving_rate: (f64, f64),
    /// The largest repayment relative to income allowed.
    pub annuity_income_high: Option<f64>,
    /// The largest goods price relative to the amount borrowed allowed (a down payment).
    pub goods_credit_high: Option<f64>,
}

impl LoanLevers {
    /// The repayment rates allowed: of every loan, or of revolving lines.
    fn rates(&self, revolving: bool) -> (f64, f64) {
        if revolving { self.revolving_rate } else { (self.rate_low, self.rate_high) }
    }
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

/// How far the size of the change proposed may be from the smallest within the bounds
/// (when no other change of similar size is preferred for a lighter repayment): points are
/// scored a hair inside their cells, and amounts are rounded to whole euros.
pub const SIZE_TOLERANCE: f64 = 0.001;

/// Changes at most this much larger than the smallest are "of similar size": the smallest
/// of them that does not raise the yearly repayment is preferred.
pub const SIMILAR_SIZE: f64 = 0.05;

/// Most split lines of the loan's features within the bounds, for each way of financing the
/// goods, before the search falls back to a grid (about `MAX_LINES²/2` crossings).
pub const MAX_LINES: usize = 160;

/// How far inside a cell its point is scored, in logarithms of the factors.
const INSIDE: f64 = 1e-7;

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

/// Bisection steps refining a grid candidate.
const BISECTION_STEPS: usize = 14;

/// Most grid candidates refined.
const MAX_REFINED: usize = 32;

#[derive(Debug, Clone, Copy, PartialEq)]
enum Move {
    /// Amount factor `s`, rate factor `r`; the goods price scaled with the amount, or kept.
    Loan { s: f64, r: f64, keep_goods: bool },
    /// One feature to this value.
    Single { lever: usize, value: f64 },
}

impl Move {
    /// Whether the yearly repayment grows.
    fn raises_repayment(self) -> bool {
        matches!(self, Move::Loan { s, r, .. } if s * r > 1.0 + 1e-12)
    }
}

/// The kind of loan of a client's row: a revolving credit line when the contract type says so.
pub fn loan_kind(space: &SearchSpace, row: &[f64]) -> LoanKind {
    let revolving = space.loan.as_ref().and_then(|loan| loan.revolving);
    match revolving {
        Some((feature, code)) if row.get(feature) == Some(&code) => LoanKind::RevolvingCredit,
        _ => LoanKind::CashLoan,
    }
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

    /// The row with the changes applied and the derived features recomputed, in `buffer`.
    fn apply(&mut self, changes: &[(usize, f64)]) {
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
    }

    fn probability_of(&mut self, changes: &[(usize, f64)]) -> Result<f64, ModelError> {
        self.apply(changes);
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
        Move::Loan { s, r, .. } => loan_size(s, r),
        Move::Single { lever, value } => {
            let Some(lever) = evaluator.space.others.get(lever) else { return f64::INFINITY };
            let from = evaluator.row[lever.feature];
            if from != 0.0 { ((value - from) / from).abs() } else { value.abs() }
        }
    }
}

/// The size of a change of the loan by factors `s` and `r`.
fn loan_size(s: f64, r: f64) -> f64 {
    (1.0 - s) + (1.0 - r).abs()
}

/// A point to score: a move, the size it stands for, and whether it is refined by bisection
/// once accepted (a grid point) or is already the corner of its cell (exact).
#[derive(Debug, Clone, Copy)]
struct Candidate {
    size: f64,
    step: Move,
    refine: bool,
    /// The corner an exact candidate stands for, `(ln s, ln r)`.
    corner: Option<(f64, f64)>,
}

/// The grid candidates of the loan, for a pipeline or a model the exact search cannot take.
fn grid_candidates(evaluator: &Evaluator<'_>, loan: &LoanLevers, revolving: bool, keep_goods: bool) -> Vec<Candidate> {
    let credit = evaluator.row[loan.credit];
    let annuity = evaluator.row[loan.annuity];
    if !(credit.is_finite() && credit > 0.0) || (keep_goods && loan.goods.is_none()) {
        return Vec::new();
    }
    let mut amounts = vec![1.0];
    if loan.credit_low < credit {
        amounts.extend(axis((loan.credit_low / credit).max(0.0), CREDIT_STEP, MAX_AXIS));
    }
    let mut rates = vec![1.0];
    let (rate_low, rate_high) = loan.rates(revolving);
    if annuity.is_finite() && annuity > 0.0 {
        let rate = annuity / credit;
        if rate_low < rate {
            rates.extend(axis(rate_low / rate, RATE_STEP, MAX_RATE_AXIS));
        }
        if rate_high > rate {
            rates.extend(axis(rate_high / rate, RATE_STEP, MAX_RATE_AXIS));
        }
    }
    let mut candidates = Vec::new();
    for &s in &amounts {
        for &r in &rates {
            let step = Move::Loan { s, r, keep_goods };
            let own = s == 1.0 && r == 1.0;
            if !(own || (keep_goods && s >= 1.0)) && evaluator.allowed(step) {
                candidates.push(Candidate { size: loan_size(s, r), step, refine: true, corner: None });
            }
        }
    }
    candidates
}

/// The grid candidates of the other actionable numbers, each moved alone.
fn single_candidates(evaluator: &Evaluator<'_>) -> Vec<Candidate> {
    let mut candidates = Vec::new();
    for (index, lever) in evaluator.space.others.iter().enumerate() {
        let from = evaluator.row[lever.feature];
        if !from.is_finite() {
            continue;
        }
        let span = |end: f64| {
            let steps = 20;
            (1..=steps).map(move |k| from + (end - from) * k as f64 / steps as f64)
        };
        let mut values: Vec<f64> = Vec::new();
        if lever.low < from {
            values.extend(span(lever.low));
        }
        if lever.high > from {
            values.extend(span(lever.high));
        }
        for value in values {
            let step = Move::Single { lever: index, value };
            candidates.push(Candidate { size: size(step, evaluator), step, refine: true, corner: None });
        }
    }
    candidates
}

/// Every candidate, smallest first; among equal sizes, one that keeps the yearly repayment,
/// then a smaller change of the amount, then a lower rate, then the goods scaled.
fn candidates(evaluator: &mut Evaluator<'_>, revolving: bool) -> Vec<Candidate> {
    let mut all = Vec::new();
    if let Some(loan) = evaluator.space.loan.clone() {
        let ways: &[bool] = if revolving { &[false] } else { &[false, true] };
        for &keep_goods in ways {
            match exact_candidates(evaluator, &loan, revolving, keep_goods) {
                Some(exact) => all.extend(exact),
                None => all.extend(grid_candidates(evaluator, &loan, revolving, keep_goods)),
            }
        }
    }
    all.extend(single_candidates(evaluator));
    all.sort_by(|first, second| {
        first.size.total_cmp(&second.size).then_with(|| {
            first.step.raises_repayment().cmp(&second.step.raises_repayment()).then_with(|| {
                match (first.step, second.step) {
                    (Move::Loan { s: s1, r: r1, keep_goods: k1 }, Move::Loan { s: s2, r: r2, keep_goods: k2 }) => {
                        s2.total_cmp(&s1).then(r1.total_cmp(&r2)).then(k1.cmp(&k2))
                    }
                    (Move::Loan { .. }, Move::Single { .. }) => std::cmp::Ordering::Less,
                    (Move::Single { .. }, Move::Loan { .. }) => std::cmp::Ordering::Greater,
                    (Move::Single { lever: l1, value: v1 }, Move::Single { lever: l2, value: v2 }) => {
                        l1.cmp(&l2).then(v1.total_cmp(&v2))
                    }
                }
            })
        })
    });
    all
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

/// Bisection of an accepted grid candidate towards the client's own values: the closest
/// accepted point on the way, with its probability.
fn refine(
    evaluator: &mut Evaluator<'_>,
    step: Move,
    probability: f64,
    accepted: &dyn Fn(f64) -> bool,
) -> Result<(Move, f64), ModelError> {
    // `high` is accepted, `low` is not.
    let (mut low, mut high, mut high_probability) = (0.0_f64, 1.0_f64, probability);
    for _ in 0..BISECTION_STEPS {
        let middle = 0.5 * (low + high);
        let point = part_way(step, middle, evaluator);
        // A point outside the bounds (the repayment's share of income) counts as refused.
        let probability = if evaluator.allowed(point) { evaluator.probability(point)? } else { f64::INFINITY };
        if accepted(probability) {
            (high, high_probability) = (middle, probability);
        } else {
            low = middle;
        }
    }
    Ok((part_way(step, high, evaluator), high_probability))
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
    let revolving = loan_kind(space, row) == LoanKind::RevolvingCredit;
    let mut evaluator = Evaluator { model, row, space, rederive, buffer: Vec::with_capacity(row.len()) };
    let accepted = |probability: f64| Decision::from_probability(probability, threshold) == Decision::Accepted;

    // Smallest first: every candidate up to the first accepted one, and those of similar
    // size after it.
    let mut lowest = own;
    let mut found: Vec<(Candidate, f64)> = Vec::new();
    let mut window = f64::INFINITY;
    for candidate in candidates(&mut evaluator, revolving) {
        if candidate.size > window {
            break;
        }
        let probability = evaluator.probability(candidate.step)?;
        lowest = lowest.min(probability);
        if accepted(probability) {
            if found.is_empty() {
                window = candidate.size + SIMILAR_SIZE;
            }
            let keeps_repayment = !candidate.step.raises_repayment();
            found.push((candidate, probability));
            // Exact candidates come smallest first: the first that keeps the repayment is
            // the best there is.
            if keeps_repayment && !candidate.refine {
                break;
            }
        }
    }
    if found.is_empty() {
        return Ok(SearchOutcome::NoneWithinBounds(lowest));
    }
    // Grid candidates are refined (the first few), exact ones are corners already.
    let mut refined: Vec<(Candidate, f64)> = Vec::with_capacity(found.len());
    let mut refinements = 0;
    for (candidate, probability) in found {
        if candidate.refine {
            if refinements == MAX_REFINED {
                continue;
            }
            refinements += 1;
            let (step, probability) = refine(&mut evaluator, candidate.step, probability, &accepted)?;
            let size = size(step, &evaluator);
            refined.push((Candidate { size, step, refine: false, corner: None }, probability));
        } else {
            refined.push((candidate, probability));
        }
    }
    let smallest = refined.iter().map(|(candidate, _)| candidate.size).fold(f64::INFINITY, f64::min);
    let by_size = |a: &&(Candidate, f64), b: &&(Candidate, f64)| a.0.size.total_cmp(&b.0.size);
    let lighter = refined
        .iter()
        .filter(|(candidate, _)| !candidate.step.raises_repayment() && candidate.size <= smallest + SIMILAR_SIZE)
        .min_by(by_size);
    let chosen = lighter.or_else(|| refined.iter().min_by(by_size));
    let Some(&(Candidate { step, corner, .. }, probability)) = chosen else {
        return Ok(SearchOutcome::NoneWithinBounds(lowest));
    };
    // A corner on the client's own amount or rate is scored a hair beside it: when the
    // corner itself is accepted, the amount or rate is kept exactly.
    let (step, probability) = match (step, corner) {
        (Move::Loan { s, r, keep_goods }, Some((x, y))) if x.abs() < 1e-12 || y.abs() < 1e-12 => {
            let snapped = Move::Loan {
                s: if x.abs() < 1e-12 { 1.0 } else { s },
                r: if y.abs() < 1e-12 { 1.0 } else { r },
                keep_goods,
            };
            let snapped_probability = evaluator.probability(snapped)?;
            let own = matches!(snapped, Move::Loan { s, r, .. } if s == 1.0 && r == 1.0);
            if !own && evaluator.allowed(snapped) && accepted(snapped_probability) {
                (snapped, snapped_probability)
            } else {
                (step, probability)
            }
        }
        _ => (step, probability),
    };
    let refined = evaluator.changes(step);
    let amounts: Vec<usize> =
        space.loan.iter().flat_map(|loan| [Some(loan.credit), Some(loan.annuity), loan.goods]).flatten().collect();
    let annuity = space.loan.as_ref().map(|loan| loan.annuity);
    let chosen = whole_euros(&mut evaluator, &refined, &amounts, annuity, step.raises_repayment(), &accepted)?;
    let (changes, probability) = chosen.unwrap_or((refined, probability));
    let changes = changes
        .into_iter()
        .filter(|&(feature, to)| row[feature] != to)
        .map(|(feature, to)| (feature, row[feature], to));
    let same_goods = matches!(step, Move::Loan { keep_goods: true, .. });
    Ok(SearchOutcome::Found(Proposal { changes: changes.collect(), probability, same_goods }))
}

/// Changes `(feature, to)` with the probability they give.
type Scored = (Vec<(usize, f64)>, f64);

/// The changes with their amounts in whole euros, so that the figures quoted are the ones
/// scored: rounded in the client's favour (less borrowed, a lighter repayment) when that keeps
/// the change accepted, else the other way for as few amounts as will do, else a few euros
/// further in the client's favour. A change that keeps the yearly repayment is never rounded
/// into a heavier one. `None` when no rounding is accepted.
fn whole_euros(
    evaluator: &mut Evaluator<'_>,
    changes: &[(usize, f64)],
    amounts: &[usize],
    annuity: Option<usize>,
    raises: bool,
    accepted: &dyn Fn(f64) -> bool,
) -> Result<Option<Scored>, ModelError> {
    let rounded_amounts: Vec<usize> = (0..changes.len()).filter(|&index| amounts.contains(&changes[index].0)).collect();
    let n = rounded_amounts.len();
    // Every choice of amounts rounded against the client's favour, fewest first, then the
    // margins in the client's favour.
    let mut masks: Vec<u32> = (0..1u32 << n).collect();
    masks.sort_by_key(|mask| mask.count_ones());
    let tries = masks.iter().map(|&mask| (mask, 0.0)).chain(ROUNDING_MARGINS.iter().skip(1).map(|&margin| (0, margin)));
    for (mask, margin) in tries {
        let rounded: Vec<(usize, f64)> = changes
            .iter()
            .enumerate()
            .map(|(index, &(feature, to))| {
                let Some(position) = rounded_amounts.iter().position(|&amount| amount == index) else {
                    return (feature, to);
                };
                let from = evaluator.row[feature];
                let against = mask & (1 << position) != 0;
                let to = match (to < from, against) {
                    (true, false) => (to.floor() - margin).max(0.0),
                    (true, true) => to.ceil(),
                    (false, false) => to.ceil() + margin,
                    (false, true) => to.floor(),
                };
                (feature, to)
            })
            .collect();
        let heavier = annuity.is_some_and(|annuity| {
            rounded.iter().any(|&(feature, to)| feature == annuity && to > evaluator.row[annuity])
        });
        if heavier && !raises {
            continue;
        }
        let probability = evaluator.probability_of(&rounded)?;
        if accepted(probability) {
            return Ok(Some((rounded, probability)));
        }
    }
    Ok(None)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::FeatureDescription;
    use crate::domain::format::Language;

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

    /// A model over (credit, annuity, income, term, contract type) with one tree of three
    /// leaves: node 0 splits `feature_0` at `threshold_0` (left: leaf `left_0`), node 1 splits
    /// `feature_1` at `threshold_1` (left: leaf −3 or 0 as `accept_middle` says, right: the
    /// other). Leaves −3 accept (probability 0.0474 under a 0.3 limit), 0 refuse (0.5).
    fn two_split_model(first: (usize, f64, f64), second: (usize, f64), accept_middle: bool) -> Model {
        let (feature_0, threshold_0, left_0) = first;
        let (feature_1, threshold_1) = second;
        let (middle, last) = if accept_middle { (-3, 0) } else { (0, -3) };
        let text = format!(
            "tree\nversion=v4\nnum_class=1\nnum_tree_per_iteration=1\nlabel_index=0\nmax_feature_idx=4\n\
objective=binary sigmoid:1\nfeature_names=AMT_CREDIT AMT_ANNUITY AMT_INCOME_TOTAL CREDIT_TERM NAME_CONTRACT_TYPE\n\
feature_infos=[0:1000000] [0:100000] [0:1000000] [0:1] [0:1]\ntree_sizes=1\n\n\
Tree=0\nnum_leaves=3\nnum_cat=0\nsplit_feature={feature_0} {feature_1}\nsplit_gain=1 1\n\
threshold={threshold_0} {threshold_1}\ndecision_type=2 2\nleft_child=-1 -2\nright_child=1 -3\n\
leaf_value={left_0} {middle} {last}\nleaf_weight=1 1 1\nleaf_count=50 25 25\ninternal_value=0 0\n\
internal_weight=2 1\ninternal_count=100 50\nis_linear=0\nshrinkage=1\n\n\nend of trees\n\n\
feature_importances:\nAMT_CREDIT=1\n\nparameters:\n[objective: binary]\nend of parameters\n\n\
pandas_categorical:null\n"
        );
        Model::parse(&text).unwrap()
    }

    fn described(names: &[&str]) -> Vec<FeatureDescription> {
        names
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
                class: crate::domain::PolicyClass::Actionable,
            })
            .collect()
    }

    #[test]
    fn a_narrow_band_of_repayment_rates_between_any_grid_points_is_found_and_its_cost_said() {
        // Accepted only when the term (annuity / credit) is in (0.0700, 0.0705]: for 15,000 a
        // year on 250,000 (a rate of 0.06) the rate factor must be in (1.16667, 1.175], between
        // the grid's 1.15 and 1.20. The smallest change keeps the amount (size 0.1667); keeping
        // the yearly repayment would need s ≤ 1 / 1.16667 = 0.857 (size 0.31 > 0.1667 + 0.05),
        // so the heavier repayment is proposed, and said: 15,000 × 1.16667 = 17,500, rounded up
        // to 17,501 in whole euros (term 0.070004), 2,501 more a year.
        let model = two_split_model((3, 0.07, 0.0), (3, 0.0705), true);
        let threshold = Threshold::new(0.3).unwrap();
        let features = described(&["AMT_CREDIT", "AMT_ANNUITY", "AMT_INCOME_TOTAL", "CREDIT_TERM", "TYPE"]);
        for (contract, kind) in [(0.0, LoanKind::CashLoan), (1.0, LoanKind::RevolvingCredit)] {
            let row = [250_000.0, 15_000.0, 100_000.0, 0.06, contract];
            let mut space = loan(50_000.0);
            if let Some(loan) = space.loan.as_mut() {
                loan.revolving = Some((4, 1.0));
            }
            assert_eq!(loan_kind(&space, &row), kind);
            let outcome = search(&model, &row, threshold, &space, &term).unwrap();
            let SearchOutcome::Found(proposal) = &outcome else { panic!("{outcome:?}") };
            assert_eq!(proposal.changes, vec![(1, 15_000.0, 17_501.0)], "{kind:?}");
            let text = describe(&outcome, &features, threshold, kind).unwrap();
            match kind {
                LoanKind::CashLoan => {
                    assert!(text.en.contains("repaid €17,501 a year instead of €15,000 (a shorter"), "{}", text.en);
                    assert!(text.en.ends_with("This change asks €2,501 more each year than your current repayment."));
                }
                LoanKind::RevolvingCredit => {
                    assert!(
                        text.en
                            .starts_with("If you had a required minimum payment of €17,501 a year instead of €15,000,"),
                        "{}",
                        text.en
                    );
                    assert!(
                        text.en.ends_with("€2,501 more each year than your current minimum payment."),
                        "{}",
                        text.en
                    );
                    assert!(
                        text.fr.starts_with("Si vous aviez un remboursement minimum obligatoire de 17"),
                        "{}",
                        text.fr
                    );
                }
            }
        }
    }

    #[test]
    fn a_change_of_similar_size_that_keeps_the_yearly_repayment_is_preferred() {
        // Accepted when credit ≤ 240,000 (s ≤ 0.96: size 0.04, a lighter repayment) or when
        // the term exceeds 0.0612 (r > 1.02: size 0.02, but 2 % more a year). A lighter change
        // within 0.05 of 0.02 is proposed instead.
        let model = two_split_model((0, 240_000.0, -3.0), (3, 0.0612), false);
        let threshold = Threshold::new(0.3).unwrap();
        let row = [250_000.0, 15_000.0, 100_000.0, 0.06, 0.0];
        let outcome = search(&model, &row, threshold, &loan(50_000.0), &term).unwrap();
        let SearchOutcome::Found(proposal) = &outcome else { panic!("{outcome:?}") };
        // Smaller still: the shorter term for the same yearly repayment, s = 1 / 1.02 (the term
        // 15,000 / 245,098 = 0.0612000 is just past the split), size 0.0196 + 0.02 = 0.0396.
        assert_eq!(proposal.changes.len(), 1, "{proposal:?}");
        let credit = proposal.changes[0];
        assert_eq!((credit.0, credit.1), (0, 250_000.0));
        assert!(credit.2 <= 245_098.0 && credit.2 >= 245_097.0, "{proposal:?}");
        // When no lighter change is allowed (nothing under 245,500), the shorter term is
        // proposed: 15,000 × 1.02 = 15,300, rounded up.
        let outcome = search(&model, &row, threshold, &loan(245_500.0), &term).unwrap();
        let SearchOutcome::Found(proposal) = &outcome else { panic!("{outcome:?}") };
        assert_eq!(proposal.changes.len(), 1, "{proposal:?}");
        assert!(proposal.changes[0].2 > 15_300.0 && proposal.changes[0].2 <= 15_302.0, "{proposal:?}");
    }

    #[test]
    fn the_lowest_reachable_never_reads_as_the_limit_itself() {
        // 8.4432 % limit, 8.4451 % lowest: both "8.4 %".
        let threshold = Threshold::new(0.084_432).unwrap();
        let text = describe(&SearchOutcome::NoneWithinBounds(0.084_451), &[], threshold, LoanKind::CashLoan).unwrap();
        assert_eq!(
            text.en,
            "No change to the amount borrowed or the repayments within the usual ranges would bring the estimated \
             risk under the bank's limit of 8.4 %; the lowest it could reach is just above that limit."
        );
        assert!(text.fr.ends_with("resterait juste au-dessus de ce seuil."), "{}", text.fr);
        let text =
            describe(&SearchOutcome::NoneWithinBounds(0.091), &[], threshold, LoanKind::RevolvingCredit).unwrap();
        assert!(
            text.en.starts_with("No lower credit limit") && text.en.ends_with("could reach is 9.1 %."),
            "{}",
            text.en
        );
        assert!(text.fr.starts_with("Aucun plafond de crédit plus bas"), "{}", text.fr);
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
                revolving: None,
                revolving_rate: (0.03, 0.12),
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
        let features = described(&["AMT_CREDIT", "AMT_ANNUITY", "AMT_INCOME_TOTAL", "CREDIT_TERM"]);
        let (credit_to, annuity_to) = (credit.2, annuity.2);
        let text = describe(&SearchOutcome::Found(proposal), &features, threshold, LoanKind::CashLoan).unwrap();
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
        let text = describe(&SearchOutcome::Found(bare), &features, threshold, LoanKind::CashLoan).unwrap();
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
        let text = describe(&outcome, &[], threshold, LoanKind::CashLoan).unwrap();
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
