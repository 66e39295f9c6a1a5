//! Policy ids and names: what a valid id is, and the nearest valid one to suggest.
//!
//! Pure rules on strings; knows nothing about files.

/// Checks that a policy id is made of lower-case letters, digits and hyphens.
pub fn valid_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= MAX_ID_LEN
        && id.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && !id.starts_with('-')
        && !id.ends_with('-')
}

/// The longest id: every output's file name (`<id>-large-print.pdf` is the longest) then fits
/// the 255 bytes file systems allow, with room to spare.
pub const MAX_ID_LEN: usize = 200;

/// A valid id or name close to `name`: lower-cased, other characters turned into hyphens.
pub fn suggest_id(name: &str) -> String {
    let mut out = String::new();
    for c in name.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') {
            out.push('-');
        }
    }
    out.trim_matches('-').to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggest_id_lowercases_and_hyphenates() {
        assert_eq!(suggest_id("Social_Media Policy"), "social-media-policy");
    }
}
