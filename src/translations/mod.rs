//! For translators: `policypress translations export <lang>` gives the patient, easy-read and
//! poster text of every policy as one XLIFF 2.0 file (a unit per heading, paragraph, list item,
//! table cell or poster message, with notes giving its audience and the policy version, and the
//! existing translation as targets); `translations import <file>` writes or updates each
//! `content/<id>.<lang>.md` from a translated one, putting each translated segment where its
//! text stands and keeping icons, variables, links and formatting as the source has them. A file
//! whose units do not match the policies as they are now is refused with located errors.
//!
//! Pure: text in, text out (the command line reads and writes the files). Knows the source
//! format's fences and Markdown, never the outputs.

pub mod segments;
pub mod xliff;

use std::collections::{BTreeMap, BTreeSet};

use crate::diag::{Diagnostics, Location, line_col};
use crate::load::{Project, SourceFile};
use crate::model::Status;
use crate::model::languages;
use crate::parse::front_matter;
use segments::{Fence, Piece, fences};
use xliff::{ReadPiece, ReadUnit};

/// A policy's translatable text: its file, title, version and fences.
struct Source<'p> {
    file: &'p SourceFile,
    title: String,
    version: String,
    /// The fences with patient, easy-read or poster text.
    fences: Vec<Fence>,
}

/// A translation file's front matter and fences, when it lines up with its policy's.
struct Existing<'p> {
    file: &'p SourceFile,
    title: Option<String>,
    fences: Vec<Fence>,
}

fn source_of<'p>(file: &'p SourceFile) -> Option<Source<'p>> {
    let mut quiet = Diagnostics::new();
    let split = front_matter::split(&file.display, &file.text, &mut quiet)?;
    let meta = front_matter::parse_meta(&file.display, split.yaml, &mut quiet)?;
    if meta.status == Status::Withdrawn {
        return None;
    }
    let body_start = file.text.len() - split.body.len();
    let fences: Vec<Fence> =
        fences(&file.text, body_start, split.body_first_line).into_iter().filter(Fence::translatable).collect();
    if fences.iter().all(|f| f.segments.is_empty()) {
        return None;
    }
    Some(Source { file, title: meta.title, version: meta.version, fences })
}

fn existing_of<'p>(file: &'p SourceFile) -> Option<Existing<'p>> {
    let mut quiet = Diagnostics::new();
    let split = front_matter::split(&file.display, &file.text, &mut quiet)?;
    let title = front_matter::parse_translation_meta(&file.display, split.yaml, &mut quiet).map(|m| m.title);
    let body_start = file.text.len() - split.body.len();
    let fences =
        fences(&file.text, body_start, split.body_first_line).into_iter().filter(Fence::translatable).collect();
    Some(Existing { file, title, fences })
}

/// True when a translation has the policy's fences and as many segments in each, so segment
/// `k.j` of one is segment `k.j` of the other.
fn lines_up(source: &Source<'_>, existing: &Existing<'_>) -> bool {
    source.fences.len() == existing.fences.len()
        && source.fences.iter().zip(&existing.fences).all(|(s, e)| s.segments.len() == e.segments.len())
}

fn translation_of<'p>(project: &'p Project, id: &str, lang: &str) -> Option<&'p SourceFile> {
    project.translations.iter().find(|t| t.id == id && t.lang.as_deref().is_some_and(|l| l.eq_ignore_ascii_case(lang)))
}

/// What `export` made.
#[derive(Debug, Clone)]
pub struct Exported {
    /// The XLIFF document.
    pub xml: String,
    /// Policies in it.
    pub policies: usize,
    /// Units in it.
    pub units: usize,
    /// Units that already have a translation (from an existing file).
    pub translated: usize,
}

