//! Registration nodes: one per weak reference with a callback, and one per finalizer.
//!
//! A node is a separate allocation that starts with a [`NodeHeader`]. Its address is
//! the identity of the weak reference it stands for (what `Debug` prints), so every
//! clone of a `Weak` returned by `downgrade_with` shares it, as in Python.
//!
//! # Counts
//!
//! `handles` counts the references to the node's memory: every `Weak` pointing at it,
//! every `Finalize` handle, one for a finalizer's registration (a finalizer "keeps
//! itself alive", as Python's does), and one taken by the death of the referent while
//! it runs the callback (a *pin*). **Every handle but a pin also owns one weak
//! reference to the target allocation**, so `Rc::weak_count` counts each of them the
//! way std counts `Weak`s, and the target's memory (and its registry) outlives the
//! node; a pin needs none, because the death holds the target's implicit weak
//! reference until it has released every pin.
//!
//! # States
//!
//! `LINKED`: the node is in its target's registration list, which is guarded by the
//! registry lock; only code holding that lock sets or clears it. `PENDING`: the node
//! still owns its payload (the callback, or a finalizer's function and arguments).
//!
//! When the last handle goes, a node that is still `LINKED` is unlinked (the callback
//! is cancelled, Python's rule that a dead weakref object never calls back), and its
//! payload, if still pending, is dropped without being run.

use core::cell::UnsafeCell;
use core::ptr::NonNull;

use crate::flavor::{Count, Flavor, Lock};
use crate::raw::alloc::{self, BoxAlloc, ErasedBox};
use crate::raw::header::{BoxHeader, Registry};

/// The node is in its target's registration list.
pub(crate) const LINKED: usize = 1;
/// The node still owns its payload.
pub(crate) const PENDING: usize = 2;
/// A finalizer's payload is borrowed by `peek`.
pub(crate) const BORROWED: usize = 4;
/// The finalizer takes part in the at-exit run.
pub(crate) const AT_EXIT: usize = 8;
/// The node was allocated with room for its target's registry (`hosted.rs`).
pub(crate) const IN_HOSTED: usize = 16;
/// The node houses its target's registry: its memory goes with the registry.
pub(crate) const HOST: usize = 32;
/// The exit run has taken this finalizer: it never takes it again, whether or not it
/// could run it (see `finalize::run_exit`).
pub(crate) const EXIT_TAKEN: usize = 64;

/// The death of the target holds an extra handle on this node while the weak
/// collections' removals run (`death::begin`); only code holding the registry lock
/// sets or clears it.
pub(crate) const BEGIN_PIN: usize = 128;
/// The death of the target owns this node's last handle: every other handle went
/// while the removals ran, after the target became unreachable, so the callback still
/// runs. The death releases that handle along with its pin, after firing the node.
pub(crate) const DEATH_OWNED: usize = 256;

/// What a node is for; chooses how a panic in its payload is reported.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum NodeKind {
    /// A weak reference's callback.
    Callback,
    /// A finalizer.
    Finalizer,
    /// A weak collection's own callback, which takes an entry out of its table. It
    /// fires before the referent's value is dropped, ahead of every other kind (see
    /// `death.rs`), so that no user code of the death sees a collection count an
    /// entry that its lookups no longer find.
    Removal,
}

/// Who runs a node's payload.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Firing {
    /// The death of the target, which detached the node.
    Death,
    /// The exit run, which took the finalizer from its exit list.
    Exit,
}

/// The type-specific operations of a node.
pub(crate) struct NodeVTable<F: Flavor> {
    pub(crate) kind: NodeKind,
    /// Runs the payload because the target died or the exit run took it; it must clear
    /// `PENDING` (atomically, so that one firing wins) before running user code.
    ///
    /// # Safety
    /// `node` is a node of this vtable's type, and the caller holds a handle on it
    /// (a death's pin, or the exit run's) for the whole call.
    pub(crate) fire: unsafe fn(NonNull<NodeHeader<F>>, Firing),
    /// Drops the payload if still pending, then frees the node's memory.
    ///
    /// # Safety
    /// `node` is a node of this vtable's type, its `handles` have just reached zero
    /// and it is no longer linked: nothing else can reach it. Called once.
    pub(crate) destroy: unsafe fn(NonNull<NodeHeader<F>>),
    /// Frees the target's allocation (`alloc::dealloc_erased`, for the target's box
    /// type), once its last weak reference is gone.
    ///
    /// # Safety
    /// `target` is the node's target, whose weak count the caller just took to zero.
    pub(crate) free_target: unsafe fn(ErasedBox),
    /// The node's target, read from the node (each node type keeps it, as a pointer
    /// to the box type it was registered with, after its header): erased, and its
    /// header, in one call.
    ///
    /// # Safety
    /// `node` is a live node of this vtable's type.
    pub(crate) target: unsafe fn(NonNull<NodeHeader<F>>) -> NodeTarget<F>,
    /// `type_name` of the referent, for panic reports.
    pub(crate) referent_type: fn() -> &'static str,
}

