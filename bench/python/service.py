"""Reference credit-scoring API in Python: FastAPI + LightGBM + shap.TreeExplainer.

The same model, data and answers as `pad serve`, written the usual Python way, as a baseline
for the load tests in bench/load/.

    uvicorn --app-dir bench/python service:app --host 127.0.0.1 --port 8001 --workers 2

Environment: PAD_MODEL (default assets/model.txt; its card is model.json beside it) and
PAD_DATA (default data/applicants.csv), both relative to the repository root.
"""

import json
import os
import warnings
from pathlib import Path

import lightgbm as lgb
import numpy as np
import pandas as pd
import shap
from fastapi import FastAPI, HTTPException
from pydantic import BaseModel

ROOT = Path(__file__).resolve().parents[2]
MODEL_PATH = ROOT / os.environ.get("PAD_MODEL", "assets/model.txt")
DATA_PATH = ROOT / os.environ.get("PAD_DATA", "data/applicants.csv")
CARD_PATH = MODEL_PATH.with_name("model.json")

DAYS_EMPLOYED_ANOMALY = 365243
PIPELINE_VERSION = "pad-features/1"


def load_card(path):
    return json.loads(path.read_text()) if path.exists() else {}


def model_categories(booster, card, raw, feature_names):
    """Category lists per feature: the card's when it lists them, else the model file's
    pandas_categorical (one list per text column, in model order)."""
    categories = {}
    text_columns = [n for n in feature_names if n in raw.columns and not pd.api.types.is_numeric_dtype(raw[n])]
    categories.update(zip(text_columns, booster.pandas_categorical or []))
    for feature in card.get("features", []):
        if feature.get("categories") is not None:
            categories[feature["name"]] = feature["categories"]
    return categories


def ratio(numerator, denominator):
    """A ratio that is missing (NaN) rather than infinite when the denominator is 0 or missing."""
    return numerator / denominator.where(denominator != 0)


def build_features(raw, feature_names, categories, clean_days_employed):
    """The model's input table: one row per client, one column per model feature, in order."""
    df = raw.copy()
    days_employed = df["DAYS_EMPLOYED"]
    days_clean = days_employed.where(days_employed != DAYS_EMPLOYED_ANOMALY)
    derived = {
        "DAYS_EMPLOYED_ANOM": (days_employed == DAYS_EMPLOYED_ANOMALY).astype(float).where(days_employed.notna()),
        "CREDIT_INCOME_RATIO": ratio(df["AMT_CREDIT"], df["AMT_INCOME_TOTAL"]),
        "ANNUITY_INCOME_RATIO": ratio(df["AMT_ANNUITY"], df["AMT_INCOME_TOTAL"]),
        "CREDIT_TERM": ratio(df["AMT_ANNUITY"], df["AMT_CREDIT"]),
        "GOODS_CREDIT_RATIO": ratio(df["AMT_GOODS_PRICE"], df["AMT_CREDIT"]),
        "DAYS_EMPLOYED_RATIO": ratio(days_clean, df["DAYS_BIRTH"]),
        "AGE_YEARS": -df["DAYS_BIRTH"] / 365.25,
    }
    for name, values in derived.items():
        if name not in df.columns:
            df[name] = values
    if clean_days_employed:
        df["DAYS_EMPLOYED"] = days_clean
    for name, labels in categories.items():
        # Ordinal code: the label's position in the model's list; unknown or missing -> NaN.
        codes = {label: float(i) for i, label in enumerate(labels)}
        df[name] = df[name].map(codes).astype(float)
    return df[feature_names].astype(float)


card = load_card(CARD_PATH)
booster = lgb.Booster(model_file=str(MODEL_PATH))
FEATURES = booster.feature_name()
THRESHOLD = float(card.get("threshold", 0.5))
MODEL_VERSION = card.get("model_version", MODEL_PATH.name)
CLEAN_DAYS_EMPLOYED = card.get("pipeline") == PIPELINE_VERSION

applicants = pd.read_csv(DATA_PATH)
CATEGORIES = model_categories(booster, card, applicants, FEATURES)
X = build_features(applicants, FEATURES, CATEGORIES, CLEAN_DAYS_EMPLOYED)
X.index = applicants["SK_ID_CURR"].astype(int)
explainer = shap.TreeExplainer(booster)
# shap warns on every call for LightGBM binary models that its output "changed to a list";
# it is one array here (handled below either way), and the warning would flood the logs.
warnings.filterwarnings("ignore", message="LightGBM binary classifier with TreeExplainer")

app = FastAPI(title="pad reference service (Python)")


class ClientRequest(BaseModel):
    client_id: int


def client_row(client_id):
    if client_id not in X.index:
        raise HTTPException(status_code=404, detail=f"unknown client {client_id}")
    return X.loc[[client_id]]


def score(client_id):
    row = client_row(client_id)
    probability = float(booster.predict(row)[0])
    decision = "ACCEPTED" if probability < THRESHOLD else "REFUSED"
    return row, {
        "client_id": client_id,
        "probability": probability,
        "threshold": THRESHOLD,
        "decision": decision,
        "model_version": MODEL_VERSION,
    }


def explain(client_id):
    row, result = score(client_id)
    shap_values = explainer.shap_values(row)
    expected_value = explainer.expected_value
    if isinstance(shap_values, list):  # older shap: one array per class
        shap_values = shap_values[-1]
    expected_value = float(np.ravel(expected_value)[-1])
    result["expected_value"] = expected_value
    result["contributions"] = [
        {"feature": name, "log_odds": float(value)} for name, value in zip(FEATURES, shap_values[0])
    ]
    return result


@app.post("/predict")
def predict_endpoint(request: ClientRequest):
    return score(request.client_id)[1]


@app.post("/explain")
def explain_endpoint(request: ClientRequest):
    return explain(request.client_id)


@app.get("/health")
def health():
    return {"status": "ok", "model_version": MODEL_VERSION, "clients": len(X)}