/// The XLIFF 2.0 document of every policy's patient, easy-read and poster text, for
/// translation into `lang`, with the existing translation's segments as targets where it lines
/// up with its policy. `None` (with an error) for a language that cannot be a translation's.
pub fn export(project: &Project, lang: &str, diags: &mut Diagnostics) -> Option<Exported> {
    if !check_language(project, lang, Location::nowhere(), diags) {
        return None;
    }
    let mut doc =
        xliff::Document { src_lang: project.config.language.clone(), trg_lang: lang.to_string(), files: Vec::new() };
    let (mut units, mut translated) = (0, 0);
    for source in project.sources.iter().filter_map(source_of) {
        let existing = translation_of(project, &source.file.id, lang).and_then(existing_of);
        let existing = match existing {
            Some(e) if lines_up(&source, &e) => Some(e),
            Some(e) => {
                diags
                    .warning(
                        Location::file_start(&e.file.display),
                        "this translation's fences and blocks do not line up with its policy's, so the XLIFF has no translations from it",
                    )
                    .hint("give it the policy's patient, easy-read and poster fences in the same order, with the same headings, paragraphs and list items");
                None
            }
            None => None,
        };
        let mut file = xliff::File {
            id: source.file.id.clone(),
            original: source.file.display.clone(),
            notes: vec![("version".to_string(), source.version.clone())],
            units: Vec::new(),
        };
        file.units.push(xliff::Unit {
            id: "title".to_string(),
            notes: vec![
                ("context".to_string(), "The policy's title: the leaflet's, easy read's and posters' title unless their own first heading gives one.".to_string()),
                ("version".to_string(), source.version.clone()),
            ],
            source: vec![Piece::Text(source.title.clone())],
            target: existing.as_ref().and_then(|e| e.title.clone()).map(|t| vec![Piece::Text(t)]),
        });
        for (k, fence) in source.fences.iter().enumerate() {
            for (j, segment) in fence.segments.iter().enumerate() {
                let target = existing.as_ref().map(|e| e.fences[k].segments[j].pieces.clone());
                let target = target.and_then(|t| renumbered(&segment.pieces, &t));
                file.units.push(xliff::Unit {
                    id: format!("{}.{}", k + 1, j + 1),
                    notes: vec![
                        ("audience".to_string(), fence.describe()),
                        (
                            "context".to_string(),
                            format!("{}, {} line {}", segment.kind, source.file.display, segment.line),
                        ),
                        ("version".to_string(), source.version.clone()),
                    ],
                    source: segment.pieces.clone(),
                    target,
                });
            }
        }
        units += file.units.len();
        translated += file.units.iter().filter(|u| u.target.is_some()).count();
        doc.files.push(file);
    }
    Some(Exported { policies: doc.files.len(), xml: xliff::write(&doc), units, translated })
}

/// The existing translation's pieces with the source's code numbers (codes are matched by their
/// markup, in order); `None` when its codes are not the source's.
fn renumbered(source: &[Piece], target: &[Piece]) -> Option<Vec<Piece>> {
    let mut codes: Vec<(u32, String, String)> = Vec::new();
    collect_codes(source, &mut codes);
    let mut used = BTreeSet::new();
    fn walk(pieces: &[Piece], codes: &[(u32, String, String)], used: &mut BTreeSet<u32>) -> Option<Vec<Piece>> {
        let mut out = Vec::new();
        for piece in pieces {
            out.push(match piece {
                Piece::Text(t) => Piece::Text(t.clone()),
                Piece::Placeholder { markup, kind, .. } => {
                    let (id, ..) = codes.iter().find(|(id, m, c)| m == markup && c.is_empty() && !used.contains(id))?;
                    used.insert(*id);
                    Piece::Placeholder { id: *id, markup: markup.clone(), kind }
                }
                Piece::Paired { open, close, kind, sub_type, content, .. } => {
                    let (id, ..) = codes.iter().find(|(id, o, c)| o == open && c == close && !used.contains(id))?;
                    used.insert(*id);
                    let id = *id;
                    Piece::Paired {
                        id,
                        open: open.clone(),
                        close: close.clone(),
                        kind,
                        sub_type: *sub_type,
                        content: walk(content, codes, used)?,
                    }
                }
            });
        }
        Some(out)
    }
    let out = walk(target, &codes, &mut used)?;
    (used.len() == codes.len()).then_some(out)
}

