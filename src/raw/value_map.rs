//! The core of `WeakValueMap`, written once, generic over the flavour.
//!
//! # Design
//!
//! The map's state (a hash table of `key -> weak reference to the value`, behind the
//! lock discipline of `guarded.rs`) lives in an allocation of our own strong pointer
//! type, so that removal callbacks can hold a *weak* reference to it: the map does not
//! keep its values alive, and the values (their callbacks) do not keep the map alive.
//!
//! Each entry stores its key's hash, computed once at insertion (outside the lock).
//! Every entry's weak reference carries a callback that, when the value's death
//! begins (before its `Drop`: a removal node, see `death.rs`), removes the entry **if
//! the entry still holds that very weak reference**, found by the
//! stored hash and the reference's identity. So a value replaced under its key can
//! never remove its successor (CPython's R15.5), and a removal runs no user code: no
//! key's `Hash` or `Eq`, which could panic or use the map; the table grows and shrinks
//! by the stored hashes too.
//!
//! The table's lock is held only to move data in and out: handles are upgraded,
//! cloned or moved under it, and everything that runs user code on drop (removed keys,
//! weak references whose callbacks are cancelled) is dropped after it is released.
//! User code that does run under the lock (a key's `Eq`, comparing a probe, or its
//! `Clone`, for a snapshot) may drop the last strong reference to some value, here or
//! in another map; a removal callback never waits for a lock, but hands its removal to
//! the lock's holder, which applies it before it is done, even if it unwinds. So `len`
//! is exact whenever no operation is in progress, whatever the values and keys do.

use core::hash::{BuildHasher, Hash};
use std::borrow::Borrow;

use hashbrown::HashTable;

use crate::flavor::Flavor;
use crate::raw::guarded::{drop_each, Guarded, Removal};
use crate::raw::strong::RawRc;
use crate::raw::table::{
    shrink_if_sparse, take, take_any, take_both, Hashed, LiveEntries, Upgrade,
};
use crate::raw::weak::RawWeak;

/// An entry.
struct Entry<K, V: ?Sized, F: Flavor> {
    hash: u64,
    key: K,
    value: RawWeak<V, F>,
}

impl<K, V: ?Sized, F: Flavor> Hashed for Entry<K, V, F> {
    fn hash(&self) -> u64 {
        self.hash
    }
}

/// The table.
type Table<K, V, F> = HashTable<Entry<K, V, F>>;

/// The removal of the entry that holds `value` (a dead value's, or one that `retain`
/// rejected), found by the key's hash and the reference's identity.
struct EntryRemoval<V: ?Sized, F: Flavor> {
    hash: u64,
    value: RawWeak<V, F>,
}

impl<K, V: ?Sized, F: Flavor> Removal<Table<K, V, F>> for EntryRemoval<V, F> {
    type Removed = Entry<K, V, F>;

    fn take(&self, table: &mut Table<K, V, F>) -> Option<Entry<K, V, F>> {
        take(table, self.hash, |entry| entry.value.ref_eq(&self.value))
    }

    fn key_type() -> &'static str {
        core::any::type_name::<K>()
    }
}

/// The shared state of a map.
struct State<K, V: ?Sized, F: Flavor, S> {
    table: Guarded<Table<K, V, F>, EntryRemoval<V, F>, F>,
    hasher: S,
}

/// A weak-valued hash map.
pub(crate) struct ValueMapCore<K, V: ?Sized, F: Flavor, S> {
    state: RawRc<State<K, V, F, S>, F>,
}

