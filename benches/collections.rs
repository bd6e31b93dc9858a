//! Weak-valued maps of 1,000,000 entries, `weakref::rc::WeakValueMap` against
//! `weak-table` 0.4's `WeakValueHashMap` (over `std::rc`), in one run: insert, get,
//! expiry (every value dies), and the memory the map holds afterwards. Run with
//! `cargo bench --bench collections`.
//!
//! Method: each phase is timed over all entries and repeated `ROUNDS` times with fresh
//! maps; the figure is the median, in ns per entry. Memory is counted by this binary's
//! global allocator. `weak-table` removes dead entries lazily: after expiry it still
//! counts them and holds their memory, until `remove_expired` (timed separately) or
//! enough later insertions; ours removes each entry when its value dies.

use std::alloc::{GlobalAlloc, Layout, System};
use std::hint::black_box;
use std::sync::atomic::{AtomicIsize, Ordering::Relaxed};
use std::time::Instant;

struct Counting;
static LIVE: AtomicIsize = AtomicIsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        LIVE.fetch_add(layout.size() as isize, Relaxed);
        // SAFETY: forwarded.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.fetch_sub(layout.size() as isize, Relaxed);
        // SAFETY: forwarded.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

const N: u64 = 1_000_000;
const ROUNDS: usize = 5;

/// What one round measured: ns per entry for each phase, and bytes.
#[derive(Default, Clone, Copy)]
struct Round {
    insert: f64,
    get: f64,
    expire: f64,
    purge: f64,
    len_after: usize,
    bytes_after: isize,
}

fn ns_per_entry(start: Instant) -> f64 {
    start.elapsed().as_nanos() as f64 / N as f64
}

fn ours() -> Round {
    use weakref::rc::{Rc, WeakValueMap};
    let base = LIVE.load(Relaxed);
    let values: Vec<Rc<u64>> = (0..N).map(Rc::new).collect();
    let map = WeakValueMap::new();
    let t = Instant::now();
    for v in &values {
        map.insert(**v, v.clone());
    }
    let insert = ns_per_entry(t);
    let t = Instant::now();
    for k in 0..N {
        black_box(map.get(&k));
    }
    let get = ns_per_entry(t);
    let t = Instant::now();
    drop(values); // every value dies; each entry goes with it
    let expire = ns_per_entry(t);
    let len_after = map.len();
    // Counted from before the values were made: what is left is the map's (and, for
    // std's `Weak`, the dead values' allocations it keeps).
    let bytes_after = LIVE.load(Relaxed) - base;
    drop(map);
    Round {
        insert,
        get,
        expire,
        purge: 0.0,
        len_after,
        bytes_after,
    }
}

fn weak_table() -> Round {
    use std::collections::hash_map::RandomState;
    use std::rc::{Rc, Weak};
    use weak_table::WeakValueHashMap;
    let base = LIVE.load(Relaxed);
    let values: Vec<Rc<u64>> = (0..N).map(Rc::new).collect();
    // The same hasher as ours (std's), so that the tables, not the hashers, compare.
    let mut map: WeakValueHashMap<u64, Weak<u64>, RandomState> =
        WeakValueHashMap::with_hasher(RandomState::new());
    let t = Instant::now();
    for v in &values {
        map.insert(**v, v.clone());
    }
    let insert = ns_per_entry(t);
    let t = Instant::now();
    for k in 0..N {
        black_box(map.get(&k));
    }
    let get = ns_per_entry(t);
    let t = Instant::now();
    drop(values); // the values die; their entries stay until purged
    let expire = ns_per_entry(t);
    let len_after = map.len();
    let bytes_after = LIVE.load(Relaxed) - base;
    let t = Instant::now();
    map.remove_expired();
    let purge = ns_per_entry(t);
    drop(map);
    Round {
        insert,
        get,
        expire,
        purge,
        len_after,
        bytes_after,
    }
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn main() {
    let (mut a, mut b) = (Vec::new(), Vec::new());
    for round in 0..ROUNDS {
        if round % 2 == 0 {
            a.push(ours());
            b.push(weak_table());
        } else {
            b.push(weak_table());
            a.push(ours());
        }
    }
    let col = |rs: &[Round], f: fn(&Round) -> f64| median(rs.iter().map(f).collect());
    println!("weak-valued map, {N} entries (median of {ROUNDS} rounds, ns per entry)");
    println!(
        "{:<34} {:>14} {:>14} {:>8}",
        "phase", "weak-table 0.4", "weakref", "ratio"
    );
    type Column = fn(&Round) -> f64;
    let rows: [(&str, Column); 3] = [
        ("insert", |r| r.insert),
        ("get (live)", |r| r.get),
        ("expiry: drop every value", |r| r.expire),
    ];
    for (name, f) in rows {
        let (wt, us) = (col(&b, f), col(&a, f));
        println!("{name:<34} {wt:>14.1} {us:>14.1} {:>8.3}", us / wt);
    }
    println!(
        "{:<34} {:>14.1} {:>14} {:>8}",
        "weak-table: remove_expired()",
        col(&b, |r| r.purge),
        "(not needed)",
        ""
    );
    println!("\nafter every value died:");
    println!("{:<34} {:>14} {:>14}", "", "weak-table 0.4", "weakref");
    println!(
        "{:<34} {:>14} {:>14}",
        "len()", b[0].len_after, a[0].len_after
    );
    println!(
        "{:<34} {:>14} {:>14}",
        "bytes the map still holds", b[0].bytes_after, a[0].bytes_after
    );
}
