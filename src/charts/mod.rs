//! Charts drawn with plotters. This is the only module that uses plotters. The charts a
//! customer explanation needs (a waterfall of contributions, where the client stands in a
//! histogram, a gauge of the decision, the cost curve behind the threshold) are plain data
//! structs, drawn by one `draw_*` function each onto any plotters backend, and rendered through
//! [`Chart`] as PNG bytes, an SVG document or an in-memory RGB image for the terminal. The
//! overlay of two distributions is SVG text for the self-contained drift report.
//!
//! All text is drawn in DejaVu Sans, shipped in `assets/fonts/` and compiled in, so nothing
//! depends on system fonts, and is measured so that it stays inside the image. The charts carry
//! every user-facing word themselves (already translated by the caller); the chart code adds only
//! numbers on axes.
//!
//! Uses: nothing else in the crate (plain numbers and labels in, drawings out).

mod canvas;
mod cost_curve;
mod font;
mod gauge;
mod histogram;
pub mod html;
mod importance;
#[cfg(test)]
mod samples;
mod style;
mod waterfall;

use plotters::coord::Shift;
use plotters::prelude::*;

pub use cost_curve::{CostCurveChart, CostPoint, draw_cost_curve};
pub use gauge::{GaugeChart, draw_gauge};
pub use histogram::{HistogramChart, HistogramGroup, HistogramMarker, draw_histogram};
pub use importance::{ImportanceBar, ImportanceChart, draw_importance};
pub use style::DecimalMark;
pub use waterfall::{
    MIN_ROW_LINES, MIN_ROWS, WaterfallChart, WaterfallLegend, WaterfallLevel, WaterfallStep, draw_waterfall,
    waterfall_rows_that_fit,
};

/// A chart that could not be drawn.
#[derive(Debug, thiserror::Error)]
#[error("cannot draw the chart `{title}`: {message}")]
pub struct ChartError {
    /// The chart's title.
    pub title: String,
    /// What went wrong: plotters' report, or what is wrong with the data or the size.
    pub message: String,
}

/// A value marked on a chart's scale, with its label: a threshold, or the client's probability.
#[derive(Debug, Clone, PartialEq)]
pub struct Marker {
    /// Where the mark is, in the scale's unit (a probability from 0 to 1 in every chart here).
    pub value: f64,
    /// The text next to the mark, e.g. "Threshold 8.4 %".
    pub label: String,
}

/// Ends a chart's drawing: a drawing error or a failure to present the area becomes a
/// [`ChartError`] naming the chart.
pub(crate) fn finish<DB: DrawingBackend>(
    area: &DrawingArea<DB, plotters::coord::Shift>,
    title: &str,
    drawn: Result<(), String>,
) -> Result<(), ChartError> {
    drawn.map_err(|message| ChartError { title: title.to_string(), message })?;
    area.present().map_err(|error| ChartError { title: title.to_string(), message: error.to_string() })
}

/// Any of the charts of a customer explanation, so that each backend is written once.
#[derive(Debug, Clone, PartialEq)]
pub enum Chart {
    /// Contributions from the average client to this client.
    Waterfall(WaterfallChart),
    /// Where the client stands among those who repaid and those who defaulted.
    Histogram(HistogramChart),
    /// The probability of default against the threshold, and the verdict.
    Gauge(GaugeChart),
    /// The cost per client at each threshold.
    CostCurve(CostCurveChart),
    /// Each feature's mean absolute contribution over many clients.
    Importance(ImportanceChart),
}

