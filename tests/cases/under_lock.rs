// User code that runs while a weak collection is locked, or while it drops what it
// removed, for either flavour (issue #9): a key's `Hash`/`Eq`, a value's `Drop`, that
// drop other entries' last handles, insert, or panic. Nothing may deadlock, panic
// twice, or leave a dead entry behind. Included like `callbacks.rs`.

use std::hash::{Hash, Hasher};

/// Code a test runs from inside user code.
type Hook = Box<dyn FnOnce()>;

thread_local! {
    /// What the next `Hooked::eq` on this thread runs before comparing.
    static ON_EQ: std::cell::RefCell<Option<Hook>> = const { std::cell::RefCell::new(None) };
    /// What the next `Hooked::hash` on this thread runs before hashing.
    static ON_HASH: std::cell::RefCell<Option<Hook>> = const { std::cell::RefCell::new(None) };
}

/// A key whose `Eq` and `Hash` run a hook set for this thread, once.
#[derive(Debug, Clone)]
struct Hooked(i32);

fn on_next_eq(hook: impl FnOnce() + 'static) {
    ON_EQ.with(|slot| *slot.borrow_mut() = Some(Box::new(hook)));
}

fn on_next_hash(hook: impl FnOnce() + 'static) {
    ON_HASH.with(|slot| *slot.borrow_mut() = Some(Box::new(hook)));
}

impl PartialEq for Hooked {
    fn eq(&self, other: &Self) -> bool {
        if let Some(hook) = ON_EQ.with(|slot| slot.borrow_mut().take()) {
            hook();
        }
        self.0 == other.0
    }
}

impl Eq for Hooked {}

impl Hash for Hooked {
    fn hash<H: Hasher>(&self, state: &mut H) {
        if let Some(hook) = ON_HASH.with(|slot| slot.borrow_mut().take()) {
            hook();
        }
        self.0.hash(state);
    }
}

fn expected_panic() -> ! {
    panic!("{EXPECTED}: user code under a collection's lock")
}

#[test]
fn value_map_eq_that_drops_another_value_then_panics_leaves_no_dead_entry() {
    quiet_expected_panics();
    let map = WeakValueMap::new();
    let (one, two) = (Rc::new(1), Rc::new(2));
    map.insert(Hooked(1), one.clone());
    map.insert(Hooked(2), two.clone());
    // Under the lock, in the lookup's `Eq`: the last handle of entry 2's value goes,
    // then the `Eq` panics.
    on_next_eq(move || {
        drop(two);
        expected_panic();
    });
    let lookup = catch_unwind(AssertUnwindSafe(|| map.get(&Hooked(1))));
    assert!(lookup.is_err(), "the panic propagates");
    assert_eq!(map.len(), 1, "the dead entry was left in the map");
    assert!(map.get(&Hooked(2)).is_none());
    assert!(Rc::ptr_eq(&map.get(&Hooked(1)).unwrap(), &one), "the map still works");
}

#[test]
fn value_map_eq_that_drops_another_value_applies_the_removal_before_returning() {
    let map = WeakValueMap::new();
    let (one, two) = (Rc::new(1), Rc::new(2));
    map.insert(Hooked(1), one.clone());
    map.insert(Hooked(2), two.clone());
    on_next_eq(move || drop(two));
    assert!(map.contains_key(&Hooked(1)));
    assert_eq!(map.len(), 1);
    assert_eq!(Rc::weakref_count(&one), 1);
}

#[test]
fn value_map_hash_that_panics_in_insert_changes_nothing() {
    quiet_expected_panics();
    let map = WeakValueMap::new();
    let (one, two) = (Rc::new(1), Rc::new(2));
    map.insert(Hooked(1), one.clone());
    on_next_hash(|| expected_panic());
    let insert = catch_unwind(AssertUnwindSafe(|| map.insert(Hooked(2), two.clone())));
    assert!(insert.is_err());
    assert_eq!(map.len(), 1);
    assert_eq!(Rc::weakref_count(&two), 0, "the new entry's reference was not left behind");
    drop(two);
    assert_eq!(map.len(), 1);
}

