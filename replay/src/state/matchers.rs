//! Cgroup matchers: which cgroup paths put a thread in a container, and the container's id.
//!
//! This is the container plugin's (0.7.1) `matchers/` directory as data: [`ENGINES`] lists
//! the engines in the order `matcher.cpp` registers them with the default configuration
//! (podman, docker, cri, containerd, lxc, libvirt-lxc, bpm), each with how it reads a path.
//! The first engine that resolves a path wins. A thread's cgroups are tried in their order
//! until one yields a non-empty id ([`match_cgroups`]); none means the host (empty id).
//!
//! Most engines only produce an id: the container's type and the rest of its metadata come
//! from the runtime later (container events in a capture). lxc, libvirt-lxc and bpm know
//! everything they ever will from the path, so they also produce a bare container of their
//! type, which the plugin stores in its table at once.
//!
//! The runc rule is reproduced with its quirks, because Falco's verdicts depend on them:
//! the "64 hex digits" test only checks the characters before absolute offset 64 of the whole
//! path, and the generic containerd engine takes any `/<namespace>/<id>` whose id has at most
//! 64 characters, unless the path ends like a systemd unit.

use std::sync::OnceLock;

/// Length of a full runc container id.
const FULL_ID_LEN: usize = 64;
/// Length of the id the matchers report.
const SHORT_ID_LEN: usize = 12;

/// How one engine reads a cgroup path.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Rule {
    /// runc layouts: `(prefix, suffix)` pairs tried in order; the text after the last
    /// `prefix` up to the last `suffix` (the end for an empty suffix) is a 64-digit id.
    Runc(&'static [(&'static str, &'static str)]),
    /// containerd's own containers (`ctr run`): `/<namespace>/<id>`, the namespace being the
    /// first `/name/` of the path, the id up to 64 characters.
    ContainerdNamespace,
    /// lxc: the path component after `/lxc/`, `/lxc.payload/` or `/lxc.payload.`.
    Lxc,
    /// libvirt-lxc: `<id>.libvirt-lxc`, `machine-lxc\x2d<id>.scope[/libvirt]`, `/libvirt/lxc/<id>`.
    LibvirtLxc,
    /// Cloud Foundry BPM: `bpm-<id>[.scope]`.
    Bpm,
}

/// One container engine of the plugin.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Engine {
    /// The engine's name in the plugin's configuration.
    pub name: &'static str,
    /// How it reads a cgroup path.
    pub rule: Rule,
    /// The `container.type` of the bare container the engine creates on a match, for
    /// engines that get no metadata from a runtime; `None` when metadata comes later.
    pub bare_type: Option<&'static str>,
}

/// podman (`ROOT_PODMAN_CGROUP_LAYOUT`).
const PODMAN: &[(&str, &str)] = &[
    ("/libpod-", ".scope"),
    ("/libpod-", ".scope/container"),
    ("/libpod-", ""),
    ("/libpod-payload-", ".scope"),
    ("/libpod-payload-", ".scope/container"),
    ("/libpod-payload-", ""),
];

/// docker (`DOCKER_CGROUP_LAYOUT`).
const DOCKER: &[(&str, &str)] = &[("/", ""), ("/docker-", ".scope")];

/// CRI runtimes: containerd, cri-o, cri-dockerd (`CRI_CGROUP_LAYOUT`).
const CRI: &[(&str, &str)] = &[
    ("/", ""),
    ("/crio-", ""),
    ("/cri-containerd-", ".scope"),
    ("/crio-", ".scope"),
    (":cri-containerd:", ""),
    ("/docker-", ".scope"),
];

/// The engines in registration order; the first that resolves a path wins.
pub const ENGINES: &[Engine] = &[
    Engine {
        name: "podman",
        rule: Rule::Runc(PODMAN),
        bare_type: None,
    },
    Engine {
        name: "docker",
        rule: Rule::Runc(DOCKER),
        bare_type: None,
    },
    Engine {
        name: "cri",
        rule: Rule::Runc(CRI),
        bare_type: None,
    },
    Engine {
        name: "containerd",
        rule: Rule::ContainerdNamespace,
        bare_type: None,
    },
    Engine {
        name: "lxc",
        rule: Rule::Lxc,
        bare_type: Some("lxc"),
    },
    Engine {
        name: "libvirt_lxc",
        rule: Rule::LibvirtLxc,
        bare_type: Some("libvirt-lxc"),
    },
    Engine {
        name: "bpm",
        rule: Rule::Bpm,
        bare_type: Some("bpm"),
    },
];

