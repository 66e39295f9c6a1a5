//! The page templates (Tera): loading the theme's templates, and filling one with the site-wide
//! values every page gets. Errors point at the template file, line and column.
//!
//! Knows no audience: each audience's pages bring their own small view structs.

use serde::Serialize;

use crate::diag::{Diagnostics, Location};
use crate::load::Project;
use crate::load::theme::Theme;
use crate::model::Artifact;

/// A page's result: the file, or where the template failed and why.
pub type PageResult = Result<Artifact, (Location, String)>;

/// Loads every template of the theme into Tera. A broken template (for example in a theme
/// override) is reported against its file.
pub fn load_templates(theme: &Theme, theme_name: &str, diags: &mut Diagnostics) -> Option<tera::Tera> {
    let mut tera = tera::Tera::new();
    // Added together, because templates refer to each other (extends, include).
    let templates: Vec<(String, String)> = theme
        .files_under("templates/")
        .map(|(path, bytes)| (path["templates/".len()..].to_string(), String::from_utf8_lossy(bytes).into_owned()))
        .collect();
    match tera.add_raw_templates(templates) {
        Ok(()) => Some(tera),
        Err(e) => {
            let text = one_line(&e);
            let location = template_location(&text, theme_name)
                .unwrap_or_else(|| Location::file_start(&format!("themes/{theme_name}/templates")));
            diags
                .error(location, format!("a template does not compile: {}", tera_reason(&text)))
                .hint("fix the template, or delete the override to use the built-in one");
            None
        }
    }
}

/// Where Tera says the problem is (`--> name:line:col` in its message), as a theme file location.
fn template_location(message: &str, theme_name: &str) -> Option<Location> {
    let after = message.split("--> ").nth(1)?;
    let spot = after.split_whitespace().next()?;
    let mut parts = spot.rsplitn(3, ':');
    let col = parts.next()?.parse().ok()?;
    let line = parts.next()?.parse().ok()?;
    let name = parts.next()?;
    Some(Location::new(&format!("themes/{theme_name}/templates/{name}"), line, col))
}

/// Tera's message without its source excerpt (the location is given separately).
fn tera_reason(message: &str) -> String {
    let reason = message.split(" --> ").next().unwrap_or(message);
    reason.trim_start_matches("error: ").trim().to_string()
}

fn one_line(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Site-wide values every page template gets as `site`.
#[derive(Serialize)]
struct SiteInfo<'a> {
    title: &'a str,
    organisation: &'a str,
    language: &'a str,
    /// The accessibility statement, from the site's root.
    accessibility: &'static str,
    /// True on the public site (`output/public/`), whose pages never link to intranet pages.
    public: bool,
    /// The logo for the header, when the project has one.
    logo: Option<LogoInfo<'a>>,
}

#[derive(Serialize)]
struct LogoInfo<'a> {
    src: &'static str,
    alt: &'a str,
}

/// Renders one template with `site`, `root` and the given values; errors become diagnostics.
pub struct PageRenderer<'a> {
    tera: &'a tera::Tera,
    site: SiteInfo<'a>,
    theme_name: &'a str,
}

impl<'a> PageRenderer<'a> {
    /// A renderer for the intranet site (`output/`).
    pub fn new(tera: &'a tera::Tera, project: &'a Project) -> Self {
        Self::for_site(tera, project, false)
    }

    /// A renderer for the public site (`output/public/`): its pages' shared links (home,
    /// accessibility statement) stay inside it.
    pub fn public(tera: &'a tera::Tera, project: &'a Project) -> Self {
        Self::for_site(tera, project, true)
    }

    fn for_site(tera: &'a tera::Tera, project: &'a Project, public: bool) -> Self {
        let c = &project.config;
        let logo = project.logo.as_ref().map(|l| LogoInfo { src: l.asset_path(), alt: &l.alt });
        let accessibility = if public { "accessibility.html" } else { "staff/accessibility.html" };
        PageRenderer {
            tera,
            site: SiteInfo {
                title: &c.title,
                organisation: &c.organisation,
                language: &c.language,
                accessibility,
                public,
                logo,
            },
            theme_name: &c.theme,
        }
    }

    /// Fills `template` for a page at depth `root` ("" or "../") with `values` merged in.
    pub fn render(&self, template: &str, root: &str, values: &impl Serialize) -> Result<String, (Location, String)> {
        self.render_in(template, root, values, None)
    }

    /// [`PageRenderer::render`] for a page in `lang` (a translation; `None`: the site's
    /// language): the page gets that `lang` (and `dir="rtl"` when it is written right to left),
    /// and its furniture in the site's language (header, breadcrumbs, footer) says so, as
    /// `furniture_lang`, so screen readers switch voice.
    pub fn render_in(
        &self,
        template: &str,
        root: &str,
        values: &impl Serialize,
        lang: Option<&str>,
    ) -> Result<String, (Location, String)> {
        let mut context = tera::Context::from_serialize(values).map_err(|e| self.fail(template, &e))?;
        context.insert("site", &self.site);
        context.insert("root", root);
        let page_lang = lang.unwrap_or(self.site.language);
        let rtl = crate::model::languages::is_rtl(page_lang);
        context.insert("page_lang", page_lang);
        context.insert("page_rtl", &rtl);
        let furniture = match lang {
            Some(_) => {
                let dir = if crate::model::languages::is_rtl(self.site.language) { "rtl" } else { "ltr" };
                format!(" lang=\"{}\" dir=\"{dir}\"", crate::render::html::escape(self.site.language))
            }
            None => String::new(),
        };
        context.insert("furniture_lang", &furniture);
        self.tera.render(template, &context).map_err(|e| self.fail(template, &e))
    }

    fn fail(&self, template: &str, e: &dyn std::error::Error) -> (Location, String) {
        let text = one_line(e);
        let location = template_location(&text, self.theme_name)
            .unwrap_or_else(|| Location::file_start(&format!("themes/{}/templates/{template}", self.theme_name)));
        (location, format!("the template `{template}` failed: {}", tera_reason(&text)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn template_errors_are_located_where_tera_says() {
        let message = "error: Unknown template `x.html` --> staff/index.html:3:37 | 3 | {% include \"x.html\" %}";
        assert_eq!(
            template_location(message, "house"),
            Some(Location::new("themes/house/templates/staff/index.html", 3, 37))
        );
        assert_eq!(tera_reason(message), "Unknown template `x.html`");
        assert_eq!(template_location("no location here", "house"), None);
    }
}
