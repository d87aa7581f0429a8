import datetime

from google.protobuf import struct_pb2 as _struct_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from shop.cart.v1 import types_pb2 as _types_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class ShoppingListType(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    SHOPPING_LIST_TYPE_UNSPECIFIED: _ClassVar[ShoppingListType]
    SHOPPING_LIST_TYPE_SAVED_FOR_LATER: _ClassVar[ShoppingListType]
    SHOPPING_LIST_TYPE_WISH_LIST: _ClassVar[ShoppingListType]
SHOPPING_LIST_TYPE_UNSPECIFIED: ShoppingListType
SHOPPING_LIST_TYPE_SAVED_FOR_LATER: ShoppingListType
SHOPPING_LIST_TYPE_WISH_LIST: ShoppingListType

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
    item: _types_pb2.CartItem
    note: str
    back_in_stock_alert: bool
    def __init__(self, item: _Optional[_Union[_types_pb2.CartItem, _Mapping]] = ..., note: _Optional[str] = ..., back_in_stock_alert: _Optional[bool] = ...) -> None: ...

class GetListsRequest(_message.Message):
    __slots__ = ("shopper",)
    SHOPPER_FIELD_NUMBER: _ClassVar[int]
    shopper: _types_pb2.Shopper
    def __init__(self, shopper: _Optional[_Union[_types_pb2.Shopper, _Mapping]] = ...) -> None: ...

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
    shopper: _types_pb2.Shopper
    name: str
    request_id: str
    def __init__(self, shopper: _Optional[_Union[_types_pb2.Shopper, _Mapping]] = ..., name: _Optional[str] = ..., request_id: _Optional[str] = ...) -> None: ...

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
    shopper: _types_pb2.Shopper
    list_id: str
    request_id: str
    def __init__(self, shopper: _Optional[_Union[_types_pb2.Shopper, _Mapping]] = ..., list_id: _Optional[str] = ..., request_id: _Optional[str] = ...) -> None: ...

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
    shopper: _types_pb2.Shopper
    list_id: str
    product_id: str
    variant_id: str
    quantity: int
    note: str
    metadata: _struct_pb2.Struct
    request_id: str
    def __init__(self, shopper: _Optional[_Union[_types_pb2.Shopper, _Mapping]] = ..., list_id: _Optional[str] = ..., product_id: _Optional[str] = ..., variant_id: _Optional[str] = ..., quantity: _Optional[int] = ..., note: _Optional[str] = ..., metadata: _Optional[_Union[_struct_pb2.Struct, _Mapping]] = ..., request_id: _Optional[str] = ...) -> None: ...

class AddListItemResponse(_message.Message):
    __slots__ = ("list", "adjustments")
    LIST_FIELD_NUMBER: _ClassVar[int]
    ADJUSTMENTS_FIELD_NUMBER: _ClassVar[int]
    list: ShoppingList
    adjustments: _containers.RepeatedCompositeFieldContainer[_types_pb2.CartAdjustment]
    def __init__(self, list: _Optional[_Union[ShoppingList, _Mapping]] = ..., adjustments: _Optional[_Iterable[_Union[_types_pb2.CartAdjustment, _Mapping]]] = ...) -> None: ...

class UpdateListItemRequest(_message.Message):
    __slots__ = ("shopper", "list_item_id", "quantity", "note", "request_id")
    SHOPPER_FIELD_NUMBER: _ClassVar[int]
    LIST_ITEM_ID_FIELD_NUMBER: _ClassVar[int]
    QUANTITY_FIELD_NUMBER: _ClassVar[int]
    NOTE_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    shopper: _types_pb2.Shopper
    list_item_id: str
    quantity: int
    note: str
    request_id: str
    def __init__(self, shopper: _Optional[_Union[_types_pb2.Shopper, _Mapping]] = ..., list_item_id: _Optional[str] = ..., quantity: _Optional[int] = ..., note: _Optional[str] = ..., request_id: _Optional[str] = ...) -> None: ...

class UpdateListItemResponse(_message.Message):
    __slots__ = ("list",)
    LIST_FIELD_NUMBER: _ClassVar[int]
    list: ShoppingList
    def __init__(self, list: _Optional[_Union[ShoppingList, _Mapping]] = ...) -> None: ...

class RemoveListItemRequest(_message.Message):
    __slots__ = ("shopper", "list_item_id", "request_id")
    SHOPPER_FIELD_NUMBER: _ClassVar[int]
    LIST_ITEM_ID_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    shopper: _types_pb2.Shopper
    list_item_id: str
    request_id: str
    def __init__(self, shopper: _Optional[_Union[_types_pb2.Shopper, _Mapping]] = ..., list_item_id: _Optional[str] = ..., request_id: _Optional[str] = ...) -> None: ...

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
    shopper: _types_pb2.Shopper
    item_id: str
    list_id: str
    request_id: str
    expected_version: int
    def __init__(self, shopper: _Optional[_Union[_types_pb2.Shopper, _Mapping]] = ..., item_id: _Optional[str] = ..., list_id: _Optional[str] = ..., request_id: _Optional[str] = ..., expected_version: _Optional[int] = ...) -> None: ...

class MoveItemToListResponse(_message.Message):
    __slots__ = ("cart", "list", "adjustments")
    CART_FIELD_NUMBER: _ClassVar[int]
    LIST_FIELD_NUMBER: _ClassVar[int]
    ADJUSTMENTS_FIELD_NUMBER: _ClassVar[int]
    cart: _types_pb2.Cart
    list: ShoppingList
    adjustments: _containers.RepeatedCompositeFieldContainer[_types_pb2.CartAdjustment]
    def __init__(self, cart: _Optional[_Union[_types_pb2.Cart, _Mapping]] = ..., list: _Optional[_Union[ShoppingList, _Mapping]] = ..., adjustments: _Optional[_Iterable[_Union[_types_pb2.CartAdjustment, _Mapping]]] = ...) -> None: ...

class MoveListItemToCartRequest(_message.Message):
    __slots__ = ("shopper", "list_item_id", "request_id", "expected_version")
    SHOPPER_FIELD_NUMBER: _ClassVar[int]
    LIST_ITEM_ID_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    EXPECTED_VERSION_FIELD_NUMBER: _ClassVar[int]
    shopper: _types_pb2.Shopper
    list_item_id: str
    request_id: str
    expected_version: int
    def __init__(self, shopper: _Optional[_Union[_types_pb2.Shopper, _Mapping]] = ..., list_item_id: _Optional[str] = ..., request_id: _Optional[str] = ..., expected_version: _Optional[int] = ...) -> None: ...

class MoveListItemToCartResponse(_message.Message):
    __slots__ = ("cart", "list", "adjustments")
    CART_FIELD_NUMBER: _ClassVar[int]
    LIST_FIELD_NUMBER: _ClassVar[int]
    ADJUSTMENTS_FIELD_NUMBER: _ClassVar[int]
    cart: _types_pb2.Cart
    list: ShoppingList
    adjustments: _containers.RepeatedCompositeFieldContainer[_types_pb2.CartAdjustment]
    def __init__(self, cart: _Optional[_Union[_types_pb2.Cart, _Mapping]] = ..., list: _Optional[_Union[ShoppingList, _Mapping]] = ..., adjustments: _Optional[_Iterable[_Union[_types_pb2.CartAdjustment, _Mapping]]] = ...) -> None: ...

class SetBackInStockAlertRequest(_message.Message):
    __slots__ = ("shopper", "list_item_id", "email", "request_id")
    SHOPPER_FIELD_NUMBER: _ClassVar[int]
    LIST_ITEM_ID_FIELD_NUMBER: _ClassVar[int]
    EMAIL_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    shopper: _types_pb2.Shopper
    list_item_id: str
    email: str
    request_id: str
    def __init__(self, shopper: _Optional[_Union[_types_pb2.Shopper, _Mapping]] = ..., list_item_id: _Optional[str] = ..., email: _Optional[str] = ..., request_id: _Optional[str] = ...) -> None: ...

class SetBackInStockAlertResponse(_message.Message):
    __slots__ = ("list",)
    LIST_FIELD_NUMBER: _ClassVar[int]
    list: ShoppingList
    def __init__(self, list: _Optional[_Union[ShoppingList, _Mapping]] = ...) -> None: ...
