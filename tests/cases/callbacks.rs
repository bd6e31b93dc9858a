// Behaviour of weak references with callbacks, for either flavour: included by
// `rc_semantics.rs` and `sync_semantics.rs`, which import the flavour's `Rc` (for
// `sync`, `Arc as Rc`), `Weak`, `finalize` and `Finalize`.

#[test]
fn value_drop_runs_first_then_callbacks_newest_first() {
    let log = Log::new();
    let obj = Rc::new(Noisy::new("obj", &log));
    let (l1, l2, l3) = (log.clone(), log.clone(), log.clone());
    let _w1 = Rc::downgrade_with(&obj, move |_| l1.push("cb1"));
    let _w2 = Rc::downgrade_with(&obj, move |_| l2.push("cb2"));
    let _w3 = Rc::downgrade_with(&obj, move |_| l3.push("cb3"));
    drop(obj);
    assert_eq!(log.get(), ["drop obj", "cb3", "cb2", "cb1"]);
}

#[test]
fn every_weak_ref_is_dead_during_drop_and_callbacks() {
    struct Probe {
        weak: Mutex<Weak<Probe>>,
        seen_in_drop: Shared<Mutex<Option<bool>>>,
    }
    impl Drop for Probe {
        fn drop(&mut self) {
            self.seen_in_drop
                .lock()
                .unwrap()
                .replace(self.weak.lock().unwrap().upgrade().is_some());
        }
    }
    let seen_in_drop = Shared::new(Mutex::new(None));
    let obj = Rc::new(Probe {
        weak: Mutex::new(Weak::new()),
        seen_in_drop: seen_in_drop.clone(),
    });
    *obj.weak.lock().unwrap() = Rc::downgrade(&obj);
    let plain = Rc::downgrade(&obj);
    let in_callbacks = Shared::new(Mutex::new(Vec::new()));
    let (seen, plain2) = (in_callbacks.clone(), plain.clone());
    let other = Rc::downgrade_with(&obj, move |me| {
        seen.lock().unwrap()
            .push((me.upgrade().is_some(), plain2.upgrade().is_some()))
    });
    let seen = in_callbacks.clone();
    let other2 = other.clone();
    let _newer = Rc::downgrade_with(&obj, move |_| {
        seen.lock().unwrap().push((other2.upgrade().is_some(), false))
    });
    drop(obj);
    assert_eq!(*seen_in_drop.lock().unwrap(), Some(false));
    assert_eq!(*in_callbacks.lock().unwrap(), [(false, false), (false, false)]);
    assert!(plain.upgrade().is_none() && other.upgrade().is_none());
}

#[test]
fn callback_receives_the_very_weak_it_was_registered_with() {
    type Seen = Shared<Mutex<Option<(String, Weak<u8>)>>>;
    let seen: Seen = Shared::new(Mutex::new(None));
    let obj = Rc::new(7u8);
    let slot = seen.clone();
    let r = Rc::downgrade_with(&obj, move |dead: &Weak<u8>| {
        *slot.lock().unwrap() = Some((format!("{dead:?}"), dead.clone()));
    });
    let alive = format!("{r:?}");
    drop(obj);
    let (shown, received) = seen.lock().unwrap().take().expect("callback ran");
    assert!(Weak::ref_eq(&received, &r), "same identity");
    let address = |s: &str| s.split(';').next().unwrap().to_owned();
    assert_eq!(address(&shown), address(&alive), "same Debug address");
    assert_eq!(shown, format!("{r:?}"));
    assert!(shown.ends_with("; dead>"));
}

#[test]
fn callback_of_a_dropped_weak_never_runs() {
    let log = Log::new();
    let obj = Rc::new(());
    let l = log.clone();
    let w = Rc::downgrade_with(&obj, move |_| l.push("must not run"));
    let clone = w.clone();
    drop(w);
    assert_eq!(
        Rc::weakref_count(&obj),
        1,
        "a clone still holds the registration"
    );
    drop(clone);
    assert_eq!(Rc::weakref_count(&obj), 0);
    drop(obj);
    assert!(log.get().is_empty());
}

