//! The two views of a capture a replay can take, as one flag (`--enter-events`) shared by
//! `hindsight replay`, `test` and `rules validate`, and the help text that explains them.
//!
//! Current libs' view (Falco 0.42+, libs 0.22+) is the default for rules: their capture
//! converter merges each syscall's enter event into its exit, so rules never see enter events
//! and `evt.num` counts only what survives. Sysdig's view (sysdig 0.29, Falco 0.41 and
//! earlier) shows every enter and exit event; `hindsight print` uses it by default.

/// `--help` text describing the two views, with an example.
pub const VIEWS_HELP: &str = "\
Views of a capture:
    current libs (default for rules; Falco 0.42 and later): each syscall's enter event is
        merged into its exit and not shown to rules (evt.dir is always <, except for events
        without an exit such as procexit); evt.num counts only the events that remain.
    sysdig (--enter-events; Falco 0.41 and earlier, sysdig 0.29, and `hindsight print`):
        rules see every enter (>) and exit (<) event; evt.num counts every event.
    Example: a rule `evt.type = openat and proc.name = cat` fires once per openat of cat
    (on the exit) by default, twice per openat (enter and exit) with --enter-events; a rule
    `evt.type = openat and evt.dir = >` never fires by default (a load warning says so).";

/// The view option of commands that replay rules.
#[derive(clap::Args, Debug, Clone, Copy, Default)]
pub struct ViewArgs {
    /// Show enter events to rules too: the view of Falco 0.41 and earlier and of sysdig
    /// (default: current libs' view, Falco 0.42+, where enters are merged into exits).
    #[arg(long)]
    pub enter_events: bool,
}
