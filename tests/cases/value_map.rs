// `WeakValueMap`, for either flavour: CPython's MappingTestCase for
// `WeakValueDictionary` (§21: the R and R~ cases), the mapping-protocol basics, and
// the rules of issue #4. Included like `callbacks.rs`.

/// CPython's `Object`: compares and hashes by its argument.
#[derive(Debug, PartialEq, Eq, Hash, Clone)]
struct Object(i32);

/// `make_weak_valued_dict`: values kept alive by the returned list.
fn make_weak_valued_map() -> (WeakValueMap<i32, Object>, Vec<Rc<Object>>) {
    let objects: Vec<Rc<Object>> = (0..6).map(|i| Rc::new(Object(i))).collect();
    let map = WeakValueMap::new();
    for o in &objects {
        map.insert(o.0, o.clone());
    }
    (map, objects)
}

#[test]
fn test_weak_values() {
    let (map, mut objects) = make_weak_valued_map();
    let copy = map.clone();
    assert_eq!(map.len(), objects.len());
    for o in &objects {
        assert_eq!(Rc::weakref_count(o), 2, "one reference per map (the original and its copy)");
        assert!(Rc::ptr_eq(&map.get(&o.0).unwrap(), o), "wrong object returned by weak dict");
    }
    let mut items: Vec<_> = map.iter().map(|(k, v)| (k, v.0)).collect();
    let mut copied: Vec<_> = copy.iter().map(|(k, v)| (k, v.0)).collect();
    items.sort();
    copied.sort();
    assert_eq!(items, copied, "cloning is not a complete copy");
    drop(copy);
    let first = objects.remove(0);
    let key = first.0;
    drop(first);
    assert_eq!(map.len(), objects.len(), "deleting object did not cause dictionary update");
    assert!(map.get(&key).is_none(), "a dead key finds nothing");
    objects.clear();
    assert_eq!(map.len(), 0, "deleting the values did not clear the dictionary");
    assert!(map.get(&2).is_none() && !map.contains_key(&2));
}

#[test]
fn test_weak_valued_iters() {
    let (map, objects) = make_weak_valued_map();
    let mut keys: Vec<i32> = map.keys().collect();
    keys.sort();
    assert_eq!(keys, [0, 1, 2, 3, 4, 5]);
    let mut values: Vec<i32> = map.values().map(|v| v.0).collect();
    values.sort();
    assert_eq!(values, [0, 1, 2, 3, 4, 5]);
    let mut items: Vec<(i32, i32)> = map.iter().map(|(k, v)| (k, v.0)).collect();
    items.sort();
    assert!(items.iter().all(|(k, v)| k == v));
    let refs = map.value_refs();
    assert_eq!(refs.len(), objects.len());
    for r in &refs {
        let value = r.upgrade().unwrap();
        assert!(objects.iter().any(|o| Rc::ptr_eq(o, &value)));
        assert!(r.has_callback());
    }
}

#[test]
fn test_weak_values_destroy_while_iterating() {
    // A value dying while an iterator over the map is alive: nothing panics, the dead
    // entry is not yielded, and the removal takes effect at once.
    let (map, mut objects) = make_weak_valued_map();
    let n = map.len();
    let mut it = map.iter();
    let (_, first) = it.next().unwrap();
    // Kill every other value, including ones the iterator has not reached.
    let first_key = first.0;
    drop(first);
    objects.retain(|o| o.0 % 2 == 0 || o.0 == first_key);
    assert_eq!(map.len(), objects.len(), "removals take effect during iteration");
    let rest: Vec<i32> = it.map(|(k, v)| {
        assert_eq!(k, v.0);
        k
    }).collect();
    assert!(rest.len() < n);
    assert!(rest.iter().all(|k| objects.iter().any(|o| o.0 == *k)), "no dead entry yielded");
    // Mutating explicitly after deaths stays consistent (R15.8).
    let gone = (1..6).find(|k| k % 2 == 1 && *k != first_key).unwrap();
    assert!(!map.contains_key(&gone));
    assert!(map.remove(&gone).is_none());
    let fresh = Rc::new(Object(gone));
    map.insert(gone, fresh.clone());
    assert!(Rc::ptr_eq(&map.get(&gone).unwrap(), &fresh));
    map.clear();
    assert!(map.is_empty());
}

