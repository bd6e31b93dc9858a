// `finalize`, for either flavour: CPython's FinalizeTestCase (but test_atexit, whose
// exit domain differs by flavour) and the rules of issue #2 §4. Included like
// `callbacks.rs`.

struct A;

#[test]
fn test_finalize() {
    // CPython's test_finalize, first block: call, then everything is dead.
    let res = Log::new();
    let a = Rc::new(A);
    let r = res.clone();
    let add = move |(x, y, z): (i32, i32, i32)| {
        r.push((x + y + z).to_string());
        x + y + z
    };
    let f = finalize(&a, add, (67, 43, 89));
    assert!(f.alive());
    let (obj, args) = f.peek().unwrap();
    assert!(Rc::ptr_eq(&obj, &a));
    assert_eq!(args, (67, 43, 89));
    drop(obj);
    assert_eq!(f.call(), Some(199));
    assert_eq!(f.call(), None);
    assert_eq!(f.call(), None);
    assert!(f.peek().is_none());
    assert!(f.detach().is_none());
    assert!(!f.alive());
    assert_eq!(res.take(), ["199"]);

    // Second block: detach hands everything back; nothing runs.
    let r = res.clone();
    let f = finalize(
        &a,
        move |(x, y, z): (i32, i32, i32)| r.push((x + y + z).to_string()),
        (67, 43, 89),
    );
    assert_eq!(f.peek().map(|(_, args)| args), Some((67, 43, 89)));
    let (obj, args) = f.detach().unwrap();
    assert!(Rc::ptr_eq(&obj, &a));
    assert_eq!(args, (67, 43, 89));
    assert_eq!(f.call(), None);
    assert_eq!(f.call(), None);
    assert!(f.peek().is_none());
    assert!(f.detach().is_none());
    assert!(!f.alive());
    assert!(res.take().is_empty());

    // Third block: the object's death triggers it, once.
    let r = res.clone();
    let f = finalize(
        &a,
        move |(x, y, z): (i32, i32, i32)| r.push((x + y + z).to_string()),
        (67, 43, 89),
    );
    drop((a, obj));
    assert_eq!(f.call(), None);
    assert_eq!(f.call(), None);
    assert!(f.peek().is_none());
    assert!(f.detach().is_none());
    assert!(!f.alive());
    assert_eq!(res.take(), ["199"]);
}

#[test]
fn test_order() {
    // CPython's test_order: finalizers keep themselves alive; detach stops one; an
    // explicit call runs one early; the rest run newest first at the object's death.
    let res = Log::new();
    let a = Rc::new(A);
    let mk = |name: &'static str| {
        let r = res.clone();
        finalize(&a, move |name: &'static str| r.push(name), name)
    };
    let f1 = mk("f1");
    let f2 = mk("f2");
    let f3 = mk("f3");
    let f4 = mk("f4");
    let f5 = mk("f5");

    drop((f1, f4)); // finalizers keep themselves alive

    assert!(f2.alive());
    assert!(f3.alive());
    assert!(f5.alive());

    assert!(f5.detach().is_some());
    assert!(!f5.alive());

    f5.call(); // nothing: previously unregistered
    res.push("A");
    f3.call(); // => f3
    assert!(!f3.alive());
    res.push("B");
    f3.call(); // nothing: previously called
    res.push("C");
    drop(a); // => f4, f2, f1
    assert!(!f2.alive());
    res.push("D");
    f2.call(); // nothing: previously called by the death

    assert_eq!(res.get(), ["A", "f3", "B", "C", "f4", "f2", "f1", "D"]);
}