impl<K, V: ?Sized, F, S> ValueMapCore<K, V, F, S>
where
    K: Eq + Hash,
    F: Flavor,
    S: BuildHasher,
{
    pub(crate) fn with_capacity_and_hasher(capacity: usize, hasher: S) -> Self {
        ValueMapCore {
            state: RawRc::new(State {
                table: Guarded::new(HashTable::with_capacity(capacity)),
                hasher,
            }),
        }
    }

    fn state(&self) -> &State<K, V, F, S> {
        self.state.value()
    }

    fn hash<Q: Hash + ?Sized>(&self, key: &Q) -> u64 {
        self.state().hasher.hash_one(key)
    }

    /// A weak reference to `value` whose callback removes the entry (under `hash`)
    /// that still holds this reference.
    fn entry_ref(&self, hash: u64, value: &RawRc<V, F>) -> RawWeak<V, F>
    where
        K: 'static,
        V: 'static,
        S: 'static,
    {
        let map = self.state.downgrade();
        value.downgrade_with_removal(move |dead: &RawWeak<V, F>| {
            if let Some(state) = map.upgrade() {
                let value = dead.clone();
                state.value().table.remove(EntryRemoval { hash, value });
            }
        })
    }

    /// Runs `f` on the table, with the removals handed over meanwhile applied before
    /// it returns (or unwinds).
    fn with_table<R>(&self, f: impl FnOnce(&mut Table<K, V, F>) -> R) -> R {
        self.state().table.with(f)
    }

    /// Inserts `key -> value`; returns the value it replaced, if that was alive. As
    /// std's `HashMap`, a present equal key is kept and the new one dropped.
    pub(crate) fn insert(&self, key: K, value: RawRc<V, F>) -> Option<RawRc<V, F>>
    where
        K: 'static,
        V: 'static,
        S: 'static,
    {
        let Placed { replaced, .. } = self.place(key, &value, Keep::Nothing);
        // Outside the lock: the old reference (which cancels its callback).
        let previous = replaced.as_ref().and_then(RawWeak::upgrade);
        drop(replaced);
        // `value` may be the last strong reference: then it dies here, and its
        // callback removes the entry just made (Python: `d[k] = C()` keeps nothing).
        drop(value);
        previous
    }

    /// Puts `value` under `key`, in an entry of its own or in the entry of an equal
    /// key, unless that entry's value is alive and `keep` says to keep it. The key
    /// and the new reference are made before the table is locked, and stay out here
    /// in slots (see `take_both`): what the table does not take (the new key, if an
    /// equal one is present; the reference, if the live value is kept) is dropped
    /// after the lock is released, and so is the reference replaced, returned in
    /// `replaced`.
    fn place(&self, key: K, value: &RawRc<V, F>, keep: Keep) -> Placed<V, F>
    where
        K: 'static,
        V: 'static,
        S: 'static,
    {
        let hash = self.hash(&key);
        let mut key = Some(key);
        let mut weak = Some(self.entry_ref(hash, value));
        let mut placed = Placed {
            replaced: None,
            kept: None,
        };
        self.with_table(|table| {
            let Some(probe) = key.as_ref() else {
                return;
            };
            match table.find_mut(hash, |entry| entry.key == *probe) {
                Some(entry) => {
                    if keep == Keep::Live {
                        placed.kept = entry.value.upgrade();
                        if placed.kept.is_some() {
                            return;
                        }
                    }
                    // Replace the value (for `Keep::Live`, a dead one whose removal
                    // is on its way).
                    if let Some(weak) = weak.take() {
                        placed.replaced = Some(core::mem::replace(&mut entry.value, weak));
                    }
                }
                None => insert_new(table, hash, &mut key, &mut weak),
            }
        });
        drop((key, weak));
        placed
    }

    pub(crate) fn get<Q>(&self, key: &Q) -> Option<RawRc<V, F>>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        let hash = self.hash(key);
        self.with_table(|table| {
            table
                .find(hash, |entry| entry.key.borrow() == key)
                .and_then(|entry| entry.value.upgrade())
        })
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
        let hash = self.hash(key);
        let removed = self.with_table(|table| take(table, hash, |entry| entry.key.borrow() == key));
        removed.and_then(|entry| entry.value.upgrade())
    }

    /// Removes `key`'s entry if it still holds `value`; returns whether it did.
    pub(crate) fn remove_if_holds<Q>(&self, key: &Q, value: &RawRc<V, F>) -> bool
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        let hash = self.hash(key);
        let target = value.as_ptr();
        let removed = self.with_table(|table| {
            take(table, hash, |entry| {
                core::ptr::addr_eq(entry.value.as_ptr(), target) && entry.key.borrow() == key
            })
        });
        // Outside the lock: the key and the reference (its callback cancelled).
        removed.is_some()
    }

    /// Python's `setdefault`: the live value under `key`, or `make()`'s, inserted.
    /// `make` runs without the lock held; if another thread inserts meanwhile, its
    /// value wins and `make()`'s result is dropped. The key is made from `key` (by
    /// `to_owned`, then `From`) only on a miss.
    pub(crate) fn get_or_insert_with<Q>(
        &self,
        key: &Q,
        make: impl FnOnce() -> RawRc<V, F>,
    ) -> RawRc<V, F>
    where
        K: Borrow<Q> + From<Q::Owned> + 'static,
        Q: Hash + Eq + ToOwned + ?Sized,
        V: 'static,
        S: 'static,
    {
        if let Some(found) = self.get(key) {
            return found;
        }
        let value = make();
        self.insert_unless_live(K::from(key.to_owned()), value)
    }

    /// [`get_or_insert_with`](Self::get_or_insert_with) with the key already owned.
    pub(crate) fn get_or_insert_with_key(
        &self,
        key: K,
        make: impl FnOnce() -> RawRc<V, F>,
    ) -> RawRc<V, F>
    where
        K: 'static,
        V: 'static,
        S: 'static,
    {
        if let Some(found) = self.get(&key) {
            return found;
        }
        let value = make();
        self.insert_unless_live(key, value)
    }

    /// Inserts `key -> value` unless a live value is under `key` already (put there
    /// since the caller looked); returns the value under `key` afterwards.
    fn insert_unless_live(&self, key: K, value: RawRc<V, F>) -> RawRc<V, F>
    where
        K: 'static,
        V: 'static,
        S: 'static,
    {
        let Placed { replaced, kept } = self.place(key, &value, Keep::Live);
        drop(replaced);
        // The live value found, or ours (now stored).
        kept.unwrap_or(value)
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
        self.state().hasher.clone()
    }

    /// A snapshot of the entries: (hash, key, weak reference). It is filled under the
    /// lock but lives out here: if a key's `Clone` panics, the clones made so far are
    /// dropped after the lock is released.
    fn snapshot(&self) -> Vec<(u64, K, RawWeak<V, F>)>
    where
        K: Clone,
    {
        let mut snapshot = Vec::new();
        self.with_table(|table| {
            snapshot.reserve_exact(table.len());
            let entries = table.iter();
            snapshot.extend(entries.map(|e| (e.hash, e.key.clone(), e.value.clone())));
        });
        snapshot
    }

    /// The live entries, from a snapshot: values that die while it is walked are
    /// skipped; entries added meanwhile are not seen.
    pub(crate) fn entries(&self) -> LiveEntries<EntryRef<K, V, F>>
    where
        K: Clone,
    {
        let pairs = self
            .snapshot()
            .into_iter()
            .map(|(_, key, weak)| EntryRef(key, weak));
        LiveEntries::new(pairs.collect())
    }

    /// Takes every entry out; the live ones are yielded, after the lock is released.
    pub(crate) fn drain(&self) -> LiveEntries<EntryRef<K, V, F>> {
        let mut all = Vec::new();
        self.with_table(|table| {
            all.reserve_exact(table.len());
            all.extend(table.drain().map(|entry| EntryRef(entry.key, entry.value)));
            shrink_if_sparse(table);
        });
        LiveEntries::new(all)
    }

    /// How many entries the table holds without growing.
    pub(crate) fn capacity(&self) -> usize {
        self.with_table(|table| table.capacity())
    }

    /// Makes room for `additional` more entries.
    pub(crate) fn reserve(&self, additional: usize) {
        self.with_table(|table| table.reserve(additional, Hashed::hash));
    }

    /// Gives back the memory the entries do not use.
    pub(crate) fn shrink_to_fit(&self) {
        self.with_table(|table| table.shrink_to_fit(Hashed::hash));
    }

    /// The weak references held (Python's `valuerefs`); some may be dead.
    pub(crate) fn value_refs(&self) -> Vec<RawWeak<V, F>> {
        self.with_table(|table| table.iter().map(|entry| entry.value.clone()).collect())
    }

    /// Keeps the entries for which `keep` returns `true`; `keep` runs without the lock.
    pub(crate) fn retain(&self, mut keep: impl FnMut(&K, &RawRc<V, F>) -> bool)
    where
        K: Clone,
    {
        let mut rejected = Vec::new();
        for (hash, key, value) in self.snapshot() {
            let keep_it = value.upgrade().is_some_and(|live| keep(&key, &live));
            if !keep_it {
                rejected.push((key, EntryRemoval { hash, value }));
            }
        }
        let removed: Vec<Entry<K, V, F>> = self.with_table(|table| {
            rejected
                .iter()
                .filter_map(|(_, removal)| removal.take(table))
                .collect()
        });
        // Outside the lock, and all of them even if a key's `Drop` panics.
        let removed = removed.into_iter().map(|entry| (entry.key, entry.value));
        let rejected = rejected
            .into_iter()
            .map(|(key, removal)| (key, removal.value));
        drop_each(removed.chain(rejected), core::any::type_name::<K>());
    }

    /// Removes and returns some live entry (Python's `popitem`), discarding dead ones
    /// it meets.
    pub(crate) fn pop_item(&self) -> Option<(K, RawRc<V, F>)> {
        loop {
            let taken = self.with_table(take_any);
            let entry = taken?;
            if let Some(value) = entry.value.upgrade() {
                return Some((entry.key, value));
            }
        }
    }
}