#[test]
fn test_make_weak_valued_dict_from_dict_and_from_weak_valued_dict() {
    let o = Rc::new(Object(3));
    let map: WeakValueMap<&str, Object> = [("something", o.clone())].into_iter().collect();
    assert!(Rc::ptr_eq(&map.get("something").unwrap(), &o));
    let copy = map.clone();
    assert!(Rc::ptr_eq(&copy.get("something").unwrap(), &o));
    map.remove("something");
    assert!(copy.contains_key("something"), "the copy is independent");
}

#[test]
fn test_weak_valued_dict_popitem() {
    let (o1, o2) = (Rc::new(Object(1)), Rc::new(Object(2)));
    let map = WeakValueMap::new();
    map.insert("key1", o1.clone());
    map.insert("key2", o2.clone());
    assert_eq!(map.len(), 2);
    let (k, v) = map.pop_item().unwrap();
    assert_eq!(map.len(), 1);
    assert!(if k == "key1" { Rc::ptr_eq(&v, &o1) } else { Rc::ptr_eq(&v, &o2) });
    let (k, v) = map.pop_item().unwrap();
    assert_eq!(map.len(), 0);
    assert!(if k == "key1" { Rc::ptr_eq(&v, &o1) } else { Rc::ptr_eq(&v, &o2) });
    assert!(map.pop_item().is_none(), "popitem on an empty map");
}

#[test]
fn test_weak_valued_dict_setdefault() {
    let (o1, o2) = (Rc::new(Object(1)), Rc::new(Object(2)));
    let map: WeakValueMap<String, Object> = WeakValueMap::new();
    let got = map.get_or_insert_with("key", || o1.clone());
    assert!(Rc::ptr_eq(&got, &o1));
    assert!(Rc::ptr_eq(&map.get("key").unwrap(), &o1));
    drop(got);
    let got = map.get_or_insert_with("key", || o2.clone());
    assert!(Rc::ptr_eq(&got, &o1), "setdefault must not overwrite a live value");
    assert!(Rc::ptr_eq(&map.get("key").unwrap(), &o1));
    drop(got);
    // A dead value counts as missing.
    drop(o1);
    let got = map.get_or_insert_with("key", || o2.clone());
    assert!(Rc::ptr_eq(&got, &o2));
}

#[test]
fn test_weak_valued_dict_update() {
    let values: Vec<Rc<Object>> = (1..4).map(|i| Rc::new(Object(i))).collect();
    let mut map = WeakValueMap::new();
    map.extend(values.iter().map(|v| (v.0, v.clone())));
    assert_eq!(map.len(), 3);
    for v in &values {
        assert!(map.contains_key(&v.0));
        assert!(Rc::ptr_eq(&map.get(&v.0).unwrap(), v));
    }
    let mut keys: Vec<i32> = map.keys().collect();
    keys.sort();
    assert_eq!(keys, [1, 2, 3]);
}

#[test]
fn test_weak_valued_delitem() {
    let (o1, o2) = (Rc::new(Object("1".len() as i32)), Rc::new(Object(2)));
    let map = WeakValueMap::new();
    map.insert("something", o1.clone());
    map.insert("something else", o2.clone());
    assert_eq!(map.len(), 2);
    assert!(map.remove("something").is_some());
    assert_eq!(map.len(), 1);
    let left: Vec<_> = map.iter().map(|(k, v)| (k, v.0)).collect();
    assert_eq!(left, [("something else", 2)]);
}

#[test]
fn test_weak_valued_consistency() {
    // CPython's deterministic repro of bpo-28427: the old value's reference is kept
    // alive (so its callback will run), the value is replaced, then the old value
    // dies: the new entry must survive.
    let map = WeakValueMap::new();
    let old = Rc::new(Object(1));
    map.insert(10, old.clone());
    let kept_old_ref = map.value_refs().pop().unwrap();
    let new = Rc::new(Object(2));
    map.insert(10, new.clone());
    drop(old); // its callback runs (kept_old_ref holds the registration)
    assert!(!kept_old_ref.has_callback());
    assert_eq!(map.len(), 1);
    assert!(Rc::ptr_eq(&map.get(&10).unwrap(), &new));
}