#[test]
fn test_all_freed() {
    // CPython's test_all_freed: after the trigger, the finalizer and its callback
    // (and what they own) are freed.
    let res = Log::new();
    let a = Rc::new(A);
    let callback_state = Rc::new(());
    let wr_callback: Weak<()> = Rc::downgrade(&callback_state);
    let r = res.clone();
    let f = finalize(
        &a,
        move |()| {
            let _owned = &callback_state;
            r.push("123");
        },
        (),
    );
    let f_probe = f.clone();
    drop(f);
    assert!(wr_callback.upgrade().is_some());
    assert!(f_probe.alive());

    drop(a);
    assert!(
        wr_callback.upgrade().is_none(),
        "the function and its captures were freed"
    );
    assert!(!f_probe.alive());
    assert_eq!(res.get(), ["123"]);
}

#[test]
fn finalizers_and_callbacks_share_one_newest_first_order() {
    let log = Log::new();
    let obj = Rc::new(Noisy::new("obj", &log));
    let l = log.clone();
    let _w1 = Rc::downgrade_with(&obj, move |_| l.push("callback 1"));
    let l = log.clone();
    finalize(&obj, move |()| l.push("finalizer 2"), ());
    let l = log.clone();
    let _w3 = Rc::downgrade_with(&obj, move |_| l.push("callback 3"));
    drop(obj);
    assert_eq!(
        log.get(),
        ["drop obj", "callback 3", "finalizer 2", "callback 1"]
    );
}

#[test]
fn finalizer_counts_as_a_weak_reference() {
    let obj = Rc::new(());
    let f = finalize(&obj, |()| (), ());
    assert_eq!(Rc::weakref_count(&obj), 1);
    let refs = Rc::weakrefs(&obj);
    assert_eq!(refs.len(), 1);
    assert!(refs[0].has_callback());
    assert!(Rc::ptr_eq(&refs[0].upgrade().unwrap(), &obj));
    drop(refs);
    f.call();
    assert_eq!(Rc::weakref_count(&obj), 0);
}

#[test]
fn panicking_finalizer_is_reported_and_others_still_run() {
    let log = Log::new();
    let ((), reports) = capture_reports(|| {
        let obj = Rc::new(());
        let l = log.clone();
        finalize(&obj, move |()| l.push("older"), ());
        finalize(&obj, |()| panic!("{EXPECTED}: finalizer"), ());
        drop(obj);
    });
    assert_eq!(log.get(), ["older"]);
    assert_eq!(reports.len(), 1);
    assert_eq!(reports[0].0, PanicSource::Finalizer);
}

#[test]
fn explicit_call_propagates_a_panic_and_ends_the_finalizer() {
    quiet_expected_panics();
    let obj = Rc::new(());
    let f = finalize(&obj, |()| -> u8 { panic!("{EXPECTED}: called") }, ());
    assert!(catch_unwind(AssertUnwindSafe(|| f.call())).is_err());
    assert!(!f.alive());
    assert_eq!(f.call(), None);
    assert_eq!(Rc::weak_count(&obj), 1, "only the handle remains");
}

#[test]
fn detach_needs_a_live_object() {
    // Python: detach() during the object's death returns None and leaves the
    // finalizer to the death. Here: from a callback that runs before it.
    let log = Log::new();
    let obj = Rc::new(());
    let l = log.clone();
    let f = finalize(&obj, move |()| l.push("finalizer ran"), ());
    let probe = f.clone();
    let l = log.clone();
    let _w = Rc::downgrade_with(&obj, move |_| {
        l.push(format!(
            "detach={:?} alive={}",
            probe.detach().map(|_| ()),
            probe.alive()
        ));
    });
    drop(obj);
    assert_eq!(log.get(), ["detach=None alive=true", "finalizer ran"]);
    assert!(!f.alive());
}

#[test]
fn call_during_the_death_runs_it_once() {
    // A newer callback calls an older finalizer explicitly while the object dies:
    // the finalizer runs then, and the death does not run it again.
    let log = Log::new();
    let obj = Rc::new(());
    let l = log.clone();
    let f = finalize(&obj, move |()| l.push("finalizer"), ());
    let l = log.clone();
    let _w = Rc::downgrade_with(&obj, move |_| {
        f.call();
        l.push("callback");
    });
    drop(obj);
    assert_eq!(log.get(), ["finalizer", "callback"]);
}

