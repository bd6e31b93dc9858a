//! `RawRc`: the flavour-generic strong handle.
//!
//! The hot operations (`clone`, `drop` of a non-last handle, `downgrade`, and
//! `upgrade` in `weak.rs`) are the same instructions as std's: one count update and one
//! branch. Everything that has to do with callbacks happens after the strong count
//! has reached zero, in [`RawRc::drop_slow`] and [`after_value_gone`], through the
//! trashcan (`trashcan.rs`), which keeps deep chains of deaths off the stack.

use core::marker::PhantomData;
use core::mem::{ManuallyDrop, MaybeUninit};
use core::ptr::{self, NonNull};
use std::alloc::Layout;

use crate::flavor::{Count, Flavor, Lock};
use crate::raw::alloc::{self, BoxAlloc, ErasedBox};
use crate::raw::callback::CallbackNode;
use crate::raw::death;
use crate::raw::header::BoxHeader;
use crate::raw::node::{self, NodeHeader};
use crate::raw::rc_box::RcBox;
use crate::raw::trashcan;
use crate::raw::weak::RawWeak;

/// A strong handle of either flavour, to a value of type `T` in a `B` allocation.
#[repr(transparent)]
pub(crate) struct RawRc<T: ?Sized, F: Flavor, B: BoxAlloc<F, Value = T> + ?Sized = RcBox<T, F>> {
    ptr: NonNull<B>,
    _marker: StrongMarker<T, F, B>,
}

/// What a strong handle logically owns: a `B`, holding a `T`, for drop check (like
/// std); covariant in `T`; and the flavour's marker, for `Send`/`Sync`.
type StrongMarker<T, F, B> = PhantomData<(Box<B>, fn() -> *const T, <F as Flavor>::Marker)>;

/// Runs after a value's life ended (strong count zero, value dropped or moved out):
/// the callbacks, then the release of the implicit weak reference. A guard, so that it
/// also runs when dropping the value panics, as std frees the memory then too.
struct AfterValue<F: Flavor, B: BoxAlloc<F> + ?Sized>(NonNull<B>, death::Others, PhantomData<F>);

impl<F: Flavor, B: BoxAlloc<F> + ?Sized> Drop for AfterValue<F, B> {
    fn drop(&mut self) {
        // SAFETY: the caller of `after_value_gone` guarantees the allocation's state.
        unsafe { after_value_gone::<F, B>(self.0, Removals::Fired(self.1)) }
    }
}

/// The end of life of the `B` at `object` whose strong count has just reached zero:
/// the start of its death ([`death::begin`]: its entries leave the weak collections);
/// its value's `Drop`; then [`after_value_gone`] (also if that `Drop` panics). Run
/// through the trashcan, type-erased.
///
/// # Safety
/// `object` is a live `B` whose strong count is zero and whose value is still live;
/// the caller gives up the implicit weak reference.
#[inline]
unsafe fn drop_value_then_finish<F: Flavor, B: BoxAlloc<F> + ?Sized>(object: ErasedBox) {
    // SAFETY: the trashcan hands back what `drop_slow` erased: a `NonNull<B>`.
    let rc_box = unsafe { object.get::<B>() };
    // SAFETY: the implicit weak reference keeps the allocation alive.
    let header = unsafe { alloc::header_ptr(rc_box).as_ref() };
    // An object that never had a registration (a thin weak word) has no death to
    // begin: the common case stays as short as std's, the other is out of line.
    if header.may_have_registry() {
        // SAFETY: forwarded contract.
        return unsafe { drop_registered_value_then_finish::<F, B>(rc_box) };
    }
    // Nothing can register from here on (that takes a strong handle): `Maybe` is
    // only a safe default, which `after_value_gone` does not reach for a thin word.
    let _after = AfterValue::<F, B>(rc_box, death::Others::Maybe, PhantomData);
    // SAFETY: the strong count is zero: the value is ours to drop.
    unsafe { ptr::drop_in_place(B::value_ptr(rc_box)) };
}

