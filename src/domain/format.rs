//! Feature values in human units: years rather than days, amounts with thousands separators,
//! yes/no for flags, in English or French.

use super::FieldValue;

/// The language of what people read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Language {
    /// English.
    #[default]
    En,
    /// French.
    Fr,
}

impl Language {
    /// The other language.
    pub fn toggled(self) -> Language {
        match self {
            Language::En => Language::Fr,
            Language::Fr => Language::En,
        }
    }
}

/// Days per year, for durations given in days.
const DAYS_PER_YEAR: f64 = 365.25;

/// A value in the unit of `assets/labels.toml`, for people: `"€450,000"`, `"35.3 years"`,
/// `"yes"`, `"0.213"`. Missing values read "not given".
pub fn format_value(value: &FieldValue, unit: &str, language: Language) -> String {
    match value {
        FieldValue::Missing => match language {
            Language::En => "not given".into(),
            Language::Fr => "non renseigné".into(),
        },
        // Yes/no answers stored as categories ("Y"/"N") read like numeric flags.
        FieldValue::Category(category) if unit == "flag" => match category.as_str() {
            "Y" | "Yes" | "y" | "yes" => format_number(1.0, unit, language),
            "N" | "No" | "n" | "no" => format_number(0.0, unit, language),
            _ => category.clone(),
        },
        FieldValue::Category(category) => category.clone(),
        FieldValue::Number(number) => format_number(*number, unit, language),
    }
}

/// A number in the unit of `assets/labels.toml`.
pub fn format_number(number: f64, unit: &str, language: Language) -> String {
    if !number.is_finite() {
        return format_value(&FieldValue::Missing, unit, language);
    }
    let fr = language == Language::Fr;
    match unit {
        "currency" => {
            let amount = group_thousands(number.round(), language);
            if fr { format!("{amount}\u{a0}€") } else { format!("€{amount}") }
        }
        "days" => {
            // Durations before the application are negative days in the data.
            let days = number.abs();
            if days >= DAYS_PER_YEAR {
                let years = decimal(days / DAYS_PER_YEAR, 1, language);
                if fr { format!("{years} ans") } else { format!("{years} years") }
            } else {
                let days = days.round();
                match (fr, days == 1.0) {
                    (false, true) => "1 day".into(),
                    (false, false) => format!("{days} days"),
                    (true, _) => format!("{days} jours"),
                }
            }
        }
        "years" => {
            let years = decimal(number, 1, language);
            if fr { format!("{years} ans") } else { format!("{years} years") }
        }
        "hours" => format!("{}h", number.round()),
        "flag" => match (number != 0.0, fr) {
            (true, false) => "yes".into(),
            (false, false) => "no".into(),
            (true, true) => "oui".into(),
            (false, true) => "non".into(),
        },
        "count" | "rating" | "id" if number.fract() == 0.0 => group_thousands(number, language),
        "score" | "ratio" => decimal(number, 3, language),
        _ => decimal(number, 2, language),
    }
}

/// A probability as a percentage with one decimal: `0.0844` → `"8.4 %"` (in French `"8,4 %"`
/// with a narrow no-break space, so that the sign never starts a line).
pub fn format_percent(probability: f64, language: Language) -> String {
    format!("{}{}%", decimal(probability * 100.0, 1, language), percent_space(language))
}

/// The space before a percent sign: a plain one in English, a narrow no-break space in French.
pub fn percent_space(language: Language) -> char {
    match language {
        Language::En => ' ',
        Language::Fr => '\u{202f}',
    }
}

/// A contribution in probability units as signed percentage points: `+1.2 pp`, `−0.3 pp`,
/// and `0.0 pp` for what rounds to nothing.
pub fn format_points(points: f64, language: Language) -> String {
    let magnitude = decimal((points * 100.0).abs(), 1, language);
    if !magnitude.chars().any(|c| ('1'..='9').contains(&c)) {
        return format!("{magnitude} pp");
    }
    let sign = if points < 0.0 { '−' } else { '+' };
    format!("{sign}{magnitude} pp")
}

/// A number with `places` decimals, with a decimal comma in French.
fn decimal(number: f64, places: usize, language: Language) -> String {
    let text = format!("{number:.places$}");
    let text = if text.starts_with('-') && text.trim_start_matches(['-', '0', '.']).is_empty() {
        text.trim_start_matches('-').to_string()
    } else {
        text
    };
    match language {
        Language::En => text,
        Language::Fr => text.replace('.', ","),
    }
}

/// A whole number with thousands grouped: `1,234,567` (English) or `1 234 567` (French,
/// with narrow no-break spaces).
fn group_thousands(number: f64, language: Language) -> String {
    let separator = match language {
        Language::En => ',',
        Language::Fr => '\u{202f}',
    };
    let digits = format!("{:.0}", number.abs());
    let mut grouped = String::with_capacity(digits.len() + digits.len() / 3 + 1);
    if number < 0.0 && digits != "0" {
        grouped.push('-');
    }
    for (index, digit) in digits.chars().enumerate() {
        if index > 0 && (digits.len() - index) % 3 == 0 {
            grouped.push(separator);
        }
        grouped.push(digit);
    }
    grouped
}

/// How many characters of an outside value a message quotes ([`quote_external`]).
pub const QUOTE_MAX_CHARS: usize = 200;

/// `bytes` in lower-case hexadecimal, two digits a byte.
pub fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut text = String::with_capacity(bytes.len() * 2);
    for byte in bytes {
        text.push(char::from(DIGITS[usize::from(byte >> 4)]));
        text.push(char::from(DIGITS[usize::from(byte & 0x0f)]));
    }
    text
}

