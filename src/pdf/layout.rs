//! The layout stage of the PDF engine: document blocks to pages of positioned items (text runs,
//! rules, boxes, images, vector pictures, link areas), each tagged with the structure element
//! it belongs to, so the writer can build the tag tree without knowing what the items mean.
//!
//! Pure and deterministic: no PDF objects, no disk, no clock. Coordinates are points from the
//! page's top-left corner, y growing downwards; the writer flips them. [`Layout::dump`] prints
//! the result as readable text for snapshot tests.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::rc::Rc;
use std::sync::Arc;

use rustc_hash::FxHashMap;
use unicode_bidi::{BidiClass, BidiInfo, Level, bidi_class};
use unicode_linebreak::BreakOpportunity;

use super::fonts::{FontSet, Glyph, Shaped, ShapedRun, Style};
use super::settings::{PdfSettings, Rgb};
use super::svg::VectorPicture;
use crate::model::breaks::line_breaks;
use crate::model::phone::keep_numbers_whole;
use crate::model::{Align, Block, BlockKind, Inline, LinkTarget};

/// What a structure element is, as PDF standard structure types.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// The whole document.
    Document,
    /// A section of the document (cover, contents, body, appendix).
    Sect,
    /// A heading of level 1 to 6.
    H(u8),
    /// A paragraph.
    P,
    /// A list.
    L,
    /// A list item.
    LI,
    /// A list item's bullet or number.
    Lbl,
    /// A list item's content.
    LBody,
    /// A table.
    Table,
    /// A table row.
    TR,
    /// A header cell.
    TH,
    /// A data cell.
    TD,
    /// A picture, with alternative text.
    Figure,
    /// A link (text plus its annotation).
    Link,
    /// A block quotation.
    BlockQuote,
    /// A table of contents.
    TOC,
    /// One entry of a table of contents.
    TOCI,
    /// A reference to content elsewhere in the document (a contents entry: title and page).
    Reference,
    /// A run of inline content set apart, such as a contents entry's page number.
    Span,
}

impl Role {
    /// The PDF structure type name.
    pub fn name(self) -> &'static str {
        match self {
            Role::Document => "Document",
            Role::Sect => "Sect",
            Role::H(0 | 1) => "H1",
            Role::H(2) => "H2",
            Role::H(3) => "H3",
            Role::H(4) => "H4",
            Role::H(5) => "H5",
            Role::H(_) => "H6",
            Role::P => "P",
            Role::L => "L",
            Role::LI => "LI",
            Role::Lbl => "Lbl",
            Role::LBody => "LBody",
            Role::Table => "Table",
            Role::TR => "TR",
            Role::TH => "TH",
            Role::TD => "TD",
            Role::Figure => "Figure",
            Role::Link => "Link",
            Role::BlockQuote => "BlockQuote",
            Role::TOC => "TOC",
            Role::TOCI => "TOCI",
            Role::Reference => "Reference",
            Role::Span => "Span",
        }
    }
}

/// Where a structure element's content is: a child element, or an item on a page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kid {
    /// A child element (index into [`Layout::tree`]).
    Elem(usize),
    /// Item `item` of page `page`.
    Item {
        /// 0-based page.
        page: usize,
        /// Index into that page's items.
        item: usize,
    },
}

/// One node of the structure tree.
#[derive(Debug, Clone, PartialEq)]
pub struct StructElem {
    /// Its type.
    pub role: Role,
    /// Its parent (None for the document).
    pub parent: Option<usize>,
    /// Alternative text (figures).
    pub alt: Option<String>,
    /// The language of its content, when it differs from the document's (`/Lang`).
    pub lang: Option<String>,
    /// Children in reading order.
    pub kids: Vec<Kid>,
}

/// What an item belongs to in the tag tree.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tag {
    /// Page furniture a screen reader skips (running header, decoration, repeated header row).
    Artifact,
    /// Content of this structure element.
    Elem(usize),
}

/// Where a link goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Dest {
    /// A web, email or phone address.
    Uri(String),
    /// A heading of this document, by anchor.
    Anchor(String),
}

/// A drawing command of a vector picture, in the picture's own units.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum PathCmd {
    /// Start a new sub-path.
    Move(f32, f32),
    /// Straight line.
    Line(f32, f32),
    /// Cubic Bézier curve: two control points and the end point.
    Cubic(f32, f32, f32, f32, f32, f32),
    /// Close the sub-path.
    Close,
}

/// One positioned thing on a page.
#[derive(Debug, Clone, PartialEq)]
pub enum Item {
    /// Glyphs of one face on one baseline.
    Text {
        /// Left end of the baseline.
        x: f32,
        /// Baseline, from the top of the page.
        y: f32,
        /// Font size.
        size: f32,
        /// Colour.
        color: Rgb,
        /// The glyphs.
        run: ShapedRun,
        /// Tag-tree membership.
        tag: Tag,
    },
    /// A straight line.
    Rule {
        /// Start x.
        x1: f32,
        /// Start y.
        y1: f32,
        /// End x.
        x2: f32,
        /// End y.
        y2: f32,
        /// Stroke width.
        width: f32,
        /// Colour.
        color: Rgb,
        /// Tag-tree membership.
        tag: Tag,
    },
    /// A filled and/or stroked rectangle.
    Rect {
        /// Left.
        x: f32,
        /// Top.
        y: f32,
        /// Width.
        w: f32,
        /// Height.
        h: f32,
        /// Fill colour.
        fill: Option<Rgb>,
        /// Outline colour and width.
        stroke: Option<(Rgb, f32)>,
        /// Tag-tree membership.
        tag: Tag,
    },
    /// A picture from `content/`.
    Image {
        /// Left.
        x: f32,
        /// Top.
        y: f32,
        /// Width.
        w: f32,
        /// Height.
        h: f32,
        /// Path relative to `content/`.
        path: String,
        /// Tag-tree membership.
        tag: Tag,
    },
    /// A vector picture (icons, the logo): its shapes scaled by `scale` and moved to (x, y).
    Path {
        /// Left.
        x: f32,
        /// Top.
        y: f32,
        /// Points per picture unit.
        scale: f32,
        /// Multiplies the picture's own stroke widths (1 draws them as drawn).
        stroke_scale: f32,
        /// The colour of `currentColor` shapes.
        color: Rgb,
        /// The picture.
        picture: Arc<VectorPicture>,
        /// Tag-tree membership.
        tag: Tag,
    },
    /// A clickable area.
    Link {
        /// Left.
        x: f32,
        /// Top.
        y: f32,
        /// Width.
        w: f32,
        /// Height.
        h: f32,
        /// Where it goes.
        dest: Dest,
        /// The `Link` element it belongs to.
        tag: Tag,
    },
}

impl Item {
    /// Tag-tree membership.
    pub fn tag(&self) -> Tag {
        match self {
            Item::Text { tag, .. }
            | Item::Rule { tag, .. }
            | Item::Rect { tag, .. }
            | Item::Image { tag, .. }
            | Item::Path { tag, .. }
            | Item::Link { tag, .. } => *tag,
        }
    }
}

/// One page.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Page {
    /// Items in painting (and reading) order.
    pub items: Vec<Item>,
}

/// One bookmark.
#[derive(Debug, Clone, PartialEq)]
pub struct OutlineEntry {
    /// Heading level (2 = top of the body).
    pub level: u8,
    /// The heading's words.
    pub title: String,
    /// The heading's anchor.
    pub anchor: String,
}

/// A problem found while laying out, located by source line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LayoutProblem {
    /// 1-based line in the policy source.
    pub line: usize,
    /// True for an error (the build writes nothing), false for a warning.
    pub error: bool,
    /// What is wrong.
    pub message: String,
    /// What to do.
    pub hint: String,
}

/// The laid-out document.
#[derive(Debug, Clone, PartialEq)]
pub struct Layout {
    /// Page width and height.
    pub page_size: (f32, f32),
    /// Pages in order.
    pub pages: Vec<Page>,
    /// The structure tree; element 0 is the document.
    pub tree: Vec<StructElem>,
    /// Where each heading is: page index and y of its top.
    pub anchors: BTreeMap<String, (usize, f32)>,
    /// Bookmarks in document order.
    pub outline: Vec<OutlineEntry>,
    /// Problems to report.
    pub problems: Vec<LayoutProblem>,
    /// Characters no bundled font has (drawn as a replacement mark), with the first source line
    /// each is on: reported once per policy and language, not once per letter.
    pub missing: BTreeMap<char, usize>,
}

impl Layout {
    /// A readable listing of every item, one per line, for snapshot tests and debugging.
    pub fn dump(&self) -> String {
        let mut out = String::new();
        for (number, page) in self.pages.iter().enumerate() {
            let _ = writeln!(out, "page {}", number + 1);
            for item in &page.items {
                let tag = match item.tag() {
                    Tag::Artifact => "artifact".to_string(),
                    Tag::Elem(e) => format!("{}#{e}", self.tree[e].role.name()),
                };
                let line = match item {
                    Item::Text { x, y, size, run, .. } => {
                        let text: String = run.glyphs.iter().map(|g| g.text.as_str()).collect();
                        format!("text {x:.1},{y:.1} {size}pt f{} {text:?}", run.face)
                    }
                    Item::Rule { x1, y1, x2, y2, .. } => {
                        format!("rule {x1:.1},{y1:.1} -> {x2:.1},{y2:.1}")
                    }
                    Item::Rect { x, y, w, h, .. } => format!("rect {x:.1},{y:.1} {w:.1}x{h:.1}"),
                    Item::Image { x, y, w, h, path, .. } => {
                        format!("image {x:.1},{y:.1} {w:.1}x{h:.1} {path}")
                    }
                    Item::Path { x, y, picture, .. } => {
                        format!("path {x:.1},{y:.1} {} cmds", picture.commands())
                    }
                    Item::Link { x, y, w, h, dest, .. } => {
                        format!("link {x:.1},{y:.1} {w:.1}x{h:.1} {dest:?}")
                    }
                };
                let _ = writeln!(out, "  {line} [{tag}]");
            }
        }
        out
    }
}

