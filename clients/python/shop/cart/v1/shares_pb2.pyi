import datetime

from google.protobuf import duration_pb2 as _duration_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from shop.cart.v1 import types_pb2 as _types_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class CreateCartShareRequest(_message.Message):
    __slots__ = ("shopper", "ttl")
    SHOPPER_FIELD_NUMBER: _ClassVar[int]
    TTL_FIELD_NUMBER: _ClassVar[int]
    shopper: _types_pb2.Shopper
    ttl: _duration_pb2.Duration
    def __init__(self, shopper: _Optional[_Union[_types_pb2.Shopper, _Mapping]] = ..., ttl: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ...) -> None: ...

class CreateCartShareResponse(_message.Message):
    __slots__ = ("share",)
    SHARE_FIELD_NUMBER: _ClassVar[int]
    share: CartShare
    def __init__(self, share: _Optional[_Union[CartShare, _Mapping]] = ...) -> None: ...

class CartShare(_message.Message):
    __slots__ = ("share_id", "token", "expire_time", "create_time", "revoke_time")
    SHARE_ID_FIELD_NUMBER: _ClassVar[int]
    TOKEN_FIELD_NUMBER: _ClassVar[int]
    EXPIRE_TIME_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    REVOKE_TIME_FIELD_NUMBER: _ClassVar[int]
    share_id: str
    token: str
    expire_time: _timestamp_pb2.Timestamp
    create_time: _timestamp_pb2.Timestamp
    revoke_time: _timestamp_pb2.Timestamp
    def __init__(self, share_id: _Optional[str] = ..., token: _Optional[str] = ..., expire_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., create_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., revoke_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class RevokeCartShareRequest(_message.Message):
    __slots__ = ("shopper", "share_id")
    SHOPPER_FIELD_NUMBER: _ClassVar[int]
    SHARE_ID_FIELD_NUMBER: _ClassVar[int]
    shopper: _types_pb2.Shopper
    share_id: str
    def __init__(self, shopper: _Optional[_Union[_types_pb2.Shopper, _Mapping]] = ..., share_id: _Optional[str] = ...) -> None: ...

class RevokeCartShareResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class ListCartSharesRequest(_message.Message):
    __slots__ = ("shopper",)
    SHOPPER_FIELD_NUMBER: _ClassVar[int]
    shopper: _types_pb2.Shopper
    def __init__(self, shopper: _Optional[_Union[_types_pb2.Shopper, _Mapping]] = ...) -> None: ...

class ListCartSharesResponse(_message.Message):
    __slots__ = ("shares",)
    SHARES_FIELD_NUMBER: _ClassVar[int]
    shares: _containers.RepeatedCompositeFieldContainer[CartShare]
    def __init__(self, shares: _Optional[_Iterable[_Union[CartShare, _Mapping]]] = ...) -> None: ...

class GetSharedCartRequest(_message.Message):
    __slots__ = ("token",)
    TOKEN_FIELD_NUMBER: _ClassVar[int]
    token: str
    def __init__(self, token: _Optional[str] = ...) -> None: ...

class GetSharedCartResponse(_message.Message):
    __slots__ = ("cart",)
    CART_FIELD_NUMBER: _ClassVar[int]
    cart: SharedCart
    def __init__(self, cart: _Optional[_Union[SharedCart, _Mapping]] = ...) -> None: ...

class SharedCart(_message.Message):
    __slots__ = ("items", "summary", "currency_code", "warnings", "expire_time")
    ITEMS_FIELD_NUMBER: _ClassVar[int]
    SUMMARY_FIELD_NUMBER: _ClassVar[int]
    CURRENCY_CODE_FIELD_NUMBER: _ClassVar[int]
    WARNINGS_FIELD_NUMBER: _ClassVar[int]
    EXPIRE_TIME_FIELD_NUMBER: _ClassVar[int]
    items: _containers.RepeatedCompositeFieldContainer[_types_pb2.CartItem]
    summary: _types_pb2.CartSummary
    currency_code: str
    warnings: _containers.RepeatedCompositeFieldContainer[_types_pb2.CartWarning]
    expire_time: _timestamp_pb2.Timestamp
    def __init__(self, items: _Optional[_Iterable[_Union[_types_pb2.CartItem, _Mapping]]] = ..., summary: _Optional[_Union[_types_pb2.CartSummary, _Mapping]] = ..., currency_code: _Optional[str] = ..., warnings: _Optional[_Iterable[_Union[_types_pb2.CartWarning, _Mapping]]] = ..., expire_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class CopySharedCartRequest(_message.Message):
    __slots__ = ("shopper", "token", "request_id", "expected_version")
    SHOPPER_FIELD_NUMBER: _ClassVar[int]
    TOKEN_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    EXPECTED_VERSION_FIELD_NUMBER: _ClassVar[int]
    shopper: _types_pb2.Shopper
    token: str
    request_id: str
    expected_version: int
    def __init__(self, shopper: _Optional[_Union[_types_pb2.Shopper, _Mapping]] = ..., token: _Optional[str] = ..., request_id: _Optional[str] = ..., expected_version: _Optional[int] = ...) -> None: ...

class CopySharedCartResponse(_message.Message):
    __slots__ = ("cart", "adjustments", "notice")
    CART_FIELD_NUMBER: _ClassVar[int]
    ADJUSTMENTS_FIELD_NUMBER: _ClassVar[int]
    NOTICE_FIELD_NUMBER: _ClassVar[int]
    cart: _types_pb2.Cart
    adjustments: _containers.RepeatedCompositeFieldContainer[_types_pb2.CartAdjustment]
    notice: str
    def __init__(self, cart: _Optional[_Union[_types_pb2.Cart, _Mapping]] = ..., adjustments: _Optional[_Iterable[_Union[_types_pb2.CartAdjustment, _Mapping]]] = ..., notice: _Optional[str] = ...) -> None: ...
