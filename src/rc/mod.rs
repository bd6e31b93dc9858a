//! Single-threaded reference counting with Python's weak-reference semantics.
//!
//! [`Rc`] and [`Weak`] are drop-in replacements for [`std::rc::Rc`] and
//! [`std::rc::Weak`] (for sized `T`): change the `use` line and everything keeps
//! working, at the same cost. What they add:
//!
//! | Python                              | `weakrefs::rc`                              |
//! |-------------------------------------|--------------------------------------------|
//! | `weakref.ref(obj)`                  | [`Rc::downgrade`]                          |
//! | `weakref.ref(obj, callback)`        | [`Rc::downgrade_with`]                     |
//! | `r()`                               | [`Weak::upgrade`]                          |
//! | `r.__callback__ is not None`        | [`Weak::has_callback`]                     |
//! | `r1 is r2`                          | [`Weak::ref_eq`]                           |
//! | `weakref.getweakrefcount(obj)`      | [`Rc::weakref_count`]                      |
//! | `weakref.getweakrefs(obj)`          | [`Rc::weakrefs`]                           |
//! | `weakref.finalize(obj, func, *args)`| [`finalize`]                               |
//! | `f()`, `f.alive`, `f.detach()`, `f.peek()`, `f.atexit` | [`Finalize`]'s methods  |
//! | `weakref.proxy(obj[, callback])`    | [`Proxy`]                                  |
//! | `weakref.WeakMethod(obj.method)`    | [`WeakMethod`]                             |
//! | `weakref.WeakValueDictionary`       | [`WeakValueMap`]                           |
//! | `weakref.WeakKeyDictionary`         | [`WeakKeyMap`] (by identity: [`PtrWeakKeyMap`]) |
//! | `weakref.WeakSet`                   | [`WeakSet`] (by identity: [`PtrWeakSet`])  |
//!
//! Everything here is `!Send` and `!Sync`; callbacks and finalizers run on the thread
//! that owns the object.
//!
//! # Example: Python's `weakref_ref_callback.py`
//!
//! ```
//! use std::fmt;
//! use weakrefs::rc::{Rc, Weak};
//!
//! struct ExpensiveObject;
//!
//! impl Drop for ExpensiveObject {
//!     fn drop(&mut self) {
//!         println!("(Deleting {self:p})");
//!     }
//! }
//!
//! let obj = Rc::new(ExpensiveObject);
//! let r = Rc::downgrade_with(&obj, |reference: &Weak<ExpensiveObject>| {
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
pub use strong::Rc;
pub use value_map::WeakValueMap;
pub use weak::Weak;
pub use weak_method::WeakMethod;
