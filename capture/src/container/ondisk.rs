//! Container metadata read from the files the OCI runtime and the engine keep on disk, for
//! hosts where no Docker-API socket answers (podman without `podman system service`,
//! containerd or CRI-O nodes, a stopped docker daemon).
//!
//! The path from a container id to its metadata:
//! 1. the runtime's `state.json` (`/run/runc/<id>/`, docker's `/run/docker/runtime-runc/moby/`,
//!    containerd's `/run/containerd/runc/<namespace>/`) names the OCI bundle (label
//!    `bundle=<dir>`);
//! 2. the bundle's `config.json` carries annotations: `io.podman.annotations.*` (podman),
//!    `io.kubernetes.cri.*` (containerd's CRI plugin), `io.kubernetes.cri-o.*` and
//!    `io.kubernetes.{pod,container}.*` (CRI-O);
//! 3. engine state next to the bundle: podman's bundle is
//!    `<graphroot>/<driver>-containers/<id>/userdata`, so `containers.json` beside it has the
//!    names and image id, `<driver>-images/images.json` the image names, and
//!    `libpod/bolt_state.db` the container's libpod config (labels, privileged); docker keeps
//!    `/var/lib/docker/containers/<id>/config.v2.json` and `hostconfig.json`.
//!
//! The result has the shape of the Docker API's inspect output (`Name`, `Image`,
//! `Config.Image`, `Config.Labels`, `HostConfig.Privileged`), so one function turns either
//! source into a CONTAINER_JSON event. Every read is best effort: a missing or damaged file
//! leaves its fields empty, nothing here fails or panics.

use std::path::{Path, PathBuf};

use serde_json::{json, Map, Value};

/// Where runtimes and engines keep their state; [`Roots::default`] is the standard layout.
#[derive(Clone, Debug)]
pub struct Roots {
    /// Directories holding `<id>/state.json` (runc's `--root`), or directories of such
    /// directories (containerd's per-namespace roots) when listed in `nested`.
    pub runtime: Vec<PathBuf>,
    /// Directories whose subdirectories are runtime roots (one per containerd namespace).
    pub nested: Vec<PathBuf>,
    /// Docker's container directory (`/var/lib/docker/containers`).
    pub docker: PathBuf,
}

impl Default for Roots {
    fn default() -> Self {
        Roots {
            runtime: vec!["/run/runc".into(), "/run/docker/runtime-runc/moby".into()],
            nested: vec!["/run/containerd/runc".into()],
            docker: "/var/lib/docker/containers".into(),
        }
    }
}

/// Inspect-shaped metadata of container `id` (full 64-hex id) from the standard locations,
/// `None` when no runtime state names it.
pub fn inspect(id: &str) -> Option<Value> {
    inspect_in(&Roots::default(), id)
}

/// [`inspect`] under other roots (tests, chroots).
pub fn inspect_in(roots: &Roots, id: &str) -> Option<Value> {
    // An id is a path component here: refuse anything that could climb out of a root.
    if id.is_empty() || !id.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return None;
    }
    let docker = docker_state(&roots.docker.join(id));
    let state = runtime_state(roots, id);
    if state.is_none() && docker.is_none() {
        return None;
    }
    let mut m = Meta::default();
    if let Some(bundle) = state.as_ref().and_then(bundle_of) {
        let config = read_json(&bundle.join("config.json")).unwrap_or(Value::Null);
        m.annotations(&config["annotations"]);
        m.podman(&bundle, id);
    }
    if let Some(d) = docker {
        m.fill_from(&d);
    }
    Some(m.into_inspect())
}

/// The name of container `id` alone, from the cheapest files that give it (runtime state,
/// bundle annotations, podman's containers.json, docker's config), for the recorder's scans
/// while it waits for a container by name.
pub fn name(id: &str) -> Option<String> {
    name_in(&Roots::default(), id)
}

fn name_in(roots: &Roots, id: &str) -> Option<String> {
    if id.is_empty() || !id.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return None;
    }
    if let Some(d) = docker_state(&roots.docker.join(id)) {
        return d["Name"]
            .as_str()
            .map(|n| n.trim_start_matches('/').to_string());
    }
    let bundle = bundle_of(&runtime_state(roots, id)?)?;
    let config = read_json(&bundle.join("config.json")).unwrap_or(Value::Null);
    let mut m = Meta::default();
    m.annotations(&config["annotations"]);
    if m.name.is_empty() {
        if let Some(dir) = bundle.parent().and_then(Path::parent) {
            let containers = read_json(&dir.join("containers.json")).unwrap_or_default();
            let c = containers
                .as_array()
                .into_iter()
                .flatten()
                .find(|c| c["id"] == id);
            Meta::set(&mut m.name, c.and_then(|c| c["names"][0].as_str()));
        }
    }
    (!m.name.is_empty()).then_some(m.name)
}

