//! CPython's `FinalizeTestCase.test_atexit`, at real process exit: this test program
//! re-runs itself as a child that registers finalizers on an object that outlives
//! `main`, then ends by returning from `main` or by `std::process::exit`. The child's
//! output must be CPython's: `['f4 foobar', 'f3 error', 'g1', 'f1 foobar']` (f2 has
//! its at-exit flag cleared; g1 is created by f3 during the exit run; f3's panic is
//! reported on stderr and the run goes on).
//!
//! The child runs the scenario with `weakrefs::rc` (whose exit run is the main
//! thread's) or `weakrefs::sync` (whose exit run is the process's).
//!
//! Issue #12's exit faults run the same way, each in its own child: a panic handler
//! whose panic's payload panics on drop (the exit run must go on, and nothing escape
//! into the thread-local destructor or the C hook), and `exit` called from inside the
//! `Clone` of a finalizer's arguments during `peek` (the run must end, reporting that
//! finalizer once). A child that has not ended within a minute is killed and fails.
//!
//! Miri cannot spawn processes; the same scenario on a thread's exit is covered by
//! `tests/rc_semantics.rs`.

use std::cell::RefCell;
use std::process::Command;

use weakrefs::rc::{finalize, Rc};

struct A;

const GLOBAL_VAR: &str = "foobar";

thread_local! {
    // Registered before the first finalizer, so destroyed after the exit run: the
    // object outlives the run, as CPython's class does; when it then dies, f2 (not
    // run at exit) is only marked dead, as after Python's shutdown.
    static KEEP: RefCell<Vec<Rc<A>>> = const { RefCell::new(Vec::new()) };
}

fn child() {
    let cls = Rc::new(A);
    KEEP.with(|k| k.borrow_mut().push(cls.clone()));
    let print = |words: (&'static str, &'static str)| println!("{} {}", words.0, words.1);
    let f1 = finalize(&cls, print, ("f1", GLOBAL_VAR));
    let f2 = finalize(&cls, print, ("f2", GLOBAL_VAR));
    let cls3 = cls.clone();
    let f3 = finalize(
        &cls,
        move |()| {
            // Create an at-exit finalizer from inside a finalizer called at exit.
            finalize(&cls3, |line: &str| println!("{line}"), "g1");
            println!("f3 error");
            panic!("ZeroDivisionError: division by zero");
        },
        (),
    );
    let f4 = finalize(&cls, print, ("f4", GLOBAL_VAR));
    assert!(f1.atexit());
    f2.set_atexit(false);
    assert!(f3.atexit());
    assert!(f4.atexit());
}

/// The same with `weakrefs::sync`: the object is kept by a static, so it outlives the
/// process's exit run.
fn child_sync() {
    use std::sync::{Mutex, OnceLock};
    use weakrefs::sync::{finalize, Arc};
    static KEEP: OnceLock<Mutex<Vec<Arc<A>>>> = OnceLock::new();
    let cls = Arc::new(A);
    KEEP.get_or_init(Default::default)
        .lock()
        .unwrap()
        .push(cls.clone());
    let print = |words: (&'static str, &'static str)| println!("{} {}", words.0, words.1);
    let f1 = finalize(&cls, print, ("f1", GLOBAL_VAR));
    let f2 = finalize(&cls, print, ("f2", GLOBAL_VAR));
    let cls3 = cls.clone();
    let f3 = finalize(
        &cls,
        move |()| {
            finalize(&cls3, |line: &str| println!("{line}"), "g1");
            println!("f3 error");
            panic!("ZeroDivisionError: division by zero");
        },
        (),
    );
    let f4 = finalize(&cls, print, ("f4", GLOBAL_VAR));
    assert!(f1.atexit());
    f2.set_atexit(false);
    assert!(f3.atexit());
    assert!(f4.atexit());
}

/// A panic payload whose `Drop` panics.
struct PayloadBomb;

impl Drop for PayloadBomb {
    fn drop(&mut self) {
        panic!("the Drop of a panic payload");
    }
}

/// Issue #12, fault 1, at exit: the panic handler panics with a payload whose `Drop`
/// panics. The exit run must still run the older finalizer, and the process exit
/// cleanly (a panic escaping the thread-local destructor or the C hook aborts it).
fn child_handler_bomb(sync: bool) {
    weakrefs::set_panic_handler(|report| {
        eprintln!("handler: {report}");
        std::panic::panic_any(PayloadBomb)
    });
    let newer = |()| -> () { panic!("the newer finalizer") };
    let older = |()| println!("older");
    if sync {
        static KEEP: std::sync::OnceLock<weakrefs::sync::Arc<A>> = std::sync::OnceLock::new();
        let obj = KEEP.get_or_init(|| weakrefs::sync::Arc::new(A));
        weakrefs::sync::finalize(obj, older, ());
        weakrefs::sync::finalize(obj, newer, ());
    } else {
        let obj = Rc::new(A);
        KEEP.with(|k| k.borrow_mut().push(obj.clone()));
        finalize(&obj, older, ());
        finalize(&obj, newer, ());
    }
}

