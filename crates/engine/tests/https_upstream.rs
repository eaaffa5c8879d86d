//! HTTPS upstreams, as every cloud provider is: the real binary against a TLS
//! mock whose certificate comes from a test CA handed over through
//! `SSL_CERT_FILE` (read with the system roots), and refused without it.
#![allow(
    clippy::allow_attributes,
    clippy::unwrap_used,
    clippy::panic,
    reason = "tests"
)]

mod support;

use std::convert::Infallible;
use std::sync::Arc;

use bytes::Bytes;
use http_body_util::Full;
use hyper::service::service_fn;
use hyper_util::rt::{TokioExecutor, TokioIo};
use rcgen::{BasicConstraints, CertificateParams, CertifiedIssuer, IsCa, KeyPair, KeyUsagePurpose};
use serde_json::{Value, json};
use support::binary::{Served, serve_binary};
use support::{UPSTREAM_KEY, anthropic_request};
use tokio_rustls::TlsAcceptor;
use tokio_rustls::rustls::{self, pki_types::PrivateKeyDer, pki_types::PrivatePkcs8KeyDer};

/// A test CA (PEM) and a TLS server for `localhost` signed by it, answering
/// every request with a Chat completion that echoes the protocol it spoke
/// and the authorization it got.
async fn tls_upstream() -> (String, u16) {
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca_params.key_usages = vec![KeyUsagePurpose::KeyCertSign];
    let ca = CertifiedIssuer::self_signed(ca_params, KeyPair::generate().unwrap()).unwrap();
    let server_key = KeyPair::generate().unwrap();
    let server_cert = CertificateParams::new(vec!["localhost".to_owned()])
        .unwrap()
        .signed_by(&server_key, &ca)
        .unwrap();
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(server_key.serialize_der()));
    let mut config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_no_client_auth()
    .with_single_cert(vec![server_cert.der().clone()], key)
    .unwrap();
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    let acceptor = TlsAcceptor::from(Arc::new(config));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        loop {
            let (tcp, _) = listener.accept().await.unwrap();
            let acceptor = acceptor.clone();
            tokio::spawn(async move {
                let Ok(tls) = acceptor.accept(tcp).await else {
                    return;
                };
                let service = service_fn(|request: hyper::Request<hyper::body::Incoming>| {
                    let auth = request.headers().get("authorization").cloned();
                    let text = format!(
                        "{:?} {}",
                        request.version(),
                        auth.and_then(|v| v.to_str().ok().map(str::to_owned))
                            .unwrap_or_default()
                    );
                    async move { Ok::<_, Infallible>(hyper::Response::new(Full::new(answer(&text)))) }
                });
                let _ = hyper_util::server::conn::auto::Builder::new(TokioExecutor::new())
                    .serve_connection(TokioIo::new(tls), service)
                    .await;
            });
        }
    });
    (ca.pem(), port)
}

fn answer(text: &str) -> Bytes {
    Bytes::from(
        json!({
            "id": "chatcmpl-1", "object": "chat.completion", "created": 1, "model": "m",
            "choices": [{"index": 0, "message": {"role": "assistant", "content": text},
                         "finish_reason": "stop"}],
            "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2}
        })
        .to_string(),
    )
}

async fn serve_against(port: u16, ca_file: Option<&std::path::Path>) -> Served {
    let config = format!(
        "[[providers]]\nid = \"cloud\"\nformat = \"openai_chat\"\n\
         base_url = \"https://localhost:{port}/v1\"\napi_key_env = \"SWITCHYARD_TEST_KEY\"\n\
         [[routes]]\nmodel = \"*\"\nprovider = \"cloud\"\n"
    );
    let mut env = vec![("SWITCHYARD_TEST_KEY", UPSTREAM_KEY.to_owned())];
    if let Some(file) = ca_file {
        env.push(("SSL_CERT_FILE", file.display().to_string()));
    }
    serve_binary(&config, &env).await
}

async fn ask(served: &Served) -> (u16, Value) {
    let response = served.post_messages(&anthropic_request(false)).await;
    (response.status().as_u16(), response.json().await.unwrap())
}

#[tokio::test]
async fn issue3_https_upstream_with_a_trusted_certificate_over_http2() {
    let (ca_pem, port) = tls_upstream().await;
    let ca_file = std::env::temp_dir().join(format!("switchyard-test-ca-{port}.pem"));
    std::fs::write(&ca_file, ca_pem).unwrap();
    let served = serve_against(port, Some(&ca_file)).await;

    let (status, body) = ask(&served).await;
    assert_eq!(status, 200, "{body}");
    // ALPN picked HTTP/2, and the key went over TLS.
    assert_eq!(
        body["content"][0]["text"],
        format!("HTTP/2.0 Bearer {UPSTREAM_KEY}")
    );
    let _ = std::fs::remove_file(ca_file);
}

#[tokio::test]
async fn issue3_https_upstream_with_an_unknown_issuer_is_refused() {
    let (_, port) = tls_upstream().await;
    let served = serve_against(port, None).await;

    let (status, body) = ask(&served).await;
    assert_eq!(status, 502);
    let message = body["error"]["message"].as_str().unwrap();
    assert!(message.contains("UnknownIssuer"), "{message}");
    assert!(!served.log().contains(UPSTREAM_KEY));
}