#[test]
fn cancelled_callback_is_dropped_at_once() {
    let captured = Shared::new(());
    let obj = Rc::new(());
    let c = captured.clone();
    let w = Rc::downgrade_with(&obj, move |_| drop(c));
    assert_eq!(Shared::strong_count(&captured), 2);
    drop(w);
    assert_eq!(
        Shared::strong_count(&captured),
        1,
        "the closure was dropped with its last Weak"
    );
}

#[test]
fn callback_and_captures_are_freed_after_running() {
    let captured = Shared::new(());
    let obj = Rc::new(());
    let c = captured.clone();
    let w = Rc::downgrade_with(&obj, move |_| {
        let _keep = &c;
    });
    drop(obj);
    assert_eq!(Shared::strong_count(&captured), 1);
    assert!(!w.has_callback());
}

#[test]
fn panicking_callback_is_reported_and_others_still_run() {
    let log = Log::new();
    let ((), reports) = capture_reports(|| {
        let obj = Rc::new(Noisy::new("obj", &log));
        let (l1, l3) = (log.clone(), log.clone());
        let _w1 = Rc::downgrade_with(&obj, move |_| l1.push("cb1"));
        let _w2 = Rc::downgrade_with(&obj, |_| panic!("{EXPECTED}: cb2"));
        let _w3 = Rc::downgrade_with(&obj, move |_| l3.push("cb3"));
        drop(obj); // does not panic
    });
    assert_eq!(log.get(), ["drop obj", "cb3", "cb1"]);
    assert_eq!(reports.len(), 1);
    assert_eq!(reports[0].0, PanicSource::WeakCallback);
    assert_eq!(reports[0].1, format!("{EXPECTED}: cb2"));
    assert!(reports[0].2.ends_with("Noisy"), "{}", reports[0].2);
}

#[test]
fn callback_may_panic_while_a_panic_unwinds() {
    quiet_expected_panics();
    let log = Log::new();
    let l = log.clone();
    let refs = Mutex::new(Vec::new());
    let (result, reports) = capture_reports(|| {
        catch_unwind(AssertUnwindSafe(|| {
            let obj = Rc::new(());
            // Kept outside the unwinding frame, so they outlive `obj`.
            refs.lock().unwrap()
                .push(Rc::downgrade_with(&obj, move |_| l.push("older ran")));
            refs.lock().unwrap().push(Rc::downgrade_with(&obj, |_| {
                panic!("{EXPECTED}: in callback")
            }));
            panic!("{EXPECTED}: outer"); // `obj` dies while this unwinds
        }))
    });
    let payload = result.unwrap_err();
    assert_eq!(
        payload.downcast_ref::<String>().unwrap(),
        &format!("{EXPECTED}: outer"),
        "the outer panic survives"
    );
    assert_eq!(log.get(), ["older ran"]);
    assert_eq!(reports.len(), 1);
}

#[test]
fn panic_in_value_drop_still_runs_callbacks_and_propagates() {
    quiet_expected_panics();
    struct Bomb;
    impl Drop for Bomb {
        fn drop(&mut self) {
            panic!("{EXPECTED}: in drop");
        }
    }
    let log = Log::new();
    let obj = Rc::new(Bomb);
    let l = log.clone();
    let w = Rc::downgrade_with(&obj, move |_| l.push("callback"));
    let result = catch_unwind(AssertUnwindSafe(move || drop(obj)));
    assert!(result.is_err(), "the value's panic propagates, as in std");
    assert_eq!(log.get(), ["callback"]);
    assert!(w.upgrade().is_none());
}

#[test]
fn callback_may_drop_its_own_weak() {
    let log = Log::new();
    let holder: Shared<Mutex<Option<Weak<()>>>> = Shared::new(Mutex::new(None));
    let obj = Rc::new(());
    let (h, l) = (holder.clone(), log.clone());
    let w = Rc::downgrade_with(&obj, move |me| {
        let mine = h.lock().unwrap().take().expect("stored");
        assert!(Weak::ref_eq(&mine, me));
        drop(mine); // the last user handle; `me` stays valid for this call
        l.push(format!("after drop: {me:?}"));
    });
    *holder.lock().unwrap() = Some(w);
    drop(obj);
    let events = log.get();
    assert_eq!(events.len(), 1);
    assert!(events[0].ends_with("; dead>"));
}