/// [`drop_value_then_finish`] for an object that may have registrations.
///
/// # Safety
/// As [`drop_value_then_finish`], for the `B` at `rc_box`.
#[cold]
#[inline(never)]
unsafe fn drop_registered_value_then_finish<F: Flavor, B: BoxAlloc<F> + ?Sized>(
    rc_box: NonNull<B>,
) {
    // SAFETY: the implicit weak reference keeps the allocation alive.
    let header = unsafe { alloc::header_ptr(rc_box).as_ref() };
    // SAFETY: the strong count is zero and the value, still live, is touched by
    // nothing but the drop below; we hold the implicit weak reference (`_after`
    // releases it).
    let others = unsafe { death::begin(header) };
    let _after = AfterValue::<F, B>(rc_box, others, PhantomData);
    // SAFETY: the strong count is zero: the value is ours to drop.
    unsafe { ptr::drop_in_place(B::value_ptr(rc_box)) };
}

/// [`after_value_gone`], type-erased for the trashcan: the value was moved out.
///
/// # Safety
/// As [`after_value_gone`], for the `B` at `object`.
unsafe fn finish_moved_out<F: Flavor, B: BoxAlloc<F> + ?Sized>(object: ErasedBox) {
    // SAFETY: `object` is the `NonNull<B>` that `end_moved_out` erased.
    let rc_box = unsafe { object.get::<B>() };
    // SAFETY: forwarded contract.
    unsafe { after_value_gone::<F, B>(rc_box, Removals::Pending) }
}

/// Ends the life of the `B` at `rc_box` whose value was moved out, through the
/// trashcan.
///
/// # Safety
/// As [`after_value_gone`].
pub(crate) unsafe fn end_moved_out<F: Flavor, B: BoxAlloc<F> + ?Sized>(rc_box: NonNull<B>) {
    let type_name = core::any::type_name::<B::Value>;
    // SAFETY: `finish_moved_out` may run now: nothing else touches an object whose
    // strong count is zero, and the implicit weak reference (given up to it) keeps
    // the allocation. Never deferred, so that the callbacks have run when the caller
    // (`try_unwrap`, `into_inner`, `make_mut`) returns, as their docs say.
    unsafe {
        trashcan::end_of_life_now(ErasedBox::new(rc_box), finish_moved_out::<F, B>, type_name)
    }
}

/// Whether [`death::begin`] already ran for a death.
#[derive(Clone, Copy)]
enum Removals {
    /// It did, before the value's `Drop`, and said what it left.
    Fired(death::Others),
    /// It did not: the value was moved out.
    Pending,
}

/// Runs the death callbacks of `rc_box`, then releases its implicit weak reference.
///
/// # Safety
/// The strong count of `rc_box` is zero, its value is no longer live, and the caller
/// owns the implicit weak reference, which this consumes; `removals` says truly
/// whether `death::begin` ran for this death.
#[inline]
unsafe fn after_value_gone<F: Flavor, B: BoxAlloc<F> + ?Sized>(
    rc_box: NonNull<B>,
    removals: Removals,
) {
    // SAFETY: the implicit weak reference keeps the allocation alive.
    let header = unsafe { alloc::header_ptr(rc_box).as_ref() };
    // A thin weak word means the object never had a callback or finalizer: releasing
    // the implicit weak reference is all there is to do, as in std.
    match header.try_decrement_weak_thin() {
        Some(false) => {}
        // SAFETY: the last weak reference, on an allocation with no registry.
        Some(true) => unsafe { alloc::dealloc_thin::<F, B>(rc_box) },
        // SAFETY: forwarded contract.
        None => unsafe { after_value_gone_registered::<F, B>(rc_box, removals) },
    }
}

