/* SPDX-License-Identifier: GPL-2.0 OR Apache-2.0 */
/*
 * Reading the current task with CO-RE: process identity, memory counters, cwd and cgroup
 * paths, file descriptors and sockets, and the flag conversions to scap's PPM_* values.
 *
 * The long walks (cwd, cgroups, argv, socket tuples) are BPF global functions: the verifier
 * checks each once, whatever the call site, which keeps the program small and fast to load.
 */
#ifndef HINDSIGHT_TASK_H
#define HINDSIGHT_TASK_H

#include "encode.h"

/* kernfs_node's parent pointer was renamed in 6.15; both flavors resolve with CO-RE. */
struct kernfs_node___new {
	struct kernfs_node *__parent;
} __attribute__((preserve_access_index));
struct kernfs_node___old {
	struct kernfs_node *parent;
} __attribute__((preserve_access_index));

#define HS_AF_UNIX 1
#define HS_AF_INET 2
#define HS_AF_INET6 10
#define HS_S_IFMT 00170000
#define HS_S_IFSOCK 0140000

static __always_inline struct task_struct *hs_task(void)
{
	return (struct task_struct *)bpf_get_current_task();
}

/* The kernel's new_encode_dev(): the dev_t layout user space sees. */
static __always_inline __u32 hs_encode_dev(__u32 dev)
{
	__u32 major = dev >> 20, minor = dev & 0xfffff;
	return (minor & 0xff) | (major << 8) | ((minor & ~0xffu) << 12);
}

/* O_* (x86_64) to PPM_O_*. */
static __always_inline __u32 hs_open_flags(__u64 f)
{
	__u32 r = 0;
	switch (f & 3) {
	case 0: r |= 1; break;       /* RDONLY */
	case 1: r |= 2; break;       /* WRONLY */
	case 2: r |= 3; break;       /* RDWR */
	}
	if (f & 0100) r |= 1 << 2;       /* CREAT */
	if (f & 02000) r |= 1 << 3;      /* APPEND */
	if (f & 010000) r |= 1 << 4;     /* DSYNC */
	if (f & 0200) r |= 1 << 5;       /* EXCL */
	if (f & 04000) r |= 1 << 6;      /* NONBLOCK */
	if ((f & 04010000) == 04010000) r |= 1 << 7; /* SYNC */
	if (f & 01000) r |= 1 << 8;      /* TRUNC */
	if (f & 040000) r |= 1 << 9;     /* DIRECT */
	if (f & 0200000) r |= 1 << 10;   /* DIRECTORY */
	if (f & 0100000) r |= 1 << 11;   /* LARGEFILE */
	if (f & 02000000) r |= 1 << 12;  /* CLOEXEC */
	if ((f & 020200000) == 020200000) r |= 1 << 13; /* TMPFILE */
	return r;
}

/* CLONE_* to PPM_CL_*. */
static __always_inline __u32 hs_clone_flags(__u64 f)
{
	__u32 r = 0;
	if (f & 0x00000400) r |= 1 << 0;  /* FILES */
	if (f & 0x00000200) r |= 1 << 1;  /* FS */
	if (f & 0x80000000) r |= 1 << 2;  /* IO */
	if (f & 0x08000000) r |= 1 << 3;  /* NEWIPC */
	if (f & 0x40000000) r |= 1 << 4;  /* NEWNET */
	if (f & 0x00020000) r |= 1 << 5;  /* NEWNS */
	if (f & 0x20000000) r |= 1 << 6;  /* NEWPID */
	if (f & 0x04000000) r |= 1 << 7;  /* NEWUTS */
	if (f & 0x00008000) r |= 1 << 8;  /* PARENT */
	if (f & 0x00100000) r |= 1 << 9;  /* PARENT_SETTID */
	if (f & 0x00002000) r |= 1 << 10; /* PTRACE */
	if (f & 0x00000800) r |= 1 << 11; /* SIGHAND */
	if (f & 0x00040000) r |= 1 << 12; /* SYSVSEM */
	if (f & 0x00010000) r |= 1 << 13; /* THREAD */
	if (f & 0x00800000) r |= 1 << 14; /* UNTRACED */
	if (f & 0x00000100) r |= 1 << 15; /* VM */
	if (f & 0x10000000) r |= 1 << 20; /* NEWUSER */
	if (f & 0x00200000) r |= 1 << 23; /* CHILD_CLEARTID */
	if (f & 0x01000000) r |= 1 << 24; /* CHILD_SETTID */
	if (f & 0x00080000) r |= 1 << 25; /* SETTLS */
	if (f & 0x00004000) r |= 1 << 27; /* VFORK */
	if (f & 0x02000000) r |= 1 << 28; /* NEWCGROUP */
	return r;
}

