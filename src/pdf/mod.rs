//! The PDF engine: our own layout over printpdf. Knows pages, type, pictures and tags, never an
//! audience: each audience's document design (in `crate::audience`) drives it.
//!
//! Stages, each its own module:
//! - [`settings`]: paper, margins, type scale, colours (data; each design brings its own);
//! - [`fonts`]: faces from the theme, shaping with kerning, fallback, subsetting;
//! - [`layout`]: blocks to pages of positioned, tagged items (pure, dumpable as text);
//! - [`wordwrap`]: line breaks that never split a word (easy read, posters);
//! - [`svg`]: SVG pictures (icons, the logo) read with usvg into vector shapes, with every
//!   element it cannot draw reported; [`qr`]: QR codes as vector squares;
//! - [`impose`]: pages placed two-up on sheets in booklet order;
//! - [`writer`]: the only module that uses printpdf;
//! - [`tagging`]: the lopdf pass that adds the structure tree, bookmarks, `/Lang`, the XMP
//!   metadata (PDF/UA-1 identification) and `/ID`;
//! - [`serialize`]: the finished object graph written out as bytes (and the engine's one
//!   number format).
//!
//! Pure: reads nothing from disk and never the clock; the same layout gives the same bytes.

pub mod fonts;
pub mod impose;
pub mod layout;
pub mod qr;
pub mod serialize;
pub mod settings;
pub mod svg;
pub mod tagging;
pub mod wordwrap;
pub mod writer;
