//! The syscall table: which syscalls the probe records and how each parameter is encoded.
//!
//! One row per syscall: the scap event ids (the OLD ids of sysdig 0.29, SCAP_FORMAT.md §6) and
//! the recipe of every parameter, in wire order. The loader writes the rows into the
//! `hs_syscalls` map, which is also the in-kernel syscall filter: a syscall without a row is
//! never recorded. Syscalls without a dedicated scap event are recorded as generic events
//! (ids 0/1) carrying their `PPM_SC_*` code.

use crate::abi::{self, ParamKind as K};

/// One parameter recipe: what to read, and from which syscall argument.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Param(pub K, pub u8);

impl Param {
    /// The packed form the probe reads (`kind | arg << 8`).
    pub fn packed(self) -> u16 {
        self.0 as u16 | (u16::from(self.1) << 8)
    }
}

/// Which exit layout the probe uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Family {
    /// Parameters follow the row's recipes.
    Plain,
    /// The execve process-info layout (20 parameters).
    Execve,
    /// The clone process-info layout (20 parameters, emitted by parent and child).
    Clone,
}

/// One row of the table.
#[derive(Clone, Copy, Debug)]
pub struct Row {
    /// Syscall name, as `evt.type` shows it for dedicated events.
    pub name: &'static str,
    /// Native (x86_64) syscall number.
    pub nr: i64,
    /// scap enter event id.
    pub enter: u16,
    /// scap exit event id.
    pub exit: u16,
    /// `PPM_SC_*` code (generic events; 0 when unused or unknown to sysdig 0.29).
    pub ppm_sc: u16,
    /// Exit layout.
    pub family: Family,
    /// Enter parameter recipes.
    pub enter_params: &'static [Param],
    /// Exit parameter recipes (empty for the process families).
    pub exit_params: &'static [Param],
    /// The kernel's name of the syscall (`SYSCALL_DEFINE`), which names its per-syscall
    /// tracepoints; the same as `name` but where the kernel defines it under another
    /// (`umount2` is `umount`).
    pub kernel: &'static str,
}

impl Row {
    /// The recipes of the row's exit event in current libs' layout, which carries the
    /// enter's parameters (libs 0.22+: their capture converter merges each enter into its
    /// exit, and their modern probe writes exits so): the parameters the current event table
    /// lists for the exit, the first ones as the row records them, the later ones read from
    /// the syscall's arguments with the enter's recipe of the same name. The list stops at
    /// the first parameter neither side has (a trailing `ino`, which readers then fill).
    ///
    /// `None` for the process families and for a row whose enter has a parameter the list
    /// does not reach: such a syscall keeps its enter event.
    pub fn exit_only_params(&self) -> Option<Vec<Param>> {
        use hindsight_format::schema::event_info;
        if self.family != Family::Plain {
            return None;
        }
        let (exit, enter) = (event_info(self.exit)?, event_info(self.enter)?);
        let mut out: Vec<Param> = Vec::with_capacity(exit.params.len());
        for (i, p) in exit.params.iter().enumerate() {
            let recipe = match self.exit_params.get(i) {
                Some(r) => *r,
                None => match enter.param_index(p.name) {
                    Some(j) => *self.enter_params.get(j)?,
                    None => break,
                },
            };
            out.push(recipe);
        }
        // Every enter parameter must have reached the exit, or the enter keeps being written.
        let carried = enter
            .params
            .iter()
            .all(|e| exit.param_index(e.name).is_some_and(|i| i < out.len()));
        (carried && out.len() >= self.exit_params.len() && out.len() <= abi::MAX_SPECS)
            .then_some(out)
    }

    /// Whether the probe writes this row's enter event in a recording made `exit_only`: the
    /// rows without an exit-only layout ([`Row::exit_only_params`]) keep it.
    pub fn keeps_enter(&self, exit_only: bool) -> bool {
        self.to_abi_for(exit_only).flags & abi::SC_EXIT_ONLY == 0
    }

    /// The per-syscall tracepoint (category `syscalls`) that fires at this syscall's enter.
    pub fn enter_tracepoint(&self) -> String {
        format!("sys_enter_{}", self.kernel)
    }

