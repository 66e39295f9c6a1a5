//! Reads SVG pictures (the theme's icons, the Trust's logo) with usvg into vector shapes the PDF
//! engine draws: outlines in page-ready units with every transform applied, filled and/or
//! stroked in flat colours (or in the colour the caller draws with, for `currentColor`).
//!
//! usvg understands the whole SVG shape model (paths, rectangles, circles, ellipses, lines,
//! polylines, polygons, `use` and `symbol`, transforms, CSS), but silently drops what it cannot
//! draw: `<text>` (we build it without fonts), `<foreignObject>`, unknown elements. So the
//! document is checked twice: element by element before usvg sees it (a whitelist, located at
//! line and column), and the converted tree after (pictures, gradients, filters, masks,
//! clipping, transparency). Anything that would be drawn wrongly or not at all is a problem
//! for the caller to report; a picture is never silently left out or half drawn.
//!
//! Pure: text in, shapes or problems out. Reads no file (usvg's own file loading is switched
//! off), writes no PDF objects.

use super::layout::PathCmd;
use super::settings::Rgb;

/// What a shape is painted with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Paint {
    /// `currentColor`: the colour the picture is drawn in (icons take the accent colour).
    Current,
    /// A fixed colour.
    Color(Rgb),
}

/// How a shape is filled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fill {
    /// The colour.
    pub paint: Paint,
    /// The even-odd rule (`fill-rule="evenodd"`) instead of non-zero.
    pub even_odd: bool,
}

/// How a shape is outlined, in the picture's units.
#[derive(Debug, Clone, PartialEq)]
pub struct Stroke {
    /// The colour.
    pub paint: Paint,
    /// Line width.
    pub width: f32,
    /// PDF line cap: 0 butt, 1 round, 2 square.
    pub cap: u8,
    /// PDF line join: 0 miter, 1 round, 2 bevel.
    pub join: u8,
    /// Miter limit.
    pub miter_limit: f32,
    /// Dash lengths and the offset into them, when dashed.
    pub dash: Option<(Vec<f32>, f32)>,
}

/// One painted outline.
#[derive(Debug, Clone, PartialEq)]
pub struct Shape {
    /// The outline, in the picture's units (y grows downwards, as in SVG).
    pub outline: Vec<PathCmd>,
    /// Its fill, if filled.
    pub fill: Option<Fill>,
    /// Its stroke, if stroked.
    pub stroke: Option<Stroke>,
}

/// A picture ready to draw: its size (after `viewBox`) and its shapes in painting order.
#[derive(Debug, Clone, PartialEq)]
pub struct VectorPicture {
    /// Width in picture units.
    pub width: f32,
    /// Height in picture units.
    pub height: f32,
    /// Shapes, back to front.
    pub shapes: Vec<Shape>,
}

impl VectorPicture {
    /// Number of drawing commands, for listings.
    pub fn commands(&self) -> usize {
        self.shapes.iter().map(|s| s.outline.len()).sum()
    }
}

/// Something in an SVG file that cannot be drawn, with where it is (1-based).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SvgProblem {
    /// Line.
    pub line: u32,
    /// Column.
    pub col: u32,
    /// What is wrong.
    pub message: String,
    /// What to do.
    pub hint: String,
}

/// The colour `currentColor` resolves to while reading, so the shapes that use it can be told
/// apart from shapes with a fixed colour. An SVG that writes this exact colour itself is drawn
/// in the caller's colour too; no real picture uses it.
const CURRENT_COLOR_MARK: (u8, u8, u8) = (1, 2, 3);

/// Elements of the SVG namespace that usvg draws (or that only describe the picture).
const DRAWN_ELEMENTS: [&str; 16] = [
    "svg", "g", "path", "rect", "circle", "ellipse", "line", "polyline", "polygon", "defs", "use", "symbol", "title",
    "desc", "metadata", "style",
];

const SVG_NS: &str = "http://www.w3.org/2000/svg";

/// [`read_svg`] for a picture drawn in many documents (the theme's icons, the logo): each text
/// is read once per process and its shapes shared; `None` for one with problems (reported when
/// the project was loaded). Reading an icon again for each PDF was a few percent of a build.
pub fn read_svg_shared(text: &str) -> Option<std::sync::Arc<VectorPicture>> {
    use std::collections::HashMap;
    use std::sync::{Arc, Mutex, OnceLock};
    type Read = HashMap<Box<str>, Option<Arc<VectorPicture>>>;
    static READ: OnceLock<Mutex<Read>> = OnceLock::new();
    /// Pictures kept at most (a theme has a few hundred icons); beyond that it starts afresh.
    const KEPT_MAX: usize = 4096;
    let read = READ.get_or_init(|| Mutex::new(HashMap::new()));
    if let Some(known) = read.lock().ok().and_then(|r| r.get(text).cloned()) {
        return known;
    }
    let picture = read_svg(text).ok().map(Arc::new);
    if let Ok(mut read) = read.lock() {
        if read.len() >= KEPT_MAX {
            read.clear();
        }
        read.insert(Box::from(text), picture.clone());
    }
    picture
}

