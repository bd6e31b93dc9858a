// `WeakKeyMap`, `PtrWeakKeyMap`, `WeakSet`, `PtrWeakSet`, for either flavour:
// CPython's MappingTestCase for `WeakKeyDictionary` and `test_weakset.py` (the R and
// R~ cases of §21), and the rules of issue #4. Included like `callbacks.rs`; uses
// `Object` from `value_map.rs`.

fn make_weak_keyed_map() -> (WeakKeyMap<Object, i32>, Vec<Rc<Object>>) {
    let objects: Vec<Rc<Object>> = (0..6).map(|i| Rc::new(Object(i))).collect();
    let map = WeakKeyMap::new();
    for o in &objects {
        map.insert(o, o.0);
    }
    (map, objects)
}

#[test]
fn test_weak_keys() {
    let (map, mut objects) = make_weak_keyed_map();
    let copy = map.clone();
    assert_eq!(map.len(), objects.len());
    for o in &objects {
        assert_eq!(Rc::weakref_count(o), 2, "one reference per map");
        assert_eq!(map.get(o), Some(o.0), "wrong object returned by weak dict");
    }
    let mut items: Vec<(i32, i32)> = map.iter().map(|(k, v)| (k.0, v)).collect();
    let mut copied: Vec<(i32, i32)> = copy.iter().map(|(k, v)| (k.0, v)).collect();
    items.sort();
    copied.sort();
    assert_eq!(items, copied);
    drop(copy);
    drop(objects.remove(0));
    assert_eq!(map.len(), objects.len(), "deleting the keys did not clear the dictionary");
    objects.clear();
    assert_eq!(map.len(), 0);
    // Lookups are by value: an equal, different object finds the entry.
    let o = Rc::new(Object(42));
    map.insert(&o, 42);
    assert!(map.contains_key(&Object(42)));
    assert_eq!(map.get(&Object(42)), Some(42));
    assert!(!map.contains_key(&Object(43)));
}

#[test]
fn test_weak_keyed_iters() {
    let (map, objects) = make_weak_keyed_map();
    let mut keys: Vec<i32> = map.keys().map(|k| k.0).collect();
    keys.sort();
    assert_eq!(keys, [0, 1, 2, 3, 4, 5]);
    let mut values: Vec<i32> = map.values().collect();
    values.sort();
    assert_eq!(values, [0, 1, 2, 3, 4, 5]);
    let refs = map.key_refs();
    assert_eq!(refs.len(), objects.len());
    for r in &refs {
        let key = r.upgrade().unwrap();
        assert!(objects.iter().any(|o| Rc::ptr_eq(o, &key)));
    }
}

#[test]
fn test_weak_keys_destroy_while_iterating() {
    let (map, mut objects) = make_weak_keyed_map();
    let mut it = map.iter();
    let (first, _) = it.next().unwrap();
    let first_key = first.0;
    drop(first);
    objects.retain(|o| o.0 % 2 == 0 || o.0 == first_key);
    assert_eq!(map.len(), objects.len(), "removals take effect during iteration");
    let rest: Vec<i32> = it.map(|(k, v)| {
        assert_eq!(k.0, v);
        k.0
    }).collect();
    assert!(rest.iter().all(|k| objects.iter().any(|o| o.0 == *k)), "no dead key yielded");
}

#[test]
fn test_weak_keyed_dict_popitem_setdefault_update_delitem() {
    let (o1, o2) = (Rc::new(Object(1)), Rc::new(Object(2)));
    let map = WeakKeyMap::new();
    map.insert(&o1, "v1");
    map.insert(&o2, "v2");
    let (k, v) = map.pop_item().unwrap();
    assert_eq!(map.len(), 1);
    assert_eq!(v, if k.0 == 1 { "v1" } else { "v2" });
    map.pop_item().unwrap();
    assert!(map.pop_item().is_none());

    assert_eq!(map.get_or_insert_with(&o1, || "first"), "first");
    assert_eq!(map.get_or_insert_with(&o1, || "second"), "first", "setdefault keeps the value");

    let mut map2: WeakKeyMap<Object, &str> = [(o1.clone(), "a"), (o2.clone(), "b")].into_iter().collect();
    map2.extend([(o2.clone(), "c")]);
    assert_eq!(map2.len(), 2);
    assert_eq!(map2.get(&Object(2)), Some("c"));

    assert_eq!(map2.remove(&Object(1)), Some("a"));
    assert_eq!(map2.remove(&Object(1)), None, "KeyError on a missing key");
    assert_eq!(map2.len(), 1);
}

