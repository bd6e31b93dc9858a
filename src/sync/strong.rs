//! `sync::Arc`, the thread-safe strong pointer.

use core::borrow::Borrow;
use core::cmp::Ordering;
use core::fmt;
use core::hash::{Hash, Hasher};
use core::ops::Deref;
use core::panic::{RefUnwindSafe, UnwindSafe};
use core::pin::Pin;

use crate::flavor::Atomic;
use crate::raw::strong::RawRc;
use crate::raw::weak::RawWeak;
use crate::sync::Weak;

/// A thread-safe reference-counting pointer whose weak references can call back when
/// the value dies. 'Arc' stands for 'Atomically Reference Counted'.
///
/// `Arc<T>` is a superset of [`std::sync::Arc<T>`] for sized `T`: the same methods with the
/// same meaning, the same size (one pointer), the same allocation size, and the same
/// cost for `clone`, `drop`, [`downgrade`](Arc::downgrade) and
/// [`upgrade`](Weak::upgrade). On top of that:
///
/// * [`Arc::downgrade_with`] makes a weak reference whose callback runs when the value
///   dies, like Python's `weakref.ref(obj, callback)`;
/// * [`finalize`](crate::sync::finalize) registers a function to run once when the value
///   dies (or at thread exit), like Python's `weakref.finalize`;
/// * [`Arc::weakref_count`] and [`Arc::weakrefs`] are Python's `getweakrefcount` and
///   `getweakrefs`.
///
/// # What happens when the last `Arc` goes
///
/// In this order, on the thread that drops it:
///
/// 1. The strong count becomes zero: from now on every [`Weak`] to the value fails to
///    upgrade.
/// 2. `T`'s destructor runs (Python's `__del__`).
/// 3. The callbacks of the value's weak references and its finalizers run, newest
///    registration first, each exactly once. A callback receives the very `Weak`
///    that `downgrade_with` returned (same identity, same `Debug` address), already
///    dead. A panic in one is caught and reported (see
///    [`set_panic_handler`](crate::set_panic_handler)), and the others still run.
/// 4. The allocation is freed once no `Weak` remains.
///
/// An object that never had a callback or finalizer skips step 3 at the cost of one
/// branch. If `T`'s destructor panics, steps 3 and 4 still happen, then the panic
/// continues.
///
/// The other ways a value's life ends run step 3 as well, before they return:
/// [`Arc::try_unwrap`], [`Arc::into_inner`] and [`Arc::unwrap_or_clone`] when they take
/// the value out, and [`Arc::make_mut`] when it moves the value away from its weak
/// references.
///
/// # Threads
///
/// `Arc<T>` is `Send` and `Sync` when `T` is `Send + Sync`. Callbacks and finalizer
/// functions must be `Send`; they run on the thread that drops the last strong
/// reference (or, for finalizers, calls them or exits the process). What races do:
///
/// * `clone`, `drop` of a non-last reference and `upgrade` take no lock, and neither
///   does the last drop of an object that never had a callback or finalizer.
/// * [`Weak::upgrade`] racing the last drop never revives the value: it returns `None`
///   once the strong count has reached zero.
/// * A [`Weak`] with a callback dropped (all its clones) while another thread runs the
///   referent's death either cancels the callback or sees it run, never both, never
///   neither.
/// * [`Arc::downgrade_with`] and [`finalize`](crate::sync::finalize) cannot race the
///   last drop: they take an `&Arc`, so the object is alive while they register, and
///   the registration is complete before that `Arc` can be dropped.
/// * [`Arc::into_inner`] on several threads at once gives the value to exactly one.
///
/// # Differences from `std::sync::Arc`
///
/// Only sized `T` is supported: `Arc<str>`, `Arc<[T]>` and `Arc<dyn Trait>` need unstable
/// features (`CoerceUnsized`) or a different layout, and so do the allocator-generic
/// methods. [`Arc::weak_count`] counts a finalizer's registration as one weak reference
/// (it is one, as in Python).
///
/// # Examples
///
/// ```
/// use std::sync::atomic::{AtomicUsize, Ordering};
/// use weakref::sync::Arc;
///
/// static CALLS: AtomicUsize = AtomicUsize::new(0);
///
/// let obj = Arc::new("expensive");
/// let weak = Arc::downgrade_with(&obj, |dead| {
///     assert!(dead.upgrade().is_none());
///     CALLS.fetch_add(1, Ordering::SeqCst);
/// });
/// assert_eq!(*weak.upgrade().unwrap(), "expensive");
///
/// // The last `Arc` goes on another thread: the callback runs there.
/// std::thread::spawn(move || drop(obj)).join().unwrap();
/// assert_eq!(CALLS.load(Ordering::SeqCst), 1);
/// assert!(weak.upgrade().is_none());
/// ```
#[repr(transparent)]
pub struct Arc<T> {
    pub(crate) raw: RawRc<T, Atomic>,
}

