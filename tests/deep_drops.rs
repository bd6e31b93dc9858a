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
//! Under Miri (slow, and with a nesting limit of 32) the chains are a few hundred nodes
//! long, which still defers several times each; the child processes are skipped.

use std::panic::catch_unwind;
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
            use std::panic::{catch_unwind, AssertUnwindSafe};
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
            /// their deaths are deferred): each is reported, none escapes.
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
                assert!(
                    result.is_ok(),
                    "a deferred panic escaped the outermost drop"
                );
                assert_eq!(
                    reports.len(),
                    n / SPACING,
                    "each deferred panic is reported"
                );
                assert!(reports.iter().all(|r| r.0 == PanicSource::DeferredDrop));
            }

            /// A deep chain whose deepest `Drop` panics, with the weak references that
            /// keep it linked.
            #[allow(dead_code)]
            pub struct Chain(Strong<Panicky>, Vec<Weak<Panicky>>);

            #[allow(dead_code)]
            pub fn panicky_chain(n: usize) -> Chain {
                let (head, weaks) = fragile_callback_chain(n);
                Chain(head, weaks)
            }

            /// A chain of `n` objects, each kept alive by the previous one's callback,
            /// each but the head panicking in its `Drop` (so one of them is a deferred
            /// death's root, not inside a callback); the weak references are returned.
            fn fragile_callback_chain(n: usize) -> (Strong<Panicky>, Vec<Weak<Panicky>>) {
                let mut weaks = Vec::new();
                let mut head = Strong::new(Panicky(true));
                for i in 1..n {
                    let next = head;
                    head = Strong::new(Panicky(i < n - 1));
                    weaks.push(Strong::downgrade_with(&head, move |_| drop(next)));
                }
                (head, weaks)
            }

            pub struct Panicky(bool);

            impl Drop for Panicky {
                fn drop(&mut self) {
                    if self.0 {
                        panic!("{EXPECTED}: the deepest object");
                    }
                }
            }

            /// The review's case: panics that callbacks' `catch_unwind` catch in a short
            /// chain must not escape the drop of a deep one.
            pub fn deferred_panic_in_a_callback_chain_is_reported_not_resumed() {
                for n in [10, scaled(400).max(40)] {
                    let (head, weaks) = fragile_callback_chain(n);
                    let (result, reports) =
                        with_reports(|| catch_unwind(AssertUnwindSafe(|| drop(head))));
                    assert!(result.is_ok(), "n = {n}: a panic escaped drop(head)");
                    assert_eq!(reports.len(), n - 1, "n = {n}: each panic reported once");
                    drop(weaks);
                }
                // try_unwrap keeps its value, whatever the chain's depth.
                let (head, weaks) = fragile_callback_chain(scaled(400).max(40));
                let (result, _) = with_reports(|| {
                    catch_unwind(AssertUnwindSafe(|| Strong::try_unwrap(head).is_ok()))
                });
                assert_eq!(result.ok(), Some(true), "try_unwrap panicked or failed");
                drop(weaks);
            }

            /// The review's case: a user's own `catch_unwind` around a drop sees, in a
            /// deep chain, what it sees in a short one.
            pub fn user_catch_unwind_sees_the_same_in_a_deep_chain() {
                struct Careful(Option<Strong<Fragile2>>);
                impl Drop for Careful {
                    fn drop(&mut self) {
                        let inner = self.0.take();
                        let _ = catch_unwind(AssertUnwindSafe(move || drop(inner)));
                    }
                }
                #[allow(dead_code)]
                struct Fragile2(Option<Strong<Fragile2>>, bool);
                impl Drop for Fragile2 {
                    fn drop(&mut self) {
                        if self.1 {
                            panic!("{EXPECTED}: the deepest node");
                        }
                    }
                }
                for n in [10, scaled(400).max(40)] {
                    let mut chain = Strong::new(Fragile2(None, true));
                    for _ in 1..n {
                        chain = Strong::new(Fragile2(Some(chain), false));
                    }
                    let outer = Strong::new(Careful(Some(chain)));
                    let (result, _) =
                        with_reports(|| catch_unwind(AssertUnwindSafe(|| drop(outer))));
                    assert!(result.is_ok(), "n = {n}: drop(outer) panicked");
                }
            }

            /// The tests of this flavour, named.
            pub fn tests() -> Vec<(&'static str, fn())> {
                vec![
                    (
                        concat!(stringify!($flavour), "::long_chain"),
                        long_chain as fn(),
                    ),
                    (
                        concat!(stringify!($flavour), "::a_callback_each"),
                        a_callback_each as fn(),
                    ),
                    (
                        concat!(stringify!($flavour), "::chain_through_callbacks_dropped"),
                        chain_through_callbacks_dropped as fn(),
                    ),
                    (
                        concat!(stringify!($flavour), "::chain_through_callbacks_unwrapped"),
                        chain_through_callbacks_unwrapped as fn(),
                    ),
                    (
                        concat!(stringify!($flavour), "::deep_binary_tree"),
                        deep_binary_tree as fn(),
                    ),
                    (
                        concat!(stringify!($flavour), "::weak_map_over_a_chain"),
                        weak_map_over_a_chain as fn(),
                    ),
                    (
                        concat!(stringify!($flavour), "::panics_in_deferred_drops"),
                        panics_in_deferred_drops as fn(),
                    ),
                    (
                        concat!(
                            stringify!($flavour),
                            "::deferred_panic_in_a_callback_chain_is_reported_not_resumed"
                        ),
                        deferred_panic_in_a_callback_chain_is_reported_not_resumed as fn(),
                    ),
                    (
                        concat!(
                            stringify!($flavour),
                            "::user_catch_unwind_sees_the_same_in_a_deep_chain"
                        ),
                        user_catch_unwind_sees_the_same_in_a_deep_chain as fn(),
                    ),
                    (
                        concat!(stringify!($flavour), "::chain_dropped_at_thread_exit"),
                        chain_dropped_at_thread_exit as fn(),
                    ),
                ]
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

/// The review's case at thread exit: a deep chain whose deferred `Drop` panics, held by
/// a thread-local and dropped by its destructor (where a panic aborts the process), in
/// a child process: the panic must be reported, and the child exit cleanly.
fn deferred_panic_at_thread_exit() {
    if std::env::args().any(|a| a == "--child-tls-deferred-panic") {
        struct Deep(#[allow(dead_code)] Option<rc::Chain>);
        thread_local! {
            static HOLDER: std::cell::RefCell<Deep> = const { std::cell::RefCell::new(Deep(None)) };
        }
        std::panic::set_hook(Box::new(|_| {})); // 399 expected panics: no messages
        weakrefs::set_panic_handler(|report| println!("reported: {:?}", report.source()));
        std::thread::spawn(|| HOLDER.with(|h| h.borrow_mut().0 = Some(rc::panicky_chain(400))))
            .join()
            .unwrap();
        println!("thread exited");
        std::process::exit(0);
    }
    let exe = std::env::current_exe().unwrap();
    let out = std::process::Command::new(exe)
        .arg("--child-tls-deferred-panic")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "the child failed: {:?}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.contains("reported: ") && stdout.contains("thread exited"),
        "{stdout}"
    );
}

fn main() {
    if std::env::args().any(|a| a == "--child-std-chain") {
        std_overflows();
    }
    if std::env::args().any(|a| a == "--child-tls-deferred-panic") {
        deferred_panic_at_thread_exit();
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
    let mut tests: Vec<Test> = rc::tests();
    tests.extend(sync::tests());
    if !cfg!(miri) {
        tests.push(("control: std_overflows", std_overflows));
        tests.push((
            "rc: deferred_panic_at_thread_exit",
            deferred_panic_at_thread_exit,
        ));
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