/// A picture's size in pixels, read from its header; None when it is not a PNG or JPEG we can
/// read.
pub fn image_size(bytes: &[u8]) -> Option<(u32, u32)> {
    if bytes.starts_with(b"\x89PNG\r\n\x1a\n") && bytes.len() >= 24 {
        let w = u32::from_be_bytes(bytes.get(16..20)?.try_into().ok()?);
        let h = u32::from_be_bytes(bytes.get(20..24)?.try_into().ok()?);
        return (w > 0 && h > 0).then_some((w, h));
    }
    if bytes.starts_with(&[0xFF, 0xD8]) {
        let mut i = 2;
        while i + 9 < bytes.len() {
            if bytes[i] != 0xFF {
                return None;
            }
            let marker = bytes[i + 1];
            let len = usize::from(u16::from_be_bytes([bytes[i + 2], bytes[i + 3]]));
            let is_frame = matches!(marker, 0xC0..=0xC3 | 0xC5..=0xC7 | 0xC9..=0xCB | 0xCD..=0xCF);
            if is_frame {
                let h = u32::from(u16::from_be_bytes([bytes[i + 5], bytes[i + 6]]));
                let w = u32::from(u16::from_be_bytes([bytes[i + 7], bytes[i + 8]]));
                return (w > 0 && h > 0).then_some((w, h));
            }
            i += 2 + len;
        }
    }
    None
}

/// Inline text cut at its line-break opportunities, shaped and measured.
#[derive(Debug, Clone)]
struct Piece {
    /// The visible part (shared with the font cache: pieces are cloned freely).
    body: Option<Rc<Shaped>>,
    body_width: f32,
    /// Trailing spaces: drawn inside a line, dropped at its end.
    tail: Option<Rc<Shaped>>,
    tail_width: f32,
    style: Style,
    size: f32,
    color: Rgb,
    link: Option<usize>,
    hard_break: bool,
    icon: Option<String>,
    /// The language span it belongs to: which one of its text, and its language tag.
    lang: Option<(usize, Rc<str>)>,
    /// An icon's bidirectional level (a text's levels are on its runs).
    icon_level: u8,
}

/// How wide an icon inside a line of text is drawn, in ems of the text's size.
pub const INLINE_ICON_EM: f32 = 1.15;

/// A shaping (none for no text) and its width in points.
type ShapedWidth = (Option<Rc<Shaped>>, f32);

/// A stretch of inline content with one look: text (borrowed from the inlines when it is
/// theirs unchanged), or an icon.
struct Span<'i> {
    text: std::borrow::Cow<'i, str>,
    style: TextStyle,
    link: Option<usize>,
    icon: Option<String>,
    lang: Option<usize>,
}

/// Inline content ready to be broken into lines.
struct InlineText {
    pieces: Vec<Piece>,
    links: Vec<Dest>,
    /// Set right to left: its lines are ordered by the bidi algorithm from a right-to-left base
    /// and aligned right.
    rtl: bool,
    /// Some run is right to left, so lines must be reordered.
    bidi: bool,
}

/// A line: pieces with their x offsets from the line start.
#[derive(Debug, Clone)]
struct Line {
    parts: Vec<(f32, Piece, bool)>,
    width: f32,
    /// From a right-to-left paragraph: aligned right.
    rtl: bool,
    /// Drawn through the bidi reordering (some run is right to left).
    bidi: bool,
}

/// Keys of language spans' elements among a line's link elements (links are numbered from 0).
const LANG_KEY: usize = 1 << 40;

/// A width at or above which a text box is positioned by its caller, line by line, so its lines
/// are never aligned within it.
const UNBOUNDED: f32 = 1.0e5;

/// True for a character of a right-to-left script (bidi classes R and AL; none comes before
/// U+0590, which saves the table lookup for Latin text).
fn strong_rtl(ch: char) -> bool {
    u32::from(ch) >= 0x0590 && matches!(bidi_class(ch), BidiClass::R | BidiClass::AL)
}

/// False when no character of `text` comes at or after U+0580 (its UTF-8 has no lead byte from
/// 0xD6 up), so none is right to left: checked a byte at a time, most text needs no decoding.
fn may_hold_rtl(text: &str) -> bool {
    text.bytes().any(|b| b >= 0xD6)
}

/// How inline content looks.
#[derive(Debug, Clone, Copy)]
pub struct TextStyle {
    /// Face style.
    pub style: Style,
    /// Size in points.
    pub size: f32,
    /// Colour.
    pub color: Rgb,
}

/// Finds an icon's picture by name.
pub type IconLookup<'r> = dyn Fn(&str) -> Option<Arc<VectorPicture>> + 'r;

/// Turns a link target of the model into a PDF destination.
pub type LinkResolver<'r> = dyn Fn(&LinkTarget) -> Dest + 'r;

/// The page-filling engine: a cursor over pages, the structure tree being built, and the
/// fonts used to measure.
pub struct Flow<'a, 'f, 'r> {
    /// Fonts (also records which glyphs are used).
    pub fonts: &'f mut FontSet<'a>,
    /// Page and type settings.
    pub settings: PdfSettings,
    /// Pages so far.
    pub pages: Vec<Page>,
    /// The structure tree so far.
    pub tree: Vec<StructElem>,
    /// Cursor: y of the next content's top on the last page.
    pub y: f32,
    /// Left edge of the current frame (lists and quotes indent it).
    pub left: f32,
    /// Width of the current frame.
    pub width: f32,
    /// Heading positions.
    pub anchors: BTreeMap<String, (usize, f32)>,
    /// Bookmarks.
    pub outline: Vec<OutlineEntry>,
    /// Problems found.
    pub problems: Vec<LayoutProblem>,
    /// Characters no face has, with the first line each is on.
    pub missing: BTreeMap<char, usize>,
    /// Pictures by path under `content/`.
    pub images: &'r BTreeMap<String, Vec<u8>>,
    /// Icon pictures by name.
    pub icons: &'r IconLookup<'r>,
    /// What an icon shows, in words (the theme's description): the alternative text of an
    /// icon in running text. Until a design sets it, the icon's name in words.
    pub describe_icon: &'r dyn Fn(&str) -> String,
    /// Source line of the block being laid out, for messages.
    pub line: usize,
    /// Where links to other policies point.
    pub resolve_link: &'r LinkResolver<'r>,
    /// Page that items go to instead of the last one (page furniture).
    pub target_page: Option<usize>,
    /// The document is written right to left: paragraphs start from the right and are aligned
    /// right, list labels stand on the right.
    pub rtl: bool,
    /// Paragraphs are paginated from how many lines they take and not drawn: for a caller that
    /// wants the pages' number, the problems and the characters no font has, never the pages'
    /// content (they lack the paragraphs' text and links). The breaks, page by page, are the
    /// ones drawing makes: [`Flow::line_count`] follows [`Flow::break_lines`].
    pub measure_only: bool,
    /// How much of what follows the block being laid out must share its page (set by
    /// [`Flow::blocks`] for a heading and for a list's lead-in; 0 otherwise).
    keep_with_next: f32,
    /// The inline texts made last (see [`Flow::kept_text`]): a paragraph is measured for what
    /// must share a page with it, often for its heading too, before it is laid out.
    kept: Vec<KeptText>,
    /// While a kept text is made: the characters no face has that making it noted.
    noting: Option<Vec<char>>,
    /// Scratch for [`Flow::draw_line`]: the glyphs of the item it is gathering.
    line_glyphs: Vec<Glyph>,
}

/// An inline text made by [`Flow::kept_text`], with what it was made of and what making it
/// noted, so that making it again can be skipped without changing a result.
struct KeptText {
    inlines: Vec<Inline>,
    base: TextStyle,
    rtl: bool,
    language: String,
    text: Rc<InlineText>,
    /// Characters no face has, noted while the text was made.
    missing: Vec<char>,
    /// Its line count at a width (the width's bits), with what counting noted.
    lines: Option<(u32, usize, Vec<char>)>,
}

/// How many texts [`Flow::kept_text`] keeps: a heading, the paragraph after it, and a list's
/// first item, measured ahead and then laid out.
const KEPT_TEXTS: usize = 4;

impl<'a, 'f, 'r> Flow<'a, 'f, 'r> {
    /// A flow with one empty page and the document element.
    pub fn new(
        fonts: &'f mut FontSet<'a>,
        settings: PdfSettings,
        images: &'r BTreeMap<String, Vec<u8>>,
        icons: &'r IconLookup<'r>,
        resolve_link: &'r LinkResolver<'r>,
    ) -> Self {
        let page = settings.page;
        Flow {
            fonts,
            settings,
            pages: vec![Page::default()],
            tree: vec![StructElem { role: Role::Document, parent: None, alt: None, lang: None, kids: Vec::new() }],
            y: page.margin_top,
            left: page.margin_left,
            width: page.text_width(),
            anchors: BTreeMap::new(),
            outline: Vec::new(),
            problems: Vec::new(),
            missing: BTreeMap::new(),
            images,
            icons,
            describe_icon: &|name: &str| name.replace('-', " "),
            line: 0,
            resolve_link,
            target_page: None,
            rtl: false,
            measure_only: false,
            keep_with_next: 0.0,
            kept: Vec::new(),
            noting: None,
            line_glyphs: Vec::new(),
        }
    }

    /// The finished layout.
    pub fn finish(self) -> Layout {
        Layout {
            page_size: (self.settings.page.width, self.settings.page.height),
            pages: self.pages,
            tree: self.tree,
            anchors: self.anchors,
            outline: self.outline,
            problems: self.problems,
            missing: self.missing,
        }
    }

    /// Adds a structure element under `parent`.
    pub fn open(&mut self, role: Role, parent: usize) -> usize {
        let index = self.tree.len();
        self.tree.push(StructElem { role, parent: Some(parent), alt: None, lang: None, kids: Vec::new() });
        self.tree[parent].kids.push(Kid::Elem(index));
        index
    }

    /// A full-width band of `color` across the top of the current page, `height` deep, as page
    /// furniture (the NHS Blue band of covers and posters).
    pub fn top_band(&mut self, height: f32, color: Rgb) {
        let width = self.settings.page.width;
        self.push(Item::Rect {
            x: 0.0,
            y: 0.0,
            w: width,
            h: height,
            fill: Some(color),
            stroke: None,
            tag: Tag::Artifact,
        });
    }

    /// A thin horizontal rule from `x1` to `x2` at `y` on page `page`, as page furniture (under a
    /// running header, over a footer).
    pub fn furniture_rule(&mut self, page: usize, x1: f32, x2: f32, y: f32, color: Rgb) {
        self.target_page = Some(page);
        self.push(Item::Rule { x1, y1: y, x2, y2: y, width: 0.5, color, tag: Tag::Artifact });
        self.target_page = None;
    }

    /// Puts an item on the current page.
    pub fn push(&mut self, item: Item) {
        let page = self.target_page.unwrap_or(self.pages.len() - 1);
        self.push_on(page, item);
    }

