//! A stop flag raised by SIGINT and SIGTERM, so a recorder can finish its file cleanly.
//!
//! It lives here because installing a signal handler needs `unsafe`, which the workspace
//! allows only in this crate.

use std::sync::atomic::{AtomicBool, Ordering};

static STOP: AtomicBool = AtomicBool::new(false);

extern "C" fn on_signal(_sig: libc::c_int) {
    STOP.store(true, Ordering::SeqCst);
}

/// Installs the SIGINT/SIGTERM handlers (idempotent) and returns the flag they raise.
pub fn install_stop_flag() -> &'static AtomicBool {
    for sig in [libc::SIGINT, libc::SIGTERM] {
        // SAFETY: the handler only stores to an atomic, which is async-signal-safe; the
        // function pointer has the C ABI `signal` expects.
        #[allow(unsafe_code, reason = "installing a signal handler")]
        unsafe {
            libc::signal(
                sig,
                on_signal as extern "C" fn(libc::c_int) as libc::sighandler_t,
            );
        }
    }
    &STOP
}

/// Whether the current user is root (effective uid 0).
pub fn is_root() -> bool {
    // SAFETY: geteuid has no preconditions and cannot fail.
    #[allow(unsafe_code, reason = "libc call")]
    let uid = unsafe { libc::geteuid() };
    uid == 0
}
