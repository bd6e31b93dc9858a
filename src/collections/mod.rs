//! Weak collections, written once over the flavour: the cores (generic over the
//! crate's `Flavor`) and the public types' definitions, which `rc` and `sync`
//! instantiate.

pub(crate) mod key_map;
pub(crate) mod key_map_api;
pub(crate) mod value_map;
pub(crate) mod value_map_api;

use crate::flavor::Lock;

/// Applies removals that callbacks deferred because their own thread held `table`:
/// takes the pending list, removes under the table's lock what `take` finds for each,
/// and drops all of it after the lock is released; repeats while dropping defers
/// more. Shared by every collection core.
pub(crate) fn drain_pending<P, T, R>(
    pending: &impl Lock<Vec<P>>,
    table: &impl Lock<T>,
    mut take: impl FnMut(&mut T, &P) -> Option<R>,
) {
    loop {
        let batch = pending.with(std::mem::take);
        if batch.is_empty() {
            return;
        }
        let removed: Vec<R> =
            table.with(|table| batch.iter().filter_map(|p| take(table, p)).collect());
        // Outside the lock: dropping keys and references may run user code.
        drop(removed);
        drop(batch);
    }
}
