//! Model checks of `weakrefs::sync` with loom: every interleaving of each race, not a
//! sample. Run with
//!
//! ```sh
//! RUSTFLAGS="--cfg loom" cargo test --release --test loom
//! ```
//!
//! Under `--cfg loom` the crate's atomics and mutexes are loom's, so these models
//! explore the real protocols of the shared core.
#![cfg(loom)]

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering::SeqCst};

use loom::sync::Arc as Shared;
use loom::thread;
use weakrefs::sync::{finalize, Arc, Weak};

/// Explores every interleaving (no preemption bound: these models are small enough
/// to be exhaustive in seconds). Prints how many there were, so that a model that
/// stopped exploring, and so checks nothing, is visible.
fn model(f: impl Fn() + Sync + Send + 'static) {
    model_bounded(None, f)
}

/// [`model`], exploring only the interleavings with at most `preemptions` preemptions
/// when that is `Some`: for a model too large to explore exhaustively in CI's time
/// (loom's authors find most bugs within two or three).
fn model_bounded(preemptions: Option<usize>, f: impl Fn() + Sync + Send + 'static) {
    let executions = std::sync::Arc::new(AtomicUsize::new(0));
    let counter = executions.clone();
    let mut builder = loom::model::Builder::new();
    builder.preemption_bound = preemptions;
    builder.check(move || {
        counter.fetch_add(1, SeqCst);
        f();
    });
    let n = executions.load(SeqCst);
    eprintln!(
        "{}: {n} interleavings",
        std::thread::current().name().unwrap_or("?")
    );
    assert!(n > 1, "the model explored a single interleaving");
}

/// Counts its drops, to check that a callback's closure is dropped exactly once.
struct DropCount(Shared<AtomicUsize>);

impl Drop for DropCount {
    fn drop(&mut self) {
        self.0.fetch_add(1, SeqCst);
    }
}

fn counted_callback(
    ran: &Shared<AtomicUsize>,
    dropped: &Shared<AtomicUsize>,
) -> impl FnOnce(&Weak<u32>) + Send + 'static {
    let (ran, capture) = (ran.clone(), DropCount(dropped.clone()));
    move |dead: &Weak<u32>| {
        let _capture = &capture;
        assert!(
            dead.upgrade().is_none(),
            "a callback saw its referent alive"
        );
        ran.fetch_add(1, SeqCst);
    }
}

#[test]
fn weak_dropped_while_the_referent_dies_cancels_or_runs_never_both() {
    model(|| {
        let (ran, dropped) = (
            Shared::new(AtomicUsize::new(0)),
            Shared::new(AtomicUsize::new(0)),
        );
        let obj = Arc::new(7u32);
        let weak = Arc::downgrade_with(&obj, counted_callback(&ran, &dropped));
        let t = thread::spawn(move || drop(weak));
        drop(obj);
        t.join().unwrap();
        assert_eq!(
            dropped.load(SeqCst),
            1,
            "the closure is dropped exactly once"
        );
        assert!(ran.load(SeqCst) <= 1);
    });
}

#[test]
fn upgrade_racing_the_last_drop_never_revives() {
    struct Watched(Shared<AtomicBool>);
    impl Drop for Watched {
        fn drop(&mut self) {
            assert!(!self.0.swap(true, SeqCst), "dropped twice");
        }
    }
    model(|| {
        let dead = Shared::new(AtomicBool::new(false));
        let obj = Arc::new(Watched(dead.clone()));
        let weak = Arc::downgrade(&obj);
        let d = dead.clone();
        let t = thread::spawn(move || {
            if let Some(alive) = weak.upgrade() {
                assert!(!d.load(SeqCst), "upgraded a dropped value");
                drop(alive);
            }
        });
        drop(obj);
        t.join().unwrap();
        assert!(dead.load(SeqCst));
    });
}

#[test]
fn into_inner_on_two_threads_gives_the_value_to_exactly_one() {
    model(|| {
        let a = Arc::new(5u32);
        let b = a.clone();
        let t = thread::spawn(move || Arc::into_inner(b));
        let mine = Arc::into_inner(a);
        let theirs = t.join().unwrap();
        assert!(mine.is_some() != theirs.is_some());
    });
}

#[test]
fn callbacks_run_once_when_the_last_two_arcs_drop_on_two_threads() {
    model(|| {
        let (ran, dropped) = (
            Shared::new(AtomicUsize::new(0)),
            Shared::new(AtomicUsize::new(0)),
        );
        let obj = Arc::new(1u32);
        let _weak = Arc::downgrade_with(&obj, counted_callback(&ran, &dropped));
        let other = obj.clone();
        let t = thread::spawn(move || drop(other));
        drop(obj);
        t.join().unwrap();
        assert_eq!(ran.load(SeqCst), 1);
        assert_eq!(dropped.load(SeqCst), 1);
    });
}

