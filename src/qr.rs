//! QR codes for the short web address of an output: the module matrix, shared by the web pages
//! (`render::html::qr_svg`) and the PDF engine (`pdf::qr`).
//!
//! Pure (a memo of encoded addresses saves repeating the work). Never decides which address a
//! code points to; callers pass it in.

use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};

use qrcode::{Color, EcLevel, QrCode};

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
/// None when it cannot be encoded. Only the size is worked out, from the data's length: no
/// modules are placed and no mask is chosen (for `check`, which draws no code).
pub fn qr_width(text: &str) -> Option<usize> {
    let bits = qrcode::bits::encode_auto(text.as_bytes(), EcLevel::M).ok()?;
    usize::try_from(bits.version().width()).ok()
}

/// A code's outline: the size [`qr_matrix`] gives `text`, every module light. For `check`,
/// where a code is laid out and never drawn.
pub fn qr_blank(text: &str) -> Option<QrMatrix> {
    qr_width(text).map(|width| QrMatrix { width, dark: vec![false; width * width] })
}

/// How many encoded addresses [`qr_matrix`] keeps (a few for each policy of a large library).
const MAX_REMEMBERED: usize = 20_000;

fn encode(text: &str) -> Option<QrMatrix> {
    let code = QrCode::with_error_correction_level(text.as_bytes(), EcLevel::M).ok()?;
    let dark = code.to_colors().into_iter().map(|c| c == Color::Dark).collect();
    Some(QrMatrix { width: code.width(), dark })
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
    fn the_size_alone_is_the_size_of_the_code() {
        // Every length an address takes (each small version's limit crossed), then a few up to
        // past the largest code, which cannot be encoded.
        let mut text = String::from("https://www.example.nhs.uk/leaflets/");
        while text.len() < 2400 {
            if text.len() < 300 || text.len() % 97 == 0 {
                let full = encode(&text).map(|m| m.width);
                assert_eq!(qr_width(&text), full, "at {} bytes", text.len());
                assert_eq!(qr_blank(&text).map(|m| (m.width, m.dark.len())), full.map(|w| (w, w * w)));
            }
            text.push(char::from(b'a' + (text.len() % 26) as u8));
        }
        assert_eq!(qr_width(&text), None);
    }
}
