//! The core of `WeakKeyMap` and `WeakSet` (and their by-identity variants), written
//! once, generic over the flavour and over how keys are compared.
//!
//! # Design
//!
//! Each entry holds a weak reference to its key object, with a callback, the key's
//! hash (computed once, while the key is alive: a dead key can no longer be hashed,
//! Python's R4.4), and the value. Lookups hash the probe and compare it with the live
//! keys of the bucket: by value ([`ByValue`], Python's semantics, R16.2) or by address
//! ([`ByIdentity`]). A dead key matches nothing; its entry is found again, by its
//! stored hash and its reference's identity, by the callback that removes it.
//!
//! An entry stays tied to the key object first inserted (R16.3): inserting an equal
//! key replaces the value only.
//!
//! The lock discipline is `value_map.rs`'s: only moves under the lock, drops after it
//! (including the temporary strong handles taken to compare keys, parked in a
//! [`Graveyard`] until the lock is released), and removals handed to the lock's holder
//! when a callback finds the lock held, by any thread (`guarded.rs`).

use core::hash::{BuildHasher, Hash};
use core::marker::PhantomData;
use std::borrow::Borrow;

use hashbrown::HashTable;

use crate::flavor::Flavor;
use crate::raw::guarded::{drop_each, Guarded, Removal};
use crate::raw::strong::RawRc;
use crate::raw::table::{
    shrink_if_sparse, take, take_any, take_both, Hashed, LiveEntries, Upgrade,
};
use crate::raw::weak::RawWeak;

/// How keys are compared, and found from a lookup's probe of type `Q` (by default a
/// key itself).
pub(crate) trait KeyPolicy<K: ?Sized, Q: ?Sized = K>: 'static {
    /// The hash of a live key, or of a probe: equal for a probe and a key it matches.
    fn hash<S: BuildHasher>(hasher: &S, probe: &Q) -> u64;
    /// Whether `stored` is a live key that matches `probe`. A strong handle taken to
    /// compare is parked in `graveyard`, to be dropped after the lock is released.
    fn matches<F: Flavor>(
        stored: &RawWeak<K, F>,
        probe: &Q,
        graveyard: &mut Graveyard<K, F>,
    ) -> bool;
}

/// Keys compare by value (`Eq` and `Hash` of the referent), as in Python; a probe may
/// be any `Q` the keys borrow as (`&str` for `String` keys), as in `HashMap`.
pub(crate) enum ByValue {}

/// Keys compare by identity (the address of the referent).
pub(crate) enum ByIdentity {}

impl<K, Q> KeyPolicy<K, Q> for ByValue
where
    K: Borrow<Q> + ?Sized + 'static,
    Q: Hash + Eq + ?Sized,
{
    fn hash<S: BuildHasher>(hasher: &S, probe: &Q) -> u64 {
        // `Borrow`'s contract: a key and its borrowed form hash alike.
        hasher.hash_one(probe)
    }

    fn matches<F: Flavor>(
        stored: &RawWeak<K, F>,
        probe: &Q,
        graveyard: &mut Graveyard<K, F>,
    ) -> bool {
        // The key must be kept alive while `==` runs on it (another thread could drop
        // its last strong handle meanwhile), hence the upgrade. It is parked before
        // `==` runs: if `==` panics, the handle is dropped with the graveyard, after the
        // lock is released, not while unwinding under it.
        match stored.upgrade() {
            Some(key) => graveyard.park(key).value().borrow() == probe,
            None => false,
        }
    }
}

impl<K: ?Sized + 'static> KeyPolicy<K> for ByIdentity {
    fn hash<S: BuildHasher>(hasher: &S, key: &K) -> u64 {
        hasher.hash_one(core::ptr::from_ref(key).addr())
    }

    fn matches<F: Flavor>(stored: &RawWeak<K, F>, probe: &K, _: &mut Graveyard<K, F>) -> bool {
        // The stored reference keeps its allocation, so no other object can be at
        // that address; a dead key matches nothing.
        core::ptr::addr_eq(stored.as_ptr(), probe) && stored.strong_count() > 0
    }
}

