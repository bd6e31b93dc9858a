//! Weak collections of 1,000,000 entries, of both flavours, against `weak-table` 0.4
//! (over `std::rc`) in one run, with the same hasher (std's): a weak-valued map, a
//! weak-keyed map and a weak set; for each, insert, get (live), remove, expiry (every referent dies), and
//! the length and bytes the collection holds afterwards. Run with
//! `cargo bench --bench collections`; `--json FILE` also writes the figures.
//!
//! Method: each phase is timed over all entries and repeated `rounds()` times with
//! fresh collections, alternating which implementation goes first; figures are
//! medians, in ns per entry. Memory is counted by this binary's global allocator, from
//! before the referents were made. `weak-table` removes dead entries lazily: after
//! expiry it still counts them and holds their memory (and, through std's `Weak`, each
//! dead referent's allocation) until `remove_expired` (timed separately) or enough
//! later insertions. Ours removes an entry when its referent dies.

mod common;

use std::collections::hash_map::RandomState;
use std::hint::black_box;
use std::sync::atomic::Ordering::Relaxed;
use std::time::Instant;

use common::{median, Row};

#[global_allocator]
static ALLOCATOR: common::Counting = common::Counting;
use common::LIVE;

/// Entries per collection: 1,000,000, or `WEAKREF_BENCH_ENTRIES` (a small table stays
/// in cache, which shows the cost of the code rather than of memory).
fn entries() -> u64 {
    env_or("WEAKREF_BENCH_ENTRIES", 1_000_000)
}

/// Rounds per phase: 3, or `WEAKREF_BENCH_ROUNDS`.
fn rounds() -> usize {
    env_or("WEAKREF_BENCH_ROUNDS", 3)
}

fn env_or<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// One round's figures: ns per entry, and what is left after expiry.
#[derive(Default, Clone, Copy)]
struct Round {
    insert: f64,
    get: f64,
    remove: f64,
    expire: f64,
    purge: f64,
    len_after: f64,
    bytes_after: f64,
}

fn timed(f: impl FnOnce()) -> f64 {
    let start = Instant::now();
    f();
    start.elapsed().as_nanos() as f64 / entries() as f64
}

/// Runs the phases for one implementation. `fill` makes the collection, inserts every
/// referent and returns it; `get`, `remove` look every key up or take it out; `len`
/// reads the length; `purge` is weak-table's `remove_expired` (nothing for ours).
macro_rules! round {
    (
        referents: $make:expr,
        new: $new:expr,
        insert: |$ci:ident, $ri:ident| $insert:expr,
        get: |$cg:ident, $kg:ident| $get:expr,
        remove: |$cr:ident, $kr:ident| $remove:expr,
        len: |$cl:ident| $len:expr,
        purge: |$cp:ident| $purge:expr $(,)?
    ) => {{
        let mut r = Round::default();
        // Insert, get, remove.
        {
            let referents: Vec<_> = (0..entries()).map($make).collect();
            let mut collection = $new;
            r.insert = timed(|| {
                referents.iter().for_each(|$ri| {
                    let $ci = &mut collection;
                    $insert;
                })
            });
            r.get = timed(|| {
                (0..entries()).for_each(|$kg| {
                    let $cg = &collection;
                    black_box($get);
                })
            });
            r.remove = timed(|| {
                referents.iter().for_each(|$kr| {
                    let $cr = &mut collection;
                    black_box($remove);
                })
            });
        }
        // Expiry, and what is left.
        let base = LIVE.load(Relaxed);
        let referents: Vec<_> = (0..entries()).map($make).collect();
        let mut collection = $new;
        referents.iter().for_each(|$ri| {
            let $ci = &mut collection;
            $insert;
        });
        r.expire = timed(|| drop(referents));
        {
            let $cl = &collection;
            r.len_after = $len as f64;
        }
        r.bytes_after = (LIVE.load(Relaxed) - base) as f64;
        r.purge = timed(|| {
            let $cp = &mut collection;
            $purge;
        });
        drop(collection);
        r
    }};
}

/// Our three collections' rounds, for one flavour (`rc` or `sync`).
macro_rules! ours {
    ($flavour:ident, $Strong:ident) => {
        mod $flavour {
            use super::*;
            use weakrefs::$flavour::{$Strong, WeakKeyMap, WeakSet, WeakValueMap};

            pub fn value_map() -> Round {
                round!(
                    referents: $Strong::new,
                    new: WeakValueMap::<u64, u64>::new(),
                    insert: |map, v| map.insert(**v, v.clone()),
                    get: |map, k| map.get(&k),
                    remove: |map, v| map.remove(&**v),
                    len: |map| map.len(),
                    purge: |map| black_box(map),
                )
            }

            pub fn key_map() -> Round {
                round!(
                    referents: $Strong::new,
                    new: WeakKeyMap::<u64, u64>::new(),
                    insert: |map, k| map.insert(k, **k),
                    get: |map, k| map.get(&k),
                    remove: |map, k| map.remove(&**k),
                    len: |map| map.len(),
                    purge: |map| black_box(map),
                )
            }

            pub fn set() -> Round {
                round!(
                    referents: $Strong::new,
                    new: WeakSet::<u64>::new(),
                    insert: |set, x| set.add(x),
                    get: |set, k| set.contains(&k),
                    remove: |set, x| set.remove(&**x),
                    len: |set| set.len(),
                    purge: |set| black_box(set),
                )
            }
        }
    };
}

