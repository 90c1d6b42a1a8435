//! The Credit history tab: the selected client's credits with other lenders (type, status,
//! amount, debt, overdue, opened, ends) with a month-by-month strip of each credit's bureau
//! status and its legend, the card's balance and limit over time, and the history
//! aggregates with where the client stands among past clients. Clients without records, and
//! data without the tables, say so.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::symbols::Marker;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Axis, Chart, Dataset, GraphType, Paragraph};

use crate::domain::format::{Language, format_number, format_value};
use crate::domain::history::{BureauCredit, CardMonth, ClientHistory, STATUS_LEGEND, is_history_feature};
use crate::domain::{ClientId, FieldValue};
use crate::tui::command::Command;
use crate::tui::panel::{Effect, Input, Panel};
use crate::tui::state::{Context, Loadable};
use crate::tui::strings::SCROLL_HINTS;
use crate::tui::widgets::fit;

/// Months shown in each credit's status strip (the latest ones).
pub const STRIP_MONTHS: usize = 24;

/// The Credit history tab's state.
#[derive(Debug, Default)]
pub struct CreditHistoryTab {
    /// The client whose history was last asked for, and the answer.
    pub history: Option<(ClientId, Loadable<Option<ClientHistory>>)>,
    /// Lines scrolled.
    pub scroll: usize,
}

impl CreditHistoryTab {
    /// A client's history arrived (ignored when another client was selected since).
    pub fn loaded(&mut self, id: ClientId, result: Loadable<Option<ClientHistory>>) {
        if self.history.as_ref().is_some_and(|(asked, _)| *asked == id) {
            self.history = Some((id, result));
        }
    }

    /// Asks for the selected client's history unless it is here or on its way.
    fn ask(&mut self, context: &Context<'_>) -> Vec<Effect> {
        let Some(client) = context.client else { return Vec::new() };
        match &self.history {
            Some((id, Loadable::Ready(_) | Loadable::Loading)) if *id == client.id => Vec::new(),
            _ => {
                self.history = Some((client.id, Loadable::Loading));
                vec![Effect::Command(Command::LoadHistory(client.id))]
            }
        }
    }
}

impl Panel for CreditHistoryTab {
    fn name() -> &'static str {
        "Credit history"
    }

    fn short_name() -> &'static str {
        "History"
    }

    fn hints() -> &'static [(&'static str, &'static str)] {
        SCROLL_HINTS
    }

    fn help() -> &'static [(&'static str, &'static str)] {
        &[("{up}{down} (Credit history)", "scroll the credits with other lenders")]
    }

    fn update(&mut self, input: Input, context: &Context<'_>) -> Vec<Effect> {
        match input {
            Input::Opened => self.ask(context),
            // A lost server answers again: ask again only what failed.
            Input::Reconnected if matches!(self.history, Some((_, Loadable::Failed(_)))) => self.ask(context),
            Input::ClientChanged => {
                self.scroll = 0;
                self.history = None;
                Vec::new()
            }
            Input::Cursor(delta) => {
                self.scroll = self.scroll.saturating_add_signed(delta);
                Vec::new()
            }
            _ => Vec::new(),
        }
    }

    fn draw(&self, context: &Context<'_>, frame: &mut Frame, area: Rect) {
        let theme = context.theme;
        let Some(client) = context.client else {
            frame.render_widget(Paragraph::new("No client selected.").style(theme.dim), area);
            return;
        };
        let history = match &self.history {
            Some((id, Loadable::Ready(history))) if *id == client.id => history,
            Some((id, Loadable::Failed(reason))) if *id == client.id => {
                let text = format!("The credit history could not be loaded: {reason}");
                frame.render_widget(Paragraph::new(text).style(theme.dim), area);
                return;
            }
            _ => {
                frame.render_widget(Paragraph::new("Loading the credit history…").style(theme.dim), area);
                return;
            }
        };
        let Some(history) = history else {
            if matches!(context.info.source, crate::scoring::Source::Remote { .. }) {
                let text = "The credit history is not served over a remote connection: open the dashboard on the data.";
                frame.render_widget(Paragraph::new(text).style(theme.dim), area);
                return;
            }
            let text = "No credit history tables came with these applicants (bureau, bureau_balance, \
                        credit_card_balance): nothing is known of their credits elsewhere or their cards, \
                        and the model's history features are missing values.";
            frame.render_widget(Paragraph::new(text).style(theme.dim).wrap(ratatui::widgets::Wrap { trim: true }), area);
            return;
        };
        let aggregates = aggregate_lines(context);
        let card_height = if history.card.len() >= 2 { (area.height / 3).clamp(6, 12) } else { 2 };
        let aggregates_height = (aggregates.len() as u16 + 1).min(area.height / 3);
        let [credits_area, card_area, aggregates_area] = Layout::vertical([
            Constraint::Min(4),
            Constraint::Length(card_height),
            Constraint::Length(aggregates_height),
        ])
        .areas(area);
        let credits = credit_lines(context, history, credits_area.width);
        frame.render_widget(Paragraph::new(credits).scroll((self.scroll.min(u16::MAX as usize) as u16, 0)), credits_area);
        draw_card(context, history, frame, card_area);
        frame.render_widget(Paragraph::new(aggregates), aggregates_area);
    }
}

