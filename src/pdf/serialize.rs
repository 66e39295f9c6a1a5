//! Writes a finished PDF object graph out as bytes: the classic file layout (header, every
//! object in number order, a cross-reference table, the trailer), plus objects the tagging pass
//! has already written as bytes (the structure tree's elements, which a 20-page policy has
//! hundreds of). Also the one number format of the engine's output, shared with the content
//! streams.
//!
//! Writes what it is given: never adds, drops or reorders an object, and never compresses.
//! lopdf's own writer does the same job through a `dyn Write` per token and was a twelfth of a
//! library build; this one appends to one buffer.

use lopdf::{Dictionary, Document, Object, StringFormat};

/// An object already written as bytes (its body, without `n 0 obj` and `endobj`).
pub struct RawObject {
    /// Its object number (generation 0).
    pub id: u32,
    /// Its body.
    pub body: Vec<u8>,
}

/// The whole file: `doc`'s objects and `raw` (whose numbers `doc` does not use), in number order.
pub fn save(doc: &Document, mut raw: Vec<RawObject>) -> Vec<u8> {
    raw.sort_by_key(|r| r.id);
    let mut out = Vec::with_capacity(256 * 1024);
    out.extend_from_slice(b"%PDF-");
    out.extend_from_slice(doc.version.as_bytes());
    // Four bytes above 127 after the header say the file is binary (ISO 32000-1, 7.5.2).
    out.extend_from_slice(b"\n%\xE2\xE3\xCF\xD3\n");
    let size = doc.max_id.max(raw.last().map_or(0, |r| r.id)) as usize + 1;
    let mut offsets: Vec<Option<(usize, u16)>> = vec![None; size];
    let mut raw = raw.into_iter().peekable();
    let mut from_doc = doc.objects.iter().peekable();
    loop {
        let next_raw = raw.peek().map(|r| r.id);
        let next_doc = from_doc.peek().map(|((id, _), _)| *id);
        let take_raw = match (next_raw, next_doc) {
            (Some(r), Some(d)) => r < d,
            (Some(_), None) => true,
            (None, Some(_)) => false,
            (None, None) => break,
        };
        if take_raw {
            let Some(object) = raw.next() else { break };
            if let Some(slot) = offsets.get_mut(object.id as usize) {
                *slot = Some((out.len(), 0));
            }
            object_header(&mut out, object.id, 0);
            out.extend_from_slice(&object.body);
        } else {
            let Some((&(id, generation), object)) = from_doc.next() else { break };
            if let Some(slot) = offsets.get_mut(id as usize) {
                *slot = Some((out.len(), generation));
            }
            object_header(&mut out, id, generation);
            write_object(&mut out, object);
        }
        out.extend_from_slice(b"\nendobj\n");
    }
    let xref_start = out.len();
    out.extend_from_slice(b"xref\n0 ");
    push_int(&mut out, size as i64);
    out.extend_from_slice(b"\n0000000000 65535 f \n");
    for slot in offsets.iter().skip(1) {
        // Every entry is 20 bytes, the offset and generation zero-padded.
        match slot {
            Some((offset, generation)) => {
                push_padded(&mut out, *offset as u64, 10);
                out.push(b' ');
                push_padded(&mut out, u64::from(*generation), 5);
                out.extend_from_slice(b" n \n");
            }
            None => out.extend_from_slice(b"0000000000 65535 f \n"),
        }
    }
    let mut trailer = doc.trailer.clone();
    trailer.set("Size", size as i64);
    out.extend_from_slice(b"trailer\n");
    write_dictionary(&mut out, &trailer);
    out.extend_from_slice(b"\nstartxref\n");
    push_int(&mut out, xref_start as i64);
    out.extend_from_slice(b"\n%%EOF");
    out
}

fn object_header(out: &mut Vec<u8>, id: u32, generation: u16) {
    push_int(out, i64::from(id));
    out.push(b' ');
    push_int(out, i64::from(generation));
    out.extend_from_slice(b" obj\n");
}

/// An integer in decimal.
pub fn push_int(out: &mut Vec<u8>, value: i64) {
    out.extend_from_slice(itoa::Buffer::new().format(value).as_bytes());
}

