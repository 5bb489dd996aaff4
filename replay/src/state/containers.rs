//! Containers: the container plugin's table of container metadata, and which container a
//! thread is in.
//!
//! As in the falcosecurity container plugin (0.7.1), the table is keyed by the short id and
//! filled from the container events a capture carries (`container` events of the old
//! CONTAINER_E / CONTAINER_JSON / CONTAINER_JSON_2 kinds, and `asyncevent`s named `container`
//! or `container_removed`). The host is the entry of the empty id, present unless an event
//! replaces it. A thread's container id comes from its cgroups through the engine matchers
//! of [`super::matchers`]; engines that know a container without a runtime (lxc, libvirt-lxc,
//! bpm) add a bare entry of their type when they match.
//!
//! JSON is read as the plugin's `container_info_json.cpp` reads it: a missing key takes its
//! default, a key of the wrong type makes the whole event unreadable (nlohmann throws).

use std::collections::{BTreeMap, HashMap};
use std::sync::OnceLock;

use serde_json::{Map, Value};

use super::event::Paired;
use super::matchers;
use super::threads::Thread;

/// Metadata of one container (the plugin's `container_info`, the fields Falco can print).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Container {
    /// Short id (12 hex characters for runc runtimes; the plugin's key).
    pub id: String,
    /// Full id.
    pub full_id: String,
    /// Runtime type as `container.type` prints it (`docker`, `cri-o`...; empty for the
    /// types the plugin has no name for).
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
    /// Whether the container is privileged.
    pub privileged: bool,
    /// Primary IP address.
    pub ip: String,
    /// CNI result of the pod, as JSON text.
    pub cni_json: String,
    /// Shares the host's pid namespace.
    pub host_pid: bool,
    /// Shares the host's network namespace.
    pub host_network: bool,
    /// Shares the host's ipc namespace.
    pub host_ipc: bool,
    /// Labels, sorted by key (the plugin keeps a `std::map`).
    pub labels: BTreeMap<String, String>,
    /// Mounts: source, destination, mode, read-write, propagation.
    pub mounts: Vec<Mount>,
    /// Full id of the pod sandbox (Kubernetes).
    pub pod_sandbox_id: String,
    /// Labels of the pod sandbox, sorted by key.
    pub pod_sandbox_labels: BTreeMap<String, String>,
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

impl Mount {
    /// `source:dest:mode:rdwr:propagation`, as `container.mount` prints it.
    pub fn render(&self) -> String {
        let rw = if self.rw { "true" } else { "false" };
        format!(
            "{}:{}:{}:{}:{}",
            self.source, self.dest, self.mode, rw, self.propagation
        )
    }
}

/// `container.type` of a runtime type number (the plugin's `container_type` and its
/// `to_string`): custom (5), static (10) and unknown numbers have no name.
pub fn type_name(code: u64) -> &'static str {
    const NAMES: &[(u64, &str)] = &[
        (0, "docker"),
        (1, "lxc"),
        (2, "libvirt-lxc"),
        (3, "mesos"),
        (4, "rkt"),
        (6, "cri"),
        (7, "containerd"),
        (8, "cri-o"),
        (9, "bpm"),
        (11, "podman"),
        (0xfffe, "host"),
    ];
    NAMES
        .iter()
        .find(|(c, _)| *c == code)
        .map_or("", |(_, n)| n)
}

/// A key read as the plugin's `json.value(key, default)`: the default when absent, `Err`
/// when present with another type (including `null`).
fn value<T>(
    obj: &Map<String, Value>,
    key: &str,
    conv: impl Fn(&Value) -> Option<T>,
) -> Result<Option<T>, ()> {
    match obj.get(key) {
        None => Ok(None),
        Some(v) => conv(v).map(Some).ok_or(()),
    }
}

fn string(obj: &Map<String, Value>, key: &str) -> Result<String, ()> {
    Ok(value(obj, key, |v| v.as_str().map(str::to_owned))?.unwrap_or_default())
}

fn boolean(obj: &Map<String, Value>, key: &str) -> Result<bool, ()> {
    Ok(value(obj, key, Value::as_bool)?.unwrap_or(false))
}

/// A map of strings read as the plugin's `object_from_json`: absent or `null` is empty.
fn string_map(obj: &Map<String, Value>, key: &str) -> Result<BTreeMap<String, String>, ()> {
    match obj.get(key) {
        None | Some(Value::Null) => Ok(BTreeMap::new()),
        Some(Value::Object(m)) => m
            .iter()
            .map(|(k, v)| Ok((k.clone(), v.as_str().ok_or(())?.to_owned())))
            .collect(),
        Some(_) => Err(()),
    }
}

