//! The header at the start of every allocation the handles point to: the strong
//! count and the weak word, and the registry that the weak word points to once the
//! object has callbacks or finalizers. What follows the header (the value, and
//! whatever else a box type keeps) is the box type's business (`alloc.rs`).
//!
//! # The weak word
//!
//! The second word is in one of three states:
//!
//! * **thin**: an even value, `2 * weak_count`. This is what std keeps there (scaled by
//!   two), and plain `downgrade`/`Weak::drop` only add or subtract 2.
//! * **locked**: the value 1, while a uniqueness check (`get_mut`, `make_mut`'s
//!   check) holds a thin count at "the implicit reference only", as std's `Arc` holds
//!   its weak count at `usize::MAX`. It returns to thin 2 (never to anything else).
//! * **inflated**: a pointer to this allocation's [`Registry`] with the low bit set.
//!   The registry holds the real weak count from then on, together with the list of
//!   callback and finalizer registrations. It is allocated by the first
//!   `downgrade_with` or `finalize` on the object and freed with the allocation; the
//!   word never leaves this state.
//!
//! The low bit is set in both states that are not a thin count, so each fast path
//! (`downgrade`, `Weak::clone`, `Weak::drop`) decides with one bit test whether it may
//! add or subtract 2, and everything else goes to the slow path.
//!
//! Every transition is made the same way: load the word **once**, decode that value,
//! and compare-and-swap against that same value, retrying from a fresh load if it
//! failed. A transition that finds the word locked waits for the unlock (the lock is
//! held while one load of the strong count is made, never across user code), as
//! std's `downgrade` does. Nothing decodes one load and swaps against another.
//!
//! As in std, the weak count includes one "implicit" weak reference owned collectively
//! by the strong references; it is released after the value has been dropped and the
//! death callbacks have run, so the allocation and its registry outlive all of that.
use core::marker::PhantomData;
use core::ptr::{self, NonNull};

use crate::flavor::{Count, Flavor, Lock, Word};
use crate::raw::node::NodeList;

/// Low bit of the weak word: set when the word is not a thin count (inflated, or the
/// locked value).
const TAGGED: usize = 1;
/// The locked word: tagged, with no registry address (a registry is never at 0).
const THIN_LOCKED: usize = TAGGED;
/// One weak reference in the thin encoding.
const THIN_ONE: usize = 2;
/// The largest thin word a count may reach; an increment past it aborts (std's
/// `Arc` limit, `isize::MAX`).
const THIN_MAX: usize = isize::MAX as usize - 1;
/// The inflated weak count's value while a uniqueness check holds it.
const COUNT_LOCKED: usize = usize::MAX;

/// The type-independent head of an allocation: the two counts.
#[repr(C)]
pub(crate) struct BoxHeader<F: Flavor> {
    pub(crate) strong: F::Count,
    weak: F::Word,
    _flavor: PhantomData<F>,
}

/// How to free the allocation a registry lives in when its first registration node
/// houses it (see `hosted.rs`): the registry is at the start of that allocation, so
/// its own address is the allocation's.
pub(crate) type HostAllocation = unsafe fn(NonNull<u8>);

/// The side table of an object that has (or had) callbacks or finalizers.
pub(crate) struct Registry<F: Flavor> {
    /// The allocation this registry lives in, if a registration node houses it;
    /// `None` if it has a box of its own.
    host: Option<HostAllocation>,
    /// The weak count, moved here from the allocation's weak word at inflation.
    weak: F::Count,
    /// How many of those weak references are node handles (so that the plain `Weak`s
    /// can be told apart: the rest, less the implicit one), and, in one high bit
    /// ([`HAS_REMOVALS`]), whether a weak collection's entry was ever registered.
    node_handles: F::Count,
    /// The registrations, newest first.
    pub(crate) list: F::Lock<NodeList<F>>,
}

