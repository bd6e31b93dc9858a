//! The core of `WeakValueMap`, written once, generic over the flavour.
//!
//! # Design
//!
//! The map's state (a hash table of `key -> weak reference to the value`, and a list
//! of deferred removals) lives in an allocation of our own strong pointer type, so
//! that removal callbacks can hold a *weak* reference to it: the map does not keep its
//! values alive, and the values (their callbacks) do not keep the map alive.
//!
//! Every entry's weak reference carries a callback that, when the value dies, removes
//! the entry, **if the entry still holds that very weak reference**. A value replaced
//! under its key can therefore never remove its successor (CPython's R15.5).
//!
//! The table's lock is held only to move data in and out: handles are upgraded,
//! cloned or moved under it, and everything that runs user code on drop (removed keys,
//! weak references whose callbacks are cancelled) is dropped after it is released.
//! User code that does run under the lock (a key's `Hash`, `Eq` or `Clone`) may drop
//! the last strong reference to some value, here or in another map; a removal
//! callback never waits for a lock, but hands its removal to the lock's holder, which
//! applies it before it is done, even if it unwinds (`guarded.rs`). So `len` is exact
//! whenever no operation is in progress, whatever the values and keys do.

use core::hash::{BuildHasher, Hash};
use std::borrow::Borrow;
use std::collections::HashMap;

use super::guarded::{drop_each, Guarded, Removal};
use crate::flavor::Flavor;
use crate::raw::strong::RawRc;
use crate::raw::weak::RawWeak;

/// An entry as it travels outside the table: a key and the weak reference it held.
type Taken<K, V, F> = (K, RawWeak<V, F>);

/// The table.
type Table<K, V, F, S> = HashMap<K, RawWeak<V, F>, S>;

/// A dead value's removal: its key and its (dead) weak reference, which the entry must
/// still hold to be removed.
struct DeadValue<K, V, F: Flavor> {
    key: K,
    dead: RawWeak<V, F>,
}

impl<K: Eq + Hash, V, F: Flavor, S: BuildHasher> Removal<Table<K, V, F, S>> for DeadValue<K, V, F> {
    type Removed = Taken<K, V, F>;

    fn take(&self, table: &mut Table<K, V, F, S>) -> Option<Self::Removed> {
        take_if_same(table, &self.key, &self.dead)
    }

    fn key_type() -> &'static str {
        core::any::type_name::<K>()
    }
}

/// The table behind its lock, with the removals handed to the lock's holder.
type GuardedTable<K, V, F, S> = Guarded<Table<K, V, F, S>, DeadValue<K, V, F>, F>;

/// The shared state of a map.
struct State<K, V, F: Flavor, S> {
    table: GuardedTable<K, V, F, S>,
}

/// A weak-valued hash map.
pub(crate) struct ValueMapCore<K, V, F: Flavor, S> {
    state: RawRc<State<K, V, F, S>, F>,
}