/// Strong handles taken under the lock, dropped after it: dropping one may run user
/// code (if it was the last) that must not find the lock held.
pub(crate) struct Graveyard<K: ?Sized, F: Flavor> {
    few: [Option<RawRc<K, F>>; 4],
    more: Vec<RawRc<K, F>>,
}

impl<K: ?Sized, F: Flavor> Graveyard<K, F> {
    fn new() -> Self {
        Graveyard {
            few: [None, None, None, None],
            more: Vec::new(),
        }
    }

    /// Keeps `handle` until the graveyard is dropped; returns it, parked.
    fn park(&mut self, handle: RawRc<K, F>) -> &RawRc<K, F> {
        match self.few.iter_mut().find(|slot| slot.is_none()) {
            Some(slot) => slot.insert(handle),
            None => {
                self.more.push(handle);
                &self.more[self.more.len() - 1]
            }
        }
    }
}

impl<K: ?Sized, F: Flavor> Drop for Graveyard<K, F> {
    fn drop(&mut self) {
        // The common case, at most one handle (a lookup compared one key), needs no
        // care: the fields' own drop does it. Several handles, or a panic already
        // unwinding, go one by one: each may be a key's last (it died during the
        // lookup), whose `Drop` may panic.
        if self.more.is_empty() && self.few[1].is_none() && !std::thread::panicking() {
            return;
        }
        let few = self.few.iter_mut().filter_map(Option::take);
        drop_each(few.chain(self.more.drain(..)), core::any::type_name::<K>());
    }
}

/// An entry copied or taken out of the table: its key's reference and its value.
pub(crate) struct SlotRef<K: ?Sized, V, F: Flavor>(RawWeak<K, F>, V);

impl<K: ?Sized, V, F: Flavor> Upgrade for SlotRef<K, V, F> {
    type Live = (RawRc<K, F>, V);

    fn upgrade(self) -> Option<(RawRc<K, F>, V)> {
        let SlotRef(key, value) = self;
        key.upgrade().map(|key| (key, value))
    }
}

/// An entry.
struct Slot<K: ?Sized, V, F: Flavor> {
    hash: u64,
    key: RawWeak<K, F>,
    value: V,
}

impl<K: ?Sized, V, F: Flavor> Hashed for Slot<K, V, F> {
    fn hash(&self) -> u64 {
        self.hash
    }
}

/// The table.
type Table<K, V, F> = HashTable<Slot<K, V, F>>;

/// A removal of the entry holding a key reference (found by the key's hash and the
/// reference's identity): a dead key's, or one that `retain` rejected.
struct KeyRemoval<K: ?Sized, F: Flavor> {
    hash: u64,
    key: RawWeak<K, F>,
}

impl<K: ?Sized, V, F: Flavor> Removal<Table<K, V, F>> for KeyRemoval<K, F> {
    type Removed = Slot<K, V, F>;

    fn take(&self, table: &mut Table<K, V, F>) -> Option<Slot<K, V, F>> {
        take(table, self.hash, |slot| slot.key.ref_eq(&self.key))
    }

    fn key_type() -> &'static str {
        core::any::type_name::<K>()
    }
}

/// The shared state of a map.
struct State<K: ?Sized, V, F: Flavor, S> {
    table: Guarded<Table<K, V, F>, KeyRemoval<K, F>, F>,
    hasher: S,
}

/// A weak-keyed hash map, comparing keys as `P` says.
pub(crate) struct KeyMapCore<K: ?Sized, V, F: Flavor, S, P> {
    state: RawRc<State<K, V, F, S>, F>,
    _policy: PhantomData<P>,
}

