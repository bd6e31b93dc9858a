//! `rc::Rc`, the single-threaded strong pointer.

use core::borrow::Borrow;
use core::cmp::Ordering;
use core::fmt;
use core::hash::{Hash, Hasher};
use core::ops::Deref;
use core::panic::{RefUnwindSafe, UnwindSafe};
use core::pin::Pin;

use crate::flavor::Local;
use crate::raw::strong::RawRc;
use crate::raw::weak::RawWeak;
use crate::rc::Weak;

/// A single-threaded reference-counting pointer whose weak references can call back
/// when the value dies. 'Rc' stands for 'Reference Counted'.
///
/// `Rc<T>` is a superset of [`std::rc::Rc<T>`] for sized `T`: the same methods with the
/// same meaning, the same size (one pointer), the same allocation size, and the same
/// cost for `clone`, `drop`, [`downgrade`](Rc::downgrade) and
/// [`upgrade`](Weak::upgrade). On top of that:
///
/// * [`Rc::downgrade_with`] makes a weak reference whose callback runs when the value
///   dies, like Python's `weakref.ref(obj, callback)`;
/// * [`finalize`](crate::rc::finalize) registers a function to run once when the value
///   dies (or at thread exit), like Python's `weakref.finalize`;
/// * [`Rc::weakref_count`] and [`Rc::weakrefs`] are Python's `getweakrefcount` and
///   `getweakrefs`.
///
/// # What happens when the last `Rc` goes
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
/// [`Rc::try_unwrap`], [`Rc::into_inner`] and [`Rc::unwrap_or_clone`] when they take
/// the value out, and [`Rc::make_mut`] when it moves the value away from its weak
/// references.
///
/// # Differences from `std::rc::Rc`
///
/// Only sized `T` is supported: `Rc<str>`, `Rc<[T]>` and `Rc<dyn Trait>` need unstable
/// features (`CoerceUnsized`) or a different layout, and so do the allocator-generic
/// methods. [`Rc::weak_count`] counts a finalizer's registration as one weak reference
/// (it is one, as in Python).
///
/// # Examples
///
/// ```
/// use std::cell::Cell;
/// use std::rc::Rc as StdRc;
/// use weakref::rc::Rc;
///
/// let log = StdRc::new(Cell::new(0));
/// let seen = log.clone();
///
/// let obj = Rc::new("expensive");
/// let weak = Rc::downgrade_with(&obj, move |dead| {
///     assert!(dead.upgrade().is_none());
///     seen.set(seen.get() + 1);
/// });
/// assert_eq!(*weak.upgrade().unwrap(), "expensive");
///
/// drop(obj); // the callback runs here
/// assert_eq!(log.get(), 1);
/// assert!(weak.upgrade().is_none());
/// ```
#[repr(transparent)]
pub struct Rc<T> {
    pub(crate) raw: RawRc<T, Local>,
}

impl<T: RefUnwindSafe> UnwindSafe for Rc<T> {}
impl<T: RefUnwindSafe> RefUnwindSafe for Rc<T> {}
impl<T> Unpin for Rc<T> {}

impl<T> Rc<T> {
    /// Views a core handle as a `Rc` (for closures that receive one).
    pub(crate) fn from_raw_ref(raw: &RawRc<T, Local>) -> &Rc<T> {
        // SAFETY: `Rc` is a `repr(transparent)` wrapper of `RawRc<T, Local>`.
        unsafe { &*(raw as *const RawRc<T, Local>).cast::<Rc<T>>() }
    }

    /// Constructs a new `Rc<T>`.
    ///
    /// ```
    /// use weakref::rc::Rc;
    /// let five = Rc::new(5);
    /// assert_eq!(*five, 5);
    /// ```
    #[inline]
    pub fn new(value: T) -> Rc<T> {
        Rc {
            raw: RawRc::new(value),
        }
    }

