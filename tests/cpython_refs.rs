//! CPython's `Lib/test/test_weakref.py` (ReferencesTestCase, SubclassableWeakrefTestCase)
//! and `Lib/test/test_finalization.py` (SimpleFinalizationTest): the tests marked R or
//! R~ in the specification's §21 that concern references, callbacks and
//! introspection, each asserting what CPython asserts. Proxies, maps, `WeakMethod` and
//! the cycle collector are other issues' work. Where a test cannot apply to Rust the
//! reason is given next to the closest test that does.

mod common;

use std::cell::{Cell, RefCell};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::rc::Rc as StdRc;

use common::{quiet_expected_panics, Log, EXPECTED};
use weakrefs::rc::{Rc, Weak};

/// CPython's `C`: any object.
#[derive(Debug, PartialEq)]
struct C;

/// CPython's `Object`: compares and hashes by its argument.
#[derive(Debug, PartialEq, Eq, Hash)]
struct Object(i32);

/// A boxed callback for a `Weak<C>`.
type Callback = Box<dyn FnOnce(&Weak<C>)>;

/// CPython's `TestBase.callback`: counts calls.
fn counter() -> (StdRc<Cell<u32>>, impl Fn() -> Callback) {
    let count = StdRc::new(Cell::new(0));
    let c = count.clone();
    (count, move || {
        let c = c.clone();
        Box::new(move |_: &Weak<C>| c.set(c.get() + 1))
    })
}

#[test]
fn test_basic_ref() {
    let o = Rc::new(C);
    let r = Rc::downgrade(&o);
    let o2 = r
        .upgrade()
        .expect("weak reference to live object should be live");
    assert!(Rc::ptr_eq(&o, &o2), "r() should return the original object");
    // Debug (Python's repr) works alive and dead.
    let _ = format!("{r:?}");
    drop((o, o2));
    let _ = format!("{r:?}");
}

#[test]
fn test_ref_repr() {
    // 3.13+: `<weakref at 0x..; to 'C' at 0x..>`, dead `<weakref at 0x..; dead>`.
    // (Rust has no `__name__` suffix: a type has no per-instance name.)
    let obj = Rc::new(C);
    let r = Rc::downgrade(&obj);
    let shown = format!("{r:?}");
    let rest = shown.strip_prefix("<weakref at 0x").unwrap();
    let (hex, rest) = rest.split_once("; to 'C' at 0x").unwrap();
    assert!(hex.chars().all(|c| c.is_ascii_hexdigit()));
    let hex2 = rest.strip_suffix('>').unwrap();
    assert!(hex2.chars().all(|c| c.is_ascii_hexdigit()));
    drop(obj);
    assert_eq!(format!("{r:?}"), format!("<weakref at 0x{hex}; dead>"));
}

#[test]
fn test_repr_failure_gh99184() {
    // Python's repr must not raise when the referent's attribute lookup does. In
    // Rust the type name is static: Debug needs nothing from the value, and does not
    // even need `T: Debug`.
    struct NotDebug;
    let obj = Rc::new(NotDebug);
    assert!(format!("{:?}", Rc::downgrade(&obj)).contains("'NotDebug'"));
}

#[test]
fn test_basic_callback() {
    let (count, callback) = counter();
    let o = Rc::new(C);
    let r = Rc::downgrade_with(&o, callback());
    drop(o);
    assert_eq!(count.get(), 1, "callback did not properly set 'cbcalled'");
    assert!(
        r.upgrade().is_none(),
        "ref should be dead after deleting object reference"
    );
}

#[test]
fn test_multiple_callbacks() {
    let (count, callback) = counter();
    let o = Rc::new(C);
    let ref1 = Rc::downgrade_with(&o, callback());
    let ref2 = Rc::downgrade_with(&o, callback());
    drop(o);
    assert!(
        ref1.upgrade().is_none(),
        "expected reference to be invalidated"
    );
    assert!(
        ref2.upgrade().is_none(),
        "expected reference to be invalidated"
    );
    assert_eq!(
        count.get(),
        2,
        "callback not called the right number of times"
    );
}

