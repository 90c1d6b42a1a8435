//! The API's router without a socket (`oneshot`): every route, and every error code with its
//! JSON body. Values are compared with the in-process scorer the dashboard uses.

mod common;

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use pad::api::{AppState, Limits, Token, router};
use pad::domain::{
    ClientId, ClientRecord, ClientSummary, Counterfactual, Distribution, Explanation, FeatureInputs, Portfolio, Score,
};
use pad::scoring::{LocalScorer, Scorer, ScorerInfo, ScoringError};
use serde_json::{Value, json};
use tower::ServiceExt;

fn bundled() -> Arc<LocalScorer> {
    common::bundled_scorer()
}

/// The bundled scorer without the applicants' credit-history tables: what an applicant given
/// by `features` (whose history the API does not know) is scored as.
fn without_history() -> Arc<LocalScorer> {
    static SCORER: std::sync::OnceLock<Arc<LocalScorer>> = std::sync::OnceLock::new();
    Arc::clone(SCORER.get_or_init(|| {
        let sources = pad::scoring::LocalSources { applicant_tables: Default::default(), ..common::bundled_sources() };
        Arc::new(LocalScorer::load(&sources).unwrap())
    }))
}

fn state() -> AppState {
    AppState::new(bundled(), None, Limits::default())
}

/// Sends one request to a fresh router; returns the status and the JSON body.
async fn send(state: AppState, request: Request<Body>) -> (StatusCode, Value) {
    let response = router(state).oneshot(request).await.unwrap();
    let status = response.status();
    let bytes = axum::body::to_bytes(response.into_body(), usize::MAX).await.unwrap();
    let body = serde_json::from_slice(&bytes).unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into()));
    (status, body)
}

fn get(path: &str) -> Request<Body> {
    Request::get(path).body(Body::empty()).unwrap()
}

fn post(path: &str, body: &Value) -> Request<Body> {
    Request::post(path).header(header::CONTENT_TYPE, "application/json").body(Body::from(body.to_string())).unwrap()
}

/// Asserts an error's status, code and (for 422) field, and that the body has only `error`.
#[track_caller]
fn assert_error(answer: &(StatusCode, Value), status: StatusCode, code: &str, field: Option<&str>) {
    assert_eq!(answer.0, status, "{}", answer.1);
    assert_eq!(answer.1["error"]["code"], code, "{}", answer.1);
    assert!(answer.1["error"]["message"].as_str().is_some_and(|message| !message.is_empty()), "{}", answer.1);
    assert_eq!(answer.1.as_object().unwrap().len(), 1, "only `error`: {}", answer.1);
    if let Some(field) = field {
        assert_eq!(answer.1["error"]["field"], field, "{}", answer.1);
    }
}

/// The raw CSV columns of one applicant in `data/applicants.csv`, as a `features` object:
/// numbers as numbers, text as text, empty fields left out (missing).
fn raw_features(id: ClientId) -> serde_json::Map<String, Value> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("data/applicants.csv");
    let mut reader = csv::Reader::from_path(path).unwrap();
    let header = reader.headers().unwrap().clone();
    for record in reader.records() {
        let record = record.unwrap();
        if record[0].parse::<ClientId>().unwrap() != id {
            continue;
        }
        let mut features = serde_json::Map::new();
        for (name, field) in header.iter().zip(record.iter()) {
            if field.is_empty() {
                continue;
            }
            let text_column = matches!(pad::data::schema::column_kind(name), Some(pad::data::schema::ColumnKind::Text));
            let value = if text_column { json!(field) } else { json!(field.parse::<f64>().unwrap()) };
            features.insert(name.to_string(), value);
        }
        return features;
    }
    panic!("no applicant {id}");
}

#[tokio::test]
async fn health_answers_without_a_token() {
    let state = AppState::new(bundled(), Some(Token::new("s3cret")), Limits::default());
    let (status, body) = send(state, get("/health")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["status"], "ok");
    assert_eq!(body["model_version"], bundled().info().model_version);
}

#[tokio::test]
async fn every_other_route_needs_the_bearer_token() {
    let state = AppState::new(bundled(), Some(Token::new("s3cret")), Limits::default());
    for path in
        ["/model", "/clients", "/clients/400001", "/openapi.json", "/metrics", "/features/EXT_SOURCE_3/distribution"]
    {
        let answer = send(state.clone(), get(path)).await;
        assert_error(&answer, StatusCode::UNAUTHORIZED, "unauthorized", None);
    }
    for path in ["/predict", "/predict/batch", "/explain", "/what-if", "/counterfactual"] {
        let answer = send(state.clone(), post(path, &json!({"client_id": 400001}))).await;
        assert_error(&answer, StatusCode::UNAUTHORIZED, "unauthorized", None);
    }
    for path in ["/portfolio", "/drift", "/fairness"] {
        let answer = send(state.clone(), get(path)).await;
        assert_error(&answer, StatusCode::UNAUTHORIZED, "unauthorized", None);
    }
    for authorization in ["Bearer wrong", "s3cret", "Basic s3cret", "Bearer s3cret2", "Bearer "] {
        let request = Request::get("/model").header(header::AUTHORIZATION, authorization).body(Body::empty()).unwrap();
        let answer = send(state.clone(), request).await;
        assert_error(&answer, StatusCode::UNAUTHORIZED, "unauthorized", None);
    }
    // The scheme is case-insensitive.
    for authorization in ["Bearer s3cret", "bearer s3cret"] {
        let request = Request::get("/model").header(header::AUTHORIZATION, authorization).body(Body::empty()).unwrap();
        let (status, body) = send(state.clone(), request).await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }
}

#[tokio::test]
async fn model_describes_the_served_model() {
    let (status, body) = send(state(), get("/model")).await;
    assert_eq!(status, StatusCode::OK);
    let info = bundled().info().clone();
    assert_eq!(body["model_version"], info.model_version);
    assert_eq!(body["threshold"].as_f64().unwrap(), info.threshold);
    let names: Vec<&str> = body["features"].as_array().unwrap().iter().map(|f| f["name"].as_str().unwrap()).collect();
    let expected: Vec<&str> = info.features.iter().map(|f| f.name.as_str()).collect();
    assert_eq!(names, expected);
    assert!(body["card"]["cost_curve"].is_array());
}

