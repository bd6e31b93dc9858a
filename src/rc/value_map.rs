//! `rc::WeakValueMap`.

crate::api::value_map::weak_value_map!(rc, Rc, Local, 'static);
