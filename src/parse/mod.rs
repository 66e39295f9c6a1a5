//! The parse stage: turns each policy's text into the document model, and checks what can only
//! be checked across policies (duplicate ids, links, related policies).
//!
//! Pure: works on text already loaded by `load`; reports located diagnostics; never filters
//! by audience (that is `resolve`) and never renders.

pub mod front_matter;

use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::hash::Hash;
use std::ops::Range;
use std::sync::{Arc, Mutex, OnceLock};

use pulldown_cmark::{CodeBlockKind, Event, HeadingLevel, LinkType, Options, Parser, Tag, TagEnd};
use rayon::prelude::*;

use crate::cache::{Key, KeyHasher, NoStore, UnitStore, memo_each};
use crate::diag::{Diagnostics, LineIndex, Location, closest, did_you_mean, nearest};
use crate::load::pictures::{MAX_PIXELS, PictureProblem};
use crate::load::{Project, SourceFile, yaml};
use crate::model::ids::{MAX_ID_LEN, suggest_id, valid_id};
use crate::model::{Align, Audience, AudienceSet, Block, BlockKind, Inline, LinkTarget, Policy, Translation};

/// What parsing needs to know about the project besides the file itself.
pub struct ParseContext<'a> {
    /// Names of the theme's icons.
    pub icon_names: &'a BTreeSet<String>,
    /// The site's variables (a policy's own override them).
    pub site_variables: &'a BTreeMap<String, String>,
    /// Every file under `content/`, relative to it, with `/` separators.
    pub content_files: &'a BTreeSet<String>,
    /// Pictures under `content/` that cannot be decoded, with the reason.
    pub broken_images: &'a BTreeMap<String, PictureProblem>,
}

/// A link to another policy, kept with where it was written, for checking once all are parsed.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PolicyLink {
    /// Target id.
    pub id: String,
    /// Target heading anchor, if any.
    pub fragment: Option<String>,
    /// Where the link is written.
    pub location: Location,
}

/// One policy file after parsing, with what the cross-policy checks need. A file whose front
/// matter has errors has no `policy`, but its id, sections and links are still known, so links
/// to it and from it are checked in the same run as its other errors.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ParsedPolicy {
    /// The policy id (the file stem).
    pub id: String,
    /// The file, as shown in messages.
    pub file: String,
    /// The policy; `None` when its front matter has errors (they are reported).
    pub policy: Option<Policy>,
    /// The section ids of its headings; `None` when its body could not be read at all.
    pub anchors: Option<BTreeSet<String>>,
    /// Links to policies (including this one) that must be checked.
    pub links: Vec<PolicyLink>,
    /// The `reference` as written, with where its value is.
    pub reference: Option<(String, Location)>,
}

/// Parses every policy of the project and checks what spans policies. Policies with errors
/// in their front matter are left out (their errors are reported).
pub fn parse_project(project: &Project, diags: &mut Diagnostics) -> Vec<Policy> {
    parse_project_keyed(project, diags).0
}

/// [`parse_project`], with each policy's parse key (all its file and the context it was parsed
/// in, as kept parses are known by) when parses are kept between builds
/// ([`keep_parses_between_builds`]): two policies with the same key and the same translations
/// are the same. For the live preview, which resolves again only the policies that changed.
pub fn parse_project_keyed(project: &Project, diags: &mut Diagnostics) -> (Vec<Policy>, Vec<Option<Key>>) {
    parse_project_stored(project, &NoStore, diags)
}

/// [`parse_project_keyed`], taking the parse of each policy whose file and context are those of
/// the last build from the build cache's memo of that build's parses (`store`; none with
/// [`NoStore`]), instead of parsing it again: a new `build` process after a one-word edit parses
/// one file, not the library. Its findings come back as they were found, in the same order. The
/// live preview keeps its parses in memory instead ([`keep_parses_between_builds`]).
pub fn parse_project_stored(
    project: &Project,
    store: &dyn UnitStore,
    diags: &mut Diagnostics,
) -> (Vec<Policy>, Vec<Option<Key>>) {
    // Each picture was decoded once as it was loaded; a damaged one is a located error where it
    // is used, rather than a grey box or a picture silently missing from a PDF.
    let broken_images: BTreeMap<String, PictureProblem> = project
        .pictures
        .iter()
        .filter_map(|(path, decoded)| decoded.as_ref().err().map(|problem| (path.clone(), problem.clone())))
        .collect();
    let ctx = ParseContext {
        icon_names: &project.theme.icon_names,
        site_variables: &project.config.variables,
        content_files: &project.content_files,
        broken_images: &broken_images,
    };
    let mut seen: BTreeMap<&str, &str> = BTreeMap::new();
    let mut unique = Vec::new();
    for source in &project.sources {
        if let Some(first) = seen.get(source.id.as_str()) {
            diags
                .error(
                    Location::file_start(&source.display),
                    format!("duplicate policy id `{}`: `{first}` has the same file name", source.id),
                )
                .hint("policy ids come from file names and must be unique across all folders; rename one of the files");
            continue;
        }
        seen.insert(&source.id, &source.display);
        unique.push(source);
    }
    if KEPT_PARSES.get().is_none()
        && let Some(program) = store.program()
    {
        let results = parse_with_memo(&unique, &ctx, store, program);
        return finish_parse(project, &ctx, results, diags);
    }
    // Policies parse independently, so in parallel; results keep the file order. In a live
    // preview, a file whose text and context are those of the last build is not parsed again.
    let mut kept = KEPT_PARSES.get().map(|kept| std::mem::take(&mut *kept.lock().unwrap_or_else(|e| e.into_inner())));
    let context = kept.as_ref().map(|_| context_key(&ctx));
    let context_id = context.as_ref().map(|c| c.clone().key());
    // A kept parse is taken when its file is the same as then (compared, not hashed: cheaper
    // than hashing a library's text again on every save) and so is the context. It is moved
    // into this build, not copied: the build gives its policies back when it is done with
    // them ([`keep_for_next_build`]). One that was not given back (its policy is missing
    // though it had one) is parsed again.
    let found: Vec<Option<KeptParse>> = unique
        .iter()
        .map(|source| {
            let entry = kept.as_mut()?.remove(&source.id)?;
            let usable = Some(entry.context) == context_id
                && same_source(&entry.source, source)
                && (!entry.had_policy || entry.parsed.policy.is_some());
            usable.then_some(entry)
        })
        .collect();
    let results: Vec<(ParsedPolicy, Diagnostics, KeptAs)> = unique
        .par_iter()
        .zip(found)
        .map(|(source, found)| {
            if let Some(entry) = found {
                return (entry.parsed, entry.found, Some((entry.key, entry.source)));
            }
            let mut own = Diagnostics::new();
            let mut parsed = parse_policy(source, &ctx, &mut own);
            if let Some(policy) = &mut parsed.policy {
                policy.earlier = parse_earlier(source, &ctx, &mut own);
            }
            let key = context.as_ref().map(|context| (source_key(context, source), (*source).clone()));
            (parsed, own, key)
        })
        .collect();
    let Some(context_id) = context_id else {
        return finish_parse(project, &ctx, results.into_iter().map(|(p, d, _)| (p, d, None)).collect(), diags);
    };
    // Only this build's parses are kept: the next build is compared with this one. Each
    // waits for its policy, given back by the build.
    let mut kept_as = Vec::with_capacity(results.len());
    let mut rest = Vec::with_capacity(results.len());
    for (parsed, found, kept) in results {
        let key = kept.as_ref().map(|(key, _)| *key);
        kept_as.push(kept.map(|(key, source)| (key, source, parsed.policy.is_some(), found.clone())));
        rest.push((parsed, found, key));
    }
    // The files that changed: their old parses go on another thread (freeing a parsed
    // library's worth of small pieces is not quick, and nothing waits for it).
    std::thread::spawn(move || drop(kept));
    let (out, shells) = finish_parse_keeping(project, &ctx, rest, diags);
    // What the checks read of each parse besides its policy is kept as it is (not copied).
    let mut next = HashMap::new();
    for (parsed, kept) in shells.into_iter().zip(kept_as) {
        if let Some((key, source, had_policy, found)) = kept {
            let entry = KeptParse { parsed, had_policy, found, source, context: context_id, key };
            next.insert(entry.source.id.clone(), entry);
        }
    }
    if let Some(store) = KEPT_PARSES.get() {
        *store.lock().unwrap_or_else(|e| e.into_inner()) = next;
    }
    out
}

/// Parses each policy of `unique` (in parallel, results in file order), taking from the memo of
/// the last build's parses ([`memo_each`]: one for the library) every one whose key
/// ([`source_key`]: its file, its earlier versions and the parse context) is there; an entry
/// holds the policy's parse and its findings. The memo's own key holds the program and the
/// context, so another program, or a change of icons, variables, files under `content/` or
/// broken pictures, never reuses a parse.
fn parse_with_memo(
    unique: &[&SourceFile],
    ctx: &ParseContext<'_>,
    store: &dyn UnitStore,
    program: Key,
) -> Vec<(ParsedPolicy, Diagnostics, Option<Key>)> {
    let context = context_key(ctx);
    let mut memo_key = KeyHasher::new("parse-library");
    program.hash(&mut memo_key);
    context.key().hash(&mut memo_key);
    let parses: Vec<(ParsedPolicy, Diagnostics)> = memo_each(
        store,
        memo_key.key(),
        unique,
        |source| source_key(&context, source),
        |source| {
            let mut own = Diagnostics::new();
            let mut parsed = parse_policy(source, ctx, &mut own);
            if let Some(policy) = &mut parsed.policy {
                policy.earlier = parse_earlier(source, ctx, &mut own);
            }
            (parsed, own)
        },
    );
    parses.into_iter().map(|(parsed, found)| (parsed, found, None)).collect()
}

/// True when two reads of a policy's file are the same (its text, names and earlier versions).
fn same_source(a: &SourceFile, b: &SourceFile) -> bool {
    let SourceFile { id, display, content_dir, text, earlier, lang } = a;
    (id, display, content_dir, lang) == (&b.id, &b.display, &b.content_dir, &b.lang)
        && (Arc::ptr_eq(text, &b.text) || text == &b.text)
        && earlier.len() == b.earlier.len()
        && earlier.iter().zip(&b.earlier).all(|(x, y)| x.version == y.version && x.text == y.text)
}

/// The rest of [`parse_project_keyed`]: the policies' findings in file order, the checks across
/// policies, the translations.
fn finish_parse(
    project: &Project,
    ctx: &ParseContext<'_>,
    results: Vec<(ParsedPolicy, Diagnostics, Option<Key>)>,
    diags: &mut Diagnostics,
) -> (Vec<Policy>, Vec<Option<Key>>) {
    finish_parse_keeping(project, ctx, results, diags).0
}

/// The parsed policies of a project, with their parse keys.
type Parsed = (Vec<Policy>, Vec<Option<Key>>);

