//! The resolve stage: decides, once, what each audience may read. For every policy it makes one
//! [`AudienceView`] per audience that has output: only that audience's blocks, the metadata that
//! audience may see, headings numbered from the page title down, and links rewritten to targets
//! that exist for the same audience.
//!
//! Pure. Renderers receive views only, so no template or layout ever decides which text appears.
//! Staff-only metadata lives in [`StaffDetails`], which only the staff view carries.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::hash::Hash;
use std::sync::{Arc, Mutex};

use rayon::prelude::*;

use crate::cache::{Key, KeyHasher};
use crate::diag::{Diagnostics, Location};
use crate::model::dates::{Date, ReviewStatus};
use crate::model::{
    Audience, Block, BlockKind, Contact, HistoryEntry, Inline, LinkTarget, Policy, Status, Translation, plain_text,
};

/// Knobs of the resolve stage.
#[derive(Debug, Clone, Copy)]
pub struct ResolveOptions {
    /// The date review status is judged against.
    pub today: Date,
    /// Include draft policies (marked DRAFT).
    pub drafts: bool,
}

/// Every published policy with its audience views, in source order.
#[derive(Debug, Clone)]
pub struct Library {
    /// The policies that are published (shared, so the live preview can keep a policy's views
    /// from one build to the next when nothing they depend on changed).
    pub policies: Vec<Arc<ResolvedPolicy>>,
    /// The date review status was judged against.
    pub today: Date,
}

impl Library {
    /// Every view of one audience in the site's language, in source order.
    pub fn views(&self, audience: Audience) -> impl Iterator<Item = &AudienceView> {
        self.policies.iter().filter_map(move |p| p.view(audience))
    }

    /// Every translated view of one audience, in source order, then language order.
    pub fn translated_views(&self, audience: Audience) -> impl Iterator<Item = &AudienceView> {
        self.policies.iter().flat_map(move |p| p.translations.iter().filter(move |v| v.audience == audience))
    }

    /// Every view of one audience, each policy's own first, then its translations.
    pub fn all_views(&self, audience: Audience) -> impl Iterator<Item = &AudienceView> {
        self.policies.iter().flat_map(move |p| {
            p.view(audience).into_iter().chain(p.translations.iter().filter(move |v| v.audience == audience))
        })
    }
}

/// One policy's views.
#[derive(Debug, Clone)]
pub struct ResolvedPolicy {
    /// The policy id.
    pub id: String,
    /// One view per audience that has output, in [`Audience::ALL`] order (staff always first).
    pub views: Vec<AudienceView>,
    /// The views of its translations (patient, easy read, posters), by language, then audience.
    pub translations: Vec<AudienceView>,
}

impl ResolvedPolicy {
    /// The view for `audience`, if the policy has output for it.
    pub fn view(&self, audience: Audience) -> Option<&AudienceView> {
        self.views.iter().find(|v| v.audience == audience)
    }

    /// The staff view (every published policy has one).
    pub fn staff(&self) -> &AudienceView {
        &self.views[0]
    }
}

/// What one audience reads of one policy. Everything a renderer may show is here.
#[derive(Debug, Clone, Hash)]
pub struct AudienceView {
    /// Whose view this is.
    pub audience: Audience,
    /// The policy id (names the output files).
    pub id: String,
    /// The source file, for located messages from later stages.
    pub source: String,
    /// The document title for this audience (its first level-1 heading, else the policy title).
    pub title: String,
    /// The policy title from the front matter.
    pub policy_title: String,
    /// Trust reference number.
    pub reference: Option<String>,
    /// Version.
    pub version: String,
    /// Next review date.
    pub review_date: Date,
    /// When the current version was last reviewed: its approval date (none for drafts). Shown
    /// to every audience as month and year ("Last reviewed"), as NHS.UK pages show it.
    pub last_reviewed: Option<Date>,
    /// The short web address name (`short:`, else the id): `<public-url><short>/` opens the
    /// policy's public document.
    pub short: String,
    /// The policy's own "how to contact us" (a ward or service), replacing the site's.
    pub contact: Option<Contact>,
    /// 1-based line of the policy's `contact:`, for messages.
    pub contact_line: usize,
    /// In date, due soon or overdue, as of the build date.
    pub review_status: ReviewStatus,
    /// The date every document made from this view carries (PDF creation and change dates, in
    /// the Info dictionary and the XMP metadata alike), one rule for every audience: the build
    /// date (`--today`, `SOURCE_DATE_EPOCH`, else the clock), so it is never in the future, the
    /// same build date gives the same bytes, and no staff-only date (approval) reaches another
    /// audience's metadata.
    pub document_date: Date,
    /// Marked DRAFT on every page.
    pub draft: bool,
    /// This audience's blocks, in file order, headings starting at level 2.
    pub blocks: Vec<Block>,
    /// Glossary words and explanations (easy read only; empty for other audiences).
    pub glossary: Vec<(String, String)>,
    /// The audiences this policy has output for, this one included.
    pub available: Vec<Audience>,
    /// Every policy this view links to, by id: its title for this audience and its short address
    /// name, so paper can say where a link leads.
    pub linked: BTreeMap<String, LinkedPolicy>,
    /// Staff-only metadata; `None` for every other audience.
    pub staff: Option<StaffDetails>,
    /// The view's language when it is a translation (`None`: the site's language).
    pub lang: Option<String>,
    /// What a translated view translates, and whether that is still the current version.
    pub translation: Option<TranslationState>,
    /// Every language this audience's document is in (the site's first, then its translations
    /// by language), for "available in other languages" and the language links of each page.
    pub languages: Vec<LanguageVersion>,
}

