//! Objects of unsized type (`Rc<str>`, `Rc<[T]>`, `Rc<dyn Trait>`): making them, and
//! changing the type a handle sees.
//!
//! An unsized object is an ordinary [`RcBox`] whose value is its last field; its
//! handles are fat pointers that carry the value's metadata (a slice's length, a trait
//! object's vtable). Everything else in the core is written for `B: ?Sized` and works
//! on them unchanged. What needs code of its own is here:
//!
//! * **making** one: the allocation's layout comes from the value's, and the value is
//!   copied (`from_box`, `from_vec`) or cloned (`from_slice`) into place;
//! * **unsizing** a handle (`Rc<T>` to `Rc<dyn Trait>`, without `CoerceUnsized`,
//!   which is unstable): the caller gives the coercion of a value pointer (see
//!   `crate::Coercion`), applied to the handle's pointer, whose address it keeps;
//! * **casting** a handle back to a sized type (`downcast`), or between `[u8]` and
//!   `str`.

use core::mem::ManuallyDrop;
use core::ptr::{self, NonNull};
use std::alloc::Layout;

use crate::flavor::{Count, Flavor};
use crate::raw::alloc::{self, BoxAlloc};
use crate::raw::header::BoxHeader;
use crate::raw::rc_box::RcBox;
use crate::raw::strong::RawRc;
use crate::raw::weak::RawWeak;

/// Allocates an `RcBox` for a value of layout `value`, writes its header (one strong
/// reference, the implicit weak one) and returns the memory and the value's offset.
fn allocate_for<F: Flavor>(value: Layout) -> (NonNull<u8>, usize) {
    allocate_for_zeroed::<F>(value, false)
}

/// [`allocate_for`], with the value's bytes zeroed if `zeroed`.
fn allocate_for_zeroed<F: Flavor>(value: Layout, zeroed: bool) -> (NonNull<u8>, usize) {
    let (layout, offset) = RcBox::<(), F>::layout_for(value);
    let memory = if zeroed {
        // SAFETY: the layout is never zero-sized (the header is two words).
        unsafe { std::alloc::alloc_zeroed(layout) }
    } else {
        // SAFETY: as above.
        unsafe { std::alloc::alloc(layout) }
    };
    let Some(memory) = NonNull::new(memory) else {
        std::alloc::handle_alloc_error(layout)
    };
    // SAFETY: fresh memory, large and aligned enough for the header at its start.
    unsafe { memory.cast::<BoxHeader<F>>().write(BoxHeader::new(1, 1)) };
    (memory, offset)
}

/// Frees memory from [`allocate_for`] whose value was never completed.
///
/// # Safety
/// `memory` came from `allocate_for::<F>(value)`, and nothing refers to it.
unsafe fn free_unfinished<F: Flavor>(memory: NonNull<u8>, value: Layout) {
    let (layout, _) = RcBox::<(), F>::layout_for(value);
    // SAFETY: per the contract; the header needs no drop.
    unsafe { std::alloc::dealloc(memory.as_ptr(), layout) }
}

impl<T: ?Sized, F: Flavor> RawRc<T, F> {
    /// Moves the boxed value into a new allocation, byte for byte, and frees the box
    /// without dropping the value. Works for unsized values (`Box<str>`,
    /// `Box<dyn Trait>`), whose metadata the new handle keeps.
    pub(crate) fn from_box(boxed: Box<T>) -> Self {
        let from = Box::into_raw(boxed);
        // SAFETY: `from` is a live value that we own and give up.
        let this = unsafe { Self::move_into_new(from) };
        // SAFETY: the value now lives in the new allocation, so the box is freed as
        // `ManuallyDrop<T>` (same layout and metadata): its memory only.
        drop(unsafe { Box::from_raw(from as *mut ManuallyDrop<T>) });
        this
    }

    /// A new allocation holding the value at `from`, moved byte for byte, with one
    /// strong reference.
    ///
    /// # Safety
    /// `from` is a live value, which the caller gives up (it must not drop it).
    unsafe fn move_into_new(from: *const T) -> Self {
        // SAFETY: per the contract, a live value: its size and alignment come from
        // its metadata.
        let value_layout = Layout::for_value::<T>(unsafe { &*from });
        let (memory, offset) = allocate_for::<F>(value_layout);
        // SAFETY: `from` is a live value of `value_layout.size()` bytes; the
        // destination is the new allocation's value slot, which nothing else can see
        // yet.
        unsafe {
            ptr::copy_nonoverlapping(
                from.cast::<u8>(),
                memory.as_ptr().wrapping_add(offset),
                value_layout.size(),
            )
        };
        // A pointer to the new allocation with the value's metadata.
        let template = non_null(RcBox::<T, F>::cast_from_value(from));
        let rc_box = alloc::with_data_ptr(template, memory);
        // SAFETY: a live allocation with one strong reference, now ours, its value
        // initialised; it is freed with `Layout::for_value` of this same type and
        // metadata, the layout `allocate_for` used (`RcBox::layout_for`).
        unsafe { RawRc::from_inner(rc_box) }
    }

