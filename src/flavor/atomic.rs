//! The thread-safe flavour, behind [`crate::sync`]: atomics and a mutex.
//!
//! The orderings are std `Arc`'s, argued where they are used:
//!
//! * an increment is `Relaxed`: a new reference is made from an existing one, which
//!   already keeps the memory alive, so nothing has to be published;
//! * a decrement is `Release`, and the thread that takes a count to zero issues an
//!   `Acquire` fence before it frees or drops what the count protected, so that every
//!   use through other references happens before the free;
//! * `increment_if_nonzero` (upgrade) succeeds with `Acquire`, pairing with the
//!   `Release` of the decrements, so a revived reference sees the value as it was;
//! * reads for decisions (`get`) are `Acquire`; exchanges on state words are `AcqRel`.
//!
//! Under `--cfg loom` the atomics and the mutex are loom's, so that the model tests
//! explore every interleaving the orderings allow.

#[cfg(loom)]
use loom::sync::atomic::{fence, AtomicPtr, AtomicUsize, Ordering};
#[cfg(loom)]
use loom::sync::Mutex;
#[cfg(not(loom))]
use std::sync::atomic::{fence, AtomicPtr, AtomicUsize, Ordering};
#[cfg(not(loom))]
use std::sync::Mutex;

use super::{Count, Flavor, Lock, Word};

/// The thread-safe flavour, behind [`crate::sync`].
pub(crate) enum Atomic {}

impl Flavor for Atomic {
    type Count = AtomicCount;
    type Word = AtomicWord;
    type Lock<T> = AtomicLock<T>;
    type Marker = ();

    fn relax() {
        // Waits are for another thread's instant-long critical section (a uniqueness
        // check, a `peek` cloning arguments): yield rather than burn the core.
        #[cfg(loom)]
        loom::thread::yield_now();
        #[cfg(not(loom))]
        std::thread::yield_now();
    }

    fn thread_token() -> usize {
        #[cfg(loom)]
        loom::thread_local! { static TOKEN: u8 = 0; }
        #[cfg(not(loom))]
        std::thread_local! { static TOKEN: u8 = const { 0 }; }
        // The address of a thread-local is unique among the threads alive, and not 0.
        TOKEN.with(|t| core::ptr::from_ref(t).addr())
    }
}

/// std's `Arc` limit: a count past it aborts, long before it could wrap.
const MAX_REFCOUNT: usize = isize::MAX as usize;

/// A reference count or state word shared between threads.
pub(crate) struct AtomicCount(AtomicUsize);

impl Count for AtomicCount {
    fn new(n: usize) -> Self {
        AtomicCount(AtomicUsize::new(n))
    }

    #[inline]
    fn get(&self) -> usize {
        self.0.load(Ordering::Acquire)
    }

    #[inline]
    fn set(&self, n: usize) {
        self.0.store(n, Ordering::Release)
    }

    #[inline]
    fn increment(&self) {
        // Relaxed: see the module docs. The caller's reference keeps the memory alive.
        let old = self.0.fetch_add(1, Ordering::Relaxed);
        if old > MAX_REFCOUNT {
            std::process::abort();
        }
    }

    #[inline]
    fn decrement(&self) -> usize {
        // Release: our uses happen before whatever the thread that reaches zero does.
        let old = self.0.fetch_sub(1, Ordering::Release);
        if old == 1 {
            // Acquire: every other thread's uses happen before ours, the last.
            fence(Ordering::Acquire);
        }
        old
    }

    #[inline]
    fn increment_if_nonzero(&self) -> bool {
        let mut n = self.0.load(Ordering::Relaxed);
        loop {
            if n == 0 {
                return false;
            }
            if n > MAX_REFCOUNT {
                std::process::abort();
            }
            // Acquire on success: pairs with the Release of decrements, so we see the
            // value as the last releasing thread left it.
            match self
                .0
                .compare_exchange_weak(n, n + 1, Ordering::Acquire, Ordering::Relaxed)
            {
                Ok(_) => return true,
                Err(now) => n = now,
            }
        }
    }

    #[inline]
    fn compare_exchange(&self, current: usize, new: usize) -> bool {
        self.0
            .compare_exchange(current, new, Ordering::AcqRel, Ordering::Acquire)
            .is_ok()
    }

    #[inline]
    fn fetch_or(&self, bits: usize) -> usize {
        self.0.fetch_or(bits, Ordering::AcqRel)
    }

    #[inline]
    fn fetch_and_not(&self, bits: usize) -> usize {
        self.0.fetch_and(!bits, Ordering::AcqRel)
    }

