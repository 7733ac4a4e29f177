//! Photos and videos of meetings: the limits an uploaded photo must meet,
//! the words that go with it, and the video and photo links convene shows as
//! click-to-load embeds.
//!
//! # Embeds
//!
//! A link to a video or photo on YouTube, Vimeo, a PeerTube instance or
//! Flickr, alone in its paragraph, is shown as a box with the title and a
//! thumbnail and a button. Nothing is requested from the other site until
//! the visitor presses the button: the title and thumbnail are fetched once,
//! by a background job, through the site's oEmbed endpoint, and the
//! thumbnail is served from convene. Without JavaScript, or before the job
//! has run, the box is a plain link.

use crate::error::{InvalidInput, has_control_chars};
use url::Url;

/// The largest photo file accepted, in bytes.
pub const MAX_PHOTO_BYTES: usize = 15 * 1024 * 1024;
/// The most pixels a photo may have (width × height): 50 megapixels, more
/// than any phone or common camera takes.
pub const MAX_PHOTO_PIXELS: u64 = 50_000_000;
/// The longest side a photo may have, in pixels.
pub const MAX_PHOTO_SIDE: u32 = 12_000;
/// Alt text is a sentence or two.
pub const MAX_ALT_CHARS: usize = 300;
/// A caption is a few sentences.
pub const MAX_CAPTION_CHARS: usize = 600;
/// Photos in one gallery.
pub const MAX_PHOTOS_PER_GALLERY: usize = 60;

/// The formats a photo may be uploaded in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PhotoFormat {
    /// JPEG.
    Jpeg,
    /// PNG.
    Png,
    /// WebP.
    WebP,
}

impl PhotoFormat {
    /// The format named by a file's first bytes, whatever its name says.
    pub fn sniff(bytes: &[u8]) -> Option<Self> {
        if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
            Some(Self::Jpeg)
        } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
            Some(Self::Png)
        } else if bytes.len() >= 12 && &bytes[0..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
            Some(Self::WebP)
        } else {
            None
        }
    }
}

/// Checks an uploaded file's size and kind before it is decoded.
pub fn check_photo_file(bytes: &[u8]) -> Result<PhotoFormat, InvalidInput> {
    if bytes.is_empty() {
        return Err(InvalidInput::new("photo", "Choose a photo to upload."));
    }
    if bytes.len() > MAX_PHOTO_BYTES {
        return Err(InvalidInput::new(
            "photo",
            format!(
                "The photo is too large: at most {} MB, this one is {:.1} MB.",
                MAX_PHOTO_BYTES / (1024 * 1024),
                bytes.len() as f64 / (1024.0 * 1024.0)
            ),
        ));
    }
    PhotoFormat::sniff(bytes).ok_or_else(|| {
        InvalidInput::new(
            "photo",
            "This file is not a JPEG, PNG or WebP image (whatever its name says). Upload a photo in one of those formats.",
        )
    })
}

/// Checks a photo's size in pixels, read from its header before the pixels
/// are decoded (a small file can claim a huge image).
pub fn check_photo_dimensions(width: u32, height: u32) -> Result<(), InvalidInput> {
    if width == 0 || height == 0 {
        return Err(InvalidInput::new("photo", "The image has no pixels."));
    }
    let pixels = u64::from(width) * u64::from(height);
    if width > MAX_PHOTO_SIDE || height > MAX_PHOTO_SIDE || pixels > MAX_PHOTO_PIXELS {
        return Err(InvalidInput::new(
            "photo",
            format!(
                "The image is too large: {width} × {height} pixels. Photos may have at most {} megapixels and {MAX_PHOTO_SIDE} pixels on a side; scale it down and upload it again.",
                MAX_PHOTO_PIXELS / 1_000_000
            ),
        ));
    }
    Ok(())
}

