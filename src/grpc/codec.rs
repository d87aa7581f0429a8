//! The protobuf codec of the generated services and clients: prost's, except
//! that a message that cannot be decoded (bad bytes, nesting past prost's
//! recursion limit) is INVALID_ARGUMENT with the reason `MALFORMED_MESSAGE`
//! and an opaque message, not INTERNAL with the decoder's text. INTERNAL
//! stays for this service's own faults (docs/errors.md). The decoder's
//! words go to the debug log only.

use std::marker::PhantomData;

use tonic::codec::{BufferSettings, Codec, DecodeBuf, Decoder};
use tonic::{Code, Status};
use tonic_prost::{ProstCodec, ProstDecoder, ProstEncoder};

use crate::proto::shop::cart::v1::ErrorReason;

/// prost encoding; decoding errors as INVALID_ARGUMENT.
#[derive(Debug, Clone)]
pub struct StrictCodec<T, U>(PhantomData<(T, U)>);

impl<T, U> Default for StrictCodec<T, U> {
    fn default() -> Self {
        Self(PhantomData)
    }
}

impl<T, U> Codec for StrictCodec<T, U>
where
    T: prost::Message + Send + 'static,
    U: prost::Message + Default + Send + 'static,
{
    type Encode = T;
    type Decode = U;
    type Encoder = ProstEncoder<T>;
    type Decoder = StrictDecoder<U>;

    fn encoder(&mut self) -> Self::Encoder {
        ProstCodec::<T, U>::default().encoder()
    }

    fn decoder(&mut self) -> Self::Decoder {
        StrictDecoder(ProstCodec::<T, U>::default().decoder())
    }
}

/// prost's decoder with its errors mapped.
#[derive(Debug, Clone)]
pub struct StrictDecoder<U>(ProstDecoder<U>);

impl<U: prost::Message + Default> Decoder for StrictDecoder<U> {
    type Item = U;
    type Error = Status;

    fn decode(&mut self, buf: &mut DecodeBuf<'_>) -> Result<Option<U>, Status> {
        self.0.decode(buf).map_err(|error| {
            tracing::debug!(error = %error.message(), "undecodable message");
            malformed()
        })
    }

    fn buffer_settings(&self) -> BufferSettings {
        self.0.buffer_settings()
    }
}

/// INVALID_ARGUMENT, `MALFORMED_MESSAGE`.
pub fn malformed() -> Status {
    super::status::reasoned(
        Code::InvalidArgument,
        "the message could not be decoded as its protobuf type",
        ErrorReason::MalformedMessage,
    )
}
