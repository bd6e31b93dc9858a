//! The public weak-key maps and weak sets, written once: [`weak_key_map!`] and
//! [`weak_set!`] are instantiated in `rc` and `sync`, by value and by identity.
//!
//! Parameters: the flavour's module name and strong pointer, its core flavour, the
//! type's name, the key policy, what a lookup takes (`&K` by value, `&Rc<K>` by
//! identity) and how to get a `&K` from it, the bounds keys need for the policy, and
//! the bounds callbacks need (`'static`, or `Send + Sync + 'static`).

/// Defines a weak-key map type in the calling flavour module.
macro_rules! weak_key_map {
    (
        $module:ident, $Strong:ident, $Flavor:ident, $Name:ident, $Policy:ty,
        lookup: $lookup:ident,
        key_bounds: [$($kb:tt)*], bounds: [$($bound:tt)+],
        compare: $compare:literal
    ) => {
        $crate::api::key_map::key_map_lookups!($lookup, $module, $Strong, $Name, [$($kb)*]);

        #[doc = concat!("A hash map whose keys are held weakly, compared ", $compare, ": an entry")]
        /// disappears the moment its key object dies (Python's `weakref.WeakKeyDictionary`).
        ///
        #[doc = concat!("Keys go in as strong `", stringify!($Strong), "<K>` handles and the map keeps a weak")]
        /// reference with a callback to each; the callback removes the entry when the
        /// key's last strong handle is dropped, on that thread, before the drop returns,
        /// so [`len`](Self::len) is exact and the values of dead keys are freed at once.
        /// The entry leaves when the key's death begins, before its `Drop` and its other
        /// callbacks run: inside them, `len`, lookups and iteration agree that it is
        /// gone (see the crate docs, "When an entry leaves").
        ///
        /// * An entry stays tied to the key object first inserted: inserting an equal key
        ///   replaces the value only, and the entry goes when the first object dies.
        /// * The key's hash is computed once, at insertion; a dead key matches nothing.
        /// * All methods take `&self`; iteration walks a snapshot (keys dying meanwhile
        ///   are skipped). Reading values clones them (`V: Clone`): the map locks itself
        ///   and cannot lend references out.
        ///
        /// # User code and panics
        ///
        /// Keys' `Eq` (comparing a probe with the stored keys) and values' `Clone` (for
        /// reads) run with the map locked; `Hash` runs before it is locked, and a key's
        /// hash is computed once, at insertion, so the removal of a dead key runs none of
        /// its code. That code may drop the last handle of any key, of this map or
        /// another, and may panic: the panic reaches the caller, and removals handed over
        /// meanwhile are applied first, so the map stays exact and usable. Calling this
        /// map's methods from it panics (re-entrant use). What runs after the lock is
        /// released (values' `Drop`, `retain`'s predicate, `get_or_insert_with`'s `make`)
        /// may use the map. See the crate docs, "Weak collections and user code".
        ///
        /// # Example
        ///
        /// ```
        #[doc = concat!("use weakrefs::", stringify!($module), "::{", stringify!($Strong), ", ", stringify!($Name), "};")]
        ///
        /// // Side data about objects, gone with them.
        #[doc = concat!("let notes = ", stringify!($Name), "::new();")]
        #[doc = concat!("let window = ", stringify!($Strong), "::new(\"main window\".to_owned());")]
        /// notes.insert(&window, "resized twice");
        #[doc = $crate::api::key_map::by_lookup!($lookup,
            "assert_eq!(notes.get(\"main window\"), Some(\"resized twice\")); // by value: any borrowed form",
            "assert_eq!(notes.get(&window), Some(\"resized twice\")); // by identity: the key's handle")]
        /// drop(window);
        /// assert!(notes.is_empty());
        /// ```
        pub struct $Name<K: ?Sized, V, S = ::std::collections::hash_map::RandomState> {
            core: $crate::raw::key_map::KeyMapCore<K, V, $crate::flavor::$Flavor, S, $Policy>,
        }

        impl<K: $($kb)* ?Sized + 'static, V> $Name<K, V, ::std::collections::hash_map::RandomState> {
            /// An empty map.
            ///
            /// ```
            #[doc = concat!("use weakrefs::", stringify!($module), "::", stringify!($Name), ";")]
            #[doc = concat!("let map: ", stringify!($Name), "<String, u32> = ", stringify!($Name), "::new();")]
            /// assert!(map.is_empty());
            /// ```
            pub fn new() -> Self {
                Self::with_capacity_and_hasher(0, Default::default())
            }

            /// An empty map with room for `capacity` entries.
            ///
            /// ```
            #[doc = concat!("use weakrefs::", stringify!($module), "::", stringify!($Name), ";")]
            #[doc = concat!("let map: ", stringify!($Name), "<u32, u32> = ", stringify!($Name), "::with_capacity(10);")]
            /// assert!(map.capacity() >= 10);
            /// ```
            pub fn with_capacity(capacity: usize) -> Self {
                Self::with_capacity_and_hasher(capacity, Default::default())
            }
        }

        impl<K: $($kb)* ?Sized + 'static, V> Default for $Name<K, V, ::std::collections::hash_map::RandomState> {
            fn default() -> Self {
                Self::new()
            }
        }

        impl<K: $($kb)* ?Sized + 'static, V, S: ::core::hash::BuildHasher> $Name<K, V, S> {
            /// An empty map with room for `capacity` entries, using `hasher`.
            ///
            /// ```
            /// use std::collections::hash_map::RandomState;
            #[doc = concat!("use weakrefs::", stringify!($module), "::", stringify!($Name), ";")]
            #[doc = concat!("let map: ", stringify!($Name), "<u32, u32> = ", stringify!($Name), "::with_capacity_and_hasher(10, RandomState::new());")]
            /// assert!(map.capacity() >= 10);
            /// ```
            pub fn with_capacity_and_hasher(capacity: usize, hasher: S) -> Self {
                $Name { core: $crate::raw::key_map::KeyMapCore::with_capacity_and_hasher(capacity, hasher) }
            }

            /// An empty map using `hasher`.
            ///
            /// ```
            /// use std::collections::hash_map::RandomState;
            #[doc = concat!("use weakrefs::", stringify!($module), "::", stringify!($Name), ";")]
            #[doc = concat!("let map: ", stringify!($Name), "<u32, u32> = ", stringify!($Name), "::with_hasher(RandomState::new());")]
            /// assert!(map.is_empty());
            /// ```
            pub fn with_hasher(hasher: S) -> Self {
                Self::with_capacity_and_hasher(0, hasher)
            }

            /// The number of entries. Exact: an entry goes when its key dies.
            #[doc = $crate::api::sync_only!($module, " A key dying on another thread right now may still be counted.")]
            ///
            /// ```
            #[doc = concat!("use weakrefs::", stringify!($module), "::{", stringify!($Strong), ", ", stringify!($Name), "};")]
            #[doc = concat!("let map = ", stringify!($Name), "::new();")]
            #[doc = concat!("let (a, b) = (", stringify!($Strong), "::new(1), ", stringify!($Strong), "::new(2));")]
            /// map.insert(&a, "a");
            /// map.insert(&b, "b");
            /// assert_eq!(map.len(), 2);
            /// drop(a);
            /// assert_eq!(map.len(), 1); // exact: the dead key's entry is gone
            /// ```
            pub fn len(&self) -> usize {
                self.core.len()
            }

            /// Whether the map has no entries.
            ///
            /// ```
            #[doc = concat!("use weakrefs::", stringify!($module), "::{", stringify!($Strong), ", ", stringify!($Name), "};")]
            #[doc = concat!("let map = ", stringify!($Name), "::new();")]
            #[doc = concat!("let key = ", stringify!($Strong), "::new(1);")]
            /// map.insert(&key, ());
            /// assert!(!map.is_empty());
            /// drop(key);
            /// assert!(map.is_empty());
            /// ```
            pub fn is_empty(&self) -> bool {
                self.len() == 0
            }

            /// Removes every entry.
            ///
            /// ```
            #[doc = concat!("use weakrefs::", stringify!($module), "::{", stringify!($Strong), ", ", stringify!($Name), "};")]
            #[doc = concat!("let map = ", stringify!($Name), "::new();")]
            #[doc = concat!("let key = ", stringify!($Strong), "::new(1);")]
            /// map.insert(&key, "value");
            /// map.clear();
            /// assert!(map.is_empty());
            /// ```
            pub fn clear(&self) {
                self.core.clear()
            }

            /// Removes every entry, and yields those whose key is alive (with a strong
            /// handle to it), as `HashMap::drain` does. The map is empty when this
            /// returns, whether or not the iterator is used.
            ///
            /// ```
            #[doc = concat!("use weakrefs::", stringify!($module), "::{", stringify!($Strong), ", ", stringify!($Name), "};")]
            #[doc = concat!("let map = ", stringify!($Name), "::new();")]
            #[doc = concat!("let a = ", stringify!($Strong), "::new(1);")]
            /// map.insert(&a, "a");
            /// let drained: Vec<_> = map.drain().map(|(k, v)| (*k, v)).collect();
            /// assert_eq!(drained, [(1, "a")]);
            /// assert!(map.is_empty());
            /// ```
            pub fn drain(&self) -> $crate::$module::key_map::Drain<K, V> {
                $crate::$module::key_map::Drain { entries: self.core.drain() }
            }

            /// How many entries the map holds without allocating.
            ///
            /// ```
            #[doc = concat!("use weakrefs::", stringify!($module), "::", stringify!($Name), ";")]
            #[doc = concat!("let map: ", stringify!($Name), "<u32, u32> = ", stringify!($Name), "::with_capacity(100);")]
            /// assert!(map.capacity() >= 100);
            /// ```
            pub fn capacity(&self) -> usize {
                self.core.capacity()
            }

            /// Makes room for at least `additional` more entries without allocating.
            ///
            /// ```
            #[doc = concat!("use weakrefs::", stringify!($module), "::", stringify!($Name), ";")]
            #[doc = concat!("let map: ", stringify!($Name), "<u32, u32> = ", stringify!($Name), "::new();")]
            /// map.reserve(10);
            /// assert!(map.capacity() >= 10);
            /// ```
            pub fn reserve(&self, additional: usize) {
                self.core.reserve(additional)
            }

            /// Gives back the memory the entries do not need. (The map also shrinks by
            /// itself as its keys die.)
            ///
            /// ```
            #[doc = concat!("use weakrefs::", stringify!($module), "::", stringify!($Name), ";")]
            #[doc = concat!("let map: ", stringify!($Name), "<u32, u32> = ", stringify!($Name), "::with_capacity(1000);")]
            /// map.shrink_to_fit();
            /// assert!(map.capacity() < 1000);
            /// ```
            pub fn shrink_to_fit(&self) {
                self.core.shrink_to_fit()
            }

            /// The weak references to the keys (Python's `keyrefs()`); a key dying
            /// meanwhile makes its reference dead.
            ///
            /// ```
            #[doc = concat!("use weakrefs::", stringify!($module), "::{", stringify!($Strong), ", ", stringify!($Name), "};")]
            #[doc = concat!("let map = ", stringify!($Name), "::new();")]
            #[doc = concat!("let key = ", stringify!($Strong), "::new(1);")]
            /// map.insert(&key, "value");
            /// let refs = map.key_refs();
            /// assert_eq!(refs[0].upgrade().as_deref(), Some(&1));
            /// drop(key);
            /// assert!(refs[0].upgrade().is_none());
            /// ```
            pub fn key_refs(&self) -> Vec<$crate::$module::Weak<K>> {
                self.core.key_refs().into_iter().map(|raw| $crate::$module::Weak { raw }).collect()
            }

            /// Removes and returns some entry with a live key (Python's `popitem`).
            ///
            /// ```
            #[doc = concat!("use weakrefs::", stringify!($module), "::{", stringify!($Strong), ", ", stringify!($Name), "};")]
            #[doc = concat!("let map = ", stringify!($Name), "::new();")]
            #[doc = concat!("let key = ", stringify!($Strong), "::new(1);")]
            /// map.insert(&key, "value");
            /// let (k, v) = map.pop_item().unwrap();
            /// assert_eq!((*k, v), (1, "value"));
            /// assert!(map.pop_item().is_none());
            /// ```
            pub fn pop_item(&self) -> Option<($crate::$module::$Strong<K>, V)> {
                self.core.pop_item().map(|(raw, value)| ($crate::$module::$Strong { raw }, value))
            }
        }

        impl<K: $($kb)* ?Sized + 'static, V: Clone, S: ::core::hash::BuildHasher> $Name<K, V, S> {
            /// The entries with live keys, from a snapshot taken now (see [`Iter`](super::key_map::Iter)).
            ///
            /// ```
            #[doc = concat!("use weakrefs::", stringify!($module), "::{", stringify!($Strong), ", ", stringify!($Name), "};")]
            #[doc = concat!("let map = ", stringify!($Name), "::new();")]
            #[doc = concat!("let (a, b) = (", stringify!($Strong), "::new(1), ", stringify!($Strong), "::new(2));")]
            /// map.insert(&a, "a");
            /// map.insert(&b, "b");
            /// drop(b);
            /// let entries: Vec<_> = map.iter().map(|(k, v)| (*k, v)).collect();
            /// assert_eq!(entries, [(1, "a")]);
            /// for (key, value) in &map { // the same
            ///     assert_eq!((*key, value), (1, "a"));
            /// }
            /// ```
            pub fn iter(&self) -> $crate::$module::key_map::Iter<K, V> {
                $crate::$module::key_map::Iter { entries: self.core.entries() }
            }

            /// The live keys, from a snapshot.
            ///
            /// ```
            #[doc = concat!("use weakrefs::", stringify!($module), "::{", stringify!($Strong), ", ", stringify!($Name), "};")]
            #[doc = concat!("let map = ", stringify!($Name), "::new();")]
            #[doc = concat!("let (a, b) = (", stringify!($Strong), "::new(1), ", stringify!($Strong), "::new(2));")]
            /// map.insert(&a, "a");
            /// map.insert(&b, "b");
            /// drop(a);
            /// assert_eq!(map.keys().map(|k| *k).collect::<Vec<_>>(), [2]);
            /// ```
            pub fn keys(&self) -> impl Iterator<Item = $crate::$module::$Strong<K>> {
                self.iter().map(|(key, _)| key)
            }

            /// The values of entries with live keys, from a snapshot.
            ///
            /// ```
            #[doc = concat!("use weakrefs::", stringify!($module), "::{", stringify!($Strong), ", ", stringify!($Name), "};")]
            #[doc = concat!("let map = ", stringify!($Name), "::new();")]
            #[doc = concat!("let (a, b) = (", stringify!($Strong), "::new(1), ", stringify!($Strong), "::new(2));")]
            /// map.insert(&a, 10);
            /// map.insert(&b, 20);
            /// drop(b);
            /// assert_eq!(map.values().collect::<Vec<_>>(), [10]);
            /// ```
            pub fn values(&self) -> impl Iterator<Item = V> {
                self.iter().map(|(_, value)| value)
            }

            /// Keeps only the entries for which `keep` returns `true`. `keep` runs
            /// without the map locked, on a snapshot.
            ///
            /// ```
            #[doc = concat!("use weakrefs::", stringify!($module), "::{", stringify!($Strong), ", ", stringify!($Name), "};")]
            #[doc = concat!("let map = ", stringify!($Name), "::new();")]
            #[doc = concat!("let keys: Vec<_> = (1..=4).map(", stringify!($Strong), "::new).collect();")]
            /// for key in &keys {
            ///     map.insert(key, **key * 10);
            /// }
            /// map.retain(|_, value| *value > 20);
            /// let mut left = map.values().collect::<Vec<_>>();
            /// left.sort();
            /// assert_eq!(left, [30, 40]);
            /// ```
            pub fn retain(&self, mut keep: impl FnMut(&$crate::$module::$Strong<K>, &V) -> bool) {
                self.core.retain(|raw, value| keep($crate::$module::$Strong::from_raw_ref(raw), value))
            }
        }

        impl<K, V, S> $Name<K, V, S>
        where
            K: $($kb)* ?Sized + $($bound)+,
            V: $($bound)+,
            S: ::core::hash::BuildHasher + $($bound)+,
        {
            /// Inserts `key -> value`; returns the value replaced. If an equal key is
            /// present, its entry keeps that key object and takes the new value.
            #[doc = concat!("The map holds `key` weakly: keep a `", stringify!($Strong), "` to it elsewhere.")]
            ///
            /// ```
            #[doc = concat!("use weakrefs::", stringify!($module), "::{", stringify!($Strong), ", ", stringify!($Name), "};")]
            #[doc = concat!("let map = ", stringify!($Name), "::new();")]
            #[doc = concat!("let key = ", stringify!($Strong), "::new(\"window\".to_owned());")]
            /// assert_eq!(map.insert(&key, 1), None);
            /// assert_eq!(map.insert(&key, 2), Some(1));
            /// drop(key); // the entry goes with its key
            /// assert!(map.is_empty());
            /// ```
            pub fn insert(&self, key: &$crate::$module::$Strong<K>, value: V) -> Option<V> {
                self.core.insert(&key.raw, value)
            }

            /// The value of the entry matching `key`, or `make()`'s, inserted (Python's
            /// `setdefault`).
            ///
            /// ```
            #[doc = concat!("use weakrefs::", stringify!($module), "::{", stringify!($Strong), ", ", stringify!($Name), "};")]
            #[doc = concat!("let sizes = ", stringify!($Name), "::new();")]
            #[doc = concat!("let key = ", stringify!($Strong), "::new(vec![0u8; 3]);")]
            /// assert_eq!(sizes.get_or_insert_with(&key, || key.len()), 3);
            /// assert_eq!(sizes.get_or_insert_with(&key, || unreachable!()), 3);
            /// ```
            pub fn get_or_insert_with(&self, key: &$crate::$module::$Strong<K>, make: impl FnOnce() -> V) -> V
            where
                V: Clone,
            {
                self.core.get_or_insert_with(&key.raw, make)
            }
        }

        impl<K, V, S> Extend<($crate::$module::$Strong<K>, V)> for $Name<K, V, S>
        where
            K: $($kb)* ?Sized + $($bound)+,
            V: $($bound)+,
            S: ::core::hash::BuildHasher + $($bound)+,
        {
            /// Inserts each pair. The map holds keys weakly: a key whose only strong
            /// handle was in the iterator dies, and its entry with it.
            fn extend<I: IntoIterator<Item = ($crate::$module::$Strong<K>, V)>>(&mut self, entries: I) {
                for (key, value) in entries {
                    self.insert(&key, value);
                }
            }
        }

        impl<K, V> FromIterator<($crate::$module::$Strong<K>, V)> for $Name<K, V, ::std::collections::hash_map::RandomState>
        where
            K: $($kb)* ?Sized + $($bound)+,
            V: $($bound)+,
        {
            fn from_iter<I: IntoIterator<Item = ($crate::$module::$Strong<K>, V)>>(entries: I) -> Self {
                let mut map = Self::new();
                map.extend(entries);
                map
            }
        }

        impl<K, V, S> Clone for $Name<K, V, S>
        where
            K: $($kb)* ?Sized + $($bound)+,
            V: Clone + $($bound)+,
            S: ::core::hash::BuildHasher + Clone + $($bound)+,
        {
            /// A new, independent map with the entries whose keys are alive.
            fn clone(&self) -> Self {
                let copy = Self::with_hasher(self.core.hasher());
                for (key, value) in self.iter() {
                    copy.insert(&key, value);
                }
                copy
            }
        }

        impl<'a, K: $($kb)* ?Sized + 'static, V: Clone, S: ::core::hash::BuildHasher> IntoIterator for &'a $Name<K, V, S> {
            type Item = ($crate::$module::$Strong<K>, V);
            type IntoIter = $crate::$module::key_map::Iter<K, V>;

            /// [`iter`]($Name::iter): `for (key, value) in &map`.
            fn into_iter(self) -> Self::IntoIter {
                self.iter()
            }
        }

        impl<K, V, S1, S2> PartialEq<$Name<K, V, S2>> for $Name<K, V, S1>
        where
            K: $($kb)* ?Sized + 'static,
            V: Clone + PartialEq,
            S1: ::core::hash::BuildHasher,
            S2: ::core::hash::BuildHasher,
        {
            /// Whether the two maps have the same entries with live keys (keys matched
            #[doc = concat!(" ", $compare, ", values by `==`), from snapshots.")]
            ///
            /// ```
            #[doc = concat!("use weakrefs::", stringify!($module), "::{", stringify!($Strong), ", ", stringify!($Name), "};")]
            #[doc = concat!("let (a, b) = (", stringify!($Name), "::new(), ", stringify!($Name), "::new());")]
            #[doc = concat!("let key = ", stringify!($Strong), "::new(1);")]
            /// a.insert(&key, "x");
            /// b.insert(&key, "x");
            /// assert!(a == b);
            /// b.insert(&key, "y");
            /// assert!(a != b);
            /// ```
            fn eq(&self, other: &$Name<K, V, S2>) -> bool {
                let mine: Vec<_> = self.iter().collect();
                mine.len() == other.iter().count()
                    && mine.iter().all(|(key, value)| other.core.get(&**key).is_some_and(|v| v == *value))
            }
        }

        impl<K, V, S> ::core::fmt::Debug for $Name<K, V, S>
        where
            K: $($kb)* ::core::fmt::Debug + ?Sized + 'static,
            V: Clone + ::core::fmt::Debug,
            S: ::core::hash::BuildHasher,
        {
            /// The entries with live keys, as a map.
            fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                f.debug_map().entries(self.iter()).finish()
            }
        }
    };
}