ours!(rc, Rc);
ours!(sync, Arc);

fn value_map_weak_table() -> Round {
    use std::rc::{Rc, Weak};
    round!(
        referents: Rc::new,
        new: weak_table::WeakValueHashMap::<u64, Weak<u64>, RandomState>::with_hasher(RandomState::new()),
        insert: |map, v| map.insert(**v, v.clone()),
        get: |map, k| map.get(&k),
        remove: |map, v| map.remove(&**v),
        len: |map| map.len(),
        purge: |map| map.remove_expired(),
    )
}

fn key_map_weak_table() -> Round {
    use std::rc::{Rc, Weak};
    round!(
        referents: Rc::new,
        new: weak_table::WeakKeyHashMap::<Weak<u64>, u64, RandomState>::with_hasher(RandomState::new()),
        insert: |map, k| map.insert(k.clone(), **k),
        get: |map, k| map.get(&k).copied(),
        remove: |map, k| map.remove(&**k),
        len: |map| map.len(),
        purge: |map| map.remove_expired(),
    )
}

fn set_weak_table() -> Round {
    use std::rc::{Rc, Weak};
    round!(
        referents: Rc::new,
        new: weak_table::WeakHashSet::<Weak<u64>, RandomState>::with_hasher(RandomState::new()),
        insert: |set, x| set.insert(x.clone()),
        get: |set, k| set.contains(&k),
        remove: |set, x| set.remove(&**x),
        len: |set| set.len(),
        purge: |set| set.remove_expired(),
    )
}

fn run(ours: fn() -> Round, theirs: fn() -> Round) -> (Vec<Round>, Vec<Round>) {
    let (mut a, mut b) = (Vec::new(), Vec::new());
    for round in 0..rounds() {
        if round % 2 == 0 {
            a.push(ours());
            b.push(theirs());
        } else {
            b.push(theirs());
            a.push(ours());
        }
    }
    (a, b)
}

fn main() {
    type Column = fn(&Round) -> f64;
    let columns: [(&str, Column); 7] = [
        ("insert", |r| r.insert),
        ("get (live)", |r| r.get),
        ("remove", |r| r.remove),
        ("expiry: every referent dies", |r| r.expire),
        ("weak-table's remove_expired()", |r| r.purge),
        ("len() after expiry", |r| r.len_after),
        ("bytes held after expiry", |r| r.bytes_after),
    ];
    type Kind = (&'static str, fn() -> Round, fn() -> Round);
    // `weak-table` has no thread-safe flavour: the `sync` rows compare ours, with its
    // atomics and mutex, against the same single-threaded `weak-table` baseline.
    let kinds: [Kind; 6] = [
        (
            "WeakValueMap vs WeakValueHashMap",
            rc::value_map,
            value_map_weak_table,
        ),
        (
            "WeakKeyMap vs WeakKeyHashMap",
            rc::key_map,
            key_map_weak_table,
        ),
        ("WeakSet vs WeakHashSet", rc::set, set_weak_table),
        (
            "sync WeakValueMap vs WeakValueHashMap",
            sync::value_map,
            value_map_weak_table,
        ),
        (
            "sync WeakKeyMap vs WeakKeyHashMap",
            sync::key_map,
            key_map_weak_table,
        ),
        ("sync WeakSet vs WeakHashSet", sync::set, set_weak_table),
    ];
    let mut json = Vec::new();
    for (kind, ours, theirs) in kinds {
        let (a, b) = run(ours, theirs);
        println!(
            "\n{kind}, {} entries (median of {} rounds; ns per entry unless said)",
            entries(),
            rounds()
        );
        println!(
            "{:<32} {:>14} {:>14} {:>8}",
            "phase", "weak-table 0.4", "weakrefs", "ratio"
        );
        for (name, column) in columns {
            let theirs = median(b.iter().map(column).collect());
            let ours = median(a.iter().map(column).collect());
            let ratio =
                if theirs > 0.0 && !name.contains("after") && !name.contains("remove_expired") {
                    format!("{:.3}", ours / theirs)
                } else {
                    String::new()
                };
            println!("{name:<32} {theirs:>14.1} {ours:>14.1} {ratio:>8}");
            json.push(Row {
                name: format!("{kind}: {name}"),
                fields: vec![("base", theirs), ("ours", ours)],
            });
        }
    }
    common::write_json_if_asked(&json);
}
