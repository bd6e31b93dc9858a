//! `sync::Proxy`.

crate::api::proxy::proxy!(sync, Arc, Send + 'static);
