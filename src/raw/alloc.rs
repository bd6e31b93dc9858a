//! The seam between the core and the allocations its handles point to.
//!
//! Strong handles, weak handles and registration nodes need three things from an
//! allocation: its [`BoxHeader`] (the counts and the registry), its value, and a way
//! to free it. A box type provides them by implementing [`BoxAlloc`]; everything else
//! (releasing a weak reference, freeing the registry with the memory) is written once
//! here, over any box type. [`RcBox`](crate::raw::rc_box::RcBox), the allocation of
//! `rc` and `sync`, is one; the cycle collector's box, which keeps more than the
//! counts in front of the value, is to be another.

use core::mem::{size_of, MaybeUninit};
use core::ptr::NonNull;

use crate::flavor::Flavor;
use crate::raw::header::BoxHeader;

/// A pointer to an allocation, with its type erased but not its metadata: a copy of a
/// `NonNull<B>` for any `B`, sized or not, that code which knows `B` gets back.
///
/// Type-erased code (the trashcan, a node's vtable) holds it where it cannot name `B`:
/// for an unsized value, the metadata (a slice's length, a trait object's vtable) is
/// what frees the allocation with the right layout and drops the value with the right
/// `Drop`, and it cannot be rebuilt from the header's address alone. The bytes are a
/// plain copy of the pointer, so its provenance goes with them.
#[derive(Clone, Copy)]
pub(crate) struct ErasedBox {
    words: [MaybeUninit<*const ()>; 2],
}

impl ErasedBox {
    /// Erases `ptr`.
    #[inline(always)]
    pub(crate) fn new<B: ?Sized>(ptr: NonNull<B>) -> Self {
        const {
            assert!(size_of::<NonNull<B>>() <= size_of::<ErasedBox>());
            assert!(core::mem::align_of::<NonNull<B>>() <= core::mem::align_of::<ErasedBox>());
        }
        let mut erased = ErasedBox {
            words: [MaybeUninit::uninit(); 2],
        };
        // SAFETY: the room is large and aligned enough (checked above) and ours.
        unsafe { (&raw mut erased).cast::<NonNull<B>>().write(ptr) };
        erased
    }

    /// The pointer that [`new`](Self::new) erased.
    ///
    /// # Safety
    /// `self` was made by `ErasedBox::new::<B>` for this same `B`, or for a `B2`
    /// whose pointers have the same metadata (a sized `B2` when `B` is sized).
    #[inline(always)]
    pub(crate) unsafe fn get<B: ?Sized>(self) -> NonNull<B> {
        // SAFETY: per the contract, these bytes are a `NonNull<B>` written by `new`.
        unsafe { (&raw const self).cast::<NonNull<B>>().read() }
    }
}

/// Whether pointers to `B` are thin (`B` is sized).
#[inline(always)]
pub(crate) const fn is_thin<B: ?Sized>() -> bool {
    size_of::<*const B>() == size_of::<*const ()>()
}

/// `fat` with its address and provenance replaced by `data`'s, its metadata kept:
/// std's unstable `with_metadata_of`, for the two things that need it here: a
/// weak handle on a callback node, which carries its referent's metadata but points
/// at the node; and an unsized value moved into a new allocation
/// (`RawRc::from_box`).
///
/// For a thin `B` this is a cast. For a fat one, it writes `data` over the data
/// pointer in the fat pointer's representation, as std did before
/// `set_ptr_value` (the representation is the data pointer and the metadata, a word
/// each); the word it overwrites is found by comparing addresses, so that a compiler
/// with another representation makes this panic instead of building a wrong pointer.
#[inline]
pub(crate) fn with_data_ptr<B: ?Sized>(fat: NonNull<B>, data: NonNull<u8>) -> NonNull<B> {
    if is_thin::<B>() {
        // SAFETY: both thin: a cast that keeps `data`'s address and provenance.
        return unsafe { core::mem::transmute_copy::<NonNull<u8>, NonNull<B>>(&data) };
    }
    // Not thin: a data pointer and a word of metadata (`ErasedBox::new` checked the
    // upper bound).
    debug_assert_eq!(size_of::<NonNull<B>>(), 2 * size_of::<*const ()>());
    let mut words = ErasedBox::new(fat).words;
    let address = fat.as_ptr().cast::<u8>().addr();
    // SAFETY: a fat pointer is two initialised words (no padding); reading one as a
    // pointer only compares its address.
    let slot = if unsafe { words[0].assume_init() }.addr() == address {
        0
    } else if unsafe { words[1].assume_init() }.addr() == address {
        1
    } else {
        unreachable!("weakrefs: a fat pointer's representation holds no data pointer")
    };
    words[slot] = MaybeUninit::new(data.as_ptr().cast_const().cast());
    // SAFETY: the representation of `fat` with its data pointer (the word that held
    // its address) replaced: a `NonNull<B>` at `data` (not null) with `fat`'s
    // metadata and `data`'s provenance, which the copy of the bytes carries.
    unsafe { ErasedBox { words }.get::<B>() }
}

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
pub(crate) unsafe trait BoxAlloc<F: Flavor> {
    /// The type of the value.
    type Value: ?Sized;