    /// Puts an item on page `page` beneath everything already there (drawn first), such as a
    /// mark across the whole page; the tag tree's references to the page's items follow them.
    pub fn underlay(&mut self, page: usize, item: Item) {
        for elem in &mut self.tree {
            for kid in &mut elem.kids {
                if let Kid::Item { page: p, item: i } = kid
                    && *p == page
                {
                    *i += 1;
                }
            }
        }
        if let Item::Text { run, .. } = &item {
            self.fonts.mark_used(run);
        }
        let tag = item.tag();
        self.pages[page].items.insert(0, item);
        if let Tag::Elem(e) = tag {
            self.tree[e].kids.push(Kid::Item { page, item: 0 });
        }
    }

    /// Puts an item on page `page`.
    pub fn push_on(&mut self, page: usize, mut item: Item) {
        if let Item::Text { run, .. } = &mut item {
            self.fonts.mark_used(run);
            // A line's glyphs were gathered by growing the vector; a document keeps every page's
            // items until it is written, so the spare room would add up to a third more memory.
            run.glyphs.shrink_to_fit();
        }
        let tag = item.tag();
        let items = &mut self.pages[page].items;
        items.push(item);
        if let Tag::Elem(e) = tag {
            let kid = Kid::Item { page, item: items.len() - 1 };
            self.tree[e].kids.push(kid);
        }
    }

    /// Top of the text area.
    pub fn top(&self) -> f32 {
        self.settings.page.margin_top
    }

    /// Bottom of the text area.
    pub fn bottom(&self) -> f32 {
        self.settings.page.height - self.settings.page.margin_bottom
    }

    /// Starts a new page.
    pub fn new_page(&mut self) {
        self.pages.push(Page::default());
        self.y = self.top();
    }

    /// Starts a new page unless `height` still fits on this one (or this page is empty).
    pub fn ensure(&mut self, height: f32) {
        if self.y + height > self.bottom() && self.y > self.top() + 0.5 {
            self.new_page();
        }
    }

    /// Vertical space that disappears at the top of a page.
    pub fn space(&mut self, amount: f32) {
        if self.y > self.top() + 0.5 {
            self.y += amount;
        }
    }

    /// Body text style.
    pub fn body_style(&self) -> TextStyle {
        TextStyle { style: Style::Regular, size: self.settings.type_scale.body, color: self.settings.palette.text }
    }

    fn note_missing(&mut self, missing: &[char]) {
        if let Some(noting) = &mut self.noting {
            noting.extend_from_slice(missing);
        }
        for ch in missing {
            self.missing.entry(*ch).or_insert(self.line);
        }
    }

    // ----- inline text ----------------------------------------------------------------------

    /// Runs `work`, returning what it returns and the characters no face has that it noted.
    fn noting<R>(&mut self, work: impl FnOnce(&mut Self) -> R) -> (R, Vec<char>) {
        let outer = self.noting.replace(Vec::new());
        let result = work(self);
        let noted = std::mem::replace(&mut self.noting, outer).unwrap_or_default();
        if let Some(outer) = &mut self.noting {
            outer.extend_from_slice(&noted);
        }
        (result, noted)
    }

    /// [`Flow::inline_text`] of `inlines` in `base`, and with `width` the number of lines
    /// [`Flow::line_count`] makes of it there. The last few texts are kept: a text made again
    /// (the same inlines, style, direction and language) is taken from them, and the characters
    /// no face has that making it noted are noted again, at the current line, as making it
    /// would. Both are pure functions of those inputs and the flow's settings, so nothing
    /// changes but the time.
    fn kept_text(&mut self, inlines: &[Inline], base: TextStyle, width: Option<f32>) -> (Rc<InlineText>, usize) {
        // The language is most often the document's own (""): compared without a call to the
        // library's memcmp, which every look-up made four times (a twentieth of a `check`).
        let same_language =
            |kept: &str, current: &str| kept.len() == current.len() && (kept.is_empty() || kept == current);
        let same = |k: &KeptText, flow: &Self| {
            k.rtl == flow.rtl
                && k.base.style == base.style
                && k.base.size.to_bits() == base.size.to_bits()
                && k.base.color == base.color
                && same_language(&k.language, flow.fonts.language())
                && k.inlines == inlines
        };
        let index = match self.kept.iter().position(|k| same(k, self)) {
            Some(index) => {
                let missing = self.kept[index].missing.clone();
                self.note_missing(&missing);
                index
            }
            None => {
                let (text, missing) = self.noting(|flow| flow.inline_text(inlines, base));
                if self.kept.len() >= KEPT_TEXTS {
                    self.kept.remove(0);
                }
                self.kept.push(KeptText {
                    inlines: inlines.to_vec(),
                    base,
                    rtl: self.rtl,
                    language: self.fonts.language().to_string(),
                    text: Rc::new(text),
                    missing,
                    lines: None,
                });
                self.kept.len() - 1
            }
        };
        let text = Rc::clone(&self.kept[index].text);
        let Some(width) = width else { return (text, 0) };
        if let Some((bits, count, missing)) = &self.kept[index].lines
            && *bits == width.to_bits()
        {
            let (count, missing) = (*count, missing.clone());
            self.note_missing(&missing);
            return (text, count);
        }
        let (count, missing) = self.noting(|flow| flow.line_count(&text, width));
        self.kept[index].lines = Some((width.to_bits(), count, missing));
        (text, count)
    }

    fn inline_text(&mut self, inlines: &[Inline], base: TextStyle) -> InlineText {
        let mut spans: Vec<Span> = Vec::new();
        let mut links = Vec::new();
        let mut langs: Vec<Rc<str>> = Vec::new();
        self.flatten(inlines, base, (None, None), &mut spans, &mut links, &mut langs);
        // The bidi algorithm runs only where there is right-to-left text or a right-to-left
        // document, so other text is laid out exactly as before.
        let any_rtl = spans.iter().any(|s| may_hold_rtl(&s.text) && s.text.chars().any(strong_rtl));
        // A paragraph wholly in one marked language takes that language's direction.
        let whole_span_lang = match inlines {
            [Inline::Span { lang, .. }] => Some(crate::model::languages::is_rtl(lang)),
            _ => None,
        };
        let rtl = whole_span_lang.unwrap_or(self.rtl);
        let levels: Option<Vec<Level>> = (any_rtl || rtl).then(|| {
            let full: String =
                spans.iter().map(|s| if s.icon.is_some() { "\u{FFFC}" } else { s.text.as_ref() }).collect();
            let base = if rtl { Level::rtl() } else { Level::ltr() };
            BidiInfo::new(&full, Some(base)).levels
        });
        let mut pieces = Vec::new();
        let mut offset = 0;
        for span in spans {
            let span_levels = levels.as_ref().map(|l| {
                let len = if span.icon.is_some() { '\u{FFFC}'.len_utf8() } else { span.text.len() };
                &l[offset..offset + len]
            });
            offset += if span.icon.is_some() { '\u{FFFC}'.len_utf8() } else { span.text.len() };
            if let Some(name) = span.icon {
                let size = span.style.size;
                pieces.push(Piece {
                    body: None,
                    body_width: size * INLINE_ICON_EM,
                    tail: None,
                    tail_width: 0.0,
                    style: span.style.style,
                    size,
                    color: span.style.color,
                    link: span.link,
                    hard_break: false,
                    icon: Some(name),
                    lang: span.lang.map(|l| (l, Rc::clone(&langs[l]))),
                    icon_level: span_levels.and_then(|l| l.first()).map_or(0, |l| l.number()),
                });
                continue;
            }
            let lang = span.lang.map(|l| (l, Rc::clone(&langs[l])));
            let previous = lang.as_ref().map(|(_, tag)| self.fonts.set_language(tag));
            self.cut_pieces(&span.text, span.style, span.link, lang, span_levels, &mut pieces);
            if let Some(previous) = previous {
                self.fonts.set_language(&previous);
            }
        }
        let bidi = levels.is_some_and(|l| l.iter().any(|l| l.number() > 0));
        InlineText { pieces, links, rtl, bidi }
    }