/// [`after_value_gone`] of an object that has a registry: its callbacks run first.
///
/// # Safety
/// As [`after_value_gone`].
#[cold]
#[inline(never)]
unsafe fn after_value_gone_registered<F: Flavor, B: BoxAlloc<F> + ?Sized>(
    rc_box: NonNull<B>,
    removals: Removals,
) {
    struct ReleaseImplicit<F: Flavor, B: BoxAlloc<F> + ?Sized>(NonNull<B>, PhantomData<F>);
    impl<F: Flavor, B: BoxAlloc<F> + ?Sized> Drop for ReleaseImplicit<F, B> {
        fn drop(&mut self) {
            // SAFETY: the implicit weak reference is ours to release; the allocation
            // has a registry (that is how we got here), or lost a race on a thin
            // word, which the registry path also handles.
            unsafe { alloc::release_registered_weak::<F, B>(self.0) }
        }
    }
    let _release = ReleaseImplicit::<F, B>(rc_box, PhantomData);
    // SAFETY: the implicit weak reference keeps the allocation alive.
    let header = unsafe { alloc::header_ptr(rc_box).as_ref() };
    match removals {
        // SAFETY: forwarded contract: strong count zero, value gone, and we hold the
        // implicit weak reference until `_release` drops. The removals are gone, and
        // none can have been registered since: that takes a strong handle.
        Removals::Fired(death::Others::Maybe) => unsafe { death::finish(header) },
        // `begin` saw that nothing else was registered, and nothing can be since.
        Removals::Fired(death::Others::None) => {}
        // SAFETY: as above.
        Removals::Pending => unsafe { death::run_callbacks(header) },
    }
}

impl<T, F: Flavor> RawRc<T, F> {
    #[inline]
    pub(crate) fn new(value: T) -> Self {
        let rc_box = Box::new(RcBox {
            header: BoxHeader::new(1, 1),
            value,
        });
        // SAFETY: a fresh allocation with one strong reference, now ours.
        unsafe { Self::from_inner(NonNull::from(Box::leak(rc_box))) }
    }

    /// std's `new_cyclic`: `data_fn` gets a weak handle to the allocation being built.
    pub(crate) fn new_cyclic(data_fn: impl FnOnce(&RawWeak<T, F>) -> T) -> Self {
        // Strong 0 (not yet alive), weak 1 (the handle given to `data_fn`, which turns
        // into the implicit weak reference once the value is in place).
        let uninit = Box::new(RcBox {
            header: BoxHeader::<F>::new(0, 1),
            value: MaybeUninit::<T>::uninit(),
        });
        let rc_box = NonNull::from(Box::leak(uninit)).cast::<RcBox<T, F>>();
        let weak = RawWeak::from_box(rc_box);
        // If `data_fn` panics, `weak` is dropped: it was the only weak reference and
        // the strong count is 0, so the allocation is freed (the value never existed).
        let value = data_fn(&weak);
        // SAFETY: `MaybeUninit<T>` has `T`'s layout; the value slot is ours to write
        // (nothing can read it while the strong count is zero).
        unsafe { RcBox::value_ptr(rc_box).write(value) };
        // SAFETY: the allocation is live (our weak handle).
        unsafe { alloc::header_ptr(rc_box).as_ref() }.strong.set(1);
        core::mem::forget(weak);
        // SAFETY: the value is initialised and we own the one strong reference.
        unsafe { Self::from_inner(rc_box) }
    }

    /// An allocation whose value is uninitialised (`zeroed`: all bytes zero), made
    /// in place (not moved from the stack, so that a large `T` costs no stack).
    pub(crate) fn new_uninit(zeroed: bool) -> RawRc<MaybeUninit<T>, F> {
        let layout = Layout::new::<RcBox<MaybeUninit<T>, F>>();
        // SAFETY: the layout is never zero-sized (the header is two words).
        let memory = if zeroed {
            // SAFETY: as above.
            unsafe { std::alloc::alloc_zeroed(layout) }
        } else {
            // SAFETY: as above.
            unsafe { std::alloc::alloc(layout) }
        };
        let Some(rc_box) = NonNull::new(memory.cast::<RcBox<MaybeUninit<T>, F>>()) else {
            std::alloc::handle_alloc_error(layout)
        };
        // SAFETY: fresh memory of the right layout; only the header is written (an
        // uninitialised `MaybeUninit` is a valid value).
        unsafe { alloc::header_ptr(rc_box).write(BoxHeader::new(1, 1)) };
        // SAFETY: a live allocation with one strong reference, now ours; it is freed
        // with this same layout (`RcBox::free_memory`, as one made by `Box::new`).
        unsafe { RawRc::from_inner(rc_box) }
    }
}

