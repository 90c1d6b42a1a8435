//! The Prêt à dépenser credit desk: LightGBM scoring and exact TreeSHAP explanations.
//!
//! # Module map
//!
//! - [`model`]: the LightGBM text-model parser and an evaluator equal to LightGBM's own.
//! - [`explain`]: exact path-dependent TreeSHAP (equal to LightGBM's `pred_contrib`), a fast
//!   tabulated variant, and the probability-points view of contributions.
//! - [`data`]: client tables (CSV with the Kaggle quoting repair) into model inputs.
//! - [`domain`]: plain types shared by every front end (decision, threshold, feature schema).
//! - [`evaluation`]: AUC, business cost, the cost-optimal threshold, stratified folds.
//! - [`scoring`]: the [`scoring::Scorer`] trait front ends score through, and
//!   [`scoring::LocalScorer`] (model, applicants and reference population in process).
//! - [`charts`]: plotters charts (the only user of plotters): PNG and SVG files and RGB
//!   buffers, with a shipped font.
//! - [`export`]: the customer sheet (Markdown and a PNG chart) of one decision.
//! - [`drift`]: data drift between a reference population and current applicants (PSI,
//!   Kolmogorov–Smirnov, chi-squared), ranked by the model's global importance.
//! - [`fairness`]: the model's decisions by sex, age band, family status and children
//!   (approval, error rates, calibration, gaps to the favoured group with bootstrap
//!   intervals) and the features that stand in for those attributes.
//! - [`api`]: the scoring API (`pad serve`, axum), and [`remote`]: the `Scorer` trait over it
//!   (reqwest), for the dashboard's remote mode; [`remote_journal`]: decisions recorded through it.
//! - [`registry`]: MLflow's tracking server and Model Registry (REST, reqwest): model URIs
//!   fetched into a local cache, training runs recorded, versions registered and promoted.
//! - [`tui`]: the terminal dashboard (ratatui, crossterm, tokio; The Elm Architecture): tabs and
//!   overlays as components, every key from a user-editable keymap (`keys.toml`).
//! - `train` (cargo feature `train`): LightGBM training, cross-validation, the model card.
//! - [`cli`], [`config`], [`commands`]: the `pad` command line.
//! - [`journal`]: the decision journal (sqlx: SQLite or PostgreSQL), append-only and hash-chained;
//!   [`journal::evidence`]: its RFC 9162 Merkle tree, signed checkpoints and proofs.
//! - [`files`]: writing a file whole or not at all, replacing only a regular file (used by
//!   every module that writes one).
//!
//! # Dependency rules
//!
//! `domain <- model <- explain <- scoring <- tui <- commands`; `data` depends only on `domain`
//! (it receives the model's needs as a [`domain::FeatureSchema`]) and on `files`, a leaf. `cli` holds raw arguments,
//! `config` checks them, and only `commands` prints. Only `tui` uses ratatui and crossterm,
//! only `api` uses axum, and the dashboard knows scores only through the `Scorer` trait. `api`
//! and `tui` never use each other; `remote` reads the API's DTOs. `tests/architecture.rs`
//! checks these rules: a table of the top-level modules each may import, the crates only one
//! module may name (polars: `data`; ratatui and crossterm: `tui`; axum: `api`; plotters:
//! `charts`), and the edges still outside them, each with its reason.

#![forbid(unsafe_code)]
#![warn(missing_docs)]
#![deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used, clippy::panic))]

pub mod api;
pub mod charts;
pub mod cli;
pub mod commands;
pub mod config;
pub mod data;
pub mod domain;
pub mod drift;
pub mod error;
pub mod evaluation;
pub mod explain;
pub mod export;
pub mod fairness;
pub mod files;
pub mod journal;
pub mod model;
pub mod registry;
pub mod remote;
pub mod remote_journal;
pub mod scoring;
#[cfg(feature = "train")]
pub mod train;
pub mod tui;