/// [`finish_parse`], giving back each parse without its policy too (in file order).
fn finish_parse_keeping(
    project: &Project,
    ctx: &ParseContext<'_>,
    results: Vec<(ParsedPolicy, Diagnostics, Option<Key>)>,
    diags: &mut Diagnostics,
) -> (Parsed, Vec<ParsedPolicy>) {
    let mut parsed = Vec::with_capacity(results.len());
    let mut keys = Vec::with_capacity(results.len());
    for (policy, own, key) in results {
        diags.extend(own);
        parsed.push(policy);
        keys.push(key);
    }
    check_cross_references(&parsed, diags);
    check_references(&parsed, diags);
    check_categories(&parsed, &project.config.categories, diags);
    check_page_names(&parsed, diags);
    check_short_addresses(&parsed, diags);
    parse_translations(project, ctx, &mut parsed, diags);
    let mut out = (Vec::with_capacity(parsed.len()), Vec::with_capacity(parsed.len()));
    for (p, key) in parsed.iter_mut().zip(keys) {
        if let Some(policy) = p.policy.take() {
            out.0.push(policy);
            out.1.push(key);
        }
    }
    (out, parsed)
}

/// Parses kept between the builds of one process, by policy id; only when
/// [`keep_parses_between_builds`] was called (the live preview, which builds again on every save).
static KEPT_PARSES: OnceLock<Mutex<HashMap<String, KeptParse>>> = OnceLock::new();

/// One kept parse: all of it, its policy once the build that used it gave it back.
struct KeptParse {
    /// The file as it was read then.
    source: SourceFile,
    /// The context it was parsed in ([`context_key`]).
    context: Key,
    /// Its key ([`source_key`]), made when it was parsed.
    key: Key,
    parsed: ParsedPolicy,
    /// The parse made a policy (so one that is missing was not given back).
    had_policy: bool,
    found: Diagnostics,
}

/// A new parse's key and its file as read, to be kept (none when parses are not kept).
type KeptAs = Option<(Key, SourceFile)>;

/// Gives a build's policies back to the kept parses (with `keys`, as
/// [`parse_project_keyed`] gave them), so the next build takes them instead of parsing their
/// files again. Each is kept as its file's parse made it: without the translations the build
/// gave it (they are parsed from their own files, every build). Does nothing unless parses
/// are kept between builds.
pub fn keep_for_next_build(policies: Vec<Policy>, keys: &[Option<Key>]) {
    let Some(store) = KEPT_PARSES.get() else { return };
    let mut store = store.lock().unwrap_or_else(|e| e.into_inner());
    for (mut policy, key) in policies.into_iter().zip(keys) {
        if let Some(entry) = store.get_mut(&policy.id)
            && Some(entry.key) == *key
            && entry.had_policy
            && entry.parsed.policy.is_none()
        {
            policy.translations = Vec::new();
            entry.parsed.policy = Some(policy);
        }
    }
}

/// From now on, each build of this process keeps its parsed policies, so the next build parses
/// again only the files whose text (or whose context: icons, variables, files under `content/`,
/// pictures that cannot be read) changed. For `serve` and `watch`; costs the memory of one
/// parsed library.
pub fn keep_parses_between_builds() {
    KEPT_PARSES.get_or_init(|| Mutex::new(HashMap::new()));
}

/// Everything besides its own file that a policy's parse reads (all of [`ParseContext`]).
fn context_key(ctx: &ParseContext<'_>) -> KeyHasher {
    let mut hasher = KeyHasher::new("parse");
    ctx.icon_names.hash(&mut hasher);
    ctx.site_variables.hash(&mut hasher);
    ctx.content_files.hash(&mut hasher);
    for (path, problem) in ctx.broken_images {
        path.hash(&mut hasher);
        format!("{problem:?}").hash(&mut hasher);
    }
    hasher
}

/// The key of one file's parse: its context, then all of the file (its text, names, earlier
/// versions).
fn source_key(context: &KeyHasher, source: &SourceFile) -> Key {
    let mut hasher = context.clone();
    (&source.id, &source.display, &source.content_dir, &source.text, &source.lang).hash(&mut hasher);
    for earlier in &source.earlier {
        (&earlier.version, &earlier.text).hash(&mut hasher);
    }
    hasher.key()
}

/// Parses every translation (`content/<id>.<lang>.md`) and gives it to its policy. Each must be
/// of a policy that exists, in another language than the site's, once per language, and hold
/// only patient, easy-read and poster text; a translation of another version than the policy's
/// current one is a warning naming both, and is marked out of date.
fn parse_translations(project: &Project, ctx: &ParseContext<'_>, parsed: &mut [ParsedPolicy], diags: &mut Diagnostics) {
    let mut seen: BTreeMap<(String, String), &str> = BTreeMap::new();
    let ids: Vec<String> = parsed.iter().map(|p| p.id.clone()).collect();
    for source in &project.translations {
        let file = source.display.as_str();
        let lang = source.lang.clone().unwrap_or_default();
        let Some(index) = parsed.iter().position(|p| p.id == source.id) else {
            let d = diags.error(
                Location::file_start(file),
                format!("`{file}` is a translation into `{lang}` of `{}.md`, which is not in the project", source.id),
            );
            match did_you_mean(&source.id, ids.iter().map(String::as_str)) {
                Some(near) => d.hint(format!("did you mean `{near}.{lang}.md`? A translation is named after the policy it translates")),
                None => d.hint("name a translation `<policy id>.<language>.md`, after the policy it translates, like `visiting.cy.md`"),
            };
            continue;
        };
        if crate::model::languages::same_language(&lang, &project.config.language) {
            diags
                .error(
                    Location::file_start(file),
                    format!(
                        "`{lang}` is the site's own language (`language: {}`), so this is not a translation",
                        project.config.language
                    ),
                )
                .hint("a translation is into another language; rename the file, or change the site's `language:`");
            continue;
        }
        let key = (source.id.clone(), lang.to_ascii_lowercase());
        if let Some(first) = seen.get(&key) {
            diags
                .error(
                    Location::file_start(file),
                    format!("`{first}` is already the `{lang}` translation of `{}.md`", source.id),
                )
                .hint("keep one translation per language and policy; delete or merge the other");
            continue;
        }
        seen.insert(key, file);
        let Some(split) = front_matter::split(file, &source.text, diags) else { continue };
        let meta = front_matter::parse_translation_meta(file, split.yaml, diags);
        let policy_variables = parsed[index].policy.as_ref().map(|p| p.meta.variables.clone());
        let mut variables = ctx.site_variables.clone();
        variables.extend(policy_variables.clone().unwrap_or_default());
        if let Some(meta) = &meta {
            variables.extend(meta.variables.clone());
        }
        let mut body = BodyParser::new(&source.id, file, &source.content_dir, ctx, &variables);
        body.variables_known = policy_variables.is_some();
        let mut blocks = body.parse(split.body, split.body_first_line, diags);
        // Staff text is never translated: one error for each stretch of it.
        let mut previous: Option<(bool, usize)> = None;
        blocks.retain(|b| {
            let staff = b.audiences.contains(Audience::Staff);
            if staff && previous != Some((true, b.fence)) {
                let (message, hint) = if b.fence == 0 {
                    (
                        "this text is outside a fence, so it is staff text, and a translation holds none",
                        "put it in a `::: patient`, `::: easy-read` or `::: poster` fence, or delete it: the staff policy is in the site's language only",
                    )
                } else {
                    (
                        "this fence is for staff, and a translation holds no staff text",
                        "name only `patient`, `easy-read` or `poster` in a translation's fences: the staff policy is in the site's language only",
                    )
                };
                diags.error(Location::new(file, b.line, 1), message).hint(hint);
            }
            previous = Some((staff, b.fence));
            !staff
        });
        let own_anchors: BTreeSet<String> = heading_anchors(&blocks).map(str::to_string).collect();
        for link in &body.links {
            let known = if link.id == source.id {
                Some(&own_anchors)
            } else {
                match parsed.iter().find(|p| p.id == link.id) {
                    Some(p) => p.anchors.as_ref(),
                    None => {
                        diags.error(link.location.clone(), format!("link to a missing policy `{}.md`", link.id));
                        continue;
                    }
                }
            };
            if let (Some(fragment), Some(known)) = (&link.fragment, known)
                && !known.contains(fragment)
            {
                diags
                    .error(
                        link.location.clone(),
                        format!("link to a missing section `#{fragment}` of `{}.md`", link.id),
                    )
                    .hint(section_hint(fragment, &link.id, known));
            }
        }
        let (Some(meta), Some(policy)) = (meta, parsed[index].policy.as_mut()) else { continue };
        let current = meta.translation_of == policy.meta.version;
        if !current {
            let location = Location::new(file, meta.translation_of_line, 1);
            if crate::model::compare_versions(&meta.translation_of, &policy.meta.version) == std::cmp::Ordering::Greater
            {
                diags
                    .error(
                        location,
                        format!(
                            "this translation is of version {}, but `{}` is at version {}",
                            meta.translation_of, policy.source, policy.meta.version
                        ),
                    )
                    .hint(format!(
                        "set `translation-of:` to the version it was translated from, at most \"{}\"",
                        policy.meta.version
                    ));
                continue;
            }
            diags
                .warning(
                    location,
                    format!(
                        "this {} translation is of version {}, but `{}` is now at version {}: it is marked out of date",
                        crate::model::languages::language(&lang).map_or(lang.as_str(), |l| l.english),
                        meta.translation_of,
                        policy.source,
                        policy.meta.version
                    ),
                )
                .hint(format!(
                    "bring the translation up to date (`policypress translations export {lang}` gives translators the text), then set `translation-of: \"{}\"`",
                    policy.meta.version
                ));
        }
        policy.translations.push(Translation {
            lang,
            source: file.to_string(),
            title: meta.title,
            translation_of: meta.translation_of,
            translation_of_line: meta.translation_of_line,
            current,
            glossary: meta.glossary,
            blocks,
        });
        policy.translations.sort_by(|a, b| a.lang.cmp(&b.lang));
    }
}

/// The earlier approved versions of a policy from the git history, newest first. An earlier
/// version with errors today (a picture or policy it used has gone since) is left out with a
/// warning; its other problems are not the author's to fix now, so they are not reported.
fn parse_earlier(source: &SourceFile, ctx: &ParseContext<'_>, diags: &mut Diagnostics) -> Vec<Policy> {
    let mut out = Vec::new();
    for earlier in &source.earlier {
        let old = SourceFile {
            id: source.id.clone(),
            display: source.display.clone(),
            content_dir: source.content_dir.clone(),
            text: Arc::from(earlier.text.as_str()),
            earlier: Vec::new(),
            lang: None,
        };
        let mut own = Diagnostics::new();
        let parsed = parse_policy(&old, ctx, &mut own);
        match parsed.policy {
            Some(p) if !own.has_errors() => out.push(p),
            _ => {
                let reason = own
                    .sorted()
                    .into_iter()
                    .find(|d| d.severity == crate::diag::Severity::Error)
                    .map(|d| d.message)
                    .unwrap_or_else(|| "it cannot be read".to_string());
                diags
                    .warning(
                        Location::file_start(&source.display),
                        format!(
                            "version {} of this policy, from the git history, is not published: it has an error today ({reason})",
                            earlier.version
                        ),
                    )
                    .hint("nothing needs changing unless that version must be shown; the current version is published as usual");
            }
        }
    }
    out
}

