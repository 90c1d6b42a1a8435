//! The one typeface every chart is drawn with: DejaVu Sans (regular and bold), shipped in
//! `assets/fonts/` under its open licence and compiled into the binary, so that no chart depends
//! on the fonts installed on the machine.
//!
//! plotters (feature `ab_glyph`) keeps a process-wide table of fonts by family name; [`ensure`]
//! fills it once. The vertical metrics below describe how plotters places this font on each
//! backend, so that text can be laid out by its baseline. [`place_glyphs`] reads the few
//! TrueType tables needed to put each glyph where the font says, which plotters' bitmap
//! rasterizer does not quite do (see [`super::TextPlacement`]).

use std::sync::OnceLock;

use plotters::style::FontStyle;

/// DejaVu Sans 2.37, regular.
static REGULAR: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans.ttf");
/// DejaVu Sans 2.37, bold.
static BOLD: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans-Bold.ttf");

/// The family the charts ask for. SVG output names it as is, so a browser uses DejaVu Sans when
/// installed and its own sans-serif otherwise (narrower, so measured text still fits).
pub(crate) const FAMILY: &str = "DejaVu Sans, sans-serif";

/// Families registered with the embedded font: ours, and plotters' generic `sans-serif` (which
/// the drift report's overlay chart uses).
const FAMILIES: [&str; 2] = [FAMILY, "sans-serif"];

// Vertical metrics, as shares of plotters' font size. With `ab_glyph`, plotters scales a font so
// that its ascent-to-descent height equals the size (DejaVu: 2384 font units, 1.164 em), and the
// bitmap backend draws a top-anchored text with its baseline half a size below the anchor.

/// How far above the baseline the tallest glyphs (accented capitals) reach.
pub(crate) const ASCENT: f64 = 0.80;
/// How far below the baseline descenders (g, p, y) reach.
pub(crate) const DESCENT: f64 = 0.21;
/// Height of capitals and digits above the baseline (DejaVu: 1493 font units).
pub(crate) const CAP_HEIGHT: f64 = 0.63;
/// Where the bitmap backend puts the baseline of a top-anchored text, below the anchor.
pub(crate) const TOP_TO_BASELINE: f64 = 0.5;
/// Where an SVG viewer puts it: plotters writes `font-size` as the size / 1.24 and shifts a
/// top-anchored text down by `dy="0.76em"`.
pub(crate) const SVG_TOP_TO_BASELINE: f64 = 0.76 / 1.24;

/// Where plotters' bitmap rasterizer should put one character's pixels.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct GlyphPlace {
    /// The character's bytes in the text.
    pub range: std::ops::Range<usize>,
    /// The left edge of the glyph's pixel box, right of the text's origin.
    pub left: i32,
    /// The top edge of the glyph's pixel box, relative to the baseline (negative is above).
    pub top: i32,
}

/// Where each inked character of `text` goes, in the embedded font (bold or regular) at
/// plotters' font size `size`: the pen position as plotters measures text (advances and `kern`
/// pairs, as `ab_glyph` does), rounded to a pixel, plus the glyph's pixel box as `ab_glyph`
/// rasterizes it (its outline's bounds, floored). plotters 0.3.7's bitmap rasterizer drops the
/// box's left edge (the side bearing) and rounds its top towards zero; see
/// [`super::TextPlacement`]. Characters without ink (spaces) are left out. `None` if the font
/// tables cannot be read.
pub(crate) fn place_glyphs(text: &str, bold: bool, size: f64) -> Option<Vec<GlyphPlace>> {
    static REGULAR_METRICS: OnceLock<Option<Metrics>> = OnceLock::new();
    static BOLD_METRICS: OnceLock<Option<Metrics>> = OnceLock::new();
    let metrics = if bold {
        BOLD_METRICS.get_or_init(|| Metrics::parse(BOLD))
    } else {
        REGULAR_METRICS.get_or_init(|| Metrics::parse(REGULAR))
    };
    let metrics = metrics.as_ref()?;
    let scale = size / metrics.height_units;
    let mut places = Vec::with_capacity(text.len());
    let mut pen_units = 0.0;
    let mut previous = None;
    for (index, character) in text.char_indices() {
        let glyph = metrics.glyph(character);
        if let Some(previous) = previous {
            pen_units += metrics.kerning(previous, glyph);
        }
        if let Some((x_min, y_max)) = metrics.bounds(glyph) {
            places.push(GlyphPlace {
                range: index..index + character.len_utf8(),
                left: (pen_units * scale).round() as i32 + (f64::from(x_min) * scale).floor() as i32,
                top: (-f64::from(y_max) * scale).floor() as i32,
            });
        }
        pen_units += metrics.advance(glyph);
        previous = Some(glyph);
    }
    Some(places)
}