    fn flatten<'i>(
        &mut self,
        inlines: &'i [Inline],
        style: TextStyle,
        (link, lang): (Option<usize>, Option<usize>),
        spans: &mut Vec<Span<'i>>,
        links: &mut Vec<Dest>,
        langs: &mut Vec<Rc<str>>,
    ) {
        let text = |text: std::borrow::Cow<'i, str>, style: TextStyle| Span { text, style, link, icon: None, lang };
        for inline in inlines {
            match inline {
                // Phone numbers never break across lines (model::phone).
                Inline::Text(t) => spans.push(text(keep_numbers_whole(t), style)),
                Inline::Code(t) => {
                    spans.push(text(t.as_str().into(), TextStyle { color: self.settings.palette.muted, ..style }))
                }
                Inline::Emphasis(c) => {
                    let s = TextStyle { style: style.style.slanted(), ..style };
                    self.flatten(c, s, (link, lang), spans, links, langs);
                }
                Inline::Strong(c) => {
                    let s = TextStyle { style: style.style.bolder(), ..style };
                    self.flatten(c, s, (link, lang), spans, links, langs);
                }
                Inline::Link { target, content, .. } => {
                    links.push((self.resolve_link)(target));
                    let s = TextStyle { color: self.settings.palette.accent, ..style };
                    self.flatten(content, s, (Some(links.len() - 1), lang), spans, links, langs);
                }
                Inline::Span { lang: tag, content } => {
                    langs.push(Rc::from(tag.as_str()));
                    self.flatten(content, style, (link, Some(langs.len() - 1)), spans, links, langs);
                }
                Inline::Image { alt, .. } => {
                    // Pictures inside running text are drawn as figures after the paragraph;
                    // here only their words stay, in brackets, so the sentence still reads.
                    spans.push(text(format!("[{alt}]").into(), style));
                }
                Inline::Icon(name) => spans.push(Span { icon: Some(name.clone()), ..text("".into(), style) }),
                Inline::LineBreak => spans.push(text("\n".into(), style)),
            }
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn cut_pieces(
        &mut self,
        text: &str,
        style: TextStyle,
        link: Option<usize>,
        lang: Option<(usize, Rc<str>)>,
        levels: Option<&[Level]>,
        out: &mut Vec<Piece>,
    ) {
        let mut start = 0;
        // The last trailing text shaped without levels and its shaping: most are one space, and
        // shaping it again gives the same (its characters no face has are noted already, at
        // this same line).
        let mut last_tail: Option<(String, ShapedWidth)> = None;
        for (end, opportunity) in line_breaks(text) {
            let chunk = &text[start..end];
            let chunk_start = start;
            start = end;
            let visible = chunk.trim_end_matches(char::is_whitespace);
            let trailing = &chunk[visible.len()..];
            let hard = opportunity == BreakOpportunity::Mandatory && end < text.len() || trailing.contains('\n');
            let (body, body_width) = match levels {
                Some(l) => self.shape_levels(style, visible, &l[chunk_start..chunk_start + visible.len()]),
                None => self.shape(style, visible),
            };
            // A hard line break is a word break too: it stays in the text as a space glyph at the
            // line end (invisible, and never measured), so the tag tree reads "foo bar", not
            // "foobar". A newline that only ends the text (a YAML folded value) is no break.
            let tail_text: std::borrow::Cow<'_, str> = if trailing.contains('\n') {
                let mut own: String = trailing.chars().filter(|c| *c != '\n').collect();
                if own.is_empty() && (end < text.len() || visible.is_empty()) {
                    own.push(' ');
                }
                own.into()
            } else {
                trailing.into()
            };
            // Spaces between words resolve to the level around them.
            let tail_level = levels.and_then(|l| l.get(chunk_start + visible.len()).or(l.last()));
            let (tail, tail_width) = match tail_level {
                Some(level) => {
                    let own = vec![*level; tail_text.len()];
                    self.shape_levels(style, &tail_text, &own)
                }
                None => match &last_tail {
                    Some((known, shaped)) if *known == *tail_text => shaped.clone(),
                    _ => {
                        let shaped = self.shape(style, &tail_text);
                        last_tail = Some((tail_text.into_owned(), shaped.clone()));
                        shaped
                    }
                },
            };
            // A break opportunity that is not mandatory ends the text: the last chunk of a span
            // is glued to the next span unless it ends in a space.
            out.push(Piece {
                body,
                body_width,
                tail,
                tail_width,
                style: style.style,
                size: style.size,
                color: style.color,
                link,
                hard_break: hard,
                icon: None,
                lang: lang.clone(),
                icon_level: 0,
            });
        }
    }

    fn shape(&mut self, style: TextStyle, text: &str) -> (Option<Rc<Shaped>>, f32) {
        if text.is_empty() {
            return (None, 0.0);
        }
        let shaped = self.fonts.shape_shared(style.style, text);
        if !shaped.missing.is_empty() {
            self.note_missing(&shaped.missing);
        }
        let width = shaped.width(style.size);
        (Some(shaped), width)
    }

    /// Shapes `text` run by run of equal bidi level (`levels`, one per byte), each run in its
    /// direction and marked with its level, in logical order.
    fn shape_levels(&mut self, style: TextStyle, text: &str, levels: &[Level]) -> (Option<Rc<Shaped>>, f32) {
        if text.is_empty() {
            return (None, 0.0);
        }
        if levels.iter().all(|l| l.number() == 0) {
            return self.shape(style, text);
        }
        let mut runs = Vec::new();
        let mut missing = Vec::new();
        let mut start = 0;
        while start < text.len() {
            let level = levels[start];
            let mut end = start;
            while end < text.len() && levels[end] == level {
                end += text[end..].chars().next().map_or(1, char::len_utf8);
            }
            let shaped = self.fonts.shape_directed(style.style, &text[start..end], level.is_rtl());
            missing.extend(shaped.missing.iter().copied());
            // A right-to-left run's stretches come in drawing order: back to reading order, so the
            // line's reordering puts every run of the line in place at once.
            let ordered: Box<dyn Iterator<Item = &ShapedRun>> =
                if level.is_rtl() { Box::new(shaped.runs.iter().rev()) } else { Box::new(shaped.runs.iter()) };
            runs.extend(ordered.cloned().map(|mut r| {
                r.level = level.number();
                r
            }));
            start = end;
        }
        if !missing.is_empty() {
            self.note_missing(&missing);
        }
        let shaped = Shaped::new(runs, missing);
        let width = shaped.width(style.size);
        (Some(Rc::new(shaped)), width)
    }

    /// Breaks a word too wide for `max` into pieces that fit, glyph by glyph. The cuts come
    /// from the word's own glyphs, measured once (shaping every prefix again was quadratic in
    /// the word's length); each piece is then shaped once, in the word's direction.
    fn split_word(&mut self, piece: &Piece, max: f32) -> Vec<Piece> {
        let level = runs(&piece.body).first().map_or(0, |r| r.level);
        let style = TextStyle { style: piece.style, size: piece.size, color: piece.color };
        let shape = |flow: &mut Self, text: &str| match level {
            0 => flow.shape(style, text),
            n => flow.shape_levels(style, text, &vec![Level::new(n).unwrap_or_else(|_| Level::rtl()); text.len()]),
        };
        let scale = piece.size / 1000.0;
        let mut chunks = Vec::new();
        let mut current = String::new();
        // Width of `current`, without the kerning after its last glyph.
        let mut width = 0.0f32;
        // The glyphs in reading order (a right-to-left run's are in drawing order); a glyph that
        // says nothing of its own (an Arabic letter's dots, a mark) stays with the one before.
        let glyphs = runs(&piece.body).iter().flat_map(|r| {
            let ordered: Vec<_> = if r.rtl() { r.glyphs.iter().rev().collect() } else { r.glyphs.iter().collect() };
            ordered
        });
        for glyph in glyphs {
            let advance = glyph.advance as f32 * scale;
            if width + advance > max && !current.is_empty() && !glyph.repeats_text {
                chunks.push(std::mem::take(&mut current));
                width = 0.0;
            }
            if !glyph.repeats_text {
                current.push_str(glyph.text.as_str());
            }
            width += advance + glyph.kern * scale;
        }
        let mut out = Vec::with_capacity(chunks.len() + 1);
        for chunk in chunks {
            let (body, body_width) = shape(self, &chunk);
            out.push(Piece { body, body_width, tail: None, tail_width: 0.0, hard_break: true, ..piece.clone() });
        }
        let (body, body_width) = shape(self, &current);
        out.push(Piece { body, body_width, ..piece.clone() });
        out
    }

    /// How many lines [`Flow::break_lines`] makes of `text` at `max`, without making them (a
    /// measurement: no piece is copied into a line). Must follow `break_lines` step by step.
    fn line_count(&mut self, text: &InlineText, max: f32) -> usize {
        let mut count = 0;
        let mut in_line = false;
        let mut x = 0.0;
        let mut queue: Vec<std::borrow::Cow<'_, Piece>> =
            text.pieces.iter().rev().map(std::borrow::Cow::Borrowed).collect();
        while let Some(piece) = queue.pop() {
            if in_line && x + piece.body_width > max + 0.01 {
                count += 1;
                in_line = false;
                x = 0.0;
            }
            if !in_line && piece.body_width > max + 0.01 && piece.icon.is_none() {
                let parts = self.split_word(&piece, max);
                queue.extend(parts.into_iter().rev().map(std::borrow::Cow::Owned));
                if let Some(first) = queue.pop() {
                    in_line = true;
                    if first.hard_break {
                        count += 1;
                        in_line = false;
                        x = 0.0;
                    } else {
                        x = first.body_width;
                    }
                }
                continue;
            }
            x += piece.body_width + piece.tail_width;
            in_line = true;
            if piece.hard_break {
                count += 1;
                in_line = false;
                x = 0.0;
            }
        }
        count + usize::from(in_line)
    }

    fn break_lines(&mut self, text: &InlineText, max: f32) -> Vec<Line> {
        let mut lines = Vec::new();
        let mut current = Line { parts: Vec::new(), width: 0.0, rtl: text.rtl, bidi: text.bidi };
        let mut x = 0.0;
        let mut queue: Vec<Piece> = text.pieces.iter().rev().cloned().collect();
        while let Some(piece) = queue.pop() {
            if !current.parts.is_empty() && x + piece.body_width > max + 0.01 {
                lines.push(std::mem::replace(
                    &mut current,
                    Line { parts: Vec::new(), width: 0.0, rtl: text.rtl, bidi: text.bidi },
                ));
                x = 0.0;
            }
            if current.parts.is_empty() && piece.body_width > max + 0.01 && piece.icon.is_none() {
                let parts = self.split_word(&piece, max);
                queue.extend(parts.into_iter().rev());
                if let Some(first) = queue.pop() {
                    let w = first.body_width;
                    let hard = first.hard_break;
                    current.parts.push((0.0, first, true));
                    current.width = w;
                    if hard {
                        lines.push(std::mem::replace(
                            &mut current,
                            Line { parts: Vec::new(), width: 0.0, rtl: text.rtl, bidi: text.bidi },
                        ));
                        x = 0.0;
                    } else {
                        x = w;
                    }
                }
                continue;
            }
            let hard = piece.hard_break;
            current.width = x + piece.body_width;
            x += piece.body_width + piece.tail_width;
            current.parts.push((current.width - piece.body_width, piece, true));
            if hard {
                lines.push(std::mem::replace(
                    &mut current,
                    Line { parts: Vec::new(), width: 0.0, rtl: text.rtl, bidi: text.bidi },
                ));
                x = 0.0;
            }
        }
        if !current.parts.is_empty() {
            lines.push(current);
        }
        // Trailing spaces stay on as invisible glyphs past the line end: text extraction and
        // screen readers then see a space between the last word of a line and the next.
        lines
    }

    /// Draws one line with its top at `top`; text belongs to `tag`, links get `Link` elements
    /// under `tag` (created on first use through `link_elems`).
    #[allow(clippy::too_many_arguments)]
    fn draw_line(
        &mut self,
        line: &Line,
        x0: f32,
        top: f32,
        line_height: f32,
        tag: usize,
        links: &[Dest],
        link_elems: &mut FxHashMap<usize, usize>,
    ) {
        if line.bidi {
            self.draw_line_bidi(line, x0, top, line_height, tag, links, link_elems);
            return;
        }
        let ascender = self.fonts.ascender();
        let descender = self.fonts.descender();
        // The item being gathered, its glyphs apart in a buffer kept from line to line: they
        // go into the item at their final length (grown run by run and then shrunk, they were
        // copied again and again).
        let mut pending: Option<Item> = None;
        let mut glyphs = std::mem::take(&mut self.line_glyphs);
        glyphs.clear();
        // Width of the pending item's glyphs in thousandths of an em, summed glyph by glyph in
        // drawing order exactly as `ShapedRun::width_em` would (not re-summed per merge).
        let mut pending_em = 0.0f32;
        let mut link_spans: Vec<(usize, f32, f32, f32)> = Vec::new();
        for (dx, piece, with_tail) in &line.parts {
            let size = piece.size;
            let baseline = top + (line_height + (ascender + descender) * size / 1000.0) / 2.0;
            let item_tag = self.piece_tag(piece, tag, link_elems);
            let start = x0 + dx;
            let mut x = start;
            if let Some(name) = &piece.icon {
                self.push_pending(&mut pending, &mut glyphs);
                self.draw_icon(name, x, baseline, size, piece.color, item_tag);
                x += piece.body_width;
            }
            let tail: &[ShapedRun] = if *with_tail { runs(&piece.tail) } else { &[] };
            for run in runs(&piece.body).iter().chain(tail) {
                let run_width = run.width_em() * size / 1000.0;
                let mergeable = matches!(&pending, Some(Item::Text { x: px, run: prun, size: psize, color, tag: ptag, .. })
                    if prun.face == run.face && *psize == size && *color == piece.color && *ptag == item_tag
                        && (px + pending_em * size / 1000.0 - x).abs() < 0.01);
                if !mergeable {
                    self.push_pending(&mut pending, &mut glyphs);
                    pending_em = 0.0;
                    let started = ShapedRun { face: run.face, glyphs: Vec::new(), level: run.level };
                    pending =
                        Some(Item::Text { x, y: baseline, size, color: piece.color, run: started, tag: item_tag });
                }
                glyphs.extend_from_slice(&run.glyphs);
                pending_em = run.glyphs.iter().fold(pending_em, |em, g| em + (g.advance as f32 + g.kern));
                x += run_width;
            }
            if let Some(l) = piece.link {
                let end = start + piece.body_width;
                match link_spans.last_mut() {
                    Some((pl, _, e, _)) if *pl == l => *e = end,
                    _ => link_spans.push((l, start, end, baseline)),
                }
            }
        }
        self.push_pending(&mut pending, &mut glyphs);
        self.line_glyphs = glyphs;
        self.underline_links(&link_spans, link_elems, links, top, line_height);
    }

    /// Puts the text item [`Flow::draw_line`] is gathering on the page, with `glyphs` (emptied).
    fn push_pending(&mut self, pending: &mut Option<Item>, glyphs: &mut Vec<Glyph>) {
        if let Some(mut item) = pending.take() {
            if let Item::Text { run, .. } = &mut item {
                run.glyphs = glyphs.as_slice().to_vec();
            }
            glyphs.clear();
            self.push(item);
        }
    }

    /// The element a piece's items belong to: its link's (made on first use, under its language
    /// span's when it has one), else its language span's (a `Span` with that `/Lang`), else `tag`.
    fn piece_tag(&mut self, piece: &Piece, tag: usize, elems: &mut FxHashMap<usize, usize>) -> Tag {
        let parent = match &piece.lang {
            Some((index, lang)) => {
                let key = LANG_KEY + index;
                match elems.get(&key) {
                    Some(e) => *e,
                    None => {
                        let e = self.open(Role::Span, tag);
                        self.tree[e].lang = Some(lang.to_string());
                        elems.insert(key, e);
                        e
                    }
                }
            }
            None => tag,
        };
        match piece.link {
            Some(l) => {
                let elem = match elems.get(&l) {
                    Some(e) => *e,
                    None => {
                        let e = self.open(Role::Link, parent);
                        elems.insert(l, e);
                        e
                    }
                };
                Tag::Elem(elem)
            }
            None => Tag::Elem(parent),
        }
    }

    /// [`Flow::draw_line`] for a line with right-to-left text: its runs reordered by the bidi
    /// algorithm (rule L2: from the highest level down to the lowest odd one, every stretch at
    /// that level or above is reversed), each right-to-left run drawn on its own so it keeps its
    /// reading-order text. The space after the line's last word stays past its end (to the left
    /// in a right-to-left paragraph), unmeasured.
    #[allow(clippy::too_many_arguments)]
    fn draw_line_bidi(
        &mut self,
        line: &Line,
        x0: f32,
        top: f32,
        line_height: f32,
        tag: usize,
        links: &[Dest],
        elems: &mut FxHashMap<usize, usize>,
    ) {
        let ascender = self.fonts.ascender();
        let descender = self.fonts.descender();
        // (reading-order index, part, run or icon, level, width); the last part's tail apart.
        let mut order: Vec<(usize, usize, Option<ShapedRun>, u8, f32)> = Vec::new();
        let mut final_tail: Vec<(usize, ShapedRun, f32)> = Vec::new();
        let last = line.parts.len().saturating_sub(1);
        for (p, (_, piece, with_tail)) in line.parts.iter().enumerate() {
            if piece.icon.is_some() {
                order.push((order.len(), p, None, piece.icon_level, piece.body_width));
            }
            for run in runs(&piece.body) {
                order.push((order.len(), p, Some(run.clone()), run.level, run.width_em() * piece.size / 1000.0));
            }
            if *with_tail {
                for run in runs(&piece.tail) {
                    let width = run.width_em() * piece.size / 1000.0;
                    if p == last {
                        final_tail.push((p, run.clone(), width));
                    } else {
                        order.push((order.len(), p, Some(run.clone()), run.level, width));
                    }
                }
            }
        }
        let highest = order.iter().map(|e| e.3).max().unwrap_or(0);
        let lowest_odd = order.iter().map(|e| e.3).filter(|l| l % 2 == 1).min().unwrap_or(highest + 1);
        let mut level = highest;
        while level >= lowest_odd && level > 0 {
            let mut i = 0;
            while i < order.len() {
                if order[i].3 >= level {
                    let start = i;
                    while i < order.len() && order[i].3 >= level {
                        i += 1;
                    }
                    order[start..i].reverse();
                } else {
                    i += 1;
                }
            }
            level -= 1;
        }
        // Places left to right; link areas over what is visually together.
        let mut x = x0;
        let mut link_spans: Vec<(usize, f32, f32, f32)> = Vec::new();
        let mut placed: Vec<(usize, usize, Option<ShapedRun>, f32)> = Vec::with_capacity(order.len());
        for (logical, p, run, _, width) in order {
            let piece = &line.parts[p].1;
            if let Some(l) = piece.link {
                let baseline = top + (line_height + (ascender + descender) * piece.size / 1000.0) / 2.0;
                match link_spans.last_mut() {
                    Some((pl, _, e, _)) if *pl == l && (*e - x).abs() < 0.01 => *e = x + width,
                    _ => link_spans.push((l, x, x + width, baseline)),
                }
            }
            placed.push((logical, p, run, x));
            x += width;
        }
        // Drawn in reading order (the content stream is what the tag tree and screen readers
        // read), each at its place on the line.
        placed.sort_by_key(|(logical, ..)| *logical);
        for (_, p, run, x) in placed {
            let piece = &line.parts[p].1;
            let size = piece.size;
            let baseline = top + (line_height + (ascender + descender) * size / 1000.0) / 2.0;
            let item_tag = self.piece_tag(piece, tag, elems);
            match (run, &piece.icon) {
                (Some(run), _) => {
                    self.push(Item::Text { x, y: baseline, size, color: piece.color, run, tag: item_tag })
                }
                (None, Some(name)) => self.draw_icon(name, x, baseline, size, piece.color, item_tag),
                (None, None) => {}
            }
        }
        let mut tail_x = if line.rtl { x0 } else { x };
        for (p, run, width) in final_tail {
            if line.rtl {
                tail_x -= width;
            }
            // Past the line's end: not a link's part.
            let piece = &line.parts[p].1;
            let size = piece.size;
            let baseline = top + (line_height + (ascender + descender) * size / 1000.0) / 2.0;
            let item_tag = self.piece_tag(piece, tag, elems);
            self.push(Item::Text { x: tail_x, y: baseline, size, color: piece.color, run, tag: item_tag });
            if !line.rtl {
                tail_x += width;
            }
        }
        self.underline_links(&link_spans, elems, links, top, line_height);
    }

    /// Underlines each link's stretch of a line `(link, x1, x2, baseline)` and makes it a
    /// clickable area tagged with the link's element.
    fn underline_links(
        &mut self,
        spans: &[(usize, f32, f32, f32)],
        elems: &FxHashMap<usize, usize>,
        links: &[Dest],
        top: f32,
        line_height: f32,
    ) {
        for &(l, x1, x2, baseline) in spans {
            let (Some(elem), Some(dest)) = (elems.get(&l).copied(), links.get(l).cloned()) else { continue };
            self.push(Item::Rule {
                x1,
                y1: baseline + 1.5,
                x2,
                y2: baseline + 1.5,
                width: 0.6,
                color: self.settings.palette.accent,
                tag: Tag::Artifact,
            });
            self.push(Item::Link { x: x1, y: top, w: x2 - x1, h: line_height, dest, tag: Tag::Elem(elem) });
        }
    }

    /// Draws an icon of running text as a `Figure` (under `tag`'s element) whose alternative
    /// text says what it shows, so the sentence reads as the web page's does.
    fn draw_icon(&mut self, name: &str, x: f32, baseline: f32, size: f32, color: Rgb, tag: Tag) {
        match (self.icons)(name) {
            Some(picture) => {
                let tag = match tag {
                    Tag::Elem(parent) => {
                        let figure = self.open(Role::Figure, parent);
                        self.tree[figure].alt = Some((self.describe_icon)(name));
                        Tag::Elem(figure)
                    }
                    Tag::Artifact => Tag::Artifact,
                };
                let box_size = size * 1.05;
                let scale = box_size / picture.width.max(picture.height).max(0.01);
                self.push(Item::Path {
                    x: x + size * 0.05,
                    y: baseline - box_size * 0.85,
                    scale,
                    stroke_scale: 1.0,
                    color,
                    picture,
                    tag,
                });
            }
            None => {
                self.push(Item::Rect {
                    x,
                    y: baseline - size * 0.8,
                    w: size,
                    h: size,
                    fill: None,
                    stroke: Some((color, 0.6)),
                    tag: Tag::Artifact,
                });
            }
        }
    }

    /// Lays out inline content as a run of lines at the cursor, splitting it across pages with
    /// at least two lines on each side of a break.
    pub fn paragraph(&mut self, inlines: &[Inline], style: TextStyle, elem: usize) {
        self.paragraph_keeping(inlines, style, elem, 0.0);
    }

    /// As [`Flow::paragraph`], with the last lines kept on the page of the next `keep_after`
    /// points (a list's lead-in stays with the list's first item): when they do not fit below
    /// the paragraph, its last two lines (or all of a paragraph too short to split) go over to
    /// the next page.
    fn paragraph_keeping(&mut self, inlines: &[Inline], style: TextStyle, elem: usize, keep_after: f32) {
        // Measuring only, the lines are counted, not made: the same pages, none of the copying.
        let (text, counted) = self.kept_text(inlines, style, self.measure_only.then_some(self.width));
        let lines = if self.measure_only { Vec::new() } else { self.break_lines(&text, self.width) };
        let line_total = if self.measure_only { counted } else { lines.len() };
        let line_height = self.settings.line_height(style.size);
        let mut link_elems = FxHashMap::default();
        let mut place = |flow: &mut Self, range: std::ops::Range<usize>| {
            if flow.measure_only {
                // One addition per line, as drawing them makes, so the cursor ends where it would.
                for _ in range {
                    flow.y += line_height;
                }
            } else {
                flow.place_lines(&lines[range], style, elem, &text.links, &mut link_elems, line_height);
            }
        };
        let mut index = 0;
        while index < line_total {
            let remaining = line_total - index;
            let room = ((self.bottom() - self.y) / line_height + 0.001).floor().max(0.0) as usize;
            let kept_too = self.y + remaining as f32 * line_height + keep_after <= self.bottom() + 0.01;
            let take = if remaining <= room && (kept_too || keep_after <= 0.0) {
                remaining
            } else if remaining <= room {
                // The lines fit, what must follow them does not: the last two go over with it.
                if remaining >= 4 { remaining - 2 } else { 0 }
            } else if room < 2 || remaining < 4 {
                0
            } else {
                room.min(remaining - 2)
            };
            if take == 0 {
                if self.y > self.top() + 0.5 {
                    self.new_page();
                    continue;
                }
                // An empty page too short for the lines: place them anyway.
                let take_all = remaining.min(room.max(1));
                place(self, index..index + take_all);
                index += take_all;
                continue;
            }
            place(self, index..index + take);
            index += take;
            if index < line_total {
                self.new_page();
            }
        }
    }

    fn place_lines(
        &mut self,
        lines: &[Line],
        _style: TextStyle,
        elem: usize,
        links: &[Dest],
        link_elems: &mut FxHashMap<usize, usize>,
        line_height: f32,
    ) {
        for line in lines {
            // A right-to-left paragraph's lines are aligned right.
            let left = if line.rtl { self.left + self.width - line.width } else { self.left };
            let y = self.y;
            self.draw_line(line, left, y, line_height, elem, links, link_elems);
            self.y += line_height;
        }
    }

    /// Height of inline content at `width` (for keep-together decisions).
    pub fn measure(&mut self, inlines: &[Inline], style: TextStyle, width: f32) -> f32 {
        let (_, lines) = self.kept_text(inlines, style, Some(width));
        lines as f32 * self.settings.line_height(style.size)
    }

    // ----- blocks -----------------------------------------------------------------------------

    /// Lays out a heading, keeping it on the page of what follows it.
    pub fn heading(&mut self, level: u8, inlines: &[Inline], anchor: &str, parent: usize, in_outline: bool) {
        let scale = self.settings.type_scale;
        let style = self.heading_style(level);
        let size = style.size;
        let height = self.heading_height(level, inlines);
        self.space(size * 0.9);
        // A heading never ends a page: it stays with the start of what follows it (from
        // `blocks`), or with two lines of body text when a design lays it out on its own.
        let follow = match std::mem::take(&mut self.keep_with_next) {
            keep if keep > 0.0 => keep,
            _ => 2.0 * self.settings.line_height(scale.body),
        };
        self.ensure(height + follow);
        let elem = self.open(Role::H(level), parent);
        let page = self.pages.len() - 1;
        self.anchors.insert(anchor.to_string(), (page, self.y));
        if in_outline {
            self.outline.push(OutlineEntry {
                level,
                title: crate::model::plain_text(inlines).trim().to_string(),
                anchor: anchor.to_string(),
            });
        }
        self.paragraph(inlines, style, elem);
        if level == 2 {
            let y = self.y + 1.0;
            let (x1, x2) = (self.left, self.left + self.width);
            self.push(Item::Rule {
                x1,
                y1: y,
                x2,
                y2: y,
                width: 0.75,
                color: self.settings.palette.accent,
                tag: Tag::Artifact,
            });
            self.y += 3.0;
        }
        self.y += size * 0.35;
    }

    /// How a heading of `level` is set: bold at its size, in the accent colour down to level 2.
    fn heading_style(&self, level: u8) -> TextStyle {
        let color = if level <= 2 { self.settings.palette.accent } else { self.settings.palette.text };
        TextStyle { style: Style::Bold, size: self.settings.type_scale.heading(level), color }
    }

    /// The height a heading takes, from its top to where what follows it starts (the space
    /// above it, which disappears at the top of a page, left out).
    fn heading_height(&mut self, level: u8, inlines: &[Inline]) -> f32 {
        // The heading's own style (its colour changes no width), so that laying it out finds the
        // text this made (see `Flow::kept_text`).
        let style = self.heading_style(level);
        let size = style.size;
        let rule = if level == 2 { 3.0 } else { 0.0 };
        self.measure(inlines, style, self.width) + rule + size * 0.35
    }

    /// Lays out body blocks in order under `parent`, so that no heading ends a page and no list
    /// is cut off from its lead-in: each heading stays with the start of what follows it (two
    /// lines of a paragraph, or all of one too short to split; a list's first item; a table's
    /// header and first row; a picture; the next heading and what follows that), and the last
    /// lines of a paragraph just before a list stay with the list's first item.
    pub fn blocks(&mut self, blocks: &[Block], parent: usize) {
        let kinds: Vec<&BlockKind> = blocks.iter().map(|b| &b.kind).collect();
        for (index, block) in blocks.iter().enumerate() {
            self.line = block.line;
            let rest = &kinds[index + 1..];
            // Measuring what follows reports nothing: its problems (and characters no font has)
            // are found, at its own line, when it is laid out.
            let problems = self.problems.len();
            let missing = (!self.missing.is_empty()).then(|| self.missing.clone());
            self.keep_with_next = match (&block.kind, rest.first()) {
                (BlockKind::Heading { .. }, _) => self.lead(rest),
                (BlockKind::Paragraph(_), Some(BlockKind::List { .. })) => {
                    self.settings.type_scale.body * 0.6 + self.lead(rest)
                }
                _ => 0.0,
            };
            self.problems.truncate(problems);
            match missing {
                Some(known) => self.missing.retain(|ch, _| known.contains_key(ch)),
                None => self.missing.clear(),
            }
            self.block(&block.kind, parent);
            self.keep_with_next = 0.0;
        }
    }

    /// The height of the start of `rest` that must share a page with what comes before it (see
    /// [`Flow::blocks`]).
    fn lead(&mut self, rest: &[&BlockKind]) -> f32 {
        let Some(first) = rest.first() else { return 0.0 };
        let body = self.body_style();
        let line_height = self.settings.line_height(body.size);
        let gap = body.size * 0.6;
        match first {
            BlockKind::Heading { level, content, .. } => {
                let space = self.settings.type_scale.heading(*level) * 0.9;
                space + self.heading_height(*level, content) + self.lead(&rest[1..])
            }
            BlockKind::Paragraph(content) => {
                let (text, figures) = split_figures(content);
                if text.iter().all(|i| matches!(i, Inline::Text(t) if t.trim().is_empty())) {
                    return figures.first().map_or(0.0, |(path, _)| self.figure_size(path).map_or(0.0, |(_, h)| h));
                }
                let lines = self.measure(&text, body, self.width) / line_height;
                let lines = lines.round() as usize;
                // A paragraph of three lines or fewer is never split; a longer one leaves two.
                if lines < 4 {
                    let lead_in = matches!(rest.get(1), Some(BlockKind::List { .. }));
                    lines as f32 * line_height + if lead_in { gap + self.lead(&rest[1..]) } else { 0.0 }
                } else {
                    2.0 * line_height
                }
            }
            BlockKind::List { start, items, .. } => {
                let indent = if start.is_some() { 22.0 } else { 16.0 };
                let Some(item) = items.first() else { return 0.0 };
                let inner: Vec<&BlockKind> = item.iter().collect();
                self.width -= indent;
                let lead = self.lead(&inner);
                self.width += indent;
                lead.max(2.0 * line_height)
            }
            BlockKind::Table { header, rows, .. } => match self.table_plan(header, rows) {
                Some(plan) => plan.first_rows(),
                None => 0.0,
            },
            BlockKind::Quote(blocks) => {
                let inner: Vec<&BlockKind> = blocks.iter().collect();
                self.width -= 14.0;
                let lead = self.lead(&inner);
                self.width += 14.0;
                lead
            }
            BlockKind::Code { text, .. } => {
                text.lines().count().min(2) as f32 * self.settings.line_height(body.size * 0.9)
            }
            BlockKind::Rule => 0.0,
        }
    }

    /// Lays out one body block of the document model under `parent`.
    pub fn block(&mut self, kind: &BlockKind, parent: usize) {
        let body = self.body_style();
        let gap = self.settings.type_scale.body * 0.6;
        match kind {
            BlockKind::Heading { level, content, anchor } => self.heading(*level, content, anchor, parent, true),
            BlockKind::Paragraph(content) => {
                let (text, figures) = split_figures(content);
                if !text.iter().all(|i| matches!(i, Inline::Text(t) if t.trim().is_empty())) {
                    let elem = self.open(Role::P, parent);
                    let keep = std::mem::take(&mut self.keep_with_next);
                    self.paragraph_keeping(&text, body, elem, keep);
                    self.y += gap;
                }
                for (path, alt) in figures {
                    self.figure(&path, &alt, parent);
                    self.y += gap;
                }
            }
            BlockKind::List { start, items, .. } => {
                self.list(*start, items, parent);
                self.y += gap;
            }
            BlockKind::Table { align, header, rows } => {
                self.table(align, header, rows, parent);
                self.y += gap * 1.5;
            }
            BlockKind::Quote(blocks) => {
                let elem = self.open(Role::BlockQuote, parent);
                let indent = 14.0;
                let (left, width) = (self.left, self.width);
                if !self.rtl {
                    self.left += indent;
                }
                self.width -= indent;
                let start_page = self.pages.len() - 1;
                let start_y = self.y;
                for b in blocks {
                    self.block(b, elem);
                }
                self.left = left;
                self.width = width;
                // The bar is drawn per page the quote spans.
                let end_page = self.pages.len() - 1;
                for page in start_page..=end_page {
                    let y1 = if page == start_page { start_y } else { self.top() };
                    let y2 = if page == end_page { self.y - gap } else { self.bottom() };
                    let x = if self.rtl { left + width - 3.0 } else { left + 3.0 };
                    let color = self.settings.palette.accent;
                    self.push_on(page, Item::Rule { x1: x, y1, x2: x, y2, width: 3.0, color, tag: Tag::Artifact });
                }
            }
            BlockKind::Code { text, .. } => {
                let elem = self.open(Role::P, parent);
                let style = TextStyle { size: body.size * 0.9, ..body };
                let lh = self.settings.line_height(style.size);
                for raw in text.lines() {
                    self.ensure(lh);
                    let shade = self.settings.palette.shade;
                    let (x, y, w) = (self.left, self.y, self.width);
                    self.push(Item::Rect { x, y, w, h: lh, fill: Some(shade), stroke: None, tag: Tag::Artifact });
                    let inner = [Inline::Text(raw.replace('\t', "    "))];
                    let (l, wd) = (self.left, self.width);
                    self.left += 6.0;
                    self.width -= 12.0;
                    let t = self.inline_text(&inner, style);
                    let lines = self.break_lines(&t, self.width);
                    let mut links = FxHashMap::default();
                    for line in &lines {
                        self.ensure(lh);
                        let (x, y) = (self.left, self.y);
                        self.draw_line(line, x, y, lh, elem, &t.links, &mut links);
                        self.y += lh;
                    }
                    if lines.is_empty() {
                        self.y += lh;
                    }
                    self.left = l;
                    self.width = wd;
                }
                self.y += gap;
            }
            BlockKind::Rule => {
                self.space(gap);
                self.ensure(gap * 2.0);
                let (x1, x2, y) = (self.left, self.left + self.width, self.y);
                let color = self.settings.palette.rule;
                self.push(Item::Rule { x1, y1: y, x2, y2: y, width: 0.75, color, tag: Tag::Artifact });
                self.y += gap * 2.0;
            }
        }
    }

    fn list(&mut self, start: Option<u64>, items: &[Vec<BlockKind>], parent: usize) {
        let elem = self.open(Role::L, parent);
        let body = self.body_style();
        let line_height = self.settings.line_height(body.size);
        let depth_marker = if self.width < self.settings.page.text_width() - 1.0 { "–" } else { "•" };
        let indent = if start.is_some() { 22.0 } else { 16.0 };
        for (n, item) in items.iter().enumerate() {
            let li = self.open(Role::LI, elem);
            let label = match start {
                Some(first) => format!("{}.", first + n as u64),
                None => depth_marker.to_string(),
            };
            // The first line of the item must sit beside its label.
            self.ensure(line_height * 2.0);
            let lbl = self.open(Role::Lbl, li);
            let mut label_text = self.inline_text(&[Inline::Text(label)], body);
            for piece in &mut label_text.pieces {
                if start.is_none() {
                    piece.color = self.settings.palette.accent;
                }
            }
            let lines = self.break_lines(&label_text, indent);
            // In a right-to-left document the label stands on the right, the text to its left.
            let (x, y) = match (self.rtl, lines.first()) {
                (true, Some(first)) => (self.left + self.width - first.width, self.y),
                _ => (self.left, self.y),
            };
            let mut none = FxHashMap::default();
            if let Some(first) = lines.first() {
                self.draw_line(first, x, y, line_height, lbl, &[], &mut none);
            }
            let lbody = self.open(Role::LBody, li);
            let (left, width) = (self.left, self.width);
            if !self.rtl {
                self.left += indent;
            }
            self.width -= indent;
            for (i, b) in item.iter().enumerate() {
                match b {
                    BlockKind::Paragraph(content) => {
                        let p = self.open(Role::P, lbody);
                        self.paragraph(content, body, p);
                        if i + 1 < item.len() {
                            self.y += body.size * 0.4;
                        }
                    }
                    other => self.block(other, lbody),
                }
            }
            self.left = left;
            self.width = width;
            self.y += body.size * 0.25;
        }
    }

    fn figure(&mut self, path: &str, alt: &str, parent: usize) {
        let Some(bytes) = self.images.get(path) else {
            self.problems.push(LayoutProblem {
                line: self.line,
                error: true,
                message: format!("the picture `{path}` is missing, so the PDF cannot show it"),
                hint: "put the file under `content/` or fix the path".to_string(),
            });
            return;
        };
        let Some((px_w, px_h)) = image_size(bytes) else {
            self.problems.push(LayoutProblem {
                line: self.line,
                error: true,
                message: format!("the picture `{path}` is not a readable PNG or JPEG file"),
                hint: "export it again as PNG or JPEG".to_string(),
            });
            return;
        };
        let (mut w, mut h) = self.fitted_size(px_w, px_h);
        // A picture a little too tall for the rest of the page is drawn smaller there rather
        // than leaving the space empty (down to 60% of its size; a page is then at most about
        // a third empty, as a picture is never taller than half the text area).
        let room = self.bottom() - self.y;
        if h > room && self.y > self.top() + 0.5 && room >= h * 0.6 {
            w *= room / h;
            h = room;
        }
        self.ensure(h);
        let elem = self.open(Role::Figure, parent);
        self.tree[elem].alt = Some(alt.to_string());
        let (x, y) = (self.left, self.y);
        self.push(Item::Image { x, y, w, h, path: path.to_string(), tag: Tag::Elem(elem) });
        self.y += h;
    }

    /// A picture's size in the column: drawn at 150 dpi at most, and never wider than the column
    /// or taller than half the text area.
    fn fitted_size(&self, px_w: u32, px_h: u32) -> (f32, f32) {
        let natural_w = px_w as f32 * 72.0 / 150.0;
        let natural_h = px_h as f32 * 72.0 / 150.0;
        let max_h = (self.bottom() - self.top()) * 0.5;
        let scale = (self.width / natural_w).min(max_h / natural_h).min(1.0);
        (natural_w * scale, natural_h * scale)
    }

    /// The size the picture at `path` would be drawn at, when it can be read.
    fn figure_size(&self, path: &str) -> Option<(f32, f32)> {
        let (px_w, px_h) = image_size(self.images.get(path)?)?;
        Some(self.fitted_size(px_w, px_h))
    }

    /// Lays out a table: column widths from content, rows kept whole, header row repeated on
    /// every page the table continues on.
    pub fn table(&mut self, align: &[Align], header: &[Vec<Inline>], rows: &[Vec<Vec<Inline>>], parent: usize) {
        let Some(plan) = self.table_plan(header, rows) else { return };
        let table = self.open(Role::Table, parent);
        let header_height = plan.row_height(0);
        // The header and the first body row go together.
        self.ensure(plan.first_rows());
        let TablePlan { widths, laid, line_height, pad } = &plan;
        let (line_height, pad) = (*line_height, *pad);
        for (r, cells) in laid.iter().enumerate() {
            let height = plan.row_height(r);
            let is_header = r == 0;
            if !is_header && self.y + height > self.bottom() && self.y > self.top() + header_height + 1.0 {
                self.new_page();
                // Repeated header rows are furniture: the tag tree has the header once.
                self.table_row(&laid[0], widths, align, header_height, true, None, line_height, pad);
            }
            let tr = self.open(Role::TR, table);
            self.table_row(cells, widths, align, height, is_header, Some(tr), line_height, pad);
        }
    }

    /// A table's column widths and every cell's lines, worked out before any row is placed.
    fn table_plan(&mut self, header: &[Vec<Inline>], rows: &[Vec<Vec<Inline>>]) -> Option<TablePlan> {
        let columns = header.len().max(rows.iter().map(Vec::len).max().unwrap_or(0));
        if columns == 0 {
            return None;
        }
        let body = TextStyle { size: self.settings.type_scale.body - 1.0, ..self.body_style() };
        let head = TextStyle { style: Style::Bold, ..body };
        let pad = 5.0;
        let empty = Vec::new();
        let cell = |row: &[Vec<Inline>], c: usize| -> Vec<Inline> { row.get(c).cloned().unwrap_or_default() };
        // Widest unbreakable word and whole-line width of every column.
        let mut min_w = vec![0.0f32; columns];
        let mut max_w = vec![0.0f32; columns];
        let all_rows: Vec<(&[Vec<Inline>], TextStyle)> =
            std::iter::once((header, head)).chain(rows.iter().map(|r| (r.as_slice(), body))).collect();
        for (row, style) in &all_rows {
            for c in 0..columns {
                let content = if c < row.len() { &row[c] } else { &empty };
                let text = self.inline_text(content, *style);
                let mut line = 0.0f32;
                for piece in &text.pieces {
                    min_w[c] = min_w[c].max(piece.body_width.min(120.0));
                    line += piece.body_width + piece.tail_width;
                    if piece.hard_break {
                        max_w[c] = max_w[c].max(line);
                        line = 0.0;
                    }
                }
                max_w[c] = max_w[c].max(line);
            }
        }
        let avail = self.width - 2.0 * pad * columns as f32;
        let widths = column_widths(&min_w, &max_w, avail.max(columns as f32 * 10.0));
        let widths: Vec<f32> = widths.iter().map(|w| w + 2.0 * pad).collect();
        let line_height = self.settings.line_height(body.size);

        // Lay out every cell's lines first, so each row's height is known before placing it.
        let mut laid: Vec<Vec<(InlineText, Vec<Line>)>> = Vec::new();
        for (row, style) in &all_rows {
            let mut cells = Vec::new();
            for (c, width) in widths.iter().enumerate() {
                let text = self.inline_text(&cell(row, c), *style);
                let lines = self.break_lines(&text, width - 2.0 * pad);
                cells.push((text, lines));
            }
            laid.push(cells);
        }
        Some(TablePlan { widths, laid, line_height, pad })
    }

    #[allow(clippy::too_many_arguments)]
    fn table_row(
        &mut self,
        cells: &[(InlineText, Vec<Line>)],
        widths: &[f32],
        align: &[Align],
        height: f32,
        is_header: bool,
        tr: Option<usize>,
        line_height: f32,
        pad: f32,
    ) {
        let palette = self.settings.palette;
        let top = self.y;
        let mut x = self.left;
        for (c, ((text, lines), width)) in cells.iter().zip(widths).enumerate() {
            self.push(Item::Rect {
                x,
                y: top,
                w: *width,
                h: height,
                fill: is_header.then_some(palette.shade),
                stroke: Some((palette.rule, 0.5)),
                tag: Tag::Artifact,
            });
            let cell_elem = tr.map(|tr| self.open(if is_header { Role::TH } else { Role::TD }, tr));
            let mut link_elems = FxHashMap::default();
            let mut y = top + pad;
            for line in lines {
                let inner = width - 2.0 * pad;
                let dx = match align.get(c) {
                    Some(Align::Right) => (inner - line.width).max(0.0),
                    Some(Align::Center) => ((inner - line.width) / 2.0).max(0.0),
                    _ if line.rtl => (inner - line.width).max(0.0),
                    _ => 0.0,
                };
                match cell_elem {
                    Some(elem) => {
                        self.draw_line(line, x + pad + dx, y, line_height, elem, &text.links, &mut link_elems)
                    }
                    None => self.draw_artifact_line(line, x + pad + dx, y, line_height),
                }
                y += line_height;
            }
            x += width;
        }
        self.y = top + height;
    }

    fn draw_artifact_line(&mut self, line: &Line, x0: f32, top: f32, line_height: f32) {
        let page = self.target_page.unwrap_or(self.pages.len() - 1);
        let start = self.pages[page].items.len();
        let mut scratch = FxHashMap::default();
        // Draw as if tagged with the document, then turn the items into artifacts and take
        // them back out of the tree.
        self.draw_line(line, x0, top, line_height, 0, &[], &mut scratch);
        let items = &mut self.pages[page].items;
        for item in items.iter_mut().skip(start) {
            if let Item::Text { tag, .. } = item {
                *tag = Tag::Artifact;
            }
        }
        self.tree[0].kids.retain(|k| !matches!(k, Kid::Item { page: p, item } if *p == page && *item >= start));
    }

    /// Draws a single line of plain text at (x, baseline-top `y`) without moving the cursor;
    /// returns its width. For page furniture.
    #[allow(clippy::too_many_arguments)]
    pub fn text_at(
        &mut self,
        page: usize,
        text: &str,
        style: TextStyle,
        x: f32,
        top: f32,
        align_right: bool,
        tag: Tag,
    ) -> f32 {
        let t = self.inline_text(&[Inline::Text(text.to_string())], style);
        let lines = self.break_lines(&t, f32::MAX);
        let Some(line) = lines.first() else {
            return 0.0;
        };
        let x = if align_right { x - line.width } else { x };
        let line_height = self.settings.line_height(style.size);
        let line = line.clone();
        self.target_page = Some(page);
        match tag {
            Tag::Elem(e) => {
                let mut none = FxHashMap::default();
                self.draw_line(&line, x, top, line_height, e, &[], &mut none);
            }
            Tag::Artifact => self.draw_artifact_line(&line, x, top, line_height),
        }
        self.target_page = None;
        line.width
    }

    /// Wraps `inlines` at `width` and draws them from (x, top) without moving the cursor;
    /// returns the height used.
    pub fn text_box(&mut self, inlines: &[Inline], style: TextStyle, x: f32, top: f32, width: f32, elem: usize) -> f32 {
        let text = self.inline_text(inlines, style);
        let lines = self.break_lines(&text, width);
        let lh = self.settings.line_height(style.size);
        let mut link_elems = FxHashMap::default();
        let mut y = top;
        for line in &lines {
            let x = if line.rtl && width < UNBOUNDED { x + width - line.width } else { x };
            self.draw_line(line, x, y, lh, elem, &text.links, &mut link_elems);
            y += lh;
        }
        y - top
    }
}

