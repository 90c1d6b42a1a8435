#!/usr/bin/env python3
"""Calibration figures for the synthetic Home Credit portfolio generator.

What it computes
----------------
From the real sample ``../shared/data/homecredit/application_train_sample_A.csv``
(6,999 rows, 122 columns of the Kaggle "Home Credit Default Risk" application
table) this script computes aggregate figures and writes them as Rust constants
to ``src/data/synth/calibration.rs``:

* per numeric column with more than 30 distinct values: share missing, whether
  it holds whole numbers, and the quantiles at 0 %, 1 %, ..., 100 % (numpy,
  method "linear"); plus two pseudo-columns GOODS_CREDIT_RATIO
  (AMT_GOODS_PRICE / AMT_CREDIT) and CREDIT_TERM (AMT_ANNUITY / AMT_CREDIT);
  DAYS_EMPLOYED is summarised without its placeholder 365243;
* per numeric column with at most 30 distinct values: share missing and the
  frequency of each value;
* per text column: share missing and the frequency of each label;
* the share of the DAYS_EMPLOYED placeholder for each NAME_INCOME_TYPE;
* how the 47 building statistics columns are missing together;
* a Gaussian copula correlation matrix (van der Waerden normal scores,
  pairwise complete, repaired to be positive definite) of 14 main columns;
* DAYS_BIRTH deciles and NAME_INCOME_TYPE frequencies in each age group;
* a logistic default model (IRLS) on 14 standardized predictors, the real
  default rate and the AUC of EXT_SOURCE_3 alone.

Figures only
------------
The licence of the sample forbids copying its rows. The output holds only
aggregate figures (quantiles, frequencies, correlations, coefficients); no
row, no identifier (SK_ID_CURR is never used), no per-row value linked to
another column. The 0 % and 100 % quantiles are the column minimum and maximum.

How to run
----------
From the repository root, with ``../shared`` beside the repository::

    python3 tools/calibrate_synth.py

Needs Python 3.11 with numpy and pandas only (no scipy, no network). The output
is deterministic: running the script twice gives the same file byte for byte.
"""

from __future__ import annotations

import io
import math
import sys
from pathlib import Path
from statistics import NormalDist

import numpy as np
import pandas as pd

REPO = Path(__file__).resolve().parent.parent
SAMPLE = REPO.parent / "shared" / "data" / "homecredit" / "application_train_sample_A.csv"
OUTPUT = REPO / "src" / "data" / "synth" / "calibration.rs"

DISCRETE_MAX_DISTINCT = 30
LEVELS = np.linspace(0.0, 1.0, 101)
EMPLOYED_PLACEHOLDER = 365243
BUILDING_FIRST, BUILDING_LAST = "APARTMENTS_AVG", "EMERGENCYSTATE_MODE"
COPULA_COLUMNS = [
    "AMT_INCOME_TOTAL", "AMT_CREDIT", "CREDIT_TERM", "GOODS_CREDIT_RATIO",
    "DAYS_BIRTH", "DAYS_EMPLOYED", "DAYS_REGISTRATION", "DAYS_ID_PUBLISH",
    "DAYS_LAST_PHONE_CHANGE", "REGION_POPULATION_RELATIVE",
    "EXT_SOURCE_1", "EXT_SOURCE_2", "EXT_SOURCE_3", "OWN_CAR_AGE",
]
EIGEN_FLOOR = 1e-3
RIDGE = 1e-6


# --------------------------------------------------------------------------- reading

def read_sample(path: Path) -> pd.DataFrame:
    """Read the sample, repairing the lines wrapped whole in double quotes."""
    text = path.read_bytes().decode("ascii")
    lines = []
    for line in text.split("\r\n"):
        if len(line) >= 2 and line.startswith('"') and line.endswith('"'):
            line = line[1:-1].replace('""', '"')
        lines.append(line)
    df = pd.read_csv(io.StringIO("\n".join(lines)), keep_default_na=False, na_values=[""])
    if df.shape != (6999, 122):
        sys.exit(f"unexpected sample shape {df.shape}")
    return df


def is_text(series: pd.Series) -> bool:
    return pd.api.types.is_object_dtype(series) or pd.api.types.is_string_dtype(series)


# --------------------------------------------------------------------------- statistics

def quantiles(values: np.ndarray) -> list[float]:
    q = np.quantile(values.astype(np.float64), LEVELS, method="linear")
    return [float(x) for x in q]


