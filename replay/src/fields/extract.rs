//! Field extraction: from a catalogue [`FieldId`] to the class extractor that computes it.
//!
//! Each catalogue name is split once into its class (`evt`, `proc`, `thread`, `fd`, `user`,
//! `group`, `container`, `k8s`, `fdlist`, `fs.path`) and the rest of the name; [`extractor`] keeps that split
//! per id in a table built on first use, so the per-event path is one table lookup plus the
//! class extractor's match on a short name.

use std::sync::OnceLock;

use super::catalog::{FieldId, FIELDS};
use super::ctx::{Arg, Ctx};
use super::value::Out;
use super::{container, evt, fd, fdlist, fspath, proc, user};

/// The class of a field: which extractor module computes it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Class {
    /// `evt.*`.
    Evt,
    /// `proc.*`.
    Proc,
    /// `thread.*`.
    Thread,
    /// `fd.*`.
    Fd,
    /// `fdlist.*`.
    FdList,
    /// `fs.path.*`.
    FsPath,
    /// `user.*`.
    User,
    /// `group.*`.
    Group,
    /// `container.*`.
    Container,
    /// `k8s.*`.
    K8s,
    /// `syscall.*`.
    Syscall,
}

/// Class prefixes and their classes.
const CLASSES: &[(&str, Class)] = &[
    ("evt.", Class::Evt),
    // Declared by the container plugin (deprecated, never a value), so computed with it.
    ("proc.is_container_", Class::Container),
    ("proc.", Class::Proc),
    ("thread.", Class::Thread),
    ("fd.", Class::Fd),
    ("fdlist.", Class::FdList),
    ("fs.path.", Class::FsPath),
    ("user.", Class::User),
    ("group.", Class::Group),
    ("container.", Class::Container),
    ("k8s.", Class::K8s),
    ("syscall.", Class::Syscall),
];

/// A resolved field: its class and its name within the class (`aname` for `proc.aname`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Extractor {
    /// The class.
    pub class: Class,
    /// The name after the class prefix.
    pub sub: &'static str,
}

/// Resolves a full field name (`proc.aname`).
pub fn resolve(name: &'static str) -> Option<Extractor> {
    CLASSES.iter().find_map(|(prefix, class)| {
        name.strip_prefix(prefix)
            .map(|sub| Extractor { class: *class, sub })
    })
}

/// The extractor of catalogue field `id`.
pub fn extractor(id: FieldId) -> Option<Extractor> {
    static TABLE: OnceLock<Vec<Option<Extractor>>> = OnceLock::new();
    TABLE
        .get_or_init(|| FIELDS.iter().map(|f| resolve(f.name)).collect())
        .get(id.0 as usize)
        .copied()
        .flatten()
}

impl Extractor {
    /// Pushes the field's values for the event in `c` into `out` (which is not cleared);
    /// `false` when the field has no value (`<NA>`).
    pub fn extract(&self, arg: &Arg<'_>, c: &Ctx<'_>, out: &mut Out) -> bool {
        match self.class {
            Class::Evt => evt::extract(self.sub, arg, c, out),
            Class::Proc => proc::extract_proc(self.sub, arg, c, out),
            Class::Thread => proc::extract_thread(self.sub, arg, c, out),
            Class::Fd => fd::extract(self.sub, arg, c, out),
            Class::FdList => fdlist::extract(self.sub, c, out),
            Class::FsPath => fspath::extract(self.sub, c, out),
            Class::User => user::extract_user(self.sub, arg, c, out),
            Class::Group => user::extract_group(self.sub, arg, c, out),
            Class::Container => container::extract_container(self.sub, arg, c, out),
            Class::K8s => container::extract_k8s(self.sub, arg, c, out),
            Class::Syscall => evt::extract_syscall(self.sub, arg, c, out),
        }
    }
}

/// Extracts catalogue field `id` for the event in `c` into `out` (cleared first).
pub fn extract(id: FieldId, arg: &Arg<'_>, c: &Ctx<'_>, out: &mut Out) -> bool {
    out.clear();
    extractor(id).is_some_and(|x| x.extract(arg, c, out))
}

/// Extracts a field by its full name (`proc.name`, `evt.arg.fd`, `proc.aname[2]`), for the
/// outputs' context columns and tests. Unknown names give `false`.
pub fn extract_by_name(name: &str, c: &Ctx<'_>, out: &mut Out) -> bool {
    out.clear();
    let (base, bracket) = match name.find('[') {
        Some(i) if name.ends_with(']') => (&name[..i], Some(&name[i + 1..name.len() - 1])),
        _ => (name, None),
    };
    let Some((id, _, dotted)) = super::catalog::lookup(base) else {
        return false;
    };
    let key = bracket.or(dotted);
    let arg = match key {
        None => Arg::None,
        Some(k) => match k.parse::<u64>() {
            Ok(i) => Arg::Index(i),
            Err(_) => Arg::Key(k),
        },
    };
    extractor(id).is_some_and(|x| x.extract(&arg, c, out))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_catalogue_field_has_a_class() {
        for (i, f) in FIELDS.iter().enumerate() {
            let known = CLASSES.iter().any(|(p, _)| f.name.starts_with(p));
            assert_eq!(extractor(FieldId(i as u16)).is_some(), known, "{}", f.name);
        }
    }
}