#[test]
fn value_map_eq_that_uses_the_same_map_panics_clearly_and_the_map_survives() {
    quiet_expected_panics();
    let map = Rc::new(WeakValueMap::new());
    let one = Rc::new(1);
    map.insert(Hooked(1), one.clone());
    let inner = Rc::downgrade(&map);
    on_next_eq(move || {
        // Re-entrant use: a documented panic, not a deadlock or undefined behaviour.
        inner.upgrade().unwrap().len();
    });
    let lookup = catch_unwind(AssertUnwindSafe(|| map.get(&Hooked(1))));
    let payload = lookup.expect_err("the re-entrant use panics");
    let message = match payload.downcast_ref::<&str>() {
        Some(message) => message.to_string(),
        None => payload.downcast_ref::<String>().cloned().unwrap_or_default(),
    };
    assert!(message.contains("re-entrant use of a collection"), "{message}");
    assert_eq!(map.len(), 1);
    drop(one);
    assert_eq!(map.len(), 0);
}

#[test]
fn value_map_get_or_insert_with_whose_make_drops_and_inserts() {
    let map = Rc::new(WeakValueMap::new());
    let (one, two) = (Rc::new(1), Rc::new(2));
    map.insert(Hooked(1), one.clone());
    map.insert(Hooked(2), two.clone());
    let (m, also_one) = (map.clone(), one.clone());
    let three = Rc::new(3);
    let made = map.get_or_insert_with(&Hooked(3), move || {
        // `make` runs without the lock: it may use the map and drop its values.
        drop(two);
        m.insert(Hooked(4), also_one);
        three
    });
    assert_eq!(*made, 3);
    assert_eq!(map.len(), 3, "entries 1, 3 and 4; 2 died");
    assert!(map.get(&Hooked(2)).is_none());
}

#[test]
fn value_map_iteration_and_retain_that_drop_values_leave_no_dead_entry() {
    quiet_expected_panics();
    let map = WeakValueMap::new();
    let mut values: Vec<Option<Rc<i32>>> = (0..6).map(|i| Some(Rc::new(i))).collect();
    for (i, v) in values.iter().enumerate() {
        map.insert(Hooked(i as i32), v.clone().unwrap());
    }
    // Iteration walks a snapshot: values dropped meanwhile go at once.
    for (key, _) in map.iter() {
        if key.0 % 3 == 0 {
            values[(key.0 + 1) as usize % 6] = None;
        }
    }
    let alive = values.iter().flatten().count();
    assert_eq!(map.len(), alive);
    // `retain`'s predicate drops a value, then panics: what it dropped still goes.
    let victim = values.iter().position(Option::is_some).unwrap();
    let mut held = Some(values[victim].take());
    let retain = catch_unwind(AssertUnwindSafe(|| {
        map.retain(|_, _| {
            drop(held.take());
            expected_panic()
        })
    }));
    assert!(retain.is_err());
    assert_eq!(map.len(), values.iter().flatten().count());
}

#[test]
fn key_map_eq_that_drops_another_key_then_panics_leaves_no_dead_entry() {
    quiet_expected_panics();
    let map = WeakKeyMap::new();
    let (one, two) = (Rc::new(Hooked(1)), Rc::new(Hooked(2)));
    map.insert(&one, "one");
    map.insert(&two, "two");
    on_next_eq(move || {
        drop(two);
        expected_panic();
    });
    let lookup = catch_unwind(AssertUnwindSafe(|| map.get(&Hooked(1))));
    assert!(lookup.is_err());
    assert_eq!(map.len(), 1, "the dead entry was left in the map");
    assert_eq!(map.get(&Hooked(1)), Some("one"));
}

#[test]
fn weak_set_eq_that_drops_another_member_then_panics_leaves_no_dead_entry() {
    quiet_expected_panics();
    let set = WeakSet::new();
    let (one, two) = (Rc::new(Hooked(1)), Rc::new(Hooked(2)));
    set.add(&one);
    set.add(&two);
    on_next_eq(move || {
        drop(two);
        expected_panic();
    });
    let lookup = catch_unwind(AssertUnwindSafe(|| set.contains(&Hooked(1))));
    assert!(lookup.is_err());
    assert_eq!(set.len(), 1, "the dead entry was left in the set");
    assert!(set.contains(&Hooked(1)));
}