fn collect_codes(pieces: &[Piece], out: &mut Vec<(u32, String, String)>) {
    for piece in pieces {
        match piece {
            Piece::Text(_) => {}
            Piece::Placeholder { id, markup, .. } => out.push((*id, markup.clone(), String::new())),
            Piece::Paired { id, open, close, content, .. } => {
                out.push((*id, open.clone(), close.clone()));
                collect_codes(content, out);
            }
        }
    }
}

fn check_language(project: &Project, lang: &str, at: Location, diags: &mut Diagnostics) -> bool {
    if !languages::valid_tag(lang) {
        diags
            .error(at, format!("`{lang}` is not a language tag"))
            .hint("use a BCP 47 tag like `cy` (Welsh), `pl` (Polish), `ur` (Urdu), `ar` (Arabic) or `zh-Hans`");
        return false;
    }
    if languages::same_language(lang, &project.config.language) {
        diags
            .error(at, format!("`{lang}` is the site's own language (`language: {}`)", project.config.language))
            .hint("translations are into other languages");
        return false;
    }
    true
}

/// A file `import` writes: its path under the project folder and its text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Written {
    /// Path relative to the project folder (`content/<id>.<lang>.md`).
    pub path: String,
    /// The new text.
    pub text: String,
    /// True when the file is new.
    pub new: bool,
    /// Segments whose text changed (the title counted).
    pub changed: usize,
}

/// The translation files a translated XLIFF document (`text`, named `file` in messages) makes
/// or updates, or nothing when it has errors: a unit that is no segment of its policy now, a
/// source that is not the policy's text now, a target whose codes are not its source's, a
/// policy left without a unit it needs.
pub fn import(project: &Project, file: &str, text: &str, diags: &mut Diagnostics) -> Vec<Written> {
    let at = |offset: usize| {
        let (line, col) = line_col(text, offset.min(text.len()));
        Location::new(file, line, col)
    };
    let doc = match xliff::read(text) {
        Ok(doc) => doc,
        Err(e) => {
            diags.error(at(e.at), e.message).hint("give the XLIFF 2.0 file as the translator's tool saved it");
            return Vec::new();
        }
    };
    let Some(lang) = doc.trg_lang.clone() else {
        diags
            .error(at(doc.at), "the XLIFF has no `trgLang`, so its language is not known")
            .hint("set the target language in the translation tool, or add `trgLang=\"cy\"` to `<xliff>`");
        return Vec::new();
    };
    if !check_language(project, &lang, at(doc.at), diags) {
        return Vec::new();
    }
    let before = diags.error_count();
    let mut out = Vec::new();
    let mut seen = BTreeSet::new();
    for read_file in &doc.files {
        let Some(policy) = project.sources.iter().find(|s| s.id == read_file.id) else {
            diags
                .error(
                    at(read_file.at),
                    format!("the XLIFF has a file `{}`, but there is no policy `{}.md`", read_file.id, read_file.id),
                )
                .hint("translate an XLIFF exported from this project (`policypress translations export <lang>`)");
            continue;
        };
        if !seen.insert(read_file.id.clone()) {
            diags.error(at(read_file.at), format!("the file `{}` is in the XLIFF twice", read_file.id));
            continue;
        }
        let Some(source) = source_of(policy) else {
            diags.error(
                at(read_file.at),
                format!("`{}` has no patient, easy-read or poster text to translate now", policy.display),
            );
            continue;
        };
        let version = read_file
            .notes
            .iter()
            .find(|(c, _)| c == "version")
            .map(|(_, v)| v.trim().to_string())
            .unwrap_or_else(|| source.version.clone());
        let file_at = at(read_file.at);
        let units = read_file.units.as_slice();
        if let Some(written) = import_file(&source, (&lang, &version), (units, file_at), project, &at, diags) {
            out.push(written);
        }
    }
    if diags.error_count() > before {
        return Vec::new();
    }
    out
}

