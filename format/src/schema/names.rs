//! Name tables the event table points at: flag and enum names of parameters (`ppm_flag_helpers`
//! / `flags_table.c` of the public scap driver), the alternative types of dynamic parameters, and
//! the syscall names of generic events by `PPM_SC_*` code.
//!
//! Values are libscap's own encodings (`PPM_O_RDONLY` = 1 ...), not kernel constants. The order
//! of each table matters: sysdig walks it front to back, appending every name whose bits are all
//! set and clearing them, and stops at an exact match (see `crate::value::flags_str`).

use super::ParamType;

/// Names of `access_flags` values, in the order sysdig matches them.
pub static ACCESS_FLAGS: &[(&str, u32)] = &[("F_OK", 0), ("R_OK", 4), ("W_OK", 2), ("X_OK", 1)];
/// Names of `anon_inode_fd_types` values, in the order sysdig matches them.
pub static ANON_INODE_FD_TYPES: &[(&str, u32)] = &[
    ("ANON_INODE_FD_TYPE_UNKNOWN", 0),
    ("ANON_INODE_FD_TYPE_EVENTFD", 1),
    ("ANON_INODE_FD_TYPE_EVENTPOLL", 2),
    ("ANON_INODE_FD_TYPE_INOTIFY", 3),
    ("ANON_INODE_FD_TYPE_SIGNALFD", 4),
    ("ANON_INODE_FD_TYPE_TIMERFD", 5),
    ("ANON_INODE_FD_TYPE_IO_URING", 6),
    ("ANON_INODE_FD_TYPE_USERFAULTFD", 7),
    ("ANON_INODE_FD_TYPE_PIDFD", 8),
    ("ANON_INODE_FD_TYPE_BPF_MAP", 9),
    ("ANON_INODE_FD_TYPE_BPF_PROG", 0xa),
    ("ANON_INODE_FD_TYPE_BPF_LINK", 0xb),
    ("ANON_INODE_FD_TYPE_BPF_ITER", 0xc),
    ("ANON_INODE_FD_TYPE_PERF_EVENT", 0xd),
];
/// Names of `bpf_commands` values, in the order sysdig matches them.
pub static BPF_COMMANDS: &[(&str, u32)] = &[
    ("BPF_MAP_CREATE", 0),
    ("BPF_MAP_LOOKUP_ELEM", 1),
    ("BPF_MAP_UPDATE_ELEM", 2),
    ("BPF_MAP_DELETE_ELEM", 3),
    ("BPF_MAP_GET_NEXT_KEY", 4),
    ("BPF_PROG_LOAD", 5),
    ("BPF_OBJ_PIN", 6),
    ("BPF_OBJ_GET", 7),
    ("BPF_PROG_ATTACH", 8),
    ("BPF_PROG_DETACH", 9),
    ("BPF_PROG_TEST_RUN", 0xa),
    ("BPF_PROG_RUN", 0xa),
    ("BPF_PROG_GET_NEXT_ID", 0xb),
    ("BPF_MAP_GET_NEXT_ID", 0xc),
    ("BPF_PROG_GET_FD_BY_ID", 0xd),
    ("BPF_MAP_GET_FD_BY_ID", 0xe),
    ("BPF_OBJ_GET_INFO_BY_FD", 0xf),
    ("BPF_PROG_QUERY", 0x10),
    ("BPF_RAW_TRACEPOINT_OPEN", 0x11),
    ("BPF_BTF_LOAD", 0x12),
    ("BPF_BTF_GET_FD_BY_ID", 0x13),
    ("BPF_TASK_FD_QUERY", 0x14),
    ("BPF_MAP_LOOKUP_AND_DELETE_ELEM", 0x15),
    ("BPF_MAP_FREEZE", 0x16),
    ("BPF_BTF_GET_NEXT_ID", 0x17),
    ("BPF_MAP_LOOKUP_BATCH", 0x18),
    ("BPF_MAP_LOOKUP_AND_DELETE_BATCH", 0x19),
    ("BPF_MAP_UPDATE_BATCH", 0x1a),
    ("BPF_MAP_DELETE_BATCH", 0x1b),
    ("BPF_LINK_CREATE", 0x1c),
    ("BPF_LINK_UPDATE", 0x1d),
    ("BPF_LINK_GET_FD_BY_ID", 0x1e),
    ("BPF_LINK_GET_NEXT_ID", 0x1f),
    ("BPF_ENABLE_STATS", 0x20),
    ("BPF_ITER_CREATE", 0x21),
    ("BPF_LINK_DETACH", 0x22),
    ("BPF_PROG_BIND_MAP", 0x23),
];
/// Names of `chmod_mode` values, in the order sysdig matches them.
pub static CHMOD_MODE: &[(&str, u32)] = &[
    ("S_IXOTH", 1),
    ("S_IWOTH", 2),
    ("S_IROTH", 4),
    ("S_IXGRP", 8),
    ("S_IWGRP", 0x10),
    ("S_IRGRP", 0x20),
    ("S_IXUSR", 0x40),
    ("S_IWUSR", 0x80),
    ("S_IRUSR", 0x100),
    ("S_ISVTX", 0x200),
    ("S_ISGID", 0x400),
    ("S_ISUID", 0x800),
];
/// Names of `clone_flags` values, in the order sysdig matches them.
pub static CLONE_FLAGS: &[(&str, u32)] = &[
    ("CLONE_FILES", 1),
    ("CLONE_FS", 2),
    ("CLONE_IO", 4),
    ("CLONE_NEWIPC", 8),
    ("CLONE_NEWNET", 0x10),
    ("CLONE_NEWNS", 0x20),
    ("CLONE_NEWPID", 0x40),
    ("CLONE_NEWUTS", 0x80),
    ("CLONE_PARENT", 0x100),
    ("CLONE_PARENT_SETTID", 0x200),
    ("CLONE_PTRACE", 0x400),
    ("CLONE_SIGHAND", 0x800),
    ("CLONE_SYSVSEM", 0x1000),
    ("CLONE_THREAD", 0x2000),
    ("CLONE_UNTRACED", 0x4000),
    ("CLONE_VM", 0x8000),
    ("CLONE_INVERTED", 0x10000),
    ("NAME_CHANGED", 0x20000),
    ("CLOSED", 0x40000),
    ("CLONE_NEWUSER", 0x100000),
    ("CLONE_CHILD_CLEARTID", 0x800000),
    ("CLONE_CHILD_SETTID", 0x1000000),
    ("CLONE_SETTLS", 0x2000000),
    ("CLONE_STOPPED", 0x4000000),
    ("CLONE_VFORK", 0x8000000),
    ("CLONE_NEWCGROUP", 0x10000000),
    ("CLONE_CHILD_IN_PIDNS", 0x20000000),
];
/// Names of `close_range_flags` values, in the order sysdig matches them.
pub static CLOSE_RANGE_FLAGS: &[(&str, u32)] =
    &[("CLOSE_RANGE_UNSHARE", 2), ("CLOSE_RANGE_CLOEXEC", 4)];