/// A cgroup path resolved to a container.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Match {
    /// The container id (may be empty: the lxc rules accept an empty component).
    pub id: Vec<u8>,
    /// The engine that resolved it.
    pub engine: &'static Engine,
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    memchr::memmem::find(hay, needle)
}

fn rfind(hay: &[u8], needle: &[u8]) -> Option<usize> {
    memchr::memmem::rfind(hay, needle)
}

/// `match_one_container_id` of the plugin's `runc.cpp`.
fn runc_one(path: &[u8], prefix: &[u8], suffix: &[u8], containerd: bool) -> Option<Vec<u8>> {
    let start = rfind(path, prefix)? + prefix.len();
    // Both ends are searched in the whole path; a suffix before the prefix gives a negative
    // length, which the plugin's unsigned arithmetic turns into "too long".
    let end = if suffix.is_empty() {
        path.len()
    } else {
        rfind(path, suffix)?
    };
    let len = end.checked_sub(start)?;
    // The plugin checks `find_first_not_of(hex, start) >= 64`: an absolute offset, so only
    // the characters before offset 64 of the path must be hex digits.
    let first_non_hex = path[start..]
        .iter()
        .position(|b| !b.is_ascii_hexdigit())
        .map(|i| i + start);
    if len == FULL_ID_LEN && first_non_hex.is_none_or(|i| i >= FULL_ID_LEN) {
        return Some(path[start..start + SHORT_ID_LEN].to_vec());
    }
    if len > FULL_ID_LEN || len == 0 {
        return None;
    }
    // Ids of other lengths are containerd's own (`ctr`), unless the path is a systemd unit.
    let systemd_unit = [".service", ".slice", ".scope"]
        .iter()
        .any(|s| path.ends_with(s.as_bytes()));
    if containerd && !systemd_unit {
        return Some(path[start..start + len.min(SHORT_ID_LEN)].to_vec());
    }
    None
}

fn runc(path: &[u8], layouts: &[(&str, &str)], containerd: bool) -> Option<Vec<u8>> {
    layouts
        .iter()
        .find_map(|(p, s)| runc_one(path, p.as_bytes(), s.as_bytes(), containerd))
}

/// The containerd namespace: the first `/name/` of the path, slashes included.
fn containerd_namespace(path: &[u8]) -> Option<&[u8]> {
    static RE: OnceLock<Option<regex::bytes::Regex>> = OnceLock::new();
    RE.get_or_init(|| regex::bytes::Regex::new(r"/([A-Za-z0-9]+(?:[._-][A-Za-z0-9]+)*)/").ok())
        .as_ref()?
        .find(path)
        .map(|m| m.as_bytes())
}

fn lxc(path: &[u8]) -> Option<Vec<u8>> {
    ["/lxc/", "/lxc.payload/", "/lxc.payload."]
        .iter()
        .find_map(|layout| {
            let start = find(path, layout.as_bytes())? + layout.len();
            let end = memchr::memchr(b'/', &path[start..]).map_or(path.len(), |i| start + i);
            Some(path[start..end].to_vec())
        })
}