/// A node's target, as type-erased code needs it.
#[derive(Clone, Copy)]
pub(crate) struct NodeTarget<F: Flavor> {
    /// The pointer the node keeps, erased (for `NodeVTable::free_target`).
    pub(crate) erased: ErasedBox,
    /// Its header.
    pub(crate) header: NonNull<BoxHeader<F>>,
}

impl<F: Flavor> NodeTarget<F> {
    /// The target of a node registered on the `B` at `rc_box`.
    #[inline]
    pub(crate) fn new<B: BoxAlloc<F> + ?Sized>(rc_box: NonNull<B>) -> Self {
        NodeTarget {
            erased: ErasedBox::new(rc_box),
            header: alloc::header_ptr(rc_box),
        }
    }
}

/// Links of a node in its target's registration list; guarded by the registry lock.
pub(crate) struct Links<F: Flavor> {
    pub(crate) prev: Option<NonNull<NodeHeader<F>>>,
    pub(crate) next: Option<NonNull<NodeHeader<F>>>,
}

/// The common head of every node allocation (`#[repr(C)]`, first field).
#[repr(C)]
pub(crate) struct NodeHeader<F: Flavor> {
    pub(crate) handles: F::Count,
    pub(crate) state: F::Count,
    links: UnsafeCell<Links<F>>,
    pub(crate) vtable: &'static NodeVTable<F>,
}

/// A target's registration list, newest first. Lives inside the registry lock.
pub(crate) struct NodeList<F: Flavor> {
    head: Option<NonNull<NodeHeader<F>>>,
    len: usize,
}

impl<F: Flavor> NodeHeader<F> {
    /// A header for a node about to be linked to `target`, with `handles` handles
    /// (each already owning a weak reference to `target`).
    pub(crate) fn new(handles: usize, state: usize, vtable: &'static NodeVTable<F>) -> Self {
        NodeHeader {
            handles: F::Count::new(handles),
            state: F::Count::new(state),
            links: UnsafeCell::new(Links {
                prev: None,
                next: None,
            }),
            vtable,
        }
    }

    #[inline]
    pub(crate) fn has_state(&self, bit: usize) -> bool {
        self.state.get() & bit != 0
    }

    /// Sets `bit` on a node that no other thread can reach yet (not linked in any
    /// list, no handle given out): a load and a store, no read-modify-write, since
    /// nothing else can be writing the word.
    #[inline]
    pub(crate) fn set_state_unshared(&self, bit: usize) {
        self.state.set(self.state.get() | bit);
    }

    /// Sets or clears `bit` atomically (other bits may change concurrently); returns
    /// whether it was set before.
    #[inline]
    pub(crate) fn set_state(&self, bit: usize, on: bool) -> bool {
        let before = if on {
            self.state.fetch_or(bit)
        } else {
            self.state.fetch_and_not(bit)
        };
        before & bit != 0
    }
}

impl<F: Flavor> NodeList<F> {
    pub(crate) const fn new() -> Self {
        NodeList { head: None, len: 0 }
    }

    /// Number of linked nodes.
    pub(crate) fn len(&self) -> usize {
        self.len
    }

    /// Links `node` at the head (it is the newest).
    ///
    /// # Safety
    /// `node` is live, not linked anywhere, its target's registry owns `self`, and no
    /// other thread can reach it yet (it is new: nothing else writes its state).
    pub(crate) unsafe fn push_front(&mut self, node: NonNull<NodeHeader<F>>) {
        // SAFETY: `node` is live, unlinked, and its links are ours: we hold the
        // registry lock (`&mut self`), which guards every node's links in this list.
        let links = unsafe { links(node) };
        links.prev = None;
        links.next = self.head;
        if let Some(head) = self.head {
            // SAFETY: as above; the head is live (linked nodes are unlinked before
            // their memory is freed).
            unsafe { self::links(head) }.prev = Some(node);
        }
        // SAFETY: `node` is live. Nobody else can reach it before we release the
        // lock, so a plain store sets the bit.
        unsafe { node.as_ref() }.set_state_unshared(LINKED);
        self.head = Some(node);
        self.len += 1;
    }

