//! `sync::Arc`, the thread-safe strong pointer.

crate::api::strong::strong!(
    sync, Arc, Atomic,
    intro: " A thread-safe reference-counting pointer whose weak references can call back when
 the value dies. 'Arc' stands for 'Atomically Reference Counted'.",
    threads: " # Threads

 `Arc<T>` is `Send` and `Sync` when `T` is `Send + Sync`. Callbacks and finalizer
 functions must be `Send`; they run on the thread that drops the last strong
 reference (or, for finalizers, calls them or exits the process). What races do:

 * `clone`, `drop` of a non-last reference and `upgrade` take no lock, and neither
   does the last drop of an object that never had a callback or finalizer.
 * [`Weak::upgrade`](super::Weak::upgrade) racing the last drop never revives the value: it returns `None`
   once the strong count has reached zero.
 * A [`Weak`](super::Weak) with a callback dropped (all its clones) while another thread runs the
   referent's death either cancels the callback or sees it run, never both, never
   neither.
 * [`Arc::downgrade_with`](super::Arc::downgrade_with) and [`finalize`](crate::sync::finalize) cannot race the
   last drop: they take an `&Arc`, so the object is alive while they register, and
   the registration is complete before that `Arc` can be dropped.
 * [`Arc::into_inner`](super::Arc::into_inner) on several threads at once gives the value to exactly one.
",
    callback_bounds: [Send + 'static],
    any: [dyn ::core::any::Any + Send + Sync],
    clone_to: crate::CloneToRc::clone_to_arc
);

// SAFETY: as std's `Arc`: the value is shared between threads (`T: Sync`) and may
// be dropped on any of them (`T: Send`); the counts and the registry are atomic or
// behind a mutex, and callbacks and finalizers are required to be `Send`.
unsafe impl<T: Send + Sync + ?Sized> Send for Arc<T> {}
// SAFETY: as above.
unsafe impl<T: Send + Sync + ?Sized> Sync for Arc<T> {}
