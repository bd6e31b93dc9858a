//! Registration nodes that also house their target's registry.
//!
//! An object's first registration (weak reference with a callback, or finalizer)
//! needs two things: its node and the object's registry. Allocating them together
//! saves an allocation and a free per object; the profiles of issue #5 showed the
//! allocator taking half the time of a callback created and fired.
//!
//! So a node for a target that has no registry yet is allocated as a [`Hosted`]: the
//! node with room for a registry in front. If it wins the race to inflate the target
//! (always, on one thread), the registry lives there and the node is its **host**: when
//! the node's last handle goes, its payload is dropped but its memory stays, and the
//! registry frees the whole allocation when the target's allocation is freed. That is
//! after every node handle is gone (each holds a weak reference to the target), so the
//! host node is no longer used by then. A node that lost the race is a plain node in a
//! bigger allocation, freed as usual.
//!
//! Node states involved: `IN_HOSTED` (allocated as a `Hosted`) and `HOST`.

use core::cell::UnsafeCell;
use core::mem::MaybeUninit;
use core::ptr::{self, NonNull};

use crate::flavor::Flavor;
use crate::raw::header::{BoxHeader, HostAllocation, Registry};
use crate::raw::node::{NodeHeader, HOST, IN_HOSTED};

/// A node allocation with room for its target's registry in front (at offset 0: the
/// registry's address is the allocation's, which is how it frees its host).
#[repr(C)]
struct Hosted<F: Flavor, N> {
    /// Initialised (by `inflate_at`) iff the node is the registry's host.
    registry: UnsafeCell<MaybeUninit<Registry<F>>>,
    node: N,
}

/// Allocates `node` for `target`, and returns it with the target's registry. If the
/// target has no registry yet, the allocation has room for one, and the node becomes
/// the registry's host if it is the one to inflate the target. `N` must be
/// `#[repr(C)]` and start with its `NodeHeader<F>`, and have no drop glue of its own
/// (its payload is dropped through its vtable).
pub(crate) fn allocate_node<F: Flavor, N>(
    target: &BoxHeader<F>,
    node: N,
) -> (NonNull<N>, &Registry<F>) {
    if let Some(registry) = target.registry() {
        return (NonNull::from(Box::leak(Box::new(node))), registry);
    }
    // Only the node is written: the registry's room stays uninitialised (copying it
    // along with the node cost a `memcpy` call for the larger nodes).
    let hosted = Box::into_raw(Box::<Hosted<F, N>>::new_uninit()).cast::<Hosted<F, N>>();
    // SAFETY: `hosted` is a live allocation we own; the field pointer keeps its
    // provenance (no reference is made).
    let node_slot = unsafe { ptr::addr_of_mut!((*hosted).node) };
    // SAFETY: `node_slot` is aligned room for an `N` in that allocation. The registry
    // field is a `MaybeUninit`, so the whole `Hosted` is initialised once this is.
    unsafe { node_slot.write(node) };
    let node = node_slot;
    // SAFETY: as above.
    let slot = unsafe { ptr::addr_of_mut!((*hosted).registry) }.cast::<Registry<F>>();
    // SAFETY: a field of a live allocation is not null.
    let node = unsafe { NonNull::new_unchecked(node) };
    // SAFETY: `N` starts with its header (`repr(C)`), initialised above.
    let header = unsafe { node.cast::<NodeHeader<F>>().as_ref() };
    // The node is new: no other thread can reach it until it is linked.
    header.set_state_unshared(IN_HOSTED);
    let home: HostAllocation = free_hosted::<F, N>;
    // SAFETY: `slot` is aligned, uninitialised room for a registry at the start of the
    // allocation (`repr(C)`, first field), which only `free_hosted`, called by the
    // registry, frees.
    let (registry, housed) = unsafe { target.inflate_at(slot, home) };
    if housed {
        // Still unreachable from other threads: what was published is the registry.
        header.set_state_unshared(HOST);
    }
    (node, registry)
}

/// Frees the memory of a node made by [`allocate_node`], whose payload is gone and
/// which no handle refers to; does nothing for a host (its memory goes with the
/// registry it houses).
///
/// # Safety
/// As said; `node` came from `allocate_node::<F, N>`.
pub(crate) unsafe fn free_node<F: Flavor, N>(node: NonNull<N>) {
    // SAFETY: the node is still allocated.
    let header = unsafe { node.cast::<NodeHeader<F>>().as_ref() };
    if header.has_state(HOST) {
        return;
    }
    if header.has_state(IN_HOSTED) {
        let offset = core::mem::offset_of!(Hosted<F, N>, node);
        // The node sits `offset` bytes into its `Hosted` allocation: stepping back
        // stays inside it and keeps its provenance.
        let hosted = node
            .as_ptr()
            .wrapping_byte_sub(offset)
            .cast::<Hosted<F, N>>();
        // SAFETY: that allocation's registry room was never initialised (the node is
        // not the host), so freeing the box drops nothing but the memory (`N` has no
        // drop glue).
        drop(unsafe { Box::from_raw(hosted) })
    } else {
        // SAFETY: allocated by `Box::new(node)` in `allocate_node`.
        unsafe { drop(Box::from_raw(node.as_ptr())) }
    }
}

/// Frees a host allocation; called by the registry it houses, after dropping itself.
///
/// # Safety
/// `base` is a `Hosted<F, N>` allocation whose node is dead and unreferenced and whose
/// registry has been dropped in place.
unsafe fn free_hosted<F: Flavor, N>(base: NonNull<u8>) {
    // SAFETY: per the contract; `MaybeUninit` drops nothing, `N` has no drop glue.
    unsafe { drop(Box::from_raw(base.cast::<Hosted<F, N>>().as_ptr())) }
}
