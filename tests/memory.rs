//! Memory: what an object costs with and without callbacks, compared with std, and
//! that every scenario gives back every byte. A counting global allocator keeps
//! per-thread figures, so tests running in parallel do not disturb each other.

mod common;

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

use weakrefs::rc::{finalize, Rc};

struct Counting;

thread_local! {
    // Const-initialised, no destructor: usable from inside the allocator.
    static LIVE_BYTES: Cell<isize> = const { Cell::new(0) };
    static REQUESTED: Cell<usize> = const { Cell::new(0) };
}

// SAFETY: forwards every call to `System`, only counting sizes on the way.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let _ = LIVE_BYTES.try_with(|b| b.set(b.get() + layout.size() as isize));
        let _ = REQUESTED.try_with(|r| r.set(r.get() + layout.size()));
        // SAFETY: forwarded.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        let _ = LIVE_BYTES.try_with(|b| b.set(b.get() - layout.size() as isize));
        // SAFETY: forwarded.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// Bytes requested from the allocator while `f` runs, and bytes still held after.
fn measure<R>(f: impl FnOnce() -> R) -> (usize, isize, R) {
    let live_before = LIVE_BYTES.with(Cell::get);
    let requested_before = REQUESTED.with(Cell::get);
    let result = f();
    let requested = REQUESTED.with(Cell::get) - requested_before;
    let held = LIVE_BYTES.with(Cell::get) - live_before;
    (requested, held, result)
}

#[test]
fn an_object_without_callbacks_costs_what_std_costs() {
    let (std_bytes, _, std_rc) = measure(|| std::rc::Rc::new(0u64));
    let (our_bytes, _, our_rc) = measure(|| Rc::new(0u64));
    assert_eq!(our_bytes, std_bytes);
    assert_eq!(our_bytes, 24, "two counts and the value");
    // A plain weak reference allocates nothing, as in std.
    let (weak_bytes, _, weak) = measure(|| Rc::downgrade(&our_rc));
    assert_eq!(weak_bytes, 0);
    drop((std_rc, our_rc, weak));
}

#[test]
fn unsized_objects_cost_what_std_costs() {
    use std::fmt::Debug;
    let (std_bytes, _, std_rc) = measure(|| std::rc::Rc::<str>::from("seven b"));
    let (our_bytes, _, our_rc) = measure(|| Rc::<str>::from("seven b"));
    assert_eq!(our_bytes, std_bytes);
    assert_eq!(
        our_bytes, 24,
        "two counts and the bytes, padded to a word as std pads"
    );
    let (std_bytes, _, std_slice) = measure(|| std::rc::Rc::<[u64]>::from(&[1, 2, 3][..]));
    let (our_bytes, _, our_slice) = measure(|| Rc::<[u64]>::from(&[1, 2, 3][..]));
    assert_eq!(our_bytes, std_bytes);
    // Unsizing a handle allocates nothing; from a box, one allocation the size of
    // std's (the box is freed).
    let (unsize_bytes, _, shown) =
        measure(|| Rc::unsize(Rc::new([0u8; 5]), weakrefs::coercion!(dyn Debug)));
    assert_eq!(unsize_bytes, 24);
    let (std_bytes, std_held, std_dyn) =
        measure(|| std::rc::Rc::<dyn Debug>::from(Box::new([0u8; 5]) as Box<dyn Debug>));
    let (our_bytes, our_held, our_dyn) =
        measure(|| Rc::<dyn Debug>::from(Box::new([0u8; 5]) as Box<dyn Debug>));
    assert_eq!((our_bytes, our_held), (std_bytes, std_held));
    assert_eq!(our_held, 24);
    let (weak_bytes, _, weak) = measure(|| Rc::downgrade(&our_rc));
    assert_eq!(weak_bytes, 0);
    drop((
        std_rc, our_rc, std_slice, our_slice, shown, std_dyn, our_dyn,
    ));
    let (_, held, ()) = measure(|| drop(weak));
    assert_eq!(held, -24, "the last weak reference frees the allocation");
}

#[test]
fn callbacks_and_finalizers_pay_for_themselves_only() {
    let obj = Rc::new(0u64);
    let (first, _, w1) = measure(|| Rc::downgrade_with(&obj, |_| ()));
    let (second, _, w2) = measure(|| Rc::downgrade_with(&obj, |_| ()));
    assert!(
        first > second,
        "the first registration also allocates the side table"
    );
    assert!(second > 0);
    let (fin, _, f) = measure(|| finalize(&obj, |()| (), ()));
    assert!(fin > 0);
    eprintln!("first callback {first} B, next callback {second} B, finalizer {fin} B");
    drop((w1, w2, f, obj));
}