/// Metadata gathered from several files; the first source to give a field wins.
#[derive(Debug, Default)]
struct Meta {
    name: String,
    image: String,
    image_id: String,
    labels: Map<String, Value>,
    privileged: Option<bool>,
}

impl Meta {
    fn set(slot: &mut String, v: Option<&str>) {
        if slot.is_empty() {
            if let Some(v) = v.filter(|v| !v.is_empty()) {
                *slot = v.to_string();
            }
        }
    }

    /// Annotations of the bundle's config.json.
    fn annotations(&mut self, a: &Value) {
        let get = |k: &str| a[k].as_str();
        // containerd's CRI plugin
        Self::set(&mut self.name, get("io.kubernetes.cri.container-name"));
        Self::set(&mut self.image, get("io.kubernetes.cri.image-name"));
        // CRI-O (podman also writes io.kubernetes.cri-o.Created/TTY, never these)
        Self::set(&mut self.name, get("io.kubernetes.container.name"));
        Self::set(&mut self.image, get("io.kubernetes.cri-o.ImageName"));
        if let Some(Ok(Value::Object(l))) =
            get("io.kubernetes.cri-o.Labels").map(serde_json::from_str::<Value>)
        {
            for (k, v) in l {
                self.labels.entry(k).or_insert(v);
            }
        }
        // Kubernetes pod identity, as the labels libsinsp's k8s fields read.
        for (label, keys) in [
            (
                "io.kubernetes.pod.name",
                ["io.kubernetes.cri.sandbox-name", "io.kubernetes.pod.name"],
            ),
            (
                "io.kubernetes.pod.namespace",
                [
                    "io.kubernetes.cri.sandbox-namespace",
                    "io.kubernetes.pod.namespace",
                ],
            ),
        ] {
            if let Some(v) = keys.iter().find_map(|k| get(k)) {
                self.labels
                    .entry(label.to_string())
                    .or_insert_with(|| v.into());
            }
        }
        if let Some(p) = get("io.podman.annotations.privileged") {
            self.privileged = Some(p.eq_ignore_ascii_case("true"));
        }
    }

    /// podman's storage and libpod state beside a bundle `<graphroot>/<driver>-containers/<id>/userdata`.
    fn podman(&mut self, bundle: &Path, id: &str) {
        let Some(containers_dir) = bundle.parent().and_then(Path::parent) else {
            return;
        };
        let Some(driver) = containers_dir
            .file_name()
            .and_then(|n| n.to_str())
            .and_then(|n| n.strip_suffix("-containers"))
        else {
            return;
        };
        let Some(graphroot) = containers_dir.parent() else {
            return;
        };
        if let Some(libpod) = libpod_config(&graphroot.join("libpod/bolt_state.db"), id) {
            Self::set(&mut self.name, libpod["name"].as_str());
            Self::set(&mut self.image, libpod["rootfsImageName"].as_str());
            Self::set(&mut self.image_id, libpod["rootfsImageID"].as_str());
            for (k, v) in libpod["labels"].as_object().into_iter().flatten() {
                self.labels.entry(k.clone()).or_insert_with(|| v.clone());
            }
            if let Some(p) = libpod["privileged"].as_bool() {
                self.privileged.get_or_insert(p);
            }
        }
        let containers = read_json(&containers_dir.join("containers.json")).unwrap_or_default();
        if let Some(c) = containers
            .as_array()
            .into_iter()
            .flatten()
            .find(|c| c["id"] == id)
        {
            Self::set(&mut self.name, c["names"][0].as_str());
            Self::set(&mut self.image_id, c["image"].as_str());
            let meta: Value = c["metadata"]
                .as_str()
                .and_then(|m| serde_json::from_str(m).ok())
                .unwrap_or_default();
            Self::set(&mut self.image, meta["image-name"].as_str());
        }
        if self.image.is_empty() && !self.image_id.is_empty() {
            let images = read_json(&graphroot.join(format!("{driver}-images/images.json")))
                .unwrap_or_default();
            let name = images
                .as_array()
                .into_iter()
                .flatten()
                .find(|i| i["id"] == self.image_id.as_str())
                .and_then(|i| i["names"][0].as_str())
                .map(str::to_string);
            Self::set(&mut self.image, name.as_deref());
        }
    }