/// Alt text: required (it is what a screen reader says), one paragraph.
pub fn check_alt_text(input: &str) -> Result<String, InvalidInput> {
    let alt = input.trim();
    if alt.is_empty() {
        return Err(InvalidInput::new(
            "alt",
            "Describe the photo in a few words for people who cannot see it (for example \"Ana presenting her talk on asyncio\").",
        ));
    }
    if has_control_chars(alt) {
        return Err(InvalidInput::new(
            "alt",
            "The description must be one line, without control characters.",
        ));
    }
    let n = alt.chars().count();
    if n > MAX_ALT_CHARS {
        return Err(InvalidInput::new(
            "alt",
            format!(
                "The description is too long: at most {MAX_ALT_CHARS} characters, this one has {n}."
            ),
        ));
    }
    Ok(alt.to_owned())
}

/// A caption: optional, a few sentences (line breaks allowed).
pub fn check_caption(input: &str) -> Result<String, InvalidInput> {
    let caption = input.trim();
    if caption
        .chars()
        .any(|c| c.is_control() && c != '\n' && c != '\r')
    {
        return Err(InvalidInput::new(
            "caption",
            "The caption may not contain control characters.",
        ));
    }
    let n = caption.chars().count();
    if n > MAX_CAPTION_CHARS {
        return Err(InvalidInput::new(
            "caption",
            format!(
                "The caption is too long: at most {MAX_CAPTION_CHARS} characters, this one has {n}."
            ),
        ));
    }
    Ok(caption.replace("\r\n", "\n"))
}

/// A site convene shows embeds from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Provider {
    /// youtube.com and youtu.be.
    YouTube,
    /// vimeo.com.
    Vimeo,
    /// Any PeerTube instance.
    PeerTube,
    /// flickr.com.
    Flickr,
}

impl Provider {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::YouTube => "youtube",
            Self::Vimeo => "vimeo",
            Self::PeerTube => "peertube",
            Self::Flickr => "flickr",
        }
    }

    /// The name shown to people.
    pub fn label(self) -> &'static str {
        match self {
            Self::YouTube => "YouTube",
            Self::Vimeo => "Vimeo",
            Self::PeerTube => "PeerTube",
            Self::Flickr => "Flickr",
        }
    }
}

/// A recognised video or photo link.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Embed {
    /// Whose.
    pub provider: Provider,
    /// The link as written (normalised by the URL parser).
    pub url: String,
    /// The page the player or photo loads from once the visitor asks.
    pub player_url: String,
    /// The provider's oEmbed endpoint for this link.
    pub oembed_url: String,
    /// The origin the player is framed from (for the page's frame policy).
    pub frame_origin: String,
}

