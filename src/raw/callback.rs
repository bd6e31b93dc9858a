//! The node of a weak reference with a callback (`downgrade_with`).

use core::cell::UnsafeCell;
use core::marker::PhantomData;
use core::mem::{ManuallyDrop, MaybeUninit};
use core::ptr::{self, NonNull};

use crate::flavor::{Flavor, Lock};
use crate::raw::alloc::{self, BoxAlloc};
use crate::raw::hosted;
use crate::raw::node::{Firing, NodeHeader, NodeKind, NodeTarget, NodeVTable, PENDING};
use crate::raw::rc_box::RcBox;
use crate::raw::weak::RawWeak;

/// A callback registration: the header, then the callback itself (no second
/// allocation for a boxed closure).
#[repr(C)]
pub(crate) struct CallbackNode<
    T: ?Sized,
    F: Flavor,
    C,
    B: BoxAlloc<F, Value = T> + ?Sized = RcBox<T, F>,
> {
    header: NodeHeader<F>,
    /// The referent's allocation. Never changes.
    target: NonNull<B>,
    /// Initialised while the header's `PENDING` bit is set.
    callback: UnsafeCell<MaybeUninit<C>>,
    _referent: PhantomData<fn(*const T, *const B)>,
}

impl<T, F, C, B> CallbackNode<T, F, C, B>
where
    T: ?Sized,
    F: Flavor,
    C: FnOnce(&RawWeak<T, F, B>),
    B: BoxAlloc<F, Value = T> + ?Sized,
{
    const VTABLE: NodeVTable<F> = Self::vtable(NodeKind::Callback);
    const REMOVAL_VTABLE: NodeVTable<F> = Self::vtable(NodeKind::Removal);

    const fn vtable(kind: NodeKind) -> NodeVTable<F> {
        NodeVTable {
            kind,
            fire: Self::fire,
            destroy: Self::destroy,
            free_target: alloc::dealloc_erased::<F, B>,
            target: Self::target,
            referent_type: core::any::type_name::<T>,
        }
    }

    /// Registers `callback` on the allocation `header` belongs to and returns the one
    /// handle on the new node.
    ///
    /// # Safety
    /// `rc_box` is a live `B` whose value is alive (the caller holds a strong
    /// reference).
    pub(crate) unsafe fn register(rc_box: NonNull<B>, callback: C) -> RawWeak<T, F, B> {
        // SAFETY: forwarded contract.
        unsafe { Self::register_as(rc_box, callback, &Self::VTABLE) }
    }

    /// [`register`](Self::register), for a weak collection's own callback that takes
    /// an entry out of its table: [`NodeKind::Removal`], fired before the value is
    /// dropped. `callback` must not use the value (it is still alive then, but
    /// nothing may reach it) and should run no user code but the drop of what it
    /// removes.
    ///
    /// # Safety
    /// As [`register`](Self::register).
    pub(crate) unsafe fn register_removal(rc_box: NonNull<B>, callback: C) -> RawWeak<T, F, B> {
        // SAFETY: forwarded contract.
        unsafe { Self::register_as(rc_box, callback, &Self::REMOVAL_VTABLE) }
    }

    /// # Safety
    /// As [`register`](Self::register); `vtable` is one of this type's.
    unsafe fn register_as(
        rc_box: NonNull<B>,
        callback: C,
        vtable: &'static NodeVTable<F>,
    ) -> RawWeak<T, F, B> {
        // SAFETY: the caller's strong reference keeps the allocation alive.
        let target = unsafe { alloc::header_ptr(rc_box).as_ref() };
        // The node (with the target's registry, if it is the first registration).
        let (node, registry) = hosted::allocate_node(
            target,
            Self {
                header: NodeHeader::new(1, PENDING, vtable),
                target: rc_box,
                callback: UnsafeCell::new(MaybeUninit::new(callback)),
                _referent: PhantomData,
            },
        );
        let node = node.cast::<NodeHeader<F>>();
        // The handle we return owns one weak reference to the target.
        registry.add_node_handles(1);
        if vtable.kind == NodeKind::Removal {
            registry.note_removal();
        }
        registry.list.with(|list| {
            // SAFETY: the node is new and unlinked; the list is the target's.
            unsafe { list.push_front(node) }
        });
        // SAFETY: the node is new, of this type, and its target is `rc_box`.
        unsafe { RawWeak::from_node(node, rc_box) }
    }

    /// # Safety
    /// [`NodeVTable::target`]'s contract.
    unsafe fn target(node: NonNull<NodeHeader<F>>) -> NodeTarget<F> {
        // SAFETY: a live node of this type (the cast undoes `register_as`).
        NodeTarget::new(unsafe { node.cast::<Self>().as_ref() }.target)
    }

    /// # Safety
    /// [`NodeVTable::fire`]'s contract.
    unsafe fn fire(node: NonNull<NodeHeader<F>>, _: Firing) {
        // SAFETY: the death that calls us holds a handle; the cast undoes `register`.
        let this = unsafe { node.cast::<Self>().as_ref() };
        if !this.header.set_state(PENDING, false) {
            return;
        }
        // SAFETY: `PENDING` was set, so the callback is initialised (`MaybeUninit<C>`
        // has `C`'s layout), and clearing it (atomically) made this read the only one.
        let callback = unsafe { this.callback.get().cast::<C>().read() };
        // The callback receives the very reference `downgrade_with` returned: a
        // borrowed handle on this node, backed by the handle the death holds.
        let rc_box = this.target;
        // SAFETY: the node is live (the death's handle) and `rc_box` is its target.
        let weak = ManuallyDrop::new(unsafe { RawWeak::<T, F, B>::from_node(node, rc_box) });
        callback(&weak);
    }

    /// # Safety
    /// [`NodeVTable::destroy`]'s contract.
    unsafe fn destroy(node: NonNull<NodeHeader<F>>) {
        // The memory goes last, even if dropping the callback panics.
        struct Free<T: ?Sized, F: Flavor, C, B: BoxAlloc<F, Value = T> + ?Sized>(
            NonNull<CallbackNode<T, F, C, B>>,
        );
        impl<T: ?Sized, F: Flavor, C, B: BoxAlloc<F, Value = T> + ?Sized> Drop for Free<T, F, C, B> {
            fn drop(&mut self) {
                // SAFETY: no handle remains, the node is unlinked and its payload gone.
                unsafe { hosted::free_node::<F, CallbackNode<T, F, C, B>>(self.0) }
            }
        }
        let node = node.cast::<Self>();
        let _free = Free(node);
        // SAFETY: the last handle is gone and the node is unlinked: we own it.
        let this = unsafe { node.as_ref() };
        // Nothing else can fire or drop the callback now (that takes a handle), so a
        // plain load decides and no bit needs clearing: the memory goes next.
        if this.header.has_state(PENDING) {
            // SAFETY: `PENDING` says the callback is initialised; we own the node, so
            // this is the only drop.
            unsafe { ptr::drop_in_place(this.callback.get().cast::<C>()) };
        }
    }
}
