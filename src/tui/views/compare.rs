//! The Compare tab: one feature's distribution among past clients, repaid and defaulted
//! apart, with the client's value marked and its percentile.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::{fit, message};
use crate::domain::format::{Language, format_number, format_value};
use crate::domain::{Bins, Distribution, FeatureDescription};
use crate::tui::app::{App, Focus, Loadable};
use crate::tui::layout;
use crate::tui::strings;
use crate::tui::widgets::{Bar, Bars, Histogram, HistogramBin};

/// Rows of the histogram at most (taller is harder to read).
const CHART_ROWS: u16 = 18;

pub(super) fn render(app: &App, frame: &mut Frame, area: Rect) {
    let theme = &app.theme;
    let (list, chart) = layout::compare(area);
    feature_list(app, frame, list);
    let Some(feature_idx) = app.compared_feature() else { return };
    let Some(feature) = app.info.features.get(feature_idx) else { return };
    let chart =
        if list.width > 0 { Rect { x: chart.x + 1, width: chart.width.saturating_sub(1), ..chart } } else { chart };
    let [title, legend, body, client] =
        Layout::vertical([Constraint::Length(1), Constraint::Length(1), Constraint::Min(0), Constraint::Length(3)])
            .areas(chart);
    let heading = if list.width > 0 {
        feature.label_en.clone()
    } else {
        strings::compare_heading_narrow(&feature.label_en, app.compare_cursor + 1, app.compare_order.len())
    };
    frame.render_widget(Paragraph::new(fit(&heading, title.width as usize)).style(theme.heading), title);
    let legend_line = Line::from(vec![
        Span::styled("██", theme.repaid),
        Span::raw(format!(" {}  ", strings::COMPARE_LEGEND_REPAID)),
        Span::styled("▒▒", theme.defaulted),
        Span::raw(format!(" {}  ", strings::COMPARE_LEGEND_DEFAULTED)),
        Span::styled(if list.width > 0 { strings::COMPARE_BARS } else { "" }, theme.dim),
    ]);
    frame.render_widget(Paragraph::new(legend_line), legend);
    let distribution = match app.distributions.get(&feature.name) {
        Some(Loadable::Ready(distribution)) => distribution,
        Some(Loadable::Failed(error)) => return message(frame, body, error, theme.error),
        _ => return message(frame, body, strings::LOADING, theme.dim),
    };
    let field = app.selected_record().and_then(|record| record.fields.get(feature_idx));
    let marked = field.and_then(|field| distribution.bins.locate(&field.value));
    match &distribution.bins {
        Bins::Numeric { edges } => numeric(app, frame, body, distribution, edges, feature, marked),
        Bins::Categorical { categories } => categorical(app, frame, body, distribution, categories, marked),
    }
    let mut lines = Vec::new();
    if let Some(field) = field {
        let value = format_value(&field.value, &feature.unit, Language::En);
        lines.push(Line::styled(strings::compare_client(&value, field.percentile, field.share), theme.marker));
    }
    let (repaid, defaulted) = distribution.missing;
    if repaid + defaulted > 0 {
        lines.push(Line::styled(strings::compare_missing(repaid, defaulted), theme.dim));
    }
    frame.render_widget(Paragraph::new(lines).wrap(ratatui::widgets::Wrap { trim: true }), client);
}

fn feature_list(app: &App, frame: &mut Frame, area: Rect) {
    let theme = &app.theme;
    if area.height == 0 {
        return;
    }
    frame.render_widget(Paragraph::new(strings::COMPARE_LIST).style(theme.heading), Rect { height: 1, ..area });
    let width = area.width as usize;
    let lines: Vec<Line> = app
        .compare_order
        .iter()
        .enumerate()
        .skip(app.compare_offset)
        .take(area.height.saturating_sub(1) as usize)
        .filter_map(|(position, &feature_idx)| {
            let feature = app.info.features.get(feature_idx)?;
            let style = match (position == app.compare_cursor, app.focus == Focus::Panel) {
                (true, true) => theme.selected,
                (true, false) => theme.selected_unfocused,
                _ if !feature.used => theme.dim,
                _ => theme.text,
            };
            Some(Line::styled(format!("{:<width$}", fit(&feature.label_en, width)), style))
        })
        .collect();
    frame.render_widget(Paragraph::new(lines), Rect { y: area.y + 1, height: area.height - 1, ..area });
}