/// Reads an SVG picture. Every problem found is returned, each located in `text`.
pub fn read_svg(text: &str) -> Result<VectorPicture, Vec<SvgProblem>> {
    let options = usvg::roxmltree::ParsingOptions { allow_dtd: true, ..Default::default() };
    let doc = match usvg::roxmltree::Document::parse_with_options(text, options) {
        Ok(doc) => doc,
        Err(e) => {
            let pos = e.pos();
            return Err(vec![SvgProblem {
                line: pos.row,
                col: pos.col,
                message: format!("the SVG file is not well-formed XML: {e}"),
                hint: "save it again from your drawing program as plain SVG".to_string(),
            }]);
        }
    };
    // Both checks run, so every problem of the file is reported at once.
    let mut problems = check_elements(&doc);
    let (r, g, b) = CURRENT_COLOR_MARK;
    let usvg_options = usvg::Options {
        style_sheet: Some(format!("svg {{ color: rgb({r}, {g}, {b}) }}")),
        // Never read a file or decode an embedded picture: pictures inside SVGs are refused above.
        image_href_resolver: usvg::ImageHrefResolver {
            resolve_data: Box::new(|_, _, _| None),
            resolve_string: Box::new(|_, _| None),
        },
        ..usvg::Options::default()
    };
    let tree = match usvg::Tree::from_xmltree(&doc, &usvg_options) {
        Ok(tree) => tree,
        Err(e) => {
            problems.push(SvgProblem {
                line: 1,
                col: 1,
                message: format!("the SVG file cannot be read: {e}"),
                hint: "give the <svg> element a `viewBox` (or a width and height) and save it as plain SVG".to_string(),
            });
            return Err(problems);
        }
    };
    let mut shapes = Vec::new();
    walk(tree.root(), &doc, &mut shapes, &mut problems);
    if problems.is_empty() && shapes.is_empty() {
        problems.push(SvgProblem {
            line: 1,
            col: 1,
            message: "the SVG file draws nothing".to_string(),
            hint: "draw the picture with paths or shapes that have a fill or a stroke".to_string(),
        });
    }
    if !problems.is_empty() {
        // What the converted tree shows again (without a place) was already found in the file.
        let placed: Vec<String> =
            problems.iter().filter(|p| (p.line, p.col) != (1, 1)).map(|p| p.message.clone()).collect();
        problems.retain(|p| (p.line, p.col) != (1, 1) || !placed.contains(&p.message));
        problems.sort_by_key(|p| (p.line, p.col));
        problems.dedup();
        return Err(problems);
    }
    let size = tree.size();
    Ok(VectorPicture { width: size.width(), height: size.height(), shapes })
}