/// An amount in euros, or a dash when unknown.
fn amount(value: f64) -> String {
    if value.is_finite() { format_number(value, "currency", Language::En) } else { "–".into() }
}

/// Days relative to the application as a short date-free text: "3.2 years ago", "in 200 days".
fn when(days: f64) -> String {
    if !days.is_finite() {
        return "–".into();
    }
    let span = format_number(days, "days", Language::En);
    if days < 0.0 { format!("{span} ago") } else { format!("in {span}") }
}

/// The credits table with each credit's status strip, its legend, or why there is none.
fn credit_lines(context: &Context<'_>, history: &ClientHistory, width: u16) -> Vec<Line<'static>> {
    let theme = context.theme;
    let mut lines = Vec::new();
    if !history.bureau_given {
        lines.push(Line::styled("Credits with other lenders: no bureau table was given.", theme.dim));
        return lines;
    }
    if history.credits.is_empty() {
        lines.push(Line::styled("Credits with other lenders: no records (the bureau reports none).", theme.dim));
        return lines;
    }
    let active = history.credits.iter().filter(|credit| credit.status == "Active").count();
    lines.push(Line::styled(
        format!("Credits with other lenders: {} ({active} active)", history.credits.len()),
        theme.heading,
    ));
    // The table takes 82 columns; the strip shows as many of the latest months as fit.
    let room = usize::from(width).saturating_sub(84).min(STRIP_MONTHS);
    let strip = if history.balance_given && room >= 6 { room } else { 0 };
    let mut header = format!(
        "{:<15} {:<7} {:>10} {:>10} {:>8} {:>13} {:>13}",
        "Type", "Status", "Amount", "Debt", "Overdue", "Opened", "Ends"
    );
    if strip > 0 {
        header.push_str(&format!("  {strip} months →"));
    }
    lines.push(Line::styled(header, theme.dim));
    for credit in &history.credits {
        let mut spans = vec![Span::raw(format!(
            "{:<15} {:<7} {:>10} {:>10} {:>8} {:>13} {:>13}",
            fit(&credit.kind, 15),
            fit(&credit.status, 7),
            amount(credit.amount),
            amount(credit.debt),
            amount(credit.overdue),
            when(credit.opened_days),
            when(credit.ends_days)
        ))];
        if strip > 0 {
            spans.push(Span::raw("  "));
            spans.extend(status_strip(context, credit, strip));
        }
        lines.push(Line::from(spans));
    }
    if history.balance_given {
        let mut legend = vec![Span::styled("Monthly status: ", theme.dim)];
        for (index, (code, meaning)) in STATUS_LEGEND.iter().enumerate() {
            legend.push(Span::styled(code.to_string(), status_style(context, index)));
            legend.push(Span::raw(format!(" {meaning}  ")));
        }
        legend.push(Span::styled("· no report", theme.dim));
        lines.push(Line::from(legend));
        if strip == 0 {
            lines.push(Line::styled("(the monthly strips need a wider terminal)", theme.dim));
        }
    } else {
        lines.push(Line::styled("Monthly statuses: no bureau_balance table was given.", theme.dim));
    }
    lines
}

fn status_style(context: &Context<'_>, index: usize) -> ratatui::style::Style {
    context.theme.bureau_status.get(index).copied().unwrap_or(context.theme.text)
}

/// One credit's latest `months` statuses, oldest first, a cell each (`·` for no report).
fn status_strip(context: &Context<'_>, credit: &BureauCredit, months: usize) -> Vec<Span<'static>> {
    let first = -(months as i32 - 1);
    (first..=0)
        .map(|month| match credit.months.iter().find(|(at, _)| *at == month) {
            Some((_, code)) => {
                let index = STATUS_LEGEND.iter().position(|(known, _)| *known == code.as_str()).unwrap_or(1);
                Span::styled(code.clone(), status_style(context, index))
            }
            None => Span::styled("·", context.theme.dim),
        })
        .collect()
}

/// The card's balance and limit over time, or why there is none.
fn draw_card(context: &Context<'_>, history: &ClientHistory, frame: &mut Frame, area: Rect) {
    let theme = context.theme;
    if !history.card_given {
        frame.render_widget(Paragraph::new("Card with us: no credit_card_balance table was given.").style(theme.dim), area);
        return;
    }
    if history.card.len() < 2 {
        let text = match history.card.first() {
            None => "Card with us: no records (no card).".to_string(),
            Some(month) => format!("Card with us: one month, balance {} of limit {}", amount(month.balance), amount(month.limit)),
        };
        frame.render_widget(Paragraph::new(text).style(theme.dim), area);
        return;
    }
    let points = |value: fn(&CardMonth) -> f64| -> Vec<(f64, f64)> {
        history.card.iter().filter(|month| value(month).is_finite()).map(|month| (f64::from(month.month), value(month))).collect()
    };
    let balance = points(|month| month.balance);
    let limit = points(|month| month.limit);
    let first = history.card.first().map_or(0.0, |month| f64::from(month.month));
    let last = history.card.last().map_or(0.0, |month| f64::from(month.month));
    let top = balance.iter().chain(&limit).map(|(_, value)| *value).fold(1.0_f64, f64::max);
    let datasets = vec![
        Dataset::default().name("limit").marker(Marker::Braille).graph_type(GraphType::Line).style(theme.repaid).data(&limit),
        Dataset::default()
            .name("balance")
            .marker(Marker::Braille)
            .graph_type(GraphType::Line)
            .style(theme.defaulted)
            .data(&balance),
    ];
    let chart = Chart::new(datasets)
        .block(ratatui::widgets::Block::default().title(Span::styled("Card with us: balance and limit by month", theme.heading)))
        .x_axis(
            Axis::default()
                .bounds([first, last.max(first + 1.0)])
                .labels(vec![Span::raw(format!("{first:.0}")), Span::raw(format!("{last:.0} months"))])
                .style(theme.dim),
        )
        .y_axis(
            Axis::default()
                .bounds([0.0, top * 1.05])
                .labels(vec![Span::raw("0"), Span::raw(amount(top))])
                .style(theme.dim),
        );
    frame.render_widget(chart, area);
}

/// The history aggregates of the selected client, with where they stand among past clients.
fn aggregate_lines(context: &Context<'_>) -> Vec<Line<'static>> {
    let theme = context.theme;
    let features: Vec<(usize, &crate::domain::FeatureDescription)> =
        context.info.features.iter().enumerate().filter(|(_, feature)| is_history_feature(&feature.name)).collect();
    if features.is_empty() {
        return vec![Line::styled("The model reads no credit-history features.", theme.dim)];
    }
    let Some(record) = context.selected_record() else {
        return vec![Line::styled("History features: loading…", theme.dim)];
    };
    let mut lines = vec![Line::styled("History features (percentile among past clients)", theme.heading)];
    for (index, feature) in features {
        let Some(field) = record.fields.get(index) else { continue };
        let value = format_value(&field.value, &feature.unit, Language::En);
        let standing = match (&field.value, field.percentile) {
            (FieldValue::Number(_), Some(percentile)) => format!("{percentile:>5.1} %"),
            _ => String::new(),
        };
        lines.push(Line::from(vec![
            Span::raw(format!("{:<44}", fit(&feature.label_en, 43))),
            Span::raw(format!("{:>16}  ", fit(&value, 16))),
            Span::styled(standing, theme.dim),
        ]));
    }
    lines
}
