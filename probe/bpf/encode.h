/* SPDX-License-Identifier: GPL-2.0 OR Apache-2.0 */
/*
 * scap event encoding into the per-CPU scratch buffer.
 *
 * A record is laid out as: ring header (8 bytes), scap event header (26 bytes), the u16
 * parameter lengths, then the values back to back (SCAP_FORMAT.md section 4). Every write
 * goes to `buf[off & HS_OFF_MASK]` and is at most HS_WRITE_MAX bytes, which keeps the
 * verifier satisfied; a record whose cursor passes HS_REC_MAX is dropped and counted.
 */
#ifndef HINDSIGHT_ENCODE_H
#define HINDSIGHT_ENCODE_H

#include "maps.h"

#define HS_LENS_OFF (HS_RING_HDR + HS_EVT_HDR)

static __always_inline void hs_store(struct hs_scratch *s, __u32 at, const void *src, __u32 n)
{
	/* n is a compile-time constant at every call site (1, 2, 4 or 8). */
	__builtin_memcpy(&s->buf[at & HS_OFF_MASK], src, n);
}

/* Starts a record: ring header, scap header without its length, room for the lengths. */
static __always_inline void hs_begin(struct hs_scratch *s, __u16 type, __u32 nparams, __u64 tid, __u64 ts)
{
	struct hs_ring_hdr rh = { .cpu = (__u16)bpf_get_smp_processor_id() };
	__u32 len = 0;

	nparams &= 31;
	hs_store(s, 0, &rh.cpu, 2);
	hs_store(s, 2, &rh.reserved0, 2);
	hs_store(s, 4, &rh.reserved1, 4);
	hs_store(s, HS_RING_HDR + 0, &ts, 8);
	hs_store(s, HS_RING_HDR + 8, &tid, 8);
	hs_store(s, HS_RING_HDR + 16, &len, 4);
	hs_store(s, HS_RING_HDR + 20, &type, 2);
	hs_store(s, HS_RING_HDR + 22, &nparams, 4);
	s->nparams = nparams;
	s->idx = 0;
	s->off = HS_LENS_OFF + 2 * nparams;
}

/* Records the length of the next parameter and advances the cursor by it. */
static __always_inline void hs_param_done(struct hs_scratch *s, __u32 len)
{
	__u32 i = s->idx;
	__u16 l = (__u16)len;

	if (i < 32)
		hs_store(s, HS_LENS_OFF + 2 * (i & 31), &l, 2);
	s->idx = i + 1;
	s->off += len;
}

static __always_inline void hs_put_u8(struct hs_scratch *s, __u8 v)
{
	hs_store(s, s->off, &v, 1);
	hs_param_done(s, 1);
}

static __always_inline void hs_put_u16(struct hs_scratch *s, __u16 v)
{
	hs_store(s, s->off, &v, 2);
	hs_param_done(s, 2);
}

static __always_inline void hs_put_u32(struct hs_scratch *s, __u32 v)
{
	hs_store(s, s->off, &v, 4);
	hs_param_done(s, 4);
}

static __always_inline void hs_put_u64(struct hs_scratch *s, __u64 v)
{
	hs_store(s, s->off, &v, 8);
	hs_param_done(s, 8);
}

/* An absent parameter (zero length; sysdig prints NULL). */
static __always_inline void hs_put_empty(struct hs_scratch *s)
{
	hs_param_done(s, 0);
}

/* User reads of fewer bytes than this (a power of two) go through the stack (hs_append_user). */
#define HS_SMALL_READ 128

/*
 * Appends raw bytes without closing the parameter; returns bytes written.
 *
 * A small read goes through a stack buffer, then into the scratch space with one copy of a
 * fixed size (the bytes past n are scratch, never part of the record): the kernel's
 * hardened-usercopy check of the destination ends at once for a stack address, where for map
 * memory (per-CPU, in the vmalloc area) it looks the address up among the vmap areas on
 * every read. That check was about 9% of a dd bs=1 loop's samples under recording.
 */
static __always_inline __u32 hs_append_user(struct hs_scratch *s, __u32 at, const void *p, __u32 n)
{
	n &= HS_WRITE_MAX - 1;
	if (n == 0)
		return 0;
	if (n < HS_SMALL_READ) {
		__u8 tmp[HS_SMALL_READ];
		__u64 m = n;

		/* A mask the compiler cannot drop (it changes nothing): the verifier's bound. */
		asm volatile("%0 &= %1" : "+r"(m) : "i"(HS_SMALL_READ - 1));
		if (bpf_probe_read_user(tmp, m, p) < 0)
			return 0;
		__builtin_memcpy(&s->buf[at & HS_OFF_MASK], tmp, HS_SMALL_READ);
		return n;
	}
	if (bpf_probe_read_user(&s->buf[at & HS_OFF_MASK], n, p) < 0)
		return 0;
	return n;
}

/* A NUL-terminated user string (FSPATH, CHARBUF) of at most 4096 bytes. */
static __always_inline void hs_put_user_str(struct hs_scratch *s, const void *p)
{
	long n;

	if (!p) {
		hs_put_empty(s);
		return;
	}
	n = bpf_probe_read_user_str(&s->buf[s->off & HS_OFF_MASK], 4096, p);
	hs_param_done(s, n > 0 ? (__u32)n : 0);
}

/* A NUL-terminated kernel string of at most 256 bytes (comm, subsystem names). */
static __always_inline void hs_put_kernel_str(struct hs_scratch *s, const void *p)
{
	long n = bpf_probe_read_kernel_str(&s->buf[s->off & HS_OFF_MASK], 256, p);
	hs_param_done(s, n > 0 ? (__u32)n : 0);
}

/* A user byte buffer of n bytes (BYTEBUF). */
static __always_inline void hs_put_user_buf(struct hs_scratch *s, const void *p, __u64 n)
{
	if (n > 4096)
		n = 4096;
	hs_param_done(s, hs_append_user(s, s->off, p, (__u32)n));
}

/*
 * Closes the record and hands it to the ring buffer; counts drops. No wakeup: waking the
 * reader whenever it has caught up costs an irq_work and a context switch per event under
 * load (as Falco's modern probe, the reader polls the ring on a short timer instead).
 */
static __always_inline void hs_submit(struct hs_scratch *s)
{
	struct hs_stats *st = hs_get_stats();
	__u32 total = s->off;
	__u32 len;

	if (!st)
		return;
	if (total > HS_REC_MAX || s->idx != s->nparams) {
		__sync_fetch_and_add(&st->drops_too_big, 1);
		return;
	}
	len = total - HS_RING_HDR;
	hs_store(s, HS_RING_HDR + 16, &len, 4);
	if (total < HS_LENS_OFF)
		return;
	if (bpf_ringbuf_output(&hs_events, s->buf, total, BPF_RB_NO_WAKEUP) != 0)
		__sync_fetch_and_add(&st->drops_buffer, 1);
	else
		__sync_fetch_and_add(&st->events, 1);
}

#endif