    /// Constructs a new `Rc<T>` while giving you a `Weak<T>` to the allocation, to let
    /// you build a `T` that holds a weak pointer to itself.
    ///
    /// The `Weak` does not upgrade until `new_cyclic` returns. If `data_fn` panics,
    /// the allocation is freed and the panic continues.
    ///
    /// ```
    /// use weakref::rc::{Rc, Weak};
    ///
    /// struct Gadget {
    ///     me: Weak<Gadget>,
    /// }
    ///
    /// let gadget = Rc::new_cyclic(|me| {
    ///     assert!(me.upgrade().is_none());
    ///     Gadget { me: me.clone() }
    /// });
    /// assert!(Rc::ptr_eq(&gadget.me.upgrade().unwrap(), &gadget));
    /// ```
    pub fn new_cyclic<F>(data_fn: F) -> Rc<T>
    where
        F: FnOnce(&Weak<T>) -> T,
    {
        Rc {
            raw: RawRc::new_cyclic(|raw| data_fn(Weak::from_raw_ref(raw))),
        }
    }

    /// Constructs a new `Pin<Rc<T>>`. `T` is not moved again while pinned.
    ///
    /// ```
    /// use weakref::rc::Rc;
    /// let pinned = Rc::pin(5);
    /// assert_eq!(*pinned, 5);
    /// ```
    pub fn pin(value: T) -> Pin<Rc<T>> {
        // SAFETY: the value never moves out of its allocation while a strong reference
        // exists; `Rc` gives no `&mut T` to a pinned value except through `Pin` rules
        // (as std's `Rc::pin`).
        unsafe { Pin::new_unchecked(Rc::new(value)) }
    }

    /// Returns the inner value if the `Rc` has exactly one strong reference;
    /// otherwise an `Err` with the same `Rc`.
    ///
    /// This succeeds even if weak references exist: they die, and their callbacks and
    /// finalizers run before this returns (the value itself is moved out, not
    /// dropped).
    ///
    /// ```
    /// use weakref::rc::Rc;
    ///
    /// let x = Rc::new(3);
    /// assert_eq!(Rc::try_unwrap(x), Ok(3));
    ///
    /// let x = Rc::new(4);
    /// let _y = Rc::clone(&x);
    /// assert_eq!(*Rc::try_unwrap(x).unwrap_err(), 4);
    /// ```
    pub fn try_unwrap(this: Rc<T>) -> Result<T, Rc<T>> {
        RawRc::try_unwrap(this.raw).map_err(|raw| Rc { raw })
    }

    /// Returns the inner value if this is the only strong reference; otherwise drops
    /// this reference and returns `None`. Weak references die and their callbacks run
    /// before it returns, as for [`Rc::try_unwrap`].
    ///
    /// ```
    /// use weakref::rc::Rc;
    ///
    /// let x = Rc::new(3);
    /// let y = Rc::clone(&x);
    /// assert_eq!(Rc::into_inner(x), None);
    /// assert_eq!(Rc::into_inner(y), Some(3));
    /// ```
    pub fn into_inner(this: Rc<T>) -> Option<T> {
        RawRc::into_inner(this.raw)
    }

    /// Consumes the `Rc`, returning the wrapped pointer. Use [`Rc::from_raw`] to turn
    /// it back into an `Rc`, or the memory leaks.
    ///
    /// ```
    /// use weakref::rc::Rc;
    /// let x = Rc::new("hello".to_owned());
    /// let ptr = Rc::into_raw(x);
    /// assert_eq!(unsafe { &*ptr }, "hello");
    /// # drop(unsafe { Rc::from_raw(ptr) });
    /// ```
    pub fn into_raw(this: Rc<T>) -> *const T {
        RawRc::into_raw(this.raw)
    }

    /// Provides a raw pointer to the data, without touching the counts.
    ///
    /// ```
    /// use weakref::rc::Rc;
    /// let x = Rc::new(7);
    /// assert_eq!(unsafe { *Rc::as_ptr(&x) }, 7);
    /// ```
    pub fn as_ptr(this: &Rc<T>) -> *const T {
        this.raw.as_ptr()
    }

    /// Rebuilds an `Rc<T>` from a pointer returned by [`Rc::into_raw`].
    ///
    /// # Safety
    ///
    /// `ptr` must come from `weakref::rc::Rc::<T>::into_raw` (the same `T`), and each
    /// such pointer may be turned back into an `Rc` only once (per strong reference it
    /// carries).
    ///
    /// ```
    /// use weakref::rc::Rc;
    /// let x = Rc::new(10);
    /// let ptr = Rc::into_raw(x);
    /// let x = unsafe { Rc::from_raw(ptr) };
    /// assert_eq!(*x, 10);
    /// ```
    pub unsafe fn from_raw(ptr: *const T) -> Rc<T> {
        Rc {
            // SAFETY: forwarded contract.
            raw: unsafe { RawRc::from_raw(ptr) },
        }
    }