impl<T: ?Sized, F: Flavor, B: BoxAlloc<F, Value = T> + ?Sized> RawRc<T, F, B> {
    /// Wraps a strong reference the caller owns.
    ///
    /// # Safety
    /// `ptr` is a live allocation and the caller transfers one strong reference.
    #[inline]
    pub(crate) unsafe fn from_inner(ptr: NonNull<B>) -> Self {
        RawRc {
            ptr,
            _marker: PhantomData,
        }
    }

    #[inline]
    pub(crate) fn header(&self) -> &BoxHeader<F> {
        // SAFETY: a strong handle keeps the allocation alive.
        unsafe { alloc::header_ptr(self.ptr).as_ref() }
    }

    /// The allocation.
    #[inline]
    pub(crate) fn rc_box(&self) -> NonNull<B> {
        self.ptr
    }

    /// Gives up the handle without dropping it: the caller now owns its strong
    /// reference, as a pointer to the allocation.
    #[inline]
    pub(crate) fn into_inner_ptr(this: Self) -> NonNull<B> {
        ManuallyDrop::new(this).ptr
    }

    #[inline]
    pub(crate) fn value(&self) -> &T {
        // SAFETY: a strong handle keeps the value alive; only shared access is given
        // out except through `get_mut`, which checks uniqueness.
        unsafe { &*B::value_ptr(self.ptr) }
    }

    #[inline]
    pub(crate) fn as_ptr(&self) -> *const T {
        // In bounds of the live allocation; no reference is made.
        B::value_ptr(self.ptr).cast_const()
    }

    #[inline]
    pub(crate) fn ptr_eq(&self, other: &Self) -> bool {
        ptr::addr_eq(self.ptr.as_ptr(), other.ptr.as_ptr())
    }

    #[inline]
    pub(crate) fn strong_count(&self) -> usize {
        self.header().strong.get()
    }

    /// Weak references: each `Weak` handle, each `Finalize` handle and each live
    /// finalizer registration counts once (the implicit one is not counted).
    #[inline]
    pub(crate) fn weak_count(&self) -> usize {
        self.header().weak_total() - 1
    }

    #[inline]
    pub(crate) fn downgrade(&self) -> RawWeak<T, F, B> {
        if self.header().try_increment_weak_thin() {
            RawWeak::from_box(self.ptr)
        } else {
            self.downgrade_slow()
        }
    }

    #[cold]
    #[inline(never)]
    fn downgrade_slow(&self) -> RawWeak<T, F, B> {
        self.header().increment_weak();
        RawWeak::from_box(self.ptr)
    }

    /// A new weak reference with `callback`, linked as the newest registration.
    pub(crate) fn downgrade_with<C>(&self, callback: C) -> RawWeak<T, F, B>
    where
        C: FnOnce(&RawWeak<T, F, B>),
    {
        // SAFETY: we hold a strong reference.
        unsafe { CallbackNode::<T, F, C, B>::register(self.ptr, callback) }
    }

    /// [`downgrade_with`](Self::downgrade_with) for a weak collection's entry: the
    /// callback takes the entry out of its table, and fires when the value's death
    /// begins, before its `Drop` and before every other callback (see `death.rs`).
    pub(crate) fn downgrade_with_removal<C>(&self, callback: C) -> RawWeak<T, F, B>
    where
        C: FnOnce(&RawWeak<T, F, B>),
    {
        // SAFETY: we hold a strong reference.
        unsafe { CallbackNode::<T, F, C, B>::register_removal(self.ptr, callback) }
    }

    /// Python's `getweakrefcount`: how many weak reference objects the object has,
    /// where all plain `Weak`s are one shared reference and each registration (weak
    /// reference with a callback, or finalizer) is one.
    pub(crate) fn weakref_count(&self) -> usize {
        let header = self.header();
        let registrations = header
            .registry()
            .map_or(0, |r| r.list.with(|list| list.len()));
        usize::from(self.plain_weak_count() > 0) + registrations
    }

