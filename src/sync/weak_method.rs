//! `sync::WeakMethod`.

use crate::sync::{Arc, Weak};

crate::api::weak_method::weak_method!(
    "sync", Arc, sync,
    fn_bounds: [Send + Sync + 'static], callback_bounds: [Send + 'static]
);