#[test]
fn callback_may_drop_other_objects_whose_callbacks_then_run() {
    let log = Log::new();
    let inner = Rc::new(Noisy::new("inner", &log));
    let l = log.clone();
    let _wi = Rc::downgrade_with(&inner, move |_| l.push("inner cb"));
    let slot = Shared::new(Mutex::new(Some(inner)));
    let outer = Rc::new(Noisy::new("outer", &log));
    let (s, l) = (slot.clone(), log.clone());
    let _wo = Rc::downgrade_with(&outer, move |_| {
        l.push("outer cb start");
        drop(s.lock().unwrap().take());
        l.push("outer cb end");
    });
    drop(outer);
    assert_eq!(
        log.get(),
        [
            "drop outer",
            "outer cb start",
            "drop inner",
            "inner cb",
            "outer cb end"
        ]
    );
}

#[test]
fn callback_may_create_and_drop_rcs_and_weak_refs() {
    let log = Log::new();
    let obj = Rc::new(1);
    let l = log.clone();
    let _w = Rc::downgrade_with(&obj, move |_| {
        let fresh = Rc::new(2);
        let l2 = l.clone();
        let inner = Rc::downgrade_with(&fresh, move |_| l2.push("nested callback"));
        let _plain = Rc::downgrade(&fresh);
        assert_eq!(*inner.upgrade().unwrap(), 2);
        drop(fresh);
        l.push("outer done");
    });
    drop(obj);
    assert_eq!(log.get(), ["nested callback", "outer done"]);
}

#[test]
fn callback_dropping_a_not_yet_run_sibling_still_runs_it() {
    // CPython pins every cleared reference before calling back, so a callback that
    // drops another reference to the same object does not cancel that one.
    let log = Log::new();
    let obj = Rc::new(());
    let sibling_slot: Shared<Mutex<Option<Weak<()>>>> = Shared::new(Mutex::new(None));
    let l = log.clone();
    let older = Rc::downgrade_with(&obj, move |_| l.push("older ran"));
    *sibling_slot.lock().unwrap() = Some(older);
    let (s, l) = (sibling_slot.clone(), log.clone());
    let _newer = Rc::downgrade_with(&obj, move |_| {
        drop(s.lock().unwrap().take());
        l.push("newer ran");
    });
    drop(obj);
    assert_eq!(log.get(), ["newer ran", "older ran"]);
}

#[test]
fn weak_holding_the_only_strong_ref_runs_no_callback() {
    // CPython's test_subclass_refs_with_cycle: the weak reference's callback owns the
    // only strong reference to its own referent. Dropping the weak reference cancels
    // the callback, which drops the referent; no callback may run.
    let log = Log::new();
    let obj = Rc::new(Noisy::new("obj", &log));
    let keep = obj.clone();
    let l = log.clone();
    let w = Rc::downgrade_with(&obj, move |_| {
        let _owns = &keep;
        l.push("callback must not run");
    });
    drop(obj);
    assert!(w.upgrade().is_some());
    drop(w);
    assert_eq!(log.get(), ["drop obj"]);
}

#[test]
fn try_unwrap_kills_weak_refs_and_runs_callbacks() {
    let log = Log::new();
    let obj = Rc::new(String::from("value"));
    let l = log.clone();
    let w = Rc::downgrade_with(&obj, move |_| l.push("callback"));
    let value = Rc::try_unwrap(obj).unwrap();
    assert_eq!(value, "value");
    assert_eq!(log.get(), ["callback"]);
    assert!(w.upgrade().is_none());
}

#[test]
fn try_unwrap_failing_changes_nothing() {
    let log = Log::new();
    let obj = Rc::new(1);
    let other = obj.clone();
    let l = log.clone();
    let w = Rc::downgrade_with(&obj, move |_| l.push("callback"));
    let obj = Rc::try_unwrap(obj).unwrap_err();
    assert!(log.get().is_empty() && w.has_callback());
    drop((obj, other));
    assert_eq!(log.get(), ["callback"]);
}

