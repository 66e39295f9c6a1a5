//! Fonts for the PDF engine: loads the theme's faces, shapes words with the font's own rules
//! (allsorts: kerning, and for Arabic, Bengali, Devanagari, Gujarati and Gurmukhi the joining,
//! ligatures, reordering and mark positioning of that script, with the language's own forms),
//! falls back to the wide-coverage family for characters the main family lacks, and subsets
//! each face to the glyphs a document uses. A script's faces are read from the theme only when
//! a document first uses that script, so an English document costs what it did.
//!
//! Right-to-left runs come back in drawing order (left to right on the page), each glyph still
//! carrying its own characters; the layout keeps the logical text for extraction.
//!
//! Knows nothing about pages or PDF objects: measurements are in thousandths of an em, as the
//! PDF `/W` array stores them, so what layout measures is what a viewer draws.

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt;
use std::rc::Rc;
use std::sync::{Arc, Mutex, OnceLock};

use allsorts::Font;
use allsorts::binary::read::ReadScope;
use allsorts::font::MatchingPresentation;
use allsorts::font_data::{DynamicFontTableProvider, FontData};
use allsorts::glyph_position::{GlyphLayout, TextDirection};
use allsorts::gpos::Placement;
use allsorts::gsub::{FeatureMask, FeatureMaskExt, RawGlyphFlag};
use allsorts::subset::{CmapTarget, SubsetProfile, subset};
use allsorts::tag;

use crate::load::theme::Theme;

/// The four styles every family ships.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Style {
    /// Upright, normal weight.
    Regular,
    /// Upright, bold.
    Bold,
    /// Slanted, normal weight.
    Italic,
    /// Slanted, bold.
    BoldItalic,
}

impl Style {
    /// The style with bold added.
    pub fn bolder(self) -> Style {
        match self {
            Style::Regular | Style::Bold => Style::Bold,
            Style::Italic | Style::BoldItalic => Style::BoldItalic,
        }
    }

    /// The style with italic added.
    pub fn slanted(self) -> Style {
        match self {
            Style::Regular | Style::Italic => Style::Italic,
            Style::Bold | Style::BoldItalic => Style::BoldItalic,
        }
    }

    fn index(self) -> usize {
        self as usize
    }

    fn file_suffix(self) -> &'static str {
        match self {
            Style::Regular => "Regular",
            Style::Bold => "Bold",
            Style::Italic => "Italic",
            Style::BoldItalic => "BoldItalic",
        }
    }
}

/// Which face a glyph comes from: 0-3 the main family, 4-7 the fallback family, from 8 the
/// script faces ([`Script::face_id`]), each at a fixed number, so a document's font resources
/// never depend on the order its scripts were met in.
pub type FaceId = u8;

/// A writing system with bundled faces of its own (Noto, OFL). Latin, Greek and Cyrillic are
/// the main and fallback families'.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Script {
    /// Arabic script (Arabic, Persian): Noto Sans Arabic.
    Arabic,
    /// Arabic script as Urdu is written: Noto Naskh Arabic.
    Urdu,
    /// Bengali (Bangla, Assamese, Sylheti written in Bengali script).
    Bengali,
    /// Devanagari (Hindi, Marathi, Nepali).
    Devanagari,
    /// Gujarati.
    Gujarati,
    /// Gurmukhi (Punjabi).
    Gurmukhi,
}

impl Script {
    /// Every script with faces, in face-number order.
    pub const ALL: [Script; 6] =
        [Script::Arabic, Script::Urdu, Script::Bengali, Script::Devanagari, Script::Gujarati, Script::Gurmukhi];

    /// The script a character belongs to, when it is one with faces of its own (Arabic-script
    /// characters are [`Script::Arabic`]; the language decides whether Urdu's faces draw them).
    pub fn of(ch: char) -> Option<Script> {
        match u32::from(ch) {
            0x0600..=0x06FF | 0x0750..=0x077F | 0x0870..=0x08FF | 0xFB50..=0xFDFF | 0xFE70..=0xFEFF => {
                Some(Script::Arabic)
            }
            0x0900..=0x097F | 0xA8E0..=0xA8FF => Some(Script::Devanagari),
            0x0980..=0x09FF => Some(Script::Bengali),
            0x0A00..=0x0A7F => Some(Script::Gurmukhi),
            0x0A80..=0x0AFF => Some(Script::Gujarati),
            _ => None,
        }
    }

    /// The family's file name stem in `fonts/`.
    pub fn family(self) -> &'static str {
        match self {
            Script::Arabic => "NotoSansArabic",
            Script::Urdu => "NotoNaskhArabic",
            Script::Bengali => "NotoSansBengali",
            Script::Devanagari => "NotoSansDevanagari",
            Script::Gujarati => "NotoSansGujarati",
            Script::Gurmukhi => "NotoSansGurmukhi",
        }
    }

    /// The OpenType script tag (allsorts picks the newer Indic shaping tables itself).
    fn tag(self) -> u32 {
        match self {
            Script::Arabic | Script::Urdu => tag::ARAB,
            Script::Bengali => tag::BENG,
            Script::Devanagari => tag::DEVA,
            Script::Gujarati => tag::GUJR,
            Script::Gurmukhi => tag::GURU,
        }
    }

    /// The face drawing this script in `style` (no italics: slanted styles are set upright).
    pub fn face_id(self, style: Style) -> FaceId {
        let bold = matches!(style, Style::Bold | Style::BoldItalic);
        8 + 2 * (self as u8) + u8::from(bold)
    }
}

