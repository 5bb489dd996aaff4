/* SPDX-License-Identifier: GPL-2.0 OR Apache-2.0 */
/*
 * The hindsight probe: syscall enter/exit and process exit as scap event records.
 *
 * The syscall programs are BTF tracepoints (tp_btf/sys_enter, tp_btf/sys_exit): the kernel
 * calls them with the task's saved registers, without first building the trace event record
 * in a perf buffer as it does for a classic tracepoint (that path was about 7% of a dd bs=1
 * loop's samples under recording, benches/README.md).
 * sys_enter looks the syscall up in hs_syscalls (filled by the loader from its table),
 * applies the pre-filters, notes the call in hs_inflight and emits the enter event; sys_exit
 * emits the exit event of a noted call, reading the arguments again from the saved registers
 * (the kernel does not change them during a syscall), so that no arguments are stashed
 * between the two (as Falco's modern probe). A syscall flagged HS_SC_EXIT_ONLY has no enter
 * event: its exit carries the enter's parameters too (the layout current libs read, as their
 * modern probe writes it since 0.22), so it costs one event instead of two. When the loader
 * makes a recording exit-only, it does not attach sys_enter at all: the few syscalls that keep
 * their enter get it from hs_sc_enter, attached to their own syscalls/sys_enter_<name>
 * tracepoints, so that no other syscall pays for an enter hook.
 * Parameters are encoded by interpreting the recipes of the table (HS_P_*); the process
 * families (execve, clone) have a fixed layout written by hs_proc_info().
 * sched_process_fork follows process trees; sched_process_exit emits procexit.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_tracing.h>

#include "hindsight.h"
#include "maps.h"
#include "encode.h"
#include "task.h"

char LICENSE[] SEC("license") = "GPL";

#define PPME_PROCEXIT_1_E 186
#define PPM_CL_CHILD_IN_PIDNS (1u << 29)
#define HS_NOFILE 7
#define HS_PF_KTHREAD 0x00200000

static __always_inline __u64 hs_now(struct hs_config *cfg)
{
	return bpf_ktime_get_boot_ns() + cfg->boot_to_epoch_ns;
}

/* Whether the current task passes the configured pre-filters. */
static __always_inline int hs_wanted(struct hs_config *cfg, __u32 tgid)
{
	if (tgid == cfg->self_tgid)
		return 0;
	if ((cfg->flags & HS_CFG_FILTER_TREE) && !bpf_map_lookup_elem(&hs_pids, &tgid))
		return 0;
	if (cfg->flags & HS_CFG_FILTER_CGROUP) {
		__u64 id;
		if (cfg->flags & HS_CFG_CGROUP_V1_PIDS) {
			struct task_struct *t = hs_task();
			struct cgroup_subsys_state *css = NULL;
			struct css_set *cs = BPF_CORE_READ(t, cgroups);
			int sub = bpf_core_enum_value(enum cgroup_subsys_id, pids_cgrp_id);
			bpf_core_read(&css, sizeof(css), &cs->subsys[sub & 15]);
			id = BPF_CORE_READ(css, cgroup, kn, id);
		} else {
			id = bpf_get_current_cgroup_id();
		}
		if (id != cfg->cgroup_id)
			return 0;
	}
	return 1;
}

