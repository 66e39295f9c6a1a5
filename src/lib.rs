//! policypress compiles NHS policies, each written once in Markdown with YAML front matter, into
//! four audience outputs (staff intranet, patient leaflet, easy read, ward poster) as HTML and PDF.
//!
//! One pipeline, five stages, each a function of its inputs; only the first and last touch the disk:
//!
//! 1. **load** ([`project::load_project`]): read settings, policies, pictures and theme overrides;
//! 2. **parse** ([`parse::parse_project`]): text to the document model ([`model`]);
//! 3. **resolve** ([`resolve::resolve`]): one view per policy and audience; audience filtering
//!    happens here and nowhere else;
//! 4. **render** ([`render::render_library`]): views to HTML and PDF bytes in memory;
//! 5. **write** ([`output::write_output`]): replace `output/` in one swap, only when there are no errors.
//!
//! [`pipeline`] runs stages 2 to 4; the command line (`main.rs`) runs 1 and 5 around it.

pub mod config;
pub mod contrast;
pub mod dates;
pub mod diag;
pub mod easy_read;
pub mod front_matter;
pub mod leaflet;
pub mod model;
pub mod output;
pub mod parse;
pub mod pdf;
pub mod pipeline;
pub mod poster;
pub mod project;
pub mod qr;
pub mod readability;
pub mod render;
pub mod resolve;
pub mod serve;
pub mod starter;
pub mod theme;
pub mod watch;
