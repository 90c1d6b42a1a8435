//! The credit history: Kaggle folders and flags, the checks of each table (bad input named
//! by file, line and column), the per-client aggregates (worked by hand below, and against
//! pandas on the real sample), and absent tables read as missing values, never zeros.

mod common;

use std::path::Path;

use pad::data::history::aggregates::HISTORY_FEATURES;
use pad::data::history::{HistoryFiles, HistoryKind, Role};
use pad::data::{ClientTable, FeatureMatrix};
use pad::domain::{FeatureSchema, FeatureSpec};

const APPLICATION: &str = "SK_ID_CURR,TARGET,AMT_CREDIT\n1,0,1000\n2,1,2000\n3,0,3000\n";

const BUREAU: &str = "\
SK_ID_CURR,SK_ID_BUREAU,CREDIT_ACTIVE,DAYS_CREDIT,CREDIT_DAY_OVERDUE,AMT_CREDIT_SUM,AMT_CREDIT_SUM_DEBT,AMT_CREDIT_SUM_OVERDUE,AMT_CREDIT_SUM_LIMIT,CREDIT_TYPE,DAYS_CREDIT_ENDDATE
1,10,Active,-100,0,1000.0,400.0,0.0,,Consumer credit,200.0
1,11,Active,-300,15,3000.0,600.0,50.0,0.0,Credit card,
1,12,Closed,-900,0,500.0,0.0,0.0,,Consumer credit,-600.0
2,20,Closed,-50,0,800.0,0.0,0.0,,Car loan,
9,90,Active,-10,0,100.0,100.0,0.0,,Consumer credit,
";

const BALANCE: &str = "\
SK_ID_BUREAU,MONTHS_BALANCE,STATUS
10,0,0
10,-1,1
10,-2,0
10,-3,X
10,-13,2
10,-30,5
11,0,C
11,-5,0
99,0,0
";

const CARD: &str = "\
SK_ID_PREV,SK_ID_CURR,MONTHS_BALANCE,AMT_BALANCE,AMT_CREDIT_LIMIT_ACTUAL,AMT_DRAWINGS_CURRENT,AMT_INST_MIN_REGULARITY,AMT_PAYMENT_TOTAL_CURRENT,SK_DPD
100,2,-1,500.0,1000,100.0,50.0,100.0,0
100,2,-2,900.0,1000,300.0,0.0,0.0,3
100,2,-15,0.0,0,0.0,20.0,10.0,0
";

/// A folder in Kaggle's layout with the given files.
fn folder(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in files {
        std::fs::write(dir.path().join(name), text).unwrap();
    }
    dir
}

fn full_folder() -> tempfile::TempDir {
    folder(&[
        ("application_train.csv", APPLICATION),
        ("bureau.csv", BUREAU),
        ("bureau_balance.csv", BALANCE),
        ("credit_card_balance.csv", CARD),
    ])
}

fn history_schema() -> FeatureSchema {
    FeatureSchema {
        features: HISTORY_FEATURES
            .iter()
            .map(|feature| FeatureSpec { name: feature.name.to_string(), labels: None, used: true })
            .collect(),
        clean_days_employed: true,
    }
}

/// The history features of every client, by name.
fn values(table: &ClientTable) -> Vec<(String, Vec<f64>)> {
    let matrix = FeatureMatrix::from_table(table, &history_schema()).unwrap();
    HISTORY_FEATURES
        .iter()
        .enumerate()
        .map(|(index, feature)| {
            (feature.name.to_string(), (0..matrix.n_rows()).map(|row| matrix.row(row).unwrap()[index]).collect())
        })
        .collect()
}

fn feature<'a>(values: &'a [(String, Vec<f64>)], name: &str) -> &'a [f64] {
    &values.iter().find(|(feature, _)| feature == name).unwrap().1
}

/// Same values, NaN equal to NaN, to 1e-12.
fn assert_values(actual: &[f64], expected: &[f64], name: &str) {
    assert_eq!(actual.len(), expected.len(), "{name}");
    for (a, e) in actual.iter().zip(expected) {
        assert!((a.is_nan() && e.is_nan()) || (a - e).abs() < 1e-12, "{name}: {actual:?} != {expected:?}");
    }
}

fn error_of(path: &Path, more: &HistoryFiles) -> String {
    ClientTable::load_with(path, Role::History, more)
        .err()
        .map(|error| error.to_string())
        .unwrap_or_else(|| "loaded".into())
}