    /// Increments the strong count of the `Rc<T>` behind `ptr`.
    ///
    /// # Safety
    ///
    /// `ptr` must come from [`Rc::into_raw`] and its `Rc` must still be alive.
    ///
    /// ```
    /// use weakref::rc::Rc;
    /// let five = Rc::new(5);
    /// unsafe {
    ///     let ptr = Rc::into_raw(five);
    ///     Rc::increment_strong_count(ptr);
    ///     let five = Rc::from_raw(ptr);
    ///     assert_eq!(2, Rc::strong_count(&five));
    ///     # Rc::decrement_strong_count(ptr);
    /// }
    /// ```
    pub unsafe fn increment_strong_count(ptr: *const T) {
        // SAFETY: forwarded contract; the clone is forgotten, the original kept.
        let rc = core::mem::ManuallyDrop::new(unsafe { Rc::from_raw(ptr) });
        core::mem::forget(Rc::clone(&rc));
    }

    /// Decrements the strong count of the `Rc<T>` behind `ptr`; if it was the last,
    /// the value dies (and its callbacks run) here.
    ///
    /// # Safety
    ///
    /// `ptr` must come from [`Rc::into_raw`], and the strong reference it gives up must
    /// be one the caller owns.
    ///
    /// ```
    /// use weakref::rc::Rc;
    /// let five = Rc::new(5);
    /// unsafe {
    ///     let ptr = Rc::into_raw(five);
    ///     Rc::increment_strong_count(ptr);
    ///     let five = Rc::from_raw(ptr);
    ///     Rc::decrement_strong_count(ptr);
    ///     assert_eq!(1, Rc::strong_count(&five));
    /// }
    /// ```
    pub unsafe fn decrement_strong_count(ptr: *const T) {
        // SAFETY: forwarded contract.
        drop(unsafe { Rc::from_raw(ptr) });
    }

    /// Creates a new [`Weak`] pointer to this allocation, without a callback.
    ///
    /// All such weak pointers to one object are one weak reference in Python's sense
    /// (like the shared `weakref.ref(obj)`): they share one identity.
    ///
    /// ```
    /// use weakref::rc::Rc;
    /// let five = Rc::new(5);
    /// let weak_five = Rc::downgrade(&five);
    /// assert_eq!(*weak_five.upgrade().unwrap(), 5);
    /// ```
    #[inline]
    pub fn downgrade(this: &Rc<T>) -> Weak<T> {
        Weak {
            raw: this.raw.downgrade(),
        }
    }

    /// Creates a new [`Weak`] pointer whose `callback` runs once when the value dies,
    /// with that weak pointer (already dead) as its argument: Python's
    /// `weakref.ref(obj, callback)`.
    ///
    /// * The callback runs on this thread, after `T`'s destructor, newest registration
    ///   first among the object's callbacks and finalizers (see [`Rc`]).
    /// * Clones of the returned `Weak` share its identity and its registration. If
    ///   every clone is dropped while the value is alive, the callback is dropped
    ///   without running.
    /// * Inside the callback the argument, like every other weak pointer to the
    ///   object, fails to upgrade. The callback may create and drop other `Rc`s and
    ///   weak pointers, including dropping its own `Weak`.
    /// * A panic in the callback is caught and reported; the other callbacks still run.
    ///
    /// The first callback or finalizer on an object allocates a small side table for
    /// its registrations (freed with the object); each callback costs one allocation
    /// holding the closure.
    ///
    /// ```
    /// use std::cell::RefCell;
    /// use std::rc::Rc as StdRc;
    /// use weakref::rc::Rc;
    ///
    /// let order = StdRc::new(RefCell::new(Vec::new()));
    /// let obj = Rc::new(());
    /// let (o1, o2) = (order.clone(), order.clone());
    /// let _first = Rc::downgrade_with(&obj, move |_| o1.borrow_mut().push("first"));
    /// let _second = Rc::downgrade_with(&obj, move |_| o2.borrow_mut().push("second"));
    /// drop(obj);
    /// assert_eq!(*order.borrow(), ["second", "first"]); // newest first
    /// ```
    pub fn downgrade_with<C>(this: &Rc<T>, callback: C) -> Weak<T>
    where
        C: FnOnce(&Weak<T>) + 'static,
    {
        Weak {
            raw: this
                .raw
                .downgrade_with(move |raw: &RawWeak<T, Local>| callback(Weak::from_raw_ref(raw))),
        }
    }