// SAFETY: as std's `Arc`: the value is shared between threads (`T: Sync`) and may
// be dropped on any of them (`T: Send`); the counts and the registry are atomic or
// behind a mutex, and callbacks and finalizers are required to be `Send`.
unsafe impl<T: Send + Sync> Send for Arc<T> {}
// SAFETY: as above.
unsafe impl<T: Send + Sync> Sync for Arc<T> {}
impl<T: RefUnwindSafe> UnwindSafe for Arc<T> {}
impl<T: RefUnwindSafe> RefUnwindSafe for Arc<T> {}
impl<T> Unpin for Arc<T> {}

impl<T> Arc<T> {
    /// Views a core handle as a `Arc` (for closures that receive one).
    pub(crate) fn from_raw_ref(raw: &RawRc<T, Atomic>) -> &Arc<T> {
        // SAFETY: `Arc` is a `repr(transparent)` wrapper of `RawRc<T, Atomic>`.
        unsafe { &*(raw as *const RawRc<T, Atomic>).cast::<Arc<T>>() }
    }

    /// Constructs a new `Arc<T>`.
    ///
    /// ```
    /// use weakref::sync::Arc;
    /// let five = Arc::new(5);
    /// assert_eq!(*five, 5);
    /// ```
    #[inline]
    pub fn new(value: T) -> Arc<T> {
        Arc {
            raw: RawRc::new(value),
        }
    }

    /// Constructs a new `Arc<T>` while giving you a `Weak<T>` to the allocation, to let
    /// you build a `T` that holds a weak pointer to itself.
    ///
    /// The `Weak` does not upgrade until `new_cyclic` returns. If `data_fn` panics,
    /// the allocation is freed and the panic continues.
    ///
    /// ```
    /// use weakref::sync::{Arc, Weak};
    ///
    /// struct Gadget {
    ///     me: Weak<Gadget>,
    /// }
    ///
    /// let gadget = Arc::new_cyclic(|me| {
    ///     assert!(me.upgrade().is_none());
    ///     Gadget { me: me.clone() }
    /// });
    /// assert!(Arc::ptr_eq(&gadget.me.upgrade().unwrap(), &gadget));
    /// ```
    pub fn new_cyclic<F>(data_fn: F) -> Arc<T>
    where
        F: FnOnce(&Weak<T>) -> T,
    {
        Arc {
            raw: RawRc::new_cyclic(|raw| data_fn(Weak::from_raw_ref(raw))),
        }
    }

    /// Constructs a new `Pin<Arc<T>>`. `T` is not moved again while pinned.
    ///
    /// ```
    /// use weakref::sync::Arc;
    /// let pinned = Arc::pin(5);
    /// assert_eq!(*pinned, 5);
    /// ```
    pub fn pin(value: T) -> Pin<Arc<T>> {
        // SAFETY: the value never moves out of its allocation while a strong reference
        // exists; `Arc` gives no `&mut T` to a pinned value except through `Pin` rules
        // (as std's `Arc::pin`).
        unsafe { Pin::new_unchecked(Arc::new(value)) }
    }