#[test]
fn detach_drops_the_function_without_running_it() {
    let captured = Shared::new(());
    let obj = Rc::new(());
    let c = captured.clone();
    let ran = Shared::new(AtomicBool::new(false));
    let r = ran.clone();
    let f = finalize(
        &obj,
        move |()| {
            let _c = &c;
            r.store(true, SeqCst);
        },
        (),
    );
    assert_eq!(Shared::strong_count(&captured), 2);
    let (_, ()) = f.detach().unwrap();
    assert_eq!(Shared::strong_count(&captured), 1);
    drop(obj);
    assert!(!ran.load(SeqCst));
}

#[test]
fn peek_clones_and_leaves_it_alive() {
    let obj = Rc::new(());
    let f = finalize(&obj, |v: Vec<String>| v.len(), vec!["a".to_owned()]);
    let (o, args) = f.peek().unwrap();
    assert!(Rc::ptr_eq(&o, &obj));
    assert_eq!(args, ["a"]);
    assert!(f.alive());
    drop(o);
    assert_eq!(f.call(), Some(1));
}

#[test]
fn peek_then_call_from_clone_is_refused_with_a_clear_panic() {
    quiet_expected_panics();
    thread_local! {
        static HANDLE: std::cell::RefCell<Option<Finalize<(), Sneaky>>> = const { std::cell::RefCell::new(None) };
    }
    struct Sneaky;
    impl Clone for Sneaky {
        fn clone(&self) -> Self {
            HANDLE.with(|h| h.borrow().as_ref().unwrap().call());
            Sneaky
        }
    }
    let obj = Rc::new(());
    let f = finalize(&obj, |_: Sneaky| (), Sneaky);
    HANDLE.with(|h| *h.borrow_mut() = Some(f.clone()));
    let err = match catch_unwind(AssertUnwindSafe(|| f.peek().is_some())) {
        Ok(_) => panic!("peek should have panicked"),
        Err(payload) => payload,
    };
    let message = err.downcast_ref::<&str>().copied().unwrap_or_default();
    assert!(message.contains("during `peek`"), "{message}");
    assert!(f.alive(), "nothing was consumed");
    HANDLE.with(|h| h.borrow_mut().take());
    assert!(f.call().is_some());
}

#[test]
fn atexit_flag_reads_false_when_dead_and_cannot_be_set_then() {
    let obj = Rc::new(());
    let f = finalize(&obj, |()| (), ());
    assert!(f.atexit());
    f.set_atexit(false);
    assert!(!f.atexit());
    f.set_atexit(true);
    assert!(f.atexit());
    f.call();
    assert!(!f.atexit());
    f.set_atexit(true);
    assert!(!f.atexit());
}

#[test]
fn debug_format_follows_python() {
    let obj = Rc::new(A);
    let f = finalize(&obj, |()| (), ());
    let shown = format!("{f:?}");
    assert!(shown.starts_with("<finalize object at 0x"), "{shown}");
    assert!(
        shown.ends_with(&format!("; for 'A' at {:p}>", Rc::as_ptr(&obj))),
        "{shown}"
    );
    let id = shown.split(';').next().unwrap().to_owned();
    f.detach();
    assert_eq!(format!("{f:?}"), format!("{id}; dead>"));
}

#[test]
fn finalizer_owning_its_object_only_runs_at_exit() {
    // The documented pitfall (R14.13): the object keeps itself alive through its own
    // finalizer, so nothing runs until an explicit call (or the thread's exit).
    let log = Log::new();
    let obj = Rc::new(Noisy::new("obj", &log));
    let keep = obj.clone();
    let l = log.clone();
    let f = finalize(
        &obj,
        move |()| {
            l.push("finalizer");
            drop(keep);
        },
        (),
    );
    drop(obj);
    assert!(log.get().is_empty());
    f.call();
    assert_eq!(log.get(), ["finalizer", "drop obj"]);
}

