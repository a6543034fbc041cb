//! The offline bundle (`build --bundle`): the `--offline` site, with its `SHA256SUMS` and
//! signature, as one ZIP whose bytes depend only on the files (entries sorted, fixed
//! timestamps and permissions). It never reads the disk; `lib.rs` hands it the files.

use std::collections::BTreeMap;
use std::io::Write as _;

use anyhow::Context as _;
use sha2::{Digest, Sha256};

/// The bundle's name in the output folder.
pub(crate) const BUNDLE_FILE: &str = "integridad-offline.zip";
/// The folder the ZIP unpacks into, so unzipping never scatters files.
const BUNDLE_DIR: &str = "integridad-offline";

/// Writes `files` (output path → bytes) into a ZIP under `integridad-offline/`, in path order,
/// deflated, each dated 1980-01-01 00:00 and mode 0644, made on Unix whatever the system, so the
/// same files give the same bytes.
pub(crate) fn render_zip(files: &BTreeMap<String, Vec<u8>>) -> anyhow::Result<Vec<u8>> {
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .last_modified_time(zip::DateTime::default())
        .unix_permissions(0o644);
    for (path, bytes) in files {
        zip.start_file(format!("{BUNDLE_DIR}/{path}"), options)
            .with_context(|| format!("cannot add `{path}` to the offline bundle"))?;
        zip.write_all(bytes)
            .with_context(|| format!("cannot add `{path}` to the offline bundle"))?;
    }
    let cursor = zip.finish().context("cannot finish the offline bundle")?;
    Ok(crate::archive::made_on_unix(cursor.into_inner()))
}

/// SHA-256 of each file, for the bundle's own `SHA256SUMS`.
pub(crate) fn hashes(files: &BTreeMap<String, Vec<u8>>) -> BTreeMap<String, [u8; 32]> {
    files
        .iter()
        .map(|(path, bytes)| (path.clone(), Sha256::digest(bytes).into()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_files_give_the_same_zip_in_path_order() {
        let mut files = BTreeMap::new();
        files.insert("b/index.html".to_string(), b"<p>b</p>".to_vec());
        files.insert("a.css".to_string(), b"p{}".to_vec());
        let first = render_zip(&files).unwrap();
        assert_eq!(first, render_zip(&files).unwrap());
        let mut archive = zip::ZipArchive::new(std::io::Cursor::new(first)).unwrap();
        let names: Vec<String> = (0..archive.len())
            .map(|i| archive.by_index(i).unwrap().name().to_string())
            .collect();
        assert_eq!(
            names,
            [
                "integridad-offline/a.css",
                "integridad-offline/b/index.html"
            ]
        );
    }
}
