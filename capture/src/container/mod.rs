//! Containers: the id in a cgroup path, metadata from the runtime's Docker Engine API (which
//! podman also serves) on a unix socket or, when no socket answers, from the runtime's and the
//! engine's files ([`ondisk`]), and the CONTAINER_JSON event (272) libsinsp reads. [`locate`]
//! finds the container a recording is scoped to.
//!
//! The JSON follows libsinsp's container_info schema (`{"container": {"id", "name", "image",
//! "imagerepo", "imagetag", "imageid", "type", "privileged", "Mounts", "labels", ...}}`).

use std::io::{Read, Write};
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde_json::{json, Value};

pub mod locate;
pub mod ondisk;

/// scap event id of CONTAINER_JSON_E.
pub const CONTAINER_JSON_E: u16 = 272;

/// libsinsp container types (`CT_*`).
const CT_DOCKER: u64 = 0;
const CT_CRI: u64 = 6;
const CT_CONTAINERD: u64 = 7;
const CT_CRIO: u64 = 8;
const CT_PODMAN: u64 = 11;

/// The full (64 hex) container id in one cgroup path, and the engine type it implies.
///
/// Matches the last path component `(docker-|libpod-|cri-containerd-|crio-)?<64 hex>(.scope)?`
/// (docker, podman incl. `/libpod_parent/libpod-<id>`, containerd, cri-o, kubepods) and
/// `/docker/<64 hex>`.
pub fn id_from_cgroup(path: &str) -> Option<(String, u64)> {
    let mut comps = path.rsplit('/');
    let last = comps.next()?;
    let last = if last == "container" {
        comps.next()?
    } else {
        last
    };
    let last = last.strip_suffix(".scope").unwrap_or(last);
    let (rest, ty) = [
        ("docker-", CT_DOCKER),
        ("libpod-", CT_PODMAN),
        ("cri-containerd-", CT_CONTAINERD),
        ("crio-", CT_CRIO),
    ]
    .iter()
    .find_map(|(p, t)| last.strip_prefix(p).map(|r| (r, *t)))
    .unwrap_or((
        last,
        if path.contains("kubepods") {
            CT_CRI
        } else {
            CT_DOCKER
        },
    ));
    (rest.len() == 64 && rest.bytes().all(|b| b.is_ascii_hexdigit()))
        .then(|| (rest.to_string(), ty))
}

/// The container of a list of `(subsystem, path)` cgroups, if any.
pub fn id_from_cgroups<'a>(cgroups: impl IntoIterator<Item = &'a [u8]>) -> Option<(String, u64)> {
    cgroups
        .into_iter()
        .find_map(|p| id_from_cgroup(std::str::from_utf8(p).ok()?))
}

/// A Docker Engine API endpoint on a unix socket.
#[derive(Clone, Debug)]
pub struct ContainerApi {
    socket: PathBuf,
}

impl ContainerApi {
    /// The first reachable socket among `explicit`, `$DOCKER_HOST` (unix://), podman's and
    /// docker's default paths. An `explicit` path `none` disables the API: metadata then
    /// comes from the files on disk only.
    pub fn discover(explicit: Option<&Path>) -> Option<ContainerApi> {
        if explicit == Some(Path::new("none")) {
            return None;
        }
        let mut candidates: Vec<PathBuf> = explicit.map(Path::to_path_buf).into_iter().collect();
        if let Ok(h) = std::env::var("DOCKER_HOST") {
            if let Some(p) = h.strip_prefix("unix://") {
                candidates.push(p.into());
            }
        }
        candidates.extend(["/run/podman/podman.sock", "/var/run/docker.sock"].map(PathBuf::from));
        candidates
            .into_iter()
            .find(|p| UnixStream::connect(p).is_ok())
            .map(|socket| ContainerApi { socket })
    }

    /// `GET /v1.41/containers/<id>/json`, `None` when unreachable or unknown.
    pub fn inspect(&self, id: &str) -> Option<Value> {
        let mut s = UnixStream::connect(&self.socket).ok()?;
        s.set_read_timeout(Some(Duration::from_secs(2))).ok()?;
        write!(
            s,
            "GET /v1.41/containers/{id}/json HTTP/1.0\r\nHost: localhost\r\n\r\n"
        )
        .ok()?;
        let mut resp = Vec::new();
        s.read_to_end(&mut resp).ok()?;
        let body_at = resp.windows(4).position(|w| w == b"\r\n\r\n")? + 4;
        if !resp.starts_with(b"HTTP/1.1 200") && !resp.starts_with(b"HTTP/1.0 200") {
            return None;
        }
        serde_json::from_slice(&resp[body_at..]).ok()
    }
}

/// Inspect-shaped metadata of container `full_id`: from the API when one answers and knows
/// it, otherwise from the files on disk ([`ondisk::inspect`]).
pub fn inspect(api: Option<&ContainerApi>, full_id: &str) -> Option<Value> {
    api.and_then(|a| a.inspect(full_id))
        .or_else(|| ondisk::inspect(full_id))
}

