from shop.common.v1 import money_pb2 as _money_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class BatchGetVariantsRequest(_message.Message):
    __slots__ = ("variant_ids",)
    VARIANT_IDS_FIELD_NUMBER: _ClassVar[int]
    variant_ids: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, variant_ids: _Optional[_Iterable[str]] = ...) -> None: ...

class BatchGetVariantsResponse(_message.Message):
    __slots__ = ("variants", "missing_variant_ids")
    VARIANTS_FIELD_NUMBER: _ClassVar[int]
    MISSING_VARIANT_IDS_FIELD_NUMBER: _ClassVar[int]
    variants: _containers.RepeatedCompositeFieldContainer[Variant]
    missing_variant_ids: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, variants: _Optional[_Iterable[_Union[Variant, _Mapping]]] = ..., missing_variant_ids: _Optional[_Iterable[str]] = ...) -> None: ...

class Variant(_message.Message):
    __slots__ = ("id", "product_id", "product_name", "product_slug", "images", "sku", "name", "attributes", "price", "active", "inventory")
    class AttributesEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    ID_FIELD_NUMBER: _ClassVar[int]
    PRODUCT_ID_FIELD_NUMBER: _ClassVar[int]
    PRODUCT_NAME_FIELD_NUMBER: _ClassVar[int]
    PRODUCT_SLUG_FIELD_NUMBER: _ClassVar[int]
    IMAGES_FIELD_NUMBER: _ClassVar[int]
    SKU_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    ATTRIBUTES_FIELD_NUMBER: _ClassVar[int]
    PRICE_FIELD_NUMBER: _ClassVar[int]
    ACTIVE_FIELD_NUMBER: _ClassVar[int]
    INVENTORY_FIELD_NUMBER: _ClassVar[int]
    id: str
    product_id: str
    product_name: str
    product_slug: str
    images: _containers.RepeatedCompositeFieldContainer[Image]
    sku: str
    name: str
    attributes: _containers.ScalarMap[str, str]
    price: _money_pb2.Money
    active: bool
    inventory: Inventory
    def __init__(self, id: _Optional[str] = ..., product_id: _Optional[str] = ..., product_name: _Optional[str] = ..., product_slug: _Optional[str] = ..., images: _Optional[_Iterable[_Union[Image, _Mapping]]] = ..., sku: _Optional[str] = ..., name: _Optional[str] = ..., attributes: _Optional[_Mapping[str, str]] = ..., price: _Optional[_Union[_money_pb2.Money, _Mapping]] = ..., active: _Optional[bool] = ..., inventory: _Optional[_Union[Inventory, _Mapping]] = ...) -> None: ...

class Image(_message.Message):
    __slots__ = ("url", "alt_text")
    URL_FIELD_NUMBER: _ClassVar[int]
    ALT_TEXT_FIELD_NUMBER: _ClassVar[int]
    url: str
    alt_text: str
    def __init__(self, url: _Optional[str] = ..., alt_text: _Optional[str] = ...) -> None: ...

class Inventory(_message.Message):
    __slots__ = ("tracked", "available_quantity", "backorder_allowed")
    TRACKED_FIELD_NUMBER: _ClassVar[int]
    AVAILABLE_QUANTITY_FIELD_NUMBER: _ClassVar[int]
    BACKORDER_ALLOWED_FIELD_NUMBER: _ClassVar[int]
    tracked: bool
    available_quantity: int
    backorder_allowed: bool
    def __init__(self, tracked: _Optional[bool] = ..., available_quantity: _Optional[int] = ..., backorder_allowed: _Optional[bool] = ...) -> None: ...