    #[inline]
    fn add(&self, n: usize) {
        // Relaxed, as `increment`. `n` is a handful, so a sum past the limit cannot
        // wrap before the check below sees it.
        let old = self.0.fetch_add(n, Ordering::Relaxed);
        if old > MAX_REFCOUNT {
            std::process::abort();
        }
    }

    fn add_unless_locked(&self, add: usize, locked: usize) {
        let mut n = self.0.load(Ordering::Relaxed);
        loop {
            if n == locked {
                Atomic::relax();
                n = self.0.load(Ordering::Relaxed);
                continue;
            }
            if n > MAX_REFCOUNT {
                std::process::abort();
            }
            // Acquire: pairs with the Release that unlocked a uniqueness check.
            match self
                .0
                .compare_exchange_weak(n, n + add, Ordering::Acquire, Ordering::Relaxed)
            {
                Ok(_) => return,
                Err(now) => n = now,
            }
        }
    }
}

/// The weak word shared between threads.
pub(crate) struct AtomicWord(AtomicPtr<()>);

impl Word for AtomicWord {
    fn new(p: *mut ()) -> Self {
        AtomicWord(AtomicPtr::new(p))
    }

    #[inline]
    fn load(&self) -> *mut () {
        // Acquire: an inflated word points to a registry another thread initialised
        // and published with the Release of its exchange.
        self.0.load(Ordering::Acquire)
    }

    #[inline]
    fn compare_exchange(&self, current: *mut (), new: *mut ()) -> Result<(), *mut ()> {
        // AcqRel: Release publishes a new registry and orders our uses before a
        // decrement; Acquire orders a last decrement before the free that follows.
        self.0
            .compare_exchange(current, new, Ordering::AcqRel, Ordering::Acquire)
            .map(|_| ())
    }
}

/// A mutex that knows which thread holds it, so that re-entrant use is a panic
/// instead of a deadlock ([`Lock::try_now`] never waits at all). The core never
/// panics while holding it; if user code (a key's `Eq`, say) did, the collection
/// applied its pending removals on the way out (see `raw/guarded.rs`), the data
/// is consistent, and the poison is ignored.
pub(crate) struct AtomicLock<T> {
    mutex: Mutex<T>,
    /// The `thread_token` of the holder, 0 when free. Only the holder writes it while
    /// it holds the mutex, so a thread reading its own token here is the holder.
    owner: AtomicUsize,
}

impl<T> Lock<T> for AtomicLock<T> {
    fn new(value: T) -> Self {
        AtomicLock {
            mutex: Mutex::new(value),
            owner: AtomicUsize::new(0),
        }
    }

    fn with<R>(&self, f: impl FnOnce(&mut T) -> R) -> R {
        let me = Atomic::thread_token();
        // Relaxed: a thread always sees its own last write; another thread's token
        // can never equal ours.
        if self.owner.load(Ordering::Relaxed) == me {
            panic!("weakrefs: re-entrant use of a collection from inside its own operation (for example from a key's `Eq` or `Clone`)");
        }
        let guard = self
            .mutex
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        Self::run_owned(guard, &self.owner, me, f)
    }

    fn try_now<R>(&self, f: impl FnOnce(&mut T) -> R) -> Option<R> {
        // `try_lock` fails when any thread holds the mutex, this one included, so no
        // owner check is needed to avoid a self-deadlock.
        let guard = match self.mutex.try_lock() {
            Ok(guard) => guard,
            Err(std::sync::TryLockError::Poisoned(poisoned)) => poisoned.into_inner(),
            Err(std::sync::TryLockError::WouldBlock) => return None,
        };
        Some(Self::run_owned(
            guard,
            &self.owner,
            Atomic::thread_token(),
            f,
        ))
    }
}

impl<T> AtomicLock<T> {
    /// Runs `f` on the locked value with `owner` set to `me` until it returns or
    /// unwinds (the guard is released after `owner` is cleared).
    fn run_owned<G, R>(
        mut guard: G,
        owner: &AtomicUsize,
        me: usize,
        f: impl FnOnce(&mut T) -> R,
    ) -> R
    where
        G: core::ops::DerefMut<Target = T>,
    {
        struct Disown<'a>(&'a AtomicUsize);
        impl Drop for Disown<'_> {
            fn drop(&mut self) {
                self.0.store(0, Ordering::Relaxed);
            }
        }
        owner.store(me, Ordering::Relaxed);
        let _disown = Disown(owner);
        f(&mut guard)
    }
}
