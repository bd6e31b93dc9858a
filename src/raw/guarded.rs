//! The lock discipline shared by every weak collection: a table behind a lock, and
//! removals handed to whoever holds it.
//!
//! # The problem
//!
//! A collection's table is locked while user code runs: a key's `Eq` during a
//! lookup, a `Clone` for a snapshot. That code may drop the last strong handle of a
//! value (in this collection or in another), whose death runs removal callbacks, and a
//! removal callback needs some collection's table. If it waited for the lock, two threads
//! could each hold one collection's lock and wait for the other's (each in a key's
//! `Eq` that drops a value of the other collection): a deadlock, and every later drop
//! of a value in either would block too.
//!
//! # The rule
//!
//! **A removal callback never waits for a table.** It takes the lock if it is free at
//! that instant; otherwise it pushes the removal onto the collection's pending list,
//! and the thread that holds the lock (this one or another) applies it before it is
//! done. Concretely, [`Guarded::with`] takes the lock, applies the removals already
//! pending (so an operation never sees an entry whose removal was handed over before
//! it began: above all, one its own thread handed over), runs the operation, and then:
//!
//! 1. still under the lock, applies every pending removal (a guard: this also happens
//!    when the operation unwinds, so a panic in user code loses no removal);
//! 2. releases the lock, then drops what was removed (dropping keys and references
//!    runs user code, which must not find the lock held);
//! 3. **settles**: if removals were pushed after step 1 (their callbacks found the
//!    lock still held), takes the lock again if it is free, and repeats; if it is not
//!    free, its new holder will do the same.
//!
//! # Why nothing is left behind
//!
//! A removal pushed while the lock is held must be applied by some holder before that
//! holder's step 3 ends. The callback pushes and then sets `has_pending` (a
//! read-modify-write, `fetch_or`), then tries the lock; a holder, after releasing,
//! reads `has_pending` with a read-modify-write too (`fetch_or(0)`). Both are
//! read-modify-writes of one atomic, so they are totally ordered, each reading the
//! latest value:
//!
//! * if the holder's read comes after the callback's `fetch_or`, it sees the flag and
//!   settles (takes the lock or leaves it to the next holder, to whom the same
//!   argument applies);
//! * if it comes before, the holder's release of the lock happens before the
//!   callback's attempt (through the `AcqRel` pair on `has_pending`), so that attempt
//!   sees the lock free, or held by a later holder, who will see the flag: its own
//!   read comes after the callback's `fetch_or`, or the callback's next attempt
//!   happens after its release in turn.
//!
//! The flag is cleared (in the same critical section of the pending list's lock) only
//! together with taking every pending removal, so a set flag may be stale (a drain
//! finds nothing) but a cleared flag never hides a removal. The pending list's lock is
//! held only to push or take, never across user code, so waiting for it cannot
//! deadlock. Under `--cfg loom` all of this is model-checked (`tests/loom.rs`).
//!
//! With the single-threaded flavour the same code runs with `Cell`s: the only holder a
//! callback can meet is its own thread, further up the stack.

use core::mem::ManuallyDrop;
use std::panic::{catch_unwind, resume_unwind, AssertUnwindSafe};

use crate::flavor::{Count, Flavor, Lock};
use crate::report::{self, PanicSource, Payload};

/// A removal a callback could not apply at once: what finds the entry again.
pub(crate) trait Removal<T> {
    /// What leaves the table (dropped after the lock is released).
    type Removed;
    /// Takes the entry out of `table`, if it is still the one this removal is for.
    fn take(&self, table: &mut T) -> Option<Self::Removed>;
    /// The collection's key type, to name it in a panic report.
    fn key_type() -> &'static str;
}

/// A table behind its lock, with the removals handed to the lock's holder.
pub(crate) struct Guarded<T, P, F: Flavor> {
    table: F::Lock<T>,
    pending: F::Lock<Vec<P>>,
    /// Nonzero when `pending` may hold removals (see the module docs).
    has_pending: F::Count,
}

