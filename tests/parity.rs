//! Parity with `std::rc`: each scenario is written once, as a macro over the module
//! that provides `Rc` and `Weak`, run against `std::rc` and `weakrefs::rc`, and the two
//! traces must be equal. A trace records every observable result (counts, upgrades,
//! values, comparisons, drops).

use std::cell::RefCell;
use std::rc::Rc as StdRc;

type Trace = StdRc<RefCell<Vec<String>>>;

struct Tracked {
    name: &'static str,
    trace: Trace,
}

impl Drop for Tracked {
    fn drop(&mut self) {
        self.trace.borrow_mut().push(format!("drop {}", self.name));
    }
}

macro_rules! scenario {
    ($name:ident, |$rc:ident, $t:ident| $body:block) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            fn run_std() -> Vec<String> {
                let $t: Trace = Default::default();
                {
                    #[allow(unused_imports)]
                    use std::rc as $rc;
                    $body
                }
                let out = $t.borrow().clone();
                out
            }

            fn run_weakref() -> Vec<String> {
                let $t: Trace = Default::default();
                {
                    #[allow(unused_imports)]
                    use weakrefs::rc as $rc;
                    $body
                }
                let out = $t.borrow().clone();
                out
            }

            #[test]
            fn same_as_std() {
                let std_trace = run_std();
                assert!(!std_trace.is_empty(), "the scenario records something");
                assert_eq!(run_weakref(), std_trace);
            }
        }
    };
}

macro_rules! log {
    ($t:ident, $($arg:tt)*) => { $t.borrow_mut().push(format!($($arg)*)) };
}

scenario!(counts_through_clone_downgrade_and_drop, |rc, t| {
    let a = rc::Rc::new(Tracked {
        name: "a",
        trace: t.clone(),
    });
    log!(
        t,
        "strong {} weak {}",
        rc::Rc::strong_count(&a),
        rc::Rc::weak_count(&a)
    );
    let b = rc::Rc::clone(&a);
    let w1 = rc::Rc::downgrade(&a);
    let w2 = w1.clone();
    log!(
        t,
        "strong {} weak {}",
        rc::Rc::strong_count(&a),
        rc::Rc::weak_count(&a)
    );
    log!(t, "w strong {} weak {}", w1.strong_count(), w1.weak_count());
    log!(
        t,
        "ptr_eq {} {}",
        rc::Rc::ptr_eq(&a, &b),
        rc::Weak::ptr_eq(&w1, &w2)
    );
    drop(a);
    log!(t, "upgrade {}", w1.upgrade().is_some());
    drop(b);
    log!(t, "upgrade {}", w1.upgrade().is_some());
    log!(t, "w strong {} weak {}", w2.strong_count(), w2.weak_count());
    drop(w1);
    drop(w2);
});

scenario!(dangling_weak, |rc, t| {
    let w: rc::Weak<Tracked> = rc::Weak::new();
    log!(
        t,
        "upgrade {} strong {} weak {}",
        w.upgrade().is_some(),
        w.strong_count(),
        w.weak_count()
    );
    let w2 = w.clone();
    log!(t, "ptr_eq {}", rc::Weak::ptr_eq(&w, &w2));
    let d: rc::Weak<Tracked> = Default::default();
    log!(t, "default upgrade {}", d.upgrade().is_some());
});

scenario!(try_unwrap_into_inner_unwrap_or_clone, |rc, t| {
    let a = rc::Rc::new(String::from("x"));
    let w = rc::Rc::downgrade(&a);
    let b = a.clone();
    let a = rc::Rc::try_unwrap(a).unwrap_err();
    log!(
        t,
        "after failed try_unwrap strong {}",
        rc::Rc::strong_count(&a)
    );
    log!(t, "into_inner {:?}", rc::Rc::into_inner(a));
    log!(t, "unwrap_or_clone {}", rc::Rc::unwrap_or_clone(b));
    log!(t, "weak after {}", w.upgrade().is_some());
    let c = rc::Rc::new(7);
    log!(t, "try_unwrap {:?}", rc::Rc::try_unwrap(c));
    let d = rc::Rc::new(vec![1, 2]);
    let e = d.clone();
    log!(t, "unwrap_or_clone shared {:?}", rc::Rc::unwrap_or_clone(d));
    log!(t, "still {:?}", e);
});

scenario!(get_mut_and_make_mut, |rc, t| {
    let mut a = rc::Rc::new(5);
    log!(t, "get_mut {:?}", rc::Rc::get_mut(&mut a).map(|v| *v));
    *rc::Rc::get_mut(&mut a).unwrap() += 1;
    let w = rc::Rc::downgrade(&a);
    log!(
        t,
        "get_mut with weak {:?}",
        rc::Rc::get_mut(&mut a).is_some()
    );
    *rc::Rc::make_mut(&mut a) += 10;
    log!(
        t,
        "value {} weak alive {} weak_count {}",
        *a,
        w.upgrade().is_some(),
        rc::Rc::weak_count(&a)
    );
    let b = a.clone();
    *rc::Rc::make_mut(&mut a) += 100;
    log!(
        t,
        "a {} b {} strong {} {}",
        *a,
        *b,
        rc::Rc::strong_count(&a),
        rc::Rc::strong_count(&b)
    );
    log!(
        t,
        "get_mut unique {:?}",
        rc::Rc::get_mut(&mut a).map(|v| *v)
    );
});