/// Names of `creat_flags` values, in the order sysdig matches them.
pub static CREAT_FLAGS: &[(&str, u32)] =
    &[("FD_UPPER_LAYER_CREAT", 1), ("FD_LOWER_LAYER_CREAT", 2)];
/// Names of `delete_module_flags` values, in the order sysdig matches them.
pub static DELETE_MODULE_FLAGS: &[(&str, u32)] = &[("O_NONBLOCK", 2), ("O_TRUNC", 1)];
/// Names of `epoll_create1_flags` values, in the order sysdig matches them.
pub static EPOLL_CREATE1_FLAGS: &[(&str, u32)] = &[("EPOLL_CLOEXEC", 1)];
/// Names of `execve_flags` values, in the order sysdig matches them.
pub static EXECVE_FLAGS: &[(&str, u32)] = &[
    ("EXE_WRITABLE", 1),
    ("EXE_UPPER_LAYER", 2),
    ("EXE_FROM_MEMFD", 4),
    ("EXE_LOWER_LAYER", 8),
];
/// Names of `execveat_flags` values, in the order sysdig matches them.
pub static EXECVEAT_FLAGS: &[(&str, u32)] = &[("AT_EMPTY_PATH", 1), ("AT_SYMLINK_NOFOLLOW", 2)];
/// Names of `fchownat_flags` values, in the order sysdig matches them.
pub static FCHOWNAT_FLAGS: &[(&str, u32)] =
    &[("AT_SYMLINK_NOFOLLOW", 0x400), ("AT_EMPTY_PATH", 0x1000)];
