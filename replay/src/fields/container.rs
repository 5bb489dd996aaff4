//! `container.*` and `k8s.*` fields: the container plugin's extractor (0.7.1, `extract.cpp`).
//!
//! Which container an event is about: for a container event, the container it describes;
//! otherwise the table entry of its thread's container id (the host's for the empty id).
//! Without a thread no field has a value. A container id without an entry (a container whose
//! metadata never came) gives only `container.id`, `container.start_ts` and
//! `container.duration`. With an entry every field has a value, empty strings and `false`
//! included, except lookups that find nothing (a label, a mount, a pod label, a sandbox) and
//! the deprecated fields, which never have one. The `k8s.*` fields come from the container's
//! labels and pod sandbox data, as the plugin has no Kubernetes client.

use std::borrow::Cow;
use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap};

use super::ctx::{Arg, Ctx};
use super::value::Out;
use crate::state::containers::{ContainerEvent, Mount};
use crate::state::{Container, Thread};

/// Length of the short ids (`k8s.pod.sandbox_id`, the sandbox table key).
const SHORT_ID_LEN: usize = 12;

/// The container an event is about.
struct View<'a> {
    /// The container id (`container.id` when there is no entry).
    id: Cow<'a, [u8]>,
    /// The table entry, or the container a container event describes.
    info: Option<Cow<'a, Container>>,
    /// The event's thread (none for container events: the plugin does not look it up).
    thread: Option<&'a Thread>,
}

fn view<'a>(c: &Ctx<'a>) -> Option<View<'a>> {
    if let Some(e) = ContainerEvent::of(&c.p) {
        let info = match e {
            ContainerEvent::Added(i) | ContainerEvent::Removed(i) => i,
        };
        return Some(View {
            id: Cow::Owned(info.id.clone().into_bytes()),
            info: Some(Cow::Owned(info)),
            thread: None,
        });
    }
    let t = c.thread()?;
    Some(View {
        id: Cow::Borrowed(&t.container_id),
        info: c.st.containers.get(&t.container_id).map(Cow::Borrowed),
        thread: Some(t),
    })
}

/// Labels as `container.labels` and `k8s.pod.labels` print them: sorted, `key:value` (`key`
/// alone for an empty value), `, ` between, annotations and `io.kubernetes.*` left out.
fn join_labels(labels: &BTreeMap<String, String>, b: &mut Vec<u8>) {
    let shown = labels
        .iter()
        .filter(|(k, _)| !k.starts_with("annotation.") && !k.starts_with("io.kubernetes."));
    for (i, (k, v)) in shown.enumerate() {
        if i > 0 {
            b.extend_from_slice(b", ");
        }
        b.extend_from_slice(k.as_bytes());
        if !v.is_empty() {
            b.push(b':');
            b.extend_from_slice(v.as_bytes());
        }
    }
}

/// Whether regular expression `pattern` (multi-line, searched anywhere, as the plugin's
/// RE/flex matcher) matches `text`. Compiled patterns are cached; an invalid one matches
/// nothing.
fn regex_finds(pattern: &str, text: &str) -> bool {
    thread_local! {
        static CACHE: RefCell<HashMap<String, Option<regex::Regex>>> = RefCell::new(HashMap::new());
    }
    CACHE.with(|cache| {
        let mut cache = cache.borrow_mut();
        if cache.len() > 256 {
            cache.clear();
        }
        cache
            .entry(pattern.to_owned())
            .or_insert_with(|| regex::Regex::new(&format!("(?m){pattern}")).ok())
            .as_ref()
            .is_some_and(|re| re.is_match(text))
    })
}

/// The mount a `container.mount*` argument selects: by index, else the first whose source
/// (for `container.mount.source`: destination) matches the argument as a regular expression.
fn mount<'m>(name: &str, arg: &Arg<'_>, m: &'m Container) -> Option<&'m Mount> {
    if let Some(i) = arg.index() {
        return usize::try_from(i).ok().and_then(|i| m.mounts.get(i));
    }
    let key = arg.key()?;
    m.mounts.iter().find(|mt| {
        let text = if name == "mount.source" {
            &mt.dest
        } else {
            &mt.source
        };
        regex_finds(key, text)
    })
}

