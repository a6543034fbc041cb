//! The site's `base_url` (site.toml or `--base-url`): checked once where it enters, and
//! normalized so canonical URLs, the sitemap and the feeds can append paths to it as is.
//! Knows nothing of where the text came from; callers attach the position.

/// Reads a base URL: `http` or `https`, a host, no query or fragment, no user info. The result
/// ends in `/`, and spaces, non-ASCII and other characters a URL path cannot hold are
/// percent-encoded (existing `%XX` escapes are kept). Errors say what is wrong in words.
pub(crate) fn parse_base_url(text: &str) -> Result<String, String> {
    let text = text.trim();
    let (scheme, rest) = text
        .split_once("://")
        .ok_or_else(|| format!("`base_url` must be an absolute http(s) URL, found `{text}`"))?;
    let scheme = scheme.to_ascii_lowercase();
    if scheme != "http" && scheme != "https" {
        return Err(format!(
            "`base_url` must start with `https://` or `http://`, found `{text}`"
        ));
    }
    if rest.contains('?') {
        return Err(format!(
            "`base_url` must not have a query (`?…`), found `{text}`"
        ));
    }
    if rest.contains('#') {
        return Err(format!(
            "`base_url` must not have a fragment (`#…`), found `{text}`"
        ));
    }
    let (host, path) = rest.split_once('/').unwrap_or((rest, ""));
    if host.is_empty() {
        return Err(format!("`base_url` has no host name, found `{text}`"));
    }
    if host.contains('@') {
        return Err(format!(
            "`base_url` must not hold a user name or password, found `{text}`"
        ));
    }
    let host_ok = host
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '[' | ']'));
    if !host_ok {
        return Err(format!(
            "`base_url` has an invalid host name `{host}`; write a non-ASCII domain in its ASCII (xn--) form"
        ));
    }
    let mut url = format!("{scheme}://{}/", host.to_ascii_lowercase());
    url.push_str(&encode_path(path));
    if !url.ends_with('/') {
        url.push('/');
    }
    Ok(url)
}

/// Percent-encodes what a URL path may not hold as is; keeps `/` and valid `%XX` escapes.
fn encode_path(path: &str) -> String {
    let bytes = path.as_bytes();
    let mut out = String::with_capacity(path.len());
    for (i, &b) in bytes.iter().enumerate() {
        let escape = b == b'%'
            && bytes.get(i + 1).is_some_and(u8::is_ascii_hexdigit)
            && bytes.get(i + 2).is_some_and(u8::is_ascii_hexdigit);
        let keep = b.is_ascii_alphanumeric() || b"-._~!$&'()*+,;=:@/".contains(&b) || escape;
        if keep {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The host (with its port, if any) of a normalized base URL: `integridad.gob.mx`.
pub(crate) fn host_of(url: &str) -> &str {
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    rest.split_once('/').map_or(rest, |(host, _)| host)
}

/// Reads a host name of `[mirror] official_hosts` (`www.integridad.gob.mx`, optionally with
/// `:port`): no scheme, path or wildcard, ASCII only; lowercased.
pub(crate) fn parse_host(text: &str) -> Result<String, String> {
    let host = text.trim();
    if let Some((_, rest)) = host.split_once("://") {
        let bare = rest.split('/').next().unwrap_or(rest);
        return Err(format!(
            "an official host is a host name without `https://`: write `{bare}`, found `{text}`"
        ));
    }
    if host.contains('/') {
        return Err(format!(
            "an official host is a host name without a path, found `{text}`"
        ));
    }
    let valid = !host.is_empty()
        && !host.starts_with(['.', '-', ':'])
        && host
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '[' | ']'));
    if !valid {
        return Err(format!(
            "`{text}` is not a host name (letters, digits, `.` and `-`, optionally `:port`; a non-ASCII domain in its ASCII xn-- form, no wildcards)"
        ));
    }
    Ok(host.to_ascii_lowercase())
}

/// The placeholder `base_url` of the bundled site and of `integridad init`'s `site.toml`.
pub(crate) const EXAMPLE: &str = "https://integridad.example.gob.mx/";

/// Whether a (normalized) base URL is still the placeholder: a site built with it publishes
/// canonical URLs, a sitemap and feeds that point nowhere.
pub(crate) fn is_example(url: &str) -> bool {
    url == EXAMPLE
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn good_urls_are_normalized() {
        let cases = [
            ("https://x.org", "https://x.org/"),
            ("https://x.org/sub", "https://x.org/sub/"),
            ("HTTP://X.org/a/", "http://x.org/a/"),
            ("https://x.org/mi sitio/", "https://x.org/mi%20sitio/"),
            ("https://x.org/guía", "https://x.org/gu%C3%ADa/"),
            ("https://x.org/a%20b/", "https://x.org/a%20b/"),
            ("https://x.org:8080/a", "https://x.org:8080/a/"),
            ("  https://x.org/  ", "https://x.org/"),
        ];
        for (text, expected) in cases {
            assert_eq!(parse_base_url(text).as_deref(), Ok(expected), "{text}");
        }
    }

    #[test]
    fn hosts_of_urls_and_official_hosts() {
        assert_eq!(host_of("https://x.org/sub/"), "x.org");
        assert_eq!(host_of("http://x.org:8080/"), "x.org:8080");
        assert_eq!(parse_host(" WWW.X.org ").as_deref(), Ok("www.x.org"));
        assert_eq!(parse_host("x.org:8443").as_deref(), Ok("x.org:8443"));
        for (text, expected) in [
            ("https://x.org/", "write `x.org`"),
            ("x.org/a", "without a path"),
            ("*.x.org", "not a host name"),
            ("", "not a host name"),
            ("guía.mx", "xn--"),
        ] {
            let error = parse_host(text).unwrap_err();
            assert!(error.contains(expected), "{text}: {error}");
        }
    }

    #[test]
    fn bad_urls_say_what_is_wrong() {
        let cases = [
            ("x.org/", "absolute http(s) URL"),
            ("ftp://x.org/", "must start with `https://`"),
            ("https://x/sub/?a=1#x", "query"),
            ("https://x/sub/#x", "fragment"),
            ("https:///sub/", "no host"),
            ("https://u:p@x.org/", "user name"),
            ("https://mi sitio.org/", "invalid host name"),
            ("https://guía.mx/", "invalid host name"),
        ];
        for (text, expected) in cases {
            let error = parse_base_url(text).unwrap_err();
            assert!(error.contains(expected), "{text}: {error}");
        }
    }

    #[test]
    fn the_placeholder_is_the_one_new_sites_get() {
        let skeleton = include_str!("init/site/site.toml");
        assert!(skeleton.contains(&format!("base_url = \"{EXAMPLE}\"")));
        assert!(is_example(&parse_base_url(EXAMPLE).unwrap()));
        assert!(!is_example("https://integridad.gob.mx/"));
    }
}
