//! The exit list of one exit domain (a thread for `rc`, the process for `sync`) and
//! its exit run: the finalizers still alive at exit, newest first. The domains and
//! the hooks that start their runs are in `exit_hooks.rs`.
//!
//! A finalizer node starts with a [`FinalizerBase`]: its node header, then its links
//! in the exit list. It is pushed at registration and unlinked by whoever ends the
//! registration (`finalize::consume`), under the list's lock; so the list holds the
//! finalizers still alive, and the exit run only has to take them one by one.

use core::cell::UnsafeCell;
use core::panic::AssertUnwindSafe;
use core::ptr::NonNull;
use std::panic::catch_unwind;

use crate::flavor::Flavor;
use crate::raw::node::{self, Firing, NodeHeader, AT_EXIT, EXIT_TAKEN};
use crate::report::{self, PanicSource};

/// A flavour that can keep finalizers for the exit run.
pub(crate) trait ExitFlavor: Flavor {
    /// Runs `f` on this flavour's exit list (for the local flavour: the current
    /// thread's). Must not be called from inside `f`. Never runs user code.
    fn with_exit_list<R>(f: impl FnOnce(&mut ExitList<Self>) -> R) -> R;
    /// Makes sure the exit run will happen (registers the thread or process hook).
    fn arm_exit_hook();
}

/// Links of a finalizer in its flavour's exit list; guarded by the exit list's lock.
struct ExitLinks<F: Flavor> {
    prev: Option<NonNull<FinalizerBase<F>>>,
    next: Option<NonNull<FinalizerBase<F>>>,
}

/// The type-independent prefix of every finalizer node.
#[repr(C)]
pub(crate) struct FinalizerBase<F: Flavor> {
    pub(crate) node: NodeHeader<F>,
    exit: UnsafeCell<ExitLinks<F>>,
}

impl<F: Flavor> FinalizerBase<F> {
    /// The prefix of a new finalizer node, in no exit list yet.
    pub(crate) fn new(node: NodeHeader<F>) -> Self {
        FinalizerBase {
            node,
            exit: UnsafeCell::new(ExitLinks {
                prev: None,
                next: None,
            }),
        }
    }
}

/// The finalizers of one exit domain, newest first, and whether its exit run is over.
pub(crate) struct ExitList<F: Flavor> {
    head: Option<NonNull<FinalizerBase<F>>>,
    shut_down: bool,
}

impl<F: Flavor> ExitList<F> {
    pub(crate) const fn new() -> Self {
        ExitList {
            head: None,
            shut_down: false,
        }
    }

    /// Whether the exit run is over: a finalizer triggered now is only marked dead.
    pub(crate) fn is_shut_down(&self) -> bool {
        self.shut_down
    }

    /// # Safety
    /// `base` is live and in no exit list.
    pub(crate) unsafe fn push_front(&mut self, base: NonNull<FinalizerBase<F>>) {
        // SAFETY: `base` is live, and its links are ours: we hold the exit lock
        // (`&mut self`), which guards all exit links.
        let links = unsafe { Self::links(base) };
        links.prev = None;
        links.next = self.head;
        if let Some(head) = self.head {
            // SAFETY: as above; the head is live (finalizers leave the list before
            // they are freed).
            unsafe { Self::links(head) }.prev = Some(base);
        }
        self.head = Some(base);
    }

    /// The exit links of `base`.
    ///
    /// # Safety
    /// `base` is live, the caller holds the exit lock (which guards every finalizer's
    /// exit links), and no other reference to these links is alive.
    unsafe fn links<'a>(base: NonNull<FinalizerBase<F>>) -> &'a mut ExitLinks<F> {
        // SAFETY: `base` is live, per the contract.
        let base = unsafe { base.as_ref() };
        // SAFETY: the exit lock is held and nobody else refers to these links.
        unsafe { &mut *base.exit.get() }
    }

    /// # Safety
    /// `base` is live and in this list.
    pub(crate) unsafe fn unlink(&mut self, base: NonNull<FinalizerBase<F>>) {
        // SAFETY: as in `push_front`.
        let links = unsafe { Self::links(base) };
        match links.prev {
            // SAFETY: as in `push_front`; a neighbour in the list is live.
            Some(prev) => unsafe { Self::links(prev) }.next = links.next,
            None => self.head = links.next,
        }
        if let Some(next) = links.next {
            // SAFETY: as above.
            unsafe { Self::links(next) }.prev = links.prev;
        }
        links.prev = None;
        links.next = None;
    }

    /// The newest finalizer still alive with its at-exit flag set that the exit run
    /// has not taken yet, marked taken and pinned by a handle.
    fn take_newest_at_exit(&mut self) -> Option<NonNull<NodeHeader<F>>> {
        let mut cursor = self.head;
        while let Some(base) = cursor {
            // SAFETY: in the list, hence live; we hold the exit lock.
            let base_ref = unsafe { base.as_ref() };
            let node = &base_ref.node;
            if node.has_state(AT_EXIT) && !node.set_state(EXIT_TAKEN, true) {
                // `FinalizerBase` starts with the node header (`repr(C)`).
                let node = base.cast::<NodeHeader<F>>();
                // SAFETY: a live registration owns a handle; we add ours.
                unsafe { node::acquire_handle(node) };
                return Some(node);
            }
            // SAFETY: as above.
            cursor = unsafe { (*base_ref.exit.get()).next };
        }
        None
    }
}

/// The exit run of one domain: calls every finalizer still alive whose at-exit flag
/// is set, newest first, including finalizers created by the run itself; reports
/// panics and carries on; then marks the domain shut down, after which triggered
/// finalizers no longer call their functions. Running it again does nothing.
///
/// Each finalizer is taken at most once (`EXIT_TAKEN`), whether or not it can run: one
/// that cannot is reported (as a panic at exit) and left, so the run always ends. That
/// is one whose arguments a `peek` is cloning, on this very thread (whose `Clone`
/// called `exit`), or on another thread for longer than the run waits
/// (`finalize::EXIT_PATIENCE`: a `Clone` that called `exit` there blocks for good). A
/// finalizer still being consumed by another thread is taken and found dead.
pub(crate) fn run_exit<F: ExitFlavor>() {
    if F::with_exit_list(|list| list.is_shut_down()) {
        return;
    }
    while let Some(node) = F::with_exit_list(ExitList::take_newest_at_exit) {
        // SAFETY: pinned above.
        let vtable = unsafe { node.as_ref() }.vtable;
        // SAFETY: `fire` consumes the registration at most once.
        if let Err(payload) = catch_unwind(AssertUnwindSafe(|| unsafe {
            (vtable.fire)(node, Firing::Exit)
        })) {
            report::callback_panicked(PanicSource::AtExit, (vtable.referent_type)(), payload);
        }
        // SAFETY: releases our pin; the payload is consumed, so no user code runs.
        unsafe { node::release_handle(node) };
    }
    F::with_exit_list(|list| list.shut_down = true);
}
