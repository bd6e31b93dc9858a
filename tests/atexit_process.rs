//! CPython's `FinalizeTestCase.test_atexit`, at real process exit: this test program
//! re-runs itself as a child that registers finalizers on an object that outlives
//! `main`, then ends by returning from `main` or by `std::process::exit`. The child's
//! output must be CPython's: `['f4 foobar', 'f3 error', 'g1', 'f1 foobar']` (f2 has
//! its at-exit flag cleared; g1 is created by f3 during the exit run; f3's panic is
//! reported on stderr and the run goes on).
//!
//! The child runs the scenario with `weakref::rc` (whose exit run is the main
//! thread's) or `weakref::sync` (whose exit run is the process's).
//!
//! Miri cannot spawn processes; the same scenario on a thread's exit is covered by
//! `tests/rc_semantics.rs`.

use std::cell::RefCell;
use std::process::Command;

use weakref::rc::{finalize, Rc};

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

/// The same with `weakref::sync`: the object is kept by a static, so it outlives the
/// process's exit run.
fn child_sync() {
    use std::sync::{Mutex, OnceLock};
    use weakref::sync::{finalize, Arc};
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

fn check(mode: &str) -> Result<(), String> {
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    let output = Command::new(exe)
        .arg(mode)
        .output()
        .map_err(|e| e.to_string())?;
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    let lines: Vec<&str> = stdout.lines().collect();
    if !output.status.success() {
        return Err(format!(
            "child {mode} failed: {:?}\n{stderr}",
            output.status
        ));
    }
    if lines != ["f4 foobar", "f3 error", "g1", "f1 foobar"] {
        return Err(format!("child {mode} printed {lines:?}\nstderr: {stderr}"));
    }
    if !stderr.contains("ZeroDivisionError")
        || !stderr.contains("panic ignored in a finalizer run at exit for 'A'")
    {
        return Err(format!("child {mode}: panic not reported: {stderr}"));
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
        _ => {}
    }
    if cfg!(miri) {
        println!("atexit_process: skipped under Miri (no process spawning)");
        return;
    }
    let mut failed = 0;
    let modes = [
        "--child-return",
        "--child-exit",
        "--child-sync-return",
        "--child-sync-exit",
    ];
    for mode in modes {
        match check(mode) {
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