    /// Number of plain weak handles (made by `downgrade`).
    fn plain_weak_count(&self) -> usize {
        self.header().plain_weak_count()
    }

    /// Python's `getweakrefs`: one handle per weak reference object: a plain one first
    /// (if any plain `Weak` exists), then one per registration, newest first.
    pub(crate) fn weakrefs(&self) -> Vec<RawWeak<T, F, B>> {
        let mut refs = Vec::new();
        if self.plain_weak_count() > 0 {
            refs.push(self.downgrade());
        }
        if let Some(registry) = self.header().registry() {
            let nodes = registry.list.with(|list| {
                let mut nodes: Vec<NonNull<NodeHeader<F>>> = Vec::with_capacity(list.len());
                list.for_each(|node| {
                    // SAFETY: linked, hence live; we hold the lock. A node whose
                    // last handle is going away concurrently is left out.
                    if unsafe { node::try_acquire_handle(node) } {
                        nodes.push(node);
                    }
                });
                nodes
            });
            // SAFETY: each node is live (the handle just taken) and its target is
            // this allocation, whose metadata `self.ptr` carries.
            refs.extend(
                nodes
                    .into_iter()
                    .map(|node| unsafe { RawWeak::from_node(node, self.ptr) }),
            );
        }
        refs
    }

    /// `&mut T` if this is the only strong reference and no weak reference exists.
    pub(crate) fn get_mut(&mut self) -> Option<&mut T> {
        if self.is_unique() {
            // SAFETY: no other handle can observe the value.
            Some(unsafe { &mut *B::value_ptr(self.ptr) })
        } else {
            None
        }
    }

    /// std's `Arc` protocol, correct for every flavour: lock the weak count at
    /// "implicit only", then read the strong count, then unlock. The lock keeps a
    /// `downgrade` on another thread (from a strong handle that is then dropped) from
    /// slipping between the two reads.
    fn is_unique(&self) -> bool {
        let header = self.header();
        if !header.lock_weak_if_unique() {
            return false;
        }
        let unique = header.strong.get() == 1;
        header.unlock_weak();
        unique
    }

    pub(crate) fn into_raw(this: Self) -> *const T {
        let this = ManuallyDrop::new(this);
        this.as_ptr()
    }

    /// # Safety
    /// `ptr` came from [`RawRc::into_raw`] of the same `T` and flavour, and the strong
    /// reference it carries is transferred.
    pub(crate) unsafe fn from_raw(ptr: *const T) -> Self {
        // SAFETY: per the contract `ptr` is the value of a live allocation.
        let rc_box = unsafe { B::from_value_ptr(ptr) };
        // SAFETY: the allocation's address is not null.
        let rc_box = unsafe { NonNull::new_unchecked(rc_box) };
        // SAFETY: the reference `ptr` carried is transferred to us.
        unsafe { Self::from_inner(rc_box) }
    }

    /// Ends the value's life: drops it, then runs [`after_value_gone`]; through the
    /// trashcan, which defers it if this thread is too deep in ends of life already.
    ///
    /// # Safety
    /// This handle has just taken the strong count to zero.
    #[cold]
    #[inline(never)]
    unsafe fn drop_slow(&mut self) {
        // A value without drop glue, on an object without callbacks (a thin weak
        // word): no user code can run, so no other death can nest in this one, and
        // the trashcan has nothing to count. Releasing the implicit weak reference is
        // all there is to do, as in std.
        if !core::mem::needs_drop::<T>() {
            match self.header().try_decrement_weak_thin() {
                Some(false) => return,
                // SAFETY: the last weak reference, on an allocation with no registry;
                // the value needs no drop.
                Some(true) => return unsafe { alloc::dealloc_thin::<F, B>(self.ptr) },
                // A registry: callbacks may run, through the trashcan, out of line:
                // its bookkeeping needs registers saved, which the case above (what
                // std does) should not pay for.
                // SAFETY: forwarded contract.
                None => return unsafe { self.end_of_life_out_of_line() },
            }
        }
        // A value with drop glue: the trashcan inline, as one call from `drop`.
        // SAFETY: forwarded contract.
        unsafe { self.end_of_life() }
    }

