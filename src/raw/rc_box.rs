//! The allocation of `rc` and `sync` objects.
//!
//! # Layout
//!
//! ```text
//! RcBox<T> = { strong: usize, weak: usize-sized word, value: T }    (#[repr(C)])
//! ```
//!
//! This is exactly the layout of `std::rc::Rc`'s allocation, so an object that never
//! gets a callback or finalizer costs the same bytes as in std. The two words are the
//! [`BoxHeader`] (`header.rs`); the box is made by `Box::new` (or with the same
//! `Layout`, in place) and freed with its `Layout`.

use core::ptr::NonNull;
use std::alloc::{dealloc, Layout};

use crate::flavor::Flavor;
use crate::raw::alloc::BoxAlloc;
use crate::raw::header::BoxHeader;

/// An allocation: the counts, then the value.
#[repr(C)]
pub(crate) struct RcBox<T: ?Sized, F: Flavor> {
    pub(crate) header: BoxHeader<F>,
    pub(crate) value: T,
}

impl<T: ?Sized, F: Flavor> RcBox<T, F> {
    /// The layout of an `RcBox` whose value has layout `value`, and the value's
    /// offset in it (the same `repr(C)` rule the compiler applies).
    pub(crate) fn layout_for(value: Layout) -> (Layout, usize) {
        let (layout, offset) = Layout::new::<BoxHeader<F>>()
            .extend(value)
            .unwrap_or_else(|_| capacity_overflow());
        (layout.pad_to_align(), offset)
    }
}

/// The size of an allocation would overflow `isize`; std panics the same way.
#[cold]
#[track_caller]
pub(crate) fn capacity_overflow() -> ! {
    panic!("weakrefs: the allocation's size overflows isize")
}

// SAFETY: `repr(C)` with the header first. `value_ptr` projects to the value field
// without making a reference (so the value need not be live), and `from_value_ptr`
// steps back by the same offset, computed from the value's alignment as `repr(C)`
// computes it, keeping the pointer's provenance and metadata; `free_memory` frees
// with the layout of the allocation's own type and metadata, the layout every
// `RcBox` allocation is made with (`Box::new`, or `alloc` with that layout in
// `RawRc::new_uninit` and `RawRc::from_layout`).
unsafe impl<T: ?Sized, F: Flavor> BoxAlloc<F> for RcBox<T, F> {
    type Value = T;

    #[inline]
    fn value_ptr(this: NonNull<Self>) -> *mut T {
        // SAFETY: `this` points into an allocation (the trait's callers pass live
        // ones); a place projection makes no reference and reads nothing but the
        // pointer's metadata (for the value's alignment).
        unsafe { &raw mut (*this.as_ptr()).value }
    }

    #[inline]
    unsafe fn from_value_ptr(value: *const T) -> *mut Self {
        // SAFETY: per the contract `value` is the value field of a live allocation,
        // so the reference is aligned and dereferenceable, with valid metadata;
        // `align_of_val` reads only the metadata, never the value, which may have
        // been dropped (std's `Weak::from_raw` did the same before
        // `align_of_val_raw`).
        let value_layout = Layout::for_value(unsafe { &*value });
        let (_, offset) = Self::layout_for(value_layout);
        // Stepping back to the start of the same allocation keeps the provenance;
        // the cast keeps the metadata (the unsized tail of `RcBox<T>` is `T`).
        value.wrapping_byte_sub(offset) as *mut Self
    }

    #[inline]
    fn cast_to_value(this: *mut Self) -> *mut T {
        this as *mut T
    }

    #[inline]
    fn cast_from_value(value: *const T) -> *mut Self {
        value as *mut Self
    }

    /// # Safety
    /// [`BoxAlloc::free_memory`]'s contract.
    #[inline]
    unsafe fn free_memory(this: NonNull<Self>) {
        // SAFETY: the allocation is live until the `dealloc` below, so the reference
        // is aligned and dereferenceable with valid metadata; `for_value` reads only
        // the metadata (the value is gone, and is not read).
        let layout = Layout::for_value(unsafe { this.as_ref() });
        // SAFETY: per the contract, the allocation was made with this layout and
        // nothing refers to it any more.
        unsafe { dealloc(this.as_ptr().cast(), layout) }
    }
}
