//! One Atom feed per language (`atom.xml`, `en/atom.xml`) of the pages that have a `date`,
//! newest first. Deterministic: the feed's `updated` is the newest page date, never the clock.

use crate::output::OutputSink;
use crate::site::Site;

pub(super) fn write_feeds(site: &Site, sink: &dyn OutputSink) -> anyhow::Result<usize> {
    for language in &site.config.languages {
        let mut dated: Vec<usize> = site
            .pages_in(&language.lang)
            .filter(|&i| site.pages[i].front.date.is_some())
            .collect();
        dated.sort_by(|&a, &b| {
            let key = |i: usize| {
                (
                    site.pages[i]
                        .front
                        .updated
                        .clone()
                        .or(site.pages[i].front.date.clone()),
                    site.urls[i].clone(),
                )
            };
            key(b).cmp(&key(a))
        });
        let prefix = site.lang_prefix(&language.lang);
        let base = &site.config.base_url;
        let updated = dated
            .iter()
            .filter_map(|&i| {
                site.pages[i]
                    .front
                    .updated
                    .clone()
                    .or(site.pages[i].front.date.clone())
            })
            .max()
            .map_or_else(|| "2000-01-01".to_string(), |d| d.as_str().to_string());
        let mut xml = String::new();
        xml.push_str("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n");
        xml.push_str(&format!(
            "<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"{}\">\n",
            language.lang
        ));
        xml.push_str(&format!("  <title>{}</title>\n", escape(&language.title)));
        xml.push_str(&format!(
            "  <link href=\"{base}{prefix}atom.xml\" rel=\"self\"/>\n"
        ));
        xml.push_str(&format!("  <link href=\"{base}{prefix}\"/>\n"));
        xml.push_str(&format!("  <id>{base}{prefix}</id>\n"));
        xml.push_str(&format!("  <updated>{updated}T00:00:00Z</updated>\n"));
        for &i in &dated {
            let page = &site.pages[i];
            let url = format!("{base}{}", site.urls[i].as_str());
            let published = page.front.date.as_ref().map_or("", |d| d.as_str());
            let changed = page
                .front
                .updated
                .as_ref()
                .map_or(published, |d| d.as_str());
            xml.push_str("  <entry>\n");
            xml.push_str(&format!(
                "    <title>{}</title>\n",
                escape(&page.front.title)
            ));
            xml.push_str(&format!("    <link href=\"{}\"/>\n", escape(&url)));
            xml.push_str(&format!("    <id>{}</id>\n", escape(&url)));
            xml.push_str(&format!(
                "    <published>{published}T00:00:00Z</published>\n"
            ));
            xml.push_str(&format!("    <updated>{changed}T00:00:00Z</updated>\n"));
            xml.push_str(&format!(
                "    <author><name>{}</name></author>\n",
                escape(&language.title)
            ));
            if let Some(description) = &page.front.description {
                xml.push_str(&format!("    <summary>{}</summary>\n", escape(description)));
            }
            xml.push_str("  </entry>\n");
        }
        xml.push_str("</feed>\n");
        sink.write(&format!("{prefix}atom.xml"), xml.as_bytes())?;
    }
    Ok(site.config.languages.len())
}

/// Escapes text for XML content and attribute values.
pub(crate) fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}