fn import_file(
    source: &Source<'_>,
    (lang, version): (&str, &str),
    (units, file_at): (&[ReadUnit], Location),
    project: &Project,
    at: &dyn Fn(usize) -> Location,
    diags: &mut Diagnostics,
) -> Option<Written> {
    // The units the policy has now, with their sources.
    let mut current: BTreeMap<String, Vec<Piece>> = BTreeMap::new();
    current.insert("title".to_string(), vec![Piece::Text(source.title.clone())]);
    for (k, fence) in source.fences.iter().enumerate() {
        for (j, segment) in fence.segments.iter().enumerate() {
            current.insert(format!("{}.{}", k + 1, j + 1), segment.pieces.clone());
        }
    }
    let before = diags.error_count();
    let mut targets: BTreeMap<String, Vec<Piece>> = BTreeMap::new();
    let mut listed = BTreeSet::new();
    for unit in units {
        let Some(expected) = current.get(&unit.id) else {
            diags
                .error(at(unit.at), format!("unit `{}` is not a segment of `{}` as it is now", unit.id, source.file.display))
                .hint("the policy has changed since this XLIFF was made: export it again and move the translations across");
            continue;
        };
        listed.insert(unit.id.clone());
        if !same_source(expected, &unit.source) {
            diags
                .error(at(unit.at), format!("the English of unit `{}` has changed since this XLIFF was made", unit.id))
                .hint(format!("it is now \"{}\"; export again and translate the new text", segments::plain(expected)));
            continue;
        }
        let Some((target, target_at)) = &unit.target else { continue };
        if target.iter().all(|p| matches!(p, ReadPiece::Text(t) if t.trim().is_empty())) {
            continue;
        }
        match rebuilt(expected, target) {
            Ok(pieces) => {
                targets.insert(unit.id.clone(), pieces);
            }
            Err(problem) => {
                diags
                    .error(at(*target_at), format!("the translation of unit `{}` {problem}", unit.id))
                    .hint("keep every code of the source (<ph/> for icons and variables, <pc> around bold words and links) once, as the translation tool shows them");
            }
        }
    }
    let missing: Vec<&String> = current.keys().filter(|id| !listed.contains(*id)).collect();
    if !missing.is_empty() {
        diags
            .error(
                file_at.clone(),
                format!(
                    "the XLIFF has no unit {} of `{}`: the policy has changed since it was made",
                    missing.iter().map(|m| format!("`{m}`")).collect::<Vec<_>>().join(", "),
                    source.file.display
                ),
            )
            .hint("export it again (`policypress translations export <lang>`) and move the translations across");
    }
    if diags.error_count() > before {
        return None;
    }
    let existing = translation_of(project, &source.file.id, lang).and_then(existing_of);
    // A policy nobody has translated yet is left as it is.
    if existing.is_none() && targets.is_empty() {
        return None;
    }
    match existing {
        Some(existing) if lines_up(source, &existing) => Some(update(&existing, version, &targets)),
        Some(existing) => {
            diags
                .error(
                    Location::file_start(&existing.file.display),
                    "this translation's fences and blocks do not line up with its policy's, so the XLIFF cannot be put into it",
                )
                .hint("move the file aside and import again: the import then writes it afresh");
            None
        }
        None => {
            let untranslated: Vec<&String> = current.keys().filter(|id| !targets.contains_key(*id)).collect();
            if !untranslated.is_empty() {
                diags
                    .error(
                        file_at.clone(),
                        format!(
                            "units {} of `{}` have no translation, so a new `{}` translation cannot be written",
                            untranslated.iter().map(|m| format!("`{m}`")).collect::<Vec<_>>().join(", "),
                            source.file.display,
                            lang
                        ),
                    )
                    .hint("translate every unit of a policy the first time; later imports may update some only");
                return None;
            }
            Some(afresh(source, lang, version, &targets))
        }
    }
}