/// Names of the staff site's own pages (`staff/<name>.html`), which no policy id may
/// take, or its page would replace them.
pub const STAFF_PAGE_NAMES: [&str; 4] = ["index", "accessibility", "recent", "review-report"];

fn check_page_names(parsed: &[ParsedPolicy], diags: &mut Diagnostics) {
    for p in parsed {
        if STAFF_PAGE_NAMES.contains(&p.id.as_str()) {
            diags
                .error(
                    Location::file_start(&p.file),
                    format!("the policy id `{}` is the name of a page of the staff library", p.id),
                )
                .hint(format!("rename the file, for example to `{}-policy.md`", p.id));
        }
    }
}

/// Each policy's `category:` must be one of the settings' `categories:`.
fn check_categories(parsed: &[ParsedPolicy], categories: &[String], diags: &mut Diagnostics) {
    for policy in parsed.iter().filter_map(|p| p.policy.as_ref()) {
        let Some((category, at)) = &policy.meta.category else { continue };
        if categories.contains(category) {
            continue;
        }
        if categories.is_empty() {
            diags.error(at.clone(), format!("the category `{category}` is not in a list of categories")).hint(format!(
                "list the library's categories in policypress.yaml, like:\n      categories:\n        - {category}"
            ));
            continue;
        }
        let d = diags.error(at.clone(), format!("unknown category `{category}`"));
        match crate::diag::did_you_mean(category, categories.iter().map(String::as_str)) {
            Some(near) => d.hint(format!("did you mean `{near}`? The categories are listed in policypress.yaml")),
            None => d.hint(format!(
                "use one of `{}`, or add it to `categories:` in policypress.yaml",
                categories.join("`, `")
            )),
        };
    }
}

/// Folders of the public site that a short web address may not take.
pub const RESERVED_SHORT_NAMES: [&str; 4] = ["patient", "easy-read", "poster", "assets"];

/// Checks that every short web address (`short:`, else the id) is unique, and that a policy
/// with patient-facing text does not take a folder name the public site uses itself.
fn check_short_addresses(parsed: &[ParsedPolicy], diags: &mut Diagnostics) {
    let mut taken: BTreeMap<String, &Policy> = BTreeMap::new();
    // Ids first: when a `short:` takes another policy's id, the `short:` is what to change.
    let policies: Vec<&Policy> = parsed.iter().filter_map(|p| p.policy.as_ref()).collect();
    let by_id = policies.iter().filter(|p| p.meta.short.is_none());
    for policy in by_id.chain(policies.iter().filter(|p| p.meta.short.is_some())) {
        let (short, explicit) = match &policy.meta.short {
            Some(short) => (short.clone(), true),
            None => (policy.id.clone(), false),
        };
        let location = if explicit {
            Location::new(&policy.source, policy.meta.short_line, 1)
        } else {
            Location::file_start(&policy.source)
        };
        let public = policy.blocks.iter().any(|b| {
            [Audience::Patient, Audience::EasyRead, Audience::Poster].iter().any(|a| b.audiences.contains(*a))
        });
        if public && RESERVED_SHORT_NAMES.contains(&short.as_str()) {
            diags
                .error(
                    location.clone(),
                    format!("the short web address `{short}` is a folder the public site uses for its own pages"),
                )
                .hint(format!("add `short: {short}-information` (or another name) to the front matter"));
            continue;
        }
        if let Some(first) = taken.get(&short) {
            diags
                .error(location, format!("`short: {short}` is already the short web address of `{}`", first.source))
                .hint("every policy needs its own short web address: set a different `short:` in one of them");
            continue;
        }
        taken.insert(short, policy);
    }
}

/// Parses one policy file. Its `policy` is `None` when its front matter is unusable.
pub fn parse_policy(source: &SourceFile, ctx: &ParseContext<'_>, diags: &mut Diagnostics) -> ParsedPolicy {
    let file = source.display.as_str();
    let mut parsed = ParsedPolicy {
        id: source.id.clone(),
        file: file.to_string(),
        policy: None,
        anchors: None,
        links: Vec::new(),
        reference: None,
    };
    if source.id.len() > MAX_ID_LEN {
        diags
            .error(
                Location::file_start(file),
                format!(
                    "the policy id (the file name) is {} characters long; ids may have at most {MAX_ID_LEN}, so every output's file name fits the file system",
                    source.id.chars().count()
                ),
            )
            .hint("rename the file to a shorter name: the title can be as long as it needs to be");
    } else if !valid_id(&source.id) {
        diags
            .error(
                Location::file_start(file),
                format!(
                    "the policy id `{}` (the file name) may only use lower-case letters, digits and hyphens",
                    source.id
                ),
            )
            .hint(format!("rename the file to `{}.md`", suggest_id(&source.id)));
    }
    let Some(split) = front_matter::split(file, &source.text, diags) else {
        return parsed;
    };
    let mut meta = front_matter::parse_meta(file, split.yaml, diags);
    // With errors in the front matter the body is still checked, with the variables the front
    // matter sets (or, when its YAML cannot be read, without judging variable names at all).
    let written = match &meta {
        Some(meta) => front_matter::Written {
            variables: Some(meta.variables.clone()),
            reference: meta.reference.as_ref().map(|r| {
                (
                    r.clone(),
                    yaml::YamlSource::new(file, split.yaml, 2).value_location("reference").spanning(r.chars().count()),
                )
            }),
        },
        None => front_matter::read_quietly(file, split.yaml),
    };
    let mut variables = ctx.site_variables.clone();
    variables.extend(written.variables.clone().unwrap_or_default());
    if let Some(meta) = &mut meta {
        front_matter::substitute_variables(file, split.yaml, meta, &variables, diags);
    }
    let mut body = BodyParser::new(&source.id, file, &source.content_dir, ctx, &variables);
    body.variables_known = written.variables.is_some();
    let mut blocks = body.parse(split.body, split.body_first_line, diags);
    crate::model::shrink_blocks(&mut blocks);
    parsed.links = body.links;
    parsed.anchors = Some(heading_anchors(&blocks).map(str::to_string).collect());
    parsed.reference = written.reference;
    if let Some(meta) = meta
        && valid_id(&source.id)
    {
        parsed.policy = Some(Policy {
            id: source.id.clone(),
            source: file.to_string(),
            content_dir: source.content_dir.clone(),
            meta,
            blocks,
            earlier: Vec::new(),
            translations: Vec::new(),
        });
    }
    parsed
}

/// Checks links and related policies now that every policy is known, including those whose
/// front matter has errors (a link to one of them is not to a missing policy).
fn check_cross_references(parsed: &[ParsedPolicy], diags: &mut Diagnostics) {
    let anchors: BTreeMap<&str, Option<&BTreeSet<String>>> =
        parsed.iter().map(|p| (p.id.as_str(), p.anchors.as_ref())).collect();
    let ids: Vec<&str> = anchors.keys().copied().collect();
    for p in parsed {
        for link in &p.links {
            match anchors.get(link.id.as_str()) {
                None => {
                    let d = diags.error(link.location.clone(), format!("link to a missing policy `{}.md`", link.id));
                    match did_you_mean(&link.id, ids.iter().copied()) {
                        Some(near) => d.hint(format!("did you mean `{near}.md`?")),
                        None => d.hint("link to the `.md` file of a policy in `content/`, for example `[Email policy](email-and-internet.md)`"),
                    };
                }
                // The target's body could not be read: its own error says why.
                Some(None) => {}
                Some(Some(known)) => {
                    if let Some(fragment) = &link.fragment
                        && !known.contains(fragment.as_str())
                    {
                        let d = diags.error(
                            link.location.clone(),
                            format!("link to a missing section `#{fragment}` of `{}.md`", link.id),
                        );
                        d.hint(section_hint(fragment, &link.id, known));
                    }
                }
            }
        }
        let Some(policy) = &p.policy else { continue };
        let mut listed = BTreeSet::new();
        for (id, line) in &policy.meta.related {
            let location = Location::new(&policy.source, *line, 1);
            if id.trim().is_empty() {
                diags.warning(location, "an item of `related` is empty").hint("remove it, or write a policy id");
                continue;
            }
            if *id == policy.id {
                diags
                    .warning(location, format!("`related` lists this policy itself (`{id}`)"))
                    .hint("remove it: a policy is not related to itself");
                continue;
            }
            if !listed.insert(id.as_str()) {
                diags.warning(location, format!("`related` lists `{id}` twice")).hint("remove the repeat");
                continue;
            }
            if !anchors.contains_key(id.as_str()) {
                let d = diags.warning(
                    Location::new(&policy.source, *line, 1),
                    format!("related policy `{id}` is not in this project; it is listed without a link"),
                );
                if let Some(near) = did_you_mean(id, ids.iter().copied()) {
                    d.hint(format!("did you mean `{near}`?"));
                }
            }
        }
    }
}

/// What to say about a link to a section a policy does not have: the likely typos, else the
/// sections it has that are nearest to what was written.
fn section_hint(fragment: &str, id: &str, known: &BTreeSet<String>) -> String {
    let names = || known.iter().map(String::as_str);
    let quoted = |list: Vec<&str>| list.iter().map(|a| format!("`#{a}`")).collect::<Vec<_>>();
    let near = nearest(fragment, names(), 3);
    if !near.is_empty() {
        return format!("did you mean {}?", quoted(near).join(" or "));
    }
    if known.is_empty() {
        return format!("`{id}.md` has no headings, so no sections: link to the policy without `#{fragment}`");
    }
    let closest = quoted(closest(fragment, names(), 3));
    let list = match closest.as_slice() {
        [one] => one.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
        [] => String::new(),
    };
    let count = if known.len() > closest.len() { format!(" (it has {})", known.len()) } else { String::new() };
    format!(
        "the nearest sections of `{id}.md` are {list}{count}; a section's id comes from its heading: `## 7.4 Recording` is `#74-recording`"
    )
}

/// Every `reference` must name one policy: two files with the same one are an error, reported
/// at the second with the first named. References are compared ignoring case and spaces around.
fn check_references(parsed: &[ParsedPolicy], diags: &mut Diagnostics) {
    let mut first: BTreeMap<String, &str> = BTreeMap::new();
    for p in parsed {
        let Some((reference, location)) = &p.reference else { continue };
        let key = reference.trim().to_lowercase();
        match first.get(&key) {
            Some(file) => {
                diags
                    .error(location.clone(), format!("the reference `{reference}` is also the reference of `{file}`"))
                    .hint(format!("each policy needs its own reference: change this one, or the one in `{file}`"));
            }
            None => {
                first.insert(key, p.file.as_str());
            }
        }
    }
}