/// Glyph positions, read from the TrueType tables `cmap`, `hhea`, `hmtx`, `kern`, `head`,
/// `loca` and `glyf`.
struct Metrics {
    /// The whole font file.
    data: &'static [u8],
    /// The character-to-glyph subtable (format 4 or 12).
    cmap: Cmap,
    /// Offset of the `hmtx` table.
    hmtx: usize,
    /// Glyphs with their own advance in `hmtx`.
    n_h_metrics: usize,
    /// Ascent minus descent in font units: plotters' font size is this height in pixels.
    height_units: f64,
    /// The first horizontal format-0 subtable of `kern`: its pair count and first pair.
    kern_pairs: Option<(usize, usize)>,
    /// Offset of the `loca` table, and whether its offsets are 32-bit.
    loca: (usize, bool),
    /// Offset of the `glyf` table.
    glyf: usize,
}

/// A character-to-glyph subtable and its offset in the file.
enum Cmap {
    /// Segments of 16-bit characters.
    Format4(usize),
    /// Groups of 32-bit characters.
    Format12(usize),
}

/// Big-endian integers at `offset`, or `None` past the end.
fn read_u16(data: &[u8], offset: usize) -> Option<u16> {
    Some(u16::from_be_bytes([*data.get(offset)?, *data.get(offset + 1)?]))
}

fn read_i16(data: &[u8], offset: usize) -> Option<i16> {
    read_u16(data, offset).map(|value| value as i16)
}

fn read_u32(data: &[u8], offset: usize) -> Option<u32> {
    Some(u32::from_be_bytes([
        *data.get(offset)?,
        *data.get(offset + 1)?,
        *data.get(offset + 2)?,
        *data.get(offset + 3)?,
    ]))
}

impl Metrics {
    /// Reads the tables, or `None` if they are missing or malformed.
    fn parse(data: &'static [u8]) -> Option<Metrics> {
        let n_tables = usize::from(read_u16(data, 4)?);
        let table = |tag: &[u8; 4]| -> Option<usize> {
            (0..n_tables)
                .find_map(|index| {
                    let record = 12 + 16 * index;
                    (data.get(record..record + 4)? == tag).then(|| read_u32(data, record + 8)).flatten()
                })
                .map(|offset| offset as usize)
        };
        let hhea = table(b"hhea")?;
        let height_units = f64::from(read_i16(data, hhea + 4)?) - f64::from(read_i16(data, hhea + 6)?);
        let n_h_metrics = usize::from(read_u16(data, hhea + 34)?);
        let cmap_offset = table(b"cmap")?;
        let mut cmap = None;
        for index in 0..usize::from(read_u16(data, cmap_offset + 2)?) {
            let record = cmap_offset + 4 + 8 * index;
            let (platform, encoding) = (read_u16(data, record)?, read_u16(data, record + 2)?);
            let subtable = cmap_offset + read_u32(data, record + 4)? as usize;
            match (platform, encoding, read_u16(data, subtable)?) {
                (3, 10, 12) | (0, 4, 12) => cmap = Some(Cmap::Format12(subtable)),
                (3, 1, 4) | (0, 3, 4) if cmap.is_none() => cmap = Some(Cmap::Format4(subtable)),
                _ => {}
            }
        }
        let kern_pairs = table(b"kern").and_then(|kern| {
            // Version 0 (OpenType) tables only; each subtable: version, length, coverage.
            let mut subtable = kern + 4;
            for _ in 0..read_u16(data, kern + 2)? {
                let (length, coverage) = (usize::from(read_u16(data, subtable + 2)?), read_u16(data, subtable + 4)?);
                // Format 0 (high byte), horizontal, not cross-stream nor minimum values.
                if coverage >> 8 == 0 && coverage & 0b111 == 0b001 {
                    return Some((usize::from(read_u16(data, subtable + 6)?), subtable + 14));
                }
                subtable += length;
            }
            None
        });
        let hmtx = table(b"hmtx")?;
        let loca = (table(b"loca")?, read_i16(data, table(b"head")? + 50)? == 1);
        let glyf = table(b"glyf")?;
        (height_units > 0.0).then_some(Metrics {
            data,
            cmap: cmap?,
            hmtx,
            n_h_metrics,
            height_units,
            kern_pairs,
            loca,
            glyf,
        })
    }