    /// The value's address in the allocation at `this` (no reference is made, so the
    /// value need not be live).
    fn value_ptr(this: NonNull<Self>) -> *mut Self::Value;

    /// The allocation whose value is at `value`: the inverse of
    /// [`value_ptr`](BoxAlloc::value_ptr).
    ///
    /// # Safety
    /// `value` is the value pointer of a live allocation (the value itself may have
    /// been dropped).
    unsafe fn from_value_ptr(value: *const Self::Value) -> *mut Self;

    /// `this` cast to its value type: the same address and metadata, for a pointer
    /// that need not point at an allocation (a dangling `Weak`).
    fn cast_to_value(this: *mut Self) -> *mut Self::Value;

    /// The inverse of [`cast_to_value`](BoxAlloc::cast_to_value).
    fn cast_from_value(value: *const Self::Value) -> *mut Self;

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
pub(crate) fn header_ptr<F: Flavor, B: BoxAlloc<F> + ?Sized>(
    this: NonNull<B>,
) -> NonNull<BoxHeader<F>> {
    // `BoxAlloc`'s contract: the header is the first field of a `repr(C)` type.
    this.cast()
}

/// Frees the allocation at `this` and its registry, if it has one.
///
/// # Safety
/// As [`BoxAlloc::free_memory`], but the registry is still there.
pub(crate) unsafe fn dealloc<F: Flavor, B: BoxAlloc<F> + ?Sized>(this: NonNull<B>) {
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
pub(crate) unsafe fn dealloc_thin<F: Flavor, B: BoxAlloc<F> + ?Sized>(this: NonNull<B>) {
    // SAFETY: per the contract; a thin word means there is no registry to free.
    unsafe { B::free_memory(this) }
}

/// Drops one weak reference to the allocation at `this` and frees it if that was the
/// last.
///
/// # Safety
/// `this` is a live `B` allocation and the caller owns one weak reference to it,
/// which this consumes.
#[inline]
pub(crate) unsafe fn release_weak<F: Flavor, B: BoxAlloc<F> + ?Sized>(this: NonNull<B>) {
    // SAFETY: the caller's weak reference keeps the allocation live.
    let last = unsafe { header_ptr(this).as_ref() }.decrement_weak();
    if last {
        // SAFETY: that was the last weak reference, and the strong references hold
        // one of their own while any exists, so nothing else refers to it.
        unsafe { dealloc::<F, B>(this) }
    }
}

/// Drops one weak reference to an allocation that has a registry (the implicit one,
/// after a death that ran callbacks) and frees it if that was the last: through the
/// registry's count, without trying the thin encoding first.
///
/// # Safety
/// As [`release_weak`].
#[inline]
pub(crate) unsafe fn release_registered_weak<F: Flavor, B: BoxAlloc<F> + ?Sized>(this: NonNull<B>) {
    // SAFETY: the caller's weak reference keeps the allocation live.
    let last = unsafe { header_ptr(this).as_ref() }.decrement_node_weak();
    if last {
        // SAFETY: as in `release_weak`.
        unsafe { dealloc::<F, B>(this) }
    }
}

/// [`dealloc`] of the allocation that `target` erases: what a registration node
/// keeps, type-erased, in its vtable (`NodeVTable::free_target`).
///
/// # Safety
/// As [`dealloc`], for the allocation that `target` erases (an `ErasedBox::new::<B>`).
pub(crate) unsafe fn dealloc_erased<F: Flavor, B: BoxAlloc<F> + ?Sized>(target: ErasedBox) {
    // SAFETY: per the contract, `target` erases a `NonNull<B>`.
    let this = unsafe { target.get::<B>() };
    // SAFETY: per the contract.
    unsafe { dealloc::<F, B>(this) }
}
