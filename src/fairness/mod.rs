//! Fairness of the model's decisions: for each sensitive attribute (sex, age band, family
//! status, number of children, any column asked for), per group of clients with a known
//! outcome, the approval rate, the default rate among the accepted, the true and false
//! positive rates, the mean predicted probability against the observed default rate, and the
//! gaps to the most favoured group with bootstrap 95 % intervals; then how much each model
//! feature tells about each attribute (proxies).
//!
//! Definitions follow Fairlearn's `MetricFrame` metrics, with TARGET = 1 (payment
//! difficulties) the positive label and a refusal the positive prediction:
//!
//! - approval rate: 1 − `selection_rate` (the share refused);
//! - true positive rate: `true_positive_rate`, the share of clients in difficulty refused;
//!   false positive rate: `false_positive_rate`, the share of clients who repaid refused;
//! - approval ratio (disparate impact, the four-fifths rule): a group's approval rate over
//!   the most favoured group's (the highest approval rate among groups large enough to judge);
//!   its smallest value over groups is Fairlearn's `demographic_parity_ratio` on approvals;
//! - equal-opportunity difference: the favoured group's false positive rate minus the group's
//!   with the sign that makes it the gap in approval among clients who repaid (the favourable
//!   outcome for those who deserve it); equalised-odds difference: the larger of the absolute
//!   gaps in true and false positive rates (Fairlearn's `equalized_odds_difference` is the
//!   largest of these between any two groups).
//!
//! The intervals come from the bootstrap of the whole population (every row drawn with
//! replacement, `bounds.bootstrap` times). Every figure but the mean probability depends only
//! on the counts of clients per group, outcome and decision, whose bootstrap law is the
//! multinomial of the observed shares, so each resample draws those counts directly (one
//! binomial per cell) instead of the rows: the same law, at a cost that does not grow with
//! the population. The favoured group is the one of the full data in every resample. The
//! mean probability of a group drawn `c` times in a resample is the mean of `c` draws from
//! the group's probabilities, which each resample takes from its normal law (the group's
//! mean, its variance over `c`): judged groups hold at least `min_group` clients, where that
//! law is the bootstrap's to well under the figures' precision.
//!
//! Uses: domain, data, model.

pub mod history;
pub mod proxies;
pub mod report;

pub use history::{FairnessError, FairnessReport};

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Binomial, Distribution, StandardNormal};

use crate::data::policy::FairnessBounds;

/// A figure with its bootstrap 95 % interval.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Interval {
    /// On the full data.
    pub value: f64,
    /// 2.5th percentile of the bootstrap.
    pub low: f64,
    /// 97.5th percentile of the bootstrap.
    pub high: f64,
}

/// How a group fares against the policy's bounds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// The most favoured group, which the others are measured against.
    Reference,
    /// Within the bounds.
    Within,
    /// A figure beyond a bound, but its interval reaches back within it: maybe noise.
    Uncertain,
    /// A whole interval beyond a bound.
    Crossed,
    /// Fewer clients than the policy's `min_group`: reported, not judged.
    TooSmall,
}

impl Verdict {
    /// The word in tables.
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Reference => "reference",
            Verdict::Within => "within",
            Verdict::Uncertain => "uncertain",
            Verdict::Crossed => "CROSSED",
            Verdict::TooSmall => "too small",
        }
    }
}

/// One group of one attribute.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct GroupReport {
    /// The group's name ("F", "25–34", "3 or more").
    pub group: String,
    /// Clients in it.
    pub count: usize,
    /// Share accepted.
    pub approval_rate: f64,
    /// Share in difficulty among the accepted (`None` when none was accepted).
    pub default_rate_accepted: Option<f64>,
    /// Share refused among those in difficulty (`None` without any).
    pub true_positive_rate: Option<f64>,
    /// Share refused among those who repaid (`None` without any).
    pub false_positive_rate: Option<f64>,
    /// Mean predicted probability of default.
    pub mean_probability: f64,
    /// Observed default rate.
    pub default_rate: f64,
    /// The mean predicted probability with its interval: against the observed default rate's,
    /// whether the model over- or underestimates the group's risk (calibration).
    pub mean_probability_interval: Interval,
    /// The observed default rate with its interval.
    pub default_rate_interval: Interval,
    /// Approval rate over the favoured group's.
    pub approval_ratio: Option<Interval>,
    /// Approval gap among clients who repaid: the group's minus the favoured group's.
    pub equal_opportunity_difference: Option<Interval>,
    /// The larger absolute gap in true or false positive rate to the favoured group.
    pub equalized_odds_difference: Option<Interval>,
    /// Against the policy's bounds.
    pub verdict: Verdict,
}