/// Extracts `container.<name>`.
pub fn extract_container(name: &str, arg: &Arg<'_>, c: &Ctx<'_>, out: &mut Out) -> bool {
    let Some(v) = view(c) else { return false };
    match name {
        "id" => {
            out.str(v.info.as_ref().map_or(&v.id[..], |m| m.id.as_bytes()));
            return true;
        }
        // From the thread's pid namespace (kernel side), not from metadata.
        "start_ts" | "duration" => {
            let start = v.thread.map_or(0, |t| t.pidns_init_start_ts);
            if start == 0 {
                return false;
            }
            out.u64(if name == "start_ts" {
                start
            } else {
                c.p.ev.ts.wrapping_sub(start)
            });
            return true;
        }
        _ => {}
    }
    let Some(m) = v.info.as_deref() else {
        return false;
    };
    // sysdig 0.29 (no container plugin): the host has a name and a type only, and empty
    // metadata is missing rather than an empty string.
    if !c.libs && v.thread.is_some() && v.id.is_empty() {
        return matches!(name, "name" | "type") && {
            out.str(b"host");
            true
        };
    }
    let text = match name {
        "full_id" => &m.full_id,
        "name" => &m.name,
        "image" => &m.image,
        "image.id" => &m.image_id,
        "image.repository" => &m.image_repo,
        "image.tag" => &m.image_tag,
        "image.digest" => &m.image_digest,
        "type" => &m.ty,
        "ip" => &m.ip,
        "cni.json" => &m.cni_json,
        "privileged" | "host_pid" | "host_network" | "host_ipc" => {
            out.bool(match name {
                "privileged" => m.privileged,
                "host_pid" => m.host_pid,
                "host_network" => m.host_network,
                _ => m.host_ipc,
            });
            return true;
        }
        "label" => match arg.key().and_then(|k| m.label(k)) {
            Some(v) => v,
            None => return false,
        },
        "labels" => {
            out.build(|b| join_labels(&m.labels, b));
            return true;
        }
        "mounts" => {
            out.build(|b| {
                for (i, mt) in m.mounts.iter().enumerate() {
                    if i > 0 {
                        b.push(b',');
                    }
                    b.extend_from_slice(mt.render().as_bytes());
                }
            });
            return true;
        }
        "mount" | "mount.source" | "mount.dest" | "mount.mode" | "mount.rdwr"
        | "mount.propagation" => {
            let Some(mt) = mount(name, arg, m) else {
                return false;
            };
            let value = match name {
                "mount.source" => mt.source.clone(),
                "mount.dest" => mt.dest.clone(),
                "mount.mode" => mt.mode.clone(),
                "mount.rdwr" => (if mt.rw { "true" } else { "false" }).to_owned(),
                "mount.propagation" => mt.propagation.clone(),
                _ => mt.render(),
            };
            out.str(value.as_bytes());
            return true;
        }
        // Deprecated (healthcheck, liveness_probe, readiness_probe, and the plugin's
        // proc.is_container_healthcheck/liveness_probe/readiness_probe): never a value.
        _ => return false,
    };
    if !c.libs && text.is_empty() {
        return false;
    }
    out.str(text.as_bytes());
    true
}

/// The container label a `k8s.*` field reads.
const K8S_LABELS: &[(&str, &str)] = &[
    ("pod.name", "io.kubernetes.pod.name"),
    ("ns.name", "io.kubernetes.pod.namespace"),
    ("pod.uid", "io.kubernetes.pod.uid"),
    ("pod.id", "io.kubernetes.pod.uid"),
];

/// The pod sandbox's own entry, looked up when the container has no CNI result of its own
/// (the plugin keys it by the sandbox id's first 12 characters; an empty sandbox id finds
/// the host's entry).
fn sandbox<'a>(m: &Container, c: &Ctx<'a>) -> Option<&'a Container> {
    let id = m.pod_sandbox_id.as_bytes();
    c.st.containers.get(&id[..id.len().min(SHORT_ID_LEN)])
}

/// Extracts `k8s.<name>`.
pub fn extract_k8s(name: &str, arg: &Arg<'_>, c: &Ctx<'_>, out: &mut Out) -> bool {
    let found = plugin_k8s(name, arg, c, out);
    // sysdig 0.29 (no container plugin): empty metadata is missing, not an empty string.
    let empty_text = matches!(
        out.vals.as_slice(),
        [v @ crate::fields::value::Val::Str(_)] if out.bytes(v).is_empty()
    );
    if found && !c.libs && empty_text {
        out.clear();
        return false;
    }
    found
}

