//! From raw OCR or e-mail text to the pieces of the signature: the input
//! capped, the body before the closing greeting, quoted replies,
//! disclaimers and "Sent from my iPhone" dropped, and each line split at
//! its visual separators (`|`, `·`, ` / `, wide gaps).

use super::words;

/// The most input read, in bytes (cut at a character boundary): a card or a
/// signature is a few hundred bytes; the cap bounds the time any input takes.
pub const MAX_BYTES: usize = 8 * 1024;
/// The most lines read.
pub const MAX_LINES: usize = 200;
/// The most pieces kept (a line split at `|` may give many): the work per
/// card is at most quadratic in the pieces, so this bounds it too.
const MAX_PIECES: usize = 400;
/// A line with more words than this is prose (a sentence of the body or of
/// a disclaimer), never a field of the card.
const PROSE_WORDS: usize = 12;
/// A closing greeting followed by more words than this on its line is a
/// sentence of the body, not "Best regards, Kari Nordmann".
const GREETING_TAIL_WORDS: usize = 4;

/// The pieces of the signature, in reading order, whitespace collapsed.
pub(crate) fn pieces(text: &str) -> Vec<String> {
    let text = cap(text);
    let mut lines: Vec<String> = Vec::new();
    for raw in text.lines().take(MAX_LINES) {
        let line = clean(raw);
        let trimmed = line.trim();
        if trimmed.starts_with('>') {
            continue; // a quoted line of a reply
        }
        let folded = trimmed.to_lowercase();
        if is_reply_header(&folded) {
            if lines.iter().any(|l| !l.is_empty()) {
                break;
            }
            continue;
        }
        if trimmed == "--" || trimmed == "—" {
            // the standard signature delimiter: what came before is the body
            lines.clear();
            continue;
        }
        if words::DISCLAIMER_MARKERS.iter().any(|m| folded.contains(m)) {
            break;
        }
        if words::SENT_FROM.iter().any(|s| folded.starts_with(s)) {
            continue;
        }
        if let Some(tail) = greeting_tail(trimmed, &folded) {
            // the body ends at the closing greeting
            lines.clear();
            if !tail.is_empty() {
                lines.push(tail);
            }
            continue;
        }
        lines.push(line);
    }
    let mut out = Vec::new();
    for line in &lines {
        for piece in split_line(line) {
            let piece = collapse(&piece);
            let piece = piece.trim_matches(|c: char| c == ',' || c == ';' || c.is_whitespace());
            // prose: checked per piece, a one-line card has many words
            if piece.chars().any(char::is_alphanumeric)
                && piece.split_whitespace().count() <= PROSE_WORDS
            {
                out.push(piece.to_owned());
            }
            if out.len() == MAX_PIECES {
                return out;
            }
        }
    }
    out
}

