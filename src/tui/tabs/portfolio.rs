//! The Portfolio tab: the approval rate, the applicants' scores against the threshold, and
//! what weighs most in the model's decisions over all of them.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::Line;
use ratatui::widgets::{Gauge, Paragraph};

use crate::domain::Portfolio;
use crate::domain::format::{Language, format_percent};
use crate::tui::panel::{Effect, Input, Panel};
use crate::tui::strings::SCROLL_HINTS;
use crate::tui::state::{Context, Loadable};
use crate::tui::widgets::{Bar, Bars, Histogram, HistogramBin, fit, message};

/// The Portfolio tab (its state is the shared portfolio).
#[derive(Debug, Default)]
pub struct PortfolioTab;

impl Panel for PortfolioTab {
    fn name() -> &'static str {
        "Portfolio"
    }

    fn short_name() -> &'static str {
        "Portfolio"
    }

    fn hints() -> &'static [(&'static str, &'static str)] {
        SCROLL_HINTS
    }

    fn update(&mut self, _input: Input, _context: &Context<'_>) -> Vec<Effect> {
        Vec::new()
    }

    fn draw(&self, context: &Context<'_>, frame: &mut Frame, area: Rect) {
        render(context, frame, area);
    }
}

/// Features in the importance chart at most.
const IMPORTANCE_ROWS: usize = 15;

/// Rows of the score histogram at most (taller is harder to read).
const CHART_ROWS: u16 = 16;

/// Bins of the score histogram.
const SCORE_BINS: usize = 20;

fn render(context: &Context<'_>, frame: &mut Frame, area: Rect) {
    let theme = context.theme;
    let portfolio = match context.portfolio {
        Loadable::Ready(portfolio) => portfolio,
        Loadable::Failed(error) => return message(frame, area, error, theme.error),
        Loadable::Loading => {
            let (done, total) = context.portfolio_progress;
            let ratio = if total > 0 { done as f64 / total as f64 } else { 0.0 };
            let [_, middle, _] =
                Layout::vertical([Constraint::Min(0), Constraint::Length(1), Constraint::Min(0)]).areas(area);
            let gauge = Gauge::default()
                .ratio(ratio.clamp(0.0, 1.0))
                .label(explaining(done, total))
                .gauge_style(theme.heading);
            frame.render_widget(gauge, middle);
            return;
        }
    };
    let [approval, body] = Layout::vertical([Constraint::Length(2), Constraint::Min(0)]).areas(area);
    let total = portfolio.probabilities.len();
    let accepted = portfolio.accepted();
    let rate = if total > 0 { accepted as f64 / total as f64 } else { 0.0 };
    let line = approval_line(
        accepted,
        total,
        &format_percent(rate, Language::En),
        &format_percent(portfolio.threshold, Language::En),
    );
    frame.render_widget(Paragraph::new(fit(&line, area.width as usize)).style(theme.heading), approval);
    let (importance, scores) = if body.width >= 90 {
        let [left, _, right] =
            Layout::horizontal([Constraint::Percentage(55), Constraint::Length(3), Constraint::Min(0)]).areas(body);
        (left, right)
    } else {
        let [top, bottom] = Layout::vertical([Constraint::Percentage(50), Constraint::Percentage(50)]).areas(body);
        (top, bottom)
    };
    importance_chart(context, frame, importance, portfolio);
    score_chart(context, frame, scores, portfolio);
}