impl<K, V, F, S> ValueMapCore<K, V, F, S>
where
    K: Eq + Hash,
    F: Flavor,
    S: BuildHasher,
{
    pub(crate) fn with_capacity_and_hasher(capacity: usize, hasher: S) -> Self {
        ValueMapCore {
            state: RawRc::new(State {
                table: Guarded::new(HashMap::with_capacity_and_hasher(capacity, hasher)),
            }),
        }
    }

    fn state(&self) -> &State<K, V, F, S> {
        self.state.value()
    }

    /// A weak reference to `value` whose callback removes `key`'s entry if it still
    /// holds this reference. The callback owns `key` (a clone of the entry's).
    fn entry_ref(&self, key: K, value: &RawRc<V, F>) -> RawWeak<V, F>
    where
        K: 'static,
        V: 'static,
        S: 'static,
    {
        let map = self.state.downgrade();
        value.downgrade_with(move |dead: &RawWeak<V, F>| {
            if let Some(state) = map.upgrade() {
                let dead = dead.clone();
                state.value().table.remove(DeadValue { key, dead });
            }
        })
    }

    /// Runs `f` on the table, with the removals handed over meanwhile applied before
    /// it returns (or unwinds).
    fn with_table<R>(&self, f: impl FnOnce(&mut Table<K, V, F, S>) -> R) -> R {
        self.state().table.with(f)
    }

    /// Inserts `key -> value`; returns the value it replaced, if that was alive.
    pub(crate) fn insert(&self, key: K, value: RawRc<V, F>) -> Option<RawRc<V, F>>
    where
        K: Clone + 'static,
        V: 'static,
        S: 'static,
    {
        // The weak reference (and its callback) is made before the table is locked.
        let weak = self.entry_ref(key.clone(), &value);
        let old = self.with_table(|table| table.insert(key, weak));
        // Dropping the old reference cancels its callback, outside the lock.
        let previous = old.as_ref().and_then(RawWeak::upgrade);
        drop(old);
        // `value` may be the last strong reference: then it dies here, and its
        // callback removes the entry just made (Python: `d[k] = C()` keeps nothing).
        drop(value);
        previous
    }

    pub(crate) fn get<Q>(&self, key: &Q) -> Option<RawRc<V, F>>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        self.with_table(|table| table.get(key).and_then(RawWeak::upgrade))
    }

    pub(crate) fn contains_key<Q>(&self, key: &Q) -> bool
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        self.get(key).is_some()
    }

    /// Removes `key`'s entry; returns its value if it was alive.
    pub(crate) fn remove<Q>(&self, key: &Q) -> Option<RawRc<V, F>>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        let removed = self.with_table(|table| {
            let entry = table.remove_entry(key);
            shrink_if_sparse(table);
            entry
        });
        removed.and_then(|(_, weak)| weak.upgrade())
    }

    /// Python's `setdefault`: the live value under `key`, or `make()`'s, inserted.
    /// `make` runs without the lock held; if another thread inserts meanwhile, its
    /// value wins and `make()`'s result is dropped.
    pub(crate) fn get_or_insert_with(
        &self,
        key: K,
        make: impl FnOnce() -> RawRc<V, F>,
    ) -> RawRc<V, F>
    where
        K: Clone + 'static,
        V: 'static,
        S: 'static,
    {
        if let Some(found) = self.get(&key) {
            return found;
        }
        let value = make();
        let weak = self.entry_ref(key.clone(), &value);
        let (kept, spare) = self.with_table(|table| {
            if let Some(live) = table.get(&key).and_then(RawWeak::upgrade) {
                (live, Some(weak))
            } else {
                let old = table.insert(key, weak);
                (value.clone(), old)
            }
        });
        drop(spare);
        drop(value);
        kept
    }

    /// The number of entries: exact while no value is dying on another thread.
    pub(crate) fn len(&self) -> usize {
        self.with_table(|table| table.len())
    }

    pub(crate) fn clear(&self) {
        let all: Vec<_> = self.with_table(|table| {
            let all = table.drain().collect();
            shrink_if_sparse(table);
            all
        });
        // Outside the lock: dropping keys and references may run user code.
        drop_each(all, core::any::type_name::<K>());
    }

    /// A clone of the map's hasher.
    pub(crate) fn hasher(&self) -> S
    where
        S: Clone,
    {
        self.with_table(|table| table.hasher().clone())
    }

    /// A snapshot of the entries, as (key, weak reference) pairs.
    fn snapshot(&self) -> Vec<Taken<K, V, F>>
    where
        K: Clone,
    {
        self.with_table(|table| table.iter().map(|(k, w)| (k.clone(), w.clone())).collect())
    }

    /// The live entries, from a snapshot: values that die while it is walked are
    /// skipped; entries added meanwhile are not seen.
    pub(crate) fn entries(&self) -> impl Iterator<Item = (K, RawRc<V, F>)>
    where
        K: Clone,
    {
        self.snapshot()
            .into_iter()
            .filter_map(|(key, weak)| weak.upgrade().map(|value| (key, value)))
    }

    /// The weak references held (Python's `valuerefs`); some may be dead.
    pub(crate) fn value_refs(&self) -> Vec<RawWeak<V, F>> {
        self.with_table(|table| table.values().cloned().collect())
    }

    /// Keeps the entries for which `keep` returns `true`; `keep` runs without the lock.
    pub(crate) fn retain(&self, mut keep: impl FnMut(&K, &RawRc<V, F>) -> bool)
    where
        K: Clone,
    {
        let mut rejected = Vec::new();
        for (key, weak) in self.snapshot() {
            let keep_it = weak.upgrade().is_some_and(|value| keep(&key, &value));
            if !keep_it {
                rejected.push((key, weak));
            }
        }
        let removed: Vec<_> = self.with_table(|table| {
            rejected
                .iter()
                .filter_map(|(key, weak)| take_if_same(table, key, weak))
                .collect()
        });
        drop_each(
            removed.into_iter().chain(rejected),
            core::any::type_name::<K>(),
        );
    }

    /// Removes and returns some live entry (Python's `popitem`), discarding dead ones
    /// it meets.
    pub(crate) fn pop_item(&self) -> Option<(K, RawRc<V, F>)>
    where
        K: Clone,
    {
        loop {
            let taken = self.with_table(|table| {
                let key = table.keys().next()?.clone();
                let entry = table.remove_entry(&key);
                shrink_if_sparse(table);
                entry
            });
            let (key, weak) = taken?;
            if let Some(value) = weak.upgrade() {
                return Some((key, value));
            }
        }
    }
}

/// Gives memory back as the table empties: when at most a quarter of its capacity is
/// used, it shrinks to twice its length (each shrink at least halves the capacity, so
/// the cost is amortised over the removals that led to it). So a map whose values all
/// died holds (almost) nothing, as memory follows what is alive.
fn shrink_if_sparse<K: Eq + Hash, W, S: BuildHasher>(table: &mut HashMap<K, W, S>) {
    const SMALL: usize = 32;
    if table.capacity() > SMALL && table.len() * 4 <= table.capacity() {
        table.shrink_to((table.len() * 2).max(SMALL));
    }
}

/// Takes `key`'s entry out if it holds the same weak reference as `weak`.
fn take_if_same<K, V, F, S, Q>(
    table: &mut HashMap<K, RawWeak<V, F>, S>,
    key: &Q,
    weak: &RawWeak<V, F>,
) -> Option<Taken<K, V, F>>
where
    K: Eq + Hash + Borrow<Q>,
    Q: Eq + Hash + ?Sized,
    F: Flavor,
    S: BuildHasher,
{
    if table.get(key)?.ref_eq(weak) {
        let entry = table.remove_entry(key);
        shrink_if_sparse(table);
        entry
    } else {
        None
    }
}
