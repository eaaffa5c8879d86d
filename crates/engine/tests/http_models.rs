//! Model lists in each client's shape.
#![allow(
    clippy::allow_attributes,
    clippy::unwrap_used,
    reason = "test helpers outside #[test] fns"
)]

mod support;

use serde_json::{Value, json};
use support::*;

const LITERAL_ROUTES: &str = r#"
[[routes]]
model = "claude-deepseek-chat"
provider = "mock"
upstream_model = "deepseek-chat"
[[routes]]
model = "gpt-local"
provider = "mock"
"#;

#[tokio::test]
async fn literal_routes_are_listed_in_each_shape() {
    let gw = TestGateway::start("openai_chat", "http://127.0.0.1:9/v1", "").await;
    // The harness config routes `claude-*`; add literal routes through a second gateway.
    let gw2 =
        TestGateway::start_with_routes("openai_chat", "http://127.0.0.1:9/v1", LITERAL_ROUTES)
            .await;
    let anthropic: Value = gw2
        .client
        .get(gw2.url("/v1/models?limit=1000"))
        .header("x-api-key", CLIENT_KEY)
        .header("anthropic-version", "2023-06-01")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let ids: Vec<&str> = anthropic["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["claude-deepseek-chat", "gpt-local"]);
    assert_eq!(anthropic["data"][0]["type"], "model");
    assert_eq!(anthropic["has_more"], false);
    assert_eq!(anthropic["first_id"], "claude-deepseek-chat");

    let openai: Value = gw2
        .client
        .get(gw2.url("/v1/models"))
        .bearer_auth(CLIENT_KEY)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(openai["object"], "list");
    assert_eq!(
        openai["data"][1],
        json!({"id": "gpt-local", "object": "model", "created": 0, "owned_by": "switchyard"})
    );

    let gemini: Value = gw2
        .client
        .get(gw2.url("/v1beta/models"))
        .header("x-goog-api-key", CLIENT_KEY)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(gemini["models"][0]["name"], "models/claude-deepseek-chat");

    // Wildcard routes are not model names: nothing to list.
    let empty: Value = gw
        .client
        .get(gw.url("/v1/models"))
        .bearer_auth(CLIENT_KEY)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(empty["data"], json!([]));
    let no_key = gw.client.get(gw.url("/v1/models")).send().await.unwrap();
    assert_eq!(no_key.status(), 401);
}
