//! The post-processing pass over the written PDF (lopdf): adds the structure tree (tags), the
//! parent tree, link annotations as tagged objects, nested bookmarks, `/Lang`, `/MarkInfo`,
//! DisplayDocTitle, the XMP metadata that declares PDF/UA-1 (made from the Info dictionary, so
//! the two always agree), a deterministic `/ID`, and sets the version to 1.7; then compresses
//! the streams and has [`super::serialize`] write the file (the structure elements it writes as
//! bytes itself).
//!
//! Adds structure and metadata only: never moves or redraws content, and never reads the clock.

use lopdf::{Dictionary, Document, Object, ObjectId, Stream, StringFormat};

use super::layout::{Dest, Item, Kid, Layout, Tag};
use super::serialize::{self, RawObject};
use super::writer::Written;

/// What the pass needs besides the layout.
pub struct TagInfo<'s> {
    /// Document language, e.g. `en-GB`.
    pub lang: &'s str,
    /// Seed for the document id (same sources, same id).
    pub id_seed: u64,
}

/// A text string as PDF wants it: PDFDocEncoding-safe ASCII as a literal, anything else as
/// UTF-16BE with a byte-order mark.
fn text_string(s: &str) -> Object {
    if s.is_ascii() {
        return Object::String(s.as_bytes().to_vec(), StringFormat::Literal);
    }
    let mut bytes = vec![0xFE, 0xFF];
    for unit in s.encode_utf16() {
        bytes.extend(unit.to_be_bytes());
    }
    Object::String(bytes, StringFormat::Hexadecimal)
}

fn name(s: &str) -> Object {
    Object::Name(s.as_bytes().to_vec())
}

/// Applies the pass and serialises the document.
pub fn finish(written: Written, layout: &Layout, info: &TagInfo<'_>) -> Vec<u8> {
    finish_ordered(written, layout, info, true)
}

/// Like [`finish`], but the tag tree keeps the layout's own order of children, which the caller
/// has put in reading order, instead of the order things are drawn in: for imposed layouts (the
/// leaflet booklet), whose pages are not in reading order. An imposed layout is printed
/// double-sided and folded, so its viewer preferences ask the print dialog for that: duplex
/// flipping on the short edge, at actual size (`/Duplex /DuplexFlipShortEdge`,
/// `/PrintScaling /None`, ISO 32000-1 Table 150).
pub fn finish_in_tree_order(written: Written, layout: &Layout, info: &TagInfo<'_>) -> Vec<u8> {
    finish_ordered(written, layout, info, false)
}