/// True when a unit's source as read is the policy's segment now (its words and its codes).
fn same_source(expected: &[Piece], read: &[ReadPiece]) -> bool {
    fn flat(pieces: &[Piece], out: &mut String) {
        for piece in pieces {
            match piece {
                Piece::Text(t) => out.push_str(t),
                Piece::Placeholder { id, .. } => out.push_str(&format!("\u{1}{id}\u{1}")),
                Piece::Paired { id, content, .. } => {
                    out.push_str(&format!("\u{2}{id}\u{2}"));
                    flat(content, out);
                    out.push('\u{3}');
                }
            }
        }
    }
    fn flat_read(pieces: &[ReadPiece], out: &mut String) {
        for piece in pieces {
            match piece {
                ReadPiece::Text(t) => out.push_str(t),
                ReadPiece::Placeholder(id) => out.push_str(&format!("\u{1}{id}\u{1}")),
                ReadPiece::Paired(id, content) => {
                    out.push_str(&format!("\u{2}{id}\u{2}"));
                    flat_read(content, out);
                    out.push('\u{3}');
                }
            }
        }
    }
    let (mut a, mut b) = (String::new(), String::new());
    flat(expected, &mut a);
    flat_read(read, &mut b);
    let squeeze = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ");
    squeeze(&a) == squeeze(&b)
}

/// A target as pieces with the source's markup for each code; what is wrong when its codes
/// are not the source's.
fn rebuilt(source: &[Piece], target: &[ReadPiece]) -> Result<Vec<Piece>, String> {
    let mut codes: BTreeMap<String, &Piece> = BTreeMap::new();
    fn index<'p>(pieces: &'p [Piece], codes: &mut BTreeMap<String, &'p Piece>) {
        for piece in pieces {
            match piece {
                Piece::Text(_) => {}
                Piece::Placeholder { id, .. } => {
                    codes.insert(id.to_string(), piece);
                }
                Piece::Paired { id, content, .. } => {
                    codes.insert(id.to_string(), piece);
                    index(content, codes);
                }
            }
        }
    }
    index(source, &mut codes);
    let mut used = BTreeSet::new();
    fn build(
        pieces: &[ReadPiece],
        codes: &BTreeMap<String, &Piece>,
        used: &mut BTreeSet<String>,
    ) -> Result<Vec<Piece>, String> {
        let mut out = Vec::new();
        for piece in pieces {
            match piece {
                ReadPiece::Text(t) => out.push(Piece::Text(t.clone())),
                ReadPiece::Placeholder(id) | ReadPiece::Paired(id, _) => {
                    let Some(code) = codes.get(id) else {
                        return Err(format!("has a code `{id}` its source does not have"));
                    };
                    if !used.insert(id.clone()) {
                        return Err(format!("has the code `{id}` twice"));
                    }
                    match (piece, code) {
                        (ReadPiece::Placeholder(_), Piece::Placeholder { .. }) => out.push((*code).clone()),
                        (ReadPiece::Paired(_, content), Piece::Paired { id, open, close, kind, sub_type, .. }) => out
                            .push(Piece::Paired {
                                id: *id,
                                open: open.clone(),
                                close: close.clone(),
                                kind,
                                sub_type: *sub_type,
                                content: build(content, codes, used)?,
                            }),
                        _ => {
                            return Err(format!("has the code `{id}` in another form than its source (<ph/> or <pc>)"));
                        }
                    }
                }
            }
        }
        Ok(out)
    }
    let out = build(target, &codes, &mut used)?;
    let lost: Vec<String> = codes
        .iter()
        .filter(|(id, _)| !used.contains(*id))
        .map(|(_, code)| match code {
            Piece::Placeholder { markup, .. } => format!("`{markup}`"),
            Piece::Paired { open, close, .. } => format!("`{open}…{close}`"),
            Piece::Text(_) => String::new(),
        })
        .collect();
    if !lost.is_empty() {
        return Err(format!("has lost {} of its source", lost.join(", ")));
    }
    Ok(out)
}

