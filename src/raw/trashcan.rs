//! Deep drops that cannot overflow the stack: CPython's "trashcan", for both flavours.
//!
//! # The problem
//!
//! An object's end of life takes its entries out of the weak collections, runs its
//! value's `Drop`, then its callbacks and finalizers.
//! Either may drop the last handle of another object, whose end of life then runs
//! nested inside the first: a linked list of a million `Rc` nodes dropped from its
//! head nests a million ends of life, and overflows the stack (std's `Rc` and `Arc`
//! do, at a few hundred thousand nodes on an 8 MiB stack in release, tens of thousands
//! in debug).
//!
//! # The rule
//!
//! Each thread counts how deeply ends of life are nested on it. An end of life that
//! would start deeper than [`NESTING_LIMIT`] is **deferred**: its object (whose strong
//! count is already zero, so nothing can upgrade to it) goes on the thread's list of
//! deferred ends of life, and the end of life that found it returns at once. When the
//! **outermost** end of life on the thread is over, it finishes the deferred ones, one
//! by one, each starting again from depth one, until the list is empty (finishing one
//! may defer more). So the stack holds at most `NESTING_LIMIT` nested ends of life,
//! whatever the shape of the garbage, and every death still completes before the
//! outermost `drop` (or `try_unwrap`, `into_inner`, `make_mut`) returns.
//!
//! What users can observe: each object's own sequence is unchanged (its entries
//! leave the weak collections, then its value's `Drop` runs, then its callbacks
//! newest first, then its memory is released); only
//! *when* a deferred object's sequence runs changes. Past the limit, an object's end
//! of life runs after the ends of life that enclosed it have finished, instead of
//! inside them: in a chain `a -> b -> c`, shallow, `c` is gone before `b`'s callbacks
//! run; deep, a deferred `c` is finished after `b`'s (and `a`'s) callbacks.
//!
//! # Panics and thread exit
//!
//! A deferred end of life runs under `catch_unwind`: a panic in a value's `Drop`
//! there does not stop the others, and is reported as
//! [`PanicSource::DeferredDrop`](crate::PanicSource), like a panic in a callback. It
//! is never resumed: the frames that would have seen it in a shallow drop (a
//! callback's `catch_unwind`, a user's own, a thread-local destructor that must not
//! unwind) are gone by the time the outermost end of life finishes the deferred ones,
//! and resuming it there would hand it to a frame that never expected it.
//!
//! The depth and the list of deferred ends of life (a stack of small boxes, one per
//! deferral: one in `NESTING_LIMIT` deaths at most) are in a thread-local without a
//! destructor, usable until the thread is gone: a chain dropped by another
//! thread-local's destructor, as the thread exits, is deferred and finished like any
//! other. The list is empty whenever no end of life is in progress on the thread, so
//! none is left behind when it ends.
//!
//! Under `--cfg loom` there is no deferral: the model threads share one OS thread,
//! whose thread-locals they would share, and the models are shallow.

use crate::raw::alloc::ErasedBox;

/// How deeply ends of life may nest on one thread before the next one is deferred.
/// Low under Miri, so that its tests (whose chains are short) defer many times.
#[cfg(not(miri))]
#[cfg_attr(loom, allow(dead_code))]
pub(crate) const NESTING_LIMIT: usize = 256;
/// How deeply ends of life may nest on one thread before the next one is deferred.
/// Low under Miri, so that its tests (whose chains are a few hundred long) defer many
/// times; above the depth of the other tests' chains, whose order they check.
#[cfg(miri)]
pub(crate) const NESTING_LIMIT: usize = 32;

/// An end of life put off: the object, what finishes it, and its type's name (for a
/// panic report).
#[cfg_attr(loom, allow(dead_code))]
struct Deferred {
    object: ErasedBox,
    finish: unsafe fn(ErasedBox),
    referent_type: fn() -> &'static str,
}

/// Finishes the end of life of `object` by `finish(object)`: now, or, if this thread
/// is already [`NESTING_LIMIT`] ends of life deep, later, by the outermost end of life
/// in progress on this thread, before it returns (see the module docs).
///
/// # Safety
/// `finish(object)` is sound to call once, on this thread, at any time until the
/// outermost end of life in progress on this thread returns; the caller gives
/// `object` up to it (its strong count is zero, so nothing else will touch its value).
#[inline(always)]
pub(crate) unsafe fn end_of_life(
    object: ErasedBox,
    finish: unsafe fn(ErasedBox),
    referent_type: fn() -> &'static str,
) {
    // Each thread-local access is a small closure of its own, which inlines to a
    // plain load or store; `finish` is called directly (this function is inlined
    // into each caller, where it is a constant).
    #[cfg(not(loom))]
    {
        let depth = nesting::depth();
        if depth >= NESTING_LIMIT {
            nesting::defer(Deferred {
                object,
                finish,
                referent_type,
            });
            return;
        }
        nesting::set_depth(depth + 1);
        // Back to `depth` however `finish` ends; the outermost finishes the deferred.
        let _leave = nesting::Leave(depth);
        // SAFETY: per our contract, now is a time `finish(object)` may run.
        unsafe { finish(object) }
    }
    #[cfg(loom)]
    {
        let _ = referent_type;
        // SAFETY: as above.
        unsafe { finish(object) }
    }
}