/// Names of `fcntl_commands` values, in the order sysdig matches them.
pub static FCNTL_COMMANDS: &[(&str, u32)] = &[
    ("F_GETPIPE_SZ", 0x1d),
    ("F_SETPIPE_SZ", 0x1c),
    ("F_NOTIFY", 0x1b),
    ("F_DUPFD_CLOEXEC", 0x1a),
    ("F_CANCELLK", 0x19),
    ("F_GETLEASE", 0x18),
    ("F_SETLEASE", 0x17),
    ("F_GETOWN_EX", 0x16),
    ("F_SETOWN_EX", 0x15),
    ("F_SETLKW64", 0x13),
    ("F_SETLK64", 0x12),
    ("F_GETLK64", 0x11),
    ("F_GETSIG", 0xf),
    ("F_SETSIG", 0xd),
    ("F_GETOWN", 0xc),
    ("F_SETOWN", 0xa),
    ("F_SETLKW", 9),
    ("F_SETLK", 8),
    ("F_GETLK", 6),
    ("F_SETFL", 5),
    ("F_GETFL", 4),
    ("F_SETFD", 3),
    ("F_GETFD", 2),
    ("F_DUPFD", 1),
    ("F_OFD_GETLK", 0x1e),
    ("F_OFD_SETLK", 0x1f),
    ("F_OFD_SETLKW", 0x20),
    ("UNKNOWN", 0),
];
/// Names of `file_flags` values, in the order sysdig matches them.
pub static FILE_FLAGS: &[(&str, u32)] = &[
    ("O_LARGEFILE", 0x800),
    ("O_DIRECTORY", 0x400),
    ("O_DIRECT", 0x200),
    ("O_TRUNC", 0x100),
    ("O_SYNC", 0x80),
    ("O_NONBLOCK", 0x40),
    ("O_EXCL", 0x20),
    ("O_DSYNC", 0x10),
    ("O_APPEND", 8),
    ("O_CREAT", 4),
    ("O_RDWR", 3),
    ("O_WRONLY", 2),
    ("O_RDONLY", 1),
    ("O_CLOEXEC", 0x1000),
    ("O_NONE", 0),
    ("O_TMPFILE", 0x2000),
    ("O_F_CREATED", 0x4000),
    ("FD_UPPER_LAYER", 0x8000),
    ("FD_LOWER_LAYER", 0x10000),
];
/// Names of `finit_module_flags` values, in the order sysdig matches them.
pub static FINIT_MODULE_FLAGS: &[(&str, u32)] = &[
    ("MODULE_INIT_IGNORE_MODVERSIONS", 1),
    ("MODULE_INIT_IGNORE_VERMAGIC", 2),
    ("MODULE_INIT_COMPRESSED_FILE", 4),
];
/// Names of `flock_flags` values, in the order sysdig matches them.
pub static FLOCK_FLAGS: &[(&str, u32)] = &[
    ("LOCK_SH", 1),
    ("LOCK_EX", 2),
    ("LOCK_NB", 4),
    ("LOCK_UN", 8),
    ("LOCK_NONE", 0),
];
/// Names of `fsconfig_cmds` values, in the order sysdig matches them.
pub static FSCONFIG_CMDS: &[(&str, u32)] = &[
    ("FSCONFIG_SET_FLAG", 0),
    ("FSCONFIG_SET_STRING", 1),
    ("FSCONFIG_SET_BINARY", 2),
    ("FSCONFIG_SET_PATH", 3),
    ("FSCONFIG_SET_PATH_EMPTY", 4),
    ("FSCONFIG_SET_FD", 5),
    ("FSCONFIG_CMD_CREATE", 6),
    ("FSCONFIG_CMD_RECONFIGURE", 7),
];
/// Names of `futex_operations` values, in the order sysdig matches them.
pub static FUTEX_OPERATIONS: &[(&str, u32)] = &[
    ("FUTEX_CLOCK_REALTIME", 0x100),
    ("FUTEX_PRIVATE_FLAG", 0x80),
    ("FUTEX_CMP_REQUEUE_PI", 0xc),
    ("FUTEX_WAIT_REQUEUE_PI", 0xb),
    ("FUTEX_WAKE_BITSET", 0xa),
    ("FUTEX_WAIT_BITSET", 9),
    ("FUTEX_TRYLOCK_PI", 8),
    ("FUTEX_UNLOCK_PI", 7),
    ("FUTEX_LOCK_PI", 6),
    ("FUTEX_WAKE_OP", 5),
    ("FUTEX_CMP_REQUEUE", 4),
    ("FUTEX_REQUEUE", 3),
    ("FUTEX_FD", 2),
    ("FUTEX_WAKE", 1),
    ("FUTEX_WAIT", 0),
];
/// Names of `io_uring_enter_flags` values, in the order sysdig matches them.
pub static IO_URING_ENTER_FLAGS: &[(&str, u32)] = &[
    ("IORING_ENTER_GETEVENTS", 1),
    ("IORING_ENTER_SQ_WAKEUP", 2),
    ("IORING_ENTER_SQ_WAIT", 4),
    ("IORING_ENTER_EXT_ARG", 8),
];
/// Names of `io_uring_register_opcodes` values, in the order sysdig matches them.
pub static IO_URING_REGISTER_OPCODES: &[(&str, u32)] = &[
    ("IORING_REGISTER_BUFFERS", 0),
    ("IORING_UNREGISTER_BUFFERS", 1),
    ("IORING_REGISTER_FILES", 2),
    ("IORING_UNREGISTER_FILES", 3),
    ("IORING_REGISTER_EVENTFD", 4),
    ("IORING_UNREGISTER_EVENTFD", 5),
    ("IORING_REGISTER_FILES_UPDATE", 6),
    ("IORING_REGISTER_EVENTFD_ASYNC", 7),
    ("IORING_REGISTER_PROBE", 8),
    ("IORING_REGISTER_PERSONALITY", 9),
    ("IORING_UNREGISTER_PERSONALITY", 0xa),
    ("IORING_REGISTER_RESTRICTIONS", 0xb),
    ("IORING_REGISTER_ENABLE_RINGS", 0xc),
    ("IORING_REGISTER_FILES2", 0xd),
    ("IORING_REGISTER_FILES_UPDATE2", 0xe),
    ("IORING_REGISTER_BUFFERS2", 0xf),
    ("IORING_REGISTER_BUFFERS_UPDATE", 0x10),
    ("IORING_REGISTER_IOWQ_AFF", 0x11),
    ("IORING_UNREGISTER_IOWQ_AFF", 0x12),
    ("IORING_REGISTER_IOWQ_MAX_WORKERS", 0x13),
    ("IORING_REGISTER_RING_FDS", 0x14),
    ("IORING_UNREGISTER_RING_FDS", 0x15),
];
/// Names of `io_uring_setup_feats` values, in the order sysdig matches them.
pub static IO_URING_SETUP_FEATS: &[(&str, u32)] = &[
    ("IORING_FEAT_SINGLE_MMAP", 1),
    ("IORING_FEAT_NODROP", 2),
    ("IORING_FEAT_SUBMIT_STABLE", 4),
    ("IORING_FEAT_RW_CUR_POS", 8),
    ("IORING_FEAT_CUR_PERSONALITY", 0x10),
    ("IORING_FEAT_FAST_POLL", 0x20),
    ("IORING_FEAT_POLL_32BITS", 0x40),
    ("IORING_FEAT_SQPOLL_NONFIXED", 0x80),
    ("IORING_FEAT_ENTER_EXT_ARG", 0x100),
    ("IORING_FEAT_NATIVE_WORKERS", 0x200),
    ("IORING_FEAT_RSRC_TAGS", 0x400),
];
/// Names of `io_uring_setup_flags` values, in the order sysdig matches them.
pub static IO_URING_SETUP_FLAGS: &[(&str, u32)] = &[
    ("IORING_SETUP_IOPOLL", 1),
    ("IORING_SETUP_SQPOLL", 2),
    ("IORING_SQ_NEED_WAKEUP", 4),
    ("IORING_SETUP_SQ_AFF", 8),
    ("IORING_SETUP_CQSIZE", 0x10),
    ("IORING_SETUP_CLAMP", 0x20),
    ("IORING_SETUP_ATTACH_RW", 0x40),
    ("IORING_SETUP_R_DISABLED", 0x80),
];
/// Names of `keyctl_operations` values, in the order sysdig matches them.
pub static KEYCTL_OPERATIONS: &[(&str, u32)] = &[
    ("KEYCTL_GET_KEYRING_ID", 0),
    ("KEYCTL_JOIN_SESSION_KEYRING", 1),
    ("KEYCTL_UPDATE", 2),
    ("KEYCTL_REVOKE", 3),
    ("KEYCTL_CHOWN", 4),
    ("KEYCTL_SETPERM", 5),
    ("KEYCTL_DESCRIBE", 6),
    ("KEYCTL_CLEAR", 7),
    ("KEYCTL_LINK", 8),
    ("KEYCTL_UNLINK", 9),
    ("KEYCTL_SEARCH", 0xa),
    ("KEYCTL_READ", 0xb),
    ("KEYCTL_INSTANTIATE", 0xc),
    ("KEYCTL_NEGATE", 0xd),
    ("KEYCTL_SET_REQKEY_KEYRING", 0xe),
    ("KEYCTL_SET_TIMEOUT", 0xf),
    ("KEYCTL_ASSUME_AUTHORITY", 0x10),
    ("KEYCTL_GET_SECURITY", 0x11),
    ("KEYCTL_SESSION_TO_PARENT", 0x12),
    ("KEYCTL_REJECT", 0x13),
    ("KEYCTL_INSTANTIATE_IOV", 0x14),
    ("KEYCTL_INVALIDATE", 0x15),
    ("KEYCTL_GET_PERSISTENT", 0x16),
    ("KEYCTL_DH_COMPUTE", 0x17),
    ("KEYCTL_PKEY_QUERY", 0x18),
    ("KEYCTL_PKEY_ENCRYPT", 0x19),
    ("KEYCTL_PKEY_DECRYPT", 0x1a),
    ("KEYCTL_PKEY_SIGN", 0x1b),
    ("KEYCTL_PKEY_VERIFY", 0x1c),
    ("KEYCTL_RESTRICT_KEYRING", 0x1d),
    ("KEYCTL_MOVE", 0x1e),
    ("KEYCTL_CAPABILITIES", 0x1f),
    ("KEYCTL_WATCH_KEY", 0x20),
];
/// Names of `linkat_flags` values, in the order sysdig matches them.
pub static LINKAT_FLAGS: &[(&str, u32)] =
    &[("AT_SYMLINK_FOLLOW", 0x400), ("AT_EMPTY_PATH", 0x1000)];
