//! Every text the dashboard shows, in one place.
//!
//! The relationship manager's screens are in English; feature labels come in English and
//! French from `assets/labels.toml`.

use super::app::{Focus, Mode, Tab};

/// The product's name in the title bar.
pub const PRODUCT: &str = "Prêt à dépenser · credit desk";
/// The bank's name, in the customer view.
pub const PRODUCT_NAME: &str = crate::domain::wording::BANK;

/// The customer view's keys, in the customer's language.
pub fn customer_keys(language: crate::domain::format::Language) -> &'static [(&'static str, &'static str)] {
    match language {
        crate::domain::format::Language::En => &[("l", "Français"), ("x", "save a copy"), ("Esc", "back")],
        crate::domain::format::Language::Fr => &[("l", "English"), ("x", "enregistrer une copie"), ("Esc", "retour")],
    }
}

/// The scroll hint of the customer view.
pub fn customer_more(language: crate::domain::format::Language) -> &'static str {
    match language {
        crate::domain::format::Language::En => "more",
        crate::domain::format::Language::Fr => "suite",
    }
}

/// The Predict button.
pub const PREDICT_BUTTON: &str = "[ Predict ]";
/// Next to the button before predicting.
pub const PREDICT_HINT: &str = " press p or Enter, or click";
/// Shown instead of a decision before Predict.
pub const DECISION_HIDDEN: &str = "The decision is hidden until you press Predict.";
/// While scoring.
pub const SCORING: &str = "Scoring…";
/// While loading anything.
pub const LOADING: &str = "Loading…";
/// When the list is empty.
pub const NO_CLIENTS: &str = "No client matches the search.";
/// When Predict has nothing to score.
pub const NO_CLIENT_TO_PREDICT: &str = "no client selected: clear the search (Esc) to see the list";
/// When no model card lies beside the model.
pub const NO_CARD: &str =
    "No model card (model.json) was found beside the model: only what the model file says is known.";
/// Title of the client list.
pub const CLIENTS: &str = "Clients";
/// The search prompt.
pub const SEARCH_PROMPT: &str = "/ search: ";
/// Shown in the search line when not searching.
pub const SEARCH_HINT: &str = "/ to search id, age, amount, type";
/// Column headings of the client list.
pub const LIST_HEADINGS: [&str; 4] = ["Id", "Age", "Amount", "Type"];
/// When something needs a decision on screen first.
pub const PREDICT_FIRST: &str = "press p to predict first: the customer view and the export explain a decision";
/// When the export waits for what would change a refusal.
pub const EXPORT_WAIT: &str = "still looking for what would change the decision: export again in a moment";
/// While the export runs.
pub const EXPORTING: &str = "exporting the customer sheet…";
/// When the what-if form has no data to start from.
pub const WHAT_IF_NEEDS_DATA: &str = "the client's data is still loading: try the what-if again in a moment";
/// When no input can be changed.
pub const WHAT_IF_NOTHING: &str = "this model has no input a client can change (amount, repayment, goods price)";
/// Title of the what-if form.
pub const WHAT_IF_TITLE: &str = "What if: change the loan (the client's data is not modified)";
/// Headings of the what-if table.
pub const WHAT_IF_HEADINGS: [&str; 3] = ["Input", "Client's value", "Try"];
/// While a what-if is scored.
pub const WHAT_IF_SCORING: &str = "scoring…";
/// The what-if result line: before and after.
pub fn what_if_result(before: &str, after: &str, decision_before: &str, decision_after: &str) -> String {
    format!("Probability of default {before} → {after}   ·   {decision_before} → {decision_after}")
}
/// Heading of the what-if reasons.
pub const WHAT_IF_REASONS: &str = "Principal reasons with these values";