/// Defines a weak set type in the calling flavour module.
macro_rules! weak_set {
    (
        $module:ident, $Strong:ident, $Flavor:ident, $Name:ident, $Policy:ty,
        lookup: $lookup:ident,
        key_bounds: [$($kb:tt)*], bounds: [$($bound:tt)+],
        compare: $compare:literal
    ) => {
        $crate::api::key_map::set_lookups!($lookup, $module, $Strong, $Name, [$($kb)*]);

        #[doc = concat!("A set whose elements are held weakly, compared ", $compare, ": an element")]
        /// leaves the set the moment it dies (Python's `weakref.WeakSet`).
        ///
        #[doc = concat!("Elements go in as strong `", stringify!($Strong), "<T>` handles; the set keeps a weak")]
        /// reference with a callback to each, which removes it when its last strong
        /// handle is dropped, before that drop returns (and before the element's own
        /// `Drop`: see the crate docs, "When an entry leaves"); [`len`](Self::len) is
        /// exact.
        /// An element stays tied to the object first added (adding an equal one does
        /// nothing). Iteration walks a snapshot and yields strong handles.
        ///
        /// Elements' `Eq` runs with the set locked, their `Hash` before: as for the
        /// weak-keyed map, either may drop the last handle of any element or panic without
        /// leaving a dead element behind, and calling this set's methods from them panics.
        /// See the crate docs, "Weak collections and user code".
        ///
        /// # Example
        ///
        /// ```
        #[doc = concat!("use weakrefs::", stringify!($module), "::{", stringify!($Strong), ", ", stringify!($Name), "};")]
        ///
        #[doc = concat!("let listeners = ", stringify!($Name), "::new();")]
        #[doc = concat!("let a = ", stringify!($Strong), "::new(\"a\");")]
        #[doc = concat!("let b = ", stringify!($Strong), "::new(\"b\");")]
        /// listeners.add(&a);
        /// listeners.add(&b);
        /// drop(a);
        /// let left: Vec<_> = listeners.iter().map(|l| *l).collect();
        /// assert_eq!(left, ["b"]);
        /// ```
        pub struct $Name<T: ?Sized, S = ::std::collections::hash_map::RandomState> {
            core: $crate::raw::key_map::KeyMapCore<T, (), $crate::flavor::$Flavor, S, $Policy>,
        }

        impl<T: $($kb)* ?Sized + 'static> $Name<T, ::std::collections::hash_map::RandomState> {
            /// An empty set.
            ///
            /// ```
            #[doc = concat!("use weakrefs::", stringify!($module), "::", stringify!($Name), ";")]
            #[doc = concat!("let set: ", stringify!($Name), "<String> = ", stringify!($Name), "::new();")]
            /// assert!(set.is_empty());
            /// ```
            pub fn new() -> Self {
                Self::with_capacity_and_hasher(0, Default::default())
            }

            /// An empty set with room for `capacity` elements.
            ///
            /// ```
            #[doc = concat!("use weakrefs::", stringify!($module), "::", stringify!($Name), ";")]
            #[doc = concat!("let set: ", stringify!($Name), "<u32> = ", stringify!($Name), "::with_capacity(10);")]
            /// assert!(set.capacity() >= 10);
            /// ```
            pub fn with_capacity(capacity: usize) -> Self {
                Self::with_capacity_and_hasher(capacity, Default::default())
            }
        }

        impl<T: $($kb)* ?Sized + 'static> Default for $Name<T, ::std::collections::hash_map::RandomState> {
            fn default() -> Self {
                Self::new()
            }
        }

        impl<T: $($kb)* ?Sized + 'static, S: ::core::hash::BuildHasher> $Name<T, S> {
            /// An empty set with room for `capacity` elements, using `hasher`.
            ///
            /// ```
            /// use std::collections::hash_map::RandomState;
            #[doc = concat!("use weakrefs::", stringify!($module), "::", stringify!($Name), ";")]
            #[doc = concat!("let set: ", stringify!($Name), "<u32> = ", stringify!($Name), "::with_capacity_and_hasher(10, RandomState::new());")]
            /// assert!(set.capacity() >= 10);
            /// ```
            pub fn with_capacity_and_hasher(capacity: usize, hasher: S) -> Self {
                $Name { core: $crate::raw::key_map::KeyMapCore::with_capacity_and_hasher(capacity, hasher) }
            }

            /// An empty set using `hasher`.
            ///
            /// ```
            /// use std::collections::hash_map::RandomState;
            #[doc = concat!("use weakrefs::", stringify!($module), "::", stringify!($Name), ";")]
            #[doc = concat!("let set: ", stringify!($Name), "<u32> = ", stringify!($Name), "::with_hasher(RandomState::new());")]
            /// assert!(set.is_empty());
            /// ```
            pub fn with_hasher(hasher: S) -> Self {
                Self::with_capacity_and_hasher(0, hasher)
            }

            /// The number of elements; exact, as for the maps.
            ///
            /// ```
            #[doc = concat!("use weakrefs::", stringify!($module), "::{", stringify!($Strong), ", ", stringify!($Name), "};")]
            #[doc = concat!("let set = ", stringify!($Name), "::new();")]
            #[doc = concat!("let (a, b) = (", stringify!($Strong), "::new(1), ", stringify!($Strong), "::new(2));")]
            /// set.add(&a);
            /// set.add(&b);
            /// assert_eq!(set.len(), 2);
            /// drop(a);
            /// assert_eq!(set.len(), 1);
            /// ```
            pub fn len(&self) -> usize {
                self.core.len()
            }

            /// Whether the set has no elements.
            ///
            /// ```
            #[doc = concat!("use weakrefs::", stringify!($module), "::{", stringify!($Strong), ", ", stringify!($Name), "};")]
            #[doc = concat!("let set = ", stringify!($Name), "::new();")]
            #[doc = concat!("let x = ", stringify!($Strong), "::new(1);")]
            /// set.add(&x);
            /// assert!(!set.is_empty());
            /// drop(x);
            /// assert!(set.is_empty());
            /// ```
            pub fn is_empty(&self) -> bool {
                self.len() == 0
            }

            /// Removes every element.
            ///
            /// ```
            #[doc = concat!("use weakrefs::", stringify!($module), "::{", stringify!($Strong), ", ", stringify!($Name), "};")]
            #[doc = concat!("let set = ", stringify!($Name), "::new();")]
            #[doc = concat!("let x = ", stringify!($Strong), "::new(1);")]
            /// set.add(&x);
            /// set.clear();
            /// assert!(set.is_empty());
            /// ```
            pub fn clear(&self) {
                self.core.clear()
            }

            /// The live elements, from a snapshot taken now (see [`SetIter`](super::key_map::SetIter)).
            ///
            /// ```
            #[doc = concat!("use weakrefs::", stringify!($module), "::{", stringify!($Strong), ", ", stringify!($Name), "};")]
            #[doc = concat!("let set = ", stringify!($Name), "::new();")]
            #[doc = concat!("let (a, b) = (", stringify!($Strong), "::new(1), ", stringify!($Strong), "::new(2));")]
            /// set.add(&a);
            /// set.add(&b);
            /// drop(a);
            /// let left: Vec<i32> = set.iter().map(|x| *x).collect();
            /// assert_eq!(left, [2]);
            /// for x in &set { // the same
            ///     assert_eq!(*x, 2);
            /// }
            /// ```
            pub fn iter(&self) -> $crate::$module::key_map::SetIter<T> {
                $crate::$module::key_map::SetIter { entries: self.core.entries() }
            }

            /// Removes every element, and yields the live ones, as `HashSet::drain`
            /// does. The set is empty when this returns.
            ///
            /// ```
            #[doc = concat!("use weakrefs::", stringify!($module), "::{", stringify!($Strong), ", ", stringify!($Name), "};")]
            #[doc = concat!("let set = ", stringify!($Name), "::new();")]
            #[doc = concat!("let a = ", stringify!($Strong), "::new(1);")]
            /// set.add(&a);
            /// assert_eq!(set.drain().map(|x| *x).collect::<Vec<_>>(), [1]);
            /// assert!(set.is_empty());
            /// ```
            pub fn drain(&self) -> $crate::$module::key_map::SetDrain<T> {
                $crate::$module::key_map::SetDrain { entries: self.core.drain() }
            }

            /// How many elements the set holds without allocating.
            ///
            /// ```
            #[doc = concat!("use weakrefs::", stringify!($module), "::", stringify!($Name), ";")]
            #[doc = concat!("let set: ", stringify!($Name), "<u32> = ", stringify!($Name), "::with_capacity(100);")]
            /// assert!(set.capacity() >= 100);
            /// ```
            pub fn capacity(&self) -> usize {
                self.core.capacity()
            }

            /// Makes room for at least `additional` more elements without allocating.
            ///
            /// ```
            #[doc = concat!("use weakrefs::", stringify!($module), "::", stringify!($Name), ";")]
            #[doc = concat!("let set: ", stringify!($Name), "<u32> = ", stringify!($Name), "::new();")]
            /// set.reserve(10);
            /// assert!(set.capacity() >= 10);
            /// ```
            pub fn reserve(&self, additional: usize) {
                self.core.reserve(additional)
            }

            /// Gives back the memory the elements do not need.
            ///
            /// ```
            #[doc = concat!("use weakrefs::", stringify!($module), "::", stringify!($Name), ";")]
            #[doc = concat!("let set: ", stringify!($Name), "<u32> = ", stringify!($Name), "::with_capacity(1000);")]
            /// set.shrink_to_fit();
            /// assert!(set.capacity() < 1000);
            /// ```
            pub fn shrink_to_fit(&self) {
                self.core.shrink_to_fit()
            }

            /// Removes and returns some live element (Python's `pop`).
            ///
            /// ```
            #[doc = concat!("use weakrefs::", stringify!($module), "::{", stringify!($Strong), ", ", stringify!($Name), "};")]
            #[doc = concat!("let set = ", stringify!($Name), "::new();")]
            #[doc = concat!("let x = ", stringify!($Strong), "::new(1);")]
            /// set.add(&x);
            /// assert_eq!(set.pop().as_deref(), Some(&1));
            /// assert!(set.pop().is_none());
            /// ```
            pub fn pop(&self) -> Option<$crate::$module::$Strong<T>> {
                self.core.pop_item().map(|(raw, ())| $crate::$module::$Strong { raw })
            }

            /// Keeps only the elements for which `keep` returns `true` (run without the
            /// set locked, on a snapshot).
            ///
            /// ```
            #[doc = concat!("use weakrefs::", stringify!($module), "::{", stringify!($Strong), ", ", stringify!($Name), "};")]
            #[doc = concat!("let set = ", stringify!($Name), "::new();")]
            #[doc = concat!("let xs: Vec<_> = (1..=4).map(", stringify!($Strong), "::new).collect();")]
            /// xs.iter().for_each(|x| { set.add(x); });
            /// set.retain(|x| **x % 2 == 0);
            /// let mut left: Vec<i32> = set.iter().map(|x| *x).collect();
            /// left.sort();
            /// assert_eq!(left, [2, 4]);
            /// ```
            pub fn retain(&self, mut keep: impl FnMut(&$crate::$module::$Strong<T>) -> bool) {
                self.core.retain(|raw, ()| keep($crate::$module::$Strong::from_raw_ref(raw)))
            }

            /// Whether every live element of `self` is in `other`.
            ///
            /// ```
            #[doc = concat!("use weakrefs::", stringify!($module), "::{", stringify!($Strong), ", ", stringify!($Name), "};")]
            #[doc = concat!("let (x, y) = (", stringify!($Strong), "::new(1), ", stringify!($Strong), "::new(2));")]
            #[doc = concat!("let (small, big) = (", stringify!($Name), "::new(), ", stringify!($Name), "::new());")]
            /// small.add(&x);
            /// big.add(&x);
            /// big.add(&y);
            /// assert!(small.is_subset(&big));
            /// assert!(!big.is_subset(&small));
            /// ```
            pub fn is_subset<S2: ::core::hash::BuildHasher>(&self, other: &$Name<T, S2>) -> bool {
                self.iter().all(|x| other.core.contains_key(&*x))
            }

            /// Whether every live element of `other` is in `self`.
            ///
            /// ```
            #[doc = concat!("use weakrefs::", stringify!($module), "::{", stringify!($Strong), ", ", stringify!($Name), "};")]
            #[doc = concat!("let (x, y) = (", stringify!($Strong), "::new(1), ", stringify!($Strong), "::new(2));")]
            #[doc = concat!("let (small, big) = (", stringify!($Name), "::new(), ", stringify!($Name), "::new());")]
            /// small.add(&x);
            /// big.add(&x);
            /// big.add(&y);
            /// assert!(big.is_superset(&small));
            /// assert!(!small.is_superset(&big));
            /// ```
            pub fn is_superset<S2: ::core::hash::BuildHasher>(&self, other: &$Name<T, S2>) -> bool {
                other.is_subset(self)
            }

            /// Whether the two sets have no live element in common.
            ///
            /// ```
            #[doc = concat!("use weakrefs::", stringify!($module), "::{", stringify!($Strong), ", ", stringify!($Name), "};")]
            #[doc = concat!("let (x, y) = (", stringify!($Strong), "::new(1), ", stringify!($Strong), "::new(2));")]
            #[doc = concat!("let (small, big) = (", stringify!($Name), "::new(), ", stringify!($Name), "::new());")]
            /// small.add(&x);
            /// big.add(&x);
            /// big.add(&y);
            /// assert!(!small.is_disjoint(&big));
            #[doc = concat!("let other = ", stringify!($Name), "::new();")]
            #[doc = concat!("let z = ", stringify!($Strong), "::new(9);")]
            /// other.add(&z);
            /// assert!(small.is_disjoint(&other));
            /// ```
            pub fn is_disjoint<S2: ::core::hash::BuildHasher>(&self, other: &$Name<T, S2>) -> bool {
                self.iter().all(|x| !other.core.contains_key(&*x))
            }
        }

        impl<T, S> $Name<T, S>
        where
            T: $($kb)* ?Sized + $($bound)+,
            S: ::core::hash::BuildHasher + Clone + $($bound)+,
        {
            /// Adds `value`, held weakly; returns whether it was not already present.
            ///
            /// ```
            #[doc = concat!("use weakrefs::", stringify!($module), "::{", stringify!($Strong), ", ", stringify!($Name), "};")]
            #[doc = concat!("let set = ", stringify!($Name), "::new();")]
            #[doc = concat!("let x = ", stringify!($Strong), "::new(1);")]
            /// assert!(set.add(&x));
            /// assert!(!set.add(&x)); // already there
            /// drop(x);
            /// assert!(set.is_empty());
            /// ```
            pub fn add(&self, value: &$crate::$module::$Strong<T>) -> bool {
                self.core.insert(&value.raw, ()).is_none()
            }

            /// A new set with the live elements of both.
            ///
            /// ```
            #[doc = concat!("use weakrefs::", stringify!($module), "::{", stringify!($Strong), ", ", stringify!($Name), "};")]
            #[doc = concat!("let (x, y) = (", stringify!($Strong), "::new(1), ", stringify!($Strong), "::new(2));")]
            #[doc = concat!("let (small, big) = (", stringify!($Name), "::new(), ", stringify!($Name), "::new());")]
            /// small.add(&x);
            /// big.add(&x);
            /// big.add(&y);
            /// let all = small.union(&big);
            /// assert_eq!(all.len(), 2);
            /// ```
            pub fn union<S2: ::core::hash::BuildHasher>(&self, other: &$Name<T, S2>) -> Self {
                let result = self.clone();
                other.iter().for_each(|x| { result.add(&x); });
                result
            }

            /// A new set with the live elements in both.
            ///
            /// ```
            #[doc = concat!("use weakrefs::", stringify!($module), "::{", stringify!($Strong), ", ", stringify!($Name), "};")]
            #[doc = concat!("let (x, y) = (", stringify!($Strong), "::new(1), ", stringify!($Strong), "::new(2));")]
            #[doc = concat!("let (small, big) = (", stringify!($Name), "::new(), ", stringify!($Name), "::new());")]
            /// small.add(&x);
            /// big.add(&x);
            /// big.add(&y);
            /// let both = small.intersection(&big);
            /// assert_eq!(both.iter().map(|x| *x).collect::<Vec<_>>(), [1]);
            /// ```
            pub fn intersection<S2: ::core::hash::BuildHasher>(&self, other: &$Name<T, S2>) -> Self {
                let result = Self::with_hasher(self.core.hasher());
                self.iter().filter(|x| other.core.contains_key(&**x)).for_each(|x| { result.add(&x); });
                result
            }

            /// A new set with the live elements of `self` not in `other`.
            ///
            /// ```
            #[doc = concat!("use weakrefs::", stringify!($module), "::{", stringify!($Strong), ", ", stringify!($Name), "};")]
            #[doc = concat!("let (x, y) = (", stringify!($Strong), "::new(1), ", stringify!($Strong), "::new(2));")]
            #[doc = concat!("let (small, big) = (", stringify!($Name), "::new(), ", stringify!($Name), "::new());")]
            /// small.add(&x);
            /// big.add(&x);
            /// big.add(&y);
            /// let only_big = big.difference(&small);
            /// assert_eq!(only_big.iter().map(|x| *x).collect::<Vec<_>>(), [2]);
            /// ```
            pub fn difference<S2: ::core::hash::BuildHasher>(&self, other: &$Name<T, S2>) -> Self {
                let result = Self::with_hasher(self.core.hasher());
                self.iter().filter(|x| !other.core.contains_key(&**x)).for_each(|x| { result.add(&x); });
                result
            }

            /// A new set with the live elements in exactly one of the two.
            ///
            /// ```
            #[doc = concat!("use weakrefs::", stringify!($module), "::{", stringify!($Strong), ", ", stringify!($Name), "};")]
            #[doc = concat!("let (x, y) = (", stringify!($Strong), "::new(1), ", stringify!($Strong), "::new(2));")]
            #[doc = concat!("let (small, big) = (", stringify!($Name), "::new(), ", stringify!($Name), "::new());")]
            /// small.add(&x);
            /// big.add(&x);
            /// big.add(&y);
            /// let either = big.symmetric_difference(&small);
            /// assert_eq!(either.iter().map(|x| *x).collect::<Vec<_>>(), [2]);
            /// ```
            pub fn symmetric_difference<S2: ::core::hash::BuildHasher>(&self, other: &$Name<T, S2>) -> Self {
                let result = self.difference(other);
                other.iter().filter(|x| !self.core.contains_key(&**x)).for_each(|x| { result.add(&x); });
                result
            }
        }

        impl<T, S> $Name<T, S>
        where
            T: $($kb)* ?Sized + $($bound)+,
            S: ::core::hash::BuildHasher + $($bound)+,
        {
            /// Adds every element of `values` (Python's `update`, `|=`); like
            /// [`Extend`], through `&self`.
            ///
            /// ```
            #[doc = concat!("use weakrefs::", stringify!($module), "::{", stringify!($Strong), ", ", stringify!($Name), "};")]
            #[doc = concat!("let set = ", stringify!($Name), "::new();")]
            #[doc = concat!("let xs: Vec<_> = (1..=3).map(", stringify!($Strong), "::new).collect();")]
            /// set.update(xs.iter().cloned());
            /// assert_eq!(set.len(), 3);
            /// ```
            pub fn update(&self, values: impl IntoIterator<Item = $crate::$module::$Strong<T>>) {
                for value in values {
                    self.core.insert(&value.raw, ());
                }
            }

            /// Keeps only the live elements also in `other` (Python's
            /// `intersection_update`, `&=`). `other` may be `self`.
            ///
            /// ```
            #[doc = concat!("use weakrefs::", stringify!($module), "::{", stringify!($Strong), ", ", stringify!($Name), "};")]
            #[doc = concat!("let (x, y) = (", stringify!($Strong), "::new(1), ", stringify!($Strong), "::new(2));")]
            #[doc = concat!("let (a, b) = (", stringify!($Name), "::new(), ", stringify!($Name), "::new());")]
            /// a.update([x.clone(), y.clone()]);
            /// b.add(&y);
            /// a.intersection_update(&b);
            /// assert_eq!(a.iter().map(|v| *v).collect::<Vec<_>>(), [2]);
            /// ```
            pub fn intersection_update<S2: ::core::hash::BuildHasher>(&self, other: &$Name<T, S2>) {
                let rejected: Vec<_> = self.iter().filter(|x| !other.core.contains_key(&**x)).collect();
                for x in &rejected {
                    self.core.remove(&**x);
                }
            }

            /// Removes the live elements of `other` (Python's `difference_update`,
            /// `-=`). `other` may be `self`, which empties it.
            ///
            /// ```
            #[doc = concat!("use weakrefs::", stringify!($module), "::{", stringify!($Strong), ", ", stringify!($Name), "};")]
            #[doc = concat!("let (x, y) = (", stringify!($Strong), "::new(1), ", stringify!($Strong), "::new(2));")]
            #[doc = concat!("let (a, b) = (", stringify!($Name), "::new(), ", stringify!($Name), "::new());")]
            /// a.update([x.clone(), y.clone()]);
            /// b.add(&y);
            /// a.difference_update(&b);
            /// assert_eq!(a.iter().map(|v| *v).collect::<Vec<_>>(), [1]);
            /// ```
            pub fn difference_update<S2: ::core::hash::BuildHasher>(&self, other: &$Name<T, S2>) {
                for x in other.iter() {
                    self.core.remove(&*x);
                }
            }

            /// Keeps the live elements in exactly one of the two (Python's
            /// `symmetric_difference_update`, `^=`). `other` may be `self`, which
            /// empties it.
            ///
            /// ```
            #[doc = concat!("use weakrefs::", stringify!($module), "::{", stringify!($Strong), ", ", stringify!($Name), "};")]
            #[doc = concat!("let (x, y, z) = (", stringify!($Strong), "::new(1), ", stringify!($Strong), "::new(2), ", stringify!($Strong), "::new(3));")]
            #[doc = concat!("let (a, b) = (", stringify!($Name), "::new(), ", stringify!($Name), "::new());")]
            /// a.update([x.clone(), y.clone()]);
            /// b.update([y.clone(), z.clone()]);
            /// a.symmetric_difference_update(&b);
            /// let mut left: Vec<i32> = a.iter().map(|v| *v).collect();
            /// left.sort();
            /// assert_eq!(left, [1, 3]);
            /// ```
            pub fn symmetric_difference_update<S2: ::core::hash::BuildHasher>(&self, other: &$Name<T, S2>) {
                // From a snapshot of `other` taken first: with `other` being `self`,
                // every element is found and removed.
                for x in other.iter().collect::<Vec<_>>() {
                    if self.core.remove(&*x).is_none() {
                        self.core.insert(&x.raw, ());
                    }
                }
            }
        }

        impl<T, S> Extend<$crate::$module::$Strong<T>> for $Name<T, S>
        where
            T: $($kb)* ?Sized + $($bound)+,
            S: ::core::hash::BuildHasher + Clone + $($bound)+,
        {
            fn extend<I: IntoIterator<Item = $crate::$module::$Strong<T>>>(&mut self, values: I) {
                for value in values {
                    self.add(&value);
                }
            }
        }

        impl<T> FromIterator<$crate::$module::$Strong<T>> for $Name<T, ::std::collections::hash_map::RandomState>
        where
            T: $($kb)* ?Sized + $($bound)+,
        {
            /// A set of the elements (held weakly: keep them alive elsewhere).
            fn from_iter<I: IntoIterator<Item = $crate::$module::$Strong<T>>>(values: I) -> Self {
                let mut set = Self::new();
                set.extend(values);
                set
            }
        }

        impl<T, S> Clone for $Name<T, S>
        where
            T: $($kb)* ?Sized + $($bound)+,
            S: ::core::hash::BuildHasher + Clone + $($bound)+,
        {
            /// A new, independent set with the live elements.
            fn clone(&self) -> Self {
                let copy = Self::with_hasher(self.core.hasher());
                self.iter().for_each(|x| { copy.add(&x); });
                copy
            }
        }

        impl<'a, T: $($kb)* ?Sized + 'static, S: ::core::hash::BuildHasher> IntoIterator for &'a $Name<T, S> {
            type Item = $crate::$module::$Strong<T>;
            type IntoIter = $crate::$module::key_map::SetIter<T>;

            /// [`iter`]($Name::iter): `for x in &set`.
            fn into_iter(self) -> Self::IntoIter {
                self.iter()
            }
        }

        impl<T: $($kb)* ?Sized + 'static, S1: ::core::hash::BuildHasher, S2: ::core::hash::BuildHasher> PartialEq<$Name<T, S2>> for $Name<T, S1> {
            /// Whether the two sets have the same live elements, compared
            #[doc = concat!(" ", $compare, ", from snapshots.")]
            ///
            /// ```
            #[doc = concat!("use weakrefs::", stringify!($module), "::{", stringify!($Strong), ", ", stringify!($Name), "};")]
            #[doc = concat!("let (a, b) = (", stringify!($Name), "::new(), ", stringify!($Name), "::new());")]
            #[doc = concat!("let x = ", stringify!($Strong), "::new(1);")]
            /// a.add(&x);
            /// assert!(a != b);
            /// b.add(&x);
            /// assert!(a == b);
            /// ```
            fn eq(&self, other: &$Name<T, S2>) -> bool {
                let mine: Vec<_> = self.iter().collect();
                mine.len() == other.iter().count() && mine.iter().all(|x| other.core.contains_key(&**x))
            }
        }

        impl<T: $($kb)* ::core::fmt::Debug + ?Sized + 'static, S: ::core::hash::BuildHasher> ::core::fmt::Debug for $Name<T, S> {
            /// The live elements, as a set.
            fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                f.debug_set().entries(self.iter()).finish()
            }
        }
    };
}

