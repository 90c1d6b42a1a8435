//! The decision at a glance: the client's probability of default on a horizontal scale, the
//! decision threshold on the same scale, and the verdict in large letters, blue when the
//! probability is under the threshold and red otherwise.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::canvas::{Align, Canvas, Font};
use super::font::{ASCENT, DESCENT};
use super::style::{GRID, INK, LOWERS, MUTED, RAISES, format_percent};
use super::{ChartError, DecimalMark, Marker, TextPlacement};

/// A probability of default against the decision threshold.
#[derive(Debug, Clone, PartialEq)]
pub struct GaugeChart {
    /// The title above the chart.
    pub title: String,
    /// The client's probability of default (0 to 1) and its label, e.g. "This client 7.2 %",
    /// shown above the scale.
    pub probability: Marker,
    /// The decision threshold (0 to 1) and its label, e.g. "Threshold 8.4 %", shown below.
    pub threshold: Marker,
    /// The top of the scale, a probability in (0, 1], e.g. 1.0, or 0.3 to spread low risks;
    /// a probability or threshold beyond it is drawn at the end of the scale.
    pub scale_max: f64,
    /// The verdict in large letters, e.g. "ACCEPTED".
    pub verdict: String,
    /// The decimal mark of the percentages at the scale's ends.
    pub decimal_mark: DecimalMark,
}

impl GaugeChart {
    /// Whether the probability is under the threshold (the favourable side).
    pub fn is_below_threshold(&self) -> bool {
        self.probability.value < self.threshold.value
    }

    /// The numbers must be probabilities, and the scale must reach past zero.
    fn check(&self) -> Result<(), String> {
        for (what, value) in [("the probability", self.probability.value), ("the threshold", self.threshold.value)] {
            if !(0.0..=1.0).contains(&value) {
                return Err(format!("{what} is {value}, not a probability from 0 to 1"));
            }
        }
        if !(self.scale_max > 0.0 && self.scale_max <= 1.0) {
            return Err(format!("the top of the scale is {}, not a probability above 0 and at most 1", self.scale_max));
        }
        Ok(())
    }
}

/// Draws the gauge on any plotters drawing area (in pixels), filling it; `placement` says
/// how text reaches the backend ([`TextPlacement::ByGlyph`] for plotters' `BitMapBackend`).
pub fn draw_gauge<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    chart: &GaugeChart,
    placement: TextPlacement,
) -> Result<(), ChartError> {
    super::finish(area, &chart.title, draw(area, chart, placement))
}

fn draw<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    chart: &GaugeChart,
    placement: TextPlacement,
) -> Result<(), String> {
    chart.check()?;
    let canvas = Canvas::new(area, placement)?;
    let (width, height, padding) = (canvas.width, canvas.height, canvas.padding);
    let top = canvas.title(&chart.title)?;
    let color = if chart.is_below_threshold() { LOWERS } else { RAISES };
    // A gauge has few texts: they are a little larger than other charts' body text.
    let label_size = canvas.text_size * 1.2;
    let label_font = Font::bold(label_size, INK);
    let threshold_font = Font::regular(label_size, INK);
    let inner_width = width - 2 * padding;
    let bar_height = canvas.em(2.0);
    let pointer = canvas.em(0.6);
    let gap = canvas.em(1.0);
    let reach = canvas.em(0.35);
    let below_verdict =
        gap + label_font.line_height() + pointer + bar_height + reach + canvas.em(0.2) + threshold_font.line_height();

    // The verdict as large as fits: up to four body sizes, the inner width, and what height
    // is left under the title.
    let mut verdict_font = Font::bold(canvas.text_size * 4.0, color);
    let verdict_width = canvas.text_width(&chart.verdict, verdict_font)?;
    if verdict_width > inner_width && verdict_width > 0 {
        verdict_font.size *= f64::from(inner_width) / f64::from(verdict_width);
    }
    let room = f64::from(height - padding - top - below_verdict);
    verdict_font.size = verdict_font.size.min(room / (ASCENT + DESCENT)).max(9.0);
    let block_height = verdict_font.line_height() + below_verdict;
    // The block is centred in the room under the title (or starts right under it if tight).
    let mut y = top + ((height - padding - top - block_height) / 2).max(0);

    canvas.text_inside(&chart.verdict, verdict_font, width / 2, y + verdict_font.ascent(), Align::Center)?;
    y += verdict_font.line_height() + gap;
    let label_baseline = y + label_font.ascent();
    y += label_font.line_height() + pointer;
    let (bar_top, bar_bottom) = (y, y + bar_height);

    // The scale's ends are labelled beside the bar.
    let tick_font = Font::regular(label_size * 0.9, MUTED);
    let decimals = if (chart.scale_max * 100.0).fract().abs() < 1e-9 { 0 } else { 1 };
    let (low_label, high_label) =
        (format_percent(0.0, 0, chart.decimal_mark), format_percent(chart.scale_max, decimals, chart.decimal_mark));
    let bar_left = padding + canvas.text_width(&low_label, tick_font)? + canvas.em(0.5);
    let bar_right = width - padding - canvas.text_width(&high_label, tick_font)? - canvas.em(0.5);
    let bar_width = f64::from((bar_right - bar_left).max(1));
    let x_of =
        |probability: f64| bar_left + (probability.min(chart.scale_max) / chart.scale_max * bar_width).round() as i32;
    let bar_middle = (bar_top + bar_bottom) / 2;
    canvas.text(&low_label, tick_font, padding, tick_font.baseline_centered_on(bar_middle), Align::Left)?;
    canvas.text(&high_label, tick_font, width - padding, tick_font.baseline_centered_on(bar_middle), Align::Right)?;

    canvas.rect((bar_left, bar_top), (bar_right, bar_bottom), GRID)?;
    let probability_x = x_of(chart.probability.value);
    canvas.rect((bar_left, bar_top), (probability_x.max(bar_left + 1), bar_bottom), color)?;

    // The threshold: a line across the bar, labelled below it.
    let threshold_x = x_of(chart.threshold.value);
    canvas.line(
        vec![(threshold_x, bar_top - reach), (threshold_x, bar_bottom + reach)],
        INK,
        canvas.em(0.12).max(2) as u32,
    )?;
    let threshold_baseline = bar_bottom + reach + canvas.em(0.2) + threshold_font.ascent();
    canvas.text_inside(&chart.threshold.label, threshold_font, threshold_x, threshold_baseline, Align::Center)?;

    // The probability: a pointer onto the bar, labelled above it.
    canvas.polygon(
        vec![
            (probability_x - pointer, bar_top - pointer),
            (probability_x + pointer, bar_top - pointer),
            (probability_x, bar_top),
        ],
        INK,
    )?;
    canvas.text_inside(&chart.probability.label, label_font, probability_x, label_baseline, Align::Center)?;
    Ok(())
}
