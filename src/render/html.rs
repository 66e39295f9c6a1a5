//! Turns a view's blocks into HTML fragments. Every piece of author text is escaped here, in one
//! place; nothing from a policy is ever passed through as markup.
//!
//! Pure. Knows nothing of page templates (that is `templates`) or of which blocks an audience gets
//! (that is `resolve`).

use pulldown_cmark_escape::{escape_href, escape_html, escape_html_body_text};

use crate::load::theme::Theme;
use crate::model::phone::{phone_numbers, tel_href};
use crate::model::{Align, Block, BlockKind, Inline, LinkTarget};
use crate::qr::{QUIET_ZONE, qr_matrix, qr_width};

/// What turning blocks into HTML needs besides the blocks.
pub struct HtmlContext<'a> {
    /// The theme, for icon SVGs.
    pub theme: &'a Theme,
    /// Relative path from the page to `output/` ("../" for audience pages).
    pub root: &'a str,
}

/// Escapes text for HTML element content and attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    escape_html(&mut out, text).expect("writing to a String cannot fail");
    out
}

/// The HTML of a sequence of blocks.
pub fn blocks_to_html(blocks: &[Block], ctx: &HtmlContext<'_>) -> String {
    let mut out = String::new();
    for block in blocks {
        block_html(&block.kind, ctx, &mut out);
    }
    out
}

/// The HTML of inline content.
pub fn inlines_to_html(inlines: &[Inline], ctx: &HtmlContext<'_>) -> String {
    let mut out = String::new();
    push_inlines(inlines, ctx, &mut out);
    out
}

fn block_html(kind: &BlockKind, ctx: &HtmlContext<'_>, out: &mut String) {
    match kind {
        BlockKind::Heading { level, content, anchor } => {
            out.push_str(&format!("<h{level} id=\"{}\">", escape(anchor)));
            push_inlines(content, ctx, out);
            out.push_str(&format!("</h{level}>\n"));
        }
        BlockKind::Paragraph(content) => {
            out.push_str("<p>");
            push_inlines(content, ctx, out);
            out.push_str("</p>\n");
        }
        BlockKind::List { start, tight, items } => {
            match start {
                Some(1) => out.push_str("<ol>\n"),
                Some(n) => out.push_str(&format!("<ol start=\"{n}\">\n")),
                None => out.push_str("<ul>\n"),
            }
            for item in items {
                out.push_str("<li>");
                // In a tight list (no blank lines between items) an item's text is not set as
                // paragraphs, as CommonMark renders it; a loose list's is.
                for b in item {
                    match b {
                        BlockKind::Paragraph(content) if *tight => push_inlines(content, ctx, out),
                        other => block_html(other, ctx, out),
                    }
                }
                out.push_str("</li>\n");
            }
            out.push_str(if start.is_some() { "</ol>\n" } else { "</ul>\n" });
        }
        BlockKind::Table { align, header, rows } => {
            let caption = header.first().map(|c| crate::model::plain_text(c)).unwrap_or_default();
            out.push_str(&format!("<div class=\"table-scroll\" role=\"region\" tabindex=\"0\" aria-label=\"Table: {}\">\n<table>\n<thead>\n<tr>", escape(&caption)));
            for (i, cell) in header.iter().enumerate() {
                out.push_str(&format!("<th scope=\"col\"{}>", align_attr(align.get(i))));
                push_inlines(cell, ctx, out);
                out.push_str("</th>");
            }
            out.push_str("</tr>\n</thead>\n<tbody>\n");
            for row in rows {
                out.push_str("<tr>");
                for (i, cell) in row.iter().enumerate() {
                    out.push_str(&format!("<td{}>", align_attr(align.get(i))));
                    push_inlines(cell, ctx, out);
                    out.push_str("</td>");
                }
                out.push_str("</tr>\n");
            }
            out.push_str("</tbody>\n</table>\n</div>\n");
        }
        BlockKind::Quote(blocks) => {
            out.push_str("<blockquote>\n");
            for b in blocks {
                block_html(b, ctx, out);
            }
            out.push_str("</blockquote>\n");
        }
        BlockKind::Code { language, text } => {
            match language {
                Some(language) => out.push_str(&format!("<pre><code class=\"language-{}\">", escape(language))),
                None => out.push_str("<pre><code>"),
            }
            escape_html_body_text(&mut *out, text).expect("writing to a String cannot fail");
            out.push_str("</code></pre>\n");
        }
        BlockKind::Rule => out.push_str("<hr>\n"),
    }
}

fn align_attr(align: Option<&Align>) -> &'static str {
    match align {
        Some(Align::Center) => " class=\"align-center\"",
        Some(Align::Right) => " class=\"align-right\"",
        _ => "",
    }
}

fn push_inlines(inlines: &[Inline], ctx: &HtmlContext<'_>, out: &mut String) {
    push_inlines_in(inlines, ctx, false, out);
}