#[test]
fn a_kaggle_folder_loads_with_its_aggregates_worked_by_hand() {
    let dir = full_folder();
    let table = ClientTable::load(dir.path()).unwrap();
    assert_eq!(table.n_rows(), 3);
    assert!(table.has_history(HistoryKind::Bureau) && table.has_history(HistoryKind::CreditCardBalance));
    let v = values(&table);
    let nan = f64::NAN;
    // Client 1: credits 10 (active), 11 (active), 12 (closed); client 2: credit 20 (closed);
    // client 3: none. Client 9 is not in the application table (its row is ignored).
    assert_values(feature(&v, "BUREAU_CREDITS"), &[3.0, 1.0, 0.0], "credits");
    assert_values(feature(&v, "BUREAU_ACTIVE"), &[2.0, 0.0, 0.0], "active");
    assert_values(feature(&v, "BUREAU_CLOSED"), &[1.0, 1.0, 0.0], "closed");
    assert_values(feature(&v, "BUREAU_CREDIT_SUM"), &[4500.0, 800.0, 0.0], "credit sum");
    // Debt of active credits: 400 + 600; over their amounts 1000 + 3000: 0.25.
    assert_values(feature(&v, "BUREAU_DEBT_SUM"), &[1000.0, 0.0, 0.0], "debt");
    assert_values(feature(&v, "BUREAU_ACTIVE_DEBT_RATIO"), &[0.25, nan, nan], "debt ratio");
    assert_values(feature(&v, "BUREAU_OVERDUE_SUM"), &[50.0, 0.0, 0.0], "overdue");
    assert_values(feature(&v, "BUREAU_LIMIT_SUM"), &[0.0, 0.0, 0.0], "limits");
    assert_values(feature(&v, "BUREAU_DAYS_LATEST"), &[100.0, 50.0, nan], "latest");
    assert_values(feature(&v, "BUREAU_DAYS_EARLIEST"), &[900.0, 50.0, nan], "earliest");
    assert_values(feature(&v, "BUREAU_DAYS_OVERDUE_MAX"), &[15.0, 0.0, nan], "days overdue");
    // Client 1's reported months (C and X left out): months -11..0 are 0, 1, 0 (credit 10)
    // and 0 (credit 11, month -5): 1 late of 4. Over 24 months month -13 (status 2) adds a
    // late one: 2 of 5. Worst ever: 5 (month -30).
    assert_values(feature(&v, "BUREAU_LATE_SHARE_12M"), &[0.25, nan, nan], "late 12");
    assert_values(feature(&v, "BUREAU_LATE_SHARE_24M"), &[0.4, nan, nan], "late 24");
    assert_values(feature(&v, "BUREAU_WORST_STATUS"), &[5.0, nan, nan], "worst");
    // Client 2's card: months -1 (500 of 1000) and -2 (900 of 1000) in the last year, mean
    // 0.7, highest 0.9 (month -15 has no limit); drawings (100 + 300 + 0) / 3; payments over
    // minimums where a minimum is due: (100 + 10) / (50 + 20); most days past due 3.
    assert_values(feature(&v, "CARD_MONTHS"), &[0.0, 3.0, 0.0], "card months");
    assert_values(feature(&v, "CARD_UTILISATION_12M"), &[nan, 0.7, nan], "utilisation");
    assert_values(feature(&v, "CARD_UTILISATION_MAX"), &[nan, 0.9, nan], "utilisation max");
    assert_values(feature(&v, "CARD_DRAWINGS_MEAN"), &[nan, 400.0 / 3.0, nan], "drawings");
    assert_values(feature(&v, "CARD_PAYMENT_MIN_RATIO"), &[nan, 110.0 / 70.0, nan], "payments");
    assert_values(feature(&v, "CARD_DPD_MAX"), &[nan, 3.0, nan], "dpd");
    // Orphans are counted, with the first line, never silently dropped.
    let warnings = table.warnings().join("\n");
    assert!(
        warnings.contains(
            "bureau.csv: 1 row(s) of clients that are not in application_train.csv are ignored (the first at line 6)"
        ),
        "{warnings}"
    );
    assert!(
        warnings.contains(
            "bureau_balance.csv: 1 row(s) of credits not in the bureau table are ignored (the first at line 10)"
        ),
        "{warnings}"
    );
}

