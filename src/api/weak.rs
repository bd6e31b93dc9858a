//! `Weak`, written once: [`weak!`] is instantiated in `rc` and `sync` with the
//! flavour's module name, strong pointer and core flavour (the flavour module brings
//! the names the body uses into scope).

/// Defines `Weak` in the calling flavour module.
macro_rules! weak {
    ($module:ident, $Strong:ident, $Flavor:ident) => {
        #[doc = concat!(" A weak pointer to an [`", stringify!($Strong), "`](super::", stringify!($Strong), ")'s value, which may carry a death callback.")]
        ///
        #[doc = concat!(" `Weak<T>` is a superset of [`std::", stringify!($module), "::Weak<T>`], the size of std's (one pointer, two for unsized `T`).")]
        #[doc = concat!(" It does not keep the value alive; [`upgrade`](Weak::upgrade) gives an `", stringify!($Strong), "` while")]
        /// the value lives and `None` for ever after (Python's `r()` returning `None`).
        ///
        #[doc = concat!(" A `Weak` made by [`", stringify!($Strong), "::downgrade_with`](super::", stringify!($Strong), "::downgrade_with) also carries a callback, run once when")]
        /// the value dies, with this very `Weak` as its argument; all its clones share one
        #[doc = concat!(" identity and one registration. Plain `Weak`s (from [`", stringify!($Strong), "::downgrade`](super::", stringify!($Strong), "::downgrade)) to one object")]
        /// are, as in Python, all one shared weak reference.
        ///
        /// # Drop check
        ///
        #[doc = concat!(" std's `Weak` marks its `Drop` with the unstable `#[may_dangle]`: dropping a `Weak<&'a U>`")]
        /// after `'a` has ended compiles there, because dropping a weak reference never uses
        /// the value. Stable Rust cannot say that (a `Weak`'s drop may free the allocation,
        /// whose layout depends on `T`), so the borrow checker treats this `Weak`'s drop as
        /// a use of `T`: where std would accept a `Weak` that outlives what its `T`
        /// borrows, drop the `Weak` first. This compiles with std's `Weak`, not with ours:
        ///
        /// ```compile_fail
        #[doc = concat!("use weakrefs::", stringify!($module), "::Weak;")]
        ///
        /// fn tie<'a>(weak: &'a mut Weak<&'a str>) -> Weak<&'a str> {
        ///     weak.clone()
        /// }
        /// let mut weak = Weak::new();
        /// tie(&mut weak); // error: `weak` is borrowed for as long as it lives
        /// ```
        ///
        /// # `Debug`
        ///
        /// Python's `repr` of a weak reference: `<weakref at 0x…; to 'Type' at 0x…>` while the
        /// value lives and `<weakref at 0x…; dead>` after. The first address is this weak
        /// reference's identity (the same for all its clones, and for its whole life); the
        #[doc = concat!(" second is the value's address ([`", stringify!($Strong), "::as_ptr`](super::", stringify!($Strong), "::as_ptr)). `Type` is the last path segment of")]
        /// the type's name. A `Weak` made by [`Weak::new`](super::Weak::new) points nowhere and
        /// has no identity to share: it prints `<weakref at 0x…; dead>` with the address of
        /// the handle itself (so two such handles print different addresses), never a
        /// sentinel value.
        ///
        /// ```
        #[doc = concat!("use weakrefs::", stringify!($module), "::", stringify!($Strong), ";")]
        ///
        /// struct ExpensiveObject;
        #[doc = concat!("let obj = ", stringify!($Strong), "::new(ExpensiveObject);")]
        #[doc = concat!("let r = ", stringify!($Strong), "::downgrade(&obj);")]
        /// let shown = format!("{r:?}");
        /// assert!(shown.starts_with("<weakref at 0x"));
        #[doc = concat!("assert!(shown.ends_with(&format!(\"; to 'ExpensiveObject' at {:p}>\", ", stringify!($Strong), "::as_ptr(&obj))));")]
        /// drop(obj);
        /// assert!(format!("{r:?}").ends_with("; dead>"));
        /// ```
        ///
        /// # Equality and hashing
        ///
        /// `Weak<T: PartialEq>` compares as Python's weak references do: while both values
        /// are alive, by the values; otherwise by identity ([`Weak::ref_eq`](super::Weak::ref_eq)). `Weak` has no
        /// ordering (Python raises `TypeError`) and no `Hash`: Python caches the referent's
        /// hash in the reference, which Rust's hasher-generic `Hash` cannot do; hash
        /// `upgrade()`'s result, or use [`Weak::as_ptr`](super::Weak::as_ptr) as an identity key.
        ///
        /// ```compile_fail
        #[doc = concat!("use weakrefs::", stringify!($module), "::", stringify!($Strong), ";")]
        #[doc = concat!("let (a, b) = (", stringify!($Strong), "::new(1), ", stringify!($Strong), "::new(2));")]
        #[doc = concat!("let _ = ", stringify!($Strong), "::downgrade(&a) < ", stringify!($Strong), "::downgrade(&b); // weak references are not ordered")]
        /// ```
        #[repr(transparent)]
        pub struct Weak<T: ?Sized> {
            pub(crate) raw: $crate::raw::weak::RawWeak<T, $crate::flavor::$Flavor>,
        }

        impl<T: ::core::panic::RefUnwindSafe + ?Sized> ::core::panic::UnwindSafe for Weak<T> {}
        impl<T: ::core::panic::RefUnwindSafe + ?Sized> ::core::panic::RefUnwindSafe for Weak<T> {}

        impl<T: ?Sized> Weak<T> {
            /// Views the core handle as a `Weak`, for callbacks.
            pub(crate) fn from_raw_ref(raw: &$crate::raw::weak::RawWeak<T, $crate::flavor::$Flavor>) -> &Weak<T> {
                // SAFETY: `Weak` is a `repr(transparent)` wrapper of `RawWeak<T, $Flavor>`.
                unsafe { &*(raw as *const $crate::raw::weak::RawWeak<T, $crate::flavor::$Flavor> as *const Weak<T>) }
            }
        }

        impl<T> Weak<T> {

            /// Constructs a new `Weak<T>` that points to nothing. It allocates nothing and
            /// never upgrades.
            ///
            /// ```
            #[doc = concat!("use weakrefs::", stringify!($module), "::Weak;")]
            /// let empty: Weak<i64> = Weak::new();
            /// assert!(empty.upgrade().is_none());
            /// ```
            pub const fn new() -> Weak<T> {
                Weak {
                    raw: $crate::raw::weak::RawWeak::new(),
                }
            }
        }

        impl<T: ?Sized> Weak<T> {

            #[doc = concat!(" Attempts to upgrade the `Weak` pointer to an [`", stringify!($Strong), "`](super::", stringify!($Strong), "), delaying dropping of the")]
            /// value if successful. Returns `None` once the value has died, and from the start
            /// of its death: inside `T`'s destructor and inside every callback.
            ///
            /// ```
            #[doc = concat!("use weakrefs::", stringify!($module), "::", stringify!($Strong), ";")]
            #[doc = concat!("let five = ", stringify!($Strong), "::new(5);")]
            #[doc = concat!("let weak_five = ", stringify!($Strong), "::downgrade(&five);")]
            /// assert!(weak_five.upgrade().is_some());
            /// drop(five);
            /// assert!(weak_five.upgrade().is_none());
            /// ```
            #[inline]
            pub fn upgrade(&self) -> Option<$crate::$module::$Strong<T>> {
                self.raw.upgrade().map(|raw| $crate::$module::$Strong { raw })
            }

            #[doc = concat!(" Gets the number of strong (`", stringify!($Strong), "`) pointers to the value; 0 if it is dead or this")]
            /// `Weak` was made by [`Weak::new`](super::Weak::new).
            ///
            /// ```
            #[doc = concat!("use weakrefs::", stringify!($module), "::", stringify!($Strong), ";")]
            #[doc = concat!("let five = ", stringify!($Strong), "::new(5);")]
            #[doc = concat!("let weak = ", stringify!($Strong), "::downgrade(&five);")]
            /// assert_eq!(weak.strong_count(), 1);
            /// ```
            pub fn strong_count(&self) -> usize {
                self.raw.strong_count()
            }

            #[doc = concat!(" Gets the number of weak pointers to the value, counted as [`", stringify!($Strong), "::weak_count`](super::", stringify!($Strong), "::weak_count)")]
            /// counts them; 0 if it is dead (std's rule) or this `Weak` is dangling.
            ///
            /// ```
            #[doc = concat!("use weakrefs::", stringify!($module), "::", stringify!($Strong), ";")]
            #[doc = concat!("let five = ", stringify!($Strong), "::new(5);")]
            #[doc = concat!("let weak = ", stringify!($Strong), "::downgrade(&five);")]
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
            /// `ptr_eq` even if they are different weak references; see [`Weak::ref_eq`](super::Weak::ref_eq).
            ///
            /// ```
            #[doc = concat!("use weakrefs::", stringify!($module), "::{", stringify!($Strong), ", Weak};")]
            #[doc = concat!("let obj = ", stringify!($Strong), "::new(());")]
            #[doc = concat!("let plain = ", stringify!($Strong), "::downgrade(&obj);")]
            #[doc = concat!("let with_callback = ", stringify!($Strong), "::downgrade_with(&obj, |_| ());")]
            /// assert!(Weak::ptr_eq(&plain, &with_callback));
            /// assert!(!Weak::ref_eq(&plain, &with_callback));
            /// ```
            pub fn ptr_eq(&self, other: &Weak<T>) -> bool {
                self.raw.ptr_eq(&other.raw)
            }

            /// Returns `true` if the two `Weak`s are the same weak reference: Python's `is`.
            /// Clones share their original's identity, and all plain `Weak`s to one object are
            #[doc = concat!(" one reference; each [`", stringify!($Strong), "::downgrade_with`](super::", stringify!($Strong), "::downgrade_with) makes a new one.")]
            ///
            /// ```
            #[doc = concat!("use weakrefs::", stringify!($module), "::{", stringify!($Strong), ", Weak};")]
            #[doc = concat!("let obj = ", stringify!($Strong), "::new(());")]
            #[doc = concat!("let a = ", stringify!($Strong), "::downgrade_with(&obj, |_| ());")]
            /// assert!(Weak::ref_eq(&a, &a.clone()));
            #[doc = concat!("assert!(Weak::ref_eq(&", stringify!($Strong), "::downgrade(&obj), &", stringify!($Strong), "::downgrade(&obj)));")]
            /// ```
            pub fn ref_eq(&self, other: &Weak<T>) -> bool {
                self.raw.ref_eq(&other.raw)
            }

            /// Returns a raw pointer to the value (valid to dereference only while a strong
            /// reference exists); for a dangling `Weak`, a dangling pointer.
            ///
            /// ```
            #[doc = concat!("use weakrefs::", stringify!($module), "::", stringify!($Strong), ";")]
            #[doc = concat!("let strong = ", stringify!($Strong), "::new(\"hello\".to_owned());")]
            #[doc = concat!("let weak = ", stringify!($Strong), "::downgrade(&strong);")]
            /// assert!(std::ptr::eq(&*strong, weak.as_ptr()));
            /// ```
            pub fn as_ptr(&self) -> *const T {
                self.raw.as_ptr()
            }

            /// Consumes the `Weak<T>` and turns it into a raw pointer, keeping one weak
            /// reference; [`Weak::from_raw`](super::Weak::from_raw) turns it back.
            ///
            /// The raw form always stands for a *plain* weak pointer: for a `Weak` with a
            /// callback, a plain weak reference is taken and this handle dropped, so the
            /// callback stays registered only if other clones of this `Weak` remain.
            ///
            /// ```
            #[doc = concat!("use weakrefs::", stringify!($module), "::{", stringify!($Strong), ", Weak};")]
            #[doc = concat!("let strong = ", stringify!($Strong), "::new(7);")]
            #[doc = concat!("let raw = ", stringify!($Strong), "::downgrade(&strong).into_raw();")]
            /// let weak = unsafe { Weak::from_raw(raw) };
            /// assert_eq!(*weak.upgrade().unwrap(), 7);
            /// ```
            pub fn into_raw(self) -> *const T {
                self.raw.into_raw()
            }

            /// Converts a raw pointer from [`Weak::into_raw`](super::Weak::into_raw) back into a `Weak<T>`.
            ///
            /// # Safety
            ///
            #[doc = concat!(" `ptr` must come from `weakrefs::", stringify!($module), "::Weak::<T>::into_raw` (the same `T`) and be")]
            /// converted back only once.
            ///
            /// ```
            #[doc = concat!("use weakrefs::", stringify!($module), "::{", stringify!($Strong), ", Weak};")]
            #[doc = concat!("let strong = ", stringify!($Strong), "::new(\"kept\");")]
            #[doc = concat!("let raw = ", stringify!($Strong), "::downgrade(&strong).into_raw();")]
            /// // SAFETY: `raw` came from `Weak::into_raw` and is converted back once.
            /// let weak: Weak<&str> = unsafe { Weak::from_raw(raw) };
            /// assert_eq!(weak.upgrade().as_deref(), Some(&"kept"));
            /// drop(strong);
            /// assert!(weak.upgrade().is_none());
            /// ```
            pub unsafe fn from_raw(ptr: *const T) -> Weak<T> {
                Weak {
                    // SAFETY: forwarded contract.
                    raw: unsafe { $crate::raw::weak::RawWeak::from_raw(ptr) },
                }
            }

            /// Whether this weak reference still has a callback: Python's
            #[doc = concat!(" `r.__callback__ is not None`. True for a `Weak` from [`", stringify!($Strong), "::downgrade_with`](super::", stringify!($Strong), "::downgrade_with)")]
            #[doc = concat!(" (or standing for a finalizer, from [`", stringify!($Strong), "::weakrefs`](super::", stringify!($Strong), "::weakrefs)) until the value dies or")]
            /// the registration ends; false for plain and dangling ones.
            ///
            /// ```
            #[doc = concat!("use weakrefs::", stringify!($module), "::", stringify!($Strong), ";")]
            #[doc = concat!("let obj = ", stringify!($Strong), "::new(());")]
            #[doc = concat!("let r = ", stringify!($Strong), "::downgrade_with(&obj, |_| ());")]
            /// assert!(r.has_callback());
            #[doc = concat!("assert!(!", stringify!($Strong), "::downgrade(&obj).has_callback());")]
            /// drop(obj);
            /// assert!(!r.has_callback()); // cleared by the death
            /// ```
            pub fn has_callback(&self) -> bool {
                self.raw.has_callback()
            }
        }

        impl<T: ?Sized> Weak<T> {
            /// The same weak reference seen as a `Weak<U>`: `Weak<T>` to
            /// `Weak<dyn Trait>`. It keeps its identity and its callback; a dangling one
            /// stays dangling. Make the coercion with [`coercion!`](crate::coercion!).
            ///
            /// # Panics
            ///
            /// If the coercion moves the pointer (a [`Coercion`](crate::Coercion) made
            /// with `unsafe` that breaks its contract).
            ///
            /// ```
            /// use std::fmt::Display;
            #[doc = concat!("use weakrefs::{coercion, ", stringify!($module), "::{", stringify!($Strong), ", Weak}};")]
            ///
            #[doc = concat!("let five = ", stringify!($Strong), "::new(5);")]
            #[doc = concat!("let weak: Weak<dyn Display + Send + Sync> = Weak::unsize(", stringify!($Strong), "::downgrade(&five), coercion!(dyn Display + Send + Sync));")]
            /// assert_eq!(weak.upgrade().unwrap().to_string(), "5");
            /// drop(five);
            /// assert!(weak.upgrade().is_none());
            /// ```
            pub fn unsize<U: ?Sized>(this: Weak<T>, coercion: $crate::Coercion<T, U>) -> Weak<U> {
                Weak {
                    raw: $crate::raw::weak::RawWeak::unsize(this.raw, coercion.get()),
                }
            }
        }

        impl<T: ?Sized> Clone for Weak<T> {
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
            /// A dangling `Weak`, as [`Weak::new`](super::Weak::new).
            fn default() -> Weak<T> {
                Weak::new()
            }
        }

        impl<T: PartialEq + ?Sized> PartialEq for Weak<T> {
            /// Python's rule: both alive, compare the values; otherwise, the same weak
            /// reference ([`Weak::ref_eq`](super::Weak::ref_eq)).
            fn eq(&self, other: &Weak<T>) -> bool {
                match (self.upgrade(), other.upgrade()) {
                    (Some(a), Some(b)) => *a == *b,
                    _ => self.ref_eq(other),
                }
            }
        }

        impl<T: ?Sized> ::core::fmt::Debug for Weak<T> {
            fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                let referent = self.upgrade().map(|rc| $crate::$module::$Strong::as_ptr(&rc));
                // A dangling `Weak` (`Weak::new`) has no shared identity: the handle's
                // own address stands in for it.
                let identity = self.raw.identity().unwrap_or(::core::ptr::from_ref(self).cast());
                $crate::repr::weakref(
                    f,
                    identity,
                    referent,
                    ::core::any::type_name::<T>(),
                )
            }
        }
    };
}

pub(crate) use weak;
