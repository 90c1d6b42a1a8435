//! Reading CSV text, with the repair of whole-line-quoted rows.
//!
//! Some Home Credit exports wrap every row that holds a comma inside a value in one pair of
//! quotes, doubling the inner quotes (`"100002,1,""Stone, brick"",No"`). A strict reader sees
//! one field. Such a line is unwrapped and unescaped before parsing, and the repairs are
//! counted so that the caller can say so; the line numbering is unchanged.

use std::borrow::Cow;
use std::path::{Path, PathBuf};

use super::DataError;

/// A CSV file's text after repair, ready to parse.
#[derive(Debug)]
pub struct CsvText {
    path: PathBuf,
    text: String,
    repaired_lines: usize,
}

impl CsvText {
    /// Reads a file and repairs its whole-line-quoted rows.
    pub fn from_path(path: &Path) -> Result<CsvText, DataError> {
        let bytes = std::fs::read(path).map_err(|cause| DataError::Read { path: path.to_path_buf(), cause })?;
        let text = match String::from_utf8(bytes) {
            Ok(text) => text,
            Err(error) => {
                let valid = &error.as_bytes()[..error.utf8_error().valid_up_to()];
                let line = valid.iter().filter(|byte| **byte == b'\n').count() + 1;
                return Err(DataError::NotText { path: path.to_path_buf(), line });
            }
        };
        Ok(CsvText::from_text(path, text))
    }

    /// Repairs text already in memory; `path` only names it in messages. Blank lines at the
    /// end of the file are dropped (see [`CsvText::blank_line`] for the others); a file whose
    /// lines all end with a lone carriage return is read with its lines.
    pub fn from_text(path: &Path, mut text: String) -> CsvText {
        // Lines ended by a carriage return alone (old Mac OS exports) are read as lines.
        if text.contains('\r') && !text.contains('\n') {
            text = text.replace('\r', "\n");
        }
        let (mut text, repaired_lines) = match repair_quoted_lines(&text) {
            (Cow::Borrowed(_), _) => (text, 0),
            (Cow::Owned(repaired), count) => (repaired, count),
        };
        // Drop whitespace-only lines at the end, keeping the last row's own line ending.
        loop {
            let content = text.trim_end_matches(['\r', '\n']).len();
            let last_line = text[..content].rfind('\n').map_or(0, |index| index + 1);
            if last_line > 0 && text[last_line..content].trim().is_empty() {
                text.truncate(last_line);
            } else {
                let rest = &text[content..];
                let ending = if rest.starts_with("\r\n") { 2 } else { usize::from(rest.starts_with('\n')) };
                text.truncate(content + ending);
                break;
            }
        }
        CsvText { path: path.to_path_buf(), text, repaired_lines }
    }

    /// The first blank line between rows, if any: the CSV reader skips it but polars would
    /// read it as a client with every value missing, so it is refused with its number.
    pub fn blank_line(&self) -> Option<u64> {
        let mut in_quotes = false;
        for (index, line) in self.text.lines().enumerate() {
            if !in_quotes && index > 0 && line.trim().is_empty() {
                return Some(index as u64 + 1);
            }
            // A quoted field may span lines: track whether this line ends inside quotes.
            if line.bytes().filter(|byte| *byte == b'"').count() % 2 == 1 {
                in_quotes = !in_quotes;
            }
        }
        None
    }

    /// The file the text came from.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The repaired text.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// How many whole-line-quoted rows were repaired.
    pub fn repaired_lines(&self) -> usize {
        self.repaired_lines
    }

    /// A CSV reader over the repaired text: header on, field counts checked by the caller.
    pub fn reader(&self) -> csv::Reader<&[u8]> {
        csv::ReaderBuilder::new().has_headers(true).flexible(true).from_reader(self.text.as_bytes())
    }

