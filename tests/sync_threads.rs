//! `weakrefs::sync` across threads: where callbacks run, and every race issue #3 names,
//! each repeated with exact counts. (The same races are model-checked exhaustively,
//! on small instances, by `tests/loom.rs`.)

mod common;

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering::SeqCst};
use std::sync::{Arc as Shared, Barrier, Mutex};
use std::thread;

use common::Log;
use weakrefs::sync::{finalize, Arc, Weak};

/// Repetitions of each race: enough to hit interleavings natively, few under Miri.
const ROUNDS: usize = if cfg!(miri) { 4 } else { 300 };

/// Counts how often it is dropped: a callback's capture, to see it dropped once.
struct DropCount(Shared<AtomicUsize>);

impl Drop for DropCount {
    fn drop(&mut self) {
        self.0.fetch_add(1, SeqCst);
    }
}

#[test]
fn handles_are_send_and_sync() {
    fn assert_send_sync<X: Send + Sync>() {}
    assert_send_sync::<Arc<Mutex<u8>>>();
    assert_send_sync::<Weak<Mutex<u8>>>();
    assert_send_sync::<weakrefs::sync::Finalize<u8, String, u32>>();
}

#[test]
fn callbacks_and_finalizers_run_on_the_thread_that_drops_the_last_arc() {
    let log = Log::new();
    let obj = Arc::new(());
    let l = log.clone();
    let _w = Arc::downgrade_with(&obj, move |_| {
        l.push(format!("callback on {:?}", thread::current().name()));
    });
    let l = log.clone();
    finalize(
        &obj,
        move |()| l.push(format!("finalizer on {:?}", thread::current().name())),
        (),
    );
    let keep = obj.clone();
    drop(obj);
    thread::Builder::new()
        .name("dropper".into())
        .spawn(move || drop(keep))
        .unwrap()
        .join()
        .unwrap();
    assert_eq!(
        log.get(),
        [
            "finalizer on Some(\"dropper\")",
            "callback on Some(\"dropper\")"
        ]
    );
}

#[test]
fn weak_dropped_while_the_referent_dies_runs_or_cancels_exactly_once() {
    const REFS: usize = 4;
    let (mut ran_total, mut cancelled_total) = (0, 0);
    for _ in 0..ROUNDS {
        let ran = Shared::new(AtomicUsize::new(0));
        let dropped = Shared::new(AtomicUsize::new(0));
        let obj = Arc::new(0u64);
        let weaks: Vec<Weak<u64>> = (0..REFS)
            .map(|_| {
                let (r, d) = (ran.clone(), DropCount(dropped.clone()));
                Arc::downgrade_with(&obj, move |dead| {
                    let _capture = &d;
                    assert!(dead.upgrade().is_none());
                    r.fetch_add(1, SeqCst);
                })
            })
            .collect();
        let barrier = Shared::new(Barrier::new(2));
        let b = barrier.clone();
        let killer = thread::spawn(move || {
            b.wait();
            drop(obj);
        });
        barrier.wait();
        drop(weaks);
        killer.join().unwrap();
        // Every closure is dropped exactly once, whether it ran or was cancelled.
        assert_eq!(dropped.load(SeqCst), REFS);
        let ran = ran.load(SeqCst);
        assert!(ran <= REFS);
        ran_total += ran;
        cancelled_total += REFS - ran;
    }
    eprintln!("over {ROUNDS} rounds: {ran_total} callbacks ran, {cancelled_total} cancelled");
}

#[test]
fn upgrade_racing_the_last_drop_never_revives() {
    struct Watched(Shared<AtomicBool>);
    impl Drop for Watched {
        fn drop(&mut self) {
            assert!(!self.0.swap(true, SeqCst), "dropped twice");
        }
    }
    for _ in 0..ROUNDS {
        let dead = Shared::new(AtomicBool::new(false));
        let obj = Arc::new(Watched(dead.clone()));
        let weak = Arc::downgrade(&obj);
        let barrier = Shared::new(Barrier::new(2));
        let b = barrier.clone();
        let d = dead.clone();
        let upgrader = thread::spawn(move || {
            b.wait();
            for _ in 0..50 {
                match weak.upgrade() {
                    Some(_alive) => assert!(!d.load(SeqCst), "upgraded a dropped value"),
                    None => return,
                }
            }
        });
        barrier.wait();
        drop(obj);
        upgrader.join().unwrap();
        assert!(dead.load(SeqCst));
    }
}

