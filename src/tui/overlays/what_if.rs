//! The what-if form, over the client panel: the client's actionable inputs with what is typed
//! for each, why a typed value cannot be used, and the probability, decision and reasons the
//! typed values give. Amounts are typed, `r` resets, arrows move between fields; Alt-held
//! characters (what a terminal sends for Esc followed quickly by a key) are not typed.
//!
//! Uses: overlay, keymap, state, command, widgets, domain.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Borders, Clear, Paragraph, Wrap};

use crate::domain::format::{Language, format_number, format_percent};
use crate::domain::{ClientId, ClientRecord, Explanation, FeatureDescription, FieldValue};
use crate::tui::command::Command;
use crate::tui::keymap::binds::Bind;
use crate::tui::overlay::{Effect, Input, Layer, Place, Typing};
use crate::tui::state::{Context, Loadable, Mode};
use crate::tui::widgets::fit;

/// One editable input of the what-if form.
#[derive(Debug, Clone, PartialEq)]
pub struct WhatIfField {
    /// The model feature.
    pub feature_idx: usize,
    /// The client's own value.
    pub original: f64,
    /// What is typed.
    pub text: String,
}

/// The what-if form: the client's actionable inputs, as typed, and the score they give.
#[derive(Debug, Clone, PartialEq)]
pub struct WhatIfForm {
    /// The client edited.
    pub client_id: ClientId,
    /// The editable inputs.
    pub fields: Vec<WhatIfField>,
    /// The field under the cursor.
    pub cursor: usize,
    /// Why the typed text cannot be used, when it cannot.
    pub message: Option<String>,
    /// The number of the latest edit sent for scoring (older answers are dropped).
    pub edit: u64,
    /// The score with the typed values, once asked for.
    pub result: Option<Loadable<Explanation>>,
    /// The score with the client's own values (the form's first edit), to compare with.
    pub baseline: Option<Explanation>,
}

impl WhatIfForm {
    /// The form over a client's actionable amounts, with the client's own values typed in;
    /// `Err` says why there is none.
    pub fn open(features: &[FeatureDescription], record: &ClientRecord) -> Result<WhatIfForm, &'static str> {
        let fields: Vec<WhatIfField> = features
            .iter()
            .enumerate()
            .filter(|(_, feature)| feature.actionable && feature.categories.is_none())
            .filter_map(|(feature_idx, _)| match record.fields.get(feature_idx).map(|field| &field.value) {
                Some(FieldValue::Number(value)) => {
                    Some(WhatIfField { feature_idx, original: *value, text: amount_text(*value) })
                }
                _ => None,
            })
            .collect();
        if fields.is_empty() {
            return Err(WHAT_IF_NOTHING);
        }
        Ok(WhatIfForm { client_id: record.id, fields, cursor: 0, message: None, edit: 0, result: None, baseline: None })
    }

    /// Applies an edit to the field under the cursor, then asks for a score when every field
    /// reads as an amount.
    pub fn edit(&mut self, features: &[FeatureDescription], edit: impl FnOnce(&mut String)) -> Option<Command> {
        if let Some(field) = self.fields.get_mut(self.cursor) {
            edit(&mut field.text);
        }
        let mut changes = Vec::new();
        self.message = None;
        for field in &self.fields {
            match parse_amount(&field.text) {
                // Only what differs from the client's own value is sent: the rest stays exact.
                Ok(value) if value == field.original => {}
                Ok(value) => {
                    if let Some(feature) = features.get(field.feature_idx) {
                        changes.push((feature.name.clone(), value));
                    }
                }
                Err(message) => {
                    let label = features.get(field.feature_idx).map_or("", |f| f.label_en.as_str());
                    self.message = Some(format!("{label}: {message}"));
                    return None;
                }
            }
        }
        self.edit += 1;
        self.result = Some(Loadable::Loading);
        Some(Command::WhatIf(self.client_id, self.edit, changes))
    }

    /// Moves between fields.
    pub fn move_cursor(&mut self, delta: isize) {
        let last = self.fields.len().saturating_sub(1) as isize;
        self.cursor = (self.cursor as isize + delta).clamp(0, last) as usize;
    }

    /// Puts every field back to the client's own value (the caller then scores it).
    pub fn reset(&mut self) {
        for field in &mut self.fields {
            field.text = amount_text(field.original);
        }
    }

    /// A score arrived for a client and an edit number: kept if it answers the latest edit.
    pub fn scored(&mut self, id: ClientId, edit: u64, result: Result<Explanation, String>) {
        if self.client_id != id || self.edit != edit {
            return;
        }
        self.result = Some(match result {
            Ok(explanation) => {
                if edit == 1 && self.baseline.is_none() {
                    self.baseline = Some(explanation.clone());
                }
                Loadable::Ready(explanation)
            }
            Err(message) => Loadable::Failed(message),
        });
    }
}

