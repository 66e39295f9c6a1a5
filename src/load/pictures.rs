//! Pictures under `content/`: every PNG and JPEG is decoded once, fully, as the project is
//! loaded. A damaged or truncated file is then a problem the parse stage reports where the
//! picture is used, and the PDFs draw the pixels decoded here: nothing decodes a picture again,
//! so no damaged data can slip through to print as a grey box.
//!
//! Decodes only; never reads files (the load stage hands in the bytes) and never decides what is
//! an error for the author.

use std::collections::BTreeMap;
use std::sync::Arc;

use rayon::prelude::*;

/// The most pixels a picture may have: a 50-megapixel photo decodes to 200 MB, more than any
/// printed page needs (an A3 page at 300 dpi is 17 megapixels). Checked before decoding, from
/// the file's header, so a small file that claims to be huge (a decompression bomb) costs
/// nothing.
pub const MAX_PIXELS: u64 = 50_000_000;

/// How the decoded samples are laid out, 8 bits each.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PictureColor {
    /// One grey sample per pixel.
    Gray,
    /// Grey and alpha.
    GrayAlpha,
    /// Red, green, blue.
    Rgb,
    /// Red, green, blue, alpha.
    Rgba,
}

/// A decoded picture.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Picture {
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// The sample layout.
    pub color: PictureColor,
    /// Samples, row by row.
    pub pixels: Vec<u8>,
}

/// Why a picture cannot be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PictureProblem {
    /// Not PNG or JPEG data at all, whatever its name says.
    NotPngOrJpeg,
    /// The data is damaged or cut short; the decoder's words.
    Damaged(String),
    /// More than [`MAX_PIXELS`].
    TooLarge {
        /// Width in pixels, as the header says.
        width: u64,
        /// Height in pixels, as the header says.
        height: u64,
    },
}

/// Every picture's decoding, by path relative to `content/`.
pub type Pictures = BTreeMap<String, Result<Arc<Picture>, PictureProblem>>;

/// Decodes every picture (in parallel; each independently).
pub fn decode_all(images: &BTreeMap<String, Vec<u8>>) -> Pictures {
    images.par_iter().map(|(path, bytes)| (path.clone(), decode(bytes).map(Arc::new))).collect()
}

/// Decodes one PNG or JPEG file, fully.
pub fn decode(bytes: &[u8]) -> Result<Picture, PictureProblem> {
    if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        decode_png(bytes)
    } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        decode_jpeg(bytes)
    } else {
        Err(PictureProblem::NotPngOrJpeg)
    }
}

fn check_size(width: u64, height: u64) -> Result<(), PictureProblem> {
    if width.saturating_mul(height) > MAX_PIXELS {
        return Err(PictureProblem::TooLarge { width, height });
    }
    Ok(())
}

fn decode_png(bytes: &[u8]) -> Result<Picture, PictureProblem> {
    use image::ImageDecoder;
    let damaged = |e: image::ImageError| PictureProblem::Damaged(e.to_string());
    let decoder = image::codecs::png::PngDecoder::new(std::io::Cursor::new(bytes)).map_err(damaged)?;
    let (width, height) = decoder.dimensions();
    check_size(u64::from(width), u64::from(height))?;
    let image = image::DynamicImage::from_decoder(decoder).map_err(damaged)?;
    // Samples of more than 8 bits are brought down to 8: print shows no difference.
    let (color, pixels) = match image {
        image::DynamicImage::ImageLuma8(i) => (PictureColor::Gray, i.into_raw()),
        image::DynamicImage::ImageLumaA8(i) => (PictureColor::GrayAlpha, i.into_raw()),
        image::DynamicImage::ImageRgb8(i) => (PictureColor::Rgb, i.into_raw()),
        image::DynamicImage::ImageRgba8(i) => (PictureColor::Rgba, i.into_raw()),
        image::DynamicImage::ImageLuma16(_) => (PictureColor::Gray, image.to_luma8().into_raw()),
        image::DynamicImage::ImageLumaA16(_) => (PictureColor::GrayAlpha, image.to_luma_alpha8().into_raw()),
        image::DynamicImage::ImageRgb16(_) | image::DynamicImage::ImageRgb32F(_) => {
            (PictureColor::Rgb, image.to_rgb8().into_raw())
        }
        _ => (PictureColor::Rgba, image.to_rgba8().into_raw()),
    };
    Ok(Picture { width, height, color, pixels })
}

