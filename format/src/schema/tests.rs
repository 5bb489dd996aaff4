//! Checks the event table against the public scap tables exported as JSON
//! (`../shared/reference/evt_head.json` for current libs, `evt_old.json` for sysdig 0.29).

use super::*;
use serde_json::Value;

fn shared() -> std::path::PathBuf {
    std::env::var_os("HINDSIGHT_SHARED").map_or_else(
        || concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared").into(),
        Into::into,
    )
}

fn load(name: &str) -> Value {
    let path = shared().join("reference").join(name);
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    serde_json::from_str(&text).expect("reference table is JSON")
}

fn fmt_name(f: ParamFormat) -> &'static str {
    match f {
        ParamFormat::Na => "PF_NA",
        ParamFormat::Dec => "PF_DEC",
        ParamFormat::Hex => "PF_HEX",
        ParamFormat::TenPaddedDec => "PF_10_PADDED_DEC",
        ParamFormat::Id => "PF_ID",
        ParamFormat::Dir => "PF_DIR",
        ParamFormat::Oct => "PF_OCT",
    }
}

fn flag_bits(s: &str) -> u32 {
    s.split('|')
        .map(str::trim)
        .map(|f| match f {
            "EF_NONE" => 0,
            "EF_CREATES_FD" => flags::CREATES_FD,
            "EF_DESTROYS_FD" => flags::DESTROYS_FD,
            "EF_USES_FD" => flags::USES_FD,
            "EF_READS_FROM_FD" => flags::READS_FROM_FD,
            "EF_WRITES_TO_FD" => flags::WRITES_TO_FD,
            "EF_MODIFIES_STATE" => flags::MODIFIES_STATE,
            "EF_UNUSED" => flags::UNUSED,
            "EF_WAITS" => flags::WAITS,
            "EF_SKIPPARSERESET" => flags::SKIPPARSERESET,
            "EF_OLD_VERSION" => flags::OLD_VERSION,
            "EF_DROP_SIMPLE_CONS" => flags::DROP_SIMPLE_CONS,
            "EF_LARGE_PAYLOAD" => flags::LARGE_PAYLOAD,
            "EF_CONVERTER_MANAGED" => flags::CONVERTER_MANAGED,
            other => panic!("unknown flag {other}"),
        })
        .fold(0, |a, b| a | b)
}

/// Checks one reference param against ours; returns false on a mismatch.
fn same_param(types: &Value, p: &Value, ours: &ParamInfo) -> bool {
    let code = types[p["type"].as_str().unwrap_or("")].as_u64();
    p["name"] == ours.name && code == Some(ours.ty as u64) && p["fmt"] == fmt_name(ours.fmt)
}

#[test]
fn ids_are_positions() {
    for (i, e) in EVENTS.iter().enumerate() {
        assert_eq!(e.map(|e| e.id as usize), Some(i), "entry {i}");
    }
}

#[test]
fn matches_head_table_exactly() {
    let head = load("evt_head.json");
    let events = head["events"].as_object().expect("events");
    assert_eq!(events.len(), EVENTS.len());
    for (id, e) in events {
        let id: u16 = id.parse().expect("numeric id");
        let ours = event_info(id).expect("known id");
        assert_eq!(e["name"], ours.name, "name of {id}");
        assert_eq!(
            e["nparams"].as_u64(),
            Some(ours.params.len() as u64),
            "count of {id}"
        );
        assert_eq!(
            flag_bits(e["flags"].as_str().unwrap_or("")),
            ours.flags & !flags::ENTER_PASSED,
            "flags of {id} (ENTER_PASSED is hindsight's own)"
        );
        assert_eq!(
            source_of(e["category"].as_str().unwrap_or("")),
            ours.source,
            "source of {id}"
        );
        let params = e["params"].as_array().expect("params");
        for (i, p) in params.iter().enumerate() {
            assert!(
                same_param(&head["param_types"], p, &ours.params[i]),
                "{id} param {i}: {p}"
            );
        }
    }
}

/// The source named by the high bits of a category (`EC_FILE | EC_SYSCALL`).
fn source_of(category: &str) -> Source {
    let has = |bit: &str| category.split('|').any(|c| c.trim() == bit);
    [
        ("EC_SYSCALL", Source::Syscall),
        ("EC_TRACEPOINT", Source::Tracepoint),
        ("EC_METAEVENT", Source::Meta),
        ("EC_PLUGIN", Source::Plugin),
        ("EC_ITER", Source::Iter),
    ]
    .into_iter()
    .find(|(bit, _)| has(bit))
    .map_or(Source::None, |(_, s)| s)
}