/// Text with its phone numbers as `tel:` links (outside other links) that never break.
fn push_text(text: &str, in_link: bool, out: &mut String) {
    let mut at = 0;
    for range in phone_numbers(text) {
        escape_html_body_text(&mut *out, &text[at..range.start]).expect("writing to a String cannot fail");
        let number = &text[range.clone()];
        if in_link {
            out.push_str("<span class=\"tel\">");
        } else {
            out.push_str("<a class=\"tel\" href=\"");
            escape_href(&mut *out, &tel_href(number)).expect("writing to a String cannot fail");
            out.push_str("\">");
        }
        escape_html_body_text(&mut *out, number).expect("writing to a String cannot fail");
        out.push_str(if in_link { "</span>" } else { "</a>" });
        at = range.end;
    }
    escape_html_body_text(&mut *out, &text[at..]).expect("writing to a String cannot fail");
}

fn push_inlines_in(inlines: &[Inline], ctx: &HtmlContext<'_>, in_link: bool, out: &mut String) {
    let push_inlines = |c: &[Inline], out: &mut String| push_inlines_in(c, ctx, in_link, out);
    for inline in inlines {
        match inline {
            Inline::Text(t) => push_text(t, in_link, out),
            Inline::Emphasis(c) => {
                out.push_str("<em>");
                push_inlines(c, out);
                out.push_str("</em>");
            }
            Inline::Strong(c) => {
                out.push_str("<strong>");
                push_inlines(c, out);
                out.push_str("</strong>");
            }
            Inline::Code(c) => {
                out.push_str("<code>");
                escape_html_body_text(&mut *out, c).expect("writing to a String cannot fail");
                out.push_str("</code>");
            }
            Inline::Link { target, content, title, .. } => {
                out.push_str("<a href=\"");
                escape_href(&mut *out, &link_href(target)).expect("writing to a String cannot fail");
                out.push('"');
                push_title(title.as_deref(), out);
                out.push('>');
                push_inlines_in(content, ctx, true, out);
                out.push_str("</a>");
            }
            Inline::Image { path, alt, title } => {
                out.push_str(&format!("<img src=\"{}assets/content/", ctx.root));
                escape_href(&mut *out, path).expect("writing to a String cannot fail");
                out.push_str(&format!("\" alt=\"{}\"", escape(alt)));
                push_title(title.as_deref(), out);
                out.push('>');
            }
            Inline::Icon(name) => out.push_str(&icon_html(ctx.theme, name, None)),
            Inline::LineBreak => out.push_str("<br>\n"),
            Inline::Span { lang, content } => {
                out.push_str(&lang_attributes("span", lang));
                push_inlines(content, out);
                out.push_str("</span>");
            }
        }
    }
}

/// An opening tag with `lang` (escaped) and, for a right-to-left language, `dir="rtl"`, so the
/// browser shapes and orders the words and a screen reader reads them in their own language.
pub fn lang_attributes(element: &str, lang: &str) -> String {
    let dir = if crate::model::languages::is_rtl(lang) { " dir=\"rtl\"" } else { "" };
    format!("<{element} lang=\"{}\"{dir}>", escape(lang))
}

/// ` title="..."`, escaped, when there is a title.
fn push_title(title: Option<&str>, out: &mut String) {
    if let Some(title) = title.filter(|t| !t.is_empty()) {
        out.push_str(&format!(" title=\"{}\"", escape(title)));
    }
}

/// Where a link goes from a page of the same audience folder.
fn link_href(target: &LinkTarget) -> String {
    match target {
        LinkTarget::External(url) => url.clone(),
        LinkTarget::Section(fragment) => format!("#{fragment}"),
        LinkTarget::Policy { id, fragment: Some(f) } => format!("{id}.html#{f}"),
        LinkTarget::Policy { id, fragment: None } => format!("{id}.html"),
    }
}

/// An icon as inline SVG with an accessible name (what the theme says it shows), or hidden
/// from assistive technology when `label` is `Some("")` because the words beside it say it all.
pub fn icon_html(theme: &Theme, name: &str, label: Option<&str>) -> String {
    let svg = theme.icon_svg(name).unwrap_or_default();
    let svg = svg.trim().replacen("<svg", "<svg aria-hidden=\"true\" focusable=\"false\"", 1);
    let spoken = label.map(str::to_string).unwrap_or_else(|| theme.icon_description(name));
    if spoken.is_empty() {
        format!("<span class=\"icon\" aria-hidden=\"true\">{svg}</span>")
    } else {
        format!("<span class=\"icon\" role=\"img\" aria-label=\"{}\">{svg}</span>", escape(&spoken))
    }
}

