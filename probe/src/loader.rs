//! Loading the probe with aya: typed map handles, configuration, pre-filters, attaching the
//! tracepoints, and reading records and statistics.
//!
//! No raw file descriptor or map name leaves this module; callers see [`Probe`], [`Record`]
//! and [`Stats`].

use std::os::fd::AsRawFd;
use std::time::Duration;

use aya::maps::{Array, HashMap, MapData, PerCpuArray, RingBuf};
use aya::programs::{BtfTracePoint, TracePoint};
use aya::{Btf, Ebpf, EbpfLoader};

use crate::abi;
use crate::error::ProbeError;
use crate::table;

/// The compiled eBPF object (empty when build.rs could not build it).
static OBJECT: &[u8] = aya::include_bytes_aligned!(concat!(env!("OUT_DIR"), "/hindsight.bpf.o"));

include!(concat!(env!("OUT_DIR"), "/build_status.rs"));

/// Programs attached as BTF tracepoints (program, tracepoint): the kernel calls them with the
/// tracepoint's raw arguments, without the perf record a classic tracepoint builds per hit.
const BTF_TRACEPOINTS: [(&str, &str); 2] = [
    ("hs_sys_exit", "sys_exit"),
    ("hs_fork", "sched_process_fork"),
];

/// The program and BTF tracepoint of every syscall's enter ([`EnterHook::Raw`]).
const RAW_ENTER: (&str, &str) = ("hs_sys_enter", "sys_enter");

/// The program attached to per-syscall enter tracepoints ([`EnterHook::PerSyscall`]).
const SYSCALL_ENTER: &str = "hs_sc_enter";

/// Programs attached as classic tracepoints (program, category, tracepoint).
const TRACEPOINTS: [(&str, &str, &str); 1] = [("hs_exit", "sched", "sched_process_exit")];

/// How long [`Probe::poll`] sleeps between two looks at an empty ring: at 400,000 events a
/// second of about 45 bytes, 10 ms fill 180 KB of the (default 32 MB) ring.
pub const POLL_SLICE: Duration = Duration::from_millis(10);

/// Which tasks the probe records (in-kernel pre-filters; all combine with AND).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum CgroupFilter {
    /// No cgroup filter.
    #[default]
    None,
    /// Tasks whose cgroup2 id (the inode of its directory) is this.
    V2(u64),
    /// Tasks whose cgroup in the v1 `pids` hierarchy has this id (inode).
    V1Pids(u64),
    /// No task, until [`Probe::set_cgroup`] names one: lets a recorder attach before the
    /// container it waits for exists, so that it misses nothing once it appears.
    Pending,
}

impl CgroupFilter {
    /// The configuration flags and cgroup id the probe reads for this filter. `Pending` uses
    /// id 0, which no cgroup has (kernfs ids start at 1).
    fn flags_and_id(&self) -> (u32, u64) {
        match *self {
            CgroupFilter::None => (0, 0),
            CgroupFilter::V2(id) => (abi::CFG_FILTER_CGROUP, id),
            CgroupFilter::V1Pids(id) => (abi::CFG_FILTER_CGROUP | abi::CFG_CGROUP_V1_PIDS, id),
            CgroupFilter::Pending => (abi::CFG_FILTER_CGROUP, 0),
        }
    }
}

/// Configuration of [`Probe::load`].
#[derive(Clone, Debug)]
pub struct ProbeConfig {
    /// Bytes of read/write/send/recv payload kept per event (sysdig's default is 80).
    pub snaplen: u32,
    /// Ring buffer size in bytes (a power of two, at least a page).
    pub ring_bytes: u32,
    /// Follow only the process trees whose roots are added with [`Probe::follow`].
    pub follow_trees: bool,
    /// Cgroup filter.
    pub cgroup: CgroupFilter,
    /// Record only these syscalls (names of `table::ROWS`); all when `None`.
    pub syscalls: Option<Vec<String>>,
    /// Write no enter event for the syscalls whose exit can carry the enter's parameters
    /// ([`table::Row::exit_only_params`]): half the events, the layout current libs read.
    pub exit_only: bool,
}

impl Default for ProbeConfig {
    fn default() -> Self {
        ProbeConfig {
            snaplen: 80,
            ring_bytes: 32 << 20,
            follow_trees: false,
            cgroup: CgroupFilter::None,
            syscalls: None,
            exit_only: false,
        }
    }
}