/// Every heading anchor of a policy, whichever audience it is for.
/// Headings inside quotes and list items are included: they have ids on the page too.
pub fn heading_anchors(blocks: &[Block]) -> impl Iterator<Item = &str> {
    fn collect<'b>(kind: &'b BlockKind, out: &mut Vec<&'b str>) {
        match kind {
            BlockKind::Heading { anchor, .. } => out.push(anchor),
            BlockKind::Quote(blocks) => blocks.iter().for_each(|b| collect(b, out)),
            BlockKind::List { items, .. } => items.iter().flatten().for_each(|b| collect(b, out)),
            _ => {}
        }
    }
    let mut out = Vec::new();
    for block in blocks {
        collect(&block.kind, &mut out);
    }
    out.into_iter()
}

/// Makes a heading's anchor: lower-case words joined by hyphens, punctuation dropped
/// ("7.4 Recording in a hospital" -> "74-recording-in-a-hospital").
pub fn slugify(text: &str) -> String {
    let mut out = String::new();
    for c in text.chars() {
        if c.is_alphanumeric() {
            out.extend(c.to_lowercase());
        } else if (c.is_whitespace() || c == '-') && !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
    }
    while out.ends_with('-') {
        out.pop();
    }
    if out.is_empty() { "section".to_string() } else { out }
}

/// A run of the body for one set of audiences: unfenced staff text or one fence's content.
struct Segment {
    audiences: AudienceSet,
    fence: usize,
    first_line: usize,
    text: String,
    /// The fence's `lang=<tag>`: its text is in another language than the document's.
    lang: Option<String>,
}

/// Private-use characters that stand for substituted variables while Markdown is parsed, so a
/// value is always plain text and never Markdown syntax.
const VAR_OPEN: char = '\u{E000}';
const VAR_CLOSE: char = '\u{E001}';

/// Ids the page templates use: a heading never takes one, so the skip link and the page's own
/// sections keep working (`## Main {#main}` gets `main-1`).
const RESERVED_IDS: &[&str] = &[
    "main",
    "pp-what-changed",
    "search",
    "search-heading",
    "search-status",
    "search-list",
    "search-input",
    "library",
    "library-controls",
    "library-caption",
    "filter-text",
    "filter-status",
    "filter-count",
    "about-heading",
    "contents-heading",
    "related-heading",
    "details-heading",
    "history-heading",
    "contact-heading",
    "words-heading",
    "policypress-errors",
];

/// The longest word accepted, in characters: longer than any line of any output can hold (a
/// staff PDF line holds about 100 letters), and short enough to measure in no time.
pub const MAX_WORD_CHARS: usize = 200;

/// Deepest nesting of lists, quotes and emphasis accepted (far beyond anything readable).
const MAX_NESTING: usize = 24;

/// Stands for a line break inside a paragraph of a poster fence, where each line is one
/// message; the paragraph is cut there after parsing, and the marker never survives.
const LINE_MARK: char = '\u{E002}';

struct BodyParser<'a> {
    id: &'a str,
    file: &'a str,
    content_dir: &'a str,
    ctx: &'a ParseContext<'a>,
    variables: &'a BTreeMap<String, String>,
    /// Values standing behind placeholders, by index.
    values: Vec<String>,
    anchors: BTreeSet<String>,
    links: Vec<PolicyLink>,
    /// Original body lines, for finding columns.
    source_lines: Vec<&'a str>,
    body_first_line: usize,
    /// The last line warned about raw HTML, so `<b>x</b>` gets one warning, not two.
    html_warned_line: usize,
    /// In poster fences each line of a paragraph is its own message.
    lines_are_blocks: bool,
    /// Current nesting of containers and inline elements.
    depth: usize,
    /// Whether the too-deep error was given (once per policy is enough).
    nesting_reported: bool,
    /// False when the front matter could not be read, so which variables it sets is unknown and
    /// an unknown name is not reported (it would most likely be wrong).
    variables_known: bool,
}

impl<'a> BodyParser<'a> {
    fn new(
        id: &'a str,
        file: &'a str,
        content_dir: &'a str,
        ctx: &'a ParseContext<'a>,
        variables: &'a BTreeMap<String, String>,
    ) -> Self {
        BodyParser {
            id,
            file,
            content_dir,
            ctx,
            variables,
            values: Vec::new(),
            anchors: RESERVED_IDS.iter().map(|id| id.to_string()).collect(),
            links: Vec::new(),
            source_lines: Vec::new(),
            body_first_line: 1,
            html_warned_line: 0,
            lines_are_blocks: false,
            depth: 0,
            nesting_reported: false,
            variables_known: true,
        }
    }

    fn parse(&mut self, body: &'a str, first_line: usize, diags: &mut Diagnostics) -> Vec<Block> {
        self.source_lines = body.lines().collect();
        self.body_first_line = first_line;
        let mut blocks = Vec::new();
        for segment in self.split_fences(body, first_line, diags) {
            let text = self.substitute_variables(&segment.text, segment.first_line, diags);
            let text = mark_language_spans(&text);
            self.lines_are_blocks = segment.audiences.contains(Audience::Poster);
            for (kind, line) in self.parse_markdown(&text, segment.first_line, diags) {
                for (kind, line) in split_marked_lines(kind, line) {
                    let kind = match &segment.lang {
                        Some(lang) => in_language(kind, lang),
                        None => kind,
                    };
                    blocks.push(Block { kind, audiences: segment.audiences, fence: segment.fence, line });
                }
            }
        }
        blocks
    }

    /// Cuts the body into staff text and fenced blocks, reporting fence mistakes.
    fn split_fences(&self, body: &str, first_line: usize, diags: &mut Diagnostics) -> Vec<Segment> {
        let mut segments = Vec::new();
        let mut current =
            Segment { audiences: AudienceSet::STAFF_ONLY, fence: 0, first_line, text: String::new(), lang: None };
        let mut open_at: Option<usize> = None;
        let mut open_len = 3;
        let mut fence_count = 0;
        let mut code_fence: Option<String> = None;
        for (index, line) in body.split_inclusive('\n').enumerate() {
            let line_no = first_line + index;
            let trimmed = line.trim();
            // `:::` inside a code block is code, not a fence. Code fences are found as CommonMark
            // finds them (tabs count to the next multiple of 4; a backtick fence's info string has
            // no backtick), or the two would disagree about where an audience's text ends.
            let indent = indent_columns(line);
            if indent < 4 && (trimmed.starts_with("```") || trimmed.starts_with("~~~")) {
                let fence_char = if trimmed.starts_with('`') { '`' } else { '~' };
                let marker: String = trimmed.chars().take_while(|&c| c == fence_char).collect();
                let info = &trimmed[marker.len()..];
                let opens = !(fence_char == '`' && info.contains('`'));
                match &code_fence {
                    None if opens => code_fence = Some(marker),
                    None => {}
                    Some(open) if marker.starts_with(open.as_str()) && trimmed.len() == marker.len() => {
                        code_fence = None
                    }
                    _ => {}
                }
            }
            let is_fence_line = code_fence.is_none() && indent < 4 && trimmed.starts_with(":::");
            if !is_fence_line {
                current.text.push_str(line);
                continue;
            }
            let names = trimmed.trim_start_matches(':').trim();
            let blank_line = "\n";
            if names.is_empty() {
                if open_at.take().is_some() {
                    segments.push(std::mem::replace(
                        &mut current,
                        Segment {
                            audiences: AudienceSet::STAFF_ONLY,
                            fence: 0,
                            first_line: line_no + 1,
                            text: String::new(),
                            lang: None,
                        },
                    ));
                } else {
                    diags
                        .error(
                            Location::new(self.file, line_no, 1).spanning(trimmed.chars().count()),
                            "`:::` closes a fence, but no fence is open here",
                        )
                        .hint("open a fence first with a line like `::: patient`, or delete this line");
                    current.text.push_str(blank_line);
                }
                continue;
            }
            if let Some(opened) = open_at {
                diags
                    .error(
                        Location::new(self.file, line_no, 1).spanning(trimmed.chars().count()),
                        format!("a fence inside a fence: the fence opened at line {opened} is still open"),
                    )
                    .hint(format!(
                        "fences do not nest: close the fence of line {opened} with a line `:::` before opening another"
                    ));
            }
            let mut audiences = AudienceSet::default();
            let mut lang = None;
            for name in names.split_whitespace() {
                // `lang=<tag>`: the fence's text is in another language (docs/source-format.md).
                if let Some(tag) = name.strip_prefix("lang=") {
                    let col = line.find(name).map_or(1, |i| line[..i].chars().count() + 1);
                    if crate::model::languages::valid_tag(tag) {
                        lang = Some(tag.to_string());
                    } else {
                        diags
                            .error(
                                Location::new(self.file, line_no, col).spanning(name.chars().count()),
                                format!("`{tag}` is not a language tag"),
                            )
                            .hint("write a BCP 47 tag, like `::: patient lang=cy` for Welsh or `lang=ar` for Arabic");
                    }
                    continue;
                }
                match Audience::from_name(name) {
                    Some(a) => audiences.insert(a),
                    None => {
                        let col = line.find(name).map_or(1, |i| line[..i].chars().count() + 1);
                        let location = Location::new(self.file, line_no, col).spanning(name.chars().count());
                        let d = diags.error(location, format!("unknown audience `{name}`"));
                        match did_you_mean(name, Audience::ALL.iter().map(|a| a.name())) {
                            Some(near) => d.hint(format!(
                                "did you mean `{near}`? Audiences are `staff`, `patient`, `easy-read` and `poster`"
                            )),
                            None => d.hint("audiences are `staff`, `patient`, `easy-read` and `poster`"),
                        };
                    }
                }
            }
            fence_count += 1;
            open_at = Some(line_no);
            open_len = trimmed.chars().count();
            segments.push(std::mem::replace(
                &mut current,
                Segment { audiences, fence: fence_count, first_line: line_no + 1, text: String::new(), lang },
            ));
        }
        if let Some(opened) = open_at {
            diags
                .error(Location::new(self.file, opened, 1).spanning(open_len), "this fence is never closed")
                .hint("add a line `:::` where the audience's text ends");
        }
        segments.push(current);
        segments.retain(|s| !s.text.trim().is_empty());
        segments
    }

