//! Reusable text widgets: the probability gauge with its threshold, the contribution
//! waterfall, and bar charts for histograms and importance.

mod bars;
mod gauge;
mod histogram;
mod waterfall;

pub use bars::{Bar, Bars};
pub use gauge::ThresholdGauge;
pub use histogram::{Histogram, HistogramBin};
pub use waterfall::{Step, Waterfall};

/// Eighths of a cell, for bars drawn with partial blocks (index = eighths filled).
const HORIZONTAL_EIGHTHS: [&str; 9] = [" ", "▏", "▎", "▍", "▌", "▋", "▊", "▉", "█"];
/// Eighths of a cell from the bottom.
const VERTICAL_EIGHTHS: [&str; 9] = [" ", "▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"];

/// Text cut to `width` characters, with an ellipsis when cut.
pub fn fit(text: &str, width: usize) -> String {
    if text.chars().count() <= width {
        return text.to_string();
    }
    let mut cut: String = text.chars().take(width.saturating_sub(1)).collect();
    if width > 0 {
        cut.push('…');
    }
    cut
}