thread_local! {
    /// The hooks of the `OnDrop`s made on this thread, by id.
    static DROP_HOOKS: std::cell::RefCell<Vec<Option<Hook>>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// A value whose `Drop` runs a hook (kept by this thread, so that the value itself is
/// `Send + Sync` for the thread-safe flavour's maps).
struct OnDrop(usize);

impl OnDrop {
    fn new(hook: impl FnOnce() + 'static) -> Self {
        DROP_HOOKS.with(|hooks| {
            let mut hooks = hooks.borrow_mut();
            hooks.push(Some(Box::new(hook)));
            OnDrop(hooks.len() - 1)
        })
    }
}

impl Drop for OnDrop {
    fn drop(&mut self) {
        // Taken out first: the hook may drop other `OnDrop`s.
        let hook = DROP_HOOKS.with(|hooks| hooks.borrow_mut()[self.0].take());
        if let Some(hook) = hook {
            hook();
        }
    }
}

#[test]
fn key_map_clear_whose_values_drop_keys_insert_and_panic() {
    quiet_expected_panics();
    let map = Rc::new(WeakKeyMap::new());
    let keys: Vec<Rc<Hooked>> = (0..4).map(|i| Rc::new(Hooked(i))).collect();
    let late = Rc::new(Hooked(10));
    let (m, l) = (map.clone(), late.clone());
    // Dropped by `clear`, after the lock is released: inserts into the map.
    map.insert(&keys[0], OnDrop::new(move || drop(m.insert(&l, OnDrop::new(|| ())))));
    // Two values whose `Drop` panics: the first panic propagates once all are
    // dropped, the second is reported, and the process does not abort.
    map.insert(&keys[1], OnDrop::new(|| expected_panic()));
    map.insert(&keys[2], OnDrop::new(|| expected_panic()));
    map.insert(&keys[3], OnDrop::new(|| ()));
    let (cleared, reports) = capture_reports(|| catch_unwind(AssertUnwindSafe(|| map.clear())));
    assert!(cleared.is_err(), "the first panic propagates");
    assert_eq!(reports.len(), 1, "the second is reported: {reports:?}");
    assert_eq!(reports[0].0, PanicSource::EntryDrop);
    assert_eq!(map.len(), 1, "only the entry inserted during the clear");
    assert!(map.contains_key(&late));
    drop(late);
    assert!(map.is_empty());
}

#[test]
fn key_map_remove_during_a_panicking_lookup_keeps_counts_exact() {
    // The lookup's `Eq` drops two other keys (two removals handed over) and panics;
    // the map's values of those keys are dropped, exactly once each.
    quiet_expected_panics();
    let drops = Shared::new(AtomicUsize::new(0));
    let map = WeakKeyMap::new();
    let keys: Vec<Rc<Hooked>> = (0..3).map(|i| Rc::new(Hooked(i))).collect();
    for k in &keys {
        let d = drops.clone();
        map.insert(k, Rc::new(OnDrop::new(move || {
            d.fetch_add(1, SeqCst);
        })));
    }
    let mut keys = keys.into_iter();
    let first = keys.next().unwrap();
    let rest: Vec<_> = keys.collect();
    on_next_eq(move || {
        drop(rest);
        expected_panic();
    });
    assert!(catch_unwind(AssertUnwindSafe(|| map.get(&Hooked(0)))).is_err());
    assert_eq!(drops.load(SeqCst), 2);
    assert_eq!(map.len(), 1);
    drop(first);
    assert_eq!(drops.load(SeqCst), 3);
    assert!(map.is_empty());
}

/// A key whose `Eq` and `Hash` count their calls.
#[derive(Debug, Clone)]
struct Counted(i32, Shared<AtomicUsize>);

impl PartialEq for Counted {
    fn eq(&self, other: &Self) -> bool {
        self.1.fetch_add(1, SeqCst);
        self.0 == other.0
    }
}

impl Eq for Counted {}

impl Hash for Counted {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.1.fetch_add(1, SeqCst);
        self.0.hash(state);
    }
}

