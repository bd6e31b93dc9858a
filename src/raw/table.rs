//! The hash tables of the weak collections (`value_map.rs`, `key_map.rs`): entries
//! that keep their key's hash, and the helpers both cores use to take entries out.

use hashbrown::HashTable;

/// An entry of a collection's table, which keeps its key's hash (computed once, at
/// insertion): the table grows, shrinks and finds dead entries without the key's code.
pub(crate) trait Hashed {
    fn hash(&self) -> u64;
}

/// Takes what is in both slots, if both are full; otherwise leaves both as they are.
///
/// The operations that may store data in a table keep it in slots outside the closure
/// run under the lock, and take it from there only to store it: so whatever is not
/// stored (the operation found the key, or a key's `Eq` panicked) is dropped by the
/// caller after the lock is released, never while unwinding under it.
pub(crate) fn take_both<A, B>(a: &mut Option<A>, b: &mut Option<B>) -> Option<(A, B)> {
    if a.is_some() && b.is_some() {
        a.take().zip(b.take())
    } else {
        None
    }
}

/// Takes out the entry under `hash` for which `is_it` holds, giving memory back if the
/// table became sparse.
pub(crate) fn take<E: Hashed>(
    table: &mut HashTable<E>,
    hash: u64,
    is_it: impl FnMut(&E) -> bool,
) -> Option<E> {
    let (entry, _) = table.find_entry(hash, is_it).ok()?.remove();
    shrink_if_sparse(table);
    Some(entry)
}

/// Takes out some entry (the first the table's iteration meets).
pub(crate) fn take_any<E: Hashed>(table: &mut HashTable<E>) -> Option<E> {
    let hash = table.iter().next()?.hash();
    take(table, hash, |_| true)
}

/// Gives memory back as the table empties: when at most a quarter of its capacity is
/// used, it shrinks to twice its length (each shrink at least halves the capacity, so
/// the cost is amortised over the removals that led to it). So a collection whose
/// referents all died holds (almost) nothing, as memory follows what is alive.
pub(crate) fn shrink_if_sparse<E: Hashed>(table: &mut HashTable<E>) {
    const SMALL: usize = 32;
    if table.capacity() > SMALL && table.len() * 4 <= table.capacity() {
        table.shrink_to((table.len() * 2).max(SMALL), E::hash);
    }
}

/// An entry taken out of a table, or copied from it, holding a weak reference that may
/// still be upgraded.
pub(crate) trait Upgrade {
    /// The entry with its referent alive: a strong handle in place of the weak one.
    type Live;
    /// The live entry, or `None` if the referent died (the entry is then dropped).
    fn upgrade(self) -> Option<Self::Live>;
}

/// Entries copied or taken out of a table, walked after the lock is released: each is
/// upgraded when reached, and those whose referent died meanwhile are skipped. What
/// is left when it is dropped is dropped then (user code, outside any lock).
pub(crate) struct LiveEntries<E> {
    entries: std::vec::IntoIter<E>,
}

impl<E> LiveEntries<E> {
    pub(crate) fn new(entries: Vec<E>) -> Self {
        LiveEntries {
            entries: entries.into_iter(),
        }
    }
}

impl<E: Upgrade> Iterator for LiveEntries<E> {
    type Item = E::Live;

    fn next(&mut self) -> Option<E::Live> {
        self.entries.by_ref().find_map(Upgrade::upgrade)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (0, Some(self.entries.len()))
    }
}