/* fcntl F_* (x86_64) to PPM_FCNTL_* (0: unknown). */
static __always_inline __u8 hs_fcntl_cmd(__u64 c)
{
	if (c <= 5)
		return (__u8)(c + 1);
	switch (c) {
	case 6: return 8;       case 7: return 9;       case 8: return 10;
	case 9: return 12;      case 10: return 13;     case 11: return 15;
	case 15: return 21;     case 16: return 22;     case 36: return 30;
	case 37: return 31;     case 38: return 32;     case 1024: return 23;
	case 1025: return 24;   case 1026: return 27;   case 1029: return 25;
	case 1030: return 26;   case 1031: return 28;   case 1032: return 29;
	}
	return 0;
}

/* PTRACE_* to PPM_PTRACE_*. */
static __always_inline __u16 hs_ptrace_req(__u64 r)
{
	if (r <= 9)
		return (__u16)(r + 1);
	switch (r) {
	case 12: return 26;     case 13: return 27;     case 14: return 28;
	case 15: return 29;     case 16: return 11;     case 17: return 12;
	case 24: return 13;     case 0x4200: return 14; case 0x4201: return 15;
	case 0x4202: return 16; case 0x4203: return 17; case 0x4204: return 18;
	case 0x4205: return 19; case 0x4206: return 20; case 0x4207: return 21;
	case 0x4208: return 22;
	}
	return 0;
}

/* The level-local number of a struct pid (vpid/vtid inside a pid namespace). */
static __always_inline __s64 hs_pid_vnr(struct pid *p)
{
	unsigned int level;
	struct upid up = {};

	if (!p)
		return 0;
	level = BPF_CORE_READ(p, level);
	bpf_core_read(&up, sizeof(up), &p->numbers[level & 31]);
	return up.nr;
}

static __always_inline struct file *hs_fd_file(__s64 fd)
{
	struct task_struct *t = hs_task();
	struct fdtable *fdt = BPF_CORE_READ(t, files, fdt);
	struct file **fds;
	struct file *f = NULL;

	if (fd < 0 || !fdt || fd >= BPF_CORE_READ(fdt, max_fds))
		return NULL;
	fds = BPF_CORE_READ(fdt, fd);
	bpf_probe_read_kernel(&f, sizeof(f), &fds[fd]);
	return f;
}

/*
 * Appends "/a/b/c\0" at s->cur from the names in s->ptrs[0..s->cnt) (leaf first), consuming
 * s->cnt. Every decision reads the counters back from memory (see HS_GET).
 */
static __always_inline void hs_write_path(struct hs_scratch *s)
{
	__u32 n;
	long r;

	if (HS_GET(s->cnt) == 0) {
		s->buf[HS_GET(s->cur) & HS_OFF_MASK] = '/';
		HS_SET(s->cur, HS_GET(s->cur) + 1);
	}
	for (int j = 0; j < HS_PATH_DEPTH; j++) {
		n = HS_GET(s->cnt);
		if (n == 0)
			break;
		n--;
		HS_SET(s->cnt, n);
		s->buf[HS_GET(s->cur) & HS_OFF_MASK] = '/';
		HS_SET(s->cur, HS_GET(s->cur) + 1);
		r = bpf_probe_read_kernel_str(&s->buf[HS_GET(s->cur) & HS_OFF_MASK], 256,
					      (const void *)s->ptrs[n & (HS_PATH_DEPTH - 1)]);
		if (r > 1)
			HS_SET(s->cur, HS_GET(s->cur) + (__u32)(r - 1));
	}
	s->buf[HS_GET(s->cur) & HS_OFF_MASK] = 0;
	HS_SET(s->cur, HS_GET(s->cur) + 1);
}