/// The container plugin's `k8s.*` values.
fn plugin_k8s(name: &str, arg: &Arg<'_>, c: &Ctx<'_>, out: &mut Out) -> bool {
    let Some(v) = view(c) else { return false };
    let Some(m) = v.info.as_deref() else {
        return false;
    };
    let own_cni = !m.cni_json.is_empty();
    match name {
        "pod.sandbox_id" | "pod.full_sandbox_id" => {
            let id = m.pod_sandbox_id.as_bytes();
            let n = if name == "pod.sandbox_id" {
                id.len().min(SHORT_ID_LEN)
            } else {
                id.len()
            };
            out.str(&id[..n]);
            true
        }
        "pod.label" => {
            let Some(key) = arg.key() else { return false };
            let from_sandbox = (!own_cni)
                .then(|| sandbox(m, c))
                .flatten()
                .and_then(|s| s.pod_sandbox_labels.get(key));
            match from_sandbox.or_else(|| m.pod_sandbox_labels.get(key)) {
                Some(v) => {
                    out.str(v.as_bytes());
                    true
                }
                None => false,
            }
        }
        "pod.labels" => {
            let labels = match (!own_cni).then(|| sandbox(m, c)).flatten() {
                Some(s) => &s.pod_sandbox_labels,
                None => &m.pod_sandbox_labels,
            };
            out.build(|b| join_labels(labels, b));
            true
        }
        "pod.ip" | "pod.cni.json" => {
            let source = if own_cni { Some(m) } else { sandbox(m, c) };
            match source {
                Some(s) => {
                    out.str(if name == "pod.ip" { &s.ip } else { &s.cni_json }.as_bytes());
                    true
                }
                None => false,
            }
        }
        // Deprecated (rc, svc, ns.id/label/labels, rs, deployment): never a value.
        _ => match K8S_LABELS.iter().find(|(f, _)| *f == name) {
            Some((_, label)) => match m.label(label) {
                Some(v) => {
                    out.str(v.as_bytes());
                    true
                }
                None => false,
            },
            None => false,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::state::State;
    use hindsight_format::encode::EventBuilder;
    use hindsight_format::event::EventRef;
    use hindsight_format::schema::event_ids_by_name;

    /// A record of event `name` (`id` picks among its versions) on thread `tid`.
    fn record(id: u16, tid: i64, params: &[&[u8]]) -> Vec<u8> {
        let mut b = EventBuilder::new(id, 1_000, tid);
        for p in params {
            b.raw(p);
        }
        b.build()
    }

    fn id_of(name: &str) -> u16 {
        event_ids_by_name(name).next().expect("known event")
    }

    /// Applies `rec` to `st`, then extracts the listed fields on it (`<NA>` when none).
    fn fields(st: &mut State, rec: &[u8], names: &[(&str, Arg<'_>)]) -> Vec<String> {
        let ev = EventRef::parse_v2(rec, 1, 0, 0).expect("well-formed record");
        st.apply(&ev);
        // Current libs' view: these tests hold the container plugin's values.
        let c = Ctx::applied(st, ev, true);
        names
            .iter()
            .map(|(n, arg)| {
                let mut out = Out::default();
                let ok = match n.split_once('.') {
                    Some(("k8s", sub)) => extract_k8s(sub, arg, &c, &mut out),
                    Some((_, sub)) => extract_container(sub, arg, &c, &mut out),
                    None => false,
                };
                if !ok {
                    return "<NA>".to_owned();
                }
                let mut b = Vec::new();
                out.render_all(b" ", &mut b);
                String::from_utf8_lossy(&b).into_owned()
            })
            .collect()
    }

    const DOCKER_ID: &str = "697956520d89aaaabbbbccccddddeeeeffff0000111122223333444455556666";

    /// The thread 7 in the docker container `697956520d89`.
    fn state_with_container_thread() -> State {
        let mut st = State::default();
        let mut t = Thread::unknown(7);
        t.cgroups = format!("cpu=/docker/{DOCKER_ID}\0").into_bytes();
        t.container_id = st.containers.attach(&t);
        st.threads.threads.insert(7, t);
        st
    }

    /// Pod sandbox data through an `asyncevent`, the container through a CONTAINER_JSON_2
    /// event: the values Falco 0.44 prints for the same metadata (checked with the
    /// reference on a capture carrying these JSONs).
    #[test]
    fn pod_fields_fall_back_to_the_sandbox_entry() {
        let mut st = state_with_container_thread();
        let sandbox = br#"{"container":{"id":"abcdef123456","type":7,"name":"POD","ip":"10.1.2.3","pod_sandbox_labels":{"app":"web","io.kubernetes.pod.uid":"u1","annotation.a":"b","tier":""}}}"#;
        let async_id = id_of("asyncevent");
        fields(
            &mut st,
            &record(
                async_id,
                -1,
                &[&0u32.to_le_bytes(), b"container\0", sandbox],
            ),
            &[],
        );
        let json = format!(
            r#"{{"container":{{"id":"697956520d89","type":8,"name":"n","privileged":true,"pod_sandbox_id":"abcdef123456{}","pod_sandbox_labels":{{"own":"x","app":"mine"}},"labels":{{"io.kubernetes.pod.name":"web-1","maintainer":"me","empty":""}}}}}}"#,
            "0".repeat(52)
        );
        let json_id = event_ids_by_name("container").max().expect("known event");
        let got = fields(
            &mut st,
            &record(json_id, -1, &[json.as_bytes()]),
            &[("container.name", Arg::None), ("container.type", Arg::None)],
        );
        assert_eq!(got, ["n", "cri-o"], "the container event's own container");
        let getuid = record(id_of("getuid"), 7, &[]);
        let got = fields(
            &mut st,
            &getuid,
            &[
                ("container.id", Arg::None),
                ("container.privileged", Arg::None),
                ("container.labels", Arg::None),
                ("container.label", Arg::Key("empty")),
                ("container.label", Arg::Key("nope")),
                ("k8s.pod.name", Arg::None),
                ("k8s.pod.sandbox_id", Arg::None),
                ("k8s.pod.label", Arg::Key("app")),
                ("k8s.pod.label", Arg::Key("own")),
                ("k8s.pod.labels", Arg::None),
                ("k8s.pod.ip", Arg::None),
                ("k8s.pod.cni.json", Arg::None),
                ("k8s.rs.name", Arg::None),
            ],
        );
        assert_eq!(
            got,
            [
                "697956520d89",
                "true",
                "empty, maintainer:me",
                "",
                "<NA>",
                "web-1",
                "abcdef123456",
                "web",
                "x",
                "app:web, tier",
                "10.1.2.3",
                "",
                "<NA>"
            ]
        );
    }

    #[test]
    fn host_without_metadata_and_removed() {
        let mut st = state_with_container_thread();
        let names = [
            ("container.id", Arg::None),
            ("container.name", Arg::None),
            ("container.image", Arg::None),
            ("container.privileged", Arg::None),
            ("k8s.pod.ip", Arg::None),
        ];
        // No metadata for the thread's container: only its id.
        let getuid = record(id_of("getuid"), 7, &[]);
        let got = fields(&mut st, &getuid, &names);
        assert_eq!(got, ["697956520d89", "<NA>", "<NA>", "<NA>", "<NA>"]);
        // A host thread: the host entry, empty strings and false rather than no value.
        let got = fields(&mut st, &record(id_of("getuid"), 8, &[]), &names);
        assert_eq!(got, ["host", "host", "", "false", ""]);
        // Added, then removed by `container_removed`.
        let json = br#"{"container":{"id":"697956520d89","name":"web"}}"#;
        let async_id = id_of("asyncevent");
        let added = record(async_id, -1, &[&0u32.to_le_bytes(), b"container\0", json]);
        fields(&mut st, &added, &[]);
        assert_eq!(fields(&mut st, &getuid, &names[1..2]), ["web"]);
        let removed = record(
            async_id,
            -1,
            &[&0u32.to_le_bytes(), b"container_removed\0", json],
        );
        assert_eq!(
            fields(&mut st, &removed, &names[1..2]),
            ["web"],
            "its own event"
        );
        assert_eq!(fields(&mut st, &getuid, &names[1..2]), ["<NA>"]);
    }

    #[test]
    fn labels_are_joined_like_the_plugin() {
        let labels: BTreeMap<String, String> = [
            ("b", "2"),
            ("a", ""),
            ("io.kubernetes.pod.name", "p"),
            ("annotation.x", "y"),
        ]
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        let mut b = Vec::new();
        join_labels(&labels, &mut b);
        assert_eq!(b, b"a, b:2");
    }

    #[test]
    fn mounts_by_index_and_regex() {
        let m = Container {
            mounts: vec![
                Mount {
                    source: "/var/run/docker.sock".into(),
                    dest: "/host/var/run/docker.sock".into(),
                    ..Mount::default()
                },
                Mount {
                    source: "/proc".into(),
                    dest: "/host/proc".into(),
                    rw: true,
                    ..Mount::default()
                },
            ],
            ..Container::default()
        };
        let find = |name: &str, arg: Arg<'_>| mount(name, &arg, &m).map(|mt| mt.source.clone());
        assert_eq!(find("mount", Arg::Index(1)), Some("/proc".into()));
        assert_eq!(find("mount", Arg::Key("1")), Some("/proc".into()));
        assert_eq!(find("mount", Arg::Index(2)), None);
        // Searched anywhere in the source; `.source` searches destinations.
        assert_eq!(
            find("mount.dest", Arg::Key("docker")),
            Some("/var/run/docker.sock".into())
        );
        assert_eq!(
            find("mount.source", Arg::Key("^/host/proc$")),
            Some("/proc".into())
        );
        assert_eq!(find("mount.dest", Arg::Key("^/host")), None);
        assert_eq!(find("mount.dest", Arg::Key("(")), None);
    }
}
