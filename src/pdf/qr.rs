//! QR codes as vector squares for the PDF engine: [`crate::qr`] gives the module matrix (shared
//! with the web pages), and each horizontal run of dark modules becomes one filled rectangle
//! item, so the code stays sharp at any print size and needs no picture.
//!
//! Pure: no disk, no PDF objects. The symbol is drawn with its 4-module quiet zone (a white
//! square under it), as ISO/IEC 18004 requires for reliable scanning.

use super::layout::{Item, Tag};
use super::settings::Rgb;
pub use crate::qr::QUIET_ZONE;
use crate::qr::{QrMatrix, qr_matrix, qr_width};

/// Modules per side of the code of `data`, quiet zone included; None when it cannot be encoded.
/// From the data's length alone: the modules are not needed to know it.
pub fn modules_with_quiet_zone(data: &str) -> Option<usize> {
    qr_width(data).map(|width| width + 2 * QUIET_ZONE)
}

/// The items that draw the QR code of `data` as a square of side `size` (quiet zone included)
/// with its top-left corner at (x, y): a white background, then one rectangle per run of dark
/// modules. Every item carries `tag`. None when the data cannot be encoded.
pub fn items(data: &str, x: f32, y: f32, size: f32, color: Rgb, tag: Tag) -> Option<Vec<Item>> {
    qr_matrix(data).map(|matrix| matrix_items(&matrix, x, y, size, color, tag))
}

/// The items that draw an already encoded `matrix`, as [`items`] does.
pub fn matrix_items(matrix: &QrMatrix, x: f32, y: f32, size: f32, color: Rgb, tag: Tag) -> Vec<Item> {
    let (width, dark) = (matrix.width, &matrix.dark);
    let total = matrix.width_with_quiet_zone();
    let module = size / total as f32;
    let mut out = vec![Item::Rect { x, y, w: size, h: size, fill: Some(Rgb(0xFFFFFF)), stroke: None, tag }];
    for row in 0..width {
        let mut col = 0;
        while col < width {
            if !dark[row * width + col] {
                col += 1;
                continue;
            }
            let start = col;
            while col < width && dark[row * width + col] {
                col += 1;
            }
            out.push(Item::Rect {
                x: x + (start + QUIET_ZONE) as f32 * module,
                y: y + (row + QUIET_ZONE) as f32 * module,
                w: (col - start) as f32 * module,
                // A hair taller than a module, so rows touch without a seam in any viewer;
                // the last row keeps its size, so the quiet zone stays clear.
                h: if row + 1 < width { module + 0.05 } else { module },
                fill: Some(color),
                stroke: None,
                tag,
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn items_fill_the_requested_square() {
        let items = items("https://x.nhs.uk/", 10.0, 20.0, 80.0, Rgb(0), Tag::Artifact).expect("encodes");
        let Item::Rect { x, y, w, h, .. } = items[0] else { panic!("background first") };
        assert_eq!((x, y, w, h), (10.0, 20.0, 80.0, 80.0));
        for item in &items[1..] {
            let Item::Rect { x, y, w, .. } = *item else { panic!("rects only") };
            assert!(x >= 10.0 && x + w <= 90.01 && (20.0..=100.0).contains(&y));
        }
    }
}