/* One parameter from its recipe (HS_P_* | argument << 8). A global function: verified once. */
__noinline int hs_param(__u32 spec)
{
	struct hs_scratch *s = hs_get_scratch();
	__u32 kind = spec & 0xff, a = (spec >> 8) & 7;
	__u64 arg, n;
	struct file *f;

	if (!s)
		return 0;
	arg = a < 6 ? s->args[a & 7] : 0;
	switch (kind) {
	case HS_P_RES:
		hs_put_u64(s, (__u64)s->ret);
		break;
	case HS_P_ARG_I64:
		hs_put_u64(s, (__u64)(__s64)(int)arg);
		break;
	case HS_P_ARG_U64:
		hs_put_u64(s, arg);
		break;
	case HS_P_ARG_U32:
		hs_put_u32(s, (__u32)arg);
		break;
	case HS_P_ARG_U16:
		hs_put_u16(s, (__u16)arg);
		break;
	case HS_P_ARG_U8:
		hs_put_u8(s, (__u8)arg);
		break;
	case HS_P_ARG_STR:
		hs_put_user_str(s, (const void *)arg);
		break;
	case HS_P_OPEN_FLAGS:
		hs_put_u32(s, hs_open_flags(arg));
		break;
	case HS_P_NS_FLAGS:
		hs_put_u32(s, hs_clone_flags(arg));
		break;
	case HS_P_SOCKADDR:
		hs_put_sockaddr(arg, s->args[(a + 1) & 7]);
		break;
	case HS_P_DATA:
		n = s->ret > 0 ? (__u64)s->ret : 0;
		if (n > s->snaplen)
			n = s->snaplen;
		hs_put_user_buf(s, (const void *)arg, n);
		break;
	case HS_P_TUPLE_FD:
		/* connect: a tuple only once connected or connecting, as libs' probes write it;
		 * a failed call's socket has no peer (libsinsp then names the fd NULL). */
		if (s->ret != 0 && s->ret != -115 /* -EINPROGRESS */)
			hs_put_empty(s);
		else
			hs_put_tuple((__s64)(int)arg, 0, 0, 0);
		break;
	case HS_P_TUPLE_RES:
		hs_put_tuple(s->ret, 1, 0, 0);
		break;
	case HS_P_TUPLE_TO:
		/* sendto(fd, buf, len, flags, dest_addr, addrlen): a tuple only with a destination */
		if (!s->args[4] || !s->args[5])
			hs_put_empty(s);
		else
			hs_put_tuple((__s64)(int)arg, 0, s->args[4], s->args[5]);
		break;
	case HS_P_TUPLE_FROM: {
		/* recvfrom(fd, buf, len, flags, src_addr, &addrlen): remote (the source) first */
		int ulen = 0;
		if (s->ret >= 0 && s->args[4] && s->args[5])
			bpf_probe_read_user(&ulen, sizeof(ulen), (const void *)s->args[5]);
		if (ulen <= 0)
			hs_put_empty(s);
		else
			hs_put_tuple((__s64)(int)arg, 1, s->args[4], (__u64)ulen);
		break;
	}
	case HS_P_TUPLE_MSG_TO:
	case HS_P_TUPLE_MSG_FROM: {
		/* sendmsg/recvmsg(fd, msghdr at arg, flags): the address in msg_name */
		struct user_msghdr mh = {};
		int in = kind == HS_P_TUPLE_MSG_FROM;
		if (!in || s->ret >= 0)
			bpf_probe_read_user(&mh, sizeof(mh), (const void *)arg);
		if (!mh.msg_name || !mh.msg_namelen)
			hs_put_empty(s);
		else
			hs_put_tuple((__s64)(int)s->args[0], in, (__u64)mh.msg_name, mh.msg_namelen);
		break;
	}
	case HS_P_DEV_RES:
		f = hs_fd_file(s->ret);
		hs_put_u32(s, f ? hs_encode_dev(BPF_CORE_READ(f, f_inode, i_sb, s_dev)) : 0);
		break;
	case HS_P_ZERO_U8:
		hs_put_u8(s, 0);
		break;
	case HS_P_ZERO_U32:
		hs_put_u32(s, 0);
		break;
	case HS_P_SC_ID: {
		__u32 nr = s->nr & (HS_SYSCALL_MAX - 1);
		struct hs_syscall *sc = bpf_map_lookup_elem(&hs_syscalls, &nr);
		hs_put_u16(s, sc ? sc->ppm_sc : 0);
		break;
	}
	case HS_P_NATIVE_ID:
		hs_put_u16(s, (__u16)s->nr);
		break;
	case HS_P_HOW_FLAGS:
	case HS_P_HOW_MODE:
	case HS_P_HOW_RESOLVE: {
		__u64 how[3] = {};
		bpf_probe_read_user(how, sizeof(how), (const void *)arg);
		if (kind == HS_P_HOW_FLAGS)
			hs_put_u32(s, hs_open_flags(how[0]));
		else
			hs_put_u32(s, (__u32)how[kind == HS_P_HOW_MODE ? 1 : 2]);
		break;
	}
	case HS_P_MSG_DATA:
	case HS_P_MSG_SIZE: {
		struct user_msghdr mh = {};
		struct iovec iov = {};
		bpf_probe_read_user(&mh, sizeof(mh), (const void *)arg);
		if (mh.msg_iovlen > 0)
			bpf_probe_read_user(&iov, sizeof(iov), mh.msg_iov);
		if (kind == HS_P_MSG_SIZE) {
			hs_put_u32(s, (__u32)iov.iov_len);
		} else {
			n = s->ret > 0 ? (__u64)s->ret : 0;
			if (n > iov.iov_len)
				n = iov.iov_len;
			if (n > s->snaplen)
				n = s->snaplen;
			hs_put_user_buf(s, iov.iov_base, n);
		}
		break;
	}
	case HS_P_FCNTL_CMD:
		hs_put_u8(s, hs_fcntl_cmd(arg));
		break;
	case HS_P_PTRACE_REQ:
		hs_put_u16(s, hs_ptrace_req(arg));
		break;
	case HS_P_DYN_U64: {
		__u8 sel = 0;
		hs_store(s, s->off, &sel, 1);
		hs_store(s, s->off + 1, &arg, 8);
		hs_param_done(s, 9);
		break;
	}
	case HS_P_BPF_RES: {
		/* fd for BPF_MAP_CREATE (0) and BPF_PROG_LOAD (5) that succeed, else the result */
		__u8 sel = ((s->args[0] == 0 || s->args[0] == 5) && s->ret >= 0) ? 0 : 1;
		__s64 v = s->ret;
		hs_store(s, s->off, &sel, 1);
		hs_store(s, s->off + 1, &v, 8);
		hs_param_done(s, 9);
		break;
	}
	case HS_P_MOUNT_FLAGS:
		if ((arg & 0xffff0000) == 0xc0ed0000)
			arg &= 0xffff;
		hs_put_u32(s, (__u32)arg);
		break;
	case HS_P_EXECVEAT_FLAGS:
		hs_put_u32(s, ((arg & 0x1000) ? 1 : 0) | ((arg & 0x100) ? 2 : 0));
		break;
	case HS_P_PIPE_FD:
	case HS_P_PIPE_INO: {
		int fds[2] = { -1, -1 };
		if (s->ret >= 0)
			bpf_probe_read_user(fds, sizeof(fds), (const void *)s->args[0]);
		if (kind == HS_P_PIPE_FD) {
			int v = fds[0];
			if (a & 1)
				v = fds[1];
			hs_put_u64(s, (__u64)(__s64)v);
		} else {
			f = hs_fd_file(fds[0]);
			hs_put_u64(s, f ? BPF_CORE_READ(f, f_inode, i_ino) : 0);
		}
		break;
	}
	default:
		hs_put_empty(s);
		break;
	}
	return 0;
}

