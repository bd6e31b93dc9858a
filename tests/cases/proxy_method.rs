// `Proxy` and `WeakMethod`, for either flavour: CPython's proxy tests and
// WeakMethodTestCase (the R and R~ cases of §21). Included like `callbacks.rs`.

#[derive(Debug, PartialEq)]
struct Item {
    bar: i32,
}

impl Item {
    fn some_method(&self, _: ()) -> i32 {
        4
    }
    fn other_method(&self, _: ()) -> i32 {
        5
    }
}

#[test]
fn test_proxy_ref() {
    let count = Shared::new(AtomicUsize::new(0));
    let o = Rc::new(Item { bar: 1 });
    let (c1, c2) = (count.clone(), count.clone());
    let ref1 = Proxy::with_callback(&o, move |_| {
        c1.fetch_add(1, SeqCst);
    });
    let ref2 = Proxy::with_callback(&o, move |_| {
        c2.fetch_add(1, SeqCst);
    });
    assert_eq!(ref1.with(|o| o.bar), Ok(1));
    drop(o);
    let check = |p: &Proxy<Item>| p.with(|o| o.bar);
    assert_eq!(check(&ref1), Err(weakrefs::ReferenceError));
    assert_eq!(check(&ref2), Err(weakrefs::ReferenceError));
    let ref3 = Proxy::new(&Rc::new(Item { bar: 3 }));
    assert!(ref3.get().is_err(), "bool(proxy) on a dead proxy raises ReferenceError");
    assert_eq!(count.load(SeqCst), 2);
}

#[test]
fn test_proxy_repr() {
    let obj = Rc::new(Item { bar: 0 });
    let p = Proxy::with_callback(&obj, |_| ());
    let shown = format!("{p:?}");
    assert!(shown.starts_with("<weakproxy at 0x"), "{shown}");
    assert!(shown.ends_with(&format!("; to 'Item' at {:p}>", Rc::as_ptr(&obj))), "{shown}");
    drop(obj);
    assert!(format!("{p:?}").ends_with("; dead>"));
}

#[test]
fn proxy_callback_receives_the_proxy() {
    let seen = Shared::new(Mutex::new(None));
    let obj = Rc::new(Item { bar: 0 });
    let s = seen.clone();
    let p = Proxy::with_callback(&obj, move |dead: &Proxy<Item>| {
        *s.lock().unwrap() = Some(format!("{dead:?}"));
    });
    let before = format!("{p:?}");
    drop(obj);
    let shown = seen.lock().unwrap().take().expect("callback ran");
    assert_eq!(shown.split(';').next(), before.split(';').next(), "the same proxy");
}

#[test]
fn test_callable_proxy() {
    let f = Rc::new(|x: i32| x * 2);
    let p = Proxy::new(&f);
    assert_eq!(p.with(|f| f(21)), Ok(42));
}

#[test]
fn test_proxy_iter() {
    // The referent's last other strong handle disappears during a forwarded call: the
    // call keeps it alive to the end; afterwards the proxy is dead.
    let holder = Shared::new(Mutex::new(Some(Rc::new(Item { bar: 7 }))));
    let p = Proxy::new(holder.lock().unwrap().as_ref().unwrap());
    let result = p.with(|item| {
        drop(holder.lock().unwrap().take());
        item.bar
    });
    assert_eq!(result, Ok(7));
    assert!(p.get().is_err());
}

#[test]
fn test_weakmethod_alive() {
    let o = Rc::new(Item { bar: 0 });
    let r = WeakMethod::new(&o, Item::some_method);
    assert!(r.is_alive());
    assert!(Rc::ptr_eq(&r.receiver().unwrap(), &o));
    assert_eq!(r.call(()), Some(4));
}

#[test]
fn test_weakmethod_object_dead() {
    let o = Rc::new(Item { bar: 0 });
    let r = WeakMethod::new(&o, Item::some_method);
    drop(o);
    assert_eq!(r.call(()), None);
    assert!(!r.is_alive());
}

#[test]
fn test_weakmethod_method_dead() {
    // R~: the function object dies (Python deletes the method from the class).
    let o = Rc::new(Item { bar: 0 });
    let method: Rc<fn(&Item, ()) -> i32> = Rc::new(Item::some_method);
    let r = WeakMethod::new_shared(&o, &method);
    assert_eq!(r.call(()), Some(4));
    drop(method);
    assert_eq!(r.call(()), None);
    assert!(!r.is_alive());
}