/// Bit 62 of `Registry::node_handles` (on 64-bit targets): set once a weak collection's entry (a
/// `NodeKind::Removal` node) has been registered, never cleared. Only then does a death
/// have removals to fire before the value's `Drop` (`death::begin`), and a lock round
/// to spend on them. Set by a registration, which holds a strong handle; read by the
/// death, which comes after the last strong handle's release (ordered like the value
/// itself). It shares a word with the count rather than having one of its own: a
/// registry one word larger made each death of a `sync` map's value about 40 ns slower
/// (measured; the cause is likely its allocation, hosted in a node, moving up a size
/// class). Below the top bit, which the
/// thread-safe count's overflow check (`isize::MAX`) watches; the count itself never
/// comes near it (each handle is an allocation's worth of memory).
const HAS_REMOVALS: usize = 1 << (usize::BITS - 2);

impl<F: Flavor> Registry<F> {
    fn new(host: Option<HostAllocation>, weak: usize) -> Self {
        Registry {
            host,
            weak: F::Count::new(weak),
            node_handles: F::Count::new(0),
            list: F::Lock::new(NodeList::new()),
        }
    }

    /// Notes that a weak collection's entry is registered here (see [`HAS_REMOVALS`]).
    pub(crate) fn note_removal(&self) {
        if !self.has_removals() {
            self.node_handles.fetch_or(HAS_REMOVALS);
        }
    }

    /// Whether a weak collection's entry was ever registered here.
    pub(crate) fn has_removals(&self) -> bool {
        self.node_handles.get() & HAS_REMOVALS != 0
    }

    /// How many weak references are node handles.
    fn node_handle_count(&self) -> usize {
        self.node_handles.get() & !HAS_REMOVALS
    }

    /// Adds `n` weak references owned by node handles (a handful: a new finalizer
    /// takes two at once), with one update of each count.
    #[inline]
    pub(crate) fn add_node_handles(&self, n: usize) {
        self.weak.add_unless_locked(n, COUNT_LOCKED);
        self.node_handles.add(n);
    }

    /// Releases one weak reference counted here; returns `true` if it was the last
    /// (the caller frees the allocation). A uniqueness check never holds the count
    /// while a reference other than the implicit one exists, so no lock is met.
    ///
    /// A function of the registry's address, not a method on `&Registry`: once the
    /// count is decremented, another thread may free the registry while this call
    /// has yet to return, and a `&Registry` argument would still assert (to the
    /// aliasing model, as a protected reference) that its plain fields are live. Only
    /// the atomic count is borrowed for the call, as std's `Arc` does with its counts.
    #[inline]
    pub(crate) fn release_weak(registry: NonNull<Registry<F>>) -> bool {
        // SAFETY: the caller's weak reference keeps the registry alive until this
        // decrement; `addr_of!` makes no reference to the rest of it.
        let count = unsafe { ptr::addr_of!((*registry.as_ptr()).weak) };
        // SAFETY: as above; the count is borrowed only for the decrement.
        unsafe { &*count }.decrement() == 1
    }

    /// One node handle fewer (its weak reference is released by the caller).
    pub(crate) fn remove_node_handle(&self) {
        self.node_handles.decrement();
    }
}

/// One load of the weak word, decoded.
enum WeakState<'a, F: Flavor> {
    /// A thin count (including the implicit reference).
    Thin(usize),
    /// A uniqueness check holds the thin count at the implicit reference only.
    Locked,
    /// The count lives in the registry.
    Inflated(&'a Registry<F>),
}

fn thin_word(count: usize) -> *mut () {
    ptr::without_provenance_mut(count * THIN_ONE)
}

impl<F: Flavor> BoxHeader<F> {
    /// Counts for a new allocation.
    pub(crate) fn new(strong: usize, weak: usize) -> Self {
        BoxHeader {
            strong: F::Count::new(strong),
            weak: F::Word::new(thin_word(weak)),
            _flavor: PhantomData,
        }
    }

    /// Loads the weak word once and decodes it; the word is returned too, as the
    /// expected value of a compare-and-swap that acts on this decoding.
    #[inline]
    fn weak_state(&self) -> (*mut (), WeakState<'_, F>) {
        let word = self.weak.load();
        let state = if word.addr() & TAGGED == 0 {
            WeakState::Thin(word.addr() / THIN_ONE)
        } else if word.addr() == THIN_LOCKED {
            WeakState::Locked
        } else {
            // SAFETY: an inflated word was made by `inflate` from a leaked
            // `Box<Registry>`, or by `inflate_at` in a host node's allocation; either
            // is freed only by `free_registry`, called when the allocation itself is
            // freed. `&self` proves the allocation is live.
            WeakState::Inflated(unsafe { &*word.map_addr(|a| a & !TAGGED).cast::<Registry<F>>() })
        };
        (word, state)
    }