/// Names of `lseek_whence` values, in the order sysdig matches them.
pub static LSEEK_WHENCE: &[(&str, u32)] = &[("SEEK_END", 2), ("SEEK_CUR", 1), ("SEEK_SET", 0)];
/// Names of `memfd_create_flags` values, in the order sysdig matches them.
pub static MEMFD_CREATE_FLAGS: &[(&str, u32)] = &[
    ("MFD_CLOEXEC", 1),
    ("MFD_ALLOW_SEALING", 2),
    ("MFD_HUGETLB", 4),
];
/// Names of `mknod_mode` values, in the order sysdig matches them.
pub static MKNOD_MODE: &[(&str, u32)] = &[
    ("S_IXOTH", 1),
    ("S_IWOTH", 2),
    ("S_IROTH", 4),
    ("S_IXGRP", 8),
    ("S_IWGRP", 0x10),
    ("S_IRGRP", 0x20),
    ("S_IXUSR", 0x40),
    ("S_IWUSR", 0x80),
    ("S_IRUSR", 0x100),
    ("S_ISVTX", 0x200),
    ("S_ISGID", 0x400),
    ("S_ISUID", 0x800),
    ("S_IFREG", 0x8000),
    ("S_IFCHR", 0x2000),
    ("S_IFBLK", 0x6000),
    ("S_IFIFO", 0x1000),
    ("S_IFSOCK", 0xc000),
];
/// Names of `mlock2_flags` values, in the order sysdig matches them.
pub static MLOCK2_FLAGS: &[(&str, u32)] = &[("MLOCK_ONFAULT", 1)];
/// Names of `mlockall_flags` values, in the order sysdig matches them.
pub static MLOCKALL_FLAGS: &[(&str, u32)] =
    &[("MCL_CURRENT", 1), ("MCL_FUTURE", 2), ("MCL_ONFAULT", 4)];