/// One sensitive attribute.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct AttributeReport {
    /// What it is ("age band").
    pub attribute: String,
    /// The column it comes from.
    pub column: String,
    /// Whether the model reads the column (directly or through a derived feature).
    pub used_by_model: bool,
    /// Clients without a value, left out of its groups.
    pub missing: usize,
    /// The most favoured group (highest approval rate among groups large enough).
    pub favoured: Option<String>,
    /// The groups, in their natural order.
    pub groups: Vec<GroupReport>,
    /// Smallest approval ratio between groups large enough (Fairlearn's
    /// `demographic_parity_ratio` on approvals).
    pub min_approval_ratio: Option<f64>,
    /// Largest gap in true or false positive rate between groups large enough (Fairlearn's
    /// `equalized_odds_difference`).
    pub equalized_odds_difference: Option<f64>,
}

/// The values of one attribute, one group index per client (`None`: no value).
#[derive(Debug, Clone)]
pub struct Grouping {
    /// What it is.
    pub attribute: String,
    /// The column.
    pub column: String,
    /// Whether the model reads it.
    pub used_by_model: bool,
    /// Group names, in order.
    pub names: Vec<String>,
    /// Each client's group.
    pub groups: Vec<Option<u32>>,
}

/// The clients assessed: outcome, probability and decision.
#[derive(Debug, Clone, Copy)]
pub struct Outcomes<'a> {
    /// 1 for payment difficulties, else 0.
    pub targets: &'a [u8],
    /// Predicted probabilities of default.
    pub probabilities: &'a [f64],
    /// Refused at or above.
    pub threshold: f64,
}

/// Counts of one group: [target][refused].
#[derive(Debug, Clone, Copy, Default, PartialEq)]
struct Cells([[f64; 2]; 2]);

impl Cells {
    fn total(&self) -> f64 {
        self.0[0][0] + self.0[0][1] + self.0[1][0] + self.0[1][1]
    }
    fn approval(&self) -> f64 {
        (self.0[0][0] + self.0[1][0]) / self.total()
    }
    fn ratio(numerator: f64, denominator: f64) -> Option<f64> {
        (denominator > 0.0).then(|| numerator / denominator)
    }
    fn tpr(&self) -> Option<f64> {
        Cells::ratio(self.0[1][1], self.0[1][0] + self.0[1][1])
    }
    fn fpr(&self) -> Option<f64> {
        Cells::ratio(self.0[0][1], self.0[0][0] + self.0[0][1])
    }
}

/// The gaps of a group to the favoured group: approval ratio, equal-opportunity difference,
/// equalised-odds difference.
type Gaps = (Option<f64>, Option<f64>, Option<f64>);

/// [`Gaps`] of `group` to `favoured`.
fn gaps(group: &Cells, favoured: &Cells) -> Gaps {
    let ratio = Cells::ratio(group.approval(), favoured.approval());
    let opportunity = match (group.fpr(), favoured.fpr()) {
        (Some(group), Some(favoured)) => Some(favoured - group),
        _ => None,
    };
    let odds = match (group.tpr(), favoured.tpr(), group.fpr(), favoured.fpr()) {
        (Some(t), Some(tf), Some(f), Some(ff)) => Some((t - tf).abs().max((f - ff).abs())),
        _ => None,
    };
    (ratio, opportunity, odds)
}

/// 2.5th and 97.5th percentiles (nearest rank) of `values`, finite ones only.
fn percentile_interval(value: f64, mut values: Vec<f64>) -> Interval {
    values.retain(|v| v.is_finite());
    if values.is_empty() {
        // No resample (a bootstrap of 0): the interval of a point, never NaN in JSON.
        return Interval { value, low: value, high: value };
    }
    values.sort_by(f64::total_cmp);
    let at = |q: f64| values[((q * (values.len() - 1) as f64).round() as usize).min(values.len() - 1)];
    Interval { value, low: at(0.025), high: at(0.975) }
}