fn finish_ordered(written: Written, layout: &Layout, info: &TagInfo<'_>, drawing_order: bool) -> Vec<u8> {
    let Written { doc: mut lo, mcids, links } = written;
    lo.version = "1.7".to_string();
    let page_ids: Vec<ObjectId> = lo.get_pages().values().copied().collect();
    let page_h = layout.page_size.1;

    // Every structure element gets its object number up front, so kids can refer to each other.
    let root_id = lo.new_object_id();
    let elem_ids: Vec<ObjectId> = layout.tree.iter().map(|_| lo.new_object_id()).collect();

    // Link annotations become indirect objects with a /StructParent, so an OBJR can name them.
    let page_count = page_ids.len() as i64;
    let mut annot_ids: Vec<Vec<ObjectId>> = vec![Vec::new(); page_ids.len()];
    let mut parent_entries: Vec<(i64, Object)> = Vec::new();
    let mut next_key = page_count;
    for (p, page_id) in page_ids.iter().enumerate() {
        let annots = lo
            .get_dictionary(*page_id)
            .ok()
            .and_then(|d| d.get(b"Annots").ok())
            .and_then(|a| a.as_array().ok())
            .cloned()
            .unwrap_or_default();
        let mut refs = Vec::new();
        for (n, annot) in annots.into_iter().enumerate() {
            let Ok(mut dict) = annot.as_dict().cloned() else {
                continue;
            };
            let item_index = links.get(p).and_then(|l| l.get(n)).copied();
            let item = item_index.and_then(|i| layout.pages[p].items.get(i));
            let contents = match item {
                Some(Item::Link { dest: Dest::Uri(uri), .. }) => format!("Link to {uri}"),
                Some(Item::Link { dest: Dest::Anchor(anchor), .. }) => {
                    section_link_contents(layout, anchor, drawing_order)
                }
                _ => "Link to a section of this document".to_string(),
            };
            dict.set("Contents", text_string(&contents));
            // Print flag: a printed copy keeps its links' annotations as the screen shows them.
            dict.set("F", Object::Integer(4));
            if let Some(Item::Link { tag: Tag::Elem(e), .. }) = item {
                dict.set("StructParent", Object::Integer(next_key));
                parent_entries.push((next_key, Object::Reference(elem_ids[*e])));
                next_key += 1;
            }
            let id = lo.add_object(Object::Dictionary(dict));
            refs.push(Object::Reference(id));
            annot_ids[p].push(id);
        }
        if let Ok(page) = lo.get_dictionary_mut(*page_id) {
            if refs.is_empty() {
                page.remove(b"Annots");
            } else {
                page.set("Annots", Object::Array(refs));
            }
            page.set("StructParents", Object::Integer(p as i64));
            page.set("Tabs", name("S"));
        }
    }

    // Parent tree for marked content: per page, MCID -> owning element.
    let mut per_page: Vec<Vec<Object>> = vec![Vec::new(); page_ids.len()];
    let ordered = if drawing_order {
        kids_in_drawing_order(layout)
    } else {
        layout.tree.iter().map(|e| e.kids.clone()).collect()
    };
    // The elements are written as bytes here, not built as lopdf dictionaries (a 20-page policy
    // has hundreds): building and then writing them was a tenth of a library build.
    let mut elements: Vec<RawObject> = Vec::with_capacity(layout.tree.len());
    let mut kids = Vec::new();
    for (e, elem) in layout.tree.iter().enumerate() {
        kids.clear();
        // The page of the element's first marked content: its `/Pg`, so the content on that page
        // is listed by bare MCIDs (ISO 32000-1, 14.7.4.2) and only content on other pages needs a
        // marked-content reference naming its page.
        let mut own_page: Option<usize> = None;
        let mut last: Option<(usize, i64)> = None;
        let mut seen: std::collections::BTreeSet<(usize, i64)> = std::collections::BTreeSet::new();
        for kid in &ordered[e] {
            match *kid {
                Kid::Elem(child) => {
                    last = None;
                    kids.push(KidRef::Elem(elem_ids[child]));
                }
                Kid::Item { page, item } => {
                    if let Some(mcid) = mcids.get(page).and_then(|m| m.get(item).copied().flatten()) {
                        // Items drawn together share one marked-content sequence: list it once.
                        if last == Some((page, mcid)) || !seen.insert((page, mcid)) {
                            continue;
                        }
                        last = Some((page, mcid));
                        let slots = &mut per_page[page];
                        let slot = mcid as usize;
                        if slots.len() <= slot {
                            slots.resize(slot + 1, Object::Null);
                        }
                        slots[slot] = Object::Reference(elem_ids[e]);
                        let on_own_page = *own_page.get_or_insert(page) == page;
                        kids.push(if on_own_page { KidRef::Mcid(mcid) } else { KidRef::Mcr(page_ids[page], mcid) });
                    } else if let Some(position) = links.get(page).and_then(|l| l.iter().position(|i| *i == item))
                        && let Some(annot) = annot_ids[page].get(position)
                    {
                        kids.push(KidRef::Objr(page_ids[page], *annot));
                    }
                }
            }
        }
        let parent = elem.parent.map_or(root_id, |p| elem_ids[p]);
        let mut body = Vec::with_capacity(64 + kids.len() * 8);
        body.extend_from_slice(b"<</Type/StructElem/S");
        serialize::push_name(&mut body, elem.role.name().as_bytes());
        body.extend_from_slice(b"/P ");
        serialize::push_reference(&mut body, parent);
        if let Some(page) = own_page {
            body.extend_from_slice(b"/Pg ");
            serialize::push_reference(&mut body, page_ids[page]);
        }
        body.extend_from_slice(b"/K[");
        for (n, kid) in kids.iter().enumerate() {
            if n > 0 {
                body.push(b' ');
            }
            match *kid {
                KidRef::Elem(id) => serialize::push_reference(&mut body, id),
                KidRef::Mcid(mcid) => serialize::push_int(&mut body, mcid),
                KidRef::Mcr(page, mcid) => {
                    body.extend_from_slice(b"<</Type/MCR/Pg ");
                    serialize::push_reference(&mut body, page);
                    body.extend_from_slice(b"/MCID ");
                    serialize::push_int(&mut body, mcid);
                    body.extend_from_slice(b">>");
                }
                KidRef::Objr(page, annot) => {
                    body.extend_from_slice(b"<</Type/OBJR/Pg ");
                    serialize::push_reference(&mut body, page);
                    body.extend_from_slice(b"/Obj ");
                    serialize::push_reference(&mut body, annot);
                    body.extend_from_slice(b">>");
                }
            }
        }
        body.push(b']');
        if let Some(alt) = &elem.alt {
            body.extend_from_slice(b"/Alt");
            push_text_string(&mut body, alt);
        }
        // Content in another language than the document's says which (PDF/UA-1, 7.2).
        if let Some(lang) = &elem.lang {
            body.extend_from_slice(b"/Lang");
            push_text_string(&mut body, lang);
        }
        if elem.role == super::layout::Role::TH {
            // A header cell in a row of data cells labels that row (a details table); in a row of
            // header cells it labels its column.
            let row_has_data = elem.parent.is_some_and(|tr| {
                layout.tree[tr]
                    .kids
                    .iter()
                    .any(|k| matches!(k, Kid::Elem(c) if layout.tree[*c].role == super::layout::Role::TD))
            });
            body.extend_from_slice(if row_has_data {
                b"/A<</O/Table/Scope/Row>>"
            } else {
                b"/A<</O/Table/Scope/Column>>"
            });
        }
        body.extend_from_slice(b">>");
        elements.push(RawObject { id: elem_ids[e].0, body });
    }
    let mut nums = Vec::new();
    for (p, slots) in per_page.into_iter().enumerate() {
        nums.push(Object::Integer(p as i64));
        nums.push(Object::Array(slots));
    }
    for (key, value) in parent_entries {
        nums.push(Object::Integer(key));
        nums.push(value);
    }
    let parent_tree = lo.add_object(Object::Dictionary(Dictionary::from_iter(vec![("Nums", Object::Array(nums))])));
    lo.objects.insert(
        root_id,
        Object::Dictionary(Dictionary::from_iter(vec![
            ("Type", name("StructTreeRoot")),
            ("K", Object::Array(vec![Object::Reference(elem_ids[0])])),
            ("ParentTree", Object::Reference(parent_tree)),
            ("ParentTreeNextKey", Object::Integer(next_key)),
        ])),
    );

    let outlines = build_outlines(&mut lo, layout, &page_ids, page_h);

    if let Ok(catalog) = lo.catalog_mut() {
        catalog.set("StructTreeRoot", Object::Reference(root_id));
        // No /Suspects: absent means false (the tags are complete, not a guess), and poppler
        // reports an explicit `false` as a syntax error.
        catalog.set("MarkInfo", Object::Dictionary(Dictionary::from_iter(vec![("Marked", Object::Boolean(true))])));
        catalog.set("Lang", text_string(info.lang));
        let mut preferences = vec![("DisplayDocTitle", Object::Boolean(true))];
        if !drawing_order {
            preferences.push(("Duplex", name("DuplexFlipShortEdge")));
            preferences.push(("PrintScaling", name("None")));
        }
        catalog.set("ViewerPreferences", Object::Dictionary(Dictionary::from_iter(preferences)));
        match outlines {
            Some(id) => {
                catalog.set("Outlines", Object::Reference(id));
                catalog.set("PageMode", name("UseOutlines"));
            }
            None => {
                catalog.remove(b"Outlines");
                catalog.remove(b"PageMode");
            }
        }
    }
    // printpdf always writes an empty /GTS_PDFXVersion, which makes readers call this PDF/X, and
    // empty /Identifier (not an Info key) and /Keywords.
    let mut facts = InfoFacts::default();
    if let Ok(Object::Reference(info_id)) = lo.trailer.get(b"Info").cloned()
        && let Ok(dict) = lo.get_dictionary_mut(info_id)
    {
        dict.remove(b"GTS_PDFXVersion");
        dict.remove(b"Trapped");
        dict.remove(b"Identifier");
        if dict.get(b"Keywords").ok().and_then(|k| lopdf::decode_text_string(k).ok()).is_some_and(|k| k.is_empty()) {
            dict.remove(b"Keywords");
        }
        facts = InfoFacts::of(dict);
    }
    let metadata = Stream::new(
        Dictionary::from_iter(vec![("Type", name("Metadata")), ("Subtype", name("XML"))]),
        xmp_packet(&facts, info.lang).into_bytes(),
    )
    // Left uncompressed, as PDF/A asks, so any tool can read the declaration.
    .with_compression(false);
    let metadata_id = lo.add_object(Object::Stream(metadata));
    if let Ok(catalog) = lo.catalog_mut() {
        catalog.set("Metadata", Object::Reference(metadata_id));
    }
    let mut id = info.id_seed.to_be_bytes().to_vec();
    id.extend((info.id_seed.rotate_left(29) ^ 0x9E37_79B9_7F4A_7C15).to_be_bytes());
    let id = Object::String(id, StringFormat::Hexadecimal);
    lo.trailer.set("ID", Object::Array(vec![id.clone(), id]));
    compress(&mut lo);
    serialize::save(&lo, elements)
}

