//! The only module that speaks printpdf: turns laid-out pages into a PDF object graph, with
//! every tagged item wrapped in marked content (MCIDs) and page furniture marked as artifacts.
//!
//! Makes no layout decisions and adds no structure tree (that is `tagging`, over lopdf). Uses
//! fixed resource names (`F1`..`F8`, `Im1`..) so output never depends on printpdf's global
//! id counter.

use std::collections::{BTreeMap, HashMap};
use std::io::Write as _;

use printpdf::{
    Actions, BorderArray, Codepoint, Color, ColorArray, Destination, DictItem, FontId, ImageCompression,
    ImageOptimizationOptions, Line, LineCapStyle, LineDashPattern, LineJoinStyle, LinePoint, LinkAnnotation, Mm, Op,
    PaintMode, ParsedFont, PdfDocument, PdfFont, PdfFontHandle, PdfPage, PdfSaveOptions, Point, Polygon, PolygonRing,
    Pt, RawImage, RawImageData, RawImageFormat, Rect, Rgb as PdfRgb, TextItem, TextMatrix, WindingOrder, XObject,
    XObjectId, XObjectTransform,
};

use super::fonts::{FaceSubset, Glyph};
use super::layout::{Dest, Item, Layout, PathCmd, Tag};
use super::serialize::{push_int, push_literal_bytes, push_number};
use super::settings::Rgb;
use super::svg::Paint;
use crate::load::pictures::{Picture, PictureColor, Pictures};

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
    pub mcids: Vec<Vec<Option<i64>>>,
    /// Per page: item indexes of link areas, in the order of the page's `/Annots`.
    pub links: Vec<Vec<usize>>,
}

fn color(c: Rgb) -> Color {
    let (r, g, b) = c.parts();
    Color::Rgb(PdfRgb::new(r, g, b, None))
}

fn font_id(face: u8, variant: u8) -> FontId {
    match variant {
        0 => FontId(format!("F{}", u32::from(face) + 1)),
        v => FontId(format!("F{}v{v}", u32::from(face) + 1)),
    }
}

/// A subset's glyph renumbering as a table indexed by original glyph id (0 for glyphs the
/// subset lacks, as `.notdef`): a lookup per glyph drawn, so no hashing.
struct Remap {
    table: Vec<u16>,
    /// Glyphs in the subset.
    len: usize,
}

impl Remap {
    fn new(map: &HashMap<u16, u16>) -> Remap {
        let size = map.keys().max().map_or(0, |m| usize::from(*m) + 1);
        let mut table = vec![0u16; size];
        for (old, new) in map {
            table[usize::from(*old)] = *new;
        }
        Remap { table, len: map.len() }
    }

    fn get(&self, gid: u16) -> u16 {
        self.table.get(usize::from(gid)).copied().unwrap_or(0)
    }
}

/// Every subset's renumbering by face and variant, and for script faces which variant stands
/// for which text of a glyph.
#[derive(Default)]
struct Remaps {
    by_face: Vec<Vec<Option<Remap>>>,
    texts: HashMap<(u8, u16), Vec<Box<str>>>,
}

impl Remaps {
    fn insert(&mut self, subset: &FaceSubset) {
        let (face, variant) = (usize::from(subset.face), usize::from(subset.variant));
        if self.by_face.len() <= face {
            self.by_face.resize_with(face + 1, Vec::new);
        }
        let variants = &mut self.by_face[face];
        if variants.len() <= variant {
            variants.resize_with(variant + 1, || None);
        }
        variants[variant] = Some(Remap::new(&subset.remap));
        for (gid, text) in &subset.texts {
            let texts = self.texts.entry((subset.face, *gid)).or_default();
            if texts.len() <= variant {
                texts.resize(variant + 1, Box::from(""));
            }
            texts[variant] = text.clone();
        }
    }

    fn get(&self, face: u8, variant: u8) -> Option<&Remap> {
        self.by_face.get(usize::from(face))?.get(usize::from(variant))?.as_ref()
    }

