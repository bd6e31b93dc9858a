//! CPython's `Lib/test/test_weakset.py` (`TestWeakSet`), the tests marked R or R~ in
//! the spec's §21.2, for both flavours, each asserting what CPython asserts. Python's
//! operators map to methods: `|` `union`, `&` `intersection`, `-` `difference`, `^`
//! `symmetric_difference`, `|=` `update`, `&=` `intersection_update`, `-=`
//! `difference_update`, `^=` `symmetric_difference_update`, `<=` `is_subset`, `<` a
//! subset of another length. Python's `TypeError`s for wrong argument types are
//! compile errors here, and `hash(WeakSet)` too (`WeakSet` is not `Hash`); the tests
//! that need a cycle collector (`test_gc`, `test_len_cycles`, `test_len_race`) wait
//! for one.

macro_rules! weakset_tests {
    ($flavour:ident, $Strong:ident) => {
        mod $flavour {
            use weakrefs::$flavour::{$Strong as Strong, WeakSet};

            /// CPython's `ustr`: a hashable, weakly referenceable string.
            type Obj = Strong<String>;

            fn obj(s: &str) -> Obj {
                Strong::new(s.to_owned())
            }

            /// The fixture of `setUp`: three sets over the letters of three words,
            /// with the objects they hold (kept alive by the fixture).
            struct Fixture {
                items: Vec<Obj>,
                items2: Vec<Obj>,
                s: WeakSet<String>,
                fs: WeakSet<String>,
                letters: Vec<Obj>,
            }

            fn letters(word: &str) -> Vec<Obj> {
                word.chars().map(|c| obj(&c.to_string())).collect()
            }

            fn set_of(items: &[Obj]) -> WeakSet<String> {
                let set = WeakSet::new();
                set.update(items.iter().cloned());
                set
            }

            fn setup() -> Fixture {
                let items = vec![obj("a"), obj("b"), obj("c")];
                let items2 = vec![obj("x"), obj("y"), obj("z")];
                let letters = letters("simsalabim");
                let s = set_of(&letters);
                let fs = set_of(&letters);
                Fixture {
                    items,
                    items2,
                    s,
                    fs,
                    letters,
                }
            }

            fn sorted(set: &WeakSet<String>) -> Vec<String> {
                let mut v: Vec<String> = set.iter().map(|x| (*x).clone()).collect();
                v.sort();
                v.dedup();
                v
            }

            fn names(items: &[Obj]) -> Vec<String> {
                let mut v: Vec<String> = items.iter().map(|x| (**x).clone()).collect();
                v.sort();
                v.dedup();
                v
            }

            #[test]
            fn test_len() {
                let f = setup();
                assert_eq!(f.s.len(), names(&f.letters).len());
                assert_eq!(f.fs.len(), 6, "the distinct letters of simsalabim");
                let x = obj("F");
                let single = WeakSet::new();
                single.add(&x);
                assert_eq!(single.len(), 1);
                drop(x);
                assert_eq!(single.len(), 0, "the only element died");
            }

            #[test]
            fn test_contains() {
                let f = setup();
                for c in &f.letters {
                    assert!(f.s.contains(&**c));
                }
                assert!(!f.s.contains("F"));
                // A dead element is not found by an equal new object.
                let o = obj("F");
                f.s.add(&o);
                assert!(f.s.contains("F"));
                drop(o);
                assert!(!f.s.contains("F"));
                let again = obj("F");
                assert!(!f.s.contains(&*again));
            }

            #[test]
            fn test_union() {
                let f = setup();
                let other = set_of(&f.items2);
                let u = f.s.union(&other);
                for c in f.letters.iter().chain(&f.items2) {
                    assert!(u.contains(&**c), "{c} in the union");
                }
                assert_eq!(sorted(&f.s), names(&f.letters), "self is unchanged");
                assert_eq!(u.len(), names(&f.letters).len() + 3);
            }

            #[test]
            fn test_or() {
                // `s | set(items2)` is `union`, `s |= items2` is `update`: the same members.
                let f = setup();
                let i = f.s.union(&set_of(&f.items2));
                let j = f.s.clone();
                j.update(f.items2.iter().cloned());
                assert_eq!(i, j);
            }

            #[test]
            fn test_intersection() {
                let f = setup();
                let other = set_of(&f.items2);
                let s = set_of(&f.items);
                let i = s.intersection(&other);
                assert!(i.is_empty());
                let overlap = set_of(&[f.items[0].clone(), f.items2[0].clone()]);
                let i = s.intersection(&overlap);
                assert_eq!(sorted(&i), ["a"]);
                assert_eq!(s.len(), 3, "self is unchanged");
            }

            #[test]
            fn test_isdisjoint() {
                let f = setup();
                assert!(f.s.is_disjoint(&set_of(&f.items2)));
                assert!(!f.s.is_disjoint(&set_of(&f.letters)));
            }

            #[test]
            fn test_and() {
                let f = setup();
                let i = f.s.intersection(&set_of(&f.items));
                let j = f.s.clone();
                j.intersection_update(&set_of(&f.items));
                assert_eq!(i, j);
            }

            #[test]
            fn test_difference() {
                let f = setup();
                let s = set_of(&f.items);
                let minus = set_of(&f.items[..1]);
                let i = s.difference(&minus);
                assert_eq!(sorted(&i), ["b", "c"]);
                assert_eq!(s.len(), 3, "self is unchanged");
            }

            #[test]
            fn test_sub() {
                let f = setup();
                let s = set_of(&f.items);
                let i = s.difference(&set_of(&f.items2));
                let j = s.clone();
                j.difference_update(&set_of(&f.items2));
                assert_eq!(i, j);
                assert_eq!(i, s);
            }

            #[test]
            fn test_symmetric_difference() {
                let f = setup();
                let s = set_of(&f.items);
                let other = set_of(&[f.items[0].clone(), f.items2[0].clone()]);
                let i = s.symmetric_difference(&other);
                assert_eq!(sorted(&i), ["b", "c", "x"]);
                assert_eq!(s.len(), 3, "self is unchanged");
            }

            #[test]
            fn test_xor() {
                let f = setup();
                let s = set_of(&f.items);
                let other = set_of(&[f.items[0].clone(), f.items2[0].clone()]);
                let i = s.symmetric_difference(&other);
                let j = s.clone();
                j.symmetric_difference_update(&other);
                assert_eq!(i, j);
            }

            #[test]
            fn test_sub_and_super() {
                let f = setup();
                let (p, q, r) = (
                    set_of(&f.items[..1]),
                    set_of(&f.items[..2]),
                    set_of(&f.items2[..1]),
                );
                assert!(p.is_subset(&q) && q.is_superset(&p));
                assert!(!q.is_subset(&p) && !p.is_superset(&q));
                assert!(!p.is_subset(&r) && !r.is_subset(&p));
                assert!(p.is_subset(&p) && p.is_superset(&p));
            }

            /// Python's `a < b`: a strict subset.
            fn lt(a: &WeakSet<String>, b: &WeakSet<String>) -> bool {
                a.is_subset(b) && a.len() != b.len()
            }

            #[test]
            fn test_lt() {
                let f = setup();
                let (p, q) = (set_of(&f.items[..1]), set_of(&f.items[..2]));
                assert!(lt(&p, &q));
                assert!(!lt(&q, &p));
                assert!(!lt(&p, &p));
                let (e1, e2) = (WeakSet::new(), WeakSet::new());
                assert!(!lt(&e1, &e2), "an empty set is not < an empty set");
            }

            #[test]
            fn test_gt() {
                let f = setup();
                let (p, q) = (set_of(&f.items[..1]), set_of(&f.items[..2]));
                assert!(lt(&p, &q) && !lt(&q, &p), "q > p");
                let (e1, e2): (WeakSet<String>, WeakSet<String>) = (WeakSet::new(), WeakSet::new());
                assert!(!lt(&e2, &e1), "an empty set is not > an empty set");
            }

            #[test]
            fn test_constructor_identity() {
                let f = setup();
                let t = f.s.clone();
                assert_eq!(t, f.s);
                let x = obj("new");
                t.add(&x);
                assert!(!f.s.contains("new"), "a new, distinct set");
            }

            #[test]
            fn test_clear() {
                let f = setup();
                f.s.clear();
                assert!(f.s.is_empty());
                assert_eq!(f.s.len(), 0);
            }

            #[test]
            fn test_copy() {
                let f = setup();
                let dup = f.s.clone();
                assert_eq!(f.s, dup);
                assert_eq!(sorted(&dup), names(&f.letters));
            }

            #[test]
            fn test_add() {
                let f = setup();
                let x = obj("Q");
                f.s.add(&x);
                assert!(f.s.contains("Q"));
                let dup = f.s.clone();
                f.s.add(&x);
                assert_eq!(f.s, dup, "adding a present element changes nothing");
                // A temporary element, added and dead at once, leaves nothing behind.
                let fs = WeakSet::new();
                let kept = obj("kept");
                fs.add(&kept);
                fs.add(&obj("temporary"));
                assert_eq!(fs.len(), 1);
            }

            #[test]
            fn test_remove() {
                let f = setup();
                let x = obj("a");
                f.s.remove(&*x);
                assert!(!f.s.contains(&*x));
                // Python raises `KeyError`: `remove` returns `false`.
                assert!(!f.s.remove(&*x));
            }

            #[test]
            fn test_discard() {
                let f = setup();
                let (a, q) = (obj("a"), obj("Q"));
                f.s.remove(&*a);
                assert!(!f.s.contains(&*a));
                f.s.remove(&*q); // discarding an absent element is fine
            }

            #[test]
            fn test_pop() {
                let f = setup();
                for _ in 0..f.s.len() {
                    let elem = f.s.pop().expect("an element");
                    assert!(!f.s.contains(&*elem));
                }
                // Python raises `KeyError('pop from empty WeakSet')`.
                assert!(f.s.pop().is_none());
            }

            #[test]
            fn test_update() {
                let f = setup();
                f.s.update(f.items2.iter().cloned());
                for c in f.items2.iter().chain(&f.letters) {
                    assert!(f.s.contains(&**c));
                }
            }

            #[test]
            fn test_update_set() {
                let f = setup();
                f.s.update(set_of(&f.items2).iter());
                for c in f.items2.iter().chain(&f.letters) {
                    assert!(f.s.contains(&**c));
                }
            }

            #[test]
            fn test_ior() {
                let f = setup();
                f.s.update(set_of(&f.items2).iter());
                for c in f.items2.iter().chain(&f.letters) {
                    assert!(f.s.contains(&**c));
                }
            }

            #[test]
            fn test_intersection_update() {
                let f = setup();
                let s = set_of(&f.items);
                s.intersection_update(&set_of(&f.items2));
                assert!(s.is_empty());
                let s = set_of(&f.items);
                s.intersection_update(&set_of(&f.items[1..]));
                assert_eq!(sorted(&s), ["b", "c"]);
            }

            #[test]
            fn test_iand() {
                let f = setup();
                let s = set_of(&f.items);
                let other = set_of(&[f.items[0].clone(), f.items2[0].clone()]);
                s.intersection_update(&other);
                assert_eq!(sorted(&s), ["a"]);
            }

            #[test]
            fn test_difference_update() {
                let f = setup();
                let s = set_of(&f.items);
                s.difference_update(&set_of(&f.items2));
                assert_eq!(sorted(&s), ["a", "b", "c"]);
                s.difference_update(&set_of(&f.items[..2]));
                assert_eq!(sorted(&s), ["c"]);
            }

            #[test]
            fn test_isub() {
                let f = setup();
                let s = set_of(&f.items);
                s.difference_update(&set_of(&f.items[..1]));
                assert_eq!(sorted(&s), ["b", "c"]);
            }

            #[test]
            fn test_symmetric_difference_update() {
                let f = setup();
                let s = set_of(&f.items);
                s.symmetric_difference_update(&set_of(&f.items2));
                assert_eq!(sorted(&s), ["a", "b", "c", "x", "y", "z"]);
                s.symmetric_difference_update(&set_of(&f.items2));
                assert_eq!(sorted(&s), ["a", "b", "c"]);
            }

            #[test]
            fn test_ixor() {
                let f = setup();
                let s = set_of(&f.items);
                s.symmetric_difference_update(&set_of(&[f.items[0].clone(), f.items2[0].clone()]));
                assert_eq!(sorted(&s), ["b", "c", "x"]);
            }

            #[test]
            fn test_inplace_on_self() {
                let f = setup();
                let t = f.s.clone();
                t.update(t.iter());
                assert_eq!(t, f.s, "t |= t changes nothing");
                t.intersection_update(&t);
                assert_eq!(t, f.s, "t &= t changes nothing");
                t.difference_update(&t);
                assert!(t.is_empty(), "t -= t empties t");
                let t = f.s.clone();
                t.symmetric_difference_update(&t);
                assert!(t.is_empty(), "t ^= t empties t");
            }

            #[test]
            fn test_eq() {
                // Equal only to a `WeakSet` (anything else does not compile); by
                // members, whatever the objects.
                let f = setup();
                assert_eq!(f.s, set_of(&f.letters));
                assert_ne!(f.s, set_of(&f.items));
                let other_objects = letters("simsalabim");
                let twins = set_of(&other_objects);
                assert_eq!(f.s, twins, "equal strings, other objects");
            }

            #[test]
            fn test_ne() {
                let f = setup();
                let s1 = set_of(&f.items);
                let s2 = set_of(&f.items[..2]);
                assert!(s1 != s2);
                assert!(!(s1 != s1.clone()));
            }

            #[test]
            fn test_weak_destroy_while_iterating() {
                // bpo-7105: an element dying while the set is iterated is safe; the
                // removal takes effect at once here (CPython defers it until the
                // iterator is done).
                let mut items: Vec<Option<Obj>> = letters("abcdef").into_iter().map(Some).collect();
                let s = WeakSet::new();
                items.iter().flatten().for_each(|x| {
                    s.add(x);
                });
                let n = s.len();
                let mut it = s.iter();
                let first = it.next().expect("an element");
                // Kill every element but the one yielded.
                for slot in items.iter_mut() {
                    if slot.as_ref().is_some_and(|x| Strong::ptr_eq(x, &first)) {
                        continue;
                    }
                    *slot = None;
                }
                assert_eq!(s.len(), 1, "the dead went at once");
                assert!(
                    it.all(|x| Strong::ptr_eq(&x, &first) || x.is_empty()),
                    "nothing dead is yielded"
                );
                assert!(n > 1);
                drop(first);
            }

            #[test]
            fn test_weak_destroy_and_mutate_while_iterating() {
                // Issue 20006: `in`, `remove`, `add`, `update` and `clear` stay
                // consistent while an element dies during iteration.
                let mut items: Vec<Obj> = letters("abcdef");
                let s = set_of(&items);
                let (u, v) = (obj("u"), obj("v"));
                let mut it = s.iter();
                let yielded = it.next().unwrap();
                // Another element loses its last strong handle while the iterator lives.
                let at = items
                    .iter()
                    .position(|x| !Strong::ptr_eq(x, &yielded))
                    .unwrap();
                let name = (*items.remove(at)).clone();
                assert!(!s.contains(name.as_str()), "a dead element is not found");
                assert_eq!(s.len(), 5);
                assert!(!s.contains(&*u));
                s.add(&u);
                assert!(s.contains(&*u));
                assert!(s.remove(&*u));
                assert!(!s.contains(&*u));
                s.update([v.clone()]);
                assert!(s.contains(&*v));
                assert!(
                    it.all(|x| (*x).as_str() != name),
                    "the dead one is not yielded"
                );
                s.clear();
                assert_eq!(s.len(), 0);
                drop(yielded);
            }

            #[test]
            fn test_repr() {
                // R~: Python compares with the repr of the underlying set; ours is the
                // set of live elements, as `{...}`.
                let x = obj("x");
                let s = WeakSet::new();
                s.add(&x);
                assert_eq!(format!("{s:?}"), "{\"x\"}");
                drop(x);
                assert_eq!(format!("{s:?}"), "{}");
            }
        }
    };
}

weakset_tests!(rc, Rc);
weakset_tests!(sync, Arc);
