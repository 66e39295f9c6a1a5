//! policypress compiles NHS policies, each written once in Markdown with YAML front matter, into
//! four audience outputs (staff intranet, patient leaflet, easy read, ward poster) as HTML and PDF.
//!
//! One pipeline; each stage is a function of its inputs, and only the first and the last touch
//! the disk. The modules below are listed in pipeline order:
//!
//! 1. **load** ([`load::load_project`]): read settings, policies, pictures and theme overrides;
//! 2. **parse** ([`parse::parse_project`]): text to the document model ([`model`]);
//! 3. **resolve** ([`resolve::resolve`]): one view per policy and audience; audience filtering
//!    happens here and nowhere else;
//! 4. **audiences** ([`audience::render_library`]): each audience's rules, web pages and PDF
//!    design turn its views into files in memory, using what all audiences share ([`render`]:
//!    HTML and templates; [`pdf`]: the PDF engine; [`readability`]; [`qr`]);
//! 5. **write** ([`write::write_output`]): replace `output/` in one swap, only when there are no
//!    errors.
//!
//! [`build`] runs stages 1 to 4; the command line (`main.rs`) and [`live`] preview write after it.

// Shared by every stage.
pub mod diag;
pub mod model;

// The stages, in order.
pub mod audience;
pub mod load;
pub mod parse;
pub mod resolve;
pub mod write;

// The build cache between renders and the disk.
pub mod cache;

// What the audiences share.
pub mod pdf;
pub mod qr;
pub mod readability;
pub mod render;

// Running builds.
pub mod build;
pub mod live;
pub mod starter;
pub mod terminal;
pub mod translations;