/* Parameter: the current working directory (CHARBUF), relative to the task's root. */
__noinline int hs_put_cwd(void)
{
	struct hs_scratch *s = hs_get_scratch();
	struct task_struct *t = hs_task();
	struct path pwd, root;
	struct dentry *d, *mnt_root, *parent;
	struct vfsmount *vm;
	struct mount *m, *mp;
	__u32 n;

	if (!s)
		return 0;
	BPF_CORE_READ_INTO(&pwd, t, fs, pwd);
	BPF_CORE_READ_INTO(&root, t, fs, root);
	d = pwd.dentry;
	vm = pwd.mnt;
	HS_SET(s->cnt, 0);
	for (int i = 0; i < HS_PATH_DEPTH * 2; i++) {
		if (!d || (d == root.dentry && vm == root.mnt))
			break;
		mnt_root = BPF_CORE_READ(vm, mnt_root);
		if (d == mnt_root) {
			m = (struct mount *)((void *)vm - bpf_core_field_offset(struct mount, mnt));
			mp = BPF_CORE_READ(m, mnt_parent);
			if (mp == m)
				break;
			d = BPF_CORE_READ(m, mnt_mountpoint);
			vm = (struct vfsmount *)((void *)mp + bpf_core_field_offset(struct mount, mnt));
			continue;
		}
		parent = BPF_CORE_READ(d, d_parent);
		n = HS_GET(s->cnt);
		if (parent == d || n >= HS_PATH_DEPTH)
			break;
		s->ptrs[n & (HS_PATH_DEPTH - 1)] = (__u64)BPF_CORE_READ(d, d_name.name);
		HS_SET(s->cnt, n + 1);
		d = parent;
	}
	HS_SET(s->cur, s->off);
	hs_write_path(s);
	hs_param_done(s, HS_GET(s->cur) - s->off);
	return 0;
}

static __always_inline struct kernfs_node *hs_kn_parent(struct kernfs_node *kn)
{
	if (bpf_core_field_exists(struct kernfs_node___new, __parent))
		return BPF_CORE_READ((struct kernfs_node___new *)kn, __parent);
	return BPF_CORE_READ((struct kernfs_node___old *)kn, parent);
}

/* Parameter: "subsys=/path\0" for every cgroup subsystem of the task (BYTEBUF). */
__noinline int hs_put_cgroups(void)
{
	struct hs_scratch *s = hs_get_scratch();
	struct task_struct *t = hs_task();
	struct css_set *cs;
	__u32 n;
	long r;

	if (!s)
		return 0;
	cs = BPF_CORE_READ(t, cgroups);
	HS_SET(s->cur, s->off);
	for (int i = 0; i < 16; i++) {
		struct cgroup_subsys_state *css = NULL;
		struct kernfs_node *kn, *p;

		if (i >= bpf_core_enum_value(enum cgroup_subsys_id, CGROUP_SUBSYS_COUNT))
			break;
		bpf_core_read(&css, sizeof(css), &cs->subsys[i]);
		if (!css)
			continue;
		r = bpf_probe_read_kernel_str(&s->buf[HS_GET(s->cur) & HS_OFF_MASK], 64,
					      BPF_CORE_READ(css, ss, name));
		if (r <= 1)
			continue;
		HS_SET(s->cur, HS_GET(s->cur) + (__u32)(r - 1));
		s->buf[HS_GET(s->cur) & HS_OFF_MASK] = '=';
		HS_SET(s->cur, HS_GET(s->cur) + 1);
		kn = BPF_CORE_READ(css, cgroup, kn);
		HS_SET(s->cnt, 0);
		for (int j = 0; j < 16; j++) {
			if (!kn)
				break;
			p = hs_kn_parent(kn);
			if (!p)
				break;
			n = HS_GET(s->cnt);
			s->ptrs[n & (HS_PATH_DEPTH - 1)] = (__u64)BPF_CORE_READ(kn, name);
			HS_SET(s->cnt, n + 1);
			kn = p;
		}
		hs_write_path(s);
	}
	hs_param_done(s, HS_GET(s->cur) - s->off);
	return 0;
}

