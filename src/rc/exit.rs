//! The local flavour's exit domain: each thread's own finalizers.
//!
//! A `rc` finalizer belongs to the thread that created it (it is `!Send`), so "at
//! exit" means when that thread exits: its thread-local destructors run the exit run.
//! For the main thread that is process exit (a return from `main`, or
//! `std::process::exit` called on the main thread), which on glibc runs the main
//! thread's thread-local destructors; elsewhere a C `atexit` hook does the same job.
//! Both paths are idempotent: the second finds the domain shut down.

use crate::flavor::{Local, LocalLock, Lock};
use crate::raw::finalize::{run_exit, ExitFlavor, ExitList};

thread_local! {
    // No `Drop`, so it stays usable while the thread's other destructors run: a
    // finalizer run at exit may create another finalizer, which joins this list and
    // runs next, as in Python.
    static EXIT_LIST: LocalLock<ExitList<Local>> = const { LocalLock::new_const(ExitList::new()) };
    // Its destructor is the hook; touching it registers that destructor.
    static EXIT_HOOK: ExitHook = const { ExitHook };
}

struct ExitHook;

impl Drop for ExitHook {
    fn drop(&mut self) {
        run_exit::<Local>();
    }
}

impl ExitFlavor for Local {
    fn with_exit_list<R>(f: impl FnOnce(&mut ExitList<Self>) -> R) -> R {
        EXIT_LIST.with(|list| list.with(f))
    }

    fn arm_exit_hook() {
        // Fails only while this thread's destructors run, after its exit run began;
        // a finalizer made then is picked up by the run in progress (or, made after
        // it, is only marked dead when triggered).
        let _ = EXIT_HOOK.try_with(|_| ());
        #[cfg(all(unix, not(miri)))]
        process_hook::arm();
    }
}

#[cfg(all(unix, not(miri)))]
mod process_hook {
    use std::panic::catch_unwind;
    use std::sync::Once;

    use crate::flavor::Local;
    use crate::raw::finalize::run_exit;

    extern "C" {
        fn atexit(callback: extern "C" fn()) -> core::ffi::c_int;
    }

    extern "C" fn at_process_exit() {
        // Runs the exiting thread's finalizers if its thread-local destructors did not
        // (they do on glibc, before this). Never unwinds into C.
        let _ = catch_unwind(run_exit::<Local>);
    }

    pub(super) fn arm() {
        static ARMED: Once = Once::new();
        ARMED.call_once(|| {
            // SAFETY: `atexit` is the C standard library's; the callback is a plain
            // `extern "C" fn` that never unwinds.
            unsafe { atexit(at_process_exit) };
        });
    }
}
