//! The exact search: the model's probability changes only where a tree splits on one of the
//! loan's inputs, so the candidates are where those split lines meet within the bounds,
//! smallest change first.

use super::{Candidate, Evaluator, INSIDE, LoanLevers, MAX_LINES, Move, loan_size};
use crate::model::Model;

/// The loan's ranges for one client, in logarithms of the factors: `x = ln s` in
/// `[x_low, 0]`, `y = ln r` in `[y_low, y_high]` (which holds 0).
#[derive(Debug, Clone, Copy)]
pub(super) struct LoanBox {
    x_low: f64,
    y_low: f64,
    y_high: f64,
}

impl LoanBox {
    /// The ranges of a client's loan, `None` when the amount cannot move at all.
    fn of(evaluator: &Evaluator<'_>, loan: &LoanLevers, revolving: bool, keep_goods: bool) -> Option<LoanBox> {
        let credit = evaluator.row[loan.credit];
        let annuity = evaluator.row[loan.annuity];
        if !(credit.is_finite() && credit > 0.0) {
            return None;
        }
        // No lower amount than the smallest allowed (none at all when that is unknown).
        let mut s_low = if loan.credit_low < credit { (loan.credit_low / credit).max(0.0) } else { 1.0 };
        if keep_goods {
            let goods = loan.goods.map_or(f64::NAN, |goods| evaluator.row[goods]);
            let high = loan.goods_credit_high.unwrap_or(f64::NAN);
            // Keeping the goods is a down payment: only for a lower amount, and no larger
            // than past loans had.
            if !(goods.is_finite() && goods > 0.0 && high > 0.0) {
                return None;
            }
            s_low = s_low.max(goods / (credit * high));
            if s_low >= 1.0 {
                return None;
            }
        }
        let s_low = s_low.max(f64::MIN_POSITIVE);
        let (mut y_low, mut y_high) = (0.0_f64, 0.0_f64);
        let (rate_low, rate_high) = loan.rates(revolving);
        if annuity.is_finite() && annuity > 0.0 {
            let rate = annuity / credit;
            if rate_low < rate {
                y_low = (rate_low / rate).ln();
            }
            if rate_high > rate {
                y_high = (rate_high / rate).ln();
            }
        }
        let y_low = if y_low.is_finite() { y_low } else { 0.0 };
        let y_high = if y_high.is_finite() { y_high } else { 0.0 };
        Some(LoanBox { x_low: s_low.ln(), y_low, y_high })
    }

    fn flat_x(&self) -> bool {
        self.x_low > -1e-12
    }

    fn flat_y(&self) -> bool {
        self.y_high - self.y_low < 1e-12
    }

    fn contains(&self, x: f64, y: f64, slack: f64) -> bool {
        x >= self.x_low - slack && x <= slack && y >= self.y_low - slack && y <= self.y_high + slack
    }
}

/// A line `a·x + b·y = c` in the logarithms of the factors, `(a, b)` among `(1, 0)`,
/// `(0, 1)`, `(1, 1)` and `(1, −1)`.
#[derive(Debug, Clone, Copy)]
pub(super) struct Line {
    a: f64,
    b: f64,
    c: f64,
}

impl Line {
    /// The direction of the line as a bit: 0° (`b ≠ 0, a = 0`), 45°, 90° or 135°.
    fn direction_bit(&self) -> u8 {
        match (self.a != 0.0, self.b != 0.0, self.a * self.b > 0.0) {
            (false, _, _) => 1,    // y = c: along x, 0°
            (true, false, _) => 4, // x = c: 90°
            (true, true, true) => 8,
            (true, true, false) => 2,
        }
    }
}

/// How a model feature moves with the loan's factors: `base · s^alpha · r^beta`.
#[derive(Debug, Clone, Copy)]
pub(super) struct Form {
    feature: usize,
    base: f64,
    alpha: i32,
    beta: i32,
}

/// The exponent `k ∈ {−1, 0, 1}` with `ratio = factor^k`, if there is one.
pub(super) fn exponent(ratio: f64, factor: f64) -> Option<i32> {
    [-1, 0, 1].into_iter().find(|&k| (ratio - factor.powi(k)).abs() <= 1e-9 * factor.powi(k).abs())
}

