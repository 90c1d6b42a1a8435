//! Scoring and explaining speed on the 400-tree, 15-leaf model trained on the real sample
//! (`tests/fixtures/lgbm/hc_cat400.model.txt`), single thread.
//!
//!     cargo bench --bench scoring                      # ours only
//!     cargo bench --bench scoring --features train     # and LightGBM's own predict_contrib
//!
//! Criterion reports each method on a batch of rows; a summary then times every method in the
//! same run, prints microseconds per row and the ratio to LightGBM's `predict_contrib`, and
//! checks that the contributions agree.

use std::hint::black_box;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use criterion::{Criterion, Throughput};
use pad::data::FeatureMatrix;
use pad::explain::{Explainer, Method, Scratch};
use pad::model::{FeatureInfo, Model};

const ROWS: usize = 500;

fn model_path() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/lgbm/hc_cat400.model.txt")
}

/// The first rows of the real sample, or rows drawn from the model's feature ranges when the
/// sample is absent.
fn rows(model: &Model) -> (Vec<f64>, &'static str) {
    let sample = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/data/homecredit/application_train_sample_A.csv");
    if let Ok(matrix) = FeatureMatrix::load(&sample, &model.schema()) {
        let n = matrix.n_rows().min(ROWS);
        return ((0..n).flat_map(|i| matrix.row(i).unwrap_or_default().to_vec()).collect(), "real sample rows");
    }
    let mut state = 0x2545_f491_4f6c_dd1du64;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state >> 11) as f64 / (1u64 << 53) as f64
    };
    let mut values = Vec::with_capacity(ROWS * model.n_features());
    for _ in 0..ROWS {
        for info in model.feature_infos() {
            let u = next();
            values.push(match info {
                _ if u < 0.1 => f64::NAN,
                FeatureInfo::Numeric { min, max } => min + (max - min) * next(),
                FeatureInfo::Categorical(categories) => (next() * categories.len() as f64).floor(),
                FeatureInfo::Unused => 0.0,
            });
        }
    }
    (values, "generated rows (real sample absent)")
}

fn predict_all(model: &Model, rows: &[f64]) -> f64 {
    rows.chunks_exact(model.n_features()).map(|row| model.predict_raw(row).unwrap_or(f64::NAN)).sum()
}

fn explain_block(explainer: &Explainer, rows: &[f64], phi: &mut [f64]) {
    let mut scratch = Scratch::default();
    let _ = explainer.explain_rows(rows, &mut scratch, phi);
}

fn explain_all(explainer: &Explainer, rows: &[f64], out: &mut [f64]) {
    let n = explainer.model().n_features();
    let mut scratch = Scratch::default();
    for (row, phi) in rows.chunks_exact(n).zip(out.chunks_exact_mut(n + 1)) {
        let (features, bias) = phi.split_at_mut(n);
        bias[0] = explainer.explain_into(row, &mut scratch, features).unwrap_or(f64::NAN);
    }
}

/// Median time per row over repeated passes (at least five, about two seconds).
fn per_row(n_rows: usize, mut pass: impl FnMut()) -> Duration {
    let mut times = Vec::new();
    let start = Instant::now();
    while times.len() < 5 || (start.elapsed() < Duration::from_secs(2) && times.len() < 200) {
        let begin = Instant::now();
        pass();
        times.push(begin.elapsed());
    }
    times.sort();
    times[times.len() / 2] / n_rows as u32
}

