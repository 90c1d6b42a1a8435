//! The Compare tab: one feature's distribution among past clients, repaid and defaulted
//! apart, with the client's value marked and its percentile.

use std::collections::HashMap;

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::domain::format::{Language, format_number, format_value};
use crate::domain::{Bins, Distribution, FeatureDescription, Portfolio};
use crate::scoring::ScorerInfo;
use crate::tui::command::Command;
use crate::tui::layout::contains;
use crate::tui::panel::{Effect, Input, Panel, scrolled, stepped};
use crate::tui::state::{Context, Focus, Loadable};
use crate::tui::strings::LOADING;
use crate::tui::theme::Theme;
use crate::tui::widgets::{Bar, Bars, Histogram, HistogramBin, fit, message};

/// Rows of the histogram at most (taller is harder to read).
const CHART_ROWS: u16 = 18;

/// The Compare tab's state.
#[derive(Debug, Default)]
pub struct CompareTab {
    /// Feature indices in the order of the list.
    pub order: Vec<usize>,
    /// The position in `order` of the compared feature.
    pub cursor: usize,
    /// The first position of `order` shown.
    pub offset: usize,
    /// Whether the tab has been opened (until then it follows global importance).
    visited: bool,
    /// Distributions by feature name.
    pub distributions: HashMap<String, Loadable<Distribution>>,
}

impl Panel for CompareTab {
    fn name() -> &'static str {
        "Compare"
    }

    fn short_name() -> &'static str {
        "Compare"
    }

    fn hints() -> &'static [(&'static str, &'static str)] {
        &[("{up}{down}", "feature"), ("{next_tab}", "next tab"), ("{focus_clients}/{back}", "client list"), ("{help}", "help"), ("{quit}", "quit")]
    }

    fn update(&mut self, input: Input, context: &Context<'_>) -> Vec<Effect> {
        match input {
            Input::Opened => {
                self.visited = true;
                self.fit(context);
                self.load(context)
            }
            Input::Cursor(delta) => {
                self.cursor = stepped(self.cursor, delta, self.order.len());
                self.fit(context);
                self.load(context)
            }
            Input::Click(column, row) => {
                let Some((list, _)) = context.content().map(layout) else { return Vec::new() };
                let first = list.y + 1;
                if contains(list, column, row) && row >= first {
                    let position = self.offset + (row - first) as usize;
                    if position < self.order.len() {
                        self.cursor = position;
                        let mut effects = vec![Effect::FocusPanel];
                        effects.extend(self.load(context));
                        return effects;
                    }
                }
                Vec::new()
            }
            Input::Fit => {
                self.fit(context);
                Vec::new()
            }
            Input::Enter | Input::Sort | Input::ClientChanged | Input::Reconnected => Vec::new(),
        }
    }

    fn draw(&self, context: &Context<'_>, frame: &mut Frame, area: Rect) {
        let theme = context.theme;
        let (list, chart) = layout(area);
        self.feature_list(context, frame, list);
        let Some(feature_idx) = self.compared_feature() else { return };
        let Some(feature) = context.info.features.get(feature_idx) else { return };
        let chart =
            if list.width > 0 { Rect { x: chart.x + 1, width: chart.width.saturating_sub(1), ..chart } } else { chart };
        let [title, legend, body, client] =
            Layout::vertical([Constraint::Length(1), Constraint::Length(1), Constraint::Min(0), Constraint::Length(3)])
                .areas(chart);
        let heading = if list.width > 0 {
            feature.label_en.clone()
        } else {
            compare_heading_narrow(&feature.label_en, self.cursor + 1, self.order.len())
        };
        frame.render_widget(Paragraph::new(fit(&heading, title.width as usize)).style(theme.heading), title);
        let legend_line = Line::from(vec![
            Span::styled("██", theme.repaid),
            Span::raw(format!(" {}  ", COMPARE_LEGEND_REPAID)),
            Span::styled("▒▒", theme.defaulted),
            Span::raw(format!(" {}  ", COMPARE_LEGEND_DEFAULTED)),
            Span::styled(if list.width > 0 { COMPARE_BARS } else { "" }, theme.dim),
        ]);
        frame.render_widget(Paragraph::new(legend_line), legend);
        let distribution = match self.distributions.get(&feature.name) {
            Some(Loadable::Ready(distribution)) => distribution,
            Some(Loadable::Failed(error)) => return message(frame, body, error, theme.error),
            _ => return message(frame, body, LOADING, theme.dim),
        };
        let field = context.selected_record().and_then(|record| record.fields.get(feature_idx));
        let marked = field.and_then(|field| distribution.bins.locate(&field.value));
        match &distribution.bins {
            Bins::Numeric { edges } => numeric(context.theme, frame, body, distribution, edges, feature, marked),
            Bins::Categorical { categories } => categorical(context.theme, frame, body, distribution, categories, marked),
        }
        let mut lines = Vec::new();
        if let Some(field) = field {
            let value = format_value(&field.value, &feature.unit, Language::En);
            lines.push(Line::styled(compare_client(&value, field.percentile, field.share), theme.marker));
        }
        let (repaid, defaulted) = distribution.missing;
        if repaid + defaulted > 0 {
            lines.push(Line::styled(compare_missing(repaid, defaulted), theme.dim));
        }
        frame.render_widget(Paragraph::new(lines).wrap(ratatui::widgets::Wrap { trim: true }), client);
    }
}