#[test]
fn into_inner_on_two_threads_gives_the_value_to_exactly_one() {
    for _ in 0..ROUNDS {
        let log = Log::new();
        let a = Arc::new(String::from("value"));
        let l = log.clone();
        let _w = Arc::downgrade_with(&a, move |_| l.push("callback"));
        let b = a.clone();
        let barrier = Shared::new(Barrier::new(2));
        let bb = barrier.clone();
        let other = thread::spawn(move || {
            bb.wait();
            Arc::into_inner(b)
        });
        barrier.wait();
        let mine = Arc::into_inner(a);
        let theirs = other.join().unwrap();
        assert!(mine.is_some() != theirs.is_some(), "exactly one gets it");
        assert_eq!(mine.or(theirs).as_deref(), Some("value"));
        assert_eq!(log.get(), ["callback"]);
    }
}

#[test]
fn finalizer_call_racing_the_death_runs_it_once() {
    for _ in 0..ROUNDS {
        let runs = Shared::new(AtomicUsize::new(0));
        let obj = Arc::new(());
        let r = runs.clone();
        let f = finalize(&obj, move |()| r.fetch_add(1, SeqCst), ());
        let barrier = Shared::new(Barrier::new(2));
        let b = barrier.clone();
        let caller = thread::spawn(move || {
            b.wait();
            f.call()
        });
        barrier.wait();
        drop(obj);
        let result = caller.join().unwrap();
        assert_eq!(runs.load(SeqCst), 1);
        // The explicit call returns the result only if it was the one that ran it.
        assert!(result.is_none() || result == Some(0));
    }
}

#[test]
fn detach_racing_call_hands_back_the_args_only_if_not_run() {
    for _ in 0..ROUNDS {
        let runs = Shared::new(AtomicUsize::new(0));
        let obj = Arc::new(());
        let r = runs.clone();
        let f = finalize(
            &obj,
            move |token: String| r.fetch_add(token.len(), SeqCst),
            "once".to_owned(),
        );
        let g = f.clone();
        let barrier = Shared::new(Barrier::new(2));
        let b = barrier.clone();
        let caller = thread::spawn(move || {
            b.wait();
            g.call()
        });
        barrier.wait();
        let detached = f.detach();
        let called = caller.join().unwrap();
        assert!(
            detached.is_some() != called.is_some(),
            "exactly one of them won"
        );
        assert_eq!(runs.load(SeqCst), if called.is_some() { 4 } else { 0 });
        if let Some((_, args)) = detached {
            assert_eq!(args, "once");
        }
        assert!(!f.alive());
        drop(obj);
        assert_eq!(
            runs.load(SeqCst),
            if called.is_some() { 4 } else { 0 },
            "not run again by the death"
        );
    }
}

#[test]
fn three_threads_drop_strong_and_weak_refs_at_once() {
    for _ in 0..ROUNDS {
        let ran = Shared::new(AtomicUsize::new(0));
        let dropped = Shared::new(AtomicUsize::new(0));
        let obj = Arc::new(vec![1u8; 16]);
        let (r, d) = (ran.clone(), DropCount(dropped.clone()));
        let weak = Arc::downgrade_with(&obj, move |_| {
            let _capture = &d;
            r.fetch_add(1, SeqCst);
        });
        let r2 = ran.clone();
        let keep = Arc::downgrade_with(&obj, move |_| {
            r2.fetch_add(1, SeqCst);
        });
        let clone = obj.clone();
        let barrier = Shared::new(Barrier::new(3));
        let (b1, b2) = (barrier.clone(), barrier.clone());
        let t1 = thread::spawn(move || {
            b1.wait();
            drop(clone);
        });
        let t2 = thread::spawn(move || {
            b2.wait();
            drop(weak);
        });
        barrier.wait();
        drop(obj);
        t1.join().unwrap();
        t2.join().unwrap();
        assert_eq!(
            dropped.load(SeqCst),
            1,
            "the racing weak's closure dropped once"
        );
        let ran = ran.load(SeqCst);
        assert!(
            (1..=2).contains(&ran),
            "the kept weak's callback ran; the other ran or not"
        );
        assert!(!keep.has_callback() && keep.upgrade().is_none());
    }
}