#[test]
fn three_threads_two_strong_drops_and_a_weak_drop() {
    model(|| {
        let (ran, dropped) = (
            Shared::new(AtomicUsize::new(0)),
            Shared::new(AtomicUsize::new(0)),
        );
        let obj = Arc::new(2u32);
        let weak = Arc::downgrade_with(&obj, counted_callback(&ran, &dropped));
        let other = obj.clone();
        let t1 = thread::spawn(move || drop(other));
        let t2 = thread::spawn(move || drop(weak));
        drop(obj);
        t1.join().unwrap();
        t2.join().unwrap();
        assert_eq!(dropped.load(SeqCst), 1);
        assert!(ran.load(SeqCst) <= 1);
    });
}

#[test]
fn registrations_racing_each_other_are_all_kept() {
    // Two threads register on one object at once (the first registration inflates
    // the weak word: both may try); both callbacks must run at the death.
    model(|| {
        let (ran, dropped) = (
            Shared::new(AtomicUsize::new(0)),
            Shared::new(AtomicUsize::new(0)),
        );
        let obj = Arc::new(3u32);
        let other = obj.clone();
        let (r, d) = (ran.clone(), dropped.clone());
        let t = thread::spawn(move || Arc::downgrade_with(&other, counted_callback(&r, &d)));
        let mine = Arc::downgrade_with(&obj, counted_callback(&ran, &dropped));
        let plain = Arc::downgrade(&obj);
        let theirs = t.join().unwrap();
        assert_eq!(Arc::weakref_count(&obj), 3);
        drop(obj);
        assert_eq!(ran.load(SeqCst), 2);
        assert!(
            plain.upgrade().is_none() && mine.upgrade().is_none() && theirs.upgrade().is_none()
        );
    });
}

#[test]
fn a_finalizer_and_a_callback_registered_at_once_both_run_once() {
    // The first registration's node may house the registry; a new node's state bits
    // (hosted, host, linked) are written with plain stores before any other thread
    // can reach it, and a finalizer joins its object's list before the exit list.
    // Whichever thread wins the inflation, nothing is lost, run twice or leaked.
    model(|| {
        let (ran, dropped) = (
            Shared::new(AtomicUsize::new(0)),
            Shared::new(AtomicUsize::new(0)),
        );
        let finalized = Shared::new(AtomicUsize::new(0));
        let obj = Arc::new(5u32);
        let other = obj.clone();
        let fin = finalized.clone();
        let t = thread::spawn(move || {
            let f = finalize(&other, move |()| fin.fetch_add(1, SeqCst), ());
            assert!(f.alive());
            drop(other);
        });
        let weak = Arc::downgrade_with(&obj, counted_callback(&ran, &dropped));
        t.join().unwrap();
        drop(obj);
        assert_eq!(ran.load(SeqCst), 1);
        assert_eq!(finalized.load(SeqCst), 1);
        drop(weak);
        assert_eq!(dropped.load(SeqCst), 1);
    });
}

#[test]
fn finalizer_call_racing_the_death_runs_once() {
    model(|| {
        let runs = Shared::new(AtomicUsize::new(0));
        let obj = Arc::new(4u32);
        let r = runs.clone();
        let f = finalize(&obj, move |()| r.fetch_add(1, SeqCst), ());
        let t = thread::spawn(move || f.call());
        drop(obj);
        t.join().unwrap();
        assert_eq!(runs.load(SeqCst), 1);
    });
}

#[test]
fn detach_racing_call_exactly_one_wins() {
    model(|| {
        let runs = Shared::new(AtomicUsize::new(0));
        let obj = Arc::new(5u32);
        let r = runs.clone();
        let f = finalize(&obj, move |n: usize| r.fetch_add(n, SeqCst), 1);
        let g = f.clone();
        let t = thread::spawn(move || g.call().is_some());
        let detached = f.detach().map(|(_, args)| args);
        let called = t.join().unwrap();
        assert!(detached.is_some() != called);
        assert_eq!(runs.load(SeqCst), usize::from(called));
        drop(obj);
        assert_eq!(
            runs.load(SeqCst),
            usize::from(called),
            "not run again by the death"
        );
    });
}

