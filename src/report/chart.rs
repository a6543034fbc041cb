//! Horizontal bar charts as SVG text, drawn at build time for the report pages. Colours, fonts
//! and sizes come from the theme's CSS through classes; the SVG carries no `style` and no
//! script, so pages stay valid under a `default-src 'self'` policy. The figures themselves are
//! in the table the page puts beside each chart.

use std::fmt::Write as _;

const WIDTH: f64 = 640.0;
const LABEL_WIDTH: f64 = 230.0;
const BAR_AREA: f64 = 320.0;
const ROW: f64 = 30.0;
const BAR: f64 = 18.0;

/// One bar: its label, its length as a share of the longest possible (0–1), the value shown
/// after it, and a class for its colour (`bar-initial`, `bar-solid`, `bar-count` …).
#[derive(Debug, Clone)]
pub(crate) struct Bar {
    pub label: String,
    pub share: f64,
    pub value: String,
    pub class: &'static str,
}

/// A chart labelled by the element whose id is `labelled_by` (the figure's caption).
pub(crate) fn render_bar_chart(labelled_by: &str, bars: &[Bar]) -> String {
    let height = ROW * bars.len() as f64 + 8.0;
    let mut svg = format!(
        "<svg class=\"chart\" role=\"img\" aria-labelledby=\"{}\" viewBox=\"0 0 {WIDTH} {height}\" \
         width=\"{WIDTH}\" height=\"{height}\" xmlns=\"http://www.w3.org/2000/svg\">",
        escape(labelled_by)
    );
    for (i, bar) in bars.iter().enumerate() {
        let y = 4.0 + ROW * i as f64;
        let length = (bar.share.clamp(0.0, 1.0) * BAR_AREA * 10.0).round() / 10.0;
        let text_y = y + BAR / 2.0 + 5.0;
        let _ = write!(
            svg,
            "<text class=\"chart-label\" x=\"{}\" y=\"{text_y}\" text-anchor=\"end\">{}</text>\
             <rect class=\"chart-track\" x=\"{LABEL_WIDTH}\" y=\"{y}\" width=\"{BAR_AREA}\" height=\"{BAR}\"/>\
             <rect class=\"chart-bar {}\" x=\"{LABEL_WIDTH}\" y=\"{y}\" width=\"{length}\" height=\"{BAR}\"/>\
             <text class=\"chart-value\" x=\"{}\" y=\"{text_y}\">{}</text>",
            LABEL_WIDTH - 8.0,
            escape(&shorten(&bar.label, 34)),
            bar.class,
            LABEL_WIDTH + BAR_AREA + 8.0,
            escape(&bar.value),
        );
    }
    svg.push_str("</svg>");
    svg
}

/// Long labels are cut with an ellipsis; the table beside the chart has them whole.
fn shorten(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let mut cut: String = text.chars().take(max - 1).collect();
    cut.push('…');
    cut
}

pub(crate) fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bars_scale_to_their_share_and_carry_no_style() {
        let svg = render_bar_chart(
            "cap-1",
            &[
                Bar {
                    label: "Código <de> conducta".into(),
                    share: 0.5,
                    value: "50.0 %".into(),
                    class: "bar-developing",
                },
                Bar {
                    label: "x".repeat(50),
                    share: 1.5,
                    value: "7".into(),
                    class: "bar-count",
                },
            ],
        );
        assert!(svg.contains("aria-labelledby=\"cap-1\""));
        assert!(svg.contains("class=\"chart-bar bar-developing\" x=\"230\" y=\"4\" width=\"160\""));
        assert!(svg.contains(
            "width=\"320\" height=\"18\"/><text class=\"chart-value\" x=\"558\" y=\"48\">7<"
        ));
        assert!(svg.contains("Código &lt;de&gt; conducta"));
        assert!(svg.contains(&format!("{}…", "x".repeat(33))));
        assert!(!svg.contains("style"));
    }
}
