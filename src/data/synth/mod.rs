//! `pad synth`: a synthetic portfolio shaped like the Kaggle application table.
//!
//! The Kaggle rules forbid redistributing the real data, so the bundled data is made here,
//! from figures only ([`calibration`], computed from the real sample by
//! `tools/calibrate_synth.py`: quantiles, frequencies, correlations, a fitted default model).
//!
//! How a client is drawn:
//!
//! 1. The main continuous columns (income, credit, term, goods/credit ratio, age, employment,
//!    registration, id and phone change dates, region population, the three external scores,
//!    car age) come from a Gaussian copula with the real normal-scores correlation, each mapped
//!    through its real quantiles; the other numeric columns through their own quantiles or
//!    frequencies; text columns from their frequencies.
//! 2. Coherence: the goods price and the annuity derive from the credit through the drawn
//!    ratios; the income type depends on the age group, and `DAYS_EMPLOYED` holds the
//!    placeholder 365243 with the real probability for that income type; employment never
//!    starts before 16; the car age is missing exactly when the client has no car; the family
//!    size counts the children and a partner; the building statistics are missing together.
//! 3. Missing values at the real rate of each column.
//! 4. `TARGET` from the logistic model fitted on the real sample (external scores, age,
//!    employment, credit and annuity ratios, term, education, region rating), its intercept
//!    shifted so that the portfolio's mean probability equals the real default rate.
//!
//! The same options and seed always give the same table (ChaCha8 generator).

#[allow(missing_docs, dead_code, clippy::excessive_precision, clippy::unreadable_literal)]
mod calibration;

use std::path::Path;

use polars::prelude::*;
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, StandardNormal};

use super::DataError;
use super::schema::{COLUMNS, ColumnKind, DAYS_EMPLOYED_ANOMALY};
use super::table::ClientTable;
use calibration::{
    AGE_DECILE_EDGES, BUILDING_ALL_MISSING, BUILDING_COLUMNS, BUILDING_MISSING_GIVEN_PRESENT, CONTINUOUS, COPULA_COLUMNS,
    COPULA_CORRELATION, Continuous, DEFAULT_INTERCEPT, DEFAULT_MODEL, DISCRETE, EMPLOYED_PLACEHOLDER_BY_INCOME_TYPE,
    INCOME_TYPE_BY_AGE_GROUP, QUANTILE_LEVELS, REAL_DEFAULT_RATE, TEXT,
};

/// What to generate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SynthOptions {
    /// Number of clients.
    pub rows: usize,
    /// Seed of the random generator: the same seed gives the same table.
    pub seed: u64,
    /// Whether to draw and write `TARGET` (a history) or not (current applicants).
    pub with_target: bool,
    /// The first client id; ids follow in order.
    pub first_id: i64,
}

/// One drawn value.
#[derive(Debug, Clone, PartialEq)]
enum Value {
    Missing,
    Number(f64),
    Text(&'static str),
}

impl Value {
    fn number(&self) -> f64 {
        match self {
            Value::Number(value) => *value,
            _ => f64::NAN,
        }
    }
}

/// The inverse of a quantile table at probability `u` (linear between levels).
fn quantile(table: &[f64; QUANTILE_LEVELS], u: f64) -> f64 {
    let position = u.clamp(0.0, 1.0) * (QUANTILE_LEVELS - 1) as f64;
    let index = (position.floor() as usize).min(QUANTILE_LEVELS - 2);
    let weight = position - index as f64;
    table[index] + (table[index + 1] - table[index]) * weight
}

/// Draws from a (value, probability) table.
fn pick<T: Copy>(table: &[(T, f64)], u: f64) -> Option<T> {
    let mut cumulative = 0.0;
    for (value, probability) in table {
        cumulative += probability;
        if u < cumulative {
            return Some(*value);
        }
    }
    table.last().map(|(value, _)| *value)
}

/// The standard normal distribution function, Φ(z) = erfc(−z/√2)/2.
fn normal_cdf(z: f64) -> f64 {
    0.5 * libm::erfc(-z / std::f64::consts::SQRT_2)
}

/// Lower-triangular Cholesky factor of the copula correlation.
fn cholesky<const N: usize>(matrix: &[[f64; N]; N]) -> Option<[[f64; N]; N]> {
    let mut lower = [[0.0; N]; N];
    for i in 0..N {
        for j in 0..=i {
            let mut sum = matrix[i][j];
            for (a, b) in lower[i][..j].iter().zip(&lower[j][..j]) {
                sum -= a * b;
            }
            if i == j {
                if sum <= 0.0 {
                    return None;
                }
                lower[i][j] = sum.sqrt();
            } else {
                lower[i][j] = sum / lower[j][j];
            }
        }
    }
    Some(lower)
}

fn continuous(name: &str) -> Option<&'static Continuous> {
    CONTINUOUS.iter().find(|column| column.name == name)
}