fn importance_chart(context: &Context<'_>, frame: &mut Frame, area: Rect, portfolio: &Portfolio) {
    let theme = context.theme;
    if area.height < 2 {
        return;
    }
    frame.render_widget(
        Paragraph::new(fit(IMPORTANCE_HEADING, area.width as usize)).style(theme.heading),
        area,
    );
    let mut order: Vec<usize> = (0..portfolio.mean_abs_points.len()).collect();
    order.sort_by(|&a, &b| portfolio.mean_abs_points[b].total_cmp(&portfolio.mean_abs_points[a]));
    order.truncate((area.height as usize - 1).min(IMPORTANCE_ROWS));
    let bars: Vec<Bar> = order
        .iter()
        .filter_map(|&feature_idx| {
            let feature = context.info.features.get(feature_idx)?;
            let points = portfolio.mean_abs_points[feature_idx];
            Some(Bar {
                label: feature.label_en.clone(),
                values: vec![points],
                figure: format!("{:.2} pp", points * 100.0),
                highlighted: false,
            })
        })
        .collect();
    let widget = Bars {
        bars: &bars,
        series: &[(theme.heading, "█")],
        label_width: (area.width as usize / 2).min(34),
        figure_width: 8,
        text: theme.text,
        highlight: theme.marker,
    };
    frame.render_widget(&widget, Rect { y: area.y + 1, height: area.height - 1, ..area });
}

fn score_chart(context: &Context<'_>, frame: &mut Frame, area: Rect, portfolio: &Portfolio) {
    let theme = context.theme;
    if area.height < 5 {
        return;
    }
    frame.render_widget(Paragraph::new(fit(SCORES_HEADING, area.width as usize)).style(theme.heading), area);
    // The range: up to the largest probability, and at least twice the threshold.
    let top = portfolio.probabilities.iter().copied().fold(portfolio.threshold * 2.0, f64::max).clamp(1e-6, 1.0);
    let bins = SCORE_BINS.min((area.width as usize / 2).max(1));
    let width = top / bins as f64;
    let bin_of = |probability: f64| ((probability / width) as usize).min(bins - 1);
    let mut accepted = vec![0u64; bins];
    let mut refused = vec![0u64; bins];
    for &probability in &portfolio.probabilities {
        if probability < portfolio.threshold {
            accepted[bin_of(probability)] += 1;
        } else {
            refused[bin_of(probability)] += 1;
        }
    }
    let total = portfolio.probabilities.len().max(1) as f64;
    let histogram_bins: Vec<HistogramBin> = accepted
        .iter()
        .zip(&refused)
        .map(|(&accepted, &refused)| HistogramBin { first: accepted as f64 / total, second: refused as f64 / total })
        .collect();
    let chart = Rect { y: area.y + 2, height: (area.height - 3).min(CHART_ROWS), ..area };
    let legend = Line::from(vec![
        ratatui::text::Span::styled("██", theme.accepted),
        ratatui::text::Span::raw(" accepted  "),
        ratatui::text::Span::styled("▒▒", theme.refused),
        ratatui::text::Span::raw(" refused  ▼ threshold"),
    ]);
    frame.render_widget(Paragraph::new(legend), Rect { y: area.y + 1, height: 1, ..area });
    let histogram = Histogram {
        bins: &histogram_bins,
        marked: Some(bin_of(portfolio.threshold)),
        first: theme.accepted,
        second: theme.refused,
        marker: theme.marker,
        text: theme.dim,
    };
    frame.render_widget(&histogram, chart);
    let per_bin = Histogram::columns_per_bin(chart.width, bins) as usize;
    let high = format_percent(top, Language::En);
    let gap = (bins * per_bin).saturating_sub(3 + high.chars().count()).max(1);
    let axis = format!("0 %{:gap$}{high}", "");
    frame.render_widget(
        Paragraph::new(fit(&axis, area.width as usize)).style(theme.dim),
        Rect { y: chart.y + chart.height, height: 1, ..area },
    );
}

/// Heading of the Portfolio importance chart.
pub const IMPORTANCE_HEADING: &str = "What weighs most (mean |contribution| over applicants)";
/// Heading of the Portfolio score chart.
pub const SCORES_HEADING: &str = "Probability of default of the applicants";

/// The Portfolio approval line.
pub fn approval_line(accepted: usize, total: usize, rate: &str, threshold: &str) -> String {
    format!("Accepted {accepted} of {total} applicants ({rate}) at the threshold {threshold}")
}

/// The Portfolio progress label.
pub fn explaining(done: usize, total: usize) -> String {
    format!("Explaining every applicant: {done} of {total}")
}

