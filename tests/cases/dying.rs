// What user code sees of the weak collections while a referent dies (issue #17, point
// 4): `len`, `is_empty`, iteration and lookups agree at every moment, inside the dying
// referent's own `Drop` and its callbacks included, because its entries leave the
// collections when its death begins. Included like `callbacks.rs`; uses `OnDrop` from
// `under_lock.rs`.

/// What a probe saw of a collection: `len`, `is_empty`, whether the probed entry was
/// found by a lookup, and how many entries iteration walked.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Seen {
    len: usize,
    is_empty: bool,
    found: bool,
    iterated: usize,
}

type Sightings = Shared<Mutex<Vec<(&'static str, Seen)>>>;

fn record(sightings: &Sightings, when: &'static str, seen: Seen) {
    sightings.lock().unwrap().push((when, seen));
}

/// A key compared and hashed by its number alone, carrying something whose drop
/// matters to the test (a hook, a weak reference).
struct Numbered<T>(i32, #[allow(dead_code)] T);

impl<T> PartialEq for Numbered<T> {
    fn eq(&self, other: &Self) -> bool {
        self.0 == other.0
    }
}

impl<T> Eq for Numbered<T> {}

impl<T> std::hash::Hash for Numbered<T> {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.0.hash(state)
    }
}

impl<T> std::borrow::Borrow<i32> for Numbered<T> {
    fn borrow(&self) -> &i32 {
        &self.0
    }
}

/// A key whose `Drop` runs a hook.
type HookedKey = Numbered<OnDrop>;

#[test]
fn value_map_len_and_lookups_agree_while_a_value_dies() {
    let map: Rc<WeakValueMap<i32, OnDrop>> = Rc::new(WeakValueMap::new());
    let sightings = Sightings::default();
    let look = {
        let (map, sightings) = (map.clone(), sightings.clone());
        move |when: &'static str| {
            let seen = Seen {
                len: map.len(),
                is_empty: map.is_empty(),
                found: map.contains_key(&1) || map.get(&1).is_some(),
                iterated: map.iter().count() + map.keys().count() + map.values().count(),
            };
            record(&sightings, when, seen);
        }
    };
    let (look_drop, look_old, look_new) = (look.clone(), look.clone(), look);
    let dying = Rc::new(OnDrop::new(move || look_drop("the value's Drop")));
    // One callback registered before the entry, one after: both run after it left.
    let _older = Rc::downgrade_with(&dying, move |_| look_old("an older callback"));
    map.insert(1, dying.clone());
    let _newer = Rc::downgrade_with(&dying, move |_| look_new("a newer callback"));
    let survivor = Rc::new(OnDrop::new(|| ()));
    map.insert(2, survivor.clone());

    drop(dying);
    let one_left = Seen {
        len: 1,
        is_empty: false,
        found: false,
        iterated: 3,
    };
    assert_eq!(
        *sightings.lock().unwrap(),
        [
            ("the value's Drop", one_left),
            ("a newer callback", one_left),
            ("an older callback", one_left),
        ]
    );
    assert_eq!(map.len(), 1);
    drop(survivor);
    assert!(map.is_empty());
}

#[test]
fn key_maps_and_sets_len_and_lookups_agree_while_a_key_dies() {
    let map: Rc<WeakKeyMap<HookedKey, u8>> = Rc::new(WeakKeyMap::new());
    let ptr_map: Rc<PtrWeakKeyMap<HookedKey, u8>> = Rc::new(PtrWeakKeyMap::new());
    let set: Rc<WeakSet<HookedKey>> = Rc::new(WeakSet::new());
    let ptr_set: Rc<PtrWeakSet<HookedKey>> = Rc::new(PtrWeakSet::new());
    let sightings = Sightings::default();
    let look = {
        let (map, ptr_map, set, ptr_set) = (map.clone(), ptr_map.clone(), set.clone(), ptr_set.clone());
        let sightings = sightings.clone();
        move |when: &'static str| {
            record(&sightings, when, Seen {
                len: map.len(),
                is_empty: map.is_empty(),
                found: map.contains_key(&1) || map.get(&1).is_some(),
                iterated: map.iter().count() + map.keys().count() + map.values().count(),
            });
            // The identity-keyed ones cannot be probed without a handle to the key.
            record(&sightings, when, Seen {
                len: ptr_map.len(),
                is_empty: ptr_map.is_empty(),
                found: false,
                iterated: ptr_map.iter().count() + ptr_map.keys().count() + ptr_map.values().count(),
            });
            record(&sightings, when, Seen {
                len: set.len(),
                is_empty: set.is_empty(),
                found: set.contains(&1),
                iterated: 2 * set.iter().count(),
            });
            record(&sightings, when, Seen {
                len: ptr_set.len(),
                is_empty: ptr_set.is_empty(),
                found: false,
                iterated: 2 * ptr_set.iter().count(),
            });
        }
    };
    let (look_drop, look_callback) = (look.clone(), look);
    let dying = Rc::new(Numbered(1, OnDrop::new(move || look_drop("the key's Drop"))));
    let survivor = Rc::new(Numbered(2, OnDrop::new(|| ())));
    for key in [&dying, &survivor] {
        map.insert(key, 0);
        ptr_map.insert(key, 0);
        set.add(key);
        ptr_set.add(key);
    }
    let _callback = Rc::downgrade_with(&dying, move |_| look_callback("a callback"));

    drop(dying);
    let one_left = Seen {
        len: 1,
        is_empty: false,
        found: false,
        iterated: 3,
    };
    let one_left_set = Seen { iterated: 2, ..one_left };
    let sightings = sightings.lock().unwrap();
    assert_eq!(sightings.len(), 8, "{sightings:?}");
    for (i, (when, seen)) in sightings.iter().enumerate() {
        let expected = if i % 4 < 2 { one_left } else { one_left_set };
        assert_eq!(*seen, expected, "{when}, collection {}", i % 4);
    }
    assert_eq!(sightings[0].0, "the key's Drop");
    assert_eq!(sightings[4].0, "a callback");
    drop(survivor);
    assert!(map.is_empty() && ptr_map.is_empty() && set.is_empty() && ptr_set.is_empty());
}