/// How every feature the model reads moves with the loan's factors (the derived ones
/// through the caller's pipeline); `None` when one moves in another way.
pub(super) fn forms(evaluator: &mut Evaluator<'_>, keep_goods: bool) -> Option<Vec<Form>> {
    let probes = [(0.5, 1.0), (1.0, 0.5), (0.7, 1.3)];
    let mut rows = Vec::with_capacity(probes.len());
    for (s, r) in probes {
        let changes = evaluator.changes(Move::Loan { s, r, keep_goods });
        evaluator.apply(&changes);
        rows.push(evaluator.buffer.clone());
    }
    let mut forms = Vec::new();
    for (feature, &base) in evaluator.row.iter().enumerate() {
        let moved: Vec<f64> = rows.iter().map(|row| row[feature]).collect();
        let unchanged = moved.iter().all(|&value| value == base || (value.is_nan() && base.is_nan()));
        if unchanged || !evaluator.model.uses_feature(feature) {
            continue;
        }
        if !(base.is_finite() && base != 0.0 && moved.iter().all(|value| value.is_finite())) {
            return None;
        }
        let alpha = exponent(moved[0] / base, 0.5)?;
        let beta = exponent(moved[1] / base, 0.5)?;
        let predicted = base * 0.7_f64.powi(alpha) * 1.3_f64.powi(beta);
        if (moved[2] - predicted).abs() > 1e-9 * predicted.abs() {
            return None;
        }
        if alpha != 0 || beta != 0 {
            forms.push(Form { feature, base, alpha, beta });
        }
    }
    Some(forms)
}

/// The numeric split thresholds of a feature in the model, sorted.
pub(super) fn split_thresholds(model: &Model, feature: usize) -> Vec<f64> {
    let mut thresholds: Vec<f64> = model
        .trees()
        .iter()
        .flat_map(|tree| {
            (0..tree.split_feature.len())
                .filter(move |&node| tree.split_feature(node) == Some(feature) && !tree.is_categorical(node))
                .map(move |node| tree.threshold[node])
        })
        .collect();
    thresholds.sort_by(f64::total_cmp);
    thresholds.dedup();
    thresholds
}

/// Every line of the arrangement within the box: the split thresholds of the moving
/// features, the bounds, `r = 1` and the unchanged yearly repayment `s·r = 1`.
pub(super) fn lines(model: &Model, forms: &[Form], bounds: &LoanBox, affordable: Option<f64>) -> Vec<Line> {
    let mut lines = vec![
        Line { a: 1.0, b: 0.0, c: 0.0 },
        Line { a: 1.0, b: 0.0, c: bounds.x_low },
        Line { a: 0.0, b: 1.0, c: 0.0 },
        Line { a: 0.0, b: 1.0, c: bounds.y_low },
        Line { a: 0.0, b: 1.0, c: bounds.y_high },
        Line { a: 1.0, b: 1.0, c: 0.0 },
    ];
    if let Some(p_high) = affordable.filter(|p| *p > 0.0 && p.is_finite()) {
        lines.push(Line { a: 1.0, b: 1.0, c: p_high.ln() });
    }
    // The corners of the box bound each combination of x and y.
    let corners =
        [(bounds.x_low, bounds.y_low), (bounds.x_low, bounds.y_high), (0.0, bounds.y_low), (0.0, bounds.y_high)];
    for form in forms {
        // Normalised so that the first coefficient is positive.
        let sign = if form.alpha < 0 || (form.alpha == 0 && form.beta < 0) { -1.0 } else { 1.0 };
        let (a, b) = (sign * form.alpha as f64, sign * form.beta as f64);
        let reach: Vec<f64> = corners.iter().map(|&(x, y)| a * x + b * y).collect();
        let (low, high) = reach.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(l, h), &v| (l.min(v), h.max(v)));
        for threshold in split_thresholds(model, form.feature) {
            let ratio = threshold / form.base;
            if ratio > 0.0 && ratio.is_finite() {
                let c = sign * ratio.ln();
                if c >= low - 1e-12 && c <= high + 1e-12 {
                    lines.push(Line { a, b, c });
                }
            }
        }
    }
    lines
}