/// The element whitelist and the attributes that would run or fetch something.
fn check_elements(doc: &usvg::roxmltree::Document<'_>) -> Vec<SvgProblem> {
    let mut problems = Vec::new();
    let root = doc.root_element();
    if root.tag_name().name() != "svg" {
        problems.push(located(
            doc,
            root.range().start,
            format!("the file's first element is `<{}>`, not `<svg>`", root.tag_name().name()),
            "save the picture as an SVG file",
        ));
        return problems;
    }
    // Inside a refused element (a gradient's stops, a text's spans) nothing more is said.
    let mut refused: Vec<usvg::roxmltree::NodeId> = Vec::new();
    for node in root.descendants().filter(|n| n.is_element()) {
        if node.ancestors().skip(1).any(|a| refused.contains(&a.id())) {
            continue;
        }
        let name = node.tag_name().name();
        let in_svg = node.tag_name().namespace().is_none_or(|ns| ns == SVG_NS);
        // Editors' own elements (Inkscape, Illustrator) and anything inside <metadata> draw
        // nothing in any viewer.
        let described = node.ancestors().skip(1).any(|a| a.tag_name().name() == "metadata");
        if in_svg && !described && !DRAWN_ELEMENTS.contains(&name) {
            let hint = match name {
                "text" | "tspan" | "textPath" => "convert the text to outlines (paths) in your drawing program",
                "image" => "draw the picture as shapes, or use a PNG file instead of an SVG",
                "linearGradient" | "radialGradient" | "pattern" => "use flat colours instead of gradients and patterns",
                "filter" | "mask" | "clipPath" => "remove the effect, or flatten it into plain shapes",
                _ => {
                    "remove it; pictures may use paths, shapes (rect, circle, ellipse, line, polyline, polygon), groups and `use`"
                }
            };
            problems.push(located(
                doc,
                node.range().start,
                format!("the SVG element `<{name}>` cannot be drawn in the PDFs"),
                hint,
            ));
            refused.push(node.id());
            continue;
        }
        for attribute in node.attributes() {
            let attr = attribute.name();
            if attr.to_ascii_lowercase().starts_with("on") {
                problems.push(located(
                    doc,
                    node.range().start,
                    format!("the SVG element `<{name}>` has a script attribute `{attr}`"),
                    "remove it: pictures must not run scripts",
                ));
            }
            let value = attribute.value().trim();
            let transparent = matches!(attr, "opacity" | "fill-opacity" | "stroke-opacity")
                && value
                    .trim_end_matches('%')
                    .parse::<f32>()
                    .is_ok_and(|v| v < if value.ends_with('%') { 100.0 } else { 1.0 });
            if transparent {
                let (message, hint) = if attr == "opacity" { GROUP_OPACITY } else { SHAPE_OPACITY };
                problems.push(located(doc, node.range().start, message.to_string(), hint));
            }
            if matches!(attr, "fill" | "stroke") && value.starts_with("url(") {
                let (message, hint) = GRADIENT;
                problems.push(located(doc, node.range().start, message.to_string(), hint));
            }
            if matches!(attr, "filter" | "mask" | "clip-path") && value != "none" {
                let (message, hint) = if attr == "filter" { FILTER } else { CLIPPED };
                problems.push(located(doc, node.range().start, message.to_string(), hint));
            }
            if attr == "href" && !attribute.value().starts_with('#') {
                problems.push(located(
                    doc,
                    node.range().start,
                    format!("the SVG element `<{name}>` refers to `{}` outside the file", attribute.value()),
                    "keep everything the picture draws inside the file",
                ));
            }
        }
    }
    problems
}

const GROUP_OPACITY: (&str, &str) = (
    "a part of the SVG is partly transparent (`opacity`)",
    "use solid colours: the PDFs draw pictures without transparency",
);
const SHAPE_OPACITY: (&str, &str) = (
    "a shape of the SVG is partly transparent (`fill-opacity` or `stroke-opacity`)",
    "use solid colours: the PDFs draw pictures without transparency",
);
const GRADIENT: (&str, &str) =
    ("a shape of the SVG is painted with a gradient or pattern", "use flat colours instead of gradients and patterns");
const FILTER: (&str, &str) = ("the SVG uses a filter effect", "remove the effect, or flatten it into plain shapes");
const CLIPPED: (&str, &str) =
    ("the SVG clips or masks part of the picture", "flatten the clipping or mask into plain shapes");

fn located(doc: &usvg::roxmltree::Document<'_>, offset: usize, message: String, hint: &str) -> SvgProblem {
    let pos = doc.text_pos_at(offset);
    SvgProblem { line: pos.row, col: pos.col, message, hint: hint.to_string() }
}

/// Where the element with `id` starts, or the start of the file.
fn position_of(doc: &usvg::roxmltree::Document<'_>, id: &str) -> (u32, u32) {
    let found = (!id.is_empty()).then(|| doc.descendants().find(|n| n.attribute("id") == Some(id))).flatten();
    match found {
        Some(node) => {
            let pos = doc.text_pos_at(node.range().start);
            (pos.row, pos.col)
        }
        None => (1, 1),
    }
}

fn problem_at(doc: &usvg::roxmltree::Document<'_>, id: &str, message: &str, hint: &str) -> SvgProblem {
    let (line, col) = position_of(doc, id);
    SvgProblem { line, col, message: message.to_string(), hint: hint.to_string() }
}