/// A structure element's kid, as written.
#[derive(Clone, Copy)]
enum KidRef {
    /// A child element.
    Elem(ObjectId),
    /// Marked content on the element's own page (`/Pg`).
    Mcid(i64),
    /// Marked content on another page.
    Mcr(ObjectId, i64),
    /// An annotation (a link), on a page.
    Objr(ObjectId, ObjectId),
}

/// A text string written straight into an object's bytes, as [`text_string`] makes it.
fn push_text_string(out: &mut Vec<u8>, s: &str) {
    if let Object::String(bytes, format) = text_string(s) {
        serialize::push_string(out, &bytes, format);
    }
}

/// What a link to a section of the document says it does: the section's heading (from the
/// bookmarks) and, where pages are in reading order, its page.
fn section_link_contents(layout: &Layout, anchor: &str, pages_in_reading_order: bool) -> String {
    let title = layout.outline.iter().find(|o| o.anchor == anchor).map(|o| o.title.as_str());
    let page = layout.anchors.get(anchor).map(|(page, _)| page + 1).filter(|_| pages_in_reading_order);
    match (title, page) {
        (Some(title), Some(page)) => format!("Link to {title}, page {page}"),
        (Some(title), None) => format!("Link to {title}"),
        (None, Some(page)) => format!("Link to page {page} of this document"),
        (None, None) => "Link to a section of this document".to_string(),
    }
}