fn is_youtube_id(id: &str) -> bool {
    id.len() == 11
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

fn is_token(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 64
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

fn encoded(url: &str) -> String {
    url::form_urlencoded::byte_serialize(url.as_bytes()).collect()
}

/// The embed `link` stands for, if it is a video or photo link convene
/// knows how to show.
pub fn recognise_embed(link: &str) -> Option<Embed> {
    let url = Url::parse(link.trim()).ok()?;
    if !matches!(url.scheme(), "http" | "https") || url.username() != "" || url.password().is_some()
    {
        return None;
    }
    let host = url.host_str()?.to_ascii_lowercase();
    let host = host.strip_prefix("www.").unwrap_or(&host);
    let segments: Vec<&str> = url
        .path_segments()
        .map(|s| s.filter(|p| !p.is_empty()).collect())
        .unwrap_or_default();
    let canonical = url.to_string();
    match host {
        "youtube.com" | "m.youtube.com" | "youtu.be" | "youtube-nocookie.com" => {
            let id = if host == "youtu.be" {
                segments.first().map(|s| (*s).to_owned())
            } else {
                match segments.as_slice() {
                    ["watch"] => url
                        .query_pairs()
                        .find(|(k, _)| k == "v")
                        .map(|(_, v)| v.into_owned()),
                    ["shorts" | "live" | "embed", id] => Some((*id).to_owned()),
                    _ => None,
                }
            }?;
            if !is_youtube_id(&id) {
                return None;
            }
            let watch = format!("https://www.youtube.com/watch?v={id}");
            Some(Embed {
                provider: Provider::YouTube,
                url: canonical,
                player_url: format!("https://www.youtube-nocookie.com/embed/{id}?autoplay=1"),
                oembed_url: format!(
                    "https://www.youtube.com/oembed?format=json&url={}",
                    encoded(&watch)
                ),
                frame_origin: "https://www.youtube-nocookie.com".into(),
            })
        }
        "vimeo.com" | "player.vimeo.com" => {
            let id = segments
                .iter()
                .rev()
                .find(|s| s.bytes().all(|b| b.is_ascii_digit()) && s.len() <= 12)?;
            Some(Embed {
                provider: Provider::Vimeo,
                url: canonical,
                player_url: format!("https://player.vimeo.com/video/{id}?autoplay=1&dnt=1"),
                oembed_url: format!(
                    "https://vimeo.com/api/oembed.json?url={}",
                    encoded(&format!("https://vimeo.com/{id}"))
                ),
                frame_origin: "https://player.vimeo.com".into(),
            })
        }
        "flickr.com" => match segments.as_slice() {
            ["photos", user, id, ..]
                if is_token(user) && id.bytes().all(|b| b.is_ascii_digit()) =>
            {
                let page = format!("https://www.flickr.com/photos/{user}/{id}/");
                Some(Embed {
                    provider: Provider::Flickr,
                    url: canonical,
                    player_url: format!("{page}player/"),
                    oembed_url: format!(
                        "https://www.flickr.com/services/oembed?format=json&url={}",
                        encoded(&page)
                    ),
                    frame_origin: "https://www.flickr.com".into(),
                })
            }
            _ => None,
        },
        _ => {
            // PeerTube: any host, with its two video path shapes.
            let id = match segments.as_slice() {
                ["w", id] => *id,
                ["videos", "watch", id] => *id,
                _ => return None,
            };
            if !is_token(id) {
                return None;
            }
            let origin = url.origin().ascii_serialization();
            Some(Embed {
                provider: Provider::PeerTube,
                url: canonical,
                player_url: format!("{origin}/videos/embed/{id}?autoplay=1"),
                oembed_url: format!(
                    "{origin}/services/oembed?format=json&url={}",
                    encoded(link.trim())
                ),
                frame_origin: origin,
            })
        }
    }
}

/// The embeddable links of a Markdown text: each link alone in its
/// paragraph (bare, or in `<...>`), outside code, in order, without repeats.
/// The page renderer shows the same links as click-to-load boxes.
pub fn embed_links(markdown: &str) -> Vec<Embed> {
    let lines: Vec<&str> = markdown.lines().collect();
    let mut out: Vec<Embed> = Vec::new();
    let mut fence: Option<&str> = None;
    for (i, line) in lines.iter().enumerate() {
        let trimmed = line.trim();
        if let Some(f) = fence {
            if trimmed.starts_with(f) {
                fence = None;
            }
            continue;
        }
        if trimmed.starts_with("```") || trimmed.starts_with("~~~") {
            fence = Some(&trimmed[..3]);
            continue;
        }
        if line.starts_with("    ") || line.starts_with('\t') {
            continue;
        }
        let blank = |j: Option<usize>| {
            j.and_then(|j| lines.get(j))
                .is_none_or(|l| l.trim().is_empty())
        };
        if !blank(i.checked_sub(1)) || !blank(Some(i + 1)) {
            continue;
        }
        let link = trimmed
            .strip_prefix('<')
            .and_then(|t| t.strip_suffix('>'))
            .unwrap_or(trimmed);
        if link.contains(char::is_whitespace) {
            continue;
        }
        if let Some(embed) = recognise_embed(link)
            && !out.iter().any(|e| e.url == embed.url)
        {
            out.push(embed);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn video_and_photo_links_are_recognised() {
        for link in [
            "https://www.youtube.com/watch?v=dQw4w9WgXcQ",
            "https://youtu.be/dQw4w9WgXcQ",
            "https://m.youtube.com/watch?v=dQw4w9WgXcQ&t=42",
            "https://www.youtube.com/shorts/dQw4w9WgXcQ",
        ] {
            let e = recognise_embed(link).unwrap();
            assert_eq!(e.provider, Provider::YouTube, "{link}");
            assert_eq!(
                e.player_url,
                "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ?autoplay=1"
            );
            assert!(e.oembed_url.contains("watch%3Fv%3DdQw4w9WgXcQ"));
        }
        let v = recognise_embed("https://vimeo.com/76979871").unwrap();
        assert_eq!(v.provider, Provider::Vimeo);
        assert!(
            v.player_url
                .starts_with("https://player.vimeo.com/video/76979871")
        );
        let p = recognise_embed("https://framatube.org/w/9c9de5e8-0a1e-484a-b099-e80766180a6d")
            .unwrap();
        assert_eq!(p.provider, Provider::PeerTube);
        assert_eq!(
            p.player_url,
            "https://framatube.org/videos/embed/9c9de5e8-0a1e-484a-b099-e80766180a6d?autoplay=1"
        );
        assert!(
            p.oembed_url
                .starts_with("https://framatube.org/services/oembed?")
        );
        let f =
            recognise_embed("https://www.flickr.com/photos/pycon/52812345678/in/album-1/").unwrap();
        assert_eq!(f.provider, Provider::Flickr);
        assert_eq!(
            f.player_url,
            "https://www.flickr.com/photos/pycon/52812345678/player/"
        );
    }

    #[test]
    fn other_links_are_not_embeds() {
        for link in [
            "https://www.youtube.com/channel/UC123",
            "https://www.youtube.com/watch?v=short",
            "https://youtu.be/dQw4w9WgXcQ/../../x",
            "javascript:alert(1)",
            "https://vimeo.com/about",
            "https://example.org/slides.pdf",
            "https://www.flickr.com/photos/pycon/",
            "https://user:pw@youtube.com/watch?v=dQw4w9WgXcQ",
            "ftp://framatube.org/w/abc",
            "https://framatube.org/w/<script>",
        ] {
            assert_eq!(recognise_embed(link), None, "{link}");
        }
    }

    #[test]
    fn only_links_alone_in_their_paragraph_are_embedded() {
        let md = "Slides and video:\n\nhttps://youtu.be/dQw4w9WgXcQ\n\nSee https://vimeo.com/76979871 inline.\n\n<https://vimeo.com/1234>\n\n```\nhttps://youtu.be/aaaaaaaaaaa\n```\n\n    https://youtu.be/bbbbbbbbbbb\n\nhttps://youtu.be/dQw4w9WgXcQ\n";
        let urls: Vec<String> = embed_links(md).into_iter().map(|e| e.url).collect();
        assert_eq!(
            urls,
            vec!["https://youtu.be/dQw4w9WgXcQ", "https://vimeo.com/1234"]
        );
    }

    #[test]
    fn photo_files_are_told_apart_by_their_bytes() {
        assert_eq!(
            check_photo_file(b"\xFF\xD8\xFF\xE0rest").unwrap(),
            PhotoFormat::Jpeg
        );
        assert_eq!(
            check_photo_file(b"RIFF\0\0\0\0WEBPVP8 ").unwrap(),
            PhotoFormat::WebP
        );
        let err = check_photo_file(b"<html>not a photo</html>").unwrap_err();
        assert!(err.message.contains("not a JPEG, PNG or WebP"));
        assert!(check_photo_file(b"").is_err());
        assert!(check_photo_file(&vec![0xFF; MAX_PHOTO_BYTES + 1]).is_err());
    }

    #[test]
    fn huge_images_are_refused_from_their_header() {
        assert!(check_photo_dimensions(4032, 3024).is_ok());
        let err = check_photo_dimensions(20_000, 20_000).unwrap_err();
        assert!(err.message.contains("20000 × 20000"), "{}", err.message);
        assert!(check_photo_dimensions(12_001, 10).is_err());
        assert!(check_photo_dimensions(0, 10).is_err());
    }

    #[test]
    fn alt_text_is_required_and_one_line() {
        assert_eq!(
            check_alt_text("  Ana at the front  ").unwrap(),
            "Ana at the front"
        );
        assert!(check_alt_text(" ").is_err());
        assert!(check_alt_text("two\nlines").is_err());
        assert!(check_alt_text(&"x".repeat(MAX_ALT_CHARS + 1)).is_err());
        assert_eq!(check_caption("a\r\nb").unwrap(), "a\nb");
        assert!(check_caption("bell\u{7}").is_err());
    }
}