fn decode_jpeg(bytes: &[u8]) -> Result<Picture, PictureProblem> {
    use zune_core::bytestream::ZCursor;
    use zune_core::colorspace::ColorSpace;
    use zune_core::options::DecoderOptions;
    let damaged = |e: zune_jpeg::errors::DecodeErrors| PictureProblem::Damaged(e.to_string());
    // Strict: data cut short or corrupt is an error, where a lenient decoder (browsers, the
    // `image` crate) fills the rest with grey and says nothing.
    let decode_with = |strict: bool| -> Result<Picture, PictureProblem> {
        let options =
            DecoderOptions::default().set_strict_mode(strict).set_max_width(usize::MAX).set_max_height(usize::MAX);
        let mut decoder = zune_jpeg::JpegDecoder::new_with_options(ZCursor::new(bytes), options);
        decoder.decode_headers().map_err(damaged)?;
        let (width, height) = decoder.dimensions().ok_or_else(|| PictureProblem::Damaged("no frame".into()))?;
        check_size(width as u64, height as u64)?;
        let input = decoder.input_colorspace().unwrap_or(ColorSpace::RGB);
        let (out, color) = match input {
            ColorSpace::Luma => (ColorSpace::Luma, PictureColor::Gray),
            ColorSpace::LumaA => (ColorSpace::LumaA, PictureColor::GrayAlpha),
            ColorSpace::RGBA => (ColorSpace::RGBA, PictureColor::Rgba),
            _ => (ColorSpace::RGB, PictureColor::Rgb),
        };
        decoder.set_options(decoder.options().jpeg_set_out_colorspace(out));
        let pixels = decoder.decode().map_err(damaged)?;
        let expected = width * height * out.num_components();
        if pixels.len() != expected {
            return Err(PictureProblem::Damaged(format!("{} bytes of pixels, {expected} expected", pixels.len())));
        }
        Ok(Picture { width: width as u32, height: height as u32, color, pixels })
    };
    match decode_with(true) {
        // Padding between the header segments, which some cameras write, is harmless.
        Err(PictureProblem::Damaged(why)) if why.contains("Extra bytes between headers") => decode_with(false),
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn png(width: u32, height: u32) -> Vec<u8> {
        let image = image::RgbImage::from_pixel(width, height, image::Rgb([10, 20, 30]));
        let mut out = Vec::new();
        image.write_to(&mut std::io::Cursor::new(&mut out), image::ImageFormat::Png).unwrap();
        out
    }

    fn jpeg(width: u32, height: u32) -> Vec<u8> {
        let image = image::RgbImage::from_fn(width, height, |x, y| image::Rgb([(x * 7) as u8, (y * 5) as u8, 128]));
        let mut out = Vec::new();
        image::codecs::jpeg::JpegEncoder::new(&mut out).encode_image(&image).unwrap();
        out
    }

    #[test]
    fn a_whole_picture_decodes_to_its_pixels() {
        let p = decode(&png(3, 2)).unwrap();
        assert_eq!((p.width, p.height, p.color, p.pixels.len()), (3, 2, PictureColor::Rgb, 18));
        let j = decode(&jpeg(64, 48)).unwrap();
        assert_eq!((j.width, j.height, j.color, j.pixels.len()), (64, 48, PictureColor::Rgb, 64 * 48 * 3));
    }

    #[test]
    fn a_truncated_or_corrupt_jpeg_is_damaged_not_grey() {
        let whole = jpeg(256, 256);
        let cut = &whole[..whole.len() * 2 / 3];
        assert!(matches!(decode(cut), Err(PictureProblem::Damaged(_))), "{:?}", decode(cut).map(|p| p.width));
        let mut corrupt = whole.clone();
        let middle = corrupt.len() / 2;
        for b in &mut corrupt[middle..middle + 64] {
            *b = 0xFF;
        }
        assert!(decode(&corrupt).is_err(), "corrupt data is not drawn");
    }

    #[test]
    fn a_truncated_png_is_damaged() {
        let whole = png(300, 300);
        assert!(matches!(decode(&whole[..whole.len() - 20]), Err(PictureProblem::Damaged(_))));
        assert_eq!(decode(b"GIF89a...."), Err(PictureProblem::NotPngOrJpeg));
    }

    #[test]
    fn a_picture_that_claims_too_many_pixels_is_refused_before_decoding() {
        // A PNG header saying 100,000 x 100,000 pixels, with no pixel data at all.
        let mut bomb = png(1, 1);
        bomb[16..20].copy_from_slice(&100_000u32.to_be_bytes());
        bomb[20..24].copy_from_slice(&100_000u32.to_be_bytes());
        let crc = crc32(&bomb[12..29]);
        bomb[29..33].copy_from_slice(&crc.to_be_bytes());
        assert_eq!(decode(&bomb), Err(PictureProblem::TooLarge { width: 100_000, height: 100_000 }));
    }

    fn crc32(data: &[u8]) -> u32 {
        let mut crc = 0xFFFF_FFFFu32;
        for &b in data {
            crc ^= u32::from(b);
            for _ in 0..8 {
                crc = if crc & 1 != 0 { (crc >> 1) ^ 0xEDB8_8320 } else { crc >> 1 };
            }
        }
        !crc
    }
}
