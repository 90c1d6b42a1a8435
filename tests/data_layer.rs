//! The data layer: loading real and synthetic tables, their checks, the derived features,
//! the labels, and the realism and reproducibility of the synthetic portfolio.

mod common;

use std::path::{Path, PathBuf};

use pad::data::labels::Labels;
use pad::data::pipeline::DERIVED_FEATURES;
use pad::data::synth::{SynthOptions, generate, write};
use pad::data::{ClientTable, FeatureMatrix};
use pad::domain::{FeatureSchema, FeatureSpec};

fn write_file(dir: &Path, name: &str, contents: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, contents).unwrap();
    path
}

fn error_of(path: &Path) -> String {
    ClientTable::load(path).err().map(|error| error.to_string()).unwrap_or_else(|| "loaded".into())
}

fn numeric_schema(names: &[&str]) -> FeatureSchema {
    FeatureSchema {
        features: names.iter().map(|name| FeatureSpec { name: name.to_string(), labels: None, used: true }).collect(),
        clean_days_employed: true,
    }
}

#[test]
fn the_real_sample_loads_with_kaggle_types() {
    let Some(sample) = common::real_sample() else { return };
    let table = ClientTable::load(&sample).unwrap();
    assert_eq!(table.n_rows(), 6999);
    assert_eq!(table.column_names().len(), 122);
    assert_eq!(table.repaired_lines(), 1667);
    let ids = table.ids().unwrap();
    assert_eq!((ids[0], ids[6998]), (100002, 108149), "PROVENANCE.md: ids 100002 to 108149");
    let targets = table.numeric("TARGET").unwrap();
    assert_eq!(targets.iter().sum::<f64>(), 540.0, "PROVENANCE.md: 540 defaults");
    // A text column stays text, a numeric column with empty fields reads them as missing.
    assert!(table.is_text("NAME_CONTRACT_TYPE"));
    assert!(table.numeric("EXT_SOURCE_1").unwrap().iter().any(|v| v.is_nan()));
    // The repaired rows keep their comma inside the value.
    assert!(table.text("WALLSMATERIAL_MODE").unwrap().iter().flatten().any(|wall| wall == "Stone, brick"));
}

#[test]
fn duplicate_and_missing_ids_are_named_with_their_lines() {
    let dir = tempfile::tempdir().unwrap();
    let path = write_file(dir.path(), "clients.csv", "SK_ID_CURR,AMT_CREDIT\n5,1.0\n6,2.0\n5,3.0\n");
    assert_eq!(error_of(&path), format!("{}: client id 5 appears twice (line 2 and line 4)", path.display()));
    let path = write_file(dir.path(), "noid.csv", "SK_ID_CURR,AMT_CREDIT\n5,1.0\n,2.0\n");
    assert_eq!(error_of(&path), format!("{}: line 3: the client id SK_ID_CURR is empty", path.display()));
}

#[test]
fn values_that_do_not_fit_their_column_are_named() {
    let dir = tempfile::tempdir().unwrap();
    let path = write_file(dir.path(), "clients.csv", "SK_ID_CURR,CNT_CHILDREN,AMT_CREDIT\n1,0,1.5\n2,1.5,2.0\n");
    assert_eq!(
        error_of(&path),
        format!("{}: line 3, column `CNT_CHILDREN`: `1.5` is not a whole number", path.display())
    );
    let path = write_file(dir.path(), "text.csv", "SK_ID_CURR,CNT_CHILDREN,AMT_CREDIT\r\n1,0,1.5\r\n2,1,a lot\r\n");
    assert_eq!(error_of(&path), format!("{}: line 3, column `AMT_CREDIT`: `a lot` is not a number", path.display()));
    let path = write_file(dir.path(), "short.csv", "SK_ID_CURR,CNT_CHILDREN,AMT_CREDIT\r\n1,0,1.5\r\n2,1\r\n");
    assert_eq!(error_of(&path), format!("{}: line 3: 2 fields where the header has 3", path.display()));
    let path = write_file(dir.path(), "empty.csv", "");
    assert!(error_of(&path).contains("the file is empty"));
    let path = write_file(dir.path(), "broken.parquet", "PAR1 not really");
    assert!(error_of(&path).contains("not a readable Parquet file"), "{}", error_of(&path));
}