    /// Unlinks `node`, which must be linked in this list.
    ///
    /// # Safety
    /// `node` is live and `LINKED` in this very list.
    pub(crate) unsafe fn unlink(&mut self, node: NonNull<NodeHeader<F>>) {
        // SAFETY: as in `push_front`.
        let links = unsafe { links(node) };
        match links.prev {
            // SAFETY: as in `push_front`; a neighbour is linked, hence live.
            Some(prev) => unsafe { self::links(prev) }.next = links.next,
            None => self.head = links.next,
        }
        if let Some(next) = links.next {
            // SAFETY: as above.
            unsafe { self::links(next) }.prev = links.prev;
        }
        links.prev = None;
        links.next = None;
        // SAFETY: `node` is live.
        let header = unsafe { node.as_ref() };
        header.set_state(LINKED, false);
        self.len -= 1;
        // A node unlinked while a death holds it for its removals (a finalizer called
        // or detached by a removal's user code): the death releases its pins by
        // walking this list, where it will not find the node, so the pin goes now.
        // Not the last handle: whoever unlinks a node that has handles holds one
        // (`finalize::consume`'s caller); `release_handle` unlinks only at zero, which
        // a pin rules out. The bit is set and cleared only under the lock we hold, so
        // a plain load decides, and the common case pays no read-modify-write.
        if header.has_state(BEGIN_PIN) {
            header.set_state(BEGIN_PIN, false);
            let before = header.handles.decrement();
            debug_assert!(before > 1, "a removal pin was a node's last handle");
        }
    }

    /// Unlinks every node, newest first, and pins each with a handle so that it
    /// survives until the caller releases it with [`unpin`]. Returns the chain of pinned nodes, in
    /// the same order, walkable through [`next_detached`]: nobody else touches the
    /// links of an unlinked node.
    ///
    /// A node whose last handle is being released by another thread right now (its
    /// handle count already reached zero) cannot be pinned: it is unlinked and left
    /// out, and that thread frees it without running its callback. So a `Weak`
    /// dropped while its referent dies either cancels its callback or sees it run,
    /// never both (CPython's rule for free-threaded builds).
    pub(crate) fn detach_all(&mut self) -> Option<NonNull<NodeHeader<F>>> {
        let mut cursor = self.head.take();
        self.len = 0;
        let mut chain = Chain::default();
        while let Some(node) = cursor {
            // SAFETY: linked nodes are live (a node is unlinked before it is freed,
            // under this lock, which we hold); links are ours under the lock.
            let header = unsafe { node.as_ref() };
            // SAFETY: as above: the links of a linked node are ours under the lock.
            let links = unsafe { &mut *header.links.get() };
            cursor = links.next;
            links.prev = None;
            links.next = None;
            header.set_state(LINKED, false);
            // SAFETY: `node` is unlinked now, and its links are ours under the lock.
            unsafe { chain.pin_and_append(node) };
        }
        chain.head
    }

    /// [`detach_all`](Self::detach_all) for the nodes of one `kind` only: the others
    /// stay linked, in their order.
    pub(crate) fn detach_kind(&mut self, kind: NodeKind) -> Option<NonNull<NodeHeader<F>>> {
        let mut cursor = self.head;
        let mut chain = Chain::default();
        while let Some(node) = cursor {
            // SAFETY: as in `detach_all`.
            let header = unsafe { node.as_ref() };
            // SAFETY: as in `detach_all`; this borrow ends at once.
            cursor = unsafe { links(node) }.next;
            if header.vtable.kind != kind {
                continue;
            }
            // SAFETY: `node` is live and linked in this list.
            unsafe { self.unlink(node) };
            // SAFETY: `node` is unlinked now, and its links are ours under the lock.
            unsafe { chain.pin_and_append(node) };
        }
        chain.head
    }

    /// Holds every linked node with an extra handle (marked `BEGIN_PIN`) while the
    /// weak collections' removals run: a removal may drop the last handle of a weak
    /// reference to the same, now unreachable, target (one its entry held), and that
    /// must not cancel the callback. A node whose handles already reached zero (its
    /// last one is being released by another thread) is left to that thread.
    pub(crate) fn pin_for_removals(&mut self) {
        self.for_each(|node| {
            // SAFETY: linked nodes are live; we hold the lock.
            let header = unsafe { node.as_ref() };
            if header.handles.increment_if_nonzero() {
                header.set_state(BEGIN_PIN, true);
            }
        });
    }

