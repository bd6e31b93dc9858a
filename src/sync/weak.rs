//! `sync::Weak`, the thread-safe weak pointer.

crate::api::weak::weak!(sync, Arc, Atomic);

// SAFETY: as std's `sync::Weak`: a `Weak` can upgrade to an `Arc` on any thread.
unsafe impl<T: Send + Sync + ?Sized> Send for Weak<T> {}
// SAFETY: as above.
unsafe impl<T: Send + Sync + ?Sized> Sync for Weak<T> {}
