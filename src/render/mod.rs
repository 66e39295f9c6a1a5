//! What every audience's web pages share: blocks to escaped HTML, the Tera templates, sitemaps, and the
//! theme's colours as CSS.
//!
//! Pure: never writes to disk (that is `write`), never chooses blocks (that is `resolve`), and
//! knows no audience's pages (those are in `audience`).

pub mod html;
pub mod sitemap;
pub mod templates;
pub mod theme_css;