/// Unicode's default-ignorable characters that text may hold: drawn as nothing when no face has
/// them (joiners, variation selectors, soft hyphen, word joiner, bidi controls).
fn default_ignorable(ch: char) -> bool {
    matches!(u32::from(ch),
        0x00AD | 0x034F | 0x061C | 0x115F | 0x1160 | 0x17B4 | 0x17B5 | 0x180B..=0x180F | 0x200B..=0x200F
        | 0x202A..=0x202E | 0x2060..=0x206F | 0x3164 | 0xFE00..=0xFE0F | 0xFEFF | 0xFFA0 | 0x1BCA0..=0x1BCA3
        | 0x1D173..=0x1D17A | 0xE0000..=0xE0FFF)
}

/// Unicode's bidi formatting characters (marks, embeddings, overrides, isolates).
fn bidi_control(ch: char) -> bool {
    matches!(u32::from(ch), 0x061C | 0x200E | 0x200F | 0x202A..=0x202E | 0x2066..=0x2069)
}

/// A bracket as a right-to-left run draws it: mirrored, as Unicode's Bidi_Mirrored property asks.
fn mirrored(ch: char) -> char {
    match ch {
        '(' => ')',
        ')' => '(',
        '[' => ']',
        ']' => '[',
        '{' => '}',
        '}' => '{',
        '<' => '>',
        '>' => '<',
        '«' => '»',
        '»' => '«',
        '‹' => '›',
        '›' => '‹',
        other => other,
    }
}

/// The OpenType language system of a language tag, where it changes how text is drawn (Urdu's
/// own digit and letter forms); `None` uses the font's default forms.
fn opentype_language(lang: &str) -> Option<u32> {
    let primary = lang.split('-').next().unwrap_or(lang).to_ascii_lowercase();
    let tag = match primary.as_str() {
        "ur" => "URD ",
        "ar" => "ARA ",
        "fa" => "FAR ",
        "hi" => "HIN ",
        "bn" => "BEN ",
        "gu" => "GUJ ",
        "pa" => "PAN ",
        "mr" => "MAR ",
        "ne" => "NEP ",
        _ => return None,
    };
    tag::from_string(tag).ok()
}

/// The characters one glyph stands for: one for most glyphs, a few for a ligature. Short
/// texts (nearly all) are stored inline, and longer ones are shared for good, so a glyph is a
/// plain copy: a line's glyphs are copied into its items, a document's freed, in one go each.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub enum GlyphText {
    /// Up to 14 bytes of UTF-8, in place.
    Inline {
        /// Bytes used.
        len: u8,
        /// UTF-8, valid up to `len`.
        bytes: [u8; 14],
    },
    /// Anything longer ([`long_glyph_text`]).
    Long(&'static str),
}

/// A glyph text longer than [`GlyphText::Inline`] holds, kept once per distinct text for the
/// life of the program. Such a glyph stands for a whole cluster (a ligature of many
/// characters, or a missing-glyph box for a cluster no face has), so a process meets few: a
/// long live preview keeps only the distinct clusters its authors typed.
fn long_glyph_text(s: &str) -> &'static str {
    static LONG: OnceLock<Mutex<std::collections::HashSet<&'static str>>> = OnceLock::new();
    let mut known = LONG.get_or_init(Default::default).lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    if let Some(text) = known.get(s) {
        return text;
    }
    let text: &'static str = Box::leak(Box::from(s));
    known.insert(text);
    text
}

impl GlyphText {
    /// The text of `s`.
    pub fn new(s: &str) -> GlyphText {
        let mut bytes = [0u8; 14];
        if s.len() <= bytes.len() {
            bytes[..s.len()].copy_from_slice(s.as_bytes());
            GlyphText::Inline { len: s.len() as u8, bytes }
        } else {
            GlyphText::Long(long_glyph_text(s))
        }
    }

    /// The characters, as a string slice.
    pub fn as_str(&self) -> &str {
        match self {
            GlyphText::Inline { len, bytes } => std::str::from_utf8(&bytes[..usize::from(*len)]).unwrap_or(""),
            GlyphText::Long(s) => s,
        }
    }
}

impl From<&str> for GlyphText {
    fn from(s: &str) -> GlyphText {
        GlyphText::new(s)
    }
}

impl std::ops::Deref for GlyphText {
    type Target = str;
    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl fmt::Debug for GlyphText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

impl fmt::Display for GlyphText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One positioned glyph of a shaped run.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Glyph {
    /// Glyph id in the original (not subset) face.
    pub gid: u16,
    /// Advance in thousandths of an em, truncated exactly as printpdf writes `/W`.
    pub advance: i32,
    /// Kerning after this glyph, in thousandths of an em (negative = tighter); a mark drawn
    /// over its base has its whole advance taken back here.
    pub kern: f32,
    /// Where the glyph is drawn from its pen position, in thousandths of an em (x to the
    /// right, y upwards): marks over their base, the cursive joins of Arabic.
    pub offset: (f32, f32),
    /// The characters this glyph stands for (several for a ligature), for `/ToUnicode`.
    pub text: GlyphText,
    /// A further glyph the font made from the same characters as the one before it (Arabic
    /// letters drawn as a body and its dots): its text is already the other glyph's.
    pub repeats_text: bool,
}

/// A run of glyphs from one face.
#[derive(Debug, Clone, PartialEq)]
pub struct ShapedRun {
    /// The face.
    pub face: FaceId,
    /// The glyphs, in drawing order (left to right on the page).
    pub glyphs: Vec<Glyph>,
    /// Its bidirectional embedding level (Unicode bidi algorithm): odd is right to left, its
    /// glyphs drawn in the reverse of the text's order; [`ShapedRun::logical_text`] is what the
    /// run says. Shaping gives 0 or 1; the layout sets the level the paragraph resolves.
    pub level: u8,
}

impl Glyph {
    /// What the glyph's `/ToUnicode` entry says, in the order the page shows it: a glyph of a
    /// right-to-left run that stands for several characters (a lam-alef) lists them right to
    /// left, as text extraction reads the page's glyphs left to right and turns right-to-left
    /// stretches round; a glyph repeating the one before's text says nothing (a word joiner).
    pub fn unicode_text(&self, rtl: bool) -> std::borrow::Cow<'_, str> {
        if self.repeats_text {
            return std::borrow::Cow::Borrowed("");
        }
        if rtl && self.text.chars().nth(1).is_some() {
            return std::borrow::Cow::Owned(self.text.chars().rev().collect());
        }
        std::borrow::Cow::Borrowed(self.text.as_str())
    }
}

