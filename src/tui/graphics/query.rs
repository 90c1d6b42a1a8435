//! Asking the terminal what it can show: the kitty graphics protocol, sixel, the pixel size of
//! a character cell and the terminal's name and version (XTVERSION).
//!
//! The question is asked inside the dashboard's own raw mode and the answer read on the
//! calling thread with a bounded wait, so that nothing else touches the terminal settings or
//! reads the keyboard at the same time. `ratatui_image::picker::Picker::from_query_stdio`
//! reads the answer on a thread of its own that puts the terminal back into its original
//! (line-buffered, echoing) mode only *after* it has handed its result over, and goes on
//! reading the keyboard when no answer comes: a program that takes over the terminal right
//! after it races with that restore (the cursor-position reply gets echoed instead of read, or
//! the terminal stays line-buffered for the whole session). Only its query text and its parser
//! of the replies are used here.
//!
//! Keys pressed while the question is out arrive mixed with the replies; they are handed back
//! as key events so that none is lost.

use std::io::Write;
use std::time::{Duration, Instant};

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui_image::picker::cap_parser::{Parser, QueryStdioOptions, Response};
use rustix::termios::{OptionalActions, SpecialCodeIndex, tcgetattr, tcsetattr};

/// XTVERSION: the terminal's name and version, answered as `DCS > | text ST`.
const XTVERSION: &str = "\x1b[>0q";

/// What the terminal said about itself.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Reply {
    /// It answered the whole question (the status report that ends it arrived in time).
    pub complete: bool,
    /// It accepted the kitty graphics protocol's test image.
    pub kitty: bool,
    /// Its device attributes include sixel graphics.
    pub sixel: bool,
    /// The pixel size (width, height) of a character cell.
    pub cell: Option<(u16, u16)>,
    /// Its name and version, as XTVERSION gives them (for example `kitty(0.26.5)`).
    pub version: Option<String>,
}

/// Asks the terminal on standard input and output, which must be in raw mode, and waits at
/// most `wait` for the answer. Returns the reply and the keys pressed meanwhile.
pub fn ask(wait: Duration) -> std::io::Result<(Reply, Vec<KeyEvent>)> {
    let stdin = std::io::stdin();
    let raw = tcgetattr(&stdin)?;
    // Reads that return after a tenth of a second without input, so the wait is bounded
    // without a reader thread; the raw settings come back whatever happens below.
    let mut timed = raw.clone();
    timed.special_codes[SpecialCodeIndex::VMIN] = 0;
    timed.special_codes[SpecialCodeIndex::VTIME] = 1;
    tcsetattr(&stdin, OptionalActions::Now, &timed)?;
    let answer = read_answer(&stdin, wait);
    let restored = tcsetattr(&stdin, OptionalActions::Now, &raw);
    let bytes = answer?;
    restored?;
    Ok(interpret(&bytes, true))
}

fn read_answer(stdin: &std::io::Stdin, wait: Duration) -> std::io::Result<Vec<u8>> {
    let mut out = std::io::stdout();
    out.write_all(question().as_bytes())?;
    out.flush()?;
    let deadline = Instant::now() + wait;
    let mut bytes = Vec::new();
    let mut chunk = [0u8; 1024];
    while Instant::now() < deadline {
        let read = match rustix::io::read(stdin, &mut chunk) {
            Ok(read) => read,
            Err(rustix::io::Errno::INTR | rustix::io::Errno::AGAIN) => continue,
            Err(error) => return Err(error.into()),
        };
        bytes.extend_from_slice(&chunk[..read]);
        if read > 0 && interpret(&bytes, false).0.complete {
            break;
        }
    }
    Ok(bytes)
}

/// The question: XTVERSION, then ratatui-image's (the kitty test image, device attributes,
/// the cell size and the status report that every terminal answers, last).
fn question() -> String {
    format!("{XTVERSION}{}", Parser::query(false, QueryStdioOptions::default()))
}

/// One piece of what the terminal sent.
#[derive(Debug, PartialEq, Eq)]
enum Piece<'a> {
    /// An escape sequence: CSI (`ESC [`), SS3 (`ESC O x`), or a string (OSC, DCS, APC).
    Sequence(&'a [u8]),
    /// `ESC` and a character: the character with Alt.
    Alt(char),
    /// A character typed.
    Char(char),
    /// `ESC` alone at the end.
    Escape,
}