    /// The copy of its face a glyph is drawn from: the one whose `/ToUnicode` says its text.
    fn variant(&self, face: u8, glyph: &Glyph, rtl: bool) -> u8 {
        if face < 8 {
            return 0;
        }
        let Some(texts) = self.texts.get(&(face, glyph.gid)) else { return 0 };
        let text = glyph.unicode_text(rtl);
        texts.iter().position(|t| t.as_ref() == text.as_ref()).unwrap_or(0) as u8
    }

    /// What the glyph's `/ToUnicode` entry is.
    fn text<'g>(face: u8, glyph: &'g Glyph, rtl: bool) -> std::borrow::Cow<'g, str> {
        if face < 8 { std::borrow::Cow::Borrowed(glyph.text.as_str()) } else { glyph.unicode_text(rtl) }
    }
}

fn remap_of(remaps: &Remaps, face: u8) -> Option<&Remap> {
    remaps.get(face, 0)
}

/// A decoded picture as printpdf takes it.
fn raw_image(picture: &Picture) -> RawImage {
    let data_format = match picture.color {
        PictureColor::Gray => RawImageFormat::R8,
        PictureColor::GrayAlpha => RawImageFormat::RG8,
        PictureColor::Rgb => RawImageFormat::RGB8,
        PictureColor::Rgba => RawImageFormat::RGBA8,
    };
    RawImage {
        pixels: RawImageData::U8(picture.pixels.clone()),
        width: picture.width as usize,
        height: picture.height as usize,
        data_format,
        tag: Vec::new(),
    }
}

