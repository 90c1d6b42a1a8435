//! One client's explanations, in process, on the bundled data and model: the counterfactual of
//! a refused client, `explain` (TreeSHAP with the principal reasons) against TreeSHAP alone, and
//! a what-if with one changed amount.
//!
//!     cargo bench --bench explanations
//!
//! The clients are the first refused applicants of `data/applicants.csv` in file order. Before
//! timing, every one of their counterfactuals is computed twice and must come out the same.
//! Criterion then times each method over the whole set (throughput in clients), and on its own
//! the counterfactual of the slowest client of the set and of the slowest of all refused
//! applicants (searches that find nothing score every cell). A summary follows, single
//! thread: each client timed alone (median of repeated calls), then the median and the range
//! over the clients, the ratio of `explain` to TreeSHAP alone, and the 50 ms target of the
//! counterfactual.

use std::hint::black_box;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use criterion::{Criterion, SamplingMode, Throughput};
use pad::data::FeatureMatrix;
use pad::domain::{ClientId, Counterfactual, Decision};
use pad::explain::{Explainer, Method, probability_points};
use pad::scoring::{LocalScorer, LocalSources, ModelBundle, Scorer};

/// Refused clients in the set.
const CLIENTS: usize = 20;

/// The target for one counterfactual.
const COUNTERFACTUAL_TARGET: Duration = Duration::from_millis(50);

/// The amount borrowed in the what-if, as a share of the client's own.
const WHAT_IF_CREDIT_FACTOR: f64 = 0.9;

fn sources() -> LocalSources {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    LocalSources {
        model: root.join("assets/model.txt"),
        applicants: root.join("data/applicants.csv"),
        history: root.join("data/history.parquet"),
        threshold: None,
        applicant_tables: pad::config::bundled_tables(pad::config::BUNDLED_APPLICANT_TABLES),
        history_tables: pad::config::bundled_tables(pad::config::BUNDLED_HISTORY_TABLES),
    }
}

/// One refused client and what the benches feed the scorer for them.
struct Client {
    id: ClientId,
    /// The model inputs, as the scorer holds them.
    row: Vec<f64>,
    /// The what-if: the amount borrowed lowered to [`WHAT_IF_CREDIT_FACTOR`] of the client's.
    what_if: Vec<(String, f64)>,
}

/// Every refused applicant, in file order.
fn refused_ids(scorer: &LocalScorer) -> Vec<ClientId> {
    let summaries = scorer.clients().unwrap_or_else(|error| panic!("{error}"));
    summaries
        .iter()
        .map(|summary| summary.id)
        .filter(|&id| scorer.predict(id).unwrap_or_else(|error| panic!("{error}")).decision == Decision::Refused)
        .collect()
}

/// The first [`CLIENTS`] refused applicants in file order, with their rows read again from the
/// applicants file through the model's own schema.
fn refused_clients(scorer: &LocalScorer, refused: &[ClientId], matrix: &FeatureMatrix) -> Vec<Client> {
    let ids = matrix.ids().unwrap_or_else(|| panic!("the applicants file has no client ids"));
    let summaries = scorer.clients().unwrap_or_else(|error| panic!("{error}"));
    refused
        .iter()
        .take(CLIENTS)
        .map(|&id| {
            let index = ids.iter().position(|&row_id| row_id == id).unwrap_or_else(|| panic!("no row {id}"));
            let row = matrix.row(index).unwrap_or_else(|| panic!("no row {index}")).to_vec();
            let summary = summaries.iter().find(|summary| summary.id == id);
            let amount = summary.and_then(|summary| summary.amount);
            let amount = amount.unwrap_or_else(|| panic!("client {id} has no amount borrowed"));
            let what_if = vec![("AMT_CREDIT".to_string(), (amount * WHAT_IF_CREDIT_FACTOR).round())];
            Client { id, row, what_if }
        })
        .collect()
}

