//! What happens after the last strong reference is gone: the callbacks run.

use core::panic::AssertUnwindSafe;
use std::panic::catch_unwind;

use crate::flavor::{Flavor, Lock};
use crate::raw::node::{self, NodeKind};
use crate::raw::rc_box::BoxHeader;
use crate::report::{self, PanicSource};

/// Runs every registration of an allocation whose value has just died (its strong
/// count is zero and the value is dropped or moved out), in CPython's order:
///
/// 1. Under the registry lock, every registration is unlinked at once, newest first,
///    and pinned with a handle. From here on every weak reference to the object is
///    dead (it already was: the strong count is zero) and reports no callback.
/// 2. Outside the lock, each callback or finalizer runs, newest first, under
///    `catch_unwind`; a panic is reported and the next one still runs.
/// 3. Each pin is released after its callback; a node whose handles are all gone is
///    freed then.
///
/// Nothing is allocated here. A callback may drop other objects (whose own deaths run
/// their callbacks, nested), drop weak references to this object, or create new ones
/// to other objects.
///
/// # Safety
/// `header` belongs to a live allocation whose strong count is zero and whose value is
/// no longer live; the caller owns the implicit weak reference and releases it after.
pub(crate) unsafe fn run_callbacks<F: Flavor>(header: &BoxHeader<F>) {
    let Some(registry) = header.registry() else {
        return;
    };
    let mut cursor = registry.list.with(|list| list.detach_all());
    while let Some(node) = cursor {
        // SAFETY: `node` is pinned by the handle `detach_all` took.
        cursor = unsafe { node::next_detached(node) };
        // SAFETY: as above.
        let vtable = unsafe { node.as_ref() }.vtable;
        // SAFETY: `fire` is called once per node, by the death that detached it.
        if let Err(payload) = catch_unwind(AssertUnwindSafe(|| unsafe { (vtable.fire)(node) })) {
            let source = match vtable.kind {
                NodeKind::Callback => PanicSource::WeakCallback,
                NodeKind::Finalizer => PanicSource::Finalizer,
            };
            report::callback_panicked(source, (vtable.referent_type)(), payload);
        }
        // SAFETY: releases the pin taken by `detach_all`; our caller holds the implicit
        // weak reference. The payload was consumed by `fire`, so no user code runs
        // here and this cannot panic.
        unsafe { node::unpin(node) };
    }
}
