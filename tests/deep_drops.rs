//! Deep drops (issue #14): chains of deaths far deeper than the stack could hold if
//! each death ran inside the one before, as std's do. Runs on the **main thread**, with
//! its default stack (a plain `main`, not the test harness, whose threads have 2 MiB),
//! for both flavours:
//!
//! * a chain of 10,000,000 nodes dropped from its head;
//! * 1,000,000 nodes with a callback each;
//! * a chain through callbacks: each object's callback owns the next object, also
//!   started by `try_unwrap` and `into_inner`;
//! * a deep binary tree (a left spine of 1,000,000 nodes, each with a right leaf);
//! * a `WeakValueMap` whose values form a chain: empty afterwards;
//! * panics in deferred `Drop`s: every node still dropped, the first panic propagates,
//!   the rest are reported;
//! * a chain dropped by a thread-local destructor, at thread exit.
//!
//! And a control: the same 1,000,000-node chain with `std::rc::Rc`, in a child
//! process, overflows the stack (so the chains here are deep enough to matter).
//!
//! Under Miri (slow, and with a nesting limit of 8) the chains are a few hundred nodes
//! long, which still defers dozens of times; the child process is skipped.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
use std::sync::Mutex;

/// `n`, or a few hundred under Miri.
fn scaled(n: usize) -> usize {
    if cfg!(miri) {
        n.clamp(1, 300)
    } else {
        n
    }
}

