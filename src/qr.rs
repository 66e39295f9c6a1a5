//! QR codes for the short web address of an output: the module matrix, shared by the web pages
//! (`render::html::qr_svg`) and the PDF engine (`pdf::qr`).
//!
//! Pure (a memo of encoded addresses saves repeating the work). Never decides which address a
//! code points to; callers pass it in.

use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};

use fast_qr::{ECL, QRBuilder};

/// Light modules around the code that scanners need (the QR standard asks for 4).
pub const QUIET_ZONE: usize = 4;

/// The dark and light modules of a QR code, row by row, without the quiet zone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QrMatrix {
    /// Modules per side.
    pub width: usize,
    /// `width * width` modules, true for dark.
    pub dark: Vec<bool>,
}

impl QrMatrix {
    /// Whether the module at column `x`, row `y` is dark.
    pub fn is_dark(&self, x: usize, y: usize) -> bool {
        self.dark[y * self.width + x]
    }

    /// Modules per side including the quiet zone on both sides.
    pub fn width_with_quiet_zone(&self) -> usize {
        self.width + 2 * QUIET_ZONE
    }
}

/// Encodes `text` (medium error correction, which survives a scuffed ward poster). Each address
/// is encoded once per process: the same address is printed on a policy's leaflet, large print,
/// booklet, posters and web pages, and choosing the mask (scoring all eight) is most of the cost.
pub fn qr_matrix(text: &str) -> Option<QrMatrix> {
    static ENCODED: OnceLock<Mutex<HashMap<String, Option<QrMatrix>>>> = OnceLock::new();
    let memo = ENCODED.get_or_init(Default::default);
    if let Some(found) = memo.lock().unwrap_or_else(|e| e.into_inner()).get(text) {
        return found.clone();
    }
    let matrix = encode(text);
    let mut memo = memo.lock().unwrap_or_else(|e| e.into_inner());
    // A long-running preview meets new addresses as policies are added and renamed: bounded.
    if memo.len() >= MAX_REMEMBERED {
        memo.clear();
    }
    memo.insert(text.to_string(), matrix.clone());
    matrix
}

/// The modules per side of `text`'s code (without the quiet zone), as [`qr_matrix`] makes it;
/// None when it cannot be encoded. For `check`, which draws no code: the code is made (and
/// remembered for the build that follows), a tenth of a millisecond.
pub fn qr_width(text: &str) -> Option<usize> {
    qr_matrix(text).map(|m| m.width)
}

/// A code's outline: the size [`qr_matrix`] gives `text`, every module light. For `check`,
/// where a code is laid out and never drawn.
pub fn qr_blank(text: &str) -> Option<QrMatrix> {
    qr_width(text).map(|width| QrMatrix { width, dark: vec![false; width * width] })
}

/// How many encoded addresses [`qr_matrix`] keeps (a few for each policy of a large library).
const MAX_REMEMBERED: usize = 20_000;

fn encode(text: &str) -> Option<QrMatrix> {
    let code = QRBuilder::new(text.as_bytes()).ecl(ECL::M).build().ok()?;
    let width = code.size;
    let dark = (0..width).flat_map(|y| code[y][..width].iter().map(|module| module.value())).collect();
    Some(QrMatrix { width, dark })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matrix_is_square_and_has_finder_patterns() {
        let m = qr_matrix("https://intranet.example.nhs.uk/policies/patient/a.html").unwrap();
        assert_eq!(m.dark.len(), m.width * m.width);
        // The top-left finder pattern: a dark 7x7 ring.
        assert!(m.is_dark(0, 0) && m.is_dark(6, 0) && m.is_dark(0, 6) && !m.is_dark(1, 1));
    }

    #[test]
    fn a_longer_address_gets_the_next_size_of_code_and_a_too_long_one_none() {
        // Medium error correction, bytes: versions 3, 4 and 5 hold 42, 62 and 84 bytes.
        let of_length = |n: usize| format!("https://www.example.nhs.uk/{}", "a".repeat(n - 27));
        for (bytes, width) in [(42, 29), (43, 33), (62, 33), (63, 37), (84, 37), (85, 41)] {
            assert_eq!(qr_width(&of_length(bytes)), Some(width), "{bytes} bytes");
            let blank = qr_blank(&of_length(bytes)).expect("a code");
            assert_eq!((blank.width, blank.dark.iter().filter(|d| **d).count()), (width, 0));
        }
        // Version 40 holds 2,331 bytes at this level.
        assert_eq!(qr_width(&of_length(2331)), Some(177));
        assert_eq!(qr_width(&of_length(2332)), None);
    }
}