impl Layer for WhatIfForm {
    fn open(context: &Context<'_>) -> Result<(WhatIfForm, Vec<Effect>), String> {
        let Some(record) = context.selected_record() else { return Err(WHAT_IF_NEEDS_DATA.into()) };
        let mut form = WhatIfForm::open(&context.info.features, record)?;
        let effects = form.edit(&context.info.features, |_| {}).map(Effect::Command).into_iter().collect();
        Ok((form, effects))
    }

    fn mode(&self) -> Mode {
        Mode::WhatIf
    }

    fn place(&self) -> Place {
        Place::Panel
    }

    fn keys(&self) -> &'static [Bind] {
        &[Bind::Back, Bind::WhatIfPrevious, Bind::WhatIfNext, Bind::DeleteChar, Bind::WhatIfReset]
    }

    fn typing(&self) -> Typing {
        Typing::Plain
    }

    fn hints(&self) -> &'static [(&'static str, &'static str)] {
        &[
            ("type", "amount"),
            ("{what_if_previous}{what_if_next}", "field"),
            ("{what_if_reset}", "reset"),
            ("{back}", "close"),
            ("{quit_now}", "quit"),
        ]
    }

    fn update(&mut self, input: Input, context: &Context<'_>) -> Vec<Effect> {
        let features = &context.info.features;
        let command = match input {
            Input::Key(Bind::Back) | Input::ClientChanged => return vec![Effect::Close],
            Input::Key(Bind::WhatIfPrevious) => {
                self.move_cursor(-1);
                None
            }
            Input::Key(Bind::WhatIfNext) => {
                self.move_cursor(1);
                None
            }
            Input::Scroll(delta) => {
                self.move_cursor(delta);
                None
            }
            Input::Key(Bind::DeleteChar) => self.edit(features, |text| {
                text.pop();
            }),
            Input::Key(Bind::WhatIfReset) => {
                self.reset();
                self.edit(features, |_| {})
            }
            Input::Text(character) => self.edit(features, |text| text.push(character)),
            _ => None,
        };
        command.map(Effect::Command).into_iter().collect()
    }

    fn draw(&self, context: &Context<'_>, frame: &mut Frame, area: Rect) {
        draw(context, self, frame, area);
    }
}

/// The largest amount the what-if form accepts.
pub const WHAT_IF_MAX: f64 = 1e9;

/// Reads an amount typed by a person: digits with an optional decimal point (or a decimal
/// comma followed by one or two digits, as in French), spaces, thousands commas and a euro
/// sign allowed.
pub fn parse_amount(text: &str) -> Result<f64, String> {
    let cleaned: String = text.chars().filter(|c| !matches!(c, ' ' | '\u{202f}' | '\u{a0}' | '€' | '_')).collect();
    if cleaned.is_empty() {
        return Err("type an amount in euros, for example 250000".into());
    }
    let not_an_amount = || format!("“{}” is not an amount: type digits only, for example 250000", text.trim());
    // A last comma with one or two digits after it is a decimal comma ("24700,5").
    let decimal_comma = cleaned
        .rfind(',')
        .filter(|&at| (2..=3).contains(&(cleaned.len() - at)) && !cleaned.contains('.'))
        .filter(|&at| cleaned[at + 1..].chars().all(|c| c.is_ascii_digit()));
    let (whole, fraction) = match decimal_comma {
        Some(at) => (&cleaned[..at], Some(&cleaned[at + 1..])),
        None => match cleaned.split_once('.') {
            Some((whole, fraction)) => (whole, Some(fraction)),
            None => (cleaned.as_str(), None),
        },
    };
    // Other commas separate thousands: each group after one has three digits.
    let mut groups = whole.split(',');
    let first = groups.next().unwrap_or("");
    let grouped_well = groups.all(|group| group.len() == 3);
    let digits: String = whole.chars().filter(|c| *c != ',').collect();
    let valid = grouped_well
        && !first.is_empty()
        && digits.chars().all(|c| c.is_ascii_digit())
        && fraction.is_none_or(|fraction| !fraction.is_empty() && fraction.chars().all(|c| c.is_ascii_digit()));
    if !valid {
        return Err(not_an_amount());
    }
    let number = match fraction {
        Some(fraction) => format!("{digits}.{fraction}"),
        None => digits,
    };
    let value: f64 = number.parse().map_err(|_| not_an_amount())?;
    if value <= 0.0 {
        return Err("the amount must be more than 0".into());
    }
    if value > WHAT_IF_MAX {
        return Err("the amount is larger than any loan (at most 1,000,000,000)".into());
    }
    Ok(value)
}

