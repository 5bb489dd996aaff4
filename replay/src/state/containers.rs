//! Containers: the id of a thread's container from its cgroup paths, and the metadata
//! (name, image, labels, privileged, mounts...) that CONTAINER_JSON events carry.
//!
//! The id rules are libsinsp's container engines (SCAP_FORMAT.md §7.5, the same tables as
//! the falcosecurity container plugin): for each cgroup path and each `(prefix, suffix)`
//! pattern, the text after the last `prefix` up to the last `suffix` must be 64 hex digits;
//! the id is its first 12. No match means the host.

use std::collections::HashMap;

/// `(prefix, suffix)` patterns in engine order: podman, docker, CRI (cri-o, containerd),
/// cri-dockerd. An empty suffix means "to the end of the path".
const PATTERNS: &[(&[u8], &[u8])] = &[
    (b"/libpod-", b".scope"),
    (b"/libpod-", b".scope/container"),
    (b"/libpod-", b""),
    (b"/", b""),
    (b"/docker-", b".scope"),
    (b"/crio-", b""),
    (b"/cri-containerd-", b".scope"),
    (b"/crio-", b".scope"),
    (b":cri-containerd:", b""),
];

fn rfind(hay: &[u8], needle: &[u8]) -> Option<usize> {
    if needle.is_empty() || needle.len() > hay.len() {
        return None;
    }
    (0..=hay.len() - needle.len())
        .rev()
        .find(|&i| &hay[i..i + needle.len()] == needle)
}

/// The 12-character container id encoded in one cgroup path, if any.
pub fn id_from_cgroup(path: &[u8]) -> Option<&[u8]> {
    for (prefix, suffix) in PATTERNS {
        let Some(start) = rfind(path, prefix).map(|i| i + prefix.len()) else {
            continue;
        };
        let rest = &path[start..];
        let candidate = if suffix.is_empty() {
            rest
        } else {
            match rfind(rest, suffix) {
                Some(end) => &rest[..end],
                None => continue,
            }
        };
        if candidate.len() == 64 && candidate.iter().all(u8::is_ascii_hexdigit) {
            return Some(&candidate[..12]);
        }
    }
    None
}

/// Metadata of one container.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Container {
    /// Short id (12 hex chars).
    pub id: String,
    /// Runtime (`docker`, `cri-o`, `containerd`, `podman`...).
    pub ty: String,
    /// Name.
    pub name: String,
    /// Image as given (`nginx:latest`).
    pub image: String,
    /// Image id.
    pub image_id: String,
    /// Image repository.
    pub image_repo: String,
    /// Image tag.
    pub image_tag: String,
    /// Image digest.
    pub image_digest: String,
    /// Whether the container is privileged (`None` when not reported).
    pub privileged: Option<bool>,
    /// IP address.
    pub ip: String,
    /// Labels in the order the runtime reported them.
    pub labels: Vec<(String, String)>,
    /// Mounts: source, destination, mode, read-write, propagation.
    pub mounts: Vec<Mount>,
}

/// One mount of a container.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Mount {
    /// Host path.
    pub source: String,
    /// Path inside the container.
    pub dest: String,
    /// Mode string (`ro`, `z`...).
    pub mode: String,
    /// Read-write.
    pub rw: bool,
    /// Propagation (`rprivate`...).
    pub propagation: String,
}

/// The `type` numbers of libsinsp's `sinsp_container_type`, by position.
const RUNTIME_NAMES: &[&str] = &[
    "docker",
    "lxc",
    "libvirt-lxc",
    "mesos",
    "rkt",
    "cri",
    "containerd",
    "cri-o",
    "bpm",
    "static",
    "podman",
];

fn s(v: &serde_json::Value, key: &str) -> String {
    v.get(key)
        .and_then(serde_json::Value::as_str)
        .unwrap_or_default()
        .to_owned()
}