/// The removals applied under the lock, each with what it took out of the table,
/// waiting for the lock to be released: dropping them may run user code.
type Leftovers<P, T> = Vec<(P, Option<<P as Removal<T>>::Removed>)>;

impl<T, P: Removal<T>, F: Flavor> Guarded<T, P, F> {
    pub(crate) fn new(table: T) -> Self {
        Guarded {
            table: Lock::new(table),
            pending: Lock::new(Vec::new()),
            has_pending: F::Count::new(0),
        }
    }

    /// Runs `f` with the table locked, then applies the removals handed over
    /// meanwhile (also if `f` panics), releases the lock, drops what they removed,
    /// and settles (see the module docs).
    ///
    /// `f` must own nothing whose `Drop` runs user code (a key, a value, a strong
    /// handle): if `f` unwinds, what it owns is dropped under the lock, where such code
    /// must not run. Data to be stored is passed in slots that outlive the call (see
    /// `take_both`), and what `f` collects goes into a container that does too.
    ///
    /// # Panics
    /// If this thread already holds the lock (a key's `Eq` using its own collection),
    /// before `f` runs; and with `f`'s panic.
    pub(crate) fn with<R>(&self, f: impl FnOnce(&mut T) -> R) -> R {
        /// Steps 2 and 3, after the lock is released, on return or unwind.
        struct Settle<'a, T, P: Removal<T>, F: Flavor> {
            guarded: &'a Guarded<T, P, F>,
            /// Never dropped in place: the slow path takes the vector out (leaving an
            /// empty one, which owns nothing), so the common case has no drop glue.
            leftovers: ManuallyDrop<Leftovers<P, T>>,
        }
        impl<T, P: Removal<T>, F: Flavor> Drop for Settle<'_, T, P, F> {
            #[inline]
            fn drop(&mut self) {
                // The common case, nothing removed and nothing handed over, decides
                // with one test of each and no call. The flag is read with a
                // read-modify-write, as `settle` does (see the module docs).
                if self.leftovers.capacity() == 0 && self.guarded.has_pending.fetch_or(0) == 0 {
                    return;
                }
                self.settle_leftovers();
            }
        }
        impl<T, P: Removal<T>, F: Flavor> Settle<'_, T, P, F> {
            #[cold]
            #[inline(never)]
            fn settle_leftovers(&mut self) {
                // A panicking `Drop` among the leftovers waits until the settling is
                // done: removals handed to us meanwhile must not be left behind.
                let mut panicked = None;
                drop_all::<T, P>(core::mem::take(&mut *self.leftovers), &mut panicked);
                self.guarded.settle(&mut panicked);
                resume(panicked);
            }
        }
        /// Step 1, under the lock, on return or unwind.
        struct Apply<'a, 'b, T, P: Removal<T>, F: Flavor> {
            guarded: &'a Guarded<T, P, F>,
            table: &'b mut T,
            leftovers: &'b mut Leftovers<P, T>,
        }
        impl<T, P: Removal<T>, F: Flavor> Drop for Apply<'_, '_, T, P, F> {
            fn drop(&mut self) {
                // A plain load suffices here: a removal this misses is seen by the
                // read-modify-write of the settling that follows.
                if self.guarded.has_pending.get() != 0 {
                    self.guarded.apply_pending(self.table, self.leftovers);
                }
            }
        }

        let mut settle = Settle {
            guarded: self,
            leftovers: ManuallyDrop::new(Vec::new()),
        };
        self.table.with(|table| {
            // Removals handed over before we took the lock are applied before `f`
            // sees the table: among them, those this very thread pushed (a referent
            // that died here, while another thread held the lock), which `f` must
            // not find (see "When an entry leaves" in the crate docs).
            if self.has_pending.get() != 0 {
                self.apply_pending(table, &mut *settle.leftovers);
            }
            let apply = Apply {
                guarded: self,
                table,
                leftovers: &mut *settle.leftovers,
            };
            f(&mut *apply.table)
        })
    }

    /// The work of a removal callback: applies `removal` now if the lock is free,
    /// or hands it to the lock's holder. Never waits for the table.
    pub(crate) fn remove(&self, removal: P) {
        let removal = match self.table.try_now(|table| removal.take(table)) {
            Some(removed) => {
                let mut panicked = None;
                drop_caught(Some((removal, removed)), P::key_type(), &mut panicked);
                // Removals may have been handed to us while we held the lock.
                self.settle(&mut panicked);
                resume(panicked);
                return;
            }
            None => removal,
        };
        self.pending.with(|pending| pending.push(removal));
        // Read-modify-write, after the push: see the module docs.
        self.has_pending.fetch_or(1);
        let mut panicked = None;
        self.settle(&mut panicked);
        resume(panicked);
    }

    /// Step 3: while removals are pending and the lock is free, applies them. The
    /// first panic of a `Drop` of what they removed is left in `panicked`.
    #[inline]
    fn settle(&self, panicked: &mut Option<Payload>) {
        // `fetch_or(0)`: a read-modify-write, so it reads the latest value (a plain
        // load could miss a callback's flag; see the module docs).
        if self.has_pending.fetch_or(0) != 0 {
            self.settle_pending(panicked);
        }
    }

    #[cold]
    #[inline(never)]
    fn settle_pending(&self, panicked: &mut Option<Payload>) {
        loop {
            let mut leftovers = Vec::new();
            let locked = self
                .table
                .try_now(|table| self.apply_pending(table, &mut leftovers));
            drop_all::<T, P>(leftovers, panicked);
            if locked.is_none() {
                // Held by another operation (or further up this thread's stack): its
                // holder settles when it is done.
                return;
            }
            if self.has_pending.fetch_or(0) == 0 {
                return;
            }
        }
    }

    /// Takes every pending removal and applies it to `table` (locked by the caller).
    fn apply_pending(&self, table: &mut T, leftovers: &mut Leftovers<P, T>) {
        let batch = self.pending.with(|pending| {
            // Cleared with the taking, in one critical section: a removal pushed
            // after this sets the flag again.
            self.has_pending.fetch_and_not(1);
            core::mem::take(pending)
        });
        leftovers.extend(batch.into_iter().map(|removal| {
            let removed = removal.take(table);
            (removal, removed)
        }));
    }
}

