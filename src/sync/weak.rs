//! `sync::Weak`, the thread-safe weak pointer.

use core::fmt;
use core::panic::{RefUnwindSafe, UnwindSafe};

use crate::flavor::Atomic;
use crate::raw::weak::RawWeak;
use crate::sync::Arc;

/// A weak pointer to an [`Arc`]'s value, which may carry a death callback.
///
/// `Weak<T>` is a superset of [`std::sync::Weak<T>`] for sized `T`, one pointer in size.
/// It does not keep the value alive; [`upgrade`](Weak::upgrade) gives an `Arc` while
/// the value lives and `None` for ever after (Python's `r()` returning `None`).
///
/// A `Weak` made by [`Arc::downgrade_with`] also carries a callback, run once when
/// the value dies, with this very `Weak` as its argument; all its clones share one
/// identity and one registration. Plain `Weak`s (from [`Arc::downgrade`]) to one object
/// are, as in Python, all one shared weak reference.
///
/// # `Debug`
///
/// Python's `repr` of a weak reference: `<weakref at 0x…; to 'Type' at 0x…>` while the
/// value lives and `<weakref at 0x…; dead>` after. The first address is this weak
/// reference's identity (the same for all its clones, and for its whole life); the
/// second is the value's address ([`Arc::as_ptr`]). `Type` is the last path segment of
/// the type's name.
///
/// ```
/// use weakref::sync::Arc;
///
/// struct ExpensiveObject;
/// let obj = Arc::new(ExpensiveObject);
/// let r = Arc::downgrade(&obj);
/// let shown = format!("{r:?}");
/// assert!(shown.starts_with("<weakref at 0x"));
/// assert!(shown.ends_with(&format!("; to 'ExpensiveObject' at {:p}>", Arc::as_ptr(&obj))));
/// drop(obj);
/// assert!(format!("{r:?}").ends_with("; dead>"));
/// ```
///
/// # Equality and hashing
///
/// `Weak<T: PartialEq>` compares as Python's weak references do: while both values
/// are alive, by the values; otherwise by identity ([`Weak::ref_eq`]). `Weak` has no
/// ordering (Python raises `TypeError`) and no `Hash`: Python caches the referent's
/// hash in the reference, which Rust's hasher-generic `Hash` cannot do; hash
/// `upgrade()`'s result, or use [`Weak::as_ptr`] as an identity key.
///
/// ```compile_fail
/// use weakref::sync::Arc;
/// let (a, b) = (Arc::new(1), Arc::new(2));
/// let _ = Arc::downgrade(&a) < Arc::downgrade(&b); // weak references are not ordered
/// ```
#[repr(transparent)]
pub struct Weak<T> {
    pub(crate) raw: RawWeak<T, Atomic>,
}

// SAFETY: as std's `sync::Weak`: a `Weak` can upgrade to an `Arc` on any thread.
unsafe impl<T: Send + Sync> Send for Weak<T> {}
// SAFETY: as above.
unsafe impl<T: Send + Sync> Sync for Weak<T> {}
impl<T: RefUnwindSafe> UnwindSafe for Weak<T> {}
impl<T: RefUnwindSafe> RefUnwindSafe for Weak<T> {}

impl<T> Weak<T> {
    /// Views the core handle as a `Weak`, for callbacks.
    pub(crate) fn from_raw_ref(raw: &RawWeak<T, Atomic>) -> &Weak<T> {
        // SAFETY: `Weak` is a `repr(transparent)` wrapper of `RawWeak<T, Atomic>`.
        unsafe { &*(raw as *const RawWeak<T, Atomic>).cast::<Weak<T>>() }
    }

    /// Constructs a new `Weak<T>` that points to nothing. It allocates nothing and
    /// never upgrades.
    ///
    /// ```
    /// use weakref::sync::Weak;
    /// let empty: Weak<i64> = Weak::new();
    /// assert!(empty.upgrade().is_none());
    /// ```
    pub const fn new() -> Weak<T> {
        Weak {
            raw: RawWeak::new(),
        }
    }

    /// Attempts to upgrade the `Weak` pointer to an [`Arc`], delaying dropping of the
    /// value if successful. Returns `None` once the value has died, and from the start
    /// of its death: inside `T`'s destructor and inside every callback.
    ///
    /// ```
    /// use weakref::sync::Arc;
    /// let five = Arc::new(5);
    /// let weak_five = Arc::downgrade(&five);
    /// assert!(weak_five.upgrade().is_some());
    /// drop(five);
    /// assert!(weak_five.upgrade().is_none());
    /// ```
    #[inline]
    pub fn upgrade(&self) -> Option<Arc<T>> {
        self.raw.upgrade().map(|raw| Arc { raw })
    }

    /// Gets the number of strong (`Arc`) pointers to the value; 0 if it is dead or this
    /// `Weak` was made by [`Weak::new`].
    ///
    /// ```
    /// use weakref::sync::Arc;
    /// let five = Arc::new(5);
    /// let weak = Arc::downgrade(&five);
    /// assert_eq!(weak.strong_count(), 1);
    /// ```
    pub fn strong_count(&self) -> usize {
        self.raw.strong_count()
    }

    /// Gets the number of weak pointers to the value, counted as [`Arc::weak_count`]
    /// counts them; 0 if it is dead (std's rule) or this `Weak` is dangling.
    ///
    /// ```
    /// use weakref::sync::Arc;
    /// let five = Arc::new(5);
    /// let weak = Arc::downgrade(&five);
    /// let _also = weak.clone();
    /// assert_eq!(weak.weak_count(), 2);
    /// drop(five);
    /// assert_eq!(weak.weak_count(), 0);
    /// ```
    pub fn weak_count(&self) -> usize {
        self.raw.weak_count()
    }

