//! Phone numbers in running text: where they are, how to keep them whole on one line, and
//! their `tel:` address. A number broken over two lines ("0116 / 225 2525") is easy to misdial,
//! so every output keeps the groups of a number together.
//!
//! A phone number here is a run of digit groups separated by single spaces that starts with
//! `0` or `+` and has 10 to 13 digits: UK numbers (`0116 496 0123`, `07700 900123`,
//! `020 7946 0000`) and international ones (`+44 116 496 0123`, `+44 (0)116 496 0123`).
//! Dates, versions and references never match: they do not start with `0` or `+`, or have
//! too few digits.
//!
//! Data only: text in, ranges or text out.

use std::borrow::Cow;
use std::ops::Range;

/// A space that keeps the groups of a number on one line.
pub const NO_BREAK_SPACE: char = '\u{a0}';

/// Byte ranges of the phone numbers in `text`, in order.
pub fn phone_numbers(text: &str) -> Vec<Range<usize>> {
    let bytes = text.as_bytes();
    // A number has at least ten digits: most text has far fewer, and is not split into words.
    if ascii_digits(bytes) < 10 {
        return Vec::new();
    }
    // A number's first group starts a word (spaces and no-break spaces part words; 0xA0 ends a
    // no-break space's UTF-8), or follows the bracket that starts it, with `0` or `+`: text
    // without one such byte, though it has dates and counts, is not split into words.
    let may_start = bytes
        .iter()
        .enumerate()
        .any(|(i, &b)| matches!(b, b'0' | b'+') && (i == 0 || matches!(bytes[i - 1], b' ' | 0xA0 | b'(')));
    if !may_start {
        return Vec::new();
    }
    // Words with their byte ranges, split at spaces (ordinary or no-break).
    let mut words: Vec<Range<usize>> = Vec::new();
    let mut start = None;
    for (i, ch) in text.char_indices() {
        if ch == ' ' || ch == NO_BREAK_SPACE {
            if let Some(s) = start.take() {
                words.push(s..i);
            }
        } else if start.is_none() {
            start = Some(i);
        }
    }
    if let Some(s) = start {
        words.push(s..text.len());
    }
    let mut found = Vec::new();
    let mut i = 0;
    while i < words.len() {
        let first = core(text, &words[i], true);
        let Some(first) = first.filter(|r| {
            let w = &text[r.clone()];
            w.starts_with('0') || w.starts_with('+') || w.starts_with("(0")
        }) else {
            i += 1;
            continue;
        };
        let mut end = first.end;
        let mut digits = count_digits(&text[first.clone()]);
        let mut j = i;
        // The number goes on while the next word is a digit group one space away and the
        // current word did not end in punctuation.
        while j + 1 < words.len()
            && core(text, &words[j], j == i).is_some_and(|c| c.end == words[j].end)
            && words[j + 1].start == words[j].end + text[words[j].end..].chars().next().map_or(1, char::len_utf8)
        {
            let Some(next) = core(text, &words[j + 1], false) else { break };
            digits += count_digits(&text[next.clone()]);
            end = next.end;
            j += 1;
        }
        // A trailing group that makes the number too long is not part of it: try shorter runs.
        let mut runs_end = end;
        let mut k = j;
        while (digits > 13) && k > i {
            let group = core(text, &words[k], false).expect("matched above");
            digits -= count_digits(&text[group]);
            k -= 1;
            runs_end = core(text, &words[k], k == i).expect("matched above").end;
        }
        if (10..=13).contains(&digits) && !glued_to_word(text, first.start) {
            found.push(first.start..runs_end);
            i = k + 1;
        } else {
            i += 1;
        }
    }
    found
}

/// How many bytes of `bytes` are ASCII digits: counted in blocks of 128 bytes into a byte, so
/// the compiler counts many bytes at a time (every text of every output is counted).
fn ascii_digits(bytes: &[u8]) -> usize {
    bytes
        .chunks(128)
        .map(|block| usize::from(block.iter().fold(0u8, |n, b| n + u8::from(b.wrapping_sub(b'0') < 10))))
        .sum()
}

/// True when the number's first character follows a letter or digit directly (part of a word
/// like `IG-0116`).
fn glued_to_word(text: &str, start: usize) -> bool {
    text[..start].chars().next_back().is_some_and(|c| c.is_alphanumeric() || c == '-' || c == '/')
}

