//! Names every operating system can hold. An output path is published on Linux servers, copied
//! to Windows desks and unzipped on Macs, so a name Windows refuses (`con`, `a:b`, `x.`) must be
//! refused by `check` everywhere, before it reaches an output folder, a ZIP or `SHA256SUMS`.

/// Why the `/`-separated relative `path` cannot be a file name on every system, or `None`.
/// Checks each segment: no control characters, none of `< > : " \ | ? *`, no trailing dot or
/// space, and no device name Windows reserves (`CON`, `PRN`, `AUX`, `NUL`, `COM1`–`COM9`,
/// `LPT1`–`LPT9`, with or without an extension, in any case).
pub(crate) fn path_problem(path: &str) -> Option<String> {
    path.split('/').find_map(segment_problem)
}

fn segment_problem(segment: &str) -> Option<String> {
    if let Some(c) = segment
        .chars()
        .find(|c| c.is_control() || matches!(c, '<' | '>' | ':' | '"' | '\\' | '|' | '?' | '*'))
    {
        let shown = if c.is_control() {
            format!("U+{:04X}", c as u32)
        } else {
            format!("`{c}`")
        };
        return Some(format!(
            "`{segment}` holds {shown}, which Windows does not allow in a file name"
        ));
    }
    if segment.ends_with('.') && segment != "." && segment != ".." {
        return Some(format!(
            "`{segment}` ends with a dot, which Windows drops from file names"
        ));
    }
    if segment.ends_with(' ') {
        return Some(format!(
            "`{segment}` ends with a space, which Windows drops from file names"
        ));
    }
    if is_reserved_device(segment) {
        return Some(format!(
            "`{segment}` is a device name that Windows reserves, so no file can be called that"
        ));
    }
    None
}

/// `CON`, `nul.txt`, `Com1.html`, `LPT9`…: Windows treats the stem (before the first dot, with
/// trailing spaces ignored) as a device, whatever the extension. The superscript digits `¹²³`
/// count as digits there too.
fn is_reserved_device(segment: &str) -> bool {
    let stem = segment.split('.').next().unwrap_or(segment).trim_end();
    let upper = stem.to_ascii_uppercase();
    match upper.as_str() {
        "CON" | "PRN" | "AUX" | "NUL" | "CONIN$" | "CONOUT$" => true,
        _ => ["COM", "LPT"].iter().any(|prefix| {
            upper.strip_prefix(prefix).is_some_and(|rest| {
                matches!(
                    rest,
                    "1" | "2" | "3" | "4" | "5" | "6" | "7" | "8" | "9" | "¹" | "²" | "³"
                )
            })
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_windows_refuses_are_found_in_any_segment() {
        for bad in [
            "con/index.html",
            "toolkit/CON/index.html",
            "aux.html",
            "nul",
            "Com1.docx",
            "lpt9/x",
            "com¹.txt",
            "a:b.txt",
            "x/a\\b",
            "q?.html",
            "star*",
            "pipe|",
            "quote\"",
            "lt<",
            "dot./index.html",
            "space /index.html",
            "tab\t.txt",
            "conin$",
        ] {
            assert!(path_problem(bad).is_some(), "{bad}");
        }
        for good in [
            "console/index.html",
            "contacto.html",
            "com10.html",
            "lpt/x",
            "auxiliar/index.html",
            "toolkit/evaluación.pdf",
            ".well-known/security.txt",
            "search-index.es.1a2b3c4d.js",
            "a b.txt",
        ] {
            assert_eq!(path_problem(good), None, "{good}");
        }
    }
}