/// The chain tests, written once over the flavour.
macro_rules! flavour_tests {
    ($flavour:ident, $Strong:ident) => {
        mod $flavour {
            use super::*;
            use weakrefs::$flavour::{$Strong as Strong, Weak, WeakValueMap};

            /// A node that counts its drops.
            pub struct Node {
                next: Option<Strong<Node>>,
                drops: &'static AtomicUsize,
            }

            impl Drop for Node {
                fn drop(&mut self) {
                    self.drops.fetch_add(1, SeqCst);
                }
            }

            /// A chain of `n` nodes; returns its head.
            fn chain(n: usize, drops: &'static AtomicUsize) -> Strong<Node> {
                let mut head = Strong::new(Node { next: None, drops });
                for _ in 1..n {
                    head = Strong::new(Node {
                        next: Some(head),
                        drops,
                    });
                }
                head
            }

            pub fn long_chain() {
                static DROPS: AtomicUsize = AtomicUsize::new(0);
                let n = scaled(10_000_000);
                drop(chain(n, &DROPS));
                assert_eq!(DROPS.load(SeqCst), n, "every node dropped, once");
            }

            pub fn a_callback_each() {
                static DROPS: AtomicUsize = AtomicUsize::new(0);
                static CALLBACKS: AtomicUsize = AtomicUsize::new(0);
                let n = scaled(1_000_000);
                let head = chain(n, &DROPS);
                let mut weaks = Vec::with_capacity(n);
                let mut node = Some(head.clone());
                while let Some(current) = node {
                    weaks.push(Strong::downgrade_with(&current, |dead: &Weak<Node>| {
                        assert!(dead.upgrade().is_none());
                        CALLBACKS.fetch_add(1, SeqCst);
                    }));
                    node = current.next.clone();
                }
                drop(head);
                assert_eq!(DROPS.load(SeqCst), n);
                assert_eq!(CALLBACKS.load(SeqCst), n, "every callback ran, once");
                assert!(weaks.iter().all(|w| w.upgrade().is_none()));
            }

            /// `n` objects, each kept alive only by the previous one's callback; the
            /// weak references are returned (dropping them would cancel the callbacks).
            fn chain_through_callbacks(
                n: usize,
                dropped: &'static AtomicUsize,
            ) -> (Strong<Counted>, Vec<Weak<Counted>>) {
                let mut weaks = Vec::with_capacity(n);
                let mut head = Strong::new(Counted(dropped));
                for _ in 1..n {
                    let next = head;
                    head = Strong::new(Counted(dropped));
                    weaks.push(Strong::downgrade_with(&head, move |_| drop(next)));
                }
                (head, weaks)
            }

            pub struct Counted(&'static AtomicUsize);

            impl Drop for Counted {
                fn drop(&mut self) {
                    self.0.fetch_add(1, SeqCst);
                }
            }

            pub fn chain_through_callbacks_dropped() {
                static DROPS: AtomicUsize = AtomicUsize::new(0);
                let n = scaled(1_000_000);
                let (head, weaks) = chain_through_callbacks(n, &DROPS);
                drop(head);
                assert_eq!(DROPS.load(SeqCst), n);
                drop(weaks);
            }

            pub fn chain_through_callbacks_unwrapped() {
                static DROPS: AtomicUsize = AtomicUsize::new(0);
                let n = scaled(1_000_000);
                let (head, weaks) = chain_through_callbacks(n, &DROPS);
                // The value is moved out; the callbacks, which hold the rest, run.
                let value = Strong::try_unwrap(head)
                    .ok()
                    .expect("the only strong handle");
                assert_eq!(DROPS.load(SeqCst), n - 1, "all but the value moved out");
                drop(value);
                drop(weaks);

                static MORE: AtomicUsize = AtomicUsize::new(0);
                let (head, weaks) = chain_through_callbacks(n, &MORE);
                let value = Strong::into_inner(head).expect("the last strong handle");
                assert_eq!(MORE.load(SeqCst), n - 1);
                drop((value, weaks));
            }

            /// A left spine of `n` nodes, each with a right leaf.
            pub fn deep_binary_tree() {
                static DROPS: AtomicUsize = AtomicUsize::new(0);
                // Its fields are only ever dropped.
                #[allow(dead_code)]
                struct Tree {
                    left: Option<Strong<Tree>>,
                    right: Option<Strong<Tree>>,
                }
                impl Drop for Tree {
                    fn drop(&mut self) {
                        DROPS.fetch_add(1, SeqCst);
                    }
                }
                let n = scaled(1_000_000);
                let leaf = || {
                    Strong::new(Tree {
                        left: None,
                        right: None,
                    })
                };
                let mut root = leaf();
                for _ in 1..n {
                    root = Strong::new(Tree {
                        left: Some(root),
                        right: Some(leaf()),
                    });
                }
                drop(root);
                assert_eq!(DROPS.load(SeqCst), 2 * n - 1);
            }

            pub fn weak_map_over_a_chain() {
                static DROPS: AtomicUsize = AtomicUsize::new(0);
                let n = scaled(1_000_000);
                let map = WeakValueMap::new();
                let head = chain(n, &DROPS);
                let mut node = Some(head.clone());
                let mut i = 0usize;
                while let Some(current) = node {
                    map.insert(i, current.clone());
                    node = current.next.clone();
                    i += 1;
                }
                assert_eq!(map.len(), n);
                drop(head);
                assert_eq!(DROPS.load(SeqCst), n);
                assert_eq!(map.len(), 0, "every entry went with its value");
                assert!(map.is_empty());
            }

            /// Nodes whose `Drop` panics, deep in a chain (past the nesting limit, so
            /// their deaths are deferred).
            pub fn panics_in_deferred_drops() {
                static DROPS: AtomicUsize = AtomicUsize::new(0);
                #[allow(dead_code)]
                struct Fragile {
                    next: Option<Strong<Fragile>>,
                    index: usize,
                }
                impl Drop for Fragile {
                    fn drop(&mut self) {
                        DROPS.fetch_add(1, SeqCst);
                        if self.index % SPACING == SPACING - 1 {
                            panic!("{EXPECTED}: node {}", self.index);
                        }
                    }
                }
                // Farther apart than the nesting limit, so that each panic comes in a
                // deferred end of life of its own: two in one would be a panic while
                // unwinding, which aborts (as it does with std).
                const SPACING: usize = if cfg!(miri) { 50 } else { 1000 };
                let n = scaled(100_000);
                let mut head = Strong::new(Fragile {
                    next: None,
                    index: n - 1,
                });
                for index in (0..n - 1).rev() {
                    head = Strong::new(Fragile {
                        next: Some(head),
                        index,
                    });
                }
                let (result, reports) =
                    with_reports(|| catch_unwind(AssertUnwindSafe(|| drop(head))));
                assert_eq!(DROPS.load(SeqCst), n, "every node dropped, panics or not");
                let panics = n / SPACING;
                if panics > 0 {
                    let payload = result.expect_err("the first panic propagates");
                    let message = payload.downcast_ref::<String>().unwrap();
                    assert!(message.starts_with(EXPECTED), "{message}");
                }
                // The first propagates; each later one is reported, or, if it came
                // inside an end of life that was already unwinding, reached the
                // caller with that panic. None is lost or aborts the process.
                assert!(reports.len() < panics.max(1), "{} reports", reports.len());
                assert!(reports
                    .iter()
                    .all(|r| r.0 == PanicSource::DeferredDrop || r.0 == PanicSource::WeakCallback));
            }

            /// A chain dropped by a thread-local destructor, while the thread exits.
            pub fn chain_dropped_at_thread_exit() {
                static DROPS: AtomicUsize = AtomicUsize::new(0);
                struct DropsAtExit(Option<Strong<Node>>);
                impl Drop for DropsAtExit {
                    fn drop(&mut self) {
                        drop(self.0.take());
                    }
                }
                thread_local! {
                    static HOLDER: std::cell::RefCell<DropsAtExit> =
                        const { std::cell::RefCell::new(DropsAtExit(None)) };
                }
                let n = scaled(1_000_000);
                std::thread::Builder::new()
                    // The harness's stack size, not the main thread's.
                    .stack_size(2 << 20)
                    .spawn(move || {
                        let head = chain(n, &DROPS);
                        HOLDER.with(|h| h.borrow_mut().0 = Some(head));
                    })
                    .unwrap()
                    .join()
                    .unwrap();
                assert_eq!(DROPS.load(SeqCst), n);
            }
        }
    };
}

/// Panics whose message starts with this are expected.
const EXPECTED: &str = "expected panic";

use weakrefs::PanicSource;

/// Panic reports: (source, message), while a test captures them.
static REPORTS: Mutex<Option<Vec<(PanicSource, String)>>> = Mutex::new(None);

/// Runs `f` and returns its result with the panic reports made meanwhile (the tests
/// run one at a time).
fn with_reports<R>(f: impl FnOnce() -> R) -> (R, Vec<(PanicSource, String)>) {
    *REPORTS.lock().unwrap() = Some(Vec::new());
    let result = f();
    let reports = REPORTS.lock().unwrap().take().unwrap_or_default();
    (result, reports)
}

flavour_tests!(rc, Rc);
flavour_tests!(sync, Arc);

/// The control: std's `Rc` overflows the stack on a chain this crate drops.
fn std_overflows() {
    if std::env::args().any(|a| a == "--child-std-chain") {
        struct StdNode(#[allow(dead_code)] Option<std::rc::Rc<StdNode>>);
        let mut head = std::rc::Rc::new(StdNode(None));
        for _ in 1..1_000_000 {
            head = std::rc::Rc::new(StdNode(Some(head)));
        }
        drop(head);
        println!("std dropped it");
        std::process::exit(0);
    }
    let exe = std::env::current_exe().unwrap();
    let out = std::process::Command::new(exe)
        .arg("--child-std-chain")
        .output()
        .unwrap();
    assert!(
        !out.status.success(),
        "std's Rc dropped a 1,000,000-node chain on this stack: the chains here would not \
         prove anything"
    );
}

fn main() {
    if std::env::args().any(|a| a == "--child-std-chain") {
        std_overflows();
    }
    let default_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let expected = info
            .payload()
            .downcast_ref::<String>()
            .is_some_and(|m| m.starts_with(EXPECTED));
        if !expected {
            default_hook(info);
        }
    }));
    weakrefs::set_panic_handler(|report| {
        let message = report.message().unwrap_or_default().to_owned();
        match REPORTS.lock().unwrap().as_mut() {
            Some(reports) => reports.push((report.source(), message)),
            None => eprintln!("deep_drops: unexpected report: {report}"),
        }
    });

    type Test = (&'static str, fn());
    let mut tests: Vec<Test> = vec![
        ("rc::long_chain", rc::long_chain),
        ("rc::a_callback_each", rc::a_callback_each),
        (
            "rc::chain_through_callbacks_dropped",
            rc::chain_through_callbacks_dropped,
        ),
        (
            "rc::chain_through_callbacks_unwrapped",
            rc::chain_through_callbacks_unwrapped,
        ),
        ("rc::deep_binary_tree", rc::deep_binary_tree),
        ("rc::weak_map_over_a_chain", rc::weak_map_over_a_chain),
        ("rc::panics_in_deferred_drops", rc::panics_in_deferred_drops),
        (
            "rc::chain_dropped_at_thread_exit",
            rc::chain_dropped_at_thread_exit,
        ),
        ("sync::long_chain", sync::long_chain),
        ("sync::a_callback_each", sync::a_callback_each),
        (
            "sync::chain_through_callbacks_dropped",
            sync::chain_through_callbacks_dropped,
        ),
        (
            "sync::chain_through_callbacks_unwrapped",
            sync::chain_through_callbacks_unwrapped,
        ),
        ("sync::deep_binary_tree", sync::deep_binary_tree),
        ("sync::weak_map_over_a_chain", sync::weak_map_over_a_chain),
        (
            "sync::panics_in_deferred_drops",
            sync::panics_in_deferred_drops,
        ),
        (
            "sync::chain_dropped_at_thread_exit",
            sync::chain_dropped_at_thread_exit,
        ),
    ];
    if !cfg!(miri) {
        tests.push(("control: std_overflows", std_overflows));
    }
    let filter: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with('-'))
        .collect();
    let mut failed = 0;
    let mut ran = 0;
    for (name, test) in tests {
        if !filter.is_empty() && !filter.iter().any(|f| name.contains(f.as_str())) {
            continue;
        }
        ran += 1;
        let start = std::time::Instant::now();
        match catch_unwind(test) {
            Ok(()) => println!("test {name} ... ok ({:.2?})", start.elapsed()),
            Err(_) => {
                failed += 1;
                println!("test {name} ... FAILED");
            }
        }
    }
    println!(
        "\ntest result: {}. {} passed; {failed} failed; 0 ignored; 0 measured; 0 filtered out\n",
        if failed == 0 { "ok" } else { "FAILED" },
        ran - failed
    );
    if failed > 0 {
        std::process::exit(101);
    }
}