impl AudienceView {
    /// The file name of its outputs without extension: the id, and for a translation
    /// `<id>.<lang>` (`patient/phones.cy.pdf`).
    pub fn stem(&self) -> String {
        match &self.lang {
            Some(lang) => format!("{}.{lang}", self.id),
            None => self.id.clone(),
        }
    }

    /// True for a translation of an earlier version than the policy's current one.
    pub fn out_of_date(&self) -> bool {
        self.translation.as_ref().is_some_and(|t| !t.current)
    }
}

/// What a translated view translates.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct TranslationState {
    /// The translation file, for messages.
    pub source: String,
    /// The policy version it translates (`translation-of:`).
    pub of_version: String,
    /// True when that is the policy's current version.
    pub current: bool,
}

/// One language version of an audience's document.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct LanguageVersion {
    /// Its language; `None` for the site's own.
    pub lang: Option<String>,
    /// Its outputs' file stem (`<id>` or `<id>.<lang>`).
    pub stem: String,
    /// A translation of an earlier version.
    pub out_of_date: bool,
}

/// The metadata only staff may see.
#[derive(Debug, Clone, Hash)]
pub struct StaffDetails {
    /// Draft, approved or withdrawn.
    pub status: Status,
    /// One or two sentences.
    pub summary: Option<String>,
    /// Policy owner.
    pub owner: Option<String>,
    /// Approving body.
    pub approved_by: Option<String>,
    /// Approval date.
    pub approved_date: Option<Date>,
    /// Version history, oldest first.
    pub history: Vec<HistoryEntry>,
    /// Related policies.
    pub related: Vec<RelatedPolicy>,
    /// Local "further details" fields.
    pub extra: Vec<(String, String)>,
    /// The library category.
    pub category: Option<String>,
    /// The directorate that owns the policy.
    pub directorate: Option<String>,
    /// Earlier approved versions from the git history, newest first, as staff views. On an
    /// earlier version's view: only the version just before it (for "what changed").
    pub earlier: Vec<AudienceView>,
    /// On an earlier version's view: the version that replaced it.
    pub superseded_by: Option<Supersession>,
    /// The policy's translations (current version only).
    pub translations: Vec<TranslationSummary>,
}

/// A translation as the staff page lists it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct TranslationSummary {
    /// Its language.
    pub lang: String,
    /// The version it translates.
    pub of_version: String,
    /// True when that is the current version.
    pub current: bool,
    /// The patient-facing audiences it has, with the file stem of their outputs.
    pub audiences: Vec<(Audience, String)>,
}

/// What replaced an earlier version.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Supersession {
    /// The version that replaced it.
    pub version: String,
    /// When that version was approved, if it says.
    pub on: Option<Date>,
}

/// A policy another view links to, as its readers know it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct LinkedPolicy {
    /// Its title for the linking view's audience.
    pub title: String,
    /// Its short address name (`short:`, else its id).
    pub short: String,
}

/// A related policy as listed on the staff page.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct RelatedPolicy {
    /// The id as written.
    pub id: String,
    /// Its title, when it is published in this build (then it is linked).
    pub title: Option<String>,
}

/// Builds the views of every policy. Link problems that depend on the audience are reported
/// here as warnings; overdue reviews are warned about too.
pub fn resolve(policies: &[Policy], options: ResolveOptions, diags: &mut Diagnostics) -> Library {
    resolve_reusing(policies, options, diags, None)
}

/// What the live preview keeps of one resolve for the next (`serve` and `watch`), so a save
/// resolves again only the policies it changed: each policy's views with their findings, under
/// a fingerprint of the parsed policy, and what every policy's links are checked against (the
/// titles, anchors, short names, statuses and audiences of all policies). A policy is resolved
/// again when its own fingerprint changed, or when any of that changed (a title or a heading
/// edited, a policy added or removed: then every policy is, as any may link to it), or the
/// options did. Costs the memory of the views, which the build holds anyway.
#[derive(Default)]
pub struct ResolveMemo {
    last: Mutex<Option<Remembered>>,
}

struct Remembered {
    options: (Date, bool),
    tables: Key,
    policies: HashMap<String, RememberedPolicy>,
    /// How many policies this resolve took from the one before.
    reused: usize,
}

/// Each view's audience, title and heading anchors.
type Headings = Vec<(Audience, String, BTreeSet<String>)>;

struct RememberedPolicy {
    fingerprint: Key,
    /// Each view's audience, title and heading anchors, as the first pass found them (shared
    /// with the next call's memo while they stay the same).
    headings: Arc<Headings>,
    resolved: Arc<ResolvedPolicy>,
    found: Diagnostics,
}

impl ResolveMemo {
    /// How many policies the last resolve took from the one before it (for tests).
    pub fn reused(&self) -> usize {
        self.last.lock().unwrap_or_else(|e| e.into_inner()).as_ref().map_or(0, |r| r.reused)
    }
}

