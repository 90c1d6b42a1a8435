//! The reference population, column by column: for each feature, the values of the clients
//! who repaid and of those who defaulted, each sorted once at load.
//!
//! A client's percentile is then two binary searches per feature instead of a pass over the
//! whole history on every key press, and a histogram is two binary searches per bin. The
//! sorted columns replace the row-major table, so memory does not grow.

use std::sync::{Arc, OnceLock};

use rayon::prelude::*;

use crate::data::FeatureMatrix;

/// One feature's reference values, repaid and defaulted apart.
#[derive(Debug, Clone, Default)]
pub(crate) struct ReferenceColumn {
    /// Values of the clients who repaid, increasing, without missing values.
    pub(crate) repaid: Vec<f64>,
    /// Values of the clients who defaulted, increasing, without missing values.
    pub(crate) defaulted: Vec<f64>,
    /// Clients with no value: repaid, defaulted.
    pub(crate) missing: (u64, u64),
}

/// How many reference values lie below, and at, a value.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Standing {
    /// Values smaller than it.
    pub(crate) below: usize,
    /// Values equal to it.
    pub(crate) equal: usize,
    /// Values present at all.
    pub(crate) with_value: usize,
}

impl ReferenceColumn {
    /// Where `value` stands among the values present (a NaN is equal to none).
    pub(crate) fn standing(&self, value: f64) -> Standing {
        let mut standing = Standing { with_value: self.repaid.len() + self.defaulted.len(), ..Standing::default() };
        for values in [&self.repaid, &self.defaulted] {
            let below = values.partition_point(|&v| v < value);
            let not_above = values.partition_point(|&v| v <= value);
            standing.below += below;
            standing.equal += not_above - below;
        }
        standing
    }

    /// Clients of each group in `[low, high)`: (repaid, defaulted).
    pub(crate) fn count_between(&self, low: f64, high: f64) -> (u64, u64) {
        let count =
            |values: &[f64]| (values.partition_point(|&v| v < high) - values.partition_point(|&v| v < low)) as u64;
        (count(&self.repaid), count(&self.defaulted))
    }

    /// The value at quantile `q` (0 to 1) of every value present, at the nearest rank below;
    /// NaN when there is none. Merges the two groups: for the few ranges read at load.
    pub(crate) fn quantile(&self, q: f64) -> f64 {
        let merged = self.merged();
        if merged.is_empty() || !q.is_finite() {
            return f64::NAN;
        }
        let rank = (q.clamp(0.0, 1.0) * (merged.len() - 1) as f64).floor() as usize;
        merged[rank.min(merged.len() - 1)]
    }

    /// Every value present, increasing.
    pub(crate) fn merged(&self) -> Vec<f64> {
        let mut merged = Vec::with_capacity(self.repaid.len() + self.defaulted.len());
        let (mut left, mut right) = (self.repaid.iter().peekable(), self.defaulted.iter().peekable());
        loop {
            let next = match (left.peek(), right.peek()) {
                (Some(&&a), Some(&&b)) if a <= b => left.next(),
                (Some(_), Some(_)) => right.next(),
                (Some(_), None) => left.next(),
                (None, Some(_)) => right.next(),
                (None, None) => break,
            };
            merged.extend(next);
        }
        merged
    }
}

impl ReferenceColumn {
    /// One feature's values (one per client) split by outcome (`outcomes[i]` is 1 for a
    /// client who defaulted) and sorted.
    fn of<'a>(values: impl Iterator<Item = &'a f64>, outcomes: &[u8]) -> ReferenceColumn {
        let mut column = ReferenceColumn::default();
        for (&value, &outcome) in values.zip(outcomes) {
            match (value.is_nan(), outcome == 1) {
                (true, false) => column.missing.0 += 1,
                (true, true) => column.missing.1 += 1,
                (false, false) => column.repaid.push(value),
                (false, true) => column.defaulted.push(value),
            }
        }
        column.repaid.sort_unstable_by(f64::total_cmp);
        column.defaulted.sort_unstable_by(f64::total_cmp);
        column.repaid.shrink_to_fit();
        column.defaulted.shrink_to_fit();
        column
    }
}

/// What a deferred computation gives: the columns of its features (in their order) and the
/// warnings of reading them.
pub(crate) type DeferredColumns = Result<(Vec<ReferenceColumn>, Vec<String>), String>;

/// The work of a deferred computation: each feature's values and the warnings of reading them.
type DeferredWork = Box<dyn FnOnce() -> Result<(Vec<Vec<f64>>, Vec<String>), String> + Send>;