    /// The row with the kernel's name of its syscall (see [`Row::kernel`]).
    const fn in_kernel(self, kernel: &'static str) -> Row {
        Row { kernel, ..self }
    }

    /// The row in the probe's binary form; with `exit_only`, a row that can do without its
    /// enter event ([`Row::exit_only_params`]) is flagged so and gets the longer exit.
    pub fn to_abi_for(&self, exit_only: bool) -> abi::Syscall {
        let mut out = self.to_abi();
        if let Some(params) = exit_only.then(|| self.exit_only_params()).flatten() {
            out.flags |= abi::SC_EXIT_ONLY;
            out.n_enter = 0;
            out.n_exit = params.len() as u8;
            for (slot, p) in out.exit_specs.iter_mut().zip(&params) {
                *slot = p.packed();
            }
        }
        out
    }

    /// The row in the probe's binary form.
    pub fn to_abi(&self) -> abi::Syscall {
        let mut out = abi::Syscall {
            enter_type: self.enter,
            exit_type: self.exit,
            ppm_sc: self.ppm_sc,
            flags: abi::SC_ENABLED
                | match self.family {
                    Family::Plain => 0,
                    Family::Execve => abi::SC_FAMILY_EXECVE,
                    Family::Clone => abi::SC_FAMILY_CLONE,
                },
            n_enter: self.enter_params.len() as u8,
            n_exit: self.exit_params.len() as u8,
            ..Default::default()
        };
        for (slot, p) in out.enter_specs.iter_mut().zip(self.enter_params) {
            *slot = p.packed();
        }
        for (slot, p) in out.exit_specs.iter_mut().zip(self.exit_params) {
            *slot = p.packed();
        }
        out
    }
}

const RES: Param = Param(K::Res, 0);
const fn fd(a: u8) -> Param {
    Param(K::ArgI64, a)
}
const fn s(a: u8) -> Param {
    Param(K::ArgStr, a)
}
const fn u32a(a: u8) -> Param {
    Param(K::ArgU32, a)
}
const fn u64a(a: u8) -> Param {
    Param(K::ArgU64, a)
}
const SC: Param = Param(K::ScId, 0);
const NATIVE: Param = Param(K::NativeId, 0);

const fn plain(
    name: &'static str,
    nr: i64,
    enter: u16,
    enter_params: &'static [Param],
    exit_params: &'static [Param],
) -> Row {
    Row {
        name,
        nr,
        enter,
        exit: enter + 1,
        ppm_sc: 0,
        family: Family::Plain,
        enter_params,
        exit_params,
        kernel: name,
    }
}

const fn generic(name: &'static str, nr: i64, ppm_sc: u16) -> Row {
    Row {
        name,
        nr,
        enter: 0,
        exit: 1,
        ppm_sc,
        family: Family::Plain,
        enter_params: &[SC, NATIVE],
        exit_params: &[SC],
        kernel: name,
    }
}

const fn process(
    name: &'static str,
    nr: i64,
    enter: u16,
    family: Family,
    enter_params: &'static [Param],
) -> Row {
    Row {
        name,
        nr,
        enter,
        exit: enter + 1,
        ppm_sc: 0,
        family,
        enter_params,
        exit_params: &[],
        kernel: name,
    }
}

const OPEN_EXIT: &[Param] = &[
    RES,
    s(0),
    Param(K::OpenFlags, 1),
    u32a(2),
    Param(K::DevRes, 0),
];
const OPENAT_EXIT: &[Param] = &[
    RES,
    fd(0),
    s(1),
    Param(K::OpenFlags, 2),
    u32a(3),
    Param(K::DevRes, 0),
];
const HOW: [Param; 3] = [
    Param(K::HowFlags, 2),
    Param(K::HowMode, 2),
    Param(K::HowResolve, 2),
];
const ACCEPT_EXIT: &[Param] = &[
    RES,
    Param(K::TupleRes, 0),
    Param(K::ZeroU8, 0),
    Param(K::ZeroU32, 0),
    Param(K::ZeroU32, 0),
];

