//! Categories of generic syscall events (`syscall` events, which carry only a syscall id).
//!
//! libsinsp gives a generic event the category of its syscall from the syscall table, not
//! the `other` of the generic event type. This table lists those categories as sysdig
//! prints them for the syscalls seen as generic events in real traces; a syscall it does
//! not list keeps `other`.

/// (syscall name as `evt.type` prints it, `evt.category`), sorted by name.
const GENERIC_CATEGORIES: &[(&str, &str)] = &[
    ("alarm", "time"),
    ("arch_prctl", "process"),
    ("capset", "process"),
    ("clock_gettime", "time"),
    ("epoll_pwait", "wait"),
    ("exit", "process"),
    ("exit_group", "unknown"),
    ("fchown", "file"),
    ("ftruncate", "file"),
    ("getpid", "process"),
    ("getrusage", "process"),
    ("gettimeofday", "time"),
    ("inotify_add_watch", "IPC"),
    ("madvise", "memory"),
    ("mprotect", "memory"),
    ("pause", "wait"),
    ("prctl", "process"),
    ("pselect6", "wait"),
    ("rt_sigaction", "signal"),
    ("rt_sigprocmask", "signal"),
    ("set_robust_list", "process"),
    ("set_tid_address", "process"),
    ("sigreturn", "signal"),
    ("statfs", "file"),
    ("timerfd_settime", "time"),
    ("wait4", "wait"),
];

/// The category sysdig prints for a generic event of syscall `name`, if known.
pub fn generic_category(name: &str) -> Option<&'static str> {
    GENERIC_CATEGORIES
        .binary_search_by(|(n, _)| n.cmp(&name))
        .ok()
        .map(|i| GENERIC_CATEGORIES[i].1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_is_sorted_and_found() {
        assert!(GENERIC_CATEGORIES.windows(2).all(|w| w[0].0 < w[1].0));
        assert_eq!(generic_category("prctl"), Some("process"));
        assert_eq!(generic_category("clock_gettime"), Some("time"));
        assert_eq!(generic_category("no_such_call"), None);
    }
}
