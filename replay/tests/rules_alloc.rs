//! The evaluation hot loop does not allocate once its scratch buffers are warm.
//!
//! This test binary installs a counting global allocator, so it holds a single test.

mod counting;

use hindsight_replay::fields::catalog::{field, FIELDS};
use hindsight_replay::rules::{EvalScratch, FieldRef, FieldSource, Loader, RuleSelection, Values};

#[global_allocator]
static GLOBAL: counting::Counting = counting::Counting;

/// Values indexed by field id: extraction copies bytes into the caller's buffer only.
struct Event {
    strs: Vec<Option<&'static [u8]>>,
}

impl FieldSource for Event {
    fn extract(&mut self, f: &FieldRef, out: &mut Values) -> bool {
        match self.strs[f.id.0 as usize] {
            Some(s) => {
                out.push_str(s);
                true
            }
            None => false,
        }
    }
}

#[test]
fn evaluation_does_not_allocate_after_warm_up() {
    let mut loader = Loader::new();
    loader.add_str(
        "t.yaml",
        "- list: shells\n  items: [bash, sh, zsh]\n\
         - rule: r\n  desc: d\n  condition: evt.type = execve and proc.name in (shells) and not fd.name glob '/tmp/*' \
           and tolower(proc.exe) endswith /bash and proc.cmdline icontains ECHO and basename(proc.exe) = val(proc.name)\n  output: o\n  priority: info\n",
    );
    let set = loader.finish();
    assert!(!set.has_errors(), "{:?}", set.diagnostics());
    let rules = set.select(&RuleSelection::default());
    let mut strs = vec![None; FIELDS.len()];
    for (name, v) in [
        ("evt.type", "execve"),
        ("proc.name", "bash"),
        ("fd.name", "/etc/passwd"),
        ("proc.exe", "/usr/bin/BASH"),
        ("proc.cmdline", "bash -c echo hi"),
    ] {
        strs[field(name).unwrap().0 .0 as usize] = Some(v.as_bytes());
    }
    let mut ev = Event { strs };
    let mut scratch = EvalScratch::new();
    let c = &rules.rules()[0].condition;
    assert!(
        !c.eval(&mut ev, &mut scratch),
        "basename is BASH, proc.name bash"
    );
    for _ in 0..10 {
        c.eval(&mut ev, &mut scratch);
    }
    counting::assert_active();
    let (hits, allocs) = counting::counted(|| {
        (0..10_000)
            .map(|_| usize::from(c.eval(&mut ev, &mut scratch)))
            .sum::<usize>()
    });
    assert_eq!(allocs, 0, "allocations in the hot loop");
    assert_eq!(hits, 0);
}
