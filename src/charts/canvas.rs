//! A thin layer over a plotters drawing area in pixels, shared by the four charts: text measured
//! and placed by its baseline (kept inside the image), wrapped or shortened to a width, the few
//! shapes the charts use, and a horizontal and a vertical axis.
//!
//! Errors are plotters' messages as text; the chart functions add the chart's title.

use plotters::coord::Shift;
use plotters::element::DashedPathElement;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::TextPlacement;
use super::font::{self, ASCENT, CAP_HEIGHT, DESCENT, FAMILY, SVG_TOP_TO_BASELINE, TOP_TO_BASELINE};
use super::style::{AXIS, BACKGROUND, GRID, INK, MUTED};

/// A point in pixels, from the top-left corner.
pub(crate) type Point = (i32, i32);

/// Smallest body text size, in plotters' font size (an em of about 13 px).
const MIN_TEXT_SIZE: f64 = 15.0;
/// Largest body text size.
const MAX_TEXT_SIZE: f64 = 26.0;

/// How a text is sized, weighted and coloured.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Font {
    /// plotters' font size: the font's ascent-to-descent height in pixels.
    pub size: f64,
    /// Bold rather than regular.
    pub bold: bool,
    /// The text colour.
    pub color: RGBColor,
}

impl Font {
    /// A regular font.
    pub fn regular(size: f64, color: RGBColor) -> Font {
        Font { size, bold: false, color }
    }

    /// A bold font.
    pub fn bold(size: f64, color: RGBColor) -> Font {
        Font { size, bold: true, color }
    }

    /// The same font in another colour.
    pub fn with_color(self, color: RGBColor) -> Font {
        Font { color, ..self }
    }

    /// From the top of the tallest glyph to the bottom of the lowest, in pixels.
    pub fn line_height(&self) -> i32 {
        ((ASCENT + DESCENT) * self.size).ceil() as i32
    }

    /// From the baseline up to the top of the tallest glyph, in pixels.
    pub fn ascent(&self) -> i32 {
        (ASCENT * self.size).ceil() as i32
    }

    /// From the baseline down to the bottom of descenders, in pixels.
    pub fn descent(&self) -> i32 {
        (DESCENT * self.size).ceil() as i32
    }

    /// The baseline that centres capitals and digits vertically on `center_y`.
    pub fn baseline_centered_on(&self, center_y: i32) -> i32 {
        center_y + (CAP_HEIGHT * self.size / 2.0).round() as i32
    }
}

/// The body text size of a `width` × `height` image.
pub(crate) fn text_size(width: u32, height: u32) -> f64 {
    (f64::from(height) / 32.0).min(f64::from(width) / 48.0).clamp(MIN_TEXT_SIZE, MAX_TEXT_SIZE)
}

/// The margin around the chart at a body text size.
pub(crate) fn padding(text_size: f64) -> i32 {
    (text_size * 0.9).round() as i32
}

/// The most lines a chart's title takes (it wraps, and is shortened only past them).
pub(crate) const TITLE_LINES: usize = 3;

/// Where a text's anchor is, horizontally.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Align {
    /// The anchor is the text's left end.
    Left,
    /// The anchor is the text's middle.
    Center,
    /// The anchor is the text's right end.
    Right,
}

/// A drawing area in pixels with the chart's base sizes.
pub(crate) struct Canvas<'a, DB: DrawingBackend> {
    /// The area drawn on.
    area: &'a DrawingArea<DB, Shift>,
    /// Width in pixels.
    pub width: i32,
    /// Height in pixels.
    pub height: i32,
    /// Body text size, from the image size.
    pub text_size: f64,
    /// Margin kept free on every side.
    pub padding: i32,
    /// How text reaches the backend.
    placement: TextPlacement,
}

/// plotters' error as text.
fn drawing_error<E: std::error::Error + Send + Sync>(error: DrawingAreaErrorKind<E>) -> String {
    error.to_string()
}

