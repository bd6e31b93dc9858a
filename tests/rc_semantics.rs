//! The behaviour of `weakrefs::rc`: the shared cases (also run on `weakrefs::sync` by
//! `sync_semantics.rs`), then what only the single-threaded flavour does.

// The shared cases hold weak references in `std::sync::Arc<Mutex<…>>` so that they
// compile for the thread-safe flavour; with `rc::Weak` inside, that `Arc` is not
// `Send`, which is fine here.
#![allow(clippy::arc_with_non_send_sync)]

mod common;

use weakrefs::rc::{
    finalize, Finalize, Proxy, PtrWeakKeyMap, PtrWeakSet, Rc, Weak, WeakKeyMap, WeakMethod,
    WeakSet, WeakValueMap,
};

// The flavour's `value_map::Entry`, for the shared cases.
use weakrefs::rc::value_map::Entry;

include!("cases/prelude.rs");
include!("cases/callbacks.rs");
include!("cases/finalize.rs");
include!("cases/value_map.rs");
include!("cases/key_map.rs");
include!("cases/proxy_method.rs");
include!("cases/under_lock.rs");
include!("cases/dying.rs");
include!("cases/unsized.rs");

use std::cell::RefCell;
use std::sync::Arc;
/// CPython's test_atexit, on a thread's exit instead of the interpreter's: the
/// finalizers still alive run newest first; one with the at-exit flag cleared is
/// skipped (and, triggered after the run, is only marked dead); one created during
/// the run runs next; a panic is reported and the run goes on.
#[test]
fn thread_exit_runs_live_finalizers_newest_first() {
    thread_local! {
        // Touched before the first finalizer, so its destructor runs after the
        // thread's exit run (thread-local destructors run in reverse order of
        // registration): `cls` outlives the run, as a class outlives Python's atexit.
        static KEEP: RefCell<Vec<Rc<A>>> = const { RefCell::new(Vec::new()) };
    }
    quiet_expected_panics();
    let before = common::AT_EXIT_REPORTS.load(std::sync::atomic::Ordering::SeqCst);
    let out = Arc::new(Mutex::new(Vec::<String>::new()));
    let o = out.clone();
    std::thread::spawn(move || {
        let cls = Rc::new(A);
        KEEP.with(|k| k.borrow_mut().push(cls.clone()));
        let print = |o: &Arc<Mutex<Vec<String>>>| {
            let o = o.clone();
            move |line: String| o.lock().unwrap().push(line)
        };
        let f1 = finalize(&cls, print(&o), "f1 foobar".to_owned());
        let f2 = finalize(&cls, print(&o), "f2 foobar".to_owned());
        let (o3, cls3) = (o.clone(), cls.clone());
        let f3 = finalize(
            &cls,
            move |()| {
                // An at-exit finalizer created by one run at exit: it runs next.
                finalize(&cls3, print(&o3), "g1".to_owned());
                o3.lock().unwrap().push("f3 error".to_owned());
                panic!("{EXPECTED}: ZeroDivisionError");
            },
            (),
        );
        let f4 = finalize(&cls, print(&o), "f4 foobar".to_owned());
        assert!(f1.atexit());
        f2.set_atexit(false);
        assert!(f3.atexit() && f4.atexit());
    })
    .join()
    .unwrap();
    assert_eq!(
        *out.lock().unwrap(),
        ["f4 foobar", "f3 error", "g1", "f1 foobar"]
    );
    let after = common::AT_EXIT_REPORTS.load(std::sync::atomic::Ordering::SeqCst);
    assert_eq!(
        after - before,
        1,
        "the panic was reported as an at-exit one"
    );
}

#[test]
fn finalizer_made_on_another_thread_does_not_run_at_this_threads_exit() {
    let out = Arc::new(Mutex::new(Vec::<String>::new()));
    let o = out.clone();
    let obj = Rc::new(());
    let f = finalize(
        &obj,
        move |()| o.lock().unwrap().push("main".to_owned()),
        (),
    );
    std::thread::spawn(|| {
        // This thread's own finalizers exist and its exit run happens; main's are
        // not part of it.
        let local = Rc::new(());
        finalize(&local, |()| (), ()).set_atexit(true);
        drop(local);
    })
    .join()
    .unwrap();
    assert!(out.lock().unwrap().is_empty());
    assert!(f.alive());
    drop(obj);
    assert_eq!(*out.lock().unwrap(), ["main"]);
}
