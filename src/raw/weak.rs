//! `RawWeak`: the flavour-generic weak handle, one tagged pointer.
//!
//! | pointer                  | meaning                                             |
//! |--------------------------|-----------------------------------------------------|
//! | low bit 0                | a plain weak reference: points at the allocation    |
//! | low bit 1, not `MAX`     | a weak reference with a callback: points at its node |
//! | `usize::MAX`             | dangling (`Weak::new`), like std's sentinel          |
//!
//! Both real targets are at least pointer-aligned, so the low bit is free. The plain
//! case, the one std users hit, is decided by a single bit test.

use core::marker::PhantomData;
use core::mem::ManuallyDrop;
use core::ptr::{self, NonNull};

use crate::flavor::{Count, Flavor};
use crate::raw::alloc::{self, BoxAlloc};
use crate::raw::header::BoxHeader;
use crate::raw::node::{self, NodeHeader, LINKED};
use crate::raw::rc_box::RcBox;
use crate::raw::strong::RawRc;

const NODE_TAG: usize = 1;
const DANGLING: usize = usize::MAX;

/// A weak handle of either flavour, to a value of type `T` in a `B` allocation.
#[repr(transparent)]
pub(crate) struct RawWeak<T: ?Sized, F: Flavor, B: BoxAlloc<F, Value = T> + ?Sized = RcBox<T, F>> {
    /// The allocation (plain), or the node with `NODE_TAG` set and the allocation's
    /// metadata (with a callback), or `DANGLING`.
    ptr: NonNull<B>,
    _marker: WeakMarker<T, F, B>,
}

/// What a weak handle logically holds: a pointer to a `B` (not owning its value),
/// covariant in `T`, and the flavour's marker.
type WeakMarker<T, F, B> = PhantomData<(*const B, fn() -> *const T, <F as Flavor>::Marker)>;

/// What a `RawWeak` points at.
pub(crate) enum Target<F: Flavor, B: ?Sized> {
    Dangling,
    Plain(NonNull<B>),
    Node(NonNull<NodeHeader<F>>),
}

impl<T, F: Flavor, B: BoxAlloc<F, Value = T>> RawWeak<T, F, B> {
    /// A weak handle that points at nothing and never upgrades.
    pub(crate) const fn new() -> Self {
        RawWeak {
            // SAFETY: usize::MAX is not zero.
            ptr: unsafe { NonNull::new_unchecked(ptr::without_provenance_mut(DANGLING)) },
            _marker: PhantomData,
        }
    }
}

impl<T: ?Sized, F: Flavor, B: BoxAlloc<F, Value = T> + ?Sized> RawWeak<T, F, B> {
    /// Wraps a raw pointer as `into_raw_ptr` gave it.
    ///
    /// # Safety
    /// `ptr` came from [`RawWeak::into_raw_ptr`] of this type, and its handle is
    /// transferred.
    #[inline]
    pub(crate) unsafe fn from_raw_ptr(ptr: NonNull<B>) -> Self {
        RawWeak {
            ptr,
            _marker: PhantomData,
        }
    }

    /// The handle's pointer, as [`into_raw_ptr`](Self::into_raw_ptr) would give it.
    #[inline]
    pub(crate) fn raw_ptr(&self) -> NonNull<B> {
        self.ptr
    }

    /// Gives up the handle without dropping it (see [`from_raw_ptr`](Self::from_raw_ptr)).
    #[inline]
    pub(crate) fn into_raw_ptr(this: Self) -> NonNull<B> {
        ManuallyDrop::new(this).ptr
    }

    /// Wraps one weak reference to `rc_box` that the caller owns.
    #[inline]
    pub(crate) fn from_box(rc_box: NonNull<B>) -> Self {
        RawWeak {
            ptr: rc_box,
            _marker: PhantomData,
        }
    }

    /// Wraps one handle on `node` that the caller owns.
    ///
    /// # Safety
    /// `node` is live and `rc_box` is its target (as `B`, whose metadata the handle
    /// keeps, for [`rc_box`](Self::rc_box)).
    #[inline]
    pub(crate) unsafe fn from_node(node: NonNull<NodeHeader<F>>, rc_box: NonNull<B>) -> Self {
        let tagged = node.cast::<u8>().map_addr(|a| a | NODE_TAG);
        RawWeak {
            ptr: alloc::with_data_ptr(rc_box, tagged),
            _marker: PhantomData,
        }
    }