#[test]
fn get_mut_is_never_unique_while_another_thread_holds_a_weak() {
    for _ in 0..ROUNDS {
        let mut a = Arc::new(0u32);
        let b = a.clone();
        let barrier = Shared::new(Barrier::new(2));
        let bb = barrier.clone();
        let t = thread::spawn(move || {
            bb.wait();
            let w = Arc::downgrade(&b);
            drop(b);
            w
        });
        barrier.wait();
        // Before the other thread drops its `Arc`, there are two; after, its `Weak`
        // exists (it was made first). So `get_mut` must never succeed here: the race
        // std's `Arc` closes by locking the weak count during the check.
        assert!(Arc::get_mut(&mut a).is_none());
        let w = t.join().unwrap();
        assert!(Arc::get_mut(&mut a).is_none(), "a Weak exists");
        drop(w);
        assert!(
            Arc::get_mut(&mut a).is_some(),
            "unique once the Weak is gone"
        );
    }
}

/// std's `test_weak_count_locked`, in our words: one thread calls `get_mut` in a loop
/// (each call locks the weak count for an instant, and fails: another `Arc` exists)
/// while another reads `weak_count`, which must never see the lock as a count.
#[test]
fn weak_count_is_never_the_lock_while_get_mut_runs() {
    let calls = if cfg!(miri) { 200 } else { 1_000_000 };
    let mut a = Arc::new(AtomicBool::new(false));
    let reader = a.clone();
    let t = thread::spawn(move || {
        for _ in 0..calls {
            assert!(Arc::get_mut(&mut a).is_none());
        }
        a.store(true, SeqCst);
    });
    while !reader.load(SeqCst) {
        let n = Arc::weak_count(&reader);
        assert_eq!(n, 0, "weak_count returned {n} during a get_mut");
        std::hint::spin_loop();
    }
    t.join().unwrap();
}

/// The same with registrations: `downgrade_with` and `finalize` on one thread (each
/// object's first, so each inflates the weak word) while another calls `get_mut` on
/// the same object; the count must come out exact, whichever got there first.
#[test]
fn first_registrations_racing_get_mut_keep_exact_counts() {
    for round in 0..ROUNDS {
        let mut a = Arc::new(0u32);
        let b = a.clone();
        let barrier = Shared::new(Barrier::new(2));
        let bb = barrier.clone();
        let t = thread::spawn(move || {
            bb.wait();
            let w = Arc::downgrade_with(&b, |_| {});
            let f = finalize(&b, |()| (), ());
            drop(b);
            (w, f)
        });
        barrier.wait();
        for _ in 0..64 {
            let _ = Arc::get_mut(&mut a);
        }
        let (w, f) = t.join().unwrap();
        // The callback's `Weak`, the `Finalize` handle and the live registration.
        assert_eq!(Arc::weak_count(&a), 3, "round {round}");
        assert_eq!(Arc::weakref_count(&a), 2, "round {round}");
        assert!(Arc::get_mut(&mut a).is_none());
        drop(a);
        assert!(w.upgrade().is_none() && !f.alive());
    }
}

thread_local! {
    /// What the next `HookedKey::eq` on this thread runs before comparing.
    static ON_EQ: std::cell::RefCell<Option<Box<dyn FnOnce()>>> =
        const { std::cell::RefCell::new(None) };
}

/// A map key whose `Eq` runs a hook set for this thread, once.
#[derive(Clone, Debug)]
struct HookedKey(u32);

impl std::hash::Hash for HookedKey {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.0.hash(state);
    }
}

impl PartialEq for HookedKey {
    fn eq(&self, other: &Self) -> bool {
        if let Some(hook) = ON_EQ.with(|slot| slot.borrow_mut().take()) {
            hook();
        }
        self.0 == other.0
    }
}

impl Eq for HookedKey {}