/// The status line after an export, in the customer's language when the customer view is
/// open (the customer reads that line too).
pub fn exported(paths: &[String], language: crate::domain::format::Language) -> String {
    match language {
        crate::domain::format::Language::En => format!("exported {}", paths.join(" and ")),
        crate::domain::format::Language::Fr => format!("copie enregistrée : {}", paths.join(" et ")),
    }
}

/// Heading of the reasons in the Decision tab.
pub const REASONS_HEADING: &str = "Principal reasons (c: customer view, w: what-if, x: export)";
/// Heading of the counterfactual in the Decision tab.
pub const CHANGE_HEADING: &str = "What would change it";
/// When the Decision tab has no room for the reasons.
pub const REASONS_HINT: &str = "c: reasons for the customer · w: what-if · x: export";

/// Title of the too-small screen.
pub const TOO_SMALL_TITLE: &str = "Terminal too small";
/// The local source.
pub const LOCAL: &str = "local";

/// A tab's title in the tab bar (with its number key); `short` for narrow terminals, without
/// the numbers.
pub fn tab_title(tab: Tab, short: bool) -> &'static str {
    match (tab, short) {
        (Tab::Decision, false) => "1 Decision",
        (Tab::Decision, true) => "Decision",
        (Tab::ClientData, false) => "2 Client data",
        (Tab::ClientData, true) => "Data",
        (Tab::Compare, false) => "3 Compare",
        (Tab::Compare, true) => "Compare",
        (Tab::Portfolio, false) => "4 Portfolio",
        (Tab::Portfolio, true) => "Portfolio",
        (Tab::Model, false) => "5 Model",
        (Tab::Model, true) => "Model",
        (Tab::Drift, false) => "6 Drift",
        (Tab::Drift, true) => "Drift",
    }
}

/// The status message when a lost server answers again.
pub fn reconnected(server: &str) -> String {
    format!("{server} answers again")
}

/// The server part of the status bar: its address without the scheme, and the last latency
/// or that it is being retried.
pub fn link(link: &super::app::LinkStatus) -> String {
    let server = link.server.trim_start_matches("http://").trim_start_matches("https://");
    match (&link.failure, link.attempt, link.latency) {
        (Some(_), Some(attempt), _) => format!("{server} unreachable, retry {}", attempt + 1),
        (Some(_), None, _) => format!("{server} unreachable"),
        (None, _, Some(latency)) => format!("{server} {:.1} ms", latency.as_secs_f64() * 1000.0),
        (None, _, None) => server.to_string(),
    }
}

/// The too-small message for a size.
pub fn too_small(width: u16, height: u16) -> String {
    format!(
        "The dashboard needs at least 80 × 24 characters; this terminal is {width} × {height}. \
         Enlarge the window or reduce the font size. Press q to quit."
    )
}

/// The keys worth showing in the status bar now: `(key, what it does)`.
pub fn hints(mode: Mode, focus: Focus, tab: Tab) -> &'static [(&'static str, &'static str)] {
    match (mode, focus, tab) {
        (Mode::Help, _, _) => &[("↑↓", "scroll"), ("Esc/?", "close help")],
        (Mode::Search, _, _) => &[("type", "filter"), ("↑↓", "move"), ("Enter", "keep"), ("Esc", "clear")],
        (Mode::Customer, _, _) => &[("l", "English/Français"), ("x", "export"), ("Esc", "back")],
        (Mode::WhatIf, _, _) => {
            &[("type", "amount"), ("↑↓", "field"), ("r", "reset"), ("Esc", "close"), ("Ctrl-C", "quit")]
        }
        (Mode::Normal, Focus::Clients, _) => &[
            ("↑↓", "client"),
            ("p", "predict"),
            ("c", "customer"),
            ("w", "what-if"),
            ("/", "search"),
            ("?", "help"),
            ("q", "quit"),
            ("Tab/1-6", "tabs"),
            ("→", "into tab"),
        ],
        (Mode::Normal, Focus::Panel, Tab::Decision | Tab::ClientData) => &[
            ("↑↓", "feature"),
            ("Enter", "compare it"),
            ("p", "predict"),
            ("←/Esc", "client list"),
            ("?", "help"),
            ("q", "quit"),
        ],
        (Mode::Normal, Focus::Panel, Tab::Compare) => {
            &[("↑↓", "feature"), ("Tab", "next tab"), ("←/Esc", "client list"), ("?", "help"), ("q", "quit")]
        }
        (Mode::Normal, Focus::Panel, Tab::Drift) => {
            &[("↑↓", "feature"), ("s", "sort"), ("←/Esc", "client list"), ("?", "help"), ("q", "quit")]
        }
        (Mode::Normal, Focus::Panel, Tab::Portfolio | Tab::Model) => {
            &[("↑↓", "scroll"), ("Tab", "next tab"), ("←/Esc", "client list"), ("?", "help"), ("q", "quit")]
        }
    }
}