    /// Replaces `{{ name }}` with a placeholder for the variable's value and `\{{` with a literal
    /// `{{`, keeping every line break where it was so line numbers stay true.
    fn substitute_variables(&mut self, text: &str, first_line: usize, diags: &mut Diagnostics) -> String {
        let mut out = String::with_capacity(text.len());
        let mut rest = text;
        let mut consumed = 0;
        // Indexed only when a variable is met: most texts have none.
        let mut lines: Option<LineIndex> = None;
        while let Some(at) = rest.find("{{") {
            let escaped = rest[..at].ends_with('\\');
            if escaped {
                out.push_str(&rest[..at - 1]);
                out.push_str(&self.placeholder("{{".to_string()));
                rest = &rest[at + 2..];
                consumed += at + 2;
                continue;
            }
            out.push_str(&rest[..at]);
            let after = &rest[at + 2..];
            let close = after.find("}}").filter(|&c| !after[..c].contains('\n'));
            let (line, col) = lines.get_or_insert_with(|| LineIndex::new(text)).line_col(text, consumed + at);
            let location = Location::new(self.file, first_line + line - 1, col);
            match close {
                Some(close) => {
                    let name = after[..close].trim();
                    let written = after[..close].chars().count() + 4;
                    match self.variables.get(name) {
                        Some(value) => out.push_str(&self.placeholder(value.clone())),
                        None if !self.variables_known => {}
                        None => {
                            let d = diags.error(location.spanning(written), format!("unknown variable `{name}`"));
                            match did_you_mean(name, self.variables.keys().map(String::as_str)) {
                                Some(near) => d.hint(format!("did you mean `{{{{ {near} }}}}`? Variables are set under `variables:` in the front matter or in policypress.yaml")),
                                None => d.hint("set it under `variables:` in the front matter or in policypress.yaml; write `\\{{` for literal braces"),
                            };
                        }
                    }
                    rest = &after[close + 2..];
                    consumed += at + 2 + close + 2;
                }
                None => {
                    diags
                        .error(location.spanning(2), "`{{` starts a variable but has no closing `}}` on the same line")
                        .hint("write `{{ name }}` for a variable, or `\\{{` for literal braces");
                    out.push_str("{{");
                    rest = after;
                    consumed += at + 2;
                }
            }
        }
        out.push_str(rest);
        out
    }

    fn placeholder(&mut self, value: String) -> String {
        self.values.push(value);
        format!("{VAR_OPEN}{}{VAR_CLOSE}", self.values.len() - 1)
    }

    /// Puts variable values back in place of their placeholders.
    fn restore(&self, text: &str) -> String {
        if !text.contains(VAR_OPEN) {
            return text.to_string();
        }
        let mut out = String::with_capacity(text.len());
        let mut rest = text;
        while let Some(open) = rest.find(VAR_OPEN) {
            out.push_str(&rest[..open]);
            let after = &rest[open + VAR_OPEN.len_utf8()..];
            match after.find(VAR_CLOSE) {
                Some(close) => {
                    let index: usize = after[..close].parse().unwrap_or(usize::MAX);
                    out.push_str(self.values.get(index).map_or("", String::as_str));
                    rest = &after[close + VAR_CLOSE.len_utf8()..];
                }
                None => {
                    rest = after;
                }
            }
        }
        out.push_str(rest);
        out
    }

    /// The file location of byte `offset` of a segment's text, with the column found by
    /// looking for `token` on that line of the original file when given.
    fn locate(&self, w: &Walker<'_>, offset: usize, token: Option<&str>) -> Location {
        let (text, first_line) = (w.text, w.first_line);
        let (line, col) = w.lines.line_col(text, offset);
        let file_line = first_line + line - 1;
        let col = token
            .and_then(|t| {
                let src = self.source_lines.get(file_line.checked_sub(self.body_first_line)?)?;
                src.find(t).map(|i| src[..i].chars().count() + 1)
            })
            .unwrap_or(col);
        Location::new(self.file, file_line, col)
    }

    /// `location` (the start of an inline link or image) covering the whole `[text](address)`
    /// when it is written on one line of the file, so the terminal underlines all of it.
    fn bracket_span(&self, location: Location) -> Location {
        let Some(src) = location.line.checked_sub(self.body_first_line).and_then(|i| self.source_lines.get(i)) else {
            return location;
        };
        let start = src.char_indices().nth(location.col.saturating_sub(1)).map_or(src.len(), |(i, _)| i);
        let rest = &src[start..];
        let Some(middle) = rest.find("](") else { return location };
        let Some(close) = rest[middle..].find(')') else { return location };
        let len = rest[..middle + close + 1].chars().count();
        location.spanning(len)
    }