/// Columns computed on another thread (the credit-history aggregates, whose tables take
/// longer to read than all the rest), started by [`ReferenceIndex::start`] or by the first
/// question that needs them, which waits for them.
struct Deferred {
    /// The model features they are, in the order of the columns.
    features: Vec<usize>,
    /// The work and the outcomes, until a thread takes them.
    work: std::sync::Mutex<Option<(DeferredWork, Vec<u8>)>>,
    /// Set once, by the thread, whatever happens to it.
    columns: OnceLock<DeferredColumns>,
}

impl std::fmt::Debug for Deferred {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.debug_struct("Deferred").field("features", &self.features).finish_non_exhaustive()
    }
}

impl Deferred {
    /// Starts the work on its own thread, unless it was started already.
    fn start(self: &Arc<Deferred>) {
        let taken = match self.work.lock() {
            Ok(mut work) => work.take(),
            Err(poisoned) => poisoned.into_inner().take(),
        };
        let Some((values, outcomes)) = taken else { return };
        let deferred = Arc::clone(self);
        std::thread::spawn(move || {
            let computed = std::panic::catch_unwind(std::panic::AssertUnwindSafe(values))
                .unwrap_or_else(|_| Err("reading it stopped unexpectedly".into()))
                .map(|(columns, warnings)| {
                    let columns = columns.iter().map(|values| ReferenceColumn::of(values.iter(), &outcomes)).collect();
                    (columns, warnings)
                });
            let _ = deferred.columns.set(computed);
        });
    }

    /// The columns, once computed (started now if they were not).
    fn wait(self: &Arc<Deferred>) -> &DeferredColumns {
        self.start();
        self.columns.wait()
    }
}

/// Every feature's [`ReferenceColumn`], in model order.
#[derive(Debug, Clone, Default)]
pub(crate) struct ReferenceIndex {
    /// One column per model feature (empty for a deferred one).
    columns: Vec<ReferenceColumn>,
    /// Clients in the reference population.
    pub(crate) n_clients: usize,
    /// Columns still being computed, if any.
    deferred: Option<Arc<Deferred>>,
}

impl ReferenceIndex {
    /// Splits and sorts every column of `matrix` by outcome (`outcomes[i]` is 1 for a client
    /// who defaulted), in parallel over features.
    pub(crate) fn build(matrix: &FeatureMatrix, outcomes: &[u8]) -> ReferenceIndex {
        let n_features = matrix.n_features();
        let values = matrix.values();
        let columns = (0..n_features)
            .into_par_iter()
            .map(|feature_idx| {
                ReferenceColumn::of(values.iter().skip(feature_idx).step_by(n_features.max(1)), outcomes)
            })
            .collect();
        ReferenceIndex { columns, n_clients: matrix.n_rows().min(outcomes.len()), deferred: None }
    }

    /// Leaves the columns of `features` to be computed on another thread (see
    /// [`ReferenceIndex::start`]): `values` gives each feature's values (one per client, in
    /// the order of `outcomes`) and the warnings of reading them.
    pub(crate) fn defer(
        &mut self,
        features: Vec<usize>,
        outcomes: Vec<u8>,
        values: impl FnOnce() -> Result<(Vec<Vec<f64>>, Vec<String>), String> + Send + 'static,
    ) {
        let work: DeferredWork = Box::new(values);
        let deferred =
            Deferred { features, work: std::sync::Mutex::new(Some((work, outcomes))), columns: OnceLock::new() };
        self.deferred = Some(Arc::new(deferred));
    }

    /// Starts computing the deferred columns on their own thread (once; without waiting).
    pub(crate) fn start(&self) {
        if let Some(deferred) = &self.deferred {
            deferred.start();
        }
    }

    /// The column of a feature (waiting for it if deferred); `None` for an unknown feature
    /// or a deferred one that could not be computed.
    pub(crate) fn column(&self, feature_idx: usize) -> Option<&ReferenceColumn> {
        if let Some(deferred) = &self.deferred
            && let Some(position) = deferred.features.iter().position(|&feature| feature == feature_idx)
        {
            return deferred.wait().as_ref().ok().and_then(|(columns, _)| columns.get(position));
        }
        self.columns.get(feature_idx)
    }