/// How a chart hands its text to the backend.
///
/// plotters 0.3.7 rasterizes text on its `BitMapBackend` (feature `ab_glyph`) with each glyph's
/// ink starting right at the pen, dropping the glyph's left side bearing, so narrow letters lean
/// on their left neighbour ("Client" reads "Cl ient"); it also rounds each glyph's top towards
/// zero, so a "." sits a pixel above the baseline. Widths are measured right; only the drawing
/// is off. [`render_png`] and [`render_rgb`] therefore draw by glyph, placing each one from the
/// embedded font's own tables, and [`render_svg`] hands whole strings to the viewer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TextPlacement {
    /// Each text as one string: for SVG and for any backend that lays out its own text.
    #[default]
    Whole,
    /// One character at a time at the font's side bearing: for plotters' `BitMapBackend`.
    ByGlyph,
}

/// The largest width or height a chart is drawn at, in pixels.
pub const MAX_SIDE: u32 = 8000;

impl Chart {
    /// The chart's title.
    pub fn title(&self) -> &str {
        match self {
            Chart::Waterfall(chart) => &chart.title,
            Chart::Histogram(chart) => &chart.title,
            Chart::Gauge(chart) => &chart.title,
            Chart::CostCurve(chart) => &chart.title,
            Chart::Importance(chart) => &chart.title,
        }
    }

    /// What kind of chart this is, in lowercase English for error messages and logs.
    pub fn kind(&self) -> &'static str {
        match self {
            Chart::Waterfall(_) => "waterfall",
            Chart::Histogram(_) => "histogram",
            Chart::Gauge(_) => "gauge",
            Chart::CostCurve(_) => "cost curve",
            Chart::Importance(_) => "importance",
        }
    }

    /// Draws the chart on any plotters drawing area, filling it, with text placed as
    /// `placement` says (see [`TextPlacement`]).
    pub fn draw<DB: DrawingBackend>(
        &self,
        area: &DrawingArea<DB, Shift>,
        placement: TextPlacement,
    ) -> Result<(), ChartError> {
        match self {
            Chart::Waterfall(chart) => draw_waterfall(area, chart, placement),
            Chart::Histogram(chart) => draw_histogram(area, chart, placement),
            Chart::Gauge(chart) => draw_gauge(area, chart, placement),
            Chart::CostCurve(chart) => draw_cost_curve(area, chart, placement),
            Chart::Importance(chart) => draw_importance(area, chart, placement),
        }
    }

    /// An error about this chart.
    fn error(&self, message: impl Into<String>) -> ChartError {
        ChartError { title: self.title().to_string(), message: message.into() }
    }

    /// Refuses a size with a zero or absurdly large side.
    fn check_size(&self, width: u32, height: u32) -> Result<(), ChartError> {
        let valid = 1..=MAX_SIDE;
        if valid.contains(&width) && valid.contains(&height) {
            Ok(())
        } else {
            Err(self.error(format!(
                "{width} × {height} px is no size for a {}: each side must be 1 to {MAX_SIDE} px",
                self.kind()
            )))
        }
    }
}

/// The chart as an RGB image `width` × `height` pixels (what a terminal image widget shows).
pub fn render_rgb(chart: &Chart, width: u32, height: u32) -> Result<image::RgbImage, ChartError> {
    chart.check_size(width, height)?;
    // At most 8000 × 8000 × 3 bytes, so the product cannot overflow.
    let mut buffer = vec![255_u8; width as usize * height as usize * 3];
    {
        let backend: BitMapBackend<'_> = BitMapBackend::with_buffer_and_format(&mut buffer, (width, height))
            .map_err(|error| chart.error(error.to_string()))?;
        chart.draw(&backend.into_drawing_area(), TextPlacement::ByGlyph)?;
    }
    image::RgbImage::from_raw(width, height, buffer)
        .ok_or_else(|| chart.error("the drawn buffer does not match the image size"))
}

/// The chart as PNG bytes, `width` × `height` pixels.
pub fn render_png(chart: &Chart, width: u32, height: u32) -> Result<Vec<u8>, ChartError> {
    use image::ImageEncoder;
    let image = render_rgb(chart, width, height)?;
    let mut png = Vec::new();
    image::codecs::png::PngEncoder::new(&mut png)
        .write_image(image.as_raw(), width, height, image::ExtendedColorType::Rgb8)
        .map_err(|error| chart.error(format!("cannot encode the PNG: {error}")))?;
    Ok(png)
}

