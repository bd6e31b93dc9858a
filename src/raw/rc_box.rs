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
pub(crate) struct RcBox<T, F: Flavor> {
    pub(crate) header: BoxHeader<F>,
    pub(crate) value: T,
}

// SAFETY: `repr(C)` with the header first; `value_ptr` and `from_value_ptr` move by the
// value field's offset in both directions, with `wrapping` pointer arithmetic that keeps
// provenance; `free_memory` frees with `Layout::new::<Self>()`, the layout of every
// `RcBox` allocation (`Box::new`, or `alloc` with that layout in `RawRc::new_uninit`).
unsafe impl<T, F: Flavor> BoxAlloc<F> for RcBox<T, F> {
    type Value = T;

    #[inline]
    fn value_ptr(this: NonNull<Self>) -> *mut T {
        this.as_ptr()
            .cast::<u8>()
            .wrapping_add(core::mem::offset_of!(RcBox<T, F>, value))
            .cast()
    }

    #[inline]
    fn from_value_ptr(value: *const T) -> *mut Self {
        let offset = core::mem::offset_of!(RcBox<T, F>, value);
        value
            .cast::<u8>()
            .wrapping_sub(offset)
            .cast::<Self>()
            .cast_mut()
    }

    /// # Safety
    /// [`BoxAlloc::free_memory`]'s contract.
    #[inline]
    unsafe fn free_memory(this: NonNull<Self>) {
        // SAFETY: per the contract, the allocation was made with this layout and
        // nothing refers to it any more.
        unsafe { dealloc(this.as_ptr().cast(), Layout::new::<Self>()) }
    }
}
