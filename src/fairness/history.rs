//! The fairness of a model's decisions on a table of clients with known outcomes: the model
//! scores every client, [`super::assess`] each sensitive attribute's groups, and
//! [`super::proxies`] finds the features that stand in for them.
//!
//! Uses: data, domain, model.

use std::path::Path;

use rayon::prelude::*;

use super::proxies::{AttributeGroups, FeatureColumn, Proxy, proxies};
use super::{
    AttributeReport, Grouping, Outcomes, Verdict, age_bands, assess, count_groups, number_groups, text_groups,
};
use crate::data::completeness::CompletenessPolicy;
use crate::data::policy::{FairnessBounds, ReasonPolicy};
use crate::data::{ClientTable, DataError, FeatureMatrix};
use crate::domain::FeatureSchema;
use crate::model::Model;

/// What stops an assessment; each names the file and the column.
#[derive(Debug, thiserror::Error)]
pub enum FairnessError {
    /// The table has no outcomes.
    #[error(
        "{0}: no TARGET column: fairness needs clients with known outcomes (TARGET 1 = payment difficulties, 0 = repaid), such as the training history"
    )]
    NoTarget(std::path::PathBuf),
    /// An outcome is neither 0 nor 1.
    #[error("{path}: {location}: TARGET is {value}, expected 0 (repaid) or 1 (payment difficulties)")]
    BadTarget {
        /// The file.
        path: std::path::PathBuf,
        /// Where.
        location: String,
        /// The value.
        value: f64,
    },
    /// An attribute's column is not in the table.
    #[error(
        "{path}: no column `{column}`: the attribute cannot be measured (name a column of the file with --attribute)"
    )]
    MissingColumn {
        /// The file.
        path: std::path::PathBuf,
        /// The column.
        column: String,
    },
    /// An attribute's column has no value at all.
    #[error("{path}: column `{column}` ({attribute}) has no value in any row: nothing to measure")]
    EmptyColumn {
        /// The file.
        path: std::path::PathBuf,
        /// The column.
        column: String,
        /// The attribute.
        attribute: String,
    },
    /// The table could not be read or mapped onto the model's features.
    #[error(transparent)]
    Data(#[from] DataError),
}

/// Everything `pad fairness` found.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct FairnessReport {
    /// Clients assessed.
    pub rows: usize,
    /// The decision threshold.
    pub threshold: f64,
    /// The model version.
    pub model_version: String,
    /// The version of the policy whose bounds were checked.
    pub policy_version: String,
    /// The bounds.
    pub bounds: FairnessBounds,
    /// One report per attribute.
    pub attributes: Vec<AttributeReport>,
    /// Every model feature's strength as a proxy of each attribute, strongest first.
    pub proxies: Vec<Proxy>,
}

impl FairnessReport {
    /// Whether some group's interval lies wholly beyond a bound.
    pub fn crossed(&self) -> bool {
        self.attributes.iter().flat_map(|attribute| &attribute.groups).any(|group| group.verdict == Verdict::Crossed)
    }
}

/// What an assessment needs besides the table.
#[derive(Debug, Clone, Copy)]
pub struct Assessment<'a> {
    /// The model.
    pub model: &'a Model,
    /// Its inputs.
    pub schema: &'a FeatureSchema,
    /// The decision threshold.
    pub threshold: f64,
    /// The model version, for the report.
    pub model_version: &'a str,
    /// The policy: its version and bounds.
    pub policy: &'a ReasonPolicy,
    /// Columns assessed besides the four of the policy's grounds.
    pub extra_attributes: &'a [String],
}

/// How long each step took, for `--timing`.
#[derive(Debug, Clone, Copy, Default)]
pub struct Timings {
    /// Mapping and scoring.
    pub score: std::time::Duration,
    /// Groups and bootstrap.
    pub groups: std::time::Duration,
    /// Proxies.
    pub proxies: std::time::Duration,
}

