//! Render units: the build cut into pieces that each depend on little, each kept in the build
//! cache ([`crate::cache`]) under a key of what it is given, so a build after an edit renders
//! only the units whose inputs changed. A unit is one policy's web pages (both sites), one
//! render call of one policy's PDFs of a kind (staff, leaflets, easy read, posters), or the
//! search index. The pages that list every policy are not units: they are made every time.
//!
//! A unit's key hashes exactly what its render call receives: the project's site-wide inputs
//! ([`SiteKey`]: the program, the settings, the theme's own files, the logo), the whole view
//! (every field of an `AudienceView` through `Hash`, so a field added to views later, such as a
//! language, changes keys without anyone listing it here), the bytes of the pictures the view
//! names, and the build date when the call is given it (the leaflets print it). A call that is
//! given the date depends on it; one that is not cannot. Nothing else reaches a render call.
//!
//! Pure, apart from the store and the sink it is handed: never writes or reads a file itself.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet, VecDeque};
use std::hash::Hash;
use std::sync::{Arc, Mutex};

use rayon::prelude::*;

use crate::audience::easy_read::EasyReadDoc;
use crate::audience::patient::LeafletScores;
use crate::audience::pdf_output::GlyphGaps;
use crate::audience::poster::Poster;
use crate::audience::{
    PageMakers, PolicyDocuments, Prepared, PublicLibrary, easy_read, patient, patient_facing, policy_pages, poster,
    public, staff,
};
use crate::cache::{Key, KeyHasher, StoredUnit, UnitStore};
use crate::diag::{Diagnostics, IoFailure};
use crate::load::{Project, ReadMemo};
use crate::model::artifact::ArtifactSink;
use crate::model::dates::Date;
use crate::model::{Artifact, Audience, Inline};
use crate::resolve::{AudienceView, Library, ResolveMemo, ResolvedPolicy};

/// The project's site-wide inputs, hashed once per build, each picture's hash, and each view's
/// (made when first asked for).
pub struct SiteKey {
    key: Key,
    pictures: BTreeMap<String, Key>,
    /// All of `pictures`, hashed.
    pictures_key: Key,
    views: Mutex<HashMap<usize, Key>>,
}

impl SiteKey {
    /// Everything of `project` that a render call can read besides its views and pictures: the
    /// program itself (its built-in theme included), the settings, the theme's settings and the
    /// project's own theme files, and the logo.
    /// `program` is the program's identity when units are kept between builds.
    pub fn of(project: &Project, program: Option<Key>) -> SiteKey {
        let mut h = KeyHasher::new("site");
        program.hash(&mut h);
        format!("{:?}", project.config).hash(&mut h);
        project.has_settings_file.hash(&mut h);
        project.theme.hash_own_files(&mut h);
        format!("{:?}", project.theme_settings).hash(&mut h);
        if let Some(logo) = &project.logo {
            (&logo.path, &logo.alt, &logo.bytes, logo.svg).hash(&mut h);
        }
        let pictures: BTreeMap<String, Key> = project
            .images
            .par_iter()
            .map(|(path, bytes)| {
                let mut p = KeyHasher::new("picture");
                bytes.hash(&mut p);
                (path.clone(), p.key())
            })
            .collect();
        let mut p = KeyHasher::new("pictures");
        pictures.hash(&mut p);
        SiteKey { key: h.key(), pictures, pictures_key: p.key(), views: Mutex::new(HashMap::new()) }
    }

    /// The key of one view: all of it (through `Hash`) and the bytes of the pictures it names.
    /// Made once per view and build (a view is known by its place in memory, which does not
    /// change while the build runs).
    fn view_key(&self, view: &AudienceView) -> Key {
        let address = std::ptr::from_ref(view) as usize;
        if let Some(key) = self.views.lock().unwrap_or_else(|e| e.into_inner()).get(&address) {
            return *key;
        }
        let mut h = KeyHasher::new("view");
        view.hash(&mut h);
        let mut named = BTreeSet::new();
        pictures_of_view(view, &mut named);
        for path in named {
            (path, self.pictures.get(path)).hash(&mut h);
        }
        let key = h.key();
        self.views.lock().unwrap_or_else(|e| e.into_inner()).insert(address, key);
        key
    }