/// Resumes a panic caught by [`drop_all`], once the work that had to go on is done.
fn resume(panicked: Option<Payload>) {
    if let Some(payload) = panicked {
        resume_unwind(payload);
    }
}

/// Drops the applied removals and what they removed (see [`drop_caught`]).
#[inline]
fn drop_all<T, P: Removal<T>>(leftovers: Leftovers<P, T>, panicked: &mut Option<Payload>) {
    if !leftovers.is_empty() {
        drop_caught(leftovers, P::key_type(), panicked);
    }
}

/// Drops every item, each under `catch_unwind`, so that one panicking `Drop` (a key's,
/// a value's) neither stops the others nor, while a panic is already unwinding, aborts
/// the process. The first panic is resumed once everything is dropped, unless a panic
/// is already unwinding; the others are reported as [`PanicSource::EntryDrop`] (see
/// [`crate::set_panic_handler`]), naming `key_type`.
pub(crate) fn drop_each<I: IntoIterator>(items: I, key_type: &'static str) {
    let mut panicked = None;
    drop_caught(items, key_type, &mut panicked);
    resume(panicked);
}

/// [`drop_each`], leaving the first panic in `panicked` (if it is empty and no panic
/// is unwinding) for the caller to resume; reporting the others.
fn drop_caught<I: IntoIterator>(items: I, key_type: &'static str, panicked: &mut Option<Payload>) {
    for item in items {
        if let Err(payload) = catch_unwind(AssertUnwindSafe(move || drop(item))) {
            if panicked.is_none() && !std::thread::panicking() {
                *panicked = Some(payload);
            } else {
                report::callback_panicked(PanicSource::EntryDrop, key_type, payload);
            }
        }
    }
}