/// Each group's count as a share of the group's members with a value.
fn shares(counts: &[u64]) -> Vec<f64> {
    let total: u64 = counts.iter().sum();
    counts.iter().map(|&count| if total > 0 { count as f64 / total as f64 } else { 0.0 }).collect()
}

fn numeric(
    app: &App,
    frame: &mut Frame,
    area: Rect,
    distribution: &Distribution,
    edges: &[f64],
    feature: &FeatureDescription,
    marked: Option<usize>,
) {
    let theme = &app.theme;
    if area.height < 4 {
        return;
    }
    let area = Rect { height: area.height.min(CHART_ROWS), ..area };
    // Merge neighbouring bins until two columns per bin fit.
    let n_bins = distribution.repaid.len();
    let group = n_bins.div_ceil((area.width as usize / 2).max(1)).max(1);
    let merge = |counts: &[u64]| counts.chunks(group).map(|chunk| chunk.iter().sum()).collect::<Vec<u64>>();
    let repaid = shares(&merge(&distribution.repaid));
    let defaulted = shares(&merge(&distribution.defaulted));
    let mut bins: Vec<HistogramBin> =
        repaid.iter().zip(&defaulted).map(|(&first, &second)| HistogramBin { first, second }).collect();
    let mut marked = marked.map(|bin| bin / group);
    // Durations in days are negative numbers in the data: turned around, they grow to the right.
    let durations = feature.unit == "days";
    if durations {
        bins.reverse();
        marked = marked.map(|bin| bins.len() - 1 - bin.min(bins.len() - 1));
    }
    let chart = Rect { height: area.height - 1, ..area };
    let histogram = Histogram {
        bins: &bins,
        marked,
        first: theme.repaid,
        second: theme.defaulted,
        marker: theme.marker,
        text: theme.dim,
    };
    frame.render_widget(&histogram, chart);
    let per_bin = Histogram::columns_per_bin(chart.width, bins.len());
    let drawn = (bins.len() as u16 * per_bin).min(area.width) as usize;
    let mut low = edges.first().map_or_else(String::new, |&edge| format_number(edge, &feature.unit, Language::En));
    let mut high = edges.last().map_or_else(String::new, |&edge| format_number(edge, &feature.unit, Language::En));
    if durations {
        std::mem::swap(&mut low, &mut high);
    }
    let gap = drawn.saturating_sub(low.chars().count() + high.chars().count()).max(1);
    let axis = format!("{low}{:gap$}{high}", "");
    frame.render_widget(
        Paragraph::new(fit(&axis, area.width as usize)).style(theme.dim),
        Rect { y: area.y + area.height - 1, height: 1, ..area },
    );
}

fn categorical(
    app: &App,
    frame: &mut Frame,
    area: Rect,
    distribution: &Distribution,
    categories: &[String],
    marked: Option<usize>,
) {
    let theme = &app.theme;
    let repaid = shares(&distribution.repaid);
    let defaulted = shares(&distribution.defaulted);
    // The largest categories that fit, the client's always among them.
    let mut order: Vec<usize> = (0..categories.len()).collect();
    order.sort_by(|&a, &b| {
        let size = |i: usize| distribution.repaid[i] + distribution.defaulted[i];
        size(b).cmp(&size(a))
    });
    let room = area.height as usize;
    order.truncate(room);
    if let Some(marked) = marked
        && !order.contains(&marked)
        && let Some(last) = order.last_mut()
    {
        *last = marked;
    }
    let bars: Vec<Bar> = order
        .iter()
        .map(|&i| Bar {
            label: format!("{}{}", if Some(i) == marked { "▶ " } else { "  " }, categories[i]),
            values: vec![repaid[i], defaulted[i]],
            figure: format!("{:.0} · {:.0} %", repaid[i] * 100.0, defaulted[i] * 100.0),
            highlighted: Some(i) == marked,
        })
        .collect();
    let label_width = (area.width as usize * 2 / 5).min(30);
    let widget = Bars {
        bars: &bars,
        series: &[(theme.repaid, "█"), (theme.defaulted, "▒")],
        label_width,
        figure_width: 10,
        text: theme.text,
        highlight: theme.marker,
    };
    frame.render_widget(&widget, area);
}