/// An amount as the what-if form first shows it: whole euros without decimals, else exactly.
fn amount_text(value: f64) -> String {
    if value.fract() == 0.0 { format!("{value:.0}") } else { format!("{value}") }
}

/// Draws the form over `area` (the client panel).
fn draw(context: &Context<'_>, form: &WhatIfForm, frame: &mut Frame, area: Rect) {
    let theme = context.theme;
    let block = Block::default()
        .title(format!(" {} ", WHAT_IF_TITLE))
        .borders(Borders::ALL)
        .border_type(BorderType::Double)
        .border_style(theme.border_focused);
    frame.render_widget(Clear, area);
    let inner = block.inner(area);
    frame.render_widget(block, area);

    // One line per input: the label takes what the two figures leave (down to 12 columns).
    let value_width = 11;
    let try_width = 11;
    let label_width = (inner.width as usize).saturating_sub(2 + value_width + 3 + try_width).clamp(12, 40);
    let mut lines = vec![Line::styled(
        format!("{:<label_width$}{:>value_width$}   {}", WHAT_IF_HEADINGS[0], WHAT_IF_HEADINGS[1], WHAT_IF_HEADINGS[2]),
        theme.heading,
    )];
    for (row, field) in form.fields.iter().enumerate() {
        let Some(feature) = context.info.features.get(field.feature_idx) else { continue };
        let label = fit(&feature.label_en, label_width.saturating_sub(1));
        let original = format_number(field.original, &feature.unit, Language::En);
        let selected = row == form.cursor;
        let typed = if selected { format!("{}▏", field.text) } else { field.text.clone() };
        lines.push(Line::from(vec![
            Span::styled(format!("{label:<label_width$}{original:>value_width$}   "), theme.text),
            Span::styled(typed, if selected { theme.selected } else { theme.text }),
        ]));
    }
    lines.push(Line::raw(""));
    if let Some(message) = &form.message {
        lines.push(Line::styled(message.clone(), theme.error));
        lines.push(Line::raw(""));
    }
    let before = form.baseline.as_ref();
    match &form.result {
        Some(Loadable::Ready(explanation)) => {
            let (probability, decision) = (explanation.score.probability, explanation.score.decision);
            let (before_probability, before_decision) = match before {
                Some(shown) => (format_percent(shown.score.probability, Language::En), shown.score.decision.as_str()),
                None => ("?".to_string(), "?"),
            };
            let style = match decision {
                crate::domain::Decision::Accepted => theme.accepted,
                crate::domain::Decision::Refused => theme.refused,
                crate::domain::Decision::Incomplete => theme.error,
            };
            lines.push(Line::styled(
                what_if_result(
                    &before_probability,
                    &format_percent(probability, Language::En),
                    before_decision,
                    decision.as_str(),
                ),
                style,
            ));
            lines.push(Line::raw(""));
            lines.push(Line::styled(WHAT_IF_REASONS, theme.heading));
            for reason in &explanation.reasons {
                lines.push(Line::raw(format!("• {}", reason.text.en)));
            }
        }
        Some(Loadable::Loading) => lines.push(Line::styled(WHAT_IF_SCORING, theme.dim)),
        Some(Loadable::Failed(message)) => lines.push(Line::styled(message.clone(), theme.error)),
        None => {}
    }
    let body = Rect { x: inner.x + 1, width: inner.width.saturating_sub(2), ..inner };
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), body);
}

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_read_as_people_type_them() {
        assert_eq!(parse_amount("250000"), Ok(250_000.0));
        assert_eq!(parse_amount("250 000 €"), Ok(250_000.0));
        assert_eq!(parse_amount("€250,000"), Ok(250_000.0));
        assert_eq!(parse_amount("1,234,567.5"), Ok(1_234_567.5));
        // A French decimal comma: 24,700.5 euros, not 247,005.
        assert_eq!(parse_amount("24700,5"), Ok(24_700.5));
        assert_eq!(parse_amount("24 700,50"), Ok(24_700.5));
        assert_eq!(parse_amount("34233.5"), Ok(34_233.5));
        for bad in ["12a", "1,2,3", "24,70,0", "1.2.3", "-5", ".5", "12."] {
            let error = parse_amount(bad).unwrap_err();
            assert!(error.contains("not an amount"), "{bad}: {error}");
        }
        assert!(parse_amount("").unwrap_err().contains("type an amount"));
        assert!(parse_amount("0").unwrap_err().contains("more than 0"));
        assert!(parse_amount("2000000000").unwrap_err().contains("larger than any loan"));
    }

    #[test]
    fn the_form_shows_amounts_exactly() {
        assert_eq!(amount_text(555_400.0), "555400");
        assert_eq!(amount_text(34_233.5), "34233.5");
    }
}