/// What the XMP packet repeats from the Info dictionary, decoded.
#[derive(Debug, Default, Clone, PartialEq)]
struct InfoFacts {
    title: String,
    author: String,
    subject: String,
    creator: String,
    producer: String,
    /// As written in the Info dictionary: `D:20250930000000+00'00'`.
    creation_date: String,
    modification_date: String,
}

impl InfoFacts {
    fn of(info: &Dictionary) -> InfoFacts {
        let text = |key: &[u8]| info.get(key).ok().and_then(|v| lopdf::decode_text_string(v).ok()).unwrap_or_default();
        InfoFacts {
            title: text(b"Title"),
            author: text(b"Author"),
            subject: text(b"Subject"),
            creator: text(b"Creator"),
            producer: text(b"Producer"),
            creation_date: text(b"CreationDate"),
            modification_date: text(b"ModDate"),
        }
    }
}

/// An Info dictionary date (`D:YYYYMMDDHHmmSS` then `Z` or `+HH'mm'`) as an XMP date
/// (`YYYY-MM-DDTHH:mm:SS+HH:mm`): the same instant, written the other way.
fn xmp_date(pdf_date: &str) -> Option<String> {
    let digits = pdf_date.strip_prefix("D:")?;
    let field = |range: std::ops::Range<usize>| -> Option<&str> {
        let part = digits.get(range)?;
        part.bytes().all(|b| b.is_ascii_digit()).then_some(part)
    };
    let (year, month, day) = (field(0..4)?, field(4..6)?, field(6..8)?);
    let (hour, minute, second) = (field(8..10)?, field(10..12)?, field(12..14)?);
    let zone = match digits.get(14..)? {
        "" | "Z" | "Z00'00'" => "Z".to_string(),
        offset => {
            let sign = offset.get(..1).filter(|s| *s == "+" || *s == "-")?;
            let hours = offset.get(1..3).filter(|h| h.bytes().all(|b| b.is_ascii_digit()))?;
            let minutes = offset.get(4..6).filter(|m| m.bytes().all(|b| b.is_ascii_digit())).unwrap_or("00");
            format!("{sign}{hours}:{minutes}")
        }
    };
    Some(format!("{year}-{month}-{day}T{hour}:{minute}:{second}{zone}"))
}

