//! The integration suite: one test binary (one link step), a module per area. Each test names
//! the rule of the spec or STANDARDS it checks. Fixture projects live in `tests/fixtures/`.

mod audience_sites;
mod audiences;
mod build_cache;
mod cli;
mod commonmark;
mod diagnostics;
mod format_rules;
mod harness;
mod live;
mod live_reuse;
mod mutation;
mod public_site;
mod staff_library;
mod staff_site;
mod translations;