/// Assesses one attribute.
pub fn assess(grouping: &Grouping, outcomes: Outcomes<'_>, bounds: &FairnessBounds) -> AttributeReport {
    let n_groups = grouping.names.len();
    let mut cells = vec![Cells::default(); n_groups];
    let mut probability_sums = vec![0.0; n_groups];
    let mut probability_squares = vec![0.0; n_groups];
    let mut missing = 0;
    for ((group, &target), &probability) in grouping.groups.iter().zip(outcomes.targets).zip(outcomes.probabilities) {
        let Some(group) = group.map(|group| group as usize).filter(|&group| group < n_groups) else {
            missing += 1;
            continue;
        };
        let refused = usize::from(probability >= outcomes.threshold);
        cells[group].0[usize::from(target == 1)][refused] += 1.0;
        probability_sums[group] += probability;
        probability_squares[group] += probability * probability;
    }
    let large: Vec<bool> = cells.iter().map(|cells| cells.total() >= bounds.min_group as f64).collect();
    let favoured = (0..n_groups)
        .filter(|&group| large[group])
        .max_by(|&a, &b| cells[a].approval().total_cmp(&cells[b].approval()).then(b.cmp(&a)));

    // The bootstrap: every cell of the table (plus the clients without a value) drawn from
    // the multinomial of the observed shares.
    let n = outcomes.targets.len().min(outcomes.probabilities.len()) as u64;
    let flat: Vec<f64> = cells.iter().flat_map(|cells| cells.0.iter().flatten().copied()).collect();
    let mut rng = ChaCha8Rng::seed_from_u64(bounds.seed);
    let mut draws: Vec<Vec<Gaps>> = vec![Vec::new(); n_groups];
    // Each group's mean probability and default rate in each resample.
    let mut calibration: Vec<Vec<(f64, f64)>> = vec![Vec::new(); n_groups];
    let spread: Vec<f64> = (0..n_groups)
        .map(|group| {
            let count = cells[group].total();
            let mean = probability_sums[group] / count;
            (probability_squares[group] / count - mean * mean).max(0.0).sqrt()
        })
        .collect();
    for _ in 0..bounds.bootstrap {
        let resample = multinomial(&mut rng, n, &flat, missing as f64);
        let table: Vec<Cells> =
            resample.chunks(4).map(|chunk| Cells([[chunk[0], chunk[1]], [chunk[2], chunk[3]]])).collect();
        for (group, drawn) in table.iter().enumerate() {
            let count = drawn.total();
            if count == 0.0 {
                continue;
            }
            let noise: f64 = StandardNormal.sample(&mut rng);
            let mean = probability_sums[group] / cells[group].total() + spread[group] / count.sqrt() * noise;
            calibration[group].push((mean, (drawn.0[1][0] + drawn.0[1][1]) / count));
            if let Some(favoured) = favoured
                && table[favoured].total() > 0.0
            {
                draws[group].push(gaps(drawn, &table[favoured]));
            }
        }
    }

    let mut groups = Vec::with_capacity(n_groups);
    // A group nobody is in (an age band absent from the file) has no figures to give.
    for group in (0..n_groups).filter(|&group| cells[group].total() > 0.0) {
        let own = &cells[group];
        let count = own.total() as usize;
        let accepted = own.0[0][0] + own.0[1][0];
        let (ratio, opportunity, odds) = match favoured {
            Some(favoured) if count > 0 => gaps(own, &cells[favoured]),
            _ => (None, None, None),
        };
        let interval = |value: Option<f64>, pick: fn(&Gaps) -> Option<f64>| {
            value.map(|value| {
                percentile_interval(value, draws[group].iter().map(|draw| pick(draw).unwrap_or(f64::NAN)).collect())
            })
        };
        let approval_ratio = interval(ratio, |draw| draw.0);
        let equal_opportunity_difference = interval(opportunity, |draw| draw.1);
        let equalized_odds_difference = interval(odds, |draw| draw.2);
        let verdict = if !large[group] {
            Verdict::TooSmall
        } else if Some(group) == favoured {
            Verdict::Reference
        } else {
            judge(approval_ratio, equal_opportunity_difference, equalized_odds_difference, bounds)
        };
        let mean_probability = probability_sums[group] / count as f64;
        let default_rate = (own.0[1][0] + own.0[1][1]) / count as f64;
        let mean_probability_interval =
            percentile_interval(mean_probability, calibration[group].iter().map(|draw| draw.0).collect());
        let default_rate_interval =
            percentile_interval(default_rate, calibration[group].iter().map(|draw| draw.1).collect());
        groups.push(GroupReport {
            group: grouping.names[group].clone(),
            count,
            approval_rate: own.approval(),
            default_rate_accepted: Cells::ratio(own.0[1][0], accepted),
            true_positive_rate: own.tpr(),
            false_positive_rate: own.fpr(),
            mean_probability,
            default_rate,
            mean_probability_interval,
            default_rate_interval,
            approval_ratio,
            equal_opportunity_difference,
            equalized_odds_difference,
            verdict,
        });
    }
    let judged: Vec<&Cells> = (0..n_groups).filter(|&group| large[group]).map(|group| &cells[group]).collect();
    let (min_approval_ratio, equalized_odds_difference) = between_groups(&judged);
    AttributeReport {
        attribute: grouping.attribute.clone(),
        column: grouping.column.clone(),
        used_by_model: grouping.used_by_model,
        missing,
        favoured: favoured.map(|group| grouping.names[group].clone()),
        groups,
        min_approval_ratio,
        equalized_odds_difference,
    }
}

