//! The public `WeakValueMap`, written once and instantiated in `rc` and `sync` by
//! [`weak_value_map!`]: the flavour's module name, its strong pointer, its core
//! flavour, and the bounds its callbacks need (`'static`, or `Send + Sync + 'static`).

/// Defines `WeakValueMap` in the calling flavour module.
macro_rules! weak_value_map {
    ($module:ident, $Strong:ident, $Flavor:ident, $($bound:tt)+) => {


        #[doc = concat!("A hash map whose values are held weakly: an entry disappears the moment")]
        #[doc = concat!("its value dies (Python's `weakref.WeakValueDictionary`).")]
        ///
        #[doc = concat!("**`V` is the pointee, not the pointer:** a map of `", stringify!($Strong), "<Texture>` values is a")]
        #[doc = concat!("`WeakValueMap<K, Texture>`. (`weak-table` spells it `WeakValueHashMap<K, Weak<Texture>>`;")]
        #[doc = concat!("here, `WeakValueMap<K, ", stringify!($Strong), "<Texture>>` would hold `", stringify!($Strong), "<", stringify!($Strong), "<Texture>>` values,")]
        /// and a compiler hint to add `.into()` builds exactly that: a map of objects that
        /// die at once.)
        ///
        /// | `weak-table`                             | `weakrefs`                      |
        /// |------------------------------------------|---------------------------------|
        #[doc = concat!("| `WeakValueHashMap<String, Weak<Texture>>` | `WeakValueMap<String, Texture>` |")]
        #[doc = concat!("| `map.insert(k, ", stringify!($Strong), "::clone(&t))`           | `map.insert(k, ", stringify!($Strong), "::clone(&t))` |")]
        #[doc = concat!("| `map.get(&k) -> Option<", stringify!($Strong), "<Texture>>`     | `map.get(&k) -> Option<", stringify!($Strong), "<Texture>>` |")]
        ///
        #[doc = concat!("Values go in and come out as strong `", stringify!($Strong), "<V>` handles; the map")]
        /// keeps only a weak reference with a callback to each, and that callback removes
        /// the entry when the value's last strong handle is dropped, on that thread, before
        /// the drop returns. So [`len`](Self::len) is exact, and memory follows what is
        /// alive: there is no "expired entry" to purge later.
        ///
        /// The entry leaves when the value's death begins, before its `Drop` and its
        /// other callbacks run: inside them, `len`, `get`, `contains_key` and iteration
        /// agree that it is gone (see the crate docs, "When an entry leaves").
        ///
        /// * Replacing a value is safe against its later death: the old value's callback
        ///   removes an entry only if the entry still holds *that* value's reference.
        /// * The map does not keep its values alive, and the values do not keep the map
        ///   alive (their callbacks hold it weakly).
        /// * All methods take `&self` (the map locks itself), so a map can be shared and
        ///   used while values die around it, even from inside their callbacks.
        /// * Iteration walks a snapshot: values that die meanwhile are skipped, entries
        ///   added meanwhile are not seen, nothing panics.
        ///
        /// Each entry costs one weak reference with a callback (a small allocation), and
        /// stores its key's hash, computed once at insertion, so that the entry's removal
        /// when its value dies runs none of the key's code.
        ///
        /// # User code and panics
        ///
        /// Keys' `Eq` (comparing a probe) and `Clone` (for iteration's snapshot) run with
        /// the map locked; `Hash` runs before it is locked. They may drop the last handle
        /// of any value, of this map or another, and may panic: the panic reaches the
        /// caller, and removals handed over meanwhile are applied first, so the map stays
        /// exact and usable. Calling this map's methods from them panics (re-entrant use).
        /// What runs after the lock is released (keys' `Drop`, `retain`'s predicate,
        /// `get_or_insert_with`'s `make`) may use the map. See the crate docs, "Weak
        /// collections and user code".
        ///
        /// # Example
        ///
        /// ```
        #[doc = concat!("use weakrefs::", stringify!($module), "::{", stringify!($Strong), ", WeakValueMap};")]
        ///
        /// let cache = WeakValueMap::new();
        #[doc = concat!("let texture = ", stringify!($Strong), "::new(vec![0u8; 1024]);")]
        /// cache.insert("grass", texture.clone());
        /// assert_eq!(cache.get("grass").unwrap().len(), 1024);
        ///
        /// drop(texture); // the last strong handle: the entry goes now
        /// assert_eq!(cache.len(), 0);
        /// assert!(cache.get("grass").is_none());
        /// ```
        pub struct WeakValueMap<K, V: ?Sized, S = ::std::collections::hash_map::RandomState> {
            core: $crate::raw::value_map::ValueMapCore<K, V, $crate::flavor::$Flavor, S>,
        }

        impl<K: Eq + ::core::hash::Hash, V: ?Sized> WeakValueMap<K, V, ::std::collections::hash_map::RandomState> {
            /// An empty map.
            ///
            /// ```
            #[doc = concat!("use weakrefs::", stringify!($module), "::WeakValueMap;")]
            /// let map: WeakValueMap<String, Vec<u8>> = WeakValueMap::new();
            /// assert!(map.is_empty());
            /// ```
            pub fn new() -> Self {
                Self::with_capacity_and_hasher(0, ::std::collections::hash_map::RandomState::new())
            }

            /// An empty map with room for `capacity` entries.
            ///
            /// ```
            #[doc = concat!("use weakrefs::", stringify!($module), "::WeakValueMap;")]
            /// let map: WeakValueMap<u32, u32> = WeakValueMap::with_capacity(10);
            /// assert!(map.capacity() >= 10);
            /// ```
            pub fn with_capacity(capacity: usize) -> Self {
                Self::with_capacity_and_hasher(capacity, ::std::collections::hash_map::RandomState::new())
            }
        }

        impl<K: Eq + ::core::hash::Hash, V: ?Sized, S: ::core::hash::BuildHasher> WeakValueMap<K, V, S> {
            /// An empty map using `hasher`.
            ///
            /// ```
            /// use std::collections::hash_map::RandomState;
            #[doc = concat!("use weakrefs::", stringify!($module), "::WeakValueMap;")]
            /// let map: WeakValueMap<u32, u32> = WeakValueMap::with_hasher(RandomState::new());
            /// assert!(map.is_empty());
            /// ```
            pub fn with_hasher(hasher: S) -> Self {
                Self::with_capacity_and_hasher(0, hasher)
            }

            /// An empty map with room for `capacity` entries, using `hasher`.
            ///
            /// ```
            /// use std::collections::hash_map::RandomState;
            #[doc = concat!("use weakrefs::", stringify!($module), "::WeakValueMap;")]
            /// let map: WeakValueMap<u32, u32> = WeakValueMap::with_capacity_and_hasher(10, RandomState::new());
            /// assert!(map.capacity() >= 10);
            /// ```
            pub fn with_capacity_and_hasher(capacity: usize, hasher: S) -> Self {
                WeakValueMap { core: $crate::raw::value_map::ValueMapCore::with_capacity_and_hasher(capacity, hasher) }
            }

            /// The value under `key`, if it is alive.
            ///
            /// ```
            #[doc = concat!("use weakrefs::", stringify!($module), "::{", stringify!($Strong), ", WeakValueMap};")]
            /// let map = WeakValueMap::new();
            #[doc = concat!("let v = ", stringify!($Strong), "::new(1);")]
            /// map.insert(7, v.clone());
            /// assert_eq!(map.get(&7).as_deref(), Some(&1));
            /// assert!(map.get(&8).is_none());
            /// ```
            pub fn get<Q>(&self, key: &Q) -> Option<$crate::$module::$Strong<V>>
            where
                K: ::core::borrow::Borrow<Q>,
                Q: ::core::hash::Hash + Eq + ?Sized,
            {
                self.core.get(key).map(|raw| $crate::$module::$Strong { raw })
            }

            /// Whether `key` has an entry with a live value.
            ///
            /// ```
            #[doc = concat!("use weakrefs::", stringify!($module), "::{", stringify!($Strong), ", WeakValueMap};")]
            /// let map = WeakValueMap::new();
            #[doc = concat!("let v = ", stringify!($Strong), "::new(1);")]
            /// map.insert("k".to_owned(), v.clone());
            /// assert!(map.contains_key("k"));
            /// drop(v);
            /// assert!(!map.contains_key("k"));
            /// ```
            pub fn contains_key<Q>(&self, key: &Q) -> bool
            where
                K: ::core::borrow::Borrow<Q>,
                Q: ::core::hash::Hash + Eq + ?Sized,
            {
                self.core.contains_key(key)
            }

            /// Removes `key`'s entry; returns its value if it was alive.
            ///
            /// ```
            #[doc = concat!("use weakrefs::", stringify!($module), "::{", stringify!($Strong), ", WeakValueMap};")]
            /// let map = WeakValueMap::new();
            #[doc = concat!("let v = ", stringify!($Strong), "::new('v');")]
            /// map.insert("k", v.clone());
            /// assert_eq!(map.remove("k").as_deref(), Some(&'v'));
            /// assert!(map.remove("k").is_none());
            /// ```
            pub fn remove<Q>(&self, key: &Q) -> Option<$crate::$module::$Strong<V>>
            where
                K: ::core::borrow::Borrow<Q>,
                Q: ::core::hash::Hash + Eq + ?Sized,
            {
                self.core.remove(key).map(|raw| $crate::$module::$Strong { raw })
            }

            /// The number of entries. Exact: an entry goes when its value dies.
            #[doc = $crate::api::sync_only!($module, " A value dying on another thread right now may still be counted.")]
            ///
            /// ```
            #[doc = concat!("use weakrefs::", stringify!($module), "::{", stringify!($Strong), ", WeakValueMap};")]
            /// let map = WeakValueMap::new();
            #[doc = concat!("let (a, b) = (", stringify!($Strong), "::new(1), ", stringify!($Strong), "::new(2));")]
            /// map.insert(1, a.clone());
            /// map.insert(2, b.clone());
            /// assert_eq!(map.len(), 2);
            /// drop(a);
            /// assert_eq!(map.len(), 1); // exact: the dead entry is gone
            /// ```
            pub fn len(&self) -> usize {
                self.core.len()
            }

            /// Whether the map has no entries.
            ///
            /// ```
            #[doc = concat!("use weakrefs::", stringify!($module), "::{", stringify!($Strong), ", WeakValueMap};")]
            /// let map = WeakValueMap::new();
            /// assert!(map.is_empty());
            #[doc = concat!("let v = ", stringify!($Strong), "::new(1);")]
            /// map.insert(1, v.clone());
            /// assert!(!map.is_empty());
            /// drop(v);
            /// assert!(map.is_empty());
            /// ```
            pub fn is_empty(&self) -> bool {
                self.len() == 0
            }

            /// Removes every entry, and yields those whose value is alive (as strong
            /// handles), as `HashMap::drain` does. The map is empty when this returns,
            /// whether or not the iterator is used; the entries are dropped as it goes
            /// (or with it), outside the map's lock.
            ///
            /// ```
            #[doc = concat!("use weakrefs::", stringify!($module), "::{", stringify!($Strong), ", WeakValueMap};")]
            /// let map = WeakValueMap::new();
            #[doc = concat!("let a = ", stringify!($Strong), "::new(1);")]
            /// map.insert("a", a.clone());
            /// let drained: Vec<_> = map.drain().map(|(k, v)| (k, *v)).collect();
            /// assert_eq!(drained, [("a", 1)]);
            /// assert!(map.is_empty());
            /// ```
            pub fn drain(&self) -> Drain<K, V> {
                Drain { entries: self.core.drain() }
            }

            /// How many entries the map holds without allocating.
            ///
            /// ```
            #[doc = concat!("use weakrefs::", stringify!($module), "::WeakValueMap;")]
            /// let map: WeakValueMap<u32, u32> = WeakValueMap::with_capacity(100);
            /// assert!(map.capacity() >= 100);
            /// ```
            pub fn capacity(&self) -> usize {
                self.core.capacity()
            }

            /// Makes room for at least `additional` more entries without allocating.
            ///
            /// ```
            #[doc = concat!("use weakrefs::", stringify!($module), "::WeakValueMap;")]
            /// let map: WeakValueMap<u32, u32> = WeakValueMap::new();
            /// map.reserve(10);
            /// assert!(map.capacity() >= 10);
            /// ```
            pub fn reserve(&self, additional: usize) {
                self.core.reserve(additional)
            }

            /// Gives back the memory the entries do not need. (The map also shrinks by
            /// itself as its values die: memory follows what is alive.)
            ///
            /// ```
            #[doc = concat!("use weakrefs::", stringify!($module), "::WeakValueMap;")]
            /// let map: WeakValueMap<u32, u32> = WeakValueMap::with_capacity(1000);
            /// map.shrink_to_fit();
            /// assert!(map.capacity() < 1000);
            /// ```
            pub fn shrink_to_fit(&self) {
                self.core.shrink_to_fit()
            }

            /// Removes every entry.
            ///
            /// ```
            #[doc = concat!("use weakrefs::", stringify!($module), "::{", stringify!($Strong), ", WeakValueMap};")]
            /// let map = WeakValueMap::new();
            #[doc = concat!("let v = ", stringify!($Strong), "::new(1);")]
            /// map.insert(1, v.clone());
            /// map.clear();
            /// assert!(map.is_empty());
            /// assert_eq!(*v, 1); // the values live on
            /// ```
            pub fn clear(&self) {
                self.core.clear()
            }

            /// The weak references the map holds, one per entry (Python's
            /// `valuerefs()`); a value dying meanwhile makes its reference dead.
            ///
            /// ```
            #[doc = concat!("use weakrefs::", stringify!($module), "::{", stringify!($Strong), ", WeakValueMap};")]
            /// let map = WeakValueMap::new();
            #[doc = concat!("let v = ", stringify!($Strong), "::new(1);")]
            /// map.insert("k", v.clone());
            /// let refs = map.value_refs();
            /// assert_eq!(refs.len(), 1);
            /// assert_eq!(refs[0].upgrade().as_deref(), Some(&1));
            /// drop(v);
            /// assert!(refs[0].upgrade().is_none());
            /// ```
            pub fn value_refs(&self) -> Vec<$crate::$module::Weak<V>> {
                self.core.value_refs().into_iter().map(|raw| $crate::$module::Weak { raw }).collect()
            }
        }

        impl<K: Eq + ::core::hash::Hash + Clone, V: ?Sized, S: ::core::hash::BuildHasher> WeakValueMap<K, V, S> {
            /// The live entries, as `(key, value)` pairs with strong handles, from a
            /// snapshot taken now.
            ///
            /// ```
            #[doc = concat!("use weakrefs::", stringify!($module), "::{", stringify!($Strong), ", WeakValueMap};")]
            /// let map = WeakValueMap::new();
            #[doc = concat!("let (a, b) = (", stringify!($Strong), "::new(1), ", stringify!($Strong), "::new(2));")]
            /// map.insert("a", a.clone());
            /// map.insert("b", b.clone());
            /// drop(b);
            /// let entries: Vec<_> = map.iter().map(|(k, v)| (k, *v)).collect();
            /// assert_eq!(entries, [("a", 1)]);
            /// ```
            pub fn iter(&self) -> Iter<K, V> {
                Iter { entries: self.core.entries() }
            }

            /// The keys of the live entries, from a snapshot.
            ///
            /// ```
            #[doc = concat!("use weakrefs::", stringify!($module), "::{", stringify!($Strong), ", WeakValueMap};")]
            /// let map = WeakValueMap::new();
            #[doc = concat!("let (a, b) = (", stringify!($Strong), "::new(1), ", stringify!($Strong), "::new(2));")]
            /// map.insert("a", a.clone());
            /// map.insert("b", b.clone());
            /// drop(b);
            /// assert_eq!(map.keys().collect::<Vec<_>>(), ["a"]);
            /// ```
            pub fn keys(&self) -> impl Iterator<Item = K> {
                self.iter().map(|(key, _)| key)
            }

            /// The live values, from a snapshot.
            ///
            /// ```
            #[doc = concat!("use weakrefs::", stringify!($module), "::{", stringify!($Strong), ", WeakValueMap};")]
            /// let map = WeakValueMap::new();
            #[doc = concat!("let a = ", stringify!($Strong), "::new(1);")]
            /// map.insert("a", a.clone());
            /// let sum: i32 = map.values().map(|v| *v).sum();
            /// assert_eq!(sum, 1);
            /// ```
            pub fn values(&self) -> impl Iterator<Item = $crate::$module::$Strong<V>> {
                self.iter().map(|(_, value)| value)
            }

            /// Keeps only the entries for which `keep` returns `true`. `keep` runs
            /// without the map locked, on a snapshot.
            ///
            /// ```
            #[doc = concat!("use weakrefs::", stringify!($module), "::{", stringify!($Strong), ", WeakValueMap};")]
            /// let map = WeakValueMap::new();
            #[doc = concat!("let values: Vec<_> = (1..=4).map(", stringify!($Strong), "::new).collect();")]
            /// for (i, v) in values.iter().enumerate() {
            ///     map.insert(i, v.clone());
            /// }
            /// map.retain(|_, v| **v % 2 == 0);
            /// let mut left: Vec<i32> = map.values().map(|v| *v).collect();
            /// left.sort();
            /// assert_eq!(left, [2, 4]);
            /// ```
            pub fn retain(&self, mut keep: impl FnMut(&K, &$crate::$module::$Strong<V>) -> bool) {
                self.core.retain(|key, raw| keep(key, $crate::$module::$Strong::from_raw_ref(raw)))
            }

            /// Removes and returns some live entry (Python's `popitem`), or `None` if
            /// there is none.
            ///
            /// ```
            #[doc = concat!("use weakrefs::", stringify!($module), "::{", stringify!($Strong), ", WeakValueMap};")]
            /// let map = WeakValueMap::new();
            #[doc = concat!("let v = ", stringify!($Strong), "::new(1);")]
            /// map.insert("k", v.clone());
            /// let (key, value) = map.pop_item().unwrap();
            /// assert_eq!((key, *value), ("k", 1));
            /// assert!(map.pop_item().is_none());
            /// ```
            pub fn pop_item(&self) -> Option<(K, $crate::$module::$Strong<V>)> {
                self.core.pop_item().map(|(key, raw)| (key, $crate::$module::$Strong { raw }))
            }
        }

        impl<K, V: ?Sized, S> WeakValueMap<K, V, S>
        where
            K: Eq + ::core::hash::Hash + $($bound)+,
            V: $($bound)+,
            S: ::core::hash::BuildHasher + $($bound)+,
        {
            /// Inserts `key -> value`; returns the value it replaced, if alive. The map
            /// keeps only a weak reference: if `value` is the last strong handle, the
            /// value dies as this returns, and the entry with it.
            ///
            /// ```
            #[doc = concat!("use weakrefs::", stringify!($module), "::{", stringify!($Strong), ", WeakValueMap};")]
            /// let map = WeakValueMap::new();
            #[doc = concat!("let old = ", stringify!($Strong), "::new(1);")]
            /// map.insert("k", old.clone());
            #[doc = concat!("let new = ", stringify!($Strong), "::new(2);")]
            /// assert_eq!(map.insert("k", new.clone()).as_deref(), Some(&1));
            /// drop(old); // the replaced value's death does not remove the new entry
            /// assert_eq!(map.get("k").as_deref(), Some(&2));
            #[doc = concat!("map.insert(\"gone\", ", stringify!($Strong), "::new(3)); // dies at once")]
            /// assert!(!map.contains_key("gone"));
            /// ```
            pub fn insert(&self, key: K, value: $crate::$module::$Strong<V>) -> Option<$crate::$module::$Strong<V>> {
                self.core.insert(key, value.raw).map(|raw| $crate::$module::$Strong { raw })
            }

            /// The live value under `key`, or else `make()`'s, inserted (Python's
            /// `setdefault`, for caches). `make` runs without the map locked; if a live
            /// value is inserted under `key` meanwhile (by `make` itself), that value is
            /// returned instead and `make()`'s is dropped.
            #[doc = $crate::api::sync_only!($module, " The same holds for a value inserted by another thread meanwhile.")]
            ///
            ///
            /// `key` is borrowed (a borrowed form of the key type, as for `get`): a hit
            /// allocates nothing; a miss makes the key with `K::from(key.to_owned())`, so
            /// `&str` works for `String`, `Box<str>`, `Rc<str>` and `Arc<str>` keys (for
            /// `&'static str` keys, pass `&"k"`). Since several key types fit one `&Q`,
            /// a map whose key type nothing else fixes needs it written out.
            ///
            /// ```
            #[doc = concat!("use weakrefs::", stringify!($module), "::{", stringify!($Strong), ", WeakValueMap};")]
            /// let interned: WeakValueMap<String, String> = WeakValueMap::new();
            #[doc = concat!("let a = interned.get_or_insert_with(\"x\", || ", stringify!($Strong), "::new(\"x\".to_owned()));")]
            /// let b = interned.get_or_insert_with("x", || unreachable!()); // a hit: no allocation
            #[doc = concat!("assert!(", stringify!($Strong), "::ptr_eq(&a, &b));")]
            /// ```
            pub fn get_or_insert_with<Q>(&self, key: &Q, make: impl FnOnce() -> $crate::$module::$Strong<V>) -> $crate::$module::$Strong<V>
            where
                K: ::core::borrow::Borrow<Q> + From<<Q as ::std::borrow::ToOwned>::Owned>,
                Q: ::core::hash::Hash + Eq + ::std::borrow::ToOwned + ?Sized,
            {
                $crate::$module::$Strong { raw: self.core.get_or_insert_with(key, || make().raw) }
            }

            /// The entry for `key`, to read, insert or update in place, as `HashMap`'s.
            ///
            /// The entry reflects the map when `entry` was called: an occupied entry holds
            /// a strong handle to the value (which keeps it alive meanwhile); a vacant one
            /// re-checks when it inserts, as [`get_or_insert_with`](Self::get_or_insert_with)
            /// does. The map is not locked between the calls, so user code may run and use
            /// the map in between.
            ///
            /// ```
            #[doc = concat!("use weakrefs::", stringify!($module), "::{", stringify!($Strong), ", WeakValueMap};")]
            /// use std::sync::atomic::{AtomicU32, Ordering::SeqCst};
            ///
            /// let counters: WeakValueMap<&str, AtomicU32> = WeakValueMap::new();
            #[doc = concat!("let a = counters.entry(\"a\").or_insert_with(|| ", stringify!($Strong), "::new(AtomicU32::new(0)));")]
            /// counters.entry("a").and_modify(|c| { c.fetch_add(1, SeqCst); });
            /// assert_eq!(a.load(SeqCst), 1);
            /// ```
            pub fn entry(&self, key: K) -> $crate::$module::value_map::Entry<'_, K, V, S> {
                match self.get(&key) {
                    Some(value) => $crate::$module::value_map::Entry::Occupied($crate::$module::value_map::OccupiedEntry { map: self, key, value }),
                    None => $crate::$module::value_map::Entry::Vacant($crate::$module::value_map::VacantEntry { map: self, key }),
                }
            }
        }

        /// An iterator over a [`WeakValueMap`]'s live entries, made by
        /// [`WeakValueMap::iter`] or `for (key, value) in &map`.
        ///
        /// It walks a snapshot of the entries taken when it was made (so the map is not
        /// locked while it is used, and may change meanwhile), and yields each entry
        /// whose value is still alive when reached, as a strong handle.
        pub struct Iter<K, V: ?Sized> {
            entries: $crate::raw::table::LiveEntries<$crate::raw::value_map::EntryRef<K, V, $crate::flavor::$Flavor>>,
        }

        $crate::api::live_entries_iterator!(Iter<K, V: ?Sized>, (K, $crate::$module::$Strong<V>), |(key, raw)| (key, $crate::$module::$Strong { raw }));

        /// The entries taken out of a [`WeakValueMap`] by [`WeakValueMap::drain`],
        /// yielding those whose value is alive when reached.
        pub struct Drain<K, V: ?Sized> {
            entries: $crate::raw::table::LiveEntries<$crate::raw::value_map::EntryRef<K, V, $crate::flavor::$Flavor>>,
        }

        $crate::api::live_entries_iterator!(Drain<K, V: ?Sized>, (K, $crate::$module::$Strong<V>), |(key, raw)| (key, $crate::$module::$Strong { raw }));

        /// A view into one key's place in a [`WeakValueMap`], made by
        /// [`WeakValueMap::entry`]: occupied by a live value, or vacant.
        pub enum Entry<'a, K, V: ?Sized, S> {
            /// A live value is under the key (held strongly by the entry).
            Occupied(OccupiedEntry<'a, K, V, S>),
            /// No live value is under the key.
            Vacant(VacantEntry<'a, K, V, S>),
        }

        /// An [`Entry`] with a live value, which it holds strongly.
        pub struct OccupiedEntry<'a, K, V: ?Sized, S> {
            map: &'a WeakValueMap<K, V, S>,
            key: K,
            value: $crate::$module::$Strong<V>,
        }

        /// An [`Entry`] with no live value.
        pub struct VacantEntry<'a, K, V: ?Sized, S> {
            map: &'a WeakValueMap<K, V, S>,
            key: K,
        }

        impl<'a, K, V: ?Sized, S> Entry<'a, K, V, S>
        where
            K: Eq + ::core::hash::Hash + $($bound)+,
            V: $($bound)+,
            S: ::core::hash::BuildHasher + $($bound)+,
        {
            /// The entry's key.
            ///
            /// ```
            #[doc = concat!("use weakrefs::", stringify!($module), "::WeakValueMap;")]
            /// let map: WeakValueMap<&str, u8> = WeakValueMap::new();
            /// assert_eq!(*map.entry("k").key(), "k");
            /// ```
            pub fn key(&self) -> &K {
                match self {
                    Entry::Occupied(entry) => entry.key(),
                    Entry::Vacant(entry) => entry.key(),
                }
            }

            /// The live value under the key, or `value`, inserted; the result is the value
            /// the map holds when this returns. (For an occupied entry whose key was
            /// removed or replaced since [`entry`](WeakValueMap::entry), the entry's
            /// value is put back, or the newer one returned.) The map holds the value
            /// weakly: keep the returned handle (or another) to keep it.
            ///
            /// ```
            #[doc = concat!("use weakrefs::", stringify!($module), "::{", stringify!($Strong), ", WeakValueMap};")]
            /// let map = WeakValueMap::new();
            #[doc = concat!("let one = map.entry(\"k\").or_insert(", stringify!($Strong), "::new(1));")]
            #[doc = concat!("let still = map.entry(\"k\").or_insert(", stringify!($Strong), "::new(2));")]
            /// assert_eq!((*one, *still), (1, 1));
            /// ```
            pub fn or_insert(self, value: $crate::$module::$Strong<V>) -> $crate::$module::$Strong<V> {
                self.or_insert_with(|| value)
            }

            /// The live value under the key, or `make()`'s, inserted: the value the map
            /// holds when this returns. `make` runs only if the entry is vacant; a live
            /// value put under the key meanwhile is returned instead, and an occupied
            /// entry's value is put back if the key was removed meanwhile.
            ///
            /// ```
            #[doc = concat!("use weakrefs::", stringify!($module), "::{", stringify!($Strong), ", WeakValueMap};")]
            /// let map = WeakValueMap::new();
            #[doc = concat!("let made = map.entry(\"k\").or_insert_with(|| ", stringify!($Strong), "::new(\"made\"));")]
            /// assert_eq!(*made, "made");
            /// let again = map.entry("k").or_insert_with(|| unreachable!());
            #[doc = concat!("assert!(", stringify!($Strong), "::ptr_eq(&made, &again));")]
            /// ```
            pub fn or_insert_with(self, make: impl FnOnce() -> $crate::$module::$Strong<V>) -> $crate::$module::$Strong<V> {
                match self {
                    Entry::Occupied(OccupiedEntry { map, key, value }) => {
                        $crate::$module::$Strong { raw: map.core.get_or_insert_with_key(key, || value.raw) }
                    }
                    Entry::Vacant(VacantEntry { map, key }) => {
                        $crate::$module::$Strong { raw: map.core.get_or_insert_with_key(key, || make().raw) }
                    }
                }
            }

            /// Runs `f` on the live value, if there is one; returns the entry.
            ///
            /// ```
            #[doc = concat!("use weakrefs::", stringify!($module), "::{", stringify!($Strong), ", WeakValueMap};")]
            /// use std::sync::atomic::{AtomicU32, Ordering::SeqCst};
            /// let map = WeakValueMap::new();
            #[doc = concat!("let hits = ", stringify!($Strong), "::new(AtomicU32::new(0));")]
            /// map.insert("page", hits.clone());
            /// map.entry("page").and_modify(|h| { h.fetch_add(1, SeqCst); });
            /// map.entry("other").and_modify(|_| unreachable!());
            /// assert_eq!(hits.load(SeqCst), 1);
            /// ```
            pub fn and_modify(self, f: impl FnOnce(&$crate::$module::$Strong<V>)) -> Self {
                if let Entry::Occupied(entry) = &self {
                    f(&entry.value);
                }
                self
            }
        }

        impl<'a, K, V: ?Sized, S> OccupiedEntry<'a, K, V, S>
        where
            K: Eq + ::core::hash::Hash + $($bound)+,
            V: $($bound)+,
            S: ::core::hash::BuildHasher + $($bound)+,
        {
            /// The entry's key.
            ///
            /// ```
            #[doc = concat!("use weakrefs::", stringify!($module), "::{", stringify!($Strong), ", WeakValueMap};")]
            #[doc = concat!("use weakrefs::", stringify!($module), "::value_map::Entry;")]
            /// let map = WeakValueMap::new();
            #[doc = concat!("let v = ", stringify!($Strong), "::new(1);")]
            /// map.insert("k", v.clone());
            /// if let Entry::Occupied(entry) = map.entry("k") {
            ///     assert_eq!(*entry.key(), "k");
            /// }
            /// ```
            pub fn key(&self) -> &K {
                &self.key
            }

            /// The live value.
            ///
            /// ```
            #[doc = concat!("use weakrefs::", stringify!($module), "::{", stringify!($Strong), ", WeakValueMap};")]
            #[doc = concat!("use weakrefs::", stringify!($module), "::value_map::Entry;")]
            /// let map = WeakValueMap::new();
            #[doc = concat!("let v = ", stringify!($Strong), "::new(7);")]
            /// map.insert("k", v.clone());
            /// if let Entry::Occupied(entry) = map.entry("k") {
            ///     assert_eq!(**entry.get(), 7);
            /// }
            /// ```
            pub fn get(&self) -> &$crate::$module::$Strong<V> {
                &self.value
            }

            /// The live value, as a strong handle.
            ///
            /// ```
            #[doc = concat!("use weakrefs::", stringify!($module), "::{", stringify!($Strong), ", WeakValueMap};")]
            #[doc = concat!("use weakrefs::", stringify!($module), "::value_map::Entry;")]
            /// let map = WeakValueMap::new();
            #[doc = concat!("let v = ", stringify!($Strong), "::new(1);")]
            /// map.insert("k", v.clone());
            /// if let Entry::Occupied(entry) = map.entry("k") {
            #[doc = concat!("    assert!(", stringify!($Strong), "::ptr_eq(&entry.into_value(), &v));")]
            /// }
            /// ```
            pub fn into_value(self) -> $crate::$module::$Strong<V> {
                self.value
            }

            /// Puts `value` under the key; returns the live value the map held there (the
            /// entry's, or one put there since [`entry`](WeakValueMap::entry)), or the
            /// entry's if the map held none any more. The entry holds `value` from now
            /// on. (The key is cloned for the map: the entry keeps its own.)
            ///
            /// ```
            #[doc = concat!("use weakrefs::", stringify!($module), "::{", stringify!($Strong), ", WeakValueMap};")]
            #[doc = concat!("use weakrefs::", stringify!($module), "::value_map::Entry;")]
            /// let map = WeakValueMap::new();
            #[doc = concat!("let (old, new) = (", stringify!($Strong), "::new(1), ", stringify!($Strong), "::new(2));")]
            /// map.insert("k", old.clone());
            /// if let Entry::Occupied(mut entry) = map.entry("k") {
            ///     assert_eq!(*entry.insert(new.clone()), 1);
            /// }
            /// assert_eq!(map.get("k").as_deref(), Some(&2));
            /// ```
            pub fn insert(&mut self, value: $crate::$module::$Strong<V>) -> $crate::$module::$Strong<V>
            where
                K: Clone,
            {
                let replaced = self.map.insert(self.key.clone(), value.clone());
                let held = ::core::mem::replace(&mut self.value, value);
                replaced.unwrap_or(held)
            }

            /// Removes the entry, if the map still holds this entry's value under the key
            /// (a value put there since [`entry`](WeakValueMap::entry) stays); returns the
            /// entry's value.
            ///
            /// ```
            #[doc = concat!("use weakrefs::", stringify!($module), "::{", stringify!($Strong), ", WeakValueMap};")]
            #[doc = concat!("use weakrefs::", stringify!($module), "::value_map::Entry;")]
            /// let map = WeakValueMap::new();
            #[doc = concat!("let v = ", stringify!($Strong), "::new(7);")]
            /// map.insert("k", v.clone());
            /// if let Entry::Occupied(entry) = map.entry("k") {
            ///     assert_eq!(*entry.remove(), 7);
            /// }
            /// assert!(map.is_empty());
            /// ```
            pub fn remove(self) -> $crate::$module::$Strong<V> {
                self.map.core.remove_if_holds(&self.key, &self.value.raw);
                self.value
            }
        }

        impl<'a, K, V: ?Sized, S> VacantEntry<'a, K, V, S>
        where
            K: Eq + ::core::hash::Hash + $($bound)+,
            V: $($bound)+,
            S: ::core::hash::BuildHasher + $($bound)+,
        {
            /// The entry's key.
            ///
            /// ```
            #[doc = concat!("use weakrefs::", stringify!($module), "::WeakValueMap;")]
            #[doc = concat!("use weakrefs::", stringify!($module), "::value_map::Entry;")]
            /// let map: WeakValueMap<&str, i32> = WeakValueMap::new();
            /// if let Entry::Vacant(entry) = map.entry("k") {
            ///     assert_eq!(*entry.key(), "k");
            /// }
            /// ```
            pub fn key(&self) -> &K {
                &self.key
            }

            /// The key, taken back.
            ///
            /// ```
            #[doc = concat!("use weakrefs::", stringify!($module), "::WeakValueMap;")]
            #[doc = concat!("use weakrefs::", stringify!($module), "::value_map::Entry;")]
            /// let map: WeakValueMap<String, i32> = WeakValueMap::new();
            /// if let Entry::Vacant(entry) = map.entry("k".to_owned()) {
            ///     assert_eq!(entry.into_key(), "k");
            /// }
            /// ```
            pub fn into_key(self) -> K {
                self.key
            }

            /// Puts `value` under the key (replacing a value inserted meanwhile, as
            /// [`WeakValueMap::insert`] does); returns it.
            ///
            /// ```
            #[doc = concat!("use weakrefs::", stringify!($module), "::{", stringify!($Strong), ", WeakValueMap};")]
            #[doc = concat!("use weakrefs::", stringify!($module), "::value_map::Entry;")]
            /// let map = WeakValueMap::new();
            /// if let Entry::Vacant(entry) = map.entry("k") {
            #[doc = concat!("    let v = entry.insert(", stringify!($Strong), "::new(1));")]
            ///     assert_eq!(map.get("k").as_deref(), Some(&1));
            ///     drop(v); // the map holds it weakly
            /// }
            /// assert!(map.is_empty());
            /// ```
            pub fn insert(self, value: $crate::$module::$Strong<V>) -> $crate::$module::$Strong<V> {
                drop(self.map.insert(self.key, value.clone()));
                value
            }
        }

        impl<'a, K, V: ?Sized, S> IntoIterator for &'a WeakValueMap<K, V, S>
        where
            K: Eq + ::core::hash::Hash + Clone,
            S: ::core::hash::BuildHasher,
        {
            type Item = (K, $crate::$module::$Strong<V>);
            type IntoIter = Iter<K, V>;

            /// [`WeakValueMap::iter`]: `for (key, value) in &map`.
            fn into_iter(self) -> Iter<K, V> {
                self.iter()
            }
        }

        impl<K, V: ?Sized, S1, S2> PartialEq<WeakValueMap<K, V, S2>> for WeakValueMap<K, V, S1>
        where
            K: Eq + ::core::hash::Hash + Clone,
            V: PartialEq,
            S1: ::core::hash::BuildHasher,
            S2: ::core::hash::BuildHasher,
        {
            /// Whether the two maps have the same live entries, values compared by `==`
            /// (Python's `dict(a.items()) == dict(b.items())`): from snapshots, so
            /// values dying meanwhile may make it `false`.
            ///
            /// ```
            #[doc = concat!("use weakrefs::", stringify!($module), "::{", stringify!($Strong), ", WeakValueMap};")]
            #[doc = concat!("let (one, uno) = (", stringify!($Strong), "::new(1), ", stringify!($Strong), "::new(1));")]
            /// let (a, b) = (WeakValueMap::new(), WeakValueMap::new());
            /// a.insert("k", one.clone());
            /// b.insert("k", uno.clone());
            /// assert!(a == b); // equal values, even as different objects
            /// drop(uno);
            /// assert!(a != b);
            /// ```
            fn eq(&self, other: &WeakValueMap<K, V, S2>) -> bool {
                let mine: Vec<_> = self.iter().collect();
                let theirs = other.iter().count();
                mine.len() == theirs
                    && mine
                        .iter()
                        .all(|(key, value)| other.get(key).is_some_and(|v| *v == **value))
            }
        }

        impl<K: Eq + ::core::hash::Hash, V: ?Sized> Default for WeakValueMap<K, V, ::std::collections::hash_map::RandomState> {
            fn default() -> Self {
                Self::new()
            }
        }

        impl<K, V: ?Sized, S> Extend<(K, $crate::$module::$Strong<V>)> for WeakValueMap<K, V, S>
        where
            K: Eq + ::core::hash::Hash + $($bound)+,
            V: $($bound)+,
            S: ::core::hash::BuildHasher + $($bound)+,
        {
            fn extend<I: IntoIterator<Item = (K, $crate::$module::$Strong<V>)>>(&mut self, entries: I) {
                for (key, value) in entries {
                    self.insert(key, value);
                }
            }
        }

        impl<K, V: ?Sized> FromIterator<(K, $crate::$module::$Strong<V>)> for WeakValueMap<K, V, ::std::collections::hash_map::RandomState>
        where
            K: Eq + ::core::hash::Hash + $($bound)+,
            V: $($bound)+,
        {
            fn from_iter<I: IntoIterator<Item = (K, $crate::$module::$Strong<V>)>>(entries: I) -> Self {
                let mut map = Self::new();
                map.extend(entries);
                map
            }
        }

        impl<K, V: ?Sized, S> Clone for WeakValueMap<K, V, S>
        where
            K: Eq + ::core::hash::Hash + Clone + $($bound)+,
            V: $($bound)+,
            S: ::core::hash::BuildHasher + Clone + $($bound)+,
        {
            /// A new, independent map with the live entries (Python's `copy()`).
            fn clone(&self) -> Self {
                let copy = Self::with_hasher(self.core.hasher());
                for (key, value) in self.iter() {
                    copy.insert(key, value);
                }
                copy
            }
        }

        impl<K, V: ?Sized, S> ::core::fmt::Debug for WeakValueMap<K, V, S>
        where
            K: Eq + ::core::hash::Hash + Clone + ::core::fmt::Debug,
            V: ::core::fmt::Debug,
            S: ::core::hash::BuildHasher,
        {
            /// The live entries, as a map.
            fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                f.debug_map().entries(self.iter()).finish()
            }
        }
    };
}

pub(crate) use weak_value_map;