    /// Returns the inner value if the `Arc` has exactly one strong reference;
    /// otherwise an `Err` with the same `Arc`.
    ///
    /// This succeeds even if weak references exist: they die, and their callbacks and
    /// finalizers run before this returns (the value itself is moved out, not
    /// dropped).
    ///
    /// ```
    /// use weakref::sync::Arc;
    ///
    /// let x = Arc::new(3);
    /// assert_eq!(Arc::try_unwrap(x), Ok(3));
    ///
    /// let x = Arc::new(4);
    /// let _y = Arc::clone(&x);
    /// assert_eq!(*Arc::try_unwrap(x).unwrap_err(), 4);
    /// ```
    pub fn try_unwrap(this: Arc<T>) -> Result<T, Arc<T>> {
        RawRc::try_unwrap(this.raw).map_err(|raw| Arc { raw })
    }

    /// Returns the inner value if this is the only strong reference; otherwise drops
    /// this reference and returns `None`. Weak references die and their callbacks run
    /// before it returns, as for [`Arc::try_unwrap`].
    ///
    /// ```
    /// use weakref::sync::Arc;
    ///
    /// let x = Arc::new(3);
    /// let y = Arc::clone(&x);
    /// assert_eq!(Arc::into_inner(x), None);
    /// assert_eq!(Arc::into_inner(y), Some(3));
    /// ```
    pub fn into_inner(this: Arc<T>) -> Option<T> {
        RawRc::into_inner(this.raw)
    }

    /// Consumes the `Arc`, returning the wrapped pointer. Use [`Arc::from_raw`] to turn
    /// it back into an `Arc`, or the memory leaks.
    ///
    /// ```
    /// use weakref::sync::Arc;
    /// let x = Arc::new("hello".to_owned());
    /// let ptr = Arc::into_raw(x);
    /// assert_eq!(unsafe { &*ptr }, "hello");
    /// # drop(unsafe { Arc::from_raw(ptr) });
    /// ```
    pub fn into_raw(this: Arc<T>) -> *const T {
        RawRc::into_raw(this.raw)
    }

    /// Provides a raw pointer to the data, without touching the counts.
    ///
    /// ```
    /// use weakref::sync::Arc;
    /// let x = Arc::new(7);
    /// assert_eq!(unsafe { *Arc::as_ptr(&x) }, 7);
    /// ```
    pub fn as_ptr(this: &Arc<T>) -> *const T {
        this.raw.as_ptr()
    }

    /// Rebuilds an `Arc<T>` from a pointer returned by [`Arc::into_raw`].
    ///
    /// # Safety
    ///
    /// `ptr` must come from `weakref::sync::Arc::<T>::into_raw` (the same `T`), and each
    /// such pointer may be turned back into an `Arc` only once (per strong reference it
    /// carries).
    ///
    /// ```
    /// use weakref::sync::Arc;
    /// let x = Arc::new(10);
    /// let ptr = Arc::into_raw(x);
    /// let x = unsafe { Arc::from_raw(ptr) };
    /// assert_eq!(*x, 10);
    /// ```
    pub unsafe fn from_raw(ptr: *const T) -> Arc<T> {
        Arc {
            // SAFETY: forwarded contract.
            raw: unsafe { RawRc::from_raw(ptr) },
        }
    }

    /// Increments the strong count of the `Arc<T>` behind `ptr`.
    ///
    /// # Safety
    ///
    /// `ptr` must come from [`Arc::into_raw`] and its `Arc` must still be alive.
    ///
    /// ```
    /// use weakref::sync::Arc;
    /// let five = Arc::new(5);
    /// unsafe {
    ///     let ptr = Arc::into_raw(five);
    ///     Arc::increment_strong_count(ptr);
    ///     let five = Arc::from_raw(ptr);
    ///     assert_eq!(2, Arc::strong_count(&five));
    ///     # Arc::decrement_strong_count(ptr);
    /// }
    /// ```
    pub unsafe fn increment_strong_count(ptr: *const T) {
        // SAFETY: forwarded contract; the clone is forgotten, the original kept.
        let rc = core::mem::ManuallyDrop::new(unsafe { Arc::from_raw(ptr) });
        core::mem::forget(Arc::clone(&rc));
    }

