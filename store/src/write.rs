//! Uploads: a finished output file, or a dataset directory, copied to object storage with
//! multipart uploads (parts of 8 MiB, so a large Parquet file is never held in memory whole).

use std::io::Read;
use std::path::Path;

use object_store::{ObjectStoreExt, WriteMultipart};

use crate::object::{block_on, ObjectUrl};
use crate::StoreError;

const PART: usize = 8 << 20;

/// Uploads the local file `local` to `url`.
///
/// # Errors
///
/// The file cannot be read, or the store refuses the upload.
pub fn upload_file(local: &Path, url: &str) -> Result<(), StoreError> {
    let object = ObjectUrl::parse(url)?;
    let local_err = |source| StoreError::Local {
        path: local.display().to_string(),
        url: url.to_string(),
        source,
    };
    let mut file = std::fs::File::open(local).map_err(local_err)?;
    let store = object.store.clone();
    let path = object.path.clone();
    let upload = block_on(async move { store.put_multipart(&path).await })?
        .map_err(|e| object.failed("start uploading", e))?;
    let mut writer = WriteMultipart::new_with_chunk_size(upload, PART);
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = match file.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => {
                let _ = block_on(writer.abort());
                return Err(local_err(e));
            }
        };
        // Bounds the parts in flight, so memory stays at a few parts.
        block_on(writer.wait_for_capacity(4))?.map_err(|e| object.failed("upload", e))?;
        writer.write(&buf[..n]);
    }
    block_on(writer.finish())?.map_err(|e| object.failed("finish uploading", e))?;
    Ok(())
}

/// Uploads every file under the local directory `dir` to `url` (a prefix), keeping their
/// relative paths: `dir/a/b.parquet` goes to `url/a/b.parquet`. Returns the URLs written.
///
/// # Errors
///
/// A file cannot be read, or the store refuses an upload.
pub fn upload_dir(dir: &Path, url: &str) -> Result<Vec<String>, StoreError> {
    let mut files = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(d) = pending.pop() {
        let entries = std::fs::read_dir(&d).map_err(|source| StoreError::Local {
            path: d.display().to_string(),
            url: url.to_string(),
            source,
        })?;
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                pending.push(p);
            } else {
                files.push(p);
            }
        }
    }
    files.sort();
    let base = url.trim_end_matches('/');
    let mut written = Vec::with_capacity(files.len());
    for f in files {
        let rel = f.strip_prefix(dir).unwrap_or(&f);
        let rel: Vec<String> = rel
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect();
        let dest = format!("{base}/{}", rel.join("/"));
        upload_file(&f, &dest)?;
        written.push(dest);
    }
    Ok(written)
}