/// Writes the layout with the given font subsets and pictures.
pub fn write(layout: &Layout, subsets: &[FaceSubset], pictures: &Pictures, info: &DocInfo) -> Written {
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
    let mut remaps = Remaps::default();
    for subset in subsets {
        let mut font_warnings = Vec::new();
        let Some(mut parsed) = ParsedFont::from_bytes(&subset.bytes, 0, &mut font_warnings) else {
            continue;
        };
        parsed.font_name = Some(subset.name.clone());
        doc.resources.fonts.map.insert(font_id(subset.face, subset.variant), PdfFont::new(parsed));
        remaps.insert(subset);
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
        // Drawn from the pixels decoded when the project was loaded: pictures are never
        // decoded again here, and a damaged one never reaches a layout.
        let Some(Ok(picture)) = pictures.get(path) else {
            continue;
        };
        let image = raw_image(picture);
        let id = XObjectId(format!("Im{}", n + 1));
        let width_px = image.width;
        doc.resources.xobjects.map.insert(id.clone(), XObject::Image(image));
        image_ids.insert(path, (id, width_px));
    }

    // Content streams are encoded here, straight to bytes (printpdf's encoder builds an object
    // per operand, which was a third of the render time). printpdf still writes everything
    // else; it learns which glyphs each font needs from an inventory on the first page, whose
    // content is then replaced like every other page's. Fonts whose codes are not plain glyph
    // ids (CFF outlines) keep the printpdf path.
    let direct = subsets.iter().all(|s| s.bytes.starts_with(&[0, 1, 0, 0]) || s.bytes.starts_with(b"true"));
    let (page_w, page_h) = layout.page_size;
    let mut pages = Vec::with_capacity(layout.pages.len());
    let mut contents: Vec<Vec<u8>> = Vec::with_capacity(layout.pages.len());
    let mut all_mcids = Vec::new();
    let mut all_links = Vec::new();
    // Per face and variant: subset glyph id to the text printpdf's /ToUnicode gets (the last one
    // drawn wins, as when printpdf collects it from the pages), indexed by subset glyph id.
    let mut inventory: Inventory = BTreeMap::new();
    for page in &layout.pages {
        let mut ops = Vec::with_capacity(if direct { 4 } else { page.items.len() * 6 });
        // About 60 bytes an item (a staff page is 12 KB): grown as it is written, the stream was
        // copied a dozen times a page.
        let mut stream = ContentStream { bytes: Vec::with_capacity(page.items.len() * 64), ..Default::default() };
        let mut mcids = vec![None; page.items.len()];
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
            // A right-to-left or reordered run is a marked-content sequence of its own that says
            // what it reads (`/ActualText`, in reading order), so text extraction, copying and the
            // tag tree get the words, not the glyphs' drawing order.
            let actual = match item {
                Item::Text { run, .. } if direct && run.needs_actual_text() && matches!(tag, Tag::Elem(_)) => {
                    Some(run.logical_text())
                }
                _ => None,
            };
            if open != Some(tag) || actual.is_some() {
                if open.is_some() {
                    if direct {
                        stream.op("EMC");
                    } else {
                        ops.push(Op::EndMarkedContent);
                    }
                }
                match tag {
                    Tag::Artifact if direct => stream.op("/Artifact BMC"),
                    Tag::Artifact => ops.push(Op::BeginMarkedContent { tag: "Artifact".to_string() }),
                    Tag::Elem(e) => {
                        let role = layout.tree.get(e).map_or("Span", |s| s.role.name());
                        if let Some(text) = &actual {
                            stream.marked(role, next_mcid);
                            // Readers take `/ActualText` from a `Span` sequence (poppler only so).
                            stream.actual_text(text);
                        } else if direct {
                            stream.marked(role, next_mcid);
                        } else {
                            ops.push(Op::BeginMarkedContentWithProperties {
                                tag: role.to_string(),
                                properties: DictItem::Dict {
                                    map: BTreeMap::from([("MCID".to_string(), DictItem::Int(next_mcid))]),
                                },
                            });
                        }
                        next_mcid += 1;
                    }
                }
                open = Some(tag);
            }
            if let Tag::Elem(_) = tag {
                mcids[index] = Some(next_mcid - 1);
            }
            if actual.is_some() {
                // The next item starts a sequence of its own.
                stream.item(item, page_h, &remaps, &image_ids);
                stream.op("EMC");
                stream.op("EMC");
                open = None;
                if let Item::Text { run, .. } = item {
                    note_glyphs(&mut inventory, &remaps, run);
                }
                continue;
            }
            if direct {
                if let Item::Text { run, .. } = item {
                    note_glyphs(&mut inventory, &remaps, run);
                }
                stream.item(item, page_h, &remaps, &image_ids);
            } else {
                draw(&mut ops, item, page_h, &remaps, &image_ids);
            }
        }
        if open.is_some() {
            if direct {
                stream.op("EMC");
            } else {
                ops.push(Op::EndMarkedContent);
            }
        }
        contents.push(stream.bytes);
        pages.push(PdfPage::new(Mm::from(Pt(page_w)), Mm::from(Pt(page_h)), ops));
        all_mcids.push(mcids);
        all_links.push(links);
    }
    if direct && let Some(first) = pages.first_mut() {
        first.ops.push(Op::StartTextSection);
        for ((face, variant), glyphs) in &inventory {
            first.ops.push(Op::SetFont { font: PdfFontHandle::External(font_id(*face, *variant)), size: Pt(1.0) });
            let items = glyphs
                .iter()
                .enumerate()
                .filter_map(|(gid, text)| {
                    Some(Codepoint { gid: gid as u16, offset: 0.0, cid: Some(text.as_ref()?.as_str().to_string()) })
                })
                .collect();
            first.ops.push(Op::ShowText { items: vec![TextItem::GlyphIds(items)] });
        }
        first.ops.push(Op::EndTextSection);
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
    let mut lo = doc.to_lopdf_document(&options, &mut warnings);
    if direct {
        let page_ids: Vec<lopdf::ObjectId> = lo.get_pages().values().copied().collect();
        for (page_id, bytes) in page_ids.into_iter().zip(contents) {
            let Ok(Ok(stream_id)) =
                lo.get_dictionary(page_id).map(|d| d.get(b"Contents").and_then(|c| c.as_reference()))
            else {
                continue;
            };
            if let Ok(lopdf::Object::Stream(stream)) = lo.get_object_mut(stream_id) {
                stream.set_content(bytes);
            }
        }
    }
    Written { doc: lo, mcids: all_mcids, links: all_links }
}

/// Per face and variant, the text of each subset glyph id, for `/ToUnicode`.
type Inventory<'l> = BTreeMap<(u8, u8), Vec<Option<NotedText<'l>>>>;

