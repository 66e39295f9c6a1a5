//! Where text may be broken into lines: Unicode line breaking (UAX #14, the `unicode-linebreak`
//! crate), with a quick way through for the plain text most policies are made of. Pure: no
//! measuring, no layout; the answer is always the crate's.

use unicode_linebreak::{BreakOpportunity, linebreaks};

/// The break opportunities of `text`, exactly as `unicode_linebreak::linebreaks` gives them:
/// the byte offset each line would start at and whether the break is mandatory (the end of the
/// text always is).
pub fn line_breaks(text: &str) -> impl Iterator<Item = (usize, BreakOpportunity)> + '_ {
    // The rules make a plain case of ASCII letters and digits, spaces and . , : ; (classes AL,
    // NU, SP and IS): a line may start after spaces at a letter or digit (LB18), nowhere else
    // (LB7, LB13, LB23, LB25, LB28, LB29), and the text ends with a mandatory break (LB3).
    // Checking the bytes costs far less than running the rules on every character.
    let plain = !text.is_empty()
        && text.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b' ' | b'.' | b',' | b':' | b';'));
    let (quick, full) = if plain { (Some(plain_breaks(text)), None) } else { (None, Some(linebreaks(text))) };
    quick.into_iter().flatten().chain(full.into_iter().flatten())
}

/// [`line_breaks`] of plain text (see there).
fn plain_breaks(text: &str) -> impl Iterator<Item = (usize, BreakOpportunity)> + '_ {
    let bytes = text.as_bytes();
    (1..bytes.len())
        .filter(move |&i| bytes[i - 1] == b' ' && bytes[i].is_ascii_alphanumeric())
        .map(|i| (i, BreakOpportunity::Allowed))
        .chain(std::iter::once((bytes.len(), BreakOpportunity::Mandatory)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_text_breaks_where_the_unicode_rules_break_it() {
        // Every text of up to six characters from letters, a digit, a space and the four marks
        // the quick way takes, against the crate.
        let alphabet = ['a', 'Z', '5', ' ', '.', ',', ':', ';'];
        let mut texts = vec![String::new()];
        for _ in 0..6 {
            texts = texts
                .iter()
                .flat_map(|t| alphabet.iter().map(move |c| format!("{t}{c}")))
                .inspect(|text| {
                    let ours: Vec<_> = line_breaks(text).collect();
                    let theirs: Vec<_> = linebreaks(text).collect();
                    assert_eq!(ours, theirs, "{text:?}");
                })
                .collect();
        }
        // And texts that are not plain go to the crate whole.
        for text in ["", "a-b c", "(a) b", "a\nb", "é a", "a! b", "\"a\" b"] {
            assert_eq!(line_breaks(text).collect::<Vec<_>>(), linebreaks(text).collect::<Vec<_>>(), "{text:?}");
        }
    }
}
