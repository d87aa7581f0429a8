from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from typing import ClassVar as _ClassVar

DESCRIPTOR: _descriptor.FileDescriptor

class ErrorReason(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    ERROR_REASON_UNSPECIFIED: _ClassVar[ErrorReason]
    INVALID_FIELD: _ClassVar[ErrorReason]
    MALFORMED_MESSAGE: _ClassVar[ErrorReason]
    REQUEST_ID_REUSED: _ClassVar[ErrorReason]
    MESSAGE_TOO_LARGE: _ClassVar[ErrorReason]
    VARIANT_NOT_FOUND: _ClassVar[ErrorReason]
    ITEM_NOT_FOUND: _ClassVar[ErrorReason]
    CART_NOT_FOUND: _ClassVar[ErrorReason]
    VARIANT_INACTIVE: _ClassVar[ErrorReason]
    OUT_OF_STOCK: _ClassVar[ErrorReason]
    LINE_QUANTITY_LIMIT: _ClassVar[ErrorReason]
    CART_LINE_LIMIT: _ClassVar[ErrorReason]
    CURRENCY_MISMATCH: _ClassVar[ErrorReason]
    CART_ALREADY_COMPLETED: _ClassVar[ErrorReason]
    CART_NOT_ACTIVE: _ClassVar[ErrorReason]
    CART_EXPIRED: _ClassVar[ErrorReason]
    CART_EMPTY: _ClassVar[ErrorReason]
    CONCURRENT_MODIFICATION: _ClassVar[ErrorReason]
    REQUEST_IN_PROGRESS: _ClassVar[ErrorReason]
    CATALOG_UNAVAILABLE: _ClassVar[ErrorReason]
    DATABASE_UNAVAILABLE: _ClassVar[ErrorReason]
    RATE_LIMITED: _ClassVar[ErrorReason]
    OVERLOADED: _ClassVar[ErrorReason]
    TOKEN_MISSING: _ClassVar[ErrorReason]
    TOKEN_UNKNOWN: _ClassVar[ErrorReason]
    ROLE_NOT_ALLOWED: _ClassVar[ErrorReason]
    UNKNOWN_METHOD: _ClassVar[ErrorReason]
    INTERNAL_ERROR: _ClassVar[ErrorReason]
    RECOVERY_DISABLED: _ClassVar[ErrorReason]
    RECOVERY_TOKEN_INVALID: _ClassVar[ErrorReason]
    RECOVERY_TOKEN_EXPIRED: _ClassVar[ErrorReason]
    SIGN_IN_REQUIRED: _ClassVar[ErrorReason]
    TOO_MANY_WATCHERS: _ClassVar[ErrorReason]
    REPLICA_STOPPING: _ClassVar[ErrorReason]
    CART_NOT_COMPLETED: _ClassVar[ErrorReason]
ERROR_REASON_UNSPECIFIED: ErrorReason
INVALID_FIELD: ErrorReason
MALFORMED_MESSAGE: ErrorReason
REQUEST_ID_REUSED: ErrorReason
MESSAGE_TOO_LARGE: ErrorReason
VARIANT_NOT_FOUND: ErrorReason
ITEM_NOT_FOUND: ErrorReason
CART_NOT_FOUND: ErrorReason
VARIANT_INACTIVE: ErrorReason
OUT_OF_STOCK: ErrorReason
LINE_QUANTITY_LIMIT: ErrorReason
CART_LINE_LIMIT: ErrorReason
CURRENCY_MISMATCH: ErrorReason
CART_ALREADY_COMPLETED: ErrorReason
CART_NOT_ACTIVE: ErrorReason
CART_EXPIRED: ErrorReason
CART_EMPTY: ErrorReason
CONCURRENT_MODIFICATION: ErrorReason
REQUEST_IN_PROGRESS: ErrorReason
CATALOG_UNAVAILABLE: ErrorReason
DATABASE_UNAVAILABLE: ErrorReason
RATE_LIMITED: ErrorReason
OVERLOADED: ErrorReason
TOKEN_MISSING: ErrorReason
TOKEN_UNKNOWN: ErrorReason
ROLE_NOT_ALLOWED: ErrorReason
UNKNOWN_METHOD: ErrorReason
INTERNAL_ERROR: ErrorReason
RECOVERY_DISABLED: ErrorReason
RECOVERY_TOKEN_INVALID: ErrorReason
RECOVERY_TOKEN_EXPIRED: ErrorReason
SIGN_IN_REQUIRED: ErrorReason
TOO_MANY_WATCHERS: ErrorReason
REPLICA_STOPPING: ErrorReason
CART_NOT_COMPLETED: ErrorReason
