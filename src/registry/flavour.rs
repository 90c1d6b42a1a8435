//! What an MLflow model folder holds: its `MLmodel` file names the flavours it was saved with,
//! and the `lightgbm` flavour the file of the model. `mlflow.lightgbm.log_model` saves a
//! `Booster` as LightGBM's own text (`model.lgb`) and an `LGBMClassifier` as a Python pickle
//! (`model.pkl`) whose booster state holds the same text: it is read from the pickle's values,
//! never executed. `pad train` logs `model.txt` with an `MLmodel` of the same flavour, so that
//! Python reads `pad`'s models too.

use serde_pickle::{DeOptions, HashableValue, Value};
use yaml_rust2::{Yaml, YamlLoader};

/// The lightgbm flavour of an `MLmodel` file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LightgbmFlavour {
    /// The model file, relative to the model folder.
    pub data: String,
    /// The Python class saved (`lightgbm.basic.Booster`, `lightgbm.sklearn.LGBMClassifier`...).
    pub model_class: String,
}

/// How the model file of the flavour is stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Storage {
    /// LightGBM's text format.
    Text,
    /// A pickled scikit-learn estimator holding a booster.
    Pickle,
    /// A skops archive of a scikit-learn estimator holding a booster.
    Skops,
}

impl LightgbmFlavour {
    /// How [`LightgbmFlavour::data`] is stored.
    pub fn storage(&self) -> Storage {
        if self.data.ends_with(".skops") {
            Storage::Skops
        } else if self.data.ends_with(".pkl") || self.data.ends_with(".pickle") {
            Storage::Pickle
        } else {
            Storage::Text
        }
    }
}

/// Largest `schema.json` read from a skops archive.
const MAX_SKOPS_SCHEMA_BYTES: u64 = 1 << 30;

/// The LightGBM text model inside a skops archive: its `schema.json` describes the estimator's
/// state, where the booster's `_handle` is a JSON node whose content is the model text.
pub fn model_text_from_skops(bytes: &[u8]) -> Result<String, String> {
    use std::io::Read;
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes))
        .map_err(|error| format!("its skops model is not a zip archive: {error}"))?;
    let schema = archive.by_name("schema.json").map_err(|_| "its skops model has no schema.json".to_string())?;
    let mut text = String::new();
    schema
        .take(MAX_SKOPS_SCHEMA_BYTES)
        .read_to_string(&mut text)
        .map_err(|error| format!("its skops schema.json cannot be read: {error}"))?;
    let schema: serde_json::Value =
        serde_json::from_str(&text).map_err(|error| format!("its skops schema.json is not JSON: {error}"))?;
    let mut found = None;
    find_in_json(&schema, &mut found, 0);
    found.ok_or_else(|| "its skops model holds no LightGBM booster (no model text found in it)".to_string())
}

fn find_in_json(value: &serde_json::Value, found: &mut Option<String>, depth: usize) {
    if found.is_some() || depth > MAX_NESTING {
        return;
    }
    match value {
        serde_json::Value::String(text) => {
            if is_model_text(text) {
                *found = Some(text.clone());
            } else if text.starts_with("\"tree") {
                // A JSON node's content: the value itself, JSON-encoded.
                if let Ok(serde_json::Value::String(inner)) = serde_json::from_str(text)
                    && is_model_text(&inner)
                {
                    *found = Some(inner);
                }
            }
        }
        serde_json::Value::Array(items) => items.iter().for_each(|item| find_in_json(item, found, depth + 1)),
        serde_json::Value::Object(map) => map.values().for_each(|item| find_in_json(item, found, depth + 1)),
        _ => {}
    }
}

/// Reads the lightgbm flavour of an `MLmodel` file; the error names the flavours found instead.
pub fn lightgbm_flavour(mlmodel: &str) -> Result<LightgbmFlavour, String> {
    let documents =
        YamlLoader::load_from_str(mlmodel).map_err(|error| format!("its MLmodel file is not YAML: {error}"))?;
    let document = documents.first().ok_or("its MLmodel file is empty")?;
    let flavours = &document["flavors"];
    let Yaml::Hash(map) = flavours else {
        return Err("its MLmodel file lists no flavours".into());
    };
    let lightgbm = &flavours["lightgbm"];
    if lightgbm.is_badvalue() {
        let names: Vec<String> = map
            .keys()
            .filter_map(|key| key.as_str())
            .filter(|name| *name != "python_function")
            .map(str::to_string)
            .collect();
        let names = if names.is_empty() { vec!["python_function".to_string()] } else { names };
        return Err(format!(
            "a model of flavour {} is not a LightGBM model; pad reads models logged with mlflow.lightgbm \
             (a Booster or an LGBMClassifier) or by pad train",
            names.join(", ")
        ));
    }
    let data = lightgbm["data"].as_str().unwrap_or("model.lgb").to_string();
    if data.split('/').any(|part| part.is_empty() || part == "." || part == "..") {
        return Err(format!("its MLmodel names the model file `{data}`, outside the model folder"));
    }
    let model_class = lightgbm["model_class"].as_str().unwrap_or("lightgbm.basic.Booster").to_string();
    Ok(LightgbmFlavour { data, model_class })
}