    /// The key of a render call of `kind` given `views` (and `date`, when it is given one).
    pub fn unit_key(&self, kind: &str, views: &[&AudienceView], date: Option<Date>) -> Key {
        let mut h = KeyHasher::new(kind);
        self.key.hash(&mut h);
        for view in views {
            self.view_key(view).hash(&mut h);
        }
        date.hash(&mut h);
        h.key()
    }
}

/// What the live preview (`serve`, `watch`) keeps from one build for the next, so a save does
/// work in proportion to what it changed: the resolved views of each policy (see
/// [`ResolveMemo`]), for the build's library and for the public site's library without drafts.
#[derive(Default)]
pub struct Reuse {
    /// The policy files' texts as read (see [`ReadMemo`]).
    pub read: ReadMemo,
    /// The build's own library.
    pub resolve: ResolveMemo,
    /// The public site's library (a build with drafts).
    pub public_resolve: ResolveMemo,
    /// Each policy's leaflet scores, with the readability findings.
    pub leaflets: PerPolicy<(Option<LeafletScores>, Diagnostics)>,
    /// Each policy's easy-read documents (its own, then its translations'), with their findings.
    pub easy_read: PerPolicy<(Vec<Arc<EasyReadDoc>>, Diagnostics)>,
    /// Each policy's posters (its own, then its translations'), with their findings.
    pub posters: PerPolicy<(Vec<Arc<Vec<Poster>>>, Diagnostics)>,
    /// The same two for the public site's library (a build with drafts).
    pub public_easy_read: PerPolicy<(Vec<Arc<EasyReadDoc>>, Diagnostics)>,
    /// See `public_easy_read`.
    pub public_posters: PerPolicy<(Vec<Arc<Vec<Poster>>>, Diagnostics)>,
    /// The key of each view of the last build's libraries (see [`SiteKey`]).
    views: Mutex<ViewKeys>,
}

/// The view keys of the last build, by the view's place in memory, with the policies holding
/// those views (kept alive, so no other view can take their place), and the pictures they were
/// made with (a view names pictures; their bytes are in its key).
#[derive(Default)]
struct ViewKeys {
    pictures: Option<Key>,
    held: Vec<Arc<ResolvedPolicy>>,
    keys: HashMap<usize, Key>,
}

impl Reuse {
    /// Gives `site` the keys of the views of `libraries` that are the last build's very views
    /// (when the pictures are the same).
    pub fn seed_view_keys(&self, site: &SiteKey, libraries: &[&Library]) {
        let last = std::mem::take(&mut *self.views.lock().unwrap_or_else(|e| e.into_inner()));
        if last.pictures == Some(site.pictures_key) {
            let now: HashSet<usize> =
                libraries.iter().flat_map(|l| &l.policies).map(|p| Arc::as_ptr(p) as usize).collect();
            // Only views this build holds too: a place in memory the last build's other views
            // had may hold a new view now.
            let seeded = last
                .held
                .iter()
                .filter(|p| now.contains(&(Arc::as_ptr(p) as usize)))
                .flat_map(|p| p.views.iter().chain(&p.translations))
                .filter_map(|v| {
                    let address = std::ptr::from_ref(v) as usize;
                    last.keys.get(&address).map(|k| (address, *k))
                })
                .collect();
            *site.views.lock().unwrap_or_else(|e| e.into_inner()) = seeded;
        }
        // The policies held for the last build's keys may be the last of their views: freed on
        // another thread, as nothing waits for it.
        std::thread::spawn(move || drop(last.held));
    }

    /// Keeps the keys `site` made for the views of `libraries`, for the next build.
    pub fn keep_view_keys(&self, site: &SiteKey, libraries: &[&Library]) {
        let made = site.views.lock().unwrap_or_else(|e| e.into_inner());
        let held: Vec<Arc<ResolvedPolicy>> = libraries.iter().flat_map(|l| l.policies.iter().cloned()).collect();
        let keys = held
            .iter()
            .flat_map(|p| p.views.iter().chain(&p.translations))
            .filter_map(|v| {
                let address = std::ptr::from_ref(v) as usize;
                made.get(&address).map(|k| (address, *k))
            })
            .collect();
        *self.views.lock().unwrap_or_else(|e| e.into_inner()) =
            ViewKeys { pictures: Some(site.pictures_key), held, keys };
    }
}