/// The iterators of the weak-key maps and weak sets of one flavour, defined once in
/// its `key_map` module and shared by the by-value and by-identity kinds.
macro_rules! key_map_iterators {
    ($module:ident, $Strong:ident, $Flavor:ident) => {
        /// An iterator over the entries with live keys of a weak-key map, made by its
        /// `iter` or by `for (key, value) in &map`.
        ///
        /// It walks a snapshot of the entries taken when it was made (the map is not
        /// locked while it is used, and may change meanwhile), and yields each entry
        /// whose key is still alive when reached, with a strong handle to the key.
        pub struct Iter<K: ?Sized, V> {
            pub(super) entries: $crate::raw::table::LiveEntries<
                $crate::raw::key_map::SlotRef<K, V, $crate::flavor::$Flavor>,
            >,
        }

        /// The entries taken out of a weak-key map by its `drain`, yielding those
        /// whose key is alive when reached.
        pub struct Drain<K: ?Sized, V> {
            pub(super) entries: $crate::raw::table::LiveEntries<
                $crate::raw::key_map::SlotRef<K, V, $crate::flavor::$Flavor>,
            >,
        }

        /// An iterator over the live elements of a weak set, made by its `iter` or by
        /// `for x in &set`: a snapshot, walked as [`Iter`]'s.
        pub struct SetIter<T: ?Sized> {
            pub(super) entries: $crate::raw::table::LiveEntries<
                $crate::raw::key_map::SlotRef<T, (), $crate::flavor::$Flavor>,
            >,
        }

        /// The elements taken out of a weak set by its `drain`, yielding the live ones.
        pub struct SetDrain<T: ?Sized> {
            pub(super) entries: $crate::raw::table::LiveEntries<
                $crate::raw::key_map::SlotRef<T, (), $crate::flavor::$Flavor>,
            >,
        }

        $crate::api::live_entries_iterator!(Iter<K: ?Sized, V>, ($crate::$module::$Strong<K>, V), |(raw, value)| ($crate::$module::$Strong { raw }, value));

        $crate::api::live_entries_iterator!(Drain<K: ?Sized, V>, ($crate::$module::$Strong<K>, V), |(raw, value)| ($crate::$module::$Strong { raw }, value));

        $crate::api::live_entries_iterator!(SetIter<T: ?Sized>, $crate::$module::$Strong<T>, |(raw, ())| $crate::$module::$Strong { raw });

        $crate::api::live_entries_iterator!(SetDrain<T: ?Sized>, $crate::$module::$Strong<T>, |(raw, ())| $crate::$module::$Strong { raw });
    };
}