/// Everything a policy's parse gave, hashed: its parse key (all of its file and the context it
/// was parsed in: see [`crate::parse::parse_project_keyed`]) and its translations, which are
/// parsed from files of their own; without a key, all of the parsed policy (the front matter
/// through `Debug`, so a field added to it later is covered without anyone listing it here).
fn fingerprint(policy: &Policy, parse_key: Option<Key>) -> Key {
    fn add(policy: &Policy, h: &mut KeyHasher) {
        let Policy { id, source, content_dir, meta, blocks, earlier, translations: _ } = policy;
        (id, source, content_dir).hash(h);
        format!("{meta:?}").hash(h);
        blocks.hash(h);
        earlier.len().hash(h);
        for e in earlier {
            add(e, h);
        }
    }
    let mut h = KeyHasher::new("resolve-policy");
    match parse_key {
        Some(key) => key.hash(&mut h),
        None => add(policy, &mut h),
    }
    for t in &policy.translations {
        let Translation { lang, source, title, translation_of, translation_of_line, current, glossary, blocks } = t;
        (lang, source, title, translation_of, translation_of_line, current, glossary, blocks).hash(&mut h);
    }
    h.key()
}

/// [`resolve`], taking from `memo` (when given, with each policy's parse key when known) every
/// policy whose views cannot have changed since the last call, and remembering this call's for
/// the next. The result is the same as [`resolve`]'s, findings included and in the same order.
pub fn resolve_reusing(
    policies: &[Policy],
    options: ResolveOptions,
    diags: &mut Diagnostics,
    memo: Option<(&ResolveMemo, &[Option<Key>])>,
) -> Library {
    resolve_from(policies, None, options, diags, memo)
}

/// [`resolve`] for a caller done with the parsed policies (a build, not the live preview): each
/// policy's blocks are freed as soon as its views have their copies, instead of being held
/// beside every view until the end (the parse and all the views at once were a large
/// library's peak memory: 690 MB at 2,000 policies, 490 MB this way).
pub fn resolve_consuming(mut policies: Vec<Policy>, options: ResolveOptions, diags: &mut Diagnostics) -> Library {
    let taken: Vec<Mutex<Vec<Block>>> =
        policies.iter_mut().map(|p| Mutex::new(std::mem::take(&mut p.blocks))).collect();
    resolve_from(&policies, Some(&taken), options, diags, None)
}

