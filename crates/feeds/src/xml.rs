//! A small XML writer that can only produce well-formed documents: element
//! names come from the code, every value is escaped, and characters that
//! XML 1.0 cannot carry are dropped.

use crate::text::carriable;

/// The Media RSS namespace, which both XML formats use for an entry's
/// image.
pub(crate) const MEDIA_NS: &str = "http://search.yahoo.com/mrss/";

/// Writes an entry's image for feed readers: some show `media:content` with
/// `medium="image"`, others only a `media:thumbnail`, so both are given.
pub(crate) fn write_image(w: &mut Writer, url: &str) {
    w.empty("media:content", &[("url", url), ("medium", "image")]);
    w.empty("media:thumbnail", &[("url", url)]);
}

/// Where escaped text goes: parsers normalise white space differently in
/// each.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Place {
    Content,
    Attribute,
}

/// Appends `text` escaped for element content or a quoted attribute value.
///
/// Both quotes are always escaped. A carriage return becomes a character
/// reference, as do tab and line feed in attributes, so that the parser's
/// line-end and attribute-value normalisation gives back the text as it was.
fn push_escaped(out: &mut String, text: &str, place: Place) {
    for c in text.chars().filter(|&c| carriable(c)) {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\r' => out.push_str("&#13;"),
            '\t' if place == Place::Attribute => out.push_str("&#9;"),
            '\n' if place == Place::Attribute => out.push_str("&#10;"),
            c => out.push(c),
        }
    }
}

/// Appends `text` as one or more CDATA sections.
///
/// A CDATA section cannot contain `]]>`, so each occurrence is split between
/// two sections: `a]]>b` becomes `<![CDATA[a]]]]><![CDATA[>b]]>`. A carriage
/// return cannot be escaped here and reaches the reader as a line feed, which
/// changes nothing in HTML.
fn push_cdata(out: &mut String, text: &str) {
    let clean: String = text.chars().filter(|&c| carriable(c)).collect();
    out.push_str("<![CDATA[");
    out.push_str(&clean.replace("]]>", "]]]]><![CDATA[>"));
    out.push_str("]]>");
}

/// Escapes plain text for a place that readers treat as HTML, such as an
/// RSS `<description>`. The result is still to be escaped for XML.
pub(crate) fn html_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Writes an indented XML document element by element.
pub(crate) struct Writer {
    out: String,
    open: Vec<&'static str>,
}

impl Writer {
    /// Starts a UTF-8 document with its XML declaration.
    pub(crate) fn new() -> Self {
        Self {
            out: String::from("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"),
            open: Vec::new(),
        }
    }

    fn start_tag(&mut self, name: &str, attributes: &[(&str, &str)]) {
        for _ in 0..self.open.len() {
            self.out.push_str("  ");
        }
        self.out.push('<');
        self.out.push_str(name);
        for (key, value) in attributes {
            self.out.push(' ');
            self.out.push_str(key);
            self.out.push_str("=\"");
            push_escaped(&mut self.out, value, Place::Attribute);
            self.out.push('"');
        }
    }

    /// Opens an element whose children follow; [`Writer::close`] ends it.
    pub(crate) fn open(&mut self, name: &'static str, attributes: &[(&str, &str)]) {
        self.start_tag(name, attributes);
        self.out.push_str(">\n");
        self.open.push(name);
    }

    /// Closes the element opened last.
    pub(crate) fn close(&mut self) {
        if let Some(name) = self.open.pop() {
            for _ in 0..self.open.len() {
                self.out.push_str("  ");
            }
            self.out.push_str("</");
            self.out.push_str(name);
            self.out.push_str(">\n");
        }
    }

    /// Writes an element with no content.
    pub(crate) fn empty(&mut self, name: &str, attributes: &[(&str, &str)]) {
        self.start_tag(name, attributes);
        self.out.push_str("/>\n");
    }

    /// Writes an element holding `text`, escaped.
    pub(crate) fn text(&mut self, name: &str, attributes: &[(&str, &str)], text: &str) {
        self.start_tag(name, attributes);
        self.out.push('>');
        push_escaped(&mut self.out, text, Place::Content);
        self.end_tag(name);
    }

    /// Writes an element holding `text` in CDATA sections, which keeps HTML
    /// readable in the document and is what RSS readers expect for
    /// `content:encoded`.
    pub(crate) fn cdata(&mut self, name: &str, text: &str) {
        self.start_tag(name, &[]);
        self.out.push('>');
        push_cdata(&mut self.out, text);
        self.end_tag(name);
    }

    fn end_tag(&mut self, name: &str) {
        self.out.push_str("</");
        self.out.push_str(name);
        self.out.push_str(">\n");
    }

    /// Closes whatever is still open and returns the document.
    pub(crate) fn finish(mut self) -> String {
        while !self.open.is_empty() {
            self.close();
        }
        self.out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn escaped(text: &str) -> String {
        let mut out = String::new();
        push_escaped(&mut out, text, Place::Content);
        out
    }

    #[test]
    fn keeps_white_space_in_attributes() {
        let mut out = String::new();
        push_escaped(&mut out, "a\tb\nc\rd", Place::Attribute);
        assert_eq!(out, "a&#9;b&#10;c&#13;d");
    }

    fn cdata(text: &str) -> String {
        let mut out = String::new();
        push_cdata(&mut out, text);
        out
    }

    #[test]
    fn escapes_markup_and_quotes() {
        assert_eq!(
            escaped(r#"<a href="x">Tom & Jerry's</a>"#),
            "&lt;a href=&quot;x&quot;&gt;Tom &amp; Jerry&apos;s&lt;/a&gt;"
        );
        assert_eq!(escaped("]]>"), "]]&gt;");
    }

    #[test]
    fn drops_characters_xml_cannot_carry() {
        assert_eq!(escaped("a\u{0}b\u{b}c\u{fffe}d"), "abcd");
        assert_eq!(escaped("tab\tline\ncr\r"), "tab\tline\ncr&#13;");
    }

    #[test]
    fn splits_cdata_terminators() {
        assert_eq!(cdata("plain"), "<![CDATA[plain]]>");
        assert_eq!(cdata("a]]>b"), "<![CDATA[a]]]]><![CDATA[>b]]>");
        assert_eq!(
            cdata("]]>]]>"),
            "<![CDATA[]]]]><![CDATA[>]]]]><![CDATA[>]]>"
        );
        assert_eq!(cdata("]]]>>"), "<![CDATA[]]]]]><![CDATA[>>]]>");
        assert_eq!(cdata("x\u{0}]\u{1}]>y"), "<![CDATA[x]]]]><![CDATA[>y]]>");
    }

    #[test]
    fn html_escapes_plain_text() {
        assert_eq!(
            html_escape("1 < 2 & \"3\" > '0'"),
            "1 &lt; 2 &amp; &quot;3&quot; &gt; &#39;0&#39;"
        );
    }

    #[test]
    fn nests_and_indents() {
        let mut w = Writer::new();
        w.open("a", &[("k", "v\"1\"")]);
        w.text("b", &[], "x & y");
        w.empty("c", &[("href", "https://e.org/?a=1&b=2")]);
        w.cdata("d", "<p>hi</p>");
        let doc = w.finish();
        assert_eq!(
            doc,
            "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n\
             <a k=\"v&quot;1&quot;\">\n  \
             <b>x &amp; y</b>\n  \
             <c href=\"https://e.org/?a=1&amp;b=2\"/>\n  \
             <d><![CDATA[<p>hi</p>]]></d>\n\
             </a>\n"
        );
    }
}
