//! The differential suite on a recording this test makes live (root): `hindsight record` of a
//! scripted activity on this host (sensitive reads, shells, file writes, execs from /tmp,
//! sockets), converted to plain scap, replayed by Falco 0.44 and by hindsight with the
//! upstream rules all enabled and with the catalogue's field rules.
//!
//! This machine's host processes sit in a memory cgroup `/<name>/<32 hex>`, which the
//! container plugin's generic containerd matcher takes for a container: the recording checks
//! the matchers on real cgroups, not only on the shared captures.

use std::path::PathBuf;

use super::reference::{hindsight_replay, FalcoBundle};
use super::{
    check_known_subset, falco_or_skip, field_rules, hindsight_fields, upstream_rules_all_enabled,
    Comparison,
};
use crate::record::record_with;
use crate::util::{hindsight, is_root};

/// The scripted activity: what the upstream rules watch for, on the host.
const ACTIVITY: &str = "for i in 1 2 3; do cat /etc/shadow >/dev/null; done; \
    ls -la /root >/dev/null; \
    cp /bin/true /tmp/hindsight-live-true && /tmp/hindsight-live-true; rm -f /tmp/hindsight-live-true; \
    sh -c 'echo x > /tmp/hindsight-live-file; rm /tmp/hindsight-live-file'; \
    cat /proc/self/status >/dev/null; \
    (exec 3<>/dev/tcp/127.0.0.1/9 2>/dev/null) ; true";

/// Records the activity (with `options` of `hindsight record`) and converts it to plain
/// scap; `None` (after saying why) when this machine cannot record.
fn live_capture(test: &str, dir: &std::path::Path, options: &[&str]) -> Option<PathBuf> {
    live_capture_converted(test, dir, options, &[])
}

/// [`live_capture`], converted with `convert_options` of `hindsight convert`
/// (`--enter-events`).
pub(super) fn live_capture_converted(
    test: &str,
    dir: &std::path::Path,
    options: &[&str],
    convert_options: &[&str],
) -> Option<PathBuf> {
    if !is_root() {
        eprintln!("SKIPPED {test}: recording needs root");
        return None;
    }
    let native = record_with(test, dir, "live", options, &["bash", "-c", ACTIVITY])?;
    let plain = dir.join("live.scap");
    let st = hindsight()
        .arg("convert")
        .arg(&native)
        .arg(&plain)
        .args(convert_options)
        .status()
        .expect("hindsight convert");
    assert!(st.success(), "convert {}", native.display());
    Some(plain)
}

fn compare(falco: &FalcoBundle, scap: &std::path::Path, rules: &[PathBuf]) -> Comparison {
    let mut c = Comparison::default();
    let f = falco.replay(scap, rules).unwrap();
    let h = hindsight_replay(scap, rules, &[]).unwrap();
    c.add("live recording", &f, &h);
    c
}

#[test]
fn privileged_live_recording_alerts_and_fields_equal_falco44() {
    live_recording_equals_falco44(
        "privileged_live_recording_alerts_and_fields_equal_falco44",
        &[],
    );
}

/// The same with `hindsight record --exit-only`: exits that carry their enter's parameters
/// and no enter events, which Falco 0.44 reads as its own probe's output.
#[test]
fn privileged_exit_only_recording_alerts_and_fields_equal_falco44() {
    live_recording_equals_falco44(
        "privileged_exit_only_recording_alerts_and_fields_equal_falco44",
        &["--exit-only"],
    );
}

fn live_recording_equals_falco44(test: &str, options: &[&str]) {
    let Some(falco) = falco_or_skip(test) else {
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let Some(scap) = live_capture(test, tmp.path(), options) else {
        return;
    };
    let rules = upstream_rules_all_enabled(tmp.path());
    let c = compare(&falco, &scap, &rules);
    let report = c.report("live recording, upstream rules all enabled", true);
    eprintln!("{report}");
    assert!(c.common > 0, "the activity gave Falco no alert\n{report}");
    assert!(
        c.only_falco.is_empty() && c.only_hindsight.is_empty() && c.output_differs.is_empty(),
        "alerts differ from Falco 0.44\n{report}"
    );
    let theirs = falco.field_names();
    let both: Vec<String> = hindsight_fields()
        .into_iter()
        .filter(|f| theirs.contains(f))
        .collect();
    let fields = field_rules(tmp.path(), &both);
    let c = compare(&falco, &scap, &[fields]);
    let report = c.report("live recording, catalogue fields", false);
    eprintln!("{report}");
    assert!(
        c.only_falco.is_empty() && c.only_hindsight.is_empty(),
        "rules select other events than Falco 0.44\n{report}"
    );
    check_known_subset(&c, &report);
}