/// [`resolve_reusing`], each policy's blocks either in it or, given `taken` (one list for each
/// of `policies`, in order, without a memo), taken out of it and freed as they are used.
fn resolve_from(
    policies: &[Policy],
    taken: Option<&[Mutex<Vec<Block>>]>,
    options: ResolveOptions,
    diags: &mut Diagnostics,
    memo: Option<(&ResolveMemo, &[Option<Key>])>,
) -> Library {
    debug_assert!(taken.is_none() || memo.is_none(), "a memo fingerprints the policies' own blocks");
    let parse_keys: BTreeMap<&str, Key> = memo
        .map(|(_, keys)| policies.iter().zip(keys).filter_map(|(p, k)| Some((p.id.as_str(), (*k)?))).collect())
        .unwrap_or_default();
    let memo = memo.map(|(memo, _)| memo);
    let (taken_of, published): (Vec<usize>, Vec<&Policy>) =
        policies.iter().enumerate().filter(|(_, p)| options.drafts || p.meta.status != Status::Draft).unzip();
    // The blocks of the `i`th published policy, taken out of it (left empty) or in it.
    let take_blocks = |i: usize| -> Option<Vec<Block>> {
        taken.map(|t| std::mem::take(&mut *t[taken_of[i]].lock().unwrap_or_else(|e| e.into_inner())))
    };
    let statuses: BTreeMap<&str, Status> = policies.iter().map(|p| (p.id.as_str(), p.meta.status)).collect();
    let audiences_of: BTreeMap<&str, Vec<Audience>> = published
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let audiences = match taken {
                Some(t) => audiences_with_output(p, &t[taken_of[i]].lock().unwrap_or_else(|e| e.into_inner()), diags),
                None => audiences_with_output(p, &p.blocks, diags),
            };
            (p.id.as_str(), audiences)
        })
        .collect();
    let last = memo.and_then(|m| m.last.lock().unwrap_or_else(|e| e.into_inner()).take());
    let fingerprints: Vec<Option<Key>> = match memo {
        Some(_) => published.par_iter().map(|p| Some(fingerprint(p, parse_keys.get(p.id.as_str()).copied()))).collect(),
        None => vec![None; published.len()],
    };
    let remembered = |i: usize| -> Option<&RememberedPolicy> {
        let r = last.as_ref()?.policies.get(&published[i].id)?;
        (Some(r.fingerprint) == fingerprints[i]).then_some(r)
    };

    // First pass: each view's blocks with headings settled, so link targets can be checked
    // against the anchors that really exist in the target's view. A remembered policy's
    // titles and anchors are taken from the memo; its blocks are selected only if it must be
    // resolved again.
    // A policy with its views' blocks (none when the memo has them), and, when its blocks were
    // taken out of it, the anchors of all its headings.
    type FirstPass<'p> = ((&'p Policy, Option<Vec<SelectedBlocks>>), Option<BTreeSet<String>>);
    let (drafts, all_anchors): (Vec<_>, Vec<_>) = (0..published.len())
        .into_par_iter()
        .map(|i| {
            let policy = published[i];
            if remembered(i).is_some() {
                return ((policy, None), None);
            }
            let audiences = &audiences_of[policy.id.as_str()];
            let pass: FirstPass<'_> = match take_blocks(i) {
                Some(blocks) => {
                    let views = select_all_from(&blocks, policy, audiences);
                    let all = crate::parse::heading_anchors(&blocks).map(str::to_string).collect();
                    ((policy, Some(views)), Some(all))
                }
                None => ((policy, Some(select_all(policy, audiences))), None),
            };
            pass
        })
        .unzip();
    let headings: Vec<Arc<Headings>> = drafts
        .iter()
        .enumerate()
        .map(|(i, (_, views))| match views {
            Some(views) => Arc::new(
                views
                    .iter()
                    .map(|(a, title, blocks)| {
                        (*a, title.clone(), crate::parse::heading_anchors(blocks).map(str::to_string).collect())
                    })
                    .collect(),
            ),
            None => remembered(i).map(|r| Arc::clone(&r.headings)).unwrap_or_default(),
        })
        .collect();
    let titles: BTreeMap<(&str, Audience), String> = published
        .iter()
        .zip(&headings)
        .flat_map(|(p, views)| views.iter().map(move |(a, title, _)| ((p.id.as_str(), *a), title.clone())))
        .collect();
    let shorts: BTreeMap<&str, &str> =
        published.iter().map(|p| (p.id.as_str(), p.meta.short.as_deref().unwrap_or(p.id.as_str()))).collect();
    let anchors: BTreeMap<(&str, Audience), &BTreeSet<String>> = published
        .iter()
        .zip(&headings)
        .flat_map(|(p, views)| views.iter().map(move |(a, _, anchors)| ((p.id.as_str(), *a), anchors)))
        .collect();
    // All a policy's views read of the others (staff pages list related policies by title).
    let tables = {
        let mut h = KeyHasher::new("resolve-tables");
        (&statuses, &audiences_of, &titles, &shorts, &anchors).hash(&mut h);
        published.iter().map(|p| (&p.id, &p.meta.title)).for_each(|t| t.hash(&mut h));
        h.key()
    };
    let same_world = last.as_ref().is_some_and(|r| r.tables == tables && r.options == (options.today, options.drafts));
    let tables_ref = Tables {
        published: &published,
        statuses: &statuses,
        titles: &titles,
        shorts: &shorts,
        anchors: &anchors,
        audiences_of: &audiences_of,
    };

    // Each policy's links are rewritten on its own thread with its own diagnostics, merged in order.
    let results: Vec<(Arc<ResolvedPolicy>, Diagnostics, bool)> = drafts
        .into_par_iter()
        .enumerate()
        .map(|(i, (policy, views))| {
            if same_world && let Some(r) = remembered(i) {
                return (Arc::clone(&r.resolved), r.found.clone(), true);
            }
            let views = views.unwrap_or_else(|| select_all(policy, &audiences_of[policy.id.as_str()]));
            let (resolved, found) = resolve_policy(policy, views, all_anchors[i].as_ref(), &tables_ref, options);
            (Arc::new(resolved), found, false)
        })
        .collect();
    let mut resolved = Vec::with_capacity(results.len());
    let mut next = HashMap::new();
    let mut reused = 0;
    for (((policy, found, was_reused), fingerprint), headings) in results.into_iter().zip(fingerprints).zip(headings) {
        if let Some(fingerprint) = fingerprint {
            let remember =
                RememberedPolicy { fingerprint, headings, resolved: Arc::clone(&policy), found: found.clone() };
            next.insert(policy.id.clone(), remember);
        }
        reused += usize::from(was_reused);
        diags.extend(found);
        resolved.push(policy);
    }
    // The last call's memo holds every policy's headings: freed on another thread, as nothing
    // waits for it.
    std::thread::spawn(move || drop(last));
    if let Some(memo) = memo {
        *memo.last.lock().unwrap_or_else(|e| e.into_inner()) =
            Some(Remembered { options: (options.today, options.drafts), tables, policies: next, reused });
    }
    Library { policies: resolved, today: options.today }
}

/// Each audience's title and blocks of `policy`, headings settled.
fn select_all(policy: &Policy, audiences: &[Audience]) -> Vec<SelectedBlocks> {
    select_all_from(&policy.blocks, policy, audiences)
}

/// [`select_all`] from `blocks`, the policy's own (taken out of it, or still in it).
fn select_all_from(blocks: &[Block], policy: &Policy, audiences: &[Audience]) -> Vec<SelectedBlocks> {
    audiences
        .iter()
        .map(|&a| {
            let (title, selected) = select_blocks_from(blocks, &policy.meta.title, a);
            (a, title, selected)
        })
        .collect()
}

