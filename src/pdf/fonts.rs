//! Fonts for the PDF engine: loads the theme's faces, shapes words with kerning (allsorts),
//! falls back to the wide-coverage family for characters the main family lacks, and subsets
//! each face to the glyphs a document uses.
//!
//! Knows nothing about pages or PDF objects: measurements are in thousandths of an em, as the
//! PDF `/W` array stores them, so what layout measures is what a viewer draws.

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::sync::Arc;

use allsorts::Font;
use allsorts::binary::read::ReadScope;
use allsorts::font::MatchingPresentation;
use allsorts::font_data::{DynamicFontTableProvider, FontData};
use allsorts::gsub::{FeatureMask, FeatureMaskExt};
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

/// Which loaded face a glyph comes from: 0-3 the main family, 4-7 the fallback family.
pub type FaceId = u8;

/// The characters one glyph stands for: one for most glyphs, a few for a ligature. Short
/// texts (nearly all) are stored inline, so glyphs are cloned without allocating.
#[derive(Clone, PartialEq, Eq, Hash)]
pub enum GlyphText {
    /// Up to 14 bytes of UTF-8, in place.
    Inline {
        /// Bytes used.
        len: u8,
        /// UTF-8, valid up to `len`.
        bytes: [u8; 14],
    },
    /// Anything longer.
    Shared(Arc<str>),
}

impl GlyphText {
    /// The text of `s`.
    pub fn new(s: &str) -> GlyphText {
        let mut bytes = [0u8; 14];
        if s.len() <= bytes.len() {
            bytes[..s.len()].copy_from_slice(s.as_bytes());
            GlyphText::Inline { len: s.len() as u8, bytes }
        } else {
            GlyphText::Shared(Arc::from(s))
        }
    }