    /// Gets the number of weak references to this allocation: every [`Weak`] (clones
    /// included, with or without a callback) and every live finalizer registration.
    ///
    /// ```
    /// use weakref::rc::Rc;
    /// let five = Rc::new(5);
    /// let _weak_five = Rc::downgrade(&five);
    /// assert_eq!(1, Rc::weak_count(&five));
    /// ```
    #[inline]
    pub fn weak_count(this: &Rc<T>) -> usize {
        this.raw.weak_count()
    }

    /// Gets the number of strong (`Rc`) pointers to this allocation.
    ///
    /// ```
    /// use weakref::rc::Rc;
    /// let five = Rc::new(5);
    /// let _also_five = Rc::clone(&five);
    /// assert_eq!(2, Rc::strong_count(&five));
    /// ```
    #[inline]
    pub fn strong_count(this: &Rc<T>) -> usize {
        this.raw.strong_count()
    }

    /// Python's `weakref.getweakrefcount(obj)`: the number of weak reference *objects*
    /// to this value. All plain [`Weak`]s (from [`Rc::downgrade`]) together are one,
    /// like Python's shared basic reference; each weak reference with a callback
    /// (however often cloned) is one; each live finalizer is one.
    ///
    /// ```
    /// use weakref::rc::{finalize, Rc};
    /// let obj = Rc::new(());
    /// let _a = Rc::downgrade(&obj);
    /// let _b = Rc::downgrade(&obj); // the same weak reference as `_a`
    /// let _c = Rc::downgrade_with(&obj, |_| ());
    /// finalize(&obj, |()| (), ());
    /// assert_eq!(Rc::weakref_count(&obj), 3);
    /// ```
    pub fn weakref_count(this: &Rc<T>) -> usize {
        this.raw.weakref_count()
    }

    /// Python's `weakref.getweakrefs(obj)`: one `Weak` per weak reference object of
    /// this value, in Python's order: the plain one first (if any plain `Weak`
    /// exists), then those with callbacks and the finalizers' own references, newest
    /// first. Each returned `Weak` shares the identity of the reference it stands for.
    ///
    /// ```
    /// use weakref::rc::{Rc, Weak};
    /// let obj = Rc::new(());
    /// let plain = Rc::downgrade(&obj);
    /// let old = Rc::downgrade_with(&obj, |_| ());
    /// let new = Rc::downgrade_with(&obj, |_| ());
    /// let refs = Rc::weakrefs(&obj);
    /// assert_eq!(refs.len(), 3);
    /// assert!(Weak::ref_eq(&refs[0], &plain));
    /// assert!(Weak::ref_eq(&refs[1], &new));
    /// assert!(Weak::ref_eq(&refs[2], &old));
    /// ```
    pub fn weakrefs(this: &Rc<T>) -> Vec<Weak<T>> {
        this.raw
            .weakrefs()
            .into_iter()
            .map(|raw| Weak { raw })
            .collect()
    }

    /// Returns a mutable reference into the given `Rc`, if there are no other `Rc` or
    /// [`Weak`] pointers to the same allocation (a weak pointer with a callback, or a
    /// finalizer, counts as one).
    ///
    /// ```
    /// use weakref::rc::Rc;
    /// let mut x = Rc::new(3);
    /// *Rc::get_mut(&mut x).unwrap() = 4;
    /// assert_eq!(*x, 4);
    ///
    /// let _y = Rc::clone(&x);
    /// assert!(Rc::get_mut(&mut x).is_none());
    /// ```
    pub fn get_mut(this: &mut Rc<T>) -> Option<&mut T> {
        this.raw.get_mut()
    }

    /// Returns `true` if the two `Rc`s point to the same allocation.
    ///
    /// ```
    /// use weakref::rc::Rc;
    /// let five = Rc::new(5);
    /// let same_five = Rc::clone(&five);
    /// let other_five = Rc::new(5);
    /// assert!(Rc::ptr_eq(&five, &same_five));
    /// assert!(!Rc::ptr_eq(&five, &other_five));
    /// ```
    #[inline]
    pub fn ptr_eq(this: &Rc<T>, other: &Rc<T>) -> bool {
        this.raw.ptr_eq(&other.raw)
    }
}