#[test]
fn entry_stays_tied_to_the_first_key_object() {
    // R16.3: assigning through an equal key updates the value but keeps the first key
    // object; when that object dies, the entry goes, though an equal one lives.
    let first = Rc::new(Object(7));
    let second = Rc::new(Object(7));
    let map = WeakKeyMap::new();
    map.insert(&first, "one");
    assert_eq!(map.insert(&second, "two"), Some("one"));
    assert_eq!(map.len(), 1);
    assert_eq!(map.get(&second), Some("two"));
    assert!(Rc::ptr_eq(&map.keys().next().unwrap(), &first));
    assert_eq!(Rc::weakref_count(&second), 0, "the second key's reference was not kept");
    drop(first);
    assert!(map.is_empty());
    assert!(!map.contains_key(&second));
}

#[test]
fn test_weak_keyed_cascading_deletes() {
    // A key's `==` drops the last strong handle of another key while `remove` runs:
    // both removals happen, nothing panics, the map ends empty.
    #[derive(Debug)]
    struct C {
        value: i32,
        mutate: Shared<AtomicBool>,
        objs: Shared<Mutex<Vec<Rc<C>>>>,
    }
    impl PartialEq for C {
        fn eq(&self, other: &Self) -> bool {
            if self.mutate.load(SeqCst) {
                // Side effect: drop the last strong reference to some key.
                let victim = self.objs.lock().unwrap().pop();
                drop(victim);
            }
            self.value == other.value
        }
    }
    impl Eq for C {}
    impl std::hash::Hash for C {
        fn hash<H: std::hash::Hasher>(&self, h: &mut H) {
            self.value.hash(h)
        }
    }
    let mutate = Shared::new(AtomicBool::new(false));
    let objs = Shared::new(Mutex::new(Vec::new()));
    let map = WeakKeyMap::new();
    for i in 0..4 {
        let o = Rc::new(C { value: i, mutate: mutate.clone(), objs: objs.clone() });
        map.insert(&o, i);
        objs.lock().unwrap().push(o);
    }
    // `objs` holds the only strong handles, in reverse order of iteration, so that
    // the loop has to walk past the objects `==` deletes.
    let mut keys: Vec<Rc<C>> = map.keys().collect();
    keys.reverse();
    *objs.lock().unwrap() = keys;
    mutate.store(true, SeqCst);
    // Python's `for o in objs: count += 1; del d[o]`, over a list `==` shrinks.
    let mut count = 0;
    let mut index = 0;
    loop {
        let o = match objs.lock().unwrap().get(index) {
            Some(o) => o.clone(),
            None => break,
        };
        count += 1;
        assert!(map.remove(&o).is_some());
        index += 1;
    }
    assert_eq!(count, 2);
    objs.lock().unwrap().clear();
    assert_eq!(map.len(), 0);
}

#[test]
fn identity_keyed_map_tells_equal_objects_apart() {
    let a = Rc::new(Object(1));
    let b = Rc::new(Object(1));
    let map = PtrWeakKeyMap::new();
    map.insert(&a, "a");
    map.insert(&b, "b");
    assert_eq!(map.len(), 2, "equal values, different objects");
    assert_eq!(map.get(&a), Some("a"));
    assert_eq!(map.get(&b), Some("b"));
    drop(a);
    assert_eq!(map.len(), 1);
    assert_eq!(map.get(&b), Some("b"));
    // Keys need no `Hash` or `Eq`.
    struct Opaque;
    let o = Rc::new(Opaque);
    let opaque = PtrWeakKeyMap::new();
    opaque.insert(&o, 1);
    assert!(opaque.contains_key(&o));
}

