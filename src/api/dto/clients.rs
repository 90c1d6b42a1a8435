//! The bodies of the client routes: the paged list and one client's fields.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::domain::{ClientRecord, ClientSummary, FeatureDescription, Field, FieldValue};

/// `GET /clients`: query.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ClientsQuery {
    /// Words that must all appear in the client's line (id, age, amount, loan type), any case.
    pub search: Option<String>,
    /// Clients to skip (default 0; empty is the default).
    #[serde(default, deserialize_with = "empty_as_absent")]
    pub offset: Option<usize>,
    /// Clients to return (default 100, at most 1000; empty is the default).
    #[serde(default, deserialize_with = "empty_as_absent")]
    pub limit: Option<usize>,
}

/// A query parameter given empty (`?limit=`) is absent, as a form sends it: the default.
pub fn empty_as_absent<'de, D, T>(deserializer: D) -> Result<Option<T>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: std::str::FromStr,
    T::Err: std::fmt::Display,
{
    let text: Option<String> = Deserialize::deserialize(deserializer)?;
    match text.as_deref().map(str::trim) {
        None | Some("") => Ok(None),
        Some(text) => text.parse().map(Some).map_err(serde::de::Error::custom),
    }
}

/// One client in a list: no protected attribute.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ClientSummaryDto {
    /// `SK_ID_CURR`.
    pub id: i64,
    /// Age in whole years.
    pub age_years: Option<u32>,
    /// Amount asked (`AMT_CREDIT`).
    pub amount: Option<f64>,
    /// Loan type (`NAME_CONTRACT_TYPE`).
    pub contract_type: Option<String>,
}

impl From<&ClientSummary> for ClientSummaryDto {
    fn from(summary: &ClientSummary) -> ClientSummaryDto {
        ClientSummaryDto {
            id: summary.id,
            age_years: summary.age_years,
            amount: summary.amount,
            contract_type: summary.contract_type.clone(),
        }
    }
}

impl From<ClientSummaryDto> for ClientSummary {
    fn from(summary: ClientSummaryDto) -> ClientSummary {
        ClientSummary {
            id: summary.id,
            age_years: summary.age_years,
            amount: summary.amount,
            contract_type: summary.contract_type,
        }
    }
}

/// `GET /clients`: one page of clients.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ClientsPage {
    /// Clients matching the search, in all pages.
    pub total: usize,
    /// Clients skipped.
    pub offset: usize,
    /// This page, in file order.
    pub clients: Vec<ClientSummaryDto>,
}

/// A value of a client's field: a number, a category's name, or `null` when missing.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(untagged)]
pub enum ValueDto {
    /// A number.
    Number(f64),
    /// A category's name.
    Category(String),
    /// Missing (`null`).
    Missing,
}

/// One field of a client, with where the client stands in the reference population.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct FieldDto {
    /// The model feature.
    pub feature: String,
    /// The client's value.
    pub value: ValueDto,
    /// Percentile among the reference clients with a value (numbers).
    pub percentile: Option<f64>,
    /// Share (%) of reference clients with the same category, answer or missing value.
    pub share: Option<f64>,
}

/// `GET /clients/{id}`: a client's model inputs.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ClientRecordDto {
    /// `SK_ID_CURR`.
    pub id: i64,
    /// One field per model feature, in model order.
    pub fields: Vec<FieldDto>,
    /// The required fields the client's application lacks (empty when complete).
    #[serde(default)]
    pub missing_required: Vec<String>,
}

impl ClientRecordDto {
    /// The response for a record; `features` are the model's, in model order.
    pub fn new(record: &ClientRecord, features: &[FeatureDescription]) -> ClientRecordDto {
        ClientRecordDto {
            id: record.id,
            fields: record
                .fields
                .iter()
                .zip(features)
                .map(|(field, feature)| FieldDto {
                    feature: feature.name.clone(),
                    value: match &field.value {
                        FieldValue::Number(number) => ValueDto::Number(*number),
                        FieldValue::Category(name) => ValueDto::Category(name.clone()),
                        FieldValue::Missing => ValueDto::Missing,
                    },
                    percentile: field.percentile,
                    share: field.share,
                })
                .collect(),
            missing_required: record.missing.clone(),
        }
    }

    /// Back to the domain record.
    pub fn to_record(&self) -> ClientRecord {
        ClientRecord {
            id: self.id,
            fields: self
                .fields
                .iter()
                .map(|field| Field {
                    value: match &field.value {
                        ValueDto::Number(number) => FieldValue::Number(*number),
                        ValueDto::Category(name) => FieldValue::Category(name.clone()),
                        ValueDto::Missing => FieldValue::Missing,
                    },
                    percentile: field.percentile,
                    share: field.share,
                })
                .collect(),
            missing: self.missing_required.clone(),
        }
    }
}