    /// Whether the object may have a registry: `false` means it surely has none (a
    /// thin weak word), with one load and one test.
    #[inline(always)]
    pub(crate) fn may_have_registry(&self) -> bool {
        self.weak.load().addr() & TAGGED != 0
    }

    /// The registry, if the object ever had a callback or finalizer.
    #[inline]
    pub(crate) fn registry(&self) -> Option<&Registry<F>> {
        match self.weak_state().1 {
            WeakState::Inflated(registry) => Some(registry),
            WeakState::Thin(_) | WeakState::Locked => None,
        }
    }

    /// For an inflation: the registry if there is one already, or else the thin word
    /// (to swap against) and the count it holds, waiting while the word is locked
    /// (the count is not what the word says for an instant, so a registry must not
    /// start from the lock's value).
    fn inflation_start(&self) -> Result<&Registry<F>, (*mut (), usize)> {
        loop {
            match self.weak_state() {
                (_, WeakState::Inflated(registry)) => return Ok(registry),
                (_, WeakState::Locked) => F::relax(),
                (word, WeakState::Thin(count)) => return Err((word, count)),
            }
        }
    }

    /// The registry, created now if the object has none yet.
    pub(crate) fn inflate(&self) -> &Registry<F> {
        loop {
            let (word, count) = match self.inflation_start() {
                Ok(registry) => return registry,
                Err(thin) => thin,
            };
            let registry = Box::into_raw(Box::new(Registry::new(None, count)));
            let tagged = registry.map_addr(|a| a | TAGGED).cast::<()>();
            match self.weak.compare_exchange(word, tagged) {
                // SAFETY: just leaked above and now owned by the allocation.
                Ok(()) => return unsafe { &*registry },
                // The word changed since the load (a count, a lock, another
                // inflation): start over from a fresh load.
                // SAFETY: `registry` was never published.
                Err(_) => drop(unsafe { Box::from_raw(registry) }),
            }
        }
    }

    /// Makes the registry at `slot` this allocation's, if it has none yet; returns
    /// the allocation's registry and whether it is the one at `slot`. Otherwise
    /// `slot` is left uninitialised.
    ///
    /// # Safety
    /// `slot` is aligned, uninitialised room for a registry at the start of an
    /// allocation that stays allocated until `home` is called on it (which only the
    /// registry will do).
    pub(crate) unsafe fn inflate_at(
        &self,
        slot: *mut Registry<F>,
        home: HostAllocation,
    ) -> (&Registry<F>, bool) {
        loop {
            let (word, count) = match self.inflation_start() {
                Ok(registry) => return (registry, false),
                Err(thin) => thin,
            };
            // SAFETY: per the contract, `slot` is ours to write.
            unsafe {
                slot.write(Registry::new(Some(home), count));
            }
            let tagged = slot.map_addr(|a| a | TAGGED).cast::<()>();
            if self.weak.compare_exchange(word, tagged).is_ok() {
                // SAFETY: initialised above, and now owned by the allocation, which
                // `&self` proves live (see `weak_state`).
                return (unsafe { &*slot }, true);
            }
            // The word changed since the load: undo, start over from a fresh load.
            // SAFETY: initialised just above and never published.
            unsafe { ptr::drop_in_place(slot) };
        }
    }

    /// Adds one weak reference if the count is thin (the case of every object
    /// without callbacks); returns `false`, changing nothing, otherwise. This is the
    /// same work as std's `inc_weak`: load, add, store, and an overflow check.
    #[inline]
    pub(crate) fn try_increment_weak_thin(&self) -> bool {
        let word = self.weak.load();
        // The inflated word and the locked word (both tagged) and an overflow leave
        // for the slow path, decided by one test of the sum: it is even and at most
        // `THIN_MAX` exactly when the word was a thin count below `THIN_MAX`. (A
        // tagged word gives an odd sum; a thin word is even and at most `THIN_MAX`,
        // so its sum cannot wrap, and passes `THIN_MAX` only by setting the top bit.)
        const REFUSED: usize = TAGGED | !(usize::MAX >> 1);
        let next = word.addr().wrapping_add(THIN_ONE);
        if next & REFUSED != 0 {
            return false;
        }
        self.weak
            .compare_exchange(word, ptr::without_provenance_mut(next))
            .is_ok()
    }