impl<T: Clone> Rc<T> {
    /// Makes a mutable reference into the given `Rc`, cloning on write.
    ///
    /// If there are other `Rc` pointers to the same allocation, the value is cloned
    /// into a new allocation (the old object lives on with the others). If this is
    /// the only `Rc` but [`Weak`] pointers exist, the value is *moved* into a new
    /// allocation and the old object's life ends: its weak pointers die and their
    /// callbacks and finalizers run before `make_mut` returns.
    ///
    /// ```
    /// use std::cell::Cell;
    /// use std::rc::Rc as StdRc;
    /// use weakref::rc::Rc;
    ///
    /// let fired = StdRc::new(Cell::new(false));
    /// let flag = fired.clone();
    /// let mut data = Rc::new(75);
    /// let weak = Rc::downgrade_with(&data, move |_| flag.set(true));
    ///
    /// *Rc::make_mut(&mut data) += 1; // moves the value away from `weak`
    /// assert_eq!(*data, 76);
    /// assert!(weak.upgrade().is_none());
    /// assert!(fired.get());
    /// ```
    pub fn make_mut(this: &mut Rc<T>) -> &mut T {
        RawRc::make_mut(&mut this.raw)
    }

    /// If this is the only `Rc`, returns the inner value (as [`Rc::try_unwrap`], so its
    /// weak references' callbacks run); otherwise returns a clone of it.
    ///
    /// ```
    /// use weakref::rc::Rc;
    /// let inner = String::from("test");
    /// let rc = Rc::new(inner);
    /// let rc2 = rc.clone();
    /// assert_eq!(Rc::unwrap_or_clone(rc), "test"); // cloned
    /// assert_eq!(Rc::unwrap_or_clone(rc2), "test"); // moved out
    /// ```
    pub fn unwrap_or_clone(this: Rc<T>) -> T {
        Rc::try_unwrap(this).unwrap_or_else(|rc| (*rc).clone())
    }
}

impl<T> Clone for Rc<T> {
    /// Makes another pointer to the same allocation, incrementing the strong count.
    #[inline]
    fn clone(&self) -> Rc<T> {
        Rc {
            raw: self.raw.clone(),
        }
    }
}

impl<T> Deref for Rc<T> {
    type Target = T;
    #[inline]
    fn deref(&self) -> &T {
        self.raw.value()
    }
}

impl<T> AsRef<T> for Rc<T> {
    fn as_ref(&self) -> &T {
        self
    }
}

impl<T> Borrow<T> for Rc<T> {
    fn borrow(&self) -> &T {
        self
    }
}

impl<T: Default> Default for Rc<T> {
    /// An `Rc<T>` holding `T::default()`.
    fn default() -> Rc<T> {
        Rc::new(T::default())
    }
}

impl<T> From<T> for Rc<T> {
    /// Moves `value` into a new `Rc`.
    fn from(value: T) -> Rc<T> {
        Rc::new(value)
    }
}

impl<T: PartialEq> PartialEq for Rc<T> {
    /// Equality of the values (two `Rc`s to one allocation are equal if the value is
    /// equal to itself).
    #[inline]
    fn eq(&self, other: &Rc<T>) -> bool {
        **self == **other
    }
}

impl<T: Eq> Eq for Rc<T> {}

impl<T: PartialOrd> PartialOrd for Rc<T> {
    /// Ordering of the values.
    fn partial_cmp(&self, other: &Rc<T>) -> Option<Ordering> {
        (**self).partial_cmp(&**other)
    }
}

impl<T: Ord> Ord for Rc<T> {
    /// Ordering of the values.
    fn cmp(&self, other: &Rc<T>) -> Ordering {
        (**self).cmp(&**other)
    }
}

impl<T: Hash> Hash for Rc<T> {
    /// Hashes the value.
    fn hash<H: Hasher>(&self, state: &mut H) {
        (**self).hash(state)
    }
}

impl<T: fmt::Display> fmt::Display for Rc<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&**self, f)
    }
}

impl<T: fmt::Debug> fmt::Debug for Rc<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&**self, f)
    }
}

impl<T> fmt::Pointer for Rc<T> {
    /// The value's address, as [`Rc::as_ptr`].
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Pointer::fmt(&Rc::as_ptr(self), f)
    }
}