/* Parameters: exe (argv[0], CHARBUF) and args (argv[1..], BYTEBUF), at most 4096 bytes. */
__noinline int hs_put_exe_args(void)
{
	struct hs_scratch *s = hs_get_scratch();
	struct task_struct *t = hs_task();
	unsigned long as, ae;
	long n;
	__u64 rest;

	if (!s)
		return 0;
	as = BPF_CORE_READ(t, mm, arg_start);
	ae = BPF_CORE_READ(t, mm, arg_end);
	if (!as || ae <= as) {
		hs_put_empty(s);
		hs_put_empty(s);
		return 0;
	}
	n = bpf_probe_read_user_str(&s->buf[s->off & HS_OFF_MASK], 4096, (const void *)as);
	if (n <= 0)
		n = 0;
	hs_param_done(s, (__u32)n);
	rest = ae - as;
	if (rest > 4096)
		rest = 4096;
	rest = rest > (__u64)n ? rest - n : 0;
	hs_put_user_buf(s, (const void *)(as + n), rest);
	return 0;
}

/* Parameter: the environment (BYTEBUF), at most 4096 bytes. */
__noinline int hs_put_env(void)
{
	struct hs_scratch *s = hs_get_scratch();
	struct task_struct *t = hs_task();
	unsigned long es, ee;

	if (!s)
		return 0;
	es = BPF_CORE_READ(t, mm, env_start);
	ee = BPF_CORE_READ(t, mm, env_end);
	if (!es || ee <= es) {
		hs_put_empty(s);
		return 0;
	}
	hs_put_user_buf(s, (const void *)es, ee - es);
	return 0;
}

/*
 * Parameter: the socket tuple of fd (SOCKTUPLE); remote first when `reverse` (accept, the
 * receive calls). For inet sockets, a user sockaddr (`uaddr`, `ulen` bytes) of the socket's
 * family replaces the remote end, as libs' fd_to_socktuple does with the destination of
 * sendto/sendmsg and the source of recvfrom/recvmsg on unconnected sockets.
 */