impl<K: ?Sized, V, F, S, P> KeyMapCore<K, V, F, S, P>
where
    F: Flavor,
    S: BuildHasher,
    P: KeyPolicy<K>,
{
    pub(crate) fn with_capacity_and_hasher(capacity: usize, hasher: S) -> Self {
        KeyMapCore {
            state: RawRc::new(State {
                table: Guarded::new(HashTable::with_capacity(capacity)),
                hasher,
            }),
            _policy: PhantomData,
        }
    }

    fn state(&self) -> &State<K, V, F, S> {
        self.state.value()
    }

    /// Runs `f` on the table, with the removals handed over meanwhile applied before
    /// it returns (or unwinds); the graveyard is dropped after the lock is released.
    fn with_table<R>(
        &self,
        f: impl FnOnce(&mut HashTable<Slot<K, V, F>>, &mut Graveyard<K, F>) -> R,
    ) -> R {
        let mut graveyard = Graveyard::new();
        self.state().table.with(|table| f(table, &mut graveyard))
    }

    fn hash(&self, key: &K) -> u64 {
        P::hash(&self.state().hasher, key)
    }

    /// Inserts `key -> value`. If an equal key is present, its entry keeps its key
    /// object and gets the new value; the replaced value is returned.
    pub(crate) fn insert(&self, key: &RawRc<K, F>, value: V) -> Option<V>
    where
        K: 'static,
        V: 'static,
        S: 'static,
    {
        let hash = self.hash(key.value());
        let map = self.state.downgrade();
        let weak = key.downgrade_with_removal(move |dead: &RawWeak<K, F>| {
            if let Some(state) = map.upgrade() {
                let key = dead.clone();
                state.value().table.remove(KeyRemoval { hash, key });
            }
        });
        // The value and the reference stay out here, in slots (see `take_both`).
        let mut value = Some(value);
        let mut weak = Some(weak);
        let old = self.with_table(|table, graveyard| {
            match table.find_mut(hash, |slot| P::matches(&slot.key, key.value(), graveyard)) {
                Some(slot) => Some(core::mem::replace(&mut slot.value, value.take()?)),
                None => {
                    if let Some((value, key)) = take_both(&mut value, &mut weak) {
                        table.insert_unique(hash, Slot { hash, key, value }, |slot| slot.hash);
                    }
                    None
                }
            }
        });
        // Outside the lock: the unused reference (its callback is cancelled).
        drop((value, weak));
        old
    }

    /// Runs `f` on the value of the entry matching `probe`, under the lock.
    fn with_value<Q, R>(&self, probe: &Q, f: impl FnOnce(&mut V) -> R) -> Option<R>
    where
        Q: ?Sized,
        P: KeyPolicy<K, Q>,
    {
        let hash = P::hash(&self.state().hasher, probe);
        self.with_table(|table, graveyard| {
            table
                .find_mut(hash, |slot| P::matches(&slot.key, probe, graveyard))
                .map(|slot| f(&mut slot.value))
        })
    }

    pub(crate) fn get<Q>(&self, probe: &Q) -> Option<V>
    where
        Q: ?Sized,
        P: KeyPolicy<K, Q>,
        V: Clone,
    {
        self.with_value(probe, |value| value.clone())
    }

    pub(crate) fn contains_key<Q>(&self, probe: &Q) -> bool
    where
        Q: ?Sized,
        P: KeyPolicy<K, Q>,
    {
        self.with_value(probe, |_| ()).is_some()
    }

    pub(crate) fn remove<Q>(&self, probe: &Q) -> Option<V>
    where
        Q: ?Sized,
        P: KeyPolicy<K, Q>,
    {
        let hash = P::hash(&self.state().hasher, probe);
        let slot = self.with_table(|table, graveyard| {
            take(table, hash, |slot| P::matches(&slot.key, probe, graveyard))
        })?;
        // Outside the lock: the key's reference goes (its callback is cancelled).
        Some(slot.value)
    }

    /// The value under `key`, or `make()`'s, inserted (Python's `setdefault`).
    pub(crate) fn get_or_insert_with(&self, key: &RawRc<K, F>, make: impl FnOnce() -> V) -> V
    where
        K: 'static,
        V: Clone + 'static,
        S: 'static,
    {
        if let Some(found) = self.get(key.value()) {
            return found;
        }
        let value = make();
        self.insert(key, value.clone());
        // Another thread may have inserted an equal key meanwhile: what is stored wins.
        self.get(key.value()).unwrap_or(value)
    }

    pub(crate) fn len(&self) -> usize {
        self.with_table(|table, _| table.len())
    }

    pub(crate) fn clear(&self) {
        let all: Vec<_> = self.with_table(|table, _| {
            let all = table.drain().collect();
            shrink_if_sparse(table);
            all
        });
        // Outside the lock: dropping values (and a key, if it died meanwhile) may run
        // user code.
        drop_each(all, core::any::type_name::<K>());
    }

    /// A snapshot of the entries: (hash, key reference, value clone). It is filled
    /// under the lock but lives out here: if a value's `Clone` panics, the clones made
    /// so far are dropped after the lock is released.
    fn snapshot(&self) -> Vec<(u64, RawWeak<K, F>, V)>
    where
        V: Clone,
    {
        let mut snapshot = Vec::new();
        self.with_table(|table, _| {
            snapshot.reserve_exact(table.len());
            let slots = table.iter();
            snapshot.extend(slots.map(|s| (s.hash, s.key.clone(), s.value.clone())));
        });
        snapshot
    }

    /// A snapshot of the entries with live keys: (key, value clone).
    pub(crate) fn entries(&self) -> LiveEntries<SlotRef<K, V, F>>
    where
        V: Clone,
    {
        let pairs = self
            .snapshot()
            .into_iter()
            .map(|(_, key, value)| SlotRef(key, value));
        LiveEntries::new(pairs.collect())
    }

    /// Takes every entry out; those with live keys are yielded, after the lock is
    /// released.
    pub(crate) fn drain(&self) -> LiveEntries<SlotRef<K, V, F>> {
        let mut all = Vec::new();
        self.with_table(|table, _| {
            all.reserve_exact(table.len());
            all.extend(table.drain().map(|slot| SlotRef(slot.key, slot.value)));
            shrink_if_sparse(table);
        });
        LiveEntries::new(all)
    }

    /// How many entries the table holds without growing.
    pub(crate) fn capacity(&self) -> usize {
        self.with_table(|table, _| table.capacity())
    }

    /// Makes room for `additional` more entries.
    pub(crate) fn reserve(&self, additional: usize) {
        self.with_table(|table, _| table.reserve(additional, Hashed::hash));
    }

    /// Gives back the memory the entries do not use.
    pub(crate) fn shrink_to_fit(&self) {
        self.with_table(|table, _| table.shrink_to_fit(Hashed::hash));
    }

    /// The key references held (Python's `keyrefs`); some may be dead.
    pub(crate) fn key_refs(&self) -> Vec<RawWeak<K, F>> {
        self.with_table(|table, _| table.iter().map(|slot| slot.key.clone()).collect())
    }

    /// Keeps the entries for which `keep` returns `true`; `keep` runs without the lock,
    /// on a snapshot.
    pub(crate) fn retain(&self, mut keep: impl FnMut(&RawRc<K, F>, &V) -> bool)
    where
        V: Clone,
    {
        let rejected: Vec<KeyRemoval<K, F>> = self
            .snapshot()
            .into_iter()
            .filter(|(_, key, value)| !key.upgrade().is_some_and(|key| keep(&key, value)))
            .map(|(hash, key, _)| KeyRemoval { hash, key })
            .collect();
        let removed: Vec<_> = self.with_table(|table, _| {
            rejected
                .iter()
                .filter_map(|removal| removal.take(table))
                .collect()
        });
        drop_each(removed, core::any::type_name::<K>());
    }

    /// Removes and returns some entry with a live key, discarding dead ones it meets.
    pub(crate) fn pop_item(&self) -> Option<(RawRc<K, F>, V)> {
        loop {
            let slot = self.with_table(|table, _| take_any(table))?;
            if let Some(key) = slot.key.upgrade() {
                return Some((key, slot.value));
            }
        }
    }

    /// A clone of the hasher.
    pub(crate) fn hasher(&self) -> S
    where
        S: Clone,
    {
        self.state().hasher.clone()
    }
}