/// The help overlay's title.
pub const HELP_TITLE: &str = "Help: keys and what the numbers mean";

/// The help overlay: `(key, what it does)`; an empty key starts a section heading.
pub const HELP_KEYS: &[(&str, &str)] = &[
    ("", "Moving around"),
    ("↑ ↓  j k", "previous / next client (or feature, inside a tab)"),
    ("PgUp PgDn", "a page of clients up / down"),
    ("g G  Home End", "first / last client"),
    ("→ l  ← h", "move into the tab's content / back to the client list"),
    ("Tab  Shift-Tab", "next / previous tab"),
    ("1 2 3 4 5 6", "Decision, Client data, Compare, Portfolio, Model, Drift"),
    ("s", "sort the Drift table: weighted drift, PSI, name"),
    ("/", "search clients by id, age, amount or loan type; Enter keeps it, Esc clears it"),
    ("", "Deciding"),
    ("p  Enter", "predict the selected client: ACCEPTED or REFUSED, and why"),
    ("Enter (in a tab)", "compare the feature under the cursor with the reference population"),
    ("c", "customer view: the decision, its reasons and what would change it, full screen, for the customer"),
    ("l (customer view)", "switch the customer view between English and French"),
    ("w", "what-if: type another amount, repayment or goods price and see the new decision at once; r resets"),
    ("x", "export the customer explanation (PNG chart and Markdown sheet) to the export folder"),
    ("mouse", "click a client, a tab, [Predict] or a feature; the wheel scrolls"),
    ("", "Other"),
    ("?", "this help"),
    ("Esc", "close, clear the search, or return to the client list"),
    ("q  Ctrl-C", "quit"),
];

/// Heading of the help's explanation of the numbers.
pub const HELP_NUMBERS_HEADING: &str = "What the numbers mean";

/// The help overlay's explanation of the numbers, for the model's cost weights.
pub fn help_numbers(cost_fn: f64, cost_fp: f64) -> [String; 4] {
    let ratio = if cost_fp > 0.0 { cost_fn / cost_fp } else { f64::INFINITY };
    let weights = if ratio.is_finite() && ratio.fract() == 0.0 {
        format!("accepting a client who defaults costs {ratio} times refusing one who would have repaid")
    } else {
        format!("accepting a client who defaults costs {cost_fn}, refusing one who would have repaid {cost_fp}")
    };
    [
        format!(
            "The probability of default is the model's estimate that the client will have payment difficulties. \
             The client is REFUSED when it is at or above the threshold, which the bank chose to keep the cost \
             of errors lowest ({weights})."
        ),
        "A contribution says how much one piece of the client's data moved the probability, in percentage \
         points (pp), starting from the average client. +2.0 pp means this feature raised the probability of \
         default by 2 points (for example from 8 % to 10 %); −1.5 pp means it lowered it. The average, plus \
         every contribution, gives exactly the client's probability. Contributions are TreeSHAP values of the \
         model, rescaled from log-odds so that they add up in probability."
            .into(),
        "Percentiles compare the client with the reference population of past clients: the 80th percentile \
         means the client's value is higher than that of 80 % of them (for durations, longer)."
            .into(),
        "INCOMPLETE: the application lacks a field that almost every past application gave (marked * in Client \
         data). No decision is made until it is given: the probability shown treats the field as unknown and is \
         not a decision, and there are no reasons, no proposal and no customer sheet."
            .into(),
    ]
}