#[tokio::test]
async fn clients_come_a_page_at_a_time_and_can_be_searched() {
    let all = bundled().clients().unwrap();
    let (status, body) = send(state(), get("/clients?offset=10&limit=5")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["total"], all.len());
    let ids: Vec<i64> = body["clients"].as_array().unwrap().iter().map(|c| c["id"].as_i64().unwrap()).collect();
    assert_eq!(ids, all[10..15].iter().map(|c| c.id).collect::<Vec<_>>());
    assert!(body["clients"][0].get("gender").is_none() && body["clients"][0].get("CODE_GENDER").is_none());

    // The same words as the dashboard's search: "400005" and a loan type.
    let (_, body) = send(state(), get("/clients?search=400005")).await;
    assert_eq!(body["total"], 1);
    assert_eq!(body["clients"][0]["id"], 400005);
    let revolving = all.iter().filter(|c| c.contract_type.as_deref() == Some("Revolving loans")).count();
    let (_, body) = send(state(), get("/clients?search=REVOLVING&limit=1000")).await;
    assert_eq!(body["total"], revolving);
    assert!(revolving > 0);

    let answer = send(state(), get("/clients?limit=5000")).await;
    assert_error(&answer, StatusCode::BAD_REQUEST, "malformed_request", None);
    let answer = send(state(), get("/clients?offset=minus")).await;
    assert_error(&answer, StatusCode::BAD_REQUEST, "malformed_request", None);
    let answer = send(state(), get("/clients?colour=red")).await;
    assert_error(&answer, StatusCode::BAD_REQUEST, "malformed_request", None);
}

#[tokio::test]
async fn a_client_record_matches_the_scorer() {
    let (status, body) = send(state(), get("/clients/400005")).await;
    assert_eq!(status, StatusCode::OK);
    let record: pad::api::dto::ClientRecordDto = serde_json::from_value(body).unwrap();
    assert_eq!(record.to_record(), bundled().client(400005).unwrap());

    let answer = send(state(), get("/clients/12")).await;
    assert_error(&answer, StatusCode::NOT_FOUND, "unknown_client", None);
    assert_eq!(answer.1["error"]["message"], "no client with id 12");
    let answer = send(state(), get("/clients/abc")).await;
    assert_error(&answer, StatusCode::BAD_REQUEST, "malformed_request", None);
}

#[tokio::test]
async fn predict_by_id_and_by_features_equal_the_scorer_bit_for_bit() {
    let scorer = bundled();
    for id in [400001, 400003, 400005, 400777] {
        let (status, body) = send(state(), post("/predict", &json!({"client_id": id}))).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let score = scorer.predict(id).unwrap();
        assert_eq!(body["client_id"], id);
        assert_eq!(body["probability"].as_f64().unwrap().to_bits(), score.probability.to_bits());
        assert_eq!(body["threshold"].as_f64().unwrap(), score.threshold);
        assert_eq!(body["decision"], score.decision.as_str());
        assert_eq!(body["model_version"], scorer.info().model_version);

        // The same applicant sent as its raw application columns goes through the same
        // pipeline (derived ratios, categories, the DAYS_EMPLOYED placeholder), without its
        // credit history, which the API does not know for an applicant and says so.
        let features = raw_features(id);
        let (status, body) = send(state(), post("/predict", &json!({"features": features}))).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let expected = without_history().predict(id).unwrap().probability;
        assert_eq!(body["probability"].as_f64().unwrap().to_bits(), expected.to_bits(), "client {id}");
        assert_ne!(expected, score.probability, "client {id}: the history changes the score");
        let warnings = body["warnings"].as_array().unwrap();
        assert!(warnings.iter().any(|w| w.as_str().unwrap().contains("credit history")), "{body}");
        // With the client's history aggregates given by name, the by-id bits, and no warning.
        let mut with_history = raw_features(id);
        let record = scorer.client(id).unwrap();
        for (feature, field) in scorer.info().features.iter().zip(&record.fields) {
            if pad::domain::history::is_history_feature(&feature.name) {
                let value = match &field.value {
                    pad::domain::FieldValue::Number(value) => json!(value),
                    // Known to be missing (no credit of that kind): given as null.
                    _ => Value::Null,
                };
                with_history.insert(feature.name.clone(), value);
            }
        }
        let (status, body) = send(state(), post("/predict", &json!({"features": with_history}))).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["probability"].as_f64().unwrap().to_bits(), score.probability.to_bits(), "client {id}");
        assert!(body.get("warnings").is_none(), "{body}");
        // An applicant given by features is never labelled as a served client: its SK_ID_CURR
        // is echoed as `applicant_id` only.
        assert!(body["client_id"].is_null(), "{body}");
        assert_eq!(body["applicant_id"], id, "{body}");
    }
    // Nothing given: no decision, but a score when asked as an exploration.
    let answer = send(state(), post("/predict", &json!({"features": {}}))).await;
    assert_error(&answer, StatusCode::UNPROCESSABLE_ENTITY, "incomplete_application", None);
    let (status, body) = send(state(), post("/predict", &json!({"features": {}, "allow_incomplete": true}))).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["decision"], "INCOMPLETE");
    assert!(body["client_id"].is_null());
    let probability = body["probability"].as_f64().unwrap();
    assert!((0.0..=1.0).contains(&probability));
}

