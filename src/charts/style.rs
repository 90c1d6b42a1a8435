//! The charts' small palette, the decimal mark of axis numbers, and "nice" axis ticks.
//!
//! Blue means lower risk and red higher risk in every chart; black marks the client or the
//! decision threshold. The background is white.

use plotters::style::RGBColor;

/// Main text and the threshold line.
pub(crate) const INK: RGBColor = RGBColor(33, 37, 41);
/// Secondary text: tick labels, notes.
pub(crate) const MUTED: RGBColor = RGBColor(96, 103, 112);
/// Axis lines and ticks.
pub(crate) const AXIS: RGBColor = RGBColor(173, 181, 189);
/// Faint grid lines and the empty part of the gauge.
pub(crate) const GRID: RGBColor = RGBColor(233, 236, 239);
/// What raises the risk of default (and the group that defaulted).
pub(crate) const RAISES: RGBColor = RGBColor(200, 55, 45);
/// What lowers the risk of default (and the group that repaid).
pub(crate) const LOWERS: RGBColor = RGBColor(31, 110, 180);
/// The start and end levels of the waterfall.
pub(crate) const LEVEL: RGBColor = RGBColor(84, 94, 110);
/// The client's marker in the histogram and the chosen point on the cost curve.
pub(crate) const MARKER: RGBColor = RGBColor(0, 0, 0);
/// The band behind the client's bin in the histogram.
pub(crate) const BAND: RGBColor = RGBColor(255, 236, 179);
/// The background.
pub(crate) const BACKGROUND: RGBColor = RGBColor(255, 255, 255);

/// How the numbers on a chart's axes separate their decimals: `7.5 %` or `7,5 %`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum DecimalMark {
    /// A point, as in English.
    #[default]
    Point,
    /// A comma, as in French.
    Comma,
}

/// `value` with `decimals` places, the decimal mark, and a true minus sign.
pub(crate) fn format_number(value: f64, decimals: usize, mark: DecimalMark) -> String {
    let text = format!("{:.decimals$}", value.abs());
    let negative = value < 0.0 && text.chars().any(|c| ('1'..='9').contains(&c));
    let text = match mark {
        DecimalMark::Point => text,
        DecimalMark::Comma => text.replace('.', ","),
    };
    if negative { format!("−{text}") } else { text }
}

/// A probability as a percentage: `0.075` → `7.5 %`.
pub(crate) fn format_percent(probability: f64, decimals: usize, mark: DecimalMark) -> String {
    format!("{} %", format_number(probability * 100.0, decimals, mark))
}

/// Ticks at round values (1, 2 or 5 times a power of ten apart) covering `low..=high`, at most
/// about `max_ticks` of them, and the number of decimals they need.
pub(crate) fn nice_ticks(low: f64, high: f64, max_ticks: usize) -> (Vec<f64>, usize) {
    let range = high - low;
    if !range.is_finite() || range <= 0.0 {
        return (vec![low], 0);
    }
    let raw_step = range / max_ticks.max(1) as f64;
    let magnitude = 10_f64.powf(raw_step.log10().floor());
    let step = [1.0, 2.0, 5.0, 10.0].iter().map(|m| m * magnitude).find(|&step| step >= raw_step).unwrap_or(raw_step);
    let decimals = (-step.log10().floor()).max(0.0) as usize;
    let first = (low / step - 1e-9).ceil() as i64;
    let last = (high / step + 1e-9).floor() as i64;
    let ticks = (first..=last).map(|index| index as f64 * step).collect();
    (ticks, decimals)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_use_the_decimal_mark_and_a_true_minus() {
        assert_eq!(format_number(7.26, 1, DecimalMark::Point), "7.3");
        assert_eq!(format_number(7.25, 2, DecimalMark::Comma), "7,25");
        assert_eq!(format_number(-1.5, 1, DecimalMark::Point), "−1.5");
        // What rounds to zero carries no sign.
        assert_eq!(format_number(-0.01, 1, DecimalMark::Point), "0.0");
        assert_eq!(format_percent(0.084, 1, DecimalMark::Comma), "8,4 %");
    }

    #[test]
    fn ticks_are_round_and_inside_the_range() {
        // 0 to 0.17 in at most 5 ticks: raw step 0.034, rounded up to 0.05.
        let (ticks, decimals) = nice_ticks(0.0, 0.17, 5);
        assert_eq!(ticks.len(), 4);
        assert!((ticks[3] - 0.15).abs() < 1e-12);
        assert_eq!(decimals, 2);
        let (ticks, decimals) = nice_ticks(12.0, 87.0, 4);
        assert_eq!(ticks, vec![20.0, 40.0, 60.0, 80.0]);
        assert_eq!(decimals, 0);
        assert_eq!(nice_ticks(1.0, 1.0, 5).0, vec![1.0]);
    }
}