#[test]
fn test_multiple_selfref_callbacks() {
    // All references are invalidated before any callback runs: the callback of the
    // newest reference dereferences the oldest one and gets nothing.
    let first: StdRc<RefCell<Option<Weak<C>>>> = StdRc::new(RefCell::new(None));
    let results = StdRc::new(RefCell::new(Vec::new()));
    let c = Rc::new(C);
    let (f, r) = (first.clone(), results.clone());
    *first.borrow_mut() = Some(Rc::downgrade_with(&c, move |_| {
        r.borrow_mut()
            .push(f.borrow().as_ref().unwrap().upgrade().is_some())
    }));
    let (f, r) = (first.clone(), results.clone());
    let _ref1 = Rc::downgrade_with(&c, move |_| {
        r.borrow_mut()
            .push(f.borrow().as_ref().unwrap().upgrade().is_some())
    });
    drop(c);
    assert_eq!(*results.borrow(), [false, false]);
}

#[test]
fn test_ref_reuse() {
    // The reference without a callback is shared: every plain `Weak` to an object is
    // the same reference. (Proxies are issue #4's; a callback reference stands in for
    // the intervening creation.)
    let o = Rc::new(C);
    let ref1 = Rc::downgrade(&o);
    let other = Rc::downgrade_with(&o, |_| ());
    let ref2 = Rc::downgrade(&o);
    assert!(
        Weak::ref_eq(&ref1, &ref2),
        "reference object w/out callback should be re-used"
    );
    assert_eq!(Rc::weakref_count(&o), 2, "wrong weak ref count for object");
    drop(other);
    assert_eq!(
        Rc::weakref_count(&o),
        1,
        "wrong weak ref count for object after deleting the other"
    );
}

#[test]
fn test_shared_ref_without_callback() {
    // Python's `ref(o)` and `ref(o, None)`: Rust's `downgrade` is the one way to make
    // a reference without a callback, and any two are the same reference.
    let o = Rc::new(Object(1));
    let p1 = Rc::downgrade(&o);
    let p2 = Rc::downgrade(&o);
    assert!(Weak::ref_eq(&p1, &p2));
    drop((p1, p2));
    let p1 = Rc::downgrade(&o);
    let p2 = p1.clone();
    assert!(Weak::ref_eq(&p1, &p2));
}

#[test]
fn test_getweakrefcount() {
    let (_, callback) = counter();
    let o = Rc::new(C);
    let ref1 = Rc::downgrade(&o);
    let ref2 = Rc::downgrade_with(&o, callback());
    assert_eq!(
        Rc::weakref_count(&o),
        2,
        "got wrong number of weak reference objects"
    );
    let ref3 = Rc::downgrade(&o);
    let ref4 = Rc::downgrade_with(&o, callback());
    assert_eq!(
        Rc::weakref_count(&o),
        3,
        "the plain references are one object"
    );
    drop((ref1, ref2, ref3, ref4));
    assert_eq!(
        Rc::weakref_count(&o),
        0,
        "weak reference objects not unlinked from referent when discarded"
    );
}

#[test]
fn test_getweakrefs() {
    let (_, callback) = counter();
    let o = Rc::new(C);
    let ref1 = Rc::downgrade_with(&o, callback());
    let ref2 = Rc::downgrade_with(&o, callback());
    drop(ref1);
    let refs = Rc::weakrefs(&o);
    assert!(
        refs.len() == 1 && Weak::ref_eq(&refs[0], &ref2),
        "list of refs does not match"
    );
    drop(refs);

    let o = Rc::new(C);
    let ref1 = Rc::downgrade_with(&o, callback());
    let ref2 = Rc::downgrade_with(&o, callback());
    drop(ref2);
    let refs = Rc::weakrefs(&o);
    assert!(
        refs.len() == 1 && Weak::ref_eq(&refs[0], &ref1),
        "list of refs does not match"
    );
    drop(refs);
    drop(ref1);
    assert!(Rc::weakrefs(&o).is_empty(), "list of refs not cleared");
}

