//! The texts of the dashboard's frame: the title, the client list, the status bar and the
//! messages every tab shares. Each tab and screen keeps its own texts in its module.
//!
//! The relationship manager's screens are in English; feature labels come in English and
//! French from `assets/labels.toml`. Texts that name keys are templates (`{predict}`, `{up}`)
//! that the keymap fills in with the keys in force ([`super::keymap::Keymap::expand`]).
//!
//! Uses: state.

use super::state::{LinkStatus, Mode};

/// The product's name in the title bar.
pub const PRODUCT: &str = "Prêt à dépenser · credit desk";
/// While loading anything.
pub const LOADING: &str = "Loading…";
/// When the list is empty.
pub const NO_CLIENTS: &str = "No client matches the search.";
/// When Predict has nothing to score.
pub const NO_CLIENT_TO_PREDICT: &str = "no client selected: clear the search ({back}) to see the list";
/// Title of the client list.
pub const CLIENTS: &str = "Clients";
/// The search prompt.
pub const SEARCH_PROMPT: &str = "{search} search: ";
/// Shown in the search line when not searching.
pub const SEARCH_HINT: &str = "{search} to search id, age, amount, type";
/// Column headings of the client list.
pub const LIST_HEADINGS: [&str; 4] = ["Id", "Age", "Amount", "Type"];
/// When something needs a decision on screen first.
pub const PREDICT_FIRST: &str = "press {predict} to predict first: the customer view and the export explain a decision";
/// When the export waits for what would change a refusal.
pub const EXPORT_WAIT: &str = "still looking for what would change the decision: export again in a moment";
/// While the export runs.
pub const EXPORTING: &str = "exporting the customer sheet…";
/// The status line after an export, in the customer's language when the customer view is
/// open (the customer reads that line too).
pub fn exported(paths: &[String], language: crate::domain::format::Language) -> String {
    match language {
        crate::domain::format::Language::En => format!("exported {}", paths.join(" and ")),
        crate::domain::format::Language::Fr => format!("copie enregistrée : {}", paths.join(" et ")),
    }
}

/// Title of the too-small screen.
pub const TOO_SMALL_TITLE: &str = "Terminal too small";
/// The local source.
pub const LOCAL: &str = "local";

/// The status message when a lost server answers again.
pub fn reconnected(server: &str) -> String {
    format!("{server} answers again")
}

/// The server part of the status bar: its address without the scheme, and the last latency
/// or that it is being retried.
pub fn link(link: &LinkStatus) -> String {
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
         Enlarge the window or reduce the font size. Press {{quit}} to quit."
    )
}

/// The keys the status bar shows while browsing or searching, `(key, what it does)`, key
/// templates filled in by the keymap (a tab's content and the overlays have their own):
/// `tabs` is how many tabs there are.
pub fn hints(mode: Mode, tabs: usize) -> Vec<(String, &'static str)> {
    let own = |pairs: &[(&str, &'static str)]| pairs.iter().map(|&(key, what)| (key.to_string(), what)).collect();
    match mode {
        Mode::Search => {
            own(&[("type", "filter"), ("{search_up}{search_down}", "move"), ("{submit}", "keep"), ("{back}", "clear")])
        }
        _ => {
            let mut hints: Vec<(String, &str)> = own(&[
                ("{up}{down}", "client"),
                ("{predict}", "predict"),
                ("{customer}", "customer"),
                ("{what_if}", "what-if"),
                ("{search}", "search"),
                ("{help}", "help"),
                ("{quit}", "quit"),
            ]);
            hints.push((format!("{{next_tab}}/1-{tabs}"), "tabs"));
            hints.push(("{focus_panel}".to_string(), "into tab"));
            hints
        }
    }
}

/// The status-bar keys of a tab whose cursor is on a feature (Decision, Client data).
pub const FEATURE_HINTS: &[(&str, &str)] = &[
    ("{up}{down}", "feature"),
    ("{compare}", "compare it"),
    ("{predict}", "predict"),
    ("{focus_clients}/{back}", "client list"),
    ("{help}", "help"),
    ("{quit}", "quit"),
];

/// The status-bar keys of a tab that only scrolls (Portfolio, Model).
pub const SCROLL_HINTS: &[(&str, &str)] = &[
    ("{up}{down}", "scroll"),
    ("{next_tab}", "next tab"),
    ("{focus_clients}/{back}", "client list"),
    ("{help}", "help"),
    ("{quit}", "quit"),
];

/// Why an incomplete application has no customer sheet.
pub fn export_incomplete(missing: &[String]) -> String {
    format!("No sheet: the application is incomplete (missing {}), there is no decision to explain", missing.join(", "))
}
