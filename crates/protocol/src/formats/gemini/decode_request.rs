//! Gemini `GenerateContentRequest` → IR (Gemini CLI, @google/genai).
//!
//! The model and whether to stream come from the URL
//! (`models/{model}:streamGenerateContent`), so the engine sets
//! `request.model` and `request.stream` after decoding.

use std::collections::VecDeque;

use super::ids::call_id;
use super::wire::{
    ContentIn, FunctionCallingConfigIn, FunctionDeclarationIn, GenerationConfigIn, PartIn,
    RequestIn, ThinkingConfigIn,
};
use crate::error::DecodeError;
use crate::ir::{
    ImageSource, Message, Part, Reasoning, ReasoningEffort, Request, ResponseFormat, Role, Text,
    Tool, ToolChoice, ToolResultPart,
};
use crate::json::RawJson;

/// Decodes a `generateContent` / `streamGenerateContent` body.
pub fn decode_request(body: &[u8]) -> Result<Request, DecodeError> {
    let wire: RequestIn = DecodeError::parse(body)?;
    let config = wire.generation_config;
    if config.candidate_count.is_some_and(|count| count > 1) {
        return Err(DecodeError::invalid(
            "generationConfig.candidateCount",
            "only 1 candidate is supported through this gateway",
        ));
    }
    let system = wire
        .system_instruction
        .map(|content| texts(content.parts))
        .unwrap_or_default();
    let tools = wire
        .tools
        .into_iter()
        .flat_map(|tool| tool.function_declarations)
        .map(decode_tool)
        .collect::<Result<Vec<_>, _>>()?;
    let tool_choice = wire
        .tool_config
        .and_then(|config| config.function_calling_config)
        .and_then(decode_tool_choice);
    Ok(Request {
        system,
        messages: Calls::default().decode(wire.contents),
        tools,
        tool_choice,
        stream_usage: true,
        ..generation(config)
    })
}

fn generation(config: GenerationConfigIn) -> Request {
    Request {
        max_tokens: config.max_output_tokens,
        temperature: config.temperature,
        top_p: config.top_p,
        top_k: config
            .top_k
            .filter(|top_k| *top_k >= 1.0)
            .map(|top_k| top_k.min(f64::from(u32::MAX)) as u32),
        stop_sequences: config.stop_sequences,
        reasoning: config.thinking_config.and_then(decode_thinking),
        response_format: decode_response_format(
            config.response_mime_type.as_deref(),
            config.response_json_schema,
            config.response_schema,
        ),
        ..Request::default()
    }
}

/// `responseJsonSchema` (JSON Schema) or `responseSchema` (OpenAPI subset,
/// upper-case types) or a bare JSON mime type.
fn decode_response_format(
    mime_type: Option<&str>,
    json_schema: Option<RawJson>,
    openapi_schema: Option<RawJson>,
) -> Option<ResponseFormat> {
    // Gemini CLI writes OpenAPI's upper-case type names even in
    // `responseJsonSchema`; other vendors accept only lower case.
    let schema = json_schema
        .or(openapi_schema)
        .and_then(|schema| super::schema::openapi_to_json_schema(&schema).ok());
    match schema {
        Some(schema) => Some(ResponseFormat::JsonSchema {
            name: "response".to_owned(),
            schema,
            strict: false,
        }),
        None => (mime_type == Some("application/json")).then_some(ResponseFormat::JsonObject),
    }
}

fn decode_thinking(config: ThinkingConfigIn) -> Option<Reasoning> {
    if config.thinking_budget == Some(0) {
        return None;
    }
    let effort = config
        .thinking_level
        .as_deref()
        .and_then(|level| ReasoningEffort::parse(&level.to_ascii_lowercase()));
    let budget_tokens = config
        .thinking_budget
        .filter(|budget| *budget > 0)
        .and_then(|budget| u32::try_from(budget).ok());
    if effort.is_none() && budget_tokens.is_none() && config.include_thoughts != Some(true) {
        // Only `thinkingBudget: -1` (dynamic) or an empty config: the model decides.
        return None;
    }
    Some(Reasoning {
        effort,
        budget_tokens,
    })
}

fn decode_tool(declaration: FunctionDeclarationIn) -> Result<Tool, DecodeError> {
    let parameters = match (declaration.parameters_json_schema, declaration.parameters) {
        (Some(schema), _) => schema,
        (None, Some(openapi)) => super::schema::openapi_to_json_schema(&openapi)?,
        (None, None) => crate::json::empty_object(),
    };
    Ok(Tool {
        name: declaration.name,
        description: declaration.description.map(Text::from),
        parameters,
    })
}

