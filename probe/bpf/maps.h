/* SPDX-License-Identifier: GPL-2.0 OR Apache-2.0 */
/*
 * The probe's maps and its per-CPU scratch space.
 *
 * The loader finds every map by the name declared here (probe/src/loader.rs). The scratch
 * space holds the event being built plus the arguments of the syscall being encoded, so the
 * encoding functions (some are BPF global functions, verified once) can reach them without
 * passing pointers around.
 */
#ifndef HINDSIGHT_MAPS_H
#define HINDSIGHT_MAPS_H

#include "hindsight.h"

/* Depth of the path walks (cwd dentries, cgroup kernfs nodes). */
#define HS_PATH_DEPTH 32

struct hs_scratch {
	unsigned char buf[HS_REC_MAX + HS_WRITE_MAX];
	__u64 ptrs[HS_PATH_DEPTH]; /* name pointers collected by the path walks */
	__u64 args[6];             /* arguments of the syscall being encoded */
	__s64 ret;                 /* its return value (exit events) */
	__u32 nr;                  /* its number */
	__u32 off;                 /* write cursor in buf (unmasked; > HS_REC_MAX means too big) */
	__u32 idx;                 /* next parameter index */
	__u32 nparams;             /* parameters announced in the header */
	__u32 snaplen;
	__u32 cur; /* a second cursor, for the path walks */
	__u32 cnt; /* names collected by a path walk */
	__u32 pad;
};

/*
 * Cursors are read and written through volatile accesses: a value reloaded from map memory
 * is unknown to the verifier, so loop iterations that advanced by different amounts still
 * look alike and are pruned, instead of multiplying.
 */
#define HS_GET(field) (*(volatile __u32 *)&(field))
#define HS_SET(field, v) (*(volatile __u32 *)&(field) = (v))

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 1 << 24);
} hs_events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct hs_scratch);
} hs_scratch SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct hs_config);
} hs_config SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, HS_SYSCALL_MAX);
	__type(key, __u32);
	__type(value, struct hs_syscall);
} hs_syscalls SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct hs_stats);
} hs_stats SEC(".maps");

/* Process-tree filter: tgids being followed. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 65536);
	__type(key, __u32);
	__type(value, __u8);
} hs_pids SEC(".maps");

/*
 * The syscall each thread is in, as its number + 1 (0: none), indexed by tid: the exit of a
 * call whose enter was not recorded (in flight when the probe attached or when its process
 * began to be followed) is left out, so that every exit follows its enter. An array, not a
 * hash: the lookup is a bounds check and an add. The loader sizes it to pid_max.
 */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1 << 22);
	__type(key, __u32);
	__type(value, __u16);
} hs_inflight SEC(".maps");

/* PPM_CL_* flags of a new child (by tid), recorded at fork for the child's clone exit. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 8192);
	__type(key, __u32);
	__type(value, __u32);
} hs_child_flags SEC(".maps");

static __always_inline struct hs_scratch *hs_get_scratch(void)
{
	__u32 zero = 0;
	return bpf_map_lookup_elem(&hs_scratch, &zero);
}

static __always_inline struct hs_config *hs_get_config(void)
{
	__u32 zero = 0;
	return bpf_map_lookup_elem(&hs_config, &zero);
}

static __always_inline struct hs_stats *hs_get_stats(void)
{
	__u32 zero = 0;
	return bpf_map_lookup_elem(&hs_stats, &zero);
}

#endif
