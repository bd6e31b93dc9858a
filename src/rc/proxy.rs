//! `rc::Proxy`.

crate::api::proxy::proxy!(rc, Rc, 'static);
