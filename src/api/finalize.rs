//! `finalize` and `Finalize`, written once: [`finalize!`] is instantiated in `rc` and
//! `sync` with the flavour's module name, strong pointer and core flavour, its "at
//! exit" documentation, and the bounds its functions and arguments need.

/// Defines `finalize` and `Finalize` in the calling flavour module.
macro_rules! finalize {
    ($module:ident, $Strong:ident, $Flavor:ident, exit_when: $exit_when:literal, at_exit: $at_exit:literal, bounds: [$($bound:tt)+]) => {
        /// Registers `func(args)` to run once when `obj` dies: Python's
        /// `weakref.finalize(obj, func, *args)`.
        ///
        /// The registration keeps itself alive: dropping the returned [`Finalize`] (or never
        /// binding it) does not cancel it. `func` then runs exactly once, at the first of:
        ///
        #[doc = concat!(" * `obj`'s death, on the thread that drops the last `", stringify!($Strong), "`, after `T`'s destructor,")]
        ///   newest registration first among the object's finalizers and weak-reference
        #[doc = concat!("   callbacks (see [`", stringify!($Strong), "`](super::", stringify!($Strong), ")); a panic is caught and reported;")]
        /// * an explicit [`Finalize::call`], which returns `func`'s result (a panic reaches the
        ///   caller);
        #[doc = concat!(" * exit (for `", stringify!($module), "`: ", $exit_when, "), if it is still alive then and its")]
        ///   [`atexit`](Finalize::atexit) flag is set (the default): see "At exit" below.
        ///
        /// [`Finalize::detach`] cancels it instead and hands back the object and `args`.
        ///
        #[doc = concat!(" `func` must not own an `", stringify!($Strong), "` to `obj` (directly or through `args`): the object")]
        /// would then keep itself alive, and the finalizer could only run at exit. Pass what
        /// the cleanup needs as `args` instead of capturing it, so that `detach` can give it
        /// back.
        ///
        #[doc = $at_exit]
        ///
        /// # Example
        ///
        /// ```
        /// use std::sync::{Arc as Shared, Mutex};
        #[doc = concat!("use weakrefs::", stringify!($module), "::{finalize, ", stringify!($Strong), "};")]
        ///
        /// type Log = Shared<Mutex<Vec<String>>>;
        /// let log = Log::default();
        #[doc = concat!("let obj = ", stringify!($Strong), "::new(\"a file handle\");")]
        /// finalize(&obj, |(log, name): (Log, &str)| {
        ///     log.lock().unwrap().push(format!("closed {name}"))
        /// }, (log.clone(), "data.txt"));
        ///
        /// drop(obj);
        /// assert_eq!(*log.lock().unwrap(), ["closed data.txt"]);
        /// ```
        pub fn finalize<T: ?Sized, A, R, Func>(obj: &$crate::$module::$Strong<T>, func: Func, args: A) -> Finalize<T, A, R>
        where
            Func: FnOnce(A) -> R + $($bound)+,
            A: $($bound)+,
            R: 'static,
        {
            Finalize {
                raw: $crate::raw::finalize::RawFinalize::register(&obj.raw, func, args),
            }
        }

        /// A handle on a finalizer made by [`finalize`]; clones share the finalizer.
        ///
        /// `T` is the object's type, `A` the arguments' and `R` the function's result type.
        /// Dropping every handle leaves the finalizer registered.
        ///
        /// `Debug` prints Python's `repr`: `<finalize object at 0x…; for 'Type' at 0x…>` while
        /// the finalizer and its object are alive, `<finalize object at 0x…; dead>` otherwise.
        ///
        /// A handle can pass for one with a shorter-lived `T` (it is covariant), never
        /// for one with a longer-lived `T`, which would hand out an object that its
        /// borrow outlived:
        ///
        /// ```compile_fail
        #[doc = concat!("use weakrefs::", stringify!($module), "::Finalize;")]
        /// fn widen<'a>(f: Finalize<&'a String, ()>) -> Finalize<&'static String, ()> {
        ///     f // error: lifetime may not live long enough
        /// }
        /// ```
        pub struct Finalize<T: ?Sized, A, R = ()> {
            raw: $crate::raw::finalize::RawFinalize<T, $crate::flavor::$Flavor, A, R>,
        }

        impl<T: ?Sized, A, R> Finalize<T, A, R> {
            /// Calls the function now, if the finalizer is alive, and returns its result;
            /// the finalizer is dead afterwards. Returns `None` if it was already called,
            /// detached, or run by the object's death or at exit. A panic in the function
            /// reaches the caller (the finalizer is dead all the same).
            ///
            /// ```
            #[doc = concat!("use weakrefs::", stringify!($module), "::{finalize, ", stringify!($Strong), "};")]
            #[doc = concat!("let obj = ", stringify!($Strong), "::new(());")]
            /// let f = finalize(&obj, |(x, y, z): (i32, i32, i32)| x + y + z, (67, 43, 89));
            /// assert_eq!(f.call(), Some(199));
            /// assert_eq!(f.call(), None);
            /// assert!(!f.alive());
            /// ```
            pub fn call(&self) -> Option<R> {
                self.raw.call()
            }

            /// Whether the finalizer is alive: not yet called, detached or triggered.
            ///
            /// ```
            #[doc = concat!("use weakrefs::", stringify!($module), "::{finalize, ", stringify!($Strong), "};")]
            #[doc = concat!("let obj = ", stringify!($Strong), "::new(());")]
            /// let f = finalize(&obj, |()| (), ());
            /// assert!(f.alive());
            /// drop(obj);
            /// assert!(!f.alive());
            /// ```
            pub fn alive(&self) -> bool {
                self.raw.alive()
            }

            /// If the finalizer and its object are alive, cancels the finalizer (its function
            /// is dropped without running) and returns the object and the arguments, exactly
            /// once. Otherwise returns `None` and changes nothing.
            ///
            /// ```
            #[doc = concat!("use weakrefs::", stringify!($module), "::{finalize, ", stringify!($Strong), "};")]
            #[doc = concat!("let obj = ", stringify!($Strong), "::new(5);")]
            /// let f = finalize(&obj, |buf: Vec<u8>| drop(buf), vec![1, 2, 3]);
            /// let (back, args) = f.detach().unwrap();
            #[doc = concat!("assert!(", stringify!($Strong), "::ptr_eq(&back, &obj));")]
            /// assert_eq!(args, [1, 2, 3]);
            /// assert!(f.detach().is_none());
            /// assert!(!f.alive());
            /// ```
            pub fn detach(&self) -> Option<($crate::$module::$Strong<T>, A)> {
                self.raw.detach().map(|(raw, args)| ($crate::$module::$Strong { raw }, args))
            }

            /// If the finalizer and its object are alive, returns the object and a clone of
            /// the arguments, leaving the finalizer alive; otherwise `None`.
            ///
            /// From inside `A::clone` itself, calling or detaching this finalizer panics
            /// (and a `peek` gives `None`).
            #[doc = $crate::api::sync_only!($module, " On another thread, a call or detach of this finalizer while `A::clone` runs waits for it.")]
            ///
            /// ```
            #[doc = concat!("use weakrefs::", stringify!($module), "::{finalize, ", stringify!($Strong), "};")]
            #[doc = concat!("let obj = ", stringify!($Strong), "::new(());")]
            /// let f = finalize(&obj, |name: String| drop(name), "tmp".to_owned());
            /// let (o, args) = f.peek().unwrap();
            #[doc = concat!("assert!(", stringify!($Strong), "::ptr_eq(&o, &obj));")]
            /// assert_eq!(args, "tmp");
            /// assert!(f.alive());
            /// ```
            pub fn peek(&self) -> Option<($crate::$module::$Strong<T>, A)>
            where
                A: Clone,
            {
                self.raw.peek().map(|(raw, args)| ($crate::$module::$Strong { raw }, args))
            }

            /// Whether the finalizer runs at exit (see [`finalize`]) if still alive then
            /// (default `true`);
            /// `false` once it is dead.
            ///
            /// ```
            #[doc = concat!("use weakrefs::", stringify!($module), "::{finalize, ", stringify!($Strong), "};")]
            #[doc = concat!("let obj = ", stringify!($Strong), "::new(());")]
            /// let f = finalize(&obj, |()| (), ());
            /// assert!(f.atexit());
            /// f.set_atexit(false);
            /// assert!(!f.atexit());
            /// ```
            pub fn atexit(&self) -> bool {
                self.raw.atexit()
            }

            /// Sets the at-exit flag; no effect on a dead finalizer.
            ///
            /// ```
            #[doc = concat!("use weakrefs::", stringify!($module), "::{finalize, ", stringify!($Strong), "};")]
            #[doc = concat!("let obj = ", stringify!($Strong), "::new(());")]
            /// let f = finalize(&obj, |()| println!("not at exit"), ());
            /// f.set_atexit(false);
            /// assert!(!f.atexit());
            /// f.set_atexit(true);
            /// assert!(f.atexit());
            /// ```
            pub fn set_atexit(&self, atexit: bool) {
                self.raw.set_atexit(atexit)
            }
        }

        impl<T: ?Sized, A, R> Clone for Finalize<T, A, R> {
            /// Another handle on the same finalizer.
            fn clone(&self) -> Self {
                Finalize {
                    raw: self.raw.clone(),
                }
            }
        }

        impl<T: ?Sized, A, R> ::core::fmt::Debug for Finalize<T, A, R> {
            fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                let referent = self.raw.live_referent();
                $crate::repr::finalize(
                    f,
                    self.raw.identity(),
                    referent,
                    ::core::any::type_name::<T>(),
                )
            }
        }
    };
}

pub(crate) use finalize;