/// Every syscall the probe knows, by family.
pub static ROWS: &[Row] = &[
    // process
    process("execve", libc::SYS_execve, 292, Family::Execve, &[s(0)]),
    process(
        "execveat",
        libc::SYS_execveat,
        330,
        Family::Execve,
        &[fd(0), s(1), Param(K::ExecveatFlags, 4)],
    ),
    process("clone", libc::SYS_clone, 222, Family::Clone, &[]),
    process("fork", libc::SYS_fork, 224, Family::Clone, &[]),
    process("vfork", libc::SYS_vfork, 226, Family::Clone, &[]),
    process("clone3", libc::SYS_clone3, 334, Family::Clone, &[]),
    plain("chdir", libc::SYS_chdir, 94, &[], &[RES, s(0)]),
    plain("fchdir", libc::SYS_fchdir, 96, &[fd(0)], &[RES]),
    // files
    plain(
        "open",
        libc::SYS_open,
        2,
        &[s(0), Param(K::OpenFlags, 1), u32a(2)],
        OPEN_EXIT,
    ),
    plain(
        "openat",
        libc::SYS_openat,
        306,
        &[fd(0), s(1), Param(K::OpenFlags, 2), u32a(3)],
        OPENAT_EXIT,
    ),
    plain(
        "openat2",
        libc::SYS_openat2,
        326,
        &[fd(0), s(1), HOW[0], HOW[1], HOW[2]],
        &[RES, fd(0), s(1), HOW[0], HOW[1], HOW[2]],
    ),
    plain(
        "creat",
        libc::SYS_creat,
        58,
        &[s(0), u32a(1)],
        &[RES, s(0), u32a(1), Param(K::DevRes, 0)],
    ),
    plain("close", libc::SYS_close, 4, &[fd(0)], &[RES]),
    plain("dup", libc::SYS_dup, 124, &[fd(0)], &[RES]),
    plain("dup2", libc::SYS_dup2, 124, &[fd(0)], &[RES]),
    plain("dup3", libc::SYS_dup3, 124, &[fd(0)], &[RES]),
    // F_DUPFD duplicates descriptors (shells save fds with it before a dup2)
    plain(
        "fcntl",
        libc::SYS_fcntl,
        150,
        &[fd(0), Param(K::FcntlCmd, 1)],
        &[RES],
    ),
    plain(
        "pipe",
        libc::SYS_pipe,
        60,
        &[],
        &[
            RES,
            Param(K::PipeFd, 0),
            Param(K::PipeFd, 1),
            Param(K::PipeIno, 0),
        ],
    ),
    plain(
        "pipe2",
        libc::SYS_pipe2,
        60,
        &[],
        &[
            RES,
            Param(K::PipeFd, 0),
            Param(K::PipeFd, 1),
            Param(K::PipeIno, 0),
        ],
    ),
    plain(
        "read",
        libc::SYS_read,
        6,
        &[fd(0), u32a(2)],
        &[RES, Param(K::Data, 1)],
    ),
    plain(
        "write",
        libc::SYS_write,
        8,
        &[fd(0), u32a(2)],
        &[RES, Param(K::Data, 1)],
    ),
    plain("rename", libc::SYS_rename, 174, &[], &[RES, s(0), s(1)]),
    plain(
        "renameat",
        libc::SYS_renameat,
        176,
        &[],
        &[RES, fd(0), s(1), fd(2), s(3)],
    ),
    plain(
        "renameat2",
        libc::SYS_renameat2,
        318,
        &[],
        &[RES, fd(0), s(1), fd(2), s(3), u32a(4)],
    ),
    plain("unlink", libc::SYS_unlink, 300, &[], &[RES, s(0)]),
    plain(
        "unlinkat",
        libc::SYS_unlinkat,
        302,
        &[],
        &[RES, fd(0), s(1), u32a(2)],
    ),
    plain("mkdir", libc::SYS_mkdir, 276, &[u32a(1)], &[RES, s(0)]),
    plain(
        "mkdirat",
        libc::SYS_mkdirat,
        304,
        &[],
        &[RES, fd(0), s(1), u32a(2)],
    ),
    plain("rmdir", libc::SYS_rmdir, 278, &[], &[RES, s(0)]),
    plain("link", libc::SYS_link, 308, &[], &[RES, s(0), s(1)]),
    plain(
        "linkat",
        libc::SYS_linkat,
        310,
        &[],
        &[RES, fd(0), s(1), fd(2), s(3), u32a(4)],
    ),
    plain("symlink", libc::SYS_symlink, 178, &[], &[RES, s(0), s(1)]),
    plain(
        "symlinkat",
        libc::SYS_symlinkat,
        180,
        &[],
        &[RES, s(0), fd(1), s(2)],
    ),
    plain("chmod", libc::SYS_chmod, 314, &[], &[RES, s(0), u32a(1)]),
    plain(
        "fchmodat",
        libc::SYS_fchmodat,
        312,
        &[],
        &[RES, fd(0), s(1), u32a(2)],
    ),
    plain("fchmod", libc::SYS_fchmod, 316, &[], &[RES, fd(0), u32a(1)]),
    generic("chown", libc::SYS_chown, 132),
    generic("lchown", libc::SYS_lchown, 118),
    generic("fchown", libc::SYS_fchown, 127),
    generic("fchownat", libc::SYS_fchownat, 200),
    plain(
        "mount",
        libc::SYS_mount,
        256,
        &[Param(K::MountFlags, 3)],
        &[RES, s(0), s(1), s(2)],
    ),
    plain("umount2", libc::SYS_umount2, 258, &[u32a(1)], &[RES, s(0)]).in_kernel("umount"),
    // network
    plain(
        "socket",
        libc::SYS_socket,
        18,
        &[u32a(0), u32a(1), u32a(2)],
        &[RES],
    ),
    plain(
        "bind",
        libc::SYS_bind,
        20,
        &[fd(0)],
        &[RES, Param(K::Sockaddr, 1)],
    ),
    plain(
        "connect",
        libc::SYS_connect,
        22,
        &[fd(0), Param(K::Sockaddr, 1)],
        &[RES, Param(K::TupleFd, 0)],
    ),
    plain("listen", libc::SYS_listen, 24, &[fd(0), u32a(1)], &[RES]),
    plain("accept", libc::SYS_accept, 246, &[], ACCEPT_EXIT),
    plain("accept4", libc::SYS_accept4, 248, &[u32a(3)], ACCEPT_EXIT),
    plain(
        "sendto",
        libc::SYS_sendto,
        30,
        &[fd(0), u32a(2), Param(K::TupleTo, 0)],
        &[RES, Param(K::Data, 1)],
    ),
    plain(
        "recvfrom",
        libc::SYS_recvfrom,
        34,
        &[fd(0), u32a(2)],
        &[RES, Param(K::Data, 1), Param(K::TupleFrom, 0)],
    ),
    plain(
        "sendmsg",
        libc::SYS_sendmsg,
        48,
        &[fd(0), Param(K::MsgSize, 1), Param(K::TupleMsgTo, 1)],
        &[RES, Param(K::MsgData, 1)],
    ),
    plain(
        "recvmsg",
        libc::SYS_recvmsg,
        52,
        &[fd(0)],
        &[
            RES,
            Param(K::MsgSize, 1),
            Param(K::MsgData, 1),
            Param(K::TupleMsgFrom, 1),
        ],
    ),
    // privileges and namespaces
    plain("setuid", libc::SYS_setuid, 198, &[u32a(0)], &[RES]),
    plain("setgid", libc::SYS_setgid, 200, &[u32a(0)], &[RES]),
    plain(
        "setresuid",
        libc::SYS_setresuid,
        192,
        &[u32a(0), u32a(1), u32a(2)],
        &[RES],
    ),
    plain(
        "setresgid",
        libc::SYS_setresgid,
        194,
        &[u32a(0), u32a(1), u32a(2)],
        &[RES],
    ),
    plain(
        "setns",
        libc::SYS_setns,
        240,
        &[fd(0), Param(K::NsFlags, 1)],
        &[RES],
    ),
    plain(
        "unshare",
        libc::SYS_unshare,
        284,
        &[Param(K::NsFlags, 0)],
        &[RES],
    ),
    generic("capset", libc::SYS_capset, 115),
    generic("prctl", libc::SYS_prctl, 106),
    plain(
        "ptrace",
        libc::SYS_ptrace,
        168,
        &[Param(K::PtraceReq, 0), fd(1)],
        &[RES, Param(K::DynU64, 2), Param(K::DynU64, 3)],
    ),
    plain(
        "kill",
        libc::SYS_kill,
        128,
        &[fd(0), Param(K::ArgU8, 1)],
        &[RES],
    ),
    plain(
        "tgkill",
        libc::SYS_tgkill,
        132,
        &[fd(0), fd(1), Param(K::ArgU8, 2)],
        &[RES],
    ),
    // kernel
    generic("init_module", libc::SYS_init_module, 76),
    generic("finit_module", libc::SYS_finit_module, 314),
    plain(
        "bpf",
        libc::SYS_bpf,
        296,
        &[u64a(0)],
        &[Param(K::BpfRes, 0)],
    ),
    generic("memfd_create", libc::SYS_memfd_create, 0),
];

