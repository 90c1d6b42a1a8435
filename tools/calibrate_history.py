"""Figures of the credit-history tables of the real sample C, for `pad synth`'s history tables.

Prints src/data/synth/history_calibration.rs: distributions of the bureau credits (count per
client, status, type, dates, amounts, debt, overdue), of their monthly statuses and of the card
balances, apart for clients who repaid (TARGET 0) and who defaulted (TARGET 1). Figures only,
never rows.

Run: python tools/calibrate_history.py ../shared/data/homecredit/history_sample_C > src/data/synth/history_calibration.rs
Pinned: Python 3.11, pandas 2.2.3.
"""

import sys
from pathlib import Path

import numpy as np
import pandas as pd

folder = Path(sys.argv[1])
app = pd.read_csv(folder / "application_train.csv", usecols=["SK_ID_CURR", "TARGET"])
bureau = pd.read_csv(folder / "bureau.csv").merge(app, on="SK_ID_CURR")
balance = pd.read_csv(folder / "bureau_balance.csv").merge(bureau[["SK_ID_BUREAU", "TARGET"]], on="SK_ID_BUREAU")
card = pd.read_csv(folder / "credit_card_balance.csv").merge(app, on="SK_ID_CURR")
LEVELS = np.linspace(0, 1, 11)


def floats(values):
    return "[" + ", ".join(f"{float(v):.6}" for v in values) + "]"


def quantiles(series):
    return floats(np.quantile(series.dropna().to_numpy(dtype=float), LEVELS))


def by_target(fn):
    return "[" + ", ".join(fn(t) for t in (0, 1)) + "]"


out = []
w = out.append
w("//! Figures of the real sample C's credit-history tables (`tools/calibrate_history.py`):")
w("//! distributions apart for clients who repaid (index 0) and who defaulted (index 1).")
w("//! Generated; do not edit by hand.")
w("")
counts = bureau.groupby("SK_ID_CURR").size().reindex(app.SK_ID_CURR).fillna(0).clip(upper=30)
counts.index = app.TARGET.values


def credits_cdf(t):
    c = counts[counts.index == t]
    return floats([(c <= k).mean() for k in range(31)])


w(f"/// P(number of bureau credits <= k), k = 0..=30 (more is read as 30).\npub const CREDITS_CDF: [[f64; 31]; 2] = {by_target(credits_cdf)};")


def status(t):
    s = bureau[bureau.TARGET == t].CREDIT_ACTIVE.value_counts(normalize=True)
    return floats([s.get("Active", 0), s.get("Closed", 0), s.get("Sold", 0) + s.get("Bad debt", 0)])