#[test]
fn a_model_feature_without_its_column_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let path = write_file(dir.path(), "clients.csv", "SK_ID_CURR,AMT_CREDIT\n1,1000\n");
    let table = ClientTable::load(&path).unwrap();
    // CREDIT_INCOME_RATIO needs AMT_INCOME_TOTAL, which is absent.
    let error =
        FeatureMatrix::from_table(&table, &numeric_schema(&["AMT_CREDIT", "CREDIT_INCOME_RATIO", "EXT_SOURCE_2"]))
            .err()
            .map(|error| error.to_string())
            .unwrap_or_default();
    assert!(error.ends_with("no column for the model feature(s) AMT_INCOME_TOTAL, EXT_SOURCE_2; the model needs them (columns are matched by name)"), "{error}");
}

#[test]
fn derived_features_are_computed_from_their_columns() {
    let dir = tempfile::tempdir().unwrap();
    let path = write_file(
        dir.path(),
        "clients.csv",
        "SK_ID_CURR,AMT_INCOME_TOTAL,AMT_CREDIT,AMT_ANNUITY,AMT_GOODS_PRICE,DAYS_BIRTH,DAYS_EMPLOYED\n\
         1,202500,406597.5,24700.5,351000,-9461,-637\n\
         2,0,100000,,90000,-20000,365243\n",
    );
    let table = ClientTable::load(&path).unwrap();
    let mut names = vec!["DAYS_EMPLOYED"];
    names.extend(DERIVED_FEATURES);
    let matrix = FeatureMatrix::from_table(&table, &numeric_schema(&names)).unwrap();
    let first = matrix.row(0).unwrap();
    // DAYS_EMPLOYED, flag, credit/income, annuity/income, annuity/credit, goods/credit, employed/birth, age.
    let expected = [
        -637.0,
        0.0,
        406597.5 / 202500.0,
        24700.5 / 202500.0,
        24700.5 / 406597.5,
        351000.0 / 406597.5,
        637.0 / 9461.0,
        9461.0 / 365.25,
    ];
    assert_eq!(first, expected);
    let second = matrix.row(1).unwrap();
    assert!(second[0].is_nan(), "the placeholder is missing for models trained here");
    assert_eq!(second[1], 1.0, "and flagged");
    assert!(second[2].is_nan(), "a zero income gives a missing ratio");
    assert!(second[4].is_nan(), "a missing annuity gives a missing term");
    assert!(second[6].is_nan(), "no employment ratio for the placeholder");
}

#[test]
fn labels_cover_the_features_of_every_fixture_model() {
    let labels = Labels::bundled().unwrap();
    for name in ["hc_cat400", "hc_zero", "hc_deep", "hc_many", "hc_weighted"] {
        let model = common::golden_model(name);
        let missing = labels.missing(model.feature_names().iter().map(String::as_str));
        assert!(missing.is_empty(), "{name}: no label for {missing:?}");
    }
}

#[test]
fn parquet_and_csv_hold_the_same_portfolio() {
    let dir = tempfile::tempdir().unwrap();
    let options = SynthOptions {
        rows: 300,
        seed: 11,
        with_target: true,
        first_id: 100_001,
        shift: pad::data::synth::Shift::NONE,
    };
    let csv = write(&options, &dir.path().join("p.csv")).unwrap();
    let parquet = write(&options, &dir.path().join("p.parquet")).unwrap();
    assert_eq!(csv.column_names(), parquet.column_names());
    assert_eq!(csv.ids(), parquet.ids());
    for name in csv.column_names() {
        if csv.is_text(&name) {
            assert_eq!(csv.text(&name), parquet.text(&name), "{name}");
        } else {
            let (a, b) = (csv.numeric(&name).unwrap(), parquet.numeric(&name).unwrap());
            let same = a.iter().zip(&b).all(|(x, y)| x.to_bits() == y.to_bits() || (x.is_nan() && y.is_nan()));
            assert!(same, "{name}: CSV and Parquet values differ");
        }
    }
}

