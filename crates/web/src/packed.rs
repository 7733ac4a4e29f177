//! Cached bodies with their compressed forms.
//!
//! A feed or an API answer kept in memory until its data changes is sent
//! thousands of times per version; compressing it for each request (as the
//! compression layer does for every other answer) would cost more than
//! building it. A [`Packed`] body keeps its gzip and brotli forms beside
//! the original, each made once, by the first request that accepts it, and
//! [`Packed::respond`] picks the form the request's `Accept-Encoding`
//! prefers. The answer carries its `Content-Encoding`, so the compression
//! layer leaves it alone.

use axum::body::Bytes;
use axum::http::{HeaderMap, HeaderValue, header};
use std::io::Write;
use std::sync::OnceLock;

/// Bodies smaller than this go out as they are: compression would save
/// less than its own headers cost.
const WORTH_COMPRESSING: usize = 512;

/// Brotli quality: made once per version, so well above what compressing
/// each request could afford, but not the slowest settings (10 and 11),
/// which take seconds on a feed of a few megabytes.
const BROTLI_QUALITY: u32 = 7;
/// Brotli window (log2 of bytes).
const BROTLI_WINDOW: u32 = 22;

/// A content coding a client may accept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Coding {
    /// RFC 7932.
    Brotli,
    /// RFC 1952.
    Gzip,
    /// The body as it is.
    Identity,
}

impl Coding {
    /// Its name in `Content-Encoding`.
    pub fn token(self) -> &'static str {
        match self {
            Coding::Brotli => "br",
            Coding::Gzip => "gzip",
            Coding::Identity => "identity",
        }
    }
}

/// A body kept in memory, with its compressed forms made on first demand.
#[derive(Debug)]
pub struct Packed {
    raw: Bytes,
    gzip: OnceLock<Option<Bytes>>,
    brotli: OnceLock<Option<Bytes>>,
}

impl Packed {
    /// Wraps `raw`; nothing is compressed yet.
    pub fn new(raw: impl Into<Bytes>) -> Self {
        Self {
            raw: raw.into(),
            gzip: OnceLock::new(),
            brotli: OnceLock::new(),
        }
    }

    /// The body as built.
    pub fn raw(&self) -> &Bytes {
        &self.raw
    }

    /// Bytes held, counting the compressed forms made so far.
    pub fn held_bytes(&self) -> usize {
        let made =
            |c: &OnceLock<Option<Bytes>>| c.get().and_then(Option::as_ref).map_or(0, Bytes::len);
        self.raw.len() + made(&self.gzip) + made(&self.brotli)
    }

    /// The body in `coding`, compressing it the first time it is asked
    /// for; `None` when that coding would not make it smaller.
    pub fn coded(&self, coding: Coding) -> Option<Bytes> {
        if self.raw.len() < WORTH_COMPRESSING {
            return None;
        }
        let slot = match coding {
            Coding::Identity => return Some(self.raw.clone()),
            Coding::Gzip => &self.gzip,
            Coding::Brotli => &self.brotli,
        };
        slot.get_or_init(|| {
            let packed = match coding {
                Coding::Gzip => gzip(&self.raw),
                _ => brotli(&self.raw),
            };
            packed.filter(|p| p.len() < self.raw.len()).map(Bytes::from)
        })
        .clone()
    }

    /// The bytes to send for a request with `headers`, and the
    /// `Content-Encoding` to send them with (none for the body as it is).
    pub fn respond(&self, headers: &HeaderMap) -> (Option<HeaderValue>, Bytes) {
        for coding in preferred(headers) {
            if coding == Coding::Identity {
                break;
            }
            if let Some(body) = self.coded(coding) {
                return (Some(HeaderValue::from_static(coding.token())), body);
            }
        }
        (None, self.raw.clone())
    }
}

fn gzip(raw: &[u8]) -> Option<Vec<u8>> {
    let mut out = flate2::write::GzEncoder::new(
        Vec::with_capacity(raw.len() / 4),
        flate2::Compression::default(),
    );
    out.write_all(raw).ok()?;
    out.finish().ok()
}

fn brotli(raw: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(raw.len() / 4);
    {
        let mut w =
            brotli::CompressorWriter::new(&mut out, 64 * 1024, BROTLI_QUALITY, BROTLI_WINDOW);
        w.write_all(raw).ok()?;
        w.flush().ok()?;
    }
    Some(out)
}