    /// Decrements the strong count of the `Arc<T>` behind `ptr`; if it was the last,
    /// the value dies (and its callbacks run) here.
    ///
    /// # Safety
    ///
    /// `ptr` must come from [`Arc::into_raw`], and the strong reference it gives up must
    /// be one the caller owns.
    ///
    /// ```
    /// use weakref::sync::Arc;
    /// let five = Arc::new(5);
    /// unsafe {
    ///     let ptr = Arc::into_raw(five);
    ///     Arc::increment_strong_count(ptr);
    ///     let five = Arc::from_raw(ptr);
    ///     Arc::decrement_strong_count(ptr);
    ///     assert_eq!(1, Arc::strong_count(&five));
    /// }
    /// ```
    pub unsafe fn decrement_strong_count(ptr: *const T) {
        // SAFETY: forwarded contract.
        drop(unsafe { Arc::from_raw(ptr) });
    }

    /// Creates a new [`Weak`] pointer to this allocation, without a callback.
    ///
    /// All such weak pointers to one object are one weak reference in Python's sense
    /// (like the shared `weakref.ref(obj)`): they share one identity.
    ///
    /// ```
    /// use weakref::sync::Arc;
    /// let five = Arc::new(5);
    /// let weak_five = Arc::downgrade(&five);
    /// assert_eq!(*weak_five.upgrade().unwrap(), 5);
    /// ```
    #[inline]
    pub fn downgrade(this: &Arc<T>) -> Weak<T> {
        Weak {
            raw: this.raw.downgrade(),
        }
    }

    /// Creates a new [`Weak`] pointer whose `callback` runs once when the value dies,
    /// with that weak pointer (already dead) as its argument: Python's
    /// `weakref.ref(obj, callback)`.
    ///
    /// * The callback runs on the thread that drops the last `Arc` (hence `Send`),
    ///   after `T`'s destructor, newest registration
    ///   first among the object's callbacks and finalizers (see [`Arc`]).
    /// * Clones of the returned `Weak` share its identity and its registration. If
    ///   every clone is dropped while the value is alive, the callback is dropped
    ///   without running.
    /// * Inside the callback the argument, like every other weak pointer to the
    ///   object, fails to upgrade. The callback may create and drop other `Arc`s and
    ///   weak pointers, including dropping its own `Weak`.
    /// * A panic in the callback is caught and reported; the other callbacks still run.
    ///
    /// The first callback or finalizer on an object allocates a small side table for
    /// its registrations (freed with the object); each callback costs one allocation
    /// holding the closure.
    ///
    /// ```
    /// use std::sync::Mutex;
    /// use weakref::sync::Arc;
    ///
    /// let order = std::sync::Arc::new(Mutex::new(Vec::new()));
    /// let obj = Arc::new(());
    /// let (o1, o2) = (order.clone(), order.clone());
    /// let _first = Arc::downgrade_with(&obj, move |_| o1.lock().unwrap().push("first"));
    /// let _second = Arc::downgrade_with(&obj, move |_| o2.lock().unwrap().push("second"));
    /// drop(obj);
    /// assert_eq!(*order.lock().unwrap(), ["second", "first"]); // newest first
    /// ```
    pub fn downgrade_with<C>(this: &Arc<T>, callback: C) -> Weak<T>
    where
        C: FnOnce(&Weak<T>) + Send + 'static,
    {
        Weak {
            raw: this
                .raw
                .downgrade_with(move |raw: &RawWeak<T, Atomic>| callback(Weak::from_raw_ref(raw))),
        }
    }

    /// Gets the number of weak references to this allocation: every [`Weak`] (clones
    /// included, with or without a callback) and every live finalizer registration.
    ///
    /// ```
    /// use weakref::sync::Arc;
    /// let five = Arc::new(5);
    /// let _weak_five = Arc::downgrade(&five);
    /// assert_eq!(1, Arc::weak_count(&five));
    /// ```
    #[inline]
    pub fn weak_count(this: &Arc<T>) -> usize {
        this.raw.weak_count()
    }

