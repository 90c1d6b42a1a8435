//! The Fairness tab: the model's decisions on the reference population by sex, age band,
//! family status and children (approval, error rates, calibration, gaps to the most favoured
//! group with their 95 % intervals, verdicts against the policy), then the strong proxies.
//! Computed once in the background, the first time the tab is opened.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::Paragraph;

use crate::fairness::{FairnessReport, Interval, Verdict};
use crate::tui::command::Command;
use crate::tui::panel::{Effect, Input, Panel, stepped};
use crate::tui::state::{Context, Loadable};
use crate::tui::widgets::{fit, message};

/// Shown while the report is computed.
pub const FAIRNESS_LOADING: &str = "Assessing the decisions by sex, age, family status and children…";

/// The Fairness tab's state.
#[derive(Debug, Default)]
pub struct FairnessTab {
    /// The report, once the tab asked for it.
    pub report: Option<Loadable<FairnessReport>>,
    /// The first line shown.
    pub offset: usize,
}

impl Panel for FairnessTab {
    fn name() -> &'static str {
        "Fairness"
    }

    fn short_name() -> &'static str {
        "Fairness"
    }

    fn hints() -> &'static [(&'static str, &'static str)] {
        &[("{up}{down}", "scroll"), ("{focus_clients}/{back}", "client list"), ("{help}", "help"), ("{quit}", "quit")]
    }

    fn help() -> &'static [(&'static str, &'static str)] {
        &[]
    }

    fn update(&mut self, input: Input, _context: &Context<'_>) -> Vec<Effect> {
        match input {
            Input::Opened if self.report.is_none() => self.load(),
            Input::Reconnected if matches!(self.report, Some(Loadable::Failed(_))) => self.load(),
            Input::Cursor(delta) => {
                let len = match &self.report {
                    Some(Loadable::Ready(report)) => report_lines(report).len(),
                    _ => 0,
                };
                self.offset = stepped(self.offset, delta, len);
                Vec::new()
            }
            Input::Opened
            | Input::Reconnected
            | Input::Click(..)
            | Input::Sort
            | Input::Enter
            | Input::ClientChanged
            | Input::Fit => Vec::new(),
        }
    }

    fn draw(&self, context: &Context<'_>, frame: &mut Frame, area: Rect) {
        let theme = context.theme;
        let report = match &self.report {
            Some(Loadable::Ready(report)) => report,
            Some(Loadable::Failed(error)) => return message(frame, area, error, theme.error),
            _ => return message(frame, area, FAIRNESS_LOADING, theme.dim),
        };
        let width = area.width as usize;
        let lines: Vec<Line> = report_lines(report)
            .into_iter()
            .skip(self.offset)
            .take(area.height as usize)
            .map(|(text, kind)| {
                let style = match kind {
                    LineKind::Heading => theme.heading,
                    LineKind::Crossed => theme.refused,
                    LineKind::Uncertain => theme.marker,
                    LineKind::Dim => theme.dim,
                    LineKind::Text => theme.text,
                };
                Line::styled(fit(&text, width), style)
            })
            .collect();
        frame.render_widget(Paragraph::new(lines), area);
    }
}

impl FairnessTab {
    /// The report arrived (or failed).
    pub fn loaded(&mut self, report: Loadable<FairnessReport>) {
        self.report = Some(report);
        self.offset = 0;
    }

    /// Asks for the report.
    fn load(&mut self) -> Vec<Effect> {
        self.report = Some(Loadable::Loading);
        vec![Effect::Command(Command::LoadFairness)]
    }
}

/// How a line of the tab is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum LineKind {
    Heading,
    Text,
    Uncertain,
    Crossed,
    Dim,
}

/// `0.671 [0.62, 0.72]`.
fn interval(value: Option<Interval>) -> String {
    value.map_or_else(|| "—".into(), |value| format!("{:.2} [{:.2}, {:.2}]", value.value, value.low, value.high))
}

/// Every line of the tab, from the report.
fn report_lines(report: &FairnessReport) -> Vec<(String, LineKind)> {
    let bounds = &report.bounds;
    let mut lines = vec![
        (
            format!(
                "{} past clients · policy {} · approval ratio ≥ {} · differences ≤ {} · 95 % intervals ({} resamples)",
                report.rows, report.policy_version, bounds.min_ratio, bounds.max_difference, bounds.bootstrap
            ),
            LineKind::Dim,
        ),
        (String::new(), LineKind::Text),
    ];
    let percent = |value: Option<f64>| value.map_or_else(|| "—".into(), |value| format!("{:.1}%", 100.0 * value));
    for attribute in &report.attributes {
        lines.push((
            format!(
                "{} ({}, {} by the model) · most favoured: {}",
                attribute.attribute,
                attribute.column,
                if attribute.used_by_model { "read" } else { "not read" },
                attribute.favoured.as_deref().unwrap_or("none large enough")
            ),
            LineKind::Heading,
        ));
        lines.push((
            format!(
                "  {:<22} {:>7} {:>9} {:>7} {:>7} {:>7} {:>9}  {:<10} {:<19} {:<20}",
                "group",
                "clients",
                "approved",
                "TPR",
                "FPR",
                "mean p",
                "defaults",
                "verdict",
                "approval ratio",
                "equal opp. diff"
            ),
            LineKind::Dim,
        ));
        for group in &attribute.groups {
            let kind = match group.verdict {
                Verdict::Crossed => LineKind::Crossed,
                Verdict::Uncertain => LineKind::Uncertain,
                Verdict::TooSmall => LineKind::Dim,
                Verdict::Reference | Verdict::Within => LineKind::Text,
            };
            lines.push((
                format!(
                    "  {:<22} {:>7} {:>9} {:>7} {:>7} {:>7} {:>9}  {:<10} {:<19} {:<20}",
                    fit(&group.group, 22),
                    group.count,
                    percent(Some(group.approval_rate)),
                    percent(group.true_positive_rate),
                    percent(group.false_positive_rate),
                    percent(Some(group.mean_probability)),
                    percent(Some(group.default_rate)),
                    group.verdict.as_str(),
                    interval(group.approval_ratio),
                    interval(group.equal_opportunity_difference)
                ),
                kind,
            ));
        }
        lines.push((String::new(), LineKind::Text));
    }
    let strong: Vec<_> = report.proxies.iter().filter(|proxy| proxy.strong).collect();
    lines.push((format!("Strong proxies (AUC alone ≥ {}): {}", bounds.proxy_auc, strong.len()), LineKind::Heading));
    for proxy in strong {
        lines.push((
            format!("  {:<30} stands in for {} ({}), AUC {:.3}", proxy.feature, proxy.attribute, proxy.group, proxy.auc),
            LineKind::Text,
        ));
    }
    lines
}