#[test]
fn test_callback_when_object_dead() {
    let calls = Shared::new(Mutex::new(Vec::new()));
    let o = Rc::new(Item { bar: 0 });
    let c = calls.clone();
    let r = WeakMethod::new(&o, Item::some_method).with_callback(move |wm| {
        c.lock().unwrap().push(wm.call(()));
    });
    let r2 = r.clone();
    drop(o);
    assert_eq!(*calls.lock().unwrap(), [None], "once, with the (dead) WeakMethod");
    drop(r2);
    assert_eq!(calls.lock().unwrap().len(), 1, "not again later");
    drop(r);
}

#[test]
fn test_callback_when_method_dead() {
    let calls = Shared::new(AtomicUsize::new(0));
    let o = Rc::new(Item { bar: 0 });
    let method: Rc<fn(&Item, ()) -> i32> = Rc::new(Item::some_method);
    let c = calls.clone();
    let r = WeakMethod::new_shared(&o, &method).with_callback(move |_| {
        c.fetch_add(1, SeqCst);
    });
    drop(method);
    assert_eq!(calls.load(SeqCst), 1);
    drop(o);
    assert_eq!(calls.load(SeqCst), 1, "not again when the object dies");
    assert!(!r.is_alive());
}

#[test]
fn test_weakmethod_no_cycles() {
    // A WeakMethod with a callback is freed as soon as it is dropped.
    let o = Rc::new(Item { bar: 0 });
    let capture = Shared::new(());
    let c = capture.clone();
    let r = WeakMethod::new(&o, Item::some_method).with_callback(move |_| {
        let _ = &c;
    });
    assert_eq!(Shared::strong_count(&capture), 2);
    assert_eq!(Rc::weakref_count(&o), 1);
    drop(r);
    assert_eq!(Shared::strong_count(&capture), 1, "the callback went with it");
    assert_eq!(Rc::weakref_count(&o), 0, "so did its weak reference");
}

#[test]
fn test_weakmethod_equality() {
    let (x, y, z) = (Rc::new(Item { bar: 1 }), Rc::new(Item { bar: 1 }), Rc::new(Item { bar: 2 }));
    let method = Item::some_method as fn(&Item, ()) -> i32;
    let other = Item::other_method as fn(&Item, ()) -> i32;
    let a = WeakMethod::new(&x, method);
    let b = WeakMethod::new(&y, method);
    let c = WeakMethod::new(&z, method);
    let d = WeakMethod::new(&x, other);
    let e = WeakMethod::new(&x, method);
    assert!(a == b, "equal receivers, same method");
    assert!(b == a);
    assert!(a != c, "different receivers");
    assert!(a != d, "different methods");
    assert!(a == e);
    drop((x, y, z));
    assert!(a != b && a != e, "dead: identity");
    assert!(a == a.clone());
}

#[test]
fn callback_set_after_the_receiver_died_runs_at_once() {
    // Issue #12: Python gives the callback at construction; ours may come later, and
    // if the death came first it runs at once instead of never.
    let calls = Shared::new(Mutex::new(Vec::new()));
    let o = Rc::new(Item { bar: 0 });
    let r = WeakMethod::new(&o, Item::some_method);
    drop(o);
    let c = calls.clone();
    let r = r.with_callback(move |wm| c.lock().unwrap().push(wm.call(())));
    assert_eq!(*calls.lock().unwrap(), [None], "run at once, with the dead WeakMethod");
    drop(r);
    assert_eq!(calls.lock().unwrap().len(), 1, "and only once");
}

#[test]
fn callback_set_again_replaces_the_one_not_yet_run() {
    let log = Log::new();
    let o = Rc::new(Item { bar: 0 });
    let (l1, l2) = (log.clone(), log.clone());
    let r = WeakMethod::new(&o, Item::some_method)
        .with_callback(move |_| l1.push("first"))
        .with_callback(move |_| l2.push("second"));
    drop(o);
    assert_eq!(log.get(), ["second"]);
    drop(r);
}