/// The smallest approval ratio and the largest true or false positive rate gap between any
/// two of `groups`.
fn between_groups(groups: &[&Cells]) -> (Option<f64>, Option<f64>) {
    if groups.len() < 2 {
        return (None, None);
    }
    let approvals: Vec<f64> = groups.iter().map(|cells| cells.approval()).collect();
    let max = approvals.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let min = approvals.iter().copied().fold(f64::INFINITY, f64::min);
    let spread = |rates: Vec<Option<f64>>| -> Option<f64> {
        let rates: Option<Vec<f64>> = rates.into_iter().collect();
        let rates = rates?;
        let max = rates.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let min = rates.iter().copied().fold(f64::INFINITY, f64::min);
        Some(max - min)
    };
    let tpr = spread(groups.iter().map(|cells| cells.tpr()).collect());
    let fpr = spread(groups.iter().map(|cells| cells.fpr()).collect());
    let odds = match (tpr, fpr) {
        (Some(tpr), Some(fpr)) => Some(tpr.max(fpr)),
        _ => None,
    };
    (Cells::ratio(min, max), odds)
}

/// A group's verdict: crossed when a whole interval lies beyond a bound, uncertain when only
/// the figure does.
fn judge(
    ratio: Option<Interval>,
    opportunity: Option<Interval>,
    odds: Option<Interval>,
    bounds: &FairnessBounds,
) -> Verdict {
    let mut verdict = Verdict::Within;
    let mut raise = |beyond: bool, surely: bool| {
        if surely {
            verdict = Verdict::Crossed;
        } else if beyond && verdict == Verdict::Within {
            verdict = Verdict::Uncertain;
        }
    };
    if let Some(ratio) = ratio {
        raise(ratio.value < bounds.min_ratio, ratio.high < bounds.min_ratio);
    }
    if let Some(gap) = opportunity {
        let limit = bounds.max_difference;
        raise(gap.value.abs() > limit, gap.low > limit || gap.high < -limit);
    }
    if let Some(gap) = odds {
        raise(gap.value > bounds.max_difference, gap.low > bounds.max_difference);
    }
    verdict
}

