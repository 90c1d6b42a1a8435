//! The waterfall of one client's explanation: from the average client's probability of default,
//! each feature's contribution in turn, to this client's probability, with the decision
//! threshold as a dashed line.
//!
//! One row per level or step: the label on the left (wrapped onto two lines, then shortened, when
//! long), a bar on a percentage scale that starts at zero, and the value text right of the bar.
//! The scale leaves room for every value text.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::canvas::{self, Align, Canvas, Font};
use super::style::{AXIS, BACKGROUND, INK, LEVEL, LOWERS, MUTED, RAISES, format_percent, nice_ticks};
use super::{ChartError, DecimalMark, Marker, TextPlacement};

/// A level of the waterfall: where it starts (the average client) or ends (this client).
#[derive(Debug, Clone, PartialEq)]
pub struct WaterfallLevel {
    /// The row's label, e.g. "Average client".
    pub label: String,
    /// The probability of default, 0 to 1.
    pub probability: f64,
    /// The text right of the bar, e.g. "7.6 %" (empty for none).
    pub value_label: String,
}

/// One feature's step in the waterfall.
#[derive(Debug, Clone, PartialEq)]
pub struct WaterfallStep {
    /// The row's label, e.g. "External score 3: 0.213".
    pub label: String,
    /// The feature's contribution in probability units (0.021 is 2.1 percentage points);
    /// positive raises the risk of default.
    pub contribution: f64,
    /// The text right of the bar, e.g. "+2.1 pp" (empty for none).
    pub value_label: String,
}

/// What the two step colours mean, shown under the title.
#[derive(Debug, Clone, PartialEq)]
pub struct WaterfallLegend {
    /// The meaning of red steps, e.g. "raises the risk".
    pub raises: String,
    /// The meaning of blue steps, e.g. "lowers the risk".
    pub lowers: String,
}

/// A waterfall from a start level through steps to an end level.
///
/// The bars meet only if the steps add up from `start` to `end`: pass the remainder (the
/// features not shown) as a last step, e.g. "Other features".
#[derive(Debug, Clone, PartialEq)]
pub struct WaterfallChart {
    /// The title above the chart.
    pub title: String,
    /// The first row, drawn from zero.
    pub start: WaterfallLevel,
    /// The steps, top to bottom, each starting where the previous one ended. About 12 at
    /// most keep the text readable at 800 × 500.
    pub steps: Vec<WaterfallStep>,
    /// The last row, drawn from zero.
    pub end: WaterfallLevel,
    /// The decision threshold (a probability), drawn as a dashed vertical line.
    pub threshold: Option<Marker>,
    /// What red and blue mean; nothing is shown under the title without it.
    pub legend: Option<WaterfallLegend>,
    /// The decimal mark of the percentages on the axis.
    pub decimal_mark: DecimalMark,
}

/// One row as drawn.
struct Row<'c> {
    label: &'c str,
    value_label: &'c str,
    /// The bar's ends, in probability.
    from: f64,
    to: f64,
    color: RGBColor,
    is_level: bool,
}

impl<'c> Row<'c> {
    /// A level's row, drawn from zero.
    fn level(level: &'c WaterfallLevel) -> Row<'c> {
        Row {
            label: &level.label,
            value_label: &level.value_label,
            from: 0.0,
            to: level.probability,
            color: LEVEL,
            is_level: true,
        }
    }
}

impl WaterfallChart {
    /// The rows top to bottom, with their bars' ends on the running total.
    fn rows(&self) -> Vec<Row<'_>> {
        let mut rows = vec![Row::level(&self.start)];
        let mut total = self.start.probability;
        for step in &self.steps {
            let color = if step.contribution > 0.0 {
                RAISES
            } else if step.contribution < 0.0 {
                LOWERS
            } else {
                MUTED
            };
            rows.push(Row {
                label: &step.label,
                value_label: &step.value_label,
                from: total,
                to: total + step.contribution,
                color,
                is_level: false,
            });
            total += step.contribution;
        }
        rows.push(Row::level(&self.end));
        rows
    }