/// A glyph's `/ToUnicode` text as noted: its own text (read as a string only once the last
/// glyph of its id is noted, not at every glyph), or a text made for it.
#[derive(Clone)]
enum NotedText<'l> {
    Glyph(&'l super::fonts::GlyphText),
    Made(std::borrow::Cow<'l, str>),
}

impl NotedText<'_> {
    fn as_str(&self) -> &str {
        match self {
            NotedText::Glyph(text) => text.as_str(),
            NotedText::Made(text) => text,
        }
    }
}

/// Records the `/ToUnicode` text of a run's glyphs.
fn note_glyphs<'l>(inventory: &mut Inventory<'l>, remaps: &Remaps, run: &'l super::fonts::ShapedRun) {
    if run.face < 8 {
        // A face without variants: every glyph of the run goes to the same list, found once
        // (a map lookup per glyph was a tenth of the writer's time).
        let Some(remap) = remaps.get(run.face, 0) else { return };
        let glyphs = inventory.entry((run.face, 0)).or_insert_with(|| vec![None; remap.len.max(1)]);
        for g in &run.glyphs {
            let gid = usize::from(remap.get(g.gid));
            if glyphs.len() <= gid {
                glyphs.resize(gid + 1, None);
            }
            glyphs[gid] = Some(NotedText::Glyph(&g.text));
        }
        return;
    }
    for g in &run.glyphs {
        let variant = remaps.variant(run.face, g, run.rtl());
        let Some(remap) = remaps.get(run.face, variant) else { continue };
        let glyphs = inventory.entry((run.face, variant)).or_insert_with(|| vec![None; remap.len.max(1)]);
        let gid = usize::from(remap.get(g.gid));
        if glyphs.len() <= gid {
            glyphs.resize(gid + 1, None);
        }
        glyphs[gid] = Some(NotedText::Made(Remaps::text(run.face, g, run.rtl())));
    }
}

/// A page's content stream, written as bytes: the same operators printpdf writes for the
/// ops of [`draw`], without building an object per operand.
#[derive(Default)]
struct ContentStream {
    bytes: Vec<u8>,
    /// Scratch: where each glyph of the run being written goes.
    places: Vec<f32>,
    /// The fill colour set outside any `q`/`Q` (text colour), to skip repeating it.
    fill: Option<Rgb>,
}

impl ContentStream {
    fn op(&mut self, op: &str) {
        self.bytes.extend_from_slice(op.as_bytes());
        self.bytes.push(b'\n');
    }

    /// A number, as the engine writes every number ([`push_number`]).
    fn num(&mut self, value: f32) {
        push_number(&mut self.bytes, value);
    }

    fn nums(&mut self, values: &[f32], op: &str) {
        for v in values {
            self.num(*v);
            self.bytes.push(b' ');
        }
        self.op(op);
    }

    fn color(&mut self, c: Rgb, op: &str) {
        let (r, g, b) = c.parts();
        self.nums(&[r, g, b], op);
    }

    fn marked(&mut self, role: &str, mcid: i64) {
        self.bytes.push(b'/');
        self.bytes.extend_from_slice(role.as_bytes());
        self.bytes.extend_from_slice(b" <</MCID ");
        push_int(&mut self.bytes, mcid);
        self.bytes.extend_from_slice(b">> BDC\n");
    }

    /// `/F<n> ` or `/F<n>v<variant> `: a font resource's name, as [`font_id`] makes it.
    fn font(&mut self, face: u8, variant: u8) {
        self.bytes.extend_from_slice(b"/F");
        push_int(&mut self.bytes, i64::from(face) + 1);
        if variant != 0 {
            self.bytes.push(b'v');
            push_int(&mut self.bytes, i64::from(variant));
        }
        self.bytes.push(b' ');
    }

    /// Opens a span that says what its glyphs read, as UTF-16 text (closed with `EMC`).
    fn actual_text(&mut self, text: &str) {
        self.bytes.extend_from_slice(b"/Span <</ActualText <feff");
        for unit in text.encode_utf16() {
            self.hex(unit);
        }
        self.op(">>> BDC");
    }

    /// Ends the glyph string and the `TJ` array being written, when they are open (before a
    /// change of font or rise, and at the end of a run).
    fn end_shown_text(&mut self, string_open: &mut bool, array_open: &mut bool) {
        if std::mem::take(string_open) {
            self.bytes.push(b')');
        }
        if std::mem::take(array_open) {
            self.op("] TJ");
        }
    }