fn mounts(obj: &Map<String, Value>) -> Result<Vec<Mount>, ()> {
    match obj.get("Mounts") {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::Array(a)) => a
            .iter()
            .map(|m| {
                let m = m.as_object().ok_or(())?;
                Ok(Mount {
                    source: string(m, "Source")?,
                    dest: string(m, "Destination")?,
                    mode: string(m, "Mode")?,
                    rw: boolean(m, "RW")?,
                    propagation: string(m, "Propagation")?,
                })
            })
            .collect(),
        Some(_) => Err(()),
    }
}

impl Container {
    /// The host's entry: id, full id, name and type `host`, everything else empty.
    pub fn host() -> &'static Container {
        static HOST: OnceLock<Container> = OnceLock::new();
        HOST.get_or_init(|| Container {
            id: "host".into(),
            full_id: "host".into(),
            name: "host".into(),
            ty: "host".into(),
            ..Container::default()
        })
    }

    /// Parses the JSON of a container event (`{"container": {...}}`); `None` when the plugin
    /// could not read it (not JSON, no `container` object, a key of the wrong type).
    pub fn from_json(json: &[u8]) -> Option<Container> {
        // The plugin reads the parameter as a C string.
        let json = super::event::trim_nul(json);
        let root: Value = serde_json::from_slice(json).ok()?;
        let c = root.get("container")?.as_object()?;
        Container::from_object(c).ok()
    }

    fn from_object(c: &Map<String, Value>) -> Result<Container, ()> {
        let ty = value(c, "type", Value::as_u64)?.map_or("", type_name);
        Ok(Container {
            id: string(c, "id")?,
            full_id: string(c, "full_id")?,
            ty: ty.to_owned(),
            name: string(c, "name")?,
            image: string(c, "image")?,
            image_id: string(c, "imageid")?,
            image_repo: string(c, "imagerepo")?,
            image_tag: string(c, "imagetag")?,
            image_digest: string(c, "imagedigest")?,
            privileged: boolean(c, "privileged")?,
            ip: string(c, "ip")?,
            cni_json: string(c, "cni_json")?,
            host_pid: boolean(c, "host_pid")?,
            host_network: boolean(c, "host_network")?,
            host_ipc: boolean(c, "host_ipc")?,
            labels: string_map(c, "labels")?,
            mounts: mounts(c)?,
            pod_sandbox_id: string(c, "pod_sandbox_id")?,
            pod_sandbox_labels: string_map(c, "pod_sandbox_labels")?,
        })
    }

    /// The value of label `key`.
    pub fn label(&self, key: &str) -> Option<&str> {
        self.labels.get(key).map(String::as_str)
    }
}

/// What a container event does to the table.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ContainerEvent {
    /// Adds (or replaces) the container.
    Added(Container),
    /// Removes the container (`asyncevent` named `container_removed`).
    Removed(Container),
}

impl ContainerEvent {
    /// The container the event describes.
    pub fn container(&self) -> &Container {
        match self {
            ContainerEvent::Added(c) | ContainerEvent::Removed(c) => c,
        }
    }

    /// The container event `p` is, if it is one the plugin reads and can decode
    /// (`parse.cpp`): `container` events of every version, and `asyncevent`s named
    /// `container` or `container_removed`.
    pub fn of(p: &Paired<'_>) -> Option<ContainerEvent> {
        let name = p.ev.info()?.name;
        match name {
            "container" => {
                if let Some(json) = p.bytes("json") {
                    return Container::from_json(json).map(ContainerEvent::Added);
                }
                // The oldest kind: id, type number, name and image.
                let s =
                    |k: &str| String::from_utf8_lossy(p.str(k).unwrap_or_default()).into_owned();
                Some(ContainerEvent::Added(Container {
                    id: s("id"),
                    ty: type_name(p.int("type").unwrap_or(-1) as u64).to_owned(),
                    name: s("name"),
                    image: s("image"),
                    ..Container::default()
                }))
            }
            "asyncevent" => {
                let which = p.str("name")?;
                let c = || p.bytes("data").and_then(Container::from_json);
                match which {
                    b"container" => c().map(ContainerEvent::Added),
                    b"container_removed" => c().map(ContainerEvent::Removed),
                    _ => None,
                }
            }
            _ => None,
        }
    }
}

/// The container table, by short id.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Containers {
    /// Containers by id. The host is implicit under the empty id (see [`Containers::get`]).
    pub by_id: HashMap<String, Container>,
    attached: AttachMemo,
}

/// What the last [`Containers::attach`] read from its cgroups: the children of a process share
/// its cgroups, and matching them against every engine's layouts again was 2% of a replay.
/// Derived data, ignored by equality.
#[derive(Clone, Debug, Default)]
struct AttachMemo(Option<Attached>);

#[derive(Clone, Debug)]
struct Attached {
    cgroups: Vec<u8>,
    id: Vec<u8>,
    /// The id and type of the bare container the last match records, if its engine has one.
    bare: Option<(Vec<u8>, &'static str)>,
}

impl PartialEq for AttachMemo {
    fn eq(&self, _: &AttachMemo) -> bool {
        true
    }
}

impl Eq for AttachMemo {}

impl Containers {
    /// The entry of container `id`: the table's, else the host's for the empty id.
    pub fn get(&self, id: &[u8]) -> Option<&Container> {
        let id = std::str::from_utf8(id).ok()?;
        match self.by_id.get(id) {
            Some(c) => Some(c),
            None if id.is_empty() => Some(Container::host()),
            None => None,
        }
    }