#[test]
fn get_mut_is_never_unique_while_a_weak_can_upgrade() {
    model(|| {
        let mut a = Arc::new(6u32);
        let b = a.clone();
        let t = thread::spawn(move || {
            let w = Arc::downgrade(&b);
            drop(b);
            w
        });
        // Two strong references, or one and a weak: never unique.
        assert!(Arc::get_mut(&mut a).is_none());
        let w = t.join().unwrap();
        assert!(Arc::get_mut(&mut a).is_none());
        drop(w);
        assert!(Arc::get_mut(&mut a).is_some());
    });
}

// The weak word's races (issue #8). Each of these failed on the code before the fix:
// a transition decoded one load of the word and compared-and-swapped against another,
// and inflation took the locked word for a count.

#[test]
fn weak_drop_racing_clones_loses_no_count() {
    // A `Weak` dropped while another thread clones its sibling three times: the
    // drop's first two exchanges fail (the first two clones), and its retry must not
    // decode one load and exchange against a later one (the third clone), losing that
    // clone's count.
    model(|| {
        let obj = Arc::new(8u32);
        let dropped = Arc::downgrade(&obj);
        let kept = Arc::downgrade(&obj);
        let t = thread::spawn(move || drop(dropped));
        let clones = (kept.clone(), kept.clone(), kept.clone());
        t.join().unwrap();
        assert_eq!(
            Arc::weak_count(&obj),
            4,
            "a weak reference was lost or added"
        );
        drop(clones);
        assert_eq!(Arc::weak_count(&obj), 1);
        drop(obj);
        assert!(kept.upgrade().is_none());
    });
}

#[test]
fn weak_drop_racing_inflation_keeps_the_registry() {
    // A `Weak` dropped while another thread clones its sibling twice (failing the
    // drop's two fast exchanges), then registers the object's first callback
    // (inflating the weak word): the drop must never write a thin count over the
    // registry pointer.
    model(|| {
        let (ran, dropped) = (
            Shared::new(AtomicUsize::new(0)),
            Shared::new(AtomicUsize::new(0)),
        );
        let obj = Arc::new(9u32);
        let gone = Arc::downgrade(&obj);
        let kept = Arc::downgrade(&obj);
        let t = thread::spawn(move || drop(gone));
        let clone = (kept.clone(), kept.clone());
        let with_callback = Arc::downgrade_with(&obj, counted_callback(&ran, &dropped));
        t.join().unwrap();
        assert_eq!(Arc::weakref_count(&obj), 2, "the registry was lost");
        assert_eq!(Arc::weak_count(&obj), 4);
        drop((clone, kept));
        drop(obj);
        assert_eq!(ran.load(SeqCst), 1, "the callback did not run");
        assert!(with_callback.upgrade().is_none());
        drop(with_callback);
        assert_eq!(dropped.load(SeqCst), 1);
    });
}

#[test]
fn registration_racing_get_mut_does_not_take_the_lock_for_a_count() {
    // `get_mut` holds the weak word locked for an instant; a callback registered on
    // another thread at that moment (the object's first: it inflates the word) must
    // wait for the unlock, not move the locked value into the registry as a count.
    model(|| {
        let (ran, dropped) = (
            Shared::new(AtomicUsize::new(0)),
            Shared::new(AtomicUsize::new(0)),
        );
        let mut a = Arc::new(10u32);
        let b = a.clone();
        let (r, d) = (ran.clone(), dropped.clone());
        let t = thread::spawn(move || {
            let w = Arc::downgrade_with(&b, counted_callback(&r, &d));
            drop(b);
            w
        });
        assert!(Arc::get_mut(&mut a).is_none() || Arc::strong_count(&a) == 1);
        let w = t.join().unwrap();
        assert_eq!(
            Arc::weak_count(&a),
            1,
            "the locked word was taken for a count"
        );
        assert!(Arc::get_mut(&mut a).is_none(), "unique while a weak exists");
        drop(a);
        assert_eq!(ran.load(SeqCst), 1);
        drop(w);
        assert_eq!(dropped.load(SeqCst), 1);
    });
}

#[test]
fn finalize_racing_get_mut_does_not_take_the_lock_for_a_count() {
    // As above with a finalizer, whose registration houses the registry.
    model(|| {
        let runs = Shared::new(AtomicUsize::new(0));
        let mut a = Arc::new(11u32);
        let b = a.clone();
        let r = runs.clone();
        let t = thread::spawn(move || {
            let f = finalize(&b, move |()| r.fetch_add(1, SeqCst), ());
            drop(b);
            f
        });
        let _ = Arc::get_mut(&mut a);
        let f = t.join().unwrap();
        assert_eq!(
            Arc::weak_count(&a),
            2,
            "the locked word was taken for a count"
        );
        drop(a);
        assert_eq!(runs.load(SeqCst), 1);
        assert!(!f.alive());
    });
}