#[test]
fn into_inner_runs_callbacks_only_for_the_last() {
    let log = Log::new();
    let a = Rc::new(5);
    let b = a.clone();
    let l = log.clone();
    let _w = Rc::downgrade_with(&a, move |_| l.push("callback"));
    assert_eq!(Rc::into_inner(a), None);
    assert!(log.get().is_empty());
    assert_eq!(Rc::into_inner(b), Some(5));
    assert_eq!(log.get(), ["callback"]);
}

#[test]
fn unwrap_or_clone_runs_callbacks_when_it_moves_the_value() {
    let log = Log::new();
    let a = Rc::new(vec![1]);
    let b = a.clone();
    let l = log.clone();
    let _w = Rc::downgrade_with(&a, move |_| l.push("callback"));
    assert_eq!(Rc::unwrap_or_clone(a), [1]);
    assert!(log.get().is_empty(), "cloned: the object lives on");
    assert_eq!(Rc::unwrap_or_clone(b), [1]);
    assert_eq!(log.get(), ["callback"]);
}

#[test]
fn make_mut_with_only_weak_refs_moves_the_value_and_runs_callbacks() {
    let log = Log::new();
    let mut data = Rc::new(75);
    let l = log.clone();
    let w = Rc::downgrade_with(&data, move |dead| {
        l.push(format!("callback alive={}", dead.upgrade().is_some()))
    });
    let plain = Rc::downgrade(&data);
    *Rc::make_mut(&mut data) += 1;
    assert_eq!(*data, 76);
    assert_eq!(log.get(), ["callback alive=false"]);
    assert!(w.upgrade().is_none() && plain.upgrade().is_none());
    assert_eq!(Rc::weak_count(&data), 0);
}

#[test]
fn make_mut_with_other_strong_refs_clones_and_keeps_callbacks() {
    let log = Log::new();
    let mut data = Rc::new(1);
    let other = data.clone();
    let l = log.clone();
    let w = Rc::downgrade_with(&data, move |_| l.push("callback"));
    *Rc::make_mut(&mut data) += 1;
    assert_eq!((*data, *other), (2, 1));
    assert!(log.get().is_empty());
    assert!(Rc::ptr_eq(&w.upgrade().unwrap(), &other));
    drop(other);
    assert_eq!(log.get(), ["callback"]);
}

#[test]
fn new_cyclic_weak_is_dead_during_construction_and_live_after() {
    struct Node {
        me: Weak<Node>,
    }
    let node = Rc::new_cyclic(|me| {
        assert!(me.upgrade().is_none());
        Node { me: me.clone() }
    });
    assert!(Rc::ptr_eq(&node.me.upgrade().unwrap(), &node));
    assert_eq!(Rc::weak_count(&node), 1);
}

#[test]
fn new_cyclic_panic_frees_everything() {
    quiet_expected_panics();
    let escaped: Shared<Mutex<Option<Weak<u32>>>> = Shared::new(Mutex::new(None));
    let e = escaped.clone();
    let result = catch_unwind(AssertUnwindSafe(|| {
        Rc::new_cyclic(|me: &Weak<u32>| -> u32 {
            *e.lock().unwrap() = Some(me.clone());
            panic!("{EXPECTED}: in new_cyclic")
        })
    }));
    assert!(result.is_err());
    let escaped = escaped.lock().unwrap().take().unwrap();
    assert!(escaped.upgrade().is_none());
    assert_eq!(escaped.strong_count(), 0);
}

#[test]
fn has_callback_follows_the_registration() {
    let obj = Rc::new(());
    let plain = Rc::downgrade(&obj);
    let with = Rc::downgrade_with(&obj, |_| ());
    assert!(!plain.has_callback());
    assert!(with.has_callback());
    assert!(with.clone().has_callback());
    assert!(!Weak::<()>::new().has_callback());
    drop(obj);
    assert!(
        !with.has_callback(),
        "cleared by the death (Python's __callback__ is None)"
    );
}