/// The chart as an SVG document `width` × `height` pixels. Its text names the family
/// "DejaVu Sans, sans-serif"; the layout was measured with DejaVu Sans.
pub fn render_svg(chart: &Chart, width: u32, height: u32) -> Result<String, ChartError> {
    chart.check_size(width, height)?;
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (width, height)).into_drawing_area();
        chart.draw(&root, TextPlacement::Whole)?;
    }
    Ok(svg)
}

/// Two distributions over the same bins, side by side.
#[derive(Debug, Clone, Copy)]
pub struct OverlayChart<'a> {
    /// The title above the chart.
    pub title: &'a str,
    /// One label per bin.
    pub labels: &'a [String],
    /// Share of the first population in each bin (0 to 1).
    pub first: &'a [f64],
    /// Share of the second population in each bin (0 to 1).
    pub second: &'a [f64],
    /// Legend of the first population.
    pub first_name: &'a str,
    /// Legend of the second population.
    pub second_name: &'a str,
}

/// Blue of the first population.
const FIRST: RGBColor = RGBColor(66, 110, 180);
/// Orange of the second population.
const SECOND: RGBColor = RGBColor(230, 126, 34);

/// The chart as an SVG document `width` × `height` pixels.
pub fn overlay_svg(chart: &OverlayChart<'_>, width: u32, height: u32) -> Result<String, ChartError> {
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (width, height)).into_drawing_area();
        draw_overlay(&root, chart).map_err(|message| ChartError { title: chart.title.to_string(), message })?;
    }
    Ok(svg)
}

/// Draws the chart on any plotters drawing area.
pub fn draw_overlay<DB: DrawingBackend>(
    area: &DrawingArea<DB, plotters::coord::Shift>,
    chart: &OverlayChart<'_>,
) -> Result<(), String> {
    // plotters measures (and on bitmaps draws) text with the registered font, even for SVG.
    font::ensure()?;
    let error = |error: DrawingAreaErrorKind<DB::ErrorType>| error.to_string();
    area.fill(&WHITE).map_err(error)?;
    let n_bins = chart.labels.len().max(1);
    let top = chart.first.iter().chain(chart.second).copied().fold(0.0_f64, f64::max).max(1e-9) * 1.1;
    // Bin i spans i − 0.5 to i + 0.5, so that the axis's whole-number key points are bin centres.
    let mut plot = ChartBuilder::on(area)
        .caption(chart.title, ("sans-serif", 18))
        .margin(12)
        .x_label_area_size(48)
        .y_label_area_size(56)
        .build_cartesian_2d(-0.5..n_bins as f64 - 0.5, 0.0..top)
        .map_err(error)?;
    let labels = chart.labels;
    let label_at = move |x: &f64| -> String {
        let nearest = x.round();
        if (x - nearest).abs() < 1e-6 && nearest >= 0.0 {
            labels.get(nearest as usize).cloned().unwrap_or_default()
        } else {
            String::new()
        }
    };
    plot.configure_mesh()
        .disable_x_mesh()
        .x_labels(n_bins.min(12))
        .x_label_formatter(&label_at)
        .y_label_formatter(&|y| format!("{:.0} %", y * 100.0))
        .y_desc("share of clients")
        .draw()
        .map_err(error)?;
    for (shares, color, name, offset) in
        [(chart.first, FIRST, chart.first_name, -0.42), (chart.second, SECOND, chart.second_name, 0.0)]
    {
        plot.draw_series(shares.iter().enumerate().map(|(index, &share)| {
            let x = index as f64 + offset;
            Rectangle::new([(x, 0.0), (x + 0.42, share)], color.filled())
        }))
        .map_err(error)?
        .label(name)
        .legend(move |(x, y)| Rectangle::new([(x, y - 6), (x + 14, y + 6)], color.filled()));
    }
    plot.configure_series_labels()
        .position(SeriesLabelPosition::UpperMiddle)
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK.mix(0.3))
        .draw()
        .map_err(error)?;
    area.present().map_err(error)
}

