//! Finalizers (Python's `weakref.finalize`), generic over the flavour.
//!
//! A finalizer is a registration node on its object, like a weak reference with a
//! callback, with three differences:
//!
//! * its **registration owns a handle** on the node, so it stays alive when the user
//!   drops every `Finalize` handle ("finalizers keep themselves alive");
//! * its payload is a function and its arguments, which [`consume`] takes out exactly
//!   once: by the object's death, by an explicit call, by `detach`, or at exit;
//! * it is also linked, newest first, in its flavour's **exit list** (`exit.rs`), so
//!   that the finalizers still alive at exit can run newest first.
//!
//! # States (bits of the node's `state`)
//!
//! `PENDING`: the registration is alive (Python's `alive`); cleared by [`consume`],
//! under no lock for the local flavour. `LINKED`: in the object's list.
//! `AT_EXIT`: take part in the exit run. `BORROWED`: `peek` is cloning the arguments.
//! `EXIT_TAKEN`: the exit run has taken it, once and for all.

use core::cell::UnsafeCell;
use core::marker::PhantomData;
use core::mem::MaybeUninit;
use core::ptr::{self, NonNull};

use crate::flavor::{Count, Flavor, Lock};
use crate::raw::alloc::{self, BoxAlloc};
use crate::raw::exit::{ExitFlavor, FinalizerBase};
use crate::raw::hosted;
use crate::raw::node::{
    self, Firing, NodeHeader, NodeKind, NodeTarget, NodeVTable, AT_EXIT, BORROWED, LINKED, PENDING,
};
use crate::raw::rc_box::RcBox;
use crate::raw::strong::RawRc;
use crate::raw::weak::RawWeak;

/// A finalizer node, seen without its function type.
#[repr(C)]
pub(crate) struct FinalizeHeader<F: Flavor, A, R> {
    base: FinalizerBase<F>,
    /// The thread that holds `BORROWED` (its `thread_token`), 0 when none does.
    borrower: F::Count,
    /// Initialised while `PENDING`.
    args: UnsafeCell<MaybeUninit<A>>,
    /// Takes the function out and calls it with the arguments.
    ///
    /// # Safety
    /// The caller holds a handle on the node and has consumed the registration (see
    /// `consume`), so the function is initialised and its to take, once.
    call: unsafe fn(NonNull<Self>, A) -> R,
    /// Takes the function out and drops it.
    ///
    /// # Safety
    /// As for `call`.
    drop_func: unsafe fn(NonNull<Self>),
}

/// A finalizer node: the header, then the function itself.
#[repr(C)]
struct FinalizeNode<T: ?Sized, F: Flavor, A, R, Func, B: ?Sized> {
    header: FinalizeHeader<F, A, R>,
    /// The object's allocation. Never changes.
    target: NonNull<B>,
    /// Initialised while `PENDING`.
    func: UnsafeCell<MaybeUninit<Func>>,
    _referent: PhantomData<fn(*const T, *const B)>,
}

impl<T, F, A, R, Func, B> FinalizeNode<T, F, A, R, Func, B>
where
    T: ?Sized,
    F: ExitFlavor,
    Func: FnOnce(A) -> R,
    B: BoxAlloc<F, Value = T> + ?Sized,
{
    const VTABLE: NodeVTable<F> = NodeVTable {
        kind: NodeKind::Finalizer,
        fire: Self::fire,
        destroy: Self::destroy,
        free_target: alloc::dealloc_erased::<F, B>,
        target: Self::target,
        referent_type: core::any::type_name::<T>,
    };

    /// # Safety
    /// [`NodeVTable::target`]'s contract.
    unsafe fn target(node: NonNull<NodeHeader<F>>) -> NodeTarget<F> {
        // SAFETY: a live node of this type (`repr(C)` prefixes; the cast undoes
        // `register`).
        NodeTarget::new(unsafe { node.cast::<Self>().as_ref() }.target)
    }

    /// # Safety
    /// [`FinalizeHeader::call`]'s contract.
    unsafe fn call(header: NonNull<FinalizeHeader<F, A, R>>, args: A) -> R {
        // SAFETY: the caller holds a handle, so the node is live; `header` is its
        // prefix (`repr(C)`).
        let this = unsafe { header.cast::<Self>().as_ref() };
        // SAFETY: the caller consumed the registration, so it owns the function,
        // which is initialised (`MaybeUninit<Func>` has `Func`'s layout); this is the
        // only read.
        let func = unsafe { this.func.get().cast::<Func>().read() };
        func(args)
    }

    /// # Safety
    /// [`FinalizeHeader::drop_func`]'s contract.
    unsafe fn drop_func(header: NonNull<FinalizeHeader<F, A, R>>) {
        // SAFETY: as in `call`.
        let this = unsafe { header.cast::<Self>().as_ref() };
        // SAFETY: as in `call`: the function is ours, initialised, dropped once.
        unsafe { ptr::drop_in_place(this.func.get().cast::<Func>()) }
    }

    /// The object died, or the exit run reached this finalizer.
    ///
    /// # Safety
    /// [`NodeVTable::fire`]'s contract.
    unsafe fn fire(node: NonNull<NodeHeader<F>>, firing: Firing) {
        let header = node.cast::<FinalizeHeader<F, A, R>>();
        // SAFETY: the caller holds a handle.
        let Some((args, shut_down)) = (unsafe { consume(header, firing) }) else {
            return;
        };
        if shut_down {
            // Python's rule: after the exit run, a triggered finalizer is only
            // marked dead; its function is not called.
            // SAFETY: `consume` handed us the function.
            unsafe { Self::drop_func(header) };
            drop(args);
        } else {
            // SAFETY: as above. The result is discarded, as Python does.
            drop(unsafe { Self::call(header, args) });
        }
    }

    /// # Safety
    /// [`NodeVTable::destroy`]'s contract.
    unsafe fn destroy(node: NonNull<NodeHeader<F>>) {
        // SAFETY: no handle remains and the node is in no list. A pending payload can
        // only remain here if the registration never ended, which cannot be: the
        // registration owns a handle until it ends. So there is nothing to drop but
        // the memory (which a host keeps for its registry).
        // SAFETY: as below; the node is still allocated.
        debug_assert!(!unsafe { node.as_ref() }.has_state(PENDING));
        // SAFETY: no handle remains and the node is in no list (see above).
        unsafe { hosted::free_node::<F, Self>(node.cast::<Self>()) }
    }
}