#[test]
fn weak_count_counts_every_handle_like_std() {
    let obj = Rc::new(());
    assert_eq!(Rc::weak_count(&obj), 0);
    let a = Rc::downgrade(&obj);
    let b = Rc::downgrade_with(&obj, |_| ());
    let c = b.clone();
    assert_eq!(Rc::weak_count(&obj), 3);
    assert_eq!(a.weak_count(), 3);
    let f = finalize(&obj, |()| (), ());
    assert_eq!(
        Rc::weak_count(&obj),
        5,
        "the finalizer's registration and its handle"
    );
    drop(f);
    assert_eq!(
        Rc::weak_count(&obj),
        4,
        "the registration keeps itself alive"
    );
    drop((a, b, c));
    assert_eq!(Rc::weak_count(&obj), 1);
}

#[test]
fn weakref_count_and_weakrefs_follow_python() {
    let obj = Rc::new(());
    assert_eq!(Rc::weakref_count(&obj), 0);
    assert!(Rc::weakrefs(&obj).is_empty());
    let old = Rc::downgrade_with(&obj, |_| ());
    let plain1 = Rc::downgrade(&obj);
    let plain2 = Rc::downgrade(&obj);
    let new = Rc::downgrade_with(&obj, |_| ());
    let _new_clone = new.clone();
    assert_eq!(Rc::weakref_count(&obj), 3);
    let refs = Rc::weakrefs(&obj);
    assert_eq!(refs.len(), 3);
    assert!(Weak::ref_eq(&refs[0], &plain1) && Weak::ref_eq(&refs[0], &plain2));
    assert!(Weak::ref_eq(&refs[1], &new));
    assert!(Weak::ref_eq(&refs[2], &old));
    drop(refs);
    drop((plain1, plain2));
    assert_eq!(Rc::weakref_count(&obj), 2);
    drop(old);
    assert_eq!(Rc::weakref_count(&obj), 1);
    let refs = Rc::weakrefs(&obj);
    assert_eq!(refs.len(), 1);
    assert!(Weak::ref_eq(&refs[0], &new));
}

#[test]
fn weakrefs_handles_keep_the_registration_alive() {
    let log = Log::new();
    let obj = Rc::new(());
    let l = log.clone();
    let w = Rc::downgrade_with(&obj, move |_| l.push("ran"));
    let listed = Rc::weakrefs(&obj);
    drop(w);
    assert_eq!(Rc::weakref_count(&obj), 1);
    drop(obj);
    assert_eq!(log.get(), ["ran"]);
    assert!(!listed[0].has_callback());
}

#[test]
fn debug_formats_follow_python() {
    struct ExpensiveObject;
    let obj = Rc::new(ExpensiveObject);
    let plain = Rc::downgrade(&obj);
    let other_plain = Rc::downgrade(&obj);
    let with = Rc::downgrade_with(&obj, |_| ());
    let value_at = format!("{:p}", Rc::as_ptr(&obj));
    let shown = format!("{plain:?}");
    let prefix = "<weakref at 0x";
    assert!(shown.starts_with(prefix), "{shown}");
    assert!(
        shown.ends_with(&format!("; to 'ExpensiveObject' at {value_at}>")),
        "{shown}"
    );
    let id = |s: &str| s.split(';').next().unwrap().to_owned();
    assert_eq!(
        id(&shown),
        id(&format!("{other_plain:?}")),
        "plain refs are one reference"
    );
    assert_ne!(
        id(&shown),
        id(&format!("{with:?}")),
        "a callback ref is its own reference"
    );
    assert_ne!(
        id(&shown),
        format!("<weakref at {value_at}"),
        "the ref is not the referent"
    );
    drop(obj);
    assert_eq!(format!("{plain:?}"), format!("{}; dead>", id(&shown)));
    let dangling = Weak::<u8>::new();
    assert_eq!(
        format!("{dangling:?}"),
        format!("<weakref at {:p}; dead>", &dangling),
        "a dangling Weak prints its own address, not a sentinel"
    );
}

#[test]
fn debug_type_name_is_the_last_segment() {
    let obj = Rc::new(vec![String::new()]);
    let r = Rc::downgrade(&obj);
    assert!(format!("{r:?}").contains("; to 'Vec<String>' at 0x"));
}

