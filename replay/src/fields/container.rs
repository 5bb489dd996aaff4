//! `container.*` and `k8s.*` fields: the container of the event's thread.
//!
//! The id comes from the thread's cgroups (`host` when none matches); the rest from the
//! container's CONTAINER_JSON event. The Kubernetes fields are read from the container
//! labels that the CRI runtimes set (`io.kubernetes.pod.name`...), which is where current
//! Falco's container plugin takes them from too.

use super::ctx::{Arg, Ctx};
use super::value::Out;
use crate::state::Container;

fn container<'a>(c: &Ctx<'a>) -> Option<(&'a [u8], Option<&'a Container>)> {
    let t = c.thread()?;
    if t.container_id.is_empty() {
        return Some((b"", None));
    }
    Some((&t.container_id, c.st.containers.get(&t.container_id)))
}

/// Whether `text` matches a pattern with `*` wildcards (as `container.mount.*[pattern]`).
fn wildcard(pat: &[u8], text: &[u8]) -> bool {
    match pat.iter().position(|&b| b == b'*') {
        None => pat == text,
        Some(i) => {
            let (head, tail) = (&pat[..i], &pat[i + 1..]);
            text.starts_with(head)
                && (0..=text.len() - head.len()).any(|k| wildcard(tail, &text[head.len() + k..]))
        }
    }
}

/// Extracts `container.<name>`.
pub fn extract_container(name: &str, arg: &Arg<'_>, c: &Ctx<'_>, out: &mut Out) -> bool {
    let Some((id, meta)) = container(c) else {
        return false;
    };
    if id.is_empty() {
        match name {
            "id" | "name" | "type" => out.str(b"host"),
            _ => return false,
        }
        return true;
    }
    if name == "id" {
        out.str(id);
        return true;
    }
    let Some(m) = meta else { return false };
    let s = |v: &str, out: &mut Out| {
        if v.is_empty() {
            false
        } else {
            out.str(v.as_bytes());
            true
        }
    };
    match name {
        "name" => s(&m.name, out),
        "image" => s(&m.image, out),
        "image.id" => s(&m.image_id, out),
        "image.repository" => s(&m.image_repo, out),
        "image.tag" => s(&m.image_tag, out),
        "image.digest" => s(&m.image_digest, out),
        "type" => s(&m.ty, out),
        "ip" => s(&m.ip, out),
        "privileged" => match m.privileged {
            Some(p) => {
                out.bool(p);
                true
            }
            None => false,
        },
        "label" => match arg.key().and_then(|k| m.label(k)) {
            Some(v) => s(v, out),
            None => false,
        },
        "labels" => {
            out.build(|b| {
                for (i, (k, v)) in m.labels.iter().enumerate() {
                    if i > 0 {
                        b.extend_from_slice(b", ");
                    }
                    b.extend_from_slice(k.as_bytes());
                    b.push(b':');
                    b.extend_from_slice(v.as_bytes());
                }
            });
            true
        }
        "mounts" => {
            out.build(|b| {
                for (i, mt) in m.mounts.iter().enumerate() {
                    if i > 0 {
                        b.push(b',');
                    }
                    let rw: &str = if mt.rw { "true" } else { "false" };
                    for (j, part) in [&mt.source, &mt.dest, &mt.mode, rw, &mt.propagation]
                        .iter()
                        .enumerate()
                    {
                        if j > 0 {
                            b.push(b':');
                        }
                        b.extend_from_slice(part.as_bytes());
                    }
                }
            });
            true
        }
        "mount" | "mount.source" | "mount.dest" | "mount.mode" | "mount.rdwr"
        | "mount.propagation" => {
            let found = match arg {
                Arg::Index(i) => m.mounts.get(*i as usize),
                Arg::Key(k) => match k.parse::<usize>() {
                    Ok(i) => m.mounts.get(i),
                    Err(_) => m.mounts.iter().find(|mt| {
                        wildcard(k.as_bytes(), mt.source.as_bytes())
                            || wildcard(k.as_bytes(), mt.dest.as_bytes())
                    }),
                },
                Arg::None => None,
            };
            let Some(mt) = found else { return false };
            match name {
                "mount.source" => s(&mt.source, out),
                "mount.dest" => s(&mt.dest, out),
                "mount.mode" => s(&mt.mode, out),
                "mount.rdwr" => s(if mt.rw { "true" } else { "false" }, out),
                "mount.propagation" => s(&mt.propagation, out),
                _ => {
                    let rw = if mt.rw { "true" } else { "false" };
                    out.str(
                        format!(
                            "{}:{}:{}:{}:{}",
                            mt.source, mt.dest, mt.mode, rw, mt.propagation
                        )
                        .as_bytes(),
                    );
                    true
                }
            }
        }
        _ => false,
    }
}

/// The container label a `k8s.*` field reads.
const K8S_LABELS: &[(&str, &str)] = &[
    ("pod.name", "io.kubernetes.pod.name"),
    ("ns.name", "io.kubernetes.pod.namespace"),
    ("pod.uid", "io.kubernetes.pod.uid"),
    ("pod.id", "io.kubernetes.pod.uid"),
    ("container.name", "io.kubernetes.container.name"),
];

/// Extracts `k8s.<name>`.
pub fn extract_k8s(name: &str, arg: &Arg<'_>, c: &Ctx<'_>, out: &mut Out) -> bool {
    let Some((_, Some(m))) = container(c) else {
        return false;
    };
    let value = match name {
        "pod.label" | "pod.labels" => match arg.key() {
            Some(k) => m.label(k),
            None => None,
        },
        _ => K8S_LABELS
            .iter()
            .find(|(f, _)| *f == name)
            .and_then(|(_, l)| m.label(l)),
    };
    match value.filter(|v| !v.is_empty()) {
        Some(v) => {
            out.str(v.as_bytes());
            true
        }
        None => false,
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn wildcards() {
        assert!(super::wildcard(b"/proc*", b"/proc/sys"));
        assert!(super::wildcard(b"*", b""));
        assert!(!super::wildcard(b"/proc*", b"/pro"));
        assert!(super::wildcard(b"/a", b"/a"));
    }
}