    fn parse_markdown(&mut self, text: &str, first_line: usize, diags: &mut Diagnostics) -> Vec<(BlockKind, usize)> {
        let events: Vec<(Event<'_>, Range<usize>)> =
            Parser::new_ext(text, markdown_options()).into_offset_iter().collect();
        let mut walker = Walker { events, pos: 0, text, first_line, lines: LineIndex::new(text) };
        let mut out = Vec::new();
        while walker.pos < walker.events.len() {
            let offset = walker.events[walker.pos].1.start;
            let line = first_line + walker.lines.line_col(text, offset).0 - 1;
            if let Some(block) = self.block(&mut walker, diags) {
                out.push((block, line));
            }
        }
        out
    }

    /// Reads one block starting at the walker's position.
    fn block(&mut self, w: &mut Walker<'_>, diags: &mut Diagnostics) -> Option<BlockKind> {
        let (event, range) = w.next()?;
        match event {
            Event::Start(Tag::Paragraph) => Some(BlockKind::Paragraph(self.inlines(w, diags))),
            Event::Start(Tag::Heading { level, id, .. }) => {
                // `{#...}` that pulldown-cmark could not read as an id (it holds markup such as
                // `{#"><b>}`) is an unusable id like any other: warned about, and not shown.
                let source = &w.text[range.clone()];
                let unread = id.is_none().then(|| unread_heading_id(source)).flatten();
                let content = match unread {
                    Some((start, end)) => {
                        let written = &source[start..end];
                        let location = w.location(self, range.start + start, Some(written));
                        diags
                            .warning(
                                location,
                                format!(
                                    "the heading id `{written}` is not used: ids are lower-case letters, digits and hyphens"
                                ),
                            )
                            .hint(format!("write it as `{{#{}}}`", suggest_id(&written[2..written.len() - 1])));
                        self.heading_without(w, range.start, source, start..end, diags)
                    }
                    None => self.inlines(w, diags),
                };
                if let Some(id) = id.as_deref().filter(|id| !valid_id(id)) {
                    let location = w.location(self, range.start, None);
                    diags
                        .warning(
                            location,
                            format!(
                                "the heading id `{{#{id}}}` is not used: ids are lower-case letters, digits and hyphens"
                            ),
                        )
                        .hint(format!("write it as `{{#{}}}`", suggest_id(id)));
                }
                let anchor = self.unique_anchor(id.map(|s| s.to_string()), &content);
                Some(BlockKind::Heading { level: heading_level(level), content, anchor })
            }
            Event::Start(Tag::BlockQuote(_)) => Some(BlockKind::Quote(self.blocks_until_end(w, diags))),
            Event::Start(Tag::CodeBlock(kind)) => {
                let mut code = String::new();
                while let Some((e, _)) = w.next() {
                    match e {
                        Event::Text(t) => code.push_str(&t),
                        Event::End(_) => break,
                        _ => {}
                    }
                }
                // CommonMark names the language with the info string's first word.
                let language = match kind {
                    CodeBlockKind::Fenced(info) => info.split_whitespace().next().map(|word| self.restore(word)),
                    CodeBlockKind::Indented => None,
                };
                // Only the last line's break: blank lines at the end are part of the code.
                let text = self.restore(code.strip_suffix('\n').unwrap_or(&code));
                Some(BlockKind::Code { language, text })
            }
            Event::Start(Tag::List(start)) => {
                let mut items = Vec::new();
                let mut tight = true;
                while let Some((e, _)) = w.peek() {
                    match e {
                        Event::Start(Tag::Item) => {
                            w.pos += 1;
                            tight &= !item_has_paragraphs(w);
                            items.push(self.blocks_until_end(w, diags));
                        }
                        _ => {
                            w.pos += 1;
                            break;
                        }
                    }
                }
                Some(BlockKind::List { start, tight, items })
            }
            Event::Start(Tag::Table(aligns)) => Some(self.table(w, aligns, diags)),
            Event::Start(Tag::HtmlBlock) => {
                let mut html = String::new();
                while let Some((e, _)) = w.next() {
                    match e {
                        Event::Html(t) | Event::Text(t) => html.push_str(&t),
                        Event::End(_) => break,
                        _ => {}
                    }
                }
                let location = w.location(self, range.start, None);
                self.raw_html_warning(diags, location);
                Some(BlockKind::Paragraph(vec![Inline::Text(self.restore(html.trim()))]))
            }
            Event::Rule => Some(BlockKind::Rule),
            Event::Start(_) => {
                // A construct we do not model (e.g. a footnote definition): keep its words.
                let content = self.inlines(w, diags);
                Some(BlockKind::Paragraph(content))
            }
            Event::End(_) => None,
            _ => {
                // Inline content directly inside a tight list item.
                w.pos -= 1;
                Some(BlockKind::Paragraph(self.loose_inlines(w, diags)))
            }
        }
    }

    /// The content of the heading just opened, read again from its source with `cut` (an
    /// attribute block) taken out; the heading's own events are skipped.
    fn heading_without(
        &mut self,
        w: &mut Walker<'_>,
        at: usize,
        source: &str,
        cut: Range<usize>,
        diags: &mut Diagnostics,
    ) -> Vec<Inline> {
        let mut depth = 0usize;
        while let Some((event, _)) = w.next() {
            match event {
                Event::Start(_) => depth += 1,
                Event::End(_) if depth == 0 => break,
                Event::End(_) => depth -= 1,
                _ => {}
            }
        }
        let stripped = format!("{}{}", &source[..cut.start], &source[cut.end..]);
        let mut events: Vec<(Event<'static>, Range<usize>)> = Parser::new_ext(&stripped, markdown_options())
            .into_offset_iter()
            .map(|(event, r)| (event.into_static(), at + r.start..at + r.end))
            .collect();
        // Only the heading's inline events, after its start.
        if !matches!(events.first(), Some((Event::Start(Tag::Heading { .. }), _))) {
            return Vec::new();
        }
        events.remove(0);
        let mut sub = Walker { events, pos: 0, text: w.text, first_line: w.first_line, lines: w.lines.clone() };
        self.inlines(&mut sub, diags)
    }

    /// Reads blocks until the end tag of the container just opened.
    fn blocks_until_end(&mut self, w: &mut Walker<'_>, diags: &mut Diagnostics) -> Vec<BlockKind> {
        if self.too_deep(w, diags) {
            return Vec::new();
        }
        let mut blocks = Vec::new();
        while let Some((e, _)) = w.peek() {
            if matches!(e, Event::End(_)) {
                w.pos += 1;
                break;
            }
            if let Some(b) = self.block(w, diags) {
                blocks.push(b);
            }
        }
        self.depth -= 1;
        blocks
    }

    /// Enters one level of nesting. Past [`MAX_NESTING`] levels (lists or quotes inside each
    /// other, emphasis inside emphasis) the rest of the container is skipped with an error, so no
    /// later stage recurses deep enough to overflow the stack.
    fn too_deep(&mut self, w: &mut Walker<'_>, diags: &mut Diagnostics) -> bool {
        self.depth += 1;
        if self.depth <= MAX_NESTING {
            return false;
        }
        let offset = w.events.get(w.pos.saturating_sub(1)).map_or(0, |(_, r)| r.start);
        let location = w.location(self, offset, None);
        if !self.nesting_reported {
            self.nesting_reported = true;
            diags
                .error(location, format!("lists, quotes or emphasis are nested more than {MAX_NESTING} levels deep"))
                .hint("flatten the structure: readers cannot follow that many levels either");
        }
        let mut level = 1;
        while let Some((event, _)) = w.next() {
            match event {
                Event::Start(_) => level += 1,
                Event::End(_) => {
                    level -= 1;
                    if level == 0 {
                        break;
                    }
                }
                _ => {}
            }
        }
        self.depth -= 1;
        true
    }

    /// Reads inline events up to (but not including) the next block start or container end.
    fn loose_inlines(&mut self, w: &mut Walker<'_>, diags: &mut Diagnostics) -> Vec<Inline> {
        let mut out = Vec::new();
        let mut text = TextRun::default();
        while let Some((e, _)) = w.peek() {
            let block_level = match e {
                Event::Start(tag) => is_block_tag(tag),
                Event::End(tag) => !is_inline_end(tag),
                Event::Rule => true,
                _ => false,
            };
            if block_level {
                break;
            }
            self.inline_event(w, &mut out, &mut text, diags);
        }
        self.flush_text(w, &mut out, &mut text, diags);
        language_spans(out)
    }

    /// Reads inline content up to the end tag of the element just opened.
    fn inlines(&mut self, w: &mut Walker<'_>, diags: &mut Diagnostics) -> Vec<Inline> {
        if self.too_deep(w, diags) {
            return Vec::new();
        }
        let mut out = Vec::new();
        let mut text = TextRun::default();
        while let Some((e, _)) = w.peek() {
            if matches!(e, Event::End(_)) {
                w.pos += 1;
                break;
            }
            self.inline_event(w, &mut out, &mut text, diags);
        }
        self.flush_text(w, &mut out, &mut text, diags);
        self.depth -= 1;
        language_spans(out)
    }

    fn inline_event(&mut self, w: &mut Walker<'_>, out: &mut Vec<Inline>, text: &mut TextRun, diags: &mut Diagnostics) {
        let (event, range) = w.next().expect("peeked");
        match event {
            Event::Text(t) => text.push(&t, range.start),
            Event::SoftBreak => text.push(if self.lines_are_blocks { "\u{E002}" } else { " " }, range.start),
            _ => {
                self.flush_text(w, out, text, diags);
                match event {
                    Event::Code(c) => out.push(Inline::Code(self.restore(&c))),
                    Event::HardBreak => out.push(Inline::LineBreak),
                    Event::Html(h) | Event::InlineHtml(h) => {
                        let location = w.location(self, range.start, Some(h.as_ref()));
                        self.raw_html_warning(diags, location);
                        out.push(Inline::Text(self.restore(&h)));
                    }
                    Event::Start(Tag::Emphasis) => out.push(Inline::Emphasis(self.inlines(w, diags))),
                    Event::Start(Tag::Strong) => out.push(Inline::Strong(self.inlines(w, diags))),
                    Event::Start(Tag::Link { link_type, dest_url, title, .. }) => {
                        let mut dest = self.restore(&dest_url);
                        // `<name@example.org>` is an email autolink: CommonMark's address is mailto:.
                        if link_type == LinkType::Email {
                            dest = format!("mailto:{dest}");
                        }
                        let title = Some(self.restore(&title)).filter(|t| !t.is_empty());
                        let content = self.inlines(w, diags);
                        let location = self.bracket_span(w.location(self, range.start, None));
                        match self.link_target(&dest, &location, diags) {
                            Some(target) => {
                                out.push(Inline::Link { target, content, title, at: (location.line, location.col) })
                            }
                            None => out.extend(content),
                        }
                    }
                    Event::Start(Tag::Image { dest_url, title, .. }) => {
                        let dest = self.restore(&dest_url);
                        let title = Some(self.restore(&title)).filter(|t| !t.is_empty());
                        let alt = crate::model::plain_text(&self.inlines(w, diags));
                        let location = self.bracket_span(w.location(self, range.start, None));
                        if let Some(image) = self.image(&dest, alt, title, &location, diags) {
                            out.push(image);
                        }
                    }
                    Event::Start(_) => out.extend(self.inlines(w, diags)),
                    Event::TaskListMarker(done) => text.push(if done { "[x] " } else { "[ ] " }, range.start),
                    _ => {}
                }
            }
        }
    }

    /// Turns collected text into inlines: restores variables and picks out `:icon:` names.
    fn flush_text(&mut self, w: &Walker<'_>, out: &mut Vec<Inline>, run: &mut TextRun, diags: &mut Diagnostics) {
        if run.text.is_empty() {
            return;
        }
        let raw = std::mem::take(&mut run.text);
        let offset = run.offset;
        for piece in split_icons(&raw) {
            match piece {
                Piece::Text(t) => {
                    let text = self.restore(t);
                    let at = offset + offset_in(&raw, t);
                    let text = self.cap_words(w, text, at, !t.contains(VAR_OPEN), diags);
                    push_text(out, text);
                }
                Piece::Icon(name) => {
                    if self.ctx.icon_names.contains(name) {
                        out.push(Inline::Icon(name.to_string()));
                    } else {
                        let token = format!(":{name}:");
                        let location = w.location(self, offset, Some(&token));
                        let near = nearest(name, self.ctx.icon_names.iter().map(String::as_str), 3);
                        // Kept in place, so the row still counts as starting with a picture and
                        // the author is not also told the row has none; the error stops rendering.
                        out.push(Inline::Icon(name.to_string()));
                        let d =
                            diags.error(location.spanning(token.chars().count()), format!("unknown icon `{token}`"));
                        if near.is_empty() {
                            d.hint("the built-in icons are listed in docs/source-format.md, section 7; a theme can add its own");
                        } else {
                            let list: Vec<String> = near.iter().map(|n| format!("`:{n}:`")).collect();
                            d.hint(format!("did you mean {}?", list.join(" or ")));
                        }
                    }
                }
            }
        }
    }

    /// Reports every word longer than [`MAX_WORD_CHARS`] and cuts it there, so no later stage
    /// measures it: a word that long fits no line of any page. A word is what no line may be
    /// broken inside (Unicode line breaking: spaces, hyphens, slashes and the like break).
    /// `at` is the text's offset in the segment; `exact` when the text is as written there.
    fn cap_words(&mut self, w: &Walker<'_>, text: String, at: usize, exact: bool, diags: &mut Diagnostics) -> String {
        if text.len() <= MAX_WORD_CHARS {
            return text;
        }
        let mut out = String::with_capacity(text.len().min(1 << 16));
        let mut start = 0;
        let mut too_long = false;
        for (end, _) in crate::model::breaks::line_breaks(&text) {
            let word = &text[start..end];
            let visible = word.trim_end();
            let count = visible.chars().count();
            if count <= MAX_WORD_CHARS {
                out.push_str(word);
            } else {
                too_long = true;
                let token: String = visible.chars().take(12).collect();
                let location = w.location(self, if exact { at + start } else { at }, Some(&token));
                diags
                    .error(
                        location,
                        format!(
                            "the word {} is longer than any page can print: a word may have at most {MAX_WORD_CHARS} characters",
                            crate::diag::shown_word(visible)
                        ),
                    )
                    .hint("break it up with spaces; for a web address, write a link with words: `[Visiting times](https://...)`");
                out.extend(visible.chars().take(MAX_WORD_CHARS));
                out.push('…');
                out.push_str(&word[visible.len()..]);
            }
            start = end;
        }
        if too_long { out } else { text }
    }

    fn unique_anchor(&mut self, explicit: Option<String>, content: &[Inline]) -> String {
        let base = match explicit {
            Some(id) if valid_id(&id) => id,
            _ => slugify(&crate::model::plain_text(content)),
        };
        let mut anchor = base.clone();
        let mut n = 1;
        while self.anchors.contains(&anchor) {
            anchor = format!("{base}-{n}");
            n += 1;
        }
        self.anchors.insert(anchor.clone());
        anchor
    }

    fn link_target(&mut self, dest: &str, location: &Location, diags: &mut Diagnostics) -> Option<LinkTarget> {
        let lower = dest.to_ascii_lowercase();
        if ["https://", "http://", "mailto:", "tel:"].iter().any(|s| lower.starts_with(s)) {
            return Some(LinkTarget::External(dest.to_string()));
        }
        if let Some(fragment) = dest.strip_prefix('#') {
            self.links.push(PolicyLink {
                id: self.id.to_string(),
                fragment: Some(fragment.to_string()),
                location: location.clone(),
            });
            return Some(LinkTarget::Section(fragment.to_string()));
        }
        if lower.contains(':') && !lower.contains('/')
            || lower.starts_with("javascript:")
            || lower.starts_with("data:")
            || lower.starts_with("file:")
        {
            diags
                .error(location.clone(), format!("unsupported link address `{dest}`"))
                .hint("links may go to web pages (https://), email (mailto:), phones (tel:), other policies (`name.md`) or sections (`#section`)");
            return None;
        }
        let (path, fragment) = match dest.split_once('#') {
            Some((p, f)) => (p, Some(f.to_string())),
            None => (dest, None),
        };
        if !path.ends_with(".md") {
            diags
                .error(location.clone(), format!("link to `{dest}`, which is not a policy"))
                .hint("link to another policy's `.md` file, or to a web address starting with https://");
            return None;
        }
        let Some(resolved) = resolve_relative(self.content_dir, path) else {
            diags
                .error(location.clone(), format!("link to `{dest}` leaves the `content/` folder"))
                .hint("link to policies inside `content/`");
            return None;
        };
        let id = resolved.rsplit('/').next().unwrap_or(&resolved).trim_end_matches(".md").to_string();
        self.links.push(PolicyLink { id: id.clone(), fragment: fragment.clone(), location: location.clone() });
        if id == self.id
            && let Some(fragment) = fragment
        {
            return Some(LinkTarget::Section(fragment));
        }
        Some(LinkTarget::Policy { id, fragment })
    }

    fn image(
        &mut self,
        dest: &str,
        alt: String,
        title: Option<String>,
        location: &Location,
        diags: &mut Diagnostics,
    ) -> Option<Inline> {
        if alt.trim().is_empty() {
            diags
                .error(location.clone(), format!("the image `{dest}` has no alternative text"))
                .hint("describe the picture in the brackets: `![A nurse at a bedside](images/nurse.png)`");
        }
        let lower = dest.to_ascii_lowercase();
        if lower.contains("://") || lower.starts_with("data:") {
            diags
                .error(location.clone(), format!("the image `{dest}` is not a file in `content/`"))
                .hint("save the picture under `content/images/` and link to it with a relative path, so outputs work offline and print");
            return None;
        }
        let Some(path) = resolve_relative(self.content_dir, dest) else {
            diags
                .error(location.clone(), format!("the image path `{dest}` leaves the `content/` folder"))
                .hint("keep pictures inside `content/`, for example in `content/images/`");
            return None;
        };
        if !self.ctx.content_files.contains(&path) {
            let d = diags.error(location.clone(), format!("image not found: `{dest}`"));
            let pictures = self.ctx.content_files.iter().map(String::as_str).filter(|f| !f.ends_with(".md"));
            match did_you_mean(&path, pictures) {
                Some(near) => d.hint(format!("did you mean `content/{near}`? Paths are relative to the policy file")),
                None => d.hint(format!("paths are relative to the policy file; this one points to `content/{path}`")),
            };
            return None;
        }
        if let Some(problem) = self.ctx.broken_images.get(&path) {
            match problem {
                PictureProblem::TooLarge { width, height } => diags
                    .error(
                        location.clone(),
                        format!(
                            "the image `{dest}` is {width} × {height} pixels ({:.0} megapixels); pictures may have at most {} megapixels",
                            (*width as f64 * *height as f64) / 1e6,
                            MAX_PIXELS / 1_000_000
                        ),
                    )
                    .hint("save a smaller copy: 2,500 pixels across is plenty for any printed page"),
                PictureProblem::NotPngOrJpeg => diags
                    .error(location.clone(), format!("the image `{dest}` is not really a PNG or JPEG file"))
                    .hint("save the picture again from the original as PNG or JPEG"),
                PictureProblem::Damaged(reason) => diags
                    .error(
                        location.clone(),
                        format!("the image `{dest}` cannot be read: its data is damaged or cut short"),
                    )
                    .hint(format!(
                        "save the picture again from the original as PNG or JPEG (the decoder said: {})",
                        reason.split(':').next().unwrap_or(reason).trim()
                    )),
            };
            return None;
        }
        let supported = [".png", ".jpg", ".jpeg"].iter().any(|e| lower.ends_with(e));
        if !supported {
            diags
                .error(location.clone(), format!("the image `{dest}` is not a PNG or JPEG file"))
                .hint("save the picture as .png or .jpg");
            return None;
        }
        Some(Inline::Image { path, alt: alt.trim().to_string(), title })
    }
}

impl BodyParser<'_> {
    fn raw_html_warning(&mut self, diags: &mut Diagnostics, location: Location) {
        if location.line == self.html_warned_line {
            return;
        }
        self.html_warned_line = location.line;
        diags
            .warning(location, "raw HTML is not passed through; it is shown as text")
            .hint("write it in Markdown instead (for example **bold**, [links](https://...), tables with `|`)");
    }
}

/// The pulldown-cmark options, set in one place: CommonMark plus GitHub tables, heading ids
/// (`{#id}`) and typographic quotes and dashes.
fn markdown_options() -> Options {
    Options::ENABLE_TABLES | Options::ENABLE_HEADING_ATTRIBUTES | Options::ENABLE_SMART_PUNCTUATION
}

fn heading_level(level: HeadingLevel) -> u8 {
    match level {
        HeadingLevel::H1 => 1,
        HeadingLevel::H2 => 2,
        HeadingLevel::H3 => 3,
        HeadingLevel::H4 => 4,
        HeadingLevel::H5 => 5,
        HeadingLevel::H6 => 6,
    }
}

fn is_block_tag(tag: &Tag<'_>) -> bool {
    !matches!(
        tag,
        Tag::Emphasis
            | Tag::Strong
            | Tag::Strikethrough
            | Tag::Link { .. }
            | Tag::Image { .. }
            | Tag::Superscript
            | Tag::Subscript
    )
}

fn is_inline_end(tag: &TagEnd) -> bool {
    matches!(
        tag,
        TagEnd::Emphasis
            | TagEnd::Strong
            | TagEnd::Strikethrough
            | TagEnd::Link
            | TagEnd::Image
            | TagEnd::Superscript
            | TagEnd::Subscript
    )
}

impl BodyParser<'_> {
    fn table(
        &mut self,
        w: &mut Walker<'_>,
        aligns: Vec<pulldown_cmark::Alignment>,
        diags: &mut Diagnostics,
    ) -> BlockKind {
        let align = aligns
            .iter()
            .map(|a| match a {
                pulldown_cmark::Alignment::None => Align::None,
                pulldown_cmark::Alignment::Left => Align::Left,
                pulldown_cmark::Alignment::Center => Align::Center,
                pulldown_cmark::Alignment::Right => Align::Right,
            })
            .collect();
        let mut header = Vec::new();
        let mut rows = Vec::new();
        let mut row: Vec<Vec<Inline>> = Vec::new();
        while let Some((e, _)) = w.next() {
            match e {
                Event::Start(Tag::TableCell) => row.push(self.inlines(w, diags)),
                Event::End(TagEnd::TableHead) => header = std::mem::take(&mut row),
                Event::End(TagEnd::TableRow) => rows.push(std::mem::take(&mut row)),
                Event::End(TagEnd::Table) => break,
                _ => {}
            }
        }
        BlockKind::Table { align, header, rows }
    }
}

