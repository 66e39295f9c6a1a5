//! XLIFF 2.0 (OASIS), the exchange format translators' tools read: writing a document of units,
//! each a segment with its source (and target), inline codes as `<ph/>` (placeholders) and
//! `<pc>` (paired codes); and reading a translated one back with where each element is, for
//! located errors.
//!
//! The XML is written by hand, without indentation inside `<source>` and `<target>` (where
//! whitespace is content); it is read with quick-xml. Pure.

use quick_xml::Reader;
use quick_xml::events::{BytesStart, Event};

use super::segments::Piece;

/// The XLIFF 2.0 namespace.
pub const NAMESPACE: &str = "urn:oasis:names:tc:xliff:document:2.0";

/// A document to write.
#[derive(Debug, Clone)]
pub struct Document {
    /// Source language.
    pub src_lang: String,
    /// Target language.
    pub trg_lang: String,
    /// Its files (one per policy).
    pub files: Vec<File>,
}

/// One `<file>`: a policy.
#[derive(Debug, Clone)]
pub struct File {
    /// The policy id.
    pub id: String,
    /// The policy file, as `original`.
    pub original: String,
    /// Notes on the file (category, text).
    pub notes: Vec<(String, String)>,
    /// Its units.
    pub units: Vec<Unit>,
}

/// One `<unit>`: a segment.
#[derive(Debug, Clone)]
pub struct Unit {
    /// Unique within its file.
    pub id: String,
    /// Notes (category, text).
    pub notes: Vec<(String, String)>,
    /// The source.
    pub source: Vec<Piece>,
    /// The target, when there is one.
    pub target: Option<Vec<Piece>>,
}

/// Escapes text for XML content and attributes; drops what XML 1.0 cannot hold.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for ch in text.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\t' | '\n' | '\r' => out.push(ch),
            c if c < ' ' || c == '\u{FFFE}' || c == '\u{FFFF}' => {}
            c => out.push(c),
        }
    }
    out
}

fn inline(pieces: &[Piece], out: &mut String) {
    for piece in pieces {
        match piece {
            Piece::Text(t) => out.push_str(&escape(t)),
            Piece::Placeholder { id, markup, kind } => {
                out.push_str(&format!(
                    "<ph id=\"{id}\" type=\"{kind}\" equiv=\"{}\" disp=\"{}\"/>",
                    escape(markup),
                    escape(markup)
                ));
            }
            Piece::Paired { id, open, close, kind, sub_type, content } => {
                let sub = sub_type.map(|s| format!(" subType=\"{s}\"")).unwrap_or_default();
                out.push_str(&format!(
                    "<pc id=\"{id}\" type=\"{kind}\"{sub} equivStart=\"{}\" equivEnd=\"{}\">",
                    escape(open),
                    escape(close)
                ));
                inline(content, out);
                out.push_str("</pc>");
            }
        }
    }
}

fn notes(list: &[(String, String)], indent: &str, out: &mut String) {
    if list.is_empty() {
        return;
    }
    out.push_str(&format!("{indent}<notes>\n"));
    for (category, text) in list {
        out.push_str(&format!("{indent}  <note category=\"{}\">{}</note>\n", escape(category), escape(text)));
    }
    out.push_str(&format!("{indent}</notes>\n"));
}

/// The document as XLIFF 2.0 text.
pub fn write(doc: &Document) -> String {
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    out.push_str(&format!(
        "<xliff xmlns=\"{NAMESPACE}\" version=\"2.0\" srcLang=\"{}\" trgLang=\"{}\">\n",
        escape(&doc.src_lang),
        escape(&doc.trg_lang)
    ));
    for file in &doc.files {
        out.push_str(&format!("  <file id=\"{}\" original=\"{}\">\n", escape(&file.id), escape(&file.original)));
        notes(&file.notes, "    ", &mut out);
        for unit in &file.units {
            out.push_str(&format!("    <unit id=\"{}\">\n", escape(&unit.id)));
            notes(&unit.notes, "      ", &mut out);
            out.push_str("      <segment>\n        <source xml:space=\"preserve\">");
            inline(&unit.source, &mut out);
            out.push_str("</source>\n");
            if let Some(target) = &unit.target {
                out.push_str("        <target xml:space=\"preserve\">");
                inline(target, &mut out);
                out.push_str("</target>\n");
            }
            out.push_str("      </segment>\n    </unit>\n");
        }
        out.push_str("  </file>\n");
    }
    out.push_str("</xliff>\n");
    out
}