    /// Adds one weak reference.
    #[inline]
    pub(crate) fn increment_weak(&self) {
        if !self.try_increment_weak_thin() {
            self.increment_weak_slow();
        }
    }

    #[cold]
    #[inline(never)]
    fn increment_weak_slow(&self) {
        loop {
            match self.weak_state() {
                (_, WeakState::Inflated(registry)) => {
                    registry.weak.add_unless_locked(1, COUNT_LOCKED);
                    return;
                }
                // A uniqueness check holds the count for an instant (only possible
                // when this increment comes from a strong handle on another thread).
                (_, WeakState::Locked) => F::relax(),
                (word, WeakState::Thin(count)) => {
                    if count * THIN_ONE > THIN_MAX - THIN_ONE {
                        std::process::abort();
                    }
                    if self
                        .weak
                        .compare_exchange(word, thin_word(count + 1))
                        .is_ok()
                    {
                        return;
                    }
                }
            }
        }
    }

    /// Removes one weak reference if the count is thin: `Some(true)` if it was the
    /// last (the caller frees the allocation, which then has no registry), `Some(false)`
    /// if not; `None`, changing nothing, if the word is tagged (inflated or locked) or
    /// the exchange lost a race.
    #[inline]
    pub(crate) fn try_decrement_weak_thin(&self) -> Option<bool> {
        let word = self.weak.load();
        if word.addr() & TAGGED != 0 {
            return None;
        }
        let next = word.map_addr(|a| a - THIN_ONE);
        match self.weak.compare_exchange(word, next) {
            Ok(()) => Some(word.addr() == THIN_ONE),
            Err(_) => None,
        }
    }

    /// Removes one weak reference; returns `true` if it was the last one, in which case
    /// the caller must free the allocation (see [`alloc::dealloc`](crate::raw::alloc::dealloc)).
    #[inline]
    pub(crate) fn decrement_weak(&self) -> bool {
        match self.try_decrement_weak_thin() {
            Some(last) => last,
            None => self.decrement_weak_slow(),
        }
    }

    #[cold]
    #[inline(never)]
    fn decrement_weak_slow(&self) -> bool {
        loop {
            match self.weak_state() {
                (_, WeakState::Inflated(registry)) => return registry.weak.decrement() == 1,
                // Not reachable through a `Weak` (the lock is taken only while the
                // implicit reference is the only one, so no other exists to be
                // dropped), but waiting is right whoever gets here.
                (_, WeakState::Locked) => F::relax(),
                (word, WeakState::Thin(count)) => {
                    if self
                        .weak
                        .compare_exchange(word, thin_word(count - 1))
                        .is_ok()
                    {
                        return count == 1;
                    }
                }
            }
        }
    }

    /// Removes one weak reference owned by a node handle; returns `true` if it was the
    /// last one (see [`BoxHeader::decrement_weak`]). A node exists only on an inflated
    /// allocation: this goes straight to the registry.
    pub(crate) fn decrement_node_weak(&self) -> bool {
        self.decrement_weak_through(self.registry().map(NonNull::from))
    }

    /// [`decrement_node_weak`](Self::decrement_node_weak) with the registry already
    /// decoded by the caller (`None`: the word is thin). The registry goes by address,
    /// not by reference (see [`Registry::release_weak`]).
    #[inline]
    pub(crate) fn decrement_weak_through(&self, registry: Option<NonNull<Registry<F>>>) -> bool {
        match registry {
            Some(registry) => Registry::release_weak(registry),
            None => self.decrement_weak(),
        }
    }

    /// Adds one weak reference owned by a node handle.
    #[inline]
    pub(crate) fn increment_node_handle(&self) {
        self.add_node_handles(1);
    }

    /// Adds `n` weak references owned by node handles; see
    /// [`Registry::add_node_handles`].
    #[inline]
    pub(crate) fn add_node_handles(&self, n: usize) {
        // A node exists only on an inflated allocation: go straight to the registry
        // (the thin fast path would only fail first).
        self.inflate().add_node_handles(n);
    }