/// The CONTAINER_JSON payload for container `full_id` of engine type `ty`, from the API's
/// inspect output when there is one (otherwise id and type only).
pub fn container_json(full_id: &str, ty: u64, inspect: Option<&Value>) -> String {
    let empty = json!({});
    let i = inspect.unwrap_or(&empty);
    let image = i["Config"]["Image"].as_str().unwrap_or_default();
    // image "localhost/nginx:latest" -> repo "localhost/nginx", tag "latest"
    let (repo, tag) = match image.rsplit_once(':') {
        Some((r, t)) if !t.contains('/') => (r, t),
        _ => (image, if image.is_empty() { "" } else { "latest" }),
    };
    let mounts: Vec<Value> = i["Mounts"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|m| {
            json!({
                "Source": m["Source"], "Destination": m["Destination"],
                "Mode": m["Mode"], "RW": m["RW"], "Propagation": m["Propagation"],
            })
        })
        .collect();
    let c = json!({
        "id": &full_id[..12.min(full_id.len())],
        "name": i["Name"].as_str().unwrap_or_default().trim_start_matches('/'),
        "image": image,
        "imagerepo": repo,
        "imagetag": tag,
        "imageid": i["Image"].as_str().unwrap_or_default().trim_start_matches("sha256:"),
        "imagedigest": "",
        "type": ty,
        "privileged": i["HostConfig"]["Privileged"].as_bool().unwrap_or(false),
        "Mounts": mounts,
        "labels": i["Config"]["Labels"].as_object().cloned().unwrap_or_default(),
        "env": [],
        "ip": i["NetworkSettings"]["IPAddress"].as_str().unwrap_or_default(),
        "port_mappings": [],
        "is_pod_sandbox": false,
        "memory_limit": 0, "swap_limit": 0, "cpu_shares": 1024, "cpu_quota": 0, "cpu_period": 100000,
        "metadata_deadline": 0,
    });
    json!({ "container": c }).to_string()
}

/// The CONTAINER_JSON_E record (tid −1) carrying `json`, at time `ts`.
pub fn container_event(json: &str, ts: u64) -> Vec<u8> {
    hindsight_format::EventBuilder::new(CONTAINER_JSON_E, ts, -1)
        .str(json.as_bytes())
        .build()
}

#[cfg(test)]
mod tests {
    use super::*;

    const ID: &str = "6979565200000000000000000000000000000000000000000000000000d894f3";

    #[test]
    fn cgroup_patterns() {
        for (p, ty) in [
            (format!("/docker/{ID}"), CT_DOCKER),
            (format!("/system.slice/docker-{ID}.scope"), CT_DOCKER),
            (format!("/libpod_parent/libpod-{ID}"), CT_PODMAN),
            (
                format!("/machine.slice/libpod-{ID}.scope/container"),
                CT_PODMAN,
            ),
            (
                format!("/system.slice/cri-containerd-{ID}.scope"),
                CT_CONTAINERD,
            ),
            (
                format!("/kubepods/besteffort/pod1/crio-{ID}.scope"),
                CT_CRIO,
            ),
            (format!("/kubepods/besteffort/pod1/{ID}"), CT_CRI),
        ] {
            assert_eq!(id_from_cgroup(&p), Some((ID.to_string(), ty)), "{p}");
        }
        for p in [
            "/",
            "/process_api/7c9b05a2ed848550d49311abf54f7936",
            "/docker/abc",
            "",
        ] {
            assert_eq!(id_from_cgroup(p), None, "{p}");
        }
    }

    #[test]
    fn json_from_inspect() {
        let inspect = json!({"Name": "/web", "Image": "sha256:abc", "Config": {"Image": "localhost/nginx:latest",
            "Labels": {"a": "b"}}, "HostConfig": {"Privileged": true},
            "Mounts": [{"Source": "/s", "Destination": "/d", "Mode": "", "RW": true, "Propagation": "rprivate"}]});
        let j: Value =
            serde_json::from_str(&container_json(ID, CT_PODMAN, Some(&inspect))).unwrap();
        let c = &j["container"];
        assert_eq!(c["id"], "697956520000");
        assert_eq!(c["name"], "web");
        assert_eq!(c["image"], "localhost/nginx:latest");
        assert_eq!(c["imagerepo"], "localhost/nginx");
        assert_eq!(c["imagetag"], "latest");
        assert_eq!(c["imageid"], "abc");
        assert_eq!(c["privileged"], true);
        assert_eq!(c["type"], CT_PODMAN);
        assert_eq!(c["labels"]["a"], "b");
        assert_eq!(c["Mounts"][0]["Destination"], "/d");
        let bare: Value = serde_json::from_str(&container_json(ID, CT_DOCKER, None)).unwrap();
        assert_eq!(bare["container"]["name"], "");
    }

    #[test]
    fn event_record() {
        let r = container_event("{}", 5);
        assert_eq!(u16::from_le_bytes([r[20], r[21]]), CONTAINER_JSON_E);
        assert_eq!(i64::from_le_bytes(r[8..16].try_into().unwrap()), -1);
        assert!(r.ends_with(b"{}\0"));
    }
}