__noinline int hs_put_tuple(__s64 fd, int reverse, __u64 uaddr, __u64 ulen)
{
	struct hs_scratch *s = hs_get_scratch();
	struct file *f;
	struct socket *sock;
	struct sock *sk;
	__u16 family, lport, rport;
	__u32 at, start;
	__u8 fam;

	if (!s)
		return 0;
	f = hs_fd_file(fd);
	if (!f || (BPF_CORE_READ(f, f_inode, i_mode) & HS_S_IFMT) != HS_S_IFSOCK) {
		hs_put_empty(s);
		return 0;
	}
	sock = BPF_CORE_READ(f, private_data);
	sk = BPF_CORE_READ(sock, sk);
	if (!sk) {
		hs_put_empty(s);
		return 0;
	}
	family = BPF_CORE_READ(sk, __sk_common.skc_family);
	at = start = s->off;
	lport = BPF_CORE_READ(sk, __sk_common.skc_num);
	rport = bpf_ntohs(BPF_CORE_READ(sk, __sk_common.skc_dport));
	if (family == HS_AF_INET) {
		__u32 la = BPF_CORE_READ(sk, __sk_common.skc_rcv_saddr);
		__u32 ra = BPF_CORE_READ(sk, __sk_common.skc_daddr);
		__u16 uf = 0;
		if (uaddr && ulen >= 8 && bpf_probe_read_user(&uf, 2, (void *)uaddr) == 0 &&
		    uf == HS_AF_INET) {
			bpf_probe_read_user(&rport, 2, (void *)(uaddr + 2));
			bpf_probe_read_user(&ra, 4, (void *)(uaddr + 4));
			rport = bpf_ntohs(rport);
		}
		fam = HS_AF_INET;
		hs_store(s, at, &fam, 1);
		if (reverse) {
			hs_store(s, at + 1, &ra, 4);
			hs_store(s, at + 5, &rport, 2);
			hs_store(s, at + 7, &la, 4);
			hs_store(s, at + 11, &lport, 2);
		} else {
			hs_store(s, at + 1, &la, 4);
			hs_store(s, at + 5, &lport, 2);
			hs_store(s, at + 7, &ra, 4);
			hs_store(s, at + 11, &rport, 2);
		}
		hs_param_done(s, 13);
	} else if (family == HS_AF_INET6) {
		struct in6_addr la, ra;
		BPF_CORE_READ_INTO(&la, sk, __sk_common.skc_v6_rcv_saddr);
		__u16 uf = 0;
		BPF_CORE_READ_INTO(&ra, sk, __sk_common.skc_v6_daddr);
		if (uaddr && ulen >= 24 && bpf_probe_read_user(&uf, 2, (void *)uaddr) == 0 &&
		    uf == HS_AF_INET6) {
			bpf_probe_read_user(&rport, 2, (void *)(uaddr + 2));
			bpf_probe_read_user(&ra, 16, (void *)(uaddr + 8));
			rport = bpf_ntohs(rport);
		}
		fam = HS_AF_INET6;
		hs_store(s, at, &fam, 1);
		__builtin_memcpy(&s->buf[(at + 1) & HS_OFF_MASK], reverse ? &ra : &la, 16);
		hs_store(s, at + 17, reverse ? &rport : &lport, 2);
		__builtin_memcpy(&s->buf[(at + 19) & HS_OFF_MASK], reverse ? &la : &ra, 16);
		hs_store(s, at + 35, reverse ? &lport : &rport, 2);
		hs_param_done(s, 37);
	} else if (family == HS_AF_UNIX) {
		struct unix_sock *us = (struct unix_sock *)sk;
		struct sock *peer = BPF_CORE_READ(us, peer);
		struct unix_address *ua = BPF_CORE_READ(us, addr);
		__u64 src = (__u64)sk, dst = (__u64)peer;
		long r = 0;

		if (!ua && peer)
			ua = BPF_CORE_READ((struct unix_sock *)peer, addr);
		fam = HS_AF_UNIX;
		hs_store(s, at, &fam, 1);
		hs_store(s, at + 1, &src, 8);
		hs_store(s, at + 9, &dst, 8);
		at += 17;
		if (ua)
			r = bpf_probe_read_kernel_str(&s->buf[at & HS_OFF_MASK], 108, (void *)ua + bpf_core_field_offset(struct unix_address, name) + 2 /* sun_family */);
		if (r <= 0) {
			s->buf[at & HS_OFF_MASK] = 0;
			r = 1;
		}
		hs_param_done(s, 17 + (__u32)r);
	} else {
		hs_put_empty(s);
	}
	return 0;
}

/* Parameter: a user sockaddr (SOCKADDR) of `len` bytes. */
__noinline int hs_put_sockaddr(__u64 uaddr, __u64 len)
{
	struct hs_scratch *s = hs_get_scratch();
	__u16 family = 0, port = 0;
	__u32 at;
	__u8 fam;

	if (!s)
		return 0;
	if (!uaddr || len < 2 || bpf_probe_read_user(&family, 2, (void *)uaddr) < 0) {
		hs_put_empty(s);
		return 0;
	}
	at = s->off;
	if (family == HS_AF_INET && len >= 8) {
		__u32 a = 0;
		bpf_probe_read_user(&port, 2, (void *)(uaddr + 2));
		bpf_probe_read_user(&a, 4, (void *)(uaddr + 4));
		port = bpf_ntohs(port);
		fam = HS_AF_INET;
		hs_store(s, at, &fam, 1);
		hs_store(s, at + 1, &a, 4);
		hs_store(s, at + 5, &port, 2);
		hs_param_done(s, 7);
	} else if (family == HS_AF_INET6 && len >= 24) {
		bpf_probe_read_user(&port, 2, (void *)(uaddr + 2));
		port = bpf_ntohs(port);
		fam = HS_AF_INET6;
		hs_store(s, at, &fam, 1);
		hs_append_user(s, at + 1, (void *)(uaddr + 8), 16);
		hs_store(s, at + 17, &port, 2);
		hs_param_done(s, 19);
	} else if (family == HS_AF_UNIX) {
		long r;
		fam = HS_AF_UNIX;
		hs_store(s, at, &fam, 1);
		r = bpf_probe_read_user_str(&s->buf[(at + 1) & HS_OFF_MASK], 108, (void *)(uaddr + 2));
		if (r <= 0) {
			s->buf[(at + 1) & HS_OFF_MASK] = 0;
			r = 1;
		}
		hs_param_done(s, 1 + (__u32)r);
	} else {
		hs_put_empty(s);
	}
	return 0;
}