/// An entry copied or taken out of the table: its key and its value's reference.
pub(crate) struct EntryRef<K, V: ?Sized, F: Flavor>(K, RawWeak<V, F>);

impl<K, V: ?Sized, F: Flavor> Upgrade for EntryRef<K, V, F> {
    type Live = (K, RawRc<V, F>);

    fn upgrade(self) -> Option<(K, RawRc<V, F>)> {
        let EntryRef(key, weak) = self;
        weak.upgrade().map(|value| (key, value))
    }
}

/// Whether [`ValueMapCore::place`] keeps a live value found under the key.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Keep {
    /// Replace it (`insert`).
    Nothing,
    /// Keep it (`get_or_insert_with`).
    Live,
}

/// What [`ValueMapCore::place`] did: the reference it replaced, and the live value it
/// kept instead of placing the new one.
struct Placed<V: ?Sized, F: Flavor> {
    replaced: Option<RawWeak<V, F>>,
    kept: Option<RawRc<V, F>>,
}

/// Adds an entry for a key known to be absent, taking the key and the reference out
/// of the caller's slots (see `take_both`).
fn insert_new<K, V: ?Sized, F: Flavor>(
    table: &mut Table<K, V, F>,
    hash: u64,
    key: &mut Option<K>,
    value: &mut Option<RawWeak<V, F>>,
) {
    if let Some((key, value)) = take_both(key, value) {
        let entry = Entry { hash, key, value };
        table.insert_unique(hash, entry, |entry| entry.hash);
    }
}
