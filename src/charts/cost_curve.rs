//! Why the threshold is where it is: the business cost per client at each decision threshold,
//! as a line, with the chosen threshold marked.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::canvas::{Align, Canvas, Font};
use super::style::{INK, LEVEL, MARKER, MUTED, format_number, format_percent, nice_ticks};
use super::{ChartError, DecimalMark, Marker, TextPlacement};

/// The cost at one threshold.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CostPoint {
    /// The decision threshold, a probability from 0 to 1.
    pub threshold: f64,
    /// The cost per client at that threshold, in the caller's unit.
    pub cost: f64,
}

/// The cost per client as a function of the threshold.
#[derive(Debug, Clone, PartialEq)]
pub struct CostCurveChart {
    /// The title above the chart.
    pub title: String,
    /// At least two points, in any order (drawn by increasing threshold).
    pub points: Vec<CostPoint>,
    /// The chosen threshold (a probability) and its label, e.g. "Chosen threshold 8.4 %".
    pub chosen: Marker,
    /// The horizontal axis's title, e.g. "Decision threshold".
    pub x_title: String,
    /// The vertical axis's title, shown above it, e.g. "Cost per client".
    pub y_title: String,
    /// The decimal mark of the numbers on the axes.
    pub decimal_mark: DecimalMark,
}

impl CostCurveChart {
    /// The points by increasing threshold; at least two, all finite.
    fn sorted_points(&self) -> Result<Vec<CostPoint>, String> {
        if self.points.len() < 2 {
            return Err(format!("the cost curve needs at least two points, not {}", self.points.len()));
        }
        if let Some(point) = self.points.iter().find(|point| !point.threshold.is_finite() || !point.cost.is_finite()) {
            return Err(format!("the point ({}, {}) is not a pair of numbers", point.threshold, point.cost));
        }
        if !self.chosen.value.is_finite() {
            return Err(format!("the chosen threshold is {}, not a number", self.chosen.value));
        }
        let mut points = self.points.clone();
        points.sort_by(|a, b| a.threshold.total_cmp(&b.threshold));
        Ok(points)
    }
}

/// The cost at `threshold`, interpolated linearly between the points around it (sorted).
fn cost_at(points: &[CostPoint], threshold: f64) -> Option<f64> {
    points.windows(2).find_map(|pair| {
        let (a, b) = (pair[0], pair[1]);
        if threshold < a.threshold || threshold > b.threshold {
            return None;
        }
        let span = b.threshold - a.threshold;
        Some(if span > 0.0 { a.cost + (b.cost - a.cost) * (threshold - a.threshold) / span } else { a.cost })
    })
}

/// Draws the cost curve on any plotters drawing area (in pixels), filling it; `placement` says
/// how text reaches the backend ([`TextPlacement::ByGlyph`] for plotters' `BitMapBackend`).
pub fn draw_cost_curve<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    chart: &CostCurveChart,
    placement: TextPlacement,
) -> Result<(), ChartError> {
    super::finish(area, &chart.title, draw(area, chart, placement))
}

