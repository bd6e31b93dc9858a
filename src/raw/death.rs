//! What happens after the last strong reference is gone, in two steps: the dead
//! object's registrations are **detached** (all at once, under the registry lock), then
//! **fired** (one by one, outside any lock). Keeping them apart lets a caller that must
//! detach many objects' registrations before any user code runs (the cycle collector,
//! CPython's `handle_weakrefs`) do so.
//!
//! # Order
//!
//! The weak collections' own callbacks ([`NodeKind::Removal`]) fire first, as soon as
//! the death begins ([`begin`]): **before** the value's `Drop`, its callbacks and its
//! finalizers. So no user code that runs during a death (the value's `Drop` above all)
//! sees a collection whose `len` still counts an entry that `get`, `contains_key` and
//! iteration no longer find: the entry has left when the value became unreachable.
//! Then the value is dropped, and then the other registrations are detached and
//! fired, newest first ([`finish`]). Death with the value moved out (`try_unwrap`)
//! keeps the same order ([`run_callbacks`]).
//!
//! While the removals run, the other registrations stay linked but are held by the
//! death (`NodeList::pin_for_removals`): a removal drops what its entry held, and
//! that may be the last handle of a weak reference with a callback to the same
//! object, which must still call back (its referent is dead: CPython pins every
//! cleared reference before it calls any back). One whose handles all went meanwhile
//! is taken over by the death (`DEATH_OWNED`) and fired with the others. The other
//! pins are released before the value is dropped, so a weak reference dropped by the
//! value's own `Drop` cancels its callback (R8.4), as before.

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

/// The start of a death by reference counting, before the value is dropped: detaches
/// the weak collections' removals ([`NodeKind::Removal`]) and fires them at once, so
/// that the entries leave their collections before any user code of the death runs
/// (see the module docs). The other registrations stay linked until [`finish`]:
/// a weak reference dropped while the value is dropped still cancels its callback
/// (R8.4).
///
/// Returns [`Others::None`] when it saw that no other registration is left, so that
/// the death can skip [`finish`] and its lock (none can be added: registering takes a
/// strong handle, and there is none left).
///
/// # Safety
/// `header` belongs to a live allocation whose strong count is zero and whose value is
/// still live, but will be touched by nothing but its drop; the caller owns the
/// implicit weak reference, and keeps it throughout.
#[inline(always)]
pub(crate) unsafe fn begin<F: Flavor>(header: &BoxHeader<F>) -> Others {
    // An object that never had a registration (a thin weak word) has nothing to do:
    // one load and a branch on the path of every last drop, the rest out of line.
    if header.may_have_registry() {
        // SAFETY: forwarded contract.
        unsafe { begin_registered(header) }
    } else {
        Others::None
    }
}

/// What [`begin`] left for [`finish`].
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Others {
    /// No registration is left: `finish` has nothing to do.
    None,
    /// Registrations may be left.
    Maybe,
}

/// [`begin`] for an object that may have a registry.
///
/// # Safety
/// As [`begin`].
#[cold]
#[inline(never)]
unsafe fn begin_registered<F: Flavor>(header: &BoxHeader<F>) -> Others {
    let Some(registry) = header.registry().filter(|registry| registry.has_removals()) else {
        return Others::Maybe;
    };
    let (first, others) = registry.list.with(|list| {
        let first = list.detach_kind(NodeKind::Removal);
        if list.len() == 0 {
            return (first, Others::None);
        }
        if first.is_some() {
            list.pin_for_removals();
        }
        (first, Others::Maybe)
    });
    let pinned = first.is_some() && others == Others::Maybe;
    // SAFETY: we keep the implicit weak reference; a removal does not touch the value.
    unsafe { fire(Detached { first }) };
    if pinned {
        registry.list.with(|list| list.release_removal_pins());
    }
    others
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
/// object's value is no longer live (or, for removals, unreachable: see [`begin`]).
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
                NodeKind::Removal => PanicSource::EntryDrop,
            };
            // Never panics, whatever the panic handler does.
            report::callback_panicked(source, (vtable.referent_type)(), payload);
        }
        // A node whose last handle the death took over while the removals ran
        // (`NodeList::release_removal_pins`): that handle goes with the pin. Both
        // lack a weak reference of their own, and the pin keeps the node alive here.
        // SAFETY: the handle is ours, our caller holds the implicit weak reference,
        // and nothing but this death reads the bit of a node it detached.
        if unsafe { node.as_ref() }.has_state(node::DEATH_OWNED) {
            // SAFETY: as above; the pin remains, so this is not the last handle.
            unsafe { node::unpin(node) };
        }
        // SAFETY: releases the pin taken by `detach_all`; our caller holds the implicit
        // weak reference. The payload was consumed by `fire`, so no user code runs
        // here and this cannot panic.
        unsafe { node::unpin(node) };
    }
}

/// Runs every registration of an allocation whose value has just died (its strong
/// count is zero and the value is dropped or moved out), in CPython's order: all are
/// detached first ([`detach`]), then each runs, newest first ([`fire`]). The weak
/// collections' removals that [`begin`] did not fire (the value was moved out, not
/// dropped) run before the others.
///
/// # Safety
/// `header` belongs to a live allocation whose strong count is zero and whose value is
/// no longer live; the caller owns the implicit weak reference and releases it after.
pub(crate) unsafe fn run_callbacks<F: Flavor>(header: &BoxHeader<F>) {
    // SAFETY: forwarded contract (a value no longer live is a fortiori unreachable);
    // we keep the implicit weak reference throughout.
    if unsafe { begin(header) } == Others::Maybe {
        // SAFETY: forwarded contract; `begin` just ran.
        unsafe { finish(header) }
    }
}

/// The rest of a death that [`begin`] started, once the value is gone: detaches every
/// other registration ([`detach`]), then fires each, newest first ([`fire`]).
///
/// # Safety
/// As [`run_callbacks`], and [`begin`] has run for this death.
pub(crate) unsafe fn finish<F: Flavor>(header: &BoxHeader<F>) {
    // SAFETY: forwarded contract; we keep the implicit weak reference throughout.
    let detached = unsafe { detach(header) };
    // SAFETY: as above: the registrations were detached from this very object.
    unsafe { fire(detached) }
}
