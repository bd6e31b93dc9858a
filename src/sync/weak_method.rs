//! `sync::WeakMethod`.

crate::api::weak_method::weak_method!(
    sync, Arc,
    fn_bounds: [Send + Sync + 'static], callback_bounds: [Send + 'static]
);
