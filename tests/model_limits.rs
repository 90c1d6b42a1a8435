//! The limits the model parser enforces (see `pad::model`'s module doc): each is refused with
//! its line and the limit, and the largest model allowed is explained in bounded time.

mod common;

use std::sync::Arc;

use common::{chain_model, chain_model_over};
use pad::explain::{Explainer, Method};
use pad::model::{MAX_DEPTH, MAX_MODEL_BYTES, Model, ModelError};

fn parse_error(text: &str) -> String {
    match Model::parse(text) {
        Ok(_) => panic!("the model was accepted"),
        Err(error) => error.to_string(),
    }
}

#[test]
fn chain_shaped_trees_deeper_than_the_limit_are_refused_at_their_line() {
    // The shapes that once took 4.8 s for 20 rows (9,999) and asked for 160 GB (99,999).
    for depth in [MAX_DEPTH + 1, 9_999, 99_999] {
        let error = parse_error(&chain_model(depth, 1));
        // Line 11 is `Tree=0`: nine header lines and an empty one come first.
        assert!(error.starts_with("line 11: tree 0: "), "{error}");
        assert!(error.contains("more than 1000 splits below the root"), "{error}");
        assert!(error.contains("node 1000 is at depth 1000"), "{error}");
    }
}

#[test]
fn a_tree_at_the_depth_limit_is_explained_exactly() {
    let model = Arc::new(Model::parse(&chain_model(MAX_DEPTH, 1)).unwrap());
    assert_eq!(model.max_depth(), MAX_DEPTH);
    let row = [0.5, -0.5, 0.25, 0.0];
    // Every row reaches the last leaf, 1000 = 142·7 + 6: its value is 6 · 0.01.
    let raw = model.predict_raw(&row).unwrap();
    assert!((raw - 0.06).abs() < 1e-12, "{raw}");
    for method in [Method::Exact, Method::Fast] {
        let explained = Explainer::new(Arc::clone(&model), method).unwrap().explain(&row).unwrap();
        let total: f64 = explained.values.iter().sum::<f64>() + explained.expected_value;
        assert!((total - raw).abs() < 1e-9, "{method:?}: {total} vs {raw}");
    }
}

#[test]
fn too_much_treeshap_work_is_refused_at_the_tree_that_passes_it() {
    // A chain 999 deep has leaves at depths 1..=999 and one more at 999:
    // Σ d² = 999·1000·1999/6 + 999² = 332,833,500 + 998,001 = 333,831,501. The limit 2^30 =
    // 1,073,741,824 is passed by the 4th tree (3 trees: 1,001,494,503).
    let error = parse_error(&chain_model(999, 5));
    assert!(error.contains("tree 3: the model's leaves are too many and too deep"), "{error}");
    assert!(error.contains("1073741824, the limit"), "{error}");
    assert!(Model::parse(&chain_model(999, 3)).is_ok());
}

#[test]
fn paths_over_too_many_distinct_features_are_refused() {
    // 64 distinct features on the path: accepted and explained by the per-leaf method.
    let model = Arc::new(Model::parse(&chain_model_over(64, 1, 64)).unwrap());
    assert_eq!(Explainer::new(Arc::clone(&model), Method::Fast).unwrap().n_fast_trees(), 1);
    // 65 of 65, and 65 of 100 features (a chain 100 deep over 65 features repeats 35).
    for (depth, n_features) in [(65, 65), (100, 65)] {
        let error = parse_error(&chain_model_over(depth, 1, n_features));
        assert!(
            error
                .contains("line 11: tree 0: a path from the root splits on 65 distinct features, over the limit of 64"),
            "{error}"
        );
    }
}

#[test]
fn more_leaves_than_lightgbm_allows_are_refused() {
    let text = chain_model(3, 1).replace("num_leaves=4", "num_leaves=131073");
    let error = parse_error(&text);
    assert!(error.contains("line 12: tree 0: num_leaves=131073 must be between 1 and 131072, the limit"), "{error}");
}

#[test]
fn a_model_file_over_the_size_limit_is_refused_unread() {
    let file = tempfile::NamedTempFile::new().unwrap();
    // A sparse file: nothing is written, and nothing must be read.
    file.as_file().set_len(MAX_MODEL_BYTES + 1).unwrap();
    match Model::from_path(file.path()) {
        Err(error @ ModelError::TooLarge { .. }) => {
            assert!(error.to_string().contains("larger than 1024 MiB"), "{error}")
        }
        other => panic!("{other:?}"),
    }
}