/*
 * The process-info layout shared by execve/execveat and clone/fork/vfork/clone3 exits
 * (OLD ids 293/331 and 223/225/227/335, 20 parameters each).
 */
static __always_inline void hs_proc_info(struct hs_scratch *s, int is_clone, __u32 child_flags)
{
	struct task_struct *t = hs_task();
	struct mm_struct *mm = BPF_CORE_READ(t, mm);
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	__u64 total_vm = 0, file = 0, anon = 0, swap = 0, shmem = 0;
	struct tty_struct *tty;
	__u32 ttydev = 0;

	hs_put_u64(s, (__u64)s->ret);                                     /* res */
	hs_put_exe_args();                                                 /* exe, args */
	hs_put_u64(s, (__u32)pid_tgid);                                    /* tid */
	hs_put_u64(s, pid_tgid >> 32);                                     /* pid */
	hs_put_u64(s, (__u64)BPF_CORE_READ(t, real_parent, tgid));         /* ptid */
	hs_put_cwd();                                                      /* cwd */
	hs_put_u64(s, BPF_CORE_READ(t, signal, rlim[HS_NOFILE].rlim_cur)); /* fdlimit */
	hs_put_u64(s, BPF_CORE_READ(t, maj_flt));                          /* pgft_maj */
	hs_put_u64(s, BPF_CORE_READ(t, min_flt));                          /* pgft_min */
	if (mm) {
		total_vm = BPF_CORE_READ(mm, total_vm);
		file = BPF_CORE_READ(mm, rss_stat[0].count);
		anon = BPF_CORE_READ(mm, rss_stat[1].count);
		swap = BPF_CORE_READ(mm, rss_stat[2].count);
		shmem = BPF_CORE_READ(mm, rss_stat[3].count);
	}
	hs_put_u32(s, (__u32)(total_vm * 4));                 /* vm_size (KiB, 4 KiB pages) */
	hs_put_u32(s, (__u32)((file + anon + shmem) * 4));    /* vm_rss */
	hs_put_u32(s, (__u32)(swap * 4));                     /* vm_swap */
	hs_put_kernel_str(s, &t->comm[0]);                    /* comm */
	hs_put_cgroups();                                     /* cgroups */
	if (is_clone) {
		struct pid *tp = BPF_CORE_READ(t, thread_pid);
		struct pid *lp = BPF_CORE_READ(t, group_leader, thread_pid);
		if (BPF_CORE_READ(tp, level) > 0)
			child_flags |= PPM_CL_CHILD_IN_PIDNS;
		hs_put_u32(s, child_flags);                         /* flags */
		hs_put_u32(s, BPF_CORE_READ(t, cred, euid.val));    /* uid */
		hs_put_u32(s, BPF_CORE_READ(t, cred, egid.val));    /* gid */
		hs_put_u64(s, (__u64)hs_pid_vnr(tp));               /* vtid */
		hs_put_u64(s, (__u64)hs_pid_vnr(lp));               /* vpid */
		return;
	}
	hs_put_env();                                               /* env */
	tty = BPF_CORE_READ(t, signal, tty);
	if (tty) {
		__u32 major = BPF_CORE_READ(tty, driver, major);
		__u32 minor = BPF_CORE_READ(tty, driver, minor_start) + BPF_CORE_READ(tty, index);
		ttydev = hs_encode_dev((major << 20) | minor);
	}
	hs_put_u32(s, ttydev);                                      /* tty */
	hs_put_u64(s, (__u64)hs_pid_vnr(BPF_CORE_READ(t, signal, pids[PIDTYPE_PGID]))); /* pgid */
	hs_put_u32(s, BPF_CORE_READ(t, loginuid.val));              /* loginuid */
	hs_put_u32(s, hs_exe_flags(t));                             /* flags */
}

