//! Bodies too large to keep in memory.
//!
//! A feed is built once per version and sent many times. Most are small
//! and stay in memory as a [`Packed`] body. A large one (the whole site's
//! calendar at 100,000 events is tens of megabytes) is written, as it is
//! built, to files in the spill folder: the body as it is, gzip and
//! brotli, each compressed on the way. Requests then read it from disk a
//! few kilobytes at a time, so neither building nor sending it holds the
//! body in memory. The files go when the cache lets the body go.

use crate::packed::{Coding, Packed, preferred};
use axum::body::Body;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::Path;
use tokio::sync::mpsc;

/// A body larger than this is spilled to disk; smaller ones stay in
/// memory.
pub const KEEP_AT_MOST: usize = 2 * 1024 * 1024;

/// Brotli quality and window for spilled bodies: a little below what
/// [`Packed`] uses, so that compressing tens of megabytes on the way takes
/// seconds, not tens of seconds, and a few megabytes of memory.
const BROTLI_QUALITY: u32 = 5;
const BROTLI_WINDOW: u32 = 20;

/// A built body: in memory, or in files.
#[derive(Debug)]
pub enum Built {
    /// Small enough to keep.
    Kept(Packed),
    /// Written to the spill folder.
    Spilled(Spilled),
}

/// A body in files: as it is, gzip and brotli.
#[derive(Debug)]
pub struct Spilled {
    /// Removed with everything in it when the body is dropped.
    dir: tempfile::TempDir,
    /// Bytes in each file.
    raw: u64,
    gzip: u64,
    brotli: u64,
}

impl Built {
    /// Builds a body from the parts `produce` sends, keeping it in memory
    /// until it grows past [`KEEP_AT_MOST`], and writing it (with its
    /// compressed forms) to a new folder in `spill_dir` from then on.
    /// The parts are written on a blocking thread, so compression never
    /// holds up the runtime.
    pub async fn from_parts<F, Fut, E>(spill_dir: &Path, produce: F) -> Result<Built, E>
    where
        F: FnOnce(mpsc::Sender<String>) -> Fut,
        Fut: Future<Output = Result<(), E>>,
        E: From<io::Error>,
    {
        let (tx, rx) = mpsc::channel::<String>(4);
        let dir = spill_dir.to_owned();
        let writer = tokio::task::spawn_blocking(move || collect(rx, &dir));
        let produced = produce(tx).await;
        let built = writer.await.map_err(io::Error::other)?;
        produced?;
        Ok(built?)
    }

    /// Bytes held in memory.
    pub fn held_bytes(&self) -> usize {
        match self {
            Built::Kept(p) => p.raw().len() + p.raw().len() / 2,
            Built::Spilled(_) => std::mem::size_of::<Spilled>(),
        }
    }

    /// A 200 with the body in the coding the request prefers, its
    /// `Content-Type`, and `Vary: Accept-Encoding`.
    pub async fn respond(&self, headers: &HeaderMap, content_type: &'static str) -> Response {
        match self {
            Built::Kept(p) => crate::pages::http_cache::packed_response(headers, content_type, p),
            Built::Spilled(s) => s.respond(headers, content_type).await,
        }
    }
}

impl Spilled {
    async fn respond(&self, headers: &HeaderMap, content_type: &'static str) -> Response {
        let coding = preferred(headers)
            .into_iter()
            .take_while(|c| *c != Coding::Identity)
            .find(|c| self.len(*c) < self.raw)
            .unwrap_or(Coding::Identity);
        let file = match tokio::fs::File::open(self.dir.path().join(file_name(coding))).await {
            Ok(f) => f,
            Err(e) => {
                tracing::error!(error = %e, "a spilled body could not be read");
                return StatusCode::INTERNAL_SERVER_ERROR.into_response();
            }
        };
        let stream = tokio_util::io::ReaderStream::with_capacity(file, 64 * 1024);
        let mut response = (StatusCode::OK, Body::from_stream(stream)).into_response();
        let h = response.headers_mut();
        h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
        h.insert(header::CONTENT_LENGTH, HeaderValue::from(self.len(coding)));
        h.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
        if coding != Coding::Identity {
            h.insert(
                header::CONTENT_ENCODING,
                HeaderValue::from_static(coding.token()),
            );
        }
        response
    }

    fn len(&self, coding: Coding) -> u64 {
        match coding {
            Coding::Identity => self.raw,
            Coding::Gzip => self.gzip,
            Coding::Brotli => self.brotli,
        }
    }
}

fn file_name(coding: Coding) -> &'static str {
    match coding {
        Coding::Identity => "body",
        Coding::Gzip => "body.gz",
        Coding::Brotli => "body.br",
    }
}

