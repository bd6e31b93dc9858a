//! The shared core: everything both flavours do, written once, generic over
//! [`Flavor`](crate::flavor::Flavor). All of the crate's `unsafe` code lives here and in
//! `flavor.rs`; the flavour modules (`rc`) are safe wrappers.
//!
//! | file          | concept                                                         |
//! |---------------|-----------------------------------------------------------------|
//! | `rc_box.rs`   | the allocation, its counts, and the thin/inflated weak word      |
//! | `node.rs`     | registration nodes (callbacks, finalizers) and their list        |
//! | `callback.rs` | the node of a weak reference with a callback                     |
//! | `finalize.rs` | finalizer nodes, the exit list and the exit run                  |
//! | `hosted.rs`   | first registration nodes that also house the object's registry  |
//! | `death.rs`    | what runs after the last strong reference is gone                |
//! | `strong.rs`   | the strong handle                                                |
//! | `weak.rs`     | the weak handle (one tagged pointer)                             |

pub(crate) mod callback;
pub(crate) mod death;
pub(crate) mod exit;
pub(crate) mod exit_hooks;
pub(crate) mod finalize;
pub(crate) mod guarded;
pub(crate) mod hosted;
pub(crate) mod key_map;
pub(crate) mod node;
pub(crate) mod rc_box;
pub(crate) mod strong;
pub(crate) mod table;
pub(crate) mod value_map;
pub(crate) mod weak;