/// A table measured before it is placed: column widths (padding included), each row's cells
/// as lines (the header row first), the line height and the cell padding.
struct TablePlan {
    widths: Vec<f32>,
    laid: Vec<Vec<(InlineText, Vec<Line>)>>,
    line_height: f32,
    pad: f32,
}

impl TablePlan {
    fn row_height(&self, row: usize) -> f32 {
        let cells = self.laid.get(row).map_or(&[][..], Vec::as_slice);
        cells.iter().map(|(_, l)| l.len().max(1)).max().unwrap_or(1) as f32 * self.line_height + 2.0 * self.pad
    }

    /// The header and the first body row, which are never parted.
    fn first_rows(&self) -> f32 {
        self.row_height(0) + if self.laid.len() > 1 { self.row_height(1) } else { 0.0 }
    }
}

/// The runs of a piece's body or tail.
fn runs(shaped: &Option<Rc<Shaped>>) -> &[ShapedRun] {
    shaped.as_deref().map_or(&[], |s| s.runs.as_slice())
}

/// Pictures are taken out of a paragraph's running text and shown as figures after it; a
/// paragraph without any (nearly all) is its own text, uncopied.
fn split_figures(inlines: &[Inline]) -> (std::borrow::Cow<'_, [Inline]>, Vec<(String, String)>) {
    if !inlines.iter().any(|i| matches!(i, Inline::Image { .. })) {
        return (std::borrow::Cow::Borrowed(inlines), Vec::new());
    }
    let mut text = Vec::new();
    let mut figures = Vec::new();
    for inline in inlines {
        match inline {
            Inline::Image { path, alt, .. } => figures.push((path.clone(), alt.clone())),
            Inline::LineBreak if figures.len() == 1 && text.is_empty() => {}
            other => text.push(other.clone()),
        }
    }
    (std::borrow::Cow::Owned(text), figures)
}