#[test]
fn weak_key_map_frees_the_value_of_a_dead_key_at_once() {
    let value = Shared::new(());
    let key = Rc::new(Object(1));
    let map = WeakKeyMap::new();
    map.insert(&key, value.clone());
    assert_eq!(Shared::strong_count(&value), 2);
    drop(key);
    assert_eq!(Shared::strong_count(&value), 1, "the value went with its key");
    assert!(map.is_empty());
}

// --- WeakSet (test_weakset.py) ---

fn letters(s: &str) -> Vec<Rc<String>> {
    s.chars().map(|c| Rc::new(c.to_string())).collect()
}

fn set_of(items: &[Rc<String>]) -> WeakSet<String> {
    let set = WeakSet::new();
    for x in items {
        set.add(x);
    }
    set
}

fn sorted(set: &WeakSet<String>) -> String {
    let mut v: Vec<String> = set.iter().map(|x| (*x).clone()).collect();
    v.sort();
    v.concat()
}

#[test]
fn test_weakset_len_contains_add_remove_pop() {
    let items = letters("abcde");
    let s = set_of(&items);
    assert_eq!(s.len(), 5);
    assert!(s.contains(&"c".to_string()));
    assert!(!s.contains(&"z".to_string()));
    let dup = Rc::new("a".to_string());
    assert!(!s.add(&dup), "an equal element is already there");
    assert_eq!(s.len(), 5);
    assert!(s.remove(&"a".to_string()));
    assert!(!s.remove(&"a".to_string()), "KeyError / discard of a missing element");
    let temp = Rc::new("temp".to_string());
    s.add(&temp);
    assert_eq!(s.len(), 5);
    drop(temp);
    assert_eq!(s.len(), 4, "a dead element leaves");
    let mut popped = 0;
    while let Some(x) = s.pop() {
        assert!(items.iter().any(|i| Rc::ptr_eq(i, &x)));
        popped += 1;
    }
    assert_eq!(popped, 4);
    assert!(s.pop().is_none(), "pop from an empty set");
}

#[test]
fn test_weakset_algebra() {
    let all = letters("abcdefg");
    let s = set_of(&all[0..4]); // a b c d
    let t = set_of(&all[2..6]); // c d e f
    assert_eq!(sorted(&s.union(&t)), "abcdef");
    assert_eq!(sorted(&s.intersection(&t)), "cd");
    assert_eq!(sorted(&s.difference(&t)), "ab");
    assert_eq!(sorted(&s.symmetric_difference(&t)), "abef");
    assert_eq!(sorted(&s), "abcd", "self unchanged");
    let cd = s.intersection(&t);
    assert!(cd.is_subset(&s) && cd.is_subset(&t));
    assert!(s.is_superset(&cd));
    assert!(!s.is_subset(&t));
    assert!(s.difference(&t).is_disjoint(&t));
    // On itself: union and intersection change nothing; the differences are empty.
    assert_eq!(sorted(&s.union(&s)), "abcd");
    assert_eq!(sorted(&s.intersection(&s)), "abcd");
    assert!(s.difference(&s).is_empty());
    assert!(s.symmetric_difference(&s).is_empty());
    // The results hold their elements weakly too.
    let u = s.union(&t);
    drop(all);
    assert!(u.is_empty() && s.is_empty() && t.is_empty());
}

#[test]
fn test_weakset_destroy_while_iterating() {
    let mut items = letters("abcdef");
    let s = set_of(&items);
    let mut it = s.iter();
    let first = it.next().unwrap();
    items.retain(|x| Rc::ptr_eq(x, &first) || x.as_str() < "d");
    drop(first);
    assert_eq!(s.len(), items.len());
    let rest: Vec<_> = it.collect();
    assert!(rest.iter().all(|x| items.iter().any(|i| Rc::ptr_eq(i, x))));
    // Explicit mutation stays consistent while elements die (issue 20006). The
    // iteration order is arbitrary: pick a letter that did die.
    let dead = ["d", "e", "f"]
        .into_iter()
        .map(str::to_string)
        .find(|l| !items.iter().any(|i| **i == *l))
        .unwrap();
    assert!(!s.contains(&dead));
    assert!(!s.remove(&dead));
    let again = Rc::new(dead.clone());
    s.add(&again);
    assert!(s.contains(&dead));
    s.clear();
    assert!(s.is_empty());
}