/// Where the probe takes the enter events of the syscalls that keep one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EnterHook {
    /// The raw `sys_enter` tracepoint, which every syscall of the host hits (the probe leaves
    /// at once for a syscall that is not recorded or is exit-only).
    Raw,
    /// The per-syscall tracepoints (`syscalls:sys_enter_<name>`) of this many recorded
    /// syscalls: with [`ProbeConfig::exit_only`], only the few that keep their enter event,
    /// so that no other syscall pays for an enter hook.
    PerSyscall(usize),
    /// No enter hook: every recorded syscall is exit-only.
    None,
}

/// Totals of the per-CPU counters.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Stats {
    /// Records written.
    pub events: u64,
    /// Records lost: ring buffer full.
    pub drops_buffer: u64,
    /// Records lost: larger than the record limit.
    pub drops_too_big: u64,
    /// Always 0 (the probe no longer stashes arguments); kept in the drop events' layout.
    pub drops_stash: u64,
}

impl Stats {
    /// All drops together.
    pub fn drops(&self) -> u64 {
        self.drops_buffer + self.drops_too_big + self.drops_stash
    }

    /// The sum of several counters (e.g. the per-CPU ones).
    pub fn sum(all: &[Stats]) -> Stats {
        let mut t = Stats::default();
        for s in all {
            t.events += s.events;
            t.drops_buffer += s.drops_buffer;
            t.drops_too_big += s.drops_too_big;
            t.drops_stash += s.drops_stash;
        }
        t
    }
}

/// One record from the ring buffer: a complete scap event record (header, lengths, values).
#[derive(Clone, Copy, Debug)]
pub struct Record<'a> {
    /// CPU that produced it.
    pub cpu: u16,
    /// The scap event record, `len` bytes as its header says.
    pub event: &'a [u8],
}

/// The loaded and attached probe.
pub struct Probe {
    _ebpf: Ebpf,
    ring: RingBuf<MapData>,
    stats: PerCpuArray<MapData, abi::Stats>,
    pids: HashMap<MapData, u32, u8>,
    config: Array<MapData, abi::Config>,
    enter_hook: EnterHook,
}

impl Probe {
    /// Whether this binary carries a real eBPF object, and if not, why.
    pub fn availability() -> Result<(), ProbeError> {
        match BPF_BUILD_ERROR {
            Some(why) => Err(ProbeError::NotBuilt(why)),
            None if OBJECT.is_empty() => Err(ProbeError::NotBuilt("empty object")),
            None => Ok(()),
        }
    }