w(f"/// Shares of Active, Closed, Sold credits.\npub const STATUS_SHARES: [[f64; 3]; 2] = {by_target(status)};")
types = bureau.CREDIT_TYPE.value_counts(normalize=True)
top = types.head(6)
names = ", ".join(f'("{name}", {share:.6})' for name, share in top.items())
w(f"/// Credit types and their shares (the rarest put together as another type).\npub const TYPES: [(&str, f64); 7] = [{names}, (\"Another type of loan\", {1 - top.sum():.6})];")
w(f"/// Deciles of DAYS_CREDIT (days before the application the credit was opened).\npub const DAYS_CREDIT: [f64; 11] = {quantiles(bureau.DAYS_CREDIT)};")
amounts = np.log(bureau.AMT_CREDIT_SUM[bureau.AMT_CREDIT_SUM > 0])
w(f"/// Deciles of ln(AMT_CREDIT_SUM).\npub const LN_AMOUNT: [f64; 11] = {quantiles(amounts)};")
active = bureau[(bureau.CREDIT_ACTIVE == "Active") & (bureau.AMT_CREDIT_SUM > 0)]
w(f"/// Deciles of debt over amount of active credits, repaid and defaulted apart.\npub const DEBT_FRACTION: [[f64; 11]; 2] = {by_target(lambda t: quantiles((active[active.TARGET == t].AMT_CREDIT_SUM_DEBT / active[active.TARGET == t].AMT_CREDIT_SUM).clip(0, 1)))};")
duration = bureau.DAYS_CREDIT_ENDDATE - bureau.DAYS_CREDIT
w(f"/// Deciles of the planned duration in days (DAYS_CREDIT_ENDDATE - DAYS_CREDIT).\npub const DURATION: [f64; 11] = {quantiles(duration[duration > 0])};")
w(f"/// Share of credits overdue now.\npub const OVERDUE: [f64; 2] = {floats([(bureau[bureau.TARGET == t].CREDIT_DAY_OVERDUE > 0).mean() for t in (0, 1)])};")
w(f"/// Share of credits with monthly statuses.\npub const WITH_MONTHS: f64 = {bureau.SK_ID_BUREAU.isin(balance.SK_ID_BUREAU).mean():.6};")
reported = balance[balance.STATUS.astype(str).isin(list("012345"))]
w(f"/// Share of months with status X (unknown) among open months.\npub const UNKNOWN_MONTHS: f64 = {(balance.STATUS == 'X').mean() / (1 - (balance.STATUS == 'C').mean()):.6};")
w(f"/// Share of reported months late (status 1 to 5).\npub const LATE_MONTHS: [f64; 2] = {floats([(reported[reported.TARGET == t].STATUS.astype(str) != '0').mean() for t in (0, 1)])};")


def late_levels(t):
    late = reported[(reported.TARGET == t) & (reported.STATUS.astype(str) != "0")].STATUS.astype(str)
    shares = late.value_counts(normalize=True)
    return floats([shares.get(str(k), 0.0) for k in range(1, 6)])


w(f"/// Shares of levels 1 to 5 among late months.\npub const LATE_LEVELS: [[f64; 5]; 2] = {by_target(late_levels)};")
holders = app.SK_ID_CURR.isin(card.SK_ID_CURR)
w(f"/// Share of clients with a card with us.\npub const WITH_CARD: [f64; 2] = {floats([holders[app.TARGET == t].mean() for t in (0, 1)])};")
w(f"/// Deciles of the months of card records per client.\npub const CARD_MONTHS: [f64; 11] = {quantiles(card.groupby('SK_ID_CURR').size())};")
w(f"/// Deciles of the card limit.\npub const CARD_LIMIT: [f64; 11] = {quantiles(card.groupby('SK_ID_CURR').AMT_CREDIT_LIMIT_ACTUAL.max())};")
util = (card.AMT_BALANCE / card.AMT_CREDIT_LIMIT_ACTUAL.replace(0, np.nan)).clip(0, 1.2)
card = card.assign(UTIL=util)
per_client = card.groupby("SK_ID_CURR").agg(UTIL=("UTIL", "mean"), TARGET=("TARGET", "first"))
w(f"/// Deciles of each client's mean utilisation (balance over limit).\npub const UTILISATION: [[f64; 11]; 2] = {by_target(lambda t: quantiles(per_client[per_client.TARGET == t].UTIL))};")
w(f"/// Share of card months with days past due.\npub const DPD_MONTHS: [f64; 2] = {floats([(card[card.TARGET == t].SK_DPD > 0).mean() for t in (0, 1)])};")
due = card[card.AMT_INST_MIN_REGULARITY > 0]
w(f"/// Deciles of the payment over the minimum due, months with a minimum.\npub const PAYMENT_RATIO: [[f64; 11]; 2] = {by_target(lambda t: quantiles((due[due.TARGET == t].AMT_PAYMENT_TOTAL_CURRENT / due[due.TARGET == t].AMT_INST_MIN_REGULARITY).clip(0, 20)))};")
drawn = card[card.AMT_BALANCE > 0]
w(f"/// Share of card months with drawings.\npub const DRAWING_MONTHS: f64 = {(drawn.AMT_DRAWINGS_CURRENT > 0).mean():.6};")
print("\n".join(out))
