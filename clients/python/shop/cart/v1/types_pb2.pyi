import datetime

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

class CartAdjustmentType(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    CART_ADJUSTMENT_TYPE_UNSPECIFIED: _ClassVar[CartAdjustmentType]
    CART_ADJUSTMENT_TYPE_QUANTITY_CLAMPED: _ClassVar[CartAdjustmentType]
    CART_ADJUSTMENT_TYPE_DROPPED_OUT_OF_STOCK: _ClassVar[CartAdjustmentType]
    CART_ADJUSTMENT_TYPE_DROPPED_UNAVAILABLE: _ClassVar[CartAdjustmentType]
    CART_ADJUSTMENT_TYPE_DROPPED_LINE_LIMIT: _ClassVar[CartAdjustmentType]
    CART_ADJUSTMENT_TYPE_DROPPED_BY_STRATEGY: _ClassVar[CartAdjustmentType]
    CART_ADJUSTMENT_TYPE_PRICE_UPDATED: _ClassVar[CartAdjustmentType]
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
CART_ADJUSTMENT_TYPE_UNSPECIFIED: CartAdjustmentType
CART_ADJUSTMENT_TYPE_QUANTITY_CLAMPED: CartAdjustmentType
CART_ADJUSTMENT_TYPE_DROPPED_OUT_OF_STOCK: CartAdjustmentType
CART_ADJUSTMENT_TYPE_DROPPED_UNAVAILABLE: CartAdjustmentType
CART_ADJUSTMENT_TYPE_DROPPED_LINE_LIMIT: CartAdjustmentType
CART_ADJUSTMENT_TYPE_DROPPED_BY_STRATEGY: CartAdjustmentType
CART_ADJUSTMENT_TYPE_PRICE_UPDATED: CartAdjustmentType

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
