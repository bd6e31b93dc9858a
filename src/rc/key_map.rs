//! `rc::WeakKeyMap`, `rc::PtrWeakKeyMap`, `rc::WeakSet`, `rc::PtrWeakSet`.

crate::api::key_map::weak_key_map!(
    rc, Rc, Local, WeakKeyMap, crate::raw::key_map::ByValue,
    lookup: by_value,
    key_bounds: [::core::hash::Hash + Eq +], bounds: ['static],
    compare: "by value (the keys' `Eq` and `Hash`)"
);

crate::api::key_map::weak_key_map!(
    rc, Rc, Local, PtrWeakKeyMap, crate::raw::key_map::ByIdentity,
    lookup: by_identity,
    key_bounds: [], bounds: ['static],
    compare: "by identity (which allocation)"
);

crate::api::key_map::weak_set!(
    rc, Rc, Local, WeakSet, crate::raw::key_map::ByValue,
    lookup: by_value,
    key_bounds: [::core::hash::Hash + Eq +], bounds: ['static],
    compare: "by value (the elements' `Eq` and `Hash`)"
);

crate::api::key_map::weak_set!(
    rc, Rc, Local, PtrWeakSet, crate::raw::key_map::ByIdentity,
    lookup: by_identity,
    key_bounds: [], bounds: ['static],
    compare: "by identity (which allocation)"
);