/// A chain of `n` links, each owning the next; returns the head and, for each link
/// but the head, a callback weak reference to its parent, stored either outside the
/// chain or inside the child.
struct Link {
    _child: Option<Rc<Link>>,
    parent: Mutex<Option<Weak<Link>>>,
}

fn chain(n: usize, count: &Shared<AtomicUsize>, refs_inside: bool) -> (Rc<Link>, Vec<Weak<Link>>) {
    let mut outside = Vec::new();
    let mut head = Rc::new(Link {
        _child: None,
        parent: Mutex::new(None),
    });
    for _ in 1..n {
        let c = count.clone();
        let parent = Rc::new(Link {
            _child: Some(head.clone()),
            parent: Mutex::new(None),
        });
        let weak = Rc::downgrade_with(&parent, move |dead| {
            assert!(dead.upgrade().is_none());
            c.fetch_add(1, SeqCst);
        });
        if refs_inside {
            *head.parent.lock().unwrap() = Some(weak);
        } else {
            outside.push(weak);
        }
        head = parent;
    }
    (head, outside)
}

#[test]
fn chain_of_deaths_runs_each_callback_once() {
    // CPython's test_trashcan_16602 without the weak dictionary: dropping the root of
    // a 100-link chain cascades through every link; each parent's callback runs once.
    let count = Shared::new(AtomicUsize::new(0));
    let (root, refs) = chain(100, &count, false);
    drop(root);
    assert_eq!(count.load(SeqCst), 99);
    assert!(refs
        .iter()
        .all(|w| w.upgrade().is_none() && !w.has_callback()));
}

#[test]
fn weak_ref_dying_in_its_referents_teardown_never_calls_back() {
    // R8.4: each child holds the callback reference to its parent, so dropping the
    // parent's value drops the reference before the parent's callbacks would run.
    // (In a chain deeper than the nesting limit, a deferred child's death comes after
    // its parent's callbacks, which then run: see "Deep drops". This chain is shorter
    // than the limit, also under Miri.)
    let count = Shared::new(AtomicUsize::new(0));
    let (root, refs) = chain(20, &count, true);
    assert!(refs.is_empty());
    drop(root);
    assert_eq!(count.load(SeqCst), 0);
}

#[test]
fn from_box_moves_the_value_and_frees_the_box() {
    let log = Log::new();
    let boxed = Box::new(Noisy::new("boxed", &log));
    let shared: Rc<Noisy> = Rc::from(boxed);
    assert!(log.get().is_empty(), "moving out of the box drops nothing");
    let _w = Rc::downgrade_with(&shared, {
        let log = log.clone();
        move |_| log.push("callback")
    });
    drop(shared);
    assert_eq!(log.take(), ["drop boxed", "callback"]);
}

#[test]
fn new_uninit_then_assume_init_is_one_object_with_its_weak_references() {
    let count = Shared::new(AtomicUsize::new(0));
    let mut uninit = Rc::<[u32; 64]>::new_uninit();
    Rc::get_mut(&mut uninit).unwrap().write([9; 64]);
    let c = count.clone();
    // A callback registered before `assume_init` still runs at the death.
    let early = Rc::downgrade_with(&uninit, move |_| {
        c.fetch_add(1, SeqCst);
    });
    // SAFETY: written above.
    let value = unsafe { uninit.assume_init() };
    assert_eq!(value[63], 9);
    assert_eq!(Rc::weak_count(&value), 1);
    assert!(early.upgrade().is_some());
    drop(value);
    assert_eq!(count.load(SeqCst), 1);
    assert!(early.upgrade().is_none());
}

#[test]
fn new_zeroed_is_all_zero_bytes() {
    let zeroed = Rc::<[u64; 300]>::new_zeroed();
    // SAFETY: all-zero bytes are a valid array of integers.
    let zeroed = unsafe { zeroed.assume_init() };
    assert!(zeroed.iter().all(|&x| x == 0));
    assert_eq!(Rc::strong_count(&zeroed), 1);
    assert_eq!(Rc::weak_count(&zeroed), 0);
}