fn main() {
    let model = match Model::from_path(&model_path()) {
        Ok(model) => Arc::new(model),
        Err(error) => {
            eprintln!("bench skipped: {error}");
            return;
        }
    };
    let (rows, origin) = rows(&model);
    let n_features = model.n_features();
    let n_rows = rows.len() / n_features;
    let (Ok(fast), Ok(exact)) =
        (Explainer::new(model.clone(), Method::Fast), Explainer::new(model.clone(), Method::Exact))
    else {
        eprintln!("bench skipped: the model cannot be explained");
        return;
    };
    #[cfg(feature = "train")]
    let booster = lightgbm3::Booster::from_file(&model_path().to_string_lossy()).ok();

    let mut criterion = Criterion::default().sample_size(10).configure_from_args();
    let mut group = criterion.benchmark_group(format!("hc_cat400, {n_rows} {origin}"));
    group.throughput(Throughput::Elements(n_rows as u64));
    group.bench_function("predict", |b| b.iter(|| black_box(predict_all(&model, &rows))));
    let mut out = vec![0.0; n_rows * (n_features + 1)];
    group.bench_function("explain fast", |b| b.iter(|| explain_all(&fast, &rows, black_box(&mut out))));
    group.bench_function("explain exact", |b| b.iter(|| explain_all(&exact, &rows, black_box(&mut out))));
    #[cfg(feature = "train")]
    if let Some(booster) = booster.as_ref() {
        group.bench_function("lightgbm predict_contrib", |b| {
            b.iter(|| black_box(booster.predict_contrib(&rows, n_features as i32, true).unwrap_or_default()))
        });
    }
    group.finish();

    println!("\nSummary, single thread, {n_rows} {origin}, median per row:");
    let predict = per_row(n_rows, || {
        black_box(predict_all(&model, &rows));
    });
    let explain_fast = per_row(n_rows, || explain_all(&fast, &rows, black_box(&mut out)));
    let mut block_out = vec![0.0; n_rows * n_features];
    let explain_batch = per_row(n_rows, || explain_block(&fast, &rows, black_box(&mut block_out)));
    let mut reference = vec![0.0; n_rows * (n_features + 1)];
    let explain_exact = per_row(n_rows, || explain_all(&exact, &rows, black_box(&mut reference)));
    println!("  predict                                   {:>8.2} µs/row", micros(predict));
    println!("  explain, fast, in blocks (as pad explain) {:>8.2} µs/row", micros(explain_batch));
    println!("  explain, fast, one row at a time          {:>8.2} µs/row", micros(explain_fast));
    println!("  explain, exact recursion                  {:>8.2} µs/row", micros(explain_exact));
    let mut fast_out = vec![0.0; n_rows * (n_features + 1)];
    explain_all(&fast, &rows, &mut fast_out);
    println!("  fast vs exact: max |difference| {:e}", max_difference(&fast_out, &reference));
    let mut block_check = vec![0.0; n_rows * (n_features + 1)];
    for (row, (phi, bias)) in block_out.chunks_exact(n_features).zip(reference.chunks_exact(n_features + 1)).enumerate()
    {
        block_check[row * (n_features + 1)..(row + 1) * (n_features + 1) - 1].copy_from_slice(phi);
        block_check[(row + 1) * (n_features + 1) - 1] = bias[n_features];
    }
    println!("  blocks vs exact: max |difference| {:e}", max_difference(&block_check, &reference));
    #[cfg(feature = "train")]
    if let Some(booster) = booster.as_ref() {
        let lightgbm = per_row(n_rows, || {
            black_box(booster.predict_contrib(&rows, n_features as i32, true).unwrap_or_default());
        });
        let theirs = booster.predict_contrib(&rows, n_features as i32, true).unwrap_or_default();
        println!("  LightGBM predict_contrib (one call)       {:>8.2} µs/row", micros(lightgbm));
        let ratio = |ours: Duration| lightgbm.as_secs_f64() / ours.as_secs_f64();
        println!(
            "  speed-up over LightGBM: {:.1}x in blocks, {:.1}x one row at a time, {:.1}x exact",
            ratio(explain_batch),
            ratio(explain_fast),
            ratio(explain_exact)
        );
        println!(
            "  vs LightGBM: exact max |difference| {:e}, fast {:e}, blocks {:e}",
            max_difference(&reference, &theirs),
            max_difference(&fast_out, &theirs),
            max_difference(&block_check, &theirs)
        );
    }
    #[cfg(not(feature = "train"))]
    println!("  (build with --features train to time LightGBM's own predict_contrib in the same run)");
    criterion.final_summary();
}

fn micros(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1e6
}

fn max_difference(a: &[f64], b: &[f64]) -> f64 {
    if a.len() != b.len() {
        return f64::INFINITY;
    }
    a.iter().zip(b).map(|(x, y)| (x - y).abs()).fold(0.0, f64::max)
}
