from shop.cart.v1 import types_pb2 as _types_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class RecoveryOutcome(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    RECOVERY_OUTCOME_UNSPECIFIED: _ClassVar[RecoveryOutcome]
    RECOVERY_OUTCOME_TAKEN_OVER: _ClassVar[RecoveryOutcome]
    RECOVERY_OUTCOME_MERGED: _ClassVar[RecoveryOutcome]
    RECOVERY_OUTCOME_ALREADY_RECOVERED: _ClassVar[RecoveryOutcome]
    RECOVERY_OUTCOME_HAS_OWN_CART: _ClassVar[RecoveryOutcome]
    RECOVERY_OUTCOME_NO_MATCH: _ClassVar[RecoveryOutcome]
    RECOVERY_OUTCOME_AMBIGUOUS: _ClassVar[RecoveryOutcome]
RECOVERY_OUTCOME_UNSPECIFIED: RecoveryOutcome
RECOVERY_OUTCOME_TAKEN_OVER: RecoveryOutcome
RECOVERY_OUTCOME_MERGED: RecoveryOutcome
RECOVERY_OUTCOME_ALREADY_RECOVERED: RecoveryOutcome
RECOVERY_OUTCOME_HAS_OWN_CART: RecoveryOutcome
RECOVERY_OUTCOME_NO_MATCH: RecoveryOutcome
RECOVERY_OUTCOME_AMBIGUOUS: RecoveryOutcome

class RecoverCartRequest(_message.Message):
    __slots__ = ("shopper", "token", "by_device", "request_id", "expected_version")
    SHOPPER_FIELD_NUMBER: _ClassVar[int]
    TOKEN_FIELD_NUMBER: _ClassVar[int]
    BY_DEVICE_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    EXPECTED_VERSION_FIELD_NUMBER: _ClassVar[int]
    shopper: _types_pb2.Shopper
    token: str
    by_device: bool
    request_id: str
    expected_version: int
    def __init__(self, shopper: _Optional[_Union[_types_pb2.Shopper, _Mapping]] = ..., token: _Optional[str] = ..., by_device: _Optional[bool] = ..., request_id: _Optional[str] = ..., expected_version: _Optional[int] = ...) -> None: ...

class RecoverCartResponse(_message.Message):
    __slots__ = ("cart", "adjustments", "outcome", "recovered_cart_id", "candidates")
    CART_FIELD_NUMBER: _ClassVar[int]
    ADJUSTMENTS_FIELD_NUMBER: _ClassVar[int]
    OUTCOME_FIELD_NUMBER: _ClassVar[int]
    RECOVERED_CART_ID_FIELD_NUMBER: _ClassVar[int]
    CANDIDATES_FIELD_NUMBER: _ClassVar[int]
    cart: _types_pb2.Cart
    adjustments: _containers.RepeatedCompositeFieldContainer[_types_pb2.CartAdjustment]
    outcome: RecoveryOutcome
    recovered_cart_id: str
    candidates: int
    def __init__(self, cart: _Optional[_Union[_types_pb2.Cart, _Mapping]] = ..., adjustments: _Optional[_Iterable[_Union[_types_pb2.CartAdjustment, _Mapping]]] = ..., outcome: _Optional[_Union[RecoveryOutcome, str]] = ..., recovered_cart_id: _Optional[str] = ..., candidates: _Optional[int] = ...) -> None: ...

class UnsubscribeRecoveryRequest(_message.Message):
    __slots__ = ("token",)
    TOKEN_FIELD_NUMBER: _ClassVar[int]
    token: str
    def __init__(self, token: _Optional[str] = ...) -> None: ...

class UnsubscribeRecoveryResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...