/// Rounds an amount to the half unit, as the real amounts are written.
fn half_units(value: f64) -> f64 {
    (value * 2.0).round() / 2.0
}

/// Rounds to the 4,500 grid on which most real incomes and goods prices lie (never to zero).
fn price_grid(value: f64) -> f64 {
    ((value / 4500.0).round() * 4500.0).max(4500.0)
}

/// Draws one client's raw values (without id and target) into `row`, keyed by column name.
struct Drawer {
    lower: [[f64; COPULA_COLUMNS.len()]; COPULA_COLUMNS.len()],
    rng: ChaCha8Rng,
    /// Position of each column in a drawn row (continuous, then discrete, then text columns).
    positions: std::collections::HashMap<&'static str, usize>,
}

/// Column names in the order a row is drawn.
fn drawn_columns() -> impl Iterator<Item = &'static str> {
    CONTINUOUS.iter().map(|c| c.name).chain(DISCRETE.iter().map(|c| c.name)).chain(TEXT.iter().map(|c| c.name))
}

impl Drawer {
    fn uniform(&mut self) -> f64 {
        self.rng.random::<f64>()
    }

    fn missing(&mut self, rate: f64) -> bool {
        self.uniform() < rate
    }

    fn draw(&mut self) -> Vec<(&'static str, Value)> {
        let mut row: Vec<(&'static str, Value)> = Vec::with_capacity(COLUMNS.len() + 2);
        // 1. The copula.
        let normals: Vec<f64> = (0..COPULA_COLUMNS.len()).map(|_| StandardNormal.sample(&mut self.rng)).collect();
        let mut copula_u = [0.0; COPULA_COLUMNS.len()];
        for (i, slot) in copula_u.iter_mut().enumerate() {
            let z: f64 = (0..=i).map(|k| self.lower[i][k] * normals[k]).sum();
            *slot = normal_cdf(z);
        }
        for column in CONTINUOUS {
            let u = match COPULA_COLUMNS.iter().position(|name| *name == column.name) {
                Some(index) => copula_u[index],
                None => self.uniform(),
            };
            let value = if self.missing(column.missing) {
                Value::Missing
            } else {
                let value = quantile(&column.quantiles, u);
                Value::Number(if column.integer { value.round() } else { value })
            };
            row.push((column.name, value));
        }
        for column in DISCRETE {
            let u = self.uniform();
            let value = if self.missing(column.missing) {
                Value::Missing
            } else {
                pick(column.values, u).map_or(Value::Missing, Value::Number)
            };
            row.push((column.name, value));
        }
        for column in TEXT {
            let u = self.uniform();
            let value = if self.missing(column.missing) {
                Value::Missing
            } else {
                pick(column.labels, u).map_or(Value::Missing, Value::Text)
            };
            row.push((column.name, value));
        }
        self.make_coherent(&mut row);
        row
    }

    /// Step 2 of the module doc: ties between columns.
    fn make_coherent(&mut self, row: &mut [(&'static str, Value)]) {
        let positions = self.positions.clone();
        let get = |row: &[(&'static str, Value)], name: &str| {
            positions.get(name).and_then(|&index| row.get(index)).map_or(Value::Missing, |(_, value)| value.clone())
        };
        let set = |row: &mut [(&'static str, Value)], name: &str, value: Value| {
            if let Some(slot) = positions.get(name).and_then(|&index| row.get_mut(index)) {
                slot.1 = value;
            }
        };
        // Amounts: the goods price and the annuity follow the credit through the drawn ratios.
        let credit = get(row, "AMT_CREDIT").number();
        if credit.is_nan() {
            let fallback = continuous("AMT_CREDIT").map_or(f64::NAN, |column| quantile(&column.quantiles, 0.5));
            set(row, "AMT_CREDIT", Value::Number(fallback));
        }
        let credit = half_units(get(row, "AMT_CREDIT").number());
        set(row, "AMT_CREDIT", Value::Number(credit));
        let goods_ratio = get(row, "GOODS_CREDIT_RATIO").number();
        let goods = if goods_ratio.is_nan() { Value::Missing } else { Value::Number(price_grid(credit * goods_ratio)) };
        set(row, "AMT_GOODS_PRICE", goods);
        let term = get(row, "CREDIT_TERM").number();
        let annuity = if term.is_nan() { Value::Missing } else { Value::Number(half_units(credit * term)) };
        set(row, "AMT_ANNUITY", annuity);

        // Incomes are declared in round figures.
        let income = get(row, "AMT_INCOME_TOTAL").number();
        if !income.is_nan() {
            set(row, "AMT_INCOME_TOTAL", Value::Number(price_grid(income)));
        }
        // Age decides the income type; the income type the "not employed" placeholder.
        let birth = get(row, "DAYS_BIRTH").number();
        let group = AGE_DECILE_EDGES.iter().take_while(|edge| birth > **edge).count();
        let u = self.uniform();
        let income_type = pick(INCOME_TYPE_BY_AGE_GROUP[group.min(9)], u);
        if let Some(income_type) = income_type {
            set(row, "NAME_INCOME_TYPE", Value::Text(income_type));
            let placeholder = EMPLOYED_PLACEHOLDER_BY_INCOME_TYPE
                .iter()
                .find(|(label, _)| *label == income_type)
                .map_or(0.0, |(_, rate)| *rate);
            if self.uniform() < placeholder {
                set(row, "DAYS_EMPLOYED", Value::Number(DAYS_EMPLOYED_ANOMALY));
            }
        }
        // Employment starts at 16 at the earliest.
        let employed = get(row, "DAYS_EMPLOYED").number();
        if !birth.is_nan() && !employed.is_nan() && employed != DAYS_EMPLOYED_ANOMALY {
            let earliest = (birth + 16.0 * 365.25).round().min(0.0);
            set(row, "DAYS_EMPLOYED", Value::Number(employed.max(earliest)));
        }
        // The car age exists exactly for car owners.
        match get(row, "FLAG_OWN_CAR") {
            Value::Text("N") => set(row, "OWN_CAR_AGE", Value::Missing),
            Value::Text(_) if get(row, "OWN_CAR_AGE") == Value::Missing => {
                let age = continuous("OWN_CAR_AGE").map_or(f64::NAN, |column| quantile(&column.quantiles, 0.5));
                let u = self.uniform();
                let age = continuous("OWN_CAR_AGE").map_or(age, |column| quantile(&column.quantiles, u));
                set(row, "OWN_CAR_AGE", Value::Number(age.round()));
            }
            _ => {}
        }
        // The family counts the children and, for couples, a partner.
        let children = get(row, "CNT_CHILDREN").number();
        if !children.is_nan() {
            let partner = matches!(get(row, "NAME_FAMILY_STATUS"), Value::Text("Married" | "Civil marriage"));
            set(row, "CNT_FAM_MEMBERS", Value::Number(children + 1.0 + if partner { 1.0 } else { 0.0 }));
        }
        // Building statistics are missing together.
        let all_missing = self.uniform() < BUILDING_ALL_MISSING;
        for (name, rate) in BUILDING_COLUMNS.iter().zip(BUILDING_MISSING_GIVEN_PRESENT) {
            if all_missing || self.uniform() < *rate {
                set(row, name, Value::Missing);
            } else if get(row, name) == Value::Missing {
                // Present in the block: draw again without the column's own missing rate.
                let u = self.uniform();
                if let Some(column) = continuous(name) {
                    set(row, name, Value::Number(quantile(&column.quantiles, u)));
                } else if let Some(column) = DISCRETE.iter().find(|column| column.name == *name) {
                    set(row, name, pick(column.values, u).map_or(Value::Missing, Value::Number));
                } else if let Some(column) = TEXT.iter().find(|column| column.name == *name) {
                    set(row, name, pick(column.labels, u).map_or(Value::Missing, Value::Text));
                }
            }
        }
    }
}

/// The default model's linear score without intercept, from a drawn row.
fn default_score(row: &[(&'static str, Value)], positions: &std::collections::HashMap<&'static str, usize>) -> f64 {
    let value = |name: &str| positions.get(name).and_then(|&index| row.get(index)).map(|(_, value)| value);
    let number = |name: &str| value(name).map_or(f64::NAN, Value::number);
    let text = |name: &str| match value(name) {
        Some(Value::Text(text)) => Some(*text),
        _ => None,
    };
    let employed = number("DAYS_EMPLOYED");
    let mut score = 0.0;
    for (predictor, mean, std, coefficient) in DEFAULT_MODEL {
        let value = match *predictor {
            "EXT_SOURCE_1_MISSING" => number("EXT_SOURCE_1").is_nan() as i32 as f64,
            "EXT_SOURCE_3_MISSING" => number("EXT_SOURCE_3").is_nan() as i32 as f64,
            "AGE_YEARS" => -number("DAYS_BIRTH") / 365.25,
            "YEARS_EMPLOYED" => {
                if employed.is_nan() || employed == DAYS_EMPLOYED_ANOMALY { 0.0 } else { -employed / 365.25 }
            }
            "EMPLOYED_PLACEHOLDER" => (employed == DAYS_EMPLOYED_ANOMALY) as i32 as f64,
            "CREDIT_INCOME_RATIO" => number("AMT_CREDIT") / number("AMT_INCOME_TOTAL"),
            "ANNUITY_INCOME_RATIO" => number("AMT_ANNUITY") / number("AMT_INCOME_TOTAL"),
            "CREDIT_TERM" => number("AMT_ANNUITY") / number("AMT_CREDIT"),
            "GOODS_CREDIT_RATIO" => number("AMT_GOODS_PRICE") / number("AMT_CREDIT"),
            "HIGHER_EDUCATION" => {
                matches!(text("NAME_EDUCATION_TYPE"), Some("Higher education" | "Academic degree")) as i32 as f64
            }
            other => number(other),
        };
        let value = if value.is_finite() { value } else { *mean };
        if *std > 0.0 {
            score += coefficient * (value - mean) / std;
        }
    }
    score
}

/// The intercept that makes the mean probability equal the real default rate (bisection).
fn calibrated_intercept(scores: &[f64]) -> f64 {
    let mean_probability = |intercept: f64| {
        scores.iter().map(|score| 1.0 / (1.0 + (-(intercept + score)).exp())).sum::<f64>() / scores.len().max(1) as f64
    };
    let (mut low, mut high) = (DEFAULT_INTERCEPT - 10.0, DEFAULT_INTERCEPT + 10.0);
    for _ in 0..100 {
        let middle = 0.5 * (low + high);
        if mean_probability(middle) < REAL_DEFAULT_RATE {
            low = middle;
        } else {
            high = middle;
        }
    }
    0.5 * (low + high)
}

/// Generates a portfolio in memory with the Kaggle columns in file order.
pub fn generate(options: &SynthOptions) -> Result<DataFrame, DataError> {
    let lower = cholesky(&COPULA_CORRELATION).ok_or_else(|| DataError::Unreadable {
        path: "calibration".into(),
        message: "the copula correlation is not positive definite; rerun tools/calibrate_synth.py".into(),
    })?;
    let positions = drawn_columns().enumerate().map(|(index, name)| (name, index)).collect();
    let mut drawer = Drawer { lower, rng: ChaCha8Rng::seed_from_u64(options.seed), positions };
    let rows: Vec<Vec<(&'static str, Value)>> = (0..options.rows).map(|_| drawer.draw()).collect();
    let mut targets = Vec::new();
    if options.with_target {
        let scores: Vec<f64> = rows.iter().map(|row| default_score(row, &drawer.positions)).collect();
        let intercept = calibrated_intercept(&scores);
        targets = scores
            .iter()
            .map(|score| {
                let probability = 1.0 / (1.0 + (-(intercept + score)).exp());
                i64::from(drawer.uniform() < probability)
            })
            .collect();
    }
    let mut columns: Vec<Column> = Vec::with_capacity(COLUMNS.len());
    for (index, (name, kind)) in COLUMNS.iter().enumerate() {
        let position = column_position(index);
        let column = match kind {
            ColumnKind::Id => {
                let ids: Vec<i64> = (0..options.rows as i64).map(|row| options.first_id + row).collect();
                Column::new((*name).into(), ids)
            }
            ColumnKind::Target => {
                if !options.with_target {
                    continue;
                }
                Column::new((*name).into(), targets.clone())
            }
            ColumnKind::Integer => {
                let values: Vec<Option<i64>> = rows
                    .iter()
                    .map(|row| Some(row[position].1.number()).filter(|v| !v.is_nan()).map(|v| v.round() as i64))
                    .collect();
                Column::new((*name).into(), values)
            }
            ColumnKind::Float => {
                let values: Vec<Option<f64>> =
                    rows.iter().map(|row| Some(row[position].1.number()).filter(|v| !v.is_nan())).collect();
                Column::new((*name).into(), values)
            }
            ColumnKind::Text => {
                let values: Vec<Option<&str>> = rows
                    .iter()
                    .map(|row| match row[position].1 {
                        Value::Text(text) => Some(text),
                        _ => None,
                    })
                    .collect();
                Column::new((*name).into(), values)
            }
        };
        columns.push(column);
    }
    DataFrame::new(options.rows, columns).map_err(|error| DataError::Unreadable { path: "synthetic".into(), message: error.to_string() })
}

/// Where the drawn row holds Kaggle column `index`.
fn column_position(index: usize) -> usize {
    let name = COLUMNS[index].0;
    drawn_columns().position(|column| column == name).unwrap_or(0)
}

/// Generates a portfolio and writes it as CSV or Parquet (by extension), atomically.
pub fn write(options: &SynthOptions, out: &Path) -> Result<ClientTable, DataError> {
    let mut frame = generate(options)?;
    let mut partial_name = out.file_name().map(|name| name.to_os_string()).unwrap_or_default();
    partial_name.push(".partial");
    let partial = out.with_file_name(partial_name);
    let file = std::fs::File::create(&partial).map_err(|cause| DataError::Write { path: out.to_path_buf(), cause })?;
    let is_parquet = out.extension().is_some_and(|extension| extension.eq_ignore_ascii_case("parquet"));
    let written = if is_parquet {
        ParquetWriter::new(file)
            .with_compression(ParquetCompression::Zstd(None))
            .finish(&mut frame)
            .map(|_| ())
    } else {
        CsvWriter::new(file).include_header(true).finish(&mut frame)
    };
    if let Err(error) = written {
        let _ = std::fs::remove_file(&partial);
        return Err(DataError::Write { path: out.to_path_buf(), cause: std::io::Error::other(error.to_string()) });
    }
    std::fs::rename(&partial, out).map_err(|cause| DataError::Write { path: out.to_path_buf(), cause })?;
    ClientTable::load(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::schema::{ID_COLUMN, TARGET_COLUMN};

    #[test]
    fn quantile_interpolates_between_levels() {
        let mut table = [0.0; QUANTILE_LEVELS];
        for (level, slot) in table.iter_mut().enumerate() {
            *slot = level as f64 * 2.0; // q(u) = 200·u
        }
        assert_eq!(quantile(&table, 0.0), 0.0);
        assert_eq!(quantile(&table, 1.0), 200.0);
        assert!((quantile(&table, 0.505) - 101.0).abs() < 1e-9);
    }

    #[test]
    fn normal_cdf_matches_known_values() {
        assert!((normal_cdf(0.0) - 0.5).abs() < 1e-15);
        // Φ(1.959963984540054) = 0.975.
        assert!((normal_cdf(1.959963984540054) - 0.975).abs() < 1e-12);
    }

    #[test]
    fn cholesky_of_a_known_matrix() {
        // [[4, 2], [2, 3]] = L Lᵀ with L = [[2, 0], [1, √2]].
        let lower = cholesky(&[[4.0, 2.0], [2.0, 3.0]]);
        assert!(lower.is_some_and(|l| l[0][0] == 2.0 && l[1][0] == 1.0 && (l[1][1] - 2f64.sqrt()).abs() < 1e-15));
        assert!(cholesky(&[[1.0, 2.0], [2.0, 1.0]]).is_none());
    }

    #[test]
    fn calibration_figures_are_sane() {
        // The real sample's figures this generator is checked against.
        assert!((0.6..0.75).contains(&calibration::REAL_EXT_SOURCE_3_AUC));
        assert!((0.07..0.09).contains(&REAL_DEFAULT_RATE));
        assert_eq!(price_grid(202_400.0), 202_500.0);
    }

    #[test]
    fn the_copula_correlation_is_usable() {
        assert!(cholesky(&COPULA_CORRELATION).is_some());
    }

    #[test]
    fn same_seed_same_table() {
        let options = SynthOptions { rows: 200, seed: 7, with_target: true, first_id: 100_001 };
        let a = generate(&options);
        let b = generate(&options);
        assert!(matches!((&a, &b), (Ok(a), Ok(b)) if a.equals_missing(b)));
        let other = generate(&SynthOptions { seed: 8, ..options });
        assert!(matches!((&a, &other), (Ok(a), Ok(o)) if !a.equals_missing(o)));
        if let Ok(frame) = a {
            assert_eq!(frame.width(), 122);
            assert_eq!(frame.get_column_names()[1].as_str(), TARGET_COLUMN);
            assert_eq!(frame.get_column_names()[0].as_str(), ID_COLUMN);
        }
    }
}