    /// The column names, trimmed, with a byte-order mark removed; duplicates refused.
    pub fn header(&self) -> Result<Vec<String>, DataError> {
        let mut reader = self.reader();
        let header = reader.headers().map_err(|error| self.syntax_error(&error))?;
        if header.is_empty() || (header.len() == 1 && header.get(0).is_some_and(|name| name.trim().is_empty())) {
            return Err(DataError::Empty { path: self.path.clone() });
        }
        let names: Vec<String> =
            header.iter().map(|name| name.trim_start_matches('\u{feff}').trim().to_string()).collect();
        for (index, name) in names.iter().enumerate() {
            if names[..index].contains(name) {
                return Err(DataError::DuplicateColumn { path: self.path.clone(), column: name.clone() });
            }
        }
        Ok(names)
    }

    /// The 1-based line where a record starts, counted from its byte offset (the CSV reader's
    /// own line count is off by one after CRLF line ends).
    pub fn line_of(&self, position: Option<&csv::Position>) -> u64 {
        let Some(position) = position else { return 0 };
        let bytes = self.text.as_bytes();
        let end = (position.byte() as usize).min(bytes.len());
        // After a CRLF the reader places the next record on the `\n` that ends the line before.
        let on_line_end = usize::from(bytes.get(end) == Some(&b'\n'));
        (bytes[..end].iter().filter(|byte| **byte == b'\n').count() + on_line_end) as u64 + 1
    }

    /// Turns a CSV reader error into a [`DataError`] naming the file and line.
    pub fn syntax_error(&self, error: &csv::Error) -> DataError {
        let line = self.line_of(error.position());
        DataError::Syntax { path: self.path.clone(), line, message: error.to_string() }
    }
}

/// Unwraps every line that is one quoted field holding commas; returns the count.
pub fn repair_quoted_lines(text: &str) -> (Cow<'_, str>, usize) {
    if !text.lines().any(is_whole_line_quoted) {
        return (Cow::Borrowed(text), 0);
    }
    let mut repaired = String::with_capacity(text.len());
    let mut count = 0;
    for line in text.split_inclusive('\n') {
        let body = line.trim_end_matches(['\r', '\n']);
        if is_whole_line_quoted(body) {
            repaired.push_str(&body[1..body.len() - 1].replace("\"\"", "\""));
            repaired.push_str(&line[body.len()..]);
            count += 1;
        } else {
            repaired.push_str(line);
        }
    }
    (Cow::Owned(repaired), count)
}

/// A line that a CSV reader would read as one quoted field, and that holds a comma.
fn is_whole_line_quoted(line: &str) -> bool {
    let line = line.trim_end_matches('\r');
    if line.len() < 3 || !line.starts_with('"') || !line.ends_with('"') {
        return false;
    }
    let inner = &line[1..line.len() - 1];
    inner.contains(',') && !inner.replace("\"\"", "").contains('"')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whole_line_quoted_rows_are_repaired() {
        let text = "id,wall,flag\r\n\"1,\"\"Stone, brick\"\",No\"\r\n2,Panel,Yes\r\n";
        let (repaired, count) = repair_quoted_lines(text);
        assert_eq!(count, 1);
        assert_eq!(repaired, "id,wall,flag\r\n1,\"Stone, brick\",No\r\n2,Panel,Yes\r\n");
    }

    #[test]
    fn blank_lines_at_the_end_are_dropped_and_others_found() {
        let csv = CsvText::from_text(Path::new("t.csv"), "a,b\r\n1, x \r\n\r\n  \r\n".into());
        assert_eq!(csv.text(), "a,b\r\n1, x \r\n");
        assert_eq!(csv.blank_line(), None);
        let csv = CsvText::from_text(Path::new("t.csv"), "a,b\n1,2\n\n3,4\n".into());
        assert_eq!(csv.blank_line(), Some(3));
        // A quoted field spanning lines is not a blank line.
        let csv = CsvText::from_text(Path::new("t.csv"), "a,b\n1,\"x\n\ny\"\n".into());
        assert_eq!(csv.blank_line(), None);
    }

    #[test]
    fn ordinary_quoted_fields_are_left_alone() {
        for line in ["\"a\",1,\"b\"", "\"a,b\",\"c\"", "\"x\"", "1,2,3"] {
            assert!(!is_whole_line_quoted(line), "{line}");
        }
        let (text, count) = repair_quoted_lines("a,b\n\"x\",\"y\"\n");
        assert_eq!((text.as_ref(), count), ("a,b\n\"x\",\"y\"\n", 0));
    }
}