    /// Gets the number of strong (`Arc`) pointers to this allocation.
    ///
    /// ```
    /// use weakref::sync::Arc;
    /// let five = Arc::new(5);
    /// let _also_five = Arc::clone(&five);
    /// assert_eq!(2, Arc::strong_count(&five));
    /// ```
    #[inline]
    pub fn strong_count(this: &Arc<T>) -> usize {
        this.raw.strong_count()
    }

    /// With other threads at work the figure is a snapshot.
    ///
    /// Python's `weakref.getweakrefcount(obj)`: the number of weak reference *objects*
    /// to this value. All plain [`Weak`]s (from [`Arc::downgrade`]) together are one,
    /// like Python's shared basic reference; each weak reference with a callback
    /// (however often cloned) is one; each live finalizer is one.
    ///
    /// ```
    /// use weakref::sync::{finalize, Arc};
    /// let obj = Arc::new(());
    /// let _a = Arc::downgrade(&obj);
    /// let _b = Arc::downgrade(&obj); // the same weak reference as `_a`
    /// let _c = Arc::downgrade_with(&obj, |_| ());
    /// finalize(&obj, |()| (), ());
    /// assert_eq!(Arc::weakref_count(&obj), 3);
    /// ```
    pub fn weakref_count(this: &Arc<T>) -> usize {
        this.raw.weakref_count()
    }

    /// Python's `weakref.getweakrefs(obj)`: one `Weak` per weak reference object of
    /// this value, in Python's order: the plain one first (if any plain `Weak`
    /// exists), then those with callbacks and the finalizers' own references, newest
    /// first. Each returned `Weak` shares the identity of the reference it stands for.
    ///
    /// ```
    /// use weakref::sync::{Arc, Weak};
    /// let obj = Arc::new(());
    /// let plain = Arc::downgrade(&obj);
    /// let old = Arc::downgrade_with(&obj, |_| ());
    /// let new = Arc::downgrade_with(&obj, |_| ());
    /// let refs = Arc::weakrefs(&obj);
    /// assert_eq!(refs.len(), 3);
    /// assert!(Weak::ref_eq(&refs[0], &plain));
    /// assert!(Weak::ref_eq(&refs[1], &new));
    /// assert!(Weak::ref_eq(&refs[2], &old));
    /// ```
    pub fn weakrefs(this: &Arc<T>) -> Vec<Weak<T>> {
        this.raw
            .weakrefs()
            .into_iter()
            .map(|raw| Weak { raw })
            .collect()
    }

    /// Returns a mutable reference into the given `Arc`, if there are no other `Arc` or
    /// [`Weak`] pointers to the same allocation (a weak pointer with a callback, or a
    /// finalizer, counts as one).
    ///
    /// ```
    /// use weakref::sync::Arc;
    /// let mut x = Arc::new(3);
    /// *Arc::get_mut(&mut x).unwrap() = 4;
    /// assert_eq!(*x, 4);
    ///
    /// let _y = Arc::clone(&x);
    /// assert!(Arc::get_mut(&mut x).is_none());
    /// ```
    pub fn get_mut(this: &mut Arc<T>) -> Option<&mut T> {
        this.raw.get_mut()
    }

    /// Returns `true` if the two `Arc`s point to the same allocation.
    ///
    /// ```
    /// use weakref::sync::Arc;
    /// let five = Arc::new(5);
    /// let same_five = Arc::clone(&five);
    /// let other_five = Arc::new(5);
    /// assert!(Arc::ptr_eq(&five, &same_five));
    /// assert!(!Arc::ptr_eq(&five, &other_five));
    /// ```
    #[inline]
    pub fn ptr_eq(this: &Arc<T>, other: &Arc<T>) -> bool {
        this.raw.ptr_eq(&other.raw)
    }
}