/// Issue #9's deadlock: two threads, two maps. Each thread looks a key up in its own
/// map; that key's `Eq` (run under the map's lock) waits until the other thread is
/// in its own `Eq` too, then drops the last handle of a value stored in the *other*
/// map, whose removal callback needs that map, locked by the other thread. A removal
/// callback that waited for the lock deadlocked both threads; it must hand the
/// removal to the lock's holder instead.
#[test]
fn removals_crossing_two_maps_locked_by_two_threads_do_not_deadlock() {
    use weakrefs::sync::WeakValueMap;
    for round in 0..ROUNDS.min(50) {
        let maps = Shared::new([WeakValueMap::new(), WeakValueMap::new()]);
        let kept = [Arc::new(10u32), Arc::new(20u32)];
        let mut doomed = [Some(Arc::new(11u32)), Some(Arc::new(21u32))];
        for (i, map) in maps.iter().enumerate() {
            map.insert(HookedKey(1), kept[i].clone());
            map.insert(HookedKey(2), doomed[i].clone().unwrap());
        }
        let barrier = Shared::new(Barrier::new(2));
        let (done, finished) = std::sync::mpsc::channel();
        for mine in 0..2 {
            let (maps, barrier, done) = (maps.clone(), barrier.clone(), done.clone());
            // The value of the other map that this thread drops from inside its `Eq`.
            let theirs = doomed[1 - mine].take().unwrap();
            thread::spawn(move || {
                ON_EQ.with(|slot| {
                    *slot.borrow_mut() = Some(Box::new(move || {
                        barrier.wait();
                        drop(theirs);
                    }))
                });
                let found = maps[mine].get(&HookedKey(1)).map(|v| *v);
                done.send(found).unwrap();
            });
        }
        for _ in 0..2 {
            let found = finished
                .recv_timeout(std::time::Duration::from_secs(20))
                .unwrap_or_else(|_| {
                    // Keep the values alive: their deaths would block this thread too.
                    std::mem::forget(kept.clone());
                    panic!("round {round}: the two lookups deadlocked")
                });
            assert!(found == Some(10) || found == Some(20));
        }
        for (i, map) in maps.iter().enumerate() {
            assert_eq!(map.len(), 1, "round {round}: map {i} kept a dead entry");
            assert!(map.get(&HookedKey(2)).is_none());
        }
    }
}

