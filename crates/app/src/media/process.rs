//! Turning an uploaded photo into the copies convene serves.
//!
//! The file's kind is read from its bytes; its size in pixels is read from
//! its header and checked before any pixel is decoded, and the decoder runs
//! under allocation limits, so a small file that claims a huge image (a
//! decompression bomb) is refused cheaply. The photo is turned upright by its
//! EXIF orientation and then re-encoded from its pixels alone: the stored
//! copies carry no EXIF, GPS, XMP or other metadata.

use convene_domain::InvalidInput;
use convene_domain::media::{
    MAX_PHOTO_PIXELS, MAX_PHOTO_SIDE, check_photo_dimensions, check_photo_file,
};
use image::{DynamicImage, ImageDecoder, ImageReader, Limits};
use std::io::Cursor;

/// The copies kept of every photo: name and longest side in pixels.
pub const VARIANTS: [(&str, u32); 3] = [("large", 2048), ("medium", 1024), ("small", 400)];

/// One stored copy.
#[derive(Debug, Clone)]
pub struct Variant {
    /// large, medium or small.
    pub name: &'static str,
    /// Encoded bytes.
    pub bytes: Vec<u8>,
    /// Width.
    pub width: u32,
    /// Height.
    pub height: u32,
}

/// A decoded, cleaned photo.
#[derive(Debug, Clone)]
pub struct Processed {
    /// jpeg, or png for images with transparency.
    pub format: &'static str,
    /// Largest first.
    pub variants: Vec<Variant>,
}

impl Processed {
    /// The file extension of the stored copies.
    pub fn extension(&self) -> &'static str {
        if self.format == "png" { "png" } else { "jpg" }
    }
}

fn unreadable(detail: impl std::fmt::Display) -> InvalidInput {
    InvalidInput::new(
        "photo",
        format!(
            "This image cannot be read ({detail}). Export it again as JPEG, PNG or WebP and upload that."
        ),
    )
}

/// Checks, decodes and re-encodes `bytes` into the served copies. Runs for
/// a while on a large photo: call it off the async threads.
pub fn process_photo(bytes: &[u8]) -> Result<Processed, InvalidInput> {
    process_with_sizes(bytes, &VARIANTS)
}

