//! `decode(encode(ir))` in every format, for requests (`encode_request` then
//! `decode_request`) and answers (`encode_response` then `decode_response`),
//! over generated IR values (`generate`): what comes back is the IR with
//! exactly the losses LOSSY.md documents (`lossy`, each change citing its
//! row), nothing more and nothing less. Requests also go through every pair
//! of formats, a client's request read and re-encoded for an upstream, where
//! the losses of both compose.
#![allow(
    clippy::allow_attributes,
    clippy::unwrap_used,
    clippy::panic,
    reason = "test helpers outside #[test] fns"
)]

mod generate;
mod lossy;

use proptest::prelude::*;
use proptest::test_runner::RngAlgorithm;
use switchyard_protocol::Format;
use switchyard_protocol::formats::{
    EncodeOptions, decode_request, decode_response, encode_request, encode_response,
};
use switchyard_protocol::ir::{Request, Response};

const FORMATS: [Format; 4] = [
    Format::Anthropic,
    Format::OpenaiChat,
    Format::OpenaiResponses,
    Format::Gemini,
];

/// `formats::encode_*` return a `Result` of the body today, the body itself
/// once they stop returning `Result` (issue 9, section 3): read either.
trait Body {
    fn body(self) -> Vec<u8>;
}

impl Body for Vec<u8> {
    fn body(self) -> Vec<u8> {
        self
    }
}

impl<E: std::fmt::Display> Body for Result<Vec<u8>, E> {
    fn body(self) -> Vec<u8> {
        self.unwrap_or_else(|err| panic!("encoder failed: {err}"))
    }
}

/// The request as `format` reads it back, and the body it was read from.
fn request_through(
    format: Format,
    request: &Request,
    options: &EncodeOptions,
) -> (Request, String) {
    let body = encode_request(format, request, options).body();
    let text = String::from_utf8_lossy(&body).into_owned();
    let back = decode_request(format, &body)
        .unwrap_or_else(|err| panic!("{format} cannot read its own request: {err}\n{text}"));
    (back, text)
}

fn response_through(format: Format, response: &Response) -> (Response, String) {
    let body = encode_response(format, response).body();
    let text = String::from_utf8_lossy(&body).into_owned();
    let back = decode_response(format, &body)
        .unwrap_or_else(|err| panic!("{format} cannot read its own answer: {err}\n{text}"));
    (back, text)
}

fn check_request(
    format: Format,
    request: &Request,
    options: &EncodeOptions,
) -> Result<(), TestCaseError> {
    let (back, body) = request_through(format, request, options);
    let expected = lossy::request(format, request, options);
    prop_assert_eq!(back, expected, "{} request, body {}", format, body);
    Ok(())
}

fn check_response(format: Format, response: &Response) -> Result<(), TestCaseError> {
    let (back, body) = response_through(format, response);
    let expected = lossy::response(format, response);
    prop_assert_eq!(back, expected, "{} answer, body {}", format, body);
    Ok(())
}

/// 256 cases; XorShift because ChaCha, unoptimised in test builds, took
/// most of the time.
fn config() -> ProptestConfig {
    ProptestConfig {
        cases: 256,
        rng_algorithm: RngAlgorithm::XorShift,
        ..ProptestConfig::default()
    }
}

/// One request test and one answer test per format, so a failure names it.
macro_rules! roundtrips {
    ($($format:expr => $request:ident, $response:ident;)*) => {
        proptest! {
            #![proptest_config(config())]
            $(
                #[test]
                fn $request(request in generate::request(), options in generate::options()) {
                    check_request($format, &request, &options)?;
                }

                #[test]
                fn $response(response in generate::response()) {
                    check_response($format, &response)?;
                }
            )*
        }
    };
}

roundtrips! {
    Format::Anthropic => anthropic_request_roundtrip, anthropic_response_roundtrip;
    Format::OpenaiChat => openai_chat_request_roundtrip, openai_chat_response_roundtrip;
    Format::OpenaiResponses => openai_responses_request_roundtrip, openai_responses_response_roundtrip;
    Format::Gemini => gemini_request_roundtrip, gemini_response_roundtrip;
}

proptest! {
    // 64 cases of 16 pairs each: the slowest test, and it retests the codecs
    // above on IR values they decoded themselves.
    #![proptest_config(ProptestConfig { cases: 64, ..config() })]

    /// A client's request (its format's losses applied) re-encoded for each
    /// upstream loses what that upstream's format loses on top.
    #[test]
    fn every_client_format_reaches_every_upstream_format(
        request in generate::request(),
        options in generate::options(),
    ) {
        for client in FORMATS {
            let (from_client, _) = request_through(client, &request, &EncodeOptions::default());
            for upstream in FORMATS {
                check_request(upstream, &from_client, &options)
                    .map_err(|err| TestCaseError::fail(format!("{client} → {upstream}: {err}")))?;
            }
        }
    }
}

/// The quotes of `lossy`'s row citations: `row("…")` calls, Rust escapes undone.
fn cited_rows(source: &str) -> Vec<String> {
    let mut quotes = Vec::new();
    for rest in source.split("row(\"").skip(1) {
        let mut quote = String::new();
        let mut chars = rest.chars();
        while let Some(c) = chars.next() {
            match c {
                '"' => break,
                '\\' => quote.extend(chars.next()),
                c => quote.push(c),
            }
        }
        quotes.push(quote);
    }
    quotes
}

#[test]
fn every_cited_row_is_in_lossy_md() {
    let rows: Vec<&str> = include_str!("../../LOSSY.md")
        .lines()
        .filter(|line| line.starts_with("| "))
        .collect();
    let quotes: Vec<String> = lossy::SOURCES
        .iter()
        .flat_map(|source| cited_rows(source))
        .collect();
    let missing: Vec<&String> = quotes
        .iter()
        .filter(|quote| !rows.iter().any(|row| row.contains(quote.as_str())))
        .collect();
    assert!(missing.is_empty(), "no LOSSY.md row says {missing:#?}");
    assert!(quotes.len() > 40, "only {} citations found", quotes.len());
}

/// Found by the roundtrip: serde_json's default float parser may be one ulp
/// off, so a client's `1.9843879833784441` reached the upstream as
/// `1.984387983378444`. Every format reads sampling settings exactly now.
#[test]
fn issue_9_sampling_settings_keep_every_digit() {
    let request = Request {
        model: "m".into(),
        temperature: Some(1.984_387_983_378_444_1),
        top_p: Some(0.984_387_983_378_444_1),
        ..Request::default()
    };
    for format in FORMATS {
        let (back, body) = request_through(format, &request, &EncodeOptions::default());
        assert!(body.contains("1.9843879833784441"), "{format}: {body}");
        assert_eq!(back.temperature, request.temperature, "{format}: {body}");
        assert_eq!(back.top_p, request.top_p, "{format}: {body}");
    }
}