/// Something worked out from each policy's views, kept from one build to the next of a live
/// preview for every policy whose views are the very same (shared) ones, which the resolve
/// memo gives only when nothing they were made from changed.
pub struct PerPolicy<T> {
    last: Mutex<HashMap<usize, Remembered<T>>>,
}

/// A policy of the last build (held, so no other can take its place in memory) and what was
/// made from it.
type Remembered<T> = (Arc<ResolvedPolicy>, Arc<T>);

impl<T> Default for PerPolicy<T> {
    fn default() -> Self {
        PerPolicy { last: Mutex::new(HashMap::new()) }
    }
}

impl<T: Send + Sync + 'static> PerPolicy<T> {
    /// `make` of each policy, in library order, in parallel: from `memo` for a policy of the
    /// last build (when given), made otherwise; this build's are kept for the next.
    pub fn each(
        memo: Option<&PerPolicy<T>>,
        policies: &[Arc<ResolvedPolicy>],
        make: impl Fn(&ResolvedPolicy) -> T + Sync + Send,
    ) -> Vec<Arc<T>> {
        let Some(memo) = memo else {
            return policies.par_iter().map(|p| Arc::new(make(p))).collect();
        };
        let last = std::mem::take(&mut *memo.last.lock().unwrap_or_else(|e| e.into_inner()));
        let address = |p: &Arc<ResolvedPolicy>| Arc::as_ptr(p) as usize;
        let out: Vec<Arc<T>> = policies
            .par_iter()
            .map(|p| match last.get(&address(p)) {
                Some((held, value)) if Arc::ptr_eq(held, p) => Arc::clone(value),
                _ => Arc::new(make(p)),
            })
            .collect();
        let next = policies.iter().zip(&out).map(|(p, v)| (address(p), (Arc::clone(p), Arc::clone(v)))).collect();
        *memo.last.lock().unwrap_or_else(|e| e.into_inner()) = next;
        std::thread::spawn(move || drop(last));
        out
    }
}

/// One render call and the key of everything it is given.
pub struct Unit<'a> {
    /// The cache key.
    pub key: Key,
    /// The policy it renders (none for the search index).
    pub policy: Option<&'a str>,
    /// Its findings are reported (false for the public site's second rendering of a view whose
    /// problems the build's own reported).
    pub reported: bool,
    render: Render<'a>,
}

/// What a unit runs: its findings go into the `Diagnostics` it is given; the store is there for
/// its memos (what it made last time of inputs that did not change, such as the search index's
/// parts), never for units.
type Render<'a> = Box<dyn Fn(&mut Diagnostics, &dyn UnitStore) -> Vec<Artifact> + Send + Sync + 'a>;

impl<'a> Unit<'a> {
    fn new(
        key: Key,
        policy: Option<&'a str>,
        render: impl Fn(&mut Diagnostics) -> Vec<Artifact> + Send + Sync + 'a,
    ) -> Unit<'a> {
        Unit::with_memos(key, policy, move |d, _| render(d))
    }

    /// A unit whose render call reads and keeps memos in the build's store.
    fn with_memos(
        key: Key,
        policy: Option<&'a str>,
        render: impl Fn(&mut Diagnostics, &dyn UnitStore) -> Vec<Artifact> + Send + Sync + 'a,
    ) -> Unit<'a> {
        Unit { key, policy, reported: true, render: Box::new(render) }
    }
}

/// How the live preview runs units: the ones someone waits for first, and none once the
/// project has changed again.
pub struct Schedule<'a> {
    /// True once the units still to run are of no use (a newer build is due).
    pub cancelled: &'a (dyn Fn() -> bool + Sync),
    /// The policies whose files someone is waiting for now.
    pub wanted: &'a (dyn Fn() -> Vec<String> + Sync),
}