/// Arguments whose `Clone` exits the process: from inside `peek`, while the finalizer's
/// arguments are borrowed by this thread.
struct ExitOnClone;

impl Clone for ExitOnClone {
    fn clone(&self) -> Self {
        std::process::exit(0)
    }
}

/// Issue #12, fault 3: the exit run meets a finalizer it cannot run (its arguments are
/// borrowed by `peek` on the exiting thread). It must report it once, run the others,
/// and end.
fn child_exit_in_peek(sync: bool) {
    let older = |()| println!("older");
    let borrowed = |_: ExitOnClone| println!("the borrowed finalizer ran");
    if sync {
        static KEEP: std::sync::OnceLock<weakrefs::sync::Arc<A>> = std::sync::OnceLock::new();
        let obj = KEEP.get_or_init(|| weakrefs::sync::Arc::new(A));
        weakrefs::sync::finalize(obj, older, ());
        let _ = weakrefs::sync::finalize(obj, borrowed, ExitOnClone).peek();
    } else {
        let obj = Rc::new(A);
        KEEP.with(|k| k.borrow_mut().push(obj.clone()));
        finalize(&obj, older, ());
        let _ = finalize(&obj, borrowed, ExitOnClone).peek();
    }
    unreachable!("`peek` exits the process");
}

/// Issue #12, fault 1, in-process: a handler that uninstalls itself (so that the
/// report's clone of it is the last) and then panics; a captured value's `Drop`
/// panics when that clone goes. The death must go on to the older callback and `drop`
/// return.
fn child_handler_replaces_itself() {
    struct PanicOnDrop;
    impl Drop for PanicOnDrop {
        fn drop(&mut self) {
            panic!("the handler's capture, dropped with its last clone");
        }
    }
    let capture = PanicOnDrop;
    weakrefs::set_panic_handler(move |_| {
        let _ = &capture;
        drop(weakrefs::reset_panic_handler());
        panic!("the handler panics");
    });
    let obj = Rc::new(A);
    let _older = Rc::downgrade_with(&obj, |_| println!("older"));
    let _newer = Rc::downgrade_with(&obj, |_| panic!("the newer callback"));
    drop(obj);
    println!("drop returned");
}

/// Issue #12, fault 3, across threads: another thread's `peek` is cloning a `sync`
/// finalizer's arguments when the process exits, and that `Clone` itself calls `exit`
/// (so it blocks for good). The exit run must give that finalizer up, report it, run
/// the others and end.
fn child_sync_exit_in_peek_on_another_thread() {
    use std::sync::atomic::{AtomicBool, Ordering::SeqCst};
    static CLONING: AtomicBool = AtomicBool::new(false);
    struct ExitingClone;
    impl Clone for ExitingClone {
        fn clone(&self) -> Self {
            CLONING.store(true, SeqCst);
            std::thread::sleep(std::time::Duration::from_millis(300));
            std::process::exit(7)
        }
    }
    static KEEP: std::sync::OnceLock<weakrefs::sync::Arc<A>> = std::sync::OnceLock::new();
    let obj = KEEP.get_or_init(|| weakrefs::sync::Arc::new(A));
    weakrefs::sync::finalize(obj, |()| println!("older"), ());
    let borrowed = weakrefs::sync::finalize(obj, |_: ExitingClone| println!("ran"), ExitingClone);
    std::thread::spawn(move || drop(borrowed.peek()));
    while !CLONING.load(SeqCst) {
        std::thread::yield_now();
    }
    std::process::exit(0);
}

/// What a child must print: its standard output's lines, substrings of its standard
/// error, and how many panic reports ("panic ignored in …") it holds.
struct Expected {
    stdout: &'static [&'static str],
    stderr: &'static [&'static str],
    reports: usize,
}

const CPYTHON_TEST_ATEXIT: Expected = Expected {
    stdout: &["f4 foobar", "f3 error", "g1", "f1 foobar"],
    stderr: &[
        "ZeroDivisionError",
        "panic ignored in a finalizer run at exit for 'A'",
    ],
    reports: 1,
};

const HANDLER_BOMB: Expected = Expected {
    stdout: &["older"],
    stderr: &["handler: panic ignored in a finalizer run at exit for 'A': the newer finalizer"],
    reports: 1,
};

const HANDLER_REPLACES_ITSELF: Expected = Expected {
    stdout: &["older", "drop returned"],
    stderr: &["the handler panics"],
    reports: 0,
};

const EXIT_IN_PEEK_ON_ANOTHER_THREAD: Expected = Expected {
    stdout: &["older"],
    stderr: &["still being cloned by `peek` on another thread"],
    reports: 1,
};

