//! Where a client stands among past clients on one feature: the distribution of the clients who
//! repaid and of those who defaulted, each as shares of its own group so the two shapes compare,
//! with the client's bin marked.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::canvas::{Align, Canvas, Font};
use super::style::{AXIS, BAND, INK, LOWERS, MARKER, MUTED, RAISES, format_percent, nice_ticks};
use super::{ChartError, DecimalMark, TextPlacement};

/// One group of past clients: its name and how many fell in each bin.
#[derive(Debug, Clone, PartialEq)]
pub struct HistogramGroup {
    /// The group's name in the legend, e.g. "repaid".
    pub name: String,
    /// Clients (or shares) per bin, one per bin label; the chart divides by their sum.
    pub counts: Vec<f64>,
}

/// The client's place on the histogram.
#[derive(Debug, Clone, PartialEq)]
pub struct HistogramMarker {
    /// The bin the client falls in, from 0.
    pub bin: usize,
    /// The marker's label, e.g. "This client: 0.21".
    pub label: String,
}

/// Two groups' distributions over the same bins, and the client's bin.
#[derive(Debug, Clone, PartialEq)]
pub struct HistogramChart {
    /// The title above the chart.
    pub title: String,
    /// One label per bin, left to right (some are left out when they would overlap).
    pub bin_labels: Vec<String>,
    /// The clients who repaid, drawn in blue.
    pub repaid: HistogramGroup,
    /// The clients who defaulted, drawn in red.
    pub defaulted: HistogramGroup,
    /// The title of the share axis, shown above it, e.g. "Share of each group".
    pub y_title: Option<String>,
    /// The client's bin; `None` when the client has no value (say why in `note`).
    pub client: Option<HistogramMarker>,
    /// A line under the chart, e.g. "Missing for 12 % of clients".
    pub note: Option<String>,
    /// The decimal mark of the percentages on the axis.
    pub decimal_mark: DecimalMark,
}

impl HistogramChart {
    /// Each group's shares per bin (summing to 1, or all zero for an empty group).
    fn shares(&self) -> Result<[Vec<f64>; 2], String> {
        let n_bins = self.bin_labels.len();
        if n_bins == 0 {
            return Err("the histogram has no bins".to_string());
        }
        let shares = |group: &HistogramGroup| -> Result<Vec<f64>, String> {
            if group.counts.len() != n_bins {
                return Err(format!(
                    "the group `{}` has {} counts for {} bins",
                    group.name,
                    group.counts.len(),
                    n_bins
                ));
            }
            if let Some(count) = group.counts.iter().find(|count| !count.is_finite() || **count < 0.0) {
                return Err(format!("the group `{}` has the count {count}", group.name));
            }
            let total: f64 = group.counts.iter().sum();
            Ok(group.counts.iter().map(|count| if total > 0.0 { count / total } else { 0.0 }).collect())
        };
        if let Some(client) = &self.client
            && client.bin >= n_bins
        {
            return Err(format!("the client's bin {} is past the last of {} bins", client.bin, n_bins));
        }
        Ok([shares(&self.repaid)?, shares(&self.defaulted)?])
    }
}

/// Draws the histogram on any plotters drawing area (in pixels), filling it; `placement` says
/// how text reaches the backend ([`TextPlacement::ByGlyph`] for plotters' `BitMapBackend`).
pub fn draw_histogram<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    chart: &HistogramChart,
    placement: TextPlacement,
) -> Result<(), ChartError> {
    super::finish(area, &chart.title, draw(area, chart, placement))
}