/// What every policy's links are checked against: the other policies.
struct Tables<'a> {
    published: &'a [&'a Policy],
    statuses: &'a BTreeMap<&'a str, Status>,
    titles: &'a BTreeMap<(&'a str, Audience), String>,
    shorts: &'a BTreeMap<&'a str, &'a str>,
    anchors: &'a BTreeMap<(&'a str, Audience), &'a BTreeSet<String>>,
    audiences_of: &'a BTreeMap<&'a str, Vec<Audience>>,
}

/// One policy's views, its links checked against `tables`, with what was found.
fn resolve_policy(
    policy: &Policy,
    views: Vec<SelectedBlocks>,
    all_anchors: Option<&BTreeSet<String>>,
    tables: &Tables<'_>,
    options: ResolveOptions,
) -> (ResolvedPolicy, Diagnostics) {
    let Tables { published, statuses, titles, shorts, anchors, audiences_of } = *tables;
    let mut own = Diagnostics::new();
    let diags = &mut own;
    let status = ReviewStatus::of(policy.meta.review_date, options.today);
    if status == ReviewStatus::Overdue && policy.meta.status != Status::Withdrawn {
        diags
            .warning(
                Location::new(&policy.source, policy.meta.review_line, 1),
                format!("the review date {} has passed: this policy is overdue for review", policy.meta.review_date),
            )
            .hint("review the policy, then update `review-date`, `version` and `history`");
    }
    let available = audiences_of[policy.id.as_str()].clone();
    let earlier = earlier_views(policy, published, statuses, anchors, options.today);
    let mut earlier = Some(earlier);
    let mut out_views = Vec::new();
    for (audience, title, mut blocks) in views {
        let mut linker = Linker { policy, translation: None, statuses, audience, anchors, all_anchors, diags };
        for block in &mut blocks {
            linker.block(&mut block.kind);
        }
        let mut linked = BTreeMap::new();
        for id in linked_policies(&blocks) {
            if let (Some(title), Some(short)) = (titles.get(&(id.as_str(), audience)), shorts.get(id.as_str())) {
                let target = LinkedPolicy { title: title.clone(), short: short.to_string() };
                linked.insert(id, target);
            }
        }
        out_views.push(AudienceView {
            audience,
            id: policy.id.clone(),
            source: policy.source.clone(),
            title,
            policy_title: policy.meta.title.clone(),
            reference: policy.meta.reference.clone(),
            version: policy.meta.version.clone(),
            review_date: policy.meta.review_date,
            last_reviewed: policy.meta.approved_date.filter(|_| policy.meta.status != Status::Draft),
            short: policy.meta.short.clone().unwrap_or_else(|| policy.id.clone()),
            contact: policy.meta.contact.clone(),
            contact_line: policy.meta.contact_line,
            review_status: status,
            document_date: options.today,
            draft: policy.meta.status == Status::Draft,
            blocks,
            glossary: if audience == Audience::EasyRead { policy.meta.glossary.clone() } else { Vec::new() },
            available: available.clone(),
            linked,
            staff: (audience == Audience::Staff).then(|| StaffDetails {
                earlier: earlier.take().unwrap_or_default(),
                ..staff_details(policy, published)
            }),
            lang: None,
            translation: None,
            languages: Vec::new(),
        });
    }
    let mut translations = translated_views(policy, &out_views, statuses, anchors, diags);
    set_languages(&mut out_views, &mut translations);
    if let Some(staff) = out_views.first_mut().and_then(|v| v.staff.as_mut()) {
        staff.translations = policy
            .translations
            .iter()
            .map(|t| TranslationSummary {
                lang: t.lang.clone(),
                of_version: t.translation_of.clone(),
                current: t.current,
                audiences: translations
                    .iter()
                    .filter(|v| v.lang.as_deref() == Some(t.lang.as_str()))
                    .map(|v| (v.audience, v.stem()))
                    .collect(),
            })
            .collect();
    }
    (ResolvedPolicy { id: policy.id.clone(), views: out_views, translations }, own)
}

/// Staff views of a policy's earlier approved versions, newest first, each knowing what replaced
/// it. Their links are checked against this build's policies like the current text's; what an
/// old text links to that has gone since is shown as plain text, without warnings (nobody can
/// change an approved old version).
fn earlier_views(
    policy: &Policy,
    published: &[&Policy],
    statuses: &BTreeMap<&str, Status>,
    anchors: &BTreeMap<(&str, Audience), &BTreeSet<String>>,
    today: Date,
) -> Vec<AudienceView> {
    let mut newer = (&policy.meta.version, policy.meta.approved_date);
    let mut out = Vec::new();
    for old in &policy.earlier {
        let (title, mut blocks) = select_blocks(old, Audience::Staff);
        let mut quiet = Diagnostics::new();
        let mut linker = Linker {
            policy: old,
            translation: None,
            statuses,
            audience: Audience::Staff,
            anchors,
            all_anchors: None,
            diags: &mut quiet,
        };
        for block in &mut blocks {
            linker.block(&mut block.kind);
        }
        let superseded_by = Supersession { version: newer.0.clone(), on: newer.1 };
        out.push(AudienceView {
            audience: Audience::Staff,
            id: policy.id.clone(),
            source: policy.source.clone(),
            title,
            policy_title: old.meta.title.clone(),
            reference: old.meta.reference.clone(),
            version: old.meta.version.clone(),
            review_date: old.meta.review_date,
            // A superseded version is not reviewed any more: it is never "overdue".
            review_status: ReviewStatus::InDate,
            document_date: today,
            draft: false,
            blocks,
            glossary: Vec::new(),
            available: Vec::new(),
            linked: BTreeMap::new(),
            last_reviewed: old.meta.approved_date,
            short: old.meta.short.clone().unwrap_or_else(|| policy.id.clone()),
            contact: old.meta.contact.clone(),
            contact_line: old.meta.contact_line,
            staff: Some(StaffDetails { superseded_by: Some(superseded_by), ..staff_details(old, published) }),
            lang: None,
            translation: None,
            languages: Vec::new(),
        });
        newer = (&old.meta.version, old.meta.approved_date);
    }
    // Each earlier version knows the one before it, for its own "what changed".
    for i in 1..out.len() {
        let mut before = out[i].clone();
        if let Some(staff) = &mut before.staff {
            staff.earlier.clear();
        }
        if let Some(staff) = &mut out[i - 1].staff {
            staff.earlier = vec![before];
        }
    }
    out
}

