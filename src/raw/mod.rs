//! The shared core: everything both flavours do, written once, generic over
//! [`Flavor`](crate::flavor::Flavor). The public types are thin templates over it
//! (`api/X.rs` over `raw/X.rs`), instantiated in `rc/` and `sync/`.
//!
//! | file             | concept                                                       |
//! |------------------|---------------------------------------------------------------|
//! | `header.rs`      | the counts at the start of every allocation: the strong count, the thin/locked/inflated weak word, the registry |
//! | `alloc.rs`       | the seam to the box types: `BoxAlloc`, and releasing and freeing an allocation over any of them |
//! | `rc_box.rs`      | `RcBox`, the allocation of `rc` and `sync` (std's layout)     |
//! | `strong.rs`      | the strong handle                                             |
//! | `weak.rs`        | the weak handle (one tagged pointer)                          |
//! | `node.rs`        | registration nodes (callbacks, finalizers) and their list     |
//! | `hosted.rs`      | first registration nodes that also house the object's registry |
//! | `callback.rs`    | the node of a weak reference with a callback                  |
//! | `finalize.rs`    | finalizer nodes and their single consumer                     |
//! | `death.rs`       | after the last strong reference: detach the registrations, then fire them |
//! | `trashcan.rs`    | deep chains of deaths kept off the stack: past a nesting limit, a death is deferred to the outermost |
//! | `exit.rs`        | an exit domain's list of finalizers, and its exit run         |
//! | `exit_hooks.rs`  | the two flavours' exit domains and the hooks that start their runs |
//! | `guarded.rs`     | the weak collections' lock discipline: removals handed to the lock's holder |
//! | `table.rs`       | the collections' hash tables: entries that keep their hash    |
//! | `value_map.rs`   | the core of `WeakValueMap`                                    |
//! | `key_map.rs`     | the core of `WeakKeyMap`, `WeakSet` and their by-identity kin |
//! | `unsized_value.rs` | objects of unsized type: making them, unsizing and casting handles |
//!
//! # Where `unsafe` code is
//!
//! Every `unsafe` block carries a `// SAFETY:` argument and every `unsafe fn` a
//! `# Safety` contract (clippy's `undocumented_unsafe_blocks` denies a block without
//! one). The blocks are:
//!
//! * here, in `raw/` (all the pointer work: counts, nodes, lists, the exit hooks);
//! * in `flavor/local.rs`, the single-threaded lock's `&mut` from its `UnsafeCell`;
//! * in the templates (`api/strong.rs`, `api/weak.rs`, `api/proxy.rs`): the
//!   `repr(transparent)` views of a core handle as a public one, `Rc::pin`, and the
//!   forwarding of std's own `unsafe fn`s (`from_raw`, `increment_strong_count`, …,
//!   `assume_init`) to the core;
//! * in `sync/`: the `Send`/`Sync` impls, each with its argument.

pub(crate) mod alloc;
pub(crate) mod callback;
pub(crate) mod death;
pub(crate) mod exit;
pub(crate) mod exit_hooks;
pub(crate) mod finalize;
pub(crate) mod guarded;
pub(crate) mod header;
pub(crate) mod hosted;
pub(crate) mod key_map;
pub(crate) mod node;
pub(crate) mod rc_box;
pub(crate) mod strong;
pub(crate) mod table;
pub(crate) mod trashcan;
pub(crate) mod unsized_value;
pub(crate) mod value_map;
pub(crate) mod weak;