/// The slowest counterfactual among `ids`: each timed once, then the five slowest again
/// (median of five calls). Also returns how many searches found nothing within bounds.
fn slowest_counterfactual(scorer: &LocalScorer, ids: &[ClientId]) -> (ClientId, Duration, usize) {
    let mut none_within_bounds = 0;
    let mut once: Vec<(Duration, ClientId)> = ids
        .iter()
        .map(|&id| {
            let begin = Instant::now();
            let outcome = scorer.counterfactual(id).unwrap_or_else(|error| panic!("{error}"));
            let time = begin.elapsed();
            none_within_bounds += usize::from(matches!(outcome, Counterfactual::NoneWithinBounds { .. }));
            (time, id)
        })
        .collect();
    once.sort();
    let (time, id) = once
        .iter()
        .rev()
        .take(5)
        .map(|&(_, id)| {
            let time = median_of(5, || {
                black_box(scorer.counterfactual(id).ok());
            });
            (time, id)
        })
        .max()
        .unwrap_or_else(|| panic!("no client timed"));
    (id, time, none_within_bounds)
}

/// Median of `runs` timed calls.
fn median_of(runs: usize, mut call: impl FnMut()) -> Duration {
    let mut times: Vec<Duration> = (0..runs)
        .map(|_| {
            let begin = Instant::now();
            call();
            begin.elapsed()
        })
        .collect();
    times.sort();
    times[times.len() / 2]
}

/// Each client timed alone: the median of `runs` calls per client, in client order.
fn per_client(clients: &[Client], runs: usize, mut call: impl FnMut(&Client)) -> Vec<Duration> {
    clients.iter().map(|client| median_of(runs, || call(client))).collect()
}

/// `median (min–max)` over clients, in milliseconds or microseconds.
fn spread(times: &[Duration]) -> (Duration, Duration, Duration) {
    let mut sorted = times.to_vec();
    sorted.sort();
    (sorted[sorted.len() / 2], sorted[0], sorted[sorted.len() - 1])
}

fn shown(duration: Duration) -> String {
    let micros = duration.as_secs_f64() * 1e6;
    if micros >= 1000.0 { format!("{:.2} ms", micros / 1000.0) } else { format!("{micros:.1} µs") }
}

fn shown_spread(times: &[Duration]) -> String {
    let (median, low, high) = spread(times);
    format!("{} ({}–{})", shown(median), shown(low), shown(high))
}

fn kind(counterfactual: &Counterfactual) -> String {
    match counterfactual {
        Counterfactual::NotNeeded { probability } => format!("not needed, p = {probability:.4}"),
        Counterfactual::Found { changes, probability, .. } => {
            let names: Vec<&str> = changes.iter().map(|change| change.feature.as_str()).collect();
            format!("found, p = {probability:.4}, {}", names.join(" "))
        }
        Counterfactual::NoneWithinBounds { best_probability, .. } => {
            format!("none within bounds, best p = {best_probability:.4}")
        }
    }
}