/// Finishes the end of life of `object` by `finish(object)` now, whatever the
/// nesting: for the ends of life whose caller promises that the callbacks have run
/// when it returns (`try_unwrap`, `into_inner`, `make_mut`). It counts in the nesting
/// like any other, so the deaths nested in it are deferred as usual, and the
/// outermost end of life still finishes those.
///
/// # Safety
/// As [`end_of_life`], with `finish(object)` sound to call now.
pub(crate) unsafe fn end_of_life_now(
    object: ErasedBox,
    finish: unsafe fn(ErasedBox),
    referent_type: fn() -> &'static str,
) {
    let _ = referent_type;
    #[cfg(not(loom))]
    {
        let depth = nesting::depth();
        nesting::set_depth(depth + 1);
        let _leave = nesting::Leave(depth);
        // SAFETY: per our contract.
        unsafe { finish(object) }
    }
    #[cfg(loom)]
    {
        // SAFETY: as above.
        unsafe { finish(object) }
    }
}

#[cfg(not(loom))]
mod nesting {
    use core::cell::Cell;
    use core::ptr::NonNull;
    use std::panic::{catch_unwind, AssertUnwindSafe};

    use super::Deferred;
    use crate::report::{self, PanicSource};

    /// A deferred end of life in this thread's list (a stack: most recent first).
    struct Node {
        job: Deferred,
        next: Option<NonNull<Node>>,
    }

    /// A thread's nesting: how deep its ends of life are, and the ones it deferred.
    struct Nesting {
        depth: Cell<usize>,
        deferred: Cell<Option<NonNull<Node>>>,
    }

    thread_local! {
        // No destructor, so usable until the thread is gone: a death in another
        // thread-local's destructor can still defer. The list is empty whenever no
        // end of life is in progress on the thread (the outermost empties it), so
        // nothing is left in it when the thread ends.
        static NESTING: Nesting = const {
            Nesting {
                depth: Cell::new(0),
                deferred: Cell::new(None),
            }
        };
    }

    #[inline(always)]
    pub(super) fn depth() -> usize {
        NESTING.with(|n| n.depth.get())
    }

    #[inline(always)]
    pub(super) fn set_depth(depth: usize) {
        NESTING.with(|n| n.depth.set(depth));
    }

    #[inline(always)]
    fn has_deferred() -> bool {
        NESTING.with(|n| n.deferred.get().is_some())
    }

    /// Puts `job` on this thread's list.
    #[cold]
    #[inline(never)]
    pub(super) fn defer(job: Deferred) {
        NESTING.with(|n| {
            let node = Box::new(Node {
                job,
                next: n.deferred.get(),
            });
            n.deferred.set(Some(NonNull::from(Box::leak(node))));
        });
    }

    /// Takes the most recent job off this thread's list.
    fn pop() -> Option<Deferred> {
        NESTING.with(|n| {
            let head = n.deferred.get()?;
            // SAFETY: the list's nodes were leaked by `defer` on this thread and are
            // reclaimed once each, here, as they leave the list.
            let node = unsafe { Box::from_raw(head.as_ptr()) };
            n.deferred.set(node.next);
            Some(node.job)
        })
    }

    /// Leaving an end of life: the depth goes back to what it was; the outermost
    /// finishes the deferred ones. Also on unwind, so that none is left behind.
    pub(super) struct Leave(pub(super) usize);

    impl Drop for Leave {
        #[inline(always)]
        fn drop(&mut self) {
            set_depth(self.0);
            if self.0 == 0 && has_deferred() {
                finish_deferred();
            }
        }
    }

    /// Finishes every deferred end of life, each from depth one, under
    /// `catch_unwind`, reporting each panic (see the module docs: none is resumed).
    /// Never panics.
    #[cold]
    #[inline(never)]
    fn finish_deferred() {
        while let Some(job) = pop() {
            set_depth(1);
            // SAFETY: a deferred job was handed to `end_of_life` with the promise that
            // it may run before the outermost end of life returns: this is that.
            let result = catch_unwind(AssertUnwindSafe(|| unsafe { (job.finish)(job.object) }));
            set_depth(0);
            if let Err(payload) = result {
                // Never panics, whatever the panic handler does.
                report::callback_panicked(
                    PanicSource::DeferredDrop,
                    (job.referent_type)(),
                    payload,
                );
            }
        }
    }
}
