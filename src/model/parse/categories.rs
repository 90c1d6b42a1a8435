//! Text categories in the model file: the `pandas_categorical` trailer line, the
//! `categorical_feature` parameter, and which feature gets which list.

use crate::domain::schema::ColumnKind;
use crate::model::{CategoryLabel, FeatureInfo, ParseError};

pub(super) fn parse_pandas_categorical(
    json: &str,
    line_no: usize,
) -> Result<Option<Vec<Vec<CategoryLabel>>>, ParseError> {
    let bad = |what: String| ParseError::new(line_no, format!("pandas_categorical {what}"));
    let value: serde_json::Value =
        serde_json::from_str(json).map_err(|error| bad(format!("is not valid JSON: {error}")))?;
    let lists = match value {
        serde_json::Value::Null => return Ok(None),
        serde_json::Value::Array(lists) => lists,
        _ => return Err(bad("must be null or a list of category lists".into())),
    };
    let mut out = Vec::with_capacity(lists.len());
    for (position, list) in lists.into_iter().enumerate() {
        let serde_json::Value::Array(labels) = list else {
            return Err(bad(format!("entry {position} is not a list of categories")));
        };
        let labels = labels
            .into_iter()
            .map(|label| match label {
                serde_json::Value::String(text) => Ok(CategoryLabel::Text(text)),
                serde_json::Value::Number(number) => number
                    .as_f64()
                    .map(CategoryLabel::Number)
                    .ok_or_else(|| bad(format!("entry {position} holds an unreadable number"))),
                serde_json::Value::Bool(flag) => Ok(CategoryLabel::Text(if flag { "True" } else { "False" }.into())),
                other => Err(bad(format!("entry {position} holds `{other}`, not a category label"))),
            })
            .collect::<Result<Vec<_>, _>>()?;
        out.push(labels);
    }
    Ok(Some(out))
}

/// Indices listed in `[categorical_feature: …]`, if the list holds plain indices.
fn categorical_parameter(parameters: &[(String, String)]) -> Option<Vec<usize>> {
    let (_, value) = parameters.iter().find(|(key, _)| key == "categorical_feature")?;
    if value.trim().is_empty() {
        return Some(Vec::new());
    }
    value.split(',').map(|index| index.trim().parse::<usize>().ok()).collect()
}

pub(super) fn categorical_flags(infos: &[FeatureInfo], parameters: &[(String, String)]) -> Vec<bool> {
    let mut flags: Vec<bool> = infos.iter().map(|info| matches!(info, FeatureInfo::Categorical(_))).collect();
    for index in categorical_parameter(parameters).unwrap_or_default() {
        if let Some(flag) = flags.get_mut(index) {
            *flag = true;
        }
    }
    flags
}

/// Gives each pandas category list to its feature. The Python package writes one list per
/// pandas categorical column, in DataFrame order; those columns are the model's categorical
/// features (from `[categorical_feature: …]`, or else from `feature_infos`), or, for a model
/// without categorical features, its features that are text columns of the application table.
pub(super) fn assign_pandas_categories(
    pandas: Option<(usize, Vec<Vec<CategoryLabel>>)>,
    infos: &[FeatureInfo],
    parameters: &[(String, String)],
    names: &[String],
) -> Result<Vec<Option<Vec<CategoryLabel>>>, ParseError> {
    let mut categories = vec![None; infos.len()];
    let Some((line_no, lists)) = pandas else {
        return Ok(categories);
    };
    if lists.is_empty() {
        return Ok(categories);
    }
    let from_parameter = categorical_parameter(parameters).filter(|indices| indices.len() == lists.len());
    let from_infos: Vec<usize> = infos
        .iter()
        .enumerate()
        .filter(|(_, info)| matches!(info, FeatureInfo::Categorical(_)))
        .map(|(index, _)| index)
        .collect();
    // Text columns fed as ordinal codes (as `pad train` does) are numeric to LightGBM: their
    // lists go, as the Python package gives them to a DataFrame's category columns, to the
    // features that are text columns of the application table, in model order.
    let from_names: Vec<usize> = names
        .iter()
        .enumerate()
        .filter(|(_, name)| matches!(crate::domain::schema::column_kind(name), Some(ColumnKind::Text)))
        .map(|(index, _)| index)
        .collect();
    let indices = match from_parameter {
        Some(indices) => indices,
        None if from_infos.len() == lists.len() => from_infos,
        None if from_infos.is_empty() && from_names.len() == lists.len() => from_names,
        None => {
            return Err(ParseError::new(
                line_no,
                format!(
                    "pandas_categorical has {} category lists but the model has {} categorical features \
                     ({} text columns of the application table): cannot tell which column each list belongs to",
                    lists.len(),
                    from_infos.len(),
                    from_names.len()
                ),
            ));
        }
    };
    for (index, labels) in indices.into_iter().zip(lists) {
        let Some(slot) = categories.get_mut(index) else {
            return Err(ParseError::new(
                line_no,
                format!("categorical_feature index {index} is beyond the {} features", names.len()),
            ));
        };
        *slot = Some(labels);
    }
    Ok(categories)
}