fn draw<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    chart: &CostCurveChart,
    placement: TextPlacement,
) -> Result<(), String> {
    let points = chart.sorted_points()?;
    let canvas = Canvas::new(area, placement)?;
    let (width, height, padding) = (canvas.width, canvas.height, canvas.padding);
    let body = canvas.body(INK);
    let tick_font = canvas.small(MUTED);
    let mut top = canvas.title(&chart.title)?;

    // The vertical axis's title sits above it, then the chosen threshold's label on its own
    // line above the plot, centred on the threshold's line.
    let label_font = Font::bold(canvas.text_size, INK);
    let y_title_baseline = top + body.ascent();
    let label_baseline = y_title_baseline + body.descent() + canvas.em(0.3) + label_font.ascent();
    top = label_baseline + label_font.descent() + canvas.em(0.3);
    let x_title_baseline = height - padding - body.descent();
    let labels_baseline = x_title_baseline - body.ascent() - canvas.em(0.4) - tick_font.descent();
    let plot_bottom = labels_baseline - tick_font.ascent() - canvas.em(0.45);

    // Scales: thresholds in percent; costs from a little under the lowest to a little over
    // the highest, so the minimum's shape shows.
    let (x_low, x_high) =
        (points[0].threshold.min(chart.chosen.value), points[points.len() - 1].threshold.max(chart.chosen.value));
    let (cost_low, cost_high) = points
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(low, high), point| (low.min(point.cost), high.max(point.cost)));
    let margin = ((cost_high - cost_low) * 0.06).max(cost_high.abs() * 0.01).max(1e-9);
    let (y_low, y_high) = (cost_low - margin, cost_high + margin);
    let plot_height = f64::from((plot_bottom - top).max(1));
    let max_y_ticks = ((plot_height / (canvas.text_size * 2.5)) as usize).clamp(2, 6);
    let (y_values, y_decimals) = nice_ticks(y_low, y_high, max_y_ticks);
    let y_ticks: Vec<(f64, String)> =
        y_values.iter().map(|&cost| (cost, format_number(cost, y_decimals, chart.decimal_mark))).collect();
    let plot_left =
        padding + canvas.widest(y_ticks.iter().map(|(_, label)| label.as_str()), tick_font)? + canvas.em(0.6);
    let plot_right = width - padding;
    let plot_width = f64::from((plot_right - plot_left).max(1));
    let x_span = (x_high - x_low).max(1e-9);
    let x_of = |threshold: f64| plot_left + ((threshold - x_low) / x_span * plot_width).round() as i32;
    let y_of = |cost: f64| plot_bottom - ((cost - y_low) / (y_high - y_low) * plot_height).round() as i32;

    let max_x_ticks = ((plot_width / (canvas.text_size * 4.5)) as usize).clamp(2, 10);
    let (x_values, x_decimals) = nice_ticks(x_low * 100.0, x_high * 100.0, max_x_ticks);
    let x_ticks: Vec<(f64, String)> = x_values
        .iter()
        .map(|&percent| (percent / 100.0, format_percent(percent / 100.0, x_decimals, chart.decimal_mark)))
        .collect();

    canvas.left_axis(&y_ticks, &y_of, plot_left, plot_right)?;
    canvas.bottom_axis(&x_ticks, &x_of, (plot_left, plot_right), plot_bottom)?;
    canvas.text_inside(&chart.y_title, body, padding, y_title_baseline, Align::Left)?;
    canvas.text_inside(&chart.x_title, body, (plot_left + plot_right) / 2, x_title_baseline, Align::Center)?;

    // The chosen threshold behind the curve, then the curve, then the chosen point on top.
    let chosen_x = x_of(chart.chosen.value);
    canvas.dashed((chosen_x, top - canvas.em(0.2)), (chosen_x, plot_bottom), INK, 2)?;
    let curve: Vec<(i32, i32)> = points.iter().map(|point| (x_of(point.threshold), y_of(point.cost))).collect();
    canvas.line(curve, LEVEL, canvas.em(0.16).max(3) as u32)?;
    if let Some(cost) = cost_at(&points, chart.chosen.value) {
        canvas.disc((chosen_x, y_of(cost)), canvas.em(0.4).max(4), MARKER)?;
    }
    canvas.text_inside(&chart.chosen.label, label_font, chosen_x, label_baseline, Align::Center)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cost_is_interpolated_between_points() {
        let points = [CostPoint { threshold: 0.1, cost: 2.0 }, CostPoint { threshold: 0.3, cost: 1.0 }];
        // A quarter of the way from 0.1 to 0.3: 2 − 0.25 × 1.
        assert_eq!(cost_at(&points, 0.15), Some(1.75));
        assert_eq!(cost_at(&points, 0.05), None);
    }
}