/// Ends a finalizer's registration if it is still alive: unlinks it from its object
/// and from the exit list, releases the registration's handle and hands the arguments
/// to the caller (with whether the exit run is over), which then owns the function too
/// and must call or drop it (through the header's `call` / `drop_func`). `None` if the
/// registration had already ended.
///
/// Of several threads racing here (an explicit call, `detach`, the object's death,
/// the exit run), exactly one wins: clearing `PENDING` is one atomic exchange.
///
/// `by` says who consumes: a death, the exit run, or (as `Firing::Death`, since it
/// may wait as long) an explicit call or `detach`.
///
/// # Safety
/// The caller holds a handle on the node (other than the registration's).
///
/// # Panics
/// If this thread is cloning the arguments for `peek` right now (only possible from
/// inside that `Clone` impl). Another thread's `peek` is waited for; by the exit run,
/// for [`EXIT_PATIENCE`] at most (that thread may never return: `exit` called from
/// inside the `Clone` blocks it for good), after which this panics too, and the exit
/// run reports the finalizer as not run.
unsafe fn consume<F: ExitFlavor, A, R>(
    header: NonNull<FinalizeHeader<F, A, R>>,
    by: Firing,
) -> Option<(A, bool)> {
    // SAFETY: the caller's handle keeps the node alive.
    let this = unsafe { header.as_ref() };
    let node = &this.base.node;
    let mut waiting_since = None;
    loop {
        let state = node.state.get();
        if state & PENDING == 0 {
            return None;
        }
        if state & BORROWED != 0 {
            assert!(
                this.borrower.get() != F::thread_token(),
                "weakrefs: a finalizer was called or detached from inside `Clone` of its own arguments during `peek`"
            );
            if by == Firing::Exit {
                let since = *waiting_since.get_or_insert_with(std::time::Instant::now);
                assert!(
                    since.elapsed() < EXIT_PATIENCE,
                    "weakrefs: at exit, a finalizer's arguments were still being cloned by `peek` on another thread after {EXIT_PATIENCE:?}; the finalizer was not run"
                );
            }
            F::relax();
            continue;
        }
        if node.state.compare_exchange(state, state & !PENDING) {
            break;
        }
    }
    // Raw pointers keep the node allocation's provenance (`repr(C)` prefixes).
    let node_ptr = header.cast::<NodeHeader<F>>();
    let base_ptr = header.cast::<FinalizerBase<F>>();
    // `LINKED` is only ever cleared, under the list's lock: seen clear, it is final
    // (after a death, always), and the lock need not be taken.
    if node.has_state(LINKED) {
        // SAFETY: the target outlives our handle; a registration exists only with a
        // registry.
        // SAFETY: as above.
        let target = unsafe { node::target_header(node_ptr) };
        // SAFETY: as above.
        if let Some(registry) = unsafe { target.as_ref() }.registry() {
            registry.list.with(|list| {
                if node.has_state(LINKED) {
                    // SAFETY: linked in this list, checked under its lock.
                    unsafe { list.unlink(node_ptr) }
                }
            });
        }
    }
    // The shut-down flag is read under the same lock as the unlink.
    let shut_down = F::with_exit_list(|list| {
        // SAFETY: a pending finalizer is in the exit list, and only the one consumer
        // that cleared `PENDING` takes it out.
        unsafe { list.unlink(base_ptr) };
        list.is_shut_down()
    });
    // SAFETY: `PENDING` was set, so the arguments are initialised (`MaybeUninit<A>`
    // has `A`'s layout); clearing it made this the only read.
    let args = unsafe { this.args.get().cast::<A>().read() };
    // The registration's handle: not the last, the caller holds another. No payload
    // is pending, so this runs no user code.
    // SAFETY: the registration owned this handle and has just ended.
    unsafe { node::release_handle(node_ptr) };
    Some((args, shut_down))
}

