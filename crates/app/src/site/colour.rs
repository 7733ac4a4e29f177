//! The accent colour, and the shades of it that keep WCAG AA contrast on
//! the light and the dark background.

/// A colour given as `#rrggbb`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Accent([u8; 3]);

/// The light background's darkest panel (`--soft`) and the dark one's.
const LIGHT_PANEL: [u8; 3] = [0xf4, 0xf4, 0xf5];
const DARK_PANEL: [u8; 3] = [0x1c, 0x1f, 0x22];
/// Text on an accent-coloured button in dark mode.
const DARK_INK: [u8; 3] = [0x0b, 0x10, 0x20];
/// WCAG AA for normal text.
const AA: f64 = 4.5;

impl Accent {
    /// `#rrggbb` (either case), and nothing else.
    pub fn parse(text: &str) -> Option<Self> {
        let hex = text.strip_prefix('#')?;
        if hex.len() != 6 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        let byte = |i: usize| u8::from_str_radix(&hex[i..i + 2], 16).ok();
        Some(Self([byte(0)?, byte(2)?, byte(4)?]))
    }

    /// `#rrggbb`, lower case.
    pub fn hex(&self) -> String {
        hex(self.0)
    }

    /// The shades used in light and dark mode.
    pub fn theme(&self) -> ThemeColours {
        let light = shade_until(self.0, [0, 0, 0], LIGHT_PANEL);
        let dark = shade_until(self.0, [255, 255, 255], DARK_PANEL);
        ThemeColours {
            light: hex(light),
            light_ink: "#ffffff".to_owned(),
            dark: hex(dark),
            dark_ink: if contrast(dark, DARK_INK) >= AA {
                hex(DARK_INK)
            } else {
                "#ffffff".to_owned()
            },
        }
    }
}

/// The accent's shades as CSS colours.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ThemeColours {
    /// Accent on the light background.
    pub light: String,
    /// Text on the light accent.
    pub light_ink: String,
    /// Accent on the dark background.
    pub dark: String,
    /// Text on the dark accent.
    pub dark_ink: String,
}

impl ThemeColours {
    /// The stylesheet that sets them.
    pub fn css(&self) -> String {
        format!(
            ":root{{--accent:{};--accent-fg:{}}}\n@media (prefers-color-scheme: dark){{:root{{--accent:{};--accent-fg:{}}}}}\n",
            self.light, self.light_ink, self.dark, self.dark_ink
        )
    }
}

fn hex(c: [u8; 3]) -> String {
    format!("#{:02x}{:02x}{:02x}", c[0], c[1], c[2])
}

/// Mixes `c` toward `toward` in small steps until it contrasts with
/// `background` at AA level.
fn shade_until(c: [u8; 3], toward: [u8; 3], background: [u8; 3]) -> [u8; 3] {
    let mut out = c;
    for step in 0..=20 {
        let t = f64::from(step) / 20.0;
        out = mix(c, toward, t);
        if contrast(out, background) >= AA {
            break;
        }
    }
    out
}

fn mix(a: [u8; 3], b: [u8; 3], t: f64) -> [u8; 3] {
    let ch = |i: usize| {
        let v = f64::from(a[i]) * (1.0 - t) + f64::from(b[i]) * t;
        v.round().clamp(0.0, 255.0) as u8
    };
    [ch(0), ch(1), ch(2)]
}

fn luminance(c: [u8; 3]) -> f64 {
    let lin = |v: u8| {
        let s = f64::from(v) / 255.0;
        if s <= 0.04045 {
            s / 12.92
        } else {
            ((s + 0.055) / 1.055).powf(2.4)
        }
    };
    0.2126 * lin(c[0]) + 0.7152 * lin(c[1]) + 0.0722 * lin(c[2])
}

/// The WCAG contrast ratio of two colours.
fn contrast(a: [u8; 3], b: [u8; 3]) -> f64 {
    let (la, lb) = (luminance(a), luminance(b));
    let (hi, lo) = if la > lb { (la, lb) } else { (lb, la) };
    (hi + 0.05) / (lo + 0.05)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_six_hex_digits_are_a_colour() {
        assert_eq!(
            Accent::parse("#1D4ed8").map(|a| a.hex()).as_deref(),
            Some("#1d4ed8")
        );
        for bad in [
            "red",
            "#fff",
            "1d4ed8",
            "#1d4ed8ff",
            "#gggggg",
            "",
            "#12345",
            "rgb(0,0,0)",
        ] {
            assert_eq!(Accent::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn shades_keep_aa_contrast_on_both_backgrounds() {
        for given in ["#ffff00", "#000000", "#1d4ed8", "#ff8800", "#7fffd4"] {
            let theme = Accent::parse(given)
                .map(|a| a.theme())
                .unwrap_or_else(|| panic!("{given}"));
            let light = Accent::parse(&theme.light).map(|a| a.0).unwrap_or_default();
            let dark = Accent::parse(&theme.dark).map(|a| a.0).unwrap_or_default();
            assert!(
                contrast(light, LIGHT_PANEL) >= AA,
                "{given} light {}",
                theme.light
            );
            assert!(contrast(light, [255, 255, 255]) >= AA, "{given} on white");
            assert!(
                contrast(dark, DARK_PANEL) >= AA,
                "{given} dark {}",
                theme.dark
            );
        }
    }
}