scenario!(new_cyclic_self_reference, |rc, t| {
    struct Node {
        me: rc::Weak<Node>,
        _tracked: Tracked,
    }
    let seen_during = std::cell::Cell::new(true);
    let node = rc::Rc::new_cyclic(|me| {
        seen_during.set(me.upgrade().is_some());
        Node {
            me: me.clone(),
            _tracked: Tracked {
                name: "node",
                trace: t.clone(),
            },
        }
    });
    log!(
        t,
        "during {} after {}",
        seen_during.get(),
        node.me.upgrade().is_some()
    );
    log!(
        t,
        "strong {} weak {}",
        rc::Rc::strong_count(&node),
        rc::Rc::weak_count(&node)
    );
    let me = node.me.clone();
    drop(node);
    log!(t, "after drop {}", me.upgrade().is_some());
});

scenario!(raw_round_trips, |rc, t| {
    let a = rc::Rc::new(Tracked {
        name: "raw",
        trace: t.clone(),
    });
    let ptr = rc::Rc::into_raw(a);
    // SAFETY: `ptr` came from `into_raw` just above and is used once.
    let a = unsafe { rc::Rc::from_raw(ptr) };
    log!(t, "same {}", std::ptr::eq(rc::Rc::as_ptr(&a), ptr));
    // SAFETY: `ptr` came from `into_raw` and its allocation is alive (`a`).
    unsafe { rc::Rc::increment_strong_count(ptr) };
    log!(t, "strong {}", rc::Rc::strong_count(&a));
    // SAFETY: as above; this gives back the count just taken.
    unsafe { rc::Rc::decrement_strong_count(ptr) };
    log!(t, "strong {}", rc::Rc::strong_count(&a));
    let w = rc::Rc::downgrade(&a);
    log!(t, "as_ptr {}", std::ptr::eq(w.as_ptr(), ptr));
    let wp = w.into_raw();
    // SAFETY: `wp` came from `Weak::into_raw` just above and is used once.
    let w = unsafe { rc::Weak::from_raw(wp) };
    log!(
        t,
        "weak back {} weak_count {}",
        w.upgrade().is_some(),
        rc::Rc::weak_count(&a)
    );
    drop(a);
    log!(t, "dead {}", w.upgrade().is_none());
    let dangling: rc::Weak<Tracked> = rc::Weak::new();
    let dp = dangling.into_raw();
    // SAFETY: as above.
    let dangling = unsafe { rc::Weak::from_raw(dp) };
    log!(t, "dangling back {}", dangling.upgrade().is_none());
});

scenario!(trait_impls_delegate_to_the_value, |rc, t| {
    use std::collections::hash_map::DefaultHasher;
    use std::hash::{Hash, Hasher};
    let a = rc::Rc::new(3);
    let b = rc::Rc::new(4);
    let hash = |v: &dyn Fn(&mut DefaultHasher)| {
        let mut h = DefaultHasher::new();
        v(&mut h);
        h.finish()
    };
    log!(
        t,
        "eq {} ne {} lt {} cmp {:?}",
        a == b,
        a != b,
        a < b,
        a.cmp(&b)
    );
    log!(
        t,
        "partial_cmp {:?} max {}",
        a.partial_cmp(&b),
        std::cmp::max(a.clone(), b.clone())
    );
    log!(
        t,
        "hash same {}",
        hash(&|h| a.hash(h)) == hash(&|h| 3.hash(h))
    );
    log!(t, "display {} debug {:?}", a, b);
    log!(
        t,
        "pointer is as_ptr {}",
        format!("{:p}", a) == format!("{:p}", rc::Rc::as_ptr(&a))
    );
    let d: rc::Rc<String> = Default::default();
    let f: rc::Rc<u8> = rc::Rc::from(9u8);
    let r: &i32 = a.as_ref();
    let bo: &i32 = std::borrow::Borrow::borrow(&a);
    log!(t, "default {:?} from {} as_ref {} borrow {}", d, f, r, bo);
    let p = rc::Rc::pin(5);
    log!(t, "pin {}", *p);
});

scenario!(drop_order_in_a_tree, |rc, t| {
    struct Tree {
        _label: Tracked,
        _children: Vec<rc::Rc<Tree>>,
    }
    let leaf = |name, t: &Trace| {
        rc::Rc::new(Tree {
            _label: Tracked {
                name,
                trace: t.clone(),
            },
            _children: vec![],
        })
    };
    let shared = leaf("shared", &t);
    let left = rc::Rc::new(Tree {
        _label: Tracked {
            name: "left",
            trace: t.clone(),
        },
        _children: vec![shared.clone(), leaf("l2", &t)],
    });
    let root = rc::Rc::new(Tree {
        _label: Tracked {
            name: "root",
            trace: t.clone(),
        },
        _children: vec![left, shared],
    });
    let weak_root = rc::Rc::downgrade(&root);
    drop(root);
    log!(t, "root alive {}", weak_root.upgrade().is_some());
});

#[test]
fn sizes_equal_std() {
    use std::mem::size_of;
    assert_eq!(
        size_of::<weakrefs::rc::Rc<u64>>(),
        size_of::<std::rc::Rc<u64>>()
    );
    assert_eq!(
        size_of::<weakrefs::rc::Weak<u64>>(),
        size_of::<std::rc::Weak<u64>>()
    );
    assert_eq!(
        size_of::<Option<weakrefs::rc::Rc<u64>>>(),
        size_of::<Option<std::rc::Rc<u64>>>()
    );
    assert_eq!(
        size_of::<Option<weakrefs::rc::Weak<u64>>>(),
        size_of::<Option<std::rc::Weak<u64>>>()
    );
    assert_eq!(size_of::<weakrefs::rc::Rc<[u8; 3]>>(), size_of::<usize>());
}