/// A real number as the engine writes every number: at most four decimals (a ten-thousandth
/// of a point, far finer than any screen or printer shows), no trailing zeros, never an
/// exponent (PDF reads none), whole numbers as integers, and 0 for what is not a number.
pub fn push_number(out: &mut Vec<u8>, value: f32) {
    let scaled = f64::from(value) * 10_000.0;
    if !scaled.is_finite() || scaled.abs() >= 1e17 {
        // Never drawn (an infinite or enormous coordinate is a bug upstream); still valid PDF.
        if scaled.is_finite() {
            let _ = std::io::Write::write_fmt(out, format_args!("{value:.0}"));
        } else {
            out.push(b'0');
        }
        return;
    }
    // Rounded half away from zero, as `f64::round` does, without its library call (a number is
    // written for every coordinate and kerning step): the integer part, then the fraction,
    // which subtracting the integer part leaves exact.
    let whole = scaled as i64;
    let rest = scaled - whole as f64;
    let scaled = if rest >= 0.5 {
        whole + 1
    } else if rest <= -0.5 {
        whole - 1
    } else {
        whole
    };
    // Written right to left into a buffer, then added at once: at most 17 digits, a point
    // and a sign.
    let mut buffer = [0u8; 24];
    let mut at = buffer.len();
    let magnitude = scaled.unsigned_abs();
    let (mut whole, mut fraction) = (magnitude / 10_000, magnitude % 10_000);
    if fraction != 0 {
        let mut digits = 4;
        while fraction % 10 == 0 {
            fraction /= 10;
            digits -= 1;
        }
        for _ in 0..digits {
            at -= 1;
            buffer[at] = b'0' + (fraction % 10) as u8;
            fraction /= 10;
        }
        at -= 1;
        buffer[at] = b'.';
    }
    loop {
        at -= 1;
        buffer[at] = b'0' + (whole % 10) as u8;
        whole /= 10;
        if whole == 0 {
            break;
        }
    }
    if scaled < 0 {
        at -= 1;
        buffer[at] = b'-';
    }
    out.extend_from_slice(&buffer[at..]);
}

/// An unsigned integer in decimal, zero-padded on the left to at least `width` digits.
fn push_padded(out: &mut Vec<u8>, value: u64, width: usize) {
    let mut buffer = itoa::Buffer::new();
    let text = buffer.format(value);
    out.extend(std::iter::repeat_n(b'0', width.saturating_sub(text.len())));
    out.extend_from_slice(text.as_bytes());
}

/// A name, with the bytes PDF does not allow bare written as `#xx`.
pub fn push_name(out: &mut Vec<u8>, name: &[u8]) {
    out.push(b'/');
    for &byte in name {
        if b" \t\n\r\x0C()<>[]{}/%#".contains(&byte) || !(33..=126).contains(&byte) {
            out.push(b'#');
            push_hex_byte(out, byte);
        } else {
            out.push(byte);
        }
    }
}

fn push_hex_byte(out: &mut Vec<u8>, byte: u8) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    out.push(HEX[usize::from(byte >> 4)]);
    out.push(HEX[usize::from(byte & 15)]);
}

/// A string: a literal ([`push_literal_bytes`] inside parentheses), or hexadecimal.
pub fn push_string(out: &mut Vec<u8>, bytes: &[u8], format: StringFormat) {
    match format {
        StringFormat::Literal => {
            out.push(b'(');
            push_literal_bytes(out, bytes);
            out.push(b')');
        }
        StringFormat::Hexadecimal => {
            out.push(b'<');
            for &byte in bytes {
                push_hex_byte(out, byte);
            }
            out.push(b'>');
        }
    }
}

/// The inside of a literal string: `bytes` with `\\`, both parentheses and carriage returns
/// escaped (a bare carriage return would read back as a line feed).
pub fn push_literal_bytes(out: &mut Vec<u8>, bytes: &[u8]) {
    for &byte in bytes {
        match byte {
            b'(' | b')' | b'\\' => out.extend_from_slice(&[b'\\', byte]),
            b'\r' => out.extend_from_slice(b"\\r"),
            _ => out.push(byte),
        }
    }
}

/// A reference: `n g R`.
pub fn push_reference(out: &mut Vec<u8>, (id, generation): (u32, u16)) {
    push_int(out, i64::from(id));
    out.push(b' ');
    push_int(out, i64::from(generation));
    out.extend_from_slice(b" R");
}

/// Whether `object` starts with a letter or digit, so it needs a space after a name or number.
fn needs_space_before(object: &Object) -> bool {
    matches!(object, Object::Null | Object::Boolean(_) | Object::Integer(_) | Object::Real(_) | Object::Reference(_))
}

/// Writes one object.
pub fn write_object(out: &mut Vec<u8>, object: &Object) {
    match object {
        Object::Null => out.extend_from_slice(b"null"),
        Object::Boolean(true) => out.extend_from_slice(b"true"),
        Object::Boolean(false) => out.extend_from_slice(b"false"),
        Object::Integer(value) => push_int(out, *value),
        Object::Real(value) => push_number(out, *value),
        Object::Name(name) => push_name(out, name),
        Object::String(bytes, format) => push_string(out, bytes, *format),
        Object::Array(items) => {
            out.push(b'[');
            for (n, item) in items.iter().enumerate() {
                if n > 0 {
                    out.push(b' ');
                }
                write_object(out, item);
            }
            out.push(b']');
        }
        Object::Dictionary(dict) => write_dictionary(out, dict),
        Object::Stream(stream) => {
            let mut dict = stream.dict.clone();
            dict.set("Length", stream.content.len() as i64);
            write_dictionary(out, &dict);
            out.extend_from_slice(b"\nstream\n");
            out.extend_from_slice(&stream.content);
            out.extend_from_slice(b"\nendstream");
        }
        Object::Reference(id) => push_reference(out, *id),
    }
}

