//! The weak-valued map of `sync` ([`WeakValueMap`], also at `sync`'s top level) and its
//! iterators.

crate::api::value_map::weak_value_map!(sync, Arc, Atomic, Send + Sync + 'static);

// SAFETY: the map's state is shared with the removal callbacks of its values, which
// run on whichever thread drops a value's last `Arc`: keys are moved to and used on
// other threads (under the map's mutex, one thread at a time), values are shared
// through `Arc`s, the hasher is used under the mutex. `Send + Sync` on all three is
// what `Arc<Mutex<HashMap<K, Arc<V>, S>>>` would need, and more than enough.
unsafe impl<K: Send + Sync, V: Send + Sync + ?Sized, S: Send + Sync> Send
    for WeakValueMap<K, V, S>
{
}
// SAFETY: as above; every method takes `&self` and goes through the mutex.
unsafe impl<K: Send + Sync, V: Send + Sync + ?Sized, S: Send + Sync> Sync
    for WeakValueMap<K, V, S>
{
}

// SAFETY: the iterators own keys and `sync` weak references to the values, and do
// nothing else: they are `Send` when keys are and `sync::Weak<V>` is (`V: Send +
// Sync`), and `Sync` likewise (they are only used through `&mut`).
unsafe impl<K: Send, V: Send + Sync + ?Sized> Send for Iter<K, V> {}
// SAFETY: as above.
unsafe impl<K: Sync, V: Send + Sync + ?Sized> Sync for Iter<K, V> {}
// SAFETY: as above.
unsafe impl<K: Send, V: Send + Sync + ?Sized> Send for Drain<K, V> {}
// SAFETY: as above.
unsafe impl<K: Sync, V: Send + Sync + ?Sized> Sync for Drain<K, V> {}