/// Population stability index of `actual` against `expected` over the deciles of `expected`,
/// with one more bin for missing values (0.5 % floor per bin).
fn psi(expected: &[f64], actual: &[f64]) -> f64 {
    let mut present: Vec<f64> = expected.iter().copied().filter(|v| !v.is_nan()).collect();
    present.sort_by(f64::total_cmp);
    let mut edges: Vec<f64> = (1..10).map(|k| present[k * present.len() / 10]).collect();
    edges.dedup();
    let shares = |values: &[f64]| {
        let mut counts = vec![0.0; edges.len() + 2];
        for value in values {
            let bin =
                if value.is_nan() { edges.len() + 1 } else { edges.iter().take_while(|edge| *value > **edge).count() };
            counts[bin] += 1.0;
        }
        counts.iter().map(|count| (count / values.len() as f64).max(0.005)).collect::<Vec<f64>>()
    };
    let (e, a) = (shares(expected), shares(actual));
    e.iter().zip(&a).map(|(e, a)| (a - e) * (a / e).ln()).sum()
}

fn psi_text(expected: &[Option<String>], actual: &[Option<String>]) -> f64 {
    let mut labels: Vec<Option<String>> = expected.to_vec();
    labels.sort();
    labels.dedup();
    let share = |values: &[Option<String>], label: &Option<String>| {
        (values.iter().filter(|v| *v == label).count() as f64 / values.len() as f64).max(0.005)
    };
    labels
        .iter()
        .map(|label| {
            let (e, a) = (share(expected, label), share(actual, label));
            (a - e) * (a / e).ln()
        })
        .sum()
}

#[test]
fn the_synthetic_portfolio_resembles_the_real_sample() {
    let Some(sample) = common::real_sample() else { return };
    let real = ClientTable::load(&sample).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let synthetic = write(
        &SynthOptions {
            rows: 20_000,
            seed: 3,
            with_target: true,
            first_id: 100_001,
            shift: pad::data::synth::Shift::NONE,
        },
        &dir.path().join("s.parquet"),
    )
    .unwrap();
    let key_numeric = [
        "EXT_SOURCE_1",
        "EXT_SOURCE_2",
        "EXT_SOURCE_3",
        "AMT_INCOME_TOTAL",
        "AMT_CREDIT",
        "AMT_ANNUITY",
        "AMT_GOODS_PRICE",
        "DAYS_BIRTH",
        "DAYS_EMPLOYED",
        "DAYS_REGISTRATION",
        "DAYS_ID_PUBLISH",
        "DAYS_LAST_PHONE_CHANGE",
        "CNT_CHILDREN",
        "CNT_FAM_MEMBERS",
        "REGION_POPULATION_RELATIVE",
        "OWN_CAR_AGE",
        "REGION_RATING_CLIENT",
        "HOUR_APPR_PROCESS_START",
        "APARTMENTS_AVG",
        "TOTALAREA_MODE",
    ];
    let key_text = [
        "NAME_CONTRACT_TYPE",
        "CODE_GENDER",
        "NAME_INCOME_TYPE",
        "NAME_EDUCATION_TYPE",
        "NAME_FAMILY_STATUS",
        "OCCUPATION_TYPE",
    ];
    let mut report = Vec::new();
    for name in key_numeric {
        let (r, s) = (real.numeric(name).unwrap(), synthetic.numeric(name).unwrap());
        let index = psi(&r, &s);
        let missing = |v: &[f64]| v.iter().filter(|x| x.is_nan()).count() as f64 / v.len() as f64;
        report.push(format!("{name}: PSI {index:.4}, missing {:.3} vs {:.3}", missing(&r), missing(&s)));
        assert!(index < 0.1, "{name}: PSI {index}");
        assert!((missing(&r) - missing(&s)).abs() < 0.05, "{name}: missing {} vs {}", missing(&r), missing(&s));
    }
    for name in key_text {
        let index = psi_text(&real.text(name).unwrap(), &synthetic.text(name).unwrap());
        report.push(format!("{name}: PSI {index:.4}"));
        assert!(index < 0.1, "{name}: PSI {index}");
    }
    let target = synthetic.numeric("TARGET").unwrap();
    let rate = target.iter().sum::<f64>() / target.len() as f64;
    assert!((0.07..0.09).contains(&rate), "default rate {rate}");
    // Low external scores mean risk: the AUC of −EXT_SOURCE_3 as in the real data (0.707).
    let (score, outcome): (Vec<f64>, Vec<f64>) = synthetic
        .numeric("EXT_SOURCE_3")
        .unwrap()
        .iter()
        .zip(&target)
        .filter(|(score, _)| !score.is_nan())
        .map(|(score, target)| (-score, *target))
        .unzip();
    let auc = pad::evaluation::auc(&score, &pad::evaluation::outcomes(&outcome).unwrap()).unwrap();
    assert!((0.6..0.75).contains(&auc), "EXT_SOURCE_3 AUC {auc}");
    eprintln!("default rate {rate:.4}, EXT_SOURCE_3 AUC {auc:.4}\n{}", report.join("\n"));
}

