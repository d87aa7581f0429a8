import datetime

from google.protobuf import duration_pb2 as _duration_pb2
from google.protobuf import struct_pb2 as _struct_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from shop.common.v1 import money_pb2 as _money_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class MergeStrategy(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    MERGE_STRATEGY_UNSPECIFIED: _ClassVar[MergeStrategy]
    MERGE_STRATEGY_MERGE: _ClassVar[MergeStrategy]
    MERGE_STRATEGY_KEEP_CUSTOMER: _ClassVar[MergeStrategy]
    MERGE_STRATEGY_KEEP_GUEST: _ClassVar[MergeStrategy]

class CartAdjustmentType(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    CART_ADJUSTMENT_TYPE_UNSPECIFIED: _ClassVar[CartAdjustmentType]
    CART_ADJUSTMENT_TYPE_QUANTITY_CLAMPED: _ClassVar[CartAdjustmentType]
    CART_ADJUSTMENT_TYPE_DROPPED_OUT_OF_STOCK: _ClassVar[CartAdjustmentType]
    CART_ADJUSTMENT_TYPE_DROPPED_UNAVAILABLE: _ClassVar[CartAdjustmentType]
    CART_ADJUSTMENT_TYPE_DROPPED_LINE_LIMIT: _ClassVar[CartAdjustmentType]
    CART_ADJUSTMENT_TYPE_DROPPED_BY_STRATEGY: _ClassVar[CartAdjustmentType]
    CART_ADJUSTMENT_TYPE_PRICE_UPDATED: _ClassVar[CartAdjustmentType]

class ValidationIssueType(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    VALIDATION_ISSUE_TYPE_UNSPECIFIED: _ClassVar[ValidationIssueType]
    VALIDATION_ISSUE_TYPE_EMPTY_CART: _ClassVar[ValidationIssueType]
    VALIDATION_ISSUE_TYPE_ITEM_UNAVAILABLE: _ClassVar[ValidationIssueType]
    VALIDATION_ISSUE_TYPE_INSUFFICIENT_STOCK: _ClassVar[ValidationIssueType]
    VALIDATION_ISSUE_TYPE_PRICE_CHANGED: _ClassVar[ValidationIssueType]
    VALIDATION_ISSUE_TYPE_EMAIL_MISSING: _ClassVar[ValidationIssueType]
    VALIDATION_ISSUE_TYPE_CATALOG_UNAVAILABLE: _ClassVar[ValidationIssueType]

class CartStatus(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    CART_STATUS_UNSPECIFIED: _ClassVar[CartStatus]
    CART_STATUS_ACTIVE: _ClassVar[CartStatus]
    CART_STATUS_MERGED: _ClassVar[CartStatus]
    CART_STATUS_ABANDONED: _ClassVar[CartStatus]
    CART_STATUS_COMPLETED: _ClassVar[CartStatus]

class Availability(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    AVAILABILITY_UNSPECIFIED: _ClassVar[Availability]
    AVAILABILITY_IN_STOCK: _ClassVar[Availability]
    AVAILABILITY_LOW_STOCK: _ClassVar[Availability]
    AVAILABILITY_OUT_OF_STOCK: _ClassVar[Availability]
    AVAILABILITY_UNAVAILABLE: _ClassVar[Availability]
    AVAILABILITY_UNKNOWN: _ClassVar[Availability]

class CartWarningType(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    CART_WARNING_TYPE_UNSPECIFIED: _ClassVar[CartWarningType]
    CART_WARNING_TYPE_PRICE_CHANGED: _ClassVar[CartWarningType]
    CART_WARNING_TYPE_OUT_OF_STOCK: _ClassVar[CartWarningType]
    CART_WARNING_TYPE_LOW_STOCK: _ClassVar[CartWarningType]
    CART_WARNING_TYPE_UNAVAILABLE: _ClassVar[CartWarningType]
    CART_WARNING_TYPE_CATALOG_UNAVAILABLE: _ClassVar[CartWarningType]
    CART_WARNING_TYPE_HIGH_DEMAND: _ClassVar[CartWarningType]

class RecoveryOutcome(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    RECOVERY_OUTCOME_UNSPECIFIED: _ClassVar[RecoveryOutcome]
    RECOVERY_OUTCOME_TAKEN_OVER: _ClassVar[RecoveryOutcome]
    RECOVERY_OUTCOME_MERGED: _ClassVar[RecoveryOutcome]
    RECOVERY_OUTCOME_ALREADY_RECOVERED: _ClassVar[RecoveryOutcome]
    RECOVERY_OUTCOME_HAS_OWN_CART: _ClassVar[RecoveryOutcome]
    RECOVERY_OUTCOME_NO_MATCH: _ClassVar[RecoveryOutcome]
    RECOVERY_OUTCOME_AMBIGUOUS: _ClassVar[RecoveryOutcome]

class ShoppingListType(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    SHOPPING_LIST_TYPE_UNSPECIFIED: _ClassVar[ShoppingListType]
    SHOPPING_LIST_TYPE_SAVED_FOR_LATER: _ClassVar[ShoppingListType]
    SHOPPING_LIST_TYPE_WISH_LIST: _ClassVar[ShoppingListType]
MERGE_STRATEGY_UNSPECIFIED: MergeStrategy
MERGE_STRATEGY_MERGE: MergeStrategy
MERGE_STRATEGY_KEEP_CUSTOMER: MergeStrategy
MERGE_STRATEGY_KEEP_GUEST: MergeStrategy
CART_ADJUSTMENT_TYPE_UNSPECIFIED: CartAdjustmentType
CART_ADJUSTMENT_TYPE_QUANTITY_CLAMPED: CartAdjustmentType
CART_ADJUSTMENT_TYPE_DROPPED_OUT_OF_STOCK: CartAdjustmentType
CART_ADJUSTMENT_TYPE_DROPPED_UNAVAILABLE: CartAdjustmentType
CART_ADJUSTMENT_TYPE_DROPPED_LINE_LIMIT: CartAdjustmentType
CART_ADJUSTMENT_TYPE_DROPPED_BY_STRATEGY: CartAdjustmentType
CART_ADJUSTMENT_TYPE_PRICE_UPDATED: CartAdjustmentType
VALIDATION_ISSUE_TYPE_UNSPECIFIED: ValidationIssueType
VALIDATION_ISSUE_TYPE_EMPTY_CART: ValidationIssueType
VALIDATION_ISSUE_TYPE_ITEM_UNAVAILABLE: ValidationIssueType
VALIDATION_ISSUE_TYPE_INSUFFICIENT_STOCK: ValidationIssueType
VALIDATION_ISSUE_TYPE_PRICE_CHANGED: ValidationIssueType
VALIDATION_ISSUE_TYPE_EMAIL_MISSING: ValidationIssueType
VALIDATION_ISSUE_TYPE_CATALOG_UNAVAILABLE: ValidationIssueType
CART_STATUS_UNSPECIFIED: CartStatus
CART_STATUS_ACTIVE: CartStatus
CART_STATUS_MERGED: CartStatus
CART_STATUS_ABANDONED: CartStatus
CART_STATUS_COMPLETED: CartStatus
AVAILABILITY_UNSPECIFIED: Availability
AVAILABILITY_IN_STOCK: Availability
AVAILABILITY_LOW_STOCK: Availability
AVAILABILITY_OUT_OF_STOCK: Availability
AVAILABILITY_UNAVAILABLE: Availability
AVAILABILITY_UNKNOWN: Availability
CART_WARNING_TYPE_UNSPECIFIED: CartWarningType
CART_WARNING_TYPE_PRICE_CHANGED: CartWarningType
CART_WARNING_TYPE_OUT_OF_STOCK: CartWarningType
CART_WARNING_TYPE_LOW_STOCK: CartWarningType
CART_WARNING_TYPE_UNAVAILABLE: CartWarningType
CART_WARNING_TYPE_CATALOG_UNAVAILABLE: CartWarningType
CART_WARNING_TYPE_HIGH_DEMAND: CartWarningType
RECOVERY_OUTCOME_UNSPECIFIED: RecoveryOutcome
RECOVERY_OUTCOME_TAKEN_OVER: RecoveryOutcome
RECOVERY_OUTCOME_MERGED: RecoveryOutcome
RECOVERY_OUTCOME_ALREADY_RECOVERED: RecoveryOutcome
RECOVERY_OUTCOME_HAS_OWN_CART: RecoveryOutcome
RECOVERY_OUTCOME_NO_MATCH: RecoveryOutcome
RECOVERY_OUTCOME_AMBIGUOUS: RecoveryOutcome
SHOPPING_LIST_TYPE_UNSPECIFIED: ShoppingListType
SHOPPING_LIST_TYPE_SAVED_FOR_LATER: ShoppingListType
SHOPPING_LIST_TYPE_WISH_LIST: ShoppingListType

class Shopper(_message.Message):
    __slots__ = ("session_id", "customer_id", "device")
    class DeviceEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    SESSION_ID_FIELD_NUMBER: _ClassVar[int]
    CUSTOMER_ID_FIELD_NUMBER: _ClassVar[int]
    DEVICE_FIELD_NUMBER: _ClassVar[int]
    session_id: str
    customer_id: str
    device: _containers.ScalarMap[str, str]
    def __init__(self, session_id: _Optional[str] = ..., customer_id: _Optional[str] = ..., device: _Optional[_Mapping[str, str]] = ...) -> None: ...

class GetCartRequest(_message.Message):
    __slots__ = ("shopper",)
    SHOPPER_FIELD_NUMBER: _ClassVar[int]
    shopper: Shopper
    def __init__(self, shopper: _Optional[_Union[Shopper, _Mapping]] = ...) -> None: ...

class GetCartResponse(_message.Message):
    __slots__ = ("cart",)
    CART_FIELD_NUMBER: _ClassVar[int]
    cart: Cart
    def __init__(self, cart: _Optional[_Union[Cart, _Mapping]] = ...) -> None: ...

class AddItemRequest(_message.Message):
    __slots__ = ("shopper", "product_id", "variant_id", "quantity", "metadata", "request_id", "expected_version")
    SHOPPER_FIELD_NUMBER: _ClassVar[int]
    PRODUCT_ID_FIELD_NUMBER: _ClassVar[int]
    VARIANT_ID_FIELD_NUMBER: _ClassVar[int]
    QUANTITY_FIELD_NUMBER: _ClassVar[int]
    METADATA_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    EXPECTED_VERSION_FIELD_NUMBER: _ClassVar[int]
    shopper: Shopper
    product_id: str
    variant_id: str
    quantity: int
    metadata: _struct_pb2.Struct
    request_id: str
    expected_version: int
    def __init__(self, shopper: _Optional[_Union[Shopper, _Mapping]] = ..., product_id: _Optional[str] = ..., variant_id: _Optional[str] = ..., quantity: _Optional[int] = ..., metadata: _Optional[_Union[_struct_pb2.Struct, _Mapping]] = ..., request_id: _Optional[str] = ..., expected_version: _Optional[int] = ...) -> None: ...

class AddItemResponse(_message.Message):
    __slots__ = ("cart",)
    CART_FIELD_NUMBER: _ClassVar[int]
    cart: Cart
    def __init__(self, cart: _Optional[_Union[Cart, _Mapping]] = ...) -> None: ...

class UpdateItemRequest(_message.Message):
    __slots__ = ("shopper", "item_id", "quantity", "request_id", "expected_version")
    SHOPPER_FIELD_NUMBER: _ClassVar[int]
    ITEM_ID_FIELD_NUMBER: _ClassVar[int]
    QUANTITY_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    EXPECTED_VERSION_FIELD_NUMBER: _ClassVar[int]
    shopper: Shopper
    item_id: str
    quantity: int
    request_id: str
    expected_version: int
    def __init__(self, shopper: _Optional[_Union[Shopper, _Mapping]] = ..., item_id: _Optional[str] = ..., quantity: _Optional[int] = ..., request_id: _Optional[str] = ..., expected_version: _Optional[int] = ...) -> None: ...

class UpdateItemResponse(_message.Message):
    __slots__ = ("cart",)
    CART_FIELD_NUMBER: _ClassVar[int]
    cart: Cart
    def __init__(self, cart: _Optional[_Union[Cart, _Mapping]] = ...) -> None: ...

class RemoveItemRequest(_message.Message):
    __slots__ = ("shopper", "item_id", "request_id", "expected_version")
    SHOPPER_FIELD_NUMBER: _ClassVar[int]
    ITEM_ID_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    EXPECTED_VERSION_FIELD_NUMBER: _ClassVar[int]
    shopper: Shopper
    item_id: str
    request_id: str
    expected_version: int
    def __init__(self, shopper: _Optional[_Union[Shopper, _Mapping]] = ..., item_id: _Optional[str] = ..., request_id: _Optional[str] = ..., expected_version: _Optional[int] = ...) -> None: ...

class RemoveItemResponse(_message.Message):
    __slots__ = ("cart",)
    CART_FIELD_NUMBER: _ClassVar[int]
    cart: Cart
    def __init__(self, cart: _Optional[_Union[Cart, _Mapping]] = ...) -> None: ...

class ClearCartRequest(_message.Message):
    __slots__ = ("shopper", "request_id", "expected_version")
    SHOPPER_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    EXPECTED_VERSION_FIELD_NUMBER: _ClassVar[int]
    shopper: Shopper
    request_id: str
    expected_version: int
    def __init__(self, shopper: _Optional[_Union[Shopper, _Mapping]] = ..., request_id: _Optional[str] = ..., expected_version: _Optional[int] = ...) -> None: ...

class ClearCartResponse(_message.Message):
    __slots__ = ("cart",)
    CART_FIELD_NUMBER: _ClassVar[int]
    cart: Cart
    def __init__(self, cart: _Optional[_Union[Cart, _Mapping]] = ...) -> None: ...

class SetEmailRequest(_message.Message):
    __slots__ = ("shopper", "email", "request_id", "expected_version")
    SHOPPER_FIELD_NUMBER: _ClassVar[int]
    EMAIL_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    EXPECTED_VERSION_FIELD_NUMBER: _ClassVar[int]
    shopper: Shopper
    email: str
    request_id: str
    expected_version: int
    def __init__(self, shopper: _Optional[_Union[Shopper, _Mapping]] = ..., email: _Optional[str] = ..., request_id: _Optional[str] = ..., expected_version: _Optional[int] = ...) -> None: ...

class SetEmailResponse(_message.Message):
    __slots__ = ("cart",)
    CART_FIELD_NUMBER: _ClassVar[int]
    cart: Cart
    def __init__(self, cart: _Optional[_Union[Cart, _Mapping]] = ...) -> None: ...

class ValidateRequest(_message.Message):
    __slots__ = ("shopper",)
    SHOPPER_FIELD_NUMBER: _ClassVar[int]
    shopper: Shopper
    def __init__(self, shopper: _Optional[_Union[Shopper, _Mapping]] = ...) -> None: ...

class ValidateResponse(_message.Message):
    __slots__ = ("valid", "issues", "cart")
    VALID_FIELD_NUMBER: _ClassVar[int]
    ISSUES_FIELD_NUMBER: _ClassVar[int]
    CART_FIELD_NUMBER: _ClassVar[int]
    valid: bool
    issues: _containers.RepeatedCompositeFieldContainer[ValidationIssue]
    cart: Cart
    def __init__(self, valid: _Optional[bool] = ..., issues: _Optional[_Iterable[_Union[ValidationIssue, _Mapping]]] = ..., cart: _Optional[_Union[Cart, _Mapping]] = ...) -> None: ...

class MergeGuestCartRequest(_message.Message):
    __slots__ = ("shopper", "guest_session_id", "strategy", "request_id", "expected_version")
    SHOPPER_FIELD_NUMBER: _ClassVar[int]
    GUEST_SESSION_ID_FIELD_NUMBER: _ClassVar[int]
    STRATEGY_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    EXPECTED_VERSION_FIELD_NUMBER: _ClassVar[int]
    shopper: Shopper
    guest_session_id: str
    strategy: MergeStrategy
    request_id: str
    expected_version: int
    def __init__(self, shopper: _Optional[_Union[Shopper, _Mapping]] = ..., guest_session_id: _Optional[str] = ..., strategy: _Optional[_Union[MergeStrategy, str]] = ..., request_id: _Optional[str] = ..., expected_version: _Optional[int] = ...) -> None: ...

class MergeGuestCartResponse(_message.Message):
    __slots__ = ("cart", "adjustments", "merged")
    CART_FIELD_NUMBER: _ClassVar[int]
    ADJUSTMENTS_FIELD_NUMBER: _ClassVar[int]
    MERGED_FIELD_NUMBER: _ClassVar[int]
    cart: Cart
    adjustments: _containers.RepeatedCompositeFieldContainer[CartAdjustment]
    merged: bool
    def __init__(self, cart: _Optional[_Union[Cart, _Mapping]] = ..., adjustments: _Optional[_Iterable[_Union[CartAdjustment, _Mapping]]] = ..., merged: _Optional[bool] = ...) -> None: ...

class RefreshCartRequest(_message.Message):
    __slots__ = ("shopper", "request_id", "expected_version")
    SHOPPER_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    EXPECTED_VERSION_FIELD_NUMBER: _ClassVar[int]
    shopper: Shopper
    request_id: str
    expected_version: int
    def __init__(self, shopper: _Optional[_Union[Shopper, _Mapping]] = ..., request_id: _Optional[str] = ..., expected_version: _Optional[int] = ...) -> None: ...

class RefreshCartResponse(_message.Message):
    __slots__ = ("cart", "adjustments")
    CART_FIELD_NUMBER: _ClassVar[int]
    ADJUSTMENTS_FIELD_NUMBER: _ClassVar[int]
    cart: Cart
    adjustments: _containers.RepeatedCompositeFieldContainer[CartAdjustment]
    def __init__(self, cart: _Optional[_Union[Cart, _Mapping]] = ..., adjustments: _Optional[_Iterable[_Union[CartAdjustment, _Mapping]]] = ...) -> None: ...

class CartAdjustment(_message.Message):
    __slots__ = ("type", "message", "item_id", "variant_id", "requested_quantity", "quantity", "old_price", "new_price")
    TYPE_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_FIELD_NUMBER: _ClassVar[int]
    ITEM_ID_FIELD_NUMBER: _ClassVar[int]
    VARIANT_ID_FIELD_NUMBER: _ClassVar[int]
    REQUESTED_QUANTITY_FIELD_NUMBER: _ClassVar[int]
    QUANTITY_FIELD_NUMBER: _ClassVar[int]
    OLD_PRICE_FIELD_NUMBER: _ClassVar[int]
    NEW_PRICE_FIELD_NUMBER: _ClassVar[int]
    type: CartAdjustmentType
    message: str
    item_id: str
    variant_id: str
    requested_quantity: int
    quantity: int
    old_price: _money_pb2.Money
    new_price: _money_pb2.Money
    def __init__(self, type: _Optional[_Union[CartAdjustmentType, str]] = ..., message: _Optional[str] = ..., item_id: _Optional[str] = ..., variant_id: _Optional[str] = ..., requested_quantity: _Optional[int] = ..., quantity: _Optional[int] = ..., old_price: _Optional[_Union[_money_pb2.Money, _Mapping]] = ..., new_price: _Optional[_Union[_money_pb2.Money, _Mapping]] = ...) -> None: ...

class GetCartByIdRequest(_message.Message):
    __slots__ = ("cart_id",)
    CART_ID_FIELD_NUMBER: _ClassVar[int]
    cart_id: str
    def __init__(self, cart_id: _Optional[str] = ...) -> None: ...

class GetCartByIdResponse(_message.Message):
    __slots__ = ("cart",)
    CART_FIELD_NUMBER: _ClassVar[int]
    cart: Cart
    def __init__(self, cart: _Optional[_Union[Cart, _Mapping]] = ...) -> None: ...

class CompleteCartRequest(_message.Message):
    __slots__ = ("cart_id", "order_id", "request_id", "expected_version")
    CART_ID_FIELD_NUMBER: _ClassVar[int]
    ORDER_ID_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    EXPECTED_VERSION_FIELD_NUMBER: _ClassVar[int]
    cart_id: str
    order_id: str
    request_id: str
    expected_version: int
    def __init__(self, cart_id: _Optional[str] = ..., order_id: _Optional[str] = ..., request_id: _Optional[str] = ..., expected_version: _Optional[int] = ...) -> None: ...

class CompleteCartResponse(_message.Message):
    __slots__ = ("cart",)
    CART_FIELD_NUMBER: _ClassVar[int]
    cart: Cart
    def __init__(self, cart: _Optional[_Union[Cart, _Mapping]] = ...) -> None: ...

class ListCartEventsRequest(_message.Message):
    __slots__ = ("cart_id", "page_size", "page_token")
    CART_ID_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    cart_id: str
    page_size: int
    page_token: str
    def __init__(self, cart_id: _Optional[str] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListCartEventsResponse(_message.Message):
    __slots__ = ("events", "next_page_token")
    EVENTS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    events: _containers.RepeatedCompositeFieldContainer[CartEvent]
    next_page_token: str
    def __init__(self, events: _Optional[_Iterable[_Union[CartEvent, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class CartEvent(_message.Message):
    __slots__ = ("sequence", "type", "data", "create_time")
    SEQUENCE_FIELD_NUMBER: _ClassVar[int]
    TYPE_FIELD_NUMBER: _ClassVar[int]
    DATA_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    sequence: int
    type: str
    data: _struct_pb2.Struct
    create_time: _timestamp_pb2.Timestamp
    def __init__(self, sequence: _Optional[int] = ..., type: _Optional[str] = ..., data: _Optional[_Union[_struct_pb2.Struct, _Mapping]] = ..., create_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

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

class Cart(_message.Message):
    __slots__ = ("id", "session_id", "customer_id", "email", "currency_code", "status", "version", "items", "summary", "warnings", "create_time", "update_time", "expire_time", "order_id", "merged_into_cart_id")
    ID_FIELD_NUMBER: _ClassVar[int]
    SESSION_ID_FIELD_NUMBER: _ClassVar[int]
    CUSTOMER_ID_FIELD_NUMBER: _ClassVar[int]
    EMAIL_FIELD_NUMBER: _ClassVar[int]
    CURRENCY_CODE_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    ITEMS_FIELD_NUMBER: _ClassVar[int]
    SUMMARY_FIELD_NUMBER: _ClassVar[int]
    WARNINGS_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    UPDATE_TIME_FIELD_NUMBER: _ClassVar[int]
    EXPIRE_TIME_FIELD_NUMBER: _ClassVar[int]
    ORDER_ID_FIELD_NUMBER: _ClassVar[int]
    MERGED_INTO_CART_ID_FIELD_NUMBER: _ClassVar[int]
    id: str
    session_id: str
    customer_id: str
    email: str
    currency_code: str
    status: CartStatus
    version: int
    items: _containers.RepeatedCompositeFieldContainer[CartItem]
    summary: CartSummary
    warnings: _containers.RepeatedCompositeFieldContainer[CartWarning]
    create_time: _timestamp_pb2.Timestamp
    update_time: _timestamp_pb2.Timestamp
    expire_time: _timestamp_pb2.Timestamp
    order_id: str
    merged_into_cart_id: str
    def __init__(self, id: _Optional[str] = ..., session_id: _Optional[str] = ..., customer_id: _Optional[str] = ..., email: _Optional[str] = ..., currency_code: _Optional[str] = ..., status: _Optional[_Union[CartStatus, str]] = ..., version: _Optional[int] = ..., items: _Optional[_Iterable[_Union[CartItem, _Mapping]]] = ..., summary: _Optional[_Union[CartSummary, _Mapping]] = ..., warnings: _Optional[_Iterable[_Union[CartWarning, _Mapping]]] = ..., create_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., update_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., expire_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., order_id: _Optional[str] = ..., merged_into_cart_id: _Optional[str] = ...) -> None: ...

class CartItem(_message.Message):
    __slots__ = ("id", "product_id", "variant_id", "quantity", "product", "variant", "unit_price", "current_price", "price_changed", "subtotal", "availability", "available_quantity", "metadata", "add_time", "update_time")
    ID_FIELD_NUMBER: _ClassVar[int]
    PRODUCT_ID_FIELD_NUMBER: _ClassVar[int]
    VARIANT_ID_FIELD_NUMBER: _ClassVar[int]
    QUANTITY_FIELD_NUMBER: _ClassVar[int]
    PRODUCT_FIELD_NUMBER: _ClassVar[int]
    VARIANT_FIELD_NUMBER: _ClassVar[int]
    UNIT_PRICE_FIELD_NUMBER: _ClassVar[int]
    CURRENT_PRICE_FIELD_NUMBER: _ClassVar[int]
    PRICE_CHANGED_FIELD_NUMBER: _ClassVar[int]
    SUBTOTAL_FIELD_NUMBER: _ClassVar[int]
    AVAILABILITY_FIELD_NUMBER: _ClassVar[int]
    AVAILABLE_QUANTITY_FIELD_NUMBER: _ClassVar[int]
    METADATA_FIELD_NUMBER: _ClassVar[int]
    ADD_TIME_FIELD_NUMBER: _ClassVar[int]
    UPDATE_TIME_FIELD_NUMBER: _ClassVar[int]
    id: str
    product_id: str
    variant_id: str
    quantity: int
    product: ProductInfo
    variant: VariantInfo
    unit_price: _money_pb2.Money
    current_price: _money_pb2.Money
    price_changed: bool
    subtotal: _money_pb2.Money
    availability: Availability
    available_quantity: int
    metadata: _struct_pb2.Struct
    add_time: _timestamp_pb2.Timestamp
    update_time: _timestamp_pb2.Timestamp
    def __init__(self, id: _Optional[str] = ..., product_id: _Optional[str] = ..., variant_id: _Optional[str] = ..., quantity: _Optional[int] = ..., product: _Optional[_Union[ProductInfo, _Mapping]] = ..., variant: _Optional[_Union[VariantInfo, _Mapping]] = ..., unit_price: _Optional[_Union[_money_pb2.Money, _Mapping]] = ..., current_price: _Optional[_Union[_money_pb2.Money, _Mapping]] = ..., price_changed: _Optional[bool] = ..., subtotal: _Optional[_Union[_money_pb2.Money, _Mapping]] = ..., availability: _Optional[_Union[Availability, str]] = ..., available_quantity: _Optional[int] = ..., metadata: _Optional[_Union[_struct_pb2.Struct, _Mapping]] = ..., add_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., update_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class ProductInfo(_message.Message):
    __slots__ = ("name", "slug", "images")
    NAME_FIELD_NUMBER: _ClassVar[int]
    SLUG_FIELD_NUMBER: _ClassVar[int]
    IMAGES_FIELD_NUMBER: _ClassVar[int]
    name: str
    slug: str
    images: _containers.RepeatedCompositeFieldContainer[Image]
    def __init__(self, name: _Optional[str] = ..., slug: _Optional[str] = ..., images: _Optional[_Iterable[_Union[Image, _Mapping]]] = ...) -> None: ...

class Image(_message.Message):
    __slots__ = ("url", "alt_text")
    URL_FIELD_NUMBER: _ClassVar[int]
    ALT_TEXT_FIELD_NUMBER: _ClassVar[int]
    url: str
    alt_text: str
    def __init__(self, url: _Optional[str] = ..., alt_text: _Optional[str] = ...) -> None: ...

class VariantInfo(_message.Message):
    __slots__ = ("sku", "name", "attributes")
    class AttributesEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    SKU_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    ATTRIBUTES_FIELD_NUMBER: _ClassVar[int]
    sku: str
    name: str
    attributes: _containers.ScalarMap[str, str]
    def __init__(self, sku: _Optional[str] = ..., name: _Optional[str] = ..., attributes: _Optional[_Mapping[str, str]] = ...) -> None: ...

class CartSummary(_message.Message):
    __slots__ = ("item_count", "unique_items", "subtotal", "tax", "shipping", "discount", "total", "currency_code")
    ITEM_COUNT_FIELD_NUMBER: _ClassVar[int]
    UNIQUE_ITEMS_FIELD_NUMBER: _ClassVar[int]
    SUBTOTAL_FIELD_NUMBER: _ClassVar[int]
    TAX_FIELD_NUMBER: _ClassVar[int]
    SHIPPING_FIELD_NUMBER: _ClassVar[int]
    DISCOUNT_FIELD_NUMBER: _ClassVar[int]
    TOTAL_FIELD_NUMBER: _ClassVar[int]
    CURRENCY_CODE_FIELD_NUMBER: _ClassVar[int]
    item_count: int
    unique_items: int
    subtotal: _money_pb2.Money
    tax: _money_pb2.Money
    shipping: _money_pb2.Money
    discount: _money_pb2.Money
    total: _money_pb2.Money
    currency_code: str
    def __init__(self, item_count: _Optional[int] = ..., unique_items: _Optional[int] = ..., subtotal: _Optional[_Union[_money_pb2.Money, _Mapping]] = ..., tax: _Optional[_Union[_money_pb2.Money, _Mapping]] = ..., shipping: _Optional[_Union[_money_pb2.Money, _Mapping]] = ..., discount: _Optional[_Union[_money_pb2.Money, _Mapping]] = ..., total: _Optional[_Union[_money_pb2.Money, _Mapping]] = ..., currency_code: _Optional[str] = ...) -> None: ...

class CartWarning(_message.Message):
    __slots__ = ("type", "message", "item_id")
    TYPE_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_FIELD_NUMBER: _ClassVar[int]
    ITEM_ID_FIELD_NUMBER: _ClassVar[int]
    type: CartWarningType
    message: str
    item_id: str
    def __init__(self, type: _Optional[_Union[CartWarningType, str]] = ..., message: _Optional[str] = ..., item_id: _Optional[str] = ...) -> None: ...

class RecoverCartRequest(_message.Message):
    __slots__ = ("shopper", "token", "by_device", "request_id", "expected_version")
    SHOPPER_FIELD_NUMBER: _ClassVar[int]
    TOKEN_FIELD_NUMBER: _ClassVar[int]
    BY_DEVICE_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    EXPECTED_VERSION_FIELD_NUMBER: _ClassVar[int]
    shopper: Shopper
    token: str
    by_device: bool
    request_id: str
    expected_version: int
    def __init__(self, shopper: _Optional[_Union[Shopper, _Mapping]] = ..., token: _Optional[str] = ..., by_device: _Optional[bool] = ..., request_id: _Optional[str] = ..., expected_version: _Optional[int] = ...) -> None: ...

class RecoverCartResponse(_message.Message):
    __slots__ = ("cart", "adjustments", "outcome", "recovered_cart_id", "candidates")
    CART_FIELD_NUMBER: _ClassVar[int]
    ADJUSTMENTS_FIELD_NUMBER: _ClassVar[int]
    OUTCOME_FIELD_NUMBER: _ClassVar[int]
    RECOVERED_CART_ID_FIELD_NUMBER: _ClassVar[int]
    CANDIDATES_FIELD_NUMBER: _ClassVar[int]
    cart: Cart
    adjustments: _containers.RepeatedCompositeFieldContainer[CartAdjustment]
    outcome: RecoveryOutcome
    recovered_cart_id: str
    candidates: int
    def __init__(self, cart: _Optional[_Union[Cart, _Mapping]] = ..., adjustments: _Optional[_Iterable[_Union[CartAdjustment, _Mapping]]] = ..., outcome: _Optional[_Union[RecoveryOutcome, str]] = ..., recovered_cart_id: _Optional[str] = ..., candidates: _Optional[int] = ...) -> None: ...

class UnsubscribeRecoveryRequest(_message.Message):
    __slots__ = ("token",)
    TOKEN_FIELD_NUMBER: _ClassVar[int]
    token: str
    def __init__(self, token: _Optional[str] = ...) -> None: ...

class UnsubscribeRecoveryResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class WatchCartRequest(_message.Message):
    __slots__ = ("shopper", "after_version", "after_cart_id")
    SHOPPER_FIELD_NUMBER: _ClassVar[int]
    AFTER_VERSION_FIELD_NUMBER: _ClassVar[int]
    AFTER_CART_ID_FIELD_NUMBER: _ClassVar[int]
    shopper: Shopper
    after_version: int
    after_cart_id: str
    def __init__(self, shopper: _Optional[_Union[Shopper, _Mapping]] = ..., after_version: _Optional[int] = ..., after_cart_id: _Optional[str] = ...) -> None: ...

class WatchCartResponse(_message.Message):
    __slots__ = ("cart", "ended", "keepalive")
    CART_FIELD_NUMBER: _ClassVar[int]
    ENDED_FIELD_NUMBER: _ClassVar[int]
    KEEPALIVE_FIELD_NUMBER: _ClassVar[int]
    cart: Cart
    ended: CartEnded
    keepalive: bool
    def __init__(self, cart: _Optional[_Union[Cart, _Mapping]] = ..., ended: _Optional[_Union[CartEnded, _Mapping]] = ..., keepalive: _Optional[bool] = ...) -> None: ...

class CartEnded(_message.Message):
    __slots__ = ("cart_id", "status", "into_cart_id")
    CART_ID_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    INTO_CART_ID_FIELD_NUMBER: _ClassVar[int]
    cart_id: str
    status: CartStatus
    into_cart_id: str
    def __init__(self, cart_id: _Optional[str] = ..., status: _Optional[_Union[CartStatus, str]] = ..., into_cart_id: _Optional[str] = ...) -> None: ...

class AddItemsRequest(_message.Message):
    __slots__ = ("shopper", "items", "request_id", "expected_version")
    SHOPPER_FIELD_NUMBER: _ClassVar[int]
    ITEMS_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    EXPECTED_VERSION_FIELD_NUMBER: _ClassVar[int]
    shopper: Shopper
    items: _containers.RepeatedCompositeFieldContainer[AddItemsLine]
    request_id: str
    expected_version: int
    def __init__(self, shopper: _Optional[_Union[Shopper, _Mapping]] = ..., items: _Optional[_Iterable[_Union[AddItemsLine, _Mapping]]] = ..., request_id: _Optional[str] = ..., expected_version: _Optional[int] = ...) -> None: ...

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
    cart: Cart
    def __init__(self, cart: _Optional[_Union[Cart, _Mapping]] = ...) -> None: ...

class UpdateItemsRequest(_message.Message):
    __slots__ = ("shopper", "items", "request_id", "expected_version")
    SHOPPER_FIELD_NUMBER: _ClassVar[int]
    ITEMS_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    EXPECTED_VERSION_FIELD_NUMBER: _ClassVar[int]
    shopper: Shopper
    items: _containers.RepeatedCompositeFieldContainer[ItemQuantity]
    request_id: str
    expected_version: int
    def __init__(self, shopper: _Optional[_Union[Shopper, _Mapping]] = ..., items: _Optional[_Iterable[_Union[ItemQuantity, _Mapping]]] = ..., request_id: _Optional[str] = ..., expected_version: _Optional[int] = ...) -> None: ...

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
    cart: Cart
    def __init__(self, cart: _Optional[_Union[Cart, _Mapping]] = ...) -> None: ...

class ReorderRequest(_message.Message):
    __slots__ = ("shopper", "order_cart_id", "request_id", "expected_version")
    SHOPPER_FIELD_NUMBER: _ClassVar[int]
    ORDER_CART_ID_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    EXPECTED_VERSION_FIELD_NUMBER: _ClassVar[int]
    shopper: Shopper
    order_cart_id: str
    request_id: str
    expected_version: int
    def __init__(self, shopper: _Optional[_Union[Shopper, _Mapping]] = ..., order_cart_id: _Optional[str] = ..., request_id: _Optional[str] = ..., expected_version: _Optional[int] = ...) -> None: ...

class ReorderResponse(_message.Message):
    __slots__ = ("cart", "adjustments", "notice")
    CART_FIELD_NUMBER: _ClassVar[int]
    ADJUSTMENTS_FIELD_NUMBER: _ClassVar[int]
    NOTICE_FIELD_NUMBER: _ClassVar[int]
    cart: Cart
    adjustments: _containers.RepeatedCompositeFieldContainer[CartAdjustment]
    notice: str
    def __init__(self, cart: _Optional[_Union[Cart, _Mapping]] = ..., adjustments: _Optional[_Iterable[_Union[CartAdjustment, _Mapping]]] = ..., notice: _Optional[str] = ...) -> None: ...

class ShoppingList(_message.Message):
    __slots__ = ("id", "type", "name", "items", "version", "create_time", "update_time")
    ID_FIELD_NUMBER: _ClassVar[int]
    TYPE_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    ITEMS_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    UPDATE_TIME_FIELD_NUMBER: _ClassVar[int]
    id: str
    type: ShoppingListType
    name: str
    items: _containers.RepeatedCompositeFieldContainer[ShoppingListItem]
    version: int
    create_time: _timestamp_pb2.Timestamp
    update_time: _timestamp_pb2.Timestamp
    def __init__(self, id: _Optional[str] = ..., type: _Optional[_Union[ShoppingListType, str]] = ..., name: _Optional[str] = ..., items: _Optional[_Iterable[_Union[ShoppingListItem, _Mapping]]] = ..., version: _Optional[int] = ..., create_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., update_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class ShoppingListItem(_message.Message):
    __slots__ = ("item", "note", "back_in_stock_alert")
    ITEM_FIELD_NUMBER: _ClassVar[int]
    NOTE_FIELD_NUMBER: _ClassVar[int]
    BACK_IN_STOCK_ALERT_FIELD_NUMBER: _ClassVar[int]
    item: CartItem
    note: str
    back_in_stock_alert: bool
    def __init__(self, item: _Optional[_Union[CartItem, _Mapping]] = ..., note: _Optional[str] = ..., back_in_stock_alert: _Optional[bool] = ...) -> None: ...

class GetListsRequest(_message.Message):
    __slots__ = ("shopper",)
    SHOPPER_FIELD_NUMBER: _ClassVar[int]
    shopper: Shopper
    def __init__(self, shopper: _Optional[_Union[Shopper, _Mapping]] = ...) -> None: ...

class GetListsResponse(_message.Message):
    __slots__ = ("lists",)
    LISTS_FIELD_NUMBER: _ClassVar[int]
    lists: _containers.RepeatedCompositeFieldContainer[ShoppingList]
    def __init__(self, lists: _Optional[_Iterable[_Union[ShoppingList, _Mapping]]] = ...) -> None: ...

class CreateWishListRequest(_message.Message):
    __slots__ = ("shopper", "name", "request_id")
    SHOPPER_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    shopper: Shopper
    name: str
    request_id: str
    def __init__(self, shopper: _Optional[_Union[Shopper, _Mapping]] = ..., name: _Optional[str] = ..., request_id: _Optional[str] = ...) -> None: ...

class CreateWishListResponse(_message.Message):
    __slots__ = ("list",)
    LIST_FIELD_NUMBER: _ClassVar[int]
    list: ShoppingList
    def __init__(self, list: _Optional[_Union[ShoppingList, _Mapping]] = ...) -> None: ...

class DeleteListRequest(_message.Message):
    __slots__ = ("shopper", "list_id", "request_id")
    SHOPPER_FIELD_NUMBER: _ClassVar[int]
    LIST_ID_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    shopper: Shopper
    list_id: str
    request_id: str
    def __init__(self, shopper: _Optional[_Union[Shopper, _Mapping]] = ..., list_id: _Optional[str] = ..., request_id: _Optional[str] = ...) -> None: ...

class DeleteListResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class AddListItemRequest(_message.Message):
    __slots__ = ("shopper", "list_id", "product_id", "variant_id", "quantity", "note", "metadata", "request_id")
    SHOPPER_FIELD_NUMBER: _ClassVar[int]
    LIST_ID_FIELD_NUMBER: _ClassVar[int]
    PRODUCT_ID_FIELD_NUMBER: _ClassVar[int]
    VARIANT_ID_FIELD_NUMBER: _ClassVar[int]
    QUANTITY_FIELD_NUMBER: _ClassVar[int]
    NOTE_FIELD_NUMBER: _ClassVar[int]
    METADATA_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    shopper: Shopper
    list_id: str
    product_id: str
    variant_id: str
    quantity: int
    note: str
    metadata: _struct_pb2.Struct
    request_id: str
    def __init__(self, shopper: _Optional[_Union[Shopper, _Mapping]] = ..., list_id: _Optional[str] = ..., product_id: _Optional[str] = ..., variant_id: _Optional[str] = ..., quantity: _Optional[int] = ..., note: _Optional[str] = ..., metadata: _Optional[_Union[_struct_pb2.Struct, _Mapping]] = ..., request_id: _Optional[str] = ...) -> None: ...

class AddListItemResponse(_message.Message):
    __slots__ = ("list", "adjustments")
    LIST_FIELD_NUMBER: _ClassVar[int]
    ADJUSTMENTS_FIELD_NUMBER: _ClassVar[int]
    list: ShoppingList
    adjustments: _containers.RepeatedCompositeFieldContainer[CartAdjustment]
    def __init__(self, list: _Optional[_Union[ShoppingList, _Mapping]] = ..., adjustments: _Optional[_Iterable[_Union[CartAdjustment, _Mapping]]] = ...) -> None: ...

class RemoveListItemRequest(_message.Message):
    __slots__ = ("shopper", "list_item_id", "request_id")
    SHOPPER_FIELD_NUMBER: _ClassVar[int]
    LIST_ITEM_ID_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    shopper: Shopper
    list_item_id: str
    request_id: str
    def __init__(self, shopper: _Optional[_Union[Shopper, _Mapping]] = ..., list_item_id: _Optional[str] = ..., request_id: _Optional[str] = ...) -> None: ...

class RemoveListItemResponse(_message.Message):
    __slots__ = ("list",)
    LIST_FIELD_NUMBER: _ClassVar[int]
    list: ShoppingList
    def __init__(self, list: _Optional[_Union[ShoppingList, _Mapping]] = ...) -> None: ...

class MoveItemToListRequest(_message.Message):
    __slots__ = ("shopper", "item_id", "list_id", "request_id", "expected_version")
    SHOPPER_FIELD_NUMBER: _ClassVar[int]
    ITEM_ID_FIELD_NUMBER: _ClassVar[int]
    LIST_ID_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    EXPECTED_VERSION_FIELD_NUMBER: _ClassVar[int]
    shopper: Shopper
    item_id: str
    list_id: str
    request_id: str
    expected_version: int
    def __init__(self, shopper: _Optional[_Union[Shopper, _Mapping]] = ..., item_id: _Optional[str] = ..., list_id: _Optional[str] = ..., request_id: _Optional[str] = ..., expected_version: _Optional[int] = ...) -> None: ...

class MoveItemToListResponse(_message.Message):
    __slots__ = ("cart", "list", "adjustments")
    CART_FIELD_NUMBER: _ClassVar[int]
    LIST_FIELD_NUMBER: _ClassVar[int]
    ADJUSTMENTS_FIELD_NUMBER: _ClassVar[int]
    cart: Cart
    list: ShoppingList
    adjustments: _containers.RepeatedCompositeFieldContainer[CartAdjustment]
    def __init__(self, cart: _Optional[_Union[Cart, _Mapping]] = ..., list: _Optional[_Union[ShoppingList, _Mapping]] = ..., adjustments: _Optional[_Iterable[_Union[CartAdjustment, _Mapping]]] = ...) -> None: ...

class MoveListItemToCartRequest(_message.Message):
    __slots__ = ("shopper", "list_item_id", "request_id", "expected_version")
    SHOPPER_FIELD_NUMBER: _ClassVar[int]
    LIST_ITEM_ID_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    EXPECTED_VERSION_FIELD_NUMBER: _ClassVar[int]
    shopper: Shopper
    list_item_id: str
    request_id: str
    expected_version: int
    def __init__(self, shopper: _Optional[_Union[Shopper, _Mapping]] = ..., list_item_id: _Optional[str] = ..., request_id: _Optional[str] = ..., expected_version: _Optional[int] = ...) -> None: ...

class MoveListItemToCartResponse(_message.Message):
    __slots__ = ("cart", "list", "adjustments")
    CART_FIELD_NUMBER: _ClassVar[int]
    LIST_FIELD_NUMBER: _ClassVar[int]
    ADJUSTMENTS_FIELD_NUMBER: _ClassVar[int]
    cart: Cart
    list: ShoppingList
    adjustments: _containers.RepeatedCompositeFieldContainer[CartAdjustment]
    def __init__(self, cart: _Optional[_Union[Cart, _Mapping]] = ..., list: _Optional[_Union[ShoppingList, _Mapping]] = ..., adjustments: _Optional[_Iterable[_Union[CartAdjustment, _Mapping]]] = ...) -> None: ...

class CreateCartShareRequest(_message.Message):
    __slots__ = ("shopper", "ttl")
    SHOPPER_FIELD_NUMBER: _ClassVar[int]
    TTL_FIELD_NUMBER: _ClassVar[int]
    shopper: Shopper
    ttl: _duration_pb2.Duration
    def __init__(self, shopper: _Optional[_Union[Shopper, _Mapping]] = ..., ttl: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ...) -> None: ...

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
    shopper: Shopper
    share_id: str
    def __init__(self, shopper: _Optional[_Union[Shopper, _Mapping]] = ..., share_id: _Optional[str] = ...) -> None: ...

class RevokeCartShareResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class ListCartSharesRequest(_message.Message):
    __slots__ = ("shopper",)
    SHOPPER_FIELD_NUMBER: _ClassVar[int]
    shopper: Shopper
    def __init__(self, shopper: _Optional[_Union[Shopper, _Mapping]] = ...) -> None: ...

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
    items: _containers.RepeatedCompositeFieldContainer[CartItem]
    summary: CartSummary
    currency_code: str
    warnings: _containers.RepeatedCompositeFieldContainer[CartWarning]
    expire_time: _timestamp_pb2.Timestamp
    def __init__(self, items: _Optional[_Iterable[_Union[CartItem, _Mapping]]] = ..., summary: _Optional[_Union[CartSummary, _Mapping]] = ..., currency_code: _Optional[str] = ..., warnings: _Optional[_Iterable[_Union[CartWarning, _Mapping]]] = ..., expire_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class CopySharedCartRequest(_message.Message):
    __slots__ = ("shopper", "token", "request_id", "expected_version")
    SHOPPER_FIELD_NUMBER: _ClassVar[int]
    TOKEN_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    EXPECTED_VERSION_FIELD_NUMBER: _ClassVar[int]
    shopper: Shopper
    token: str
    request_id: str
    expected_version: int
    def __init__(self, shopper: _Optional[_Union[Shopper, _Mapping]] = ..., token: _Optional[str] = ..., request_id: _Optional[str] = ..., expected_version: _Optional[int] = ...) -> None: ...

class CopySharedCartResponse(_message.Message):
    __slots__ = ("cart", "adjustments", "notice")
    CART_FIELD_NUMBER: _ClassVar[int]
    ADJUSTMENTS_FIELD_NUMBER: _ClassVar[int]
    NOTICE_FIELD_NUMBER: _ClassVar[int]
    cart: Cart
    adjustments: _containers.RepeatedCompositeFieldContainer[CartAdjustment]
    notice: str
    def __init__(self, cart: _Optional[_Union[Cart, _Mapping]] = ..., adjustments: _Optional[_Iterable[_Union[CartAdjustment, _Mapping]]] = ..., notice: _Optional[str] = ...) -> None: ...

class SetBackInStockAlertRequest(_message.Message):
    __slots__ = ("shopper", "list_item_id", "email", "request_id")
    SHOPPER_FIELD_NUMBER: _ClassVar[int]
    LIST_ITEM_ID_FIELD_NUMBER: _ClassVar[int]
    EMAIL_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    shopper: Shopper
    list_item_id: str
    email: str
    request_id: str
    def __init__(self, shopper: _Optional[_Union[Shopper, _Mapping]] = ..., list_item_id: _Optional[str] = ..., email: _Optional[str] = ..., request_id: _Optional[str] = ...) -> None: ...

class SetBackInStockAlertResponse(_message.Message):
    __slots__ = ("list",)
    LIST_FIELD_NUMBER: _ClassVar[int]
    list: ShoppingList
    def __init__(self, list: _Optional[_Union[ShoppingList, _Mapping]] = ...) -> None: ...

class UpdateListItemRequest(_message.Message):
    __slots__ = ("shopper", "list_item_id", "quantity", "note", "request_id")
    SHOPPER_FIELD_NUMBER: _ClassVar[int]
    LIST_ITEM_ID_FIELD_NUMBER: _ClassVar[int]
    QUANTITY_FIELD_NUMBER: _ClassVar[int]
    NOTE_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    shopper: Shopper
    list_item_id: str
    quantity: int
    note: str
    request_id: str
    def __init__(self, shopper: _Optional[_Union[Shopper, _Mapping]] = ..., list_item_id: _Optional[str] = ..., quantity: _Optional[int] = ..., note: _Optional[str] = ..., request_id: _Optional[str] = ...) -> None: ...

class UpdateListItemResponse(_message.Message):
    __slots__ = ("list",)
    LIST_FIELD_NUMBER: _ClassVar[int]
    list: ShoppingList
    def __init__(self, list: _Optional[_Union[ShoppingList, _Mapping]] = ...) -> None: ...
