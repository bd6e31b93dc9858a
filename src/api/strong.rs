//! The strong pointer (`Rc`, `Arc`), written once: [`strong!`] is instantiated in
//! `rc` and `sync` with the flavour's module name, pointer name and core flavour, its
//! introduction and threading sections, and the bounds its callbacks need.

/// Defines the strong pointer in the calling flavour module.
macro_rules! strong {
    (
        $module:ident, $Strong:ident, $Flavor:ident,
        intro: $intro:literal, threads: $threads:literal, callback_bounds: [$($cb:tt)+],
        any: [$($any:tt)+], clone_to: $clone_to:path
    ) => {
        #[doc = $intro]
        ///
        #[doc = concat!(" `", stringify!($Strong), "<T>` is a superset of [`", "std::", stringify!($module), "::", stringify!($Strong), "<T>`]: the same methods with the")]
        /// same meaning, the same size (one pointer), the same allocation size, and the same
        #[doc = concat!(" cost for `clone`, `drop`, [`downgrade`](", stringify!($Strong), "::downgrade) and")]
        /// [`upgrade`](super::Weak::upgrade). On top of that:
        ///
        #[doc = concat!(" * [`", stringify!($Strong), "::downgrade_with`](super::", stringify!($Strong), "::downgrade_with) makes a weak reference whose callback runs when the value")]
        ///   dies, like Python's `weakref.ref(obj, callback)`;
        #[doc = concat!(" * [`finalize`](", "crate::", stringify!($module), "::finalize) registers a function to run once when the value")]
        ///   dies (or at exit: the creating thread's for `rc`, the process's for `sync`), like
        ///   Python's `weakref.finalize`;
        #[doc = concat!(" * [`", stringify!($Strong), "::weakref_count`](super::", stringify!($Strong), "::weakref_count) and [`", stringify!($Strong), "::weakrefs`](super::", stringify!($Strong), "::weakrefs) are Python's `getweakrefcount` and")]
        ///   `getweakrefs`.
        ///
        #[doc = concat!(" # What happens when the last `", stringify!($Strong), "` goes")]
        ///
        /// In this order, on the thread that drops it:
        ///
        /// 1. The strong count becomes zero: from now on every [`Weak`](super::Weak) to the value fails to
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
        /// Steps 2 and 3 may drop other objects, whose own deaths then run nested in this
        /// one. Past 256 nested deaths on a thread, a death is deferred, and the outermost
        /// one finishes it before it returns, so that no chain of deaths, however long,
        /// overflows the stack (see "Deep drops" in the [crate docs](crate)).
        ///
        /// The other ways a value's life ends run step 3 as well, before they return:
        #[doc = concat!(" [`", stringify!($Strong), "::try_unwrap`](super::", stringify!($Strong), "::try_unwrap), [`", stringify!($Strong), "::into_inner`](super::", stringify!($Strong), "::into_inner) and [`", stringify!($Strong), "::unwrap_or_clone`](super::", stringify!($Strong), "::unwrap_or_clone) when they take")]
        #[doc = concat!(" the value out, and [`", stringify!($Strong), "::make_mut`](super::", stringify!($Strong), "::make_mut) when it moves the value away from its weak")]
        /// references.
        ///
        #[doc = $threads]
        #[doc = concat!(" # Differences from `", "std::", stringify!($module), "::", stringify!($Strong), "`")]
        ///
        #[doc = concat!(" `", stringify!($Strong), "<str>`, `", stringify!($Strong), "<[T]>` and `", stringify!($Strong), "<dyn Trait>` work, with std's constructors (`From<&str>`,")]
        /// `From<Vec<T>>`, `From<Box<T>>`, `FromIterator`, …), but the implicit coercion
        #[doc = concat!(" from `", stringify!($Strong), "<T>` to `", stringify!($Strong), "<dyn Trait>` needs the unstable `CoerceUnsized`: write")]
        #[doc = concat!(" [`", stringify!($Strong), "::unsize`](super::", stringify!($Strong), "::unsize)`(rc, coercion!(dyn Trait))` instead (the same object, no copy).")]
        /// The allocator-generic methods need unstable features and are left out.
        #[doc = concat!(" [`", stringify!($Strong), "::weak_count`](super::", stringify!($Strong), "::weak_count) counts a finalizer's registration as one weak reference")]
        /// (it is one, as in Python).
        ///
        /// # Examples
        ///
        /// ```
        /// use std::sync::atomic::{AtomicUsize, Ordering};
        #[doc = concat!("use ", "weakrefs::", stringify!($module), "::", stringify!($Strong), ";")]
        ///
        /// static CALLS: AtomicUsize = AtomicUsize::new(0);
        ///
        #[doc = concat!("let obj = ", stringify!($Strong), "::new(\"expensive\");")]
        #[doc = concat!("let weak = ", stringify!($Strong), "::downgrade_with(&obj, |dead| {")]
        ///     assert!(dead.upgrade().is_none());
        ///     CALLS.fetch_add(1, Ordering::SeqCst);
        /// });
        /// assert_eq!(*weak.upgrade().unwrap(), "expensive");
        ///
        /// drop(obj); // the callback runs here, on this thread
        /// assert_eq!(CALLS.load(Ordering::SeqCst), 1);
        /// assert!(weak.upgrade().is_none());
        /// ```
        #[repr(transparent)]
        pub struct $Strong<T: ?Sized> {
            pub(crate) raw: $crate::raw::strong::RawRc<T, $crate::flavor::$Flavor>,
        }

        impl<T: ::core::panic::RefUnwindSafe + ?Sized> ::core::panic::UnwindSafe for $Strong<T> {}
        impl<T: ::core::panic::RefUnwindSafe + ?Sized> ::core::panic::RefUnwindSafe for $Strong<T> {}
        impl<T: ?Sized> Unpin for $Strong<T> {}

        impl<T: ?Sized> $Strong<T> {
            #[doc = concat!(" Views a core handle as a `", stringify!($Strong), "` (for closures that receive one).")]
            pub(crate) fn from_raw_ref(raw: &$crate::raw::strong::RawRc<T, $crate::flavor::$Flavor>) -> &$Strong<T> {
                // SAFETY: `$Strong` is a `repr(transparent)` wrapper of `RawRc<T, $Flavor>`.
                unsafe { &*(raw as *const $crate::raw::strong::RawRc<T, $crate::flavor::$Flavor> as *const $Strong<T>) }
            }
        }

        impl<T> $Strong<T> {

            #[doc = concat!(" Constructs a new `", stringify!($Strong), "<T>`.")]
            ///
            /// ```
            #[doc = concat!("use ", "weakrefs::", stringify!($module), "::", stringify!($Strong), ";")]
            #[doc = concat!("let five = ", stringify!($Strong), "::new(5);")]
            /// assert_eq!(*five, 5);
            /// ```
            #[inline]
            pub fn new(value: T) -> $Strong<T> {
                $Strong {
                    raw: $crate::raw::strong::RawRc::new(value),
                }
            }

            #[doc = concat!(" Constructs a new `", stringify!($Strong), "<T>` while giving you a `Weak<T>` to the allocation, to let")]
            /// you build a `T` that holds a weak pointer to itself.
            ///
            /// The `Weak` does not upgrade until `new_cyclic` returns. If `data_fn` panics,
            /// the allocation is freed and the panic continues.
            ///
            /// ```
            #[doc = concat!("use ", "weakrefs::", stringify!($module), "::{", stringify!($Strong), ", Weak};")]
            ///
            /// struct Gadget {
            ///     me: Weak<Gadget>,
            /// }
            ///
            #[doc = concat!("let gadget = ", stringify!($Strong), "::new_cyclic(|me| {")]
            ///     assert!(me.upgrade().is_none());
            ///     Gadget { me: me.clone() }
            /// });
            #[doc = concat!("assert!(", stringify!($Strong), "::ptr_eq(&gadget.me.upgrade().unwrap(), &gadget));")]
            /// ```
            pub fn new_cyclic<F>(data_fn: F) -> $Strong<T>
            where
                F: FnOnce(&$crate::$module::Weak<T>) -> T,
            {
                $Strong {
                    raw: $crate::raw::strong::RawRc::new_cyclic(|raw| data_fn($crate::$module::Weak::from_raw_ref(raw))),
                }
            }

            #[doc = concat!(" Constructs a new `", stringify!($Strong), "` with uninitialised contents, to be written and")]
            /// then made a `T` with
            #[doc = concat!(" [`assume_init`](", stringify!($Strong), "::assume_init). The allocation is made in place:")]
            /// a large `T` never passes through the stack.
            ///
            /// ```
            #[doc = concat!("use ", "weakrefs::", stringify!($module), "::", stringify!($Strong), ";")]
            ///
            #[doc = concat!("let mut five = ", stringify!($Strong), "::<u32>::new_uninit();")]
            #[doc = concat!("", stringify!($Strong), "::get_mut(&mut five).unwrap().write(5);")]
            /// // SAFETY: written just above.
            /// let five = unsafe { five.assume_init() };
            /// assert_eq!(*five, 5);
            /// ```
            pub fn new_uninit() -> $Strong<::core::mem::MaybeUninit<T>> {
                $Strong {
                    raw: $crate::raw::strong::RawRc::<T, $crate::flavor::$Flavor>::new_uninit(false),
                }
            }

            #[doc = concat!(" Constructs a new `", stringify!($Strong), "` whose contents are all zero bytes (allocated")]
            /// zeroed, in place). Whether that is a valid `T` depends on `T`: see
            /// [`MaybeUninit::zeroed`](core::mem::MaybeUninit::zeroed).
            ///
            /// ```
            #[doc = concat!("use ", "weakrefs::", stringify!($module), "::", stringify!($Strong), ";")]
            ///
            #[doc = concat!("let zero = ", stringify!($Strong), "::<[u64; 512]>::new_zeroed();")]
            /// // SAFETY: all-zero bytes are a valid array of integers.
            /// let zero = unsafe { zero.assume_init() };
            /// assert!(zero.iter().all(|&x| x == 0));
            /// ```
            pub fn new_zeroed() -> $Strong<::core::mem::MaybeUninit<T>> {
                $Strong {
                    raw: $crate::raw::strong::RawRc::<T, $crate::flavor::$Flavor>::new_uninit(true),
                }
            }

            #[doc = concat!(" Constructs a new `Pin<", stringify!($Strong), "<T>>`. `T` is not moved again while pinned.")]
            ///
            /// ```
            #[doc = concat!("use ", "weakrefs::", stringify!($module), "::", stringify!($Strong), ";")]
            #[doc = concat!("let pinned = ", stringify!($Strong), "::pin(5);")]
            /// assert_eq!(*pinned, 5);
            /// ```
            pub fn pin(value: T) -> ::core::pin::Pin<$Strong<T>> {
                // SAFETY: the value never moves out of its allocation while a strong reference
                // exists; `$Strong` gives no `&mut T` to a pinned value except through `Pin` rules
                // (as std's `$Strong::pin`).
                unsafe { ::core::pin::Pin::new_unchecked($Strong::new(value)) }
            }

            #[doc = concat!(" Returns the inner value if the `", stringify!($Strong), "` has exactly one strong reference;")]
            #[doc = concat!(" otherwise an `Err` with the same `", stringify!($Strong), "`.")]
            ///
            /// This succeeds even if weak references exist: they die, and their callbacks and
            /// finalizers run before this returns (the value itself is moved out, not
            /// dropped).
            ///
            /// ```
            #[doc = concat!("use ", "weakrefs::", stringify!($module), "::", stringify!($Strong), ";")]
            ///
            #[doc = concat!("let x = ", stringify!($Strong), "::new(3);")]
            #[doc = concat!("assert_eq!(", stringify!($Strong), "::try_unwrap(x), Ok(3));")]
            ///
            #[doc = concat!("let x = ", stringify!($Strong), "::new(4);")]
            #[doc = concat!("let _y = ", stringify!($Strong), "::clone(&x);")]
            #[doc = concat!("assert_eq!(*", stringify!($Strong), "::try_unwrap(x).unwrap_err(), 4);")]
            /// ```
            pub fn try_unwrap(this: $Strong<T>) -> Result<T, $Strong<T>> {
                $crate::raw::strong::RawRc::try_unwrap(this.raw).map_err(|raw| $Strong { raw })
            }

            /// Returns the inner value if this is the only strong reference; otherwise drops
            /// this reference and returns `None`. Weak references die and their callbacks run
            #[doc = concat!(" before it returns, as for [`", stringify!($Strong), "::try_unwrap`](super::", stringify!($Strong), "::try_unwrap).")]
            ///
            /// ```
            #[doc = concat!("use ", "weakrefs::", stringify!($module), "::", stringify!($Strong), ";")]
            ///
            #[doc = concat!("let x = ", stringify!($Strong), "::new(3);")]
            #[doc = concat!("let y = ", stringify!($Strong), "::clone(&x);")]
            #[doc = concat!("assert_eq!(", stringify!($Strong), "::into_inner(x), None);")]
            #[doc = concat!("assert_eq!(", stringify!($Strong), "::into_inner(y), Some(3));")]
            /// ```
            pub fn into_inner(this: $Strong<T>) -> Option<T> {
                $crate::raw::strong::RawRc::into_inner(this.raw)
            }

        }

        impl<T: ?Sized> $Strong<T> {
            #[doc = concat!(" Consumes the `", stringify!($Strong), "`, returning the wrapped pointer. Use [`", stringify!($Strong), "::from_raw`](super::", stringify!($Strong), "::from_raw) to turn")]
            #[doc = concat!(" it back into an `", stringify!($Strong), "`, or the memory leaks.")]
            ///
            /// ```
            #[doc = concat!("use ", "weakrefs::", stringify!($module), "::", stringify!($Strong), ";")]
            #[doc = concat!("let x = ", stringify!($Strong), "::new(\"hello\".to_owned());")]
            #[doc = concat!("let ptr = ", stringify!($Strong), "::into_raw(x);")]
            /// assert_eq!(unsafe { &*ptr }, "hello");
            #[doc = concat!("# drop(unsafe { ", stringify!($Strong), "::from_raw(ptr) });")]
            /// ```
            pub fn into_raw(this: $Strong<T>) -> *const T {
                $crate::raw::strong::RawRc::into_raw(this.raw)
            }

            /// Provides a raw pointer to the data, without touching the counts.
            ///
            /// ```
            #[doc = concat!("use ", "weakrefs::", stringify!($module), "::", stringify!($Strong), ";")]
            #[doc = concat!("let x = ", stringify!($Strong), "::new(7);")]
            #[doc = concat!("assert_eq!(unsafe { *", stringify!($Strong), "::as_ptr(&x) }, 7);")]
            /// ```
            pub fn as_ptr(this: &$Strong<T>) -> *const T {
                this.raw.as_ptr()
            }

            #[doc = concat!(" Rebuilds an `", stringify!($Strong), "<T>` from a pointer returned by [`", stringify!($Strong), "::into_raw`](super::", stringify!($Strong), "::into_raw).")]
            ///
            /// # Safety
            ///
            #[doc = concat!(" `ptr` must come from `", "weakrefs::", stringify!($module), "::", stringify!($Strong), "::<T>::into_raw` (the same `T`), and each")]
            #[doc = concat!(" such pointer may be turned back into an `", stringify!($Strong), "` only once (per strong reference it")]
            /// carries).
            ///
            /// ```
            #[doc = concat!("use ", "weakrefs::", stringify!($module), "::", stringify!($Strong), ";")]
            #[doc = concat!("let x = ", stringify!($Strong), "::new(10);")]
            #[doc = concat!("let ptr = ", stringify!($Strong), "::into_raw(x);")]
            #[doc = concat!("let x = unsafe { ", stringify!($Strong), "::from_raw(ptr) };")]
            /// assert_eq!(*x, 10);
            /// ```
            pub unsafe fn from_raw(ptr: *const T) -> $Strong<T> {
                $Strong {
                    // SAFETY: forwarded contract.
                    raw: unsafe { $crate::raw::strong::RawRc::from_raw(ptr) },
                }
            }

            #[doc = concat!(" Increments the strong count of the `", stringify!($Strong), "<T>` behind `ptr`.")]
            ///
            /// # Safety
            ///
            #[doc = concat!(" `ptr` must come from [`", stringify!($Strong), "::into_raw`](super::", stringify!($Strong), "::into_raw) and its `", stringify!($Strong), "` must still be alive.")]
            ///
            /// ```
            #[doc = concat!("use ", "weakrefs::", stringify!($module), "::", stringify!($Strong), ";")]
            #[doc = concat!("let five = ", stringify!($Strong), "::new(5);")]
            /// unsafe {
            #[doc = concat!("    let ptr = ", stringify!($Strong), "::into_raw(five);")]
            #[doc = concat!("    ", stringify!($Strong), "::increment_strong_count(ptr);")]
            #[doc = concat!("    let five = ", stringify!($Strong), "::from_raw(ptr);")]
            #[doc = concat!("    assert_eq!(2, ", stringify!($Strong), "::strong_count(&five));")]
            #[doc = concat!("    # ", stringify!($Strong), "::decrement_strong_count(ptr);")]
            /// }
            /// ```
            pub unsafe fn increment_strong_count(ptr: *const T) {
                // SAFETY: forwarded contract; the clone is forgotten, the original kept.
                let rc = ::core::mem::ManuallyDrop::new(unsafe { $Strong::from_raw(ptr) });
                ::core::mem::forget($Strong::clone(&rc));
            }

            #[doc = concat!(" Decrements the strong count of the `", stringify!($Strong), "<T>` behind `ptr`; if it was the last,")]
            /// the value dies (and its callbacks run) here.
            ///
            /// # Safety
            ///
            #[doc = concat!(" `ptr` must come from [`", stringify!($Strong), "::into_raw`](super::", stringify!($Strong), "::into_raw), and the strong reference it gives up must")]
            /// be one the caller owns.
            ///
            /// ```
            #[doc = concat!("use ", "weakrefs::", stringify!($module), "::", stringify!($Strong), ";")]
            #[doc = concat!("let five = ", stringify!($Strong), "::new(5);")]
            /// unsafe {
            #[doc = concat!("    let ptr = ", stringify!($Strong), "::into_raw(five);")]
            #[doc = concat!("    ", stringify!($Strong), "::increment_strong_count(ptr);")]
            #[doc = concat!("    let five = ", stringify!($Strong), "::from_raw(ptr);")]
            #[doc = concat!("    ", stringify!($Strong), "::decrement_strong_count(ptr);")]
            #[doc = concat!("    assert_eq!(1, ", stringify!($Strong), "::strong_count(&five));")]
            /// }
            /// ```
            pub unsafe fn decrement_strong_count(ptr: *const T) {
                // SAFETY: forwarded contract.
                drop(unsafe { $Strong::from_raw(ptr) });
            }

            /// Creates a new [`Weak`](super::Weak) pointer to this allocation, without a callback.
            ///
            /// All such weak pointers to one object are one weak reference in Python's sense
            /// (like the shared `weakref.ref(obj)`): they share one identity.
            ///
            /// ```
            #[doc = concat!("use ", "weakrefs::", stringify!($module), "::", stringify!($Strong), ";")]
            #[doc = concat!("let five = ", stringify!($Strong), "::new(5);")]
            #[doc = concat!("let weak_five = ", stringify!($Strong), "::downgrade(&five);")]
            /// assert_eq!(*weak_five.upgrade().unwrap(), 5);
            /// ```
            #[inline]
            pub fn downgrade(this: &$Strong<T>) -> $crate::$module::Weak<T> {
                $crate::$module::Weak {
                    raw: this.raw.downgrade(),
                }
            }

            /// Creates a new [`Weak`](super::Weak) pointer whose `callback` runs once when the value dies,
            /// with that weak pointer (already dead) as its argument: Python's
            /// `weakref.ref(obj, callback)`.
            ///
            #[doc = concat!(" * The callback runs on the thread that drops the last `", stringify!($Strong), "`, after `T`'s")]
            ///   destructor, newest registration
            #[doc = concat!("   first among the object's callbacks and finalizers (see [`", stringify!($Strong), "`](super::", stringify!($Strong), ")).")]
            /// * Clones of the returned `Weak` share its identity and its registration. If
            ///   every clone is dropped while the value is alive, the callback is dropped
            ///   without running.
            /// * Inside the callback the argument, like every other weak pointer to the
            #[doc = concat!("   object, fails to upgrade. The callback may create and drop other `", stringify!($Strong), "`s and")]
            ///   weak pointers, including dropping its own `Weak`.
            /// * A panic in the callback is caught and reported; the other callbacks still run.
            ///
            /// The first callback or finalizer on an object allocates a small side table for
            /// its registrations (freed with the object); each callback costs one allocation
            /// holding the closure.
            ///
            /// ```
            /// use std::sync::Mutex;
            #[doc = concat!("use ", "weakrefs::", stringify!($module), "::", stringify!($Strong), ";")]
            ///
            #[doc = concat!("let order = ", "std::", stringify!($module), "::", stringify!($Strong), "::new(Mutex::new(Vec::new()));")]
            #[doc = concat!("let obj = ", stringify!($Strong), "::new(());")]
            /// let (o1, o2) = (order.clone(), order.clone());
            #[doc = concat!("let _first = ", stringify!($Strong), "::downgrade_with(&obj, move |_| o1.lock().unwrap().push(\"first\"));")]
            #[doc = concat!("let _second = ", stringify!($Strong), "::downgrade_with(&obj, move |_| o2.lock().unwrap().push(\"second\"));")]
            /// drop(obj);
            /// assert_eq!(*order.lock().unwrap(), ["second", "first"]); // newest first
            /// ```
            pub fn downgrade_with<C>(this: &$Strong<T>, callback: C) -> $crate::$module::Weak<T>
            where
                C: FnOnce(&$crate::$module::Weak<T>) + $($cb)+,
            {
                $crate::$module::Weak {
                    raw: this
                        .raw
                        .downgrade_with(move |raw: &$crate::raw::weak::RawWeak<T, $crate::flavor::$Flavor>| callback($crate::$module::Weak::from_raw_ref(raw))),
                }
            }

            /// Gets the number of weak references to this allocation: every [`Weak`](super::Weak) (clones
            /// included, with or without a callback) and every live finalizer registration.
            ///
            /// ```
            #[doc = concat!("use ", "weakrefs::", stringify!($module), "::", stringify!($Strong), ";")]
            #[doc = concat!("let five = ", stringify!($Strong), "::new(5);")]
            #[doc = concat!("let _weak_five = ", stringify!($Strong), "::downgrade(&five);")]
            #[doc = concat!("assert_eq!(1, ", stringify!($Strong), "::weak_count(&five));")]
            /// ```
            #[inline]
            pub fn weak_count(this: &$Strong<T>) -> usize {
                this.raw.weak_count()
            }

            #[doc = concat!(" Gets the number of strong (`", stringify!($Strong), "`) pointers to this allocation.")]
            ///
            /// ```
            #[doc = concat!("use ", "weakrefs::", stringify!($module), "::", stringify!($Strong), ";")]
            #[doc = concat!("let five = ", stringify!($Strong), "::new(5);")]
            #[doc = concat!("let _also_five = ", stringify!($Strong), "::clone(&five);")]
            #[doc = concat!("assert_eq!(2, ", stringify!($Strong), "::strong_count(&five));")]
            /// ```
            #[inline]
            pub fn strong_count(this: &$Strong<T>) -> usize {
                this.raw.strong_count()
            }

            /// Python's `weakref.getweakrefcount(obj)`: the number of weak reference *objects*
            #[doc = concat!(" to this value. All plain [`Weak`](super::Weak)s (from [`", stringify!($Strong), "::downgrade`](super::", stringify!($Strong), "::downgrade)) together are one,")]
            /// like Python's shared basic reference; each weak reference with a callback
            /// (however often cloned) is one; each live finalizer is one.
            ///
            #[doc = $crate::api::sync_only!($module, " Where other threads are at work, the figure is a snapshot.")]
            ///
            /// ```
            #[doc = concat!("use ", "weakrefs::", stringify!($module), "::{finalize, ", stringify!($Strong), "};")]
            #[doc = concat!("let obj = ", stringify!($Strong), "::new(());")]
            #[doc = concat!("let _a = ", stringify!($Strong), "::downgrade(&obj);")]
            #[doc = concat!("let _b = ", stringify!($Strong), "::downgrade(&obj); // the same weak reference as `_a`")]
            #[doc = concat!("let _c = ", stringify!($Strong), "::downgrade_with(&obj, |_| ());")]
            /// finalize(&obj, |()| (), ());
            #[doc = concat!("assert_eq!(", stringify!($Strong), "::weakref_count(&obj), 3);")]
            /// ```
            pub fn weakref_count(this: &$Strong<T>) -> usize {
                this.raw.weakref_count()
            }

            /// Python's `weakref.getweakrefs(obj)`: one `Weak` per weak reference object of
            /// this value, in Python's order: the plain one first (if any plain `Weak`
            /// exists), then those with callbacks and the finalizers' own references, newest
            /// first. Each returned `Weak` shares the identity of the reference it stands for.
            ///
            /// ```
            #[doc = concat!("use ", "weakrefs::", stringify!($module), "::{", stringify!($Strong), ", Weak};")]
            #[doc = concat!("let obj = ", stringify!($Strong), "::new(());")]
            #[doc = concat!("let plain = ", stringify!($Strong), "::downgrade(&obj);")]
            #[doc = concat!("let old = ", stringify!($Strong), "::downgrade_with(&obj, |_| ());")]
            #[doc = concat!("let new = ", stringify!($Strong), "::downgrade_with(&obj, |_| ());")]
            #[doc = concat!("let refs = ", stringify!($Strong), "::weakrefs(&obj);")]
            /// assert_eq!(refs.len(), 3);
            /// assert!(Weak::ref_eq(&refs[0], &plain));
            /// assert!(Weak::ref_eq(&refs[1], &new));
            /// assert!(Weak::ref_eq(&refs[2], &old));
            /// ```
            pub fn weakrefs(this: &$Strong<T>) -> Vec<$crate::$module::Weak<T>> {
                this.raw
                    .weakrefs()
                    .into_iter()
                    .map(|raw| $crate::$module::Weak { raw })
                    .collect()
            }

            #[doc = concat!(" Returns a mutable reference into the given `", stringify!($Strong), "`, if there are no other `", stringify!($Strong), "` or")]
            /// [`Weak`](super::Weak) pointers to the same allocation (a weak pointer with a callback, or a
            /// finalizer, counts as one).
            ///
            /// ```
            #[doc = concat!("use ", "weakrefs::", stringify!($module), "::", stringify!($Strong), ";")]
            #[doc = concat!("let mut x = ", stringify!($Strong), "::new(3);")]
            #[doc = concat!("*", stringify!($Strong), "::get_mut(&mut x).unwrap() = 4;")]
            /// assert_eq!(*x, 4);
            ///
            #[doc = concat!("let _y = ", stringify!($Strong), "::clone(&x);")]
            #[doc = concat!("assert!(", stringify!($Strong), "::get_mut(&mut x).is_none());")]
            /// ```
            pub fn get_mut(this: &mut $Strong<T>) -> Option<&mut T> {
                this.raw.get_mut()
            }

            #[doc = concat!(" Returns `true` if the two `", stringify!($Strong), "`s point to the same allocation.")]
            ///
            /// ```
            #[doc = concat!("use ", "weakrefs::", stringify!($module), "::", stringify!($Strong), ";")]
            #[doc = concat!("let five = ", stringify!($Strong), "::new(5);")]
            #[doc = concat!("let same_five = ", stringify!($Strong), "::clone(&five);")]
            #[doc = concat!("let other_five = ", stringify!($Strong), "::new(5);")]
            #[doc = concat!("assert!(", stringify!($Strong), "::ptr_eq(&five, &same_five));")]
            #[doc = concat!("assert!(!", stringify!($Strong), "::ptr_eq(&five, &other_five));")]
            /// ```
            #[inline]
            pub fn ptr_eq(this: &$Strong<T>, other: &$Strong<T>) -> bool {
                this.raw.ptr_eq(&other.raw)
            }
        }

        impl<T: ?Sized + $crate::CloneToRc> $Strong<T> {
            #[doc = concat!(" Makes a mutable reference into the given `", stringify!($Strong), "`, cloning on write.")]
            ///
            #[doc = concat!(" If there are other `", stringify!($Strong), "` pointers to the same allocation, the value is cloned")]
            /// into a new allocation (the old object lives on with the others). If this is
            #[doc = concat!(" the only `", stringify!($Strong), "` but [`Weak`](super::Weak) pointers exist, the value is *moved* into a new")]
            /// allocation and the old object's life ends: its weak pointers die and their
            /// callbacks and finalizers run before `make_mut` returns.
            ///
            /// Works for every `T: Clone`, and for `[T]` (with `T: Clone`) and `str`, as
            /// std's (see [`CloneToRc`](crate::CloneToRc)).
            ///
            /// ```
            /// use std::sync::atomic::{AtomicBool, Ordering};
            #[doc = concat!("use ", "weakrefs::", stringify!($module), "::", stringify!($Strong), ";")]
            ///
            /// static FIRED: AtomicBool = AtomicBool::new(false);
            #[doc = concat!("let mut data = ", stringify!($Strong), "::new(75);")]
            #[doc = concat!("let weak = ", stringify!($Strong), "::downgrade_with(&data, |_| FIRED.store(true, Ordering::SeqCst));")]
            ///
            #[doc = concat!("*", stringify!($Strong), "::make_mut(&mut data) += 1; // moves the value away from `weak`")]
            /// assert_eq!(*data, 76);
            /// assert!(weak.upgrade().is_none());
            /// assert!(FIRED.load(Ordering::SeqCst));
            /// ```
            pub fn make_mut(this: &mut $Strong<T>) -> &mut T {
                $crate::raw::strong::RawRc::make_mut_with(&mut this.raw, |value: &T| $clone_to(value).raw)
            }
        }

        impl<T: Clone> $Strong<T> {

            #[doc = concat!(" If this is the only `", stringify!($Strong), "`, returns the inner value (as [`", stringify!($Strong), "::try_unwrap`](super::", stringify!($Strong), "::try_unwrap), so its")]
            /// weak references' callbacks run); otherwise returns a clone of it.
            ///
            /// ```
            #[doc = concat!("use ", "weakrefs::", stringify!($module), "::", stringify!($Strong), ";")]
            /// let inner = String::from("test");
            #[doc = concat!("let rc = ", stringify!($Strong), "::new(inner);")]
            /// let rc2 = rc.clone();
            #[doc = concat!("assert_eq!(", stringify!($Strong), "::unwrap_or_clone(rc), \"test\"); // cloned")]
            #[doc = concat!("assert_eq!(", stringify!($Strong), "::unwrap_or_clone(rc2), \"test\"); // moved out")]
            /// ```
            pub fn unwrap_or_clone(this: $Strong<T>) -> T {
                $Strong::try_unwrap(this).unwrap_or_else(|rc| (*rc).clone())
            }
        }

        impl<T: ?Sized> Clone for $Strong<T> {
            /// Makes another pointer to the same allocation, incrementing the strong count.
            #[inline]
            fn clone(&self) -> $Strong<T> {
                $Strong {
                    raw: self.raw.clone(),
                }
            }
        }

        impl<T: ?Sized> ::core::ops::Deref for $Strong<T> {
            type Target = T;
            #[inline]
            fn deref(&self) -> &T {
                self.raw.value()
            }
        }

        impl<T: ?Sized> AsRef<T> for $Strong<T> {
            fn as_ref(&self) -> &T {
                self
            }
        }

        impl<T: ?Sized> ::core::borrow::Borrow<T> for $Strong<T> {
            fn borrow(&self) -> &T {
                self
            }
        }

        impl<T: Default> Default for $Strong<T> {
            #[doc = concat!(" An `", stringify!($Strong), "<T>` holding `T::default()`.")]
            fn default() -> $Strong<T> {
                $Strong::new(T::default())
            }
        }

        impl<T: ?Sized> From<Box<T>> for $Strong<T> {
            #[doc = concat!(" Moves the boxed value into a new `", stringify!($Strong), "` (the bytes are copied from the box")]
            /// to the new allocation, not through the stack) and frees the box.
            ///
            /// ```
            #[doc = concat!("use ", "weakrefs::", stringify!($module), "::", stringify!($Strong), ";")]
            #[doc = concat!("let shared: ", stringify!($Strong), "<[u8; 4096]> = ", stringify!($Strong), "::from(Box::new([7; 4096]));")]
            /// assert_eq!(shared[4095], 7);
            /// ```
            fn from(boxed: Box<T>) -> $Strong<T> {
                $Strong {
                    raw: $crate::raw::strong::RawRc::from_box(boxed),
                }
            }
        }

        impl<T> $Strong<::core::mem::MaybeUninit<T>> {
            #[doc = concat!(" Converts to `", stringify!($Strong), "<T>`: the same allocation, with the same strong and")]
            /// weak references (weak references made before stay
            #[doc = concat!(" `Weak<MaybeUninit<T>>`, and their callbacks still run when the value dies).")]
            ///
            /// # Safety
            ///
            /// The value must be initialised, as for
            /// [`MaybeUninit::assume_init`](core::mem::MaybeUninit::assume_init); calling
            /// this on an uninitialised value is undefined behaviour.
            ///
            /// ```
            #[doc = concat!("use weakrefs::", stringify!($module), "::", stringify!($Strong), ";")]
            #[doc = concat!("let mut five = ", stringify!($Strong), "::<u32>::new_uninit();")]
            #[doc = concat!(stringify!($Strong), "::get_mut(&mut five).unwrap().write(5);")]
            /// // SAFETY: initialised just above.
            /// let five = unsafe { five.assume_init() };
            /// assert_eq!(*five, 5);
            /// ```
            pub unsafe fn assume_init(self) -> $Strong<T> {
                $Strong {
                    // SAFETY: forwarded to the caller.
                    raw: unsafe { self.raw.assume_init() },
                }
            }
        }

        impl<T> From<T> for $Strong<T> {
            #[doc = concat!(" Moves `value` into a new `", stringify!($Strong), "`.")]
            fn from(value: T) -> $Strong<T> {
                $Strong::new(value)
            }
        }

        impl<T: PartialEq + ?Sized> PartialEq for $Strong<T> {
            #[doc = concat!(" Equality of the values (two `", stringify!($Strong), "`s to one allocation are equal if the value is")]
            /// equal to itself).
            #[inline]
            fn eq(&self, other: &$Strong<T>) -> bool {
                **self == **other
            }
        }

        impl<T: Eq + ?Sized> Eq for $Strong<T> {}

        impl<T: PartialOrd + ?Sized> PartialOrd for $Strong<T> {
            /// Ordering of the values.
            fn partial_cmp(&self, other: &$Strong<T>) -> Option<::core::cmp::Ordering> {
                (**self).partial_cmp(&**other)
            }
        }

        impl<T: Ord + ?Sized> Ord for $Strong<T> {
            /// Ordering of the values.
            fn cmp(&self, other: &$Strong<T>) -> ::core::cmp::Ordering {
                (**self).cmp(&**other)
            }
        }

        impl<T: ::core::hash::Hash + ?Sized> ::core::hash::Hash for $Strong<T> {
            /// Hashes the value.
            fn hash<H: ::core::hash::Hasher>(&self, state: &mut H) {
                (**self).hash(state)
            }
        }

        impl<T: ::core::fmt::Display + ?Sized> ::core::fmt::Display for $Strong<T> {
            fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                ::core::fmt::Display::fmt(&**self, f)
            }
        }

        impl<T: ::core::fmt::Debug + ?Sized> ::core::fmt::Debug for $Strong<T> {
            fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                ::core::fmt::Debug::fmt(&**self, f)
            }
        }

        impl<T: ?Sized> ::core::fmt::Pointer for $Strong<T> {
            #[doc = concat!(" The value's address, as [`", stringify!($Strong), "::as_ptr`](super::", stringify!($Strong), "::as_ptr).")]
            fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                ::core::fmt::Pointer::fmt(&$Strong::as_ptr(self), f)
            }
        }
        impl<T: ?Sized> $Strong<T> {
            #[doc = concat!(" The same object seen as a `U`: `", stringify!($Strong), "<T>` to `", stringify!($Strong), "<dyn Trait>` (what std does by an")]
            /// implicit coercion, which needs the unstable `CoerceUnsized` elsewhere).
            ///
            /// No copy and no allocation: the strong count, the weak references, their
            /// callbacks and the finalizers are the object's, whatever type a handle
            /// sees it as. Make the coercion with [`coercion!`](crate::coercion!).
            ///
            /// # Panics
            ///
            /// If the coercion moves the pointer (a [`Coercion`](crate::Coercion) made
            /// with `unsafe` that breaks its contract).
            ///
            /// ```
            /// use std::fmt::Debug;
            #[doc = concat!("use weakrefs::{coercion, ", stringify!($module), "::", stringify!($Strong), "};")]
            ///
            #[doc = concat!("let list = ", stringify!($Strong), "::new(vec![1, 2]);")]
            #[doc = concat!("let weak = ", stringify!($Strong), "::downgrade(&list);")]
            #[doc = concat!("let shown: ", stringify!($Strong), "<dyn Debug + Send + Sync> = ", stringify!($Strong), "::unsize(list, coercion!(dyn Debug + Send + Sync));")]
            /// assert_eq!(format!("{shown:?}"), "[1, 2]");
            /// assert!(weak.upgrade().is_some()); // the same object
            /// ```
            pub fn unsize<U: ?Sized>(this: $Strong<T>, coercion: $crate::Coercion<T, U>) -> $Strong<U> {
                $Strong {
                    raw: $crate::raw::strong::RawRc::unsize(this.raw, coercion.get()),
                }
            }

            #[doc = concat!(" [`", stringify!($Strong), "::unsize`](super::", stringify!($Strong), "::unsize) for a pinned pointer (std's `Pin<Rc<T>>` to `Pin<Rc<dyn Trait>>`): the")]
            /// value does not move, so it stays pinned.
            ///
            /// ```
            /// use std::fmt::Debug;
            #[doc = concat!("use weakrefs::{coercion, ", stringify!($module), "::", stringify!($Strong), "};")]
            ///
            #[doc = concat!("let pinned = ", stringify!($Strong), "::pin(3);")]
            #[doc = concat!("let shown = ", stringify!($Strong), "::unsize_pin(pinned, coercion!(dyn Debug));")]
            /// assert_eq!(format!("{shown:?}"), "3");
            /// ```
            pub fn unsize_pin<U: ?Sized>(
                this: ::core::pin::Pin<$Strong<T>>,
                coercion: $crate::Coercion<T, U>,
            ) -> ::core::pin::Pin<$Strong<U>> {
                // SAFETY: the pointer is taken out only to be put back in a `Pin`,
                // pointing at the same value, which unsizing does not move.
                let this = unsafe { ::core::pin::Pin::into_inner_unchecked(this) };
                let unsized_rc = $Strong::unsize(this, coercion);
                // SAFETY: as above: the same pinned value.
                unsafe { ::core::pin::Pin::new_unchecked(unsized_rc) }
            }
        }

        impl $Strong<$($any)+> {
            #[doc = concat!(" Attempts to downcast the `", stringify!($Strong), "<", stringify!($($any)+), ">` to a concrete type; gives it back")]
            /// unchanged if the value is not a `T`. The object is the same: its weak
            /// references, callbacks and finalizers stay.
            ///
            /// ```
            /// use std::any::Any;
            #[doc = concat!("use weakrefs::{coercion, ", stringify!($module), "::", stringify!($Strong), "};")]
            ///
            #[doc = concat!("let any: ", stringify!($Strong), "<", stringify!($($any)+), "> = ", stringify!($Strong), "::unsize(", stringify!($Strong), "::new(8i32), coercion!(", stringify!($($any)+), "));")]
            /// let any = any.downcast::<String>().unwrap_err(); // not a String
            /// assert_eq!(*any.downcast::<i32>().unwrap(), 8);
            /// ```
            pub fn downcast<T: ::core::any::Any + $($cb)+>(self) -> Result<$Strong<T>, Self> {
                if (*self).is::<T>() {
                    Ok($Strong {
                        // SAFETY: the value is a `T` (checked just above); the cast drops
                        // the vtable and keeps the address.
                        raw: unsafe { $crate::raw::strong::RawRc::cast(self.raw, |p| p.cast()) },
                    })
                } else {
                    Err(self)
                }
            }
        }

        impl From<&str> for $Strong<str> {
            #[doc = concat!(" Copies the string into a new `", stringify!($Strong), "<str>` (one allocation, the length in the")]
            /// pointer, as std).
            ///
            /// ```
            #[doc = concat!("use weakrefs::", stringify!($module), "::", stringify!($Strong), ";")]
            #[doc = concat!("let shared: ", stringify!($Strong), "<str> = ", stringify!($Strong), "::from(\"statue\");")]
            /// assert_eq!(&*shared, "statue");
            /// ```
            fn from(text: &str) -> $Strong<str> {
                let bytes = $Strong::<[u8]>::from(text.as_bytes());
                $Strong {
                    // SAFETY: the bytes are `text`'s, UTF-8; `[u8]` and `str` have the
                    // same layout and metadata (the length).
                    raw: unsafe { $crate::raw::strong::RawRc::cast(bytes.raw, |p| p as *mut _) },
                }
            }
        }

        impl From<String> for $Strong<str> {
            #[doc = concat!(" Copies the string into a new `", stringify!($Strong), "<str>` and frees it.")]
            fn from(text: String) -> $Strong<str> {
                $Strong::from(&text[..])
            }
        }

        impl From<&mut str> for $Strong<str> {
            #[doc = concat!(" Copies the string into a new `", stringify!($Strong), "<str>`.")]
            fn from(text: &mut str) -> $Strong<str> {
                $Strong::from(&*text)
            }
        }

        impl From<Box<str>> for $Strong<[u8]> {
            #[doc = concat!(" Moves the string's bytes into a new `", stringify!($Strong), "<[u8]>`.")]
            fn from(text: Box<str>) -> $Strong<[u8]> {
                $Strong::from(text.into_boxed_bytes())
            }
        }

        impl From<$Strong<str>> for $Strong<[u8]> {
            /// The same object, seen as its UTF-8 bytes (no copy).
            ///
            /// ```
            #[doc = concat!("use weakrefs::", stringify!($module), "::", stringify!($Strong), ";")]
            #[doc = concat!("let text: ", stringify!($Strong), "<str> = ", stringify!($Strong), "::from(\"eggplant\");")]
            #[doc = concat!("let bytes: ", stringify!($Strong), "<[u8]> = text.into();")]
            /// assert_eq!(&bytes[..3], b"egg");
            /// ```
            fn from(text: $Strong<str>) -> $Strong<[u8]> {
                $Strong {
                    // SAFETY: any `str` is valid `[u8]` (same layout and metadata).
                    raw: unsafe { $crate::raw::strong::RawRc::cast(text.raw, |p| p as *mut _) },
                }
            }
        }

        impl<'a> From<::std::borrow::Cow<'a, str>> for $Strong<str> {
            #[doc = concat!(" Copies the string into a new `", stringify!($Strong), "<str>`.")]
            fn from(text: ::std::borrow::Cow<'a, str>) -> $Strong<str> {
                $Strong::from(&*text)
            }
        }

        impl<T: Clone> From<&[T]> for $Strong<[T]> {
            #[doc = concat!(" Clones the elements into a new `", stringify!($Strong), "<[T]>`. If a clone panics, the clones made")]
            /// so far are dropped and the memory freed before the panic goes on.
            ///
            /// ```
            #[doc = concat!("use weakrefs::", stringify!($module), "::", stringify!($Strong), ";")]
            #[doc = concat!("let shared: ", stringify!($Strong), "<[i32]> = ", stringify!($Strong), "::from(&[1, 2, 3][..]);")]
            /// assert_eq!(&*shared, &[1, 2, 3]);
            /// ```
            fn from(slice: &[T]) -> $Strong<[T]> {
                $Strong {
                    raw: $crate::raw::strong::RawRc::from_slice(slice),
                }
            }
        }

        impl<T: Clone> From<&mut [T]> for $Strong<[T]> {
            #[doc = concat!(" Clones the elements into a new `", stringify!($Strong), "<[T]>`.")]
            fn from(slice: &mut [T]) -> $Strong<[T]> {
                $Strong::from(&*slice)
            }
        }

        impl<T> From<Vec<T>> for $Strong<[T]> {
            #[doc = concat!(" Moves the elements into a new `", stringify!($Strong), "<[T]>` and frees the vector's buffer.")]
            ///
            /// ```
            #[doc = concat!("use weakrefs::", stringify!($module), "::", stringify!($Strong), ";")]
            #[doc = concat!("let shared: ", stringify!($Strong), "<[String]> = ", stringify!($Strong), "::from(vec![\"a\".to_owned()]);")]
            /// assert_eq!(shared[0], "a");
            /// ```
            fn from(vec: Vec<T>) -> $Strong<[T]> {
                $Strong {
                    raw: $crate::raw::strong::RawRc::from_vec(vec),
                }
            }
        }

        impl<'a, T: Clone> From<::std::borrow::Cow<'a, [T]>> for $Strong<[T]> {
            #[doc = concat!(" Moves or clones the elements into a new `", stringify!($Strong), "<[T]>`.")]
            fn from(slice: ::std::borrow::Cow<'a, [T]>) -> $Strong<[T]> {
                match slice {
                    ::std::borrow::Cow::Borrowed(slice) => $Strong::from(slice),
                    ::std::borrow::Cow::Owned(vec) => $Strong::from(vec),
                }
            }
        }

        impl<T, const N: usize> From<[T; N]> for $Strong<[T]> {
            #[doc = concat!(" Moves the array's elements into a new `", stringify!($Strong), "<[T]>`.")]
            fn from(array: [T; N]) -> $Strong<[T]> {
                $Strong::from(Vec::from(array))
            }
        }

        impl<T> ::core::iter::FromIterator<T> for $Strong<[T]> {
            #[doc = concat!(" Collects the items into a new `", stringify!($Strong), "<[T]>` (through a `Vec`, so one copy of")]
            /// the elements).
            ///
            /// ```
            #[doc = concat!("use weakrefs::", stringify!($module), "::", stringify!($Strong), ";")]
            #[doc = concat!("let squares: ", stringify!($Strong), "<[u32]> = (1..4).map(|n| n * n).collect();")]
            /// assert_eq!(&*squares, &[1, 4, 9]);
            /// ```
            fn from_iter<I: IntoIterator<Item = T>>(items: I) -> $Strong<[T]> {
                $Strong::from(items.into_iter().collect::<Vec<T>>())
            }
        }

        impl<T: ?Sized + ::std::error::Error> ::std::error::Error for $Strong<T> {
            #[allow(deprecated)]
            fn description(&self) -> &str {
                ::std::error::Error::description(&**self)
            }

            #[allow(deprecated)]
            fn cause(&self) -> Option<&dyn ::std::error::Error> {
                ::std::error::Error::cause(&**self)
            }

            fn source(&self) -> Option<&(dyn ::std::error::Error + 'static)> {
                ::std::error::Error::source(&**self)
            }
        }

        impl<T> $Strong<[T]> {
            #[doc = concat!(" Constructs a new `", stringify!($Strong), "` slice of `len` uninitialised elements.")]
            ///
            /// ```
            #[doc = concat!("use weakrefs::", stringify!($module), "::", stringify!($Strong), ";")]
            #[doc = concat!("let mut values = ", stringify!($Strong), "::<[u32]>::new_uninit_slice(3);")]
            #[doc = concat!("for (i, slot) in ", stringify!($Strong), "::get_mut(&mut values).unwrap().iter_mut().enumerate() {")]
            ///     slot.write(i as u32);
            /// }
            /// // SAFETY: every element was written above.
            /// let values = unsafe { values.assume_init() };
            /// assert_eq!(&*values, [0, 1, 2]);
            /// ```
            pub fn new_uninit_slice(len: usize) -> $Strong<[::core::mem::MaybeUninit<T>]> {
                $Strong {
                    raw: $crate::raw::strong::RawRc::<[T], $crate::flavor::$Flavor>::new_uninit_slice(len, false),
                }
            }

            #[doc = concat!(" Constructs a new `", stringify!($Strong), "` slice of `len` elements whose bytes are all zero.")]
            ///
            /// ```
            #[doc = concat!("use weakrefs::", stringify!($module), "::", stringify!($Strong), ";")]
            #[doc = concat!("let zeros = ", stringify!($Strong), "::<[u64]>::new_zeroed_slice(2);")]
            /// // SAFETY: all-zero bytes are a valid `u64`.
            /// assert_eq!(&*unsafe { zeros.assume_init() }, [0, 0]);
            /// ```
            pub fn new_zeroed_slice(len: usize) -> $Strong<[::core::mem::MaybeUninit<T>]> {
                $Strong {
                    raw: $crate::raw::strong::RawRc::<[T], $crate::flavor::$Flavor>::new_uninit_slice(len, true),
                }
            }
        }

        impl<T> $Strong<[::core::mem::MaybeUninit<T>]> {
            #[doc = concat!(" Converts to `", stringify!($Strong), "<[T]>`: the same allocation and references.")]
            ///
            /// # Safety
            ///
            /// Every element must be initialised, as for
            /// [`MaybeUninit::assume_init`](core::mem::MaybeUninit::assume_init).
            ///
            /// ```
            #[doc = concat!("use weakrefs::", stringify!($module), "::", stringify!($Strong), ";")]
            #[doc = concat!("let mut pair = ", stringify!($Strong), "::<[u8]>::new_uninit_slice(2);")]
            #[doc = concat!(stringify!($Strong), "::get_mut(&mut pair).unwrap().fill(::core::mem::MaybeUninit::new(9));")]
            /// // SAFETY: both elements were written above.
            /// assert_eq!(&*unsafe { pair.assume_init() }, [9, 9]);
            /// ```
            pub unsafe fn assume_init(self) -> $Strong<[T]> {
                $Strong {
                    // SAFETY: `MaybeUninit<T>` has `T`'s layout, so the slices have the
                    // same layout and length; the caller guarantees the elements.
                    raw: unsafe { $crate::raw::strong::RawRc::cast(self.raw, |p| p as *mut _) },
                }
            }
        }

        impl Default for $Strong<str> {
            #[doc = concat!(" An empty `", stringify!($Strong), "<str>`.")]
            fn default() -> $Strong<str> {
                $Strong::from("")
            }
        }

        impl<T> Default for $Strong<[T]> {
            #[doc = concat!(" An empty `", stringify!($Strong), "<[T]>`.")]
            fn default() -> $Strong<[T]> {
                $Strong::from(Vec::new())
            }
        }

        impl<T, const N: usize> TryFrom<$Strong<[T]>> for $Strong<[T; N]> {
            type Error = $Strong<[T]>;

            /// The same object seen as an array, if it has exactly `N` elements;
            /// otherwise the slice back.
            ///
            /// ```
            #[doc = concat!("use weakrefs::", stringify!($module), "::", stringify!($Strong), ";")]
            #[doc = concat!("let slice: ", stringify!($Strong), "<[u8]> = ", stringify!($Strong), "::from(vec![1, 2]);")]
            #[doc = concat!("let array: ", stringify!($Strong), "<[u8; 2]> = slice.try_into().unwrap();")]
            /// assert_eq!(*array, [1, 2]);
            /// ```
            fn try_from(slice: $Strong<[T]>) -> Result<$Strong<[T; N]>, $Strong<[T]>> {
                if slice.len() != N {
                    return Err(slice);
                }
                Ok($Strong {
                    // SAFETY: `[T]` of length `N` has `[T; N]`'s layout.
                    raw: unsafe { $crate::raw::strong::RawRc::cast(slice.raw, |p| p.cast()) },
                })
            }
        }

        $crate::api::strong::from_boxed_std!($Strong;
            ::std::path::Path, ::std::path::PathBuf, into_boxed_path;
            ::std::ffi::OsStr, ::std::ffi::OsString, into_boxed_os_str;
            ::std::ffi::CStr, ::std::ffi::CString, into_boxed_c_str
        );
    };
}