#[test]
fn psi_helper_on_known_values() {
    let values: Vec<f64> = (0..1000).map(f64::from).collect();
    assert!(psi(&values, &values).abs() < 1e-12);
    let shifted: Vec<f64> = values.iter().map(|v| v + 300.0).collect();
    assert!(psi(&values, &shifted) > 0.25);
}

/// The bundled data and how it is made (kept in step with `data/README.md`).
const BUNDLED: [(&str, SynthOptions); 2] = [
    (
        "data/history.parquet",
        SynthOptions {
            rows: 30_000,
            seed: 20_240_101,
            with_target: true,
            first_id: 100_001,
            shift: pad::data::synth::Shift::NONE,
        },
    ),
    (
        "data/applicants.csv",
        SynthOptions {
            rows: 1_000,
            seed: 20_240_102,
            with_target: false,
            first_id: 400_001,
            shift: pad::data::synth::Shift::NONE,
        },
    ),
];

#[test]
fn the_bundled_data_is_reproducible() {
    let dir = tempfile::tempdir().unwrap();
    for (file, options) in BUNDLED {
        let bundled = Path::new(env!("CARGO_MANIFEST_DIR")).join(file);
        let name = bundled.file_name().unwrap();
        write(&options, &dir.path().join(name)).unwrap();
        let again = std::fs::read(dir.path().join(name)).unwrap();
        assert!(
            std::fs::read(&bundled).unwrap() == again,
            "{file} differs from `pad synth` with its documented options"
        );
    }
    assert!(generate(&BUNDLED[1].1).unwrap().width() == 121);
}

#[test]
fn every_described_application_column_has_a_label() {
    // HomeCredit_columns_description.csv is Latin-1: each byte is one character.
    let Some(sample) = common::real_sample() else { return };
    let path = sample.with_file_name("HomeCredit_columns_description.csv");
    let text: String = std::fs::read(&path).unwrap().iter().map(|byte| *byte as char).collect();
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let labels = Labels::bundled().unwrap();
    let mut described = 0;
    for record in reader.records() {
        let record = record.unwrap();
        if record.get(1) == Some("application_{train|test}.csv") {
            described += 1;
            let column = record.get(2).unwrap();
            assert!(labels.get(column).is_some(), "{column} is described but has no label");
        }
    }
    assert_eq!(described, 122);
}

#[test]
fn parquet_columns_that_do_not_fit_the_schema_are_named() {
    use polars::prelude::*;
    let dir = tempfile::tempdir().unwrap();
    let save = |name: &str, mut frame: DataFrame| {
        let path = dir.path().join(name);
        ParquetWriter::new(std::fs::File::create(&path).unwrap()).finish(&mut frame).unwrap();
        path
    };
    let text = save("text.parquet", df!("SK_ID_CURR" => [1i64, 2], "DAYS_BIRTH" => ["old", "young"]).unwrap());
    let error = error_of(&text);
    assert!(
        error.starts_with(&format!("{}: column `DAYS_BIRTH` should hold whole numbers but holds", text.display())),
        "{error}"
    );
    let fraction = save("fraction.parquet", df!("SK_ID_CURR" => [1i64, 2], "CNT_CHILDREN" => [1.0f64, 2.5]).unwrap());
    assert_eq!(
        error_of(&fraction),
        format!(
            "{}: row 2, column `CNT_CHILDREN`: holds a fraction where the schema has a whole number",
            fraction.display()
        )
    );
    let duplicate = save("dup.parquet", df!("SK_ID_CURR" => [7i64, 7]).unwrap());
    assert_eq!(error_of(&duplicate), format!("{}: client id 7 appears twice (row 1 and row 2)", duplicate.display()));
}