    /// Docker's own files, already in inspect shape.
    fn fill_from(&mut self, d: &Value) {
        Self::set(
            &mut self.name,
            d["Name"].as_str().map(|n| n.trim_start_matches('/')),
        );
        Self::set(&mut self.image, d["Config"]["Image"].as_str());
        Self::set(&mut self.image_id, d["Image"].as_str());
        for (k, v) in d["Config"]["Labels"].as_object().into_iter().flatten() {
            self.labels.entry(k.clone()).or_insert_with(|| v.clone());
        }
        if let Some(p) = d["HostConfig"]["Privileged"].as_bool() {
            self.privileged.get_or_insert(p);
        }
    }

    fn into_inspect(self) -> Value {
        json!({
            "Name": self.name,
            "Image": self.image_id,
            "Config": { "Image": self.image, "Labels": self.labels },
            "HostConfig": { "Privileged": self.privileged.unwrap_or(false) },
        })
    }
}

/// The runtime's `state.json` of `id` under any root.
fn runtime_state(roots: &Roots, id: &str) -> Option<Value> {
    let nested = roots.nested.iter().flat_map(|n| {
        std::fs::read_dir(n)
            .into_iter()
            .flatten()
            .flatten()
            .map(|e| e.path())
    });
    roots
        .runtime
        .iter()
        .cloned()
        .chain(nested)
        .find_map(|root| read_json(&root.join(id).join("state.json")))
}

/// The bundle directory runc records as label `bundle=<dir>` in its state.
fn bundle_of(state: &Value) -> Option<PathBuf> {
    state["config"]["labels"]
        .as_array()?
        .iter()
        .find_map(|l| l.as_str()?.strip_prefix("bundle="))
        .map(PathBuf::from)
}

/// Docker's `config.v2.json` with `hostconfig.json` merged in as `HostConfig`.
fn docker_state(dir: &Path) -> Option<Value> {
    let mut c = read_json(&dir.join("config.v2.json"))?;
    if let Some(h) = read_json(&dir.join("hostconfig.json")) {
        c["HostConfig"] = h;
    }
    Some(c)
}

/// The libpod container config of `id` stored in podman's bolt database.
///
/// Parsing BoltDB pages would mean a B+tree reader for one value; instead this relies on how
/// bolt stores values: each is contiguous in the file (large ones on consecutive overflow
/// pages), and libpod's container config is a JSON object that starts with `{"spec":` and
/// holds `"id":"<id>"`. Each candidate object is parsed and kept only if its `id` matches, so
/// a stale or unrelated copy cannot be mistaken for it.
fn libpod_config(db: &Path, id: &str) -> Option<Value> {
    // The database is small (tens of KiB per container); refuse absurd sizes.
    const MAX: u64 = 64 << 20;
    if std::fs::metadata(db).ok()?.len() > MAX {
        return None;
    }
    let data = std::fs::read(db).ok()?;
    let needle = format!("\"id\":\"{id}\"");
    let mut from = 0;
    while let Some(at) = find(&data[from..], needle.as_bytes()).map(|i| from + i) {
        from = at + needle.len();
        let Some(start) = rfind(&data[..at], b"{\"spec\":") else {
            continue;
        };
        let mut stream = serde_json::Deserializer::from_slice(&data[start..]).into_iter::<Value>();
        if let Some(Ok(v)) = stream.next() {
            if v["id"] == id {
                return Some(v);
            }
        }
    }
    None
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    memchr::memmem::find(hay, needle)
}

fn rfind(hay: &[u8], needle: &[u8]) -> Option<usize> {
    memchr::memmem::rfind(hay, needle)
}