/// The part of a word that can belong to a number: digits, with `+` only at the start of the
/// first group and `(0)`-style brackets; trailing punctuation and unmatched brackets left out.
/// `None` when the word is not a digit group.
fn core(text: &str, word: &Range<usize>, first: bool) -> Option<Range<usize>> {
    let w = &text[word.clone()];
    let (mut s, mut e) = (0, w.len());
    while e > s && matches!(w.as_bytes()[e - 1], b'.' | b',' | b';' | b':' | b'!' | b'?') {
        e -= 1;
    }
    if w[s..e].ends_with(')') && !w[s..e].contains('(') {
        e -= 1;
    }
    if first && w[s..e].starts_with('(') && !w[s..e].contains(')') {
        s += 1;
    }
    let body = &w[s..e];
    let rest = if first { body.strip_prefix('+').unwrap_or(body) } else { body };
    let ok = rest.chars().any(|c| c.is_ascii_digit())
        && rest.chars().all(|c| c.is_ascii_digit() || c == '(' || c == ')')
        && balanced(rest);
    ok.then(|| word.start + s..word.start + e)
}

fn balanced(s: &str) -> bool {
    let open = s.matches('(').count();
    open == s.matches(')').count() && open <= 1 && (open == 0 || s.find('(') < s.find(')'))
}

fn count_digits(s: &str) -> usize {
    s.chars().filter(char::is_ascii_digit).count()
}

/// `text` with the spaces inside its phone numbers made no-break spaces, so no line breaks
/// inside a number.
pub fn keep_numbers_whole(text: &str) -> Cow<'_, str> {
    let numbers = phone_numbers(text);
    if numbers.is_empty() {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + numbers.len() * 2);
    let mut at = 0;
    for range in numbers {
        out.push_str(&text[at..range.start]);
        out.extend(text[range.clone()].chars().map(|c| if c == ' ' { NO_BREAK_SPACE } else { c }));
        at = range.end;
    }
    out.push_str(&text[at..]);
    Cow::Owned(out)
}

/// The `tel:` address of a phone number: its digits, with a leading `+` kept and the `(0)` of
/// an international number dropped.
pub fn tel_href(number: &str) -> String {
    let number = number.replace("(0)", "");
    let mut out = String::from("tel:");
    for (i, c) in number.trim().chars().enumerate() {
        if c.is_ascii_digit() || (c == '+' && i == 0) {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn numbers(text: &str) -> Vec<&str> {
        phone_numbers(text).into_iter().map(|r| &text[r]).collect()
    }

    #[test]
    fn uk_and_international_numbers_are_found_whole() {
        assert_eq!(numbers("Call 0116 496 0123 or 07700 900123."), ["0116 496 0123", "07700 900123"]);
        assert_eq!(numbers("Ring +44 (0)116 496 0123, any time"), ["+44 (0)116 496 0123"]);
        assert_eq!(numbers("PALS (0116 496 0123) can help"), ["0116 496 0123"]);
        assert_eq!(numbers("Text relay: 18001 0116 496 0123"), ["0116 496 0123"]);
        assert_eq!(numbers("020 7946 0000"), ["020 7946 0000"]);
        // After a no-break space, and in brackets from its `+`.
        assert_eq!(numbers("Call\u{a0}0116 496 0123 on 12 March 2026"), ["0116 496 0123"]);
        assert_eq!(numbers("abroad (+44 116 496 0123)"), ["+44 116 496 0123"]);
    }

    #[test]
    fn dates_versions_references_and_short_numbers_are_not_phone_numbers() {
        for text in ["on 31 03 2027", "version 2.10", "IG-0116 496 0123", "call 111 or 999", "page 0 of 12", "0116"] {
            assert!(numbers(text).is_empty(), "{text}: {:?}", numbers(text));
        }
    }

    #[test]
    fn numbers_are_kept_whole_with_no_break_spaces() {
        assert_eq!(keep_numbers_whole("Call 0116 496 0123 now"), "Call 0116\u{a0}496\u{a0}0123 now");
        assert!(matches!(keep_numbers_whole("no numbers here"), Cow::Borrowed(_)));
    }

    #[test]
    fn digits_are_counted_in_text_of_any_length() {
        for text in ["", "a1b2", "0123456789", &"7 ".repeat(300), &"x9".repeat(129)] {
            assert_eq!(ascii_digits(text.as_bytes()), text.bytes().filter(u8::is_ascii_digit).count(), "{text}");
        }
    }

    #[test]
    fn tel_addresses_are_digits_only() {
        assert_eq!(tel_href("0116 496 0123"), "tel:01164960123");
        assert_eq!(tel_href("+44 (0)116 496 0123"), "tel:+441164960123");
    }
}
