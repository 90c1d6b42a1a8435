//! Charts drawn with plotters. This is the only module that uses plotters; it draws onto any
//! plotters backend, and offers SVG text for self-contained HTML reports.
//!
//! Uses: nothing else in the crate (plain numbers and labels in, drawings out).

use plotters::prelude::*;

/// A chart that could not be drawn.
#[derive(Debug, thiserror::Error)]
#[error("cannot draw the chart `{title}`: {message}")]
pub struct ChartError {
    /// The chart's title.
    pub title: String,
    /// What plotters reported.
    pub message: String,
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
