/* SPDX-License-Identifier: GPL-2.0 OR Apache-2.0 */
/*
 * The kernel/user ABI of the hindsight probe.
 *
 * Everything here is shared with the Rust loader (probe/src/abi.rs mirrors these structs with
 * size assertions): the configuration map, the per-syscall encoding table, the statistics and
 * the layout of one ring-buffer record. Keep both sides in sync.
 */
#ifndef HINDSIGHT_H
#define HINDSIGHT_H

/* Syscall numbers handled by the table (x86_64 numbers are all below this). */
#define HS_SYSCALL_MAX 512

/* Maximum parameters described per direction in the syscall table. */
#define HS_MAX_SPECS 8

/* Largest record (ring header + scap event record) the probe emits. */
#define HS_REC_MAX 16384
/* Values are written at an offset masked with this (a power of two minus one)... */
#define HS_OFF_MASK (HS_REC_MAX - 1)
/* ...and each single write is at most this long, so the scratch buffer is HS_REC_MAX + HS_WRITE_MAX. */
#define HS_WRITE_MAX 8192

/* Bytes of the per-record ring header that precedes the scap event record. */
#define HS_RING_HDR 8
/* Bytes of the scap event header (ts u64, tid u64, len u32, type u16, nparams u32). */
#define HS_EVT_HDR 26

/* hs_config.flags */
#define HS_CFG_FILTER_TREE (1u << 0)   /* only processes whose tgid is in hs_pids */
#define HS_CFG_FILTER_CGROUP (1u << 1) /* only tasks whose cgroup id equals cgroup_id */
#define HS_CFG_CGROUP_V1_PIDS (1u << 2) /* cgroup_id is the pids v1 hierarchy id, not cgroup2 */

/* hs_syscall.flags */
#define HS_SC_ENABLED (1u << 0)
#define HS_SC_FAMILY_EXECVE (1u << 1) /* exit uses the process-info layout of execve */
#define HS_SC_FAMILY_CLONE (1u << 2)  /* exit uses the process-info layout of clone */
#define HS_SC_EXIT_ONLY (1u << 3)     /* no enter event: the exit carries the enter's parameters */

/* Runtime configuration (one entry in the hs_config array map). */
struct hs_config {
	unsigned long long boot_to_epoch_ns; /* add to bpf_ktime_get_boot_ns() */
	unsigned long long cgroup_id;        /* HS_CFG_FILTER_CGROUP target */
	unsigned int flags;                  /* HS_CFG_* */
	unsigned int snaplen;                /* bytes of read/write data kept */
	unsigned int self_tgid;              /* the recorder itself, never traced */
	unsigned int reserved;
};

/* How to encode one syscall: event ids and parameter recipes (HS_P_* | arg << 8). */
struct hs_syscall {
	unsigned short enter_type;
	unsigned short exit_type;
	unsigned short ppm_sc;  /* PPM_SC_* code for generic events */
	unsigned char flags;    /* HS_SC_* */
	unsigned char n_enter;  /* parameters of the enter event */
	unsigned char n_exit;   /* parameters of the exit event (ignored for the families) */
	unsigned char reserved[3];
	unsigned short enter_specs[HS_MAX_SPECS];
	unsigned short exit_specs[HS_MAX_SPECS];
};

/* Per-CPU statistics (one entry in the hs_stats per-CPU array). */
struct hs_stats {
	unsigned long long events;        /* records written to the ring buffer */
	unsigned long long drops_buffer;  /* ring buffer full */
	unsigned long long drops_too_big; /* record larger than HS_REC_MAX */
	unsigned long long drops_stash;   /* unused (0): arguments are no longer stashed; kept for the layout */
};

/* Header in front of every scap record in the ring buffer. */
struct hs_ring_hdr {
	unsigned short cpu;
	unsigned short reserved0;
	unsigned int reserved1;
};

/* Parameter recipes (low byte of a spec; the high byte is the syscall argument index). */
enum hs_param_kind {
	HS_P_NONE = 0,
	HS_P_RES = 1,            /* i64: syscall return value */
	HS_P_ARG_I64 = 2,        /* i64: sign-extended int argument (fd, dirfd, pid) */
	HS_P_ARG_U64 = 3,        /* u64 argument */
	HS_P_ARG_U32 = 4,        /* u32 argument (mode, size, uid) */
	HS_P_ARG_U16 = 5,        /* u16 argument */
	HS_P_ARG_U8 = 6,         /* u8 argument (signal) */
	HS_P_ARG_STR = 7,        /* NUL-terminated user string */
	HS_P_OPEN_FLAGS = 8,     /* O_* argument as PPM_O_* (u32) */
	HS_P_NS_FLAGS = 9,       /* CLONE_NEW* argument as PPM_CL_* (u32) */
	HS_P_SOCKADDR = 10,      /* user sockaddr at arg, its length in arg + 1 */
	HS_P_DATA = 11,          /* user buffer at arg, min(res, snaplen) bytes */
	HS_P_TUPLE_FD = 12,      /* socket tuple of the fd in arg (local -> remote), empty when ret fails */
	HS_P_TUPLE_RES = 13,     /* socket tuple of the fd returned (remote -> local) */
	HS_P_DEV_RES = 14,       /* u32 device of the fd returned */
	HS_P_ZERO_U8 = 15,
	HS_P_ZERO_U32 = 16,
	HS_P_SC_ID = 17,         /* u16 PPM_SC code of the syscall */
	HS_P_NATIVE_ID = 18,     /* u16 native syscall number */
	HS_P_HOW_FLAGS = 19,     /* openat2 open_how.flags as PPM_O_* */
	HS_P_HOW_MODE = 20,      /* openat2 open_how.mode */
	HS_P_HOW_RESOLVE = 21,   /* openat2 open_how.resolve */
	HS_P_MSG_DATA = 22,      /* first iovec of the msghdr at arg, min(res, snaplen) bytes */
	HS_P_MSG_SIZE = 23,      /* u32 length of the first iovec of the msghdr at arg */
	HS_P_PTRACE_REQ = 24,    /* ptrace request as PPM_PTRACE_* (u16) */
	HS_P_DYN_U64 = 25,       /* PT_DYN: selector 0, u64 argument */
	HS_P_BPF_RES = 26,       /* PT_DYN: fd (selector 0) or result (selector 1) of bpf() */
	HS_P_MOUNT_FLAGS = 27,   /* mount flags without the magic (u32) */
	HS_P_EXECVEAT_FLAGS = 28,/* AT_* as PPM_EXVAT_* (u32) */
	HS_P_PIPE_FD = 29,       /* i64: fds[arg] of the int[2] at argument 0 */
	HS_P_PIPE_INO = 30,      /* u64 inode of fds[0] of the int[2] at argument 0 */
	HS_P_ARG_STR_TRUNC = 31, /* user string, at most 256 bytes (chdir, mount type) */
	HS_P_TUPLE_TO = 32,      /* tuple of the fd in arg to sendto's destination (args 4, 5), or empty */
	HS_P_TUPLE_FROM = 33,    /* tuple of the fd in arg from recvfrom's source (args 4, 5), or empty */
	HS_P_TUPLE_MSG_TO = 34,  /* tuple of fd arg 0 to the msg_name of the msghdr at arg, or empty */
	HS_P_TUPLE_MSG_FROM = 35,/* tuple of fd arg 0 from the msg_name of the msghdr at arg, or empty */
	HS_P_FCNTL_CMD = 36,     /* fcntl command as PPM_FCNTL_* (u8) */
	HS_P_KIND_MAX = 37,
};

#endif