/// Text for XML: markup characters escaped, characters XML 1.0 cannot hold dropped.
fn xml_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(ch),
            c if c < ' ' || c == '\u{FFFE}' || c == '\u{FFFF}' => {}
            c => out.push(c),
        }
    }
    out
}

/// The XMP packet: the document's title, author, subject, language, creator tool, producer and
/// dates, exactly as the Info dictionary gives them, and `pdfuaid:part` 1, the PDF/UA-1
/// identification (ISO 14289-1, 5). Made from its inputs alone, so the bytes never vary.
fn xmp_packet(facts: &InfoFacts, lang: &str) -> String {
    let mut fields = String::new();
    let mut field = |line: String| {
        fields.push_str("   ");
        fields.push_str(&line);
        fields.push('\n');
    };
    field("<dc:format>application/pdf</dc:format>".to_string());
    let alt = |value: &str| format!("<rdf:Alt><rdf:li xml:lang=\"x-default\">{}</rdf:li></rdf:Alt>", xml_text(value));
    field(format!("<dc:title>{}</dc:title>", alt(&facts.title)));
    if !facts.author.is_empty() {
        field(format!("<dc:creator><rdf:Seq><rdf:li>{}</rdf:li></rdf:Seq></dc:creator>", xml_text(&facts.author)));
    }
    if !facts.subject.is_empty() {
        field(format!("<dc:description>{}</dc:description>", alt(&facts.subject)));
    }
    if !lang.is_empty() {
        field(format!("<dc:language><rdf:Bag><rdf:li>{}</rdf:li></rdf:Bag></dc:language>", xml_text(lang)));
    }
    if !facts.creator.is_empty() {
        field(format!("<xmp:CreatorTool>{}</xmp:CreatorTool>", xml_text(&facts.creator)));
    }
    if let Some(date) = xmp_date(&facts.creation_date) {
        field(format!("<xmp:CreateDate>{date}</xmp:CreateDate>"));
    }
    if let Some(date) = xmp_date(&facts.modification_date) {
        field(format!("<xmp:ModifyDate>{date}</xmp:ModifyDate>"));
        field(format!("<xmp:MetadataDate>{date}</xmp:MetadataDate>"));
    }
    if !facts.producer.is_empty() {
        field(format!("<pdf:Producer>{}</pdf:Producer>", xml_text(&facts.producer)));
    }
    field("<pdfuaid:part>1</pdfuaid:part>".to_string());
    format!(
        "<?xpacket begin=\"\u{FEFF}\" id=\"W5M0MpCehiHzreSzNTczkc9d\"?>\n\
         <x:xmpmeta xmlns:x=\"adobe:ns:meta/\">\n\
         \x20<rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\">\n\
         \x20 <rdf:Description rdf:about=\"\"\n\
         \x20   xmlns:dc=\"http://purl.org/dc/elements/1.1/\"\n\
         \x20   xmlns:xmp=\"http://ns.adobe.com/xap/1.0/\"\n\
         \x20   xmlns:pdf=\"http://ns.adobe.com/pdf/1.3/\"\n\
         \x20   xmlns:pdfuaid=\"http://www.aiim.org/pdfua/ns/id/\">\n\
         {fields}\
         \x20 </rdf:Description>\n\
         \x20</rdf:RDF>\n\
         </x:xmpmeta>\n\
         <?xpacket end=\"r\"?>"
    )
}