fn walk(
    group: &usvg::Group,
    doc: &usvg::roxmltree::Document<'_>,
    shapes: &mut Vec<Shape>,
    problems: &mut Vec<SvgProblem>,
) {
    let id = group.id();
    if group.opacity().get() < 1.0 {
        problems.push(problem_at(doc, id, GROUP_OPACITY.0, GROUP_OPACITY.1));
    }
    if group.clip_path().is_some() || group.mask().is_some() {
        problems.push(problem_at(doc, id, CLIPPED.0, CLIPPED.1));
    }
    if !group.filters().is_empty() {
        problems.push(problem_at(doc, id, FILTER.0, FILTER.1));
    }
    for node in group.children() {
        match node {
            usvg::Node::Group(g) => walk(g, doc, shapes, problems),
            usvg::Node::Path(path) => {
                if let Some(shape) = shape(path, doc, problems) {
                    shapes.push(shape);
                }
            }
            usvg::Node::Image(image) => problems.push(problem_at(
                doc,
                image.id(),
                "the SVG contains a picture",
                "draw the picture as shapes, or use a PNG file instead of an SVG",
            )),
            usvg::Node::Text(text) => problems.push(problem_at(
                doc,
                text.id(),
                "the SVG contains text",
                "convert the text to outlines (paths) in your drawing program",
            )),
        }
    }
}

fn paint(
    p: &usvg::Paint,
    opacity: f32,
    id: &str,
    doc: &usvg::roxmltree::Document<'_>,
    problems: &mut Vec<SvgProblem>,
) -> Option<Paint> {
    if opacity < 1.0 {
        problems.push(problem_at(doc, id, SHAPE_OPACITY.0, SHAPE_OPACITY.1));
    }
    match p {
        usvg::Paint::Color(c) if (c.red, c.green, c.blue) == CURRENT_COLOR_MARK => Some(Paint::Current),
        usvg::Paint::Color(c) => {
            Some(Paint::Color(Rgb(u32::from(c.red) << 16 | u32::from(c.green) << 8 | u32::from(c.blue))))
        }
        _ => {
            problems.push(problem_at(doc, id, GRADIENT.0, GRADIENT.1));
            None
        }
    }
}

fn shape(path: &usvg::Path, doc: &usvg::roxmltree::Document<'_>, problems: &mut Vec<SvgProblem>) -> Option<Shape> {
    if !path.is_visible() {
        return None;
    }
    let transform = path.abs_transform();
    let data = path.data().clone().transform(transform)?;
    let id = path.id();
    let fill = path.fill().and_then(|f| {
        let paint = paint(f.paint(), f.opacity().get(), id, doc, problems)?;
        Some(Fill { paint, even_odd: f.rule() == usvg::FillRule::EvenOdd })
    });
    // Strokes stay strokes (the PDF draws them natively); their width scales with the
    // transform, as it does in SVG (by the mean scale when the scaling is not uniform).
    let scale = (transform.sx * transform.sy - transform.kx * transform.ky).abs().sqrt();
    let stroke = path.stroke().and_then(|s| {
        let paint = paint(s.paint(), s.opacity().get(), id, doc, problems)?;
        Some(Stroke {
            paint,
            width: s.width().get() * scale,
            cap: match s.linecap() {
                usvg::LineCap::Butt => 0,
                usvg::LineCap::Round => 1,
                usvg::LineCap::Square => 2,
            },
            join: match s.linejoin() {
                usvg::LineJoin::Miter | usvg::LineJoin::MiterClip => 0,
                usvg::LineJoin::Round => 1,
                usvg::LineJoin::Bevel => 2,
            },
            miter_limit: s.miterlimit().get(),
            dash: s.dasharray().map(|d| (d.iter().map(|v| v * scale).collect(), s.dashoffset() * scale)),
        })
    });
    if fill.is_none() && stroke.is_none() {
        return None;
    }
    let mut outline = Vec::new();
    let mut last = (0.0f32, 0.0f32);
    for segment in data.segments() {
        match segment {
            usvg::tiny_skia_path::PathSegment::MoveTo(p) => {
                outline.push(PathCmd::Move(p.x, p.y));
                last = (p.x, p.y);
            }
            usvg::tiny_skia_path::PathSegment::LineTo(p) => {
                outline.push(PathCmd::Line(p.x, p.y));
                last = (p.x, p.y);
            }
            // PDF has no quadratic curves: raised to the cubic that draws the same curve.
            usvg::tiny_skia_path::PathSegment::QuadTo(q, p) => {
                let (x0, y0) = last;
                outline.push(PathCmd::Cubic(
                    x0 + 2.0 / 3.0 * (q.x - x0),
                    y0 + 2.0 / 3.0 * (q.y - y0),
                    p.x + 2.0 / 3.0 * (q.x - p.x),
                    p.y + 2.0 / 3.0 * (q.y - p.y),
                    p.x,
                    p.y,
                ));
                last = (p.x, p.y);
            }
            usvg::tiny_skia_path::PathSegment::CubicTo(a, b, p) => {
                outline.push(PathCmd::Cubic(a.x, a.y, b.x, b.y, p.x, p.y));
                last = (p.x, p.y);
            }
            usvg::tiny_skia_path::PathSegment::Close => outline.push(PathCmd::Close),
        }
    }
    Some(Shape { outline, fill, stroke })
}