/// The codings `headers`' `Accept-Encoding` allows, best first (brotli
/// before gzip when the client weighs them alike), ending with identity
/// when that is allowed too. No header at all means the body as it is.
pub fn preferred(headers: &HeaderMap) -> Vec<Coding> {
    let mut weights: Vec<(Coding, u32)> = Vec::new();
    let mut star: Option<u32> = None;
    let mut identity: Option<u32> = None;
    for value in headers.get_all(header::ACCEPT_ENCODING) {
        let Ok(value) = value.to_str() else { continue };
        // A header of many thousand entries is read no further than this.
        for item in value.split(',').take(64) {
            let mut parts = item.split(';');
            let name = parts.next().unwrap_or("").trim().to_ascii_lowercase();
            let q = parts
                .find_map(|p| {
                    let (k, v) = p.split_once('=')?;
                    (k.trim().eq_ignore_ascii_case("q")).then(|| quality(v.trim()))
                })
                .unwrap_or(Some(1000));
            let Some(q) = q else { continue };
            match name.as_str() {
                "br" => weights.push((Coding::Brotli, q)),
                "gzip" | "x-gzip" => weights.push((Coding::Gzip, q)),
                "identity" => identity = Some(q),
                "*" => star = Some(q),
                _ => {}
            }
        }
    }
    let weight = |c: Coding| {
        weights
            .iter()
            .filter(|(w, _)| *w == c)
            .map(|(_, q)| *q)
            .max()
            .or(star)
            .unwrap_or(0)
    };
    let mut out: Vec<(Coding, u32)> = [Coding::Brotli, Coding::Gzip]
        .into_iter()
        .map(|c| (c, weight(c)))
        .filter(|(_, q)| *q > 0)
        .collect();
    out.sort_by_key(|c| std::cmp::Reverse(c.1));
    let mut out: Vec<Coding> = out.into_iter().map(|(c, _)| c).collect();
    // Identity is acceptable unless refused by name (or by `*;q=0`
    // without naming it).
    if identity.or(star.filter(|q| *q == 0)).is_none_or(|q| q > 0) {
        out.push(Coding::Identity);
    }
    out
}

/// A quality value ("0.8", "1", "0.125") in thousandths; `None` if it is
/// not one.
fn quality(v: &str) -> Option<u32> {
    let (whole, frac) = v.split_once('.').unwrap_or((v, ""));
    if frac.len() > 3 || !frac.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let whole: u32 = match whole {
        "0" => 0,
        "1" => 1,
        _ => return None,
    };
    let frac: u32 = format!("{frac:0<3}").parse().ok()?;
    let q = whole * 1000 + frac;
    (q <= 1000).then_some(q)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn accepting(value: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(
            header::ACCEPT_ENCODING,
            HeaderValue::from_str(value).unwrap(),
        );
        h
    }

    #[test]
    fn the_best_coding_the_client_weighs_highest_is_chosen() {
        use Coding::*;
        assert_eq!(preferred(&HeaderMap::new()), [Identity]);
        assert_eq!(
            preferred(&accepting("gzip, deflate, br, zstd")),
            [Brotli, Gzip, Identity]
        );
        assert_eq!(preferred(&accepting("gzip")), [Gzip, Identity]);
        assert_eq!(
            preferred(&accepting("br;q=0.5, gzip;q=0.8")),
            [Gzip, Brotli, Identity]
        );
        assert_eq!(preferred(&accepting("br;q=0, gzip")), [Gzip, Identity]);
        assert_eq!(preferred(&accepting("*")), [Brotli, Gzip, Identity]);
        assert_eq!(preferred(&accepting("gzip, identity;q=0")), [Gzip]);
        assert_eq!(
            preferred(&accepting("gzip;q=2, br;q=x")),
            [Identity],
            "bad weights count for nothing"
        );
        assert_eq!(preferred(&accepting("identity")), [Identity]);
    }

    #[test]
    fn a_body_is_compressed_once_and_decompresses_to_itself() {
        let raw = "BEGIN:VEVENT\r\nSUMMARY:Monthly meetup\r\nEND:VEVENT\r\n".repeat(200);
        let p = Packed::new(raw.clone());
        let (coding, body) = p.respond(&accepting("gzip, br"));
        assert_eq!(coding.as_ref().map(|c| c.to_str().unwrap()), Some("br"));
        let mut back = Vec::new();
        brotli::BrotliDecompress(&mut &body[..], &mut back).unwrap();
        assert_eq!(back, raw.as_bytes());
        let again = p.coded(Coding::Brotli).unwrap();
        assert_eq!(
            again.as_ptr(),
            body.as_ptr(),
            "the second request gets the same bytes"
        );
        let gz = p.coded(Coding::Gzip).unwrap();
        let mut back = String::new();
        std::io::Read::read_to_string(&mut flate2::read::GzDecoder::new(&gz[..]), &mut back)
            .unwrap();
        assert_eq!(back, raw);
        assert_eq!(p.held_bytes(), raw.len() + body.len() + gz.len());
    }

    #[test]
    fn a_small_body_goes_out_as_it_is() {
        let p = Packed::new("[]");
        assert_eq!(p.respond(&accepting("br, gzip")), (None, Bytes::from("[]")));
    }
}