/// Shares of real applications without a required field: under the bundled card's list, and
/// under the list the same rule measures on the real training sample itself.
#[test]
fn real_applications_are_almost_always_complete() {
    let Some(sample) = common::real_sample() else { return };
    let folder = sample.parent().unwrap().to_path_buf();
    let files = [
        sample.clone(),
        folder.join("application_test_sample_A.csv"),
        folder.join("history_sample_C").join("application_train.csv"),
    ];
    let bundle = pad::scoring::ModelBundle::open(&common::bundled_sources().model).unwrap();
    let policy = pad::data::completeness::CompletenessPolicy::bundled().unwrap();
    let card_list = pad::data::completeness::required_of(&bundle.card.as_ref().unwrap().inputs);
    let by_card = pad::data::completeness::Completeness::new(&bundle.schema, &card_list, &policy).unwrap();
    // The same rule on real data: every raw field the model could read (all of them used).
    let mut all_used = bundle.schema.clone();
    all_used.features.iter_mut().for_each(|feature| feature.used = true);
    let measured = pad::data::completeness::input_rates(&ClientTable::load(&sample).unwrap(), &all_used, &policy);
    let real_list = pad::data::completeness::required_of(&measured);
    let by_real = pad::data::completeness::Completeness::new(&all_used, &real_list, &policy).unwrap();
    println!("required by the bundled card and read by the model: {}", by_card.required().count());
    println!("required when measured on {}: {}", sample.display(), real_list.len());
    for file in &files {
        let matrix = FeatureMatrix::load(file, &bundle.schema).unwrap();
        let rows = || (0..matrix.n_rows()).filter_map(|row| matrix.row(row));
        let share = |check: &pad::data::completeness::Completeness| {
            rows().filter(|row| !check.missing(row).is_empty()).count() as f64 / matrix.n_rows() as f64
        };
        let (card_share, real_share) = (share(&by_card), share(&by_real));
        println!(
            "{}: {} clients, incomplete {:.2} % (bundled card), {:.2} % (rule measured on sample A)",
            file.display(),
            matrix.n_rows(),
            100.0 * card_share,
            100.0 * real_share
        );
        // At most 2 % (one client in 49 is already 2 % of the small test sample: allow two).
        let bound = (0.02 * matrix.n_rows() as f64).max(2.0) / matrix.n_rows() as f64;
        assert!(card_share <= bound && real_share <= bound, "{}: {card_share} {real_share}", file.display());
    }
    // Real applications all give their age, income and loan amounts: the rule finds them.
    for field in ["DAYS_BIRTH", "AMT_INCOME_TOTAL", "AMT_CREDIT", "NAME_INCOME_TYPE", "NAME_FAMILY_STATUS"] {
        assert!(real_list.iter().any(|name| name == field), "{field} not required: {real_list:?}");
    }
    // ... and not the often-missing external scores 1 and 3 (56 % and 20 % missing in Kaggle's table).
    for field in ["EXT_SOURCE_1", "EXT_SOURCE_3", "OCCUPATION_TYPE"] {
        assert!(!real_list.iter().any(|name| name == field), "{field} required: {real_list:?}");
    }
}

/// The damaged Parquet files of `tests/fixtures/damaged` (see its README).
fn damaged(name: &str) -> PathBuf {
    common::fixtures().join("damaged").join(name)
}

#[test]
fn damaged_parquet_files_are_errors_naming_the_file() {
    // polars-parquet panics on both (one of them on a decoding thread, and on some runs
    // only): each read must be an error, every time.
    for name in ["parquet-flipped-footer-bit.parquet", "parquet-flipped-page-bit.parquet"] {
        let path = damaged(name);
        for _ in 0..5 {
            let message = error_of(&path);
            assert!(message.starts_with(&format!("{}: not a readable file (", path.display())), "{message}");
            assert!(message.ends_with("it is damaged, or not in the format its name says"), "{message}");
        }
        let error = FeatureMatrix::load(&path, &numeric_schema(&["AMT_CREDIT"])).err().map(|error| error.to_string());
        assert!(error.is_some_and(|message| message.contains(name)));
    }
    // The process goes on: a sound file still loads afterwards.
    let dir = tempfile::tempdir().unwrap();
    let sound = write_file(dir.path(), "clients.csv", "SK_ID_CURR,AMT_CREDIT\n1,1.0\n");
    assert_eq!(ClientTable::load(&sound).unwrap().n_rows(), 1);
}