def frequencies_by_value(values: np.ndarray) -> list[tuple[float, float]]:
    uniq, counts = np.unique(values.astype(np.float64), return_counts=True)
    total = counts.sum()
    return [(float(v), float(c / total)) for v, c in zip(uniq, counts)]


def label_frequencies(values: pd.Series) -> list[tuple[str, float]]:
    counts: dict[str, int] = {}
    for v in values:
        counts[str(v)] = counts.get(str(v), 0) + 1
    total = sum(counts.values())
    order = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    return [(label, count / total) for label, count in order]


def average_ranks(x: np.ndarray) -> np.ndarray:
    """Ranks 1..n, ties get their average rank."""
    order = np.argsort(x, kind="mergesort")
    sorted_x = x[order]
    ranks = np.empty(len(x), dtype=np.float64)
    i = 0
    n = len(x)
    while i < n:
        j = i
        while j + 1 < n and sorted_x[j + 1] == sorted_x[i]:
            j += 1
        ranks[order[i:j + 1]] = (i + j) / 2.0 + 1.0
        i = j + 1
    return ranks


def auc(score: np.ndarray, label: np.ndarray) -> float:
    """Area under the ROC curve (Mann-Whitney, ties count one half)."""
    ranks = average_ranks(score)
    pos = label == 1
    n_pos, n_neg = int(pos.sum()), int((~pos).sum())
    return float((ranks[pos].sum() - n_pos * (n_pos + 1) / 2.0) / (n_pos * n_neg))


_NORMAL = NormalDist()


def normal_scores(x: np.ndarray) -> np.ndarray:
    """Van der Waerden scores of the non-missing values, NaN where missing."""
    out = np.full(len(x), np.nan)
    present = ~np.isnan(x)
    r = average_ranks(x[present])
    n = len(r)
    out[present] = [_NORMAL.inv_cdf(v / (n + 1)) for v in r]
    return out


def pairwise_correlation(scores: np.ndarray) -> np.ndarray:
    k = scores.shape[1]
    c = np.eye(k)
    for i in range(k):
        for j in range(i + 1, k):
            both = ~np.isnan(scores[:, i]) & ~np.isnan(scores[:, j])
            a = scores[both, i] - scores[both, i].mean()
            b = scores[both, j] - scores[both, j].mean()
            r = float((a @ b) / math.sqrt((a @ a) * (b @ b)))
            c[i, j] = c[j, i] = r
    return c


def repair_correlation(c: np.ndarray) -> np.ndarray:
    """Clip eigenvalues at EIGEN_FLOOR and rescale to a unit diagonal."""
    c = (c + c.T) / 2.0
    w, v = np.linalg.eigh(c)
    fixed = (v * np.maximum(w, EIGEN_FLOOR)) @ v.T
    d = np.sqrt(np.diag(fixed))
    fixed = fixed / np.outer(d, d)
    fixed = (fixed + fixed.T) / 2.0
    np.fill_diagonal(fixed, 1.0)
    return fixed


def fit_logistic(x: np.ndarray, y: np.ndarray) -> tuple[float, np.ndarray]:
    """Newton / IRLS with a ridge RIDGE on the slopes (not the intercept)."""
    n, k = x.shape
    design = np.hstack([np.ones((n, 1)), x])
    beta = np.zeros(k + 1)
    penalty = np.full(k + 1, RIDGE)
    penalty[0] = 0.0
    for _ in range(100):
        eta = design @ beta
        p = 1.0 / (1.0 + np.exp(-eta))
        grad = design.T @ (y - p) - penalty * beta
        hess = (design * (p * (1.0 - p))[:, None]).T @ design + np.diag(penalty)
        step = np.linalg.solve(hess, grad)
        beta = beta + step
        if np.max(np.abs(step)) < 1e-12:
            break
    else:
        sys.exit("logistic regression did not converge")
    return float(beta[0]), beta[1:]


# --------------------------------------------------------------------------- Rust output

def f(x: float) -> str:
    x = float(x)
    if not math.isfinite(x):
        sys.exit(f"non-finite figure {x}")
    s = repr(x)
    if x == 0.0:
        s = "0.0"  # no negative zero
    return s


