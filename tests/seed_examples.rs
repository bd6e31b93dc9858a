//! The seed's three programs, ported as examples, must print the seed's transcripts
//! line for line. Addresses differ from run to run, so each distinct address is
//! replaced by a name in order of first appearance (`<A1>`, `<A2>`, …) on both sides:
//! the texts must then be equal, which also checks which lines share an address.
//!
//! The expected transcripts are copied from `shared/seed/weakref-pymotw.md` (PyMOTW,
//! section 2.8), addresses and all.
#![cfg(not(miri))] // Miri cannot spawn processes.

use std::collections::HashMap;
use std::path::PathBuf;
use std::process::Command;

const WEAKREF_REF: &str = "\
obj: <__main__.ExpensiveObject object at 0x7f87bcc43040>
ref: <weakref at 0x7f87bcb0f770; to 'ExpensiveObject' at 0x7f87bcc43040>
r(): <__main__.ExpensiveObject object at 0x7f87bcc43040>
deleting obj
(Deleting <__main__.ExpensiveObject object at 0x7f87bcc43040>)
r(): None
";

const WEAKREF_REF_CALLBACK: &str = "\
obj: <__main__.ExpensiveObject object at 0x7f97f7be8040>
ref: <weakref at 0x7f97f7ab4860; to 'ExpensiveObject' at 0x7f97f7be8040>
r(): <__main__.ExpensiveObject object at 0x7f97f7be8040>
deleting obj
(Deleting <__main__.ExpensiveObject object at 0x7f97f7be8040>)
callback(<weakref at 0x7f97f7ab4860; dead>)
r(): None
";

const WEAKREF_FINALIZE: &str = "\
(Deleting <__main__.ExpensiveObject object at 0x7f79f699b040>)
on_finalize(('extra argument',))
";

/// Replaces every `0x…` hex address by `<An>`, numbering distinct addresses in order
/// of first appearance.
fn normalise_addresses(text: &str) -> String {
    let mut names: HashMap<String, usize> = HashMap::new();
    let mut out = String::new();
    let mut rest = text;
    while let Some(start) = rest.find("0x") {
        out.push_str(&rest[..start]);
        let digits = rest[start + 2..]
            .find(|c: char| !c.is_ascii_hexdigit())
            .unwrap_or(rest.len() - start - 2);
        let address = rest[start..start + 2 + digits].to_ascii_lowercase();
        let next = names.len() + 1;
        let n = *names.entry(address).or_insert(next);
        out.push_str(&format!("<A{n}>"));
        rest = &rest[start + 2 + digits..];
    }
    out.push_str(rest);
    out
}

/// The example binaries that `cargo test` builds next to the test binaries.
fn example_path(name: &str) -> PathBuf {
    let mut dir = std::env::current_exe().expect("test binary path");
    dir.pop(); // the test binary
    if dir.ends_with("deps") {
        dir.pop();
    }
    dir.join("examples")
        .join(format!("{name}{}", std::env::consts::EXE_SUFFIX))
}

fn run_example(name: &str) -> String {
    let path = example_path(name);
    let output = Command::new(&path).output().unwrap_or_else(|e| {
        panic!(
            "cannot run {}: {e} (build it with `cargo test` or `cargo build --examples`)",
            path.display()
        )
    });
    assert!(output.status.success(), "{name} failed: {output:?}");
    assert!(
        output.stderr.is_empty(),
        "{name} wrote to stderr: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).expect("utf-8 output")
}

fn check(name: &str, seed: &str) {
    let ours = run_example(name);
    assert_eq!(
        normalise_addresses(&ours),
        normalise_addresses(seed),
        "\n--- ours ---\n{ours}--- seed ---\n{seed}"
    );
}

#[test]
fn normalisation_keeps_address_sharing() {
    assert_eq!(
        normalise_addresses("a 0x1f b 0xAB c 0x1f"),
        "a <A1> b <A2> c <A1>"
    );
    assert_ne!(
        normalise_addresses("0x1 0x2"),
        normalise_addresses("0x1 0x1")
    );
}

#[test]
fn weakref_ref_matches_the_seed() {
    check("weakref_ref", WEAKREF_REF);
}

#[test]
fn weakref_ref_callback_matches_the_seed() {
    check("weakref_ref_callback", WEAKREF_REF_CALLBACK);
}

#[test]
fn weakref_finalize_matches_the_seed() {
    check("weakref_finalize", WEAKREF_FINALIZE);
}

#[test]
fn observer_example_prints_its_documented_transcript() {
    // Not a seed program: the observer example of issue #4, whose transcript is in
    // its own doc comment.
    let ours = run_example("observer");
    let expected = "\
listeners: 2
[logger] saw \"started\"
[counter] 1 event(s)
dropping the logger
listeners: 1
[counter] 2 event(s)
";
    assert_eq!(ours, expected);
}
