//! What happens after the last strong reference is gone, in two steps: the dead
//! object's registrations are **detached** (all at once, under the registry lock), then
//! **fired** (one by one, outside any lock). Death by reference counting does both in
//! a row ([`run_callbacks`]); keeping them apart lets a caller that must detach many
//! objects' registrations before any user code runs (the cycle collector, CPython's
//! `handle_weakrefs`) do so.

use core::panic::AssertUnwindSafe;
use core::ptr::NonNull;
use std::panic::catch_unwind;

use crate::flavor::{Flavor, Lock};
use crate::raw::header::BoxHeader;
use crate::raw::node::{self, Firing, NodeHeader, NodeKind};
use crate::report::{self, PanicSource};

/// A dead object's registrations, detached from it and pinned, newest first: what its
/// death still has to fire. Made by [`detach`], consumed by [`fire`].
#[must_use = "detached registrations must be fired, or their pins leak"]
pub(crate) struct Detached<F: Flavor> {
    first: Option<NonNull<NodeHeader<F>>>,
}

/// Step 1: unlinks every registration of `header`'s object at once, under the
/// registry lock, newest first, and pins each with a handle. From here on every weak
/// reference to the object is dead (it already was: the strong count is zero) and
/// reports no callback. Runs no user code and allocates nothing.
///
/// A registration whose last handle another thread is releasing right now cannot be
/// pinned: it is left out, and that thread cancels it (see `NodeList::detach_all`).
///
/// # Safety
/// `header` belongs to a live allocation whose strong count is zero; the caller owns
/// the implicit weak reference, and keeps it until the result has been fired.
pub(crate) unsafe fn detach<F: Flavor>(header: &BoxHeader<F>) -> Detached<F> {
    let first = header
        .registry()
        .and_then(|registry| registry.list.with(|list| list.detach_all()));
    Detached { first }
}

/// Step 2: runs each detached callback or finalizer, newest first, under
/// `catch_unwind`; a panic is reported and the next one still runs. Each pin is
/// released after its callback; a node whose handles are all gone is freed then.
///
/// A callback may drop other objects (whose own deaths run their callbacks, nested),
/// drop weak references to this object, or create new ones to other objects.
///
/// # Safety
/// The caller still owns the implicit weak reference of the object the registrations
/// were detached from (so its allocation and registry outlive this call), and the
/// object's value is no longer live.
pub(crate) unsafe fn fire<F: Flavor>(detached: Detached<F>) {
    let mut cursor = detached.first;
    while let Some(node) = cursor {
        // SAFETY: `node` is pinned by the handle `detach_all` took.
        cursor = unsafe { node::next_detached(node) };
        // SAFETY: as above.
        let vtable = unsafe { node.as_ref() }.vtable;
        // SAFETY: `fire` is called once per node, by the death that detached it.
        if let Err(payload) = catch_unwind(AssertUnwindSafe(|| unsafe {
            (vtable.fire)(node, Firing::Death)
        })) {
            let source = match vtable.kind {
                NodeKind::Callback => PanicSource::WeakCallback,
                NodeKind::Finalizer => PanicSource::Finalizer,
            };
            // Never panics, whatever the panic handler does.
            report::callback_panicked(source, (vtable.referent_type)(), payload);
        }
        // SAFETY: releases the pin taken by `detach_all`; our caller holds the implicit
        // weak reference. The payload was consumed by `fire`, so no user code runs
        // here and this cannot panic.
        unsafe { node::unpin(node) };
    }
}

/// Runs every registration of an allocation whose value has just died (its strong
/// count is zero and the value is dropped or moved out), in CPython's order: all are
/// detached first ([`detach`]), then each runs, newest first ([`fire`]).
///
/// # Safety
/// `header` belongs to a live allocation whose strong count is zero and whose value is
/// no longer live; the caller owns the implicit weak reference and releases it after.
pub(crate) unsafe fn run_callbacks<F: Flavor>(header: &BoxHeader<F>) {
    // SAFETY: forwarded contract; we keep the implicit weak reference throughout.
    let detached = unsafe { detach(header) };
    // SAFETY: as above: the registrations were detached from this very object.
    unsafe { fire(detached) }
}