/// Names of `mmap_flags` values, in the order sysdig matches them.
pub static MMAP_FLAGS: &[(&str, u32)] = &[
    ("MAP_SHARED", 1),
    ("MAP_PRIVATE", 2),
    ("MAP_FIXED", 4),
    ("MAP_ANONYMOUS", 8),
    ("MAP_32BIT", 0x10),
    ("MAP_RENAME", 0x20),
    ("MAP_NORESERVE", 0x40),
    ("MAP_POPULATE", 0x80),
    ("MAP_NONBLOCK", 0x100),
    ("MAP_GROWSDOWN", 0x200),
    ("MAP_DENYWRITE", 0x400),
    ("MAP_EXECUTABLE", 0x800),
    ("MAP_INHERIT", 0x1000),
    ("MAP_FILE", 0x2000),
    ("MAP_LOCKED", 0x4000),
];
/// Names of `mount_flags` values, in the order sysdig matches them.
pub static MOUNT_FLAGS: &[(&str, u32)] = &[
    ("RDONLY", 1),
    ("NOSUID", 2),
    ("NODEV", 4),
    ("NOEXEC", 8),
    ("SYNCHRONOUS", 0x10),
    ("REMOUNT", 0x20),
    ("MANDLOCK", 0x40),
    ("DIRSYNC", 0x80),
    ("NOATIME", 0x400),
    ("NODIRATIME", 0x800),
    ("BIND", 0x1000),
    ("MOVE", 0x2000),
    ("REC", 0x4000),
    ("SILENT", 0x8000),
    ("POSIXACL", 0x10000),
    ("UNBINDABLE", 0x20000),
    ("PRIVATE", 0x40000),
    ("SLAVE", 0x80000),
    ("SHARED", 0x100000),
    ("RELATIME", 0x200000),
    ("KERNMOUNT", 0x400000),
    ("I_VERSION", 0x800000),
    ("STRICTATIME", 0x1000000),
    ("LAZYTIME", 0x2000000),
    ("NOSEC", 0x10000000),
    ("BORN", 0x20000000),
    ("ACTIVE", 0x40000000),
    ("NOUSER", 0x80000000),
];
/// Names of `newfstatat_flags` values, in the order sysdig matches them.
pub static NEWFSTATAT_FLAGS: &[(&str, u32)] = &[
    ("AT_EMPTY_PATH", 0x1000),
    ("AT_NO_AUTOMOUNT", 0x800),
    ("AT_SYMLINK_NOFOLLOW", 0x100),
];
/// Names of `openat2_flags` values, in the order sysdig matches them.
pub static OPENAT2_FLAGS: &[(&str, u32)] = &[
    ("RESOLVE_BENEATH", 1),
    ("RESOLVE_IN_ROOT", 2),
    ("RESOLVE_NO_MAGICLINKS", 4),
    ("RESOLVE_NO_SYMLINKS", 8),
    ("RESOLVE_NO_XDEV", 0x10),
    ("RESOLVE_CACHED", 0x20),
];
/// Names of `pf_flags` values, in the order sysdig matches them.
pub static PF_FLAGS: &[(&str, u32)] = &[
    ("PROTECTION_VIOLATION", 1),
    ("PAGE_NOT_PRESENT", 2),
    ("WRITE_ACCESS", 4),
    ("READ_ACCESS", 8),
    ("USER_FAULT", 0x10),
    ("SUPERVISOR_FAULT", 0x20),
    ("RESERVED_PAGE", 0x40),
    ("INSTRUCTION_FETCH", 0x80),
];
/// Names of `pidfd_open_flags` values, in the order sysdig matches them.
pub static PIDFD_OPEN_FLAGS: &[(&str, u32)] = &[("PIDFD_NONBLOCK", 1)];
/// Names of `prctl_options` values, in the order sysdig matches them.
pub static PRCTL_OPTIONS: &[(&str, u32)] = &[
    ("PR_GET_DUMPABLE", 3),
    ("PR_SET_DUMPABLE", 4),
    ("PR_GET_KEEPCAPS", 7),
    ("PR_SET_KEEPCAPS", 8),
    ("PR_SET_NAME", 0xf),
    ("PR_GET_NAME", 0x10),
    ("PR_GET_SECCOMP", 0x15),
    ("PR_SET_SECCOMP", 0x16),
    ("PR_CAPBSET_READ", 0x17),
    ("PR_CAPBSET_DROP", 0x18),
    ("PR_GET_SECUREBITS", 0x1b),
    ("PR_SET_SECUREBITS", 0x1c),
    ("PR_MCE_KILL", 0x21),
    ("PR_MCE_KILL", 0x21),
    ("PR_SET_MM", 0x23),
    ("PR_SET_CHILD_SUBREAPER", 0x24),
    ("PR_GET_CHILD_SUBREAPER", 0x25),
    ("PR_SET_NO_NEW_PRIVS", 0x26),
    ("PR_GET_NO_NEW_PRIVS", 0x27),
    ("PR_GET_TID_ADDRESS", 0x28),
    ("PR_SET_THP_DISABLE", 0x29),
    ("PR_GET_THP_DISABLE", 0x2a),
    ("PR_CAP_AMBIENT", 0x2f),
];
/// Names of `prot_flags` values, in the order sysdig matches them.
pub static PROT_FLAGS: &[(&str, u32)] = &[
    ("PROT_READ", 1),
    ("PROT_WRITE", 2),
    ("PROT_EXEC", 4),
    ("PROT_SEM", 8),
    ("PROT_GROWSDOWN", 0x10),
    ("PROT_GROWSUP", 0x20),
    ("PROT_SAO", 0x40),
    ("PROT_NONE", 0),
];
/// Names of `ptrace_requests` values, in the order sysdig matches them.
pub static PTRACE_REQUESTS: &[(&str, u32)] = &[
    ("PTRACE_SINGLEBLOCK", 0x26),
    ("PTRACE_SYSEMU_SINGLESTEP", 0x25),
    ("PTRACE_SYSEMU", 0x24),
    ("PTRACE_ARCH_PRCTL", 0x23),
    ("PTRACE_SET_THREAD_AREA", 0x22),
    ("PTRACE_GET_THREAD_AREA", 0x21),
    ("PTRACE_OLDSETOPTIONS", 0x20),
    ("PTRACE_SETFPXREGS", 0x1f),
    ("PTRACE_GETFPXREGS", 0x1e),
    ("PTRACE_SETFPREGS", 0x1d),
    ("PTRACE_GETFPREGS", 0x1c),
    ("PTRACE_SETREGS", 0x1b),
    ("PTRACE_GETREGS", 0x1a),
    ("PTRACE_SETSIGMASK", 0x19),
    ("PTRACE_GETSIGMASK", 0x18),
    ("PTRACE_PEEKSIGINFO", 0x17),
    ("PTRACE_LISTEN", 0x16),
    ("PTRACE_INTERRUPT", 0x15),
    ("PTRACE_SEIZE", 0x14),
    ("PTRACE_SETREGSET", 0x13),
    ("PTRACE_GETREGSET", 0x12),
    ("PTRACE_SETSIGINFO", 0x11),
    ("PTRACE_GETSIGINFO", 0x10),
    ("PTRACE_GETEVENTMSG", 0xf),
    ("PTRACE_SETOPTIONS", 0xe),
    ("PTRACE_SYSCALL", 0xd),
    ("PTRACE_DETACH", 0xc),
    ("PTRACE_ATTACH", 0xb),
    ("PTRACE_SINGLESTEP", 0xa),
    ("PTRACE_KILL", 9),
    ("PTRACE_CONT", 8),
    ("PTRACE_POKEUSR", 7),
    ("PTRACE_POKEDATA", 6),
    ("PTRACE_POKETEXT", 5),
    ("PTRACE_PEEKUSR", 4),
    ("PTRACE_PEEKDATA", 3),
    ("PTRACE_PEEKTEXT", 2),
    ("PTRACE_TRACEME", 1),
    ("PTRACE_UNKNOWN", 0),
];
/// Names of `quotactl_cmds` values, in the order sysdig matches them.
pub static QUOTACTL_CMDS: &[(&str, u32)] = &[
    ("Q_QUOTAON", 1),
    ("Q_QUOTAOFF", 2),
    ("Q_GETFMT", 4),
    ("Q_GETINFO", 8),
    ("Q_SETINFO", 0x10),
    ("Q_GETQUOTA", 0x20),
    ("Q_SETQUOTA", 0x40),
    ("Q_SYNC", 0x80),
    ("Q_XQUOTAON", 0x100),
    ("Q_XQUOTAOFF", 0x200),
    ("Q_XGETQUOTA", 0x400),
    ("Q_XSETQLIM", 0x800),
    ("Q_XGETQSTAT", 0x1000),
    ("Q_XQUOTARM", 0x2000),
    ("Q_XQUOTASYNC", 0x4000),
];
/// Names of `quotactl_dqi_flags` values, in the order sysdig matches them.
pub static QUOTACTL_DQI_FLAGS: &[(&str, u32)] = &[("DQF_NONE", 1), ("V1_DQF_RSQUASH", 2)];
/// Names of `quotactl_quota_fmts` values, in the order sysdig matches them.
pub static QUOTACTL_QUOTA_FMTS: &[(&str, u32)] = &[
    ("QFMT_NOT_USED", 1),
    ("QFMT_VFS_OLD", 2),
    ("QFMT_VFS_V0", 4),
    ("QFMT_VFS_V1", 8),
];
/// Names of `quotactl_types` values, in the order sysdig matches them.
pub static QUOTACTL_TYPES: &[(&str, u32)] = &[("USRQUOTA", 1), ("GRPQUOTA", 2)];
/// Names of `renameat2_flags` values, in the order sysdig matches them.
pub static RENAMEAT2_FLAGS: &[(&str, u32)] = &[
    ("RENAME_NOREPLACE", 1),
    ("RENAME_EXCHANGE", 2),
    ("RENAME_WHITEOUT", 4),
];
/// Names of `rlimit_resources` values, in the order sysdig matches them.
pub static RLIMIT_RESOURCES: &[(&str, u32)] = &[
    ("RLIMIT_UNKNOWN", 0xff),
    ("RLIMIT_RTTIME", 0xf),
    ("RLIMIT_RTPRIO", 0xe),
    ("RLIMIT_NICE", 0xd),
    ("RLIMIT_MSGQUEUE", 0xc),
    ("RLIMIT_SIGPENDING", 0xb),
    ("RLIMIT_LOCKS", 0xa),
    ("RLIMIT_AS", 9),
    ("RLIMIT_MEMLOCK", 8),
    ("RLIMIT_NOFILE", 7),
    ("RLIMIT_NPROC", 6),
    ("RLIMIT_RSS", 5),
    ("RLIMIT_CORE", 4),
    ("RLIMIT_STACK", 3),
    ("RLIMIT_DATA", 2),
    ("RLIMIT_FSIZE", 1),
    ("RLIMIT_CPU", 0),
];
/// Names of `semctl_commands` values, in the order sysdig matches them.
pub static SEMCTL_COMMANDS: &[(&str, u32)] = &[
    ("IPC_STAT", 1),
    ("IPC_SET", 2),
    ("IPC_RMID", 4),
    ("IPC_INFO", 8),
    ("SEM_INFO", 0x10),
    ("SEM_STAT", 0x20),
    ("GETALL", 0x40),
    ("GETNCNT", 0x80),
    ("GETPID", 0x100),
    ("GETVAL", 0x200),
    ("GETZCNT", 0x400),
    ("SETALL", 0x800),
    ("SETVAL", 0x1000),
];
/// Names of `semget_flags` values, in the order sysdig matches them.
pub static SEMGET_FLAGS: &[(&str, u32)] = &[("IPC_EXCL", 0x4000), ("IPC_CREAT", 0x2000)];
/// Names of `semop_flags` values, in the order sysdig matches them.
pub static SEMOP_FLAGS: &[(&str, u32)] = &[("IPC_NOWAIT", 1), ("SEM_UNDO", 2)];
/// Names of `shutdown_how` values, in the order sysdig matches them.
pub static SHUTDOWN_HOW: &[(&str, u32)] = &[
    ("SHUT_UNKNOWN", 0xffff),
    ("SHUT_RDWR", 2),
    ("SHUT_WR", 1),
    ("SHUT_RD", 0),
];
/// Names of `socket_families` values, in the order sysdig matches them.
pub static SOCKET_FAMILIES: &[(&str, u32)] = &[
    ("AF_NFC", 0x27),
    ("AF_ALG", 0x26),
    ("AF_CAIF", 0x25),
    ("AF_IEEE802154", 0x24),
    ("AF_PHONET", 0x23),
    ("AF_ISDN", 0x22),
    ("AF_RXRPC", 0x21),
    ("AF_IUCV", 0x20),
    ("AF_BLUETOOTH", 0x1f),
    ("AF_TIPC", 0x1e),
    ("AF_CAN", 0x1d),
    ("AF_LLC", 0x1a),
    ("AF_WANPIPE", 0x19),
    ("AF_PPPOX", 0x18),
    ("AF_IRDA", 0x17),
    ("AF_SNA", 0x16),
    ("AF_RDS", 0x15),
    ("AF_ATMSVC", 0x14),
    ("AF_ECONET", 0x13),
    ("AF_ASH", 0x12),
    ("AF_PACKET", 0x11),
    ("AF_ROUTE", 0x10),
    ("AF_NETLINK", 0x10),
    ("AF_KEY", 0xf),
    ("AF_SECURITY", 0xe),
    ("AF_NETBEUI", 0xd),
    ("AF_DECnet", 0xc),
    ("AF_ROSE", 0xb),
    ("AF_INET6", 0xa),
    ("AF_X25", 9),
    ("AF_ATMPVC", 8),
    ("AF_BRIDGE", 7),
    ("AF_NETROM", 6),
    ("AF_APPLETALK", 5),
    ("AF_IPX", 4),
    ("AF_AX25", 3),
    ("AF_INET", 2),
    ("AF_LOCAL", 1),
    ("AF_UNIX", 1),
    ("AF_UNSPEC", 0),
];
/// Names of `sockopt_levels` values, in the order sysdig matches them.
pub static SOCKOPT_LEVELS: &[(&str, u32)] = &[("SOL_SOCKET", 1), ("SOL_TCP", 2), ("UNKNOWN", 0)];
/// Names of `sockopt_options` values, in the order sysdig matches them.
pub static SOCKOPT_OPTIONS: &[(&str, u32)] = &[
    ("SO_COOKIE", 0x35),
    ("SO_MEMINFO", 0x34),
    ("SO_PEERGROUPS", 0x33),
    ("SO_ATTACH_BPF", 0x32),
    ("SO_INCOMING_CPU", 0x31),
    ("SO_BPF_EXTENSIONS", 0x30),
    ("SO_MAX_PACING_RATE", 0x2f),
    ("SO_BUSY_POLL", 0x2e),
    ("SO_SELECT_ERR_QUEUE", 0x2d),
    ("SO_LOCK_FILTER", 0x2c),
    ("SO_NOFCS", 0x2b),
    ("SO_PEEK_OFF", 0x2a),
    ("SO_WIFI_STATUS", 0x29),
    ("SO_RXQ_OVFL", 0x28),
    ("SO_DOMAIN", 0x27),
    ("SO_PROTOCOL", 0x26),
    ("SO_TIMESTAMPING", 0x25),
    ("SO_MARK", 0x24),
    ("SO_TIMESTAMPNS", 0x23),
    ("SO_PASSSEC", 0x22),
    ("SO_PEERSEC", 0x1f),
    ("SO_ACCEPTCONN", 0x1e),
    ("SO_TIMESTAMP", 0x1d),
    ("SO_PEERNAME", 0x1c),
    ("SO_DETACH_FILTER", 0x1b),
    ("SO_ATTACH_FILTER", 0x1a),
    ("SO_BINDTODEVICE", 0x19),
    ("SO_SECURITY_ENCRYPTION_NETWORK", 0x18),
    ("SO_SECURITY_ENCRYPTION_TRANSPORT", 0x17),
    ("SO_SECURITY_AUTHENTICATION", 0x16),
    ("SO_SNDTIMEO", 0x15),
    ("SO_RCVTIMEO", 0x14),
    ("SO_SNDLOWAT", 0x13),
    ("SO_RCVLOWAT", 0x12),
    ("SO_PEERCRED", 0x11),
    ("SO_PASSCRED", 0x10),
    ("SO_REUSEPORT", 0xf),
    ("SO_BSDCOMPAT", 0xe),
    ("SO_LINGER", 0xd),
    ("SO_PRIORITY", 0xc),
    ("SO_NO_CHECK", 0xb),
    ("SO_OOBINLINE", 0xa),
    ("SO_KEEPALIVE", 9),
    ("SO_RCVBUFFORCE", 0x21),
    ("SO_SNDBUFFORCE", 0x20),
    ("SO_RCVBUF", 8),
    ("SO_SNDBUF", 7),
    ("SO_BROADCAST", 6),
    ("SO_DONTROUTE", 5),
    ("SO_ERROR", 4),
    ("SO_TYPE", 3),
    ("SO_REUSEADDR", 2),
    ("SO_DEBUG", 1),
    ("UNKNOWN", 0),
];
/// Names of `splice_flags` values, in the order sysdig matches them.
pub static SPLICE_FLAGS: &[(&str, u32)] = &[
    ("SPLICE_F_MOVE", 1),
    ("SPLICE_F_NONBLOCK", 2),
    ("SPLICE_F_MORE", 4),
    ("SPLICE_F_GIFT", 8),
];
/// Names of `umount_flags` values, in the order sysdig matches them.
pub static UMOUNT_FLAGS: &[(&str, u32)] =
    &[("FORCE", 1), ("DETACH", 2), ("EXPIRE", 4), ("NOFOLLOW", 8)];
