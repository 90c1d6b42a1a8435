//! The probability of default on a bar, with the threshold marked.

use super::text::HORIZONTAL_EIGHTHS;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::widgets::Widget;

/// A two-line gauge: a label line, then a bar from 0 to `scale` with the threshold marked
/// by `┃`. The scale is chosen so that the threshold and the probability both show.
#[derive(Debug, Clone)]
pub struct ThresholdGauge<'a> {
    /// The probability, 0 to 1.
    pub probability: f64,
    /// The threshold, 0 to 1.
    pub threshold: f64,
    /// The first line.
    pub label: &'a str,
    /// Style of the filled part.
    pub fill: Style,
    /// Style of the marker.
    pub marker: Style,
    /// Style of the label and scale ends.
    pub text: Style,
}

impl ThresholdGauge<'_> {
    /// The top of the scale: a round figure above both the threshold (twice it) and the
    /// probability, at most 100 %.
    pub fn scale(&self) -> f64 {
        let wanted = (self.threshold * 2.0).max(self.probability * 1.1).clamp(0.01, 1.0);
        [0.05, 0.1, 0.2, 0.25, 0.5, 1.0].into_iter().find(|&round| round >= wanted).unwrap_or(1.0)
    }
}

impl Widget for &ThresholdGauge<'_> {
    fn render(self, area: Rect, buffer: &mut Buffer) {
        if area.height == 0 || area.width < 12 {
            return;
        }
        buffer.set_stringn(area.x, area.y, self.label, area.width as usize, self.text);
        if area.height < 2 {
            return;
        }
        let y = area.y + 1;
        let scale = self.scale();
        let left = "0 % ";
        let right = format!(" {:.0} %", scale * 100.0);
        let bar_x = area.x + left.len() as u16;
        let bar_width = area.width.saturating_sub((left.len() + right.chars().count()) as u16);
        if bar_width < 4 {
            return;
        }
        buffer.set_string(area.x, y, left, self.text);
        buffer.set_string(bar_x + bar_width, y, &right, self.text);
        let eighths = ((self.probability / scale).clamp(0.0, 1.0) * f64::from(bar_width) * 8.0).round() as usize;
        for cell in 0..bar_width as usize {
            let filled = eighths.saturating_sub(cell * 8).min(8);
            let symbol = if filled == 0 { "░" } else { HORIZONTAL_EIGHTHS[filled] };
            let style = if filled == 0 { self.text } else { self.fill };
            buffer.set_string(bar_x + cell as u16, y, symbol, style);
        }
        let marker = ((self.threshold / scale).clamp(0.0, 1.0) * f64::from(bar_width)).round() as u16;
        let marker_x = bar_x + marker.min(bar_width - 1);
        buffer.set_string(marker_x, y, "┃", self.marker);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gauge(probability: f64, threshold: f64) -> ThresholdGauge<'static> {
        let style = Style::default();
        ThresholdGauge { probability, threshold, label: "p", fill: style, marker: style, text: style }
    }

    #[test]
    fn scale_shows_threshold_and_probability() {
        // Threshold 8.4 %: twice is 16.8 %, the next round figure is 20 %.
        assert_eq!(gauge(0.05, 0.084).scale(), 0.2);
        // A probability of 30 % needs 33 %: 50 %.
        assert_eq!(gauge(0.3, 0.084).scale(), 0.5);
        assert_eq!(gauge(0.9, 0.5).scale(), 1.0);
    }

    #[test]
    fn bar_fills_to_the_probability_and_marks_the_threshold() {
        // Width 24: "0 % " (4) + bar (15) + " 20 %" (5). Probability 10 % of a 20 % scale fills
        // 7.5 cells = 60 eighths: 7 full cells and a half cell. Threshold 8.4 % / 20 % × 15 =
        // 6.3 → the marker at cell 6.
        let area = Rect::new(0, 0, 24, 2);
        let mut buffer = Buffer::empty(area);
        (&gauge(0.10, 0.084)).render(area, &mut buffer);
        let expected = Buffer::with_lines(["p", "0 % ██████┃▌░░░░░░░ 20 %"]);
        assert_eq!(buffer, expected);
    }
}