    /// [`end_of_life`](Self::end_of_life) in a frame of its own.
    ///
    /// # Safety
    /// As [`drop_slow`](Self::drop_slow).
    #[cold]
    #[inline(never)]
    unsafe fn end_of_life_out_of_line(&mut self) {
        // SAFETY: forwarded contract.
        unsafe { self.end_of_life() }
    }

    /// Drops the value and finishes the object's death, through the trashcan.
    ///
    /// # Safety
    /// As [`drop_slow`](Self::drop_slow).
    #[inline(always)]
    unsafe fn end_of_life(&mut self) {
        let finish = drop_value_then_finish::<F, B>;
        // SAFETY: the strong count just reached zero, so nothing else touches the
        // value, and our former strong reference owned the implicit weak reference,
        // given up to `finish`, which may run now or later on this thread.
        unsafe {
            trashcan::end_of_life(ErasedBox::new(self.ptr), finish, core::any::type_name::<T>)
        }
    }
}

impl<T, F: Flavor, B: BoxAlloc<F, Value = T> + ?Sized> RawRc<T, F, B> {
    /// std's `try_unwrap`: the value if this is the only strong reference. The weak
    /// references die and their callbacks run before this returns.
    pub(crate) fn try_unwrap(this: Self) -> Result<T, Self> {
        if !this.header().strong.compare_exchange(1, 0) {
            return Err(this);
        }
        let this = ManuallyDrop::new(this);
        // SAFETY: the strong count went 1 -> 0 here, so the value is ours to move.
        let value = unsafe { ptr::read(B::value_ptr(this.ptr)) };
        // SAFETY: value moved out, strong zero, our reference owned the implicit weak.
        unsafe { end_moved_out::<F, B>(this.ptr) };
        Ok(value)
    }

    /// std's `into_inner`: the value if this was the last strong reference, `None`
    /// otherwise (the reference is dropped either way). Exactly one of several racing
    /// callers gets the value.
    pub(crate) fn into_inner(this: Self) -> Option<T> {
        let this = ManuallyDrop::new(this);
        if this.header().strong.decrement() != 1 {
            return None;
        }
        // SAFETY: as in `try_unwrap`.
        let value = unsafe { ptr::read(B::value_ptr(this.ptr)) };
        // SAFETY: as in `try_unwrap`.
        unsafe { end_moved_out::<F, B>(this.ptr) };
        Some(value)
    }
}

impl<T, F: Flavor> RawRc<MaybeUninit<T>, F> {
    /// The same allocation, as an initialised value.
    ///
    /// # Safety
    /// The value is initialised.
    pub(crate) unsafe fn assume_init(self) -> RawRc<T, F> {
        let this = ManuallyDrop::new(self);
        // SAFETY: `RcBox` is `repr(C)` and `MaybeUninit<T>` has `T`'s layout, so the
        // allocation is an `RcBox<T, F>` of the same layout (freed with the same
        // `Layout`); the caller guarantees the value is initialised. Registrations made
        // through the `MaybeUninit` handle keep their own erased types and see the same
        // allocation. Our strong reference is transferred.
        unsafe { RawRc::from_inner(this.ptr.cast::<RcBox<T, F>>()) }
    }
}

impl<T: ?Sized, F: Flavor, B: BoxAlloc<F, Value = T> + ?Sized> Clone for RawRc<T, F, B> {
    #[inline]
    fn clone(&self) -> Self {
        self.header().strong.increment();
        RawRc {
            ptr: self.ptr,
            _marker: PhantomData,
        }
    }
}

impl<T: ?Sized, F: Flavor, B: BoxAlloc<F, Value = T> + ?Sized> Drop for RawRc<T, F, B> {
    #[inline]
    fn drop(&mut self) {
        if self.header().strong.decrement() == 1 {
            // SAFETY: that was the last strong reference.
            unsafe { self.drop_slow() }
        }
    }
}