/// The events of one segment and a cursor over them.
struct Walker<'t> {
    events: Vec<(Event<'t>, Range<usize>)>,
    pos: usize,
    text: &'t str,
    first_line: usize,
    /// Line starts of `text`.
    lines: LineIndex,
}

impl<'t> Walker<'t> {
    fn next(&mut self) -> Option<(Event<'t>, Range<usize>)> {
        let item = self.events.get(self.pos).cloned();
        self.pos += 1;
        item
    }

    fn peek(&self) -> Option<&(Event<'t>, Range<usize>)> {
        self.events.get(self.pos)
    }

    fn location(&self, parser: &BodyParser<'_>, offset: usize, token: Option<&str>) -> Location {
        parser.locate(self, offset, token)
    }
}

/// Consecutive text events merged, with the offset of the first.
#[derive(Default)]
struct TextRun {
    text: String,
    offset: usize,
}

impl TextRun {
    fn push(&mut self, text: &str, offset: usize) {
        if self.text.is_empty() {
            self.offset = offset;
        }
        self.text.push_str(text);
    }
}

fn push_text(out: &mut Vec<Inline>, text: String) {
    if text.is_empty() {
        return;
    }
    if let Some(Inline::Text(last)) = out.last_mut() {
        last.push_str(&text);
    } else {
        out.push(Inline::Text(text));
    }
}

/// The byte range of a `{#...}` block ending the first line of a heading's source (only closing
/// `#`s and spaces after it), for a heading written at the start of its line.
fn unread_heading_id(source: &str) -> Option<(usize, usize)> {
    if !source.starts_with('#') && source.starts_with([' ', '>', '-', '*', '+']) {
        return None;
    }
    let line = source.lines().next()?;
    let start = line.rfind("{#")?;
    let end = start + line[start..].find('}')? + 1;
    line[end..].chars().all(|c| c == '#' || c.is_whitespace()).then_some((start, end))
}

/// Where `part`, a slice of `whole`, starts in it (0 when it is not a slice of it).
fn offset_in(whole: &str, part: &str) -> usize {
    let (whole_start, part_start) = (whole.as_ptr() as usize, part.as_ptr() as usize);
    part_start.checked_sub(whole_start).filter(|&o| o <= whole.len()).unwrap_or(0)
}

/// Whether the list item whose start the walker has just passed sets its text as paragraphs:
/// pulldown-cmark opens a paragraph directly inside the items of a loose list only.
fn item_has_paragraphs(w: &Walker<'_>) -> bool {
    let mut depth = 0usize;
    for (event, _) in &w.events[w.pos..] {
        match event {
            Event::Start(Tag::Paragraph) if depth == 0 => return true,
            Event::Start(_) => depth += 1,
            Event::End(_) if depth == 0 => return false,
            Event::End(_) => depth -= 1,
            _ => {}
        }
    }
    false
}

/// Columns of indentation before a line's first non-blank character (a tab reaches the next
/// multiple of 4, as in CommonMark).
fn indent_columns(line: &str) -> usize {
    let mut columns = 0;
    for c in line.chars() {
        match c {
            ' ' => columns += 1,
            '\t' => columns += 4 - columns % 4,
            _ => break,
        }
    }
    columns
}

/// Cuts a top-level paragraph at its line marks into one paragraph per line (poster messages);
/// marks anywhere else (list items, headings) become spaces.
fn split_marked_lines(kind: BlockKind, line: usize) -> Vec<(BlockKind, usize)> {
    match kind {
        BlockKind::Paragraph(inlines) if contains_mark(&inlines) => {
            let mut out: Vec<(BlockKind, usize)> = Vec::new();
            let mut current: Vec<Inline> = Vec::new();
            let mut line_no = line;
            for inline in inlines {
                match inline {
                    Inline::Text(text) if text.contains(LINE_MARK) => {
                        let mut parts = text.split(LINE_MARK);
                        push_text(&mut current, parts.next().unwrap_or_default().to_string());
                        for part in parts {
                            if !current.is_empty() {
                                out.push((BlockKind::Paragraph(std::mem::take(&mut current)), line_no));
                            }
                            line_no += 1;
                            push_text(&mut current, part.to_string());
                        }
                    }
                    other => current.push(unmark(other)),
                }
            }
            if !current.is_empty() {
                out.push((BlockKind::Paragraph(current), line_no));
            }
            out
        }
        other => vec![(unmark_block(other), line)],
    }
}

fn contains_mark(inlines: &[Inline]) -> bool {
    inlines.iter().any(|i| matches!(i, Inline::Text(t) if t.contains(LINE_MARK)))
}

fn unmark(inline: Inline) -> Inline {
    match inline {
        Inline::Text(t) => Inline::Text(t.replace(LINE_MARK, " ")),
        Inline::Emphasis(c) => Inline::Emphasis(c.into_iter().map(unmark).collect()),
        Inline::Strong(c) => Inline::Strong(c.into_iter().map(unmark).collect()),
        Inline::Span { lang, content } => Inline::Span { lang, content: content.into_iter().map(unmark).collect() },
        Inline::Link { target, content, title, at } => {
            Inline::Link { target, content: content.into_iter().map(unmark).collect(), title, at }
        }
        other => other,
    }
}

fn unmark_block(kind: BlockKind) -> BlockKind {
    let inlines = |c: Vec<Inline>| c.into_iter().map(unmark).collect();
    match kind {
        BlockKind::Heading { level, content, anchor } => {
            BlockKind::Heading { level, content: inlines(content), anchor }
        }
        BlockKind::Paragraph(c) => BlockKind::Paragraph(inlines(c)),
        BlockKind::List { start, tight, items } => BlockKind::List {
            start,
            tight,
            items: items.into_iter().map(|item| item.into_iter().map(unmark_block).collect()).collect(),
        },
        BlockKind::Quote(blocks) => BlockKind::Quote(blocks.into_iter().map(unmark_block).collect()),
        BlockKind::Table { align, header, rows } => BlockKind::Table {
            align,
            header: header.into_iter().map(inlines).collect(),
            rows: rows.into_iter().map(|r| r.into_iter().map(inlines).collect()).collect(),
        },
        other => other,
    }
}

