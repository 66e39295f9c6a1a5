//! Booklet imposition as a pure transform of laid-out pages: A5 pages placed two to a side on
//! A4 landscape sheets in booklet order, so a ward can print double-sided (flip on the short
//! edge), stack the sheets, fold them in half and staple them.
//!
//! The structure tree is kept in the leaflet's reading order (written with
//! `tagging::finish_in_tree_order`): only where each item sits changes, so the booklet stays
//! tagged and reads in order for assistive technology, even though the pages of a sheet are not
//! consecutive. Each side draws its lower-numbered page first, so on every sheet side the tag
//! tree and the drawing agree.

use rustc_hash::FxHashMap;

use super::layout::{Item, Kid, Layout, Page};

/// The booklet order of `pages` pages (a multiple of 4): per sheet, the front side's left and
/// right page, then the back side's left and right page, 1-based. For n pages, sheet 1 front
/// is [n, 1], sheet 1 back is [2, n-1], sheet 2 front is [n-2, 3], and so on.
pub fn booklet_order(pages: usize) -> Vec<[usize; 2]> {
    debug_assert!(pages.is_multiple_of(4));
    let mut sides = Vec::with_capacity(pages / 2);
    for sheet in 0..pages / 4 {
        let low = 2 * sheet + 1;
        let high = pages - 2 * sheet;
        sides.push([high, low]);
        sides.push([low + 1, high - 1]);
    }
    sides
}

/// The leaflet's pages padded with blank pages to a multiple of 4: the blanks go just before
/// `back_from` (the first page of the back cover), so the back cover stays on the outside.
/// Each entry is a page index of the leaflet, or None for a blank page.
pub fn padded_sequence(pages: usize, back_from: usize) -> Vec<Option<usize>> {
    let blanks = (4 - pages % 4) % 4;
    let back_from = back_from.min(pages);
    let mut sequence: Vec<Option<usize>> = (0..back_from).map(Some).collect();
    sequence.extend(std::iter::repeat_n(None, blanks));
    sequence.extend((back_from..pages).map(Some));
    sequence
}

/// Moves an item right by `dx` points.
fn shifted(item: &Item, dx: f32) -> Item {
    let mut item = item.clone();
    match &mut item {
        Item::Text { x, .. }
        | Item::Rect { x, .. }
        | Item::Image { x, .. }
        | Item::Path { x, .. }
        | Item::Link { x, .. } => *x += dx,
        Item::Rule { x1, x2, .. } => {
            *x1 += dx;
            *x2 += dx;
        }
    }
    item
}