impl ShapedRun {
    /// The characters of the run in reading order.
    pub fn logical_text(&self) -> String {
        let mut out = String::new();
        let mut push = |g: &Glyph| {
            if !g.repeats_text {
                out.push_str(g.text.as_str());
            }
        };
        if self.rtl() {
            self.glyphs.iter().rev().for_each(&mut push);
        } else {
            self.glyphs.iter().for_each(&mut push);
        }
        out
    }

    /// True when the run's glyphs are not one per character in reading order (right to left,
    /// reordered or combined), so extraction needs the logical text given outright.
    pub fn needs_actual_text(&self) -> bool {
        !self.rtl() && self.face >= 8
    }

    /// True for a right-to-left run.
    pub fn rtl(&self) -> bool {
        self.level % 2 == 1
    }
}

impl ShapedRun {
    /// Width in thousandths of an em.
    pub fn width_em(&self) -> f32 {
        self.glyphs.iter().map(|g| g.advance as f32 + g.kern).sum()
    }
}

/// The shaping of one piece of text: runs per face, and the characters no face could draw.
#[derive(Debug, Clone, PartialEq)]
pub struct Shaped {
    /// Runs in order.
    pub runs: Vec<ShapedRun>,
    /// Characters drawn as the replacement glyph.
    pub missing: Vec<char>,
    /// Width in thousandths of an em, summed once: a shaping is measured every time its word
    /// is laid out (summing its glyphs each time was a twentieth of a `check`).
    em: f32,
}

impl Shaped {
    /// The shaping of `runs`.
    pub fn new(runs: Vec<ShapedRun>, missing: Vec<char>) -> Shaped {
        let em = runs.iter().map(ShapedRun::width_em).sum::<f32>();
        Shaped { runs, missing, em }
    }

    /// Width in points at `size`.
    pub fn width(&self, size: f32) -> f32 {
        self.em * size / 1000.0
    }
}

struct Face<'a> {
    postscript_name: String,
    bytes: &'a [u8],
    font: Font<DynamicFontTableProvider<'a>>,
    units_per_em: f32,
    ascender: f32,
    descender: f32,
    /// Glyph per character looked up so far (FNV: looked up once or twice per character shaped).
    coverage: HashMap<char, u16, std::hash::BuildHasherDefault<WordHasher>>,
}