/*
 * Encodes the parameters of a table-driven event. The integer recipes, most parameters of
 * most events, are written here; the others cost a call of hs_param (a global function: a
 * call, a scratch lookup and a switch, about a fifth of the probe's own time on dd bs=1).
 */
static __always_inline void hs_specs(struct hs_scratch *s, const unsigned short *specs, __u32 n)
{
	for (int i = 0; i < HS_MAX_SPECS; i++) {
		__u32 spec, kind, a;
		__u64 arg;

		if ((__u32)i >= n)
			break;
		spec = specs[i];
		kind = spec & 0xff;
		a = (spec >> 8) & 7;
		arg = a < 6 ? s->args[a & 7] : 0;
		if (kind == HS_P_RES)
			hs_put_u64(s, (__u64)s->ret);
		else if (kind == HS_P_ARG_I64)
			hs_put_u64(s, (__u64)(__s64)(int)arg);
		else if (kind == HS_P_ARG_U32)
			hs_put_u32(s, (__u32)arg);
		else
			hs_param(spec);
	}
}

/* The six syscall arguments (x86-64 order) from the registers saved at syscall entry. */
static __always_inline void hs_regs_args(struct hs_scratch *s, struct pt_regs *regs)
{
	s->args[0] = regs->di;
	s->args[1] = regs->si;
	s->args[2] = regs->dx;
	s->args[3] = regs->r10;
	s->args[4] = regs->r8;
	s->args[5] = regs->r9;
}