/// The SHA-256 of `bytes` in lower-case hexadecimal: model versions, journal hashes, the
/// registry's artifact checks.
pub fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    hex(&sha2::Sha256::digest(bytes))
}

/// Text that came from outside (a data file, a model, a card, a request) made safe to show in
/// a terminal, a log line or a customer sheet: control characters are escaped (`\n`, `\t`,
/// `\x1b`, `\u{202e}` for the invisible ones that reorder or hide text), and text longer than
/// `max_chars` characters is cut, saying how many bytes were left out: `abc…(1048573 more
/// bytes)`. The result holds no control character, so it cannot move the cursor, clear a
/// screen or start a forged log line.
pub fn quote_external(text: &str, max_chars: usize) -> String {
    use std::fmt::Write as _;
    let mut quoted = String::with_capacity(text.len().min(max_chars.saturating_mul(4)) + 24);
    for (count, (index, character)) in text.char_indices().enumerate() {
        if count == max_chars {
            let _ = write!(quoted, "…({} more bytes)", text.len() - index);
            break;
        }
        match character {
            '\n' => quoted.push_str("\\n"),
            '\r' => quoted.push_str("\\r"),
            '\t' => quoted.push_str("\\t"),
            '\0'..='\x1f' | '\x7f' => {
                let _ = write!(quoted, "\\x{:02x}", u32::from(character));
            }
            // C1 controls, bidirectional overrides and isolates, zero-width characters and the
            // line and paragraph separators: invisible, or they change what the text looks like.
            '\u{80}'..='\u{9f}'
            | '\u{200b}'..='\u{200f}'
            | '\u{2028}'..='\u{202e}'
            | '\u{2060}'..='\u{2069}'
            | '\u{feff}' => {
                let _ = write!(quoted, "\\u{{{:x}}}", u32::from(character));
            }
            other => quoted.push(other),
        }
    }
    quoted
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outside_text_is_escaped_and_cut() {
        // ESC [2J clears the screen; NUL, DLE (0x10), newline and DEL are escaped by hand.
        assert_eq!(quote_external("a\x1b[2Jb", 50), "a\\x1b[2Jb");
        assert_eq!(quote_external("nul\0 dle\x10 del\x7f", 50), "nul\\x00 dle\\x10 del\\x7f");
        assert_eq!(quote_external("ok\nWARN forged line\r\tx", 50), "ok\\nWARN forged line\\r\\tx");
        assert_eq!(quote_external("\u{202e}txt.exe", 50), "\\u{202e}txt.exe");
        assert_eq!(quote_external("0.0755\u{85}", 50), "0.0755\\u{85}");
        // Letters outside ASCII are kept.
        assert_eq!(quote_external("Célibataire €", 50), "Célibataire €");
        // 1 MB of 'x': the first 10 characters, then 1,048,576 - 10 = 1,048,566 bytes left out.
        let big = "x".repeat(1 << 20);
        assert_eq!(quote_external(&big, 10), "xxxxxxxxxx…(1048566 more bytes)");
        // Cutting counts characters, not bytes: 'é' is two bytes, so 3 of them leave 4 bytes.
        assert_eq!(quote_external("ééééé", 3), "ééé…(4 more bytes)");
        assert_eq!(quote_external("abc", 3), "abc");
        assert!(!quote_external(&"\x1b\0\n".repeat(1000), QUOTE_MAX_CHARS).chars().any(char::is_control));
    }

    #[test]
    fn units_read_as_people_expect() {
        let en = Language::En;
        assert_eq!(format_number(450000.0, "currency", en), "€450,000");
        assert_eq!(format_number(1234.4, "currency", Language::Fr), "1\u{202f}234\u{a0}€");
        // -12902 days / 365.25 = 35.32 years.
        assert_eq!(format_number(-12902.0, "days", en), "35.3 years");
        assert_eq!(format_number(-12902.0, "days", Language::Fr), "35,3 ans");
        assert_eq!(format_number(-115.0, "days", en), "115 days");
        assert_eq!(format_number(1.0, "flag", en), "yes");
        assert_eq!(format_number(0.0, "flag", Language::Fr), "non");
        assert_eq!(format_number(2.0, "count", en), "2");
        assert_eq!(format_number(0.21345, "score", en), "0.213");
        assert_eq!(format_number(14.0, "hours", en), "14h");
        assert_eq!(format_number(f64::NAN, "score", en), "not given");
        assert_eq!(format_value(&FieldValue::Category("Cash loans".into()), "category", en), "Cash loans");
        assert_eq!(format_value(&FieldValue::Category("Y".into()), "flag", en), "yes");
        assert_eq!(format_value(&FieldValue::Category("N".into()), "flag", Language::Fr), "non");
    }

    #[test]
    fn percentages_and_points() {
        assert_eq!(format_percent(0.0844, Language::En), "8.4 %");
        assert_eq!(format_percent(0.0844, Language::Fr), "8,4\u{202f}%");
        assert_eq!(format_points(0.0123, Language::En), "+1.2 pp");
        assert_eq!(format_points(-0.0031, Language::En), "−0.3 pp");
        // A contribution that rounds to zero carries no sign.
        assert_eq!(format_points(-0.0001, Language::En), "0.0 pp");
        assert_eq!(group_thousands(-1234567.0, Language::En), "-1,234,567");
        assert_eq!(group_thousands(999.0, Language::En), "999");
    }
}