    /// Releases the handles taken by [`pin_for_removals`](Self::pin_for_removals).
    /// A node whose other handles all went meanwhile keeps that one as `DEATH_OWNED`:
    /// it stays linked, and the death fires and releases it like the others. The rest
    /// are as before: a handle dropped from now on (in the value's `Drop`) cancels its
    /// callback (R8.4).
    pub(crate) fn release_removal_pins(&mut self) {
        self.for_each(|node| {
            // SAFETY: linked nodes are live; we hold the lock.
            let header = unsafe { node.as_ref() };
            if !header.set_state(BEGIN_PIN, false) {
                return;
            }
            if header.handles.decrement() == 1 {
                // Ours was the last. Nobody can have seen zero: no other handle is
                // left to be cloned or dropped, and what takes a handle only if the
                // count is not zero (`increment_if_nonzero`) runs under this lock.
                header.handles.increment();
                header.set_state(DEATH_OWNED, true);
            }
        });
    }

    /// Calls `f` on every linked node, newest first.
    pub(crate) fn for_each(&self, mut f: impl FnMut(NonNull<NodeHeader<F>>)) {
        let mut cursor = self.head;
        while let Some(node) = cursor {
            // SAFETY: linked nodes are live and their links are guarded by the lock
            // that `&self` comes from; this shared borrow ends at once.
            cursor = unsafe { links(node) }.next;
            f(node);
        }
    }
}

/// A chain of detached nodes being built, in the order they are appended (the list's
/// order: newest first).
struct Chain<F: Flavor> {
    head: Option<NonNull<NodeHeader<F>>>,
    tail: Option<NonNull<NodeHeader<F>>>,
}

impl<F: Flavor> Default for Chain<F> {
    fn default() -> Self {
        Chain {
            head: None,
            tail: None,
        }
    }
}

impl<F: Flavor> Chain<F> {
    /// Pins `node` with a handle and appends it, unless its handle count already
    /// reached zero: its last handle is being released by another thread, which frees
    /// it without running its payload (it finds it unlinked), so it is left out. A pin
    /// needs no weak reference of its own: the death holds the implicit one until
    /// every pin is released ([`unpin`]).
    ///
    /// # Safety
    /// `node` is live and was just unlinked, under the registry lock that the caller
    /// holds; its links are cleared.
    unsafe fn pin_and_append(&mut self, node: NonNull<NodeHeader<F>>) {
        // SAFETY: `node` is live per the contract.
        if !unsafe { node.as_ref() }.handles.increment_if_nonzero() {
            return;
        }
        // SAFETY: the links of an unlinked node are the detaching death's.
        unsafe { links(node) }.prev = self.tail;
        match self.tail {
            // SAFETY: `tail` is a pinned node of the chain, whose links are ours.
            Some(tail) => unsafe { links(tail) }.next = Some(node),
            None => self.head = Some(node),
        }
        self.tail = Some(node);
    }
}

/// The node after `node` in a chain returned by [`NodeList::detach_all`].
///
/// # Safety
/// `node` is part of such a chain and still live.
pub(crate) unsafe fn next_detached<F: Flavor>(
    node: NonNull<NodeHeader<F>>,
) -> Option<NonNull<NodeHeader<F>>> {
    // SAFETY: after `detach_all` the links of the chain are only read, by the one
    // death in progress that owns the chain.
    unsafe { links(node) }.next
}

/// The list links of `node`.
///
/// # Safety
/// `node` is live, and the caller may use its links: it holds the lock of the list
/// the node is in (or owns the chain `detach_all` made), and no other reference to
/// these links is alive.
unsafe fn links<'a, F: Flavor>(node: NonNull<NodeHeader<F>>) -> &'a mut Links<F> {
    // SAFETY: `node` is live, per the contract.
    let header = unsafe { node.as_ref() };
    // SAFETY: the links are the caller's to use, per the contract.
    unsafe { &mut *header.links.get() }
}

/// The node's target.
///
/// # Safety
/// `node` is live.
#[inline]
pub(crate) unsafe fn target<F: Flavor>(node: NonNull<NodeHeader<F>>) -> NodeTarget<F> {
    // SAFETY: per the contract.
    let vtable = unsafe { node.as_ref() }.vtable;
    // SAFETY: a live node of its own vtable's type.
    unsafe { (vtable.target)(node) }
}

/// The header of the node's target.
///
/// # Safety
/// `node` is live.
#[inline]
pub(crate) unsafe fn target_header<F: Flavor>(
    node: NonNull<NodeHeader<F>>,
) -> NonNull<BoxHeader<F>> {
    // SAFETY: per the contract.
    unsafe { target(node) }.header
}