/// Offsets into every cell around a crossing whose lines have the directions in `mask`.
pub(super) fn offsets(mask: u8, bounds: &LoanBox) -> Vec<(f64, f64)> {
    match (bounds.flat_x(), bounds.flat_y()) {
        (true, true) => return Vec::new(),
        (false, true) => return vec![(-INSIDE, 0.0), (INSIDE, 0.0)],
        (true, false) => return vec![(0.0, -INSIDE), (0.0, INSIDE)],
        (false, false) => {}
    }
    let mut angles: Vec<f64> = [(1u8, 0.0), (2, 45.0), (4, 90.0), (8, 135.0)]
        .into_iter()
        .filter(|(bit, _)| mask & bit != 0)
        .flat_map(|(_, angle)| [angle, angle + 180.0])
        .collect();
    angles.sort_by(f64::total_cmp);
    if angles.is_empty() {
        return Vec::new();
    }
    (0..angles.len())
        .map(|index| {
            let next = angles.get(index + 1).copied().unwrap_or(angles[0] + 360.0);
            let middle = (0.5 * (angles[index] + next)).to_radians();
            (INSIDE * middle.cos(), INSIDE * middle.sin())
        })
        .collect()
}

/// The exact candidates of the loan for one way of financing the goods: a point inside every
/// cell around every crossing of two lines in the box. `None` when the pipeline's derived
/// features do not move as power products, or the lines are too many.
pub(super) fn exact_candidates(
    evaluator: &mut Evaluator<'_>,
    loan: &LoanLevers,
    revolving: bool,
    keep_goods: bool,
) -> Option<Vec<Candidate>> {
    let Some(bounds) = LoanBox::of(evaluator, loan, revolving, keep_goods) else { return Some(Vec::new()) };
    let forms = forms(evaluator, keep_goods)?;
    let annuity = evaluator.row[loan.annuity];
    let affordable = match (loan.income.map(|income| evaluator.row[income]), loan.annuity_income_high) {
        (Some(income), Some(high)) if income > 0.0 && annuity.is_finite() && annuity > 0.0 => {
            Some(high * income / annuity)
        }
        _ => None,
    };
    let lines = lines(evaluator.model, &forms, &bounds, affordable);
    if lines.len() > MAX_LINES {
        return None;
    }
    let mut crossings: Vec<(f64, f64, u8)> = Vec::new();
    for (index, first) in lines.iter().enumerate() {
        for second in &lines[index + 1..] {
            let det = first.a * second.b - second.a * first.b;
            if det.abs() < 1e-12 {
                continue;
            }
            let x = (first.c * second.b - second.c * first.b) / det;
            let y = (first.a * second.c - second.a * first.c) / det;
            if bounds.contains(x, y, 1e-12) {
                crossings.push((x, y, first.direction_bit() | second.direction_bit()));
            }
        }
    }
    // One crossing of several lines is one point with every direction through it.
    crossings.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.total_cmp(&b.1)));
    let mut merged: Vec<(f64, f64, u8)> = Vec::with_capacity(crossings.len());
    for (x, y, mask) in crossings {
        match merged.last_mut() {
            Some(last) if (last.0 - x).abs() < 1e-12 && (last.1 - y).abs() < 1e-12 => last.2 |= mask,
            _ => merged.push((x, y, mask)),
        }
    }
    let mut candidates = Vec::new();
    for (x, y, mask) in merged {
        let corner = loan_size(x.exp(), y.exp());
        for (dx, dy) in offsets(mask, &bounds) {
            let (px, py) = (x + dx, y + dy);
            if !bounds.contains(px, py, 0.0) || (keep_goods && px >= 0.0) || (px >= 0.0 && py == 0.0) {
                continue;
            }
            let step = Move::Loan { s: px.exp().min(1.0), r: py.exp(), keep_goods };
            if evaluator.allowed(step) {
                candidates.push(Candidate { size: corner, step, refine: false, corner: Some((x, y)) });
            }
        }
    }
    Some(candidates)
}
