//! The Kaggle *Home Credit Default Risk* application table: its 122 columns and their types.
//!
//! Types follow the Kaggle files as pandas reads the full `application_train.csv` (41 integer
//! columns counting the id and `TARGET`, 65 floats, 16 text columns), not guesses from the
//! file at hand, so that a column that happens to hold only whole numbers in a small file is
//! still a float, and a text column whose values look like numbers is still text.
//!
//! Used by the model (which columns are text) and the tables; plain data, std only.

/// How a column is stored and read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColumnKind {
    /// The client id `SK_ID_CURR`: an integer, unique in a table.
    Id,
    /// `TARGET`: 1 for a client who had payment difficulties, else 0 (history only).
    Target,
    /// A whole number (counts, flags, days, ratings).
    Integer,
    /// A real number (amounts, scores, normalised building statistics, some day counts).
    Float,
    /// A category written as text.
    Text,
}

/// The client id column.
pub const ID_COLUMN: &str = "SK_ID_CURR";
/// The outcome column of the history.
pub const TARGET_COLUMN: &str = "TARGET";
/// The value of `DAYS_EMPLOYED` that stands for "not employed" (mostly pensioners).
pub const DAYS_EMPLOYED_ANOMALY: f64 = 365_243.0;

/// Every column of `application_train.csv`, in file order (`application_test.csv` is the same
/// without `TARGET`).
pub const COLUMNS: [(&str, ColumnKind); 122] = [
    ("SK_ID_CURR", ColumnKind::Id),
    ("TARGET", ColumnKind::Target),
    ("NAME_CONTRACT_TYPE", ColumnKind::Text),
    ("CODE_GENDER", ColumnKind::Text),
    ("FLAG_OWN_CAR", ColumnKind::Text),
    ("FLAG_OWN_REALTY", ColumnKind::Text),
    ("CNT_CHILDREN", ColumnKind::Integer),
    ("AMT_INCOME_TOTAL", ColumnKind::Float),
    ("AMT_CREDIT", ColumnKind::Float),
    ("AMT_ANNUITY", ColumnKind::Float),
    ("AMT_GOODS_PRICE", ColumnKind::Float),
    ("NAME_TYPE_SUITE", ColumnKind::Text),
    ("NAME_INCOME_TYPE", ColumnKind::Text),
    ("NAME_EDUCATION_TYPE", ColumnKind::Text),
    ("NAME_FAMILY_STATUS", ColumnKind::Text),
    ("NAME_HOUSING_TYPE", ColumnKind::Text),
    ("REGION_POPULATION_RELATIVE", ColumnKind::Float),
    ("DAYS_BIRTH", ColumnKind::Integer),
    ("DAYS_EMPLOYED", ColumnKind::Integer),
    ("DAYS_REGISTRATION", ColumnKind::Float),
    ("DAYS_ID_PUBLISH", ColumnKind::Integer),
    ("OWN_CAR_AGE", ColumnKind::Float),
    ("FLAG_MOBIL", ColumnKind::Integer),
    ("FLAG_EMP_PHONE", ColumnKind::Integer),
    ("FLAG_WORK_PHONE", ColumnKind::Integer),
    ("FLAG_CONT_MOBILE", ColumnKind::Integer),
    ("FLAG_PHONE", ColumnKind::Integer),
    ("FLAG_EMAIL", ColumnKind::Integer),
    ("OCCUPATION_TYPE", ColumnKind::Text),
    ("CNT_FAM_MEMBERS", ColumnKind::Float),
    ("REGION_RATING_CLIENT", ColumnKind::Integer),
    ("REGION_RATING_CLIENT_W_CITY", ColumnKind::Integer),
    ("WEEKDAY_APPR_PROCESS_START", ColumnKind::Text),
    ("HOUR_APPR_PROCESS_START", ColumnKind::Integer),
    ("REG_REGION_NOT_LIVE_REGION", ColumnKind::Integer),
    ("REG_REGION_NOT_WORK_REGION", ColumnKind::Integer),
    ("LIVE_REGION_NOT_WORK_REGION", ColumnKind::Integer),
    ("REG_CITY_NOT_LIVE_CITY", ColumnKind::Integer),
    ("REG_CITY_NOT_WORK_CITY", ColumnKind::Integer),
    ("LIVE_CITY_NOT_WORK_CITY", ColumnKind::Integer),
    ("ORGANIZATION_TYPE", ColumnKind::Text),
    ("EXT_SOURCE_1", ColumnKind::Float),
    ("EXT_SOURCE_2", ColumnKind::Float),
    ("EXT_SOURCE_3", ColumnKind::Float),
    ("APARTMENTS_AVG", ColumnKind::Float),
    ("BASEMENTAREA_AVG", ColumnKind::Float),
    ("YEARS_BEGINEXPLUATATION_AVG", ColumnKind::Float),
    ("YEARS_BUILD_AVG", ColumnKind::Float),
    ("COMMONAREA_AVG", ColumnKind::Float),
    ("ELEVATORS_AVG", ColumnKind::Float),
    ("ENTRANCES_AVG", ColumnKind::Float),
    ("FLOORSMAX_AVG", ColumnKind::Float),
    ("FLOORSMIN_AVG", ColumnKind::Float),
    ("LANDAREA_AVG", ColumnKind::Float),
    ("LIVINGAPARTMENTS_AVG", ColumnKind::Float),
    ("LIVINGAREA_AVG", ColumnKind::Float),
    ("NONLIVINGAPARTMENTS_AVG", ColumnKind::Float),
    ("NONLIVINGAREA_AVG", ColumnKind::Float),
    ("APARTMENTS_MODE", ColumnKind::Float),
    ("BASEMENTAREA_MODE", ColumnKind::Float),
    ("YEARS_BEGINEXPLUATATION_MODE", ColumnKind::Float),
    ("YEARS_BUILD_MODE", ColumnKind::Float),
    ("COMMONAREA_MODE", ColumnKind::Float),
    ("ELEVATORS_MODE", ColumnKind::Float),
    ("ENTRANCES_MODE", ColumnKind::Float),
    ("FLOORSMAX_MODE", ColumnKind::Float),
    ("FLOORSMIN_MODE", ColumnKind::Float),
    ("LANDAREA_MODE", ColumnKind::Float),
    ("LIVINGAPARTMENTS_MODE", ColumnKind::Float),
    ("LIVINGAREA_MODE", ColumnKind::Float),
    ("NONLIVINGAPARTMENTS_MODE", ColumnKind::Float),
    ("NONLIVINGAREA_MODE", ColumnKind::Float),
    ("APARTMENTS_MEDI", ColumnKind::Float),
    ("BASEMENTAREA_MEDI", ColumnKind::Float),
    ("YEARS_BEGINEXPLUATATION_MEDI", ColumnKind::Float),
    ("YEARS_BUILD_MEDI", ColumnKind::Float),
    ("COMMONAREA_MEDI", ColumnKind::Float),
    ("ELEVATORS_MEDI", ColumnKind::Float),
    ("ENTRANCES_MEDI", ColumnKind::Float),
    ("FLOORSMAX_MEDI", ColumnKind::Float),
    ("FLOORSMIN_MEDI", ColumnKind::Float),
    ("LANDAREA_MEDI", ColumnKind::Float),
    ("LIVINGAPARTMENTS_MEDI", ColumnKind::Float),
    ("LIVINGAREA_MEDI", ColumnKind::Float),
    ("NONLIVINGAPARTMENTS_MEDI", ColumnKind::Float),
    ("NONLIVINGAREA_MEDI", ColumnKind::Float),
    ("FONDKAPREMONT_MODE", ColumnKind::Text),
    ("HOUSETYPE_MODE", ColumnKind::Text),
    ("TOTALAREA_MODE", ColumnKind::Float),
    ("WALLSMATERIAL_MODE", ColumnKind::Text),
    ("EMERGENCYSTATE_MODE", ColumnKind::Text),
    ("OBS_30_CNT_SOCIAL_CIRCLE", ColumnKind::Float),
    ("DEF_30_CNT_SOCIAL_CIRCLE", ColumnKind::Float),
    ("OBS_60_CNT_SOCIAL_CIRCLE", ColumnKind::Float),
    ("DEF_60_CNT_SOCIAL_CIRCLE", ColumnKind::Float),
    ("DAYS_LAST_PHONE_CHANGE", ColumnKind::Float),
    ("FLAG_DOCUMENT_2", ColumnKind::Integer),
    ("FLAG_DOCUMENT_3", ColumnKind::Integer),
    ("FLAG_DOCUMENT_4", ColumnKind::Integer),
    ("FLAG_DOCUMENT_5", ColumnKind::Integer),
    ("FLAG_DOCUMENT_6", ColumnKind::Integer),
    ("FLAG_DOCUMENT_7", ColumnKind::Integer),
    ("FLAG_DOCUMENT_8", ColumnKind::Integer),
    ("FLAG_DOCUMENT_9", ColumnKind::Integer),
    ("FLAG_DOCUMENT_10", ColumnKind::Integer),
    ("FLAG_DOCUMENT_11", ColumnKind::Integer),
    ("FLAG_DOCUMENT_12", ColumnKind::Integer),
    ("FLAG_DOCUMENT_13", ColumnKind::Integer),
    ("FLAG_DOCUMENT_14", ColumnKind::Integer),
    ("FLAG_DOCUMENT_15", ColumnKind::Integer),
    ("FLAG_DOCUMENT_16", ColumnKind::Integer),
    ("FLAG_DOCUMENT_17", ColumnKind::Integer),
    ("FLAG_DOCUMENT_18", ColumnKind::Integer),
    ("FLAG_DOCUMENT_19", ColumnKind::Integer),
    ("FLAG_DOCUMENT_20", ColumnKind::Integer),
    ("FLAG_DOCUMENT_21", ColumnKind::Integer),
    ("AMT_REQ_CREDIT_BUREAU_HOUR", ColumnKind::Float),
    ("AMT_REQ_CREDIT_BUREAU_DAY", ColumnKind::Float),
    ("AMT_REQ_CREDIT_BUREAU_WEEK", ColumnKind::Float),
    ("AMT_REQ_CREDIT_BUREAU_MON", ColumnKind::Float),
    ("AMT_REQ_CREDIT_BUREAU_QRT", ColumnKind::Float),
    ("AMT_REQ_CREDIT_BUREAU_YEAR", ColumnKind::Float),
];

/// The kind of a Kaggle column, `None` for a column outside the schema.
pub fn column_kind(name: &str) -> Option<ColumnKind> {
    COLUMNS.iter().find(|(column, _)| *column == name).map(|(_, kind)| *kind)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_schema_counts_match_kaggle() {
        let count = |kind: ColumnKind| COLUMNS.iter().filter(|(_, k)| *k == kind).count();
        assert_eq!(count(ColumnKind::Integer), 39);
        assert_eq!(count(ColumnKind::Float), 65);
        assert_eq!(count(ColumnKind::Text), 16);
        assert_eq!(COLUMNS[0], (ID_COLUMN, ColumnKind::Id));
        assert_eq!(column_kind("EXT_SOURCE_3"), Some(ColumnKind::Float));
        assert_eq!(column_kind("DAYS_EMPLOYED"), Some(ColumnKind::Integer));
        assert_eq!(column_kind("NAME_CONTRACT_TYPE"), Some(ColumnKind::Text));
        assert_eq!(column_kind("NOT_A_COLUMN"), None);
    }
}