#[test]
fn test_callbacks_protected() {
    // A callback that runs while a panic propagates cannot replace that panic.
    quiet_expected_panics();
    let data = StdRc::new(RefCell::new(Vec::<Weak<()>>::new()));
    for _ in 0..2 {
        let d = data.clone();
        let result = catch_unwind(AssertUnwindSafe(|| {
            let f = Rc::new(());
            let dd = d.clone();
            d.borrow_mut()
                .push(Rc::downgrade_with(&f, move |_| dd.borrow_mut().clear()));
            std::panic::panic_any(BogusError);
        }));
        let payload = result.expect_err("exception not properly restored");
        assert!(
            payload.downcast_ref::<BogusError>().is_some(),
            "exception not properly restored"
        );
    }
    struct BogusError;
}

#[test]
fn test_ref_created_during_del() {
    // Python lets `__del__` make a weak reference to `self`. In Rust, `Drop::drop`
    // gets `&mut self`, and no `Rc` to a dying value exists to downgrade: the case
    // cannot be written. What can: a destructor that makes weak references, with
    // callbacks, to *other* objects.
    let log = Log::new();
    let survivor = Rc::new(C);
    let made: StdRc<RefCell<Vec<Weak<C>>>> = StdRc::new(RefCell::new(Vec::new()));
    struct Target {
        other: Rc<C>,
        made: StdRc<RefCell<Vec<Weak<C>>>>,
        log: Log,
    }
    impl Drop for Target {
        fn drop(&mut self) {
            let log = self.log.clone();
            self.made
                .borrow_mut()
                .push(Rc::downgrade_with(&self.other, move |_| {
                    log.push("other died")
                }));
        }
    }
    let w = Rc::new(Target {
        other: survivor.clone(),
        made: made.clone(),
        log: log.clone(),
    });
    drop(w);
    assert_eq!(made.borrow().len(), 1);
    drop(survivor);
    assert_eq!(log.get(), ["other died"]);
}

#[test]
fn test_classes() {
    // The callback gets the reference itself once the referent is gone:
    // `a = ref(A, l.append)`, then `l == [a]`.
    let l: StdRc<RefCell<Vec<Weak<C>>>> = StdRc::new(RefCell::new(Vec::new()));
    let class_a = Rc::new(C);
    let sink = l.clone();
    let a = Rc::downgrade_with(&class_a, move |r| sink.borrow_mut().push(r.clone()));
    drop(class_a);
    assert!(a.upgrade().is_none());
    let l = l.borrow();
    assert_eq!(l.len(), 1);
    assert!(Weak::ref_eq(&l[0], &a));
}

#[test]
fn test_equality() {
    // Alive weak references defer equality to their referents.
    let x = Rc::new(Object(1));
    let y = Rc::new(Object(1));
    let z = Rc::new(Object(2));
    let a = Rc::downgrade(&x);
    let b = Rc::downgrade(&y);
    let c = Rc::downgrade(&z);
    let d = Rc::downgrade(&x);
    assert!(a == b);
    assert!(!(a != b));
    assert!(!(a == c));
    assert!(a != c);
    assert!(a == d);
    assert!(!(a != d));
    // (`a == x` compares a `Weak` with an `Rc`: a type error in Rust, not `False`.)
    drop((x, y, z));
    for r in [&a, &b, &c] {
        assert!(r.upgrade().is_none());
    }
    // Dead weak references compare by identity.
    assert!(!(a == b));
    assert!(a != b);
    assert!(!(a == c));
    assert!(a != c);
    assert_eq!(a == d, Weak::ref_eq(&a, &d));
    assert_eq!(a != d, !Weak::ref_eq(&a, &d));
    // Callback references are distinct objects: equal to each other only by value.
    let v = Rc::new(Object(3));
    let e = Rc::downgrade_with(&v, |_| ());
    let f = Rc::downgrade_with(&v, |_| ());
    assert!(e == f);
    drop(v);
    assert!(e != f && e == e.clone());
}

// test_ordering: weak references cannot be ordered, alive or dead. In Rust that is a
// compile error; see the `compile_fail` example on `weakrefs::rc::Weak`.
//
// test_hashing: Python caches the referent's hash in the reference so that a dead
// reference still hashes. Rust's `Hash` is generic over the hasher, so no value can be
// cached; `Weak` does not implement `Hash` (as in std). Documented on `Weak`; the weak
// collections of issue #4 store hashes themselves.

