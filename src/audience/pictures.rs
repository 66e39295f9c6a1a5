//! The pictures every document draws besides the author's own: the theme's icons and the
//! Trust's logo (`logo:` in `policypress.yaml`), both read with the PDF engine's SVG reader
//! ([`crate::pdf::svg`], over usvg), and the logo's place on covers, posters, page headers and
//! the web pages' header (the NHS identity position: top right).
//!
//! [`check_pictures`] reads every icon of the theme and the logo once per build, before the
//! error gate, and reports anything that cannot be drawn at its file, line and column, so a
//! picture is never silently an empty box. The documents then read what they use through
//! [`Icons`] and [`Logo::of`], which cannot fail after a clean check.
//!
//! Pure: never reads files (the load stage did) and knows no audience.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::sync::Arc;

use crate::diag::{Diagnostics, Location};
use crate::load::theme::Theme;
use crate::load::{LOGO_PICTURE, Project};
use crate::model::Artifact;
use crate::pdf::layout::{Flow, Item, Role, Tag, image_size};
use crate::pdf::settings::Rgb;
use crate::pdf::svg::{Paint, VectorPicture, read_svg, read_svg_shared};
use crate::render::html::escape;

/// Where a theme file is, as the author sees it: the project's theme folder when it provides
/// the file, else the built-in theme's source.
fn theme_file_label(theme: &Theme, theme_name: &str, path: &str) -> String {
    if theme.is_from_project(path) {
        format!("themes/{theme_name}/{path}")
    } else {
        format!("themes/default/{path} (built in)")
    }
}

/// Reads every icon of the theme and the logo, reporting each problem at its file.
pub fn check_pictures(project: &Project, diags: &mut Diagnostics) {
    for name in &project.theme.icon_names {
        let path = format!("icons/{name}.svg");
        let Some(bytes) = project.theme.file(&path) else { continue };
        let file = theme_file_label(&project.theme, &project.config.theme, &path);
        report(&file, read_text(bytes).and_then(|text| read_svg(&text).map(|_| ())), diags);
    }
    if let Some(logo) = &project.logo {
        let result = if logo.svg {
            read_text(&logo.bytes).and_then(|text| read_svg(&text).map(|_| ()))
        } else {
            check_png(&logo.bytes)
        };
        report(&logo.path, result, diags);
    }
}

type Problems = Vec<crate::pdf::svg::SvgProblem>;

fn read_text(bytes: &[u8]) -> Result<String, Problems> {
    String::from_utf8(bytes.to_vec()).map_err(|_| {
        vec![crate::pdf::svg::SvgProblem {
            line: 1,
            col: 1,
            message: "the SVG file is not UTF-8 text".to_string(),
            hint: "save it again as plain SVG (UTF-8)".to_string(),
        }]
    })
}

fn check_png(bytes: &[u8]) -> Result<(), Problems> {
    let decoded = image::load_from_memory_with_format(bytes, image::ImageFormat::Png);
    match (decoded, image_size(bytes)) {
        // The PDF writer draws 16-bit PNGs as empty boxes: refused here rather than lost there.
        (Ok(picture), Some(_)) if picture.color().bits_per_pixel() / u16::from(picture.color().channel_count()) > 8 => {
            Err(vec![crate::pdf::svg::SvgProblem {
                line: 1,
                col: 1,
                message: "the logo is a 16-bit PNG, which the PDFs cannot draw".to_string(),
                hint: "save the logo as an 8-bit PNG, or better as SVG".to_string(),
            }])
        }
        (Ok(_), Some(_)) => Ok(()),
        _ => Err(vec![crate::pdf::svg::SvgProblem {
            line: 1,
            col: 1,
            message: "the logo is not a PNG picture that can be read".to_string(),
            hint: "save the logo again as PNG, or better as SVG".to_string(),
        }]),
    }
}

fn report(file: &str, result: Result<(), Problems>, diags: &mut Diagnostics) {
    if let Err(problems) = result {
        for p in problems {
            let location = Location::new(file, p.line as usize, p.col as usize);
            diags.error(location, p.message).hint(p.hint);
        }
    }
}

/// Every icon the blocks show, in order of first use.
pub fn icons_in(blocks: &[crate::model::Block]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    crate::model::for_each_inline(blocks, &mut |inline| {
        if let crate::model::Inline::Icon(name) = inline
            && !out.contains(name)
        {
            out.push(name.clone());
        }
    });
    out
}