def rs(s: str) -> str:
    out = []
    for ch in s:
        if ch == "\\":
            out.append("\\\\")
        elif ch == '"':
            out.append('\\"')
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\r":
            out.append("\\r")
        elif ch == "\t":
            out.append("\\t")
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\u{{{ord(ch):x}}}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def wrap(items: list[str], indent: str, per_line: int) -> str:
    lines = []
    for i in range(0, len(items), per_line):
        lines.append(indent + ", ".join(items[i:i + per_line]) + ",")
    return "\n".join(lines)


def pairs_str(pairs: list[tuple[str, float]]) -> str:
    return "&[" + ", ".join(f"({rs(a)}, {f(b)})" for a, b in pairs) + "]"


# --------------------------------------------------------------------------- main

def main() -> None:
    df = read_sample(SAMPLE)
    n_rows = len(df)
    columns = [c for c in df.columns if c not in ("SK_ID_CURR", "TARGET")]
    text_columns = [c for c in columns if is_text(df[c])]
    if len(text_columns) != 16:
        sys.exit(f"expected 16 text columns, found {len(text_columns)}")

    days_employed = df["DAYS_EMPLOYED"].to_numpy(dtype=np.float64)
    placeholder = days_employed == EMPLOYED_PLACEHOLDER
    days_employed_clean = np.where(placeholder, np.nan, days_employed)

    credit = df["AMT_CREDIT"].to_numpy(dtype=np.float64)
    goods_credit = df["AMT_GOODS_PRICE"].to_numpy(dtype=np.float64) / credit
    credit_term = df["AMT_ANNUITY"].to_numpy(dtype=np.float64) / credit

    # ---- marginals
    continuous, discrete, text = [], [], []
    for c in columns:
        s = df[c]
        missing = float(s.isna().mean())
        if c in text_columns:
            text.append((c, missing, label_frequencies(s.dropna())))
            continue
        values = s.dropna().to_numpy(dtype=np.float64)
        if c == "DAYS_EMPLOYED":
            values = values[values != EMPLOYED_PLACEHOLDER]
        if len(np.unique(values)) <= DISCRETE_MAX_DISTINCT:
            discrete.append((c, missing, frequencies_by_value(values)))
        else:
            integer = bool(pd.api.types.is_integer_dtype(s) or np.all(values == np.round(values)))
            continuous.append((c, missing, integer, quantiles(values)))
    for name, x in (("GOODS_CREDIT_RATIO", goods_credit), ("CREDIT_TERM", credit_term)):
        present = x[~np.isnan(x)]
        continuous.append((name, float(np.isnan(x).mean()), False, quantiles(present)))

    # ---- DAYS_EMPLOYED placeholder by income type
    income_type = df["NAME_INCOME_TYPE"]
    income_labels = [label for label, _ in next(t for t in text if t[0] == "NAME_INCOME_TYPE")[2]]
    placeholder_by_type = []
    for label in income_labels:
        rows = (income_type == label).to_numpy()
        placeholder_by_type.append((label, float(placeholder[rows].mean())))

    # ---- building statistics
    building = columns[columns.index(BUILDING_FIRST):columns.index(BUILDING_LAST) + 1]
    if len(building) != 47:
        sys.exit(f"expected 47 building columns, found {len(building)}")
    building_missing = df[building].isna().to_numpy()
    all_missing = building_missing.all(axis=1)
    building_all_missing = float(all_missing.mean())
    building_given_present = [float(x) for x in building_missing[~all_missing].mean(axis=0)]

    # ---- copula
    copula_source = {
        "CREDIT_TERM": credit_term,
        "GOODS_CREDIT_RATIO": goods_credit,
        "DAYS_EMPLOYED": days_employed_clean,
    }
    scores = np.column_stack([
        normal_scores(copula_source[c] if c in copula_source else df[c].to_numpy(dtype=np.float64))
        for c in COPULA_COLUMNS
    ])
    raw_corr = pairwise_correlation(scores)
    corr = repair_correlation(raw_corr)
    if not np.array_equal(corr, corr.T):
        sys.exit("copula correlation is not symmetric")
    np.linalg.cholesky(corr)  # raises if not positive definite
    raw_min_eig = float(np.linalg.eigvalsh((raw_corr + raw_corr.T) / 2).min())

    # ---- income type by age group
    birth = df["DAYS_BIRTH"].to_numpy(dtype=np.float64)
    edges = [float(x) for x in np.quantile(birth, np.linspace(0.1, 0.9, 9), method="linear")]
    group = np.searchsorted(np.array(edges), birth, side="left")  # birth <= edge0 -> 0, > edge8 -> 9
    income_by_age = [label_frequencies(income_type[group == g]) for g in range(10)]

    # ---- default model
    target = df["TARGET"].to_numpy(dtype=np.float64)
    num = lambda c: df[c].to_numpy(dtype=np.float64)  # noqa: E731
    ext1, ext3 = num("EXT_SOURCE_1"), num("EXT_SOURCE_3")
    predictors = {
        "EXT_SOURCE_1": ext1,
        "EXT_SOURCE_2": num("EXT_SOURCE_2"),
        "EXT_SOURCE_3": ext3,
        "EXT_SOURCE_1_MISSING": np.isnan(ext1).astype(np.float64),
        "EXT_SOURCE_3_MISSING": np.isnan(ext3).astype(np.float64),
        "AGE_YEARS": -birth / 365.25,
        "YEARS_EMPLOYED": np.nan_to_num(-days_employed_clean / 365.25, nan=0.0),
        "EMPLOYED_PLACEHOLDER": placeholder.astype(np.float64),
        "CREDIT_INCOME_RATIO": credit / num("AMT_INCOME_TOTAL"),
        "ANNUITY_INCOME_RATIO": num("AMT_ANNUITY") / num("AMT_INCOME_TOTAL"),
        "CREDIT_TERM": credit_term,
        "GOODS_CREDIT_RATIO": goods_credit,
        "HIGHER_EDUCATION": df["NAME_EDUCATION_TYPE"].isin(["Higher education", "Academic degree"])
        .to_numpy().astype(np.float64),
        "REGION_RATING_CLIENT_W_CITY": num("REGION_RATING_CLIENT_W_CITY"),
    }
    names, means, stds, zs = [], [], [], []
    for name, x in predictors.items():
        x = x.copy()
        x[np.isnan(x)] = np.nanmean(x)
        m, sd = float(x.mean()), float(x.std())
        names.append(name)
        means.append(m)
        stds.append(sd)
        zs.append((x - m) / sd)
    design = np.column_stack(zs)
    intercept, coefs = fit_logistic(design, target)
    model_auc = auc(design @ coefs + intercept, target)
    default_rate = float(target.mean())
    ext3_present = ~np.isnan(ext3)
    ext3_auc = auc(-ext3[ext3_present], target[ext3_present])

    # ---- write Rust
    out: list[str] = []
    w = out.append
    w("//! Calibration figures for the synthetic Home Credit portfolio.")
    w("//!")
    w("//! GENERATED by `tools/calibrate_synth.py` from the real sample")
    w("//! `application_train_sample_A.csv` (Kaggle \"Home Credit Default Risk\").")
    w("//! Figures only (quantiles, frequencies, correlations, coefficients): no row")
    w("//! of the sample is copied. The 0 % and 100 % quantiles are column minima and maxima.")
    w("//! Do not edit by hand: rerun `python3 tools/calibrate_synth.py` from the repository root.")
    w("")
    w("// Measured figures such as 0.7853 (a building column quantile) are not approximations of pi.")
    w("#![allow(clippy::approx_constant)]")
    w("")
    w("/// Number of probability levels of the quantile tables: 0 %, 1 %, ..., 100 %.")
    w("pub(super) const QUANTILE_LEVELS: usize = 101;")
    w("")
    w("/// A numeric column with many values, sampled through its quantiles.")
    w("pub(super) struct Continuous {")
    w("    /// Column name.")
    w("    pub name: &'static str,")
    w("    /// Share of missing values (0..1).")
    w("    pub missing: f64,")
    w("    /// Whether the column holds whole numbers only.")
    w("    pub integer: bool,")
    w("    /// Quantiles of the non-missing values at 0 %, 1 %, ..., 100 % (linear interpolation).")
    w("    pub quantiles: [f64; 101],")
    w("}")
    w("")
    w("/// A numeric column with few values (at most 30 distinct), sampled from its frequencies.")
    w("pub(super) struct Discrete {")
    w("    /// Column name.")
    w("    pub name: &'static str,")
    w("    /// Share of missing values (0..1).")
    w("    pub missing: f64,")
    w("    /// (value, probability among non-missing values), sorted by value.")
    w("    pub values: &'static [(f64, f64)],")
    w("}")
    w("")
    w("/// A text column, sampled from its label frequencies.")
    w("pub(super) struct Text {")
    w("    /// Column name.")
    w("    pub name: &'static str,")
    w("    /// Share of missing values (0..1).")
    w("    pub missing: f64,")
    w("    /// (label, probability among non-missing values), by decreasing frequency.")
    w("    pub labels: &'static [(&'static str, f64)],")
    w("}")
    w("")
    w("/// Numeric columns with more than 30 distinct values, in file order, then the pseudo-columns")
    w("/// GOODS_CREDIT_RATIO (AMT_GOODS_PRICE / AMT_CREDIT) and CREDIT_TERM (AMT_ANNUITY / AMT_CREDIT).")
    w("/// DAYS_EMPLOYED is summarised without its placeholder 365243 (see")
    w("/// `EMPLOYED_PLACEHOLDER_BY_INCOME_TYPE`).")
    w("pub(super) const CONTINUOUS: &[Continuous] = &[")
    for name, missing, integer, q in continuous:
        w("    Continuous {")
        w(f"        name: {rs(name)},")
        w(f"        missing: {f(missing)},")
        w(f"        integer: {'true' if integer else 'false'},")
        w("        quantiles: [")
        w(wrap([f(v) for v in q], "            ", 6))
        w("        ],")
        w("    },")
    w("];")
    w("")
    w("/// Numeric columns with at most 30 distinct values, in file order.")
    w("pub(super) const DISCRETE: &[Discrete] = &[")
    for name, missing, values in discrete:
        w("    Discrete {")
        w(f"        name: {rs(name)},")
        w(f"        missing: {f(missing)},")
        w("        values: &[")
        w(wrap([f"({f(v)}, {f(p)})" for v, p in values], "            ", 3))
        w("        ],")
        w("    },")
    w("];")
    w("")
    w("/// Text columns, in file order.")
    w("pub(super) const TEXT: &[Text] = &[")
    for name, missing, labels in text:
        w("    Text {")
        w(f"        name: {rs(name)},")
        w(f"        missing: {f(missing)},")
        w("        labels: &[")
        w(wrap([f"({rs(label)}, {f(p)})" for label, p in labels], "            ", 2))
        w("        ],")
        w("    },")
    w("];")
    w("")
    w("/// DAYS_EMPLOYED holds the placeholder 365243 (\"not employed\") for this share of clients")
    w("/// of each income type.")
    w("pub(super) const EMPLOYED_PLACEHOLDER_BY_INCOME_TYPE: &[(&str, f64)] = &[")
    for label, p in placeholder_by_type:
        w(f"    ({rs(label)}, {f(p)}),")
    w("];")
    w("")
    w("/// The building statistics columns (APARTMENTS_AVG ... EMERGENCYSTATE_MODE).")
    w("pub(super) const BUILDING_COLUMNS: &[&str] = &[")
    w(wrap([rs(c) for c in building], "    ", 4))
    w("];")
    w("")
    w("/// Share of clients for whom every building column is missing.")
    w(f"pub(super) const BUILDING_ALL_MISSING: f64 = {f(building_all_missing)};")
    w("")
    w("/// For clients with at least one building figure: the share missing of each building column")
    w("/// (same order).")
    w("pub(super) const BUILDING_MISSING_GIVEN_PRESENT: &[f64] = &[")
    w(wrap([f(x) for x in building_given_present], "    ", 4))
    w("];")
    w("")
    w("/// Columns of the Gaussian copula, in the order of `COPULA_CORRELATION`.")
    w(f"pub(super) const COPULA_COLUMNS: [&str; {len(COPULA_COLUMNS)}] = [")
    w(wrap([rs(c) for c in COPULA_COLUMNS], "    ", 4))
    w("];")
    w("")
    w("/// Correlation of normal scores (van der Waerden: Φ⁻¹(rank/(n+1)) per column), pairwise complete,")
    w("/// DAYS_EMPLOYED without its placeholder; repaired to be positive definite (eigenvalues clipped")
    w("/// at 1e-3, rescaled to unit diagonal).")
    k = len(COPULA_COLUMNS)
    w(f"pub(super) const COPULA_CORRELATION: [[f64; {k}]; {k}] = [")
    for i in range(k):
        w("    [")
        w(wrap([f(x) for x in corr[i]], "        ", 5))
        w("    ],")
    w("];")
    w("")
    w("/// DAYS_BIRTH deciles (10 % ... 90 %) that split clients into ten age groups.")
    w("pub(super) const AGE_DECILE_EDGES: [f64; 9] = [")
    w(wrap([f(x) for x in edges], "    ", 5))
    w("];")
    w("")
    w("/// NAME_INCOME_TYPE frequencies (label, probability) in each age group, youngest group LAST")
    w("/// because DAYS_BIRTH is negative: group 0 holds DAYS_BIRTH <= edge 0 (the oldest clients),")
    w("/// group i (1 ..= 8) holds edge i-1 < DAYS_BIRTH <= edge i, and group 9 holds")
    w("/// DAYS_BIRTH > edge 8 (the youngest). Labels by decreasing frequency; labels absent from a")
    w("/// group are left out.")
    w("pub(super) const INCOME_TYPE_BY_AGE_GROUP: [&[(&str, f64)]; 10] = [")
    for pairs in income_by_age:
        w("    &[")
        w(wrap([f"({rs(label)}, {f(p)})" for label, p in pairs], "        ", 2))
        w("    ],")
    w("];")
    w("")
    w("/// Logistic default model fitted on the real sample: (predictor, mean, standard deviation,")
    w("/// coefficient on the standardized predictor). The mean and the (population) standard")
    w("/// deviation are of the predictor after filling its missing values with its mean, so the mean")
    w("/// is also the value that fills a missing input. Predictors: EXT_SOURCE_1/2/3 (missing ->")
    w("/// mean), EXT_SOURCE_1_MISSING and EXT_SOURCE_3_MISSING (0/1), AGE_YEARS = -DAYS_BIRTH / 365.25,")
    w("/// YEARS_EMPLOYED = -DAYS_EMPLOYED / 365.25 (0 for the placeholder or missing),")
    w("/// EMPLOYED_PLACEHOLDER (0/1), CREDIT_INCOME_RATIO = AMT_CREDIT / AMT_INCOME_TOTAL,")
    w("/// ANNUITY_INCOME_RATIO = AMT_ANNUITY / AMT_INCOME_TOTAL, CREDIT_TERM = AMT_ANNUITY / AMT_CREDIT,")
    w("/// GOODS_CREDIT_RATIO = AMT_GOODS_PRICE / AMT_CREDIT, HIGHER_EDUCATION (0/1: \"Higher education\"")
    w("/// or \"Academic degree\"), REGION_RATING_CLIENT_W_CITY. P(default) = 1 / (1 + exp(-(intercept")
    w("/// + sum of coefficient * (x - mean) / sd))).")
    w("pub(super) const DEFAULT_MODEL: &[(&str, f64, f64, f64)] = &[")
    for name, m, sd, b in zip(names, means, stds, coefs):
        w(f"    ({rs(name)}, {f(m)}, {f(sd)}, {f(b)}),")
    w("];")
    w("")
    w("/// Intercept of the logistic default model.")
    w(f"pub(super) const DEFAULT_INTERCEPT: f64 = {f(intercept)};")
    w("")
    w("/// Share of clients with payment difficulties in the real sample.")
    w(f"pub(super) const REAL_DEFAULT_RATE: f64 = {f(default_rate)};")
    w("")
    w("/// AUC of EXT_SOURCE_3 alone (lower score = riskier, so AUC of -EXT_SOURCE_3 on rows where")
    w("/// present) in the real sample.")
    w(f"pub(super) const REAL_EXT_SOURCE_3_AUC: f64 = {f(ext3_auc)};")
    text_out = "\n".join(out) + "\n"

    OUTPUT.parent.mkdir(parents=True, exist_ok=True)
    OUTPUT.write_text(text_out, encoding="utf-8", newline="\n")

    # ---- report
    print(f"read {n_rows} rows x {df.shape[1]} columns from {SAMPLE}")
    print(f"CONTINUOUS {len(continuous)} (incl. 2 pseudo-columns), DISCRETE {len(discrete)}, TEXT {len(text)}")
    print(f"default rate {default_rate:.6f}; EXT_SOURCE_3 AUC {ext3_auc:.6f}; model in-sample AUC {model_auc:.6f}")
    print(f"copula: raw min eigenvalue {raw_min_eig:.6g}, max |repaired - raw| "
          f"{float(np.abs(corr - raw_corr).max()):.3g}, Cholesky OK")
    print(f"intercept {intercept:+.6f}")
    for name, b in zip(names, coefs):
        print(f"  {name:<28} {b:+.6f}")
    print(f"wrote {OUTPUT} ({OUTPUT.stat().st_size} bytes)")


if __name__ == "__main__":
    main()
