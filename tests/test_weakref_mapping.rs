//! CPython's mapping tests of the weak dictionaries, marked R or R~ in the spec's §21.1
//! and not ported elsewhere (`tests/cases/value_map.rs` and `key_map.rs` have the
//! rest): `MappingTestCase`'s construction and `repr` tests, and the general mapping
//! protocol of `Lib/test/mapping_tests.py` (`BasicTestMappingProtocol`), which
//! `WeakValueDictionaryTestCase` and `WeakKeyDictionaryTestCase` run on each kind; for
//! both flavours. Python's `d[k]` is `get` (`KeyError` is `None`), `del d[k]` and
//! `d.pop(k)` are `remove`, `d.update(other)` is `extend` (or inserting each entry),
//! `bool(d)` is `!is_empty()`.

macro_rules! mapping_tests {
    ($flavour:ident, $Strong:ident) => {
        mod $flavour {
            use weakrefs::$flavour::{$Strong as Strong, WeakKeyMap, WeakValueMap};

            /// CPython's `Object`: a hashable, weakly referenceable value.
            #[derive(Debug, PartialEq, Eq, Hash, Clone, PartialOrd, Ord)]
            struct Object(i32);

            /// The reference mapping of `_reference()`: three entries.
            fn objects() -> Vec<Strong<Object>> {
                (1..=3).map(|i| Strong::new(Object(i))).collect()
            }

            fn value_map(objs: &[Strong<Object>]) -> WeakValueMap<i32, Object> {
                let map = WeakValueMap::new();
                for o in objs {
                    map.insert(o.0, o.clone());
                }
                map
            }

            fn key_map(objs: &[Strong<Object>]) -> WeakKeyMap<Object, i32> {
                let map = WeakKeyMap::new();
                for o in objs {
                    map.insert(o, o.0 * 10);
                }
                map
            }

            // MappingTestCase.

            #[test]
            fn test_make_weak_keyed_dict_from_dict() {
                let o = Strong::new(Object(3));
                let dict: WeakKeyMap<Object, i32> = [(o.clone(), 364)].into_iter().collect();
                assert_eq!(dict.get(&Object(3)), Some(364));
            }

            #[test]
            fn test_make_weak_keyed_dict_from_weak_keyed_dict() {
                let o = Strong::new(Object(3));
                let dict: WeakKeyMap<Object, i32> = [(o.clone(), 364)].into_iter().collect();
                let dict2 = dict.clone();
                assert_eq!(dict2.get(&Object(3)), Some(364));
            }

            #[test]
            fn test_make_weak_valued_dict_repr() {
                // R~: the entries, as a map, rather than Python's `<WeakValueDictionary at 0x…>`.
                let o = Strong::new(Object(1));
                let dict = WeakValueMap::new();
                dict.insert(1, o.clone());
                assert_eq!(format!("{dict:?}"), "{1: Object(1)}");
            }

            #[test]
            fn test_make_weak_keyed_dict_repr() {
                let o = Strong::new(Object(1));
                let dict = WeakKeyMap::new();
                dict.insert(&o, "one");
                assert_eq!(format!("{dict:?}"), "{Object(1): \"one\"}");
            }

            // BasicTestMappingProtocol, on a WeakValueDictionary (values die) and on a
            // WeakKeyDictionary (keys die).

            #[test]
            fn test_read() {
                let objs = objects();
                let (v, k) = (value_map(&objs), key_map(&objs));
                for o in &objs {
                    assert!(v.contains_key(&o.0));
                    assert_eq!(v.get(&o.0).as_deref(), Some(&**o));
                    assert!(k.contains_key(&**o));
                    assert_eq!(k.get(&**o), Some(o.0 * 10));
                }
                assert!(!v.contains_key(&4) && v.get(&4).is_none());
                assert!(!k.contains_key(&Object(4)) && k.get(&Object(4)).is_none());
                assert_eq!(v.len(), 3);
                assert_eq!(k.len(), 3);
            }

            #[test]
            fn test_write() {
                let objs = objects();
                let (v, k) = (value_map(&objs), key_map(&objs));
                let new = Strong::new(Object(9));
                // Test for write operations on the mapping.
                v.insert(1, new.clone());
                assert_eq!(v.get(&1).as_deref(), Some(&Object(9)));
                k.insert(&objs[0], 99);
                assert_eq!(k.get(&Object(1)), Some(99));
                assert_eq!(v.remove(&1).as_deref(), Some(&Object(9)));
                assert!(!v.contains_key(&1));
                assert_eq!(k.remove(&Object(1)), Some(99));
                assert!(!k.contains_key(&Object(1)));
                // Deleting an absent key (Python's KeyError).
                assert!(v.remove(&1).is_none());
                assert!(k.remove(&Object(1)).is_none());
            }

            #[test]
            fn test_constructor() {
                let v: WeakValueMap<i32, Object> = WeakValueMap::new();
                let k: WeakKeyMap<Object, i32> = WeakKeyMap::new();
                assert!(v.is_empty() && k.is_empty());
                assert!(v == WeakValueMap::new());
            }

            #[test]
            fn test_bool() {
                let objs = objects();
                let v = value_map(&objs);
                assert!(!v.is_empty());
                assert!(WeakValueMap::<i32, Object>::new().is_empty());
                let k = key_map(&objs);
                assert!(!k.is_empty());
                drop(objs);
                assert!(v.is_empty() && k.is_empty(), "every referent died");
            }

            #[test]
            fn test_keys() {
                let objs = objects();
                let v = value_map(&objs);
                let mut keys: Vec<i32> = v.keys().collect();
                keys.sort();
                assert_eq!(keys, [1, 2, 3]);
                let k = key_map(&objs);
                let mut keys: Vec<Object> = k.keys().map(|o| (*o).clone()).collect();
                keys.sort();
                assert_eq!(keys, [Object(1), Object(2), Object(3)]);
                assert_eq!(WeakValueMap::<i32, Object>::new().keys().count(), 0);
            }

            #[test]
            fn test_values() {
                let objs = objects();
                let v = value_map(&objs);
                let mut values: Vec<Object> = v.values().map(|o| (*o).clone()).collect();
                values.sort();
                assert_eq!(values, [Object(1), Object(2), Object(3)]);
                let k = key_map(&objs);
                let mut values: Vec<i32> = k.values().collect();
                values.sort();
                assert_eq!(values, [10, 20, 30]);
            }

            #[test]
            fn test_items() {
                let objs = objects();
                let v = value_map(&objs);
                let mut items: Vec<(i32, Object)> =
                    v.iter().map(|(k, o)| (k, (*o).clone())).collect();
                items.sort();
                assert_eq!(items, [(1, Object(1)), (2, Object(2)), (3, Object(3))]);
                let k = key_map(&objs);
                let mut items: Vec<(Object, i32)> =
                    k.iter().map(|(o, x)| ((*o).clone(), x)).collect();
                items.sort();
                assert_eq!(items, [(Object(1), 10), (Object(2), 20), (Object(3), 30)]);
            }

            #[test]
            fn test_len() {
                let objs = objects();
                let (v, k) = (value_map(&objs), key_map(&objs));
                assert_eq!((v.len(), k.len()), (3, 3));
                let mut objs = objs;
                objs.pop();
                assert_eq!(
                    (v.len(), k.len()),
                    (2, 2),
                    "the referent died: its entry too"
                );
                assert_eq!(WeakValueMap::<i32, Object>::new().len(), 0);
            }

            #[test]
            fn test_getitem() {
                let objs = objects();
                let v = value_map(&objs);
                assert_eq!(v.get(&1).as_deref(), Some(&Object(1)));
                assert!(v.get(&42).is_none());
                let k = key_map(&objs);
                assert_eq!(k.get(&Object(2)), Some(20));
                assert!(k.get(&Object(42)).is_none());
            }

            #[test]
            fn test_update() {
                let objs = objects();
                let extra = Strong::new(Object(4));
                let mut v = WeakValueMap::new();
                v.extend(objs.iter().map(|o| (o.0, o.clone())));
                v.extend([(4, extra.clone())]);
                assert_eq!(v.len(), 4);
                assert!(v.contains_key(&4));
                // Updating with the same keys replaces the values.
                let replacement = Strong::new(Object(7));
                v.extend([(1, replacement.clone())]);
                assert_eq!(v.get(&1).as_deref(), Some(&Object(7)));
                let mut k = WeakKeyMap::new();
                k.extend(objs.iter().map(|o| (o.clone(), o.0)));
                k.extend([(objs[0].clone(), 100)]);
                assert_eq!(k.get(&Object(1)), Some(100));
                assert_eq!(k.len(), 3);
            }

            #[test]
            fn test_get() {
                let objs = objects();
                let v = value_map(&objs);
                assert!(v.get(&4).is_none());
                assert_eq!(v.get(&3).as_deref(), Some(&Object(3)));
                let k = key_map(&objs);
                assert_eq!(k.get(&Object(3)).unwrap_or(-1), 30);
                assert_eq!(k.get(&Object(4)).unwrap_or(-1), -1);
            }

            #[test]
            fn test_setdefault() {
                let objs = objects();
                let v = value_map(&objs);
                let fresh = Strong::new(Object(5));
                let got = v.get_or_insert_with(&5, || fresh.clone());
                assert!(Strong::ptr_eq(&got, &fresh));
                let again = v.get_or_insert_with(&5, || unreachable!());
                assert!(Strong::ptr_eq(&again, &fresh), "setdefault keeps the value");
                let k = key_map(&objs);
                assert_eq!(k.get_or_insert_with(&objs[0], || 0), 10);
            }

            #[test]
            fn test_popitem() {
                let objs = objects();
                let v = value_map(&objs);
                for remaining in (0..3).rev() {
                    let (key, value) = v.pop_item().expect("an entry");
                    assert_eq!(key, value.0, "a matching pair");
                    assert_eq!(v.len(), remaining);
                }
                assert!(v.pop_item().is_none(), "Python's KeyError on an empty dict");
                let k = key_map(&objs);
                for remaining in (0..3).rev() {
                    let (key, value) = k.pop_item().expect("an entry");
                    assert_eq!(key.0 * 10, value);
                    assert_eq!(k.len(), remaining);
                }
                assert!(k.pop_item().is_none());
            }

            #[test]
            fn test_pop() {
                let objs = objects();
                let v = value_map(&objs);
                assert_eq!(v.remove(&1).as_deref(), Some(&Object(1)));
                assert!(v.remove(&1).is_none(), "a second pop finds nothing");
                assert_eq!(v.len(), 2);
                let k = key_map(&objs);
                assert_eq!(k.remove(&Object(2)), Some(20));
                assert!(k.remove(&Object(2)).is_none());
                assert_eq!(k.len(), 2);
            }
        }
    };
}

mapping_tests!(rc, Rc);
mapping_tests!(sync, Arc);
