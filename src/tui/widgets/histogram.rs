//! A vertical histogram of two groups side by side (repaid and defaulted clients), with one
//! bin marked (where the client is).

use super::text::VERTICAL_EIGHTHS;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::widgets::Widget;

/// One bin: each group's share of its own members in it, 0 to 1.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct HistogramBin {
    /// Share of the first group.
    pub first: f64,
    /// Share of the second group.
    pub second: f64,
}

/// Bins drawn left to right, two columns each (the first group solid, the second shaded) (a gap between bins when there is room), the
/// marked bin with `▼` above it and `▲` on the axis below it.
#[derive(Debug, Clone)]
pub struct Histogram<'a> {
    /// The bins.
    pub bins: &'a [HistogramBin],
    /// The bin to mark.
    pub marked: Option<usize>,
    /// Style of the first group.
    pub first: Style,
    /// Style of the second group.
    pub second: Style,
    /// Style of the marker.
    pub marker: Style,
    /// Style of the axis.
    pub text: Style,
}

impl Histogram<'_> {
    /// Columns per bin for a width: three (with a gap) if they fit, else two.
    pub fn columns_per_bin(width: u16, bins: usize) -> u16 {
        if bins * 3 <= width as usize { 3 } else { 2 }
    }
}

impl Widget for &Histogram<'_> {
    fn render(self, area: Rect, buffer: &mut Buffer) {
        if area.height < 3 || self.bins.is_empty() {
            return;
        }
        let per_bin = Histogram::columns_per_bin(area.width, self.bins.len());
        let bars_height = area.height - 2;
        let top = self.bins.iter().flat_map(|bin| [bin.first, bin.second]).fold(0.0_f64, f64::max);
        let scale = if top > 0.0 { f64::from(bars_height) * 8.0 / top } else { 0.0 };
        let axis_y = area.y + area.height - 1;
        for (index, bin) in self.bins.iter().enumerate() {
            let x = area.x + index as u16 * per_bin;
            if x + 1 >= area.x + area.width {
                break;
            }
            // The first group in eighths of a cell; the second shaded, to the nearest cell, so
            // that the two read apart without colour.
            let first = (bin.first * scale).round() as usize;
            let second = ((bin.second * scale) / 8.0).round() as u16;
            for row in 0..bars_height {
                let y = axis_y - 1 - row;
                let filled = first.saturating_sub(row as usize * 8).min(8);
                if filled > 0 {
                    buffer.set_string(x, y, VERTICAL_EIGHTHS[filled], self.first);
                }
                if row < second {
                    buffer.set_string(x + 1, y, "▒", self.second);
                }
            }
            if self.marked == Some(index) {
                buffer.set_string(x, area.y, "▼▼", self.marker);
            }
        }
        let drawn = (self.bins.len() as u16 * per_bin).min(area.width);
        let axis: String = "─".repeat(drawn as usize);
        buffer.set_string(area.x, axis_y, axis, self.text);
        if let Some(marked) = self.marked {
            let x = area.x + marked as u16 * per_bin;
            if x + 1 < area.x + area.width {
                buffer.set_string(x, axis_y, "▲▲", self.marker);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn two_columns_per_bin_scaled_to_the_tallest() {
        let bins = [HistogramBin { first: 0.5, second: 0.25 }, HistogramBin { first: 0.0, second: 0.5 }];
        let style = Style::default();
        let histogram =
            Histogram { bins: &bins, marked: Some(1), first: style, second: style, marker: style, text: style };
        // Height 4: a marker line, two bar lines (16 eighths for 0.5), the axis. Width 6 fits
        // three columns per bin. Bin 0: 0.5 → two full cells, 0.25 → one full cell.
        let area = Rect::new(0, 0, 6, 4);
        let mut buffer = Buffer::empty(area);
        (&histogram).render(area, &mut buffer);
        assert_eq!(buffer, Buffer::with_lines(["   ▼▼ ", "█   ▒ ", "█▒  ▒ ", "───▲▲─"]));
    }
}
