//! The staff body is CommonMark (spec section 3): what the CommonMark spec's examples expect,
//! for the constructs the conformance check (`scripts/commonmark-spec.py`, run in CI) found
//! wrong. Each test names the spec example it follows.

use crate::harness::{Fixture, build_in_memory};

/// The body of the staff page of a one-policy project whose staff text is `body`.
fn staff_body(body: &str) -> String {
    let fixture = Fixture::with_policy("a", "", body);
    std::fs::create_dir_all(fixture.path("content/images")).unwrap();
    std::fs::copy(
        crate::harness::repo_root().join("tests/fixtures/basic/content/images/ward.png"),
        fixture.path("content/images/x.png"),
    )
    .unwrap();
    let result = build_in_memory(&fixture.load(), false);
    assert!(!result.diagnostics.has_errors(), "{:?}", result.diagnostics);
    let page = result.artifacts.iter().find(|a| a.path == "staff/a.html").expect("the staff page");
    let html = String::from_utf8(page.bytes.clone()).unwrap();
    let start =
        html.find("<div class=\"policy-body\">").expect("the policy body") + "<div class=\"policy-body\">".len();
    let end = start + html[start..].find("\n</div>").unwrap();
    html[start..end].trim().to_string()
}

#[test]
fn a_first_level_1_heading_of_the_staff_body_is_kept_example_66() {
    let body = staff_body("# foo *bar* \\*baz\\*\n\nText.\n");
    assert!(body.contains(">foo <em>bar</em> *baz*</h2>"), "the heading is on the page, as level 2: {body}");
}

#[test]
fn a_staff_body_that_opens_with_the_policy_title_shows_it_once() {
    let body = staff_body("# Policy  A\n\n## Purpose\n\nText.\n");
    assert!(!body.contains("Policy  A") && !body.contains(">Policy A<"), "the title is the page's: {body}");
    assert!(body.starts_with("<h2 id=\"purpose\">Purpose</h2>"), "{body}");
}

#[test]
fn loose_list_items_are_paragraphs_and_tight_ones_are_not_examples_306_and_323() {
    let loose = staff_body("- foo\n\n- bar\n\n\n- baz\n");
    assert!(loose.contains("<li><p>foo</p>\n</li>\n<li><p>bar</p>"), "{loose}");
    let tight = staff_body("- a\n  - b\n\n    c\n- d\n");
    assert!(tight.contains("<li>a<ul>\n<li><p>b</p>\n<p>c</p>\n</li>\n</ul>\n</li>\n<li>d</li>"), "{tight}");
}

#[test]
fn email_autolinks_are_mailto_links_example_604() {
    let body = staff_body("<foo@bar.example.com>\n");
    assert_eq!(body, "<p><a href=\"mailto:foo@bar.example.com\">foo@bar.example.com</a></p>");
}

#[test]
fn headings_in_quotes_and_list_items_are_rebased_so_the_page_has_one_h1_examples_228_and_300() {
    let body = staff_body("> # Foo\n> bar\n\n- # Foo\n- Bar\n  ---\n  baz\n");
    assert!(!body.contains("<h1"), "the page title is the only level 1: {body}");
    assert!(body.contains("<blockquote>\n<h2 id=\"foo\">Foo</h2>"), "{body}");
    assert!(body.contains("<li><h2 id=\"foo-1\">Foo</h2>\n</li>\n<li><h3 id=\"bar\">Bar</h3>\nbaz</li>"), "{body}");
}

#[test]
fn a_fenced_code_blocks_info_string_names_its_language_example_142() {
    let body = staff_body("``` ruby startline=3 $%@#$\ndef foo(x)\n  return 3\nend\n```\n");
    assert_eq!(body, "<pre><code class=\"language-ruby\">def foo(x)\n  return 3\nend</code></pre>");
}

#[test]
fn blank_lines_at_the_end_of_a_code_block_are_kept_example_318() {
    let body = staff_body("- a\n- ```\n  b\n\n\n  ```\n- c\n");
    assert!(body.contains("<pre><code>b\n\n</code></pre>"), "{body}");
}

#[test]
fn link_and_image_titles_are_kept_and_escaped() {
    let body = staff_body("[a](https://x.example/ \"say \\\"hi\\\" & <b>\") ![A ward](images/x.png 'The ward')\n");
    assert!(
        body.contains("<a href=\"https://x.example/\" title=\"say &quot;hi&quot; &amp; &lt;b&gt;\">a</a>"),
        "{body}"
    );
    assert!(body.contains("alt=\"A ward\" title=\"The ward\">"), "{body}");
}

#[test]
fn a_heading_id_holding_markup_is_not_shown_as_text() {
    let body = staff_body("## Marked up {#\"><b>}\n\nText.\n");
    assert!(body.starts_with("<h2 id=\"marked-up\">Marked up</h2>"), "{body}");
}
