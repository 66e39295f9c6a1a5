//! Colour contrast of the theme (WCAG 2.2 AA): relative luminance, contrast ratios, and the
//! pairs of theme colours that must stay readable, checked at every build.
//!
//! Pure. Reads colours from `config::ThemeColours`; never edits them and never writes CSS.

use crate::diag::Diagnostics;
use crate::load::config::{ThemeColours, ThemeSettings};

/// An sRGB colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rgb(pub u8, pub u8, pub u8);

impl Rgb {
    /// Parses `#rrggbb` or `#rgb`.
    pub fn parse(text: &str) -> Option<Rgb> {
        let hex = text.trim().strip_prefix('#')?;
        let digits: Vec<u8> = hex.chars().map(|c| c.to_digit(16).map(|d| d as u8)).collect::<Option<_>>()?;
        match digits.as_slice() {
            [r, g, b] => Some(Rgb(r * 17, g * 17, b * 17)),
            [r1, r2, g1, g2, b1, b2] => Some(Rgb(r1 * 16 + r2, g1 * 16 + g2, b1 * 16 + b2)),
            _ => None,
        }
    }

    /// WCAG relative luminance, 0 (black) to 1 (white).
    pub fn luminance(self) -> f64 {
        let channel = |c: u8| {
            let c = f64::from(c) / 255.0;
            if c <= 0.04045 { c / 12.92 } else { ((c + 0.055) / 1.055).powf(2.4) }
        };
        0.2126 * channel(self.0) + 0.7152 * channel(self.1) + 0.0722 * channel(self.2)
    }
}

/// The WCAG contrast ratio of two colours, 1 to 21.
pub fn contrast_ratio(a: Rgb, b: Rgb) -> f64 {
    let (la, lb) = (a.luminance(), b.luminance());
    let (hi, lo) = if la > lb { (la, lb) } else { (lb, la) };
    (hi + 0.05) / (lo + 0.05)
}

/// Text needs 4.5:1 (WCAG 1.4.3).
pub const TEXT: f64 = 4.5;
/// Large text and the parts of controls need 3:1 (WCAG 1.4.3, 1.4.11).
pub const LARGE_OR_UI: f64 = 3.0;

/// Every pair the theme uses: foreground, background, minimum ratio, where it is used.
pub const PAIRS: &[(&str, &str, f64, &str)] = &[
    ("text", "background", TEXT, "body text"),
    ("secondary-text", "background", TEXT, "summaries and small print"),
    ("link", "background", TEXT, "links"),
    ("link-visited", "background", TEXT, "visited links"),
    ("link-hover", "background", TEXT, "links under the pointer"),
    ("text", "panel", TEXT, "text in panels and the footer"),
    ("link", "panel", TEXT, "links in panels and the footer"),
    ("on-brand", "brand", TEXT, "the header, coloured bands and poster headlines"),
    ("on-brand", "button", TEXT, "buttons"),
    ("text", "focus", TEXT, "a focused link"),
    ("in-date-text", "in-date-background", TEXT, "the \"In date\" tag"),
    ("due-soon-text", "due-soon-background", TEXT, "the \"Review due\" tag"),
    ("overdue-text", "overdue-background", TEXT, "the \"Review overdue\" tag"),
    ("brand", "background", LARGE_OR_UI, "headline accents and icons"),
    ("danger", "background", LARGE_OR_UI, "the edge of overdue and draft banners"),
];

/// Checks every pair of [`PAIRS`] and reports each that fails, naming both colours.
pub fn check_theme_contrast(colours: &ThemeColours, diags: &mut Diagnostics) {
    for &(fg, bg, minimum, used) in PAIRS {
        let (Some(f), Some(b)) = (colours.get(fg), colours.get(bg)) else { continue };
        let ratio = contrast_ratio(f.rgb, b.rgb);
        if ratio + 1e-9 < minimum {
            // Point at the colour the project changed, when only one of the two is its own.
            let builtin = |c: &crate::load::config::ThemeColour| c.location.file == "themes/default/theme.yaml";
            let location = if builtin(f) && !builtin(b) { b.location.clone() } else { f.location.clone() };
            diags
                .error(
                    location,
                    format!(
                        "`{fg}` {} on `{bg}` {} has a contrast ratio of {ratio:.2}:1; {used} need at least {minimum}:1",
                        f.written, b.written
                    ),
                )
                .hint(format!(
                    "make `{fg}` darker or `{bg}` lighter (or the other way round) until the ratio is {minimum}:1"
                ));
        }
    }
}

/// The theme's settings: the built-in `theme.yaml`, with the project's (if it has one) over it.
pub fn theme_settings(theme: &crate::load::theme::Theme, theme_name: &str, diags: &mut Diagnostics) -> ThemeSettings {
    let builtin_text = theme.builtin_version("theme.yaml").or_else(|| theme.file("theme.yaml")).unwrap_or_default();
    let builtin_text = String::from_utf8_lossy(builtin_text);
    let defaults = ThemeSettings::default();
    let builtin = ThemeSettings::parse("themes/default/theme.yaml", &builtin_text, &[], &defaults, diags);
    if theme.builtin_version("theme.yaml").is_none() {
        return builtin;
    }
    let known: Vec<&str> = builtin.colours.iter().map(|(name, _)| name).collect();
    let text = theme.text("theme.yaml").unwrap_or_default();
    ThemeSettings::parse(&format!("themes/{theme_name}/theme.yaml"), &text, &known, &builtin, diags)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contrast_ratio_matches_wcag_examples() {
        let white = Rgb::parse("#fff").unwrap();
        let black = Rgb::parse("#000000").unwrap();
        assert!((contrast_ratio(white, black) - 21.0).abs() < 1e-9);
        // NHS Blue on white, worked by hand: L(#005EB8) = 0.7152 * 0.1119 + 0.0722 * 0.4794 = 0.1146,
        // so (1 + 0.05) / (0.1146 + 0.05) = 6.38.
        let nhs_blue = Rgb::parse("#005EB8").unwrap();
        assert!((contrast_ratio(nhs_blue, white) - 6.38).abs() < 0.01, "{}", contrast_ratio(nhs_blue, white));
        assert!((contrast_ratio(Rgb::parse("#777777").unwrap(), white) - 4.48).abs() < 0.01);
    }

    #[test]
    fn parse_accepts_short_and_long_hex_only() {
        assert_eq!(Rgb::parse("#abc"), Some(Rgb(0xaa, 0xbb, 0xcc)));
        assert_eq!(Rgb::parse("#005eb8"), Some(Rgb(0, 0x5e, 0xb8)));
        for bad in ["005eb8", "#12345", "#gggggg", "blue"] {
            assert_eq!(Rgb::parse(bad), None, "{bad}");
        }
    }
}
