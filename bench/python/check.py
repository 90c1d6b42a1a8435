"""Correctness check of the reference service (run from anywhere):

    ~/.pad-bench-venv/bin/python bench/python/check.py

For 20 clients: the /predict probability equals booster.predict on a model row built here
independently from the CSV (plain csv module, the formulas of src/data/pipeline.rs and the
card's category lists), /explain contributions + expected_value equal the raw score to 1e-6,
the decision follows the threshold, and an unknown id is a 404. Two clients are also compared
with the probabilities the dashboard snapshots show for the bundled model (rounded to 0.1 %).
"""

import csv
import json
import math
import sys
import warnings
from pathlib import Path

import lightgbm as lgb
import numpy as np
warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient` is deprecated")
from fastapi.testclient import TestClient  # noqa: E402

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(HERE))
import service  # noqa: E402

ANOMALY = 365243.0
N_CLIENTS = 20
# From tests/snapshots/dashboard__customer_4000{03,05}_en_140x40.snap (bundled model and data).
SNAPSHOT_PERCENT = {400003: 3.5, 400005: 13.4}


def number(field):
    return float(field) if field not in (None, "") else math.nan


def ratio(numerator, denominator):
    return math.nan if denominator == 0 or math.isnan(denominator) else numerator / denominator


def model_row(record, names, categories, clean_days_employed):
    """One model row from one CSV record, feature by feature."""
    days = number(record["DAYS_EMPLOYED"])
    clean = math.nan if days == ANOMALY else days
    derived = {
        "DAYS_EMPLOYED_ANOM": math.nan if math.isnan(days) else float(days == ANOMALY),
        "CREDIT_INCOME_RATIO": ratio(number(record["AMT_CREDIT"]), number(record["AMT_INCOME_TOTAL"])),
        "ANNUITY_INCOME_RATIO": ratio(number(record["AMT_ANNUITY"]), number(record["AMT_INCOME_TOTAL"])),
        "CREDIT_TERM": ratio(number(record["AMT_ANNUITY"]), number(record["AMT_CREDIT"])),
        "GOODS_CREDIT_RATIO": ratio(number(record["AMT_GOODS_PRICE"]), number(record["AMT_CREDIT"])),
        "DAYS_EMPLOYED_RATIO": ratio(clean, number(record["DAYS_BIRTH"])),
        "AGE_YEARS": -number(record["DAYS_BIRTH"]) / 365.25,
    }
    row = []
    for name in names:
        if name in categories:
            field = record.get(name) or None
            row.append(float(categories[name].index(field)) if field in categories[name] else math.nan)
        elif name in record:
            value = number(record[name])
            row.append(clean if (name == "DAYS_EMPLOYED" and clean_days_employed) else value)
        else:
            row.append(derived[name])
    return row


def main():
    model_path = ROOT / "assets" / "model.txt"
    card = json.loads((ROOT / "assets" / "model.json").read_text())
    booster = lgb.Booster(model_file=str(model_path))
    names = booster.feature_name()
    categories = {f["name"]: f["categories"] for f in card["features"] if f.get("categories")}
    clean = card.get("pipeline") == "pad-features/1"
    threshold = card["threshold"]
    print(f"model: {len(names)} features, {len(categories)} categorical (card lists), "
          f"pandas_categorical in file: {booster.pandas_categorical is not None}, "
          f"DAYS_EMPLOYED cleaned: {clean}, threshold {threshold}")

    with open(ROOT / "data" / "applicants.csv", newline="") as f:
        records = list(csv.DictReader(f))
    # The first clients, plus a few with the DAYS_EMPLOYED placeholder and the snapshot clients.
    chosen = [int(r["SK_ID_CURR"]) for r in records[:14]]
    chosen += [int(r["SK_ID_CURR"]) for r in records if number(r["DAYS_EMPLOYED"]) == ANOMALY][:4]
    chosen += [i for i in SNAPSHOT_PERCENT if i not in chosen]
    chosen = list(dict.fromkeys(chosen))[:N_CLIENTS]
    while len(chosen) < N_CLIENTS:
        chosen.append(int(records[len(chosen) + 20]["SK_ID_CURR"]))
    by_id = {int(r["SK_ID_CURR"]): r for r in records}

    client = TestClient(service.app)
    failures = []
    worst_p = worst_raw = 0.0
    for client_id in chosen:
        x = np.array([model_row(by_id[client_id], names, categories, clean)])
        expected_p = float(booster.predict(x)[0])
        expected_raw = float(booster.predict(x, raw_score=True)[0])
        predicted = client.post("/predict", json={"client_id": client_id}).json()
        explained = client.post("/explain", json={"client_id": client_id}).json()
        total = explained["expected_value"] + sum(c["log_odds"] for c in explained["contributions"])
        worst_p = max(worst_p, abs(predicted["probability"] - expected_p))
        worst_raw = max(worst_raw, abs(total - expected_raw))
        decision = "ACCEPTED" if expected_p < threshold else "REFUSED"
        if abs(predicted["probability"] - expected_p) > 1e-12:
            failures.append(f"{client_id}: probability {predicted['probability']} != {expected_p}")
        if abs(explained["probability"] - expected_p) > 1e-12:
            failures.append(f"{client_id}: /explain probability {explained['probability']} != {expected_p}")
        if abs(total - expected_raw) > 1e-6:
            failures.append(f"{client_id}: shap sum {total} != raw score {expected_raw}")
        if predicted["decision"] != decision or explained["decision"] != decision:
            failures.append(f"{client_id}: decision {predicted['decision']} != {decision}")
        if [c["feature"] for c in explained["contributions"]] != names:
            failures.append(f"{client_id}: contributions not in model feature order")
        if client_id in SNAPSHOT_PERCENT and round(100 * expected_p, 1) != SNAPSHOT_PERCENT[client_id]:
            failures.append(f"{client_id}: {100 * expected_p:.2f} % != snapshot {SNAPSHOT_PERCENT[client_id]} %")
    for client_id in (12, 0):
        status = client.post("/predict", json={"client_id": client_id}).status_code
        if status != 404:
            failures.append(f"unknown client {client_id}: status {status}, not 404")
    if client.post("/predict", json={"client": 1}).status_code != 422:
        failures.append("a malformed body is not a 422")

    print(f"{len(chosen)} clients: max |Δ probability| = {worst_p:.3g}, "
          f"max |shap sum + expected_value − raw score| = {worst_raw:.3g}")
    if failures:
        print("FAIL\n  " + "\n  ".join(failures))
        sys.exit(1)
    print("OK")


if __name__ == "__main__":
    main()
