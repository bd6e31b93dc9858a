//! `rc::finalize` and `rc::Finalize`: Python's `weakref.finalize`.

crate::api::finalize::finalize!(
    rc, Rc, Local,
    exit_when: "the exit of the thread that created it",
    at_exit: " # At exit

 A `rc` finalizer belongs to the thread that created it. When that thread exits
 (for the main thread: returning from `main`, or `std::process::exit` called on the
 main thread), its finalizers that are still alive and have the at-exit flag run,
 newest first, each once; a finalizer created during this run joins it and runs
 next; a panic is reported and the run goes on. After the run, a finalizer that is
 triggered (its object dies later in the thread's teardown) is marked dead without
 calling `func`, as in Python. Finalizers of other threads are not run by
 `process::exit`, and no destructor-based hook runs on `abort` or a signal.",
    bounds: ['static]
);