/// Names of `unlinkat_flags` values, in the order sysdig matches them.
pub static UNLINKAT_FLAGS: &[(&str, u32)] = &[("AT_REMOVEDIR", 0x200)];

/// Alternatives of the `val` parameter of get/setsockopt (`PPM_SOCKOPT_IDX_*`).
pub static SOCKOPT_DYN: &[ParamType] = &[
    ParamType::Bytebuf,
    ParamType::Errno,
    ParamType::Uint32,
    ParamType::Uint64,
    ParamType::Reltime,
];
/// Alternatives of ptrace `addr`/`data` (`PPM_PTRACE_IDX_*`).
pub static PTRACE_DYN: &[ParamType] = &[ParamType::Uint64, ParamType::Sigtype];
/// Alternatives of bpf `res_or_fd` (`PPM_BPF_IDX_*`).
pub static BPF_DYN: &[ParamType] = &[ParamType::Fd, ParamType::Errno];
/// Alternatives of keyctl `arg2..arg5` (`PPM_KEYCTL_IDX_*`).
pub static KEYCTL_DYN: &[ParamType] = &[ParamType::Int64, ParamType::Charbuf];

/// Syscall names by `PPM_SC_*` code, as `evt.type` shows them for generic events (param `ID`).
///
/// Codes below 329 use the names sysdig 0.29 prints (e.g. 298 `sigreturn`, 305 `setuid`);
/// newer codes use current libs' names.
#[rustfmt::skip]
pub static SYSCALL_NAMES: &[&str] = &[
    "<unknown>", "restart_syscall", "exit", "read", "write", "open", "close", "creat",
    "link", "unlink", "chdir", "time", "mknod", "chmod", "stat", "lseek",
    "getpid", "mount", "ptrace", "alarm", "fstat", "pause", "utime", "access",
    "sync", "kill", "rename", "mkdir", "rmdir", "dup", "pipe", "times",
    "brk", "acct", "ioctl", "fcntl", "setpgid", "umask", "chroot", "ustat",
    "dup2", "getppid", "getpgrp", "setsid", "sethostname", "setrlimit", "getrusage", "gettimeofday",
    "settimeofday", "symlink", "lstat", "readlink", "uselib", "swapon", "reboot", "mmap",
    "munmap", "truncate", "ftruncate", "fchmod", "getpriority", "setpriority", "statfs", "fstatfs",
    "syslog", "setitimer", "getitimer", "uname", "vhangup", "wait4", "swapoff", "sysinfo",
    "fsync", "setdomainname", "adjtimex", "mprotect", "init_module", "delete_module", "quotactl", "getpgid",
    "fchdir", "sysfs", "personality", "getdents", "select", "flock", "msync", "readv",
    "writev", "getsid", "fdatasync", "mlock", "munlock", "mlockall", "munlockall", "sched_setparam",
    "sched_getparam", "sched_setscheduler", "sched_getscheduler", "sched_yield", "sched_get_priority_max", "sched_get_priority_min", "sched_rr_get_interval", "nanosleep",
    "mremap", "poll", "prctl", "rt_sigaction", "rt_sigprocmask", "rt_sigpending", "rt_sigtimedwait", "rt_sigqueueinfo",
    "rt_sigsuspend", "getcwd", "capget", "capset", "sendfile", "getrlimit", "lchown", "getuid",
    "getgid", "geteuid", "getegid", "setreuid", "setregid", "getgroups", "setgroups", "fchown",
    "setresuid", "getresuid", "setresgid", "getresgid", "chown", "setuid", "setgid", "setfsuid",
    "setfsgid", "pivot_root", "mincore", "madvise", "gettid", "setxattr", "lsetxattr", "fsetxattr",
    "getxattr", "lgetxattr", "fgetxattr", "listxattr", "llistxattr", "flistxattr", "removexattr", "lremovexattr",
    "fremovexattr", "tkill", "futex", "sched_setaffinity", "sched_getaffinity", "set_thread_area", "get_thread_area", "io_setup",
    "io_destroy", "io_getevents", "io_submit", "io_cancel", "exit_group", "epoll_create", "epoll_ctl", "epoll_wait",
    "remap_file_pages", "set_tid_address", "timer_create", "timer_settime", "timer_gettime", "timer_getoverrun", "timer_delete", "clock_settime",
    "clock_gettime", "clock_getres", "clock_nanosleep", "tgkill", "utimes", "mq_open", "mq_unlink", "mq_timedsend",
    "mq_timedreceive", "mq_notify", "mq_getsetattr", "kexec_load", "waitid", "add_key", "request_key", "keyctl",
    "ioprio_set", "ioprio_get", "inotify_init", "inotify_add_watch", "inotify_rm_watch", "openat", "mkdirat", "mknodat",
    "fchownat", "futimesat", "unlinkat", "renameat", "linkat", "symlinkat", "readlinkat", "fchmodat",
    "faccessat", "pselect6", "ppoll", "unshare", "set_robust_list", "get_robust_list", "splice", "tee",
    "vmsplice", "getcpu", "epoll_pwait", "utimensat", "signalfd", "timerfd_create", "eventfd", "timerfd_settime",
    "timerfd_gettime", "signalfd4", "eventfd2", "epoll_create1", "dup3", "pipe2", "inotify_init1", "preadv",
    "pwritev", "rt_tgsigqueueinfo", "perf_event_open", "fanotify_init", "prlimit64", "clock_adjtime", "syncfs", "setns",
    "getdents64", "socket", "bind", "connect", "listen", "accept", "getsockname", "getpeername",
    "socketpair", "sendto", "recvfrom", "shutdown", "setsockopt", "getsockopt", "sendmsg", "sendmmsg",
    "recvmsg", "recvmmsg", "accept4", "semop", "semget", "semctl", "msgsnd", "msgrcv",
    "msgget", "msgctl", "shmdt", "shmget", "shmctl", "statfs64", "fstatfs64", "fstatat64",
    "sendfile64", "ugetrlimit", "bdflush", "sigprocmask", "ipc", "socketcall", "stat64", "lstat64",
    "fstat64", "fcntl64", "mmap2", "newselect", "sgetmask", "ssetmask", "sigpending", "olduname",
    "umount", "signal", "nice", "stime", "llseek", "waitpid", "pread64", "pwrite64",
    "arch_prctl", "shmat", "sigreturn", "fallocate", "newfstatat", "process_vm_readv", "process_vm_writev", "fork",
    "vfork", "setuid", "getuid", "setgid", "geteuid", "getgid", "setresuid", "setresgid",
    "getresuid", "getresgid", "finit_module", "bpf", "seccomp", "sigaltstack", "getrandom", "fadvise64",
    "renameat2", "userfaultfd", "openat2", "umount2", "execve", "execveat", "copy_file_range", "clone",
    "clone3", "open_by_handle_at", "io_uring_setup", "io_uring_enter", "io_uring_register", "mlock2", "getegid32", "fsconfig",
    "fspick", "fsmount", "fsopen", "open_tree", "move_mount", "mount_setattr", "memfd_create", "memfd_secret",
    "ioperm", "kexec_file_load", "pidfd_getfd", "pidfd_open", "pidfd_send_signal", "pkey_alloc", "pkey_mprotect", "pkey_free",
    "landlock_create_ruleset", "quotactl_fd", "landlock_restrict_self", "landlock_add_rule", "epoll_pwait2", "migrate_pages", "move_pages", "preadv2",
    "pwritev2", "kcmp", "sched_setattr", "mbind", "epoll_ctl_old", "lookup_dcookie", "modify_ldt", "statx",
    "set_mempolicy", "io_pgetevents", "set_mempolicy_home_node", "semtimedop", "get_kernel_syms", "readahead", "futex_waitv", "getpmsg",
    "name_to_handle_at", "process_mrelease", "nfsservctl", "epoll_wait_old", "rseq", "create_module", "na_1", "sched_getattr",
    "faccessat2", "_sysctl", "query_module", "get_mempolicy", "sync_file_range", "process_madvise", "membarrier", "iopl",
    "close_range", "fanotify_mark", "recv", "send", "sched_process_exit", "sched_switch", "page_fault_user", "page_fault_kernel",
    "signal_deliver", "timerfd", "s390_pci_mmio_read", "sigaction", "s390_pci_mmio_write", "readdir", "s390_sthyi", "sigsuspend",
    "idle", "s390_runtime_instr", "sigreturn", "s390_guarded_storage", "cachestat", "fchmodat2", "map_shadow_stack", "riscv_flush_icache",
    "riscv_hwprobe", "futex_wake", "futex_requeue", "futex_wait", "oldstat", "switch_endian", "multiplexer", "oldlstat",
    "spu_create", "sync_file_range2", "oldfstat", "spu_run", "swapcontext", "pciconfig_write", "rtas", "pciconfig_read",
    "sys_debug_setcontext", "vm86", "oldolduname", "subpage_prot", "pciconfig_iobase", "listmount", "statmount", "lsm_get_self_attr",
    "lsm_set_self_attr", "lsm_list_modules", "mseal", "uretprobe", "removexattrat", "listxattrat", "getxattrat", "setxattrat",
    "open_tree_attr", "file_getattr", "file_setattr", "listns", "uprobe", "rseq_slice_yield",
];