#[test]
fn value_map_removal_runs_none_of_the_keys_code() {
    // The entry of a dead value is found by its stored hash and its reference: its
    // removal (and the table's shrinking) calls neither `Hash` nor `Eq`.
    let calls = Shared::new(AtomicUsize::new(0));
    let map = WeakValueMap::new();
    let values: Vec<Rc<i32>> = (0..100).map(Rc::new).collect();
    for v in &values {
        map.insert(Counted(**v, calls.clone()), v.clone());
    }
    let after_inserts = calls.load(SeqCst);
    drop(values);
    assert_eq!(map.len(), 0);
    assert_eq!(calls.load(SeqCst), after_inserts, "a removal ran a key's code");
}

#[test]
fn key_map_removal_runs_none_of_the_keys_code() {
    let calls = Shared::new(AtomicUsize::new(0));
    let map = WeakKeyMap::new();
    let keys: Vec<Rc<Counted>> = (0..100).map(|i| Rc::new(Counted(i, calls.clone()))).collect();
    for k in &keys {
        map.insert(k, k.0);
    }
    let after_inserts = calls.load(SeqCst);
    drop(keys);
    assert!(map.is_empty());
    assert_eq!(calls.load(SeqCst), after_inserts, "a removal ran a key's code");
}

#[test]
fn value_map_extend_whose_hash_panics_midway_keeps_what_went_in() {
    quiet_expected_panics();
    let mut map = WeakValueMap::new();
    let values: Vec<Rc<i32>> = (0..4).map(Rc::new).collect();
    let entries: Vec<_> = values.iter().map(|v| (Hooked(**v), v.clone())).collect();
    let mut entries = entries.into_iter();
    let (first, second) = (entries.next().unwrap(), entries.next().unwrap());
    map.extend([first, second]);
    // The next key's `Hash` panics: the two before it stay, the rest never arrive.
    on_next_hash(|| expected_panic());
    let extend = catch_unwind(AssertUnwindSafe(|| map.extend(entries)));
    assert!(extend.is_err());
    assert_eq!(map.len(), 2);
    assert_eq!(Rc::weakref_count(&values[2]), 0, "no reference left behind");
    drop(values);
    assert_eq!(map.len(), 0);
}

#[test]
fn key_map_get_or_insert_with_whose_make_drops_a_key_and_inserts() {
    let map = Rc::new(WeakKeyMap::new());
    let (one, two, three) = (Rc::new(Hooked(1)), Rc::new(Hooked(2)), Rc::new(Hooked(3)));
    map.insert(&one, 1);
    map.insert(&two, 2);
    let (m, t) = (map.clone(), three.clone());
    let made = map.get_or_insert_with(&Rc::new(Hooked(4)), move || {
        // `make` runs without the lock.
        drop(two);
        m.insert(&t, 3);
        4
    });
    assert_eq!(made, 4);
    // Key 4's handle was a temporary: it died as the call returned.
    assert_eq!(map.len(), 2, "keys 1 and 3");
    assert_eq!(map.get(&Hooked(3)), Some(3));
    assert!(map.get(&Hooked(2)).is_none());
    drop((one, three));
    assert!(map.is_empty());
}

#[test]
fn weak_set_retain_and_iteration_that_drop_members() {
    let set = WeakSet::new();
    let mut members: Vec<Option<Rc<Hooked>>> = (0..6).map(|i| Some(Rc::new(Hooked(i)))).collect();
    for m in members.iter().flatten() {
        set.add(m);
    }
    for member in set.iter() {
        // Drop another member while walking: the snapshot skips it if not yet seen.
        let other = (member.0 as usize + 1) % 6;
        if member.0 % 2 == 0 {
            members[other] = None;
        }
    }
    assert_eq!(set.len(), members.iter().flatten().count());
    let first_alive = members.iter().position(Option::is_some).unwrap();
    let mut victim = members[first_alive].take();
    set.retain(|_| {
        drop(victim.take());
        true
    });
    assert_eq!(set.len(), members.iter().flatten().count());
}