    #[inline]
    pub(crate) fn target(&self) -> Target<F, B> {
        let addr = self.ptr.addr().get();
        if addr & NODE_TAG == 0 {
            Target::Plain(self.ptr)
        } else if addr == DANGLING {
            Target::Dangling
        } else {
            // SAFETY: clearing the tag of a tagged node pointer gives the node's
            // address, which is not null; the data pointer has the node's provenance
            // (`from_node`).
            Target::Node(unsafe {
                NonNull::new_unchecked(self.ptr.as_ptr().cast::<u8>().map_addr(|a| a & !NODE_TAG))
                    .cast()
            })
        }
    }

    /// The referent's allocation, unless dangling.
    #[inline]
    pub(crate) fn rc_box(&self) -> Option<NonNull<B>> {
        match self.target() {
            Target::Plain(rc_box) => Some(rc_box),
            Target::Node(node) => {
                // SAFETY: our handle keeps the node alive; its target never changes.
                let header = unsafe { node::target_header(node) };
                // The node's target is our referent; our pointer has its metadata.
                Some(alloc::with_data_ptr(self.ptr, header.cast()))
            }
            Target::Dangling => None,
        }
    }

    #[inline]
    fn header(&self) -> Option<&BoxHeader<F>> {
        // SAFETY: a weak handle keeps the allocation (not the value) alive.
        self.rc_box()
            .map(|b| unsafe { alloc::header_ptr(b).as_ref() })
    }

    /// A strong handle if the referent is alive.
    #[inline]
    pub(crate) fn upgrade(&self) -> Option<RawRc<T, F, B>> {
        // The plain case falls through; the others are out of line, so this is the
        // same straight-line code as std's upgrade.
        if self.ptr.addr().get() & NODE_TAG != 0 {
            return self.upgrade_tagged();
        }
        Self::upgrade_box(self.ptr)
    }

    #[inline]
    fn upgrade_box(rc_box: NonNull<B>) -> Option<RawRc<T, F, B>> {
        // SAFETY: a weak handle keeps the allocation alive.
        let header = unsafe { alloc::header_ptr(rc_box).as_ref() };
        if header.strong.increment_if_nonzero() {
            // SAFETY: we just took a strong reference on a live value.
            Some(unsafe { RawRc::from_inner(rc_box) })
        } else {
            None
        }
    }

    #[cold]
    #[inline(never)]
    fn upgrade_tagged(&self) -> Option<RawRc<T, F, B>> {
        Self::upgrade_box(self.rc_box()?)
    }

    /// Strong references to the referent (0 when dead or dangling).
    pub(crate) fn strong_count(&self) -> usize {
        self.header().map_or(0, |h| h.strong.get())
    }

    /// Weak references to the referent, as `Rc::weak_count` counts them; 0 when the
    /// referent is dead or this is dangling (std's rule).
    pub(crate) fn weak_count(&self) -> usize {
        match self.header() {
            Some(h) if h.strong.get() > 0 => h.weak_total() - 1,
            _ => 0,
        }
    }

    /// Whether both point at the same allocation (or are both dangling).
    pub(crate) fn ptr_eq(&self, other: &Self) -> bool {
        ptr::addr_eq(self.as_ptr(), other.as_ptr())
    }

    /// Whether both are the same weak reference (share one identity).
    pub(crate) fn ref_eq(&self, other: &Self) -> bool {
        ptr::addr_eq(self.ptr.as_ptr(), other.ptr.as_ptr())
    }

    /// The address that identifies this weak reference: the node for one with a
    /// callback; for plain ones, which are all one shared reference, an address inside
    /// the allocation that differs from the value's. `None` for a dangling one
    /// (`Weak::new`), which has no shared identity.
    pub(crate) fn identity(&self) -> Option<*const ()> {
        Some(match self.target() {
            // The weak word's address (the header's second word): stable for as long
            // as any weak handle lives.
            Target::Plain(rc_box) => alloc::header_ptr(rc_box)
                .as_ptr()
                .cast::<u8>()
                .wrapping_add(core::mem::size_of::<usize>())
                .cast_const()
                .cast(),
            Target::Node(node) => node.as_ptr().cast_const().cast(),
            Target::Dangling => return None,
        })
    }

    /// The referent's address, as `Rc::as_ptr` gives it; for a dangling handle, a
    /// dangling pointer.
    pub(crate) fn as_ptr(&self) -> *const T {
        match self.rc_box() {
            // In bounds of the live allocation; no reference is made.
            Some(rc_box) => B::value_ptr(rc_box).cast_const(),
            None => B::cast_to_value(self.ptr.as_ptr()).cast_const(),
        }
    }