#[cfg(test)]
mod tests {
    use super::*;
    use style::{LEVEL, LOWERS, MARKER, RAISES};

    /// The PNG decoded, checked to be `width` × `height`.
    fn decode(png: &[u8], width: u32, height: u32) -> image::RgbImage {
        let image = image::load_from_memory(png).unwrap().to_rgb8();
        assert_eq!(image.dimensions(), (width, height));
        image
    }

    /// The share of pixels that are not white.
    fn share_not_white(image: &image::RgbImage) -> f64 {
        let inked = image.pixels().filter(|pixel| pixel.0 != [255, 255, 255]).count();
        inked as f64 / (image.width() * image.height()) as f64
    }

    /// How many pixels are exactly `color`.
    fn count(image: &image::RgbImage, color: RGBColor) -> usize {
        image.pixels().filter(|pixel| pixel.0 == [color.0, color.1, color.2]).count()
    }

    /// The most pixels of `color` in any one column.
    fn tallest_column(image: &image::RgbImage, color: RGBColor) -> u32 {
        (0..image.width())
            .map(|x| {
                (0..image.height()).filter(|&y| image.get_pixel(x, y).0 == [color.0, color.1, color.2]).count() as u32
            })
            .max()
            .unwrap_or(0)
    }

    /// `text` as plotters writes it in an SVG document.
    fn svg_text(text: &str) -> String {
        text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('\'', "&apos;")
    }

    #[test]
    fn waterfall_rows_fit_below_the_header_at_the_smallest_text() {
        // 600 × 400: the text is at its smallest, 15 (400 / 32 = 12.5 is below it). Line heights
        // are ceil(1.01 × size): title (18) 19, body 16, ticks (13.5) 14. Header: padding 14,
        // three title lines 57, 9, legend 16 + 8, threshold label 16 + 5 = 125; footer: padding
        // 14, ticks 14, 8 = 36. Rows of 2.1 × 16 = 33.6 px in the 239 left: 7.
        assert_eq!(waterfall_rows_that_fit(600, 400), 7);
        // 96 × 7 cells of 7 × 15 pixels (a 100 × 30 terminal's customer chart): no room at all.
        assert_eq!(waterfall_rows_that_fit(672, 105), 0);
        assert_eq!(waterfall_rows_that_fit(0, 0), 0);
        // Taller images get larger text, and more rows all the same.
        assert!(waterfall_rows_that_fit(900, 900) > waterfall_rows_that_fit(600, 400));
    }

    #[test]
    fn waterfall_png_shows_steps_of_both_signs_in_their_colours() {
        for (width, height) in [(1200, 800), (800, 500)] {
            let image =
                decode(&render_png(&Chart::Waterfall(samples::waterfall_en()), width, height).unwrap(), width, height);
            let inked = share_not_white(&image);
            assert!((0.04..0.6).contains(&inked), "{inked} of the pixels are drawn at {width} × {height}");
            // Three bars up, two down, and the two levels, each at least a few hundred pixels.
            assert!(count(&image, RAISES) > 500, "raises: {}", count(&image, RAISES));
            assert!(count(&image, LOWERS) > 300, "lowers: {}", count(&image, LOWERS));
            assert!(count(&image, LEVEL) > 1000, "levels: {}", count(&image, LEVEL));
        }
    }

    #[test]
    fn waterfall_without_lowering_steps_has_no_blue() {
        let mut chart = samples::waterfall_en();
        chart.steps.retain(|step| step.contribution > 0.0);
        chart.legend = None;
        let image = decode(&render_png(&Chart::Waterfall(chart), 800, 500).unwrap(), 800, 500);
        assert_eq!(count(&image, LOWERS), 0);
        assert!(count(&image, RAISES) > 500);
    }