fn write_dictionary(out: &mut Vec<u8>, dict: &Dictionary) {
    out.extend_from_slice(b"<<");
    for (key, value) in dict {
        push_name(out, key);
        if needs_space_before(value) {
            out.push(b' ');
        }
        write_object(out, value);
    }
    out.extend_from_slice(b">>");
}

#[cfg(test)]
mod tests {
    use super::*;

    fn number(value: f32) -> String {
        let mut out = Vec::new();
        push_number(&mut out, value);
        String::from_utf8(out).expect("ascii")
    }

    #[test]
    fn numbers_have_at_most_four_decimals_and_read_back_within_half_a_ten_thousandth() {
        assert_eq!(number(0.0), "0");
        assert_eq!(number(-0.0), "0");
        assert_eq!(number(11.5), "11.5");
        assert_eq!(number(-17.0), "-17");
        assert_eq!(number(56.692_917), "56.6929");
        assert_eq!(number(0.129_411_77), "0.1294");
        assert_eq!(number(0.000_04), "0");
        assert_eq!(number(-0.000_06), "-0.0001");
        // A tie (2^-5 is 312.5 ten-thousandths exactly) rounds away from zero.
        assert_eq!(number(0.031_25), "0.0313");
        assert_eq!(number(-0.031_25), "-0.0313");
        assert_eq!(number(1_024.031_3), "1024.0313");
        // Beyond the fixed-point range: the float's exact whole value, still without an exponent.
        assert_eq!(number(1e20), "100000002004087734272");
        assert_eq!(number(f32::NAN), "0");
        assert_eq!(number(f32::INFINITY), "0");
        // Every 9,973rd bit pattern of the floats up to 10^6 (coordinates, sizes, kerning) and
        // their negatives.
        let mut bits = 0u32;
        while f32::from_bits(bits) < 1e6 {
            for value in [f32::from_bits(bits), -f32::from_bits(bits)] {
                let text = number(value);
                assert!(!text.contains(['e', 'E']) && !text.ends_with('.'), "{value:?}: {text}");
                if let Some((_, decimals)) = text.split_once('.') {
                    assert!(decimals.len() <= 4 && !decimals.ends_with('0'), "{value:?}: {text}");
                }
                let back: f64 = text.parse().expect("a number");
                assert!((back - f64::from(value)).abs() <= 0.000_050_1, "{value:?}: {text}");
            }
            bits += 9973;
        }
    }

    #[test]
    fn names_and_strings_escape_what_pdf_does_not_allow_bare() {
        let mut out = Vec::new();
        push_name(&mut out, b"A B#(");
        push_string(&mut out, b"a(b)\\c\rd", StringFormat::Literal);
        push_string(&mut out, &[0xFE, 0xFF, 0, 65], StringFormat::Hexadecimal);
        assert_eq!(out, b"/A#20B#23#28(a\\(b\\)\\\\c\\rd)<FEFF0041>".to_vec());
    }

    #[test]
    fn a_saved_document_reads_back_with_every_object() {
        let mut doc = Document::with_version("1.7");
        let pages = doc.new_object_id();
        let raw_id = doc.new_object_id();
        let catalog = doc.add_object(Object::Dictionary(Dictionary::from_iter(vec![
            ("Type", Object::Name(b"Catalog".to_vec())),
            ("Pages", Object::Reference(pages)),
            ("Extra", Object::Reference(raw_id)),
        ])));
        doc.objects.insert(
            pages,
            Object::Dictionary(Dictionary::from_iter(vec![
                ("Type", Object::Name(b"Pages".to_vec())),
                ("Kids", Object::Array(vec![])),
                ("Count", Object::Integer(0)),
            ])),
        );
        doc.trailer.set("Root", Object::Reference(catalog));
        let bytes = save(&doc, vec![RawObject { id: raw_id.0, body: b"<</Answer 42/Pi 3.1416>>".to_vec() }]);
        let back = Document::load_mem(&bytes).expect("reads back");
        let extra = back.get_dictionary(raw_id).expect("the raw object");
        assert_eq!(extra.get(b"Answer").and_then(Object::as_i64).ok(), Some(42));
        assert_eq!(back.get_dictionary(pages).and_then(|d| d.get(b"Count")).and_then(Object::as_i64).ok(), Some(0));
        assert!(bytes.ends_with(b"%%EOF"));
    }
}