pub(crate) use strong;

/// std's conversions into a strong pointer to an unsized std type that has a boxed
/// form (`Path`, `OsStr`, `CStr`): from a borrow (`&` and `&mut`, copied) and from
/// the owned type (moved), each through `From<Box<T>>`.
macro_rules! from_boxed_std {
    ($Strong:ident; $($Unsized:ty, $Owned:ty, $into_boxed:ident);+) => {
        $(
            impl From<&$Unsized> for $Strong<$Unsized> {
                #[doc = concat!(" Copies the value into a new `", stringify!($Strong), "`.")]
                fn from(value: &$Unsized) -> $Strong<$Unsized> {
                    $Strong::from(Box::<$Unsized>::from(value))
                }
            }

            impl From<&mut $Unsized> for $Strong<$Unsized> {
                #[doc = concat!(" Copies the value into a new `", stringify!($Strong), "`.")]
                fn from(value: &mut $Unsized) -> $Strong<$Unsized> {
                    $Strong::from(&*value)
                }
            }

            impl From<$Owned> for $Strong<$Unsized> {
                #[doc = concat!(" Moves the value into a new `", stringify!($Strong), "`.")]
                fn from(value: $Owned) -> $Strong<$Unsized> {
                    $Strong::from(value.$into_boxed())
                }
            }
        )+
    };
}

pub(crate) use from_boxed_std;
