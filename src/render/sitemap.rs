//! `sitemap.xml`: every page and checklist URL, with `xhtml:link` hreflang alternates for each
//! translation, in a stable order.

use crate::output::OutputSink;
use crate::render::feed::escape;
use crate::site::Site;

pub(super) fn write_sitemap(site: &Site, sink: &dyn OutputSink) -> anyhow::Result<usize> {
    let base = &site.config.base_url;
    let mut entries: Vec<(String, Vec<(String, String)>)> = Vec::new();
    for (i, page) in site.pages.iter().enumerate() {
        let alternates = site
            .config
            .languages
            .iter()
            .filter_map(|l| site.page(&page.id, &l.lang))
            .map(|j| {
                (
                    site.pages[j].lang.to_string(),
                    format!("{base}{}", site.urls[j].as_str()),
                )
            })
            .collect();
        entries.push((format!("{base}{}", site.urls[i].as_str()), alternates));
    }
    for urls in &site.checklist_urls {
        let alternates: Vec<(String, String)> = site
            .config
            .languages
            .iter()
            .zip(urls)
            .map(|(l, u)| (l.lang.to_string(), format!("{base}{}", u.as_str())))
            .collect();
        for (_, url) in &alternates {
            entries.push((url.clone(), alternates.clone()));
        }
    }
    entries.sort();
    let mut xml = String::from("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\" xmlns:xhtml=\"http://www.w3.org/1999/xhtml\">\n");
    for (url, alternates) in entries {
        xml.push_str(&format!("  <url>\n    <loc>{}</loc>\n", escape(&url)));
        if alternates.len() > 1 {
            for (lang, href) in alternates {
                xml.push_str(&format!(
                    "    <xhtml:link rel=\"alternate\" hreflang=\"{lang}\" href=\"{}\"/>\n",
                    escape(&href)
                ));
            }
        }
        xml.push_str("  </url>\n");
    }
    xml.push_str("</urlset>\n");
    sink.write("sitemap.xml", xml.as_bytes())?;
    Ok(1)
}
