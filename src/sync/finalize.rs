//! `sync::finalize` and `sync::Finalize`: Python's `weakref.finalize`, thread-safe.

crate::api::finalize::finalize!(
    sync, Arc, Atomic,
    exit_when: "the process's exit",
    at_exit: " # At exit

 `sync` finalizers that are still alive at process exit (a return from `main`, or
 `std::process::exit`) with their at-exit flag set (the default) run then, newest
 first, each once, on the exiting thread; a finalizer created during this run joins
 it and runs next; a panic is reported and the run goes on. After the run, a
 triggered finalizer is marked dead without calling `func`, as in Python. (This uses
 the C library's `atexit`, on Unix targets; nothing runs on `abort` or a signal.)

 # Races

 `func` runs at most once whatever races: of an explicit call, `detach`, the
 object's death and the exit run on different threads, exactly one ends the
 finalizer, and `detach` hands back the arguments only if `func` did not run.",
    bounds: [Send + 'static]
);

// SAFETY: a handle can call the function (which is `Send`) on its thread, hand back
// the object (`T: Send + Sync`, as for `Arc`) and the arguments (`A: Send`), or clone
// the arguments in `peek`, which one thread at a time does (`A: Send` suffices, as for
// a `Mutex<A>`). The result `R` is made on the calling thread and never shared.
unsafe impl<T: Send + Sync + ?Sized, A: Send, R> Send for Finalize<T, A, R> {}
// SAFETY: as above; every method takes `&self` and synchronises through the node.
unsafe impl<T: Send + Sync + ?Sized, A: Send, R> Sync for Finalize<T, A, R> {}