fn decode_tool_choice(config: FunctionCallingConfigIn) -> Option<ToolChoice> {
    match config
        .mode
        .as_deref()
        .map(str::to_ascii_uppercase)
        .as_deref()
    {
        Some("NONE") => Some(ToolChoice::None),
        Some("ANY") => match <[String; 1]>::try_from(config.allowed_function_names) {
            Ok([name]) => Some(ToolChoice::Tool(name)),
            Err(_) => Some(ToolChoice::Required),
        },
        Some("AUTO") => Some(ToolChoice::Auto),
        _ => None,
    }
}

fn texts(parts: Vec<PartIn>) -> Vec<Text> {
    parts
        .into_iter()
        .filter(|part| !part.thought)
        .filter_map(|part| part.text.0)
        .map(Text::from)
        .collect()
}

/// Function calls seen so far, so results without an id pair with the
/// earliest unanswered call of the same name (Gemini pairs by order).
#[derive(Default)]
struct Calls {
    count: usize,
    unanswered: VecDeque<(String, String)>,
}

impl Calls {
    fn decode(mut self, contents: Vec<ContentIn>) -> Vec<Message> {
        let mut messages = Vec::with_capacity(contents.len());
        for content in contents {
            let role = match content.role.as_deref() {
                Some("model") => Role::Assistant,
                _ => Role::User,
            };
            let parts: Vec<Part> = content
                .parts
                .into_iter()
                .filter_map(|part| self.part(part))
                .collect();
            if !parts.is_empty() {
                messages.push(Message {
                    role,
                    content: parts,
                });
            }
        }
        messages
    }

    fn part(&mut self, part: PartIn) -> Option<Part> {
        if let Some(call) = part.function_call {
            // A Gemini client's signature only matters to a Gemini upstream,
            // and those get the body untouched: it is not carried in the id.
            let id = call_id(call.id.as_deref(), &call.name, self.count, None);
            self.count += 1;
            self.unanswered.push_back((call.name.clone(), id.clone()));
            let arguments = call.args.unwrap_or_else(crate::json::empty_object);
            return Some(Part::ToolCall {
                id,
                name: call.name,
                arguments,
            });
        }
        if let Some(response) = part.function_response {
            let call_id = self.answer(response.id, &response.name);
            let (content, is_error) = tool_result(response.response);
            return Some(Part::ToolResult {
                call_id,
                content,
                is_error,
            });
        }
        if let Some(blob) = part.inline_data {
            return Some(Part::Image(ImageSource::Base64 {
                media_type: blob.mime_type,
                data: blob.data,
            }));
        }
        if let Some(file) = part.file_data {
            return Some(Part::Image(ImageSource::Url(file.file_uri)));
        }
        let text = part.text.0?;
        if part.thought {
            return Some(Part::Reasoning {
                text: text.into(),
                signature: part.thought_signature,
            });
        }
        (!text.is_empty()).then(|| Part::Text(text.into()))
    }

    fn answer(&mut self, id: Option<String>, name: &str) -> String {
        let at = match id.as_deref().filter(|id| !id.is_empty()) {
            Some(id) => self.unanswered.iter().position(|(_, call)| call == id),
            None => self
                .unanswered
                .iter()
                .position(|(call_name, _)| call_name == name),
        };
        match (at.and_then(|at| self.unanswered.remove(at)), id) {
            (Some((_, call)), _) => call,
            (None, Some(id)) if !id.is_empty() => id,
            (None, _) => call_id(None, name, usize::MAX, None),
        }
    }
}

/// `response` is any object; `{output}`, `{result}` and `{error}` with a
/// string are read as that text (the shapes Gemini CLI and the SDKs send),
/// anything else is passed on as its JSON text.
fn tool_result(response: Option<RawJson>) -> (Vec<ToolResultPart>, bool) {
    #[derive(serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Single {
        output: Option<String>,
        result: Option<String>,
        error: Option<String>,
    }
    let Some(response) = response else {
        return (vec![ToolResultPart::Text(Text::default())], false);
    };
    match serde_json::from_str::<Single>(response.get()) {
        Ok(Single {
            error: Some(error),
            output: None,
            result: None,
        }) => (vec![ToolResultPart::Text(error.into())], true),
        Ok(
            Single {
                output: Some(text),
                result: None,
                error: None,
            }
            | Single {
                result: Some(text),
                output: None,
                error: None,
            },
        ) => (vec![ToolResultPart::Text(text.into())], false),
        _ => (vec![ToolResultPart::Text(Text::new(response.get()))], false),
    }
}
