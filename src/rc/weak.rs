//! `rc::Weak`, the single-threaded weak pointer.

crate::api::weak::weak!(rc, Rc, Local);