    /// A glyph code as its two bytes, big-endian, inside a `(…)` string (escaped as any literal
    /// string is): half the bytes of four hex digits (the glyph strings were three fifths of a
    /// content stream, all of it deflated).
    fn code(&mut self, code: u16) {
        push_literal_bytes(&mut self.bytes, &code.to_be_bytes());
    }

    /// A UTF-16 code unit as four hex digits (inside a `<…>` string).
    fn hex(&mut self, code: u16) {
        const HEX: &[u8; 16] = b"0123456789abcdef";
        let [hi, lo] = code.to_be_bytes();
        self.bytes.extend_from_slice(&[
            HEX[usize::from(hi >> 4)],
            HEX[usize::from(hi & 15)],
            HEX[usize::from(lo >> 4)],
            HEX[usize::from(lo & 15)],
        ]);
    }

    fn item(&mut self, item: &Item, page_h: f32, remaps: &Remaps, images: &BTreeMap<&str, (XObjectId, usize)>) {
        match item {
            Item::Text { x, y, size, color: c, run, .. } => {
                if remap_of(remaps, run.face).is_none() {
                    return;
                }
                if self.fill != Some(*c) {
                    self.color(*c, "rg");
                    self.fill = Some(*c);
                }
                self.op("BT");
                // Where each glyph goes, from the run's left end, in thousandths of an em: its pen
                // position plus its own offset (a mark over its base, a cursive join).
                let mut pen = 0.0f32;
                let mut places = std::mem::take(&mut self.places);
                places.clear();
                places.extend(run.glyphs.iter().map(|g| {
                    let at = pen + g.offset.0;
                    pen += g.advance as f32 + g.kern;
                    at
                }));
                // A right-to-left run is drawn in reading order, each glyph moved back to its
                // place, so the content says its words in order, as the tag tree reads them.
                let count = run.glyphs.len();
                let rtl = run.rtl();
                let nth = |k: usize| if rtl { count - 1 - k } else { k };
                let first = if count == 0 { 0.0 } else { places[nth(0)] };
                let mut variant = if count == 0 { 0 } else { remaps.variant(run.face, &run.glyphs[nth(0)], rtl) };
                self.font(run.face, variant);
                self.nums(&[*size], "Tf");
                self.nums(&[1.0, 0.0, 0.0, 1.0, *x + first * size / 1000.0, page_h - y], "Tm");
                // Glyphs between two position adjustments share one string: `[(AB) -12 (C)]` shows
                // what `[(A)(B) -12 (C)]` shows, in fewer bytes. A glyph
                // raised or lowered gets its own text rise.
                let mut rise = 0.0f32;
                let mut open = false;
                let mut array = false;
                let mut current = first;
                for k in 0..count {
                    let i = nth(k);
                    let g = &run.glyphs[i];
                    let dy = g.offset.1 * size / 1000.0;
                    let own = remaps.variant(run.face, g, rtl);
                    if own != variant {
                        self.end_shown_text(&mut open, &mut array);
                        self.font(run.face, own);
                        self.nums(&[*size], "Tf");
                        variant = own;
                    }
                    let Some(remap) = remaps.get(run.face, variant) else { continue };
                    if (dy - rise).abs() > 0.0001 {
                        self.end_shown_text(&mut open, &mut array);
                        self.nums(&[dy], "Ts");
                        rise = dy;
                    }
                    if !array {
                        self.bytes.push(b'[');
                        array = true;
                    }
                    let shift = places[i] - current;
                    if shift != 0.0 {
                        if open {
                            self.bytes.extend_from_slice(b") ");
                            open = false;
                        }
                        self.num(-shift);
                    }
                    if !open {
                        self.bytes.push(b'(');
                        open = true;
                    }
                    self.code(remap.get(g.gid));
                    current = places[i] + g.advance as f32;
                }
                self.end_shown_text(&mut open, &mut array);
                if rise != 0.0 {
                    self.nums(&[0.0], "Ts");
                }
                self.op("ET");
                self.places = places;
            }
            Item::Rule { x1, y1, x2, y2, width, color: c, .. } => {
                self.op("q");
                self.color(*c, "RG");
                self.nums(&[*width], "w");
                self.nums(&[*x1, page_h - y1], "m");
                self.nums(&[*x2, page_h - y2], "l");
                self.op("S");
                self.op("Q");
            }
            Item::Rect { x, y, w, h, fill, stroke, .. } => {
                let paint = match (fill, stroke) {
                    (Some(_), Some(_)) => "B",
                    (Some(_), None) => "f",
                    (None, Some(_)) => "S",
                    (None, None) => return,
                };
                self.op("q");
                if let Some(f) = fill {
                    self.color(*f, "rg");
                }
                if let Some((s, width)) = stroke {
                    self.color(*s, "RG");
                    self.nums(&[*width], "w");
                }
                self.nums(&[*x, page_h - y - h, *w, *h], "re");
                self.op(paint);
                self.op("Q");
            }
            Item::Image { x, y, w, h, path, .. } => {
                let Some((id, _)) = images.get(path.as_str()) else {
                    return;
                };
                self.op("q");
                self.nums(&[*w, 0.0, 0.0, *h, *x, page_h - y - h], "cm");
                let _ = writeln!(self.bytes, "/{} Do", id.0);
                self.op("Q");
            }
            Item::Path { x, y, scale, stroke_scale, color: c, picture, .. } => {
                let at = |px: f32, py: f32| [x + px * scale, page_h - (y + py * scale)];
                for shape in &picture.shapes {
                    let paint = match (&shape.fill, &shape.stroke) {
                        (Some(f), Some(_)) if f.even_odd => "B*",
                        (Some(_), Some(_)) => "B",
                        (Some(f), None) if f.even_odd => "f*",
                        (Some(_), None) => "f",
                        (None, Some(_)) => "S",
                        (None, None) => continue,
                    };
                    self.op("q");
                    if let Some(fill) = &shape.fill {
                        self.color(paint_color(fill.paint, *c), "rg");
                    }
                    if let Some(stroke) = &shape.stroke {
                        self.color(paint_color(stroke.paint, *c), "RG");
                        self.nums(&[stroke.width * scale * stroke_scale], "w");
                        self.nums(&[f32::from(stroke.cap)], "J");
                        self.nums(&[f32::from(stroke.join)], "j");
                        if stroke.join == 0 {
                            self.nums(&[stroke.miter_limit], "M");
                        }
                        if let Some((dashes, offset)) = &stroke.dash {
                            self.bytes.push(b'[');
                            for (n, d) in dashes.iter().enumerate() {
                                if n > 0 {
                                    self.bytes.push(b' ');
                                }
                                self.num(d * scale);
                            }
                            self.bytes.extend_from_slice(b"] ");
                            self.nums(&[offset * scale], "d");
                        }
                    }
                    for cmd in &shape.outline {
                        match *cmd {
                            PathCmd::Move(px, py) => self.nums(&at(px, py), "m"),
                            PathCmd::Line(px, py) => self.nums(&at(px, py), "l"),
                            PathCmd::Cubic(a, b, c2, d, e, f) => {
                                let [p1, p2] = at(a, b);
                                let [p3, p4] = at(c2, d);
                                let [p5, p6] = at(e, f);
                                self.nums(&[p1, p2, p3, p4, p5, p6], "c");
                            }
                            PathCmd::Close => self.op("h"),
                        }
                    }
                    self.op(paint);
                    self.op("Q");
                }
            }
            Item::Link { .. } => {}
        }
    }
}