/// The Decision tab's gauge label: the decision in words, and why; a short form when the long
/// one does not fit in `width`.
pub fn probability_line(decision: &str, refused: bool, probability: &str, threshold: &str, width: usize) -> String {
    let comparison = if refused { "at or above" } else { "below" };
    let long = format!("{decision}: probability of default {probability}, {comparison} the threshold {threshold}");
    if long.chars().count() <= width {
        return long;
    }
    let sign = if refused { '≥' } else { '<' };
    format!("{decision}: {probability} {sign} threshold {threshold}")
}

/// The gauge's line for an incomplete application: the probability is not a decision.
pub fn incomplete_line(probability: &str, width: usize) -> String {
    let long = format!("INCOMPLETE: probability of default {probability}, not a decision");
    if long.chars().count() <= width { long } else { format!("INCOMPLETE: {probability}, not a decision") }
}

/// Heading of what an incomplete application lacks.
pub const INCOMPLETE_HEADING: &str = "Incomplete application: no decision";
/// What the probability of an incomplete application is.
pub const INCOMPLETE_NOTE: &str = "Every decision needs these fields: complete the application and score it again. \
     The probability shown treats them as unknown; it is not a decision.";

/// The required fields an application lacks, by their labels (their column names when the
/// model reads them only through a derived feature).
pub fn missing_fields(missing: &[String], features: &[crate::domain::FeatureDescription]) -> String {
    let names: Vec<String> = missing
        .iter()
        .map(|name| match features.iter().find(|feature| &feature.name == name) {
            Some(feature) => format!("{} ({name})", feature.label_en),
            None => name.clone(),
        })
        .collect();
    format!("Missing: {}", names.join(", "))
}

/// Why an incomplete application has no customer sheet.
pub fn export_incomplete(missing: &[String]) -> String {
    format!("No sheet: the application is incomplete (missing {}), there is no decision to explain", missing.join(", "))
}

/// The required fields an application lacks, by name, on one line.
pub fn missing_names(missing: &[String]) -> String {
    format!("Incomplete, missing: {}", missing.join(", "))
}

/// Heading of the waterfall.
pub const WATERFALL_HEADING: &str = "Why: contributions to the probability of default, in percentage points";
/// First line of the waterfall.
pub const WATERFALL_AVERAGE: &str = "Average client";
/// Last line of the waterfall.
pub const WATERFALL_CLIENT: &str = "This client";

/// The grouped line of the waterfall.
pub fn waterfall_rest(count: usize) -> String {
    match count {
        1 => "Other feature".into(),
        _ => format!("Other {count} features"),
    }
}

/// Headings of the Client data table.
pub const CLIENT_DATA_HEADINGS: [&str; 3] = ["Feature", "Value", "Past clients"];

/// Added to the Client data's first heading where it fits: what the `*` before a label means.
pub const REQUIRED_LEGEND: &str = " (* required)";

/// The value of a required field the application lacks.
pub const REQUIRED_MISSING: &str = "MISSING, required";

/// A percentile for the Client data table: `23rd percentile`.
pub fn percentile(value: f64) -> String {
    format!("{} percentile", ordinal(value.round() as u32))
}

/// `1st`, `2nd`, `3rd`, `4th`, `11th`, `21st`...
pub fn ordinal(number: u32) -> String {
    let suffix = match (number % 10, number % 100) {
        (_, 11..=13) => "th",
        (1, _) => "st",
        (2, _) => "nd",
        (3, _) => "rd",
        _ => "th",
    };
    format!("{number}{suffix}")
}

