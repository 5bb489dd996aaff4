//! [`ObjectUrl`]: a URL parsed and bound to its store, plus the runtime that drives requests.
//!
//! Stores are built from the environment, once per bucket and reused by every object in it:
//! `s3://` by `AmazonS3Builder::from_env` (`AWS_*` variables), `gs://` by
//! `GoogleCloudStorageBuilder::from_env` (`GOOGLE_*`), `az://` (also `azure://`, `abfs://`,
//! `adl://`) by `MicrosoftAzureBuilder::from_env` (`AZURE_*`), `file://` by
//! `LocalFileSystem`. A custom S3 endpoint is addressed path-style (`ENDPOINT/BUCKET/KEY`).

use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex, OnceLock};

use futures::TryStreamExt;
use object_store::aws::AmazonS3Builder;
use object_store::azure::MicrosoftAzureBuilder;
use object_store::gcp::GoogleCloudStorageBuilder;
use object_store::local::LocalFileSystem;
use object_store::path::Path;
use object_store::{ObjectStore, ObjectStoreScheme};
use url::Url;

use crate::StoreError;

const S3_HINT: &str = "check AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_REGION and, for a non-AWS server, AWS_ENDPOINT_URL (with AWS_ALLOW_HTTP=true for http://)";
const GCS_HINT: &str =
    "check GOOGLE_SERVICE_ACCOUNT or GOOGLE_SERVICE_ACCOUNT_KEY and the bucket name";
const AZURE_HINT: &str = "check AZURE_STORAGE_ACCOUNT_NAME and AZURE_STORAGE_ACCOUNT_KEY (or another AZURE_* credential)";
const FILE_HINT: &str = "check that the path exists and is readable";

/// Whether `s` is spelled as a URL (`scheme://...`) rather than a local path.
pub fn is_url(s: &str) -> bool {
    hindsight_format::location::url_of(std::path::Path::new(s)).is_some()
}

/// Runs `fut` to completion on the store's I/O threads (started on first use).
pub(crate) fn block_on<F: Future>(fut: F) -> Result<F::Output, StoreError> {
    static RUNTIME: OnceLock<Result<tokio::runtime::Runtime, String>> = OnceLock::new();
    let rt = RUNTIME.get_or_init(|| {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("hindsight-store")
            .enable_all()
            .build()
            .map_err(|e| e.to_string())
    });
    match rt {
        Ok(rt) => Ok(rt.block_on(fut)),
        Err(e) => Err(StoreError::Runtime(std::io::Error::other(e.clone()))),
    }
}

/// A URL bound to its store and the object's path in it.
#[derive(Clone, Debug)]
pub struct ObjectUrl {
    /// The URL as given.
    pub url: String,
    pub(crate) store: Arc<dyn ObjectStore>,
    pub(crate) path: Path,
    pub(crate) hint: &'static str,
    /// `scheme://bucket` (`file://` for local files): the URL of the store's root.
    root: String,
}

type StoreKey = (String, String);

fn stores() -> &'static Mutex<HashMap<StoreKey, Arc<dyn ObjectStore>>> {
    static STORES: OnceLock<Mutex<HashMap<StoreKey, Arc<dyn ObjectStore>>>> = OnceLock::new();
    STORES.get_or_init(Mutex::default)
}

