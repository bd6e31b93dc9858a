//! Python's `repr` formats for weak references and finalizers, used by `Debug`.

use core::fmt;

/// `<weakref at 0x…; to 'Type' at 0x…>` while alive, `<weakref at 0x…; dead>` after.
pub(crate) fn weakref<T: ?Sized>(
    f: &mut fmt::Formatter<'_>,
    identity: *const (),
    referent: Option<*const T>,
    type_name: &str,
) -> fmt::Result {
    python_repr(f, "weakref", "to", identity, referent, type_name)
}

/// `<finalize object at 0x…; for 'Type' at 0x…>` while alive, `…; dead>` after.
pub(crate) fn finalize<T: ?Sized>(
    f: &mut fmt::Formatter<'_>,
    identity: *const (),
    referent: Option<*const T>,
    type_name: &str,
) -> fmt::Result {
    python_repr(f, "finalize object", "for", identity, referent, type_name)
}

/// `<{what} at 0x…; {relation} 'Type' at 0x…>`, or `<{what} at 0x…; dead>`.
fn python_repr<T: ?Sized>(
    f: &mut fmt::Formatter<'_>,
    what: &str,
    relation: &str,
    identity: *const (),
    referent: Option<*const T>,
    type_name: &str,
) -> fmt::Result {
    // The address alone (a fat pointer's `{:p}` would show its metadata too).
    match referent.map(<*const T>::cast::<()>) {
        Some(at) => write!(
            f,
            "<{what} at {identity:p}; {relation} '{}' at {at:p}>",
            short(type_name)
        ),
        None => write!(f, "<{what} at {identity:p}; dead>"),
    }
}

/// `type_name::<T>()` with every module path removed:
/// `my_crate::model::Node<alloc::string::String>` becomes `Node<String>`.
pub(crate) fn short(full: &str) -> String {
    let mut out = String::with_capacity(full.len());
    let mut segment_start = 0;
    for (i, c) in full.char_indices() {
        let is_delimiter = matches!(
            c,
            '<' | '>' | ',' | ' ' | '&' | '(' | ')' | '[' | ']' | ';' | '*'
        );
        if is_delimiter {
            out.push_str(last_path_segment(&full[segment_start..i]));
            out.push(c);
            segment_start = i + c.len_utf8();
        }
    }
    out.push_str(last_path_segment(&full[segment_start..]));
    out
}

fn last_path_segment(path: &str) -> &str {
    path.rsplit("::").next().unwrap_or(path)
}

#[cfg(test)]
mod tests {
    use super::short;

    #[test]
    fn strips_every_path() {
        assert_eq!(short("weakref_ref::ExpensiveObject"), "ExpensiveObject");
        assert_eq!(
            short("alloc::vec::Vec<alloc::string::String>"),
            "Vec<String>"
        );
        assert_eq!(
            short("(i32, core::option::Option<&a::B>)"),
            "(i32, Option<&B>)"
        );
        assert_eq!(short("[u8; 4]"), "[u8; 4]");
        assert_eq!(short("u64"), "u64");
    }
}