    /// Loads the object, fills the configuration and syscall table, attaches the tracepoints.
    pub fn load(cfg: &ProbeConfig) -> Result<Probe, ProbeError> {
        Self::availability()?;
        raise_memlock();
        ensure_tracefs();
        let rows = table::select(cfg.syscalls.as_deref()).map_err(ProbeError::UnknownSyscall)?;
        let mut ebpf = EbpfLoader::new()
            .set_max_entries("hs_events", cfg.ring_bytes.max(4096).next_power_of_two())
            .set_max_entries("hs_inflight", pid_max())
            .load(OBJECT)
            .map_err(|e| {
                if is_eperm(&e) {
                    ProbeError::Permission {
                        what: "loading the eBPF object".into(),
                    }
                } else {
                    ProbeError::Load(Box::new(e))
                }
            })?;

        let mut config: Array<_, abi::Config> = take(&mut ebpf, "hs_config")?;
        let (mut flags, cgroup_id) = cfg.cgroup.flags_and_id();
        if cfg.follow_trees {
            flags |= abi::CFG_FILTER_TREE;
        }
        let c = abi::Config {
            boot_to_epoch_ns: boot_to_epoch_ns(),
            cgroup_id,
            flags,
            snaplen: cfg.snaplen,
            self_tgid: std::process::id(),
            reserved: 0,
        };
        config.set(0, c, 0).map_err(ProbeError::map("hs_config"))?;

        let mut syscalls: Array<_, abi::Syscall> = take(&mut ebpf, "hs_syscalls")?;
        for row in &rows {
            syscalls
                .set(row.nr as u32, row.to_abi_for(cfg.exit_only), 0)
                .map_err(ProbeError::map("hs_syscalls"))?;
        }
        let ring = RingBuf::try_from(ebpf.take_map("hs_events").ok_or(ProbeError::Map {
            map: "hs_events",
            source: None,
        })?)
        .map_err(ProbeError::map("hs_events"))?;
        let stats = take(&mut ebpf, "hs_stats")?;
        let pids = take(&mut ebpf, "hs_pids")?;

        // Without exit-only rows every syscall needs its enter, and the raw tracepoint costs
        // less per hit than the perf path of a per-syscall one. With them, the rows that keep
        // an enter (the process families and a few more, see `Row::exit_only_params`) are
        // rare syscalls: their own tracepoints spare every other syscall the enter hit. A
        // kernel without per-syscall tracepoints (no CONFIG_FTRACE_SYSCALLS) keeps the raw one.
        let keep: Vec<&table::Row> = rows
            .iter()
            .copied()
            .filter(|r| r.keeps_enter(cfg.exit_only))
            .collect();
        let enter_hook = if keep.is_empty() {
            EnterHook::None
        } else if cfg.exit_only
            && keep
                .iter()
                .all(|r| tracepoint_exists("syscalls", &r.enter_tracepoint()))
        {
            EnterHook::PerSyscall(keep.len())
        } else {
            EnterHook::Raw
        };

        let btf = Btf::from_sys_fs().map_err(|e| ProbeError::Btf(Box::new(e)))?;
        let raw_enter = (enter_hook == EnterHook::Raw).then_some(RAW_ENTER);
        for (name, tp) in raw_enter.into_iter().chain(BTF_TRACEPOINTS) {
            let prog: &mut BtfTracePoint = program(&mut ebpf, name)?;
            prog.load(tp, &btf)
                .map_err(|e| program_error(name, "loaded".into(), e))?;
            prog.attach()
                .map_err(|e| program_error(name, format!("attached to tp_btf/{tp}"), e))?;
        }
        for (name, category, tp) in TRACEPOINTS {
            let prog: &mut TracePoint = program(&mut ebpf, name)?;
            prog.load()
                .map_err(|e| program_error(name, "loaded".into(), e))?;
            prog.attach(category, tp)
                .map_err(|e| program_error(name, format!("attached to {category}:{tp}"), e))?;
        }
        if let EnterHook::PerSyscall(_) = enter_hook {
            let prog: &mut TracePoint = program(&mut ebpf, SYSCALL_ENTER)?;
            prog.load()
                .map_err(|e| program_error(SYSCALL_ENTER, "loaded".into(), e))?;
            for row in keep {
                let tp = row.enter_tracepoint();
                prog.attach("syscalls", &tp).map_err(|e| {
                    program_error(SYSCALL_ENTER, format!("attached to syscalls:{tp}"), e)
                })?;
            }
        }
        Ok(Probe {
            _ebpf: ebpf,
            ring,
            stats,
            pids,
            config,
            enter_hook,
        })
    }

    /// Where the probe takes enter events from (decided at load from the configuration and
    /// the kernel's tracepoints).
    pub fn enter_hook(&self) -> EnterHook {
        self.enter_hook
    }

    /// Replaces the cgroup filter of the running probe (e.g. after [`CgroupFilter::Pending`]);
    /// the other settings stay.
    pub fn set_cgroup(&mut self, filter: &CgroupFilter) -> Result<(), ProbeError> {
        let mut c = self
            .config
            .get(&0, 0)
            .map_err(ProbeError::map("hs_config"))?;
        let (flags, id) = filter.flags_and_id();
        let cgroup_bits = abi::CFG_FILTER_CGROUP | abi::CFG_CGROUP_V1_PIDS;
        c.flags = (c.flags & !cgroup_bits) | flags;
        c.cgroup_id = id;
        self.config
            .set(0, c, 0)
            .map_err(ProbeError::map("hs_config"))
    }

    /// Adds a process (tgid) to the followed trees; its future children are added in-kernel.
    pub fn follow(&mut self, tgid: u32) -> Result<(), ProbeError> {
        self.pids
            .insert(tgid, 1, 0)
            .map_err(ProbeError::map("hs_pids"))
    }