// Issue #12, fault 2: user data an operation owns is dropped after the lock is
// released, also when the operation unwinds. Each test's `Drop` uses the collection:
// dropped under the lock while unwinding, that is a re-entrancy panic during a panic,
// and the process aborts.

thread_local! {
    /// What the next `Rigged::clone` on this thread runs before cloning.
    static ON_CLONE: std::cell::RefCell<Option<Hook>> = const { std::cell::RefCell::new(None) };
    /// What the next `Rigged::drop` on this thread runs.
    static ON_DROP: std::cell::RefCell<Option<Hook>> = const { std::cell::RefCell::new(None) };
}

fn on_next_clone(hook: impl FnOnce() + 'static) {
    ON_CLONE.with(|slot| *slot.borrow_mut() = Some(Box::new(hook)));
}

fn on_next_drop(hook: impl FnOnce() + 'static) {
    ON_DROP.with(|slot| *slot.borrow_mut() = Some(Box::new(hook)));
}

/// A key whose `Eq`, `Clone` and `Drop` run the hooks set for this thread (once each),
/// and whose hashes all collide, so that every lookup compares.
#[derive(Debug)]
struct Rigged(i32);

impl PartialEq for Rigged {
    fn eq(&self, other: &Self) -> bool {
        if let Some(hook) = ON_EQ.with(|slot| slot.borrow_mut().take()) {
            hook();
        }
        self.0 == other.0
    }
}

impl Eq for Rigged {}

impl Hash for Rigged {
    fn hash<H: Hasher>(&self, state: &mut H) {
        0u8.hash(state);
    }
}

impl Clone for Rigged {
    fn clone(&self) -> Self {
        if let Some(hook) = ON_CLONE.with(|slot| slot.borrow_mut().take()) {
            hook();
        }
        Rigged(self.0)
    }
}

impl Drop for Rigged {
    fn drop(&mut self) {
        if let Some(hook) = ON_DROP.try_with(|slot| slot.borrow_mut().take()).ok().flatten() {
            hook();
        }
    }
}

/// A hook that records the collection's `len()`, as seen from a `Drop`, in `seen`.
fn record_len(seen: &Shared<AtomicUsize>, len: impl Fn() -> usize + 'static) -> impl FnOnce() {
    let seen = seen.clone();
    move || seen.store(len(), SeqCst)
}

#[test]
fn value_map_insert_whose_eq_panics_drops_the_new_key_after_the_lock() {
    quiet_expected_panics();
    let map = Rc::new(WeakValueMap::new());
    let value = Rc::new(1);
    map.insert(Rigged(1), value.clone());
    let seen = Shared::new(AtomicUsize::new(usize::MAX));
    let m = map.clone();
    on_next_eq(|| expected_panic());
    on_next_drop(record_len(&seen, move || m.len()));
    let inserted = catch_unwind(AssertUnwindSafe(|| map.insert(Rigged(2), value.clone())));
    assert!(inserted.is_err(), "the panic propagates");
    assert_eq!(seen.load(SeqCst), 1, "the new key's Drop did not see the map");
    assert_eq!(map.len(), 1);
    assert!(Rc::ptr_eq(&map.get(&Rigged(1)).unwrap(), &value));
}

#[test]
fn value_map_get_or_insert_with_whose_eq_panics_drops_the_new_key_after_the_lock() {
    quiet_expected_panics();
    let map = Rc::new(WeakValueMap::new());
    let value = Rc::new(1);
    map.insert(Rigged(1), value.clone());
    let seen = Shared::new(AtomicUsize::new(usize::MAX));
    let m = map.clone();
    // The lookup's `Eq` passes; the insertion's, under the lock, panics.
    on_next_eq(|| on_next_eq(|| expected_panic()));
    on_next_drop(record_len(&seen, move || m.len()));
    let made = Rc::new(2);
    let got = catch_unwind(AssertUnwindSafe(|| {
        map.get_or_insert_with(&Rigged(2), || made.clone())
    }));
    assert!(got.is_err(), "the panic propagates");
    assert_eq!(seen.load(SeqCst), 1, "the new key's Drop did not see the map");
    assert_eq!(map.len(), 1);
    assert_eq!(Rc::strong_count(&made), 1, "the value made was not released");
}