#[test]
fn lines_ended_by_a_carriage_return_alone_are_read() {
    // An old Mac OS export: "\r" only. polars used to see one line of 2 x 3 - 1 fields.
    let dir = tempfile::tempdir().unwrap();
    let path = write_file(dir.path(), "mac.csv", "SK_ID_CURR,CNT_CHILDREN,AMT_CREDIT\r1,0,1.5\r2,3,2.5\r");
    let table = ClientTable::load(&path).unwrap();
    assert_eq!(table.ids().unwrap(), [1, 2]);
    assert_eq!(table.numeric("AMT_CREDIT").unwrap(), [1.5, 2.5]);
}

#[test]
fn a_whole_number_too_large_is_called_out_of_range() {
    let dir = tempfile::tempdir().unwrap();
    // 2^63 = 9223372036854775808 does not fit an i64; 20 digits neither.
    for value in ["12345678901234567890", "9223372036854775808", "-9223372036854775809"] {
        let path = write_file(dir.path(), "big.csv", &format!("SK_ID_CURR,CNT_CHILDREN\n1,0\n2,{value}\n"));
        assert_eq!(
            error_of(&path),
            format!(
                "{}: line 3, column `CNT_CHILDREN`: `{value}` is out of range: a whole number here lies between \
                 -9223372036854775808 and 9223372036854775807",
                path.display()
            )
        );
    }
}

#[test]
fn an_empty_text_column_read_as_a_number_is_called_empty() {
    let dir = tempfile::tempdir().unwrap();
    let path = write_file(dir.path(), "clients.csv", "SK_ID_CURR,NAME_CONTRACT_TYPE\n1,\n2,\n");
    let table = ClientTable::load(&path).unwrap();
    let error = FeatureMatrix::from_table(&table, &numeric_schema(&["NAME_CONTRACT_TYPE"]))
        .err()
        .map(|error| error.to_string())
        .unwrap_or_default();
    assert!(error.contains("column `NAME_CONTRACT_TYPE` is empty on every row"), "{error}");
    assert!(!error.contains("for example ``"), "{error}");
}

#[test]
fn control_characters_from_a_file_are_escaped_and_long_values_cut() {
    let dir = tempfile::tempdir().unwrap();
    // ESC [2J clears a terminal; DLE (0x10) and NUL are invisible.
    let path = write_file(dir.path(), "esc.csv", "SK_ID_CURR,AMT_CREDIT\n1,0.0755\u{10}\u{1b}[2J\u{0}\n");
    let message = error_of(&path);
    assert!(message.ends_with("column `AMT_CREDIT`: `0.0755\\x10\\x1b[2J\\x00` is not a number"), "{message}");
    // A 1 MB field: the message quotes its first 200 characters and says how much is left out.
    let big = "x".repeat(1 << 20);
    let path = write_file(dir.path(), "big.csv", &format!("SK_ID_CURR,AMT_CREDIT\n1,{big}\n"));
    let message = error_of(&path);
    assert!(message.len() < 1000, "{} bytes", message.len());
    // 1,048,576 bytes - 200 quoted = 1,048,376 left out.
    assert!(message.contains(&format!("`{}…(1048376 more bytes)` is not a number", "x".repeat(200))), "{message}");
    // A column name with a newline cannot start a line of its own in a message.
    let path = write_file(dir.path(), "name.csv", "SK_ID_CURR,\"A\nERROR forged\",A\u{0}\n1,2,3\n");
    let table = ClientTable::load(&path).unwrap();
    let error = FeatureMatrix::from_table(&table, &numeric_schema(&["B\u{1b}"])).err().map(|error| error.to_string());
    let message = error.unwrap_or_default();
    assert!(!message.chars().any(char::is_control), "{message:?}");
}