/* The enter event of syscall `id`, its arguments read from the saved registers. */
static __always_inline int hs_enter(long id, struct pt_regs *regs)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	__u32 tid = (__u32)pid_tgid, nr;
	struct hs_config *cfg;
	struct hs_syscall *sc;
	struct hs_scratch *s;
	__u16 *inflight;

	/* Syscalls of no interest leave after one array lookup. */
	if (id < 0 || id >= HS_SYSCALL_MAX)
		return 0;
	nr = (__u32)id;
	sc = bpf_map_lookup_elem(&hs_syscalls, &nr);
	if (!sc || !(sc->flags & HS_SC_ENABLED) || (sc->flags & HS_SC_EXIT_ONLY))
		return 0;
	cfg = hs_get_config();
	if (!cfg || !hs_wanted(cfg, pid_tgid >> 32))
		return 0;
	s = hs_get_scratch();
	if (!s)
		return 0;
	inflight = bpf_map_lookup_elem(&hs_inflight, &tid);
	if (inflight)
		*inflight = (__u16)(nr + 1);
	hs_regs_args(s, regs);
	s->nr = nr;
	s->ret = 0;
	s->snaplen = cfg->snaplen;
	hs_begin(s, sc->enter_type, sc->n_enter, tid, hs_now(cfg));
	hs_specs(s, sc->enter_specs, sc->n_enter);
	hs_submit(s);
	return 0;
}

/* Every syscall's enter (not attached when every recorded syscall is exit-only). */
SEC("tp_btf/sys_enter")
int BPF_PROG(hs_sys_enter, struct pt_regs *regs, long id)
{
	return hs_enter(id, regs);
}

/*
 * The start of a per-syscall enter tracepoint's record (syscalls/sys_enter_<name>): the
 * syscall number; the arguments follow, as many as the syscall has.
 */
struct hs_sc_enter_rec {
	__u64 common;
	int nr;
};

/*
 * The enter of one syscall, attached by the loader to the per-syscall tracepoint of each
 * recorded syscall that keeps its enter event when the others are exit-only: the global
 * sys_enter hit, paid by every syscall of the host, is then gone. The kernel refuses a
 * program that reads past the record of a syscall with fewer arguments (fork has none), so
 * the arguments come from the task's saved registers, as at the exit.
 */
SEC("tracepoint/syscalls/sys_enter_execve")
int hs_sc_enter(struct hs_sc_enter_rec *ctx)
{
	struct pt_regs *regs = (struct pt_regs *)bpf_task_pt_regs(bpf_get_current_task_btf());

	return hs_enter(ctx->nr, regs);
}

/*
 * The exit of a syscall is emitted when its enter was (hs_inflight), and for the child side of
 * a clone, which has no enter of its own, when the child is wanted.
 */
SEC("tp_btf/sys_exit")
int BPF_PROG(hs_sys_exit, struct pt_regs *regs, long ret)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	__u32 tid = (__u32)pid_tgid, nr;
	long id = (long)regs->orig_ax;
	struct hs_config *cfg;
	struct hs_syscall *sc;
	struct hs_scratch *s;
	__u32 child_flags = 0, *cf;
	__u16 *inflight;

	if (id < 0 || id >= HS_SYSCALL_MAX)
		return 0;
	nr = (__u32)id;
	sc = bpf_map_lookup_elem(&hs_syscalls, &nr);
	if (!sc || !(sc->flags & HS_SC_ENABLED))
		return 0;
	cfg = hs_get_config();
	if (!cfg)
		return 0;
	if (sc->flags & HS_SC_EXIT_ONLY) {
		/* No enter to wait for: the exit reads every argument from the saved registers. */
		if (!hs_wanted(cfg, pid_tgid >> 32))
			return 0;
		goto emit;
	}
	inflight = bpf_map_lookup_elem(&hs_inflight, &tid);
	if (inflight && *inflight == (__u16)(nr + 1)) {
		*inflight = 0;
	} else if ((sc->flags & HS_SC_FAMILY_CLONE) && ret == 0) {
		/* the child side of a clone: its flags were recorded at fork */
		if (!hs_wanted(cfg, pid_tgid >> 32))
			return 0;
		cf = bpf_map_lookup_elem(&hs_child_flags, &tid);
		if (cf) {
			child_flags = *cf;
			bpf_map_delete_elem(&hs_child_flags, &tid);
		}
	} else if (inflight) {
		return 0;
	} else if (!hs_wanted(cfg, pid_tgid >> 32)) {
		/* a tid beyond the array (pid_max raised after loading): the filters decide alone */
		return 0;
	}