/// The lookups of a weak-key map (`contains_key`, `get`, `remove`): by value, with any
/// borrowed form of the key, as `HashMap`'s; or by identity, with the key's handle.
macro_rules! key_map_lookups {
    (by_value, $module:ident, $Strong:ident, $Name:ident, [$($kb:tt)*]) => {
        impl<K: $($kb)* ?Sized + 'static, V, S: ::core::hash::BuildHasher> $Name<K, V, S> {
            /// Whether a live key equal to `key` has an entry. As with `HashMap`, `key` may
            /// be any borrowed form of the key type: a `&str` for `String` keys.
            ///
            /// ```
            #[doc = concat!("use weakrefs::", stringify!($module), "::{", stringify!($Strong), ", ", stringify!($Name), "};")]
            #[doc = concat!("let map = ", stringify!($Name), "::new();")]
            #[doc = concat!("let door = ", stringify!($Strong), "::new(\"door\".to_owned());")]
            /// map.insert(&door, 1);
            /// assert!(map.contains_key("door"));
            /// assert!(!map.contains_key("window"));
            /// ```
            pub fn contains_key<Q>(&self, key: &Q) -> bool
            where
                K: ::core::borrow::Borrow<Q>,
                Q: ::core::hash::Hash + Eq + ?Sized,
            {
                self.core.contains_key(key)
            }

            /// Removes the entry whose live key equals `key` (any borrowed form of the key
            /// type); returns its value.
            ///
            /// ```
            #[doc = concat!("use weakrefs::", stringify!($module), "::{", stringify!($Strong), ", ", stringify!($Name), "};")]
            #[doc = concat!("let map = ", stringify!($Name), "::new();")]
            #[doc = concat!("let door = ", stringify!($Strong), "::new(\"door\".to_owned());")]
            /// map.insert(&door, 1);
            /// assert_eq!(map.remove("door"), Some(1));
            /// assert_eq!(map.remove("door"), None);
            /// ```
            pub fn remove<Q>(&self, key: &Q) -> Option<V>
            where
                K: ::core::borrow::Borrow<Q>,
                Q: ::core::hash::Hash + Eq + ?Sized,
            {
                self.core.remove(key)
            }
        }

        impl<K: $($kb)* ?Sized + 'static, V: Clone, S: ::core::hash::BuildHasher> $Name<K, V, S> {
            /// A clone of the value whose live key equals `key` (any borrowed form of the
            /// key type, as for `HashMap::get`).
            ///
            /// ```
            #[doc = concat!("use weakrefs::", stringify!($module), "::{", stringify!($Strong), ", ", stringify!($Name), "};")]
            #[doc = concat!("let map = ", stringify!($Name), "::new();")]
            #[doc = concat!("let door = ", stringify!($Strong), "::new(\"door\".to_owned());")]
            /// map.insert(&door, "red");
            /// assert_eq!(map.get("door"), Some("red"));
            /// drop(door);
            /// assert_eq!(map.get("door"), None);
            /// ```
            pub fn get<Q>(&self, key: &Q) -> Option<V>
            where
                K: ::core::borrow::Borrow<Q>,
                Q: ::core::hash::Hash + Eq + ?Sized,
            {
                self.core.get(key)
            }
        }
    };
    (by_identity, $module:ident, $Strong:ident, $Name:ident, [$($kb:tt)*]) => {
        impl<K: $($kb)* ?Sized + 'static, V, S: ::core::hash::BuildHasher> $Name<K, V, S> {
            /// Whether `key` (this very object, not an equal one) has an entry.
            ///
            /// ```
            #[doc = concat!("use weakrefs::", stringify!($module), "::{", stringify!($Strong), ", ", stringify!($Name), "};")]
            #[doc = concat!("let map = ", stringify!($Name), "::new();")]
            #[doc = concat!("let (a, twin) = (", stringify!($Strong), "::new(1), ", stringify!($Strong), "::new(1));")]
            /// map.insert(&a, "a");
            /// assert!(map.contains_key(&a));
            /// assert!(!map.contains_key(&twin)); // equal, but another object
            /// ```
            pub fn contains_key(&self, key: &$crate::$module::$Strong<K>) -> bool {
                self.core.contains_key(&**key)
            }

            /// Removes the entry of `key` (this very object); returns its value.
            ///
            /// ```
            #[doc = concat!("use weakrefs::", stringify!($module), "::{", stringify!($Strong), ", ", stringify!($Name), "};")]
            #[doc = concat!("let map = ", stringify!($Name), "::new();")]
            #[doc = concat!("let a = ", stringify!($Strong), "::new(1);")]
            /// map.insert(&a, "a");
            /// assert_eq!(map.remove(&a), Some("a"));
            /// assert!(map.is_empty());
            /// ```
            pub fn remove(&self, key: &$crate::$module::$Strong<K>) -> Option<V> {
                self.core.remove(&**key)
            }
        }

        impl<K: $($kb)* ?Sized + 'static, V: Clone, S: ::core::hash::BuildHasher> $Name<K, V, S> {
            /// A clone of the value of `key`'s entry (this very object's).
            ///
            /// ```
            #[doc = concat!("use weakrefs::", stringify!($module), "::{", stringify!($Strong), ", ", stringify!($Name), "};")]
            #[doc = concat!("let map = ", stringify!($Name), "::new();")]
            #[doc = concat!("let a = ", stringify!($Strong), "::new(1);")]
            /// map.insert(&a, "a");
            /// assert_eq!(map.get(&a), Some("a"));
            /// ```
            pub fn get(&self, key: &$crate::$module::$Strong<K>) -> Option<V> {
                self.core.get(&**key)
            }
        }
    };
}

