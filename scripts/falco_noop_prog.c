// SPDX-License-Identifier: Apache-2.0
//
// LD_PRELOAD shim that lets Falco 0.40's modern eBPF probe load on kernels whose verifier
// refuses one of its programs, by loading a do-nothing program (r0 = 0; exit) in place of
// each program named in HINDSIGHT_FALCO_NOOP_PROGS (comma-separated BPF program names, as
// libbpf passes them: at most 15 characters).
//
// Why: libpman 0.20 (Falco 0.40) loads its whole skeleton at once and has no option that leaves
// a program out, so one refused program stops the probe. On kernel 6.18 that program is
// `signal_deliver` (tp_btf/signal_deliver): the verifier types its `info` argument as a scalar
// ("marking pointer arg1 as scalar as it may encode error", since SEND_SIG_PRIV is the pointer
// value 1) and rejects the probe's direct read of `info->si_code` ("R5 invalid mem access
// 'scalar'"). With the no-op in its place Falco captures every syscall as before and only loses
// its signal-delivery events, which none of the rules the benchmark and the tests use read.
//
// How: libbpf (linked statically into falco-modern-bpf) issues bpf(2) through libc's
// `syscall()`, which this library interposes; every other call passes through unchanged.
// Build: cc -shared -fPIC -O2 -o falco_noop_prog.so scripts/falco_noop_prog.c -ldl
#define _GNU_SOURCE
#include <dlfcn.h>
#include <linux/bpf.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>

// Whether `name` is one of the comma-separated names in `list`.
static int listed(const char *list, const char *name) {
	size_t n = strlen(name);
	const char *p = list;
	while (*p) {
		const char *end = strchr(p, ',');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		if (len == n && strncmp(p, name, n) == 0) {
			return 1;
		}
		if (!end) {
			break;
		}
		p = end + 1;
	}
	return 0;
}

long syscall(long nr, ...) {
	static long (*real)(long, ...);
	// Six arguments, as glibc's own syscall() reads: extra ones are ignored by the kernel.
	long a[6];
	va_list ap;
	va_start(ap, nr);
	for (int i = 0; i < 6; i++) {
		a[i] = va_arg(ap, long);
	}
	va_end(ap);
	if (!real) {
		real = (long (*)(long, ...))dlsym(RTLD_NEXT, "syscall");
	}
	const char *names = getenv("HINDSIGHT_FALCO_NOOP_PROGS");
	if (nr == SYS_bpf && a[0] == BPF_PROG_LOAD && names && a[1]) {
		union bpf_attr *attr = (union bpf_attr *)a[1];
		if (attr->prog_name[0] && listed(names, attr->prog_name)) {
			static const struct bpf_insn noop[2] = {
			    {.code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = 0, .imm = 0},
			    {.code = BPF_JMP | BPF_EXIT},
			};
			attr->insns = (unsigned long)noop;
			attr->insn_cnt = 2;
			// The BTF line and function records describe the original instructions.
			attr->func_info = 0;
			attr->func_info_cnt = 0;
			attr->line_info = 0;
			attr->line_info_cnt = 0;
		}
	}
	return real(nr, a[0], a[1], a[2], a[3], a[4], a[5]);
}
