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
/// None when it cannot be encoded. For a layout that draws no code (`check`) and for sizing one
/// before it is drawn. An address (it has a character outside the QR alphanumeric set, so it
/// is encoded in byte mode) is sized from its length alone: encoding it was 5% of a `check`.
pub fn qr_width(text: &str) -> Option<usize> {
    if !text.bytes().any(is_byte_mode) {
        return qr_matrix(text).map(|m| m.width);
    }
    let version = BYTE_CAPACITY_M.iter().position(|&capacity| text.len() <= capacity)? + 1;
    Some(17 + 4 * version)
}

/// True for a byte outside the QR alphanumeric set (digits, capitals, space and `$%*+-./:`):
/// a text with one such byte is encoded in byte mode.
fn is_byte_mode(b: u8) -> bool {
    !matches!(b, b'0'..=b'9' | b'A'..=b'Z' | b' ' | b'$' | b'%' | b'*' | b'+' | b'-' | b'.' | b'/' | b':')
}

/// The bytes a code of each version (1 to 40) holds in byte mode at medium error correction
/// (ISO/IEC 18004, the table of data capacity); a version's code has 17 + 4 x version modules
/// per side.
const BYTE_CAPACITY_M: [usize; 40] = [
    14, 26, 42, 62, 84, 106, 122, 152, 180, 213, 251, 287, 331, 362, 412, 450, 504, 560, 624, 666, 711, 779, 857, 911,
    997, 1059, 1125, 1190, 1264, 1370, 1452, 1538, 1628, 1722, 1809, 1911, 1989, 2099, 2213, 2331,
];

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

    #[test]
    fn an_address_is_sized_from_its_length_as_the_encoder_sizes_it() {
        // Every length up to 300 bytes and both sides of every version's capacity, against the
        // encoder (one mask: the mask never changes the size).
        let of_length = |n: usize| "a".repeat(n);
        let encoded = |text: &str| {
            QRBuilder::new(text.as_bytes()).ecl(ECL::M).mask(fast_qr::Mask::Checkerboard).build().ok().map(|c| c.size)
        };
        let edges = BYTE_CAPACITY_M.iter().flat_map(|&c| [c, c + 1]);
        for n in (1..=300).chain(edges) {
            assert_eq!(qr_width(&of_length(n)), encoded(&of_length(n)), "{n} bytes");
        }
        // Digits and capitals are encoded more densely: sized by the encoder.
        assert_eq!(qr_width(&"1".repeat(41)), encoded(&"1".repeat(41)));
        assert_eq!(
            qr_width("HTTPS://WWW.EXAMPLE.NHS.UK/LEAFLETS/A-VERY-LONG-NAME"),
            qr_matrix("HTTPS://WWW.EXAMPLE.NHS.UK/LEAFLETS/A-VERY-LONG-NAME").map(|m| m.width)
        );
    }
}