#[test]
fn the_clients_records_are_indexed_for_the_screen() {
    let dir = full_folder();
    let table = ClientTable::load(dir.path()).unwrap();
    let index = table.history().unwrap().index();
    let one = index.client(1);
    assert_eq!(one.credits.len(), 3);
    // Most recent first, with its months oldest first.
    assert_eq!(one.credits[0].id, 10);
    let months: Vec<i32> = one.credits[0].months.iter().map(|(month, _)| *month).collect();
    assert_eq!(months, [-30, -13, -3, -2, -1, 0]);
    assert!(one.card.is_empty() && one.card_given);
    let two = index.client(2);
    assert_eq!(two.card.iter().map(|month| month.month).collect::<Vec<_>>(), [-15, -2, -1]);
    assert!(index.client(3).credits.is_empty());
}

#[test]
fn an_absent_table_gives_missing_values_said_once_never_zeros() {
    let dir = folder(&[("application_train.csv", APPLICATION), ("bureau.csv", BUREAU)]);
    let table = ClientTable::load(dir.path()).unwrap();
    let matrix = FeatureMatrix::from_table(&table, &history_schema()).unwrap();
    assert_eq!(matrix.missing_history(), [HistoryKind::BureauBalance, HistoryKind::CreditCardBalance]);
    let v = values(&table);
    assert!(feature(&v, "CARD_MONTHS").iter().all(|value| value.is_nan()), "no card table: missing, not 0");
    assert!(feature(&v, "BUREAU_LATE_SHARE_12M").iter().all(|value| value.is_nan()));
    assert_eq!(feature(&v, "BUREAU_CREDITS")[2], 0.0, "the bureau table says client 3 has no credit");
    let warning = pad::data::history::missing_tables_warning("applicants.csv", matrix.missing_history());
    assert!(
        warning.contains("bureau_balance, credit_card_balance") && warning.contains("--bureau-balance"),
        "{warning}"
    );

    // An application table alone: every history feature missing.
    let alone = folder(&[("application_test.csv", "SK_ID_CURR,AMT_CREDIT\n5,100\n")]);
    let table = ClientTable::load_with(alone.path(), Role::Applicants, &HistoryFiles::default()).unwrap();
    let matrix = FeatureMatrix::from_table(&table, &history_schema()).unwrap();
    assert_eq!(matrix.missing_history().len(), 3);
    assert!(matrix.values().iter().all(|value| value.is_nan()));
}

#[test]
fn tables_given_by_flags_join_a_plain_file() {
    let dir = full_folder();
    let elsewhere = tempfile::tempdir().unwrap();
    let application = elsewhere.path().join("clients.csv");
    std::fs::write(&application, APPLICATION).unwrap();
    let mut files = HistoryFiles::default();
    files.add(HistoryKind::Bureau, dir.path().join("bureau.csv")).unwrap();
    let table = ClientTable::load_with(&application, Role::History, &files).unwrap();
    assert!(table.has_history(HistoryKind::Bureau) && !table.has_history(HistoryKind::CreditCardBalance));
    assert_values(feature(&values(&table), "BUREAU_CREDITS"), &[3.0, 1.0, 0.0], "credits");
    // The same table in the folder and by a flag: which one? An error naming both.
    let message = error_of(dir.path(), &files);
    assert!(
        message.contains("the bureau table is given twice") && message.matches("bureau.csv").count() == 2,
        "{message}"
    );
}

#[test]
fn a_folder_chooses_its_application_table_by_role() {
    let dir = folder(&[("application_train.csv", APPLICATION), ("application_test.csv", "SK_ID_CURR\n7\n8\n")]);
    let none = HistoryFiles::default();
    assert_eq!(ClientTable::load_with(dir.path(), Role::History, &none).unwrap().n_rows(), 3);
    assert_eq!(ClientTable::load_with(dir.path(), Role::Applicants, &none).unwrap().n_rows(), 2);
    let empty = folder(&[("bureau.csv", BUREAU)]);
    let message = error_of(empty.path(), &none);
    assert!(message.contains("must hold application_train or application_test"), "{message}");
    let both = folder(&[("application_train.csv", APPLICATION), ("bureau.csv", BUREAU), ("BUREAU.parquet", "")]);
    let message = error_of(both.path(), &none);
    assert!(message.contains("the bureau table is given twice"), "{message}");
}