/// One audience's title and blocks, before links are rewritten.
type SelectedBlocks = (Audience, String, Vec<Block>);

/// The views of a policy's translations: for each language, each patient-facing audience the
/// translation has words for (more than headings), made like the policy's own view of that
/// audience (`views`) with the translation's title, blocks and glossary.
fn translated_views(
    policy: &Policy,
    views: &[AudienceView],
    statuses: &BTreeMap<&str, Status>,
    anchors: &BTreeMap<(&str, Audience), &BTreeSet<String>>,
    diags: &mut Diagnostics,
) -> Vec<AudienceView> {
    let mut out = Vec::new();
    for translation in &policy.translations {
        let own: BTreeSet<String> = crate::parse::heading_anchors(&translation.blocks).map(str::to_string).collect();
        for audience in [Audience::Patient, Audience::EasyRead, Audience::Poster] {
            let Some(english) = views.iter().find(|v| v.audience == audience) else { continue };
            let mut chosen = translation.blocks.iter().filter(|b| b.audiences.contains(audience)).peekable();
            if chosen.peek().is_none() {
                continue;
            }
            if audience != Audience::Poster && chosen.all(|b| matches!(b.kind, BlockKind::Heading { .. })) {
                continue;
            }
            let (title, mut blocks) = select_blocks_from(&translation.blocks, &translation.title, audience);
            let mut linker = Linker {
                policy,
                translation: Some((translation.source.as_str(), &own)),
                statuses,
                audience,
                anchors,
                all_anchors: None,
                diags,
            };
            for block in &mut blocks {
                linker.block(&mut block.kind);
            }
            out.push(AudienceView {
                source: translation.source.clone(),
                title,
                policy_title: translation.title.clone(),
                blocks,
                glossary: if audience == Audience::EasyRead { translation.glossary.clone() } else { Vec::new() },
                lang: Some(translation.lang.clone()),
                translation: Some(TranslationState {
                    source: translation.source.clone(),
                    of_version: translation.translation_of.clone(),
                    current: translation.current,
                }),
                languages: Vec::new(),
                ..english.clone()
            });
        }
    }
    // A translation's pages link the translated versions it has (and staff's, as the policy's do).
    let by_lang: BTreeMap<String, Vec<Audience>> = out.iter().fold(BTreeMap::new(), |mut m, v| {
        m.entry(v.lang.clone().unwrap_or_default()).or_insert_with(|| vec![Audience::Staff]).push(v.audience);
        m
    });
    for view in &mut out {
        view.available = by_lang.get(view.lang.as_deref().unwrap_or_default()).cloned().unwrap_or_default();
    }
    out
}

/// Gives every patient-facing view the list of its document's language versions.
fn set_languages(views: &mut [AudienceView], translations: &mut [AudienceView]) {
    for audience in [Audience::Patient, Audience::EasyRead, Audience::Poster] {
        let Some(own) = views.iter().find(|v| v.audience == audience) else { continue };
        let mut languages = vec![LanguageVersion { lang: None, stem: own.stem(), out_of_date: false }];
        languages.extend(translations.iter().filter(|v| v.audience == audience).map(|v| LanguageVersion {
            lang: v.lang.clone(),
            stem: v.stem(),
            out_of_date: v.out_of_date(),
        }));
        if languages.len() == 1 {
            continue;
        }
        for view in views.iter_mut().chain(translations.iter_mut()).filter(|v| v.audience == audience) {
            view.languages = languages.clone();
        }
    }
}

/// Staff always; other audiences when the policy is not withdrawn and has content for them. A
/// leaflet or easy-read version with nothing but headings is left out, with a warning, rather
/// than printed empty.
fn audiences_with_output(policy: &Policy, all_blocks: &[Block], diags: &mut Diagnostics) -> Vec<Audience> {
    let mut out = vec![Audience::Staff];
    if policy.meta.status == Status::Withdrawn {
        return out;
    }
    for audience in [Audience::Patient, Audience::EasyRead, Audience::Poster] {
        let mut blocks = all_blocks.iter().filter(|b| b.audiences.contains(audience)).peekable();
        let Some(first) = blocks.peek().map(|b| b.line) else { continue };
        let only_headings = blocks.all(|b| matches!(b.kind, BlockKind::Heading { .. }));
        if only_headings && audience != Audience::Poster {
            diags
                .warning(
                    Location::new(&policy.source, first, 1),
                    format!("the {audience} text has only headings, so no {audience} version is made"),
                )
                .hint(format!(
                    "write what the {audience} reader needs under the headings, or remove the `::: {audience}` block"
                ));
            continue;
        }
        out.push(audience);
    }
    out
}