/// The LightGBM text model inside a pickled estimator (LightGBM's `Booster.__getstate__` keeps
/// the model as its text).
pub fn model_text_from_pickle(bytes: &[u8]) -> Result<String, String> {
    let options = DeOptions::new().replace_unresolved_globals().keep_restore_state().replace_recursive_structures();
    let value = serde_pickle::value_from_slice(bytes, options)
        .map_err(|error| format!("its pickled model cannot be read: {error}"))?;
    let mut found = None;
    find_model_text(&value, &mut found, 0);
    found.ok_or_else(|| "its pickled model holds no LightGBM booster (no model text found in it)".to_string())
}

/// Deepest nesting searched (an estimator's state is a few levels deep).
const MAX_NESTING: usize = 64;

fn find_model_text(value: &Value, found: &mut Option<String>, depth: usize) {
    if found.is_some() || depth > MAX_NESTING {
        return;
    }
    match value {
        Value::String(text) if is_model_text(text) => *found = Some(text.clone()),
        Value::Bytes(bytes) => {
            if let Ok(text) = std::str::from_utf8(bytes)
                && is_model_text(text)
            {
                *found = Some(text.to_string());
            }
        }
        Value::List(items) | Value::Tuple(items) => {
            for item in items {
                find_model_text(item, found, depth + 1);
            }
        }
        Value::Dict(map) => {
            for (key, item) in map {
                if let HashableValue::String(text) = key
                    && is_model_text(text)
                {
                    *found = Some(text.clone());
                }
                find_model_text(item, found, depth + 1);
            }
        }
        _ => {}
    }
}

fn is_model_text(text: &str) -> bool {
    text.starts_with("tree\nversion=") || text.starts_with("tree\r\nversion=")
}

/// The `MLmodel` file `pad train` logs beside `model.txt`: the lightgbm flavour (a `Booster`)
/// and the generic Python one, so that `mlflow.lightgbm.load_model` and `mlflow.pyfunc` read it.
pub fn mlmodel_for_text_model(run_id: &str, created_utc: &str, model_uuid: &str) -> String {
    format!(
        "artifact_path: model\n\
         flavors:\n\
         \x20 lightgbm:\n\
         \x20   code: null\n\
         \x20   data: model.txt\n\
         \x20   model_class: lightgbm.basic.Booster\n\
         \x20 python_function:\n\
         \x20   data: model.txt\n\
         \x20   loader_module: mlflow.lightgbm\n\
         \x20   python_version: 3.11.0\n\
         mlflow_version: 3.0.0\n\
         model_uuid: {model_uuid}\n\
         run_id: {run_id}\n\
         utc_time_created: '{created_utc}'\n"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flavours() {
        let booster = "flavors:\n  lightgbm:\n    data: model.lgb\n    model_class: lightgbm.basic.Booster\n  python_function:\n    loader_module: mlflow.lightgbm\n";
        let flavour = lightgbm_flavour(booster).unwrap();
        assert_eq!(flavour.data, "model.lgb");
        assert_eq!(flavour.storage(), Storage::Text);
        let classifier =
            "flavors:\n  lightgbm:\n    data: model.pkl\n    model_class: lightgbm.sklearn.LGBMClassifier\n";
        assert_eq!(lightgbm_flavour(classifier).unwrap().storage(), Storage::Pickle);
        let skops = "flavors:\n  lightgbm:\n    data: model.skops\n    serialization_format: skops\n";
        assert_eq!(lightgbm_flavour(skops).unwrap().storage(), Storage::Skops);
        let sklearn = "flavors:\n  python_function:\n    loader_module: mlflow.sklearn\n  sklearn:\n    pickled_model: model.pkl\n";
        let error = lightgbm_flavour(sklearn).unwrap_err();
        assert!(error.contains("flavour sklearn"), "{error}");
        let escape = "flavors:\n  lightgbm:\n    data: ../../etc/passwd\n";
        assert!(lightgbm_flavour(escape).unwrap_err().contains("outside"));
        assert!(lightgbm_flavour("a: [").is_err());
        assert!(lightgbm_flavour("").is_err());
        let ours = mlmodel_for_text_model("abc", "2026-12-02 00:00:00", "u1");
        assert_eq!(lightgbm_flavour(&ours).unwrap().data, "model.txt");
    }

    #[test]
    fn model_text_in_a_pickle() {
        // protocol 2 by hand: PROTO 2, EMPTY_DICT, BINUNICODE "_handle", BINUNICODE model, SETITEM, STOP.
        let model = "tree\nversion=v4\n";
        let mut bytes = vec![0x80, 2, b'}'];
        for text in ["_handle", model] {
            bytes.push(b'X');
            bytes.extend_from_slice(&(text.len() as u32).to_le_bytes());
            bytes.extend_from_slice(text.as_bytes());
        }
        bytes.extend_from_slice(b"s.");
        assert_eq!(model_text_from_pickle(&bytes).unwrap(), model);
        // A pickle without a booster, and bytes that are no pickle.
        assert!(model_text_from_pickle(&[0x80, 2, b'}', b'.']).unwrap_err().contains("no LightGBM booster"));
        assert!(model_text_from_pickle(b"not a pickle").is_err());
    }
}