#[test]
fn callback_run_at_once_that_panics_is_reported_as_at_a_death() {
    quiet_expected_panics();
    let o = Rc::new(Item { bar: 0 });
    let r = WeakMethod::new(&o, Item::some_method);
    drop(o);
    let (kept, reports) = capture_reports(|| {
        catch_unwind(AssertUnwindSafe(|| {
            r.clone().with_callback(|_| panic!("{EXPECTED}: at once"))
        }))
    });
    assert!(kept.is_ok(), "the callback's panic escaped with_callback");
    assert_eq!(reports.len(), 1);
    assert_eq!(reports[0].0, PanicSource::WeakCallback);
    assert_eq!(reports[0].1, format!("{EXPECTED}: at once"));
}

#[test]
fn callback_run_at_once_may_panic_while_a_panic_unwinds() {
    quiet_expected_panics();
    type Method = fn(&Item, ()) -> i32;
    struct SetCallbackOnDrop(Option<WeakMethod<Item, Method>>);
    impl Drop for SetCallbackOnDrop {
        fn drop(&mut self) {
            if let Some(r) = self.0.take() {
                drop(r.with_callback(|_| panic!("{EXPECTED}: at once, unwinding")));
            }
        }
    }
    let o = Rc::new(Item { bar: 0 });
    let r = WeakMethod::new(&o, Item::some_method as Method);
    drop(o);
    let (result, reports) = capture_reports(|| {
        catch_unwind(AssertUnwindSafe(|| {
            let _guard = SetCallbackOnDrop(Some(r));
            panic!("{EXPECTED}: outer");
        }))
    });
    let payload = result.unwrap_err();
    assert_eq!(payload.downcast_ref::<String>().unwrap(), &format!("{EXPECTED}: outer"));
    assert_eq!(reports.len(), 1);
}

/// A receiver with methods of every arity from zero to six (issue #17).
struct Arity(u64);

impl Arity {
    fn zero(&self) -> u64 {
        self.0
    }
    fn one(&self, a: u64) -> u64 {
        self.0 + a
    }
    fn two(&self, a: u64, b: &str) -> String {
        format!("{} {a} {b}", self.0)
    }
    fn three(&self, a: u64, b: u64, c: u64) -> u64 {
        self.0 + a + b + c
    }
    fn six(&self, a: u8, b: u16, c: u32, d: u64, e: i8, f: i16) -> i64 {
        self.0 as i64 + a as i64 + b as i64 + c as i64 + d as i64 + e as i64 + f as i64
    }
}

#[test]
fn weak_method_calls_methods_of_any_arity() {
    let r = Rc::new(Arity(100));
    assert_eq!(WeakMethod::new(&r, Arity::zero).call(()), Some(100));
    assert_eq!(WeakMethod::new(&r, Arity::one).call(1), Some(101), "one argument, whole");
    assert_eq!(
        WeakMethod::new(&r, Arity::one).call("2".parse().unwrap()),
        Some(102),
        "one argument: its type is inferred from the method's"
    );
    assert_eq!(WeakMethod::new(&r, Arity::one).call(Default::default()), Some(100));
    let two = WeakMethod::new(&r, Arity::two);
    assert_eq!(two.call((Default::default(), "d")).as_deref(), Some("100 0 d"));
    assert_eq!(
        WeakMethod::new(&r, Arity::two).call((3, "x")).as_deref(),
        Some("100 3 x")
    );
    assert_eq!(WeakMethod::new(&r, Arity::three).call((1, 2, 3)), Some(106));
    let six = WeakMethod::new(&r, Arity::six);
    assert_eq!(six.call((1, 2, 3, 4, -5, -6)), Some(99));
    // A closure taking the receiver only.
    let closure = WeakMethod::new(&r, |a: &Arity| a.0 * 2);
    assert_eq!(closure.call(()), Some(200));
    drop(r);
    assert_eq!(six.call((1, 2, 3, 4, 5, 6)), None, "dead: nothing is called");
    assert_eq!(closure.call(()), None);
}

#[test]
fn weak_method_shared_function_of_any_arity() {
    let r = Rc::new(Arity(1));
    type Three = fn(&Arity, u64, u64, u64) -> u64;
    let method: Rc<Three> = Rc::new(Arity::three);
    let m = WeakMethod::new_shared(&r, &method);
    assert_eq!(m.call((1, 1, 1)), Some(4));
    drop(method);
    assert_eq!(m.call((1, 1, 1)), None);
}