    #[test]
    fn histogram_png_marks_the_client_with_a_vertical_line() {
        let (width, height) = (800, 500);
        let image =
            decode(&render_png(&Chart::Histogram(samples::histogram_en()), width, height).unwrap(), width, height);
        assert!(share_not_white(&image) > 0.05);
        assert!(count(&image, LOWERS) > 2000 && count(&image, RAISES) > 2000);
        // The marker crosses the plot: a column of its colour at least half the height.
        let marker = tallest_column(&image, MARKER);
        assert!(marker > height / 2, "the tallest column of the marker colour is {marker} px");
        let mut chart = samples::histogram_en();
        chart.client = None;
        let image = decode(&render_png(&Chart::Histogram(chart), width, height).unwrap(), width, height);
        assert!(tallest_column(&image, MARKER) < height / 10);
    }

    #[test]
    fn gauge_png_takes_the_colour_of_the_verdict() {
        let (width, height) = (800, 500);
        let refused =
            decode(&render_png(&Chart::Gauge(samples::gauge_refused_en()), width, height).unwrap(), width, height);
        assert!(share_not_white(&refused) > 0.03);
        assert!(count(&refused, RAISES) > 5000, "refused in red: {}", count(&refused, RAISES));
        assert_eq!(count(&refused, LOWERS), 0);
        let accepted =
            decode(&render_png(&Chart::Gauge(samples::gauge_accepted_fr()), width, height).unwrap(), width, height);
        assert!(count(&accepted, LOWERS) > 2000, "accepted in blue: {}", count(&accepted, LOWERS));
        assert_eq!(count(&accepted, RAISES), 0);
    }

    #[test]
    fn cost_curve_png_draws_the_curve_and_the_chosen_point() {
        let (width, height) = (800, 500);
        let image =
            decode(&render_png(&Chart::CostCurve(samples::cost_curve_en()), width, height).unwrap(), width, height);
        assert!(share_not_white(&image) > 0.02);
        assert!(count(&image, LEVEL) > 1000, "curve: {}", count(&image, LEVEL));
        assert!(count(&image, MARKER) > 50, "chosen point: {}", count(&image, MARKER));
    }

    #[test]
    fn rgb_is_the_png_before_encoding() {
        let chart = Chart::Gauge(samples::gauge_refused_en());
        let rgb = render_rgb(&chart, 640, 360).unwrap();
        assert_eq!(rgb, decode(&render_png(&chart, 640, 360).unwrap(), 640, 360));
    }

    #[test]
    fn svg_carries_the_title_and_the_labels() {
        for (name, chart) in samples::all() {
            let svg = render_svg(&chart, 1200, 800).unwrap();
            assert!(svg.starts_with("<svg") && svg.contains("width=\"1200\""), "{name}");
            assert!(svg.contains(&svg_text(chart.title())), "{name}: the title is missing");
            let label = match &chart {
                Chart::Waterfall(chart) => chart.steps[2].label.clone(),
                Chart::Histogram(chart) => chart.client.as_ref().unwrap().label.clone(),
                Chart::Gauge(chart) => chart.verdict.clone(),
                Chart::CostCurve(chart) => chart.chosen.label.clone(),
                Chart::Importance(chart) => chart.bars[1].label.clone(),
            };
            assert!(svg.contains(&svg_text(&label)), "{name}: `{label}` missing");
        }
    }

    #[test]
    fn the_same_chart_renders_the_same_bytes() {
        for (name, chart) in samples::all() {
            assert_eq!(render_png(&chart, 800, 500).unwrap(), render_png(&chart, 800, 500).unwrap(), "{name}");
            assert_eq!(render_svg(&chart, 800, 500).unwrap(), render_svg(&chart, 800, 500).unwrap(), "{name}");
        }
    }

