//! Thread-safe reference counting with Python's weak-reference semantics.
//!
//! [`Arc`] and [`Weak`] are drop-in replacements for [`std::sync::Arc`] and
//! [`std::sync::Weak`] (for sized `T`): change the `use` line and everything keeps
//! working, at the same cost. What they add:
//!
//! | Python                              | `weakrefs::sync`                            |
//! |-------------------------------------|--------------------------------------------|
//! | `weakref.ref(obj)`                  | [`Arc::downgrade`]                          |
//! | `weakref.ref(obj, callback)`        | [`Arc::downgrade_with`]                     |
//! | `r()`                               | [`Weak::upgrade`]                          |
//! | `r.__callback__ is not None`        | [`Weak::has_callback`]                     |
//! | `r1 is r2`                          | [`Weak::ref_eq`]                           |
//! | `weakref.getweakrefcount(obj)`      | [`Arc::weakref_count`]                      |
//! | `weakref.getweakrefs(obj)`          | [`Arc::weakrefs`]                           |
//! | `weakref.finalize(obj, func, *args)`| [`finalize`]                               |
//! | `f()`, `f.alive`, `f.detach()`, `f.peek()`, `f.atexit` | [`Finalize`]'s methods  |
//! | `weakref.proxy(obj[, callback])`    | [`Proxy`]                                  |
//! | `weakref.WeakMethod(obj.method)`    | [`WeakMethod`]                             |
//! | `weakref.WeakValueDictionary`       | [`WeakValueMap`]                           |
//! | `weakref.WeakKeyDictionary`         | [`WeakKeyMap`] (by identity: [`PtrWeakKeyMap`]) |
//! | `weakref.WeakSet`                   | [`WeakSet`] (by identity: [`PtrWeakSet`])  |
//!
//! Everything here is `Send + Sync` for `T: Send + Sync`; callbacks and finalizer
//! functions must be `Send`, and run on the thread that ends the object's life. See
//! [`Arc`] for what races do.
//!
//! # Example: Python's `weakref_ref_callback.py`
//!
//! ```
//! use std::fmt;
//! use weakrefs::sync::{Arc, Weak};
//!
//! struct ExpensiveObject;
//!
//! impl Drop for ExpensiveObject {
//!     fn drop(&mut self) {
//!         println!("(Deleting {self:p})");
//!     }
//! }
//!
//! let obj = Arc::new(ExpensiveObject);
//! let r = Arc::downgrade_with(&obj, |reference: &Weak<ExpensiveObject>| {
//!     println!("callback({reference:?})");
//! });
//! println!("ref: {r:?}");       // <weakref at 0x…; to 'ExpensiveObject' at 0x…>
//! drop(obj);                    // (Deleting …), then callback(<weakref at 0x…; dead>)
//! assert!(r.upgrade().is_none());
//! ```

mod finalize;
pub mod key_map;
mod proxy;
mod strong;
pub mod value_map;
mod weak;
mod weak_method;

pub use finalize::{finalize, Finalize};
pub use key_map::{PtrWeakKeyMap, PtrWeakSet, WeakKeyMap, WeakSet};
pub use proxy::Proxy;
pub use strong::Arc;
pub use value_map::WeakValueMap;
pub use weak::Weak;
pub use weak_method::WeakMethod;
