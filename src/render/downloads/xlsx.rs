//! A register (one markdown table) as a spreadsheet (rust_xlsxwriter) and as CSV: the header row
//! frozen and bold, column widths from the longest text, a drop-down list on every column with
//! fixed values, and the table's rows as example rows.

use rust_xlsxwriter::{
    Color, DataValidation, DocProperties, ExcelDateTime, Format, FormatAlign, FormatBorder,
    Workbook,
};

/// A register ready to write: plain texts, and the allowed values of fixed-value columns
/// (parallel to `header`).
pub(super) struct Sheet<'a> {
    /// Workbook title and sheet name (cut to Excel's 31 characters).
    pub title: &'a str,
    pub header: Vec<String>,
    pub rows: Vec<Vec<String>>,
    pub choices: Vec<Option<&'a [String]>>,
}

/// Rows offered with a drop-down list below the header.
const ROWS_WITH_LISTS: u32 = 1000;

pub(super) fn render_xlsx(sheet: &Sheet<'_>) -> Result<Vec<u8>, String> {
    let error = |e: rust_xlsxwriter::XlsxError| format!("cannot write the spreadsheet ({e})");
    let mut workbook = Workbook::new();
    // A fixed creation date: without one the file would carry the build's time.
    let created = ExcelDateTime::from_ymd(2000, 1, 1).map_err(error)?;
    workbook.set_properties(
        &DocProperties::new()
            .set_title(sheet.title)
            .set_creation_datetime(&created),
    );
    let worksheet = workbook.add_worksheet();
    worksheet.set_name(sheet_name(sheet.title)).map_err(error)?;
    let head = Format::new()
        .set_bold()
        .set_text_wrap()
        .set_align(FormatAlign::Top)
        .set_background_color(Color::RGB(0xD9E2F3))
        .set_border(FormatBorder::Thin);
    let body = Format::new().set_text_wrap().set_align(FormatAlign::Top);
    for (c, title) in sheet.header.iter().enumerate() {
        let col = u16::try_from(c).map_err(|_| "too many columns".to_string())?;
        worksheet
            .write_string_with_format(0, col, title, &head)
            .map_err(error)?;
        let longest = std::iter::once(title)
            .chain(sheet.rows.iter().filter_map(|r| r.get(c)))
            .map(|t| t.chars().count())
            .max()
            .unwrap_or(0);
        worksheet
            .set_column_width(col, (longest as f64 + 2.0).clamp(10.0, 45.0))
            .map_err(error)?;
        if let Some(Some(values)) = sheet.choices.get(c) {
            let validation = DataValidation::new()
                .allow_list_strings(values)
                .map_err(error)?;
            worksheet
                .add_data_validation(1, col, ROWS_WITH_LISTS, col, &validation)
                .map_err(error)?;
        }
    }
    for (r, row) in sheet.rows.iter().enumerate() {
        let r = u32::try_from(r + 1).map_err(|_| "too many rows".to_string())?;
        for (c, text) in row.iter().enumerate() {
            let col = u16::try_from(c).map_err(|_| "too many columns".to_string())?;
            worksheet
                .write_string_with_format(r, col, text, &body)
                .map_err(error)?;
        }
    }
    worksheet.set_freeze_panes(1, 0).map_err(error)?;
    let bytes = workbook.save_to_buffer().map_err(error)?;
    Ok(crate::archive::made_on_unix(bytes))
}

/// Excel's sheet-name rules: at most 31 characters, none of `[]:*?/\`.
fn sheet_name(title: &str) -> String {
    let name: String = title
        .chars()
        .filter(|c| !"[]:*?/\\".contains(*c))
        .take(31)
        .collect();
    let name = name.trim().trim_matches('\'').to_string();
    if name.is_empty() {
        "Registro".to_string()
    } else {
        name
    }
}

/// The same register as CSV (RFC 4180: commas, quotes doubled, CRLF), UTF-8 with a byte-order
/// mark so that spreadsheet programs read accents and `ñ` correctly.
pub(super) fn render_csv(sheet: &Sheet<'_>) -> Vec<u8> {
    let mut out = String::from("\u{feff}");
    for row in std::iter::once(&sheet.header).chain(&sheet.rows) {
        let cells: Vec<String> = row
            .iter()
            .map(|cell| {
                if cell.contains([',', '"', '\n', '\r']) {
                    format!("\"{}\"", cell.replace('"', "\"\""))
                } else {
                    cell.clone()
                }
            })
            .collect();
        out.push_str(&cells.join(","));
        out.push_str("\r\n");
    }
    out.into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_quotes_and_marks_utf8() {
        let sheet = Sheet {
            title: "Registro",
            header: vec!["Año".into(), "Descripción, breve".into()],
            rows: vec![vec!["2026".into(), "Dijo \"sí\"".into()]],
            choices: vec![None, None],
        };
        let csv = String::from_utf8(render_csv(&sheet)).unwrap();
        assert_eq!(
            csv,
            "\u{feff}Año,\"Descripción, breve\"\r\n2026,\"Dijo \"\"sí\"\"\"\r\n"
        );
    }

    #[test]
    fn sheet_names_follow_excel_rules() {
        assert_eq!(
            sheet_name("Registro de regalos y hospitalidad [2026]"),
            "Registro de regalos y hospitali"
        );
        assert_eq!(sheet_name("¿?*"), "¿");
        assert_eq!(sheet_name("[]"), "Registro");
    }

    #[test]
    fn same_sheet_gives_same_bytes() {
        let values = ["Sí".to_string(), "No".to_string()];
        let sheet = Sheet {
            title: "Registro",
            header: vec!["¿Servidor público?".into()],
            rows: vec![vec!["Sí".into()]],
            choices: vec![Some(&values)],
        };
        assert_eq!(render_xlsx(&sheet).unwrap(), render_xlsx(&sheet).unwrap());
    }
}