emit:
	s = hs_get_scratch();
	if (!s)
		return 0;
	hs_regs_args(s, regs);
	s->nr = nr;
	s->ret = ret;
	s->snaplen = cfg->snaplen;
	if (sc->flags & (HS_SC_FAMILY_EXECVE | HS_SC_FAMILY_CLONE)) {
		int is_clone = (sc->flags & HS_SC_FAMILY_CLONE) != 0;
		if (is_clone && ret > 0) {
			__u32 child = (__u32)ret;
			cf = bpf_map_lookup_elem(&hs_child_flags, &child);
			if (cf)
				child_flags = *cf;
		}
		hs_begin(s, sc->exit_type, 20, tid, hs_now(cfg));
		hs_proc_info(s, is_clone, child_flags);
	} else {
		hs_begin(s, sc->exit_type, sc->n_exit, tid, hs_now(cfg));
		hs_specs(s, sc->exit_specs, sc->n_exit);
	}
	hs_submit(s);
	return 0;
}

/*
 * Follows process trees and remembers the clone flags of each child for its own exit event,
 * read from the arguments of the clone call in progress in the parent.
 */
SEC("tp_btf/sched_process_fork")
int BPF_PROG(hs_fork, struct task_struct *parent, struct task_struct *task)
{
	__u32 tgid = bpf_get_current_pid_tgid() >> 32;
	__u32 child = (__u32)task->pid, flags = 0;
	struct hs_config *cfg = hs_get_config();
	struct pt_regs *regs;
	__u8 one = 1;

	if (!cfg)
		return 0;
	if ((cfg->flags & HS_CFG_FILTER_TREE) && bpf_map_lookup_elem(&hs_pids, &tgid))
		bpf_map_update_elem(&hs_pids, &child, &one, BPF_ANY);
	/* A kernel thread's saved registers are not a syscall's. */
	if (!(parent->flags & HS_PF_KTHREAD)) {
		regs = (struct pt_regs *)bpf_task_pt_regs(bpf_get_current_task_btf());
		if (regs->orig_ax == 435) { /* clone3: flags in struct clone_args */
			__u64 f = 0;
			bpf_probe_read_user(&f, sizeof(f), (const void *)regs->di);
			flags = hs_clone_flags(f);
		} else if (regs->orig_ax == 58) { /* vfork */
			flags = hs_clone_flags(0x00004000 | 0x00000100);
		} else if (regs->orig_ax == 56) { /* clone */
			flags = hs_clone_flags(regs->di);
		}
	}
	bpf_map_update_elem(&hs_child_flags, &child, &flags, BPF_ANY);
	return 0;
}

SEC("tracepoint/sched/sched_process_exit")
int hs_exit(void *ctx)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	__u32 tid = (__u32)pid_tgid, tgid = pid_tgid >> 32;
	struct hs_config *cfg = hs_get_config();
	struct task_struct *t = hs_task();
	struct hs_scratch *s;
	__u16 *inflight;
	int code;

	if (!cfg)
		return 0;
	bpf_map_delete_elem(&hs_child_flags, &tid);
	inflight = bpf_map_lookup_elem(&hs_inflight, &tid);
	if (inflight)
		*inflight = 0;
	if (hs_wanted(cfg, tgid)) {
		s = hs_get_scratch();
		if (s) {
			code = BPF_CORE_READ(t, exit_code);
			s->ret = 0;
			hs_begin(s, PPME_PROCEXIT_1_E, 4, tid, hs_now(cfg));
			hs_put_u64(s, (__u64)(__s64)code);               /* status */
			hs_put_u64(s, (__u64)(__s64)((code >> 8) & 0xff)); /* ret */
			hs_put_u8(s, (__u8)(code & 0x7f));                /* sig */
			hs_put_u8(s, (code & 0x80) ? 1 : 0);              /* core */
			hs_submit(s);
		}
	}
	if (tid == tgid)
		bpf_map_delete_elem(&hs_pids, &tgid);
	return 0;
}