/// A code of a translated segment, as read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReadPiece {
    /// Words.
    Text(String),
    /// A `<ph/>` with its id.
    Placeholder(String),
    /// A `<pc>` with its id and content.
    Paired(String, Vec<ReadPiece>),
}

/// A unit as read, with the byte offsets of its element and of its target.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadUnit {
    /// Its id.
    pub id: String,
    /// Where `<unit` starts.
    pub at: usize,
    /// The source.
    pub source: Vec<ReadPiece>,
    /// The target and where `<target` starts.
    pub target: Option<(Vec<ReadPiece>, usize)>,
}

/// A file as read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadFile {
    /// Its id (the policy id).
    pub id: String,
    /// Where `<file` starts.
    pub at: usize,
    /// Its notes (category, text).
    pub notes: Vec<(String, String)>,
    /// Its units.
    pub units: Vec<ReadUnit>,
}

/// A document as read.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ReadDocument {
    /// `srcLang`.
    pub src_lang: String,
    /// `trgLang`.
    pub trg_lang: Option<String>,
    /// Where `<xliff` starts.
    pub at: usize,
    /// Its files.
    pub files: Vec<ReadFile>,
}

/// What is wrong with a document that cannot be read, and where (byte offset).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadError {
    /// Byte offset.
    pub at: usize,
    /// What is wrong.
    pub message: String,
}

fn attribute(e: &BytesStart<'_>, name: &str) -> Option<String> {
    e.try_get_attribute(name)
        .ok()
        .flatten()
        .and_then(|a| a.normalized_value(quick_xml::XmlVersion::Implicit1_0).ok())
        .map(|v| v.into_owned())
}