#[test]
fn mapping_protocol_basics() {
    // mapping_tests.BasicTestMappingProtocol, as far as it is not Python syntax:
    // read, write, bool, keys, values, items, len, getitem, get, pop.
    let map: WeakValueMap<String, i32> = WeakValueMap::default();
    assert!(map.is_empty());
    assert_eq!(map.len(), 0);
    let (a, b) = (Rc::new(1), Rc::new(2));
    map.insert("a".into(), a.clone());
    map.insert("b".into(), b.clone());
    assert!(!map.is_empty());
    assert_eq!(map.len(), 2);
    assert_eq!(map.get("a").as_deref(), Some(&1));
    assert!(map.get("c").is_none());
    assert!(map.contains_key("b") && !map.contains_key("c"));
    assert_eq!(map.remove("a").as_deref(), Some(&1));
    assert!(map.remove("a").is_none());
    assert_eq!(map.len(), 1);
    assert_eq!(format!("{map:?}"), r#"{"b": 2}"#);
    map.retain(|_, v| **v != 2);
    assert!(map.is_empty());
    assert_eq!(Rc::weakref_count(&b), 0, "the removed entries' references are gone");
}

#[test]
fn value_dying_inside_the_maps_own_operation_is_removed_afterwards() {
    // A key whose `Eq` drops the last strong handle of another value while the map is
    // looking it up: the other value's callback finds the map busy on its own thread,
    // defers, and the removal is applied before `get` returns. No panic, no deadlock.
    #[derive(Debug)]
    struct Sneaky {
        id: i32,
        victim: Shared<Mutex<Option<Rc<Object>>>>,
    }
    impl PartialEq for Sneaky {
        fn eq(&self, other: &Self) -> bool {
            drop(self.victim.lock().unwrap().take());
            drop(other.victim.lock().unwrap().take());
            self.id == other.id
        }
    }
    impl Eq for Sneaky {}
    impl std::hash::Hash for Sneaky {
        fn hash<H: std::hash::Hasher>(&self, h: &mut H) {
            self.id.hash(h)
        }
    }
    impl Clone for Sneaky {
        fn clone(&self) -> Self {
            Sneaky { id: self.id, victim: Shared::new(Mutex::new(None)) }
        }
    }
    let victim_value = Rc::new(Object(99));
    let holder = Shared::new(Mutex::new(Some(victim_value.clone())));
    let map = WeakValueMap::new();
    let keep = Rc::new(Object(1));
    map.insert(Sneaky { id: 1, victim: Shared::new(Mutex::new(None)) }, keep.clone());
    map.insert(Sneaky { id: 2, victim: Shared::new(Mutex::new(None)) }, victim_value);
    assert_eq!(map.len(), 2);
    let probe = Sneaky { id: 1, victim: holder };
    assert!(map.get(&probe).is_some());
    assert_eq!(map.len(), 1, "the victim's entry was removed before `get` returned");
}

#[test]
fn map_dropped_before_its_values_leaves_nothing_behind() {
    let value = Rc::new(Object(5));
    let map = WeakValueMap::new();
    map.insert(1, value.clone());
    map.insert(2, value.clone());
    assert_eq!(Rc::weakref_count(&value), 2);
    drop(map);
    assert_eq!(Rc::weakref_count(&value), 0, "dropping the map cancelled its callbacks");
    drop(value);
}

#[test]
fn values_dying_in_a_callback_of_another_value_are_removed() {
    // A value holds the only strong handle to another; both are in the map.
    struct Holder {
        _inner: Rc<Object>,
    }
    let inner = Rc::new(Object(2));
    let outer = Rc::new(Holder { _inner: inner.clone() });
    let map_inner = WeakValueMap::new();
    let map_outer = WeakValueMap::new();
    map_inner.insert(2, inner.clone());
    map_outer.insert(1, outer.clone());
    drop(inner);
    assert_eq!(map_inner.len(), 1);
    drop(outer); // outer dies, dropping inner: both maps lose their entries
    assert_eq!((map_outer.len(), map_inner.len()), (0, 0));
}

#[test]
fn inserting_the_last_strong_handle_keeps_nothing() {
    let map = WeakValueMap::new();
    assert!(map.insert("temp", Rc::new(Object(1))).is_none());
    assert!(map.is_empty(), "d[k] = C() keeps nothing, as in Python");
}

// Issue #17, point 3: what `HashMap` users reach for.

#[test]
fn value_map_iterates_by_reference_and_drains() {
    let map = WeakValueMap::new();
    let (a, b) = (Rc::new(1), Rc::new(2));
    map.insert("a", a.clone());
    map.insert("b", b.clone());
    let mut seen: Vec<_> = Vec::new();
    for (key, value) in &map {
        seen.push((key, *value));
    }
    seen.sort();
    assert_eq!(seen, [("a", 1), ("b", 2)]);

    // A value that dies after the drain took its entry out is skipped.
    let mut drain = map.drain();
    assert!(map.is_empty(), "drained at once, before the iterator is used");
    drop(b);
    let drained: Vec<_> = drain.by_ref().map(|(k, v)| (k, *v)).collect();
    assert_eq!(drained, [("a", 1)]);
    assert!(drain.next().is_none());
    // An unused drain empties the map too.
    map.insert("a", a.clone());
    drop(map.drain());
    assert!(map.is_empty());
}

#[test]
fn value_map_capacity_reserve_shrink() {
    let map: WeakValueMap<u32, u32> = WeakValueMap::new();
    map.reserve(100);
    assert!(map.capacity() >= 100);
    map.shrink_to_fit();
    assert!(map.capacity() < 100);
    let values: Vec<_> = (0..50).map(Rc::new).collect();
    for (i, v) in values.iter().enumerate() {
        map.insert(i as u32, v.clone());
    }
    map.shrink_to_fit();
    assert!(map.capacity() >= 50);
    assert_eq!(map.len(), 50);
}

#[test]
fn value_maps_compare_by_live_entries() {
    use std::collections::hash_map::RandomState;
    use std::hash::BuildHasherDefault;
    type Fixed = BuildHasherDefault<std::collections::hash_map::DefaultHasher>;
    let a: WeakValueMap<&str, i32, RandomState> = WeakValueMap::new();
    let b: WeakValueMap<&str, i32, Fixed> = WeakValueMap::with_hasher(Fixed::default());
    let (one, uno) = (Rc::new(1), Rc::new(1));
    assert!(a == b, "both empty");
    a.insert("k", one.clone());
    assert!(a != b);
    b.insert("k", uno.clone());
    assert!(a == b, "equal values, different objects, different hashers");
    let two = Rc::new(2);
    b.insert("k", two.clone());
    assert!(a != b);
    drop(two);
    drop(one);
    assert!(a == b, "both empty again: dead entries do not count");
}

/// A key that counts its clones: `get_or_insert_with` must not make one on a hit.
#[derive(PartialEq, Eq, Hash, Debug)]
struct CountedKey(u32);

static KEY_CLONES: AtomicUsize = AtomicUsize::new(0);

impl Clone for CountedKey {
    fn clone(&self) -> Self {
        KEY_CLONES.fetch_add(1, SeqCst);
        CountedKey(self.0)
    }
}

#[test]
fn value_map_get_or_insert_with_borrows_its_key_and_clones_only_on_a_miss() {
    // Issue #17, point 2. (The only test that clones `CountedKey`s.)
    let map: WeakValueMap<CountedKey, &str> = WeakValueMap::new();
    let before = KEY_CLONES.load(SeqCst);
    let a = map.get_or_insert_with(&CountedKey(1), || Rc::new("a"));
    assert_eq!(KEY_CLONES.load(SeqCst), before + 1, "a miss makes the key once");
    for _ in 0..10 {
        let hit = map.get_or_insert_with(&CountedKey(1), || unreachable!());
        assert!(Rc::ptr_eq(&hit, &a));
    }
    assert_eq!(KEY_CLONES.load(SeqCst), before + 1, "hits make no key");
    // String keys looked up by `&str`.
    let strings: WeakValueMap<String, u8> = WeakValueMap::new();
    let v = strings.get_or_insert_with("k", || Rc::new(1));
    assert!(Rc::ptr_eq(&strings.get_or_insert_with("k", || Rc::new(2)), &v));
}

#[test]
fn value_map_entry_api() {
    let map = WeakValueMap::new();
    let one = map.entry("k").or_insert(Rc::new(1));
    assert_eq!(*one, 1);
    assert_eq!(*map.entry("k").or_insert_with(|| unreachable!()), 1);
    assert_eq!(*map.entry("k").key(), "k");
    match map.entry("k") {
        Entry::Occupied(mut entry) => {
            assert_eq!(**entry.get(), 1);
            let two = Rc::new(2);
            assert_eq!(*entry.insert(two.clone()), 1);
            assert_eq!(map.get("k").as_deref(), Some(&2));
            assert_eq!(*entry.remove(), 2);
            assert!(map.is_empty());
            drop(two);
        }
        Entry::Vacant(_) => panic!("occupied"),
    }
    // A dead value makes the entry vacant.
    drop(one);
    match map.entry("k") {
        Entry::Vacant(entry) => {
            assert_eq!(*entry.key(), "k");
            let three = entry.insert(Rc::new(3));
            assert_eq!(map.get("k").as_deref(), Some(&3));
            drop(three);
            assert!(map.is_empty(), "the map holds it weakly");
        }
        Entry::Occupied(_) => panic!("vacant"),
    }
    let mut ran = false;
    map.entry("absent").and_modify(|_| ran = true);
    assert!(!ran);
}

#[test]
fn value_map_entry_rechecks_what_changed_since_it_was_made() {
    // From the review of #17: an occupied entry whose key was given a newer value, or
    // removed, after `entry()`.
    let map = WeakValueMap::new();
    let (v1, v2) = (Rc::new(1), Rc::new(2));
    map.insert("k", v1.clone());
    let entry = map.entry("k");
    map.insert("k", v2.clone());
    let Entry::Occupied(entry) = entry else {
        panic!("occupied")
    };
    assert_eq!(*entry.remove(), 1, "the entry's own value comes back");
    assert_eq!(map.get("k").as_deref(), Some(&2), "the newer value stays");

    let entry = map.entry("k");
    let v3 = Rc::new(3);
    map.insert("k", v3.clone());
    let Entry::Occupied(mut entry) = entry else {
        panic!("occupied")
    };
    let v4 = Rc::new(4);
    assert_eq!(*entry.insert(v4.clone()), 3, "the value the map held is what was replaced");
    assert_eq!(map.get("k").as_deref(), Some(&4));

    // A stale occupied entry, its key removed meanwhile: `or_insert` puts it back.
    let entry = map.entry("k");
    map.remove("k");
    let got = entry.or_insert(Rc::new(5));
    assert_eq!(*got, 4);
    assert!(Rc::ptr_eq(&map.get("k").unwrap(), &got), "the result is what the map holds");
    drop((v1, v2, v3));
}

#[test]
fn value_map_get_or_insert_with_borrowed_forms_of_common_keys() {
    // From the review of #17: keys whose borrowed form does not own back to them.
    let boxed: WeakValueMap<Box<str>, u8> = WeakValueMap::new();
    let v = boxed.get_or_insert_with("k", || Rc::new(1));
    assert!(Rc::ptr_eq(&boxed.get_or_insert_with("k", || unreachable!()), &v));
    let shared: WeakValueMap<std::sync::Arc<str>, u8> = WeakValueMap::new();
    let w = shared.get_or_insert_with("k", || Rc::new(2));
    assert!(Rc::ptr_eq(&shared.get("k").unwrap(), &w));
    let statics: WeakValueMap<&'static str, u8> = WeakValueMap::new();
    let x = statics.get_or_insert_with(&"k", || Rc::new(3));
    assert_eq!(statics.get("k").as_deref(), Some(&3));
    drop((v, w, x));
}