    #[test]
    fn bad_sizes_are_errors_that_name_the_chart() {
        let chart = Chart::Waterfall(samples::waterfall_en());
        for (width, height) in [(0, 500), (800, 0), (8001, 500), (800, 100_000)] {
            let error = render_png(&chart, width, height).unwrap_err().to_string();
            assert!(error.contains("Why this client"), "{error}");
            assert!(error.contains(&format!("{width} × {height} px")), "{error}");
            assert!(render_svg(&chart, width, height).is_err() && render_rgb(&chart, width, height).is_err());
        }
        assert!(render_png(&chart, 1, 1).is_ok(), "a tiny chart is drawn as well as it can be");
    }

    #[test]
    fn nothing_is_drawn_in_the_margins() {
        // Every text is measured and kept inside the padding (at least 13 px), so a band of
        // 6 px along each edge stays white: no text is cut by the image's edge.
        for (name, chart) in samples::all() {
            for (width, height) in [(1200, 800), (800, 500), (480, 300), (300, 900)] {
                let image = render_rgb(&chart, width, height).unwrap();
                let inked = image
                    .enumerate_pixels()
                    .filter(|(x, y, _)| *x < 6 || *y < 6 || *x >= width - 6 || *y >= height - 6)
                    .filter(|(_, _, pixel)| pixel.0 != [255, 255, 255])
                    .count();
                assert_eq!(inked, 0, "{name} at {width} × {height}: {inked} pixels drawn in the margins");
            }
        }
    }

    #[test]
    fn every_chart_draws_at_odd_sizes() {
        for (name, chart) in samples::all() {
            for (width, height) in [(1, 1), (40, 30), (480, 300), (2400, 300), (300, 900)] {
                let image = render_rgb(&chart, width, height).unwrap_or_else(|error| panic!("{name}: {error}"));
                assert_eq!(image.dimensions(), (width, height));
            }
        }
    }

    #[test]
    fn inconsistent_data_is_an_error_not_a_panic() {
        let mut histogram = samples::histogram_en();
        histogram.defaulted.counts.pop();
        let error = render_png(&Chart::Histogram(histogram), 800, 500).unwrap_err().to_string();
        assert!(error.contains("`defaulted` has 9 counts for 10 bins"), "{error}");
        let mut gauge = samples::gauge_refused_en();
        gauge.scale_max = 0.0;
        assert!(render_svg(&Chart::Gauge(gauge), 800, 500).is_err());
        let mut waterfall = samples::waterfall_en();
        waterfall.steps[0].contribution = f64::NAN;
        assert!(render_rgb(&Chart::Waterfall(waterfall), 800, 500).unwrap_err().to_string().contains("not a number"));
        let mut curve = samples::cost_curve_en();
        curve.points.truncate(1);
        assert!(render_png(&Chart::CostCurve(curve), 800, 500).is_err());
    }

    #[test]
    fn overlay_svg_draws_both_populations() {
        let labels: Vec<String> = ["a", "b", "c"].iter().map(|s| s.to_string()).collect();
        let chart = OverlayChart {
            title: "Test",
            labels: &labels,
            first: &[0.2, 0.5, 0.3],
            second: &[0.6, 0.3, 0.1],
            first_name: "reference",
            second_name: "current",
        };
        let svg = overlay_svg(&chart, 400, 300).unwrap();
        assert!(svg.starts_with("<svg"), "{}", &svg[..svg.len().min(200)]);
        // Three bars per population, in their colours, and both legends.
        assert_eq!(svg.matches("fill=\"#426EB4\"").count(), 4, "three bars and a legend swatch");
        assert_eq!(svg.matches("fill=\"#E67E22\"").count(), 4);
        let texts: Vec<&str> = svg.lines().map(str::trim).collect();
        assert!(texts.contains(&"reference") && texts.contains(&"current") && texts.contains(&"Test"));
        // The bin labels under their bars.
        assert!(["a", "b", "c"].iter().all(|label| texts.contains(label)));
    }
}
