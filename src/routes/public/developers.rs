//! `/developers`: the API reference as a page, drawn from the same OpenAPI
//! document `/api/v1/openapi.json` serves (no JavaScript needed).

use actix_web::HttpResponse;
use askama::Template;
use serde_json::Value;

use crate::error::AppError;
use crate::web::{Ctx, render};

/// One operation of the document, as the page shows it.
pub struct Operation {
    pub id: String,
    pub method: String,
    pub path: String,
    pub scopes: Vec<String>,
    /// (name, where: path or query)
    pub params: Vec<(String, String)>,
    pub statuses: Vec<String>,
    pub has_body: bool,
}

impl Operation {
    /// The catalogue key of the operation's summary.
    pub fn summary_key(&self) -> String {
        format!("api-op-{}", self.id.replace('_', "-"))
    }

    /// Whether it reads a JSON body.
    pub fn takes_body(&self) -> bool {
        self.has_body
    }

    /// A curl command line that calls it.
    pub fn example(&self, base: &str) -> String {
        let path = self.path.replace("{id}", "42");
        let auth = "-H \"Authorization: Bearer $TOKEN\"";
        match self.method.as_str() {
            "GET" => format!("curl {auth} {base}{path}"),
            method if self.takes_body() => format!(
                "curl -X {method} {auth} -H \"Content-Type: application/json\" \\\n  -H \"Idempotency-Key: $(uuidgen)\" \\\n  -d '{}' {base}{path}",
                if path.contains("/reply") || path.ends_with("/messages") {
                    r#"{"body": "Thank you, see you on Tuesday."}"#
                } else {
                    r#"{"title": "Evening yoga", "summary": "Small groups"}"#
                }
            ),
            method => format!("curl -X {method} {auth} {base}{path}"),
        }
    }
}

/// The operations of the OpenAPI document, in its order (by path).
pub fn operations() -> Vec<Operation> {
    let doc: Value = serde_json::from_str(crate::api::openapi_text()).unwrap_or_default();
    let mut out = Vec::new();
    let Some(paths) = doc["paths"].as_object() else {
        return out;
    };
    for (path, item) in paths {
        let Some(item) = item.as_object() else {
            continue;
        };
        for (method, op) in item {
            let list = |key: &str| op[key].as_array().cloned().unwrap_or_default();
            out.push(Operation {
                id: op["operationId"].as_str().unwrap_or_default().to_string(),
                method: method.to_uppercase(),
                path: path.clone(),
                scopes: list("security")
                    .iter()
                    .filter_map(|s| s["bearer"].as_array().cloned())
                    .flatten()
                    .filter_map(|s| s.as_str().map(str::to_string))
                    .collect(),
                params: list("parameters")
                    .iter()
                    .map(|p| {
                        (
                            p["name"].as_str().unwrap_or_default().to_string(),
                            p["in"].as_str().unwrap_or_default().to_string(),
                        )
                    })
                    .collect(),
                has_body: op["requestBody"].is_object(),
                statuses: op["responses"]
                    .as_object()
                    .map(|r| r.keys().cloned().collect())
                    .unwrap_or_default(),
            });
        }
    }
    out
}

#[derive(Template)]
#[template(path = "public/developers.html")]
struct ReferencePage<'a> {
    ctx: &'a Ctx,
    operations: Vec<Operation>,
    base: String,
    /// Each event type with an example body.
    events: Vec<(crate::webhooks::EventType, String)>,
    /// The waits between tries, as configured (`5s 5m 30m ...`).
    schedule: String,
}

pub async fn reference(ctx: Ctx) -> Result<HttpResponse, AppError> {
    let base = ctx.base_url().to_string();
    render(&ReferencePage {
        ctx: &ctx,
        operations: operations(),
        base,
        events: crate::webhooks::events::examples(),
        schedule: crate::config::describe_schedule(&ctx.state.settings.webhooks.retry_schedule),
    })
}