#[test]
fn value_map_iteration_whose_key_clone_panics_drops_the_clones_after_the_lock() {
    quiet_expected_panics();
    let map = Rc::new(WeakValueMap::new());
    let (one, two) = (Rc::new(1), Rc::new(2));
    map.insert(Rigged(1), one.clone());
    map.insert(Rigged(2), two.clone());
    let seen = Shared::new(AtomicUsize::new(usize::MAX));
    let m = map.clone();
    // The snapshot's first `Clone` passes; the second panics, and the first clone is
    // dropped.
    on_next_clone(|| on_next_clone(|| expected_panic()));
    on_next_drop(record_len(&seen, move || m.len()));
    let walked = catch_unwind(AssertUnwindSafe(|| map.iter().count()));
    assert!(walked.is_err(), "the panic propagates");
    assert_eq!(seen.load(SeqCst), 2, "the clone's Drop did not see the map");
    assert_eq!(map.iter().count(), 2);
}

#[test]
fn key_map_insert_whose_eq_panics_drops_the_value_after_the_lock() {
    quiet_expected_panics();
    let map = Rc::new(WeakKeyMap::new());
    let (one, two) = (Rc::new(Rigged(1)), Rc::new(Rigged(2)));
    map.insert(&one, OnDrop::new(|| ()));
    let seen = Shared::new(AtomicUsize::new(usize::MAX));
    let m = map.clone();
    on_next_eq(|| expected_panic());
    let value = OnDrop::new(record_len(&seen, move || m.len()));
    let inserted = catch_unwind(AssertUnwindSafe(|| map.insert(&two, value)));
    assert!(inserted.is_err(), "the panic propagates");
    assert_eq!(seen.load(SeqCst), 1, "the new value's Drop did not see the map");
    assert_eq!(map.len(), 1);
    assert!(!map.contains_key(&Rigged(2)));
}

#[test]
fn key_map_iteration_whose_value_clone_panics_drops_the_clones_after_the_lock() {
    quiet_expected_panics();
    let map = Rc::new(WeakKeyMap::new());
    let (one, two) = (Rc::new(Rigged(1)), Rc::new(Rigged(2)));
    map.insert(&one, Rigged(10));
    map.insert(&two, Rigged(20));
    let seen = Shared::new(AtomicUsize::new(usize::MAX));
    let m = map.clone();
    on_next_clone(|| on_next_clone(|| expected_panic()));
    on_next_drop(record_len(&seen, move || m.len()));
    let walked = catch_unwind(AssertUnwindSafe(|| map.iter().count()));
    assert!(walked.is_err(), "the panic propagates");
    assert_eq!(seen.load(SeqCst), 2, "the clone's Drop did not see the map");
    assert_eq!(map.values().count(), 2);
}

#[test]
fn key_map_eq_that_panics_after_its_key_lost_every_other_handle() {
    quiet_expected_panics();
    let map = Rc::new(WeakKeyMap::new());
    let one = Rc::new(Rigged(1));
    map.insert(&one, "one");
    let seen = Shared::new(AtomicUsize::new(usize::MAX));
    let m = map.clone();
    // Under the lock, comparing with the stored key: its last other handle goes, then
    // `Eq` panics. The lookup's own handle is now the last: the key dies when it is
    // dropped, after the lock is released, and its `Drop` uses the map, where its
    // entry has already left (its death began before its `Drop`).
    on_next_eq(move || {
        drop(one);
        expected_panic();
    });
    on_next_drop(record_len(&seen, move || m.len()));
    let probe = Rigged(1);
    let lookup = catch_unwind(AssertUnwindSafe(|| map.get(&probe)));
    assert!(lookup.is_err(), "the panic propagates");
    assert_eq!(seen.load(SeqCst), 0, "the key's Drop did not see the map, or saw its entry");
    assert!(map.is_empty(), "the dead key's entry was left in the map");
}