/// As [`process_photo`], with other sizes (embed thumbnails keep one).
pub fn process_with_sizes(
    bytes: &[u8],
    sizes: &[(&'static str, u32)],
) -> Result<Processed, InvalidInput> {
    let format = check_photo_file(bytes)?;
    let mut reader = ImageReader::new(Cursor::new(bytes));
    reader.set_format(match format {
        convene_domain::media::PhotoFormat::Jpeg => image::ImageFormat::Jpeg,
        convene_domain::media::PhotoFormat::Png => image::ImageFormat::Png,
        convene_domain::media::PhotoFormat::WebP => image::ImageFormat::WebP,
    });
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_PHOTO_SIDE);
    limits.max_image_height = Some(MAX_PHOTO_SIDE);
    // Four bytes a pixel, plus room for the decoder's own buffers.
    limits.max_alloc = Some(MAX_PHOTO_PIXELS * 4 + 64 * 1024 * 1024);
    reader.limits(limits);
    let mut decoder = reader.into_decoder().map_err(|e| match e {
        image::ImageError::Limits(_) => dimensions_from_header(bytes),
        other => unreadable(other),
    })?;
    let (width, height) = decoder.dimensions();
    check_photo_dimensions(width, height)?;
    let orientation = decoder
        .orientation()
        .unwrap_or(image::metadata::Orientation::NoTransforms);
    let mut image = DynamicImage::from_decoder(decoder).map_err(unreadable)?;
    image.apply_orientation(orientation);
    let alpha = image.color().has_alpha() && has_transparency(&image);
    let mut variants = Vec::with_capacity(sizes.len());
    let mut source = image;
    for &(name, side) in sizes {
        let resized = if source.width().max(source.height()) > side {
            source.resize(side, side, image::imageops::FilterType::Triangle)
        } else {
            source.clone()
        };
        let bytes = encode(&resized, alpha)?;
        variants.push(Variant {
            name,
            bytes,
            width: resized.width(),
            height: resized.height(),
        });
        // Each smaller copy is made from the one before: quicker, and the
        // same result to the eye.
        source = resized;
    }
    Ok(Processed {
        format: if alpha { "png" } else { "jpeg" },
        variants,
    })
}

/// The refusal for an image the decoder would not even start on: the
/// header's size is named when it can be read.
fn dimensions_from_header(bytes: &[u8]) -> InvalidInput {
    match image::ImageReader::new(Cursor::new(bytes))
        .with_guessed_format()
        .ok()
        .and_then(|r| r.into_dimensions().ok())
    {
        Some((w, h)) => check_photo_dimensions(w, h)
            .err()
            .unwrap_or_else(|| unreadable("it needs more memory to decode than a photo may use")),
        None => unreadable("it claims a size larger than a photo may have"),
    }
}

fn has_transparency(image: &DynamicImage) -> bool {
    match image {
        DynamicImage::ImageRgba8(i) => i.pixels().any(|p| p.0[3] < 255),
        DynamicImage::ImageLumaA8(i) => i.pixels().any(|p| p.0[1] < 255),
        other => other.to_rgba8().pixels().any(|p| p.0[3] < 255),
    }
}

fn encode(image: &DynamicImage, alpha: bool) -> Result<Vec<u8>, InvalidInput> {
    let mut out = Vec::new();
    if alpha {
        image
            .to_rgba8()
            .write_to(&mut Cursor::new(&mut out), image::ImageFormat::Png)
            .map_err(unreadable)?;
    } else {
        let rgb = image.to_rgb8();
        let encoder = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 85);
        rgb.write_with_encoder(encoder).map_err(unreadable)?;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn jpeg(w: u32, h: u32) -> Vec<u8> {
        let img = image::RgbImage::from_fn(w, h, |x, y| {
            image::Rgb([(x % 256) as u8, (y % 256) as u8, 90])
        });
        let mut out = Vec::new();
        img.write_to(&mut Cursor::new(&mut out), image::ImageFormat::Jpeg)
            .unwrap();
        out
    }

    #[test]
    fn a_photo_gets_three_sizes_in_proportion() {
        let p = process_photo(&jpeg(3000, 1500)).unwrap();
        assert_eq!(p.format, "jpeg");
        let sizes: Vec<(u32, u32)> = p.variants.iter().map(|v| (v.width, v.height)).collect();
        assert_eq!(sizes, vec![(2048, 1024), (1024, 512), (400, 200)]);
        for v in &p.variants {
            assert!(v.bytes.starts_with(&[0xFF, 0xD8, 0xFF]));
        }
    }

    #[test]
    fn small_photos_are_not_enlarged() {
        let p = process_photo(&jpeg(300, 200)).unwrap();
        assert!(p.variants.iter().all(|v| (v.width, v.height) == (300, 200)));
    }

    #[test]
    fn transparent_png_stays_png() {
        let img = image::RgbaImage::from_fn(40, 30, |x, _| image::Rgba([0, 0, 0, (x * 6) as u8]));
        let mut png = Vec::new();
        img.write_to(&mut Cursor::new(&mut png), image::ImageFormat::Png)
            .unwrap();
        let p = process_photo(&png).unwrap();
        assert_eq!(p.format, "png");
        assert_eq!(p.extension(), "png");
    }

    #[test]
    fn a_text_file_named_jpg_is_refused() {
        let err = process_photo(b"GIF89a or maybe just text, not a photo at all").unwrap_err();
        assert!(
            err.message.contains("not a JPEG, PNG or WebP"),
            "{}",
            err.message
        );
    }

    #[test]
    fn a_truncated_jpeg_is_refused_clearly() {
        let mut bytes = jpeg(200, 200);
        bytes.truncate(300);
        let err = process_photo(&bytes).unwrap_err();
        assert!(err.message.contains("cannot be read"), "{}", err.message);
    }
}