/// The lookups of a weak set (`contains`, `remove`), as for the maps.
macro_rules! set_lookups {
    (by_value, $module:ident, $Strong:ident, $Name:ident, [$($kb:tt)*]) => {
        impl<T: $($kb)* ?Sized + 'static, S: ::core::hash::BuildHasher> $Name<T, S> {
            /// Whether a live element equals `value`. As with `HashSet`, `value` may be any
            /// borrowed form of the element type: a `&str` for `String` elements.
            ///
            /// ```
            #[doc = concat!("use weakrefs::", stringify!($module), "::{", stringify!($Strong), ", ", stringify!($Name), "};")]
            #[doc = concat!("let set = ", stringify!($Name), "::new();")]
            #[doc = concat!("let name = ", stringify!($Strong), "::new(\"x\".to_owned());")]
            /// set.add(&name);
            /// assert!(set.contains("x"));
            /// drop(name);
            /// assert!(!set.contains("x"));
            /// ```
            pub fn contains<Q>(&self, value: &Q) -> bool
            where
                T: ::core::borrow::Borrow<Q>,
                Q: ::core::hash::Hash + Eq + ?Sized,
            {
                self.core.contains_key(value)
            }

            /// Removes the element equal to `value` (any borrowed form of the element
            /// type); returns whether there was one (Python's `discard`; `remove`
            /// raising `KeyError` is `!set.remove(x)`).
            ///
            /// ```
            #[doc = concat!("use weakrefs::", stringify!($module), "::{", stringify!($Strong), ", ", stringify!($Name), "};")]
            #[doc = concat!("let set = ", stringify!($Name), "::new();")]
            #[doc = concat!("let name = ", stringify!($Strong), "::new(\"x\".to_owned());")]
            /// set.add(&name);
            /// assert!(set.remove("x"));
            /// assert!(!set.remove("x"));
            /// ```
            pub fn remove<Q>(&self, value: &Q) -> bool
            where
                T: ::core::borrow::Borrow<Q>,
                Q: ::core::hash::Hash + Eq + ?Sized,
            {
                self.core.remove(value).is_some()
            }
        }
    };
    (by_identity, $module:ident, $Strong:ident, $Name:ident, [$($kb:tt)*]) => {
        impl<T: $($kb)* ?Sized + 'static, S: ::core::hash::BuildHasher> $Name<T, S> {
            /// Whether `value` (this very object, not an equal one) is in the set.
            ///
            /// ```
            #[doc = concat!("use weakrefs::", stringify!($module), "::{", stringify!($Strong), ", ", stringify!($Name), "};")]
            #[doc = concat!("let set = ", stringify!($Name), "::new();")]
            #[doc = concat!("let (a, twin) = (", stringify!($Strong), "::new(1), ", stringify!($Strong), "::new(1));")]
            /// set.add(&a);
            /// assert!(set.contains(&a));
            /// assert!(!set.contains(&twin));
            /// ```
            pub fn contains(&self, value: &$crate::$module::$Strong<T>) -> bool {
                self.core.contains_key(&**value)
            }

            /// Removes `value` (this very object); returns whether it was there.
            ///
            /// ```
            #[doc = concat!("use weakrefs::", stringify!($module), "::{", stringify!($Strong), ", ", stringify!($Name), "};")]
            #[doc = concat!("let set = ", stringify!($Name), "::new();")]
            #[doc = concat!("let a = ", stringify!($Strong), "::new(1);")]
            /// set.add(&a);
            /// assert!(set.remove(&a));
            /// assert!(!set.remove(&a));
            /// ```
            pub fn remove(&self, value: &$crate::$module::$Strong<T>) -> bool {
                self.core.remove(&**value).is_some()
            }
        }
    };
}

/// In a template's documentation: the first text for a by-value collection, the second
/// for a by-identity one.
macro_rules! by_lookup {
    (by_value, $by_value:literal, $by_identity:literal) => {
        $by_value
    };
    (by_identity, $by_value:literal, $by_identity:literal) => {
        $by_identity
    };
}

pub(crate) use {by_lookup, key_map_iterators, key_map_lookups, set_lookups};

pub(crate) use {weak_key_map, weak_set};
