//! Where photo files live. The site keeps them under its data folder; the
//! interface is small so that another store (object storage) can take its
//! place without touching the use-cases.

use async_trait::async_trait;
use std::path::{Path, PathBuf};

/// A place to keep media files by key. Keys are made by convene: ASCII
/// letters, digits, `-`, `_`, `.` and `/`, never `..`.
#[async_trait]
pub trait MediaStore: Send + Sync + 'static {
    /// Stores `bytes` under `key`, replacing what was there. When this
    /// returns, the file is on disk (a crash after it does not lose it).
    async fn put(&self, key: &str, bytes: &[u8]) -> std::io::Result<()>;
    /// The bytes under `key`, or `None`.
    async fn get(&self, key: &str) -> std::io::Result<Option<Vec<u8>>>;
    /// Removes everything under `key` (a file, or a folder of them).
    async fn delete(&self, key: &str) -> std::io::Result<()>;
}

/// True for keys convene makes (and so for nothing a visitor could use to
/// leave the media folder).
pub fn is_valid_key(key: &str) -> bool {
    !key.is_empty()
        && key.len() <= 200
        && !key.starts_with('/')
        && key.split('/').all(|part| {
            !part.is_empty()
                && part != "."
                && part != ".."
                && part
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
        })
}

fn invalid(key: &str) -> std::io::Error {
    std::io::Error::new(
        std::io::ErrorKind::InvalidInput,
        format!("not a media key: {key:?}"),
    )
}

/// Media files in a folder (normally `{data dir}/media`).
#[derive(Debug, Clone)]
pub struct FsMediaStore {
    root: PathBuf,
}

impl FsMediaStore {
    /// A store rooted at `root` (created on first write).
    pub fn new(root: impl Into<PathBuf>) -> Self {
        Self { root: root.into() }
    }

    /// The folder.
    pub fn root(&self) -> &Path {
        &self.root
    }

    fn path(&self, key: &str) -> std::io::Result<PathBuf> {
        if is_valid_key(key) {
            Ok(self.root.join(key))
        } else {
            Err(invalid(key))
        }
    }
}

#[async_trait]
impl MediaStore for FsMediaStore {
    async fn put(&self, key: &str, bytes: &[u8]) -> std::io::Result<()> {
        let path = self.path(key)?;
        let bytes = bytes.to_vec();
        tokio::task::spawn_blocking(move || write_durably(&path, &bytes))
            .await
            .map_err(std::io::Error::other)?
    }

    async fn get(&self, key: &str) -> std::io::Result<Option<Vec<u8>>> {
        let path = self.path(key)?;
        match tokio::fs::read(&path).await {
            Ok(b) => Ok(Some(b)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e),
        }
    }

    async fn delete(&self, key: &str) -> std::io::Result<()> {
        let path = self.path(key)?;
        let result = match tokio::fs::metadata(&path).await {
            Ok(m) if m.is_dir() => tokio::fs::remove_dir_all(&path).await,
            Ok(_) => tokio::fs::remove_file(&path).await,
            Err(e) => Err(e),
        };
        match result {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            other => other,
        }
    }
}

/// Writes to a temporary file beside `path`, flushes it to disk, renames it
/// into place and flushes the folder, so a reader never sees half a file.
fn write_durably(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let dir = path.parent().ok_or_else(|| invalid("(no folder)"))?;
    std::fs::create_dir_all(dir)?;
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .ok_or_else(|| invalid("(no name)"))?;
    let tmp = dir.join(format!(".{name}.part"));
    {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
    }
    std::fs::rename(&tmp, path)?;
    std::fs::File::open(dir)?.sync_all()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_cannot_leave_the_folder() {
        assert!(is_valid_key("photos/abc_DEF-1/small.jpg"));
        for bad in [
            "",
            "/etc/passwd",
            "photos/../../etc",
            "photos//x",
            "photos/./x",
            "a b",
            "photos/x%2F",
        ] {
            assert!(!is_valid_key(bad), "{bad}");
        }
    }

    #[tokio::test]
    async fn files_are_stored_read_and_removed() {
        let dir = tempfile::tempdir().unwrap();
        let store = FsMediaStore::new(dir.path().join("media"));
        store.put("photos/k1/small.jpg", b"one").await.unwrap();
        store.put("photos/k1/large.jpg", b"two").await.unwrap();
        assert_eq!(
            store.get("photos/k1/small.jpg").await.unwrap().as_deref(),
            Some(&b"one"[..])
        );
        assert_eq!(store.get("photos/k2/small.jpg").await.unwrap(), None);
        assert!(store.get("../x").await.is_err());
        store.delete("photos/k1").await.unwrap();
        assert_eq!(store.get("photos/k1/large.jpg").await.unwrap(), None);
        store.delete("photos/k1").await.unwrap();
    }
}
