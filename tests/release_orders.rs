//! Every order of releasing the handles of an object whose first registration houses
//! its registry (the host node): the object, a finalizer's handle, a weak reference
//! with a callback, a plain weak reference and a `weakrefs()` listing, in all 120
//! orders, with the finalizer or the callback as the host. Each payload is dropped
//! exactly once and the finalizer runs; under Miri, nothing leaks and nothing is used
//! after it is freed, whichever handle frees the allocation and its registry.

use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
use std::sync::Arc as Shared;

use weakrefs::rc::{finalize, Rc, Weak};

/// Counts its drops.
struct Tally(Shared<AtomicUsize>);

impl Drop for Tally {
    fn drop(&mut self) {
        self.0.fetch_add(1, SeqCst);
    }
}

fn permutations(n: usize) -> Vec<Vec<usize>> {
    if n == 0 {
        return vec![vec![]];
    }
    let mut out = Vec::new();
    for p in permutations(n - 1) {
        for i in 0..=p.len() {
            let mut q = p.clone();
            q.insert(i, n - 1);
            out.push(q);
        }
    }
    out
}

/// Five handles (object, finalizer handle, callback weak, plain weak, a weakrefs()
/// listing), released in every order, with the finalizer or the callback first
/// (the host). Each payload is dropped exactly once; the finalizer runs at most once.
#[test]
fn every_release_order_with_a_hosted_first_registration() {
    for finalizer_first in [true, false] {
        for order in permutations(5) {
            let ran = Shared::new(AtomicUsize::new(0));
            let dropped = Shared::new(AtomicUsize::new(0));
            let obj = Rc::new(String::from("x"));
            let mk_cb = |ran: &Shared<AtomicUsize>, dropped: &Shared<AtomicUsize>| {
                let (r, t) = (ran.clone(), Tally(dropped.clone()));
                move |w: &Weak<String>| {
                    let _t = &t;
                    assert!(w.upgrade().is_none());
                    r.fetch_add(1, SeqCst);
                }
            };
            let mk_fin = |ran: &Shared<AtomicUsize>, dropped: &Shared<AtomicUsize>| {
                let (r, t) = (ran.clone(), Tally(dropped.clone()));
                move |()| {
                    let _t = t;
                    r.fetch_add(100, SeqCst);
                }
            };
            let (fin, cb);
            if finalizer_first {
                fin = Some(finalize(&obj, mk_fin(&ran, &dropped), ()));
                cb = Some(Rc::downgrade_with(&obj, mk_cb(&ran, &dropped)));
            } else {
                cb = Some(Rc::downgrade_with(&obj, mk_cb(&ran, &dropped)));
                fin = Some(finalize(&obj, mk_fin(&ran, &dropped), ()));
            }
            let plain = Some(Rc::downgrade(&obj));
            let listing = Some(Rc::weakrefs(&obj));
            assert_eq!(Rc::weakref_count(&obj), 3);
            let mut slots: (Option<Rc<String>>, _, _, _, _) = (Some(obj), fin, cb, plain, listing);
            for &i in &order {
                match i {
                    0 => drop(slots.0.take()),
                    1 => drop(slots.1.take()),
                    2 => drop(slots.2.take()),
                    3 => drop(slots.3.take()),
                    _ => drop(slots.4.take()),
                }
            }
            assert_eq!(dropped.load(SeqCst), 2, "order {order:?}");
            // The finalizer always runs (the registration keeps itself alive).
            assert!(ran.load(SeqCst) >= 100, "order {order:?}");
        }
    }
}
