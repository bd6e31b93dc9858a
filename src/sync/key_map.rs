//! The weak-key maps and weak sets of `sync` ([`WeakKeyMap`], [`PtrWeakKeyMap`],
//! [`WeakSet`], [`PtrWeakSet`], also at `sync`'s top level) and their iterators.

crate::api::key_map::key_map_iterators!(sync, Arc, Atomic);

crate::api::key_map::weak_key_map!(
    sync, Arc, Atomic, WeakKeyMap, crate::raw::key_map::ByValue,
    lookup: by_value,
    key_bounds: [::core::hash::Hash + Eq +], bounds: [Send + Sync + 'static],
    compare: "by value (the keys' `Eq` and `Hash`)"
);

crate::api::key_map::weak_key_map!(
    sync, Arc, Atomic, PtrWeakKeyMap, crate::raw::key_map::ByIdentity,
    lookup: by_identity,
    key_bounds: [], bounds: [Send + Sync + 'static],
    compare: "by identity (which allocation)"
);

crate::api::key_map::weak_set!(
    sync, Arc, Atomic, WeakSet, crate::raw::key_map::ByValue,
    lookup: by_value,
    key_bounds: [::core::hash::Hash + Eq +], bounds: [Send + Sync + 'static],
    compare: "by value (the elements' `Eq` and `Hash`)"
);

crate::api::key_map::weak_set!(
    sync, Arc, Atomic, PtrWeakSet, crate::raw::key_map::ByIdentity,
    lookup: by_identity,
    key_bounds: [], bounds: [Send + Sync + 'static],
    compare: "by identity (which allocation)"
);

// SAFETY: (for this impl and the seven below, as for `WeakValueMap`) the state is
// shared with the removal callbacks of the keys, which run on whichever thread drops a key's last
// `Arc`; keys are shared through `Arc`s, values are moved between threads and used
// under the mutex one thread at a time, the hasher is only read.
unsafe impl<K: Send + Sync + ?Sized, V: Send + Sync, S: Send + Sync> Send for WeakKeyMap<K, V, S> {}
// SAFETY: as above.
unsafe impl<K: Send + Sync + ?Sized, V: Send + Sync, S: Send + Sync> Sync for WeakKeyMap<K, V, S> {}
// SAFETY: as above.
unsafe impl<K: Send + Sync + ?Sized, V: Send + Sync, S: Send + Sync> Send
    for PtrWeakKeyMap<K, V, S>
{
}
// SAFETY: as above.
unsafe impl<K: Send + Sync + ?Sized, V: Send + Sync, S: Send + Sync> Sync
    for PtrWeakKeyMap<K, V, S>
{
}
// SAFETY: as above, with no values.
unsafe impl<T: Send + Sync + ?Sized, S: Send + Sync> Send for WeakSet<T, S> {}
// SAFETY: as above.
unsafe impl<T: Send + Sync + ?Sized, S: Send + Sync> Sync for WeakSet<T, S> {}
// SAFETY: as above.
unsafe impl<T: Send + Sync + ?Sized, S: Send + Sync> Send for PtrWeakSet<T, S> {}
// SAFETY: as above.
unsafe impl<T: Send + Sync + ?Sized, S: Send + Sync> Sync for PtrWeakSet<T, S> {}

// SAFETY: the iterators own `sync` weak references to the keys and the values (of a
// set: none), and do nothing else: they are `Send` when `sync::Weak<K>` is (`K: Send +
// Sync`) and values are, and `Sync` likewise (they are only used through `&mut`).
unsafe impl<K: Send + Sync + ?Sized, V: Send> Send for Iter<K, V> {}
// SAFETY: as above.
unsafe impl<K: Send + Sync + ?Sized, V: Sync> Sync for Iter<K, V> {}
// SAFETY: as above.
unsafe impl<K: Send + Sync + ?Sized, V: Send> Send for Drain<K, V> {}
// SAFETY: as above.
unsafe impl<K: Send + Sync + ?Sized, V: Sync> Sync for Drain<K, V> {}
// SAFETY: as above, with no values.
unsafe impl<T: Send + Sync + ?Sized> Send for SetIter<T> {}
// SAFETY: as above.
unsafe impl<T: Send + Sync + ?Sized> Sync for SetIter<T> {}
// SAFETY: as above.
unsafe impl<T: Send + Sync + ?Sized> Send for SetDrain<T> {}
// SAFETY: as above.
unsafe impl<T: Send + Sync + ?Sized> Sync for SetDrain<T> {}