#[tokio::test]
async fn bad_scoring_requests_name_what_is_wrong() {
    let cases = [
        (json!({}), "invalid_request", None),
        (json!({"client_id": 400001, "features": {}}), "invalid_request", None),
        (json!({"client_id": "400001"}), "invalid_request", Some("client_id")),
        (json!({"client_id": 400001, "lang": "de"}), "invalid_request", Some("lang")),
        (json!({"client_id": 400001, "colour": "red"}), "invalid_request", None),
        (json!({"features": {"AMT_CREDITT": 1.0}}), "invalid_features", Some("features.AMT_CREDITT")),
        (json!({"features": {"AMT_CREDIT": "a lot"}}), "invalid_features", Some("features.AMT_CREDIT")),
        (json!({"features": {"AMT_CREDIT": true}}), "invalid_features", Some("features.AMT_CREDIT")),
        (json!({"features": {"AMT_CREDIT": [1, 2]}}), "invalid_features", Some("features.AMT_CREDIT")),
        (
            json!({"features": {"NAME_CONTRACT_TYPE": "Car loans"}}),
            "invalid_features",
            Some("features.NAME_CONTRACT_TYPE"),
        ),
        (json!({"features": {"NAME_CONTRACT_TYPE": 3}}), "invalid_features", Some("features.NAME_CONTRACT_TYPE")),
        (json!({"features": {"FLAG_OWN_CAR": 1}}), "invalid_features", Some("features.FLAG_OWN_CAR")),
    ];
    for (body, code, field) in cases {
        for path in ["/predict", "/explain", "/counterfactual"] {
            let answer = send(state(), post(path, &body)).await;
            assert_error(&answer, StatusCode::UNPROCESSABLE_ENTITY, code, field);
        }
    }
    // A name given twice is refused, not silently overwritten by the last value.
    let twice = Request::post("/predict")
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(r#"{"features": {"AMT_CREDIT": "x", "AMT_CREDIT": 1}}"#))
        .unwrap();
    assert_error(
        &send(state(), twice).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_features",
        Some("features.AMT_CREDIT"),
    );
    // An SK_ID_CURR that is no whole number in range names no client.
    let (status, body) =
        send(state(), post("/predict", &json!({"features": {"SK_ID_CURR": 1e19}, "allow_incomplete": true}))).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(body["client_id"].is_null(), "{body}");
    let answer = send(state(), post("/predict", &json!({"features": {"NAME_CONTRACT_TYPE": "Car loans"}}))).await;
    let message = answer.1["error"]["message"].as_str().unwrap();
    assert!(message.contains("\"Cash loans\"") && message.contains("Car loans"), "{message}");

    let answer = send(state(), post("/predict", &json!({"client_id": 5}))).await;
    assert_error(&answer, StatusCode::NOT_FOUND, "unknown_client", None);

    let malformed = Request::post("/predict")
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from("{\"client_id\": 4"))
        .unwrap();
    assert_error(&send(state(), malformed).await, StatusCode::BAD_REQUEST, "malformed_request", None);
    let not_json = Request::post("/predict").body(Body::from("{\"client_id\": 400001}")).unwrap();
    assert_error(&send(state(), not_json).await, StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type", None);

    let small = AppState::new(bundled(), None, Limits { max_body_bytes: 64, ..Limits::default() });
    let big =
        json!({"features": {"AMT_CREDIT": 1.0, "AMT_ANNUITY": 2.0, "AMT_INCOME_TOTAL": 3.0, "AMT_GOODS_PRICE": 4.0}});
    assert_error(&send(small, post("/predict", &big)).await, StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large", None);
}

#[tokio::test]
async fn a_batch_scores_in_order_within_its_limit() {
    let scorer = bundled();
    let items = json!({"items": [{"client_id": 400003}, {"features": raw_features(400005)}, {"client_id": 400001}]});
    let (status, body) = send(state(), post("/predict/batch", &items)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let results = body["results"].as_array().unwrap();
    let by_features = without_history();
    for ((result, id), scorer) in results.iter().zip([400003, 400005, 400001]).zip([&scorer, &by_features, &scorer]) {
        assert_eq!(
            result["probability"].as_f64().unwrap().to_bits(),
            scorer.predict(id).unwrap().probability.to_bits()
        );
    }

    let bad = json!({"items": [{"client_id": 400003}, {"client_id": 7}]});
    let answer = send(state(), post("/predict/batch", &bad)).await;
    assert_error(&answer, StatusCode::UNPROCESSABLE_ENTITY, "unknown_client", Some("items[1].client_id"));
    let bad = json!({"items": [{"client_id": 400003}, {"features": {"AMT_CREDIT": "x"}}]});
    let answer = send(state(), post("/predict/batch", &bad)).await;
    assert_error(&answer, StatusCode::UNPROCESSABLE_ENTITY, "invalid_features", Some("items[1].features.AMT_CREDIT"));

    let bad = json!({"items": [{"client_id": 400003}, {"client_id": "400005"}]});
    let answer = send(state(), post("/predict/batch", &bad)).await;
    assert_error(&answer, StatusCode::UNPROCESSABLE_ENTITY, "invalid_request", Some("items[1].client_id"));

    let limited = AppState::new(bundled(), None, Limits { max_batch: 2, ..Limits::default() });
    let answer = send(limited, post("/predict/batch", &items)).await;
    assert_error(&answer, StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large", None);
}

#[tokio::test]
async fn explain_returns_the_scorers_contributions_and_reasons_in_the_language_asked() {
    let scorer = bundled();
    for id in [400003, 400005] {
        let expected = scorer.explain(id).unwrap();
        let (status, body) = send(state(), post("/explain", &json!({"client_id": id}))).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let response: pad::api::dto::ExplainResponse = serde_json::from_value(body.clone()).unwrap();
        assert_eq!(response.to_explanation(&scorer.info().features).unwrap(), expected);
        assert_eq!(body["expected_value"].as_f64().unwrap(), expected.expected_value);
        assert_eq!(body["model_version"], scorer.info().model_version);
        assert_eq!(body["lang"], "en");
        // log-odds sum to the raw score.
        let sum: f64 = response.contributions.iter().map(|c| c.log_odds).sum::<f64>() + response.expected_value;
        assert!((sum - response.raw_score).abs() < 1e-9);
        assert_eq!(body["reasons"][0]["text"], expected.reasons[0].text.en);

        for request in [
            post("/explain", &json!({"client_id": id, "lang": "fr"})),
            post("/explain?lang=fr", &json!({"client_id": id})),
        ] {
            let (status, body) = send(state(), request).await;
            assert_eq!(status, StatusCode::OK, "{body}");
            assert_eq!(body["lang"], "fr");
            assert_eq!(body["reasons"][0]["text"], expected.reasons[0].text.fr);
        }
        let by_features = send(state(), post("/explain", &json!({"features": raw_features(id)}))).await;
        let response: pad::api::dto::ExplainResponse = serde_json::from_value(by_features.1).unwrap();
        let expected = without_history().explain(id).unwrap();
        assert_eq!(response.to_explanation(&scorer.info().features).unwrap(), expected);
    }
    let answer = send(state(), post("/explain", &json!({"client_id": 400003, "lang": "de"}))).await;
    assert_error(&answer, StatusCode::UNPROCESSABLE_ENTITY, "invalid_request", None);
    let answer = send(state(), post("/explain?lang=de", &json!({"client_id": 400003}))).await;
    assert_error(&answer, StatusCode::BAD_REQUEST, "malformed_request", None);
}

#[tokio::test]
async fn what_if_and_counterfactual_match_the_scorer() {
    let scorer = bundled();
    let changes = json!({"AMT_CREDIT": 200000.0, "AMT_ANNUITY": 12000.0});
    let (status, body) = send(state(), post("/what-if", &json!({"client_id": 400005, "changes": changes}))).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let response: pad::api::dto::ExplainResponse = serde_json::from_value(body).unwrap();
    let expected = scorer.what_if(400005, &[("AMT_CREDIT".into(), 200000.0), ("AMT_ANNUITY".into(), 12000.0)]).unwrap();
    assert_eq!(response.to_explanation(&scorer.info().features).unwrap(), expected);

    let answer = send(state(), post("/what-if", &json!({"client_id": 400005, "changes": {"EXT_SOURCE_3": 0.9}}))).await;
    assert_error(&answer, StatusCode::UNPROCESSABLE_ENTITY, "invalid_features", Some("changes.EXT_SOURCE_3"));
    let answer = send(state(), post("/what-if", &json!({"client_id": 400005, "changes": {"AMT_CREDITT": 1.0}}))).await;
    assert_error(&answer, StatusCode::UNPROCESSABLE_ENTITY, "invalid_features", Some("changes.AMT_CREDITT"));
    let answer =
        send(state(), post("/what-if", &json!({"client_id": 400005, "changes": {"AMT_CREDIT": "less"}}))).await;
    assert_error(&answer, StatusCode::UNPROCESSABLE_ENTITY, "invalid_features", Some("changes.AMT_CREDIT"));
    let answer = send(state(), post("/what-if", &json!({"client_id": 1, "changes": {}}))).await;
    assert_error(&answer, StatusCode::NOT_FOUND, "unknown_client", None);

    for id in [400003, 400005] {
        let (status, body) = send(state(), post("/counterfactual", &json!({"client_id": id, "lang": "fr"}))).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let response: pad::api::dto::CounterfactualResponse = serde_json::from_value(body.clone()).unwrap();
        let expected = scorer.counterfactual(id).unwrap();
        assert_eq!(response.to_counterfactual(), expected);
        assert_eq!(body["text"].as_str(), expected.text().map(|text| text.fr.as_str()));
    }
}

#[tokio::test]
async fn distributions_portfolio_and_drift() {
    let scorer = bundled();
    let (status, body) = send(state(), get("/features/EXT_SOURCE_3/distribution")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let response: pad::api::dto::DistributionResponse = serde_json::from_value(body).unwrap();
    assert_eq!(response.to_distribution().unwrap(), scorer.distribution("EXT_SOURCE_3").unwrap());
    let (_, body) = send(state(), get("/features/NAME_CONTRACT_TYPE/distribution")).await;
    assert!(body["categories"].is_array() && body["edges"].is_null(), "{body}");
    let answer = send(state(), get("/features/SHOE_SIZE/distribution")).await;
    assert_error(&answer, StatusCode::NOT_FOUND, "unknown_feature", None);

    let state = state();
    let (status, body) = send(state.clone(), get("/portfolio")).await;
    assert_eq!(status, StatusCode::OK);
    let portfolio: pad::api::dto::PortfolioResponse = serde_json::from_value(body).unwrap();
    assert_eq!(Portfolio::from(portfolio), scorer.portfolio(&|_, _| ()).unwrap());
    let (status, body) = send(state.clone(), get("/drift")).await;
    assert_eq!(status, StatusCode::OK);
    let report: pad::drift::DriftReport = serde_json::from_value(body).unwrap();
    assert_eq!(report, scorer.drift().unwrap());
    let (status, body) = send(state, get("/fairness")).await;
    assert_eq!(status, StatusCode::OK);
    let report: pad::fairness::FairnessReport = serde_json::from_value(body).unwrap();
    assert_eq!(report, scorer.fairness().unwrap());
    assert_eq!(report.attributes.len(), 4);
}

#[tokio::test]
async fn unknown_routes_and_methods_answer_in_json() {
    let answer = send(state(), get("/predictions")).await;
    assert_error(&answer, StatusCode::NOT_FOUND, "not_found", None);
    let answer = send(state(), get("/predict")).await;
    assert_error(&answer, StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed", None);
}

#[tokio::test]
async fn openapi_describes_every_route() {
    let (status, body) = send(state(), get("/openapi.json")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(body["openapi"].as_str().unwrap().starts_with("3."));
    let paths = body["paths"].as_object().unwrap();
    let routes = [
        ("/health", "get"),
        ("/model", "get"),
        ("/clients", "get"),
        ("/clients/{id}", "get"),
        ("/clients/{id}/history", "get"),
        ("/predict", "post"),
        ("/predict/batch", "post"),
        ("/explain", "post"),
        ("/what-if", "post"),
        ("/counterfactual", "post"),
        ("/features/{name}/distribution", "get"),
        ("/portfolio", "get"),
        ("/drift", "get"),
        ("/fairness", "get"),
        ("/openapi.json", "get"),
        ("/metrics", "get"),
        ("/decisions", "post"),
        ("/decisions/{id}", "get"),
        ("/decisions/{id}/contest", "post"),
        ("/decisions/{id}/review", "post"),
        ("/decisions/{id}/case", "get"),
        ("/contests", "get"),
        ("/access-log", "get"),
        ("/me", "get"),
        ("/checkpoint", "get"),
        ("/checkpoint/consistency", "get"),
        ("/decisions/{id}/proof", "get"),
    ];
    assert_eq!(paths.len(), routes.len(), "{:?}", paths.keys().collect::<Vec<_>>());
    for (path, method) in routes {
        assert!(paths[path][method].is_object(), "{method} {path} missing");
        // Each route answers something other than 404 or 405 at that method.
        let request = Request::builder()
            .method(method.to_uppercase().as_str())
            .uri(path.replace("{id}", "400001").replace("{name}", "EXT_SOURCE_3"))
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from("{\"client_id\": 400001}"))
            .unwrap();
        let response = router(state()).oneshot(request).await.unwrap();
        assert!(![StatusCode::NOT_FOUND, StatusCode::METHOD_NOT_ALLOWED].contains(&response.status()), "{path}");
    }
    let schemas = body["components"]["schemas"].as_object().unwrap();
    for schema in ["ScoreRequest", "PredictResponse", "ExplainResponse", "ErrorBody", "ReasonDto"] {
        assert!(schemas.contains_key(schema), "{schema}");
    }
    assert_eq!(body["components"]["securitySchemes"]["bearer"]["scheme"], "bearer");
    let predict = &schemas["PredictResponse"]["properties"];
    for field in ["probability", "threshold", "decision", "model_version"] {
        assert!(predict[field].is_object(), "{field}");
    }
}

#[tokio::test]
async fn metrics_count_requests_per_route_and_status() {
    let state = state();
    let app = router(state);
    for id in [400001, 400002, 9] {
        let response = app.clone().oneshot(post("/predict", &json!({"client_id": id}))).await.unwrap();
        let _ = axum::body::to_bytes(response.into_body(), usize::MAX).await.unwrap();
    }
    let response = app.clone().oneshot(get("/clients/400001")).await.unwrap();
    let _ = axum::body::to_bytes(response.into_body(), usize::MAX).await.unwrap();
    let response = app.oneshot(get("/metrics")).await.unwrap();
    assert!(response.headers()[header::CONTENT_TYPE].to_str().unwrap().starts_with("application/openmetrics-text"));
    let text =
        String::from_utf8(axum::body::to_bytes(response.into_body(), usize::MAX).await.unwrap().to_vec()).unwrap();
    let count = |labels: &str| -> f64 {
        let line = text.lines().find(|line| line.starts_with(&format!("pad_http_requests_total{{{labels}}}")));
        line.unwrap_or_else(|| panic!("{labels} not in\n{text}")).rsplit(' ').next().unwrap().parse().unwrap()
    };
    assert_eq!(count("method=\"POST\",route=\"/predict\",status=\"200\""), 2.0);
    assert_eq!(count("method=\"POST\",route=\"/predict\",status=\"404\""), 1.0);
    // The route pattern, never the id.
    assert_eq!(count("method=\"GET\",route=\"/clients/{id}\",status=\"200\""), 1.0);
    assert!(!text.contains("400001"));
    assert!(
        text.contains("pad_http_request_duration_seconds_bucket{le=\"0.0001\",method=\"POST\",route=\"/predict\"}")
            || text.contains("pad_http_request_duration_seconds_bucket{method=\"POST\",route=\"/predict\",le="),
        "{text}"
    );
}

#[tokio::test]
async fn responses_carry_a_request_id() {
    let response = router(state()).oneshot(get("/health")).await.unwrap();
    let made = response.headers()["x-request-id"].to_str().unwrap().to_string();
    assert_eq!(made.len(), 16);
    let request = Request::get("/health").header("x-request-id", "abc-123").body(Body::empty()).unwrap();
    let response = router(state()).oneshot(request).await.unwrap();
    assert_eq!(response.headers()["x-request-id"], "abc-123");
}

/// A scorer that is slow or broken, to reach the timeout and internal errors.
struct Faulty {
    inner: Arc<LocalScorer>,
    delay: Duration,
}

impl Scorer for Faulty {
    fn info(&self) -> &ScorerInfo {
        self.inner.info()
    }
    fn clients(&self) -> Result<Vec<ClientSummary>, ScoringError> {
        self.inner.clients()
    }
    fn client(&self, _: ClientId) -> Result<ClientRecord, ScoringError> {
        Err(ScoringError::NoIds("/secret/path/applicants.csv".into()))
    }
    fn predict(&self, id: ClientId) -> Result<Score, ScoringError> {
        std::thread::sleep(self.delay);
        self.inner.predict(id)
    }
    fn explain(&self, id: ClientId) -> Result<Explanation, ScoringError> {
        self.inner.explain(id)
    }
    fn predict_inputs(&self, inputs: &FeatureInputs) -> Result<Score, ScoringError> {
        self.inner.predict_inputs(inputs)
    }
    fn explain_inputs(&self, inputs: &FeatureInputs) -> Result<Explanation, ScoringError> {
        self.inner.explain_inputs(inputs)
    }
    fn counterfactual(&self, id: ClientId) -> Result<Counterfactual, ScoringError> {
        self.inner.counterfactual(id)
    }
    fn what_if(&self, id: ClientId, changes: &[(String, f64)]) -> Result<Explanation, ScoringError> {
        self.inner.what_if(id, changes)
    }
    fn distribution(&self, feature: &str) -> Result<Distribution, ScoringError> {
        self.inner.distribution(feature)
    }
    fn portfolio(&self, progress: &(dyn Fn(usize, usize) + Sync)) -> Result<Portfolio, ScoringError> {
        self.inner.portfolio(progress)
    }
    fn drift(&self) -> Result<pad::drift::DriftReport, ScoringError> {
        self.inner.drift()
    }
    fn fairness(&self) -> Result<pad::fairness::FairnessReport, ScoringError> {
        self.inner.fairness()
    }
}

#[tokio::test]
async fn a_slow_request_times_out_and_an_internal_error_hides_its_cause() {
    let faulty = Faulty { inner: bundled(), delay: Duration::from_millis(1500) };
    let state = AppState::new(Arc::new(faulty), None, Limits { timeout: Duration::from_secs(1), ..Limits::default() });
    let answer = send(state.clone(), post("/predict", &json!({"client_id": 400001}))).await;
    assert_error(&answer, StatusCode::SERVICE_UNAVAILABLE, "timeout", None);

    let answer = send(state.clone(), get("/clients/400001")).await;
    assert_error(&answer, StatusCode::INTERNAL_SERVER_ERROR, "internal", None);
    // Requests given up or failed leave the in-flight gauge: only /metrics itself is in flight.
    let response = router(state).oneshot(get("/metrics")).await.unwrap();
    let text =
        String::from_utf8(axum::body::to_bytes(response.into_body(), usize::MAX).await.unwrap().to_vec()).unwrap();
    assert!(text.lines().any(|line| line == "pad_http_requests_in_flight 1"), "{text}");
    assert!(text.contains("route=\"/predict\",status=\"503\""), "{text}");
    assert_eq!(answer.1["error"]["message"], "internal error");
    assert!(!answer.1.to_string().contains("secret"), "{}", answer.1);
}

/// The required fields of the bundled card that the model reads.
fn card_required_used() -> Vec<String> {
    common::card_required_read(&bundled().info().features)
}

#[tokio::test]
async fn an_application_of_three_fields_gets_no_decision_but_a_422_naming_every_missing_field() {
    // The README's example: three fields out of more than a hundred.
    let body =
        json!({"features": {"AMT_CREDIT": 450000, "AMT_INCOME_TOTAL": 135000, "NAME_CONTRACT_TYPE": "Cash loans"}});
    let required = card_required_used();
    assert!(required.len() > 10, "{required:?}");
    for route in ["/predict", "/explain"] {
        let answer = send(state(), post(route, &body)).await;
        assert_error(&answer, StatusCode::UNPROCESSABLE_ENTITY, "incomplete_application", None);
        let message = answer.1["error"]["message"].as_str().unwrap();
        for field in &required {
            let given = ["AMT_CREDIT", "AMT_INCOME_TOTAL", "NAME_CONTRACT_TYPE"].contains(&field.as_str());
            assert_eq!(message.contains(field.as_str()), !given, "{route}: {field} in {message}");
        }
    }
    // Asked as an exploration: a probability, labelled INCOMPLETE, with the same fields.
    let mut exploratory = body.clone();
    exploratory["allow_incomplete"] = json!(true);
    let (status, answer) = send(state(), post("/explain", &exploratory)).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!(answer["decision"], "INCOMPLETE");
    assert!(answer["reasons"].as_array().unwrap().is_empty(), "no reasons without a decision: {answer}");
    let missing: Vec<String> =
        answer["missing_required"].as_array().unwrap().iter().map(|name| name.as_str().unwrap().to_string()).collect();
    let given = ["AMT_CREDIT", "AMT_INCOME_TOTAL", "NAME_CONTRACT_TYPE"];
    let expected: Vec<&String> = required.iter().filter(|field| !given.contains(&field.as_str())).collect();
    assert_eq!(missing.iter().collect::<Vec<_>>(), expected);
    // In a batch the failing item is named.
    let batch = json!({"items": [{"client_id": 400001}, body]});
    let answer = send(state(), post("/predict/batch", &batch)).await;
    assert_error(&answer, StatusCode::UNPROCESSABLE_ENTITY, "incomplete_application", None);
    assert!(answer.1["error"]["message"].as_str().unwrap().contains("items[1]"), "{}", answer.1);
}

#[tokio::test]
async fn a_complete_application_less_any_one_required_field_is_never_decided() {
    // Client 400002's own row is complete; take away each required field in turn.
    let complete = raw_features(400002);
    let (status, answer) = send(state(), post("/predict", &json!({"features": complete}))).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert!(answer["decision"] == "ACCEPTED" || answer["decision"] == "REFUSED", "{answer}");
    for field in card_required_used() {
        for absent in [None, Some(Value::Null), Some(json!(""))] {
            let mut features = complete.clone();
            match &absent {
                None => drop(features.remove(&field)),
                Some(value) => drop(features.insert(field.clone(), value.clone())),
            }
            let answer = send(state(), post("/predict", &json!({"features": features}))).await;
            if absent == Some(json!("")) && answer.0 == StatusCode::UNPROCESSABLE_ENTITY {
                // An empty text for a number is refused as such, naming the field: no decision either.
                assert!(answer.1["error"]["message"].as_str().unwrap().contains(&field), "{}", answer.1);
                continue;
            }
            assert_error(&answer, StatusCode::UNPROCESSABLE_ENTITY, "incomplete_application", None);
            assert!(answer.1["error"]["message"].as_str().unwrap().contains(&field), "{field}: {}", answer.1);
        }
    }
}

#[tokio::test]
async fn an_incomplete_served_client_has_no_counterfactual_and_the_record_says_what_is_missing() {
    let scorer = bundled();
    let (id, field) = common::first_incomplete_applicant(&card_required_used());
    let answer = send(state(), post("/counterfactual", &json!({"client_id": id}))).await;
    assert_error(&answer, StatusCode::UNPROCESSABLE_ENTITY, "incomplete_application", None);
    let (status, record) = send(state(), get(&format!("/clients/{id}"))).await;
    assert_eq!(status, StatusCode::OK);
    assert!(record["missing_required"].as_array().unwrap().iter().any(|name| name == field.as_str()), "{record}");
    let score = scorer.predict(id).unwrap();
    assert_eq!(score.decision, pad::domain::Decision::Incomplete);
    let (status, answer) = send(state(), post("/predict", &json!({"client_id": id, "allow_incomplete": true}))).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(answer["probability"], json!(score.probability));
}

#[tokio::test]
async fn an_applicant_given_by_features_is_never_labelled_as_a_served_client() {
    // Client 400005 is served and REFUSED; an applicant sent with only its SK_ID_CURR has every
    // other input missing and another score: it must not come back as client 400005.
    let served = bundled().predict(400005).unwrap();
    for path in ["/predict", "/explain"] {
        let request = json!({"features": {"SK_ID_CURR": 400005}, "allow_incomplete": true});
        let (status, body) = send(state(), post(path, &request)).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert!(body["client_id"].is_null(), "{path}: {body}");
        assert_eq!(body["applicant_id"], 400005, "{path}: {body}");
        assert_ne!(body["probability"].as_f64().unwrap().to_bits(), served.probability.to_bits());
    }
    let (_, body) = send(state(), post("/predict", &json!({"client_id": 400005}))).await;
    assert_eq!(body["client_id"], 400005, "{body}");
    assert!(body["applicant_id"].is_null(), "{body}");
}

#[tokio::test]
async fn a_batch_asks_for_each_client_once() {
    let twice = json!({"items": [{"client_id": 400003}, {"client_id": 400005}, {"client_id": 400003}]});
    let answer = send(state(), post("/predict/batch", &twice)).await;
    assert_error(&answer, StatusCode::UNPROCESSABLE_ENTITY, "invalid_request", Some("items[2].client_id"));
    let message = answer.1["error"]["message"].as_str().unwrap();
    assert!(message.contains("client 400003 is already items[0]"), "{message}");
}

#[tokio::test]
async fn values_of_the_wrong_type_or_range_are_422_naming_the_field() {
    // serde_json calls both syntax errors; the JSON is well-formed, so they are about a field.
    let cases = [
        ("/explain", json!({"client_id": 400001, "lang": 5}), "lang"),
        ("/counterfactual", json!({"client_id": 400001, "lang": 5}), "lang"),
    ];
    for (path, body, field) in cases {
        let answer = send(state(), post(path, &body)).await;
        assert_error(&answer, StatusCode::UNPROCESSABLE_ENTITY, "invalid_request", Some(field));
    }
    // 1e400 is beyond f64: it cannot be written with serde_json's Value, so sent as text.
    for (body, field) in
        [(r#"{"features": {"AMT_CREDIT": 1e400}}"#, "features.AMT_CREDIT"), (r#"{"client_id": 1e400}"#, "client_id")]
    {
        let request =
            Request::post("/predict").header(header::CONTENT_TYPE, "application/json").body(Body::from(body)).unwrap();
        let answer = send(state(), request).await;
        assert_error(&answer, StatusCode::UNPROCESSABLE_ENTITY, "invalid_request", Some(field));
        let message = answer.1["error"]["message"].as_str().unwrap();
        assert!(message.contains("out of range"), "{message}");
    }
    // Broken JSON stays a 400.
    let broken = Request::post("/predict")
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(r#"{"client_id": 1e400"#))
        .unwrap();
    assert_error(&send(state(), broken).await, StatusCode::BAD_REQUEST, "malformed_request", None);
}

#[tokio::test]
async fn every_route_with_a_lang_query_checks_it() {
    for (path, body) in [
        ("/explain", json!({"client_id": 400003})),
        ("/counterfactual", json!({"client_id": 400003})),
        ("/what-if", json!({"client_id": 400003, "changes": {}})),
    ] {
        let answer = send(state(), post(&format!("{path}?lang=xx"), &body)).await;
        assert_error(&answer, StatusCode::BAD_REQUEST, "malformed_request", None);
        let message = answer.1["error"]["message"].as_str().unwrap();
        assert!(message.contains("lang") && message.contains("`xx`"), "{path}: {message}");
        let (status, answer) = send(state(), post(&format!("{path}?lang=fr"), &body)).await;
        assert_eq!(status, StatusCode::OK, "{path}: {answer}");
    }
    // The query's language is the one used when the body does not say.
    let (_, body) = send(state(), post("/counterfactual?lang=fr", &json!({"client_id": 400005}))).await;
    let (_, english) = send(state(), post("/counterfactual", &json!({"client_id": 400005}))).await;
    assert!(body["text"].is_string(), "{body}");
    assert_ne!(body["text"], english["text"], "{body}");
}

#[tokio::test]
async fn the_document_lists_the_errors_every_route_can_give() {
    let (status, document) = send(state(), get("/openapi.json")).await;
    assert_eq!(status, StatusCode::OK);
    for (path, method) in
        [("/predict", "post"), ("/counterfactual", "post"), ("/what-if", "post"), ("/predict/batch", "post")]
    {
        let responses = &document["paths"][path][method]["responses"];
        for status in ["200", "400", "401", "413", "415", "422", "503"] {
            assert!(responses.get(status).is_some(), "{method} {path} does not list {status}: {responses}");
        }
    }
    for path in ["/clients", "/clients/{id}", "/features/{name}/distribution"] {
        let responses = &document["paths"][path]["get"]["responses"];
        for status in ["200", "400", "401", "503"] {
            assert!(responses.get(status).is_some(), "GET {path} does not list {status}: {responses}");
        }
    }
    let applicant = &document["components"]["schemas"]["PredictResponse"]["properties"]["applicant_id"];
    assert!(applicant["description"].as_str().is_some_and(|text| text.contains("never looked up")), "{applicant}");
}

#[tokio::test]
async fn counterfactual_takes_an_applicant_by_features_as_the_other_scoring_routes() {
    // 400005 is a refused cash loan, 400023 a refused revolving line, 400002 is accepted.
    let scorer = bundled();
    for id in [400005, 400023, 400002] {
        let (status, by_id) = send(state(), post("/counterfactual", &json!({"client_id": id, "lang": "fr"}))).await;
        assert_eq!(status, StatusCode::OK, "{by_id}");
        let request = json!({"features": raw_features(id), "lang": "fr"});
        let (status, by_features) = send(state(), post("/counterfactual", &request)).await;
        assert_eq!(status, StatusCode::OK, "{by_features}");
        // The same answer, but for whom it is: never taken for the served client.
        assert_eq!(by_id["client_id"], id, "{by_id}");
        assert!(by_id["applicant_id"].is_null(), "{by_id}");
        assert!(by_features["client_id"].is_null(), "{by_features}");
        assert_eq!(by_features["applicant_id"], id, "{by_features}");
        // By id with the client's credit history, by features without it (the API does not
        // know an applicant's history): each the scorer's answer for that input.
        let response: pad::api::dto::CounterfactualResponse = serde_json::from_value(by_id).unwrap();
        assert_eq!(response.to_counterfactual(), scorer.counterfactual(id).unwrap(), "client {id}");
        let response: pad::api::dto::CounterfactualResponse = serde_json::from_value(by_features).unwrap();
        assert_eq!(response.to_counterfactual(), without_history().counterfactual(id).unwrap(), "client {id}");
    }
    // The revolving line is worded and described as one.
    let (_, line) = send(state(), post("/counterfactual", &json!({"client_id": 400023}))).await;
    assert_eq!(line["loan"], "revolving_credit", "{line}");
    if line["outcome"] == "found" {
        let levers: Vec<&str> =
            line["changes"].as_array().unwrap().iter().map(|c| c["lever"].as_str().unwrap()).collect();
        assert!(levers.contains(&"credit_limit") && !levers.contains(&"amount_borrowed"), "{line}");
        assert!(line["text"].as_str().unwrap().contains("credit limit"), "{line}");
    } else {
        assert!(line["text"].as_str().unwrap().starts_with("No lower credit limit"), "{line}");
    }
    // An applicant lacking a required field has no decision to change, and there is no
    // exploratory search.
    let mut features = raw_features(400005);
    let field = card_required_used().into_iter().next().unwrap();
    features.remove(&field);
    let answer = send(state(), post("/counterfactual", &json!({"features": features}))).await;
    assert_error(&answer, StatusCode::UNPROCESSABLE_ENTITY, "incomplete_application", None);
    let message = answer.1["error"]["message"].as_str().unwrap();
    assert!(message.contains(&field) && !message.contains("allow_incomplete"), "{message}");
    let exploratory = json!({"features": raw_features(400005), "allow_incomplete": true});
    let answer = send(state(), post("/counterfactual", &exploratory)).await;
    assert_error(&answer, StatusCode::UNPROCESSABLE_ENTITY, "invalid_request", None);
}

#[tokio::test]
async fn a_derived_feature_among_the_features_is_ignored_with_a_warning() {
    let plain = raw_features(400002);
    let mut given = plain.clone();
    given.insert("CREDIT_TERM".into(), json!(5));
    for route in ["/predict", "/explain"] {
        let without = send(state(), post(route, &json!({"features": plain}))).await;
        let with = send(state(), post(route, &json!({"features": given}))).await;
        assert_eq!(with.0, StatusCode::OK, "{}", with.1);
        // The same bits: CREDIT_TERM is AMT_ANNUITY / AMT_CREDIT whatever was sent.
        assert_eq!(with.1["probability"], without.1["probability"], "{route}");
        // The model reads the credit history, which an applicant given by features lacks.
        let history = without.1["warnings"].as_array().unwrap();
        assert_eq!(history.len(), 1, "{route}: {}", without.1);
        assert!(history[0].as_str().unwrap().starts_with("the credit history of an applicant"), "{}", without.1);
        assert_eq!(
            with.1["warnings"],
            json!([
                "`CREDIT_TERM` is computed from AMT_ANNUITY and AMT_CREDIT: the value given for it is ignored",
                history[0]
            ]),
            "{route}"
        );
    }
}

#[tokio::test]
async fn every_route_gives_every_bundled_client_the_same_bits() {
    // One scoring path: /portfolio, /predict and /explain give each of the 1,000 bundled
    // clients the same probability, to the last bit, as the in-process scorer.
    let scorer = bundled();
    let state = state();
    let (status, body) = send(state.clone(), get("/portfolio")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let portfolio: pad::api::dto::PortfolioResponse = serde_json::from_value(body).unwrap();
    let ids: Vec<ClientId> = scorer.clients().unwrap().iter().map(|client| client.id).collect();
    assert_eq!(ids.len(), 1000);
    assert_eq!(portfolio.probabilities.len(), ids.len());
    for (&id, portfolio_probability) in ids.iter().zip(&portfolio.probabilities) {
        let bits = scorer.predict(id).unwrap().probability.to_bits();
        assert_eq!(portfolio_probability.to_bits(), bits, "client {id}: /portfolio");
        for route in ["/predict", "/explain"] {
            let request = json!({"client_id": id, "allow_incomplete": true});
            let (status, body) = send(state.clone(), post(route, &request)).await;
            assert_eq!(status, StatusCode::OK, "{body}");
            assert_eq!(body["probability"].as_f64().unwrap().to_bits(), bits, "client {id}: {route}");
        }
    }
}

#[tokio::test]
async fn empty_query_parameters_are_absent() {
    // As the README and `pad serve --help` write the route, and as an HTML form sends it.
    let (status, body) = send(state(), get("/clients?search=&offset=&limit=")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (_, plain) = send(state(), get("/clients")).await;
    assert_eq!(body, plain);
    let (status, body) = send(state(), post("/explain?lang=", &json!({"client_id": 400005}))).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["lang"], "en");
    // A value that is given must still be right, naming the parameter.
    let answer = send(state(), get("/clients?offset=&limit=x")).await;
    assert_error(&answer, StatusCode::BAD_REQUEST, "malformed_request", None);
    assert!(answer.1["error"]["message"].as_str().unwrap().contains("limit"), "{}", answer.1);
}