#define PPM_EXE_WRITABLE (1u << 0)
#define PPM_EXE_UPPER_LAYER (1u << 1)
#define PPM_EXE_FROM_MEMFD (1u << 2)
#define PPM_EXE_LOWER_LAYER (1u << 3)
#define HS_OVERLAYFS_MAGIC 0x794c7630
#define HS_SB_RDONLY 1
#define HS_S_IMMUTABLE 8
#define HS_S_IWGRP 00020
#define HS_S_IWOTH 00002
#define HS_CAP_DAC_OVERRIDE 1

/*
 * Whether the task's user may write its executable, the checks libs makes for
 * PPM_EXE_WRITABLE: not on a read-only filesystem nor immutable; then owner, group-write,
 * other-write, or CAP_DAC_OVERRIDE in the effective set.
 */
static __always_inline int hs_exe_writable(struct task_struct *t, struct inode *ino)
{
	__u32 fsuid = BPF_CORE_READ(t, cred, fsuid.val);
	__u32 fsgid = BPF_CORE_READ(t, cred, fsgid.val);
	__u32 iuid = BPF_CORE_READ(ino, i_uid.val);
	__u32 igid = BPF_CORE_READ(ino, i_gid.val);
	__u16 mode = BPF_CORE_READ(ino, i_mode);
	__u64 caps = 0;

	if (BPF_CORE_READ(ino, i_sb, s_flags) & HS_SB_RDONLY)
		return 0;
	if (BPF_CORE_READ(ino, i_flags) & HS_S_IMMUTABLE)
		return 0;
	if (iuid == (__u32)-1 || igid == (__u32)-1)
		return 0;
	if (fsuid == iuid)
		return 1;
	if (fsgid == igid) {
		if (mode & HS_S_IWGRP)
			return 1;
	} else if (mode & HS_S_IWOTH) {
		return 1;
	}
	const struct cred *cr = BPF_CORE_READ(t, cred);

	bpf_core_read(&caps, sizeof(caps), &cr->cap_effective);
	return (caps >> HS_CAP_DAC_OVERRIDE) & 1;
}

/*
 * The execve `flags` parameter (PPM_EXE_*): executable writable by the user, in the upper or
 * lower layer of an overlayfs (the overlay inode's upper dentry follows its VFS inode, as libs
 * reads it), or run from a memfd.
 */
static __always_inline __u32 hs_exe_flags(struct task_struct *t)
{
	struct file *exe = BPF_CORE_READ(t, mm, exe_file);
	struct inode *ino;
	char name[6] = {};
	__u32 r = 0;

	if (!exe)
		return 0;
	ino = BPF_CORE_READ(exe, f_inode);
	if (!ino)
		return 0;
	if (hs_exe_writable(t, ino))
		r |= PPM_EXE_WRITABLE;
	if (BPF_CORE_READ(ino, i_sb, s_magic) == HS_OVERLAYFS_MAGIC) {
		void *upper = NULL;
		bpf_probe_read_kernel(&upper, sizeof(upper),
				      (void *)ino + bpf_core_type_size(struct inode));
		r |= upper ? PPM_EXE_UPPER_LAYER : PPM_EXE_LOWER_LAYER;
	}
	bpf_probe_read_kernel(name, sizeof(name), BPF_CORE_READ(exe, f_path.dentry, d_name.name));
	if (name[0] == 'm' && name[1] == 'e' && name[2] == 'm' && name[3] == 'f' && name[4] == 'd' &&
	    name[5] == ':')
		r |= PPM_EXE_FROM_MEMFD;
	return r;
}

#endif