#[test]
fn test_callback_attribute() {
    let x = Rc::new(Object(1));
    let ref1 = Rc::downgrade_with(&x, |_| ());
    assert!(ref1.has_callback());
    let ref2 = Rc::downgrade(&x);
    assert!(!ref2.has_callback());
}

#[test]
fn test_callback_attribute_after_deletion() {
    let x = Rc::new(Object(2));
    let ref1 = Rc::downgrade_with(&x, |_| ());
    assert!(ref1.has_callback());
    drop(x);
    assert!(!ref1.has_callback());
}

// test_set_callback_attribute: `__callback__` is read-only. `has_callback` has no
// setter: a callback can only be given at creation.

#[test]
fn test_subclass_refs_dont_replace_standard_refs() {
    // Callback references are never shared with the plain one, and `getweakrefs`
    // lists the plain reference first.
    let o = Rc::new(Object(42));
    let r1 = Rc::downgrade_with(&o, |_| ());
    let r2 = Rc::downgrade(&o);
    assert!(!Weak::ref_eq(&r1, &r2));
    let refs = Rc::weakrefs(&o);
    assert!(Weak::ref_eq(&refs[0], &r2));
    assert!(Weak::ref_eq(&refs[1], &r1));
    assert_eq!(Rc::weakref_count(&o), 2);
    let r3 = Rc::downgrade_with(&o, |_| ());
    assert_eq!(Rc::weakref_count(&o), 3);
    let refs = Rc::weakrefs(&o);
    assert!(Weak::ref_eq(&refs[0], &r2));
    assert!(Weak::ref_eq(&refs[1], &r3));
    assert!(Weak::ref_eq(&refs[2], &r1));
}

#[test]
fn test_subclass_refs_dont_conflate_callbacks() {
    let o = Rc::new(Object(42));
    let r1 = Rc::downgrade_with(&o, |_| ());
    let r2 = Rc::downgrade_with(&o, |_| ());
    assert!(!Weak::ref_eq(&r1, &r2));
    let refs = Rc::weakrefs(&o);
    assert_eq!(refs.len(), 2);
    assert!(refs.iter().any(|r| Weak::ref_eq(r, &r1)));
    assert!(refs.iter().any(|r| Weak::ref_eq(r, &r2)));
}

#[test]
fn test_subclass_refs_with_cycle() {
    // A reference (here: its callback) holds the only strong reference to its own
    // referent; deleting the reference must run no callback. Once with one such
    // reference, once with two.
    for n in [1, 2] {
        let count = StdRc::new(Cell::new(0));
        let a = Rc::new(C);
        let mut refs = Vec::new();
        for _ in 0..n {
            let (keep, c) = (a.clone(), count.clone());
            refs.push(Rc::downgrade_with(&a, move |_| {
                let _ = &keep;
                c.set(c.get() + 1);
            }));
        }
        drop(a);
        drop(refs);
        assert_eq!(count.get(), 0, "with {n} reference(s)");
    }
}

#[test]
fn test_simple_finalization() {
    // test_finalization.SimpleFinalizationTest.test_simple: the destructor runs once,
    // the weak reference is dead after the last strong reference goes.
    let log = Log::new();
    let obj = Rc::new(common::Noisy::new("obj", &log));
    let wr = Rc::downgrade(&obj);
    drop(obj);
    assert_eq!(log.get(), ["drop obj"]);
    assert!(wr.upgrade().is_none());
}

// test_simple_resurrect: Python's `__del__` may store `self` somewhere and so revive
// the object. A Rust destructor cannot: it gets `&mut self` of a value whose strong
// count is already zero, and no API turns that into a new strong reference.

#[test]
fn panic_message_names_the_referent_type() {
    let ((), reports) = common::capture_reports(|| {
        let o = Rc::new(Object(1));
        let _w = Rc::downgrade_with(&o, |_| panic!("{EXPECTED}: named"));
        drop(o);
    });
    assert_eq!(reports.len(), 1);
    assert!(reports[0].2.ends_with("Object"), "{:?}", reports[0]);
}