/// Assesses the model's decisions on `table` (read from `path`), which is let go as soon as
/// the model's inputs are read from it.
pub fn assess_table(
    assessment: &Assessment<'_>,
    table: ClientTable,
    path: &Path,
) -> Result<(FairnessReport, Timings), FairnessError> {
    let mut timings = Timings::default();
    let start = std::time::Instant::now();
    let Some(targets) = table.numeric(crate::data::schema::TARGET_COLUMN) else {
        return Err(FairnessError::NoTarget(path.to_path_buf()));
    };
    let targets: Vec<u8> = crate::evaluation::outcomes(&targets).map_err(|_| {
        let row = targets.iter().position(|value| *value != 0.0 && *value != 1.0).unwrap_or(0);
        FairnessError::BadTarget {
            path: path.to_path_buf(),
            location: table.location(row),
            value: targets.get(row).copied().unwrap_or(f64::NAN),
        }
    })?;
    let schema = assessment.schema;
    let policy = assessment.policy;
    let groupings = groupings(&table, path, schema, policy, assessment.extra_attributes)?;
    let matrix = FeatureMatrix::from_table(&table, schema)?;
    drop(table);
    let n_features = matrix.n_features().max(1);
    let model = assessment.model;
    let probabilities: Vec<f64> =
        matrix.values().par_chunks(n_features).map(|row| model.predict_probability(row).unwrap_or(f64::NAN)).collect();
    timings.score = start.elapsed();
    let outcomes = Outcomes { targets: &targets, probabilities: &probabilities, threshold: assessment.threshold };
    let attributes: Vec<AttributeReport> =
        groupings.iter().map(|grouping| assess(grouping, outcomes, &policy.fairness)).collect();
    timings.groups = start.elapsed() - timings.score;
    // The used features' columns, then the rows are let go.
    let columns: Vec<Vec<f64>> = (0..matrix.n_features())
        .into_par_iter()
        .map(|feature| match model.uses_feature(feature) {
            true => matrix.values().iter().skip(feature).step_by(n_features).copied().collect(),
            false => Vec::new(),
        })
        .collect();
    drop(matrix);
    let feature_columns: Vec<FeatureColumn<'_>> = schema
        .features
        .iter()
        .zip(&columns)
        .enumerate()
        .filter(|(feature, _)| model.uses_feature(*feature))
        .map(|(_, (spec, values))| FeatureColumn { name: &spec.name, categorical: spec.labels.is_some(), values })
        .collect();
    // The attribute's own column (and what is computed from it) is no proxy of itself.
    let own: Vec<Vec<&str>> = groupings
        .iter()
        .map(|grouping| {
            feature_columns
                .iter()
                .map(|column| column.name)
                .filter(|name| {
                    *name == grouping.column
                        || crate::data::pipeline::inputs_of(name)
                            .is_some_and(|inputs| inputs.contains(&grouping.column.as_str()))
                })
                .collect()
        })
        .collect();
    let attribute_groups: Vec<AttributeGroups<'_>> = groupings
        .iter()
        .zip(&own)
        .map(|(grouping, own)| AttributeGroups {
            column: &grouping.column,
            names: &grouping.names,
            groups: &grouping.groups,
            own,
        })
        .collect();
    let found = proxies(&feature_columns, &attribute_groups, policy.fairness.proxy_auc);
    timings.proxies = start.elapsed() - timings.score - timings.groups;
    let report = FairnessReport {
        rows: targets.len(),
        threshold: assessment.threshold,
        model_version: assessment.model_version.to_string(),
        policy_version: policy.version.clone(),
        bounds: policy.fairness.clone(),
        attributes,
        proxies: found,
    };
    Ok((report, timings))
}

/// The attributes assessed: sex, age band, family status, children, then each `--attribute`.
fn groupings(
    table: &ClientTable,
    path: &Path,
    schema: &FeatureSchema,
    policy: &ReasonPolicy,
    asked: &[String],
) -> Result<Vec<Grouping>, FairnessError> {
    let unknown = CompletenessPolicy::bundled()?.unknown_values;
    let read = crate::data::completeness::raw_inputs(schema);
    let used = |column: &str| read.iter().any(|name| name == column);
    let missing_column =
        |column: &str| FairnessError::MissingColumn { path: path.to_path_buf(), column: column.to_string() };
    let mut groupings = Vec::new();
    let mut push = |attribute: &str,
                    column: &str,
                    (names, groups): (Vec<String>, Vec<Option<u32>>)|
     -> Result<(), FairnessError> {
        if groups.iter().all(Option::is_none) {
            return Err(FairnessError::EmptyColumn {
                path: path.to_path_buf(),
                column: column.to_string(),
                attribute: attribute.to_string(),
            });
        }
        groupings.push(Grouping {
            attribute: attribute.to_string(),
            column: column.to_string(),
            used_by_model: used(column),
            names,
            groups,
        });
        Ok(())
    };
    let text = |column: &str| -> Result<(Vec<String>, Vec<Option<u32>>), FairnessError> {
        let values = table.text(column).ok_or_else(|| missing_column(column))?;
        Ok(text_groups(&values, unknown.get(column).map(Vec::as_slice).unwrap_or_default()))
    };
    let number = |column: &str| table.numeric(column).ok_or_else(|| missing_column(column));
    push("sex", "CODE_GENDER", text("CODE_GENDER")?)?;
    push("age band", "DAYS_BIRTH", age_bands(&number("DAYS_BIRTH")?, &policy.fairness.age_bands))?;
    push("family status", "NAME_FAMILY_STATUS", text("NAME_FAMILY_STATUS")?)?;
    push("children", "CNT_CHILDREN", count_groups(&number("CNT_CHILDREN")?, 3))?;
    for column in asked {
        let groups = match table.text(column) {
            Some(_) => text(column)?,
            None => number_groups(&number(column)?, 12),
        };
        push(column, column, groups)?;
    }
    Ok(groupings)
}
