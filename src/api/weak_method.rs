//! `WeakMethod` (Python's `weakref.WeakMethod`): a method bound weakly to its
//! receiver. Written once, as [`weak_method!`], and instantiated in `rc` and `sync`.
//!
//! A `WeakMethod` is a handle to a shared record: the receiver's weak reference, the
//! method (owned, or a weak reference to a shared function), a "dead" flag and the
//! user's callback. The receiver's (and a shared function's) weak reference carries an
//! internal callback that holds the record *weakly*: it sets the flag and runs the
//! user's callback once, at the first of the deaths. The record is freed as soon as
//! the last handle goes, cancelling those callbacks (no cycle, R13.6).

// The record's flag and mutex: loom's under `--cfg loom`, so that the model tests
// explore the race between a death and `with_callback`.
#[cfg(loom)]
pub(crate) use loom::sync::{atomic::AtomicBool, Mutex};
#[cfg(not(loom))]
pub(crate) use std::sync::{atomic::AtomicBool, Mutex};

/// Defines `WeakMethod` in the calling flavour module.
macro_rules! weak_method {
    (
        $module:ident, $Strong:ident,
        fn_bounds: [$($fb:tt)*], callback_bounds: [$($cb:tt)+]
    ) => {

        /// What a `WeakMethod` calls.
        enum Method<F> {
            /// A function the `WeakMethod` owns (a method path, a closure).
            Owned(F),
            /// A shared function, held weakly: its death kills the `WeakMethod` too.
            Shared($crate::$module::Weak<F>),
        }

        type UserCallback<T, F> = Box<dyn FnOnce(&WeakMethod<T, F>) + $($cb)+>;

        /// The user's callback, and whether the death that runs it has happened.
        /// Both change together, under the mutex: a callback set after that death runs
        /// at once, one set before it runs with it, never neither.
        struct CallbackState<T, F> {
            died: bool,
            callback: Option<UserCallback<T, F>>,
        }

        struct Record<T, F> {
            receiver: $crate::$module::Weak<T>,
            method: Method<F>,
            /// Set at the first death; read without the lock by `call` and friends.
            dead: $crate::api::weak_method::AtomicBool,
            callback: $crate::api::weak_method::Mutex<CallbackState<T, F>>,
        }

        /// A method bound weakly to its receiver (Python's `weakref.WeakMethod`).
        ///
        #[doc = concat!("It holds a weak reference to the receiver (an `", stringify!($Strong), "<T>`) and a method, a")]
        /// function taking `&T` and arguments. [`call`](Self::call) calls the method on the
        /// receiver, or returns `None` once the receiver is dead. Made with
        /// [`new_shared`](Self::new_shared), it holds the function weakly too, and also
        /// dies with it. A callback set with [`with_callback`](Self::with_callback) runs
        /// once, with the `WeakMethod`, at the first of those deaths.
        ///
        /// This is the building block of observer lists whose dead listeners drop out
        /// by themselves (see `examples/observer.rs`).
        ///
        /// # Example
        ///
        /// ```
        #[doc = concat!("use weakrefs::", stringify!($module), "::{", stringify!($Strong), ", WeakMethod};")]
        ///
        /// struct Counter(std::sync::atomic::AtomicU32);
        /// impl Counter {
        ///     fn bump(&self, by: u32) -> u32 {
        ///         self.0.fetch_add(by, std::sync::atomic::Ordering::SeqCst) + by
        ///     }
        /// }
        ///
        #[doc = concat!("let counter = ", stringify!($Strong), "::new(Counter(0.into()));")]
        /// let bump = WeakMethod::new(&counter, Counter::bump);
        /// assert_eq!(bump.call(2), Some(2));
        /// drop(counter);
        /// assert_eq!(bump.call(2), None);
        /// ```
        pub struct WeakMethod<T, F> {
            record: ::std::$module::$Strong<Record<T, F>>,
        }

        impl<T, F> WeakMethod<T, F>
        where
            T: $($fb)*,
            F: $($fb)*,
        {
            fn make(receiver: &$crate::$module::$Strong<T>, method: impl FnOnce(&::std::$module::Weak<Record<T, F>>) -> Method<F>) -> Self {
                let record = ::std::$module::$Strong::new_cyclic(|me| {
                    let for_receiver = me.clone();
                    Record {
                        receiver: $crate::$module::$Strong::downgrade_with(receiver, move |_| Self::died(&for_receiver)),
                        method: method(me),
                        dead: $crate::api::weak_method::AtomicBool::new(false),
                        callback: $crate::api::weak_method::Mutex::new(CallbackState { died: false, callback: None }),
                    }
                });
                WeakMethod { record }
            }

            /// The receiver or the shared function died: mark dead, run the callback,
            /// once.
            fn died(me: &::std::$module::Weak<Record<T, F>>) {
                let Some(record) = me.upgrade() else {
                    return;
                };
                if record.dead.swap(true, ::std::sync::atomic::Ordering::AcqRel) {
                    return;
                }
                let callback = {
                    let mut state = record.callback.lock().unwrap_or_else(|e| e.into_inner());
                    state.died = true;
                    state.callback.take()
                };
                if let Some(callback) = callback {
                    callback(&WeakMethod { record });
                }
            }

            /// `method` bound weakly to `receiver`; `method` is owned.
            ///
            /// ```
            #[doc = concat!("use weakrefs::", stringify!($module), "::{", stringify!($Strong), ", WeakMethod};")]
            /// struct Dog(&'static str);
            /// impl Dog {
            ///     fn speak(&self) -> String {
            ///         format!("{} says woof", self.0)
            ///     }
            /// }
            #[doc = concat!("let dog = ", stringify!($Strong), "::new(Dog(\"Rex\"));")]
            /// let speak = WeakMethod::new(&dog, Dog::speak);
            /// assert_eq!(speak.call(()).as_deref(), Some("Rex says woof"));
            /// drop(dog);
            /// assert_eq!(speak.call(()), None);
            /// ```
            pub fn new(receiver: &$crate::$module::$Strong<T>, method: F) -> Self {
                Self::make(receiver, |_| Method::Owned(method))
            }

            /// `method` bound weakly to `receiver`, the function itself held weakly: the
            /// `WeakMethod` dies when either dies (Python's, whose function object can
            /// die when the method is deleted from its class).
            ///
            /// ```
            #[doc = concat!("use weakrefs::", stringify!($module), "::{", stringify!($Strong), ", WeakMethod};")]
            /// struct Dog;
            #[doc = concat!("let dog = ", stringify!($Strong), "::new(Dog);")]
            #[doc = concat!("let bark: ", stringify!($Strong), "<fn(&Dog) -> &'static str> = ", stringify!($Strong), "::new(|_| \"woof\");")]
            /// let method = WeakMethod::new_shared(&dog, &bark);
            /// assert_eq!(method.call(()), Some("woof"));
            /// drop(bark); // the function dies: so does the WeakMethod
            /// assert_eq!(method.call(()), None);
            /// assert!(!method.is_alive());
            /// ```
            pub fn new_shared(receiver: &$crate::$module::$Strong<T>, method: &$crate::$module::$Strong<F>) -> Self {
                Self::make(receiver, |me| {
                    let me = me.clone();
                    Method::Shared($crate::$module::$Strong::downgrade_with(method, move |_| Self::died(&me)))
                })
            }

            /// Sets the callback run once, with this `WeakMethod`, when the receiver (or
            /// the shared function) dies; it runs on the thread that ends that life,
            /// among that object's weak-reference callbacks.
            ///
            /// If that death has already happened (the callbacks of the receiver or of
            /// the shared function have run), `callback` runs at once, on this thread,
            /// before `with_callback` returns: a callback is never silently lost.
            /// (Python cannot get here: its callback is given at construction, from a
            /// live receiver.) Either way a panic in it is caught and reported (see
            /// [`set_panic_handler`](crate::set_panic_handler)), as for any callback.
            /// Setting a callback again replaces one that has not run; the one replaced
            /// is dropped without running (a panic in its `Drop` reaches the caller, as
            /// when a `Weak`'s callback is cancelled).
            ///
            /// # Example
            ///
            /// ```
            #[doc = concat!("use weakrefs::", stringify!($module), "::{", stringify!($Strong), ", WeakMethod};")]
            /// use std::sync::atomic::{AtomicU32, Ordering};
            /// use std::sync::Arc as Shared;
            ///
            /// struct Greeter;
            /// impl Greeter {
            ///     fn greet(&self, name: &str) -> String {
            ///         format!("hello, {name}")
            ///     }
            /// }
            ///
            /// let deaths = Shared::new(AtomicU32::new(0));
            /// let seen = deaths.clone();
            #[doc = concat!("let greeter = ", stringify!($Strong), "::new(Greeter);")]
            /// let greet = WeakMethod::new(&greeter, Greeter::greet)
            ///     .with_callback(move |_| { seen.fetch_add(1, Ordering::SeqCst); });
            /// drop(greeter);
            /// assert_eq!(deaths.load(Ordering::SeqCst), 1);
            ///
            /// // Set after the death: it runs at once.
            /// let seen = deaths.clone();
            /// let _greet = greet.with_callback(move |_| { seen.fetch_add(1, Ordering::SeqCst); });
            /// assert_eq!(deaths.load(Ordering::SeqCst), 2);
            /// ```
            pub fn with_callback(self, callback: impl FnOnce(&WeakMethod<T, F>) + $($cb)+) -> Self {
                let callback: UserCallback<T, F> = Box::new(callback);
                // The callback replaced, or this one if the death came first; run or
                // dropped after the mutex is released (both are user code).
                let (replaced, run_now) = {
                    let mut state = self.record.callback.lock().unwrap_or_else(|e| e.into_inner());
                    if state.died {
                        (None, Some(callback))
                    } else {
                        (state.callback.replace(callback), None)
                    }
                };
                drop(replaced);
                if let Some(callback) = run_now {
                    // As it would have run at the death: a panic is caught and reported.
                    let ran = ::std::panic::catch_unwind(::core::panic::AssertUnwindSafe(|| callback(&self)));
                    if let Err(payload) = ran {
                        $crate::report::callback_panicked(
                            $crate::PanicSource::WeakCallback,
                            ::core::any::type_name::<T>(),
                            payload,
                        );
                    }
                }
                self
            }
        }

        impl<T, F> WeakMethod<T, F> {
            /// Calls the method on the receiver with `args`, keeping both alive for the
            /// call; `None` once either has died.
            ///
            /// `args` is a tuple of the arguments after the receiver (`()` for
            /// `fn(&self)`, `(a, b)` for `fn(&self, a, b)`, up to six), or, for a method
            /// of one argument, that argument itself, whose type is inferred from the
            /// method's (see [`method`](crate::method)).
            ///
            /// ```
            #[doc = concat!("use weakrefs::", stringify!($module), "::{", stringify!($Strong), ", WeakMethod};")]
            ///
            /// struct Greeter(String);
            /// impl Greeter {
            ///     fn name(&self) -> String {
            ///         self.0.clone()
            ///     }
            ///     fn greet(&self, other: &str, times: usize) -> String {
            ///         format!("{} greets {other}", self.0).repeat(times)
            ///     }
            /// }
            ///
            #[doc = concat!("let greeter = ", stringify!($Strong), "::new(Greeter(\"Ann\".into()));")]
            /// let name = WeakMethod::new(&greeter, Greeter::name);
            /// let greet = WeakMethod::new(&greeter, Greeter::greet);
            /// assert_eq!(name.call(()).as_deref(), Some("Ann"));
            /// assert_eq!(greet.call(("Bo", 1)).as_deref(), Some("Ann greets Bo"));
            /// drop(greeter);
            /// assert_eq!(name.call(()), None);
            /// ```
            pub fn call<A, Form>(&self, args: A) -> Option<<F as $crate::method::MethodFn<T, A, Form>>::Output>
            where
                F: $crate::method::MethodFn<T, A, Form>,
            {
                if self.record.dead.load(::std::sync::atomic::Ordering::Acquire) {
                    return None;
                }
                let receiver = self.record.receiver.upgrade()?;
                match &self.record.method {
                    Method::Owned(f) => Some(f.call_method(&receiver, args)),
                    Method::Shared(f) => {
                        let f = f.upgrade()?;
                        Some((*f).call_method(&receiver, args))
                    }
                }
            }

            /// The receiver, if the `WeakMethod` is alive.
            ///
            /// ```
            #[doc = concat!("use weakrefs::", stringify!($module), "::{", stringify!($Strong), ", WeakMethod};")]
            #[doc = concat!("let text = ", stringify!($Strong), "::new(String::from(\"abc\"));")]
            /// let len = WeakMethod::new(&text, String::len);
            /// assert_eq!(len.receiver().map(|t| t.len()), Some(3));
            /// drop(text);
            /// assert!(len.receiver().is_none());
            /// ```
            pub fn receiver(&self) -> Option<$crate::$module::$Strong<T>> {
                if self.record.dead.load(::std::sync::atomic::Ordering::Acquire) {
                    return None;
                }
                self.record.receiver.upgrade()
            }

            /// Whether the receiver (and a shared function) are alive: a snapshot.
            ///
            /// ```
            #[doc = concat!("use weakrefs::", stringify!($module), "::{", stringify!($Strong), ", WeakMethod};")]
            #[doc = concat!("let text = ", stringify!($Strong), "::new(String::from(\"abc\"));")]
            /// let len = WeakMethod::new(&text, String::len);
            /// assert!(len.is_alive());
            /// drop(text);
            /// assert!(!len.is_alive());
            /// ```
            pub fn is_alive(&self) -> bool {
                let function_alive = match &self.record.method {
                    Method::Owned(_) => true,
                    Method::Shared(f) => f.strong_count() > 0,
                };
                !self.record.dead.load(::std::sync::atomic::Ordering::Acquire)
                    && self.record.receiver.strong_count() > 0
                    && function_alive
            }

            /// Whether the two are the same `WeakMethod` (clones share their original's
            /// identity).
            ///
            /// ```
            #[doc = concat!("use weakrefs::", stringify!($module), "::{", stringify!($Strong), ", WeakMethod};")]
            #[doc = concat!("let text = ", stringify!($Strong), "::new(String::from(\"abc\"));")]
            /// let len = String::len as fn(&String) -> usize;
            /// let a = WeakMethod::new(&text, len);
            /// let b = a.clone();
            /// let c = WeakMethod::new(&text, len);
            /// assert!(a.ptr_eq(&b));
            /// assert!(!a.ptr_eq(&c)); // equal (==), but another WeakMethod
            /// assert!(a == c);
            /// ```
            pub fn ptr_eq(&self, other: &Self) -> bool {
                ::std::$module::$Strong::ptr_eq(&self.record, &other.record)
            }
        }

        impl<T, F> Clone for WeakMethod<T, F> {
            /// Another handle to the same `WeakMethod`.
            fn clone(&self) -> Self {
                WeakMethod { record: self.record.clone() }
            }
        }

        impl<T: PartialEq, F: PartialEq> PartialEq for WeakMethod<T, F> {
            /// Python's rule: while both are alive, equal receivers (`==`) and the same
            /// method (equal functions, or the same shared function); otherwise, the same
            /// `WeakMethod`.
            fn eq(&self, other: &Self) -> bool {
                if self.ptr_eq(other) {
                    return true;
                }
                let (Some(a), Some(b)) = (self.receiver(), other.receiver()) else {
                    return false;
                };
                let same_method = match (&self.record.method, &other.record.method) {
                    (Method::Owned(f), Method::Owned(g)) => f == g,
                    (Method::Shared(f), Method::Shared(g)) => f.ptr_eq(g) && f.strong_count() > 0,
                    _ => false,
                };
                same_method && *a == *b
            }
        }

        impl<T, F> ::core::fmt::Debug for WeakMethod<T, F> {
            /// `<WeakMethod to 'Type' at 0x…>` while alive, `<WeakMethod dead>` after.
            fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                match self.receiver() {
                    Some(r) => write!(
                        f,
                        "<WeakMethod to '{}' at {:p}>",
                        $crate::repr::short(::core::any::type_name::<T>()),
                        $crate::$module::$Strong::as_ptr(&r)
                    ),
                    None => f.write_str("<WeakMethod dead>"),
                }
            }
        }
    };
}

pub(crate) use weak_method;