    /// Waits up to `timeout` for records, then hands every available one to `f`.
    /// Returns the number of records read.
    ///
    /// The probe submits records without waking the reader (a wakeup per record costs more
    /// than the record under load), so an empty ring is looked at again every `POLL_SLICE`
    /// until `timeout` has passed.
    pub fn poll(
        &mut self,
        timeout: Duration,
        mut f: impl FnMut(Record<'_>),
    ) -> Result<usize, ProbeError> {
        let mut n = self.drain(&mut f);
        let start = std::time::Instant::now();
        while n == 0 && start.elapsed() < timeout {
            wait_readable(self.ring.as_raw_fd(), POLL_SLICE.min(timeout))?;
            n = self.drain(&mut f);
        }
        Ok(n)
    }

    fn drain(&mut self, f: &mut impl FnMut(Record<'_>)) -> usize {
        let mut n = 0;
        while let Some(item) = self.ring.next() {
            if let Some(rec) = split_record(&item) {
                f(rec);
            }
            n += 1;
        }
        n
    }

    /// The counters of each CPU, indexed by CPU number (possible CPUs, so offline ones
    /// appear with zeros).
    pub fn stats_per_cpu(&self) -> Result<Vec<Stats>, ProbeError> {
        let per_cpu = self.stats.get(&0, 0).map_err(ProbeError::map("hs_stats"))?;
        Ok(per_cpu
            .iter()
            .map(|s| Stats {
                events: s.events,
                drops_buffer: s.drops_buffer,
                drops_too_big: s.drops_too_big,
                drops_stash: s.drops_stash,
            })
            .collect())
    }

    /// The counters summed over all CPUs.
    pub fn stats(&self) -> Result<Stats, ProbeError> {
        Ok(Stats::sum(&self.stats_per_cpu()?))
    }
}

/// Splits a ring-buffer item into its header and its scap record; `None` when malformed.
pub fn split_record(item: &[u8]) -> Option<Record<'_>> {
    if item.len() < abi::RING_HDR + abi::EVT_HDR {
        return None;
    }
    let cpu = u16::from_le_bytes([item[0], item[1]]);
    let event = &item[abi::RING_HDR..];
    let len = u32::from_le_bytes(event[16..20].try_into().ok()?) as usize;
    (len <= event.len()).then(|| Record {
        cpu,
        event: &event[..len],
    })
}

fn take<V>(ebpf: &mut Ebpf, map: &'static str) -> Result<V, ProbeError>
where
    V: TryFrom<aya::maps::Map, Error = aya::maps::MapError>,
{
    let m = ebpf
        .take_map(map)
        .ok_or(ProbeError::Map { map, source: None })?;
    V::try_from(m).map_err(ProbeError::map(map))
}

/// The program `name` of the object, as its kind `T` (a tracepoint, a BTF tracepoint).
fn program<'a, T>(ebpf: &'a mut Ebpf, name: &'static str) -> Result<&'a mut T, ProbeError>
where
    &'a mut T: TryFrom<&'a mut aya::programs::Program, Error = aya::programs::ProgramError>,
{
    ebpf.program_mut(name)
        .ok_or(ProbeError::Map {
            map: "programs",
            source: None,
        })?
        .try_into()
        .map_err(|e| program_error(name, "loaded".into(), e))
}

fn program_error(
    program: &'static str,
    action: String,
    e: aya::programs::ProgramError,
) -> ProbeError {
    let text = format!("{e:?}");
    if text.contains("EPERM")
        || text.contains("PermissionDenied")
        || text.contains("Operation not permitted")
    {
        return ProbeError::Permission {
            what: format!("{program} {action}"),
        };
    }
    ProbeError::Program {
        program,
        action,
        source: Box::new(e),
    }
}

fn is_eperm(e: &aya::EbpfError) -> bool {
    let text = format!("{e:?}");
    text.contains("PermissionDenied")
        || text.contains("Operation not permitted")
        || text.contains("EPERM")
}

/// Entries of the probe's per-tid array: one per possible thread id (`kernel.pid_max`, at most
/// 2^22 on Linux; 2 bytes each). When the file cannot be read, the kernel's maximum.
fn pid_max() -> u32 {
    std::fs::read_to_string("/proc/sys/kernel/pid_max")
        .ok()
        .and_then(|s| s.trim().parse::<u32>().ok())
        .unwrap_or(1 << 22)
        .clamp(1024, 1 << 22)
}

/// Nanoseconds to add to CLOCK_BOOTTIME (what bpf_ktime_get_boot_ns reads) to get wall time.
fn boot_to_epoch_ns() -> u64 {
    let now = |clock| {
        let mut ts = libc::timespec {
            tv_sec: 0,
            tv_nsec: 0,
        };
        // SAFETY: clock_gettime writes one timespec into the valid, exclusive `ts`.
        #[allow(unsafe_code, reason = "libc call")]
        let rc = unsafe { libc::clock_gettime(clock, &mut ts) };
        if rc != 0 {
            return 0;
        }
        ts.tv_sec as u64 * 1_000_000_000 + ts.tv_nsec as u64
    };
    let real = now(libc::CLOCK_REALTIME);
    let boot = now(libc::CLOCK_BOOTTIME);
    real.saturating_sub(boot)
}

/// Whether tracefs lists the tracepoint `category:name` (at either of its mount points).
fn tracepoint_exists(category: &str, name: &str) -> bool {
    ["/sys/kernel/tracing", "/sys/kernel/debug/tracing"]
        .iter()
        .any(|root| std::path::Path::new(&format!("{root}/events/{category}/{name}")).exists())
}

/// Mounts tracefs at /sys/kernel/tracing when no tracefs is reachable (aya reads tracepoint
/// ids from it). Failure is left for the attach step to report.
fn ensure_tracefs() {
    let present = [
        "/sys/kernel/tracing/events",
        "/sys/kernel/debug/tracing/events",
    ]
    .iter()
    .any(|p| std::path::Path::new(p).exists());
    if present {
        return;
    }
    let cstr = |s: &str| std::ffi::CString::new(s).expect("no NUL in constant");
    let (src, target, fstype) = (
        cstr("tracefs"),
        cstr("/sys/kernel/tracing"),
        cstr("tracefs"),
    );
    // SAFETY: all pointers are valid NUL-terminated strings that outlive the call; data is NULL.
    #[allow(unsafe_code, reason = "libc call")]
    let _ = unsafe {
        libc::mount(
            src.as_ptr(),
            target.as_ptr(),
            fstype.as_ptr(),
            0,
            std::ptr::null(),
        )
    };
}

/// Raises RLIMIT_MEMLOCK; failure is not fatal (recent kernels account eBPF memory by memcg).
fn raise_memlock() {
    let lim = libc::rlimit {
        rlim_cur: libc::RLIM_INFINITY,
        rlim_max: libc::RLIM_INFINITY,
    };
    // SAFETY: setrlimit only reads the valid `lim`.
    #[allow(unsafe_code, reason = "libc call")]
    let _ = unsafe { libc::setrlimit(libc::RLIMIT_MEMLOCK, &lim) };
}

fn wait_readable(fd: i32, timeout: Duration) -> Result<(), ProbeError> {
    let mut pfd = libc::pollfd {
        fd,
        events: libc::POLLIN,
        revents: 0,
    };
    let ms = timeout.as_millis().min(i32::MAX as u128) as i32;
    // SAFETY: poll reads and writes exactly one pollfd, which lives on this stack frame.
    #[allow(unsafe_code, reason = "libc call")]
    let rc = unsafe { libc::poll(&mut pfd, 1, ms) };
    if rc < 0 {
        let err = std::io::Error::last_os_error();
        if err.kind() != std::io::ErrorKind::Interrupted {
            return Err(ProbeError::Poll(err));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_record_checks_lengths() {
        assert!(split_record(&[0; 10]).is_none());
        let mut item = vec![3, 0, 0, 0, 0, 0, 0, 0];
        let mut ev = vec![0u8; 26];
        ev[16..20].copy_from_slice(&26u32.to_le_bytes());
        item.extend(&ev);
        item.extend([0xaa; 4]); // ring padding after the record
        let r = split_record(&item).unwrap();
        assert_eq!(r.cpu, 3);
        assert_eq!(r.event.len(), 26);
        item[8 + 16] = 200; // len beyond the item
        assert!(split_record(&item).is_none());
    }

    #[test]
    fn boot_offset_is_sane() {
        let off = boot_to_epoch_ns();
        assert!(
            off > 1_500_000_000 * 1_000_000_000,
            "offset {off} is not after 2017"
        );
    }
}