/// A category share for the Client data table.
pub fn share(value: f64) -> String {
    if value > 0.0 && value < 0.5 { "<1 % alike".into() } else { format!("{value:.0} % alike") }
}

/// The Compare heading when the feature list has no room: which feature of how many.
pub fn compare_heading_narrow(label: &str, position: usize, total: usize) -> String {
    format!("{label} ({position}/{total}, → ↑↓ for others)")
}

/// Heading of the Compare feature list.
pub const COMPARE_LIST: &str = "Feature";
/// Legend of the Compare histogram.
pub const COMPARE_LEGEND_REPAID: &str = "repaid";
/// Legend of the Compare histogram.
pub const COMPARE_LEGEND_DEFAULTED: &str = "defaulted";
/// What the bars of the Compare histogram mean.
pub const COMPARE_BARS: &str = "bars: share of each group";

/// Where the client stands, for the Compare tab.
pub fn compare_client(value: &str, percentile: Option<f64>, share: Option<f64>) -> String {
    match (percentile, share) {
        (Some(percentile), _) => {
            format!("This client: {value}, above {percentile:.0} % of past clients")
        }
        (None, Some(share)) => format!("This client: {value}, like {share:.0} % of past clients"),
        _ => format!("This client: {value}"),
    }
}

/// Counts of missing values in the Compare tab.
pub fn compare_missing(repaid: u64, defaulted: u64) -> String {
    format!("not given: {repaid} repaid, {defaulted} defaulted")
}

/// Heading of the Portfolio importance chart.
pub const IMPORTANCE_HEADING: &str = "What weighs most (mean |contribution| over applicants)";
/// Heading of the Portfolio score chart.
pub const SCORES_HEADING: &str = "Probability of default of the applicants";

/// The Portfolio approval line.
pub fn approval(accepted: usize, total: usize, rate: &str, threshold: &str) -> String {
    format!("Accepted {accepted} of {total} applicants ({rate}) at the threshold {threshold}")
}

/// The Portfolio progress label.
pub fn explaining(done: usize, total: usize) -> String {
    format!("Explaining every applicant: {done} of {total}")
}

/// Heading of the Model tab's cost curve.
pub fn cost_curve_heading(cost_fn: f64, cost_fp: f64) -> String {
    format!("Cost per client by threshold ({cost_fn} × defaulter accepted + {cost_fp} × good client refused)")
}

/// While the drift report is computed.
pub const DRIFT_LOADING: &str = "Comparing the applicants with the reference population…";

/// Heading of the Drift table for its order.
pub fn drift_heading(sort: super::app::DriftSort) -> String {
    let order = match sort {
        super::app::DriftSort::Weighted => "PSI × importance",
        super::app::DriftSort::Psi => "PSI",
        super::app::DriftSort::Name => "name",
    };
    format!("sorted by {order} (s to change)")
}

/// The Drift tab's summary line.
pub fn drift_summary(drifted: usize, moderate: usize, stable: usize, score: &str, approval: (&str, &str)) -> String {
    format!(
        "{drifted} drifted, {moderate} moderate, {stable} stable; score {score}; approval {} → {}",
        approval.0, approval.1
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ordinals_read_right() {
        let read: Vec<String> = [1, 2, 3, 4, 11, 12, 13, 21, 22, 23, 100, 101].into_iter().map(ordinal).collect();
        assert_eq!(
            read,
            ["1st", "2nd", "3rd", "4th", "11th", "12th", "13th", "21st", "22nd", "23rd", "100th", "101st"]
        );
        assert_eq!(percentile(22.6), "23rd percentile");
    }

    #[test]
    fn help_states_the_models_cost_weights() {
        assert!(help_numbers(10.0, 1.0)[0].contains("costs 10 times refusing"));
        assert!(help_numbers(5.0, 2.0)[0].contains("costs 5, refusing one who would have repaid 2"));
    }
}