/// Deflate level for streams: the fastest. `lopdf::Document::compress` uses the best (slowest)
/// level, which cost a fifth of the render time for files only a few percent smaller; zlib-rs's
/// level 1 (fixed Huffman codes) against its level 2 saves a tenth of a build's CPU time for
/// PDFs about a tenth larger (500 policies: 326 MB of output against 297 MB).
const DEFLATE_LEVEL: u32 = 1;

/// Flate-compresses every stream that allows it and has no filter yet (content streams, font
/// programs, ToUnicode maps), keeping the result only when it is smaller, as lopdf does.
fn compress(lo: &mut Document) {
    // One compressor per thread, reset between streams: setting one up allocates and clears a
    // few hundred kilobytes of tables, more than compressing a small stream costs (it was a
    // hundredth of a library build when each document made its own). A reset compressor
    // writes what a new one would.
    thread_local! {
        static DEFLATER: std::cell::RefCell<Deflater> = std::cell::RefCell::new(Deflater {
            compressor: flate2::Compress::new(flate2::Compression::new(DEFLATE_LEVEL), true),
            recent: std::collections::VecDeque::new(),
        });
    }
    DEFLATER.with_borrow_mut(|deflater| compress_with(deflater, lo));
}

/// A thread's compressor, and the font programs and ToUnicode maps it compressed last with
/// what it made of them: a policy's documents share their fonts' subsets (a leaflet, its large
/// print and its booklet; a poster at A3 and A4), and their maps are often alike, so more than
/// half of the fonts' bytes were compressed again to the same result.
struct Deflater {
    compressor: flate2::Compress,
    recent: std::collections::VecDeque<(Vec<u8>, Option<Vec<u8>>)>,
}

/// How many compressed fonts and maps a thread keeps: a document's few fonts and maps.
const RECENT_STREAMS: usize = 8;

impl Deflater {
    /// [`deflate`] of `bytes`, taken from the recent ones when it is a font program or a
    /// ToUnicode map compressed last (compared byte for byte, so always the same result).
    fn deflate(&mut self, bytes: &[u8]) -> Option<Vec<u8>> {
        let shared = [&b"\x00\x01\x00\x00"[..], b"true", b"OTTO", b"/CIDInit "].iter().any(|m| bytes.starts_with(m));
        if !shared {
            return deflate(&mut self.compressor, bytes);
        }
        if let Some((_, made)) = self.recent.iter().find(|(input, _)| input.as_slice() == bytes) {
            return made.clone();
        }
        let made = deflate(&mut self.compressor, bytes);
        if self.recent.len() >= RECENT_STREAMS {
            self.recent.pop_front();
        }
        self.recent.push_back((bytes.to_vec(), made.clone()));
        made
    }
}

