//! The Drift tab: every model feature's drift between the reference population and the
//! applicants, sortable, with the selected feature's two histograms side by side.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::{fit, message};
use crate::domain::format::{Language, format_percent};
use crate::drift::{DriftReport, Verdict};
use crate::tui::app::{App, Focus, Loadable};
use crate::tui::layout;
use crate::tui::strings;
use crate::tui::widgets::{Histogram, HistogramBin};

pub(super) fn render(app: &App, frame: &mut Frame, area: Rect) {
    let theme = &app.theme;
    let report = match &app.drift {
        Some(Loadable::Ready(report)) => report,
        Some(Loadable::Failed(error)) => return message(frame, area, error, theme.error),
        _ => return message(frame, area, strings::DRIFT_LOADING, theme.dim),
    };
    let (table, chart) = layout::drift(area);
    let order = app.drift_order();
    render_table(app, frame, table, report, &order);
    if let Some(feature) = order.get(app.drift_cursor).and_then(|&index| report.features.get(index)) {
        render_chart(app, frame, chart, &feature.label, &feature.overlay);
    }
}

fn verdict_style(app: &App, verdict: Verdict) -> ratatui::style::Style {
    match verdict {
        Verdict::Stable | Verdict::Slight => app.theme.text,
        Verdict::Moderate => app.theme.marker,
        Verdict::Drifted => app.theme.refused,
    }
}

fn render_table(app: &App, frame: &mut Frame, area: Rect, report: &DriftReport, order: &[usize]) {
    let theme = &app.theme;
    if area.height < 3 {
        return;
    }
    let percent = |value: f64| format_percent(value, Language::En);
    let (stable, moderate, drifted) = report.counts();
    let score = &report.score;
    let summary = strings::drift_summary(
        drifted,
        moderate,
        stable,
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
    let sort = strings::drift_heading(app.drift_sort);
    let rows_area = Rect { y: area.y + 2, height: area.height - 2, ..area };
    let mut rows: Vec<Line> = order
        .iter()
        .enumerate()
        .skip(app.drift_offset)
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
            let style = match (position == app.drift_cursor, app.focus == Focus::Panel) {
                (true, true) => theme.selected,
                (true, false) => theme.selected_unfocused,
                _ => verdict_style(app, feature.verdict),
            };
            Some(Line::styled(text, style))
        })
        .collect();
    rows.push(Line::styled(sort, theme.dim));
    frame.render_widget(Paragraph::new(rows), rows_area);
}

fn render_chart(app: &App, frame: &mut Frame, area: Rect, label: &str, overlay: &crate::drift::Overlay) {
    let theme = &app.theme;
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