fn main() {
    let sources = sources();
    let scorer = LocalScorer::load(&sources).unwrap_or_else(|error| panic!("{error}"));
    let ModelBundle { model, schema, .. } = ModelBundle::open(&sources.model).unwrap_or_else(|error| panic!("{error}"));
    // The applicants with their credit history, as the scorer reads them.
    let table = pad::data::ClientTable::load_with(
        &sources.applicants,
        pad::data::history::Role::Applicants,
        &sources.applicant_tables,
    )
    .unwrap_or_else(|error| panic!("{error}"));
    let matrix = FeatureMatrix::from_table(&table, &schema).unwrap_or_else(|error| panic!("{error}"));
    let refused = refused_ids(&scorer);
    let clients = refused_clients(&scorer, &refused, &matrix);
    assert!(!clients.is_empty(), "no refused applicant in {}", sources.applicants.display());
    let n_clients = clients.len();
    // TreeSHAP alone, with the same model and method as the scorer's.
    let explainer = Explainer::new(Arc::new(model), Method::Fast).unwrap_or_else(|error| panic!("{error}"));

    // The search must be deterministic, and the rows read here must be the scorer's.
    let mut outcomes = Vec::with_capacity(n_clients);
    for client in &clients {
        let first = scorer.counterfactual(client.id).unwrap_or_else(|error| panic!("{error}"));
        let second = scorer.counterfactual(client.id).unwrap_or_else(|error| panic!("{error}"));
        if format!("{first:?}") != format!("{second:?}") {
            panic!(
                "the counterfactual of client {} is not deterministic:\n  first:  {first:?}\n  second: {second:?}",
                client.id
            );
        }
        let explained = scorer.explain(client.id).unwrap_or_else(|error| panic!("{error}"));
        let alone = explainer.explain(&client.row).unwrap_or_else(|error| panic!("{error}"));
        if alone.raw_score.to_bits() != explained.raw_score.to_bits() || alone.values != explained.log_odds {
            panic!("client {}: TreeSHAP alone and Scorer::explain disagree: the rows differ", client.id);
        }
        outcomes.push(first);
    }

    // Each counterfactual alone, to find the slowest client of the set (the one whose search
    // scores the most candidates: a search that finds nothing scores the whole grid), then the
    // slowest of every refused applicant.
    let counterfactual_times = per_client(&clients, 9, |client| {
        black_box(scorer.counterfactual(client.id).ok());
    });
    println!("Counterfactual of the first {n_clients} refused applicants, each alone (median of 9 calls):");
    for ((client, outcome), time) in clients.iter().zip(&outcomes).zip(&counterfactual_times) {
        println!("  client {:>6}  {:>9}  {}", client.id, shown(*time), kind(outcome));
    }
    let (worst, _) = counterfactual_times
        .iter()
        .enumerate()
        .max_by_key(|&(_, time)| *time)
        .unwrap_or_else(|| panic!("no client timed"));
    let worst_id = clients[worst].id;
    let (overall_id, overall_time, none_within_bounds) = slowest_counterfactual(&scorer, &refused);
    let overall = scorer.counterfactual(overall_id).unwrap_or_else(|error| panic!("{error}"));
    println!(
        "Slowest of all {} refused applicants ({none_within_bounds} with nothing within bounds): client {overall_id}, \
         {}, {}",
        refused.len(),
        shown(overall_time),
        kind(&overall)
    );

    // Criterion's names stay the same from run to run, so that it compares runs; the clients
    // they stand for are printed here.
    let same = if overall_id == worst_id { " (the same client: timed once)" } else { "" };
    println!("Criterion's slowest of the set: client {worst_id}; slowest of all refused: client {overall_id}{same}\n");

    let mut criterion = Criterion::default()
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
        .configure_from_args();

    let mut group = criterion.benchmark_group(format!("counterfactual, first {n_clients} refused"));
    group.sampling_mode(SamplingMode::Flat);
    group.throughput(Throughput::Elements(n_clients as u64));
    group.bench_function("all clients", |bench| {
        bench.iter(|| {
            for client in &clients {
                black_box(scorer.counterfactual(client.id).ok());
            }
        })
    });
    group.throughput(Throughput::Elements(1));
    group.bench_function("slowest of the set", |bench| bench.iter(|| black_box(scorer.counterfactual(worst_id).ok())));
    if overall_id != worst_id {
        group.bench_function("slowest of all refused", |bench| {
            bench.iter(|| black_box(scorer.counterfactual(overall_id).ok()))
        });
    }
    group.finish();

    let mut group = criterion.benchmark_group(format!("explain, first {n_clients} refused"));
    group.throughput(Throughput::Elements(n_clients as u64));
    group.bench_function("TreeSHAP alone", |bench| {
        bench.iter(|| {
            for client in &clients {
                black_box(explainer.explain(&client.row).ok());
            }
        })
    });
    group.bench_function("TreeSHAP + probability points", |bench| {
        bench.iter(|| {
            for client in &clients {
                let contributions = explainer.explain(&client.row).ok();
                black_box(contributions.map(|contributions| probability_points(explainer.model(), &contributions)));
            }
        })
    });
    group.bench_function("Scorer::explain (with reasons)", |bench| {
        bench.iter(|| {
            for client in &clients {
                black_box(scorer.explain(client.id).ok());
            }
        })
    });
    group.bench_function("Scorer::what_if (AMT_CREDIT x 0.9)", |bench| {
        bench.iter(|| {
            for client in &clients {
                black_box(scorer.what_if(client.id, &client.what_if).ok());
            }
        })
    });
    group.finish();

    println!("\nSummary, single thread, first {n_clients} refused applicants, each client alone:");
    println!("  median over clients (fastest–slowest client), each client's time the median of its calls");
    let counterfactual_times = per_client(&clients, 9, |client| {
        black_box(scorer.counterfactual(client.id).ok());
    });
    let treeshap = per_client(&clients, 201, |client| {
        black_box(explainer.explain(&client.row).ok());
    });
    let with_points = per_client(&clients, 201, |client| {
        let contributions = explainer.explain(&client.row).ok();
        black_box(contributions.map(|contributions| probability_points(explainer.model(), &contributions)));
    });
    let explain = per_client(&clients, 201, |client| {
        black_box(scorer.explain(client.id).ok());
    });
    let what_if = per_client(&clients, 201, |client| {
        black_box(scorer.what_if(client.id, &client.what_if).ok());
    });
    let worst_alone = median_of(21, || {
        black_box(scorer.counterfactual(worst_id).ok());
    });
    let overall_alone = median_of(21, || {
        black_box(scorer.counterfactual(overall_id).ok());
    });
    let summary_slowest = counterfactual_times.iter().enumerate().max_by_key(|&(_, time)| *time).map(|(i, _)| i);
    let summary_slowest_id = summary_slowest.map_or(0, |index| clients[index].id);
    println!(
        "  counterfactual                        {} (slowest here: client {summary_slowest_id})",
        shown_spread(&counterfactual_times)
    );
    println!("    slowest of the set, client {worst_id:<6}  {} (median of 21 calls)", shown(worst_alone));
    println!(
        "    slowest of all {} refused, client {overall_id:<6}  {} (median of 21 calls)",
        refused.len(),
        shown(overall_alone)
    );
    println!("  TreeSHAP alone                        {}", shown_spread(&treeshap));
    println!("  TreeSHAP + probability points         {}", shown_spread(&with_points));
    println!("  Scorer::explain (with reasons)        {}", shown_spread(&explain));
    println!("  Scorer::what_if (AMT_CREDIT x 0.9)    {}", shown_spread(&what_if));
    let mut ratios: Vec<f64> =
        explain.iter().zip(&treeshap).map(|(with, alone)| with.as_secs_f64() / alone.as_secs_f64()).collect();
    ratios.sort_by(f64::total_cmp);
    println!(
        "  explain / TreeSHAP alone: {:.2}x median over clients ({:.2}x–{:.2}x); points and reasons add {}",
        ratios[ratios.len() / 2],
        ratios[0],
        ratios[ratios.len() - 1],
        shown(spread(&explain).0.saturating_sub(spread(&treeshap).0))
    );
    let verdict = |time: Duration| if time < COUNTERFACTUAL_TARGET { "met" } else { "NOT met" };
    let set_slowest = spread(&counterfactual_times).2.max(worst_alone);
    println!(
        "  counterfactual target {} per client: {} on the set (slowest {}), {} on every refused applicant \
         (slowest {})",
        shown(COUNTERFACTUAL_TARGET),
        verdict(set_slowest),
        shown(set_slowest),
        verdict(overall_alone.max(set_slowest)),
        shown(overall_alone.max(set_slowest))
    );
    criterion.final_summary();
}