impl<'a> Face<'a> {
    fn load(name: String, bytes: &'a [u8]) -> Option<Face<'a>> {
        let data = ReadScope::new(bytes).read::<FontData<'a>>().ok()?;
        let provider = data.table_provider(0).ok()?;
        let font = Font::new(provider).ok()?;
        let units_per_em = f32::from(font.head_table.units_per_em.max(1));
        let ascender = f32::from(font.hhea_table.ascender) * 1000.0 / units_per_em;
        let descender = f32::from(font.hhea_table.descender) * 1000.0 / units_per_em;
        Some(Face {
            postscript_name: name,
            bytes,
            font,
            units_per_em,
            ascender,
            descender,
            coverage: HashMap::default(),
        })
    }

    fn glyph_for(&mut self, ch: char) -> u16 {
        if let Some(gid) = self.coverage.get(&ch) {
            return *gid;
        }
        let (gid, _) = self.font.lookup_glyph_index(ch, MatchingPresentation::NotRequired, None);
        self.coverage.insert(ch, gid);
        gid
    }

    fn advance_em(&mut self, gid: u16) -> i32 {
        let advance = self.font.horizontal_advance(gid).unwrap_or(0);
        (f32::from(advance) * 1000.0 / self.units_per_em) as i32
    }

    /// Shapes `text` in `script` (an OpenType script tag) with the language's forms, placing
    /// marks and cursive joins; a right-to-left run comes back in drawing order.
    fn shape(&mut self, text: &str, script: u32, lang: Option<u32>, rtl: bool) -> Vec<Glyph> {
        let raw = self.font.map_glyphs(text, script, MatchingPresentation::NotRequired);
        let lang = lang.or_else(|| (script == tag::LATN).then(|| tag::from_string("ENG ").unwrap_or(0)));
        let infos = self
            .font
            .shape(raw, script, lang, FeatureMask::default_mask(), &[], None, true)
            .unwrap_or_else(|(_, infos)| infos);
        // Glyph positions beyond kerning (marks on their base, cursive joins) only where the
        // font placed a glyph: most Latin words have none, and skip the pass.
        let placed = infos.iter().any(|i| !matches!(i.placement, Placement::None));
        let direction = if rtl { TextDirection::RightToLeft } else { TextDirection::LeftToRight };
        let positions =
            placed.then(|| GlyphLayout::new(&mut self.font, &infos, direction, false).glyph_positions().ok()).flatten();
        let scale = 1000.0 / self.units_per_em;
        let mut text = String::new();
        let mut glyphs: Vec<Glyph> = infos
            .iter()
            .enumerate()
            .map(|(i, info)| {
                let gid = info.glyph.glyph_index;
                text.clear();
                // A no-break space (inside a phone number) copies and extracts as a plain space, so
                // the number reads and searches as it is written.
                text.extend(info.glyph.unicodes.iter().map(|&c| if c == '\u{a0}' { ' ' } else { c }));
                let advance = self.advance_em(gid);
                let (kern, offset) = match positions.as_ref().and_then(|p| p.get(i)) {
                    // Kerning and a mark's zero advance, as what the font's advance lacks.
                    Some(p) => (
                        p.hori_advance as f32 * scale - advance as f32,
                        (p.x_offset as f32 * scale, p.y_offset as f32 * scale),
                    ),
                    None => (f32::from(info.kerning) * scale, (0.0, 0.0)),
                };
                let repeats_text = info.glyph.flags.contains(RawGlyphFlag::MULTI_SUBST_DUP);
                Glyph { gid, advance, kern, offset, text: GlyphText::new(&text), repeats_text }
            })
            .collect();
        if rtl {
            fold_marks_into_bases(&mut glyphs);
            glyphs.reverse();
            // Brackets were mirrored to be drawn; each still stands for the character written.
            for g in &mut glyphs {
                let mut chars = g.text.chars();
                if let (Some(c), None) = (chars.next(), chars.next())
                    && mirrored(c) != c
                {
                    g.text = GlyphText::new(mirrored(c).encode_utf8(&mut [0; 4]));
                }
            }
        }
        glyphs
    }
}

/// In a right-to-left run (in reading order), a mark's characters (harakat, shadda) are given to
/// the glyph they sit on, and the mark itself says nothing: a mark is drawn raised or shifted
/// over its base, and text extraction reads a glyph off its baseline as a word of its own, out
/// of order ("صبا ً" for "صباحًا"). The base then stands for both, in reading order.
fn fold_marks_into_bases(glyphs: &mut [Glyph]) {
    let mut base: Option<usize> = None;
    for i in 0..glyphs.len() {
        if glyphs[i].repeats_text {
            continue;
        }
        let mark = !glyphs[i].text.as_str().is_empty()
            && glyphs[i].text.chars().all(|c| matches!(unicode_bidi::bidi_class(c), unicode_bidi::BidiClass::NSM));
        match base {
            Some(b) if mark => {
                let joined = format!("{}{}", glyphs[b].text.as_str(), glyphs[i].text.as_str());
                glyphs[b].text = GlyphText::new(&joined);
                glyphs[i].repeats_text = true;
            }
            _ => base = Some(i),
        }
    }
}

/// A face that could not be loaded from the theme.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FontLoadError(pub String);

/// The faces, with a cache of shaped words, and the glyphs the current document uses.
///
/// One set can serve many documents in turn (see [`FontSet::start_document`]): the cache only
/// saves time and never changes a result, so output does not depend on what was shaped before.
pub struct FontSet<'a> {
    /// Where the faces come from.
    source: FontSource<'a>,
    /// By face id; script faces stay `None` until a text needs them.
    faces: Vec<Option<Face<'a>>>,
    /// Shaped texts per style and direction (indexed by [`FontSet::cache_slot`]), looked up
    /// without allocating, for the current language's forms.
    cache: [WordMap<Rc<Shaped>>; 8],
    /// Caches of the other languages met, by language tag.
    other_caches: BTreeMap<String, [WordMap<Rc<Shaped>>; 8]>,
    /// The language text is being shaped in (`""`: the document's default forms).
    language: String,
    /// Per face, a bit per glyph id: drawn in the current document.
    used: BTreeMap<FaceId, Vec<u64>>,
    /// The texts each glyph of a script face stands for in the current document.
    texts: BTreeMap<(FaceId, u16), BTreeSet<Box<str>>>,
}

/// A fast hasher for the word cache: eight bytes at a time, each a rotate, an exclusive or and
/// a multiply (as rustc's FxHash), turned at the end so the table's low bits get the well-mixed
/// high ones. Keys are the project's own words, never an attacker's.
#[derive(Default, Clone, Copy)]
pub struct WordHasher(u64);

impl WordHasher {
    const K: u64 = 0xf135_7aea_2e62_a9c5;

    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(Self::K);
    }
}

impl std::hash::Hasher for WordHasher {
    fn finish(&self) -> u64 {
        self.0.rotate_left(26)
    }

    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            let mut word = [0u8; 8];
            word.copy_from_slice(chunk);
            self.add(u64::from_le_bytes(word));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut word = [0u8; 8];
            word[..rest.len()].copy_from_slice(rest);
            self.add(u64::from_le_bytes(word));
        }
    }

    fn write_u8(&mut self, i: u8) {
        self.add(u64::from(i));
    }

    fn write_u32(&mut self, i: u32) {
        self.add(u64::from(i));
    }

    fn write_u64(&mut self, i: u64) {
        self.add(i);
    }

    fn write_usize(&mut self, i: usize) {
        self.add(i as u64);
    }
}

type WordMap<V> = HashMap<Box<str>, V, std::hash::BuildHasherDefault<WordHasher>>;

