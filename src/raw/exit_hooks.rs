//! The exit domains of both flavours, and the hooks that start their exit runs.
//!
//! * `rc` finalizers belong to the thread that made them (they are `!Send`): each
//!   thread has its own exit list, run when that thread exits, by a thread-local
//!   destructor. For the main thread that is process exit (a return from `main`, or
//!   `std::process::exit` called on the main thread), which on glibc runs the main
//!   thread's thread-local destructors.
//! * `sync` finalizers are `Send`: one process-wide exit list, run at process exit by
//!   a C `atexit` hook, on the thread that exits the process.
//!
//! The C hook also runs the exiting thread's `rc` list, for platforms where the main
//! thread's thread-local destructors do not run at exit. Every run is idempotent: the
//! second finds its domain shut down.

use crate::flavor::{Atomic, Local, LocalLock, Lock};
use crate::raw::exit::{run_exit, ExitFlavor, ExitList};

thread_local! {
    // No `Drop`, so it stays usable while the thread's other destructors run: a
    // finalizer run at exit may create another finalizer, which joins this list and
    // runs next, as in Python.
    static LOCAL_EXIT_LIST: LocalLock<ExitList<Local>> = const { LocalLock::new_const(ExitList::new()) };
    // Its destructor is the thread's hook; touching it registers that destructor.
    static LOCAL_EXIT_HOOK: LocalExitHook = const { LocalExitHook };
}

struct LocalExitHook;

impl Drop for LocalExitHook {
    fn drop(&mut self) {
        // A panic escaping a thread-local destructor aborts the process; the run
        // reports every finalizer's panic itself, so this only guards the rest.
        crate::report::catch_quietly(run_exit::<Local>);
    }
}

impl ExitFlavor for Local {
    fn with_exit_list<R>(f: impl FnOnce(&mut ExitList<Self>) -> R) -> R {
        LOCAL_EXIT_LIST.with(|list| list.with(f))
    }

    fn arm_exit_hook() {
        // Fails only while this thread's destructors run, after its exit run began;
        // a finalizer made then is picked up by the run in progress (or, made after
        // it, is only marked dead when triggered).
        let _ = LOCAL_EXIT_HOOK.try_with(|_| ());
        process_hook::arm();
    }
}

/// The process-wide exit list of `sync` finalizers.
struct SharedExitList(crate::flavor::AtomicLock<ExitList<Atomic>>);

// SAFETY: the list holds pointers to `sync` finalizer nodes, whose payloads are `Send`
// and whose shared state is atomic; the list itself is only touched under its mutex.
unsafe impl Sync for SharedExitList {}
// SAFETY: as above.
unsafe impl Send for SharedExitList {}

#[cfg(not(loom))]
fn shared_exit_list() -> &'static SharedExitList {
    static LIST: std::sync::OnceLock<SharedExitList> = std::sync::OnceLock::new();
    LIST.get_or_init(|| SharedExitList(Lock::new(ExitList::new())))
}

#[cfg(loom)]
fn shared_exit_list() -> &'static SharedExitList {
    loom::lazy_static! {
        static ref LIST: SharedExitList = SharedExitList(Lock::new(ExitList::new()));
    }
    &LIST
}

impl ExitFlavor for Atomic {
    fn with_exit_list<R>(f: impl FnOnce(&mut ExitList<Self>) -> R) -> R {
        shared_exit_list().0.with(f)
    }

    fn arm_exit_hook() {
        process_hook::arm();
    }
}

#[cfg(all(unix, not(miri), not(loom)))]
mod process_hook {
    use std::sync::Once;

    use crate::flavor::{Atomic, Local};
    use crate::raw::exit::run_exit;
    use crate::report::catch_quietly;

    extern "C" {
        fn atexit(callback: extern "C" fn()) -> core::ffi::c_int;
    }

    extern "C" fn at_process_exit() {
        // The exiting thread's `rc` finalizers (if its thread-local destructors did
        // not run them already), then the `sync` ones. Never unwinds into C: not even
        // the `Drop` of a caught panic's payload.
        catch_quietly(run_exit::<Local>);
        catch_quietly(run_exit::<Atomic>);
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

#[cfg(not(all(unix, not(miri), not(loom))))]
mod process_hook {
    /// No C `atexit` here (Miri, loom, or a non-Unix target): `rc` finalizers still
    /// run at thread exit; `sync` ones run at process exit only where the hook exists.
    pub(super) fn arm() {}
}