const EXIT_IN_PEEK: Expected = Expected {
    stdout: &["older"],
    stderr: &["from inside `Clone` of its own arguments during `peek`"],
    reports: 1,
};

/// Runs the child for `mode`, killing it if it has not ended within a minute (the
/// exit run looping, say), and checks what it printed.
fn check(mode: &str, expected: &Expected) -> Result<(), String> {
    use std::process::Stdio;
    use std::time::{Duration, Instant};
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    let mut child = Command::new(exe)
        .arg(mode)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| e.to_string())?;
    // Drain both pipes on threads, so that a chatty child cannot block on a full one.
    let drain = |mut pipe: Box<dyn std::io::Read + Send>| {
        std::thread::spawn(move || {
            let mut text = Vec::new();
            let _ = pipe.read_to_end(&mut text);
            text
        })
    };
    let stdout = drain(Box::new(child.stdout.take().ok_or("no stdout")?));
    let stderr = drain(Box::new(child.stderr.take().ok_or("no stderr")?));
    let start = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().map_err(|e| e.to_string())? {
            break Some(status);
        }
        if start.elapsed() > Duration::from_secs(60) {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let stdout = stdout.join().unwrap_or_default();
    let stderr = stderr.join().unwrap_or_default();
    let stdout = String::from_utf8_lossy(&stdout);
    let stderr = String::from_utf8_lossy(&stderr);
    let tail: String = {
        let chars: Vec<char> = stderr.chars().collect();
        chars[chars.len().saturating_sub(2000)..].iter().collect()
    };
    let Some(status) = status else {
        return Err(format!(
            "child {mode} did not end within a minute\nstderr (end): {tail}"
        ));
    };
    if !status.success() {
        return Err(format!(
            "child {mode} failed: {status:?}\nstderr (end): {tail}"
        ));
    }
    let lines: Vec<&str> = stdout.lines().collect();
    if lines != expected.stdout {
        return Err(format!(
            "child {mode} printed {lines:?}\nstderr (end): {tail}"
        ));
    }
    for needle in expected.stderr {
        if !stderr.contains(needle) {
            return Err(format!("child {mode}: stderr lacks {needle:?}: {tail}"));
        }
    }
    let reports = stderr.matches("panic ignored in").count();
    if reports != expected.reports {
        return Err(format!(
            "child {mode}: {reports} panic reports\nstderr (end): {tail}"
        ));
    }
    Ok(())
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    match args.get(1).map(String::as_str) {
        Some("--child-return") => return child(),
        Some("--child-exit") => {
            child();
            std::process::exit(0);
        }
        Some("--child-sync-return") => return child_sync(),
        Some("--child-sync-exit") => {
            child_sync();
            std::process::exit(0);
        }
        Some("--child-handler-bomb-return") => return child_handler_bomb(false),
        Some("--child-sync-handler-bomb-exit") => {
            child_handler_bomb(true);
            std::process::exit(0);
        }
        Some("--child-handler-replaces-itself") => return child_handler_replaces_itself(),
        Some("--child-sync-exit-in-peek-on-another-thread") => {
            child_sync_exit_in_peek_on_another_thread()
        }
        Some("--child-exit-in-peek") => child_exit_in_peek(false),
        Some("--child-sync-exit-in-peek") => child_exit_in_peek(true),
        _ => {}
    }
    if cfg!(miri) {
        println!("atexit_process: skipped under Miri (no process spawning)");
        return;
    }
    let mut failed = 0;
    let modes = [
        ("--child-return", &CPYTHON_TEST_ATEXIT),
        ("--child-exit", &CPYTHON_TEST_ATEXIT),
        ("--child-sync-return", &CPYTHON_TEST_ATEXIT),
        ("--child-sync-exit", &CPYTHON_TEST_ATEXIT),
        ("--child-handler-bomb-return", &HANDLER_BOMB),
        ("--child-sync-handler-bomb-exit", &HANDLER_BOMB),
        ("--child-exit-in-peek", &EXIT_IN_PEEK),
        ("--child-sync-exit-in-peek", &EXIT_IN_PEEK),
        ("--child-handler-replaces-itself", &HANDLER_REPLACES_ITSELF),
        (
            "--child-sync-exit-in-peek-on-another-thread",
            &EXIT_IN_PEEK_ON_ANOTHER_THREAD,
        ),
    ];
    for (mode, expected) in modes {
        match check(mode, expected) {
            Ok(()) => println!("test at_exit{} ... ok", mode.trim_start_matches("--child")),
            Err(e) => {
                failed += 1;
                println!(
                    "test at_exit{} ... FAILED\n{e}",
                    mode.trim_start_matches("--child")
                );
            }
        }
    }
    println!(
        "\ntest result: {}. {} passed; {failed} failed; 0 ignored; 0 measured; 0 filtered out\n",
        if failed == 0 { "ok" } else { "FAILED" },
        modes.len() - failed
    );
    if failed > 0 {
        std::process::exit(101);
    }
}
