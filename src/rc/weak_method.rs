//! `rc::WeakMethod`.

crate::api::weak_method::weak_method!(rc, Rc, fn_bounds: ['static], callback_bounds: ['static]);