/// Takes one more handle on `node` (a clone of a `Weak`, a `Finalize`, ...).
///
/// # Safety
/// The caller already owns a handle on `node`, so the count cannot be zero.
pub(crate) unsafe fn acquire_handle<F: Flavor>(node: NonNull<NodeHeader<F>>) {
    // SAFETY: a live handle keeps the node and its target allocation alive.
    let header = unsafe { node.as_ref() };
    header.handles.increment();
    // Every handle owns a weak reference to the target; see the module docs.
    // SAFETY: the node is live.
    let target = unsafe { target_header(node) };
    // SAFETY: the target outlives every handle.
    unsafe { target.as_ref() }.increment_node_handle();
}

/// Takes a handle on `node` unless its count already reached zero (its last handle is
/// being released, and the node is about to be freed); returns whether it did.
///
/// # Safety
/// `node` is live: linked in a list whose lock the caller holds (a node is unlinked,
/// under that lock, before it is freed).
pub(crate) unsafe fn try_acquire_handle<F: Flavor>(node: NonNull<NodeHeader<F>>) -> bool {
    // SAFETY: per the contract.
    let header = unsafe { node.as_ref() };
    if !header.handles.increment_if_nonzero() {
        return false;
    }
    // SAFETY: the node is live.
    let target = unsafe { target_header(node) };
    // SAFETY: the handle just taken keeps the target alive.
    unsafe { target.as_ref() }.increment_node_handle();
    true
}

/// Releases a pin taken by [`NodeList::detach_all`]: a handle without a weak
/// reference of its own. The last handle frees the node (it is unlinked already).
///
/// # Safety
/// The caller owns the pin, and the implicit weak reference of the node's target (so
/// the target's allocation and registry outlive this call).
pub(crate) unsafe fn unpin<F: Flavor>(node: NonNull<NodeHeader<F>>) {
    // SAFETY: the pin keeps the node live until we decrement.
    let header = unsafe { node.as_ref() };
    let vtable = header.vtable;
    if header.handles.decrement() == 1 {
        debug_assert!(!header.has_state(LINKED));
        // SAFETY: no handle remains and the node is unlinked.
        unsafe { (vtable.destroy)(node) }
    }
}

/// Releases one handle on `node`; the last one unlinks it (cancelling a pending
/// callback), drops its payload and frees it. Then releases the handle's weak
/// reference to the target, which may free the target's allocation.
///
/// If dropping the payload panics, the panic propagates after the node has been freed
/// and the weak reference released, so nothing leaks.
///
/// # Safety
/// The caller owns the handle it releases.
pub(crate) unsafe fn release_handle<F: Flavor>(node: NonNull<NodeHeader<F>>) {
    // SAFETY: the caller's handle keeps the node live until we decrement.
    let header = unsafe { node.as_ref() };
    let vtable = header.vtable;
    // SAFETY: our handle keeps the node live.
    let target = unsafe { (vtable.target)(node) };

    // SAFETY: our weak reference keeps the target's allocation and registry alive;
    // a node exists only on an inflated allocation.
    let registry = unsafe { target.header.as_ref() }.registry();

    // Whatever happens below, the handle's weak reference is released last: through
    // the registry's count (no second decoding of the weak word), and the allocation
    // freed through the vtable only if that was the last.
    struct ReleaseTarget<'a, F: Flavor> {
        target: NodeTarget<F>,
        registry: Option<&'a Registry<F>>,
        free: unsafe fn(ErasedBox),
    }
    impl<F: Flavor> Drop for ReleaseTarget<'_, F> {
        fn drop(&mut self) {
            let registry = self.registry.map(NonNull::from);
            // SAFETY: this handle's weak reference keeps the allocation alive.
            let header = unsafe { self.target.header.as_ref() };
            let last = header.decrement_weak_through(registry);
            if last {
                // SAFETY: this handle owned the last weak reference to the target.
                unsafe { (self.free)(self.target.erased) }
            }
        }
    }
    let _release = ReleaseTarget {
        target,
        registry,
        free: vtable.free_target,
    };
    if let Some(registry) = registry {
        registry.remove_node_handle();
    }

    if header.handles.decrement() != 1 {
        return;
    }
    // We own the node now. If it is still linked, no death can be running its
    // callback (a death unlinks everything first), so cancelling here is final.
    if let Some(registry) = registry {
        registry.list.with(|list| {
            if header.has_state(LINKED) {
                // SAFETY: `LINKED` is only true while the node is in this list, and
                // we read it under the lock.
                unsafe { list.unlink(node) }
            }
        });
    }
    // SAFETY: no handle remains and the node is unlinked, so nothing can reach it.
    unsafe { (vtable.destroy)(node) }
}