/// What a `RawFinalize` logically holds: a weak view of a `T` (in a `B`), an `A` it
/// may hand back, an `R` it may return; plus the flavour's thread markers.
///
/// Covariant in all of them, as each only ever comes out (`detach` and `peek` give
/// the object and the arguments, `call` the result). Not contravariant: a
/// `Finalize<&'a X>` that could pass for a `Finalize<&'static X>` would hand out an
/// `Rc<&'static X>` to a value that `'a` outlived.
type FinalizeMarker<T, F, A, R, B> = PhantomData<(
    fn() -> (*const T, *const B),
    fn() -> (A, R),
    <F as Flavor>::Marker,
)>;

/// How long the exit run waits for a `peek` on another thread to finish cloning a
/// finalizer's arguments before it gives that finalizer up.
const EXIT_PATIENCE: core::time::Duration = core::time::Duration::from_secs(1);

/// A handle on a finalizer of an object of type `T` in a `B` allocation; each handle
/// owns a node handle.
pub(crate) struct RawFinalize<T: ?Sized, F: ExitFlavor, A, R, B: ?Sized = RcBox<T, F>> {
    header: NonNull<FinalizeHeader<F, A, R>>,
    _marker: FinalizeMarker<T, F, A, R, B>,
}

impl<T: ?Sized, F: ExitFlavor, A, R, B: BoxAlloc<F, Value = T> + ?Sized>
    RawFinalize<T, F, A, R, B>
{
    /// Registers `func(args)` to run when `obj` dies; the registration is the newest
    /// on the object and in the exit list, with the at-exit flag set.
    pub(crate) fn register<Func>(obj: &RawRc<T, F, B>, func: Func, args: A) -> Self
    where
        Func: FnOnce(A) -> R,
    {
        F::arm_exit_hook();
        // The node (with the target's registry, if it is the first registration).
        let (node, registry) = hosted::allocate_node(
            obj.header(),
            FinalizeNode::<T, F, A, R, Func, B> {
                header: FinalizeHeader {
                    base: FinalizerBase::new(NodeHeader::new(
                        2,
                        PENDING | AT_EXIT,
                        &FinalizeNode::<T, F, A, R, Func, B>::VTABLE,
                    )),
                    borrower: F::Count::new(0),
                    args: UnsafeCell::new(MaybeUninit::new(args)),
                    call: FinalizeNode::<T, F, A, R, Func, B>::call,
                    drop_func: FinalizeNode::<T, F, A, R, Func, B>::drop_func,
                },
                target: obj.rc_box(),
                func: UnsafeCell::new(MaybeUninit::new(func)),
                _referent: PhantomData,
            },
        );
        // Two handles: the registration's and the one we return. Each owns a weak
        // reference to the object.
        registry.add_node_handles(2);
        let header = node.cast::<FinalizeHeader<F, A, R>>();
        // `repr(C)` prefixes: the header starts with the base, the base with the node.
        let base = header.cast::<FinalizerBase<F>>();
        let node_ptr = header.cast::<NodeHeader<F>>();
        // The object's list first, while no other thread can reach the node (the
        // exit list would publish it to the exit run).
        // SAFETY: new, unlinked and unpublished; the list is the target's.
        registry
            .list
            .with(|list| unsafe { list.push_front(node_ptr) });
        // SAFETY: the node is live and in no exit list; it leaves this one (in
        // `consume`) before it can be freed.
        F::with_exit_list(|list| unsafe { list.push_front(base) });
        RawFinalize {
            header,
            _marker: PhantomData,
        }
    }

    fn header(&self) -> &FinalizeHeader<F, A, R> {
        // SAFETY: our handle keeps the node alive.
        unsafe { self.header.as_ref() }
    }

    fn node(&self) -> &NodeHeader<F> {
        &self.header().base.node
    }

    fn upgrade(&self) -> Option<RawRc<T, F, B>> {
        // A temporary weak view of the target, through the node; not dropped.
        let node = self.header.cast::<NodeHeader<F>>();
        // SAFETY: our handle keeps the node alive.
        let target = unsafe { node::target(node) }.erased;
        // SAFETY: the target was erased from a `NonNull<B>` (`register`).
        let rc_box = unsafe { target.get::<B>() };
        // SAFETY: the node is live, and `rc_box` is its target.
        let weak =
            core::mem::ManuallyDrop::new(unsafe { RawWeak::<T, F, B>::from_node(node, rc_box) });
        weak.upgrade()
    }

    /// Whether the registration is alive.
    pub(crate) fn alive(&self) -> bool {
        self.node().has_state(PENDING)
    }

    /// Calls the function now if the registration is alive, ending it.
    pub(crate) fn call(&self) -> Option<R> {
        // SAFETY: we hold a handle.
        let (args, shut_down) = unsafe { consume(self.header, Firing::Death) }?;
        let header = self.header();
        if shut_down {
            // SAFETY: `consume` handed us the function.
            unsafe { (header.drop_func)(self.header) };
            return None;
        }
        // SAFETY: as above.
        Some(unsafe { (header.call)(self.header, args) })
    }

    /// Ends the registration without calling the function, if it is alive and the
    /// object is alive; hands back the object and the arguments.
    pub(crate) fn detach(&self) -> Option<(RawRc<T, F, B>, A)> {
        let obj = self.upgrade()?;
        // SAFETY: we hold a handle.
        let (args, _) = unsafe { consume(self.header, Firing::Death) }?;
        // SAFETY: `consume` handed us the function. Its `Drop` may panic: the
        // registration has ended cleanly already; `obj` and `args` are dropped.
        unsafe { (self.header().drop_func)(self.header) };
        Some((obj, args))
    }

    /// The object and a clone of the arguments, if the registration and the object
    /// are alive.
    pub(crate) fn peek(&self) -> Option<(RawRc<T, F, B>, A)>
    where
        A: Clone,
    {
        let obj = self.upgrade()?;
        // SAFETY: our handle keeps the node alive.
        let this = unsafe { self.header.as_ref() };
        let node = &this.base.node;
        let me = F::thread_token();
        loop {
            let state = node.state.get();
            if state & PENDING == 0 {
                return None;
            }
            if state & BORROWED != 0 {
                if this.borrower.get() == me {
                    // A `peek` from inside our own `A::clone`: nothing to give.
                    return None;
                }
                F::relax();
                continue;
            }
            if node.state.compare_exchange(state, state | BORROWED) {
                break;
            }
        }
        this.borrower.set(me);
        struct Unborrow<'a, F: Flavor>(&'a NodeHeader<F>, &'a F::Count);
        impl<F: Flavor> Drop for Unborrow<'_, F> {
            fn drop(&mut self) {
                self.1.set(0);
                self.0.set_state(BORROWED, false);
            }
        }
        let _unborrow = Unborrow(node, &this.borrower);
        // SAFETY: `PENDING` means initialised; `BORROWED` makes `consume` wait (or,
        // on this thread, refuse) instead of moving the arguments while we hold this
        // reference; `obj` keeps the object alive, so its death cannot run.
        let args = unsafe { &*this.args.get().cast::<A>() }.clone();
        Some((obj, args))
    }

    /// The at-exit flag; `false` once the registration has ended.
    pub(crate) fn atexit(&self) -> bool {
        let node = self.node();
        node.has_state(PENDING) && node.has_state(AT_EXIT)
    }

    /// Sets the at-exit flag; no effect once the registration has ended.
    pub(crate) fn set_atexit(&self, on: bool) {
        let node = self.node();
        if node.has_state(PENDING) {
            node.set_state(AT_EXIT, on);
        }
    }

    /// The address that identifies this finalizer.
    pub(crate) fn identity(&self) -> *const () {
        self.header.as_ptr().cast_const().cast()
    }

    /// The object's address while the registration and the object are alive.
    pub(crate) fn live_referent(&self) -> Option<*const T> {
        let obj = self.upgrade()?;
        self.alive().then(|| obj.as_ptr())
    }
}

impl<T: ?Sized, F: ExitFlavor, A, R, B: ?Sized> Clone for RawFinalize<T, F, A, R, B> {
    fn clone(&self) -> Self {
        // SAFETY: we hold a handle.
        unsafe { node::acquire_handle(self.header.cast::<NodeHeader<F>>()) };
        RawFinalize {
            header: self.header,
            _marker: PhantomData,
        }
    }
}

impl<T: ?Sized, F: ExitFlavor, A, R, B: ?Sized> Drop for RawFinalize<T, F, A, R, B> {
    fn drop(&mut self) {
        // SAFETY: we own one handle. The registration owns another while it lives, so
        // this never ends the registration.
        unsafe { node::release_handle(self.header.cast::<NodeHeader<F>>()) }
    }
}
