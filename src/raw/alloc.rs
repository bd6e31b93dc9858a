//! The seam between the core and the allocations its handles point to.
//!
//! Strong handles, weak handles and registration nodes need three things from an
//! allocation: its [`BoxHeader`] (the counts and the registry), its value, and a way
//! to free it. A box type provides them by implementing [`BoxAlloc`]; everything else
//! (releasing a weak reference, freeing the registry with the memory) is written once
//! here, over any box type. [`RcBox`](crate::raw::rc_box::RcBox), the allocation of
//! `rc` and `sync`, is one; the cycle collector's box, which keeps more than the
//! counts in front of the value, is to be another.

use core::ptr::NonNull;

use crate::flavor::Flavor;
use crate::raw::header::BoxHeader;

/// An allocation that the core's handles can point to.
///
/// # Safety
///
/// An implementor guarantees its layout:
///
/// * `Self` is `#[repr(C)]` and its first field is its `BoxHeader<F>`, so that a
///   pointer to the allocation is a pointer to its header, and back;
/// * [`value_ptr`](BoxAlloc::value_ptr) and [`from_value_ptr`](BoxAlloc::from_value_ptr)
///   are inverse, and keep the pointer's provenance;
/// * [`free_memory`](BoxAlloc::free_memory) frees exactly the memory the allocation
///   was made with, and runs no other code (no `Drop` of the value or of anything
///   else in it).
pub(crate) unsafe trait BoxAlloc<F: Flavor>: Sized {
    /// The type of the value.
    type Value;

    /// The value's address in the allocation at `this` (no reference is made, so the
    /// value need not be live).
    fn value_ptr(this: NonNull<Self>) -> *mut Self::Value;

    /// The allocation whose value is at `value`: the inverse of
    /// [`value_ptr`](BoxAlloc::value_ptr).
    fn from_value_ptr(value: *const Self::Value) -> *mut Self;

    /// Frees the allocation's memory.
    ///
    /// # Safety
    /// The value is no longer live (dropped or moved out), the weak count has reached
    /// zero, so no handle of any kind remains, and the registry, if there was one, has
    /// been freed.
    unsafe fn free_memory(this: NonNull<Self>);
}

/// The header of the allocation at `this`.
#[inline]
pub(crate) fn header_ptr<F: Flavor, B: BoxAlloc<F>>(this: NonNull<B>) -> NonNull<BoxHeader<F>> {
    // `BoxAlloc`'s contract: the header is the first field of a `repr(C)` type.
    this.cast()
}

/// Frees the allocation at `this` and its registry, if it has one.
///
/// # Safety
/// As [`BoxAlloc::free_memory`], but the registry is still there.
pub(crate) unsafe fn dealloc<F: Flavor, B: BoxAlloc<F>>(this: NonNull<B>) {
    // SAFETY: per the contract the allocation is live until `free_memory` below.
    let header = unsafe { header_ptr(this).as_ref() };
    // SAFETY: nothing can reach the registry any more (no handle remains).
    unsafe { header.free_registry() };
    // SAFETY: the registry is gone, as `free_memory` requires; the rest is the
    // caller's contract.
    unsafe { B::free_memory(this) }
}

/// Frees an allocation that never had a registry.
///
/// # Safety
/// As [`BoxAlloc::free_memory`]; the weak word is thin.
#[inline]
pub(crate) unsafe fn dealloc_thin<F: Flavor, B: BoxAlloc<F>>(this: NonNull<B>) {
    // SAFETY: per the contract; a thin word means there is no registry to free.
    unsafe { B::free_memory(this) }
}

/// Drops one weak reference to `header`'s allocation and frees it if that was the
/// last.
///
/// # Safety
/// `header` is the header of a live `B` allocation and the caller owns one weak
/// reference to it, which this consumes.
#[inline]
pub(crate) unsafe fn release_weak<F: Flavor, B: BoxAlloc<F>>(header: NonNull<BoxHeader<F>>) {
    // SAFETY: the caller's weak reference keeps the allocation live.
    let last = unsafe { header.as_ref() }.decrement_weak();
    if last {
        // SAFETY: that was the last weak reference, and the strong references hold
        // one of their own while any exists, so nothing else refers to it.
        unsafe { dealloc::<F, B>(header.cast()) }
    }
}

/// Drops one weak reference owned by a node handle (the allocation is inflated) and
/// frees the allocation if that was the last. Registration nodes keep it, type-erased,
/// in their vtable (`NodeVTable::release_target`).
///
/// # Safety
/// As [`release_weak`].
pub(crate) unsafe fn release_node_weak<F: Flavor, B: BoxAlloc<F>>(header: NonNull<BoxHeader<F>>) {
    // SAFETY: the caller's weak reference keeps the allocation live.
    let target = unsafe { header.as_ref() };
    let last = target.decrement_node_weak();
    if last {
        // SAFETY: as in `release_weak`.
        unsafe { dealloc::<F, B>(header.cast()) }
    }
}