fn squeeze(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A double-quoted YAML string.
fn yaml_string(s: &str) -> String {
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
}

/// The existing translation with the changed segments (and title and version) replaced, every
/// other byte as it was.
fn update(existing: &Existing<'_>, version: &str, targets: &BTreeMap<String, Vec<Piece>>) -> Written {
    let text = &existing.file.text;
    let mut replacements: Vec<(std::ops::Range<usize>, String)> = Vec::new();
    for (k, fence) in existing.fences.iter().enumerate() {
        for (j, segment) in fence.segments.iter().enumerate() {
            let Some(target) = targets.get(&format!("{}.{}", k + 1, j + 1)) else { continue };
            let new = segments::markdown(target);
            let old = &text[segment.range.clone()];
            if squeeze(old) != squeeze(&new) && squeeze(&segments::markdown(&segment.pieces)) != squeeze(&new) {
                replacements.push((segment.range.clone(), new));
            }
        }
    }
    let mut changed = replacements.len();
    let mut out = String::with_capacity(text.len());
    // The front matter's title and version, in place.
    let body_start = existing.fences.first().map_or(text.len(), |f| f.content.start);
    let mut front = String::new();
    for line in text[..body_start].split_inclusive('\n') {
        let key = line.split(':').next().unwrap_or("").trim();
        let new_title = targets.get("title").map(|t| segments::plain(t));
        match key {
            "title" if line.starts_with("title:") => match new_title {
                Some(title) if Some(title.trim()) != existing.title.as_deref().map(str::trim) => {
                    changed += 1;
                    front.push_str(&format!("title: {}\n", yaml_string(title.trim())));
                }
                _ => front.push_str(line),
            },
            "translation-of" if line.starts_with("translation-of:") => {
                let written = line["translation-of:".len()..].trim().trim_matches('"').trim_matches('\'');
                if written == version {
                    front.push_str(line);
                } else {
                    front.push_str(&format!("translation-of: {}\n", yaml_string(version)));
                }
            }
            _ => front.push_str(line),
        }
    }
    out.push_str(&front);
    let mut at = body_start;
    for (range, new) in replacements {
        out.push_str(&text[at..range.start]);
        out.push_str(&new);
        at = range.end;
    }
    out.push_str(&text[at..]);
    Written { path: existing.file.display.clone(), text: out, new: false, changed }
}

/// A new translation file: the title and version, then each of the policy's patient, easy-read
/// and poster fences (never its staff text) with every segment translated.
fn afresh(source: &Source<'_>, lang: &str, version: &str, targets: &BTreeMap<String, Vec<Piece>>) -> Written {
    let text = &source.file.text;
    let title = targets.get("title").map(|t| segments::plain(t)).unwrap_or_else(|| source.title.clone());
    let mut out = format!(
        "---\n# Translated into `{lang}` with `policypress translations import`.\ntitle: {}\ntranslation-of: {}\n---\n",
        yaml_string(title.trim()),
        yaml_string(version)
    );
    for (k, fence) in source.fences.iter().enumerate() {
        out.push_str(&format!("\n::: {}\n", fence.names.join(" ")));
        let mut at = fence.content.start;
        let mut body = String::new();
        for (j, segment) in fence.segments.iter().enumerate() {
            body.push_str(&text[at..segment.range.start]);
            match targets.get(&format!("{}.{}", k + 1, j + 1)) {
                Some(target) => body.push_str(&segments::markdown(target)),
                None => body.push_str(&text[segment.range.clone()]),
            }
            at = segment.range.end;
        }
        body.push_str(&text[at..fence.content.end]);
        out.push_str(body.trim_matches('\n'));
        out.push_str("\n:::\n");
    }
    let dir = &source.file.content_dir;
    let path = if dir.is_empty() {
        format!("content/{}.{lang}.md", source.file.id)
    } else {
        format!("content/{dir}/{}.{lang}.md", source.file.id)
    };
    Written { path, text: out, new: true, changed: targets.len() }
}