#[test]
fn identity_set_holds_equal_objects_apart() {
    let a = Rc::new(Object(1));
    let b = Rc::new(Object(1));
    let set = PtrWeakSet::new();
    assert!(set.add(&a));
    assert!(set.add(&b));
    assert!(!set.add(&a));
    assert_eq!(set.len(), 2);
    assert!(set.contains(&a) && set.contains(&b));
    drop(b);
    assert_eq!(set.len(), 1);
    assert_eq!(format!("{set:?}"), "{Object(1)}");
}

#[test]
fn lookups_by_a_borrowed_form_of_the_key() {
    // Issue #17, point 1: as `HashMap`'s, by-value lookups take any `Q` the keys borrow as.
    let map = WeakKeyMap::new();
    let door = Rc::new("door".to_owned());
    map.insert(&door, 1);
    assert_eq!(map.get("door"), Some(1));
    assert!(map.contains_key("door"));
    assert_eq!(map.get(&"door".to_owned()), Some(1), "the key type itself still works");
    assert_eq!(map.remove("door"), Some(1));
    assert!(map.is_empty());

    let set = WeakSet::new();
    let name = Rc::new("x".to_owned());
    set.add(&name);
    assert!(set.contains("x"));
    assert!(!set.contains("y"));
    assert!(set.remove("x"));
    assert!(!set.contains("x"));

    let boxed: WeakKeyMap<Vec<u8>, u8> = WeakKeyMap::new();
    let bytes = Rc::new(vec![1u8, 2]);
    boxed.insert(&bytes, 7);
    assert_eq!(boxed.get(&[1u8, 2][..]), Some(7), "a slice for Vec keys");
}

#[test]
fn key_map_and_set_iterate_by_reference_drain_and_compare() {
    let map = WeakKeyMap::new();
    let (a, b) = (Rc::new(1), Rc::new(2));
    map.insert(&a, "a");
    map.insert(&b, "b");
    let mut seen: Vec<_> = (&map).into_iter().map(|(k, v)| (*k, v)).collect();
    seen.sort();
    assert_eq!(seen, [(1, "a"), (2, "b")]);
    let other = WeakKeyMap::new();
    other.insert(&Rc::clone(&a), "a");
    assert!(map != other);
    other.insert(&b, "b");
    assert!(map == other);
    let mut drained: Vec<_> = map.drain().map(|(k, v)| (*k, v)).collect();
    drained.sort();
    assert_eq!(drained, [(1, "a"), (2, "b")]);
    assert!(map.is_empty());
    map.reserve(64);
    assert!(map.capacity() >= 64);
    map.shrink_to_fit();
    assert!(map.capacity() < 64);

    let set = WeakSet::new();
    set.add(&a);
    set.add(&b);
    let mut items: Vec<i32> = Vec::new();
    for x in &set {
        items.push(*x);
    }
    items.sort();
    assert_eq!(items, [1, 2]);
    let same = WeakSet::new();
    same.add(&a);
    assert!(set != same);
    same.add(&b);
    assert!(set == same);
    let drained: Vec<i32> = same.drain().map(|x| *x).collect();
    assert_eq!(drained.len(), 2);
    assert!(same.is_empty());
}

#[test]
fn set_algebra_with_any_hasher() {
    use std::hash::BuildHasherDefault;
    type Fixed = BuildHasherDefault<std::collections::hash_map::DefaultHasher>;
    let (a, b, c) = (Rc::new(1), Rc::new(2), Rc::new(3));
    let left = WeakSet::new();
    left.add(&a);
    left.add(&b);
    let right: WeakSet<i32, Fixed> = WeakSet::with_hasher(Fixed::default());
    right.add(&b);
    right.add(&c);
    let mut sym: Vec<i32> = left.symmetric_difference(&right).iter().map(|x| *x).collect();
    sym.sort();
    assert_eq!(sym, [1, 3]);
}