/// The colour a picture's paint is drawn in: `currentColor` takes the item's colour.
fn paint_color(paint: Paint, current: Rgb) -> Rgb {
    match paint {
        Paint::Current => current,
        Paint::Color(rgb) => rgb,
    }
}

fn point(x: f32, y: f32, page_h: f32, bezier: bool) -> LinePoint {
    LinePoint { p: Point { x: Pt(x), y: Pt(page_h - y) }, bezier }
}

fn draw(ops: &mut Vec<Op>, item: &Item, page_h: f32, remaps: &Remaps, images: &BTreeMap<&str, (XObjectId, usize)>) {
    match item {
        Item::Text { x, y, size, color: c, run, .. } => {
            let Some(remap) = remap_of(remaps, run.face) else {
                return;
            };
            let glyphs: Vec<Codepoint> = run
                .glyphs
                .iter()
                .enumerate()
                .map(|(i, g)| {
                    // Marks' vertical offsets need the direct writer (TrueType faces always take it).
                    let next = run.glyphs.get(i + 1).map_or(0.0, |n| n.offset.0);
                    let offset = -(g.kern + next - g.offset.0);
                    Codepoint { gid: remap.get(g.gid), offset, cid: Some(g.text.as_str().to_owned()) }
                })
                .collect();
            ops.push(Op::SetFillColor { col: color(*c) });
            ops.push(Op::StartTextSection);
            ops.push(Op::SetFont { font: PdfFontHandle::External(font_id(run.face, 0)), size: Pt(*size) });
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
        Item::Path { x, y, scale, stroke_scale, color: c, picture, .. } => {
            let at = |px: f32, py: f32, bezier: bool| point(x + px * scale, y + py * scale, page_h, bezier);
            for shape in &picture.shapes {
                // Sub-paths as point lists (printpdf's lines and polygon rings), with whether each
                // is closed.
                let mut subpaths: Vec<(Vec<LinePoint>, bool)> = Vec::new();
                for cmd in &shape.outline {
                    match *cmd {
                        PathCmd::Move(px, py) => subpaths.push((vec![at(px, py, false)], false)),
                        PathCmd::Line(px, py) => match subpaths.last_mut() {
                            Some((points, _)) => points.push(at(px, py, false)),
                            None => subpaths.push((vec![at(px, py, false)], false)),
                        },
                        PathCmd::Cubic(a, b, c2, d, e, f) => {
                            if subpaths.is_empty() {
                                subpaths.push((Vec::new(), false));
                            }
                            if let Some((points, _)) = subpaths.last_mut() {
                                points.push(at(a, b, true));
                                points.push(at(c2, d, true));
                                points.push(at(e, f, false));
                            }
                        }
                        PathCmd::Close => {
                            if let Some((points, closed)) = subpaths.last_mut() {
                                *closed = true;
                                let start = points.first().map(|p| LinePoint { bezier: false, ..*p });
                                subpaths.push((start.into_iter().collect(), false));
                            }
                        }
                    }
                }
                subpaths.retain(|(points, _)| points.len() > 1);
                ops.push(Op::SaveGraphicsState);
                if let Some(fill) = &shape.fill {
                    ops.push(Op::SetFillColor { col: color(paint_color(fill.paint, *c)) });
                    ops.push(Op::DrawPolygon {
                        polygon: Polygon {
                            rings: subpaths.iter().map(|(points, _)| PolygonRing { points: points.clone() }).collect(),
                            mode: PaintMode::Fill,
                            winding_order: if fill.even_odd { WindingOrder::EvenOdd } else { WindingOrder::NonZero },
                        },
                    });
                }
                if let Some(stroke) = &shape.stroke {
                    ops.push(Op::SetOutlineColor { col: color(paint_color(stroke.paint, *c)) });
                    ops.push(Op::SetOutlineThickness { pt: Pt(stroke.width * scale * stroke_scale) });
                    ops.push(Op::SetLineCapStyle {
                        cap: match stroke.cap {
                            0 => LineCapStyle::Butt,
                            1 => LineCapStyle::Round,
                            _ => LineCapStyle::ProjectingSquare,
                        },
                    });
                    ops.push(Op::SetLineJoinStyle {
                        join: match stroke.join {
                            0 => LineJoinStyle::Miter,
                            1 => LineJoinStyle::Round,
                            _ => LineJoinStyle::Bevel,
                        },
                    });
                    if let Some((dashes, offset)) = &stroke.dash {
                        ops.push(Op::SetLineDashPattern {
                            dash: LineDashPattern {
                                offset: offset * scale,
                                pattern: dashes.iter().map(|d| d * scale).collect(),
                            },
                        });
                    }
                    for (points, closed) in &subpaths {
                        ops.push(Op::DrawLine { line: Line { points: points.clone(), is_closed: *closed } });
                    }
                }
                ops.push(Op::RestoreGraphicsState);
            }
        }
        Item::Link { .. } => {}
    }
}
