//! `assets/theme.css`: the theme's colours (from `theme.yaml`) as CSS custom properties, so the
//! stylesheet and the PDFs use the same colours.
//!
//! Pure text; the colours were checked for contrast when the theme was loaded.

use crate::load::config::ThemeColours;

/// The colours as CSS custom properties, for the stylesheet to use.
pub fn colours_css(colours: &ThemeColours) -> String {
    let mut css = String::from("/* Made from theme.yaml by policypress: edit that file, not this one. */\n:root {\n");
    for (name, colour) in colours.iter() {
        css.push_str(&format!("  --{name}: {};\n", colour.written.to_ascii_lowercase()));
    }
    css.push_str("}\n");
    css
}