/// The web-page units: one per policy, making all its pages on both sites.
pub fn page_units<'a>(
    makers: &'a PageMakers<'a>,
    site: &SiteKey,
    library: &'a Library,
    prepared: &'a Prepared<'a>,
    public: Option<&'a PublicLibrary<'a>>,
) -> Vec<Unit<'a>> {
    let documents = prepared.by_stem();
    let public_documents = public.map(|p| p.prepared.by_stem());
    library
        .policies
        .iter()
        .map(|policy| {
            let own = PolicyDocuments::of(policy, &documents);
            // On the public site: the same policy (a build without drafts), or its view in the
            // library without drafts (none for a draft).
            let on_public: Option<PolicyDocuments<'a>> = match (public, &public_documents) {
                (Some(p), Some(docs)) => {
                    p.library.policies.iter().find(|q| q.id == policy.id).map(|q| PolicyDocuments::of(q, docs))
                }
                _ => Some(own.clone()),
            };
            // Its views and its translations' views are all its pages are made from.
            let all_views = |p: &'a ResolvedPolicy| p.views.iter().chain(&p.translations).collect::<Vec<_>>();
            let mut h = KeyHasher::new("pages");
            site.unit_key("policy", &all_views(policy), None).hash(&mut h);
            if let Some(p) = &on_public {
                site.unit_key("public", &all_views(p.policy), None).hash(&mut h);
            }
            Unit::new(h.key(), Some(policy.id.as_str()), move |d| {
                let mut files = Vec::new();
                for result in policy_pages(makers, &own, on_public.as_ref()) {
                    match result {
                        Ok(artifact) => files.push(artifact),
                        Err((location, message)) => {
                            d.error(location, message)
                                .hint("fix the template, or delete the override to use the built-in one");
                        }
                    }
                }
                files
            })
        })
        .collect()
}

/// The units made after the web pages: the search index and every PDF.
pub struct LateUnits<'a> {
    /// The search index (its terms, then its text in parts), then the intranet's PDF units, in
    /// a fixed order (kind, then library order).
    pub intranet: Vec<Unit<'a>>,
    /// The public site's PDF units (only in a build with drafts: otherwise its PDFs are copies
    /// of the intranet's patient-facing ones).
    pub public: Option<Vec<Unit<'a>>>,
}

impl LateUnits<'_> {
    /// How many units there are.
    pub fn len(&self) -> usize {
        self.intranet.len() + self.public.as_ref().map_or(0, Vec::len)
    }

    /// True when there are none.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// The search index's unit and the units that render every PDF of `library` (and of the public
/// library, when given).
pub fn late_units<'a>(
    project: &'a Project,
    site: &SiteKey,
    library: &'a Library,
    prepared: &'a Prepared<'a>,
    public: Option<&'a PublicLibrary<'a>>,
) -> LateUnits<'a> {
    let every_view: Vec<&AudienceView> = library.policies.iter().flat_map(|p| &p.views).collect();
    let search_key = site.unit_key("search", &every_view, Some(library.today));
    let mut intranet = Vec::new();
    // `check` writes nothing, and the search index reports nothing: a check does not make it.
    if !crate::audience::pdf_output::layout_only() {
        // The terms are made from parts of the library, each kept as a memo under the key of
        // its policies' views: the unit runs again on any edit, but makes again only the part
        // holding the edited policy, and merges the others' postings.
        let term_parts: Vec<(std::ops::Range<usize>, Key)> = staff::search::term_parts(library)
            .into_iter()
            .map(|range| {
                let views: Vec<&AudienceView> =
                    library.views(Audience::Staff).skip(range.start).take(range.len()).collect();
                let key = site.unit_key(TERM_PART_MEMO, &views, Some(library.today));
                (range, key)
            })
            .collect();
        intranet.push(Unit::with_memos(search_key, None, move |_, store| {
            let parts = term_parts
                .par_iter()
                .map(|(range, key)| {
                    if let Some(part) = store.memo(*key).and_then(|bytes| staff::search::TermPart::decode(&bytes)) {
                        return part;
                    }
                    let part = staff::search::TermPart::of(library, range.clone());
                    store.put_memo(*key, &part.encode());
                    part
                })
                .collect();
            staff::search::term_files_of_parts(parts)
        }));
        // The index's text in parts, each a unit: made and written a part at a time, and an edit
        // makes again only its policy's part. A part's chunks are numbered from its first
        // section, so its key has where it starts.
        intranet.extend(staff::search::text_parts(library).into_iter().map(|part| {
            let mut h = KeyHasher::new("search-text");
            site.unit_key("search-text", &part.views(library), Some(library.today)).hash(&mut h);
            format!("{part:?}").hash(&mut h);
            Unit::new(h.key(), None, move |_| part.chunk_files(library))
        }));
    }
    intranet.extend(library.views(Audience::Staff).map(|view| {
        Unit::new(site.unit_key("staff-pdf", &[view], None), Some(view.id.as_str()), move |d| {
            let mut gaps = GlyphGaps::default();
            let out = staff::pdf::staff_pdfs_gathering(project, &[view], d, &mut gaps);
            gaps.record(d);
            out
        })
    }));
    intranet.extend(patient_facing_units(project, site, library, prepared));
    let public = public.map(|p| {
        let mut units = patient_facing_units(project, site, p.library, p.prepared);
        for unit in &mut units {
            unit.reported = false;
        }
        units
    });
    LateUnits { intranet, public }
}