/// Reads every part from `rx` into memory, then into files once the body
/// grows past [`KEEP_AT_MOST`].
fn collect(mut rx: mpsc::Receiver<String>, spill_dir: &Path) -> io::Result<Built> {
    let mut kept: Vec<u8> = Vec::new();
    let mut spilling: Option<Spilling> = None;
    while let Some(part) = rx.blocking_recv() {
        match spilling.as_mut() {
            Some(s) => s.write(part.as_bytes())?,
            None => {
                kept.extend_from_slice(part.as_bytes());
                if kept.len() > KEEP_AT_MOST {
                    let mut s = Spilling::start(spill_dir)?;
                    s.write(&kept)?;
                    kept = Vec::new();
                    spilling = Some(s);
                }
            }
        }
    }
    match spilling {
        Some(s) => Ok(Built::Spilled(s.finish()?)),
        None => Ok(Built::Kept(Packed::new(kept))),
    }
}

/// The three files being written.
struct Spilling {
    dir: tempfile::TempDir,
    raw: BufWriter<File>,
    gzip: flate2::write::GzEncoder<BufWriter<File>>,
    brotli: brotli::CompressorWriter<BufWriter<File>>,
}

impl Spilling {
    fn start(spill_dir: &Path) -> io::Result<Self> {
        std::fs::create_dir_all(spill_dir)?;
        let dir = tempfile::Builder::new()
            .prefix("body-")
            .tempdir_in(spill_dir)?;
        let open = |coding| -> io::Result<BufWriter<File>> {
            Ok(BufWriter::with_capacity(
                64 * 1024,
                File::create(dir.path().join(file_name(coding)))?,
            ))
        };
        Ok(Self {
            raw: open(Coding::Identity)?,
            gzip: flate2::write::GzEncoder::new(
                open(Coding::Gzip)?,
                flate2::Compression::default(),
            ),
            brotli: brotli::CompressorWriter::new(
                open(Coding::Brotli)?,
                64 * 1024,
                BROTLI_QUALITY,
                BROTLI_WINDOW,
            ),
            dir,
        })
    }

    fn write(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.raw.write_all(bytes)?;
        self.gzip.write_all(bytes)?;
        self.brotli.write_all(bytes)
    }

    fn finish(self) -> io::Result<Spilled> {
        let Spilling {
            dir,
            mut raw,
            gzip,
            brotli,
        } = self;
        raw.flush()?;
        gzip.finish()?.flush()?;
        let mut brotli = brotli.into_inner();
        brotli.flush()?;
        let size = |coding| -> io::Result<u64> {
            Ok(std::fs::metadata(dir.path().join(file_name(coding)))?.len())
        };
        Ok(Spilled {
            raw: size(Coding::Identity)?,
            gzip: size(Coding::Gzip)?,
            brotli: size(Coding::Brotli)?,
            dir,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    async fn build(parts: Vec<String>, dir: &Path) -> Built {
        Built::from_parts(dir, |tx| async move {
            for p in parts {
                tx.send(p).await.map_err(io::Error::other)?;
            }
            Ok::<_, io::Error>(())
        })
        .await
        .unwrap()
    }

    fn text(n: usize) -> Vec<String> {
        (0..n)
            .map(|i| {
                format!(
                    "BEGIN:VEVENT\r\nUID:{i}@example.org\r\nSUMMARY:Meeting {i}\r\nEND:VEVENT\r\n"
                )
            })
            .collect()
    }

    #[tokio::test]
    async fn a_small_body_stays_in_memory() {
        let dir = tempfile::tempdir().unwrap();
        let built = build(text(10), dir.path()).await;
        assert!(matches!(built, Built::Kept(_)));
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    }

    #[tokio::test]
    async fn a_large_body_goes_to_files_that_hold_it_exactly_and_leave_with_it() {
        let dir = tempfile::tempdir().unwrap();
        let parts = text(60_000);
        let whole: String = parts.concat();
        assert!(whole.len() > KEEP_AT_MOST);
        let built = build(parts, dir.path()).await;
        let Built::Spilled(s) = &built else {
            panic!("a body of {} bytes was kept in memory", whole.len())
        };
        let body = std::fs::read(s.dir.path().join("body")).unwrap();
        assert_eq!(body, whole.as_bytes());
        let mut gunzipped = Vec::new();
        flate2::read::GzDecoder::new(&std::fs::read(s.dir.path().join("body.gz")).unwrap()[..])
            .read_to_end(&mut gunzipped)
            .unwrap();
        assert_eq!(gunzipped, whole.as_bytes());
        let mut unbrotlied = Vec::new();
        brotli::Decompressor::new(
            &std::fs::read(s.dir.path().join("body.br")).unwrap()[..],
            4096,
        )
        .read_to_end(&mut unbrotlied)
        .unwrap();
        assert_eq!(unbrotlied, whole.as_bytes());
        assert_eq!(s.raw, whole.len() as u64);
        assert!(s.brotli < s.gzip && s.gzip < s.raw);
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
        drop(built);
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    }

    #[tokio::test]
    async fn a_build_that_fails_leaves_no_files() {
        let dir = tempfile::tempdir().unwrap();
        let parts = text(60_000);
        let failed = Built::from_parts(dir.path(), |tx| async move {
            for p in parts {
                tx.send(p).await.map_err(io::Error::other)?;
            }
            Err::<(), _>(io::Error::other("the database went away"))
        })
        .await;
        assert_eq!(failed.unwrap_err().to_string(), "the database went away");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    }
}