/// Splits bytes into escape sequences and characters. An unfinished sequence at the end is
/// left out (more may come), and so is an `ESC` at the very end unless the input is
/// `finished` (then it is the Esc key).
fn pieces(bytes: &[u8], finished: bool) -> Vec<Piece<'_>> {
    let mut pieces = Vec::new();
    let mut at = 0;
    while at < bytes.len() {
        let length = match piece_length(&bytes[at..]) {
            Some(length) => length,
            None if finished && bytes.len() - at == 1 => 1,
            None => break,
        };
        let piece = &bytes[at..at + length];
        pieces.push(match piece {
            [0x1b] => Piece::Escape,
            [0x1b, b'[' | b'O' | b']' | b'P' | b'_', ..] => Piece::Sequence(piece),
            [0x1b, rest @ ..] => String::from_utf8_lossy(rest).chars().next().map_or(Piece::Escape, Piece::Alt),
            _ => String::from_utf8_lossy(piece).chars().next().map_or(Piece::Escape, Piece::Char),
        });
        at += length;
    }
    pieces
}

/// The length of the piece at the start of `bytes`, `None` when it is not complete yet.
fn piece_length(bytes: &[u8]) -> Option<usize> {
    let utf8_length = |first: u8| match first {
        0xf0..=0xf7 => 4,
        0xe0..=0xef => 3,
        0xc0..=0xdf => 2,
        _ => 1,
    };
    match bytes {
        [] | [0x1b] => None,
        [0x1b, b'[', rest @ ..] => {
            // Parameters and intermediates, then one final byte.
            let end = rest.iter().position(|byte| (0x40..=0x7e).contains(byte))?;
            Some(3 + end)
        }
        [0x1b, b'O', _, ..] => Some(3),
        [0x1b, b'O'] => None,
        [0x1b, b']' | b'P' | b'_', rest @ ..] => {
            // Ends with BEL or ST (`ESC \`).
            let end = rest.iter().enumerate().find_map(|(index, byte)| match byte {
                0x07 => Some(index + 1),
                0x1b if rest.get(index + 1) == Some(&b'\\') => Some(index + 2),
                _ => None,
            })?;
            Some(2 + end)
        }
        [0x1b, second, ..] => (bytes.len() > utf8_length(*second)).then(|| 1 + utf8_length(*second)),
        [first, ..] => {
            let length = utf8_length(*first);
            (bytes.len() >= length).then_some(length)
        }
    }
}

/// The reply in `bytes` and the keys among it (see [`pieces`] for `finished`).
fn interpret(bytes: &[u8], finished: bool) -> (Reply, Vec<KeyEvent>) {
    let mut reply = Reply::default();
    let mut keys = Vec::new();
    let mut parser = Parser::new();
    for piece in pieces(bytes, finished) {
        match piece {
            Piece::Sequence(sequence) => {
                if let Some(version) = sequence.strip_prefix(b"\x1bP>|") {
                    let text = String::from_utf8_lossy(version);
                    reply.version = Some(text.trim_end_matches(['\x1b', '\\', '\x07']).to_string());
                } else if is_reply(sequence) {
                    for response in sequence.iter().flat_map(|byte| parser.push(char::from(*byte))) {
                        match response {
                            Response::Kitty => reply.kitty = true,
                            Response::Sixel => reply.sixel = true,
                            Response::CellSize(cell) => reply.cell = cell.or(reply.cell),
                            Response::Status => reply.complete = true,
                            _ => {}
                        }
                    }
                } else if let Some(key) = sequence_key(sequence) {
                    keys.push(key);
                }
            }
            Piece::Alt(character) => keys.push(KeyEvent::new(KeyCode::Char(character), KeyModifiers::ALT)),
            Piece::Char(character) => keys.push(character_key(character)),
            Piece::Escape => keys.push(KeyEvent::new(KeyCode::Esc, KeyModifiers::NONE)),
        }
    }
    (reply, keys)
}

/// Whether a sequence answers the question (rather than being a key): the kitty reply, the
/// device attributes (`CSI ? … c`), the cell size (`CSI 6 ; h ; w t`), the status (`CSI 0 n`)
/// and OSC replies.
fn is_reply(sequence: &[u8]) -> bool {
    match sequence {
        [0x1b, b'_' | b']', ..] => true,
        [0x1b, b'[', .., b'c'] => sequence.get(2) == Some(&b'?'),
        [0x1b, b'[', .., b't' | b'n'] => true,
        _ => false,
    }
}