#[test]
fn finalizers_and_callbacks_made_on_many_threads_for_one_object() {
    let obj = Arc::new(());
    let runs = Shared::new(AtomicUsize::new(0));
    let keep = Shared::new(Mutex::new(Vec::new()));
    let threads: Vec<_> = (0..4)
        .map(|_| {
            let (obj, runs, keep) = (obj.clone(), runs.clone(), keep.clone());
            thread::spawn(move || {
                for _ in 0..(ROUNDS / 10).max(2) {
                    let r = runs.clone();
                    finalize(&obj, move |()| r.fetch_add(1, SeqCst), ());
                    let r = runs.clone();
                    keep.lock()
                        .unwrap()
                        .push(Arc::downgrade_with(&obj, move |_| {
                            r.fetch_add(1, SeqCst);
                        }));
                }
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    let registered = Arc::weakref_count(&obj);
    assert_eq!(registered, 2 * 4 * (ROUNDS / 10).max(2));
    drop(obj);
    assert_eq!(runs.load(SeqCst), registered);
}

mod value_map {
    use super::*;
    use std::sync::mpsc;
    use weakrefs::sync::WeakValueMap;

    /// Values are dropped on this other thread, so their callbacks race the map's
    /// users (CPython's `collect_in_thread`).
    fn dropper() -> (mpsc::Sender<Arc<u64>>, thread::JoinHandle<()>) {
        let (tx, rx) = mpsc::channel::<Arc<u64>>();
        (tx, thread::spawn(move || rx.into_iter().for_each(drop)))
    }

    #[test]
    fn test_threaded_weak_valued_setdefault() {
        let map: WeakValueMap<i32, u64> = WeakValueMap::new();
        let (tx, dropper) = dropper();
        for i in 0..ROUNDS as u64 * 10 {
            let x = map.get_or_insert_with(&10, || Arc::new(i));
            assert!(
                *x <= i,
                "setdefault gave a value, the live one or the new one"
            );
            tx.send(x).unwrap();
        }
        drop(tx);
        dropper.join().unwrap();
        assert!(map.is_empty());
    }

    #[test]
    fn test_threaded_weak_valued_pop() {
        let map = WeakValueMap::new();
        let (tx, dropper) = dropper();
        for i in 0..ROUNDS as u64 * 10 {
            let v = Arc::new(i);
            map.insert(10, v.clone());
            let popped = map.remove(&10).expect("the value is alive: we hold it");
            assert!(Arc::ptr_eq(&popped, &v));
            tx.send(v).unwrap();
            tx.send(popped).unwrap();
        }
        drop(tx);
        dropper.join().unwrap();
    }

    #[test]
    fn test_threaded_weak_valued_consistency() {
        // bpo-28427: an old value dying on another thread never removes a newly
        // assigned value: with the new value alive, `len` is 1.
        let map = WeakValueMap::new();
        let (tx, dropper) = dropper();
        for i in 0..ROUNDS as u64 * 20 {
            let o = Arc::new(i);
            let old = map.value_refs();
            map.insert(10, o.clone());
            assert_eq!(map.len(), 1);
            assert!(Arc::ptr_eq(&map.get(&10).unwrap(), &o));
            drop(old);
            tx.send(o).unwrap();
        }
        drop(tx);
        dropper.join().unwrap();
        assert!(map.is_empty());
    }

    #[test]
    fn test_threaded_weak_value_dict_copy() {
        // bpo-35615: copying while another thread kills the entries raises nothing,
        // and the copy holds only values that were alive.
        let n = if cfg!(miri) { 50 } else { 20_000 };
        let values: Vec<Arc<u64>> = (0..n).map(Arc::new).collect();
        let map = WeakValueMap::new();
        for v in &values {
            map.insert(**v, v.clone());
        }
        let killer = thread::spawn(move || {
            let mut values = values;
            let mut i = 7usize;
            while !values.is_empty() {
                i = (i * 31 + 17) % values.len();
                drop(values.swap_remove(i));
            }
        });
        let copies: Vec<_> = (0..4).map(|_| map.clone()).collect();
        killer.join().unwrap();
        assert!(map.is_empty());
        assert!(
            copies.iter().all(WeakValueMap::is_empty),
            "copies hold weak references too"
        );
    }

    #[test]
    fn one_map_used_from_many_threads_while_values_die() {
        let map = Shared::new(WeakValueMap::new());
        let keep: Vec<Arc<u64>> = (0..16).map(Arc::new).collect();
        for v in &keep {
            map.insert(**v, v.clone());
        }
        let threads: Vec<_> = (0..4u64)
            .map(|t| {
                let map = map.clone();
                thread::spawn(move || {
                    for i in 0..(ROUNDS as u64 * 5) {
                        let key = 100 + t * 1_000_000 + i;
                        let v = Arc::new(key);
                        map.insert(key, v.clone());
                        assert!(Arc::ptr_eq(&map.get(&key).unwrap(), &v));
                        drop(v); // dies here: the entry goes
                        assert!(!map.contains_key(&key));
                        assert_eq!(*map.get(&(i % 16)).unwrap(), i % 16);
                    }
                })
            })
            .collect();
        for t in threads {
            t.join().unwrap();
        }
        assert_eq!(map.len(), 16);
        drop(keep);
        assert_eq!(map.len(), 0);
    }
}

mod key_map {
    use super::*;
    use weakrefs::sync::{PtrWeakSet, WeakKeyMap, WeakSet};

    #[test]
    fn test_threaded_weak_key_dict_copy() {
        // bpo-35615: copying while another thread kills the keys raises nothing.
        let n = if cfg!(miri) { 50 } else { 20_000 };
        let keys: Vec<Arc<u64>> = (0..n).map(Arc::new).collect();
        let map = WeakKeyMap::new();
        for k in &keys {
            map.insert(k, **k * 2);
        }
        let killer = thread::spawn(move || {
            let mut keys = keys;
            let mut i = 7usize;
            while !keys.is_empty() {
                i = (i * 31 + 17) % keys.len();
                drop(keys.swap_remove(i));
            }
        });
        let copies: Vec<_> = (0..4).map(|_| map.clone()).collect();
        for copy in &copies {
            assert!(copy.iter().all(|(k, v)| v == *k * 2));
        }
        killer.join().unwrap();
        assert!(map.is_empty());
        assert!(copies.iter().all(WeakKeyMap::is_empty));
    }

    #[test]
    fn sets_used_from_many_threads_while_elements_die() {
        let set = Shared::new(WeakSet::new());
        let ptr_set = Shared::new(PtrWeakSet::new());
        let keep: Vec<Arc<u64>> = (0..8).map(Arc::new).collect();
        for k in &keep {
            set.add(k);
            ptr_set.add(k);
        }
        let threads: Vec<_> = (0..4u64)
            .map(|t| {
                let (set, ptr_set) = (set.clone(), ptr_set.clone());
                thread::spawn(move || {
                    for i in 0..(ROUNDS as u64 * 5) {
                        let x = Arc::new(1_000 + t * 1_000_000 + i);
                        assert!(set.add(&x) && ptr_set.add(&x));
                        assert!(set.contains(&x) && ptr_set.contains(&x));
                        drop(x);
                        assert!(set.contains(&(i % 8)));
                    }
                })
            })
            .collect();
        for t in threads {
            t.join().unwrap();
        }
        assert_eq!((set.len(), ptr_set.len()), (8, 8));
        drop(keep);
        assert_eq!((set.len(), ptr_set.len()), (0, 0));
    }
}

#[test]
fn collection_iterators_are_send_and_sync() {
    fn send_sync<T: Send + Sync>() {}
    send_sync::<weakrefs::sync::value_map::Iter<String, u32>>();
    send_sync::<weakrefs::sync::value_map::Drain<String, u32>>();
    send_sync::<weakrefs::sync::key_map::Iter<String, u32>>();
    send_sync::<weakrefs::sync::key_map::Drain<String, u32>>();
    send_sync::<weakrefs::sync::key_map::SetIter<String>>();
    send_sync::<weakrefs::sync::key_map::SetDrain<String>>();
    // And used from another thread.
    let map = weakrefs::sync::WeakValueMap::new();
    let value = Arc::new(5u32);
    map.insert("k".to_owned(), value.clone());
    let iter = map.iter();
    let got = std::thread::spawn(move || iter.map(|(k, v)| (k, *v)).collect::<Vec<_>>())
        .join()
        .unwrap();
    assert_eq!(got, [("k".to_owned(), 5)]);
}

/// A value whose `Drop` records what its map's `len` is at that moment.
struct LenProbe {
    map: Option<Shared<weakrefs::sync::WeakValueMap<u32, LenProbe>>>,
    seen: Shared<AtomicUsize>,
}

impl Drop for LenProbe {
    fn drop(&mut self) {
        if let Some(map) = self.map.take() {
            self.seen.store(map.len(), SeqCst);
        }
    }
}

#[test]
fn inside_a_dying_values_drop_its_entry_is_gone_while_another_thread_uses_the_map() {
    // The value dies while the other thread holds the map's lock: its removal is
    // handed over, and must be applied before the `len` its own `Drop` calls counts.
    let map = Shared::new(weakrefs::sync::WeakValueMap::new());
    let seen = Shared::new(AtomicUsize::new(0));
    let kept = Arc::new(LenProbe {
        map: None,
        seen: seen.clone(),
    });
    map.insert(2, kept.clone());
    let stop = Shared::new(AtomicBool::new(false));
    let reader = {
        let (map, stop) = (map.clone(), stop.clone());
        thread::spawn(move || {
            while !stop.load(SeqCst) {
                drop(map.get(&2));
            }
        })
    };
    let rounds = if cfg!(miri) { 20 } else { 500_000 };
    let mut counted_the_dead = 0;
    for _ in 0..rounds {
        let doomed = Arc::new(LenProbe {
            map: Some(map.clone()),
            seen: seen.clone(),
        });
        map.insert(1, doomed.clone());
        drop(doomed);
        if seen.load(SeqCst) != 1 {
            counted_the_dead += 1;
        }
    }
    stop.store(true, SeqCst);
    reader.join().unwrap();
    assert_eq!(
        counted_the_dead, 0,
        "len counted the dying entry, of {rounds}"
    );
    assert_eq!(map.len(), 1);
}