/// Words shaped with the built-in fonts, by language, then as a [`FontSet`]'s own cache holds them:
/// shared by every font set of the process, so a word is shaped once per build (and once per
/// `serve` session), not once per document. A shaping depends only on the fonts, the language,
/// the style, the direction and the text, and the built-in fonts never change while the program
/// runs; a theme with fonts of its own keeps each set's own cache only.
type SharedWords = BTreeMap<String, [WordMap<Arc<Shaped>>; 8]>;

fn shared_words() -> &'static Mutex<SharedWords> {
    static SHARED: OnceLock<Mutex<SharedWords>> = OnceLock::new();
    SHARED.get_or_init(|| Mutex::new(BTreeMap::new()))
}

/// Shapings kept in [`shared_words`] at most (a few tens of megabytes); beyond that it starts
/// afresh, so a long `serve` session through many libraries stays bounded.
const SHARED_WORDS_MAX: usize = 400_000;

/// The family the theme sets text in, and the one that covers what it lacks.
const MAIN_FAMILY: &str = "AtkinsonHyperlegibleNext";
const FALLBACK_FAMILY: &str = "NotoSans";
/// Drawn for a character no face has: visible, and extractable as U+FFFD.
const REPLACEMENT: char = '\u{FFFD}';
/// Face ids 0 to 7 are the main and fallback families; the script faces follow.
const FACE_COUNT: usize = 8 + 2 * Script::ALL.len();

/// True for a language written in Urdu's style of Arabic script (Naskh faces here).
fn urdu_style(lang: &str) -> bool {
    let primary = lang.split('-').next().unwrap_or(lang).to_ascii_lowercase();
    matches!(primary.as_str(), "ur" | "pnb" | "skr")
}

/// Where a font set reads its faces.
#[derive(Clone, Copy)]
enum FontSource<'a> {
    /// A theme with fonts of its own.
    Theme(&'a Theme),
    /// The fonts built into the program (a theme that replaces none).
    Builtin,
}

impl<'a> FontSource<'a> {
    fn file(self, path: &str) -> Option<&'a [u8]> {
        match self {
            FontSource::Theme(theme) => theme.file(path),
            FontSource::Builtin => Theme::builtin_file(path),
        }
    }
}

fn load_face<'a>(source: FontSource<'a>, name: String) -> Result<Face<'a>, FontLoadError> {
    let path = format!("fonts/{name}.ttf");
    let bytes = source.file(&path).ok_or_else(|| FontLoadError(format!("the theme has no font `{path}`")))?;
    Face::load(name, bytes).ok_or_else(|| FontLoadError(format!("the font `{path}` is not a readable TrueType font")))
}

/// True when the theme's fonts are all the ones built into the program.
fn builtin_fonts_only(theme: &Theme) -> bool {
    !theme.files_under("fonts/").any(|(path, _)| theme.is_from_project(path))
}

/// Font sets kept on a thread at most (one, or two when a document is made while another waits
/// on the same thread).
const BUILTIN_SETS_MAX: usize = 4;

thread_local! {
    /// Font sets of the built-in fonts kept between documents, for [`with_fonts`]: loading the
    /// faces and reading their layout tables again for each document cost more than laying out
    /// a small one. Kept per thread (the workers live as long as the program): a set counts its
    /// shapings without atomics, so it never moves to another thread.
    static BUILTIN_SETS: RefCell<Vec<FontSet<'static>>> = const { RefCell::new(Vec::new()) };
}

