//! What the model leans on overall: each feature's mean absolute contribution over many
//! clients, as horizontal bars, largest first.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::canvas::{Align, Canvas};
use super::style::{INK, LEVEL, MUTED, format_number, nice_ticks};
use super::{ChartError, DecimalMark, TextPlacement};

/// One feature's bar.
#[derive(Debug, Clone, PartialEq)]
pub struct ImportanceBar {
    /// What the bar is called (a feature's name or description).
    pub label: String,
    /// Its mean absolute contribution, at least 0.
    pub value: f64,
}

/// Global importance: one bar per feature.
#[derive(Debug, Clone, PartialEq)]
pub struct ImportanceChart {
    /// The title above the chart.
    pub title: String,
    /// At least one bar, drawn in the given order (top first); values finite and not negative.
    pub bars: Vec<ImportanceBar>,
    /// The horizontal axis's title, e.g. "Mean |SHAP contribution| (log-odds)".
    pub x_title: String,
    /// The decimal mark of the numbers on the axis.
    pub decimal_mark: DecimalMark,
}

impl ImportanceChart {
    fn check(&self) -> Result<f64, String> {
        if self.bars.is_empty() {
            return Err("the importance chart needs at least one bar".into());
        }
        if let Some(bar) = self.bars.iter().find(|bar| !(bar.value.is_finite() && bar.value >= 0.0)) {
            return Err(format!("the importance of {} is {}, not a number of at least 0", bar.label, bar.value));
        }
        Ok(self.bars.iter().map(|bar| bar.value).fold(0.0, f64::max))
    }
}

/// Draws the importance chart on any plotters drawing area (in pixels), filling it;
/// `placement` says how text reaches the backend.
pub fn draw_importance<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    chart: &ImportanceChart,
    placement: TextPlacement,
) -> Result<(), ChartError> {
    super::finish(area, &chart.title, draw(area, chart, placement))
}

fn draw<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    chart: &ImportanceChart,
    placement: TextPlacement,
) -> Result<(), String> {
    let largest = chart.check()?;
    let canvas = Canvas::new(area, placement)?;
    let (width, height, padding) = (canvas.width, canvas.height, canvas.padding);
    let body = canvas.body(INK);
    let tick_font = canvas.small(MUTED);
    let top = canvas.title(&chart.title)?;
    let x_title_baseline = height - padding - body.descent();
    let ticks_baseline = x_title_baseline - body.ascent() - canvas.em(0.4) - tick_font.descent();
    let plot_bottom = ticks_baseline - tick_font.ascent() - canvas.em(0.45);

    // Labels take what they need, up to 45 % of the width (longer ones are shortened).
    let label_room = (f64::from(width - 2 * padding) * 0.45) as i32;
    let widest = canvas.widest(chart.bars.iter().map(|bar| bar.label.as_str()), body)?;
    let plot_left = padding + widest.min(label_room) + canvas.em(0.6);
    let plot_right = width - padding;
    let plot_width = f64::from((plot_right - plot_left).max(1));
    let max_ticks = ((plot_width / (canvas.text_size * 4.5)) as usize).clamp(2, 8);
    let (ticks, decimals) = nice_ticks(0.0, largest.max(1e-12), max_ticks);
    let high = ticks.last().copied().unwrap_or(largest).max(largest).max(1e-12);
    let x_of = |value: f64| plot_left + (value / high * plot_width).round() as i32;
    let labelled: Vec<(f64, String)> =
        ticks.iter().map(|&value| (value, format_number(value, decimals, chart.decimal_mark))).collect();
    canvas.bottom_axis(&labelled, &x_of, (plot_left, plot_right), plot_bottom)?;
    canvas.text_inside(&chart.x_title, body, (plot_left + plot_right) / 2, x_title_baseline, Align::Center)?;

    // As many bars as fit at a readable height; the rest are left out (the largest are first).
    let row = (body.line_height() + canvas.em(0.3)).max(1);
    let fitting = usize::try_from(((plot_bottom - top) / row).max(1)).unwrap_or(1);
    for (index, bar) in chart.bars.iter().take(fitting).enumerate() {
        let row_top = top + row * index as i32;
        let baseline = row_top + (row + body.ascent() - body.descent()) / 2;
        let label = canvas.fit(&bar.label, body, plot_left - padding - canvas.em(0.6))?;
        canvas.text(&label, body, plot_left - canvas.em(0.6), baseline, Align::Right)?;
        let inset = canvas.em(0.15);
        canvas.rect(
            (plot_left, row_top + inset),
            (x_of(bar.value).max(plot_left + 1), row_top + row - inset),
            LEVEL,
        )?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bars_must_be_numbers_of_at_least_zero() {
        let bar = |value| ImportanceBar { label: "EXT_SOURCE_3".into(), value };
        let chart = |bars| ImportanceChart {
            title: "Importance".into(),
            bars,
            x_title: "Mean |contribution|".into(),
            decimal_mark: DecimalMark::Point,
        };
        assert!(chart(vec![]).check().is_err());
        assert!(chart(vec![bar(f64::NAN)]).check().is_err());
        assert!(chart(vec![bar(-0.1)]).check().is_err());
        assert_eq!(chart(vec![bar(0.2), bar(0.5)]).check(), Ok(0.5));
    }
}