    /// Every number must be finite.
    fn check(&self) -> Result<(), String> {
        let mut values = vec![("the start level", self.start.probability), ("the end level", self.end.probability)];
        values.extend(self.steps.iter().map(|step| ("a step", step.contribution)));
        values.extend(self.threshold.iter().map(|threshold| ("the threshold", threshold.value)));
        match values.iter().find(|(_, value)| !value.is_finite()) {
            Some((what, value)) => Err(format!("{what} is {value}, not a number")),
            None => Ok(()),
        }
    }
}

/// The most rows (the two levels and the steps between) a waterfall `width` × `height` pixels
/// shows legibly: every row at least [`MIN_ROW_LINES`] lines of body text tall, below the
/// title (as many lines as it may take), the legend and the threshold's label, and above the
/// axis. Below a few rows the image says less than a text chart: see [`MIN_ROWS`].
pub fn waterfall_rows_that_fit(width: u32, height: u32) -> usize {
    let text_size = canvas::text_size(width, height);
    let padding = canvas::padding(text_size);
    let em = |share: f64| (text_size * share).round() as i32;
    let title = Font::bold(text_size * 1.2, INK);
    let body = Font::regular(text_size, INK);
    let small = Font::regular(text_size * 0.9, INK);
    let header = padding
        + title.line_height() * canvas::TITLE_LINES as i32
        + em(0.6)
        + body.line_height()
        + em(0.5)
        + body.line_height()
        + em(0.3);
    let footer = padding + small.line_height() + em(0.5);
    let room = f64::from(i32::try_from(height).unwrap_or(i32::MAX).saturating_sub(header + footer).max(0));
    (room / (f64::from(body.line_height()) * MIN_ROW_LINES)) as usize
}

/// The height of a row, in lines of body text, below which a waterfall is not drawn as an
/// image: room for a label on two lines (the drawing wraps labels from 2.1 lines on), so that
/// a long label keeps its value instead of being shortened.
pub const MIN_ROW_LINES: f64 = 2.1;

/// The fewest rows worth an image: the two levels and three steps.
pub const MIN_ROWS: usize = 5;

/// Draws the waterfall on any plotters drawing area (in pixels), filling it; `placement` says
/// how text reaches the backend ([`TextPlacement::ByGlyph`] for plotters' `BitMapBackend`).
pub fn draw_waterfall<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    chart: &WaterfallChart,
    placement: TextPlacement,
) -> Result<(), ChartError> {
    super::finish(area, &chart.title, draw(area, chart, placement))
}