fn draw<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    chart: &HistogramChart,
    placement: TextPlacement,
) -> Result<(), String> {
    let [repaid, defaulted] = chart.shares()?;
    let canvas = Canvas::new(area, placement)?;
    let (width, height, padding) = (canvas.width, canvas.height, canvas.padding);
    let body = canvas.body(INK);
    let tick_font = canvas.small(MUTED);
    let mut top = canvas.title(&chart.title)?;

    // The share axis's title on the left and the legend on the right of one line, or the
    // legend on a line of its own when they do not fit side by side.
    let line_height = body.line_height() + canvas.em(0.4);
    let legend = [(chart.repaid.name.as_str(), LOWERS), (chart.defaulted.name.as_str(), RAISES)];
    let legend_width = canvas.legend_width(&[&chart.repaid.name, &chart.defaulted.name])?;
    let y_title_width = match &chart.y_title {
        Some(y_title) => canvas.text_width(y_title, body)?,
        None => 0,
    };
    let legend_x = if chart.y_title.is_none() {
        padding
    } else if y_title_width + canvas.em(2.0) + legend_width <= width - 2 * padding {
        width - padding - legend_width
    } else {
        let legend_baseline = top + body.ascent();
        let last_baseline = canvas.legend(&legend, padding, legend_baseline)?;
        top += line_height + (last_baseline - legend_baseline);
        padding
    };
    let baseline = top + body.ascent();
    if let Some(y_title) = &chart.y_title {
        canvas.text_inside(y_title, body.with_color(MUTED), padding, baseline, Align::Left)?;
    }
    let mut last_baseline = baseline;
    if chart.y_title.is_none() || legend_x > padding {
        last_baseline = canvas.legend(&legend, legend_x, baseline)?;
    }
    top += line_height + (last_baseline - baseline);
    // The client's label on its own line above the bars.
    let marker_font = Font::bold(canvas.text_size, MARKER);
    let marker_baseline = top + marker_font.ascent();
    if chart.client.is_some() {
        top = marker_baseline + marker_font.descent() + canvas.em(0.3);
    }

    let mut bottom = height - padding;
    let note_baseline = bottom - body.descent();
    if chart.note.is_some() {
        bottom -= body.line_height() + canvas.em(0.4);
    }
    let labels_baseline = bottom - tick_font.descent();
    let plot_bottom = labels_baseline - tick_font.ascent() - canvas.em(0.5);

    // The share axis, in percent of each group.
    let highest = repaid.iter().chain(&defaulted).copied().fold(0.0_f64, f64::max).max(1e-9);
    let max_ticks = ((f64::from((plot_bottom - top).max(1)) / (canvas.text_size * 2.5)) as usize).clamp(2, 6);
    let (tick_values, decimals) = nice_ticks(0.0, highest * 100.0, max_ticks);
    let ticks: Vec<(f64, String)> = tick_values
        .iter()
        .map(|&percent| (percent / 100.0, format_percent(percent / 100.0, decimals, chart.decimal_mark)))
        .collect();
    let tick_width = canvas.widest(ticks.iter().map(|(_, label)| label.as_str()), tick_font)?;
    let plot_left = padding + tick_width + canvas.em(0.5);
    let plot_right = width - padding;
    let top_share = highest * 1.08;
    let plot_height = f64::from((plot_bottom - top).max(1));
    let y_of = |share: f64| plot_bottom - (share / top_share * plot_height).round() as i32;

    let n_bins = chart.bin_labels.len();
    let bin_width = f64::from((plot_right - plot_left).max(1)) / n_bins as f64;
    let bin_left = |bin: usize| plot_left + (bin_width * bin as f64).round() as i32;
    let bin_center = |bin: usize| plot_left + (bin_width * (bin as f64 + 0.5)).round() as i32;

    if let Some(client) = &chart.client {
        canvas.rect((bin_left(client.bin), top), (bin_left(client.bin + 1), plot_bottom), BAND)?;
    }
    canvas.left_axis(&ticks, &y_of, plot_left, plot_right)?;
    for bin in 0..n_bins {
        let left = f64::from(bin_left(bin));
        for (shares, color, from, to) in [(&repaid, LOWERS, 0.12, 0.5), (&defaulted, RAISES, 0.5, 0.88)] {
            let share = shares[bin];
            if share > 0.0 {
                let x0 = (left + bin_width * from).round() as i32;
                let x1 = ((left + bin_width * to).round() as i32 - 1).max(x0 + 1);
                canvas.rect((x0, y_of(share)), (x1, plot_bottom), color)?;
            }
        }
    }
    canvas.line(vec![(plot_left, plot_bottom), (plot_right, plot_bottom)], AXIS, 1)?;

    // Bin labels: every `every`-th, so that none overlap.
    let widest = canvas.widest(chart.bin_labels.iter().map(String::as_str), tick_font)?;
    let room = widest + canvas.em(0.8);
    let every = ((f64::from(room) / bin_width).ceil() as usize).max(1);
    for bin in (0..n_bins).step_by(every) {
        canvas.text_inside(&chart.bin_labels[bin], tick_font, bin_center(bin), labels_baseline, Align::Center)?;
    }

    if let Some(client) = &chart.client {
        let x = bin_center(client.bin);
        let line_width = canvas.em(0.15).max(2) as u32;
        canvas.line(vec![(x, top - canvas.em(0.2)), (x, plot_bottom)], MARKER, line_width)?;
        canvas.text_inside(&client.label, marker_font, x, marker_baseline, Align::Center)?;
    }
    if let Some(note) = &chart.note {
        canvas.text_inside(note, canvas.body(MUTED), padding, note_baseline, Align::Left)?;
    }
    Ok(())
}