/// One draw of the counts of `cells` and `rest` (the clients outside every cell) among `n`
/// clients drawn with replacement, by conditional binomials.
fn multinomial(rng: &mut ChaCha8Rng, n: u64, cells: &[f64], rest: f64) -> Vec<f64> {
    let total: f64 = cells.iter().sum::<f64>() + rest;
    let mut left = n;
    let mut mass = 1.0;
    let mut drawn = Vec::with_capacity(cells.len());
    for &cell in cells {
        let share = if total > 0.0 { cell / total } else { 0.0 };
        let p = if mass > 0.0 { (share / mass).clamp(0.0, 1.0) } else { 0.0 };
        let count = match Binomial::new(left, p) {
            Ok(binomial) => binomial.sample(rng),
            Err(_) => 0,
        };
        drawn.push(count as f64);
        left -= count.min(left);
        mass -= share;
    }
    drawn
}

/// Age bands from `DAYS_BIRTH` (negative days): whole years, cut at the policy's lower edges.
pub fn age_bands(days_birth: &[f64], edges: &[u32]) -> (Vec<String>, Vec<Option<u32>>) {
    let mut names = Vec::with_capacity(edges.len() + 1);
    match edges.first() {
        Some(first) => names.push(format!("under {first}")),
        None => names.push("all ages".into()),
    }
    for pair in edges.windows(2) {
        names.push(format!("{}–{}", pair[0], pair[1] - 1));
    }
    if let Some(last) = edges.last() {
        names.push(format!("{last} and over"));
    }
    let groups = days_birth
        .iter()
        .map(|&days| {
            if !days.is_finite() {
                return None;
            }
            let years = (days.abs() / 365.25).floor();
            Some(edges.iter().filter(|&&edge| years >= f64::from(edge)).count() as u32)
        })
        .collect();
    (names, groups)
}

/// Groups of a count (children): each value up to `top − 1`, then "`top` or more".
pub fn count_groups(values: &[f64], top: u32) -> (Vec<String>, Vec<Option<u32>>) {
    let mut names: Vec<String> = (0..top).map(|value| value.to_string()).collect();
    names.push(format!("{top} or more"));
    let groups =
        values.iter().map(|&value| (value.is_finite() && value >= 0.0).then(|| (value as u32).min(top))).collect();
    (names, groups)
}

/// Groups of a text column, in order of first appearance sorted by name; `unknown` values
/// count as missing.
pub fn text_groups(values: &[Option<String>], unknown: &[String]) -> (Vec<String>, Vec<Option<u32>>) {
    let mut names: Vec<String> = values
        .iter()
        .flatten()
        .filter(|value| !unknown.contains(value))
        .cloned()
        .collect::<std::collections::BTreeSet<String>>()
        .into_iter()
        .collect();
    names.shrink_to_fit();
    let groups = values
        .iter()
        .map(|value| {
            value
                .as_ref()
                .filter(|value| !unknown.contains(value))
                .and_then(|value| names.binary_search(value).ok())
                .map(|index| index as u32)
        })
        .collect();
    (names, groups)
}

/// Groups of a numeric column: one per value when it has at most `max_values` distinct ones,
/// else its quartiles.
pub fn number_groups(values: &[f64], max_values: usize) -> (Vec<String>, Vec<Option<u32>>) {
    let mut distinct: Vec<f64> = values.iter().copied().filter(|v| v.is_finite()).collect();
    distinct.sort_by(f64::total_cmp);
    let sorted = distinct.clone();
    distinct.dedup();
    if distinct.len() <= max_values {
        let names = distinct.iter().map(|value| plain(*value)).collect();
        let groups = values
            .iter()
            .map(|value| distinct.binary_search_by(|probe| probe.total_cmp(value)).ok().map(|index| index as u32))
            .collect();
        return (names, groups);
    }
    let quartile = |q: f64| sorted[((q * (sorted.len() - 1) as f64).floor() as usize).min(sorted.len() - 1)];
    let cuts = [quartile(0.25), quartile(0.5), quartile(0.75)];
    let names = vec![
        format!("≤ {}", plain(cuts[0])),
        format!("≤ {}", plain(cuts[1])),
        format!("≤ {}", plain(cuts[2])),
        format!("> {}", plain(cuts[2])),
    ];
    let groups = values
        .iter()
        .map(|&value| value.is_finite().then(|| cuts.iter().filter(|&&cut| value > cut).count() as u32))
        .collect();
    (names, groups)
}

/// A number as a group's name (`3`, `0.5`).
fn plain(value: f64) -> String {
    value.to_string()
}