/// The key domain of a search index term part's memo ([`staff::search::TermPart`]); its
/// version changes with the memo's encoding.
const TERM_PART_MEMO: &str = "search-terms-part-1";

/// The leaflet, easy-read and poster units of one library.
fn patient_facing_units<'a>(
    project: &'a Project,
    site: &SiteKey,
    library: &'a Library,
    prepared: &'a Prepared<'a>,
) -> Vec<Unit<'a>> {
    let mut units = Vec::new();
    // Each leaflet, its translations' too, as a library of that one view.
    for view in library.all_views(Audience::Patient) {
        let today = library.today;
        let key = site.unit_key("patient-pdf", &[view], Some(today));
        units.push(Unit::new(key, Some(view.id.as_str()), move |d| {
            // The copy of the view is made when the unit runs, not with the unit: made up front,
            // every leaflet's view was held twice for the whole build (and most units of a
            // build come from the cache).
            let (views, translations) =
                if view.lang.is_some() { (Vec::new(), vec![view.clone()]) } else { (vec![view.clone()], Vec::new()) };
            let one = Library {
                policies: vec![Arc::new(ResolvedPolicy { id: view.id.clone(), views, translations })],
                today,
            };
            let mut gaps = GlyphGaps::default();
            let out = patient::pdf::patient_pdfs_gathering(project, &one, d, &mut gaps);
            gaps.record(d);
            out
        }));
    }
    for (view, doc) in &prepared.easy_read {
        let key = site.unit_key("easy-read-pdf", &[view], None);
        units.push(Unit::new(key, Some(view.id.as_str()), move |d| {
            let mut gaps = GlyphGaps::default();
            let out = easy_read::pdf::easy_read_pdfs_gathering(project, &[(*view, (**doc).clone())], d, &mut gaps);
            gaps.record(d);
            out
        }));
    }
    for (view, posters) in &prepared.posters {
        let key = site.unit_key("poster-pdf", &[view], None);
        units.push(Unit::new(key, Some(view.id.as_str()), move |d| {
            let mut gaps = GlyphGaps::default();
            let out = poster::pdf::poster_pdfs_gathering(project, &[(*view, (**posters).clone())], d, &mut gaps);
            gaps.record(d);
            out
        }));
    }
    units
}

/// How long the live preview waits after a build's pages before it starts its PDFs and search
/// index (unless someone waits for one of them): an author who saves again within it does not
/// wait for them (a save waits for the units running when it comes, and the PDFs of a long
/// policy take a few hundred milliseconds), and they are made once the author pauses.
pub const LATE_UNITS_PAUSE: std::time::Duration = std::time::Duration::from_millis(1000);

/// How a wait for the end of [`LATE_UNITS_PAUSE`] ended.
enum Paused {
    Over,
    Cancelled,
    /// Someone waits for a unit still queued: it goes first, now.
    Wanted,
}