/// Imposes the leaflet `layout` onto sheets of `sheet` size (width, height), two pages side
/// by side and centred, in the booklet order of `sequence` (from [`padded_sequence`]).
pub fn impose(layout: &Layout, sequence: &[Option<usize>], sheet: (f32, f32)) -> Layout {
    let (page_w, _) = layout.page_size;
    let left_x = ((sheet.0 - 2.0 * page_w) / 2.0).max(0.0);
    let mut pages = Vec::new();
    // (old page, old item) -> (new page, new item); page index old -> new for anchors.
    let mut moved: FxHashMap<(usize, usize), (usize, usize)> = FxHashMap::default();
    let mut page_to_side: FxHashMap<usize, usize> = FxHashMap::default();
    for side in booklet_order(sequence.len()) {
        let index = pages.len();
        let mut page = Page::default();
        // The lower page number is drawn first, so each side draws in reading order.
        let mut slots: Vec<(usize, usize)> = side.into_iter().enumerate().collect();
        slots.sort_by_key(|(_, number)| *number);
        for (slot, number) in slots {
            let Some(Some(old)) = sequence.get(number - 1) else {
                continue;
            };
            page_to_side.insert(*old, index);
            let dx = left_x + slot as f32 * page_w;
            for (i, item) in layout.pages[*old].items.iter().enumerate() {
                moved.insert((*old, i), (index, page.items.len()));
                page.items.push(shifted(item, dx));
            }
        }
        pages.push(page);
    }
    // The A5 leaflet's drawing order is its reading order: the booklet's tag tree keeps it.
    let mut tree = layout.tree.clone();
    for (elem, kids) in tree.iter_mut().zip(super::tagging::kids_in_drawing_order(layout)) {
        elem.kids = kids;
    }
    for elem in &mut tree {
        for kid in &mut elem.kids {
            if let Kid::Item { page, item } = kid
                && let Some(&(p, i)) = moved.get(&(*page, *item))
            {
                *page = p;
                *item = i;
            }
        }
    }
    let anchors = layout
        .anchors
        .iter()
        .filter_map(|(k, (page, y))| page_to_side.get(page).map(|p| (k.clone(), (*p, *y))))
        .collect();
    Layout {
        page_size: sheet,
        pages,
        tree,
        anchors,
        outline: layout.outline.clone(),
        missing: layout.missing.clone(),
        problems: layout.problems.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn booklet_order_of_eight_pages() {
        assert_eq!(booklet_order(8), vec![[8, 1], [2, 7], [6, 3], [4, 5]]);
        assert_eq!(booklet_order(4), vec![[4, 1], [2, 3]]);
    }

    /// How a double-sided printer turns the back of a sheet, as the print dialog names it.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    enum Flip {
        /// Turned over about a short edge: for a landscape sheet, the left or right edge.
        ShortEdge,
        /// Turned over about a long edge: for a landscape sheet, the top or bottom edge.
        LongEdge,
    }

    /// Where the printer puts a point (x, y) of a back side (the PDF's own coordinates: x to the
    /// right, y down, on a landscape sheet `w` by `h`), in the frame of the front side: the back
    /// is printed so that it reads the right way up when the sheet is turned over about the
    /// edge the setting names.
    fn printed_at(flip: Flip, (x, y): (f32, f32), (w, h): (f32, f32)) -> (f32, f32) {
        match flip {
            Flip::ShortEdge => (w - x, y),
            Flip::LongEdge => (x, h - y),
        }
    }

    /// Where a reader sees a point of the front's frame on the back once they have folded the
    /// sheet down the middle and turned it over as a booklet's pages turn: about the fold, which
    /// runs from the top edge to the bottom edge.
    fn seen_by_reader((x, y): (f32, f32), (w, _): (f32, f32)) -> (f32, f32) {
        (w - x, y)
    }

    /// The booklet is printed double-sided with "flip on short edge": then the back of every
    /// page is the page that follows it (page 2 behind the cover, page n-1 behind the back
    /// cover, and so on into the centre spread), and every back side reads the right way up.
    /// On the usual "flip on long edge" setting every back side would come out upside down,
    /// which is why the booklet's index entry and first sheet say to flip on the short edge.
    #[test]
    fn booklet_sheets_print_the_right_way_up_only_when_flipped_on_the_short_edge() {
        let sheet = (841.9, 595.3);
        let half = sheet.0 / 2.0;
        for pages in [4, 8, 12, 16] {
            let sides = booklet_order(pages);
            for s in 0..pages / 4 {
                let (front, back) = (sides[2 * s], sides[2 * s + 1]);
                for (slot, back_page) in back.iter().enumerate() {
                    let centre = ((slot as f32 + 0.5) * half, sheet.1 / 2.0);
                    let above = (centre.0, centre.1 - 50.0);
                    // Short edge: which front page each back page is printed behind.
                    let at = printed_at(Flip::ShortEdge, centre, sheet);
                    let front_page = front[usize::from(at.0 > half)];
                    let (recto, verso) = (front_page.min(*back_page), front_page.max(*back_page));
                    assert!(
                        recto % 2 == 1 && verso == recto + 1,
                        "{pages} pages: page {back_page} behind page {front_page}"
                    );
                    // And it reads the right way up: what is above the centre stays above it.
                    let seen = |flip| {
                        let c = seen_by_reader(printed_at(flip, centre, sheet), sheet);
                        let a = seen_by_reader(printed_at(flip, above, sheet), sheet);
                        a.1 < c.1
                    };
                    assert!(seen(Flip::ShortEdge), "{pages} pages: page {back_page} upside down");
                    assert!(!seen(Flip::LongEdge), "flipped on the long edge, page {back_page} would be upside down");
                }
            }
        }
    }

    #[test]
    fn padding_goes_before_the_back_cover() {
        assert_eq!(padded_sequence(6, 5), vec![Some(0), Some(1), Some(2), Some(3), Some(4), None, None, Some(5)]);
        assert_eq!(padded_sequence(4, 3), vec![Some(0), Some(1), Some(2), Some(3)]);
        assert_eq!(padded_sequence(5, 4).len(), 8);
    }
}