impl CompareTab {
    /// The tab over a model's features: those the model uses first, by label.
    pub fn new(info: &ScorerInfo) -> CompareTab {
        CompareTab { order: compare_order(info), ..CompareTab::default() }
    }

    /// The feature index compared.
    pub fn compared_feature(&self) -> Option<usize> {
        self.order.get(self.cursor).copied()
    }

    /// Puts the cursor on a feature (opening the tab is the caller's part).
    pub fn select(&mut self, feature_idx: usize) {
        if let Some(position) = self.order.iter().position(|&idx| idx == feature_idx) {
            self.cursor = position;
        }
    }

    /// The portfolio arrived: until the tab is opened, it shows the feature that weighs most.
    pub fn portfolio_loaded(&mut self, portfolio: &Portfolio) {
        if !self.visited
            && let Some(most) = most_important(portfolio)
        {
            self.select(most);
        }
    }

    /// A feature's distribution arrived (or failed).
    pub fn distribution_loaded(&mut self, feature: String, distribution: Loadable<Distribution>) {
        self.distributions.insert(feature, distribution);
    }

    /// Scrolls so that the cursor is in view.
    fn fit(&mut self, context: &Context<'_>) {
        if let Some(content) = context.content() {
            let (list, _) = layout(content);
            let height = (list.height as usize).saturating_sub(1).max(1);
            self.offset = scrolled(self.offset, self.cursor, height);
        }
    }

    /// Asks for the compared feature's distribution unless it is here or on its way.
    fn load(&mut self, context: &Context<'_>) -> Vec<Effect> {
        let Some(feature) = self.compared_feature().and_then(|idx| context.info.features.get(idx)) else {
            return Vec::new();
        };
        let name = feature.name.clone();
        if matches!(self.distributions.get(&name), Some(Loadable::Ready(_) | Loadable::Loading)) {
            return Vec::new();
        }
        self.distributions.insert(name.clone(), Loadable::Loading);
        vec![Effect::Command(Command::LoadDistribution(name))]
    }

    fn feature_list(&self, context: &Context<'_>, frame: &mut Frame, area: Rect) {
        let theme = context.theme;
        if area.height == 0 {
            return;
        }
        frame.render_widget(Paragraph::new(COMPARE_LIST).style(theme.heading), Rect { height: 1, ..area });
        let width = area.width as usize;
        let lines: Vec<Line> = self
            .order
            .iter()
            .enumerate()
            .skip(self.offset)
            .take(area.height.saturating_sub(1) as usize)
            .filter_map(|(position, &feature_idx)| {
                let feature = context.info.features.get(feature_idx)?;
                let style = match (position == self.cursor, context.focus == Focus::Panel) {
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
}

/// Each group's count as a share of the group's members with a value.
fn shares(counts: &[u64]) -> Vec<f64> {
    let total: u64 = counts.iter().sum();
    counts.iter().map(|&count| if total > 0 { count as f64 / total as f64 } else { 0.0 }).collect()
}

fn numeric(
    theme: &Theme,
    frame: &mut Frame,
    area: Rect,
    distribution: &Distribution,
    edges: &[f64],
    feature: &FeatureDescription,
    marked: Option<usize>,
) {
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
    theme: &Theme,
    frame: &mut Frame,
    area: Rect,
    distribution: &Distribution,
    categories: &[String],
    marked: Option<usize>,
) {
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

/// The feature with the largest mean absolute contribution.
fn most_important(portfolio: &Portfolio) -> Option<usize> {
    (0..portfolio.mean_abs_points.len())
        .max_by(|&a, &b| portfolio.mean_abs_points[a].total_cmp(&portfolio.mean_abs_points[b]))
}

/// The Compare list: features the model uses, by label, then the others.
fn compare_order(info: &ScorerInfo) -> Vec<usize> {
    let mut order: Vec<usize> = (0..info.features.len()).collect();
    order.sort_by(|&a, &b| {
        let (a, b) = (&info.features[a], &info.features[b]);
        b.used.cmp(&a.used).then_with(|| a.label_en.to_lowercase().cmp(&b.label_en.to_lowercase()))
    });
    order
}

/// The Compare tab: the feature list on the left and the histogram on the right; below 90
/// columns there is no room for the list (an empty area), and the histogram takes it all.
pub fn layout(content: Rect) -> (Rect, Rect) {
    if content.width < 90 {
        return (Rect { width: 0, ..content }, content);
    }
    let [list, chart] = Layout::horizontal([Constraint::Length(34), Constraint::Min(0)]).areas(content);
    (list, chart)
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

