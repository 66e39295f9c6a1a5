//! The only module that speaks printpdf: turns laid-out pages into a PDF object graph, with
//! every tagged item wrapped in marked content (MCIDs) and page furniture marked as artifacts.
//!
//! Makes no layout decisions and adds no structure tree (that is `tagging`, over lopdf). Uses
//! fixed resource names (`F1`..`F8`, `Im1`..) so output never depends on printpdf's global
//! id counter.

use std::collections::{BTreeMap, HashMap};

use printpdf::{
    Actions, BorderArray, Codepoint, Color, ColorArray, Destination, DictItem, FontId, ImageCompression,
    ImageOptimizationOptions, Line, LineCapStyle, LineJoinStyle, LinePoint, LinkAnnotation, Mm, Op, PaintMode,
    ParsedFont, PdfDocument, PdfFont, PdfFontHandle, PdfPage, PdfSaveOptions, Point, Pt, RawImage, Rect, Rgb as PdfRgb,
    TextItem, TextMatrix, XObject, XObjectId, XObjectTransform,
};

use super::fonts::FaceSubset;
use super::layout::{Dest, Item, Layout, PathCmd, Tag};
use super::settings::Rgb;

/// Document information written into the PDF's Info dictionary.
#[derive(Debug, Clone)]
pub struct DocInfo {
    /// Title shown in the viewer's title bar.
    pub title: String,
    /// Author (the organisation).
    pub author: String,
    /// Subject line.
    pub subject: String,
    /// Date of the document (from the policy, never the clock), seconds since 1970.
    pub date_unix: i64,
}

/// The written document plus what the tagging pass needs to find its content again.
pub struct Written {
    /// The PDF objects.
    pub doc: lopdf::Document,
    /// Per page: item index to marked-content id.
    pub mcids: Vec<HashMap<usize, i64>>,
    /// Per page: item indexes of link areas, in the order of the page's `/Annots`.
    pub links: Vec<Vec<usize>>,
}

fn color(c: Rgb) -> Color {
    let (r, g, b) = c.parts();
    Color::Rgb(PdfRgb::new(r, g, b, None))
}

fn font_id(face: u8) -> FontId {
    FontId(format!("F{}", u32::from(face) + 1))
}