    /// Waits for the deferred columns: the warnings of reading them, or why they could not be.
    pub(crate) fn ready(&self) -> Result<&[String], &str> {
        match &self.deferred {
            Some(deferred) => match deferred.wait() {
                Ok((_, warnings)) => Ok(warnings),
                Err(error) => Err(error),
            },
            None => Ok(&[]),
        }
    }
}

/// Bins of a numeric histogram (fewer for small whole numbers).
pub(super) const HISTOGRAM_BINS: usize = 20;

/// Share of values left out at each end when choosing a histogram's range.
pub(super) const HISTOGRAM_TAIL: f64 = 0.005;

/// Edges of a histogram of `sorted` (increasing, no NaN): one bin per whole number for small
/// whole-number ranges, else [`HISTOGRAM_BINS`] equal bins between the 0.5th and 99.5th
/// percentiles.
pub(super) fn histogram_edges(sorted: &[f64]) -> Vec<f64> {
    let n = sorted.len();
    if n == 0 {
        return vec![0.0, 1.0];
    }
    let low_rank = ((n as f64 * HISTOGRAM_TAIL) as usize).min(n - 1);
    let high_rank = n - 1 - low_rank;
    let (low, high) = (sorted[low_rank], sorted[high_rank]);
    let values = sorted;
    let whole = values.iter().all(|value| value.fract() == 0.0);
    if whole && high - low <= HISTOGRAM_BINS as f64 {
        return (0..=((high - low) as usize + 1)).map(|step| low - 0.5 + step as f64).collect();
    }
    if high <= low {
        return vec![low - 0.5, low + 0.5];
    }
    let width = (high - low) / HISTOGRAM_BINS as f64;
    (0..=HISTOGRAM_BINS).map(|step| low + width * step as f64).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Reference rows of two features with outcomes; the second feature is missing once.
    fn index() -> ReferenceIndex {
        let matrix = FeatureMatrix::from_values(2, vec![1.0, 5.0, 2.0, f64::NAN, 3.0, 5.0, 2.0, 7.0]);
        ReferenceIndex::build(&matrix, &[0, 1, 0, 1])
    }

    #[test]
    fn columns_are_split_by_outcome_and_sorted() {
        let index = index();
        assert_eq!(index.n_clients, 4);
        assert_eq!(index.columns[0].repaid, vec![1.0, 3.0]);
        assert_eq!(index.columns[0].defaulted, vec![2.0, 2.0]);
        assert_eq!(index.columns[1].repaid, vec![5.0, 5.0]);
        assert_eq!(index.columns[1].defaulted, vec![7.0]);
        assert_eq!(index.columns[1].missing, (0, 1));
        assert_eq!(index.columns[0].merged(), vec![1.0, 2.0, 2.0, 3.0]);
    }

    #[test]
    fn standing_counts_below_and_equal_over_both_groups() {
        let index = index();
        // Feature 0 holds 1, 2, 2, 3: for 2, one below and two equal, of four.
        assert_eq!(index.columns[0].standing(2.0), Standing { below: 1, equal: 2, with_value: 4 });
        // Feature 1 holds 5, 5, 7 (one missing): 6 has two below, none equal, of three.
        assert_eq!(index.columns[1].standing(6.0), Standing { below: 2, equal: 0, with_value: 3 });
        assert_eq!(index.columns[1].standing(f64::NAN).equal, 0);
        // [2, 3) holds no repaid client (1 and 3 fall outside) and both defaulted ones.
        assert_eq!(index.columns[0].count_between(2.0, 3.0), (0, 2));
    }

    #[test]
    fn whole_numbers_get_one_bin_each() {
        // 0..=3 children: edges at -0.5, 0.5, ..., 3.5.
        let edges = histogram_edges(&[0.0, 0.0, 1.0, 1.0, 2.0, 3.0]);
        assert_eq!(edges, vec![-0.5, 0.5, 1.5, 2.5, 3.5]);
        // A single value still gives one bin around it.
        assert_eq!(histogram_edges(&[0.25; 10]), vec![-0.25, 0.75]);
    }

    #[test]
    fn continuous_values_get_equal_bins_over_the_central_range() {
        // 1000 values 0.0, 0.001, ..., 0.999: the 0.5 % tails are ranks 5 and 994.
        let values: Vec<f64> = (0..1000).map(|i| i as f64 / 1000.0).collect();
        let edges = histogram_edges(&values);
        assert_eq!(edges.len(), HISTOGRAM_BINS + 1);
        assert!((edges[0] - 0.005).abs() < 1e-12);
        assert!((edges[HISTOGRAM_BINS] - 0.994).abs() < 1e-12);
    }
}