/// Reads an XLIFF 2.0 document.
pub fn read(text: &str) -> Result<ReadDocument, ReadError> {
    let mut reader = Reader::from_str(text);
    let mut doc = ReadDocument::default();
    let mut seen_root = false;
    // Inline content being read: (element, pc id, pieces).
    let mut stack: Vec<(String, String, Vec<ReadPiece>)> = Vec::new();
    let mut note: Option<(String, String)> = None;
    let mut unit: Option<ReadUnit> = None;
    let mut target_at = 0;
    let push_text = |stack: &mut Vec<(String, String, Vec<ReadPiece>)>, s: &str| {
        if let Some((_, _, pieces)) = stack.last_mut() {
            match pieces.last_mut() {
                Some(ReadPiece::Text(t)) => t.push_str(s),
                _ => pieces.push(ReadPiece::Text(s.to_string())),
            }
        }
    };
    loop {
        let at = reader.buffer_position() as usize;
        let event = reader.read_event().map_err(|e| ReadError {
            at: reader.error_position() as usize,
            message: format!("this is not well-formed XML: {e}"),
        })?;
        match event {
            Event::Start(e) | Event::Empty(e) if !seen_root => {
                if e.local_name().as_ref() != "xliff" {
                    return Err(ReadError {
                        at,
                        message: "this is not an XLIFF document (it does not start with <xliff>)".into(),
                    });
                }
                if attribute(&e, "version").as_deref() != Some("2.0") {
                    return Err(ReadError { at, message: "this is not XLIFF 2.0 (`version` is not \"2.0\")".into() });
                }
                seen_root = true;
                doc.at = at;
                doc.src_lang = attribute(&e, "srcLang").unwrap_or_default();
                doc.trg_lang = attribute(&e, "trgLang");
            }
            Event::Start(e) => match e.local_name().as_ref() {
                "file" => doc.files.push(ReadFile {
                    id: attribute(&e, "id").unwrap_or_default(),
                    at,
                    notes: Vec::new(),
                    units: Vec::new(),
                }),
                "unit" => {
                    unit = Some(ReadUnit {
                        id: attribute(&e, "id").unwrap_or_default(),
                        at,
                        source: Vec::new(),
                        target: None,
                    })
                }
                "note" => note = Some((attribute(&e, "category").unwrap_or_default(), String::new())),
                "source" => stack.push(("source".into(), String::new(), Vec::new())),
                "target" => {
                    target_at = at;
                    stack.push(("target".into(), String::new(), Vec::new()));
                }
                "pc" => stack.push(("pc".into(), attribute(&e, "id").unwrap_or_default(), Vec::new())),
                _ => {}
            },
            Event::Empty(e) => match e.local_name().as_ref() {
                "ph" => {
                    if let Some((_, _, pieces)) = stack.last_mut() {
                        pieces.push(ReadPiece::Placeholder(attribute(&e, "id").unwrap_or_default()));
                    }
                }
                "pc" => {
                    if let Some((_, _, pieces)) = stack.last_mut() {
                        pieces.push(ReadPiece::Paired(attribute(&e, "id").unwrap_or_default(), Vec::new()));
                    }
                }
                "target" => {
                    if let Some(u) = &mut unit {
                        u.target = Some((Vec::new(), at));
                    }
                }
                _ => {}
            },
            Event::Text(t) => {
                let s = t.xml10_content();
                match &mut note {
                    Some((_, text)) => text.push_str(&s),
                    None => push_text(&mut stack, &s),
                }
            }
            Event::CData(t) => {
                let s = t.to_string();
                match &mut note {
                    Some((_, text)) => text.push_str(&s),
                    None => push_text(&mut stack, &s),
                }
            }
            Event::GeneralRef(g) => {
                let resolved = match g.resolve_char_ref() {
                    Ok(Some(c)) => c.to_string(),
                    _ => match quick_xml::escape::resolve_predefined_entity(&g) {
                        Some(s) => s.to_string(),
                        None => {
                            return Err(ReadError { at, message: format!("unknown entity `&{};`", &*g) });
                        }
                    },
                };
                match &mut note {
                    Some((_, text)) => text.push_str(&resolved),
                    None => push_text(&mut stack, &resolved),
                }
            }
            Event::End(e) => match e.local_name().as_ref() {
                "note" => {
                    if let Some(n) = note.take()
                        && let Some(f) = doc.files.last_mut()
                        && unit.is_none()
                    {
                        f.notes.push(n);
                    }
                }
                "pc" => {
                    if let Some((_, id, pieces)) = stack.pop()
                        && let Some((_, _, parent)) = stack.last_mut()
                    {
                        parent.push(ReadPiece::Paired(id, pieces));
                    }
                }
                "source" => {
                    if let (Some((_, _, pieces)), Some(u)) = (stack.pop(), &mut unit) {
                        u.source = pieces;
                    }
                }
                "target" => {
                    if let (Some((_, _, pieces)), Some(u)) = (stack.pop(), &mut unit) {
                        u.target = Some((pieces, target_at));
                    }
                }
                "unit" => {
                    if let (Some(u), Some(f)) = (unit.take(), doc.files.last_mut()) {
                        f.units.push(u);
                    }
                }
                _ => {}
            },
            Event::Eof => break,
            _ => {}
        }
    }
    if !seen_root {
        return Err(ReadError { at: 0, message: "this file is empty, or not an XLIFF document".into() });
    }
    Ok(doc)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_document_reads_back_with_its_codes() {
        let doc = Document {
            src_lang: "en-GB".into(),
            trg_lang: "cy".into(),
            files: vec![File {
                id: "p".into(),
                original: "content/p.md".into(),
                notes: vec![("version".into(), "3.1".into())],
                units: vec![Unit {
                    id: "1.1".into(),
                    notes: vec![],
                    source: vec![
                        Piece::Paired {
                            id: 1,
                            open: "**".into(),
                            close: "**".into(),
                            kind: "fmt",
                            sub_type: Some("xlf:b"),
                            content: vec![Piece::Text("Call".into())],
                        },
                        Piece::Text(" us & <now> ".into()),
                        Piece::Placeholder { id: 2, markup: "{{ phone }}".into(), kind: "other" },
                    ],
                    target: Some(vec![Piece::Text("Ffoniwch".into())]),
                }],
            }],
        };
        let xml = write(&doc);
        assert!(xml.contains("<source xml:space=\"preserve\"><pc id=\"1\" type=\"fmt\" subType=\"xlf:b\""), "{xml}");
        let read = read(&xml).expect("reads");
        assert_eq!(read.trg_lang.as_deref(), Some("cy"));
        assert_eq!(read.files[0].notes, vec![("version".to_string(), "3.1".to_string())]);
        let unit = &read.files[0].units[0];
        assert_eq!(
            unit.source,
            vec![
                ReadPiece::Paired("1".into(), vec![ReadPiece::Text("Call".into())]),
                ReadPiece::Text(" us & <now> ".into()),
                ReadPiece::Placeholder("2".into())
            ]
        );
        assert_eq!(unit.target.as_ref().map(|t| &t.0), Some(&vec![ReadPiece::Text("Ffoniwch".into())]));
    }

    #[test]
    fn what_is_not_xliff_2_is_refused_where_it_is() {
        assert!(read("<xliff version=\"1.2\"></xliff>").is_err());
        let broken = read("<xliff version=\"2.0\"><file id=\"a\"><unit></file></xliff>").expect_err("broken");
        assert!(broken.message.contains("well-formed"), "{broken:?}");
    }
}