    /// std's `make_mut` for an unsized value, as `RawRc::make_mut` for a sized one:
    /// other strong references get `clone(value)` into a new allocation; weak
    /// references alone get the value moved (bytes) into a new allocation, and the old
    /// object's life ends there (its callbacks run before this returns).
    pub(crate) fn make_mut_with(this: &mut Self, clone: impl FnOnce(&T) -> Self) -> &mut T {
        if !this.header().strong.compare_exchange(1, 0) {
            let fresh = clone(this.value());
            // `CloneToRc` is sealed: its clones are new objects, which nothing else
            // refers to (the `&mut T` below relies on it).
            debug_assert!(fresh.strong_count() == 1 && fresh.weak_count() == 0);
            // As in `make_mut`: the old handle's drop ends the old object only if the
            // others went meanwhile, which is right.
            *this = fresh;
        } else if this.header().weak_total() != 1 {
            let old = this.rc_box();
            // SAFETY: the strong count is zero and was ours: the value is ours to
            // move, and the old allocation will not drop it.
            let fresh = unsafe { Self::move_into_new(RcBox::value_ptr(old)) };
            core::mem::forget(core::mem::replace(this, fresh));
            // SAFETY: the old value is gone, its strong count is zero and our former
            // strong reference owned the implicit weak reference.
            unsafe { crate::raw::strong::end_moved_out::<F, RcBox<T, F>>(old) };
        } else {
            // No weak reference exists and none can appear: unique; restore the count.
            this.header().strong.set(1);
        }
        // SAFETY: unique now (a fresh allocation, or already unique).
        unsafe { &mut *RcBox::value_ptr(this.rc_box()) }
    }

    /// The same handle, seeing the value through `coerce` (an unsizing coercion of
    /// the value pointer, such as `*const T` to `*const dyn Trait`).
    ///
    /// # Panics
    /// If `coerce` changes the address (which `crate::Coercion`'s contract forbids).
    pub(crate) fn unsize<U: ?Sized>(this: Self, coerce: fn(*const T) -> *const U) -> RawRc<U, F> {
        // Coerced while `this` still owns its reference, so that a panic drops it.
        let coerced = coerce_box(this.rc_box(), coerce);
        let _ = RawRc::into_inner_ptr(this);
        // SAFETY: the same allocation (same address and provenance), seen as a
        // `U` with the metadata of an unsizing coercion of its `T`; we transfer our
        // strong reference.
        unsafe { RawRc::from_inner(coerced) }
    }

    /// The same handle, seeing the value as a `U`.
    ///
    /// # Safety
    /// The value is a valid `U` (a sized `U` of the value's dynamic type, for a
    /// downcast; `str` for `[u8]` holding UTF-8, or back).
    pub(crate) unsafe fn cast<U: ?Sized>(
        this: Self,
        cast: fn(*mut RcBox<T, F>) -> *mut RcBox<U, F>,
    ) -> RawRc<U, F> {
        let rc_box = RawRc::into_inner_ptr(this);
        // SAFETY: the same allocation, a valid `U` per the contract; our strong
        // reference is transferred.
        unsafe { RawRc::from_inner(non_null(cast(rc_box.as_ptr()))) }
    }
}

impl<T, F: Flavor> RawRc<[T], F> {
    /// A slice object holding the elements of `vec`, moved (byte copies); the vector's
    /// buffer is freed without dropping them.
    pub(crate) fn from_vec(vec: Vec<T>) -> Self {
        let mut vec = ManuallyDrop::new(vec);
        let len = vec.len();
        let value_layout =
            Layout::array::<T>(len).unwrap_or_else(|_| crate::raw::rc_box::capacity_overflow());
        let (memory, offset) = allocate_for::<F>(value_layout);
        // SAFETY: `len` initialised elements that we own, moved bytewise into the new
        // allocation's value slot, which is room for exactly `len` of them.
        unsafe {
            ptr::copy_nonoverlapping(
                vec.as_ptr(),
                memory.as_ptr().wrapping_add(offset).cast::<T>(),
                len,
            )
        };
        // SAFETY: the elements moved out: the buffer is freed with length 0, so
        // nothing is dropped twice.
        unsafe { vec.set_len(0) };
        // SAFETY: dropped once, and not used after.
        unsafe { ManuallyDrop::drop(&mut vec) };
        // SAFETY: a live allocation with one strong reference and `len` elements.
        unsafe { Self::from_slice_memory(memory, len) }
    }