/// The code as an inline SVG image, named for screen readers, quiet zone included; one path of
/// unit squares, so it scales to any size without blurring.
pub fn qr_svg(text: &str, label: &str) -> Option<String> {
    use std::fmt::Write;
    let matrix = qr_matrix(text)?;
    let mut path = String::new();
    for y in 0..matrix.width {
        for x in 0..matrix.width {
            if matrix.is_dark(x, y) {
                // Written in place: a string made per square was most of this function's time.
                let _ = write!(path, "M{} {}h1v1h-1z", x + QUIET_ZONE, y + QUIET_ZONE);
            }
        }
    }
    Some(qr_svg_of(matrix.width_with_quiet_zone(), label, &path))
}

/// [`qr_svg`] without the dark modules: the same element, its size from the data's length.
/// For `check`, which renders pages and writes none.
pub fn qr_svg_outline(text: &str, label: &str) -> Option<String> {
    let width = qr_width(text)?;
    Some(qr_svg_of(width + 2 * QUIET_ZONE, label, ""))
}

fn qr_svg_of(size: usize, label: &str, path: &str) -> String {
    format!(
        "<svg class=\"qr-code\" role=\"img\" aria-label=\"{}\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {size} {size}\" shape-rendering=\"crispEdges\"><rect width=\"{size}\" height=\"{size}\" fill=\"#fff\"/><path d=\"{path}\" fill=\"#000\"/></svg>",
        escape(label)
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::AudienceSet;

    fn render(kind: BlockKind) -> String {
        let theme = Theme::builtin();
        let ctx = HtmlContext { theme: &theme, root: "../" };
        blocks_to_html(&[Block { kind, audiences: AudienceSet::STAFF_ONLY, fence: 0, line: 1 }], &ctx)
    }

    #[test]
    fn author_text_is_escaped_never_passed_as_markup() {
        let html = render(BlockKind::Paragraph(vec![Inline::Text("<script>alert(1)</script> & \"x\"".into())]));
        assert!(!html.contains("<script>"), "{html}");
        assert!(html.contains("&lt;script&gt;"));
    }

    #[test]
    fn phone_numbers_are_whole_tel_links_and_stay_plain_inside_links() {
        let html = render(BlockKind::Paragraph(vec![Inline::Text("Call 0116 496 0123 & ask.".into())]));
        assert!(html.contains("Call <a class=\"tel\" href=\"tel:01164960123\">0116 496 0123</a> &amp; ask."), "{html}");
        let html = render(BlockKind::Paragraph(vec![Inline::Link {
            target: LinkTarget::External("tel:01164960123".into()),
            content: vec![Inline::Text("0116 496 0123".into())],
            title: None,
            at: (1, 1),
        }]));
        assert!(html.contains("<a href=\"tel:01164960123\"><span class=\"tel\">0116 496 0123</span></a>"), "{html}");
    }

    #[test]
    fn link_addresses_are_escaped() {
        let html = render(BlockKind::Paragraph(vec![Inline::Link {
            target: LinkTarget::External("https://x.uk/\"onmouseover=\"a".into()),
            content: vec![Inline::Text("x".into())],
            title: Some("\" onmouseover=\"alert(1)".into()),
            at: (1, 1),
        }]));
        assert!(!html.contains("\"onmouseover"), "{html}");
        assert!(html.contains("title=\"&quot; onmouseover=&quot;alert(1)\""), "the title is kept, escaped: {html}");
    }

    #[test]
    fn tight_list_items_have_no_paragraphs_and_loose_ones_do() {
        let items = vec![vec![BlockKind::Paragraph(vec![Inline::Text("a".into())])]; 2];
        let tight = render(BlockKind::List { start: None, tight: true, items: items.clone() });
        assert_eq!(tight, "<ul>\n<li>a</li>\n<li>a</li>\n</ul>\n");
        let loose = render(BlockKind::List { start: None, tight: false, items });
        assert_eq!(loose, "<ul>\n<li><p>a</p>\n</li>\n<li><p>a</p>\n</li>\n</ul>\n");
    }

    #[test]
    fn code_keeps_its_language_as_a_class() {
        let html = render(BlockKind::Code { language: Some("ruby\"<".into()), text: "x".into() });
        assert_eq!(html, "<pre><code class=\"language-ruby&quot;&lt;\">x</code></pre>\n");
    }

    #[test]
    fn icons_render_as_inline_svg_with_a_name() {
        let html = render(BlockKind::Paragraph(vec![Inline::Icon("camera-off".into())]));
        assert!(html.contains("role=\"img\" aria-label=\"camera off\""), "{html}");
        assert!(html.contains("<svg aria-hidden=\"true\""));
    }

    #[test]
    fn svg_has_quiet_zone_and_accessible_name() {
        let svg = qr_svg("https://x.nhs.uk/p.html", "QR code for x.nhs.uk/p.html").unwrap();
        assert!(svg.contains("role=\"img\" aria-label=\"QR code for x.nhs.uk/p.html\""));
        let m = qr_matrix("https://x.nhs.uk/p.html").unwrap();
        assert!(svg.contains(&format!("viewBox=\"0 0 {0} {0}\"", m.width + 8)));
    }
}
