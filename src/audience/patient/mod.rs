//! The patient audience: the leaflet's web page ([`page`]) and PDFs ([`pdf`]), and here its
//! readability checks (STANDARDS, "Patient information leaflet"): SMOG per
//! leaflet and per section, long sentences and long paragraphs, each located `file:line`.
//!
//! Pure. Measures with `readability`; decides the thresholds and words the findings. The checks
//! render nothing: that is [`page`] and [`pdf`].

pub mod page;
pub mod pdf;

use crate::diag::{Diagnostics, Location, excerpt};
use crate::readability::{self, SentenceKind};
use crate::resolve::AudienceView;

/// A SMOG grade above this is a warning.
pub const SMOG_WARN: f64 = 12.0;
/// With `--strict`, a SMOG grade above this is an error.
pub const SMOG_STRICT_ERROR: f64 = 14.0;
/// Sentences longer than this many words are a warning.
pub const SENTENCE_WORDS: usize = 20;
/// Paragraphs of more sentences than this are a warning.
pub const PARAGRAPH_SENTENCES: usize = 3;

/// A leaflet's scores, for the build summary.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct LeafletScores {
    /// Policy id.
    pub id: String,
    /// SMOG grade of the whole leaflet.
    pub smog: f64,
    /// Flesch–Kincaid grade of the whole leaflet.
    pub flesch_kincaid: f64,
    /// Words in the leaflet.
    pub words: usize,
    /// SMOG grade of each section (heading text, grade).
    pub sections: Vec<(String, f64)>,
}

/// Measures a patient view and reports what breaks the leaflet rules.
pub fn check_leaflet(view: &AudienceView, strict: bool, diags: &mut Diagnostics) -> LeafletScores {
    let report = readability::analyse(&view.blocks);
    let first_line = view.blocks.first().map_or(1, |b| b.line);
    let location = Location::new(&view.source, first_line, 1);
    if strict && report.smog > SMOG_STRICT_ERROR {
        diags
            .error(
                location,
                format!(
                    "the patient leaflet reads at SMOG grade {:.1}; with --strict the limit is {SMOG_STRICT_ERROR}",
                    report.smog
                ),
            )
            .hint("use shorter sentences and everyday words of one or two syllables");
    } else if report.smog > SMOG_WARN {
        diags
            .warning(
                location,
                format!("the patient leaflet reads at SMOG grade {:.1}; aim for {SMOG_WARN} or below", report.smog),
            )
            .hint("use shorter sentences and everyday words of one or two syllables");
    }
    for sentence in report.sentences.iter().filter(|s| s.kind == SentenceKind::Prose && s.words > SENTENCE_WORDS) {
        diags
            .warning(
                Location::new(&view.source, sentence.line, 1),
                format!(
                    "a sentence of {} words in the patient leaflet; keep sentences to {SENTENCE_WORDS} words or fewer",
                    sentence.words
                ),
            )
            .hint(format!("split it: \"{}\"", excerpt(&sentence.text)));
    }
    for paragraph in report.paragraphs.iter().filter(|p| p.sentences > PARAGRAPH_SENTENCES) {
        diags
            .warning(
                Location::new(&view.source, paragraph.line, 1),
                format!(
                    "a paragraph of {} sentences in the patient leaflet; keep paragraphs to {PARAGRAPH_SENTENCES}",
                    paragraph.sentences
                ),
            )
            .hint("break it into shorter paragraphs, or use a bulleted list");
    }
    LeafletScores {
        id: view.id.clone(),
        smog: report.smog,
        flesch_kincaid: report.flesch_kincaid,
        words: report.words,
        sections: readability::analyse_sections(&view.blocks)
            .into_iter()
            .filter(|s| !s.report.is_empty())
            .map(|s| (if s.heading.is_empty() { "(introduction)".to_string() } else { s.heading }, s.report.smog))
            .collect(),
    }
}