impl<T: Clone> Arc<T> {
    /// Makes a mutable reference into the given `Arc`, cloning on write.
    ///
    /// If there are other `Arc` pointers to the same allocation, the value is cloned
    /// into a new allocation (the old object lives on with the others). If this is
    /// the only `Arc` but [`Weak`] pointers exist, the value is *moved* into a new
    /// allocation and the old object's life ends: its weak pointers die and their
    /// callbacks and finalizers run before `make_mut` returns.
    ///
    /// ```
    /// use std::sync::atomic::{AtomicBool, Ordering};
    /// use weakref::sync::Arc;
    ///
    /// static FIRED: AtomicBool = AtomicBool::new(false);
    /// let mut data = Arc::new(75);
    /// let weak = Arc::downgrade_with(&data, |_| FIRED.store(true, Ordering::SeqCst));
    ///
    /// *Arc::make_mut(&mut data) += 1; // moves the value away from `weak`
    /// assert_eq!(*data, 76);
    /// assert!(weak.upgrade().is_none());
    /// assert!(FIRED.load(Ordering::SeqCst));
    /// ```
    pub fn make_mut(this: &mut Arc<T>) -> &mut T {
        RawRc::make_mut(&mut this.raw)
    }

    /// If this is the only `Arc`, returns the inner value (as [`Arc::try_unwrap`], so its
    /// weak references' callbacks run); otherwise returns a clone of it.
    ///
    /// ```
    /// use weakref::sync::Arc;
    /// let inner = String::from("test");
    /// let rc = Arc::new(inner);
    /// let rc2 = rc.clone();
    /// assert_eq!(Arc::unwrap_or_clone(rc), "test"); // cloned
    /// assert_eq!(Arc::unwrap_or_clone(rc2), "test"); // moved out
    /// ```
    pub fn unwrap_or_clone(this: Arc<T>) -> T {
        Arc::try_unwrap(this).unwrap_or_else(|rc| (*rc).clone())
    }
}

impl<T> Clone for Arc<T> {
    /// Makes another pointer to the same allocation, incrementing the strong count.
    #[inline]
    fn clone(&self) -> Arc<T> {
        Arc {
            raw: self.raw.clone(),
        }
    }
}

impl<T> Deref for Arc<T> {
    type Target = T;
    #[inline]
    fn deref(&self) -> &T {
        self.raw.value()
    }
}

impl<T> AsRef<T> for Arc<T> {
    fn as_ref(&self) -> &T {
        self
    }
}

impl<T> Borrow<T> for Arc<T> {
    fn borrow(&self) -> &T {
        self
    }
}

impl<T: Default> Default for Arc<T> {
    /// An `Arc<T>` holding `T::default()`.
    fn default() -> Arc<T> {
        Arc::new(T::default())
    }
}

impl<T> From<T> for Arc<T> {
    /// Moves `value` into a new `Arc`.
    fn from(value: T) -> Arc<T> {
        Arc::new(value)
    }
}

impl<T: PartialEq> PartialEq for Arc<T> {
    /// Equality of the values (two `Arc`s to one allocation are equal if the value is
    /// equal to itself).
    #[inline]
    fn eq(&self, other: &Arc<T>) -> bool {
        **self == **other
    }
}

impl<T: Eq> Eq for Arc<T> {}

impl<T: PartialOrd> PartialOrd for Arc<T> {
    /// Ordering of the values.
    fn partial_cmp(&self, other: &Arc<T>) -> Option<Ordering> {
        (**self).partial_cmp(&**other)
    }
}

impl<T: Ord> Ord for Arc<T> {
    /// Ordering of the values.
    fn cmp(&self, other: &Arc<T>) -> Ordering {
        (**self).cmp(&**other)
    }
}

impl<T: Hash> Hash for Arc<T> {
    /// Hashes the value.
    fn hash<H: Hasher>(&self, state: &mut H) {
        (**self).hash(state)
    }
}

impl<T: fmt::Display> fmt::Display for Arc<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&**self, f)
    }
}

impl<T: fmt::Debug> fmt::Debug for Arc<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&**self, f)
    }
}

impl<T> fmt::Pointer for Arc<T> {
    /// The value's address, as [`Arc::as_ptr`].
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Pointer::fmt(&Arc::as_ptr(self), f)
    }
}