/// Waits until `until`, unless the schedule is cancelled or `wanted` becomes true first.
fn pause(schedule: &Schedule<'_>, until: std::time::Instant, wanted: &dyn Fn() -> bool) -> Paused {
    while std::time::Instant::now() < until {
        if (schedule.cancelled)() {
            return Paused::Cancelled;
        }
        if wanted() {
            return Paused::Wanted;
        }
        std::thread::sleep(std::time::Duration::from_millis(2));
    }
    if (schedule.cancelled)() { Paused::Cancelled } else { Paused::Over }
}

/// What one unit found and made: `None` for a unit not run (the schedule was cancelled).
type UnitResult = Option<(Diagnostics, Result<Vec<String>, IoFailure>)>;

/// Runs `units` in parallel: each is taken from `store` when it holds the unit's key, else
/// rendered (and stored, unless it found errors); its files go to `sink` as soon as they are
/// there. `done` is called after each unit. Findings are added to `diags` in unit order, so
/// messages never depend on thread timing. Returns each unit's file paths (none for a unit the
/// schedule left out). With a schedule and `paused` (the late units'), a unit that must be
/// made and that no one waits for starts only once [`LATE_UNITS_PAUSE`] has passed since the
/// first such was reached (`paused` holds when that is, for all the late units of a build).
pub fn run_units(
    units: &[Unit<'_>],
    store: &dyn UnitStore,
    sink: &dyn ArtifactSink,
    schedule: Option<&Schedule<'_>>,
    paused: Option<&std::sync::OnceLock<std::time::Instant>>,
    done: &(dyn Fn() + Sync),
    diags: &mut Diagnostics,
) -> Result<Vec<Vec<String>>, IoFailure> {
    let slots: Vec<Mutex<UnitResult>> = units.iter().map(|_| Mutex::new(None)).collect();
    // `stored` is what `store` holds for the unit, looked up once by the caller.
    let run = |i: usize, stored: Option<StoredUnit>| {
        let result = run_unit(&units[i], stored, store, sink);
        *slots[i].lock().unwrap_or_else(|e| e.into_inner()) = Some(result);
        done();
    };
    match schedule {
        None => (0..units.len()).into_par_iter().for_each(|i| run(i, store.get(units[i].key))),
        Some(schedule) => {
            // A queue, so a unit someone waits for can go first, and nothing starts once the
            // project has changed again. The search index goes last: its units are long.
            let (of_policies, of_library): (Vec<usize>, Vec<usize>) =
                (0..units.len()).partition(|&i| units[i].policy.is_some());
            let queue = Mutex::new(of_policies.into_iter().chain(of_library).collect::<VecDeque<usize>>());
            let is_wanted =
                |i: usize, wanted: &[String]| units[i].policy.is_some_and(|p| wanted.iter().any(|w| w == p));
            let any_wanted = || {
                let wanted = (schedule.wanted)();
                !wanted.is_empty()
                    && queue.lock().unwrap_or_else(|e| e.into_inner()).iter().any(|&i| is_wanted(i, &wanted))
            };
            rayon::scope(|scope| {
                for _ in 0..rayon::current_num_threads() {
                    scope.spawn(|_| {
                        loop {
                            if (schedule.cancelled)() {
                                break;
                            }
                            let wanted = (schedule.wanted)();
                            let next = {
                                let mut queue = queue.lock().unwrap_or_else(|e| e.into_inner());
                                let at = if wanted.is_empty() {
                                    None
                                } else {
                                    queue.iter().position(|&i| is_wanted(i, &wanted))
                                };
                                match at {
                                    Some(at) => queue.remove(at).map(|i| (i, true)),
                                    None => queue.pop_front().map(|i| (i, false)),
                                }
                            };
                            let Some((i, wanted)) = next else { break };
                            let stored = store.get(units[i].key);
                            // One pause for all the late units, however many threads reach them;
                            // one the cache holds takes no time, so it does not wait.
                            if let Some(paused) = paused.filter(|_| !wanted && stored.is_none()) {
                                let until = *paused.get_or_init(|| std::time::Instant::now() + LATE_UNITS_PAUSE);
                                match pause(schedule, until, &any_wanted) {
                                    Paused::Over => {}
                                    Paused::Cancelled => break,
                                    Paused::Wanted => {
                                        queue.lock().unwrap_or_else(|e| e.into_inner()).push_front(i);
                                        continue;
                                    }
                                }
                            }
                            run(i, stored);
                        }
                    });
                }
            });
        }
    }
    let mut paths = Vec::with_capacity(units.len());
    for (slot, unit) in slots.into_iter().zip(units) {
        match slot.into_inner().unwrap_or_else(|e| e.into_inner()) {
            Some((found, result)) => {
                if unit.reported {
                    diags.extend(found);
                }
                paths.push(result?);
            }
            None => paths.push(Vec::new()),
        }
    }
    Ok(paths)
}

/// One unit: its files from `stored` (what `store` held for its key), or rendered and stored.
fn run_unit(
    unit: &Unit<'_>,
    stored: Option<StoredUnit>,
    store: &dyn UnitStore,
    sink: &dyn ArtifactSink,
) -> (Diagnostics, Result<Vec<String>, IoFailure>) {
    let mut found = Diagnostics::new();
    if let Some(stored) = stored {
        for d in stored.diagnostics {
            found.add(d);
        }
        let written = stored.files.iter().map(|f| sink.put_stored(&f.path, &f.object).map(|()| f.path.clone()));
        return (found, written.collect());
    }
    let files = (unit.render)(&mut found, store);
    let paths: Vec<String> = files.iter().map(|a| a.path.clone()).collect();
    if found.has_errors() {
        // The build stops at its errors: nothing of it is written or kept.
        return (found, Ok(paths));
    }
    let written =
        match store.put_reusing(unit.key, &files, found.items(), &|path, bytes| sink.same_as_before(path, bytes)) {
            Some(stored) => stored.files.iter().try_for_each(|f| sink.put_stored(&f.path, &f.object)),
            None => files.into_iter().try_for_each(|a| sink.put(a)),
        };
    (found, written.map(|()| paths))
}

/// Runs the search index's and every PDF's units: the intranet's, then the public site's copies
/// (linked to the intranet's files where the unit is the same) or its own renderings, under
/// `public/`.
pub fn run_late_units(
    units: &LateUnits<'_>,
    store: &dyn UnitStore,
    sink: &dyn ArtifactSink,
    schedule: Option<&Schedule<'_>>,
    done: &(dyn Fn() + Sync),
    diags: &mut Diagnostics,
) -> Result<(), IoFailure> {
    let paused = std::sync::OnceLock::new();
    let intranet_paths = run_units(&units.intranet, store, sink, schedule, Some(&paused), done, diags)?;
    if diags.has_errors() {
        // A PDF found an error as it was made (a poster word too wide at every size): its unit
        // made no files, so there is nothing to copy, and the build stops at its errors.
        return Ok(());
    }
    let Some(public_units) = &units.public else {
        // No drafts: the public site's PDFs are the intranet's patient-facing ones.
        for path in intranet_paths.iter().flatten().filter(|p| is_patient_facing(p)) {
            sink.put_copy(&public_path(path), path)?;
        }
        return Ok(());
    };
    let by_key: BTreeMap<Key, &Vec<String>> = units.intranet.iter().map(|u| u.key).zip(&intranet_paths).collect();
    let (same, own): (Vec<&Unit<'_>>, Vec<&Unit<'_>>) = public_units.iter().partition(|u| by_key.contains_key(&u.key));
    for unit in same {
        for path in by_key[&unit.key] {
            sink.put_copy(&public_path(path), path)?;
        }
    }
    // A view that differs on the public site (it links to a draft) is rendered for it, into
    // `public/`.
    let renamed: Vec<Unit<'_>> = own
        .into_iter()
        .map(|unit| Unit {
            key: public_key(unit.key),
            policy: unit.policy,
            reported: false,
            render: Box::new(move |d: &mut Diagnostics, store: &dyn UnitStore| {
                public::public_pdfs(&(unit.render)(d, store))
            }),
        })
        .collect();
    run_units(&renamed, store, sink, schedule, Some(&paused), done, diags)?;
    Ok(())
}

/// The key of a unit's public-site rendering (its files have other paths).
fn public_key(key: Key) -> Key {
    let mut h = KeyHasher::new("public-site");
    key.hash(&mut h);
    h.key()
}

fn is_patient_facing(path: &str) -> bool {
    patient_facing::PATIENT_FACING.iter().any(|a| path.starts_with(&format!("{}/", a.name())))
}

fn public_path(path: &str) -> String {
    format!("{}/{path}", public::PUBLIC_DIR)
}

/// The pictures under `content/` that a view names (its earlier versions' too), wherever they
/// are (in lists, tables, links, language spans).
fn pictures_of_view<'v>(view: &'v AudienceView, out: &mut BTreeSet<&'v str>) {
    crate::model::for_each_inline(&view.blocks, &mut |inline| {
        if let Inline::Image { path, .. } = inline {
            out.insert(path);
        }
    });
    for earlier in view.staff.iter().flat_map(|s| &s.earlier) {
        pictures_of_view(earlier, out);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cache::NoStore;
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::time::{Duration, Instant};

    /// Takes every file and keeps nothing.
    struct Nowhere;

    impl ArtifactSink for Nowhere {
        fn put(&self, _: Artifact) -> Result<(), IoFailure> {
            Ok(())
        }
        fn put_stored(&self, _: &str, _: &std::path::Path) -> Result<(), IoFailure> {
            Ok(())
        }
        fn put_copy(&self, _: &str, _: &str) -> Result<(), IoFailure> {
            Ok(())
        }
    }

    fn units<'a>(ran: &'a Mutex<Vec<(&'static str, Instant)>>) -> Vec<Unit<'a>> {
        ["a", "b"]
            .into_iter()
            .map(|id| {
                Unit::new(KeyHasher::new(id).key(), Some(id), move |_| {
                    ran.lock().unwrap().push((id, Instant::now()));
                    Vec::new()
                })
            })
            .collect()
    }

    #[test]
    fn late_units_wait_for_the_pause_unless_someone_waits_for_them() {
        let ran = Mutex::new(Vec::new());
        let units = units(&ran);
        let schedule = Schedule { cancelled: &|| false, wanted: &|| vec!["b".to_string()] };
        let paused = std::sync::OnceLock::new();
        let started = Instant::now();
        let mut diags = Diagnostics::new();
        run_units(&units, &NoStore, &Nowhere, Some(&schedule), Some(&paused), &|| {}, &mut diags).unwrap();
        drop(units);
        let ran = ran.into_inner().unwrap();
        assert_eq!(ran.iter().map(|(id, _)| *id).collect::<Vec<_>>(), ["b", "a"], "the unit waited for goes first");
        assert!(ran[0].1 - started < LATE_UNITS_PAUSE / 2, "and does not wait for the pause");
        assert!(ran[1].1 - started >= LATE_UNITS_PAUSE, "the other waits for it");
    }

    #[test]
    fn a_save_during_the_pause_stops_the_late_units_at_once() {
        let ran = Mutex::new(Vec::new());
        let units = units(&ran);
        let saved = AtomicBool::new(false);
        let cancelled = || saved.load(Ordering::SeqCst);
        let schedule = Schedule { cancelled: &cancelled, wanted: &Vec::new };
        let paused = std::sync::OnceLock::new();
        let started = Instant::now();
        std::thread::scope(|scope| {
            scope.spawn(|| {
                std::thread::sleep(Duration::from_millis(50));
                saved.store(true, Ordering::SeqCst);
            });
            let mut diags = Diagnostics::new();
            let paths =
                run_units(&units, &NoStore, &Nowhere, Some(&schedule), Some(&paused), &|| {}, &mut diags).unwrap();
            assert_eq!(paths, vec![Vec::<String>::new(); 2]);
        });
        drop(units);
        assert!(ran.into_inner().unwrap().is_empty(), "no unit ran");
        assert!(started.elapsed() < LATE_UNITS_PAUSE / 2, "the build did not wait out the pause");
    }
}