    /// The characters, as a string slice.
    pub fn as_str(&self) -> &str {
        match self {
            GlyphText::Inline { len, bytes } => std::str::from_utf8(&bytes[..usize::from(*len)]).unwrap_or(""),
            GlyphText::Shared(s) => s,
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
#[derive(Debug, Clone, PartialEq)]
pub struct Glyph {
    /// Glyph id in the original (not subset) face.
    pub gid: u16,
    /// Advance in thousandths of an em, truncated exactly as printpdf writes `/W`.
    pub advance: i32,
    /// Kerning after this glyph, in thousandths of an em (negative = tighter).
    pub kern: f32,
    /// The characters this glyph stands for (several for a ligature), for `/ToUnicode`.
    pub text: GlyphText,
}

/// A run of glyphs from one face.
#[derive(Debug, Clone, PartialEq)]
pub struct ShapedRun {
    /// The face.
    pub face: FaceId,
    /// The glyphs, in order.
    pub glyphs: Vec<Glyph>,
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
}

impl Shaped {
    /// Width in points at `size`.
    pub fn width(&self, size: f32) -> f32 {
        self.runs.iter().map(ShapedRun::width_em).sum::<f32>() * size / 1000.0
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

    fn shape(&mut self, text: &str) -> Vec<Glyph> {
        let raw = self.font.map_glyphs(text, tag::LATN, MatchingPresentation::NotRequired);
        let infos = self
            .font
            .shape(
                raw,
                tag::LATN,
                Some(tag::from_string("ENG ").unwrap_or(0)),
                FeatureMask::default_mask(),
                &[],
                None,
                true,
            )
            .unwrap_or_else(|(_, infos)| infos);
        let scale = 1000.0 / self.units_per_em;
        let mut text = String::new();
        infos
            .iter()
            .map(|info| {
                let gid = info.glyph.glyph_index;
                text.clear();
                // A no-break space (inside a phone number) copies and extracts as a plain space, so
                // the number reads and searches as it is written.
                text.extend(info.glyph.unicodes.iter().map(|&c| if c == '\u{a0}' { ' ' } else { c }));
                Glyph {
                    gid,
                    advance: self.advance_em(gid),
                    kern: f32::from(info.kerning) * scale,
                    text: GlyphText::new(&text),
                }
            })
            .collect()
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
    faces: Vec<Face<'a>>,
    /// Shaped texts per style (indexed by [`Style::index`]), looked up without allocating.
    cache: [WordMap<Arc<Shaped>>; 4],
    /// Per face, a bit per glyph id: drawn in the current document.
    used: BTreeMap<FaceId, Vec<u64>>,
}

/// A fast hasher for the word cache (FNV-1a: keys are short words; no untrusted input).
#[derive(Default, Clone, Copy)]
pub struct WordHasher(u64);

impl std::hash::Hasher for WordHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        let mut hash = if self.0 == 0 { 0xcbf2_9ce4_8422_2325 } else { self.0 };
        for b in bytes {
            hash ^= u64::from(*b);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
        self.0 = hash;
    }
}

type WordMap<V> = HashMap<Box<str>, V, std::hash::BuildHasherDefault<WordHasher>>;

/// The family the theme sets text in, and the one that covers what it lacks.
const MAIN_FAMILY: &str = "AtkinsonHyperlegible";
const FALLBACK_FAMILY: &str = "NotoSans";
/// Drawn for a character no face has: visible, and extractable as U+FFFD.
const REPLACEMENT: char = '\u{FFFD}';

impl<'a> FontSet<'a> {
    /// Loads the eight faces from `theme/fonts/`.
    pub fn from_theme(theme: &'a Theme) -> Result<FontSet<'a>, FontLoadError> {
        let mut faces = Vec::with_capacity(8);
        for family in [MAIN_FAMILY, FALLBACK_FAMILY] {
            for style in [Style::Regular, Style::Bold, Style::Italic, Style::BoldItalic] {
                let name = format!("{family}-{}", style.file_suffix());
                let path = format!("fonts/{name}.ttf");
                let bytes =
                    theme.file(&path).ok_or_else(|| FontLoadError(format!("the theme has no font `{path}`")))?;
                let face = Face::load(name, bytes)
                    .ok_or_else(|| FontLoadError(format!("the font `{path}` is not a readable TrueType font")))?;
                faces.push(face);
            }
        }
        Ok(FontSet { faces, cache: Default::default(), used: BTreeMap::new() })
    }

    /// Forgets which glyphs were used, so the set can lay out another document; shaped words
    /// stay cached.
    pub fn start_document(&mut self) {
        self.used.clear();
    }

    /// Ascender of the main family, in thousandths of an em.
    pub fn ascender(&self) -> f32 {
        self.faces[0].ascender
    }

    /// Descender of the main family (negative), in thousandths of an em.
    pub fn descender(&self) -> f32 {
        self.faces[0].descender
    }

    /// Shapes `text` in `style`, splitting it between the main and fallback faces by coverage.
    /// Results are cached per document, since policies repeat their words a lot.
    pub fn shape(&mut self, style: Style, text: &str) -> Shaped {
        Shaped::clone(&self.shape_shared(style, text))
    }

    /// [`FontSet::shape`] without copying the result out of the cache.
    pub fn shape_shared(&mut self, style: Style, text: &str) -> Arc<Shaped> {
        if let Some(hit) = self.cache[style.index()].get(text) {
            return Arc::clone(hit);
        }
        let shaped = Arc::new(self.shape_uncached(style, text));
        self.cache[style.index()].insert(Box::from(text), Arc::clone(&shaped));
        shaped
    }

    fn shape_uncached(&mut self, style: Style, text: &str) -> Shaped {
        let main = style.index();
        let fallback = 4 + style.index();
        let mut missing = Vec::new();
        // Split into stretches drawable by one face; a character nobody has becomes U+FFFD
        // (or `?`) in the fallback face so the gap is visible, never blank.
        let mut stretches: Vec<(usize, String)> = Vec::new();
        for ch in text.chars() {
            let (face, drawn) = if ch.is_whitespace() && self.faces[main].glyph_for(ch) == 0 {
                (main, ' ')
            } else if self.faces[main].glyph_for(ch) != 0 {
                (main, ch)
            } else if self.faces[fallback].glyph_for(ch) != 0 {
                (fallback, ch)
            } else {
                if !ch.is_control() {
                    missing.push(ch);
                }
                if ch.is_control() || ch == '\u{200B}' || ch == '\u{AD}' {
                    continue;
                }
                let replacement = if self.faces[fallback].glyph_for(REPLACEMENT) != 0 { REPLACEMENT } else { '?' };
                (fallback, replacement)
            };
            match stretches.last_mut() {
                Some((f, s)) if *f == face => s.push(drawn),
                _ => stretches.push((face, drawn.to_string())),
            }
        }
        let runs = stretches
            .into_iter()
            .map(|(face, s)| ShapedRun { face: face as FaceId, glyphs: self.faces[face].shape(&s) })
            .collect();
        Shaped { runs, missing }
    }

    /// Records that these glyphs are drawn, so they are kept when subsetting.
    pub fn mark_used(&mut self, run: &ShapedRun) {
        let bits = self.used.entry(run.face).or_insert_with(|| vec![0u64; 1024]);
        for g in &run.glyphs {
            bits[usize::from(g.gid >> 6)] |= 1 << (g.gid & 63);
        }
    }

    /// One subset per face that draws anything, with the glyph renumbering it implies.
    pub fn subsets(&self) -> Vec<FaceSubset> {
        let mut out = Vec::new();
        for (&face_id, bits) in &self.used {
            let gids = bits
                .iter()
                .enumerate()
                .flat_map(|(word, b)| (0..64).filter(move |i| b & (1 << i) != 0).map(move |i| (word * 64 + i) as u16));
            let face = &self.faces[face_id as usize];
            // .notdef must stay glyph 0; allsorts numbers the rest by their place in the list.
            let order: Vec<u16> = std::iter::once(0).chain(gids.filter(|g| *g != 0)).collect();
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
            out.push(FaceSubset {
                face: face_id,
                name: format!("{}+{}", subset_tag(&face.postscript_name, &order), face.postscript_name),
                bytes,
                remap,
            });
        }
        out
    }
}

/// A face cut down to the glyphs one document uses.
#[derive(Debug, Clone)]
pub struct FaceSubset {
    /// Which face.
    pub face: FaceId,
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
        let tag = subset_tag("AtkinsonHyperlegible-Regular", &[0, 3, 4]);
        assert_eq!(tag.len(), 6);
        assert!(tag.chars().all(|c| c.is_ascii_uppercase()));
    }
}
