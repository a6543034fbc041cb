//! Redirect pages for front matter `aliases` (old URLs keep working) and `robots.txt`.

use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::lang::Lang;
use crate::render::OutputSink;
use crate::site::Site;
use crate::url::UrlPath;

/// Alias redirect pages: a tiny HTML file with a meta refresh and a link, at the old path.
pub(super) fn write_aliases(
    site: &Site,
    sink: &dyn OutputSink,
    diags: &mut Diagnostics,
) -> anyhow::Result<usize> {
    let mut written = 0;
    for (i, page) in site.pages.iter().enumerate() {
        for alias in &page.front.aliases {
            let path = alias.value.trim_matches('/');
            let bad = path.is_empty()
                || path
                    .split('/')
                    .any(|s| s == ".." || s == "." || s.is_empty());
            if bad {
                diags.push(
                    Diagnostic::error(format!("invalid alias `{}`", alias.value))
                        .at(alias.span.clone())
                        .with_help("write a site path such as `/guia/codigo/`"),
                );
                continue;
            }
            let from = if path.ends_with(".html") {
                UrlPath::file(path)
            } else {
                UrlPath::dir(path)
            };
            if site.urls.contains(&from) {
                diags.push(
                    Diagnostic::error(format!(
                        "alias `{}` is the URL of an existing page",
                        alias.value
                    ))
                    .at(alias.span.clone()),
                );
                continue;
            }
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