fn read_json(p: &Path) -> Option<Value> {
    serde_json::from_slice(&std::fs::read(p).ok()?).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    const ID: &str = "8bd2458beb9ce641d7e308da97cbc1c75d786053c1e9e02176ea1e4851ea1cae";
    const IMG: &str = "03ecbdf3bbb0095912a20815515b804677ef0b743a0e1ba54f00be4ff0ad8c65";

    /// A podman layout as found on a real host: runc state, bundle, storage and bolt files.
    fn podman_tree(dir: &Path, with_bolt: bool) -> Roots {
        let graph = dir.join("storage");
        let bundle = graph.join("overlay-containers").join(ID).join("userdata");
        std::fs::create_dir_all(&bundle).unwrap();
        std::fs::create_dir_all(dir.join("runc").join(ID)).unwrap();
        std::fs::create_dir_all(graph.join("overlay-images")).unwrap();
        std::fs::create_dir_all(graph.join("libpod")).unwrap();
        let state = json!({"id": ID, "config": {"labels": [
            "io.podman.annotations.privileged=FALSE", format!("bundle={}", bundle.display())]}});
        std::fs::write(
            dir.join("runc").join(ID).join("state.json"),
            state.to_string(),
        )
        .unwrap();
        let config = json!({"annotations": {"io.podman.annotations.privileged": "TRUE",
            "io.kubernetes.cri-o.TTY": "false"}});
        std::fs::write(bundle.join("config.json"), config.to_string()).unwrap();
        let meta = json!({"image-name": "", "name": "web"}).to_string();
        let containers = json!([{"id": ID, "names": ["web"], "image": IMG, "metadata": meta}]);
        std::fs::write(
            graph.join("overlay-containers/containers.json"),
            containers.to_string(),
        )
        .unwrap();
        let images = json!([{"id": IMG, "names": ["localhost/nginx:latest"]}]);
        std::fs::write(graph.join("overlay-images/images.json"), images.to_string()).unwrap();
        if with_bolt {
            // Written by hand: libpod's key order (spec first) matters to the scan.
            let cfg = format!(
                r#"{{"spec":{{"x":1}},"id":"{ID}","name":"web","labels":{{"team":"blue"}},"privileged":true,"rootfsImageName":"localhost/nginx:latest"}}"#
            );
            let mut db = vec![0u8; 100];
            db.extend_from_slice(cfg.as_bytes());
            db.extend_from_slice(&[0xff; 50]);
            std::fs::write(graph.join("libpod/bolt_state.db"), db).unwrap();
        }
        Roots {
            runtime: vec![dir.join("runc")],
            nested: vec![dir.join("containerd")],
            docker: dir.join("docker"),
        }
    }

    #[test]
    fn podman_files_give_name_image_labels_privileged() {
        let dir = tempfile::tempdir().unwrap();
        let roots = podman_tree(dir.path(), true);
        let v = inspect_in(&roots, ID).unwrap();
        assert_eq!(v["Name"], "web");
        assert_eq!(v["Config"]["Image"], "localhost/nginx:latest");
        assert_eq!(v["Config"]["Labels"]["team"], "blue");
        assert_eq!(v["Image"], IMG);
        assert_eq!(v["HostConfig"]["Privileged"], true);
    }

    #[test]
    fn without_libpod_state_the_image_name_comes_from_images_json() {
        let dir = tempfile::tempdir().unwrap();
        let roots = podman_tree(dir.path(), false);
        let v = inspect_in(&roots, ID).unwrap();
        assert_eq!(v["Name"], "web");
        assert_eq!(v["Config"]["Image"], "localhost/nginx:latest");
        assert_eq!(v["HostConfig"]["Privileged"], true, "from the annotation");
        assert_eq!(name_in(&roots, ID).as_deref(), Some("web"));
        assert_eq!(name_in(&roots, &"f".repeat(64)), None);
    }

    #[test]
    fn cri_annotations_under_a_containerd_namespace() {
        let dir = tempfile::tempdir().unwrap();
        let bundle = dir.path().join("bundle");
        let ns = dir.path().join("containerd/k8s.io").join(ID);
        std::fs::create_dir_all(&bundle).unwrap();
        std::fs::create_dir_all(&ns).unwrap();
        let state = json!({"config": {"labels": [format!("bundle={}", bundle.display())]}});
        std::fs::write(ns.join("state.json"), state.to_string()).unwrap();
        let config = json!({"annotations": {
            "io.kubernetes.cri.container-name": "app",
            "io.kubernetes.cri.image-name": "docker.io/library/redis:7",
            "io.kubernetes.cri.sandbox-name": "redis-0",
            "io.kubernetes.cri.sandbox-namespace": "prod"}});
        std::fs::write(bundle.join("config.json"), config.to_string()).unwrap();
        let roots = Roots {
            runtime: vec![],
            nested: vec![dir.path().join("containerd")],
            docker: dir.path().join("docker"),
        };
        let v = inspect_in(&roots, ID).unwrap();
        assert_eq!(v["Name"], "app");
        assert_eq!(v["Config"]["Image"], "docker.io/library/redis:7");
        assert_eq!(v["Config"]["Labels"]["io.kubernetes.pod.name"], "redis-0");
        assert_eq!(v["Config"]["Labels"]["io.kubernetes.pod.namespace"], "prod");
    }

    #[test]
    fn unknown_damaged_or_hostile_ids_give_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let roots = podman_tree(dir.path(), true);
        assert!(inspect_in(&roots, &"f".repeat(64)).is_none());
        assert!(inspect_in(&roots, "../../etc").is_none());
        assert!(inspect_in(&roots, "").is_none());
        // damaged files: the state is there, the rest is garbage
        std::fs::write(
            dir.path()
                .join("storage/overlay-containers/containers.json"),
            b"{[",
        )
        .unwrap();
        std::fs::write(
            dir.path().join("storage/libpod/bolt_state.db"),
            b"{\"spec\":",
        )
        .unwrap();
        let v = inspect_in(&roots, ID).unwrap();
        assert_eq!(v["Name"], "");
    }
}