#[cfg(test)]
mod tests {
    use super::*;

    const TABLER: &str = r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round"><path stroke="none" d="M0 0h24v24H0z" fill="none"/><path d="M3 12a9 9 0 1 0 18 0a9 9 0 1 0 -18 0" /><path d="M12 8v4l2 2"/></svg>"#;

    #[test]
    fn tabler_icons_are_current_colour_round_strokes_without_the_invisible_box() {
        let picture = read_svg(TABLER).expect("reads");
        assert_eq!((picture.width, picture.height), (24.0, 24.0));
        assert_eq!(picture.shapes.len(), 2, "the invisible 24 x 24 box draws nothing");
        let stroke = picture.shapes[0].stroke.as_ref().expect("stroked");
        assert_eq!((stroke.paint, stroke.width, stroke.cap, stroke.join), (Paint::Current, 2.0, 1, 1));
        assert!(picture.shapes[0].fill.is_none());
        assert!(picture.shapes[0].outline.iter().any(|c| matches!(c, PathCmd::Cubic(..))), "arcs become curves");
        assert!(picture.shapes[1].outline.contains(&PathCmd::Line(12.0, 12.0)));
    }

    #[test]
    fn basic_shapes_and_transforms_are_drawn_in_their_colours() {
        let svg = r##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 100 50" width="200" height="100"><g transform="translate(10 5)"><rect width="20" height="10" fill="#005eb8"/><circle cx="50" cy="20" r="5" fill="#ffffff" stroke="#000" stroke-width="2"/></g></svg>"##;
        let picture = read_svg(svg).expect("reads");
        assert_eq!((picture.width, picture.height), (200.0, 100.0));
        let rect = &picture.shapes[0];
        assert_eq!(rect.fill, Some(Fill { paint: Paint::Color(Rgb(0x005EB8)), even_odd: false }));
        // viewBox (x2) and translate: the rectangle starts at (20, 10).
        assert_eq!(rect.outline[0], PathCmd::Move(20.0, 10.0));
        let circle = &picture.shapes[1];
        assert_eq!(circle.stroke.as_ref().map(|s| s.width), Some(4.0), "stroke width scales with the viewBox");
    }

    #[test]
    fn text_pictures_and_unknown_elements_are_located_problems_not_gaps() {
        let svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 10 10\">\n<rect width=\"5\" height=\"5\"/>\n  <text x=\"1\" y=\"9\">NHS</text>\n<foreignObject/><blink/></svg>";
        let problems = read_svg(svg).expect_err("refused");
        assert_eq!(problems.len(), 3, "{problems:?}");
        assert_eq!((problems[0].line, problems[0].col), (3, 3));
        assert!(problems[0].message.contains("`<text>`"), "{}", problems[0].message);
        assert!(problems[0].hint.contains("outlines"));
    }

    #[test]
    fn gradients_transparency_and_scripts_are_refused() {
        let svg = r##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10" onload="alert(1)"><rect id="r" width="5" height="5" fill="#000" fill-opacity="0.5"/></svg>"##;
        let problems = read_svg(svg).expect_err("refused");
        assert!(problems.iter().any(|p| p.message.contains("script")), "{problems:?}");
        let svg = r##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><rect id="r" width="5" height="5" fill="#000" fill-opacity="0.5"/></svg>"##;
        let problems = read_svg(svg).expect_err("refused");
        assert!(problems[0].message.contains("transparent"), "{problems:?}");
        let svg = r##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><defs><linearGradient id="g"/></defs><rect width="5" height="5" fill="url(#g)"/></svg>"##;
        assert!(read_svg(svg).is_err());
    }

    #[test]
    fn broken_xml_and_empty_pictures_are_problems() {
        let problems =
            read_svg("<svg xmlns=\"http://www.w3.org/2000/svg\">\n<g><path d=\"M0 0\"/></svg>").expect_err("broken");
        assert_eq!(problems[0].line, 2, "{problems:?}");
        assert!(problems[0].message.contains("not well-formed"));
        let problems =
            read_svg(r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><title>x</title></svg>"#)
                .expect_err("empty");
        assert!(problems[0].message.contains("draws nothing"));
    }
}
