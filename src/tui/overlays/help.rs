//! The help overlay: every key (as the keymap has them), what the numbers mean, scrolled with
//! the arrows.
//!
//! Uses: overlay, keymap, state, tabs (their names and help lines), widgets.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Borders, Clear, Paragraph};

use crate::tui::keymap::Keymap;
use crate::tui::keymap::binds::Bind;
use crate::tui::overlay::{Effect, Input, Layer, Place};
use crate::tui::state::{Context, Mode};
use crate::tui::tabs::Tab;
use crate::tui::widgets::wrap;

/// Where the help overlay sits on a screen of this size.
fn popup(area: Rect) -> Rect {
    let width = area.width.saturating_sub(8).min(96);
    let height = area.height.saturating_sub(4);
    Rect { x: area.x + (area.width - width) / 2, y: area.y + (area.height - height) / 2, width, height }
}

/// The furthest the help overlay scrolls at the terminal's size: its lines less those that show.
pub fn max_scroll(context: &Context<'_>) -> usize {
    let popup = popup(Rect::new(0, 0, context.size.0, context.size.1));
    lines(context, popup.width).len().saturating_sub(popup.height.saturating_sub(2) as usize)
}

/// The help overlay's lines for a popup `width` columns wide.
fn lines(context: &Context<'_>, width: u16) -> Vec<Line<'static>> {
    let theme = context.theme;
    let keys = keys(context.keymap);
    // The key column: the longest key and a space, within reason.
    let key_width = keys.iter().map(|(key, _)| key.chars().count()).max().unwrap_or(0).min(20);
    let text_width = (width as usize).saturating_sub(key_width + 7).max(20);
    let mut lines = Vec::new();
    for (key, what) in keys {
        if key.is_empty() {
            if !lines.is_empty() {
                lines.push(Line::raw(""));
            }
            lines.push(Line::styled(what, theme.heading));
            continue;
        }
        for (index, part) in wrap(&what, text_width).into_iter().enumerate() {
            let key = if index == 0 { key.as_str() } else { "" };
            lines.push(Line::from(vec![Span::styled(format!("  {key:<key_width$} "), theme.key), Span::raw(part)]));
        }
    }
    lines.push(Line::raw(""));
    lines.push(Line::styled(HELP_NUMBERS_HEADING, theme.heading));
    let weights = context.info.card.as_ref().and_then(|card| card.cost_weights);
    let (cost_fn, cost_fp) = weights.map_or((10.0, 1.0), |weights| (weights.cost_fn, weights.cost_fp));
    for paragraph in help_numbers(cost_fn, cost_fp) {
        lines.extend(
            wrap(&paragraph, (width as usize).saturating_sub(6)).into_iter().map(|part| Line::raw(format!("  {part}"))),
        );
        lines.push(Line::raw(""));
    }
    lines
}

/// The help overlay: how far it is scrolled.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Help {
    /// Lines scrolled.
    pub scroll: usize,
}

impl Layer for Help {
    fn open(_context: &Context<'_>) -> Result<(Help, Vec<Effect>), String> {
        Ok((Help::default(), Vec::new()))
    }

    fn mode(&self) -> Mode {
        Mode::Help
    }

    fn place(&self) -> Place {
        Place::Popup
    }

    fn keys(&self) -> &'static [Bind] {
        &[Bind::HelpClose, Bind::Up, Bind::Down, Bind::PageUp, Bind::PageDown]
    }

    fn hints(&self) -> &'static [(&'static str, &'static str)] {
        &[("{up}{down}", "scroll"), ("{help_close}/{help_close:2}", "close help")]
    }

    fn update(&mut self, input: Input, context: &Context<'_>) -> Vec<Effect> {
        if matches!(input, Input::Key(Bind::HelpClose) | Input::Click(..)) {
            return vec![Effect::Close];
        }
        if let Some(delta) = input.scroll() {
            self.scroll = self.scroll.saturating_add_signed(delta).min(max_scroll(context));
        }
        Vec::new()
    }

    fn draw(&self, context: &Context<'_>, frame: &mut Frame, area: Rect) {
        draw(context, self.scroll, frame, area);
    }
}

/// Draws the help overlay over `area`, scrolled by `scroll` lines.
fn draw(context: &Context<'_>, scroll: usize, frame: &mut Frame, area: Rect) {
    let theme = context.theme;
    let popup = popup(area);
    let lines = lines(context, popup.width);
    let block = Block::default()
        .title(format!(" {} ", HELP_TITLE))
        .borders(Borders::ALL)
        .border_type(BorderType::Double)
        .border_style(theme.border_focused);
    frame.render_widget(Clear, popup);
    let scroll = u16::try_from(scroll).unwrap_or(u16::MAX);
    frame.render_widget(Paragraph::new(lines).block(block).scroll((scroll, 0)), popup);
}

