//! Turning an uploaded photo into the copies convene serves.
//!
//! The file's kind is read from its bytes; its size in pixels is read from
//! its header and checked before any pixel is decoded, and the decoder runs
//! under allocation limits, so a small file that claims a huge image (a
//! decompression bomb) is refused cheaply. The photo is turned upright by its
//! EXIF orientation and then re-encoded from its pixels alone: the stored
//! copies carry no EXIF, GPS, XMP or other metadata.
//!
//! A JPEG is decoded straight to the smallest scale (1/2, 1/4 or 1/8 of its
//! size, by scaling in the inverse DCT) that still covers the largest copy
//! kept, so a 49-megapixel photo never exists at full size in memory; other
//! formats are decoded whole. Decoding happens at most
//! [`decode_slots`] at a time in the whole process, whoever asks.

use convene_domain::InvalidInput;
use convene_domain::media::{
    MAX_PHOTO_PIXELS, MAX_PHOTO_SIDE, check_photo_dimensions, check_photo_file,
};
use image::metadata::Orientation;
use image::{DynamicImage, ImageDecoder, ImageReader, Limits};
use std::io::Cursor;
use std::sync::LazyLock;
use std::sync::atomic::{AtomicUsize, Ordering};
use tokio::sync::Semaphore;

/// Photos decoded at once in this process. Kept process-wide because the
/// limit is on this process's memory, shared by every upload and every
/// embed thumbnail, however the services were built.
static DECODE_SLOTS: LazyLock<Semaphore> = LazyLock::new(|| Semaphore::new(decode_slots()));

/// Decodes running now, and the most seen at once (for the tests).
static DECODES_RUNNING: AtomicUsize = AtomicUsize::new(0);
static DECODES_PEAK: AtomicUsize = AtomicUsize::new(0);

/// How many photos may be decoded at once: one per core, at most four
/// (a large PNG or WebP still takes a few hundred megabytes to decode).
pub fn decode_slots() -> usize {
    std::thread::available_parallelism()
        .map_or(1, std::num::NonZero::get)
        .clamp(1, 4)
}

/// [`process_with_sizes`] on a blocking thread, once one of the
/// [`decode_slots`] is free: callers past the limit wait their turn.
pub async fn process_in_turn(
    bytes: Vec<u8>,
    sizes: &'static [(&'static str, u32)],
) -> crate::AppResult<Processed> {
    let _permit = DECODE_SLOTS
        .acquire()
        .await
        .map_err(|e| crate::AppError::Internal(e.to_string()))?;
    let processed = tokio::task::spawn_blocking(move || {
        let running = DECODES_RUNNING.fetch_add(1, Ordering::SeqCst) + 1;
        DECODES_PEAK.fetch_max(running, Ordering::SeqCst);
        let result = process_with_sizes(&bytes, sizes);
        DECODES_RUNNING.fetch_sub(1, Ordering::SeqCst);
        result
    })
    .await
    .map_err(|e| crate::AppError::Internal(format!("photo processing stopped: {e}")))??;
    Ok(processed)
}

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
    let largest = sizes.iter().map(|&(_, side)| side).max().unwrap_or(0);
    if format == convene_domain::media::PhotoFormat::Jpeg
        && let Some(decoded) = decode_jpeg_scaled(bytes, largest)?
    {
        return resize_and_encode(decoded, sizes);
    }
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
    let orientation = decoder.orientation().unwrap_or(Orientation::NoTransforms);
    let image = DynamicImage::from_decoder(decoder).map_err(unreadable)?;
    resize_and_encode(Decoded { image, orientation }, sizes)
}

/// Pixels as decoded, and how to turn them upright.
struct Decoded {
    image: DynamicImage,
    orientation: Orientation,
}

/// Decodes a JPEG at the smallest IDCT scale whose longest side is still
/// at least `longest` pixels. `None` for the JPEGs this decoder leaves to
/// the general one (CMYK, 16-bit).
fn decode_jpeg_scaled(bytes: &[u8], longest: u32) -> Result<Option<Decoded>, InvalidInput> {
    let mut decoder = jpeg_decoder::Decoder::new(Cursor::new(bytes));
    decoder
        .read_info()
        .map_err(|e| unreadable(jpeg_error(&e)))?;
    let Some(info) = decoder.info() else {
        return Err(unreadable("it has no image header"));
    };
    check_photo_dimensions(u32::from(info.width), u32::from(info.height))?;
    if !matches!(
        info.pixel_format,
        jpeg_decoder::PixelFormat::L8 | jpeg_decoder::PixelFormat::RGB24
    ) {
        return Ok(None);
    }
    let target = u16::try_from(longest.max(1)).unwrap_or(u16::MAX);
    let (width, height) = decoder
        .scale(target, target)
        .map_err(|e| unreadable(jpeg_error(&e)))?;
    // Room for the decoder's planes and the pixels it hands back.
    decoder.set_max_decoding_buffer_size(usize::from(width) * usize::from(height) * 8 + (16 << 20));
    let pixels = decoder.decode().map_err(|e| unreadable(jpeg_error(&e)))?;
    let orientation = decoder
        .exif_data()
        .and_then(Orientation::from_exif_chunk)
        .unwrap_or(Orientation::NoTransforms);
    let (w, h) = (u32::from(width), u32::from(height));
    let image = match info.pixel_format {
        jpeg_decoder::PixelFormat::L8 => {
            image::GrayImage::from_raw(w, h, pixels).map(DynamicImage::ImageLuma8)
        }
        _ => image::RgbImage::from_raw(w, h, pixels).map(DynamicImage::ImageRgb8),
    }
    .ok_or_else(|| unreadable("it ended before all its pixels"))?;
    Ok(Some(Decoded { image, orientation }))
}