fn libvirt_lxc(path: &[u8]) -> Option<Vec<u8>> {
    // Non-systemd: `.../<id>.libvirt-lxc`, the marker's first occurrence ending the path.
    const MARK: &[u8] = b".libvirt-lxc";
    if let Some(pos) = find(path, MARK).filter(|&p| p + MARK.len() == path.len()) {
        if let Some(slash) = memchr::memrchr(b'/', path) {
            return Some(path[slash + 1..pos].to_vec());
        }
    }
    // systemd: `machine-lxc\x2d<id>.scope` (optionally `/libvirt`); the id starts one
    // character after the marker, skipping the `d` of `\x2d`.
    const SYSTEMD: &[u8] = b"-lxc\\x2";
    if let Some(pos) = find(path, SYSTEMD) {
        let delim: &[u8] = if find(path, b".scope/libvirt").is_some() {
            b".scope/libvirt"
        } else {
            b".scope"
        };
        if let Some(end) = find(path, delim).filter(|&e| e + delim.len() == path.len()) {
            let start = pos + SYSTEMD.len() + 1;
            // A delimiter overlapping the marker makes the plugin's length wrap around
            // (the id runs to the end); a start past the end throws there (no match here).
            let end = if end >= start { end } else { path.len() };
            return path.get(start..end).map(<[u8]>::to_vec);
        }
    }
    // Legacy: `/libvirt/lxc/<id>`.
    const LEGACY: &[u8] = b"/libvirt/lxc/";
    find(path, LEGACY).map(|pos| path[pos + LEGACY.len()..].to_vec())
}

fn bpm(path: &[u8]) -> Option<Vec<u8>> {
    let start = find(path, b"bpm-")? + 4;
    let end = find(&path[start..], b".scope").map_or(path.len(), |i| start + i);
    let id = &path[start..end];
    // BPM ids are made of these characters only (bpm-release's jobid encoding).
    let valid = |b: &u8| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-');
    (!id.is_empty() && id.iter().all(valid)).then(|| id.to_vec())
}

impl Engine {
    /// The container id this engine reads in `path`, if it recognises it.
    pub fn resolve(&self, path: &[u8]) -> Option<Vec<u8>> {
        match self.rule {
            Rule::Runc(layouts) => runc(path, layouts, false),
            Rule::ContainerdNamespace => {
                let ns = containerd_namespace(path)?;
                runc_one(path, ns, b"", true)
            }
            Rule::Lxc => lxc(path),
            Rule::LibvirtLxc => libvirt_lxc(path),
            Rule::Bpm => bpm(path),
        }
    }
}

/// The first engine that resolves one cgroup path, and the id it reads.
pub fn match_cgroup(path: &[u8]) -> Option<Match> {
    ENGINES
        .iter()
        .find_map(|engine| engine.resolve(path).map(|id| Match { id, engine }))
}

/// The container of a thread from its cgroup paths, in their order: the id of the first
/// path that yields a non-empty one (empty for the host), and the last match, whose engine
/// may carry a bare container (`compute_container_id_for_thread` of the plugin).
pub fn match_cgroups<'a>(paths: impl IntoIterator<Item = &'a [u8]>) -> (Vec<u8>, Option<Match>) {
    let mut id = Vec::new();
    let mut last = None;
    for path in paths.into_iter().filter(|p| !p.is_empty()) {
        if let Some(m) = match_cgroup(path) {
            id.clone_from(&m.id);
            last = Some(m);
        }
        if !id.is_empty() {
            break;
        }
    }
    (id, last)
}

#[cfg(test)]
mod tests {
    use super::*;

    const ID: &str = "6979565207b31e4d1be8d0c2e8bd0e21b8bc1e29f9a4f9de1d7e6b49a76c94f3";

    fn m(path: &str) -> Option<(String, &'static str)> {
        match_cgroup(path.as_bytes())
            .map(|m| (String::from_utf8_lossy(&m.id).into_owned(), m.engine.name))
    }

    fn short() -> String {
        ID[..12].to_owned()
    }

    #[test]
    fn docker() {
        assert_eq!(m(&format!("/docker/{ID}")), Some((short(), "docker")));
        assert_eq!(
            m(&format!("/system.slice/docker-{ID}.scope")),
            Some((short(), "docker"))
        );
    }

    #[test]
    fn cri_containerd_and_crio() {
        // The non-systemd CRI layout is docker's `/<id>`: docker's engine claims it first.
        assert_eq!(
            m(&format!("/kubepods/besteffort/pod1/{ID}")),
            Some((short(), "docker"))
        );
        assert_eq!(
            m(&format!(
                "/kubepods.slice/kubepods-besteffort.slice/cri-containerd-{ID}.scope"
            )),
            Some((short(), "cri"))
        );
        assert_eq!(
            m(&format!(
                "/system.slice/containerd.service/kubepods-x:cri-containerd:{ID}"
            )),
            Some((short(), "cri"))
        );
        assert_eq!(
            m(&format!("/kubepods.slice/crio-{ID}.scope")),
            Some((short(), "cri"))
        );
        assert_eq!(m(&format!("/kubepods/crio-{ID}")), Some((short(), "cri")));
    }

