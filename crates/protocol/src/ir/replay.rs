use super::{BlockKind, Delta, Part, Response, StreamEvent};

/// A complete answer as the stream events that would have produced it.
pub fn response_events(response: &Response) -> Vec<StreamEvent> {
    let mut events = Vec::with_capacity(2 + response.content.len() * 3 + 2);
    events.push(StreamEvent::MessageStart {
        id: response.id.clone(),
        model: response.model.clone(),
        usage: Default::default(),
    });
    for (index, part) in response.content.iter().enumerate() {
        let (kind, deltas) = match part {
            Part::Text(text) => (
                BlockKind::Text,
                vec![Delta::Text(text.plain().into_owned())],
            ),
            Part::Reasoning { text, signature } => {
                let mut deltas = vec![Delta::Reasoning(text.plain().into_owned())];
                deltas.extend(signature.clone().map(Delta::ReasoningSignature));
                (BlockKind::Reasoning, deltas)
            }
            Part::RedactedReasoning(data) => (
                BlockKind::RedactedReasoning { data: data.clone() },
                Vec::new(),
            ),
            Part::ToolCall {
                id,
                name,
                arguments,
            } => (
                BlockKind::ToolCall {
                    id: id.clone(),
                    name: name.clone(),
                },
                vec![Delta::ToolArguments(arguments.get().to_owned())],
            ),
            Part::Image(_) | Part::ToolResult { .. } => continue,
        };
        events.push(StreamEvent::BlockStart { index, kind });
        events.extend(
            deltas
                .into_iter()
                .map(|delta| StreamEvent::BlockDelta { index, delta }),
        );
        events.push(StreamEvent::BlockStop { index });
    }
    events.push(StreamEvent::MessageDelta {
        stop_reason: response.stop_reason.clone(),
        usage: response.usage,
    });
    events.push(StreamEvent::MessageStop);
    events
}