/// Writes the layout with the given font subsets and pictures.
pub fn write(layout: &Layout, subsets: &[FaceSubset], images: &BTreeMap<String, Vec<u8>>, info: &DocInfo) -> Written {
    let mut doc = PdfDocument::new(&info.title);
    let meta = &mut doc.metadata.info;
    meta.author = info.author.clone();
    meta.subject = info.subject.clone();
    meta.creator = "policypress".to_string();
    meta.producer = "policypress (printpdf 0.12.8)".to_string();
    if let Ok(date) = printpdf::OffsetDateTime::from_unix_timestamp(info.date_unix) {
        meta.creation_date = date;
        meta.modification_date = date;
        meta.metadata_date = date;
    }

    let mut warnings = Vec::new();
    let mut remaps: HashMap<u8, &HashMap<u16, u16>> = HashMap::new();
    for subset in subsets {
        let mut font_warnings = Vec::new();
        let Some(mut parsed) = ParsedFont::from_bytes(&subset.bytes, 0, &mut font_warnings) else {
            continue;
        };
        parsed.font_name = Some(subset.name.clone());
        doc.resources.fonts.map.insert(font_id(subset.face), PdfFont::new(parsed));
        remaps.insert(subset.face, &subset.remap);
    }

    // Pictures: one XObject per distinct path, numbered in path order.
    let mut image_ids: BTreeMap<&str, (XObjectId, usize)> = BTreeMap::new();
    let used_paths: std::collections::BTreeSet<&str> = layout
        .pages
        .iter()
        .flat_map(|p| p.items.iter())
        .filter_map(|i| match i {
            Item::Image { path, .. } => Some(path.as_str()),
            _ => None,
        })
        .collect();
    for (n, path) in used_paths.into_iter().enumerate() {
        let Some(bytes) = images.get(path) else {
            continue;
        };
        let Ok(image) = RawImage::decode_from_bytes(bytes, &mut warnings) else {
            continue;
        };
        let id = XObjectId(format!("Im{}", n + 1));
        let width_px = image.width;
        doc.resources.xobjects.map.insert(id.clone(), XObject::Image(image));
        image_ids.insert(path, (id, width_px));
    }

    let (page_w, page_h) = layout.page_size;
    let mut pages = Vec::with_capacity(layout.pages.len());
    let mut all_mcids = Vec::new();
    let mut all_links = Vec::new();
    for page in &layout.pages {
        let mut ops = Vec::with_capacity(page.items.len() * 6);
        let mut mcids = HashMap::new();
        let mut links = Vec::new();
        let mut open: Option<Tag> = None;
        let mut next_mcid = 0i64;
        for (index, item) in page.items.iter().enumerate() {
            if let Item::Link { x, y, w, h, dest, .. } = item {
                let actions = match dest {
                    Dest::Uri(uri) => Actions::Uri(uri.clone()),
                    Dest::Anchor(anchor) => match layout.anchors.get(anchor) {
                        Some((target_page, target_y)) => Actions::Goto(Destination::Xyz {
                            page: target_page + 1,
                            left: Some(0.0),
                            top: Some(page_h - target_y + 6.0),
                            zoom: None,
                        }),
                        None => continue,
                    },
                };
                ops.push(Op::LinkAnnotation {
                    link: LinkAnnotation::new(
                        Rect {
                            x: Pt(*x),
                            y: Pt(page_h - y - h),
                            width: Pt(*w),
                            height: Pt(*h),
                            mode: None,
                            winding_order: None,
                        },
                        actions,
                        Some(BorderArray::Solid([0.0, 0.0, 0.0])),
                        Some(ColorArray::Transparent),
                        None,
                    ),
                });
                links.push(index);
                continue;
            }
            let tag = item.tag();
            if open != Some(tag) {
                if open.is_some() {
                    ops.push(Op::EndMarkedContent);
                }
                match tag {
                    Tag::Artifact => ops.push(Op::BeginMarkedContent { tag: "Artifact".to_string() }),
                    Tag::Elem(e) => {
                        let role = layout.tree.get(e).map_or("Span".to_string(), |s| s.role.name());
                        ops.push(Op::BeginMarkedContentWithProperties {
                            tag: role,
                            properties: DictItem::Dict {
                                map: BTreeMap::from([("MCID".to_string(), DictItem::Int(next_mcid))]),
                            },
                        });
                        next_mcid += 1;
                    }
                }
                open = Some(tag);
            }
            if let Tag::Elem(_) = tag {
                mcids.insert(index, next_mcid - 1);
            }
            draw(&mut ops, item, page_h, &remaps, &image_ids);
        }
        if open.is_some() {
            ops.push(Op::EndMarkedContent);
        }
        pages.push(PdfPage::new(Mm::from(Pt(page_w)), Mm::from(Pt(page_h)), ops));
        all_mcids.push(mcids);
        all_links.push(links);
    }
    doc.with_pages(pages);

    let options = PdfSaveOptions {
        optimize: true,
        subset_fonts: false,
        secure: true,
        image_optimization: Some(ImageOptimizationOptions {
            format: Some(ImageCompression::Flate),
            max_image_size: None,
            auto_optimize: Some(false),
            ..Default::default()
        }),
    };
    let lo = doc.to_lopdf_document(&options, &mut warnings);
    Written { doc: lo, mcids: all_mcids, links: all_links }
}

fn point(x: f32, y: f32, page_h: f32, bezier: bool) -> LinePoint {
    LinePoint { p: Point { x: Pt(x), y: Pt(page_h - y) }, bezier }
}