    #[test]
    fn podman_with_and_without_scope() {
        for p in [
            format!("/machine.slice/libpod-{ID}.scope"),
            format!("/machine.slice/libpod-{ID}.scope/container"),
            format!("/libpod_parent/libpod-{ID}"),
            format!("/user.slice/user-1000.slice/user@1000.service/user.slice/libpod-payload-{ID}.scope"),
        ] {
            assert_eq!(m(&p), Some((short(), "podman")), "{p}");
        }
    }

    #[test]
    fn generic_containerd_namespace() {
        assert_eq!(
            m("/default/mycontainer"),
            Some(("mycontainer".into(), "containerd"))
        );
        // Ids longer than 12 characters are truncated, up to 64 accepted.
        assert_eq!(
            m("/k8s.io/0123456789abcdef0123456789abcdef"),
            Some(("0123456789ab".into(), "containerd"))
        );
        assert_eq!(m(&format!("/ns/{}", "x".repeat(65))), None);
        // What this machine's host processes look like in the memory controller.
        assert_eq!(
            m("/user/0123456789abcdef0123456789abcdef"),
            Some(("0123456789ab".into(), "containerd"))
        );
    }

    #[test]
    fn systemd_units_are_not_containers() {
        for p in [
            "/user.slice/user-1000.slice/session-1.scope",
            "/system.slice/cron.service",
            "/system.slice/docker.service",
            "/user.slice",
            "/init.scope",
            "/machine.slice/foo.slice",
        ] {
            assert_eq!(m(p), None, "{p}");
        }
    }

    #[test]
    fn host() {
        assert_eq!(m("/"), None);
        assert_eq!(m(""), None);
        assert_eq!(match_cgroups([b"/".as_slice(), b""]).0, b"");
    }

    #[test]
    fn hex_check_is_absolute() {
        // A 64-character last component passes once it starts past offset 64, hex or not.
        let deep = format!("/{}/{}", "a".repeat(70), "z".repeat(64));
        assert_eq!(m(&deep), Some(("z".repeat(12), "docker")));
        // Before offset 64 a non-hex character fails the runc rules; the generic containerd
        // engine accepts any id up to 64 characters and truncates it.
        assert_eq!(
            m(&format!("/ns/{}", "z".repeat(64))),
            Some(("z".repeat(12), "containerd"))
        );
    }

    #[test]
    fn lxc_libvirt_bpm() {
        assert_eq!(m("/lxc/web/init.scope"), Some(("web".into(), "lxc")));
        assert_eq!(
            m("/lxc.payload.web/init.scope"),
            Some(("web".into(), "lxc"))
        );
        assert_eq!(m("/web.libvirt-lxc"), Some(("web".into(), "libvirt_lxc")));
        assert_eq!(
            m("/machine.slice/machine-lxc\\x2d2293906\\x2dweb.scope"),
            Some(("2293906\\x2dweb".into(), "libvirt_lxc"))
        );
        // Engines registered earlier claim some of these layouts first.
        assert_eq!(
            m("/machine/web.libvirt-lxc"),
            Some(("web.libvirt-".into(), "containerd"))
        );
        assert_eq!(
            m("/libvirt/lxc/web"),
            Some(("lxc/web".into(), "containerd"))
        );
        assert_eq!(
            m("/x/libvirt/lxc/web.scope"),
            Some(("web.scope".into(), "lxc"))
        );
        assert_eq!(
            m("/system.slice/bpm-job_1.scope"),
            Some(("job_1".into(), "bpm"))
        );
    }

    #[test]
    fn first_path_with_an_id_wins() {
        let docker = format!("/docker/{ID}");
        let (id, last) = match_cgroups([
            b"/user.slice".as_slice(),
            docker.as_bytes(),
            b"/default/other",
        ]);
        assert_eq!(id, short().as_bytes());
        assert_eq!(last.map(|m| m.engine.name), Some("docker"));
    }
}