#[test]
fn a_value_moved_out_leaves_its_map_before_its_callbacks_run() {
    let map: Rc<WeakValueMap<i32, i32>> = Rc::new(WeakValueMap::new());
    let lens = Shared::new(Mutex::new(Vec::new()));
    let value = Rc::new(7);
    map.insert(1, value.clone());
    let (m, l) = (map.clone(), lens.clone());
    let _callback = Rc::downgrade_with(&value, move |_| {
        l.lock().unwrap().push((m.len(), m.contains_key(&1)));
    });
    let other = map.get(&1).unwrap();
    drop(value);
    assert_eq!(Rc::try_unwrap(other).ok(), Some(7));
    assert_eq!(*lens.lock().unwrap(), [(0, false)]);
    assert!(map.is_empty());
}

#[test]
fn a_panicking_key_drop_in_an_early_removal_is_reported_and_the_death_goes_on() {
    quiet_expected_panics();
    let map: WeakValueMap<HookedKey, i32> = WeakValueMap::new();
    let order = Shared::new(Mutex::new(Vec::new()));
    let value = Rc::new(3);
    let o = order.clone();
    map.insert(
        Numbered(1, OnDrop::new(move || {
            o.lock().unwrap().push("key dropped");
            expected_panic();
        })),
        value.clone(),
    );
    let o = order.clone();
    let _callback = Rc::downgrade_with(&value, move |_| o.lock().unwrap().push("callback"));
    let (dropped, reports) = capture_reports(|| catch_unwind(AssertUnwindSafe(|| drop(value))));
    assert!(dropped.is_ok(), "a removal's panic is caught, like a callback's");
    assert_eq!(reports.len(), 1, "{reports:?}");
    assert_eq!(reports[0].0, PanicSource::EntryDrop);
    assert_eq!(*order.lock().unwrap(), ["key dropped", "callback"]);
    assert!(map.is_empty());
}

#[test]
fn a_callback_reference_held_by_an_entry_still_calls_back_when_the_entry_leaves() {
    // The entry leaves first, and drops the only handle of a weak reference with a
    // callback to the same referent: the referent is dead by then, so the callback
    // runs (as in CPython, and as when any other callback drops a sibling).
    let log = Shared::new(Mutex::new(Vec::new()));
    let callback = |name: &'static str| {
        let log = log.clone();
        move |_: &Weak<u32>| log.lock().unwrap().push(name)
    };

    let key_map: WeakKeyMap<u32, Weak<u32>> = WeakKeyMap::new();
    let key = Rc::new(1u32);
    let older = Rc::downgrade_with(&key, callback("older, held outside"));
    key_map.insert(&key, Rc::downgrade_with(&key, callback("held by the value")));
    let newer = Rc::downgrade_with(&key, callback("newer, held outside"));
    drop(key);
    assert!(key_map.is_empty());
    assert_eq!(
        *log.lock().unwrap(),
        ["newer, held outside", "held by the value", "older, held outside"],
        "newest first, the one the entry held included"
    );
    drop((older, newer));

    log.lock().unwrap().clear();
    let value_map: WeakValueMap<Numbered<Weak<u32>>, u32> = WeakValueMap::new();
    let value = Rc::new(2u32);
    let weak = Rc::downgrade_with(&value, callback("held by the key"));
    value_map.insert(Numbered(2, weak), value.clone());
    drop(value);
    assert!(value_map.is_empty());
    assert_eq!(*log.lock().unwrap(), ["held by the key"]);
}

#[test]
fn a_finalizer_called_by_an_entrys_drop_while_its_object_dies_runs_once_and_is_freed() {
    // The entry's value calls the object's finalizer while the removals run; the
    // death holds the finalizer's node then, and must not keep that hold after the
    // node left the list (Miri and tests/memory.rs see the leak it was).
    type Slot = Shared<Mutex<Option<Finalize<u32, (), ()>>>>;
    let slot = Slot::default();
    let ran = Shared::new(AtomicUsize::new(0));
    let obj = Rc::new(5u32);
    let map = WeakKeyMap::new();
    let s = slot.clone();
    map.insert(
        &obj,
        OnDrop::new(move || {
            let finalizer = s.lock().unwrap().take().unwrap();
            assert!(finalizer.call().is_some(), "the finalizer was still alive");
        }),
    );
    let r = ran.clone();
    let count = move |()| {
        r.fetch_add(1, SeqCst);
    };
    *slot.lock().unwrap() = Some(finalize(&obj, count, ()));
    drop(obj);
    assert_eq!(ran.load(SeqCst), 1);
    assert!(map.is_empty());
}