/// The key a terminal sends as this sequence, for the keys the dashboard uses.
fn sequence_key(sequence: &[u8]) -> Option<KeyEvent> {
    let code = match sequence {
        [0x1b, b'[' | b'O', b'A'] => KeyCode::Up,
        [0x1b, b'[' | b'O', b'B'] => KeyCode::Down,
        [0x1b, b'[' | b'O', b'C'] => KeyCode::Right,
        [0x1b, b'[' | b'O', b'D'] => KeyCode::Left,
        [0x1b, b'[' | b'O', b'H'] | [0x1b, b'[', b'1', b'~'] => KeyCode::Home,
        [0x1b, b'[' | b'O', b'F'] | [0x1b, b'[', b'4', b'~'] => KeyCode::End,
        [0x1b, b'[', b'3', b'~'] => KeyCode::Delete,
        [0x1b, b'[', b'5', b'~'] => KeyCode::PageUp,
        [0x1b, b'[', b'6', b'~'] => KeyCode::PageDown,
        [0x1b, b'[', b'Z'] => return Some(KeyEvent::new(KeyCode::BackTab, KeyModifiers::SHIFT)),
        _ => return None,
    };
    Some(KeyEvent::new(code, KeyModifiers::NONE))
}

/// The key of one character typed in raw mode.
fn character_key(character: char) -> KeyEvent {
    match character {
        '\r' | '\n' => KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE),
        '\t' => KeyEvent::new(KeyCode::Tab, KeyModifiers::NONE),
        '\x7f' | '\x08' => KeyEvent::new(KeyCode::Backspace, KeyModifiers::NONE),
        '\x01'..='\x1a' => {
            let letter = char::from(b'a' + (character as u8 - 1));
            KeyEvent::new(KeyCode::Char(letter), KeyModifiers::CONTROL)
        }
        _ => KeyEvent::new(KeyCode::Char(character), KeyModifiers::NONE),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(code: KeyCode) -> KeyEvent {
        KeyEvent::new(code, KeyModifiers::NONE)
    }

    // Replies as the terminals send them (recorded under Xvfb from Debian 12's xterm 379
    // started with `-ti vt340` and kitty 0.26.5): XTVERSION, then the answers to
    // ratatui-image's question in its order (kitty test image, device attributes, cell size,
    // status). xterm ignores the kitty image and, by default, the cell-size question.
    const XTERM_VT340: &[u8] = b"\x1bP>|XTerm(379)\x1b\\\x1b[?63;1;2;4;6;9;15;16;22;28c\x1b[0n";
    const KITTY_0_26: &[u8] = b"\x1bP>|kitty(0.26.5)\x1b\\\x1b_Gi=31;OK\x1b\\\x1b[?62;c\x1b[6;18;9t\x1b[0n";

    #[test]
    fn xterm_in_vt340_mode_has_sixel_and_its_version() {
        let (reply, keys) = interpret(XTERM_VT340, true);
        assert_eq!(
            reply,
            Reply { complete: true, kitty: false, sixel: true, cell: None, version: Some("XTerm(379)".to_string()) }
        );
        assert!(keys.is_empty());
    }

    #[test]
    fn kitty_accepts_the_test_image() {
        let (reply, keys) = interpret(KITTY_0_26, true);
        assert!(reply.complete && reply.kitty && !reply.sixel);
        // `CSI 6 ; height ; width t`.
        assert_eq!(reply.cell, Some((9, 18)));
        assert_eq!(reply.version.as_deref(), Some("kitty(0.26.5)"));
        assert!(keys.is_empty());
    }

    #[test]
    fn keys_typed_during_the_question_are_kept_in_order() {
        // `j`, an arrow, the replies, `c`, Enter, Ctrl-C, Alt-x and a lone Esc last.
        let bytes = b"j\x1b[B\x1b[?62;4c\x1b[0nc\r\x03\x1bx\x1b";
        let (reply, keys) = interpret(bytes, true);
        assert!(reply.complete && reply.sixel);
        assert_eq!(
            keys,
            vec![
                key(KeyCode::Char('j')),
                key(KeyCode::Down),
                key(KeyCode::Char('c')),
                key(KeyCode::Enter),
                KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL),
                KeyEvent::new(KeyCode::Char('x'), KeyModifiers::ALT),
                key(KeyCode::Esc),
            ]
        );
    }

    #[test]
    fn an_unfinished_answer_is_not_complete_and_yields_no_key() {
        for answer in [XTERM_VT340, KITTY_0_26] {
            for cut in 0..answer.len() {
                let (reply, keys) = interpret(&answer[..cut], false);
                assert!(!reply.complete, "complete after {cut} bytes");
                assert!(keys.is_empty(), "keys {keys:?} after {cut} bytes");
            }
        }
    }

    #[test]
    fn a_terminal_that_answers_only_the_status_has_nothing() {
        let (reply, keys) = interpret(b"\x1b[0n", true);
        assert_eq!(reply, Reply { complete: true, ..Reply::default() });
        assert!(keys.is_empty());
    }

    #[test]
    fn the_question_asks_the_version_first_and_the_status_last() {
        let question = question();
        assert!(question.starts_with("\x1b[>0q"));
        assert!(question.ends_with("\x1b[5n"));
        assert!(question.contains("\x1b_Gi=31,"));
    }
}