#[test]
fn matches_old_table_except_documented_differences() {
    let old = load("evt_old.json");
    let events = old["events"].as_object().expect("events");
    assert_eq!(events.len(), usize::from(old::OLD_EVENT_MAX));
    assert_eq!(
        old["event_max"].as_u64(),
        Some(u64::from(old::OLD_EVENT_MAX))
    );
    assert!(old::old_event(old::OLD_EVENT_MAX).is_none());
    for (id, e) in events {
        let id: u16 = id.parse().expect("numeric id");
        let ours = event_info(id).expect("known id");
        let (old_name, old_count) = old::old_event(id).expect("sysdig 0.29 knows the id");
        assert_eq!(e["name"], old_name, "OLD name of {id}");
        if old::OLD_NAMES.iter().any(|(i, _)| *i == id) {
            assert_ne!(e["name"], ours.name, "{id} is listed as renamed");
        } else {
            assert_eq!(e["name"], ours.name, "name of {id}");
        }
        assert_eq!(
            e["nparams"].as_u64(),
            Some(old_count as u64),
            "OLD count of {id}"
        );
        assert_eq!(ours.direction(), Direction::of(id));
        let params = e["params"].as_array().expect("params");
        // HEAD only appends: our table has at least OLD's parameters.
        assert!(
            params.len() <= ours.params.len(),
            "{id} has fewer params than OLD"
        );
        for (i, p) in params.iter().enumerate() {
            match old::old_param(id, i) {
                // A documented difference: the OLD description must be exactly the JSON's.
                Some((name, ty, fmt)) => {
                    let diff = ParamInfo {
                        name,
                        ty,
                        fmt,
                        extra: ParamExtra::None,
                    };
                    assert!(same_param(&old["param_types"], p, &diff), "{id}/{i}: {p}");
                    assert!(
                        !same_param(&old["param_types"], p, &ours.params[i]),
                        "{id}/{i} not a diff"
                    );
                }
                None => assert!(
                    same_param(&old["param_types"], p, &ours.params[i]),
                    "{id}/{i}: {p}"
                ),
            }
        }
    }
}

#[test]
fn flag_tables_are_attached_to_flag_parameters() {
    for e in EVENTS.iter().flatten() {
        for p in e.params {
            match p.extra {
                ParamExtra::Flags(t) | ParamExtra::Enum(t) => {
                    assert!(!t.is_empty(), "{} {}", e.name, p.name);
                }
                ParamExtra::DirFd(n) => {
                    assert!(
                        matches!(e.params[n as usize].ty, ParamType::Fd),
                        "{}",
                        e.name
                    );
                }
                ParamExtra::Dyn(t) => assert!(t.len() >= 2),
                ParamExtra::None => {}
            }
        }
    }
    // Spot checks of values the printer depends on.
    let open = event_info(3).expect("open exit");
    assert_eq!(open.params[2].extra, ParamExtra::Flags(names::FILE_FLAGS));
    assert!(names::FILE_FLAGS.contains(&("O_CLOEXEC", 1 << 12)));
    assert!(names::CLONE_FLAGS.contains(&("CLONE_THREAD", 1 << 13)));
    assert_eq!(syscall_name(298), Some("sigreturn"));
    assert_eq!(event_ids_by_name("dup3").count(), 2);
    assert!(event_ids_by_name("prctl").count() >= 2);
}

#[test]
fn native_x86_64_numbers_name_codes_as_current_libs() {
    let code = |name: &str| {
        (0..SYSCALL_NAMES_LEN)
            .find(|&c| libs_syscall_name(c) == Some(name))
            .expect(name)
    };
    // fadvise64 is x86-64 call 221, rt_sigreturn 15 (sysdig 0.29 calls its code sigreturn).
    assert_eq!(native_syscall_code(221), code("fadvise64"));
    assert_eq!(native_syscall_code(15), code("rt_sigreturn"));
    assert_eq!(syscall_name(code("rt_sigreturn")), Some("sigreturn"));
    assert_eq!(native_syscall_code(0), code("read"));
    // Unassigned numbers and numbers past the table are unknown.
    assert_eq!(native_syscall_code(u16::MAX), 0);
    assert_eq!(libs_syscall_name(0), Some("unknown"));
    assert_eq!(syscall_name(0), Some("<unknown>"));
}

const SYSCALL_NAMES_LEN: u16 = names::SYSCALL_NAMES.len() as u16;