fn draw<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    chart: &WaterfallChart,
    placement: TextPlacement,
) -> Result<(), String> {
    chart.check()?;
    let canvas = Canvas::new(area, placement)?;
    let (width, height, padding) = (canvas.width, canvas.height, canvas.padding);
    let body = canvas.body(INK);
    let mut top = canvas.title(&chart.title)?;

    if let Some(legend) = &chart.legend {
        let baseline = top + body.ascent();
        let baseline = canvas.legend(&[(&legend.raises, RAISES), (&legend.lowers, LOWERS)], padding, baseline)?;
        top = baseline + body.descent() + canvas.em(0.5);
    }
    // The threshold's label sits on its own line above the bars.
    let threshold_baseline = top + body.ascent();
    if chart.threshold.is_some() {
        top = threshold_baseline + body.descent() + canvas.em(0.3);
    }
    let tick_font = canvas.small(MUTED);
    let plot_bottom = height - padding - tick_font.line_height() - canvas.em(0.5);

    let rows = chart.rows();
    let row_height = f64::from((plot_bottom - top).max(1)) / rows.len() as f64;
    // The text shrinks when rows are crowded, down to a size still legible.
    let row_font_size = body.size.min(row_height * 0.62).max(9.0);
    let label_font = Font::regular(row_font_size, INK);
    let level_font = Font::bold(row_font_size, INK);
    let font_of = |row: &Row<'_>| if row.is_level { level_font } else { label_font };

    // Labels take what they need, up to about two-thirds of the width.
    let inner_width = width - 2 * padding;
    let mut widest_label = 0;
    for row in &rows {
        widest_label = widest_label.max(canvas.text_width(row.label, font_of(row))?);
    }
    let label_width = widest_label.min(inner_width * 62 / 100);
    let gap = canvas.em(0.8);
    let bars_left = padding + label_width + gap;
    let bars_right = width - padding;
    let bars_width = f64::from((bars_right - bars_left).max(1));

    // The scale: from zero (or below, if the total dips under it) to a maximum that leaves
    // room for each value text right of its bar.
    let value_gap = canvas.em(0.35);
    let low = rows.iter().map(|row| row.from.min(row.to)).fold(0.0_f64, f64::min);
    let mut high = rows.iter().map(|row| row.from.max(row.to)).fold(1e-6_f64, f64::max);
    if let Some(threshold) = &chart.threshold {
        high = high.max(threshold.value);
    }
    for row in &rows {
        let value_width = f64::from(canvas.text_width(row.value_label, font_of(row))?);
        let room = bars_width - f64::from(value_gap) - value_width;
        if room > bars_width * 0.2 {
            high = high.max(low + (row.from.max(row.to) - low) * bars_width / room);
        }
    }
    let x_of = |probability: f64| bars_left + ((probability - low) / (high - low) * bars_width).round() as i32;

    // The axis: percentages, at most one label per ~5 body sizes.
    let max_ticks = ((bars_width / (canvas.text_size * 5.0)) as usize).clamp(2, 8);
    let (tick_values, decimals) = nice_ticks(low * 100.0, high * 100.0, max_ticks);
    let ticks: Vec<(f64, String)> = tick_values
        .iter()
        .map(|&percent| (percent / 100.0, format_percent(percent / 100.0, decimals, chart.decimal_mark)))
        .collect();
    canvas.bottom_axis(&ticks, &x_of, (bars_left, bars_right), plot_bottom)?;
    canvas.line(vec![(x_of(0.0), top), (x_of(0.0), plot_bottom)], AXIS, 1)?;

    let bar_height = (row_height * 0.62).round().max(2.0) as i32;
    let row_center = |index: usize| top + (row_height * (index as f64 + 0.5)).round() as i32;

    // Bars, and thin connectors from each bar's end to the next bar.
    for (index, row) in rows.iter().enumerate() {
        let center = row_center(index);
        let (left, right) = (x_of(row.from.min(row.to)), x_of(row.from.max(row.to)));
        canvas.rect((left, center - bar_height / 2), (right.max(left + 1), center + bar_height / 2), row.color)?;
        if let Some(next) = rows.get(index + 1) {
            let x = x_of(if next.is_level { next.to } else { next.from });
            let next_center = row_center(index + 1);
            canvas.line(vec![(x, center + bar_height / 2), (x, next_center - bar_height / 2)], MUTED, 1)?;
        }
    }

    if let Some(threshold) = &chart.threshold {
        let x = x_of(threshold.value);
        canvas.dashed((x, top - canvas.em(0.2)), (x, plot_bottom), INK, 2)?;
        canvas.text_inside(&threshold.label, body, x, threshold_baseline, Align::Center)?;
    }

    for (index, row) in rows.iter().enumerate() {
        let center = row_center(index);
        let font = font_of(row);
        // The value, on a white ground so the threshold line does not cross it.
        let value_font = font.with_color(if row.is_level { INK } else { row.color });
        let value_width = canvas.text_width(row.value_label, value_font)?;
        if value_width > 0 {
            let x = (x_of(row.from.max(row.to)) + value_gap).min(bars_right - value_width);
            let baseline = font.baseline_centered_on(center);
            canvas.rect(
                (x - 2, baseline - font.ascent()),
                (x + value_width + 2, baseline + font.descent()),
                BACKGROUND,
            )?;
            canvas.text(row.value_label, value_font, x, baseline, Align::Left)?;
        }
        // The label: one line, or two if the row is tall enough, else shortened.
        let line_step = font.line_height();
        let max_lines = if row_height >= f64::from(line_step) * 2.1 { 2 } else { 1 };
        let lines = canvas.wrap(row.label, font, label_width, max_lines)?;
        let first_center = center - line_step * (lines.len() as i32 - 1) / 2;
        for (line_index, line) in lines.iter().enumerate() {
            let baseline = font.baseline_centered_on(first_center + line_step * line_index as i32);
            canvas.text(line, font, padding, baseline, Align::Left)?;
        }
    }
    Ok(())
}
