//! Accessibility of every PDF the bundled example produces (issue 8, STANDARDS "All outputs"):
//! tagged, `/Lang` set, title shown in the title bar, every figure with alternative text, every
//! link annotation tagged, headings nested without skipped levels, the tag tree in the same order
//! as the text is drawn, and fonts embedded with Unicode maps. Read with lopdf, so it runs
//! anywhere `cargo test` does; CI checks the same PDFs with poppler and qpdf as well.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use lopdf::{Dictionary, Document, Object, ObjectId};

/// Builds the repository's example once into a temporary folder and lists its PDFs.
fn example_pdfs() -> &'static (tempfile::TempDir, Vec<PathBuf>) {
    static BUILT: OnceLock<(tempfile::TempDir, Vec<PathBuf>)> = OnceLock::new();
    BUILT.get_or_init(|| {
        let out = tempfile::tempdir().expect("temp dir");
        let status = std::process::Command::new(env!("CARGO_BIN_EXE_policypress"))
            .args(["build", "--drafts", "--today", "2026-11-22", "--root", env!("CARGO_MANIFEST_DIR"), "--out"])
            .arg(out.path())
            .status()
            .expect("run policypress");
        assert!(status.success(), "the example builds");
        let mut pdfs = Vec::new();
        collect_pdfs(out.path(), &mut pdfs);
        pdfs.sort();
        (out, pdfs)
    })
}

fn collect_pdfs(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect_pdfs(&path, out);
        } else if path.extension().is_some_and(|e| e == "pdf") {
            out.push(path);
        }
    }
}

fn resolve<'a>(doc: &'a Document, object: &'a Object) -> &'a Object {
    match object {
        Object::Reference(id) => doc.get_object(*id).unwrap_or(object),
        other => other,
    }
}

fn dict<'a>(doc: &'a Document, object: &'a Object) -> Option<&'a Dictionary> {
    resolve(doc, object).as_dict().ok()
}

fn name_of(d: &Dictionary, key: &[u8]) -> Option<String> {
    d.get(key).ok().and_then(|o| o.as_name().ok()).map(|n| String::from_utf8_lossy(n).into_owned())
}

fn catalog(doc: &Document) -> &Dictionary {
    let root = doc.trailer.get(b"Root").expect("trailer has /Root");
    dict(doc, root).expect("catalog")
}

/// Every PDF, each check: the name of the file and what is wrong.
fn for_each_pdf(check: impl Fn(&Document) -> Vec<String>) {
    for_each_named_pdf(|doc, _| check(doc));
}

