//! The contribution waterfall: from the average client's probability, each contribution moves
//! the running total up or down, ending at the client's probability.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::widgets::Widget;

use super::text::fit;
use crate::domain::format::{Language, format_percent, format_points};

/// One line of the waterfall.
#[derive(Debug, Clone, PartialEq)]
pub enum Step {
    /// A level: the average client at the top, the client at the bottom (probability 0 to 1).
    Level {
        /// What it is.
        label: String,
        /// The probability.
        probability: f64,
    },
    /// A move of the running total (probability units).
    Move {
        /// The feature and the client's value.
        label: String,
        /// The contribution.
        points: f64,
        /// Whether the cursor is on it.
        highlighted: bool,
    },
}

/// A waterfall of [`Step`]s, one per line.
#[derive(Debug, Clone)]
pub struct Waterfall<'a> {
    /// The lines, top to bottom.
    pub steps: &'a [Step],
    /// Style of labels.
    pub text: Style,
    /// Style of levels.
    pub level: Style,
    /// Style of moves towards refusal.
    pub up: Style,
    /// Style of moves towards acceptance.
    pub down: Style,
    /// Style of the highlighted line.
    pub highlight: Style,
    /// The language of the figures (decimal point or comma).
    pub language: Language,
}

/// Width of the figure column.
const FIGURE_WIDTH: usize = 10;

impl Waterfall<'_> {
    /// The running total before and after each step.
    fn spans(&self) -> Vec<(f64, f64)> {
        let mut total = 0.0;
        self.steps
            .iter()
            .map(|step| match step {
                Step::Level { probability, .. } => {
                    total = *probability;
                    (0.0, *probability)
                }
                Step::Move { points, .. } => {
                    let before = total;
                    total += points;
                    (before, total)
                }
            })
            .collect()
    }
}

impl Widget for &Waterfall<'_> {
    fn render(self, area: Rect, buffer: &mut Buffer) {
        let width = area.width as usize;
        if width < FIGURE_WIDTH + 12 {
            return;
        }
        // The bars get a third of the room, at least 8 cells; labels the rest, at most 48.
        let room = width - FIGURE_WIDTH - 1;
        let label_width = (room - (room / 3).max(8)).min(48);
        let bar_width = room - label_width;
        let spans = self.spans();
        let high = spans.iter().flat_map(|&(a, b)| [a, b]).fold(0.0_f64, f64::max).max(1e-9);
        let low = spans.iter().flat_map(|&(a, b)| [a, b]).fold(0.0_f64, f64::min);
        let cell = |value: f64| (((value - low) / (high - low)) * bar_width as f64).round() as usize;
        for ((step, &(from, to)), y) in self.steps.iter().zip(&spans).zip(area.y..area.y + area.height) {
            let (label, figure, style, symbol, highlighted) = match step {
                Step::Level { label, probability } => {
                    (label, format_percent(*probability, self.language), self.level, "█", false)
                }
                Step::Move { label, points, highlighted } => {
                    let (style, symbol) = if *points >= 0.0 { (self.up, "█") } else { (self.down, "▒") };
                    (label, format_points(*points, self.language), style, symbol, *highlighted)
                }
            };
            let label_style = if highlighted { self.highlight } else { self.text };
            let label = fit(label, label_width);
            buffer.set_string(area.x, y, format!("{label:<label_width$}"), label_style);
            let (start, end) = (cell(from.min(to)), cell(from.max(to)));
            let end = end.max(start + 1).min(bar_width);
            let start = start.min(end.saturating_sub(1));
            let bar_x = area.x + label_width as u16 + 1;
            for position in start..end {
                buffer.set_string(bar_x + position as u16, y, symbol, style);
            }
            let figure_x = bar_x + bar_width as u16;
            buffer.set_string(figure_x, y, format!("{figure:>FIGURE_WIDTH$}"), label_style);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn moves_start_where_the_last_one_ended() {
        let steps = vec![
            Step::Level { label: "avg".into(), probability: 0.10 },
            Step::Move { label: "a".into(), points: 0.10, highlighted: false },
            Step::Move { label: "b".into(), points: -0.05, highlighted: false },
            Step::Level { label: "end".into(), probability: 0.15 },
        ];
        let style = Style::default();
        let waterfall = Waterfall {
            steps: &steps,
            text: style,
            level: style,
            up: style,
            down: style,
            highlight: style,
            language: Language::En,
        };
        // Width 42: figures 10, a space, then 31 cells: a third (10) for the bar, 21 for labels.
        // The bar spans 0 to 20 %: avg 0 → 10 % = cells 0..5; a: 10 → 20 % = cells 5..10;
        // b: 20 → 15 % drawn with ▒, where 0.1 + 0.1 − 0.05 = 0.15000000000000002 in floating
        // point gives 7.5000…01 cells, so cells 8..10; end: the literal 0.15 gives 7.4999…
        // cells, so cells 0..7.
        let area = Rect::new(0, 0, 42, 4);
        let mut buffer = Buffer::empty(area);
        (&waterfall).render(area, &mut buffer);
        let expected = Buffer::with_lines([
            "avg                   █████         10.0 %",
            "a                          █████  +10.0 pp",
            "b                             ▒▒   −5.0 pp",
            "end                   ███████       15.0 %",
        ]);
        assert_eq!(buffer, expected);
    }
}