// Issue #12, fault 1: nothing a panic handler does stops a death halfway.

/// The handler behaviour of a careless handler: it panics with a payload whose own
/// `Drop` panics.
fn handler_throws_a_bomb() {
    std::panic::panic_any(PayloadBomb);
}

#[test]
fn handler_whose_panic_payload_panics_on_drop_stops_no_callback() {
    quiet_expected_panics();
    let log = Log::new();
    let l1 = log.clone();
    let (dropped, reports) = with_handler_also(handler_throws_a_bomb, || {
        let obj = Rc::new(Noisy::new("obj", &log));
        let _older = Rc::downgrade_with(&obj, move |_| l1.push("older"));
        let _newer = Rc::downgrade_with(&obj, |_| panic!("{EXPECTED}: newer"));
        catch_unwind(AssertUnwindSafe(move || drop(obj)))
    });
    assert!(dropped.is_ok(), "a panic escaped `drop`");
    assert_eq!(log.get(), ["drop obj", "older"], "the older callback did not run");
    assert_eq!(reports.len(), 1);
    assert_eq!(reports[0].1, format!("{EXPECTED}: newer"));
}

#[test]
fn handler_whose_panic_payload_panics_on_drop_while_a_panic_unwinds() {
    quiet_expected_panics();
    let log = Log::new();
    let (l1, l2) = (log.clone(), log.clone());
    let refs = Mutex::new(Vec::new());
    let (result, reports) = with_handler_also(handler_throws_a_bomb, || {
        catch_unwind(AssertUnwindSafe(|| {
            let obj = Rc::new(());
            let mut refs = refs.lock().unwrap();
            refs.push(Rc::downgrade_with(&obj, move |_| l1.push("oldest")));
            finalize(&obj, move |()| l2.push("finalizer"), ());
            refs.push(Rc::downgrade_with(&obj, |_| panic!("{EXPECTED}: newest")));
            drop(refs);
            panic!("{EXPECTED}: outer"); // `obj` dies while this unwinds
        }))
    });
    let payload = result.unwrap_err();
    assert_eq!(payload.downcast_ref::<String>().unwrap(), &format!("{EXPECTED}: outer"));
    assert_eq!(log.get(), ["finalizer", "oldest"]);
    assert_eq!(reports.len(), 1);
}

#[test]
fn callback_whose_panic_payload_panics_on_drop_is_reported_and_freed() {
    quiet_expected_panics();
    let log = Log::new();
    let l1 = log.clone();
    let ((), reports) = capture_reports(|| {
        let obj = Rc::new(Noisy::new("obj", &log));
        let _older = Rc::downgrade_with(&obj, move |_| l1.push("older"));
        let _newer = Rc::downgrade_with(&obj, |_| std::panic::panic_any(PayloadBomb));
        drop(obj);
    });
    assert_eq!(log.get(), ["drop obj", "older"]);
    assert_eq!(reports.len(), 1);
    assert_eq!(reports[0].0, PanicSource::WeakCallback);
    assert_eq!(reports[0].1, "<no message>", "the payload is not a message");
}

#[test]
fn handler_may_drop_objects_and_register_callbacks() {
    quiet_expected_panics();
    let log = Log::new();
    let (l1, l2) = (log.clone(), log.clone());
    let ((), reports) = with_handler_also(
        move || {
            // From inside the handler: a new object with a callback, dropped at once.
            let other = Rc::new(Noisy::new("other", &l2));
            let l3 = l2.clone();
            let _w = Rc::downgrade_with(&other, move |_| l3.push("other's callback"));
            drop(other);
        },
        || {
            let obj = Rc::new(Noisy::new("obj", &log));
            let _older = Rc::downgrade_with(&obj, move |_| l1.push("older"));
            let _newer = Rc::downgrade_with(&obj, |_| panic!("{EXPECTED}: newer"));
            drop(obj);
        },
    );
    assert_eq!(
        log.get(),
        ["drop obj", "drop other", "other's callback", "older"]
    );
    assert_eq!(reports.len(), 1);
}
