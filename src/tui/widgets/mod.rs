//! Reusable text widgets: the probability gauge with its threshold, the contribution
//! waterfall, and bar charts for histograms and importance; and the text helpers they share.

mod bars;
mod gauge;
mod histogram;
mod text;
mod waterfall;

pub use bars::{Bar, Bars};
pub use gauge::ThresholdGauge;
pub use histogram::{Histogram, HistogramBin};
pub use text::{fit, message, overlay, wrap};
pub use waterfall::{Step, Waterfall};