impl<'a, DB: DrawingBackend> Canvas<'a, DB> {
    /// Registers the fonts, paints the background white, and sizes text to the area.
    pub fn new(area: &'a DrawingArea<DB, Shift>, placement: TextPlacement) -> Result<Self, String> {
        font::ensure()?;
        area.fill(&BACKGROUND).map_err(drawing_error)?;
        let (width, height) = area.dim_in_pixel();
        let text_size = text_size(width, height);
        let padding = padding(text_size);
        Ok(Canvas { area, width: width as i32, height: height as i32, text_size, padding, placement })
    }

    /// The body font in `color`.
    pub fn body(&self, color: RGBColor) -> Font {
        Font::regular(self.text_size, color)
    }

    /// The title font.
    pub fn title_font(&self, color: RGBColor) -> Font {
        Font::bold(self.text_size * 1.2, color)
    }

    /// The tick-label font (slightly smaller than the body).
    pub fn small(&self, color: RGBColor) -> Font {
        Font::regular(self.text_size * 0.9, color)
    }

    /// A length proportional to the body text size, in whole pixels.
    pub fn em(&self, share: f64) -> i32 {
        (self.text_size * share).round() as i32
    }

    /// The text style plotters draws `font` with, anchored at its top.
    fn text_style(&self, font: Font, align: Align) -> TextStyle<'static> {
        let style = if font.bold { FontStyle::Bold } else { FontStyle::Normal };
        let h_pos = match align {
            Align::Left => HPos::Left,
            Align::Center => HPos::Center,
            Align::Right => HPos::Right,
        };
        TextStyle {
            font: FontDesc::new(FontFamily::Name(FAMILY), font.size, style),
            color: font.color.to_backend_color(),
            pos: Pos::new(h_pos, VPos::Top),
        }
    }

    /// The width of `text` in pixels.
    pub fn text_width(&self, text: &str, font: Font) -> Result<i32, String> {
        if text.is_empty() {
            return Ok(0);
        }
        let (width, _) =
            self.area.estimate_text_size(text, &self.text_style(font, Align::Left)).map_err(drawing_error)?;
        Ok(width as i32)
    }

    /// The widest of `texts` in pixels (0 for none).
    pub fn widest<'t>(&self, texts: impl IntoIterator<Item = &'t str>, font: Font) -> Result<i32, String> {
        let mut widest = 0;
        for text in texts {
            widest = widest.max(self.text_width(text, font)?);
        }
        Ok(widest)
    }

    /// Draws `text` with its baseline at `baseline` and its anchor at `x`.
    pub fn text(&self, text: &str, font: Font, x: i32, baseline: i32, align: Align) -> Result<(), String> {
        if text.is_empty() {
            return Ok(());
        }
        match self.placement {
            TextPlacement::Whole => {
                let top = baseline - (SVG_TOP_TO_BASELINE * font.size).round() as i32;
                self.area.draw_text(text, &self.text_style(font, align), (x, top)).map_err(drawing_error)
            }
            TextPlacement::ByGlyph => self.text_by_glyph(text, font, x, baseline, align),
        }
    }

    /// Draws `text` one character at a time where the font puts its ink: plotters' own pen
    /// position plus the glyph's side bearing (which plotters' bitmap rasterizer leaves out),
    /// and each glyph's top relative to the baseline (which it rounds towards zero, so that
    /// small glyphs such as "." sit a pixel high). The whole text is anchored by its measured
    /// width, as plotters does.
    fn text_by_glyph(&self, text: &str, font: Font, x: i32, baseline: i32, align: Align) -> Result<(), String> {
        let style = self.text_style(font, Align::Left);
        let Some(places) = font::place_glyphs(text, font.bold, font.size) else {
            let top = baseline - (TOP_TO_BASELINE * font.size).round() as i32;
            return self.area.draw_text(text, &self.text_style(font, align), (x, top)).map_err(drawing_error);
        };
        let left = Self::left_end(x, self.text_width(text, font)?, align);
        for place in places {
            // plotters draws a glyph's box top at `anchor + (size / 2 + top) as i32` (in f32).
            let shift = ((font.size as f32) / 2.0 + place.top as f32) as i32;
            let anchor = (left + place.left, baseline + place.top - shift);
            self.area.draw_text(&text[place.range], &style, anchor).map_err(drawing_error)?;
        }
        Ok(())
    }

    /// The left end of a text `text_width` wide anchored at `x`.
    fn left_end(x: i32, text_width: i32, align: Align) -> i32 {
        match align {
            Align::Left => x,
            Align::Center => x - text_width / 2,
            Align::Right => x - text_width,
        }
    }

    /// The left end for a text `text_width` wide anchored at `x`, moved as little as needed to
    /// keep it inside the padding.
    pub fn left_inside(&self, x: i32, text_width: i32, align: Align) -> i32 {
        let max_left = (self.width - self.padding - text_width).max(self.padding);
        Self::left_end(x, text_width, align).clamp(self.padding.min(max_left), max_left)
    }

    /// Draws `text` anchored at `x` but kept inside the padding; returns its left end and width.
    pub fn text_inside(
        &self,
        text: &str,
        font: Font,
        x: i32,
        baseline: i32,
        align: Align,
    ) -> Result<(i32, i32), String> {
        let text = self.fit(text, font, self.width - 2 * self.padding)?;
        let width = self.text_width(&text, font)?;
        let left = self.left_inside(x, width, align);
        // Unmoved texts keep their anchor, so that a viewer laying out SVG text with another
        // font still centres or right-aligns them.
        if left == Self::left_end(x, width, align) {
            self.text(&text, font, x, baseline, align)?;
        } else {
            self.text(&text, font, left, baseline, Align::Left)?;
        }
        Ok((left, width))
    }

    /// `text`, shortened with an ellipsis if it is wider than `max_width` (empty if not even
    /// the ellipsis fits).
    pub fn fit(&self, text: &str, font: Font, max_width: i32) -> Result<String, String> {
        if self.text_width(text, font)? <= max_width {
            return Ok(text.to_string());
        }
        let chars: Vec<char> = text.chars().collect();
        let shortened = |count: usize| {
            let prefix: String = chars[..count].iter().collect();
            format!("{}…", prefix.trim_end())
        };
        // The longest prefix that fits, by bisection: `fits` holds for `low` and not for `high`.
        let (mut low, mut high) = (0, chars.len());
        if self.text_width(&shortened(0), font)? > max_width {
            return Ok(String::new());
        }
        while high - low > 1 {
            let middle = (low + high) / 2;
            if self.text_width(&shortened(middle), font)? <= max_width {
                low = middle;
            } else {
                high = middle;
            }
        }
        Ok(shortened(low))
    }

    /// `text` broken at spaces into at most `max_lines` lines no wider than `max_width`; the
    /// last line is shortened with an ellipsis if the text does not fit. No-break spaces (as in
    /// French "450 000 €") do not break.
    pub fn wrap(&self, text: &str, font: Font, max_width: i32, max_lines: usize) -> Result<Vec<String>, String> {
        let words: Vec<&str> = text.split(' ').filter(|word| !word.is_empty()).collect();
        let mut lines = Vec::new();
        let mut current = String::new();
        let mut index = 0;
        while index < words.len() {
            if lines.len() + 1 >= max_lines.max(1) {
                let rest = words[index..].join(" ");
                let rest = if current.is_empty() { rest } else { format!("{current} {rest}") };
                lines.push(self.fit(&rest, font, max_width)?);
                return Ok(lines);
            }
            let candidate =
                if current.is_empty() { words[index].to_string() } else { format!("{current} {}", words[index]) };
            if current.is_empty() || self.text_width(&candidate, font)? <= max_width {
                current = candidate;
                index += 1;
            } else {
                lines.push(self.fit(&current, font, max_width)?);
                current.clear();
            }
        }
        if !current.is_empty() {
            lines.push(self.fit(&current, font, max_width)?);
        }
        Ok(lines)
    }

    /// Draws the title at the top left (on up to [`TITLE_LINES`] lines if it must) and returns
    /// the first free row below it.
    pub fn title(&self, title: &str) -> Result<i32, String> {
        let font = self.title_font(INK);
        let mut baseline = self.padding + font.ascent();
        for (index, line) in self.wrap(title, font, self.width - 2 * self.padding, TITLE_LINES)?.iter().enumerate() {
            if index > 0 {
                baseline += font.line_height();
            }
            self.text(line, font, self.padding, baseline, Align::Left)?;
        }
        Ok(baseline + font.descent() + self.em(0.6))
    }

    /// Fills the rectangle between two corners.
    pub fn rect(&self, corner: Point, opposite: Point, color: RGBColor) -> Result<(), String> {
        let (left, right) = (corner.0.min(opposite.0), corner.0.max(opposite.0));
        let (top, bottom) = (corner.1.min(opposite.1), corner.1.max(opposite.1));
        self.area.draw(&Rectangle::new([(left, top), (right, bottom)], color.filled())).map_err(drawing_error)
    }

    /// A line through `points`, `width` pixels thick.
    pub fn line(&self, points: Vec<Point>, color: RGBColor, width: u32) -> Result<(), String> {
        self.area.draw(&PathElement::new(points, color.stroke_width(width))).map_err(drawing_error)
    }

    /// A dashed straight line.
    pub fn dashed(&self, from: Point, to: Point, color: RGBColor, width: u32) -> Result<(), String> {
        let dash = self.em(0.45).max(3);
        let gap = self.em(0.3).max(2);
        self.area
            .draw(&DashedPathElement::new(vec![from, to], dash, gap, color.stroke_width(width)))
            .map_err(drawing_error)
    }

    /// A filled disc.
    pub fn disc(&self, center: Point, radius: i32, color: RGBColor) -> Result<(), String> {
        self.area.draw(&Circle::new(center, radius, color.filled())).map_err(drawing_error)
    }

    /// A filled polygon.
    pub fn polygon(&self, points: Vec<Point>, color: RGBColor) -> Result<(), String> {
        self.area.draw(&Polygon::new(points, color.filled())).map_err(drawing_error)
    }

    /// The side of a legend's colour swatch.
    fn swatch_side(&self) -> i32 {
        (CAP_HEIGHT * self.text_size).round() as i32
    }

    /// The width of a legend of `names` drawn by [`Canvas::legend`].
    pub fn legend_width(&self, names: &[&str]) -> Result<i32, String> {
        let font = self.body(INK);
        let mut width = 0;
        for name in names {
            width += self.swatch_side() + self.em(0.4) + self.text_width(name, font)?;
        }
        Ok(width + self.em(1.4) * (names.len() as i32 - 1).max(0))
    }

    /// A legend: a colour swatch and its name for each entry, from `x` on the line with
    /// baseline `baseline`, going on at the left padding on a new line when an entry would
    /// cross the right one. Returns the baseline of the last line.
    pub fn legend(&self, entries: &[(&str, RGBColor)], x: i32, baseline: i32) -> Result<i32, String> {
        let font = self.body(INK);
        let side = self.swatch_side();
        let name_gap = self.em(0.4);
        let right = self.width - self.padding;
        let (mut x, mut baseline, mut line_start) = (x, baseline, x);
        for (name, color) in entries {
            let name = self.fit(name, font, right - self.padding - side - name_gap)?;
            let entry_width = side + name_gap + self.text_width(&name, font)?;
            if x + entry_width > right && x > line_start {
                x = self.padding;
                line_start = x;
                baseline += font.line_height() + self.em(0.3);
            }
            self.rect((x, baseline - side), (x + side, baseline), *color)?;
            self.text(&name, font, x + side + name_gap, baseline, Align::Left)?;
            x += entry_width + self.em(1.4);
        }
        Ok(baseline)
    }

    /// The horizontal axis at `y` from `left` to `right`: a line, ticks and their labels below,
    /// each label kept inside the image. `x_of` maps a value to its pixel column.
    pub fn bottom_axis(
        &self,
        ticks: &[(f64, String)],
        x_of: &dyn Fn(f64) -> i32,
        (left, right): (i32, i32),
        y: i32,
    ) -> Result<(), String> {
        let font = self.small(MUTED);
        self.line(vec![(left, y), (right, y)], AXIS, 1)?;
        let tick = self.em(0.3);
        for (value, label) in ticks {
            let x = x_of(*value);
            self.line(vec![(x, y), (x, y + tick)], AXIS, 1)?;
            self.text_inside(label, font, x, y + tick + self.em(0.15) + font.ascent(), Align::Center)?;
        }
        Ok(())
    }

    /// The vertical axis at `x` from `top` to `bottom`: faint grid lines across to `grid_right`
    /// and labels right-aligned left of `x`. `y_of` maps a value to its pixel row.
    pub fn left_axis(
        &self,
        ticks: &[(f64, String)],
        y_of: &dyn Fn(f64) -> i32,
        x: i32,
        grid_right: i32,
    ) -> Result<(), String> {
        let font = self.small(MUTED);
        for (value, label) in ticks {
            let y = y_of(*value);
            self.line(vec![(x, y), (grid_right, y)], GRID, 1)?;
            self.text(label, font, x - self.em(0.4), font.baseline_centered_on(y), Align::Right)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A canvas over an SVG string (text is measured with the embedded font either way).
    fn with_canvas(test: impl FnOnce(&Canvas<'_, SVGBackend<'_>>)) {
        let mut svg = String::new();
        let root = SVGBackend::with_string(&mut svg, (800, 500)).into_drawing_area();
        let canvas = Canvas::new(&root, TextPlacement::Whole).unwrap();
        test(&canvas);
    }

    /// The first column with ink after drawing "l" at x = 20 on a bitmap.
    fn first_ink_column(placement: TextPlacement) -> u32 {
        let (width, height) = (200_u32, 160_u32);
        let mut buffer = vec![255_u8; (width * height * 3) as usize];
        {
            let root = BitMapBackend::with_buffer(&mut buffer, (width, height)).into_drawing_area();
            let canvas = Canvas::new(&root, placement).unwrap();
            canvas.text("l", Font::regular(100.0, MUTED), 20, 100, Align::Left).unwrap();
        }
        (0..width).find(|&x| (0..height).any(|y| buffer[((y * width + x) * 3) as usize] < 200)).unwrap()
    }

    #[test]
    fn glyphs_by_glyph_start_at_their_side_bearing() {
        // plotters' bitmap rasterizer puts the ink of "l" at the pen; DejaVu's "l" starts
        // 193 / 2384 of the size to the right of it, 8 px at size 100.
        assert_eq!(first_ink_column(TextPlacement::Whole), 20);
        let by_glyph = first_ink_column(TextPlacement::ByGlyph);
        assert!((27..=29).contains(&by_glyph), "{by_glyph}");
    }

    #[test]
    fn fit_shortens_with_an_ellipsis_only_when_needed() {
        with_canvas(|canvas| {
            let font = canvas.body(MUTED);
            let text = "Durée d'emploi: 2,3 ans";
            let width = canvas.text_width(text, font).unwrap();
            assert!(width > 50, "{width}");
            assert_eq!(canvas.fit(text, font, width).unwrap(), text);
            let short = canvas.fit(text, font, width / 2).unwrap();
            assert!(short.ends_with('…') && short.len() < text.len(), "{short}");
            assert!(canvas.text_width(&short, font).unwrap() <= width / 2);
            assert_eq!(canvas.fit(text, font, 1).unwrap(), "");
        });
    }

    #[test]
    fn wrap_breaks_at_spaces_and_shortens_the_last_line() {
        with_canvas(|canvas| {
            let font = canvas.body(MUTED);
            let width = canvas.text_width("Annuity as a share", font).unwrap();
            let lines = canvas.wrap("Annuity as a share of income: 12.4 %", font, width, 2).unwrap();
            assert_eq!(lines, vec!["Annuity as a share".to_string(), "of income: 12.4 %".to_string()]);
            let lines =
                canvas.wrap("Annuity as a share of the income of the household: 12.4 %", font, width, 2).unwrap();
            assert_eq!(lines.len(), 2);
            assert!(lines[1].ends_with('…'), "{lines:?}");
            // A narrow no-break space keeps an amount on one line.
            let amount_width = canvas.text_width("Credit: 450\u{202f}000", font).unwrap();
            let lines = canvas.wrap("Credit: 450\u{202f}000 €", font, amount_width, 2).unwrap();
            assert_eq!(lines, vec!["Credit: 450\u{202f}000".to_string(), "€".to_string()]);
        });
    }
}