impl ObjectUrl {
    /// Parses `url` and finds (or builds, from the environment) its store.
    ///
    /// # Errors
    ///
    /// The URL does not parse, its scheme is not one of `s3 s3a gs az azure abfs abfss adl
    /// file`, or the store's configuration from the environment is incomplete.
    pub fn parse(url: &str) -> Result<ObjectUrl, StoreError> {
        let bad = |reason: String| StoreError::BadUrl {
            url: url.to_string(),
            reason,
        };
        let parsed = Url::parse(url).map_err(|e| bad(format!("{e}")))?;
        let (scheme, path) = ObjectStoreScheme::parse(&parsed).map_err(|e| {
            bad(format!(
                "{e}; use s3://BUCKET/KEY, gs://BUCKET/KEY, az://CONTAINER/KEY or file:///PATH"
            ))
        })?;
        let hint = match scheme {
            ObjectStoreScheme::AmazonS3 => S3_HINT,
            ObjectStoreScheme::GoogleCloudStorage => GCS_HINT,
            ObjectStoreScheme::MicrosoftAzure => AZURE_HINT,
            ObjectStoreScheme::Local => FILE_HINT,
            _ => {
                return Err(bad(
                    "only s3://, gs://, az:// and file:// URLs are supported".into(),
                ))
            }
        };
        let key: StoreKey = (
            parsed.scheme().to_string(),
            parsed.host_str().unwrap_or_default().to_string(),
        );
        let mut cache = stores()
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let store = match cache.get(&key) {
            Some(s) => Arc::clone(s),
            None => {
                let built: Result<Arc<dyn ObjectStore>, object_store::Error> = match scheme {
                    ObjectStoreScheme::AmazonS3 => AmazonS3Builder::from_env()
                        .with_url(url)
                        .build()
                        .map(|s| Arc::new(s) as _),
                    ObjectStoreScheme::GoogleCloudStorage => GoogleCloudStorageBuilder::from_env()
                        .with_url(url)
                        .build()
                        .map(|s| Arc::new(s) as _),
                    ObjectStoreScheme::MicrosoftAzure => MicrosoftAzureBuilder::from_env()
                        .with_url(url)
                        .build()
                        .map(|s| Arc::new(s) as _),
                    _ => Ok(Arc::new(LocalFileSystem::new()) as _),
                };
                let store = built.map_err(|source| StoreError::Request {
                    what: "configure the store of".into(),
                    url: url.to_string(),
                    hint,
                    source: Box::new(source),
                })?;
                cache.insert(key.clone(), Arc::clone(&store));
                store
            }
        };
        Ok(ObjectUrl {
            url: url.to_string(),
            store,
            path,
            hint,
            root: format!("{}://{}", key.0, key.1),
        })
    }

    /// Wraps a failed request with this URL and the scheme's hint.
    pub(crate) fn failed(
        &self,
        what: impl Into<String>,
        source: object_store::Error,
    ) -> StoreError {
        StoreError::Request {
            what: what.into(),
            url: self.url.clone(),
            hint: self.hint,
            source: Box::new(source),
        }
    }

    /// The URL of the object at `path` in the same store.
    fn sibling(&self, path: &Path) -> String {
        format!("{}/{path}", self.root)
    }

    /// The objects under this URL taken as a prefix (`s3://b/traces/` or `s3://b/traces`),
    /// as URLs, sorted, keeping those `keep` accepts by name.
    ///
    /// # Errors
    ///
    /// The listing request fails.
    pub fn list(&self, keep: impl Fn(&str) -> bool) -> Result<Vec<String>, StoreError> {
        let prefix = (!self.path.as_ref().is_empty()).then_some(&self.path);
        let metas: Vec<object_store::ObjectMeta> =
            block_on(self.store.list(prefix).try_collect::<Vec<_>>())?
                .map_err(|e| self.failed("list", e))?;
        let mut out: Vec<String> = metas
            .iter()
            .filter(|m| keep(m.location.as_ref()))
            .map(|m| self.sibling(&m.location))
            .collect();
        out.sort();
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_parse_and_bad_ones_say_why() {
        let u = ObjectUrl::parse("file:///tmp/a/b.scap").unwrap();
        assert_eq!(u.path.as_ref(), "tmp/a/b.scap");
        assert_eq!(u.sibling(&Path::from("tmp/c.scap")), "file:///tmp/c.scap");
        let p = ObjectUrl::parse("s3://bucket/traces/").unwrap();
        assert_eq!(p.path.as_ref(), "traces");
        assert_eq!(
            p.sibling(&Path::from("traces/a.scap")),
            "s3://bucket/traces/a.scap"
        );
        let err = ObjectUrl::parse("ftp://host/x").unwrap_err().to_string();
        assert!(
            err.contains("ftp://host/x") && err.contains("s3://"),
            "{err}"
        );
        assert!(is_url("s3://b/k") && !is_url("/tmp/k"));
    }
}