#[test]
fn every_death_path_gives_back_every_byte() {
    type Scenario = (&'static str, Box<dyn Fn()>);
    let scenarios: Vec<Scenario> = vec![
        (
            "plain",
            Box::new(|| {
                let a = Rc::new([0u8; 100]);
                let w = Rc::downgrade(&a);
                drop(a);
                drop(w);
            }),
        ),
        (
            "weak outlives",
            Box::new(|| {
                let a = Rc::new(String::from("x"));
                let w = Rc::downgrade_with(&a, |_| ());
                drop(a);
                assert!(w.upgrade().is_none());
            }),
        ),
        (
            "cancelled",
            Box::new(|| {
                let a = Rc::new(1);
                let w = Rc::downgrade_with(&a, |_| ());
                drop(w);
                drop(a);
            }),
        ),
        (
            "finalizers",
            Box::new(|| {
                let a = Rc::new(vec![1, 2, 3]);
                let f = finalize(&a, |v: Vec<u8>| v.len(), vec![1, 2]);
                finalize(&a, |()| (), ());
                let g = finalize(&a, |()| (), ());
                g.detach();
                drop(a);
                drop(f);
            }),
        ),
        (
            "try_unwrap",
            Box::new(|| {
                let a = Rc::new(String::from("moved"));
                let _w = Rc::downgrade_with(&a, |_| ());
                assert_eq!(Rc::try_unwrap(a).unwrap(), "moved");
            }),
        ),
        (
            "make_mut",
            Box::new(|| {
                let mut a = Rc::new(5);
                let _w = Rc::downgrade_with(&a, |_| ());
                *Rc::make_mut(&mut a) += 1;
            }),
        ),
        (
            "weakrefs listing",
            Box::new(|| {
                let a = Rc::new(());
                let _w = Rc::downgrade_with(&a, |_| ());
                let _p = Rc::downgrade(&a);
                let refs = Rc::weakrefs(&a);
                drop(a);
                drop(refs);
            }),
        ),
        (
            "map entries holding a callback reference and calling a finalizer",
            Box::new(|| {
                use std::cell::RefCell;
                type Slot = std::rc::Rc<RefCell<Option<weakrefs::rc::Finalize<u32, (), ()>>>>;
                // The entry's value calls the object's finalizer while the removals
                // of the object's death run, and holds a weak reference with a
                // callback to it: the death's pins on both go (review of #17). The
                // entry comes first, so that its node houses the registry and the
                // finalizer's is a node of its own.
                struct CallsOnDrop(Slot, #[allow(dead_code)] Vec<weakrefs::rc::Weak<u32>>);
                impl Drop for CallsOnDrop {
                    fn drop(&mut self) {
                        let finalizer = self.0.borrow_mut().take();
                        assert!(finalizer.unwrap().call().is_some());
                    }
                }
                let a = Rc::new(5u32);
                let map = weakrefs::rc::WeakKeyMap::new();
                let slot = Slot::default();
                let w = Rc::downgrade_with(&a, |_| ());
                map.insert(&a, CallsOnDrop(slot.clone(), vec![w]));
                *slot.borrow_mut() = Some(finalize(&a, |()| (), ()));
                drop(a);
                assert!(map.is_empty());
            }),
        ),
        (
            "panicking callback",
            Box::new(|| {
                let ((), _) = common::capture_reports(|| {
                    let a = Rc::new(());
                    let _w = Rc::downgrade_with(&a, |_| panic!("{}: leak check", common::EXPECTED));
                    drop(a);
                });
            }),
        ),
    ];
    // Warm up lazily allocated runtime state (panic machinery, thread-locals).
    for (_, scenario) in &scenarios {
        scenario();
    }
    for (name, scenario) in &scenarios {
        let (_, held, ()) = measure(scenario);
        assert_eq!(held, 0, "scenario {name:?} kept {held} bytes");
    }
}

/// Fills a new map with `n` live values, lets them all die, and returns (bytes the
/// map grew by while they lived, bytes it holds beyond an empty map afterwards).
fn fill_and_let_die(n: u64) -> (isize, isize) {
    use weakrefs::rc::WeakValueMap;
    let (_, _, map) = measure(WeakValueMap::<u64, u64>::new);
    let (_, grown, values) = measure(|| {
        let values: Vec<Rc<u64>> = (0..n).map(Rc::new).collect();
        for v in &values {
            map.insert(**v, v.clone());
        }
        values
    });
    assert_eq!(map.len() as u64, n);
    let (_, freed, ()) = measure(|| drop(values)); // every value dies: every entry goes
    assert_eq!(map.len(), 0);
    (grown, grown + freed)
}

#[test]
fn a_map_whose_values_all_died_holds_nothing_for_them() {
    let n: u64 = if cfg!(miri) { 300 } else { 1_000_000 };
    let (grown, held) = fill_and_let_die(n);
    let (_, held_small) = fill_and_let_die(100);
    eprintln!("{n} values: the map grew by {grown} bytes with them; after they all died it holds {held} bytes beyond an empty map");
    // The values, their references and the keys are all gone; what is left is the
    // smallest table the map shrinks back to (32 entries), the same however many
    // values died.
    assert_eq!(held, held_small);
    assert!(held < 2048, "{held} bytes");
}