/// Runs `work` with a font set for `theme`, started on a new document. A theme whose fonts are
/// the built-in ones gets a set used before (its faces loaded, its words shaped), which goes
/// back for the next document; other themes get a set of their own. Which set it is never
/// changes a result: see [`FontSet`].
pub fn with_fonts<R>(theme: &Theme, work: impl FnOnce(&mut FontSet<'_>) -> R) -> Result<R, FontLoadError> {
    if !builtin_fonts_only(theme) {
        let mut fonts = FontSet::from_theme(theme)?;
        return Ok(work(&mut fonts));
    }
    let kept = BUILTIN_SETS.with(|sets| sets.borrow_mut().pop());
    let mut fonts = match kept {
        Some(fonts) => fonts,
        None => FontSet::load(FontSource::Builtin)?,
    };
    fonts.start_document();
    fonts.set_language("");
    let result = work(&mut fonts);
    fonts.start_document();
    fonts.set_language("");
    BUILTIN_SETS.with(|sets| {
        let mut sets = sets.borrow_mut();
        if sets.len() < BUILTIN_SETS_MAX {
            sets.push(fonts);
        }
    });
    Ok(result)
}

impl<'a> FontSet<'a> {
    /// Loads the eight faces of the main and fallback families from `theme/fonts/`; the script
    /// faces are loaded when first needed.
    pub fn from_theme(theme: &'a Theme) -> Result<FontSet<'a>, FontLoadError> {
        FontSet::load(if builtin_fonts_only(theme) { FontSource::Builtin } else { FontSource::Theme(theme) })
    }

    fn load(source: FontSource<'a>) -> Result<FontSet<'a>, FontLoadError> {
        let mut faces = Vec::with_capacity(FACE_COUNT);
        for family in [MAIN_FAMILY, FALLBACK_FAMILY] {
            for style in [Style::Regular, Style::Bold, Style::Italic, Style::BoldItalic] {
                faces.push(Some(load_face(source, format!("{family}-{}", style.file_suffix()))?));
            }
        }
        faces.resize_with(FACE_COUNT, || None);
        Ok(FontSet {
            source,
            faces,
            cache: Default::default(),
            other_caches: BTreeMap::new(),
            language: String::new(),
            used: BTreeMap::new(),
            texts: BTreeMap::new(),
        })
    }

    /// Forgets which glyphs were used, so the set can lay out another document; shaped words
    /// stay cached.
    pub fn start_document(&mut self) {
        self.used.clear();
        self.texts.clear();
    }

    /// Shapes what follows in `lang`'s forms (a BCP 47 tag; Urdu takes its own Arabic-script
    /// faces). Returns the language shaped in before, to set back.
    pub fn set_language(&mut self, lang: &str) -> String {
        if lang == self.language {
            return lang.to_string();
        }
        let fresh = self.other_caches.remove(lang).unwrap_or_default();
        let old_cache = std::mem::replace(&mut self.cache, fresh);
        let old = std::mem::replace(&mut self.language, lang.to_string());
        self.other_caches.insert(old.clone(), old_cache);
        old
    }

    /// The language text is being shaped in (`""`: the document's default forms).
    pub fn language(&self) -> &str {
        &self.language
    }

    fn main(&self) -> &Face<'a> {
        self.faces[0].as_ref().expect("the main face is loaded first")
    }

    /// Ascender of the main family, in thousandths of an em.
    pub fn ascender(&self) -> f32 {
        self.main().ascender
    }

    /// Descender of the main family (negative), in thousandths of an em.
    pub fn descender(&self) -> f32 {
        self.main().descender
    }

    /// The script face for `script` in `style`, loaded now if this is its first use; `None`
    /// when the theme lacks it (the text then falls back like any other).
    fn script_face(&mut self, script: Script, style: Style) -> Option<usize> {
        let id = usize::from(script.face_id(style));
        if self.faces[id].is_none() {
            let weight = if matches!(style, Style::Bold | Style::BoldItalic) { "Bold" } else { "Regular" };
            self.faces[id] = load_face(self.source, format!("{}-{weight}", script.family())).ok();
        }
        self.faces[id].is_some().then_some(id)
    }

    fn face(&mut self, id: usize) -> &mut Face<'a> {
        self.faces[id].as_mut().expect("only loaded faces are used")
    }

    fn cache_slot(style: Style, rtl: bool) -> usize {
        style.index() * 2 + usize::from(rtl)
    }

    /// Shapes `text` in `style`, splitting it between the main and fallback faces by coverage.
    /// Results are cached per document, since policies repeat their words a lot.
    pub fn shape(&mut self, style: Style, text: &str) -> Shaped {
        Shaped::clone(&self.shape_shared(style, text))
    }

    /// [`FontSet::shape`] without copying the result out of the cache.
    pub fn shape_shared(&mut self, style: Style, text: &str) -> Rc<Shaped> {
        self.shape_directed(style, text, false)
    }

    /// Shapes `text` as one directional run: `rtl` for a right-to-left run (its glyphs come back
    /// in drawing order, its brackets mirrored). The set's own shapings are counted without
    /// atomics (a set stays on its thread: [`with_fonts`]): a word's count goes up and down
    /// each time its piece of a line is made, copied and dropped, and atomic counts were about
    /// a twentieth of a `check`.
    pub fn shape_directed(&mut self, style: Style, text: &str, rtl: bool) -> Rc<Shaped> {
        let slot = Self::cache_slot(style, rtl);
        if let Some(hit) = self.cache[slot].get(text) {
            return Rc::clone(hit);
        }
        let shared = matches!(self.source, FontSource::Builtin).then(shared_words);
        let known = shared.and_then(|words| {
            let words = words.lock().ok()?;
            words.get(self.language.as_str())?[slot].get(text).cloned()
        });
        let shaped = match known {
            // A copy of its own, so no count is shared with a set on another thread.
            Some(shaped) => Rc::new(Shaped::clone(&shaped)),
            None => {
                let shaped = self.shape_uncached(style, text, rtl);
                if let Some(Ok(mut words)) = shared.map(Mutex::lock) {
                    let total: usize = words.values().flat_map(|maps| maps.iter().map(HashMap::len)).sum();
                    if total >= SHARED_WORDS_MAX {
                        words.clear();
                    }
                    let maps = words.entry(self.language.clone()).or_default();
                    maps[slot].insert(Box::from(text), Arc::new(shaped.clone()));
                }
                Rc::new(shaped)
            }
        };
        self.cache[slot].insert(Box::from(text), Rc::clone(&shaped));
        shaped
    }

    /// The script each character is drawn in: its own, or for a character of no script
    /// (digits, punctuation, spaces, joiners, combining marks) the one before it, else after.
    fn scripts_of(text: &str) -> Vec<Option<Script>> {
        let own: Vec<Option<Option<Script>>> = text
            .chars()
            .map(|c| match Script::of(c) {
                Some(s) => Some(Some(s)),
                None if c.is_alphabetic() => Some(None),
                None => None,
            })
            .collect();
        let mut out = Vec::with_capacity(own.len());
        let mut last: Option<Option<Script>> = None;
        for (i, script) in own.iter().enumerate() {
            let resolved = script.or(last).or_else(|| own[i..].iter().find_map(|s| *s)).unwrap_or(None);
            if script.is_some() {
                last = *script;
            }
            out.push(resolved);
        }
        out
    }

    fn shape_uncached(&mut self, style: Style, text: &str, rtl: bool) -> Shaped {
        let main = style.index();
        let fallback = 4 + style.index();
        let urdu = urdu_style(&self.language);
        let ot_lang = opentype_language(&self.language);
        let scripts = Self::scripts_of(text);
        let mut missing = Vec::new();
        // Split into stretches drawable by one face; a character nobody has becomes U+FFFD
        // (or `?`) in the fallback face so the gap is visible, never blank.
        let mut stretches: Vec<(usize, u32, String)> = Vec::new();
        for (ch, script) in text.chars().zip(scripts) {
            // Bidi controls have done their work in the layout's bidi pass: never drawn, even
            // where a face has a visible glyph for them.
            if bidi_control(ch) {
                continue;
            }
            let ch = if rtl { mirrored(ch) } else { ch };
            let script = script.map(|s| if s == Script::Arabic && urdu { Script::Urdu } else { s });
            let own_face = script.and_then(|s| self.script_face(s, style).map(|f| (f, s)));
            let (face, tag, drawn) = match own_face {
                Some((face, s)) if self.face(face).glyph_for(ch) != 0 => (face, s.tag(), ch),
                _ if ch.is_whitespace() && self.face(main).glyph_for(ch) == 0 => (main, tag::LATN, ' '),
                _ if self.face(main).glyph_for(ch) != 0 => (main, tag::LATN, ch),
                _ if self.face(fallback).glyph_for(ch) != 0 => (fallback, tag::LATN, ch),
                _ => {
                    // Characters that are never drawn (joiners, variation selectors, soft hyphens)
                    // are left out without a word; any other is missing.
                    if ch.is_control() || default_ignorable(ch) {
                        continue;
                    }
                    missing.push(ch);
                    let replacement = if self.face(fallback).glyph_for(REPLACEMENT) != 0 { REPLACEMENT } else { '?' };
                    (fallback, tag::LATN, replacement)
                }
            };
            match stretches.last_mut() {
                Some((f, _, s)) if *f == face => s.push(drawn),
                _ => stretches.push((face, tag, drawn.to_string())),
            }
        }
        // A right-to-left run's stretches are drawn right to left as well.
        if rtl {
            stretches.reverse();
        }
        let runs = stretches
            .into_iter()
            .map(|(face, script, s)| {
                let lang = if script == tag::LATN { None } else { ot_lang };
                let glyphs = self.face(face).shape(&s, script, lang, rtl);
                ShapedRun { face: face as FaceId, glyphs, level: u8::from(rtl) }
            })
            .collect();
        Shaped::new(runs, missing)
    }

    /// Records that these glyphs are drawn, so they are kept when subsetting.
    pub fn mark_used(&mut self, run: &ShapedRun) {
        let bits = self.used.entry(run.face).or_insert_with(|| vec![0u64; 1024]);
        for g in &run.glyphs {
            bits[usize::from(g.gid >> 6)] |= 1 << (g.gid & 63);
        }
        // A script face draws one glyph for several characters (Arabic letters share their
        // bodies and dots): each text a glyph stands for gets a copy of the face of its own.
        if run.face >= 8 {
            for g in &run.glyphs {
                let text = g.unicode_text(run.rtl());
                self.texts.entry((run.face, g.gid)).or_default().insert(Box::from(text.as_ref()));
            }
        }
    }

    /// One subset per face that draws anything, with the glyph renumbering it implies; a script
    /// face whose glyphs stand for several texts gets a further subset per text (its variant),
    /// so every glyph drawn maps to the characters it stands for there.
    pub fn subsets(&self) -> Vec<FaceSubset> {
        let mut out = Vec::new();
        for (&face_id, bits) in &self.used {
            // Set bits found word by word (testing all 65,536 bits of each face was 2% of a build).
            let mut gids: Vec<u16> = Vec::new();
            for (word, &b) in bits.iter().enumerate() {
                let mut rest = b;
                while rest != 0 {
                    gids.push((word * 64 + rest.trailing_zeros() as usize) as u16);
                    rest &= rest - 1;
                }
            }
            let Some(face) = &self.faces[face_id as usize] else { continue };
            let texts_of = |gid: u16| self.texts.get(&(face_id, gid));
            let variants = gids.iter().filter_map(|g| texts_of(*g).map(BTreeSet::len)).max().unwrap_or(1).max(1);
            for variant in 0..variants {
                let mut texts = HashMap::new();
                let chosen: Vec<u16> = gids
                    .iter()
                    .copied()
                    .filter(|&gid| match texts_of(gid) {
                        Some(set) => match set.iter().nth(variant) {
                            Some(text) => {
                                texts.insert(gid, text.clone());
                                true
                            }
                            None => false,
                        },
                        None => variant == 0,
                    })
                    .collect();
                // .notdef must stay glyph 0; allsorts numbers the rest by their place in the list.
                let order: Vec<u16> = std::iter::once(0).chain(chosen.into_iter().filter(|g| *g != 0)).collect();
                let Ok(data) = ReadScope::new(face.bytes).read::<FontData<'_>>() else {
                    continue;
                };
                let Ok(provider) = data.table_provider(0) else {
                    continue;
                };
                let Ok(bytes) = subset(&provider, &order, &SubsetProfile::Minimal, CmapTarget::Unicode) else {
                    continue;
                };
                let remap = order.iter().enumerate().map(|(new, old)| (*old, new as u16)).collect();
                let mut tag_input = order.clone();
                tag_input.push(variant as u16);
                out.push(FaceSubset {
                    face: face_id,
                    variant: variant as u8,
                    name: format!("{}+{}", subset_tag(&face.postscript_name, &tag_input), face.postscript_name),
                    bytes,
                    remap,
                    texts,
                });
            }
        }
        out
    }
}