    /// Records the container of a container event's JSON (ignored when unreadable).
    pub fn add_json(&mut self, json: &[u8]) {
        if let Some(c) = Container::from_json(json) {
            self.by_id.insert(c.id.clone(), c);
        }
    }

    /// Applies a container event (added or removed).
    pub fn apply_event(&mut self, p: &Paired<'_>) {
        match ContainerEvent::of(p) {
            Some(ContainerEvent::Added(c)) => {
                self.by_id.insert(c.id.clone(), c);
            }
            Some(ContainerEvent::Removed(c)) => {
                self.by_id.remove(&c.id);
            }
            None => {}
        }
    }

    /// The container id of thread `t` from its cgroups (empty for the host), recording the
    /// bare container of engines that need no runtime (the plugin's `on_new_process`).
    pub fn attach(&mut self, t: &Thread) -> Vec<u8> {
        let known = match &self.attached.0 {
            Some(a) if a.cgroups == t.cgroups => a,
            _ => {
                let (id, last) = matchers::match_cgroups(t.cgroup_pairs().map(|(_, path)| path));
                let bare = last.and_then(|m| m.engine.bare_type.map(|ty| (m.id, ty)));
                self.attached.0.insert(Attached {
                    cgroups: t.cgroups.clone(),
                    id,
                    bare,
                })
            }
        };
        // The bare container is recorded again for every thread, as the plugin does.
        if let Some((id, ty)) = &known.bare {
            let id = String::from_utf8_lossy(id).into_owned();
            let bare = Container {
                id: id.clone(),
                ty: (*ty).to_owned(),
                ..Container::default()
            };
            self.by_id.insert(id, bare);
        }
        known.id.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_metadata() {
        let json = br#"{"container":{"Mounts":[{"Source":"/a","Destination":"/b","Mode":"","RW":true,"Propagation":"rprivate"}],"id":"9dbcbd0c435f","image":"nginx:latest","imagerepo":"nginx","imagetag":"latest","labels":{"k":"v","a":""},"name":"epic_cray","privileged":true,"type":0,"pod_sandbox_labels":null}}"#;
        let c = Container::from_json(json).unwrap();
        assert_eq!(c.id, "9dbcbd0c435f");
        assert_eq!(c.ty, "docker");
        assert!(c.privileged);
        assert_eq!(c.label("k"), Some("v"));
        assert_eq!(c.labels.keys().collect::<Vec<_>>(), ["a", "k"]);
        assert_eq!(c.mounts[0].render(), "/a:/b::true:rprivate");
        assert!(c.pod_sandbox_labels.is_empty());
    }

    #[test]
    fn unreadable_json() {
        assert!(Container::from_json(b"garbage").is_none());
        assert!(Container::from_json(br#"{"other":{}}"#).is_none());
        // nlohmann's value() throws on a key of another type.
        assert!(Container::from_json(br#"{"container":{"type":"docker"}}"#).is_none());
        assert!(Container::from_json(br#"{"container":{"name":null}}"#).is_none());
        assert!(Container::from_json(br#"{"container":{"labels":{"a":1}}}"#).is_none());
        // Missing keys take defaults; the type of a number without a name is empty.
        let c = Container::from_json(br#"{"container":{"type":5}}"#).unwrap();
        assert_eq!(
            (c.id.as_str(), c.ty.as_str(), c.privileged),
            ("", "", false)
        );
    }

    #[test]
    fn host_entry() {
        let mut t = Containers::default();
        assert_eq!(t.get(b"").map(|c| c.name.as_str()), Some("host"));
        assert!(t.get(b"abc").is_none());
        t.by_id.insert("abc".into(), Container::default());
        assert!(t.get(b"abc").is_some());
    }

    #[test]
    fn bare_containers_of_runtime_less_engines() {
        let mut table = Containers::default();
        let mut t = Thread::unknown(1);
        // (`/lxc/web` alone is the generic containerd engine's `/<namespace>/<id>`.)
        t.cgroups = b"cpu=/\0memory=/lxc/web/init.scope\0".to_vec();
        assert_eq!(table.attach(&t), b"web");
        assert_eq!(table.get(b"web").map(|c| c.ty.as_str()), Some("lxc"));
        let id = "6979565207b31e4d1be8d0c2e8bd0e21b8bc1e29f9a4f9de1d7e6b49a76c94f3";
        t.cgroups = format!("cpu=/\0memory=/docker/{id}\0").into_bytes();
        assert_eq!(table.attach(&t), b"6979565207b3");
        assert!(table.get(b"6979565207b3").is_none());
    }
}