/// [`for_each_pdf`] with each file's name.
fn for_each_named_pdf(check: impl Fn(&Document, &str) -> Vec<String>) {
    let (_, pdfs) = example_pdfs();
    assert!(pdfs.len() >= 3, "the example has PDFs: {pdfs:?}");
    let mut failures = Vec::new();
    for path in pdfs {
        let doc = Document::load(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        for problem in check(&doc, &name) {
            failures.push(format!("{}: {problem}", path.file_name().unwrap().to_string_lossy()));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn every_pdf_is_tagged_with_language_and_shows_its_title() {
    for_each_named_pdf(|doc, name| {
        let mut problems = Vec::new();
        let cat = catalog(doc);
        let marked = cat
            .get(b"MarkInfo")
            .ok()
            .and_then(|m| dict(doc, m))
            .and_then(|m| m.get(b"Marked").ok())
            .and_then(|b| b.as_bool().ok());
        if marked != Some(true) {
            problems.push("no /MarkInfo << /Marked true >>".to_string());
        }
        if cat.get(b"StructTreeRoot").is_err() {
            problems.push("no structure tree".to_string());
        }
        // A translation (`<id>.<lang>.pdf`, `<id>.<lang>-a4.pdf`) is in its language.
        let expected = match name.trim_end_matches(".pdf").rsplit_once('.') {
            Some((_, lang)) => lang.split('-').next().unwrap_or(lang).to_string(),
            None => "en-GB".to_string(),
        };
        match cat.get(b"Lang").ok().map(|l| resolve(doc, l)) {
            Some(Object::String(lang, _)) if lang == expected.as_bytes() => {}
            other => problems.push(format!("/Lang is {other:?}, not {expected}")),
        }
        let shows_title = cat
            .get(b"ViewerPreferences")
            .ok()
            .and_then(|v| dict(doc, v))
            .and_then(|v| v.get(b"DisplayDocTitle").ok())
            .and_then(|b| b.as_bool().ok());
        if shows_title != Some(true) {
            problems.push("the title bar does not show the document title (/DisplayDocTitle)".to_string());
        }
        let title = doc.trailer.get(b"Info").ok().and_then(|i| dict(doc, i)).and_then(|i| i.get(b"Title").ok());
        if !matches!(title.map(|t| resolve(doc, t)), Some(Object::String(t, _)) if !t.is_empty()) {
            problems.push("no document title".to_string());
        }
        problems
    });
}

/// The text between `<tag>` (after its attributes, inside any `rdf:` wrapper) and `</tag>`,
/// with XML's escapes undone.
fn xmp_value(xmp: &str, tag: &str) -> Option<String> {
    let start = xmp.find(&format!("<{tag}>"))? + tag.len() + 2;
    let end = start + xmp[start..].find(&format!("</{tag}>"))?;
    let mut inner = &xmp[start..end];
    while let Some(rest) = inner.strip_prefix('<') {
        inner = &rest[rest.find('>')? + 1..];
    }
    let inner = inner.split("</").next().unwrap_or(inner);
    Some(
        inner
            .replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&quot;", "\"")
            .replace("&apos;", "'")
            .replace("&amp;", "&"),
    )
}

/// An Info date `D:20250930000000+00'00'` in XMP form `2025-09-30T00:00:00+00:00`.
fn info_date_as_xmp(date: &str) -> String {
    let d = date.trim_start_matches("D:");
    let zone = d[14..].replace('\'', "");
    let zone = if zone.is_empty() || zone == "Z" { "Z".to_string() } else { format!("{}:{}", &zone[..3], &zone[3..]) };
    format!("{}-{}-{}T{}:{}:{}{zone}", &d[0..4], &d[4..6], &d[6..8], &d[8..10], &d[10..12], &d[12..14])
}

/// ISO 14289-1 (PDF/UA-1) 5 and 7.1: an uncompressed XMP metadata stream in the catalog says
/// `pdfuaid:part` 1 and repeats the title, language, creator tool, producer and dates of the
/// Info dictionary exactly (issue 15).
#[test]
fn every_pdf_declares_pdf_ua_1_in_xmp_matching_its_info_dictionary() {
    for_each_pdf(|doc| {
        let mut problems = Vec::new();
        let Some(stream) = catalog(doc).get(b"Metadata").ok().and_then(|m| resolve(doc, m).as_stream().ok()) else {
            return vec!["no XMP metadata stream in the catalog".to_string()];
        };
        if name_of(&stream.dict, b"Type").as_deref() != Some("Metadata")
            || name_of(&stream.dict, b"Subtype").as_deref() != Some("XML")
        {
            problems.push("the metadata stream is not /Type /Metadata /Subtype /XML".to_string());
        }
        if stream.dict.get(b"Filter").is_ok() {
            problems.push("the metadata stream is compressed".to_string());
        }
        let xmp = String::from_utf8_lossy(&stream.content).into_owned();
        if xmp_value(&xmp, "pdfuaid:part").as_deref() != Some("1")
            || !xmp.contains("xmlns:pdfuaid=\"http://www.aiim.org/pdfua/ns/id/\"")
        {
            problems.push("XMP does not declare pdfuaid:part 1".to_string());
        }
        let info = doc.trailer.get(b"Info").ok().and_then(|i| dict(doc, i)).expect("an Info dictionary");
        let info_text = |key: &[u8]| info.get(key).ok().and_then(|v| lopdf::decode_text_string(resolve(doc, v)).ok());
        let pairs = [
            ("dc:title", info_text(b"Title")),
            ("xmp:CreatorTool", info_text(b"Creator")),
            ("pdf:Producer", info_text(b"Producer")),
            ("dc:creator", info_text(b"Author")),
            ("xmp:CreateDate", info_text(b"CreationDate").map(|d| info_date_as_xmp(&d))),
            ("xmp:ModifyDate", info_text(b"ModDate").map(|d| info_date_as_xmp(&d))),
        ];
        for (tag, expected) in pairs {
            let expected = expected.unwrap_or_else(|| panic!("the Info dictionary has what {tag} repeats"));
            if xmp_value(&xmp, tag).as_deref() != Some(expected.as_str()) {
                problems
                    .push(format!("XMP {tag} is {:?}, the Info dictionary says {expected:?}", xmp_value(&xmp, tag)));
            }
        }
        let lang = catalog(doc).get(b"Lang").ok().and_then(|l| lopdf::decode_text_string(resolve(doc, l)).ok());
        if xmp_value(&xmp, "dc:language") != lang {
            problems.push(format!("XMP dc:language is {:?}, /Lang is {lang:?}", xmp_value(&xmp, "dc:language")));
        }
        problems
    });
}

/// A structure element and the marked content it holds, walked in tree order.
struct Walk {
    roles: Vec<String>,
    figures_without_alt: usize,
    /// (page object, MCID) in tree order.
    mcids: Vec<(ObjectId, i64)>,
    /// Annotations the tree refers to through OBJR.
    objrs: BTreeSet<ObjectId>,
}

fn walk(doc: &Document) -> Walk {
    let mut w = Walk { roles: Vec::new(), figures_without_alt: 0, mcids: Vec::new(), objrs: BTreeSet::new() };
    let root = catalog(doc).get(b"StructTreeRoot").ok().and_then(|r| dict(doc, r));
    if let Some(root) = root
        && let Ok(kids) = root.get(b"K")
    {
        walk_kids(doc, kids, None, &mut w, 0);
    }
    w
}

fn walk_kids(doc: &Document, kids: &Object, page: Option<ObjectId>, w: &mut Walk, depth: usize) {
    if depth > 64 {
        return;
    }
    match kids {
        Object::Array(items) => {
            for item in items {
                walk_kids(doc, item, page, w, depth + 1);
            }
        }
        Object::Integer(mcid) => {
            if let Some(page) = page {
                w.mcids.push((page, *mcid));
            }
        }
        Object::Reference(_) | Object::Dictionary(_) => {
            let Some(d) = dict(doc, kids) else { return };
            let page = d.get(b"Pg").ok().and_then(|p| p.as_reference().ok()).or(page);
            match name_of(d, b"Type").as_deref() {
                Some("MCR") => {
                    if let (Some(page), Ok(mcid)) = (page, d.get(b"MCID").and_then(|m| m.as_i64())) {
                        w.mcids.push((page, mcid));
                    }
                }
                Some("OBJR") => {
                    if let Ok(id) = d.get(b"Obj").and_then(|o| o.as_reference()) {
                        w.objrs.insert(id);
                    }
                }
                _ => {
                    if let Some(role) = name_of(d, b"S") {
                        if role == "Figure" {
                            let alt = d.get(b"Alt").ok().map(|a| resolve(doc, a));
                            if !matches!(alt, Some(Object::String(s, _)) if !s.is_empty()) {
                                w.figures_without_alt += 1;
                            }
                        }
                        w.roles.push(role);
                    }
                    if let Ok(k) = d.get(b"K") {
                        walk_kids(doc, k, page, w, depth + 1);
                    }
                }
            }
        }
        _ => {}
    }
}

#[test]
fn every_figure_has_alternative_text() {
    for_each_pdf(|doc| {
        let w = walk(doc);
        if w.figures_without_alt > 0 {
            vec![format!("{} figures without /Alt", w.figures_without_alt)]
        } else {
            Vec::new()
        }
    });
}

#[test]
fn headings_are_nested_without_skipped_levels() {
    for_each_pdf(|doc| {
        let mut problems = Vec::new();
        let mut deepest = 0;
        for role in walk(doc).roles {
            if let Some(level) = role.strip_prefix('H').and_then(|n| n.parse::<usize>().ok()) {
                if level > deepest + 1 {
                    problems.push(format!("<{role}> follows a heading of level {deepest}"));
                }
                deepest = level;
            }
        }
        if deepest == 0 {
            problems.push("no headings at all".to_string());
        }
        problems
    });
}

#[test]
fn every_link_annotation_is_tagged() {
    for_each_pdf(|doc| {
        let objrs = walk(doc).objrs;
        let mut problems = Vec::new();
        for (number, page_id) in doc.get_pages() {
            let Ok(page) = doc.get_dictionary(page_id) else { continue };
            let annots = page
                .get(b"Annots")
                .ok()
                .map(|a| resolve(doc, a))
                .and_then(|a| a.as_array().ok())
                .cloned()
                .unwrap_or_default();
            for annot in annots {
                let Ok(id) = annot.as_reference() else {
                    problems.push(format!(
                        "page {number}: a link annotation is not an indirect object, so it cannot be tagged"
                    ));
                    continue;
                };
                let Some(a) = dict(doc, &annot) else { continue };
                if name_of(a, b"Subtype").as_deref() != Some("Link") {
                    continue;
                }
                if a.get(b"StructParent").is_err() || !objrs.contains(&id) {
                    problems.push(format!("page {number}: link annotation {id:?} is not in the structure tree"));
                }
                if a.get(b"Contents").is_err() {
                    problems.push(format!("page {number}: link annotation {id:?} has no /Contents description"));
                }
                if a.get(b"F").ok().and_then(|f| f.as_i64().ok()).is_none_or(|f| f & 4 == 0) {
                    problems.push(format!("page {number}: link annotation {id:?} is not printed (no Print flag)"));
                }
            }
        }
        problems
    });
}

/// The marked-content ids of a page in the order the content stream draws them.
fn drawn_mcids(doc: &Document, page: ObjectId) -> Vec<i64> {
    let bytes = doc.get_page_content(page);
    let Ok(content) = lopdf::content::Content::decode(&bytes) else { return Vec::new() };
    content
        .operations
        .iter()
        .filter(|op| op.operator == "BDC")
        .filter_map(|op| {
            let props = op.operands.get(1)?;
            let d = match props {
                Object::Dictionary(d) => d,
                _ => return None,
            };
            d.get(b"MCID").ok()?.as_i64().ok()
        })
        .collect()
}

#[test]
fn tag_tree_reading_order_matches_the_order_text_is_drawn() {
    for_each_pdf(|doc| {
        let mut problems = Vec::new();
        let mut by_page: BTreeMap<ObjectId, Vec<i64>> = BTreeMap::new();
        for (page, mcid) in walk(doc).mcids {
            by_page.entry(page).or_default().push(mcid);
        }
        let numbers: BTreeMap<ObjectId, u32> = doc.get_pages().into_iter().map(|(n, id)| (id, n)).collect();
        for (page, tree_order) in by_page {
            let drawn: Vec<i64> = drawn_mcids(doc, page).into_iter().filter(|m| tree_order.contains(m)).collect();
            if drawn != tree_order {
                problems.push(format!(
                    "page {}: the tag tree reads marked content {:?} but the page draws it as {:?}",
                    numbers.get(&page).copied().unwrap_or(0),
                    tree_order,
                    drawn
                ));
            }
        }
        problems
    });
}

#[test]
fn every_font_is_embedded_with_a_unicode_map() {
    for_each_pdf(|doc| {
        let mut problems = Vec::new();
        for (id, object) in &doc.objects {
            let Ok(d) = object.as_dict() else { continue };
            if name_of(d, b"Type").as_deref() != Some("Font") || name_of(d, b"Subtype").as_deref() != Some("Type0") {
                continue;
            }
            let base = name_of(d, b"BaseFont").unwrap_or_default();
            if d.get(b"ToUnicode").is_err() {
                problems.push(format!("font {base} ({id:?}) has no /ToUnicode map"));
            }
            let descendant = d
                .get(b"DescendantFonts")
                .ok()
                .map(|o| resolve(doc, o))
                .and_then(|o| o.as_array().ok())
                .and_then(|a| a.first())
                .and_then(|f| dict(doc, f));
            let descriptor = descendant.and_then(|f| f.get(b"FontDescriptor").ok()).and_then(|fd| dict(doc, fd));
            let embedded = descriptor.is_some_and(|fd| fd.get(b"FontFile2").is_ok() || fd.get(b"FontFile3").is_ok());
            if !embedded {
                problems.push(format!("font {base} is not embedded"));
            }
            if base.len() < 8 || base.as_bytes()[6] != b'+' || !base[..6].bytes().all(|b| b.is_ascii_uppercase()) {
                problems.push(format!("font {base} is not named as a subset (ABCDEF+Name)"));
            }
        }
        problems
    });
}

/// Header cells say what they label: a row (a details table: label then value) or a column.
#[test]
fn table_header_cells_have_the_right_scope() {
    for_each_pdf(|doc| {
        let mut problems = Vec::new();
        for (id, object) in &doc.objects {
            let Ok(row) = object.as_dict() else { continue };
            if name_of(row, b"S").as_deref() != Some("TR") {
                continue;
            }
            let cells: Vec<&Dictionary> = row
                .get(b"K")
                .ok()
                .and_then(|k| k.as_array().ok())
                .map(|kids| kids.iter().filter_map(|k| dict(doc, k)).collect())
                .unwrap_or_default();
            let has_data = cells.iter().any(|c| name_of(c, b"S").as_deref() == Some("TD"));
            for cell in cells.iter().filter(|c| name_of(c, b"S").as_deref() == Some("TH")) {
                let scope = cell.get(b"A").ok().and_then(|a| dict(doc, a)).and_then(|a| name_of(a, b"Scope"));
                let expected = if has_data { "Row" } else { "Column" };
                if scope.as_deref() != Some(expected) {
                    problems.push(format!("row {id:?}: a header cell has scope {scope:?}, expected {expected}"));
                }
            }
        }
        problems
    });
}