fn draw(
    ops: &mut Vec<Op>,
    item: &Item,
    page_h: f32,
    remaps: &HashMap<u8, &HashMap<u16, u16>>,
    images: &BTreeMap<&str, (XObjectId, usize)>,
) {
    match item {
        Item::Text { x, y, size, color: c, run, .. } => {
            let Some(remap) = remaps.get(&run.face) else {
                return;
            };
            let glyphs: Vec<Codepoint> = run
                .glyphs
                .iter()
                .map(|g| Codepoint {
                    gid: remap.get(&g.gid).copied().unwrap_or(0),
                    offset: -g.kern,
                    cid: Some(g.text.as_str().to_owned()),
                })
                .collect();
            ops.push(Op::SetFillColor { col: color(*c) });
            ops.push(Op::StartTextSection);
            ops.push(Op::SetFont { font: PdfFontHandle::External(font_id(run.face)), size: Pt(*size) });
            ops.push(Op::SetTextMatrix { matrix: TextMatrix::Translate(Pt(*x), Pt(page_h - y)) });
            ops.push(Op::ShowText { items: vec![TextItem::GlyphIds(glyphs)] });
            ops.push(Op::EndTextSection);
        }
        Item::Rule { x1, y1, x2, y2, width, color: c, .. } => {
            ops.push(Op::SaveGraphicsState);
            ops.push(Op::SetOutlineColor { col: color(*c) });
            ops.push(Op::SetOutlineThickness { pt: Pt(*width) });
            ops.push(Op::DrawLine {
                line: Line {
                    points: vec![point(*x1, *y1, page_h, false), point(*x2, *y2, page_h, false)],
                    is_closed: false,
                },
            });
            ops.push(Op::RestoreGraphicsState);
        }
        Item::Rect { x, y, w, h, fill, stroke, .. } => {
            let mode = match (fill, stroke) {
                (Some(_), Some(_)) => PaintMode::FillStroke,
                (Some(_), None) => PaintMode::Fill,
                (None, Some(_)) => PaintMode::Stroke,
                (None, None) => return,
            };
            ops.push(Op::SaveGraphicsState);
            if let Some(f) = fill {
                ops.push(Op::SetFillColor { col: color(*f) });
            }
            if let Some((s, width)) = stroke {
                ops.push(Op::SetOutlineColor { col: color(*s) });
                ops.push(Op::SetOutlineThickness { pt: Pt(*width) });
            }
            ops.push(Op::DrawRectangle {
                rectangle: Rect {
                    x: Pt(*x),
                    y: Pt(page_h - y - h),
                    width: Pt(*w),
                    height: Pt(*h),
                    mode: Some(mode),
                    winding_order: None,
                },
            });
            ops.push(Op::RestoreGraphicsState);
        }
        Item::Image { x, y, w, h, path, .. } => {
            let Some((id, width_px)) = images.get(path.as_str()) else {
                return;
            };
            // printpdf sizes images by dpi: pick the dpi that makes the picture `w` wide.
            let dpi = *width_px as f32 * 72.0 / w.max(0.01);
            ops.push(Op::UseXobject {
                id: id.clone(),
                transform: XObjectTransform {
                    translate_x: Some(Pt(*x)),
                    translate_y: Some(Pt(page_h - y - h)),
                    dpi: Some(dpi),
                    ..Default::default()
                },
            });
        }
        Item::Path { x, y, scale, width, color: c, cmds, .. } => {
            ops.push(Op::SaveGraphicsState);
            ops.push(Op::SetOutlineColor { col: color(*c) });
            ops.push(Op::SetOutlineThickness { pt: Pt(*width) });
            ops.push(Op::SetLineCapStyle { cap: LineCapStyle::Round });
            ops.push(Op::SetLineJoinStyle { join: LineJoinStyle::Round });
            let at = |px: f32, py: f32, bezier: bool| point(x + px * scale, y + py * scale, page_h, bezier);
            let mut points: Vec<LinePoint> = Vec::new();
            let flush = |ops: &mut Vec<Op>, points: &mut Vec<LinePoint>, closed: bool| {
                if points.len() > 1 {
                    ops.push(Op::DrawLine { line: Line { points: std::mem::take(points), is_closed: closed } });
                }
                points.clear();
            };
            for cmd in cmds {
                match *cmd {
                    PathCmd::Move(px, py) => {
                        flush(ops, &mut points, false);
                        points.push(at(px, py, false));
                    }
                    PathCmd::Line(px, py) => points.push(at(px, py, false)),
                    PathCmd::Cubic(a, b, c2, d, e, f) => {
                        points.push(at(a, b, true));
                        points.push(at(c2, d, true));
                        points.push(at(e, f, false));
                    }
                    PathCmd::Close => flush(ops, &mut points, true),
                }
            }
            flush(ops, &mut points, false);
            ops.push(Op::RestoreGraphicsState);
        }
        Item::Link { .. } => {}
    }
}
