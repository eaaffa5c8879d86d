//! An upstream's answer, whichever transport carried it.

use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::Bytes;
use futures_util::Stream;
use http_body::{Body, Frame, SizeHint};
use http_body_util::BodyExt as _;

pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

pub type UpstreamResponse = http::Response<UpstreamBody>;

pub enum UpstreamBody {
    Direct(hyper::body::Incoming),
    Proxied(reqwest::Body),
}

impl Body for UpstreamBody {
    type Data = Bytes;
    type Error = BoxError;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, BoxError>>> {
        match self.get_mut() {
            Self::Direct(body) => Pin::new(body).poll_frame(cx).map_err(Into::into),
            Self::Proxied(body) => Pin::new(body).poll_frame(cx).map_err(Into::into),
        }
    }

    fn is_end_stream(&self) -> bool {
        match self {
            Self::Direct(body) => body.is_end_stream(),
            Self::Proxied(body) => body.is_end_stream(),
        }
    }

    fn size_hint(&self) -> SizeHint {
        match self {
            Self::Direct(body) => body.size_hint(),
            Self::Proxied(body) => body.size_hint(),
        }
    }
}

/// Why a whole body could not be read.
#[derive(Debug)]
pub enum ReadError {
    /// Longer than the limit: the rest was not read.
    TooLarge,
    Failed(BoxError),
}

impl UpstreamBody {
    /// The whole body if it is at most `limit` bytes (one chunk is not copied).
    pub async fn bytes(self, limit: usize) -> Result<Bytes, ReadError> {
        match http_body_util::Limited::new(self, limit).collect().await {
            Ok(collected) => Ok(collected.to_bytes()),
            Err(err) if err.is::<http_body_util::LengthLimitError>() => Err(ReadError::TooLarge),
            Err(err) => Err(ReadError::Failed(err)),
        }
    }

    /// At most `limit` bytes; the rest is not read. Errors end the body early.
    pub async fn bytes_up_to(mut self, limit: usize) -> Vec<u8> {
        let mut body = Vec::new();
        while let Some(Ok(frame)) = self.frame().await {
            let Ok(chunk) = frame.into_data() else {
                continue;
            };
            let room = limit.saturating_sub(body.len());
            body.extend_from_slice(&chunk[..chunk.len().min(room)]);
            if body.len() >= limit {
                break;
            }
        }
        body
    }

    /// The data chunks as they arrive.
    pub fn into_stream(self) -> impl Stream<Item = Result<Bytes, BoxError>> + Send + Unpin {
        self.into_data_stream()
    }
}
