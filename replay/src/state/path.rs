//! Path resolution as libsinsp does it: relative paths against the working directory or a
//! dirfd's name, then `.`, `..` and repeated `/` removed.

/// `PPM_AT_FDCWD`: a dirfd meaning "the working directory".
pub const AT_FDCWD: i64 = -100;

/// Joins `base` (a directory, with or without trailing `/`) and `path`, unless `path` is
/// absolute, and normalises the result. An empty base leaves a relative path as it is.
pub fn resolve(base: &[u8], path: &[u8]) -> Vec<u8> {
    let mut joined = Vec::with_capacity(base.len() + path.len() + 1);
    if !path.starts_with(b"/") && !base.is_empty() {
        joined.extend_from_slice(base);
        if !base.ends_with(b"/") {
            joined.push(b'/');
        }
    }
    joined.extend_from_slice(path);
    if is_normal(&joined) {
        // Most paths are: keep the join and spare normalise's two allocations.
        return joined;
    }
    normalise(&joined)
}

/// Whether `normalise` would return `path` unchanged: no empty, `.` or `..` component (a
/// leading `/` aside), so no repeated or trailing slash.
fn is_normal(path: &[u8]) -> bool {
    let rest = path.strip_prefix(b"/").unwrap_or(path);
    !rest.is_empty()
        && rest
            .split(|&b| b == b'/')
            .all(|c| !c.is_empty() && c != b"." && c != b"..")
}

/// Removes `.` and `..` components and repeated slashes. A relative path stays relative;
/// `..` never climbs above `/`.
pub fn normalise(path: &[u8]) -> Vec<u8> {
    if !path.contains(&b'/') && path != b"." && path != b".." {
        return path.to_vec();
    }
    let absolute = path.starts_with(b"/");
    let mut parts: Vec<&[u8]> = Vec::new();
    for comp in path.split(|&b| b == b'/') {
        match comp {
            b"" | b"." => {}
            b".." => {
                if parts.last().is_some_and(|p| *p != b"..") {
                    parts.pop();
                } else if !absolute {
                    parts.push(comp);
                }
            }
            _ => parts.push(comp),
        }
    }
    let mut out = Vec::with_capacity(path.len());
    if absolute {
        out.push(b'/');
    }
    for (i, p) in parts.iter().enumerate() {
        if i > 0 {
            out.push(b'/');
        }
        out.extend_from_slice(p);
    }
    if path.ends_with(b"/") && !parts.is_empty() {
        out.push(b'/');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_path_resolve_keeps_as_is_is_in_normal_form() {
        for p in [
            &b"/etc/shadow"[..],
            b"etc",
            b"a/b",
            b"/",
            b"//",
            b"/etc/",
            b"/./x",
            b"/a/../b",
            b".",
            b"..",
            b"a//b",
            b"/a/.",
            b"/a/..",
            b"",
            b"/..x/.y",
            b"...",
        ] {
            // The fast path may pass a path by (`/`), never take one normalise changes.
            assert!(
                !is_normal(p) || normalise(p) == p,
                "{}",
                String::from_utf8_lossy(p)
            );
        }
    }

    #[test]
    fn resolves_like_libsinsp() {
        assert_eq!(resolve(b"/etc/", b"shadow"), b"/etc/shadow");
        assert_eq!(resolve(b"/etc", b"shadow"), b"/etc/shadow");
        assert_eq!(resolve(b"/etc/", b"/tmp//x/./y/../z"), b"/tmp/x/z");
        assert_eq!(resolve(b"", b"shadow"), b"shadow");
        assert_eq!(resolve(b"/", b"../../x"), b"/x");
        assert_eq!(normalise(b"/"), b"/");
        assert_eq!(normalise(b"/a/b/"), b"/a/b/");
    }
}