/// `text` cut to at most [`MAX_BYTES`] at a character boundary.
fn cap(text: &str) -> &str {
    if text.len() <= MAX_BYTES {
        return text;
    }
    let mut end = MAX_BYTES;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

/// Unusual spaces as spaces, control and invisible characters removed.
/// Runs of spaces are kept (a wide gap separates two columns).
fn clean(raw: &str) -> String {
    raw.chars()
        .filter_map(|c| match c {
            '\t' => Some(' '),
            '\u{200b}' | '\u{200c}' | '\u{200d}' | '\u{2060}' | '\u{feff}' | '\u{ad}' => None,
            c if c.is_whitespace() => Some(' '),
            c if c.is_control() => None,
            c => Some(c),
        })
        .collect()
}

fn is_reply_header(folded: &str) -> bool {
    words::REPLY_HEADERS.iter().any(|h| folded.starts_with(h))
        || (folded.ends_with(':')
            && folded
                .split_whitespace()
                .any(|w| words::REPLY_VERBS.contains(&w.trim_end_matches(':'))))
}

/// When the line is a closing greeting: what follows the greeting on the
/// line (the sender's name, or empty).
fn greeting_tail(line: &str, folded: &str) -> Option<String> {
    let bare = folded.trim_end_matches([',', '!', '.', ':', ' ']);
    if words::GREETINGS_WHOLE_LINE.contains(&bare) {
        return Some(String::new());
    }
    // "T. Heikki" (Finnish "terveisin"): a closing only before a name, as
    // "T." is also a phone label
    for short in words::GREETINGS_BEFORE_NAME {
        if let Some(tail) = folded.strip_prefix(short) {
            let tail_words: Vec<&str> = tail.split_whitespace().collect();
            let name_like = (1..=3).contains(&tail_words.len())
                && tail_words
                    .iter()
                    .all(|w| w.chars().all(char::is_alphabetic));
            if name_like && tail.starts_with(' ') {
                let skip = short.chars().count();
                return Some(collapse(&line.chars().skip(skip).collect::<String>()));
            }
        }
    }
    let greeting = words::GREETINGS
        .iter()
        .filter(|g| {
            folded.starts_with(**g)
                && folded[g.len()..]
                    .chars()
                    .next()
                    .is_none_or(|c| matches!(c, ',' | ' ' | '!' | '.' | ':' | '-'))
        })
        .max_by_key(|g| g.len())?;
    // the same prefix in the original line: lowercasing may change byte
    // lengths, so count characters
    let chars = greeting.chars().count();
    let tail: String = line.chars().skip(chars).collect();
    let tail = tail.trim_matches(|c: char| matches!(c, ',' | '!' | '.' | ':' | '-' | '/' | ' '));
    if tail.split_whitespace().count() > GREETING_TAIL_WORDS {
        return None;
    }
    Some(collapse(tail))
}

/// A line split at its separators: `|`, `·`, `•` and the like anywhere;
/// ` / `, ` - `, ` – ` between spaces; and gaps of three spaces or more
/// (two columns read as one line).
fn split_line(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    let chars: Vec<char> = line.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let spaced =
            |i: usize| i > 0 && chars[i - 1] == ' ' && chars.get(i + 1).is_some_and(|n| *n == ' ');
        let separator = matches!(c, '|' | '·' | '•' | '∙' | '◦' | '▪' | '¦' | '●' | '■')
            || (matches!(c, '/' | '-' | '–' | '—') && spaced(i));
        if separator {
            out.push(std::mem::take(&mut current));
        } else if c == ' ' && chars[i..].iter().take(3).all(|c| *c == ' ') {
            out.push(std::mem::take(&mut current));
            while chars.get(i + 1) == Some(&' ') {
                i += 1;
            }
        } else {
            current.push(c);
        }
        i += 1;
    }
    out.push(current);
    out
}

/// Runs of whitespace as one space, trimmed.
pub(crate) fn collapse(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn body_before_the_greeting_and_the_quoted_reply_are_dropped() {
        let text = "Hi Ola,\nsee you at the fair.\n\nMed vennlig hilsen\nKari Nordmann\n\
                    Salgssjef\n\nSendt fra min iPhone\n\nDen 3. mars skrev Ola:\n> Hei";
        assert_eq!(pieces(text), ["Kari Nordmann", "Salgssjef"]);
    }

    #[test]
    fn name_after_the_greeting_on_the_same_line_is_kept() {
        assert_eq!(
            pieces("Best regards, John Smith\nSales Manager"),
            ["John Smith", "Sales Manager"]
        );
        // a sentence that starts like a greeting is body text
        assert_eq!(
            pieces("Thanks for the meeting\nJohn Smith"),
            ["Thanks for the meeting", "John Smith"]
        );
        // "T." closes a Finnish mail before a name, and labels a phone
        assert_eq!(
            pieces("T. Heikki\n\nHeikki Ojala"),
            ["Heikki", "Heikki Ojala"]
        );
        assert_eq!(pieces("Matti\nT. 09 123 4567"), ["Matti", "T. 09 123 4567"]);
    }

    #[test]
    fn separators_and_wide_gaps_split_a_line() {
        assert_eq!(
            pieces("Kari Nordmann | Salgssjef · Fjordline AS\nTel 22 33 44 55     Mob 912 34 567"),
            [
                "Kari Nordmann",
                "Salgssjef",
                "Fjordline AS",
                "Tel 22 33 44 55",
                "Mob 912 34 567"
            ]
        );
        // a hyphen inside a word or a number is not a separator
        assert_eq!(pieces("Anna-Liisa Järvinen"), ["Anna-Liisa Järvinen"]);
    }

    #[test]
    fn disclaimer_ends_the_signature() {
        let text = "--\nMatti Virtanen\nTämä viesti on luottamuksellinen.\nPuh. 040 123 4567";
        assert_eq!(pieces(text), ["Matti Virtanen"]);
    }

    #[test]
    fn input_is_capped() {
        let long = "é".repeat(MAX_BYTES);
        assert!(cap(&long).len() <= MAX_BYTES);
        let many = "Kari\n".repeat(MAX_LINES * 2);
        assert_eq!(pieces(&many).len(), MAX_LINES);
    }
}