/// The rows whose name is in `names` (all rows for `None`); unknown names are returned as errors.
pub fn select(names: Option<&[String]>) -> Result<Vec<&'static Row>, String> {
    let Some(names) = names else {
        return Ok(ROWS.iter().collect());
    };
    let mut out = Vec::new();
    for n in names {
        let before = out.len();
        out.extend(ROWS.iter().filter(|r| r.name == n));
        if out.len() == before {
            return Err(n.clone());
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The OLD event table (sysdig 0.29), from `../shared/reference/evt_old.json`.
    fn old_table() -> Option<serde_json::Value> {
        let dir = std::env::var("HINDSIGHT_SHARED")
            .unwrap_or_else(|_| concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared").into());
        let text = std::fs::read_to_string(format!("{dir}/reference/evt_old.json")).ok()?;
        serde_json::from_str(&text).ok()
    }

    fn wire_size(kind: K) -> Option<&'static [&'static str]> {
        Some(match kind {
            K::Res | K::ArgI64 => &["PT_ERRNO", "PT_FD", "PT_PID", "PT_INT64"],
            K::ArgU64 | K::PipeIno => &["PT_UINT64", "PT_INT64"],
            K::ArgU32
            | K::OpenFlags
            | K::NsFlags
            | K::ZeroU32
            | K::MsgSize
            | K::HowFlags
            | K::HowMode
            | K::HowResolve
            | K::MountFlags
            | K::ExecveatFlags
            | K::DevRes => &[
                "PT_UINT32",
                "PT_FLAGS32",
                "PT_MODE",
                "PT_UID",
                "PT_GID",
                "PT_INT32",
            ],
            K::ArgU16 | K::PtraceReq | K::ScId | K::NativeId => {
                &["PT_UINT16", "PT_FLAGS16", "PT_SYSCALLID"]
            }
            K::ArgU8 | K::ZeroU8 | K::FcntlCmd => &["PT_UINT8", "PT_SIGTYPE", "PT_FLAGS8"],
            K::ArgStr => &["PT_FSPATH", "PT_FSRELPATH", "PT_CHARBUF"],
            K::Data | K::MsgData => &["PT_BYTEBUF"],
            K::Sockaddr => &["PT_SOCKADDR"],
            K::TupleFd
            | K::TupleRes
            | K::TupleTo
            | K::TupleFrom
            | K::TupleMsgTo
            | K::TupleMsgFrom => &["PT_SOCKTUPLE"],
            K::DynU64 | K::BpfRes => &["PT_DYN"],
            K::PipeFd => &["PT_FD"],
            K::None => return None,
        })
    }

    #[test]
    fn rows_match_the_old_event_table() {
        let Some(table) = old_table() else {
            eprintln!("SKIPPED: ../shared/reference/evt_old.json not found");
            return;
        };
        for row in ROWS {
            for (id, params) in [(row.enter, row.enter_params), (row.exit, row.exit_params)] {
                let ev = &table["events"][id.to_string()];
                let expected = ev["params"].as_array().expect("event in table");
                if row.family != Family::Plain && id == row.exit {
                    assert_eq!(expected.len(), 20, "{} exit", row.name);
                    continue;
                }
                assert_eq!(
                    expected.len(),
                    params.len(),
                    "{} event {id} parameter count",
                    row.name
                );
                for (p, e) in params.iter().zip(expected) {
                    let ty = e["type"].as_str().unwrap();
                    let ok = wire_size(p.0).expect("no None recipes in the table");
                    assert!(
                        ok.contains(&ty),
                        "{} event {id} param {}: {:?} cannot encode {ty}",
                        row.name,
                        e["name"],
                        p.0
                    );
                }
            }
        }
    }

    /// An exit-only layout keeps the row's own exit parameters first: the current table
    /// must list them under the same names, in the same order, as the OLD table the row
    /// follows.
    #[test]
    fn exit_only_layouts_extend_the_old_exits() {
        let Some(table) = old_table() else {
            eprintln!("SKIPPED: ../shared/reference/evt_old.json not found");
            return;
        };
        for row in ROWS.iter().filter(|r| r.exit_only_params().is_some()) {
            let old = table["events"][row.exit.to_string()]["params"]
                .as_array()
                .expect("event in table");
            let head = hindsight_format::schema::event_info(row.exit).expect("known exit");
            for (i, p) in old.iter().enumerate() {
                assert_eq!(
                    Some(p["name"].as_str().unwrap()),
                    head.params.get(i).map(|h| h.name),
                    "{} exit parameter {i}",
                    row.name
                );
            }
        }
    }

    #[test]
    fn numbers_fit_and_are_unique() {
        let mut seen = std::collections::HashSet::new();
        for row in ROWS {
            assert!(
                (0..abi::SYSCALL_MAX as i64).contains(&row.nr),
                "{}",
                row.name
            );
            assert!(seen.insert(row.nr), "{} listed twice", row.name);
            assert!(
                row.enter_params.len() <= abi::MAX_SPECS && row.exit_params.len() <= abi::MAX_SPECS
            );
        }
    }

    #[test]
    fn exit_only_rows_carry_their_enter_parameters() {
        let row = |name: &str| ROWS.iter().find(|r| r.name == name).unwrap();
        // read's exit gains the enter's fd and size, in the current table's order.
        let read = row("read").exit_only_params().expect("read");
        assert_eq!(read, vec![RES, Param(K::Data, 1), fd(0), u32a(2)]);
        // openat's exit already holds what its enter has: nothing is added, and the trailing
        // ino, which no side has, is left to readers.
        assert_eq!(
            row("openat").exit_only_params().expect("openat").len(),
            row("openat").exit_params.len()
        );
        // The process families keep their enter.
        assert!(row("execve").exit_only_params().is_none());
        assert!(row("clone").exit_only_params().is_none());
        let abi = row("read").to_abi_for(true);
        assert_ne!(abi.flags & abi::SC_EXIT_ONLY, 0);
        assert_eq!((abi.n_enter, abi.n_exit), (0, 4));
        assert_eq!(row("read").to_abi_for(false).flags & abi::SC_EXIT_ONLY, 0);
        // Most rows go without their enter.
        let n = ROWS
            .iter()
            .filter(|r| r.exit_only_params().is_some())
            .count();
        assert!(n * 2 > ROWS.len(), "only {n} of {} rows", ROWS.len());
        // Every row keeps its enter unless the recording is exit-only; then exactly the rows
        // without an exit-only layout do.
        for r in ROWS {
            assert!(r.keeps_enter(false), "{}", r.name);
            assert_eq!(
                r.keeps_enter(true),
                r.exit_only_params().is_none(),
                "{}",
                r.name
            );
        }
        // Their per-syscall tracepoints follow the kernel's names.
        assert_eq!(row("execve").enter_tracepoint(), "sys_enter_execve");
        assert_eq!(row("umount2").enter_tracepoint(), "sys_enter_umount");
    }

    #[test]
    fn select_by_name() {
        assert_eq!(
            select(Some(&["open".into(), "dup2".into()])).unwrap().len(),
            2
        );
        assert_eq!(select(Some(&["nosuch".into()])).unwrap_err(), "nosuch");
        assert_eq!(select(None).unwrap().len(), ROWS.len());
    }
}