/// The blocks of one audience and its title, with headings renumbered so the body starts at
/// level 2 under the page's one level-1 title. No heading's words are lost: a heading taken as
/// the title is shown as the title.
fn select_blocks(policy: &Policy, audience: Audience) -> (String, Vec<Block>) {
    select_blocks_from(&policy.blocks, &policy.meta.title, audience)
}

/// [`select_blocks`] for any blocks and title (a policy's, or a translation's).
fn select_blocks_from(all: &[Block], policy_title: &str, audience: Audience) -> (String, Vec<Block>) {
    let mut blocks: Vec<Block> = all.iter().filter(|b| b.audiences.contains(audience)).cloned().collect();
    let first_h1 = blocks.iter().position(|b| matches!(b.kind, BlockKind::Heading { level: 1, .. }));
    let mut title = policy_title.to_string();
    match audience {
        // A poster's first heading is its headline: it stays on the poster.
        Audience::Poster => {
            if let Some(i) = first_h1 {
                title = heading_text(&blocks[i]);
            }
            return (title, blocks);
        }
        // The staff page's title is the policy title. A body that opens by repeating it as a
        // level-1 heading would show it twice, so that heading is the title; any other heading
        // is the author's text and stays.
        Audience::Staff => {
            if first_h1 == Some(0) && same_words(&heading_text(&blocks[0]), policy_title) {
                blocks.remove(0);
            }
        }
        _ => {
            if let Some(i) = first_h1 {
                title = heading_text(&blocks[i]);
                blocks.remove(i);
            }
        }
    }
    // Headings in quotes and list items count too, so the page never has a second level 1 and
    // nested levels line up with the others.
    if let Some(top) = blocks.iter().filter_map(|b| shallowest_heading(&b.kind)).min() {
        for block in &mut blocks {
            rebase_headings(&mut block.kind, top);
        }
    }
    (title, blocks)
}

/// The same words, whatever the case and spacing.
fn same_words(a: &str, b: &str) -> bool {
    let words = |s: &str| s.split_whitespace().map(str::to_lowercase).collect::<Vec<_>>();
    words(a) == words(b)
}

/// The smallest heading level in `kind`, nested blocks included.
fn shallowest_heading(kind: &BlockKind) -> Option<u8> {
    match kind {
        BlockKind::Heading { level, .. } => Some(*level),
        BlockKind::Quote(blocks) => blocks.iter().filter_map(shallowest_heading).min(),
        BlockKind::List { items, .. } => items.iter().flatten().filter_map(shallowest_heading).min(),
        _ => None,
    }
}

/// Moves every heading in `kind` so that level `top` becomes level 2.
fn rebase_headings(kind: &mut BlockKind, top: u8) {
    match kind {
        BlockKind::Heading { level, .. } => *level = (*level + 2).saturating_sub(top).clamp(2, 6),
        BlockKind::Quote(blocks) => blocks.iter_mut().for_each(|b| rebase_headings(b, top)),
        BlockKind::List { items, .. } => items.iter_mut().flatten().for_each(|b| rebase_headings(b, top)),
        _ => {}
    }
}

fn heading_text(block: &Block) -> String {
    match &block.kind {
        BlockKind::Heading { content, .. } => plain_text(content).trim().to_string(),
        _ => String::new(),
    }
}

fn staff_details(policy: &Policy, published: &[&Policy]) -> StaffDetails {
    let meta = &policy.meta;
    StaffDetails {
        status: meta.status,
        summary: meta.summary.clone(),
        owner: meta.owner.clone(),
        approved_by: meta.approved_by.clone(),
        approved_date: meta.approved_date,
        history: meta.history.clone(),
        related: meta
            .related
            .iter()
            .map(|(id, _)| RelatedPolicy {
                id: id.clone(),
                title: published.iter().find(|p| &p.id == id).map(|p| p.meta.title.clone()),
            })
            .collect(),
        extra: meta.extra.clone(),
        category: meta.category.as_ref().map(|(c, _)| c.clone()),
        directorate: meta.directorate.clone(),
        earlier: Vec::new(),
        superseded_by: None,
        translations: Vec::new(),
    }
}

/// The ids of the policies `blocks` link to.
fn linked_policies(blocks: &[Block]) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    crate::model::for_each_inline(blocks, &mut |inline| {
        if let Inline::Link { target: LinkTarget::Policy { id, .. }, .. } = inline {
            out.insert(id.clone());
        }
    });
    out
}