#[test]
fn weak_count_read_during_get_mut_is_never_the_lock() {
    // std's `test_weak_count_locked`, as a model: the count read while another
    // thread's `get_mut` holds the word locked is the real count.
    model(|| {
        let mut a = Arc::new(12u32);
        let b = a.clone();
        let t = thread::spawn(move || Arc::weak_count(&b));
        let _ = Arc::get_mut(&mut a);
        let seen = t.join().unwrap();
        assert_eq!(seen, 0, "weak_count returned {seen}");
    });
}

// The weak collections' lock discipline (issue #9): a removal callback never waits
// for a table; it hands the removal to the lock's holder, which applies it before it
// is done.

/// A map key whose `Eq`, when it is the probe of a lookup, first drops the value it
/// carries (hashbrown compares `probe == stored`).
#[derive(Clone)]
struct DroppingKey(u32, std::sync::Arc<std::sync::Mutex<Option<Arc<u32>>>>);

impl DroppingKey {
    fn new(id: u32) -> Self {
        DroppingKey(id, Default::default())
    }

    fn dropping(id: u32, value: Arc<u32>) -> Self {
        DroppingKey(id, std::sync::Arc::new(std::sync::Mutex::new(Some(value))))
    }
}

impl PartialEq for DroppingKey {
    fn eq(&self, other: &Self) -> bool {
        let carried = self.1.lock().unwrap().take();
        drop(carried);
        self.0 == other.0
    }
}

impl Eq for DroppingKey {}

impl std::hash::Hash for DroppingKey {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.0.hash(state);
    }
}

#[test]
fn a_removal_racing_a_lookup_on_another_thread_is_never_left_behind() {
    model(|| {
        let map = Shared::new(weakrefs::sync::WeakValueMap::new());
        let (doomed, kept) = (Arc::new(1u32), Arc::new(2u32));
        map.insert(1, doomed.clone());
        map.insert(2, kept.clone());
        // The value's death (its removal callback) on one thread, a lookup holding
        // the lock on the other.
        let t = thread::spawn(move || drop(doomed));
        assert_eq!(map.get(&2).as_deref(), Some(&2));
        t.join().unwrap();
        // `len` counts before it applies anything: a removal left pending shows.
        assert_eq!(map.len(), 1, "a removal was left behind");
    });
}

#[test]
fn an_entry_removed_while_its_value_dies_is_taken_out_once() {
    // The death detaches the entry's removal node before the value's `Drop`
    // (`NodeList::detach_kind`), racing the release of that node's last handle by a
    // `remove` on the other thread: neither waits for the other, and the entry is gone
    // whichever comes first.
    // Exhaustively, this model does not finish in ten minutes; bounded at seven
    // preemptions it explores a few hundred thousand interleavings (376,724 at the
    // time of writing) in well under a minute.
    model_bounded(Some(7), || {
        let map = Shared::new(weakrefs::sync::WeakValueMap::new());
        let doomed = Arc::new(1u32);
        map.insert(1, doomed.clone());
        let m = map.clone();
        let t = thread::spawn(move || drop(m.remove(&1)));
        drop(doomed);
        t.join().unwrap();
        assert_eq!(map.len(), 0, "the entry was left behind");
    });
}

#[test]
fn a_callback_reference_dropped_by_a_removal_and_another_thread_runs_at_most_once() {
    // The key's entry holds a weak reference with a callback to the key; another
    // thread drops a clone of it while the key dies. The death pins the callback's
    // node while the removal drops the entry's handle (`pin_for_removals`), and takes
    // the last handle over if the other thread's went first: the callback runs once,
    // or, if the other thread's drop is the very last, is cancelled; it is dropped
    // exactly once either way.
    model(|| {
        let map = Shared::new(weakrefs::sync::WeakKeyMap::new());
        let key = Arc::new(1u32);
        let (ran, dropped) = (
            Shared::new(AtomicUsize::new(0)),
            Shared::new(AtomicUsize::new(0)),
        );
        let weak = Arc::downgrade_with(&key, counted_callback(&ran, &dropped));
        let clone = weak.clone();
        map.insert(&key, weak);
        let t = thread::spawn(move || drop(clone));
        drop(key);
        t.join().unwrap();
        assert_eq!(map.len(), 0, "the entry was left behind");
        assert!(ran.load(SeqCst) <= 1, "the callback ran twice");
        assert_eq!(dropped.load(SeqCst), 1, "the callback was not dropped once");
    });
}

