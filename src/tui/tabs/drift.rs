//! The Drift tab: every model feature's drift between the reference population and the
//! applicants, sortable, with the selected feature's two histograms side by side.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::domain::format::{Language, format_percent};
use crate::drift::{DriftReport, Verdict, VerdictCounts};
use crate::tui::command::Command;
use crate::tui::layout::contains;
use crate::tui::panel::{Effect, Input, Panel, scrolled, stepped};
use crate::tui::state::{Context, Focus, Loadable};
use crate::tui::theme::Theme;
use crate::tui::widgets::{Histogram, HistogramBin, fit, message};

/// The order of the Drift table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum DriftSort {
    /// PSI weighted by the model's importance, largest first (the report's order).
    #[default]
    Weighted,
    /// PSI, largest first.
    Psi,
    /// Feature name, A to Z.
    Name,
}

impl DriftSort {
    fn next(self) -> DriftSort {
        match self {
            DriftSort::Weighted => DriftSort::Psi,
            DriftSort::Psi => DriftSort::Name,
            DriftSort::Name => DriftSort::Weighted,
        }
    }
}

/// The Drift tab's state.
#[derive(Debug, Default)]
pub struct DriftTab {
    /// The drift report, once the tab asked for it (it is computed once, the first time the
    /// tab is opened).
    pub report: Option<Loadable<DriftReport>>,
    /// The order of the table.
    pub sort: DriftSort,
    /// The table row under the cursor (in the sorted order).
    pub cursor: usize,
    /// The first table row shown.
    pub offset: usize,
}

impl Panel for DriftTab {
    fn name() -> &'static str {
        "Drift"
    }

    fn short_name() -> &'static str {
        "Drift"
    }

    fn hints() -> &'static [(&'static str, &'static str)] {
        &[("{up}{down}", "feature"), ("{sort}", "sort"), ("{focus_clients}/{back}", "client list"), ("{help}", "help"), ("{quit}", "quit")]
    }

    fn help() -> &'static [(&'static str, &'static str)] {
        &[("{sort}", "sort the Drift table: weighted drift, PSI, name")]
    }

    fn update(&mut self, input: Input, context: &Context<'_>) -> Vec<Effect> {
        match input {
            Input::Opened if self.report.is_none() => self.load(),
            Input::Reconnected if matches!(self.report, Some(Loadable::Failed(_))) => self.load(),
            Input::Cursor(delta) => {
                self.cursor = stepped(self.cursor, delta, self.order().len());
                let height = context.content().map_or(1, |content| layout(content).0.height.saturating_sub(1).max(1));
                self.offset = scrolled(self.offset, self.cursor, height as usize);
                Vec::new()
            }
            Input::Click(column, row) => {
                let Some((table, _)) = context.content().map(layout) else { return Vec::new() };
                let first = table.y + 1;
                if contains(table, column, row) && row >= first {
                    let position = self.offset + (row - first) as usize;
                    if position < self.order().len() {
                        self.cursor = position;
                        return vec![Effect::FocusPanel];
                    }
                }
                Vec::new()
            }
            Input::Sort => {
                self.sort = self.sort.next();
                self.cursor = 0;
                self.offset = 0;
                Vec::new()
            }
            Input::Opened | Input::Reconnected | Input::Enter | Input::ClientChanged | Input::Fit => Vec::new(),
        }
    }

    fn draw(&self, context: &Context<'_>, frame: &mut Frame, area: Rect) {
        let theme = context.theme;
        let report = match &self.report {
            Some(Loadable::Ready(report)) => report,
            Some(Loadable::Failed(error)) => return message(frame, area, error, theme.error),
            _ => return message(frame, area, DRIFT_LOADING, theme.dim),
        };
        let (table, chart) = layout(area);
        let order = self.order();
        self.render_table(context, frame, table, report, &order);
        if let Some(feature) = order.get(self.cursor).and_then(|&index| report.features.get(index)) {
            render_chart(context.theme, frame, chart, &feature.label, &feature.overlay);
        }
    }}

impl DriftTab {
    /// Indices into the report's features in the table's order.
    pub fn order(&self) -> Vec<usize> {
        let Some(Loadable::Ready(report)) = &self.report else { return Vec::new() };
        let mut order: Vec<usize> = (0..report.features.len()).collect();
        match self.sort {
            DriftSort::Weighted => {}
            DriftSort::Psi => order.sort_by(|&a, &b| report.features[b].psi.total_cmp(&report.features[a].psi)),
            DriftSort::Name => order.sort_by(|&a, &b| report.features[a].feature.cmp(&report.features[b].feature)),
        }
        order
    }

    /// The report arrived (or failed).
    pub fn loaded(&mut self, report: Loadable<DriftReport>) {
        self.report = Some(report);
    }

    /// Asks for the report.
    fn load(&mut self) -> Vec<Effect> {
        self.report = Some(Loadable::Loading);
        vec![Effect::Command(Command::LoadDrift)]
    }