/// A face cut down to the glyphs one document uses.
#[derive(Debug, Clone)]
pub struct FaceSubset {
    /// Which face.
    pub face: FaceId,
    /// Which copy of the face: 0, or for a glyph that stands for several texts, the one for its
    /// `variant`-th text (a font resource of its own).
    pub variant: u8,
    /// What each glyph of a script face stands for in this copy (for `/ToUnicode`).
    pub texts: HashMap<u16, Box<str>>,
    /// `ABCDEF+Family-Style`: the tag marks it as a subset, as PDF readers expect.
    pub name: String,
    /// The subset font program.
    pub bytes: Vec<u8>,
    /// Original glyph id to subset glyph id.
    pub remap: HashMap<u16, u16>,
}

/// Six upper-case letters derived from the face and its glyphs, so the same document always
/// gets the same tag and different subsets of a face get different ones.
fn subset_tag(name: &str, gids: &[u16]) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    let mut feed = |byte: u8| {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    };
    name.bytes().for_each(&mut feed);
    for gid in gids {
        gid.to_le_bytes().into_iter().for_each(&mut feed);
    }
    (0..6).map(|i| char::from(b'A' + ((hash >> (i * 8)) % 26) as u8)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_glyph_keeps_every_character_it_stands_for_short_or_long() {
        let family = "\u{1F468}\u{200D}\u{1F469}\u{200D}\u{1F467}";
        for text in ["", "f", "ffi", "\u{0644}\u{0627}", "fourteen bytes", family] {
            let glyph = GlyphText::new(text);
            assert_eq!(glyph.as_str(), text);
            assert_eq!(glyph, GlyphText::new(text));
        }
        assert!(matches!(GlyphText::new("fifteen bytes!!"), GlyphText::Long(_)));
        assert_ne!(GlyphText::new(family), GlyphText::new("fifteen bytes!!"));
        // A long text met again is the one kept the first time.
        let (GlyphText::Long(a), GlyphText::Long(b)) = (GlyphText::new(family), GlyphText::new(family)) else {
            panic!("a long text is kept apart");
        };
        assert!(std::ptr::eq(a, b));
    }

    #[test]
    fn kerning_tightens_av_in_the_main_family() {
        let theme = Theme::builtin();
        let Ok(mut fonts) = FontSet::from_theme(&theme) else {
            panic!("builtin fonts load");
        };
        let kerned = fonts.shape(Style::Regular, "AV").width(1000.0);
        let apart = fonts.shape(Style::Regular, "A").width(1000.0) + fonts.shape(Style::Regular, "V").width(1000.0);
        assert!(kerned < apart, "{kerned} !< {apart}");
    }

    #[test]
    fn a_character_no_face_has_is_reported_and_replaced() {
        let theme = Theme::builtin();
        let Ok(mut fonts) = FontSet::from_theme(&theme) else {
            panic!("builtin fonts load");
        };
        let shaped = fonts.shape(Style::Regular, "a\u{1F600}b");
        assert_eq!(shaped.missing, vec!['\u{1F600}']);
        let glyphs: usize = shaped.runs.iter().map(|r| r.glyphs.len()).sum();
        assert_eq!(glyphs, 3);
    }

    #[test]
    fn an_arabic_mark_says_its_text_with_its_base_not_on_its_own() {
        let theme = Theme::builtin();
        let Ok(mut fonts) = FontSet::from_theme(&theme) else {
            panic!("the built-in fonts load");
        };
        // "In the morning", with a fathatan (U+064B) over its last alef but one.
        let word = "صباحًا";
        let shaped = fonts.shape_directed(Style::Regular, word, true);
        let run = shaped.runs.iter().find(|r| r.face >= 8).expect("an Arabic run");
        assert!(run.rtl());
        assert_eq!(run.logical_text(), word);
        // Text extraction reads a raised glyph apart from its line: the mark must say nothing,
        // and the glyph it sits on says both characters.
        let marks: Vec<&Glyph> =
            run.glyphs.iter().filter(|g| g.offset.1 != 0.0 || g.advance + (g.kern as i32) == 0).collect();
        assert!(!marks.is_empty(), "the fathatan is placed over its base");
        assert!(marks.iter().all(|g| g.unicode_text(true).is_empty()), "{marks:?}");
        assert!(run.glyphs.iter().any(|g| g.text.as_str() == "حً"), "{:?}", run.glyphs);
    }

    #[test]
    fn bidi_marks_are_never_drawn() {
        let theme = Theme::builtin();
        let Ok(mut fonts) = FontSet::from_theme(&theme) else {
            panic!("the built-in fonts load");
        };
        let marked = fonts.shape(Style::Regular, "\u{200E}read it.\u{200E}");
        let plain = fonts.shape(Style::Regular, "read it.");
        assert_eq!(marked, plain);
    }

    #[test]
    fn greek_falls_back_to_noto_sans() {
        let theme = Theme::builtin();
        let Ok(mut fonts) = FontSet::from_theme(&theme) else {
            panic!("builtin fonts load");
        };
        let shaped = fonts.shape(Style::Regular, "aβ");
        assert!(shaped.missing.is_empty());
        assert!(shaped.runs.iter().any(|r| r.face == 4));
    }

    #[test]
    fn subset_tag_is_six_upper_case_letters() {
        let tag = subset_tag("AtkinsonHyperlegibleNext-Regular", &[0, 3, 4]);
        assert_eq!(tag.len(), 6);
        assert!(tag.chars().all(|c| c.is_ascii_uppercase()));
    }
}
