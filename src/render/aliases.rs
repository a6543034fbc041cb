//! Redirect pages for front matter `aliases` (old URLs keep working) and `robots.txt`.

use crate::lang::Lang;
use crate::output::OutputSink;
use crate::site::Site;
use crate::url::UrlPath;

/// Where an alias redirect is written: its URL path, or why the alias is not a site path.
pub(super) fn alias_url(alias: &str) -> Result<UrlPath, String> {
    let path = alias.trim_matches('/');
    let bad = path.is_empty()
        || path.chars().any(|c| c.is_control() || c == '\\')
        || path
            .split('/')
            .any(|s| s == ".." || s == "." || s.is_empty());
    if bad {
        return Err(format!("invalid alias `{}`", alias.escape_debug()));
    }
    Ok(if path.ends_with(".html") {
        UrlPath::file(path)
    } else {
        UrlPath::dir(path)
    })
}

/// Alias redirect pages: a tiny HTML file with a meta refresh and a link, at the old path.
/// Aliases were validated by `plan::check_outputs`; an invalid one is skipped here.
pub(super) fn write_aliases(site: &Site, sink: &dyn OutputSink) -> anyhow::Result<usize> {
    let mut written = 0;
    for (i, page) in site.pages.iter().enumerate() {
        for alias in &page.front.aliases {
            let Ok(from) = alias_url(&alias.value) else {
                continue;
            };
            let dir_of_from = UrlPath::dir(from.as_str().rsplit_once('/').map_or("", |(d, _)| d));
            let base = if from.is_dir() { &from } else { &dir_of_from };
            let target = base.relative_to(&site.urls[i], site.config.links);
            let canonical = format!("{}{}", site.config.base_url, site.urls[i].as_str());
            let html = redirect_html(&page.lang, &page.front.title, &target, &canonical);
            sink.write(&from.output_file(), html.as_bytes())?;
            written += 1;
        }
    }
    Ok(written)
}

pub(super) fn robots(site: &Site) -> String {
    format!(
        "User-agent: *\nAllow: /\nSitemap: {}sitemap.xml\n",
        site.config.base_url
    )
}

fn redirect_html(lang: &Lang, title: &str, target: &str, canonical: &str) -> String {
    let title = crate::render::feed::escape(title);
    let target = crate::render::feed::escape(target);
    let canonical = crate::render::feed::escape(canonical);
    format!(
        "<!DOCTYPE html>\n<html lang=\"{lang}\">\n<head>\n<meta charset=\"utf-8\">\n<title>{title}</title>\n\
<link rel=\"canonical\" href=\"{canonical}\">\n<meta name=\"robots\" content=\"noindex\">\n\
<meta http-equiv=\"refresh\" content=\"0; url={target}\">\n</head>\n<body>\n<p><a href=\"{target}\">{title}</a></p>\n</body>\n</html>\n"
    )
}