/// Rewrites links for one audience: kept when the target exists for it, otherwise turned into
/// plain text with a warning.
struct Linker<'a, 'd> {
    policy: &'a Policy,
    /// For a translation: its file (messages point there) and its own headings' anchors, which
    /// its links to its own sections go to.
    translation: Option<(&'a str, &'a BTreeSet<String>)>,
    /// The status of every parsed policy, published or not, for saying why a link is dropped.
    statuses: &'a BTreeMap<&'a str, Status>,
    audience: Audience,
    anchors: &'a BTreeMap<(&'a str, Audience), &'a BTreeSet<String>>,
    /// The anchors of all the policy's headings, for any audience, when its blocks were taken
    /// out of it (see [`resolve_consuming`]); otherwise read from its blocks.
    all_anchors: Option<&'a BTreeSet<String>>,
    diags: &'d mut Diagnostics,
}

impl Linker<'_, '_> {
    fn block(&mut self, kind: &mut BlockKind) {
        match kind {
            BlockKind::Heading { content, .. } | BlockKind::Paragraph(content) => self.inlines(content),
            BlockKind::List { items, .. } => {
                for item in items {
                    for b in item {
                        self.block(b);
                    }
                }
            }
            BlockKind::Quote(blocks) => {
                for b in blocks {
                    self.block(b);
                }
            }
            BlockKind::Table { header, rows, .. } => {
                for cell in header.iter_mut().chain(rows.iter_mut().flatten()) {
                    self.inlines(cell);
                }
            }
            BlockKind::Code { .. } | BlockKind::Rule => {}
        }
    }

    fn inlines(&mut self, inlines: &mut Vec<Inline>) {
        let mut out = Vec::with_capacity(inlines.len());
        for mut inline in inlines.drain(..) {
            match &mut inline {
                Inline::Emphasis(c) | Inline::Strong(c) | Inline::Span { content: c, .. } => self.inlines(c),
                Inline::Link { target, content, at, .. } => {
                    self.inlines(content);
                    if !self.keep_link(target, *at) {
                        out.append(content);
                        continue;
                    }
                }
                _ => {}
            }
            out.push(inline);
        }
        // Unlinked text joins its neighbours, so the view reads as one run of words.
        let mut merged: Vec<Inline> = Vec::with_capacity(out.len());
        for inline in out {
            match (merged.last_mut(), inline) {
                (Some(Inline::Text(last)), Inline::Text(next)) => last.push_str(&next),
                (_, inline) => merged.push(inline),
            }
        }
        *inlines = merged;
    }

    /// Checks one link for this audience; may drop a fragment. False: show the text unlinked.
    fn keep_link(&mut self, target: &mut LinkTarget, at: (usize, usize)) -> bool {
        let source = self.translation.map_or(self.policy.source.as_str(), |(s, _)| s);
        let location = Location::new(source, at.0, at.1);
        let audience = self.audience;
        match target {
            LinkTarget::External(_) => true,
            // A translation's sections are its own (parsing checked they exist).
            LinkTarget::Section(fragment) if self.translation.is_some() => {
                self.translation.is_some_and(|(_, own)| own.contains(fragment.as_str()))
            }
            LinkTarget::Section(fragment) => {
                let here = self.anchors.get(&(self.policy.id.as_str(), audience));
                if here.is_some_and(|a| a.contains(fragment.as_str())) {
                    return true;
                }
                // A section that exists for no audience is already an error from parsing.
                let exists = match self.all_anchors {
                    Some(all) => all.contains(fragment.as_str()),
                    None => crate::parse::heading_anchors(&self.policy.blocks).any(|a| a == fragment),
                };
                if !exists {
                    return false;
                }
                self.diags
                    .warning(location, format!("the section `#{fragment}` is not in the {audience} version, so this link is shown as plain text there"))
                    .hint(format!("give the section to the {audience} audience too, or remove the link from the {audience} text"));
                false
            }
            LinkTarget::Policy { id, fragment } => {
                let Some(anchors) = self.anchors.get(&(id.as_str(), audience)) else {
                    let status = self.statuses.get(id.as_str()).copied();
                    let (message, hint) = match status {
                        Some(Status::Draft) => (
                            format!("`{id}` is a draft, left out of this build, so this link is shown as plain text"),
                            "build with `--drafts` to include drafts, or approve the policy".to_string(),
                        ),
                        Some(Status::Withdrawn) => (
                            format!(
                                "`{id}` is withdrawn, so it has no {audience} version and this link is shown as plain text there"
                            ),
                            "link to the policy that replaces it, or remove the link".to_string(),
                        ),
                        // Not parsed: a missing policy, or one whose front matter has errors;
                        // parsing reported either, and a warning here would contradict it.
                        None => return false,
                        Some(Status::Approved) => (
                            format!("`{id}` has no {audience} version, so this link is shown as plain text there"),
                            format!(
                                "write a `::: {audience}` block in `{id}.md`, or remove the link from the {audience} text"
                            ),
                        ),
                    };
                    self.diags.warning(location, message).hint(hint);
                    return false;
                };
                // A section missing from every version is already an error from parsing.
                let exists_somewhere = |f: &str| self.anchors.iter().any(|((i, _), a)| i == id && a.contains(f));
                if let Some(f) = fragment
                    && !anchors.contains(f.as_str())
                    && exists_somewhere(f)
                {
                    self.diags
                        .warning(location, format!("the section `#{f}` of `{id}` is not in its {audience} version; the link goes to the start of it"))
                        .hint("link to a section that the audience can read, or leave out `#...`");
                    *fragment = None;
                }
                true
            }
        }
    }
}