/// Stand for `[` and `]{lang=<tag>}` of a language span while Markdown is parsed (the tag sits
/// between the first two), so the brackets never read as a link.
const SPAN_OPEN: char = '\u{E003}';
const SPAN_TAG_END: char = '\u{E004}';
const SPAN_CLOSE: char = '\u{E005}';

/// Replaces each `[words]{lang=<tag>}` (a valid tag, the words on one paragraph, no `]` in
/// them) with private-use marks around the words, which [`language_spans`] turns into spans.
fn mark_language_spans(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.contains("]{lang=") {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find("]{lang=") {
        let after = &rest[at + "]{lang=".len()..];
        let tag_end = after.find('}');
        let open =
            rest[..at].rfind('[').filter(|&o| !rest[..o].ends_with(['\\', '!']) && !rest[o..at].contains("\n\n"));
        match (open, tag_end) {
            (Some(open), Some(end)) if crate::model::languages::valid_tag(&after[..end]) => {
                out.push_str(&rest[..open]);
                out.push(SPAN_OPEN);
                out.push_str(&after[..end]);
                out.push(SPAN_TAG_END);
                out.push_str(&rest[open + 1..at]);
                out.push(SPAN_CLOSE);
                rest = &after[end + 1..];
            }
            _ => {
                out.push_str(&rest[..at + 1]);
                rest = &rest[at + 1..];
            }
        }
    }
    out.push_str(rest);
    std::borrow::Cow::Owned(out)
}

/// Turns the marks of [`mark_language_spans`] in a list of inlines into [`Inline::Span`]s; a
/// mark without its partner at the same level (emphasis opened inside the brackets and closed
/// outside) is dropped, its words kept.
fn language_spans(inlines: Vec<Inline>) -> Vec<Inline> {
    let marked = |t: &str| t.contains([SPAN_OPEN, SPAN_CLOSE, SPAN_TAG_END]);
    if !inlines.iter().any(|i| matches!(i, Inline::Text(t) if marked(t))) {
        return inlines;
    }
    let mut stack: Vec<(String, Vec<Inline>)> = vec![(String::new(), Vec::new())];
    for inline in inlines {
        let Inline::Text(text) = inline else {
            stack.last_mut().expect("the outer level stays").1.push(inline);
            continue;
        };
        let mut rest = text.as_str();
        while !rest.is_empty() {
            let next = rest.find([SPAN_OPEN, SPAN_CLOSE]).unwrap_or(rest.len());
            push_text(&mut stack.last_mut().expect("the outer level stays").1, rest[..next].replace(SPAN_TAG_END, ""));
            rest = &rest[next..];
            if let Some(after) = rest.strip_prefix(SPAN_OPEN) {
                let (tag, words) = after.split_once(SPAN_TAG_END).unwrap_or(("", after));
                stack.push((tag.to_string(), Vec::new()));
                rest = words;
            } else if let Some(after) = rest.strip_prefix(SPAN_CLOSE) {
                if stack.len() > 1 {
                    let (lang, content) = stack.pop().expect("more than one level");
                    stack.last_mut().expect("the outer level stays").1.push(Inline::Span { lang, content });
                }
                rest = after;
            }
        }
    }
    while stack.len() > 1 {
        let (_, content) = stack.pop().expect("more than one level");
        let outer = &mut stack.last_mut().expect("the outer level stays").1;
        for inline in content {
            match inline {
                Inline::Text(t) => push_text(outer, t),
                other => outer.push(other),
            }
        }
    }
    stack.pop().map(|(_, c)| c).unwrap_or_default()
}

/// A block of a `lang=` fence: all its words in a span of that language.
fn in_language(kind: BlockKind, lang: &str) -> BlockKind {
    // A leading picture stays outside, so an easy-read row or a poster message keeps it.
    let wrap = |mut content: Vec<Inline>| -> Vec<Inline> {
        let lead = content
            .iter()
            .take_while(|i| {
                matches!(i, Inline::Icon(_) | Inline::Image { .. })
                    || matches!(i, Inline::Text(t) if t.trim().is_empty())
            })
            .count();
        let rest = content.split_off(lead);
        if !rest.is_empty() {
            content.push(Inline::Span { lang: lang.to_string(), content: rest });
        }
        content
    };
    match kind {
        BlockKind::Heading { level, content, anchor } => BlockKind::Heading { level, content: wrap(content), anchor },
        BlockKind::Paragraph(content) => BlockKind::Paragraph(wrap(content)),
        BlockKind::List { start, items, tight } => BlockKind::List {
            start,
            tight,
            items: items.into_iter().map(|item| item.into_iter().map(|b| in_language(b, lang)).collect()).collect(),
        },
        BlockKind::Quote(blocks) => BlockKind::Quote(blocks.into_iter().map(|b| in_language(b, lang)).collect()),
        BlockKind::Table { align, header, rows } => BlockKind::Table {
            align,
            header: header.into_iter().map(wrap).collect(),
            rows: rows.into_iter().map(|r| r.into_iter().map(wrap).collect()).collect(),
        },
        other => other,
    }
}

/// A piece of text: words, or an icon name written `:name:`.
#[derive(Debug, PartialEq)]
enum Piece<'a> {
    Text(&'a str),
    Icon(&'a str),
}

/// Splits `:name:` icon references out of text. A name is lower-case letters, digits and
/// hyphens with at least one letter, not glued to a word or number before or after, so
/// times like `8:30:` and ratios are left alone.
fn split_icons(text: &str) -> Vec<Piece<'_>> {
    let mut pieces = Vec::new();
    let bytes = text.as_bytes();
    let mut start = 0;
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b':' && (i == 0 || !bytes[i - 1].is_ascii_alphanumeric()) {
            let name_start = i + 1;
            let mut j = name_start;
            while j < bytes.len() && (bytes[j].is_ascii_lowercase() || bytes[j].is_ascii_digit() || bytes[j] == b'-') {
                j += 1;
            }
            let name = &text[name_start..j];
            let closes = j < bytes.len() && bytes[j] == b':';
            let free_after = j + 1 >= bytes.len() || !bytes[j + 1].is_ascii_alphanumeric();
            let has_letter = name.bytes().any(|b| b.is_ascii_lowercase());
            if closes && free_after && has_letter && !name.starts_with('-') && !name.ends_with('-') {
                if start < i {
                    pieces.push(Piece::Text(&text[start..i]));
                }
                pieces.push(Piece::Icon(name));
                i = j + 1;
                start = i;
                continue;
            }
        }
        i += 1;
    }
    if start < text.len() {
        pieces.push(Piece::Text(&text[start..]));
    }
    pieces
}

/// Joins a relative path to the folder of a policy (both relative to `content/`), resolving
/// `.` and `..`. `None` when the result would leave `content/` or the path is absolute.
pub fn resolve_relative(dir: &str, path: &str) -> Option<String> {
    if path.starts_with('/') || path.starts_with('\\') || path.contains('\\') || path.contains(':') {
        return None;
    }
    let mut parts: Vec<&str> = dir.split('/').filter(|p| !p.is_empty()).collect();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            p => parts.push(p),
        }
    }
    if parts.is_empty() { None } else { Some(parts.join("/")) }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A live preview keeps each build's parses; the next build must see a changed file and a
    /// changed context (a site variable), and give what a fresh parse gives.
    #[test]
    fn kept_parses_are_used_only_for_the_same_text_and_context() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir(root.join("content")).unwrap();
        let settings = |phone: &str| format!("title: T\norganisation: O\nvariables:\n  phone: {phone}\n");
        std::fs::write(root.join("policypress.yaml"), settings("0116 000 0001")).unwrap();
        let policy = "---\ntitle: A\nreference: R-1\nversion: \"1.0\"\nstatus: approved\napproved-date: 2025-01-01\nowner: O\nreview-date: 2027-01-01\n---\nCall {{ phone }}. Word one.\n";
        std::fs::write(root.join("content/a.md"), policy).unwrap();
        std::fs::write(root.join("content/b.md"), policy.replace("R-1", "R-2")).unwrap();
        let parse = || {
            let mut diags = Diagnostics::new();
            let project = crate::load::load_project(root, &mut diags).unwrap();
            format!("{:?}", parse_project(&project, &mut diags))
        };
        let fresh = parse();
        keep_parses_between_builds();
        assert_eq!(parse(), fresh);
        assert_eq!(parse(), fresh, "from the kept parses");
        std::fs::write(root.join("content/a.md"), policy.replace("Word one", "Word two")).unwrap();
        let edited = parse();
        assert_eq!((edited.matches("Word two").count(), edited.matches("Word one").count()), (1, 1), "{edited}");
        std::fs::write(root.join("policypress.yaml"), settings("0116 000 0002")).unwrap();
        let changed = parse();
        assert!(changed.contains("0116 000 0002") && !changed.contains("0116 000 0001"), "{changed}");
    }

    #[test]
    fn split_icons_finds_names_but_not_times() {
        assert_eq!(split_icons(":camera-off: Do not"), vec![Piece::Icon("camera-off"), Piece::Text(" Do not")]);
        assert_eq!(split_icons("at 8:30: come"), vec![Piece::Text("at 8:30: come")]);
        assert_eq!(split_icons("a :b: c"), vec![Piece::Text("a "), Piece::Icon("b"), Piece::Text(" c")]);
        assert_eq!(split_icons("ratio :2:"), vec![Piece::Text("ratio :2:")]);
    }

    #[test]
    fn slugify_makes_github_style_anchors() {
        assert_eq!(slugify("7.4 Recording in a hospital setting"), "74-recording-in-a-hospital-setting");
        assert_eq!(slugify("Who is this for?"), "who-is-this-for");
        assert_eq!(slugify("!!!"), "section");
    }

    #[test]
    fn resolve_relative_keeps_paths_inside_content() {
        assert_eq!(resolve_relative("", "images/a.png").as_deref(), Some("images/a.png"));
        assert_eq!(resolve_relative("hr", "../images/a.png").as_deref(), Some("images/a.png"));
        assert_eq!(resolve_relative("", "../secret.png"), None);
        assert_eq!(resolve_relative("", "/etc/passwd"), None);
        assert_eq!(resolve_relative("", "C:/x.png"), None);
    }

    #[test]
    fn valid_id_allows_lowercase_digits_hyphens() {
        assert!(valid_id("social-media-2"));
        for bad in ["Social", "a_b", "-a", "a-", "", "a b"] {
            assert!(!valid_id(bad), "{bad}");
        }
    }
}