    fn render_table(&self, context: &Context<'_>, frame: &mut Frame, area: Rect, report: &DriftReport, order: &[usize]) {
        let theme = context.theme;
        if area.height < 3 {
            return;
        }
        let percent = |value: f64| format_percent(value, Language::En);
        let score = &report.score;
        let summary = drift_summary(
            &report.verdict_counts(),
            score.verdict.as_str(),
            (&percent(score.approval_reference), &percent(score.approval_current)),
        );
        let width = area.width as usize;
        let name_width = width.saturating_sub(8 + 10 + 9 + 3).clamp(8, 30);
        let heading = format!("{:<name_width$} {:>8} {:>10} {:>9}", "Feature", "PSI", "p-value", "verdict");
        let lines = vec![
            Line::styled(fit(&summary, width), theme.heading),
            Line::from(vec![Span::styled(fit(&heading, width), theme.heading)]),
        ];
        frame.render_widget(Paragraph::new(lines), Rect { height: 2, ..area });
        let sort = drift_heading(self.sort);
        let rows_area = Rect { y: area.y + 2, height: area.height - 2, ..area };
        let mut rows: Vec<Line> = order
            .iter()
            .enumerate()
            .skip(self.offset)
            .take(rows_area.height.saturating_sub(1) as usize)
            .filter_map(|(position, &index)| {
                let feature = report.features.get(index)?;
                let p = crate::drift::format_p_value(feature.test.p_value);
                let text = format!(
                    "{:<name_width$} {:>8.4} {:>10} {:>9}",
                    fit(&feature.feature, name_width),
                    feature.psi,
                    p,
                    feature.verdict.as_str()
                );
                let style = match (position == self.cursor, context.focus == Focus::Panel) {
                    (true, true) => theme.selected,
                    (true, false) => theme.selected_unfocused,
                    _ => verdict_style(theme, feature.verdict),
                };
                Some(Line::styled(text, style))
            })
            .collect();
        rows.push(Line::styled(sort, theme.dim));
        frame.render_widget(Paragraph::new(rows), rows_area);
    }
}

fn verdict_style(theme: &Theme, verdict: Verdict) -> ratatui::style::Style {
    match verdict {
        Verdict::Stable | Verdict::Slight => theme.text,
        Verdict::Moderate => theme.marker,
        Verdict::Drifted => theme.refused,
    }
}

fn render_chart(theme: &Theme, frame: &mut Frame, area: Rect, label: &str, overlay: &crate::drift::Overlay) {
    if area.height < 6 || area.width < 12 {
        return;
    }
    let area = Rect { x: area.x + 1, width: area.width - 1, ..area };
    let legend = Line::from(vec![
        Span::styled("██", theme.repaid),
        Span::raw(" reference  "),
        Span::styled("▒▒", theme.defaulted),
        Span::raw(" applicants"),
    ]);
    frame.render_widget(
        Paragraph::new(vec![Line::styled(fit(label, area.width as usize), theme.heading), legend]),
        Rect { height: 2, ..area },
    );
    let bins: Vec<HistogramBin> = overlay
        .reference
        .iter()
        .zip(&overlay.current)
        .map(|(&first, &second)| HistogramBin { first, second })
        .collect();
    let chart = Rect { y: area.y + 2, height: (area.height - 3).min(16), ..area };
    let histogram = Histogram {
        bins: &bins,
        marked: None,
        first: theme.repaid,
        second: theme.defaulted,
        marker: theme.marker,
        text: theme.dim,
    };
    frame.render_widget(&histogram, chart);
    let per_bin = Histogram::columns_per_bin(chart.width, bins.len()) as usize;
    let first = overlay.labels.first().cloned().unwrap_or_default();
    let last = overlay.labels.last().cloned().unwrap_or_default();
    let gap = (bins.len() * per_bin).saturating_sub(first.chars().count() + last.chars().count()).max(1);
    let axis = format!("{first}{:gap$}{last}", "");
    frame.render_widget(
        Paragraph::new(fit(&axis, area.width as usize)).style(theme.dim),
        Rect { y: chart.y + chart.height, height: 1, ..area },
    );
}

/// The Drift tab: the table, and the selected feature's histograms (beside it from 110
/// columns, below it otherwise).
pub fn layout(content: Rect) -> (Rect, Rect) {
    if content.width >= 110 {
        let [table, chart] = Layout::horizontal([Constraint::Length(62), Constraint::Min(0)]).areas(content);
        (table, chart)
    } else {
        let [table, chart] = Layout::vertical([Constraint::Percentage(50), Constraint::Min(0)]).areas(content);
        (table, chart)
    }
}

/// While the drift report is computed.
pub const DRIFT_LOADING: &str = "Comparing the applicants with the reference population…";

/// Heading of the Drift table for its order.
pub fn drift_heading(sort: DriftSort) -> String {
    let order = match sort {
        DriftSort::Weighted => "PSI × importance",
        DriftSort::Psi => "PSI",
        DriftSort::Name => "name",
    };
    format!("sorted by {order} (s to change)")
}

/// The Drift tab's summary line: how many features got each verdict, the score's verdict
/// and the approval rate of the reference and of the applicants.
pub fn drift_summary(counts: &VerdictCounts, score: &str, approval: (&str, &str)) -> String {
    format!(
        "{} drifted, {} moderate, {} slight, {} stable; score {score}; approval {} → {}",
        counts.drifted, counts.moderate, counts.slight, counts.stable, approval.0, approval.1
    )
}