/// The help's keys, `(key, what it does)`, an empty key starting a section: the keys of
/// [`KEYS_BEFORE_TABS`], the tabs by number and their own keys, then [`KEYS_AFTER_TABS`],
/// as the keymap has them.
fn keys(keymap: &Keymap) -> Vec<(String, String)> {
    let own = |pairs: &[(&str, &str)]| keymap.expand_pairs(pairs);
    let mut keys = own(KEYS_BEFORE_TABS);
    let names: Vec<&str> = Tab::ALL.iter().map(|tab| tab.name()).collect();
    keys.push((format!("1-{}", Tab::ALL.len()), names.join(", ")));
    for tab in Tab::ALL {
        keys.extend(own(tab.help()));
    }
    keys.extend(own(KEYS_AFTER_TABS));
    keys
}

/// The help overlay's title.
pub const HELP_TITLE: &str = "Help: keys and what the numbers mean";

/// The help's keys before the tabs': `(key, what it does)`, key templates filled in by the
/// keymap; an empty key starts a section heading.
pub const KEYS_BEFORE_TABS: &[(&str, &str)] = &[
    ("", "Moving around"),
    ("{up} {down}  {down:2} {up:2}", "previous / next client (or feature, inside a tab)"),
    ("{page_up} {page_down}", "a page of clients up / down"),
    ("{first} {last}  {first:2} {last:2}", "first / last client"),
    ("{focus_panel} {focus_panel:2}  {focus_clients} {focus_clients:2}", "move into the tab's content / back to the client list"),
    ("{next_tab}  {previous_tab}", "next / previous tab"),
];

/// The help's keys after the tabs'.
pub const KEYS_AFTER_TABS: &[(&str, &str)] = &[
    ("{search}", "search clients by id, age, amount or loan type; {submit} keeps it, {back} clears it"),
    ("", "Deciding"),
    ("{predict}  {predict:2}", "predict the selected client: ACCEPTED or REFUSED, and why"),
    ("{compare} (in a tab)", "compare the feature under the cursor with the reference population"),
    ("{customer}", "customer view: the decision, its reasons and what would change it, full screen, for the customer"),
    ("{customer_language} (customer view)", "switch the customer view between English and French"),
    ("{what_if}", "what-if: type another amount, repayment or goods price and see the new decision at once; {what_if_reset} resets"),
    ("{export}", "export the customer explanation (PNG chart and Markdown sheet) to the export folder"),
    (
        "{record}",
        "record the final decision in the journal: {submit} as proposed, or {record_toggle} to override it with a reason ({record_reason_up}{record_reason_down}) and a written justification",
    ),
    (
        "{contest}",
        "the customer contests a recorded decision (the one under the Journal tab's cursor, else the latest): their statement and the channel it came by",
    ),
    (
        "{review}",
        "reviewer's desk: the contests waiting for a review, oldest first, with their deadlines; {review_open} opens one: its inputs as recorded and replayed on the current model, {review_correct} corrects an input (with where the new value comes from), {review_upheld}/{review_overturned} upheld or overturned, {review_justify} the justification, {review_record} records the review",
    ),
    ("mouse", "click a client, a tab, [Predict] or a feature; the wheel scrolls"),
    ("", "Other"),
    ("{help}", "this help"),
    ("{back}", "close, clear the search, or return to the client list"),
    ("{quit}  {quit_now}", "quit"),
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn help_states_the_models_cost_weights() {
        assert!(help_numbers(10.0, 1.0)[0].contains("costs 10 times refusing"));
        assert!(help_numbers(5.0, 2.0)[0].contains("costs 5, refusing one who would have repaid 2"));
    }

    #[test]
    fn help_lists_every_tab_by_its_number() {
        let keys = keys(&Keymap::default());
        let tabs = keys.iter().find(|(key, _)| key.starts_with("1-")).map(|(key, what)| (key.as_str(), what.as_str()));
        assert_eq!(
            tabs,
            Some(("1-9", "Decision, Client data, Compare, Portfolio, Model, Drift, Credit history, Fairness, Journal"))
        );
        assert!(keys.iter().any(|(key, what)| key == "s" && what.contains("Drift table")));
    }
}