    /// Returns `true` if the two `Weak`s point to the same allocation (as std's
    /// `ptr_eq`), or are both dangling. Two weak pointers to one object are
    /// `ptr_eq` even if they are different weak references; see [`Weak::ref_eq`].
    ///
    /// ```
    /// use weakref::sync::{Arc, Weak};
    /// let obj = Arc::new(());
    /// let plain = Arc::downgrade(&obj);
    /// let with_callback = Arc::downgrade_with(&obj, |_| ());
    /// assert!(Weak::ptr_eq(&plain, &with_callback));
    /// assert!(!Weak::ref_eq(&plain, &with_callback));
    /// ```
    pub fn ptr_eq(&self, other: &Weak<T>) -> bool {
        self.raw.ptr_eq(&other.raw)
    }

    /// Returns `true` if the two `Weak`s are the same weak reference: Python's `is`.
    /// Clones share their original's identity, and all plain `Weak`s to one object are
    /// one reference; each [`Arc::downgrade_with`] makes a new one.
    ///
    /// ```
    /// use weakref::sync::{Arc, Weak};
    /// let obj = Arc::new(());
    /// let a = Arc::downgrade_with(&obj, |_| ());
    /// assert!(Weak::ref_eq(&a, &a.clone()));
    /// assert!(Weak::ref_eq(&Arc::downgrade(&obj), &Arc::downgrade(&obj)));
    /// ```
    pub fn ref_eq(&self, other: &Weak<T>) -> bool {
        self.raw.ref_eq(&other.raw)
    }

    /// Returns a raw pointer to the value (valid to dereference only while a strong
    /// reference exists); for a dangling `Weak`, a dangling pointer.
    ///
    /// ```
    /// use weakref::sync::Arc;
    /// let strong = Arc::new("hello".to_owned());
    /// let weak = Arc::downgrade(&strong);
    /// assert!(std::ptr::eq(&*strong, weak.as_ptr()));
    /// ```
    pub fn as_ptr(&self) -> *const T {
        self.raw.as_ptr()
    }

    /// Consumes the `Weak<T>` and turns it into a raw pointer, keeping one weak
    /// reference; [`Weak::from_raw`] turns it back.
    ///
    /// The raw form always stands for a *plain* weak pointer: for a `Weak` with a
    /// callback, a plain weak reference is taken and this handle dropped, so the
    /// callback stays registered only if other clones of this `Weak` remain.
    ///
    /// ```
    /// use weakref::sync::{Arc, Weak};
    /// let strong = Arc::new(7);
    /// let raw = Arc::downgrade(&strong).into_raw();
    /// let weak = unsafe { Weak::from_raw(raw) };
    /// assert_eq!(*weak.upgrade().unwrap(), 7);
    /// ```
    pub fn into_raw(self) -> *const T {
        self.raw.into_raw()
    }

    /// Converts a raw pointer from [`Weak::into_raw`] back into a `Weak<T>`.
    ///
    /// # Safety
    ///
    /// `ptr` must come from `weakref::sync::Weak::<T>::into_raw` (the same `T`) and be
    /// converted back only once.
    pub unsafe fn from_raw(ptr: *const T) -> Weak<T> {
        Weak {
            // SAFETY: forwarded contract.
            raw: unsafe { RawWeak::from_raw(ptr) },
        }
    }

    /// Whether this weak reference still has a callback: Python's
    /// `r.__callback__ is not None`. True for a `Weak` from [`Arc::downgrade_with`]
    /// (or standing for a finalizer, from [`Arc::weakrefs`]) until the value dies or
    /// the registration ends; false for plain and dangling ones.
    ///
    /// ```
    /// use weakref::sync::Arc;
    /// let obj = Arc::new(());
    /// let r = Arc::downgrade_with(&obj, |_| ());
    /// assert!(r.has_callback());
    /// assert!(!Arc::downgrade(&obj).has_callback());
    /// drop(obj);
    /// assert!(!r.has_callback()); // cleared by the death
    /// ```
    pub fn has_callback(&self) -> bool {
        self.raw.has_callback()
    }
}

impl<T> Clone for Weak<T> {
    /// Another pointer to the same weak reference (same identity, same callback
    /// registration).
    #[inline]
    fn clone(&self) -> Weak<T> {
        Weak {
            raw: self.raw.clone(),
        }
    }
}

impl<T> Default for Weak<T> {
    /// A dangling `Weak`, as [`Weak::new`].
    fn default() -> Weak<T> {
        Weak::new()
    }
}

impl<T: PartialEq> PartialEq for Weak<T> {
    /// Python's rule: both alive, compare the values; otherwise, the same weak
    /// reference ([`Weak::ref_eq`]).
    fn eq(&self, other: &Weak<T>) -> bool {
        match (self.upgrade(), other.upgrade()) {
            (Some(a), Some(b)) => *a == *b,
            _ => self.ref_eq(other),
        }
    }
}

impl<T> fmt::Debug for Weak<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let referent = self.upgrade().map(|rc| Arc::as_ptr(&rc));
        crate::repr::weakref(
            f,
            self.raw.identity(),
            referent,
            core::any::type_name::<T>(),
        )
    }
}
