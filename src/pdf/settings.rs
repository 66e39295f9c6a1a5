//! Page and type settings for PDF outputs, as plain data: paper size and margins, type scale,
//! colours. Each output (staff policy, leaflet, easy read, poster) picks or builds its own, so
//! they share one layout engine.
//!
//! Data only: no layout decisions and no PDF writing here.

/// A colour as `0xRRGGBB`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Rgb(pub u32);

impl Rgb {
    /// The red, green and blue parts, 0.0 to 1.0.
    pub fn parts(self) -> (f32, f32, f32) {
        let c = |shift: u32| ((self.0 >> shift) & 0xFF) as f32 / 255.0;
        (c(16), c(8), c(0))
    }
}

/// Paper size and margins, in points (1/72 inch).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PageSpec {
    /// Paper width.
    pub width: f32,
    /// Paper height.
    pub height: f32,
    /// Space above the text area (the running header sits inside it).
    pub margin_top: f32,
    /// Space below the text area (the running footer sits inside it).
    pub margin_bottom: f32,
    /// Left margin.
    pub margin_left: f32,
    /// Right margin.
    pub margin_right: f32,
}

const MM: f32 = 72.0 / 25.4;

impl PageSpec {
    /// A page of `width_mm` by `height_mm` with `margin_mm` on every side.
    pub fn from_mm(width_mm: f32, height_mm: f32, margin_mm: f32) -> PageSpec {
        PageSpec {
            width: width_mm * MM,
            height: height_mm * MM,
            margin_top: margin_mm * MM,
            margin_bottom: margin_mm * MM,
            margin_left: margin_mm * MM,
            margin_right: margin_mm * MM,
        }
    }

    /// A4 portrait (210 x 297 mm), 20 mm margins and room for a header and footer.
    pub fn a4() -> PageSpec {
        PageSpec { margin_top: 25.0 * MM, margin_bottom: 22.0 * MM, ..PageSpec::from_mm(210.0, 297.0, 20.0) }
    }

    /// A5 portrait (148 x 210 mm), 15 mm margins.
    pub fn a5() -> PageSpec {
        PageSpec::from_mm(148.0, 210.0, 15.0)
    }

    /// A3 portrait (297 x 420 mm), 20 mm margins.
    pub fn a3() -> PageSpec {
        PageSpec::from_mm(297.0, 420.0, 20.0)
    }

    /// Width of the text area.
    pub fn text_width(&self) -> f32 {
        self.width - self.margin_left - self.margin_right
    }
}

/// Sizes in points and line spacing.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TypeScale {
    /// Body text size.
    pub body: f32,
    /// Line height as a multiple of the size.
    pub leading: f32,
    /// Heading sizes for levels 1 to 6.
    pub headings: [f32; 6],
    /// Small print: running header and footer, table notes.
    pub small: f32,
}

impl TypeScale {
    /// Size of a heading at `level` (1 to 6; out-of-range levels are clamped).
    /// The same scale with every size multiplied by `factor` (a theme's body size over the
    /// default one), so headings keep their proportion to the body.
    pub fn scaled(self, factor: f32) -> TypeScale {
        TypeScale {
            body: self.body * factor,
            leading: self.leading,
            headings: self.headings.map(|h| h * factor),
            small: self.small * factor,
        }
    }

    pub fn heading(&self, level: u8) -> f32 {
        self.headings[usize::from(level.clamp(1, 6)) - 1]
    }
}

/// The colours of a document.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Palette {
    /// Body text.
    pub text: Rgb,
    /// Accents: cover band, heading rules, links.
    pub accent: Rgb,
    /// Text on the accent colour (white on NHS Blue): a poster's headline block.
    pub on_accent: Rgb,
    /// Secondary text (running header, labels).
    pub muted: Rgb,
    /// Hairlines and table borders.
    pub rule: Rgb,
    /// Table header and panel backgrounds.
    pub shade: Rgb,
    /// Warnings: the DRAFT mark and the overdue banner.
    pub warning: Rgb,
    /// Background of the overdue banner.
    pub warning_shade: Rgb,
}

impl Palette {
    /// The palette from the theme's colours (the same as the web pages'), NHS colours where the
    /// theme does not set one.
    pub fn from_theme(colours: &crate::load::config::ThemeColours) -> Palette {
        let nhs = Palette::nhs();
        let pick = |name: &str, fallback: Rgb| {
            colours
                .get(name)
                .map_or(fallback, |c| Rgb((u32::from(c.rgb.0) << 16) | (u32::from(c.rgb.1) << 8) | u32::from(c.rgb.2)))
        };
        Palette {
            text: pick("text", nhs.text),
            accent: pick("brand", nhs.accent),
            on_accent: pick("on-brand", nhs.on_accent),
            muted: pick("secondary-text", nhs.muted),
            rule: nhs.rule,
            shade: nhs.shade,
            warning: pick("danger", nhs.warning),
            warning_shade: nhs.warning_shade,
        }
    }

    /// NHS identity colours.
    pub fn nhs() -> Palette {
        Palette {
            text: Rgb(0x212B32),
            accent: Rgb(0x005EB8),
            on_accent: Rgb(0xFFFFFF),
            muted: Rgb(0x4C6272),
            rule: Rgb(0xAEB7BD),
            shade: Rgb(0xE8EDEE),
            warning: Rgb(0xD5281B),
            warning_shade: Rgb(0xFFF9C4),
        }
    }
}

/// Everything an output tells the layout engine.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PdfSettings {
    /// Paper and margins.
    pub page: PageSpec,
    /// Type sizes.
    pub type_scale: TypeScale,
    /// Colours.
    pub palette: Palette,
}

impl PdfSettings {
    /// Body line height in points.
    pub fn line_height(&self, size: f32) -> f32 {
        size * self.type_scale.leading
    }
}