#[test]
fn bad_history_tables_are_named_by_file_line_and_column() {
    let none = HistoryFiles::default();
    let case = |name: &str, text: &str| -> String {
        let dir = folder(&[("application_train.csv", APPLICATION), ("bureau.csv", BUREAU), (name, text)]);
        let message = error_of(dir.path(), &none);
        message.replace(&dir.path().display().to_string(), "DIR")
    };
    // A duplicate SK_ID_BUREAU names both lines.
    let duplicate = BUREAU.replace("2,20,Closed", "2,11,Closed");
    assert_eq!(
        case("bureau.csv", &duplicate),
        "DIR/bureau.csv: column `SK_ID_BUREAU`: 11 appears twice (line 3 and line 5)"
    );
    // A required column missing.
    let short = "SK_ID_CURR,SK_ID_BUREAU,CREDIT_ACTIVE\n1,10,Active\n";
    let message = case("bureau.csv", short);
    assert!(
        message.starts_with("DIR/bureau.csv: the bureau table has no column DAYS_CREDIT, CREDIT_DAY_OVERDUE"),
        "{message}"
    );
    // Text in a numeric column.
    let text = BUREAU.replace("1,11,Active,-300", "1,11,Active,soon");
    assert_eq!(case("bureau.csv", &text), "DIR/bureau.csv: line 3, column `DAYS_CREDIT`: `soon` is not a whole number");
    // An empty key.
    let keyless = BUREAU.replace("2,20,Closed", ",20,Closed");
    assert_eq!(case("bureau.csv", &keyless), "DIR/bureau.csv: line 5, column `SK_ID_CURR`: the key is empty");
    // A status outside Kaggle's codes.
    let status = BALANCE.replace("10,-2,0", "10,-2,7");
    assert_eq!(
        case("bureau_balance.csv", &status),
        "DIR/bureau_balance.csv: line 4, column `STATUS`: `7` is not one of C, X, 0, 1, 2, 3, 4, 5"
    );
    // A wrong field count in the card table.
    let ragged = CARD.replace("100,2,-2,900.0,1000,", "100,2,-2,900.0,");
    assert_eq!(
        case("credit_card_balance.csv", &ragged),
        "DIR/credit_card_balance.csv: line 3: 8 fields where the header has 9"
    );
}

#[test]
fn monthly_statuses_without_the_bureau_table_are_ignored_with_a_warning() {
    let dir = folder(&[("application_train.csv", APPLICATION), ("bureau_balance.csv", BALANCE)]);
    let table = ClientTable::load(dir.path()).unwrap();
    assert!(table.warnings().iter().any(|warning| warning.contains("need the bureau table")), "{:?}", table.warnings());
    let matrix = FeatureMatrix::from_table(&table, &history_schema()).unwrap();
    assert!(matrix.missing_history().contains(&HistoryKind::Bureau));
}

/// The real sample C: every row loads, no orphan (its records are complete), and the
/// aggregates agree with pandas (`tests/fixtures/history_aggregates.py`: the mean of each
/// feature over clients and how many clients have it, figures only).
#[test]
fn the_real_history_sample_agrees_with_pandas() {
    let Some(sample) = common::history_sample() else { return };
    let table = ClientTable::load(&sample).unwrap();
    assert_eq!(table.n_rows(), 7092);
    assert!(table.warnings().is_empty(), "{:?}", table.warnings());
    let golden: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(common::fixtures().join("history_aggregates.json")).unwrap())
            .unwrap();
    for (name, column) in values(&table) {
        let present: Vec<f64> = column.iter().copied().filter(|value| !value.is_nan()).collect();
        let mean = present.iter().sum::<f64>() / present.len() as f64;
        let expected = &golden[&name];
        assert_eq!(present.len() as u64, expected["count"].as_u64().unwrap(), "{name}: clients with a value");
        let expected_mean = expected["mean"].as_f64().unwrap();
        assert!(
            (mean - expected_mean).abs() <= 1e-9 * expected_mean.abs().max(1.0),
            "{name}: {mean} != {expected_mean}"
        );
    }
}

#[test]
fn unknown_tables_and_extra_flags_are_checked_too() {
    // previous_application: read and checked (keys), not aggregated.
    let previous = "SK_ID_PREV,SK_ID_CURR,NAME_CONTRACT_TYPE,AMT_CREDIT\n5,1,Cash loans,100.0\n5,2,Cash loans,200.0\n";
    let dir = folder(&[("application_train.csv", APPLICATION), ("previous_application.csv", previous)]);
    let message = error_of(dir.path(), &HistoryFiles::default());
    assert!(message.contains("column `SK_ID_PREV`: 5 appears twice (line 2 and line 3)"), "{message}");
    let ok = "SK_ID_PREV,SK_ID_CURR,MONTHS_BALANCE\n5,1,-1\n6,4,-1\n";
    let dir = folder(&[("application_train.csv", APPLICATION), ("POS_CASH_balance.csv", ok)]);
    let table = ClientTable::load(dir.path()).unwrap();
    assert!(table.has_history(HistoryKind::PosCashBalance));
    assert!(table.warnings().iter().any(|warning| warning.contains("1 row(s) of clients that are not in")));
}
