from google.protobuf import struct_pb2 as _struct_pb2
from shop.cart.v1 import types_pb2 as _types_pb2
from shop.common.v1 import money_pb2 as _money_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class ValidationIssueType(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    VALIDATION_ISSUE_TYPE_UNSPECIFIED: _ClassVar[ValidationIssueType]
    VALIDATION_ISSUE_TYPE_EMPTY_CART: _ClassVar[ValidationIssueType]
    VALIDATION_ISSUE_TYPE_ITEM_UNAVAILABLE: _ClassVar[ValidationIssueType]
    VALIDATION_ISSUE_TYPE_INSUFFICIENT_STOCK: _ClassVar[ValidationIssueType]
    VALIDATION_ISSUE_TYPE_PRICE_CHANGED: _ClassVar[ValidationIssueType]
    VALIDATION_ISSUE_TYPE_EMAIL_MISSING: _ClassVar[ValidationIssueType]
    VALIDATION_ISSUE_TYPE_CATALOG_UNAVAILABLE: _ClassVar[ValidationIssueType]

class MergeStrategy(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    MERGE_STRATEGY_UNSPECIFIED: _ClassVar[MergeStrategy]
    MERGE_STRATEGY_MERGE: _ClassVar[MergeStrategy]
    MERGE_STRATEGY_KEEP_CUSTOMER: _ClassVar[MergeStrategy]
    MERGE_STRATEGY_KEEP_GUEST: _ClassVar[MergeStrategy]
VALIDATION_ISSUE_TYPE_UNSPECIFIED: ValidationIssueType
VALIDATION_ISSUE_TYPE_EMPTY_CART: ValidationIssueType
VALIDATION_ISSUE_TYPE_ITEM_UNAVAILABLE: ValidationIssueType
VALIDATION_ISSUE_TYPE_INSUFFICIENT_STOCK: ValidationIssueType
VALIDATION_ISSUE_TYPE_PRICE_CHANGED: ValidationIssueType
VALIDATION_ISSUE_TYPE_EMAIL_MISSING: ValidationIssueType
VALIDATION_ISSUE_TYPE_CATALOG_UNAVAILABLE: ValidationIssueType
MERGE_STRATEGY_UNSPECIFIED: MergeStrategy
MERGE_STRATEGY_MERGE: MergeStrategy
MERGE_STRATEGY_KEEP_CUSTOMER: MergeStrategy
MERGE_STRATEGY_KEEP_GUEST: MergeStrategy

class GetCartRequest(_message.Message):
    __slots__ = ("shopper", "min_version")
    SHOPPER_FIELD_NUMBER: _ClassVar[int]
    MIN_VERSION_FIELD_NUMBER: _ClassVar[int]
    shopper: _types_pb2.Shopper
    min_version: int
    def __init__(self, shopper: _Optional[_Union[_types_pb2.Shopper, _Mapping]] = ..., min_version: _Optional[int] = ...) -> None: ...

class GetCartResponse(_message.Message):
    __slots__ = ("cart",)
    CART_FIELD_NUMBER: _ClassVar[int]
    cart: _types_pb2.Cart
    def __init__(self, cart: _Optional[_Union[_types_pb2.Cart, _Mapping]] = ...) -> None: ...

class AddItemRequest(_message.Message):
    __slots__ = ("shopper", "product_id", "variant_id", "quantity", "metadata", "request_id", "expected_version")
    SHOPPER_FIELD_NUMBER: _ClassVar[int]
    PRODUCT_ID_FIELD_NUMBER: _ClassVar[int]
    VARIANT_ID_FIELD_NUMBER: _ClassVar[int]
    QUANTITY_FIELD_NUMBER: _ClassVar[int]
    METADATA_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    EXPECTED_VERSION_FIELD_NUMBER: _ClassVar[int]
    shopper: _types_pb2.Shopper
    product_id: str
    variant_id: str
    quantity: int
    metadata: _struct_pb2.Struct
    request_id: str
    expected_version: int
    def __init__(self, shopper: _Optional[_Union[_types_pb2.Shopper, _Mapping]] = ..., product_id: _Optional[str] = ..., variant_id: _Optional[str] = ..., quantity: _Optional[int] = ..., metadata: _Optional[_Union[_struct_pb2.Struct, _Mapping]] = ..., request_id: _Optional[str] = ..., expected_version: _Optional[int] = ...) -> None: ...

class AddItemResponse(_message.Message):
    __slots__ = ("cart",)
    CART_FIELD_NUMBER: _ClassVar[int]
    cart: _types_pb2.Cart
    def __init__(self, cart: _Optional[_Union[_types_pb2.Cart, _Mapping]] = ...) -> None: ...

class AddItemsRequest(_message.Message):
    __slots__ = ("shopper", "items", "request_id", "expected_version")
    SHOPPER_FIELD_NUMBER: _ClassVar[int]
    ITEMS_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    EXPECTED_VERSION_FIELD_NUMBER: _ClassVar[int]
    shopper: _types_pb2.Shopper
    items: _containers.RepeatedCompositeFieldContainer[AddItemsLine]
    request_id: str
    expected_version: int
    def __init__(self, shopper: _Optional[_Union[_types_pb2.Shopper, _Mapping]] = ..., items: _Optional[_Iterable[_Union[AddItemsLine, _Mapping]]] = ..., request_id: _Optional[str] = ..., expected_version: _Optional[int] = ...) -> None: ...

class AddItemsLine(_message.Message):
    __slots__ = ("product_id", "variant_id", "quantity", "metadata")
    PRODUCT_ID_FIELD_NUMBER: _ClassVar[int]
    VARIANT_ID_FIELD_NUMBER: _ClassVar[int]
    QUANTITY_FIELD_NUMBER: _ClassVar[int]
    METADATA_FIELD_NUMBER: _ClassVar[int]
    product_id: str
    variant_id: str
    quantity: int
    metadata: _struct_pb2.Struct
    def __init__(self, product_id: _Optional[str] = ..., variant_id: _Optional[str] = ..., quantity: _Optional[int] = ..., metadata: _Optional[_Union[_struct_pb2.Struct, _Mapping]] = ...) -> None: ...

class AddItemsResponse(_message.Message):
    __slots__ = ("cart",)
    CART_FIELD_NUMBER: _ClassVar[int]
    cart: _types_pb2.Cart
    def __init__(self, cart: _Optional[_Union[_types_pb2.Cart, _Mapping]] = ...) -> None: ...

class UpdateItemRequest(_message.Message):
    __slots__ = ("shopper", "item_id", "quantity", "request_id", "expected_version")
    SHOPPER_FIELD_NUMBER: _ClassVar[int]
    ITEM_ID_FIELD_NUMBER: _ClassVar[int]
    QUANTITY_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    EXPECTED_VERSION_FIELD_NUMBER: _ClassVar[int]
    shopper: _types_pb2.Shopper
    item_id: str
    quantity: int
    request_id: str
    expected_version: int
    def __init__(self, shopper: _Optional[_Union[_types_pb2.Shopper, _Mapping]] = ..., item_id: _Optional[str] = ..., quantity: _Optional[int] = ..., request_id: _Optional[str] = ..., expected_version: _Optional[int] = ...) -> None: ...

class UpdateItemResponse(_message.Message):
    __slots__ = ("cart",)
    CART_FIELD_NUMBER: _ClassVar[int]
    cart: _types_pb2.Cart
    def __init__(self, cart: _Optional[_Union[_types_pb2.Cart, _Mapping]] = ...) -> None: ...

class UpdateItemsRequest(_message.Message):
    __slots__ = ("shopper", "items", "request_id", "expected_version")
    SHOPPER_FIELD_NUMBER: _ClassVar[int]
    ITEMS_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    EXPECTED_VERSION_FIELD_NUMBER: _ClassVar[int]
    shopper: _types_pb2.Shopper
    items: _containers.RepeatedCompositeFieldContainer[ItemQuantity]
    request_id: str
    expected_version: int
    def __init__(self, shopper: _Optional[_Union[_types_pb2.Shopper, _Mapping]] = ..., items: _Optional[_Iterable[_Union[ItemQuantity, _Mapping]]] = ..., request_id: _Optional[str] = ..., expected_version: _Optional[int] = ...) -> None: ...

class ItemQuantity(_message.Message):
    __slots__ = ("item_id", "quantity")
    ITEM_ID_FIELD_NUMBER: _ClassVar[int]
    QUANTITY_FIELD_NUMBER: _ClassVar[int]
    item_id: str
    quantity: int
    def __init__(self, item_id: _Optional[str] = ..., quantity: _Optional[int] = ...) -> None: ...

class UpdateItemsResponse(_message.Message):
    __slots__ = ("cart",)
    CART_FIELD_NUMBER: _ClassVar[int]
    cart: _types_pb2.Cart
    def __init__(self, cart: _Optional[_Union[_types_pb2.Cart, _Mapping]] = ...) -> None: ...

class RemoveItemRequest(_message.Message):
    __slots__ = ("shopper", "item_id", "request_id", "expected_version")
    SHOPPER_FIELD_NUMBER: _ClassVar[int]
    ITEM_ID_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    EXPECTED_VERSION_FIELD_NUMBER: _ClassVar[int]
    shopper: _types_pb2.Shopper
    item_id: str
    request_id: str
    expected_version: int
    def __init__(self, shopper: _Optional[_Union[_types_pb2.Shopper, _Mapping]] = ..., item_id: _Optional[str] = ..., request_id: _Optional[str] = ..., expected_version: _Optional[int] = ...) -> None: ...

class RemoveItemResponse(_message.Message):
    __slots__ = ("cart",)
    CART_FIELD_NUMBER: _ClassVar[int]
    cart: _types_pb2.Cart
    def __init__(self, cart: _Optional[_Union[_types_pb2.Cart, _Mapping]] = ...) -> None: ...

class ClearCartRequest(_message.Message):
    __slots__ = ("shopper", "request_id", "expected_version")
    SHOPPER_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    EXPECTED_VERSION_FIELD_NUMBER: _ClassVar[int]
    shopper: _types_pb2.Shopper
    request_id: str
    expected_version: int
    def __init__(self, shopper: _Optional[_Union[_types_pb2.Shopper, _Mapping]] = ..., request_id: _Optional[str] = ..., expected_version: _Optional[int] = ...) -> None: ...

class ClearCartResponse(_message.Message):
    __slots__ = ("cart",)
    CART_FIELD_NUMBER: _ClassVar[int]
    cart: _types_pb2.Cart
    def __init__(self, cart: _Optional[_Union[_types_pb2.Cart, _Mapping]] = ...) -> None: ...

class SetEmailRequest(_message.Message):
    __slots__ = ("shopper", "email", "request_id", "expected_version")
    SHOPPER_FIELD_NUMBER: _ClassVar[int]
    EMAIL_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    EXPECTED_VERSION_FIELD_NUMBER: _ClassVar[int]
    shopper: _types_pb2.Shopper
    email: str
    request_id: str
    expected_version: int
    def __init__(self, shopper: _Optional[_Union[_types_pb2.Shopper, _Mapping]] = ..., email: _Optional[str] = ..., request_id: _Optional[str] = ..., expected_version: _Optional[int] = ...) -> None: ...

class SetEmailResponse(_message.Message):
    __slots__ = ("cart",)
    CART_FIELD_NUMBER: _ClassVar[int]
    cart: _types_pb2.Cart
    def __init__(self, cart: _Optional[_Union[_types_pb2.Cart, _Mapping]] = ...) -> None: ...

class ValidateRequest(_message.Message):
    __slots__ = ("shopper",)
    SHOPPER_FIELD_NUMBER: _ClassVar[int]
    shopper: _types_pb2.Shopper
    def __init__(self, shopper: _Optional[_Union[_types_pb2.Shopper, _Mapping]] = ...) -> None: ...

class ValidateResponse(_message.Message):
    __slots__ = ("valid", "issues", "cart")
    VALID_FIELD_NUMBER: _ClassVar[int]
    ISSUES_FIELD_NUMBER: _ClassVar[int]
    CART_FIELD_NUMBER: _ClassVar[int]
    valid: bool
    issues: _containers.RepeatedCompositeFieldContainer[ValidationIssue]
    cart: _types_pb2.Cart
    def __init__(self, valid: _Optional[bool] = ..., issues: _Optional[_Iterable[_Union[ValidationIssue, _Mapping]]] = ..., cart: _Optional[_Union[_types_pb2.Cart, _Mapping]] = ...) -> None: ...

class ValidationIssue(_message.Message):
    __slots__ = ("type", "message", "item_id", "variant_id", "requested_quantity", "available_quantity", "old_price", "new_price")
    TYPE_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_FIELD_NUMBER: _ClassVar[int]
    ITEM_ID_FIELD_NUMBER: _ClassVar[int]
    VARIANT_ID_FIELD_NUMBER: _ClassVar[int]
    REQUESTED_QUANTITY_FIELD_NUMBER: _ClassVar[int]
    AVAILABLE_QUANTITY_FIELD_NUMBER: _ClassVar[int]
    OLD_PRICE_FIELD_NUMBER: _ClassVar[int]
    NEW_PRICE_FIELD_NUMBER: _ClassVar[int]
    type: ValidationIssueType
    message: str
    item_id: str
    variant_id: str
    requested_quantity: int
    available_quantity: int
    old_price: _money_pb2.Money
    new_price: _money_pb2.Money
    def __init__(self, type: _Optional[_Union[ValidationIssueType, str]] = ..., message: _Optional[str] = ..., item_id: _Optional[str] = ..., variant_id: _Optional[str] = ..., requested_quantity: _Optional[int] = ..., available_quantity: _Optional[int] = ..., old_price: _Optional[_Union[_money_pb2.Money, _Mapping]] = ..., new_price: _Optional[_Union[_money_pb2.Money, _Mapping]] = ...) -> None: ...

class RefreshCartRequest(_message.Message):
    __slots__ = ("shopper", "request_id", "expected_version")
    SHOPPER_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    EXPECTED_VERSION_FIELD_NUMBER: _ClassVar[int]
    shopper: _types_pb2.Shopper
    request_id: str
    expected_version: int
    def __init__(self, shopper: _Optional[_Union[_types_pb2.Shopper, _Mapping]] = ..., request_id: _Optional[str] = ..., expected_version: _Optional[int] = ...) -> None: ...

class RefreshCartResponse(_message.Message):
    __slots__ = ("cart", "adjustments")
    CART_FIELD_NUMBER: _ClassVar[int]
    ADJUSTMENTS_FIELD_NUMBER: _ClassVar[int]
    cart: _types_pb2.Cart
    adjustments: _containers.RepeatedCompositeFieldContainer[_types_pb2.CartAdjustment]
    def __init__(self, cart: _Optional[_Union[_types_pb2.Cart, _Mapping]] = ..., adjustments: _Optional[_Iterable[_Union[_types_pb2.CartAdjustment, _Mapping]]] = ...) -> None: ...

class MergeGuestCartRequest(_message.Message):
    __slots__ = ("shopper", "guest_session_id", "strategy", "request_id", "expected_version")
    SHOPPER_FIELD_NUMBER: _ClassVar[int]
    GUEST_SESSION_ID_FIELD_NUMBER: _ClassVar[int]
    STRATEGY_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    EXPECTED_VERSION_FIELD_NUMBER: _ClassVar[int]
    shopper: _types_pb2.Shopper
    guest_session_id: str
    strategy: MergeStrategy
    request_id: str
    expected_version: int
    def __init__(self, shopper: _Optional[_Union[_types_pb2.Shopper, _Mapping]] = ..., guest_session_id: _Optional[str] = ..., strategy: _Optional[_Union[MergeStrategy, str]] = ..., request_id: _Optional[str] = ..., expected_version: _Optional[int] = ...) -> None: ...

class MergeGuestCartResponse(_message.Message):
    __slots__ = ("cart", "adjustments", "merged")
    CART_FIELD_NUMBER: _ClassVar[int]
    ADJUSTMENTS_FIELD_NUMBER: _ClassVar[int]
    MERGED_FIELD_NUMBER: _ClassVar[int]
    cart: _types_pb2.Cart
    adjustments: _containers.RepeatedCompositeFieldContainer[_types_pb2.CartAdjustment]
    merged: bool
    def __init__(self, cart: _Optional[_Union[_types_pb2.Cart, _Mapping]] = ..., adjustments: _Optional[_Iterable[_Union[_types_pb2.CartAdjustment, _Mapping]]] = ..., merged: _Optional[bool] = ...) -> None: ...

class ReorderRequest(_message.Message):
    __slots__ = ("shopper", "order_cart_id", "request_id", "expected_version")
    SHOPPER_FIELD_NUMBER: _ClassVar[int]
    ORDER_CART_ID_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    EXPECTED_VERSION_FIELD_NUMBER: _ClassVar[int]
    shopper: _types_pb2.Shopper
    order_cart_id: str
    request_id: str
    expected_version: int
    def __init__(self, shopper: _Optional[_Union[_types_pb2.Shopper, _Mapping]] = ..., order_cart_id: _Optional[str] = ..., request_id: _Optional[str] = ..., expected_version: _Optional[int] = ...) -> None: ...

class ReorderResponse(_message.Message):
    __slots__ = ("cart", "adjustments", "notice")
    CART_FIELD_NUMBER: _ClassVar[int]
    ADJUSTMENTS_FIELD_NUMBER: _ClassVar[int]
    NOTICE_FIELD_NUMBER: _ClassVar[int]
    cart: _types_pb2.Cart
    adjustments: _containers.RepeatedCompositeFieldContainer[_types_pb2.CartAdjustment]
    notice: str
    def __init__(self, cart: _Optional[_Union[_types_pb2.Cart, _Mapping]] = ..., adjustments: _Optional[_Iterable[_Union[_types_pb2.CartAdjustment, _Mapping]]] = ..., notice: _Optional[str] = ...) -> None: ...

class WatchCartRequest(_message.Message):
    __slots__ = ("shopper", "after_version", "after_cart_id")
    SHOPPER_FIELD_NUMBER: _ClassVar[int]
    AFTER_VERSION_FIELD_NUMBER: _ClassVar[int]
    AFTER_CART_ID_FIELD_NUMBER: _ClassVar[int]
    shopper: _types_pb2.Shopper
    after_version: int
    after_cart_id: str
    def __init__(self, shopper: _Optional[_Union[_types_pb2.Shopper, _Mapping]] = ..., after_version: _Optional[int] = ..., after_cart_id: _Optional[str] = ...) -> None: ...

class WatchCartResponse(_message.Message):
    __slots__ = ("cart", "ended", "keepalive")
    CART_FIELD_NUMBER: _ClassVar[int]
    ENDED_FIELD_NUMBER: _ClassVar[int]
    KEEPALIVE_FIELD_NUMBER: _ClassVar[int]
    cart: _types_pb2.Cart
    ended: CartEnded
    keepalive: bool
    def __init__(self, cart: _Optional[_Union[_types_pb2.Cart, _Mapping]] = ..., ended: _Optional[_Union[CartEnded, _Mapping]] = ..., keepalive: _Optional[bool] = ...) -> None: ...

class CartEnded(_message.Message):
    __slots__ = ("cart_id", "status", "into_cart_id")
    CART_ID_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    INTO_CART_ID_FIELD_NUMBER: _ClassVar[int]
    cart_id: str
    status: _types_pb2.CartStatus
    into_cart_id: str
    def __init__(self, cart_id: _Optional[str] = ..., status: _Optional[_Union[_types_pb2.CartStatus, str]] = ..., into_cart_id: _Optional[str] = ...) -> None: ...