/// The decoder's complaint, in words a person can pass on.
fn jpeg_error(e: &jpeg_decoder::Error) -> String {
    match e {
        jpeg_decoder::Error::Format(detail) => format!("the JPEG data is damaged: {detail}"),
        jpeg_decoder::Error::Unsupported(_) => {
            "it uses a JPEG feature that is not supported".into()
        }
        jpeg_decoder::Error::Io(_) => "the file ends too early".into(),
        jpeg_decoder::Error::Internal(_) => "the JPEG data is damaged".into(),
    }
}

/// Turns the decoded photo upright and makes each of `sizes` from it.
fn resize_and_encode(
    decoded: Decoded,
    sizes: &[(&'static str, u32)],
) -> Result<Processed, InvalidInput> {
    let Decoded {
        mut image,
        orientation,
    } = decoded;
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

    /// A JPEG whose header claims `w` × `h` pixels (its data is a small
    /// image's): what a decompression bomb looks like from outside.
    fn jpeg_claiming(w: u16, h: u16) -> Vec<u8> {
        let mut bytes = jpeg(64, 48);
        let sof = bytes
            .windows(2)
            .position(|m| m[0] == 0xFF && matches!(m[1], 0xC0..=0xC2))
            .unwrap();
        bytes[sof + 5..sof + 7].copy_from_slice(&h.to_be_bytes());
        bytes[sof + 7..sof + 9].copy_from_slice(&w.to_be_bytes());
        bytes
    }

    #[test]
    fn a_49_megapixel_jpeg_is_decoded_at_a_quarter_of_its_size() {
        // 8,576 × 5,720 = 49.05 megapixels, as a high-resolution camera writes.
        let bytes = jpeg(8_576, 5_720);
        assert!(bytes.len() < convene_domain::media::MAX_PHOTO_BYTES);
        let decoded = decode_jpeg_scaled(&bytes, 2048).unwrap().unwrap();
        assert_eq!(
            (decoded.image.width(), decoded.image.height()),
            (2_144, 1_430),
            "decoded at 1/4 scale, still covering the 2,048-pixel copy"
        );
        let p = process_photo(&bytes).unwrap();
        let sizes: Vec<(u32, u32)> = p.variants.iter().map(|v| (v.width, v.height)).collect();
        assert_eq!(sizes, vec![(2048, 1366), (1024, 683), (400, 267)]);
        // Small photos are decoded whole.
        let small = decode_jpeg_scaled(&jpeg(1_000, 800), 2048)
            .unwrap()
            .unwrap();
        assert_eq!((small.image.width(), small.image.height()), (1_000, 800));
        // A thumbnail needs less: 1/8.
        let thumb = decode_jpeg_scaled(&bytes, 640).unwrap().unwrap();
        assert_eq!((thumb.image.width(), thumb.image.height()), (1_072, 715));
    }

    /// A progressive JPEG as cjpeg writes it (`-progressive -sample 2x2`):
    /// decoded at half its size for the 2,048-pixel copy.
    #[test]
    fn a_progressive_jpeg_is_decoded_at_a_reduced_scale_too() {
        let bytes = include_bytes!("../../tests/fixtures/progressive-4200x2800.jpg");
        let decoded = decode_jpeg_scaled(bytes, 2048).unwrap().unwrap();
        assert_eq!(
            (decoded.image.width(), decoded.image.height()),
            (2_100, 1_400)
        );
        let p = process_photo(bytes).unwrap();
        let sizes: Vec<(u32, u32)> = p.variants.iter().map(|v| (v.width, v.height)).collect();
        assert_eq!(sizes, vec![(2048, 1365), (1024, 683), (400, 267)]);
        // The copy is the photo, not noise: its corners keep the gradient's
        // dark left and light right.
        let large = image::load_from_memory(&p.variants[0].bytes)
            .unwrap()
            .to_rgb8();
        let left = large.get_pixel(10, 700).0[0];
        let right = large.get_pixel(2_030, 700).0[0];
        assert!(left < 60 && right > 140, "{left} {right}");
    }

    #[test]
    fn a_jpeg_claiming_too_many_pixels_is_refused_before_decoding() {
        let err = process_photo(&jpeg_claiming(9_000, 6_000)).unwrap_err();
        assert_eq!(err.field, "photo");
        assert!(
            err.message.contains("9000 × 6000 pixels")
                && err.message.contains("at most 50 megapixels"),
            "{}",
            err.message
        );
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn no_more_photos_are_decoded_at_once_than_there_are_slots() {
        let bytes = jpeg(3_000, 2_000);
        let uploads: Vec<_> = (0..8)
            .map(|_| tokio::spawn(process_in_turn(bytes.clone(), &VARIANTS)))
            .collect();
        for u in uploads {
            assert_eq!(u.await.unwrap().unwrap().variants[0].width, 2048);
        }
        let peak = DECODES_PEAK.load(Ordering::SeqCst);
        assert!((1..=decode_slots()).contains(&peak), "{peak} at once");
        assert!(decode_slots() <= 4);
    }
}