#[test]
fn removals_crossing_two_maps_locked_by_two_threads_do_not_deadlock() {
    // Each thread looks up a key in its own map, and that lookup's `Eq` drops the last
    // handle of a value stored in the other map. Loom reports a deadlock if any
    // interleaving has one.
    // The largest model here: about 8.6 million interleavings, eight minutes on a
    // 2-core machine. (Bounded at four preemptions it already finds the deadlock of
    // the code before the fix.)
    let mut builder = loom::model::Builder::new();
    builder.preemption_bound = None;
    let executions = std::sync::Arc::new(AtomicUsize::new(0));
    let counter = executions.clone();
    builder.check(move || {
        counter.fetch_add(1, SeqCst);
        let maps = Shared::new([
            weakrefs::sync::WeakValueMap::new(),
            weakrefs::sync::WeakValueMap::new(),
        ]);
        let doomed = [Arc::new(10u32), Arc::new(20u32)];
        for (i, map) in maps.iter().enumerate() {
            map.insert(DroppingKey::new(1), doomed[i].clone());
        }
        let [first, second] = doomed;
        let m = maps.clone();
        let t = thread::spawn(move || drop(m[1].get(&DroppingKey::dropping(1, first))));
        drop(maps[0].get(&DroppingKey::dropping(1, second)));
        t.join().unwrap();
        assert_eq!(maps[0].len() + maps[1].len(), 0, "a dead entry was left");
    });
    let n = executions.load(SeqCst);
    eprintln!(
        "removals_crossing_two_maps_locked_by_two_threads_do_not_deadlock: {n} interleavings"
    );
    assert!(n > 1);
}

struct Receiver;

impl Receiver {
    fn answer(&self, (): ()) -> u32 {
        42
    }
}

#[test]
fn weak_method_callback_set_while_the_receiver_dies_runs_once() {
    // Issue #12: `with_callback` on one thread, the receiver's death on another. The
    // callback runs exactly once, whichever comes first (before the fix, a callback
    // stored just after the death had taken the empty slot never ran).
    model(|| {
        let receiver = Arc::new(Receiver);
        let method = weakrefs::sync::WeakMethod::new(&receiver, Receiver::answer);
        let ran = Shared::new(loom::sync::atomic::AtomicUsize::new(0));
        let t = thread::spawn(move || drop(receiver));
        let r = ran.clone();
        let method = method.with_callback(move |_| {
            r.fetch_add(1, SeqCst);
        });
        t.join().unwrap();
        assert_eq!(
            ran.load(SeqCst),
            1,
            "the callback ran {} times",
            ran.load(SeqCst)
        );
        assert_eq!(method.call(()), None);
    });
}

#[test]
fn a_finalizer_registered_while_a_listing_takes_handles_runs_once() {
    // `weakrefs` on another thread takes a handle on every linked node, the new
    // finalizer included as soon as it is in the object's list (before the exit
    // list); it then drops them. The finalizer runs once at the death.
    model(|| {
        let runs = Shared::new(AtomicUsize::new(0));
        let obj = Arc::new(1u32);
        let _first = Arc::downgrade_with(&obj, |_| {});
        let other = obj.clone();
        let t = thread::spawn(move || {
            let listed = Arc::weakrefs(&other);
            let n = listed.len();
            drop(listed);
            drop(other);
            n
        });
        let r = runs.clone();
        let f = finalize(&obj, move |()| r.fetch_add(1, SeqCst), ());
        let n = t.join().unwrap();
        // Up to 3: while a registration is half counted (its weak reference added,
        // its node handle not yet), the listing may take it for a plain weak
        // reference, and list one that does not exist (a snapshot anomaly that
        // predates this model; the other entries are the two registrations).
        assert!((1..=3).contains(&n), "listed {n}");
        assert!(f.alive());
        drop(obj);
        assert_eq!(runs.load(SeqCst), 1);
        assert!(!f.alive());
    });
}

#[test]
fn the_host_nodes_last_handle_racing_a_listings_drop_frees_once() {
    // The host node's last handle and a listing's handle on it released on two
    // threads after the death: whichever is last frees the target (and with it the
    // host's allocation) through the registry's count.
    model(|| {
        let obj = Arc::new(3u32);
        let w = Arc::downgrade_with(&obj, |_| {});
        let listed = Arc::weakrefs(&obj);
        let p = Arc::downgrade(&obj);
        drop(obj);
        let t = thread::spawn(move || drop(listed));
        drop(w);
        drop(p);
        t.join().unwrap();
    });
}
