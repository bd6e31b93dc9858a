//! `rc::Rc`, the single-threaded strong pointer.

crate::api::strong::strong!(
    rc, Rc, Local,
    intro: " A single-threaded reference-counting pointer whose weak references can call back
 when the value dies. 'Rc' stands for 'Reference Counted'.",
    threads: "",
    callback_bounds: ['static],
    any: [dyn ::core::any::Any],
    clone_to: crate::CloneToRc::clone_to_rc
);