impl Container {
    /// Parses the JSON of a CONTAINER_JSON event; `None` when it is not an object with an id.
    pub fn from_json(json: &[u8]) -> Option<Container> {
        let root: serde_json::Value = serde_json::from_slice(json).ok()?;
        let c = root.get("container")?;
        let id = c.get("id")?.as_str()?.to_owned();
        let ty = match c.get("type") {
            Some(serde_json::Value::Number(n)) => n
                .as_u64()
                .and_then(|i| RUNTIME_NAMES.get(i as usize))
                .map_or_else(String::new, |n| (*n).to_owned()),
            Some(serde_json::Value::String(t)) => t.clone(),
            _ => String::new(),
        };
        let labels = c
            .get("labels")
            .and_then(serde_json::Value::as_object)
            .map(|m| {
                m.iter()
                    .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_owned()))
                    .collect()
            })
            .unwrap_or_default();
        let mounts = c
            .get("Mounts")
            .and_then(serde_json::Value::as_array)
            .map(|a| {
                a.iter()
                    .map(|m| Mount {
                        source: s(m, "Source"),
                        dest: s(m, "Destination"),
                        mode: s(m, "Mode"),
                        rw: m.get("RW").and_then(serde_json::Value::as_bool) == Some(true),
                        propagation: s(m, "Propagation"),
                    })
                    .collect()
            })
            .unwrap_or_default();
        Some(Container {
            id,
            ty,
            name: s(c, "name"),
            image: s(c, "image"),
            image_id: s(c, "imageid"),
            image_repo: s(c, "imagerepo"),
            image_tag: s(c, "imagetag"),
            image_digest: s(c, "imagedigest"),
            privileged: c.get("privileged").and_then(serde_json::Value::as_bool),
            ip: s(c, "ip"),
            labels,
            mounts,
        })
    }

    /// The value of label `key`.
    pub fn label(&self, key: &str) -> Option<&str> {
        self.labels
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }
}

/// Containers seen in the trace, by short id.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Containers {
    /// Containers by id.
    pub by_id: HashMap<String, Container>,
}

impl Containers {
    /// The container `id`.
    pub fn get(&self, id: &[u8]) -> Option<&Container> {
        std::str::from_utf8(id)
            .ok()
            .and_then(|id| self.by_id.get(id))
    }

    /// Records the container of a CONTAINER_JSON event.
    pub fn add_json(&mut self, json: &[u8]) {
        if let Some(c) = Container::from_json(json) {
            self.by_id.insert(c.id.clone(), c);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ID: &str = "6979565207b31e4d1be8d0c2e8bd0e21b8bc1e29f9a4f9de1d7e6b49a76c94f3";

    #[test]
    fn ids_from_cgroup_paths() {
        let cases = [
            format!("/docker/{ID}"),
            format!("/system.slice/docker-{ID}.scope"),
            format!("/kubepods/besteffort/pod1/{ID}"),
            format!("/machine.slice/libpod-{ID}.scope/container"),
            format!("/libpod_parent/libpod-{ID}"),
            format!("/kubepods.slice/crio-{ID}.scope"),
            format!("/system.slice/containerd.service/kubepods-x:cri-containerd:{ID}"),
        ];
        for c in &cases {
            assert_eq!(
                id_from_cgroup(c.as_bytes()),
                Some(&ID.as_bytes()[..12]),
                "{c}"
            );
        }
        assert_eq!(
            id_from_cgroup(b"/user.slice/user-1000.slice/session-1.scope"),
            None
        );
        assert_eq!(id_from_cgroup(b"/"), None);
        assert_eq!(id_from_cgroup(b""), None);
    }

    #[test]
    fn json_metadata() {
        let json = br#"{"container":{"Mounts":[{"Source":"/a","Destination":"/b","Mode":"","RW":true,"Propagation":"rprivate"}],"id":"9dbcbd0c435f","image":"nginx:latest","imagerepo":"nginx","imagetag":"latest","labels":{"k":"v"},"name":"epic_cray","privileged":true,"type":0}}"#;
        let c = Container::from_json(json).unwrap();
        assert_eq!(c.id, "9dbcbd0c435f");
        assert_eq!(c.ty, "docker");
        assert_eq!(c.privileged, Some(true));
        assert_eq!(c.label("k"), Some("v"));
        assert_eq!(c.mounts[0].dest, "/b");
        assert!(Container::from_json(b"garbage").is_none());
    }
}