/// The syscall name of a `PPM_SC_*` code as sysdig 0.29 prints it, `None` past the table.
pub fn syscall_name(code: u16) -> Option<&'static str> {
    SYSCALL_NAMES.get(code as usize).copied()
}

/// The codes whose name in current libs differs from sysdig 0.29's: current libs lower-case
/// the `PPM_SC_*` identifier (`scap_get_ppm_sc_name`), which keeps the leading underscore of
/// `_llseek` and the `32` suffix of the 32-bit uid calls. Sorted by code.
const LIBS_SYSCALL_NAMES: &[(u16, &str)] = &[
    (0, "unknown"),
    (283, "_newselect"),
    (292, "_llseek"),
    (298, "rt_sigreturn"),
    (305, "setuid32"),
    (306, "getuid32"),
    (307, "setgid32"),
    (308, "geteuid32"),
    (309, "getgid32"),
    (310, "setresuid32"),
    (311, "setresgid32"),
    (312, "getresuid32"),
    (313, "getresgid32"),
];

/// The syscall name of a `PPM_SC_*` code as current libs print it, `None` past the table.
pub fn libs_syscall_name(code: u16) -> Option<&'static str> {
    match LIBS_SYSCALL_NAMES.binary_search_by_key(&code, |&(c, _)| c) {
        Ok(i) => Some(LIBS_SYSCALL_NAMES[i].1),
        Err(_) => syscall_name(code),
    }
}

/// The `PPM_SC_*` code of x86-64 system call number `native` (0, `PPM_SC_UNKNOWN`, for a number
/// or a call the code table does not know), as libscap's `scap_native_id_to_ppm_sc` gives it:
/// the code whose current libs name is the kernel's name of the call.
pub fn native_syscall_code(native: u16) -> u16 {
    let Some(name) = super::native::X86_64_SYSCALLS
        .get(usize::from(native))
        .filter(|n| !n.is_empty())
    else {
        return 0;
    };
    (1..SYSCALL_NAMES.len() as u16)
        .find(|&c| libs_syscall_name(c) == Some(name))
        .unwrap_or(0)
}
