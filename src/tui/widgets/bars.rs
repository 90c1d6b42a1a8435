//! Horizontal bars, one or two series per line: label, bars, figure.

use super::text::{HORIZONTAL_EIGHTHS, fit};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::widgets::Widget;

/// One line.
#[derive(Debug, Clone, PartialEq)]
pub struct Bar {
    /// What the line is.
    pub label: String,
    /// One value per series (non-negative).
    pub values: Vec<f64>,
    /// The figure printed at the end.
    pub figure: String,
    /// Whether to highlight the line (the client's category).
    pub highlighted: bool,
}

/// Lines of bars; each series gets an equal share of the bar area, all on one scale.
#[derive(Debug, Clone)]
pub struct Bars<'a> {
    /// The lines.
    pub bars: &'a [Bar],
    /// Style and symbol of each series.
    pub series: &'a [(Style, &'a str)],
    /// Width of the label column.
    pub label_width: usize,
    /// Width of the figure column.
    pub figure_width: usize,
    /// Style of labels and figures.
    pub text: Style,
    /// Style of a highlighted line's label.
    pub highlight: Style,
}

impl Widget for &Bars<'_> {
    fn render(self, area: Rect, buffer: &mut Buffer) {
        let n_series = self.series.len().max(1);
        let width = area.width as usize;
        let Some(bar_area) = width.checked_sub(self.label_width + self.figure_width + n_series + 1) else {
            return;
        };
        let series_width = bar_area / n_series;
        if series_width == 0 {
            return;
        }
        let top = self.bars.iter().flat_map(|bar| bar.values.iter().copied()).fold(0.0_f64, f64::max);
        for (bar, y) in self.bars.iter().zip(area.y..area.y + area.height) {
            let label_style = if bar.highlighted { self.highlight } else { self.text };
            let label = fit(&bar.label, self.label_width);
            buffer.set_string(area.x, y, format!("{label:<width$}", width = self.label_width), label_style);
            for (series_idx, ((style, symbol), value)) in self.series.iter().zip(&bar.values).enumerate() {
                let x = area.x + (self.label_width + 1 + series_idx * (series_width + 1)) as u16;
                let eighths = if top > 0.0 { (value / top * (series_width * 8) as f64).round() as usize } else { 0 };
                for cell in 0..series_width {
                    let filled = eighths.saturating_sub(cell * 8).min(8);
                    if filled > 0 {
                        let glyph = if filled == 8 || *symbol != "█" { symbol } else { HORIZONTAL_EIGHTHS[filled] };
                        buffer.set_string(x + cell as u16, y, glyph, *style);
                    }
                }
            }
            let figure_x = area.x + (width - self.figure_width) as u16;
            let figure = fit(&bar.figure, self.figure_width);
            buffer.set_string(figure_x, y, format!("{figure:>width$}", width = self.figure_width), label_style);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bars_share_one_scale() {
        let bars = vec![
            Bar { label: "a".into(), values: vec![1.0], figure: "1".into(), highlighted: false },
            Bar { label: "b".into(), values: vec![0.5], figure: "0.5".into(), highlighted: false },
        ];
        let style = Style::default();
        let widget = Bars {
            bars: &bars,
            series: &[(style, "█")],
            label_width: 2,
            figure_width: 4,
            text: style,
            highlight: style,
        };
        // Width 16: label 2, a space, bar 16 - 2 - 4 - 2 = 8 cells, a space, figure 4.
        // 1.0 fills 8 cells, 0.5 fills 4; figures right-aligned in 4 columns.
        let area = Rect::new(0, 0, 16, 2);
        let mut buffer = Buffer::empty(area);
        (&widget).render(area, &mut buffer);
        assert_eq!(buffer, Buffer::with_lines(["a  ████████    1", "b  ████      0.5"]));
    }
}
