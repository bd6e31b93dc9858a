//! Reference-counted pointers with Python's `weakref` semantics.
//!
//! Rust's [`std::rc::Weak`] and [`std::sync::Weak`] cannot tell you when their value
//! dies. This crate's pointers can, the way Python's `weakref` module does:
//!
//! * weak references with **callbacks** that run when the referent dies, receiving the
//!   (dead) weak reference;
//! * **finalizers** that run exactly once: at the object's death, when called, or at
//!   exit (for `rc`, the exit of the thread that made them; for `sync`, the process's);
//!   with `alive`, `detach` and `peek`;
//! * Python's introspection: how many weak references an object has, and which;
//! * **weak collections** that clean themselves: `WeakValueMap`, `WeakKeyMap`,
//!   `WeakSet` (and by-identity variants), whose entries go the moment their referent
//!   dies, so that `len()` is exact and memory follows what is alive;
//! * **proxies**, which fail with [`ReferenceError`] once dead, and `WeakMethod`.
//!
//! and cost nothing where they are not used: an object that never gets a callback or
//! finalizer has the same layout as std's, and `clone`, `drop`, `downgrade` and
//! `upgrade` are the same operations.
//!
//! # At a glance
//!
//! Each feature in a few lines (with [`rc`]; [`sync`] is the same with `Arc`):
//!
//! ```
//! use std::cell::Cell;
//! use weakrefs::rc::{finalize, Proxy, Rc, WeakKeyMap, WeakMethod, WeakSet, WeakValueMap};
//!
//! // A weak reference whose callback runs when the value dies.
//! let obj = Rc::new(String::from("object"));
//! let died = Rc::new(Cell::new(false));
//! let flag = died.clone();
//! let weak = Rc::downgrade_with(&obj, move |dead| {
//!     assert!(dead.upgrade().is_none());
//!     flag.set(true);
//! });
//!
//! // A finalizer: runs once, at the death (or when called, or at exit).
//! let cleanup = finalize(&obj, |name: &str| println!("cleaning up {name}"), "object");
//!
//! // Introspection, as Python's getweakrefcount: the callback and the finalizer.
//! assert_eq!(Rc::weakref_count(&obj), 2);
//!
//! // Weak collections: entries go the moment their referent dies.
//! let by_name = WeakValueMap::new();
//! by_name.insert("obj", obj.clone());
//! let notes = WeakKeyMap::new();
//! notes.insert(&obj, "a note");
//! let members = WeakSet::new();
//! members.add(&obj);
//!
//! // A proxy, which fails with ReferenceError once dead, and a weak bound method.
//! let proxy = Proxy::new(&obj);
//! let len = WeakMethod::new(&obj, String::len);
//! assert_eq!(proxy.with(|s| s.len()), Ok(6));
//! assert_eq!(len.call(()), Some(6));
//!
//! drop(obj); // prints "cleaning up object"; then the callback runs
//! assert!(died.get() && weak.upgrade().is_none() && !cleanup.alive());
//! assert!(by_name.is_empty() && notes.is_empty() && members.is_empty());
//! assert!(proxy.get().is_err() && len.call(()).is_none());
//! ```
//!
//! # Flavours
//!
//! * [`rc`]: single-threaded, a superset of `std::rc`;
//! * [`sync`]: thread-safe, a superset of `std::sync::{Arc, Weak}`.
//!
//! Both are thin layers over one core, generic over the flavour's counters and locks.
//!
//! The behaviour follows CPython's `weakref` module as its documentation and test
//! suite define it; where a Python rule cannot apply to Rust, the item's documentation
//! says what happens instead.
//!
//! # Unsized values
//!
//! `Rc<str>`, `Rc<[T]>` and `Rc<dyn Trait>` (and `Arc`, `Weak`) work as in std, with
//! every feature above: a callback registered on an `Rc<dyn Trait>` gets a
//! `&Weak<dyn Trait>`, and a `WeakValueMap<String, dyn Trait>` or `WeakSet<str>`
//! cleans itself the same way. The one difference is how an `Rc<T>` becomes an
//! `Rc<dyn Trait>`: std does it by an implicit coercion, which needs an unstable trait
//! (`CoerceUnsized`) for any other pointer; here it is a call, with no copy, that keeps
//! the object, its weak references, callbacks and finalizers:
//!
//! ```
//! use std::fmt::Display;
//! use weakrefs::{coercion, rc::{Rc, Weak}};
//!
//! let five = Rc::new(5);
//! let weak = Rc::downgrade_with(&five, |_| println!("five died"));
//! let shown: Rc<dyn Display> = Rc::unsize(five, coercion!(dyn Display));
//! let weak: Weak<dyn Display> = Weak::unsize(weak, coercion!(dyn Display));
//! assert_eq!(weak.upgrade().unwrap().to_string(), "5");
//! drop(shown); // prints "five died"
//! ```
//!
//! # Panics in callbacks
//!
//! A callback or finalizer that panics while run by a death or at exit is caught and
//! reported (see [`set_panic_handler`]); the remaining callbacks still run.
//!
//! # Deep drops
//!
//! Dropping the head of a linked list of ten million [`rc::Rc`]s works, on the main
//! thread's stack and on a spawned thread's default one; so does a chain in which each
//! object's callback or finalizer owns the next object. (std's `Rc` and `Arc` overflow
//! the stack on such chains.) Like CPython's "trashcan", each thread counts how deeply
//! the ends of life (a value's `Drop`, then its callbacks and finalizers) are nested on
//! it; past a limit (256), an end of life is deferred, and the outermost end of life in
//! progress on the thread finishes the deferred ones before it returns. So every death
//! still completes before the outermost `drop` (or `try_unwrap`, `into_inner`,
//! `make_mut`) on the thread returns, and each object's own sequence is unchanged;
//! what changes, past the limit, is that a deferred object's end of life runs after
//! those of the objects that enclosed it instead of inside them. (So, for instance, a
//! weak reference with a callback held by a deferred object is still alive when the
//! enclosing objects' callbacks run.) A panic in a deferred value's `Drop` does not stop the
//! others, and is caught and reported as [`PanicSource::DeferredDrop`], as a
//! callback's panic is: it could no longer reach the frame that would have caught it
//! (a `catch_unwind` around the death that deferred it, a callback's own). The cost is
//! a thread-local counter on the path of a last `drop`, and nothing on the others.
//!
//! The stack a deep chain needs is then that of 256 nested deaths, whatever the
//! chain's length: measured on this crate, about 20 KB for a plain linked list in
//! release (100 KB in debug), and up to about 110 KB in release (650 KB in debug) when
//! each death passes through a weak map's entry. A thread with a stack smaller than
//! that can still overflow (std's `Rc` fits 256 plain nodes in less).
//!
//! # Weak collections and user code
//!
//! A weak collection locks itself for each operation, and runs some of your code while
//! it holds the lock: the keys' `Eq`, comparing a probe with stored keys, and `Clone`
//! (the keys' of a `WeakValueMap`, the values' of a `WeakKeyMap`, when they are read
//! out). `Hash` runs before the lock is taken, and each entry keeps its key's hash, so
//! that removing a dead entry runs none of your code. The code that runs under the
//! lock may do anything but use the same collection:
//!
//! * **It may drop the last handle of a referent**, of this collection or of another.
//!   The entry's removal never waits for a lock: if the collection is locked (by this
//!   thread or another), the removal is handed to the lock's holder, which applies it
//!   before its operation returns. No two collections can deadlock this way, and when
//!   no operation is in progress no dead entry remains.
//! * **It may panic.** The panic propagates to the caller of the operation; the
//!   removals handed over meanwhile are applied first, and the collection stays
//!   consistent and usable (the operation itself did not take effect: a panic in
//!   `Hash` or `Eq` during `insert` leaves the map as it was).
//! * **Using the same collection from inside it panics** (re-entrant use), with a
//!   message saying so; it is never a deadlock or undefined behaviour.
//!
//! What runs after the lock is released may use the collection freely: the `Drop` of
//! removed keys and values, `retain`'s predicate, `get_or_insert_with`'s `make`, the
//! body of a loop over an iterator (which walks a snapshot). When several removed
//! entries are dropped together (`clear`, `retain`, removals handed over) and a `Drop`
//! panics, the others are still dropped; the first panic then propagates and any
//! further one is reported as [`PanicSource::EntryDrop`] (and while a panic is already
//! unwinding, every one is reported), so the process never aborts on a double panic.
//!
//! # When an entry leaves
//!
//! A weak collection's entries leave it when their referent's death **begins**: once
//! its last strong handle is dropped, before its value's `Drop`, its callbacks and its
//! finalizers run. So `len`, `is_empty`, iteration and lookups agree at every moment
//! on the thread where the referent dies, inside that `Drop` and those callbacks
//! included: none of them finds or counts the dying entry. (CPython's dictionaries
//! still count it while the referent's other callbacks run.) The removed key or value
//! is dropped then too, before the referent's `Drop`, unless the collection is locked
//! at that moment: its holder then drops it once its operation is done. If what it
//! held was the last handle of a weak reference with a callback to the dying referent,
//! that callback still runs, with the referent's other callbacks, newest first.
//!
//! On another thread, `len` can still count an entry for the instant between the
//! last handle's drop and the removal, as any count read while another thread
//! changes it can be stale. And past the depth limit of "Deep drops" above, a deferred
//! death begins when its turn comes, so its entries are counted until then.
//!
//! # Example
//!
//! ```
//! use weakrefs::rc::{finalize, Rc};
//!
//! let obj = Rc::new(vec![1, 2, 3]);
//! let weak = Rc::downgrade_with(&obj, |dead| assert!(dead.upgrade().is_none()));
//! finalize(&obj, |msg: &str| println!("{msg}"), "finalized");
//! assert_eq!(weak.upgrade().unwrap().len(), 3);
//! drop(obj); // prints "finalized", then runs the callback
//! ```
//!
//! # How the source is laid out
//!
//! One rule: **`raw/X.rs` is the core of a feature, `api/X.rs` the template of its
//! public type, and `rc/X.rs` and `sync/X.rs` the template's two instances.** So `rc::Rc`
//! is `rc/strong.rs`, an invocation of the macro in `api/strong.rs`, over `RawRc` in
//! `raw/strong.rs`. The core is generic over a flavour (`flavor/`: `Local` for `rc`,
//! `Atomic` for `sync`); a template is safe code that names what it uses by full paths,
//! so an instance file says only what differs between the flavours. `raw/mod.rs` lists
//! the core's files and where `unsafe` code is; `report.rs` is the panic handler and
//! `repr.rs` Python's `repr`, shared by all.

#![deny(unsafe_op_in_unsafe_fn)]
#![warn(missing_docs)]

mod api;
mod coercion;
mod flavor;
mod make_mut;
pub mod method;
mod raw;
mod report;
mod repr;

pub mod rc;
pub mod sync;

pub use api::proxy::ReferenceError;
pub use coercion::Coercion;
pub use make_mut::CloneToRc;
pub use report::{
    reset_panic_handler, set_panic_handler, CallbackPanic, PanicHandler, PanicSource,
};