    /// A slice object holding clones of `slice`'s elements. If a clone panics, the
    /// clones made so far are dropped and the memory freed, then the panic goes on.
    pub(crate) fn from_slice(slice: &[T]) -> Self
    where
        T: Clone,
    {
        let len = slice.len();
        let value_layout =
            Layout::array::<T>(len).unwrap_or_else(|_| crate::raw::rc_box::capacity_overflow());
        let (memory, offset) = allocate_for::<F>(value_layout);
        /// Drops the clones made so far and frees the memory, unless forgotten.
        struct Partial<T, F: Flavor> {
            memory: NonNull<u8>,
            elements: *mut T,
            done: usize,
            layout: Layout,
            _flavor: core::marker::PhantomData<F>,
        }
        impl<T, F: Flavor> Drop for Partial<T, F> {
            fn drop(&mut self) {
                // SAFETY: the first `done` elements were written and are ours; the
                // memory came from `allocate_for` with this value layout.
                unsafe {
                    ptr::drop_in_place(ptr::slice_from_raw_parts_mut(self.elements, self.done))
                };
                // SAFETY: as above; the elements are gone.
                unsafe { free_unfinished::<F>(self.memory, self.layout) };
            }
        }
        let mut partial = Partial::<T, F> {
            memory,
            // SAFETY: the value slot is in bounds of the allocation.
            elements: unsafe { memory.as_ptr().add(offset) }.cast::<T>(),
            done: 0,
            layout: value_layout,
            _flavor: core::marker::PhantomData,
        };
        for element in slice {
            let slot = partial.elements.wrapping_add(partial.done);
            // SAFETY: room for `len` elements, aligned; `done < len` here.
            unsafe { slot.write(element.clone()) };
            partial.done += 1;
        }
        core::mem::forget(partial);
        // SAFETY: a live allocation with one strong reference and `len` elements.
        unsafe { Self::from_slice_memory(memory, len) }
    }

    /// A slice object of `len` elements whose bytes are uninitialised (or zeroed).
    pub(crate) fn new_uninit_slice(
        len: usize,
        zeroed: bool,
    ) -> RawRc<[core::mem::MaybeUninit<T>], F> {
        let value_layout =
            Layout::array::<T>(len).unwrap_or_else(|_| crate::raw::rc_box::capacity_overflow());
        let (memory, _) = allocate_for_zeroed::<F>(value_layout, zeroed);
        // SAFETY: a live allocation with one strong reference and room for `len`
        // elements, which `MaybeUninit` needs no initialisation for.
        unsafe { RawRc::<[core::mem::MaybeUninit<T>], F>::from_slice_memory(memory, len) }
    }

    /// # Safety
    /// `memory` came from `allocate_for` for `len` elements of `T`, which are all
    /// initialised; its one strong reference is transferred.
    unsafe fn from_slice_memory(memory: NonNull<u8>, len: usize) -> Self {
        // A slice pointer made from the allocation's own pointer: its provenance,
        // and `len` as the metadata; the cast keeps both.
        let rc_box = ptr::slice_from_raw_parts_mut(memory.as_ptr(), len) as *mut RcBox<[T], F>;
        // SAFETY: per the contract, a live allocation with one strong
        // reference, freed with `Layout::for_value` of `RcBox<[T]>` with this
        // length, the layout `allocate_for` used.
        unsafe { RawRc::from_inner(non_null(rc_box)) }
    }
}

impl<T: ?Sized, F: Flavor> RawWeak<T, F> {
    /// The same weak handle (same identity, same callback), seeing the value through
    /// `coerce`, as [`RawRc::unsize`].
    ///
    /// # Panics
    /// If `coerce` changes the address.
    pub(crate) fn unsize<U: ?Sized>(this: Self, coerce: fn(*const T) -> *const U) -> RawWeak<U, F> {
        // The handle's pointer: the allocation, a tagged node (with the allocation's
        // metadata), or dangling; a coercion changes only the metadata, whatever the
        // address. Coerced while `this` still owns its reference, as above.
        let coerced = coerce_box(this.raw_ptr(), coerce);
        let _ = RawWeak::into_raw_ptr(this);
        // SAFETY: the same handle (address and provenance kept), with the metadata
        // of an unsizing coercion; its reference is transferred.
        unsafe { RawWeak::from_raw_ptr(coerced) }
    }
}

/// `ptr` with the metadata `coerce` gives its value pointer: the same address and
/// provenance (the casts keep both), for [`RawRc::unsize`] and [`RawWeak::unsize`].
///
/// # Panics
/// If `coerce` moves the pointer (which `crate::Coercion`'s contract forbids).
fn coerce_box<T: ?Sized, U: ?Sized, F: Flavor>(
    ptr: NonNull<RcBox<T, F>>,
    coerce: fn(*const T) -> *const U,
) -> NonNull<RcBox<U, F>> {
    let value = RcBox::<T, F>::cast_to_value(ptr.as_ptr());
    let coerced = coerce(value);
    assert!(
        ptr::addr_eq(value, coerced),
        "weakrefs: a `Coercion` moved the pointer it was given"
    );
    non_null(RcBox::<U, F>::cast_from_value(coerced))
}

/// `ptr`, which comes from a live handle or allocation, as a `NonNull`.
#[inline]
fn non_null<B: ?Sized>(ptr: *mut B) -> NonNull<B> {
    NonNull::new(ptr).unwrap_or_else(|| unreachable!("a handle's pointer is never null"))
}