    /// Whether this weak reference still has its callback (Python's `__callback__`):
    /// true for one made with a callback (or a finalizer's) until the referent dies or
    /// the registration is cancelled.
    pub(crate) fn has_callback(&self) -> bool {
        match self.target() {
            // SAFETY: our handle keeps the node alive. `LINKED` is written under the
            // registry lock; for the local flavour that is the only thread.
            Target::Node(node) => unsafe { node.as_ref() }.has_state(LINKED),
            _ => false,
        }
    }

    /// Consumes the handle into the value pointer, keeping one plain weak reference.
    /// A handle with a callback is turned into a plain one first (the callback stays
    /// registered only if other handles to it remain).
    pub(crate) fn into_raw(self) -> *const T {
        let this = match self.target() {
            Target::Node(_) => {
                let Some(rc_box) = self.rc_box() else {
                    unreachable!("a node handle has a referent")
                };
                // SAFETY: our handle keeps the allocation alive.
                unsafe { alloc::header_ptr(rc_box).as_ref() }.increment_weak();
                // The plain handle exists before the node handle goes, whose drop may
                // drop the callback: if that panics, the plain one is released too.
                let plain = RawWeak::from_box(rc_box);
                drop(self);
                plain
            }
            _ => self,
        };
        let this = ManuallyDrop::new(this);
        this.as_ptr()
    }

    /// Rebuilds a handle from [`RawWeak::into_raw`].
    ///
    /// # Safety
    /// `ptr` came from `into_raw` of this type and flavour and is used once.
    pub(crate) unsafe fn from_raw(ptr: *const T) -> Self {
        let rc_box = if ptr.addr() == DANGLING {
            // Dangling (`Weak::new`, perhaps unsized since): the same pointer back.
            B::cast_from_value(ptr)
        } else {
            // SAFETY: `ptr` was the value of an allocation that our weak reference
            // keeps.
            unsafe { B::from_value_ptr(ptr) }
        };
        // SAFETY: neither is null.
        RawWeak::from_box(unsafe { NonNull::new_unchecked(rc_box) })
    }
}

impl<T: ?Sized, F: Flavor, B: BoxAlloc<F, Value = T> + ?Sized> RawWeak<T, F, B> {
    /// The plain handle's allocation header, if this is a plain handle.
    #[inline]
    fn plain_header(&self) -> Option<&BoxHeader<F>> {
        if self.ptr.addr().get() & NODE_TAG == 0 {
            // SAFETY: plain: our weak reference keeps the allocation alive.
            Some(unsafe { alloc::header_ptr(self.ptr).as_ref() })
        } else {
            None
        }
    }

    /// Everything but a plain handle on a thin count: out of line, and returning the
    /// result, so that the fast path needs no saved registers.
    #[cold]
    #[inline(never)]
    fn clone_slow(ptr: NonNull<B>) -> Self {
        // A view of the handle being cloned (owned by the caller, so not dropped).
        let this = ManuallyDrop::new(RawWeak::<T, F, B> {
            ptr,
            _marker: PhantomData,
        });
        match this.target() {
            // SAFETY: our weak reference keeps the allocation alive.
            Target::Plain(rc_box) => unsafe { alloc::header_ptr(rc_box).as_ref() }.increment_weak(),
            // SAFETY: we own a handle on the node.
            Target::Node(node) => unsafe { node::acquire_handle(node) },
            Target::Dangling => {}
        }
        RawWeak {
            ptr,
            _marker: PhantomData,
        }
    }

    #[cold]
    #[inline(never)]
    fn drop_slow(&mut self) {
        match self.target() {
            // SAFETY: we own one weak reference to the allocation.
            Target::Plain(rc_box) => unsafe { alloc::release_weak::<F, B>(rc_box) },
            // SAFETY: we own one handle on the node.
            Target::Node(node) => unsafe { node::release_handle(node) },
            Target::Dangling => {}
        }
    }
}

impl<T: ?Sized, F: Flavor, B: BoxAlloc<F, Value = T> + ?Sized> Clone for RawWeak<T, F, B> {
    #[inline]
    fn clone(&self) -> Self {
        match self.plain_header() {
            Some(header) if header.try_increment_weak_thin() => RawWeak {
                ptr: self.ptr,
                _marker: PhantomData,
            },
            _ => Self::clone_slow(self.ptr),
        }
    }
}

impl<T: ?Sized, F: Flavor, B: BoxAlloc<F, Value = T> + ?Sized> Drop for RawWeak<T, F, B> {
    #[inline]
    fn drop(&mut self) {
        match self.plain_header().map(BoxHeader::try_decrement_weak_thin) {
            Some(Some(false)) => {}
            // SAFETY: the last weak reference, on an allocation with no registry.
            Some(Some(true)) => unsafe { alloc::dealloc_thin::<F, B>(self.ptr) },
            _ => self.drop_slow(),
        }
    }
}
