//! What the benches share: paired timing (alternating batches, medians, the median of
//! paired ratios) and the JSON figures `scripts/benchmarks.py` reads.
#![allow(dead_code)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicIsize, Ordering::Relaxed};
use std::time::Instant;

/// A global allocator that counts the bytes live, for the benches that measure memory
/// (each declares it as its `#[global_allocator]`).
pub struct Counting;

/// Bytes currently allocated through [`Counting`].
pub static LIVE: AtomicIsize = AtomicIsize::new(0);

// SAFETY: forwards every call to `System`, only counting sizes on the way.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        LIVE.fetch_add(layout.size() as isize, Relaxed);
        // SAFETY: forwarded to the system allocator with the caller's layout.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.fetch_sub(layout.size() as isize, Relaxed);
        // SAFETY: forwarded; `ptr` came from `alloc` with this layout.
        unsafe { System.dealloc(ptr, layout) }
    }
}

/// (baseline ns, ours ns, median of paired ours/baseline ratios).
pub type Figures = (f64, f64, f64);

/// ns per iteration of `batch` runs of `op`.
pub fn time_batch(batch: u64, mut op: impl FnMut()) -> f64 {
    let start = Instant::now();
    for _ in 0..batch {
        op();
    }
    start.elapsed().as_nanos() as f64 / batch as f64
}

pub fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

/// Medians of `base` and `ours` batches, alternating which goes first, and the median
/// of the paired ratios (which cancels drift between pairs).
pub fn compare(
    batch: u64,
    rounds: usize,
    mut base: impl FnMut(),
    mut ours: impl FnMut(),
) -> Figures {
    time_batch(batch, &mut base);
    time_batch(batch, &mut ours);
    let (mut b, mut o) = (Vec::new(), Vec::new());
    for round in 0..rounds {
        if round % 2 == 0 {
            b.push(time_batch(batch, &mut base));
            o.push(time_batch(batch, &mut ours));
        } else {
            o.push(time_batch(batch, &mut ours));
            b.push(time_batch(batch, &mut base));
        }
    }
    figures(b, o)
}

pub fn figures(b: Vec<f64>, o: Vec<f64>) -> Figures {
    let ratios = b.iter().zip(&o).map(|(b, o)| o / b).collect();
    (median(b), median(o), median(ratios))
}

/// The median batch of `op` alone.
pub fn alone(batch: u64, rounds: usize, mut op: impl FnMut()) -> f64 {
    time_batch(batch, &mut op);
    median((0..rounds).map(|_| time_batch(batch, &mut op)).collect())
}

/// A figure for the JSON file: a name and its fields.
pub struct Row {
    pub name: String,
    pub fields: Vec<(&'static str, f64)>,
}

impl Row {
    pub fn pair(name: impl Into<String>, (base, ours, ratio): Figures) -> Row {
        Row {
            name: name.into(),
            fields: vec![("base_ns", base), ("ours_ns", ours), ("ratio", ratio)],
        }
    }
    pub fn single(name: impl Into<String>, field: &'static str, value: f64) -> Row {
        Row {
            name: name.into(),
            fields: vec![(field, value)],
        }
    }
}

/// Writes `rows` as a JSON object to the file after `--json` on the command line, if
/// any (as `scripts/benchmarks.py` runs the benches).
pub fn write_json_if_asked(rows: &[Row]) {
    let Some(path) = std::env::args().skip_while(|a| a != "--json").nth(1) else {
        return;
    };
    let body: Vec<String> = rows
        .iter()
        .map(|row| {
            let fields: Vec<String> = row
                .fields
                .iter()
                .map(|(k, v)| format!("\"{k}\": {v:.4}"))
                .collect();
            format!("  \"{}\": {{{}}}", row.name, fields.join(", "))
        })
        .collect();
    std::fs::write(&path, format!("{{\n{}\n}}\n", body.join(",\n")))
        .expect("write the JSON figures");
}