    /// The glyph of `character` (0, the missing glyph, if the font has none).
    fn glyph(&self, character: char) -> usize {
        let code = character as u32;
        let data = self.data;
        let found = match self.cmap {
            Cmap::Format12(table) => (|| {
                let n_groups = read_u32(data, table + 12)? as usize;
                (0..n_groups).find_map(|index| {
                    let group = table + 16 + 12 * index;
                    let (first, last) = (read_u32(data, group)?, read_u32(data, group + 4)?);
                    (first..=last)
                        .contains(&code)
                        .then(|| read_u32(data, group + 8).map(|start| start + code - first))?
                })
            })(),
            Cmap::Format4(table) => (|| {
                let code = u16::try_from(code).ok()?;
                let segments = usize::from(read_u16(data, table + 6)? / 2);
                let segment = (0..segments)
                    .find(|&index| read_u16(data, table + 14 + 2 * index).is_some_and(|end| end >= code))?;
                let start = read_u16(data, table + 16 + 2 * segments + 2 * segment)?;
                if start > code {
                    return None;
                }
                let delta = read_u16(data, table + 16 + 4 * segments + 2 * segment)?;
                let range_at = table + 16 + 6 * segments + 2 * segment;
                let range_offset = usize::from(read_u16(data, range_at)?);
                let glyph = if range_offset == 0 {
                    code.wrapping_add(delta)
                } else {
                    let glyph = read_u16(data, range_at + range_offset + 2 * usize::from(code - start))?;
                    if glyph == 0 { 0 } else { glyph.wrapping_add(delta) }
                };
                Some(u32::from(glyph))
            })(),
        };
        found.unwrap_or(0) as usize
    }

    /// The advance width of `glyph` in font units.
    fn advance(&self, glyph: usize) -> f64 {
        // Glyphs past the last metric share its advance.
        let index = glyph.min(self.n_h_metrics.saturating_sub(1));
        read_u16(self.data, self.hmtx + 4 * index).map_or(0.0, f64::from)
    }

    /// The left and top of `glyph`'s outline in font units (y up), from its `glyf` header;
    /// `None` for a glyph without outline.
    fn bounds(&self, glyph: usize) -> Option<(i16, i16)> {
        let (loca, long) = self.loca;
        let (start, end) = if long {
            (read_u32(self.data, loca + 4 * glyph)? as usize, read_u32(self.data, loca + 4 * glyph + 4)? as usize)
        } else {
            (
                2 * usize::from(read_u16(self.data, loca + 2 * glyph)?),
                2 * usize::from(read_u16(self.data, loca + 2 * glyph + 2)?),
            )
        };
        if end <= start {
            return None;
        }
        let header = self.glyf + start;
        Some((read_i16(self.data, header + 2)?, read_i16(self.data, header + 8)?))
    }

    /// The kerning between two glyphs in font units (pairs are sorted, so bisect).
    fn kerning(&self, left: usize, right: usize) -> f64 {
        let Some((n_pairs, first)) = self.kern_pairs else {
            return 0.0;
        };
        let key = |index: usize| -> Option<(usize, usize)> {
            let pair = first + 6 * index;
            Some((usize::from(read_u16(self.data, pair)?), usize::from(read_u16(self.data, pair + 2)?)))
        };
        let (mut low, mut high) = (0, n_pairs);
        while low < high {
            let middle = (low + high) / 2;
            match key(middle) {
                Some(pair) if pair == (left, right) => {
                    return read_i16(self.data, first + 6 * middle + 4).map_or(0.0, f64::from);
                }
                Some(pair) if pair < (left, right) => low = middle + 1,
                Some(_) => high = middle,
                None => return 0.0,
            }
        }
        0.0
    }
}