    /// Plain weak references: all weak references but the node handles and the
    /// implicit one. Only meaningful while the value is alive; with other threads at
    /// work, a snapshot.
    pub(crate) fn plain_weak_count(&self) -> usize {
        match self.weak_state().1 {
            WeakState::Thin(count) => count - 1,
            WeakState::Locked => 0,
            WeakState::Inflated(registry) => {
                // Handles add their weak reference before counting themselves and
                // remove it after, so reading `node_handles` first never undercounts
                // the others; `saturating_sub` covers releases in between.
                let node_handles = registry.node_handle_count();
                Self::registry_total(registry).saturating_sub(node_handles + 1)
            }
        }
    }

    /// The weak count, including the implicit one held by the strong references,
    /// from one load of the word (and, if inflated, one of the registry's count). A
    /// locked count reads as what it stands for: the implicit reference only.
    #[inline]
    pub(crate) fn weak_total(&self) -> usize {
        match self.weak_state().1 {
            WeakState::Thin(count) => count,
            WeakState::Locked => 1,
            WeakState::Inflated(registry) => Self::registry_total(registry),
        }
    }

    fn registry_total(registry: &Registry<F>) -> usize {
        match registry.weak.get() {
            COUNT_LOCKED => 1,
            count => count,
        }
    }

    /// If the implicit weak reference is the only one, locks the weak count there
    /// (so that no `downgrade` can slip in) and returns `true`; the caller then
    /// checks the strong count and calls [`BoxHeader::unlock_weak`].
    pub(crate) fn lock_weak_if_unique(&self) -> bool {
        match self.weak_state() {
            (word, WeakState::Thin(1)) => self
                .weak
                .compare_exchange(word, ptr::without_provenance_mut(THIN_LOCKED))
                .is_ok(),
            // Other weak references, or another thread's check holds the lock (so
            // another strong handle exists): not unique either way.
            (_, WeakState::Thin(_) | WeakState::Locked) => false,
            (_, WeakState::Inflated(registry)) => registry.weak.compare_exchange(1, COUNT_LOCKED),
        }
    }

    /// Undoes a successful [`BoxHeader::lock_weak_if_unique`].
    pub(crate) fn unlock_weak(&self) {
        // A locked word stays locked until this (every other transition waits), and
        // an inflated one stays inflated: the load tells which lock we hold.
        match self.weak_state() {
            (word, WeakState::Locked) => {
                let unlocked = self.weak.compare_exchange(word, thin_word(1));
                debug_assert!(unlocked.is_ok(), "the locked weak word changed");
            }
            (_, WeakState::Inflated(registry)) => {
                let unlocked = registry.weak.compare_exchange(COUNT_LOCKED, 1);
                debug_assert!(unlocked, "the locked weak count changed");
            }
            (_, WeakState::Thin(_)) => debug_assert!(false, "unlock of an unlocked weak word"),
        }
    }

    /// Frees the registry, if any.
    ///
    /// # Safety
    /// Only when the allocation is being freed: no handle of any kind remains.
    pub(crate) unsafe fn free_registry(&self) {
        if let (word, WeakState::Inflated(_)) = self.weak_state() {
            // The pointer is rebuilt from the word itself, which kept the provenance
            // of the `Box` that `inflate` leaked (not from a `&Registry`).
            let registry = word.map_addr(|a| a & !TAGGED).cast::<Registry<F>>();
            // SAFETY: the registry is live until freed below.
            let host = unsafe { (*registry).host };
            match host {
                // SAFETY: made by `inflate`, a leaked box; the caller guarantees that
                // nothing can reach it any more.
                None => drop(unsafe { Box::from_raw(registry) }),
                Some(free_host) => {
                    // SAFETY: made by `inflate_at` inside its host's allocation; as
                    // above, nothing can reach it.
                    unsafe { ptr::drop_in_place(registry) };
                    // SAFETY: the registry's address is not null.
                    let home = unsafe { NonNull::new_unchecked(registry.cast::<u8>()) };
                    // SAFETY: the registry was at the start of its host's allocation,
                    // so its address is the allocation's, and the host node is
                    // unreferenced (every node handle is gone).
                    unsafe { free_host(home) };
                }
            }
        }
    }
}