/// Column widths (without padding): each column gets its widest word, and the rest of the
/// width is shared in proportion to how much more each column would like.
fn column_widths(min: &[f32], max: &[f32], avail: f32) -> Vec<f32> {
    let sum_max: f32 = max.iter().sum();
    let sum_min: f32 = min.iter().sum();
    if sum_max <= avail {
        // Everything fits on one line: spread the spare width in proportion to content.
        let spare = avail - sum_max;
        return max.iter().map(|m| m + spare * (m.max(1.0) / sum_max.max(1.0))).collect();
    }
    if sum_min >= avail {
        return min.iter().map(|m| m * avail / sum_min.max(1.0)).collect();
    }
    let want: f32 = max.iter().zip(min).map(|(a, b)| a - b).sum();
    let spare = avail - sum_min;
    min.iter().zip(max).map(|(lo, hi)| lo + spare * (hi - lo) / want.max(0.001)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn column_widths_fill_the_width_and_follow_content() {
        let w = column_widths(&[10.0, 20.0], &[50.0, 300.0], 200.0);
        assert!((w.iter().sum::<f32>() - 200.0).abs() < 0.01);
        assert!(w[1] > w[0]);
    }

    /// An A4 flow with an 11 pt body, no pictures, icons or link targets: enough to set a
    /// paragraph and break it into lines, as the line-breaking tests below do.
    fn a4_body_flow<'f, 'a>(fonts: &'f mut FontSet<'a>, images: &'f BTreeMap<String, Vec<u8>>) -> Flow<'a, 'f, 'f> {
        use crate::pdf::settings::{PageSpec, Palette, TypeScale};
        let settings = PdfSettings {
            page: PageSpec::a4(),
            type_scale: TypeScale {
                body: 11.0,
                leading: 1.4,
                headings: [24.0, 18.0, 15.0, 13.0, 12.0, 11.0],
                small: 9.0,
            },
            palette: Palette::nhs(),
        };
        fn no_icon(_: &str) -> Option<Arc<VectorPicture>> {
            None
        }
        fn no_link(_: &LinkTarget) -> Dest {
            Dest::Uri(String::new())
        }
        Flow::new(fonts, settings, images, &no_icon, &no_link)
    }

    #[test]
    fn a_word_wider_than_the_column_is_cut_into_lines_that_fit_keeping_every_letter() {
        let theme = crate::load::theme::Theme::builtin();
        let mut fonts = FontSet::from_theme(&theme).unwrap();
        let images = BTreeMap::new();
        let mut flow = a4_body_flow(&mut fonts, &images);
        let word: String = "abcdefghijklmnopqrstuvwxyz".chars().cycle().take(20_000).collect();
        let style = flow.body_style();
        let text = flow.inline_text(&[Inline::Text(word.clone())], style);
        let lines = flow.break_lines(&text, 200.0);
        assert!(lines.len() > 100, "{} lines", lines.len());
        let mut joined = String::new();
        for line in &lines {
            assert!(line.width <= 200.0 + 0.01, "a line of {} pt", line.width);
            for (_, piece, _) in &line.parts {
                joined.extend(runs(&piece.body).iter().flat_map(|r| r.glyphs.iter().map(|g| g.text.as_str())));
            }
        }
        assert_eq!(joined, word, "no letter is lost or doubled");
        assert_eq!(flow.line_count(&text, 200.0), lines.len(), "measuring counts the lines laying out makes");
    }

    #[test]
    fn measuring_a_paragraph_counts_the_lines_it_is_laid_out_in() {
        let theme = crate::load::theme::Theme::builtin();
        let mut fonts = FontSet::from_theme(&theme).unwrap();
        let images = BTreeMap::new();
        let mut flow = a4_body_flow(&mut fonts, &images);
        let style = flow.body_style();
        let paragraph = [
            Inline::Text("Call 0116 496 0123 before you visit; ".into()),
            Inline::Strong(vec![Inline::Text("never".into())]),
            Inline::Text(" bring flowers.".into()),
            Inline::LineBreak,
            Inline::Text("Ask at the ward desk for a visitor's badge and wash your hands.".into()),
            Inline::Text(" Supercalifragilisticexpialidocious-and-then-some-more-letters".into()),
        ];
        for width in [40.0, 80.0, 150.0, 300.0, 1000.0] {
            let text = flow.inline_text(&paragraph, style);
            let lines = flow.break_lines(&text, width).len();
            assert_eq!(flow.line_count(&text, width), lines, "at {width} pt");
        }
    }

    #[test]
    fn measuring_only_breaks_pages_where_drawing_does() {
        let theme = crate::load::theme::Theme::builtin();
        let images = BTreeMap::new();
        let words = "Visitors are welcome between two and eight; ask at the desk first. ";
        // Paragraphs of growing length, so some split across pages and some move whole.
        let paragraphs: Vec<Vec<Inline>> = (1..40).map(|n| vec![Inline::Text(words.repeat(n % 9 + 1))]).collect();
        let pages_and_cursor = |measure_only: bool| {
            let mut fonts = FontSet::from_theme(&theme).unwrap();
            let mut flow = a4_body_flow(&mut fonts, &images);
            flow.measure_only = measure_only;
            let style = flow.body_style();
            for paragraph in &paragraphs {
                flow.paragraph(paragraph, style, 0);
            }
            let drawn = flow.pages.iter().map(|p| p.items.len()).sum::<usize>();
            (flow.pages.len(), flow.y, drawn)
        };
        let (drawn_pages, drawn_y, drawn_items) = pages_and_cursor(false);
        let (measured_pages, measured_y, measured_items) = pages_and_cursor(true);
        assert!(drawn_pages > 3, "{drawn_pages} pages");
        assert_eq!((measured_pages, measured_y), (drawn_pages, drawn_y));
        assert!(drawn_items > 0 && measured_items == 0, "measuring draws no text");
    }

    #[test]
    fn image_size_reads_png_header() {
        let mut png = b"\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR".to_vec();
        png.extend(7u32.to_be_bytes());
        png.extend(5u32.to_be_bytes());
        assert_eq!(image_size(&png), Some((7, 5)));
        assert_eq!(image_size(b"not a picture"), None);
    }
}