fn compress_with(deflater: &mut Deflater, lo: &mut Document) {
    for object in lo.objects.values_mut() {
        let Object::Stream(stream) = object else {
            continue;
        };
        if !stream.allows_compression || stream.dict.get(b"Filter").is_ok() {
            continue;
        }
        if let Some(compressed) = deflater.deflate(&stream.content)
            && compressed.len() + 19 < stream.content.len()
        {
            stream.dict.set("Filter", name("FlateDecode"));
            stream.set_content(compressed);
        }
    }
}

/// `bytes` as a zlib stream, or `None` if the compressor fails.
fn deflate(compressor: &mut flate2::Compress, bytes: &[u8]) -> Option<Vec<u8>> {
    compressor.reset();
    let mut out = Vec::with_capacity(bytes.len() / 2 + 64);
    loop {
        let read = usize::try_from(compressor.total_in()).ok()?;
        match compressor.compress_vec(bytes.get(read..)?, &mut out, flate2::FlushCompress::Finish).ok()? {
            flate2::Status::StreamEnd => return Some(out),
            _ => out.reserve(out.capacity().max(1024)),
        }
    }
}

/// Nested bookmarks from the layout's outline, each opening at its heading.
/// Where something is first drawn: (page, item), or never.
type Drawn = Option<(usize, usize)>;

/// Each element's children sorted by where they are first drawn (page, then item), so the tag
/// tree reads in the order the page shows. Layout may open an element (a link, say) before it
/// places the text that precedes it on the line; the tree must not inherit that order.
pub(super) fn kids_in_drawing_order(layout: &Layout) -> Vec<Vec<Kid>> {
    fn first_drawn(
        layout: &Layout,
        kid: &Kid,
        memo: &mut Vec<Option<Option<(usize, usize)>>>,
        depth: usize,
    ) -> Option<(usize, usize)> {
        match *kid {
            Kid::Item { page, item } => Some((page, item)),
            Kid::Elem(child) => {
                if let Some(known) = memo[child] {
                    return known;
                }
                if depth > 256 {
                    return None;
                }
                let first =
                    layout.tree[child].kids.iter().filter_map(|k| first_drawn(layout, k, memo, depth + 1)).min();
                memo[child] = Some(first);
                first
            }
        }
    }
    let mut memo = vec![None; layout.tree.len()];
    layout
        .tree
        .iter()
        .map(|elem| {
            let mut kids: Vec<(Drawn, usize, Kid)> =
                elem.kids.iter().enumerate().map(|(i, k)| (first_drawn(layout, k, &mut memo, 0), i, *k)).collect();
            // Children never drawn (empty elements) keep their place after the drawn ones.
            kids.sort_by_key(|(position, i, _)| (position.is_none(), *position, *i));
            kids.into_iter().map(|(_, _, k)| k).collect()
        })
        .collect()
}