/// Registers the embedded fonts with plotters the first time it is called; later calls return
/// the first outcome. Fails only if the embedded font data cannot be read as a font.
pub(crate) fn ensure() -> Result<(), String> {
    static REGISTERED: OnceLock<Result<(), String>> = OnceLock::new();
    REGISTERED.get_or_init(register).clone()
}

/// Registers regular and bold under every family in [`FAMILIES`].
fn register() -> Result<(), String> {
    for family in FAMILIES {
        for (style, bytes, file) in
            [(FontStyle::Normal, REGULAR, "DejaVuSans.ttf"), (FontStyle::Bold, BOLD, "DejaVuSans-Bold.ttf")]
        {
            plotters::style::register_font(family, style, bytes)
                .map_err(|_| format!("the embedded font {file} is not a valid font"))?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use plotters::prelude::*;
    use plotters::style::text_anchor::{HPos, Pos, VPos};

    use super::*;

    #[test]
    fn glyphs_are_placed_by_advances_kerning_and_outline_bounds() {
        // At a size of 2384 (DejaVu's ascent-to-descent height in font units), one unit is one
        // pixel. "l" spans x 193 to 377 and y 0 to 1556, and advances 569; "o" starts 113 in
        // and reaches 1147 high.
        let places = |text: &str, bold| {
            place_glyphs(text, bold, 2384.0).unwrap().into_iter().map(|place| (place.range, place.left, place.top))
        };
        assert_eq!(places("lo", false).collect::<Vec<_>>(), vec![(0..1, 193, -1556), (1..2, 569 + 113, -1147)]);
        // "T" (advance 1251, starting at x = −6) and "o" kern by −348.
        assert_eq!(places("To", false).collect::<Vec<_>>(), vec![(0..1, -6, -1493), (1..2, 1251 - 348 + 113, -1147)]);
        // A space advances the pen (651) but has no ink; "−" (U+2212, 3 bytes, from x = 217,
        // up to 727) and "É" (a composite glyph, up to 1899) are found through the character map.
        assert_eq!(
            places("l −É", false).collect::<Vec<_>>(),
            vec![(0..1, 193, -1556), (2..5, 569 + 651 + 217, -727), (5..7, 569 + 651 + 1716 + 201, -1899)]
        );
        // Bold has its own metrics: its "l" starts 172 units in.
        assert_eq!(places("l", true).collect::<Vec<_>>(), vec![(0..1, 172, -1556)]);
    }

    #[test]
    fn registration_succeeds_and_is_remembered() {
        assert_eq!(ensure(), Ok(()));
        assert_eq!(ensure(), Ok(()));
    }

    /// The metrics above are what the layout code relies on: draw a capital at a known anchor
    /// on a bitmap and find its ink.
    #[test]
    fn bitmap_text_sits_where_the_metrics_say() {
        ensure().unwrap();
        let (width, height) = (200_u32, 200_u32);
        let mut buffer = vec![255_u8; (width * height * 3) as usize];
        let size = 100.0;
        {
            let root = BitMapBackend::with_buffer(&mut buffer, (width, height)).into_drawing_area();
            let style = TextStyle::from((FAMILY, size).into_font()).color(&BLACK).pos(Pos::new(HPos::Left, VPos::Top));
            root.draw_text("H", &style, (20, 50)).unwrap();
            root.present().unwrap();
        }
        let dark_rows: Vec<u32> =
            (0..height).filter(|&y| (0..width).any(|x| buffer[((y * width + x) * 3) as usize] < 128)).collect();
        let (top, bottom) = (*dark_rows.first().unwrap() as f64, *dark_rows.last().unwrap() as f64 + 1.0);
        let baseline = 50.0 + TOP_TO_BASELINE * size;
        assert!((bottom - baseline).abs() <= 2.0, "baseline at {bottom}, expected {baseline}");
        let cap = bottom - top;
        assert!((cap - CAP_HEIGHT * size).abs() <= 2.0, "capital {cap} px high, expected {}", CAP_HEIGHT * size);
    }
}