/// The credit line the pictures of `blocks` ask for (OpenMoji's), if any of them does.
pub fn credit_of(theme: &Theme, blocks: &[crate::model::Block]) -> Option<&'static str> {
    theme.credit_for(icons_in(blocks).iter().map(String::as_str))
}

/// The theme's icons as pictures, each read once per document on first use.
pub struct Icons<'t> {
    theme: &'t Theme,
    read: RefCell<BTreeMap<String, Option<Arc<VectorPicture>>>>,
}

impl<'t> Icons<'t> {
    /// The icons of `theme`.
    pub fn new(theme: &'t Theme) -> Icons<'t> {
        Icons { theme, read: RefCell::new(BTreeMap::new()) }
    }

    /// The picture of icon `name`; `None` for a name the theme lacks (parse reports those) or a
    /// picture [`check_pictures`] refused.
    pub fn get(&self, name: &str) -> Option<Arc<VectorPicture>> {
        if let Some(found) = self.read.borrow().get(name) {
            return found.clone();
        }
        let picture = self.theme.icon_svg(name).and_then(|text| read_svg_shared(&text));
        self.read.borrow_mut().insert(name.to_string(), picture.clone());
        picture
    }
}

/// What the logo is drawn from.
#[derive(Debug, Clone)]
pub enum LogoArt {
    /// An SVG, drawn as vector shapes.
    Vector(Arc<VectorPicture>),
    /// A PNG of this many pixels, drawn as a picture.
    Picture(u32, u32),
}

/// The Trust's logo, ready to place.
#[derive(Debug, Clone)]
pub struct Logo {
    /// Alternative text.
    pub alt: String,
    /// The drawing.
    pub art: LogoArt,
}

impl Logo {
    /// The project's logo, when it has one that [`check_pictures`] accepts.
    pub fn of(project: &Project) -> Option<Logo> {
        let file = project.logo.as_ref()?;
        let art = if file.svg {
            let text = String::from_utf8(file.bytes.clone()).ok()?;
            LogoArt::Vector(read_svg_shared(&text)?)
        } else {
            let (w, h) = image_size(&file.bytes)?;
            LogoArt::Picture(w, h)
        };
        Some(Logo { alt: file.alt.clone(), art })
    }

    /// Width over height.
    pub fn aspect(&self) -> f32 {
        let (w, h) = match &self.art {
            LogoArt::Vector(p) => (p.width, p.height),
            LogoArt::Picture(w, h) => (*w as f32, *h as f32),
        };
        (w / h.max(0.01)).clamp(0.1, 10.0)
    }

    /// The logo's size when it fits `max_w` by `max_h`, keeping its shape.
    pub fn fit(&self, max_w: f32, max_h: f32) -> (f32, f32) {
        let aspect = self.aspect();
        if max_h * aspect <= max_w { (max_h * aspect, max_h) } else { (max_w, max_w / aspect) }
    }

    /// Draws the logo `w` by `h` with its top-left corner at (x, y): tagged as a `Figure` with its
    /// alternative text under `parent`, or as an artifact when `parent` is `None` (a running
    /// header repeats it on every page).
    pub fn draw(&self, flow: &mut Flow<'_, '_, '_>, x: f32, y: f32, w: f32, h: f32, parent: Option<usize>) {
        let tag = match parent {
            Some(parent) => {
                let figure = flow.open(Role::Figure, parent);
                flow.tree[figure].alt = Some(self.alt.clone());
                Tag::Elem(figure)
            }
            None => Tag::Artifact,
        };
        match &self.art {
            LogoArt::Vector(picture) => {
                let scale = w / picture.width.max(0.01);
                let color = flow.settings.palette.text;
                flow.push(Item::Path { x, y, scale, stroke_scale: 1.0, color, picture: picture.clone(), tag });
            }
            LogoArt::Picture(..) => {
                flow.push(Item::Image { x, y, w, h, path: LOGO_PICTURE.to_string(), tag });
            }
        }
    }

