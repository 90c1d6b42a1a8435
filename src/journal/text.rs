//! What text a caller may put into the journal or ask it about: no NUL and no control
//! characters, in any field (a name, a justification, a statement, a filter), checked before
//! any database is asked.
//!
//! A NUL is the one character PostgreSQL's text cannot hold: one request carrying it would fail
//! the transaction it is written in, and a group commit writes several requests in one. The
//! other control characters (C0, DEL, C1) and the bidirectional overrides and isolates
//! (U+202A–U+202E, U+2066–U+2069: text that displays in another order than it reads, "Trojan
//! Source") can forge lines of an export or a log, or hide what a record says. A field of free
//! text written by a person (a justification, a statement) may hold line breaks and tabs.
//!
//! Uses: the journal's errors.

use super::JournalError;

/// How a text field is laid out, for [`check_chars`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextKind {
    /// One line: a name, a code, a filter. No control character at all.
    Line,
    /// Free text written by a person: line breaks (`\n`, `\r`) and tabs are taken.
    Paragraphs,
}

/// Refuses `text` when it holds a NUL, a control character (a line break or a tab aside in
/// [`TextKind::Paragraphs`]) or a bidirectional override or isolate; the error names `field`,
/// the character and where it is (counted in characters from 1).
pub fn check_chars(field: &str, text: &str, kind: TextKind) -> Result<(), JournalError> {
    let found = text.chars().enumerate().find(|(_, character)| refused(*character, kind));
    match found {
        None => Ok(()),
        Some((index, character)) => Err(JournalError::Invalid {
            field: field.to_string(),
            message: format!(
                "holds {} at character {}: text fields take no NUL, control or bidirectional override characters",
                describe(character),
                index + 1
            ),
        }),
    }
}

/// Whether `character` is refused in a field of this kind.
fn refused(character: char, kind: TextKind) -> bool {
    let layout = matches!(character, '\n' | '\r' | '\t');
    (character.is_control() && !(layout && kind == TextKind::Paragraphs))
        || matches!(character, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// A refused character as a message names it: `U+0000 (NUL)`.
fn describe(character: char) -> String {
    let code = u32::from(character);
    let name = match character {
        '\0' => " (NUL)",
        '\n' => " (line feed)",
        '\r' => " (carriage return)",
        '\t' => " (tab)",
        '\u{7f}' => " (DEL)",
        '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' => " (a bidirectional override)",
        _ => " (a control character)",
    };
    format!("U+{code:04X}{name}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nul_and_control_characters_are_refused_naming_the_field_and_the_place() {
        let error = check_chars("rm", "ana\0", TextKind::Line).unwrap_err();
        assert_eq!(
            error,
            JournalError::Invalid {
                field: "rm".into(),
                message: "holds U+0000 (NUL) at character 4: text fields take no NUL, control or bidirectional \
                          override characters"
                    .into()
            }
        );
        for bad in ["\u{1b}[31m", "a\u{7f}", "a\u{85}b", "ab\u{202E}cd", "\u{2066}x", "x\ny"] {
            assert!(check_chars("rm", bad, TextKind::Line).is_err(), "{bad:?}");
        }
        // A person's text may have lines and tabs, never a NUL or an escape.
        assert!(check_chars("statement", "first line\r\nsecond\tline", TextKind::Paragraphs).is_ok());
        assert!(check_chars("statement", "line\0", TextKind::Paragraphs).is_err());
        assert!(check_chars("statement", "\u{1b}[2J", TextKind::Paragraphs).is_err());
        // Letters of every script, accents, right-to-left text and marks are text.
        for good in ["Zoé", "ана", "محمد", "李", "a\u{200F}b", "ana.martin@bank.fr"] {
            assert!(check_chars("rm", good, TextKind::Line).is_ok(), "{good:?}");
        }
    }
}
