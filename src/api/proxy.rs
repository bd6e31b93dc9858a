//! Proxies (Python's `weakref.proxy`): weak handles whose access fails with
//! [`ReferenceError`] once the referent is dead. The type is written once, as
//! [`proxy!`], and instantiated in `rc` and `sync`.

use core::fmt;

/// The error of using a [`rc::Proxy`](crate::rc::Proxy) or
/// [`sync::Proxy`](crate::sync::Proxy) whose referent is dead: Python's
/// `ReferenceError`, with its message.
///
/// ```
/// use weakrefs::rc::{Proxy, Rc};
/// let obj = Rc::new(5);
/// let p = Proxy::new(&obj);
/// drop(obj);
/// let err = p.get().unwrap_err();
/// assert_eq!(err.to_string(), "weakly-referenced object no longer exists");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ReferenceError;

impl fmt::Display for ReferenceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("weakly-referenced object no longer exists")
    }
}

impl std::error::Error for ReferenceError {}

/// Defines `Proxy` in the calling flavour module.
macro_rules! proxy {
    ($module:ident, $Strong:ident, $($bound:tt)+) => {

        #[doc = concat!("A weak handle to an `", stringify!($Strong), "`'s value whose use fails with [`ReferenceError`](crate::ReferenceError) once")]
        /// the value is dead, instead of giving `None` (Python's `weakref.proxy`).
        ///
        /// Python forwards attribute access and operators through a proxy; in Rust, reach
        /// the value with [`get`](Self::get) (a strong handle, for as long as you keep it)
        /// or [`with`](Self::with) (a borrow, with the value kept alive for the call).
        /// A proxy can carry a callback, which receives the proxy itself when the value
        /// dies. Like Python's, a proxy is not hashable:
        ///
        /// ```compile_fail
        #[doc = concat!("use weakrefs::", stringify!($module), "::{", stringify!($Strong), ", Proxy};")]
        /// use std::collections::HashSet;
        #[doc = concat!("let obj = ", stringify!($Strong), "::new(1);")]
        /// HashSet::new().insert(Proxy::new(&obj)); // Proxy is not Hash
        /// ```
        ///
        /// # Example
        ///
        /// ```
        #[doc = concat!("use weakrefs::", stringify!($module), "::{", stringify!($Strong), ", Proxy};")]
        ///
        #[doc = concat!("let config = ", stringify!($Strong), "::new(String::from(\"debug\"));")]
        /// let p = Proxy::new(&config);
        /// assert_eq!(p.with(|c| c.len()), Ok(5));
        /// drop(config);
        /// assert!(p.get().is_err()); // ReferenceError: weakly-referenced object no longer exists
        /// ```
        #[repr(transparent)]
        pub struct Proxy<T: ?Sized> {
            weak: $crate::$module::Weak<T>,
        }

        impl<T: ?Sized> Proxy<T> {
            /// A proxy to `value`'s referent.
            ///
            /// ```
            #[doc = concat!("use weakrefs::", stringify!($module), "::{", stringify!($Strong), ", Proxy};")]
            #[doc = concat!("let obj = ", stringify!($Strong), "::new(vec![1, 2, 3]);")]
            /// let proxy = Proxy::new(&obj);
            /// assert_eq!(proxy.with(|v| v.len()), Ok(3));
            /// ```
            pub fn new(value: &$crate::$module::$Strong<T>) -> Proxy<T> {
                Proxy { weak: $crate::$module::$Strong::downgrade(value) }
            }

            /// A proxy whose `callback` runs once when the value dies, with the proxy
            /// itself (already dead) as its argument; it runs as a weak reference's
            #[doc = concat!("callback does (see [`", stringify!($Strong), "::downgrade_with`](super::", stringify!($Strong), "::downgrade_with)).")]
            ///
            /// ```
            /// use std::sync::atomic::{AtomicBool, Ordering::SeqCst};
            #[doc = concat!("use weakrefs::", stringify!($module), "::{", stringify!($Strong), ", Proxy};")]
            /// static DIED: AtomicBool = AtomicBool::new(false);
            #[doc = concat!("let obj = ", stringify!($Strong), "::new(1);")]
            /// let proxy = Proxy::with_callback(&obj, |dead: &Proxy<i32>| {
            ///     assert!(!dead.is_alive());
            ///     DIED.store(true, SeqCst);
            /// });
            /// drop(obj);
            /// assert!(DIED.load(SeqCst));
            /// assert!(proxy.get().is_err());
            /// ```
            pub fn with_callback<C>(value: &$crate::$module::$Strong<T>, callback: C) -> Proxy<T>
            where
                C: FnOnce(&Proxy<T>) + $($bound)+,
            {
                Proxy { weak: $crate::$module::$Strong::downgrade_with(value, move |weak| callback(Proxy::from_weak_ref(weak))) }
            }

            fn from_weak_ref(weak: &$crate::$module::Weak<T>) -> &Proxy<T> {
                // SAFETY: `Proxy` is a `repr(transparent)` wrapper of `Weak<T>`.
                unsafe { &*(weak as *const $crate::$module::Weak<T>).cast::<Proxy<T>>() }
            }

            /// A strong handle to the value, or [`ReferenceError`](crate::ReferenceError) if it is dead.
            ///
            /// ```
            #[doc = concat!("use weakrefs::", stringify!($module), "::{", stringify!($Strong), ", Proxy};")]
            /// use weakrefs::ReferenceError;
            #[doc = concat!("let obj = ", stringify!($Strong), "::new(5);")]
            /// let proxy = Proxy::new(&obj);
            /// assert_eq!(proxy.get().map(|v| *v), Ok(5));
            /// drop(obj);
            /// assert_eq!(proxy.get().map(|v| *v), Err(ReferenceError));
            /// ```
            pub fn get(&self) -> Result<$crate::$module::$Strong<T>, $crate::ReferenceError> {
                self.weak.upgrade().ok_or($crate::ReferenceError)
            }

            /// Calls `f` with the value, which is kept alive for the call (so it cannot
            /// die in the middle, whatever `f` drops), or returns [`ReferenceError`](crate::ReferenceError).
            ///
            /// ```
            #[doc = concat!("use weakrefs::", stringify!($module), "::{", stringify!($Strong), ", Proxy};")]
            #[doc = concat!("let obj = ", stringify!($Strong), "::new(String::from(\"text\"));")]
            /// let proxy = Proxy::new(&obj);
            /// assert_eq!(proxy.with(|s| s.to_uppercase()).as_deref(), Ok("TEXT"));
            /// drop(obj);
            /// assert!(proxy.with(|s| s.len()).is_err());
            /// ```
            pub fn with<R>(&self, f: impl FnOnce(&T) -> R) -> Result<R, $crate::ReferenceError> {
                let value = self.get()?;
                Ok(f(&value))
            }

            /// Whether the value is still alive (a snapshot: prefer [`get`](Self::get),
            /// which cannot race the value's death).
            ///
            /// ```
            #[doc = concat!("use weakrefs::", stringify!($module), "::{", stringify!($Strong), ", Proxy};")]
            #[doc = concat!("let obj = ", stringify!($Strong), "::new(());")]
            /// let proxy = Proxy::new(&obj);
            /// assert!(proxy.is_alive());
            /// drop(obj);
            /// assert!(!proxy.is_alive());
            /// ```
            pub fn is_alive(&self) -> bool {
                self.weak.strong_count() > 0
            }

            /// The weak reference behind the proxy.
            ///
            /// ```
            #[doc = concat!("use weakrefs::", stringify!($module), "::{", stringify!($Strong), ", Proxy};")]
            #[doc = concat!("let obj = ", stringify!($Strong), "::new(3);")]
            /// let proxy = Proxy::new(&obj);
            /// assert_eq!(proxy.as_weak().upgrade().map(|v| *v), Some(3));
            /// ```
            pub fn as_weak(&self) -> &$crate::$module::Weak<T> {
                &self.weak
            }
        }

        impl<T: ?Sized> Clone for Proxy<T> {
            /// Another handle to the same proxy (same identity, same callback).
            fn clone(&self) -> Self {
                Proxy { weak: self.weak.clone() }
            }
        }

        impl<T: ?Sized> ::core::fmt::Debug for Proxy<T> {
            /// Python's `repr`: `<weakproxy at 0x…; to 'Type' at 0x…>`, or
            /// `<weakproxy at 0x…; dead>`. Never fails.
            fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                let shown = format!("{:?}", self.weak);
                f.write_str(&shown.replacen("<weakref", "<weakproxy", 1))
            }
        }
    };
}

pub(crate) use proxy;