    /// Draws the logo in the NHS identity position, top right: on a white panel hanging from
    /// the top edge of the page (covers and posters have a coloured band there), its right edge
    /// at `right`, the logo `height` tall (narrower logos are drawn smaller to fit `max_w`).
    /// Returns the panel's width, so the band's words keep clear of it.
    pub fn draw_top_right(
        &self,
        flow: &mut Flow<'_, '_, '_>,
        right: f32,
        height: f32,
        max_w: f32,
        parent: usize,
    ) -> f32 {
        let pad = height * 0.28;
        let (w, h) = self.fit(max_w, height);
        let panel_w = w + 2.0 * pad;
        let panel_h = h + 2.0 * pad;
        let x = right - panel_w;
        flow.push(Item::Rect {
            x,
            y: 0.0,
            w: panel_w,
            h: panel_h,
            fill: Some(Rgb(0xFFFFFF)),
            stroke: None,
            tag: Tag::Artifact,
        });
        self.draw(flow, x + pad, pad, w, h, Some(parent));
        panel_w
    }
}

/// The logo as a web asset: `assets/logo.svg` written afresh from the shapes that were checked
/// (so nothing but shapes and colours reaches the web pages), or the PNG as it is.
pub fn logo_asset(project: &Project) -> Option<Artifact> {
    let file = project.logo.as_ref()?;
    if !file.svg {
        return Some(Artifact::new(file.asset_path(), file.bytes.clone()));
    }
    let Logo { art: LogoArt::Vector(picture), .. } = Logo::of(project)? else { return None };
    Some(Artifact::new(file.asset_path(), svg_of(&picture).into_bytes()))
}

fn css_color(paint: Paint) -> String {
    match paint {
        Paint::Current => "currentColor".to_string(),
        Paint::Color(Rgb(c)) => format!("#{c:06x}"),
    }
}

/// A picture as a plain SVG document: one `<path>` per shape.
fn svg_of(picture: &VectorPicture) -> String {
    use crate::pdf::layout::PathCmd;
    let n = |v: f32| {
        let rounded = (v * 1000.0).round() / 1000.0;
        if rounded == 0.0 { "0".to_string() } else { format!("{rounded}") }
    };
    let mut out = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {w} {h}\" width=\"{w}\" height=\"{h}\">",
        w = n(picture.width),
        h = n(picture.height)
    );
    for shape in &picture.shapes {
        let mut d = String::new();
        for cmd in &shape.outline {
            match *cmd {
                PathCmd::Move(x, y) => d.push_str(&format!("M{} {}", n(x), n(y))),
                PathCmd::Line(x, y) => d.push_str(&format!("L{} {}", n(x), n(y))),
                PathCmd::Cubic(a, b, c, e, f, g) => {
                    d.push_str(&format!("C{} {} {} {} {} {}", n(a), n(b), n(c), n(e), n(f), n(g)))
                }
                PathCmd::Close => d.push('Z'),
            }
        }
        let fill = match &shape.fill {
            Some(f) => {
                format!(" fill=\"{}\"{}", css_color(f.paint), if f.even_odd { " fill-rule=\"evenodd\"" } else { "" })
            }
            None => " fill=\"none\"".to_string(),
        };
        let stroke = match &shape.stroke {
            Some(s) => {
                let cap = ["butt", "round", "square"][usize::from(s.cap.min(2))];
                let join = ["miter", "round", "bevel"][usize::from(s.join.min(2))];
                let dash = s.dash.as_ref().map_or(String::new(), |(d, offset)| {
                    let list: Vec<String> = d.iter().map(|v| n(*v)).collect();
                    format!(" stroke-dasharray=\"{}\" stroke-dashoffset=\"{}\"", list.join(" "), n(*offset))
                });
                format!(
                    " stroke=\"{}\" stroke-width=\"{}\" stroke-linecap=\"{cap}\" stroke-linejoin=\"{join}\" stroke-miterlimit=\"{}\"{dash}",
                    css_color(s.paint),
                    n(s.width),
                    n(s.miter_limit)
                )
            }
            None => String::new(),
        };
        out.push_str(&format!("<path d=\"{}\"{fill}{stroke}/>", escape(&d)));
    }
    out.push_str("</svg>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_web_logo_is_rewritten_from_its_shapes_only() {
        let picture = read_svg(
            r##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 20 10"><rect width="20" height="10" fill="#005eb8"/><path d="M2 2L8 8" stroke="#fff" stroke-width="2"/></svg>"##,
        )
        .expect("reads");
        let svg = svg_of(&picture);
        assert!(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 20 10\""), "{svg}");
        assert!(svg.contains("fill=\"#005eb8\""), "{svg}");
        assert!(svg.contains("stroke=\"#ffffff\" stroke-width=\"2\""), "{svg}");
        assert!(read_svg(&svg).is_ok(), "the rewritten logo reads back");
    }
}