fn build_outlines(lo: &mut Document, layout: &Layout, page_ids: &[ObjectId], page_h: f32) -> Option<ObjectId> {
    let entries: Vec<_> = layout.outline.iter().filter(|e| layout.anchors.contains_key(&e.anchor)).collect();
    if entries.is_empty() {
        return None;
    }
    let root = lo.new_object_id();
    let ids: Vec<ObjectId> = entries.iter().map(|_| lo.new_object_id()).collect();
    // Parent of each entry: the nearest earlier entry with a lower level.
    let parents: Vec<Option<usize>> =
        (0..entries.len()).map(|i| (0..i).rev().find(|&j| entries[j].level < entries[i].level)).collect();
    let children =
        |parent: Option<usize>| -> Vec<usize> { (0..entries.len()).filter(|&i| parents[i] == parent).collect() };
    let descendants = |i: usize| -> i64 {
        let mut count = 0;
        let mut stack = vec![i];
        while let Some(n) = stack.pop() {
            for c in (0..entries.len()).filter(|&c| parents[c] == Some(n)) {
                count += 1;
                stack.push(c);
            }
        }
        count
    };
    for (i, entry) in entries.iter().enumerate() {
        let siblings = children(parents[i]);
        let position = siblings.iter().position(|&s| s == i).unwrap_or(0);
        let Some((page, y)) = layout.anchors.get(&entry.anchor) else {
            continue;
        };
        let Some(page_ref) = page_ids.get(*page) else {
            continue;
        };
        let mut dict = Dictionary::from_iter(vec![
            ("Title", text_string(&entry.title)),
            ("Parent", Object::Reference(parents[i].map_or(root, |p| ids[p]))),
            (
                "Dest",
                Object::Array(vec![
                    Object::Reference(*page_ref),
                    name("XYZ"),
                    Object::Integer(0),
                    Object::Real(page_h - y + 6.0),
                    Object::Null,
                ]),
            ),
        ]);
        if position > 0 {
            dict.set("Prev", Object::Reference(ids[siblings[position - 1]]));
        }
        if let Some(next) = siblings.get(position + 1) {
            dict.set("Next", Object::Reference(ids[*next]));
        }
        let kids = children(Some(i));
        if let (Some(first), Some(last)) = (kids.first(), kids.last()) {
            dict.set("First", Object::Reference(ids[*first]));
            dict.set("Last", Object::Reference(ids[*last]));
            dict.set("Count", Object::Integer(descendants(i)));
        }
        lo.objects.insert(ids[i], Object::Dictionary(dict));
    }
    let top = children(None);
    let mut root_dict =
        Dictionary::from_iter(vec![("Type", name("Outlines")), ("Count", Object::Integer(entries.len() as i64))]);
    if let (Some(first), Some(last)) = (top.first(), top.last()) {
        root_dict.set("First", Object::Reference(ids[*first]));
        root_dict.set("Last", Object::Reference(ids[*last]));
    }
    lo.objects.insert(root, Object::Dictionary(root_dict));
    Some(root)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn info_dates_become_the_same_instant_in_xmp_form() {
        assert_eq!(xmp_date("D:20250930000000+00'00'").as_deref(), Some("2025-09-30T00:00:00+00:00"));
        assert_eq!(xmp_date("D:20250930143005-05'30'").as_deref(), Some("2025-09-30T14:30:05-05:30"));
        assert_eq!(xmp_date("D:20250930143005Z").as_deref(), Some("2025-09-30T14:30:05Z"));
        assert_eq!(xmp_date("2025-09-30"), None);
        assert_eq!(xmp_date("D:2025"), None);
    }

    #[test]
    fn xmp_packet_declares_pdf_ua_1_and_escapes_the_title() {
        let facts = InfoFacts {
            title: "Visiting <times> & \"rules\"\u{7}".to_string(),
            author: "Example NHS Trust".to_string(),
            creation_date: "D:20250930000000+00'00'".to_string(),
            modification_date: "D:20250930000000+00'00'".to_string(),
            ..InfoFacts::default()
        };
        let packet = xmp_packet(&facts, "en-GB");
        assert!(packet.starts_with("<?xpacket begin=\"\u{FEFF}\""));
        assert!(packet.contains("<pdfuaid:part>1</pdfuaid:part>"));
        assert!(packet.contains(">Visiting &lt;times&gt; &amp; &quot;rules&quot;</rdf:li>"), "{packet}");
        assert!(packet.contains("<dc:language><rdf:Bag><rdf:li>en-GB</rdf:li></rdf:Bag></dc:language>"));
        assert!(packet.contains("<xmp:CreateDate>2025-09-30T00:00:00+00:00</xmp:CreateDate>"));
        assert!(!packet.contains("dc:description"), "no empty subject");
        assert_eq!(packet, xmp_packet(&facts, "en-GB"));
    }
}
